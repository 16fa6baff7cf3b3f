"""Pooling (tf.nn.max_pool*, avg_pool*, pool) and the pooling gradient ops.

MaxPool's gradient is the primitive MaxPoolGrad, which routes each upstream value to the
first maximum of its window (row-major, as TensorFlow's CPU kernel); MaxPoolGradGrad is its
gradient and the two are each other's adjoints. AvgPool and AvgPoolGrad are adjoint linear
maps in the same way. With 'SAME' padding, averages count only the real (unpadded) inputs.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError, UnimplementedError
from tapeflow._src.ops import _window as W
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.array_ops import expand_dims, squeeze, transpose, zeros_like
from tapeflow._src.ops.registry import primitive

D = dtypes
REAL = D.FLOATING | D.INTEGER
FLOAT = D.FLOATING


def _ones(n):
    return (1,) * n


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pool_shape(x, *, ksize, strides, pads):
    out = tuple(
        None if n is None else max((n + a + b - k) // s + 1, 0)
        for n, k, s, (a, b) in zip(x[1:-1], ksize, strides, pads)
    )
    return (x[0],) + out + (x[-1],)


def _argmax_taps(xp, keys):
    """Index of the first maximal tap for every output position."""
    best = xp[keys[0]].copy()
    idx = np.zeros(best.shape, np.intp)
    for i, key in enumerate(keys[1:], 1):
        v = xp[key]
        better = v > best
        np.copyto(best, v, where=better)
        idx[better] = i
    return idx


def _max_geometry(x, ksize, strides, pads):
    xp = W.pad(x, pads, _lowest(x.dtype))
    ones = _ones(len(ksize))
    out = W.out_sizes(xp.shape[1:-1], ksize, strides, ones)
    return xp, W.taps(ksize, strides, ones, out)


# ---------------------------------------------------------------------------------------
# MaxPool, MaxPoolGrad, MaxPoolGradGrad
# ---------------------------------------------------------------------------------------


@primitive("MaxPool", shape=_pool_shape, dtype=rules.same_as_input, allowed=REAL)
def _max_pool(x, *, ksize, strides, pads):
    xp, keys = _max_geometry(x, ksize, strides, pads)
    y = xp[keys[0]].copy()
    for key in keys[1:]:
        np.maximum(y, xp[key], out=y)
    return y


@_max_pool.grad
def _max_pool_grad(op, dy):
    return _max_pool_grad_prim(op.inputs[0], dy, **op.attrs)


@primitive("MaxPoolGrad", shape=lambda x, dy, **a: x, dtype=rules.same_as_input, allowed=REAL)
def _max_pool_grad_prim(x, dy, *, ksize, strides, pads):
    xp, keys = _max_geometry(x, ksize, strides, pads)
    idx = _argmax_taps(xp, keys)
    dxp = np.zeros(xp.shape, dy.dtype)
    zero = np.zeros((), dy.dtype)
    for i, key in enumerate(keys):
        dxp[key] += np.where(idx == i, dy, zero)
    return W.crop(dxp, pads, x.shape[1:-1])


# The routing depends on x only through comparisons: a zero gradient for x (TensorFlow
# returns zeros, not None).
@_max_pool_grad_prim.grad
def _max_pool_grad_prim_grad(op, g):
    x, _ = op.inputs
    return zeros_like(x), _max_pool_grad_grad(x, g, **op.attrs)


@primitive(
    "MaxPoolGradGrad",
    shape=lambda x, g, **a: _pool_shape(x, **a),
    dtype=rules.same_as_input,
    allowed=REAL,
)
def _max_pool_grad_grad(x, g, *, ksize, strides, pads):
    xp, keys = _max_geometry(x, ksize, strides, pads)
    idx = _argmax_taps(xp, keys)
    gp = W.pad(g, pads)
    y = np.zeros(idx.shape, g.dtype)
    for i, key in enumerate(keys):
        np.copyto(y, gp[key], where=idx == i)
    return y


@_max_pool_grad_grad.grad
def _max_pool_grad_grad_grad(op, dy):
    x, _ = op.inputs
    return zeros_like(x), _max_pool_grad_prim(x, dy, **op.attrs)


# ---------------------------------------------------------------------------------------
# AvgPool, AvgPoolGrad
# ---------------------------------------------------------------------------------------


def _counts(sizes, ksize, strides, pads, out):
    """How many real (unpadded) inputs each window covers, shape [1, *out, 1]."""
    ones = W.pad(np.ones((1,) + tuple(sizes) + (1,)), pads)
    c = np.zeros((1,) + tuple(out) + (1,))
    for key in W.taps(ksize, strides, _ones(len(ksize)), out):
        c += ones[key]
    return c


@primitive("AvgPool", shape=_pool_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _avg_pool(x, *, ksize, strides, pads):
    xp = W.pad(x, pads)
    out = W.out_sizes(xp.shape[1:-1], ksize, strides, _ones(len(ksize)))
    total = np.zeros((x.shape[0],) + out + (x.shape[-1],), x.dtype)
    for key in W.taps(ksize, strides, _ones(len(ksize)), out):
        total += xp[key]
    counts = _counts(x.shape[1:-1], ksize, strides, pads, out).astype(x.dtype)
    return total / counts


@_avg_pool.grad
def _avg_pool_grad(op, dy):
    return _avg_pool_grad_prim(dy, input_shape=op.inputs[0]._value.shape, **op.attrs)


@primitive(
    "AvgPoolGrad",
    shape=lambda dy, *, input_shape, **a: input_shape,
    dtype=rules.same_as_input,
    allowed=FLOAT,
)
def _avg_pool_grad_prim(dy, *, input_shape, ksize, strides, pads):
    sizes = input_shape[1:-1]
    out = dy.shape[1:-1]
    dyc = dy / _counts(sizes, ksize, strides, pads, out).astype(dy.dtype)
    padded = (
        (input_shape[0],) + tuple(n + a + b for n, (a, b) in zip(sizes, pads)) + (input_shape[-1],)
    )
    dxp = np.zeros(padded, dy.dtype)
    for key in W.taps(ksize, strides, _ones(len(ksize)), out):
        dxp[key] += dyc
    return W.crop(dxp, pads, sizes)


@_avg_pool_grad_prim.grad
def _avg_pool_grad_prim_grad(op, g):
    a = {k: v for k, v in op.attrs.items() if k != "input_shape"}
    return _avg_pool(g, **a)


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------

_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def _pool(kind, input, ksize, strides, padding, data_format, n):  # noqa: A002
    """Shared body of the public pooling functions for `n` spatial dims (1 or 2)."""
    op = "MaxPool" if kind == "MAX" else "AvgPool"
    x = to_tensor(input)
    if data_format is None:
        data_format = _FORMATS[n][0]
    if data_format not in _FORMATS[n]:
        raise ValueError(
            f"`data_format` must be one of {', '.join(_FORMATS[n])}. "
            f"Received: data_format={data_format}"
        )
    channels_first = data_format.startswith("NC")
    ci = 1 if channels_first else n + 1
    ks, outer_k = W.spatial(W.sequence(ksize, n, ci, "ksize"), channels_first)
    st, outer_s = W.spatial(W.sequence(strides, n, ci, "strides"), channels_first)
    allowed = ("SAME", "VALID", "EXPLICIT") if kind == "MAX" else ("SAME", "VALID")
    padding, explicit = W.padding_arg(padding, n, channels_first, op, allowed)
    if x._value.ndim != n + 2:
        raise ValueError(
            f"`input` must have rank {n + 2} for {n}-D pooling. Received: "
            f"input.shape={tuple(x._value.shape)}"
        )
    if any(k != 1 for k in outer_k) or any(s != 1 for s in outer_s):
        if outer_k[0] != 1 or outer_s[0] != 1:
            raise UnimplementedError(
                None, None, f"Pooling is not yet supported on the batch dimension. [Op:{op}] name: "
            )
        raise UnimplementedError(
            None, None, f"Pooling across depth is not implemented in tapeflow. [Op:{op}] name: "
        )
    if any(v <= 0 for v in ks + st):
        raise InvalidArgumentError(
            None, None, f"Sliding window ksize and stride must be positive [Op:{op}] name: "
        )
    if n == 1:
        # 1-D pooling is 2-D pooling over a height-1 image, as in TensorFlow.
        hdim = 2 if channels_first else 1
        if explicit is not None:
            explicit = ((0, 0),) + explicit
        x2 = expand_dims(x, hdim)
        y = _pool2d(kind, x2, (1,) + ks, (1,) + st, padding, explicit, channels_first, op)
        return squeeze(y, [hdim])
    return _pool2d(kind, x, ks, st, padding, explicit, channels_first, op)


def _pool2d(kind, x, ks, st, padding, explicit, channels_first, op):
    if channels_first:
        x = transpose(x, [0, 2, 3, 1])
    _, pads = W.geometry(x._value.shape[1:3], ks, st, (1, 1), padding, explicit, op)
    prim = _max_pool if kind == "MAX" else _avg_pool
    y = prim(x, ksize=tuple(ks), strides=tuple(st), pads=pads)
    return transpose(y, [0, 3, 1, 2]) if channels_first else y


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Maximum over sliding 2-D windows of a batch of images.

    Args:
      input: A 4-D `Tensor` ('NHWC' by default, or 'NCHW').
      ksize: Window size: an int or a list of 1, 2 or 4 ints.
      strides: Window step: an int or a list of 1, 2 or 4 ints.
      padding: 'SAME', 'VALID', or explicit [before, after] pairs for all 4 dims.
      data_format: 'NHWC' or 'NCHW'.
      name: Unused; kept for API compatibility.

    >>> x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    >>> tf.nn.max_pool2d(x, 2, 2, "VALID").numpy().ravel()
    array([ 5.,  7., 13., 15.], dtype=float32)
    """
    return _pool("MAX", input, ksize, strides, padding, data_format, 2)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over sliding 2-D windows; with 'SAME' padding only real inputs are averaged.

    >>> x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    >>> tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy().ravel()
    array([ 2.5,  4.5, 10.5, 12.5], dtype=float32)
    """
    return _pool("AVG", input, ksize, strides, padding, data_format, 2)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Maximum over sliding 1-D windows of a batch of sequences ([batch, width, channels]).

    >>> tf.nn.max_pool1d(tf.constant([[[1.0], [3.0], [2.0]]]), 2, 1, "VALID").numpy().ravel()
    array([3., 3.], dtype=float32)
    """
    return _pool("MAX", input, ksize, strides, padding, data_format, 1)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Mean over sliding 1-D windows of a batch of sequences ([batch, width, channels]).

    >>> tf.nn.avg_pool1d(tf.constant([[[1.0], [3.0], [2.0]]]), 2, 1, "VALID").numpy().ravel()
    array([2. , 2.5], dtype=float32)
    """
    return _pool("AVG", input, ksize, strides, padding, data_format, 1)


def _rank_dispatch(kind, input, ksize, strides, padding, data_format):  # noqa: A002
    x = to_tensor(input)
    n = x._value.ndim - 2
    if n == 3:
        raise NotImplementedError(
            "3-D pooling (tf.nn.max_pool3d/avg_pool3d) is not implemented in tapeflow."
        )
    if n not in (1, 2):
        raise ValueError(
            f"`input.shape.rank` must be 3, 4 or 5. Received: "
            f"input.shape={tuple(x._value.shape)} of rank {n + 2}"
        )
    return _pool(kind, x, ksize, strides, padding, data_format, n)


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling for 1-D or 2-D inputs, chosen by the rank of `input` (3 or 4).

    >>> tf.nn.max_pool(tf.ones([1, 4, 4, 1]), 2, 2, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    return _rank_dispatch("MAX", input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling for 1-D or 2-D inputs, chosen by the rank of `input` (3 or 4).

    >>> tf.nn.avg_pool(tf.ones([1, 4, 4, 1]), 2, 2, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    return _rank_dispatch("AVG", input, ksize, strides, padding, data_format)


def pool(
    input,
    window_shape,
    pooling_type,
    strides=None,
    padding="VALID",  # noqa: A002
    data_format=None,
    dilations=None,
    name=None,
):
    """Max or average pooling ('MAX' / 'AVG') with a spatial `window_shape`.

    Dilated pooling (dilations > 1) is not implemented.

    >>> tf.nn.pool(tf.ones([1, 4, 4, 1]), [2, 2], "AVG", strides=[2, 2]).shape
    TensorShape([1, 2, 2, 1])
    """
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(
            f"`pooling_type` must be 'MAX' or 'AVG'. Received: pooling_type={pooling_type}"
        )
    window_shape = [int(k) for k in window_shape]
    n = len(window_shape)
    strides = [1] * n if strides is None else [int(s) for s in strides]
    if dilations is not None and any(int(d) != 1 for d in np.ravel(dilations)):
        if padding == "SAME":
            raise ValueError(
                "pooling with 'SAME' padding is not implemented for "
                f"`dilation_rate` > 1. Received: padding={padding} and "
                f"dilation_rate={np.asarray(dilations)}"
            )
        raise NotImplementedError("Dilated pooling is not implemented in tapeflow.")
    x = to_tensor(input)
    if x._value.ndim != n + 2:
        raise ValueError(
            f"`input` must have rank {n + 2} for a window of rank {n}. "
            f"Received: input.shape={tuple(x._value.shape)}"
        )
    if n == 3:
        raise NotImplementedError("3-D pooling is not implemented in tapeflow.")
    return _pool(pooling_type, x, window_shape, strides, padding, data_format, n)

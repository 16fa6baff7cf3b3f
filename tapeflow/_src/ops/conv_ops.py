"""Convolutions (tf.nn.conv1d, conv2d, conv2d_transpose, depthwise_conv2d) and their
gradient ops.

Conv2D is an im2col gather (one strided slice per kernel tap) followed by one matrix
product. Its gradients are the primitives Conv2DBackpropInput and Conv2DBackpropFilter, as
in TensorFlow; all three are bilinear, so each one's gradient is written with the other two
and derivatives of any order work.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError, UnimplementedError
from tapeflow._src.ops import _window as W
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, shape_arg, to_tensor
from tapeflow._src.ops.array_ops import expand_dims, squeeze, transpose
from tapeflow._src.ops.registry import primitive

D = dtypes
CONV_TYPES = D.FLOATING | {D.int32}


def _fail(text, op="Conv2D"):
    return InvalidArgumentError(None, None, f"{text} [Op:{op}] name: ")


# ---------------------------------------------------------------------------------------
# The three primitives (NHWC arrays; attrs: strides, dilations, pads per spatial dim)
# ---------------------------------------------------------------------------------------


def _conv_shape(x, w, *, strides, dilations, pads):
    out = []
    for n, k, s, d, (a, b) in zip(x[1:-1], w[:-2], strides, dilations, pads):
        out.append(
            None if n is None or k is None else max((n + a + b - (k - 1) * d - 1) // s + 1, 0)
        )
    return (x[0],) + tuple(out) + (w[-1],)


@primitive("Conv2D", shape=_conv_shape, dtype=rules.same_as_input, allowed=CONV_TYPES)
def _conv2d(x, w, *, strides, dilations, pads):
    xp = W.pad(x, pads)
    ksize = w.shape[:-2]
    out = W.out_sizes(xp.shape[1:-1], ksize, strides, dilations)
    cols = W.im2col(xp, ksize, strides, dilations, out)
    k = cols.shape[-2] * cols.shape[-1]
    y = cols.reshape(-1, k) @ w.reshape(k, w.shape[-1])
    return y.reshape((x.shape[0],) + out + (w.shape[-1],))


@_conv2d.grad
def _conv2d_grad(op, dy):
    x, w = op.inputs
    a = op.attrs
    need_x, need_w = op.needs or (True, True)
    return (
        _conv2d_backprop_input(w, dy, input_shape=x._value.shape, **a) if need_x else None,
        _conv2d_backprop_filter(x, dy, filter_shape=w._value.shape, **a) if need_w else None,
    )


@primitive(
    "Conv2DBackpropInput",
    shape=lambda w, dy, *, input_shape, **a: input_shape,
    dtype=rules.same_as_input,
    allowed=CONV_TYPES,
)
def _conv2d_backprop_input(w, dy, *, input_shape, strides, dilations, pads):
    ksize = w.shape[:-2]
    cout = w.shape[-1]
    out = dy.shape[1:-1]
    dcols = dy.reshape(-1, cout) @ w.reshape(-1, cout).T
    dcols = dcols.reshape(dy.shape[:-1] + (int(np.prod(ksize)), w.shape[-2]))
    sizes = input_shape[1:-1]
    padded = (
        (input_shape[0],) + tuple(n + a + b for n, (a, b) in zip(sizes, pads)) + (input_shape[-1],)
    )
    dxp = W.col2im(dcols, padded, ksize, strides, dilations, out)
    return W.crop(dxp, pads, sizes)


@_conv2d_backprop_input.grad
def _conv2d_backprop_input_grad(op, g):
    w, dy = op.inputs
    a = {k: v for k, v in op.attrs.items() if k != "input_shape"}
    return (_conv2d_backprop_filter(g, dy, filter_shape=w._value.shape, **a), _conv2d(g, w, **a))


@primitive(
    "Conv2DBackpropFilter",
    shape=lambda x, dy, *, filter_shape, **a: filter_shape,
    dtype=rules.same_as_input,
    allowed=CONV_TYPES,
)
def _conv2d_backprop_filter(x, dy, *, filter_shape, strides, dilations, pads):
    xp = W.pad(x, pads)
    ksize = filter_shape[:-2]
    cols = W.im2col(xp, ksize, strides, dilations, dy.shape[1:-1])
    k = cols.shape[-2] * cols.shape[-1]
    dw = cols.reshape(-1, k).T @ dy.reshape(-1, dy.shape[-1])
    return dw.reshape(filter_shape)


@_conv2d_backprop_filter.grad
def _conv2d_backprop_filter_grad(op, g):
    x, dy = op.inputs
    a = {k: v for k, v in op.attrs.items() if k != "filter_shape"}
    return (_conv2d_backprop_input(g, dy, input_shape=x._value.shape, **a), _conv2d(x, g, **a))


# ---------------------------------------------------------------------------------------
# Argument handling shared by the public functions
# ---------------------------------------------------------------------------------------


def _data_format(data_format, ok=("NHWC", "NCHW")):
    if data_format is None:
        return False
    if data_format not in ok:
        raise ValueError(
            f"`data_format` must be one of {', '.join(ok)}. Received: data_format={data_format}"
        )
    return data_format.startswith("NC")


def _conv_attrs(x, w, strides, padding, dilations, channels_first, op="Conv2D"):
    """Validates conv2d arguments for NHWC `x`; returns the primitive's attrs."""
    ci = 1 if channels_first else 3
    strides, outer_s = W.spatial(W.sequence(strides, 2, ci, "strides"), channels_first)
    dilations, outer_d = W.spatial(W.sequence(dilations, 2, ci, "dilations"), channels_first)
    padding, explicit = W.padding_arg(padding, 2, channels_first, op)
    if x._value.ndim != 4:
        raise _fail(f"input must be 4-dimensional{W.dims(x._value.shape)}", op)
    if w._value.ndim != 4:
        raise _fail(f"filter must be 4-dimensional: {W.dims(w._value.shape)}", op)
    if any(s != 1 for s in outer_s):
        raise UnimplementedError(
            None,
            None,
            "Current implementation does not yet support "
            f"strides in the batch and depth dimensions. [Op:{op}] name: ",
        )
    if any(d != 1 for d in outer_d):
        raise UnimplementedError(
            None,
            None,
            "Current implementation does not yet support "
            f"dilations in the batch and depth dimensions. [Op:{op}] "
            "name: ",
        )
    if any(s <= 0 for s in strides):
        raise _fail(f"Stride must be > 0, but got {min(strides)}", op)
    if any(d <= 0 for d in dilations):
        raise _fail("Dilated rates should be larger than 0.", op)
    return strides, dilations, padding, explicit


def _check_depth(cin, fin, op="Conv2D"):
    if cin != fin:
        if fin == 0 or cin % fin:
            raise _fail(f"input depth must be evenly divisible by filter depth: {cin} vs {fin}", op)
        raise UnimplementedError(
            None,
            None,
            f"The Conv2D op currently does not support grouped convolutions on "
            f"the CPU. A grouped convolution was attempted to be run because the input depth "
            f"of {cin} does not match the filter input depth of {fin} [Op:{op}] name: ",
        )


def _to_nhwc(x):
    return transpose(x, [0, 2, 3, 1])


def _to_nchw(x):
    return transpose(x, [0, 3, 1, 2])


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------


def conv2d(
    input,
    filters,
    strides,
    padding,
    data_format="NHWC",
    dilations=None,  # noqa: A002
    name=None,
):
    """2-D convolution (cross-correlation, as in TensorFlow) of a batch of images.

    Args:
      input: A `Tensor` of shape [batch, height, width, in_channels] ('NHWC') or
        [batch, in_channels, height, width] ('NCHW').
      filters: A `Tensor` of shape [kh, kw, in_channels, out_channels].
      strides: An int or a list of 1, 2 or 4 ints: the step of the window per dimension.
      padding: 'SAME', 'VALID', or explicit pads as a list of 4 [before, after] pairs in
        `data_format` order (batch and channel pairs must be [0, 0]).
      data_format: 'NHWC' (default) or 'NCHW'.
      dilations: An int or a list of 1, 2 or 4 ints: spacing between filter taps.
      name: Unused; kept for API compatibility.

    Returns:
      A `Tensor` with `input`'s dtype and layout.

    >>> tf.nn.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    x, w = binary_args(input, filters, "Conv2D")
    channels_first = _data_format(data_format)
    strides, dilations, padding, explicit = _conv_attrs(
        x, w, strides, padding, dilations, channels_first
    )
    if channels_first:
        x = _to_nhwc(x)
    _check_depth(x._value.shape[-1], w._value.shape[2])
    _, pads = W.geometry(
        x._value.shape[1:3], w._value.shape[:2], strides, dilations, padding, explicit, "Conv2D"
    )
    y = _conv2d(x, w, strides=strides, dilations=dilations, pads=pads)
    return _to_nchw(y) if channels_first else y


def conv1d(
    input,
    filters,
    stride,
    padding,
    data_format="NWC",
    dilations=None,  # noqa: A002
    name=None,
):
    """1-D convolution of a batch of sequences, computed as a conv2d of height 1.

    Args:
      input: A `Tensor` of shape [batch, width, in_channels] ('NWC') or
        [batch, in_channels, width] ('NCW').
      filters: A `Tensor` of shape [k, in_channels, out_channels].
      stride: An int or a list of 1 or 3 ints.
      padding: 'SAME', 'VALID' or a list of 3 [before, after] pairs.
      data_format: 'NWC' (default) or 'NCW'.
      dilations: An int or a list of 1 or 3 ints.
      name: Unused; kept for API compatibility.

    >>> tf.nn.conv1d(tf.ones([1, 5, 1]), tf.ones([3, 1, 1]), 1, "VALID").numpy().ravel()
    array([3., 3., 3.], dtype=float32)
    """
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW"):
        raise ValueError(
            f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
        )
    channels_first = data_format in ("NCW", "NCHW")
    ci = 1 if channels_first else 2
    stride = W.sequence(stride, 1, ci, "stride")
    dilations = W.sequence(dilations, 1, ci, "dilations")
    # Insert a height-1 dimension before the width (as TensorFlow does).
    hdim = 2 if channels_first else 1
    stride.insert(hdim, 1)
    dilations.insert(hdim, 1)
    if not isinstance(padding, (str, bytes)):
        padding = [list(p) for p in padding]
        padding.insert(hdim, [0, 0])
    x, w = binary_args(input, filters, "Conv2D")
    if x._value.ndim != 3:
        raise ValueError(
            f"`input` must be a rank-3 tensor for conv1d. Received: "
            f"input.shape={tuple(x._value.shape)}"
        )
    y = conv2d(
        expand_dims(x, hdim),
        expand_dims(w, 0),
        stride,
        padding,
        data_format="NCHW" if channels_first else "NHWC",
        dilations=dilations,
    )
    return squeeze(y, [hdim])


def conv2d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",  # noqa: A002
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """The transpose (gradient) of conv2d: maps [batch, h, w, out_channels] back to
    `output_shape`.

    Args:
      input: A `Tensor` of shape [batch, height, width, out_channels] ('NHWC').
      filters: A `Tensor` of shape [kh, kw, in_channels, out_channels].
      output_shape: The 4-D shape of the result.
      strides, padding, data_format, dilations: As for `conv2d` producing `input`.
      name: Unused; kept for API compatibility.

    >>> tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]),
    ...                        [1, 3, 3, 1], 1, "VALID").numpy()[0, :, :, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """
    dy, w = binary_args(input, filters, "Conv2DBackpropInput")
    channels_first = _data_format(data_format)
    op = "Conv2DBackpropInput"
    strides, dilations, padding, explicit = _conv_attrs(
        dy, w, strides, padding, dilations, channels_first, op
    )
    shape = shape_arg(output_shape)
    if len(shape) != 4:
        raise ValueError(
            f"`output_shape` must be of length 4. Received: output_shape={list(shape)}"
        )
    if channels_first:
        dy = _to_nhwc(dy)
        shape = (shape[0], shape[2], shape[3], shape[1])
    if shape[-1] != w._value.shape[2]:
        raise ValueError(
            f"`output_shape` channels must equal the filter's input channels: "
            f"{shape[-1]} vs {w._value.shape[2]}"
        )
    if dy._value.shape[-1] != w._value.shape[3]:
        raise _fail(
            f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
            f"computed: actual = {dy._value.shape[-1]}, computed = "
            f"{w._value.shape[3]}",
            op,
        )
    out, pads = W.geometry(
        shape[1:3], w._value.shape[:2], strides, dilations, padding, explicit, op
    )
    if tuple(out) != tuple(dy._value.shape[1:3]) or shape[0] != dy._value.shape[0]:
        raise _fail(
            f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
            f"computed: actual = {W.dims(dy._value.shape)}, computed = "
            f"{W.dims((shape[0],) + out + (w._value.shape[3],))}",
            op,
        )
    y = _conv2d_backprop_input(
        w, dy, input_shape=tuple(shape), strides=strides, dilations=dilations, pads=pads
    )
    return _to_nchw(y) if channels_first else y


# ---------------------------------------------------------------------------------------
# Depthwise convolution: each input channel has its own `multiplier` filters
# ---------------------------------------------------------------------------------------


def _depthwise_shape(x, w, *, strides, dilations, pads):
    out = _conv_shape(x, w, strides=strides, dilations=dilations, pads=pads)
    c, m = w[-2], w[-1]
    return out[:-1] + (None if c is None or m is None else c * m,)


@primitive(
    "DepthwiseConv2dNative", shape=_depthwise_shape, dtype=rules.same_as_input, allowed=D.FLOATING
)
def _depthwise(x, w, *, strides, dilations, pads):
    xp = W.pad(x, pads)
    ksize = w.shape[:2]
    out = W.out_sizes(xp.shape[1:-1], ksize, strides, dilations)
    c, m = w.shape[2:]
    y = np.zeros((x.shape[0],) + out + (c, m), np.result_type(x, w))
    taps = w.reshape(-1, c, m)
    for i, key in enumerate(W.taps(ksize, strides, dilations, out)):
        y += xp[key][..., None] * taps[i]
    return y.reshape(y.shape[:-2] + (c * m,))


@_depthwise.grad
def _depthwise_grad(op, dy):
    x, w = op.inputs
    a = op.attrs
    return (
        _depthwise_backprop_input(w, dy, input_shape=x._value.shape, **a),
        _depthwise_backprop_filter(x, dy, filter_shape=w._value.shape, **a),
    )


@primitive(
    "DepthwiseConv2dNativeBackpropInput",
    shape=lambda w, dy, *, input_shape, **a: input_shape,
    dtype=rules.same_as_input,
    allowed=D.FLOATING,
)
def _depthwise_backprop_input(w, dy, *, input_shape, strides, dilations, pads):
    ksize = w.shape[:2]
    c, m = w.shape[2:]
    dy = dy.reshape(dy.shape[:-1] + (c, m))
    taps = w.reshape(-1, c, m)
    sizes = input_shape[1:-1]
    padded = (input_shape[0],) + tuple(n + a + b for n, (a, b) in zip(sizes, pads)) + (c,)
    dxp = np.zeros(padded, dy.dtype)
    for i, key in enumerate(W.taps(ksize, strides, dilations, dy.shape[1:3])):
        dxp[key] += np.einsum("nhwcm,cm->nhwc", dy, taps[i])
    return W.crop(dxp, pads, sizes)


@_depthwise_backprop_input.grad
def _depthwise_backprop_input_grad(op, g):
    w, dy = op.inputs
    a = {k: v for k, v in op.attrs.items() if k != "input_shape"}
    return (
        _depthwise_backprop_filter(g, dy, filter_shape=w._value.shape, **a),
        _depthwise(g, w, **a),
    )


@primitive(
    "DepthwiseConv2dNativeBackpropFilter",
    shape=lambda x, dy, *, filter_shape, **a: filter_shape,
    dtype=rules.same_as_input,
    allowed=D.FLOATING,
)
def _depthwise_backprop_filter(x, dy, *, filter_shape, strides, dilations, pads):
    xp = W.pad(x, pads)
    c, m = filter_shape[2:]
    dy = dy.reshape(dy.shape[:-1] + (c, m))
    keys = W.taps(filter_shape[:2], strides, dilations, dy.shape[1:3])
    dw = np.stack([np.einsum("nhwc,nhwcm->cm", xp[key], dy) for key in keys])
    return dw.reshape(filter_shape)


@_depthwise_backprop_filter.grad
def _depthwise_backprop_filter_grad(op, g):
    x, dy = op.inputs
    a = {k: v for k, v in op.attrs.items() if k != "filter_shape"}
    return (
        _depthwise_backprop_input(g, dy, input_shape=x._value.shape, **a),
        _depthwise(x, g, **a),
    )


def depthwise_conv2d(
    input,
    filter,
    strides,
    padding,
    data_format=None,  # noqa: A002
    dilations=None,
    name=None,
):
    """Depthwise 2-D convolution: every input channel is convolved with its own
    `channel_multiplier` filters; output channel `c * multiplier + m` comes from input
    channel `c` and filter `[:, :, c, m]`.

    Args:
      input: A 4-D `Tensor` ('NHWC' by default, or 'NCHW').
      filter: A `Tensor` of shape [kh, kw, in_channels, channel_multiplier].
      strides: A list of 4 ints, `[1, s, s, 1]` (equal row and column strides).
      padding: 'SAME', 'VALID' or explicit [before, after] pairs for all 4 dims.
      data_format: 'NHWC' (default) or 'NCHW'.
      dilations: A list of 2 ints, the dilation rate in height and width.
      name: Unused; kept for API compatibility.

    >>> tf.nn.depthwise_conv2d(tf.ones([1, 3, 3, 2]), tf.ones([2, 2, 2, 3]),
    ...                        [1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 6])
    """
    op = "DepthwiseConv2dNative"
    x, w = binary_args(input, filter, op)
    channels_first = _data_format(data_format)
    if isinstance(strides, (int, np.integer)):
        raise TypeError(
            f"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not {strides}."
        )
    strides = [int(s) for s in strides]
    if len(strides) not in (4, 5):
        raise _fail("Sliding window strides field must specify 4 or 5 dimensions", op)
    rate = [1, 1] if dilations is None else [int(d) for d in np.ravel(dilations)]
    if len(rate) == 1:
        rate = rate * 2
    if len(rate) != 2:
        raise ValueError(f"`dilations` must be a list of 2 ints. Received: dilations={dilations}")
    strides, dil, padding, explicit = _conv_attrs(
        x, w, strides, padding, [1] + rate + [1], channels_first, op
    )
    if strides[0] != strides[1]:
        raise _fail(
            "Current implementation only supports equal length strides in the row "
            "and column dimensions.",
            op,
        )
    if channels_first:
        x = _to_nhwc(x)
    if x._value.shape[-1] != w._value.shape[2]:
        raise _fail(
            f"input depth must be evenly divisible by filter depth: "
            f"{x._value.shape[-1]} vs {w._value.shape[2]}",
            op,
        )
    _, pads = W.geometry(
        x._value.shape[1:3], w._value.shape[:2], strides, dil, padding, explicit, op
    )
    y = _depthwise(x, w, strides=strides, dilations=dil, pads=pads)
    return _to_nchw(y) if channels_first else y


def convolution(
    input,
    filters,
    strides=None,
    padding="VALID",
    data_format=None,  # noqa: A002
    dilations=None,
    name=None,
):
    """N-D convolution dispatched on the rank of `input`: conv1d for rank 3, conv2d for 4.

    `strides` and `dilations` give one value per spatial dimension (or one for all);
    strides and dilations larger than 1 cannot be combined, as in TensorFlow.

    >>> tf.nn.convolution(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 2])).shape
    TensorShape([1, 2, 2, 2])
    """
    x = to_tensor(input)
    n = x._value.ndim - 2
    if n == 3:
        raise NotImplementedError("3-D convolution (tf.nn.conv3d) is not implemented in tapeflow.")
    if n not in (1, 2):
        raise ValueError(
            f"`input` must have rank 3 or 4 (1-D or 2-D convolution). Received: "
            f"input.shape={tuple(x._value.shape)}"
        )
    s = np.ravel(1 if strides is None else strides)
    d = np.ravel(1 if dilations is None else dilations)
    if (s > 1).any() and (d > 1).any():
        raise ValueError(
            f"`strides > 1` not supported in conjunction with `dilation_rate > "
            f"1`. Received: strides={np.broadcast_to(s, (n,))} and "
            f"dilation_rate={np.broadcast_to(d, (n,))}"
        )
    strides = 1 if strides is None else strides
    if n == 1:
        fmt = "NCW" if data_format in ("NCW", "NCHW") else "NWC"
        return conv1d(x, filters, strides, padding, data_format=fmt, dilations=dilations)
    fmt = "NCHW" if data_format == "NCHW" else "NHWC"
    return conv2d(x, filters, strides, padding, data_format=fmt, dilations=dilations)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with dilation `rate` in height and width and stride 1.

    >>> tf.nn.atrous_conv2d(tf.ones([1, 5, 5, 1]), tf.ones([2, 2, 1, 1]), 2, "VALID").shape
    TensorShape([1, 3, 3, 1])
    """
    return conv2d(value, filters, 1, padding, dilations=rate)

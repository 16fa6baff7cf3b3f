"""Array creation ops: zeros, ones, fill, *_like, eye, range, linspace, one_hot."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops._helpers import shape_arg, to_tensor

_TENSORISH = (Tensor, Variable)


def _dtype_np(dtype, default=np.float32):
    return default if dtype is None else dtypes.as_dtype(dtype)._np


def _dims(shape) -> str:
    """A shape as TensorFlow prints it in kernel messages: `[2,3]`."""
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def int_arg(value, attr, op, suffix="", empty_ok=True):
    """A shape/axis-like argument as a NumPy int array; a non-integer tensor is TF's attr
    error naming `attr` of `op`."""
    if isinstance(value, (list, tuple)) and any(d is None for d in value):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if isinstance(value, _TENSORISH):
        from tapeflow._src.autodiff.record import peek
        arr = np.asarray(peek(to_tensor(value)))
    elif empty_ok and isinstance(value, (list, tuple)) and not value:
        arr = np.zeros(0, np.int32)
    else:
        arr = np.asarray(to_tensor(value)._value) if not isinstance(value, np.ndarray) \
            else value
    if arr.dtype not in (np.int32, np.int64):
        raise InvalidArgumentError(
            None, None, f"Value for attr '{attr}' of "
            f"{dtypes.tf_name(dtypes.from_numpy(arr.dtype))} is not in the list of allowed "
            f"values: int32, int64\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}]{suffix}")
    return arr


def _checked_dims(shape, name_suffix=" name: "):
    if isinstance(shape, (list, tuple)) and any(d is None for d in shape):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    dims = shape_arg(shape)
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(
                None, None, f"Dimension {d} must be >= 0 [Op:Fill]{name_suffix}")
    return dims


def _full(dims, value, np_dtype):
    if np_dtype == object:  # strings: the empty string, not the integer 0
        out = np.empty(dims, dtype=object)
        out.fill(b"" if value == 0 else value)
        return out
    return np.full(dims, value, dtype=np_dtype)


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """Creates a tensor of the given shape filled with zeros.

    Args:
      shape: A list, tuple, `TensorShape` or 1-D integer tensor.
      dtype: The element type (float32 by default).
      name: Unused; kept for API compatibility.
      layout: Unused (DTensor layouts are not supported).

    Returns:
      A `Tensor` of zeros.

    >>> tf.zeros([2]).numpy()
    array([0., 0.], dtype=float32)
    """
    return _wrap(_full(_checked_dims(shape), 0, _dtype_np(dtype)))


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """Creates a tensor of the given shape filled with ones.

    >>> tf.ones([2], tf.int32).numpy()
    array([1, 1], dtype=int32)
    """
    if dtype is not None and dtypes.as_dtype(dtype) == dtypes.string:
        raise TypeError("Cannot convert 1 to EagerTensor of dtype string")
    return _wrap(_full(_checked_dims(shape), 1, _dtype_np(dtype)))


def _like_value(input):  # noqa: A002
    if isinstance(input, _TENSORISH):
        return input._value
    return to_tensor(input)._value


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Zeros with the shape of `input` and its dtype unless `dtype` is given.

    >>> tf.zeros_like(tf.Variable([1, 2])).numpy()
    array([0, 0], dtype=int32)
    """
    x = _like_value(input)
    return _wrap(_full(np.shape(x), 0, np.asarray(x).dtype if dtype is None
                       else _dtype_np(dtype)))


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Ones with the shape of `input` and its dtype unless `dtype` is given.

    >>> tf.ones_like([1.5]).numpy()
    array([1.], dtype=float32)
    """
    x = _like_value(input)
    return _wrap(_full(np.shape(x), 1, np.asarray(x).dtype if dtype is None
                       else _dtype_np(dtype)))


def fill(dims, value, name=None, layout=None):
    """A tensor of shape `dims` whose elements all equal the scalar `value`.

    The result has the dtype `value` converts to (int32 for 3, float32 for 3.5).

    >>> tf.fill([2], 7).numpy()
    array([7, 7], dtype=int32)
    """
    v = to_tensor(value)
    if not isinstance(dims, (list, tuple)) or dims:
        int_arg(dims, "index_type", "Fill")
    dims = _checked_dims(dims, "")
    if np.ndim(v._value) != 0 and np.shape(v._value) != (1,):  # TF's "legacy scalar"
        raise InvalidArgumentError(
            None, None, f"value must represent a scalar, got shape "
            f"{_dims(np.shape(v._value))} [Op:Fill]")
    from tapeflow._src.autodiff.record import derived

    def fill_(a):
        a = np.asarray(a).reshape(())
        return _full(dims, a[()], a.dtype)
    return derived(fill_, v)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrices of shape `batch_shape + [num_rows, num_columns]`.

    >>> tf.eye(2, 3).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    for n in (num_rows, num_columns):
        if n is not None and int(n) < 0:
            raise InvalidArgumentError(None, None, f"Dimension {int(n)} must be >= 0 "
                                       f"[Op:Fill] name: ")
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=_dtype_np(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(shape_arg(batch_shape)) + m.shape).copy()
    return _wrap(m)


# tf.range infers its dtype as the "largest" of its arguments' dtypes in this order.
_RANGE_ORDER = (np.dtype(np.int32), np.dtype(np.int64), np.dtype(np.float16),
                np.dtype(np.float32), np.dtype(np.float64))
_RANGE_ALLOWED = frozenset(np.dtype(t) for t in (
    np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint16,
    np.uint32, np.uint64))


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """Numbers from `start` up to (not including) `limit` in steps of `delta`.

    `tf.range(n)` counts 0..n-1. Without `dtype`, the result takes the widest dtype of the
    arguments (int32 < int64 < float16 < float32 < float64), so `tf.range(1, 5, 0.5)` is
    float32. With `dtype`, every argument is converted to it.

    Raises:
      InvalidArgumentError: `delta` is 0 or points away from `limit`.

    >>> tf.range(1, 5, 2).numpy()
    array([1, 3], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    from tapeflow._src.autodiff.record import peek
    for v in (start, limit, delta):
        if isinstance(v, _TENSORISH):  # the result's length depends on the values
            peek(to_tensor(v))
    if dtype is None:
        args = [to_tensor(v) for v in (start, limit, delta)]
        kinds = [np.asarray(a._value).dtype for a in args]
        dt = max(kinds, key=lambda d: _RANGE_ORDER.index(d) if d in _RANGE_ORDER else -1)
        args = [_wrap(np.asarray(a._value).astype(dt)) for a in args]
    else:
        dt = dtypes.as_dtype(dtype)._np
        args = [convert_to_tensor(v, dtype=dtype) if not isinstance(v, _TENSORISH)
                else _wrap(np.asarray(v._value).astype(dt)) for v in (start, limit, delta)]
    if dt in (np.int8, np.int16):
        from tapeflow._src.framework.errors import NotFoundError
        name_ = dtypes.as_dtype(dt).name.upper()
        raise NotFoundError(None, None, f"Could not find device for node: {{{{node Range}}}} = "
                            f"Range[Tidx=DT_{name_}]\nAll kernels registered for op Range: "
                            f"none for the CPU [Op:Range] name: ")
    if dt not in _RANGE_ALLOWED:
        raise InvalidArgumentError(
            None, None, f"Value for attr 'Tidx' of {dtypes.tf_name(dtypes.as_dtype(dt))} is "
            f"not in the list of allowed values: bfloat16, half, float, double, int8, int16, "
            f"int32, int64, uint16, uint32, uint64\n\t; NodeDef: {{{{node Range}}}} "
            f"[Op:Range] name: ")
    s, lim, d = (np.asarray(a._value)[()] for a in args)
    if d == 0:
        raise InvalidArgumentError(None, None, f"Requires delta != 0: {d:g} [Op:Range] name: ")
    if d > 0 and s > lim:
        raise InvalidArgumentError(None, None, f"Requires start <= limit when delta > 0: "
                                   f"{s:g}/{lim:g} [Op:Range] name: ")
    if d < 0 and s < lim:
        raise InvalidArgumentError(None, None, f"Requires start >= limit when delta < 0: "
                                   f"{s:g}/{lim:g} [Op:Range] name: ")
    if dt.kind in "iu":
        n = -((int(s) - int(lim)) // int(d))
        return _wrap((int(s) + int(d) * np.arange(n, dtype=np.int64)).astype(dt))
    n = int(np.ceil(abs((float(lim) - float(s)) / float(d))))
    return _wrap((s + d * np.arange(n, dtype=dt)).astype(dt))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors along a new `axis` (the last by default).

    The dtype comes from `dtype`, else from `on_value`/`off_value` (which must agree), else
    float32. Indices outside `[0, depth)` give rows of `off_value`.

    Raises:
      TypeError: `on_value` and `off_value` have different dtypes, or disagree with `dtype`.
      InvalidArgumentError: non-integer indices or an invalid `axis`.

    >>> tf.one_hot([0, 2], 3).numpy()
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    from tapeflow._src.autodiff.record import derived, peek
    idx_t = to_tensor(indices)
    idx = np.asarray(idx_t._value)
    if idx.dtype not in (np.uint8, np.int8, np.int32, np.int64):
        raise InvalidArgumentError(
            None, None, f"Value for attr 'TI' of {dtypes.tf_name(dtypes.from_numpy(idx.dtype))}"
            f" is not in the list of allowed values: uint8, int8, int32, int64\n\t; NodeDef: "
            f"{{{{node OneHot}}}} [Op:OneHot] name: ")
    on = off = None
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        for which, v in (("on_value", on_value), ("off_value", off_value)):
            if v is None:
                continue
            t = convert_to_tensor(v, dtype_hint=dtype)
            if t.dtype != dtype:
                raise TypeError(f"dtype {t.dtype} of {which} does not match dtype parameter "
                                f"{dtype}")
            if which == "on_value":
                on = t
            else:
                off = t
    else:
        if on_value is not None:
            on = to_tensor(on_value)
        if off_value is not None:
            off = to_tensor(off_value)
        if on is not None and off is not None and on.dtype != off.dtype:
            raise TypeError(f"dtype {on.dtype} of on_value does not match dtype "
                            f"{off.dtype} of off_value")
        dtype = on.dtype if on is not None else off.dtype if off is not None \
            else dtypes.float32
    dt = dtype._np
    on = np.asarray(1 if on is None else peek(on), dt)
    off = np.asarray(0 if off is None else peek(off), dt)
    depth = int(np.asarray(peek(convert_to_tensor(depth, dtype=dtypes.int32))))
    if depth < 0:
        raise InvalidArgumentError(None, None, f"depth must be non-negative, got: {depth} "
                                   f"[Op:OneHot]")
    r = idx.ndim
    ax = -1 if axis is None else int(axis)
    if not (ax == -1 or 0 <= ax <= r):
        raise InvalidArgumentError(
            None, None, f"Expected axis to be -1 or between [0, {r + 1}).  But received: "
            f"{ax} [Op:OneHot]")
    def one_hot_(i):
        out = np.where(np.asarray(i)[..., None] == np.arange(depth), on, off).astype(dt)
        if ax != -1 and ax != r:
            out = np.ascontiguousarray(np.moveaxis(out, -1, ax))
        return out
    return derived(one_hot_, idx_t)

"""Array ops: creation, shape manipulation, joining/splitting and indexing."""

from __future__ import annotations

import numbers

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import normalize_axis, shape_arg, to_tensor
from tapeflow._src.ops.registry import primitive

newaxis = None


def _dtype_np(dtype, default=np.float32):
    return default if dtype is None else dtypes.as_dtype(dtype)._np


# ---------------------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------------------

def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """A tensor of zeros of the given shape (float32 by default)."""
    return _wrap(np.zeros(shape_arg(shape), dtype=_dtype_np(dtype)))


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """A tensor of ones of the given shape (float32 by default)."""
    return _wrap(np.ones(shape_arg(shape), dtype=_dtype_np(dtype)))


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Zeros with the shape (and dtype, unless given) of `input`."""
    x = input._value if isinstance(input, (Tensor, Variable)) else to_tensor(input)._value
    return _wrap(np.zeros(x.shape, dtype=x.dtype if dtype is None else _dtype_np(dtype)))


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Ones with the shape (and dtype, unless given) of `input`."""
    x = input._value if isinstance(input, (Tensor, Variable)) else to_tensor(input)._value
    return _wrap(np.ones(x.shape, dtype=x.dtype if dtype is None else _dtype_np(dtype)))


def fill(dims, value, name=None, layout=None):
    """A tensor of shape `dims` filled with the scalar `value` (its dtype is kept)."""
    v = to_tensor(value)
    if v._value.ndim != 0:
        raise InvalidArgumentError(None, None, f"value must be a scalar, got a tensor of "
                                   f"shape {v.shape} [Op:Fill] name: ")
    return _wrap(np.full(shape_arg(dims), v._value, dtype=v._value.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrices, optionally batched."""
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=_dtype_np(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(shape_arg(batch_shape)) + m.shape).copy()
    return _wrap(m)


# ---------------------------------------------------------------------------------------
# Identity, shape queries
# ---------------------------------------------------------------------------------------

@primitive("Identity", shape=rules.same_shape, dtype=rules.same_as_input)
def _identity(x):
    return x


@_identity.grad
def _identity_grad(op, dy):
    return dy


def identity(input, name=None):  # noqa: A002
    """Returns a tensor with the same value (a variable's current value, read)."""
    return _identity(to_tensor(input))


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shape of `input` as a 1-D integer tensor."""
    x = input if isinstance(input, (Tensor, Variable)) else to_tensor(input)
    return _wrap(np.array(x._value.shape, dtype=dtypes.as_dtype(out_type)._np))


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    return [shape(x, out_type) for x in input]


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The number of elements of `input` as a scalar integer tensor."""
    x = input if isinstance(input, (Tensor, Variable)) else to_tensor(input)
    return _wrap(np.array(x._value.size, dtype=dtypes.as_dtype(out_type)._np))


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input` as a scalar int32 tensor."""
    x = input if isinstance(input, (Tensor, Variable)) else to_tensor(input)
    return _wrap(np.array(x._value.ndim, dtype=np.int32))


# ---------------------------------------------------------------------------------------
# Reshaping
# ---------------------------------------------------------------------------------------

def _reshape_shape(x_shape, shape):
    shp = rules_reshape(x_shape, shape)
    return shp


def rules_reshape(x, *, shape):
    return tuple(shape)


@primitive("Reshape", shape=rules_reshape, dtype=rules.same_as_input)
def _reshape(x, *, shape):
    n = x.size
    known = 1
    unknown = 0
    for d in shape:
        if d == -1:
            unknown += 1
        else:
            known *= d
    if unknown > 1:
        raise InvalidArgumentError(None, None, f"Only one input size may be -1, not both "
                                   f"{shape.index(-1)} and "
                                   f"{len(shape) - 1 - shape[::-1].index(-1)} [Op:Reshape]")
    if (unknown == 0 and known != n) or (unknown == 1 and (known == 0 or n % known)):
        if unknown:
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {n} values, but the requested "
                f"shape requires a multiple of {known} [Op:Reshape]")
        raise InvalidArgumentError(
            None, None, f"Input to reshape is a tensor with {n} values, but the requested "
            f"shape has {known} [Op:Reshape]")
    return np.reshape(x, shape)


@_reshape.grad
def _reshape_grad(op, dy):
    return reshape(dy, op.inputs[0]._value.shape)


def reshape(tensor, shape, name=None):
    """Gives `tensor` a new shape with the same elements (one dimension may be -1).

    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    x = to_tensor(tensor)
    shape = shape_arg(shape)
    if x._value.shape == shape:
        return x if type(tensor) is Tensor else _identity(x)
    return _reshape(x, shape=shape)


def expand_dims(input, axis, name=None):  # noqa: A002
    """Inserts a dimension of size 1 at `axis`."""
    x = to_tensor(input)
    r = x._value.ndim
    axis = int(np.asarray(axis))
    if not -r - 1 <= axis <= r:
        raise InvalidArgumentError(None, None, f"Tried to expand dim index {axis} for tensor "
                                   f"with {r} dimensions. [Op:ExpandDims] name: ")
    axis = axis % (r + 1)
    shp = x._value.shape[:axis] + (1,) + x._value.shape[axis:]
    return _reshape(x, shape=shp)


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`)."""
    x = to_tensor(input)
    shp = x._value.shape
    if axis is None:
        new = tuple(d for d in shp if d != 1)
    else:
        axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
        axes = [normalize_axis(a, len(shp), "Squeeze") for a in axes]
        for a in axes:
            if shp[a] != 1:
                raise InvalidArgumentError(
                    None, None, f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                    f"{shp[a]} [Op:Squeeze] name: ")
        new = tuple(d for i, d in enumerate(shp) if i not in axes)
    return _reshape(x, shape=new)


def _transpose_rule(x, *, perm):
    return tuple(x[p] for p in perm)


@primitive("Transpose", shape=_transpose_rule, dtype=rules.same_as_input)
def _transpose(x, *, perm):
    return np.transpose(x, perm)


@_transpose.grad
def _transpose_grad(op, dy):
    perm = op.attrs["perm"]
    return _transpose(dy, perm=tuple(np.argsort(perm)))


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes dimensions (reverses them when `perm` is None)."""
    x = to_tensor(a)
    r = x._value.ndim
    perm = tuple(range(r - 1, -1, -1)) if perm is None else tuple(int(p) for p in
                                                                  np.asarray(perm).reshape(-1))
    if sorted(perm) != list(range(r)):
        raise InvalidArgumentError(None, None, f"transpose expects a vector of size {r}. But "
                                   f"input(1) is a vector of size {len(perm)} "
                                   f"[Op:Transpose] name: ")
    out = _transpose(x, perm=perm)
    if conjugate:
        from tapeflow._src.ops.math_ops import conj
        out = conj(out)
    return out


# ---------------------------------------------------------------------------------------
# Broadcasting and selection
# ---------------------------------------------------------------------------------------

@primitive("BroadcastTo", dtype=rules.same_as_input)
def _broadcast_to(x, *, shape):
    return np.broadcast_to(x, shape).copy()


@_broadcast_to.grad
def _broadcast_to_grad(op, dy):
    return dy  # the engine sums dy back to the input's shape


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts `input` to `shape` with NumPy's rules."""
    x = to_tensor(input)
    shape = shape_arg(shape)
    try:
        np.broadcast_shapes(x._value.shape, shape)
    except ValueError:
        raise InvalidArgumentError(
            None, None, f"Unable to broadcast tensor of shape {list(x._value.shape)} to "
            f"tensor of shape {list(shape)} [Op:BroadcastTo] name: ") from None
    if x._value.shape == shape:
        return x
    return _broadcast_to(x, shape=shape)


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes (ValueError if incompatible)."""
    try:
        out = rules.broadcast(tuple(TensorShape(shape_x).as_list()),
                              tuple(TensorShape(shape_y).as_list()))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible if "
                         f"for each dimension pair they are either equal or one of them is 1. "
                         f"Received: {TensorShape(shape_x)} and {TensorShape(shape_y)}.") from None
    return TensorShape(list(out))


def broadcast_dynamic_shape(shape_x, shape_y):
    out = np.broadcast_shapes(tuple(np.asarray(shape_x).tolist()),
                              tuple(np.asarray(shape_y).tolist()))
    return _wrap(np.array(out, dtype=np.asarray(shape_x).dtype))


@primitive("SelectV2", shape=lambda c, x, y: rules.broadcast(c, x, y), differentiable=True)
def _select(cond, x, y):
    return np.where(cond, x, y)


@_select.grad
def _select_grad(op, dy):
    c, x, y = op.inputs
    z = zeros_like(dy)
    return None, _select(c, dy, z), _select(c, z, dy)


def where(condition, x=None, y=None, name=None):
    """Element-wise choice between x and y by `condition`; with one argument, the indices
    (int64, shape [n, rank]) of its true elements.
    """
    c = to_tensor(condition)
    if x is None and y is None:
        return _wrap(np.argwhere(c._value).astype(np.int64))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    if c._value.dtype != np.bool_:
        raise InvalidArgumentError(None, None, f"cannot compute SelectV2 as input #0"
                                   f"(zero-based) was expected to be a bool tensor but is a "
                                   f"{dtypes.tf_name(c.dtype)} tensor [Op:SelectV2] name: ")
    from tapeflow._src.ops._helpers import binary_args
    x, y = binary_args(x, y, "SelectV2")
    try:
        np.broadcast_shapes(c._value.shape, x._value.shape, y._value.shape)
    except ValueError:
        raise InvalidArgumentError(None, None, f"condition [{list(c._value.shape)}], then "
                                   f"[{list(x._value.shape)}], and else "
                                   f"[{list(y._value.shape)}] must be broadcastable "
                                   f"[Op:SelectV2] name: ") from None
    return _select(c, x, y)


# ---------------------------------------------------------------------------------------
# Joining and splitting
# ---------------------------------------------------------------------------------------

@primitive("ConcatV2", dtype=rules.same_as_input)
def _concat(*xs, axis):
    return np.concatenate(xs, axis=axis)


@_concat.grad
def _concat_grad(op, dy):
    axis = op.attrs["axis"]
    sizes = [x._value.shape[axis] for x in op.inputs]
    return tuple(split(dy, sizes, axis=axis))


def concat(values, axis, name="concat"):
    """Joins tensors along an existing `axis`."""
    xs = [to_tensor(v) for v in values]
    if not xs:
        raise ValueError("List argument 'values' to 'ConcatV2' Op with length 0 shorter than "
                         "minimum length 1.")
    dt = xs[0]._value.dtype
    for i, x in enumerate(xs[1:], 1):
        if x._value.dtype != dt:
            from tapeflow._src.ops._helpers import dtype_mismatch
            raise dtype_mismatch("ConcatV2", xs[0].dtype, x.dtype, index=i)
    r = xs[0]._value.ndim
    if r == 0:
        raise InvalidArgumentError(None, None, "Can't concatenate scalars (use tf.stack "
                                   "instead) [Op:ConcatV2] name: concat")
    axis = normalize_axis(axis, r, "ConcatV2")
    for i, x in enumerate(xs[1:], 1):
        s0, s1 = xs[0]._value.shape, x._value.shape
        if len(s1) != r or any(a != b for j, (a, b) in enumerate(zip(s0, s1)) if j != axis):
            raise InvalidArgumentError(
                None, None, f"ConcatOp : Dimension {axis if len(s1) != r else next(j for j, (a, b) in enumerate(zip(s0, s1)) if j != axis and a != b)} "
                f"in both shapes must be equal: shape[0] = {list(s0)} vs. shape[{i}] = "
                f"{list(s1)} [Op:ConcatV2] name: concat")
    if len(xs) == 1:
        return identity(xs[0])
    return _concat(*xs, axis=axis)


@primitive("Pack", dtype=rules.same_as_input)
def _stack(*xs, axis):
    return np.stack(xs, axis=axis)


@_stack.grad
def _stack_grad(op, dy):
    return tuple(unstack(dy, axis=op.attrs["axis"]))


def stack(values, axis=0, name="stack"):
    """Stacks tensors of one shape along a new `axis`.

    >>> tf.stack([[1, 2], [3, 4]], axis=1).numpy().tolist()
    [[1, 3], [2, 4]]
    """
    xs = [to_tensor(v) for v in values]
    if not xs:
        raise ValueError("List argument 'values' to 'Pack' Op with length 0 shorter than "
                         "minimum length 1.")
    dt = xs[0]._value.dtype
    s0 = xs[0]._value.shape
    for i, x in enumerate(xs[1:], 1):
        if x._value.dtype != dt:
            from tapeflow._src.ops._helpers import dtype_mismatch
            raise dtype_mismatch("Pack", xs[0].dtype, x.dtype, index=i)
        if x._value.shape != s0:
            raise InvalidArgumentError(
                None, None, f"Shapes of all inputs must match: values[0].shape = {list(s0)} "
                f"!= values[{i}].shape = {list(x._value.shape)} [Op:Pack] name: {name}")
    r = len(s0) + 1
    if not -r <= axis < r:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    return _stack(*xs, axis=axis % r)


@primitive("Unpack", dtype=rules.same_as_input, multi_output=True)
def _unstack(x, *, axis):
    return tuple(np.take(x, i, axis=axis) for i in range(x.shape[axis]))


@_unstack.grad
def _unstack_grad(op, *dys):
    return _stack(*dys, axis=op.attrs["axis"])


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list of tensors along `axis` (removing it)."""
    x = to_tensor(value)
    r = x._value.ndim
    if r == 0:
        raise ValueError("Cannot unstack a scalar tensor.")
    axis = normalize_axis(axis, r, "Unpack")
    if num is not None and num != x._value.shape[axis]:
        raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    if x._value.shape[axis] == 0:
        return []
    return list(_unstack(x, axis=axis))


@primitive("SplitV", dtype=rules.same_as_input, multi_output=True)
def _split(x, *, sizes, axis):
    idx = np.cumsum(sizes)[:-1]
    return tuple(np.split(x, idx, axis=axis))


@_split.grad
def _split_grad(op, *dys):
    return _concat(*dys, axis=op.attrs["axis"])


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits into `n` equal parts, or parts of the given sizes (one may be -1)."""
    x = to_tensor(value)
    axis = normalize_axis(axis, x._value.ndim, "SplitV")
    dim = x._value.shape[axis]
    if isinstance(num_or_size_splits, (numbers.Integral, np.integer)) or (
            isinstance(num_or_size_splits, (Tensor, Variable))
            and np.ndim(num_or_size_splits) == 0):
        n = int(num_or_size_splits)
        if n <= 0 or dim % n:
            raise InvalidArgumentError(
                None, None, f"Number of ways to split should evenly divide the split "
                f"dimension, but got split_dim {axis} (size = {dim}) and num_split {n} "
                f"[Op:Split] name: split")
        sizes = (dim // n,) * n
    else:
        sizes = [int(s) for s in np.asarray(num_or_size_splits).reshape(-1)]
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
        if sum(sizes) != dim or any(s < 0 for s in sizes):
            raise InvalidArgumentError(
                None, None, f"Determined shape must either match input shape along split_dim "
                f"exactly if fully specified, or be less than the size of the input along "
                f"split_dim if not fully specified.  Got: {sum(sizes)} [Op:SplitV] name: split")
        sizes = tuple(sizes)
    return list(_split(x, sizes=sizes, axis=axis))


# ---------------------------------------------------------------------------------------
# Indexing: tensor[...] (TensorFlow's StridedSlice)
# ---------------------------------------------------------------------------------------

def _index_error(key):
    return TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        f"tf.int32/tf.int64 tensors are valid indices, got {key!r}")


def _canonical_key(key, shape):
    """Validates a __getitem__ key and turns it into a hashable tuple of plain Python items."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, slice):
            out.append(("s", _slice_part(k.start), _slice_part(k.stop), _slice_part(k.step)))
        elif isinstance(k, (bool, np.bool_)):
            raise _index_error(k)
        elif isinstance(k, (numbers.Integral, np.integer)):
            out.append(int(k))
        elif isinstance(k, (Tensor, Variable)):
            v = k._value
            if v.ndim != 0 or v.dtype.kind not in "iu":
                raise _index_error(k)
            out.append(int(v))
        elif isinstance(k, (list, tuple, np.ndarray)):
            raise InvalidArgumentError(
                None, None, f"Index out of range using input dim {len(shape)}; input has only "
                f"{len(shape)} dims [Op:StridedSlice] name: strided_slice/")
        else:
            raise _index_error(k)
    if out.count(Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    return tuple(out)


def _slice_part(v):
    if v is None:
        return None
    if isinstance(v, (Tensor, Variable)):
        return int(v._value)
    return int(v)


def _np_key(key, shape):
    """The NumPy index for a canonical key, checking integer indices against `shape`."""
    np_key = []
    dim = 0
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    for k in key:
        if k is None:
            np_key.append(None)
        elif k is Ellipsis:
            np_key.append(Ellipsis)
            dim += len(shape) - n_real
        elif isinstance(k, tuple):
            np_key.append(slice(k[1], k[2], k[3]))
            if k[3] == 0:
                raise InvalidArgumentError(None, None, "slice stride cannot be zero "
                                           "[Op:StridedSlice] name: strided_slice/")
            dim += 1
        else:
            if dim >= len(shape):
                raise InvalidArgumentError(
                    None, None, f"Index out of range using input dim {dim}; input has only "
                    f"{len(shape)} dims [Op:StridedSlice] name: strided_slice/")
            if not -shape[dim] <= k < shape[dim]:
                raise InvalidArgumentError(
                    None, None, f"slice index {k} of dimension {dim} out of bounds. "
                    f"[Op:StridedSlice] name: strided_slice/")
            np_key.append(k)
            dim += 1
    if dim > len(shape):
        raise InvalidArgumentError(
            None, None, f"Index out of range using input dim {len(shape)}; input has only "
            f"{len(shape)} dims [Op:StridedSlice] name: strided_slice/")
    return tuple(np_key)


@primitive("StridedSlice", dtype=rules.same_as_input)
def _strided_slice(x, *, key):
    out = x[_np_key(key, x.shape)]
    return out.copy() if isinstance(out, np.ndarray) else np.asarray(out)


@_strided_slice.grad
def _strided_slice_grad(op, dy):
    x, = op.inputs
    return _strided_slice_grad_prim(dy, key=op.attrs["key"], shape=x._value.shape)


@primitive("StridedSliceGrad", dtype=rules.same_as_input)
def _strided_slice_grad_prim(dy, *, key, shape):
    out = np.zeros(shape, dtype=dy.dtype)
    out[_np_key(key, shape)] = dy
    return out


@_strided_slice_grad_prim.grad
def _strided_slice_grad_grad(op, ddx):
    return _strided_slice(ddx, key=op.attrs["key"])


def getitem(tensor, key):
    """`tensor[key]` with TensorFlow's rules: ints, slices, `...`, `tf.newaxis`, scalar
    integer tensors; out-of-range integers raise InvalidArgumentError."""
    x = to_tensor(tensor)
    return _strided_slice(x, key=_canonical_key(key, x._value.shape))


# ---------------------------------------------------------------------------------------
# Encodings and sequences
# ---------------------------------------------------------------------------------------

def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors along a new `axis` (default last); out-of-range indices give all-off.

    >>> tf.one_hot([0, 2], 3).numpy()
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    idx = to_tensor(indices)._value
    if idx.dtype.kind not in "iu":
        raise InvalidArgumentError(None, None, f"indices must be an integer tensor, got "
                                   f"{dtypes.from_numpy(idx.dtype).name} [Op:OneHot] name: ")
    if dtype is None:
        for v in (on_value, off_value):
            if v is not None:
                dtype = to_tensor(v).dtype
                break
        else:
            dtype = dtypes.float32
    dt = dtypes.as_dtype(dtype)._np
    on = np.asarray(1 if on_value is None else to_tensor(on_value, dtype=dtype)._value, dt)
    off = np.asarray(0 if off_value is None else to_tensor(off_value, dtype=dtype)._value, dt)
    depth = int(depth)
    hot = idx[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(dt)
    if axis is not None and axis != -1:
        out = np.moveaxis(out, -1, axis)
    return _wrap(np.ascontiguousarray(out))


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """Numbers from `start` to `limit` (exclusive) by `delta`; `tf.range(n)` is 0..n-1.

    The dtype is inferred from the arguments like tf.constant (int32 for Python ints,
    float32 for Python floats) unless given.
    """
    if limit is None:
        start, limit = 0, start
    args = [to_tensor(v) for v in (start, limit, delta)]
    if dtype is None:
        order = [np.int32, np.int64, np.float32, np.float64]
        kinds = [a._value.dtype for a in args]
        dt = max(kinds, key=lambda d: order.index(d.type) if d.type in order else 0)
    else:
        dt = dtypes.as_dtype(dtype)._np
    s, lim, d = (np.asarray(a._value).astype(np.float64) for a in args)
    if d == 0:
        raise InvalidArgumentError(None, None, "Requires delta != 0: 0 [Op:Range] name: ")
    if (d > 0 and s > lim) or (d < 0 and s < lim):
        raise InvalidArgumentError(
            None, None, f"Requires start <= limit when delta > 0: {s:g}/{lim:g} "
            f"[Op:Range] name: " if d > 0 else
            f"Requires start >= limit when delta < 0: {s:g}/{lim:g} [Op:Range] name: ")
    if np.dtype(dt).kind in "iu":
        return _wrap(np.arange(int(s), int(lim), int(d), dtype=dt))
    n = int(np.ceil((lim - s) / d))
    return _wrap((s + d * np.arange(n)).astype(dt))

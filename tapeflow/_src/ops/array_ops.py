"""Array ops: identity and shape queries, reshaping, broadcasting, selection (`where`),
joining/splitting, tile, pad and reverse.

Creation ops live in array_creation.py, tile/pad/reverse/linspace/meshgrid in
array_manip.py, slicing (`tensor[...]`, `tf.slice`,
`tf.strided_slice`) in array_slicing.py, gather/scatter/boolean_mask in gather_ops.py and
sort/argsort/unique in sort_ops.py; this module re-exports them all so `array_ops.<name>`
keeps working for the rest of the code base.
"""

from __future__ import annotations

import numbers

import numpy as np

from tapeflow._src.autodiff.record import derived

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import dtype_mismatch, shape_arg, to_tensor
from tapeflow._src.ops.array_creation import (  # noqa: F401 - re-exported
    _dims,
    int_arg,
    eye,
    fill,
    one_hot,
    ones,
    ones_like,
    range_,
    zeros,
    zeros_like,
)
from tapeflow._src.ops.registry import primitive

newaxis = None
_TENSORISH = (Tensor, Variable)

# Names that moved to sibling modules, resolved lazily (those modules import this one).
_MOVED = {
    "getitem": "array_slicing", "slice": "array_slicing", "strided_slice": "array_slicing",
    "gather": "gather_ops", "gather_nd": "gather_ops", "scatter_nd": "gather_ops",
    "tensor_scatter_nd_update": "gather_ops", "tensor_scatter_nd_add": "gather_ops",
    "tensor_scatter_nd_sub": "gather_ops", "boolean_mask": "gather_ops",
    "sort": "sort_ops", "argsort": "sort_ops", "unique": "sort_ops",
    "tile": "array_manip", "pad": "array_manip", "reverse": "array_manip",
    "linspace": "array_manip", "meshgrid": "array_manip",
}


def __getattr__(name):
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"tapeflow._src.ops.{module}"), name)
    globals()[name] = value  # later lookups (e.g. operators' hot `[]` path) skip this hook
    return value


def _as_int_list(v):
    return [int(d) for d in np.asarray(v._value if isinstance(v, _TENSORISH) else v).reshape(-1)]


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
    """Returns a tensor with the same value (reading a variable's current value).

    >>> tf.identity([1, 2]).numpy()
    array([1, 2], dtype=int32)
    """
    return _identity(to_tensor(input))


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shape of `input` as a 1-D integer tensor (int32 unless `out_type`).

    >>> tf.shape([[1, 2]]).numpy()
    array([1, 2], dtype=int32)
    """
    dt = dtypes.as_dtype(out_type)._np
    # Through `derived`: a tf.function traced for None dims recomputes it on replay.
    return derived(lambda a: np.array(np.shape(a), dtype=dt), to_tensor(input))


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shapes of a list of tensors."""
    return [shape(x, out_type) for x in input]


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The number of elements of `input` as a scalar integer tensor.

    >>> int(tf.size([[1, 2, 3]]))
    3
    """
    dt = dtypes.as_dtype(out_type)._np
    return derived(lambda a: np.array(np.size(a), dtype=dt), to_tensor(input))


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input` as a scalar int32 tensor.

    >>> int(tf.rank([[1, 2]]))
    2
    """
    x = input if isinstance(input, _TENSORISH) else to_tensor(input)
    return _wrap(np.array(np.ndim(x._value), dtype=np.int32))


# ---------------------------------------------------------------------------------------
# Reshaping
# ---------------------------------------------------------------------------------------

def _reshape_rule(x, *, shape):
    return tuple(shape)


@primitive("Reshape", shape=_reshape_rule, dtype=rules.same_as_input)
def _reshape(x, *, shape):
    return x.reshape(shape)  # the method: np.reshape's wrapper costs 5x the call itself


@_reshape.grad
def _reshape_grad(op, dy):
    return _reshape(dy, shape=np.shape(op.inputs[0]._value))


def _resolve_shape(n, shape):
    """`shape` with its -1 filled in for `n` elements, or TF's InvalidArgumentError."""
    known = 1
    unknown = -1
    for i, d in enumerate(shape):
        if d == -1:
            if unknown >= 0:
                raise InvalidArgumentError(None, None, f"Only one input size may be -1, not "
                                           f"both {unknown} and {i} [Op:Reshape]")
            unknown = i
        elif d < 0:
            raise InvalidArgumentError(None, None, f"Size {i} must be non-negative, not {d} "
                                       f"[Op:Reshape]")
        else:
            known *= d
    if unknown < 0:
        if known != n:
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {n} values, but the requested "
                f"shape has {known} [Op:Reshape]")
        return shape
    if known == 0:
        if n != 0:
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {n} values, but the requested "
                f"shape has 0 [Op:Reshape]")
        missing = 1  # TensorFlow's choice for an empty tensor reshaped to [0, -1]
    elif n % known:
        raise InvalidArgumentError(
            None, None, f"Input to reshape is a tensor with {n} values, but the requested "
            f"shape requires a multiple of {known} [Op:Reshape]")
    else:
        missing = n // known
    return shape[:unknown] + (missing,) + shape[unknown + 1:]


def reshape(tensor, shape, name=None):
    """Gives `tensor` a new shape with the same elements (one dimension may be -1).

    Raises:
      InvalidArgumentError: the element counts differ, or more than one -1.

    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    x = tensor if type(tensor) is Tensor else to_tensor(tensor)
    shape = shape_arg(shape)
    v = x._value
    old = np.shape(v)
    if old == shape:
        return x if type(tensor) is Tensor else _identity(x)
    return _reshape(x, shape=_resolve_shape(np.size(v), shape))


def expand_dims(input, axis, name=None):  # noqa: A002
    """Inserts a dimension of size 1 at `axis` (negative counts from the end).

    >>> tf.expand_dims([1, 2], 0).shape
    TensorShape([1, 2])
    """
    x = to_tensor(input)
    r = np.ndim(x._value)
    a = int_arg(axis, "Tdim", "ExpandDims")
    if a.size != 1:
        raise InvalidArgumentError(None, None, "'dim' must be a tensor with a single value "
                                   "[Op:ExpandDims]")
    axis = int(a.reshape(-1)[0])
    if not -r - 1 <= axis <= r:
        raise InvalidArgumentError(None, None, f"Tried to expand dim index {axis} for tensor "
                                   f"with {r} dimensions. [Op:ExpandDims]")
    axis = axis % (r + 1)
    shp = np.shape(x._value)
    return _reshape(x, shape=shp[:axis] + (1,) + shp[axis:])


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1: all of them, or only those listed in `axis`.

    Raises:
      InvalidArgumentError: an axis is out of range or its size is not 1.

    >>> tf.squeeze(tf.zeros([1, 2, 1])).shape
    TensorShape([2])
    """
    x = to_tensor(input)
    shp = np.shape(x._value)
    r = len(shp)
    if isinstance(axis, _TENSORISH):
        raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis!r}.")
    if axis is None or (isinstance(axis, (list, tuple)) and not axis):
        new = tuple(d for d in shp if d != 1)
    else:
        axes = _as_int_list(axis) if not isinstance(axis, numbers.Integral) else [int(axis)]
        norm = set()
        for a in axes:
            if not -r <= a < r:
                raise InvalidArgumentError(None, None, f"Tried to squeeze dim index {a} for "
                                           f"tensor with {r} dimensions. [Op:Squeeze] name: ")
            a %= r
            if shp[a] != 1:
                raise InvalidArgumentError(
                    None, None, f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                    f"{shp[a]} [Op:Squeeze] name: ")
            norm.add(a)
        new = tuple(d for i, d in enumerate(shp) if i not in norm)
    return _reshape(x, shape=new)


def _transpose_rule(x, *, perm):
    return tuple(x[p] for p in perm)


@primitive("Transpose", shape=_transpose_rule, dtype=rules.same_as_input)
def _transpose(x, *, perm):
    return np.transpose(x, perm)


@_transpose.grad
def _transpose_grad(op, dy):
    return _transpose(dy, perm=tuple(int(i) for i in np.argsort(op.attrs["perm"])))


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes the dimensions of `a` by `perm` (reverses them when `perm` is None).

    Raises:
      InvalidArgumentError: `perm` is not a permutation of `range(rank)`.

    >>> tf.transpose(tf.zeros([2, 3])).shape
    TensorShape([3, 2])
    """
    x = to_tensor(a)
    r = np.ndim(x._value)
    if perm is None:
        perm = tuple(range(r - 1, -1, -1))
    else:
        perm = _as_int_list(perm)
        if len(perm) != r:
            raise InvalidArgumentError(None, None, f"transpose expects a vector of size {r}. "
                                       f"But input(1) is a vector of size {len(perm)} "
                                       f"[Op:Transpose]")
        for p in perm:
            if not -r <= p < r:
                raise InvalidArgumentError(None, None, f"{p} is out of range [0 .. {r}) "
                                           f"[Op:Transpose]")
        perm = tuple(p % r for p in perm)
        for i in range(r):
            if i not in perm:
                raise InvalidArgumentError(
                    None, None, f"{i} is missing from {{{','.join(map(str, perm))}}}. "
                    f"[Op:Transpose]")
    out = _transpose(x, perm=perm)
    if conjugate and x.dtype.is_complex:
        from tapeflow._src.ops.math_ops import conj
        out = conj(out)
    return out


# ---------------------------------------------------------------------------------------
# Broadcasting and selection
# ---------------------------------------------------------------------------------------

def _broadcast_to_rule(x, *, shape):
    return tuple(shape)


@primitive("BroadcastTo", shape=_broadcast_to_rule, dtype=rules.same_as_input)
def _broadcast_to(x, *, shape):
    # A read-only view (stride 0 on broadcast axes), not a copy: tensors are immutable, and
    # gradients of reductions broadcast dy this way on every backward pass.
    return np.broadcast_to(x, shape)


@_broadcast_to.grad
def _broadcast_to_grad(op, dy):
    return dy  # the engine sums dy back to the input's shape


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts `input` to `shape` with NumPy's rules.

    >>> tf.broadcast_to([1, 2], [2, 2]).numpy().tolist()
    [[1, 2], [1, 2]]
    """
    x = to_tensor(input)
    shape = shape_arg(shape)
    xs = np.shape(x._value)
    if len(xs) > len(shape):
        raise InvalidArgumentError(
            None, None, f"Rank of input ({len(xs)}) must be no greater than rank of output "
            f"shape ({len(shape)}). [Op:BroadcastTo]")
    for a, b in zip(xs[::-1], shape[::-1]):
        if a != b and a != 1:
            raise InvalidArgumentError(None, None, f"Incompatible shapes: {_dims(xs)} vs. "
                                       f"{_dims(shape)} [Op:BroadcastTo]")
    if xs == shape:
        return _identity(x)
    return _broadcast_to(x, shape=shape)


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two `TensorShape`s (unknown dims stay unknown).

    Raises:
      ValueError: the shapes are incompatible.

    >>> tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([3]))
    TensorShape([2, 3])
    """
    sx, sy = TensorShape(shape_x), TensorShape(shape_y)
    if sx.rank is None or sy.rank is None:
        return TensorShape(None)
    try:
        out = rules.broadcast(tuple(sx.as_list()), tuple(sy.as_list()))
    except ValueError:
        raise ValueError(
            "Incompatible shapes for broadcasting. Two shapes are compatible if for each "
            "dimension pair they are either equal or one of them is 1. Received: "
            f"{tuple(sx.as_list())} and {tuple(sy.as_list())}.") from None
    return TensorShape(list(out))


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes given as 1-D integer tensors."""
    x, y = _as_int_list(shape_x), _as_int_list(shape_y)
    try:
        out = np.broadcast_shapes(tuple(x), tuple(y))
    except ValueError:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {_dims(x)} vs. "
                                   f"{_dims(y)} [Op:BroadcastArgs]") from None
    dt = to_tensor(shape_x)._value.dtype
    return _wrap(np.array(out, dtype=dt))


def _select_rule(c, x, y):
    return rules.broadcast(c, x, y)


def _select_dtype(c, x, y):
    return x


@primitive("SelectV2", shape=_select_rule, dtype=_select_dtype)
def _select(cond, x, y):
    return np.where(cond, x, y)


@_select.grad
def _select_grad(op, dy):
    c, x, y = op.inputs
    z = zeros_like(dy)
    return None, _select(c, dy, z), _select(c, z, dy)


@primitive("Where", differentiable=False)
def _where_indices(c):
    return np.argwhere(c).astype(np.int64)


def where(condition, x=None, y=None, name=None):
    """Picks elements of `x` where `condition` is true and of `y` elsewhere (broadcasting
    all three); with only `condition`, returns the int64 coordinates of its true (non-zero)
    elements, shape `[n, rank]`.

    Raises:
      ValueError: only one of `x` and `y` is given.
      InvalidArgumentError: the shapes do not broadcast.

    >>> tf.where([True, False], [1, 2], [3, 4]).numpy()
    array([1, 4], dtype=int32)
    """
    if x is None and y is None:
        c = to_tensor(condition)
        if np.ndim(c._value) == 0:
            raise InvalidArgumentError(None, None, "WhereOp : Unhandled input dimensions: 0 "
                                       "[Op:Where] name: ")
        if c.dtype == dtypes.string:
            raise InvalidArgumentError(
                None, None, "Value for attr 'T' of string is not in the list of allowed "
                "values: float, double, int32, uint8, int16, int8, complex64, int64, qint8, "
                "quint8, qint32, bfloat16, qint16, quint16, uint16, complex128, half, uint32, "
                "uint64, bool\n\t; NodeDef: {{node Where}} [Op:Where] name: ")
        return _where_indices(c)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    c = convert_to_tensor(condition, dtype=dtypes.bool_)
    if isinstance(x, _TENSORISH) or not isinstance(y, _TENSORISH):
        x = to_tensor(x)
        if not isinstance(y, _TENSORISH):
            y = convert_to_tensor(y, dtype=x.dtype)
    else:
        y = to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype)
    x, y = to_tensor(x), to_tensor(y)
    if x._value.dtype != y._value.dtype:
        raise dtype_mismatch("SelectV2", x.dtype, y.dtype, index=2)
    cs, xs, ys = np.shape(c._value), np.shape(x._value), np.shape(y._value)
    try:
        np.broadcast_shapes(cs, xs, ys)
    except ValueError:
        raise InvalidArgumentError(None, None, f"condition {_dims(cs)}, then {_dims(xs)}, and "
                                   f"else {_dims(ys)} must be broadcastable [Op:SelectV2]"
                                   ) from None
    return _select(c, x, y)


# ---------------------------------------------------------------------------------------
# Joining and splitting
# ---------------------------------------------------------------------------------------

def _convert_list(values, op_name, suffix):
    """Converts a list of values as TF's list-input ops do: the first tensor in the list (or
    the first value) fixes the dtype; plain values are converted to it."""
    values = list(values)
    first = next((v for v in values if isinstance(v, _TENSORISH)), None)
    dt = to_tensor(first).dtype if first is not None else to_tensor(values[0]).dtype \
        if values else None
    out = []
    for i, v in enumerate(values):
        t = to_tensor(v) if isinstance(v, _TENSORISH) else convert_to_tensor(v, dtype=dt)
        if t.dtype != dt:
            e = dtype_mismatch(op_name, dt, t.dtype, index=i)
            raise InvalidArgumentError(None, None, e.message + suffix)
        out.append(t)
    return out


def _concat_rule(*shapes, axis):
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes) if all(s[axis] is not None for s in shapes) \
        else None
    return tuple(out)


@primitive("ConcatV2", shape=_concat_rule, dtype=rules.same_as_input)
def _concat(*xs, axis):
    return np.concatenate(xs, axis=axis)


@_concat.grad
def _concat_grad(op, dy):
    axis = op.attrs["axis"]
    sizes = tuple(np.shape(x._value)[axis] for x in op.inputs)
    return tuple(_split(dy, sizes=sizes, axis=axis))


def concat(values, axis, name="concat"):
    """Joins tensors along an existing `axis`; all other dimensions must match.

    Raises:
      InvalidArgumentError: ranks or dimensions differ, scalars, or `axis` out of range.

    >>> tf.concat([[1, 2], [3]], 0).numpy()
    array([1, 2, 3], dtype=int32)
    """
    if isinstance(values, _TENSORISH):
        values = [values]
    if not values:
        raise InvalidArgumentError(None, None, "ConcatV2 needs at least one input tensor, got "
                                   "an empty list [Op:ConcatV2] name: concat")
    xs = _convert_list(values, "ConcatV2", "concat")
    if len(xs) == 1:
        return identity(xs[0])
    s0 = np.shape(xs[0]._value)
    r = len(s0)
    if r == 0:
        raise InvalidArgumentError(None, None, "ConcatOp : Can't concatenate scalars (use "
                                   "tf.stack instead) [Op:ConcatV2] name: concat")
    axis = int(np.asarray(axis._value if isinstance(axis, _TENSORISH) else axis))
    if not -r <= axis < r:
        raise InvalidArgumentError(None, None, f"ConcatOp : Expected concatenating dimensions "
                                   f"in the range [{-r}, {r}), but got {axis} [Op:ConcatV2]")
    axis %= r
    for i, x in enumerate(xs[1:], 1):
        s1 = np.shape(x._value)
        if len(s1) != r:
            raise InvalidArgumentError(
                None, None, f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                f"{_dims(s0)} vs. shape[{i}] = {_dims(s1)} [Op:ConcatV2]")
        for j in range(r):
            if j != axis and s0[j] != s1[j]:
                raise InvalidArgumentError(
                    None, None, f"ConcatOp : Dimension {j} in both shapes must be equal: "
                    f"shape[0] = {_dims(s0)} vs. shape[{i}] = {_dims(s1)} [Op:ConcatV2]")
    return _concat(*xs, axis=axis)


def _stack_rule(*shapes, axis):
    return tuple(shapes[0][:axis]) + (len(shapes),) + tuple(shapes[0][axis:])


@primitive("Pack", shape=_stack_rule, dtype=rules.same_as_input)
def _stack(*xs, axis):
    return np.stack(xs, axis=axis)


@_stack.grad
def _stack_grad(op, dy):
    return tuple(_unstack(dy, axis=op.attrs["axis"]))


def stack(values, axis=0, name="stack"):
    """Stacks same-shaped tensors along a new `axis`.

    Raises:
      ValueError: `axis` is out of range.
      InvalidArgumentError: the shapes or dtypes differ.

    >>> tf.stack([[1, 2], [3, 4]], axis=1).numpy().tolist()
    [[1, 3], [2, 4]]
    """
    values = list(values)
    if axis == 0 and not any(isinstance(v, _TENSORISH) for v in values):
        # A list of plain values is one constant, as in TF (so [1, 2.5] is float32).
        try:
            return convert_to_tensor(values)
        except (TypeError, ValueError):
            pass  # ragged: Pack reports it
    plain = not any(isinstance(v, _TENSORISH) for v in values)
    xs = _convert_list(values, "Pack", name)
    axis = int(axis)
    s0 = np.shape(xs[0]._value)
    r = len(s0) + 1
    if not -r <= axis < r:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    for i, x in enumerate(xs[1:], 1):
        if np.shape(x._value) != s0:
            raise InvalidArgumentError(
                None, None, f"Shapes of all inputs must match: values[0].shape = {_dims(s0)} "
                f"!= values[{i}].shape = {_dims(np.shape(x._value))} [Op:Pack]"
                f"{'' if plain else ' name: ' + name}")
    return _stack(*xs, axis=axis % r)


def _unstack_rule(x, *, axis):
    return tuple(x[:axis]) + tuple(x[axis + 1:])


@primitive("Unpack", shape=_unstack_rule, dtype=rules.same_as_input, multi_output=True)
def _unstack(x, *, axis):
    return tuple(np.take(x, i, axis=axis) for i in range(x.shape[axis]))


@_unstack.grad
def _unstack_grad(op, *dys):
    return _stack(*dys, axis=op.attrs["axis"])


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor along `axis` into a list of tensors with that axis removed.

    Raises:
      ValueError: `axis` is out of range.
      InvalidArgumentError: `num` differs from the size of `axis`.

    >>> [t.numpy().tolist() for t in tf.unstack([[1, 2], [3, 4]])]
    [[1, 2], [3, 4]]
    """
    x = to_tensor(value)
    shp = np.shape(x._value)
    r = len(shp)
    axis = int(axis)
    if not -r <= axis < r:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    axis %= r
    if num is not None and num != shp[axis]:
        raise InvalidArgumentError(None, None, f"Input shape axis {axis} must equal {num}, "
                                   f"got shape {_dims(shp)} [Op:Unpack] name: {name}")
    if shp[axis] == 0:
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
    """Splits `value` along `axis` into `n` equal parts or parts of the given sizes (one
    size may be -1, meaning the rest).

    Raises:
      InvalidArgumentError: the sizes do not add up, `n` does not divide the axis, or the
        axis is out of range.

    >>> [t.numpy().tolist() for t in tf.split(tf.range(5), [2, -1])]
    [[0, 1], [2, 3, 4]]
    """
    x = to_tensor(value)
    shp = np.shape(x._value)
    r = len(shp)
    axis = int(np.asarray(axis._value if isinstance(axis, _TENSORISH) else axis))
    if isinstance(num_or_size_splits, _TENSORISH) and np.ndim(num_or_size_splits._value) == 0:
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {str(num_or_size_splits)}")
    n_split = isinstance(num_or_size_splits, numbers.Integral)
    op = "Split" if n_split else "SplitV"
    if not -r <= axis < r:
        raise InvalidArgumentError(None, None, f"-input rank(-{r}) <= split_dim < input rank "
                                   f"({r}), but got {axis} [Op:{op}] name: {name}")
    axis %= r
    dim = shp[axis]
    if n_split:
        n = int(np.asarray(num_or_size_splits))
        if n < 1:
            raise InvalidArgumentError(
                None, None, f"Value for attr 'num_split' of {n} must be at least minimum 1"
                f"\n\t; NodeDef: {{{{node Split}}}} [Op:Split] name: {name}")
        if dim % n:
            raise InvalidArgumentError(
                None, None, f"Number of ways to split should evenly divide the split "
                f"dimension, but got split_dim {axis} (size = {dim}) and num_split {n} "
                f"[Op:Split] name: {name}")
        sizes = (dim // n,) * n
    else:
        sizes = _as_int_list(num_or_size_splits)
        if sizes.count(-1) > 1:
            raise InvalidArgumentError(None, None, f"There can only be one -1 in the input. "
                                       f"[Op:SplitV] name: {name}")
        for j, sz in enumerate(sizes):
            if sz < -1:
                raise InvalidArgumentError(None, None, f"Split size at index {j} must be >= 0. "
                                           f"Got: {sz} [Op:SplitV] name: {name}")
        known = sum(s for s in sizes if s != -1)
        if -1 in sizes:
            if known > dim:
                raise InvalidArgumentError(
                    None, None, f"Determined shape must either match input shape along "
                    f"split_dim exactly if fully specified, or be less than the size of the "
                    f"input along split_dim if not fully specified.  Got: {known} "
                    f"[Op:SplitV] name: {name}")
            sizes[sizes.index(-1)] = dim - known
        elif known != dim:
            raise InvalidArgumentError(
                None, None, f"Determined shape must either match input shape along split_dim "
                f"exactly if fully specified, or be less than the size of the input along "
                f"split_dim if not fully specified.  Got: {known} [Op:SplitV] name: {name}")
        sizes = tuple(sizes)
    return list(_split(x, sizes=sizes, axis=axis))

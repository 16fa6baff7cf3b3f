"""Python operators on Tensor and Variable (`+`, `*`, `@`, `[]`, `==`, ...).

Each operator calls the TensorFlow op that `tf.Tensor` maps it to, so Variables and
Tensors behave alike and reflected forms (`2 * t`, `ndarray + t`) convert the other operand
to the tensor's dtype. `&`, `|`, `^`, `~` are logical on bool tensors and bitwise on ints.
"""

from __future__ import annotations

import functools

import numpy as np

from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import array_ops, linalg_ops, math_ops
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.dispatch import CompositeDispatch

_T = Tensor


def _add(x, y):
    if type(x) is _T:
        if type(y) is Variable:  # `h + bias`: read the variable once, as conversion would
            y = y._read()
        if type(y) is _T and x._value.dtype is y._value.dtype:
            return math_ops._add(x, y)
    try:
        return math_ops.add(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _radd(x, y):
    # Unlike `t + v`, `v + t` converts v strictly (TypeError for 1.5 + int tensor), as in TF.
    return math_ops._add(*binary_args(y, x, "AddV2"))


def _sub(x, y):
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return math_ops._sub(x, y)
    try:
        return math_ops.subtract(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rsub(x, y):
    try:
        return math_ops.subtract(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _mul(x, y):
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return math_ops._mul(x, y)
    try:
        return math_ops.multiply(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rmul(x, y):
    # `0.01 * t` on a float tensor (e.g. `lr * grad`): the number takes the tensor's dtype,
    # which is what multiply's conversion does, minus the dispatch.
    if type(y) is float and type(x) is _T and x._value.dtype.kind in "fc":
        return math_ops._mul(_wrap(x._value.dtype.type(y)), x)
    try:
        return math_ops.multiply(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _truediv(x, y):
    try:
        return math_ops.truediv(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rtruediv(x, y):
    try:
        return math_ops.truediv(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _floordiv(x, y):
    try:
        return math_ops.floordiv(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rfloordiv(x, y):
    try:
        return math_ops.floordiv(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _mod(x, y):
    try:
        return math_ops.floormod(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rmod(x, y):
    try:
        return math_ops.floormod(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _pow(x, y):
    try:
        return math_ops.pow(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rpow(x, y):
    try:
        return math_ops.pow(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _matmul(x, y):
    try:
        return linalg_ops.matmul(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rmatmul(x, y):
    try:
        return linalg_ops.matmul(y, x)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _neg(x):
    return math_ops.negative(x)


def _pos(x):
    return x if type(x) is _T else to_tensor(x)


def _abs(x):
    return math_ops.abs(x)


def _is_bool(x):
    return to_tensor(x)._value.dtype.kind == "b"


def _and(x, y):
    if _is_bool(x):
        return math_ops.logical_and(x, y)
    try:
        return math_ops.bitwise_and(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rand(x, y):
    return _and(to_tensor(y, dtype=to_tensor(x).dtype), x)


def _or(x, y):
    if _is_bool(x):
        return math_ops.logical_or(x, y)
    try:
        return math_ops.bitwise_or(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _ror(x, y):
    return _or(to_tensor(y, dtype=to_tensor(x).dtype), x)


def _xor(x, y):
    if _is_bool(x):
        return math_ops.logical_xor(x, y)
    try:
        return math_ops.bitwise_xor(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rxor(x, y):
    return _xor(to_tensor(y, dtype=to_tensor(x).dtype), x)


def _invert(x):
    if _is_bool(x):
        return math_ops.logical_not(x)
    return math_ops.invert(x)


def _lshift(x, y):
    try:
        return math_ops.left_shift(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _rshift(x, y):
    try:
        return math_ops.right_shift(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _lt(x, y):
    try:
        return math_ops.less(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _le(x, y):
    try:
        return math_ops.less_equal(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _gt(x, y):
    try:
        return math_ops.greater(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _ge(x, y):
    try:
        return math_ops.greater_equal(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _eq(x, y):
    try:
        return math_ops.tensor_equals(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _ne(x, y):
    try:
        return math_ops.tensor_not_equals(x, y)
    except CompositeDispatch:  # a ragged operand: its own operator runs
        return NotImplemented


def _getitem(x, key):
    return array_ops.getitem(x, key)


def _variable_getitem(v, key):
    """A slice of a variable's value that can be assigned to: `v[0, :].assign([...])`
    writes those entries of `v` (TF's strided slice assign)."""
    out = array_ops.getitem(v, key)
    if type(out) is Tensor:
        out.assign = functools.partial(_assign_slice, v, key)
    return out


def _assign_slice(var, key, value, name=None, read_value=True):
    """`var[key] = value` as ops on the variable's current value (a scatter into its
    flattened value, then one assign), so a tf.function trace records it and its replays
    write the values of their own call."""
    from tapeflow._src.framework.errors import InvalidArgumentError
    from tapeflow._src.ops import array_slicing, gather_ops
    shape = var._value.shape
    if isinstance(key, (Tensor, Variable)) and key._value.dtype == bool or (
            isinstance(key, (list, tuple)) and any(isinstance(k, (list, np.ndarray))
                                                   for k in key)):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                        "and scalar tf.int32/tf.int64 tensors are valid indices for a "
                        "sliced variable's assign")
    np_key = array_slicing._np_key(array_slicing._canonical_key(key), shape)
    # The flat positions the slice covers depend on the key and shape only.
    positions = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[np_key]
    val = to_tensor(value, dtype=var.dtype)
    if val._value.shape != positions.shape:
        try:
            np.broadcast_shapes(val._value.shape, positions.shape)
            if len(val._value.shape) > positions.ndim:
                raise ValueError
        except ValueError:
            raise InvalidArgumentError(None, None, (
                f"Cannot broadcast input shape [{','.join(map(str, val._value.shape))}] "
                f"into final shape [{','.join(map(str, positions.shape))}] "
                "[Op:ResourceStridedSliceAssign] name: strided_slice/_assign")) from None
        val = array_ops.broadcast_to(val, positions.shape)
    flat = array_ops.reshape(var.read_value(), [-1])
    updated = gather_ops.tensor_scatter_nd_update(
        flat, _wrap(positions.reshape(-1, 1)), array_ops.reshape(val, [-1]))
    return var.assign(array_ops.reshape(updated, shape), read_value=read_value)


OPERATORS = {
    "__add__": _add, "__radd__": _radd, "__sub__": _sub, "__rsub__": _rsub,
    "__mul__": _mul, "__rmul__": _rmul, "__truediv__": _truediv, "__rtruediv__": _rtruediv,
    "__floordiv__": _floordiv, "__rfloordiv__": _rfloordiv, "__mod__": _mod,
    "__rmod__": _rmod, "__pow__": _pow, "__rpow__": _rpow, "__matmul__": _matmul,
    "__rmatmul__": _rmatmul, "__neg__": _neg, "__pos__": _pos, "__abs__": _abs,
    "__and__": _and, "__rand__": _rand, "__or__": _or, "__ror__": _ror, "__xor__": _xor,
    "__rxor__": _rxor, "__invert__": _invert, "__lshift__": _lshift, "__rshift__": _rshift,
    "__lt__": _lt, "__le__": _le, "__gt__": _gt, "__ge__": _ge, "__eq__": _eq,
    "__ne__": _ne, "__getitem__": _getitem,
}


def install():
    """Attaches the operators to Tensor and Variable (called once at import)."""
    for cls in (Tensor, Variable):
        for name, fn in OPERATORS.items():
            setattr(cls, name, fn)
    Variable.__getitem__ = _variable_getitem
    # __eq__ without __hash__ would make classes unhashable implicitly; both raise already.
    Tensor.__hash__ = Tensor.__dict__["__hash__"]

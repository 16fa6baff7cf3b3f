"""Comparisons, logical and bitwise ops (never differentiated), and the broadcasting error
shared by every binary element-wise op. Re-exported by math_ops."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.registry import primitive

D = dtypes
FLOAT = D.FLOATING
REAL = FLOAT | D.INTEGER
INTS = D.INTEGER


def _incompatible(name, x, y):
    """TensorFlow's broadcasting error for a binary op."""
    return InvalidArgumentError(None, None, f"Incompatible shapes: {_dims(x)} vs. {_dims(y)} "
                                f"[Op:{name}] name: ")


def _dims(a):
    return "[" + ",".join(str(d) for d in np.shape(a)) + "]"


def _broadcasting(name):
    """Kept for the op blocks' readability: the registry already rewrites NumPy's broadcast
    ValueError as TensorFlow's 'Incompatible shapes' error, so the forward is left as it is
    (a wrapper would add a Python frame, and its **attrs would force the slow call path)."""
    def decorate(fn):
        return fn
    return decorate


# ---------------------------------------------------------------------------------------
# Comparisons and logic (never differentiated)
# ---------------------------------------------------------------------------------------

def _compare(name, fn, allowed):
    @_broadcasting(name)
    def forward(x, y):
        return fn(x, y)
    prim = primitive(name, shape=rules.broadcast, dtype=rules.to_bool, allowed=allowed,
                     differentiable=False)(forward)

    def public(x, y, name=None):
        return prim(*binary_args(x, y, prim.name))
    return prim, public


_less, less = _compare("Less", np.less, REAL)
_less_equal, less_equal = _compare("LessEqual", np.less_equal, REAL)
_greater, greater = _compare("Greater", np.greater, REAL)
_greater_equal, greater_equal = _compare("GreaterEqual", np.greater_equal, REAL)


def _eq_forward(x, y):
    return np.equal(x, y)


_equal = primitive("Equal", shape=rules.broadcast, dtype=rules.to_bool,
                   differentiable=False)(_broadcasting("Equal")(_eq_forward))
_not_equal = primitive("NotEqual", shape=rules.broadcast, dtype=rules.to_bool,
                       differentiable=False)(
    _broadcasting("NotEqual")(lambda x, y: np.not_equal(x, y)))


def equal(x, y, name=None):
    """x == y element-wise, with broadcasting."""
    return _equal(*binary_args(x, y, "Equal"))


def not_equal(x, y, name=None):
    """x != y element-wise, with broadcasting."""
    return _not_equal(*binary_args(x, y, "NotEqual"))


def tensor_equals(x, y):
    """`x == y` for tensors: element-wise, or a scalar False when shapes can't broadcast."""
    if y is None:
        return False
    x = to_tensor(x)
    y = to_tensor(y, dtype=x.dtype) if not isinstance(y, Tensor) else y
    if x._value.dtype != y._value.dtype:
        from tapeflow._src.ops._helpers import dtype_mismatch
        raise dtype_mismatch("Equal", x.dtype, y.dtype)
    try:
        np.broadcast_shapes(x._value.shape, y._value.shape)
    except ValueError:
        return _wrap_bool(False)
    return _equal(x, y)


def tensor_not_equals(x, y):
    """`x != y` for tensors: the negation of `tensor_equals`."""
    if y is None:
        return True
    eq = tensor_equals(x, y)
    return logical_not(eq)


def _wrap_bool(b):
    from tapeflow._src.framework.tensor import _wrap
    return _wrap(np.bool_(b))


_BOOL = {D.bool_}
_logical_and = primitive("LogicalAnd", shape=rules.broadcast, dtype=rules.to_bool,
                         allowed=_BOOL, differentiable=False)(
    _broadcasting("LogicalAnd")(lambda x, y: np.logical_and(x, y)))
_logical_or = primitive("LogicalOr", shape=rules.broadcast, dtype=rules.to_bool,
                        allowed=_BOOL, differentiable=False)(
    _broadcasting("LogicalOr")(lambda x, y: np.logical_or(x, y)))
_logical_not = primitive("LogicalNot", shape=rules.same_shape, dtype=rules.to_bool,
                         allowed=_BOOL, differentiable=False)(lambda x: np.logical_not(x))


def bool_input(x, op_name, index=0):
    """Raises TensorFlow's error when a bool-only op gets another dtype."""
    if x._value.dtype != np.bool_:
        from tapeflow._src.ops._helpers import dtype_mismatch
        raise dtype_mismatch(op_name, D.bool_, x.dtype, index=index)
    return x


def logical_and(x, y, name=None):
    """x AND y element-wise on bool tensors, with broadcasting."""
    x, y = binary_args(x, y, "LogicalAnd")
    return _logical_and(bool_input(x, "LogicalAnd"), y)


def logical_or(x, y, name=None):
    """x OR y element-wise on bool tensors, with broadcasting."""
    x, y = binary_args(x, y, "LogicalOr")
    return _logical_or(bool_input(x, "LogicalOr"), y)


def logical_not(x, name=None):
    """NOT x element-wise on a bool tensor."""
    return _logical_not(bool_input(to_tensor(x), "LogicalNot"))


def logical_xor(x, y, name=None):
    """(x or y) and not (x and y).

    >>> tf.math.logical_xor([True, True], [True, False]).numpy()
    array([False,  True])
    """
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


_is_nan = primitive("IsNan", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                    differentiable=False)(lambda x: np.isnan(x))
_is_inf = primitive("IsInf", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                    differentiable=False)(lambda x: np.isinf(x))
_is_finite = primitive("IsFinite", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                       differentiable=False)(lambda x: np.isfinite(x))


def is_nan(x, name=None):
    """True where x is NaN (floating tensors only)."""
    return _is_nan(to_tensor(x))


def is_inf(x, name=None):
    """True where x is +inf or -inf (floating tensors only)."""
    return _is_inf(to_tensor(x))


def is_finite(x, name=None):
    """True where x is neither NaN nor infinite (floating tensors only)."""
    return _is_finite(to_tensor(x))


# ---------------------------------------------------------------------------------------
# Bitwise ops (integers only)
# ---------------------------------------------------------------------------------------

_bitwise_and = primitive("BitwiseAnd", shape=rules.broadcast, dtype=rules.same_as_input,
                         allowed=INTS, differentiable=False)(
    _broadcasting("BitwiseAnd")(lambda x, y: np.bitwise_and(x, y)))
_bitwise_or = primitive("BitwiseOr", shape=rules.broadcast, dtype=rules.same_as_input,
                        allowed=INTS, differentiable=False)(
    _broadcasting("BitwiseOr")(lambda x, y: np.bitwise_or(x, y)))
_bitwise_xor = primitive("BitwiseXor", shape=rules.broadcast, dtype=rules.same_as_input,
                         allowed=INTS, differentiable=False)(
    _broadcasting("BitwiseXor")(lambda x, y: np.bitwise_xor(x, y)))
_invert = primitive("Invert", shape=rules.same_shape, dtype=rules.same_as_input,
                    allowed=INTS, differentiable=False)(lambda x: np.invert(x))


def _shift_amount(x, y):
    """TensorFlow clamps shift amounts to [0, bits - 1] instead of leaving them undefined."""
    return np.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype)


@primitive("LeftShift", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INTS,
           differentiable=False)
@_broadcasting("LeftShift")
def _left_shift(x, y):
    return np.left_shift(x, _shift_amount(x, y))


@primitive("RightShift", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INTS,
           differentiable=False)
@_broadcasting("RightShift")
def _right_shift(x, y):
    return np.right_shift(x, _shift_amount(x, y))


def bitwise_and(x, y, name=None):
    """x AND y bit by bit (integer tensors)."""
    return _bitwise_and(*binary_args(x, y, "BitwiseAnd"))


def bitwise_or(x, y, name=None):
    """x OR y bit by bit (integer tensors)."""
    return _bitwise_or(*binary_args(x, y, "BitwiseOr"))


def bitwise_xor(x, y, name=None):
    """x XOR y bit by bit (integer tensors)."""
    return _bitwise_xor(*binary_args(x, y, "BitwiseXor"))


def invert(x, name=None):
    """Flips every bit of x (integer tensors)."""
    return _invert(to_tensor(x))


def left_shift(x, y, name=None):
    """x << y; shifts are clamped to [0, bits - 1] as in TensorFlow."""
    return _left_shift(*binary_args(x, y, "LeftShift"))


def right_shift(x, y, name=None):
    """x >> y (arithmetic for signed types); shifts clamped to [0, bits - 1]."""
    return _right_shift(*binary_args(x, y, "RightShift"))

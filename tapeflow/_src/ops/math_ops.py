"""Element-wise math: arithmetic, unary functions, complex parts and casts.

Comparisons, logic and bitwise ops live in math_compare_ops.py, casts in math_cast_ops.py;
both are re-exported here.

Binary ops convert operands with `binary_args` (no dtype promotion, as in TensorFlow) and
broadcast with NumPy's rules; the engine sums gradients back to each input's shape.
Complex gradients follow TensorFlow's convention: the upstream gradient times the
conjugate of the derivative.
"""

from __future__ import annotations

import math

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.math_cast_ops import (  # noqa: F401 - re-exported
    _cast, cast, saturate_cast, to_float,
)
from tapeflow._src.ops.math_compare_ops import (  # noqa: F401 - re-exported
    _broadcasting, _incompatible, _equal, _not_equal, _less, _less_equal, _greater,
    _greater_equal, _logical_and, _logical_or, _logical_not, _is_nan, _is_inf, _is_finite,
    bitwise_and, bitwise_or, bitwise_xor, bool_input, equal, greater, greater_equal, invert,
    is_finite, is_inf, is_nan, left_shift, less, less_equal, logical_and, logical_not,
    logical_or, logical_xor, not_equal, right_shift, tensor_equals, tensor_not_equals,
)
from tapeflow._src.ops.registry import primitive

D = dtypes
FLOAT = D.FLOATING
INEXACT = D.INEXACT
NUMERIC = D.NUMERIC
SIGNED = INEXACT | {D.int8, D.int16, D.int32, D.int64}
REAL = FLOAT | D.INTEGER
INTS = D.INTEGER
_T = Tensor


def _conj(t):
    """conj(t) for complex tensors, t itself otherwise (so real rules stay cheap)."""
    return conj(t) if t._value.dtype.kind == "c" else t


# ---------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------

@primitive("AddV2", shape=rules.broadcast, dtype=rules.same_as_input,
           allowed=NUMERIC | {D.string})
def _add(x, y):
    # The operator, not the ufunc: identical on arrays, and 5-10x cheaper on the NumPy
    # scalars that hold rank-0 tensors (NumPy's scalar math skips the ufunc machinery).
    try:
        out = x + y
    except ValueError:
        raise _incompatible("AddV2", x, y) from None
    if type(out) is bytes:  # two rank-0 strings: NumPy unwraps the 0-d object result
        return np.array(out, dtype=object)
    return out


@_add.grad
def _add_grad(op, dy):
    return dy, dy


def add(x, y, name=None):
    """Returns x + y element-wise, with broadcasting (strings concatenate).

    >>> tf.add([1, 2], [3, 4]).numpy()
    array([4, 6], dtype=int32)
    """
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return _add(x, y)
    return _add(*binary_args(x, y, "AddV2", hint=True))


@primitive("Sub", shape=rules.broadcast, dtype=rules.same_as_input, allowed=NUMERIC)
def _sub(x, y):
    # The operator, not the ufunc: identical on arrays, and 5-10x cheaper on the NumPy
    # scalars that hold rank-0 tensors (NumPy's scalar math skips the ufunc machinery).
    try:
        return x - y
    except ValueError:
        raise _incompatible("Sub", x, y) from None


@_sub.grad
def _sub_grad(op, dy):
    return dy, -dy


def subtract(x, y, name=None):
    """Returns x - y element-wise, with broadcasting."""
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return _sub(x, y)
    return _sub(*binary_args(x, y, "Sub"))


@primitive("Mul", shape=rules.broadcast, dtype=rules.same_as_input, allowed=NUMERIC)
def _mul(x, y):
    # The operator, not the ufunc: identical on arrays, and 5-10x cheaper on the NumPy
    # scalars that hold rank-0 tensors (NumPy's scalar math skips the ufunc machinery).
    try:
        return x * y
    except ValueError:
        raise _incompatible("Mul", x, y) from None


@_mul.grad
def _mul_grad(op, dy):
    x, y = op.inputs
    need_x, need_y = op.needs or (True, True)
    return (dy * _conj(y) if need_x else None), (dy * _conj(x) if need_y else None)


def multiply(x, y, name=None):
    """Returns x * y element-wise, with broadcasting."""
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return _mul(x, y)
    return _mul(*binary_args(x, y, "Mul"))


@primitive("RealDiv", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
@_broadcasting("RealDiv")
def _real_div(x, y):
    return x / y  # operator: cheap on NumPy scalars; inf/nan warnings are filtered


@_real_div.grad
def _real_div_grad(op, dy):
    x, y = op.inputs
    need_x, need_y = op.needs or (True, True)
    return ((dy / _conj(y)) if need_x else None,
            (-dy * _conj(x / (y * y))) if need_y else None)


# TensorFlow's truediv: small ints -> float32, 32/64-bit ints -> float64.
_TRUEDIV_INT = {np.dtype(np.int8): np.float32, np.dtype(np.int16): np.float32,
                np.dtype(np.uint8): np.float32, np.dtype(np.uint16): np.float32,
                np.dtype(np.int32): np.float64, np.dtype(np.int64): np.float64,
                np.dtype(np.uint32): np.float64, np.dtype(np.uint64): np.float64}


def truediv(x, y, name=None):
    """Divides x / y as floats; integer inputs are cast to float first (as TensorFlow does).

    >>> tf.math.truediv(1, 2).dtype == tf.float64
    True
    """
    try:
        x, y = binary_args(x, y, "RealDiv", hint=True)
    except InvalidArgumentError:
        x, y = to_tensor(x), to_tensor(y)
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != "
                        f"{y.dtype!r}.") from None
    to = _TRUEDIV_INT.get(x._value.dtype)
    if to is not None:
        x, y = cast(x, to), cast(y, to)
    elif x._value.dtype.kind not in "fc":
        raise TypeError(f"Invalid dtype tf.{x.dtype.name} in __truediv__. Expected one of "
                        f"{_TRUEDIV_NAMES}.")
    return _real_div(x, y)


# TensorFlow prints this set in this order.
_TRUEDIV_NAMES = ("{tf.uint8, tf.int8, tf.uint16, tf.int16, tf.uint32, tf.int32, tf.uint64, "
                  "tf.int64, tf.bfloat16, tf.float16, tf.float32, tf.float64, tf.complex64, "
                  "tf.complex128}")


def divide(x, y, name=None):
    """Same as `truediv`: x / y computed in floating point.

    >>> tf.divide(3, 2).numpy()
    np.float64(1.5)
    """
    return truediv(x, y)


def realdiv(x, y, name=None):
    """x / y for floating or complex tensors of one dtype (no integer casting)."""
    return _real_div(*binary_args(x, y, "RealDiv"))


@primitive("DivNoNan", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
@_broadcasting("DivNoNan")
def _div_no_nan(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(x, y)
    return np.where(y == 0, np.zeros((), out.dtype), out)


@_div_no_nan.grad
def _div_no_nan_grad(op, dy):
    x, y = (_conj(t) for t in op.inputs)
    return div_no_nan(dy, y), dy * div_no_nan(div_no_nan(-x, y), y)


def div_no_nan(x, y, name=None):
    """x / y, but 0 wherever y is 0 (even when x is NaN or inf).

    Integer inputs are cast to floats first, as `truediv` does.

    >>> tf.math.divide_no_nan(tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0])).numpy()
    array([0. , 0.5], dtype=float32)
    """
    x, y = binary_args(x, y, "DivNoNan")
    to = _TRUEDIV_INT.get(x._value.dtype)
    if to is not None:
        x, y = cast(x, to), cast(y, to)
    return _div_no_nan(x, y)


divide_no_nan = div_no_nan


def _int_zero_check(y, name):
    if y.dtype.kind in "iu" and not np.all(y):
        raise InvalidArgumentError(None, None, f"Integer division by zero [Op:{name}] name: ")


@primitive("FloorDiv", shape=rules.broadcast, dtype=rules.same_as_input,
           allowed=REAL, differentiable=False)
@_broadcasting("FloorDiv")
def _floor_div(x, y):
    _int_zero_check(y, "FloorDiv")
    with np.errstate(divide="ignore", invalid="ignore"):
        with np.errstate(over="ignore"):  # INT_MIN // -1 wraps, as in TensorFlow
            return np.floor_divide(x, y)


def floordiv(x, y, name=None):
    """floor(x / y) element-wise; integer division by zero is an error."""
    return _floor_div(*binary_args(x, y, "FloorDiv"))


floor_div = floordiv


@primitive("FloorMod", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL)
@_broadcasting("FloorMod")
def _floor_mod(x, y):
    _int_zero_check(y, "FloorMod")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mod(x, y)


@_floor_mod.grad
def _floor_mod_grad(op, dy):
    x, y = op.inputs
    return dy, -dy * floordiv(x, y)


def floormod(x, y, name=None):
    """x mod y with the sign of y (Python's %), element-wise."""
    return _floor_mod(*binary_args(x, y, "FloorMod"))


mod = floormod


def _truncated_zero_check(y, name):
    """Integer division by zero: TensorFlow's truncating kernels report an InternalError."""
    if y.dtype.kind in "iu" and not np.all(y):
        from tapeflow._src.framework.errors import InternalError
        raise InternalError(None, None, "Unexpected error in binary operator (only integer div "
                            f"and mod should have errors) [Op:{name}] name: ")


@primitive("TruncateDiv", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL,
           differentiable=False)
@_broadcasting("TruncateDiv")
def _truncate_div(x, y):
    _truncated_zero_check(y, "TruncateDiv")
    if x.dtype.kind in "iu":
        q = np.abs(x) // np.abs(y)
        return (q * np.sign(x) * np.sign(y)).astype(x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(x / y)


def truncatediv(x, y, name=None):
    """x / y rounded toward zero (C-style); integer division by zero is an error.

    >>> tf.truncatediv(tf.constant([-7, 7]), tf.constant([2, 2])).numpy()
    array([-3,  3], dtype=int32)
    """
    return _truncate_div(*binary_args(x, y, "TruncateDiv"))


@primitive("TruncateMod", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL,
           differentiable=False)
@_broadcasting("TruncateMod")
def _truncate_mod(x, y):
    _truncated_zero_check(y, "TruncateMod")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.fmod(x, y)


def truncatemod(x, y, name=None):
    """The remainder of truncated division: it has the sign of x (C's fmod).

    >>> tf.truncatemod(tf.constant([-7, 7]), tf.constant([2, -2])).numpy()
    array([-1,  1], dtype=int32)
    """
    return _truncate_mod(*binary_args(x, y, "TruncateMod"))


@primitive("Pow", shape=rules.broadcast, dtype=rules.same_as_input, allowed=SIGNED)
@_broadcasting("Pow")
def _pow(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise InvalidArgumentError(
            None, None, "Integers to negative integer powers are not allowed [Op:Pow] name: ")
    if x.dtype.kind == "f" and np.ndim(x) and np.size(y) == 1:
        yv = float(np.asarray(y).reshape(()))
        if yv.is_integer() and np.any(x < 0):
            # libm's pow is 20-30x slower for negative bases; for an integral exponent
            # pow(x, n) is exactly pow(|x|, n) with x's sign when n is odd (C99 F.9.4.4).
            r = np.power(np.abs(x), y)
            return np.copysign(r, x) if yv % 2 else r
    return np.power(x, y)


@_pow.grad
def _pow_grad(op, dy):
    x, y = op.inputs
    z, = op.outputs
    need_x, need_y = op.needs or (True, True)
    gx = dy * _conj(y * pow(x, y - 1)) if need_x else None
    if not need_y:
        return gx, None  # a constant exponent (x ** 3): skip the log-based y-gradient
    if x._value.dtype.kind == "c":
        logx = log(x)
    else:
        # Like TensorFlow: log(x) taken as 0 where x <= 0, so the y-gradient there is 0.
        pos = greater(x, 0)
        logx = where_(pos, log(where_(pos, x, ones_like_(x))), zeros_like_(x))
    gy = dy * _conj(z * logx)
    return gx, gy


def pow(x, y, name=None):  # noqa: A001 - TensorFlow's name
    """x ** y element-wise; integer bases with negative integer exponents are an error."""
    return _pow(*binary_args(x, y, "Pow"))


@primitive("Maximum", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL)
@_broadcasting("Maximum")
def _maximum(x, y):
    return np.maximum(x, y)


# Ties go entirely to x, as in TensorFlow (mask is x >= y); do not split 50/50.
@_maximum.grad
def _maximum_grad(op, dy):
    x, y = op.inputs
    x_wins = cast(greater_equal(x, y), dy.dtype)
    return dy * x_wins, dy * (1 - x_wins)


def maximum(x, y, name=None):
    """The larger of x and y element-wise (NaN propagates)."""
    return _maximum(*binary_args(x, y, "Maximum"))


@primitive("Minimum", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL)
@_broadcasting("Minimum")
def _minimum(x, y):
    return np.minimum(x, y)


# Ties go entirely to x (mask is x <= y), as in TensorFlow.
@_minimum.grad
def _minimum_grad(op, dy):
    x, y = op.inputs
    x_wins = cast(less_equal(x, y), dy.dtype)
    return dy * x_wins, dy * (1 - x_wins)


def minimum(x, y, name=None):
    """The smaller of x and y element-wise (NaN propagates)."""
    return _minimum(*binary_args(x, y, "Minimum"))


@primitive("SquaredDifference", shape=rules.broadcast, dtype=rules.same_as_input,
           allowed=INEXACT | {D.int32, D.int64})
@_broadcasting("SquaredDifference")
def _squared_difference(x, y):
    d = np.subtract(x, y)
    return d * np.conj(d) if d.dtype.kind == "c" else d * d


@_squared_difference.grad
def _squared_difference_grad(op, dy):
    x, y = op.inputs
    g = dy * 2 * (x - y)
    return g, -g


def squared_difference(x, y, name=None):
    """(x - y) * conj(x - y) element-wise."""
    return _squared_difference(*binary_args(x, y, "SquaredDifference"))


@primitive("Atan2", shape=rules.broadcast, dtype=rules.same_as_input, allowed=FLOAT)
@_broadcasting("Atan2")
def _atan2(y, x):
    return np.arctan2(y, x)


@_atan2.grad
def _atan2_grad(op, dz):
    y, x = op.inputs
    r = dz / (x * x + y * y)
    return x * r, -y * r


def atan2(y, x, name=None):
    """The angle of the point (x, y), element-wise."""
    return _atan2(*binary_args(y, x, "Atan2"))


@primitive("Xdivy", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
@_broadcasting("Xdivy")
def _xdivy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.zeros((), np.result_type(x, y)), x / y)


@_xdivy.grad
def _xdivy_grad(op, dy):
    x, y = op.inputs
    # As TensorFlow: both partials are 0 where x == 0, even at y == 0. TensorFlow does
    # not conjugate here (unlike its other complex rules); neither do we.
    nz = cast(not_equal(x, 0), x.dtype)
    return dy * xdivy(nz, y), dy * xdivy(-x, y * y)


def xdivy(x, y, name=None):
    """0 if x == 0 else x / y."""
    return _xdivy(*binary_args(x, y, "Xdivy"))


@primitive("Xlogy", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
@_broadcasting("Xlogy")
def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.zeros((), np.result_type(x, y)), x * np.log(y))


@_xlogy.grad
def _xlogy_grad(op, dy):
    x, y = op.inputs
    # As TensorFlow: both partials are 0 where x == 0, even at y == 0.
    # As TensorFlow: 0 where x == 0, and no conjugation for complex inputs.
    nz = cast(not_equal(x, 0), x.dtype)
    return dy * xlogy(nz, y), dy * xdivy(x, y)


def xlogy(x, y, name=None):
    """0 if x == 0 else x * log(y)."""
    return _xlogy(*binary_args(x, y, "Xlogy"))


# ---------------------------------------------------------------------------------------
# Unary functions
# ---------------------------------------------------------------------------------------

def _unary(name, fn, allowed, differentiable=True, errstate=False):
    """Builds an element-wise primitive straight from a NumPy ufunc (no Python frame per call).

    `errstate` is kept for readability at the call sites: the ufuncs marked with it can
    produce inf/nan, whose NumPy warnings the registry's module-level filter silences.
    """
    return primitive(name, shape=rules.same_shape, dtype=rules.same_as_input,
                     allowed=allowed, differentiable=differentiable)(fn)


_neg = _unary("Neg", np.negative, SIGNED)


@_neg.grad
def _neg_grad(op, dy):
    return -dy


def negative(x, name=None):
    """-x element-wise."""
    return _neg(to_tensor(x))


neg = negative


@primitive("Abs", shape=rules.same_shape, dtype=rules.real_of, allowed=SIGNED)
def _abs(x):
    return np.abs(x)


@_abs.grad
def _abs_grad(op, dy):
    x, = op.inputs
    if x._value.dtype.kind == "c":
        y, = op.outputs
        # TensorFlow: dy * x / |x|, and 0 at x == 0.
        return div_no_nan(cast(dy, x.dtype) * x, cast(y, x.dtype))
    return dy * sign(x)


def abs(x, name=None):  # noqa: A001 - TensorFlow's name
    """|x| element-wise (the modulus, as a real tensor, for complex x)."""
    return _abs(to_tensor(x))


_sign = _unary("Sign", np.sign, SIGNED)


@_sign.grad
def _sign_grad(op, dy):
    return zeros_like_(op.inputs[0])  # TensorFlow returns zeros, not None


def sign(x, name=None):
    """-1, 0 or 1 by the sign of x."""
    return _sign(to_tensor(x))


_square = _unary("Square", np.square, NUMERIC)


@_square.grad
def _square_grad(op, dy):
    x, = op.inputs
    return dy * (2 * _conj(x))


def square(x, name=None):
    """x * x element-wise.

    >>> tf.square(5).numpy()
    np.int32(25)
    """
    return _square(to_tensor(x))


_sqrt = _unary("Sqrt", np.sqrt, INEXACT, errstate=True)


@_sqrt.grad
def _sqrt_grad(op, dy):
    y, = op.outputs
    return dy * 0.5 / _conj(y)


def sqrt(x, name=None):
    """The square root of x element-wise (floating and complex only)."""
    return _sqrt(to_tensor(x))


@primitive("Rsqrt", shape=rules.same_shape, dtype=rules.same_as_input, allowed=INEXACT)
def _rsqrt(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.reciprocal(np.sqrt(x))


@_rsqrt.grad
def _rsqrt_grad(op, dy):
    y, = op.outputs
    return dy * -0.5 * _conj(y * y * y)


def rsqrt(x, name=None):
    """1 / sqrt(x) element-wise."""
    return _rsqrt(to_tensor(x))


_exp = _unary("Exp", np.exp, INEXACT, errstate=True)


@_exp.grad
def _exp_grad(op, dy):
    return dy * _conj(op.outputs[0])


def exp(x, name=None):
    """e ** x element-wise."""
    return _exp(to_tensor(x))


_expm1 = _unary("Expm1", np.expm1, INEXACT, errstate=True)


@_expm1.grad
def _expm1_grad(op, dy):
    return dy * _conj(exp(op.inputs[0]))


def expm1(x, name=None):
    """exp(x) - 1, accurate near 0."""
    return _expm1(to_tensor(x))


_log = _unary("Log", np.log, INEXACT, errstate=True)


@_log.grad
def _log_grad(op, dy):
    return dy / _conj(op.inputs[0])


def log(x, name=None):
    """The natural logarithm element-wise."""
    return _log(to_tensor(x))


_log1p = _unary("Log1p", np.log1p, INEXACT, errstate=True)


@_log1p.grad
def _log1p_grad(op, dy):
    return dy / _conj(1 + op.inputs[0])


def log1p(x, name=None):
    """log(1 + x), accurate near 0."""
    return _log1p(to_tensor(x))


_sin = _unary("Sin", np.sin, INEXACT)


@_sin.grad
def _sin_grad(op, dy):
    return dy * _conj(cos(op.inputs[0]))


def sin(x, name=None):
    """Sine element-wise (radians)."""
    return _sin(to_tensor(x))


_cos = _unary("Cos", np.cos, INEXACT)


@_cos.grad
def _cos_grad(op, dy):
    return -dy * _conj(sin(op.inputs[0]))


def cos(x, name=None):
    """Cosine element-wise (radians)."""
    return _cos(to_tensor(x))


_tan = _unary("Tan", np.tan, INEXACT)


@_tan.grad
def _tan_grad(op, dy):
    c = cos(op.inputs[0])
    return dy / _conj(c * c)


def tan(x, name=None):
    """Tangent element-wise (radians)."""
    return _tan(to_tensor(x))


_asin = _unary("Asin", np.arcsin, INEXACT, errstate=True)


@_asin.grad
def _asin_grad(op, dy):
    x, = op.inputs
    return dy * _conj(rsqrt(1 - x * x))


def asin(x, name=None):
    """Inverse sine element-wise; NaN outside [-1, 1] for real inputs."""
    return _asin(to_tensor(x))


_acos = _unary("Acos", np.arccos, INEXACT, errstate=True)


@_acos.grad
def _acos_grad(op, dy):
    x, = op.inputs
    return -dy * _conj(rsqrt(1 - x * x))


def acos(x, name=None):
    """Inverse cosine element-wise; NaN outside [-1, 1] for real inputs."""
    return _acos(to_tensor(x))


_atan = _unary("Atan", np.arctan, INEXACT)


@_atan.grad
def _atan_grad(op, dy):
    x, = op.inputs
    return dy / _conj(1 + x * x)


def atan(x, name=None):
    """Inverse tangent element-wise."""
    return _atan(to_tensor(x))


_sinh = _unary("Sinh", np.sinh, INEXACT, errstate=True)


@_sinh.grad
def _sinh_grad(op, dy):
    return dy * _conj(cosh(op.inputs[0]))


def sinh(x, name=None):
    """Hyperbolic sine element-wise."""
    return _sinh(to_tensor(x))


_cosh = _unary("Cosh", np.cosh, INEXACT, errstate=True)


@_cosh.grad
def _cosh_grad(op, dy):
    return dy * _conj(sinh(op.inputs[0]))


def cosh(x, name=None):
    """Hyperbolic cosine element-wise."""
    return _cosh(to_tensor(x))


_tanh = _unary("Tanh", np.tanh, INEXACT)


@_tanh.grad
def _tanh_grad(op, dy):
    y, = op.outputs
    return dy * _conj(1 - y * y)


def tanh(x, name=None):
    """Hyperbolic tangent element-wise."""
    return _tanh(to_tensor(x))


_asinh = _unary("Asinh", np.arcsinh, INEXACT)


@_asinh.grad
def _asinh_grad(op, dy):
    # 1 / cosh(asinh(x)), from the output as TensorFlow does (same branch for complex).
    y, = op.outputs
    return dy / _conj(cosh(y))


def asinh(x, name=None):
    """Inverse hyperbolic sine element-wise."""
    return _asinh(to_tensor(x))


_acosh = _unary("Acosh", np.arccosh, INEXACT, errstate=True)


@_acosh.grad
def _acosh_grad(op, dy):
    # 1 / sinh(acosh(x)): unlike rsqrt(x*x - 1) it has the right sign off the real line.
    y, = op.outputs
    return dy / _conj(sinh(y))


def acosh(x, name=None):
    """Inverse hyperbolic cosine element-wise; NaN below 1 for real inputs."""
    return _acosh(to_tensor(x))


_atanh = _unary("Atanh", np.arctanh, INEXACT, errstate=True)


@_atanh.grad
def _atanh_grad(op, dy):
    x, = op.inputs
    return dy / _conj(1 - x * x)


def atanh(x, name=None):
    """Inverse hyperbolic tangent element-wise; +-inf at +-1, NaN beyond."""
    return _atanh(to_tensor(x))


# Primitive: the composite 1/(1+exp(-x)) overflows to a NaN gradient for large -x.
@primitive("Sigmoid", shape=rules.same_shape, dtype=rules.same_as_input, allowed=INEXACT)
def _sigmoid(x):
    if x.dtype.kind == "c":
        return 1 / (1 + np.exp(-x))
    # exp of a non-positive number never overflows: use exp(-|x|) on both sides.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@_sigmoid.grad
def _sigmoid_grad(op, dy):
    s, = op.outputs
    return dy * _conj(s * (1 - s))


def sigmoid(x, name=None):
    """1 / (1 + exp(-x)) element-wise, stable for large |x|.

    >>> float(tf.math.sigmoid(tf.constant(0.0)))
    0.5
    """
    return _sigmoid(to_tensor(x))


_erf_scalar = np.frompyfunc(math.erf, 1, 1)


# Primitive: NumPy has no erf; math.erf is exact to double precision.
@primitive("Erf", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _erf(x):
    return np.asarray(_erf_scalar(x), dtype=x.dtype)


@_erf.grad
def _erf_grad(op, dy):
    x, = op.inputs
    return dy * (2.0 / math.sqrt(math.pi)) * exp(-(x * x))


def erf(x, name=None):
    """The Gauss error function element-wise."""
    return _erf(to_tensor(x))


def erfc(x, name=None):
    """The complementary error function, 1 - erf(x), element-wise."""
    return 1 - erf(x)


_reciprocal = _unary("Reciprocal", np.reciprocal, INEXACT, errstate=True)


@_reciprocal.grad
def _reciprocal_grad(op, dy):
    y, = op.outputs
    return -dy * _conj(y * y)


def reciprocal(x, name=None):
    """1 / x element-wise (floating and complex tensors).

    >>> tf.math.reciprocal(tf.constant([2.0, 0.0])).numpy()
    array([0.5, inf], dtype=float32)
    """
    x = to_tensor(x)
    if x._value.dtype.kind == "i":
        raise _no_kernel("Reciprocal", x.dtype)  # TF registers the op but no CPU kernel
    return _reciprocal(x)


def _no_kernel(op_name, dtype):
    """TensorFlow's NotFoundError for an op whose signature allows `dtype` but has no kernel."""
    from tapeflow._src.framework.errors import NotFoundError
    enum = "DT_" + dtypes.tf_name(dtype).upper()
    return NotFoundError(None, None, f"Could not find device for node: {{{{node {op_name}}}}} = "
                         f"{op_name}[T={enum}]\nAll kernels registered for op {op_name}:\n"
                         f"  (tapeflow: none for {dtypes.tf_name(dtype)}) [Op:{op_name}] name: ")


inv = reciprocal

_floor = _unary("Floor", np.floor, FLOAT, differentiable=False)
_ceil = _unary("Ceil", np.ceil, FLOAT, differentiable=False)
_rint = _unary("Rint", np.rint, FLOAT, differentiable=False)


def floor(x, name=None):
    """The largest integer not greater than x (floating tensors); no gradient."""
    return _floor(to_tensor(x))


def ceil(x, name=None):
    """The smallest integer not less than x (floating tensors); no gradient."""
    return _ceil(to_tensor(x))


def rint(x, name=None):
    """Rounds to the nearest integer, halves to even (floating tensors)."""
    return _rint(to_tensor(x))


@primitive("Round", shape=rules.same_shape, dtype=rules.same_as_input, allowed=REAL,
           differentiable=False)
def _round(x):
    return np.round(x)  # NumPy rounds half to even, as TensorFlow does


def round(x, name=None):  # noqa: A001 - TensorFlow's name
    """Rounds half to even (banker's rounding); integers pass through."""
    x = to_tensor(x)
    if x._value.dtype.kind in "iu":
        return x
    if x._value.dtype.kind == "c":
        raise _no_kernel("Round", x.dtype)
    return _round(x)


# ---------------------------------------------------------------------------------------
# Complex parts
# ---------------------------------------------------------------------------------------

@primitive("Conj", shape=rules.same_shape, dtype=rules.same_as_input, allowed=INEXACT)
def _conj_prim(x):
    return np.conj(x)


@_conj_prim.grad
def _conj_grad(op, dy):
    return conj(dy)


def conj(x, name=None):
    """The complex conjugate; real tensors are returned unchanged."""
    x = to_tensor(x)
    if x._value.dtype.kind != "c":
        if x._value.dtype.kind in "OSU":
            raise TypeError(f"Expected numeric or variant tensor, got dtype tf.{x.dtype.name}.")
        return x
    return _conj_prim(x)


@primitive("Real", shape=rules.same_shape, dtype=rules.real_of, allowed=D.COMPLEX)
def _real(x):
    return np.real(x).copy()


@_real.grad
def _real_grad(op, dy):
    return complex_(dy, zeros_like_(dy))


def real(input, name=None):  # noqa: A002
    """The real part; real tensors are returned unchanged."""
    x = to_tensor(input)
    return _real(x) if x._value.dtype.kind == "c" else x


@primitive("Imag", shape=rules.same_shape, dtype=rules.real_of, allowed=D.COMPLEX)
def _imag(x):
    return np.imag(x).copy()


@_imag.grad
def _imag_grad(op, dy):
    return complex_(zeros_like_(dy), dy)


def imag(input, name=None):  # noqa: A002
    """The imaginary part; zeros for real tensors."""
    x = to_tensor(input)
    return _imag(x) if x._value.dtype.kind == "c" else zeros_like_(x)


@primitive("Complex", shape=rules.broadcast, allowed=FLOAT)
def _complex(re, im):
    out_t = np.complex64 if re.dtype == np.float32 else np.complex128
    return (re + 1j * im).astype(out_t)


@_complex.grad
def _complex_grad(op, dy):
    return real(dy), imag(dy)


def complex_(real, imag, name=None):  # noqa: A002
    """Builds a complex tensor from real and imaginary parts of one float dtype."""
    return _complex(*binary_args(real, imag, "Complex"))


@primitive("Angle", shape=rules.same_shape, dtype=rules.real_of, allowed=INEXACT)
def _angle(x):
    # In double precision, then rounded: float32 arctan2 can be an ulp off TensorFlow's.
    return np.angle(x.astype(np.complex128)).astype(x.real.dtype)


@_angle.grad
def _angle_grad(op, dy):
    x, = op.inputs
    re, im = real(x), imag(x)
    z = reciprocal(complex_(im, re))
    return -complex_(dy, zeros_like_(dy)) * z


def angle(input, name=None):  # noqa: A002
    """The argument of a complex number; for real input, pi where negative and 0 elsewhere."""
    x = to_tensor(input)
    if x._value.dtype.kind == "c":
        return _angle(x)
    if x._value.dtype.kind != "f":
        raise TypeError(f"Cannot convert {np.pi!r} to EagerTensor of dtype {x.dtype.name}")
    return where_(less(x, 0), np.pi * ones_like_(x), zeros_like_(x))


# ---------------------------------------------------------------------------------------
# Element-wise helpers used above; defined at the end to avoid import cycles.
# ---------------------------------------------------------------------------------------

def zeros_like_(x):
    """array_ops.zeros_like, imported late to avoid an import cycle."""
    from tapeflow._src.ops.array_ops import zeros_like
    return zeros_like(x)


def ones_like_(x):
    """array_ops.ones_like, imported late to avoid an import cycle."""
    from tapeflow._src.ops.array_ops import ones_like
    return ones_like(x)


def where_(c, x, y):
    """array_ops.where, imported late to avoid an import cycle."""
    from tapeflow._src.ops.array_ops import where
    return where(c, x, y)


@primitive("AddN", dtype=rules.same_as_input, allowed=NUMERIC)
def _add_n(*xs):
    out = xs[0].copy()
    for x in xs[1:]:
        out += x
    return out


@_add_n.grad
def _add_n_grad(op, dy):
    return (dy,) * len(op.inputs)


def add_n(inputs, name=None):
    """Sums a list of tensors of the same shape and dtype (no broadcasting).

    >>> tf.add_n([tf.constant([1, 2]), tf.constant([3, 4])]).numpy()
    array([4, 6], dtype=int32)
    """
    xs = [to_tensor(x) for x in inputs] if inputs is not None else []
    if not xs:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape.")
    for i, x in enumerate(xs[1:], 1):
        if x._value.dtype != xs[0]._value.dtype:
            from tapeflow._src.ops._helpers import dtype_mismatch
            raise dtype_mismatch("AddN", xs[0].dtype, x.dtype, index=i)
        if x._value.shape != xs[0]._value.shape:
            raise InvalidArgumentError(None, None, f"Inputs to operation AddN of type AddN "
                                       f"must have the same size and shape.  Input 0: "
                                       f"{list(xs[0]._value.shape)} != input {i}: "
                                       f"{list(x._value.shape)} [Op:AddN] name: ")
    if len(xs) == 1:
        return xs[0]
    return _add_n(*xs)

"""Element-wise math: arithmetic, unary functions, comparisons, logic and casts.

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
    return np.add(x, y)


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
    return _add(*binary_args(x, y, "AddV2"))


@primitive("Sub", shape=rules.broadcast, dtype=rules.same_as_input, allowed=NUMERIC)
def _sub(x, y):
    return np.subtract(x, y)


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
    return np.multiply(x, y)


@_mul.grad
def _mul_grad(op, dy):
    x, y = op.inputs
    return dy * _conj(y), dy * _conj(x)


def multiply(x, y, name=None):
    """Returns x * y element-wise, with broadcasting."""
    if type(x) is _T and type(y) is _T and x._value.dtype is y._value.dtype:
        return _mul(x, y)
    return _mul(*binary_args(x, y, "Mul"))


@primitive("RealDiv", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
def _real_div(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(x, y)


@_real_div.grad
def _real_div_grad(op, dy):
    x, y = op.inputs
    return dy / _conj(y), -dy * _conj(x / (y * y))


# TensorFlow's truediv: small ints -> float32, 32/64-bit ints -> float64.
_TRUEDIV_INT = {np.dtype(np.int8): np.float32, np.dtype(np.int16): np.float32,
                np.dtype(np.uint8): np.float32, np.dtype(np.uint16): np.float32,
                np.dtype(np.int32): np.float64, np.dtype(np.int64): np.float64,
                np.dtype(np.uint32): np.float64, np.dtype(np.uint64): np.float64}


def truediv(x, y, name=None):
    """Divides x / y as floats; integer inputs are cast to float first (as TensorFlow does).

    >>> tf.math.truediv(1, 2).dtype
    tf.float64
    """
    x, y = binary_args(x, y, "RealDiv")
    to = _TRUEDIV_INT.get(x._value.dtype)
    if to is not None:
        x, y = cast(x, to), cast(y, to)
    elif x._value.dtype.kind not in "fc":
        raise TypeError(f"Invalid dtype {x.dtype} in __truediv__")
    return _real_div(x, y)


def divide(x, y, name=None):
    """Same as `truediv`: x / y computed in floating point."""
    return truediv(x, y)


def realdiv(x, y, name=None):
    return _real_div(*binary_args(x, y, "RealDiv"))


@primitive("DivNoNan", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
def _div_no_nan(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(x, y)
    return np.where(y == 0, np.zeros((), out.dtype), out)


@_div_no_nan.grad
def _div_no_nan_grad(op, dy):
    x, y = op.inputs
    return div_no_nan(dy, y), dy * div_no_nan(div_no_nan(-x, y), y)


def div_no_nan(x, y, name=None):
    """x / y, but 0 wherever y is 0."""
    return _div_no_nan(*binary_args(x, y, "DivNoNan"))


def _int_zero_check(y, name):
    if y.dtype.kind in "iu" and not np.all(y):
        raise InvalidArgumentError(None, None, f"Integer division by zero [Op:{name}] name: ")


@primitive("FloorDiv", shape=rules.broadcast, dtype=rules.same_as_input,
           allowed=REAL, differentiable=False)
def _floor_div(x, y):
    _int_zero_check(y, "FloorDiv")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(x, y)


def floordiv(x, y, name=None):
    """floor(x / y) element-wise; integer division by zero is an error."""
    return _floor_div(*binary_args(x, y, "FloorDiv"))


floor_div = floordiv


@primitive("FloorMod", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL)
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


@primitive("TruncateDiv", shape=rules.broadcast, dtype=rules.same_as_input, allowed=REAL,
           differentiable=False)
def _truncate_div(x, y):
    _int_zero_check(y, "TruncateDiv")
    if x.dtype.kind in "iu":
        q = np.abs(x) // np.abs(y)
        return (q * np.sign(x) * np.sign(y)).astype(x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(x / y)


def truncatediv(x, y, name=None):
    return _truncate_div(*binary_args(x, y, "TruncateDiv"))


@primitive("Pow", shape=rules.broadcast, dtype=rules.same_as_input, allowed=NUMERIC)
def _pow(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise InvalidArgumentError(
            None, None, "Integers to negative integer powers are not allowed [Op:Pow] name: ")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(x, y)


@_pow.grad
def _pow_grad(op, dy):
    x, y = op.inputs
    z, = op.outputs
    gx = dy * _conj(y * pow(x, y - 1))
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
           allowed=NUMERIC)
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
def _xdivy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.zeros((), np.result_type(x, y)), x / y)


@_xdivy.grad
def _xdivy_grad(op, dy):
    x, y = op.inputs
    nz = cast(not_equal(x, 0), dy.dtype)
    return dy * nz / y, -dy * xdivy(x, y * y)


def xdivy(x, y, name=None):
    """0 if x == 0 else x / y."""
    return _xdivy(*binary_args(x, y, "Xdivy"))


@primitive("Xlogy", shape=rules.broadcast, dtype=rules.same_as_input, allowed=INEXACT)
def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.zeros((), np.result_type(x, y)), x * np.log(y))


@_xlogy.grad
def _xlogy_grad(op, dy):
    x, y = op.inputs
    nz = cast(not_equal(x, 0), dy.dtype)
    return dy * nz * log(y), dy * xdivy(x, y)


def xlogy(x, y, name=None):
    """0 if x == 0 else x * log(y)."""
    return _xlogy(*binary_args(x, y, "Xlogy"))


# ---------------------------------------------------------------------------------------
# Unary functions
# ---------------------------------------------------------------------------------------

def _unary(name, fn, allowed, differentiable=True, errstate=False):
    """Builds an element-wise primitive from a NumPy ufunc (the gradient comes separately)."""
    if errstate:
        def forward(x):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return fn(x)
    else:
        def forward(x):
            return fn(x)
    forward.__name__ = f"_{name.lower()}"
    return primitive(name, shape=rules.same_shape, dtype=rules.same_as_input,
                     allowed=allowed, differentiable=differentiable)(forward)


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
        return cast(dy, x.dtype) * x / cast(y, x.dtype)  # TF: complex grad is dy * x / |x|
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
    return _sin(to_tensor(x))


_cos = _unary("Cos", np.cos, INEXACT)


@_cos.grad
def _cos_grad(op, dy):
    return -dy * _conj(sin(op.inputs[0]))


def cos(x, name=None):
    return _cos(to_tensor(x))


_tan = _unary("Tan", np.tan, INEXACT)


@_tan.grad
def _tan_grad(op, dy):
    c = cos(op.inputs[0])
    return dy / _conj(c * c)


def tan(x, name=None):
    return _tan(to_tensor(x))


_asin = _unary("Asin", np.arcsin, INEXACT, errstate=True)


@_asin.grad
def _asin_grad(op, dy):
    x, = op.inputs
    return dy * rsqrt(1 - x * x)


def asin(x, name=None):
    return _asin(to_tensor(x))


_acos = _unary("Acos", np.arccos, INEXACT, errstate=True)


@_acos.grad
def _acos_grad(op, dy):
    x, = op.inputs
    return -dy * rsqrt(1 - x * x)


def acos(x, name=None):
    return _acos(to_tensor(x))


_atan = _unary("Atan", np.arctan, INEXACT)


@_atan.grad
def _atan_grad(op, dy):
    x, = op.inputs
    return dy / (1 + x * x)


def atan(x, name=None):
    return _atan(to_tensor(x))


_sinh = _unary("Sinh", np.sinh, INEXACT, errstate=True)


@_sinh.grad
def _sinh_grad(op, dy):
    return dy * _conj(cosh(op.inputs[0]))


def sinh(x, name=None):
    return _sinh(to_tensor(x))


_cosh = _unary("Cosh", np.cosh, INEXACT, errstate=True)


@_cosh.grad
def _cosh_grad(op, dy):
    return dy * _conj(sinh(op.inputs[0]))


def cosh(x, name=None):
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
    x, = op.inputs
    return dy * rsqrt(x * x + 1)


def asinh(x, name=None):
    return _asinh(to_tensor(x))


_acosh = _unary("Acosh", np.arccosh, INEXACT, errstate=True)


@_acosh.grad
def _acosh_grad(op, dy):
    x, = op.inputs
    return dy * rsqrt(x * x - 1)


def acosh(x, name=None):
    return _acosh(to_tensor(x))


_atanh = _unary("Atanh", np.arctanh, INEXACT, errstate=True)


@_atanh.grad
def _atanh_grad(op, dy):
    x, = op.inputs
    return dy / (1 - x * x)


def atanh(x, name=None):
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
    return 1 - erf(x)


_reciprocal = _unary("Reciprocal", np.reciprocal, INEXACT, errstate=True)


@_reciprocal.grad
def _reciprocal_grad(op, dy):
    y, = op.outputs
    return -dy * _conj(y * y)


def reciprocal(x, name=None):
    """1 / x element-wise."""
    return _reciprocal(to_tensor(x))


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
    return _complex(*binary_args(real, imag, "Complex"))


@primitive("Angle", shape=rules.same_shape, dtype=rules.real_of, allowed=INEXACT)
def _angle(x):
    return np.angle(x).astype(x.real.dtype)


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
    return where_(less(x, 0), np.pi * ones_like_(x), zeros_like_(x))


# ---------------------------------------------------------------------------------------
# Comparisons and logic (never differentiated)
# ---------------------------------------------------------------------------------------

def _compare(name, fn, allowed):
    def forward(x, y):
        return fn(x, y)
    forward.__name__ = f"_{name.lower()}"
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
                   differentiable=False)(_eq_forward)
_not_equal = primitive("NotEqual", shape=rules.broadcast, dtype=rules.to_bool,
                       differentiable=False)(lambda x, y: np.not_equal(x, y))


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
    if y is None:
        return True
    eq = tensor_equals(x, y)
    return logical_not(eq)


def _wrap_bool(b):
    from tapeflow._src.framework.tensor import _wrap
    return _wrap(np.bool_(b))


_BOOL = {D.bool_}
_logical_and = primitive("LogicalAnd", shape=rules.broadcast, dtype=rules.to_bool,
                         allowed=_BOOL, differentiable=False)(lambda x, y: np.logical_and(x, y))
_logical_or = primitive("LogicalOr", shape=rules.broadcast, dtype=rules.to_bool,
                        allowed=_BOOL, differentiable=False)(lambda x, y: np.logical_or(x, y))
_logical_not = primitive("LogicalNot", shape=rules.same_shape, dtype=rules.to_bool,
                         allowed=_BOOL, differentiable=False)(lambda x: np.logical_not(x))


def logical_and(x, y, name=None):
    return _logical_and(*binary_args(x, y, "LogicalAnd"))


def logical_or(x, y, name=None):
    return _logical_or(*binary_args(x, y, "LogicalOr"))


def logical_not(x, name=None):
    return _logical_not(to_tensor(x))


def logical_xor(x, y, name=None):
    """(x or y) and not (x and y)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


_is_nan = primitive("IsNan", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                    differentiable=False)(lambda x: np.isnan(x))
_is_inf = primitive("IsInf", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                    differentiable=False)(lambda x: np.isinf(x))
_is_finite = primitive("IsFinite", shape=rules.same_shape, dtype=rules.to_bool, allowed=FLOAT,
                       differentiable=False)(lambda x: np.isfinite(x))


def is_nan(x, name=None):
    return _is_nan(to_tensor(x))


def is_inf(x, name=None):
    return _is_inf(to_tensor(x))


def is_finite(x, name=None):
    return _is_finite(to_tensor(x))


# ---------------------------------------------------------------------------------------
# Bitwise ops (integers only)
# ---------------------------------------------------------------------------------------

_bitwise_and = primitive("BitwiseAnd", shape=rules.broadcast, dtype=rules.same_as_input,
                         allowed=INTS, differentiable=False)(lambda x, y: np.bitwise_and(x, y))
_bitwise_or = primitive("BitwiseOr", shape=rules.broadcast, dtype=rules.same_as_input,
                        allowed=INTS, differentiable=False)(lambda x, y: np.bitwise_or(x, y))
_bitwise_xor = primitive("BitwiseXor", shape=rules.broadcast, dtype=rules.same_as_input,
                         allowed=INTS, differentiable=False)(lambda x, y: np.bitwise_xor(x, y))
_invert = primitive("Invert", shape=rules.same_shape, dtype=rules.same_as_input,
                    allowed=INTS, differentiable=False)(lambda x: np.invert(x))


def _shift_check(y, bits):
    return np.clip(y, 0, bits - 1)


_left_shift = primitive("LeftShift", shape=rules.broadcast, dtype=rules.same_as_input,
                        allowed=INTS, differentiable=False)(lambda x, y: np.left_shift(x, y))
_right_shift = primitive("RightShift", shape=rules.broadcast, dtype=rules.same_as_input,
                         allowed=INTS, differentiable=False)(lambda x, y: np.right_shift(x, y))


def bitwise_and(x, y, name=None):
    return _bitwise_and(*binary_args(x, y, "BitwiseAnd"))


def bitwise_or(x, y, name=None):
    return _bitwise_or(*binary_args(x, y, "BitwiseOr"))


def bitwise_xor(x, y, name=None):
    return _bitwise_xor(*binary_args(x, y, "BitwiseXor"))


def invert(x, name=None):
    return _invert(to_tensor(x))


def left_shift(x, y, name=None):
    return _left_shift(*binary_args(x, y, "LeftShift"))


def right_shift(x, y, name=None):
    return _right_shift(*binary_args(x, y, "RightShift"))


# ---------------------------------------------------------------------------------------
# Casts
# ---------------------------------------------------------------------------------------

@primitive("Cast", shape=rules.same_shape)
def _cast(x, *, to):
    if to.kind == "O":
        raise InvalidArgumentError(None, None, "Cast to string is not supported")
    if x.dtype.kind == "O":
        raise InvalidArgumentError(None, None, "Cast string to number is not supported")
    if x.dtype.kind == "c" and to.kind != "c":
        x = np.real(x)
    if x.dtype.kind == "f" and to.kind in "iu":
        # TensorFlow truncates toward zero and wraps like C; NaN becomes 0-ish garbage there.
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(to)
    if x.dtype.kind in "iu" and to.kind in "iu":
        return x.astype(to)
    return x.astype(to)


@_cast.grad
def _cast_grad(op, dy):
    x, = op.inputs
    if x._value.dtype.kind in "fc" and dy._value.dtype.kind in "fc":
        return cast(dy, x.dtype)
    return None


def cast(x, dtype, name=None):
    """Casts x to `dtype` (floats to ints truncate toward zero; complex to real drops the
    imaginary part). The gradient flows only between floating/complex dtypes.

    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32).numpy()
    array([ 1, -1], dtype=int32)
    """
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(x, Tensor):
        from tapeflow._src.framework.variables import Variable
        if isinstance(x, Variable):
            x = x._read()
        else:
            x = _convert_for_cast(x, dtype)
    if x._value.dtype == dtype._np:
        return x
    return _cast(x, to=dtype._np)


def _convert_for_cast(x, dtype):
    from tapeflow._src.framework.convert import convert_to_tensor
    if isinstance(x, (np.ndarray, np.generic)):
        return convert_to_tensor(x)
    try:
        return convert_to_tensor(x, dtype=dtype)
    except (TypeError, ValueError):
        return convert_to_tensor(x)


def saturate_cast(value, dtype, name=None):
    """Casts, clamping values to the target dtype's range first (no wrap-around)."""
    dtype = dtypes.as_dtype(dtype)
    x = to_tensor(value)
    if x.dtype.is_complex and not dtype.is_complex:
        x = real(x)
    if dtype.is_integer or dtype.is_floating:
        src = x.dtype
        lo, hi = dtype.min, dtype.max
        if src.is_integer or src.is_floating:
            if src.min < lo:
                x = maximum(x, cast(np.array(lo).astype(src._np) if src.is_floating
                                    else _clamp_int(lo, src), src))
            if src.max > hi:
                x = minimum(x, cast(np.array(hi).astype(src._np) if src.is_floating
                                    else _clamp_int(hi, src), src))
    return cast(x, dtype)


def _clamp_int(v, src):
    return np.array(v, dtype=src._np)


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32)


# ---------------------------------------------------------------------------------------
# Element-wise helpers used above; defined at the end to avoid import cycles.
# ---------------------------------------------------------------------------------------

def zeros_like_(x):
    from tapeflow._src.ops.array_ops import zeros_like
    return zeros_like(x)


def ones_like_(x):
    from tapeflow._src.ops.array_ops import ones_like
    return ones_like(x)


def where_(c, x, y):
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
    """Sums a list of tensors of the same shape and dtype."""
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors.")
    xs = [to_tensor(x) for x in inputs]
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

"""`tf.math`: element-wise math, reductions and segment ops (re-exports only)."""

from tapeflow._src.ops.cumulative_ops import cumprod, cumsum
from tapeflow._src.ops.math_ops import (
    abs, acos, acosh, add, add_n, angle, asin, asinh, atan, atan2, atanh, ceil, conj, cos, cosh,
    div_no_nan, divide, equal, erf, erfc, exp, expm1, floor, floordiv, floormod, greater,
    greater_equal, imag, is_finite, is_inf, is_nan, less, less_equal, log, log1p,
    logical_and, logical_not, logical_or, logical_xor, maximum, minimum, multiply,
    negative, not_equal, pow, real, reciprocal, rint, round, rsqrt, sigmoid, sign, sin,
    sinh, sqrt, square, squared_difference, subtract, tan, tanh, truediv, truncatediv,
    xdivy, xlogy,
)
from tapeflow._src.ops.math_ops import floormod as mod
from tapeflow._src.ops.reduction_ops import (
    argmax, argmin, reduce_all, reduce_any, reduce_max, reduce_mean, reduce_min,
    reduce_prod, reduce_sum,
)

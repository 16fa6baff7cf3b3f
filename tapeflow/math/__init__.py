"""`tf.math`: element-wise math, reductions and segment ops (re-exports only)."""

from tapeflow._src.ops.cumulative_ops import cumprod, cumsum
from tapeflow._src.ops.math_clip_ops import clip_by_norm, clip_by_value  # noqa: F401
from tapeflow._src.ops.math_ops import (
    abs, acos, acosh, add, add_n, angle, asin, asinh, atan, atan2, atanh, ceil, conj, cos, cosh,
    div_no_nan, divide, divide_no_nan, equal, erf, erfc, exp, expm1, floor, floordiv,
    floormod, greater, greater_equal, imag, is_finite, is_inf, is_nan, less, less_equal, log,
    log1p, logical_and, logical_not, logical_or, logical_xor, maximum, minimum, multiply,
    negative, not_equal, pow, real, reciprocal, rint, round, rsqrt, sigmoid, sign, sin,
    sinh, sqrt, square, squared_difference, subtract, tan, tanh, truediv, truncatediv,
    truncatemod, xdivy, xlogy,
)
from tapeflow._src.ops.math_ops import floormod as mod
from tapeflow._src.ops.math_topk_ops import top_k
from tapeflow._src.ops.nn_ops import (
    l2_normalize, log_sigmoid, log_softmax, softmax, softplus, softsign,
)
from tapeflow._src.ops.reduction_ops import (
    argmax, argmin, count_nonzero, reduce_all, reduce_any, reduce_logsumexp, reduce_max,
    reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum, reduce_variance,
)
from tapeflow._src.ops.segment_ops import (
    segment_max, segment_mean, segment_min, segment_prod, segment_sum,
    unsorted_segment_max, unsorted_segment_mean, unsorted_segment_min,
    unsorted_segment_prod, unsorted_segment_sqrt_n, unsorted_segment_sum,
)
from tapeflow._src.ops.math_extra_ops import (  # noqa: F401
    accumulate_n, bincount, confusion_matrix, cumulative_logsumexp, in_top_k,
    invert_permutation, is_non_decreasing, is_strictly_increasing, multiply_no_nan, nextafter,
    polyval, reciprocal_no_nan, reduce_euclidean_norm, scalar_mul, xlog1py, zero_fraction,
)
from tapeflow._src.ops.special_math_ops import (  # noqa: F401
    bessel_i0, bessel_i0e, bessel_i1, bessel_i1e, betainc, digamma, erfcinv, erfinv, igamma,
    igammac, lbeta, lgamma, ndtri, polygamma, zeta,
)
from tapeflow.math import special  # noqa: F401

from tapeflow._src.ops import dispatch as _dispatch  # noqa: E402

_dispatch.install(globals())  # ragged arguments go to their ragged versions

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.math", __name__)

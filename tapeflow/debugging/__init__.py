"""`tf.debugging`: assertions, numeric checks and gradient explanations (re-exports only)."""

from tapeflow._src.autodiff.assertions import (
    assert_equal,
    assert_near,
    assert_rank,
    assert_shapes,
)
from tapeflow._src.autodiff.explain import Explanation, GradientExplanationError, explain_gradients
from tapeflow._src.autodiff.numerics import (
    assert_all_finite,
    check_numerics,
    disable_check_numerics,
    enable_check_numerics,
)

__all__ = ["Explanation", "GradientExplanationError", "assert_all_finite", "assert_equal",
           "assert_near", "assert_rank", "assert_shapes", "check_numerics",
           "disable_check_numerics", "enable_check_numerics", "explain_gradients"]

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.debugging", __name__)

"""`tf.bitwise`: bitwise ops on integer tensors (re-exports only)."""

from tapeflow._src.ops.math_compare_ops import bitwise_and, bitwise_or, bitwise_xor, invert
from tapeflow._src.ops.math_compare_ops import left_shift, right_shift

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.bitwise", __name__)

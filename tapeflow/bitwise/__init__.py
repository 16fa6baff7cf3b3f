"""`tf.bitwise`: bitwise ops on integer tensors (re-exports only)."""

from tapeflow._src.ops.math_compare_ops import bitwise_and, bitwise_or, bitwise_xor, invert
from tapeflow._src.ops.math_compare_ops import left_shift, right_shift

"""`tf.linalg`: matrix ops (re-exports only)."""

from tapeflow._src.ops.array_ops import eye
from tapeflow._src.ops.linalg_ops import matmul

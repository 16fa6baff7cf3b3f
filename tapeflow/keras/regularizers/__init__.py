"""`tf.keras.regularizers` (re-exports only)."""

from tapeflow._src.keras.regularizers import (  # noqa: F401
    L1, L2, L1L2, Regularizer, deserialize, get, l1, l1_l2, l2, serialize,
)

"""`tf.keras.constraints` (re-exports only)."""

from tapeflow._src.keras.constraints import (  # noqa: F401
    Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm, get, max_norm, min_max_norm, non_neg,
    serialize, unit_norm,
)

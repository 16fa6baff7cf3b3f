"""`tf.keras.optimizers.schedules` (re-exports only)."""

from tapeflow._src.keras.optimizers import (  # noqa: F401
    CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule,
    PiecewiseConstantDecay,
)

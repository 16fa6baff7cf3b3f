"""`tf.keras.optimizers` (re-exports only)."""

from tapeflow._src.keras.optimizers import (  # noqa: F401
    SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop, deserialize, get,
    serialize,
)
from tapeflow.keras.optimizers import schedules  # noqa: F401

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.optimizers", __name__)

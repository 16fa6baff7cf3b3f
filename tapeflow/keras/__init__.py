"""`tf.keras`: Keras 2 (tf_keras) models, layers, losses, metrics and optimizers (re-exports)."""

from tapeflow.keras import (  # noqa: F401
    activations, backend, callbacks, constraints, datasets, initializers, layers, losses,
    metrics, models, optimizers, regularizers, utils,
)
from tapeflow._src.keras.engine import Input  # noqa: F401
from tapeflow._src.keras.training import Model, Sequential  # noqa: F401

__version__ = "2.21.0"

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras", __name__)

"""`tf.keras.activations` (re-exports only)."""

from tapeflow._src.keras.activations import (  # noqa: F401
    deserialize, elu, exponential, gelu, get, hard_sigmoid, linear, log_softmax, mish, relu,
    selu, serialize, sigmoid, silu, softmax, softplus, softsign, swish, tanh,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.activations", __name__)

"""`tf.keras.activations` (re-exports only)."""

from tapeflow._src.keras.activations import (  # noqa: F401
    deserialize, elu, exponential, gelu, get, hard_sigmoid, linear, log_softmax, mish, relu,
    selu, serialize, sigmoid, silu, softmax, softplus, softsign, swish, tanh,
)

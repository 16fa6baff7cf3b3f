"""`tf.nn`: activations, losses and neural-network layers' ops (re-exports only)."""

from tapeflow._src.ops.math_ops import sigmoid, tanh
from tapeflow._src.ops.nn_ops import (
    log_softmax, relu, softmax, sparse_softmax_cross_entropy_with_logits,
)

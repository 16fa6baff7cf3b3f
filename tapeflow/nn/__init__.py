"""`tf.nn`: activations, losses and neural-network layers' ops (re-exports only)."""

from tapeflow._src.ops.math_ops import sigmoid, tanh

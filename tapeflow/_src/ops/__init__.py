"""The op library: one module per TensorFlow op family, built on `registry.primitive`."""

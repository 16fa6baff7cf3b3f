"""`tf.random`: seeded random tensors (re-exports only)."""

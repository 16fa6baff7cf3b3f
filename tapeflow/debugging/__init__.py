"""`tf.debugging`: assertions and numeric checks (re-exports only)."""

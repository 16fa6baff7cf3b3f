"""`tf.strings`: string tensor ops (re-exports only)."""

"""tf.data implementation (public names are re-exported by tapeflow.data)."""

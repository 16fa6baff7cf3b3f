"""tf.keras (Keras 2 semantics) implemented on tapeflow ops. Public names live in tapeflow.keras."""

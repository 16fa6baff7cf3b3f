"""Keras layer implementations (public names are re-exported by tapeflow.keras.layers)."""

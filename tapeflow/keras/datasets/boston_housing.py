"""`tf.keras.datasets.boston_housing`: load_data()."""

from tapeflow._src.keras.datasets.boston_housing import load_data  # noqa: F401

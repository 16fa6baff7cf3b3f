"""`tf.keras.datasets.fashion_mnist`: load_data()."""

from tapeflow._src.keras.datasets import fashion_mnist_load_data as load_data  # noqa: F401

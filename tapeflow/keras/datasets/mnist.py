"""`tf.keras.datasets.mnist`: load_data() (download) and load_sample() (offline sample)."""

from tapeflow._src.keras.datasets import mnist_load_data as load_data  # noqa: F401
from tapeflow._src.keras.datasets import mnist_load_sample as load_sample  # noqa: F401

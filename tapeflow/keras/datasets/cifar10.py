"""`tf.keras.datasets.cifar10`: load_data()."""

from tapeflow._src.keras.datasets.cifar import cifar10_load_data as load_data  # noqa: F401

"""`tf.keras.datasets.cifar100`: load_data(label_mode='fine')."""

from tapeflow._src.keras.datasets.cifar import cifar100_load_data as load_data  # noqa: F401

"""`tf.keras.datasets` (re-exports only)."""

from tapeflow.keras.datasets import (  # noqa: F401
    boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters,
)

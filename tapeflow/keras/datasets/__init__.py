"""`tf.keras.datasets` (re-exports only)."""

from tapeflow.keras.datasets import fashion_mnist, mnist  # noqa: F401

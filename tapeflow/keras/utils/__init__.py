"""`tf.keras.utils` (re-exports only)."""

from tapeflow._src.keras.datasets import get_file  # noqa: F401
from tapeflow._src.keras.utils import (  # noqa: F401
    Sequence, normalize, set_random_seed, to_categorical,
)

"""`tf.keras.utils` (re-exports only)."""

from tapeflow._src.keras.datasets import get_file  # noqa: F401
from tapeflow._src.keras.utils import (  # noqa: F401
    Sequence, normalize, set_random_seed, to_categorical,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.utils", __name__)

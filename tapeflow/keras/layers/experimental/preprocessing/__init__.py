"""`tf.keras.layers.experimental.preprocessing` (re-exports only): aliases of the
preprocessing layers in `tf.keras.layers`."""

from tapeflow.keras.layers import (  # noqa: F401
    CenterCrop, Normalization, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Rescaling, Resizing,
)
from tapeflow.keras.layers import (  # noqa: F401
    CategoryEncoding, Discretization, Hashing, IntegerLookup, StringLookup, TextVectorization,
)
from tapeflow._src.keras.layers.categorical import PreprocessingLayer  # noqa: F401

_LACKING = ("RandomHeight", "RandomWidth")


def __getattr__(name):
    if name in _LACKING:
        from tapeflow._src.util.missing import NotImplementedAPI
        raise NotImplementedAPI(f"tf.keras.layers.experimental.preprocessing.{name} is not "
                                f"implemented in tapeflow yet.")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")

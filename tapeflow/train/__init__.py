"""`tf.train`: Checkpoint, CheckpointManager and the tf.train.Example messages (re-exports only)."""

from tapeflow._src.io.example import (  # noqa: F401
    BytesList, Example, Feature, Features, FloatList, Int64List,
)
from tapeflow._src.keras.saving import Checkpoint, CheckpointManager, latest_checkpoint  # noqa: F401
from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.train", __name__)

"""`tf.train`: Checkpoint and CheckpointManager (re-exports only)."""

from tapeflow._src.keras.saving import Checkpoint, CheckpointManager, latest_checkpoint  # noqa: F401

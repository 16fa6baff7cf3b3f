"""`tf.distribute.experimental` (re-exports only)."""

from tapeflow._src.distribute.strategy import (  # noqa: F401
    CommunicationImplementation,
    CommunicationOptions,
    MultiWorkerMirroredStrategy,
    ValueContext,
)

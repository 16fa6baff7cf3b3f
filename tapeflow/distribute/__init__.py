"""`tf.distribute` (re-exports only)."""

from tapeflow._src.distribute.strategy import (  # noqa: F401
    InputContext,
    InputOptions,
    MirroredStrategy,
    MultiWorkerMirroredStrategy,
    ReduceOp,
    ReplicaContext,
    Strategy,
    StrategyExtended,
    experimental_set_strategy,
    get_replica_context,
    get_strategy,
    has_strategy,
    in_cross_replica_context,
)
from tapeflow.distribute import experimental  # noqa: F401

"""`tf.distribute` (re-exports only)."""

from tapeflow._src.distribute.strategy import (  # noqa: F401
    CrossDeviceOps,
    HierarchicalCopyAllReduce,
    InputContext,
    InputOptions,
    MirroredStrategy,
    MultiWorkerMirroredStrategy,
    NcclAllReduce,
    OneDeviceStrategy,
    ReduceOp,
    ReductionToOneDevice,
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

_NOT_IMPLEMENTED = ("TPUStrategy", "ParameterServerStrategy", "CentralStorageStrategy",
                    "DistributedDataset", "DistributedIterator", "DistributedValues",
                    "experimental_set_strategy_for_testing", "cluster_resolver", "coordinator",
                    "StrategyExtended_v1", "RunOptions")


def __getattr__(name):
    if name in _NOT_IMPLEMENTED:
        raise NotImplementedError(
            f"tf.distribute.{name} is not implemented in tapeflow: it has the default strategy, "
            "OneDeviceStrategy, MirroredStrategy (one CPU device) and "
            "MultiWorkerMirroredStrategy (processes over MPI).")
    raise AttributeError(f"module 'tapeflow.distribute' has no attribute '{name}'")

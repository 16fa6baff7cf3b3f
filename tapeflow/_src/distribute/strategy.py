"""tf.distribute: the default strategy, MirroredStrategy (one process) and
MultiWorkerMirroredStrategy (data parallelism across processes over MPI).

Each worker process holds one replica. Variables created under `scope()` by Keras start
with rank 0's values, `Optimizer.apply_gradients` sums gradients over workers before
applying them (as TensorFlow's optimizers do under a strategy), and `Model.fit` splits each
global batch between workers and scales the loss so that the sum is the global-batch mean.

The stack of entered strategies lives here rather than in framework/context.py because
nothing outside tf.distribute and Keras reads it.
"""

from __future__ import annotations

import contextlib
import enum

import numpy as np

from tapeflow._src.distribute import collective

_stack: list = []          # strategies entered with `scope()`, innermost last
_replica_stack: list = []  # replica contexts entered by `Strategy.run`


class ReduceOp(enum.Enum):
    """How `Strategy.reduce` and `ReplicaContext.all_reduce` combine values."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation):
        name = getattr(aggregation, "name", str(aggregation)).upper()
        if name in ("SUM", "MEAN"):
            return ReduceOp[name]
        raise ValueError(f"Could not convert from `tf.VariableAggregation` {aggregation} to "
                         "`tf.distribute.ReduceOp` type")


def _reduce_op(op):
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ("SUM", "MEAN"):
        return ReduceOp[op.upper()]
    raise ValueError(f"{op!r} is not a valid ReduceOp")


class InputContext:
    """What an input function needs to read its own shard: pipeline id and count.

    >>> ctx = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1,
    ...                                  num_replicas_in_sync=2)
    >>> ctx.get_per_replica_batch_size(64)
    32
    """

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self._num_input_pipelines = num_input_pipelines
        self._input_pipeline_id = input_pipeline_id
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas_in_sync

    @property
    def input_pipeline_id(self):
        return self._input_pipeline_id

    @property
    def num_input_pipelines(self):
        return self._num_input_pipelines

    def get_per_replica_batch_size(self, global_batch_size):
        if global_batch_size % self._num_replicas_in_sync != 0:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible by "
                             f"`num_replicas_in_sync` {self._num_replicas_in_sync} ")
        return global_batch_size // self._num_replicas_in_sync

    def __str__(self):
        return (f"tf.distribute.InputContext(input pipeline id {self._input_pipeline_id}, "
                f"total: {self._num_input_pipelines})")


class InputOptions:
    """Options of `experimental_distribute_dataset` (accepted; CPU-only here, so unused)."""

    def __init__(self, experimental_fetch_to_device=None, experimental_replication_mode=None,
                 experimental_place_dataset_on_device=False,
                 experimental_per_replica_buffer_size=1):
        self.experimental_fetch_to_device = experimental_fetch_to_device
        self.experimental_replication_mode = experimental_replication_mode
        self.experimental_place_dataset_on_device = experimental_place_dataset_on_device
        self.experimental_per_replica_buffer_size = experimental_per_replica_buffer_size


class CommunicationOptions:
    """Collective options; `timeout_seconds` bounds how long a collective may wait.

    A collective that has not completed by then raises `tf.errors.DeadlineExceededError`
    naming the missing rank(s). The default comes from the environment variable
    TAPEFLOW_COLLECTIVE_TIMEOUT (300 s when unset).
    """

    def __init__(self, bytes_per_pack=0, timeout_seconds=None, implementation=None):
        if bytes_per_pack < 0:
            raise ValueError(f"bytes_per_pack must be non-negative, got {bytes_per_pack}")
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation


class CommunicationImplementation(enum.Enum):
    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


def _split_bounds(n, size, rank):
    """Bounds of rank's slice when n items are split into `size` near-equal parts."""
    base, extra = divmod(n, size)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _local_slice(batch, size, rank):
    """Rank's part of a global batch (a nest of tensors or arrays batched on axis 0)."""
    import tapeflow as tf

    def cut(t):
        n = t.shape[0]
        if n is None:
            raise ValueError("experimental_distribute_dataset needs a batched dataset.")
        lo, hi = _split_bounds(int(n), size, rank)
        return t[lo:hi]
    return tf.nest.map_structure(cut, batch)


def _first_dim(batch):
    import tapeflow as tf
    leaves = tf.nest.flatten(batch)
    return int(leaves[0].shape[0]) if leaves and leaves[0].shape.rank else 1


class DistributedDataset:
    """Iterates a global-batch dataset, yielding this worker's slice of each batch.

    Every worker reads the same global batches and keeps its own contiguous slice, so each
    element is used by exactly one worker per epoch and the global batch of every step is
    the one a single process would see.
    """

    def __init__(self, strategy, dataset):
        self._strategy = strategy
        self._dataset = dataset

    def __iter__(self):
        comm = self._strategy.extended._comm
        for batch in self._dataset:
            yield _local_slice(batch, comm.size, comm.rank)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def reduce(self, initial_state, reduce_func):
        state = initial_state
        for batch in self:
            state = reduce_func(state, batch)
        return state


class DistributedDatasetsFromFunction:
    """The dataset an input function made for this worker's `InputContext`."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __iter__(self):
        return iter(self._dataset)

    @property
    def element_spec(self):
        return self._dataset.element_spec


class StrategyExtended:
    """Per-strategy details (`strategy.extended`): devices, checkpointing roles, collectives."""

    def __init__(self, strategy, comm, devices):
        self._strategy = strategy
        self._comm = comm
        self._devices = tuple(devices)

    @property
    def worker_devices(self):
        return self._devices

    @property
    def parameter_devices(self):
        return self._devices

    @property
    def experimental_require_static_shapes(self):
        return False

    @property
    def _in_multi_worker_mode(self):
        return self._comm.size > 1

    @property
    def should_checkpoint(self):
        """True on the worker that writes checkpoints (rank 0)."""
        return self._comm.rank == 0

    @property
    def should_save_summary(self):
        return self._comm.rank == 0

    @property
    def should_init(self):
        return True

    @property
    def experimental_between_graph(self):
        return self._comm.size > 1

    @property
    def experimental_should_init(self):
        return True

    def variable_created_in_scope(self, v):
        return True

    # -- collectives used by Keras and the optimizers ----------------------------------------
    def _set_step(self, step):
        self._comm.step = step

    def _broadcast(self, arr, what="broadcast of initial values"):
        return collective.broadcast(self._comm, np.asarray(arr), 0, what)

    def _sum_arrays(self, arrays, what="all-reduce of gradients"):
        """Sums a list of arrays over workers in one message per dtype."""
        if self._comm.size == 1:
            return [np.asarray(a) for a in arrays]
        arrays = [np.asarray(a) for a in arrays]
        out = [None] * len(arrays)
        by_dtype = {}
        for i, a in enumerate(arrays):
            by_dtype.setdefault(a.dtype, []).append(i)
        for idx in by_dtype.values():
            flat = np.concatenate([arrays[i].reshape(-1) for i in idx]) if idx else None
            total = collective.all_reduce_sum(self._comm, flat, what)
            pos = 0
            for i in idx:
                n = arrays[i].size
                out[i] = total[pos:pos + n].reshape(arrays[i].shape)
                pos += n
        return out

    def _barrier(self, what="barrier"):
        collective.barrier(self._comm, what)


class ReplicaContext:
    """The context of one replica inside `Strategy.run`."""

    def __init__(self, strategy, replica_id_in_sync_group):
        self._strategy = strategy
        self._replica_id = replica_id_in_sync_group

    @property
    def strategy(self):
        return self._strategy

    @property
    def num_replicas_in_sync(self):
        return self._strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        import tapeflow as tf
        return tf.constant(self._replica_id, tf.int32)

    def all_reduce(self, reduce_op, value, options=None):
        """SUM or MEAN of `value` (a nest of tensors) over all replicas."""
        import tapeflow as tf
        op = _reduce_op(reduce_op)
        flat = tf.nest.flatten(value)
        arrays = [np.asarray(tf.convert_to_tensor(v).numpy()) for v in flat]
        sums = self._strategy.extended._sum_arrays(arrays, "all-reduce")
        n = self.num_replicas_in_sync
        outs = []
        for a, s in zip(arrays, sums):
            if op is ReduceOp.MEAN:
                s = (s / n).astype(a.dtype) if a.dtype.kind == "f" else s // n
            outs.append(tf.constant(s, dtype=tf.as_dtype(a.dtype)))
        return tf.nest.pack_sequence_as(value, outs)

    def merge_call(self, merge_fn, args=(), kwargs=None):
        return merge_fn(self._strategy, *args, **(kwargs or {}))


class Strategy:
    """Base class: how a computation is spread over replicas."""

    def __init__(self, comm, devices):
        self._comm = comm
        self._extended = StrategyExtended(self, comm, devices)

    @property
    def extended(self):
        return self._extended

    @property
    def num_replicas_in_sync(self):
        return self._comm.size

    @property
    def cluster_resolver(self):
        return None

    @contextlib.contextmanager
    def scope(self):
        """Makes this the current strategy: Keras models and optimizers created inside use it.

        >>> strategy = tf.distribute.MirroredStrategy()
        >>> with strategy.scope():
        ...     tf.distribute.get_strategy() is strategy
        True
        """
        _stack.append(self)
        try:
            yield self
        finally:
            _stack.pop()

    def run(self, fn, args=(), kwargs=None, options=None):
        """Calls `fn(*args, **kwargs)` as this worker's replica and returns its result."""
        _replica_stack.append(ReplicaContext(self, self._comm.rank))
        _stack.append(self)
        try:
            return fn(*args, **(kwargs or {}))
        finally:
            _stack.pop()
            _replica_stack.pop()

    def experimental_local_results(self, value):
        return (value,)

    def reduce(self, reduce_op, value, axis):
        """Combines per-replica `value`s with SUM or MEAN; with `axis`, also along that axis.

        With `axis`, MEAN divides by the total length of that axis over all replicas, i.e. it
        is the mean over the global batch.
        """
        import tapeflow as tf
        op = _reduce_op(reduce_op)
        value = tf.convert_to_tensor(value)
        a = np.asarray(value.numpy())
        count = 1
        if axis is not None:
            count = a.shape[axis]
            a = np.sum(a, axis=axis)
        ext = self._extended
        if axis is not None and op is ReduceOp.MEAN:
            total, n = ext._sum_arrays([a, np.array(count, np.int64)], "reduce")
            n = int(n)
        else:
            total, = ext._sum_arrays([a], "reduce")
            n = self._comm.size
        if op is ReduceOp.MEAN:
            if a.dtype.kind in "fc":
                total = (total / n).astype(a.dtype)
            elif axis is not None or n > 1:
                # true division: integers give float64, as TensorFlow's MEAN does
                return tf.constant(np.asarray(total / n, np.float64))
        return tf.constant(np.asarray(total, a.dtype), dtype=value.dtype)

    def gather(self, value, axis):
        """Concatenates every replica's `value` along `axis`, in replica order."""
        import tapeflow as tf
        value = tf.convert_to_tensor(value)
        parts = collective.all_gather_arrays(self._comm, np.asarray(value.numpy()), "gather")
        return tf.constant(np.concatenate(parts, axis=axis), dtype=value.dtype)

    def experimental_distribute_dataset(self, dataset, options=None):
        """This worker's view of a dataset of global batches (its slice of every batch)."""
        if self._comm.size == 1:
            return dataset
        return DistributedDataset(self, dataset)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """Calls `dataset_fn(InputContext)` once on this worker; it should shard and batch."""
        ctx = InputContext(self._comm.size, self._comm.rank, self.num_replicas_in_sync)
        return DistributedDatasetsFromFunction(dataset_fn(ctx))

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_distribute_values_from_function(self, value_fn):
        return value_fn(ValueContext(self._comm.rank, self.num_replicas_in_sync))


class ValueContext:
    """What `experimental_distribute_values_from_function` passes to its function."""

    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self.replica_id_in_sync_group = replica_id_in_sync_group
        self.num_replicas_in_sync = num_replicas_in_sync


class _DefaultStrategy(Strategy):
    """The strategy in effect outside any `scope()`: one replica, no communication."""

    def __init__(self):
        super().__init__(collective.LocalCommunicator(),
                         ["/job:localhost/replica:0/task:0/device:CPU:0"])


def _device_name(d):
    d = str(d).strip().lower()
    for prefix in ("/job:localhost/replica:0/task:0/device:", "/device:", "/"):
        d = d.removeprefix(prefix)
    kind, _, index = d.partition(":")
    return f"/job:localhost/replica:0/task:0/device:{kind.upper()}:{index or 0}"


class MirroredStrategy(Strategy):
    """Synchronous data parallelism inside one process; here one replica on the CPU.

    Args:
      devices: device names such as `["/cpu:0"]`; tapeflow runs everything on the CPU, so
        at most one device is accepted.
      cross_device_ops: accepted and unused (there is nothing to combine with one replica).

    >>> tf.distribute.MirroredStrategy().num_replicas_in_sync
    1
    """

    def __init__(self, devices=None, cross_device_ops=None):
        names = [_device_name(d) for d in (devices or ["/cpu:0"])]
        if len(names) > 1:
            raise NotImplementedError(
                f"MirroredStrategy over several devices {names} is not implemented in "
                "tapeflow (it computes on one CPU device); for data parallelism use "
                "MultiWorkerMirroredStrategy with one process per replica: "
                "`mpiexec -n N python train.py`.")
        super().__init__(collective.LocalCommunicator(), names)


class OneDeviceStrategy(Strategy):
    """Places everything on one device (here: the CPU); one replica, no communication.

    >>> tf.distribute.OneDeviceStrategy("/cpu:0").num_replicas_in_sync
    1
    """

    def __init__(self, device):
        super().__init__(collective.LocalCommunicator(), [_device_name(device)])


class CrossDeviceOps:
    """How MirroredStrategy would combine values across devices; with the single device
    tapeflow uses there is nothing to combine, so these are accepted and unused."""

    def __init__(self, *args, **kwargs):
        pass


class ReductionToOneDevice(CrossDeviceOps):
    pass


class HierarchicalCopyAllReduce(CrossDeviceOps):
    pass


class NcclAllReduce(CrossDeviceOps):
    pass


_mpi_comm = None


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous data parallelism across processes launched by `mpiexec -n N`.

    Each MPI rank is one worker with one replica. Requires mpi4py and an MPI library:
    `pip install 'tapeflow[distributed]'`.

    Args:
      cluster_resolver: must be None; the workers are the MPI ranks.
      communication_options: a `tf.distribute.experimental.CommunicationOptions`; its
        `timeout_seconds` bounds every collective.
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        global _mpi_comm
        if cluster_resolver is not None:
            raise NotImplementedError(
                "MultiWorkerMirroredStrategy(cluster_resolver=...) is not implemented in "
                "tapeflow: workers are the MPI ranks of `mpiexec -n N`.")
        timeout = getattr(communication_options, "timeout_seconds", None)
        if _mpi_comm is None:
            _mpi_comm = collective.MPICommunicator(timeout)
        elif timeout is not None:
            _mpi_comm.timeout = float(timeout)
        comm = _mpi_comm
        super().__init__(comm, [f"/job:worker/replica:0/task:{comm.rank}/device:CPU:0"])
        self._extended._in_collective_mode = True

    @property
    def cluster_resolver(self):
        return _MPIClusterResolver(self._comm)


class _MPIClusterResolver:
    """Describes the MPI job the way a ClusterResolver would."""

    def __init__(self, comm):
        self.task_type = "worker"
        self.task_id = comm.rank
        self._size = comm.size

    def num_accelerators(self, *args, **kwargs):
        return {}

    def cluster_spec(self):
        return {"worker": [f"rank{r}" for r in range(self._size)]}


_default = None


def get_strategy():
    """The strategy of the innermost `scope()`, or the default single-replica strategy."""
    global _default
    if _stack:
        return _stack[-1]
    if _default is None:
        _default = _DefaultStrategy()
    return _default


def has_strategy():
    """Whether a non-default strategy's scope is open."""
    return bool(_stack)


def in_cross_replica_context():
    return bool(_stack) and not _replica_stack


def get_replica_context():
    """The replica context inside `Strategy.run` (or the default one); None in cross-replica."""
    if _replica_stack:
        return _replica_stack[-1]
    if _stack:
        return None
    return ReplicaContext(get_strategy(), 0)


def experimental_set_strategy(strategy):
    """Makes `strategy` current until it is set to None (like entering its scope for good)."""
    _stack[:] = [] if strategy is None else [strategy]


def _multi_worker(strategy):
    """The strategy if it spans more than one worker, else None (hot paths test this)."""
    if strategy is not None and strategy._comm.size > 1:
        return strategy
    return None

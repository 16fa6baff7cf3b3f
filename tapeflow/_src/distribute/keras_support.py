"""What Keras does differently under a multi-worker strategy.

`Model.fit` / `evaluate`, `Layer.add_weight` and `Optimizer.apply_gradients` call these
helpers only when `multi_worker(...)` returned a strategy, so single-process training pays
one attribute test per call and nothing else.

* Weights created in scope are broadcast from rank 0 (`broadcast_initial_value`).
* Each global batch is split between workers (`local_batch`), and the loss is scaled by this
  worker's share of the batch (`loss_scale`), so that the gradient sum computed by
  `apply_gradients` (`aggregate_gradients`) is the gradient of the global-batch mean.
* Metric states are summed over workers before results are read (`global_logs`).
* Progress bar and callbacks run on rank 0; their decisions (stop_training, learning rate,
  weights restored by EarlyStopping) are broadcast to the other workers (`sync_after_callbacks`).
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.distribute import strategy as strategy_mod

# This worker's share of the current global batch while Model.fit runs a train step.
loss_scale = None


def current_multi_worker(captured=None):
    """The multi-worker strategy in effect (innermost scope, else `captured`), or None."""
    s = strategy_mod._stack[-1] if strategy_mod._stack else captured
    return strategy_mod._multi_worker(s)


def broadcast_initial_value(strategy, value):
    """Rank 0's initial value of a new weight (an ndarray or Tensor), as an ndarray."""
    arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    return strategy.extended._broadcast(arr, "broadcast of initial weights")


def aggregate_gradients(strategy, grads, variables, step):
    """Gradients summed over workers; variables never seen before first take rank 0's values."""
    import tapeflow as tf
    ext = strategy.extended
    ext._set_step(step)
    unsynced = [v for v in variables if not getattr(v, "_k_dist_synced", False)]
    if unsynced:
        values = [ext._broadcast(np.asarray(v.numpy()), "broadcast of variables")
                  for v in unsynced]
        for v, val in zip(unsynced, values):
            v.assign(val, read_value=False)
            v._k_dist_synced = True
    arrays = [np.asarray(g.numpy()) for g in grads]
    sums = ext._sum_arrays(arrays, "all-reduce of gradients")
    return [tf.constant(s, dtype=g.dtype) for s, g in zip(sums, grads)]


def mark_synced(variable):
    variable._k_dist_synced = True


# ---------------------------------------------------------------------------------------------
# Model.fit
# ---------------------------------------------------------------------------------------------

def fit_callbacks(strategy, verbose, callbacks):
    """(verbose, callbacks) for this worker: all of them on rank 0, else only those that must
    run everywhere (BackupAndRestore restores on every worker)."""
    if strategy.extended._comm.rank == 0:
        return verbose, callbacks
    kept = [c for c in (callbacks or []) if getattr(c, "_k_all_workers", False)]
    return 0, kept


def rank0_verbose(captured, verbose):
    """`verbose` on rank 0 of a multi-worker strategy (or without one), 0 on other ranks."""
    dist = current_multi_worker(captured)
    if dist is not None and dist.extended._comm.rank != 0:
        return 0
    return verbose


def sync_shuffle(strategy, handler):
    """Makes every worker shuffle the data in the same order (seed from rank 0)."""
    seed = np.random.SeedSequence().generate_state(2).astype(np.int64)
    seed = strategy.extended._broadcast(seed, "broadcast of the shuffle seed")
    handler._k_rng = np.random.default_rng([int(s) & 0xFFFFFFFF for s in seed])


def local_batch(strategy, batch):
    """(this worker's slice of a global batch, its size, the global size)."""
    comm = strategy.extended._comm
    n = strategy_mod._first_dim(batch)
    part = strategy_mod._local_slice(batch, comm.size, comm.rank)
    return part, strategy_mod._first_dim(part), n


def zero_step(model):
    """Takes part in a step's gradient all-reduce with zeros (this worker's slice is empty)."""
    import tapeflow as tf
    if not model.built or model.optimizer is None:
        raise ValueError("A global batch has fewer examples than there are workers on the "
                         "first step; use a larger batch size.")
    variables = model.trainable_variables
    model.optimizer.apply_gradients(zip([tf.zeros_like(v) for v in variables], variables))


def global_logs(strategy, model, logs):
    """`logs` with each metric's result computed from the sum of its state over workers."""
    metrics = model.metrics
    variables = [v for m in metrics for v in m.variables]
    if not variables:
        return logs
    local = [np.asarray(v.numpy()) for v in variables]
    sums = strategy.extended._sum_arrays(local, "all-reduce of metrics")
    for v, s in zip(variables, sums):
        v.assign(s, read_value=False)
    try:
        results = {m.name: m.result() for m in metrics}
    finally:
        for v, a in zip(variables, local):
            v.assign(a, read_value=False)
    if not logs:
        return results
    out = dict(logs)  # a custom train_step's own entries stay as they are
    for k, r in results.items():
        if k in out:
            out[k] = r
    return out


def sync_after_callbacks(strategy, model):
    """Gives every worker rank 0's stop_training flag and learning rate."""
    opt = getattr(model, "optimizer", None)
    lr = getattr(opt, "_learning_rate", None) if opt is not None else None
    lr_is_var = lr is not None and hasattr(lr, "assign") and hasattr(lr, "numpy")
    state = np.array([1.0 if model.stop_training else 0.0,
                      float(lr.numpy()) if lr_is_var else 0.0], np.float64)
    state = strategy.extended._broadcast(state, "broadcast of callback decisions")
    model.stop_training = bool(state[0])
    if lr_is_var and strategy.extended._comm.rank != 0:
        lr.assign(np.asarray(state[1], lr.dtype.as_numpy_dtype), read_value=False)


def sync_weights(strategy, model):
    """Every worker takes rank 0's weights (after callbacks such as EarlyStopping set them)."""
    for v in model.weights:
        v.assign(strategy.extended._broadcast(np.asarray(v.numpy()), "broadcast of weights"),
                 read_value=False)

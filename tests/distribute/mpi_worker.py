"""Programs run by the multi-process tests: `mpiexec -n N python mpi_worker.py MODE OUTDIR`.

Each mode checks what it can on its own rank and writes its results to OUTDIR for the test
to compare; a failed check exits non-zero.
"""

import os
import sys

import numpy as np

import tapeflow as tf

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "complex64", "complex128", "bool"]


def rank_data(rank, dtype, shape=(3, 4)):
    """Deterministic per-rank test data of one dtype (small values: sums cannot overflow)."""
    rng = np.random.default_rng(100 + rank)
    np_dtype = tf.as_dtype(dtype).as_numpy_dtype
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.startswith("complex"):
        return (rng.integers(-4, 5, shape) + 1j * rng.integers(-4, 5, shape)).astype(np_dtype)
    if dtype.startswith("uint"):
        return rng.integers(0, 20, shape).astype(np_dtype)
    if dtype.startswith("int"):
        return rng.integers(-20, 20, shape).astype(np_dtype)
    return (rng.integers(-8, 8, shape) / 4).astype(np_dtype)  # exact in every float type


def make_model():
    tf.random.set_seed(1)
    model = tf.keras.Sequential([
        tf.keras.Input((5,)),
        tf.keras.layers.Dense(8, activation="relu"),
        tf.keras.layers.Dense(3),
    ])
    model.compile(tf.keras.optimizers.Adam(0.01),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def train_data(n=40):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 5)).astype(np.float32), rng.integers(0, 3, n)


def flat_weights(model):
    return np.concatenate([w.numpy().ravel() for w in model.weights])


def strategy(timeout=None):
    opts = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
    return tf.distribute.MultiWorkerMirroredStrategy(communication_options=opts)


def mode_collectives(out):
    s = strategy(30)
    rank, n = s.cluster_resolver.task_id, s.num_replicas_in_sync
    for dtype in DTYPES:
        parts = [rank_data(r, dtype) for r in range(n)]
        mine = tf.constant(parts[rank], dtype=dtype)
        expected = parts[0].copy()
        for p in parts[1:]:
            expected = expected | p if dtype == "bool" else expected + p
        if dtype != "bool":  # reductions are numeric only
            got = s.reduce(tf.distribute.ReduceOp.SUM, mine, axis=None)
            assert got.dtype == tf.as_dtype(dtype), (dtype, got.dtype)
            np.testing.assert_array_equal(got.numpy(), expected, err_msg=dtype)
        ext = s.extended
        np.testing.assert_array_equal(ext._broadcast(parts[rank]), parts[0], err_msg=dtype)
        # gather: every rank contributes rank+1 rows
        rows = np.repeat(parts[rank][:1], rank + 1, axis=0)
        gathered = s.gather(tf.constant(rows, dtype=dtype), axis=0)
        want = np.concatenate([np.repeat(p[:1], r + 1, axis=0) for r, p in enumerate(parts)])
        np.testing.assert_array_equal(gathered.numpy(), want, err_msg=dtype)
    # MEAN with and without axis; all_reduce in a replica context
    x = tf.constant(np.full((rank + 1, 2), float(rank), np.float32))
    mean_axis = s.reduce("MEAN", x, axis=0).numpy()
    rows_total = sum(r + 1 for r in range(n))
    want = sum(r * (r + 1) for r in range(n)) / rows_total
    np.testing.assert_allclose(mean_axis, [want, want], rtol=1e-6)
    scalar = s.reduce("SUM", tf.constant(2.0), axis=None)
    assert scalar.shape == () and float(scalar) == 2.0 * n
    mean_none = s.reduce("MEAN", tf.constant([float(rank)]), axis=None).numpy()
    np.testing.assert_allclose(mean_none, [(n - 1) / 2])

    def replica_fn(v):
        ctx = tf.distribute.get_replica_context()
        return ctx.all_reduce("SUM", v), ctx.replica_id_in_sync_group

    total, rid = s.run(replica_fn, args=(tf.constant([1.0, float(rank)]),))
    np.testing.assert_allclose(total.numpy(), [n, n * (n - 1) / 2])
    assert int(rid) == rank
    # different shapes on different ranks: an error on every rank, not garbage
    try:
        s.extended._sum_arrays([np.zeros(rank + 1, np.float32)])
    except tf.errors.InvalidArgumentError as e:
        assert "bytes" in str(e), str(e)
    else:
        raise AssertionError("mismatched all-reduce did not raise")
    # rank-order summation: every rank gets the same bits for float data
    noisy = np.random.default_rng(rank).normal(size=1000).astype(np.float32) * 1e3
    res = s.reduce("SUM", tf.constant(noisy), axis=None).numpy()
    np.save(os.path.join(out, f"sum_{rank}.npy"), res)
    print(f"OK rank {rank}")


def mode_fit(out):
    s = strategy(30)
    rank = s.cluster_resolver.task_id
    with s.scope():
        model = make_model()
    x, y = train_data()
    hist = model.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    np.save(os.path.join(out, f"fit_{rank}.npy"), flat_weights(model))
    np.save(os.path.join(out, f"loss_{rank}.npy"), np.array(hist.history["loss"]))
    ev = model.evaluate(x[:30], y[:30], batch_size=8, verbose=0)  # last batch: 6 rows
    np.save(os.path.join(out, f"eval_{rank}.npy"), np.array(ev))
    tob = model.train_on_batch(x[:12], y[:12])
    tes = model.test_on_batch(x[12:19], y[12:19])
    np.save(os.path.join(out, f"onbatch_{rank}.npy"), np.array(tob + tes))
    np.save(os.path.join(out, f"after_{rank}.npy"), flat_weights(model))
    model.evaluate(x[:8], y[:8], batch_size=8, verbose=1)  # progress bar: rank 0 only
    with s.scope():
        model = make_model()
    model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=2, verbose=0)
    np.save(os.path.join(out, f"dsfit_{rank}.npy"), flat_weights(model))
    print(f"OK rank {rank}")


def custom_loop(strategy_obj, x, y, global_batch, steps):
    """The tf.distribute custom-training-loop recipe (compute_average_loss + apply_gradients)."""
    with strategy_obj.scope():
        tf.random.set_seed(3)
        dense = tf.keras.layers.Dense(2)
        dense.build((None, 5))
        opt = tf.keras.optimizers.SGD(0.1)
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32))).batch(global_batch)
    dist_ds = strategy_obj.experimental_distribute_dataset(ds)

    def step_fn(xb, yb):
        with tf.GradientTape() as tape:
            pred = tf.reduce_sum(dense(xb), axis=1)
            per_example = tf.square(pred - yb)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
        grads = tape.gradient(loss, dense.trainable_variables)
        opt.apply_gradients(zip(grads, dense.trainable_variables))
        return loss

    losses = []
    for i, (xb, yb) in enumerate(dist_ds):
        if i == steps:
            break
        per_replica = strategy_obj.run(step_fn, args=(xb, yb))
        losses.append(float(strategy_obj.reduce("SUM", per_replica, axis=None)))
    return np.concatenate([w.numpy().ravel() for w in dense.weights]), losses


def mode_loop(out):
    s = strategy(30)
    rank = s.cluster_resolver.task_id
    x, y = train_data()
    w, losses = custom_loop(s, x, y, 12, 3)
    np.save(os.path.join(out, f"loop_{rank}.npy"), w)
    np.save(os.path.join(out, f"looploss_{rank}.npy"), np.array(losses))
    print(f"OK rank {rank}")


def mode_shard(out):
    s = strategy(30)
    rank = s.cluster_resolver.task_id
    seen = []
    ds = tf.data.Dataset.range(23).batch(5)
    for epoch in range(2):
        for b in s.experimental_distribute_dataset(ds):
            seen.extend(int(v) for v in b.numpy())

    def input_fn(ctx):
        assert ctx.num_input_pipelines == s.num_replicas_in_sync
        d = tf.data.Dataset.range(100, 117).shard(ctx.num_input_pipelines,
                                                  ctx.input_pipeline_id)
        return d.batch(ctx.get_per_replica_batch_size(6))

    for b in s.distribute_datasets_from_function(input_fn):
        seen.extend(int(v) for v in b.numpy())
    np.save(os.path.join(out, f"shard_{rank}.npy"), np.array(seen, np.int64))
    print(f"OK rank {rank}")


class _KillAt(tf.keras.callbacks.Callback):
    """Simulates a worker dying (SIGKILL) or hanging at the start of a given step."""

    def __init__(self, rank, victim, step, how):
        super().__init__()
        self.rank, self.victim, self.step, self.how = rank, victim, step, how
        self._k_all_workers = True

    def on_train_batch_begin(self, batch, logs=None):
        if self.rank == self.victim and batch == self.step:
            if self.how == "kill":
                os.kill(os.getpid(), 9)
            import time
            time.sleep(60)


def mode_fault(out, how):
    s = strategy(float(os.environ.get("FAULT_TIMEOUT", "2")))
    rank = s.cluster_resolver.task_id
    with s.scope():
        model = make_model()
    x, y = train_data(120)
    model.fit(x, y, batch_size=12, epochs=1, shuffle=False, verbose=0,
              callbacks=[_KillAt(rank, 1, 3, how)])
    print(f"finished rank {rank}")  # must not happen


class _Interrupt(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("simulated interruption at epoch 2")


def mode_resume(out, phase):
    s = strategy(30)
    rank = s.cluster_resolver.task_id
    with s.scope():
        model = make_model()
    x, y = train_data()
    backup = tf.keras.callbacks.BackupAndRestore(os.path.join(out, "backup"))
    cbs = [backup] + ([_Interrupt()] if phase == "first" else [])
    if phase == "first":
        cbs[1]._k_all_workers = True  # every worker stops, as a preempted job would
    try:
        hist = model.fit(x, y, batch_size=12, epochs=4, shuffle=False, verbose=0, callbacks=cbs)
    except RuntimeError as e:
        print(f"interrupted rank {rank}: {e}")
        return
    np.save(os.path.join(out, f"resume_{rank}.npy"), flat_weights(model))
    with open(os.path.join(out, f"epochs_{rank}.txt"), "w") as f:
        f.write(str(len(hist.history["loss"])))
    print(f"OK rank {rank}")


if __name__ == "__main__":
    mode, outdir = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    {"collectives": mode_collectives, "fit": mode_fit, "loop": mode_loop, "shard": mode_shard,
     "fault": mode_fault, "resume": mode_resume}[mode](outdir, *extra)

"""tf.distribute in one process: default and Mirrored strategies, helpers, BackupAndRestore."""

import itertools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow._src.distribute import collective
from tapeflow._src.distribute import strategy as strategy_mod


def small_model():
    tf.random.set_seed(5)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
    model.compile(tf.keras.optimizers.Adam(0.05), "mse")
    return model


def data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(20, 4)).astype(np.float32), rng.normal(size=(20, 3)).astype(
        np.float32)


def test_default_strategy_outside_any_scope():
    s = tf.distribute.get_strategy()
    assert s.num_replicas_in_sync == 1
    assert not tf.distribute.has_strategy()
    assert s is tf.distribute.get_strategy()
    assert tf.distribute.get_replica_context() is not None


def test_mirrored_strategy_scope_makes_it_current():
    s = tf.distribute.MirroredStrategy(["/cpu:0"])
    assert s.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:CPU:0",)
    with s.scope():
        assert tf.distribute.get_strategy() is s
        assert tf.distribute.has_strategy()
        assert tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
    assert tf.distribute.get_strategy() is not s


def test_mirrored_strategy_with_several_devices_is_not_implemented():
    with pytest.raises(NotImplementedError, match="MultiWorkerMirroredStrategy"):
        tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def test_run_calls_fn_in_a_replica_context():
    s = tf.distribute.MirroredStrategy()

    def fn(x):
        ctx = tf.distribute.get_replica_context()
        return ctx.all_reduce(tf.distribute.ReduceOp.SUM, x * 2.0), ctx.replica_id_in_sync_group

    y, rid = s.run(fn, args=(tf.constant([1.0, 2.0]),))
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
    assert int(rid) == 0
    assert s.experimental_local_results(y) == (y,)


def test_reduce_sum_and_mean_with_and_without_axis():
    s = tf.distribute.MirroredStrategy()
    v = tf.constant([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=None).numpy(), v.numpy())
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=0).numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(s.reduce(tf.distribute.ReduceOp.MEAN, v, axis=0).numpy(),
                                  [2.0, 4.0])
    mean_int = s.reduce("MEAN", tf.constant([3, 4]), axis=0)  # true division, as in TF
    assert mean_int.dtype == tf.float64 and float(mean_int) == 3.5
    assert s.reduce("MEAN", tf.constant([3, 4]), axis=None).dtype == tf.int32
    with pytest.raises(ValueError, match="'MAX' is not a valid ReduceOp"):
        s.reduce("MAX", v, axis=None)


def test_gather_concatenates_along_axis():
    s = tf.distribute.MirroredStrategy()
    np.testing.assert_array_equal(s.gather(tf.constant([[1, 2]]), axis=1).numpy(), [[1, 2]])


def test_input_context_per_replica_batch_size():
    ctx = tf.distribute.InputContext(2, 1, 4)
    assert (ctx.num_input_pipelines, ctx.input_pipeline_id, ctx.num_replicas_in_sync) == (2, 1, 4)
    assert ctx.get_per_replica_batch_size(8) == 2
    with pytest.raises(ValueError, match="not divisible"):
        ctx.get_per_replica_batch_size(7)


def test_distribute_datasets_from_function_gets_an_input_context():
    s = tf.distribute.MirroredStrategy()
    seen = []

    def fn(ctx):
        seen.append((ctx.num_input_pipelines, ctx.input_pipeline_id))
        return tf.data.Dataset.range(4).batch(2)

    batches = [b.numpy().tolist() for b in s.distribute_datasets_from_function(fn)]
    assert batches == [[0, 1], [2, 3]] and seen == [(1, 0)]
    assert s.experimental_distribute_dataset(tf.data.Dataset.range(2).batch(2)) is not None


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 50), size=st.integers(1, 6))
def test_split_bounds_cover_every_item_once(n, size):
    parts = [strategy_mod._split_bounds(n, size, r) for r in range(size)]
    assert parts[0][0] == 0 and parts[-1][1] == n
    for (_, hi), (lo2, _) in itertools.pairwise(parts):
        assert hi == lo2
    sizes = [hi - lo for lo, hi in parts]
    assert max(sizes) - min(sizes) <= 1


def test_local_slice_cuts_every_leaf_of_a_batch():
    batch = (tf.constant(np.arange(5)), {"a": tf.constant(np.arange(10).reshape(5, 2))})
    x, d = strategy_mod._local_slice(batch, 2, 1)
    assert x.numpy().tolist() == [3, 4]
    assert d["a"].numpy().tolist() == [[6, 7], [8, 9]]


def test_encode_decode_round_trip_keeps_dtype_and_shape():
    for a in (np.arange(6, dtype=np.int16).reshape(2, 3), np.array(2.5), np.zeros((0, 3)),
              np.array([1 + 2j], np.complex64), np.array([True, False])):
        b = collective.decode(collective.encode(a))
        assert b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_array_equal(a, b)


def test_fit_under_mirrored_scope_equals_plain_fit():
    x, y = data()
    plain = small_model()
    plain.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    s = tf.distribute.MirroredStrategy()
    with s.scope():
        model = small_model()
    assert model.distribute_strategy is s
    model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(plain.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_model_outside_scope_reports_the_default_strategy():
    assert small_model().distribute_strategy is tf.distribute.get_strategy()


def test_multi_worker_strategy_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setattr(strategy_mod, "_mpi_comm", None)
    with pytest.raises(ImportError, match=r"pip install 'tapeflow\[distributed\]'"):
        tf.distribute.MultiWorkerMirroredStrategy()


def test_multi_worker_strategy_rejects_a_cluster_resolver():
    with pytest.raises(NotImplementedError, match="MPI ranks"):
        tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=object())


def test_communication_options_validate_bytes_per_pack():
    opts = tf.distribute.experimental.CommunicationOptions(timeout_seconds=5)
    assert opts.timeout_seconds == 5
    with pytest.raises(ValueError):
        tf.distribute.experimental.CommunicationOptions(bytes_per_pack=-1)


class _StopAt(tf.keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_backup_and_restore_resumes_after_an_interruption(tmp_path):
    x, y = data()
    reference = small_model()
    reference.fit(x, y, batch_size=5, epochs=4, shuffle=False, verbose=0)

    backup = tf.keras.callbacks.BackupAndRestore(str(tmp_path / "b"))
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=5, epochs=4, shuffle=False, verbose=0,
                  callbacks=[backup, _StopAt(2)])
    assert (tmp_path / "b" / "chief" / "backup.npz").exists()

    model = small_model()  # a fresh process would start from new weights
    hist = model.fit(x, y, batch_size=5, epochs=4, shuffle=False, verbose=0, callbacks=[backup])
    assert len(hist.history["loss"]) == 2  # epochs 3 and 4
    assert int(model.optimizer.iterations.numpy()) == 16
    for a, b in zip(reference.weights, model.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    assert not (tmp_path / "b" / "chief" / "backup.npz").exists()


def test_backup_and_restore_argument_checks():
    with pytest.raises(NotImplementedError):
        tf.keras.callbacks.BackupAndRestore("/tmp/x", save_freq=3)


def test_one_device_strategy_and_cross_device_ops_options():
    s = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert s.num_replicas_in_sync == 1
    assert s.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:CPU:0",)
    m = tf.distribute.MirroredStrategy(cross_device_ops=tf.distribute.HierarchicalCopyAllReduce())
    assert m.num_replicas_in_sync == 1


def test_strategies_tapeflow_lacks_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="TPUStrategy"):
        tf.distribute.TPUStrategy  # noqa: B018

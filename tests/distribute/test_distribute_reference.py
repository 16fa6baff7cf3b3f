"""tf.distribute in one process against real TensorFlow (skipped when it is not installed)."""

import numpy as np
import pytest

import tapeflow as tf

tf_ref = pytest.importorskip("tensorflow")


@pytest.fixture(params=["tapeflow", "tensorflow"])
def both(request):
    return tf if request.param == "tapeflow" else tf_ref


def _results(m):
    s = m.distribute.MirroredStrategy(["/cpu:0"])
    v = m.constant([[1.0, 2.0], [3.0, 6.0]])
    out = {
        "replicas": s.num_replicas_in_sync,
        "devices": s.extended.worker_devices,
        "sum_none": s.reduce("SUM", v, axis=None).numpy().tolist(),
        "sum_0": s.reduce(m.distribute.ReduceOp.SUM, v, axis=0).numpy().tolist(),
        "mean_0": s.reduce("MEAN", v, axis=0).numpy().tolist(),
    }
    mean_int = s.reduce("MEAN", m.constant([3, 4]), axis=0)
    out["mean_int"] = (mean_int.dtype.name, float(mean_int))
    out["gather"] = s.gather(m.constant([[1, 2]]), axis=1).numpy().tolist()
    with s.scope():
        out["cross"] = m.distribute.in_cross_replica_context()
        out["replica_ctx"] = m.distribute.get_replica_context()

        def fn(x):
            c = m.distribute.get_replica_context()
            return c.all_reduce("SUM", x), c.replica_id_in_sync_group

        y, rid = s.run(fn, args=(m.constant([1.0, 2.0]),))
        out["run"] = (y.numpy().tolist(), int(rid))
    out["has_strategy"] = m.distribute.has_strategy()
    with pytest.raises(ValueError) as e:
        s.reduce("MAX", v, axis=None)
    out["bad_op"] = str(e.value)
    ctx = m.distribute.InputContext(2, 1, 4)
    with pytest.raises(ValueError) as e:
        ctx.get_per_replica_batch_size(7)
    out["ctx"] = (str(ctx), ctx.get_per_replica_batch_size(8), str(e.value))
    return out


def test_mirrored_strategy_matches_tensorflow():
    assert _results(tf) == _results(tf_ref)


def test_fit_under_mirrored_strategy_gives_the_same_history_shape(both):
    s = both.distribute.MirroredStrategy()
    with s.scope():
        model = both.keras.Sequential([both.keras.Input((3,)), both.keras.layers.Dense(2)])
        model.compile("sgd", "mse")
    assert model.distribute_strategy is s
    x = np.ones((8, 3), np.float32)
    hist = model.fit(x, np.zeros((8, 2), np.float32), batch_size=4, epochs=2, verbose=0)
    assert sorted(hist.history) == ["loss"] and len(hist.history["loss"]) == 2

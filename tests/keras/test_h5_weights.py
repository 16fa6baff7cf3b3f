"""save_weights / load_weights through h5py (the optional `h5` extra)."""

import numpy as np
import pytest

import tapeflow as tf

h5py = pytest.importorskip("h5py")


def _model(seed):
    tf.random.set_seed(seed)
    return tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(2,)),
                                tf.keras.layers.Dense(1)])


def test_h5_round_trip_restores_every_weight(tmp_path):
    path = str(tmp_path / "w.h5")
    src, dst = _model(1), _model(2)
    src.save_weights(path)
    assert h5py.is_hdf5(path)
    dst.load_weights(path)
    for a, b in zip(src.get_weights(), dst.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_h5_crash_mid_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "w.h5")
    first = _model(1)
    first.save_weights(path)
    second = _model(2)

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(h5py.Group, "create_dataset", broken)
    with pytest.raises(OSError, match="disk full"):
        second.save_weights(path)
    monkeypatch.undo()
    restored = _model(3)
    restored.load_weights(path)
    for a, b in zip(first.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.h5"]  # no temporary left


def test_h5_architecture_mismatch_is_an_error(tmp_path):
    path = str(tmp_path / "w.h5")
    _model(1).save_weights(path)
    other = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(2,))])
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError):
        other.load_weights(path)
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)

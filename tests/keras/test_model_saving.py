"""Model.save / tf.keras.models.load_model: config, weights and compile arguments."""

import os

import numpy as np
import pytest

import tapeflow as tf


def _data():
    rng = np.random.default_rng(1)
    return rng.random((40, 6), dtype=np.float32), rng.integers(0, 3, 40)


def _sequential():
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(6,)),
                                 tf.keras.layers.Dropout(0.2), tf.keras.layers.Dense(3)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy", tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2)])
    return model


@pytest.mark.parametrize("name", ["m.keras", "saved/m", "m.h5"])
def test_round_trip_keeps_weights_and_compile_config(tmp_path, name):
    if name.endswith(".h5"):
        pytest.importorskip("h5py")
    x, y = _data()
    model = _sequential()
    model.fit(x, y, epochs=2, verbose=0)
    path = str(tmp_path / name)
    if name.endswith(".h5"):
        with pytest.warns(UserWarning, match="HDF5 file via `model.save\\(\\)`"):
            model.save(path)
    else:
        model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert isinstance(loaded.optimizer, tf.keras.optimizers.Adam)
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.01)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-6)
    assert loaded.metrics_names == model.metrics_names
    loaded.fit(x, y, epochs=1, verbose=0)          # trains on
    uncompiled = tf.keras.models.load_model(path, compile=False)
    np.testing.assert_allclose(uncompiled.predict(x, verbose=0), model.predict(x, verbose=0))


def test_functional_models_and_errors(tmp_path):
    inp = tf.keras.Input((6,))
    hidden = tf.keras.layers.Dense(4, activation="tanh")(inp)
    out = tf.keras.layers.Concatenate()([hidden, tf.keras.layers.Dense(2)(inp)])
    model = tf.keras.Model(inp, out)
    path = str(tmp_path / "f.keras")
    model.save(path)
    x, _ = _data()
    np.testing.assert_allclose(tf.keras.models.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(OSError, match="No file or directory found at"):
        tf.keras.models.load_model(str(tmp_path / "nope.keras"))

    class Sub(tf.keras.Model):
        def call(self, x):
            return x

    with pytest.raises(NotImplementedError, match="subclassed model"):
        Sub().save(str(tmp_path / "sub.keras"))


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    from tapeflow._src.keras import saving
    x, y = _data()
    model = _sequential()
    path = str(tmp_path / "m.keras")
    model.save(path)
    before = open(path, "rb").read()
    model.fit(x, y, epochs=1, verbose=0)

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(saving, "_write_npz", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert open(path, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_to_json_round_trip():
    model = _sequential()
    text = model.to_json()
    back = tf.keras.models.model_from_json(text)
    assert [l.get_config() for l in back.layers] == [l.get_config() for l in model.layers]
    assert back.output_shape == model.output_shape


def test_saved_files_get_the_usual_permissions(tmp_path):
    model = _sequential()
    mask = os.umask(0o022)
    try:
        model.save(str(tmp_path / "m.keras"))
        model.save(str(tmp_path / "dir_model"))
        model.save_weights(str(tmp_path / "w"))
    finally:
        os.umask(mask)
    assert os.stat(tmp_path / "m.keras").st_mode & 0o777 == 0o644
    assert os.stat(tmp_path / "dir_model").st_mode & 0o777 == 0o755
    assert os.stat(tmp_path / "w").st_mode & 0o777 == 0o644


def test_a_refused_checkpoint_restore_queues_nothing(tmp_path):
    class Net(tf.keras.Model):
        def __init__(self, init):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2, kernel_initializer=init)

        def call(self, x):
            return self.dense(x)

    x = np.ones((1, 3), np.float32)
    built = Net("ones")
    built(x)
    path = tf.train.Checkpoint(model=built, v=tf.Variable(np.zeros(4, np.float32))).save(
        str(tmp_path / "c"))
    fresh = Net("zeros")
    with pytest.raises(ValueError, match="Received incompatible tensor"):
        tf.train.Checkpoint(model=fresh, v=tf.Variable(np.zeros(5, np.float32))).restore(path)
    fresh(x)
    assert not fresh.dense.kernel.numpy().any()    # the refused file's values never arrive

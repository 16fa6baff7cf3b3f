"""TrainingPlot writes a PNG of the curves (the optional `plot` extra)."""

import numpy as np
import pytest

import tapeflow as tf

pytest.importorskip("matplotlib")


def test_training_plot_writes_a_png_each_epoch(tmp_path):
    import matplotlib
    backend = matplotlib.get_backend()
    path = tmp_path / "curves.png"
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    plot = tf.keras.callbacks.TrainingPlot(str(path))
    model.fit(x, y, epochs=3, verbose=0, callbacks=[plot], validation_split=0.25)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(plot.history) == ["loss", "val_loss"]
    assert len(plot.history["loss"]) == 3
    assert matplotlib.get_backend() == backend  # the user's backend is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]

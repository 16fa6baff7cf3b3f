"""Model.fit runs train_step as a tf.function (Keras' default) unless run_eagerly=True."""

import numpy as np

import tapeflow as tf


class CountingModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = tf.keras.layers.Dense(8, activation="relu")
        self.d2 = tf.keras.layers.Dense(1)
        self.python_steps = 0

    def call(self, x, training=False):
        return self.d2(self.d1(x))

    def train_step(self, data):
        self.python_steps += 1
        return super().train_step(data)


def _fit(run_eagerly, optimizer):
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.random((64, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")
    m = CountingModel()
    m.build((None, 4))
    m.compile(optimizer, "binary_crossentropy", metrics=["accuracy"], run_eagerly=run_eagerly)
    hist = m.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=True)
    return m, hist.history


def test_fit_traced_matches_eager_and_runs_python_once_per_trace():
    for opt in ("adam", "sgd", "rmsprop"):
        traced, h1 = _fit(None, opt)
        eager, h2 = _fit(True, opt)
        assert not traced.run_eagerly and eager.run_eagerly
        assert eager.python_steps == 12
        assert traced.python_steps < 4  # traced (twice: it creates the optimizer slots)
        for a, b in zip(traced.get_weights(), eager.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
        for k in h2:
            np.testing.assert_allclose(h1[k], h2[k], rtol=1e-5)

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


def test_train_on_batch_is_traced_and_matches_eager():
    rng = np.random.default_rng(1)
    x = rng.random((24, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")
    results = []
    for run_eagerly in (None, True):
        tf.keras.backend.clear_session()
        tf.keras.utils.set_random_seed(4)
        m = CountingModel()
        m.compile("adam", "binary_crossentropy", metrics=["accuracy"], run_eagerly=run_eagerly)
        # The first call builds the model eagerly (as fit's first step), then traced.
        logs = [m.train_on_batch(x[i:i + 8], y[i:i + 8], return_dict=True)
                for i in (0, 8, 16, 0, 8)]
        logs.append(m.train_on_batch(x[:5], y[:5]))  # a new batch size: a retrace
        results.append((m, logs, m.get_weights()))
    (traced, t_logs, t_w), (eager, e_logs, e_w) = results
    assert eager.python_steps == 6
    # Eager first step (builds the model and Adam's slots), one trace, one for the new size.
    assert traced.python_steps == 1 + 1 + 1
    assert traced._k_train_fn.experimental_get_tracing_count() == 2
    for a, b in zip(t_w, e_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for a, b in zip(t_logs, e_logs):
        if isinstance(a, dict):
            assert sorted(a) == sorted(b)
            a, b = [a[k] for k in sorted(a)], [b[k] for k in sorted(b)]
        np.testing.assert_allclose(a, b, rtol=1e-5)

"""evaluate/predict (and the *_on_batch methods) run their steps as tf.functions, as Keras.

Unless `compile(run_eagerly=True)` or `tf.config.run_functions_eagerly(True)`, the steps
are traced once per input signature (relaxed to a None batch dimension after the smaller
last batch) and replayed; every result must equal the eager one.
"""

import numpy as np
import pytest

import tapeflow as tf

N, FEATURES = 70, 6  # batch 16: four full batches and a last one of 6 samples


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((N, FEATURES)).astype("float32")
    y = rng.integers(0, 3, N)
    return x, y


class LogRecorder(tf.keras.callbacks.Callback):
    """Every test/predict batch's logs, converted to NumPy."""

    def __init__(self):
        super().__init__()
        self.test, self.predict = [], []

    def on_test_batch_end(self, batch, logs=None):
        self.test.append({k: float(np.asarray(v)) for k, v in logs.items()})

    def on_predict_batch_end(self, batch, logs=None):
        self.predict.append(np.asarray(logs["outputs"]))


def _sequential(run_eagerly, build=True, bn=False):
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(7)
    # Reshape and Flatten: shapes that follow the (relaxed) batch dimension.
    layers = [tf.keras.layers.Reshape((2, 3)), tf.keras.layers.Flatten(),
              tf.keras.layers.Dense(8, activation="relu",
                                    kernel_regularizer=tf.keras.regularizers.l2(0.01))]
    if bn:
        layers.append(tf.keras.layers.BatchNormalization())
    layers += [tf.keras.layers.Dropout(0.5), tf.keras.layers.Dense(3)]
    if build:
        layers.insert(0, tf.keras.Input(shape=(FEATURES,)))
    m = tf.keras.Sequential(layers)
    m.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy", tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2)],
              run_eagerly=run_eagerly)
    return m


def _run_all(m, x, y):
    rec = LogRecorder()
    out = {}
    out["eval"] = m.evaluate(x, y, batch_size=16, verbose=0, callbacks=[rec])
    out["eval2"] = m.evaluate(x[:40], y[:40], batch_size=10, verbose=0, return_dict=True)
    out["pred"] = m.predict(x, batch_size=16, verbose=0, callbacks=[rec])
    out["pred_small"] = m.predict(x[:3], verbose=0)
    out["test_on_batch"] = m.test_on_batch(x[:5], y[:5])
    out["predict_on_batch"] = m.predict_on_batch(x[:4])
    out["test_logs"], out["predict_logs"] = rec.test, rec.predict
    out["weights"] = m.get_weights()
    return out


def _assert_same(a, b):
    if isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same(u, v)
    else:
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("build", [True, False])
def test_traced_evaluate_predict_match_eager(build):
    x, y = _data()
    # Each model runs before the next is made: unbuilt ones draw their weights when first
    # called, from the seed _sequential sets.
    traced = _sequential(None, build)
    t = _run_all(traced, x, y)
    eager = _sequential(True, build)
    e = _run_all(eager, x, y)
    assert not traced.run_eagerly and eager.run_eagerly
    _assert_same(t, e)
    # Results are real numbers that change between batches, not constants of the trace.
    assert len(t["test_logs"]) == 5 and len(t["predict_logs"]) == 5
    assert len({d["loss"] for d in t["test_logs"][:5]}) == 5
    assert t["pred"].shape == (N, 3) and t["pred_small"].shape == (3, 3)
    assert eager._k_test_fn is None and eager._k_predict_fn is None
    test_fn, predict_fn = traced._k_test_fn, traced._k_predict_fn
    # evaluate: the first trace creates the metrics' variables, so it is traced once more
    # (as in Keras); the last batch of 6 adds one relaxed (None batch) trace, which then
    # serves the second evaluate's batches of 10 and test_on_batch's batch of 5.
    assert test_fn.experimental_get_tracing_count() == 3
    # predict: one trace of the full batch (the model was built by evaluate), one relaxed
    # trace for the last batch that serves every other batch size.
    assert predict_fn.experimental_get_tracing_count() == 2


def test_predict_without_compile_builds_in_the_first_trace():
    x, _ = _data(8)
    outs, models = [], []
    for run_eagerly in (None, True):
        tf.keras.backend.clear_session()
        tf.keras.utils.set_random_seed(5)
        m = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(2)])
        m.run_eagerly = run_eagerly
        models.append(m)
        outs.append((m.predict(x[:16], verbose=0), m.predict(x[:16], verbose=0),
                     m.predict_on_batch(x[:3]), m.get_weights()))
    _assert_same(outs[0], outs[1])
    assert len(outs[0][3]) == 4
    # As Keras: the first trace creates the weights, so it is traced again (two traces);
    # predict_on_batch's 3 samples add the relaxed trace.
    assert models[0]._k_predict_fn.experimental_get_tracing_count() == 3
    assert models[1]._k_predict_fn is None


def test_stateful_metrics_read_live_across_calls():
    """Metric variables are updated by the replays and reset by evaluate in between."""
    x, y = _data(1)
    m = _sequential(None)
    first = m.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    m.evaluate(x[:20] * 3.0, y[:20], batch_size=16, verbose=0)
    again = m.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert first == again
    # test_on_batch(reset_metrics=False) accumulates over calls like the eager model.
    e = _sequential(True)
    for model in (m, e):
        model.reset_metrics()
        model.test_on_batch(x[:16], y[:16], reset_metrics=False)
    _assert_same(m.test_on_batch(x[16:32], y[16:32], reset_metrics=False),
                 e.test_on_batch(x[16:32], y[16:32], reset_metrics=False))


def test_batchnorm_and_dropout_inference_mode_traced():
    x, y = _data(2)
    models = []
    for run_eagerly in (None, True):
        m = _sequential(run_eagerly, bn=True)
        # Moving statistics away from their initial values, so they matter.
        bn = m.layers[3]
        bn.moving_mean.assign(np.linspace(-1, 1, 8).astype("float32"))
        bn.moving_variance.assign(np.linspace(0.5, 2, 8).astype("float32"))
        models.append(m)
    traced, eager = models
    p1 = traced.predict(x, batch_size=16, verbose=0)
    np.testing.assert_array_equal(p1, traced.predict(x, batch_size=16, verbose=0))
    _assert_same(p1, eager.predict(x, batch_size=16, verbose=0))
    # The traced program reads the live moving statistics.
    for m in models:
        m.layers[3].moving_mean.assign(np.zeros(8, "float32"))
    p2 = traced.predict(x, batch_size=16, verbose=0)
    assert np.abs(p2 - p1).max() > 1e-3
    _assert_same(p2, eager.predict(x, batch_size=16, verbose=0))
    _assert_same(traced.evaluate(x, y, verbose=0), eager.evaluate(x, y, verbose=0))


class CustomSteps(tf.keras.Model):
    """A subclassed model (built by its first call) with its own test and predict steps."""

    def __init__(self):
        super().__init__()
        self.d = tf.keras.layers.Dense(3)
        self.tracker = tf.keras.metrics.Mean(name="abs_err")
        self.python_test_steps = self.python_predict_steps = 0

    def call(self, x, training=False):
        return self.d(x)

    def test_step(self, data):
        self.python_test_steps += 1
        x, y = data
        pred = self(x, training=False)
        self.tracker.update_state(tf.reduce_mean(tf.abs(pred - tf.cast(y, "float32")[:, None])))
        return {"abs_err": self.tracker.result()}

    def predict_step(self, data):
        self.python_predict_steps += 1
        x = data[0]
        return {"logits": self(x), "top": tf.argmax(self(x), axis=-1)}


def _custom(run_eagerly):
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(3)
    m = CustomSteps()
    m.compile("sgd", run_eagerly=run_eagerly)
    return m


def test_subclass_overrides_test_step_and_predict_step():
    x, y = _data(3)
    results, models = [], []
    for run_eagerly in (None, True):  # each model is built (by its first call) in turn
        m = _custom(run_eagerly)
        models.append(m)
        r = [m.evaluate(x, y, batch_size=16, verbose=0, return_dict=True),
             m.predict(x, batch_size=16, verbose=0),
             m.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)]
        results.append(r)
    traced, eager = models
    _assert_same(results[0], results[1])
    assert set(results[0][1]) == {"logits", "top"}
    assert results[0][1]["top"].dtype == np.int64
    assert eager.python_test_steps == 10 and eager.python_predict_steps == 5
    # Traced: Python runs only while tracing (2 + 1 for evaluate: variables, last batch).
    assert traced.python_test_steps == 3
    assert traced.python_predict_steps == 2


def test_run_functions_eagerly_and_run_eagerly_switches():
    x, y = _data(4)
    m = _sequential(None)
    assert m.run_eagerly is False
    tf.config.run_functions_eagerly(True)
    try:
        assert m.run_eagerly is True
        eager_eval = m.evaluate(x, y, verbose=0)
        eager_pred = m.predict(x, verbose=0)
    finally:
        tf.config.run_functions_eagerly(False)
    assert m._k_test_fn is None and m._k_predict_fn is None
    _assert_same(m.evaluate(x, y, verbose=0), eager_eval)
    _assert_same(m.predict(x, verbose=0), eager_pred)
    assert m._k_test_fn is not None and m._k_predict_fn is not None
    # An explicit run_eagerly=False wins over the global switch, True always runs eagerly.
    m.run_eagerly = False
    tf.config.run_functions_eagerly(True)
    try:
        assert m.run_eagerly is False
    finally:
        tf.config.run_functions_eagerly(False)
    m.run_eagerly = True
    count = m._k_test_fn.experimental_get_tracing_count()
    m.evaluate(x[:5], y[:5], verbose=0)
    assert m._k_test_fn.experimental_get_tracing_count() == count


def test_recompile_drops_the_traced_steps():
    x, y = _data(5)
    m = _sequential(None)
    m.evaluate(x, y, verbose=0)
    m.predict(x, verbose=0)
    m.fit(x, y, epochs=1, verbose=0)
    assert None not in (m._k_test_fn, m._k_predict_fn, m._k_train_fn)
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert (m._k_train_fn, m._k_test_fn, m._k_predict_fn) == (None, None, None)
    # The new loss (on logits read as probabilities) is the one evaluated, as eagerly.
    traced = m.evaluate(x, y, verbose=0)
    m.run_eagerly = True
    _assert_same(traced, m.evaluate(x, y, verbose=0))


def test_partial_last_batch_and_fit_validation_match_eager():
    x, y = _data(6)
    hist = []
    for run_eagerly in (None, True):
        tf.keras.backend.clear_session()
        tf.keras.utils.set_random_seed(11)
        m = tf.keras.Sequential([tf.keras.Input(shape=(FEATURES,)),
                                 tf.keras.layers.Dense(
                                     4, activation="tanh",
                                     kernel_regularizer=tf.keras.regularizers.l2(0.1),
                                     activity_regularizer=tf.keras.regularizers.l1(0.01)),
                                 tf.keras.layers.Dense(3, activation="softmax")])
        m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly)
        h = m.fit(x[:50], y[:50], batch_size=16, epochs=3, verbose=0,
                  validation_data=(x[50:], y[50:]), validation_batch_size=7)
        hist.append((h.history, m.get_weights(), m.train_on_batch(x[:9], y[:9]),
                     m.predict(x, batch_size=32, verbose=0)))
    _assert_same(hist[0], hist[1])
    # The weights (and so the regularisation losses) change between the validation passes,
    # which replay one traced test step.
    assert len(set(hist[0][0]["val_loss"])) == 3


def test_each_model_has_its_own_retracing_detector(caplog):
    """Evaluating many small models traces each once or twice: no retracing warning."""
    x, y = _data(9)
    with caplog.at_level("WARNING", logger="tapeflow"):
        for seed in range(6):
            tf.keras.utils.set_random_seed(seed)
            m = tf.keras.Sequential([tf.keras.Input(shape=(FEATURES,)),
                                     tf.keras.layers.Dense(3)])
            m.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            m.evaluate(x[:20], y[:20], batch_size=16, verbose=0)
            m.predict(x[:20], batch_size=16, verbose=0)
            # One trace per batch shape (no metric variables to create: the loss's mean
            # was made by compile).
            assert m._k_test_fn.experimental_get_tracing_count() == 2
    assert "retracing" not in caplog.text

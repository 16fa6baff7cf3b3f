"""tapeflow's Keras against tf_keras: optimizer steps and losses with identical inputs."""

import json
import os

import numpy as np
import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
tf_ref = pytest.importorskip("tensorflow")

import tapeflow as tf  # noqa: E402

OPTS = [("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
        ("Adam", dict(learning_rate=0.01, amsgrad=True)),
        ("AdamW", dict(learning_rate=0.01)), ("RMSprop", dict(centered=True, momentum=0.5)),
        ("Adagrad", {}), ("Adadelta", dict(learning_rate=1.0)), ("Adamax", {}), ("Nadam", {})]


@pytest.mark.parametrize("name,kw", OPTS)
def test_optimizer_steps_match_tf_keras(name, kw):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 2)).astype(np.float32)
    grads = [rng.normal(size=(3, 2)).astype(np.float32) for _ in range(3)]
    ours = getattr(tf.keras.optimizers, name)(**kw)
    ref = getattr(tf_ref.keras.optimizers, name)(**kw)
    v1, v2 = tf.Variable(w0), tf_ref.Variable(w0)
    for g in grads:
        ours.apply_gradients([(tf.constant(g), v1)])
        ref.apply_gradients([(tf_ref.constant(g), v2)])
    np.testing.assert_allclose(v1.numpy(), v2.numpy(), rtol=2e-5, atol=1e-6)


LOSSES = ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "Huber",
          "LogCosh", "BinaryCrossentropy", "CategoricalCrossentropy", "KLDivergence", "Hinge",
          "CosineSimilarity", "Poisson"]


@pytest.mark.parametrize("name", LOSSES)
def test_losses_match_tf_keras(name):
    rng = np.random.default_rng(1)
    yt = rng.random((4, 3)).astype(np.float32)
    yp = rng.random((4, 3)).astype(np.float32) * 0.9 + 0.05
    sw = rng.random(4).astype(np.float32)
    a = getattr(tf.keras.losses, name)()(yt, yp, sample_weight=sw)
    b = getattr(tf_ref.keras.losses, name)()(yt, yp, sample_weight=sw)
    np.testing.assert_allclose(float(a), float(b), rtol=1e-5)


def test_sparse_cce_and_label_smoothing_match():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(5, 4)).astype(np.float32)
    labels = rng.integers(0, 4, 5)
    for fl in (True, False):
        x = logits if fl else np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        a = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=fl)(labels, x)
        b = tf_ref.keras.losses.SparseCategoricalCrossentropy(from_logits=fl)(labels, x)
        np.testing.assert_allclose(float(a), float(b), rtol=1e-5)
    oh = np.eye(4, dtype=np.float32)[labels]
    a = tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(oh, logits)
    b = tf_ref.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(
        oh, logits)
    np.testing.assert_allclose(float(a), float(b), rtol=1e-5)


def test_dense_model_training_step_matches_with_copied_weights():
    rng = np.random.default_rng(3)
    x = rng.random((8, 5)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    ours = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=(5,)),
                                tf.keras.layers.Dense(3, activation="softmax")])
    ref = tf_ref.keras.Sequential([tf_ref.keras.layers.Dense(4, activation="relu",
                                                             input_shape=(5,)),
                                   tf_ref.keras.layers.Dense(3, activation="softmax")])
    ours.set_weights(ref.get_weights())
    for m in (ours, ref):
        m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    h1 = ours.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
    h2 = ref.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


LAYERS = [
    ("Conv2D", dict(filters=3, kernel_size=2, strides=2, padding="same", activation="relu"),
     (2, 5, 5, 2)),
    ("Conv1D", dict(filters=3, kernel_size=3), (2, 6, 2)),
    ("LayerNormalization", {}, (3, 4)),
    ("SimpleRNN", dict(units=3), (2, 4, 2)),
    ("LSTM", dict(units=3, return_sequences=True), (2, 4, 2)),
    ("GRU", dict(units=3), (2, 4, 2)),
    ("GRU", dict(units=3, reset_after=False), (2, 4, 2)),
    ("Dense", dict(units=3, activation="gelu"), (2, 4)),
    ("Embedding", dict(input_dim=7, output_dim=3), None),
]


@pytest.mark.parametrize("name,kw,shape", LAYERS)
def test_layer_outputs_and_grads_match_with_copied_weights(name, kw, shape):
    # Both libraries count layer names per session; start both from zero so the variable
    # names compared below do not depend on which tests ran before.
    tf.keras.backend.clear_session()
    tf_ref.keras.backend.clear_session()
    rng = np.random.default_rng(4)
    x = rng.integers(0, 7, (2, 3)) if shape is None else rng.normal(size=shape).astype(
        np.float32)
    ours = getattr(tf.keras.layers, name)(**kw)
    ref = getattr(tf_ref.keras.layers, name)(**kw)
    ref(x)
    ours(x)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    assert [v.name for v in ours.weights] == [v.name for v in ref.weights]
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-5, atol=1e-5)
    with tf.GradientTape() as t1:
        a = tf.reduce_sum(tf.square(ours(x)))
    with tf_ref.GradientTape() as t2:
        b = tf_ref.reduce_sum(tf_ref.square(ref(x)))
    for g1, g2 in zip(t1.gradient(a, ours.trainable_weights),
                      t2.gradient(b, ref.trainable_weights)):
        g2 = tf_ref.convert_to_tensor(g2).numpy()
        np.testing.assert_allclose(g1.numpy(), g2, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 3, 2)])
def test_batchnorm_training_step_matches(shape):
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape).astype(np.float32)
    ours, ref = tf.keras.layers.BatchNormalization(), tf_ref.keras.layers.BatchNormalization()
    y1, y2 = ours(x, training=True), ref(x, training=True)
    np.testing.assert_allclose(y1.numpy(), y2.numpy(), rtol=1e-4, atol=1e-5)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-4, atol=1e-5)


def test_metrics_match_tf_keras():
    rng = np.random.default_rng(6)
    yt = rng.integers(0, 2, 20)
    yp = rng.random(20).astype(np.float32)
    for name in ["AUC", "Precision", "Recall", "BinaryAccuracy"]:
        a, b = getattr(tf.keras.metrics, name)(), getattr(tf_ref.keras.metrics, name)()
        a.update_state(yt, yp)
        b.update_state(yt, yp)
        np.testing.assert_allclose(float(a.result()), float(b.result()), rtol=1e-5)
    pr_a = tf.keras.metrics.AUC(curve="PR")
    pr_b = tf_ref.keras.metrics.AUC(curve="PR")
    pr_a.update_state(yt, yp)
    pr_b.update_state(yt, yp)
    np.testing.assert_allclose(float(pr_a.result()), float(pr_b.result()), rtol=1e-4)


def test_summary_text_matches_for_functional_model():
    def build(k):
        inp = k.Input(shape=(3,))
        a = k.layers.Dense(4)(inp)
        b = k.layers.Dense(4)(inp)
        out = k.layers.Dense(1)(k.layers.Concatenate()([a, b]))
        return k.Model(inp, out)

    lines_a, lines_b = [], []
    tf.keras.backend.clear_session()
    tf_ref.keras.backend.clear_session()
    build(tf.keras).summary(print_fn=lines_a.append)
    build(tf_ref.keras).summary(print_fn=lines_b.append)
    assert lines_a == lines_b


def test_configs_and_build_names_match():
    tf.keras.backend.clear_session()
    tf_ref.keras.backend.clear_session()
    kw = dict(units=3, activation="relu", input_shape=(2,),
              kernel_regularizer=None, bias_initializer="ones")
    assert tf.keras.layers.Dense(**kw).get_config() == tf_ref.keras.layers.Dense(
        **kw).get_config()
    for name in ["Adam", "SGD", "RMSprop"]:
        a = getattr(tf.keras.optimizers, name)(learning_rate=0.01).get_config()
        b = getattr(tf_ref.keras.optimizers, name)(learning_rate=0.01).get_config()
        assert a == b

    def sub(k):
        class M(k.Model):
            def __init__(self):
                super().__init__()
                self.d = k.layers.Dense(2)

            def call(self, x):
                return self.d(x)
        return M

    a, b = sub(tf.keras)(), sub(tf_ref.keras)()
    a.build((None, 3))
    b.build((None, 3))
    assert [v.name for v in a.weights] == [v.name for v in b.weights]
    a2, b2 = sub(tf.keras)(), sub(tf_ref.keras)()
    a2(np.ones((1, 3), np.float32))
    b2(np.ones((1, 3), np.float32))
    assert [v.name for v in a2.weights] == [v.name for v in b2.weights]


@pytest.mark.parametrize("mode", ["concat", "sum"])
def test_wrappers_match_with_copied_weights(mode):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    for make in (lambda k: k.layers.Bidirectional(k.layers.GRU(2, return_sequences=True),
                                                  merge_mode=mode),
                 lambda k: k.layers.Bidirectional(k.layers.LSTM(2), merge_mode=mode),
                 lambda k: k.layers.TimeDistributed(k.layers.Dense(3, activation="tanh"))):
        ours, ref = make(tf.keras), make(tf_ref.keras)
        ref(x)
        ours(x)
        ours.set_weights(ref.get_weights())
        np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-5, atol=1e-6)


def test_metric_strings_name_history_keys_like_tf_keras():
    import numpy as np
    import tensorflow as tfr

    import tapeflow

    def keys(tf):
        m = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
        m.compile("adam", "mse", metrics=["mae", "mse", "acc", "mape", "mean_absolute_error",
                                           "binary_crossentropy"])
        x = np.zeros((8, 3), "f4")
        y = np.zeros((8, 1), "f4")
        return sorted(m.fit(x, y, verbose=0).history)
    assert keys(tapeflow) == keys(tfr)


def _sgd_state(tf):
    o = tf.keras.optimizers.SGD(0.1)
    v = tf.Variable([1.0, 2.0])
    o.apply_gradients([(tf.constant([1.0, 3.0]), v)])
    o2 = tf.keras.optimizers.SGD(0.1, momentum=0.9)
    w = tf.Variable(1.0, name="w")
    for _ in range(2):
        o2.apply_gradients([(tf.constant(1.0), w)])
    return [repr(x) for x in o.variables() + o2.variables() + [v, w]]


def test_sgd_variables_match_keras(tf_ref):
    import tapeflow
    assert _sgd_state(tapeflow) == _sgd_state(tf_ref)


def _custom_fit_scenario(tf):
    import numpy as np
    keras = tf.keras
    rng = np.random.default_rng(0)

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(8,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    model.set_weights([np.asarray(rng.standard_normal(w.shape) * 0.1, np.float32)
                       for w in model.get_weights()])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = rng.random((40, 8)).astype("float32")
    y = rng.random((40, 1)).astype("float32")
    h = model.fit(x, y, epochs=3, verbose=0, shuffle=False)
    return type(model).__name__, {k: [round(float(v), 5) for v in vs]
                                  for k, vs in h.history.items()}


def test_custom_train_step_on_a_functional_subclass_matches_keras(tf_ref):
    import tapeflow
    assert _custom_fit_scenario(tapeflow) == _custom_fit_scenario(tf_ref)


def _conv_transpose_outputs(tf):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 5, 3)).astype("float32")
    out = []
    for kw in ({"strides": 1, "padding": "valid"}, {"strides": 2, "padding": "same"},
               {"strides": 2, "padding": "valid"},
               {"strides": 2, "padding": "same", "output_padding": 1},
               {"strides": 1, "padding": "same", "dilation_rate": 2}):
        layer = tf.keras.layers.Conv2DTranspose(4, 3, activation="relu", **kw)
        layer.build((None, 5, 5, 3))
        layer.set_weights([rng.standard_normal(w.shape).astype("float32")
                           for w in layer.get_weights()])
        out.append(np.asarray(layer(x)))
    return out


def test_conv2d_transpose_matches_keras(tf_ref):
    import numpy as np
    import tapeflow
    for got, want in zip(_conv_transpose_outputs(tapeflow), _conv_transpose_outputs(tf_ref)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _layer_call_errors(tf):
    import re

    class FlexibleDense(tf.keras.layers.Layer):
        def __init__(self, out_features, **kwargs):
            super().__init__(**kwargs)
            self.out_features = out_features

        def build(self, input_shape):
            self.w = tf.Variable(tf.ones([input_shape[-1], self.out_features]), name="w")

        def call(self, inputs, training=None, scale=1.0):
            return tf.matmul(inputs, self.w) * scale

    layer = FlexibleDense(3, name="flexible")
    layer(tf.ones([2, 3]))
    dense = tf.keras.layers.Dense(2, name="d")
    dense(tf.ones([1, 3]))
    out = []
    for call in (lambda: layer(tf.ones([1, 4]), scale=2.0),
                 lambda: layer(tf.ones([1, 4]), True),
                 lambda: dense(tf.ones([1, 4]))):
        try:
            call()
        except Exception as e:  # noqa: BLE001 - compared with what Keras raises
            out.append((type(e).__name__, re.sub(r"\{\{function_node [^}]*\}\} ", "", str(e))))
    return out


def test_layer_call_errors_read_as_keras(tf_ref):
    import tapeflow
    assert _layer_call_errors(tapeflow) == _layer_call_errors(tf_ref)


def _schedule_values(m):
    s = m.keras.optimizers.schedules
    out = []
    for sch in [s.InverseTimeDecay(0.001, 10000, 1), s.InverseTimeDecay(0.001, 3, 0.5, True),
                s.CosineDecay(0.1, 100, alpha=0.1),
                s.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10),
                s.ExponentialDecay(0.1, 7, 0.9, staircase=True),
                s.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])]:
        out.append([(sch(st).dtype.name, sch(st).numpy().tolist())
                    for st in (0, 1, 5, 10, 15, 20, 5000, 200000)])
    out.append(s.InverseTimeDecay(0.001, 10000, 1)(np.linspace(0, 100000, 5)).numpy().tolist())
    return out


def test_learning_rate_schedules_match_bit_for_bit():
    import tensorflow as tf_ref
    assert _schedule_values(tf) == _schedule_values(tf_ref)


def _normalization_case(m):
    data = np.arange(12.0).reshape(4, 3) ** 1.5
    out = []
    n = m.keras.layers.Normalization(axis=-1)
    out.append(n.is_adapted)
    n.adapt(data)
    out += [n.is_adapted, n.mean.numpy().tolist(), n.variance.numpy().shape,
            [w.name for w in n.weights], np.round(n(data[:1]).numpy(), 5).tolist()]
    model = m.keras.Sequential([n, m.keras.layers.Dense(2)])
    out += [model.built, model.output_shape, model.count_params()]
    h = m.keras.layers.Normalization(input_shape=[1], axis=None)
    h.adapt(np.array([1.0, 2.0, 3.0, 4.0]))
    out += [h.mean.numpy().tolist(), h(np.array([1.0, 2.0])).shape.as_list()]
    for bad in (lambda: m.keras.layers.Normalization().adapt(np.array([1.0, 2.0])),):
        try:
            bad()
        except ValueError as e:
            out.append(str(e).strip().splitlines()[-1].replace("ValueError: ", "").strip())
    return out


def test_normalization_adapt_matches_keras():
    import tensorflow as tf_ref
    assert _normalization_case(tf) == _normalization_case(tf_ref)


def _small_details(m):
    out = ["{}".format(m.constant([1.5, 2.0])), f"{m.constant([[1, 2]])}",
           f"{m.constant(2.5):.2f}"]
    layer = m.keras.layers.Layer()
    layer.w = layer.add_weight("w", (), initializer="ones")
    out.append(repr(layer.get_weights()))

    class Sub(m.keras.Model):
        def call(self, x):
            return x
    out += [(Sub().inputs, Sub().outputs), m.keras.optimizers.Adam(1e-4).learning_rate.name]
    r = m.keras.regularizers
    out += [r.l2(0.001).get_config(), r.L1L2(0.01, 0.02).get_config(), r.L1L2().get_config(),
            r.l1_l2().get_config(), r.get("l1_l2").get_config(), r.get("l1").get_config()]
    out.append(m.keras.layers.Conv2DTranspose(2, 3).get_config()["groups"])
    return out


def test_small_printed_details_match():
    import tensorflow as tf_ref
    assert _small_details(tf) == _small_details(tf_ref)


def _masked_sequence_model(m):
    ids = np.array([[3, 4, 0, 0], [1, 0, 0, 0], [2, 5, 6, 7]])
    y = np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 0]])
    c = m.keras.initializers.Constant
    out = []
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        for rs, back in ((True, False), (False, True)):
            seq = m.keras.Sequential([
                m.keras.layers.Embedding(10, 3, mask_zero=True, embeddings_initializer=c(
                    np.linspace(-1, 1, 30).reshape(10, 3))),
                getattr(m.keras.layers, kind)(4, return_sequences=rs, go_backwards=back,
                                              kernel_initializer=c(0.3),
                                              recurrent_initializer=c(-0.2))])
            out.append(np.round(seq(ids).numpy(), 5).tolist())
    model = m.keras.Sequential([
        m.keras.layers.Embedding(10, 3, mask_zero=True,
                                 embeddings_initializer=c(np.linspace(-1, 1, 30).reshape(10, 3))),
        m.keras.layers.Bidirectional(m.keras.layers.LSTM(4, return_sequences=True,
                                                         kernel_initializer=c(0.3),
                                                         recurrent_initializer=c(-0.2))),
        m.keras.layers.Dense(2, kernel_initializer=c(np.linspace(-1, 1, 16).reshape(8, 2)))])
    model.compile(optimizer="sgd", metrics=["accuracy"],
                  loss=m.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    out.append(np.round(model.evaluate(ids, y, verbose=0), 5).tolist())
    out.append(np.round(model.evaluate(ids, y, sample_weight=np.array([1.0, 2.0, 0.5]),
                                       verbose=0), 5).tolist())
    model.fit(ids, y, epochs=2, verbose=0, shuffle=False)
    out.append(np.round(model.evaluate(ids, y, verbose=0), 5).tolist())
    pool = m.keras.layers.GlobalAveragePooling1D()
    out.append(pool(np.arange(8.0).reshape(1, 4, 2), mask=np.array([[1, 1, 0, 0]])).numpy()
               .tolist())
    return out


def test_masked_sequence_models_match_keras():
    import tensorflow as tf_ref
    a, b = _masked_sequence_model(tf), _masked_sequence_model(tf_ref)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-5)


def _partial_restore(m, tmp):
    def mk():
        return m.keras.Sequential([m.keras.layers.Dense(2, input_shape=(3,))])
    g, d = mk(), mk()
    path = m.train.Checkpoint(generator=g, discriminator=d).save(os.path.join(tmp, "ckpt"))
    out = []
    for ckpt in (m.train.Checkpoint(generator=mk()),
                 m.train.Checkpoint(generator=mk(), discriminator=mk(), extra=m.Variable(1.0))):
        status = ckpt.restore(path)
        out.append(type(status).__name__)
        out.append(np.allclose(ckpt.generator.get_weights()[0], g.get_weights()[0]))
        for check in ("assert_existing_objects_matched", "assert_consumed"):
            try:
                getattr(status, check)()
                out.append("ok")
            except AssertionError:
                out.append("AssertionError")
    return out


def test_checkpoint_partial_restore_matches(tmp_path):
    import tensorflow as tf_ref
    a = _partial_restore(tf, str(tmp_path / "a"))
    b = _partial_restore(tf_ref, str(tmp_path / "b"))
    assert a == b


def _autoencoder_names(m):
    class Autoencoder(m.keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = m.keras.Sequential([m.keras.layers.Flatten(),
                                               m.keras.layers.Dense(8, activation="relu")])
            self.decoder = m.keras.Sequential([m.keras.layers.Dense(16, activation="sigmoid"),
                                               m.keras.layers.Reshape((4, 4))])
            self.extra = m.keras.layers.Dense(2)

        def call(self, x):
            return self.decoder(self.encoder(x))

    m.keras.backend.clear_session()
    ae = Autoencoder()
    ae(np.ones((3, 4, 4), np.float32))
    ae.extra(np.ones((1, 3), np.float32))
    lines = []
    ae.summary(print_fn=lines.append)
    return [v.name for v in ae.variables], ae.compute_output_shape((None, 4, 4)), lines


def test_subclassed_autoencoder_names_shapes_and_summary():
    import tensorflow as tf_ref
    assert _autoencoder_names(tf) == _autoencoder_names(tf_ref)


def _summary_variants(m):
    m.keras.backend.clear_session()
    inner = m.keras.Sequential([m.keras.layers.Dense(4, input_shape=(3,)),
                                m.keras.layers.Dense(2)], name="inner")
    inner.layers[0].trainable = False
    inp = m.keras.Input((3,), name="x")
    outer = m.keras.Model(inp, m.keras.layers.Dense(1)(inner(inp)), name="outer")
    lines = []
    outer.summary(show_trainable=True, print_fn=lines.append)
    outer.summary(expand_nested=True, print_fn=lines.append)
    outer.summary(expand_nested=True, show_trainable=True, print_fn=lines.append)
    m.keras.Sequential([inner, m.keras.layers.Dense(1)]).summary(expand_nested=True,
                                                                  print_fn=lines.append)
    return lines


def test_summary_expand_nested_and_show_trainable():
    import tensorflow as tf_ref
    assert _summary_variants(tf) == _summary_variants(tf_ref)


def _configs_and_json(m):
    m.keras.backend.clear_session()
    seq = m.keras.Sequential([m.keras.layers.Input(shape=(3,)),
                              m.keras.layers.Dense(2, activation="relu")])
    seq2 = m.keras.Sequential([m.keras.layers.Dense(2, input_shape=(3,))])
    inp = m.keras.Input((3,))
    fun = m.keras.Model(inp, m.keras.layers.Dense(1)(inp))
    back = m.keras.models.model_from_json(seq2.to_json())
    return [seq.inputs[0].name, seq.get_config(), seq2.get_config(), fun.get_config(),
            json.loads(seq2.to_json()), type(back).__name__, [l.name for l in back.layers]]


def test_model_configs_and_json_match_keras():
    import tensorflow as tf_ref
    assert _configs_and_json(tf) == _configs_and_json(tf_ref)


def _mask_rules(m):
    class CustomEmbedding(m.keras.layers.Layer):
        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(10, 4), initializer="ones",
                                              name="embeddings")

        def call(self, inputs):
            return m.nn.embedding_lookup(self.embeddings, inputs)

        def compute_mask(self, inputs, mask=None):
            return m.not_equal(inputs, 0)

    class Count(m.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            return m.constant(-1.0) if mask is None else m.reduce_sum(m.cast(mask, "float32"))

    a = m.keras.layers.Embedding(10, 2, mask_zero=True)(np.array([[0, 3]]))
    count = Count()
    out = [CustomEmbedding()(np.array([[3, 0]]))._keras_mask.numpy().tolist(),
           m.keras.layers.Concatenate()([a, a])._keras_mask.numpy().tolist(),
           m.keras.layers.Add()([a, a])._keras_mask.numpy().tolist(),
           float(count(a, mask=None)), float(count(a)),
           float(count(a, m.constant([[True, True]])))]
    try:
        m.keras.layers.Activation("linear")(m.constant([[1.0]]), mask=m.constant([[True]]))
    except TypeError as e:
        out.append(str(e).split("\n")[0].split(".")[-1])
    return out


def test_mask_rules_match_keras():
    import tensorflow as tf_ref
    assert _mask_rules(tf) == _mask_rules(tf_ref)

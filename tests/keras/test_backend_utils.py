"""tf.keras.backend functions and tf.keras.utils helpers, against hand-computed values."""

import doctest
import importlib
import io
import math
import re
from contextlib import redirect_stdout

import numpy as np
import pytest

import tapeflow as tf

K = tf.keras.backend
U = tf.keras.utils


# -- backend: creation and settings ----------------------------------------------------------

def test_constant_defaults_to_floatx_and_variable_keeps_name_and_dtype():
    assert K.constant([[1, 2]]).dtype == tf.float32
    assert K.constant(3, dtype="int32", shape=(2,)).numpy().tolist() == [3, 3]
    v = K.variable([1, 2], name="w")
    assert isinstance(v, tf.Variable) and v.name == "w:0" and v.dtype == tf.float32
    assert K.variable(np.array([1, 2]), dtype="int64").dtype == tf.int64


def test_zeros_ones_eye_are_variables_unless_a_dimension_is_zero():
    assert isinstance(K.zeros((2, 3)), tf.Variable)
    assert isinstance(K.ones((2,), dtype="int32"), tf.Variable)
    assert not isinstance(K.zeros((0, 3)), tf.Variable)
    np.testing.assert_array_equal(K.eye(2).numpy(), [[1, 0], [0, 1]])
    assert K.count_params(K.zeros((2, 3))) == 6


def test_cast_to_floatx_returns_numpy_for_python_values():
    out = K.cast_to_floatx([1, 2])
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert K.cast_to_floatx(tf.constant([1, 2])).dtype == tf.float32


def test_learning_phase_is_zero_and_graph_only_functions_raise():
    assert K.learning_phase() == 0
    for name in ("placeholder", "function", "set_learning_phase", "learning_phase_scope",
                 "manual_variable_initialization"):
        with pytest.raises(NotImplementedError, match=name):
            getattr(K, name)(0)
    with pytest.raises(RuntimeError, match="GradientTape"):
        K.gradients(tf.constant(1.0), [tf.Variable(1.0)])


def test_update_functions_assign_in_place():
    v = K.variable([1.0, 2.0])
    K.update_add(v, [1.0, 1.0])
    K.update_sub(v, [0.5, 0.5])
    assert v.numpy().tolist() == [1.5, 2.5]
    K.update(v, [0.0, 4.0])
    K.moving_average_update(v, [2.0, 0.0], 0.75)  # v - (v - value) * 0.25
    assert v.numpy().tolist() == [0.5, 3.0]


# -- backend: reductions and shapes ----------------------------------------------------------

X = np.array([[1.0, 2.0, 6.0], [3.0, 4.0, 2.0]], np.float32)


def test_reductions_take_axis_and_keepdims():
    assert float(K.mean(X)) == 3.0
    assert K.sum(X, axis=0).numpy().tolist() == [4.0, 6.0, 8.0]
    assert K.max(X, axis=1, keepdims=True).numpy().tolist() == [[6.0], [4.0]]
    assert K.min(X, axis=-1).numpy().tolist() == [1.0, 2.0]
    assert K.prod(X, axis=1).numpy().tolist() == [12.0, 24.0]
    # population variance of [1, 3] is 1, of [2, 4] is 1, of [6, 2] is 4
    assert K.var(X, axis=0).numpy().tolist() == [1.0, 1.0, 4.0]
    assert K.std(X, axis=0, keepdims=True).numpy().tolist() == [[1.0, 1.0, 2.0]]


def test_mean_and_std_of_booleans_are_floatx():
    b = tf.constant([True, False, True, True])
    assert K.mean(b).dtype == tf.float32 and float(K.mean(b)) == 0.75
    assert math.isclose(float(K.std(b)), math.sqrt(0.1875), rel_tol=1e-6)


def test_any_all_cast_to_bool():
    assert K.any(tf.constant([0.0, 2.0])).numpy()
    assert not K.all(tf.constant([0.0, 2.0])).numpy()


def test_dot_of_nd_inputs_contracts_last_with_second_to_last():
    x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    y = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    out = K.dot(x, y).numpy()
    assert out.shape == (2, 3, 3, 2)
    # out[a, b, c, d] = sum_k x[a, b, k] * y[c, k, d]; e.g. [1, 2, 0, 1]:
    # x[1, 2] = [10, 11], y[0, :, 1] = [1, 3] -> 10 + 33
    assert out[1, 2, 0, 1] == 43.0
    assert K.dot(X, X.T.copy()).numpy().tolist() == [[41.0, 23.0], [23.0, 29.0]]


def test_batch_dot_shapes_and_values():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    y = np.array([[5.0, 6.0], [7.0, 8.0]], np.float32)
    assert K.batch_dot(x, y).numpy().tolist() == [[17.0], [53.0]]
    assert K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)),
                                   axes=(1, 2))) == (32, 1, 30)
    m = np.arange(8, dtype=np.float32).reshape(2, 2, 2)
    # per sample m[b] @ x[b]: [[4, 5], [6, 7]] @ [3, 4] = [32, 46]
    assert K.batch_dot(m, x).numpy().tolist() == [[2.0, 8.0], [32.0, 46.0]]
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(m, m, axes=0)


def test_batch_dot_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = tf.Variable(rng.normal(size=(2, 3, 4)))
    y = tf.constant(rng.normal(size=(2, 4, 5)))
    with tf.GradientTape() as tape:
        loss = K.sum(K.square(K.batch_dot(x, y, axes=(2, 1))))
    grad = tape.gradient(loss, x).numpy()
    eps = 1e-6
    x0 = x.numpy()
    for idx in [(0, 0, 0), (1, 2, 3)]:
        d = np.zeros_like(x0)
        d[idx] = eps
        f = [float(K.sum(K.square(K.batch_dot(tf.constant(x0 + s * d), y, axes=(2, 1)))))
             for s in (1, -1)]
        assert math.isclose(grad[idx], (f[0] - f[1]) / (2 * eps), rel_tol=1e-5)


def test_shape_helpers():
    t = tf.ones((2, 3, 4))
    assert K.batch_flatten(t).shape == (2, 12) and K.flatten(t).shape == (24,)
    assert K.ndim(t) == 3 and K.dtype(t) == "float32"
    assert K.permute_dimensions(t, (2, 0, 1)).shape == (4, 2, 3)
    assert K.repeat(tf.ones((2, 3)), 4).shape == (2, 4, 3)
    assert K.repeat_elements(tf.constant([[1, 2]]), 2, axis=1).numpy().tolist() == [[1, 1, 2, 2]]
    assert K.arange(-3).shape == (0,) and K.arange(1, 7, 2).numpy().tolist() == [1, 3, 5]
    assert K.arange(3, dtype="float32").dtype == tf.float32
    assert K.concatenate([tf.ones((1, 2)), tf.zeros((1, 1))]).numpy().tolist() == [[1, 1, 0]]
    assert K.squeeze(tf.ones((1, 2)), 0).shape == (2,)
    assert K.tile(tf.constant([1, 2]), 2).numpy().tolist() == [1, 2, 1, 2]
    assert K.reverse(tf.constant([[1, 2]]), 1).numpy().tolist() == [[2, 1]]


# -- backend: element-wise, control flow, activations, losses --------------------------------

def test_clip_and_sqrt_edge_cases():
    assert K.clip(tf.constant([1.0, 5.0]), 3, 2).numpy().tolist() == [3.0, 3.0]
    assert K.clip(tf.constant([1.0, 5.0]), None, 2).numpy().tolist() == [1.0, 2.0]
    assert K.sqrt(tf.constant([-1.0, 4.0])).numpy().tolist() == [0.0, 2.0]


def test_switch_scalar_and_tensor_conditions():
    assert float(K.switch(tf.constant(0), lambda: tf.constant(1.0), tf.constant(2.0))) == 2.0
    cond = tf.constant([[True, False]])
    out = K.switch(cond, tf.ones((1, 2, 3)), tf.zeros((1, 2, 3))).numpy()
    assert out.tolist() == [[[1, 1, 1], [0, 0, 0]]]
    with pytest.raises(ValueError, match="Rank of `condition`"):
        K.switch(tf.constant([[True]]), tf.constant([1.0]), tf.constant([2.0]))


def test_in_train_phase_follows_argument_and_layer_call():
    assert K.in_train_phase(1, 2) == 2
    assert K.in_train_phase(lambda: 1, 2, training=True) == 1
    assert K.in_test_phase(1, 2) == 1

    class Noisy(tf.keras.layers.Layer):
        def call(self, x, training=None):
            return K.in_train_phase(x + 1.0, x)

    layer = Noisy()
    assert float(layer(tf.constant(0.0), training=True)) == 1.0
    assert float(layer(tf.constant(0.0))) == 0.0


def test_relu_variants_and_hard_sigmoid():
    x = tf.constant([-2.0, 0.5, 1.5, 3.0, 8.0])
    # below threshold 1: 0.1 * (x - 1); above: x, capped at 6
    np.testing.assert_allclose(K.relu(x, alpha=0.1, max_value=6.0, threshold=1.0).numpy(),
                               [-0.3, -0.05, 1.5, 3.0, 6.0], rtol=1e-6)
    assert K.relu(x, max_value=6).numpy().tolist() == [0.0, 0.5, 1.5, 3.0, 6.0]
    np.testing.assert_allclose(K.hard_sigmoid(tf.constant([-3.0, 0.0, 1.0])).numpy(),
                               [0.0, 0.5, 0.7], rtol=1e-6)
    np.testing.assert_allclose(K.elu(tf.constant([-1.0, 1.0]), alpha=0.5).numpy(),
                               [0.5 * (math.exp(-1) - 1), 1.0], rtol=1e-6)


def test_softmax_rejects_1d_and_supports_tuple_axes():
    with pytest.raises(ValueError, match="Received input: \\[1. 2.\\]"):
        K.softmax(tf.constant([1.0, 2.0]))
    out = K.softmax(tf.zeros((1, 2, 2)), axis=(1, 2)).numpy()
    np.testing.assert_allclose(out, np.full((1, 2, 2), 0.25))


def test_binary_crossentropy_is_elementwise_with_epsilon():
    out = K.binary_crossentropy(tf.constant([1.0, 0.0]), tf.constant([0.9, 0.0])).numpy()
    # -log(0.9 + 1e-7); the 0 output is clipped to 1e-7 and 1 - 1e-7 + 1e-7 is ~1
    np.testing.assert_allclose(out, [-math.log(0.9 + 1e-7), 0.0], atol=1e-6)
    logits = K.binary_crossentropy(tf.constant([1.0]), tf.constant([0.0]), from_logits=True)
    np.testing.assert_allclose(logits.numpy(), [math.log(2.0)], rtol=1e-6)


def test_categorical_crossentropies():
    # outputs are renormalised: [0.2, 0.6] -> [0.25, 0.75]
    out = K.categorical_crossentropy(tf.constant([[0.0, 1.0]]), tf.constant([[0.2, 0.6]]))
    np.testing.assert_allclose(out.numpy(), [-math.log(0.75)], rtol=1e-6)
    sparse = K.sparse_categorical_crossentropy(tf.constant([1]), tf.constant([[0.2, 0.8]]))
    np.testing.assert_allclose(sparse.numpy(), [-math.log(0.8)], rtol=1e-6)
    ignored = K.sparse_categorical_crossentropy(
        tf.constant([[1, 0]]), tf.zeros((1, 2, 2)), from_logits=True, ignore_class=0)
    np.testing.assert_allclose(ignored.numpy(), [[math.log(2.0), 0.0]], rtol=1e-6)


def test_random_functions_have_floatx_and_bernoulli_extremes():
    assert K.random_uniform((2, 3)).dtype == tf.float32
    assert K.random_normal((2,), seed=1).shape == (2,)
    t = K.truncated_normal((200,), stddev=1.0, seed=2).numpy()
    assert np.all(np.abs(t) <= 2.0)
    assert K.random_bernoulli((4,), p=1.0).numpy().tolist() == [1.0] * 4
    assert K.random_bernoulli((4,), p=0.0).numpy().tolist() == [0.0] * 4


def test_print_tensor_prints_message_and_value():
    buf = io.StringIO()
    with redirect_stdout(buf):
        out = K.print_tensor(tf.constant([1.0, 2.5]), message="x:")
    assert buf.getvalue() == "x: [1 2.5]\n"
    assert out.numpy().tolist() == [1.0, 2.5]


def test_custom_loss_written_with_backend_functions_trains():
    def loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss=loss)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)
    y = np.array([[1.0], [2.0], [3.0]], np.float32)
    hist = model.fit(x, y, epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_backend_functions_trace_under_tf_function():
    f = tf.function(lambda x, y: K.batch_dot(x, y, axes=(2, 1)),
                    input_signature=[tf.TensorSpec((None, 2, 4), tf.float32),
                                     tf.TensorSpec((None, 4, 3), tf.float32)])
    assert f(tf.ones((5, 2, 4)), tf.ones((5, 4, 3))).numpy()[0, 0].tolist() == [4.0] * 3


# -- utils: pad_sequences ---------------------------------------------------------------------

def test_pad_sequences_options():
    seqs = [[1, 2, 3], [4], []]
    assert U.pad_sequences(seqs).tolist() == [[1, 2, 3], [0, 0, 4], [0, 0, 0]]
    assert U.pad_sequences(seqs, maxlen=2).tolist() == [[2, 3], [0, 4], [0, 0]]
    assert U.pad_sequences(seqs, maxlen=2, truncating="post",
                           padding="post", value=9).tolist() == [[1, 2], [4, 9], [9, 9]]
    out = U.pad_sequences([[0.5]], maxlen=2, dtype="float32", value=-1.0)
    assert out.dtype == np.float32 and out.tolist() == [[-1.0, 0.5]]
    assert U.pad_sequences([np.ones((1, 2))], maxlen=2).shape == (1, 2, 2)


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="must be iterable"):
        U.pad_sequences(3)
    with pytest.raises(ValueError, match="non-iterable: 2"):
        U.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match='Padding type "mid"'):
        U.pad_sequences([[1]], padding="mid")
    with pytest.raises(ValueError, match="dtype=object"):
        U.pad_sequences([[1]], value="x")


# -- utils: timeseries_dataset_from_array -----------------------------------------------------

def _elements(ds):
    return [tuple(np.asarray(p).tolist() for p in e) if isinstance(e, tuple)
            else np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


def test_timeseries_windows_strides_and_sampling_rate():
    data = np.arange(10)
    ds = U.timeseries_dataset_from_array(data, None, sequence_length=3, sequence_stride=2,
                                         sampling_rate=2, batch_size=None)
    # a window spans (3 - 1) * 2 + 1 = 5 steps, so starts are 0..5, every second one
    assert _elements(ds) == [[0, 2, 4], [2, 4, 6], [4, 6, 8]]


def test_timeseries_targets_batches_and_index_range():
    data = np.arange(10, dtype=np.float32)
    targets = np.arange(100, 110)
    ds = U.timeseries_dataset_from_array(data, targets, sequence_length=2, batch_size=2,
                                         start_index=2, end_index=7)
    assert isinstance(ds, tf.data.Dataset)
    assert _elements(ds) == [([[2.0, 3.0], [3.0, 4.0]], [102, 103]),
                             ([[4.0, 5.0], [5.0, 6.0]], [104, 105])]


def test_timeseries_shuffle_keeps_windows_with_their_targets():
    data = np.arange(30)
    ds = U.timeseries_dataset_from_array(data, data * 10, sequence_length=4, batch_size=None,
                                         shuffle=True, seed=1)
    rows = _elements(ds)
    assert sorted(r[0][0] for r in rows) == list(range(27))
    assert all(r[1] == r[0][0] * 10 and r[0] == list(range(r[0][0], r[0][0] + 4))
               for r in rows)
    assert [r[0][0] for r in rows] != list(range(27))


def test_timeseries_argument_errors():
    with pytest.raises(ValueError, match="`sampling_rate` must be higher than 0"):
        U.timeseries_dataset_from_array(np.arange(5), None, 2, sampling_rate=0)
    with pytest.raises(ValueError, match="`end_index` must be higher than `start_index`"):
        U.timeseries_dataset_from_array(np.arange(5), None, 2, start_index=3, end_index=2)


# -- utils: Progbar ---------------------------------------------------------------------------

def _times_masked(text):
    return re.sub(r"\d+(s|ms|us)/", "T/", re.sub(r" - \d+s", " - Ts", text))


def test_progbar_verbose_2_prints_one_line_at_the_end():
    buf = io.StringIO()
    with redirect_stdout(buf):
        bar = U.Progbar(4, verbose=2, interval=0.0)
        bar.update(2, [("loss", 1.0)])
        bar.add(2, [("loss", 0.5)])
    # the average weights each value by the steps it covered: (1 * 2 + 0.5 * 2) / 4
    assert _times_masked(buf.getvalue()) == "4/4 - Ts - loss: 0.7500 - T/epoch - T/step\n"


def test_progbar_verbose_1_draws_the_bar():
    buf = io.StringIO()
    with redirect_stdout(buf):
        bar = U.Progbar(3, width=6, interval=0.0)
        bar.update(3, [("acc", 0.5)])
    assert _times_masked(buf.getvalue()).endswith("3/3 [======] - Ts T/step - acc: 0.5000\n")


# -- utils: serialization ---------------------------------------------------------------------

def test_serialize_built_in_objects_and_round_trip():
    layer = tf.keras.layers.Dense(3, name="d")
    config = U.serialize_keras_object(layer)
    assert config["module"] == "keras.layers" and config["class_name"] == "Dense"
    assert config["registered_name"] is None and "build_config" not in config
    back = U.deserialize_keras_object(config)
    assert type(back) is tf.keras.layers.Dense and back.units == 3
    loss = U.deserialize_keras_object(U.serialize_keras_object(tf.keras.losses.Huber(2.0)))
    assert type(loss) is tf.keras.losses.Huber
    fn = U.serialize_keras_object(tf.keras.activations.relu)
    assert fn == {"module": "builtins", "class_name": "function", "config": "relu",
                  "registered_name": "function"}
    assert U.deserialize_keras_object(fn) is tf.keras.activations.relu
    arr = U.deserialize_keras_object(U.serialize_keras_object(np.array([1, 2], np.int16)))
    assert arr.dtype == np.int16 and arr.tolist() == [1, 2]


def test_built_layer_keeps_its_build_config():
    layer = tf.keras.layers.Dense(2)
    layer(tf.ones((1, 3)))
    config = U.serialize_keras_object(layer)
    assert config["build_config"] == {"input_shape": (1, 3)}
    back = U.deserialize_keras_object(config)
    assert back.built and back.kernel.shape == (3, 2)


def test_register_keras_serializable_and_scopes():
    @U.register_keras_serializable(package="unit")
    class Gain(tf.keras.layers.Layer):
        def __init__(self, g=1.0, **kwargs):
            super().__init__(**kwargs)
            self.g = g

        def get_config(self):
            return {**super().get_config(), "g": self.g}

    assert U.get_registered_name(Gain) == "unit>Gain"
    assert U.get_registered_object("unit>Gain") is Gain
    assert U.get_custom_objects()["unit>Gain"] is Gain
    back = U.deserialize_keras_object(U.serialize_keras_object(Gain(3.0)))
    assert type(back) is Gain and back.g == 3.0

    with pytest.raises(ValueError, match="get_config"):
        U.register_keras_serializable()(type("NoConfig", (), {}))

    def helper(x):
        return x

    assert U.get_registered_object("helper") is None
    with U.custom_object_scope({"helper": helper}):
        assert U.get_registered_object("helper") is helper
        with U.CustomObjectScope({"other": abs}):
            assert U.get_registered_object("other") is abs
        assert U.get_registered_object("other") is None
    assert U.get_registered_object("helper") is None
    assert U.get_registered_object("x", custom_objects={"x": 1}) == 1


def test_unregistered_custom_class_needs_a_scope():
    class Plain(tf.keras.layers.Layer):
        pass

    config = U.serialize_keras_object(Plain(name="p"))
    assert config["registered_name"] == "Plain"
    with pytest.raises(TypeError, match="Could not locate class 'Plain'"):
        U.deserialize_keras_object(config)
    assert type(U.deserialize_keras_object(config, custom_objects={"Plain": Plain})) is Plain


# -- utils: packing, splitting, text datasets -------------------------------------------------

def test_pack_and_unpack_x_y_sample_weight():
    assert U.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    assert U.unpack_x_y_sample_weight(5) == (5, None, None)
    with pytest.raises(ValueError, match="found: \\(1, 2, 3, 4\\)"):
        U.unpack_x_y_sample_weight((1, 2, 3, 4))
    assert U.pack_x_y_sample_weight(1) == 1
    assert U.pack_x_y_sample_weight((1, 2)) == ((1, 2),)
    assert U.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)


def test_split_dataset_sizes():
    left, right = U.split_dataset(np.arange(10), left_size=0.8)
    assert _elements(left) == list(range(8)) and _elements(right) == [8, 9]
    left, right = U.split_dataset((np.arange(5), np.arange(5) * 2), right_size=2)
    assert _elements(right) == [(3, 6), (4, 8)]
    left, right = U.split_dataset(np.arange(10), left_size=3, right_size=3)
    assert _elements(left) == [0, 1, 2] and _elements(right) == [7, 8, 9]
    with pytest.raises(ValueError, match="At least one"):
        U.split_dataset(np.arange(3))


def test_text_dataset_from_directory(tmp_path, capsys):
    for rel, text in {"b/x.txt": "two", "a/y.txt": "one", "a/z.txt": "three!",
                      "a/skip.csv": "no"}.items():
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(text)
    ds = U.text_dataset_from_directory(str(tmp_path), batch_size=None, shuffle=False,
                                       max_length=3)
    assert capsys.readouterr().out == "Found 3 files belonging to 2 classes.\n"
    assert ds.class_names == ["a", "b"]
    assert _elements(ds) == [(b"one", 0), (b"thr", 0), (b"two", 1)]
    cat = U.text_dataset_from_directory(str(tmp_path), batch_size=3, shuffle=False,
                                        label_mode="categorical")
    texts, labels = next(iter(cat))
    assert texts.shape == (3,) and labels.numpy().tolist() == [[1, 0], [1, 0], [0, 1]]
    with pytest.raises(ValueError, match="must provide a `seed`"):
        U.text_dataset_from_directory(str(tmp_path), validation_split=0.5, subset="training")


# -- namespaces and docstrings ----------------------------------------------------------------

def test_public_names_exist():
    for name in ("abs", "batch_dot", "switch", "foldr", "random_binomial", "in_test_phase"):
        assert callable(getattr(K, name))
    for name in ("Progbar", "pad_sequences", "timeseries_dataset_from_array",
                 "serialize_keras_object", "CustomObjectScope", "split_dataset"):
        assert hasattr(U, name)
    with pytest.raises(NotImplementedError):
        U.image_dataset_from_directory


@pytest.mark.parametrize("module", ["backend", "backend_nn", "utils", "serialization",
                                    "dataset_utils"])
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"tapeflow._src.keras.{module}")
    result = doctest.testmod(mod, extraglobs={"tf": tf, "np": np},
                             optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0 and result.failed == 0

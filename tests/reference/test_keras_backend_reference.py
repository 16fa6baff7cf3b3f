"""tf.keras.backend and tf.keras.utils against tf_keras 2.21: values, dtypes, shapes, errors,
printed output (K.print_tensor, Progbar) and the datasets the utils build."""

import os
import re

import numpy as np
import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
tf_ref = pytest.importorskip("tensorflow")

import tapeflow as tf  # noqa: E402

R = np.random.default_rng(0)
A23 = R.normal(size=(2, 3)).astype(np.float32)
A234 = R.normal(size=(2, 3, 4)).astype(np.float32)
A546 = R.normal(size=(5, 4, 6)).astype(np.float32)
A2345 = R.normal(size=(2, 3, 4, 5)).astype(np.float32)
P = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], np.float32)
Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
B = np.array([[True, False, True], [False, False, True]])

# (id, function of a Keras backend module K and its TF module) -> a tensor or nested values.
CASES = [
    ("abs", lambda K, t: K.abs(t.constant(A23))),
    ("all", lambda K, t: K.all(t.constant(B), axis=1)),
    ("any_keepdims", lambda K, t: K.any(t.constant(A23 > 0), axis=0, keepdims=True)),
    ("arange_neg", lambda K, t: K.arange(-3)),
    ("arange_float", lambda K, t: K.arange(1, 7, 2, dtype="float32")),
    ("argmax", lambda K, t: K.argmax(t.constant(A23))),
    ("argmin_axis0", lambda K, t: K.argmin(t.constant(A23), axis=0)),
    ("batch_dot_2d", lambda K, t: K.batch_dot(t.constant(A23), t.constant(A23 * 2))),
    ("batch_dot_3d_2d", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234[:, 0]))),
    ("batch_dot_2d_3d", lambda K, t: K.batch_dot(t.constant(A23), t.constant(A234))),
    ("batch_dot_axes", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234),
                                                axes=(1, 1))),
    ("batch_dot_4d", lambda K, t: K.batch_dot(
        t.constant(A2345),
        t.constant(np.arange(2 * 5 * 2 * 3, dtype=np.float32).reshape(2, 5, 2, 3)),
        axes=(3, 1))),
    ("batch_dot_int_axes", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234),
                                                    axes=2)),
    ("batch_flatten", lambda K, t: K.batch_flatten(t.constant(A234))),
    ("bias_add", lambda K, t: K.bias_add(t.constant(A234), t.constant([1.0, 2.0, 3.0, 4.0]))),
    ("bias_add_cf", lambda K, t: K.bias_add(t.constant(A234), t.constant([1.0, 2.0, 3.0]),
                                            data_format="channels_first")),
    ("bias_add_2d_bias", lambda K, t: K.bias_add(t.constant(A234), t.constant(A234[0]))),
    ("bce", lambda K, t: K.binary_crossentropy(t.constant(Y), t.constant(P))),
    ("bce_extreme", lambda K, t: K.binary_crossentropy(t.constant([1.0, 0.0, 1.0]),
                                                       t.constant([0.0, 1.0, 1.0]))),
    ("bce_logits", lambda K, t: K.binary_crossentropy(t.constant(Y), t.constant(A23),
                                                      from_logits=True)),
    ("cast", lambda K, t: K.cast(t.constant(A23), "int32")),
    ("cast_to_floatx_list", lambda K, t: K.cast_to_floatx([1, 2])),
    ("cast_to_floatx_tensor", lambda K, t: K.cast_to_floatx(t.constant([1, 2]))),
    ("cce", lambda K, t: K.categorical_crossentropy(t.constant(Y), t.constant(P * 2))),
    ("cce_axis0", lambda K, t: K.categorical_crossentropy(t.constant(Y), t.constant(P),
                                                          axis=0)),
    ("cce_logits", lambda K, t: K.categorical_crossentropy(t.constant(Y), t.constant(A23),
                                                           from_logits=True)),
    ("cce_after_softmax", lambda K, t: K.categorical_crossentropy(
        t.constant(Y), K.softmax(t.constant(A23 * 30)))),
    ("clip", lambda K, t: K.clip(t.constant(A23), -0.5, 0.5)),
    ("clip_inverted", lambda K, t: K.clip(t.constant(A23), 0.3, 0.1)),
    ("clip_none", lambda K, t: K.clip(t.constant(A23), None, 0.0)),
    ("concatenate", lambda K, t: K.concatenate([t.constant(A23), t.constant(A23)])),
    ("concatenate_axis0", lambda K, t: K.concatenate([t.constant(A23), t.constant(A23)], 0)),
    ("constant", lambda K, t: K.constant([[1, 2]])),
    ("constant_dtype_shape", lambda K, t: K.constant(3, dtype="int32", shape=(2, 2))),
    ("cos", lambda K, t: K.cos(t.constant(A23))),
    ("count_params", lambda K, t: K.count_params(K.zeros((2, 3)))),
    ("cumprod", lambda K, t: K.cumprod(t.constant(A23))),
    ("cumsum_axis1", lambda K, t: K.cumsum(t.constant(A23), axis=1)),
    ("dot_2d", lambda K, t: K.dot(t.constant(A23), t.constant(A23.T.copy()))),
    ("dot_nd", lambda K, t: K.dot(t.constant(A234), t.constant(A546))),
    ("dot_nd_2d", lambda K, t: K.dot(t.constant(A234), t.constant(A546[0]))),
    ("dtype", lambda K, t: K.dtype(K.variable(1, dtype="float64"))),
    ("elu", lambda K, t: K.elu(t.constant(A23))),
    ("elu_alpha", lambda K, t: K.elu(t.constant(A23), alpha=0.5)),
    ("equal", lambda K, t: K.equal(t.constant([1, 2]), t.constant([1, 3]))),
    ("eval", lambda K, t: K.eval(K.constant([1.0, 2.0]))),
    ("exp", lambda K, t: K.exp(t.constant(A23))),
    ("expand_dims", lambda K, t: K.expand_dims(t.constant(A23))),
    ("expand_dims_0", lambda K, t: K.expand_dims(t.constant(A23), 0)),
    ("eye", lambda K, t: K.eye(3)),
    ("flatten", lambda K, t: K.flatten(t.constant(A234))),
    ("foldl", lambda K, t: K.foldl(lambda a, x: a + x, t.constant([1.0, 2.0, 3.0]))),
    ("foldr", lambda K, t: K.foldr(lambda a, x: a - x, t.constant([1.0, 2.0, 3.0]))),
    ("foldl_init", lambda K, t: K.foldl(lambda a, x: a * x, t.constant([1.0, 2.0, 3.0]),
                                        initializer=t.constant(2.0))),
    ("gather", lambda K, t: K.gather(t.constant(A23), [1, 0, 1])),
    ("greater", lambda K, t: K.greater(t.constant(A23), 0.0)),
    ("greater_equal", lambda K, t: K.greater_equal(t.constant([1, 2]), 2)),
    ("hard_sigmoid", lambda K, t: K.hard_sigmoid(t.constant([-3.0, -1.0, 0.0, 2.0, 3.0]))),
    ("in_train_phase_default", lambda K, t: K.in_train_phase(1, 2)),
    ("in_train_phase_true", lambda K, t: K.in_train_phase(lambda: 1, 2, training=True)),
    ("in_train_phase_tensor", lambda K, t: K.in_train_phase(
        t.constant([1.0]), t.constant([2.0]), training=t.constant(True))),
    ("in_test_phase", lambda K, t: K.in_test_phase(1, 2)),
    ("l2_normalize", lambda K, t: K.l2_normalize(t.constant(A23), axis=1)),
    ("l2_normalize_all", lambda K, t: K.l2_normalize(t.constant(A23))),
    ("learning_phase", lambda K, t: K.learning_phase()),
    ("less", lambda K, t: K.less(t.constant(A23), 0.0)),
    ("less_equal", lambda K, t: K.less_equal(t.constant([1, 2]), 1)),
    ("log", lambda K, t: K.log(t.constant(P))),
    ("map_fn", lambda K, t: K.map_fn(lambda x: x * 2.0, t.constant(A23))),
    ("max", lambda K, t: K.max(t.constant(A23))),
    ("max_axis_keep", lambda K, t: K.max(t.constant(A23), axis=1, keepdims=True)),
    ("maximum", lambda K, t: K.maximum(t.constant(A23), 0.0)),
    ("mean", lambda K, t: K.mean(t.constant(A23), axis=0)),
    ("mean_bool", lambda K, t: K.mean(t.constant(B), axis=1, keepdims=True)),
    ("mean_int", lambda K, t: K.mean(t.constant([[1, 2], [3, 5]]))),
    ("mean_axes_list", lambda K, t: K.mean(t.constant(A234), axis=[0, 2])),
    ("min", lambda K, t: K.min(t.constant(A23), axis=-1)),
    ("minimum", lambda K, t: K.minimum(t.constant(A23), 0.0)),
    ("ndim", lambda K, t: K.ndim(t.constant(A234))),
    ("not_equal", lambda K, t: K.not_equal(t.constant([1, 2]), t.constant([1, 3]))),
    ("one_hot", lambda K, t: K.one_hot(t.constant([0, 2, 1]), 3)),
    ("ones", lambda K, t: K.ones((2, 3), dtype="int32")),
    ("ones_like", lambda K, t: K.ones_like(t.constant(A23), dtype="int32")),
    ("permute_dimensions", lambda K, t: K.permute_dimensions(t.constant(A234), (2, 0, 1))),
    ("pow", lambda K, t: K.pow(t.constant(P), 3)),
    ("prod", lambda K, t: K.prod(t.constant(A23), axis=1)),
    ("relu", lambda K, t: K.relu(t.constant(A23 * 10))),
    ("relu_full", lambda K, t: K.relu(t.constant([-2.0, 0.5, 1.5, 3.0, 8.0]), alpha=0.1,
                                      max_value=6.0, threshold=1.0)),
    ("relu_leaky", lambda K, t: K.relu(t.constant([-2.0, 3.0]), alpha=0.1)),
    ("relu6", lambda K, t: K.relu(t.constant([-2.0, 3.0, 8.0]), max_value=6)),
    ("relu_max", lambda K, t: K.relu(t.constant([-2.0, 3.0, 8.0]), max_value=2.5)),
    ("repeat", lambda K, t: K.repeat(t.constant(A23), 2)),
    ("repeat_elements", lambda K, t: K.repeat_elements(t.constant(A234), 2, axis=1)),
    ("reshape", lambda K, t: K.reshape(t.constant(A234), (4, -1))),
    ("reverse", lambda K, t: K.reverse(t.constant(A234), 1)),
    ("reverse_axes", lambda K, t: K.reverse(t.constant(A234), [0, 2])),
    ("round", lambda K, t: K.round(t.constant([0.5, 1.5, 2.5, -0.5]))),
    ("shape", lambda K, t: K.shape(t.constant(A234))),
    ("sigmoid", lambda K, t: K.sigmoid(t.constant(A23))),
    ("sign", lambda K, t: K.sign(t.constant([-2.0, 0.0, 3.0]))),
    ("sin", lambda K, t: K.sin(t.constant(A23))),
    ("softmax", lambda K, t: K.softmax(t.constant(A23))),
    ("softmax_axis0", lambda K, t: K.softmax(t.constant(A23), axis=0)),
    ("softmax_tuple_axis", lambda K, t: K.softmax(t.constant(A234), axis=(1, 2))),
    ("softplus", lambda K, t: K.softplus(t.constant(A23))),
    ("softsign", lambda K, t: K.softsign(t.constant(A23))),
    ("scce", lambda K, t: K.sparse_categorical_crossentropy(t.constant([1, 0]), t.constant(P))),
    ("scce_2d_target", lambda K, t: K.sparse_categorical_crossentropy(
        t.constant([[1], [0]]), t.constant(P))),
    ("scce_logits", lambda K, t: K.sparse_categorical_crossentropy(
        t.constant([2, 0]), t.constant(A23), from_logits=True)),
    ("scce_3d", lambda K, t: K.sparse_categorical_crossentropy(
        t.constant([[1, 0, 3], [2, 2, 0]]), t.constant(A234), from_logits=True)),
    ("scce_axis1", lambda K, t: K.sparse_categorical_crossentropy(
        t.constant([[1, 0, 2, 2], [2, 1, 0, 1]]), t.constant(A234), from_logits=True,
        axis=1)),
    ("scce_ignore", lambda K, t: K.sparse_categorical_crossentropy(
        t.constant([[1, 0, 3], [2, 2, 0]]), t.constant(A234), from_logits=True,
        ignore_class=2)),
    ("sqrt", lambda K, t: K.sqrt(t.constant([-1.0, 4.0, 2.0]))),
    ("square", lambda K, t: K.square(t.constant(A23))),
    ("squeeze", lambda K, t: K.squeeze(t.constant(A23[:1]), 0)),
    ("stack", lambda K, t: K.stack([t.constant(A23), t.constant(A23)], axis=1)),
    ("std", lambda K, t: K.std(t.constant(A23), axis=1)),
    ("std_bool", lambda K, t: K.std(t.constant(B))),
    ("stop_gradient", lambda K, t: K.stop_gradient(t.constant(A23))),
    ("stop_gradient_list", lambda K, t: list(K.stop_gradient([t.constant(1.0)]))),
    ("sum", lambda K, t: K.sum(t.constant(A234), axis=(0, 2), keepdims=True)),
    ("switch_scalar", lambda K, t: K.switch(t.constant(False), t.constant(1.0),
                                            lambda: t.constant(2.0))),
    ("switch_scalar_int", lambda K, t: K.switch(t.constant(1), t.constant(1.0),
                                                t.constant(2.0))),
    ("switch_1d", lambda K, t: K.switch(t.constant([True, False, True]), t.constant(A23),
                                        t.constant(-A23))),
    ("switch_2d_cond_3d", lambda K, t: K.switch(t.constant([[True, False, True],
                                                            [False, False, True]]),
                                                t.constant(A234[:, :3]),
                                                lambda: t.constant(-A234[:, :3]))),
    ("tanh", lambda K, t: K.tanh(t.constant(A23))),
    ("tile", lambda K, t: K.tile(t.constant([1, 2]), 2)),
    ("tile_list", lambda K, t: K.tile(t.constant(A23), [2, 1])),
    ("transpose", lambda K, t: K.transpose(t.constant(A234))),
    ("var", lambda K, t: K.var(t.constant(A23))),
    ("var_axis", lambda K, t: K.var(t.constant(A23), axis=0, keepdims=True)),
    ("variable", lambda K, t: K.variable([1, 2], name="w")),
    ("variable_numpy_int", lambda K, t: K.variable(np.array([1, 2]))),
    ("variable_dtype", lambda K, t: K.variable([1, 2], dtype="int64")),
    ("zeros", lambda K, t: K.zeros((2, 3))),
    ("zeros_empty", lambda K, t: K.zeros((0, 3))),
    ("zeros_like", lambda K, t: K.zeros_like(t.constant(A23))),
    ("update", lambda K, t: K.update(K.variable([1.0, 2.0]), [3.0, 4.0])),
    ("update_add", lambda K, t: K.update_add(K.variable([1.0, 2.0]), [3.0, 4.0])),
    ("update_sub", lambda K, t: K.update_sub(K.variable([1.0, 2.0]), [3.0, 4.0])),
    ("moving_average_update", lambda K, t: K.moving_average_update(
        K.variable([1.0, 2.0]), [3.0, 4.0], 0.9)),
    ("temporal_padding", lambda K, t: K.temporal_padding(t.constant(A234), (1, 2))),
    ("spatial_2d_padding", lambda K, t: K.spatial_2d_padding(t.constant(A234[None]))),
    ("random_bernoulli_p1", lambda K, t: K.random_bernoulli((2, 3), p=1.0)),
    ("random_bernoulli_p0", lambda K, t: K.random_bernoulli((2,), p=0.0, dtype="float64")),
    ("is_sparse", lambda K, t: K.is_sparse(t.constant(1.0))),
    ("spatial_3d_padding", lambda K, t: K.spatial_3d_padding(t.constant(A2345[None]),
                                                             ((0, 1), (1, 0), (1, 1)))),
    ("spatial_3d_padding_cf", lambda K, t: K.spatial_3d_padding(
        t.constant(A2345[None]), data_format="channels_first")),
    ("bfce", lambda K, t: K.binary_focal_crossentropy(t.constant(Y), t.constant(P))),
    ("bfce_logits_balanced", lambda K, t: K.binary_focal_crossentropy(
        t.constant(Y), t.constant(A23), apply_class_balancing=True, alpha=0.4, gamma=1.5,
        from_logits=True)),
    ("cfce", lambda K, t: K.categorical_focal_crossentropy(t.constant(Y), t.constant(P))),
    ("cfce_logits", lambda K, t: K.categorical_focal_crossentropy(
        t.constant(Y), t.constant(A23), alpha=0.5, gamma=1.0, from_logits=True)),
    ("backend", lambda K, t: K.backend()),
]


def _describe(v):
    """A comparable summary: type kind, dtype name, shape and values."""
    if isinstance(v, (list, tuple)):
        return [_describe(e) for e in v]
    kind = type(v).__name__
    if hasattr(v, "numpy"):
        kind = "variable" if "Variable" in kind else "tensor"
        name = getattr(v, "name", None) if kind == "variable" else None
        return kind, v.dtype.name, tuple(v.shape), np.asarray(v.numpy()), name
    if isinstance(v, np.ndarray):
        return "ndarray", v.dtype.name, v.shape, v, None
    return kind, None, None, v, None


def _assert_same(ours, ref):
    if isinstance(ref, list):
        assert isinstance(ours, list) and len(ours) == len(ref)
        for o, r in zip(ours, ref):
            _assert_same(o, r)
        return
    assert ours[:3] == ref[:3]
    if ref[4] is not None:  # variable names: drop TF's uniquifying suffix
        assert re.sub(r"_\d+:0$", ":0", ours[4]) == re.sub(r"_\d+:0$", ":0", ref[4])
    if isinstance(ref[3], np.ndarray) and ref[3].dtype.kind == "f":
        np.testing.assert_allclose(ours[3], ref[3], rtol=2e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(ours[3], ref[3])


@pytest.mark.parametrize("fn", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_backend_function_matches_tf_keras(fn):
    ref = _describe(fn(tf_ref.keras.backend, tf_ref))
    ours = _describe(fn(tf.keras.backend, tf))
    _assert_same(ours, ref)


def test_backend_namespace_has_the_listed_tf_keras_names():
    skipped = {"batch_normalization", "conv1d", "conv2d", "conv2d_transpose",
               "conv3d", "ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse",
               "depthwise_conv2d", "experimental", "in_top_k", "local_conv1d", "local_conv2d",
               "normalize_batch_in_training", "pool2d", "pool3d", "resize_images",
               "resize_volumes", "rnn", "separable_conv2d"}
    ref = {n for n in dir(tf_ref.keras.backend) if not n.startswith("_")}
    ours = {n for n in dir(tf.keras.backend) if not n.startswith("_")}
    assert ref - skipped <= ours


ERRORS = [
    ("batch_dot_rank1", lambda K, t: K.batch_dot(t.constant([1.0]), t.constant(A23))),
    ("batch_dot_batch", lambda K, t: K.batch_dot(t.constant(A23), t.constant(A546))),
    ("batch_dot_axis0", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234),
                                                 axes=(0, 1))),
    ("batch_dot_mismatch", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234),
                                                    axes=(1, 2))),
    ("batch_dot_multi", lambda K, t: K.batch_dot(t.constant(A234), t.constant(A234),
                                                 axes=[(1, 2), 1])),
    ("softmax_1d", lambda K, t: K.softmax(t.constant([1.0, 2.0]))),
    ("switch_rank", lambda K, t: K.switch(t.constant([[True]]), t.constant([1.0]),
                                          t.constant([2.0]))),
    ("bias_add_rank", lambda K, t: K.bias_add(t.constant(A234), t.constant(A234))),
    ("bias_add_format", lambda K, t: K.bias_add(t.constant(A23), t.constant([1.0] * 3),
                                                data_format="nhwc")),
    ("cce_shapes", lambda K, t: K.categorical_crossentropy(t.constant(Y), t.constant(A234))),
    ("gradients", lambda K, t: K.gradients(t.constant(1.0), [t.Variable(1.0)])),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_backend_errors_match_tf_keras(fn):
    with pytest.raises(Exception) as ref:
        fn(tf_ref.keras.backend, tf_ref)
    with pytest.raises(type(ref.value)) as ours:
        fn(tf.keras.backend, tf)
    assert str(ours.value) == str(ref.value)


def test_print_tensor_prints_as_tf_keras(capfd):
    for K, t in ((tf_ref.keras.backend, tf_ref), (tf.keras.backend, tf)):
        out = K.print_tensor(t.constant([[1.0, 2.5, 3.0, 4.0], [5, 6, 7, 8]]), message="x =")
        np.testing.assert_array_equal(out.numpy()[0], [1.0, 2.5, 3.0, 4.0])
        K.print_tensor(t.constant([1, 2]))
    captured = capfd.readouterr().out
    half = len(captured) // 2
    assert captured[:half] == captured[half:]
    assert captured.startswith("x = [[1 2.5 3 4]")


def test_learning_phase_inside_a_layer_call_follows_training():
    seen = {}

    for name, mod in (("ref", tf_ref), ("ours", tf)):
        class Probe(mod.keras.layers.Layer):
            def call(self, x, training=None):
                return mod.keras.backend.in_train_phase(x * 2.0, x)

        layer = Probe()
        seen[name] = (float(layer(mod.constant(1.0), training=True)),
                      float(layer(mod.constant(1.0), training=False)),
                      float(layer(mod.constant(1.0))))
    assert seen["ours"] == seen["ref"] == (2.0, 1.0, 1.0)


# -- tf.keras.utils ---------------------------------------------------------------------------

SEQS = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
PAD_CASES = [
    dict(),
    dict(maxlen=2),
    dict(maxlen=6, padding="post"),
    dict(maxlen=2, truncating="post"),
    dict(maxlen=3, padding="post", truncating="post", value=-1.5, dtype="float32"),
    dict(dtype="float64", value=0.25),
]


@pytest.mark.parametrize("kw", PAD_CASES)
def test_pad_sequences_matches_tf_keras(kw):
    ref = tf_ref.keras.utils.pad_sequences(SEQS, **kw)
    ours = tf.keras.utils.pad_sequences(SEQS, **kw)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


def test_pad_sequences_of_vectors_and_strings_match_tf_keras():
    seqs = [np.ones((2, 3)), np.zeros((1, 3))]
    np.testing.assert_array_equal(tf.keras.utils.pad_sequences(seqs, dtype="float32"),
                                  tf_ref.keras.utils.pad_sequences(seqs, dtype="float32"))
    words = [["a", "bb"], ["c"]]
    ref = tf_ref.keras.utils.pad_sequences(words, dtype=object, value="<pad>")
    np.testing.assert_array_equal(
        tf.keras.utils.pad_sequences(words, dtype=object, value="<pad>"), ref)


PAD_ERRORS = [
    (5, {}),
    ([[1], 2], {}),
    (SEQS, dict(padding="middle")),
    (SEQS, dict(truncating="middle", maxlen=2)),
    (SEQS, dict(value="x")),
    ([np.ones((2, 3)), np.ones((1, 2))], {}),
]


@pytest.mark.parametrize("seqs,kw", PAD_ERRORS)
def test_pad_sequences_errors_match_tf_keras(seqs, kw):
    with pytest.raises(Exception) as ref:
        tf_ref.keras.utils.pad_sequences(seqs, **kw)
    with pytest.raises(type(ref.value)) as ours:
        tf.keras.utils.pad_sequences(seqs, **kw)
    assert str(ours.value) == str(ref.value)


SERIES = np.arange(40, dtype=np.float64).reshape(20, 2)
TARGETS = np.arange(100, 120)
TS_CASES = [
    dict(sequence_length=3, batch_size=4),
    dict(sequence_length=4, sequence_stride=3, sampling_rate=2, batch_size=2),
    dict(sequence_length=5, batch_size=None),
    dict(sequence_length=2, start_index=3, end_index=15, batch_size=5),
    dict(sequence_length=25, batch_size=4),
]


def _as_lists(ds):
    return [tuple(np.asarray(p).tolist() for p in e) if isinstance(e, tuple)
            else np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


@pytest.mark.parametrize("with_targets", [False, True])
@pytest.mark.parametrize("kw", TS_CASES)
def test_timeseries_dataset_matches_tf_keras(kw, with_targets):
    targets = TARGETS if with_targets else None
    ref = tf_ref.keras.utils.timeseries_dataset_from_array(SERIES, targets, **kw)
    ours = tf.keras.utils.timeseries_dataset_from_array(SERIES, targets, **kw)
    assert _as_lists(ours) == _as_lists(ref)
    for o, r in zip(tf.nest.flatten(ours.element_spec), tf_ref.nest.flatten(ref.element_spec)):
        assert o.dtype.name == r.dtype.name


def test_shuffled_timeseries_dataset_has_tf_keras_windows_with_their_targets():
    kw = dict(sequence_length=3, batch_size=None, shuffle=True, seed=3)
    ref = tf_ref.keras.utils.timeseries_dataset_from_array(SERIES, TARGETS, **kw)
    ours = tf.keras.utils.timeseries_dataset_from_array(SERIES, TARGETS, **kw)
    rows = sorted(_as_lists(ours))
    assert rows == sorted(_as_lists(ref))
    assert _as_lists(ours) != rows  # shuffled (18 windows)


TS_ERRORS = [
    dict(sequence_length=3, start_index=-1),
    dict(sequence_length=3, start_index=20),
    dict(sequence_length=3, start_index=5, end_index=5),
    dict(sequence_length=3, end_index=20),
    dict(sequence_length=3, sampling_rate=0),
    dict(sequence_length=3, sampling_rate=20),
    dict(sequence_length=3, sequence_stride=0),
    dict(sequence_length=3, sequence_stride=20),
]


@pytest.mark.parametrize("kw", TS_ERRORS)
def test_timeseries_dataset_errors_match_tf_keras(kw):
    with pytest.raises(Exception) as ref:
        tf_ref.keras.utils.timeseries_dataset_from_array(SERIES, None, **kw)
    with pytest.raises(type(ref.value)) as ours:
        tf.keras.utils.timeseries_dataset_from_array(SERIES, None, **kw)
    assert str(ours.value) == str(ref.value)


def _progbar_script(mod):
    bar = mod.keras.utils.Progbar(5, interval=0.0, stateful_metrics=["acc"])
    bar.update(1, [("loss", 0.5), ("acc", 0.25)])
    bar.add(2, [("loss", 0.25), ("acc", 0.5)])
    bar.update(5, [("loss", 1e-5), ("acc", 1.0)])
    bar = mod.keras.utils.Progbar(12, width=10, verbose=2, interval=0.0, unit_name="sample")
    bar.update(6, [("loss", 2.0)])
    bar.update(12, [("loss", 4.0)], finalize=True)
    bar = mod.keras.utils.Progbar(None, interval=0.0)
    bar.update(3, [("mae", 0.75)])
    bar.update(7, finalize=True)


def _normalize_times(text):
    text = re.sub(r"\d+(s|ms|us)/(step|sample|epoch)", r"T/\2", text)
    return re.sub(r" - \d+s", " - Ts", text).replace("ETA: 0s", "ETA: Ts")


def test_progbar_prints_as_tf_keras(capsys):
    _progbar_script(tf_ref)
    ref = capsys.readouterr().out
    _progbar_script(tf)
    ours = capsys.readouterr().out
    assert _normalize_times(ours) == _normalize_times(ref)
    assert "loss: 1.0000e-05" not in ours  # averaged, not the last value


def _serializable(mod):
    k = mod.keras
    built = k.layers.Dense(3, activation="relu", name="d")
    built(mod.ones((4, 2)))
    return [k.layers.Dense(2, name="d2"), built, k.losses.MeanSquaredError(),
            k.losses.CategoricalCrossentropy(from_logits=True), k.metrics.Mean(name="m"),
            k.initializers.GlorotUniform(seed=1), k.regularizers.L2(0.5),
            k.activations.relu, k.losses.mean_squared_error, "relu", None, [1, (2, 3)],
            {"a": 1.5}, np.array([1.0, 2.0]), mod.constant([1, 2]), np.float32(0.5),
            mod.float64, b"xy"]


@pytest.mark.parametrize("i", range(18))
def test_serialize_keras_object_matches_tf_keras(i):
    ref = tf_ref.keras.utils.serialize_keras_object(_serializable(tf_ref)[i])
    ours = tf.keras.utils.serialize_keras_object(_serializable(tf)[i])
    assert ours == ref


def test_serialize_deserialize_round_trips_match_tf_keras():
    def round_trips(mod):
        utils = mod.keras.utils
        return [utils.serialize_keras_object(utils.deserialize_keras_object(
            utils.serialize_keras_object(obj))) for obj in _serializable(mod)]

    ours = round_trips(tf)
    assert ours == round_trips(tf_ref)
    assert ours[1]["build_config"] == {"input_shape": (4, 2)}


def test_optimizer_serialization_matches_tf_keras():
    ref = tf_ref.keras.utils.serialize_keras_object(tf_ref.keras.optimizers.Adam(0.5))
    ours = tf.keras.utils.serialize_keras_object(tf.keras.optimizers.Adam(0.5))
    assert ours == ref
    opt = tf.keras.utils.deserialize_keras_object(ours)
    assert type(opt) is tf.keras.optimizers.Adam and float(opt.learning_rate) == 0.5


def test_custom_classes_serialize_as_tf_keras():
    configs = []
    for mod in (tf_ref, tf):
        utils = mod.keras.utils

        @utils.register_keras_serializable(package="refpkg")
        class Scale(mod.keras.layers.Layer):
            def __init__(self, k=1.0, **kwargs):
                super().__init__(**kwargs)
                self.k = k

            def get_config(self):
                return {**super().get_config(), "k": self.k}

        class Plain(mod.keras.layers.Layer):
            pass

        config = utils.serialize_keras_object(Scale(2.0, name="s"))
        back = utils.deserialize_keras_object(config)
        assert type(back) is Scale and back.k == 2.0
        assert utils.get_registered_name(Scale) == "refpkg>Scale"
        assert utils.get_registered_object("refpkg>Scale") is Scale
        assert utils.get_custom_objects()["refpkg>Scale"] is Scale
        plain = utils.serialize_keras_object(Plain(name="p"))
        with utils.custom_object_scope({"Plain": Plain}):
            assert type(utils.deserialize_keras_object(plain)) is Plain
        with pytest.raises(TypeError) as err:
            utils.deserialize_keras_object(plain)
        configs.append((config, plain, str(err.value)))
    assert configs[0] == configs[1]


def test_deserialize_with_module_objects_matches_tf_keras():
    for mod in (tf_ref, tf):
        utils = mod.keras.utils
        layer = utils.deserialize_keras_object(
            {"class_name": "Dense", "config": {"units": 2}},
            module_objects={"Dense": mod.keras.layers.Dense})
        assert type(layer) is mod.keras.layers.Dense and layer.units == 2
        fn = utils.deserialize_keras_object(
            "mean_squared_error",
            module_objects={"mean_squared_error": mod.keras.losses.mean_squared_error})
        assert fn is mod.keras.losses.mean_squared_error
        with pytest.raises(TypeError, match="Could not locate class 'Dense'"):
            utils.deserialize_keras_object({"class_name": "Dense", "config": {"units": 2}})


@pytest.mark.parametrize("kw", [dict(y=[0, 1, 3]), dict(y=[[1], [2]], num_classes=4),
                                dict(y=[[0, 2], [1, 1]], dtype="int32")])
def test_to_ordinal_matches_tf_keras(kw):
    ref = tf_ref.keras.utils.to_ordinal(**kw)
    ours = tf.keras.utils.to_ordinal(**kw)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("data", [1, (1,), (1, 2), [1, 2, 3], ((1, 2),), (1, 2, 3, 4)])
def test_unpack_x_y_sample_weight_matches_tf_keras(data):
    try:
        ref = tf_ref.keras.utils.unpack_x_y_sample_weight(data)
    except ValueError as e:
        with pytest.raises(ValueError, match=re.escape(str(e))):
            tf.keras.utils.unpack_x_y_sample_weight(data)
        return
    assert tf.keras.utils.unpack_x_y_sample_weight(data) == ref


@pytest.mark.parametrize("args", [(1,), ((1, 2),), ([1, 2],), (1, 2), (1, 2, 3), (1, None, 3)])
def test_pack_x_y_sample_weight_matches_tf_keras(args):
    assert (tf.keras.utils.pack_x_y_sample_weight(*args)
            == tf_ref.keras.utils.pack_x_y_sample_weight(*args))


SPLIT_CASES = [
    (lambda: np.arange(10), dict(left_size=0.8)),
    (lambda: np.arange(10), dict(right_size=3)),
    (lambda: np.arange(10), dict(left_size=4, right_size=0.5)),
    (lambda: (np.arange(6), np.arange(6) * 10), dict(left_size=2)),
    (lambda: [np.arange(6).reshape(6, 1), np.arange(6)], dict(right_size=0.5)),
    (lambda: np.arange(10), dict(left_size=0.6, shuffle=True, seed=4)),
]


@pytest.mark.parametrize("make,kw", SPLIT_CASES)
def test_split_dataset_matches_tf_keras(make, kw):
    ref = tf_ref.keras.utils.split_dataset(make(), **kw)
    ours = tf.keras.utils.split_dataset(make(), **kw)
    assert len(ours) == 2
    for o, r in zip(ours, ref):
        assert _as_lists(o) == _as_lists(r)


def test_split_dataset_of_a_batched_dataset_matches_tf_keras():
    outs = []
    for mod in (tf_ref, tf):
        ds = mod.data.Dataset.from_tensor_slices((np.arange(7), np.arange(7) * 2)).batch(3)
        outs.append([_as_lists(d) for d in mod.keras.utils.split_dataset(ds, left_size=5)])
    assert outs[0] == outs[1]


@pytest.mark.parametrize("elements", [np.arange(12).reshape(4, 3),
                                      {"a": np.arange(4), "b": np.arange(4) * 2}])
def test_split_dataset_of_unbatched_elements_matches_tf_keras(elements):
    outs = []
    for mod in (tf_ref, tf):
        ds = mod.data.Dataset.from_tensor_slices(elements)
        left, right = mod.keras.utils.split_dataset(ds, left_size=2)
        outs.append([[mod.nest.map_structure(np.asarray, e) for e in d.as_numpy_iterator()]
                     for d in (left, right)])
    assert repr(outs[0]) == repr(outs[1])


SPLIT_ERRORS = [
    (5, dict(left_size=1)),
    (np.arange(10), dict()),
    (np.arange(10), dict(left_size="a")),
    (np.arange(10), dict(left_size="a", right_size="b")),
    (np.arange(10), dict(left_size=0, right_size=0)),
    (np.arange(10), dict(left_size=10)),
    (np.arange(10), dict(right_size=1.5)),
    (np.arange(10), dict(left_size=0.6, right_size=0.6)),
    (np.arange(10), dict(left_size=6, right_size=6)),
    (np.arange(10), dict(left_size=0.01)),
    ([np.arange(3), np.arange(4)], dict(left_size=1)),
    ([1, 2], dict(left_size=1)),
]


@pytest.mark.parametrize("data,kw", SPLIT_ERRORS)
def test_split_dataset_errors_match_tf_keras(data, kw):
    with pytest.raises(Exception) as ref:
        tf_ref.keras.utils.split_dataset(data, **kw)
    with pytest.raises(type(ref.value)) as ours:
        tf.keras.utils.split_dataset(data, **kw)
    assert str(ours.value) == str(ref.value)


@pytest.fixture
def text_dir(tmp_path):
    files = {"neg/a.txt": "bad movie", "neg/b.txt": "awful", "neg/sub/c.txt": "meh plot",
             "pos/d.txt": "great", "pos/e.TXT": "loved it", "pos/f.md": "skipped",
             ".hidden/g.txt": "skipped", "pos/h.txt": "fine film"}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path)


TEXT_CASES = [
    dict(shuffle=False, batch_size=None),
    dict(shuffle=False, batch_size=2, label_mode="categorical"),
    dict(shuffle=False, batch_size=None, label_mode="binary", max_length=4),
    dict(shuffle=False, batch_size=4, labels=None),
    dict(shuffle=False, batch_size=None, labels=[1, 0, 1, 2, 2, 0, 1]),
    dict(shuffle=False, batch_size=None, class_names=["pos", "neg"]),
    dict(shuffle=False, batch_size=None, validation_split=0.34, subset="validation"),
    dict(shuffle=False, batch_size=2, validation_split=0.34, subset="training"),
]


def _text_lists(ds):
    datasets = ds if isinstance(ds, list) else [ds]
    return [(_as_lists(d), d.class_names) for d in datasets]


@pytest.mark.parametrize("kw", TEXT_CASES)
def test_text_dataset_from_directory_matches_tf_keras(text_dir, kw, capsys):
    ref = tf_ref.keras.utils.text_dataset_from_directory(text_dir, **kw)
    ref_out = capsys.readouterr().out
    ours = tf.keras.utils.text_dataset_from_directory(text_dir, **kw)
    assert capsys.readouterr().out == ref_out
    assert _text_lists(ours) == _text_lists(ref)


def test_shuffled_text_dataset_split_both_matches_tf_keras_contents(text_dir):
    kw = dict(batch_size=None, validation_split=0.5, subset="both", seed=7)
    ref = tf_ref.keras.utils.text_dataset_from_directory(text_dir, **kw)
    ours = tf.keras.utils.text_dataset_from_directory(text_dir, **kw)
    assert len(ours) == 2
    assert sorted(_as_lists(ours[0])) == sorted(_as_lists(ref[0]))
    assert _as_lists(ours[1]) == _as_lists(ref[1])  # validation is not reshuffled


TEXT_ERRORS = [
    dict(labels="x"),
    dict(labels=[0, 1], class_names=["a"]),
    dict(label_mode="sparse"),
    dict(validation_split=1.5, subset="training"),
    dict(validation_split=0.5),
    dict(validation_split=0.5, subset="test", seed=1),
    dict(validation_split=0.5, subset="training"),
    dict(class_names=["neg", "zzz"]),
    dict(labels=[0, 1]),
    dict(label_mode="binary", class_names=None, labels=[0, 1, 2, 0, 1, 2]),
]


@pytest.mark.parametrize("kw", TEXT_ERRORS)
def test_text_dataset_from_directory_errors_match_tf_keras(text_dir, kw):
    with pytest.raises(Exception) as ref:
        tf_ref.keras.utils.text_dataset_from_directory(text_dir, **kw)
    with pytest.raises(type(ref.value)) as ours:
        tf.keras.utils.text_dataset_from_directory(text_dir, **kw)
    assert str(ours.value).replace(text_dir, "D") == str(ref.value).replace(text_dir, "D")

"""Differential tests of tf.nn against real TensorFlow 2.21: values, dtypes, shapes,
gradients (first and second order) and exception types."""

import numpy as np
import pytest

import tapeflow as tft

RNG = np.random.default_rng(1234)


def _np(t):
    return None if t is None else np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def _same(ours, theirs, rtol=1e-5, atol=1e-6):
    if isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, rtol, atol)
        return
    if theirs is None:
        assert ours is None
        return
    assert ours.dtype.name == theirs.dtype.name
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(
        _np(ours).astype(np.float64), _np(theirs).astype(np.float64), rtol=rtol, atol=atol
    )


def _grads(tf, f, args, order=1, dtype="float64"):
    """Value of f and its gradients (order 1, or 2 = gradient of a weighted gradient sum)."""
    xs = [
        tf.constant(a, dtype=dtype) if np.asarray(a).dtype.kind == "f" else tf.constant(a)
        for a in args
    ]
    fl = [x for x in xs if x.dtype.is_floating]
    rng = np.random.default_rng(0)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(fl)
        with tf.GradientTape() as inner:
            inner.watch(fl)
            y = f(*xs)
            ys = list(y) if isinstance(y, (list, tuple)) else [y]
            s = tf.add_n(
                [tf.reduce_sum(tf.constant(rng.standard_normal(v.shape), v.dtype) * v) for v in ys]
            )
        g = inner.gradient(s, fl)
        # TensorFlow returns IndexedSlices for gathers: compare them as dense tensors.
        g = [None if gi is None else tf.convert_to_tensor(gi) for gi in g]
        if order == 2:
            s2 = tf.add_n(
                [
                    tf.reduce_sum(tf.constant(rng.standard_normal(gi.shape), gi.dtype) * gi)
                    for gi in g
                    if gi is not None
                ]
            )
    out = [ys, g]
    if order == 2:
        out.append(
            [None if gi is None else tf.convert_to_tensor(gi) for gi in outer.gradient(s2, fl)]
        )
    return out


def _compare_grads(tf_ref, f, args, order=1, rtol=1e-6, atol=1e-9, dtype="float64"):
    ours = _grads(tft, f(tft), args, order, dtype)
    theirs = _grads(tf_ref, f(tf_ref), args, order, dtype)
    for a, b in zip(ours, theirs):
        _same(a, b, rtol, atol)


def _outcome(fn, tf):
    try:
        return fn(tf), None
    except Exception as e:  # noqa: BLE001 - comparing exception types is the point
        return None, type(e).__name__


# ---------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------

ACTS = [
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
]
KINKS = np.array([-7.0, -1.0, -0.0, 0.0, 1e-3, 0.5, 6.0, 6.5, 30.0, 100.0, -100.0])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", ACTS)
def test_activation_values_and_dtypes(tf_ref, name, dtype):
    x = RNG.uniform(-8, 8, (3, 4))
    x[0, :3] = [0.0, 6.0, -0.0]
    ours = getattr(tft.nn, name)(tft.constant(x, dtype=dtype))
    theirs = getattr(tf_ref.nn, name)(tf_ref.constant(x, dtype=dtype))
    tol = 2e-3 if dtype == "float16" else 1e-6
    _same(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ACTS + ["log_sigmoid"])
def test_activation_gradients_at_kinks_and_second_order(tf_ref, name):
    def f(tf):
        fn = tf.math.log_sigmoid if name == "log_sigmoid" else getattr(tf.nn, name)
        if tf is tft and name == "log_sigmoid":
            from tapeflow._src.ops.nn_ops import log_sigmoid as fn
        return lambda x: fn(x)

    # TensorFlow has no gradient for SoftsignGrad, so softsign is compared to first order.
    _compare_grads(tf_ref, f, [KINKS], order=1 if name == "softsign" else 2)


@pytest.mark.parametrize("kwargs", [{"approximate": True}, {"approximate": False}])
def test_gelu_variants(tf_ref, kwargs):
    _compare_grads(
        tf_ref, lambda tf: lambda x: tf.nn.gelu(x, **kwargs), [RNG.uniform(-4, 4, (7,))], order=2
    )


def test_leaky_relu_alpha_and_silu_beta(tf_ref):
    _compare_grads(tf_ref, lambda tf: lambda x: tf.nn.leaky_relu(x, alpha=0.7), [KINKS])
    _compare_grads(tf_ref, lambda tf: lambda x: tf.nn.silu(x, beta=1.7), [KINKS], order=2)


def test_leaky_relu_of_integers(tf_ref):
    _same(tft.nn.leaky_relu(tft.constant([1, -7])), tf_ref.nn.leaky_relu(tf_ref.constant([1, -7])))


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_axes(tf_ref, axis):
    x = RNG.standard_normal((3, 4, 2)) * 5
    for name in ("softmax", "log_softmax"):
        _compare_grads(
            tf_ref, lambda tf: lambda v: getattr(tf.nn, name)(v, axis=axis), [x], order=2
        )


# ---------------------------------------------------------------------------------------
# Losses, moments, normalisation, bias_add
# ---------------------------------------------------------------------------------------


def test_sigmoid_cross_entropy(tf_ref):
    z = RNG.uniform(0, 1, (3, 4))
    x = RNG.uniform(-5, 5, (3, 4))
    x[0, 0] = 0.0
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
        [z, x],
        order=2,
    )


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_cross_entropy_grads_for_both_inputs(tf_ref, axis):
    z = RNG.uniform(0, 1, (3, 4))  # not normalised: TF's convention shows in the gradient
    x = RNG.uniform(-5, 5, (3, 4))
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.softmax_cross_entropy_with_logits(a, b, axis=axis),
        [z, x],
        order=2,
    )


def test_softmax_cross_entropy_broadcast_labels_and_large_logits(tf_ref):
    # Values only: TensorFlow's own gradient fails for broadcast labels.
    z = np.array([[0.25, 0.75, 0.0]])
    x = np.array([[1000.0, -1000.0, 3.0], [0.0, 1.0, 2.0]])
    _same(
        tft.nn.softmax_cross_entropy_with_logits(z, x),
        tf_ref.nn.softmax_cross_entropy_with_logits(z, x),
    )
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.softmax_cross_entropy_with_logits(a, b),
        [np.broadcast_to(z, x.shape), x],
        order=1,
    )


def test_sparse_softmax_cross_entropy(tf_ref):
    x = RNG.uniform(-5, 5, (2, 3, 4))
    y = np.array([[0, 3, 1], [2, 2, 0]], np.int32)
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.sparse_softmax_cross_entropy_with_logits(b, a),
        [x, y],
        order=2,
    )


@pytest.mark.parametrize("keepdims", [False, True])
def test_moments_including_second_order(tf_ref, keepdims):
    x = RNG.standard_normal((2, 3, 4))
    _compare_grads(
        tf_ref, lambda tf: lambda v: tf.nn.moments(v, axes=[0, 2], keepdims=keepdims), [x], order=2
    )


def test_moments_float16_and_int(tf_ref):
    for dt in ("float16", "int32"):
        x = np.array([[1, 2], [3, 5]])
        _same(
            tft.nn.moments(tft.constant(x, dt), axes=[0, 1]),
            tf_ref.nn.moments(tf_ref.constant(x, dt), axes=[0, 1]),
        )


@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]])
def test_l2_normalize(tf_ref, axis):
    x = RNG.standard_normal((3, 4))
    x[1] = 0.0
    _compare_grads(tf_ref, lambda tf: lambda v: tf.nn.l2_normalize(v, axis=axis), [x], order=2)


def test_l2_loss_and_bias_add(tf_ref):
    _compare_grads(
        tf_ref, lambda tf: lambda v: tf.nn.l2_loss(v), [RNG.standard_normal((3, 2))], order=2
    )
    _compare_grads(
        tf_ref,
        lambda tf: lambda v, b: tf.nn.bias_add(v, b),
        [RNG.standard_normal((2, 3, 4)), RNG.standard_normal(4)],
        order=2,
    )
    _compare_grads(
        tf_ref,
        lambda tf: lambda v, b: tf.nn.bias_add(v, b, data_format="NCHW"),
        [RNG.standard_normal((2, 3, 2, 2)), RNG.standard_normal(3)],
        order=2,
    )


def test_composite_helpers(tf_ref):
    x, m, v = RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.uniform(0.5, 2, 4)
    b, g = RNG.standard_normal(4), RNG.standard_normal(4)
    _compare_grads(
        tf_ref, lambda tf: lambda *a: tf.nn.batch_normalization(*a, 1e-3), [x, m, v, b, g], order=2
    )
    z, w = RNG.uniform(0, 1, (3, 4)), RNG.uniform(0.5, 3, (3, 4))
    _compare_grads(tf_ref, lambda tf: tf.nn.weighted_cross_entropy_with_logits, [z, x, w], order=2)
    _compare_grads(tf_ref, lambda tf: lambda a: tf.nn.crelu(a, axis=0), [x], order=2)
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, s: tf.nn.compute_average_loss(a, sample_weight=s),
        [x, RNG.uniform(0, 1, 3)],
        order=2,
    )
    ids = np.array([[2, 0], [1, 1]], np.int32)
    _compare_grads(tf_ref, lambda tf: tf.nn.embedding_lookup, [x, ids], order=2)


def test_dropout_rate_zero_and_scaling(tf_ref):
    for tf in (tft, tf_ref):
        x = tf.ones([200, 50])
        tf.random.set_seed(3)
        y = tf.nn.dropout(x, 0.3).numpy()
        assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
        np.testing.assert_array_equal(tf.nn.dropout(x, 0.0).numpy(), x.numpy())
        y = tf.nn.dropout(x, 0.5, noise_shape=[200, 1]).numpy()
        assert all(len(set(r)) == 1 for r in y)


# ---------------------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------------------

CONV_CASES = [
    dict(x=(2, 6, 5, 3), w=(3, 3, 3, 4), strides=1, padding="SAME"),
    dict(x=(1, 7, 6, 2), w=(2, 3, 2, 3), strides=[2, 3], padding="SAME"),
    dict(x=(2, 6, 6, 1), w=(3, 2, 1, 2), strides=2, padding="VALID"),
    dict(x=(1, 5, 5, 2), w=(3, 3, 2, 2), strides=2, padding=[[0, 0], [1, 2], [0, 1], [0, 0]]),
    dict(x=(1, 6, 6, 2), w=(1, 1, 2, 2), strides=[1, 1, 2, 1], padding="VALID"),
]
# TensorFlow's CPU kernels have no gradient for dilated convolutions and no float64 NCHW:
# these are compared on float32 values only (their gradients are checked by finite
# differences in the op table).
CONV_VALUE_CASES = [
    dict(x=(1, 7, 7, 2), w=(2, 2, 2, 2), strides=1, padding="VALID", dilations=2),
    dict(x=(1, 8, 7, 2), w=(3, 2, 2, 2), strides=1, padding="SAME", dilations=[2, 3]),
    dict(x=(1, 7, 7, 2), w=(2, 2, 2, 2), strides=2, padding="VALID", dilations=2),
    dict(x=(1, 2, 5, 4), w=(2, 2, 2, 3), strides=[1, 1, 1, 2], padding="SAME", data_format="NCHW"),
    dict(x=(2, 3, 6, 5), w=(3, 2, 3, 2), strides=2, padding="VALID", data_format="NCHW"),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: str(sorted(c.items())))
def test_conv2d_values_and_gradients(tf_ref, case):
    case = dict(case)
    x = RNG.standard_normal(case.pop("x"))
    w = RNG.standard_normal(case.pop("w"))
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.conv2d(a, b, **case),
        [x, w],
        order=2,
        rtol=1e-6,
        atol=1e-8,
    )


@pytest.mark.parametrize(
    "case", CONV_CASES[:3] + CONV_VALUE_CASES, ids=lambda c: str(sorted(c.items()))
)
def test_conv2d_float32_values(tf_ref, case):
    case = dict(case)
    x = RNG.standard_normal(case.pop("x")).astype(np.float32)
    w = RNG.standard_normal(case.pop("w")).astype(np.float32)
    _same(tft.nn.conv2d(x, w, **case), tf_ref.nn.conv2d(x, w, **case), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", CONV_CASES[:3], ids=lambda c: str(sorted(c.items())))
def test_conv2d_float32_gradients(tf_ref, case):
    case = dict(case)
    x = RNG.standard_normal(case.pop("x"))
    w = RNG.standard_normal(case.pop("w"))
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.conv2d(a, b, **case),
        [x, w],
        rtol=1e-4,
        atol=1e-4,
        dtype="float32",
    )


@pytest.mark.parametrize(
    "kw",
    [
        dict(stride=1, padding="SAME"),
        dict(stride=2, padding="VALID"),
        dict(stride=[1, 2, 1], padding="SAME"),
    ],
)
def test_conv1d(tf_ref, kw):
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.conv1d(a, b, **kw),
        [RNG.standard_normal((2, 9, 3)), RNG.standard_normal((3, 3, 2))],
        order=2,
    )


@pytest.mark.parametrize(
    "kw",
    [
        dict(stride=1, padding="VALID", dilations=2),
        dict(stride=2, padding="SAME", data_format="NCW"),
    ],
)
def test_conv1d_float32_values(tf_ref, kw):
    shape = (2, 3, 9) if kw.get("data_format") == "NCW" else (2, 9, 3)
    x = RNG.standard_normal(shape).astype(np.float32)
    w = RNG.standard_normal((3, 3, 2)).astype(np.float32)
    _same(tft.nn.conv1d(x, w, **kw), tf_ref.nn.conv1d(x, w, **kw), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kw",
    [
        dict(output_shape=[2, 6, 5, 3], strides=2, padding="SAME"),
        dict(output_shape=[2, 7, 6, 3], strides=2, padding="VALID"),
    ],
)
def test_conv2d_transpose(tf_ref, kw):
    out = kw["output_shape"]
    # the input of conv2d_transpose has conv2d's output shape
    y_shape = tft.nn.conv2d(
        tft.zeros(out), tft.zeros([3, 2, 3, 4]), kw["strides"], kw["padding"]
    ).shape
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.conv2d_transpose(a, b, **kw),
        [RNG.standard_normal(tuple(y_shape)), RNG.standard_normal((3, 2, 3, 4))],
        order=2,
    )


@pytest.mark.parametrize(
    "kw", [dict(strides=[1, 2], padding="SAME"), dict(padding="VALID"), dict(strides=[2])]
)
def test_convolution_dispatch(tf_ref, kw):
    rank1 = kw.get("strides") == [2]
    x = RNG.standard_normal((2, 9, 3) if rank1 else (2, 6, 5, 3))
    w = RNG.standard_normal((3, 3, 2) if rank1 else (3, 2, 3, 2))
    _same(tft.nn.convolution(x, w, **kw), tf_ref.nn.convolution(x, w, **kw))
    if rank1:  # TensorFlow's own Conv2D gradient fails for tf.nn.convolution's 2-D path
        _compare_grads(
            tf_ref, lambda tf: lambda a, b: tf.nn.convolution(a, b, **kw), [x, w], order=2
        )


DEPTHWISE_CASES = [
    dict(x=(2, 6, 5, 3), w=(3, 3, 3, 2), strides=[1, 1, 1, 1], padding="SAME"),
    dict(x=(1, 7, 6, 2), w=(2, 3, 2, 1), strides=[1, 2, 2, 1], padding="VALID"),
    dict(
        x=(1, 5, 5, 2),
        w=(3, 3, 2, 2),
        strides=[1, 2, 2, 1],
        padding=[[0, 0], [1, 2], [0, 1], [0, 0]],
    ),
    dict(x=(1, 7, 7, 2), w=(2, 2, 2, 2), strides=[1, 1, 1, 1], padding="VALID", dilations=[2, 2]),
]


@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=lambda c: str(sorted(c.items())))
def test_depthwise_conv2d(tf_ref, case):
    case = dict(case)
    x = RNG.standard_normal(case.pop("x"))
    w = RNG.standard_normal(case.pop("w"))
    _compare_grads(
        tf_ref,
        lambda tf: lambda a, b: tf.nn.depthwise_conv2d(a, b, **case),
        [x, w],
        order=1,
        rtol=1e-6,
        atol=1e-8,
    )


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------

POOL_CASES = [
    dict(ksize=2, strides=2, padding="VALID"),
    dict(ksize=3, strides=2, padding="SAME"),
    dict(ksize=[2, 3], strides=[1, 2], padding="SAME"),
    dict(ksize=3, strides=1, padding="VALID"),
    dict(ksize=[1, 2, 1, 1], strides=[1, 1, 2, 1], padding="SAME"),
]


@pytest.mark.parametrize("kind", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: str(sorted(c.items())))
def test_pool2d_values_and_gradients(tf_ref, kind, case):
    x = RNG.standard_normal((2, 5, 6, 3))
    _compare_grads(tf_ref, lambda tf: lambda a: getattr(tf.nn, kind)(a, **case), [x], order=2)


@pytest.mark.parametrize("kind", ["max_pool2d", "avg_pool2d"])
def test_pool2d_nchw_float32_values(tf_ref, kind):
    # TensorFlow's CPU pools take NCHW only through oneDNN (float32), without gradients.
    x = RNG.standard_normal((2, 3, 5, 6)).astype(np.float32)
    for kw in (dict(ksize=2, strides=2, padding="SAME"), dict(ksize=3, strides=1, padding="VALID")):
        _same(
            getattr(tft.nn, kind)(x, data_format="NCHW", **kw),
            getattr(tf_ref.nn, kind)(x, data_format="NCHW", **kw),
        )


def test_max_pool_explicit_padding_and_ties(tf_ref):
    x = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [0.0, 2.0, 2.0]])[None, :, :, None]
    _compare_grads(tf_ref, lambda tf: lambda a: tf.nn.max_pool2d(a, 2, 1, "VALID"), [x], order=2)
    _compare_grads(
        tf_ref,
        lambda tf: lambda a: tf.nn.max_pool2d(a, 2, 2, [[0, 0], [1, 1], [1, 0], [0, 0]]),
        [RNG.standard_normal((1, 4, 5, 2))],
    )


@pytest.mark.parametrize("fn", ["max_pool1d", "avg_pool1d", "max_pool", "avg_pool"])
def test_pool_1d_and_generic(tf_ref, fn):
    x = RNG.standard_normal((2, 7, 3))
    _compare_grads(tf_ref, lambda tf: lambda a: getattr(tf.nn, fn)(a, 3, 2, "SAME"), [x])


def test_pool_function(tf_ref):
    x = RNG.standard_normal((2, 5, 5, 2))
    for kind in ("MAX", "AVG"):
        _compare_grads(
            tf_ref,
            lambda tf: lambda a: tf.nn.pool(a, [2, 3], kind, strides=[2, 1], padding="SAME"),
            [x],
        )


# ---------------------------------------------------------------------------------------
# Exception types
# ---------------------------------------------------------------------------------------

X4 = (1, 5, 5, 2)
ERROR_CASES = {
    "relu_bool": lambda tf: tf.nn.relu(tf.constant([True])),
    "elu_int": lambda tf: tf.nn.elu(tf.constant([1, 7])),
    "softplus_int": lambda tf: tf.nn.softplus(tf.constant([1, 7])),
    "selu_int": lambda tf: tf.nn.selu(tf.constant([1, 7])),
    "softsign_int": lambda tf: tf.nn.softsign(tf.constant([1, 7])),
    "gelu_int": lambda tf: tf.nn.gelu(tf.constant([1, 7])),
    "silu_int": lambda tf: tf.nn.silu(tf.constant([1, 7])),
    "softmax_int": lambda tf: tf.nn.softmax(tf.constant([1, 2])),
    "l2_loss_int": lambda tf: tf.nn.l2_loss(tf.constant([1, 2])),
    "l2_normalize_int": lambda tf: tf.nn.l2_normalize(tf.constant([3, 4])),
    "dropout_rate_1": lambda tf: tf.nn.dropout([1.0, 2.0], rate=1.0),
    "dropout_rate_neg": lambda tf: tf.nn.dropout([1.0, 2.0], rate=-0.1),
    "dropout_int": lambda tf: tf.nn.dropout(tf.constant([1, 2]), rate=0.5),
    "dropout_bad_noise": lambda tf: tf.nn.dropout(tf.ones([3, 4]), 0.5, noise_shape=[2, 1]),
    "sigmoid_xent_shape": lambda tf: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0]
    ),
    "sigmoid_xent_int_labels": lambda tf: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=[1, 0], logits=[1.0, 2.0]
    ),
    "softmax_xent_shape": lambda tf: tf.nn.softmax_cross_entropy_with_logits(
        labels=[[1.0, 0.0]], logits=[[1.0, 2.0, 3.0]]
    ),
    "sparse_label_range": lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0, 3], logits=[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    ),
    "sparse_shape": lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0, 1, 2], logits=[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    ),
    "sparse_float_labels": lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0.0, 1.0], logits=[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    ),
    "sparse_int_logits": lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0, 1], logits=[[1, 2, 3], [1, 2, 3]]
    ),
    "bias_add_len": lambda tf: tf.nn.bias_add(tf.ones([2, 3]), tf.ones([2])),
    "bias_add_rank": lambda tf: tf.nn.bias_add(tf.ones([2, 3]), tf.ones([1, 3])),
    "bias_add_1d": lambda tf: tf.nn.bias_add(tf.ones([3]), tf.ones([3])),
    "bias_add_dtype": lambda tf: tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3], tf.float64)),
    "conv_padding_case": lambda tf: tf.nn.conv2d(tf.ones(X4), tf.ones([3, 3, 2, 4]), 1, "same"),
    "conv_strides_len": lambda tf: tf.nn.conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 4]), [1, 2, 1], "VALID"
    ),
    "conv_batch_stride": lambda tf: tf.nn.conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 4]), [2, 2, 2, 2], "VALID"
    ),
    "conv_pad_list": lambda tf: tf.nn.conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 4]), 1, [[1, 2], [0, 1]]
    ),
    "conv_depth": lambda tf: tf.nn.conv2d(tf.ones(X4), tf.ones([3, 3, 3, 4]), 1, "SAME"),
    "conv_too_big": lambda tf: tf.nn.conv2d(tf.ones(X4), tf.ones([7, 7, 2, 4]), 1, "VALID"),
    "conv_dtype": lambda tf: tf.nn.conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 4], tf.float64), 1, "VALID"
    ),
    "conv_filter_rank": lambda tf: tf.nn.conv2d(tf.ones(X4), tf.ones([3, 3, 2]), 1, "VALID"),
    "conv_stride_0": lambda tf: tf.nn.conv2d(tf.ones(X4), tf.ones([3, 3, 2, 4]), 0, "VALID"),
    "conv_dilation_0": lambda tf: tf.nn.conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 4]), 1, "VALID", dilations=0
    ),
    "conv1d_depth": lambda tf: tf.nn.conv1d(
        tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 2, "SAME", data_format="NCW"
    ),
    "depthwise_int_strides": lambda tf: tf.nn.depthwise_conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 3]), 1, "VALID"
    ),
    "depthwise_strides_len": lambda tf: tf.nn.depthwise_conv2d(
        tf.ones(X4), tf.ones([3, 3, 2, 3]), [2, 2], "VALID"
    ),
    "depthwise_depth": lambda tf: tf.nn.depthwise_conv2d(
        tf.ones(X4), tf.ones([3, 3, 3, 3]), [1, 1, 1, 1], "VALID"
    ),
    "depthwise_unequal_strides": lambda tf: tf.nn.depthwise_conv2d(
        tf.ones(X4, tf.float64), tf.ones([3, 3, 2, 3], tf.float64), [1, 2, 1, 1], "SAME"
    ),
    "pool_padding_case": lambda tf: tf.nn.max_pool2d(tf.ones(X4), 2, 2, "same"),
    "pool_ksize_len": lambda tf: tf.nn.max_pool2d(tf.ones(X4), [2, 3, 1], [1, 2], "SAME"),
    "pool_depth_and_space": lambda tf: tf.nn.max_pool2d(
        tf.ones(X4), [1, 2, 3, 2], [1, 2, 1, 1], "SAME"
    ),
    "pool_too_big": lambda tf: tf.nn.max_pool2d(tf.ones(X4), 7, 1, "VALID"),
    "avg_pool_int": lambda tf: tf.nn.avg_pool2d(tf.ones(X4, tf.int32), 2, 2, "VALID"),
    "avg_pool_explicit": lambda tf: tf.nn.avg_pool2d(
        tf.ones(X4), 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]
    ),
    "pool_dilated_same": lambda tf: tf.nn.pool(
        tf.ones(X4), [2, 2], "AVG", padding="SAME", dilations=[2, 2]
    ),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_exception_types_match_tensorflow(tf_ref, name):
    _, our_err = _outcome(ERROR_CASES[name], tft)
    _, their_err = _outcome(ERROR_CASES[name], tf_ref)
    assert their_err is not None, f"TensorFlow did not raise for {name}"
    assert our_err == their_err, f"{name}: tapeflow {our_err} vs TensorFlow {their_err}"


def test_relu_gradient_with_nonfinite_upstream_matches_tensorflow():
    import numpy as np
    import tensorflow as tfr

    import tapeflow
    x = np.array([-1.0, 0.0, 2.0, -3.0], np.float32)
    dy = np.array([np.nan, np.inf, np.nan, -np.inf], np.float32)

    def grad(tf):
        xv = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xv)
            y = tf.nn.relu(xv)
        return tape.gradient(y, xv, output_gradients=tf.constant(dy)).numpy()
    np.testing.assert_array_equal(grad(tapeflow), grad(tfr))

"""Hand-computed tests for tf.nn activations, softmax, losses, moments, bias_add, l2 ops and
dropout (gradients against finite differences are in the op table, specs_nn.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf
from tapeflow._src.ops.nn_ops import log_sigmoid
from tapeflow._src.ops.registry import REGISTRY

ERR = tf.errors.InvalidArgumentError


def grad(f, x, dtype=tf.float32):
    x = tf.constant(x, dtype=dtype)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x).numpy()


def second(f, x):
    x = tf.constant(x, dtype=tf.float64)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t:
            t.watch(x)
            y = f(x)
        g = t.gradient(y, x)
    return t2.gradient(g, x).numpy()


# ---------------------------------------------------------------------------------------
# Activations: values and TensorFlow's choices at the kinks
# ---------------------------------------------------------------------------------------


def test_relu_values_and_zero_gradient_at_zero():
    np.testing.assert_array_equal(tf.nn.relu([-1.0, 0.0, 2.5]).numpy(), [0.0, 0.0, 2.5])
    np.testing.assert_array_equal(grad(tf.nn.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


def test_relu_keeps_integer_dtype():
    y = tf.nn.relu(tf.constant([-3, 4]))
    assert y.dtype == tf.int32
    np.testing.assert_array_equal(y.numpy(), [0, 4])


def test_relu_rejects_bool():
    with pytest.raises(ERR, match=r"\[Op:Relu\]"):
        tf.nn.relu(tf.constant([True]))


def test_relu6_clips_and_has_zero_gradient_at_both_kinks():
    np.testing.assert_array_equal(tf.nn.relu6([-1.0, 0.0, 3.0, 6.0, 8.0]).numpy(), [0, 0, 3, 6, 6])
    np.testing.assert_array_equal(grad(tf.nn.relu6, [-1.0, 0.0, 3.0, 6.0, 8.0]), [0, 0, 1, 0, 0])
    assert tf.nn.relu6(tf.constant([1, 7])).numpy().tolist() == [1, 6]


def test_leaky_relu_slope_alpha_at_zero():
    np.testing.assert_allclose(tf.nn.leaky_relu([-1.0, 0.0, 2.0]).numpy(), [-0.2, 0, 2])
    np.testing.assert_allclose(grad(tf.nn.leaky_relu, [-1.0, 0.0, 2.0]), [0.2, 0.2, 1.0])
    np.testing.assert_allclose(grad(lambda x: tf.nn.leaky_relu(x, 0.5), [0.0]), [0.5])


def test_leaky_relu_casts_integers_to_float32():
    y = tf.nn.leaky_relu(tf.constant([1, -7]))
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), [1.0, -1.4], rtol=1e-6)


def test_elu_values_and_gradient():
    np.testing.assert_allclose(
        tf.nn.elu([-1.0, 0.0, 2.0]).numpy(), [math.expm1(-1), 0, 2], rtol=1e-6
    )
    np.testing.assert_allclose(grad(tf.nn.elu, [-1.0, 0.0, 2.0]), [math.exp(-1), 1, 1], rtol=1e-6)
    # d2/dx2 elu = exp(x) for x < 0, 0 for x > 0
    np.testing.assert_allclose(second(tf.nn.elu, [-0.5, 1.0]), [math.exp(-0.5), 0])


def test_selu_constants_and_slope_at_zero():
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    y = tf.nn.selu(tf.constant([-1.0, 0.0, 3.0], tf.float64)).numpy()
    np.testing.assert_allclose(y, [scale * alpha * math.expm1(-1), 0, 3 * scale])
    np.testing.assert_allclose(
        grad(tf.nn.selu, [-1.0, 0.0, 2.0], tf.float64), [scale * alpha * math.exp(-1), scale, scale]
    )


@pytest.mark.parametrize(
    "fn", [tf.nn.elu, tf.nn.selu, tf.nn.softplus, tf.nn.softsign, tf.nn.l2_loss]
)
def test_float_only_activations_reject_integers(fn):
    with pytest.raises(ERR, match="Value for attr 'T' of int32"):
        fn(tf.constant([1, 2]))


def test_softplus_gradient_at_zero_is_exactly_half():
    assert grad(tf.nn.softplus, [0.0])[0] == 0.5
    assert grad(tf.nn.softplus, [0.0], tf.float64)[0] == 0.5
    assert second(tf.nn.softplus, [0.0])[0] == 0.25


def test_softplus_is_stable_for_large_magnitudes():
    x = [-1000.0, -30.0, 0.0, 100.0, 1000.0]
    y = tf.nn.softplus(x).numpy()
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, [0.0, math.exp(-30), math.log(2), 100, 1000], rtol=1e-6)
    np.testing.assert_allclose(grad(tf.nn.softplus, x), [0, math.exp(-30), 0.5, 1, 1], rtol=1e-6)


def test_softsign_values_and_gradient():
    np.testing.assert_allclose(tf.nn.softsign([-3.0, 0.0, 1.0]).numpy(), [-0.75, 0, 0.5])
    np.testing.assert_allclose(grad(tf.nn.softsign, [-3.0, 0.0, 1.0]), [1 / 16, 1, 1 / 4])


def test_gelu_exact_and_tanh_approximation():
    x = [-1.0, 0.0, 1.0]
    exact = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x]
    np.testing.assert_allclose(tf.nn.gelu(x).numpy(), exact, rtol=1e-6)
    np.testing.assert_allclose(
        tf.nn.gelu(x, approximate=True).numpy(), [-0.158808, 0.0, 0.841192], rtol=1e-5
    )
    np.testing.assert_allclose(grad(tf.nn.gelu, [0.0]), [0.5])


def test_gelu_rejects_integers_with_value_error():
    with pytest.raises(ValueError, match="must be a floating point tensor"):
        tf.nn.gelu(tf.constant([1, 2]))


def test_silu_and_swish_alias():
    assert tf.nn.swish is tf.nn.silu
    np.testing.assert_allclose(tf.nn.silu([1.0]).numpy(), [1 / (1 + math.exp(-1))], rtol=1e-6)
    np.testing.assert_allclose(
        tf.nn.silu([1.0], beta=2.0).numpy(), [1 / (1 + math.exp(-2))], rtol=1e-6
    )
    np.testing.assert_allclose(grad(tf.nn.silu, [0.0]), [0.5])


def test_log_sigmoid_is_stable_and_half_slope_at_zero():
    y = log_sigmoid(tf.constant([-1000.0, 0.0, 1000.0])).numpy()
    np.testing.assert_allclose(y, [-1000.0, -math.log(2), 0.0], rtol=1e-6)
    np.testing.assert_allclose(grad(log_sigmoid, [-1000.0, 0.0, 1000.0]), [1, 0.5, 0])


def test_nn_sigmoid_and_tanh_are_the_math_ops():
    assert tf.nn.sigmoid is tf.math.sigmoid and tf.nn.tanh is tf.math.tanh


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
@pytest.mark.parametrize(
    "fn",
    [
        tf.nn.relu,
        tf.nn.relu6,
        tf.nn.leaky_relu,
        tf.nn.elu,
        tf.nn.selu,
        tf.nn.softplus,
        tf.nn.softsign,
        tf.nn.gelu,
        tf.nn.silu,
        tf.nn.softmax,
        tf.nn.log_softmax,
    ],
)
def test_activations_keep_float_dtype_and_shape(fn, dtype):
    x = tf.constant(np.linspace(-3, 3, 6).reshape(2, 3), dtype=dtype)
    y = fn(x)
    assert y.dtype == dtype and y.shape == (2, 3)


# ---------------------------------------------------------------------------------------
# softmax / log_softmax
# ---------------------------------------------------------------------------------------


def test_softmax_is_stable_for_huge_logits():
    y = tf.nn.softmax([1000.0, 1000.0, -1000.0]).numpy()
    np.testing.assert_allclose(y, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(tf.nn.log_softmax([1000.0, 0.0]).numpy(), [0.0, -1000.0])


def test_softmax_rejects_scalars_and_integers():
    with pytest.raises(ERR, match="logits must have >= 1 dimension"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(ERR, match=r"\[Op:Softmax\]"):
        tf.nn.softmax(tf.constant([1, 2]))


def test_softmax_axis_out_of_range():
    with pytest.raises(ERR):
        tf.nn.softmax(tf.ones([2, 3]), axis=2)


# ---------------------------------------------------------------------------------------
# Cross-entropies
# ---------------------------------------------------------------------------------------


def test_sigmoid_cross_entropy_values_and_gradient_at_zero():
    loss = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=[1.0, 0.0, 1.0], logits=[0.0, 2.0, -1000.0]
    )
    np.testing.assert_allclose(
        loss.numpy(), [math.log(2), 2 + math.log1p(math.exp(-2)), 1000.0], rtol=1e-6
    )
    z = tf.constant([1.0, 0.0])
    np.testing.assert_allclose(
        grad(lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), [0.0, 0.0]),
        [-0.5, 0.5],
    )


def test_sigmoid_cross_entropy_shape_mismatch():
    with pytest.raises(
        ValueError,
        match=r"must have the same shape, received \(\(3,\) vs "
        r"\(2,\)\)",
    ):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0])


def test_softmax_cross_entropy_matches_hand_value_and_is_stable():
    loss = tf.nn.softmax_cross_entropy_with_logits(
        labels=[[1.0, 0.0, 0.0]], logits=[[1.0, 2.0, 3.0]]
    )
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    np.testing.assert_allclose(loss.numpy(), [lse - 1.0], rtol=1e-6)
    big = tf.nn.softmax_cross_entropy_with_logits([0.0, 1.0], [1000.0, -1000.0])
    np.testing.assert_allclose(big.numpy(), 2000.0)


def test_softmax_cross_entropy_gradients_for_logits_and_labels():
    x = tf.constant([[1.0, 2.0, 3.0]])
    z = tf.constant([[0.2, 0.3, 0.5]])
    with tf.GradientTape() as t:
        t.watch([x, z])
        loss = tf.nn.softmax_cross_entropy_with_logits(z, x)
    gx, gz = t.gradient(loss, [x, z])
    p = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(gx.numpy(), [p - [0.2, 0.3, 0.5]], rtol=1e-6)
    np.testing.assert_allclose(gz.numpy(), [-np.log(p)], rtol=1e-6)


def test_softmax_cross_entropy_broadcasts_labels_and_checks_shapes():
    loss = tf.nn.softmax_cross_entropy_with_logits([[0.5, 0.5]], [[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(loss.numpy(), [math.log(2)] * 2, rtol=1e-6)
    with pytest.raises(
        ERR,
        match=r"logits and labels must be broadcastable: "
        r"logits_size=\[1,3\] labels_size=\[1,2\]",
    ):
        tf.nn.softmax_cross_entropy_with_logits([[1.0, 0.0]], [[1.0, 2.0, 3.0]])


def test_softmax_cross_entropy_axis_and_rank1():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [0.0, 1.0]])
    z = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    got = tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0).numpy()
    lsm = x - np.log(np.exp(x).sum(0))
    np.testing.assert_allclose(got, -(z * lsm).sum(0), rtol=1e-6)
    assert tf.nn.softmax_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0]).shape == ()


def test_sparse_softmax_cross_entropy_values_gradient_and_errors():
    x = tf.constant([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=x)
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    np.testing.assert_allclose(loss.numpy(), [lse - 3, math.log(3)], rtol=1e-6)
    g = t.gradient(loss, x).numpy()
    np.testing.assert_allclose(g[1], [1 / 3 - 1, 1 / 3, 1 / 3], rtol=1e-6)
    with pytest.raises(
        ERR,
        match="Received a label value of 3 which is outside the valid "
        r"range of \[0, 3\)",
    ):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3], logits=x)
    with pytest.raises(ValueError, match="must equal `logits.shape` except for the last"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=x)
    with pytest.raises(ERR, match="Tlabels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0, 1.0], logits=x)


# ---------------------------------------------------------------------------------------
# l2_normalize, moments, l2_loss, bias_add
# ---------------------------------------------------------------------------------------


def test_l2_normalize_axis_and_epsilon():
    np.testing.assert_allclose(
        tf.nn.l2_normalize([[3.0, 4.0], [0.0, 0.0]], axis=1).numpy(), [[0.6, 0.8], [0.0, 0.0]]
    )
    np.testing.assert_allclose(tf.nn.l2_normalize([3.0, 4.0], dim=0).numpy(), [0.6, 0.8])
    # below epsilon the norm is replaced by sqrt(epsilon)
    np.testing.assert_allclose(tf.nn.l2_normalize([1e-3], epsilon=1.0).numpy(), [1e-3])


def test_moments_values_keepdims_and_float16():
    m, v = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axes=[0])
    np.testing.assert_allclose(m.numpy(), [2.0, 3.5])
    np.testing.assert_allclose(v.numpy(), [1.0, 2.25])
    m, v = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axes=[0], keepdims=True)
    assert m.shape == (1, 2) and v.shape == (1, 2)
    m, v = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]], tf.float16), axes=[0, 1])
    assert m.dtype == tf.float16 and float(m) == 2.75 and float(v) == 2.1875


def test_moments_of_integers_stay_integer():
    m, v = tf.nn.moments(tf.constant([[1, 2], [3, 5]]), axes=[0])
    assert m.dtype == tf.int32
    assert m.numpy().tolist() == [2, 3] and v.numpy().tolist() == [1, 2]


def test_l2_loss_value_and_gradient():
    assert float(tf.nn.l2_loss([[1.0, 2.0]])) == 2.5
    np.testing.assert_allclose(grad(tf.nn.l2_loss, [1.0, -2.0]), [1.0, -2.0])
    assert tf.nn.l2_loss(tf.constant([1.0], tf.float64)).dtype == tf.float64


def test_bias_add_channels_last_and_first_and_gradient():
    x = tf.zeros([2, 3, 2])
    b = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.nn.bias_add(x, b).numpy()[1, 2], [1.0, 2.0])
    y = tf.nn.bias_add(tf.zeros([1, 2, 3]), b, data_format="NCHW")
    np.testing.assert_array_equal(y.numpy()[0], [[1, 1, 1], [2, 2, 2]])
    with tf.GradientTape() as t:
        t.watch(b)
        out = tf.nn.bias_add(x, b)
    np.testing.assert_array_equal(t.gradient(out, b).numpy(), [6.0, 6.0])


def test_bias_add_errors():
    with pytest.raises(
        ERR,
        match=r"Must provide as many biases as the last dimension of "
        r"the input tensor: \[2\] vs. \[2,3\] \[Op:BiasAdd\]",
    ):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([2]))
    with pytest.raises(ERR, match=r"Biases must be 1D: \[1,3\]"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([1, 3]))
    with pytest.raises(ERR, match=r"Input tensor must be at least 2D: \[3\]"):
        tf.nn.bias_add(tf.ones([3]), tf.ones([3]))
    with pytest.raises(ERR, match="cannot compute BiasAdd as input #1"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3], tf.float64))


# ---------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------


def test_dropout_scales_kept_units_and_zeroes_the_rest():
    tf.random.set_seed(1)
    y = tf.nn.dropout(tf.ones([100, 100]), rate=0.25).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert 0.7 < kept.mean() < 0.8


def test_dropout_rate_zero_returns_input():
    x = tf.constant([1.0, 2.0])
    assert tf.nn.dropout(x, rate=0.0) is x


def test_dropout_seed_semantics():
    tf.random.set_seed(7)
    a1 = tf.nn.dropout(tf.ones([50]), 0.5, seed=3).numpy()
    a2 = tf.nn.dropout(tf.ones([50]), 0.5, seed=3).numpy()
    tf.random.set_seed(7)
    b1 = tf.nn.dropout(tf.ones([50]), 0.5, seed=3).numpy()
    b2 = tf.nn.dropout(tf.ones([50]), 0.5, seed=3).numpy()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)


def test_dropout_noise_shape_broadcasts_the_mask():
    tf.random.set_seed(0)
    y = tf.nn.dropout(tf.ones([6, 4]), 0.5, noise_shape=[6, 1]).numpy()
    assert all(len(set(row)) == 1 for row in y)
    y = tf.nn.dropout(tf.ones([6, 4]), 0.5, noise_shape=[None, 1]).numpy()
    assert all(len(set(row)) == 1 for row in y)


def test_dropout_gradient_is_the_scaled_mask():
    tf.random.set_seed(2)
    x = tf.ones([20])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.dropout(x, 0.5)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), y.numpy())


def test_dropout_errors():
    with pytest.raises(
        ValueError,
        match=r"`rate` must be a scalar tensor or a float in the "
        r"range \[0, 1\). Received: rate=1.0",
    ):
        tf.nn.dropout([1.0, 2.0], rate=1.0)
    with pytest.raises(ValueError, match="range"):
        tf.nn.dropout([1.0, 2.0], rate=-0.1)
    with pytest.raises(
        ValueError,
        match=r"`x.dtype` must be a floating point tensor as `x` "
        r"will be scaled. Received: x_dtype=<dtype: 'int32'>",
    ):
        tf.nn.dropout(tf.constant([1, 2]), rate=0.5)


def test_dropout_zeroes_are_positive_and_the_scale_is_in_the_input_dtype():
    # Dropped entries of negative inputs are +0 (a select, not a multiply by 0), and the
    # scale 1 / (1 - rate) is rounded in x's dtype: 1 / float32(0.7), not float32(1 / 0.7).
    tf.random.set_seed(5)
    y = tf.nn.dropout(tf.fill([400], -1.0), 0.3).numpy()
    dropped = y == 0
    assert dropped.any() and not np.signbit(y[dropped]).any()
    one = np.float32(1)
    assert set(y[~dropped].tolist()) == {float(-(one / (one - np.float32(0.3))))}
    h = tf.nn.dropout(tf.ones([400], tf.float16), 0.3).numpy()
    assert h.dtype == np.float16
    assert set(h[h != 0].tolist()) == {float(np.float16(1) / (np.float16(1) - np.float16(0.3)))}


def test_dropout_accepts_a_tensor_rate():
    tf.random.set_seed(3)
    y = tf.nn.dropout(tf.ones([1000]), tf.constant(0.5)).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}


# ---------------------------------------------------------------------------------------
# Properties and rules
# ---------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
        elements=st.floats(-50, 50),
    )
)
def test_softmax_and_log_softmax_agree_with_numpy(x):
    m = x.max(-1, keepdims=True)
    lsm = x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))
    np.testing.assert_allclose(tf.nn.log_softmax(x).numpy(), lsm, atol=1e-12)
    np.testing.assert_allclose(tf.nn.softmax(x).numpy(), np.exp(lsm), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.floats(-700, 700)
    )
)
def test_softplus_matches_logaddexp_and_gradient_is_sigmoid(x):
    np.testing.assert_allclose(tf.nn.softplus(x).numpy(), np.logaddexp(0, x), rtol=1e-12)
    np.testing.assert_allclose(
        grad(tf.nn.softplus, x, tf.float64), 1 / (1 + np.exp(-x)), rtol=1e-12, atol=1e-300
    )


_NN_PRIMS = [
    "Relu",
    "Relu6",
    "LeakyRelu",
    "Elu",
    "Selu",
    "Softplus",
    "Softsign",
    "Softmax",
    "LogSoftmax",
    "L2Loss",
    "BiasAdd",
    "SoftmaxCrossEntropyWithLogits",
    "SparseSoftmaxCrossEntropyWithLogits",
]


@pytest.mark.parametrize("name", _NN_PRIMS)
def test_nn_primitives_are_registered_with_shape_and_dtype_rules(name):
    p = REGISTRY[name]
    assert p.shape_rule is not None and p.dtype_rule is not None and p.grad_fn is not None


def test_shape_rules_match_eager_results():
    x = tf.ones([2, 3])
    cases = [
        ("Relu", (x,), {}),
        ("Softmax", (x,), {"axis": 1}),
        ("L2Loss", (x,), {}),
        ("BiasAdd", (x, tf.ones([3])), {"channel_axis": -1}),
        ("SoftmaxCrossEntropyWithLogits", (x, x), {}),
        ("SparseSoftmaxCrossEntropyWithLogits", (x, tf.constant([0, 1])), {}),
    ]
    for name, inputs, attrs in cases:
        p = REGISTRY[name]
        out = p(*inputs, **attrs)
        shape = p.shape_rule(*[tuple(t.shape) for t in inputs], **attrs)
        dtype = p.dtype_rule(*[t.dtype for t in inputs], **attrs)
        if p.multi_output:  # one shape per output; all outputs share the dtype
            assert shape == tuple(tuple(o.shape) for o in out)
            assert all(o.dtype == dtype for o in out)
        else:
            assert shape == tuple(out.shape)
            assert dtype == out.dtype


# ---------------------------------------------------------------------------------------
# Composites: batch_normalization, weighted cross-entropy, crelu, loss helpers, embeddings
# ---------------------------------------------------------------------------------------


def test_batch_normalization_by_hand():
    y = tf.nn.batch_normalization(tf.constant([1.0, 3.0]), 1.0, 4.0, 0.5, 2.0, 0.0)
    np.testing.assert_allclose(y.numpy(), [0.5, 2.5])
    y = tf.nn.batch_normalization(tf.constant([1.0, 3.0]), 1.0, 4.0, None, None, 0.0)
    np.testing.assert_allclose(y.numpy(), [0.0, 1.0])


def test_weighted_cross_entropy_by_hand():
    y = tf.nn.weighted_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0], 3.0)
    np.testing.assert_allclose(y.numpy(), [3 * math.log(2), math.log(2)], rtol=1e-6)
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.weighted_cross_entropy_with_logits([1.0], [0.0, 1.0], 2.0)


def test_crelu_concatenates_both_signs():
    np.testing.assert_array_equal(tf.nn.crelu([[1.0, -2.0]]).numpy(), [[1, 0, 0, 2]])
    assert tf.nn.crelu(tf.ones([2, 3]), axis=0).shape == (4, 3)


def test_compute_average_loss_and_weights():
    assert float(tf.nn.compute_average_loss([1.0, 2.0, 3.0])) == 2.0
    assert float(tf.nn.compute_average_loss([1.0, 2.0, 3.0], global_batch_size=6)) == 1.0
    # per-example weights broadcast over the trailing loss dimension
    got = tf.nn.compute_average_loss([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.5])
    assert float(got) == 3.25
    assert tf.nn.compute_average_loss([1, 2, 3]).dtype == tf.float64
    with pytest.raises(ValueError, match="at least rank 1"):
        tf.nn.compute_average_loss(tf.constant(5.0))
    assert float(tf.nn.scale_regularization_loss(3.0)) == 3.0


def test_embedding_lookup_gathers_rows():
    params = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(
        tf.nn.embedding_lookup(params, [[1], [0]]).numpy(), [[[3, 4]], [[1, 2]]]
    )
    np.testing.assert_array_equal(tf.nn.embedding_lookup([params], [1]).numpy(), [[3, 4]])
    with pytest.raises(NotImplementedError, match="partitioned"):
        tf.nn.embedding_lookup([params, params], [1])


@pytest.mark.parametrize(
    "module", ["nn_ops", "nn_loss_ops", "nn_composite_ops", "conv_ops", "pooling_ops"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"tapeflow._src.ops.{module}")
    result = doctest.testmod(
        mod, extraglobs={"tf": tf}, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.attempted > 0 and result.failed == 0

"""Masking, PReLU, ELU, ThresholdedReLU, Identity, Dot, 1-D resampling/cropping, spatial,
Gaussian and alpha dropout, ActivityRegularization, DepthwiseConv2D and SeparableConv2D:
hand-computed outputs, gradients (float64 finite differences), models and fit."""

import numpy as np
import pytest

import tapeflow as tf
from tests.helpers.gradcheck import check_vjp
from tests.keras.layer_helper import check_layer

L = tf.keras.layers


def _const(v):
    return tf.keras.initializers.Constant(v)


# -- hand-computed outputs -----------------------------------------------------------------

def test_masking_zeroes_masked_steps_and_computes_mask():
    x = np.array([[[0.0, 0.0], [1.0, 0.0], [2.0, 3.0]],
                  [[5.0, 5.0], [5.0, 5.0], [0.0, 1.0]]], np.float32)
    layer = L.Masking()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer.compute_mask(tf.constant(x)).numpy(),
                                  [[False, True, True], [True, True, True]])
    five = L.Masking(mask_value=5.0)
    out = five(x).numpy()
    np.testing.assert_array_equal(out[1, :2], 0.0)
    np.testing.assert_array_equal(out[0], x[0])
    np.testing.assert_array_equal(five.compute_mask(tf.constant(x)).numpy(),
                                  [[True, True, True], [False, False, True]])
    assert layer.supports_masking and layer.get_config()["mask_value"] == 0.0


def test_prelu_values_shapes_and_names():
    tf.keras.backend.clear_session()
    layer = L.PReLU(alpha_initializer=_const(0.5))
    np.testing.assert_array_equal(layer(tf.constant([[-2.0, 3.0]])).numpy(), [[-1.0, 3.0]])
    assert [w.name for w in layer.weights] == ["p_re_lu/alpha:0"]
    shared = L.PReLU(shared_axes=[1, 2])
    shared(tf.zeros([2, 3, 4, 5]))
    assert shared.alpha.shape.as_list() == [1, 1, 5]
    one = L.PReLU(shared_axes=1)
    one(tf.zeros([2, 3, 4]))
    assert one.alpha.shape.as_list() == [1, 4]
    assert one.get_config()["shared_axes"] == [1]


def test_elu_thresholded_relu_identity():
    x = tf.constant([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(L.ELU()(x).numpy(), [np.exp(-1) - 1, 0, 2], rtol=1e-6)
    np.testing.assert_allclose(L.ELU(alpha=0.5)(x).numpy(), [0.5 * (np.exp(-1) - 1), 0, 2],
                               rtol=1e-6)
    y = L.ThresholdedReLU(theta=0.5)(tf.constant([-1.0, 0.5, 0.6, 2.0])).numpy()
    np.testing.assert_allclose(y, [0.0, 0.0, 0.6, 2.0])
    np.testing.assert_array_equal(L.Identity()(x).numpy(), x.numpy())
    with pytest.raises(ValueError, match="should be >=0"):
        L.ThresholdedReLU(theta=-1)
    with pytest.raises(ValueError, match="Alpha of an ELU layer cannot be None"):
        L.ELU(alpha=None)


def test_dot_values_axes_and_normalize():
    a, b = tf.constant([[1.0, 2.0]]), tf.constant([[3.0, 4.0]])
    np.testing.assert_allclose(L.Dot(axes=1)([a, b]).numpy(), [[11.0]])
    np.testing.assert_allclose(L.Dot(axes=-1, normalize=True)([a, b]).numpy(),
                               [[11.0 / (np.sqrt(5) * 5)]], rtol=1e-6)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 5))
    out = L.Dot(axes=(2, 1))([tf.constant(x), tf.constant(y)]).numpy()
    np.testing.assert_allclose(out, np.einsum("bij,bjk->bik", x, y), rtol=1e-5)
    out = L.Dot(axes=1)([tf.constant(x), tf.constant(x)]).numpy()
    np.testing.assert_allclose(out, np.einsum("bij,bik->bjk", x, x), rtol=1e-5)
    assert L.Dot(axes=(1, 2)).compute_output_shape([(None, 3, 4), (None, 5, 3)]) == \
        tf.TensorShape([None, 4, 5])
    with pytest.raises(ValueError, match="axis values 3 \\(at axis 1\\) != 4"):
        L.Dot(axes=1)([tf.ones([2, 3]), tf.ones([2, 4])])
    with pytest.raises(ValueError, match="should contain two elements"):
        L.Dot(axes=(1, 2, 3))


def test_functional_merge_forms():
    a, b = tf.constant([[1.0, 5.0]]), tf.constant([[3.0, 4.0]])
    np.testing.assert_array_equal(L.subtract([a, b]).numpy(), [[-2.0, 1.0]])
    np.testing.assert_array_equal(L.maximum([a, b]).numpy(), [[3.0, 5.0]])
    np.testing.assert_array_equal(L.minimum([a, b]).numpy(), [[1.0, 4.0]])
    np.testing.assert_array_equal(L.average([a, b]).numpy(), [[2.0, 4.5]])
    np.testing.assert_array_equal(L.dot([a, b], axes=1).numpy(), [[23.0]])
    assert L.GlobalMaxPool1D is L.GlobalMaxPooling1D
    assert L.GlobalAvgPool1D is L.GlobalAveragePooling1D


def test_upsampling_padding_cropping():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(1, 6, 2))
    up = L.UpSampling1D(2)(x[:, :2]).numpy()
    np.testing.assert_array_equal(up[0, :, 0], [0, 0, 2, 2])
    pad = L.ZeroPadding1D((1, 2))(x).numpy()
    assert pad.shape == (1, 9, 2)
    np.testing.assert_array_equal(pad[0, 1:7], x.numpy()[0])
    np.testing.assert_array_equal(pad[0, [0, 7, 8]], 0.0)
    np.testing.assert_array_equal(L.Cropping1D((1, 2))(x).numpy(), x.numpy()[:, 1:4])
    img = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)
    np.testing.assert_array_equal(L.Cropping2D(((1, 0), (2, 1)))(img).numpy(),
                                  img[:, 1:, 2:5])
    np.testing.assert_array_equal(L.Cropping2D(1)(img).numpy(), img[:, 1:4, 1:5])
    with pytest.raises(ValueError, match="cropping parameter of Cropping layer"):
        L.Cropping1D((3, 3))(x)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.UpSampling1D()(tf.ones([2, 3]))
    inp = tf.keras.Input((None, 3))
    assert L.Cropping1D(1)(inp).shape.as_list() == [None, None, 3]
    assert L.UpSampling1D(2)(tf.keras.Input((4, 3))).shape.as_list() == [None, 8, 3]


def test_spatial_dropout_drops_whole_channels():
    x = tf.ones([4, 6, 8])
    y = L.SpatialDropout1D(0.5, seed=1)(x, training=True).numpy()
    for b in range(4):
        for c in range(8):
            col = y[b, :, c]
            assert np.all(col == 0.0) or np.allclose(col, 2.0)
    assert 0 < np.count_nonzero(y) < y.size
    y2 = L.SpatialDropout2D(0.5)(tf.ones([3, 4, 4, 6]), training=True).numpy()
    assert np.all((y2 == y2[:, :1, :1, :]))
    yf = L.SpatialDropout2D(0.5, data_format="channels_first")(
        tf.ones([3, 6, 4, 4]), training=True).numpy()
    assert np.all((yf == yf[:, :, :1, :1]))
    np.testing.assert_array_equal(L.SpatialDropout1D(0.5)(x).numpy(), x.numpy())
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.SpatialDropout1D(0.5)(tf.ones([2, 3]))


def test_gaussian_and_alpha_dropout_statistics():
    tf.random.set_seed(11)
    x = tf.ones([200, 100])
    g = L.GaussianDropout(0.5)(x, training=True).numpy()
    assert abs(g.mean() - 1.0) < 0.03 and abs(g.var() - 1.0) < 0.06   # N(1, 0.5/0.5)
    np.testing.assert_array_equal(L.GaussianDropout(0.5)(x).numpy(), x.numpy())
    rate = 0.2
    z = tf.random.normal([200, 100], seed=3)
    a = L.AlphaDropout(rate)(z, training=True).numpy()
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    scale = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(a, scale * alpha_p - scale * alpha_p * rate)
    assert abs(dropped.mean() - rate) < 0.02
    kept = ~dropped
    np.testing.assert_allclose(a[kept], scale * z.numpy()[kept] - scale * alpha_p * rate,
                               rtol=1e-5)
    np.testing.assert_array_equal(L.AlphaDropout(rate)(z).numpy(), z.numpy())


def test_random_layers_draw_again_in_tf_function():
    layers = [L.GaussianDropout(0.5), L.AlphaDropout(0.5), L.SpatialDropout1D(0.5)]

    @tf.function
    def f(t):
        return [layer(t, training=True) for layer in layers]

    t = tf.ones([4, 5, 8])
    first, second = f(t), f(t)
    for a, b in zip(first, second):
        assert not np.array_equal(a.numpy(), b.numpy())


def test_activity_regularization_adds_losses():
    layer = L.ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(tf.constant([[1.0, -2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(y.numpy(), [[1.0, -2.0], [3.0, 4.0]])
    # (0.1 * 10 + 0.2 * 30) / batch 2
    np.testing.assert_allclose([float(v) for v in layer.losses], [3.5], rtol=1e-6)
    assert layer.get_config()["l1"] == 0.1 and "activity_regularizer" not in layer.get_config()


def _depthwise_np(x, k, stride=1):
    kh, kw, c, m = k.shape
    oh, ow = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, c, m))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, i, j] = np.einsum("bhwc,hwcm->bcm", patch, k)
    return out.reshape(x.shape[0], oh, ow, c * m)


def test_depthwise_and_separable_conv_against_numpy():
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 5, 3)).astype(np.float32)
    dw = L.DepthwiseConv2D(3, depth_multiplier=2, bias_initializer=_const(0.5))
    y = dw(x).numpy()
    assert [w.name for w in dw.weights] == ["depthwise_conv2d/depthwise_kernel:0",
                                            "depthwise_conv2d/bias:0"]
    np.testing.assert_allclose(y, _depthwise_np(x, dw.depthwise_kernel.numpy()) + 0.5,
                               rtol=1e-5, atol=1e-5)
    sep = L.SeparableConv2D(4, 3, strides=2, use_bias=False)
    y = sep(x).numpy()
    assert [w.name for w in sep.weights] == ["separable_conv2d/depthwise_kernel:0",
                                             "separable_conv2d/pointwise_kernel:0"]
    mid = _depthwise_np(x, sep.depthwise_kernel.numpy(), stride=2)
    ref = np.einsum("bhwc,cf->bhwf", mid, sep.pointwise_kernel.numpy()[0, 0])
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    assert sep.compute_output_shape((None, 6, 5, 3)) == tf.TensorShape([None, 2, 2, 4])
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        L.DepthwiseConv2D(3)(tf.ones([2, 5, 3]))


@pytest.mark.parametrize("make,in_shape,n,out_shape", [
    (lambda: L.PReLU(alpha_initializer=_const(0.1)), (3, 4), 1, (3, 4)),
    (lambda: L.DepthwiseConv2D(2, depth_multiplier=2), (2, 4, 4, 2), 2, (2, 3, 3, 4)),
    (lambda: L.SeparableConv2D(3, 2, padding="same"), (2, 4, 4, 2), 3, (2, 4, 4, 3)),
    (lambda: L.Cropping2D(((1, 0), (0, 1))), (2, 4, 4, 2), 0, (2, 3, 3, 2)),
    (lambda: L.UpSampling1D(3), (2, 2, 3), 0, (2, 6, 3)),
    (lambda: L.ZeroPadding1D(2), (2, 2, 3), 0, (2, 6, 3)),
    (lambda: L.Masking(mask_value=1.0), (2, 2, 3), 0, (2, 2, 3)),
])
def test_layers_with_helper(make, in_shape, n, out_shape):
    check_layer(make, in_shape, n, out_shape)


# -- gradients ------------------------------------------------------------------------------

def _check_weight_grad(layer, x, eps=1e-6):
    """tape gradients of sum(u * layer(x)) wrt every weight vs central differences."""
    rng = np.random.default_rng(1)
    u = rng.normal(size=layer(x).shape.as_list())
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) * u)
    grads = tape.gradient(loss, layer.trainable_weights)
    for w, g in zip(layer.trainable_weights, grads):
        base = w.numpy()
        v = rng.normal(size=base.shape)
        w.assign(base + eps * v / 2)
        plus = float(np.sum(layer(x).numpy() * u))
        w.assign(base - eps * v / 2)
        minus = float(np.sum(layer(x).numpy() * u))
        w.assign(base)
        np.testing.assert_allclose(np.sum(g.numpy() * v), (plus - minus) / eps, rtol=1e-5,
                                   atol=1e-7)


@pytest.mark.parametrize("make,shape", [
    (lambda: L.PReLU(alpha_initializer=_const(0.3), shared_axes=[1], dtype="float64"),
     (2, 3, 4)),
    (lambda: L.DepthwiseConv2D(2, depth_multiplier=2, strides=1, dtype="float64",
                               bias_initializer=_const(0.1)), (2, 4, 4, 2)),
    (lambda: L.SeparableConv2D(3, 2, dtype="float64", activation="tanh"), (2, 4, 4, 2)),
])
def test_weight_gradients_float64(make, shape):
    layer = make()
    x = tf.constant(np.random.default_rng(0).normal(size=shape))
    layer(x)
    _check_weight_grad(layer, x)
    check_vjp(lambda t: layer(t), [x.numpy()])


@pytest.mark.parametrize("make,shape", [
    (lambda: L.ELU(alpha=0.7, dtype="float64"), (3, 4)),
    (lambda: L.Masking(dtype="float64"), (2, 3, 4)),
    (lambda: L.UpSampling1D(2, dtype="float64"), (2, 3, 2)),
    (lambda: L.ZeroPadding1D((1, 2), dtype="float64"), (2, 3, 2)),
    (lambda: L.Cropping1D((1, 1), dtype="float64"), (2, 4, 2)),
    (lambda: L.Cropping2D(((1, 0), (0, 1)), dtype="float64"), (2, 3, 3, 2)),
    (lambda: L.ThresholdedReLU(0.5, dtype="float64"), (3, 4)),
])
def test_input_gradients_float64(make, shape):
    layer = make()
    x = np.random.default_rng(2).normal(size=shape)
    x[np.abs(x - 0.5) < 1e-2] += 0.1  # keep away from ThresholdedReLU's kink
    check_vjp(lambda t: layer(t), [x])


def test_dot_gradients_float64():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 3))
    for layer in (L.Dot(axes=(2, 1), dtype="float64"),
                  L.Dot(axes=(1, 2), normalize=True, dtype="float64")):
        check_vjp(lambda a, b: layer([a, b]), [x, y])


def test_random_layers_pass_gradients_while_training():
    x = tf.Variable(tf.ones([4, 3, 8]))
    for layer in (L.SpatialDropout1D(0.5), L.GaussianDropout(0.5), L.AlphaDropout(0.5)):
        with tf.GradientTape() as tape:
            y = layer(x, training=True)
            loss = tf.reduce_sum(y)
        g = tape.gradient(loss, x).numpy()
        assert g.shape == (4, 3, 8) and np.any(g != 0)
        if isinstance(layer, L.AlphaDropout):  # d/dx (a * x * kept + const) = a * kept
            a = (0.5 * (1 + 0.5 * (1.6732632423543772 * 1.0507009873554805) ** 2)) ** -0.5
            kept = ~np.isclose(y.numpy(), -a * 1.6732632423543772 * 1.0507009873554805 * 0.5)
            np.testing.assert_allclose(g, a * kept, rtol=1e-5)
        else:  # y = x * noise with x = 1: the gradient is the noise, i.e. y itself
            np.testing.assert_allclose(g, y.numpy(), rtol=1e-6)


# -- models --------------------------------------------------------------------------------

def test_sequential_fit_and_functional_model():
    tf.keras.backend.clear_session()
    tf.random.set_seed(4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8, 8, 3)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 3)), L.DepthwiseConv2D(3, padding="same"),
        L.SeparableConv2D(4, 3), L.PReLU(shared_axes=[1, 2]), L.Cropping2D(1),
        L.SpatialDropout2D(0.2), L.Reshape((16, 4)), L.UpSampling1D(2), L.ZeroPadding1D(1),
        L.Cropping1D((2, 1)), L.Masking(), L.ELU(), L.ThresholdedReLU(0.01),
        L.GaussianDropout(0.1), L.AlphaDropout(0.1), L.SpatialDropout1D(0.1),
        L.ActivityRegularization(l2=0.01), L.Identity(), L.GlobalAvgPool1D(), L.Dense(1)])
    assert model.output_shape == (None, 1)
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before

    a_in, b_in = tf.keras.Input((4,)), tf.keras.Input((4,))
    cos = L.Dot(axes=1, normalize=True)([a_in, b_in])
    out = L.Concatenate()([cos, L.subtract([a_in, b_in]), L.maximum([a_in, b_in])])
    fmodel = tf.keras.Model([a_in, b_in], out)
    assert fmodel.output_shape == (None, 9)
    a, b = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 4)).astype(np.float32)
    res = fmodel([a, b]).numpy()
    np.testing.assert_allclose(res[:, 0], np.sum(a * b, 1) / np.linalg.norm(a, axis=1)
                               / np.linalg.norm(b, axis=1), rtol=1e-5)
    np.testing.assert_allclose(res[:, 1:5], a - b, rtol=1e-6)


# -- MultiHeadAttention ----------------------------------------------------------------------

def _mha_numpy(layer, q, v, mask=None):
    """Scaled dot-product multi-head attention written out in NumPy from the layer's weights."""
    wq, bq, wk, bk, wv, bv, wo, bo = [w.numpy().astype(np.float64) for w in layer.weights]
    qh = np.einsum("btd,dnh->btnh", q, wq) + bq
    kh = np.einsum("bsd,dnh->bsnh", v, wk) + bk
    vh = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", qh, kh) / np.sqrt(wq.shape[-1])
    if mask is not None:
        logits = np.where(mask[:, None], logits, logits - 1e9)
    w = np.exp(logits - logits.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh,nho->bto", w, vh, wo) + bo, w


def test_multi_head_attention_against_numpy_and_mask():
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(0)
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    layer = L.MultiHeadAttention(num_heads=2, key_dim=3, bias_initializer=_const(0.1))
    out, scores = layer(q, v, return_attention_scores=True)
    assert [w.name for w in layer.weights][::2] == [
        "multi_head_attention/query/kernel:0", "multi_head_attention/key/kernel:0",
        "multi_head_attention/value/kernel:0", "multi_head_attention/attention_output/kernel:0"]
    ref_out, ref_scores = _mha_numpy(layer, q, v)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), ref_scores, rtol=1e-4, atol=1e-6)
    mask = rng.random((2, 3, 5)) > 0.4
    mask[..., 0] = True
    out, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_array_equal(scores.numpy()[np.broadcast_to(~mask[:, None],
                                                                 scores.shape)], 0.0)
    np.testing.assert_allclose(out.numpy(), _mha_numpy(layer, q, v, mask)[0], rtol=1e-4,
                               atol=1e-5)
    _, causal = layer(q, q, use_causal_mask=True, return_attention_scores=True)
    np.testing.assert_array_equal(np.triu(causal.numpy()[0, 0], 1), 0.0)
    assert layer.compute_output_shape((None, 3, 4), (None, 5, 4)) == \
        tf.TensorShape([None, 3, 4])


def test_multi_head_attention_gradients_float64():
    rng = np.random.default_rng(1)
    layer = L.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, output_shape=4,
                                 dtype="float64", bias_initializer=_const(0.2))
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 2, 5))
    layer(tf.constant(q), tf.constant(v))
    mask = np.array([[[1, 0]] * 3, [[1, 1]] * 3], bool)
    check_vjp(lambda a, b: layer(a, b, attention_mask=mask), [q, v])

    class _Both(L.Layer):  # wraps the two-input call for the weight-gradient helper
        def call(self, x):
            return layer(x, tf.constant(v))
    wrapper = _Both(dtype="float64")
    wrapper.inner = layer
    _check_weight_grad(wrapper, tf.constant(q))


def test_multi_head_attention_dropout_and_functional_model():
    tf.keras.backend.clear_session()
    layer = L.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.5)
    x = tf.ones([2, 4, 3]) + tf.random.normal([2, 4, 3], seed=1)
    np.testing.assert_array_equal(layer(x, x).numpy(), layer(x, x, training=False).numpy())

    @tf.function
    def f(t):
        return layer(t, t, training=True)
    assert not np.array_equal(f(x).numpy(), f(x).numpy())

    q_in, v_in = tf.keras.Input((4, 3)), tf.keras.Input((6, 3))
    mha = L.MultiHeadAttention(num_heads=2, key_dim=2)
    out, scores = mha(q_in, v_in, return_attention_scores=True)
    assert out.shape.as_list() == [None, 4, 3] and scores.shape.as_list() == [None, 2, 4, 6]
    model = tf.keras.Model([q_in, v_in], [out, scores])
    q, v = np.ones((2, 4, 3), np.float32), np.zeros((2, 6, 3), np.float32)
    got = model([q, v])
    direct = mha(q, v, return_attention_scores=True)
    for a, b in zip(got, direct):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="positional"):
        L.MultiHeadAttention(2, 2)(q_in, v_in, attention_mask=tf.keras.Input((4, 6)))
    mask_in = tf.keras.Input((4, 4), dtype="bool")
    self_att = L.MultiHeadAttention(2, 2)
    masked_model = tf.keras.Model([q_in, mask_in], self_att(q_in, q_in, None, mask_in))
    xq = np.random.default_rng(0).normal(size=(2, 4, 3)).astype(np.float32)
    m = np.random.default_rng(1).random((2, 4, 4)) > 0.5
    m[..., 0] = True
    np.testing.assert_allclose(masked_model([xq, m]).numpy(),
                               self_att(xq, xq, attention_mask=m).numpy(), rtol=1e-6)
    assert not np.allclose(masked_model([xq, m]).numpy(), self_att(xq, xq).numpy())


def test_multi_head_attention_fit_reduces_loss():
    tf.keras.backend.clear_session()
    tf.random.set_seed(5)
    rng = np.random.default_rng(2)
    x_in = tf.keras.Input((5, 4))
    h = L.MultiHeadAttention(num_heads=2, key_dim=4)(x_in, x_in)
    model = tf.keras.Model(x_in, L.Dense(1)(L.GlobalAvgPool1D()(h)))
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    xs, ys = rng.normal(size=(32, 5, 4)).astype("f"), rng.normal(size=(32, 1)).astype("f")
    hist = model.fit(xs, ys, batch_size=16, epochs=5, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    assert len(model.trainable_weights) == 10

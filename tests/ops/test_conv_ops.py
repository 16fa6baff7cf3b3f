"""Hand-computed and property tests for convolutions and pooling (tf.nn.conv1d/conv2d/
conv2d_transpose, max/avg pooling). Finite-difference gradient rows are in specs_nn.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow._src.ops.registry import REGISTRY
from tests.ops.specs_nn import conv2d as ref_conv2d
from tests.ops.specs_nn import depthwise_conv2d as ref_depthwise
from tests.ops.specs_nn import pool2d as ref_pool2d

ERR = tf.errors.InvalidArgumentError


def img(a):
    """A 2-D list as a [1, h, w, 1] float32 tensor."""
    return tf.constant(np.asarray(a, np.float32)[None, :, :, None])


def plane(t):
    return t.numpy()[0, :, :, 0]


# ---------------------------------------------------------------------------------------
# conv2d: hand-computed values
# ---------------------------------------------------------------------------------------


def test_conv2d_valid_is_cross_correlation():
    x = img([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    w = tf.constant(np.array([[1, 0], [0, -1]], np.float32)[:, :, None, None])
    # out[i, j] = x[i, j] - x[i+1, j+1] (no kernel flip)
    np.testing.assert_array_equal(plane(tf.nn.conv2d(x, w, 1, "VALID")), [[-4, -4], [-4, -4]])


def test_conv2d_same_pads_symmetrically_with_extra_after():
    x = tf.ones([1, 5, 5, 2])
    y = tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), 1, "SAME")
    assert y.shape == (1, 5, 5, 4)
    np.testing.assert_array_equal(plane(y)[0], [8, 12, 12, 12, 8])
    # even kernel: 1 row/col of padding, all of it after
    y2 = tf.nn.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, "SAME")
    np.testing.assert_array_equal(plane(y2), [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


def test_conv2d_strides_dilations_and_explicit_padding_shapes():
    x, w = tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 4])
    assert tf.nn.conv2d(x, w, [2, 2], "VALID").shape == (1, 2, 2, 4)
    assert tf.nn.conv2d(x, w, [1, 2, 2, 1], "VALID", dilations=2).shape == (1, 1, 1, 4)
    assert tf.nn.conv2d(x, w, 2, "SAME").shape == (1, 3, 3, 4)
    y = tf.nn.conv2d(x, w, 1, [[0, 0], [1, 2], [0, 1], [0, 0]])
    assert y.shape == (1, 6, 4, 4)


def test_conv2d_dilation_skips_taps():
    x = img(np.arange(25).reshape(5, 5))
    w = tf.ones([2, 2, 1, 1])
    y = plane(tf.nn.conv2d(x, w, 1, "VALID", dilations=2))
    a = np.arange(25).reshape(5, 5)
    np.testing.assert_array_equal(y, a[:3, :3] + a[2:, :3] + a[:3, 2:] + a[2:, 2:])


def test_conv2d_nchw_equals_transposed_nhwc():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 4, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 2)).astype(np.float32)
    nhwc = tf.nn.conv2d(x, w, [2, 1], "SAME").numpy()
    nchw = tf.nn.conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 2, 1], "SAME", data_format="NCHW")
    np.testing.assert_allclose(nchw.numpy().transpose(0, 2, 3, 1), nhwc, rtol=1e-5)


def test_conv2d_int32_and_float64():
    y = tf.nn.conv2d(tf.ones([1, 3, 3, 1], tf.int32), tf.ones([2, 2, 1, 1], tf.int32), 1, "VALID")
    assert y.dtype == tf.int32 and plane(y).tolist() == [[4, 4], [4, 4]]
    assert (
        tf.nn.conv2d(
            tf.ones([1, 3, 3, 1], tf.float64), tf.ones([2, 2, 1, 1], tf.float64), 1, "VALID"
        ).dtype
        == tf.float64
    )


def test_conv2d_gradients_by_hand():
    x = img([[1, 2], [3, 4]])
    w = tf.constant(np.array([[1, 2], [3, 4]], np.float32)[:, :, None, None])
    with tf.GradientTape() as t:
        t.watch([x, w])
        y = tf.nn.conv2d(x, w, 1, "SAME")  # pads one row/col after
    gx, gw = t.gradient(y, [x, w])
    # each input pixel is multiplied by the taps that reach it from the 4 windows
    np.testing.assert_array_equal(plane(gx), [[1, 1 + 2], [1 + 3, 1 + 2 + 3 + 4]])
    np.testing.assert_array_equal(gw.numpy()[:, :, 0, 0], [[10, 6], [7, 4]])


def test_conv2d_errors():
    x, w = tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 4])
    with pytest.raises(
        ValueError,
        match=r"strides should be of length 1, 2 or 4. Received: "
        r"strides=\[1, 2, 1\] of length 3",
    ):
        tf.nn.conv2d(x, w, [1, 2, 1], "VALID")
    with pytest.raises(tf.errors.UnimplementedError, match="batch and depth"):
        tf.nn.conv2d(x, w, [2, 2, 2, 2], "VALID")
    with pytest.raises(ValueError, match="must be of size 4"):
        tf.nn.conv2d(x, w, 1, [[1, 2], [0, 1]])
    with pytest.raises(ERR, match="Value for attr 'padding' of \"same\""):
        tf.nn.conv2d(x, w, 1, "same")
    with pytest.raises(
        ERR,
        match="input depth must be evenly divisible by filter depth: "
        r"2 vs 3 \[Op:Conv2D\]",
    ):
        tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, "SAME")
    with pytest.raises(
        ERR,
        match=r"Computed output size would be negative: -1 \[input_size: "
        r"5, effective_filter_size: 7, stride: 1\]",
    ):
        tf.nn.conv2d(x, tf.ones([7, 7, 2, 4]), 1, "VALID")
    with pytest.raises(ERR, match="cannot compute Conv2D as input #1"):
        tf.nn.conv2d(x, tf.ones([3, 3, 2, 4], tf.float64), 1, "VALID")
    with pytest.raises(ERR, match=r"filter must be 4-dimensional: \[3,3,2\]"):
        tf.nn.conv2d(x, tf.ones([3, 3, 2]), 1, "VALID")
    with pytest.raises(ERR, match="Stride must be > 0"):
        tf.nn.conv2d(x, w, 0, "VALID")
    with pytest.raises(ERR, match="Dilated rates should be larger than 0"):
        tf.nn.conv2d(x, w, 1, "VALID", dilations=0)
    with pytest.raises(ERR, match="input must be 4-dimensional"):
        tf.nn.conv2d(tf.ones([5, 5, 2]), w, 1, "VALID")


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    k=st.integers(1, 3),
    s=st.integers(1, 3),
    d=st.integers(1, 2),
    same=st.booleans(),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
)
def test_conv2d_matches_direct_loops(h, w, k, s, d, same, cin, cout):
    padding = "SAME" if same else "VALID"
    if not same and (k - 1) * d + 1 > min(h, w):
        return
    rng = np.random.default_rng(h * 100 + w * 10 + k)
    x = rng.standard_normal((2, h, w, cin))
    f = rng.standard_normal((k, k, cin, cout))
    got = tf.nn.conv2d(x, f, s, padding, dilations=d).numpy()
    np.testing.assert_allclose(got, ref_conv2d(x, f, (s, s), padding, (d, d)), atol=1e-12)


# ---------------------------------------------------------------------------------------
# conv1d and conv2d_transpose
# ---------------------------------------------------------------------------------------


def test_conv1d_values_shapes_and_formats():
    x = tf.constant(np.arange(5, dtype=np.float32).reshape(1, 5, 1))
    y = tf.nn.conv1d(x, tf.constant([[[1.0]], [[1.0]]]), 1, "VALID")
    np.testing.assert_array_equal(y.numpy().ravel(), [1, 3, 5, 7])
    assert tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 2, "SAME").shape == (2, 4, 4)
    assert tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 1, "VALID", dilations=2).shape == (
        2,
        3,
        4,
    )
    assert tf.nn.conv1d(
        tf.ones([2, 3, 7]), tf.ones([3, 3, 4]), 2, "SAME", data_format="NCW"
    ).shape == (2, 4, 4)


def test_conv1d_errors_name_conv2d_like_tensorflow():
    with pytest.raises(
        ERR,
        match=r"input depth must be evenly divisible by filter depth: "
        r"7 vs 3 \[Op:Conv2D\]",
    ):
        tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 2, "SAME", data_format="NCW")


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 6, 3))
    w = rng.standard_normal((3, 2, 3, 4))
    y = tf.nn.conv2d(x, w, 2, "SAME")
    u = rng.standard_normal(y.shape)
    xt = tf.nn.conv2d_transpose(u, w, x.shape, 2, "SAME")
    np.testing.assert_allclose(np.sum(y.numpy() * u), np.sum(x * xt.numpy()), rtol=1e-10)


def test_conv2d_transpose_values_and_shape_error():
    y = tf.nn.conv2d_transpose(
        tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 3, 3, 1], 1, "VALID"
    )
    np.testing.assert_array_equal(plane(y), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    with pytest.raises(ERR, match="Size of out_backprop doesn't match computed"):
        tf.nn.conv2d_transpose(
            tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 5, 5, 1], 1, "VALID"
        )


def test_conv2d_third_order_gradient_runs_through_backprop_primitives():
    x = tf.constant(np.random.default_rng(2).standard_normal((1, 3, 3, 1)))
    w = tf.constant(np.random.default_rng(3).standard_normal((2, 2, 1, 1)))
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME") ** 3)
            s1 = tf.reduce_sum(t1.gradient(y, x))
        s2 = tf.reduce_sum(t2.gradient(s1, x))
    g3 = t3.gradient(s2, x)
    assert g3.shape == x.shape and np.all(np.isfinite(g3.numpy()))
    assert np.any(g3.numpy() != 0)


# ---------------------------------------------------------------------------------------
# depthwise_conv2d
# ---------------------------------------------------------------------------------------


def test_depthwise_conv2d_by_hand():
    x = tf.constant(np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))], -1)[None], tf.float32)
    w = tf.constant(np.ones((2, 2, 2, 2)) * [1.0, 10.0], tf.float32)
    y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID")
    # channel c, multiplier m -> output channel 2c + m: 4 taps * x_c * w_m
    np.testing.assert_array_equal(y.numpy()[0, 0, 0], [4, 40, 8, 80])


@settings(max_examples=20, deadline=None)
@given(s=st.integers(1, 2), same=st.booleans(), mult=st.integers(1, 3), d=st.integers(1, 2))
def test_depthwise_conv2d_matches_per_channel_conv(s, same, mult, d):
    if s > 1 and d > 1:
        return
    rng = np.random.default_rng(s * 10 + mult)
    x = rng.standard_normal((2, 6, 5, 3))
    w = rng.standard_normal((3, 2, 3, mult))
    padding = "SAME" if same else "VALID"
    got = tf.nn.depthwise_conv2d(x, w, [1, s, s, 1], padding, dilations=[d, d]).numpy()
    np.testing.assert_allclose(got, ref_depthwise(x, w, (s, s), padding, (d, d)), atol=1e-12)


def test_depthwise_conv2d_errors():
    x, w = tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 3])
    with pytest.raises(TypeError, match="Expected list for 'strides'"):
        tf.nn.depthwise_conv2d(x, w, 1, "VALID")
    with pytest.raises(ERR, match="strides field must specify 4 or 5 dimensions"):
        tf.nn.depthwise_conv2d(x, w, [2, 2], "VALID")
    with pytest.raises(ERR, match="input depth must be evenly divisible by filter depth: 2 vs 3"):
        tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 3]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ERR, match="equal length strides"):
        tf.nn.depthwise_conv2d(x, w, [1, 2, 1, 1], "SAME")


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------


def test_max_and_avg_pool_valid_by_hand():
    x = img(np.arange(16).reshape(4, 4))
    np.testing.assert_array_equal(plane(tf.nn.max_pool2d(x, 2, 2, "VALID")), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(
        plane(tf.nn.avg_pool2d(x, 2, 2, "VALID")), [[2.5, 4.5], [10.5, 12.5]]
    )


def test_avg_pool_same_averages_only_real_inputs():
    y = tf.reshape(tf.range(25.0), [1, 5, 5, 1])
    np.testing.assert_array_equal(
        plane(tf.nn.avg_pool2d(y, 2, 2, "SAME")), [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]
    )
    np.testing.assert_array_equal(
        plane(tf.nn.avg_pool2d(y, 3, 2, "SAME")), [[3, 4.5, 6], [10.5, 12, 13.5], [18, 19.5, 21]]
    )


def test_max_pool_gradient_goes_to_first_maximum_and_accumulates():
    z = img([[1, 1, 0], [1, 1, 2], [0, 2, 2]])
    with tf.GradientTape() as t:
        t.watch(z)
        o = tf.nn.max_pool2d(z, 2, 1, "VALID")
    np.testing.assert_array_equal(plane(o), [[1, 2], [2, 2]])
    np.testing.assert_array_equal(plane(t.gradient(o, z)), [[1, 0, 0], [0, 0, 2], [0, 1, 0]])


def test_max_pool_same_pads_with_minus_infinity():
    z = img([[-7, -6], [-5, -9]])
    np.testing.assert_array_equal(plane(tf.nn.max_pool2d(z, 2, 1, "SAME")), [[-5, -6], [-5, -9]])


def test_max_pool_second_derivative_routes_through_argmax():
    x = tf.constant(np.array([[1.0, 3.0], [2.0, 0.0]])[None, :, :, None])
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t:
            t.watch(x)
            o = tf.nn.max_pool2d(x, 2, 2, "VALID")
            s = tf.reduce_sum(o * o)
        g = t.gradient(s, x)
    np.testing.assert_array_equal(plane(g), [[0, 6], [0, 0]])
    np.testing.assert_array_equal(plane(t2.gradient(g, x)), [[0, 2], [0, 0]])


def test_pool_integer_dtypes():
    y = tf.nn.max_pool2d(tf.ones([1, 5, 5, 2], tf.int32), 2, 2, "VALID")
    assert y.dtype == tf.int32 and y.shape == (1, 2, 2, 2)
    with pytest.raises(ERR, match="Value for attr 'T' of int32"):
        tf.nn.avg_pool2d(tf.ones([1, 5, 5, 2], tf.int32), 2, 2, "VALID")


def test_pool_ksize_forms_and_nchw():
    x = tf.ones([1, 5, 5, 2])
    assert tf.nn.max_pool2d(x, [2, 3], [1, 2], "SAME").shape == (1, 5, 3, 2)
    assert tf.nn.max_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape == (1, 3, 3, 2)
    assert tf.nn.max_pool2d(x, 2, 2, "VALID", data_format="NCHW").shape == (1, 5, 2, 1)
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    nchw = tf.nn.avg_pool2d(a, 2, 1, "SAME", data_format="NCHW").numpy()
    nhwc = tf.nn.avg_pool2d(a.transpose(0, 2, 3, 1), 2, 1, "SAME").numpy()
    np.testing.assert_allclose(nchw, nhwc.transpose(0, 3, 1, 2), rtol=1e-6)


def test_pool_aliases_and_1d():
    x = tf.constant([[[1.0], [3.0], [2.0], [5.0]]])
    np.testing.assert_array_equal(tf.nn.max_pool1d(x, 2, 1, "VALID").numpy().ravel(), [3, 3, 5])
    np.testing.assert_array_equal(tf.nn.avg_pool1d(x, 2, 2, "VALID").numpy().ravel(), [2, 3.5])
    np.testing.assert_array_equal(tf.nn.max_pool(x, 2, 2, "VALID").numpy().ravel(), [3, 5])
    assert tf.nn.avg_pool(tf.ones([1, 4, 4, 1]), 2, 2, "VALID").shape == (1, 2, 2, 1)
    y = tf.nn.pool(tf.ones([1, 5, 5, 2]), [2, 2], "MAX", strides=[2, 2], padding="SAME")
    assert y.shape == (1, 3, 3, 2)


def test_pool_errors():
    x = tf.ones([1, 5, 5, 2])
    with pytest.raises(
        ValueError,
        match=r"ksize should be of length 1, 2 or 4. Received: "
        r"ksize=\[2, 3, 1\] of length 3",
    ):
        tf.nn.max_pool2d(x, [2, 3, 1], [1, 2], "SAME")
    with pytest.raises(ERR, match=r"Computed output size would be negative: -1"):
        tf.nn.max_pool2d(x, 7, 1, "VALID")
    with pytest.raises(TypeError, match="Expected string for argument 'padding'"):
        tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(ERR, match="Value for attr 'padding' of \"same\""):
        tf.nn.max_pool2d(x, 2, 2, "same")
    with pytest.raises(
        ValueError, match="'SAME' padding is not implemented for `dilation_rate` > 1"
    ):
        tf.nn.pool(x, [2, 2], "AVG", padding="SAME", dilations=[2, 2])
    with pytest.raises(tf.errors.UnimplementedError):
        tf.nn.max_pool2d(x, [1, 2, 2, 2], 1, "VALID")


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    s=st.integers(1, 3),
    same=st.booleans(),
    kind=st.sampled_from(["MAX", "AVG"]),
)
def test_pooling_matches_direct_loops(h, w, kh, kw, s, same, kind):
    padding = "SAME" if same else "VALID"
    if not same and (kh > h or kw > w):
        return
    x = np.random.default_rng(h * 7 + w).standard_normal((2, h, w, 3))
    fn = tf.nn.max_pool2d if kind == "MAX" else tf.nn.avg_pool2d
    got = fn(x, [kh, kw], s, padding).numpy()
    np.testing.assert_allclose(got, ref_pool2d(x, (kh, kw), (s, s), padding, kind), atol=1e-12)


# ---------------------------------------------------------------------------------------
# Rules of the conv and pooling primitives
# ---------------------------------------------------------------------------------------


def test_window_primitive_rules_match_eager_results():
    x = tf.ones([2, 5, 4, 3])
    w = tf.ones([3, 2, 3, 4])
    conv = dict(strides=(2, 1), dilations=(1, 2), pads=((1, 1), (0, 2)))
    pool = dict(ksize=(2, 3), strides=(2, 1), pads=((0, 1), (1, 1)))
    y = REGISTRY["Conv2D"](x, w, **conv)
    cases = [
        ("Conv2D", (x, w), conv),
        ("Conv2DBackpropInput", (w, y), dict(input_shape=(2, 5, 4, 3), **conv)),
        ("Conv2DBackpropFilter", (x, y), dict(filter_shape=(3, 2, 3, 4), **conv)),
        ("MaxPool", (x,), pool),
        ("AvgPool", (x,), pool),
        ("MaxPoolGrad", (x, REGISTRY["MaxPool"](x, **pool)), pool),
        ("MaxPoolGradGrad", (x, x), pool),
        ("AvgPoolGrad", (REGISTRY["AvgPool"](x, **pool),), dict(input_shape=(2, 5, 4, 3), **pool)),
    ]
    for name, inputs, attrs in cases:
        p = REGISTRY[name]
        out = p(*inputs, **attrs)
        assert p.shape_rule(*[tuple(t.shape) for t in inputs], **attrs) == tuple(out.shape), name
        assert p.dtype_rule(*[t.dtype for t in inputs], **attrs) == out.dtype, name


# ---------------------------------------------------------------------------------------
# convolution / atrous_conv2d dispatchers
# ---------------------------------------------------------------------------------------


def test_convolution_dispatches_on_rank():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 5, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    np.testing.assert_allclose(
        tf.nn.convolution(x, w, strides=[1, 2], padding="SAME").numpy(),
        tf.nn.conv2d(x, w, [1, 2], "SAME").numpy(),
    )
    x1, w1 = x.reshape(2, 30, 2), w[0]
    np.testing.assert_allclose(
        tf.nn.convolution(x1, w1, dilations=2).numpy(),
        tf.nn.conv1d(x1, w1, 1, "VALID", dilations=2).numpy(),
    )
    np.testing.assert_allclose(
        tf.nn.atrous_conv2d(x, w, 2, "SAME").numpy(),
        tf.nn.conv2d(x, w, 1, "SAME", dilations=2).numpy(),
    )
    with pytest.raises(ValueError, match="not supported in conjunction"):
        tf.nn.convolution(x, w, strides=2, dilations=2)

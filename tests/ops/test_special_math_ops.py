"""Tests for special_math_ops.py and math_extra_ops.py: hand-computed values, edge cases,
dtypes and errors; property tests against scipy (skipped when scipy is absent)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf

F64 = tf.float64


def c64(values):
    return tf.constant(np.asarray(values, np.float64))


# ----- hand-computed values -------------------------------------------------------------

def test_lgamma_known_values_and_poles():
    got = tf.math.lgamma(c64([1.0, 2.0, 5.0, 0.5, -0.5, 0.0, -2.0, np.inf, -np.inf])).numpy()
    want = [0.0, 0.0, math.log(24.0), 0.5 * math.log(math.pi),
            math.log(2.0 * math.sqrt(math.pi)), np.inf, np.inf, np.inf, np.inf]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-15)


def test_digamma_known_values_and_poles():
    euler = 0.5772156649015329
    got = tf.math.digamma(c64([1.0, 0.5, 2.0, -0.5, 0.0, -3.0, np.inf])).numpy()
    want = [-euler, -euler - 2 * math.log(2.0), 1 - euler, 2 - euler - 2 * math.log(2.0),
            np.nan, np.nan, np.inf]
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_polygamma_known_values_and_invalid_order():
    got = tf.math.polygamma(c64([1.0, 2.0, 0.0, 1.5, -1.0]), c64([1.0, 1.0, 1.0, 2.0, 2.0]))
    zeta3 = 1.2020569031595942
    want = [math.pi ** 2 / 6, -2 * zeta3, -0.5772156649015329, np.nan, np.nan]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-14)


def test_zeta_known_values_and_domain():
    got = tf.math.zeta(c64([2.0, 4.0, 2.0, 1.0, 0.5, 2.0, 3.0]),
                       c64([1.0, 1.0, 2.0, 2.0, 2.0, -2.0, -2.0])).numpy()
    want = [math.pi ** 2 / 6, math.pi ** 4 / 90, math.pi ** 2 / 6 - 1, np.inf, np.nan,
            np.inf, np.nan]
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_erfinv_ndtri_erfcinv_known_values():
    np.testing.assert_allclose(tf.math.erfinv(c64([0.0, 1.0, -1.0, 1.5])).numpy(),
                               [0.0, np.inf, -np.inf, np.nan])
    np.testing.assert_allclose(tf.math.ndtri(c64([0.5, 0.975, 0.0, 1.0, -0.1])).numpy(),
                               [0.0, 1.959963984540054, -np.inf, np.inf, np.nan], rtol=1e-14)
    np.testing.assert_allclose(tf.math.erfcinv(c64([1.0, 0.0, 2.0])).numpy(),
                               [0.0, np.inf, -np.inf])


def test_erfinv_keeps_relative_precision_near_zero_and_one():
    y = np.array([1e-300, 1e-20, 1 - 2.0 ** -52, -(1 - 2.0 ** -40)])
    x = tf.math.erfinv(c64(y)).numpy()
    np.testing.assert_allclose(x[:2], y[:2] * math.sqrt(math.pi) / 2, rtol=1e-15)
    np.testing.assert_allclose([math.erfc(v) for v in x[2:3]], [2.0 ** -52], rtol=1e-13)
    np.testing.assert_allclose([math.erfc(-v) for v in x[3:]], [2.0 ** -40], rtol=1e-13)


def test_ndtri_of_subnormal_probabilities_is_finite():
    p = np.array([1e-310, 5e-324])
    x = tf.math.ndtri(c64(p)).numpy()
    assert np.all(np.isfinite(x)) and np.all(x < -37)
    np.testing.assert_allclose(0.5 * math.erfc(-x[0] / math.sqrt(2.0)), 1e-310, rtol=1e-9)


def test_igamma_known_values_and_domain():
    a = c64([1.0, 2.0, 0.0, 1.0, -1.0, 2.0, np.inf])
    x = c64([1.0, 1.0, 1.0, 0.0, 1.0, np.inf, 1.0])
    np.testing.assert_allclose(tf.math.igamma(a, x).numpy(),
                               [1 - math.exp(-1), 1 - 2 * math.exp(-1), np.nan, 0, np.nan, 1, 0],
                               rtol=1e-14)
    np.testing.assert_allclose(tf.math.igammac(a, x).numpy(),
                               [math.exp(-1), 2 * math.exp(-1), np.nan, 1, np.nan, 0, 1],
                               rtol=1e-14)


def test_betainc_known_values_and_domain():
    got = tf.math.betainc(c64([2.0, 1.0, 1.0, 1.0, 0.0, 1.0]), c64([3.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
                          c64([0.5, 0.3, 0.0, 1.0, 0.5, 1.5])).numpy()
    np.testing.assert_allclose(got, [0.6875, 0.3, 0.0, 1.0, np.nan, np.nan], rtol=1e-14)


def test_betainc_rejects_mismatched_shapes_but_accepts_scalars():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Shapes of a and x are inconsistent: \[2\] vs. \[2,2\]"):
        tf.math.betainc(c64([1.0, 2.0]), c64(2.0), c64([[0.5, 0.2], [0.1, 0.3]]))
    assert tf.math.betainc(c64([1.0, 2.0]), 2.0, 0.5).shape == (2,)


def test_bessel_known_values_and_infinities():
    x = c64([0.0, 1.0, -1.0, np.inf])
    np.testing.assert_allclose(tf.math.bessel_i0(x).numpy()[:3],
                               [1.0, 1.2660658777520082, 1.2660658777520082], rtol=1e-15)
    np.testing.assert_allclose(tf.math.bessel_i1(x).numpy()[:3],
                               [0.0, 0.5651591039924851, -0.5651591039924851], rtol=1e-15)
    assert np.isnan(tf.math.bessel_i0(x).numpy()[3])  # exp(inf) * 0, as in TensorFlow
    np.testing.assert_allclose(tf.math.bessel_i0e(x).numpy(),
                               [1.0, 1.2660658777520082 / math.e, 1.2660658777520082 / math.e,
                                0.0], rtol=1e-15)
    assert tf.math.special.bessel_i1e is tf.math.bessel_i1e


def test_bessel_gradients_at_zero_take_the_limits():
    x = c64([0.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ys = [tf.math.bessel_i0(x), tf.math.bessel_i1(x), tf.math.bessel_i1e(x)]
    np.testing.assert_allclose([float(tape.gradient(y, x)[0]) for y in ys], [0.0, 0.5, 0.5])


def test_special_functions_keep_float32_and_reject_ints():
    for fn in (tf.math.lgamma, tf.math.digamma, tf.math.erfinv, tf.math.bessel_i0e):
        assert fn(tf.constant([0.5])).dtype == tf.float32
        with pytest.raises(tf.errors.InvalidArgumentError, match="not in the list of allowed"):
            fn(tf.constant([1, 2]))
    assert tf.math.lgamma(tf.constant([0.5], tf.float16)).dtype == tf.float16


def test_igamma_gradient_wrt_a_matches_finite_differences_and_second_order_raises():
    a, x = c64([0.7, 3.0, 10.0]), c64([0.3, 4.0, 25.0])
    with tf.GradientTape() as outer:
        outer.watch(a)
        with tf.GradientTape() as inner:
            inner.watch(a)
            y = tf.math.igamma(a, x)
        g = inner.gradient(y, a)
    h = 1e-6
    fd = (tf.math.igamma(a + h, x) - tf.math.igamma(a - h, x)).numpy() / (2 * h)
    np.testing.assert_allclose(g.numpy(), fd, rtol=1e-7, atol=1e-9)  # fd round-off ~1e-10
    with pytest.raises(NotImplementedError, match="IgammaGradA"):
        outer.gradient(g, a)


def test_betainc_has_no_gradient_for_a_and_b_like_tensorflow():
    a, b, x = c64(2.0), c64(3.0), c64(0.3)
    with tf.GradientTape() as tape:
        tape.watch([a, b, x])
        y = tf.math.betainc(a, b, x)
    ga, gb, gx = tape.gradient(y, [a, b, x])
    assert ga is None and gb is None
    np.testing.assert_allclose(float(gx), 12 * 0.3 * 0.7 ** 2, rtol=1e-13)


def test_xlog1py_is_zero_where_x_is_zero_and_its_gradient_too():
    x, y = c64([0.0, 2.0]), c64([-1.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.math.xlog1py(x, y)
    np.testing.assert_allclose(z.numpy(), [0.0, 2 * math.log(2.0)])
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, math.log(2.0)])
    np.testing.assert_allclose(gy.numpy(), [0.0, 1.0])


def test_multiply_no_nan_gradient_ignores_inf_where_y_is_zero():
    x, y = c64([np.inf, 3.0]), c64([0.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.math.multiply_no_nan(x, y)
    np.testing.assert_allclose(z.numpy(), [0.0, 6.0])
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, 2.0])
    np.testing.assert_allclose(gy.numpy(), [np.inf, 3.0])


def test_lbeta_values_and_empty_last_axis():
    np.testing.assert_allclose(tf.math.lbeta(c64([[1.0, 2.0], [3.0, 4.0]])).numpy(),
                               [math.log(0.5), math.log(1 / 60)], rtol=1e-14)
    assert tf.math.lbeta(tf.zeros([2, 0])).numpy().tolist() == [-np.inf, -np.inf]


# ----- counting ops ---------------------------------------------------------------------

def test_confusion_matrix_counts_and_weights():
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32 and cm.shape == (5, 5)
    want = np.zeros((5, 5), np.int32)
    want[1, 2] = want[2, 2] = want[4, 4] = 1
    np.testing.assert_array_equal(cm.numpy(), want)
    cmw = tf.math.confusion_matrix([0, 0, 1], [1, 1, 1], num_classes=2, weights=[1.0, 2.0, 4.0],
                                   dtype=tf.float32)
    np.testing.assert_array_equal(cmw.numpy(), [[0.0, 3.0], [0.0, 4.0]])


def test_confusion_matrix_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
        tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], num_classes=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`predictions` contains negative"):
        tf.math.confusion_matrix([1, 2], [2, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        tf.math.confusion_matrix([1, 2, 4], [2, 2, 4, 5])


def test_bincount_variants():
    assert tf.math.bincount([1, 1, 3]).numpy().tolist() == [0, 2, 0, 1]
    assert tf.math.bincount([1, 1, 3], minlength=6, maxlength=2).numpy().tolist() == [0, 2]
    w = tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0])
    assert w.dtype == tf.float32 and w.numpy().tolist() == [0.0, 1.5, 0.0, 2.0]
    rows = tf.math.bincount([[1, 1, 3], [0, 2, 2]], axis=-1, binary_output=True, minlength=5)
    assert rows.numpy().tolist() == [[0, 1, 0, 1, 0], [1, 0, 1, 0, 0]]
    assert tf.math.bincount([[1, 1], [0, 2]]).numpy().tolist() == [1, 2, 1]
    assert tf.math.bincount([], dtype=tf.int64).shape == (0,)


def test_bincount_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be non-negative"):
        tf.math.bincount([1, -1])
    with pytest.raises(ValueError, match="mutually exclusive"):
        tf.math.bincount([1], weights=[1.0], binary_output=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`weights` must be the same"):
        tf.math.bincount([1, 2, 3], weights=[1.0, 2.0])


def test_in_top_k_ties_nan_rows_and_out_of_range_targets():
    preds = [[0.1, 0.9, 0.9], [0.5, 0.3, 0.3], [0.1, np.nan, 0.0], [0.2, 0.1, 0.0]]
    got = tf.math.in_top_k([2, 1, 0, 5], preds, 1)
    assert got.numpy().tolist() == [True, False, False, False]
    assert tf.nn.in_top_k([1, 2], [[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]], k=2).numpy().all()


def test_monotonicity_checks():
    assert bool(tf.math.is_non_decreasing([1, 2, 2]))
    assert not bool(tf.math.is_strictly_increasing([1, 2, 2]))
    assert bool(tf.math.is_strictly_increasing([[1, 2], [3, 4]]))
    assert bool(tf.math.is_strictly_increasing([]))
    with pytest.raises(TypeError, match="Expected x to be numeric"):
        tf.math.is_non_decreasing(["a", "b"])


def test_invert_permutation_and_errors():
    assert tf.math.invert_permutation([2, 0, 1]).numpy().tolist() == [1, 2, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="0 is duplicated"):
        tf.math.invert_permutation([2, 0, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="3 is not between 0 and 3"):
        tf.math.invert_permutation([2, 0, 3])


def test_polyval_zero_fraction_accumulate_n_and_nextafter():
    assert float(tf.math.polyval([1.0, 2.0, 3.0], 2.0)) == 11.0
    assert tf.math.polyval([1, 2], 3).dtype == tf.int32
    assert float(tf.math.polyval([], tf.constant(2.0))) == 0.0
    assert float(tf.math.zero_fraction([0, 1, 0, 3])) == 0.5
    assert tf.nn.zero_fraction(c64([0.0])).dtype == tf.float32
    np.testing.assert_array_equal(tf.math.accumulate_n([[1.0, 2.0], [3.0, 4.0]]).numpy(),
                                  [4.0, 6.0])
    with pytest.raises(ValueError, match="not compatible"):
        tf.math.accumulate_n([tf.constant([1.0]), tf.constant([1.0, 2.0])])
    assert float(tf.math.nextafter(c64(1.0), 2.0)) == 1.0 + 2.0 ** -52


def test_cumulative_logsumexp_large_values_do_not_overflow():
    x = c64([1000.0, 1000.0, 1000.0])
    np.testing.assert_allclose(tf.math.cumulative_logsumexp(x).numpy(),
                               1000.0 + np.log([1.0, 2.0, 3.0]), rtol=1e-15)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.cumulative_logsumexp(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1 + 1 / 2 + 1 / 3, 1 / 2 + 1 / 3,
                                                              1 / 3], rtol=1e-13)


def test_reduce_euclidean_norm_ints_and_complex():
    assert tf.math.reduce_euclidean_norm([3, 4]).numpy() == 5
    z = tf.math.reduce_euclidean_norm(tf.constant([3 + 4j, 1j]))
    assert z.dtype == tf.complex128
    np.testing.assert_allclose(z.numpy(), math.sqrt(26.0))


def test_special_namespace_names_missing_functions():
    with pytest.raises(NotImplementedError, match="bessel_j0"):
        tf.math.special.bessel_j0  # noqa: B018


# ----- properties against scipy ---------------------------------------------------------

@pytest.fixture(scope="module")
def scipy_special():
    return pytest.importorskip("scipy.special")


def _arr(low, high, n=8):
    # scipy itself loses accuracy on subnormal inputs, so they are left out.
    return hnp.arrays(np.float64, n, elements=st.floats(low, high, allow_subnormal=False))


@settings(max_examples=30, deadline=None)
@given(x=_arr(-30.0, 60.0))
def test_gamma_family_matches_scipy(scipy_special, x):
    # At the poles TF gives NaN where scipy gives +-inf, and right next to them scipy's
    # reflection loses digits (tapeflow reduces pi*x exactly), so keep a margin from them.
    x = x[(x > 0) | (np.abs(x - np.round(x)) > 1e-6)]
    np.testing.assert_allclose(tf.math.lgamma(c64(x)).numpy(), scipy_special.gammaln(x),
                               rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(tf.math.digamma(c64(x)).numpy(), scipy_special.digamma(x),
                               rtol=1e-11, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=hnp.arrays(np.int64, 8, elements=st.integers(1, 5)), x=_arr(0.01, 100.0))
def test_polygamma_and_zeta_match_scipy(scipy_special, n, x):
    np.testing.assert_allclose(tf.math.polygamma(c64(n), c64(x)).numpy(),
                               scipy_special.polygamma(n, x), rtol=1e-12)
    np.testing.assert_allclose(tf.math.zeta(c64(n + 1.0), c64(x)).numpy(),
                               scipy_special.zeta(n + 1.0, x), rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(p=_arr(1e-300, 1.0))
def test_inverse_erf_family_matches_scipy(scipy_special, p):
    np.testing.assert_allclose(tf.math.ndtri(c64(p)).numpy(), scipy_special.ndtri(p),
                               rtol=1e-13)
    np.testing.assert_allclose(tf.math.erfcinv(c64(p)).numpy(), scipy_special.erfcinv(p),
                               rtol=1e-13)
    y = 2 * p - 1
    np.testing.assert_allclose(tf.math.erfinv(c64(y)).numpy(), scipy_special.erfinv(y),
                               rtol=1e-12, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(a=_arr(0.05, 80.0), x=_arr(0.0, 150.0))
def test_igamma_matches_scipy(scipy_special, a, x):
    np.testing.assert_allclose(tf.math.igamma(c64(a), c64(x)).numpy(),
                               scipy_special.gammainc(a, x), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(tf.math.igammac(c64(a), c64(x)).numpy(),
                               scipy_special.gammaincc(a, x), rtol=1e-10, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(a=_arr(0.05, 60.0), b=_arr(0.05, 60.0), x=_arr(0.0, 1.0))
def test_betainc_matches_scipy(scipy_special, a, b, x):
    np.testing.assert_allclose(tf.math.betainc(c64(a), c64(b), c64(x)).numpy(),
                               scipy_special.betainc(a, b, x), rtol=1e-10, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(x=_arr(-700.0, 700.0))
def test_bessel_matches_scipy(scipy_special, x):
    for ours, ref in ((tf.math.bessel_i0, scipy_special.i0), (tf.math.bessel_i1,
                      scipy_special.i1), (tf.math.bessel_i0e, scipy_special.i0e),
                      (tf.math.bessel_i1e, scipy_special.i1e)):
        np.testing.assert_allclose(ours(c64(x)).numpy(), ref(x), rtol=1e-13, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary_special_ops_broadcast(shapes):
    x, y = (np.full(s, 0.75) for s in shapes.input_shapes)
    for fn in (tf.math.igamma, tf.math.xlog1py, tf.math.multiply_no_nan, tf.math.nextafter):
        assert fn(c64(x), c64(y)).shape == shapes.result_shape


@pytest.mark.parametrize("module", ["special_math_ops", "math_extra_ops"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"tapeflow._src.ops.{module}")
    result = doctest.testmod(
        mod, extraglobs={"tf": tf}, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.attempted > 0 and result.failed == 0


def test_data_dependent_counts_follow_new_inputs_under_tf_function():
    count = tf.function(lambda x: tf.math.bincount(x))
    matrix = tf.function(lambda x: tf.math.confusion_matrix(x, x, num_classes=4))
    auto = tf.function(lambda x: tf.math.confusion_matrix(x, x))
    assert count(tf.constant([1, 0])).numpy().tolist() == [1, 1]
    assert count(tf.constant([3, 0])).numpy().tolist() == [1, 0, 0, 1]
    matrix(tf.constant([1, 0]))
    assert matrix(tf.constant([3, 3])).numpy()[3, 3] == 2
    with pytest.raises(tf.errors.InvalidArgumentError):
        matrix(tf.constant([-1, 0]))
    auto(tf.constant([1, 0]))
    assert auto(tf.constant([2, 0])).shape == (3, 3)


def test_special_ops_trace_with_their_shape_and_dtype_rules():
    @tf.function
    def f(x, a):
        return [tf.math.lgamma(x), tf.math.igamma(a, x), tf.math.betainc(a, a, x / 10.0),
                tf.math.xlog1py(x, x), tf.math.cumulative_logsumexp(x), tf.math.erfinv(x / 10),
                tf.math.bessel_i1e(x), tf.math.zeta(a + 1.5, x)]
    x, a = tf.constant([1.0, 2.0]), tf.constant([0.5, 3.0])
    for traced, eager in zip(f(x, a), f.python_function(x, a)):
        assert traced.shape == eager.shape and traced.dtype == eager.dtype
        np.testing.assert_allclose(traced.numpy(), eager.numpy())

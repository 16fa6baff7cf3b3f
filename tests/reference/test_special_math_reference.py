"""Differential tests of special_math_ops.py and math_extra_ops.py against real TensorFlow
2.21: values (float64 to ~1e-12, float32 to float32 rounding), dtypes, shapes, gradients and
exception types/messages.

Each case is a function of the module (`tf` = tapeflow or tensorflow) run on both sides.
"""

import re

import numpy as np
import pytest

import tapeflow as tft

nan, inf = float("nan"), float("inf")


def _leaves(r):
    if isinstance(r, (list, tuple)):
        out = []
        for v in r:
            out.extend(_leaves(v))
        return out
    return [r]


def _run(mod, case):
    try:
        r = case(mod)
    except Exception as e:  # noqa: BLE001 - the exception is the result under test
        return ("error", type(e).__name__, str(e))
    return ("ok", [None if v is None else (v.dtype.name, tuple(v.shape), np.asarray(v.numpy()))
                   for v in _leaves(r)])


def _message(text):
    text = re.sub(r"^\{\{function_node [^}]*\}\} ", "", text)
    text = text.split("\nAll kernels registered")[0]
    cut = text.find("is not in the list of allowed values")
    return text[:cut] if cut >= 0 else text


def _check(case, tf_ref, rtol=1e-12, atol=1e-300, message=True):
    ours, theirs = _run(tft, case), _run(tf_ref, case)
    if theirs[0] == "error":
        assert ours[0] == "error", f"TF raised {theirs[1]}: {theirs[2]!r}; tapeflow returned"
        assert ours[1] == theirs[1], (ours, theirs)
        if message:
            assert _message(ours[2]) == _message(theirs[2]), (ours[2], theirs[2])
        return
    assert ours[0] == "ok", ours
    assert len(ours[1]) == len(theirs[1])
    for o, t in zip(ours[1], theirs[1]):
        if t is None:
            assert o is None
            continue
        assert o[0] == t[0] and o[1] == t[1], (o[:2], t[:2])
        if o[2].dtype.kind in "fc":
            np.testing.assert_allclose(o[2], t[2], rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(o[2], t[2])


def c(tf, values, dtype="float64"):
    return tf.constant(np.asarray(values), getattr(tf, dtype))


X_GAMMA = [-inf, -2.5, -2.0, -1.5, -0.3, 0.0, 1e-300, 0.1, 0.5, 1.0, 1.4616321, 2.0, 7.5,
           150.0, 1e6, 1e300, inf, nan]
X_UNIT = [-1.5, -1.0, -0.999999, -0.5, -1e-30, 0.0, 1e-12, 0.3, 0.5, 0.7, 0.9999999999, 1.0,
          nan]
X_PROB = [-0.1, 0.0, 1e-300, 1e-20, 0.02, 0.3, 0.5, 0.5 + 1e-12, 0.9, 1 - 1e-12, 1.0, 1.5]
X_BESSEL = [-inf, -720.0, -40.0, -29.5, -3.0, -1e-5, 0.0, 1e-300, 0.5, 2.0, 15.0, 31.0, 100.0,
            700.0, 720.0, inf, nan]

UNARY = {
    "lgamma": X_GAMMA, "digamma": X_GAMMA, "erfinv": X_UNIT, "ndtri": X_PROB,
    "bessel_i0": X_BESSEL, "bessel_i0e": X_BESSEL, "bessel_i1": X_BESSEL,
    "bessel_i1e": X_BESSEL, "reciprocal_no_nan": [0.0, -2.0, 0.5, inf],
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_unary_special_values(tf_ref, name, dtype):
    # Relative accuracy near lgamma's and digamma's roots is limited by cancellation (TF's
    # kernel and ours both), hence the small absolute tolerance.
    rtol, atol = (1e-12, 1e-15) if dtype == "float64" else (2e-6, 1e-7)
    _check(lambda tf: getattr(tf.math, name)(c(tf, UNARY[name], dtype)), tf_ref, rtol, atol)


def test_erfcinv_values(tf_ref):
    _check(lambda tf: tf.math.erfcinv(c(tf, [-0.5, 0.0, 1e-300, 1e-10, 0.4, 1.0, 1.7,
                                             2.0 - 1e-12, 2.0, 2.5])), tf_ref, atol=1e-15)


def test_special_namespace_matches(tf_ref):
    _check(lambda tf: [tf.math.special.bessel_i0(c(tf, [0.5, -3.0])),
                       tf.math.special.bessel_i1e(c(tf, [0.5, -3.0]))], tf_ref)


A_VALUES = [0.0, 0.1, 0.5, 1.0, 2.5, 7.0, 30.0, -1.0, inf, nan]
X_VALUES = [0.0, 0.05, 0.5, 1.0, 3.0, 8.0, 40.0, -1.0, inf, nan]


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_incomplete_gamma_grid(tf_ref, name):
    a, x = np.meshgrid(A_VALUES, X_VALUES)
    _check(lambda tf: getattr(tf.math, name)(c(tf, a), c(tf, x)), tf_ref, rtol=1e-11)


def test_betainc_grid(tf_ref):
    a, b, x = np.meshgrid([0.0, 0.2, 1.0, 3.5, 20.0], [0.3, 1.0, 4.0, -1.0],
                          [0.0, 0.01, 0.4, 0.9, 1.0, 1.2])
    _check(lambda tf: tf.math.betainc(c(tf, a), c(tf, b), c(tf, x)), tf_ref, rtol=1e-11)


def test_polygamma_and_zeta_grid(tf_ref):
    n, x = np.meshgrid([0.0, 1.0, 2.0, 3.0, 1.5, -1.0], [-2.0, -1.5, 0.0, 1e-3, 0.7, 4.0, 50.0])
    _check(lambda tf: tf.math.polygamma(c(tf, n), c(tf, x)), tf_ref, rtol=1e-11)
    s, q = np.meshgrid([0.5, 1.0, 1.5, 2.0, 3.0, 6.5], [-2.0, -1.5, 0.0, 1e-3, 0.7, 4.0, 50.0])
    _check(lambda tf: tf.math.zeta(c(tf, s), c(tf, q)), tf_ref, rtol=1e-11)


def test_float32_binary_special(tf_ref):
    _check(lambda tf: [tf.math.igamma(c(tf, [0.5, 2.0], "float32"), 1.5),
                       tf.math.betainc(2.0, 3.0, c(tf, [0.2, 0.7], "float32")),
                       tf.math.zeta(c(tf, [2.0, 3.0], "float32"), 1.5),
                       tf.math.lbeta(c(tf, [[1.0, 2.5], [3.0, 0.5]], "float32"))],
           tf_ref, rtol=2e-6)


ERROR_CASES = {
    "lgamma_int": lambda tf: tf.math.lgamma(tf.constant([1, 2])),
    "igamma_mixed": lambda tf: tf.math.igamma(tf.constant([1.0]), c(tf, [1.0])),
    "betainc_shapes": lambda tf: tf.math.betainc(c(tf, [1.0, 2.0]), c(tf, [2.0, 3.0, 4.0]),
                                                 c(tf, 0.5)),
    "betainc_ax": lambda tf: tf.math.betainc(c(tf, [1.0, 2.0]), c(tf, 2.0),
                                             c(tf, [[0.5, 0.2], [0.1, 0.3]])),
    "xlog1py_int": lambda tf: tf.math.xlog1py(tf.constant([0, 2]), tf.constant([1, 1])),
    "mul_no_nan_int": lambda tf: tf.math.multiply_no_nan(tf.constant([1]), tf.constant([0])),
    "reciprocal_no_nan_int": lambda tf: tf.math.reciprocal_no_nan(tf.constant([0, 2])),
    "lbeta_scalar": lambda tf: tf.math.lbeta(tf.constant(2.0)),
    "cumlogsumexp_int": lambda tf: tf.math.cumulative_logsumexp(tf.constant([0, 1])),
    "invert_dup": lambda tf: tf.math.invert_permutation([2, 0, 0]),
    "invert_range": lambda tf: tf.math.invert_permutation([2, 0, 3]),
    "invert_rank": lambda tf: tf.math.invert_permutation([[0]]),
    "invert_float": lambda tf: tf.math.invert_permutation([1.0, 0.0]),
    "bincount_negative": lambda tf: tf.math.bincount([1, -1, 3]),
    "bincount_weights_shape": lambda tf: tf.math.bincount([1, 1, 3], weights=[1.0, 2.0]),
    "bincount_binary_weights": lambda tf: tf.math.bincount([1], weights=[1.0],
                                                           binary_output=True),
    "cm_negative_labels": lambda tf: tf.math.confusion_matrix([1, -2, 4], [2, 2, 4]),
    "cm_negative_preds": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, -2, 4]),
    "cm_labels_range": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], num_classes=3),
    "cm_preds_range": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, 2, 9], num_classes=5),
    "cm_shapes": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, 2, 4, 5]),
    "in_top_k_rows": lambda tf: tf.math.in_top_k([1, 2, 0], [[0.1, 0.9, 0.0],
                                                              [0.5, 0.2, 0.3]], 1),
    "scalar_mul_shape": lambda tf: tf.math.scalar_mul([2.0, 3.0], tf.constant([1.0, 2.0])),
    "scalar_mul_dtype": lambda tf: tf.math.scalar_mul(2.5, tf.constant([1, 2])),
    "polyval_mixed": lambda tf: tf.math.polyval([c(tf, 1.0), 2.0], c(tf, 3.0)),
    "polyval_tensor": lambda tf: tf.math.polyval(tf.constant([1.0]), 3.0),
    "non_numeric": lambda tf: tf.math.is_strictly_increasing(tf.constant(["a", "b"])),
    "accumulate_empty": lambda tf: tf.math.accumulate_n([]),
    "accumulate_shape": lambda tf: tf.math.accumulate_n([tf.constant([1.0]),
                                                         tf.constant([1.0, 2.0])]),
    "accumulate_dtype": lambda tf: tf.math.accumulate_n([tf.constant([1.0]),
                                                         tf.constant([1])]),
    "accumulate_arg_shape": lambda tf: tf.math.accumulate_n([tf.constant([1.0])], shape=[2]),
}


# Messages that name TensorFlow's own module paths: only the exception type is compared.
_TYPE_ONLY = {"polyval_tensor"}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_errors_match(tf_ref, name):
    _check(ERROR_CASES[name], tf_ref, message=name not in _TYPE_ONLY)


VALUE_CASES = {
    "cm_default": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]),
    "cm_weights": lambda tf: tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], num_classes=6,
                                                      weights=[1.0, 2.0, 3.0],
                                                      dtype=tf.float32),
    "cm_float_labels": lambda tf: tf.math.confusion_matrix([1.0, 2.0], [2, 2]),
    "cm_squeeze": lambda tf: tf.math.confusion_matrix([[1], [2]], [2, 2]),
    "cm_int_weights": lambda tf: tf.math.confusion_matrix([1, 2], [2, 2], weights=[1, 2]),
    "cm_int64": lambda tf: tf.math.confusion_matrix(tf.constant([1, 2], tf.int64), [2, 2],
                                                    dtype=tf.int64),
    "bincount": lambda tf: tf.math.bincount([1, 1, 3]),
    "bincount_len": lambda tf: tf.math.bincount([1, 1, 3], minlength=6, maxlength=2),
    "bincount_weights": lambda tf: tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0],
                                                    dtype=tf.float64),
    "bincount_int_weights": lambda tf: tf.math.bincount([1, 1, 3], weights=[1, 2, 3],
                                                        dtype=tf.float32),
    "bincount_dtype": lambda tf: tf.math.bincount([1, 1, 3], dtype=tf.int64),
    "bincount_binary": lambda tf: tf.math.bincount([1, 1, 3], binary_output=True),
    "bincount_rows": lambda tf: tf.math.bincount([[1, 1, 3], [0, 2, 2]], axis=-1),
    "bincount_rows_w": lambda tf: tf.math.bincount([[1, 1, 3], [0, 2, 2]],
                                                   weights=[[1.0, 2, 3], [4, 5, 6]], axis=-1),
    "bincount_rows_binary": lambda tf: tf.math.bincount([[1, 1, 3], [0, 2, 2]], axis=-1,
                                                        binary_output=True, minlength=5),
    "bincount_flat": lambda tf: tf.math.bincount([[1, 1, 3], [0, 2, 2]]),
    "bincount_axis0": lambda tf: tf.math.bincount([[1, 1, 3], [0, 2, 2]], axis=0),
    "bincount_empty": lambda tf: tf.math.bincount([]),
    "bincount_floats": lambda tf: tf.math.bincount([1.0, 2.0]),
    "bincount_int64": lambda tf: tf.math.bincount(tf.constant([1, 2], tf.int64)),
    "in_top_k": lambda tf: [tf.math.in_top_k([1, 2], [[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]], k)
                            for k in (1, 2, 3)],
    "in_top_k_ties": lambda tf: tf.math.in_top_k([1, 2], [[0.1, 0.9, 0.9], [0.5, 0.3, 0.3]], 1),
    "in_top_k_range_nan": lambda tf: tf.math.in_top_k([5, 0, -1], [[0.1, 0.9, 0.0],
                                                                  [0.5, nan, 0.3],
                                                                  [0.5, 0.2, 0.3]], 2),
    "nn_in_top_k": lambda tf: tf.nn.in_top_k([1, 2], [[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]], k=1),
    "euclidean": lambda tf: [tf.math.reduce_euclidean_norm([3, 4]),
                             tf.math.reduce_euclidean_norm([[3.0, 4.0], [0, 0]], axis=1),
                             tf.math.reduce_euclidean_norm([[3.0, 4.0]], 1, keepdims=True),
                             tf.math.reduce_euclidean_norm(tf.constant([3 + 4j, 1j]))],
    "scalar_mul": lambda tf: [tf.math.scalar_mul(2, tf.constant([1.0, 2.0])),
                              tf.math.scalar_mul(tf.constant(2.0), tf.constant([1.0, 2.0]))],
    "monotone": lambda tf: [tf.math.is_non_decreasing([1, 2, 2]),
                            tf.math.is_strictly_increasing([1, 2, 2]),
                            tf.math.is_strictly_increasing([[1, 2], [3, 4]]),
                            tf.math.is_strictly_increasing([]),
                            tf.math.is_non_decreasing([3.0])],
    "invert": lambda tf: [tf.math.invert_permutation([2, 0, 1]),
                          tf.math.invert_permutation(tf.constant([1, 0], tf.int64))],
    "polyval": lambda tf: [tf.math.polyval([1.0, 2.0, 3.0], 2.0),
                           tf.math.polyval([], tf.constant(2.0)), tf.math.polyval([1, 2], 3),
                           tf.math.polyval([1.0, 2.0], tf.constant([1.0, -2.0]))],
    "zero_fraction": lambda tf: [tf.math.zero_fraction([0, 1, 0, 3]),
                                 tf.math.zero_fraction(c(tf, [0.0, 1.0])),
                                 tf.math.zero_fraction([]), tf.nn.zero_fraction([[0.0, 2.0]])],
    "cumlogsumexp": lambda tf: [
        tf.math.cumulative_logsumexp([0.0, 1.0, 2.0]),
        tf.math.cumulative_logsumexp([0.0, 1.0, 2.0], exclusive=True, reverse=True),
        tf.math.cumulative_logsumexp(c(tf, [[0.0, 1.0], [800.0, -800.0]]), axis=1),
        tf.math.cumulative_logsumexp(c(tf, [[0.0, 1.0], [800.0, -inf]]), axis=-1,
                                     exclusive=True)],
    "accumulate_n": lambda tf: tf.math.accumulate_n([[1.0, 2.0], [3.0, 4.0]]),
    "nextafter": lambda tf: [tf.math.nextafter(tf.constant([1.0, 0.0]), 2.0),
                             tf.math.nextafter(c(tf, [1.0, 0.0, nan]), c(tf, [0.0, -1.0, 1.0]))],
    "no_nan": lambda tf: [tf.math.multiply_no_nan(tf.constant([inf, nan, 2.0]),
                                                  tf.constant([0.0, 0.0, 3.0])),
                          tf.math.reciprocal_no_nan(tf.constant([0.0, 2.0]))],
    "xlog1py": lambda tf: [tf.math.xlog1py(tf.constant([0.0, 2.0, 0.0]),
                                           tf.constant([-1.0, 1.0, nan])),
                           tf.math.xlog1py(c(tf, [[1.0], [2.0]]), c(tf, [0.5, -2.0]))],
    "lbeta": lambda tf: [tf.math.lbeta(tf.constant([[1.0, 2.0], [3.0, 4.0]])),
                         tf.math.lbeta(tf.zeros([2, 0])), tf.math.lbeta(c(tf, [[0.5]]))],
}


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_values_match(tf_ref, name):
    _check(VALUE_CASES[name], tf_ref, rtol=1e-6, atol=1e-7)


def _grads(fn, *values, second=True):
    def case(tf):
        xs = [c(tf, v) for v in values]
        with tf.GradientTape() as outer:
            outer.watch(xs)
            with tf.GradientTape() as inner:
                inner.watch(xs)
                y = tf.reduce_sum(fn(tf, *xs))
            g = inner.gradient(y, xs)
            s = tf.add_n([tf.reduce_sum(v * v) for v in g if v is not None])
        return list(g) + (list(outer.gradient(s, xs)) if second else [])
    return case


GRAD_CASES = {
    "lgamma": (lambda tf, x: tf.math.lgamma(x), [0.3, 2.5, -1.5]),
    "digamma": (lambda tf, x: tf.math.digamma(x), [0.3, 2.5, -1.5]),
    "erfinv": (lambda tf, x: tf.math.erfinv(x), [-0.7, 0.1, 0.95]),
    "ndtri": (lambda tf, x: tf.math.ndtri(x), [0.01, 0.5, 0.8]),
    "erfcinv": (lambda tf, x: tf.math.erfcinv(x), [0.1, 1.0, 1.8]),
    "bessel_i0": (lambda tf, x: tf.math.bessel_i0(x), [-2.0, 0.5, 3.0]),
    "bessel_i0e": (lambda tf, x: tf.math.bessel_i0e(x), [-2.0, 0.5, 3.0]),
    "bessel_i1": (lambda tf, x: tf.math.bessel_i1(x), [-2.0, 0.5, 3.0]),
    "bessel_i1e": (lambda tf, x: tf.math.bessel_i1e(x), [-2.0, 0.5, 3.0]),
    "polygamma": (lambda tf, x: tf.math.polygamma(c(tf, [0.0, 1.0, 2.0]), x), [0.5, 1.5, 3.0]),
    "zeta": (lambda tf, q: tf.math.zeta(c(tf, [2.0, 3.5, 5.0]), q), [0.5, 1.5, 3.0]),
    "igamma_x": (lambda tf, x: tf.math.igamma(c(tf, [0.5, 2.0, 4.0]), x), [0.3, 1.5, 6.0]),
    "igammac_x": (lambda tf, x: tf.math.igammac(c(tf, [0.5, 2.0, 4.0]), x), [0.3, 1.5, 6.0]),
    "igamma_a": (lambda tf, a: tf.math.igamma(a, c(tf, [0.3, 1.5, 6.0, 40.0])),
                 [0.5, 2.0, 4.0, 30.0]),
    "igammac_a_x": (lambda tf, a, x: tf.math.igammac(a, x), [0.5, 2.0, 12.0], [0.3, 1.5, 6.0]),
    "betainc": (lambda tf, a, b, x: tf.math.betainc(a, b, x), [0.5, 2.0], [3.0, 1.5],
                [0.2, 0.9]),
    "lbeta": (lambda tf, x: tf.math.lbeta(x), [[0.5, 2.0], [3.0, 1.5]]),
    "xlog1py": (lambda tf, x, y: tf.math.xlog1py(x, y), [0.0, 2.0, -1.0], [0.5, 1.0, 3.0]),
    "mul_no_nan": (lambda tf, x, y: tf.math.multiply_no_nan(x, y), [1.0, 2.0, -1.0],
                   [0.0, 1.0, 3.0]),
    "reciprocal_no_nan": (lambda tf, x: tf.math.reciprocal_no_nan(x), [0.5, -2.0]),
    "cumlogsumexp": (lambda tf, x: tf.math.cumulative_logsumexp(x) * c(tf, [1.0, -2.0, 0.5]),
                     [0.5, -1.0, 2.0]),
    "cumlogsumexp_rev_excl": (lambda tf, x: tf.exp(tf.math.cumulative_logsumexp(
        x, exclusive=True, reverse=True)) * c(tf, [1.0, -2.0, 0.5]), [0.5, -1.0, 2.0]),
    "euclidean": (lambda tf, x: tf.math.reduce_euclidean_norm(x, axis=1),
                  [[1.0, 2.0], [3.0, -4.0]]),
    "polyval": (lambda tf, a, x: tf.math.polyval([a, c(tf, 2.0), a], x), [1.5, -1.0],
                [0.5, 2.0]),
    "nextafter": (lambda tf, x, y: tf.math.nextafter(x, y), [1.0, 2.0], [0.0, 3.0]),
    "confusion_weights": (lambda tf, w: tf.math.confusion_matrix(
        [0, 1, 1], [1, 1, 0], num_classes=2, weights=w, dtype=tf.float64) * c(
        tf, [[1.0, 2.0], [3.0, 4.0]]), [1.0, 2.0, 3.0]),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_first_and_second_gradients_match(tf_ref, name):
    fn, *values = GRAD_CASES[name]
    second = name not in _FIRST_ORDER_ONLY
    _check(_grads(fn, *values, second=second), tf_ref, rtol=1e-9, atol=1e-12)


# TF has no gradient for IgammaGradA (tapeflow raises NotImplementedError for d2/da2).
_FIRST_ORDER_ONLY = {"igamma_a", "igammac_a_x"}


def test_second_derivative_of_igamma_in_a_is_unavailable_in_both(tf_ref):
    def case(tf):
        a = c(tf, [2.0])
        with tf.GradientTape() as outer:
            outer.watch(a)
            with tf.GradientTape() as inner:
                inner.watch(a)
                y = tf.math.igamma(a, c(tf, [1.5]))
            g = inner.gradient(y, a)
        return outer.gradient(g, a)
    ours, theirs = _run(tft, case), _run(tf_ref, case)
    assert theirs[:2] == ("error", "LookupError"), theirs
    assert ours[:2] == ("error", "NotImplementedError"), ours

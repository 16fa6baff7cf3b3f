"""Op-table rows for special_math_ops.py and math_extra_ops.py.

Forward references here use only NumPy and the `math` module (scipy comparisons live in
tests/ops/test_special_math_ops.py). Inputs stay inside each function's smooth domain;
parameters TensorFlow gives no gradient (polygamma's order, zeta's exponent, betainc's a and
b) are held fixed through `grad_args`; igamma's `a` is checked to first order only.
"""

import math

import numpy as np

import tapeflow as tf
from tapeflow._src.ops.special_math_ops import _igamma_grad_a
from tests.helpers.op_specs import OpSpec, floats

_lgamma = np.vectorize(math.lgamma)
_erf = np.vectorize(math.erf)
_LABELS = np.array([0, 2, 1, 2], np.int32)
_PREDS = np.array([0, 1, 1, 2], np.int32)


def _logcumsumexp(x, axis=0, reverse=False):
    if reverse:
        return np.flip(np.logaddexp.accumulate(np.flip(x, axis), axis=axis), axis)
    return np.logaddexp.accumulate(x, axis=axis)


def _confusion_ref(w):
    out = np.zeros((3, 3))
    np.add.at(out, (_LABELS, _PREDS), w)
    return out


SPECS = [
    OpSpec("lgamma", tf.math.lgamma, _lgamma, [floats((2, 3), 0.3, 5.0)], grad_order=2,
           rtol=1e-12),
    OpSpec("lgamma_negative", tf.math.lgamma, _lgamma, [np.array([-0.5, -1.5, -2.7, -3.2])],
           grad_order=2, rtol=1e-12),
    OpSpec("digamma", tf.math.digamma, None, [floats((2, 3), 0.3, 5.0)], grad_order=2),
    OpSpec("digamma_negative", tf.math.digamma, None, [np.array([-0.5, -1.3, -2.6])],
           grad_order=2),
    OpSpec("erfinv", tf.math.erfinv, None, [floats((2, 3), -0.95, 0.95)], grad_order=2),
    OpSpec("erf_of_erfinv", lambda x: tf.math.erf(tf.math.erfinv(x)), lambda x: x,
           [floats((5,), -0.99, 0.99)], grad_order=2, rtol=1e-14),
    OpSpec("ndtri", tf.math.ndtri, None, [floats((2, 3), 0.05, 0.95)], grad_order=2),
    OpSpec("ndtri_inverts_cdf", lambda p: tf.math.erf(tf.math.ndtri(p) / math.sqrt(2.0)),
           lambda p: 2.0 * p - 1.0, [floats((5,), 0.01, 0.99)], grad_order=1, rtol=1e-13),
    OpSpec("erfcinv", tf.math.erfcinv, None, [floats((5,), 0.1, 1.9)], grad_order=2),
    OpSpec("bessel_i0", tf.math.bessel_i0, None, [floats((2, 3), -3.0, 3.0)], grad_order=2),
    OpSpec("bessel_i0e", tf.math.bessel_i0e, None, [floats((2, 3), -3.0, 3.0)], grad_order=2),
    OpSpec("bessel_i1", tf.math.bessel_i1, None, [floats((2, 3), -3.0, 3.0)], grad_order=2),
    OpSpec("bessel_i1e", tf.math.bessel_i1e, None, [floats((2, 3), -3.0, 3.0)], grad_order=2),
    OpSpec("igamma", tf.math.igamma, None,
           [floats((2, 3), 0.5, 3.0), floats((2, 3), 0.2, 5.0)], grad_args=[1], grad_order=2),
    OpSpec("igammac", tf.math.igammac, None,
           [floats((2, 3), 0.5, 3.0), floats((2, 3), 0.2, 5.0)], grad_args=[1], grad_order=2),
    OpSpec("igamma_wrt_a", tf.math.igamma, None,
           [floats((2, 3), 0.5, 3.0), floats((2, 3), 0.2, 5.0)], grad_args=[0]),
    OpSpec("igammac_wrt_a", tf.math.igammac, None,
           [floats((2, 3), 0.5, 3.0), floats((2, 3), 0.2, 5.0)], grad_args=[0]),
    # dP/da itself (the kernel behind igamma's a-gradient) is differentiable in x only.
    OpSpec("igamma_grad_a_wrt_x", _igamma_grad_a, None,
           [floats((2, 3), 0.5, 3.0), floats((2, 3), 0.2, 5.0)], grad_args=[1]),
    OpSpec("polygamma", tf.math.polygamma, None,
           [np.array([[0.0, 1.0, 2.0], [3.0, 1.0, 0.0]]), floats((2, 3), 0.4, 4.0)],
           grad_args=[1], grad_order=2),
    OpSpec("zeta", tf.math.zeta, None, [floats((2, 3), 1.5, 5.0), floats((2, 3), 0.3, 4.0)],
           grad_args=[1], grad_order=2),
    OpSpec("betainc", tf.math.betainc, None,
           [floats((5,), 0.5, 3.0), floats((5,), 0.5, 3.0), floats((5,), 0.05, 0.95)],
           grad_args=[2], grad_order=2),
    OpSpec("lbeta", tf.math.lbeta,
           lambda x: _lgamma(x).sum(-1) - _lgamma(x.sum(-1)),
           [floats((2, 3), 0.3, 4.0)], grad_order=2, rtol=1e-12),
    OpSpec("xlog1py", tf.math.xlog1py, lambda x, y: x * np.log1p(y),
           [floats((2, 3)), floats((3,), -0.5, 2.0)], grad_order=2),
    OpSpec("multiply_no_nan", tf.math.multiply_no_nan, np.multiply,
           [floats((2, 3)), floats((3,))], grad_order=2),
    OpSpec("reciprocal_no_nan", tf.math.reciprocal_no_nan, np.reciprocal,
           [floats((4,), 0.5, 2.0)], grad_order=2),
    OpSpec("nextafter", tf.math.nextafter, np.nextafter, [floats((4,)), floats((4,))],
           grad_order=2),
    OpSpec("cumulative_logsumexp", lambda x: tf.math.cumulative_logsumexp(x, axis=1),
           lambda x: _logcumsumexp(x, axis=1), [floats((2, 4), -3.0, 3.0)], grad_order=2),
    OpSpec("cumulative_logsumexp_reverse",
           lambda x: tf.math.cumulative_logsumexp(x, reverse=True),
           lambda x: _logcumsumexp(x, reverse=True), [floats((4, 2), -3.0, 3.0)],
           grad_order=2),
    OpSpec("cumulative_logsumexp_exclusive",
           lambda x: tf.exp(tf.math.cumulative_logsumexp(x, exclusive=True)),
           lambda x: np.concatenate([[0.0], np.cumsum(np.exp(x))[:-1]]),
           [floats((5,), -3.0, 3.0)], grad_order=2),
    OpSpec("reduce_euclidean_norm", lambda x: tf.math.reduce_euclidean_norm(x, axis=1),
           lambda x: np.sqrt((x * x).sum(1)), [floats((2, 3))], grad_order=2),
    OpSpec("polyval", lambda a, b, x: tf.math.polyval([a, b, tf.constant(2.0, tf.float64)], x),
           lambda a, b, x: a * x * x + b * x + 2.0,
           [floats((3,)), floats((3,)), floats((3,))], grad_order=2),
    OpSpec("confusion_matrix_weights",
           lambda w: tf.math.confusion_matrix(_LABELS, _PREDS, num_classes=3, weights=w,
                                              dtype=tf.float64),
           _confusion_ref, [floats((4,))], grad_order=2),
]

"""Op-table rows for the math, reduction, cumulative, clip, top_k and segment ops.

Every differentiable primitive of those families has a row here (or in specs_core.py);
inputs stay off kinks and branch cuts so finite differences are valid. Complex ops are
checked through real-valued composites (complex -> op -> real/imag parts), which is exactly
where TensorFlow's conjugate gradient convention has to be right.
"""

import math

import numpy as np

import tapeflow as tf
from tests.helpers.op_specs import OpSpec, floats, positive

_erf = np.vectorize(math.erf)
IDS = np.array([0, 0, 2, 3, 3], np.int32)          # sorted, segment 1 empty
UIDS = np.array([2, -1, 0, 2, 1], np.int64)        # unsorted, one dropped row


def _np_segment(kind, x, ids, num):
    out = np.zeros((num,) + x.shape[1:])
    for s in range(num):
        rows = x[ids == s]
        if len(rows):
            out[s] = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}[kind](
                rows, axis=0)
        elif kind == "max":
            out[s] = np.finfo(x.dtype).min
        elif kind == "min":
            out[s] = np.finfo(x.dtype).max
    return out


def _sorted_segment(kind):
    def ref(x):
        out = _np_segment(kind, x, IDS, 4)
        out[1] = 0  # sorted ops leave empty segments at 0
        return out
    return ref


def _complex_parts(fn):
    """A real function of (re, im): both parts of fn(complex(re, im))."""
    def f(re, im):
        z = fn(tf.complex(re, im))
        return [tf.math.real(z), tf.math.imag(z)]
    return f


def _complex_ref(np_fn):
    def ref(re, im):
        z = np_fn(re + 1j * im)
        return [np.real(z), np.imag(z)]
    return ref


def _topk_ref(x, k=2):
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, -1)


def _complex_div_pow(a, b, c, d):
    x, y = tf.complex(a, b), tf.complex(c, d)
    w = tf.pow(x, y) / y
    return [tf.math.real(w), tf.math.imag(w)]


def _complex_div_pow_ref(a, b, c, d):
    x, y = a + 1j * b, c + 1j * d
    w = x ** y / y
    return [np.real(w), np.imag(w)]


_C = tf.constant(np.array([0.5 - 1.5j, 2.0 + 0.25j, -1.0 + 1.0j]))

SPECS = [
    # Unary element-wise
    OpSpec("negative", tf.negative, np.negative, [floats((2, 3))], grad_order=2),
    OpSpec("abs", tf.abs, np.abs, [np.array([-1.5, -0.3, 0.4, 2.0])], grad_order=2),
    OpSpec("sign", tf.sign, np.sign, [np.array([-1.5, 0.4, 2.0])], grad_order=2),
    OpSpec("sqrt", tf.sqrt, np.sqrt, [positive((2, 3))], grad_order=2),
    OpSpec("rsqrt", tf.math.rsqrt, lambda x: 1 / np.sqrt(x), [positive((4,))], grad_order=2),
    OpSpec("expm1", tf.math.expm1, np.expm1, [floats((4,))], grad_order=2),
    OpSpec("log1p", tf.math.log1p, np.log1p, [floats((4,), -0.5, 2.0)], grad_order=2),
    OpSpec("sin", tf.sin, np.sin, [floats((4,))], grad_order=2),
    OpSpec("cos", tf.cos, np.cos, [floats((4,))], grad_order=2),
    OpSpec("tan", tf.tan, np.tan, [floats((4,), -1.0, 1.0)], grad_order=2),
    OpSpec("asin", tf.asin, np.arcsin, [floats((4,), -0.8, 0.8)], grad_order=2),
    OpSpec("acos", tf.acos, np.arccos, [floats((4,), -0.8, 0.8)], grad_order=2),
    OpSpec("atan", tf.atan, np.arctan, [floats((4,))], grad_order=2),
    OpSpec("sinh", tf.sinh, np.sinh, [floats((4,))], grad_order=2),
    OpSpec("cosh", tf.cosh, np.cosh, [floats((4,))], grad_order=2),
    OpSpec("asinh", tf.asinh, np.arcsinh, [floats((4,))], grad_order=2),
    OpSpec("acosh", tf.acosh, np.arccosh, [floats((4,), 1.2, 3.0)], grad_order=2),
    OpSpec("atanh", tf.atanh, np.arctanh, [floats((4,), -0.8, 0.8)], grad_order=2),
    OpSpec("erf", tf.math.erf, _erf, [floats((4,))], grad_order=2),
    OpSpec("reciprocal", tf.math.reciprocal, np.reciprocal, [positive((4,))], grad_order=2),
    # Binary element-wise
    OpSpec("atan2", tf.math.atan2, np.arctan2, [floats((3,)), positive((2, 3))],
           grad_order=2),
    OpSpec("squared_difference", tf.math.squared_difference, lambda x, y: (x - y) ** 2,
           [floats((2, 3)), floats((3,))], grad_order=2),
    OpSpec("maximum", tf.maximum, np.maximum, [floats((2, 3)), floats((3,), -1.9, 1.9)],
           grad_order=2),
    OpSpec("minimum", tf.minimum, np.minimum, [floats((2, 3)), floats((3,), -1.9, 1.9)],
           grad_order=2),
    OpSpec("floormod", tf.math.floormod, np.mod,
           [np.array([5.3, -2.6, 7.1]), np.array([2.0, 1.5, -3.0])], grad_order=2),
    OpSpec("divide_no_nan", tf.math.divide_no_nan, np.true_divide,
           [floats((2, 3)), positive((3,))], grad_order=2),
    OpSpec("xlogy", tf.math.xlogy, lambda x, y: x * np.log(y), [floats((3,)), positive((3,))],
           grad_order=2),
    OpSpec("xdivy", tf.math.xdivy, lambda x, y: x / y, [floats((3,)), positive((3,))],
           grad_order=2),
    OpSpec("add_n", lambda a, b, c: tf.add_n([a, b, c]), lambda a, b, c: a + b + c,
           [floats((2, 2)), floats((2, 2), -1.0), floats((2, 2), 0.0)], grad_order=2),
    OpSpec("cast", lambda x: tf.math.real(tf.cast(x, tf.complex128) * _C),
           lambda x: np.real(x * _C.numpy()), [floats((3,))], grad_order=2),
    # Complex parts, through real composites
    OpSpec("complex_real_imag", _complex_parts(lambda z: z * _C),
           _complex_ref(lambda z: z * _C.numpy()), [floats((3,)), floats((3,))],
           grad_order=2),
    OpSpec("conj", _complex_parts(lambda z: tf.math.conj(z) * _C),
           _complex_ref(lambda z: np.conj(z) * _C.numpy()), [floats((3,)), floats((3,))],
           grad_order=2),
    OpSpec("angle", lambda re, im: tf.math.angle(tf.complex(re, im)),
           lambda re, im: np.angle(re + 1j * im), [positive((3,)), floats((3,))],
           grad_order=2),
    OpSpec("complex_abs", lambda re, im: tf.abs(tf.complex(re, im)),
           lambda re, im: np.abs(re + 1j * im), [positive((3,)), floats((3,))], grad_order=2),
    OpSpec("complex_exp_log", _complex_parts(lambda z: tf.math.log(tf.exp(z) + 3.0)),
           _complex_ref(lambda z: np.log(np.exp(z) + 3.0)), [floats((3,), -1, 1),
                                                             floats((3,), -1, 1)],
           grad_order=2),
    OpSpec("complex_inverse_trig",
           _complex_parts(lambda z: tf.asin(z) + tf.acos(z) * 2.0 + tf.atan(z) * 3.0),
           _complex_ref(lambda z: np.arcsin(z) + np.arccos(z) * 2.0 + np.arctan(z) * 3.0),
           [floats((3,), 0.1, 0.6), floats((3,), 0.1, 0.6)], grad_order=2),
    OpSpec("complex_inverse_hyperbolic",
           _complex_parts(lambda z: tf.asinh(z) + tf.acosh(z + 2.0) * 2.0 + tf.atanh(z) * 3.0),
           _complex_ref(lambda z: np.arcsinh(z) + np.arccosh(z + 2.0) * 2.0
                        + np.arctanh(z) * 3.0),
           [floats((3,), 0.1, 0.6), floats((3,), 0.1, 0.6)], grad_order=2),
    OpSpec("complex_sqrt_rsqrt_recip",
           _complex_parts(lambda z: tf.sqrt(z) + tf.math.rsqrt(z) + tf.math.reciprocal(z)),
           _complex_ref(lambda z: np.sqrt(z) + 1 / np.sqrt(z) + 1 / z),
           [positive((3,)), floats((3,), -1, 1)], grad_order=2),
    OpSpec("complex_trig",
           _complex_parts(lambda z: tf.sin(z) * tf.cos(z) + tf.tan(z) + tf.tanh(z)
                          + tf.sinh(z) * tf.cosh(z) + tf.sigmoid(z) + tf.math.expm1(z)
                          + tf.math.log1p(z) + tf.square(z)),
           _complex_ref(lambda z: np.sin(z) * np.cos(z) + np.tan(z) + np.tanh(z)
                        + np.sinh(z) * np.cosh(z) + 1 / (1 + np.exp(-z)) + np.expm1(z)
                        + np.log1p(z) + z * z),
           [floats((3,), -0.5, 0.5), floats((3,), -0.5, 0.5)], grad_order=2),
    OpSpec("complex_div_pow", _complex_div_pow, _complex_div_pow_ref,
           [positive((3,)), floats((3,), -0.5, 0.5), positive((3,)), floats((3,), -0.5, 0.5)],
           grad_order=2),
    # |z - c|**2 is real, so only its real part carries a cotangent (TensorFlow's rule
    # 2 * dy * (x - y) assumes a real dy).
    OpSpec("complex_squared_difference",
           lambda re, im: tf.math.real(tf.math.squared_difference(tf.complex(re, im), _C)),
           lambda re, im: np.abs(re + 1j * im - _C.numpy()) ** 2,
           [positive((3,)), floats((3,))], grad_order=2),
    # Reductions
    OpSpec("reduce_max", lambda x: tf.reduce_max(x, axis=1), lambda x: np.max(x, axis=1),
           [floats((3, 4))], grad_order=2),
    OpSpec("reduce_min", lambda x: tf.reduce_min(x, axis=[0], keepdims=True),
           lambda x: np.min(x, axis=0, keepdims=True), [floats((3, 4))], grad_order=2),
    OpSpec("reduce_prod", lambda x: tf.reduce_prod(x, axis=-1), lambda x: np.prod(x, axis=-1),
           [floats((2, 3))], grad_order=2),
    OpSpec("reduce_prod_all", tf.reduce_prod, np.prod, [floats((2, 2))], grad_order=2),
    OpSpec("reduce_logsumexp", lambda x: tf.reduce_logsumexp(x, axis=1),
           lambda x: np.log(np.sum(np.exp(x), axis=1)), [floats((2, 4))], grad_order=2),
    OpSpec("reduce_variance", lambda x: tf.math.reduce_variance(x, axis=0),
           lambda x: np.var(x, axis=0), [floats((4, 3))], grad_order=2),
    OpSpec("reduce_std", lambda x: tf.math.reduce_std(x, axis=-1, keepdims=True),
           lambda x: np.std(x, axis=-1, keepdims=True), [floats((2, 5))], grad_order=2),
    # Cumulative
    OpSpec("cumsum", lambda x: tf.cumsum(x, axis=1, exclusive=True),
           lambda x: np.cumsum(x, axis=1) - x, [floats((2, 4))], grad_order=2),
    OpSpec("cumprod", lambda x: tf.math.cumprod(x, reverse=True),
           lambda x: np.cumprod(x[::-1], axis=0)[::-1], [floats((4, 2), 0.5, 2.0)],
           grad_order=2),
    # Clipping (composites; inputs away from the bounds)
    OpSpec("clip_by_value", lambda x: tf.clip_by_value(x, -1.0, 1.0),
           lambda x: np.clip(x, -1.0, 1.0), [np.array([-1.7, -0.4, 0.3, 0.9, 1.6])],
           grad_order=2),
    OpSpec("clip_by_norm", lambda x: tf.clip_by_norm(x, 1.5, axes=[1]),
           lambda x: x * 1.5 / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1.5),
           [np.array([[3.0, -4.0, 1.0], [0.2, 0.3, -0.1]])], grad_order=2),
    # top_k
    OpSpec("top_k", lambda x: tf.math.top_k(x, k=2).values, _topk_ref, [floats((3, 5))],
           grad_order=2),
    # Segment ops
    OpSpec("segment_sum", lambda x: tf.math.segment_sum(x, IDS), _sorted_segment("sum"),
           [floats((5, 2))], grad_order=2),
    OpSpec("segment_mean", lambda x: tf.math.segment_mean(x, IDS), _sorted_segment("mean"),
           [floats((5, 2))], grad_order=2),
    OpSpec("segment_max", lambda x: tf.math.segment_max(x, IDS), _sorted_segment("max"),
           [floats((5, 2))], grad_order=2),
    OpSpec("segment_min", lambda x: tf.math.segment_min(x, IDS), _sorted_segment("min"),
           [floats((5, 2))], grad_order=2),
    OpSpec("unsorted_segment_sum", lambda x: tf.math.unsorted_segment_sum(x, UIDS, 4),
           lambda x: _np_segment("sum", x, UIDS, 4), [floats((5, 3))], grad_order=2),
    OpSpec("unsorted_segment_max", lambda x: tf.math.unsorted_segment_max(x, UIDS, 3),
           lambda x: _np_segment("max", x, UIDS, 3), [floats((5, 3))], grad_order=2),
    OpSpec("unsorted_segment_min", lambda x: tf.math.unsorted_segment_min(x, UIDS, 3),
           lambda x: _np_segment("min", x, UIDS, 3), [floats((5, 3))], grad_order=2),
    OpSpec("unsorted_segment_mean", lambda x: tf.math.unsorted_segment_mean(x, UIDS, 4),
           lambda x: _np_segment("mean", x, UIDS, 4), [floats((5, 3))], grad_order=2),
    OpSpec("unsorted_segment_sqrt_n", lambda x: tf.math.unsorted_segment_sqrt_n(x, UIDS, 3),
           lambda x: _np_segment("sum", x, UIDS, 3)
           / np.sqrt(np.maximum(np.bincount(UIDS[UIDS >= 0], minlength=3), 1))[:, None],
           [floats((5, 3))], grad_order=2),
]

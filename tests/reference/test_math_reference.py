"""Differential tests of the math and reduction families against real TensorFlow 2.21:
values, dtypes, shapes, gradients (first and second order, real and complex) and
exception types and messages.

Each case is a function of the module (`tf` = tapeflow or tensorflow) run on both sides.
Messages are compared after dropping TF's "{{function_node ...}}" kernel prefix, and for
"not in the list of allowed values" errors only up to that phrase (TF also lists its
quantized and bfloat16 types, which tapeflow does not have).
"""

import re

import numpy as np
import pytest

import tapeflow as tft

nan, inf = float("nan"), float("inf")
RNG = np.random.default_rng(7)
X = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)


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
                   if hasattr(v, "numpy") else v for v in _leaves(r)])


def _message(text):
    text = re.sub(r"^\{\{function_node [^}]*\}\} ", "", text)
    text = text.split("\nAll kernels registered")[0]  # TF lists its device kernels
    cut = text.find("is not in the list of allowed values")
    return text[:cut] if cut >= 0 else text


def _check(case, tf_ref, rtol=1e-6, atol=1e-7):
    ours, theirs = _run(tft, case), _run(tf_ref, case)
    if theirs[0] == "error":
        assert ours[0] == "error", f"TF raised {theirs[1]}: {theirs[2]!r}; tapeflow returned"
        assert ours[1] == theirs[1], (ours, theirs)
        assert _message(ours[2]) == _message(theirs[2]), (ours[2], theirs[2])
        return
    assert ours[0] == "ok", f"tapeflow raised {ours[1]}: {ours[2]}"
    assert len(ours[1]) == len(theirs[1])
    for a, b in zip(ours[1], theirs[1]):
        if b is None or not isinstance(b, tuple):
            assert a == b
            continue
        assert a[0] == b[0] and a[1] == b[1], (a, b)
        if a[2].dtype.kind in "OSU":
            assert a[2].tolist() == b[2].tolist()
        elif a[2].dtype.kind in "iub":
            np.testing.assert_array_equal(a[2], b[2])
        else:
            np.testing.assert_allclose(a[2], b[2], rtol=rtol, atol=atol, equal_nan=True)


def _c(tf, x, dtype=None):
    return tf.constant(x, dtype=dtype) if dtype is not None else tf.constant(x)


# ---------------------------------------------------------------------------------------
# Forward values, dtypes and errors
# ---------------------------------------------------------------------------------------

FORWARD = {
    "add_broadcast": lambda tf: tf.add(_c(tf, [[1, 2, 3]]), _c(tf, [[10], [20]])),
    "add_strings": lambda tf: tf.add(_c(tf, ["a"]), _c(tf, ["b"])),
    "add_bad_shapes": lambda tf: tf.add(_c(tf, [1, 2]), _c(tf, [1, 2, 3])),
    "add_dtype_mismatch": lambda tf: tf.add(_c(tf, [1]), _c(tf, [1.0])),
    "add_bool": lambda tf: tf.add(_c(tf, [True]), _c(tf, [True])),
    "add_python": lambda tf: tf.add(2, 3.5),
    "sub_uint8_wraps": lambda tf: tf.subtract(_c(tf, [1], tf.uint8), _c(tf, [2], tf.uint8)),
    "mul_bad_shapes": lambda tf: tf.multiply(_c(tf, [[1, 2]]), _c(tf, [1, 2, 3])),
    "truediv_int32": lambda tf: tf.math.truediv(_c(tf, [1, 2]), _c(tf, [2, 0])),
    "truediv_int8": lambda tf: tf.math.truediv(_c(tf, [1], tf.int8), _c(tf, [2], tf.int8)),
    "truediv_uint16": lambda tf: tf.math.truediv(_c(tf, [7], tf.uint16),
                                                 _c(tf, [2], tf.uint16)),
    "truediv_bool": lambda tf: tf.math.truediv(_c(tf, [True]), _c(tf, [True])),
    "divide_python": lambda tf: tf.divide(3, 2),
    "operator_div_int": lambda tf: _c(tf, [3]) / _c(tf, [2]),
    "floordiv_int_zero": lambda tf: tf.math.floordiv(_c(tf, [3]), _c(tf, [0])),
    "floormod_int_zero": lambda tf: tf.math.floormod(_c(tf, [3]), _c(tf, [0])),
    "floordiv_float_zero": lambda tf: tf.math.floordiv(_c(tf, [3.0, -3.0, 0.0]),
                                                       _c(tf, [0.0, 0.0, 0.0])),
    "floormod_float": lambda tf: tf.math.floormod(_c(tf, [3.0, -3.0, 5.0]),
                                                  _c(tf, [0.0, 2.0, -3.0])),
    "floormod_int_signs": lambda tf: tf.math.floormod(_c(tf, [-7, 7]), _c(tf, [3, -3])),
    "floordiv_int_min": lambda tf: tf.math.floordiv(_c(tf, [-2**31]), _c(tf, [-1])),
    "truncatediv": lambda tf: tf.truncatediv(_c(tf, [-7, 7]), _c(tf, [2, -2])),
    "truncatemod": lambda tf: tf.truncatemod(_c(tf, [-7, 7]), _c(tf, [2, -2])),
    "truncatemod_float": lambda tf: tf.truncatemod(_c(tf, [-7.5, 7.5]), _c(tf, [2.0, -2.0])),
    "pow_int": lambda tf: tf.pow(_c(tf, [2, 3]), _c(tf, [3, 0])),
    "pow_int_negative": lambda tf: tf.pow(_c(tf, [2]), _c(tf, [-1])),
    "pow_uint8": lambda tf: tf.pow(_c(tf, [2], tf.uint8), _c(tf, [3], tf.uint8)),
    "pow_float_negative_base": lambda tf: tf.pow(_c(tf, [-8.0]), _c(tf, [1 / 3])),
    "negative_uint8": lambda tf: tf.negative(_c(tf, [1], tf.uint8)),
    "negative_int8_min": lambda tf: tf.negative(_c(tf, [-128], tf.int8)),
    "abs_int_min": lambda tf: tf.abs(_c(tf, [-2**31])),
    "abs_complex": lambda tf: tf.abs(_c(tf, [3 + 4j], tf.complex64)),
    "abs_uint8": lambda tf: tf.abs(_c(tf, [1], tf.uint8)),
    "sign_float": lambda tf: tf.sign(_c(tf, [nan, -0.0, 0.0, -2.5])),
    "sign_int": lambda tf: tf.sign(_c(tf, [-3, 0, 2])),
    "sign_complex": lambda tf: tf.sign(_c(tf, [3 + 4j, 0j])),
    "square_uint8": lambda tf: tf.square(_c(tf, [20], tf.uint8)),
    "square_bool": lambda tf: tf.square(_c(tf, [True])),
    "sqrt_int": lambda tf: tf.sqrt(_c(tf, [4])),
    "sqrt_negative": lambda tf: tf.sqrt(_c(tf, [-1.0])),
    "sqrt_complex": lambda tf: tf.sqrt(_c(tf, [-1 + 0j])),
    "rsqrt_zero": lambda tf: tf.math.rsqrt(_c(tf, [0.0, -1.0, 4.0])),
    "exp_f16": lambda tf: tf.exp(_c(tf, [1.0], tf.float16)),
    "exp_int": lambda tf: tf.exp(_c(tf, [1])),
    "expm1": lambda tf: tf.math.expm1(_c(tf, [1e-8, 100.0, -1.0])),
    "log_edges": lambda tf: tf.math.log(_c(tf, [0.0, -1.0, 1.0])),
    "log1p_edges": lambda tf: tf.math.log1p(_c(tf, [-1.0, -2.0, 1e-8])),
    "trig": lambda tf: [f(_c(tf, [0.3, -1.2])) for f in (tf.sin, tf.cos, tf.tan, tf.atan,
                                                          tf.sinh, tf.cosh, tf.tanh,
                                                          tf.asinh)],
    "inverse_trig_edges": lambda tf: [tf.asin(_c(tf, [2.0, 0.5])), tf.acos(_c(tf, [2.0, 0.5])),
                                      tf.math.acosh(_c(tf, [0.5, 2.0])),
                                      tf.math.atanh(_c(tf, [1.0, 2.0, 0.5]))],
    "atan2": lambda tf: tf.math.atan2(_c(tf, [1.0, -1.0, 0.0]), _c(tf, [-1.0, -1.0, -1.0])),
    "atan2_int": lambda tf: tf.math.atan2(_c(tf, [1]), _c(tf, [1])),
    "sigmoid_saturation": lambda tf: tf.sigmoid(_c(tf, [-1000.0, 0.0, 1000.0])),
    "sigmoid_f16": lambda tf: tf.sigmoid(_c(tf, [-20.0, 20.0], tf.float16)),
    "sigmoid_int": lambda tf: tf.sigmoid(_c(tf, [1])),
    "erf": lambda tf: [tf.math.erf(_c(tf, [0.5, -2.0], tf.float64)),
                       tf.math.erf(_c(tf, [0.5], tf.float16)), tf.math.erfc(_c(tf, [10.0]))],
    "erf_complex": lambda tf: tf.math.erf(_c(tf, [0.5 + 0j])),
    "floor_ceil": lambda tf: [tf.floor(_c(tf, [-1.5, 2.5])), tf.math.ceil(_c(tf, [-1.5, 2.5]))],
    "floor_int": lambda tf: tf.floor(_c(tf, [1])),
    "round_half_even": lambda tf: tf.round(_c(tf, [0.5, 1.5, 2.5, -0.5, -1.5, 2.6])),
    "round_int": lambda tf: tf.round(_c(tf, [3], tf.uint8)),
    "rint": lambda tf: tf.math.rint(_c(tf, [0.5, 1.5, -2.5])),
    "maximum_nan": lambda tf: tf.maximum(_c(tf, [nan, 1.0]), _c(tf, [1.0, nan])),
    "minimum_nan": lambda tf: tf.minimum(_c(tf, [nan, 1.0]), _c(tf, [1.0, nan])),
    "maximum_bool": lambda tf: tf.maximum(_c(tf, [True]), _c(tf, [False])),
    "maximum_uint8": lambda tf: tf.maximum(_c(tf, [1], tf.uint8), _c(tf, [2], tf.uint8)),
    "reciprocal": lambda tf: tf.math.reciprocal(_c(tf, [0.0, 2.0])),
    "squared_difference": lambda tf: [
        tf.math.squared_difference(_c(tf, [2]), _c(tf, [5])),
        tf.math.squared_difference(_c(tf, [1 + 2j]), _c(tf, [0j]))],
    "xlogy_xdivy": lambda tf: [tf.math.xlogy(_c(tf, [0.0, 0.0, 1.0]), _c(tf, [0.0, -1.0, 0.0])),
                               tf.math.xdivy(_c(tf, [0.0, 1.0]), _c(tf, [0.0, 0.0]))],
    "xlogy_complex": lambda tf: tf.math.xlogy(_c(tf, [0j, 1 + 1j]), _c(tf, [0j, 2j])),
    "xlogy_int": lambda tf: tf.math.xlogy(_c(tf, [1]), _c(tf, [1])),
    "divide_no_nan": lambda tf: tf.math.divide_no_nan(_c(tf, [1.0, 0.0, nan, 1.0]),
                                                      _c(tf, [0.0, 0.0, 0.0, nan])),
    "divide_no_nan_int": lambda tf: [
        tf.math.divide_no_nan(_c(tf, [1]), _c(tf, [0])),
        tf.math.divide_no_nan(_c(tf, [1], tf.int8), _c(tf, [0], tf.int8))],
    "add_n": lambda tf: [tf.add_n([[1, 2], [3, 4]]), tf.add_n([_c(tf, [1.0, 2.0])]),
                         tf.add_n([1, 2]), tf.add_n(_c(tf, [1.0, 2.0]))],
    "add_n_empty": lambda tf: tf.add_n([]),
    "add_n_shapes": lambda tf: tf.add_n([_c(tf, [1.0, 2.0]), _c(tf, [1.0])]),
    "add_n_broadcast": lambda tf: tf.add_n([_c(tf, [1.0, 2.0]), _c(tf, 1.0)]),
    "add_n_dtypes": lambda tf: tf.add_n([_c(tf, [1.0, 2.0]), _c(tf, [1, 2])]),
    "comparisons": lambda tf: [f(_c(tf, [1, 2, 3]), _c(tf, [2, 2, 2])) for f in (
        tf.equal, tf.not_equal, tf.less, tf.less_equal, tf.greater, tf.greater_equal)],
    "equal_strings": lambda tf: tf.equal(_c(tf, ["a", "b"]), _c(tf, ["a", "c"])),
    "equal_bad_shapes": lambda tf: tf.equal(_c(tf, [1, 2]), _c(tf, [1, 2, 3])),
    "equal_dtype_mismatch": lambda tf: tf.equal(_c(tf, [1]), _c(tf, [1.0])),
    "less_bool": lambda tf: tf.less(_c(tf, [True]), _c(tf, [False])),
    "less_complex": lambda tf: tf.less(_c(tf, [1j]), _c(tf, [1j])),
    "logical": lambda tf: [f(_c(tf, [True, True, False]), _c(tf, [True, False, False]))
                           for f in (tf.logical_and, tf.logical_or, tf.math.logical_xor)]
    + [tf.logical_not(_c(tf, [True, False]))],
    "logical_and_int": lambda tf: tf.logical_and(_c(tf, [1]), _c(tf, [1])),
    "logical_xor_int": lambda tf: tf.math.logical_xor(_c(tf, [1]), _c(tf, [1])),
    "logical_not_int": lambda tf: tf.logical_not(_c(tf, [1])),
    "is_nan_inf_finite": lambda tf: [f(_c(tf, [inf, -inf, nan, 1.0])) for f in (
        tf.math.is_nan, tf.math.is_inf, tf.math.is_finite)],
    "is_nan_int": lambda tf: tf.math.is_nan(_c(tf, [1])),
    "bitwise": lambda tf: [tf.bitwise.bitwise_and(_c(tf, [12]), 10),
                           tf.bitwise.bitwise_or(12, _c(tf, [10])),
                           tf.bitwise.bitwise_xor(_c(tf, [12]), 10),
                           tf.bitwise.invert(_c(tf, [12], tf.uint8)),
                           tf.bitwise.invert(_c(tf, [12], tf.int16))],
    "shifts": lambda tf: [tf.bitwise.left_shift(_c(tf, [1, 1, 1, -8], tf.int8),
                                                _c(tf, [3, 7, 9, 1], tf.int8)),
                          tf.bitwise.right_shift(_c(tf, [-8, 8, 8], tf.int8),
                                                 _c(tf, [1, 9, -1], tf.int8)),
                          tf.bitwise.left_shift(_c(tf, [1], tf.uint32), _c(tf, [40], tf.uint32))],
    "bitwise_float": lambda tf: tf.bitwise.bitwise_and(_c(tf, [1.0]), _c(tf, [1.0])),
    "complex_parts": lambda tf: [tf.math.real(_c(tf, [3 + 4j])), tf.math.imag(_c(tf, [3 + 4j])),
                                 tf.math.conj(_c(tf, [3 + 4j])), tf.math.angle(_c(tf, [3 + 4j])),
                                 tf.math.angle(_c(tf, [-1.0, 2.0])),
                                 tf.math.real(_c(tf, [-1, 2])), tf.math.imag(_c(tf, [-1.0])),
                                 tf.math.imag(_c(tf, [-1, 2])), tf.math.conj(_c(tf, [-1, 2]))],
    "angle_int": lambda tf: tf.math.angle(_c(tf, [-1, 2])),
    "conj_string": lambda tf: tf.math.conj(_c(tf, ["a"])),
    "cast": lambda tf: [tf.cast(_c(tf, [1.7, -1.7, 1e10]), tf.int32),
                        tf.cast(_c(tf, [300.0, -1.0]), tf.uint8),
                        tf.cast(_c(tf, [1 + 2j]), tf.float32),
                        tf.cast(_c(tf, [True]), tf.float32),
                        tf.cast(_c(tf, [0.5, 0.0]), tf.bool),
                        tf.cast(_c(tf, [-1, 300]), tf.uint8)],
    "cast_from_string": lambda tf: tf.cast(_c(tf, ["1"]), tf.int32),
    "cast_to_string": lambda tf: tf.cast(_c(tf, 1), tf.string),
    "saturate_cast": lambda tf: [
        tf.dtypes.saturate_cast(_c(tf, [300.0, -5.0, inf]), tf.uint8),
        tf.dtypes.saturate_cast(_c(tf, [300, -5]), tf.uint8),
        tf.dtypes.saturate_cast(_c(tf, [3e9, -3e9]), tf.int32),
        tf.dtypes.saturate_cast(_c(tf, [1e30, -1e30], tf.float64), tf.int64),
        tf.dtypes.saturate_cast(_c(tf, [200], tf.uint8), tf.int8),
        tf.dtypes.saturate_cast(_c(tf, [1e6, -1e6]), tf.float16),
        tf.dtypes.saturate_cast(_c(tf, [100000], tf.int64), tf.float16),
        tf.dtypes.saturate_cast(_c(tf, [3 + 1j]), tf.float32),
        tf.dtypes.saturate_cast(_c(tf, [300 + 1j]), tf.uint8),
        tf.dtypes.saturate_cast(_c(tf, [1.5]), tf.complex64),
        tf.saturate_cast(_c(tf, [-1.0, 70000.0]), tf.uint16)],
    "clip_by_value": lambda tf: [
        tf.clip_by_value(_c(tf, [-1.0, 0.0, 0.5, 1.0, 2.0]), 0.0, 1.0),
        tf.clip_by_value(_c(tf, [1, 5, 9]), 2, 6),
        tf.clip_by_value(_c(tf, [1.0, 5.0]), 6.0, 2.0),
        tf.clip_by_value([1.0, 5.0], 2, 3),
        tf.clip_by_value(_c(tf, [nan, 1.0]), 0.0, 0.5),
        tf.clip_by_value(_c(tf, [[1.0, 5.0], [3.0, -2.0]]), [0.0, 4.0], 4.5)],
    "clip_by_value_bad_shapes": lambda tf: tf.clip_by_value(_c(tf, [1.0, 5.0]),
                                                            [0.0, 1.0, 2.0], 3.0),
    "clip_by_value_growing_shape": lambda tf: tf.clip_by_value(_c(tf, [1.0, 5.0]),
                                                               [[0.0], [1.0]], 3.0),
    "clip_by_value_float_bound_on_int": lambda tf: tf.clip_by_value(_c(tf, [1, 5]), 2.5, 3),
    "clip_by_norm": lambda tf: [
        tf.clip_by_norm(_c(tf, [3.0, 4.0]), 1.0),
        tf.clip_by_norm(_c(tf, [[3.0, 4.0], [0.3, 0.4]]), 1.0, axes=[1]),
        tf.clip_by_norm(_c(tf, [0.0, 0.0]), 1.0),
        tf.clip_by_norm(_c(tf, [3.0, 4.0]), -1.0),
        tf.clip_by_norm(_c(tf, [3.0, 4.0]), _c(tf, -2.0)),
        tf.clip_by_norm(_c(tf, [[3.0, 4.0]], tf.float64), 2.0, axes=0)],
    "clip_by_norm_int": lambda tf: tf.clip_by_norm(_c(tf, [3, 4]), 1),
    "clip_by_value_mixed_bounds": lambda tf: tf.clip_by_value(_c(tf, [1.0, 5.0]),
                                                              _c(tf, 2, tf.int32), 3.0),
    "clip_by_value_tensor_bounds": lambda tf: tf.clip_by_value(_c(tf, [1.0, 5.0]), _c(tf, 2.0),
                                                               _c(tf, 3.0)),
    "clip_by_value_variable": lambda tf: tf.clip_by_value(tf.Variable([1.0, 5.0]), 2.0, 3.0),
    "clip_by_norm_int_tensor_norm": lambda tf: tf.clip_by_norm(_c(tf, [3.0, 4.0]), _c(tf, 1)),
    "reciprocal_int": lambda tf: tf.math.reciprocal(_c(tf, [2])),
    "reciprocal_uint8": lambda tf: tf.math.reciprocal(_c(tf, [2], tf.uint8)),
    "round_complex": lambda tf: tf.round(_c(tf, [1.5 + 0.5j])),
    "round_bool": lambda tf: tf.round(_c(tf, [True])),
    "round_ints_pass_through": lambda tf: [tf.round(_c(tf, [3], d)) for d in (
        tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8)],
    "truncatemod_int_zero": lambda tf: tf.truncatemod(_c(tf, [7]), _c(tf, [0])),
    "truncatediv_int_zero": lambda tf: tf.truncatediv(_c(tf, [7]), _c(tf, [0])),
    "truncated_float_zero": lambda tf: [tf.truncatediv(_c(tf, [7.0]), _c(tf, [0.0])),
                                        tf.truncatemod(_c(tf, [7.0]), _c(tf, [0.0]))],
    "squared_difference_uint8": lambda tf: tf.math.squared_difference(
        _c(tf, [1], tf.uint8), _c(tf, [3], tf.uint8)),
    "squared_difference_bool": lambda tf: tf.math.squared_difference(_c(tf, [True]),
                                                                     _c(tf, [False])),
    "sign_bool": lambda tf: tf.sign(_c(tf, [True])),
    "invert_bool": lambda tf: tf.bitwise.invert(_c(tf, [True])),
    "floordiv_bool": lambda tf: tf.math.floordiv(_c(tf, [True]), _c(tf, [True])),
    "floormod_uint8": lambda tf: tf.math.floormod(_c(tf, [7], tf.uint8), _c(tf, [3], tf.uint8)),
    "pow_complex": lambda tf: tf.pow(_c(tf, [1j, 1 + 1j]), _c(tf, [2 + 0j, 0.5 + 0j])),
    "pow_float_python_exponent": lambda tf: tf.pow(_c(tf, [2.0]), 3),
    "angle_complex64": lambda tf: tf.math.angle(_c(tf, [1 + 1j, -2 - 0.5j], tf.complex64)),
    "abs_f16": lambda tf: tf.abs(_c(tf, [-1.5], tf.float16)),
    "square_complex": lambda tf: tf.square(_c(tf, [1 + 1j], tf.complex64)),
    "logical_and_python_bool": lambda tf: tf.logical_and(_c(tf, [True, False]), True),
    "right_shift_large": lambda tf: tf.bitwise.right_shift(_c(tf, [-128], tf.int8),
                                                          _c(tf, [100], tf.int8)),
    "add_n_variables": lambda tf: tf.add_n([tf.Variable([1.0, 2.0]), _c(tf, [1.0, 1.0])]),
    "is_finite_f64": lambda tf: tf.math.is_finite(_c(tf, [inf, 1.0], tf.float64)),
}


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward_matches_tensorflow(tf_ref, name):
    _check(FORWARD[name], tf_ref)


REDUCTIONS = {
    "sum_axes": lambda tf: [tf.reduce_sum(_c(tf, [[1, 2], [3, 4]]), axis=[0], keepdims=True),
                            tf.reduce_sum(_c(tf, [[1, 2]]), axis=-1),
                            tf.reduce_sum(_c(tf, [[1, 2]]), axis=_c(tf, 1)),
                            tf.reduce_sum(_c(tf, [[1, 2]]), axis=[]),
                            tf.reduce_sum(_c(tf, [[1.0, 2.0]]), axis=(0, 1), keepdims=True)],
    "sum_bool": lambda tf: tf.reduce_sum(_c(tf, [True, True])),
    "sum_string": lambda tf: tf.reduce_sum(_c(tf, ["a"])),
    "sum_axis_out_of_range": lambda tf: tf.reduce_sum(_c(tf, [1, 2]), axis=2),
    "sum_axis_duplicate": lambda tf: tf.reduce_sum(_c(tf, [[1, 2]]), axis=[0, 0]),
    "sum_scalar_axis": lambda tf: tf.reduce_sum(_c(tf, 3.0), axis=0),
    "mean_int": lambda tf: [tf.reduce_mean(_c(tf, [1, 2, 2])), tf.reduce_mean(_c(tf, [-1, -2, -2])),
                            tf.reduce_mean(_c(tf, [200, 200], tf.uint8))],
    "mean_empty": lambda tf: [tf.reduce_mean(tf.zeros([0])),
                              tf.reduce_mean(tf.zeros([0], tf.int32)),
                              tf.reduce_mean(tf.zeros([2, 0]), axis=1)],
    "mean_bool": lambda tf: tf.reduce_mean(_c(tf, [True])),
    "max_min": lambda tf: [tf.reduce_max(_c(tf, X), axis=1), tf.reduce_min(_c(tf, X), axis=0),
                           tf.reduce_max(tf.zeros([0])), tf.reduce_min(tf.zeros([0], tf.int32)),
                           tf.reduce_max(_c(tf, [1.0, nan, 2.0])),
                           tf.reduce_min(_c(tf, [1.0, nan, 2.0]))],
    "max_bool": lambda tf: tf.reduce_max(_c(tf, [True, False])),
    "max_complex": lambda tf: tf.reduce_max(_c(tf, [1j])),
    "prod": lambda tf: [tf.reduce_prod(_c(tf, [2, 3, 4])), tf.reduce_prod(tf.zeros([0]))],
    "prod_bool": lambda tf: tf.reduce_prod(_c(tf, [True])),
    "any_all": lambda tf: [tf.reduce_any(_c(tf, [[True, False], [False, False]]), axis=1),
                           tf.reduce_all(_c(tf, [[True, False], [True, True]]), axis=1),
                           tf.reduce_all([True, False])],
    "any_int": lambda tf: tf.reduce_any(_c(tf, [0, 1])),
    "all_float": lambda tf: tf.reduce_all(_c(tf, [0.0])),
    "logsumexp": lambda tf: [tf.reduce_logsumexp(_c(tf, [1000.0, 1000.0])),
                             tf.reduce_logsumexp(_c(tf, [-inf, -inf])),
                             tf.reduce_logsumexp(_c(tf, [inf, 1.0])),
                             tf.reduce_logsumexp(_c(tf, [nan, 1.0])),
                             tf.reduce_logsumexp(_c(tf, X), axis=1, keepdims=True),
                             tf.reduce_logsumexp(_c(tf, X), axis=[0, 1]),
                             tf.reduce_logsumexp(tf.zeros([0])),
                             tf.reduce_logsumexp([1.0, 2.0]),
                             tf.math.reduce_logsumexp(_c(tf, [1.0, 2.0], tf.float64), axis=0)],
    "logsumexp_int": lambda tf: tf.reduce_logsumexp(_c(tf, [1, 2])),
    "logsumexp_complex": lambda tf: tf.reduce_logsumexp(_c(tf, [1j])),
    "variance_std": lambda tf: [tf.math.reduce_std(_c(tf, X), axis=0),
                                tf.math.reduce_variance(_c(tf, X), axis=[0, 1], keepdims=True),
                                tf.math.reduce_variance(_c(tf, [1 + 1j, 2 - 1j])),
                                tf.math.reduce_std(_c(tf, [1 + 1j, 2 - 1j])),
                                tf.math.reduce_variance(_c(tf, [1.0, 2.0], tf.float16)),
                                tf.math.reduce_variance([1.0, 2.0, 4.0]),
                                tf.math.reduce_std(_c(tf, [[1.0, 2.0], [3.0, 5.0]], tf.float64),
                                                   axis=-1, keepdims=True)],
    "variance_int": lambda tf: tf.math.reduce_variance(_c(tf, [1, 2])),
    "std_int": lambda tf: tf.math.reduce_std(_c(tf, [1, 2])),
    "variance_bool": lambda tf: tf.math.reduce_variance(_c(tf, [True])),
    "argmax_argmin": lambda tf: [tf.argmax(_c(tf, X)), tf.math.argmax(_c(tf, X), axis=1),
                                 tf.argmax(_c(tf, [1, 3, 3])), tf.argmin(_c(tf, [1, 0, 0])),
                                 tf.argmax(_c(tf, [False, True])),
                                 tf.argmax(_c(tf, [1, 3]), output_type=tf.int32),
                                 tf.argmin(_c(tf, [[4, 1], [0, 9]], tf.uint8), axis=-1)],
    "argmax_nan": lambda tf: [f(_c(tf, x)) for f in (tf.argmax, tf.argmin) for x in (
        [1.0, nan, 3.0], [nan, 1.0, 0.0], [1.0, nan], [nan, nan], [0.0, nan, 5.0, nan],
        [-inf, nan], [nan, -inf], [inf, nan])],
    "argmax_scalar": lambda tf: tf.argmax(_c(tf, 1)),
    "argmax_axis_out_of_range": lambda tf: tf.argmax(_c(tf, [1, 2]), axis=1),
    "argmax_empty": lambda tf: tf.argmax(tf.zeros([0])),
    "argmax_float_output": lambda tf: tf.argmax(_c(tf, [1, 2]), output_type=tf.float32),
    "cumsum_cumprod": lambda tf: [
        tf.cumsum(_c(tf, [[1, 2], [3, 4]]), axis=1, exclusive=True, reverse=True),
        tf.cumsum(_c(tf, [200, 100], tf.uint8)),
        tf.math.cumprod(_c(tf, [1.0, 2.0, 3.0]), exclusive=True),
        tf.math.cumprod(_c(tf, [[1, 2], [3, 4]]), axis=-1, reverse=True),
        tf.math.cumsum(_c(tf, [[1.0, 2.0], [3.0, 4.0]]), axis=_c(tf, 0))],
    "cumsum_bool": lambda tf: tf.cumsum(_c(tf, [True])),
    "cumsum_scalar": lambda tf: tf.cumsum(_c(tf, 1.0)),
    "cumsum_axis_out_of_range": lambda tf: tf.cumsum(_c(tf, [1.0]), axis=1),
    "top_k": lambda tf: [*tf.math.top_k(_c(tf, [1.0, 3.0, 3.0, 2.0]), k=2),
                         *tf.math.top_k(_c(tf, [[1, 3, 3, 2], [5, 1, 1, 0]]), k=3),
                         *tf.math.top_k(_c(tf, [5.0, 1.0, 4.0]), k=_c(tf, 2)),
                         *tf.math.top_k(_c(tf, [5.0, 1.0, 4.0], tf.float16), k=2),
                         *tf.math.top_k(_c(tf, [5.0, 1.0, 4.0]), k=2, index_type=tf.int64),
                         *tf.math.top_k(_c(tf, [1.0, 2.0]), k=0),
                         *tf.math.top_k(_c(tf, [1.0, nan, 3.0]), k=2)],
    "top_k_type": lambda tf: [type(tf.math.top_k(_c(tf, [1.0]), k=1)).__name__,
                              tf.math.top_k(_c(tf, [1.0]), k=1)._fields],
    "top_k_too_big": lambda tf: tf.math.top_k(_c(tf, [1.0, 3.0]), k=3),
    "top_k_negative": lambda tf: tf.math.top_k(_c(tf, [1.0, 3.0]), k=-1),
    "top_k_scalar": lambda tf: tf.math.top_k(_c(tf, 1.0), k=1),
    "top_k_bool": lambda tf: tf.math.top_k(_c(tf, [True]), k=1),
    "count_nonzero": lambda tf: [
        tf.math.count_nonzero(_c(tf, [[0, 1], [2, 0]])),
        tf.math.count_nonzero(_c(tf, [[0.0, 1.0], [2.0, 0.0]]), axis=1, keepdims=True,
                              dtype=tf.int32),
        tf.math.count_nonzero(_c(tf, [True, False])),
        tf.math.count_nonzero(_c(tf, ["", "a"])),
        tf.math.count_nonzero(_c(tf, [nan, 0.0])),
        tf.math.count_nonzero([0, 1, 2]),
        tf.math.count_nonzero(_c(tf, [[0, 1]]), axis=0),
        tf.math.count_nonzero(_c(tf, [[0, 1]]), dtype=tf.float32)],
    "segments": lambda tf: [
        tf.math.segment_sum(_c(tf, [[1, 2], [3, 4], [5, 6]]), _c(tf, [0, 0, 2])),
        tf.math.segment_sum([1.0, 2.0, 3.0], [0, 1, 1]),
        tf.math.segment_mean(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [0, 0, 2])),
        tf.math.segment_mean(_c(tf, [1, 2, 4]), _c(tf, [0, 0, 2])),
        tf.math.segment_mean(_c(tf, [-1, -2, 4]), _c(tf, [0, 0, 2], tf.int64)),
        tf.math.segment_max(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [0, 0, 2])),
        tf.math.segment_min(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [0, 0, 2])),
        tf.math.segment_max(_c(tf, [1, 2, 4]), _c(tf, [0, 0, 2]))],
    "segment_unsorted_ids": lambda tf: tf.math.segment_sum(_c(tf, [1, 2, 3]), _c(tf, [1, 0, 1])),
    "segment_negative_id": lambda tf: tf.math.segment_sum(_c(tf, [1, 2, 3]),
                                                          _c(tf, [-1, 0, 1])),
    "segment_bad_length": lambda tf: tf.math.segment_sum(_c(tf, [1, 2, 3]), _c(tf, [0, 1])),
    "segment_float_ids": lambda tf: tf.math.segment_sum(_c(tf, [1, 2, 3]),
                                                        _c(tf, [0.0, 1.0, 1.0])),
    "unsorted_segments": lambda tf: [
        tf.math.unsorted_segment_sum(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [2, 0, 2]), 4),
        tf.math.unsorted_segment_sum(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [-1, 0, 2]), 3),
        tf.math.unsorted_segment_sum(_c(tf, [[1.0, 2.0], [4.0, 5.0]]), _c(tf, [[0, 1], [1, 1]]),
                                     2),
        tf.math.unsorted_segment_sum(_c(tf, [[1, 2], [4, 5]]), _c(tf, [1, 1]), _c(tf, 3)),
        tf.math.unsorted_segment_max(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [2, 0, 2]), 4),
        tf.math.unsorted_segment_min(_c(tf, [1, 2, 4]), _c(tf, [2, 0, 2]), 4),
        tf.math.unsorted_segment_mean(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [2, 0, 2]), 4),
        tf.math.unsorted_segment_sqrt_n(_c(tf, [1.0, 2.0, 4.0]), _c(tf, [2, 0, 2]), 4)],
    "unsorted_segment_out_of_range": lambda tf: tf.math.unsorted_segment_sum(
        _c(tf, [1.0, 2.0, 4.0]), _c(tf, [5, 0, 2]), 3),
    "unsorted_segment_int_mean_sqrt_n": lambda tf: [
        tf.math.unsorted_segment_mean(_c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), 2)],
    "unsorted_segment_int_sqrt_n": lambda tf: tf.math.unsorted_segment_sqrt_n(
        _c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), 2),
    "segment_complex": lambda tf: tf.math.segment_sum(_c(tf, [1j, 2, 4]), _c(tf, [0, 0, 1])),
    "segment_max_complex": lambda tf: tf.math.segment_max(_c(tf, [1j, 2]), _c(tf, [0, 0])),
    "unsorted_num_segments_forms": lambda tf: [
        tf.math.unsorted_segment_sum(_c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), _c(tf, 2, tf.int64)),
        tf.math.unsorted_segment_sum(_c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), np.int64(3))],
    "unsorted_num_segments_negative": lambda tf: tf.math.unsorted_segment_sum(
        _c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), -1),
    "unsorted_num_segments_float": lambda tf: tf.math.unsorted_segment_sum(
        _c(tf, [1, 2, 4]), _c(tf, [0, 0, 1]), 2.0),
    "unsorted_shape_mismatch": lambda tf: tf.math.unsorted_segment_sum(
        _c(tf, [1, 2, 4]), _c(tf, [0, 0]), 2),
    "segment_scalar_data": lambda tf: tf.math.segment_sum(_c(tf, 1), _c(tf, [0])),
    "segment_2d_ids": lambda tf: tf.math.segment_sum(_c(tf, [[1, 2]]), _c(tf, [[0, 0]])),
    "top_k_small_ints": lambda tf: [*tf.math.top_k(_c(tf, [1, 200, 3], tf.uint8), 2),
                                    *tf.math.top_k(_c(tf, [-128, 127, 3], tf.int8), 2)],
    "count_nonzero_axis_tuple": lambda tf: tf.math.count_nonzero(_c(tf, [[0, 1], [1, 1]]),
                                                                 axis=(0, 1)),
    "cumsum_complex": lambda tf: tf.cumsum(_c(tf, [1j, 2])),
    "reduce_axis_forms": lambda tf: [tf.reduce_sum(_c(tf, [[1, 2]]), axis=np.array([1])),
                                     tf.reduce_mean(_c(tf, [1j, 2]))],
    "reduce_axis_float": lambda tf: tf.reduce_sum(_c(tf, [[1, 2]]), axis=1.0),
    "argmax_output_types": lambda tf: [
        tf.argmax(_c(tf, [[1, 2]]), axis=tf.constant(1)),
        tf.argmax(_c(tf, [[1, 2]]), axis=1, output_type=tf.int16),
        tf.argmax(_c(tf, [[1, 2]]), axis=1, output_type=tf.uint16)],
    "argmin_int16_output": lambda tf: tf.argmin(_c(tf, [[1, 2]]), axis=1, output_type=tf.int16),
    "logsumexp_keepdims_all": lambda tf: tf.reduce_logsumexp(_c(tf, [[1.0, 2.0]]),
                                                             keepdims=True),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_match_tensorflow(tf_ref, name):
    _check(REDUCTIONS[name], tf_ref)


def test_top_k_unsorted_returns_the_same_set(tf_ref):
    x = RNG.permutation(20).astype(np.float32)
    ours = tft.math.top_k(x, k=7, sorted=False)
    theirs = tf_ref.math.top_k(x, k=7, sorted=False)
    assert sorted(ours.indices.numpy().tolist()) == sorted(theirs.indices.numpy().tolist())


# ---------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------

def _grad_case(f, *args, dtype=None, order=1):
    """A case computing f's value and gradients (order 1 or 2) for random cotangents."""
    def case(tf):
        xs = [tf.constant(a, dtype=dtype) for a in args]
        rng = np.random.default_rng(0)
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(xs)
            with tf.GradientTape() as inner:
                inner.watch(xs)
                y = f(tf)(*xs)
                w = rng.standard_normal(y.shape) if y.dtype.is_floating else \
                    rng.standard_normal(y.shape) + 1j * rng.standard_normal(y.shape)
                s = tf.reduce_sum(tf.constant(w, dtype=y.dtype) * y)
                if s.dtype.is_complex:
                    s = tf.math.real(s)
            gs = inner.gradient(s, xs)
            if order == 2:
                s2 = tf.add_n([tf.reduce_sum(g * tf.constant(rng.standard_normal(g.shape),
                                                             dtype=g.dtype))
                               for g in gs if g is not None])
                if s2.dtype.is_complex:
                    s2 = tf.math.real(s2)
        out = [y, *gs]
        if order == 2:
            out += outer.gradient(s2, xs)
        return out
    return case


C = np.array([1 + 2j, -0.5 + 0.3j, 0.7 - 1.1j])
C2 = np.array([0.3 - 0.4j, 1.5 + 0.2j, -0.8 - 0.6j])
P = np.array([0.4, 1.3, 2.2])
Q = np.array([-0.7, 0.9, 1.6])

GRADS = {
    # Real element-wise, second order
    **{f"{name}_real": _grad_case(lambda tf, n=name: getattr(tf.math, n), P, order=2)
       for name in ["abs", "negative", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log",
                    "log1p", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "asinh",
                    "sigmoid", "erf", "reciprocal"]},
    "asin_acos_atanh": _grad_case(lambda tf: lambda x: tf.asin(x) + tf.acos(x) * 2.0
                                  + tf.atanh(x) * 3.0, Q / 2, order=2),
    "acosh": _grad_case(lambda tf: tf.acosh, P + 1.0, order=2),
    **{f"{name}_binary": _grad_case(lambda tf, n=name: getattr(tf.math, n), Q, P, order=2)
       for name in ["add", "subtract", "multiply", "divide", "maximum", "minimum", "pow",
                    "squared_difference", "atan2", "floormod", "divide_no_nan", "xlogy",
                    "xdivy"]},
    "ties": _grad_case(lambda tf: lambda x, y: tf.maximum(x, y) * 2.0 + tf.minimum(x, y),
                       [1.0, 2.0, 3.0], [1.0, 1.0, 3.0]),
    "pow_zero_base": _grad_case(lambda tf: tf.pow, [0.0, -2.0, 0.0], [2.0, 2.0, 0.0]),
    "xlogy_xdivy_at_zero": _grad_case(lambda tf: lambda x, y: tf.math.xlogy(x, y)
                                      + tf.math.xdivy(x, y), [0.0, 2.0], [0.0, 3.0]),
    "divide_no_nan_at_zero": _grad_case(lambda tf: tf.math.divide_no_nan, [1.0, 2.0],
                                        [0.0, 3.0]),
    "abs_at_zero": _grad_case(lambda tf: tf.abs, [0.0, -2.0, 3.0]),
    "sqrt_at_zero": _grad_case(lambda tf: tf.sqrt, [0.0, 4.0]),
    "atan2_at_origin": _grad_case(lambda tf: tf.math.atan2, [0.0, 2.0], [0.0, 3.0]),
    "rounding": _grad_case(lambda tf: lambda x: tf.floor(x) + tf.math.ceil(x) + tf.round(x)
                           + x, [1.2, -0.7]),
    "cast": _grad_case(lambda tf: lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64) * 3.0
                       + tf.math.real(tf.cast(x, tf.complex128) * 1j), [1.2, -0.7]),
    "clip_by_value": _grad_case(lambda tf: lambda x, lo, hi: tf.clip_by_value(x, lo, hi),
                                [-1.0, 0.0, 0.5, 1.0, 2.0], 0.0, 1.0, order=2),
    "clip_by_norm": _grad_case(lambda tf: lambda x: tf.clip_by_norm(x, 1.0), [3.0, 4.0],
                               order=2),
    "clip_by_norm_zero": _grad_case(lambda tf: lambda x: tf.clip_by_norm(x, 1.0), [0.0, 0.0]),
    "clip_by_norm_axes": _grad_case(lambda tf: lambda x: tf.clip_by_norm(x, 1.5, axes=[1]),
                                    [[3.0, 4.0], [0.3, 0.4]], order=2),
    "add_n": _grad_case(lambda tf: lambda a, b: tf.add_n([a, b, a]), P, Q, order=2),
    # Reductions
    "reduce_max_ties": _grad_case(lambda tf: lambda x: tf.reduce_max(x, axis=1), X, order=2),
    "reduce_min_all": _grad_case(lambda tf: tf.reduce_min, X),
    "reduce_prod_zeros": _grad_case(lambda tf: lambda x: tf.reduce_prod(x, axis=1),
                                    [[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.5, 2.0, -1.0]],
                                    order=2),
    "reduce_mean_sum": _grad_case(lambda tf: lambda x: tf.reduce_mean(x, axis=0)
                                  + tf.reduce_sum(x, axis=0), X, order=2),
    "logsumexp": _grad_case(lambda tf: lambda x: tf.reduce_logsumexp(x, axis=1), X, order=2),
    "logsumexp_large": _grad_case(lambda tf: tf.reduce_logsumexp, [1000.0, 1000.0]),
    "logsumexp_all_minus_inf": _grad_case(lambda tf: tf.reduce_logsumexp, [-inf, -inf]),
    "variance_std": _grad_case(lambda tf: lambda x: tf.math.reduce_variance(x, axis=0)
                               + tf.math.reduce_std(x, axis=0), X + RNG.random(X.shape),
                               order=2),
    "std_constant": _grad_case(lambda tf: tf.math.reduce_std, [1.0, 1.0]),
    "cumsum": _grad_case(lambda tf: lambda x: tf.cumsum(x, exclusive=True, reverse=True), P,
                         order=2),
    "cumprod": _grad_case(lambda tf: lambda x: tf.math.cumprod(x, axis=1, exclusive=True),
                          X + 0.5, order=2),
    "cumprod_zero": _grad_case(lambda tf: tf.math.cumprod, [1.0, 0.0, 3.0]),
    "top_k": _grad_case(lambda tf: lambda x: tf.math.top_k(x, k=2).values,
                        [[1.0, 3.0, 3.0, 2.0], [0.5, -1.0, 4.0, 0.0]], order=2),
    "segment_sum_mean": _grad_case(lambda tf: lambda x: tf.math.segment_sum(x, [0, 0, 2])
                                   + tf.math.segment_mean(x, [0, 0, 2]), [[1.0], [2.0], [3.0]],
                                   order=2),
    "segment_max_ties": _grad_case(lambda tf: lambda x: tf.math.segment_max(x, [0, 0, 2])
                                   + tf.math.segment_min(x, [0, 0, 2]), [2.0, 2.0, 3.0]),
    "unsorted_segments": _grad_case(
        lambda tf: lambda x: tf.math.unsorted_segment_sum(x, [2, -1, 0, 2], 3)
        + tf.math.unsorted_segment_mean(x, [2, -1, 0, 2], 3)
        + tf.math.unsorted_segment_sqrt_n(x, [2, -1, 0, 2], 3), [1.0, 2.0, 3.0, 4.0],
        order=2),
    "unsorted_segment_max_ties": _grad_case(
        lambda tf: lambda x: tf.math.unsorted_segment_max(x, [0, 0, 1], 2)
        + tf.math.unsorted_segment_min(x, [0, 0, 1], 2), [2.0, 2.0, 3.0]),
    # Complex (TensorFlow's conjugate convention)
    **{f"{name}_complex": _grad_case(lambda tf, n=name: getattr(tf.math, n), C / 2, order=2)
       for name in ["negative", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p",
                    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                    "asinh", "acosh", "atanh", "sigmoid", "reciprocal", "conj"]},
    **{f"{name}_complex_binary": _grad_case(lambda tf, n=name: getattr(tf.math, n), C, C2,
                                            order=2)
       for name in ["add", "subtract", "multiply", "divide", "pow", "divide_no_nan", "xlogy",
                    "xdivy"]},
    "abs_complex": _grad_case(lambda tf: tf.abs, np.append(C, 0j)),
    "real_imag_angle": _grad_case(lambda tf: lambda z: tf.math.real(z) * 2.0
                                  + tf.math.imag(z) * 3.0 + tf.math.angle(z), C),
    "squared_difference_complex": _grad_case(
        lambda tf: lambda a, b: tf.math.real(tf.math.squared_difference(a, b)), C, C2),
    "reductions_complex": _grad_case(lambda tf: lambda z: tf.reduce_sum(z * z)
                                     + tf.reduce_mean(z) + tf.reduce_prod(z)
                                     + tf.math.cumsum(z)[-1] + tf.math.cumprod(z)[-1], C,
                                     order=2),
    "variance_complex": _grad_case(lambda tf: tf.math.reduce_variance, C),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_match_tensorflow(tf_ref, name):
    _check(GRADS[name], tf_ref, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------------------------
# Namespaces
# ---------------------------------------------------------------------------------------

MATH_NAMES = """abs acos acosh add add_n angle argmax argmin asin asinh atan atan2 atanh ceil conj
cos cosh count_nonzero cumprod cumsum divide divide_no_nan equal erf erfc exp expm1 floor
floordiv floormod greater greater_equal imag is_finite is_inf is_nan less less_equal log log1p
log_sigmoid logical_and logical_not logical_or logical_xor maximum minimum mod multiply negative
not_equal pow real reciprocal reduce_all reduce_any reduce_logsumexp reduce_max reduce_mean
reduce_min reduce_prod reduce_std reduce_sum reduce_variance rint round rsqrt segment_max
segment_mean segment_min segment_prod segment_sum sigmoid sign sin sinh sqrt square
squared_difference subtract tan tanh top_k truediv unsorted_segment_max unsorted_segment_mean
unsorted_segment_min unsorted_segment_prod unsorted_segment_sqrt_n unsorted_segment_sum xdivy
xlogy""".split()
TOP_NAMES = """abs acos acosh add add_n argmax argmin asin asinh atan atan2 atanh cast clip_by_norm
clip_by_value cos cosh cumsum divide equal exp floor greater greater_equal less less_equal
logical_and logical_not logical_or maximum minimum multiply negative not_equal pow realdiv
reduce_all reduce_any reduce_logsumexp reduce_max reduce_mean reduce_min reduce_prod reduce_sum
round saturate_cast sigmoid sign sin sinh sqrt square subtract tan tanh truediv truncatediv
truncatemod""".split()


def test_math_namespace_exports_match_tensorflow(tf_ref):
    assert all(hasattr(tf_ref.math, n) for n in MATH_NAMES)
    assert [n for n in MATH_NAMES if not hasattr(tft.math, n)] == []
    assert all(hasattr(tf_ref, n) for n in TOP_NAMES)
    assert [n for n in TOP_NAMES if not hasattr(tft, n)] == []
    for mod in ("bitwise",):
        theirs = {n for n in dir(getattr(tf_ref, mod)) if not n.startswith("_")}
        ours = {n for n in dir(getattr(tft, mod)) if not n.startswith("_")}
        assert theirs <= ours
    assert tft.dtypes.saturate_cast is tft.saturate_cast

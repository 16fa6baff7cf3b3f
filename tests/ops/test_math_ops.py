"""Hand-computed tests for element-wise math: arithmetic, unary functions, comparisons,
logic, bitwise ops, complex parts, casts, clipping and add_n. Expected values are worked out
by hand (or recorded from TensorFlow 2.21 where TF's choice is the point); gradients
against finite differences live in the op table (specs_math.py)."""

import math

import numpy as np
import pytest

import tapeflow as tf

ERR = tf.errors.InvalidArgumentError
nan, inf = float("nan"), float("inf")


def grads(f, *xs, dtype=tf.float32):
    vs = [tf.constant(x, dtype=dtype) for x in xs]
    with tf.GradientTape() as t:
        for v in vs:
            t.watch(v)
        y = f(*vs)
    return [None if g is None else g.numpy() for g in t.gradient(y, vs)]


def vals(t):
    return t.numpy().tolist()


# ---------------------------------------------------------------------------------------
# Arithmetic and dtype rules
# ---------------------------------------------------------------------------------------

def test_add_sub_mul_values_and_broadcasting():
    x = tf.constant([[1, 2, 3]])
    y = tf.constant([[10], [20]])
    assert vals(tf.add(x, y)) == [[11, 12, 13], [21, 22, 23]]
    assert vals(tf.subtract(x, y)) == [[-9, -8, -7], [-19, -18, -17]]
    assert vals(tf.multiply(x, y)) == [[10, 20, 30], [20, 40, 60]]


def test_add_concatenates_strings():
    assert tf.add(tf.constant(["a"]), tf.constant(["b"])).numpy().tolist() == [b"ab"]


def test_incompatible_shapes_error_reads_like_tensorflow():
    for f, op in [(tf.add, "AddV2"), (tf.subtract, "Sub"), (tf.multiply, "Mul"),
                  (tf.maximum, "Maximum"), (tf.equal, "Equal"), (tf.less, "Less"),
                  (tf.math.floormod, "FloorMod")]:
        with pytest.raises(ERR, match=rf"^Incompatible shapes: \[2\] vs. \[3\] \[Op:{op}\]"):
            f(tf.constant([1, 2]), tf.constant([1, 2, 3]))


def test_binary_ops_never_promote():
    with pytest.raises(ERR, match="expected to be a int32 tensor but is a float tensor"):
        tf.add(tf.constant([1]), tf.constant([1.0]))


def test_unsigned_subtraction_wraps():
    assert vals(tf.subtract(tf.constant([1], tf.uint8), tf.constant([2], tf.uint8))) == [255]


def test_bool_arithmetic_is_rejected():
    for f in (tf.add, tf.multiply, tf.maximum):
        with pytest.raises(ERR, match="of bool is not in the list of allowed values"):
            f(tf.constant([True]), tf.constant([True]))


def test_truediv_casts_integers_like_tensorflow():
    r = tf.math.truediv(tf.constant([1, 3]), tf.constant([2, 0]))
    assert r.dtype == tf.float64 and vals(r) == [0.5, inf]
    assert tf.math.truediv(tf.constant([1], tf.int8), tf.constant([2], tf.int8)).dtype \
        == tf.float32
    assert tf.math.truediv(tf.constant([1], tf.uint16), tf.constant([2], tf.uint16)).dtype \
        == tf.float32
    assert tf.divide(3, 2).numpy() == 1.5 and tf.divide(3, 2).dtype == tf.float64
    assert (tf.constant([3]) / tf.constant([2])).dtype == tf.float64


def test_truediv_rejects_bool():
    with pytest.raises(TypeError, match=r"Invalid dtype tf.bool in __truediv__. Expected one"):
        tf.math.truediv(tf.constant([True]), tf.constant([True]))


def test_floordiv_and_floormod_follow_python_signs():
    x, y = tf.constant([-7, 7, -7]), tf.constant([2, -2, -2])
    assert vals(tf.math.floordiv(x, y)) == [-4, -4, 3]
    assert vals(tf.math.floormod(x, y)) == [1, -1, -1]
    assert vals(tf.math.mod(tf.constant([5.0, -5.0]), tf.constant([3.0, 3.0]))) == [2.0, 1.0]
    assert vals(tf.math.floordiv(tf.constant([-2**31]), tf.constant([-1]))) == [-2**31]


def test_truncated_division_and_remainder():
    x, y = tf.constant([-7, 7]), tf.constant([2, -2])
    assert vals(tf.truncatediv(x, y)) == [-3, -3]
    assert vals(tf.truncatemod(x, y)) == [-1, 1]


@pytest.mark.parametrize("f, op", [(tf.math.floordiv, "FloorDiv"),
                                   (tf.math.floormod, "FloorMod")])
def test_integer_division_by_zero_is_an_error(f, op):
    with pytest.raises(ERR, match=rf"^Integer division by zero \[Op:{op}\]"):
        f(tf.constant([3]), tf.constant([0]))


@pytest.mark.parametrize("f, op", [(tf.truncatediv, "TruncateDiv"),
                                   (tf.truncatemod, "TruncateMod")])
def test_truncated_integer_division_by_zero_is_an_internal_error(f, op):
    with pytest.raises(tf.errors.InternalError, match=rf"only integer div and mod should have "
                                                      rf"errors\) \[Op:{op}\]"):
        f(tf.constant([3]), tf.constant([0]))


def test_integer_ops_without_kernels_raise_not_found():
    with pytest.raises(tf.errors.NotFoundError, match=r"Reciprocal\[T=DT_INT32\]"):
        tf.math.reciprocal(tf.constant([2]))
    with pytest.raises(tf.errors.NotFoundError, match=r"Round\[T=DT_COMPLEX128\]"):
        tf.round(tf.constant([1.5 + 0.5j]))


def test_float_floordiv_by_zero_gives_inf_and_nan():
    r = tf.math.floordiv(tf.constant([3.0, -3.0, 0.0]), tf.constant([0.0, 0.0, 0.0]))
    assert vals(r)[:2] == [inf, -inf] and math.isnan(vals(r)[2])


def test_pow_integers():
    assert vals(tf.pow(tf.constant([2, 3]), tf.constant([3, 0]))) == [8, 1]
    assert tf.pow(2, 3).numpy() == 8
    with pytest.raises(ERR, match="Integers to negative integer powers are not allowed"):
        tf.pow(tf.constant([2]), tf.constant([-1]))
    with pytest.raises(ERR, match="uint8 is not in the list of allowed values"):
        tf.pow(tf.constant([2], tf.uint8), tf.constant([3], tf.uint8))


def test_divide_no_nan():
    r = tf.math.divide_no_nan(tf.constant([1.0, 0.0, nan, 6.0]), tf.constant([0.0, 0.0, 0.0,
                                                                               3.0]))
    assert vals(r) == [0.0, 0.0, 0.0, 2.0]
    r = tf.math.divide_no_nan(tf.constant([1]), tf.constant([0]))
    assert r.dtype == tf.float64 and vals(r) == [0.0]
    assert tf.math.div_no_nan is tf.math.divide_no_nan or tf.math.div_no_nan(1.0, 0.0) == 0


def test_xlogy_and_xdivy_are_zero_where_x_is_zero():
    assert vals(tf.math.xlogy(tf.constant([0.0, 0.0, 2.0]), tf.constant([0.0, -1.0, 1.0]))) \
        == [0.0, 0.0, 0.0]
    assert vals(tf.math.xdivy(tf.constant([0.0, 6.0]), tf.constant([0.0, 3.0]))) == [0.0, 2.0]


def test_xlogy_xdivy_divide_no_nan_gradients_at_zero_follow_tensorflow():
    gx, gy = grads(tf.math.xlogy, [0.0, 2.0], [0.0, 3.0])
    np.testing.assert_allclose(gx, [0.0, math.log(3.0)], rtol=1e-6)
    np.testing.assert_allclose(gy, [0.0, 2 / 3], rtol=1e-6)
    gx, gy = grads(tf.math.xdivy, [0.0, 2.0], [0.0, 3.0])
    np.testing.assert_allclose(gx, [0.0, 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(gy, [0.0, -2 / 9], rtol=1e-6)
    gx, gy = grads(tf.math.divide_no_nan, [1.0, 2.0], [0.0, 3.0])
    np.testing.assert_allclose(gx, [0.0, 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(gy, [0.0, -2 / 9], rtol=1e-6)


def test_squared_difference():
    assert vals(tf.math.squared_difference(tf.constant([2]), tf.constant([5]))) == [9]
    r = tf.math.squared_difference(tf.constant([1 + 2j]), tf.constant([0j]))
    assert r.dtype == tf.complex128 and vals(r) == [5 + 0j]


# ---------------------------------------------------------------------------------------
# Unary functions
# ---------------------------------------------------------------------------------------

def test_abs_of_complex_is_real():
    r = tf.abs(tf.constant([3 + 4j], tf.complex64))
    assert r.dtype == tf.float32 and vals(r) == [5.0]


def test_abs_and_negative_of_int_min_wrap():
    assert vals(tf.abs(tf.constant([-2**31]))) == [-2**31]
    assert vals(tf.negative(tf.constant([-128], tf.int8))) == [-128]


def test_unsigned_types_rejected_by_signed_ops():
    for f in (tf.abs, tf.negative, tf.sign):
        with pytest.raises(ERR, match="uint8 is not in the list of allowed values"):
            f(tf.constant([1], tf.uint8))


def test_sign():
    assert vals(tf.sign(tf.constant([-3, 0, 2]))) == [-1, 0, 1]
    r = vals(tf.sign(tf.constant([nan, -0.0, 2.5])))
    assert math.isnan(r[0]) and r[1:] == [0.0, 1.0]
    np.testing.assert_allclose(tf.sign(tf.constant([3 + 4j, 0j])).numpy(), [0.6 + 0.8j, 0])


def test_float_only_functions_reject_integers():
    for f, op in [(tf.sqrt, "Sqrt"), (tf.exp, "Exp"), (tf.math.log, "Log"),
                  (tf.sigmoid, "Sigmoid"), (tf.floor, "Floor"), (tf.math.is_nan, "IsNan")]:
        with pytest.raises(ERR, match=rf"(?s)int32 is not in the list.*\[Op:{op}\]"):
            f(tf.constant([1]))


def test_domain_edges_give_inf_and_nan():
    assert vals(tf.math.rsqrt(tf.constant([0.0]))) == [inf]
    assert math.isnan(vals(tf.sqrt(tf.constant([-1.0])))[0])
    r = vals(tf.math.log(tf.constant([0.0, -1.0])))
    assert r[0] == -inf and math.isnan(r[1])
    r = vals(tf.math.log1p(tf.constant([-1.0, -2.0])))
    assert r[0] == -inf and math.isnan(r[1])
    r = vals(tf.math.atanh(tf.constant([1.0, 2.0])))
    assert r[0] == inf and math.isnan(r[1])
    assert vals(tf.math.expm1(tf.constant([100.0]))) == [inf]
    assert vals(tf.sqrt(tf.constant([-1 + 0j]))) == [1j]


def test_sigmoid_saturates_without_overflow():
    assert vals(tf.sigmoid(tf.constant([-1000.0, 0.0, 1000.0]))) == [0.0, 0.5, 1.0]
    g, = grads(tf.sigmoid, [-1000.0, 0.0, 1000.0])
    assert g.tolist() == [0.0, 0.25, 0.0]


def test_erf_and_erfc():
    np.testing.assert_allclose(tf.math.erf(tf.constant([0.5], tf.float64)).numpy(),
                               [0.5204998778130465])
    assert tf.math.erf(tf.constant([0.5], tf.float16)).dtype == tf.float16
    assert vals(tf.math.erfc(tf.constant([10.0]))) == [0.0]


def test_round_is_bankers_and_keeps_integers():
    assert vals(tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5]))) == [0.0, 2.0, 2.0, -0.0,
                                                                         -2.0]
    r = tf.round(tf.constant([7], tf.uint8))
    assert r.dtype == tf.uint8 and vals(r) == [7]


def test_floor_ceil_round_sign_have_no_or_zero_gradient():
    assert grads(tf.floor, [1.2]) == [None]
    assert grads(tf.math.ceil, [1.2]) == [None]
    assert grads(tf.round, [1.2]) == [None]
    assert grads(tf.sign, [1.0, -2.0])[0].tolist() == [0.0, 0.0]  # zeros, not None


def test_abs_gradient_at_zero_is_zero():
    assert grads(tf.abs, [0.0, -2.0])[0].tolist() == [0.0, -1.0]
    g, = grads(tf.abs, [0j, 3 + 4j], dtype=tf.complex64)
    np.testing.assert_allclose(g, [0, 0.6 + 0.8j], rtol=1e-6)


def test_sqrt_gradient_at_zero_is_inf():
    assert grads(tf.sqrt, [0.0])[0].tolist() == [inf]


@pytest.mark.parametrize("f, want", [
    # d/dz conj'd, at z = 1+2j (TensorFlow 2.21 values).
    (tf.asin, 0.3884435 - 0.16089854j), (tf.acos, -0.3884435 + 0.16089854j),
    (tf.atan, -0.1 + 0.2j), (tf.asinh, 0.24860296 + 0.40224797j),
    (tf.acosh, 0.16089852 + 0.38844344j), (tf.atanh, 0.125 - 0.125j),
    (tf.exp, -1.1312044 - 2.4717267j), (tf.sqrt, 0.28443223 + 0.17578879j),
    (tf.math.reciprocal, 0.12 - 0.16j), (tf.tanh, -0.30200148 - 0.568103j),
    (tf.sigmoid, 0.14088881 + 0.42071825j), (tf.math.log1p, 0.25 + 0.25j),
])
def test_complex_gradients_use_the_conjugate_convention(f, want):
    g, = grads(f, [1 + 2j], dtype=tf.complex64)
    np.testing.assert_allclose(g, [want], rtol=1e-5)


def test_complex_binary_gradients():
    gx, gy = grads(tf.multiply, [1 + 2j], [3 - 1j], dtype=tf.complex64)
    np.testing.assert_allclose([gx[0], gy[0]], [3 + 1j, 1 - 2j], rtol=1e-6)
    gx, gy = grads(tf.divide, [1 + 2j], [3 - 1j], dtype=tf.complex64)
    np.testing.assert_allclose([gx[0], gy[0]], [0.3 - 0.1j, 0.04 + 0.22j], rtol=1e-5)
    gx, gy = grads(tf.math.squared_difference, [1 + 2j], [0j], dtype=tf.complex64)
    np.testing.assert_allclose([gx[0], gy[0]], [2 + 4j, -2 - 4j], rtol=1e-6)


# ---------------------------------------------------------------------------------------
# maximum / minimum / pow / cumulative gradients at ties and zeros
# ---------------------------------------------------------------------------------------

def test_maximum_minimum_ties_go_to_x():
    gx, gy = grads(tf.maximum, [1.0, 2.0], [1.0, 1.0])
    assert gx.tolist() == [1.0, 1.0] and gy.tolist() == [0.0, 0.0]
    gx, gy = grads(tf.minimum, [1.0, 2.0], [1.0, 1.0])
    assert gx.tolist() == [1.0, 0.0] and gy.tolist() == [0.0, 1.0]


def test_maximum_minimum_propagate_nan():
    for f in (tf.maximum, tf.minimum):
        r = f(tf.constant([nan, 1.0]), tf.constant([1.0, nan])).numpy()
        assert np.isnan(r).all()


def test_pow_gradient_at_zero_base():
    gx, gy = grads(tf.pow, [0.0, -2.0], [2.0, 2.0])
    assert gx.tolist() == [0.0, -4.0] and gy.tolist() == [0.0, 0.0]


def test_floormod_gradient():
    gx, gy = grads(tf.math.floormod, [5.0], [3.0])
    assert gx.tolist() == [1.0] and gy.tolist() == [-1.0]


# ---------------------------------------------------------------------------------------
# Comparisons, logic, bitwise
# ---------------------------------------------------------------------------------------

def test_comparisons():
    x, y = tf.constant([1, 2, 3]), tf.constant([2, 2, 2])
    assert vals(tf.equal(x, y)) == [False, True, False]
    assert vals(tf.not_equal(x, y)) == [True, False, True]
    assert vals(tf.less(x, y)) == [True, False, False]
    assert vals(tf.less_equal(x, y)) == [True, True, False]
    assert vals(tf.greater(x, y)) == [False, False, True]
    assert vals(tf.greater_equal(x, y)) == [False, True, True]
    assert vals(tf.equal(tf.constant(["a"]), tf.constant(["a"]))) == [True]


def test_ordering_comparisons_reject_bool_and_complex():
    with pytest.raises(ERR, match="bool is not in the list"):
        tf.less(tf.constant([True]), tf.constant([False]))
    with pytest.raises(ERR, match="complex128 is not in the list"):
        tf.less(tf.constant([1j]), tf.constant([1j]))


def test_logical_ops():
    a, b = tf.constant([True, True, False, False]), tf.constant([True, False, True, False])
    assert vals(tf.logical_and(a, b)) == [True, False, False, False]
    assert vals(tf.logical_or(a, b)) == [True, True, True, False]
    assert vals(tf.math.logical_xor(a, b)) == [False, True, True, False]
    assert vals(tf.logical_not(a)) == [False, False, True, True]


def test_logical_ops_need_bool():
    for f, op in [(tf.logical_and, "LogicalAnd"), (tf.math.logical_xor, "LogicalOr")]:
        with pytest.raises(ERR, match=rf"cannot compute {op} as input #0\(zero-based\) was "
                                      "expected to be a bool tensor but is a int32 tensor"):
            f(tf.constant([1]), tf.constant([1]))
    with pytest.raises(ERR, match="cannot compute LogicalNot as input #0"):
        tf.logical_not(tf.constant([1]))


def test_is_nan_is_inf_is_finite():
    x = tf.constant([inf, -inf, nan, 1.0])
    assert vals(tf.math.is_nan(x)) == [False, False, True, False]
    assert vals(tf.math.is_inf(x)) == [True, True, False, False]
    assert vals(tf.math.is_finite(x)) == [False, False, False, True]


def test_bitwise_ops():
    assert vals(tf.bitwise.bitwise_and(tf.constant([12]), 10)) == [8]
    assert vals(tf.bitwise.bitwise_or(12, tf.constant([10]))) == [14]
    assert vals(tf.bitwise.bitwise_xor(tf.constant([12]), 10)) == [6]
    assert vals(tf.bitwise.invert(tf.constant([12], tf.uint8))) == [243]
    with pytest.raises(ERR, match="float is not in the list"):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([1.0]))


def test_shifts_clamp_the_shift_amount_like_tensorflow():
    r = tf.bitwise.left_shift(tf.constant([1, 1, 1, -8], tf.int8),
                              tf.constant([3, 7, 9, 1], tf.int8))
    assert vals(r) == [8, -128, -128, -16]
    r = tf.bitwise.right_shift(tf.constant([-8, 8, 8], tf.int8), tf.constant([1, 9, -1], tf.int8))
    assert vals(r) == [-4, 0, 8]


# ---------------------------------------------------------------------------------------
# Complex parts and casts
# ---------------------------------------------------------------------------------------

def test_real_imag_conj_angle():
    z = tf.constant([3 + 4j, -1 + 0j])
    assert vals(tf.math.real(z)) == [3.0, -1.0] and tf.math.real(z).dtype == tf.float64
    assert vals(tf.math.imag(z)) == [4.0, 0.0]
    assert vals(tf.math.conj(z)) == [3 - 4j, -1 - 0j]
    np.testing.assert_allclose(tf.math.angle(z).numpy(), [math.atan2(4, 3), math.pi])
    assert vals(tf.math.angle(tf.constant([-1.0, 2.0]))) == [np.float32(math.pi), 0.0]
    assert vals(tf.math.real(tf.constant([1, 2]))) == [1, 2]
    assert vals(tf.math.imag(tf.constant([1, 2]))) == [0, 0]
    assert vals(tf.math.conj(tf.constant([1, 2]))) == [1, 2]


def test_angle_of_integers_and_conj_of_strings_are_type_errors():
    with pytest.raises(TypeError, match="Cannot convert 3.14159"):
        tf.math.angle(tf.constant([-1, 2]))
    with pytest.raises(TypeError, match="Expected numeric or variant tensor, got dtype "
                                        "tf.string"):
        tf.math.conj(tf.constant(["a"]))


def test_complex_part_gradients():
    g, = grads(lambda z: tf.math.real(z) * 2.0, [1 + 2j], dtype=tf.complex64)
    assert g.tolist() == [2 + 0j]
    g, = grads(lambda z: tf.math.imag(z) * 2.0, [1 + 2j], dtype=tf.complex64)
    assert g.tolist() == [2j]
    g, = grads(tf.math.angle, [1 + 2j], dtype=tf.complex64)
    np.testing.assert_allclose(g, [-0.4 + 0.2j], rtol=1e-6)


def test_cast_truncates_and_wraps_like_c():
    r = tf.cast(tf.constant([1.7, -1.7, 1e10]), tf.int32)
    assert vals(r) == [1, -1, -2**31]
    assert vals(tf.cast(tf.constant([True]), tf.float32)) == [1.0]
    assert vals(tf.cast(tf.constant([0.5, 0.0]), tf.bool)) == [True, False]
    assert vals(tf.cast(tf.constant([1 + 2j]), tf.float32)) == [1.0]


def test_cast_to_and_from_string_is_unimplemented():
    with pytest.raises(tf.errors.UnimplementedError,
                       match=r"^Cast string to int32 is not supported \[Op:Cast\]"):
        tf.cast(tf.constant(["1"]), tf.int32)
    with pytest.raises(tf.errors.UnimplementedError, match="Cast int32 to string"):
        tf.cast(tf.constant(1), tf.string)


def test_cast_gradients():
    assert grads(lambda x: tf.cast(tf.cast(x, tf.int32), tf.float32), [1.2]) == [None]
    g, = grads(lambda x: tf.cast(x, tf.float32), [1 + 2j], dtype=tf.complex64)
    assert g.tolist() == [1 + 0j]


def test_saturate_cast_clamps_in_the_input_dtype():
    sc = tf.dtypes.saturate_cast
    assert sc is tf.saturate_cast
    assert vals(sc(tf.constant([300.0, -5.0, inf]), tf.uint8)) == [255, 0, 255]
    assert vals(sc(tf.constant([300, -5]), tf.uint8)) == [255, 0]
    # float32 cannot hold 2**31 - 1: the bound is the largest float32 below 2**31.
    assert vals(sc(tf.constant([3e9, -3e9]), tf.int32)) == [2147483520, -2**31]
    assert vals(sc(tf.constant([200], tf.uint8), tf.int8)) == [127]
    assert vals(sc(tf.constant([1e6, -1e6]), tf.float16)) == [65504.0, -65504.0]
    assert vals(sc(tf.constant([3 + 1j]), tf.float32)) == [3.0]
    assert vals(sc(tf.constant([1.5]), tf.complex64)) == [1.5 + 0j]


# ---------------------------------------------------------------------------------------
# add_n and clipping
# ---------------------------------------------------------------------------------------

def test_add_n():
    assert vals(tf.add_n([tf.constant([1, 2]), tf.constant([3, 4]), [10, 20]])) == [14, 26]
    assert tf.add_n([1, 2]).numpy() == 3
    assert vals(tf.add_n([tf.constant([1.0, 2.0])])) == [1.0, 2.0]
    assert tf.math.add_n is tf.add_n


def test_add_n_errors():
    with pytest.raises(ValueError, match="Inputs must be an iterable of at least one"):
        tf.add_n([])
    with pytest.raises(ERR, match=r"must have the same size and shape.  Input 0: \[2\] != "
                                  r"input 1: \[\]"):
        tf.add_n([tf.constant([1.0, 2.0]), tf.constant(1.0)])
    with pytest.raises(ERR, match="cannot compute AddN as input #1"):
        tf.add_n([tf.constant([1.0]), tf.constant([1])])


def test_clip_by_value_values_and_boundary_gradient():
    x = [-1.0, 0.0, 0.5, 1.0, 2.0]
    assert vals(tf.clip_by_value(tf.constant(x), 0.0, 1.0)) == [0.0, 0.0, 0.5, 1.0, 1.0]
    # Inside [min, max], boundaries included, the gradient passes to x.
    g, = grads(lambda v: tf.clip_by_value(v, 0.0, 1.0), x)
    assert g.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    gx, glo, ghi = grads(tf.clip_by_value, x, 0.0, 1.0)
    assert gx.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0] and glo == 1.0 and ghi == 1.0


def test_clip_by_value_details():
    assert vals(tf.clip_by_value(tf.constant([1, 5, 9]), 2, 6)) == [2, 5, 6]
    assert vals(tf.clip_by_value([1.0, 5.0], 2, 3)) == [2.0, 3.0]
    assert vals(tf.clip_by_value(tf.constant([1.0, 5.0]), 6.0, 2.0)) == [6.0, 6.0]
    r = vals(tf.clip_by_value(tf.constant([nan, 1.0]), 0.0, 0.5))
    assert math.isnan(r[0]) and r[1] == 0.5
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(2, 2\) are incompatible"):
        tf.clip_by_value(tf.constant([1.0, 5.0]), [[0.0], [1.0]], 3.0)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.clip_by_value(tf.constant([1, 5]), 2.5, 3)


def test_clip_by_norm():
    np.testing.assert_allclose(tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0).numpy(),
                               [0.6, 0.8], rtol=1e-6)
    r = tf.clip_by_norm(tf.constant([[3.0, 4.0], [0.3, 0.4]]), 1.0, axes=[1])
    np.testing.assert_allclose(r.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    assert vals(tf.clip_by_norm(tf.constant([0.0, 0.0]), 1.0)) == [0.0, 0.0]
    assert vals(tf.clip_by_norm(tf.constant([3.0, 4.0]), -1.0)) == [0.0, 0.0]
    with pytest.raises(ERR, match=r"(?s)int32 is not in the list.*\[Op:Sqrt\]"):
        tf.clip_by_norm(tf.constant([3, 4]), 1)


def test_clip_by_norm_gradients():
    g, = grads(lambda v: tf.clip_by_norm(v, 1.0), [3.0, 4.0])
    np.testing.assert_allclose(g, [0.032, -0.024], atol=1e-6)
    g, = grads(lambda v: tf.clip_by_norm(v, 1.0), [0.0, 0.0])
    assert g.tolist() == [1.0, 1.0]


def test_add_of_rank0_strings_is_a_string_tensor():
    a = tf.constant("ab")
    c = a + tf.constant("c")
    assert c.dtype == tf.string and c.shape == () and c.numpy() == b"abc"
    assert repr(tf.add(a, a)) == "<tf.Tensor: shape=(), dtype=string, numpy=b'abab'>"

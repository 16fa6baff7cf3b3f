"""Hand-computed tests for reductions, arg-reductions, cumulative ops, top_k,
count_nonzero and segment ops (finite-difference gradient rows are in specs_math.py)."""

import math

import numpy as np
import pytest

import tapeflow as tf

ERR = tf.errors.InvalidArgumentError
nan, inf = float("nan"), float("inf")
X = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]


def grad(f, x, dtype=tf.float32):
    x = tf.constant(x, dtype=dtype)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    g = t.gradient(y, x)
    return None if g is None else g.numpy()


def vals(t):
    return t.numpy().tolist()


# ---------------------------------------------------------------------------------------
# reduce_*
# ---------------------------------------------------------------------------------------

def test_reduce_sum_axes_and_keepdims():
    x = tf.constant([[1, 2], [3, 4]])
    assert tf.reduce_sum(x).numpy() == 10
    assert vals(tf.reduce_sum(x, axis=[0], keepdims=True)) == [[4, 6]]
    assert vals(tf.reduce_sum(x, axis=-1)) == [3, 7]
    assert vals(tf.reduce_sum(x, axis=tf.constant(1))) == [3, 7]
    assert vals(tf.reduce_sum(x, axis=[])) == [[1, 2], [3, 4]]
    assert tf.reduce_sum(x, axis=[0, 1], keepdims=True).shape == (1, 1)


def test_reduction_axis_errors():
    with pytest.raises(ERR, match=r"^Invalid reduction dimension \(2 for input with 1 "
                                  r"dimension\(s\) \[Op:Sum\]"):
        tf.reduce_sum(tf.constant([1, 2]), axis=2)
    with pytest.raises(ERR, match=r"^Invalid reduction dimension \(0 for input with 0 "):
        tf.reduce_sum(tf.constant(3.0), axis=0)
    with pytest.raises(ERR, match="Axes contains duplicate dimension: 0 \\[Op:Sum\\]"):
        tf.reduce_sum(tf.constant([[1, 2]]), axis=[0, -2])


def test_reductions_reject_bool_and_strings():
    for f in (tf.reduce_sum, tf.reduce_mean, tf.reduce_prod, tf.reduce_max):
        with pytest.raises(ERR, match="bool is not in the list of allowed values"):
            f(tf.constant([True]))
    with pytest.raises(ERR, match="string is not in the list"):
        tf.reduce_sum(tf.constant(["a"]))


def test_reduce_mean_of_integers_truncates_toward_zero():
    assert tf.reduce_mean(tf.constant([1, 2, 2])).numpy() == 1
    assert tf.reduce_mean(tf.constant([-1, -2, -2])).numpy() == -1
    assert tf.reduce_mean(tf.constant([200, 200], tf.uint8)).numpy() == 200


def test_empty_reductions():
    assert math.isnan(tf.reduce_mean(tf.zeros([0])).numpy())
    assert tf.reduce_mean(tf.zeros([0], tf.int32)).numpy() == 0
    assert tf.reduce_max(tf.zeros([0])).numpy() == -inf
    assert tf.reduce_min(tf.zeros([0], tf.int32)).numpy() == 2**31 - 1
    assert tf.reduce_sum(tf.zeros([0, 3]), axis=0).numpy().tolist() == [0.0] * 3
    assert tf.reduce_prod(tf.zeros([0])).numpy() == 1.0


def test_reduce_max_min_propagate_nan():
    assert math.isnan(tf.reduce_max(tf.constant([1.0, nan, 2.0])).numpy())
    assert math.isnan(tf.reduce_min(tf.constant([1.0, nan, 2.0])).numpy())


def test_reduce_max_min_gradient_is_shared_between_ties():
    g = grad(lambda x: tf.reduce_max(x, axis=1), X)
    assert g.tolist() == [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]
    g = grad(lambda x: tf.reduce_min(x), X)
    assert g.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]


def test_reduce_prod_values_and_gradient_with_zeros():
    assert tf.reduce_prod(tf.constant([2, 3, 4])).numpy() == 24
    assert grad(tf.reduce_prod, [1.0, 0.0, 3.0]).tolist() == [0.0, 3.0, 0.0]
    assert grad(tf.reduce_prod, [0.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 0.0]
    assert grad(lambda x: tf.reduce_prod(x, axis=0), [[2.0, 0.0], [5.0, 3.0]]).tolist() == \
        [[5.0, 3.0], [2.0, 0.0]]


def test_reduce_any_all():
    x = tf.constant([[True, False], [True, True]])
    assert vals(tf.reduce_any(x, axis=1)) == [True, True]
    assert vals(tf.reduce_all(x, axis=1)) == [False, True]
    assert tf.reduce_all([True, False]).numpy() is np.False_
    with pytest.raises(ERR, match=r"cannot compute Any as input #0\(zero-based\) was expected "
                                  "to be a bool tensor but is a int32 tensor"):
        tf.reduce_any(tf.constant([0, 1]))
    with pytest.raises(ERR, match="cannot compute All as input #0"):
        tf.reduce_all(tf.constant([0.0]))


# ---------------------------------------------------------------------------------------
# reduce_logsumexp, reduce_variance, reduce_std
# ---------------------------------------------------------------------------------------

def test_reduce_logsumexp_is_stable():
    r = tf.reduce_logsumexp(tf.constant([1000.0, 1000.0])).numpy()
    assert r == np.float32(1000.0 + math.log(2.0))
    assert tf.reduce_logsumexp(tf.constant([-1000.0, -1000.0])).numpy() == \
        np.float32(-1000.0 + math.log(2.0))
    np.testing.assert_allclose(tf.reduce_logsumexp(tf.constant(X), axis=1, keepdims=True),
                               [[math.log(math.e + 2 * math.e ** 3)],
                                [math.log(2 * math.e ** 2 + 1)]], rtol=1e-6)
    assert tf.math.reduce_logsumexp is tf.reduce_logsumexp


def test_reduce_logsumexp_infinities_and_empty():
    assert tf.reduce_logsumexp(tf.constant([-inf, -inf])).numpy() == -inf
    assert tf.reduce_logsumexp(tf.constant([inf, 1.0])).numpy() == inf
    assert math.isnan(tf.reduce_logsumexp(tf.constant([nan, 1.0])).numpy())
    assert tf.reduce_logsumexp(tf.zeros([0])).numpy() == -inf


def test_reduce_logsumexp_gradient_is_softmax():
    assert grad(tf.reduce_logsumexp, [1000.0, 1000.0]).tolist() == [0.5, 0.5]
    g = grad(tf.reduce_logsumexp, [0.0, math.log(3.0)])
    np.testing.assert_allclose(g, [0.25, 0.75], rtol=1e-6)
    assert np.isnan(grad(tf.reduce_logsumexp, [-inf, -inf])).all()  # as TensorFlow


def test_reduce_logsumexp_rejects_integers_via_is_finite():
    with pytest.raises(ERR, match=r"(?s)int32 is not in the list.*\[Op:IsFinite\]"):
        tf.reduce_logsumexp(tf.constant([1, 2]))


def test_reduce_variance_and_std():
    np.testing.assert_allclose(tf.math.reduce_std(tf.constant(X), axis=0), [0.5, 0.5, 1.5])
    assert tf.math.reduce_variance(tf.constant([1.0, 2.0, 3.0, 4.0])).numpy() == 1.25
    r = tf.math.reduce_variance(tf.constant(X), axis=[0, 1], keepdims=True)
    assert r.shape == (1, 1)
    np.testing.assert_allclose(r.numpy(), [[np.var(X)]], rtol=1e-6)
    r = tf.math.reduce_variance(tf.constant([1.0, 2.0], tf.float16))
    assert r.dtype == tf.float16 and r.numpy() == 0.25


def test_reduce_variance_of_complex_is_real():
    r = tf.math.reduce_variance(tf.constant([1 + 1j, 2 - 1j]))
    assert r.dtype == tf.float64 and r.numpy() == 1.25
    np.testing.assert_allclose(tf.math.reduce_std(tf.constant([1 + 1j, 2 - 1j])).numpy(),
                               math.sqrt(1.25))


def test_reduce_variance_rejects_integers():
    for f in (tf.math.reduce_variance, tf.math.reduce_std):
        with pytest.raises(TypeError, match="Input must be either real or complex. Received "
                                            "integer type <dtype: 'int32'>."):
            f(tf.constant([1, 2]))


def test_reduce_std_gradient_of_constant_input_is_nan():
    assert np.isnan(grad(tf.math.reduce_std, [1.0, 1.0])).all()


# ---------------------------------------------------------------------------------------
# argmax / argmin
# ---------------------------------------------------------------------------------------

def test_argmax_argmin_defaults_and_ties():
    r = tf.argmax(tf.constant(X))
    assert r.dtype == tf.int64 and vals(r) == [1, 0, 0]
    assert vals(tf.math.argmax(tf.constant(X), axis=1)) == [1, 0]
    assert tf.argmax(tf.constant([1, 3, 3])).numpy() == 1
    assert tf.argmin(tf.constant([1, 0, 0])).numpy() == 1
    assert tf.argmax(tf.constant([False, True])).numpy() == 1
    r = tf.argmax(tf.constant([1, 3]), output_type=tf.int32)
    assert r.dtype == tf.int32 and r.numpy() == 1


@pytest.mark.parametrize("x, amax, amin", [
    ([1.0, nan, 3.0], 2, 0), ([nan, 1.0, 0.0], 1, 2), ([1.0, nan], 0, 0), ([nan, nan], 0, 0),
    ([0.0, nan, 5.0, nan], 2, 0), ([-inf, nan], 0, 0), ([nan, -inf], 0, 1),
    ([inf, nan], 0, 0), ([nan, inf], 1, 0), ([nan, 2.0, nan, 1.0], 1, 3),
])
def test_argmax_argmin_skip_nan(x, amax, amin):
    assert tf.argmax(tf.constant(x)).numpy() == amax
    assert tf.argmin(tf.constant(x)).numpy() == amin


def test_argmax_errors():
    with pytest.raises(ERR, match=r"^Expected dimension in the range \[0, 0\), but got 0 "
                                  r"\[Op:ArgMax\]"):
        tf.argmax(tf.constant(1))
    with pytest.raises(ERR, match=r"range \[-1, 1\), but got 1 \[Op:ArgMin\]"):
        tf.argmin(tf.constant([1, 2]), axis=1)
    with pytest.raises(ERR, match=r"Reduction axis 0 is empty in shape \[0\]"):
        tf.argmax(tf.zeros([0]))
    with pytest.raises(ERR, match="Value for attr 'output_type' of float is not in the list"):
        tf.argmax(tf.constant([1, 2]), output_type=tf.float32)


# ---------------------------------------------------------------------------------------
# cumsum / cumprod
# ---------------------------------------------------------------------------------------

def test_cumsum_variants():
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert vals(tf.cumsum(x, axis=1)) == [[1, 3, 6], [4, 9, 15]]
    assert vals(tf.cumsum(x, axis=1, exclusive=True)) == [[0, 1, 3], [0, 4, 9]]
    assert vals(tf.cumsum(x, axis=1, reverse=True)) == [[6, 5, 3], [15, 11, 6]]
    assert vals(tf.cumsum(x, axis=-1, exclusive=True, reverse=True)) == [[5, 3, 0], [11, 6, 0]]
    assert vals(tf.cumsum(tf.constant([200, 100], tf.uint8))) == [200, 44]


def test_cumprod_variants():
    assert vals(tf.math.cumprod(tf.constant([1.0, 2.0, 3.0]), exclusive=True)) == [1, 1, 2]
    assert vals(tf.math.cumprod(tf.constant([[1, 2], [3, 4]]), axis=-1, reverse=True)) == \
        [[2, 2], [12, 4]]


def test_scan_axis_errors():
    with pytest.raises(ERR, match=r"^ScanOp: Expected scan axis in the range \[0, 0\), but got "
                                  r"0 \[Op:Cumsum\]"):
        tf.cumsum(tf.constant(1.0))
    with pytest.raises(ERR, match=r"range \[-1, 1\), but got 1 \[Op:Cumprod\]"):
        tf.math.cumprod(tf.constant([1.0]), axis=1)
    with pytest.raises(ERR, match="bool is not in the list"):
        tf.cumsum(tf.constant([True]))


def test_cumsum_gradient_is_reverse_cumsum():
    assert grad(tf.cumsum, [1.0, 2.0, 3.0]).tolist() == [3.0, 2.0, 1.0]
    assert grad(lambda x: tf.cumsum(x, exclusive=True), [1.0, 2.0, 3.0]).tolist() == \
        [2.0, 1.0, 0.0]


def test_cumprod_gradient_at_zero_follows_tensorflow():
    # TensorFlow divides by x with div_no_nan: the gradient at a zero entry is 0.
    assert grad(tf.math.cumprod, [1.0, 0.0, 3.0]).tolist() == [1.0, 0.0, 0.0]
    assert grad(tf.math.cumprod, [2.0, 3.0]).tolist() == [4.0, 2.0]


# ---------------------------------------------------------------------------------------
# top_k and count_nonzero
# ---------------------------------------------------------------------------------------

def test_top_k_values_indices_and_ties():
    r = tf.math.top_k(tf.constant([1.0, 3.0, 3.0, 2.0]), k=2)
    assert type(r).__name__ == "TopKV2" and r._fields == ("values", "indices")
    assert vals(r.values) == [3.0, 3.0] and vals(r.indices) == [1, 2]
    assert r.indices.dtype == tf.int32
    r = tf.math.top_k(tf.constant([[1, 3, 3, 2], [5, 1, 1, 0]]), k=3)
    assert vals(r.values) == [[3, 3, 2], [5, 1, 1]] and vals(r.indices) == [[1, 2, 3],
                                                                             [0, 1, 2]]
    r = tf.math.top_k(tf.constant([5.0, 1.0, 4.0]), k=tf.constant(2), index_type=tf.int64)
    assert vals(r.indices) == [0, 2] and r.indices.dtype == tf.int64
    r = tf.math.top_k(tf.constant([1.0, 2.0]), k=0)
    assert r.values.shape == (0,) and r.indices.shape == (0,)
    r = tf.math.top_k(tf.constant([1.0, nan, 3.0]), k=2)
    assert math.isnan(vals(r.values)[0]) and vals(r.indices) == [1, 2]


def test_top_k_errors():
    with pytest.raises(ERR, match=r"^input must have at least k columns. Had 2, needed 3 "
                                  r"\[Op:TopKV2\]"):
        tf.math.top_k(tf.constant([1.0, 3.0]), k=3)
    with pytest.raises(ERR, match="Need k >= 0, got -1"):
        tf.math.top_k(tf.constant([1.0]), k=-1)
    with pytest.raises(ERR, match=r"input must be >= 1-D, got shape \[\]"):
        tf.math.top_k(tf.constant(1.0), k=1)
    with pytest.raises(ERR, match="bool is not in the list"):
        tf.math.top_k(tf.constant([True]), k=1)


def test_top_k_gradient_scatters_to_chosen_entries():
    g = grad(lambda x: tf.math.top_k(x, k=2).values, [1.0, 3.0, 3.0, 2.0])
    assert g.tolist() == [0.0, 1.0, 1.0, 0.0]
    g = grad(lambda x: tf.math.top_k(x, k=1).values * 5.0, [[1.0, 2.0], [4.0, 3.0]])
    assert g.tolist() == [[0.0, 5.0], [5.0, 0.0]]


def test_count_nonzero():
    r = tf.math.count_nonzero(tf.constant([[0, 1], [2, 0]]))
    assert r.dtype == tf.int64 and r.numpy() == 2
    r = tf.math.count_nonzero(tf.constant([[0.0, 1.0], [2.0, 3.0]]), axis=1, keepdims=True,
                              dtype=tf.int32)
    assert r.dtype == tf.int32 and vals(r) == [[1], [2]]
    assert tf.math.count_nonzero(tf.constant([True, False])).numpy() == 1
    assert tf.math.count_nonzero(tf.constant(["", "a"])).numpy() == 1
    assert tf.math.count_nonzero(tf.constant([nan, 0.0])).numpy() == 1
    assert tf.math.count_nonzero([0, 1, 2]).numpy() == 2
    assert tf.math.count_nonzero(tf.constant([[0, 1]]), dtype=tf.float32).numpy() == 1.0


# ---------------------------------------------------------------------------------------
# Segment ops
# ---------------------------------------------------------------------------------------

def test_segment_reductions():
    data = tf.constant([[1, 2], [3, 4], [5, 6]])
    assert vals(tf.math.segment_sum(data, tf.constant([0, 0, 2]))) == [[4, 6], [0, 0], [5, 6]]
    x, ids = tf.constant([1.0, 2.0, 4.0]), tf.constant([0, 0, 2])
    assert vals(tf.math.segment_mean(x, ids)) == [1.5, 0.0, 4.0]
    assert vals(tf.math.segment_max(x, ids)) == [2.0, 0.0, 4.0]
    assert vals(tf.math.segment_min(x, ids)) == [1.0, 0.0, 4.0]
    assert vals(tf.math.segment_mean(tf.constant([1, 2, 4]), ids)) == [1, 0, 4]
    assert vals(tf.math.segment_sum([1.0, 2.0, 3.0], [0, 1, 1])) == [1.0, 5.0]
    assert tf.math.segment_sum(tf.zeros([0, 2]), tf.zeros([0], tf.int32)).shape == (0, 2)


def test_segment_errors():
    with pytest.raises(ERR, match=r"^segment ids are not increasing \[Op:SegmentSum\]"):
        tf.math.segment_sum(tf.constant([1, 2, 3]), tf.constant([1, 0, 1]))
    with pytest.raises(ERR, match=r"Segment id -1 out of range \[0, 2\), possibly because "):
        tf.math.segment_sum(tf.constant([1, 2, 3]), tf.constant([-1, 0, 1]))
    with pytest.raises(ERR, match="segment_ids should be the same size as dimension 0"):
        tf.math.segment_sum(tf.constant([1, 2, 3]), tf.constant([0, 1]))
    with pytest.raises(ERR, match="Value for attr 'Tindices' of float is not in the list"):
        tf.math.segment_sum(tf.constant([1, 2, 3]), tf.constant([0.0, 1.0, 1.0]))


def test_unsorted_segment_reductions():
    x, ids = tf.constant([1.0, 2.0, 4.0]), tf.constant([2, 0, 2])
    assert vals(tf.math.unsorted_segment_sum(x, ids, 4)) == [2.0, 0.0, 5.0, 0.0]
    assert vals(tf.math.unsorted_segment_sum(x, tf.constant([-1, 0, 2]), 3)) == [2.0, 0.0, 4.0]
    lo = float(np.finfo(np.float32).min)
    assert vals(tf.math.unsorted_segment_max(x, ids, 4)) == [2.0, lo, 4.0, lo]
    assert vals(tf.math.unsorted_segment_min(tf.constant([1, 2, 4]), ids, 4)) == \
        [2, 2**31 - 1, 1, 2**31 - 1]
    assert vals(tf.math.unsorted_segment_mean(x, ids, 4)) == [2.0, 0.0, 2.5, 0.0]
    np.testing.assert_allclose(tf.math.unsorted_segment_sqrt_n(x, ids, 4).numpy(),
                               [2.0, 0.0, 5 / math.sqrt(2), 0.0], rtol=1e-6)
    r = tf.math.unsorted_segment_sum(tf.constant([[1.0, 2.0], [4.0, 5.0]]),
                                     tf.constant([[0, 1], [1, 1]]), num_segments=2)
    assert vals(r) == [1.0, 11.0]


def test_unsorted_segment_out_of_range():
    with pytest.raises(ERR, match=r"^segment_ids\[0\] = 5 is out of range \[0, 3\) "
                                  r"\[Op:UnsortedSegmentSum\]"):
        tf.math.unsorted_segment_sum(tf.constant([1.0, 2.0]), tf.constant([5, 0]), 3)


def test_segment_gradients():
    w = tf.constant([1.0, 2.0, 3.0])
    ids = tf.constant([0, 0, 2])
    assert grad(lambda x: tf.math.segment_sum(x, ids) * w, [1.0, 2.0, 3.0]).tolist() == \
        [1.0, 1.0, 3.0]
    assert grad(lambda x: tf.math.segment_mean(x, ids) * w, [1.0, 2.0, 3.0]).tolist() == \
        [0.5, 0.5, 3.0]
    # Ties share the gradient, as for reduce_max.
    assert grad(lambda x: tf.math.segment_max(x, ids) * w, [2.0, 2.0, 3.0]).tolist() == \
        [0.5, 0.5, 3.0]
    assert grad(lambda x: tf.math.unsorted_segment_max(x, ids, 3) * w,
                [2.0, 2.0, 3.0]).tolist() == [0.5, 0.5, 3.0]
    # Dropped (negative) ids get no gradient.
    assert grad(lambda x: tf.math.unsorted_segment_sum(x, tf.constant([-1, 1, 0]), 2) * w[:2],
                [1.0, 1.0, 1.0]).tolist() == [0.0, 2.0, 1.0]


def test_segment_prod_is_not_implemented():
    with pytest.raises(NotImplementedError, match="segment_prod"):
        tf.math.segment_prod(tf.constant([1.0]), tf.constant([0]))

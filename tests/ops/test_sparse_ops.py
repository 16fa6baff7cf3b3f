"""tf.SparseTensor and tf.sparse: hand-computed results, properties against a NumPy dense
reference, gradients against finite differences, and error types/messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tests.helpers.gradcheck import check_gradients

A = tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4])
B = tf.SparseTensor([[0, 0], [0, 3], [2, 1]], [5.0, -1.0, 3.0], [3, 4])


def _dense(sp):
    return tf.sparse.to_dense(sp).numpy()


def _parts(sp):
    return sp.indices.numpy().tolist(), sp.values.numpy().tolist(), sp.dense_shape.numpy().tolist()


# --- construction and the class --------------------------------------------------------------

def test_components_have_tf_dtypes():
    assert A.indices.dtype == tf.int64 and A.dense_shape.dtype == tf.int64
    assert A.dtype == tf.float32 and A.values.dtype == tf.float32
    assert tf.SparseTensor([[0]], [1], [2]).dtype == tf.int32


def test_shape_and_get_shape_are_tensor_shapes():
    assert A.shape == tf.TensorShape([3, 4])
    assert A.get_shape().as_list() == [3, 4]
    A.set_shape([3, None])
    with pytest.raises(ValueError):
        A.set_shape([3, 5])


def test_sparse_tensor_alias():
    assert tf.sparse.SparseTensor is tf.SparseTensor


def test_repr_and_str_are_tf_layout():
    st_ = tf.SparseTensor([[0, 1]], [1], [2, 2])
    expected = ("SparseTensor(indices=tf.Tensor([[0 1]], shape=(1, 2), dtype=int64), "
                "values=tf.Tensor([1], shape=(1,), dtype=int32), "
                "dense_shape=tf.Tensor([2 2], shape=(2,), dtype=int64))")
    assert repr(st_) == expected and str(st_) == expected


@pytest.mark.parametrize("args, exc, msg", [
    (([[0, 1]], [1, 2], [2, 2]), ValueError, "Dimensions 1 and 2 are not compatible"),
    (([[0, 1, 1]], [1], [2, 2]), ValueError, "Dimensions 3 and 2 are not compatible"),
    (([0, 0], [1], [2, 2]), ValueError, "Shape (2,) must have rank 2"),
    (([[0, 0]], [[1]], [2, 2]), ValueError, "Shape (1, 1) must have rank 1"),
    (([[0.5, 0]], [1], [2, 2]), TypeError, "Cannot convert [[0.5, 0]] to EagerTensor of dtype "
                                           "int64"),
])
def test_constructor_errors(args, exc, msg):
    with pytest.raises(exc) as e:
        tf.SparseTensor(*args)
    assert str(e.value) == msg


def test_int32_indices_tensor_is_rejected_with_tf_message():
    with pytest.raises(ValueError, match="^indices: Tensor conversion requested dtype int64"):
        tf.SparseTensor(tf.constant([[0, 1]]), [1], [2, 2])


def test_with_values_keeps_indices():
    out = A.with_values(A.values * 3)
    assert _parts(out) == ([[0, 0], [1, 2]], [3.0, 6.0], [3, 4])


def test_from_value():
    assert tf.SparseTensor.from_value(A) is A
    with pytest.raises(TypeError, match="neither a SparseTensor nor SparseTensorValue"):
        tf.SparseTensor.from_value(tf.constant([1]))


def test_mul_and_div_by_dense_give_sparse():
    assert _parts(A * 2.0)[1] == [2.0, 4.0]
    assert _parts(A / tf.constant([1.0, 2.0, 3.0, 4.0]))[1] == pytest.approx([1.0, 2 / 3])
    out = A * tf.constant([[10.0], [20.0], [30.0]])  # broadcast to the sparse shape
    assert _parts(out) == ([[0, 0], [1, 2]], [10.0, 40.0], [3, 4])


def test_mul_errors_as_tf():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"broadcasts dense to sparse only; got incompatible shapes: "
                             r"\[3,4\] vs. \[1,5\] \[Op:SparseDenseCwiseMul\]"):
        A * tf.ones([1, 5])
    with pytest.raises(ValueError, match="^y: Tensor conversion requested dtype float32"):
        A * tf.constant([1, 2, 3, 4])


@pytest.mark.parametrize("expr", [lambda: -A, lambda: abs(A), lambda: A + A, lambda: 2.0 * A,
                                  lambda: A - A])
def test_operators_tf_lacks_are_type_errors(expr):
    with pytest.raises(TypeError):
        expr()


# --- to_dense / from_dense -------------------------------------------------------------------

def test_to_dense_hand_computed():
    np.testing.assert_array_equal(
        _dense(A), [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])
    out = tf.sparse.to_dense(A, default_value=-1.0)
    assert out.numpy()[0].tolist() == [1.0, -1.0, -1.0, -1.0] and out.dtype == tf.float32


def test_to_dense_strings_and_bools():
    s = tf.SparseTensor([[1]], [b"a"], [3])
    assert tf.sparse.to_dense(s).numpy().tolist() == [b"", b"a", b""]
    b = tf.SparseTensor([[0], [1]], [True, True], [3])
    assert tf.sparse.to_dense(b).numpy().tolist() == [True, True, False]


@pytest.mark.parametrize("indices, msg", [
    ([[0, 5]], "indices[0] = [0,5] is out of bounds: need 0 <= index < [2,2]"),
    ([[1, 1], [0, 1]], "indices[1] = [0,1] is out of order. Many sparse ops require sorted"),
    ([[1, 1], [1, 1]], "indices[1] = [1,1] is repeated [Op:SparseToDense]"),
])
def test_to_dense_validates_indices(indices, msg):
    sp = tf.SparseTensor(indices, list(range(len(indices))), [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.sparse.to_dense(sp)
    assert msg in str(e.value)


def test_to_dense_without_validation_accepts_unsorted():
    sp = tf.SparseTensor([[1, 1], [0, 1]], [1, 2], [2, 2])
    assert tf.sparse.to_dense(sp, validate_indices=False).numpy().tolist() == [[0, 2], [0, 1]]


def test_from_dense_round_trip():
    x = np.array([[0.0, 1.5], [-2.0, 0.0]], np.float32)
    sp = tf.sparse.from_dense(x)
    assert _parts(sp) == ([[0, 1], [1, 0]], [1.5, -2.0], [2, 2])
    np.testing.assert_array_equal(_dense(sp), x)


def test_from_dense_scalar_is_tf_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unhandled input dimensions: 0"):
        tf.sparse.from_dense(tf.constant(3))


# --- reorder, reshape, transpose, expand_dims, reset_shape ----------------------------------

def test_reorder_sorts_row_major():
    sp = tf.sparse.reorder(tf.SparseTensor([[1, 1], [0, 1], [1, 0]], [1, 2, 3], [2, 2]))
    assert _parts(sp) == ([[0, 1], [1, 0], [1, 1]], [2, 3, 1], [2, 2])


def test_reshape_hand_computed_and_minus_one():
    assert _parts(tf.sparse.reshape(B, [4, 3]))[0] == [[0, 0], [1, 0], [3, 0]]
    out = tf.sparse.reshape(B, [-1, 2])
    assert _parts(out)[0] == [[0, 0], [1, 1], [4, 1]] and _parts(out)[2] == [6, 2]


def test_reshape_size_mismatch():
    with pytest.raises(tf.errors.InvalidArgumentError, match="requested shape has 15"):
        tf.sparse.reshape(A, [5, 3])


def test_transpose_and_expand_dims():
    assert _parts(tf.sparse.transpose(B)) == ([[0, 0], [1, 2], [3, 0]], [5.0, 3.0, -1.0],
                                              [4, 3])
    assert _parts(tf.sparse.expand_dims(A, -1))[0] == [[0, 0, 0], [1, 2, 0]]
    assert tf.sparse.expand_dims(A, 1).shape == tf.TensorShape([3, 1, 4])


def test_reset_shape():
    assert _parts(tf.sparse.reset_shape(A))[2] == [2, 3]
    assert _parts(tf.sparse.reset_shape(A, [4, 5]))[2] == [4, 5]
    with pytest.raises(ValueError, match="should have dimension sizes >= sp_input.shape"):
        tf.sparse.reset_shape(A, [2, 5])


# --- selection -------------------------------------------------------------------------------

def test_slice_retain_fill_empty_rows():
    assert _parts(tf.sparse.slice(B, [0, 1], [2, 3])) == ([[0, 2]], [-1.0], [2, 3])
    assert _parts(tf.sparse.slice(A, [5, 0], [1, 1]))[2] == [0, 1]
    assert _parts(tf.sparse.retain(B, [True, False, True]))[1] == [5.0, 3.0]
    filled, empty = tf.sparse.fill_empty_rows(A, -1.0)
    assert _parts(filled) == ([[0, 0], [1, 2], [2, 0]], [1.0, 2.0, -1.0], [3, 4])
    assert empty.numpy().tolist() == [False, False, True]


def test_retain_length_mismatch():
    with pytest.raises(ValueError, match="Dimensions 2 and 1 are not compatible"):
        tf.sparse.retain(A, [True])


def test_to_indicator():
    sp = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [0, 2, 1], [2, 3])
    assert tf.sparse.to_indicator(sp, 4).numpy().tolist() == [
        [True, False, True, False], [False, True, False, False]]


# --- combination -----------------------------------------------------------------------------

def test_add_sparse_sparse_hand_computed():
    assert _parts(tf.sparse.add(A, B)) == (
        [[0, 0], [0, 3], [1, 2], [2, 1]], [6.0, -1.0, 2.0, 3.0], [3, 4])


def test_add_threshold_drops_only_small_sums():
    c = tf.SparseTensor([[0, 0]], [-0.9], [3, 4])
    d = tf.SparseTensor([[1, 0]], [0.125], [3, 4])
    out = tf.sparse.add(tf.sparse.add(A, d), c, threshold=0.5)
    assert _parts(out) == ([[1, 0], [1, 2]], [0.125, 2.0], [3, 4])  # small singles are kept


def test_add_sparse_dense_either_order():
    expected = np.ones((3, 4), np.float32) + _dense(A)
    np.testing.assert_array_equal(tf.sparse.add(A, tf.ones([3, 4])).numpy(), expected)
    np.testing.assert_array_equal(tf.sparse.add(tf.ones([3, 4]), A).numpy(), expected)


@pytest.mark.parametrize("b, exc, msg", [
    (tf.SparseTensor([[0, 0]], [1.0], [3, 5]), tf.errors.InvalidArgumentError,
     "Operands' shapes do not match: got 4 and 5 for dimension 1 [Op:SparseAdd]"),
    (tf.SparseTensor([[0, 0]], [1], [3, 4]), tf.errors.InvalidArgumentError,
     "cannot compute SparseAdd as input #4(zero-based) was expected to be a float tensor but "
     "is a int32 tensor"),
    (tf.ones([4]), tf.errors.InvalidArgumentError,
     "Two operands have different ranks; received: 2 and 1"),
    (tf.ones([3, 1]), tf.errors.InvalidArgumentError,
     "Dimension 1 does not equal (no broadcasting is supported): sparse side 4 vs dense side 1"),
])
def test_add_errors(b, exc, msg):
    with pytest.raises(exc) as e:
        tf.sparse.add(A, b)
    assert msg in str(e.value)


def test_add_two_dense_is_type_error():
    with pytest.raises(TypeError, match="At least one input should be SparseTensor"):
        tf.sparse.add(tf.ones([2]), tf.ones([2]))


def test_concat_sorted_and_expand():
    out = tf.sparse.concat(1, [A, B])
    assert _parts(out) == ([[0, 0], [0, 4], [0, 7], [1, 2], [2, 5]],
                           [1.0, 5.0, -1.0, 2.0, 3.0], [3, 8])
    small = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
    assert _parts(tf.sparse.concat(1, [A, small], expand_nonconcat_dims=True))[2] == [3, 6]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected 3 for dimension 0 but got 2 at position 1"):
        tf.sparse.concat(1, [A, small])


def test_maximum_minimum_treat_missing_as_zero():
    assert _parts(tf.sparse.maximum(A, B))[1] == [5.0, 0.0, 2.0, 3.0]
    assert _parts(tf.sparse.minimum(A, B))[1] == [1.0, -1.0, 0.0, 0.0]


def test_map_values():
    assert _parts(tf.sparse.map_values(tf.square, A))[1] == [1.0, 4.0]


# --- reductions, softmax, products -----------------------------------------------------------

def test_reduce_sum_hand_computed():
    assert float(tf.sparse.reduce_sum(B)) == 7.0
    assert tf.sparse.reduce_sum(B, axis=1).numpy().tolist() == [4.0, 0.0, 3.0]
    assert tf.sparse.reduce_sum(B, axis=[0, 1], keepdims=True).numpy().tolist() == [[7.0]]
    sp = tf.sparse.reduce_sum(B, axis=-1, keepdims=True, output_is_sparse=True)
    assert _parts(sp) == ([[0, 0], [2, 0]], [4.0, 3.0], [3, 1])


def test_reduce_max_ignores_implicit_zeros():
    neg = tf.SparseTensor([[0, 0]], [-3.0], [2, 2])
    assert tf.sparse.reduce_max(neg, axis=1).numpy().tolist() == [-3.0, 0.0]
    assert float(tf.sparse.reduce_max(B)) == 5.0
    assert _parts(tf.sparse.reduce_max(B, axis=0, output_is_sparse=True)) == (
        [[0], [1], [3]], [5.0, 3.0, -1.0], [4])


def test_reduce_bad_axis():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Invalid reduction dimension 2, for input with 2 dimensions."):
        tf.sparse.reduce_sum(A, axis=2)


def test_softmax_over_stored_entries():
    sp = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(tf.sparse.softmax(sp).values.numpy(),
                               [e[0] / e.sum(), e[1] / e.sum(), 1.0], rtol=1e-6)


def test_sparse_dense_matmul_hand_computed_and_adjoints():
    ones = tf.ones([4, 2])
    assert tf.sparse.sparse_dense_matmul(A, ones).numpy().tolist() == [[1, 1], [2, 2], [0, 0]]
    assert tf.sparse.sparse_dense_matmul(A, tf.ones([3, 2]), adjoint_a=True).numpy().tolist() \
        == [[1, 1], [0, 0], [2, 2], [0, 0]]
    assert tf.sparse.sparse_dense_matmul(A, tf.ones([2, 4]), adjoint_b=True).numpy().tolist() \
        == [[1, 1], [2, 2], [0, 0]]
    assert tf.sparse.sparse_dense_matmul(tf.ones([2, 3]), A).numpy().tolist() == [
        [1, 0, 2, 0], [1, 0, 2, 0]]


def test_sparse_dense_matmul_inner_dimension_error():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"inner dimension does not match: 4 vs. 5"):
        tf.sparse.sparse_dense_matmul(A, tf.ones([5, 2]))


def test_segment_ops_and_eye():
    data = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert tf.sparse.segment_sum(data, [0, 2], [0, 0]).numpy().tolist() == [[6.0, 8.0]]
    assert tf.sparse.segment_mean(data, [0, 2], [0, 0]).numpy().tolist() == [[3.0, 4.0]]
    out = tf.sparse.segment_sqrt_n(data, [0, 2], [0, 1], num_segments=3).numpy().tolist()
    assert out == [[1.0, 2.0], [5.0, 6.0], [0.0, 0.0]]
    assert _parts(tf.sparse.eye(2, 3)) == ([[0, 0], [1, 1]], [1.0, 1.0], [2, 3])


def test_cross_combines_each_row():
    st_ = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [b"a", b"b", b"c"], [2, 2])
    out = tf.sparse.cross([tf.constant([[1, 2], [3, 4]]), st_], separator="+")
    assert _parts(out) == ([[0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [1, 3]],
                           [b"a+1", b"a+2", b"b+3", b"b+4", b"c+3", b"c+4"], [2, 4])


def test_unimplemented_names_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="tf.sparse.cross_hashed"):
        tf.sparse.cross_hashed  # noqa: B018
    with pytest.raises(AttributeError):
        tf.sparse.no_such_thing  # noqa: B018


# --- gradients (float64, central differences) ------------------------------------------------

IDX = [[0, 1], [1, 0], [2, 2], [2, 3]]
VALS = np.array([0.5, -1.2, 2.0, 0.3])


def _sp64(v):
    return tf.SparseTensor(IDX, v, [3, 4])


def test_to_dense_gradient():
    check_gradients(lambda v: tf.sparse.to_dense(_sp64(v)), [VALS], order=2)


def test_reduce_sum_gradient():
    check_gradients(lambda v: tf.sparse.reduce_sum(_sp64(v), axis=0), [VALS], order=2)
    check_gradients(lambda v: tf.sparse.reduce_sum(_sp64(v), axis=1, output_is_sparse=True)
                    .values, [VALS])


def test_sparse_dense_matmul_gradient_values_and_dense():
    d = np.random.default_rng(0).standard_normal((4, 2))
    check_gradients(lambda v, m: tf.sparse.sparse_dense_matmul(_sp64(v), m), [VALS, d],
                    order=2)
    d3 = np.random.default_rng(1).standard_normal((3, 2))
    check_gradients(lambda v, m: tf.sparse.sparse_dense_matmul(_sp64(v), m, adjoint_a=True),
                    [VALS, d3])
    d_t = np.random.default_rng(2).standard_normal((2, 3))
    check_gradients(lambda v, m: tf.sparse.sparse_dense_matmul(m, _sp64(v)), [VALS, d_t])


def test_add_and_mul_gradients():
    d = np.random.default_rng(3).standard_normal((3, 4))
    other = tf.SparseTensor([[0, 1], [1, 1]], tf.constant([2.0, 1.0], tf.float64), [3, 4])
    check_gradients(lambda v: tf.sparse.add(_sp64(v), other).values, [VALS])
    check_gradients(lambda v, m: tf.sparse.add(_sp64(v), m), [VALS, d])
    check_gradients(lambda v, m: (_sp64(v) * m).values, [VALS, d], order=2)


def test_concat_and_transpose_gradients():
    check_gradients(lambda v: tf.sparse.concat(1, [_sp64(v), _sp64(2 * v)]).values, [VALS])
    check_gradients(lambda v: tf.sparse.transpose(_sp64(v)).values, [VALS])


def test_sampled_addmm_value_and_gradient():
    m1 = np.arange(6.0).reshape(2, 3)
    m2 = np.arange(6.0).reshape(3, 2)
    _, vals, shape = tf.sparse.sampled_addmm([[0, 0], [1, 1]], [1.0, 2.0], [2, 2],
                                             m1.astype(np.float32), m2.astype(np.float32),
                                             beta=0.5, alpha=2.0)
    full = m1 @ m2
    assert vals.numpy().tolist() == [2 * full[0, 0] + 0.5, 2 * full[1, 1] + 1.0]
    assert shape.dtype == tf.int32
    check_gradients(lambda v, a, b: tf.sparse.sampled_addmm(
        [[0, 1], [1, 0]], v, [2, 2], a, b, output_type=tf.float64)[1],
        [np.array([0.3, -0.7]), m1 / 5, m2 / 7], order=2)


def test_softmax_and_reduce_max_gradients():
    check_gradients(lambda v: tf.sparse.softmax(_sp64(v)).values, [VALS], order=2)
    check_gradients(lambda v: tf.sparse.reduce_max(_sp64(v), axis=1), [VALS])


def test_gradient_flows_through_variable_values():
    v = tf.Variable(np.array([1.0, 2.0]))
    with tf.GradientTape() as tape:
        sp = tf.SparseTensor([[0, 0], [1, 1]], v * 1.0, [2, 2])
        y = tf.reduce_sum(tf.sparse.to_dense(sp, default_value=5.0) ** 2)
    assert tape.gradient(y, v).numpy().tolist() == [2.0, 4.0]


# --- properties against a NumPy dense reference ----------------------------------------------

@st.composite
def sparse_pairs(draw):
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    masks = [draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols))
             for _ in range(2)]
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dense = []
    for m in masks:
        d = np.where(np.reshape(m, (rows, cols)), rng.integers(-5, 6, (rows, cols)), 0)
        dense.append(d.astype(np.float64))
    return dense


@settings(max_examples=30, deadline=None)
@given(sparse_pairs())
def test_add_matches_dense(pair):
    x, y = pair
    out = tf.sparse.add(tf.sparse.from_dense(x), tf.sparse.from_dense(y))
    np.testing.assert_array_equal(_dense(out), x + y)
    np.testing.assert_array_equal(tf.sparse.add(tf.sparse.from_dense(x), y).numpy(), x + y)


@settings(max_examples=30, deadline=None)
@given(sparse_pairs(), st.sampled_from([None, 0, 1, -1, (0, 1)]), st.booleans())
def test_reduce_sum_matches_dense(pair, axis, keepdims):
    x = pair[0]
    out = tf.sparse.reduce_sum(tf.sparse.from_dense(x), axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.numpy(), np.sum(x, axis=axis, keepdims=keepdims))
    sp = tf.sparse.reduce_sum(tf.sparse.from_dense(x), axis=axis, keepdims=keepdims,
                              output_is_sparse=True)
    np.testing.assert_array_equal(_dense(sp), np.sum(x, axis=axis, keepdims=keepdims))


@settings(max_examples=30, deadline=None)
@given(sparse_pairs(), st.booleans(), st.booleans(), st.integers(1, 3))
def test_sparse_dense_matmul_matches_dense(pair, adj_a, adj_b, n):
    x = pair[0]
    a = x.T if adj_a else x
    b = np.arange(a.shape[1] * n, dtype=np.float64).reshape(a.shape[1], n) - 2
    b_arg = b.T if adj_b else b
    out = tf.sparse.sparse_dense_matmul(tf.sparse.from_dense(x), b_arg, adjoint_a=adj_a,
                                        adjoint_b=adj_b)
    np.testing.assert_allclose(out.numpy(), a @ b)


@settings(max_examples=20, deadline=None)
@given(sparse_pairs())
def test_reorder_of_shuffled_is_sorted_and_same_dense(pair):
    x = pair[0]
    sp = tf.sparse.from_dense(x)
    perm = np.random.default_rng(0).permutation(sp.indices.shape[0])
    shuffled = tf.SparseTensor(sp.indices.numpy()[perm], sp.values.numpy()[perm], x.shape)
    out = tf.sparse.reorder(shuffled)
    assert _parts(out) == _parts(sp)


# --- split, bincount, validation order, doctests ----------------------------------------------

def test_split_first_pieces_are_longer():
    s = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 3]], [1, 1, 3, 5], [2, 4])
    pieces = tf.sparse.split(sp_input=s, num_split=3, axis=1)
    assert [_parts(p) for p in pieces] == [
        ([[0, 0], [0, 1], [1, 0]], [1, 1, 3], [2, 2]), ([], [], [2, 1]), ([[1, 0]], [5], [2, 1])]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"between 1 and the splitting dimension size \(4\), got 5"):
        tf.sparse.split(s, 5, 1)


def test_bincount_dense_and_sparse():
    s = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 3]], [1, 1, 3, 5], [2, 4])
    assert _parts(tf.sparse.bincount(s)) == ([[1], [3], [5]], [2, 1, 1], [6])
    assert _parts(tf.sparse.bincount(s, minlength=8))[2] == [8]
    assert _parts(tf.sparse.bincount(s, maxlength=4)) == ([[1], [3]], [2, 1], [4])
    assert _parts(tf.sparse.bincount(s, axis=-1, binary_output=True)) == (
        [[0, 1], [1, 3], [1, 5]], [1, 1, 1], [2, 6])
    dense = tf.constant([[1, 2, 2], [0, 0, 5]])
    assert _parts(tf.sparse.bincount(dense, axis=-1)) == (
        [[0, 1], [0, 2], [1, 0], [1, 5]], [1, 2, 2, 1], [2, 6])
    w = tf.sparse.bincount(tf.constant([1, 2, 2]), weights=tf.constant([0.5, 1.0, 2.0]))
    assert _parts(w) == ([[1], [2]], [0.5, 3.0], [3]) and w.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="must all be non-negative"):
        tf.sparse.bincount(tf.constant([1, -2]))


def test_validation_reports_first_offending_row():
    sp = tf.SparseTensor([[0, 0], [0, 2], [0, 1], [9, 9]], [1, 2, 3, 4], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[2\] = \[0,1\] is out "
                                                             r"of order"):
        tf.sparse.to_dense(sp)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Indices are not valid"):
        tf.sparse.to_dense(sp, validate_indices=False)


@pytest.mark.parametrize("module", ["tapeflow._src.ops.sparse_ops",
                                    "tapeflow._src.io.sparse_tensor"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module), extraglobs={"tf": tf},
                             optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0 and result.failed == 0


# --- tf.function: structure read from tensor data is guarded, so new data retraces ----------

def test_tf_function_with_changing_indices_and_values():
    g = tf.function(lambda i, v: tf.sparse.to_dense(tf.SparseTensor(i, v, [2, 2])))
    first = g(tf.constant([[0, 0]], tf.int64), tf.constant([1]))
    second = g(tf.constant([[1, 1]], tf.int64), tf.constant([4]))
    assert first.numpy().tolist() == [[1, 0], [0, 0]]
    assert second.numpy().tolist() == [[0, 0], [0, 4]]


def test_tf_function_threshold_and_from_dense_follow_the_data():
    h = tf.function(lambda v: tf.sparse.add(
        tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4]), tf.SparseTensor([[0, 0]], v[:1], [3, 4]),
        threshold=0.5).values)
    assert h(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 2.0]
    assert h(tf.constant([-0.1, 2.0])).numpy().tolist() == [2.0]
    f = tf.function(lambda x: tf.sparse.reduce_sum(tf.sparse.from_dense(x), axis=0))
    assert f(tf.constant([[1.0, 0.0], [0.0, 2.0]])).numpy().tolist() == [1.0, 2.0]
    assert f(tf.constant([[0.0, 5.0], [0.0, 2.0]])).numpy().tolist() == [0.0, 7.0]


def test_tf_function_matmul_gradient():
    d = tf.Variable(tf.ones([4, 2]))
    step = tf.function(lambda v: tf.reduce_sum(
        tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4]), d)))
    v = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = step(v)
    assert float(y) == 6.0
    assert tape.gradient(y, v).numpy().tolist() == [2.0, 2.0]


def test_unstack_and_stack_rows_for_tf_data():
    from tapeflow._src.ops.sparse_extra_ops import stack_rows, unstack_rows
    rows = unstack_rows(A)
    assert [_parts(r) for r in rows] == [([[0]], [1.0], [4]), ([[2]], [2.0], [4]),
                                         ([], [], [4])]
    assert _parts(stack_rows(rows)) == _parts(A)
    ragged = stack_rows([tf.SparseTensor([[1]], [3], [2]), tf.SparseTensor([[4]], [5], [5])])
    assert _parts(ragged) == ([[0, 1], [1, 4]], [3, 5], [2, 5])


def test_a_sparse_tensor_does_not_convert_to_a_dense_one():
    st = tf.sparse.SparseTensor([[0, 1]], [5.0], [2, 2])
    with pytest.raises(ValueError, match=r"Attempt to convert a value \(SparseTensor\(indices="
                                         r".*\) with an unsupported type \(<class '.*"
                                         r"SparseTensor'>\) to a Tensor."):
        tf.reduce_sum(st)

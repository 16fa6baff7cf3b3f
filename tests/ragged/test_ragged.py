"""RaggedTensor and tf.ragged: construction, components, printing, indexing, conversion,
elementwise math, reductions, concat/stack, RaggedTensorSpec and gradients (hand-computed
expectations; gradients against central finite differences in float64)."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ragged import ragged_ops
from tests.helpers.gradcheck import check_gradients

DIGITS = [[3, 1, 4, 1], [], [5, 9, 2], [6], []]


@pytest.fixture
def digits():
    return tf.ragged.constant(DIGITS)


# -- construction -------------------------------------------------------------------------
def test_constant_components(digits):
    assert isinstance(digits, tf.RaggedTensor)
    assert digits.dtype == tf.int32
    assert digits.ragged_rank == 1
    assert digits.shape.as_list() == [5, None]
    assert digits.row_splits.dtype == tf.int64
    assert digits.row_splits.numpy().tolist() == [0, 4, 4, 7, 8, 8]
    assert digits.values.numpy().tolist() == [3, 1, 4, 1, 5, 9, 2, 6]
    assert digits.flat_values.numpy().tolist() == [3, 1, 4, 1, 5, 9, 2, 6]
    assert digits.row_lengths().numpy().tolist() == [4, 0, 3, 1, 0]
    assert digits.value_rowids().numpy().tolist() == [0, 0, 0, 0, 2, 2, 2, 3]
    assert int(digits.nrows()) == 5 and digits.nrows().dtype == tf.int64
    assert digits.bounding_shape().numpy().tolist() == [5, 4]
    assert digits.to_list() == DIGITS


def test_constant_dtypes_and_rank():
    assert tf.ragged.constant([[1.5], [2]]).dtype == tf.float32
    assert tf.ragged.constant([[True], []]).dtype == tf.bool
    assert tf.ragged.constant([["a"], ["b", "c"]]).dtype == tf.string
    assert tf.ragged.constant([[1], [2, 3]], dtype=tf.float64).dtype == tf.float64
    r = tf.ragged.constant([[1], [2, 3]], row_splits_dtype=tf.int32)
    assert r.row_splits.dtype == tf.int32 and r.row_splits.numpy().tolist() == [0, 1, 3]
    r3 = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])
    assert r3.ragged_rank == 2 and r3.shape.as_list() == [2, None, None]
    assert [s.numpy().tolist() for s in r3.nested_row_splits] == [[0, 2, 3], [0, 2, 3, 5]]
    assert r3.flat_values.numpy().tolist() == [1, 2, 3, 4, 5]
    u = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert u.shape.as_list() == [2, None, 2] and u.values.shape.as_list() == [3, 2]
    v = tf.ragged.constant([[[1, 2], [3, 4]], []], inner_shape=(2,))
    assert v.ragged_rank == 1 and v.to_list() == [[[1, 2], [3, 4]], []]


def test_constant_empty():
    e = tf.ragged.constant([])
    assert isinstance(e, tf.Tensor) and e.shape.as_list() == [0] and e.dtype == tf.float32
    r = tf.ragged.constant([[]])
    assert isinstance(r, tf.RaggedTensor) and r.shape.as_list() == [1, None]
    assert r.dtype == tf.float32 and r.to_list() == [[]]
    assert tf.ragged.constant([[[]]]).ragged_rank == 2


def test_constant_errors():
    with pytest.raises(ValueError, match="mixed types"):
        tf.ragged.constant([["one", "two"], [3, 4]])
    with pytest.raises(ValueError, match="same nesting depth"):
        tf.ragged.constant(["A", ["B", "C"]])
    with pytest.raises(ValueError, match="requires scalar value depth greater than 2"):
        tf.ragged.constant([[1, 2], [3]], ragged_rank=2)
    with pytest.raises(ValueError, match="inner values have inconsistent shape"):
        tf.ragged.constant([[[1, 2], [3]]], ragged_rank=1)


def test_factories():
    vals = [3, 1, 4, 1, 5, 9, 2]
    want = [[3, 1, 4, 1], [], [5, 9], [2]]
    R = tf.RaggedTensor
    assert R.from_value_rowids(vals, [0, 0, 0, 0, 2, 2, 3]).to_list() == want
    assert R.from_row_lengths(vals, [4, 0, 2, 1]).to_list() == want
    assert R.from_row_splits(vals, [0, 4, 4, 6, 7]).to_list() == want
    assert R.from_row_starts(vals, [0, 4, 4, 6]).to_list() == want
    assert R.from_row_limits(vals, [4, 4, 6, 7]).to_list() == want
    assert R.from_value_rowids(vals, [0, 0, 0, 0, 2, 2, 3], nrows=6).to_list() == \
        want + [[], []]
    assert R.from_nested_row_lengths([1, 2, 3, 4, 5], [[2, 1], [2, 0, 3]]).to_list() == \
        [[[1, 2], []], [[3, 4, 5]]]
    assert R.from_nested_row_splits([1, 2, 3], [[0, 2], [0, 1, 3]]).to_list() == \
        [[[1], [2, 3]]]
    s32 = R.from_row_splits(tf.constant([1., 2.]), tf.constant([0, 1, 2], tf.int32))
    assert s32.row_splits.dtype == tf.int32


def test_factory_errors():
    R = tf.RaggedTensor
    with pytest.raises(tf.errors.InvalidArgumentError, match="zero"):
        R.from_row_splits([1, 2, 3], [1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="valid RaggedTensor"):
        R.from_row_splits([1, 2, 3], [0, 2, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="valid RaggedTensor"):
        R.from_row_lengths([1, 2, 3], [1, 1])
    with pytest.raises(ValueError, match="int32 or int64"):
        R.from_row_splits([1., 2.], [0, 1, 2.])
    with pytest.raises(TypeError):
        R()
    with pytest.raises(ValueError, match="private"):
        R([1], [0, 1])


def test_from_tensor():
    R = tf.RaggedTensor
    assert R.from_tensor([[1, 2, 0], [3, 0, 0]], padding=0).to_list() == [[1, 2], [3]]
    assert R.from_tensor([[1, 2, 0], [3, 0, 0]], lengths=[1, 3]).to_list() == [[1], [3, 0, 0]]
    d = R.from_tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    assert d.shape.as_list() == [2, 2, 2] and d.ragged_rank == 1
    d2 = R.from_tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], ragged_rank=2)
    assert d2.ragged_rank == 2 and d2.to_list() == [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]


# -- printing and NumPy -------------------------------------------------------------------
def test_printing(digits):
    text = "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>"
    assert str(digits) == text and repr(digits) == text
    assert str(tf.ragged.constant([[0.1, 2], [3]])) == "<tf.RaggedTensor [[0.1, 2.0], [3.0]]>"
    assert str(tf.ragged.constant([[True], [False, True]])) == \
        "<tf.RaggedTensor [[True], [False, True]]>"
    assert str(tf.ragged.constant([["So", "long"], ["x"]])) == \
        "<tf.RaggedTensor [[b'So', b'long'], [b'x']]>"
    assert str(tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])) == \
        "<tf.RaggedTensor [[[1, 2], [3]], [[4, 5]]]>"
    assert str(tf.ragged.constant([[], []])) == "<tf.RaggedTensor [[], []]>"
    # uniform rows print through NumPy's 2-D layout, as in TensorFlow
    assert str(tf.ragged.range([1, 2], [4, 6], 2)) == "<tf.RaggedTensor [[1, 3],\n [2, 4]]>"


def test_numpy(digits):
    n = digits.numpy()
    assert n.dtype == object and n.shape == (5,)
    assert [r.tolist() for r in n] == DIGITS and n[0].dtype == np.int32
    u = tf.ragged.constant([[1, 2], [3, 4]]).numpy()
    assert u.dtype == np.int32 and u.tolist() == [[1, 2], [3, 4]]


# -- indexing -----------------------------------------------------------------------------
def test_indexing(digits):
    assert digits[0].numpy().tolist() == [3, 1, 4, 1]
    assert digits[-1].shape.as_list() == [0]
    assert int(digits[2, 1]) == 9
    assert digits[2, :2].numpy().tolist() == [5, 9]
    assert digits[:, :2].to_list() == [[3, 1], [], [5, 9], [6], []]
    assert digits[2:].to_list() == [[5, 9, 2], [6], []]
    assert digits[::2].to_list() == [[3, 1, 4, 1], [5, 9, 2], []]
    assert digits[1:3, 1:].to_list() == [[], [9, 2]]
    assert digits[1:, :-1].to_list() == [[], [5, 9], [], []]
    assert digits[:, ::-1].to_list() == [[1, 4, 1, 3], [], [2, 9, 5], [6], []]
    assert digits[tf.newaxis].to_list() == [DIGITS]
    r3 = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])
    assert r3[0].to_list() == [[1, 2], [3]]
    assert r3[:, :, :1].to_list() == [[[1], [3]], [[4]]]


def test_indexing_errors(digits):
    with pytest.raises(ValueError, match="Cannot index into an inner ragged dimension"):
        digits[:, 1]
    with pytest.raises(ValueError, match="Cannot index into an inner ragged dimension"):
        digits[..., 0]
    with pytest.raises(IndexError, match="Row key 5 out of bounds"):
        digits[5]
    with pytest.raises(TypeError, match="valid indices"):
        digits[1.5]


# -- conversion ---------------------------------------------------------------------------
def test_to_tensor(digits):
    assert digits.to_tensor().numpy().tolist() == [
        [3, 1, 4, 1], [0, 0, 0, 0], [5, 9, 2, 0], [6, 0, 0, 0], [0, 0, 0, 0]]
    assert digits.to_tensor(default_value=-1, shape=[3, 2]).numpy().tolist() == [
        [3, 1], [-1, -1], [5, 9]]
    assert tf.ragged.constant([[1, 2], [3]]).to_tensor(shape=[None, 5]).numpy().tolist() == \
        [[1, 2, 0, 0, 0], [3, 0, 0, 0, 0]]
    r3 = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])
    assert r3.to_tensor().numpy().tolist() == [[[1, 2], [3, 0]], [[4, 5], [0, 0]]]
    assert r3.bounding_shape().numpy().tolist() == [2, 2, 2]
    assert r3.to_tensor(default_value=9, shape=[2, 1, 3]).numpy().tolist() == \
        [[[1, 2, 9]], [[4, 5, 9]]]
    s = tf.ragged.constant([["a"], ["b", "c"]]).to_tensor()
    assert s.numpy().tolist() == [[b"a", b""], [b"b", b"c"]]
    with pytest.raises(ValueError):
        tf.convert_to_tensor(digits)


def test_sparse_round_trip():
    x = tf.ragged.constant([["John"], ["a", "big", "dog"], ["my", "cat"]])
    sp = x.to_sparse()
    assert sp.indices.numpy().tolist() == [[0, 0], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1]]
    assert sp.dense_shape.numpy().tolist() == [3, 3]
    assert tf.RaggedTensor.from_sparse(sp).to_list() == x.to_list()
    st = tf.SparseTensor(indices=[[0, 0], [2, 0], [2, 1]], values=[1, 2, 3], dense_shape=[4, 3])
    assert tf.RaggedTensor.from_sparse(st).to_list() == [[1], [], [2, 3], []]


def test_with_values(digits):
    assert (digits.with_values(digits.values * 10)).to_list() == \
        [[30, 10, 40, 10], [], [50, 90, 20], [60], []]
    f = digits.with_flat_values(tf.cast(digits.flat_values, tf.float32))
    assert f.dtype == tf.float32 and f.row_splits.numpy().tolist() == [0, 4, 4, 7, 8, 8]


# -- elementwise math ---------------------------------------------------------------------
def test_operators(digits):
    assert (digits + 3).to_list() == [[6, 4, 7, 4], [], [8, 12, 5], [9], []]
    assert (3 + digits).to_list() == (digits + 3).to_list()
    assert (digits * 2).to_list() == [[6, 2, 8, 2], [], [10, 18, 4], [12], []]
    assert (10 - digits).to_list() == [[7, 9, 6, 9], [], [5, 1, 8], [4], []]
    assert (digits // 2).to_list() == [[1, 0, 2, 0], [], [2, 4, 1], [3], []]
    assert (digits / 2).to_list() == [[1.5, 0.5, 2.0, 0.5], [], [2.5, 4.5, 1.0], [3.0], []]
    assert (-digits).to_list() == [[-3, -1, -4, -1], [], [-5, -9, -2], [-6], []]
    assert abs(-digits).to_list() == DIGITS
    assert (digits > 2).to_list() == [[True, False, True, False], [], [True, True, False],
                                      [True], []]
    assert (digits == 3).to_list() == [[True, False, False, False], [], [False] * 3, [False],
                                       []]
    other = tf.ragged.constant([[1, 2, 3, 4], [], [5, 6, 7], [8], []])
    assert (digits + other).to_list() == [[4, 3, 7, 5], [], [10, 15, 9], [14], []]
    col = tf.constant([[1], [2], [3], [4], [5]])
    assert (digits + col).to_list() == [[4, 2, 5, 2], [], [8, 12, 5], [10], []]


def test_broadcasting():
    x = tf.ragged.constant([[[1, 2], [3, 4], [5, 6]], [[7, 8]]], ragged_rank=1)
    assert (x + tf.constant([[10]])).to_list() == [[[11, 12], [13, 14], [15, 16]], [[17, 18]]]
    y = tf.ragged.constant([[[[1], [2]], [], [[3]], [[4]]], [[[5], [6]]]], ragged_rank=2)
    out = y + tf.constant([10, 20, 30])
    assert out.shape.as_list() == [2, None, None, 3]
    assert out.to_list()[1] == [[[15, 25, 35], [16, 26, 36]]]
    sq = tf.ragged.constant([[1, 2], [3, 4]])
    assert (sq + tf.constant([[10, 20], [1, 2]])).to_list() == [[11, 22], [4, 6]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Last row partition"):
        sq + tf.constant([10, 20])  # TensorFlow refuses this too
    with pytest.raises(tf.errors.InvalidArgumentError):
        sq + tf.constant([[1, 2, 3], [4, 5, 6]])


def test_operator_errors(digits):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        digits + tf.ragged.constant([[1, 2, 3], [], [5, 6, 7, 4], [8], []])
    with pytest.raises(tf.errors.InvalidArgumentError, match="AddV2"):
        digits + 1.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        digits + tf.constant([1, 2, 3, 4, 5])
    with pytest.raises(TypeError):
        bool(digits)


def test_map_flat_values(digits):
    out = tf.ragged.map_flat_values(lambda x: x * 2 + 1, digits)
    assert out.to_list() == [[7, 3, 9, 3], [], [11, 19, 5], [13], []]
    assert tf.ragged.map_flat_values(tf.add, digits, digits).to_list() == \
        (digits * 2).to_list()
    with pytest.raises(ValueError):
        tf.ragged.map_flat_values(tf.add, digits, tf.ragged.constant([[1], [2]]))
    with pytest.raises(ValueError, match="outer-dimension size"):
        tf.ragged.map_flat_values(lambda x: x[:2], digits)


def test_range_and_boolean_mask(digits):
    assert tf.ragged.range([3, 0, 2]).to_list() == [[0, 1, 2], [], [0, 1]]
    assert tf.ragged.range(3).to_list() == [[0, 1, 2]]
    r = tf.ragged.range([3, 5], dtype=tf.int64)
    assert r.dtype == tf.int64 and r.to_list() == [[0, 1, 2], [0, 1, 2, 3, 4]]
    assert tf.ragged.range([1., 2.], [3., 4.], 0.5).to_list() == \
        [[1.0, 1.5, 2.0, 2.5], [2.0, 2.5, 3.0, 3.5]]
    assert tf.ragged.boolean_mask(digits, digits > 2).to_list() == \
        [[3, 4], [], [5, 9], [6], []]
    assert tf.ragged.boolean_mask([[1, 2], [3, 4]], [[True, False], [True, True]]).to_list() \
        == [[1], [3, 4]]


# -- reductions, concat, stack ------------------------------------------------------------
def test_reductions(digits):
    m = ragged_ops.reduce_mean(digits, axis=1)
    assert m.dtype == tf.float64
    np.testing.assert_allclose(m.numpy(), [2.25, np.nan, 16 / 3, 6, np.nan])
    assert ragged_ops.reduce_sum(digits, axis=0).numpy().tolist() == [14, 10, 6, 1]
    assert ragged_ops.reduce_sum(digits, axis=1).numpy().tolist() == [9, 0, 16, 6, 0]
    assert int(ragged_ops.reduce_sum(digits)) == 31
    lo = np.iinfo(np.int32).min
    assert ragged_ops.reduce_max(digits, axis=1).numpy().tolist() == [4, lo, 9, 6, lo]
    f = tf.ragged.constant([[1., 2.5], [], [3.]])
    assert ragged_ops.reduce_sum(f, axis=1, keepdims=True).numpy().tolist() == \
        [[3.5], [0.0], [3.0]]
    assert ragged_ops.reduce_mean(f, axis=0).numpy().tolist() == [2.0, 2.5]
    r3 = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])
    assert ragged_ops.reduce_sum(r3, axis=2).to_list() == [[3, 3], [9]]
    assert ragged_ops.reduce_sum(r3, axis=-1).to_list() == [[3, 3], [9]]
    assert ragged_ops.reduce_any(digits > 8, axis=1).numpy().tolist() == \
        [False, False, True, False, False]


def test_concat_stack(digits):
    out = ragged_ops.concat([digits, tf.ragged.constant([[5, 3]])], axis=0)
    assert out.to_list() == DIGITS + [[5, 3]]
    x = tf.ragged.constant([["John"], ["a", "big", "dog"], ["my", "cat"]])
    y = tf.ragged.constant([["fell", "asleep"], ["barked"], ["is", "fuzzy"]])
    assert ragged_ops.concat([x, y], axis=1).to_list() == [
        [b"John", b"fell", b"asleep"], [b"a", b"big", b"dog", b"barked"],
        [b"my", b"cat", b"is", b"fuzzy"]]
    s = tf.ragged.stack([digits, digits])
    assert s.ragged_rank == 2 and s.to_list() == [DIGITS, DIGITS]


def test_spec(digits):
    s = tf.RaggedTensorSpec([None, None], tf.int32)
    assert repr(s) == "RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)"
    assert s.is_compatible_with(digits)
    assert not tf.RaggedTensorSpec([2, None], tf.float32).is_compatible_with(digits)
    assert tf.RaggedTensorSpec.from_value(digits) == \
        tf.RaggedTensorSpec([5, None], tf.int32, 1)
    assert tf.RaggedTensorSpec([2, None, 3]).ragged_rank == 2
    assert s.value_type is tf.RaggedTensor


def test_tf_ragged_namespace():
    with pytest.raises(NotImplementedError, match="tf.ragged.cross"):
        tf.ragged.cross
    assert not hasattr(tf.ragged, "no_such_name")


# -- gradients ----------------------------------------------------------------------------
LENS = [2, 0, 3]


def _rt(x):
    return tf.RaggedTensor.from_row_lengths(x, LENS)


@pytest.mark.parametrize("f", [
    lambda x: (_rt(x) * _rt(x) + 1.0).flat_values,
    lambda x: tf.ragged.map_flat_values(tf.sin, _rt(x)).flat_values,
    lambda x: _rt(x).to_tensor(default_value=2.0),
    lambda x: _rt(x).to_tensor(shape=[2, 1]),
    lambda x: _rt(x)[2],
    lambda x: _rt(x)[:, 1:].flat_values,
    lambda x: ragged_ops.reduce_sum(_rt(x), axis=1),
    lambda x: ragged_ops.reduce_sum(_rt(x), axis=0),
    lambda x: ragged_ops.reduce_max(_rt(x), axis=1)[::2],
    lambda x: ragged_ops.reduce_mean(_rt(x), axis=1)[::2],
    lambda x: ragged_ops.concat([_rt(x), _rt(x * 2.0)], axis=1).flat_values,
])
def test_gradients(f):
    x = np.array([0.3, -1.2, 0.7, 2.1, -0.4])
    check_gradients(f, [x], order=1)


def test_second_order_elementwise():
    x = np.array([0.3, -1.2, 0.7, 2.1, -0.4])
    check_gradients(lambda x: (_rt(x) * _rt(x) * _rt(x)).to_tensor(), [x], order=2)


# -- dispatch table (what tf.<op>(ragged) will do once the ops call it) ---------------------
def test_dispatch_table(digits):
    from tapeflow._src.ragged.ragged_dispatch import dispatch
    assert dispatch(tf.add, (digits, 3), {}).to_list() == [[6, 4, 7, 4], [], [8, 12, 5],
                                                           [9], []]
    assert dispatch(tf.subtract, (10, digits), {}).to_list() == (10 - digits).to_list()
    assert dispatch(tf.abs, (-digits,), {}).to_list() == DIGITS
    c = dispatch(tf.cast, (digits, tf.float32), {})
    assert c.dtype == tf.float32 and c.to_list() == [[float(v) for v in r] for r in DIGITS]
    m = dispatch(tf.reduce_mean, (digits,), {"axis": 1})
    np.testing.assert_allclose(m.numpy(), [2.25, np.nan, 16 / 3, 6, np.nan])
    assert dispatch(tf.concat, ([digits, digits],), {"axis": 0}).nrows_int() == 10
    assert dispatch(tf.add, (1, 2), {}) is NotImplemented
    assert dispatch(tf.matmul, (digits, digits), {}) is NotImplemented


def test_public_ops_dispatch_ragged_arguments():
    digits = tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])
    assert tf.add(digits, 3).to_list() == [[6, 4, 7, 4], [], [8, 12, 5], [9], []]
    means = tf.reduce_mean(digits, axis=1).numpy()
    np.testing.assert_allclose(means[[0, 2, 3]], [2.25, 16 / 3, 6.0])
    assert np.isnan(means[[1, 4]]).all()
    more = tf.concat([digits, tf.ragged.constant([[5, 3]])], axis=0)
    assert more.to_list()[-1] == [5, 3] and more.nrows() == 6
    floats = tf.ragged.constant([[1.0, 4.0], [9.0]])
    assert tf.math.sqrt(floats).to_list() == [[1.0, 2.0], [3.0]]
    assert (tf.constant(2.0) * floats).to_list() == [[2.0, 8.0], [18.0]]
    assert tf.nn.relu(floats - 2.0).to_list() == [[0.0, 2.0], [7.0]]
    assert tf.add is tf.math.add and tf.nn.sigmoid is tf.math.sigmoid
    with pytest.raises(ValueError):          # no ragged version: TF's conversion error
        tf.matmul(floats, floats)
    with pytest.raises(tf.errors.InvalidArgumentError):   # dense errors are untouched
        tf.add(tf.constant([1, 2]), tf.constant([1, 2, 3]))

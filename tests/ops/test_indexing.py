"""Tensor.__getitem__, tf.strided_slice and tf.slice: TF's indexing rules and errors."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.errors import InvalidArgumentError

X = np.arange(6, dtype=np.int32).reshape(2, 3)


@pytest.fixture
def x():
    return tf.constant(X)


@pytest.mark.parametrize("key", [
    1, -1, (0, 2), (-1, slice(None, None, -2)), slice(None, None, 2),
    (Ellipsis, 1), (Ellipsis, None), (None, slice(None), None, 1), (slice(10, None),),
    (slice(-10, 1), slice(5, -10, -1)), (slice(None), 1, Ellipsis), (), np.int64(1),
])
def test_basic_keys_match_numpy(x, key):
    got = x[key]
    want = X[key]
    assert got.shape == want.shape and got.dtype == tf.int32
    assert np.array_equal(got.numpy(), want)


def test_scalar_tensor_indices_and_slice_bounds(x):
    assert x[tf.constant(1)].numpy().tolist() == [3, 4, 5]
    assert int(x[tf.constant(1, tf.int64), 1]) == 4
    assert x[tf.constant(0):tf.constant(1)].shape == tf.TensorShape([1, 3])
    assert x[np.array(1)].numpy().tolist() == [3, 4, 5]


def test_top_level_list_is_a_tuple_like_tf(x):
    assert int(x[[0, 1]]) == 1
    assert x[[0]].numpy().tolist() == [0, 1, 2]


def test_out_of_range_index_errors(x):
    with pytest.raises(InvalidArgumentError, match=r"^slice index 2 of dimension 0 out of "
                                                   r"bounds. \[Op:StridedSlice\] name: "
                                                   r"strided_slice/$"):
        x[2]
    with pytest.raises(InvalidArgumentError, match="slice index -1 of dimension 0 out of"):
        x[-3]
    with pytest.raises(InvalidArgumentError, match="slice index 3 of dimension 1 out of"):
        x[0, 3]
    with pytest.raises(InvalidArgumentError, match="Index out of range using input dim 2; "
                                                   "input has only 2 dims"):
        x[0, 0, 0]
    with pytest.raises(InvalidArgumentError, match="Attempting to slice scalar input."):
        tf.constant(5)[0]


def test_invalid_key_types(x):
    for key in (1.0, "a", tf.constant([1]), tf.constant(1.0), slice(1.5, None), ([0, 1],)):
        with pytest.raises(TypeError, match="Only integers, slices"):
            x[key]


def test_stride_zero_and_double_ellipsis(x):
    with pytest.raises(InvalidArgumentError, match=r"strides\[0\] must be non-zero"):
        x[::0]
    with pytest.raises(InvalidArgumentError, match="Multiple ellipses in slice spec"):
        x[..., ...]


def test_bool_keys_are_boolean_masks(x):
    assert x[tf.constant([True, False])].numpy().tolist() == [[0, 1, 2]]
    with pytest.raises(ValueError, match="mask cannot be scalar."):
        x[True]


def test_variable_indexing_records_gradient():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v[1:] * 2.0
    assert tape.gradient(y, v).numpy().tolist() == [0.0, 2.0, 2.0]


def test_getitem_second_derivative():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x[::2] ** 3)
        g = inner.gradient(y, x)
    assert g.numpy().tolist() == [3.0, 0.0, 27.0]
    assert outer.gradient(g, x).numpy().tolist() == [6.0, 0.0, 18.0]


def test_newaxis_is_none():
    assert tf.newaxis is None


def test_strided_slice_masks(x):
    ss = tf.strided_slice
    assert ss(x, [0, 0], [2, 3], [1, 2]).numpy().tolist() == [[0, 2], [3, 5]]
    assert ss(x, [1, 0], [2, 3], [1, 1], shrink_axis_mask=1).numpy().tolist() == [3, 4, 5]
    assert ss(x, [1, 0], [0, 3], [1, 1], begin_mask=1).shape == tf.TensorShape([0, 3])
    assert ss(x, [1, 0], [0, 3], [1, 1], end_mask=1).numpy().tolist() == [[3, 4, 5]]
    assert ss(x, [0, 1], [0, 0], [1, -1], ellipsis_mask=1).numpy().tolist() == [[1], [4]]
    assert ss(x, [0, 0], [0, 0], [1, 1], new_axis_mask=1).shape == tf.TensorShape([1, 0, 3])
    assert ss(x, [-1], [0], [-1]).numpy().tolist() == [[3, 4, 5]]
    with pytest.raises(InvalidArgumentError, match=r"^strides\[1\] must be non-zero "
                                                   r"\[Op:StridedSlice\]$"):
        ss(x, [0, 0], [2, 3], [1, 0])


def test_slice_and_errors(x):
    assert tf.slice(x, [0, 1], [-1, -1]).numpy().tolist() == [[1, 2], [4, 5]]
    with pytest.raises(InvalidArgumentError, match=r"Expected size\[0\] in \[0, 2\], but got 3"):
        tf.slice(x, [0, 1], [3, 2])
    with pytest.raises(InvalidArgumentError, match=r"Expected begin\[0\] in \[0, 2\], but got "
                                                   r"-1"):
        tf.slice(x, [-1, 0], [1, 1])
    with pytest.raises(InvalidArgumentError, match="1-D tensors of size 2, but got shapes "
                                                   r"\[1\] and \[1\]"):
        tf.slice(x, [0], [1])


def test_string_tensor_indexing():
    s = tf.constant(["a", "bc"])
    assert s[1].numpy() == b"bc"

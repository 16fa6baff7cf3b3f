"""tf.TensorShape: known, partially known and unknown rank."""

import pytest

import tapeflow as tf


def test_repr_and_str():
    assert repr(tf.TensorShape([7, 10])) == "TensorShape([7, 10])"
    assert str(tf.TensorShape([7, 10])) == "(7, 10)"
    assert str(tf.TensorShape([3])) == "(3,)"
    assert str(tf.TensorShape([])) == "()"
    assert str(tf.TensorShape([None, 3])) == "(None, 3)"
    assert str(tf.TensorShape(None)) == "<unknown>"
    assert repr(tf.TensorShape(None)) == "TensorShape(None)"


def test_queries():
    s = tf.TensorShape([2, None, 4])
    assert s.rank == 3
    assert s.as_list() == [2, None, 4]
    assert not s.is_fully_defined()
    assert s.num_elements() is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape(None).rank is None
    with pytest.raises(ValueError):
        tf.TensorShape(None).as_list()


def test_equality_with_lists_and_tuples():
    assert tf.TensorShape([1, 2]) == [1, 2]
    assert tf.TensorShape([1, 2]) == (1, 2)
    assert tf.TensorShape([1, 2]) != [2, 1]
    assert tf.TensorShape(None) == tf.TensorShape(None)


def test_indexing_and_slicing():
    s = tf.TensorShape([1, 2, 3])
    assert s[0] == 1
    assert s[-1] == 3
    assert s[1:] == tf.TensorShape([2, 3])
    assert isinstance(s[1:], tf.TensorShape)
    assert len(s) == 3
    assert list(s) == [1, 2, 3]


def test_merge_and_concatenate():
    assert tf.TensorShape([None, 3]).merge_with([2, None]) == [2, 3]
    with pytest.raises(ValueError, match="are not compatible"):
        tf.TensorShape([1, 2]).merge_with([1, 3])
    assert tf.TensorShape([1]).concatenate([2, 3]) == [1, 2, 3]
    assert tf.TensorShape(None).concatenate([2]).rank is None


def test_compatibility():
    assert tf.TensorShape([None, 3]).is_compatible_with([5, 3])
    assert not tf.TensorShape([2, 3]).is_compatible_with([3, 3])
    assert tf.TensorShape(None).is_compatible_with([1, 2, 3])


def test_negative_dimension_is_rejected():
    with pytest.raises(ValueError):
        tf.TensorShape([-2])

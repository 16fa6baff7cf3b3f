"""tf.Tensor: printing, NumPy interop, Python protocol and immutability."""

import numpy as np
import pytest

import tapeflow as tf


def test_str_matches_tensorflow_layout():
    assert str(tf.constant([4, 6])) == "tf.Tensor([4 6], shape=(2,), dtype=int32)"
    assert str(tf.constant([[1, 2], [3, 4]])) == (
        "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)")
    assert str(tf.constant(25)) == "tf.Tensor(25, shape=(), dtype=int32)"
    assert str(tf.constant("hi")) == "tf.Tensor(b'hi', shape=(), dtype=string)"


def test_repr_matches_tensorflow_layout():
    assert repr(tf.constant([4, 6])) == (
        "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>")
    assert repr(tf.constant(1.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.0>"
    # TensorFlow shows a rank-0 value as its Python item, so float32 0.1 prints widened.
    assert repr(tf.constant(0.1)) == (
        "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>")
    assert repr(tf.constant(1 + 2j)) == "<tf.Tensor: shape=(), dtype=complex128, numpy=(1+2j)>"
    assert repr(tf.constant(["a", "b"])) == (
        "<tf.Tensor: shape=(2,), dtype=string, numpy=array([b'a', b'b'], dtype=object)>")


def test_format_uses_the_value():
    assert "{}".format(tf.square(2)) == "4"
    assert f"{tf.constant(1.5):.2f}" == "1.50"


def test_numpy_returns_a_copy_and_scalars_as_numpy_scalars():
    t = tf.constant([1, 2])
    a = t.numpy()
    a[0] = 100
    assert t.numpy()[0] == 1
    assert type(tf.constant(1).numpy()) is np.int32
    assert tf.constant("a").numpy() == b"a"


def test_numpy_functions_accept_tensors():
    assert np.multiply(tf.constant(5), tf.constant(3)) == 15
    np.testing.assert_array_equal(np.asarray(tf.constant([1, 2])), [1, 2])


def test_ndarray_operand_on_the_left_gives_a_tensor():
    out = np.ones(2, np.float32) + tf.constant([1.0, 2.0])
    assert isinstance(out, tf.Tensor)
    np.testing.assert_array_equal(out.numpy(), [2.0, 3.0])


def test_scalar_conversions():
    assert int(tf.constant(3)) == 3
    assert float(tf.constant(2.5)) == 2.5
    assert bool(tf.constant(True)) is True
    assert [10, 20, 30][tf.constant(1)] == 20
    with pytest.raises(TypeError):
        int(tf.constant([1, 2]))
    with pytest.raises(ValueError):
        bool(tf.constant([1, 2]))


def test_len_and_iteration():
    t = tf.constant([[1, 2], [3, 4]])
    assert len(t) == 2
    rows = list(t)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(tf.constant(1))
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor"):
        iter(tf.constant(1)).__next__()


def test_tensors_are_unhashable_but_refs_are_keys():
    t = tf.constant(1)
    with pytest.raises(TypeError, match="Tensor is unhashable"):
        hash(t)
    d = {t.ref(): "x"}
    assert d[t.ref()] == "x"
    assert t.ref().deref() is t


def test_equality_is_elementwise():
    eq = tf.constant([1, 2, 3]) == tf.constant([1, 5, 3])
    assert eq.dtype == tf.bool
    assert eq.numpy().tolist() == [True, False, True]
    assert (tf.constant([1, 2]) != 2).numpy().tolist() == [True, False]
    # Shapes that cannot broadcast compare unequal, as in TensorFlow.
    assert (tf.constant([1, 2]) == tf.constant([1, 2, 3])).numpy() == np.False_
    assert (tf.constant(1) == None) is False  # noqa: E711


def test_is_tensor_and_metadata():
    t = tf.constant([[1.0]])
    assert tf.is_tensor(t) and tf.is_tensor(tf.Variable(1.0))
    assert not tf.is_tensor(np.ones(2))
    assert t.ndim == 2 and t.shape == (1, 1) and t.dtype == tf.float32
    assert t.device.endswith("CPU:0")
    with pytest.raises(AttributeError):
        t.name


def test_tensor_cannot_be_constructed_directly():
    with pytest.raises(TypeError):
        tf.Tensor([1, 2])


def test_class_names_are_tfs_eager_ones():
    t, v = tf.constant(1.0), tf.Variable(1.0)
    assert type(t).__name__ == "EagerTensor" and isinstance(t, tf.Tensor)
    assert type(v).__name__ == "ResourceVariable" and isinstance(v, tf.Variable)
    with pytest.raises(AttributeError, match="'EagerTensor' object has no attribute 'assign'"):
        t.assign(2.0)
    import pickle
    assert float(pickle.loads(pickle.dumps(t))) == 1.0
    assert float(pickle.loads(pickle.dumps(v))) == 1.0


def test_iterating_a_scalar_fails_at_iter_as_in_tf():
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor."):
        iter(tf.constant(1.0))
    assert [float(x) for x in tf.constant([1.0, 2.0])] == [1.0, 2.0]

"""tf.Variable: creation, names, shapes, assignment and its failure modes."""

import numpy as np
import pytest

import tapeflow as tf


def test_repr_and_default_name():
    v = tf.Variable([1, 2])
    assert repr(v) == ("<tf.Variable 'Variable:0' shape=(2,) dtype=int32, "
                       "numpy=array([1, 2], dtype=int32)>")
    assert str(v) == repr(v)
    assert tf.Variable(1.0, name="w").name == "w:0"


def test_second_positional_argument_is_trainable_not_dtype():
    v = tf.Variable([1, 2], tf.float32)
    assert v.dtype == tf.int32
    assert v.trainable


def test_dtype_keyword_converts():
    assert tf.Variable([1, 2], dtype=tf.float32).dtype == tf.float32


def test_shape_argument_is_validated():
    with pytest.raises(ValueError, match=r"the initial value's shape \(\(4,\)\) is not "
                                         r"compatible with the explicitly supplied `shape` "
                                         r"argument \(\(2, 2\)\)"):
        tf.Variable([1, 2, 3, 4], shape=(2, 2))


def test_unknown_shape_allows_any_later_shape():
    v = tf.Variable([1, 2, 3, 4], shape=tf.TensorShape(None))
    assert str(v.shape) == "<unknown>"
    v.assign([1, 2])
    assert v.numpy().tolist() == [1, 2]


def test_string_and_complex_variables():
    assert repr(tf.Variable("Elephant", dtype=tf.string)) == (
        "<tf.Variable 'Variable:0' shape=() dtype=string, numpy=b'Elephant'>")
    assert repr(tf.Variable(4 + 3j, dtype=tf.complex64)) == (
        "<tf.Variable 'Variable:0' shape=() dtype=complex64, numpy=(4+3j)>")


def test_assign_returns_unread_variable_view():
    v = tf.Variable(0.0)
    r = v.assign_add(1)
    assert repr(r) == "<tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=1.0>"
    v.assign(5.0)
    assert r.numpy() == 5.0  # the view reads the variable's current value
    assert v.assign(1.0, read_value=False) is None


def test_assign_sub_and_read_value():
    v = tf.Variable([1.0, 2.0])
    v.assign_sub([0.5, 0.5])
    assert v.read_value().numpy().tolist() == [0.5, 1.5]
    assert v.value().dtype == tf.float32


def test_failed_assign_leaves_the_value_untouched():
    v = tf.Variable([1, 2])
    with pytest.raises(ValueError, match="Shape mismatch.The variable shape \\(2,\\), and the "
                                         "assigned value shape \\(3,\\) are incompatible"):
        v.assign([1, 2, 3])
    with pytest.raises(TypeError, match="Cannot convert \\[1.5, 2\\] to EagerTensor of dtype "
                                        "int32"):
        v.assign([1.5, 2])
    with pytest.raises(ValueError):
        v.assign_add([1, 1, 1])
    assert v.numpy().tolist() == [1, 2]


def test_tensors_read_before_an_assign_keep_their_value():
    v = tf.Variable([1.0, 2.0])
    t = v + 0
    r = v.read_value()
    v.assign([5.0, 5.0])
    assert t.numpy().tolist() == [1.0, 2.0]
    assert r.numpy().tolist() == [1.0, 2.0]


def test_variable_works_wherever_a_tensor_does():
    v = tf.Variable([[1.0, 2.0]])
    assert (v * 2).numpy().tolist() == [[2.0, 4.0]]
    assert tf.reduce_sum(v).numpy() == 3.0
    assert np.asarray(v).tolist() == [[1.0, 2.0]]
    assert tf.convert_to_tensor(v).dtype == tf.float32
    assert ([[1.0], [1.0]] @ v).shape == (2, 2)


def test_variable_is_unhashable_but_has_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="Variable is unhashable"):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1


def test_initial_value_may_be_callable_and_name_scope_prefixes():
    with tf.name_scope("outer"):
        v = tf.Variable(lambda: tf.zeros([2]), name="z")
    assert v.name == "outer/z:0"
    assert v.shape == (2,)


def test_non_trainable_and_constraint():
    v = tf.Variable(1.0, trainable=False, constraint=lambda x: x)
    assert not v.trainable
    assert callable(v.constraint)
    with pytest.raises(ValueError, match="must be a callable"):
        tf.Variable(1.0, constraint=3)


def test_assigning_to_a_slice_of_a_variable():
    v = tf.Variable([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    v[1, 2].assign(100)
    v[0, :].assign([10, 11, 12])
    v[1:3, 1:3].assign([[0, 0], [0, 0]])
    assert v.numpy().tolist() == [[10, 11, 12], [4, 0, 0], [7, 0, 0]]
    v[..., 0].assign(-1)                      # a scalar broadcasts over the slice
    assert v.numpy()[:, 0].tolist() == [-1, -1, -1]
    before = v.numpy().copy()
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Cannot broadcast input shape \[2\] into final shape \[3\]"):
        v[0].assign([1, 2])
    np.testing.assert_array_equal(v.numpy(), before)   # a failed assign changes nothing
    assert not hasattr(tf.constant([1, 2])[0], "assign")
    w = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(w[1:] * 2.0)
    assert tape.gradient(y, w).numpy().tolist() == [0.0, 2.0, 2.0]


def test_slice_assign_inside_tf_function_uses_each_calls_values():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

    @tf.function
    def put(row):
        v[0, :].assign(row)

    put(tf.constant([5.0, 6.0]))
    put(tf.constant([7.0, 8.0]))
    assert v.numpy().tolist() == [[7.0, 8.0], [3.0, 4.0]]
    w = tf.Variable([[0.0, 0.0], [0.0, 0.0]])

    @tf.function
    def bump():
        w[0, 0].assign(w[0, 0] + 1)

    bump()
    bump()
    assert w.numpy()[0, 0] == 2.0

"""Eager functional control flow and TensorArray."""

import numpy as np
import pytest

import tapeflow as tf


def test_cond_calls_only_the_chosen_branch():
    calls = []
    out = tf.cond(tf.constant(False), lambda: calls.append("t") or tf.constant(1),
                  lambda: calls.append("f") or tf.constant(2))
    assert out.numpy() == 2 and calls == ["f"]
    with pytest.raises(TypeError):
        tf.cond(True, 1, lambda: 2)


def test_cond_is_differentiable_through_the_taken_branch():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = tf.cond(x > 0, lambda: x * x, lambda: -x)
    assert tape.gradient(y, x).numpy() == 6.0


def test_case_and_switch_case():
    x = tf.constant(5)
    out = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 3, lambda: tf.constant(1))],
                  default=lambda: tf.constant(0))
    assert out.numpy() == 1
    assert tf.switch_case(tf.constant(1), [lambda: tf.constant(10), lambda: tf.constant(20)]
                          ).numpy() == 20
    # An index out of range runs the last branch when no default is given.
    assert tf.switch_case(tf.constant(7), [lambda: tf.constant(10), lambda: tf.constant(20)]
                          ).numpy() == 20


def test_while_loop_runs_until_the_condition_fails():
    i, s = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i),
                         (tf.constant(0), tf.constant(0)))
    assert (i.numpy(), s.numpy()) == (5, 10)
    out = tf.while_loop(lambda i: i < 100, lambda i: (i + 1,), [tf.constant(0)],
                        maximum_iterations=3)
    assert out[0].numpy() == 3


def test_while_loop_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x),
                             (tf.constant(0), tf.constant(1.0)))
    assert y.numpy() == 8.0
    assert tape.gradient(y, x).numpy() == 12.0  # d(x^3)/dx at 2


def test_map_fn_and_nested_elems():
    np.testing.assert_array_equal(tf.map_fn(lambda x: x * 2, tf.constant([1, 2, 3])).numpy(),
                                  [2, 4, 6])
    out = tf.map_fn(lambda p: p[0] + p[1], (tf.constant([1, 2]), tf.constant([10, 20])))
    np.testing.assert_array_equal(out.numpy(), [11, 22])
    np.testing.assert_array_equal(tf.vectorized_map(tf.reduce_sum, tf.ones([2, 3])).numpy(),
                                  [3.0, 3.0])


def test_scan_and_folds():
    np.testing.assert_array_equal(tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3])).numpy(),
                                  [1, 3, 6])
    np.testing.assert_array_equal(
        tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]), initializer=tf.constant(10),
                reverse=True).numpy(), [16, 15, 13])
    assert tf.foldl(lambda a, x: a - x, tf.constant([1, 2, 3])).numpy() == -4
    assert tf.foldr(lambda a, x: a - x, tf.constant([1, 2, 3])).numpy() == 0


def test_tensor_array_write_read_stack():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    for i in range(3):
        ta = ta.write(i, tf.constant(float(i)))
    assert ta.size().numpy() == 3
    np.testing.assert_array_equal(ta.stack().numpy(), [0.0, 1.0, 2.0])
    assert ta.read(1).numpy() == 1.0
    fixed = tf.TensorArray(tf.int32, size=1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        fixed.write(3, 1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        fixed.read(0)


def test_tensor_array_gradient_flows_through_stack():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=2)
        ta = ta.write(0, x[0] * 3).write(1, x[1] * x[1])
        y = tf.reduce_sum(ta.stack())
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 4.0])

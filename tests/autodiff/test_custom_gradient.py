"""custom_gradient, stop_gradient, recompute_grad."""

import numpy as np
import pytest

import tapeflow as tf


def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clip(x):
        return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0) \
            if hasattr(tf, "clip_by_value") else tf.minimum(dy, 1.0)
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clip(x * 5.0)
    assert float(tape.gradient(y, x)) == 5.0


def test_custom_gradient_second_order_through_captured_value():
    @tf.custom_gradient
    def my_exp(x):
        y = tf.exp(x)
        return y, lambda dy: dy * y
    x = tf.constant(1.0, dtype=tf.float64)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = my_exp(x)
        g = t1.gradient(y, x)
    assert np.isclose(float(g), np.e) and np.isclose(float(t2.gradient(g, x)), np.e)


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        y = x * v

        def grad(dy, variables=None):
            assert variables == [v]
            return dy * v, [dy * x * 10.0]
        return y, grad
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gv = tape.gradient(y, [x, v])
    assert float(gx) == 2.0 and float(gv) == 30.0


def test_custom_gradient_reading_variables_needs_variables_kwarg():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy: dy * v
    with pytest.raises(TypeError, match="grad_fn must accept keyword argument 'variables'"):
        with tf.GradientTape() as tape:
            tape.watch(tf.constant(1.0))
            f(tf.constant(1.0))


def test_custom_gradient_wrong_number_of_gradients():
    @tf.custom_gradient
    def f(x, a):
        return x * a, lambda dy: dy * a
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x, tf.constant(2.0))
    with pytest.raises(ValueError, match="expected to return 2 gradients, but returned 1"):
        tape.gradient(y, x)


def test_custom_gradient_multiple_inputs_and_outputs():
    @tf.custom_gradient
    def f(a, b):
        def grad(da, db):
            return da * 2.0 + db, db * 3.0
        return (a + b, a * b), grad
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        s, p = f(a, b)
    ga, gb = tape.gradient([s, p], [a, b])
    assert float(ga) == 3.0 and float(gb) == 3.0


def test_recompute_grad_matches_plain_gradient_and_keeps_nothing():
    def block(x):
        return tf.tanh(x) * x
    g = tf.recompute_grad(block)
    x = tf.constant(1.0, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = g(x)
    types = [r.type for r in tape._records]
    assert "Tanh" not in types        # the forward was not recorded
    want = np.tanh(1.0) + 1.0 * (1 - np.tanh(1.0) ** 2)
    assert np.isclose(float(tape.gradient(y, x)), want)


def test_recompute_grad_with_variables():
    w = tf.Variable(3.0, dtype=tf.float64)
    g = tf.recompute_grad(lambda x: x * w * w)
    x = tf.constant(2.0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    gx, gw = tape.gradient(y, [x, w])
    assert float(gx) == 9.0 and float(gw) == 12.0

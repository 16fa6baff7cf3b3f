"""ForwardAccumulator (forward mode via the double-VJP trick)."""

import numpy as np

import tapeflow as tf


def test_jvp_of_elementwise_cube():
    x = tf.constant([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.5])) as acc:
        y = x * x * 3.0
    np.testing.assert_allclose(acc.jvp(y).numpy(), [6.0, 6.0])   # 6 x * v


def test_jvp_of_primal_is_tangent_and_unconnected_is_none_or_zero():
    x = tf.constant([1.0, 2.0])
    v = tf.constant([1.0, 0.0])
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        c = tf.constant(1.0) * 2.0
    np.testing.assert_array_equal(acc.jvp(x).numpy(), [1.0, 0.0])
    assert acc.jvp(c) is None
    assert float(acc.jvp(c, unconnected_gradients=tf.UnconnectedGradients.ZERO)) == 0.0


def test_jvp_nested_structure_and_inside_context():
    x = tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        y = x * x
        inside = acc.jvp(y)
    out = acc.jvp({"a": y, "b": [y]})
    assert float(inside) == 4.0 and float(out["a"]) == 4.0 and float(out["b"][0]) == 4.0


def test_jvp_with_variable_primal():
    w = tf.Variable([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(w, tf.constant([0.0, 1.0])) as acc:
        y = tf.reduce_sum(w * w)
    assert float(acc.jvp(y)) == 4.0


def test_jvp_matches_jacobian_times_vector():
    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((3, 3)))
    x = tf.constant(rng.standard_normal((3,)))
    v = tf.constant(rng.standard_normal((3,)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, v) as acc:
            y = tf.tanh(tf.reshape(tf.matmul(a, tf.reshape(x, [3, 1])), [3]))
    j = tape.jacobian(y, x)
    np.testing.assert_allclose(acc.jvp(y).numpy(), j.numpy() @ v.numpy(), rtol=1e-12)


def _f(x):
    return tf.reduce_sum(x * x * x)


def test_hessian_vector_product_forward_over_backward():
    x = tf.constant([1.0, 2.0])
    v = tf.constant([1.0, 0.0])
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = _f(x)
        g = tape.gradient(loss, x)
    np.testing.assert_allclose(acc.jvp(g).numpy(), [6.0, 0.0])   # H = diag(6 x)


def test_hessian_vector_product_backward_over_forward():
    x = tf.constant([1.0, 2.0])
    v = tf.constant([0.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, v) as acc:
            loss = _f(x)
        jv = acc.jvp(loss)
    np.testing.assert_allclose(tape.gradient(jv, x).numpy(), [0.0, 12.0])


def test_nested_accumulators_give_second_directional_derivative():
    x = tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as outer:
        with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as inner:
            y = x * x * x
        d1 = inner.jvp(y)
    assert float(d1) == 12.0
    assert float(outer.jvp(d1)) == 12.0   # 6 x

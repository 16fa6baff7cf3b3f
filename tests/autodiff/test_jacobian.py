"""jacobian / batch_jacobian: shapes as TensorFlow, values by hand, vectorised = looped."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.autodiff import backprop, jacobians


def test_jacobian_of_elementwise_square_is_diagonal():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0, 6.0]))


def test_jacobian_shapes_follow_target_then_source():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    w = tf.Variable(tf.ones([2, 3]))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.matmul(x, w)
        s = tf.reduce_sum(y)
    assert tape.jacobian(y, x).shape == (2, 3, 2, 2)
    assert tape.jacobian(s, x).shape == (2, 2)
    jx, jw = tape.jacobian(y, [x, w])
    assert jw.shape == (2, 3, 2, 3)
    # d y[i, j] / d w[k, l] = x[i, k] * (j == l)
    want = np.einsum("ik,jl->ijkl", x.numpy(), np.eye(3))
    np.testing.assert_allclose(jw.numpy(), want)


def test_jacobian_unconnected_none_and_zero():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        c = tf.constant([1.0, 2.0]) * 2.0
    assert tape.jacobian(c, x) is None
    z = tape.jacobian(c, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert z.shape == (2, 2) and not z.numpy().any()


def test_jacobian_on_non_persistent_tape_works_once():
    x = tf.constant([1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    tape.jacobian(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.jacobian(y, x)


def test_jacobian_of_integer_source_is_none():
    xi = tf.constant([1, 2])
    with tf.GradientTape() as tape:
        tape.watch(xi)
        y = tf.cast(xi, tf.float32) * 2.0
    assert tape.jacobian(y, xi) is None


def _mlp(x, w):
    return tf.tanh(tf.matmul(x * x, w)) * 2.0 + tf.reduce_mean(x)


def test_vectorised_and_looped_jacobians_agree(monkeypatch):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((2, 3)))
    w = tf.constant(rng.standard_normal((3, 4)))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = _mlp(x, w)
    fast = tape.jacobian(y, [x, w])
    calls = []
    real = backprop.backward

    def no_batch(*args, **kwargs):
        if kwargs.get("batch") is not None:
            calls.append(1)
            raise backprop.NotBatchable("forced")
        return real(*args, **kwargs)
    monkeypatch.setattr(jacobians.backprop, "backward", no_batch)
    slow = tape.jacobian(y, [x, w])
    assert calls == [1]
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_vectorised_path_runs_one_backward_pass(monkeypatch):
    x = tf.constant(np.ones((2, 3)))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.exp(x) * x
    calls = []
    real = backprop.backward

    def counting(*args, **kwargs):
        calls.append(kwargs.get("batch"))
        return real(*args, **kwargs)
    monkeypatch.setattr(jacobians.backprop, "backward", counting)
    tape.jacobian(y, x)
    assert calls == [6]


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((2, 3))
    w = tf.constant(rng.standard_normal((3, 4)))
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _mlp(x, w)
    j = tape.jacobian(y, x).numpy()
    eps = 1e-6
    num = np.zeros((2, 4, 2, 3))
    for idx in np.ndindex(2, 3):
        d = np.zeros((2, 3))
        d[idx] = eps
        num[(...,) + idx] = (_mlp(tf.constant(x0 + d), w).numpy()
                             - _mlp(tf.constant(x0 - d), w).numpy()) / (2 * eps)
    np.testing.assert_allclose(j, num, rtol=1e-6, atol=1e-8)


def test_hessian_via_nested_jacobian():
    x = tf.constant([1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x[0] ** 2 * x[1] + x[1] ** 3
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x).numpy()
    # f = a^2 b + b^3: H = [[2b, 2a], [2a, 6b]]
    np.testing.assert_allclose(h, [[4.0, 2.0], [2.0, 12.0]])


def test_batch_jacobian_shape_and_values():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = tf.matmul(x, tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (2, 2, 2)
    np.testing.assert_array_equal(bj.numpy(), [np.diag([2.0, 4.0]), np.diag([6.0, 8.0])])
    bz = tape.batch_jacobian(z, x)
    assert bz.shape == (2, 3, 2)
    np.testing.assert_array_equal(bz.numpy()[0], [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])


def test_batch_jacobian_errors_like_tf():
    x = tf.ones([3, 2])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x[:2] * 2.0
        r = tf.reshape(x, [6])
    with pytest.raises(ValueError, match="Need first dimension of target shape"):
        tape.batch_jacobian(y, x)
    with pytest.raises(ValueError, match="must have rank at least 2"):
        tape.batch_jacobian(r, x)

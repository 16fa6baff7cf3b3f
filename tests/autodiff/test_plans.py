"""Backward plans: repeated gradient passes replay a cached program (autodiff/plans.py)."""

import gc
import weakref

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.autodiff import plans


@pytest.fixture(autouse=True)
def fresh_plans(monkeypatch):
    monkeypatch.setattr(plans, "check", False)
    monkeypatch.setattr(plans, "enabled", True)
    plans.clear()
    yield
    plans.clear()


def _programs():
    return [p for p in plans._plans.values() if type(p) is tuple]


def _mlp_step(params, x, y):
    w1, b1, w2, b2 = params
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        logits = tf.matmul(h, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return loss, tape.gradient(loss, params)


def _data(seed):
    rng = np.random.default_rng(seed)
    return (tf.constant(rng.standard_normal((4, 6)).astype(np.float32)),
            tf.constant(rng.integers(0, 3, 4).astype(np.int32)))


def _params():
    rng = np.random.default_rng(0)
    return [tf.Variable(rng.standard_normal((6, 5)).astype(np.float32)),
            tf.Variable(np.zeros(5, np.float32)),
            tf.Variable(rng.standard_normal((5, 3)).astype(np.float32)),
            tf.Variable(np.zeros(3, np.float32))]


def test_the_second_sighting_plans_and_later_calls_replay_bit_for_bit():
    params = _params()
    results = []
    for step in range(5):
        x, y = _data(step)
        _, grads = _mlp_step(params, x, y)
        results.append([g.numpy() for g in grads])
        assert len(_programs()) == (0 if step == 0 else 1)
    plans.enabled = False
    for step in range(5):
        x, y = _data(step)
        _, grads = _mlp_step(params, x, y)
        for got, want in zip(results[step], grads):
            np.testing.assert_array_equal(got, want.numpy())
            assert got.dtype == want.numpy().dtype


def test_a_different_structure_gets_its_own_plan():
    params = _params()
    for _ in range(3):
        _mlp_step(params, *_data(0))
    x = tf.constant(np.ones((7, 6), np.float32))                 # another batch size
    y = tf.constant(np.zeros(7, np.int32))
    for _ in range(3):
        loss, grads = _mlp_step(params, x, y)
    assert len(_programs()) == 2
    plans.enabled = False
    _, want = _mlp_step(params, x, y)
    for g, w in zip(grads, want):
        np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_sources_in_another_order_and_unconnected_sources():
    a, b, c = tf.Variable(2.0), tf.Variable(3.0), tf.Variable(5.0)
    for order in ([a, b, c], [c, b, a], [a, b, c], [c, b, a], [c, b, a]):
        with tf.GradientTape() as tape:
            y = a * a * b                                        # c unconnected
        g = dict(zip([id(v) for v in order], tape.gradient(y, order)))
        assert float(g[id(a)]) == 12.0 and float(g[id(b)]) == 4.0 and g[id(c)] is None
    assert len(_programs()) == 2                                 # one per source order


def test_no_plan_while_another_tape_records_so_higher_orders_stay_right():
    x = tf.Variable(1.5, dtype=tf.float64)
    for _ in range(4):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = x ** 3 * tf.sin(x)
            dy = inner.gradient(y, x)
        d2 = outer.gradient(dy, x)
    v = 1.5
    want = 6 * v * np.sin(v) + 6 * v ** 2 * np.cos(v) - v ** 3 * np.sin(v)
    assert abs(float(d2) - want) < 1e-12


def test_custom_gradients_are_not_planned():
    @tf.custom_gradient
    def clip_grad(x):
        def grad(dy):
            return tf.clip_by_value(dy, -1.0, 1.0)
        return tf.identity(x), grad

    x = tf.Variable([3.0, -4.0])
    for _ in range(4):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(clip_grad(x * 5.0))
        g = tape.gradient(y, x)
    assert g.numpy().tolist() == [5.0, 5.0]
    assert _programs() == []


def test_output_gradients_and_jacobians_take_the_ordinary_sweep():
    x = tf.Variable([1.0, 2.0])
    for _ in range(3):
        with tf.GradientTape(persistent=True) as tape:
            y = x * x
        g = tape.gradient(y, x, output_gradients=tf.constant([1.0, 10.0]))
        j = tape.jacobian(y, x)
    assert g.numpy().tolist() == [2.0, 40.0]
    assert j.numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]


def test_plans_hold_no_tensor_of_the_forward_pass():
    params = _params()
    refs = []
    for step in range(4):
        x, y = _data(step)
        w1, b1, w2, b2 = params
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=tf.matmul(h, w2) + b2))
        tape.gradient(loss, params)
        refs.append((weakref.ref(h), weakref.ref(x)))
        del h, loss, tape, x, y
    gc.collect()
    assert len(_programs()) == 1
    assert all(r() is None for pair in refs for r in pair)


def test_check_mode_compares_every_replay_with_the_sweep(monkeypatch):
    monkeypatch.setattr(plans, "check", True)
    x = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.softmax(x) * tf.exp(x))
    g = tape.gradient(y, x)                                     # planned and checked at once
    assert len(_programs()) == 1
    monkeypatch.setattr(plans, "check", False)
    plans.enabled = False
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.softmax(x) * tf.exp(x))
    np.testing.assert_array_equal(g.numpy(), tape.gradient(y, x).numpy())


def test_a_plan_that_would_pin_large_constants_is_not_kept(monkeypatch):
    monkeypatch.setattr(plans, "MAX_PLAN_BYTES", 64)
    x = tf.Variable(np.ones(100, np.float32))
    for _ in range(4):
        with tf.GradientTape() as tape:
            y = x * 2.0                                     # seed: 100 ones, 400 bytes
        g = tape.gradient(y, x)
    assert g.numpy().tolist() == [2.0] * 100
    assert _programs() == []
    assert plans._UNPLANNABLE in plans._plans.values()

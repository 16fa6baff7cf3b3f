"""Constant folding, shared subexpressions and dead-code removal in fast replays."""

import numpy as np
import pytest

import tapeflow as tf


def _program(f, *args):
    f(*args)
    cf = f.get_concrete_function(*args)
    assert len(cf.programs) == 1
    return cf.programs[0]


def _ops(program):
    return [s[1].name for s in program.fast_steps if s[0] in (0, 1)]


def test_ops_on_constants_are_folded_and_results_stay_right():
    c = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def f(x):
        scale = tf.exp(c) / tf.reduce_sum(tf.exp(c))   # constants only: folded
        return x * scale

    x1 = tf.constant([1.0, 1.0, 1.0])
    p = _program(f, x1)
    assert p.optimizations["folded"] == 4             # exp, exp, sum, div
    assert _ops(p) == ["Mul"]
    e = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    x2 = tf.constant([2.0, 0.0, -1.0])
    np.testing.assert_allclose(f(x2).numpy(), x2.numpy() * e, rtol=1e-6)


def test_tape_seed_of_a_mean_is_folded_in_a_train_step():
    w = tf.Variable([[0.5], [-0.25]])

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.matmul(x, w) ** 2)
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss

    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    p = _program(step, x)
    assert p.optimizations["folded"] >= 2           # ones / n, broadcast to the batch
    # Replays agree with eager steps on a twin variable.
    w2 = tf.Variable(w.numpy())
    for _ in range(3):
        step(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.matmul(x, w2) ** 2)
        w2.assign_sub(0.1 * tape.gradient(loss, w2))
    np.testing.assert_allclose(w.numpy(), w2.numpy(), rtol=1e-6)


def test_equal_constants_are_deduplicated_so_their_ops_are_shared():
    @tf.function
    def f(x):
        return 0.5 * x, 0.5 * x                      # two constants 0.5, two Mul

    x = tf.constant([2.0, 4.0])
    p = _program(f, x)
    assert p.optimizations["deduplicated constants"] == 1
    assert p.optimizations["shared"] == 1
    a, b = f(tf.constant([6.0, 8.0]))
    assert a.numpy().tolist() == [3.0, 4.0] and b.numpy().tolist() == [3.0, 4.0]


def test_common_subexpressions_are_computed_once():
    @tf.function
    def f(x):
        return tf.exp(x) + tf.exp(x)

    x = tf.constant([0.0, 1.0])
    p = _program(f, x)
    assert p.optimizations["shared"] == 1
    assert _ops(p) == ["Exp", "AddV2"]
    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), 2 * np.exp([1.0, 2.0]),
                               rtol=1e-6)


def test_a_read_after_an_assignment_is_not_shared():
    v = tf.Variable(1.0)

    @tf.function
    def f():
        a = v.read_value()
        b = v.read_value()                            # shared with a
        v.assign_add(1.0)
        c = v.read_value()                            # a new value: read again
        return a, b, c

    p = _program(f)
    assert p.optimizations["shared"] == 1
    a, b, c = f()
    assert (float(a), float(b), float(c)) == (2.0, 2.0, 3.0)
    assert float(v) == 3.0


def test_dead_ops_are_dropped_but_effects_and_checks_stay(capsys):
    @tf.function
    def f(x):
        unused = tf.exp(x) * 2.0                      # dead: dropped
        tf.debugging.check_numerics(x, "bad x")       # result unused, kept
        tf.print("called")
        return x + 1.0

    x = tf.constant([1.0])
    p = _program(f, x)
    assert p.optimizations["dropped"] == 2
    assert "Exp" not in _ops(p) and "CheckNumerics" in _ops(p)
    capsys.readouterr()
    assert f(tf.constant([2.0])).numpy().tolist() == [3.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad x"):
        f(tf.constant([np.nan], dtype=tf.float32))


def test_unused_random_draws_still_advance_the_generator():
    def body(keep_first):
        a = tf.random.uniform([2])                   # unused in one twin
        b = tf.random.uniform([2])
        return (a, b) if keep_first else b

    f = tf.function(lambda: body(False))
    g = tf.function(lambda: body(True))
    tf.random.set_seed(3)
    fs = [f().numpy() for _ in range(3)]
    tf.random.set_seed(3)
    gs = [g()[1].numpy() for _ in range(3)]
    for x, y in zip(fs, gs):
        np.testing.assert_array_equal(x, y)


def test_large_folded_results_are_left_to_the_replay(monkeypatch):
    from tapeflow._src.function import optimize
    monkeypatch.setattr(optimize, "FOLD_MAX_BYTES", 100)

    @tf.function
    def f(x):
        return x + tf.broadcast_to(tf.constant(2.0), [100])   # 400 bytes: not folded

    p = _program(f, tf.zeros([100]))
    assert p.optimizations["folded"] == 0 and _ops(p) == ["BroadcastTo", "AddV2"]
    assert f(tf.ones([100])).numpy().tolist() == [3.0] * 100


def test_gradients_through_a_function_use_the_unsimplified_steps():
    @tf.function
    def f(x):
        return tf.exp(x) + tf.exp(x) + tf.reduce_sum(tf.constant([1.0, 2.0]) * 3.0)

    x = tf.constant([0.5, 1.5])
    f(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * np.exp([0.5, 1.5]), rtol=1e-6)


# -- elementwise results written into inputs that die there --------------------------------

def test_elementwise_chain_reuses_dying_buffers_and_matches_eager_bit_for_bit():
    def chain(x, w):
        h = tf.matmul(x, w)
        h = tf.nn.relu(h + 1.0)
        return tf.sqrt(tf.square(h) * 0.5 + 2.0) - h / 3.0

    f = tf.function(chain)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))
    w = tf.constant(rng.standard_normal((5, 6)).astype(np.float32))
    f(x, w)
    src = f.get_concrete_function(x, w).programs[0].replay.source
    assert src.count("_into_") >= 4
    for _ in range(3):
        x2 = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))
        np.testing.assert_array_equal(f(x2, w).numpy(), chain(x2, w).numpy())


def test_a_live_view_keeps_its_base_from_being_overwritten():
    @tf.function
    def f(x):
        a = x * 2.0
        b = tf.reshape(a, [-1])                       # a view of a's array
        c = tf.exp(a)                                 # a's last use: b still sees it
        return b, c

    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    f(x)
    b, c = f(tf.constant([[0.5, 1.0], [1.5, 2.0]]))
    assert b.numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(c.numpy(), np.exp([[1.0, 2.0], [3.0, 4.0]]), rtol=1e-6)


def test_variables_inputs_and_returned_values_are_never_written_into():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        r = v.read_value()
        e = tf.exp(r)                                 # r's last use: the variable's array
        y = x + 1.0                                   # x: the caller's array
        z = y * 2.0                                   # y is returned: kept
        return e + tf.exp(x), y, z

    x = tf.constant([0.0, 1.0])
    f(x)
    x2 = tf.constant([3.0, 4.0])
    _, y, z = f(x2)
    assert v.numpy().tolist() == [1.0, 2.0]
    assert x2.numpy().tolist() == [3.0, 4.0]
    assert y.numpy().tolist() == [4.0, 5.0] and z.numpy().tolist() == [8.0, 10.0]


def test_relaxed_shape_programs_do_not_write_in_place():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return tf.exp(x * 2.0) + 1.0

    f(tf.constant([1.0]))
    p = f.get_concrete_function().programs[0]
    assert "_into_" not in p.replay.source
    np.testing.assert_allclose(f(tf.constant([0.0, 1.0])).numpy(), np.exp([0.0, 2.0]) + 1,
                               rtol=1e-6)


def test_reads_are_not_merged_across_an_assignment_through_what_assign_add_returned():
    # `u = v.assign_add(...)` is v: a read after `u.assign_add` sees the new value
    v = tf.Variable(np.zeros(2, np.float32))

    @tf.function
    def f(x):
        u = v.assign_add(x)
        r1 = v.read_value() * 1.0
        u.assign_add(x * 2.0)
        return r1, v.read_value() * 1.0

    x = tf.constant([1.0, 1.0])
    for n in range(1, 4):
        r1, r2 = f(x)
        np.testing.assert_array_equal(r1.numpy(), [3.0 * n - 2] * 2)
        np.testing.assert_array_equal(r2.numpy(), [3.0 * n] * 2)

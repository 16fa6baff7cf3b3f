"""The fast replay's generated code, in-place variable updates, and call fast paths."""

import numpy as np

import tapeflow as tf


def test_assign_add_of_dying_intermediate_matches_eager():
    v = tf.Variable([1.0, 2.0, 3.0])
    w = tf.Variable([1.0, 2.0, 3.0])

    def step(x):
        v.assign_add(x * 2.0)
        v.assign_sub(x + 1.0)
        return v.read_value()

    f = tf.function(step)
    for k in range(4):
        x = tf.constant([0.5, -1.0, 2.0]) * float(k)
        got = f(x)
        w.assign_add(x * 2.0)
        w.assign_sub(x + 1.0)
        np.testing.assert_array_equal(got.numpy(), w.numpy())
    assert f.experimental_get_tracing_count() == 1


def test_in_place_update_never_writes_into_a_visible_array():
    v = tf.Variable([1.0, 2.0])
    x = tf.constant([10.0, 20.0])
    held = []

    @tf.function
    def f(x, y):
        d = x * 1.0
        v.assign_add(tf.identity(x))  # identity may hand back the input's array
        v.assign_add(y * 1.0)
        return d

    f(x, x)
    before = v.numpy()
    r = f(x, x)
    held.append(r)
    np.testing.assert_array_equal(x.numpy(), [10.0, 20.0])
    np.testing.assert_array_equal(r.numpy(), [10.0, 20.0])
    np.testing.assert_array_equal(v.numpy(), before + [20.0, 40.0])


def test_old_variable_value_read_before_update_is_unchanged():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        old = v.read_value()
        v.assign_add(x * 3.0)
        return old, v.read_value()

    f(tf.constant([1.0, 1.0]))
    old, new = f(tf.constant([1.0, 1.0]))
    np.testing.assert_array_equal(old.numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(new.numpy(), [7.0, 8.0])


def test_guard_miss_rolls_back_in_place_updates():
    v = tf.Variable([0.0, 0.0])

    @tf.function
    def f(x):
        v.assign_add(x * 1.0)
        if float(tf.reduce_sum(x)) > 0:  # a guard, checked after the assign
            return v.read_value() + 1.0
        return v.read_value() - 1.0

    np.testing.assert_array_equal(f(tf.constant([1.0, 1.0])).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(f(tf.constant([-1.0, -2.0])).numpy(), [-1.0, -2.0])
    np.testing.assert_array_equal(v.numpy(), [0.0, -1.0])
    np.testing.assert_array_equal(f(tf.constant([2.0, 3.0])).numpy(), [3.0, 3.0])


def test_tuple_argument_fast_path_and_retrace_on_new_shape():
    calls = []

    @tf.function
    def f(batch):
        calls.append(1)
        a, b = batch
        return {"sum": tf.reduce_sum(a) + tf.reduce_sum(b), "n": 3, "a": a * 2.0}

    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0])
    out = f((a, b))
    assert list(out) == ["sum", "n", "a"]
    out = f((b, a))
    assert float(out["sum"]) == 6.0 and out["n"] == 3
    np.testing.assert_array_equal(out["a"].numpy(), [6.0])
    assert f.experimental_get_tracing_count() == 2
    out = f((a, a))  # one tensor passed twice: a new signature
    assert float(out["sum"]) == 6.0
    np.testing.assert_array_equal(out["a"].numpy(), [2.0, 4.0])
    c = tf.constant([5.0, 6.0])
    out = f((a, c))  # same signature, distinct tensors: the Python runs again, same count
    assert float(out["sum"]) == 14.0
    assert f.experimental_get_tracing_count() == 3
    out = f([b, a])  # a list is a different signature from a tuple
    assert f.experimental_get_tracing_count() == 4
    assert float(out["sum"]) == 6.0
    assert len(calls) == 5


def test_one_tensor_passed_twice_does_not_bind_later_distinct_arguments():
    @tf.function
    def f(x, y):
        return tf.reduce_sum(x) + 2.0 * tf.reduce_sum(y)

    a, c = tf.constant([1.0, 2.0]), tf.constant([5.0, 6.0])
    assert float(f(a, a)) == 9.0
    assert float(f(a, c)) == 25.0
    assert float(f(c, a)) == 17.0
    assert float(f(c, c)) == 33.0
    assert float(f(a, a)) == 9.0
    assert f.experimental_get_tracing_count() == 1


def test_mean_weighted_by_python_count_matches_tensor_weight():
    a, b = tf.keras.metrics.Mean(), tf.keras.metrics.Mean()
    for value, n in [(2.5, 32), (0.1, 7), (1e-3, 1), (3.0, 0)]:
        a.update_state(tf.constant(value), sample_weight=n)
        b.update_state(tf.constant(value), sample_weight=tf.constant(float(n)))
        np.testing.assert_array_equal(a.total.numpy(), b.total.numpy())
        np.testing.assert_array_equal(a.count.numpy(), b.count.numpy())
        np.testing.assert_array_equal(a.result().numpy(), b.result().numpy())


def test_one_value_added_to_two_variables():
    v, w = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])

    @tf.function
    def f(x):
        d = x * 2.0
        v.assign_add(d)
        w.assign_sub(d)

    for _ in range(3):
        f(tf.constant([1.0, 0.5]))
    np.testing.assert_array_equal(v.numpy(), [7.0, 5.0])
    np.testing.assert_array_equal(w.numpy(), [-3.0, 1.0])

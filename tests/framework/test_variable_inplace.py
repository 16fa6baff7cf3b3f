"""assign_add/assign_sub write into the variable's array only when nobody can see it.

Every holder of the old array (a tensor read from the variable, a view of it, an
`np.asarray(v)` result, the initial value, a memoryview) must keep the old values; with no
holder the update happens in place (same buffer), which is what saves a training step an
allocation per weight.
"""

import gc

import numpy as np
import pytest

import tapeflow as tf


def _data_ptr(v):
    return v._value.__array_interface__["data"][0]


def _fresh(values, dtype=np.float32):
    """A variable whose array is held by nothing else (the initial value let go)."""
    v = tf.Variable(np.array(values, dtype))
    v.assign_add(tf.zeros_like(v))  # the first update replaces the initial-value array
    return v


def test_update_with_no_holder_reuses_the_buffer():
    v = _fresh([1.0, 2.0, 3.0])
    ptr = _data_ptr(v)
    v.assign_sub(tf.constant([1.0, 1.0, 1.0]))
    assert _data_ptr(v) == ptr  # (a new array would be allocated while the old one lives)
    v.assign_add(tf.constant([0.5, 0.5, 0.5]))
    assert _data_ptr(v) == ptr
    np.testing.assert_array_equal(v.numpy(), [0.5, 1.5, 2.5])


def test_training_loop_updates_weights_in_place():
    w = _fresh(np.ones((4, 3)))
    x = tf.constant(np.ones((2, 4), np.float32))
    ptr = _data_ptr(w)
    for _ in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.matmul(x, w))
        g = tape.gradient(loss, w)
        w.assign_sub(0.5 * g)
        assert _data_ptr(w) == ptr
    np.testing.assert_array_equal(w.numpy(), np.full((4, 3), -2.0, np.float32))
    assert _data_ptr(w) == ptr


def test_initial_value_is_not_overwritten():
    v = tf.Variable([1.0, 2.0])
    v.assign_sub([1.0, 1.0])
    v.assign_sub([1.0, 1.0])
    np.testing.assert_array_equal(v.initial_value.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [-1.0, 0.0])


@pytest.mark.parametrize("method,expected", [("assign_sub", [0.0, 1.0]),
                                             ("assign_add", [2.0, 3.0])])
def test_tensor_read_before_the_update_keeps_its_values(method, expected):
    v = _fresh([1.0, 2.0])
    t = v.read_value()
    t2 = tf.identity(v)
    u = v + 0.0
    getattr(v, method)([1.0, 1.0])
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(t2.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(u.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), expected)


def test_tensor_view_of_a_read_keeps_its_values():
    v = _fresh([[1.0, 2.0], [3.0, 4.0]])
    row = v.read_value()[0]          # a slice: a NumPy view of the variable's array
    flat = tf.reshape(v, [-1])       # a reshape: also a view
    gc.collect()
    v.assign_sub(tf.ones([2, 2]))
    np.testing.assert_array_equal(row.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(flat.numpy(), [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [[0.0, 1.0], [2.0, 3.0]])


def test_numpy_holders_keep_their_values():
    v = _fresh([1.0, 2.0, 3.0])
    arr = np.asarray(v)              # the variable's own array, not a copy
    view = arr[1:]
    mv = memoryview(np.asarray(v))
    del arr
    v.assign_sub([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(view, [2.0, 3.0])
    assert mv.tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0, 2.0])


def test_only_a_view_of_the_old_array_still_protects_it():
    v = _fresh([1.0, 2.0, 3.0])
    view = np.asarray(v)[::2]        # holds the array through .base only
    v.assign_add([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(view, [1.0, 3.0])


def test_holder_released_then_update_is_in_place_again():
    v = _fresh([1.0, 2.0])
    t = v.read_value()
    v.assign_sub([1.0, 1.0])         # t holds the old array: a new one
    ptr = _data_ptr(v)
    del t
    v.assign_sub([1.0, 1.0])         # nobody holds the current array: in place
    assert _data_ptr(v) == ptr
    np.testing.assert_array_equal(v.numpy(), [-1.0, 0.0])


def test_self_update_is_correct():
    v = _fresh([1.0, 2.0])
    v.assign_add(v)
    np.testing.assert_array_equal(v.numpy(), [2.0, 4.0])
    v.assign_sub(v)
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])


def test_failed_updates_change_nothing():
    v = _fresh([1.0, 2.0])
    ptr = _data_ptr(v)
    with pytest.raises(ValueError):
        v.assign_sub([1.0, 2.0, 3.0])            # shape mismatch
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        v.assign_add(tf.constant([1, 2]))        # int32 into a float32 variable
    with pytest.raises((TypeError, ValueError)):
        v.assign_add("not a number")
    with pytest.raises(ValueError):
        v.assign_sub(1.0)                        # a scalar does not take the shape (2,)
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert _data_ptr(v) == ptr


def test_integer_variables():
    n = _fresh([1, 2], np.int32)
    n.assign_add([3, 4])
    n.assign_sub([1, 1])
    np.testing.assert_array_equal(n.numpy(), [3, 5])
    assert n.dtype == tf.int32


def test_scalar_variable_and_chained_updates():
    s = tf.Variable(1.0)
    for _ in range(3):
        s.assign_add(1.0)
    assert float(s) == 4.0
    v = _fresh([1.0, 2.0])
    r = v.assign_sub([1.0, 1.0]).assign_sub([1.0, 1.0])
    np.testing.assert_array_equal(r.numpy(), [-1.0, 0.0])
    np.testing.assert_array_equal(v.numpy(), [-1.0, 0.0])


def test_value_returned_by_assign_reads_later_updates():
    v = _fresh([1.0, 2.0])
    r = v.assign_sub([1.0, 1.0])
    v.assign_sub([1.0, 1.0])
    np.testing.assert_array_equal(r.numpy(), [-1.0, 0.0])  # a live view, as in TF


def test_read_inside_tape_survives_update_before_gradient():
    v = _fresh([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v)
    v.assign_sub([10.0, 10.0])       # the tape's read holds the old array
    g = tape.gradient(y, v)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [-9.0, -8.0])


def test_updates_inside_tf_function_match_eager():
    v = _fresh([1.0, 2.0])
    w = _fresh([1.0, 2.0])

    @tf.function
    def step(d):
        v.assign_sub(d)
        v.assign_add(0.5 * d)
        return v.read_value()

    outs = [step(tf.constant([1.0, 1.0])).numpy() for _ in range(3)]
    for _ in range(3):
        w.assign_sub([1.0, 1.0])
        w.assign_add([0.5, 0.5])
    np.testing.assert_array_equal(v.numpy(), w.numpy())
    np.testing.assert_array_equal(outs[0], [0.5, 1.5])
    np.testing.assert_array_equal(outs[2], [-0.5, 0.5])


def test_no_in_place_write_while_other_threads_run():
    import threading
    v = _fresh([1.0, 2.0])
    ptr = _data_ptr(v)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        v.assign_sub([1.0, 1.0])  # another thread could be reading v: a new array
        assert _data_ptr(v) != ptr
    finally:
        stop.set()
        t.join()
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0])
    ptr = _data_ptr(v)
    v.assign_sub([1.0, 1.0])
    assert _data_ptr(v) == ptr

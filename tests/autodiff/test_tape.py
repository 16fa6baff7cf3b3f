"""GradientTape semantics with hand-computed values."""

import logging

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf
from tapeflow._src.framework import context


def test_gradient_of_square_is_usable_after_the_block():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_second_gradient_call_on_non_persistent_tape_raises_tf_message():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError) as e:
        tape.gradient(y, x)
    assert str(e.value) == ("A non-persistent GradientTape can only be used to compute one set "
                            "of gradients (or jacobians)")


def test_persistent_tape_allows_two_gradient_calls():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 32.0   # 4 x^3


def test_nested_tapes_give_second_derivative():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0
    assert float(outer.gradient(dy, x)) == 12.0   # 6 x


def test_two_active_tapes_record_independently():
    x, w = tf.constant(1.5), tf.constant(4.0)
    with tf.GradientTape() as t1, tf.GradientTape() as t2:
        t1.watch(x)
        t2.watch(w)
        y = x * w
    assert float(t1.gradient(y, x)) == 4.0
    assert float(t2.gradient(y, w)) == 1.5


def test_op_on_unwatched_values_is_not_recorded():
    x, c = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _ = c * c + c          # touches nothing watched
        assert tape._records == []
        _ = x * c
    assert [r.type for r in tape._records] == ["Mul"]


def test_no_active_tape_records_nothing():
    x = tf.constant(1.0)
    tape = tf.GradientTape()
    _ = x * x                 # tape not entered
    assert tape._records == [] and context.tapes == []


def test_a_tape_never_entered_has_no_tape_to_use():
    # TF's tape object exists only inside `with`: watch and gradient fail before it.
    x = tf.constant(1.0)
    tape = tf.GradientTape()
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute '_tape'"):
        tape.watch(x)
    with pytest.raises(RuntimeError, match="can only be used to compute one set"):
        tape.gradient(x, x)
    with tf.GradientTape() as used:
        used.watch(x)
        y = x * x
    used.gradient(y, x)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute '_tape'"):
        used.watch(x)


def test_outputs_of_recorded_ops_become_watched():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 3.0
        z = y * y
    # intermediate tensors can be sources
    assert float(tape.gradient(z, y)) == 12.0


def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(3.0)
    frozen = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * frozen
    gv, gf = tape.gradient(y, [v, frozen])
    assert float(gv) == 2.0 and gf is None
    assert tape.watched_variables() == (v,)


def test_watch_accessed_variables_false_watches_only_explicit():
    v, w = tf.Variable(3.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(w)
        y = v * w
    gv, gw = tape.gradient(y, [v, w])
    assert gv is None and float(gw) == 3.0
    assert tape.watched_variables() == (w,)


def test_variable_created_inside_tape_is_watched():
    with tf.GradientTape() as tape:
        v = tf.Variable(2.0)
        y = v * v
    assert float(tape.gradient(y, v)) == 4.0


def test_watch_nested_structure_and_dict_sources():
    x, w = tf.constant(1.0), tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch({"a": x, "b": [w]})
        y = x * w
    g = tape.gradient(y, {"a": x, "b": [w]})
    assert float(g["a"]) == 2.0 and float(g["b"][0]) == 1.0


def test_watch_integer_tensor_warns_and_gradient_is_none(caplog):
    xi = tf.constant(3)
    with caplog.at_level(logging.WARNING):
        with tf.GradientTape() as tape:
            tape.watch(xi)
            y = tf.cast(xi, tf.float32) * 2.0
    assert "The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32" \
        in caplog.text
    assert tape.gradient(y, xi) is None


def test_watch_rejects_python_numbers():
    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
        with tf.GradientTape() as tape:
            tape.watch(3.0)


def test_integer_target_gives_none():
    x = tf.constant(2.7)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.int32)
    assert tape.gradient(y, x) is None


def test_nested_target_is_summed_and_sources_keep_structure():
    x, z = tf.constant(2.0), tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([x, z])
        y1 = x * x
        y2 = 3.0 * x
    g = tape.gradient({"a": y1, "b": [y2]}, (x, [z]))
    assert isinstance(g, tuple) and isinstance(g[1], list)
    assert float(g[0]) == 7.0 and g[1][0] is None


def test_output_gradients_weight_targets():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y1, y2 = x * x, 3.0 * x
    g = tape.gradient([y1, y2], x, output_gradients=[tf.constant(2.0), tf.constant(10.0)])
    assert float(g) == 2.0 * 4.0 + 10.0 * 3.0


def test_unconnected_gradients_none_and_zero():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.constant(2.0) * 3.0
    assert tape.gradient(y, x) is None
    g = tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0])
    assert g.dtype == tf.float32
    g = tape.gradient(y, x, unconnected_gradients="zero")
    assert g.shape == x.shape


def test_gradient_has_source_dtype_and_shape_under_broadcasting():
    x = tf.constant(np.ones((3, 1)), dtype=tf.float64)
    b = tf.constant(np.ones((4,)), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x, b])
        y = x * b
    gx, gb = tape.gradient(y, [x, b])
    assert gx.shape == (3, 1) and gx.dtype == tf.float64
    np.testing.assert_array_equal(gx.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_array_equal(gb.numpy(), np.full((4,), 3.0))


def test_target_equal_to_source_gives_ones():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        pass
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])


def test_complex_gradient_uses_conjugate_convention():
    z = tf.constant(1 + 2j, dtype=tf.complex64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = z * z
    assert complex(tape.gradient(y, z)) == 2 - 4j   # conj(2 z), as TensorFlow


def test_gradient_inside_non_persistent_context_stops_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
        assert tape not in context.tapes
        _ = y * 2.0
    assert float(g) == 6.0
    with pytest.raises(RuntimeError):
        tape.gradient(y, x)


def test_gradient_inside_persistent_context_warns_and_records(caplog):
    x = tf.constant(3.0)
    with caplog.at_level(logging.WARNING):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            g = tape.gradient(y, x)
    assert "Calling GradientTape.gradient on a persistent tape inside its context" in caplog.text
    assert float(tape.gradient(g, x)) == 2.0


def test_stop_recording_hides_ops():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x * x
        z = x * 5.0
    assert tape.gradient([y, z], x).numpy() == 5.0


def test_stop_recording_outside_context_raises():
    with pytest.raises(RuntimeError, match="Trying to stop recording a tape which is not "
                                           "recording."):
        with tf.GradientTape().stop_recording():
            pass


def test_reset_forgets_records_and_keeps_recording():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _ = x * x
        tape.reset()
        assert tape._records == []
        tape.watch(x)
        y = 5.0 * x
    assert float(tape.gradient(y, x)) == 5.0


def test_only_records_on_path_are_differentiated():
    calls = []
    x, w = tf.constant(2.0), tf.constant(3.0)

    @tf.custom_gradient
    def spy(a):
        def grad(dy):
            calls.append(1)
            return dy
        return tf.identity(a), grad

    with tf.GradientTape() as tape:
        tape.watch([x, w])
        h = spy(x) * 2.0
        y = h * w
    assert float(tape.gradient(y, w)) == 4.0
    assert calls == []       # x's branch is not needed for d y / d w


def test_bad_source_type_raises():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError):
        tape.gradient(y, 3.0)


def test_stop_gradient_blocks_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x) + x
    assert float(tape.gradient(y, x)) == 1.0


# -- laws of the tape (Hypothesis) ----------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_gradients_have_input_shapes_under_broadcasting(shapes):
    x, y = (tf.constant(np.ones(s)) for s in shapes.input_shapes)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = x * y + x
    gx, gy = tape.gradient(z, [x, y])
    assert gx.shape == x.shape and gy.shape == y.shape
    n = int(np.prod(shapes.result_shape))
    assert np.isclose(float(tf.reduce_sum(gy)), n)   # d sum(x*y)/dy summed = number of terms


@settings(max_examples=25, deadline=None)
@given(a=st.floats(-3, 3), b=st.floats(-3, 3), x0=st.floats(-2, 2))
def test_gradient_is_linear_in_output_gradients(a, b, x0):
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * x
    ga = tape.gradient(y, x, output_gradients=tf.constant(a, tf.float64))
    gb = tape.gradient(y, x, output_gradients=tf.constant(b, tf.float64))
    gab = tape.gradient(y, x, output_gradients=tf.constant(a + b, tf.float64))
    assert np.isclose(float(ga) + float(gb), float(gab))
    assert np.isclose(float(ga), a * (np.cos(x0) * x0 + np.sin(x0)))


def test_sources_the_tape_never_watched_get_none():
    # A recorded op read x2 and x3, but the tape never watched them: TF gives None.
    x0 = tf.Variable(3.0)
    x2 = tf.Variable(2.0) + 1.0
    x3 = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x0 * x2 + x3 * x0
    g0, g2, g3 = tape.gradient(y, [x0, x2, x3])
    assert float(g0) == 6.0 and g2 is None and g3 is None
    assert float(tape.gradient(y, x3, unconnected_gradients="zero")) == 0.0
    assert float(tape.gradient(x3, x3)) == 1.0
    # A watched tensor and an op output of the tape are tracked.
    with tf.GradientTape() as tape:
        tape.watch(x3)
        h = x3 * 2.0
        y = h * x2
    gh, g3 = tape.gradient(y, [h, x3])
    assert float(gh) == 3.0 and float(g3) == 6.0

"""tf.debugging.explain_gradients: one cause per None gradient."""

import logging

import pytest

import tapeflow as tf


def _cause(target_name, **tape_kwargs):
    x = tf.constant(1.7)
    v = tf.Variable(1.3, trainable=False)
    with tf.debugging.explain_gradients() as report:
        before = x * 2.0
        with tf.GradientTape(**tape_kwargs) as tape:
            tape.watch(x)
            targets = {
                "numpy": tf.constant(x.numpy()) * 2.0,
                "float": tf.constant(float(x)) * 2.0,
                "argmax": tf.cast(tf.argmax(tf.stack([x, 2.0 * x])), tf.float32) * 1.0,
                "cast_int": tf.cast(tf.cast(x, tf.int32), tf.float32),
                "comparison": tf.cast(tf.greater(x, 1.0), tf.float32),
                "before": before * 3.0,
                "unconnected": tf.constant(3.0) * 2.0,
                "stop": tf.stop_gradient(x) * 2.0,
            }
            with tape.stop_recording():
                targets["not_recording"] = x * 5.0
        grad = tape.gradient(targets[target_name], x)
    assert grad is None
    assert len(report.explanations) == 1
    return report.explanations[0]


@pytest.mark.parametrize("name, cause", [
    ("numpy", "numpy"), ("float", "numpy"), ("argmax", "non_differentiable"),
    ("cast_int", "non_differentiable"), ("comparison", "non_differentiable"),
    ("before", "before_tape"), ("unconnected", "unconnected"), ("stop", "non_differentiable"),
    ("not_recording", "not_recording"),
])
def test_each_cause_is_identified(name, cause):
    assert _cause(name).cause == cause


def test_message_names_the_op():
    assert "'ArgMax'" in _cause("argmax").message
    assert "int32" in _cause("cast_int").message


def test_never_watched_tensor_and_variables():
    x = tf.constant(2.0)
    frozen = tf.Variable(1.0, trainable=False)
    unread = tf.Variable(1.0)
    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape() as tape:
            y = x * frozen
        tape.gradient(y, [x, frozen, unread])
    causes = [(e.index, e.cause) for e in report.explanations]
    assert causes == [(0, "never_watched"), (1, "never_watched"), (2, "never_watched")]
    assert "not trainable" in report.explanations[1].message
    assert "never read" in report.explanations[2].message


def test_watch_accessed_variables_false_is_explained():
    v = tf.Variable(1.0)
    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            y = v * 2.0
        tape.gradient(y, v)
    assert "watch_accessed_variables=False" in report.explanations[0].message


def test_integer_source_is_explained():
    xi = tf.constant(3)
    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape() as tape:
            tape.watch(xi)
            y = tf.cast(xi, tf.float32) * 2.0
        tape.gradient(y, xi)
    assert report.explanations[0].cause == "integer_dtype"


def test_gradient_only_mode_reports_target_not_recorded():
    x = tf.constant(2.0)
    y = x * 3.0                       # before the tape, no provenance tracked
    with tf.GradientTape() as tape:
        tape.watch(x)
    with tf.debugging.explain_gradients() as report:
        tape.gradient(y, x)
    assert report.explanations[0].cause == "target_not_recorded"


def test_raise_error_mode_and_logging(caplog):
    x = tf.constant(2.0)
    with pytest.raises(tf.debugging.GradientExplanationError, match="never watched"):
        with tf.debugging.explain_gradients(raise_error=True):
            with tf.GradientTape() as tape:
                y = x * x
            tape.gradient(y, x)
    with caplog.at_level(logging.WARNING):
        with tf.debugging.explain_gradients():
            with tf.GradientTape() as tape:
                y = x * x
            tape.gradient(y, x)
    assert "explain_gradients: gradient of source 0 is None" in caplog.text


def test_connected_gradients_are_not_explained_and_patches_are_removed():
    x = tf.constant(2.0)
    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert float(tape.gradient(y, x)) == 4.0
    assert report.explanations == []
    from tapeflow._src.autodiff import explain
    assert explain.active is None
    assert tf.Tensor.numpy.__qualname__ == "Tensor.numpy"


def test_jacobian_none_is_explained():
    x = tf.constant([1.0, 2.0])
    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cast(tf.argmax(x), tf.float32) * tf.ones([2])
        assert tape.jacobian(y, x) is None
    assert report.explanations[0].cause == "non_differentiable"

"""tf.print formatting, repeat/roll/sequence_mask, clip_by_global_norm and eager no-ops."""

import io

import numpy as np
import pytest

import tapeflow as tf


def _printed(*args, **kw):
    buf = io.StringIO()
    tf.print(*args, output_stream=buf, **kw)
    return buf.getvalue()


def test_print_formats_like_tensorflow():
    assert _printed(tf.constant([1, 2, 3])) == "[1 2 3]\n"
    assert _printed(tf.constant(0.1), "abc", 3) == "0.1 abc 3\n"
    assert _printed(tf.range(10)) == "[0 1 2 ... 7 8 9]\n"
    assert _printed(tf.constant(123456789.0)) == "123456792\n"
    assert _printed(tf.constant([True, False]), tf.constant(["a", "b"])) == '[1 0] ["a" "b"]\n'
    assert _printed(tf.constant(1), tf.constant(2), sep=",", end="!\n") == "1,2!\n"
    assert _printed({"a": tf.constant(1)}, [tf.constant(2.0)]) == "{'a': 1} [2]\n"


def test_print_goes_to_stderr_by_default(capsys):
    tf.print(tf.constant(5))
    captured = capsys.readouterr()
    assert captured.err == "5\n" and captured.out == ""


def test_repeat_roll_sequence_mask():
    assert tf.repeat([1, 2], [2, 3]).numpy().tolist() == [1, 1, 2, 2, 2]
    assert tf.repeat([[1, 2], [3, 4]], 2, axis=0).numpy().tolist() == [[1, 2], [1, 2],
                                                                        [3, 4], [3, 4]]
    assert tf.roll([1, 2, 3, 4], 1, 0).numpy().tolist() == [4, 1, 2, 3]
    assert tf.roll([[1, 2], [3, 4]], [1, 1], [0, 1]).numpy().tolist() == [[4, 3], [2, 1]]
    assert tf.sequence_mask([1, 3], 4).numpy().tolist() == [[True, False, False, False],
                                                             [True, True, True, False]]
    assert tf.sequence_mask([2], dtype=tf.float32).numpy().tolist() == [[1.0, 1.0]]


def test_repeat_and_roll_are_differentiable():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.repeat(x, [2, 3]) * tf.roll(tf.repeat(x, [2, 3]), 1, 0))
    g = tape.gradient(y, x)
    # y = sum_i r_i r_{i-1} with r = [a, a, b, b, b]: dy/da = 2a + 2b... computed by hand:
    # pairs (r0,r4)=(a,b), (r1,r0)=(a,a), (r2,r1)=(b,a), (r3,r2)=(b,b), (r4,r3)=(b,b)
    # y = ab + a^2 + ab + b^2 + b^2 -> dy/da = 2b + 2a, dy/db = 2a + 4b
    np.testing.assert_allclose(g.numpy(), [2 * 2 + 2 * 1, 2 * 1 + 4 * 2])


def test_clip_by_global_norm():
    a, b = tf.constant([3.0, 0.0]), tf.constant([0.0, 4.0])
    (ca, cb), norm = tf.clip_by_global_norm([a, b], 1.0)
    assert norm.numpy() == pytest.approx(5.0)
    np.testing.assert_allclose(ca.numpy(), [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(cb.numpy(), [0.0, 0.8], rtol=1e-6)
    (same,), _ = tf.clip_by_global_norm([a], 10.0)
    np.testing.assert_allclose(same.numpy(), a.numpy())
    clipped, _ = tf.clip_by_global_norm([a, None], 1.0)
    assert clipped[1] is None


def test_eager_no_ops_and_static_value():
    with tf.device("/GPU:0"), tf.control_dependencies([]), tf.init_scope():
        x = tf.constant([1, 2])
    assert tf.no_op() is None and tf.group(x) is None
    assert not tf.inside_function()
    assert tf.get_static_value(x).tolist() == [1, 2]
    assert tf.get_static_value(3) == 3
    assert tf.ensure_shape(x, [None]).shape == (2,)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.ensure_shape(x, [3])
    assert tf.scalar_mul(2, tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert [t.numpy() for t in tf.identity_n([tf.constant(1), tf.constant(2)])] == [1, 2]

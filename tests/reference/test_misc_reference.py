"""tf.print output, control flow and misc ops: tapeflow against TensorFlow."""

import io
import sys

import numpy as np
import pytest

import tapeflow

PRINTS = [
    "tf.constant([1, 2, 3])", "tf.constant(0.1)", "tf.range(10)",
    "tf.reshape(tf.range(12.), [3, 4])", "tf.reshape(tf.range(64), [8, 8])",
    "tf.constant([1.5, 2.25, 1e-7])", "tf.constant([True, False])", "tf.constant(['a', 'b'])",
    "tf.constant(1.123456789, tf.float64)", "tf.constant(123456789.0)",
    "tf.Variable([1., 2.])", "tf.constant(np.arange(24).reshape(2, 3, 4))",
    "tf.constant([-0.5, 3.25e10, np.inf, -np.inf])",
]


@pytest.mark.parametrize("expr", PRINTS)
def test_print_matches_tensorflow(expr, tf_ref, capfd):
    def printed(tf):
        value = eval(expr, {"tf": tf, "np": np})  # noqa: S307
        tf.print(value, output_stream=sys.stdout)
        sys.stdout.flush()
        return capfd.readouterr().out
    assert printed(tapeflow) == printed(tf_ref)


@pytest.mark.parametrize("expr", [
    "tf.repeat([1, 2], [2, 3])", "tf.repeat([[1, 2], [3, 4]], 2, axis=1)",
    "tf.roll([1, 2, 3, 4], -1, 0)", "tf.sequence_mask([1, 3], 4)",
    "tf.sequence_mask([[1], [2]])",
    "tf.map_fn(lambda x: x * 2, tf.constant([1, 2, 3]))",
    "tf.scan(lambda a, x: a * x, tf.constant([1, 2, 3, 4]))",
    "tf.foldl(lambda a, x: a - x, tf.constant([1, 2, 3]))",
    "tf.while_loop(lambda i: i < 4, lambda i: (i + 2,), [tf.constant(1)])",
    "tf.cond(tf.constant(True), lambda: tf.constant(1.0), lambda: tf.constant(2.0))",
    "tf.clip_by_global_norm([tf.constant([3.0, 4.0])], 1.0)",
])
def test_values_match_tensorflow(expr, tf_ref):
    def value(tf):
        return repr(eval(expr, {"tf": tf, "np": np}))  # noqa: S307
    assert value(tapeflow) == value(tf_ref)

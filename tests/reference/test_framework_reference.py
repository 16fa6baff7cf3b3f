"""Tensors, variables, conversion and operators: tapeflow against real TensorFlow.

Each expression is evaluated with `tf` bound to tapeflow and to TensorFlow; the printed
results (repr and str) or the exception types must agree.
"""

import numpy as np
import pytest

import tapeflow

EXPRESSIONS = [
    "tf.constant([1, 2, 3, 4, 5, 6])", "tf.constant(1.5)", "tf.constant(0.1)",
    "tf.constant(2**40)", "tf.constant([1, 2.0])", "tf.constant(True)", "tf.constant('hi')",
    "tf.constant(['a', 'b'])", "tf.constant(1 + 2j)", "tf.constant([[1.5, 2], [3, 4]])",
    "tf.constant(np.float64(1.0))", "tf.constant(np.arange(6).reshape(2, 3))",
    "tf.constant(-1.0, shape=[2, 3])", "tf.constant([1, 2, 3, 4], shape=[4, 1])",
    "tf.constant(300, dtype=tf.uint8)", "tf.constant(True, dtype=tf.int32)",
    "tf.constant(1.5, dtype=tf.int32)", "tf.constant([[1], [2, 3]])", "tf.constant(2**64)",
    "tf.constant([1, 2, 3], shape=[2, 2])",
    "tf.convert_to_tensor(tf.constant(1), dtype=tf.float32)",
    "tf.convert_to_tensor(np.array([1.5]), dtype=tf.int32)",
    "tf.constant(1) + 1.5", "tf.constant(1.0) + 1", "tf.constant(1) + tf.constant(1.0)",
    "tf.constant(1.0) + np.float64(2)", "tf.constant(1.0) + np.array([2.0])",
    "tf.constant(1) == 1.5", "tf.constant([1, 2]) == tf.constant([1, 2, 3])",
    "tf.constant([1, 2]) + tf.constant([1, 2, 3])", "tf.constant(1) / tf.constant(2)",
    "tf.constant(1, tf.int16) / 2", "tf.constant([1.0]) & tf.constant([1.0])",
    "~tf.constant(1)", "~tf.constant(True)", "tf.constant(7) // 2", "tf.constant(-7) % 3",
    "tf.constant(-7.) % 3", "tf.constant(2) ** -1", "abs(tf.constant(-2))",
    "tf.constant([1, 2])[5]", "tf.constant([True]) + tf.constant([True])",
    "-tf.constant(True)", "tf.constant(1, tf.uint8) - tf.constant(2, tf.uint8)",
    "tf.constant([5.0]) // 0", "tf.constant(5) // 0", "tf.constant([[1, 2], [3, 4]]) ** 2",
    "tf.square(5)", "tf.reduce_sum([1, 2, 3])", "tf.square(2) + tf.square(3)",
    "tf.cast(tf.constant([1.7, -1.7]), tf.int32)", "tf.cast(300, tf.uint8)",
    "tf.Variable(0.1)", "tf.Variable([1, 2], tf.float32)", "tf.Variable('Hello', tf.string)",
    "tf.Variable([1, 2, 3, 4], shape=(2, 2))", "tf.Variable(4 + 3j, dtype=tf.complex64)",
    "tf.Variable([[4, 9], [16, 25]], dtype=tf.int32)", "tf.Variable(1.0).assign(2)",
    "tf.Variable([1, 2]).assign([1, 2, 3])", "tf.Variable([1, 2]).assign([1.5, 2])",
    "tf.Variable([1, 2]).assign_add([1, 1], read_value=False)",
    "tf.Variable(0.0) + 1", "tf.Variable(1.0) * tf.Variable(2.0)",
    "tf.multiply(np.ones([3, 3]), 3)", "tf.add([1, 2], [3, 4])",
    "tf.TensorShape([None, 3])", "tf.TensorShape([1, 2])[1:]",
]


def _render(tf, expr):
    try:
        value = eval(expr, {"tf": tf, "np": np})  # noqa: S307 - fixed test expressions
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return ("raises", type(e).__name__)
    return ("value", repr(value), str(value))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_matches_tensorflow(expr, tf_ref):
    assert _render(tapeflow, expr) == _render(tf_ref, expr)


@pytest.mark.parametrize("expr", [
    "tf.constant(1) + 1.5", "tf.constant([1, 2]) + tf.constant([1, 2, 3])",
    "tf.Variable([1, 2]).assign([1, 2, 3])", "tf.constant(1.5, dtype=tf.int32)",
    "tf.convert_to_tensor(tf.constant(1), dtype=tf.float32)", "tf.constant(5) // 0",
])
def test_error_messages_match_tensorflow(expr, tf_ref):
    def message(tf):
        try:
            eval(expr, {"tf": tf, "np": np})  # noqa: S307
        except Exception as e:  # noqa: BLE001
            return str(e).split("{{function_node")[0] + str(e).split("}}")[-1] \
                if "{{function_node" in str(e) else str(e)
        return None
    got, want = message(tapeflow), message(tf_ref)
    want = want.replace("  ", " ").strip()
    assert got.replace("  ", " ").strip() == want


@pytest.mark.parametrize("expr", [
    f"{t}{op}1.5" for t in ("tf.constant(1)",) for op in ("+", "-", "*", "/", "//", "%", "**",
                                                         "<", "&")
] + [
    "1.5 + tf.constant(1)", "tf.add(tf.constant(1), 1.5)", "tf.subtract(tf.constant(1), 1.5)",
    "tf.multiply(1.5, tf.constant(1))", "tf.add(1.5, tf.constant(1))",
    "tf.maximum(tf.constant(1), 1.5)", "tf.equal(tf.constant(1), 1.5)",
    "tf.subtract([1, 2], 1.5)", "tf.multiply(tf.constant(1), tf.constant(1.5))",
    "tf.constant(1) + np.float64(1.5)", "tf.add(tf.constant(1.0), np.array([1, 2]))",
    "tf.add(tf.constant(1), 2**40)", "tf.convert_to_tensor(None)",
    "tf.constant(1) / tf.constant(1.5)", "repr(tf.float32)", "str(tf.float32)",
])
def test_operand_conversion_rules_match_tensorflow(expr, tf_ref):
    def outcome(tf):
        try:
            v = eval(expr, {"tf": tf, "np": np})  # noqa: S307
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e).split("}}")[-1].strip()[:60]
        return "value", repr(v)
    assert outcome(tapeflow) == outcome(tf_ref)

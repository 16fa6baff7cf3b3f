"""ConcreteFunction: TF's printed signature, results as tensors, call-time dtype checks."""

import logging

import numpy as np
import pytest

import tapeflow as tf


def test_printed_signature_lists_parameters_outputs_and_captures():
    c = tf.constant(5.0)

    @tf.function
    def f(a, n, xs, opt=None, *, k=2):
        return a * n + xs[0] + c

    cf = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32), 3, [tf.constant(1.0)],
                                 k=4)
    spec = "TensorSpec(shape=(None, 2), dtype=tf.float32, name=None)"
    scalar = "TensorSpec(shape=(), dtype=tf.float32, name=None)"
    assert str(cf) == "\n".join([
        "ConcreteFunction Input Parameters:",
        f"  a (POSITIONAL_OR_KEYWORD): {spec}",
        "  n (POSITIONAL_OR_KEYWORD): Literal[3]",
        f"  xs (POSITIONAL_OR_KEYWORD): List[{scalar}]",
        "  opt (POSITIONAL_OR_KEYWORD): Literal[None]",
        "  k (KEYWORD_ONLY): Literal[4]",
        "Output Type:",
        f"  {spec}",
        "Captures:",
        f"  {id(c)}: {scalar}"])
    assert repr(cf).startswith(
        f"<ConcreteFunction (a: {spec}, n: Literal[3], xs: List[{scalar}], "
        f"opt: Literal[None], *, k: Literal[4]) -> {spec} at 0x")
    assert f.pretty_printed_concrete_signatures() == str(cf)[len("ConcreteFunction "):]


def test_variables_are_captured_as_resources_and_structures_are_spelled_out():
    v = tf.Variable(1.0)

    @tf.function
    def g(a):
        return {"x": a, "y": (a, tf.cast(a, tf.float32) * v)}

    text = str(g.get_concrete_function(tf.constant([1, 2])))
    assert text.splitlines()[3] == (
        "  Dict[['x', TensorSpec(shape=(2,), dtype=tf.int32, name=None)], "
        "['y', Tuple[TensorSpec(shape=(2,), dtype=tf.int32, name=None), "
        "TensorSpec(shape=(2,), dtype=tf.float32, name=None)]]]")
    assert text.splitlines()[-1] == (
        f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)")


def test_python_results_become_tensors_and_none_stays():
    @tf.function
    def h(x):
        return 1, None, "s", 2.5, [x * 2]

    for _ in range(2):                                    # the trace, then a replay
        one, none, s, f, (y,) = h(tf.constant(3))
        assert isinstance(one, tf.Tensor) and one.dtype == tf.int32 and int(one) == 1
        assert none is None and s.numpy() == b"s" and f.dtype == tf.float32
        assert int(y) == 6

    class Obj:
        pass

    with pytest.raises(TypeError, match="found return value of type Obj, which is not a "
                                        "Tensor or ExtensionType"):
        tf.function(lambda: Obj())()


def test_a_concrete_function_checks_dtypes_and_follows_other_shapes():
    @tf.function
    def double(a):
        return a + a

    cf = double.get_concrete_function(tf.TensorSpec([2], tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute __inference_double_\d+ as input #0\(zero-based\) "
                             r"was expected to be a float tensor but is a int32 tensor"):
        cf(tf.constant([1, 2]))
    np.testing.assert_array_equal(cf(tf.constant([1.0, 2.0, 3.0])).numpy(), [2.0, 4.0, 6.0])
    with pytest.raises(NotImplementedError, match="no FuncGraph"):
        cf.graph


def test_retracing_warning_reads_as_tfs(capsys):
    @tf.function
    def g(x):
        return tf.reduce_sum(x)

    for n in range(1, 7):
        g(tf.ones([n]))
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("WARNING:tensorflow:5 out of the last 5 calls to <function ")
    assert tf.get_logger().name == "tapeflow" and logging.getLogger("tapeflow").handlers

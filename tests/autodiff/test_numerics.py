"""check_numerics, enable_check_numerics and the assertion helpers."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ops import math_ops


@pytest.fixture(autouse=True)
def _always_disable():
    yield
    tf.debugging.disable_check_numerics()


def test_check_numerics_passes_finite_values_through():
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.debugging.check_numerics(x, "m").numpy(), [1.0, 2.0])


@pytest.mark.parametrize("value, kind", [(np.nan, "NaN"), (np.inf, "Inf")])
def test_check_numerics_raises_with_tf_message(value, kind):
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.check_numerics(tf.constant([1.0, value]), "msg here")
    assert str(e.value) == f"msg here : Tensor had {kind} values [Op:CheckNumerics] name: "


def test_check_numerics_rejects_integers():
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32 is not in the list"):
        tf.debugging.check_numerics(tf.constant([1, 2]), "m")


def test_check_numerics_gradient_passes_through():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x * x, "m")
    assert float(tape.gradient(y, x)) == 4.0


def test_assert_all_finite():
    x = tf.constant([1.0])
    assert tf.debugging.assert_all_finite(x, "ok") is not None
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.assert_all_finite(tf.constant([np.nan]), "bad")


def test_enable_check_numerics_names_op_line_and_inputs():
    tf.debugging.enable_check_numerics()
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.math.log(tf.constant([-1.0, 2.0]))  # the failing line
    text = str(e.value)
    assert 'output 0 of op "Log"' in text
    assert "test_numerics.py" in text and "the failing line" in text
    assert "dtype=float32 shape=(2,) min=" in text and "-1.0" in text and "2.0" in text
    assert text.endswith("Tensor had NaN values [Op:Log] name: ")


def test_enable_check_numerics_in_gradient_names_forward_op():
    tf.debugging.enable_check_numerics()
    x = tf.constant([4.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sqrt(x)  # forward op site
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tape.gradient(y, x)
    text = str(e.value)
    assert 'While computing the gradient of forward op "Sqrt"' in text
    assert "forward op site" in text
    assert "Inf" in text


def test_disable_check_numerics_restores_silent_nan():
    tf.debugging.enable_check_numerics()
    tf.debugging.disable_check_numerics()
    assert np.isnan(float(tf.math.log(tf.constant(-1.0))))


def test_disabled_check_numerics_leaves_op_functions_untouched():
    fwd = {n: c.cell_contents for n, c in zip(math_ops.log.__code__.co_freevars,
                                                math_ops.log.__closure__ or ())
           if n == "forward"}
    tf.debugging.enable_check_numerics()
    tf.debugging.disable_check_numerics()
    after = {n: c.cell_contents for n, c in zip(math_ops.log.__code__.co_freevars,
                                                  math_ops.log.__closure__ or ())
             if n == "forward"}
    assert fwd == after


def test_assert_equal():
    assert tf.debugging.assert_equal([1, 2], [1, 2]) is None
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.assert_equal([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], message="hello")
    assert str(e.value) == ("hello\nCondition x == y did not hold.\nIndices of first 3 different "
                            "values:\n[[0]\n [1]\n [2]]\nCorresponding x values:\n[1 2 3]\n"
                            "Corresponding y values:\n[0 0 0]\nFirst 3 elements of x:\n[1 2 3]\n"
                            "First 3 elements of y:\n[0 0 0]")


def test_assert_near():
    assert tf.debugging.assert_near([1.0, 2.0], [1.0, 2.0000001]) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near([1.0, 2.0], [1.0, 2.5])


def test_assert_rank():
    assert tf.debugging.assert_rank(tf.ones([2]), 1) is None
    with pytest.raises(ValueError) as e:
        tf.debugging.assert_rank(tf.ones([2, 3]), 3, message="hey")
    assert str(e.value) == "hey.  Tensor  must have rank 3.  Received rank 2, shape (2, 3)"


def test_assert_shapes():
    ok = [(tf.ones([2, 3]), ("N", "D")), (tf.ones([3]), ("D",))]
    assert tf.debugging.assert_shapes(ok) is None
    with pytest.raises(ValueError) as e:
        tf.debugging.assert_shapes([(tf.ones([2, 3]), (2, 4))])
    assert str(e.value) == ("Specified explicitly.  Tensor shape=(2, 3) dtype=float32 dimension 1 "
                            "must have size 4.  Received size 3, shape (2, 3)")
    with pytest.raises(ValueError, match="Specified by tensor shape=\\(2, 3\\) dtype=float32 "
                                         "dimension 0"):
        tf.debugging.assert_shapes([(tf.ones([2, 3]), ("N", "D")), (tf.ones([3, 3]), ("N", "D"))])


def test_compute_gradient_layout_and_values():
    th, nu = tf.test.compute_gradient(lambda a: a * a, [tf.constant([1.0, 2.0, 3.0])])
    assert isinstance(th, tuple) and th[0].dtype == np.float32
    np.testing.assert_array_equal(th[0], np.diag([2.0, 4.0, 6.0]))
    np.testing.assert_allclose(nu[0], np.diag([2.0, 4.0, 6.0]), rtol=1e-3)
    th, nu = tf.test.compute_gradient(tf.matmul, [tf.ones([2, 3]), tf.ones([3, 1])])
    assert [t.shape for t in th] == [(2, 6), (2, 3)] == [n.shape for n in nu]
    with pytest.raises(ValueError, match="must be a list or tuple"):
        tf.test.compute_gradient(lambda a: a, tf.constant(1.0))

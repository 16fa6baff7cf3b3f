"""The finite-difference checker itself catches wrong gradients (tests/helpers/gradcheck.py)."""

import numpy as np
import pytest

import tapeflow as tf
from tests.helpers.gradcheck import check_gradients


def _with_grad(grad):
    @tf.custom_gradient
    def f(x):
        return x * x, lambda dy: grad(x, dy)
    return f


def test_correct_gradient_passes_to_second_order():
    check_gradients(_with_grad(lambda x, dy: dy * 2.0 * x), [np.array([0.5, -1.2])], order=2)


def test_wrong_first_order_gradient_is_caught():
    with pytest.raises(AssertionError, match="VJP mismatch"):
        check_gradients(_with_grad(lambda x, dy: dy * 3.0 * x), [np.array([0.5, -1.2])])


def test_gradient_not_differentiable_in_x_is_caught_at_second_order():
    f = _with_grad(lambda x, dy: dy * 2.0 * tf.stop_gradient(x))
    check_gradients(f, [np.array([0.5, -1.2])], order=1)
    with pytest.raises(AssertionError, match="VJP mismatch"):
        check_gradients(f, [np.array([0.5, -1.2])], order=2)


def test_gradient_not_differentiable_in_cotangent_is_caught_at_second_order():
    f = _with_grad(lambda x, dy: tf.stop_gradient(dy) * 2.0 * x)
    check_gradients(f, [np.array([0.5, -1.2])], order=1)
    with pytest.raises(AssertionError, match="VJP mismatch"):
        check_gradients(f, [np.array([0.5, -1.2])], order=2)

"""tf.errors: the OpError hierarchy and its codes."""

import pytest

import tapeflow as tf


@pytest.mark.parametrize("cls,code", [
    (tf.errors.CancelledError, 1), (tf.errors.UnknownError, 2),
    (tf.errors.InvalidArgumentError, 3), (tf.errors.DeadlineExceededError, 4),
    (tf.errors.NotFoundError, 5), (tf.errors.AlreadyExistsError, 6),
    (tf.errors.PermissionDeniedError, 7), (tf.errors.ResourceExhaustedError, 8),
    (tf.errors.FailedPreconditionError, 9), (tf.errors.AbortedError, 10),
    (tf.errors.OutOfRangeError, 11), (tf.errors.UnimplementedError, 12),
    (tf.errors.InternalError, 13), (tf.errors.UnavailableError, 14),
    (tf.errors.DataLossError, 15), (tf.errors.UnauthenticatedError, 16),
])
def test_subclasses_carry_tensorflow_codes(cls, code):
    e = cls(None, None, "boom")
    assert isinstance(e, tf.errors.OpError)
    assert e.error_code == code
    assert str(e) == "boom" and e.message == "boom"
    assert e.op is None and e.node_def is None


def test_op_errors_are_raised_as_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(tf.constant([1, 2, 3]), [2, 2])
    assert "[Op:Reshape]" in str(info.value)
    assert isinstance(info.value, tf.errors.OpError)

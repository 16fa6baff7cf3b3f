"""`tf.errors`: the OpError hierarchy (re-exports only)."""

from tapeflow._src.framework.errors import *  # noqa: F401,F403
from tapeflow._src.framework.errors import (
    AbortedError, AlreadyExistsError, CancelledError, DataLossError, DeadlineExceededError,
    FailedPreconditionError, InternalError, InvalidArgumentError, NotFoundError, OpError,
    OutOfRangeError, PermissionDeniedError, ResourceExhaustedError, UnauthenticatedError,
    UnavailableError, UnimplementedError, UnknownError,
)

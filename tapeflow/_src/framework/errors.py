"""`tf.errors`: the OpError hierarchy, with TensorFlow's class names and error codes."""

from __future__ import annotations

__all__ = ["OpError", "InvalidArgumentError"]


class OpError(Exception):
    """Base class for errors raised while running an op.

    Attributes:
      node_def: always None in tapeflow (there are no NodeDefs).
      op: always None in eager mode.
      message: the error message.
      error_code: TensorFlow's numeric error code.
    """

    error_code = 2

    def __init__(self, node_def=None, op=None, message="", *args):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message
        self.experimental_payloads = {}

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    def __str__(self):
        return self._message


def _make(name, code, doc):
    cls = type(name, (OpError,), {"__doc__": doc, "error_code": code})

    def __init__(self, node_def=None, op=None, message="", *args):
        OpError.__init__(self, node_def, op, message)

    cls.__init__ = __init__
    return cls


CancelledError = _make("CancelledError", 1, "An operation or step was cancelled.")
UnknownError = _make("UnknownError", 2, "An unknown error.")
InvalidArgumentError = _make("InvalidArgumentError", 3, "An op received an invalid argument.")
DeadlineExceededError = _make("DeadlineExceededError", 4, "A deadline expired.")
NotFoundError = _make("NotFoundError", 5, "A requested entity (file, kernel, ...) was not found.")
AlreadyExistsError = _make("AlreadyExistsError", 6, "The entity to create already exists.")
PermissionDeniedError = _make("PermissionDeniedError", 7, "The caller may not run the operation.")
ResourceExhaustedError = _make("ResourceExhaustedError", 8, "Some resource has been exhausted.")
FailedPreconditionError = _make("FailedPreconditionError", 9, "The system is not in a state for the op.")
AbortedError = _make("AbortedError", 10, "The operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", 11, "An operation iterated past the valid range.")
UnimplementedError = _make("UnimplementedError", 12, "The operation is not implemented.")
InternalError = _make("InternalError", 13, "An internal invariant was broken.")
UnavailableError = _make("UnavailableError", 14, "The runtime is unavailable.")
DataLossError = _make("DataLossError", 15, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _make("UnauthenticatedError", 16, "The request has no valid credentials.")

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16

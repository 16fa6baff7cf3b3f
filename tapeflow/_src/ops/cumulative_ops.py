"""Cumulative sums and products along an axis (exclusive and reverse variants)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.ops import rules
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import _TENSORISH, to_tensor
from tapeflow._src.ops.registry import primitive


def _scan_axis(axis, rank, op_name):
    """The scan axis in [0, rank); TensorFlow rejects scalars and out-of-range axes."""
    if isinstance(axis, _TENSORISH):
        axis = int(np.asarray(axis))
    axis = int(axis)
    if not -rank <= axis < rank:
        raise InvalidArgumentError(
            None, None, f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got "
            f"{axis} [Op:{op_name}] name: ")
    return axis % rank


def _scan(fn, identity, x, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.roll(out, 1, axis=axis)
        idx = [slice(None)] * x.ndim
        idx[axis] = 0
        out[tuple(idx)] = identity
    if reverse:
        out = np.flip(out, axis)
    return np.ascontiguousarray(out)


@primitive("Cumsum", shape=rules.same_shape, dtype=rules.same_as_input, allowed=dtypes.NUMERIC)
def _cumsum(x, *, axis, exclusive, reverse):
    return _scan(np.cumsum, 0, x, axis, exclusive, reverse)


@_cumsum.grad
def _cumsum_grad(op, dy):
    a = op.attrs
    return _cumsum(dy, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along `axis`; `exclusive` leaves out the current element.

    >>> tf.math.cumsum([1, 2, 3]).numpy()
    array([1, 3, 6], dtype=int32)
    """
    x = to_tensor(x)
    axis = _scan_axis(axis, x._value.ndim, "Cumsum")
    return _cumsum(x, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


@primitive("Cumprod", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=dtypes.NUMERIC)
def _cumprod(x, *, axis, exclusive, reverse):
    return _scan(np.cumprod, 1, x, axis, exclusive, reverse)


# TensorFlow's rule: reverse cumsum of dy * y, divided by x with div_no_nan, so the
# gradient is 0 (not NaN) where x == 0. That is wrong but it is what TensorFlow returns;
# reduce_prod's gradient handles zeros exactly.
@_cumprod.grad
def _cumprod_grad(op, dy):
    x, = op.inputs
    y, = op.outputs
    a = op.attrs
    from tapeflow._src.ops.math_ops import div_no_nan
    out = _cumsum(dy * y, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])
    return div_no_nan(out, x)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along `axis`; `exclusive` leaves out the current element.

    >>> tf.math.cumprod([1, 2, 3], exclusive=True).numpy()
    array([1, 1, 2], dtype=int32)
    """
    x = to_tensor(x)
    axis = _scan_axis(axis, x._value.ndim, "Cumprod")
    return _cumprod(x, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))

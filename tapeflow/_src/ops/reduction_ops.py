"""Reductions (reduce_sum, reduce_mean, ...) and arg-reductions (argmax, argmin)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import normalize_axes, normalize_axis, to_tensor
from tapeflow._src.ops.array_ops import broadcast_to, reshape
from tapeflow._src.ops.math_ops import cast, equal
from tapeflow._src.ops.registry import primitive

D = dtypes
NUMERIC = D.NUMERIC
REAL = D.FLOATING | D.INTEGER


def _keepdims_shape(shape, axis):
    """`shape` with the reduced axes set to 1 (axis None: all)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else d for i, d in enumerate(shape))


def _grad_to_input(op, dy):
    """dy reshaped to keepdims form and broadcast back to the input's shape."""
    x = op.inputs[0]
    shp = x._value.shape
    if not op.attrs["keepdims"]:
        dy = reshape(dy, _keepdims_shape(shp, op.attrs["axis"]))
    return broadcast_to(dy, shp)


@primitive("Sum", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _sum(x, *, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_sum.grad
def _sum_grad(op, dy):
    return _grad_to_input(op, dy)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over `axis` (all axes when None).

    >>> tf.reduce_sum([1, 2, 3]).numpy()
    np.int32(6)
    """
    x = to_tensor(input_tensor)
    if x._value.dtype == np.bool_:
        raise InvalidArgumentError(None, None, "Value for attr 'T' of bool is not in the list "
                                   "of allowed values [Op:Sum] name: ")
    return _sum(x, axis=normalize_axes(axis, x._value.ndim, "Sum"), keepdims=bool(keepdims))


@primitive("Mean", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _mean(x, *, axis, keepdims):
    if x.dtype.kind in "iu":
        # Integer mean truncates toward zero, as in TensorFlow.
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        if n == 0:
            return np.zeros_like(s, dtype=x.dtype)
        return (np.sign(s) * (np.abs(s) // n)).astype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_mean.grad
def _mean_grad(op, dy):
    x = op.inputs[0]
    axis = op.attrs["axis"]
    shp = x._value.shape
    n = int(np.prod(shp)) if axis is None else int(np.prod([shp[a] for a in axis]))
    return _grad_to_input(op, dy) / max(n, 1)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over `axis`; integer tensors give a truncated integer mean, like TensorFlow."""
    x = to_tensor(input_tensor)
    return _mean(x, axis=normalize_axes(axis, x._value.ndim, "Mean"), keepdims=bool(keepdims))


def _extreme_grad(op, dy):
    # The gradient is shared equally between tied extreme elements, as in TensorFlow.
    x = op.inputs[0]
    y, = op.outputs
    shp = x._value.shape
    if not op.attrs["keepdims"]:
        keep = _keepdims_shape(shp, op.attrs["axis"])
        y = reshape(y, keep)
        dy = reshape(dy, keep)
    mask = cast(equal(x, y), dy.dtype)
    count = _sum(mask, axis=op.attrs["axis"], keepdims=True)
    return dy * mask / count


@primitive("Max", shape=rules.reduce, dtype=rules.same_as_input, allowed=REAL)
def _max(x, *, axis, keepdims):
    if x.size == 0:
        return np.full(rules.reduce(x.shape, axis=axis, keepdims=keepdims),
                       _lowest(x.dtype), dtype=x.dtype)
    return np.max(x, axis=axis, keepdims=keepdims)


_max.grad(_extreme_grad)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over `axis` (the lowest value of the dtype for empty reductions)."""
    x = to_tensor(input_tensor)
    return _max(x, axis=normalize_axes(axis, x._value.ndim, "Max"), keepdims=bool(keepdims))


@primitive("Min", shape=rules.reduce, dtype=rules.same_as_input, allowed=REAL)
def _min(x, *, axis, keepdims):
    if x.size == 0:
        return np.full(rules.reduce(x.shape, axis=axis, keepdims=keepdims),
                       _highest(x.dtype), dtype=x.dtype)
    return np.min(x, axis=axis, keepdims=keepdims)


_min.grad(_extreme_grad)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over `axis` (the highest value of the dtype for empty reductions)."""
    x = to_tensor(input_tensor)
    return _min(x, axis=normalize_axes(axis, x._value.ndim, "Min"), keepdims=bool(keepdims))


@primitive("Prod", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _prod(x, *, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_prod.grad
def _prod_grad(op, dy):
    # Product of all the other elements, computed with exclusive cumulative products so
    # that zeros in the input are handled exactly (no division by x).
    from tapeflow._src.ops import array_ops
    from tapeflow._src.ops.cumulative_ops import cumprod
    x = op.inputs[0]
    shp = x._value.shape
    axis = op.attrs["axis"]
    axes = tuple(range(len(shp))) if axis is None else axis
    other = tuple(i for i in range(len(shp)) if i not in axes)
    perm = other + axes
    xt = array_ops.transpose(x, perm)
    n_other = int(np.prod([shp[i] for i in other]))
    flat = reshape(xt, (n_other, -1))
    left = cumprod(flat, axis=1, exclusive=True)
    right = cumprod(flat, axis=1, exclusive=True, reverse=True)
    others = reshape(left * right, xt._value.shape)
    others = array_ops.transpose(others, tuple(np.argsort(perm)))
    return _grad_to_input(op, dy) * others


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over `axis`."""
    x = to_tensor(input_tensor)
    return _prod(x, axis=normalize_axes(axis, x._value.ndim, "Prod"), keepdims=bool(keepdims))


_BOOL = {D.bool_}


@primitive("Any", shape=rules.reduce, dtype=rules.to_bool, allowed=_BOOL, differentiable=False)
def _any(x, *, axis, keepdims):
    return np.any(x, axis=axis, keepdims=keepdims)


@primitive("All", shape=rules.reduce, dtype=rules.to_bool, allowed=_BOOL, differentiable=False)
def _all(x, *, axis, keepdims):
    return np.all(x, axis=axis, keepdims=keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical or over `axis` (bool tensors only)."""
    x = to_tensor(input_tensor)
    return _any(x, axis=normalize_axes(axis, x._value.ndim, "Any"), keepdims=bool(keepdims))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical and over `axis` (bool tensors only)."""
    x = to_tensor(input_tensor)
    return _all(x, axis=normalize_axes(axis, x._value.ndim, "All"), keepdims=bool(keepdims))


def _arg_rule(x, *, axis, output_type):
    return tuple(d for i, d in enumerate(x) if i != axis)


@primitive("ArgMax", shape=_arg_rule, allowed=REAL | {D.bool_}, differentiable=False)
def _argmax(x, *, axis, output_type):
    return np.argmax(x, axis=axis).astype(output_type)


@primitive("ArgMin", shape=_arg_rule, allowed=REAL | {D.bool_}, differentiable=False)
def _argmin(x, *, axis, output_type):
    return np.argmin(x, axis=axis).astype(output_type)


def _arg_reduce(prim, input, axis, output_type):  # noqa: A002
    x = to_tensor(input)
    if axis is None:
        axis = 0
    if x._value.ndim == 0:
        raise InvalidArgumentError(None, None, f"Expected dimension in the range [0, 0), but "
                                   f"got {int(axis)} [Op:{prim.name}] name: ")
    axis = normalize_axis(axis, x._value.ndim, prim.name)
    if x._value.shape[axis] == 0:
        raise InvalidArgumentError(None, None, f"Reduction axis {axis} is empty in shape "
                                   f"{list(x._value.shape)} [Op:{prim.name}] name: ")
    return prim(x, axis=axis, output_type=dtypes.as_dtype(output_type)._np)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along `axis` (default 0), int64 unless `output_type`."""
    return _arg_reduce(_argmax, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along `axis` (default 0), int64 unless `output_type`."""
    return _arg_reduce(_argmin, input, axis, output_type)

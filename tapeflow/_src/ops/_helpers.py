"""Argument handling shared by the op modules: conversion of operands and axes."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable

_TENSORISH = (Tensor, Variable)


def to_tensor(x, dtype=None) -> Tensor:
    if type(x) is Tensor and dtype is None:
        return x
    return convert_to_tensor(x, dtype=dtype)


def binary_args(x, y, op_name: str, hint: bool = False):
    """Converts two operands as TensorFlow's binary ops do; no promotion ever happens.

    A Python or NumPy operand is converted to the dtype of the tensor operand (or, when
    neither is a tensor, of the converted first operand). Most TF ops convert strictly: a
    value that cannot take that dtype is a TypeError ("Cannot convert 1.5 to EagerTensor of
    dtype int32"). `hint=True` is AddV2's looser rule (tf.add and `t + v`): the value keeps
    its own dtype then, and the mismatch is an InvalidArgumentError naming the op. Two
    tensors of different dtypes are always that InvalidArgumentError.
    """
    tx, ty = type(x), type(y)
    if tx is Tensor:
        if ty is Tensor:
            if x._value.dtype == y._value.dtype:
                return x, y
            raise dtype_mismatch(op_name, x.dtype, y.dtype)
        if (ty is float or ty is int) and x._value.dtype.kind in "fc":
            # Fast path for `t * 0.5`, `t + 1`: a Python number takes a float tensor's dtype.
            return x, _wrap(x._value.dtype.type(y))
    elif ty is Tensor and (tx is float or tx is int) and y._value.dtype.kind in "fc":
        return _wrap(y._value.dtype.type(x)), y
    if isinstance(x, _TENSORISH):
        x = convert_to_tensor(x)
        y = _convert_operand(y, x.dtype, hint)
    elif isinstance(y, _TENSORISH):
        y = convert_to_tensor(y)
        x = _convert_operand(x, y.dtype, hint)
    else:
        x = convert_to_tensor(x)
        y = _convert_operand(y, x.dtype, hint)
    if x._value.dtype != y._value.dtype:
        raise dtype_mismatch(op_name, x.dtype, y.dtype)
    return x, y


def _convert_operand(v, dtype, hint):
    if isinstance(v, _TENSORISH):
        return convert_to_tensor(v)
    if hint:
        return convert_to_tensor(v, dtype_hint=dtype)
    return convert_to_tensor(v, dtype=dtype)


def dtype_mismatch(op_name, expected, got, index=1):
    return InvalidArgumentError(
        None, None,
        f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
        f"{dtypes.tf_name(expected)} tensor but is a {dtypes.tf_name(got)} tensor "
        f"[Op:{op_name}] name: ")


def normalize_axes(axis, rank: int, op_name: str):
    """`axis` (int, list, tuple, Tensor or None) as a sorted tuple of non-negative ints."""
    if axis is None:
        return None
    if isinstance(axis, _TENSORISH):
        axis = np.asarray(axis).tolist()
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        a = int(a)
        if not -rank <= a < max(rank, 1):
            raise InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {rank} "
                f"dimension(s) [Op:{op_name}] name: ")
        out.append(a % rank if rank else 0)
    return tuple(sorted(set(out)))


def normalize_axis(axis, rank: int, op_name: str) -> int:
    """A single axis in [-rank, rank) as a non-negative int."""
    if isinstance(axis, _TENSORISH):
        axis = int(np.asarray(axis))
    axis = int(axis)
    if not -rank <= axis < rank:
        raise InvalidArgumentError(
            None, None, f"Expected axis in the range [{-rank}, {rank}), but got {axis} "
            f"[Op:{op_name}] name: ")
    return axis % rank


def shape_arg(shape) -> tuple:
    """A shape given as list, tuple, TensorShape, int or tensor, as a tuple of ints."""
    if isinstance(shape, _TENSORISH):
        return tuple(int(d) for d in np.asarray(shape).reshape(-1))
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(-1 if d is None else int(d) for d in shape)

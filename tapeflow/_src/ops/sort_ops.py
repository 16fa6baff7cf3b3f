"""Sorting: sort (differentiable, through gather), argsort and unique (not differentiable)."""

from __future__ import annotations

import collections

import numpy as np

from tapeflow._src.autodiff.record import derived

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive

_TOPK_OK = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64, np.int8,
                                          np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                          np.uint32, np.uint64))

Unique = collections.namedtuple("Unique", ["y", "idx"])


def _check(x, axis, direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    v = np.asarray(x._value)
    # TF sorts ascending as top_k(-x), so only types Neg accepts can be sorted that way.
    if v.dtype not in _TOPK_OK:
        # Ascending first negates (Neg accepts complex, not bool/string), then uses TopKV2.
        op = "Neg" if direction == "ASCENDING" and v.dtype.kind != "c" else "TopKV2"
        names = ("bfloat16, half, float, double, int8, int16, int32, int64, complex64, "
                 "complex128" if op == "Neg" else "float, double, int32, uint8, int16, int8, "
                 "int64, bfloat16, uint16, half, uint32, uint64")
        raise InvalidArgumentError(
            None, None, f"Value for attr 'T' of {dtypes.tf_name(x.dtype)} is not in the list "
            f"of allowed values: {names}\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}] name: ")
    r = v.ndim
    axis = int(axis)
    if not -r <= axis < r:
        raise InvalidArgumentError(
            None, None, f"slice index {axis + r if axis < 0 else axis} of dimension 0 out of "
            f"bounds. [Op:StridedSlice] name: strided_slice/")
    return v, axis % r


def _order(v, axis, direction):
    """Stable sorting permutation along `axis`, NaN last (ascending) or first (descending),
    ties in index order as TF's top_k gives them."""
    if direction == "ASCENDING":
        return np.argsort(v, axis=axis, kind="stable")
    n = v.shape[axis]
    rev = np.flip(v, axis)
    return n - 1 - np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Indices (int32) that sort `values` along `axis`; ties keep their original order.

    >>> tf.argsort([3, 1, 2]).numpy()
    array([1, 2, 0], dtype=int32)
    """
    x = to_tensor(values)
    v, axis = _check(x, axis, direction)
    return derived(lambda a: _order(a, axis, direction).astype(np.int32), x)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorts `values` along `axis` ("ASCENDING" or "DESCENDING").

    A composite of gather, so gradients flow back to the original positions.

    >>> tf.sort([3, 1, 2], direction="DESCENDING").numpy()
    array([3, 2, 1], dtype=int32)
    """
    from tapeflow._src.ops.array_ops import transpose
    from tapeflow._src.ops.gather_ops import _gather
    x = to_tensor(values)
    v, axis = _check(x, axis, direction)
    r = v.ndim
    last = r - 1
    if axis != last:
        perm = list(range(r))
        perm[axis], perm[last] = last, axis
        x = transpose(x, perm)
        v = np.asarray(x._value)
    idx = derived(lambda a: _order(a, last, direction).astype(np.int64), x)
    out = _gather(x, idx, axis=last, batch_dims=last)
    if axis != last:
        out = transpose(out, perm)
    return out


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct elements of a 1-D tensor in order of first appearance, and for each
    element of `x` the index of its value in that list.

    Returns:
      A namedtuple `Unique(y, idx)`.

    >>> tf.unique([3, 1, 3]).y.numpy()
    array([3, 1], dtype=int32)
    """
    t = to_tensor(x)
    y, idx = _unique(t, out_idx=dtypes.as_dtype(out_idx)._np)
    return Unique(y, idx)


@primitive("Unique", shape=None, differentiable=False, multi_output=True)
def _unique(x, *, out_idx):
    if x.ndim != 1:
        raise InvalidArgumentError(None, None, "unique expects a 1D vector. [Op:Unique]")
    # NaNs never compare equal, so each one is its own unique value (as in TF).
    _, first, inverse = np.unique(x, return_index=True, return_inverse=True, equal_nan=False)
    order = np.argsort(first, kind="stable")
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    return x[np.sort(first)], rank_of[inverse.reshape(-1)].astype(out_idx)

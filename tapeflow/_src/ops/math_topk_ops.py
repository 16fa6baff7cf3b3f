"""tf.math.top_k: the k largest entries along the last axis, with their indices."""

from __future__ import annotations

import collections

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import _TENSORISH, to_tensor
from tapeflow._src.ops.registry import primitive

D = dtypes
REAL = D.FLOATING | D.INTEGER

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _error(text):
    return InvalidArgumentError(None, None, f"{text} [Op:TopKV2] name: ")


def _topk_rule(x, *, k, index_type):
    return tuple(x[:-1]) + (k,)


def _topk_dtype(x, *, k, index_type):
    return x


# Primitive: one stable NumPy sort gives TensorFlow's order (larger first, ties by lower
# index, NaN above everything) and the indices the gradient scatters into.
@primitive("TopKV2", shape=_topk_rule, dtype=_topk_dtype, allowed=REAL, multi_output=True)
def _top_k(x, *, k, index_type):
    if x.ndim == 0:
        raise _error(f"input must be >= 1-D, got shape {list(x.shape)}")
    n = x.shape[-1]
    if k > n:
        raise _error(f"input must have at least k columns. Had {n}, needed {k}")
    # A stable ascending sort of the reversed row, read backwards, is descending with
    # ties in increasing index order; NaN sorts last ascending, so it comes first.
    rev = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    order = (n - 1 - rev)[..., :k]
    return np.take_along_axis(x, order, axis=-1), order.astype(index_type)


@_top_k.grad
def _top_k_grad(op, dvalues, dindices):
    # Scatter dvalues back to the chosen positions: sum over k of one_hot(index) * dy.
    from tapeflow._src.ops.array_ops import expand_dims, one_hot
    from tapeflow._src.ops.reduction_ops import reduce_sum

    x, = op.inputs
    _, indices = op.outputs
    hot = one_hot(indices, x._value.shape[-1], dtype=dvalues.dtype)
    return reduce_sum(expand_dims(dvalues, -1) * hot, axis=-2)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The `k` largest entries of the last axis of `input` and their indices.

    Ties go to the lower index and NaN counts as the largest value. With `sorted=False`
    TensorFlow leaves the order unspecified; tapeflow still returns them sorted.

    Returns:
      A namedtuple `TopKV2(values, indices)`.

    >>> tf.math.top_k(tf.constant([1.0, 3.0, 2.0]), k=2).indices.numpy()
    array([1, 2], dtype=int32)
    """
    x = to_tensor(input)
    if isinstance(k, _TENSORISH):
        k = np.asarray(k).item()
    k = int(k)
    if k < 0:
        raise _error(f"Need k >= 0, got {k}")
    index_type = dtypes.as_dtype(index_type)
    values, indices = _top_k(x, k=k, index_type=index_type._np)
    return TopKV2(values, indices)

"""`tf.norm` / `tf.linalg.norm`: vector and matrix norms.

A composite of element-wise ops and reductions, so its gradients are those of the pieces,
which is what TensorFlow does too: the Euclidean norm of a zero vector has a NaN gradient
(sqrt'(0) * 0), ord=1 and ord=inf have 0 there, and ties in the inf-norm share the
gradient as reduce_max's rule does.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.ops._helpers import to_tensor

_MATRIX_ORDS = ["euclidean", "fro", 1, 2, np.inf]


def _is_str(v):
    return isinstance(v, str)


def _axis_arg(axis):
    if axis is None:
        return None, False
    if isinstance(axis, (int, np.integer)):
        return [int(axis)], False
    if hasattr(axis, "numpy"):
        axis = np.asarray(axis).tolist()
        if isinstance(axis, int):
            return [axis], False
    axis = tuple(axis)
    if len(axis) == 2 and all(isinstance(a, (int, np.integer)) for a in axis) \
            and axis[0] != axis[1]:
        return [int(a) for a in axis], True
    if len(axis) == 1 and isinstance(axis[0], (int, np.integer)):
        return [int(axis[0])], False
    raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got "
                     f"{axis}")


def _check_ord(ord, is_matrix):  # noqa: A002
    if is_matrix:
        if ord not in _MATRIX_ORDS or (isinstance(ord, bool)):
            raise ValueError("'ord' must be a supported matrix norm in "
                             f"['euclidean', 'fro', 1, 2, inf], got {ord}")
        return
    if _is_str(ord):
        if ord != "euclidean":
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        return
    try:
        positive = float(ord) > 0
    except (TypeError, ValueError):
        positive = False
    if not positive:
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector or matrix norm of `tensor`.

    Args:
      tensor: A floating or complex tensor (integers only for ord 1 and inf).
      ord: 'euclidean' (default), 'fro', 1, 2, `np.inf`, or for vector norms any p > 0.
      axis: None (the whole tensor as one vector), an int (vector norms along it), or a
        pair of ints (matrix norms over those two axes).
      keepdims: Keep the reduced axes with size 1.
      name: Unused; kept for API compatibility.

    Returns:
      The norms, with the reduced axes removed (kept with size 1 when `keepdims`).

    Raises:
      ValueError: for an unsupported `ord` or a malformed `axis`.

    >>> float(tf.norm([3., 4.]))
    5.0
    """
    from tapeflow._src.ops import array_ops, math_ops, reduction_ops
    from tapeflow._src.ops.linalg_decomp import svd

    axes, is_matrix = _axis_arg(axis)
    _check_ord(ord, is_matrix)
    x = to_tensor(tensor)
    rank = x._value.ndim
    keep = bool(keepdims)
    if axes is None:
        red = None
    else:
        red = [a % rank if -rank <= a < rank else a for a in axes]

    if is_matrix:
        a0, a1 = red
        for a in (a0, a1):
            if not 0 <= a < rank:
                raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                                 f"integers, got {tuple(axes)}")
        if ord in ("euclidean", "fro"):
            out = math_ops.sqrt(reduction_ops.reduce_sum(x * math_ops.conj(x), axis=red,
                                                         keepdims=True))
        elif ord == 2:
            # The largest singular value of each matrix, with the two axes moved last.
            rest = [i for i in range(rank) if i not in (a0, a1)]
            moved = array_ops.transpose(x, rest + [a0, a1])
            # abs() as in TensorFlow: it makes the gradient at a zero matrix 0 (sign(0)).
            s = math_ops.abs(svd(moved, compute_uv=False))
            out = reduction_ops.reduce_max(s, axis=-1)
            out = array_ops.expand_dims(array_ops.expand_dims(out, -1), -1)
            # Put the two size-1 axes back where a0 and a1 were.
            inverse = np.argsort(rest + [a0, a1]).tolist()
            out = array_ops.transpose(out, inverse)
        else:
            # ord 1: largest column sum (sum over a0); ord inf: largest row sum.
            sum_axis, max_axis = (a0, a1) if ord == 1 else (a1, a0)
            sums = reduction_ops.reduce_sum(math_ops.abs(x), axis=sum_axis, keepdims=True)
            out = reduction_ops.reduce_max(sums, axis=max_axis, keepdims=True)
    else:
        if ord in ("euclidean", 2) and not isinstance(ord, bool):
            out = math_ops.sqrt(reduction_ops.reduce_sum(x * math_ops.conj(x), axis=red,
                                                         keepdims=True))
        elif ord == 1:
            out = reduction_ops.reduce_sum(math_ops.abs(x), axis=red, keepdims=True)
        elif ord == np.inf:
            out = reduction_ops.reduce_max(math_ops.abs(x), axis=red, keepdims=True)
        else:
            p = float(ord)
            absx = math_ops.abs(x)
            total = reduction_ops.reduce_sum(math_ops.pow(absx, p), axis=red, keepdims=True)
            out = math_ops.pow(total, 1.0 / p)
    if keep:
        return out
    if red is None:
        return array_ops.reshape(out, [])
    return array_ops.squeeze(out, axis=sorted(red))

"""Linear algebra: matmul and friends (the rest of tf.linalg lives beside it)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import binary_args
from tapeflow._src.ops.registry import primitive

D = dtypes
_MATMUL_TYPES = D.INEXACT | {D.int8, D.int16, D.int32, D.int64, D.uint8, D.uint16}


def _matmul_rule(a, b, *, ta, tb):
    m = a[-1] if ta else a[-2]
    n = b[-2] if tb else b[-1]
    from tapeflow._src.ops.rules import broadcast
    return broadcast(a[:-2], b[:-2]) + (m, n)


def _swap(x):
    return np.swapaxes(x, -1, -2)


@primitive("MatMul", shape=_matmul_rule, allowed=_MATMUL_TYPES)
def _matmul(a, b, *, ta, tb):
    if ta:
        a = _swap(a)
    if tb:
        b = _swap(b)
    if a.shape[-1] != b.shape[-2]:
        if a.ndim == 2 and b.ndim == 2:
            raise InvalidArgumentError(None, None,
                                       f"Matrix size-incompatible: In[0]: [{a.shape[0]},"
                                       f"{a.shape[1]}], In[1]: [{b.shape[0]},{b.shape[1]}] "
                                       f"[Op:MatMul] name: ")
        raise InvalidArgumentError(None, None,
                                   f"In[0] mismatch In[1] shape: {a.shape[-1]} vs. "
                                   f"{b.shape[-2]}: {list(a.shape)} {list(b.shape)} 0 0 "
                                   f"[Op:BatchMatMulV2] name: ")
    return np.matmul(a, b)


@_matmul.grad
def _matmul_grad(op, dy):
    a, b = op.inputs
    ta, tb = op.attrs["ta"], op.attrs["tb"]
    if a._value.dtype.kind == "c":
        from tapeflow._src.ops.math_ops import conj
        a, b = conj(a), conj(b)
    # dA = dy @ B^T, dB = A^T @ dy, written for each transpose combination.
    if not ta and not tb:
        return _matmul(dy, b, ta=False, tb=True), _matmul(a, dy, ta=True, tb=False)
    if not ta and tb:
        return _matmul(dy, b, ta=False, tb=False), _matmul(dy, a, ta=True, tb=False)
    if ta and not tb:
        return _matmul(b, dy, ta=False, tb=True), _matmul(a, dy, ta=False, tb=False)
    return _matmul(b, dy, ta=True, tb=True), _matmul(dy, a, ta=True, tb=True)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False,
           grad_b=False, name=None):
    """Matrix product of the last two dimensions, batched over the leading ones.

    Args:
      a, b: tensors of rank >= 2 with the same dtype.
      transpose_a, transpose_b: transpose the matrix before multiplying.
      adjoint_a, adjoint_b: conjugate-transpose the matrix before multiplying.

    Returns:
      A tensor of shape batch + [rows of a, columns of b].

    Raises:
      InvalidArgumentError: for rank < 2, mismatched inner dimensions or dtypes.

    >>> tf.matmul([[1., 2.]], [[3.], [4.]]).numpy()
    array([[11.]], dtype=float32)
    """
    a, b = binary_args(a, b, "MatMul")
    if transpose_a and adjoint_a or transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    ra, rb = a._value.ndim, b._value.ndim
    if ra < 2 or rb < 2:
        if ra == rb or min(ra, rb) < 2 and max(ra, rb) <= 2:
            raise InvalidArgumentError(None, None, f"In[0] and In[1] ndims must be == 2: "
                                       f"{min(ra, rb) if ra != 2 else rb} [Op:MatMul] name: ")
        raise InvalidArgumentError(None, None, f"In[{0 if ra < 2 else 1}] ndims must be >= 2: "
                                   f"{min(ra, rb)} [Op:BatchMatMulV2] name: ")
    if adjoint_a or adjoint_b:
        from tapeflow._src.ops.math_ops import conj
        if adjoint_a:
            a = conj(a)
        if adjoint_b:
            b = conj(b)
    return _matmul(a, b, ta=bool(transpose_a or adjoint_a), tb=bool(transpose_b or adjoint_b))

"""More of tf.linalg: triangular_solve (a primitive), and composites built on the other
linalg ops: cholesky_solve, cross, pinv, matrix_rank, normalize, global_norm."""

from __future__ import annotations

import numpy as np

from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.linalg_decomp import _LINALG_TYPES, _err, _lapack
from tapeflow._src.ops.linalg_ops import _band_part, _dims, _mH, _mm
from tapeflow._src.ops.registry import primitive


def _tri_rule(a, b, **attrs):
    return rules.broadcast(a[:-2], b[:-2]) + b[-2:]


def _substitute(t, b, lower):
    """Forward/back substitution (no pivoting); a zero pivot gives inf/nan like TF."""
    n = t.shape[-1]
    x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                 dtype=np.result_type(t, b))
    order = range(n) if lower else range(n - 1, -1, -1)
    for i in order:
        acc = np.einsum("...j,...jk->...k", t[..., i, :], x)
        x[..., i, :] = (b[..., i, :] - acc) / t[..., i, i:i + 1]
    return x


@primitive("MatrixTriangularSolve", shape=_tri_rule, dtype=rules.same_as_input,
           allowed=_LINALG_TYPES)
def _triangular_solve(a, b, *, lower, adjoint):
    for i, x in enumerate((a, b)):
        if x.ndim < 2:
            raise _err("MatrixTriangularSolve", f"In[{i}] ndims must be >= 2: {x.ndim}")
    if a.shape[-1] != b.shape[-2] or a.shape[-1] != a.shape[-2]:
        raise _err("MatrixTriangularSolve", (
            f"In[0] mismatch In[1] shape: {a.shape[-1]} vs. {b.shape[-2]}: {_dims(a.shape)} "
            f"{_dims(b.shape)} {int(lower)} {int(adjoint)}"))
    t = np.tril(a) if lower else np.triu(a)
    eff_lower = lower
    if adjoint:
        t, eff_lower = np.conj(np.swapaxes(t, -1, -2)), not lower
    batch = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(_lapack(t), batch + t.shape[-2:])
    rhs = np.broadcast_to(_lapack(b), batch + b.shape[-2:])
    try:
        return np.linalg.solve(t, rhs).astype(a.dtype)
    except np.linalg.LinAlgError:
        return _substitute(t, rhs, eff_lower).astype(a.dtype)


@_triangular_solve.grad
def _triangular_solve_grad(op, dy):
    a, b = op.inputs
    x, = op.outputs
    lower, adjoint = op.attrs["lower"], op.attrs["adjoint"]
    gb = _triangular_solve(a, dy, lower=lower, adjoint=not adjoint)
    ga = -_mm(gb, _mH(x)) if not adjoint else -_mm(x, _mH(gb))
    # Only one triangle of `matrix` is read, so only it gets a gradient.
    ga = _band_part(ga, lower=-1, upper=0) if lower else _band_part(ga, lower=0, upper=-1)
    return ga, gb


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solves `T @ X = rhs` for X, with T the lower (or upper) triangle of `matrix`.

    Batch dimensions broadcast. A zero on the diagonal gives inf/NaN, as in TensorFlow.

    >>> tf.linalg.triangular_solve([[2., 0.], [1., 4.]], [[2.], [9.]]).numpy()
    array([[1.],
           [2.]], dtype=float32)
    """
    a, b = binary_args(matrix, rhs, "MatrixTriangularSolve")
    return _triangular_solve(a, b, lower=bool(lower), adjoint=bool(adjoint))


def cholesky_solve(chol, rhs, name=None):
    """Solves `A X = rhs` given the lower Cholesky factor `chol` of A.

    >>> c = tf.linalg.cholesky([[4., 0.], [0., 9.]])
    >>> tf.linalg.cholesky_solve(c, [[4.], [9.]]).numpy()
    array([[1.],
           [1.]], dtype=float32)
    """
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def cross(a, b, name=None):
    """Cross product of 3-element vectors in the last dimension (same shapes, batched).

    >>> tf.linalg.cross([1., 0., 0.], [0., 1., 0.]).numpy()
    array([0., 0., 1.], dtype=float32)
    """
    from tapeflow._src.framework.errors import FailedPreconditionError
    from tapeflow._src.ops.array_ops import stack
    from tapeflow._src.framework.errors import InvalidArgumentError
    a, b = binary_args(a, b, "Cross")
    if a._value.shape != b._value.shape:
        raise InvalidArgumentError(None, None, (
            f"Both inputs must be of same shape: {_dims(a._value.shape)} vs. "
            f"{_dims(b._value.shape)} [Op:Cross] name: "))
    if a._value.shape[-1:] != (3,):
        raise FailedPreconditionError(None, None, "Cross-products are only defined for "
                                      "3-element vectors. [Op:Cross] name: ")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


def _default_rcond(x):
    m, n = x._value.shape[-2:]
    return 10.0 * max(m, n) * np.finfo(x._value.dtype).eps


def pinv(a, rcond=None, validate_args=False, name=None):
    """Moore-Penrose pseudo-inverse, from the SVD: singular values at or below
    `rcond * max(s)` are treated as zero (default rcond: 10 * max(M, N) * eps).

    >>> tf.linalg.pinv([[1., 2.], [2., 4.]]).numpy().round(2)
    array([[0.04, 0.08],
           [0.08, 0.16]], dtype=float32)
    """
    from tapeflow._src.ops.array_ops import expand_dims, ones_like, where, zeros_like
    from tapeflow._src.ops.linalg_decomp import svd
    from tapeflow._src.ops.math_ops import div_no_nan
    from tapeflow._src.ops.reduction_ops import reduce_max
    x = to_tensor(a)
    rcond = _default_rcond(x) if rcond is None else rcond
    s, u, v = svd(x)
    cutoff = rcond * reduce_max(s, axis=-1, keepdims=True)
    keep = s > cutoff
    s_inv = where(keep, div_no_nan(ones_like(s), s), zeros_like(s))
    return _mm(v * expand_dims(s_inv, -2), _mH(u))


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above `tol` (default: eps * max(M, N) * max(s)).

    >>> int(tf.linalg.matrix_rank([[1., 2.], [2., 4.]]))
    1
    """
    from tapeflow._src.framework import dtypes
    from tapeflow._src.ops.linalg_decomp import svd
    from tapeflow._src.ops.math_ops import cast
    from tapeflow._src.ops.reduction_ops import reduce_max, reduce_sum
    x = to_tensor(a)
    s = svd(x, compute_uv=False)
    if tol is None:
        m, n = x._value.shape[-2:]
        tol = np.finfo(x._value.dtype).eps * max(m, n) * reduce_max(s, axis=-1, keepdims=True)
    return reduce_sum(cast(s > tol, dtypes.int32), axis=-1)


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """`(tensor / norm, norm)` with the norm kept with size-1 reduced axes.

    >>> tf.linalg.normalize([3., 4.])[0].numpy()
    array([0.6, 0.8], dtype=float32)
    """
    from tapeflow._src.ops.linalg_norm import norm
    x = to_tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return x / n, n


def global_norm(t_list, name=None):
    """sqrt of the sum of squared L2 norms of all tensors in `t_list` (None entries skipped).

    >>> float(tf.linalg.global_norm([tf.constant([3.]), tf.constant([4.])]))
    5.0
    """
    from tapeflow._src.ops.math_ops import add_n, sqrt
    from tapeflow._src.ops.reduction_ops import reduce_sum
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    sq = [reduce_sum(t * t) for t in (to_tensor(t) for t in t_list if t is not None)]
    if not sq:
        from tapeflow._src.framework.convert import constant
        return constant(0.0)
    return sqrt(add_n(sq) if len(sq) > 1 else sq[0])

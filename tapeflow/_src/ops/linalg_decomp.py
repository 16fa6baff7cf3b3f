"""Matrix functions and decompositions: det, slogdet, logdet, inv, solve, cholesky, qr,
svd, eigh, eigvalsh and lu.

Forwards are NumPy's LAPACK wrappers, batched over leading dimensions. Gradient rules are
written in tapeflow ops (matmul, solve, inv, diagonals) for real dtypes; they follow
TensorFlow's conventions: cholesky returns the symmetrised gradient, eigh the gradient of
a function of the lower triangle only, and det/slogdet fail on singular input (they use
the inverse). float16 inputs are computed in float32 and rounded back.
"""

from __future__ import annotations

import collections

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.linalg_ops import (
    _band_part, _matrix_diag, _matrix_diag_part, _matrix_set_diag, _mH, _mm, _mT,
)
from tapeflow._src.ops.registry import primitive

D = dtypes
_LINALG_TYPES = D.INEXACT

Qr = collections.namedtuple("Qr", ["q", "r"])
Lu = collections.namedtuple("Lu", ["lu", "p"])
LogMatrixDeterminant = collections.namedtuple("LogMatrixDeterminant",
                                              ["sign", "log_abs_determinant"])


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _err(op, text, name=""):
    return InvalidArgumentError(None, None, f"{text} [Op:{op}] name: {name}")


def _check_square(x, op):
    if x.ndim < 2:
        raise _err(op, f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    if x.shape[-1] != x.shape[-2]:
        raise _err(op, "Input matrix must be square.")


def _lapack(x):
    """x as an array NumPy's linalg accepts (float16 is widened to float32)."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _square_rule(x, **attrs):
    return x


def _batch_rule(x, **attrs):
    return x[:-2]


def _expand2(t):
    from tapeflow._src.ops.array_ops import expand_dims
    return expand_dims(expand_dims(t, -1), -1)


# ---------------------------------------------------------------------------------------
# Determinants
# ---------------------------------------------------------------------------------------

@primitive("MatrixDeterminant", shape=_batch_rule, dtype=rules.same_as_input,
           allowed=D.FLOATING - {D.float16} | D.COMPLEX)
def _det(x):
    _check_square(x, "MatrixDeterminant")
    return np.asarray(np.linalg.det(x)).astype(x.dtype)


@_det.grad
def _det_grad(op, dy):
    # d det(A) = det(A) tr(A^-1 dA): the gradient is dy * det * A^-T (fails when singular).
    x, = op.inputs
    y, = op.outputs
    from tapeflow._src.ops.math_ops import conj
    scale = dy * conj(y) if y._value.dtype.kind == "c" else dy * y
    return _expand2(scale) * _mH(_inv(x, adjoint=False))


def det(input, name=None):  # noqa: A002
    """The determinant of each square matrix in `input`.

    >>> float(tf.linalg.det([[1., 2.], [3., 4.]]))
    -2.0
    """
    return _det(to_tensor(input))


@primitive("LogMatrixDeterminant", dtype=rules.same_as_input, allowed=_LINALG_TYPES,
           multi_output=True, shape=lambda x: (x[:-2], x[:-2]))
def _slogdet(x):
    _check_square(x, "LogMatrixDeterminant")
    sign, logabs = np.linalg.slogdet(_lapack(x))
    # Both outputs have the input's dtype (complex inputs give a complex log|det|).
    return np.asarray(sign).astype(x.dtype), np.asarray(logabs).astype(x.dtype)


@_slogdet.grad
def _slogdet_grad(op, dsign, dlog):
    x, = op.inputs
    return _expand2(dlog) * _mH(_inv(x, adjoint=False))


def slogdet(input, name=None):  # noqa: A002
    """Sign and log of the absolute determinant of each square matrix (a namedtuple).

    >>> float(tf.linalg.slogdet([[2., 0.], [0., 3.]]).sign)
    1.0
    """
    sign, logabs = _slogdet(to_tensor(input))
    return LogMatrixDeterminant(sign, logabs)


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, through the Cholesky factor.

    >>> round(float(tf.linalg.logdet([[4., 2.], [2., 3.]])), 4)
    2.0794
    """
    from tapeflow._src.ops.math_ops import log, real
    from tapeflow._src.ops.reduction_ops import reduce_sum
    chol = cholesky(matrix)
    d = _matrix_diag_part(chol, k=0, padding_value=0)
    if d._value.dtype.kind == "c":
        d = real(d)
    return 2.0 * reduce_sum(log(d), axis=-1)


# ---------------------------------------------------------------------------------------
# Inverse and solve
# ---------------------------------------------------------------------------------------

@primitive("MatrixInverse", shape=_square_rule, dtype=rules.same_as_input,
           allowed=_LINALG_TYPES)
def _inv(x, *, adjoint):
    _check_square(x, "MatrixInverse")
    a = np.conj(np.swapaxes(x, -1, -2)) if adjoint else x
    try:
        return np.linalg.inv(_lapack(a)).astype(x.dtype)
    except np.linalg.LinAlgError:
        raise _err("MatrixInverse", "Input is not invertible.") from None


@_inv.grad
def _inv_grad(op, dy):
    y, = op.outputs
    # d(A^-1) = -A^-1 dA A^-1, so dA = -Y^H dy Y^H (Y = inv(A) or, with adjoint, its
    # adjoint; the adjoint case transposes the result).
    g = -_mm(_mm(y, dy, True, False), y, False, True) if y._value.dtype.kind != "c" else \
        -_mm(_mm(_mH(y), dy), _mH(y))
    return _mH(g) if op.attrs["adjoint"] else g


def inv(input, adjoint=False, name=None):  # noqa: A002
    """The inverse of each square matrix (of its adjoint when `adjoint`).

    Raises:
      InvalidArgumentError: for a singular or non-square matrix.

    >>> tf.linalg.inv([[2., 0.], [0., 4.]]).numpy()
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    return _inv(to_tensor(input), adjoint=bool(adjoint))


@primitive("MatrixSolve", shape=lambda a, b, **k: b, dtype=rules.same_as_input,
           allowed=_LINALG_TYPES)
def _solve(a, b, *, adjoint):
    _check_square(a, "MatrixSolve")
    if a.ndim != b.ndim:
        raise _err("MatrixSolve", "All input tensors must have the same rank.")
    if a.shape[:-2] != b.shape[:-2]:
        raise _err("MatrixSolve", "All input tensors must have the same outer dimensions.")
    if a.shape[-1] != b.shape[-2]:
        raise _err("MatrixSolve", "Input matrix and rhs are incompatible.")
    m = np.conj(np.swapaxes(a, -1, -2)) if adjoint else a
    try:
        return np.linalg.solve(_lapack(m), _lapack(b)).astype(a.dtype)
    except np.linalg.LinAlgError:
        raise _err("MatrixSolve", "Input matrix is not invertible.") from None


@_solve.grad
def _solve_grad(op, dy):
    a, b = op.inputs
    x, = op.outputs
    adjoint = op.attrs["adjoint"]
    gb = _solve(a, dy, adjoint=not adjoint)
    ga = -_mm(gb, _mH(x)) if not adjoint else -_mm(x, _mH(gb))
    return ga, gb


def solve(matrix, rhs, adjoint=False, name=None):
    """Solves `matrix @ X = rhs` (or `adjoint(matrix) @ X = rhs`) for X.

    Args:
      matrix: Square matrices, shape [..., M, M].
      rhs: Right-hand sides, shape [..., M, K], with the same batch dimensions.
      adjoint: Solve with the adjoint of `matrix`.
      name: Unused; kept for API compatibility.

    Returns:
      X, shaped like `rhs`.

    >>> tf.linalg.solve([[2., 0.], [0., 4.]], [[2.], [4.]]).numpy()
    array([[1.],
           [1.]], dtype=float32)
    """
    a, b = binary_args(matrix, rhs, "MatrixSolve")
    return _solve(a, b, adjoint=bool(adjoint))


# ---------------------------------------------------------------------------------------
# Cholesky
# ---------------------------------------------------------------------------------------

@primitive("Cholesky", shape=_square_rule, dtype=rules.same_as_input, allowed=_LINALG_TYPES)
def _cholesky(x):
    _check_square(x, "Cholesky")
    lower = np.tril(_lapack(x))
    herm = lower + np.conj(np.swapaxes(np.tril(lower, -1), -1, -2))
    try:
        return np.linalg.cholesky(herm).astype(x.dtype)
    except np.linalg.LinAlgError:
        pass
    # TensorFlow's CPU kernel leaves NaN in the lower triangle of a failed factorisation.
    flat = herm.reshape((-1,) + herm.shape[-2:])
    out = np.empty_like(flat)
    nan_lower = np.where(np.tril(np.ones(herm.shape[-2:], bool)), np.nan, 0).astype(x.dtype)
    for i, m in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            out[i] = nan_lower
    return out.reshape(x.shape).astype(x.dtype)


@_cholesky.grad
def _cholesky_grad(op, dl):
    # With P = Phi(L^H dL) (lower triangle, halved diagonal) and S = L^-H P L^-1, the
    # gradient is the Hermitian part of S, as in TensorFlow.
    chol, = op.outputs
    middle = _mm(_mH(chol), dl)
    middle = _band_part(middle, lower=-1, upper=0)
    middle = _matrix_set_diag(middle, 0.5 * _matrix_diag_part(middle, k=0, padding_value=0),
                              k=0)
    linv = _inv(chol, adjoint=False)
    s = _mm(_mm(_mH(linv), middle), linv)
    return 0.5 * (s + _mH(s))


def cholesky(input, name=None):  # noqa: A002
    """The lower Cholesky factor of each Hermitian positive definite matrix.

    Only the lower triangle of `input` is read. A matrix that is not positive definite
    gives NaN in the lower triangle, as TensorFlow's CPU kernel does.

    >>> float(tf.linalg.cholesky([[4., 2.], [2., 3.]])[1, 0])
    1.0
    """
    return _cholesky(to_tensor(input))


# ---------------------------------------------------------------------------------------
# QR
# ---------------------------------------------------------------------------------------

def _qr_rule(x, *, full_matrices):
    m, n = x[-2], x[-1]
    k = m if full_matrices or m is None or n is None else min(m, n)
    return (x[:-2] + (m, k), x[:-2] + (k, n))


@primitive("Qr", shape=_qr_rule, dtype=rules.same_as_input, allowed=_LINALG_TYPES,
           multi_output=True)
def _qr(x, *, full_matrices):
    if x.ndim < 2:
        raise _err("Qr", f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    q, r = np.linalg.qr(_lapack(x), mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype), r.astype(x.dtype)


def _copy_lower_to_upper(m):
    lower = _band_part(m, lower=-1, upper=0)
    strict = lower - _band_part(m, lower=0, upper=0)
    return lower + _mH(strict)


def _qr_grad_square_or_tall(q, r, dq, dr):
    # For A = QR with m >= n: M = R dR^H - dQ^H Q, then dA = (dQ + Q copyltu(M)) R^-H.
    m = _mm(r, _mH(dr)) - _mm(_mH(dq), q)
    b = dq + _mm(q, _copy_lower_to_upper(m))
    return _mm(b, _mH(_inv(r, adjoint=False)))


@_qr.grad
def _qr_grad(op, dq, dr):
    from tapeflow._src.ops.array_ops import concat
    x, = op.inputs
    q, r = op.outputs
    rows, cols = x._value.shape[-2:]
    if x._value.dtype.kind == "c":
        raise NotImplementedError("tapeflow's QR gradient is implemented for real dtypes only.")
    if op.attrs["full_matrices"] and rows > cols:
        raise NotImplementedError(
            "QrGrad not implemented when nrows > ncols and full_matrices is true. Received "
            f"r.shape={r._value.shape} with nrows={rows}and ncols={cols}.")
    if rows >= cols:
        return _qr_grad_square_or_tall(q, r, dq, dr)
    # Wide A = [X | Y]: X = Q U is square, and Y = Q V adds dQ += Y dV^H, dY = Q dV.
    y = x[..., :, rows:]
    u, du = r[..., :, :rows], dr[..., :, :rows]
    dv = dr[..., :, rows:]
    dx = _qr_grad_square_or_tall(q, u, dq + _mm(y, _mH(dv)), du)
    return concat([dx, _mm(q, dv)], axis=-1)


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """QR decomposition of each matrix: a namedtuple `Qr(q, r)`.

    Args:
      input: A tensor of shape [..., M, N].
      full_matrices: Return the full M x M `q` and M x N `r` instead of the reduced
        M x K and K x N factors (K = min(M, N)).
      name: Unused; kept for API compatibility.

    >>> q, r = tf.linalg.qr([[1., 2.], [3., 4.], [5., 6.]])
    >>> q.shape, r.shape
    (TensorShape([3, 2]), TensorShape([2, 2]))
    """
    q, r = _qr(to_tensor(input), full_matrices=bool(full_matrices))
    return Qr(q, r)


# ---------------------------------------------------------------------------------------
# SVD
# ---------------------------------------------------------------------------------------

def _svd_rule(x, *, full_matrices):
    m, n = x[-2], x[-1]
    k = None if m is None or n is None else min(m, n)
    b = x[:-2]
    if full_matrices:
        return (b + (k,), b + (m, m), b + (n, n))
    return (b + (k,), b + (m, k), b + (n, k))


@primitive("Svd", shape=_svd_rule, dtype=rules.real_of, allowed=_LINALG_TYPES,
           multi_output=True)
def _svd(x, *, full_matrices):
    if x.ndim < 2:
        raise _err("Svd", f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    m, n = x.shape[-2:]
    if x.size == 0:
        k = min(m, n)
        b = x.shape[:-2]
        um, vn = (m, n) if full_matrices else (k, k)
        u = np.zeros(b + (m, um), x.dtype)
        v = np.zeros(b + (n, vn), x.dtype)
        if full_matrices:
            u[...] = np.eye(m, dtype=x.dtype)
            v[...] = np.eye(n, dtype=x.dtype)
        return np.zeros(b + (k,), x.real.dtype if x.dtype.kind == "c" else x.dtype), u, v
    u, s, vh = np.linalg.svd(_lapack(x), full_matrices=full_matrices)
    v = np.conj(np.swapaxes(vh, -1, -2))
    return s.astype(x.real.dtype), u.astype(x.dtype), v.astype(x.dtype)


@_svd.grad
def _svd_grad(op, ds, du, dv):
    # Townsend, "Differentiating the singular value decomposition", for real A = U S V^T:
    # dA = U [diag(ds) + (F o (U^T dU - dU^T U)) S + S (F o (V^T dV - dV^T V))] V^T
    #      + (I - U U^T) dU S^-1 V^T + U S^-1 dV^T (I - V V^T),  F_ij = 1 / (s_j^2 - s_i^2).
    # Divisions use div_no_nan so that unused U/V cotangents (zeros) contribute nothing
    # even at zero singular values.
    from tapeflow._src.ops.array_ops import expand_dims, ones_like
    from tapeflow._src.ops.math_ops import div_no_nan
    x, = op.inputs
    s, u, v = op.outputs
    if x._value.dtype.kind == "c":
        raise NotImplementedError("tapeflow's SVD gradient is implemented for real dtypes "
                                  "only.")
    m, n = x._value.shape[-2:]
    k = min(m, n)
    if op.attrs["full_matrices"]:
        if abs(m - n) > 1:
            raise NotImplementedError("svd gradient has not been implemented for abs(m - n) > "
                                      "1 if full_matrices is True")
        u, du = u[..., :, :k], du[..., :, :k]
        v, dv = v[..., :, :k], dv[..., :, :k]
    s2 = s * s
    diff = expand_dims(s2, -2) - expand_dims(s2, -1)
    f = div_no_nan(ones_like(diff), diff)
    ut_du = _mm(u, du, True, False)
    vt_dv = _mm(v, dv, True, False)
    j = f * (ut_du - _mT(ut_du))
    kk = f * (vt_dv - _mT(vt_dv))
    s_row = expand_dims(s, -2)  # multiplies columns: X S
    s_col = expand_dims(s, -1)  # multiplies rows: S X
    inner = _matrix_diag(ds, k=0, num_rows=k, num_cols=k, padding_value=0) + j * s_row \
        + s_col * kk
    grad = _mm(_mm(u, inner), v, False, True)
    if m > k:
        du_sinv = div_no_nan(du, s_row)
        grad = grad + _mm(du_sinv - _mm(u, _mm(u, du_sinv, True, False)), v, False, True)
    if n > k:
        dv_sinv = div_no_nan(dv, s_row)
        proj = dv_sinv - _mm(v, _mm(v, dv_sinv, True, False))
        grad = grad + _mm(u, proj, False, True)
    return grad


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular value decomposition `tensor = u @ diag(s) @ adjoint(v)`.

    Note TensorFlow's order: returns `(s, u, v)` (a plain tuple), not NumPy's `(u, s, vh)`,
    and `v` itself rather than its adjoint. Singular values are in decreasing order.

    Args:
      tensor: A tensor of shape [..., M, N].
      full_matrices: Return M x M `u` and N x N `v` instead of M x K and N x K.
      compute_uv: When False, return only `s`.
      name: Unused; kept for API compatibility.

    >>> s, u, v = tf.linalg.svd([[3., 0.], [0., 2.]])
    >>> s.numpy()
    array([3., 2.], dtype=float32)
    """
    s, u, v = _svd(to_tensor(tensor), full_matrices=bool(full_matrices))
    if not compute_uv:
        return s
    return s, u, v


# ---------------------------------------------------------------------------------------
# Symmetric eigendecomposition
# ---------------------------------------------------------------------------------------

def _eigh_rule(x):
    return (x[:-1], x)


@primitive("SelfAdjointEigV2", shape=_eigh_rule, dtype=rules.same_as_input,
           allowed=_LINALG_TYPES, multi_output=True)
def _eigh(x):
    _check_square(x, "SelfAdjointEigV2")
    e, v = np.linalg.eigh(_lapack(x), UPLO="L")
    return e.astype(x.dtype), v.astype(x.dtype)  # TF: complex inputs give complex e


@_eigh.grad
def _eigh_grad(op, de, dv):
    # dA = V (diag(de) + F o (V^T dV)) V^T with F_ij = 1 / (e_j - e_i); only the lower
    # triangle of A is read, so (as in TensorFlow) the result is folded onto it.
    from tapeflow._src.ops.array_ops import expand_dims, ones_like
    from tapeflow._src.ops.math_ops import div_no_nan
    x, = op.inputs
    e, v = op.outputs
    if x._value.dtype.kind == "c":
        raise NotImplementedError("tapeflow's eigh gradient is implemented for real dtypes "
                                  "only.")
    n = x._value.shape[-1]
    diff = expand_dims(e, -2) - expand_dims(e, -1)
    f = div_no_nan(ones_like(diff), diff)
    inner = _matrix_diag(de, k=0, num_rows=n, num_cols=n, padding_value=0) \
        + f * _mm(v, dv, True, False)
    g = _mm(_mm(v, inner), v, False, True)
    g = _band_part(g + _mT(g), lower=-1, upper=0)
    return _matrix_set_diag(g, 0.5 * _matrix_diag_part(g, k=0, padding_value=0), k=0)


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of self-adjoint matrices: `(e, v)`.

    Only the lower triangle of `tensor` is read.

    >>> e, v = tf.linalg.eigh([[2., 1.], [1., 2.]])
    >>> e.numpy().round(4)
    array([1., 3.], dtype=float32)
    """
    e, v = _eigh(to_tensor(tensor))
    return e, v


def eigvalsh(tensor, name=None):
    """The eigenvalues (ascending) of self-adjoint matrices.

    >>> tf.linalg.eigvalsh([[2., 0.], [0., 1.]]).numpy()
    array([1., 2.], dtype=float32)
    """
    return eigh(tensor)[0]


# ---------------------------------------------------------------------------------------
# LU (no gradient, as in TensorFlow)
# ---------------------------------------------------------------------------------------

def _lu_one(a):
    n = a.shape[0]
    lu = a.copy()
    perm = np.arange(n)
    for j in range(n):
        p = j + int(np.argmax(np.abs(lu[j:, j])))
        if p != j:
            lu[[j, p]] = lu[[p, j]]
            perm[[j, p]] = perm[[p, j]]
        if lu[j, j] != 0:
            lu[j + 1:, j] /= lu[j, j]
            lu[j + 1:, j + 1:] -= np.outer(lu[j + 1:, j], lu[j, j + 1:])
    return lu, perm


@primitive("Lu", shape=lambda x, **a: (x, x[:-1]), dtype=rules.same_as_input,
           allowed=_LINALG_TYPES, multi_output=True, differentiable=False)
def _lu(x, *, output_idx_type):
    _check_square(x, "Lu")
    flat = _lapack(x).reshape((-1,) + x.shape[-2:])
    lus, perms = zip(*[_lu_one(m) for m in flat]) if len(flat) else ((), ())
    lu = np.asarray(lus, dtype=flat.dtype).reshape(x.shape).astype(x.dtype)
    p = np.asarray(perms, dtype=output_idx_type).reshape(x.shape[:-1])
    return lu, p


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002
    """LU decomposition with partial pivoting: `Lu(lu, p)` with `P A = L U` packed in `lu`.

    `p[i]` is the row of `input` that became row i; L has a unit diagonal (not stored).

    >>> tf.linalg.lu([[1., 2.], [3., 4.]]).p.numpy()
    array([1, 0], dtype=int32)
    """
    out_t = dtypes.as_dtype(output_idx_type)
    lu_, p = _lu(to_tensor(input), output_idx_type=out_t._np)
    return Lu(lu_, p)

"""Op-table rows for tf.linalg: products, diagonals, norms and decompositions.

Decompositions whose factors are only defined up to signs (svd, eigh) are checked through
gauge-invariant functions: singular values/eigenvalues, U V^T, U U^T and eigenprojectors.
Matrices for inv/solve/det are kept well conditioned (identity plus a small random part).
"""

import numpy as np

import tapeflow as tf
from tests.helpers.op_specs import OpSpec, floats

L = tf.linalg


def well_conditioned(shape, seed=0):
    """A (batch of) square matrix near 2*I: invertible with moderate entries."""
    rng = np.random.default_rng(seed + shape[-1])
    n = shape[-1]
    return 2 * np.eye(n) + 0.4 * rng.uniform(-1, 1, size=shape)


def spd_factor(shape, seed=3):
    """A square matrix B; B B^T + n I is symmetric positive definite."""
    return np.random.default_rng(seed).uniform(-1, 1, size=shape)


def _spd(b):
    n = b.shape[-1]
    return tf.matmul(b, b, transpose_b=True) + n * tf.eye(n, dtype=b.dtype)


def _np_spd(b):
    n = b.shape[-1]
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def distinct_spectrum(shape, seed=5):
    """A symmetric matrix with well separated eigenvalues (plus a random non-symmetric part
    in the strict upper triangle, which eigh must ignore)."""
    rng = np.random.default_rng(seed)
    n = shape[-1]
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    sym = q @ np.diag(np.arange(1.0, n + 1) * 1.5) @ q.T
    return sym + np.triu(rng.uniform(-1, 1, (n, n)), 1)


def _svd_invariants(x):
    s, u, v = L.svd(x)
    return s, tf.matmul(u, v, transpose_b=True), tf.matmul(u, u, transpose_b=True)


def _np_svd_invariants(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return s, u @ vh, u @ np.swapaxes(u, -1, -2)


def _eigh_invariants(x):
    e, v = L.eigh(x)
    p = v[..., :, :1]
    return e, tf.matmul(p, p, transpose_b=True)


def _np_eigh_invariants(x):
    e, v = np.linalg.eigh(x, UPLO="L")
    p = v[..., :, :1]
    return e, p @ np.swapaxes(p, -1, -2)


def _qr(x, full=False):
    q, r = L.qr(x, full_matrices=full)
    return q, r


def _np_qr(x, full=False):
    return np.linalg.qr(x, mode="complete" if full else "reduced")


def _np_diag_part(x, k=0):
    return np.diagonal(x, offset=k, axis1=-2, axis2=-1)


def _np_band(x, lo, hi):
    i = np.arange(x.shape[-2])[:, None]
    j = np.arange(x.shape[-1])[None, :]
    keep = ((lo < 0) | (i - j <= lo)) & ((hi < 0) | (j - i <= hi))
    return np.where(keep, x, 0)


def _np_set_diag(x, d):
    out = x.copy()
    idx = np.arange(min(x.shape[-2:]))
    out[..., idx, idx] = d
    return out


SPECS = [
    # Products
    OpSpec("matmul_transpose_a", lambda a, b: tf.matmul(a, b, transpose_a=True),
           lambda a, b: a.T @ b, [floats((3, 2)), floats((3, 4))], grad_order=2),
    OpSpec("matmul_transpose_b", lambda a, b: tf.matmul(a, b, transpose_b=True),
           lambda a, b: a @ b.T, [floats((2, 3)), floats((4, 3))], grad_order=2),
    OpSpec("matmul_transpose_both", lambda a, b: tf.matmul(a, b, True, True),
           lambda a, b: a.T @ b.T, [floats((3, 2)), floats((4, 3))], grad_order=2),
    OpSpec("batch_matmul_broadcast", tf.matmul, np.matmul,
           [floats((2, 1, 2, 3)), floats((3, 3, 2))], grad_order=2),
    OpSpec("batch_matmul_adjoint", lambda a, b: tf.matmul(a, b, adjoint_a=True,
                                                         transpose_b=True),
           lambda a, b: np.swapaxes(a, -1, -2) @ np.swapaxes(b, -1, -2),
           [floats((2, 3, 2)), floats((2, 4, 3))], grad_order=2),
    OpSpec("matvec", L.matvec, lambda a, b: np.einsum("...ij,...j->...i", a, b),
           [floats((2, 3, 4)), floats((4,))], grad_order=2),
    OpSpec("tensordot_int_axes", lambda a, b: tf.tensordot(a, b, 2),
           lambda a, b: np.tensordot(a, b, 2), [floats((2, 3, 4)), floats((3, 4, 2))],
           grad_order=2),
    OpSpec("tensordot_axis_pairs", lambda a, b: tf.tensordot(a, b, [[0, 2], [2, 0]]),
           lambda a, b: np.tensordot(a, b, [[0, 2], [2, 0]]),
           [floats((2, 3, 4)), floats((4, 5, 2))], grad_order=2),
    OpSpec("tensordot_outer", lambda a, b: tf.tensordot(a, b, 0),
           lambda a, b: np.tensordot(a, b, 0), [floats((2,)), floats((3,))], grad_order=2),
    OpSpec("einsum_matmul", lambda a, b: tf.einsum("ij,jk->ik", a, b),
           lambda a, b: np.einsum("ij,jk->ik", a, b), [floats((2, 3)), floats((3, 4))],
           grad_order=2),
    OpSpec("einsum_batch_ellipsis", lambda a, b: tf.einsum("...ij,...jk->...ik", a, b),
           lambda a, b: np.einsum("...ij,...jk->...ik", a, b),
           [floats((2, 2, 3)), floats((3, 2))], grad_order=2),
    # A weight with no broadcast dims against an ellipsis input (a Dense-like projection):
    # the weight's gradient sums over the broadcast dims.
    OpSpec("einsum_weight_vs_ellipsis", lambda w, x: tf.einsum("ij,...j->...i", w, x),
           lambda w, x: np.einsum("ij,...j->...i", w, x),
           [floats((3, 2)), floats((2, 4, 2))], grad_order=2),
    OpSpec("einsum_trace_and_sum", lambda a, b: tf.einsum("ii,jk->k", a, b),
           lambda a, b: np.einsum("ii,jk->k", a, b), [floats((3, 3)), floats((2, 4))],
           grad_order=2),
    OpSpec("einsum_implicit_three", lambda a, b, c: tf.einsum("ij,jk,kl", a, b, c),
           lambda a, b, c: np.einsum("ij,jk,kl", a, b, c),
           [floats((2, 3)), floats((3, 2)), floats((2, 2))], grad_order=2),
    OpSpec("einsum_diag_out", lambda a: tf.einsum("ii->i", a),
           lambda a: np.einsum("ii->i", a), [floats((3, 3))], grad_order=2),
    OpSpec("matrix_transpose", L.matrix_transpose, lambda a: np.swapaxes(a, -1, -2),
           [floats((2, 3, 4))], grad_order=2),
    # Structure
    OpSpec("trace", L.trace, lambda x: np.trace(x, axis1=-2, axis2=-1),
           [floats((2, 3, 3))], grad_order=2),
    OpSpec("diag", L.diag, lambda d: np.apply_along_axis(np.diag, -1, d),
           [floats((2, 3))], grad_order=2),
    OpSpec("diag_offset", lambda d: L.diag(d, k=-1), lambda d: np.diag(d, -1),
           [floats((3,))], grad_order=2),
    OpSpec("diag_part", L.diag_part, _np_diag_part, [floats((2, 3, 4))], grad_order=2),
    OpSpec("diag_part_offset", lambda x: L.diag_part(x, k=1),
           lambda x: _np_diag_part(x, 1), [floats((3, 4))], grad_order=2),
    OpSpec("set_diag", L.set_diag, _np_set_diag, [floats((2, 3, 3)), floats((2, 3))],
           grad_order=2),
    OpSpec("band_part", lambda x: L.band_part(x, 1, 0), lambda x: _np_band(x, 1, 0),
           [floats((2, 4, 3))], grad_order=2),
    # Norms (inputs away from 0 and from ties)
    OpSpec("norm_euclidean", tf.norm, lambda x: np.sqrt(np.sum(x * x)),
           [floats((2, 3), 0.5, 2.0)], grad_order=2),
    OpSpec("norm_axis", lambda x: tf.norm(x, axis=-1, keepdims=True),
           lambda x: np.linalg.norm(x, axis=-1, keepdims=True), [floats((3, 4))],
           grad_order=2),
    OpSpec("norm_ord1", lambda x: tf.norm(x, ord=1, axis=0),
           lambda x: np.abs(x).sum(0), [floats((3, 4), 0.2, 2.0)], grad_order=2),
    OpSpec("norm_inf", lambda x: tf.norm(x, ord=np.inf, axis=1),
           lambda x: np.abs(x).max(1), [floats((3, 4))], grad_order=2),
    OpSpec("norm_p3", lambda x: tf.norm(x, ord=3, axis=1),
           lambda x: np.linalg.norm(x, ord=3, axis=1), [floats((3, 4), 0.2, 2.0)],
           grad_order=2),
    OpSpec("norm_fro_matrix", lambda x: tf.norm(x, ord="fro", axis=[1, 2]),
           lambda x: np.linalg.norm(x, ord="fro", axis=(1, 2)), [floats((2, 3, 4))],
           grad_order=2),
    OpSpec("norm_matrix_1", lambda x: tf.norm(x, ord=1, axis=[0, 1]),
           lambda x: np.linalg.norm(x, ord=1), [floats((3, 4), 0.2, 2.0)], grad_order=2),
    OpSpec("norm_matrix_inf", lambda x: tf.norm(x, ord=np.inf, axis=[-2, -1]),
           lambda x: np.linalg.norm(x, ord=np.inf, axis=(-2, -1)),
           [floats((2, 3, 4), 0.2, 2.0)], grad_order=2),
    OpSpec("norm_matrix_2", lambda x: tf.norm(x, ord=2, axis=[2, 0]),
           lambda x: np.linalg.norm(np.transpose(x, (1, 2, 0)), ord=2, axis=(1, 2)),
           [floats((3, 2, 4))], grad_order=1),
    # Decompositions and matrix functions
    OpSpec("det", L.det, np.linalg.det, [well_conditioned((2, 3, 3))], grad_order=2),
    OpSpec("slogdet", lambda x: L.slogdet(x).log_abs_determinant,
           lambda x: np.linalg.slogdet(x)[1], [well_conditioned((3, 3))], grad_order=2),
    OpSpec("slogdet_sign", lambda x: L.slogdet(x).sign, lambda x: np.linalg.slogdet(x)[0],
           [-well_conditioned((3, 3))], grad_order=0),
    OpSpec("logdet", lambda b: L.logdet(_spd(b)),
           lambda b: np.linalg.slogdet(_np_spd(b))[1], [spd_factor((3, 3))], grad_order=2),
    OpSpec("inv", L.inv, np.linalg.inv, [well_conditioned((2, 3, 3))], grad_order=2),
    OpSpec("inv_adjoint", lambda x: L.inv(x, adjoint=True), lambda x: np.linalg.inv(x.T),
           [well_conditioned((3, 3))], grad_order=2),
    OpSpec("solve", L.solve, np.linalg.solve,
           [well_conditioned((2, 3, 3)), floats((2, 3, 2))], grad_order=2),
    OpSpec("solve_adjoint", lambda a, b: L.solve(a, b, adjoint=True),
           lambda a, b: np.linalg.solve(a.T, b), [well_conditioned((3, 3)), floats((3, 1))],
           grad_order=2),
    OpSpec("triangular_solve", L.triangular_solve,
           lambda a, b: np.linalg.solve(np.tril(a), b),
           [well_conditioned((2, 3, 3)), floats((3, 2))], grad_order=2),
    OpSpec("triangular_solve_upper_adjoint",
           lambda a, b: L.triangular_solve(a, b, lower=False, adjoint=True),
           lambda a, b: np.linalg.solve(np.triu(a).T, b),
           [well_conditioned((3, 3)), floats((3, 1))], grad_order=2),
    OpSpec("cholesky_solve", lambda b, r: L.cholesky_solve(L.cholesky(_spd(b)), r),
           lambda b, r: np.linalg.solve(_np_spd(b), r), [spd_factor((3, 3)), floats((3, 2))],
           grad_order=2),
    OpSpec("cross", L.cross, np.cross, [floats((2, 3)), floats((2, 3), -1.0, 1.0)],
           grad_order=2),
    OpSpec("normalize", lambda x: L.normalize(x, axis=1)[0],
           lambda x: x / np.linalg.norm(x, axis=1, keepdims=True), [floats((2, 3))],
           grad_order=2),
    OpSpec("global_norm", lambda a, b: L.global_norm([a, b]),
           lambda a, b: np.sqrt((a * a).sum() + (b * b).sum()), [floats((2, 3)), floats((4,))],
           grad_order=2),
    OpSpec("pinv", L.pinv, np.linalg.pinv, [floats((4, 3))], grad_order=1),
    OpSpec("cholesky", lambda b: L.cholesky(_spd(b)), lambda b: np.linalg.cholesky(_np_spd(b)),
           [spd_factor((2, 3, 3))], grad_order=2),
    OpSpec("qr_tall", _qr, _np_qr, [floats((4, 3))], grad_order=1),
    OpSpec("qr_square_batch", _qr, _np_qr, [floats((2, 3, 3))], grad_order=1),
    OpSpec("qr_wide", _qr, _np_qr, [floats((2, 4))], grad_order=1),
    OpSpec("qr_full_wide", lambda x: _qr(x, True), lambda x: _np_qr(x, True),
           [floats((2, 3))], grad_order=1),
    OpSpec("svd_values", lambda x: L.svd(x, compute_uv=False),
           lambda x: np.linalg.svd(x, compute_uv=False), [floats((2, 4, 3))], grad_order=1),
    OpSpec("svd_invariants_tall", _svd_invariants, _np_svd_invariants, [floats((4, 3))],
           grad_order=1),
    OpSpec("svd_invariants_wide", _svd_invariants, _np_svd_invariants, [floats((2, 3, 5))],
           grad_order=1),
    OpSpec("eigh_invariants", _eigh_invariants, _np_eigh_invariants,
           [distinct_spectrum((4, 4))], grad_order=1),
    OpSpec("eigvalsh", L.eigvalsh, lambda x: np.linalg.eigvalsh(x, UPLO="L"),
           [distinct_spectrum((3, 3))], grad_order=1),
]

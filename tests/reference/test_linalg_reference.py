"""Differential tests of tf.linalg (and tf.norm/tensordot/einsum) against real TensorFlow:
values, dtypes, shapes, gradients, and exception types and messages."""

import re

import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(42)
A = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
B = RNG.standard_normal((3, 2))
SPD = A @ A.T + np.eye(3)
TALL = RNG.standard_normal((4, 3))
WIDE = RNG.standard_normal((2, 4))
BATCH = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
SYM = np.array([[2.0, 0.5, 0.1], [0.7, 3.0, 0.2], [0.3, 0.4, 5.0]])


def _strip(msg):
    """TF's eager messages start with a '{{function_node ...}}' prefix tapeflow omits."""
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", msg)


def _run(mod, fn):
    try:
        return ("ok", fn(mod))
    except Exception as e:  # noqa: BLE001 - we compare the exception itself
        return (type(e).__name__, _strip(str(e)).split("\n")[0])


def _same(tf_ref, fn, rtol=1e-6, atol=1e-8):
    ours, theirs = _run(tf, fn), _run(tf_ref, fn)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] != "ok":
        assert ours[1] == theirs[1]
        return
    outs = ours[1] if isinstance(ours[1], (list, tuple)) else [ours[1]]
    refs = theirs[1] if isinstance(theirs[1], (list, tuple)) else [theirs[1]]
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        assert o.dtype.name == r.dtype.name
        assert tuple(o.shape) == tuple(r.shape)
        np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=rtol, atol=atol)


VALUE_CASES = {
    "matmul_batch": lambda t: t.matmul(BATCH, B[None], transpose_a=True),
    "matmul_int": lambda t: t.matmul([[1, 2], [3, 4]], [[5], [6]]),
    "matmul_int64_batch": lambda t: t.matmul(t.ones([2, 2, 2], t.int64),
                                             t.ones([2, 2], t.int64)),
    "matmul_adjoint_complex": lambda t: t.matmul(t.constant([[1 + 2j, 3j]]),
                                                 t.constant([[1 - 1j, 2j]]), adjoint_b=True),
    "matvec": lambda t: t.linalg.matvec(BATCH, B[:, 0]),
    "tensordot": lambda t: t.tensordot(TALL, B, [[1], [0]]),
    "tensordot_0": lambda t: t.tensordot([1.0, 2.0], [3.0, 4.0, 5.0], 0),
    "einsum_batch": lambda t: t.einsum("bij,jk->bki", BATCH, B),
    "einsum_trace": lambda t: t.einsum("ii", A),
    "einsum_implicit": lambda t: t.einsum("ij,jk", TALL, B),
    "einsum_ellipsis": lambda t: t.einsum("...ij,...j->...i", BATCH, B[:, 0]),
    "trace": lambda t: t.linalg.trace(BATCH),
    "diag": lambda t: t.linalg.diag(B.T, k=-1),
    "diag_rect": lambda t: t.linalg.diag([1, 2], num_rows=2, num_cols=3, k=1),
    "diag_rows_only": lambda t: t.linalg.diag([1.0, 2.0], num_cols=4, k=-1),
    "diag_part": lambda t: t.linalg.diag_part(TALL, k=-1),
    "set_diag": lambda t: t.linalg.set_diag(TALL, [1.0, 2.0, 3.0]),
    "band_part": lambda t: t.linalg.band_part(TALL, 1, 0),
    "norm": lambda t: t.norm(TALL),
    "norm_axis": lambda t: t.norm(TALL, axis=0, keepdims=True),
    "norm_1": lambda t: t.norm(TALL, ord=1, axis=1),
    "norm_inf": lambda t: t.norm(TALL, ord=np.inf),
    "norm_p": lambda t: t.norm(TALL, ord=2.5, axis=-1),
    "norm_matrix_2": lambda t: t.norm(BATCH, ord=2, axis=[1, 2]),
    "norm_matrix_2_perm": lambda t: t.norm(BATCH, ord=2, axis=[2, 0], keepdims=True),
    "norm_matrix_1": lambda t: t.linalg.norm(BATCH, ord=1, axis=[-2, -1]),
    "norm_matrix_inf": lambda t: t.linalg.norm(BATCH, ord=np.inf, axis=[0, 2]),
    "norm_fro": lambda t: t.linalg.norm(BATCH, ord="fro", axis=[0, 1]),
    "det": lambda t: t.linalg.det(BATCH),
    "slogdet": lambda t: tuple(t.linalg.slogdet(-A)),
    "logdet": lambda t: t.linalg.logdet(SPD),
    "inv": lambda t: t.linalg.inv(BATCH),
    "inv_adjoint": lambda t: t.linalg.inv(A, adjoint=True),
    "solve": lambda t: t.linalg.solve(A, B),
    "solve_adjoint": lambda t: t.linalg.solve(BATCH, BATCH[..., :1], adjoint=True),
    "cholesky": lambda t: t.linalg.cholesky(SPD),
    "cholesky_lower_only": lambda t: t.linalg.cholesky(np.tril(SPD) + np.triu(A, 1)),
    "svd_values": lambda t: t.linalg.svd(TALL, compute_uv=False),
    "eigvalsh": lambda t: t.linalg.eigvalsh(SYM),
    "lu": lambda t: tuple(t.linalg.lu(A)),
    "matrix_transpose": lambda t: t.linalg.matrix_transpose(BATCH),
    "triangular_solve": lambda t: t.linalg.triangular_solve(A, B),
    "triangular_solve_upper_adj": lambda t: t.linalg.triangular_solve(BATCH, B, lower=False,
                                                                      adjoint=True),
    "triangular_solve_singular": lambda t: t.linalg.triangular_solve([[0.0, 0.0], [1.0, 4.0]],
                                                                     [[2.0], [9.0]]),
    "cholesky_solve": lambda t: t.linalg.cholesky_solve(t.linalg.cholesky(SPD), B),
    "cross": lambda t: t.linalg.cross(TALL, TALL[::-1]),
    "pinv": lambda t: t.linalg.pinv(TALL),
    "pinv_rank_deficient": lambda t: t.linalg.pinv([[1.0, 2.0], [2.0, 4.0]]),
    "matrix_rank": lambda t: t.linalg.matrix_rank([[1.0, 2.0], [2.0, 4.0]]),
    "normalize": lambda t: tuple(t.linalg.normalize(TALL, axis=1)),
    "global_norm": lambda t: t.linalg.global_norm([A, None, B]),
    "adjoint": lambda t: t.linalg.adjoint(t.constant([[1 + 1j, 2j]])),
}


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_values_match_tensorflow(tf_ref, case):
    _same(tf_ref, VALUE_CASES[case])


def _gauge_free(t, kind, x):
    if kind == "svd":
        s, u, v = t.linalg.svd(x)
        return s, t.matmul(u, v, adjoint_b=True), t.matmul(u, u, adjoint_b=True)
    if kind == "eigh":
        e, v = t.linalg.eigh(x)
        return e, t.matmul(v[:, :1], v[:, :1], adjoint_b=True)
    q, r = t.linalg.qr(x)
    return q, r


@pytest.mark.parametrize("kind,x", [("svd", TALL), ("svd", WIDE), ("eigh", SYM),
                                    ("qr", TALL), ("qr", WIDE)])
def test_decomposition_invariants_match_tensorflow(tf_ref, kind, x):
    _same(tf_ref, lambda t: _gauge_free(t, kind, x), rtol=1e-6, atol=1e-8)


def _grad_of(t, f, *xs):
    vs = [t.Variable(x) for x in xs]
    with t.GradientTape() as tape:
        y = f(t, *vs)
        ys = y if isinstance(y, (list, tuple)) else [y]
        # sin() gives every output element a different, nontrivial cotangent.
        total = t.add_n([t.reduce_sum(t.sin(yy)) for yy in ys])
    return tape.gradient(total, vs)


GRAD_CASES = {
    "matmul": (lambda t, a, b: t.matmul(a, b), A, B),
    "einsum": (lambda t, a, b: t.einsum("ij,jk->ki", a, b), A, B),
    "einsum_diag": (lambda t, a: t.einsum("ii->i", a), A),
    "tensordot": (lambda t, a, b: t.tensordot(a, b, [[0], [0]]), A, B),
    "det": (lambda t, a: t.linalg.det(a), BATCH),
    "slogdet": (lambda t, a: t.linalg.slogdet(a)[1], A),
    "logdet": (lambda t, a: t.linalg.logdet(a), SPD),
    "inv": (lambda t, a: t.linalg.inv(a), A),
    "solve": (lambda t, a, b: t.linalg.solve(a, b, adjoint=True), A, B),
    "cholesky": (lambda t, a: t.linalg.cholesky(a), SPD),
    "qr_tall": (lambda t, a: list(t.linalg.qr(a)), TALL),
    "qr_wide": (lambda t, a: list(t.linalg.qr(a)), WIDE),
    "svd_values": (lambda t, a: t.linalg.svd(a, compute_uv=False), TALL),
    "svd_uv": (lambda t, a: _gauge_free(t, "svd", a), WIDE),
    "eigh": (lambda t, a: _gauge_free(t, "eigh", a), SYM),
    "norm": (lambda t, a: t.norm(a, axis=1), TALL),
    "norm_matrix_2": (lambda t, a: t.norm(a, ord=2, axis=[0, 1]), TALL),
    "norm_inf": (lambda t, a: t.norm(a, ord=np.inf, axis=[0, 1]), TALL),
    "diag_part": (lambda t, a: t.linalg.diag_part(a, k=1), TALL),
    "band_part": (lambda t, a: t.linalg.band_part(a, 0, 1), TALL),
    "trace": (lambda t, a: t.linalg.trace(a), BATCH),
    "triangular_solve": (lambda t, a, b: t.linalg.triangular_solve(a, b), A, B),
    "triangular_solve_upper_adj": (lambda t, a, b: t.linalg.triangular_solve(
        a, b, lower=False, adjoint=True), A, B),
    "pinv": (lambda t, a: t.linalg.pinv(a), TALL),
    "cross": (lambda t, a, b: t.linalg.cross(a, b), TALL, TALL[::-1] + 1.0),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradients_match_tensorflow(tf_ref, case):
    f, *xs = GRAD_CASES[case]
    ours = _grad_of(tf, f, *xs)
    theirs = _grad_of(tf_ref, f, *xs)
    for o, r in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-6, atol=1e-9)


ZERO = np.zeros((2, 2), np.float32)
GRAD_AT_ZERO = {
    "euclidean": lambda t, x: t.norm(x),
    "rows": lambda t, x: t.norm(x, axis=1),
    "ord1": lambda t, x: t.norm(x, ord=1),
    "inf": lambda t, x: t.norm(x, ord=np.inf),
    "p3": lambda t, x: t.norm(x, ord=3),
    "matrix2": lambda t, x: t.norm(x, ord=2, axis=[0, 1]),
    "matrix1": lambda t, x: t.norm(x, ord=1, axis=[0, 1]),
}


@pytest.mark.parametrize("case", sorted(GRAD_AT_ZERO))
def test_norm_gradient_at_zero_matches_tensorflow(tf_ref, case):
    def g(t):
        v = t.Variable(ZERO)
        with t.GradientTape() as tape:
            y = GRAD_AT_ZERO[case](t, v)
        return tape.gradient(y, v).numpy()
    np.testing.assert_array_equal(g(tf), g(tf_ref))


ERROR_CASES = {
    "matmul_inner": lambda t: t.matmul(t.ones([2, 3]), t.ones([2, 3])),
    "matmul_batch_inner": lambda t: t.matmul(t.ones([4, 2, 3]), t.ones([4, 2, 3])),
    "matmul_batch_dims": lambda t: t.matmul(t.ones([4, 2, 3]), t.ones([5, 3, 3])),
    "matmul_transposed_inner": lambda t: t.matmul(t.ones([2, 3]), t.ones([2, 3]),
                                                  transpose_a=True, transpose_b=True),
    "matmul_rank1": lambda t: t.matmul(t.ones([3]), t.ones([3, 2])),
    "matmul_rank1_b": lambda t: t.matmul(t.ones([2, 3]), t.ones([3])),
    "matmul_rank3_1": lambda t: t.matmul(t.ones([2, 3, 3]), t.ones([3])),
    "matmul_dtypes": lambda t: t.matmul(t.ones([2, 2]), t.ones([2, 2], t.float64)),
    "matmul_bool": lambda t: t.matmul(t.ones([2, 2], t.bool), t.ones([2, 2], t.bool)),
    "matmul_uint8": lambda t: t.matmul(t.ones([2, 2], t.uint8), t.ones([2, 2], t.uint8)),
    "matmul_both": lambda t: t.matmul(t.ones([2, 2]), t.ones([2, 2]), transpose_b=True,
                                      adjoint_b=True),
    "tensordot_neg": lambda t: t.tensordot(t.ones([2]), t.ones([2]), -1),
    "tensordot_pairs": lambda t: t.tensordot(t.ones([2]), t.ones([2]), [[0, 0], [0]]),
    "einsum_inputs": lambda t: t.einsum("ij,jk->ik", t.ones([2, 2])),
    "einsum_label": lambda t: t.einsum("ij->ijk", t.ones([2, 2])),
    "einsum_dims": lambda t: t.einsum("ij,jk->ik", t.ones([2, 2]), t.ones([3, 3])),
    "einsum_dtypes": lambda t: t.einsum("i,i", t.ones([2]), t.ones([2], t.int32)),
    "einsum_rank": lambda t: t.einsum("ij->i", t.ones([2])),
    "einsum_duplicate_output": lambda t: t.einsum("ij->ii", t.ones([2, 2])),
    "einsum_bad_char": lambda t: t.einsum("i1->i", t.ones([2, 2])),
    "einsum_two_arrows": lambda t: t.einsum("i->i->i", t.ones([2])),
    "einsum_implicit_ellipsis": lambda t: t.einsum("...ij,...jk", t.ones([3, 2, 2]),
                                                   t.ones([2, 2])),
    "einsum_int8": lambda t: t.einsum("i,i->", t.ones([2], t.int8), t.ones([2], t.int8)),
    "trace_rank1": lambda t: t.linalg.trace(t.ones([3])),
    "diag_scalar": lambda t: t.linalg.diag(1.0),
    "diag_inconsistent": lambda t: t.linalg.diag([1, 2], num_rows=3, num_cols=4, k=1),
    "band_rank1": lambda t: t.linalg.band_part(t.ones([4]), 0, 0),
    "band_too_big": lambda t: t.linalg.band_part(t.ones([2, 2]), 5, 0),
    "band_upper_too_big": lambda t: t.linalg.band_part(t.ones([2, 2]), 0, 3),
    "norm_fro_vector": lambda t: t.norm(t.ones([2]), ord="fro"),
    "norm_nuc": lambda t: t.norm(t.ones([2, 2]), ord="nuc", axis=[0, 1]),
    "norm_neg": lambda t: t.norm(t.ones([2]), ord=-1),
    "norm_axis": lambda t: t.norm(t.ones([2, 2]), axis=[1, 1]),
    "det_square": lambda t: t.linalg.det(t.ones([2, 3])),
    "det_rank": lambda t: t.linalg.det(t.ones([2])),
    "det_int": lambda t: t.linalg.det(t.constant([[1, 2], [3, 4]])),
    # A tensor argument: given a Python list, TF's message drops its trailing "name: ".
    "inv_singular": lambda t: t.linalg.inv(t.constant([[1.0, 2.0], [2.0, 4.0]])),
    "inv_square": lambda t: t.linalg.inv(t.ones([2, 3])),
    "solve_rank": lambda t: t.linalg.solve(t.eye(2, batch_shape=[3]), t.ones([2, 1])),
    "solve_incompatible": lambda t: t.linalg.solve(t.eye(2), t.ones([3, 1])),
    "solve_outer": lambda t: t.linalg.solve(t.eye(2, batch_shape=[3]), t.ones([1, 2, 1])),
    "cholesky_square": lambda t: t.linalg.cholesky(t.ones([2, 3])),
    "eigh_square": lambda t: t.linalg.eigh(t.ones([2, 3])),
    "matrix_transpose_rank1": lambda t: t.linalg.matrix_transpose(t.ones([2])),
    "triangular_solve_rank": lambda t: t.linalg.triangular_solve(t.eye(2), t.ones([2])),
    "triangular_solve_mismatch": lambda t: t.linalg.triangular_solve(t.eye(2),
                                                                     t.ones([3, 1])),
    # Tensor arguments: given Python lists, TF's messages drop their trailing "name: ".
    "cross_size": lambda t: t.linalg.cross(t.ones([2]), t.ones([2])),
    "cross_shapes": lambda t: t.linalg.cross(t.ones([2, 3]), t.ones([3])),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_match_tensorflow(tf_ref, case):
    ours, theirs = _run(tf, ERROR_CASES[case]), _run(tf_ref, ERROR_CASES[case])
    assert ours[0] == theirs[0] != "ok"
    if case in ("det_int", "matmul_bool"):
        # TF lists the allowed types in its registration order; compare up to the list.
        assert ours[1].split("allowed values:")[0] == theirs[1].split("allowed values:")[0]
        return
    if case in ("matmul_uint8", "einsum_int8"):
        # TF follows the first line with its kernel registry; tapeflow stops after it.
        assert ours[1].startswith(theirs[1])
        return
    if case in ("matmul_dtypes", "einsum_dtypes"):
        # TF's text names oneDNN kernels (_MklMatMul) or lists types in its registration
        # order; compare the part both share.
        assert ours[1].split(" ")[:2] == theirs[1].split(" ")[:2]
        assert ours[1].split("]")[0].split(" ")[3:] == \
            theirs[1].replace("_Mkl", "").split("]")[0].split(" ")[3:]
        return
    assert ours[1] == theirs[1]


def test_cholesky_not_positive_definite_matches_tensorflow(tf_ref):
    m = [[1.0, 2.0], [3.0, 4.0]]
    # TF leaves the upper triangle of a failed factorisation uninitialised: compare the lower.
    lower = np.tril_indices(2)
    np.testing.assert_array_equal(tf.linalg.cholesky(m).numpy()[lower],
                                  tf_ref.linalg.cholesky(m).numpy()[lower])


def test_result_types_match_tensorflow(tf_ref):
    for name in ("qr", "slogdet", "lu", "svd", "eigh"):
        ours = getattr(tf.linalg, name)(A)
        theirs = getattr(tf_ref.linalg, name)(A)
        assert type(ours).__name__ == type(theirs).__name__
        assert getattr(ours, "_fields", None) == getattr(theirs, "_fields", None)


def test_complex_result_dtypes_match_tensorflow(tf_ref):
    c = np.array([[2 + 1j, 1j], [0.5, 3 - 1j]], np.complex64)
    h = np.array([[2, 1j], [-1j, 3]], np.complex128)
    for fn in (lambda t: t.linalg.slogdet(c), lambda t: t.linalg.eigh(h),
               lambda t: t.linalg.svd(c), lambda t: [t.linalg.det(c), t.linalg.inv(c)],
               lambda t: [t.linalg.logdet(h), t.norm(c, ord=2, axis=[0, 1]),
                          t.norm(c, ord=1, axis=[0, 1]), t.norm(c)]):
        ours, theirs = fn(tf), fn(tf_ref)
        assert [o.dtype.name for o in ours] == [r.dtype.name for r in theirs]
        # The first output (sign, eigenvalues, singular values, det, logdet) is unique.
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-5)

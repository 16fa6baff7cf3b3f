"""tf.linalg: hand-computed values, TensorFlow's error types/messages and conventions
(recorded from TF 2.21), and Hypothesis properties against NumPy. Gradients against
finite differences are in specs_linalg.py (the op table)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf

M = [[1.0, 2.0], [3.0, 4.0]]


def grad(f, x, dtype=tf.float32):
    v = tf.Variable(x, dtype=dtype)
    with tf.GradientTape() as tape:
        y = f(v)
    return tape.gradient(y, v).numpy()


# -- matmul ---------------------------------------------------------------------------------

def test_matmul_hand_computed_and_int_dtype():
    out = tf.matmul([[1, 2]], [[3], [4]])
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[11]]
    np.testing.assert_array_equal(tf.matmul(M, M, transpose_a=True).numpy(),
                                  [[10.0, 14.0], [14.0, 20.0]])


def test_matmul_adjoint_conjugates_complex():
    a = tf.constant([[1 + 1j, 2j]])
    out = tf.matmul(a, a, adjoint_b=True)
    assert out.numpy()[0, 0] == pytest.approx(6 + 0j)


@pytest.mark.parametrize("dtype", [tf.int8, tf.bool, tf.string])
def test_matmul_rejects_types_without_op_kernel_attr(dtype):
    x = tf.constant([["a"]]) if dtype == tf.string else tf.ones([2, 2], dtype)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Value for attr 'T' of "):
        tf.matmul(x, x)


def test_matmul_int16_needs_batch_op():
    x = tf.ones([2, 2], tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:MatMul\]"):
        tf.matmul(x, x)
    assert tf.matmul(x[None], x).dtype == tf.int16


def test_matmul_unsigned_has_no_kernel():
    x = tf.ones([2, 2], tf.uint8)
    with pytest.raises(tf.errors.NotFoundError, match=r"Could not find device for node"):
        tf.matmul(x, x)


@pytest.mark.parametrize("a,b,msg", [
    ([2, 3], [2, 3], r"^Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[2,3\] "
                     r"\[Op:MatMul\] name: $"),
    ([4, 2, 3], [4, 2, 3], r"^Matrix size-incompatible: In\[0\]: \[4,2,3\], In\[1\]: "
                           r"\[4,2,3\] 0 0 \[Op:BatchMatMulV2\] name: $"),
    ([4, 2, 3], [5, 3, 3], r"^In\[0\] and In\[1\] must have compatible batch dimensions: "
                           r"\[4,2,3\] vs. \[5,3,3\] \[Op:BatchMatMulV2\] name: $"),
    ([3], [3, 2], r"^In\[0\] ndims must be >= 2 \[Op:MatMul\] name: $"),
    ([2, 3], [3], r"^In\[1\] ndims must be >= 2 \[Op:MatMul\] name: $"),
    ([2, 3, 3], [3], r"^In\[1\] ndims must be >= 2: 1 \[Op:BatchMatMulV2\] name: $"),
])
def test_matmul_shape_errors_match_tensorflow(a, b, msg):
    with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
        tf.matmul(tf.ones(a), tf.ones(b))


def test_matmul_dtype_mismatch_and_transpose_adjoint_conflict():
    with pytest.raises(tf.errors.InvalidArgumentError, match="cannot compute MatMul as input #1"):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], tf.float64))
    with pytest.raises(ValueError, match="Only one of `transpose_a` and `adjoint_a`"):
        tf.matmul(M, M, transpose_a=True, adjoint_a=True)


def test_matmul_int8_with_int32_output_type():
    x = tf.constant([[100]], tf.int8)
    out = tf.matmul(x, x, output_type=tf.int32)
    assert out.dtype == tf.int32 and int(out[0, 0]) == 10000


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                  max_side=3),
       m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3))
def test_batch_matmul_matches_numpy(shapes, m, k, n):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shapes.input_shapes[0] + (m, k))
    b = rng.standard_normal(shapes.input_shapes[1] + (k, n))
    out = tf.matmul(a, b)
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-12)
    va, vb = tf.Variable(a), tf.Variable(b)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(va, vb))
    ga, gb = tape.gradient(y, [va, vb])
    assert ga.shape == a.shape and gb.shape == b.shape


# -- matvec, tensordot, einsum -------------------------------------------------------------

def test_matvec_and_matrix_transpose():
    np.testing.assert_array_equal(tf.linalg.matvec(M, [1.0, 1.0]).numpy(), [3.0, 7.0])
    np.testing.assert_array_equal(tf.linalg.matvec(M, [1.0, 0.0], transpose_a=True).numpy(),
                                  [1.0, 2.0])
    assert tf.linalg.matrix_transpose(tf.ones([2, 3, 4])).shape == [2, 4, 3]
    with pytest.raises(ValueError, match="should be a \\(batch\\) matrix with rank >= 2"):
        tf.linalg.matrix_transpose(tf.ones([2]))
    out = tf.linalg.adjoint(tf.constant([[1 + 1j, 2j]]))
    np.testing.assert_array_equal(out.numpy(), [[1 - 1j], [-2j]])


def test_tensordot_shapes_and_errors():
    a, b = tf.ones([2, 3, 4]), tf.ones([4, 3, 5])
    assert tf.tensordot(a, b, 1).shape == [2, 3, 3, 5]
    assert tf.tensordot(a, b, [[1, 2], [1, 0]]).shape == [2, 5]
    assert tf.tensordot(a, b, [2, 0]).shape == [2, 3, 3, 5]
    assert tf.tensordot(tf.ones([2]), tf.ones([3]), 0).shape == [2, 3]
    assert int(tf.tensordot([[1, 2]], [[3], [4]], 1)[0, 0]) == 11
    with pytest.raises(ValueError, match=r"`axes` must be at least 0. Received: -1."):
        tf.tensordot(a, b, -1)
    with pytest.raises(ValueError, match=r"Different number of contraction axes `a` and `b`, "
                                         r"2 != 1."):
        tf.tensordot(a, b, [[1, 2], [0]])
    with pytest.raises(ValueError, match="must be an integer or have length 2"):
        tf.tensordot(a, b, [[1], [0], [2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible"):
        tf.tensordot(a, b, [[1], [0]])


def test_einsum_hand_computed():
    m = tf.constant(M)
    assert float(tf.einsum("ii", m)) == 5.0
    np.testing.assert_array_equal(tf.einsum("ii->i", m).numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(tf.einsum("ij,jk", m, m).numpy(), [[7, 10], [15, 22]])
    assert float(tf.einsum("ij->", m)) == 10.0
    assert tf.einsum("i j , j k -> i k", m, m).shape == [2, 2]
    assert tf.einsum("i,i", tf.constant([1, 2]), tf.constant([3, 4])).dtype == tf.int32


def test_einsum_errors_match_tensorflow():
    m = tf.constant(M)
    with pytest.raises(ValueError, match='Got 1 inputs for equation "ij,jk->ik", expecting 2'):
        tf.einsum("ij,jk->ik", m)
    with pytest.raises(ValueError, match="Output subscripts contain the label k not present"):
        tf.einsum("ij->ijk", m)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Expected dimension 2 at axis 0 of the input shaped \[3,3\] but "
                             r"got dimension 3 \[Op:Einsum\]"):
        tf.einsum("ij,jk->ik", m, tf.ones([3, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected dimension 1 at axis 0"):
        tf.einsum("ij,ij->ij", tf.ones([1, 2]), tf.ones([3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="cannot compute Einsum as input #1.* int32 tensor"):
        tf.einsum("i,i", tf.constant([1.0, 2.0]), tf.constant([3, 4]))
    with pytest.raises(ValueError, match="Subscripts have incorrect format: i1->i"):
        tf.einsum("i1->i", m)
    with pytest.raises(ValueError, match="label appearing more than once: ij->ii"):
        tf.einsum("ij->ii", m)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Expected input 0 to have rank 1 but got: 2"):
        tf.einsum("i->i", m)
    # Implicit output has no ellipsis in TensorFlow (NumPy would add one).
    with pytest.raises(tf.errors.InvalidArgumentError, match="Output contains 1 broadcasting"):
        tf.einsum("...ij,...jk", tf.ones([3, 2, 2]), m)
    with pytest.raises(tf.errors.NotFoundError, match="Could not find device for node"):
        tf.einsum("i,i->", tf.ones([2], tf.int8), tf.ones([2], tf.int8))


@settings(max_examples=20, deadline=None)
@given(eq=st.sampled_from(["ij,jk->ik", "ij,kj->ik", "bij,bjk->bik", "ij->ji", "ij,ij->i",
                           "i,j->ij", "...ij,...j->...i", "ii->", "ijk->kj"]),
       seed=st.integers(0, 100))
def test_einsum_matches_numpy(eq, seed):
    rng = np.random.default_rng(seed)
    sizes = {"i": 2, "j": 3, "k": 4, "b": 2}
    lhs = eq.split("->")[0].split(",")
    args = []
    for term in lhs:
        shape = ([2] if "..." in term else []) + [sizes[c] for c in term.replace("...", "")]
        if term == "ii":
            shape = [3, 3]
        args.append(rng.standard_normal(shape))
    np.testing.assert_allclose(tf.einsum(eq, *args).numpy(), np.einsum(eq, *args),
                               rtol=1e-12, atol=1e-12)


# -- structure ---------------------------------------------------------------------------

def test_diag_ops_hand_computed():
    np.testing.assert_array_equal(tf.linalg.diag([1.0, 2.0], k=1).numpy(),
                                  [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
    x = tf.reshape(tf.range(6.0), [2, 3])
    np.testing.assert_array_equal(tf.linalg.diag_part(x).numpy(), [0.0, 4.0])
    np.testing.assert_array_equal(tf.linalg.diag_part(x, k=1).numpy(), [1.0, 5.0])
    np.testing.assert_array_equal(tf.linalg.diag([7, 8], num_rows=3, num_cols=2).numpy(),
                                  [[7, 0], [0, 8], [0, 0]])
    np.testing.assert_array_equal(tf.linalg.diag([1, 2], padding_value=9).numpy(),
                                  [[1, 9], [9, 2]])
    np.testing.assert_array_equal(tf.linalg.set_diag(tf.zeros([2, 2]), [1.0, 2.0]).numpy(),
                                  [[1, 0], [0, 2]])
    assert int(tf.linalg.trace(tf.constant([[1, 2], [3, 4]]))) == 5
    np.testing.assert_array_equal(tf.linalg.trace(tf.ones([3, 2, 4])).numpy(), [2.0] * 3)


def test_diag_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^input must be at least 2-dim, received shape: \[3\] "
                             r"\[Op:MatrixDiagPartV3\] name: diag_part$"):
        tf.linalg.trace(tf.ones([3]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"diagonal must be at least 1-dim, received shape: \[\] "
                             r"\[Op:MatrixDiagV3\]"):
        tf.linalg.diag(1.0)


def test_band_part_hand_computed_and_errors():
    x = tf.reshape(tf.range(16), [4, 4])
    np.testing.assert_array_equal(tf.linalg.band_part(x, 0, 0).numpy(),
                                  np.diag([0, 5, 10, 15]))
    out = tf.linalg.band_part(tf.reshape(tf.range(16.0), [4, 4]), 1, -1).numpy()
    assert out[2, 0] == 0 and out[2, 1] == 9 and out[0, 3] == 3
    np.testing.assert_array_equal(tf.linalg.band_part(tf.ones([2, 2]), -2, 0).numpy(),
                                  [[1, 0], [1, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"num_lower must be negative or less or equal to number of rows "
                             r"\(2\) got: 5 \[Op:MatrixBandPart\]"):
        tf.linalg.band_part(tf.ones([2, 2]), 5, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be at least 2-dim"):
        tf.linalg.band_part(tf.ones([4]), 0, 0)


def test_structure_gradients_match_tensorflow():
    x = [[4.0, 1.0, 2.0], [0.5, 3.0, 1.0]]
    np.testing.assert_array_equal(
        grad(lambda v: tf.reduce_sum(tf.linalg.diag_part(v, k=1)), x), [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(
        grad(lambda v: tf.reduce_sum(tf.linalg.band_part(v, 0, 1) * 2), x),
        [[2, 2, 0], [0, 2, 2]])
    np.testing.assert_array_equal(grad(tf.linalg.trace, [[4.0, 1.0], [0.5, 3.0]]), np.eye(2))


# -- norm --------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,want", [
    ({}, np.sqrt(30.0)),
    ({"ord": "fro", "axis": [0, 1]}, np.sqrt(30.0)),
    ({"ord": 2, "axis": [0, 1]}, 5.464985704219043),
    ({"ord": 1, "axis": [0, 1]}, 6.0),
    ({"ord": np.inf, "axis": [0, 1]}, 7.0),
    ({"ord": np.inf, "axis": [1, 0]}, 6.0),
    ({"ord": 1, "axis": [1, 0]}, 7.0),
    ({"ord": 2}, np.sqrt(30.0)),
    ({"ord": 3}, 100.0 ** (1 / 3)),
])
def test_norm_values(kwargs, want):
    assert float(tf.norm(M, **kwargs)) == pytest.approx(want, rel=1e-6)


def test_norm_axis_keepdims_and_complex():
    np.testing.assert_allclose(tf.norm(M, axis=1, keepdims=True).numpy(),
                               [[np.sqrt(5)], [5.0]], rtol=1e-6)
    assert tf.norm(M, axis=[0, 1], keepdims=True).shape == [1, 1]
    assert tf.linalg.norm(M, ord="euclidean", axis=-1).shape == [2]
    c = tf.norm(tf.constant([3 + 4j, 1j]))
    assert c.dtype == tf.complex128 and c.numpy() == pytest.approx(np.sqrt(26))


@pytest.mark.parametrize("kwargs,msg", [
    ({"ord": "fro"}, "'ord' must be a supported vector norm, got fro"),
    ({"ord": -1, "axis": 1}, "'ord' must be a supported vector norm, got -1"),
    ({"ord": -np.inf, "axis": 1}, "'ord' must be a supported vector norm, got -inf"),
    ({"ord": "nuc", "axis": [0, 1]},
     r"'ord' must be a supported matrix norm in \['euclidean', 'fro', 1, 2, inf\], got nuc"),
    ({"axis": [0, 0]}, r"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                       r"got \(0, 0\)"),
    ({"axis": (0, 1, 1)}, r"got \(0, 1, 1\)"),
])
def test_norm_argument_errors(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        tf.norm(M, **kwargs)


def test_norm_gradient_at_zero_follows_tensorflow():
    # Recorded from TF 2.21: NaN for the Euclidean norm (and p-norms), 0 for ord 1 / inf.
    zero = [0.0, 0.0, 0.0]
    assert np.isnan(grad(tf.norm, zero)).all()
    np.testing.assert_array_equal(grad(lambda v: tf.norm(v, ord=1), zero), [0, 0, 0])
    np.testing.assert_array_equal(grad(lambda v: tf.norm(v, ord=np.inf), zero), [0, 0, 0])
    assert np.isnan(grad(lambda v: tf.norm(v, ord=3), [0.0, 0.0])).all()
    g = grad(lambda v: tf.norm(v, axis=1), [[0.0, 0.0], [3.0, 4.0]])
    assert np.isnan(g[0]).all()
    np.testing.assert_allclose(g[1], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(
        grad(lambda v: tf.norm(v, ord=2, axis=[0, 1]), [[0.0, 0.0], [0.0, 0.0]]), 0)


def test_norm_inf_ties_share_gradient():
    np.testing.assert_array_equal(grad(lambda v: tf.norm(v, ord=np.inf), [1.0, -3.0, 3.0]),
                                  [0.0, -0.5, 0.5])


# -- decompositions ----------------------------------------------------------------------

def test_det_inv_solve_hand_computed():
    assert float(tf.linalg.det(M)) == pytest.approx(-2.0)
    assert float(tf.linalg.det(tf.ones([0, 0]))) == 1.0
    np.testing.assert_allclose(tf.linalg.inv(M).numpy(), [[-2, 1], [1.5, -0.5]], rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.inv(M, adjoint=True).numpy(),
                               [[-2, 1.5], [1, -0.5]], rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.solve(M, [[1.0], [2.0]]).numpy(), [[0.0], [0.5]],
                               atol=1e-6)
    np.testing.assert_allclose(tf.linalg.solve(M, [[1.0], [2.0]], adjoint=True).numpy(),
                               [[1.0], [0.0]], atol=1e-6)
    sign, logabs = tf.linalg.slogdet(M)
    assert float(sign) == -1.0 and float(logabs) == pytest.approx(np.log(2.0))
    assert float(tf.linalg.logdet([[4.0, 2.0], [2.0, 3.0]])) == pytest.approx(np.log(8.0))


@pytest.mark.parametrize("fn,arg,msg", [
    (tf.linalg.inv, [[1.0, 2.0], [2.0, 4.0]], r"^Input is not invertible. \[Op:MatrixInverse\]"),
    (tf.linalg.inv, np.ones((2, 3), np.float32), r"Input matrix must be square."),
    (tf.linalg.det, np.ones((2, 3), np.float32),
     r"^Input matrix must be square. \[Op:MatrixDeterminant\]"),
    (tf.linalg.det, np.ones(2, np.float32), r"Input tensor 0 must have rank >= 2, got 1"),
    (tf.linalg.cholesky, np.ones((2, 3), np.float32), r"\[Op:Cholesky\]"),
    (tf.linalg.eigh, np.ones((2, 3), np.float32), r"\[Op:SelfAdjointEigV2\]"),
])
def test_decomposition_errors(fn, arg, msg):
    with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
        fn(arg)


def test_solve_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix is not invertible."):
        tf.linalg.solve([[1.0, 2.0], [2.0, 4.0]], [[1.0], [2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="All input tensors must have the same rank."):
        tf.linalg.solve(M, [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input matrix and rhs are incompatible."):
        tf.linalg.solve(M, tf.ones([3, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same outer dimensions"):
        tf.linalg.solve(tf.eye(2, batch_shape=[3]), tf.ones([1, 2, 1]))


def test_integer_inputs_are_rejected():
    i = tf.constant([[1, 2], [3, 4]])
    for fn in (tf.linalg.det, tf.linalg.inv, tf.linalg.cholesky, tf.linalg.svd,
               tf.linalg.eigh, tf.linalg.qr):
        with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
            fn(i)


def test_det_gradient_fails_on_singular_matrix_like_tensorflow():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input is not invertible"):
        grad(tf.linalg.det, [[1.0, 2.0], [2.0, 4.0]])


def test_cholesky_reads_lower_triangle_and_gives_nan_when_not_pd():
    out = tf.linalg.cholesky([[4.0, 100.0], [2.0, 3.0]]).numpy()
    np.testing.assert_allclose(out, [[2, 0], [1, np.sqrt(2)]], rtol=1e-6)
    bad = tf.linalg.cholesky(M).numpy()
    assert np.isnan(bad[[0, 1, 1], [0, 0, 1]]).all() and bad[0, 1] == 0


def test_cholesky_gradient_is_symmetrised_like_tensorflow():
    # Recorded from TF 2.21 (float64).
    g = grad(lambda v: tf.reduce_sum(tf.linalg.cholesky(v) * [[1.0, 0], [3.0, 2.0]]),
             [[4.0, 7.0], [1.0, 3.0]], tf.float64)
    np.testing.assert_allclose(g, [[0.10018892, 0.59924433], [0.59924433, 0.60302269]],
                               rtol=1e-6)


def test_eigh_gradient_is_lower_triangular_like_tensorflow():
    g = grad(lambda v: tf.reduce_sum(tf.linalg.eigh(v)[0] * [1.0, 2.0]),
             [[2.0, 7.0], [1.0, 3.0]], tf.float64)
    np.testing.assert_allclose(g, [[1.2763932, 0], [0.89442719, 1.7236068]], rtol=1e-6)


def test_qr_and_svd_structure():
    q, r = tf.linalg.qr([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert type(tf.linalg.qr(M)).__name__ == "Qr"
    np.testing.assert_allclose((q @ r).numpy(), [[1, 2], [3, 4], [5, 6]], rtol=1e-5)
    assert [t.shape for t in tf.linalg.qr(tf.ones([3, 2]), full_matrices=True)] == [[3, 3],
                                                                                    [3, 2]]
    assert [t.shape for t in tf.linalg.qr(tf.ones([2, 3]))] == [[2, 2], [2, 3]]
    out = tf.linalg.svd(tf.ones([4, 3]))
    assert type(out) is tuple and [t.shape for t in out] == [[3], [4, 3], [3, 3]]
    assert [t.shape for t in tf.linalg.svd(tf.ones([4, 3]), full_matrices=True)] == \
        [[3], [4, 4], [3, 3]]
    s, u, v = tf.linalg.svd([[3.0, 0.0], [0.0, -2.0]])
    np.testing.assert_allclose(s.numpy(), [3.0, 2.0])
    np.testing.assert_allclose(tf.matmul(u * s, v, adjoint_b=True).numpy(),
                               [[3, 0], [0, -2]], atol=1e-6)
    np.testing.assert_allclose(tf.linalg.svd(M, compute_uv=False).numpy(),
                               [5.4649857, 0.36596619], rtol=1e-6)
    assert [t.shape for t in tf.linalg.svd(tf.ones([0, 3]))] == [[0], [0, 0], [3, 0]]


def test_qr_full_tall_gradient_not_implemented_like_tensorflow():
    with pytest.raises(NotImplementedError, match="QrGrad not implemented when nrows > ncols"):
        grad(lambda v: tf.reduce_sum(tf.linalg.qr(v, full_matrices=True)[1]),
             [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])


def test_eigh_and_lu():
    e, v = tf.linalg.eigh([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(e.numpy(), [1.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(np.abs(v.numpy()), np.full((2, 2), np.sqrt(0.5)), rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.eigvalsh([[2.0, 100.0], [1.0, 2.0]]).numpy(),
                               [1.0, 3.0], rtol=1e-6)
    lu, p = tf.linalg.lu(M)
    np.testing.assert_allclose(lu.numpy(), [[3, 4], [1 / 3, 2 / 3]], rtol=1e-6)
    assert p.dtype == tf.int32 and p.numpy().tolist() == [1, 0]


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), batch=st.integers(1, 3), seed=st.integers(0, 1000))
def test_decompositions_reconstruct_input(n, batch, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((batch, n, n)) + 3 * n * np.eye(n)
    np.testing.assert_allclose(tf.linalg.det(a).numpy(), np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose((tf.linalg.inv(a) @ a).numpy(), np.broadcast_to(np.eye(n), a.shape),
                               atol=1e-10)
    spd = a @ np.swapaxes(a, -1, -2)
    chol = tf.linalg.cholesky(spd)
    np.testing.assert_allclose(tf.matmul(chol, chol, adjoint_b=True).numpy(), spd, rtol=1e-9)
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(tf.matmul(u * s[:, None, :], v, adjoint_b=True).numpy(), a,
                               atol=1e-9)


# -- shape and dtype rules ---------------------------------------------------------------

def test_shape_and_dtype_rules_match_eager_results():
    from tapeflow._src.ops.registry import REGISTRY
    from tests.ops.specs_linalg import SPECS
    checked = set()
    for spec in SPECS:
        xs = [tf.constant(a) for a in spec.arrays()]
        with tf.GradientTape(persistent=True) as tape:
            for x in xs:
                tape.watch(x)
            spec.fn(*xs, **spec.kwargs)
        for rec in tape._records:
            prim = REGISTRY[rec.type]
            if not prim.forward.__module__.startswith("tapeflow._src.ops.linalg"):
                continue
            shapes = [tuple(t.shape) for t in rec.inputs]
            want = prim.shape_rule(*shapes, **rec.attrs)
            got = [tuple(o.shape) for o in rec.outputs]
            assert (list(map(tuple, want)) if prim.multi_output else [tuple(want)]) == got, \
                rec.type
            assert prim.dtype_rule(*[t.dtype for t in rec.inputs], **rec.attrs) == \
                rec.outputs[0].dtype, rec.type
            checked.add(rec.type)
    assert {"MatMul", "BatchMatMulV2", "Einsum", "Svd", "Qr", "SelfAdjointEigV2", "Cholesky",
            "MatrixSolve", "MatrixDiagV3", "MatrixDiagPartV3", "MatrixBandPart"} <= checked


# -- triangular_solve and composites -------------------------------------------------------

def test_triangular_solve_reads_one_triangle():
    np.testing.assert_allclose(
        tf.linalg.triangular_solve([[2.0, 100.0], [1.0, 4.0]], [[2.0], [9.0]]).numpy(),
        [[1.0], [2.0]])
    np.testing.assert_allclose(
        tf.linalg.triangular_solve([[2.0, 1.0], [100.0, 4.0]], [[2.0], [9.0]],
                                   lower=False).numpy(), [[-0.125], [2.25]])
    np.testing.assert_allclose(
        tf.linalg.triangular_solve([[2.0, 0.0], [1.0, 4.0]], [[2.0], [9.0]],
                                   adjoint=True).numpy(), [[-0.125], [2.25]])
    assert tf.linalg.triangular_solve(tf.eye(2, batch_shape=[3]), tf.ones([2, 1])).shape == \
        [3, 2, 1]


def test_triangular_solve_zero_pivot_gives_inf_and_gradient_is_triangular():
    out = tf.linalg.triangular_solve([[0.0, 0.0], [1.0, 4.0]], [[2.0], [9.0]]).numpy()
    assert out[0, 0] == np.inf and out[1, 0] == -np.inf
    # Recorded from TF 2.21 (float64).
    rhs = tf.constant([[2.0], [9.0]], tf.float64)
    g = grad(lambda a: tf.reduce_sum(tf.sin(tf.linalg.triangular_solve(a, rhs))),
             [[2.0, 7.0], [1.0, 4.0]], tf.float64)
    np.testing.assert_allclose(g, [[-0.32216951, 0.0], [0.10403671, 0.20807342]], rtol=1e-6)


def test_linalg_composites_hand_computed():
    c = tf.linalg.cholesky([[4.0, 2.0], [2.0, 3.0]])
    np.testing.assert_allclose(tf.linalg.cholesky_solve(c, [[1.0], [2.0]]).numpy(),
                               [[-0.125], [0.75]], rtol=1e-5)
    np.testing.assert_array_equal(tf.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).numpy(),
                                  [0.0, 0.0, 1.0])
    with pytest.raises(tf.errors.FailedPreconditionError, match="only defined for 3-element"):
        tf.linalg.cross([1.0, 0.0], [0.0, 1.0])
    np.testing.assert_allclose(tf.linalg.pinv([[1.0, 2.0], [2.0, 4.0]]).numpy(),
                               [[0.04, 0.08], [0.08, 0.16]], rtol=1e-5)
    assert int(tf.linalg.matrix_rank([[1.0, 2.0], [2.0, 4.0]])) == 1
    unit, n = tf.linalg.normalize([3.0, 4.0])
    np.testing.assert_allclose(unit.numpy(), [0.6, 0.8], rtol=1e-6)
    assert n.shape == [1] and float(n[0]) == 5.0
    assert float(tf.linalg.global_norm([tf.constant([3.0]), None, tf.constant([4.0])])) == 5.0


@pytest.mark.parametrize("module", ["linalg_ops", "linalg_decomp", "linalg_norm",
                                    "linalg_extra", "random_ops", "string_ops"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"tapeflow._src.ops.{module}")
    tf.random.set_seed(None)
    result = doctest.testmod(mod, extraglobs={"tf": tf},
                             optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    tf.random.set_seed(None)
    assert result.attempted > 0 and result.failed == 0

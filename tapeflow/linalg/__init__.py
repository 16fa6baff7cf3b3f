"""`tf.linalg`: matrix ops (re-exports only)."""

from tapeflow._src.ops.array_ops import eye
from tapeflow._src.ops.linalg_decomp import (
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    logdet,
    lu,
    qr,
    slogdet,
    solve,
    svd,
)
from tapeflow._src.ops.linalg_extra import (
    cholesky_solve,
    cross,
    global_norm,
    matrix_rank,
    normalize,
    pinv,
    triangular_solve,
)
from tapeflow._src.ops.linalg_norm import norm
from tapeflow._src.ops.linalg_ops import (
    adjoint,
    band_part,
    diag,
    diag_part,
    einsum,
    matmul,
    matrix_transpose,
    matvec,
    set_diag,
    tensor_diag,
    tensordot,
    trace,
)

transpose = matrix_transpose

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.linalg", __name__)

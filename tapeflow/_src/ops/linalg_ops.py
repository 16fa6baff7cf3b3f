"""Linear algebra products and matrix structure: matmul, matvec, tensordot, einsum,
matrix transpose, diagonals, band parts and trace.

Decompositions (det, inv, solve, cholesky, qr, svd, eigh, ...) live in linalg_decomp.py and
norms in linalg_norm.py.
"""

from __future__ import annotations

import re
import string

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError, NotFoundError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, dtype_mismatch, to_tensor
from tapeflow._src.ops.registry import primitive

D = dtypes
_T = Tensor
# TensorFlow registers CPU kernels for fewer types than the op definitions allow: the
# unsigned types pass the attr check and then fail with NotFoundError (no kernel).
_NO_KERNEL = {D.uint8, D.uint16, D.uint32, D.uint64}
_MATMUL_TYPES = D.INEXACT | {D.int32, D.int64} | _NO_KERNEL
_BATCH_MATMUL_TYPES = _MATMUL_TYPES | {D.int16}
_FAST_NP = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64))


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# ---------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------

def _matmul_rule(a, b, *, ta, tb):
    m = a[-1] if ta else a[-2]
    n = b[-2] if tb else b[-1]
    return rules.broadcast(a[:-2], b[:-2]) + (m, n)


def _no_kernel(op, dtype, attrs):
    return NotFoundError(None, None, (
        f"Could not find device for node: {{{{node {op}}}}} = {op}[T=DT_"
        f"{dtypes.tf_name(dtype).upper()}, {attrs}]\nAll kernels registered for op {op}:\n"
        f"  device='CPU'; T in [DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64, "
        f"DT_COMPLEX64, DT_COMPLEX128] [Op:{op}] name: "))


def _size_error(a, b, ta, tb):
    extra = "" if a.ndim == 2 and b.ndim == 2 else f" {int(ta)} {int(tb)}"
    return ValueError(f"Matrix size-incompatible: In[0]: {_dims(a.shape)}, "
                      f"In[1]: {_dims(b.shape)}{extra}")


def _matmul_forward(a, b, *, ta, tb):
    # The swapaxes method: a view like np.swapaxes, without its Python wrapper.
    a2 = a.swapaxes(-1, -2) if ta else a
    b2 = b.swapaxes(-1, -2) if tb else b
    if a2.shape[-1] != b2.shape[-2]:
        raise _size_error(a, b, ta, tb)
    return np.matmul(a2, b2)


@primitive("MatMul", shape=_matmul_rule, dtype=rules.same_as_input, allowed=_MATMUL_TYPES)
def _matmul(a, b, *, ta, tb):
    # _matmul_forward inlined: every dense layer calls this twice per training step.
    a2 = a.swapaxes(-1, -2) if ta else a
    b2 = b.swapaxes(-1, -2) if tb else b
    if a2.shape[-1] != b2.shape[-2]:
        raise _size_error(a, b, ta, tb)
    return np.matmul(a2, b2)


@primitive("BatchMatMulV2", shape=_matmul_rule, dtype=rules.same_as_input,
           allowed=_BATCH_MATMUL_TYPES)
def _batch_matmul(a, b, *, ta, tb):
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"In[0] and In[1] must have compatible batch dimensions: "
                         f"{_dims(a.shape)} vs. {_dims(b.shape)}") from None
    return _matmul_forward(a, b, ta=ta, tb=tb)


def _mm(a, b, ta=False, tb=False):
    """The matmul primitive TensorFlow would pick for these ranks (used by gradients)."""
    if a._value.ndim == 2 and b._value.ndim == 2:
        return _matmul(a, b, ta=ta, tb=tb)
    return _batch_matmul(a, b, ta=ta, tb=tb)


def _matmul_grad(op, dy):
    a, b = op.inputs
    ta, tb = op.attrs["ta"], op.attrs["tb"]
    if a._value.dtype.kind == "c":
        from tapeflow._src.ops.math_ops import conj
        a, b = conj(a), conj(b)
    # dA = dy @ B^T and dB = A^T @ dy, written out for each transpose combination; an input
    # the backward pass does not need (op.needs) is skipped.
    need_a, need_b = op.needs or (True, True)
    if not ta and not tb:
        da = _mm(dy, b, False, True) if need_a else None
        db = _mm(a, dy, True, False) if need_b else None
    elif not ta and tb:
        da = _mm(dy, b, False, False) if need_a else None
        db = _mm(dy, a, True, False) if need_b else None
    elif ta and not tb:
        da = _mm(b, dy, False, True) if need_a else None
        db = _mm(a, dy, False, False) if need_b else None
    else:
        da = _mm(b, dy, True, True) if need_a else None
        db = _mm(dy, a, True, True) if need_b else None
    return da, db


_matmul.grad(_matmul_grad)
_batch_matmul.grad(_matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False,
           grad_b=False, name=None):
    """Matrix product of the last two dimensions, batched over the leading ones.

    Rank-2 operands use TensorFlow's `MatMul` op, anything of higher rank `BatchMatMulV2`
    (whose batch dimensions broadcast); error messages name the op accordingly.

    Args:
      a: A tensor of rank >= 2.
      b: A tensor of rank >= 2 with the same dtype as `a`.
      transpose_a: Transpose the last two dimensions of `a` first.
      transpose_b: Transpose the last two dimensions of `b` first.
      adjoint_a: Conjugate-transpose `a` first.
      adjoint_b: Conjugate-transpose `b` first.
      a_is_sparse: Unused hint.
      b_is_sparse: Unused hint.
      output_type: Only for (u)int8 inputs: int32 accumulates in int32.
      grad_a: Unused hint.
      grad_b: Unused hint.
      name: Unused; kept for API compatibility.

    Returns:
      A tensor of shape batch + [rows of a, columns of b].

    Raises:
      InvalidArgumentError: for rank < 2, mismatched inner dimensions or dtypes.
      ValueError: if both transpose and adjoint are set for one operand.

    >>> tf.matmul([[1., 2.]], [[3.], [4.]]).numpy()
    array([[11.]], dtype=float32)
    """
    # Fast path (Dense layers): two rank-2 tensors of one float dtype, no flags. A Variable
    # operand is read here exactly as the conversion below would read it.
    if type(b) is Variable and type(a) is _T:
        b = b._read()
    if (type(a) is _T and type(b) is _T and a._value.dtype is b._value.dtype
            and a._value.ndim == 2 and b._value.ndim == 2 and a._value.dtype in _FAST_NP
            and not (transpose_a or transpose_b or adjoint_a or adjoint_b or output_type)):
        return _matmul(a, b, ta=False, tb=False)
    if transpose_a and adjoint_a:
        raise ValueError("Only one of `transpose_a` and `adjoint_a` can be True. Received "
                         f"`transpose_a`={transpose_a}, `adjoint_a`={adjoint_a}.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of `transpose_b` and `adjoint_b` can be True. Received "
                         f"`transpose_b`={transpose_b}, `adjoint_b`={adjoint_b}.")
    if not (type(a) is _T and type(b) is _T and a._value.dtype is b._value.dtype):
        try:
            a, b = binary_args(a, b, "MatMul")
        except InvalidArgumentError:
            if np.ndim(a) > 2 or np.ndim(b) > 2:
                a, b = to_tensor(a), to_tensor(b)
                raise dtype_mismatch("BatchMatMulV2", a.dtype, b.dtype) from None
            raise
    ra, rb = a._value.ndim, b._value.ndim
    batched = ra > 2 or rb > 2
    if output_type is not None:
        output_type = dtypes.as_dtype(output_type)
        if output_type != a.dtype:
            if a.dtype in (D.int8, D.uint8) and output_type == D.int32:
                from tapeflow._src.ops.math_ops import cast
                a, b = cast(a, D.int32), cast(b, D.int32)
            else:
                raise NotImplementedError(
                    f"matmul output_type={output_type.name} for {a.dtype.name} inputs: only "
                    "(u)int8 inputs with an int32 output are supported.")
    if ra < 2 or rb < 2:
        which = 0 if ra < 2 else 1
        if batched:
            raise InvalidArgumentError(None, None, f"In[{which}] ndims must be >= 2: "
                                       f"{min(ra, rb)} [Op:BatchMatMulV2] name: ")
        raise InvalidArgumentError(None, None,
                                   f"In[{which}] ndims must be >= 2 [Op:MatMul] name: ")
    if adjoint_a or adjoint_b:
        from tapeflow._src.ops.math_ops import conj
        if adjoint_a and a._value.dtype.kind == "c":
            a = conj(a)
        if adjoint_b and b._value.dtype.kind == "c":
            b = conj(b)
    ta = bool(transpose_a or adjoint_a)
    tb = bool(transpose_b or adjoint_b)
    prim = _batch_matmul if batched else _matmul
    if a.dtype in _NO_KERNEL:
        t_a, t_b = str(ta).lower(), str(tb).lower()
        attrs = (f"adj_x={t_a}, adj_y={t_b}, grad_x=false, grad_y=false" if batched else
                 f"grad_a=false, grad_b=false, transpose_a={t_a}, transpose_b={t_b}")
        raise _no_kernel(prim.name, a.dtype, attrs)
    return prim(a, b, ta=ta, tb=tb)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Matrix-vector product `a @ b` over the last dimensions, batched.

    Args:
      a: A tensor of rank >= 2 (a batch of matrices).
      b: A tensor of rank >= 1 (a batch of vectors).
      transpose_a: Transpose the matrices first.
      adjoint_a: Conjugate-transpose the matrices first.
      a_is_sparse: Unused hint.
      b_is_sparse: Unused hint.
      name: Unused; kept for API compatibility.

    Returns:
      A tensor of shape batch + [rows of a].

    >>> tf.linalg.matvec([[1., 2.], [3., 4.]], [1., 1.]).numpy()
    array([3., 7.], dtype=float32)
    """
    from tapeflow._src.ops.array_ops import expand_dims, squeeze
    a, b = binary_args(a, b, "MatMul")
    out = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return squeeze(out, -1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two dimensions of `a` (conjugating too when `conjugate`).

    >>> tf.linalg.matrix_transpose(tf.ones([2, 3, 4])).shape
    TensorShape([2, 4, 3])
    """
    from tapeflow._src.ops.array_ops import transpose
    x = to_tensor(a)
    r = x._value.ndim
    if r < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {x._value} with shape: {x._value.shape}")
    perm = list(range(r - 2)) + [r - 1, r - 2]
    return transpose(x, perm=perm, conjugate=conjugate)


def adjoint(matrix, name=None):
    """The conjugate transpose of the last two dimensions.

    >>> tf.linalg.adjoint([[1., 2.]]).shape
    TensorShape([2, 1])
    """
    return matrix_transpose(matrix, conjugate=True)


def _mT(x):
    """Transpose of the last two dimensions, for gradient rules."""
    from tapeflow._src.ops.array_ops import _transpose
    r = x._value.ndim
    return _transpose(x, perm=tuple(range(r - 2)) + (r - 1, r - 2))


def _mH(x):
    """Conjugate transpose of the last two dimensions, for gradient rules."""
    if x._value.dtype.kind == "c":
        from tapeflow._src.ops.math_ops import conj
        x = conj(x)
    return _mT(x)


# ---------------------------------------------------------------------------------------
# tensordot
# ---------------------------------------------------------------------------------------

def _tensordot_axes(axes, ra, rb, a, b):
    if not isinstance(axes, (int, np.integer, list, tuple)):
        axes = np.asarray(axes).tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {n}.")
        if n > ra or n > rb:
            which, r = (a, ra) if n > ra else (b, rb)
            raise ValueError(f"`axes` must not be larger than the number of dimensions of "
                             f"tensor {which._value}.  Received {n}, vs tensor dimensions "
                             f"{r}.")
        return list(range(ra - n, ra)), list(range(n))
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = axes
    if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
        a_axes, b_axes = [a_axes], [b_axes]
    a_axes, b_axes = [int(i) for i in a_axes], [int(i) for i in b_axes]
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes `a` and `b`, "
                         f"{len(a_axes)} != {len(b_axes)}.")
    return [i % ra for i in a_axes], [i % rb for i in b_axes]


def tensordot(a, b, axes, name=None):
    """Sums the product of `a` and `b` over the given axes.

    Args:
      a: A tensor.
      b: A tensor of the same dtype.
      axes: An int N (the last N axes of `a` against the first N of `b`), or a pair of
        axis lists `[a_axes, b_axes]` of equal length.
      name: Unused; kept for API compatibility.

    Returns:
      A tensor with the free axes of `a` followed by the free axes of `b`.

    >>> tf.tensordot(tf.ones([2, 3]), tf.ones([3, 4]), 1).shape
    TensorShape([2, 4])
    """
    from tapeflow._src.ops.array_ops import reshape, transpose
    a, b = binary_args(a, b, "MatMul")
    sa, sb = a._value.shape, b._value.shape
    a_axes, b_axes = _tensordot_axes(axes, len(sa), len(sb), a, b)
    a_free = [i for i in range(len(sa)) if i not in a_axes]
    b_free = [i for i in range(len(sb)) if i not in b_axes]
    k_a = int(np.prod([sa[i] for i in a_axes], dtype=np.int64))
    k_b = int(np.prod([sb[i] for i in b_axes], dtype=np.int64))
    m = int(np.prod([sa[i] for i in a_free], dtype=np.int64))
    n = int(np.prod([sb[i] for i in b_free], dtype=np.int64))
    a2 = a if a_free + a_axes == list(range(len(sa))) else transpose(a, a_free + a_axes)
    b2 = b if b_axes + b_free == list(range(len(sb))) else transpose(b, b_axes + b_free)
    prod = matmul(reshape(a2, [m, k_a]), reshape(b2, [k_b, n]))
    return reshape(prod, [sa[i] for i in a_free] + [sb[i] for i in b_free])


# ---------------------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------------------

_EINSUM_TYPES = D.INEXACT | {D.int32, D.int64}


_EQUATION = re.compile(r"^([a-zA-Z,.]+)(->[a-zA-Z.]*)?$")


def _parse_equation(equation, n_inputs):
    """`equation` without spaces and with an explicit output, plus its input terms.

    Without '->' the output is the labels used once, sorted, and (unlike NumPy) no
    ellipsis: TensorFlow then rejects inputs whose '...' covers any dimension.
    """
    eq = equation.replace(" ", "")
    if not _EQUATION.match(eq):
        raise ValueError(f"Subscripts have incorrect format: {eq}")
    if "->" in eq:
        lhs, out = eq.split("->")
        plain = out.replace("...", "")
        if len(set(plain)) != len(plain):
            raise ValueError(f"Output subscripts contain a label appearing more than once: "
                             f"{eq}")
    else:
        lhs = eq
        labels = lhs.replace("...", "").replace(",", "")
        out = "".join(sorted(c for c in set(labels) if labels.count(c) == 1))
    terms = lhs.split(",")
    if len(terms) != n_inputs:
        raise ValueError(f'Got {n_inputs} inputs for equation "{equation}", expecting '
                         f'{len(terms)}')
    seen = set("".join(terms))
    for c in out.replace("...", ""):
        if c not in seen:
            raise ValueError(f"Output subscripts contain the label {c} not present in the "
                             "input subscripts.")
    return terms, out


def _einsum_check(terms, out, shapes):
    """TensorFlow's rank and per-label dimension checks (named labels never broadcast)."""
    sizes = {}
    n_broadcast = 0
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        if "..." in term:
            if len(shape) < named:
                raise ValueError(f"Expected input {i} to have rank at least {named} but got: "
                                 f"{len(shape)}")
            left, right = term.split("...")
            n_ell = len(shape) - named
            n_broadcast = max(n_broadcast, n_ell)
            labels = list(left) + [None] * n_ell + list(right)
        else:
            if len(shape) != named:
                raise ValueError(f"Expected input {i} to have rank {named} but got: "
                                 f"{len(shape)}")
            labels = list(term)
        for axis, (c, d) in enumerate(zip(labels, shape)):
            if c is None:
                continue
            if c in sizes and sizes[c] != d:
                raise ValueError(f"Expected dimension {sizes[c]} at axis {axis} of the input "
                                 f"shaped {_dims(shape)} but got dimension {d}")
            sizes.setdefault(c, d)
    if n_broadcast and "..." not in out:
        raise ValueError(f"Output contains {n_broadcast} broadcasting dimension(s) but no "
                         "ellipsis (...) was found in the output subscripts.")
    return sizes


def _einsum_rule(*shapes, equation):
    lhs, out = equation.split("->")
    terms = lhs.split(",")
    sizes = {}
    ell = ()
    for term, shape in zip(terms, shapes):
        if "..." in term:
            left, right = term.split("...")
            n_ell = len(shape) - len(left) - len(right)
            sub = shape[len(left):len(left) + n_ell]
            ell = rules.broadcast(ell, sub)
            shape = shape[:len(left)] + shape[len(left) + n_ell:]
            term = left + right
        for c, d in zip(term, shape):
            if sizes.get(c) is None:
                sizes[c] = d
    result = []
    for part in out.split("...")[0]:
        result.append(sizes[part])
    if "..." in out:
        result.extend(ell)
        result.extend(sizes[c] for c in out.split("...")[1])
    return tuple(result)


@primitive("Einsum", shape=_einsum_rule, dtype=rules.same_as_input, allowed=_EINSUM_TYPES)
def _einsum(*xs, equation):
    lhs, out = equation.split("->")
    _einsum_check(lhs.split(","), out, [x.shape for x in xs])
    if len(xs) > 1 and sum(x.size for x in xs) > _EINSUM_OPTIMIZE_SIZE:
        # Contraction paths through BLAS: ~10x faster on layer-sized operands; the path
        # search (~10 us) only pays off beyond small ones.
        return np.einsum(equation, *xs, optimize=True)
    return np.einsum(equation, *xs)


_EINSUM_OPTIMIZE_SIZE = 4096


@_einsum.grad
def _einsum_grad(op, dy):
    from tapeflow._src.ops.array_ops import ones, eye
    lhs, out = op.attrs["equation"].split("->")
    terms = lhs.split(",")
    xs = op.inputs
    used = set(op.attrs["equation"])
    fresh = iter(c for c in string.ascii_letters if c not in used)
    grads = []
    for k, term in enumerate(terms):
        if xs[k]._value.dtype.kind not in "fc":
            grads.append(None)
            continue
        others = [(t, x) for j, (t, x) in enumerate(zip(terms, xs)) if j != k]
        operands = [dy] + [_conj_if_complex(x) for _, x in others]
        subs = [out] + [t for t, _ in others]
        elsewhere = set(out + "".join(t for t, _ in others))
        # A label summed only inside this input comes back by broadcasting (ones), and a
        # repeated label (a diagonal, as in 'ii') by multiplying with an identity.
        result, seen = [], set()
        labels = term.replace("...", "\0")
        sizes = _label_sizes(term, xs[k]._value.shape)
        for c in labels:
            if c == "\0":
                result.append("...")
                continue
            if c in seen:
                new = next(fresh)
                operands.append(eye(sizes[c], dtype=dy.dtype))
                subs.append(c + new)
                result.append(new)
                continue
            seen.add(c)
            result.append(c)
            if c not in elsewhere:
                operands.append(ones([sizes[c]], dtype=dy.dtype))
                subs.append(c)
        if "..." not in result and any("..." in t for t in subs):
            # This input has no broadcast dims but the others do: they are summed over, so
            # they get explicit labels (einsum will not drop an ellipsis from its output).
            subs = _spell_out_ellipsis(subs, operands, fresh)
        grads.append(_einsum(*operands, equation=",".join(subs) + "->" + "".join(result)))
    return tuple(grads)


def _spell_out_ellipsis(subs, operands, fresh):
    """`subs` with each '...' replaced by labels for the broadcast dims it stands for (the
    last ones of a shared list, as broadcasting aligns dims from the right)."""
    counts = [len(t._value.shape) - len(s.replace("...", "")) if "..." in s else 0
              for s, t in zip(subs, operands)]
    labels = [next(fresh) for _ in range(max(counts))]
    return [s.replace("...", "".join(labels[len(labels) - n:]) if n else "")
            for s, n in zip(subs, counts)]


def _conj_if_complex(x):
    if x._value.dtype.kind == "c":
        from tapeflow._src.ops.math_ops import conj
        return conj(x)
    return x


def _label_sizes(term, shape):
    if "..." in term:
        left, right = term.split("...")
        shape = shape[:len(left)] + (shape[len(shape) - len(right):] if right else ())
        term = left + right
    return dict(zip(term, shape))


def einsum(equation, *inputs, **kwargs):
    """Tensor contraction described by an Einstein summation equation.

    Args:
      equation: Subscripts such as `'ij,jk->ik'`; `...` stands for broadcast batch
        dimensions, and without `->` the output is the labels used once, sorted.
      *inputs: Tensors of one dtype, one per comma-separated term.
      **kwargs: `name` (unused) and `optimize` (ignored).

    Returns:
      The contracted tensor.

    Raises:
      ValueError: for a malformed equation or the wrong number of inputs.
      InvalidArgumentError: when a label has different sizes in different places.

    >>> tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4])).shape
    TensorShape([2, 4])
    """
    unknown = set(kwargs) - {"name", "optimize"}
    if unknown:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(sorted(unknown))}")
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    xs = [to_tensor(inputs[0])] if inputs else []
    for i, x in enumerate(inputs[1:], start=1):
        t = convert_to_tensor(x, dtype_hint=xs[0].dtype)
        if t._value.dtype != xs[0]._value.dtype:
            raise dtype_mismatch("Einsum", xs[0].dtype, t.dtype, index=i)
        xs.append(t)
    terms, out = _parse_equation(equation, len(xs))
    eq = ",".join(terms) + "->" + out
    if xs and xs[0].dtype not in _EINSUM_TYPES:
        raise NotFoundError(None, None, (
            f"Could not find device for node: {{{{node Einsum}}}} = Einsum[N={len(xs)}, T=DT_"
            f"{dtypes.tf_name(xs[0].dtype).upper()}, equation=\"{eq}\"] [Op:Einsum] name: "))
    return _einsum(*xs, equation=eq)


# ---------------------------------------------------------------------------------------
# Diagonals, band parts and trace
# ---------------------------------------------------------------------------------------

def _diag_len(rows, cols, k):
    return max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols))


def _diag_index(rows, cols, k):
    n = _diag_len(rows, cols, k)
    i = np.arange(n)
    return (i, i + k) if k >= 0 else (i - k, i)


def _diag_rule(d, *, k, num_rows, num_cols, padding_value):
    return d[:-1] + (num_rows, num_cols)


@primitive("MatrixDiagV3", shape=_diag_rule, dtype=rules.same_as_input)
def _matrix_diag(d, *, k, num_rows, num_cols, padding_value):
    if d.ndim < 1:
        raise InvalidArgumentError(None, None, f"diagonal must be at least 1-dim, received "
                                   f"shape: {_dims(d.shape)} [Op:MatrixDiagV3] name: diag")
    out = np.full(d.shape[:-1] + (num_rows, num_cols), padding_value, dtype=d.dtype)
    r, c = _diag_index(num_rows, num_cols, k)
    out[..., r, c] = d[..., :len(r)]
    return out


@_matrix_diag.grad
def _matrix_diag_grad(op, dy):
    return _matrix_diag_part(dy, k=op.attrs["k"], padding_value=0)


def _diag_part_rule(x, *, k, padding_value):
    rows, cols = x[-2], x[-1]
    n = None if rows is None or cols is None else _diag_len(rows, cols, k)
    return x[:-2] + (n,)


@primitive("MatrixDiagPartV3", shape=_diag_part_rule, dtype=rules.same_as_input)
def _matrix_diag_part(x, *, k, padding_value):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received "
                                   f"shape: {_dims(x.shape)} [Op:MatrixDiagPartV3] "
                                   f"name: diag_part")
    r, c = _diag_index(x.shape[-2], x.shape[-1], k)
    return x[..., r, c]


@_matrix_diag_part.grad
def _matrix_diag_part_grad(op, dy):
    x, = op.inputs
    rows, cols = x._value.shape[-2:]
    return _matrix_diag(dy, k=op.attrs["k"], num_rows=rows, num_cols=cols, padding_value=0)


def _static_int(v):
    return int(np.asarray(v._value if isinstance(v, Tensor) else v))


def _check_k(k):
    if isinstance(k, (list, tuple)) or np.ndim(k) > 0:
        raise NotImplementedError("tapeflow's matrix diagonal ops take a single diagonal "
                                  "offset k; a band of diagonals (k as a pair) is not "
                                  "implemented.")
    return _static_int(k)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """A (batch of) matrix with `diagonal` on its k-th diagonal and padding elsewhere.

    Args:
      diagonal: A tensor of rank >= 1; the last dimension is the diagonal.
      name: Unused; kept for API compatibility.
      k: The diagonal offset (0 main, > 0 above, < 0 below).
      num_rows: Rows of the result; -1 infers a square matrix.
      num_cols: Columns of the result; -1 infers a square matrix.
      padding_value: The value off the diagonal.
      align: Unused for a single diagonal.

    Returns:
      A tensor of shape `diagonal.shape[:-1] + [num_rows, num_cols]`.

    >>> tf.linalg.diag([1., 2.]).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    """
    d = to_tensor(diagonal)
    k = _check_k(k)
    num_rows, num_cols = _static_int(num_rows), _static_int(num_cols)
    n = d._value.shape[-1] if d._value.ndim else 0
    if num_rows < 0 and num_cols < 0:
        num_rows = num_cols = n + abs(k)
    elif num_rows < 0:  # the smallest size that fits, as TensorFlow infers it
        num_rows = n + max(-k, 0)
    elif num_cols < 0:
        num_cols = n + max(k, 0)
    if d._value.ndim and _diag_len(num_rows, num_cols, k) != n:
        raise InvalidArgumentError(None, None, (
            "The number of rows or columns is not consistent with the specified d_lower, "
            "d_upper, and diagonal. [Op:MatrixDiagV3]"))
    pad = np.asarray(padding_value).astype(d._value.dtype)[()]
    return _matrix_diag(d, k=k, num_rows=num_rows, num_cols=num_cols, padding_value=pad)


def diag_part(input, name="diag_part", k=0, padding_value=0,  # noqa: A002
              align="RIGHT_LEFT"):
    """The k-th diagonal of each matrix in `input` (a tensor of rank >= 2).

    >>> tf.linalg.diag_part([[1., 2.], [3., 4.]]).numpy()
    array([1., 4.], dtype=float32)
    """
    x = to_tensor(input)
    return _matrix_diag_part(x, k=_check_k(k), padding_value=0)


@primitive("MatrixSetDiagV3", shape=rules.same_as_input, dtype=rules.same_as_input)
def _matrix_set_diag(x, d, *, k):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received "
                                   f"shape: {_dims(x.shape)} [Op:MatrixSetDiagV3] "
                                   f"name: set_diag")
    r, c = _diag_index(x.shape[-2], x.shape[-1], k)
    if d.shape != x.shape[:-2] + (len(r),):
        raise InvalidArgumentError(None, None, (
            f"diagonal must have shape {_dims(x.shape[:-2] + (len(r),))}, received "
            f"{_dims(d.shape)} [Op:MatrixSetDiagV3] name: set_diag"))
    out = x.copy()
    out[..., r, c] = d
    return out


@_matrix_set_diag.grad
def _matrix_set_diag_grad(op, dy):
    from tapeflow._src.ops.array_ops import zeros_like
    k = op.attrs["k"]
    part = _matrix_diag_part(dy, k=k, padding_value=0)
    return _matrix_set_diag(dy, zeros_like(part), k=k), part


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """`input` with its k-th diagonal replaced by `diagonal`.

    >>> tf.linalg.set_diag(tf.zeros([2, 2]), [1., 2.]).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    """
    x = to_tensor(input)
    return _matrix_set_diag(x, to_tensor(diagonal, dtype=x.dtype), k=_check_k(k))


def tensor_diag(diagonal, name=None):
    """A square matrix with the rank-1 `diagonal` on its main diagonal (`tf.linalg.tensor_diag`)."""
    d = to_tensor(diagonal)
    if d._value.ndim != 1:
        raise NotImplementedError("tf.linalg.tensor_diag is implemented for rank-1 inputs only.")
    return diag(d)


def trace(x, name=None):
    """The sum of the main diagonal of each matrix in `x`.

    >>> float(tf.linalg.trace([[1., 2.], [3., 4.]]))
    5.0
    """
    from tapeflow._src.ops.reduction_ops import reduce_sum
    return reduce_sum(diag_part(x), axis=-1)


@primitive("MatrixBandPart", shape=rules.same_as_input, dtype=rules.same_as_input)
def _band_part(x, *, lower, upper):
    if x.ndim < 2:
        raise ValueError(f"input must be at least 2-dim, received shape: {_dims(x.shape)}")
    rows, cols = x.shape[-2:]
    if lower > rows:
        raise ValueError(f"num_lower must be negative or less or equal to number of rows "
                         f"({rows}) got: {lower}")
    if upper > cols:
        raise ValueError(f"num_upper must be negative or less or equal to number of columns "
                         f"({cols}) got: {upper}")
    i = np.arange(rows)[:, None]
    j = np.arange(cols)[None, :]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return np.where(keep, x, np.zeros((), x.dtype))


@_band_part.grad
def _band_part_grad(op, dy):
    return _band_part(dy, **op.attrs)


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keeps `num_lower` sub-diagonals and `num_upper` super-diagonals (negative: all).

    >>> tf.linalg.band_part(tf.ones([3, 3]), 0, 0).numpy()
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    return _band_part(to_tensor(input), lower=_static_int(num_lower),
                      upper=_static_int(num_upper))

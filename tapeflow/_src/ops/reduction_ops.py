"""Reductions (reduce_sum, reduce_mean, ..., reduce_logsumexp, reduce_std) and
arg-reductions (argmax, argmin), plus count_nonzero."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import _TENSORISH, dtype_mismatch, to_tensor
from tapeflow._src.ops.array_ops import _broadcast_to, _reshape, reshape
from tapeflow._src.ops.math_ops import _real_div, cast, equal
from tapeflow._src.ops.registry import primitive

D = dtypes
NUMERIC = D.NUMERIC
REAL = D.FLOATING | D.INTEGER


def normalize_axes(axis, rank, op_name):
    """`axis` (int, list, tuple, Tensor or None) as a sorted tuple of axes in [0, rank).

    Out-of-range and repeated axes raise TensorFlow's InvalidArgumentError.
    """
    if axis is None:
        return None
    if isinstance(axis, _TENSORISH):
        axis = np.asarray(axis).tolist()
    if isinstance(axis, np.ndarray):
        axis = axis.tolist()
    if isinstance(axis, (int, np.integer, float, np.floating)):
        axis = (axis,)
    out = []
    for a in axis:
        if isinstance(a, (float, np.floating)):
            raise TypeError(f"Cannot convert {a!r} to EagerTensor of dtype int32")
        a = int(a)
        if not -rank <= a < rank:
            raise InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {rank} "
                f"dimension(s) [Op:{op_name}] name: ")
        if a % rank in out:
            raise InvalidArgumentError(
                None, None, f"Invalid reduction arguments: Axes contains duplicate dimension: "
                f"{a % rank} [Op:{op_name}]")  # TF leaves out "name: " here
        out.append(a % rank)
    return tuple(sorted(out))


def normalize_axis(axis, rank, op_name, prefix=""):
    """A single axis in [-rank, rank) as a non-negative int, with TensorFlow's error."""
    if isinstance(axis, _TENSORISH):
        axis = int(np.asarray(axis))
    axis = int(axis)
    if not -rank <= axis < rank:
        raise InvalidArgumentError(
            None, None, f"{prefix}Expected dimension in the range [{-rank}, {rank}), but got "
            f"{axis} [Op:{op_name}] name: ")
    return axis % rank


def _keepdims_shape(shape, axis):
    """`shape` with the reduced axes set to 1 (axis None: all)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else d for i, d in enumerate(shape))


def _grad_to_input(op, dy):
    """dy reshaped to keepdims form and broadcast back to the input's shape."""
    x = op.inputs[0]
    shp = x._value.shape
    # The primitives directly: the shapes are known to fit, so the public wrappers' checks
    # are not needed on this hot path (every reduction's backward pass).
    if not op.attrs["keepdims"] and dy._value.ndim:  # a scalar dy broadcasts as it is
        dy = _reshape(dy, shape=_keepdims_shape(shp, op.attrs["axis"]))
    if dy._value.shape == shp:
        return dy
    return _broadcast_to(dy, shape=shp)


@primitive("Sum", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _sum(x, *, axis, keepdims):
    # The ufunc's reduce directly: np.sum's Python wrapper costs more than a small sum.
    return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_sum.grad
def _sum_grad(op, dy):
    return _grad_to_input(op, dy)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over `axis` (all axes when None).

    >>> tf.reduce_sum([1, 2, 3]).numpy()
    np.int32(6)
    """
    x = to_tensor(input_tensor)
    return _sum(x, axis=normalize_axes(axis, x._value.ndim, "Sum"), keepdims=bool(keepdims))


@primitive("Mean", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _mean(x, *, axis, keepdims):
    if x.dtype.kind in "iu":
        # Integer mean truncates toward zero, as in TensorFlow.
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        if n == 0:
            return np.zeros_like(s, dtype=x.dtype)
        return (np.sign(s) * (np.abs(s) // n)).astype(x.dtype)
    if x.size == 0:  # NaN, as TensorFlow, without NumPy's empty-slice warning
        return np.full(rules.reduce(x.shape, axis=axis, keepdims=keepdims), np.nan,
                       dtype=x.dtype)
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
    if x.dtype.kind == "f" and x.dtype.itemsize >= 4:
        # No np.errstate needed: the registry filters RuntimeWarnings raised in this module.
        return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype) / x.dtype.type(n)
    with np.errstate(invalid="ignore", divide="ignore"):  # np.mean warns from NumPy's code
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_mean.grad
def _mean_grad(op, dy):
    xv = op.inputs[0]._value
    axis = op.attrs["axis"]
    if axis is None:
        n = xv.size
    else:
        n = 1
        for a in axis:
            n *= xv.shape[a]
    n = max(n, 1)
    dt = dy._value.dtype
    if dt.kind == "f" and xv.size <= _SMALL_MEAN:
        # One op instead of a divide and a broadcast: dy (in keepdims form) divided by an
        # array of n's with the input's shape broadcasts and scales at once, to the same
        # values. Small inputs only, where the broadcast's call costs more than the array.
        if not op.attrs["keepdims"] and dy._value.ndim:
            dy = _reshape(dy, shape=_keepdims_shape(xv.shape, axis))
        return _real_div(dy, _wrap(np.full(xv.shape, n, dt)))
    # Divide before broadcasting: fewer elements. For an inexact dy, the RealDiv primitive
    # on n in dy's dtype is exactly what `dy / n` converts to, minus the conversion.
    if dt.kind in "fc":
        return _grad_to_input(op, _real_div(dy, _wrap(dt.type(n))))
    return _grad_to_input(op, dy / n)


_SMALL_MEAN = 4096


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over `axis`; integer tensors give a truncated integer mean, like TensorFlow."""
    x = to_tensor(input_tensor)
    return _mean(x, axis=normalize_axes(axis, x._value.ndim, "Mean"), keepdims=bool(keepdims))


def _extreme_grad(op, dy):
    # The gradient is shared equally between tied extreme elements, as in TensorFlow.
    x = op.inputs[0]
    y, = op.outputs
    shp = x._value.shape
    if not op.attrs["keepdims"]:
        keep = _keepdims_shape(shp, op.attrs["axis"])
        y = reshape(y, keep)
        dy = reshape(dy, keep)
    mask = cast(equal(x, y), dy.dtype)
    count = _sum(mask, axis=op.attrs["axis"], keepdims=True)
    return dy * mask / count


@primitive("Max", shape=rules.reduce, dtype=rules.same_as_input, allowed=REAL)
def _max(x, *, axis, keepdims):
    if x.size == 0:
        return np.full(rules.reduce(x.shape, axis=axis, keepdims=keepdims),
                       _lowest(x.dtype), dtype=x.dtype)
    return np.max(x, axis=axis, keepdims=keepdims)


_max.grad(_extreme_grad)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over `axis` (the lowest value of the dtype for empty reductions)."""
    x = to_tensor(input_tensor)
    return _max(x, axis=normalize_axes(axis, x._value.ndim, "Max"), keepdims=bool(keepdims))


@primitive("Min", shape=rules.reduce, dtype=rules.same_as_input, allowed=REAL)
def _min(x, *, axis, keepdims):
    if x.size == 0:
        return np.full(rules.reduce(x.shape, axis=axis, keepdims=keepdims),
                       _highest(x.dtype), dtype=x.dtype)
    return np.min(x, axis=axis, keepdims=keepdims)


_min.grad(_extreme_grad)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over `axis` (the highest value of the dtype for empty reductions)."""
    x = to_tensor(input_tensor)
    return _min(x, axis=normalize_axes(axis, x._value.ndim, "Min"), keepdims=bool(keepdims))


@primitive("Prod", shape=rules.reduce, dtype=rules.same_as_input, allowed=NUMERIC)
def _prod(x, *, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_prod.grad
def _prod_grad(op, dy):
    # Product of all the other elements, computed with exclusive cumulative products so
    # that zeros in the input are handled exactly (no division by x).
    from tapeflow._src.ops import array_ops
    from tapeflow._src.ops.cumulative_ops import cumprod
    from tapeflow._src.ops.math_ops import conj
    x = op.inputs[0]
    shp = x._value.shape
    axis = op.attrs["axis"]
    axes = tuple(range(len(shp))) if axis is None else axis
    other = tuple(i for i in range(len(shp)) if i not in axes)
    perm = other + axes
    xt = array_ops.transpose(x, perm)
    n_other = int(np.prod([shp[i] for i in other]))
    flat = reshape(xt, (n_other, -1))
    left = cumprod(flat, axis=1, exclusive=True)
    right = cumprod(flat, axis=1, exclusive=True, reverse=True)
    # Conjugated for complex inputs, as every TensorFlow complex gradient.
    others = reshape(conj(left * right), xt._value.shape)
    others = array_ops.transpose(others, tuple(np.argsort(perm)))
    return _grad_to_input(op, dy) * others


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over `axis`."""
    x = to_tensor(input_tensor)
    return _prod(x, axis=normalize_axes(axis, x._value.ndim, "Prod"), keepdims=bool(keepdims))


_BOOL = {D.bool_}


@primitive("Any", shape=rules.reduce, dtype=rules.to_bool, allowed=_BOOL, differentiable=False)
def _any(x, *, axis, keepdims):
    return np.any(x, axis=axis, keepdims=keepdims)


@primitive("All", shape=rules.reduce, dtype=rules.to_bool, allowed=_BOOL, differentiable=False)
def _all(x, *, axis, keepdims):
    return np.all(x, axis=axis, keepdims=keepdims)


def _bool_only(x, op_name):
    if x._value.dtype != np.bool_:
        raise dtype_mismatch(op_name, D.bool_, x.dtype, index=0)
    return x


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical or over `axis` (bool tensors only)."""
    x = _bool_only(to_tensor(input_tensor), "Any")
    return _any(x, axis=normalize_axes(axis, x._value.ndim, "Any"), keepdims=bool(keepdims))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical and over `axis` (bool tensors only)."""
    x = _bool_only(to_tensor(input_tensor), "All")
    return _all(x, axis=normalize_axes(axis, x._value.ndim, "All"), keepdims=bool(keepdims))


def _arg_rule(x, *, axis, output_type):
    return tuple(d for i, d in enumerate(x) if i != axis)


def _arg_extreme(x, axis, np_arg, fill):
    """np.argmax/argmin with TensorFlow's NaN handling.

    TensorFlow's kernel keeps the first strictly better value, starting from index 0 and an
    infinite sentinel, so NaN never wins and a slice with nothing better than the sentinel
    (all NaN, or NaN and infinities of the wrong sign) gives 0: the same as replacing NaN
    by the sentinel.
    """
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        if nan.any():
            x = np.where(nan, fill, x)
    return np_arg(x, axis=axis)


@primitive("ArgMax", shape=_arg_rule, allowed=REAL | {D.bool_}, differentiable=False)
def _argmax(x, *, axis, output_type):
    return _arg_extreme(x, axis, np.argmax, -np.inf).astype(output_type)


@primitive("ArgMin", shape=_arg_rule, allowed=REAL | {D.bool_}, differentiable=False)
def _argmin(x, *, axis, output_type):
    return _arg_extreme(x, axis, np.argmin, np.inf).astype(output_type)


# TensorFlow's ArgMax accepts more index dtypes than ArgMin.
_ARG_OUTPUT = {"ArgMax": (D.int16, D.uint16, D.int32, D.int64), "ArgMin": (D.int32, D.int64)}


def _arg_reduce(prim, input, axis, output_type):  # noqa: A002
    x = to_tensor(input)
    output_type = dtypes.as_dtype(output_type)
    allowed = _ARG_OUTPUT[prim.name]
    if output_type not in allowed:
        names = ", ".join(dtypes.tf_name(d) for d in allowed)
        raise InvalidArgumentError(
            None, None, f"Value for attr 'output_type' of {dtypes.tf_name(output_type)} is not "
            f"in the list of allowed values: {names}\n\t; NodeDef: {{{{node {prim.name}}}}} "
            f"[Op:{prim.name}] name: ")
    if axis is None:
        axis = 0
    axis = normalize_axis(axis, x._value.ndim, prim.name)
    if x._value.shape[axis] == 0:
        raise InvalidArgumentError(None, None, f"Reduction axis {axis} is empty in shape "
                                   f"{list(x._value.shape)} [Op:{prim.name}] name: ")
    return prim(x, axis=axis, output_type=output_type._np)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along `axis` (default 0), int64 unless `output_type`."""
    return _arg_reduce(_argmax, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along `axis` (default 0), int64 unless `output_type`."""
    return _arg_reduce(_argmin, input, axis, output_type)


# ---------------------------------------------------------------------------------------
# Composite reductions
# ---------------------------------------------------------------------------------------

def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over `axis`, computed without overflow.

    Composite, as in TensorFlow: the (finite) maximum is subtracted before exponentiating
    and added back, and is held constant for the gradient, which is then softmax(x).
    All -inf (or empty) slices give -inf.

    >>> float(tf.reduce_logsumexp(tf.constant([1000.0, 1000.0])))
    1000.693...
    """
    from tapeflow._src.autodiff.custom_gradient import stop_gradient
    from tapeflow._src.ops.array_ops import where, zeros_like
    from tapeflow._src.ops.math_ops import exp, is_finite, log

    x = to_tensor(input_tensor)
    raw_max = reduce_max(x, axis=axis, keepdims=True)
    shift = stop_gradient(where(is_finite(raw_max), raw_max, zeros_like(raw_max)))
    out = log(reduce_sum(exp(x - shift), axis=axis, keepdims=keepdims))
    if not keepdims:
        shift = reshape(shift, out._value.shape)
    return out + shift


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """The population variance over `axis`: mean(|x - mean(x)|**2).

    Complex inputs give a real result; integer inputs are a TypeError, as in TensorFlow.

    >>> tf.math.reduce_variance(tf.constant([1.0, 2.0, 3.0, 4.0])).numpy()
    np.float32(1.25)
    """
    from tapeflow._src.ops.math_ops import conj, real, square

    x = to_tensor(input_tensor)
    means = reduce_mean(x, axis=axis, keepdims=True)
    if means.dtype.is_integer:
        raise TypeError(f"Input must be either real or complex. Received integer type "
                        f"<dtype: '{means.dtype.name}'>.")
    diff = x - means
    if diff.dtype.is_complex:
        squared = real(diff * conj(diff))
    else:
        squared = square(diff)
    return reduce_mean(squared, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """The population standard deviation over `axis`: sqrt(reduce_variance(x)).

    >>> tf.math.reduce_std(tf.constant([1.0, 3.0])).numpy()
    np.float32(1.0)
    """
    from tapeflow._src.ops.math_ops import sqrt

    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Counts the elements that are not zero (or not "" for strings) over `axis`.

    NaN counts as non-zero. The count has dtype `dtype` (int64 by default).

    >>> tf.math.count_nonzero(tf.constant([[0, 1], [2, 0]])).numpy()
    np.int64(2)
    """
    from tapeflow._src.ops.math_ops import not_equal

    x = to_tensor(input)
    zero = np.zeros((), x._value.dtype) if x._value.dtype.kind != "O" else np.array(b"",
                                                                                    object)
    nonzero = cast(not_equal(x, to_tensor(zero)), D.int64)
    count = reduce_sum(nonzero, axis=axis, keepdims=bool(keepdims))
    return cast(count, dtype)

"""Less common tf.math ops: counting (confusion_matrix, bincount, in_top_k, zero_fraction),
monotonicity tests, permutations, polyval, accumulate_n, cumulative_logsumexp, nextafter,
xlog1py and the *_no_nan products."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes as D
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import binary_args, to_tensor
from tapeflow._src.ops.array_ops import concat, reshape, where
from tapeflow._src.ops.cumulative_ops import _scan_axis
from tapeflow._src.ops.math_ops import (
    _div_no_nan, add_n, cast, conj, div_no_nan, equal, exp, greater, greater_equal, less, log,
    negative, not_equal, ones_like_, real, sqrt, xdivy, zeros_like_,
)
from tapeflow._src.ops.reduction_ops import reduce_all, reduce_max, reduce_mean, reduce_sum
from tapeflow._src.ops.registry import primitive
from tapeflow._src.ops.segment_ops import unsorted_segment_sum

F32_64 = frozenset({D.float32, D.float64})


def _int64_values(x, what):
    """`x` as an int64 tensor (TensorFlow casts labels and predictions, even floats)."""
    x = to_tensor(x)
    return x if x._value.dtype == np.int64 else cast(x, D.int64)


def _check_non_negative(v, what):
    if v.size and v.min() < 0:
        shown = "[" + ", ".join(f"'{int(e)}'" for e in v.reshape(-1)[:3]) + "]"
        raise InvalidArgumentError(
            None, None, f"`{what}` contains negative values.  \nCondition x >= 0 did not hold "
            f"element-wise:\nx (shape={tuple(v.shape)} dtype=int64) = \n{shown}")


def _check_below(v, n, what):
    if v.size and v.max() >= n:
        raise InvalidArgumentError(
            None, None, f"`{what}` out of bound\nCondition x < y did not hold.\nFirst "
            f"{min(v.size, 3)} elements of x:\n{v.reshape(-1)[:3]}\nFirst 1 "
            f"elements of y:\n[{n}]")


# The checks and the flat (label, prediction) index live in a primitive so that they run
# again on every call of a traced tf.function (code outside primitives runs at trace time).
@primitive("ConfusionMatrixIndex", shape=lambda lab, pred, **a: (None,), dtype=rules.int64,
           differentiable=False)
def _confusion_index(labels, predictions, *, num_classes, check_bounds):
    _check_non_negative(labels, "labels")
    _check_non_negative(predictions, "predictions")
    if check_bounds:
        _check_below(labels, num_classes, "labels")
        _check_below(predictions, num_classes, "predictions")
    return (labels * num_classes + predictions).reshape(-1)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=D.int32,
                     name=None):
    """The [num_classes, num_classes] matrix counting (label, prediction) pairs.

    Rows are labels, columns predictions; `weights` (one per pair) replace the unit counts.
    `num_classes` defaults to the largest label or prediction plus one. The result is
    differentiable with respect to `weights`.

    >>> tf.math.confusion_matrix([0, 1, 1], [0, 1, 0]).numpy()
    array([[1, 0],
           [1, 1]], dtype=int32)
    """
    dtype = D.as_dtype(dtype)
    labels = _int64_values(labels, "labels")
    predictions = _int64_values(predictions, "predictions")
    lshape, pshape = labels.shape.as_list(), predictions.shape.as_list()
    # A trailing size-1 axis on one side is squeezed away, as TensorFlow does.
    if len(lshape) == len(pshape) + 1 and lshape[-1:] == [1]:
        labels, lshape = reshape(labels, lshape[:-1]), lshape[:-1]
    elif len(pshape) == len(lshape) + 1 and pshape[-1:] == [1]:
        predictions, pshape = reshape(predictions, pshape[:-1]), pshape[:-1]
    if lshape != pshape:
        raise InvalidArgumentError(
            None, None, "Shapes of all inputs must match: values[0].shape = "
            f"[{','.join(map(str, lshape))}] != values[1].shape = "
            f"[{','.join(map(str, pshape))}] [Op:Pack] name: stack")
    check_bounds = num_classes is not None
    if num_classes is None:
        # Data-dependent size: int() on a tensor is guarded, so a traced function retraces
        # when the class count changes.
        both = concat([reshape(labels, [-1]), reshape(predictions, [-1])], 0)
        n = int(reduce_max(both)) + 1 if both.shape[0] else 0
        n = max(n, 0)
    else:
        n = int(np.asarray(num_classes))
    flat = _confusion_index(labels, predictions, num_classes=n, check_bounds=check_bounds)
    if weights is None:
        weights = ones_like_(flat)
    weights = reshape(cast(to_tensor(weights), dtype), [-1])
    return reshape(unsorted_segment_sum(weights, flat, n * n), [n, n])


def _bincount_shape(arr, weights, *, minlength, maxlength, per_row, binary_output,
                    out_dtype):
    size = minlength if minlength is not None and minlength == maxlength else None
    return (arr[0], size) if per_row else (size,)


def _bincount_dtype(arr, weights, *, out_dtype, **attrs):
    return D.as_dtype(np.dtype(out_dtype))


@primitive("DenseBincount", shape=_bincount_shape, dtype=_bincount_dtype,
           allowed={D.int32, D.int64}, differentiable=False)
def _dense_bincount(arr, weights, *, minlength, maxlength, per_row, binary_output, out_dtype):
    out_dtype = np.dtype(out_dtype)
    if arr.size and arr.min() < 0:
        raise InvalidArgumentError(
            None, None, "Input arr must be non-negative! [Op:DenseBincount] name: ")
    if weights.size and weights.shape != arr.shape:
        raise InvalidArgumentError(
            None, None, "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in "
            "which case it acts as all weights equal to 1. Received "
            f"[{','.join(map(str, weights.shape))}] [Op:DenseBincount] name: ")
    size = int(arr.max()) + 1 if arr.size else 0
    if minlength is not None:
        size = max(size, minlength)
    if maxlength is not None:
        size = min(size, max(maxlength, 0))
    rows = arr.reshape(arr.shape[0] if per_row else 1, -1)
    w = weights.reshape(rows.shape) if weights.size else None
    out = np.zeros((rows.shape[0], size), out_dtype)
    for i, row in enumerate(rows):
        keep = row < size
        counts = np.bincount(row[keep], None if w is None else w[i][keep], minlength=size)
        out[i] = (counts > 0) if binary_output else counts
    return out if per_row else out[0]


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=D.int32, name=None,
             axis=None, binary_output=False):
    """Counts the occurrences of each non-negative integer in `arr`.

    The output length is max(arr) + 1, raised to `minlength` and capped at `maxlength`
    (values past the cap are dropped). With `weights`, each occurrence adds its weight and
    the result has the weights' dtype. `axis=-1` counts each row of a 2-D `arr` separately;
    `binary_output=True` marks presence with 1 instead of counting.

    >>> tf.math.bincount([1, 1, 3]).numpy()
    array([0, 2, 0, 1], dtype=int32)
    """
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    arr = to_tensor(arr)
    if arr._value.dtype.kind not in "iu":
        arr = cast(arr, D.int32)
    per_row = axis is not None and int(axis) == -1
    if per_row and len(arr.shape) != 2:
        raise InvalidArgumentError(
            None, None, "Shape must be rank 2 but is rank "
            f"{len(arr.shape)} for DenseBincount with axis=-1 [Op:DenseBincount] name: ")
    if weights is not None:
        weights = to_tensor(weights)
        out_dtype = weights.dtype
    else:
        out_dtype = D.as_dtype(dtype)
        weights = _wrap(np.zeros((0,), out_dtype._np))
    if not per_row and len(arr.shape) != 1:
        arr = reshape(arr, [-1])
        if len(weights.shape) != 1 or weights.shape[0] != 0:
            weights = reshape(weights, [-1])
    return _dense_bincount(
        arr, weights, minlength=None if minlength is None else int(np.asarray(minlength)),
        maxlength=None if maxlength is None else int(np.asarray(maxlength)),
        per_row=per_row, binary_output=bool(binary_output), out_dtype=out_dtype._np.str)


@primitive("InTopKV2", shape=lambda p, t, **a: t, dtype=rules.to_bool, differentiable=False)
def _in_top_k(predictions, targets, *, k):
    if predictions.ndim != 2 or targets.ndim != 1:
        raise InvalidArgumentError(
            None, None, "predictions must be 2-dimensional and targets 1-dimensional "
            "[Op:InTopKV2]")
    n, classes = predictions.shape
    if n != targets.shape[0]:
        raise InvalidArgumentError(
            None, None, f"First dimension of predictions {n} must match length of targets "
            f"{targets.shape[0]} [Op:InTopKV2]")
    valid = (targets >= 0) & (targets < classes)
    safe = np.where(valid, targets, 0)
    target_pred = predictions[np.arange(n), safe]
    more = np.sum(predictions > target_pred[:, None], axis=1)
    finite = np.all(np.isfinite(predictions), axis=1)
    return valid & finite & (more < k)


def in_top_k(targets, predictions, k, name=None):
    """Whether each target class is among the `k` largest predictions of its row.

    Ties count in the target's favour; a row holding NaN or inf, or a target out of range,
    gives False.

    >>> tf.math.in_top_k([1, 2], [[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]], 1).numpy()
    array([ True, False])
    """
    from tapeflow._src.framework.convert import convert_to_tensor
    predictions = convert_to_tensor(predictions, dtype=D.float32)
    targets = to_tensor(targets)
    if targets._value.dtype not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise InvalidArgumentError(
            None, None, f"Value for attr 'T' of {D.tf_name(targets.dtype)} is not in the list "
            "of allowed values: int32, int64\n\t; NodeDef: {{node InTopKV2}}")
    k = int(np.asarray(k))
    return _in_top_k(predictions, targets, k=k)


def zero_fraction(value, name=None):
    """The fraction of elements of `value` that are zero, as a float32 scalar.

    >>> float(tf.math.zero_fraction([0, 1, 0, 3]))
    0.5
    """
    value = to_tensor(value)
    return reduce_mean(cast(equal(value, zeros_like_(value)), D.float32))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(|x|^2)) over `axis`; integer inputs give a truncated integer norm.

    >>> float(tf.math.reduce_euclidean_norm([3.0, 4.0]))
    5.0
    """
    x = to_tensor(input_tensor)
    kind = x._value.dtype.kind
    if kind in "iu":
        squares = cast(x, D.float64)
        return cast(sqrt(reduce_sum(squares * squares, axis, keepdims)), x.dtype)
    if kind == "c":
        return cast(sqrt(reduce_sum(real(x * conj(x)), axis, keepdims)), x.dtype)
    return sqrt(reduce_sum(x * x, axis, keepdims))


def _check_numeric(x):
    if x._value.dtype.kind not in "iufc":
        raise TypeError(f"Expected x to be numeric, instead found: {str(x)}")


def _neighbour_pairs(x):
    flat = reshape(x, [-1])
    return flat[1:], flat[:-1]


def is_non_decreasing(x, name=None):
    """True when the flattened `x` never decreases (always for fewer than 2 elements).

    >>> bool(tf.math.is_non_decreasing([1, 2, 2]))
    True
    """
    x = to_tensor(x)
    _check_numeric(x)
    later, earlier = _neighbour_pairs(x)
    return reduce_all(greater_equal(later, earlier))


def is_strictly_increasing(x, name=None):
    """True when each element of the flattened `x` exceeds the previous one.

    >>> bool(tf.math.is_strictly_increasing([1, 2, 2]))
    False
    """
    x = to_tensor(x)
    _check_numeric(x)
    later, earlier = _neighbour_pairs(x)
    return reduce_all(greater(later, earlier))


@primitive("InvertPermutation", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed={D.int32, D.int64}, differentiable=False)
def _invert_permutation(x):
    if x.ndim != 1:
        raise InvalidArgumentError(
            None, None, "invert_permutation expects a 1D vector. [Op:InvertPermutation]")
    n = x.shape[0]
    out = np.full(n, -1, x.dtype)
    for i, d in enumerate(x.tolist()):
        if not 0 <= d < n:
            raise InvalidArgumentError(
                None, None, f"{d} is not between 0 and {n} [Op:InvertPermutation]")
        if out[d] != -1:
            raise InvalidArgumentError(
                None, None, f"{d} is duplicated in the input. [Op:InvertPermutation]")
        out[d] = i
    return out


def invert_permutation(x, name=None):
    """The inverse of the permutation `x`: y[x[i]] = i.

    >>> tf.math.invert_permutation([2, 0, 1]).numpy()
    array([1, 2, 0], dtype=int32)
    """
    return _invert_permutation(to_tensor(x))


def polyval(coeffs, x, name=None):
    """Evaluates the polynomial coeffs[0] * x^(n-1) + ... + coeffs[n-1] by Horner's rule.

    >>> float(tf.math.polyval([1.0, 2.0, 3.0], 2.0))
    11.0
    """
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = to_tensor(x)
    if not coeffs:
        return zeros_like_(x)
    # Each coefficient converts on its own, as in TensorFlow: a Python float next to a
    # float64 `x` is a float32 tensor, and the addition then fails on the dtype mismatch.
    p = to_tensor(coeffs[0])
    for c in coeffs[1:]:
        p = to_tensor(c) + p * x
    return p


def scalar_mul(scalar, x, name=None):
    """Multiplies `x` by the rank-0 `scalar`, which is converted to `x`'s dtype.

    >>> tf.math.scalar_mul(2, tf.constant([1.0, 2.0])).numpy()
    array([2., 4.], dtype=float32)
    """
    x = to_tensor(x)
    from tapeflow._src.framework.convert import convert_to_tensor
    scalar = convert_to_tensor(scalar, dtype=x.dtype)
    if scalar._value.ndim != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {scalar.shape}.")
    return scalar * x


_ACCUMULATE_ERROR = "inputs must be a list of at least one Tensor with the same dtype and shape"


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """Sums a list of tensors of one shape and dtype (an alias of `add_n` with checks).

    >>> tf.math.accumulate_n([[1.0, 2.0], [3.0, 4.0]]).numpy()
    array([4., 6.], dtype=float32)
    """
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(_ACCUMULATE_ERROR)
    xs = [to_tensor(x) for x in inputs]
    if any(x.dtype != xs[0].dtype for x in xs):
        raise ValueError(_ACCUMULATE_ERROR)
    merged = xs[0].shape
    for x in xs[1:]:
        merged = merged.merge_with(x.shape)
    if shape is not None:
        from tapeflow._src.framework.tensor_shape import TensorShape
        TensorShape(shape).merge_with(merged)
    if tensor_dtype is not None and D.as_dtype(tensor_dtype) != xs[0].dtype:
        raise TypeError(f"tensor_dtype is {D.as_dtype(tensor_dtype)!r}, but input is of type "
                        f"{xs[0].dtype!r}")
    return add_n(xs)


# ----- element-wise ---------------------------------------------------------------------

@primitive("MulNoNan", shape=rules.broadcast, dtype=rules.same_as_input, allowed=D.INEXACT)
def _mul_no_nan(x, y):
    with np.errstate(all="ignore"):
        out = np.multiply(x, y)
    return np.where(y == 0, np.zeros((), out.dtype), out)


@_mul_no_nan.grad
def _mul_no_nan_grad(op, dy):
    x, y = op.inputs
    return multiply_no_nan(dy, conj(y)), multiply_no_nan(conj(x), dy)


def multiply_no_nan(x, y, name=None):
    """x * y, but 0 wherever y is 0 (even when x is NaN or inf).

    >>> tf.math.multiply_no_nan(tf.constant([float("inf"), 2.0]), tf.constant([0.0, 3.0])
    ...                         ).numpy()
    array([0., 6.], dtype=float32)
    """
    return _mul_no_nan(*binary_args(x, y, "MulNoNan"))


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x is 0.

    >>> tf.math.reciprocal_no_nan(tf.constant([0.0, 2.0])).numpy()
    array([0. , 0.5], dtype=float32)
    """
    x = to_tensor(x)
    if x._value.dtype.kind not in "fc":
        raise _div_no_nan.dtype_error(x.dtype)
    return div_no_nan(ones_like_(x), x)


# ----- xlog1py --------------------------------------------------------------------------

@primitive("Xlog1py", shape=rules.broadcast, dtype=rules.same_as_input, allowed=D.INEXACT)
def _xlog1py(x, y):
    with np.errstate(all="ignore"):
        out = x * np.log1p(y)
    return np.where(x == 0, np.zeros((), out.dtype), out)


@_xlog1py.grad
def _xlog1py_grad(op, dy):
    x, y = op.inputs
    nonzero_x = cast(not_equal(x, zeros_like_(x)), x.dtype)
    return dy * xlog1py(nonzero_x, y), dy * xdivy(x, y + 1.0)


def xlog1py(x, y, name=None):
    """x * log1p(y), and 0 wherever x is 0 (even when log1p(y) is -inf or NaN).

    >>> tf.math.xlog1py(tf.constant([0.0, 2.0]), tf.constant([-1.0, 0.0])).numpy()
    array([0., 0.], dtype=float32)
    """
    return _xlog1py(*binary_args(x, y, "Xlog1py"))


@primitive("NextAfter", shape=rules.broadcast, dtype=rules.same_as_input, allowed=F32_64)
def _next_after(x1, x2):
    return np.nextafter(x1, x2)


@_next_after.grad
def _next_after_grad(op, dy):
    # The step to the neighbouring float is treated as constant: d/dx1 = 1, d/dx2 = 0.
    return dy, zeros_like_(op.inputs[1])


def nextafter(x1, x2, name=None):
    """The next representable float after x1 in the direction of x2, element-wise.

    >>> float(tf.math.nextafter(tf.constant(1.0), 2.0)) > 1.0
    True
    """
    return _next_after(*binary_args(x1, x2, "NextAfter"))


def _logcumsumexp_np(x, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = np.logaddexp.accumulate(x, axis=axis)
    if exclusive:
        pad = np.full_like(np.take(out, [0], axis=axis), -np.inf)
        out = np.concatenate([pad, np.delete(out, -1, axis=axis)], axis=axis)
    if reverse:
        out = np.flip(out, axis)
    return out


@primitive("CumulativeLogsumexp", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=D.FLOATING)
def _cumulative_logsumexp(x, *, axis, exclusive, reverse):
    if x.size == 0:
        return x
    return _logcumsumexp_np(x, axis, exclusive, reverse).astype(x.dtype, copy=False)


@_cumulative_logsumexp.grad
def _cumulative_logsumexp_grad(op, dy):
    # d out_j / d x_i = exp(x_i - out_j) for the i that out_j accumulates, so the gradient
    # is exp(x_i) * (reverse scan of dy_j * exp(-out_j)). Both signs of dy are handled in
    # log space (log|dy| - out), which never overflows.
    x, = op.inputs
    out, = op.outputs
    attrs = op.attrs
    axis, exclusive, reverse = attrs["axis"], attrs["exclusive"], attrs["reverse"]
    neg_inf = zeros_like_(dy) - np.inf
    pos = greater(dy, zeros_like_(dy))
    neg = less(dy, zeros_like_(dy))
    log_pos = where(pos, log(where(pos, dy, ones_like_(dy))), neg_inf)
    log_neg = where(neg, log(where(neg, negative(dy), ones_like_(dy))), neg_inf)

    # Where out is -inf every x it accumulates is -inf too (their gradient is 0 whatever
    # the scan holds); a finite stand-in keeps -inf - -inf = NaN out of the scan.
    out = where(equal(out, neg_inf), zeros_like_(out), out)

    def back(log_g):
        scan = _cumulative_logsumexp(log_g - out, axis=axis, exclusive=exclusive,
                                     reverse=not reverse)
        return exp(scan + x)
    return back(log_pos) - back(log_neg)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along `axis`, computed without overflow.

    >>> tf.math.cumulative_logsumexp(tf.constant([0.0, 0.0])).numpy().round(4)
    array([0.    , 0.6931], dtype=float32)
    """
    x = to_tensor(x)
    axis = _scan_axis(axis, x._value.ndim, "CumulativeLogsumexp")
    return _cumulative_logsumexp(x, axis=axis, exclusive=bool(exclusive),
                                 reverse=bool(reverse))

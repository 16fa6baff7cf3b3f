"""Cross-entropy losses on logits (tf.nn.*_cross_entropy_with_logits)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import _TENSORISH, normalize_axis, to_tensor
from tapeflow._src.ops.array_ops import (
    _reshape,
    expand_dims,
    one_hot,
    reshape,
    transpose,
    where,
    zeros_like,
)
from tapeflow._src.ops.math_ops import _mul, cast, exp, greater_equal, log1p, multiply, negative
from tapeflow._src.ops.nn_ops import _log_softmax, _softmax, _softmax_np
from tapeflow._src.ops.reduction_ops import reduce_sum
from tapeflow._src.ops.registry import primitive

D = dtypes
FLOAT = D.FLOATING


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# ---------------------------------------------------------------------------------------
# sigmoid cross-entropy (composite: every piece is smooth away from logits == 0, and at 0
# the where-branches give TensorFlow's gradient 0.5 - labels)
# ---------------------------------------------------------------------------------------


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Element-wise logistic loss `-labels*log(sigmoid(logits)) - (1-labels)*log(1-sigmoid(
    logits))`, computed as `max(x, 0) - x*z + log1p(exp(-|x|))` so it never overflows.

    Args:
      labels: A `Tensor` of the same shape and dtype as `logits`, values in [0, 1].
      logits: A floating-point `Tensor`.
      name: Unused; kept for API compatibility.

    Raises:
      ValueError: if the shapes differ.

    >>> round(float(tf.nn.sigmoid_cross_entropy_with_logits(labels=1.0, logits=0.0)), 4)
    0.6931
    """
    if labels is None or logits is None:
        raise ValueError("Both labels= and logits= must be given.")
    logits = to_tensor(logits)
    labels = to_tensor(labels)
    if logits._value.shape != labels._value.shape:
        raise ValueError(
            f"`logits` and `labels` must have the same shape, received "
            f"({tuple(logits._value.shape)} vs {tuple(labels._value.shape)})."
        )
    zeros = logits * 0.0
    pos = greater_equal(logits, zeros)
    relu_logits = where(pos, logits, zeros)
    neg_abs_logits = where(pos, negative(logits), logits)
    return relu_logits - multiply(logits, labels) + log1p(exp(neg_abs_logits))


# ---------------------------------------------------------------------------------------
# softmax cross-entropy (primitive: stable log-sum-exp; gradients for logits and labels)
# ---------------------------------------------------------------------------------------


def _xent_shape(logits, labels, **attrs):
    return tuple(logits[:-1])


@primitive("SoftmaxCrossEntropyWithLogits", shape=_xent_shape, dtype=lambda a, b: a, allowed=FLOAT)
def _softmax_xent(logits, labels):
    m = np.max(logits, axis=-1, keepdims=True)
    z = logits - m
    log_p = z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
    # 0 * -inf (a zero label on a -inf logit) counts as 0, as in TensorFlow.
    terms = np.where(labels == 0, np.zeros((), logits.dtype), labels * log_p)
    return -np.sum(terms, axis=-1)


# As in TensorFlow: d/dlogits = softmax - labels (exact when each labels row sums to 1),
# d/dlabels = -log_softmax. The backprop term is its own primitive, as TensorFlow's second
# output: its gradient treats the labels as constants (zeros, but connected).
@_softmax_xent.grad
def _softmax_xent_grad(op, dy):
    logits, labels = op.inputs
    g = expand_dims(dy, -1)
    return (g * _xent_backprop(logits, labels), g * negative(_log_softmax(logits, axis=-1)))


@primitive(
    "SoftmaxCrossEntropyWithLogitsBackprop",
    shape=lambda x, z: x,
    dtype=lambda x, z: x,
    allowed=FLOAT,
)
def _xent_backprop(logits, labels):
    return _softmax_np(logits, -1) - labels


@_xent_backprop.grad
def _xent_backprop_grad(op, g):
    logits, labels = op.inputs
    p = _softmax(logits, axis=-1)
    return p * (g - reduce_sum(g * p, axis=-1, keepdims=True)), zeros_like(labels)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Cross-entropy between the distribution `labels` and `softmax(logits)` along `axis`.

    Gradients flow into both `logits` and `labels`.

    Args:
      labels: A `Tensor` broadcastable to `logits`, each slice along `axis` a distribution.
      logits: Unnormalised log-probabilities, a floating-point `Tensor` of rank >= 1.
      axis: The class axis (default the last).
      name: Unused; kept for API compatibility.

    Returns:
      The loss, with `logits`' shape minus `axis`.

    >>> round(float(tf.nn.softmax_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0])), 4)
    0.6931
    """
    logits = to_tensor(logits)
    labels = (
        to_tensor(labels, dtype=logits.dtype)
        if not isinstance(labels, _TENSORISH)
        else to_tensor(labels)
    )
    if labels._value.dtype != logits._value.dtype:
        labels = cast(labels, logits.dtype)  # labels follow the logits' dtype
    ls, ys = logits._value.shape, labels._value.shape
    if len(ls) == 0:
        raise InvalidArgumentError(
            None,
            None,
            "logits must have >= 1 dimension, got shape "
            "[] [Op:SoftmaxCrossEntropyWithLogits] name: ",
        )
    axis = normalize_axis(axis, len(ls), "SoftmaxCrossEntropyWithLogits")
    if len(ys) != len(ls) or any(a != b and b != 1 for a, b in zip(ls, ys)):
        raise InvalidArgumentError(
            None,
            None,
            f"logits and labels must be broadcastable: logits_size={_dims(ls)} "
            f"labels_size={_dims(ys)} [Op:SoftmaxCrossEntropyWithLogits] name: ",
        )
    if axis != len(ls) - 1:
        perm = [i for i in range(len(ls)) if i != axis] + [axis]
        logits = transpose(logits, perm)
        labels = transpose(labels, perm)
    return _softmax_xent(logits, labels)


# ---------------------------------------------------------------------------------------
# sparse softmax cross-entropy (primitive: no one-hot labels materialised in the forward)
# ---------------------------------------------------------------------------------------


_UNSIGNED = {4: np.uint32, 8: np.uint64}
_LABEL_DTYPES = frozenset({np.dtype(np.int32), np.dtype(np.int64)})
_FLOAT_NP = frozenset(d._np for d in FLOAT)  # checked on arrays: no DType lookup per call


@primitive(
    "SparseSoftmaxCrossEntropyWithLogits",
    shape=lambda x, y: (tuple(x[:-1]), tuple(x)),
    dtype=lambda a, b: a,
    allowed=FLOAT,
    multi_output=True,
)
def _sparse_xent(logits, labels):
    # Like TensorFlow's kernel, a second output holds softmax(logits) - onehot(labels), the
    # gradient of the loss: the forward has computed exp(z) already, so the backward pass
    # is one multiply instead of a softmax and a one-hot.
    n, k = logits.shape
    # One reduction checks both bounds: viewed as unsigned, a negative label is huge.
    if labels.size and np.maximum.reduce(labels.view(_UNSIGNED[labels.dtype.itemsize]),
                                         axis=None) >= k:
        bad = labels[(labels < 0) | (labels >= k)][0]
        raise InvalidArgumentError(
            None,
            None,
            f"Received a label value of {bad} which is outside the valid range "
            f"of [0, {k}).  Label values: {' '.join(str(v) for v in labels.tolist())} "
            f"[Op:SparseSoftmaxCrossEntropyWithLogits] name: ",
        )
    z = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
    # Each row's label entry by flat index into z (cheaper than 2-D fancy indexing); z, e
    # and s are this function's own temporaries, so they are updated in place.
    idx = _row_offsets(n, k, labels.dtype) + labels
    picked = z.ravel().take(idx)
    e = np.exp(z, out=z)
    s = np.add.reduce(e, axis=1)
    loss = np.log(s)
    loss -= picked
    e /= s[:, None]
    e.ravel()[idx] -= 1  # e is contiguous: ravel() is a view
    return loss, e


_OFFSETS: dict = {}


def _row_offsets(n, k, dtype):
    """[0, k, 2k, ...] (n entries): the flat index of each row's start (cached, read-only).

    In the labels' dtype when every index fits it (adding equal dtypes is cheaper).
    """
    off = _OFFSETS.get((n, k, dtype))
    if off is None:
        if len(_OFFSETS) > 64:
            _OFFSETS.clear()
        dt = dtype if n * k < np.iinfo(dtype).max else np.int64
        off = np.arange(0, n * k, k, dtype=dt) if k else np.zeros(n, dt)
        off.flags.writeable = False
        _OFFSETS[(n, k, dtype)] = off
    return off


def _sparse_xent_grad(op, dloss, dbackprop):
    logits, labels = op.inputs
    _, backprop = op.outputs
    grad = None
    if dloss is not None:
        grad = _reshape(dloss, shape=dloss._value.shape + (1,))
        # The Mul primitive directly when the dtypes agree (they do unless a caller passed
        # another dtype): `*` would only check that and call it.
        grad = (_mul(grad, backprop) if grad._value.dtype is backprop._value.dtype
                else grad * backprop)
    if dbackprop is not None:
        # Only reached by higher-order gradients: backprop = softmax(logits) - onehot, so
        # its vector-Jacobian product is the softmax one, p * (v - sum(v * p)).
        p = backprop + one_hot(labels, logits._value.shape[1], dtype=logits.dtype)
        jvp = p * (dbackprop - reduce_sum(dbackprop * p, axis=1, keepdims=True))
        grad = jvp if grad is None else grad + jvp
    return grad, None


_sparse_xent_grad.accepts_none = True  # the engine passes None for an unused output
_sparse_xent.grad(_sparse_xent_grad)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Cross-entropy between integer class `labels` and unnormalised `logits`.

    Args:
      labels: int32/int64 `Tensor` of shape [d0, ..., dn-1], values in [0, classes).
      logits: float `Tensor` of shape [d0, ..., dn-1, classes].
      name: Unused; kept for API compatibility.

    Returns:
      The per-example loss, with the shape of `labels`.

    Raises:
      ValueError: if the shapes do not match.
      InvalidArgumentError: for a label outside [0, classes).

    >>> round(float(tf.nn.sparse_softmax_cross_entropy_with_logits(0, [0.0, 0.0])), 4)
    0.6931
    """
    if labels is None or logits is None:
        raise ValueError("Both labels= and logits= must be given.")
    logits = to_tensor(logits)
    labels = to_tensor(labels)
    if labels._value.dtype not in _LABEL_DTYPES:
        raise InvalidArgumentError(
            None,
            None,
            f"Value for attr 'Tlabels' of {D.tf_name(labels.dtype)} is not in the "
            "list of allowed values: int32, int64\n\t; NodeDef: "
            "{{node SparseSoftmaxCrossEntropyWithLogits}} "
            "[Op:SparseSoftmaxCrossEntropyWithLogits] name: ",
        )
    if logits._value.dtype not in _FLOAT_NP:
        raise _sparse_xent.dtype_error(logits.dtype)
    ls, ys = logits._value.shape, labels._value.shape
    if len(ls) != len(ys) + 1 or ls[:-1] != ys:
        raise ValueError(
            "`labels.shape` must equal `logits.shape` except for the last "
            f"dimension. Received: labels.shape={tuple(ys)} and "
            f"logits.shape={tuple(ls)}"
        )
    if len(ls) == 2:
        return _sparse_xent(logits, labels)[0]
    k = ls[-1]
    loss, _ = _sparse_xent(reshape(logits, (-1, k)), reshape(labels, (-1,)))
    return reshape(loss, ys)

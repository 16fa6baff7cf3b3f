"""Neural-network ops: activations, softmax and cross-entropies (tf.nn)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import normalize_axis, to_tensor
from tapeflow._src.ops.array_ops import reshape
from tapeflow._src.ops.math_ops import cast, exp, greater
from tapeflow._src.ops.reduction_ops import reduce_sum
from tapeflow._src.ops.registry import primitive

D = dtypes
FLOAT = D.FLOATING
REAL = D.FLOATING | D.INTEGER


# ---------------------------------------------------------------------------------------
# relu
# ---------------------------------------------------------------------------------------

@primitive("Relu", shape=rules.same_shape, dtype=rules.same_as_input, allowed=REAL)
def _relu(x):
    return np.maximum(x, np.zeros((), x.dtype))


# The gradient at exactly 0 is 0, as in TensorFlow (mask is x > 0).
@_relu.grad
def _relu_grad(op, dy):
    return dy * cast(greater(op.outputs[0], 0), dy.dtype)


def relu(features, name=None):
    """max(features, 0) element-wise.

    >>> tf.nn.relu([-1.0, 2.0]).numpy()
    array([0., 2.], dtype=float32)
    """
    return _relu(to_tensor(features))


# ---------------------------------------------------------------------------------------
# softmax and log_softmax (primitives: the composite exp(x)/sum(exp(x)) overflows)
# ---------------------------------------------------------------------------------------

def _softmax_np(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


@primitive("Softmax", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _softmax(x, *, axis):
    return _softmax_np(x, axis)


@_softmax.grad
def _softmax_grad(op, dy):
    s, = op.outputs
    axis = op.attrs["axis"]
    return s * (dy - reduce_sum(dy * s, axis=axis, keepdims=True))


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits)) along `axis` (default the last), computed stably."""
    x = to_tensor(logits)
    if x._value.ndim == 0:
        raise InvalidArgumentError(None, None, "logits must have >= 1 dimension, got shape [] "
                                   "[Op:Softmax] name: ")
    axis = -1 if axis is None else axis
    return _softmax(x, axis=normalize_axis(axis, x._value.ndim, "Softmax"))


@primitive("LogSoftmax", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _log_softmax(x, *, axis):
    m = np.max(x, axis=axis, keepdims=True)
    z = x - m
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@_log_softmax.grad
def _log_softmax_grad(op, dy):
    y, = op.outputs
    axis = op.attrs["axis"]
    return dy - exp(y) * reduce_sum(dy, axis=axis, keepdims=True)


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits))) along `axis` (default the last), computed stably."""
    x = to_tensor(logits)
    axis = -1 if axis is None else axis
    return _log_softmax(x, axis=normalize_axis(axis, x._value.ndim, "LogSoftmax"))


# ---------------------------------------------------------------------------------------
# Cross-entropy with logits
# ---------------------------------------------------------------------------------------

@primitive("SparseSoftmaxCrossEntropyWithLogits", allowed=FLOAT)
def _sparse_xent(logits, labels):
    n, k = logits.shape
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        bad = labels[(labels < 0) | (labels >= k)][0]
        raise InvalidArgumentError(
            None, None, f"Received a label value of {bad} which is outside the valid range "
            f"of [0, {k}).  Label values: {' '.join(str(v) for v in labels.tolist())} "
            f"[Op:SparseSoftmaxCrossEntropyWithLogits] name: ")
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1))
    return lse - z[np.arange(n), labels]


@_sparse_xent.grad
def _sparse_xent_grad(op, dy):
    from tapeflow._src.ops.array_ops import expand_dims, one_hot
    logits, labels = op.inputs
    k = logits._value.shape[1]
    p = _softmax(logits, axis=1)
    return expand_dims(dy, -1) * (p - one_hot(labels, k, dtype=logits.dtype)), None


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Cross-entropy between integer class `labels` and unnormalised `logits`.

    Args:
      labels: int32/int64 tensor of shape [d0, ..., dn-1] with values in [0, classes).
      logits: float tensor of shape [d0, ..., dn-1, classes].

    Returns:
      The per-example loss, shape of `labels`.
    """
    if labels is None or logits is None:
        raise ValueError("Both labels= and logits= must be given.")
    logits = to_tensor(logits)
    labels = to_tensor(labels)
    if labels._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, None, f"labels must be int32 or int64, got "
                                   f"{labels.dtype.name} [Op:SparseSoftmaxCrossEntropyWithLogits]")
    ls, ys = logits._value.shape, labels._value.shape
    if len(ls) != len(ys) + 1 or ls[:-1] != ys:
        raise ValueError(f"Shape mismatch: The shape of labels (received {ys}) should equal "
                         f"the shape of logits except for the last dimension (received {ls}).")
    k = ls[-1]
    flat_logits = reshape(logits, (-1, k))
    flat_labels = reshape(labels, (-1,))
    loss = _sparse_xent(flat_logits, flat_labels)
    return reshape(loss, ys)

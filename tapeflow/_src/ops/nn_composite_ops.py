"""Smaller tf.nn functions written as composites of other ops (their gradients come free):
batch_normalization, weighted cross-entropy, crelu, embedding_lookup and the loss-scaling
helpers."""

from __future__ import annotations

from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.array_ops import concat, expand_dims, squeeze
from tapeflow._src.ops.math_ops import abs as _abs
from tapeflow._src.ops.math_ops import cast, exp, log1p, rsqrt, truediv
from tapeflow._src.ops.nn_ops import relu
from tapeflow._src.ops.reduction_ops import reduce_sum


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """Normalises `x` with the given statistics: `scale * (x - mean) / sqrt(variance + eps)
    + offset` (`offset` and `scale` may be None).

    >>> float(tf.nn.batch_normalization(tf.constant(3.0), 1.0, 4.0, None, None, 0.0))
    1.0
    """
    x = to_tensor(x)
    inv = rsqrt(to_tensor(variance, dtype=x.dtype) + variance_epsilon)
    if scale is not None:
        inv = inv * to_tensor(scale, dtype=x.dtype)
    mean = to_tensor(mean, dtype=x.dtype)
    shift = -mean * inv if offset is None else to_tensor(offset, dtype=x.dtype) - mean * inv
    return x * inv + shift


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy whose positive term is weighted by `pos_weight`:
    `-pos_weight * labels * log(sigmoid(logits)) - (1 - labels) * log(1 - sigmoid(logits))`,
    computed without overflow.

    >>> round(float(tf.nn.weighted_cross_entropy_with_logits(1.0, 0.0, 2.0)), 4)
    1.3863
    """
    logits = to_tensor(logits)
    labels = to_tensor(labels, dtype=logits.dtype)
    if logits._value.shape != labels._value.shape:
        raise ValueError(
            f"`logits` and `labels` must have the same shape, received "
            f"({tuple(logits._value.shape)} vs {tuple(labels._value.shape)})."
        )
    log_weight = 1.0 + (to_tensor(pos_weight, dtype=logits.dtype) - 1.0) * labels
    return (1.0 - labels) * logits + log_weight * (log1p(exp(-_abs(logits))) + relu(-logits))


def crelu(features, axis=-1, name=None):
    """Concatenated ReLU: `concat([relu(x), relu(-x)], axis)`, doubling that axis.

    >>> tf.nn.crelu([1.0, -2.0]).numpy()
    array([1., 0., 0., 2.], dtype=float32)
    """
    x = to_tensor(features)
    return concat([relu(x), relu(-x)], axis)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """Sum of (weighted) per-example losses divided by the global batch size (by default
    the first dimension of `per_example_loss`, as with one replica).

    >>> float(tf.nn.compute_average_loss([1.0, 2.0, 3.0]))
    2.0
    """
    loss = to_tensor(per_example_loss)
    if loss._value.ndim == 0:
        raise ValueError(
            "Invalid value passed for `per_example_loss`. Expected a tensor with "
            f"at least rank 1. Received per_example_loss={loss._value} with "
            "rank 0"
        )
    if sample_weight is not None:
        w = cast(to_tensor(sample_weight), loss.dtype)
        # Weights one rank short are per-example: they broadcast over trailing loss dims.
        if w._value.ndim == loss._value.ndim - 1:
            w = expand_dims(w, -1)
        elif w._value.ndim == loss._value.ndim + 1 and w._value.shape[-1] == 1:
            w = squeeze(w, [-1])
        loss = loss * w
    if global_batch_size is None:
        global_batch_size = loss._value.shape[0]
    # true division, so integer losses give float64 as in TensorFlow
    return truediv(reduce_sum(loss), cast(to_tensor(global_batch_size), loss.dtype))


def scale_regularization_loss(regularization_loss):
    """The regularisation loss divided by the number of replicas (1 here), unchanged.

    >>> float(tf.nn.scale_regularization_loss(3.0))
    3.0
    """
    loss = to_tensor(regularization_loss)
    if not loss.dtype.is_floating:
        raise TypeError(
            f"`regularization_loss` must be a floating point tensor. Received: "
            f"regularization_loss.dtype={loss.dtype}"
        )
    return reduce_sum(loss)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of `params` at `ids` (a gather on axis 0). `params` may be one tensor or a
    one-element list; partitioned lists and `max_norm` are not implemented.

    >>> tf.nn.embedding_lookup(tf.constant([[1.0, 2.0], [3.0, 4.0]]), [1, 1]).numpy()
    array([[3., 4.],
           [3., 4.]], dtype=float32)
    """
    from tapeflow._src.ops.gather_ops import gather

    if isinstance(params, (list, tuple)):
        # A Python list is a list of partitions, as in TensorFlow.
        if len(params) != 1:
            raise NotImplementedError(
                "tf.nn.embedding_lookup with partitioned params is not implemented in tapeflow."
            )
        params = params[0]
    if max_norm is not None:
        raise NotImplementedError(
            "tf.nn.embedding_lookup(max_norm=...) is not implemented in tapeflow."
        )
    return gather(params, ids)

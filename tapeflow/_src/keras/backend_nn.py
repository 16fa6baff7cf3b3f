"""tf.keras.backend functions for control flow, activations, losses and random tensors
(`K.switch`, `K.in_train_phase`, `K.relu`, `K.binary_crossentropy`, `K.random_normal`, ...),
with tf_keras 2.21's conventions (see backend.py)."""

from __future__ import annotations

import sys

import numpy as np

import tapeflow as tf
from tapeflow._src.keras.backend import (
    _t, epsilon, floatx, image_data_format, int_shape, learning_phase, ndim,
)


# -- control flow -----------------------------------------------------------------------------

def switch(condition, then_expression, else_expression):
    """Chooses between two tensors (or callables) by a boolean condition.

    A scalar condition picks one branch (`tf.cond`); a tensor condition selects element-wise,
    after padding its shape with trailing 1s and tiling it to the branches' shape.

    >>> K = tf.keras.backend
    >>> K.switch(tf.constant([True, False]), tf.ones(2), tf.zeros(2)).numpy().tolist()
    [1.0, 0.0]
    """
    condition = _t(condition)
    if condition.dtype != tf.bool:
        condition = tf.cast(condition, "bool")
    cond_ndim = ndim(condition)
    if not cond_ndim:
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return tf.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = ndim(_t(then_expression))
    if cond_ndim > expr_ndim:
        raise ValueError(f"Rank of `condition` should be less than or equal to rank of "
                         f"`then_expression` and `else_expression`. ndim(condition)={cond_ndim}"
                         f", ndim(then_expression)={expr_ndim}")
    if cond_ndim > 1:
        cond_shape = int_shape(condition) + (1,) * (expr_ndim - cond_ndim)
        condition = tf.reshape(condition, cond_shape)
        expr_shape = int_shape(_t(then_expression))
        multiples = [e if e - c > 0 else 1 for e, c in zip(expr_shape, cond_shape)]
        condition = tf.tile(condition, multiples)
    return tf.where(condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise (either may be a callable).

    `training` defaults to the enclosing layer call's `training`, then to
    `learning_phase()` (0); a tensor `training` selects with `switch`.
    """
    if training is None:
        from tapeflow._src.keras.engine import _training_stack
        training = _training_stack[-1] if _training_stack else None
    if training is None:
        training = learning_phase()
    if not isinstance(training, (tf.Tensor, tf.Variable)):
        if training == 1 or training is True:
            return x() if callable(x) else x
        if training == 0 or training is False:
            return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """`x` in the test phase, `alt` otherwise."""
    return in_train_phase(alt, x, training=training)


def map_fn(fn, elems, name=None, dtype=None):
    return tf.map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn, elems, initializer=None, name=None):
    return tf.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    return tf.foldr(fn, elems, initializer=initializer, name=name)


def print_tensor(x, message="", summarize=3):
    """Prints `message` and the value of `x` to stdout (as `tf.print`) and returns `x`."""
    tf.print(message, x, output_stream=sys.stdout, summarize=summarize)
    return x


# -- activations and nn -----------------------------------------------------------------------

def sigmoid(x):
    return tf.math.sigmoid(x)


def hard_sigmoid(x):
    """`clip(0.2 * x + 0.5, 0, 1)`."""
    x = _t(x)
    x = x * tf.constant(0.2, dtype=x.dtype) + tf.constant(0.5, dtype=x.dtype)
    return tf.clip_by_value(x, 0.0, 1.0)


def tanh(x):
    return tf.tanh(x)


def softplus(x):
    return tf.math.softplus(x)


def softsign(x):
    return tf.math.softsign(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with optional leak `alpha`, cap `max_value` and `threshold`.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`, and
    `alpha * (x - threshold)` below the threshold.
    """
    x = _t(x)
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return tf.nn.leaky_relu(x, alpha=alpha)
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * tf.cast(tf.greater(x, threshold), dtype=x.dtype)
    elif max_value == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.constant(0, dtype=x.dtype),
                             tf.constant(max_value, dtype=x.dtype))
    if alpha != 0.0:
        x = x - tf.constant(alpha, dtype=x.dtype) * negative_part
    return x


def elu(x, alpha=1.0):
    """Exponential linear unit; `alpha` scales the negative part."""
    x = _t(x)
    res = tf.nn.elu(x)
    if alpha == 1:
        return res
    return tf.where(x > 0, res, alpha * res)


def softmax(x, axis=-1):
    """Softmax over `axis` (an int or a tuple of axes); rank-1 inputs are rejected."""
    x = _t(x)
    if x.shape.rank <= 1:
        shown = x.numpy() if hasattr(x, "numpy") else x
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {shown}")
    if isinstance(axis, int):
        output = tf.nn.softmax(x, axis=axis)
    else:
        numerator = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
        output = numerator / tf.reduce_sum(numerator, axis=axis, keepdims=True)
    from tapeflow._src.keras.losses import _remember_logits
    _remember_logits(output, x, "softmax")  # crossentropies then use the logits
    return output


def l2_normalize(x, axis=None):
    return tf.math.l2_normalize(x, axis=axis)


def bias_add(x, bias, data_format=None):
    """Adds `bias` (a vector, or a tensor of rank `ndim(x) - 1`) along the channel axis."""
    if data_format is None:
        data_format = image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    x, bias = _t(x), _t(bias)
    bias_shape = int_shape(bias)
    if len(bias_shape) != 1 and len(bias_shape) != ndim(x) - 1:
        raise ValueError(f"Unexpected bias dimensions {len(bias_shape)}, expect to be 1 or "
                         f"{ndim(x) - 1} dimensions")
    if len(bias_shape) == 1:
        fmt = "NCHW" if data_format == "channels_first" else "NHWC"
        return tf.nn.bias_add(x, bias, data_format=fmt)
    if ndim(x) in (3, 4, 5):
        if data_format == "channels_first":
            return x + tf.reshape(bias, (1, bias_shape[-1]) + bias_shape[:-1])
        return x + tf.reshape(bias, (1,) + bias_shape)
    return tf.nn.bias_add(x, bias)


def dropout(x, level, noise_shape=None, seed=None):
    """`tf.nn.dropout` with rate `level` (a random seed when none is given)."""
    if seed is None:
        seed = np.random.randint(10e6)
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


# -- losses -----------------------------------------------------------------------------------

def _logits(output, from_logits, kind):
    if not from_logits:
        from tapeflow._src.keras.losses import _logits_of
        logits = _logits_of(output, kind)
        if logits is not None:
            return logits, True
    return output, from_logits


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy (no mean over the last axis).

    Probabilities are clipped to `[eps, 1 - eps]` and `eps` is added inside the logs.
    """
    target, output = _t(target), _t(output)
    output, from_logits = _logits(output, from_logits, "sigmoid")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = tf.constant(epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.math.log(output + epsilon())
    bce = bce + (1 - target) * tf.math.log(1 - output + epsilon())
    return -bce


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and a distribution along `axis`.

    Probabilities are renormalised to sum to 1 and clipped to `[eps, 1 - eps]`.
    """
    target, output = _t(target), _t(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _logits(output, from_logits, "softmax")
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis, True)
    eps = tf.constant(epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Categorical crossentropy with each class term scaled by `alpha * (1 - p) ** gamma`."""
    target, output = _t(target), _t(output)
    target.shape.assert_is_compatible_with(output.shape)
    output, from_logits = _logits(output, from_logits, "softmax")
    if from_logits:
        output = tf.nn.softmax(output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = tf.constant(epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    cce = -target * tf.math.log(output)
    weight = tf.pow(1.0 - output, gamma) * alpha
    return tf.reduce_sum(weight * cce, axis=axis)


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Element-wise binary crossentropy scaled by `(1 - p_t) ** gamma` (and optionally by
    `alpha` for positives, `1 - alpha` for negatives)."""
    target, output = _t(target), _t(output)
    probs = sigmoid(output) if from_logits else output
    p_t = target * probs + (1 - target) * (1 - probs)
    focal = tf.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits)
    if apply_class_balancing:
        focal = (target * alpha + (1 - target) * (1 - alpha)) * focal
    return focal


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """Crossentropy between integer class targets and a distribution along `axis`.

    With `ignore_class`, entries of that class contribute 0.
    """
    target, output = _t(target), _t(output)
    target = tf.cast(target, "int64")
    output, from_logits = _logits(output, from_logits, "softmax")
    if not from_logits:
        eps = tf.constant(epsilon(), dtype=output.dtype)
        output = tf.math.log(tf.clip_by_value(output, eps, 1 - eps))
    output_rank = output.shape.rank
    axis %= output_rank
    if axis != output_rank - 1:
        perm = [*range(axis), *range(axis + 1, output_rank), axis]
        output = tf.transpose(output, perm=perm)
    output_shape = int_shape(output)
    update_shape = target.shape.rank != output_rank - 1
    if update_shape:
        target = tf.reshape(target, [-1])
        output = tf.reshape(output, [-1, output_shape[-1]])
    if ignore_class is not None:
        valid = tf.not_equal(target, tf.cast(ignore_class, target.dtype))
        res = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.boolean_mask(target, valid), logits=tf.boolean_mask(output, valid))
        res_shape = tf.constant(output_shape[:-1], dtype=tf.int64)
        valid = tf.reshape(valid, res_shape)
        return tf.scatter_nd(tf.where(valid), res, res_shape)
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update_shape and output_rank >= 3:
        res = tf.reshape(res, output_shape[:-1])
    return res


# -- random -----------------------------------------------------------------------------------

def _random_args(dtype, seed):
    # As tf_keras: without a seed, draw one from NumPy's global generator.
    return (floatx() if dtype is None else dtype,
            np.random.randint(10e6) if seed is None else seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype, seed = _random_args(dtype, seed)
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype, seed = _random_args(dtype, seed)
    return tf.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype, seed = _random_args(dtype, seed)
    return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype, seed=seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability `p`, else 0 (uniform draws `<= p`), in floatx by default."""
    dtype, seed = _random_args(dtype, seed)
    return tf.where(tf.random.uniform(shape, dtype=dtype, seed=seed) <= p,
                    tf.ones(shape, dtype=dtype), tf.zeros(shape, dtype=dtype))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated alias of `random_bernoulli`."""
    import warnings
    warnings.warn("`tf.keras.backend.random_binomial` is deprecated, and will be removed in a "
                  "future version.Please use `tf.keras.backend.random_bernoulli` instead.",
                  stacklevel=2)
    return random_bernoulli(shape, p, dtype, seed)


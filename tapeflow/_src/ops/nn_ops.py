"""Neural-network ops (tf.nn): activations, softmax, normalisation, moments, bias_add,
l2_loss and dropout.

Cross-entropies live in nn_loss_ops.py, convolutions in conv_ops.py and pooling in
pooling_ops.py.
"""

from __future__ import annotations

import numbers

import numpy as np

from tapeflow._src.autodiff.custom_gradient import stop_gradient
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.autodiff.record import source
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import (
    binary_args,
    normalize_axes,
    normalize_axis,
    to_tensor,
)
from tapeflow._src.ops.array_ops import _select, squeeze, where, zeros_like
from tapeflow._src.ops.math_ops import (
    _mul,
)
from tapeflow._src.ops.math_ops import (
    abs as _abs,
)
from tapeflow._src.ops.math_ops import (
    cast,
    erf,
    exp,
    greater_equal,
    less,
    maximum,
    multiply,
    rsqrt,
    sigmoid,
    square,
    squared_difference,
    tanh,
)
from tapeflow._src.ops.reduction_ops import reduce_mean, reduce_sum
from tapeflow._src.ops.registry import primitive

D = dtypes
FLOAT = D.FLOATING
REAL = D.FLOATING | D.INTEGER


def _mask(cond, dtype):
    """A boolean condition as 0/1 in `dtype` (not differentiable: the tape skips compares)."""
    return cast(cond, dtype)


# ---------------------------------------------------------------------------------------
# relu, relu6, leaky_relu
# ---------------------------------------------------------------------------------------


@primitive("Relu", shape=rules.same_shape, dtype=rules.same_as_input, allowed=REAL)
def _relu(x):
    return np.maximum(x, np.zeros((), x.dtype))


# The gradient at exactly 0 is 0, as in TensorFlow (mask is y > 0).
@_relu.grad
def _relu_grad(op, dy):
    return _relu_backprop(dy, op.outputs[0])


# The gradient ops are primitives (TF's ReluGrad, Relu6Grad, LeakyReluGrad) so that a second
# derivative is zeros, connected to the input, rather than None - as in TensorFlow.
@primitive("ReluGrad", shape=rules.same_as_input, dtype=rules.same_as_input, allowed=FLOAT)
def _relu_backprop(dy, y):
    # A multiply by the mask, as TensorFlow's kernel: a NaN or inf in dy where y <= 0 gives
    # NaN (np.where would give 0), and it is about twice as fast as np.where. With equal
    # shapes and dtypes, the mask cast to dy's dtype and multiplied in place gives the same
    # values for less than the mixed bool-float multiply.
    if dy.shape == y.shape and dy.dtype == y.dtype and type(y) is np.ndarray:
        out = (y > 0).astype(dy.dtype)
        out *= dy
        return out
    return dy * (y > 0)


@_relu_backprop.grad
def _relu_backprop_grad(op, g):
    _, y = op.inputs
    return _relu_backprop(g, y), zeros_like(y)


def relu(features, name=None):
    """Rectified linear unit: `max(features, 0)` element-wise.

    Args:
      features: A real `Tensor`.
      name: Unused; kept for API compatibility.

    Returns:
      A `Tensor` with the shape and dtype of `features`.

    >>> tf.nn.relu([-1.0, 2.0]).numpy()
    array([0., 2.], dtype=float32)
    """
    return _relu(to_tensor(features))


@primitive("Relu6", shape=rules.same_shape, dtype=rules.same_as_input, allowed=REAL)
def _relu6(x):
    return np.clip(x, np.zeros((), x.dtype), np.asarray(6, x.dtype))


# TensorFlow's mask is 0 < x < 6: the gradient is 0 at both kinks.
@_relu6.grad
def _relu6_grad(op, dy):
    return _relu6_backprop(dy, op.inputs[0])


@primitive("Relu6Grad", shape=rules.same_as_input, dtype=rules.same_as_input, allowed=FLOAT)
def _relu6_backprop(dy, x):
    return np.where((x > 0) & (x < 6), dy, np.zeros((), dy.dtype))


@_relu6_backprop.grad
def _relu6_backprop_grad(op, g):
    _, x = op.inputs
    return _relu6_backprop(g, x), zeros_like(x)


def relu6(features, name=None):
    """`min(max(features, 0), 6)` element-wise.

    >>> tf.nn.relu6([-1.0, 3.0, 8.0]).numpy()
    array([0., 3., 6.], dtype=float32)
    """
    return _relu6(to_tensor(features))


@primitive("LeakyRelu", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _leaky_relu(x, *, alpha):
    return np.where(x > 0, x, x * np.asarray(alpha, x.dtype))


# TensorFlow's mask is x > 0: at exactly 0 the slope is alpha.
@_leaky_relu.grad
def _leaky_relu_grad(op, dy):
    return _leaky_relu_backprop(dy, op.inputs[0], alpha=op.attrs["alpha"])


@primitive("LeakyReluGrad", shape=rules.same_as_input, dtype=rules.same_as_input, allowed=FLOAT)
def _leaky_relu_backprop(dy, x, *, alpha):
    return np.where(x > 0, dy, dy * np.asarray(alpha, dy.dtype))


@_leaky_relu_backprop.grad
def _leaky_relu_backprop_grad(op, g):
    _, x = op.inputs
    return _leaky_relu_backprop(g, x, alpha=op.attrs["alpha"]), zeros_like(x)


def leaky_relu(features, alpha=0.2, name=None):
    """`features` where positive, `alpha * features` elsewhere.

    Integer inputs are converted to float32 first, as TensorFlow does.

    >>> tf.nn.leaky_relu([-1.0, 2.0]).numpy()
    array([-0.2,  2. ], dtype=float32)
    """
    x = to_tensor(features)
    if x.dtype.is_integer:
        x = cast(x, D.float32)
    return _leaky_relu(x, alpha=float(np.asarray(alpha)))


# ---------------------------------------------------------------------------------------
# elu, selu
# ---------------------------------------------------------------------------------------


@primitive("Elu", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _elu(x):
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x)


# Written with the output, as TensorFlow's EluGrad: y < 0 ? dy * (y + 1) : dy (so 1 at 0).
@_elu.grad
def _elu_grad(op, dy):
    (y,) = op.outputs
    return where(less(y, 0), dy * (y + 1.0), dy)


def elu(features, name=None):
    """Exponential linear unit: `features` if positive, `exp(features) - 1` otherwise.

    >>> tf.nn.elu([0.0, 1.0]).numpy()
    array([0., 1.], dtype=float32)
    """
    return _elu(to_tensor(features))


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


@primitive("Selu", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _selu(x):
    scale = np.asarray(_SELU_SCALE, x.dtype)
    neg = np.asarray(_SELU_SCALE * _SELU_ALPHA, x.dtype) * np.expm1(np.minimum(x, 0))
    return np.where(x < 0, neg, scale * x).astype(x.dtype, copy=False)


# Written with the output, as TensorFlow's SeluGrad: the slope at 0 is `scale`.
@_selu.grad
def _selu_grad(op, dy):
    (y,) = op.outputs
    return where(less(y, 0), dy * (y + _SELU_SCALE * _SELU_ALPHA), dy * _SELU_SCALE)


def selu(features, name=None):
    """Scaled exponential linear unit: `scale * elu(x)` with `alpha` ~ 1.6733 on the
    negative side and `scale` ~ 1.0507.

    >>> float(tf.nn.selu(0.0))
    0.0
    """
    return _selu(to_tensor(features))


# ---------------------------------------------------------------------------------------
# softplus, softsign, gelu, silu, log_sigmoid
# ---------------------------------------------------------------------------------------


# Primitive: the composite max(x, 0) + log1p(exp(-|x|)) has gradient 1 at x == 0, not 0.5.
@primitive("Softplus", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _softplus(x):
    return np.logaddexp(np.zeros((), x.dtype), x)


@_softplus.grad
def _softplus_grad(op, dy):
    return dy * sigmoid(op.inputs[0])


def softplus(features, name=None):
    """`log(exp(features) + 1)` element-wise, without overflow for large |features|.

    >>> float(tf.nn.softplus(0.0))
    0.6931471824645996
    """
    return _softplus(to_tensor(features))


@primitive("Softsign", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _softsign(x):
    return x / (np.ones((), x.dtype) + np.abs(x))


@_softsign.grad
def _softsign_grad(op, dy):
    (x,) = op.inputs
    return dy / square(1.0 + _abs(x))


def softsign(features, name=None):
    """`features / (abs(features) + 1)` element-wise.

    >>> tf.nn.softsign([1.0, -3.0]).numpy()
    array([ 0.5 , -0.75], dtype=float32)
    """
    return _softsign(to_tensor(features))


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit `x * P(X <= x)` for standard normal X.

    Args:
      features: A floating-point `Tensor`.
      approximate: If True, use the tanh approximation instead of the exact erf form.
      name: Unused; kept for API compatibility.

    Raises:
      ValueError: if `features` is not floating point.

    >>> round(float(tf.nn.gelu(1.0)), 4)
    0.8413
    """
    x = to_tensor(features)
    if not x.dtype.is_floating:
        raise ValueError(
            f"`features.dtype` must be a floating point tensor.Received:features.dtype={x.dtype}"
        )
    # Composite: erf and tanh are smooth primitives, so the composite gradient is exact.
    if approximate:
        inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + tanh(inner))
    return 0.5 * x * (1.0 + erf(x / 1.4142135623730951))


def silu(features, beta=1.0):
    """Sigmoid linear unit (swish): `features * sigmoid(beta * features)`.

    >>> float(tf.nn.silu(0.0))
    0.0
    """
    x = to_tensor(features)
    b = cast(to_tensor(beta), x.dtype)
    return x * sigmoid(b * x)


swish = silu


def log_sigmoid(x, name=None):
    """`log(sigmoid(x))` element-wise, computed as `-softplus(-x)` so it never overflows.

    >>> round(float(tf.math.log_sigmoid(0.0)), 4)
    -0.6931
    """
    x = to_tensor(x)
    return -_softplus(-x)


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
    (s,) = op.outputs
    axis = op.attrs["axis"]
    return s * (dy - reduce_sum(dy * s, axis=axis, keepdims=True))


def _softmax_args(logits, axis, op_name):
    x = to_tensor(logits)
    if x._value.ndim == 0:
        raise InvalidArgumentError(
            None, None, f"logits must have >= 1 dimension, got shape [] [Op:{op_name}] name: "
        )
    axis = -1 if axis is None else axis
    return x, normalize_axis(axis, x._value.ndim, op_name)


def softmax(logits, axis=None, name=None):
    """`exp(logits) / sum(exp(logits))` along `axis` (default the last), computed stably.

    >>> tf.nn.softmax([0.0, 0.0]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    x, axis = _softmax_args(logits, axis, "Softmax")
    return _softmax(x, axis=axis)


@primitive("LogSoftmax", shape=rules.same_shape, dtype=rules.same_as_input, allowed=FLOAT)
def _log_softmax(x, *, axis):
    m = np.max(x, axis=axis, keepdims=True)
    z = x - m
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@_log_softmax.grad
def _log_softmax_grad(op, dy):
    (y,) = op.outputs
    axis = op.attrs["axis"]
    return dy - exp(y) * reduce_sum(dy, axis=axis, keepdims=True)


def log_softmax(logits, axis=None, name=None):
    """`logits - log(sum(exp(logits)))` along `axis` (default the last), computed stably.

    >>> tf.nn.log_softmax([0.0, 0.0]).numpy()
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    x, axis = _softmax_args(logits, axis, "LogSoftmax")
    return _log_softmax(x, axis=axis)


# ---------------------------------------------------------------------------------------
# l2_normalize, moments, l2_loss, bias_add
# ---------------------------------------------------------------------------------------


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """Divides `x` by its L2 norm along `axis`: `x / sqrt(max(sum(x**2), epsilon))`.

    Args:
      x: A floating-point `Tensor`.
      axis: Axis or axes to normalise over; None means all.
      epsilon: Lower bound on the squared norm (avoids division by zero).
      name: Unused; kept for API compatibility.
      dim: Deprecated alias of `axis`.

    >>> tf.nn.l2_normalize([3.0, 4.0]).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    x = to_tensor(x)
    if x.dtype.is_complex:
        raise NotImplementedError(
            "tf.nn.l2_normalize of complex tensors is not implemented in tapeflow."
        )
    axes = normalize_axes(axis, x._value.ndim, "Sum")
    square_sum = reduce_sum(square(x), axis=axes, keepdims=True)
    eps = to_tensor(epsilon, dtype=x.dtype)  # TypeError for integer x, as in TensorFlow
    return multiply(x, rsqrt(maximum(square_sum, eps)))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and variance of `x` over `axes`.

    float16 inputs are computed in float32 and cast back, as TensorFlow does. `shift` is
    accepted and ignored (TensorFlow ignores it too).

    Returns:
      A `(mean, variance)` pair.

    >>> m, v = tf.nn.moments(tf.constant([1.0, 3.0]), axes=[0])
    >>> float(m), float(v)
    (2.0, 1.0)
    """
    x = to_tensor(x)
    y = cast(x, D.float32) if x.dtype == D.float16 else x
    axes = normalize_axes(axes, y._value.ndim, "Mean")
    mean = reduce_mean(y, axis=axes, keepdims=True)
    # The mean is a constant inside the variance, as in TensorFlow.
    variance = reduce_mean(squared_difference(y, stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean = squeeze(mean, axes)
        variance = squeeze(variance, axes)
    if x.dtype == D.float16:
        return cast(mean, D.float16), cast(variance, D.float16)
    return mean, variance


@primitive("L2Loss", shape=lambda x, **a: (), dtype=rules.same_as_input, allowed=FLOAT)
def _l2_loss(x):
    return np.asarray(np.sum(x * x) / np.asarray(2, x.dtype), dtype=x.dtype)


@_l2_loss.grad
def _l2_loss_grad(op, dy):
    return dy * op.inputs[0]


def l2_loss(t, name=None):
    """Half the squared L2 norm of `t`: `sum(t ** 2) / 2`, a scalar.

    >>> float(tf.nn.l2_loss([1.0, 2.0]))
    2.5
    """
    return _l2_loss(to_tensor(t))


def _bias_add_shape(x, b, *, channel_axis):
    return x


@primitive("BiasAdd", shape=_bias_add_shape, dtype=rules.same_as_input, allowed=D.NUMERIC)
def _bias_add(x, b, *, channel_axis):
    if channel_axis == 1:
        return x + b.reshape((-1,) + (1,) * (x.ndim - 2))
    return x + b


@_bias_add.grad
def _bias_add_grad(op, dy):
    axis = op.attrs["channel_axis"] % dy._value.ndim
    others = tuple(i for i in range(dy._value.ndim) if i != axis)
    return dy, reduce_sum(dy, axis=others)


def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D `bias` along the channel axis of `value` (last, or 1 for 'NC...').

    Args:
      value: A `Tensor` of rank >= 2.
      bias: A 1-D `Tensor` whose length is the channel dimension of `value`.
      data_format: None, 'N...C' (channels last) or 'NC...' (channels first).
      name: Unused; kept for API compatibility.

    >>> tf.nn.bias_add([[1.0, 2.0]], [10.0, 20.0]).numpy()
    array([[11., 22.]], dtype=float32)
    """
    x, b = binary_args(value, bias, "BiasAdd")
    channels_first = data_format is not None and data_format.startswith("NC")
    if data_format is not None and not (
        channels_first or data_format.startswith("N") and data_format.endswith("C")
    ):
        raise ValueError(
            f"data_format must be of the form `N...C` or `NC...`. "
            f"Received: data_format={data_format}"
        )
    xs, bs = x._value.shape, b._value.shape

    def fail(text):
        return InvalidArgumentError(None, None, f"{text} [Op:BiasAdd] name: ")

    if len(xs) < 2:
        raise fail(f"Input tensor must be at least 2D: [{','.join(map(str, xs))}]")
    if len(bs) != 1:
        raise fail(f"Biases must be 1D: [{','.join(map(str, bs))}]")
    axis = 1 if channels_first else -1
    if xs[axis] != bs[0]:
        where_ = "channel" if channels_first else "last"
        raise fail(
            f"Must provide as many biases as the {where_} dimension of the input "
            f"tensor: [{bs[0]}] vs. [{','.join(map(str, xs))}]"
        )
    return _bias_add(x, b, channel_axis=axis)


# ---------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return x._value.shape
    if isinstance(noise_shape, (Tensor,)):
        return tuple(int(d) for d in noise_shape._value.reshape(-1))
    dims = list(noise_shape)
    xs = x._value.shape
    if len(dims) == len(xs):
        dims = [xs[i] if d is None else d for i, d in enumerate(dims)]
    return tuple(int(d) for d in dims)


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes each element of `x` with probability `rate` and scales the kept ones by
    `1 / (1 - rate)`, so the expected sum is unchanged.

    Args:
      x: A floating-point `Tensor`.
      rate: The drop probability, a float in [0, 1) or a scalar tensor.
      noise_shape: The shape of the random keep/drop mask, broadcast against `x` (e.g.
        `[batch, 1]` drops whole rows); None entries take `x`'s size.
      seed: Op-level seed; together with `tf.random.set_seed` it makes the mask
        reproducible.
      name: Unused; kept for API compatibility.

    Raises:
      ValueError: if `x` is not floating point or `rate` is outside [0, 1).

    >>> tf.nn.dropout(tf.ones([4]), rate=0.0).numpy()
    array([1., 1., 1., 1.], dtype=float32)
    """
    from tapeflow._src.ops import random_ops

    x = to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(
            "`x.dtype` must be a floating point tensor as `x` will be scaled. "
            f"Received: x_dtype={x.dtype}"
        )
    is_number = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
    if is_number and not 0 <= rate < 1:
        raise ValueError(
            f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}"
        )
    if is_number and rate == 0:
        random_ops._draw_rng(seed)  # consumes an op seed, as TensorFlow's fast path does
        return x
    if is_number:
        # The common case in three steps: one draw giving the keep mask, x * scale, and a
        # select (dropped entries are +0 whatever x's sign, as TensorFlow's select gives).
        # The scale is computed in x's dtype, as TensorFlow's ops compute it.
        dt = x._value.dtype.type
        r = dt(rate)
        rng = random_ops._draw_rng(seed)
        shape, fdt = _noise_shape(x, noise_shape), x.dtype
        keep = source(lambda: random_ops._unit_uniform(rng, shape, fdt) >= r)
        scaled = _mul(x, _wrap(np.asarray(dt(1) / (dt(1) - r))))
        return _select(keep, scaled, _wrap(np.zeros((), dt)))
    rate_t = to_tensor(rate, dtype=x.dtype) if is_number else cast(to_tensor(rate), x.dtype)
    if rate_t._value.ndim != 0:
        raise ValueError(f"`rate` must be a scalar. Received: rate={rate}")
    shape = _noise_shape(x, noise_shape)
    random = random_ops.uniform(shape, dtype=x.dtype, seed=seed)
    keep = greater_equal(random, rate_t)
    scale = 1.0 / (1.0 - rate_t)
    return where(keep, x * scale, zeros_like(x))

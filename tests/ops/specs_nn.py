"""Op-table rows for tf.nn (activations, losses, normalisation, conv, pooling), and the
straightforward NumPy references they use (loops over output pixels: slow, obviously
correct, for tiny shapes only)."""

import math

import numpy as np

import tapeflow as tf
from tapeflow._src.ops.nn_loss_ops import _xent_backprop
from tapeflow._src.ops.nn_ops import (
    _leaky_relu_backprop,
    _relu6_backprop,
    _relu_backprop,
    log_sigmoid,
)
from tapeflow._src.ops.pooling_ops import (
    _avg_pool_grad_prim,
    _max_pool_grad_grad,
    _max_pool_grad_prim,
)
from tests.helpers.op_specs import OpSpec, floats, positive


def same_pads(size, k, s, d=1):
    out = math.ceil(size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return (total // 2, total - total // 2)


def _pads(padding, x_spatial, k_spatial, strides, dilations):
    if padding == "VALID":
        return [(0, 0)] * len(x_spatial)
    if padding == "SAME":
        return [
            same_pads(n, k, s, d) for n, k, s, d in zip(x_spatial, k_spatial, strides, dilations)
        ]
    return [tuple(p) for p in padding]


def conv2d(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    """NHWC cross-correlation; padding 'SAME', 'VALID' or [(top, bottom), (left, right)]."""
    kh, kw, _, o = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    pads = _pads(padding, x.shape[1:3], (kh, kw), strides, dilations)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, o), np.result_type(x, w))
    for i in range(oh):
        for j in range(ow):
            patch = xp[
                :,
                i * sh : i * sh + (kh - 1) * dh + 1 : dh,
                j * sw : j * sw + (kw - 1) * dw + 1 : dw,
                :,
            ]
            out[:, i, j, :] = np.einsum("nabc,abco->no", patch, w)
    return out


def depthwise_conv2d(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    """Per-channel conv2d; output channel c * multiplier + m."""
    outs = [
        conv2d(x[..., c : c + 1], w[:, :, c : c + 1, :], strides, padding, dilations)
        for c in range(x.shape[-1])
    ]
    return np.concatenate(outs, axis=-1)


def pool2d(x, ksize, strides, padding, kind):
    """NHWC max or average pooling; averages count only unpadded inputs."""
    pads = _pads(padding, x.shape[1:3], ksize, strides, (1, 1))
    fill = -np.inf if kind == "MAX" else np.nan
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    (kh, kw), (sh, sw) = ksize, strides
    oh = (xp.shape[1] - kh) // sh + 1
    ow = (xp.shape[2] - kw) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
            out[:, i, j, :] = (
                np.max(patch, axis=(1, 2)) if kind == "MAX" else np.nanmean(patch, axis=(1, 2))
            )
    return out.astype(x.dtype)


def softplus(x):
    return np.logaddexp(0.0, x)


def log_softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf)(x)


def _input_grad(fn, wrt):
    """A function of (x, w, u) returning d<u, fn(x, w)>/d(wrt) computed by an inner tape,
    so the outer tape records the gradient primitive itself."""

    def f(x, w, u):
        with tf.GradientTape() as t:
            t.watch([x, w])
            y = fn(x, w)
        return t.gradient(y, [x, w][wrt], output_gradients=u)

    return f


def _distributions(shape):
    p = floats(shape, 0.1, 1.0)
    return p / p.sum(-1, keepdims=True)


def _dropout(x):
    tf.random.set_seed(5)  # the same mask on every call (finite differences call f often)
    return tf.nn.dropout(x, rate=0.4, seed=3)


_POOL = dict(ksize=(2, 2), strides=(1, 1), pads=((0, 1), (1, 0)))
_conv_same = lambda x, w: tf.nn.conv2d(x, w, 1, "SAME")  # noqa: E731
_depthwise_same = lambda x, w: tf.nn.depthwise_conv2d(x, w, [1] * 4, "SAME")  # noqa: E731

SPECS = [
    # Activations (inputs drawn off the kinks; the kinks are tested against TF's values).
    OpSpec("relu", tf.nn.relu, lambda x: np.maximum(x, 0), [floats((2, 5))], grad_order=2),
    OpSpec("relu6", tf.nn.relu6, lambda x: np.clip(x, 0, 6), [floats((3, 4), -3, 9)], grad_order=2),
    OpSpec(
        "leaky_relu",
        lambda x: tf.nn.leaky_relu(x, alpha=0.3),
        lambda x: np.where(x > 0, x, 0.3 * x),
        [floats((2, 5))],
        grad_order=2,
    ),
    OpSpec(
        "elu", tf.nn.elu, lambda x: np.where(x < 0, np.expm1(x), x), [floats((2, 5))], grad_order=2
    ),
    OpSpec(
        "selu",
        tf.nn.selu,
        lambda x: 1.0507009873554805 * np.where(x < 0, 1.6732632423543772 * np.expm1(x), x),
        [floats((2, 5))],
        grad_order=2,
    ),
    OpSpec("softplus", tf.nn.softplus, softplus, [floats((2, 5), -30, 30)], grad_order=2),
    OpSpec(
        "softsign", tf.nn.softsign, lambda x: x / (1 + np.abs(x)), [floats((2, 5))], grad_order=2
    ),
    OpSpec(
        "gelu",
        tf.nn.gelu,
        lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
        [floats((2, 5))],
        grad_order=2,
    ),
    OpSpec(
        "gelu_tanh",
        lambda x: tf.nn.gelu(x, approximate=True),
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        [floats((2, 5))],
        grad_order=2,
    ),
    OpSpec("silu", tf.nn.silu, lambda x: x * _sigmoid(x), [floats((2, 5))], grad_order=2),
    OpSpec(
        "swish_beta",
        lambda x: tf.nn.swish(x, beta=2.0),
        lambda x: x * _sigmoid(2 * x),
        [floats((2, 5))],
        grad_order=2,
    ),
    OpSpec(
        "log_sigmoid", log_sigmoid, lambda x: -softplus(-x), [floats((2, 5), -20, 20)], grad_order=2
    ),
    # The activations' gradient primitives (linear in dy; zero, connected gradient for x).
    OpSpec(
        "relu_grad",
        _relu_backprop,
        lambda dy, y: np.where(y > 0, dy, 0),
        [floats((2, 3)), floats((2, 3))],
        grad_order=2,
    ),
    OpSpec(
        "relu6_grad",
        _relu6_backprop,
        lambda dy, x: np.where((x > 0) & (x < 6), dy, 0),
        [floats((2, 3)), floats((2, 3), -3, 9)],
        grad_order=2,
    ),
    OpSpec(
        "leaky_relu_grad",
        lambda dy, x: _leaky_relu_backprop(dy, x, alpha=0.1),
        lambda dy, x: np.where(x > 0, dy, 0.1 * dy),
        [floats((2, 3)), floats((2, 3))],
        grad_order=2,
    ),
    OpSpec("nn_sigmoid", tf.nn.sigmoid, _sigmoid, [floats((4,))], grad_order=2),
    OpSpec("nn_tanh", tf.nn.tanh, np.tanh, [floats((4,))], grad_order=2),
    # Softmax family.
    OpSpec(
        "softmax_axis0",
        lambda x: tf.nn.softmax(x, axis=0),
        lambda x: np.exp(log_softmax(x, 0)),
        [floats((3, 4))],
        grad_order=2,
    ),
    OpSpec("log_softmax", tf.nn.log_softmax, log_softmax, [floats((3, 4), -5, 5)], grad_order=2),
    OpSpec(
        "log_softmax_axis0",
        lambda x: tf.nn.log_softmax(x, axis=0),
        lambda x: log_softmax(x, 0),
        [floats((3, 4))],
        grad_order=2,
    ),
    # Normalisation, moments, small helpers.
    OpSpec(
        "l2_normalize",
        lambda x: tf.nn.l2_normalize(x, axis=1),
        lambda x: x / np.sqrt(np.sum(x * x, axis=1, keepdims=True)),
        [floats((3, 4))],
        grad_order=2,
    ),
    OpSpec(
        "moments",
        lambda x: tf.nn.moments(x, axes=[0, 2]),
        lambda x: (np.mean(x, axis=(0, 2)), np.var(x, axis=(0, 2))),
        [floats((2, 3, 4))],
        grad_order=1,
    ),  # order 1: TF stops the mean's gradient inside the variance
    OpSpec(
        "moments_keepdims",
        lambda x: tf.nn.moments(x, axes=[1], keepdims=True),
        lambda x: (np.mean(x, 1, keepdims=True), np.var(x, 1, keepdims=True)),
        [floats((3, 4))],
        grad_order=1,
    ),
    OpSpec("l2_loss", tf.nn.l2_loss, lambda x: np.sum(x * x) / 2, [floats((3, 4))], grad_order=2),
    OpSpec("bias_add", tf.nn.bias_add, np.add, [floats((2, 3, 4)), floats((4,))], grad_order=2),
    OpSpec(
        "bias_add_nchw",
        lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
        lambda x, b: x + b[:, None, None],
        [floats((2, 3, 2, 2)), floats((3,))],
        grad_order=2,
    ),
    OpSpec("dropout", _dropout, None, [floats((4, 5))], grad_order=2),
    OpSpec(
        "batch_normalization",
        lambda x, m, v, b, g: tf.nn.batch_normalization(x, m, v, b, g, 1e-3),
        lambda x, m, v, b, g: g * (x - m) / np.sqrt(v + 1e-3) + b,
        [floats((3, 4)), floats((4,)), positive((4,)), floats((4,)), floats((4,))],
        grad_order=2,
    ),
    OpSpec(
        "weighted_xent",
        lambda z, x, w: tf.nn.weighted_cross_entropy_with_logits(z, x, w),
        lambda z, x, w: (1 - z) * x + (1 + (w - 1) * z) * softplus(-x),
        [floats((3, 4), 0, 1), floats((3, 4), -5, 5), positive((3, 4))],
        grad_order=2,
    ),
    OpSpec(
        "crelu",
        tf.nn.crelu,
        lambda x: np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1),
        [floats((2, 3))],
        grad_order=2,
    ),
    OpSpec(
        "compute_average_loss",
        lambda x, w: tf.nn.compute_average_loss(x, sample_weight=w),
        lambda x, w: np.sum(x * w[:, None]) / x.shape[0],
        [floats((3, 2)), floats((3,))],
        grad_order=2,
    ),
    # Cross-entropies (softmax: gradients w.r.t. logits and labels).
    OpSpec(
        "sigmoid_xent",
        lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(z, x),
        lambda z, x: softplus(x) - x * z,
        [floats((3, 4), 0, 1), floats((3, 4), -9, 9)],
        grad_order=2,
    ),
    # TF's logits gradient is softmax - labels: exact for labels rows summing to 1, and its
    # second derivative treats the labels as constants (checked against TF separately).
    OpSpec(
        "softmax_xent",
        lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x),
        lambda z, x: -np.sum(z * log_softmax(x), -1),
        [_distributions((3, 5)), floats((3, 5), -4, 4)],
        grad_order=1,
    ),
    OpSpec(
        "softmax_xent_logits",
        lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x),
        None,
        [_distributions((2, 4)), floats((2, 4), -4, 4)],
        grad_order=2,
        grad_args=[1],
    ),
    OpSpec(
        "softmax_xent_backprop",
        _xent_backprop,
        lambda x, z: np.exp(log_softmax(x)) - z,
        [floats((3, 4)), floats((3, 4))],
        grad_order=2,
        grad_args=[0],
    ),
    OpSpec(
        "softmax_xent_axis0",
        lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0),
        lambda z, x: -np.sum(z * log_softmax(x, 0), 0),
        [_distributions((2, 4)).T, floats((4, 2))],
        grad_order=1,
    ),
    OpSpec(
        "sparse_softmax_xent",
        lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x),
        lambda x, y: -np.take_along_axis(log_softmax(x), y[..., None], -1)[..., 0],
        [floats((2, 3, 5), -4, 4), np.array([[0, 4, 2], [1, 1, 3]], np.int32)],
        grad_order=2,
        grad_args=[0],
    ),
    # Convolutions: Conv2D and both backprop primitives, to second order.
    OpSpec(
        "conv2d_same",
        _conv_same,
        lambda x, w: conv2d(x, w, padding="SAME"),
        [floats((2, 5, 4, 3)), floats((3, 2, 3, 2))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_valid_strided_dilated",
        lambda x, w: tf.nn.conv2d(x, w, [2, 1], "VALID", dilations=[1, 2]),
        lambda x, w: conv2d(x, w, (2, 1), "VALID", (1, 2)),
        [floats((1, 6, 7, 2)), floats((2, 3, 2, 3))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_explicit",
        lambda x, w: tf.nn.conv2d(x, w, 2, [[0, 0], [1, 0], [2, 1], [0, 0]]),
        lambda x, w: conv2d(x, w, (2, 2), [(1, 0), (2, 1)]),
        [floats((2, 4, 4, 1)), floats((2, 3, 1, 2))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_nchw",
        lambda x, w: tf.nn.conv2d(x, w, 1, "SAME", data_format="NCHW"),
        lambda x, w: conv2d(x.transpose(0, 2, 3, 1), w, padding="SAME").transpose(0, 3, 1, 2),
        [floats((1, 2, 4, 3)), floats((2, 2, 2, 2))],
        grad_order=2,
    ),
    OpSpec(
        "conv1d",
        lambda x, w: tf.nn.conv1d(x, w, 2, "SAME", dilations=1),
        lambda x, w: conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0],
        [floats((2, 7, 2)), floats((3, 2, 3))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_transpose",
        lambda y, w: tf.nn.conv2d_transpose(y, w, [1, 5, 5, 2], 2, "SAME"),
        None,
        [floats((1, 3, 3, 3)), floats((3, 3, 2, 3))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_backprop_filter",
        _input_grad(_conv_same, 1),
        None,
        [floats((1, 4, 3, 2)), floats((2, 2, 2, 3)), floats((1, 4, 3, 3))],
        grad_order=2,
    ),
    OpSpec(
        "conv2d_backprop_input",
        _input_grad(_conv_same, 0),
        None,
        [floats((1, 4, 3, 2)), floats((2, 2, 2, 3)), floats((1, 4, 3, 3))],
        grad_order=2,
    ),
    OpSpec(
        "depthwise_conv2d_same",
        lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME"),
        lambda x, w: depthwise_conv2d(x, w, (2, 2), "SAME"),
        [floats((2, 5, 4, 3)), floats((3, 2, 3, 2))],
        grad_order=2,
    ),
    OpSpec(
        "depthwise_conv2d_dilated",
        lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", dilations=[2, 1]),
        lambda x, w: depthwise_conv2d(x, w, (1, 1), "VALID", (2, 1)),
        [floats((1, 6, 5, 2)), floats((2, 2, 2, 1))],
        grad_order=2,
    ),
    OpSpec(
        "depthwise_backprop_filter",
        _input_grad(_depthwise_same, 1),
        None,
        [floats((1, 4, 3, 2)), floats((2, 2, 2, 2)), floats((1, 4, 3, 4))],
        grad_order=2,
    ),
    OpSpec(
        "depthwise_backprop_input",
        _input_grad(_depthwise_same, 0),
        None,
        [floats((1, 4, 3, 2)), floats((2, 2, 2, 2)), floats((1, 4, 3, 4))],
        grad_order=2,
    ),
    # Pooling and its gradient primitives.
    OpSpec(
        "max_pool2d_valid",
        lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"),
        lambda x: pool2d(x, (2, 2), (2, 2), "VALID", "MAX"),
        [floats((2, 4, 5, 3))],
        grad_order=2,
    ),
    OpSpec(
        "max_pool2d_same",
        lambda x: tf.nn.max_pool2d(x, 3, [2, 1], "SAME"),
        lambda x: pool2d(x, (3, 3), (2, 1), "SAME", "MAX"),
        [floats((1, 5, 4, 2))],
        grad_order=2,
    ),
    OpSpec(
        "max_pool1d",
        lambda x: tf.nn.max_pool1d(x, 3, 2, "SAME"),
        lambda x: pool2d(x[:, None], (1, 3), (1, 2), "SAME", "MAX")[:, 0],
        [floats((2, 7, 2))],
        grad_order=2,
    ),
    OpSpec(
        "avg_pool2d_same",
        lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"),
        lambda x: pool2d(x, (3, 3), (2, 2), "SAME", "AVG"),
        [floats((2, 5, 4, 2))],
        grad_order=2,
    ),
    OpSpec(
        "avg_pool2d_valid_nchw",
        lambda x: tf.nn.avg_pool2d(x, [2, 1], 1, "VALID", data_format="NCHW"),
        lambda x: pool2d(x.transpose(0, 2, 3, 1), (2, 1), (1, 1), "VALID", "AVG").transpose(
            0, 3, 1, 2
        ),
        [floats((1, 2, 3, 3))],
        grad_order=2,
    ),
    OpSpec(
        "max_pool_grad",
        lambda x, dy: _max_pool_grad_prim(x, dy, **_POOL),
        None,
        [floats((1, 3, 3, 2)), floats((1, 3, 3, 2))],
        grad_order=2,
    ),
    OpSpec(
        "max_pool_grad_grad",
        lambda x, g: _max_pool_grad_grad(x, g, **_POOL),
        None,
        [floats((1, 3, 3, 2)), floats((1, 3, 3, 2))],
        grad_order=2,
    ),
    OpSpec(
        "avg_pool_grad",
        lambda dy: _avg_pool_grad_prim(dy, input_shape=(1, 3, 3, 2), **_POOL),
        None,
        [floats((1, 3, 3, 2))],
        grad_order=2,
    ),
]

"""More Keras layers: Masking, parametric/thresholded activations, Dot, 1-D resampling and
cropping, spatial/Gaussian/alpha dropout, ActivityRegularization and the depthwise and
separable 2-D convolutions, plus the functional merge forms (`dot`, `subtract`, ...)."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras import activations, constraints, initializers, regularizers
from tapeflow._src.keras.engine import KerasTensor, Layer, input_spec_error
from tapeflow._src.keras.layers.conv import (GlobalAveragePooling1D, GlobalMaxPooling1D,
                                             _check_format, _out_len, _tuple)
from tapeflow._src.keras.layers.core import (Average, Dropout, Maximum, Minimum, Subtract,
                                             _ser)

GlobalMaxPool1D, GlobalAvgPool1D = GlobalMaxPooling1D, GlobalAveragePooling1D


def _check_ndim(layer, inputs, ndim, minimum=False):
    """Raises Keras's input-spec error when `inputs` has the wrong rank."""
    rank = len(inputs.shape)
    if (rank < ndim) if minimum else (rank != ndim):
        kind = "min_ndim" if minimum else "ndim"
        raise input_spec_error(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f'{kind}={ndim}, found ndim={rank}. Full shape received: '
            f'{tuple(inputs.shape.as_list())}')


class _SameShape(Layer):
    """A layer whose output has its input's shape."""

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class _ShapeRule(Layer):
    """A layer whose symbolic output shape comes from `compute_output_shape` (so unknown
    dims stay unknown) instead of from running it on zeros."""

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        dtype = dtypes_ if dtypes_ is not None else self.dtype
        return KerasTensor(self.compute_output_shape(input_shapes), dtype)


# -- masking and activations ---------------------------------------------------------------

class Masking(_SameShape):
    """Marks time steps whose features all equal `mask_value` as masked and zeroes them.

    tapeflow does not propagate Keras masks between layers: `compute_mask` gives the mask,
    but downstream layers (LSTM, GRU, ...) are not handed it.

    >>> x = tf.constant([[[0.0, 0.0], [1.0, 2.0]]])
    >>> tf.keras.layers.Masking().compute_mask(x).numpy()
    array([[False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * tf.cast(keep, inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


class PReLU(_SameShape):
    """Leaky ReLU whose negative slope `alpha` is learned (one per element, or shared
    along `shared_axes`).

    >>> layer = tf.keras.layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.5))
    >>> layer(tf.constant([[-2.0, 3.0]])).numpy()
    array([[-1.,  3.]], dtype=float32)
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        param_shape = list(TensorShape(input_shape).as_list()[1:])
        for i in self.shared_axes or ():
            param_shape[i - 1] = 1
        self.alpha = self.add_weight("alpha", shape=param_shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return tf.nn.relu(inputs) - self.alpha * tf.nn.relu(-inputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": _ser(self.alpha_initializer, initializers),
            "alpha_regularizer": _ser(self.alpha_regularizer, regularizers),
            "alpha_constraint": _ser(self.alpha_constraint, constraints),
            "shared_axes": self.shared_axes})
        return config


class ELU(_SameShape):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError("Alpha of an ELU layer cannot be None, expecting a float. "
                             f"Received: {alpha}")
        self.supports_masking = True
        self.alpha = float(np.float32(alpha))  # Keras keeps it as a float32 scalar

    def call(self, inputs):
        out = tf.nn.elu(inputs)
        if self.alpha == 1.0:
            return out
        return tf.where(inputs > 0, out, self.alpha * out)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class ThresholdedReLU(_SameShape):
    """x if x > theta else 0."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        self.supports_masking = True
        self.theta = float(np.float32(theta))  # Keras keeps it as a float32 scalar

    def call(self, inputs):
        return inputs * tf.cast(inputs > self.theta, inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config["theta"] = self.theta
        return config


class Identity(_SameShape):
    """Returns its inputs unchanged (a placeholder layer)."""

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return type(inputs)(tf.identity(x) for x in inputs)
        if isinstance(inputs, dict):
            return {k: tf.identity(v) for k, v in inputs.items()}
        return tf.identity(inputs)


# -- Dot and the functional merge forms ----------------------------------------------------

class Dot(Layer):
    """Dot product of two inputs along `axes` (per example), optionally of the
    L2-normalised inputs (cosine similarity).

    >>> a = tf.constant([[1.0, 2.0]]); b = tf.constant([[3.0, 4.0]])
    >>> tf.keras.layers.Dot(axes=1)([a, b]).numpy()
    array([[11.]], dtype=float32)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError("Invalid format for argument `axes`: list elements should "
                                 f"be integers. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes(self, shape1, shape2):
        if isinstance(self.axes, int):
            pair = (self.axes, self.axes)
        else:
            pair = tuple(self.axes)
        return [pair[0] % len(shape1) if pair[0] < 0 else pair[0],
                pair[1] % len(shape2) if pair[1] < 0 else pair[1]]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not isinstance(input_shape[0], (list, tuple, TensorShape)):
            shapes = [tuple(TensorShape(s).as_list()) for s in input_shape] \
                if isinstance(input_shape, list) else input_shape
            raise input_spec_error("A `Dot` layer should be called on a list of 2 inputs. "
                                   f"Received: input_shape={shapes}")
        s1, s2 = (TensorShape(s).as_list() for s in input_shape)
        a1, a2 = self._axes(s1, s2)
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise input_spec_error(
                f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) != "
                f"{s2[a2]} (at axis {a2}). Full input shapes: {tuple(s1)}, {tuple(s2)}")
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        x, y = inputs
        a1, a2 = self._axes(x.shape, y.shape)
        if self.normalize:
            x = tf.nn.l2_normalize(x, axis=a1)
            y = tf.nn.l2_normalize(y, axis=a2)
        rx, ry = len(x.shape), len(y.shape)
        letters = "bcdefghijklmnopqrstuvwxyz"
        xs = ["a"] + list(letters[1:rx])
        ys = ["a"] + list(letters[rx:rx + ry - 1])
        ys[a2] = xs[a1] = "Z"
        out = [c for i, c in enumerate(xs) if i != a1] + [c for i, c in enumerate(ys)
                                                         if i not in (0, a2)]
        result = tf.einsum(f"{''.join(xs)},{''.join(ys)}->{''.join(out)}", x, y)
        if len(out) == 1:
            result = tf.expand_dims(result, 1)
        return result

    def compute_output_shape(self, input_shape):
        s1, s2 = (TensorShape(s).as_list() for s in input_shape)
        a1, a2 = self._axes(s1, s2)
        out = [s1[0]] + [d for i, d in enumerate(s1) if i not in (0, a1)] + \
            [d for i, d in enumerate(s2) if i not in (0, a2)]
        return TensorShape(out if len(out) > 1 else out + [1])

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional form of `Dot`: `Dot(axes, normalize)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: inputs[0] - inputs[1]."""
    return Subtract(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: the element-wise maximum of the inputs."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: the element-wise minimum of the inputs."""
    return Minimum(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: the element-wise mean of the inputs."""
    return Average(**kwargs)(inputs)


# -- 1-D resampling, padding and cropping --------------------------------------------------

class UpSampling1D(Layer):
    """Repeats each time step `size` times: (batch, steps, c) -> (batch, steps * size, c)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        _check_ndim(self, inputs, 3)
        _, t, c = inputs.shape.as_list()
        x = tf.tile(tf.expand_dims(inputs, 2), [1, 1, self.size, 1])
        return tf.reshape(x, [-1, t * self.size, c])

    def compute_output_shape(self, input_shape):
        b, t, c = TensorShape(input_shape).as_list()
        return TensorShape([b, None if t is None else t * self.size, c])

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


def _pair(value, name):
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value}.")
    return value


class ZeroPadding1D(Layer):
    """Pads the time axis of (batch, steps, c) inputs with zeros at the start and end."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding")

    def call(self, inputs):
        _check_ndim(self, inputs, 3)
        return tf.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def compute_output_shape(self, input_shape):
        b, t, c = TensorShape(input_shape).as_list()
        return TensorShape([b, None if t is None else t + sum(self.padding), c])

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding
        return config


class Cropping1D(_ShapeRule):
    """Removes `cropping` steps from the start and end of the time axis."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping")

    def call(self, inputs):
        _check_ndim(self, inputs, 3)
        length = inputs.shape[1]
        if length is not None and sum(self.cropping) >= length:
            raise ValueError("cropping parameter of Cropping layer must be greater than the "
                             f"input shape. Received: inputs.shape={tuple(inputs.shape)}, "
                             f"and cropping={self.cropping}")
        return inputs[:, self.cropping[0]:length - self.cropping[1], :]

    def compute_output_shape(self, input_shape):
        b, t, c = TensorShape(input_shape).as_list()
        return TensorShape([b, None if t is None else t - sum(self.cropping), c])

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


class Cropping2D(_ShapeRule):
    """Removes rows and columns at the borders of (batch, h, w, c) inputs."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _check_format(data_format)
        if isinstance(cropping, int):
            cropping = ((cropping, cropping), (cropping, cropping))
        elif len(cropping) == 2 and all(isinstance(c, int) for c in cropping):
            cropping = ((cropping[0], cropping[0]), (cropping[1], cropping[1]))
        elif len(cropping) != 2:
            raise ValueError("`cropping` should be either an int, a tuple of 2 ints "
                             "(symmetric_height_crop, symmetric_width_crop), or a tuple of 2 "
                             "tuples of 2 ints ((top_crop, bottom_crop), (left_crop, "
                             f"right_crop)). Received: {cropping}.")
        self.cropping = tuple(_pair(c, "cropping") for c in cropping)

    def call(self, inputs):
        _check_ndim(self, inputs, 4)
        _, h, w, _ = inputs.shape.as_list()
        (t, b), (left, r) = self.cropping
        if (h is not None and t + b >= h) or (w is not None and left + r >= w):
            raise ValueError("Argument `cropping` must be greater than the input shape. "
                             f"Received: inputs.shape={tuple(inputs.shape)}, and "
                             f"cropping={self.cropping}")
        return inputs[:, t:h - b, left:w - r, :]

    def compute_output_shape(self, input_shape):
        n, h, w, c = TensorShape(input_shape).as_list()
        (t, b), (left, r) = self.cropping
        return TensorShape([n, None if h is None else h - t - b,
                            None if w is None else w - left - r, c])

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


# -- random regularisation -----------------------------------------------------------------

class SpatialDropout1D(Dropout):
    """Dropout of whole channels of (batch, steps, channels) inputs while training."""

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)

    def call(self, inputs, training=None):
        _check_ndim(self, inputs, 3)
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape.as_list()
        return tf.nn.dropout(inputs, self.rate, noise_shape=[shape[0], 1, shape[2]],
                             seed=self.seed)


class SpatialDropout2D(Dropout):
    """Dropout of whole channels of (batch, h, w, channels) inputs while training."""

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` must be "channels_last" or "channels_first". '
                             f"Received: data_format={data_format}.")

    def call(self, inputs, training=None):
        _check_ndim(self, inputs, 4)
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape.as_list()
        noise = [shape[0], shape[1], 1, 1] if self.data_format == "channels_first" else [
            shape[0], 1, 1, shape[3]]
        return tf.nn.dropout(inputs, self.rate, noise_shape=noise, seed=self.seed)


class GaussianDropout(_SameShape):
    """Multiplies inputs by noise drawn from N(1, rate / (1 - rate)) while training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate, self.seed = rate, seed

    def call(self, inputs, training=None):
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
        return inputs * tf.random.normal(inputs.shape.as_list(), mean=1.0, stddev=stddev,
                                         dtype=inputs.dtype, seed=self.seed)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_SameShape):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation
    value and the result is affinely rescaled to keep the mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs, training=None):
        if not training or not 0 < self.rate < 1:
            return inputs
        shape = inputs.shape.as_list() if self.noise_shape is None else [
            d if d is not None else inputs.shape[i] for i, d in enumerate(self.noise_shape)]
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = tf.cast(tf.random.uniform(shape, dtype=inputs.dtype, seed=self.seed)
                       >= self.rate, inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class ActivityRegularization(_SameShape):
    """Adds `l1 * sum(|out|) + l2 * sum(out**2)` (divided by the batch size) to the
    layer's losses on every call; the output equals the input."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config


# -- depthwise and separable convolutions --------------------------------------------------

def _pop_conv_kwargs(kwargs):
    """`kwargs` less the plain-Conv2D arguments these layers' configs carry (Keras accepts
    and ignores them, so `from_config` round-trips)."""
    if kwargs.pop("groups", 1) != 1:
        raise NotImplementedError("DepthwiseConv2D/SeparableConv2D with groups > 1 are not "
                                  "implemented in tapeflow.")
    for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
        kwargs.pop(key, None)
    return kwargs


class _DepthwiseBase(Layer):
    """Shared arguments of DepthwiseConv2D and SeparableConv2D."""

    def _init_common(self, kernel_size, strides, padding, data_format, dilation_rate,
                     depth_multiplier, activation, use_bias, bias_initializer,
                     bias_regularizer, bias_constraint):
        self.kernel_size = _tuple(kernel_size, 2, "kernel_size")
        self.strides = _tuple(strides, 2, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError("The `padding` argument must be a list/tuple or one of "
                             f"`valid`, `same`, or `causal`. Received: {padding}")
        self.data_format = _check_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, 2, "dilation_rate")
        self.depth_multiplier = int(depth_multiplier)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.groups = 1

    def _channels(self, input_shape):
        shape = TensorShape(input_shape)
        if shape.rank is not None and shape.rank < 4:
            raise input_spec_error(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f'min_ndim=4, found ndim={shape.rank}. Full shape received: '
                f'{tuple(shape.as_list())}')
        if shape[-1] is None:
            raise ValueError("The channel dimension of the inputs to `DepthwiseConv2D` should "
                             f"be defined. The input_shape received is {shape}, where axis -1 "
                             "(0-based) is the channel dimension, which found to be `None`.")
        return shape[-1]

    def _depthwise_kernel(self, channels):
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)

    def _bias(self, n):
        self.bias = self.add_weight("bias", shape=(n,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _depthwise(self, inputs):
        if len(inputs.shape) != 4:
            self._channels(inputs.shape)
        return tf.nn.depthwise_conv2d(inputs, self.depthwise_kernel,
                                      (1,) + self.strides + (1,), self.padding.upper(),
                                      dilations=self.dilation_rate)

    def _finish(self, out):
        if self.use_bias:
            out = tf.nn.bias_add(out, self.bias)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def _space(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return [dims[0]] + [_out_len(n, k, s, self.padding, d) for n, k, s, d in zip(
            dims[1:3], self.kernel_size, self.strides, self.dilation_rate)], dims[3]

    def _common_config(self, **first):
        config = Layer.get_config(self)
        config.update(first)
        config.update({
            "kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "groups": self.groups})
        return config


class DepthwiseConv2D(_DepthwiseBase):
    """Convolves each input channel with its own `depth_multiplier` filters; the kernel
    `depthwise_kernel` has shape (kh, kw, in_channels, depth_multiplier).

    >>> tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(tf.ones([1, 5, 5, 3])).shape
    TensorShape([1, 3, 3, 6])
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer,
                         **_pop_conv_kwargs(kwargs))
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate,
                          depth_multiplier, activation, use_bias, bias_initializer,
                          bias_regularizer, bias_constraint)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self._depthwise_kernel(channels)
        self._bias(channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        return self._finish(self._depthwise(inputs))

    def compute_output_shape(self, input_shape):
        space, channels = self._space(input_shape)
        return TensorShape(space + [None if channels is None
                                    else channels * self.depth_multiplier])

    def get_config(self):
        config = self._common_config()
        config.update({
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "bias_initializer": _ser(self.bias_initializer, initializers),
            "bias_regularizer": _ser(self.bias_regularizer, regularizers),
            "activity_regularizer": _ser(self.activity_regularizer, regularizers),
            "bias_constraint": _ser(self.bias_constraint, constraints),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": _ser(self.depthwise_initializer, initializers),
            "depthwise_regularizer": _ser(self.depthwise_regularizer, regularizers),
            "depthwise_constraint": _ser(self.depthwise_constraint, constraints)})
        return config


class SeparableConv2D(_DepthwiseBase):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution to `filters`
    channels; weights `depthwise_kernel`, `pointwise_kernel` and `bias`.

    >>> tf.keras.layers.SeparableConv2D(4, 3)(tf.ones([1, 5, 5, 3])).shape
    TensorShape([1, 3, 3, 4])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer,
                         **_pop_conv_kwargs(kwargs))
        self.filters = int(filters)
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate,
                          depth_multiplier, activation, use_bias, bias_initializer,
                          bias_regularizer, bias_constraint)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self._depthwise_kernel(channels)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._bias(self.filters)
        self.built = True

    def call(self, inputs):
        out = tf.nn.conv2d(self._depthwise(inputs), self.pointwise_kernel, [1, 1, 1, 1],
                           "VALID")
        return self._finish(out)

    def compute_output_shape(self, input_shape):
        space, _ = self._space(input_shape)
        return TensorShape(space + [self.filters])

    def get_config(self):
        config = self._common_config(filters=self.filters)
        config.update({
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": _ser(initializers.get("glorot_uniform"), initializers),
            "bias_initializer": _ser(self.bias_initializer, initializers),
            "kernel_regularizer": None,
            "bias_regularizer": _ser(self.bias_regularizer, regularizers),
            "activity_regularizer": _ser(self.activity_regularizer, regularizers),
            "kernel_constraint": None,
            "bias_constraint": _ser(self.bias_constraint, constraints),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": _ser(self.depthwise_initializer, initializers),
            "pointwise_initializer": _ser(self.pointwise_initializer, initializers),
            "depthwise_regularizer": _ser(self.depthwise_regularizer, regularizers),
            "pointwise_regularizer": _ser(self.pointwise_regularizer, regularizers),
            "depthwise_constraint": _ser(self.depthwise_constraint, constraints),
            "pointwise_constraint": _ser(self.pointwise_constraint, constraints)})
        return config

"""Convolution and pooling layers (channels_last), built on tf.nn.conv1d/conv2d and pools."""

from __future__ import annotations

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import Layer
from tapeflow._src.keras.layers.core import (_add_kernel_bias, _bias_activation,
                                             _init_kernel_bias, _kernel_bias_config)


def _tuple(v, n, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(x) for x in v)
    if len(v) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {name}={v}")
    return v


def _out_len(n, k, s, padding, d=1):
    if n is None:
        return None
    k = (k - 1) * d + 1
    if padding == "same":
        return -(-n // s)
    return (n - k) // s + 1


def _check_format(data_format):
    data_format = data_format or "channels_last"
    if data_format != "channels_last":
        raise NotImplementedError("tapeflow's Keras convolution and pooling layers support "
                                  "data_format='channels_last' only.")
    return data_format


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.strides = _tuple(strides, n, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. "
                             f"Received: {padding}")
        self.data_format = _check_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, n, "dilation_rate")
        if groups != 1:
            raise NotImplementedError("Conv layers with groups > 1 are not implemented in "
                                      "tapeflow.")
        self.groups = groups
        _init_kernel_bias(self, activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer, kernel_constraint,
                          bias_constraint)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. The input_"
                             f"shape received is {input_shape}, where axis -1 (0-based) is the "
                             f"channel dimension, which found to be `None`.")
        _add_kernel_bias(self, self.kernel_size + (channels, self.filters), (self.filters,))
        self.built = True

    def call(self, inputs):
        pad = self.padding.upper()
        if self.rank == 1:
            out = tf.nn.conv1d(inputs, self.kernel, self.strides[0], pad,
                               dilations=self.dilation_rate[0])
        else:
            out = tf.nn.conv2d(inputs, self.kernel, (1,) + self.strides + (1,), pad,
                               dilations=(1,) + self.dilation_rate + (1,))
        return _bias_activation(self, out)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        space = [_out_len(n, k, s, self.padding, d) for n, k, s, d in zip(
            dims[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return TensorShape([dims[0]] + space + [self.filters])

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "groups": self.groups})
        config.update(_kernel_bias_config(self))
        return config


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels) inputs."""
    rank = 1


class Conv2D(_Conv):
    """2-D convolution over (batch, height, width, channels) inputs.

    >>> tf.keras.layers.Conv2D(4, 3)(tf.ones([1, 5, 5, 2])).shape
    TensorShape([1, 3, 3, 4])
    """
    rank = 2


def _deconv_len(n, k, s, padding, output_padding=None, d=1):
    """Length of a transposed convolution's output along one axis (Keras's rule)."""
    if n is None:
        return None
    k = (k - 1) * d + 1
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution ("deconvolution"): the gradient of a Conv2D with respect
    to its input, used to upsample feature maps (autoencoders, GANs).

    The kernel has shape (kh, kw, filters, input_channels).

    >>> tf.keras.layers.Conv2DTranspose(4, 3, strides=2)(tf.ones([1, 5, 5, 2])).shape
    TensorShape([1, 11, 11, 4])
    """
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        self.output_padding = (None if output_padding is None
                               else _tuple(output_padding, 2, "output_padding"))
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides {self.strides} must be greater than output "
                                     f"padding {self.output_padding}.")

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        _add_kernel_bias(self, self.kernel_size + (self.filters, channels), (self.filters,))
        self.built = True

    def _out_space(self, dims):
        pads = self.output_padding or (None, None)
        return [_deconv_len(n, k, s, self.padding, p, d) for n, k, s, p, d in zip(
            dims, self.kernel_size, self.strides, pads, self.dilation_rate)]

    def call(self, inputs):
        shape = inputs.shape
        out_shape = [shape[0]] + self._out_space(list(shape[1:3])) + [self.filters]
        out = tf.nn.conv2d_transpose(inputs, self.kernel, out_shape, (1,) + self.strides + (1,),
                                     self.padding.upper(),
                                     dilations=(1,) + self.dilation_rate + (1,))
        return _bias_activation(self, out)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0]] + self._out_space(dims[1:3]) + [self.filters])

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


class _Pool(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        n = self.rank
        self.pool_size = _tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else _tuple(strides, n, "strides")
        self.padding = padding.lower()
        self.data_format = _check_format(data_format)

    def call(self, inputs):
        pad = self.padding.upper()
        if self.rank == 1:
            fn = tf.nn.max_pool1d if self.kind == "max" else tf.nn.avg_pool1d
        else:
            fn = tf.nn.max_pool2d if self.kind == "max" else tf.nn.avg_pool2d
        return fn(inputs, self.pool_size, self.strides, pad)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        space = [_out_len(n, k, s, self.padding) for n, k, s in zip(
            dims[1:-1], self.pool_size, self.strides)]
        return TensorShape([dims[0]] + space + [dims[-1]])

    def get_config(self):
        config = super().get_config()
        if self.rank == 1:  # Keras's 1-D pooling lists strides first
            config["strides"] = self.strides
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


class MaxPooling2D(_Pool):
    """Max over pool_size windows of (batch, height, width, channels) inputs."""


class AveragePooling2D(_Pool):
    """Mean over pool_size windows of (batch, height, width, channels) inputs."""
    kind = "avg"


class MaxPooling1D(_Pool):
    rank = 1


class AveragePooling1D(_Pool):
    rank = 1
    kind = "avg"


class _GlobalPool(Layer):
    kind = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _check_format(data_format)
        self.keepdims = keepdims

    def call(self, inputs):
        axes = list(range(1, inputs.shape.rank - 1))
        fn = tf.reduce_mean if self.kind == "avg" else tf.reduce_max
        return fn(inputs, axis=axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.keepdims:
            return TensorShape([dims[0]] + [1] * (len(dims) - 2) + [dims[-1]])
        return TensorShape([dims[0], dims[-1]])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPool):
    """Mean over the spatial dimensions: (b, h, w, c) -> (b, c)."""


class GlobalMaxPooling2D(_GlobalPool):
    """Max over the spatial dimensions: (b, h, w, c) -> (b, c)."""
    kind = "max"


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over the steps of (batch, steps, features); masked steps are left out."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        step_axis = 1 if self.data_format == "channels_last" else 2
        m = tf.expand_dims(tf.cast(mask, inputs.dtype), 2 if step_axis == 1 else 1)
        return (tf.reduce_sum(inputs * m, axis=step_axis, keepdims=self.keepdims)
                / tf.reduce_sum(m, axis=step_axis, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPool):
    kind = "max"

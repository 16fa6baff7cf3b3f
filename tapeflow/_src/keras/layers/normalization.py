"""BatchNormalization, LayerNormalization and the Normalization preprocessing layer."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras import backend, constraints, initializers, regularizers
from tapeflow._src.keras.engine import Layer
from tapeflow._src.keras.layers.core import _ser


def _axes(axis, rank):
    axis = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % rank for a in axis)


def _init_affine(layer, beta_initializer, gamma_initializer, beta_regularizer,
                 gamma_regularizer, beta_constraint, gamma_constraint):
    """Resolves and stores the settings of a normalisation layer's beta and gamma."""
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def _build_affine(layer, input_shape):
    """Sets `_axes` and `_bshape` from `layer.axis`, then adds gamma and beta (or None).

    Returns the input's rank and the parameters' shape.
    """
    shape = TensorShape(input_shape)
    rank = shape.rank
    layer._axes = _axes(layer.axis, rank)
    param_shape = tuple(shape[a] for a in layer._axes)
    layer._bshape = [1] * rank
    for a in layer._axes:
        layer._bshape[a] = shape[a]
    layer.gamma = layer.add_weight("gamma", param_shape, initializer=layer.gamma_initializer,
                                   regularizer=layer.gamma_regularizer,
                                   constraint=layer.gamma_constraint) if layer.scale else None
    layer.beta = layer.add_weight("beta", param_shape, initializer=layer.beta_initializer,
                                  regularizer=layer.beta_regularizer,
                                  constraint=layer.beta_constraint) if layer.center else None
    return rank, param_shape


class BatchNormalization(Layer):
    """Normalises with batch statistics while training and moving averages otherwise.

    Weights: gamma and beta (trainable), moving_mean and moving_variance (not trainable).
    As in Keras 2, a layer with `trainable=False` always runs in inference mode.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        kwargs.pop("fused", None)
        kwargs.pop("renorm", None)
        super().__init__(**kwargs)
        self.axis = axis
        self.momentum, self.epsilon, self.center, self.scale = momentum, epsilon, center, scale
        _init_affine(self, beta_initializer, gamma_initializer, beta_regularizer,
                     gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        rank, param_shape = _build_affine(self, input_shape)
        self._reduce = [i for i in range(rank) if i not in self._axes]
        # Keras fuses 4-D channels-last batch norm, whose moving variance uses the unbiased
        # batch variance; the generic path uses the biased one.
        self._unbiased = rank == 4 and self._axes == [3]
        self.moving_mean = self.add_weight("moving_mean", param_shape, trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight("moving_variance", param_shape, trainable=False,
                                               initializer=self.moving_variance_initializer)
        self.built = True

    def _param(self, v):
        return tf.reshape(v, self._bshape) if len(self._bshape) > 1 else v

    def call(self, inputs, training=None):
        if training is None or not self.trainable:
            training = False
        if training:
            mean, var = tf.nn.moments(inputs, self._reduce, keepdims=True)
            m = self.momentum
            flat_mean = tf.reshape(mean, self.moving_mean.shape.as_list())
            flat_var = tf.reshape(var, self.moving_variance.shape.as_list())
            if self._unbiased:
                n = int(np.prod([inputs.shape[i] for i in self._reduce]))
                flat_var = flat_var * (n / max(n - 1, 1))
            flat_mean = tf.stop_gradient(flat_mean)
            flat_var = tf.stop_gradient(flat_var)
            self.moving_mean.assign(self.moving_mean * m + flat_mean * (1.0 - m),
                                    read_value=False)
            self.moving_variance.assign(self.moving_variance * m + flat_var * (1.0 - m),
                                        read_value=False)
        else:
            mean = self._param(self.moving_mean)
            var = self._param(self.moving_variance)
        out = (inputs - mean) * tf.math.rsqrt(var + self.epsilon)
        if self.scale:
            out = out * self._param(self.gamma)
        if self.center:
            out = out + self._param(self.beta)
        return out

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": _ser(self.beta_initializer, initializers),
            "gamma_initializer": _ser(self.gamma_initializer, initializers),
            "moving_mean_initializer": _ser(self.moving_mean_initializer, initializers),
            "moving_variance_initializer": _ser(self.moving_variance_initializer,
                                                initializers),
            "beta_regularizer": _ser(self.beta_regularizer, regularizers),
            "gamma_regularizer": _ser(self.gamma_regularizer, regularizers),
            "beta_constraint": _ser(self.beta_constraint, constraints),
            "gamma_constraint": _ser(self.gamma_constraint, constraints)})
        return config


class LayerNormalization(Layer):
    """Normalises each example over `axis` (default the last), then scales and shifts."""

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon, self.center, self.scale = epsilon, center, scale
        _init_affine(self, beta_initializer, gamma_initializer, beta_regularizer,
                     gamma_regularizer, beta_constraint, gamma_constraint)

    def build(self, input_shape):
        _build_affine(self, input_shape)
        self.built = True

    def call(self, inputs):
        mean, var = tf.nn.moments(inputs, self._axes, keepdims=True)
        out = (inputs - mean) * tf.math.rsqrt(var + self.epsilon)
        if self.scale:
            out = out * tf.reshape(self.gamma, self._bshape)
        if self.center:
            out = out + tf.reshape(self.beta, self._bshape)
        return out

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                       "scale": self.scale,
                       "beta_initializer": _ser(self.beta_initializer, initializers),
                       "gamma_initializer": _ser(self.gamma_initializer, initializers),
                       "beta_regularizer": _ser(self.beta_regularizer, regularizers),
                       "gamma_regularizer": _ser(self.gamma_regularizer, regularizers),
                       "beta_constraint": _ser(self.beta_constraint, constraints),
                       "gamma_constraint": _ser(self.gamma_constraint, constraints)})
        return config


class Normalization(Layer):
    """Standardises features with a mean and variance given or learned by `adapt(data)`.

    >>> layer = tf.keras.layers.Normalization()
    >>> layer.adapt(np.array([[0.0], [2.0]]))
    >>> layer(np.array([[2.0]])).numpy()
    array([[1.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = (axis,) if isinstance(axis, int) else (tuple(axis) if axis else ())
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        self.input_mean, self.input_variance, self.invert = mean, variance, invert

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        rank = shape.rank
        keep = sorted(a % rank for a in self.axis)
        for i in keep:
            if shape[i] is None:
                raise ValueError(f"All `axis` values to be kept must have known shape. Got "
                                 f"axis: {self.axis}, input shape: {shape.as_list()}, with "
                                 f"unknown axis at index: {i}")
        self._keep = keep
        self._reduce = [i for i in range(rank) if i not in keep]
        self._bshape = [shape[i] if i in keep else 1 for i in range(rank)]
        param = tuple(shape[i] for i in keep)
        if self.input_mean is not None:
            mean = np.broadcast_to(np.asarray(self.input_mean, np.float32), param)
            var = np.broadcast_to(np.asarray(self.input_variance, np.float32), param)
            self.mean = tf.constant(np.reshape(mean, self._bshape))
            self.variance = tf.constant(np.reshape(var, self._bshape))
        else:
            self.adapt_mean = self.add_weight("mean", param, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight("variance", param, initializer="ones",
                                                  trainable=False)
            self.count = self.add_weight("count", (), dtype="int64", initializer="zeros",
                                         trainable=False)
            self._refresh_stats()
        self.built = True

    @property
    def is_adapted(self):
        """Whether `adapt` has set the statistics."""
        return getattr(self, "_adapted", False)

    def _refresh_stats(self):
        # `mean` / `variance`: the statistics in the broadcast shape the layer applies them
        # in (e.g. (1, features)), as Keras exposes them after adapt.
        self.mean = tf.reshape(self.adapt_mean, self._bshape)
        self.variance = tf.reshape(self.adapt_variance, self._bshape)

    def adapt(self, data, batch_size=None, steps=None):
        """Sets the mean and variance from `data` (an array, tensor or iterable of batches)."""
        if hasattr(data, "__iter__") and not isinstance(data, (np.ndarray, list, tuple)) \
                and not tf.is_tensor(data):
            batches = [np.asarray(b.numpy() if hasattr(b, "numpy") else b) for b in data]
            arr = np.concatenate(batches)
        else:
            arr = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
        arr = arr.astype(np.float64)
        if self.input_mean is not None:
            raise ValueError("Cannot adapt a Normalization layer that was given a mean and "
                             "variance.")
        if not self.built:
            if arr.ndim == 0:
                raise ValueError("Normalization.adapt needs data of rank 1 or more; received "
                                 "a scalar.")
            self.build((None,) + arr.shape[1:])  # the batch axis is never a kept one
            # As Keras: the adapted layer knows its input shape, so a Sequential that
            # starts with it is built.
            if not hasattr(self, "_batch_input_shape"):
                self._batch_input_shape = (None,) + tuple(arr.shape[1:])
        keep = self._keep
        if arr.ndim != len(self._bshape) or any(arr.shape[i] != self._bshape[i] for i in keep):
            raise ValueError(f"Normalization.adapt: data of shape {arr.shape} does not match "
                             f"the layer's input shape (kept axes {tuple(keep)} of "
                             f"{tuple(self._bshape)}).")
        mean = arr.mean(axis=tuple(self._reduce))
        var = arr.var(axis=tuple(self._reduce))
        self.adapt_mean.assign(mean.astype(np.float32).reshape(self.adapt_mean.shape.as_list()))
        self.adapt_variance.assign(var.astype(np.float32).reshape(
            self.adapt_variance.shape.as_list()))
        self.count.assign(np.int64(arr.shape[0]))
        self._refresh_stats()
        self._adapted = True

    def call(self, inputs):
        if self.input_mean is not None:
            mean, var = self.mean, self.variance
        else:
            mean = tf.reshape(self.adapt_mean, self._bshape)
            var = tf.reshape(self.adapt_variance, self._bshape)
        inputs = tf.cast(inputs, "float32")
        std = tf.maximum(tf.sqrt(var), backend.epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        def _plain(v):
            return np.asarray(v).tolist() if v is not None else None
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": _plain(self.input_mean),
                       "variance": _plain(self.input_variance)})
        return config

"""Smaller Keras layers: activation layers, reshaping helpers, noise and wrappers."""

from __future__ import annotations

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import Layer


class ReLU(Layer):
    """relu with optional cap `max_value`, leak `negative_slope` and `threshold`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        from tapeflow._src.keras.activations import relu
        return relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                    threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class LeakyReLU(Layer):
    """x if x > 0 else alpha * x (Keras 2 default alpha=0.3)."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return tf.nn.leaky_relu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        return tf.nn.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Permute(Layer):
    """Permutes the non-batch dimensions; `dims` is 1-based, as in Keras."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")

    def call(self, inputs):
        return tf.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), [1, self.n, 1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class ZeroPadding2D(Layer):
    """Pads rows and columns of (batch, h, w, c) inputs with zeros."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        elif isinstance(padding[0], int):
            padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        self.padding = tuple(tuple(p) for p in padding)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        return tf.pad(inputs, [[0, 0], list(self.padding[0]), list(self.padding[1]), [0, 0]])

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class UpSampling2D(Layer):
    """Repeats rows and columns `size` times (nearest-neighbour upsampling)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        if interpolation != "nearest":
            raise NotImplementedError("UpSampling2D supports interpolation='nearest' only in "
                                      "tapeflow.")
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.data_format = data_format or "channels_last"
        self.interpolation = interpolation

    def call(self, inputs):
        b, h, w, c = inputs.shape.as_list()
        sh, sw = self.size
        x = tf.reshape(inputs, [b, h, 1, w, 1, c])
        x = tf.tile(x, [1, 1, sh, 1, sw, 1])
        return tf.reshape(x, [b, h * sh, w * sw, c])

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config


class GaussianNoise(Layer):
    """Adds zero-mean normal noise with standard deviation `stddev` while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = stddev, seed

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return inputs + tf.random.normal(inputs.shape.as_list(), stddev=self.stddev,
                                         dtype=inputs.dtype, seed=self.seed)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class TimeDistributed(Layer):
    """Applies `layer` to every time step: (batch, time, ...) -> (batch, time, ...)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if not self.layer.built:
            # As Keras: the wrapped layer's weights live in this wrapper's scope.
            self.layer.build(TensorShape([shape[0]] + shape[2:]))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None):
        shape = inputs.shape.as_list()
        flat = tf.reshape(inputs, [-1] + shape[2:])
        out = self.layer(flat, training=training) if training is not None else self.layer(flat)
        return tf.reshape(out, [shape[0], shape[1]] + out.shape.as_list()[1:])


class Bidirectional(Layer):
    """Runs an RNN forwards and backwards and merges the outputs ('concat', 'sum', ...)."""

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        self.forward_layer = layer
        if backward_layer is None:
            config = layer.get_config()
            config["name"] = "backward_" + layer.name
            config["go_backwards"] = not config.get("go_backwards", False)
            backward_layer = type(layer).from_config(config)
        self.forward_layer._name = "forward_" + layer.name
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode

    def call(self, inputs, training=None):
        f = self.forward_layer(inputs)
        b = self.backward_layer(inputs)
        if getattr(self.backward_layer, "return_sequences", False):
            b = tf.reverse(b, [1])
        if self.merge_mode == "concat":
            return tf.concat([f, b], axis=-1)
        if self.merge_mode == "sum":
            return f + b
        if self.merge_mode == "mul":
            return f * b
        if self.merge_mode == "ave":
            return (f + b) / 2.0
        return [f, b]

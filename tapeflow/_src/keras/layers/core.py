"""Core Keras layers: Dense, Flatten, Dropout, Activation, Reshape, Lambda, Rescaling,
Embedding and the merge layers (Add, Concatenate, Multiply, ...)."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras import activations, constraints, initializers, regularizers
from tapeflow._src.keras.engine import Layer, input_spec_error


def _ser(obj, module):
    return None if obj is None else module.serialize(obj)


def _init_kernel_bias(layer, activation, use_bias, kernel_initializer, bias_initializer,
                      kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint):
    """Resolves and stores the activation and kernel/bias settings of a Dense-like layer."""
    layer.activation = activations.get(activation)
    layer.use_bias = use_bias
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def _bias_activation(layer, out):
    """`out` plus the layer's bias (if it uses one), through its activation."""
    if layer.use_bias:
        out = out + layer.bias
    if layer.activation is not activations.linear:
        out = layer.activation(out)
    return out


def _add_kernel_bias(layer, kernel_shape, bias_shape):
    """Adds `layer.kernel` and, when `layer.use_bias`, `layer.bias` (else sets it None)."""
    layer.kernel = layer.add_weight("kernel", shape=kernel_shape,
                                    initializer=layer.kernel_initializer,
                                    regularizer=layer.kernel_regularizer,
                                    constraint=layer.kernel_constraint, trainable=True)
    if layer.use_bias:
        layer.bias = layer.add_weight("bias", shape=bias_shape,
                                      initializer=layer.bias_initializer,
                                      regularizer=layer.bias_regularizer,
                                      constraint=layer.bias_constraint, trainable=True)
    else:
        layer.bias = None


def _kernel_bias_config(layer):
    """The config entries `_init_kernel_bias` and the activity regularizer stand for."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": _ser(layer.kernel_initializer, initializers),
        "bias_initializer": _ser(layer.bias_initializer, initializers),
        "kernel_regularizer": _ser(layer.kernel_regularizer, regularizers),
        "bias_regularizer": _ser(layer.bias_regularizer, regularizers),
        "activity_regularizer": _ser(layer.activity_regularizer, regularizers),
        "kernel_constraint": _ser(layer.kernel_constraint, constraints),
        "bias_constraint": _ser(layer.bias_constraint, constraints),
    }


def _check_min_ndim(layer, shape, n):
    """Keras's InputSpec(min_ndim=n) check, with its message."""
    shape = TensorShape(shape)
    if shape.rank is not None and shape.rank < n:
        raise input_spec_error(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f'min_ndim={n}, found ndim={shape.rank}. Full shape received: '
            f'{tuple(shape.as_list())}')


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`.

    >>> layer = tf.keras.layers.Dense(3)
    >>> layer(tf.ones([2, 4])).shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units) if not isinstance(units, int) else units
        if self.units < 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        _init_kernel_bias(self, activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer, kernel_constraint,
                          bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        _check_min_ndim(self, input_shape, 2)
        last = TensorShape(input_shape)[-1]
        if last is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: "
                             f"{TensorShape(input_shape)}")
        _add_kernel_bias(self, [last, self.units], [self.units])
        self.built = True

    def call(self, inputs):
        if inputs.shape.rank is not None and inputs.shape.rank < 2:
            _check_min_ndim(self, inputs.shape, 2)
        last = inputs._value.shape[-1] if hasattr(inputs, "_value") and inputs._value.ndim \
            else inputs.shape[-1]
        if last != self.kernel._value.shape[0]:
            raise input_spec_error(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                f'-1 of input shape to have value {self.kernel._value.shape[0]}, but received '
                f'input with shape {tuple(inputs.shape.as_list())}')
        if inputs.shape.rank == 2:
            out = tf.matmul(inputs, self.kernel)
        else:
            out = tf.tensordot(inputs, self.kernel, [[inputs.shape.rank - 1], [0]]) \
                if hasattr(tf, "tensordot") else tf.reshape(
                    tf.matmul(tf.reshape(inputs, [-1, inputs.shape[-1]]), self.kernel),
                    inputs.shape.as_list()[:-1] + [self.units])
        return _bias_activation(self, out)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)[:-1].concatenate([self.units])

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        config.update(_kernel_bias_config(self))
        return config


class Flatten(Layer):
    """Flattens each example to one dimension: (batch, ...) -> (batch, prod(...))."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        shape = inputs.shape
        if shape.rank == 1:
            return tf.expand_dims(inputs, 1)
        if self.data_format == "channels_first" and shape.rank > 2:
            perm = [0] + list(range(2, shape.rank)) + [1]
            inputs = tf.transpose(inputs, perm)
        return tf.reshape(inputs, (shape[0], -1))

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        rest = dims[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return TensorShape([dims[0], n])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Dropout(Layer):
    """Zeroes a fraction `rate` of inputs while training, scaling the rest by 1/(1-rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value {rate} received for `rate`, expected a value "
                             f"between 0 and 1.")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape.as_list() if self.noise_shape is None else [
            d if d is not None else inputs.shape[i] for i, d in enumerate(self.noise_shape)]
        # tf.nn.dropout: dropped entries are +0 (not -0 for negative inputs) and the scale
        # is computed in the inputs' dtype, as Keras's layer gives.
        return tf.nn.dropout(inputs, self.rate, noise_shape=shape, seed=self.seed)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config


class Activation(Layer):
    """Applies an activation function (a name such as 'relu', or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Reshape(Layer):
    """Reshapes each example to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix(self, dims):
        target = list(self.target_shape)
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            total = None if any(d is None for d in dims) else int(np.prod(dims))
            if total is not None:
                if known == 0 or total % known:
                    raise ValueError(f"total size of new array must be unchanged, "
                                     f"input_shape = {list(dims)}, output_shape = {target}")
                target[target.index(-1)] = total // known
            else:
                target[target.index(-1)] = None
        elif all(d is not None for d in dims) and int(np.prod(dims)) != int(np.prod(target)):
            raise ValueError(f"total size of new array must be unchanged, input_shape = "
                             f"{list(dims)}, output_shape = {target}")
        return target

    def call(self, inputs):
        return tf.reshape(inputs, (inputs.shape[0],) + tuple(
            -1 if d is None else d for d in self._fix(inputs.shape.as_list()[1:])))

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0]] + self._fix(dims[1:]))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Lambda(Layer):
    """Wraps an arbitrary function of the inputs as a layer (no weights)."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        config = super().get_config()
        config.update({"function": getattr(self.function, "__name__", "lambda"),
                       "arguments": self.arguments})
        return config

    @classmethod
    def from_config(cls, config):
        raise NotImplementedError("Lambda layers cannot be rebuilt from a config in tapeflow: "
                                  "the function's code is not serialized.")


class Rescaling(Layer):
    """inputs * scale + offset."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        inputs = tf.cast(inputs, self.dtype)
        return inputs * tf.cast(self.scale, self.dtype) + tf.cast(self.offset, self.dtype)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


class Embedding(Layer):
    """Maps integer ids to dense vectors: a lookup into an (input_dim, output_dim) table."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            # As Keras: an Embedding knows it takes (batch, length) ids, so a Sequential
            # starting with one is built (and summarised) before it sees data.
            kwargs["input_shape"] = (input_length,)
        kwargs["autocast"] = False
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(
            "random_uniform" if embeddings_initializer == "uniform" else embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        ids = tf.cast(inputs, "int32") if inputs.dtype.is_floating else inputs
        if hasattr(tf, "gather"):
            return tf.gather(self.embeddings, ids)
        one = tf.one_hot(ids, self.input_dim, dtype=self.embeddings.dtype)
        flat = tf.reshape(one, (-1, self.input_dim))
        out = tf.matmul(flat, self.embeddings)
        return tf.reshape(out, tuple(ids.shape.as_list()) + (self.output_dim,))

    def compute_mask(self, inputs, mask=None):
        """With mask_zero, id 0 is padding: the mask is `inputs != 0`."""
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape).concatenate([self.output_dim])

    def get_config(self):
        config = super().get_config()
        config.update({"input_dim": self.input_dim, "output_dim": self.output_dim,
                       "embeddings_initializer": _ser(self.embeddings_initializer,
                                                      initializers),
                       "embeddings_regularizer": _ser(self.embeddings_regularizer,
                                                      regularizers),
                       "activity_regularizer": _ser(self.activity_regularizer, regularizers),
                       "embeddings_constraint": _ser(self.embeddings_constraint, constraints),
                       "mask_zero": self.mask_zero, "input_length": self.input_length})
        return config


# -- merge layers --------------------------------------------------------------------------

def _merge_masks_check(inputs, mask):
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError("The lists `inputs` and `mask` should have the same length. "
                         f"Received: inputs={inputs} of length {len(inputs)}, and "
                         f"mask={mask} of length {len(mask)}")


class _Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """An entry is kept where every input's mask keeps it (Keras's merge layers)."""
        if mask is None:
            return None
        _merge_masks_check(inputs, mask)
        masks = [tf.expand_dims(m, 0) for m in mask if m is not None]
        if not masks:
            return None
        return tf.reduce_all(tf.concat(masks, 0), axis=0)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
            raise ValueError(f"A merge layer should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return self._finish(out, len(inputs))

    def _finish(self, out, n):
        return out


class Add(_Merge):
    """Element-wise sum of a list of inputs."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of a list of inputs."""

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    def _merge(self, a, b):
        return a + b

    def _finish(self, out, n):
        return out / float(n)


class Maximum(_Merge):
    def _merge(self, a, b):
        return tf.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return tf.minimum(a, b)


class Concatenate(Layer):
    """Concatenates a list of inputs along `axis` (default the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks concatenated as the inputs are (an unmasked input counts as
        all kept; a step mask spans the features), kept where all of the last axis is."""
        if mask is None:
            return None
        _merge_masks_check(inputs, mask)
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(tf.ones_like(x, dtype="bool"))
            elif m.shape.rank < x.shape.rank:
                masks.append(tf.expand_dims(m, -1))
            else:
                masks.append(m)
        return tf.reduce_all(tf.concat(masks, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)

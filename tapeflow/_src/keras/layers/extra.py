"""Smaller Keras layers: activation layers, reshaping helpers, noise, wrappers and
MultiHeadAttention."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import KerasTensor, Layer


class ReLU(Layer):
    """relu with optional cap `max_value`, leak `negative_slope` and `threshold`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        # Keras keeps them as float32 NumPy values (its config shows array(0., ...)).
        self.max_value = None if max_value is None else np.asarray(max_value, np.float32)
        self.negative_slope = np.asarray(negative_slope, np.float32)
        self.threshold = np.asarray(threshold, np.float32)

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
        self.alpha = float(np.float32(alpha))  # a float32 value, as Keras keeps it

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
        self._k_wrapped = layer

    def get_config(self):
        return _wrapped_config(self, super().get_config())

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return _wrapped_from_config(cls, config, custom_objects)

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


def _wrapped_config(wrapper, config):
    """A wrapper's config with the wrapped layer serialized, as Keras writes it."""
    from tapeflow._src.keras.serialization import serialize_keras_object
    config["layer"] = serialize_keras_object(wrapper._k_wrapped)
    config["layer"].pop("build_config", None)
    return config


def _wrapped_from_config(cls, config, custom_objects=None):
    from tapeflow._src.keras.serialization import deserialize_keras_object
    config = dict(config)
    layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
    backward = config.pop("backward_layer", None)
    if backward is not None:
        config["backward_layer"] = deserialize_keras_object(backward,
                                                            custom_objects=custom_objects)
    return cls(layer, **config)


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
        self._k_wrapped = layer
        self._k_wrapped_config = layer.get_config()  # before it is renamed forward_...
        self.forward_layer._name = "forward_" + layer.name
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = getattr(layer, "return_sequences", False)
        self.return_state = getattr(layer, "return_state", False)
        self.supports_masking = True
        if self.return_sequences:
            # As Keras: masked steps of both directions give zeros, so they line up.
            for sub in (self.forward_layer, self.backward_layer):
                if hasattr(sub, "zero_output_for_mask"):
                    sub.zero_output_for_mask = True

    def call(self, inputs, training=None, mask=None):
        kw = {} if training is None else {"training": training}
        if mask is not None:
            kw["mask"] = mask
        f = self.forward_layer(inputs, **kw)
        b = self.backward_layer(inputs, **kw)
        f_states = b_states = []
        if self.return_state:
            # Each direction gives [output, *states]: Keras returns the merged output, then
            # the forward states, then the backward ones.
            f, f_states = f[0], list(f[1:])
            b, b_states = b[0], list(b[1:])
        if self.return_sequences:
            b = tf.reverse(b, [1])
        if self.merge_mode == "concat":
            out = tf.concat([f, b], axis=-1)
        elif self.merge_mode == "sum":
            out = f + b
        elif self.merge_mode == "mul":
            out = f * b
        elif self.merge_mode == "ave":
            out = (f + b) / 2.0
        else:
            out = [f, b]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + f_states + b_states
        return out

    def get_config(self):
        config = _wrapped_config(self, super().get_config())
        config["layer"]["config"] = dict(self._k_wrapped_config)
        config["merge_mode"] = self.merge_mode
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return _wrapped_from_config(cls, config, custom_objects)

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            n = len(self.forward_layer._state_sizes()) if hasattr(
                self.forward_layer, "_state_sizes") else 1
            return (out if isinstance(out, list) else [out]) + [None] * (2 * n)
        return out


# -- multi-head attention ------------------------------------------------------------------

class _EinsumDense(Layer):
    """`einsum(equation, inputs, kernel) + bias`: the projection layers inside
    MultiHeadAttention (Keras's EinsumDense, restricted to what attention needs)."""

    def __init__(self, equation, kernel_shape, bias_shape, kernel_initializer,
                 bias_initializer, kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self._shapes = (tuple(kernel_shape), None if bias_shape is None else tuple(bias_shape))
        self._args = (kernel_initializer, bias_initializer, kernel_regularizer,
                      bias_regularizer, kernel_constraint, bias_constraint)

    def build(self, input_shape):
        k_init, b_init, k_reg, b_reg, k_con, b_con = self._args
        self.kernel = self.add_weight("kernel", shape=self._shapes[0], initializer=k_init,
                                      regularizer=k_reg, constraint=k_con)
        self.bias = None if self._shapes[1] is None else self.add_weight(
            "bias", shape=self._shapes[1], initializer=b_init, regularizer=b_reg,
            constraint=b_con)
        self.built = True

    def call(self, inputs):
        out = tf.einsum(self.equation, inputs, self.kernel)
        return out if self.bias is None else out + self.bias


def _build_in_scope(layer):
    with context.name_scope(layer.name):
        layer.build(None)
    layer.built = True


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention (Vaswani et al.) over (batch, seq, dim)
    inputs, with tf_keras's weights: `query`, `key`, `value` kernels of shape
    (dim, num_heads, key_dim) and an `attention_output` kernel (num_heads, value_dim, out).

    Call as `layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)`; in functional
    models pass `key` and `attention_mask` positionally.

    >>> mha = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> mha(tf.ones([1, 3, 8]), tf.ones([1, 5, 8])).shape
    TensorShape([1, 3, 8])
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 softmax_robust_masking=False, **kwargs):
        from tapeflow._src.keras import constraints, initializers, regularizers
        for key in ("query_shape", "key_shape", "value_shape"):
            kwargs.pop(key, None)  # saved by get_config; the shapes come from the call
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if softmax_robust_masking:
            raise NotImplementedError("MultiHeadAttention(softmax_robust_masking=True) is not "
                                      "implemented in tapeflow.")
        if attention_axes is not None and tuple(np.atleast_1d(attention_axes)) != (1,):
            raise NotImplementedError("tapeflow's MultiHeadAttention attends over axis 1 of "
                                      "(batch, seq, dim) inputs only (attention_axes=None).")
        self.supports_masking = True
        self._num_heads, self._key_dim = num_heads, key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout, self._use_bias = dropout, use_bias
        self._output_shape, self._attention_axes = output_shape, attention_axes
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._shapes = None

    def build(self, input_shape):
        # The projections need the value's and key's shapes too: see _build_from_shapes.
        self.built = True

    def _build_from_shapes(self, query, value, key):
        for name, shape in (("query", query), ("value", value), ("key", key)):
            if len(shape) != 3:
                raise NotImplementedError(
                    "tapeflow's MultiHeadAttention takes rank-3 (batch, seq, dim) inputs; "
                    f"got {name} of shape {tuple(shape)}.")
        self._shapes = tuple(TensorShape(s) for s in (query, key, value))
        in_scope = context.name_scope_stack[-1:] == [self._name]
        with context.name_scope(None if in_scope else self._name):
            n, h, hv = self._num_heads, self._key_dim, self._value_dim
            out = self._output_shape if self._output_shape else query[-1]
            out = out[-1] if isinstance(out, (list, tuple)) else out

            def dense(name, equation, kernel, bias):
                return _EinsumDense(
                    equation, kernel, bias if self._use_bias else None,
                    self._kernel_initializer.__class__.from_config(
                        self._kernel_initializer.get_config()),
                    self._bias_initializer.__class__.from_config(
                        self._bias_initializer.get_config()),
                    self._kernel_regularizer, self._bias_regularizer,
                    self._kernel_constraint, self._bias_constraint, name=name,
                    dtype=self._dtype)

            self._query_dense = dense("query", "abc,cde->abde", (query[-1], n, h), (n, h))
            _build_in_scope(self._query_dense)
            self._key_dense = dense("key", "abc,cde->abde", (key[-1], n, h), (n, h))
            _build_in_scope(self._key_dense)
            self._value_dense = dense("value", "abc,cde->abde", (value[-1], n, hv), (n, hv))
            _build_in_scope(self._value_dense)
            # As Keras, the softmax and dropout are sublayers (they take layer names).
            self._softmax = Softmax(axis=-1, dtype=self._dtype)
            from tapeflow._src.keras.layers.core import Dropout
            self._dropout_layer = Dropout(rate=self._dropout, dtype=self._dtype)
            self._output_dense = dense("attention_output", "abcd,cde->abe", (n, hv, out),
                                       (out,))
            _build_in_scope(self._output_dense)

    def _mask(self, query, value, attention_mask, use_causal_mask):
        if use_causal_mask:
            t, s = query.shape[1], value.shape[1]
            causal = tf.cast(tf.linalg.band_part(tf.ones([1, t, s]), -1, 0), tf.bool)
            attention_mask = causal if attention_mask is None else tf.logical_and(
                tf.cast(attention_mask, tf.bool), causal)
        return attention_mask

    def call(self, query, value, key=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value = self._k_autocast(value)
        key = value if key is None else self._k_autocast(key)
        if self._shapes is None:
            self._build_from_shapes(query.shape, value.shape, key.shape)
        q = self._query_dense(query) * (1.0 / float(np.sqrt(self._key_dim)))
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = tf.einsum("aecd,abcd->acbe", k, q)
        mask = self._mask(query, value, attention_mask, use_causal_mask)
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
            while len(mask.shape) < len(scores.shape):
                mask = tf.expand_dims(mask, axis=-3)
            big = -65500.0 if scores.dtype == tf.float16 else -1e9
            scores = scores + (1.0 - tf.cast(mask, scores.dtype)) * big
        scores = self._softmax(scores)
        dropped = self._dropout_layer(scores, training=training)
        out = self._output_dense(tf.einsum("acbe,aecd->abcd", dropped, v))
        return (out, scores) if return_attention_scores else out

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        # Builds from the symbolic shapes of query/value/key and gives the output specs.
        kwargs = kwargs or {}
        if any(isinstance(kwargs.get(k), KerasTensor) for k in ("key", "attention_mask",
                                                                "value")):
            raise NotImplementedError(
                "tapeflow's functional models take MultiHeadAttention's key and "
                "attention_mask as positional arguments: layer(query, value, key, mask).")
        value = rest[0] if rest else kwargs.get("value")
        key = rest[1] if len(rest) > 1 and rest[1] is not None else value
        query = TensorShape(input_shapes)
        if self._shapes is None:
            self._build_from_shapes(query.as_list(), value.shape.as_list(),
                                    key.shape.as_list())
        dtype = self.dtype
        out = KerasTensor(self.compute_output_shape(query, value.shape), dtype)
        scores = len(rest) > 3 and rest[3] or kwargs.get("return_attention_scores", False)
        if not scores:
            return out
        dims = query.as_list()
        return (out, KerasTensor([dims[0], self._num_heads, dims[1],
                                  value.shape.as_list()[1]], dtype))

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = TensorShape(query_shape), TensorShape(value_shape)
        if query_shape[-1] != value_shape[-1] and self._output_shape is None and \
                self._shapes is None:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape="
                "{query_shape}, value_shape={value_shape}")
        if self._output_shape:
            out = self._output_shape
            return query_shape[:-1].concatenate(list(out) if isinstance(out, (list, tuple))
                                                else [out])
        return query_shape

    def get_config(self):
        from tapeflow._src.keras import constraints, initializers, regularizers

        def ser(obj, module):
            return None if obj is None else module.serialize(obj)
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim,
            "value_dim": self._value_dim, "dropout": self._dropout,
            "use_bias": self._use_bias, "output_shape": self._output_shape,
            "attention_axes": (1,) if self._shapes is not None else self._attention_axes,
            "kernel_initializer": ser(self._kernel_initializer, initializers),
            "bias_initializer": ser(self._bias_initializer, initializers),
            "kernel_regularizer": ser(self._kernel_regularizer, regularizers),
            "bias_regularizer": ser(self._bias_regularizer, regularizers),
            "activity_regularizer": ser(self.activity_regularizer, regularizers),
            "kernel_constraint": ser(self._kernel_constraint, constraints),
            "bias_constraint": ser(self._bias_constraint, constraints),
            "query_shape": None if self._shapes is None else self._shapes[0],
            "key_shape": None if self._shapes is None else self._shapes[1],
            "value_shape": None if self._shapes is None else self._shapes[2],
            "softmax_robust_masking": False})
        return config

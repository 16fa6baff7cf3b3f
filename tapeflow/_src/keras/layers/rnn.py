"""Recurrent layers: SimpleRNN, LSTM and GRU (Keras 2 gate layouts), unrolled over time.

Each layer owns a cell (`simple_rnn_cell`, `lstm_cell`, `gru_cell`) holding `kernel`,
`recurrent_kernel` and `bias`, so weights are named e.g. 'lstm/lstm_cell/kernel:0'.
"""

from __future__ import annotations

import tapeflow as tf
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras import activations, constraints, initializers, regularizers
from tapeflow._src.keras.engine import Layer
from tapeflow._src.keras.layers.core import _init_kernel_bias, _ser


class _Cell(Layer):
    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 **kwargs):
        if dropout or recurrent_dropout:
            raise NotImplementedError("RNN dropout / recurrent_dropout are not implemented in "
                                      "tapeflow; add a Dropout layer instead.")
        super().__init__(**kwargs)
        self.units = int(units)
        _init_kernel_bias(self, activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer, kernel_constraint,
                          bias_constraint)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.reset_after = reset_after
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zero states: one [batch, units] tensor (a list of two for LSTMCell)."""
        if inputs is not None:
            batch_size, dtype = tf.shape(inputs)[0], dtype or inputs.dtype
        sizes = self.state_size
        zeros = [tf.zeros([batch_size, n], dtype or "float32")
                 for n in (sizes if isinstance(sizes, list) else [sizes])]
        return zeros if isinstance(sizes, list) else zeros[0]

    def call(self, inputs, states, training=None):
        """One time step: (output, new states), states as given (a list or one tensor)."""
        nested = isinstance(states, (list, tuple))
        h, new = self.step(self.project(inputs), list(states) if nested else [states])
        return h, (new if nested or isinstance(self.state_size, list) else new[0])

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        d = TensorShape(input_shape)[-1]
        n = self.gates * self.units
        self.kernel = self.add_weight("kernel", (d, n), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, n), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(),
                                        initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units, "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser(self.kernel_initializer, initializers),
            "recurrent_initializer": _ser(self.recurrent_initializer, initializers),
            "bias_initializer": _ser(self.bias_initializer, initializers)})
        return config


class SimpleRNNCell(_Cell):
    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def step(self, x_proj, states):
        h = self.activation(x_proj + tf.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def project(self, x):
        out = tf.matmul(x, self.kernel)
        return out + self.bias if self.use_bias else out


class _ForgetBias(initializers.Initializer):
    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None, **kwargs):
        u = self.units
        return tf.concat([self.base((u,), dtype), tf.ones((u,), dtype or "float32"),
                          self.base((2 * u,), dtype)], 0)


class LSTMCell(_Cell):
    gates = 4

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self):
        if self.unit_forget_bias:
            return _ForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def project(self, x):
        out = tf.matmul(x, self.kernel)
        return out + self.bias if self.use_bias else out

    def step(self, x_proj, states):
        h, c = states
        z = x_proj + tf.matmul(h, self.recurrent_kernel)
        zi, zf, zc, zo = tf.split(z, 4, axis=1)
        i = self.recurrent_activation(zi)
        f = self.recurrent_activation(zf)
        c = f * c + i * self.activation(zc)
        o = self.recurrent_activation(zo)
        h = o * self.activation(c)
        return h, [h, c]


class GRUCell(_Cell):
    gates = 3

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def project(self, x):
        out = tf.matmul(x, self.kernel)
        if self.use_bias:
            out = out + (self.bias[0] if self.reset_after else self.bias)
        return out

    def step(self, x_proj, states):
        h = states[0]
        xz, xr, xh = tf.split(x_proj, 3, axis=1)
        if self.reset_after:
            inner = tf.matmul(h, self.recurrent_kernel)
            if self.use_bias:
                inner = inner + self.bias[1]
            rz, rr, rh = tf.split(inner, 3, axis=1)
            z = self.recurrent_activation(xz + rz)
            r = self.recurrent_activation(xr + rr)
            hh = self.activation(xh + r * rh)
        else:
            u = self.units
            rk = self.recurrent_kernel
            z = self.recurrent_activation(xz + tf.matmul(h, rk[:, :u]))
            r = self.recurrent_activation(xr + tf.matmul(h, rk[:, u:2 * u]))
            hh = self.activation(xh + tf.matmul(r * h, rk[:, 2 * u:]))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config


class RNN(Layer):
    """Runs `cell` over the time axis of [batch, time, features] inputs.

    `cell` is a Keras cell (SimpleRNNCell, LSTMCell, GRUCell) or any layer with
    `state_size` and `call(inputs, states) -> (output, new_states)`.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            raise NotImplementedError("RNN over a list of cells (StackedRNNCells) is not "
                                      "implemented in tapeflow; stack RNN layers instead.")
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: "
                             f"cell={cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have a `state_size` attribute (tuple of "
                             "integers, one integer per RNN state). Received: "
                             f"cell={cell}")
        if stateful or time_major:
            raise NotImplementedError("stateful / time_major RNNs are not implemented in "
                                      "tapeflow.")
        zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.unroll = go_backwards, unroll
        self.stateful, self.time_major = stateful, time_major

    def _state_sizes(self):
        sizes = self.cell.state_size
        return list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]

    def _output_size(self):
        return getattr(self.cell, "output_size", None) or self._state_sizes()[0]

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            with context.name_scope(self.cell.name):
                self.cell.build(shape[-1:] if shape.rank == 2 else
                                TensorShape([shape[0]]).concatenate(shape[2:]))
            self.cell.built = True
        self.built = True

    def call(self, inputs, initial_state=None, training=None, mask=None):
        cell = self.cell
        if initial_state is None:
            if hasattr(cell, "get_initial_state"):
                states = cell.get_initial_state(batch_size=inputs.shape[0],
                                                dtype=inputs.dtype)
            else:
                states = [tf.zeros([inputs.shape[0], n], inputs.dtype)
                          for n in self._state_sizes()]
        else:
            states = initial_state
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if isinstance(cell, _Cell):
            # Keras's own cells: the input projection of every step in one matmul.
            batch, steps, d = inputs.shape[0], inputs.shape[1], inputs.shape[2]
            proj = tf.reshape(cell.project(tf.reshape(inputs, [-1, d])), [batch, steps, -1])
            step = cell.step
        else:
            proj = inputs

            def step(x, st):
                out, new = cell.call(x, st)
                return out, (list(new) if isinstance(new, (list, tuple)) else [new])
        xs = tf.unstack(proj, axis=1)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        ms = tf.unstack(tf.cast(mask, "bool"), axis=1) if mask is not None else None
        if self.go_backwards:
            xs = xs[::-1]
            ms = ms[::-1] if ms is not None else None
        outputs = []
        out = None
        for t, x in enumerate(xs):
            new_out, new_states = step(x, states)
            if ms is None:
                out, states = new_out, new_states
            else:
                # A masked step keeps the previous output and states (Keras's rnn loop).
                keep = tf.expand_dims(ms[t], -1)
                prev = out if out is not None else tf.zeros_like(new_out)
                out = tf.where(keep, new_out, prev)
                states = [tf.where(keep, n, o) for n, o in zip(new_states, states)]
            if self.return_sequences:
                outputs.append(out)
        if self.return_sequences:
            out = tf.stack(outputs, axis=1)
            if ms is not None and self.zero_output_for_mask:
                out = tf.where(tf.expand_dims(tf.stack(ms, axis=1), -1), out,
                               tf.zeros_like(out))
        elif ms is not None and self.zero_output_for_mask:
            out = tf.where(tf.expand_dims(ms[-1], -1), out, tf.zeros_like(out))
        if self.return_state:
            return [out] + list(states)
        return out

    def compute_mask(self, inputs, mask):
        """The time-step mask passes on with the sequence output (not with a last output
        or the states)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self._state_sizes())
        return out

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        n = self._output_size()
        out = TensorShape([dims[0], dims[1], n] if self.return_sequences else [dims[0], n])
        if self.return_state:
            return [out] + [TensorShape([dims[0], k]) for k in self._state_sizes()]
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards,
                       "stateful": self.stateful, "unroll": self.unroll,
                       "time_major": self.time_major,
                       "cell": {"class_name": type(self.cell).__name__,
                                "config": self.cell.get_config()}})
        return config


class _RNN(RNN):
    cell_class = SimpleRNNCell

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if stateful or time_major:
            raise NotImplementedError("stateful / time_major RNNs are not implemented in "
                                      "tapeflow.")
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs)
                        if k in ("name", "trainable", "dtype", "input_shape",
                                 "batch_input_shape", "batch_size", "input_dim",
                                 "activity_regularizer", "zero_output_for_mask")}
        from tapeflow._src.framework.module import camel_to_snake
        cell = self.cell_class(units, name=camel_to_snake(self.cell_class.__name__), **kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, unroll=unroll, **layer_kwargs)
        self.units = int(units)

    def get_config(self):
        config = Layer.get_config(self)
        cell_config = self.cell.get_config()
        for k in ("name", "trainable", "dtype"):
            cell_config.pop(k, None)
        config.update(cell_config)
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards})
        return config


# The cell's settings read through the layer, as Keras's LSTM/GRU/SimpleRNN expose them.
for _name in ("activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
              "recurrent_dropout", "reset_after"):
    setattr(_RNN, _name, property(lambda self, _n=_name: getattr(self.cell, _n)))


class SimpleRNN(_RNN):
    """A fully connected RNN: h_t = tanh(x_t W + h_{t-1} U + b)."""
    cell_class = SimpleRNNCell


class LSTM(_RNN):
    """Long short-term memory (gate order i, f, c, o, as Keras)."""
    cell_class = LSTMCell
    n_states = 2


class GRU(_RNN):
    """Gated recurrent unit (Keras 2 default: reset_after=True)."""
    cell_class = GRUCell

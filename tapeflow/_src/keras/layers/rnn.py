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
                 implementation=2, **kwargs):
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
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        # As Keras: recurrent dropout runs the per-gate variant (implementation 1), which
        # draws a mask per gate.
        self.implementation = 1 if self.recurrent_dropout and self.gates > 1 else (
            implementation)

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
        states = list(states) if nested else [states]
        in_masks, rec_masks = self._dropout_masks(inputs, states[0], training)
        h, new = self.step(self.project(inputs, in_masks), states, rec_masks)
        return h, (new if nested or isinstance(self.state_size, list) else new[0])

    def _dropout_masks(self, x, h, training):
        """Input and recurrent dropout masks (1/(1-rate) or 0), one per gate in Keras's
        per-gate variant, else one; None outside training or without dropout. A layer
        draws them once per call and uses them at every time step."""
        n = self.gates if self.implementation == 1 else 1

        def draw(like, rate):
            ones = tf.ones_like(like)
            return [tf.nn.dropout(ones, rate) for _ in range(n)]
        in_masks = draw(x, self.dropout) if training and 0 < self.dropout < 1 else None
        rec_masks = (draw(h, self.recurrent_dropout)
                     if training and 0 < self.recurrent_dropout < 1 else None)
        return in_masks, rec_masks

    def _project_gates(self, x, masks):
        """x @ kernel for (batch, features) or (batch, time, features) inputs; with one
        dropout mask per gate, gate by gate (the same mask at every time step)."""
        if masks is None:
            return _matmul_last(x, self.kernel)
        if len(masks) == 1:
            return _matmul_last(_apply_mask(x, masks[0]), self.kernel)
        u = self.units
        return tf.concat([_matmul_last(_apply_mask(x, m), self.kernel[:, g * u:(g + 1) * u])
                          for g, m in enumerate(masks)], axis=-1)

    def _recurrent(self, h, masks, start, stop):
        """h @ recurrent_kernel over gates [start, stop), each gate's h under its mask."""
        u = self.units
        rk = self.recurrent_kernel
        if masks is None:
            return tf.matmul(h, rk[:, start * u:stop * u] if (start, stop) != (
                0, self.gates) else rk)
        if len(masks) == 1:
            return tf.matmul(h * masks[0], rk[:, start * u:stop * u] if (start, stop) != (
                0, self.gates) else rk)
        return tf.concat([tf.matmul(h * masks[g], rk[:, g * u:(g + 1) * u])
                          for g in range(start, stop)], axis=-1)

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
        """Keras's keys, in its order (cells have no recurrent_activation for SimpleRNN,
        unit_forget_bias only for LSTM, implementation for LSTM/GRU, reset_after for GRU)."""
        config = super().get_config()
        config["units"] = self.units
        config["activation"] = activations.serialize(self.activation)
        if self.gates > 1:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update({
            "use_bias": self.use_bias,
            "kernel_initializer": _ser(self.kernel_initializer, initializers),
            "recurrent_initializer": _ser(self.recurrent_initializer, initializers),
            "bias_initializer": _ser(self.bias_initializer, initializers)})
        if self.gates == 4:
            config["unit_forget_bias"] = self.unit_forget_bias
        config.update({
            "kernel_regularizer": _ser(self.kernel_regularizer, regularizers),
            "recurrent_regularizer": _ser(self.recurrent_regularizer, regularizers),
            "bias_regularizer": _ser(self.bias_regularizer, regularizers),
            "kernel_constraint": _ser(self.kernel_constraint, constraints),
            "recurrent_constraint": _ser(self.recurrent_constraint, constraints),
            "bias_constraint": _ser(self.bias_constraint, constraints),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout})
        if self.gates > 1:
            config["implementation"] = self.implementation
        return config


def _apply_mask(x, mask):
    """x times a (batch, features) dropout mask, for every time step of a 3-D x."""
    return x * (tf.expand_dims(mask, 1) if x.shape.rank == 3 else mask)


def _matmul_last(x, w):
    """x @ w over x's last axis (x of rank 2 or 3)."""
    if x.shape.rank == 2:
        return tf.matmul(x, w)
    b, t, d = x.shape.as_list()
    return tf.reshape(tf.matmul(tf.reshape(x, [-1, d]), w), [b, t, -1])


class SimpleRNNCell(_Cell):
    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def step(self, x_proj, states, rec_masks=None):
        h = self.activation(x_proj + self._recurrent(states[0], rec_masks, 0, 1))
        return h, [h]

    def project(self, x, masks=None):
        out = self._project_gates(x, masks)
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

    def project(self, x, masks=None):
        out = self._project_gates(x, masks)
        return out + self.bias if self.use_bias else out

    def step(self, x_proj, states, rec_masks=None):
        h, c = states
        z = x_proj + self._recurrent(h, rec_masks, 0, 4)
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

    def project(self, x, masks=None):
        out = self._project_gates(x, masks)
        if self.use_bias:
            out = out + (self.bias[0] if self.reset_after else self.bias)
        return out

    def step(self, x_proj, states, rec_masks=None):
        h = states[0]
        xz, xr, xh = tf.split(x_proj, 3, axis=-1)
        if self.reset_after:
            inner = self._recurrent(h, rec_masks, 0, 3)
            if self.use_bias:
                inner = inner + self.bias[1]
            rz, rr, rh = tf.split(inner, 3, axis=-1)
            z = self.recurrent_activation(xz + rz)
            r = self.recurrent_activation(xr + rr)
            hh = self.activation(xh + r * rh)
        else:
            u = self.units
            z = self.recurrent_activation(xz + self._recurrent(h, rec_masks, 0, 1))
            r = self.recurrent_activation(xr + self._recurrent(h, rec_masks, 1, 2))
            h_h = h * rec_masks[2] if rec_masks is not None else h
            hh = self.activation(xh + tf.matmul(r * h_h, self.recurrent_kernel[:, 2 * u:]))
        h = z * h + (1.0 - z) * hh   # the previous state itself, not a dropped copy
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
            # Keras's own cells: the input projection of every step in one matmul; while
            # training, dropout masks drawn once for this call serve every step.
            in_masks, rec_masks = cell._dropout_masks(inputs[:, 0, :], states[0], training)
            proj = cell.project(inputs, in_masks)

            def step(x, st):
                return cell.step(x, st, rec_masks)
        else:
            proj = inputs
            import inspect
            kw = ({"training": training}
                  if "training" in inspect.signature(cell.call).parameters else {})

            def step(x, st):
                out, new = cell.call(x, st, **kw)
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
        """Keras's LSTM/GRU/SimpleRNN config: the layer's flags, then the cell's settings
        (with the layer's activity_regularizer after bias_regularizer)."""
        config = Layer.get_config(self)
        config.pop("activity_regularizer", None)
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards,
                       "stateful": self.stateful, "unroll": self.unroll,
                       "time_major": self.time_major})
        for k, v in self.cell.get_config().items():
            if k in ("name", "trainable", "dtype"):
                continue
            config[k] = v
            if k == "bias_regularizer":
                config["activity_regularizer"] = (
                    None if self.activity_regularizer is None
                    else regularizers.serialize(self.activity_regularizer))
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

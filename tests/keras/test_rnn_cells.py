"""RNN cells called directly, and the generic `RNN(cell)` layer (tf_keras semantics)."""

import numpy as np
import pytest

import tapeflow as tf


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_cells_called_directly_take_one_step():
    x = tf.ones((2, 4)) * 0.1
    simple = tf.keras.layers.SimpleRNNCell(3, kernel_initializer="ones",
                                           recurrent_initializer="ones")
    out, state = simple(x, simple.get_initial_state(batch_size=2, dtype=tf.float32))
    np.testing.assert_allclose(out.numpy(), np.full((2, 3), np.tanh(0.4)), rtol=1e-6)
    assert isinstance(state, tf.Tensor)          # one tensor in, one tensor out
    _, state = simple(x, [tf.ones((2, 3))])
    assert isinstance(state, list)               # a list in, a list out
    lstm = tf.keras.layers.LSTMCell(3, kernel_initializer="ones",
                                    recurrent_initializer="ones")
    assert lstm.state_size == [3, 3] and lstm.output_size == 3
    h, (h2, c) = lstm(x, lstm.get_initial_state(batch_size=2, dtype=tf.float32))
    i, f, o = _sig(0.4), _sig(1.4), _sig(0.4)    # unit_forget_bias adds 1 to the forget gate
    c_ref = i * np.tanh(0.4)
    np.testing.assert_allclose(c.numpy(), np.full((2, 3), c_ref), rtol=1e-6)
    np.testing.assert_allclose(h.numpy(), np.full((2, 3), o * np.tanh(c_ref)), rtol=1e-6)
    assert h2 is h or np.array_equal(h2.numpy(), h.numpy())
    assert [v.name for v in lstm.weights] == [
        "lstm_cell/kernel:0", "lstm_cell/recurrent_kernel:0", "lstm_cell/bias:0"]
    gru = tf.keras.layers.GRUCell(3)
    out, state = gru(x, tf.zeros((2, 3)))
    assert out.shape == (2, 3) and state.shape == (2, 3)


class MinimalRNNCell(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="ones", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="ones", name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        h = tf.matmul(inputs, self.kernel)
        output = h + tf.matmul(states[0], self.recurrent_kernel) * 0.5
        return output, [output]


def test_rnn_layer_runs_a_custom_cell():
    tf.keras.backend.clear_session()
    x = tf.ones((2, 3, 4)) * 0.1
    layer = tf.keras.layers.RNN(MinimalRNNCell(2))
    # h1 = 0.4; h2 = 0.4 + 0.5 * 2 * 0.4 = 0.8; h3 = 0.4 + 0.5 * 2 * 0.8 = 1.2
    np.testing.assert_allclose(layer(x).numpy(), np.full((2, 2), 1.2), rtol=1e-6)
    assert [v.name for v in layer.weights] == ["rnn/minimal_rnn_cell/kernel:0",
                                               "rnn/minimal_rnn_cell/recurrent_kernel:0"]
    seq, state = tf.keras.layers.RNN(MinimalRNNCell(2), return_sequences=True,
                                     return_state=True)(x)
    np.testing.assert_allclose(seq.numpy()[0, :, 0], [0.4, 0.8, 1.2], rtol=1e-6)
    assert state.shape == (2, 2)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    assert all(g is not None for g in tape.gradient(y, layer.trainable_weights))


def test_rnn_of_a_keras_cell_matches_the_layer():
    x = tf.random.normal((2, 5, 3))
    cell = tf.keras.layers.LSTMCell(4)
    rnn = tf.keras.layers.RNN(cell, return_state=True, go_backwards=True)
    out, h, c = rnn(x)
    lstm = tf.keras.layers.LSTM(4, return_state=True, go_backwards=True)
    lstm(x)
    lstm.set_weights(rnn.get_weights())
    for a, b in zip(lstm(x), (out, h, c)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    inp = tf.keras.Input((None, 3))
    model = tf.keras.Model(inp, tf.keras.layers.RNN(tf.keras.layers.GRUCell(2))(inp))
    assert model.output_shape == (None, 2)
    assert tf.keras.layers.GRU(3).reset_after and tf.keras.layers.LSTM(2).unit_forget_bias


def test_rnn_argument_errors():
    with pytest.raises(ValueError, match="should have a `call` method"):
        tf.keras.layers.RNN(object())
    with pytest.raises(NotImplementedError, match="StackedRNNCells"):
        tf.keras.layers.RNN([tf.keras.layers.LSTMCell(2), tf.keras.layers.LSTMCell(2)])


def test_rnn_dropout_masks_hold_across_time_steps_and_only_in_training():
    tf.random.set_seed(0)
    x = tf.ones((64, 5, 8))
    rnn = tf.keras.layers.SimpleRNN(1, activation=None, use_bias=False, dropout=0.5,
                                    return_sequences=True, kernel_initializer="ones",
                                    recurrent_initializer="zeros")
    np.testing.assert_allclose(rnn(x).numpy(), 8.0)              # inference: no dropout
    out = rnn(x, training=True).numpy()[..., 0]
    # One mask for the whole sequence: every step sees the same kept inputs, each kept
    # input scaled by 1 / (1 - 0.5).
    np.testing.assert_allclose(out, np.repeat(out[:, :1], 5, axis=1))
    assert set(np.unique(out)) <= set(np.arange(0.0, 17.0, 2.0)) and out.std() > 0
    assert not np.allclose(out, rnn(x, training=True).numpy()[..., 0])   # new masks


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_dropout_trains(kind):
    tf.random.set_seed(1)
    layer = getattr(tf.keras.layers, kind)(4, dropout=0.2, recurrent_dropout=0.3)
    x = tf.random.normal((3, 6, 5))
    base = layer(x).numpy()
    np.testing.assert_allclose(layer(x).numpy(), base)          # inference is deterministic
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x, training=True))
    grads = tape.gradient(y, layer.trainable_weights)
    assert all(g is not None for g in grads)
    assert not np.allclose(layer(x, training=True).numpy(), base)
    if kind != "SimpleRNN":
        assert layer.cell.implementation == 1    # Keras's per-gate variant
    model = tf.keras.Sequential([getattr(tf.keras.layers, kind)(
        4, dropout=0.2, recurrent_dropout=0.2, input_shape=(6, 5)), tf.keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.random.rand(8, 6, 5), np.random.rand(8, 1), epochs=1, verbose=0)

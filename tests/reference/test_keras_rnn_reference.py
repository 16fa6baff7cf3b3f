"""RNN cells called directly and `RNN(cell)` against tf_keras, on fixed weights."""

import numpy as np

import tapeflow as tfl


def _cells(m):
    out = []
    x = m.ones((2, 4)) * 0.1
    for name in ("SimpleRNNCell", "LSTMCell", "GRUCell"):
        cell = getattr(m.keras.layers, name)(3, kernel_initializer="ones",
                                             recurrent_initializer="ones")
        init = cell.get_initial_state(batch_size=2, dtype=m.float32)
        y, state = cell(x, init)
        y2, state2 = cell(x, [m.ones((2, 3))] * len(m.nest.flatten(init)))
        out.append((list(cell.state_size) if isinstance(cell.state_size, (list, tuple))
                    else cell.state_size, cell.output_size, type(state) is list,
                    type(state2) is list, y.numpy(), y2.numpy(),
                    [s.numpy() for s in m.nest.flatten(state)],
                    [v.name.split("/")[-1] for v in cell.weights]))
    seq = m.ones((2, 3, 4)) * 0.1
    rnn = m.keras.layers.RNN(m.keras.layers.LSTMCell(4, kernel_initializer="ones",
                                                     recurrent_initializer="ones"),
                             return_state=True, return_sequences=True, go_backwards=True)
    out.append([t.numpy() for t in rnn(seq)])
    return out


def _same(a, b):
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    else:
        assert a == b, (a, b)


def test_cells_and_rnn_layer_match_tf_keras(tf_ref):
    _same(_cells(tfl), _cells(tf_ref))


def test_rnn_configs_match_tf_keras(tf_ref):
    def configs(m):
        out = []
        for name in ("SimpleRNN", "LSTM", "GRU"):
            out.append(getattr(m.keras.layers, name)(3, dropout=0.2,
                                                     recurrent_dropout=0.1).get_config())
            out.append(getattr(m.keras.layers, name + "Cell")(3).get_config())
        return out
    assert configs(tfl) == configs(tf_ref)


def test_rnn_dropout_is_identity_at_inference(tf_ref):
    def outputs(m):
        c = m.keras.initializers.Constant
        x = np.linspace(-1, 1, 2 * 4 * 3).reshape(2, 4, 3).astype(np.float32)
        return [getattr(m.keras.layers, n)(2, dropout=0.3, recurrent_dropout=0.4,
                                           kernel_initializer=c(0.2),
                                           recurrent_initializer=c(-0.1))(x).numpy()
                for n in ("SimpleRNN", "LSTM", "GRU")]
    for a, b in zip(outputs(tfl), outputs(tf_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

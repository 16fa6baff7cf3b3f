"""Keras masks: Embedding(mask_zero) / Masking set `_keras_mask`, layers pass it on, RNNs
and pooling skip masked steps (tf_keras semantics)."""

import numpy as np
import pytest

import tapeflow as tf

C = tf.keras.initializers.Constant


def _embedding(**kw):
    return tf.keras.layers.Embedding(10, 3, mask_zero=True,
                                     embeddings_initializer=C(np.linspace(-1, 1, 30)
                                                              .reshape(10, 3)), **kw)


def test_embedding_mask_travels_through_layers_that_support_masking():
    ids = np.array([[3, 4, 0, 0], [1, 0, 0, 0]])
    out = _embedding()(ids)
    np.testing.assert_array_equal(out._keras_mask.numpy(), ids != 0)
    dense = tf.keras.layers.Dense(2)(out)            # Dense passes the mask on
    np.testing.assert_array_equal(dense._keras_mask.numpy(), ids != 0)
    flat = tf.keras.layers.Flatten()(out)           # Flatten does not support masking
    with pytest.raises(AttributeError):
        flat._keras_mask  # noqa: B018
    with pytest.raises(TypeError, match="does not support masking"):
        tf.keras.layers.Flatten().compute_mask(out, out._keras_mask)
    assert tf.keras.layers.Embedding(10, 2).compute_mask(ids) is None


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_masked_steps_are_skipped_like_unpadded_sequences(kind):
    ids = np.array([[3, 4, 0, 0], [2, 5, 6, 7]])
    rnn = getattr(tf.keras.layers, kind)(4, return_sequences=True,
                                         kernel_initializer=C(0.3),
                                         recurrent_initializer=C(-0.2))
    emb = _embedding()
    padded = rnn(emb(ids)).numpy()
    alone = rnn(emb(np.array([[3, 4]]))).numpy()
    np.testing.assert_allclose(padded[0, :2], alone[0], rtol=1e-6)
    # Masked steps repeat the last real output; the sequence output keeps the mask.
    np.testing.assert_allclose(padded[0, 2], padded[0, 1])
    last = getattr(tf.keras.layers, kind)(4, kernel_initializer=C(0.3),
                                          recurrent_initializer=C(-0.2))
    np.testing.assert_allclose(last(emb(ids)).numpy()[0], alone[0, -1], rtol=1e-6)
    np.testing.assert_array_equal(rnn(emb(ids))._keras_mask.numpy(), ids != 0)


def test_average_pooling_leaves_masked_steps_out():
    x = np.arange(8.0).reshape(1, 4, 2)
    pool = tf.keras.layers.GlobalAveragePooling1D()
    np.testing.assert_allclose(pool(x, mask=np.array([[1, 1, 0, 0]])).numpy(), [[1.0, 2.0]])
    seq = tf.keras.Sequential([tf.keras.layers.Embedding(10, 2, mask_zero=True,
                                                         embeddings_initializer="ones"),
                               tf.keras.layers.GlobalAveragePooling1D()])
    np.testing.assert_allclose(seq(np.array([[3, 0, 0], [1, 2, 0]])).numpy(), np.ones((2, 2)))


def test_masking_layer_feeds_an_rnn():
    x = tf.constant([[[1.0], [0.0], [2.0]]])
    masked = tf.keras.layers.Masking(0.0)(x)
    rnn = tf.keras.layers.SimpleRNN(1, kernel_initializer="ones",
                                    recurrent_initializer="ones", use_bias=False)
    # h1 = tanh(1); the masked step keeps h1; h3 = tanh(2 + h1).
    np.testing.assert_allclose(rnn(masked).numpy(), [[np.tanh(2 + np.tanh(1.0))]], rtol=1e-6)


def test_bidirectional_returns_each_directions_states():
    x = np.ones((2, 5, 3), np.float32)
    out = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(4, return_state=True))(x)
    assert [tuple(o.shape) for o in out] == [(2, 8)] + [(2, 4)] * 4
    out = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(4, return_state=True,
                                                            return_sequences=True))(x)
    assert [tuple(o.shape) for o in out] == [(2, 5, 8), (2, 4), (2, 4)]


def test_masked_metrics_leave_padding_out():
    ids = np.array([[3, 4, 0, 0], [1, 0, 0, 0]])
    model = tf.keras.Sequential([_embedding(), tf.keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logits = model(ids).numpy()
    y = np.argmax(logits, -1)
    y[0, 2:] = 1 - y[0, 2:]        # wrong labels on padding only: accuracy stays 1
    y[1, 1:] = 1 - y[1, 1:]
    assert model.evaluate(ids, y, verbose=0, return_dict=True)["accuracy"] == 1.0


def test_losses_average_over_the_unmasked_entries():
    ids = np.array([[3, 4, 0, 0], [1, 0, 0, 0]])
    out = tf.keras.layers.Dense(2, kernel_initializer=C(0.5))(_embedding()(ids))
    y = np.array([[1, 0, 1, 1], [0, 1, 1, 0]])
    per_entry = tf.keras.losses.sparse_categorical_crossentropy(y, out, from_logits=True)
    valid = ids != 0
    expected = per_entry.numpy()[valid].mean()
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(float(loss(y, out)), expected, rtol=1e-6)
    model = tf.keras.Sequential([_embedding(), tf.keras.layers.Dense(
        2, kernel_initializer=C(0.5))])
    model.compile(optimizer="sgd", loss=loss)
    np.testing.assert_allclose(model.evaluate(ids, y, verbose=0), expected, rtol=1e-6)


def test_explicit_masks_overrides_and_merges():
    class CustomEmbedding(tf.keras.layers.Layer):     # the masking guide's custom layer
        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(10, 4), initializer="ones",
                                              name="embeddings")

        def call(self, inputs):
            return tf.nn.embedding_lookup(self.embeddings, inputs)

        def compute_mask(self, inputs, mask=None):
            return tf.not_equal(inputs, 0)

    ids = np.array([[3, 0]])
    assert CustomEmbedding()(ids)._keras_mask.numpy().tolist() == [[True, False]]
    a = _embedding()(np.array([[0, 3]]))
    assert tf.keras.layers.Concatenate()([a, a])._keras_mask.numpy().tolist() == [[False, True]]
    assert tf.keras.layers.Add()([a, a])._keras_mask.numpy().tolist() == [[False, True]]

    class Count(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            return tf.constant(-1.0) if mask is None else tf.reduce_sum(
                tf.cast(mask, tf.float32))
    count = Count()
    assert float(count(a, mask=None)) == -1.0            # an explicit None wins
    assert float(count(a)) == 1.0                          # the input's own mask
    assert float(count(a, tf.constant([[True, True]]))) == 2.0   # given positionally
    x = tf.constant([[1.0, 2.0]])
    out = tf.keras.layers.Dropout(0.5)(x, training=False)
    assert out is x                                      # nothing masked: the input itself
    masked = tf.keras.layers.Dense(2)(a)
    assert masked._keras_mask is not None
    class PassThrough(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            return inputs
    plain = tf.constant([[1.0, 2.0]])
    marked = PassThrough()(plain, mask=tf.constant([[True, False]]))
    assert marked is not plain and marked._keras_mask is not None   # a new tensor carries it
    assert getattr(plain, "_keras_mask", None) is None              # not the caller's
    with pytest.raises(TypeError, match="unexpected keyword argument 'mask'"):
        tf.keras.layers.Activation("linear")(x, mask=tf.constant([[True, False]]))

import numpy as np
import pytest

import tapeflow as tf
from tests.keras.layer_helper import check_layer


@pytest.mark.parametrize("make,in_shape,n,out_shape", [
    (lambda: tf.keras.layers.Conv2D(3, 2, activation="relu"), (2, 5, 5, 2), 2, (2, 4, 4, 3)),
    (lambda: tf.keras.layers.Conv2D(3, 3, strides=2, padding="same"), (2, 5, 5, 2), 2,
     (2, 3, 3, 3)),
    (lambda: tf.keras.layers.Conv1D(4, 3), (2, 6, 3), 2, (2, 4, 4)),
    (lambda: tf.keras.layers.BatchNormalization(), (4, 3), 4, (4, 3)),
    (lambda: tf.keras.layers.LayerNormalization(), (4, 3), 2, (4, 3)),
    (lambda: tf.keras.layers.SimpleRNN(3), (2, 4, 2), 3, (2, 3)),
    (lambda: tf.keras.layers.LSTM(3, return_sequences=True), (2, 4, 2), 3, (2, 4, 3)),
    (lambda: tf.keras.layers.GRU(3), (2, 4, 2), 3, (2, 3)),
])
def test_layers_with_helper(make, in_shape, n, out_shape):
    check_layer(make, in_shape, n, out_shape)


def test_pooling_hand_computed():
    x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    np.testing.assert_array_equal(tf.keras.layers.MaxPooling2D()(x).numpy().ravel(),
                                  [5, 7, 13, 15])
    np.testing.assert_array_equal(tf.keras.layers.AveragePooling2D()(x).numpy().ravel(),
                                  [2.5, 4.5, 10.5, 12.5])
    np.testing.assert_array_equal(tf.keras.layers.GlobalAveragePooling2D()(x).numpy(), [[7.5]])
    np.testing.assert_array_equal(tf.keras.layers.GlobalMaxPooling2D()(x).numpy(), [[15.0]])


def test_batchnorm_training_vs_inference_and_moving_stats():
    bn = tf.keras.layers.BatchNormalization(momentum=0.5, epsilon=0.0)
    x = tf.constant([[1.0], [3.0]])
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y, [[-1.0], [1.0]], rtol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.0])
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.0])
    np.testing.assert_allclose(bn(x).numpy(), [[0.0], [2.0]], rtol=1e-5)
    bn.trainable = False
    np.testing.assert_allclose(bn(x, training=True).numpy(), [[0.0], [2.0]], rtol=1e-5)
    assert [v.name.split("/")[-1] for v in bn.non_trainable_weights] == [
        "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]


def test_rnn_weight_names_and_lstm_forget_bias():
    tf.keras.backend.clear_session()
    layer = tf.keras.layers.LSTM(2)
    layer(tf.ones([1, 3, 4]))
    assert [v.name for v in layer.weights] == ["lstm/lstm_cell/kernel:0",
                                               "lstm/lstm_cell/recurrent_kernel:0",
                                               "lstm/lstm_cell/bias:0"]
    np.testing.assert_array_equal(layer.weights[2].numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
    out, h, c = tf.keras.layers.LSTM(2, return_state=True)(tf.ones([1, 3, 4]))
    np.testing.assert_array_equal(out.numpy(), h.numpy())


def test_simple_rnn_hand_computed():
    layer = tf.keras.layers.SimpleRNN(1, activation=None, kernel_initializer="ones",
                                      recurrent_initializer="ones")
    # h1 = 1, h2 = 2 + 1 = 3, h3 = 3 + 3 = 6
    out = layer(tf.constant([[[1.0], [2.0], [3.0]]]))
    np.testing.assert_allclose(out.numpy(), [[6.0]])


def test_normalization_adapt_and_rescaling():
    n = tf.keras.layers.Normalization()
    n.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    np.testing.assert_allclose(n(np.array([[1.0, 20.0]])).numpy(), [[0.0, 0.0]], atol=1e-6)
    np.testing.assert_allclose(n(np.array([[2.0, 30.0]])).numpy(), [[1.0, 1.0]], rtol=1e-5)
    r = tf.keras.layers.Rescaling(1 / 255.0)
    np.testing.assert_allclose(r(np.array([255.0])).numpy(), [1.0])


def test_cnn_model_trains():
    tf.keras.backend.clear_session()
    tf.random.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((32, 6, 6, 1)).astype("float32")
    y = (x.mean((1, 2, 3)) > 0.5).astype("int32")
    m = tf.keras.Sequential([tf.keras.layers.Conv2D(4, 3, activation="relu",
                                                    input_shape=(6, 6, 1)),
                             tf.keras.layers.MaxPooling2D(),
                             tf.keras.layers.Flatten(),
                             tf.keras.layers.Dense(2)])
    m.compile(tf.keras.optimizers.Adam(0.01),
              tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"])
    h = m.fit(x, y, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_functional_operators_on_keras_tensors():
    tf.keras.backend.clear_session()
    inp = tf.keras.Input(shape=(3,))
    d = tf.keras.layers.Dense(2, kernel_initializer="ones")(inp)
    out = d * 2.0 + d[:, :1] - 1.0
    m = tf.keras.Model(inp, out)
    np.testing.assert_allclose(m(np.ones((1, 3))).numpy(), [[8.0, 8.0]])
    assert "TFOpLambda" in [type(l).__name__ for l in m.layers]


def test_activation_serialization_of_tf_nn_functions():
    layer = tf.keras.layers.Dense(2, activation=tf.nn.relu)
    assert layer.get_config()["activation"] == "relu"


def test_optional_extras_give_clear_errors(tmp_path):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install tapeflow\[plot\]"):
            tf.keras.callbacks.TrainingPlot(str(tmp_path / "p.png"))
    try:
        import h5py  # noqa: F401
    except ImportError:
        layer_model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
        with pytest.raises(ImportError, match="h5py"):
            layer_model.save_weights(str(tmp_path / "w.h5"))


def test_small_layers():
    x = tf.constant(np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4) - 10)
    np.testing.assert_allclose(tf.keras.layers.LeakyReLU()(x).numpy().ravel()[:2], [-3.0, -2.7],
                               rtol=1e-6)
    assert float(tf.reduce_max(tf.keras.layers.ReLU(max_value=5.0)(x))) == 5.0
    assert tf.keras.layers.Permute((2, 1, 3))(x).shape == (1, 3, 2, 4)
    assert tf.keras.layers.RepeatVector(3)(tf.ones([2, 4])).shape == (2, 3, 4)
    assert tf.keras.layers.ZeroPadding2D(1)(x).shape == (1, 4, 5, 4)
    up = tf.keras.layers.UpSampling2D()(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(up[:2, :2], [[-10, -10], [-10, -10]])
    tf.keras.backend.clear_session()
    td = tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2))
    assert td(tf.ones([2, 5, 3])).shape == (2, 5, 2)
    assert [v.name for v in td.weights] == ["time_distributed/kernel:0",
                                            "time_distributed/bias:0"]
    bi = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(2, return_sequences=True))
    assert bi(tf.ones([2, 5, 3])).shape == (2, 5, 4)
    assert bi.weights[0].name == "bidirectional/forward_lstm/lstm_cell/kernel:0"


def test_errors_in_a_layer_call_name_the_layer_and_its_arguments_as_keras():
    class Scaled(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.w = tf.Variable(tf.ones([input_shape[-1], 3]))

        def call(self, inputs, training=None, scale=1.0):
            return tf.matmul(inputs, self.w) * scale

    layer = Scaled(name="scaled")
    layer(tf.ones([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        layer(tf.ones([1, 4]), scale=2.0)
    assert str(info.value) == (
        "Exception encountered when calling layer 'scaled' (type Scaled).\n\n"
        "Matrix size-incompatible: In[0]: [1,4], In[1]: [3,3] [Op:MatMul] name: \n\n"
        "Call arguments received by layer 'scaled' (type Scaled):\n"
        "  \u2022 inputs=tf.Tensor(shape=(1, 4), dtype=float32)\n"
        "  \u2022 training=None\n"
        "  \u2022 scale=2.0")

    outer = tf.keras.Sequential([layer])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        outer(tf.ones([1, 4]))
    assert str(info.value).count("Exception encountered") == 1   # the innermost layer only

    dense = tf.keras.layers.Dense(2)
    dense(tf.ones([1, 3]))
    with pytest.raises(ValueError, match=r"^Input 0 of layer \"dense.*\" is incompatible"):
        dense(tf.ones([1, 4]))                                     # checked before call

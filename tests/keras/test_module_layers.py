import numpy as np
import pytest

import tapeflow as tf
from tests.keras.layer_helper import check_layer


def test_module_walks_attributes_sorted_and_scopes():
    class A(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            with self.name_scope:
                self.w = tf.Variable(1.0, name="w")
            self.z = [tf.Variable(3.0)]

    class B(tf.Module):
        def __init__(self):
            super().__init__()
            self.b = A()
            self.a = A(name="x")
            self.v = tf.Variable(2.0, trainable=False)

    m = B()
    assert [v.name for v in m.variables] == ["Variable:0", "x/w:0", "Variable:0", "a/w:0",
                                             "Variable:0"]
    assert [s.name for s in m.submodules] == ["x", "a"]
    assert len(m.trainable_variables) == 4 and len(m.non_trainable_variables) == 1
    assert m.name == "b" and m.name_scope.name == "b/"
    with pytest.raises(ValueError):
        tf.Module(name="not valid")


def test_layer_tracks_attribute_variables_in_order():
    class MyLayer(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.my_var = tf.Variable(100)
            self.my_other_var_list = [tf.Variable(x) for x in range(2)]

    m = MyLayer()
    assert [int(v.numpy()) for v in m.variables] == [100, 0, 1]
    m.my_other_var_list.append(tf.Variable(5))
    assert [int(v.numpy()) for v in m.variables] == [100, 0, 1, 5]


def test_dense_names_and_clear_session():
    tf.keras.backend.clear_session()
    a = tf.keras.layers.Dense(2)
    b = tf.keras.layers.Dense(2)
    assert (a.name, b.name) == ("dense", "dense_1")
    a(tf.ones([1, 3]))
    assert [v.name for v in a.weights] == ["dense/kernel:0", "dense/bias:0"]
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(1).name == "dense"


def test_nested_layer_variables_get_parent_scope_and_trainable_flag():
    tf.keras.backend.clear_session()

    class Block(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.d = tf.keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

    blk = Block()
    blk(tf.ones([1, 3]))
    assert [v.name for v in blk.weights] == ["block/dense/kernel:0", "block/dense/bias:0"]
    blk.trainable = False
    assert blk.trainable_weights == [] and len(blk.non_trainable_weights) == 2
    assert blk.count_params() == 8


def test_get_set_weights_and_errors():
    layer = tf.keras.layers.Dense(2)
    layer(tf.ones([1, 3]))
    w = [np.ones((3, 2), np.float32), np.arange(2, dtype=np.float32)]
    layer.set_weights(w)
    np.testing.assert_array_equal(layer(tf.ones([1, 3])).numpy(), [[3.0, 4.0]])
    with pytest.raises(ValueError):
        layer.set_weights(w[:1])


def test_regularizer_losses_and_add_loss():
    layer = tf.keras.layers.Dense(1, kernel_initializer="ones",
                                  kernel_regularizer=tf.keras.regularizers.L2(0.5))
    layer(tf.ones([1, 2]))
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.5 * 2.0)


def test_dense_layer_helper():
    check_layer(lambda: tf.keras.layers.Dense(3, activation="relu"), (4, 5), 2, (4, 3),
                [(5, 3), (3,)])


def test_embedding_layer():
    tf.keras.backend.clear_session()
    layer = tf.keras.layers.Embedding(10, 4)
    out = layer(tf.constant([[1, 2], [3, 9]]))
    assert out.shape.as_list() == [2, 2, 4]
    np.testing.assert_allclose(out.numpy()[0, 0], layer.embeddings.numpy()[1])


def test_dropout_training_and_inference():
    tf.random.set_seed(1)
    d = tf.keras.layers.Dropout(0.5)
    x = tf.ones([1000])
    np.testing.assert_array_equal(d(x).numpy(), x.numpy())
    y = d(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6


def test_dropout_layer_gives_positive_zeros_for_negative_inputs():
    tf.random.set_seed(2)
    y = tf.keras.layers.Dropout(0.5)(tf.fill([200], -3.0), training=True).numpy()
    assert (y == 0).any() and not np.signbit(y[y == 0]).any()


def test_flatten_reshape_activation_merge():
    x = tf.ones([2, 3, 4])
    assert tf.keras.layers.Flatten()(x).shape.as_list() == [2, 12]
    assert tf.keras.layers.Reshape((4, -1))(x).shape.as_list() == [2, 4, 3]
    np.testing.assert_allclose(tf.keras.layers.Activation("relu")(tf.constant([-1.0, 2.0])),
                               [0.0, 2.0])
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    np.testing.assert_allclose(tf.keras.layers.Add()([a, b]), [4.0, 6.0])
    np.testing.assert_allclose(tf.keras.layers.Multiply()([a, b]), [3.0, 8.0])
    assert tf.keras.layers.Concatenate()([tf.ones([2, 1]), tf.ones([2, 2])]).shape == (2, 3)


def test_initializers_seeded_reproducible_and_scaled():
    init = tf.keras.initializers.GlorotUniform(seed=3)
    a, b = init((100, 50)).numpy(), init((100, 50)).numpy()
    np.testing.assert_array_equal(a, b)
    limit = np.sqrt(6 / 150)
    assert np.abs(a).max() <= limit and np.abs(a).max() > 0.9 * limit
    h = tf.keras.initializers.HeNormal(seed=1)((400, 400)).numpy()
    assert abs(h.std() - np.sqrt(2 / 400)) < 0.1 * np.sqrt(2 / 400)
    o = tf.keras.initializers.Orthogonal(seed=0)((4, 4)).numpy()
    np.testing.assert_allclose(o @ o.T, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(tf.keras.initializers.Identity()((2, 2)), np.eye(2))
    tf.random.set_seed(5)
    u1 = tf.keras.initializers.RandomUniform()((3,)).numpy()
    tf.random.set_seed(5)
    np.testing.assert_array_equal(u1, tf.keras.initializers.RandomUniform()((3,)).numpy())


def test_constraints():
    w = tf.constant([[3.0, -4.0], [4.0, 3.0]])
    np.testing.assert_allclose(tf.keras.constraints.NonNeg()(w), [[3, 0], [4, 3]])
    np.testing.assert_allclose(tf.keras.constraints.UnitNorm()(w), w.numpy() / 5, rtol=1e-5)
    np.testing.assert_allclose(tf.keras.constraints.MaxNorm(2.5)(w), w.numpy() / 2,
                               rtol=1e-5)


def test_activations_by_name():
    x = tf.constant([-1.0, 0.0, 2.0])
    for name in ["relu", "sigmoid", "tanh", "softplus", "elu", "selu", "swish", "gelu"]:
        assert tf.keras.activations.get(name)(x).shape == (3,)
    np.testing.assert_allclose(tf.keras.activations.softplus(x), np.log1p(np.exp([-1, 0, 2])),
                               rtol=1e-6)
    with pytest.raises(ValueError):
        tf.keras.activations.get("nope")


def test_incompatible_input_errors_match_keras_messages():
    tf.keras.backend.clear_session()
    d = tf.keras.layers.Dense(2)
    d(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match=r'Input 0 of layer "dense" is incompatible with the '
                                         r'layer: expected axis -1 of input shape to have value '
                                         r'3, but received input with shape \(1, 4\)'):
        d(np.ones((1, 4), np.float32))
    m = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(1, 4\)"):
        m(np.ones((1, 4), np.float32))
    with pytest.raises(RuntimeError, match="You must compile your model"):
        m.fit(np.ones((4, 3)), np.ones((4, 2)))


def test_normalization_adapt_exposes_its_statistics_and_input_shape():
    data = np.array([[0.0, 10.0], [2.0, 30.0]])
    n = tf.keras.layers.Normalization()
    assert not n.is_adapted
    n.adapt(data)
    assert n.is_adapted
    np.testing.assert_allclose(n.mean.numpy(), [[1.0, 20.0]])        # broadcast shape
    np.testing.assert_allclose(n.variance.numpy(), [[1.0, 100.0]])
    np.testing.assert_allclose(n(data).numpy(), [[-1.0, -1.0], [1.0, 1.0]])
    model = tf.keras.Sequential([n, tf.keras.layers.Dense(1)])       # built from adapt
    assert model.built and model.output_shape == (None, 1)
    flat = tf.keras.layers.Normalization(axis=None)
    flat.adapt(np.array([1.0, 3.0]))
    assert flat(np.array([1.0, 3.0, 5.0])).numpy().tolist() == [-1.0, 1.0, 3.0]
    with pytest.raises(ValueError, match="must have known shape"):
        tf.keras.layers.Normalization().adapt(np.array([1.0, 2.0]))

"""A layer-test helper: builds a layer, checks weights, shapes, config and one training step."""

import numpy as np

import tapeflow as tf


def check_layer(layer_fn, input_shape, n_weights, out_shape, weight_shapes=None, dtype="float32",
                train=True, rng_seed=0):
    tf.keras.backend.clear_session()
    layer = layer_fn()
    rng = np.random.default_rng(rng_seed)
    x = tf.constant(rng.normal(size=input_shape).astype(dtype))
    y = layer(x)
    assert len(layer.weights) == n_weights, [w.name for w in layer.weights]
    for w in layer.weights:
        assert w.name.startswith(layer.name + "/"), w.name
    if weight_shapes is not None:
        assert [tuple(w.shape.as_list()) for w in layer.weights] == weight_shapes
    assert tuple(y.shape.as_list()) == tuple(out_shape)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    if train and layer.trainable_weights:
        target = tf.constant(rng.normal(size=out_shape).astype(dtype))
        opt = tf.keras.optimizers.SGD(0.01)

        def loss_fn():
            return tf.reduce_mean(tf.square(layer(x, training=True) - target))

        before = float(loss_fn())
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = loss_fn()
            grads = tape.gradient(loss, layer.trainable_weights)
            opt.apply_gradients(zip(grads, layer.trainable_weights))
        assert float(loss_fn()) < before
    return layer

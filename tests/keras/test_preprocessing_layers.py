"""Keras image preprocessing and augmentation layers: shapes, dtypes, configs, inference
identity, value ranges and use inside models, tf.function and Dataset.map."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import layers

RNG = np.random.default_rng(3)
IMAGES = RNG.uniform(0, 1, (4, 8, 10, 3)).astype(np.float32)

RANDOM_LAYERS = [
    lambda: layers.RandomFlip("horizontal"),
    lambda: layers.RandomFlip("vertical", seed=1),
    lambda: layers.RandomFlip("horizontal_and_vertical"),
    lambda: layers.RandomRotation(0.2),
    lambda: layers.RandomRotation((-0.1, 0.3), fill_mode="constant", interpolation="nearest",
                                  fill_value=0.5, seed=4),
    lambda: layers.RandomZoom(0.3, fill_mode="wrap"),
    lambda: layers.RandomZoom((-0.2, 0.1), (0.1, 0.2), fill_mode="nearest"),
    lambda: layers.RandomTranslation(0.2, 0.3),
    lambda: layers.RandomContrast(0.4),
    lambda: layers.RandomBrightness(0.2, value_range=(0, 1)),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_random_layer_augments_in_training_and_is_identity_at_inference(make):
    tf.random.set_seed(0)
    layer = make()
    out = layer(IMAGES, training=True)
    assert out.shape == IMAGES.shape and out.dtype == tf.float32
    assert not np.allclose(out.numpy(), IMAGES)
    np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)
    # Keras 2: a direct call without `training` augments (call's default is True).
    assert layer(IMAGES[0]).shape == IMAGES[0].shape
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert layer.compute_output_shape((None, 8, 10, 3)) == (None, 8, 10, 3)


def test_random_flip_outputs_are_flips_of_each_image():
    tf.random.set_seed(1)
    out = layers.RandomFlip("horizontal_and_vertical")(IMAGES).numpy()
    for o, x in zip(out, IMAGES):
        candidates = [x, x[:, ::-1], x[::-1], x[::-1, ::-1]]
        assert any(np.array_equal(o, c) for c in candidates)
    with pytest.raises(ValueError, match="unknown mode argument diagonal"):
        layers.RandomFlip("diagonal")


def test_random_rotation_by_half_turn_reverses_both_axes():
    layer = layers.RandomRotation((0.5, 0.5), interpolation="nearest")
    out = layer(IMAGES, training=True).numpy()
    np.testing.assert_allclose(out, IMAGES[:, ::-1, ::-1], atol=1e-6)


def test_random_zoom_with_zero_range_and_translation_with_zero_range_are_identity():
    np.testing.assert_allclose(layers.RandomZoom((0.0, 0.0))(IMAGES).numpy(), IMAGES,
                               atol=1e-6)
    np.testing.assert_allclose(layers.RandomTranslation((0.0, 0.0), (0.0, 0.0))(IMAGES).numpy(),
                               IMAGES, atol=1e-6)


def test_random_translation_by_whole_pixels_shifts_image():
    x = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    layer = layers.RandomTranslation((0.0, 0.0), (0.4, 0.4), fill_mode="constant")
    np.testing.assert_allclose(layer(x).numpy().ravel(), [0, 0, 0, 1, 2], atol=1e-6)


def test_transform_layer_argument_errors():
    with pytest.raises(NotImplementedError, match="Unknown `fill_mode` mirror"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="Unknown `interpolation` bicubic"):
        layers.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="height_factor` argument must have values between"):
        layers.RandomZoom(1.5)
    with pytest.raises(ValueError, match="`width_factor` must have values between"):
        layers.RandomTranslation(0.1, 1.5)
    with pytest.raises(ValueError, match="cannot have negative values"):
        layers.RandomContrast(-0.1)
    with pytest.raises(ValueError, match="should be a number"):
        layers.RandomBrightness(2.0)


def test_random_contrast_and_brightness_stay_in_range():
    x = RNG.uniform(0, 255, (3, 4, 4, 3)).astype(np.float32)
    out = layers.RandomContrast(0.9)(x).numpy()
    assert out.min() >= 0 and out.max() <= 255
    out = layers.RandomBrightness((0.5, 0.5))(x).numpy()
    np.testing.assert_allclose(out, np.minimum(x + 127.5, 255), rtol=1e-6)
    config = layers.RandomBrightness(0.2).get_config()
    assert config["factor"] == [-0.2, 0.2] and config["value_range"] == [0, 255]


def test_random_crop_training_window_and_inference_resize():
    x = np.arange(6 * 8, dtype=np.float32).reshape(1, 6, 8, 1)
    layer = layers.RandomCrop(3, 4, seed=2)
    out = layer(x, training=True).numpy()[0, ..., 0]
    i, j = divmod(int(out[0, 0]), 8)
    np.testing.assert_array_equal(out, x[0, i:i + 3, j:j + 4, 0])
    inf = layer(x, training=False)
    np.testing.assert_allclose(inf.numpy(), tf.image.resize(x[:, :, :, :], [3, 4]).numpy())
    assert layer.compute_output_shape((None, 6, 8, 1)) == (None, 3, 4, 1)


def test_resizing_and_center_crop():
    layer = layers.Resizing(4, 5)
    out = layer(IMAGES)
    np.testing.assert_allclose(out.numpy(), tf.image.resize(IMAGES, [4, 5]).numpy())
    assert layers.Resizing(4, 5, interpolation="nearest")(
        IMAGES.astype(np.uint8)).dtype == tf.float32
    cropped = layers.Resizing(4, 4, crop_to_aspect_ratio=True)(IMAGES)
    np.testing.assert_allclose(cropped.numpy(),
                               tf.image.resize(IMAGES[:, :, 1:9], [4, 4]).numpy())
    assert layer.get_config()["interpolation"] == "bilinear"
    assert layer.compute_output_shape((None, 8, 10, 3)) == (None, 4, 5, 3)
    cc = layers.CenterCrop(4, 6)
    np.testing.assert_array_equal(cc(IMAGES).numpy(), IMAGES[:, 2:6, 2:8])
    up = layers.CenterCrop(12, 12)(IMAGES)  # too small: smart_resize
    assert up.shape == (4, 12, 12, 3)
    assert cc.get_config()["height"] == 4
    with pytest.raises(NotImplementedError, match="Value not recognized for `interpolation`"):
        layers.Resizing(2, 2, interpolation="cubic")


def test_augmentation_in_sequential_model_fit_and_predict():
    tf.keras.backend.clear_session()
    tf.random.set_seed(5)
    data_augmentation = tf.keras.Sequential([
        layers.RandomFlip("horizontal_and_vertical"), layers.RandomRotation(0.2)])
    model = tf.keras.Sequential([
        layers.Resizing(6, 6), layers.Rescaling(1.0 / 255), data_augmentation,
        layers.Conv2D(2, 3, activation="relu"), layers.GlobalAveragePooling2D(),
        layers.Dense(2)])
    model.build((None, 8, 10, 3))
    summary = []
    model.summary(print_fn=summary.append)
    text = "\n".join(summary)
    assert "resizing (Resizing)" in text and "(None, 6, 6, 3)" in text
    model.compile(optimizer="adam",
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = RNG.uniform(0, 255, (8, 8, 10, 3)).astype(np.float32)
    history = model.fit(x, np.array([0, 1] * 4), epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    # predict runs with training=False: augmentation is off, so results repeat.
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_fit_calls_augmentation_with_training_true():
    seen = []

    class Spy(layers.RandomFlip):
        def call(self, inputs, training=True):
            seen.append(training)
            return super().call(inputs, training=training)

    tf.keras.backend.clear_session()
    inp = tf.keras.Input((4, 4, 1))
    out = layers.Dense(1)(layers.Flatten()(Spy()(inp)))
    model = tf.keras.Model(inp, out)
    model.compile(optimizer="sgd", loss="mse")
    seen.clear()
    model.fit(np.ones((2, 4, 4, 1)), np.ones((2, 1)), epochs=1, verbose=0)
    assert seen and all(seen)
    seen.clear()
    model.predict(np.ones((2, 4, 4, 1)), verbose=0)
    assert seen and not any(seen)


def test_functional_summary_shapes():
    tf.keras.backend.clear_session()
    inp = tf.keras.Input((16, 16, 3))
    z = layers.RandomZoom(0.2)(inp)
    z = layers.RandomCrop(8, 8)(z)
    z = layers.CenterCrop(6, 5)(z)
    assert z.shape.as_list() == [None, 6, 5, 3]


def test_dataset_map_and_tf_function_draw_new_augmentations():
    layer = layers.RandomRotation(0.3)
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).batch(4).map(
        lambda a: layer(a, training=True))
    first, second = next(iter(ds)).numpy(), next(iter(ds)).numpy()
    assert first.shape == IMAGES.shape and not np.array_equal(first, second)
    f = tf.function(lambda a: layer(a, training=True))
    assert not np.array_equal(f(IMAGES).numpy(), f(IMAGES).numpy())

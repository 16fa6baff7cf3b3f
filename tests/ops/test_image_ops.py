"""tf.image: hand-computed values, dtypes, errors and finite-difference gradient checks."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ops import image_extra_ops, image_ops
from tests.helpers.gradcheck import check_vjp

RNG = np.random.default_rng(7)


def _img(*shape, dtype=np.float64):
    return RNG.uniform(0, 1, shape).astype(dtype)


# ---------------------------------------------------------------------------------------
# resize
# ---------------------------------------------------------------------------------------

def test_resize_bilinear_upsample_by_two_uses_half_pixel_centres():
    # Output pixel o samples input (o + 0.5) / 2 - 0.5: -0.25, 0.25, 0.75, 1.25 -> clamped.
    x = tf.constant([[[0.0], [4.0]]])  # 1 x 2 x 1
    out = tf.image.resize(x, [1, 4])
    np.testing.assert_allclose(out.numpy().ravel(), [0.0, 1.0, 3.0, 4.0])


def test_resize_bilinear_downsample_averages_neighbours():
    x = tf.constant(np.arange(4, dtype=np.float32).reshape(1, 4, 1))
    # Samples at 0.5 and 2.5.
    np.testing.assert_allclose(tf.image.resize(x, [1, 2]).numpy().ravel(), [0.5, 2.5])


def test_resize_nearest_keeps_dtype_and_picks_floor_of_scaled_centre():
    x = tf.constant(np.array([10, 20, 30], np.uint8).reshape(1, 3, 1))
    out = tf.image.resize(x, [1, 5], method="nearest")
    assert out.dtype == tf.uint8
    # floor((o + 0.5) * 3 / 5) = 0, 0, 1, 2, 2
    assert out.numpy().ravel().tolist() == [10, 10, 20, 30, 30]


def test_resize_area_averages_boxes():
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(1, 6, 1))
    np.testing.assert_allclose(tf.image.resize(x, [1, 2], method="area").numpy().ravel(),
                               [1.0, 4.0])
    # Box of width 1.5: (0 + 0.5 * 1) / 1.5 and (0.5 * 1 + 2 + 3) / 1.5 ...
    out = tf.image.resize(x, [1, 4], method="area").numpy().ravel()
    np.testing.assert_allclose(out, [(0 + 0.5) / 1.5, (0.5 * 1 + 2) / 1.5,
                                     (3 + 0.5 * 4) / 1.5, (0.5 * 4 + 5) / 1.5], rtol=1e-6)


def test_resize_bicubic_rows_sum_to_one_and_keep_constants():
    x = tf.fill([2, 3, 5, 2], 3.0)
    out = tf.image.resize(x, [7, 4], method="bicubic")
    np.testing.assert_allclose(out.numpy(), 3.0, rtol=1e-6)
    w = image_ops._bicubic_matrix(5, 8)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("method", ["bilinear", "bicubic", "area"])
def test_resize_float_methods_return_float32(method):
    for dt in (np.uint8, np.int32, np.float16, np.float64):
        out = tf.image.resize(np.zeros((3, 4, 1), dt), [2, 2], method=method)
        assert out.dtype == tf.float32 and out.shape == (2, 2, 1)


def test_resize_same_size_bilinear_is_identity():
    x = _img(2, 3, 4, 2, dtype=np.float32)
    np.testing.assert_array_equal(tf.image.resize(x, [3, 4]).numpy(), x)


def test_resize_preserve_aspect_ratio_fits_inside_size():
    assert tf.image.resize(np.zeros((3, 4, 2)), [7, 7], preserve_aspect_ratio=True).shape == \
        (5, 7, 2)


def test_resize_errors():
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tf.image.resize(np.zeros((3, 4)), [2, 2])
    with pytest.raises(ValueError, match="1-D Tensor of 2 elements"):
        tf.image.resize(np.zeros((3, 4, 1)), [2])
    with pytest.raises(ValueError, match="Resize method is not implemented: foo"):
        tf.image.resize(np.zeros((3, 4, 1)), [2, 2], method="foo")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"output dimensions must be positive \[Op:ResizeBilinear\]"):
        tf.image.resize(np.zeros((3, 4, 1)), [0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"output dimensions must be positive \[Op:ScaleAndTranslate\]"):
        tf.image.resize(np.zeros((3, 4, 1)), [0, 2], method="lanczos3")


def test_resize_antialias_bilinear_widens_the_triangle_when_downsampling():
    # 4 -> 2: the triangle kernel is stretched by 2; sample 0 sits at 1.0 and sees pixels
    # 0, 1, 2 at distances 0.25, 0.25, 0.75 (in kernel units): weights 3/7, 3/7, 1/7.
    x = tf.constant(np.arange(4, dtype=np.float32).reshape(1, 4, 1))
    out = tf.image.resize(x, [1, 2], antialias=True).numpy().ravel()
    np.testing.assert_allclose(out, [5 / 7, 16 / 7], rtol=1e-6)
    # Upsampling is unaffected by antialias for the kernel methods.
    up = tf.image.resize(x, [1, 7], method="lanczos3")
    np.testing.assert_array_equal(up.numpy(),
                                  tf.image.resize(x, [1, 7], "lanczos3", antialias=True).numpy())


@pytest.mark.parametrize("method", ["lanczos3", "lanczos5", "gaussian", "mitchellcubic"])
def test_resize_kernel_methods_keep_constants(method):
    out = tf.image.resize(tf.fill([1, 6, 5, 2], 2.0), [4, 9], method=method, antialias=True)
    np.testing.assert_allclose(out.numpy(), 2.0, rtol=1e-6)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic", "area", "lanczos3",
                                    "gaussian"])
@pytest.mark.parametrize("size", [(5, 2), (2, 7)])
def test_resize_gradient_matches_finite_differences(method, size):
    # Resizing is linear in the image, so a central difference with a large step is exact
    # up to float32 rounding (the float methods compute in float32, as TF does).
    x = _img(2, 3, 4, 2)
    for antialias in (False, True):
        check_vjp(lambda t: tf.cast(tf.image.resize(t, size, method=method,
                                                    antialias=antialias), tf.float64),
                  [x], eps=1.0, rtol=1e-5, atol=1e-5)


def test_resize_nearest_gradient_sums_repeated_pixels():
    x = tf.Variable(np.ones((1, 2, 1), np.float64))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.image.resize(x, [1, 6], method="nearest"))
    assert tape.gradient(y, x).numpy().ravel().tolist() == [3.0, 3.0]


# ---------------------------------------------------------------------------------------
# crops and pads
# ---------------------------------------------------------------------------------------

def test_crop_to_bounding_box_values_and_errors():
    x = np.arange(20, dtype=np.float64).reshape(4, 5, 1)
    out = tf.image.crop_to_bounding_box(x, 1, 2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), x[1:3, 2:5])
    b = tf.image.crop_to_bounding_box(np.stack([x, x]), 1, 2, 2, 3)
    assert b.shape == (2, 2, 3, 1)
    for args, msg in [((-1, 0, 1, 1), "offset_height must be >= 0."),
                      ((0, -1, 1, 1), "offset_width must be >= 0."),
                      ((0, 0, 0, 1), "target_height must be > 0."),
                      ((0, 0, 1, 0), "target_width must be > 0."),
                      ((0, 0, 5, 1), "height must be >= target \\+ offset."),
                      ((0, 1, 1, 5), "width must be >= target \\+ offset.")]:
        with pytest.raises(ValueError, match=msg):
            tf.image.crop_to_bounding_box(x, *args)


def test_pad_to_bounding_box_values_and_errors():
    x = np.ones((1, 2, 1))
    out = tf.image.pad_to_bounding_box(x, 1, 1, 3, 4).numpy()[..., 0]
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
    with pytest.raises(ValueError, match="height must be <= target - offset"):
        tf.image.pad_to_bounding_box(x, 1, 0, 1, 4)
    with pytest.raises(ValueError, match="width must be <= target - offset"):
        tf.image.pad_to_bounding_box(x, 0, 3, 2, 4)
    with pytest.raises(ValueError, match="offset_height must be >= 0"):
        tf.image.pad_to_bounding_box(x, -1, 0, 2, 4)


def test_resize_with_crop_or_pad_crops_centre_and_pads_evenly():
    x = np.arange(15, dtype=np.float64).reshape(3, 5, 1)
    out = tf.image.resize_with_crop_or_pad(x, 5, 3).numpy()[..., 0]
    expected = np.zeros((5, 3))
    expected[1:4] = x[:, 1:4, 0]
    np.testing.assert_array_equal(out, expected)


def test_resize_with_pad_keeps_aspect_ratio():
    x = np.ones((2, 4, 1), np.float32)
    out = tf.image.resize_with_pad(x, 4, 4).numpy()[..., 0]
    np.testing.assert_array_equal(out, [[0] * 4, [1] * 4, [1] * 4, [0] * 4])
    assert tf.image.resize_with_pad(x.astype(np.uint8), 4, 4, method="nearest").dtype == \
        tf.uint8


def test_central_crop():
    x = np.arange(24, dtype=np.float64).reshape(4, 6, 1)
    # start = int((6 - 3) / 2) = 1 and size = 6 - 2 * 1 = 4: the odd excess stays.
    np.testing.assert_array_equal(tf.image.central_crop(x, 0.5).numpy(), x[1:3, 1:5])
    assert tf.image.central_crop(x, 1.0).shape == (4, 6, 1)
    with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
        tf.image.central_crop(x, 0.0)
    with pytest.raises(ValueError, match="must be at least three-dimensional"):
        tf.image.central_crop(x[0], 0.5)


def test_random_crop_returns_a_window_of_the_input():
    x = np.arange(48, dtype=np.float32).reshape(4, 4, 3)
    out = tf.image.random_crop(x, [2, 3, 3], seed=3).numpy()
    i, j = np.argwhere(x[..., 0] == out[0, 0, 0])[0]
    np.testing.assert_array_equal(out, x[i:i + 2, j:j + 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf.image.random_crop(x, [5, 4, 3])


@pytest.mark.parametrize("fn", [
    lambda t: tf.image.crop_to_bounding_box(t, 1, 0, 2, 3),
    lambda t: tf.image.pad_to_bounding_box(t, 1, 2, 5, 6),
    lambda t: tf.image.resize_with_crop_or_pad(t, 2, 6),
    lambda t: tf.image.central_crop(t, 0.6),
    tf.image.flip_left_right, tf.image.flip_up_down, tf.image.transpose,
    lambda t: tf.image.rot90(t, 1), lambda t: tf.image.rot90(t, 3),
])
def test_geometry_gradients_match_finite_differences(fn):
    check_vjp(fn, [_img(2, 3, 4, 2)])
    check_vjp(fn, [_img(3, 4, 2)])


@pytest.mark.parametrize("args", [([1, 2, 3, 1], [1, 1, 2, 1], [1, 1, 1, 1], "SAME"),
                                  ([1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 2, 1], "VALID")])
def test_extract_patches_gradient_matches_finite_differences(args):
    check_vjp(lambda t: tf.image.extract_patches(t, *args), [_img(2, 3, 4, 2)])


# ---------------------------------------------------------------------------------------
# flips and rotations
# ---------------------------------------------------------------------------------------

def test_flips_rot90_transpose_values():
    x = np.arange(6).reshape(2, 3, 1)
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x).numpy(), x[::-1])
    np.testing.assert_array_equal(tf.image.transpose(x).numpy(), x.transpose(1, 0, 2))
    for k in range(-1, 6):
        np.testing.assert_array_equal(tf.image.rot90(x, k).numpy(), np.rot90(x, k))
        np.testing.assert_array_equal(tf.image.rot90(x[None], k).numpy()[0], np.rot90(x, k))
    with pytest.raises(ValueError, match=r"'image' \(shape \(2, 3\)\) must be at least"):
        tf.image.flip_left_right(x[..., 0])


def test_random_flip_flips_whole_images_or_nothing():
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(1, 3, 4, 2).repeat(16, axis=0)
    out = tf.image.random_flip_left_right(x, seed=1).numpy()
    flipped = [np.array_equal(o, x[0, :, ::-1]) for o in out]
    same = [np.array_equal(o, x[0]) for o in out]
    assert all(f or s for f, s in zip(flipped, same))
    assert any(flipped) and any(same)
    out = tf.image.random_flip_up_down(x[0], seed=2).numpy()
    assert np.array_equal(out, x[0]) or np.array_equal(out, x[0, ::-1])
    s = tf.image.stateless_random_flip_left_right(x, seed=[1, 2]).numpy()
    np.testing.assert_array_equal(s, tf.image.stateless_random_flip_left_right(
        x, seed=[1, 2]).numpy())


def test_random_crop_draws_again_in_each_tf_function_call():
    x = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    f = tf.function(lambda t: tf.image.random_crop(t, [2, 2, 1]))
    assert len({f(x).numpy().tobytes() for _ in range(8)}) > 1


def test_random_flip_draws_again_in_each_tf_function_call():
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1).repeat(8, axis=0)
    f = tf.function(lambda t: tf.image.random_flip_left_right(t))
    results = {f(x).numpy().tobytes() for _ in range(6)}
    assert len(results) > 1


# ---------------------------------------------------------------------------------------
# dtype conversion and colour
# ---------------------------------------------------------------------------------------

def test_convert_image_dtype_rules():
    u8 = np.array([0, 128, 255], np.uint8)
    np.testing.assert_allclose(tf.image.convert_image_dtype(u8, tf.float32).numpy(),
                               [0, 128 / 255, 1], rtol=1e-6)
    assert tf.image.convert_image_dtype(u8, tf.int16).numpy().tolist() == [0, 128 * 128,
                                                                           255 * 128]
    i16 = np.array([0, 1, 32767, -5], np.int16)
    assert tf.image.convert_image_dtype(i16, tf.uint8).numpy().tolist() == [0, 0, 255, 255]
    f = np.array([0.0, 0.5, 1.0, 1.5, -0.2], np.float32)
    assert tf.image.convert_image_dtype(f, tf.uint8, saturate=True).numpy().tolist() == [
        0, 127, 255, 255, 0]
    assert tf.image.convert_image_dtype(f, tf.float64).dtype == tf.float64
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(f, tf.string)


def test_adjust_brightness_and_contrast_values():
    u8 = np.array([[[10, 250]]], np.uint8)
    assert tf.image.adjust_brightness(u8, 0.1).numpy().tolist() == [[[35, 255]]]
    x = np.array([[[0.0], [1.0]], [[2.0], [5.0]]], np.float32)
    out = tf.image.adjust_contrast(x, 2.0).numpy().ravel()
    np.testing.assert_allclose(out, (x.ravel() - 2.0) * 2 + 2.0)
    assert tf.image.adjust_brightness(x.astype(np.float64), 0.5).dtype == tf.float64
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be at least 3-D"):
        tf.image.adjust_contrast(x[0], 2.0)


def test_adjust_brightness_and_gamma_gradients_match_finite_differences():
    # float64 images are computed in float32, as in TF: affine in the image, so a unit step
    # is exact; gamma is nonlinear and gets a coarse step.
    check_vjp(lambda t: tf.image.adjust_brightness(t, 0.3), [_img(2, 3, 4, 2)], eps=1.0,
              rtol=1e-5, atol=1e-5)
    check_vjp(lambda t: tf.image.adjust_gamma(t + 0.5, 1.7, 0.8), [_img(2, 3, 2)], eps=1e-2,
              rtol=2e-3, atol=1e-4)


def test_adjust_gamma_values_and_errors():
    x = np.array([[[0.25, 0.5]]], np.float32)
    np.testing.assert_allclose(tf.image.adjust_gamma(x, 2.0, 2.0).numpy(), 2 * x ** 2)
    assert tf.image.adjust_gamma(np.uint8([[[100, 3]]]), 2.0, 1.5).numpy().tolist() == [
        [[58, 0]]]
    assert tf.image.adjust_gamma(x.astype(np.float64), 0.5).dtype == tf.float64
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number."):
        tf.image.adjust_gamma(x, -1.0)


def test_stateless_random_ops_repeat_for_a_seed():
    x = RNG.uniform(0, 1, (2, 4, 5, 3)).astype(np.float32)
    for fn in (lambda s: tf.image.stateless_random_brightness(x, 0.3, s),
               lambda s: tf.image.stateless_random_contrast(x, 0.2, 1.8, s),
               lambda s: tf.image.stateless_random_crop(x, [2, 2, 3, 3], s)):
        np.testing.assert_array_equal(fn([1, 2]).numpy(), fn([1, 2]).numpy())
    crop = tf.image.stateless_random_crop(x, [1, 2, 3, 3], seed=[3, 4]).numpy()
    b = 0 if np.isin(crop, x[0]).all() else 1
    i, j = np.argwhere(x[b, ..., 0] == crop[0, 0, 0, 0])[0]
    np.testing.assert_array_equal(crop[0], x[b, i:i + 2, j:j + 3])
    d = tf.image.stateless_random_brightness(x, 0.3, seed=[5, 6]).numpy() - x
    assert np.ptp(d) < 1e-6 and abs(d.flat[0]) <= 0.3


def test_extract_patches_values_and_errors():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    out = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    assert out.shape == (1, 2, 2, 4)
    assert out.numpy()[0, 0, 1].tolist() == [2, 3, 6, 7]
    same = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    # ceil(4 / 3) = 2 patches; padding total 1 goes after: the last patch is [15, 0, 0, 0].
    assert same.numpy()[0, 1, 1].tolist() == [15, 0, 0, 0]
    dil = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 2, 2, 1], "VALID")
    assert dil.shape == (1, 2, 2, 4) and dil.numpy()[0, 0, 0].tolist() == [0, 2, 8, 10]
    with pytest.raises(tf.errors.UnimplementedError, match="Only support ksizes across"):
        tf.image.extract_patches(x, [2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be 4-dimensional"):
        tf.image.extract_patches(x[0], [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")


def test_adjust_contrast_gradient_matches_finite_differences():
    # Linear in the image for a fixed factor (computed in float32 as TF does).
    check_vjp(lambda t: tf.cast(tf.image.adjust_contrast(t, 1.7), tf.float64),
              [_img(2, 3, 4, 2)], eps=1.0, rtol=1e-5, atol=1e-5)


def test_random_brightness_and_contrast_ranges_and_errors():
    x = np.full((2, 2, 1), 0.5, np.float32)
    d = tf.image.random_brightness(x, 0.2, seed=1).numpy() - 0.5
    assert np.all(np.abs(d) <= 0.2) and np.ptp(d) < 1e-6
    y = np.array([[[0.0], [1.0]]], np.float32)
    out = tf.image.random_contrast(y, 0.5, 1.5, seed=2).numpy().ravel()
    factor = out[1] - out[0]
    assert 0.5 <= factor < 1.5
    with pytest.raises(ValueError, match="max_delta must be non-negative."):
        tf.image.random_brightness(x, -1.0)
    with pytest.raises(ValueError, match="upper must be > lower."):
        tf.image.random_contrast(x, 0.5, 0.5)
    with pytest.raises(ValueError, match="lower must be non-negative."):
        tf.image.random_contrast(x, -0.5, 0.5)


def test_per_image_standardization():
    x = np.array([[[1.0], [3.0]]], np.float64)
    out = tf.image.per_image_standardization(x)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy().ravel(), [-1.0, 1.0])
    # A constant image: stddev floored at 1/sqrt(4), so the result is 0.
    np.testing.assert_array_equal(
        tf.image.per_image_standardization(np.full((2, 2, 1), 7, np.uint8)).numpy(), 0.0)
    b = tf.image.per_image_standardization(_img(3, 4, 5, 2)).numpy()
    np.testing.assert_allclose(b.mean(axis=(1, 2, 3)), 0.0, atol=1e-6)
    np.testing.assert_allclose(b.std(axis=(1, 2, 3)), 1.0, rtol=1e-5)


def test_per_image_standardization_gradient_matches_finite_differences():
    # float32 only (as in TF), so the check uses a coarser step and tolerance.
    check_vjp(lambda t: tf.cast(tf.image.per_image_standardization(t), tf.float64),
              [_img(2, 2, 3, 2)], eps=1e-2, rtol=2e-3, atol=1e-4)


def test_grayscale_conversions():
    out = tf.image.rgb_to_grayscale(np.array([[[10, 200, 255]]], np.uint8))
    assert out.dtype == tf.uint8 and out.numpy().tolist() == [[[149]]]
    f = np.array([[[1.0, 0.5, 0.25]]], np.float32)
    np.testing.assert_allclose(tf.image.rgb_to_grayscale(f).numpy().ravel(),
                               [0.2989 + 0.5870 * 0.5 + 0.1140 * 0.25], rtol=1e-6)
    rgb = tf.image.grayscale_to_rgb(tf.constant([[[0.25]]]))
    assert rgb.numpy().tolist() == [[[0.25, 0.25, 0.25]]]
    with pytest.raises(ValueError, match="Last dimension of a grayscale image"):
        tf.image.grayscale_to_rgb(tf.zeros([2, 2, 3]))
    check_vjp(lambda t: tf.cast(tf.image.rgb_to_grayscale(t), tf.float64), [_img(2, 2, 3)],
              eps=1.0, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------
# projective transform
# ---------------------------------------------------------------------------------------

def test_projective_transform_shift_and_fill_modes():
    x = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    shift = [1, 0, -2, 0, 1, 0, 0, 0]  # output x samples input x - 2

    def run(mode, interp="nearest"):
        return image_extra_ops.projective_transform(x, [shift], fill_mode=mode,
                                              interpolation=interp,
                                              fill_value=-1.0).numpy().ravel().tolist()
    assert run("constant") == [-1, -1, 0, 1, 2]
    assert run("nearest") == [0, 0, 0, 1, 2]
    assert run("reflect") == [1, 0, 0, 1, 2]
    assert run("wrap") == [3, 4, 0, 1, 2]
    half = [1, 0, 0.5, 0, 1, 0, 0, 0]
    out = image_extra_ops.projective_transform(x, [half], fill_mode="constant").numpy().ravel()
    np.testing.assert_allclose(out, [0.5, 1.5, 2.5, 3.5, 2.0])


def test_image_namespace_reports_missing_functions():
    with pytest.raises(NotImplementedError):
        tf.image.draw_bounding_boxes


# ---------------------------------------------------------------------------------------
# quality measures and differences
# ---------------------------------------------------------------------------------------

def test_psnr_values():
    a = np.zeros((2, 2, 1), np.float32)
    np.testing.assert_allclose(float(tf.image.psnr(a, a + 0.1, 1.0)), 20.0, rtol=1e-5)
    u8 = np.zeros((2, 2, 2, 1), np.uint8)
    out = tf.image.psnr(u8, u8 + np.uint8(255), 255)
    assert out.dtype == tf.float32 and out.numpy().tolist() == [0.0, 0.0]


def test_ssim_identical_images_is_one_and_drops_with_noise():
    a = RNG.uniform(0, 1, (2, 12, 13, 3)).astype(np.float32)
    np.testing.assert_allclose(tf.image.ssim(a, a, 1.0).numpy(), 1.0, rtol=1e-5)
    noisy = np.clip(a + RNG.normal(0, 0.2, a.shape), 0, 1).astype(np.float32)
    assert np.all(tf.image.ssim(a, noisy, 1.0).numpy() < 0.9)
    assert tf.image.ssim(a, noisy, 1.0, return_index_map=True).shape == (2, 2, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="greater or equal to filter"):
        tf.image.ssim(a[:, :8], a[:, :8], 1.0)


def test_ssim_band_matrix_is_a_normalised_gaussian():
    band = image_extra_ops._gauss_band(13, 11, 1.5)
    assert band.shape == (3, 13)
    np.testing.assert_allclose(band.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(band[0, :11], band[0, 10::-1])
    assert band[1, 0] == 0 and band[1, 1] == band[0, 0]


def test_total_variation_and_image_gradients_values():
    x = np.array([[[0.0], [1.0]], [[3.0], [1.0]]])
    assert float(tf.image.total_variation(x)) == 1 + 0 + 3 + 2
    assert tf.image.total_variation(np.stack([x, 2 * x])).numpy().tolist() == [6.0, 12.0]
    dy, dx = tf.image.image_gradients(x[None])
    assert dy.numpy().ravel().tolist() == [3.0, 0.0, 0.0, 0.0]
    assert dx.numpy().ravel().tolist() == [1.0, 0.0, -2.0, 0.0]
    with pytest.raises(ValueError, match="must be either 3 or 4-dimensional"):
        tf.image.total_variation(x[0])
    with pytest.raises(ValueError, match="image_gradients expects a 4D tensor"):
        tf.image.image_gradients(x)


def test_quality_gradients_match_finite_differences():
    check_vjp(lambda t: tf.image.total_variation(t), [_img(2, 3, 4, 2)])
    check_vjp(lambda t: tf.image.image_gradients(t), [_img(2, 3, 4, 2)])
    # float32 only, as in TF: coarser step and tolerance.
    b = _img(1, 11, 12, 2)
    check_vjp(lambda t: tf.cast(tf.image.ssim(t, tf.constant(b, tf.float32), 1.0), tf.float64),
              [_img(1, 11, 12, 2)], eps=1e-2, rtol=5e-3, atol=1e-4)
    check_vjp(lambda t: tf.cast(tf.image.psnr(t, tf.constant(b, tf.float32), 1.0), tf.float64),
              [_img(1, 11, 12, 2)], eps=1e-2, rtol=5e-3, atol=1e-4)


# ---------------------------------------------------------------------------------------
# colour spaces, saturation and hue
# ---------------------------------------------------------------------------------------

def test_hsv_round_trip_and_known_colours():
    rgb = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.5],
                     [0.0, 0.0, 0.0]]], np.float32)
    hsv = tf.image.rgb_to_hsv(rgb).numpy()[0]
    np.testing.assert_allclose(hsv, [[0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1], [0, 0, 0.5],
                                     [0, 0, 0]], atol=1e-6)
    x = _img(3, 4, 3, dtype=np.float32)
    np.testing.assert_allclose(tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(x)).numpy(), x,
                               atol=1e-6)
    assert tf.image.rgb_to_hsv(x.astype(np.float64)).dtype == tf.float32  # NumPy input
    assert tf.image.rgb_to_hsv(tf.constant(x, tf.float64)).dtype == tf.float64
    with pytest.raises(tf.errors.FailedPreconditionError, match="must have 3 channels"):
        tf.image.rgb_to_hsv(x[..., :2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of uint8"):
        tf.image.rgb_to_hsv(tf.constant(x.astype(np.uint8)))


def test_adjust_saturation_and_hue_values():
    red = np.array([[[1.0, 0.5, 0.5]]], np.float32)  # h = 0, s = 0.5, v = 1
    np.testing.assert_allclose(tf.image.adjust_saturation(red, 2.0).numpy(), [[[1, 0, 0]]],
                               atol=1e-6)
    np.testing.assert_allclose(tf.image.adjust_saturation(red, 0.0).numpy(), [[[1, 1, 1]]],
                               atol=1e-6)
    np.testing.assert_allclose(tf.image.adjust_hue(red, 1 / 3).numpy(), [[[0.5, 1, 0.5]]],
                               atol=1e-6)
    np.testing.assert_allclose(tf.image.adjust_hue(red, -1 / 3).numpy(), [[[0.5, 0.5, 1]]],
                               atol=1e-6)
    u8 = tf.image.adjust_saturation(np.uint8([[[10, 200, 30]]]), 2.0)
    assert u8.dtype == tf.uint8 and u8.numpy().tolist() == [[[0, 200, 21]]]
    with pytest.raises(ValueError, match=r"delta must be in the interval \[-1, 1\]"):
        tf.image.adjust_hue(red, 1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have 3 channels"):
        tf.image.adjust_saturation(red[..., :2], 2.0)


def test_random_saturation_and_hue_checks_and_ranges():
    x = _img(4, 4, 3, dtype=np.float32)
    out = tf.image.random_saturation(x, 0.5, 1.5, seed=1).numpy()
    hsv_in, hsv_out = tf.image.rgb_to_hsv(x).numpy(), tf.image.rgb_to_hsv(out).numpy()
    np.testing.assert_allclose(hsv_out[..., 2], hsv_in[..., 2], atol=1e-6)
    assert tf.image.random_hue(x, 0.2, seed=2).shape == x.shape
    same = [tf.image.stateless_random_hue(x, 0.3, [1, 2]).numpy() for _ in range(2)]
    np.testing.assert_array_equal(*same)
    assert tf.image.stateless_random_saturation(x, 0.1, 0.9, [3, 4]).shape == x.shape
    with pytest.raises(ValueError, match="upper must be > lower."):
        tf.image.random_saturation(x, 1.0, 0.5)
    with pytest.raises(ValueError, match="max_delta must be <= 0.5."):
        tf.image.random_hue(x, 0.6)


def test_yuv_yiq_round_trip_and_gradients():
    x = _img(2, 3, 3)
    np.testing.assert_allclose(tf.image.yuv_to_rgb(tf.image.rgb_to_yuv(x)).numpy(), x,
                               atol=1e-6)
    np.testing.assert_allclose(tf.image.yiq_to_rgb(tf.image.rgb_to_yiq(x)).numpy(), x,
                               atol=1e-4)
    np.testing.assert_allclose(tf.image.rgb_to_yuv(x).numpy()[..., 0],
                               x @ [0.299, 0.587, 0.114])
    check_vjp(tf.image.rgb_to_yuv, [x])
    check_vjp(lambda t: tf.image.rgb_to_hsv(tf.constant(0.0, tf.float64) + t), [x])
    with pytest.raises(TypeError):
        tf.image.rgb_to_yiq(tf.constant(x.astype(np.uint8)))


# ---------------------------------------------------------------------------------------
# non-maximum suppression
# ---------------------------------------------------------------------------------------

BOXES = np.array([[0, 0, 1, 1], [0, 0, 1, 0.5], [0, 0.5, 1, 1.5], [2, 2, 3, 3],
                  [3, 3, 2, 2]], np.float32)
SCORES = np.array([0.9, 0.8, 0.9, 0.5, 0.4], np.float32)


def test_non_max_suppression_greedy_selection():
    # IoU(0, 1) = 0.5 exactly: kept at threshold 0.5 (suppression needs IoU > threshold).
    out = tf.image.non_max_suppression(BOXES, SCORES, 10, 0.5)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [0, 2, 1, 3]
    assert tf.image.non_max_suppression(BOXES, SCORES, 10, 0.49).numpy().tolist() == [0, 2, 3]
    assert tf.image.non_max_suppression(BOXES, SCORES, 2).numpy().tolist() == [0, 2]
    assert tf.image.non_max_suppression(BOXES, SCORES, 10, score_threshold=0.5).numpy(
    ).tolist() == [0, 2, 1]
    ties = tf.image.non_max_suppression(BOXES, np.full(5, 0.5, np.float32), 10, 0.9)
    assert ties.numpy().tolist() == [0, 1, 2, 3]  # equal scores: lower index first
    overlaps = np.full((3, 3), 0.6, np.float32)
    np.fill_diagonal(overlaps, 1.0)
    scores = np.array([0.1, 0.3, 0.2], np.float32)
    assert tf.image.non_max_suppression_overlaps(overlaps, scores, 3, 0.6).numpy().tolist() \
        == [1, 2, 0]
    assert tf.image.non_max_suppression_overlaps(overlaps, scores, 3, 0.59).numpy().tolist() \
        == [1]


def test_soft_nms_decays_scores():
    idx, sc = tf.image.non_max_suppression_with_scores(BOXES, SCORES, 10, 0.5,
                                                       soft_nms_sigma=0.5)
    assert idx.numpy().tolist() == [0, 2, 1, 3, 4]
    # Box 2 has IoU 1/3 with box 0: 0.9 * exp(-0.5 * (1/3)**2 / 0.5).
    np.testing.assert_allclose(sc.numpy(), [0.9, 0.9 * np.exp(-1 / 9), 0.8 * np.exp(-0.25),
                                            0.5, 0.4 * np.exp(-1.0)], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="soft_nms_sigma_val must be >= 0"):
        tf.image.non_max_suppression_with_scores(BOXES, SCORES, 3, soft_nms_sigma=-1.0)


def test_non_max_suppression_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"):
        tf.image.non_max_suppression(BOXES, SCORES, 10, 1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="boxes must have 4 columns"):
        tf.image.non_max_suppression(BOXES[:, :3], SCORES, 10)
    with pytest.raises(tf.errors.InvalidArgumentError, match="output size must be non-negative"):
        tf.image.non_max_suppression(BOXES, SCORES, -1)


# ---------------------------------------------------------------------------------------
# crop_and_resize
# ---------------------------------------------------------------------------------------

def test_crop_and_resize_values():
    img = np.arange(25, dtype=np.float32).reshape(1, 5, 5, 1)  # value = 5 * row + col
    full = tf.image.crop_and_resize(img, [[0.0, 0.0, 1.0, 1.0]], [0], [3, 3])
    assert full.dtype == tf.float32
    # Rows and columns 0, 2, 4: the plane 5 * r + c is reproduced exactly by bilinear.
    np.testing.assert_allclose(full.numpy()[0, ..., 0], [[0, 2, 4], [10, 12, 14],
                                                         [20, 22, 24]])
    part = tf.image.crop_and_resize(img, [[0.1, 0.2, 0.6, 0.7]], [0], [2, 2]).numpy()
    ys, xs = np.array([0.4, 2.4]), np.array([0.8, 2.8])
    np.testing.assert_allclose(part[0, ..., 0], 5 * ys[:, None] + xs[None, :], rtol=1e-6)
    near = tf.image.crop_and_resize(img, [[0.1, 0.2, 0.6, 0.7]], [0], [2, 2], "nearest")
    np.testing.assert_array_equal(near.numpy()[0, ..., 0], [[1, 3], [11, 13]])
    outside = tf.image.crop_and_resize(img, [[-0.5, 0.0, 0.5, 1.0]], [0], [3, 1],
                                       extrapolation_value=-1.0).numpy().ravel()
    np.testing.assert_allclose(outside, [-1.0, 5 * 0.0 + 2, 5 * 2.0 + 2])
    single = tf.image.crop_and_resize(img, [[0.0, 0.0, 0.5, 0.5]], [0], [1, 1]).numpy()
    np.testing.assert_allclose(single.ravel(), [5 * 1.0 + 1.0])


def test_crop_and_resize_gradients_match_finite_differences():
    boxes = np.array([[0.13, 0.07, 0.71, 0.86], [0.6, 0.9, 0.21, 0.33]])
    idx = [1, 0]
    # Linear in the image (float32 compute): a unit step is exact.
    check_vjp(lambda t: tf.cast(tf.image.crop_and_resize(t, boxes, idx, [3, 2]), tf.float64),
              [_img(2, 4, 5, 2)], eps=1.0, rtol=1e-5, atol=1e-5)
    img = tf.constant(_img(2, 4, 5, 2), tf.float32)
    check_vjp(lambda b: tf.cast(tf.image.crop_and_resize(img, b, idx, [3, 2]), tf.float64),
              [boxes], eps=1e-3, rtol=1e-3, atol=1e-4)

    def box_grad(method):
        b = tf.constant(boxes, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(b)
            y = tf.reduce_sum(tf.image.crop_and_resize(img, b, idx, [3, 2], method))
        return tape.gradient(y, b).numpy()
    # "nearest" is piecewise constant in the boxes; like TF it reports the bilinear gradient.
    np.testing.assert_allclose(box_grad("nearest"), box_grad("bilinear"), rtol=1e-6)


def test_crop_and_resize_errors():
    img = np.zeros((2, 4, 5, 1), np.float32)
    boxes = np.zeros((2, 4), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="crop dimensions must be positive"):
        tf.image.crop_and_resize(img, boxes, [0, 1], [0, 2])
    with pytest.raises(tf.errors.OutOfRangeError, match=r"outside \[0, batch_size\)"):
        tf.image.crop_and_resize(img, boxes, [0, 2], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="boxes must have 4 columns"):
        tf.image.crop_and_resize(img, boxes[:, :3], [0, 1], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="input image must be 4-D"):
        tf.image.crop_and_resize(img[0], boxes, [0, 1], [2, 2])

"""tf.image, continued: patch extraction, image quality measures (psnr, ssim), image
differences, colour spaces (HSV, YUV, YIQ) with saturation and hue adjustments,
non-maximum suppression, and the projective transform behind the Keras augmentation layers.

Split from image_ops.py for size. extract_patches is a pad and two gathers; ssim filters
with separable Gaussian band matrices, as resize does. The primitives are the
non-differentiable ones: NMS (greedy, NumPy) and the projective transform
(ImageProjectiveTransformV3, a NumPy resampler with TF's fill modes).
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.autodiff.custom_gradient import stop_gradient
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import (
    FailedPreconditionError, InvalidArgumentError, OutOfRangeError, UnimplementedError,
)
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import (
    array_creation, array_manip, array_ops, gather_ops, linalg_ops, math_cast_ops, math_ops,
    random_ops, reduction_ops,
)
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.image_ops import _hw, _separable, convert_image_dtype
from tapeflow._src.ops.registry import primitive

cast = math_cast_ops.cast
D = dtypes


# ---------------------------------------------------------------------------------------
# Patches
# ---------------------------------------------------------------------------------------

def _patch_axis(n, k, stride, rate, padding):
    """(source index [out, k], needs-padding pad_before) along one axis of extract_patches."""
    k_eff = (k - 1) * rate + 1
    if padding == "VALID":
        out, before = max(0, -(-(n - k_eff + 1) // stride)), 0
    else:
        out = -(-n // stride)
        before = max((out - 1) * stride + k_eff - n, 0) // 2
    idx = (np.arange(out)[:, None] * stride + np.arange(k)[None, :] * rate - before)
    return idx, before


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """Gathers `sizes[1] x sizes[2]` patches of a 4-D batch into the depth axis: the result
    is [batch, out_rows, out_cols, rows * cols * depth], each patch flattened row-major.

    Args:
      images: A 4-D tensor.
      sizes: [1, rows, cols, 1], the patch size.
      strides: [1, stride_rows, stride_cols, 1], the distance between patch starts.
      rates: [1, rate_rows, rate_cols, 1], the dilation inside a patch.
      padding: "VALID" (whole patches only) or "SAME" (zero-padded, ceil(n / stride)).
      name: Unused; kept for API compatibility.

    >>> tf.image.extract_patches(tf.zeros([1, 4, 4, 1]), [1, 2, 2, 1], [1, 2, 2, 1],
    ...                          [1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 4])
    """
    images = to_tensor(images)
    for attr, v in (("ksizes", sizes), ("strides", strides), ("rates", rates)):
        if len(v) < 4:
            raise InvalidArgumentError(None, None, f"Length for attr '{attr}' of {len(v)} "
                                       "must be at least minimum 4 [Op:ExtractImagePatches]")
    if padding not in ("SAME", "VALID"):
        raise InvalidArgumentError(None, None, f"Value for attr 'padding' of \"{padding}\" is "
                                   'not in the list of allowed values: "SAME", "VALID"')
    if images.shape.rank != 4:
        dims = ",".join(map(str, images.shape.as_list()))
        raise InvalidArgumentError(None, None, f"input must be 4-dimensional[{dims}] "
                                   "[Op:ExtractImagePatches] name: ")
    if sizes[0] != 1 or sizes[3] != 1:
        raise UnimplementedError(None, None, "Only support ksizes across space. "
                                 "[Op:ExtractImagePatches] name: ")
    b, h, w, c = images.shape.as_list()
    rows, top = _patch_axis(h, int(sizes[1]), int(strides[1]), int(rates[1]), padding)
    cols, left = _patch_axis(w, int(sizes[2]), int(strides[2]), int(rates[2]), padding)
    # Pad with zeros on both sides so every index is in range, then two gathers.
    pad_h = (top, max(0, int(rows.max(initial=0)) + 1 - h))
    pad_w = (left, max(0, int(cols.max(initial=0)) + 1 - w))
    x = array_manip.pad(images, [[0, 0], list(pad_h), list(pad_w), [0, 0]])
    x = gather_ops.gather(x, (rows + top).astype(np.int32), axis=1)   # b, oh, kh, W, c
    x = gather_ops.gather(x, (cols + left).astype(np.int32), axis=3)  # b, oh, kh, ow, kw, c
    x = array_ops.transpose(x, [0, 1, 3, 2, 4, 5])
    return array_ops.reshape(x, [b, rows.shape[0], cols.shape[0],
                                 rows.shape[1] * cols.shape[1] * c])


# ---------------------------------------------------------------------------------------
# crop_and_resize
# ---------------------------------------------------------------------------------------

def _box_coords(lo, hi, size, crop):
    """[boxes, crop] sampling positions along one axis (normalised box edges lo, hi)."""
    if crop > 1:
        step = (hi - lo) * ((size - 1) / (crop - 1))
        offsets = to_tensor(np.arange(crop, dtype=np.float32))
        return lo[:, None] * float(size - 1) + offsets[None, :] * step[:, None]
    return ((lo + hi) * (0.5 * (size - 1)))[:, None]


def _index(t, size):
    return math_ops.minimum(math_ops.maximum(cast(t, D.int32), 0), size - 1)


def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None):
    """Samples a `crop_size` grid from each box of a 4-D batch (float32 result).

    Boxes are [y1, x1, y2, x2] in normalised coordinates (0 and 1 are the first and last
    pixel centres); box i reads image `box_indices[i]`. Grid points outside the image get
    `extrapolation_value`. Differentiable in the image and the boxes; with "nearest" the
    box gradient is the bilinear one, as in TF.

    >>> tf.image.crop_and_resize(tf.ones([1, 4, 4, 1]), [[0., 0., 1., 1.]], [0],
    ...                          [2, 3]).shape
    TensorShape([1, 2, 3, 1])
    """
    image, boxes = to_tensor(image), cast(to_tensor(boxes), D.float32)
    box_indices = to_tensor(box_indices)

    def fail(text, kind=InvalidArgumentError):
        return kind(None, None, f"{text} [Op:CropAndResize]")
    if method not in ("bilinear", "nearest"):
        raise InvalidArgumentError(None, None, f"Value for attr 'method' of \"{method}\" is "
                                   'not in the list of allowed values: "bilinear", "nearest"')
    ch, cw = (int(v) for v in np.asarray(crop_size._value if isinstance(crop_size, Tensor)
                                         else crop_size))
    if ch <= 0 or cw <= 0:
        raise fail("crop dimensions must be positive")
    if image.shape.rank != 4:
        raise fail(f"input image must be 4-D[{','.join(map(str, image.shape.as_list()))}]")
    if boxes.shape.rank != 2 or boxes.shape[1] != 4:
        raise fail("boxes must have 4 columns")
    if box_indices.shape.as_list() != [boxes.shape[0]]:
        raise fail("box_index has incompatible shape")
    batch, h, w, _ = image.shape.as_list()
    idx = np.asarray(box_indices._value)
    if idx.size and (idx.min() < 0 or idx.max() >= batch):
        raise fail("box_index has values outside [0, batch_size)", OutOfRangeError)
    x = cast(image, D.float32)
    y1, x1, y2, x2 = array_ops.unstack(boxes, axis=1)
    in_y, in_x = _box_coords(y1, y2, h, ch), _box_coords(x1, x2, w, cw)  # [n, ch], [n, cw]
    n = boxes.shape[0]
    b_idx = array_ops.broadcast_to(cast(box_indices, D.int32)[:, None, None], [n, ch, cw])

    def read(rows, cols):
        rows = array_ops.broadcast_to(rows[:, :, None], [n, ch, cw])
        cols = array_ops.broadcast_to(cols[:, None, :], [n, ch, cw])
        return gather_ops.gather_nd(x_src, array_ops.stack([b_idx, rows, cols], axis=-1))

    def bilinear():
        fy, fx = math_ops.floor(in_y), math_ops.floor(in_x)
        top, bottom = _index(fy, h), _index(math_ops.ceil(in_y), h)
        left, right = _index(fx, w), _index(math_ops.ceil(in_x), w)
        ly, lx = (in_y - fy)[:, :, None, None], (in_x - fx)[:, None, :, None]
        tl, tr, bl, br = read(top, left), read(top, right), read(bottom, left), read(bottom,
                                                                                   right)
        upper = tl + (tr - tl) * lx
        lower = bl + (br - bl) * lx
        return upper + (lower - upper) * ly

    x_src = x
    if method == "bilinear":
        out = bilinear()
    else:
        # Sample positions are >= 0 wherever they are used, so floor(v + 0.5) rounds half
        # away from zero like TF. The added term is zero but carries the bilinear box
        # gradient, which is what TF returns for "nearest" too.
        near = read(_index(math_ops.floor(in_y + 0.5), h), _index(math_ops.floor(in_x + 0.5), w))
        x_src = stop_gradient(x)
        smooth = bilinear()
        out = near + (smooth - stop_gradient(smooth))
    ok_y = math_ops.logical_and(in_y >= 0.0, in_y <= float(h - 1))[:, :, None, None]
    ok_x = math_ops.logical_and(in_x >= 0.0, in_x <= float(w - 1))[:, None, :, None]
    ok = array_ops.broadcast_to(math_ops.logical_and(ok_y, ok_x), out.shape.as_list())
    fill = array_creation.fill(out.shape.as_list(), np.float32(extrapolation_value))
    return array_ops.where(ok, out, fill)


# ---------------------------------------------------------------------------------------
# Image quality and differences
# ---------------------------------------------------------------------------------------

def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio per image, in dB (float32; images are converted with
    `convert_image_dtype`, so `max_val` is in the input's own scale).

    >>> float(tf.image.psnr(tf.zeros([2, 2, 1]), tf.fill([2, 2, 1], 0.1), 1.0))
    20.0
    """
    a, b = to_tensor(a), to_tensor(b)
    max_val = convert_image_dtype(cast(max_val, a.dtype), D.float32)
    a, b = convert_image_dtype(a, D.float32), convert_image_dtype(b, D.float32)
    mse = reduction_ops.reduce_mean(math_ops.squared_difference(a, b), axis=[-3, -2, -1])
    peak = math_ops.truediv(math_ops.multiply(math_ops.log(max_val), 20.0),
                            math_ops.log(to_tensor(10.0)))
    return math_ops.subtract(peak, math_ops.multiply(math_ops.log(mse),
                                                     np.float32(10 / np.log(10))))


def _gauss_band(n, size, sigma):
    """[n - size + 1, n] matrix: a normalised 1-D Gaussian filter with VALID padding."""
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-0.5 * coords ** 2 / float(sigma) ** 2)
    g /= g.sum()
    band = np.zeros((n - size + 1, n))
    for i in range(n - size + 1):
        band[i, i:i + size] = g
    return band.astype(np.float32)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity per image (mean over channels) with an 11x11 Gaussian window.

    The Gaussian window is separable, so local means are two `einsum`s with banded
    matrices (VALID windows, as TF's depthwise convolution).

    >>> float(tf.image.ssim(tf.ones([16, 16, 1]), tf.ones([16, 16, 1]), 1.0))
    1.0
    """
    img1, img2 = to_tensor(img1), to_tensor(img2)
    if img1.shape.as_list()[-3:] != img2.shape.as_list()[-3:]:
        raise ValueError(f"Shapes {img1.shape} and {img2.shape} are incompatible.")
    max_val = convert_image_dtype(cast(max_val, img1.dtype), D.float32)
    x, y = convert_image_dtype(img1, D.float32), convert_image_dtype(img2, D.float32)
    h, w = _hw(x)
    if h < filter_size or w < filter_size:
        raise InvalidArgumentError(None, None, "Shapes must be greater or equal to "
                                   "filter_size")
    bh = _gauss_band(h, filter_size, filter_sigma)
    bw = _gauss_band(w, filter_size, filter_sigma)
    lead = x.shape.as_list()[:-3]

    def local_mean(t):
        t = _separable(array_ops.reshape(t, [-1] + t.shape.as_list()[-3:]), bh, bw)
        return array_ops.reshape(t, lead + t.shape.as_list()[1:])

    c1 = math_ops.square(math_ops.multiply(max_val, float(k1)))
    c2 = math_ops.square(math_ops.multiply(max_val, float(k2)))
    mx, my = local_mean(x), local_mean(y)
    num0 = math_ops.multiply(math_ops.multiply(mx, my), 2.0)
    den0 = math_ops.add(math_ops.square(mx), math_ops.square(my))
    luminance = math_ops.truediv(math_ops.add(num0, c1), math_ops.add(den0, c1))
    num1 = math_ops.multiply(local_mean(math_ops.multiply(x, y)), 2.0)
    den1 = local_mean(math_ops.add(math_ops.square(x), math_ops.square(y)))
    cs = math_ops.truediv(math_ops.add(math_ops.subtract(num1, num0), c2),
                          math_ops.add(math_ops.subtract(den1, den0), c2))
    index_map = math_ops.multiply(luminance, cs)
    if return_index_map:
        return reduction_ops.reduce_mean(index_map, axis=[-1])
    return reduction_ops.reduce_mean(index_map, axis=[-3, -2, -1])


def total_variation(images, name=None):
    """Sum of absolute differences between neighbouring pixels (per image for 4-D input).

    >>> float(tf.image.total_variation(tf.constant([[[0.], [1.]], [[3.], [1.]]])))
    6.0
    """
    images = to_tensor(images)
    rank = images.shape.rank
    if rank == 3:
        d1 = math_ops.subtract(images[1:, :, :], images[:-1, :, :])
        d2 = math_ops.subtract(images[:, 1:, :], images[:, :-1, :])
        axis = None
    elif rank == 4:
        d1 = math_ops.subtract(images[:, 1:, :, :], images[:, :-1, :, :])
        d2 = math_ops.subtract(images[:, :, 1:, :], images[:, :, :-1, :])
        axis = [1, 2, 3]
    else:
        raise ValueError("'images' must be either 3 or 4-dimensional.")
    return math_ops.add(reduction_ops.reduce_sum(math_ops.abs(d1), axis=axis),
                        reduction_ops.reduce_sum(math_ops.abs(d2), axis=axis))


def image_gradients(image):
    """(dy, dx): forward differences along height and width of a 4-D batch, zero in the
    last row / column.

    >>> dy, dx = tf.image.image_gradients(tf.reshape(tf.range(4.0), [1, 2, 2, 1]))
    >>> dy.numpy().ravel(), dx.numpy().ravel()
    (array([2., 2., 0., 0.], dtype=float32), array([1., 0., 1., 0.], dtype=float32))
    """
    image = to_tensor(image)
    if image.shape.rank != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{image.shape}.")
    dy = math_ops.subtract(image[:, 1:, :, :], image[:, :-1, :, :])
    dx = math_ops.subtract(image[:, :, 1:, :], image[:, :, :-1, :])
    dy = array_manip.pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]])
    dx = array_manip.pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]])
    return dy, dx


# ---------------------------------------------------------------------------------------
# Colour spaces: HSV, YUV, YIQ; saturation and hue
# ---------------------------------------------------------------------------------------

def _colour_input(images, op):
    """A float image with 3 channels. As TF's generated op wrappers do, NumPy/Python input
    becomes float32 (float16 stays); a tensor must already be floating."""
    if isinstance(images, Tensor) or hasattr(images, "_read"):
        t = to_tensor(images)
        if not t.dtype.is_floating:
            raise InvalidArgumentError(None, None, (
                f"Value for attr 'T' of {dtypes.tf_name(t.dtype)} is not in the list of allowed "
                f"values: half, bfloat16, float, double\n\t; NodeDef: {{{{node {op}}}}} "
                f"[Op:{op}] name: "))
    else:
        arr = np.asarray(images)
        t = to_tensor(arr.astype(np.float16 if arr.dtype == np.float16 else np.float32))
    channels = t.shape.as_list()[-1] if t.shape.rank else 0
    if channels != 3:
        raise FailedPreconditionError(None, None, "input must have 3 channels but input only "
                                      f"has {channels} channels. [Op:{op}] name: ")
    return t


def _rgb_to_hsv(x):
    r, g, b = array_ops.unstack(x, axis=-1)
    v = math_ops.maximum(math_ops.maximum(r, g), b)
    span = math_ops.subtract(v, math_ops.minimum(math_ops.minimum(r, g), b))
    zero, one = array_creation.zeros_like(v), array_creation.ones_like(v)
    # Divide by safe denominators so the untaken branch of `where` has no inf/NaN gradient.
    s = array_ops.where(v > zero, span / array_ops.where(v > zero, v, one), zero)
    has_hue = span > zero
    norm = 1.0 / (6.0 * array_ops.where(has_hue, span, one))
    h = array_ops.where(math_ops.equal(r, v), norm * (g - b),
                        array_ops.where(math_ops.equal(g, v), norm * (b - r) + 2.0 / 6.0,
                                        norm * (r - g) + 4.0 / 6.0))
    h = array_ops.where(has_hue, h, zero)
    h = array_ops.where(h < zero, h + 1.0, h)
    return array_ops.stack([h, s, v], axis=-1)


def _hsv_to_rgb(x):
    h, s, v = array_ops.unstack(x, axis=-1)
    dh = h * 6.0

    def ramp(t):
        return math_ops.minimum(math_ops.maximum(t, 0.0), 1.0)
    channels = [ramp(math_ops.abs(dh - 3.0) - 1.0), ramp(2.0 - math_ops.abs(dh - 2.0)),
                ramp(2.0 - math_ops.abs(dh - 4.0))]
    grey = 1.0 - s
    return array_ops.stack([(grey + s * c) * v for c in channels], axis=-1)


def rgb_to_hsv(images, name=None):
    """RGB (values in [0, 1]) to HSV, each of hue, saturation and value in [0, 1].

    >>> tf.image.rgb_to_hsv([[[1.0, 0.0, 0.0]]]).numpy().ravel()
    array([0., 1., 1.], dtype=float32)
    """
    return _rgb_to_hsv(_colour_input(images, "RGBToHSV"))


def hsv_to_rgb(images, name=None):
    """HSV (each channel in [0, 1]) back to RGB.

    >>> tf.image.hsv_to_rgb([[[1 / 3, 1.0, 1.0]]]).numpy().round(6).ravel()
    array([0., 1., 0.], dtype=float32)
    """
    return _hsv_to_rgb(_colour_input(images, "HSVToRGB"))


def _adjust_hsv(image, op, fn):
    """Applies `fn` to the HSV form of an RGB image of any dtype (computed in float32)."""
    image = to_tensor(image)
    channels = image.shape.as_list()[-1] if image.shape.rank else 0
    if channels != 3:
        raise InvalidArgumentError(None, None, "input must have 3 channels but instead has "
                                   f"{channels} channels. [Op:{op}] name: ")
    orig = image.dtype
    flt = cast(image, D.float32) if orig.is_floating else convert_image_dtype(image, D.float32)
    out = _hsv_to_rgb(fn(_rgb_to_hsv(flt)))
    if orig.is_floating:
        return cast(out, orig)
    return convert_image_dtype(out, orig)


def adjust_saturation(image, saturation_factor, name=None):
    """Scales saturation by `saturation_factor` (clipped to [0, 1]) in HSV space.

    >>> tf.image.adjust_saturation([[[1.0, 0.5, 0.5]]], 0.0).numpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """
    factor = cast(saturation_factor, D.float32)

    def scale(hsv):
        h, s, v = array_ops.unstack(hsv, axis=-1)
        s = math_ops.minimum(math_ops.maximum(s * factor, 0.0), 1.0)
        return array_ops.stack([h, s, v], axis=-1)
    return _adjust_hsv(image, "AdjustSaturation", scale)


def adjust_hue(image, delta, name=None):
    """Rotates hue by `delta` (a fraction of the colour circle, in [-1, 1]).

    >>> tf.image.adjust_hue([[[1.0, 0.0, 0.0]]], 1 / 3).numpy().round(6).ravel()
    array([0., 1., 0.], dtype=float32)
    """
    if isinstance(delta, (int, float)) and not -1 <= delta <= 1:
        raise ValueError("delta must be in the interval [-1, 1]")
    d = cast(delta, D.float32)

    def rotate(hsv):
        h, s, v = array_ops.unstack(hsv, axis=-1)
        return array_ops.stack([math_ops.floormod(h + d, 1.0), s, v], axis=-1)
    return _adjust_hsv(image, "AdjustHue", rotate)


def _check_saturation_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def _check_hue_delta(max_delta):
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")


def random_saturation(image, lower, upper, seed=None):
    """`adjust_saturation` by a factor drawn uniformly from [lower, upper)."""
    _check_saturation_range(lower, upper)
    return adjust_saturation(image, random_ops.uniform([], lower, upper, seed=seed))


def random_hue(image, max_delta, seed=None):
    """`adjust_hue` by a delta drawn uniformly from [-max_delta, max_delta)."""
    _check_hue_delta(max_delta)
    return adjust_hue(image, random_ops.uniform([], -max_delta, max_delta, seed=seed))


def stateless_random_saturation(image, lower, upper, seed):
    """As `random_saturation`, with the factor determined by the shape-[2] `seed`."""
    _check_saturation_range(lower, upper)
    return adjust_saturation(image, random_ops.stateless_uniform([], seed, lower, upper))


def stateless_random_hue(image, max_delta, seed):
    """As `random_hue`, with the delta determined by the shape-[2] `seed`."""
    _check_hue_delta(max_delta)
    return adjust_hue(image, random_ops.stateless_uniform([], seed, -max_delta, max_delta))


_YUV = np.array([[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                 [0.114, 0.43601035, -0.10001026]])
_YIQ = np.array([[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                 [0.114, -0.32134392, 0.31119955]])


# The inverses as TF tabulates them (rounded, so not exactly np.linalg.inv of the above).
_YUV_INV = np.array([[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]])
_YIQ_INV = np.array([[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
                     [0.6208248, -0.64720424, 1.70423049]])


def _colour_matrix(images, matrix):
    images = to_tensor(images)
    # Converting the float matrix to an integer image dtype fails, as in TF (TypeError).
    kernel = to_tensor(matrix.tolist(), dtype=images.dtype)
    return linalg_ops.tensordot(images, kernel, [[images.shape.rank - 1], [0]])


def rgb_to_yuv(images):
    """RGB to YUV (a fixed 3x3 linear map on the last axis)."""
    return _colour_matrix(images, _YUV)


def yuv_to_rgb(images):
    """YUV back to RGB."""
    return _colour_matrix(images, _YUV_INV)


def rgb_to_yiq(images):
    """RGB to YIQ (a fixed 3x3 linear map on the last axis)."""
    return _colour_matrix(images, _YIQ)


def yiq_to_rgb(images):
    """YIQ back to RGB."""
    return _colour_matrix(images, _YIQ_INV)


# ---------------------------------------------------------------------------------------
# Non-maximum suppression
# ---------------------------------------------------------------------------------------

def _iou_row(boxes, i, others):
    """IoU (float32) of box i with each box in `others`; boxes are [y1, x1, y2, x2] in any
    corner order, and an empty box overlaps nothing."""
    a = boxes[i]
    b = boxes[others]
    ay0, ay1 = min(a[0], a[2]), max(a[0], a[2])
    ax0, ax1 = min(a[1], a[3]), max(a[1], a[3])
    by0, by1 = np.minimum(b[:, 0], b[:, 2]), np.maximum(b[:, 0], b[:, 2])
    bx0, bx1 = np.minimum(b[:, 1], b[:, 3]), np.maximum(b[:, 1], b[:, 3])
    area_a = (ay1 - ay0) * (ax1 - ax0)
    area_b = (by1 - by0) * (bx1 - bx0)
    inter = (np.maximum(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0)
             * np.maximum(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / (area_a + area_b - inter)
    return np.where((area_a <= 0) | (area_b <= 0), 0, iou).astype(np.float32)


def _nms(similarity, scores, max_out, threshold, score_threshold, sigma):
    """Greedy (soft-)NMS: (selected indices, their possibly decayed scores).

    Candidates leave a max-heap by score (ties: lower index first). In hard mode a
    candidate is dropped when its similarity to a selected box exceeds `threshold`. In soft
    mode (sigma > 0) each selected box it has not yet met scales its score by
    exp(-0.5 * sim**2 / sigma); a decayed candidate goes back on the heap while it stays
    above `score_threshold`."""
    import heapq
    soft = sigma > 0
    scale = np.float32(-0.5 / sigma) if soft else np.float32(0)
    heap = [(-float(sc), i, 0) for i, sc in enumerate(scores) if sc > score_threshold]
    heapq.heapify(heap)
    selected, kept = [], []
    while len(selected) < max_out and heap:
        neg, i, begin = heapq.heappop(heap)
        score = original = scores.dtype.type(-neg)
        sims = similarity(i, np.array(selected[begin:], np.int64))
        hard = False
        for sim in sims[::-1]:
            if not soft and sim > threshold:
                hard = True
                break
            if soft:
                score = scores.dtype.type(score * np.exp(scale * sim * sim))
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            selected.append(i)
            kept.append(score)
        elif score > score_threshold:
            heapq.heappush(heap, (-float(score), i, len(selected)))
    return np.array(selected, np.int32), np.array(kept, scores.dtype)


def _nms_rule(*shapes, **attrs):
    return ((None,), (None,))


def _nms_dtype(*dts, **attrs):
    return (D.int32, dts[1])


@primitive("NonMaxSuppressionV5", shape=_nms_rule, dtype=_nms_dtype, multi_output=True,
           differentiable=False)
def _nms_boxes(boxes, scores, *, max_out, threshold, score_threshold, sigma):
    return _nms(lambda i, others: _iou_row(boxes, i, others), scores, max_out, threshold,
                score_threshold, sigma)


@primitive("NonMaxSuppressionWithOverlaps", shape=_nms_rule, dtype=_nms_dtype,
           multi_output=True, differentiable=False)
def _nms_overlaps(overlaps, scores, *, max_out, threshold, score_threshold):
    return _nms(lambda i, others: overlaps[i, others], scores, max_out, threshold,
                score_threshold, 0.0)


def _nms_args(boxes, scores, max_output_size, iou_threshold, op, width=4):
    boxes, scores = to_tensor(boxes), to_tensor(scores)
    max_out = int(max_output_size._value if isinstance(max_output_size, Tensor)
                  else max_output_size)
    threshold = float(iou_threshold)

    def fail(text):
        return InvalidArgumentError(None, None, f"{text} [Op:{op}] name: ")
    if width == 4:
        if not 0 <= threshold <= 1:
            raise fail("iou_threshold must be in [0, 1]")
        if boxes.shape.rank != 2 or boxes.shape[1] != 4:
            raise fail(f"boxes must have 4 columns (Dimension must be 4 but is "
                       f"{boxes.shape[-1]})")
    if boxes.shape[0] != scores.shape[0]:
        raise fail(f"scores has incompatible shape (Dimensions must be equal, but are "
                   f"{boxes.shape[0]} and {scores.shape[0]})")
    if max_out < 0:
        raise fail("output size must be non-negative")
    return boxes, cast(scores, boxes.dtype), max_out, threshold


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """Greedily picks the highest-scoring boxes, dropping any whose IoU with a picked box
    exceeds `iou_threshold`; returns up to `max_output_size` int32 indices.

    >>> boxes = [[0., 0., 1., 1.], [0., 0.1, 1., 1.1], [2., 2., 3., 3.]]
    >>> tf.image.non_max_suppression(boxes, [0.9, 0.8, 0.7], 3).numpy()
    array([0, 2], dtype=int32)
    """
    boxes, scores, max_out, thr = _nms_args(boxes, scores, max_output_size, iou_threshold,
                                            "NonMaxSuppressionV3")
    return _nms_boxes(boxes, scores, max_out=max_out, threshold=thr,
                      score_threshold=float(score_threshold), sigma=0.0)[0]


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None):
    """NMS returning (indices, scores); with `soft_nms_sigma` > 0, overlapping boxes have
    their scores decayed (Soft-NMS) instead of being dropped outright."""
    if soft_nms_sigma < 0:
        raise InvalidArgumentError(None, None, "soft_nms_sigma_val must be >= 0 "
                                   "[Op:NonMaxSuppressionV5] name: ")
    boxes, scores, max_out, thr = _nms_args(boxes, scores, max_output_size, iou_threshold,
                                            "NonMaxSuppressionV5")
    return _nms_boxes(boxes, scores, max_out=max_out, threshold=thr,
                      score_threshold=float(score_threshold), sigma=float(soft_nms_sigma))


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """NMS on a precomputed [n, n] `overlaps` matrix instead of box IoUs."""
    overlaps, scores, max_out, thr = _nms_args(overlaps, scores, max_output_size,
                                               overlap_threshold,
                                               "NonMaxSuppressionWithOverlaps", width=0)
    return _nms_overlaps(overlaps, scores, max_out=max_out, threshold=thr,
                         score_threshold=float(score_threshold))[0]


# ---------------------------------------------------------------------------------------
# Projective transforms (ImageProjectiveTransformV3), used by the Keras augmentation layers
# ---------------------------------------------------------------------------------------

def _map_coord(c, n, mode):
    """Maps sampling coordinates outside [0, n - 1] back inside, per TF's fill modes."""
    if mode == "constant":
        return c
    if mode == "nearest":
        return np.clip(c, 0, n - 1)
    if n <= 1:
        return np.zeros_like(c)
    c = c.copy()
    if mode == "reflect":
        sz2 = 2 * n
        neg, big = c < 0, c > n - 1
        cn = c[neg]
        cn = np.where(cn < -sz2, sz2 * np.trunc(-cn / sz2) + cn, cn)
        c[neg] = np.where(cn < -n, cn + sz2, -cn - 1)
        cb = c[big]
        cb = cb - sz2 * np.trunc(cb / sz2)
        c[big] = np.where(cb >= n, sz2 - cb - 1, cb)
    else:  # wrap
        # TF's formula (it can overshoot; the clamp below catches that). Both masks are
        # taken first: a wrapped negative coordinate is not wrapped again.
        sz = n - 1
        neg, big = c < 0, c > n - 1
        c[neg] += n * (np.trunc(-c[neg] / sz) + 1)
        c[big] -= n * np.trunc(c[big] / sz)
    return np.clip(c, 0, n - 1)


def _transform_rule(images, transforms, *, out_h, out_w, **attrs):
    return (images[0], out_h, out_w, images[3])


def _same_dtype(images, transforms, **attrs):
    return images


@primitive("ImageProjectiveTransformV3", shape=_transform_rule, dtype=_same_dtype,
           differentiable=False)
def _projective_transform(images, transforms, *, out_h, out_w, fill_mode, interpolation,
                          fill_value):
    b, h, w, c = images.shape
    t = np.broadcast_to(transforms.astype(np.float32), (b, 8))
    ys, xs = np.meshgrid(np.arange(out_h, dtype=np.float32),
                         np.arange(out_w, dtype=np.float32), indexing="ij")
    out = np.empty((b, out_h, out_w, c), images.dtype)
    fill = np.asarray(fill_value, np.float64)
    for k in range(b):
        a = t[k]
        proj = a[6] * xs + a[7] * ys + np.float32(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_in = (a[0] * xs + a[1] * ys + a[2]) / proj
            y_in = (a[3] * xs + a[4] * ys + a[5]) / proj
        x_in = _map_coord(x_in, w, fill_mode)
        y_in = _map_coord(y_in, h, fill_mode)
        img = images[k].astype(np.float64)

        def read(yy, xx):
            ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w) & (proj != 0)
            yi = np.clip(yy, 0, h - 1).astype(np.int64)
            xi = np.clip(xx, 0, w - 1).astype(np.int64)
            return np.where(ok[..., None], img[yi, xi], fill)

        if interpolation == "nearest":
            # std::round: halves away from zero.
            val = read(np.sign(y_in) * np.floor(np.abs(y_in) + 0.5),
                       np.sign(x_in) * np.floor(np.abs(x_in) + 0.5))
        else:
            y0, x0 = np.floor(y_in), np.floor(x_in)
            y1, x1 = y0 + 1, x0 + 1
            dx, dy = (x_in - x0)[..., None], (y_in - y0)[..., None]
            top = (1 - dx) * read(y0, x0) + dx * read(y0, x1)
            bottom = (1 - dx) * read(y1, x0) + dx * read(y1, x1)
            val = (1 - dy) * top + dy * bottom
        out[k] = val.astype(images.dtype) if images.dtype.kind == "f" else np.round(val)
    return out


def projective_transform(images, transforms, output_shape=None, fill_mode="constant",
                         interpolation="bilinear", fill_value=0.0):
    """Resamples 4-D `images` through [batch or 1, 8] projective `transforms` that map
    output pixel (x, y) to input pixel ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
    k = c0 x + c1 y + 1. fill_mode: reflect, wrap, constant or nearest; interpolation:
    nearest or bilinear."""
    images = to_tensor(images)
    transforms = cast(to_tensor(transforms), D.float32)
    h, w = _hw(images)
    out_h, out_w = (h, w) if output_shape is None else (int(output_shape[0]),
                                                        int(output_shape[1]))
    return _projective_transform(images, transforms, out_h=out_h, out_w=out_w,
                                 fill_mode=fill_mode.lower(),
                                 interpolation=interpolation.lower(),
                                 fill_value=float(fill_value))

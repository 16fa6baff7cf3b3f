"""tf.image: resizing, cropping and padding, flips and rotations, dtype conversion and the
colour adjustments most models use.

Images are 3-D `[height, width, channels]` or 4-D `[batch, height, width, channels]`.
Almost everything is a composite of existing ops, so gradients come for free. Resizing is
separable: each method (bilinear, bicubic, area) is a fixed linear map along height and one
along width, built in NumPy with TensorFlow's sampling rules (half-pixel centres, TF's
bicubic coefficient table) and applied with `tensordot`; nearest neighbour is two gathers.
Patches, quality measures and the projective transform live in image_extra_ops.py.
"""

from __future__ import annotations

import functools

import numpy as np

from tapeflow._src.autodiff.record import source
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import (
    array_manip, array_ops, array_slicing, gather_ops, linalg_ops, math_cast_ops, math_ops,
    random_ops, reduction_ops,
)
from tapeflow._src.ops._helpers import to_tensor

cast = math_cast_ops.cast
D = dtypes


class ResizeMethod:
    """The names `tf.image.resize` accepts for `method`."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


# ---------------------------------------------------------------------------------------
# Shape checks
# ---------------------------------------------------------------------------------------

def _image(image):
    """`image` as a Tensor (Variables are read) with TF's at-least-3-D check."""
    t = to_tensor(image)
    if t.shape.rank is not None and t.shape.rank < 3:
        raise ValueError(f"'image' (shape {tuple(t.shape.as_list())}) must be at least "
                         "three-dimensional.")
    return t


def _hw(t):
    """(height, width) of an image tensor, as ints."""
    dims = t.shape.as_list()
    return dims[-3], dims[-2]


def _int(v):
    """A Python int from an int, NumPy scalar or scalar tensor."""
    if isinstance(v, Tensor):
        v = v._value
    return int(v)


def _batched(image):
    """(4-D tensor, whether a batch axis was added)."""
    if image.shape.rank == 3:
        return array_ops.expand_dims(image, 0), True
    return image, False


def _unbatch(t, added):
    return array_ops.squeeze(t, [0]) if added else t


# ---------------------------------------------------------------------------------------
# Resizing: the sampling matrices
# ---------------------------------------------------------------------------------------

def _bilinear_matrix(n_in, n_out):
    """[n_out, n_in] weights of TF's half-pixel-centre bilinear sampling along one axis."""
    scale = np.float32(n_in) / np.float32(n_out)
    src = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    lo_f = np.floor(src)
    frac = src - lo_f
    lo = np.clip(lo_f.astype(np.int64), 0, n_in - 1)
    hi = np.clip(np.ceil(src).astype(np.int64), 0, n_in - 1)
    w = np.zeros((n_out, n_in), np.float64)
    rows = np.arange(n_out)
    np.add.at(w, (rows, lo), 1.0 - frac)
    np.add.at(w, (rows, hi), frac)
    return w


def _nearest_index(n_in, n_out):
    """Source rows of TF's half-pixel-centre nearest sampling (floor, no -0.5 shift)."""
    scale = np.float32(n_in) / np.float32(n_out)
    src = np.floor((np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale)
    return np.clip(src.astype(np.int64), 0, n_in - 1).astype(np.int32)


_TABLE_SIZE = 1024


def _keys_table():
    """TF's tabulated Keys cubic kernel (a = -0.5): entry 2i is k(i/1024), 2i+1 k(i/1024+1)."""
    a = -0.5
    x = np.arange(_TABLE_SIZE + 1, dtype=np.float32) / np.float32(_TABLE_SIZE)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    y = x + 1
    far = ((a * y - 5 * a) * y + 8 * a) * y - 4 * a
    table = np.empty(2 * (_TABLE_SIZE + 1), np.float32)
    table[0::2], table[1::2] = near, far
    return table


_KEYS = _keys_table()


def _bicubic_matrix(n_in, n_out):
    """[n_out, n_in] weights of TF's half-pixel bicubic: the offset is quantised to 1/1024
    (TF reads a table), taps outside the image get weight 0 and the rest are renormalised."""
    scale = np.float32(n_in) / np.float32(n_out)
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        src = (np.float32(o) + np.float32(0.5)) * scale - np.float32(0.5)
        base = int(np.floor(src))
        off = int(np.rint((src - np.float32(base)) * _TABLE_SIZE))
        taps = (_KEYS[off * 2 + 1], _KEYS[off * 2], _KEYS[(_TABLE_SIZE - off) * 2],
                _KEYS[(_TABLE_SIZE - off) * 2 + 1])
        idx = [base - 1 + k for k in range(4)]
        ws = [float(t) if 0 <= i < n_in else 0.0 for t, i in zip(taps, idx)]
        total = sum(ws)
        if abs(total) >= 1000.0 * np.finfo(np.float32).tiny:
            ws = [v / total for v in ws]
        for i, v in zip(idx, ws):
            if v:
                w[o, i] += v
    return w


def _area_matrix(n_in, n_out):
    """[n_out, n_in] weights of TF's ResizeArea: each output averages the input pixels its
    box [o * s, (o + 1) * s) covers, weighted by overlap."""
    scale = np.float32(n_in) / np.float32(n_out)
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        lo, hi = np.float32(o) * scale, np.float32(o + 1) * scale
        for i in range(int(np.floor(lo)), int(np.ceil(hi))):
            overlap = min(i + 1.0, float(hi)) - max(float(i), float(lo))
            w[o, min(i, n_in - 1)] += overlap / float(scale)
    return w


def _lanczos(radius):
    def k(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            v = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi * x) ** 2
        return np.where(x > radius, 0.0, np.where(x <= 1e-3, 1.0, v))
    return k


def _keys_cubic(x):
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    near = (1.5 * x - 2.5) * x * x + 1.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _mitchell_cubic(x):
    far = ((-7.0 / 18.0 * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
    near = (7.0 / 6.0 * x - 2.0) * x * x + 8.0 / 9.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


# ScaleAndTranslate's kernels: (radius, function of |distance|). Gaussian: sigma = 1.5 / 3.
_KERNELS = {
    "triangle": (1.0, lambda x: np.maximum(1.0 - x, 0.0)),
    "keyscubic": (2.0, _keys_cubic),
    "mitchellcubic": (2.0, _mitchell_cubic),
    "lanczos3": (3.0, _lanczos(3.0)),
    "lanczos5": (5.0, _lanczos(5.0)),
    "gaussian": (1.5, lambda x: np.where(x >= 1.5, 0.0, np.exp(-x * x / (2 * 0.5 ** 2)))),
}


def _kernel_matrix(kernel, antialias):
    """The [n_out, n_in] weights of TF's ScaleAndTranslate along one axis: the kernel is
    centred on each output pixel's source position, widened by the downscale factor when
    antialiasing, and each row is renormalised."""
    radius, fn = _KERNELS[kernel]

    f32 = np.float32

    def make(n_in, n_out):
        # float32 arithmetic as in TF: taps exactly at the kernel radius must come out 0.
        inv_scale = f32(1.0 / float(f32(n_out) / f32(n_in)))
        kscale = max(inv_scale, f32(1.0)) if antialias else f32(1.0)
        reach = f32(radius) * kscale
        w = np.zeros((n_out, n_in), np.float64)
        for o in range(n_out):
            src = f32(o + 0.5) * inv_scale
            lo = min(max(int(np.ceil(src - reach - f32(0.5))), 0), n_in - 1)
            hi = min(max(int(np.floor(src + reach - f32(0.5))), 0), n_in - 1) + 1
            pos = np.arange(lo, hi, dtype=np.float32) + f32(0.5) - src
            taps = fn(np.abs(pos / kscale).astype(np.float64))
            total = taps.sum()
            if abs(total) >= 1000.0 * np.finfo(np.float32).tiny:
                w[o, lo:hi] = taps / total
        return w
    return make


_MATRICES = {"bilinear": _bilinear_matrix, "bicubic": _bicubic_matrix, "area": _area_matrix}
_OP_NAMES = {"bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor",
             "bicubic": "ResizeBicubic", "area": "ResizeArea"}
# Methods TF resizes with ScaleAndTranslate (bilinear and bicubic only when antialiasing).
_SCALE_TRANSLATE = {"lanczos3": "lanczos3", "lanczos5": "lanczos5", "gaussian": "gaussian",
                    "mitchellcubic": "mitchellcubic"}
_ANTIALIASED = {"bilinear": "triangle", "bicubic": "keyscubic"}


def _resize_4d(images, new_h, new_w, method, antialias=False):
    """Resizes a 4-D tensor; the core of `resize` once arguments are checked."""
    h, w = _hw(images)
    kernel = _SCALE_TRANSLATE.get(method) or (_ANTIALIASED.get(method) if antialias else None)
    if new_h <= 0 or new_w <= 0:
        op = "ScaleAndTranslate" if kernel else _OP_NAMES[method]
        raise InvalidArgumentError(None, None, f"output dimensions must be positive [Op:{op}] "
                                   "name: ")
    if method == "nearest":
        out = images
        if new_h != h:
            out = gather_ops.gather(out, _nearest_index(h, new_h), axis=1)
        if new_w != w:
            out = gather_ops.gather(out, _nearest_index(w, new_w), axis=2)
        return out
    return _separable(cast(images, D.float32), _weights(method, kernel, antialias, h, new_h),
                      _weights(method, kernel, antialias, w, new_w))


@functools.lru_cache(maxsize=128)
def _weights(method, kernel, antialias, n_in, n_out):
    """The sampling matrix for one axis, cached: pipelines resize the same sizes each step.
    Callers must not write into it."""
    make = _kernel_matrix(kernel, antialias) if kernel else _MATRICES[method]
    return make(n_in, n_out)


def _separable(x, wh, ww):
    """Applies [out_h, h] and [out_w, w] matrices to the height and width of a 4-D batch.

    `tensordot` (one BLAS matmul each) is ~14x faster here than a 4-D `einsum`."""
    wh = to_tensor(wh.astype(x.dtype.as_numpy_dtype))
    ww = to_tensor(ww.astype(x.dtype.as_numpy_dtype))
    x = array_ops.transpose(linalg_ops.tensordot(x, wh, [[1], [1]]), [0, 3, 1, 2])
    return array_ops.transpose(linalg_ops.tensordot(x, ww, [[2], [1]]), [0, 1, 3, 2])


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Resizes images to `size` = [new_height, new_width].

    Uses TensorFlow 2's sampling (half-pixel centres). Every method but `nearest` returns
    float32; `nearest` keeps the input dtype.

    Args:
      images: A 3-D `[h, w, c]` or 4-D `[batch, h, w, c]` tensor.
      size: Two ints, the new height and width.
      method: "bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
        "gaussian" or "mitchellcubic" (see `ResizeMethod`).
      preserve_aspect_ratio: Scale to fit inside `size` keeping the aspect ratio.
      antialias: When downsampling, widen the kernel to low-pass filter (bilinear,
        bicubic and the kernel methods; area and nearest ignore it).
      name: Unused; kept for API compatibility.

    Returns:
      The resized images, with the rank of `images`.

    Raises:
      ValueError: bad rank, `size` or method.

    >>> tf.image.resize(tf.ones([2, 2, 1]), [3, 3]).shape
    TensorShape([3, 3, 1])
    """
    images = to_tensor(images)
    rank = images.shape.rank
    if rank not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    size_v = np.asarray(size._value if isinstance(size, Tensor) else size)
    if size_v.shape != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    if method not in _OP_NAMES and method not in _SCALE_TRANSLATE:
        raise ValueError(f"Resize method is not implemented: {method}")
    new_h, new_w = int(size_v[0]), int(size_v[1])
    x, added = _batched(images)
    if preserve_aspect_ratio:
        h, w = _hw(x)
        factor = min(np.float32(new_h) / np.float32(h), np.float32(new_w) / np.float32(w))
        new_h = int(np.round(factor * np.float32(h)))
        new_w = int(np.round(factor * np.float32(w)))
    return _unbatch(_resize_4d(x, new_h, new_w, method, bool(antialias)), added)


# ---------------------------------------------------------------------------------------
# Cropping and padding
# ---------------------------------------------------------------------------------------

def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Cuts the `[target_height, target_width]` window at (offset_height, offset_width).

    >>> tf.image.crop_to_bounding_box(tf.zeros([4, 4, 1]), 1, 1, 2, 3).shape
    TensorShape([2, 3, 1])
    """
    image = _image(image)
    oh, ow, th, tw = (_int(v) for v in (offset_height, offset_width, target_height,
                                        target_width))
    h, w = _hw(image)
    if ow < 0:
        raise ValueError("offset_width must be >= 0.")
    if oh < 0:
        raise ValueError("offset_height must be >= 0.")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    if w < tw + ow:
        raise ValueError("width must be >= target + offset.")
    if h < th + oh:
        raise ValueError("height must be >= target + offset.")
    x, added = _batched(image)
    return _unbatch(x[:, oh:oh + th, ow:ow + tw, :], added)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Zero-pads `image` to `[target_height, target_width]`, placing it at the offset.

    >>> tf.image.pad_to_bounding_box(tf.ones([1, 1, 1]), 1, 0, 2, 2).numpy()[..., 0]
    array([[0., 0.],
           [1., 0.]], dtype=float32)
    """
    image = _image(image)
    oh, ow, th, tw = (_int(v) for v in (offset_height, offset_width, target_height,
                                        target_width))
    h, w = _hw(image)
    if oh < 0:
        raise ValueError("offset_height must be >= 0")
    if ow < 0:
        raise ValueError("offset_width must be >= 0")
    if th - oh < h:
        raise ValueError("height must be <= target - offset")
    if tw - ow < w:
        raise ValueError("width must be <= target - offset")
    pads = [[0, 0]] * (image.shape.rank - 3) + [[oh, th - oh - h], [ow, tw - ow - w], [0, 0]]
    return array_manip.pad(image, pads)


def _target_size(target_height, target_width):
    th, tw = _int(target_height), _int(target_width)
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    return th, tw


def resize_with_crop_or_pad(image, target_height, target_width):
    """Centre-crops and/or zero-pads `image` to `[target_height, target_width]`.

    >>> tf.image.resize_with_crop_or_pad(tf.ones([3, 5, 1]), 4, 4).shape
    TensorShape([4, 4, 1])
    """
    image = _image(image)
    th, tw = _target_size(target_height, target_width)
    h, w = _hw(image)
    # Crop first (offsets floor the halved excess), then pad (offsets floor the halved gap).
    crop_h, crop_w = min(h, th), min(w, tw)
    image = crop_to_bounding_box(image, max((h - th) // 2, 0), max((w - tw) // 2, 0),
                                 crop_h, crop_w)
    return pad_to_bounding_box(image, max((th - h) // 2, 0), max((tw - w) // 2, 0), th, tw)


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False):
    """Resizes keeping the aspect ratio, then zero-pads to `[target_height, target_width]`.

    >>> tf.image.resize_with_pad(tf.ones([2, 4, 1]), 4, 4).shape
    TensorShape([4, 4, 1])
    """
    image = _image(image)
    th, tw = _target_size(target_height, target_width)
    h, w = _hw(image)
    f32 = np.float32
    # float32 arithmetic, as TF computes the ratio and offsets in graph ops.
    ratio = max(f32(w) / f32(tw), f32(h) / f32(th))
    rh, rw = f32(h) / ratio, f32(w) / f32(ratio)
    new_h, new_w = int(np.floor(rh)), int(np.floor(rw))
    ph, pw = max(0, int((f32(th) - rh) / f32(2))), max(0, int((f32(tw) - rw) / f32(2)))
    resized = resize(image, [new_h, new_w], method=method, antialias=antialias)
    return pad_to_bounding_box(resized, ph, pw, th, tw)


def central_crop(image, central_fraction):
    """Keeps the central `central_fraction` of each spatial dimension.

    >>> tf.image.central_crop(tf.zeros([4, 8, 1]), 0.5).shape
    TensorShape([2, 4, 1])
    """
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    image = _image(image)
    if central_fraction == 1.0:
        return image
    h, w = _hw(image)
    start_h = int((h - h * float(central_fraction)) / 2)
    start_w = int((w - w * float(central_fraction)) / 2)
    return crop_to_bounding_box(image, start_h, start_w, h - 2 * start_h, w - 2 * start_w)


def random_crop(value, size, seed=None, name=None):
    """Crops a random window of shape `size` out of `value` (any rank).

    Raises:
      InvalidArgumentError: when `size` exceeds `value`'s shape.

    >>> tf.image.random_crop(tf.zeros([4, 4, 3]), [2, 2, 3]).shape
    TensorShape([2, 2, 3])
    """
    value = to_tensor(value)
    shape = value.shape.as_list()
    size = [int(s) for s in np.asarray(size._value if isinstance(size, Tensor) else size)]
    if len(size) != len(shape):
        raise InvalidArgumentError(None, None, f"Incompatible shapes: [{len(shape)}] vs. "
                                   f"[{len(size)}] [Op:GreaterEqual] name: ")
    if any(s > d for s, d in zip(size, shape)):
        raise InvalidArgumentError(None, None, (
            "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'Need value.shape >= size, got '\n" + ", ".join(map(str, shape)) + "\n"
            + ", ".join(map(str, size))))
    limit = np.array(shape, np.int64) - np.array(size, np.int64) + 1
    rng = random_ops._draw_rng(seed)
    offsets = source(lambda: (rng.integers(0, 2**31 - 1, size=len(shape)) % limit)
                     .astype(np.int32))
    return array_slicing.slice(value, offsets, size)


def stateless_random_crop(value, size, seed, name=None):
    """As `random_crop`, with the window determined by the shape-[2] `seed`."""
    value = to_tensor(value)
    shape = value.shape.as_list()
    size = [int(v) for v in np.asarray(size._value if isinstance(size, Tensor) else size)]
    if len(size) != len(shape) or any(s > d for s, d in zip(size, shape)):
        raise InvalidArgumentError(None, None, "Need value.shape >= size, got "
                                   f"{shape} and {size}")
    limit = np.array(shape, np.int64) - np.array(size, np.int64) + 1
    draw = random_ops.stateless_uniform([len(shape)], seed, 0, 2**31 - 1, dtype=D.int32)
    offsets = math_ops.floormod(draw, to_tensor(limit.astype(np.int32)))
    return array_slicing.slice(value, offsets, size)


# ---------------------------------------------------------------------------------------
# Flips, rotations, transposes
# ---------------------------------------------------------------------------------------

def flip_left_right(image):
    """Reverses the width axis.

    >>> tf.image.flip_left_right([[[1], [2]]]).numpy().ravel()
    array([2, 1], dtype=int32)
    """
    image = _image(image)
    return array_manip.reverse(image, [image.shape.rank - 2])


def flip_up_down(image):
    """Reverses the height axis.

    >>> tf.image.flip_up_down([[[1]], [[2]]]).numpy().ravel()
    array([2, 1], dtype=int32)
    """
    image = _image(image)
    return array_manip.reverse(image, [image.shape.rank - 3])


def _random_flip(image, axis_from_end, seed, draw):
    """Flips each image (or the single one) along an axis with probability 1/2."""
    image = _image(image)
    rank = image.shape.rank
    axis = rank - axis_from_end
    flipped = array_manip.reverse(image, [axis])
    n = image.shape.as_list()[0] if rank == 4 else 1
    u = draw(n, seed)
    # TF flips a single image when u < 0.5 and each batch image when round(u) == 1.
    mask = math_ops.less(u, 0.5) if rank == 3 else math_ops.greater(u, 0.5)
    if rank == 3:
        mask = array_ops.reshape(mask, [])
    else:
        mask = array_ops.reshape(mask, [n, 1, 1, 1])
        mask = array_ops.broadcast_to(mask, image.shape.as_list())
    return array_ops.where(mask, flipped, image)


def _stateful_draw(n, seed):
    return random_ops.uniform([n], seed=seed)


def _stateless_draw(n, seed):
    return random_ops.stateless_uniform([n], seed=seed)


def random_flip_left_right(image, seed=None):
    """Flips the width axis of each image with probability 1/2.

    >>> tf.image.random_flip_left_right(tf.zeros([2, 2, 1])).shape
    TensorShape([2, 2, 1])
    """
    return _random_flip(image, 2, seed, _stateful_draw)


def random_flip_up_down(image, seed=None):
    """Flips the height axis of each image with probability 1/2."""
    return _random_flip(image, 3, seed, _stateful_draw)


def stateless_random_flip_left_right(image, seed):
    """As `random_flip_left_right`, but determined by the shape-[2] `seed`."""
    return _random_flip(image, 2, seed, _stateless_draw)


def stateless_random_flip_up_down(image, seed):
    """As `random_flip_up_down`, but determined by the shape-[2] `seed`."""
    return _random_flip(image, 3, seed, _stateless_draw)


def rot90(image, k=1, name=None):
    """Rotates images counter-clockwise by `k` quarter turns.

    >>> tf.image.rot90([[[1], [2]], [[3], [4]]]).numpy()[..., 0]
    array([[2, 4],
           [1, 3]], dtype=int32)
    """
    image = _image(image)
    if isinstance(k, float) or (isinstance(k, Tensor) and k.dtype.is_floating):
        raise TypeError(f"Cannot convert {k} to EagerTensor of dtype int32")
    k = _int(k) % 4
    r = image.shape.rank
    h, w = r - 3, r - 2
    perm = list(range(r))
    perm[h], perm[w] = w, h
    if k == 1:
        return array_ops.transpose(array_manip.reverse(image, [w]), perm)
    if k == 2:
        return array_manip.reverse(image, [h, w])
    if k == 3:
        return array_manip.reverse(array_ops.transpose(image, perm), [w])
    return image


def transpose(image, name=None):
    """Swaps the height and width axes.

    >>> tf.image.transpose(tf.zeros([2, 3, 1])).shape
    TensorShape([3, 2, 1])
    """
    image = _image(image)
    r = image.shape.rank
    perm = list(range(r))
    perm[r - 3], perm[r - 2] = r - 2, r - 3
    return array_ops.transpose(image, perm)


# ---------------------------------------------------------------------------------------
# Dtype conversion and colour
# ---------------------------------------------------------------------------------------

def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Converts between image dtypes, rescaling values: floats are in [0, 1], integers
    span [0, dtype.max].

    Args:
      image: An image tensor.
      dtype: The target dtype.
      saturate: Clip before casting to avoid wrap-around.
      name: Unused; kept for API compatibility.

    >>> tf.image.convert_image_dtype(tf.constant([0, 255], tf.uint8), tf.float32).numpy()
    array([0., 1.], dtype=float32)
    """
    image = to_tensor(image)
    dtype = D.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise AttributeError("dtype must be either floating point or integer")
    if not (image.dtype.is_floating or image.dtype.is_integer):
        raise AttributeError("image dtype must be either floating point or integer")
    if image.dtype == dtype:
        return image
    convert = math_cast_ops.saturate_cast if saturate else cast
    if image.dtype.is_integer and dtype.is_integer:
        in_max, out_max = image.dtype.max, dtype.max
        if in_max > out_max:
            scale = (in_max + 1) // (out_max + 1)
            return convert(math_ops.floordiv(image, to_tensor(scale, image.dtype)), dtype)
        scale = (out_max + 1) // (in_max + 1)
        return math_ops.multiply(convert(image, dtype), to_tensor(scale, dtype))
    if image.dtype.is_floating and dtype.is_floating:
        return cast(image, dtype)
    if image.dtype.is_integer:
        return math_ops.multiply(cast(image, dtype), to_tensor(1.0 / image.dtype.max, dtype))
    scaled = math_ops.multiply(image, to_tensor(dtype.max + 0.5, image.dtype))
    return convert(scaled, dtype)


def _to_float(image):
    """(float image, original dtype): float16/32 stay, other dtypes (float64 too, as in TF)
    are converted to float32."""
    orig = image.dtype
    if orig in (D.float16, D.float32):
        return image, orig
    return convert_image_dtype(image, D.float32), orig


def adjust_brightness(image, delta):
    """Adds `delta` to every value (integer images are converted to float and back).

    >>> tf.image.adjust_brightness(tf.zeros([1, 1, 1]), 0.25).numpy().ravel()
    array([0.25], dtype=float32)
    """
    image = to_tensor(image)
    flt, orig = _to_float(image)
    out = math_ops.add(flt, cast(delta, flt.dtype))
    return convert_image_dtype(out, orig, saturate=True)


def adjust_contrast(images, contrast_factor):
    """Scales each channel's deviation from its per-image mean by `contrast_factor`.

    Unlike TensorFlow (whose AdjustContrastv2 has no gradient), this is differentiable.

    >>> tf.image.adjust_contrast(tf.constant([[[0.], [1.]]]), 2.0).numpy().ravel()
    array([-0.5,  1.5], dtype=float32)
    """
    images = to_tensor(images)
    if images.shape.rank < 3:
        dims = ",".join(map(str, images.shape.as_list()))
        raise InvalidArgumentError(None, None, f"input must be at least 3-D, got shape[{dims}] "
                                   "[Op:AdjustContrastv2] name: ")
    flt, orig = _to_float(images)
    # AdjustContrastv2 computes in float32 (float16 goes through it too).
    work = cast(flt, D.float32)
    mean = reduction_ops.reduce_mean(work, axis=[-3, -2], keepdims=True)
    factor = cast(contrast_factor, D.float32)
    out = math_ops.add(math_ops.multiply(math_ops.subtract(work, mean), factor), mean)
    return convert_image_dtype(cast(out, flt.dtype), orig, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """`adjust_brightness` by a delta drawn uniformly from [-max_delta, max_delta).

    >>> tf.image.random_brightness(tf.zeros([2, 2, 1]), 0.1).shape
    TensorShape([2, 2, 1])
    """
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """`adjust_contrast` by a factor drawn uniformly from [lower, upper).

    >>> tf.image.random_contrast(tf.zeros([2, 2, 1]), 0.5, 1.5).shape
    TensorShape([2, 2, 1])
    """
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


def adjust_gamma(image, gamma=1, gain=1):
    """Gamma correction: gain * image ** gamma (integer and float64 images are computed in
    float32 and converted back).

    >>> tf.image.adjust_gamma(tf.constant([[[0.25]]]), 0.5).numpy().ravel()
    array([0.5], dtype=float32)
    """
    image = to_tensor(image)
    if isinstance(gamma, (int, float)) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    flt, orig = _to_float(image)
    out = math_ops.multiply(cast(gain, flt.dtype), math_ops.pow(flt, cast(gamma, flt.dtype)))
    return convert_image_dtype(out, orig, saturate=True)


def stateless_random_brightness(image, max_delta, seed):
    """As `random_brightness`, with the delta determined by the shape-[2] `seed`."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.stateless_uniform([], seed, -max_delta, max_delta)
    return adjust_brightness(image, delta)


def stateless_random_contrast(image, lower, upper, seed):
    """As `random_contrast`, with the factor determined by the shape-[2] `seed`."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, random_ops.stateless_uniform([], seed, lower, upper))


def per_image_standardization(image):
    """Scales each image to zero mean and unit variance (float32 result); the standard
    deviation is floored at 1/sqrt(pixel count) so uniform images do not divide by zero.

    >>> tf.image.per_image_standardization(tf.constant([[[1.], [3.]]])).numpy().ravel()
    array([-1.,  1.], dtype=float32)
    """
    image = _image(image)
    image = cast(image, D.float32)
    h, w = _hw(image)
    n = h * w * image.shape.as_list()[-1]
    mean = reduction_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
    centered = math_ops.subtract(image, mean)
    var = reduction_ops.reduce_mean(math_ops.square(centered), axis=[-1, -2, -3],
                                    keepdims=True)
    std = math_ops.maximum(math_ops.sqrt(var), to_tensor(np.float32(1.0 / np.sqrt(n))))
    return math_ops.truediv(centered, std)


_GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140], np.float32)


def rgb_to_grayscale(images, name=None):
    """Converts RGB images (last axis 3) to one-channel luma.

    >>> tf.image.rgb_to_grayscale(tf.constant([[[1., 1., 1.]]])).shape
    TensorShape([1, 1, 1])
    """
    images = to_tensor(images)
    flt = convert_image_dtype(images, D.float32)
    dims = flt.shape.as_list()
    if dims[-1] != 3:
        n = int(np.prod(dims[:-1]))
        raise InvalidArgumentError(None, None, f"Matrix size-incompatible: In[0]: [{n},"
                                   f"{dims[-1]}], In[1]: [3,1] [Op:MatMul] name: ")
    gray = linalg_ops.tensordot(flt, to_tensor(_GRAY_WEIGHTS), [[-1], [-1]])
    gray = array_ops.expand_dims(gray, -1)
    return convert_image_dtype(gray, images.dtype)


def grayscale_to_rgb(images, name=None):
    """Repeats a one-channel image three times along the last axis.

    >>> tf.image.grayscale_to_rgb(tf.zeros([2, 2, 1])).shape
    TensorShape([2, 2, 3])
    """
    images = to_tensor(images)
    dims = images.shape.as_list()
    if len(dims) < 2:
        raise ValueError(f"'image' (shape {tuple(dims)}) must be at least two-dimensional.")
    if dims[-1] != 1:
        raise ValueError("Last dimension of a grayscale image should be size 1.")
    return array_manip.tile(images, [1] * (len(dims) - 1) + [3])

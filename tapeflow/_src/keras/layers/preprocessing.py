"""Keras image preprocessing and augmentation layers: Resizing, CenterCrop and the random
RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomCrop, RandomContrast,
RandomBrightness.

As in Keras 2 (tf_keras), the random layers' `call` defaults to `training=True`: calling a
layer directly augments, `fit` augments, and `predict`/`evaluate` (training=False) pass the
input through unchanged. Inputs are cast to the layer's compute dtype (float32).
"""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras.engine import Layer
from tapeflow._src.ops import image_extra_ops, image_ops

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")
_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic")


def _check_fill_and_interpolation(fill_mode, interpolation):
    if fill_mode not in _FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Only `reflect`, `wrap`, "
                                  "`constant` and `nearest` are supported.")
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Only `nearest` "
                                  "and `bilinear` are supported.")


def _interpolation(name):
    name = name.lower()
    if name not in _RESIZE_METHODS:
        raise NotImplementedError(f"Value not recognized for `interpolation`: {name}. "
                                  f"Supported values are: {_RESIZE_METHODS}")
    return name


def _as_tensor(inputs, dtype):
    """The layer input as a tensor of `dtype` (dicts are refused as in Keras 2)."""
    if isinstance(inputs, dict):
        raise ValueError("This layer can only process a tensor representing an image or a "
                         f"batch of images. Received: type(inputs)={type(inputs)}.")
    return tf.cast(tf.convert_to_tensor(inputs), dtype)


def _image_shape(input_shape, height, width):
    dims = TensorShape(input_shape).as_list()
    dims[-3], dims[-2] = height, width
    return TensorShape(dims)


def smart_resize(x, size, interpolation="bilinear"):
    """Crops the largest centred window with the aspect ratio of `size`, then resizes it to
    `size` (float32 result), as keras.utils.smart_resize."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    img = tf.convert_to_tensor(x)
    if img.shape.rank < 3 or img.shape.rank > 4:
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with "
                         f"incorrect rank, of shape {img.shape}.")
    height, width = img.shape[-3], img.shape[-2]
    th, tw = int(size[0]), int(size[1])
    # float32 arithmetic truncated to int, as Keras computes it with graph ops.
    crop_h = min(height, int(np.float32(width * th) / np.float32(tw)))
    crop_w = min(width, int(np.float32(height * tw) / np.float32(th)))
    h0 = int(np.float32(height - crop_h) / np.float32(2))
    w0 = int(np.float32(width - crop_w) / np.float32(2))
    img = image_ops.crop_to_bounding_box(img, h0, w0, crop_h, crop_w)
    return image_ops.resize(img, [th, tw], method=interpolation)


class Resizing(Layer):
    """Resizes images to (height, width); optionally crops to that aspect ratio first."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 **kwargs):
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self._method = _interpolation(interpolation)
        super().__init__(**kwargs)

    def call(self, inputs):
        # resize gives float32 except for nearest, which keeps the (compute) dtype.
        dtype = self.compute_dtype if self.interpolation == "nearest" else "float32"
        inputs = _as_tensor(inputs, dtype)
        size = [self.height, self.width]
        if self.crop_to_aspect_ratio:
            out = smart_resize(inputs, size, interpolation=self._method)
        else:
            out = image_ops.resize(inputs, size, method=self._method)
        return tf.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return _image_shape(input_shape, self.height, self.width)

    def get_config(self):
        config = {"height": self.height, "width": self.width,
                  "interpolation": self.interpolation,
                  "crop_to_aspect_ratio": self.crop_to_aspect_ratio}
        return {**super().get_config(), **config}


class CenterCrop(Layer):
    """Crops the central (height, width) window; smaller inputs are smart-resized up."""

    def __init__(self, height, width, **kwargs):
        self.height, self.width = height, width
        super().__init__(**kwargs, autocast=False)

    def call(self, inputs):
        inputs = _as_tensor(inputs, self.compute_dtype)
        h_diff = inputs.shape[-3] - self.height
        w_diff = inputs.shape[-2] - self.width
        if h_diff >= 0 and w_diff >= 0:
            return image_ops.crop_to_bounding_box(inputs, h_diff // 2, w_diff // 2,
                                                  self.height, self.width)
        out = smart_resize(inputs, [self.height, self.width])
        return tf.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return _image_shape(input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class _RandomLayer(Layer):
    """Shared pieces of the augmentation layers: the seed and a batched view."""

    def __init__(self, seed=None, rng_type=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng_type = rng_type or "stateful"

    def _uniform(self, shape, minval, maxval):
        return tf.random.uniform(shape, minval, maxval, seed=self.seed)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "rng_type": self._rng_type}


class RandomCrop(_RandomLayer):
    """Crops a random (height, width) window while training (one offset per batch); at
    inference, or when the input is too small, smart-resizes to (height, width)."""

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, autocast=False, **kwargs)
        self.height, self.width = height, width

    def call(self, inputs, training=True):
        inputs = _as_tensor(inputs, self.compute_dtype)
        h_diff = inputs.shape[-3] - self.height
        w_diff = inputs.shape[-2] - self.width
        if training and h_diff >= 0 and w_diff >= 0:
            size = inputs.shape.as_list()
            size[-3], size[-2] = self.height, self.width
            # The batch and channel axes fit exactly, so their offsets are 0: one window
            # for the whole batch, as Keras draws it.
            return image_ops.random_crop(inputs, size, seed=self.seed)
        return tf.cast(smart_resize(inputs, [self.height, self.width]), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return _image_shape(input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}


_MODES = {"horizontal": (True, False), "vertical": (False, True),
          "horizontal_and_vertical": (True, True)}


class RandomFlip(_RandomLayer):
    """Flips each image left-right and/or up-down with probability 1/2 while training.

    mode: "horizontal", "vertical" or "horizontal_and_vertical".
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode = mode
        self.horizontal, self.vertical = _MODES[mode]

    def call(self, inputs, training=True):
        inputs = _as_tensor(inputs, self.compute_dtype)
        if not training:
            return inputs
        out = inputs
        if self.horizontal:
            out = image_ops.random_flip_left_right(out, seed=self.seed)
        if self.vertical:
            out = image_ops.random_flip_up_down(out, seed=self.seed)
        return out

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "seed": self.seed}


def _bounds(factor):
    """(lower, upper) from a number f (as (-f, f)) or a pair."""
    if isinstance(factor, (tuple, list)):
        return factor[0], factor[1]
    return -factor, factor


class _TransformLayer(_RandomLayer):
    """A random projective transform per image (rotation, zoom, translation)."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = fill_value

    def _transforms(self, batch, height, width):
        raise NotImplementedError

    def call(self, inputs, training=True):
        inputs = _as_tensor(inputs, self.compute_dtype)
        if not training:
            return inputs
        unbatched = inputs.shape.rank == 3
        x = tf.expand_dims(inputs, 0) if unbatched else inputs
        batch, height, width = x.shape[0], x.shape[1], x.shape[2]
        t = self._transforms(batch, float(height), float(width))
        out = image_extra_ops.projective_transform(x, t, fill_mode=self.fill_mode,
                                             interpolation=self.interpolation,
                                             fill_value=self.fill_value)
        return tf.squeeze(out, 0) if unbatched else out

    def _config(self):
        return {"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation, "seed": self.seed}


def _rows(*cols):
    """[batch, 8] transforms from eight [batch, 1] columns."""
    return tf.concat(list(cols), axis=1)


class RandomRotation(_TransformLayer):
    """Rotates each image by a random angle in factor * 2pi while training.

    factor: a number f (angles in [-f, f] turns) or a pair (lower, upper).
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.lower, self.upper = _bounds(factor)
        if self.upper < self.lower:
            raise ValueError("`factor` argument cannot have a negative value. "
                             f"Received: factor={factor}")

    def _transforms(self, batch, height, width):
        angles = self._uniform([batch, 1], self.lower * 2.0 * np.pi,
                               self.upper * 2.0 * np.pi)
        cos, sin = tf.cos(angles), tf.sin(angles)
        # Rotate about the image centre: the offsets keep the centre pixel fixed.
        x_off = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
        y_off = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
        zeros = tf.zeros([batch, 1])
        return _rows(cos, -sin, x_off, sin, cos, y_off, zeros, zeros)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._config()}


class RandomZoom(_TransformLayer):
    """Zooms each image by a random factor while training: height_factor (and width_factor,
    else the same zoom) is a number f (range [-f, f]) or a pair; positive values zoom out."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError("`height_factor` argument must have values between [-1, 1]. "
                             f"Received: height_factor={height_factor}")
        if width_factor is not None:
            self.width_lower, self.width_upper = _bounds(width_factor)
            if self.width_lower < -1.0 or self.width_upper < -1.0:
                raise ValueError("`width_factor` argument must have values larger than -1. "
                                 f"Received: width_factor={width_factor}")

    def _transforms(self, batch, height, width):
        zy = self._uniform([batch, 1], 1.0 + self.height_lower, 1.0 + self.height_upper)
        zx = zy if self.width_factor is None else self._uniform(
            [batch, 1], 1.0 + self.width_lower, 1.0 + self.width_upper)
        zeros = tf.zeros([batch, 1])
        x_off = ((width - 1.0) / 2.0) * (1.0 - zx)
        y_off = ((height - 1.0) / 2.0) * (1.0 - zy)
        return _rows(zx, zeros, x_off, zeros, zy, y_off, zeros, zeros)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._config()}


class RandomTranslation(_TransformLayer):
    """Shifts each image by random fractions of its height and width while training."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        if self.height_upper < self.height_lower:
            raise ValueError("`height_factor` cannot have upper bound less than lower bound, "
                             f"got {height_factor}")
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError("`height_factor` argument must have values between [-1, 1]. "
                             f"Received: height_factor={height_factor}")
        self.width_lower, self.width_upper = _bounds(width_factor)
        if self.width_upper < self.width_lower:
            raise ValueError("`width_factor` cannot have upper bound less than lower bound, "
                             f"got {width_factor}")
        if abs(self.width_lower) > 1.0 or abs(self.width_upper) > 1.0:
            raise ValueError(f"`width_factor` must have values between [-1, 1], got "
                             f"{width_factor}")

    def _transforms(self, batch, height, width):
        dy = self._uniform([batch, 1], self.height_lower, self.height_upper) * height
        dx = self._uniform([batch, 1], self.width_lower, self.width_upper) * width
        ones, zeros = tf.ones([batch, 1]), tf.zeros([batch, 1])
        return _rows(ones, zeros, -dx, zeros, ones, -dy, zeros, zeros)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._config()}


class RandomContrast(_RandomLayer):
    """Scales contrast by a random factor in [1 - lower, 1 + upper] while training (one
    factor per call), clipping the result to [0, 255]."""

    def __init__(self, factor, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, (tuple, list)):
            self.lower, self.upper = factor[0], factor[1]
        else:
            self.lower = self.upper = factor
        if self.lower < 0.0 or self.upper < 0.0 or self.lower > 1.0:
            raise ValueError("`factor` argument cannot have negative values or values "
                             f"greater than 1.Received: factor={factor}")

    def call(self, inputs, training=True):
        inputs = _as_tensor(inputs, self.compute_dtype)
        if not training:
            return inputs
        out = image_ops.random_contrast(inputs, 1.0 - self.lower, 1.0 + self.upper,
                                        seed=self.seed)
        return tf.clip_by_value(out, 0, 255)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


_FACTOR_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the "
                 "range [-1.0, 1.0]. ")
_RANGE_ERROR = "The `value_range` argument should be a list of two numbers. "


class RandomBrightness(_RandomLayer):
    """Adds a random per-image delta, factor * (value_range width), while training and
    clips to value_range."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(_FACTOR_ERROR + f"Got {factor}")
            for f in factor:
                self._check(f)
            self._factor = sorted(factor)
        elif isinstance(factor, (int, float)):
            self._check(factor)
            self._factor = [-abs(factor), abs(factor)]
        else:
            raise ValueError(_FACTOR_ERROR + f"Got {factor}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(_RANGE_ERROR + f"Got {value_range}")
        self._value_range = sorted(value_range)
        self._seed = seed

    @staticmethod
    def _check(f):
        if f > 1.0 or f < -1.0:
            raise ValueError(_FACTOR_ERROR + f"Got {f}")

    def call(self, inputs, training=True):
        images = _as_tensor(inputs, self.compute_dtype)
        if not training:
            return images
        rank = images.shape.rank
        if rank == 3:
            shape = [1, 1, 1]
        elif rank == 4:
            shape = [images.shape[0], 1, 1, 1]
        else:
            raise ValueError("Expected the input image to be rank 3 or 4. Got "
                             f"inputs.shape = {images.shape}")
        lo, hi = self._value_range
        delta = self._uniform(shape, self._factor[0], self._factor[1]) * (hi - lo)
        return tf.clip_by_value(images + tf.cast(delta, images.dtype), lo, hi)

    def get_config(self):
        return {**super().get_config(), "factor": self._factor,
                "value_range": self._value_range, "seed": self._seed}

"""Clipping: tf.clip_by_value and tf.clip_by_norm (composites of element-wise ops)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.math_ops import greater, maximum, minimum, sqrt


def _operand(value, dtype):
    """A clip bound as a tensor: tensors as they are, other values converted to `dtype`."""
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "_read"):  # a Variable
        return value._read()
    return to_tensor(value, dtype=dtype)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps `t` element-wise to [clip_value_min, clip_value_max].

    Composite `maximum(minimum(t, max), min)`, as in TensorFlow: where `t` equals a bound
    the gradient still flows to `t` (ties go to the first operand), NaN stays NaN, and the
    bounds may broadcast against `t` but must not change its shape.

    Raises:
      ValueError: the bounds would broadcast `t` to a larger shape.

    >>> tf.clip_by_value(tf.constant([-1.0, 0.5, 2.0]), 0.0, 1.0).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    values = to_tensor(t)
    hi = _operand(clip_value_max, values.dtype)
    lo = _operand(clip_value_min, values.dtype)
    try:
        out = maximum(minimum(values, hi), lo)
    except InvalidArgumentError as e:
        # TensorFlow's broadcasting error from inside clip_by_value has no "name: " part.
        if not e.message.startswith("Incompatible shapes"):
            raise
        raise InvalidArgumentError(None, None, e.message.removesuffix(" name: ")) from None
    in_shape, out_shape = values._value.shape, out._value.shape
    if in_shape != out_shape:
        raise ValueError(f"Shapes {_shape_str(in_shape)} and {_shape_str(out_shape)} are "
                         f"incompatible")
    return out


def _shape_str(shape):
    """A shape printed as TensorShape does in TensorFlow's compatibility errors."""
    return f"({shape[0]},)" if len(shape) == 1 else str(tuple(int(d) for d in shape))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales `t` so that its L2 norm over `axes` is at most `clip_norm`.

    Composite, as in TensorFlow: `t * clip_norm / maximum(norm, clip_norm)`, with the norm's
    square root guarded so a zero tensor has a finite gradient (1, passed straight through).
    A negative `clip_norm` gives zeros.

    >>> tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    from tapeflow._src.ops.array_ops import ones_like, where
    from tapeflow._src.ops.reduction_ops import reduce_sum

    from tapeflow._src.ops.math_ops import cast

    values = to_tensor(t)
    if isinstance(clip_norm, (int, float, np.integer, np.floating)):
        clip_norm = max(clip_norm, 0)
    else:
        # Like TensorFlow: a tensor bound is clamped at 0 in its own dtype, then cast.
        clip_norm = cast(maximum(to_tensor(clip_norm), 0), values.dtype)
    l2sum = reduce_sum(values * values, axis=axes, keepdims=True)
    positive = greater(l2sum, 0)
    l2sum_safe = where(positive, l2sum, ones_like(l2sum))
    l2norm = where(positive, sqrt(l2sum_safe), l2sum)
    intermediate = values * clip_norm
    if intermediate._value.shape != values._value.shape:
        raise ValueError(f"Shapes {_shape_str(values._value.shape)} and "
                         f"{_shape_str(intermediate._value.shape)} are incompatible")
    return intermediate / maximum(l2norm, clip_norm)

"""Casts: tf.cast (the Cast primitive), tf.dtypes.saturate_cast and to_float.
Re-exported by math_ops, whose gradient rules use `cast` throughout."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import UnimplementedError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive


@primitive("Cast", shape=rules.same_shape)
def _cast(x, *, to):
    if to.kind == "O" or x.dtype.kind == "O":
        raise UnimplementedError(None, None, f"Cast {_tf_name(x.dtype)} to {_tf_name(to)} is "
                                 f"not supported [Op:Cast] name: ")
    if x.dtype.kind == "c" and to.kind != "c":
        x = np.real(x)
    if x.dtype.kind == "f" and to.kind in "iu":
        # TensorFlow truncates toward zero and wraps like C; NaN becomes 0-ish garbage there.
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(to)
    if x.dtype.kind in "iu" and to.kind in "iu":
        return x.astype(to)
    return x.astype(to)


@_cast.grad
def _cast_grad(op, dy):
    x, = op.inputs
    if x._value.dtype.kind in "fc" and dy._value.dtype.kind in "fc":
        return cast(dy, x.dtype)
    return None


def cast(x, dtype, name=None):
    """Casts x to `dtype` (floats to ints truncate toward zero; complex to real drops the
    imaginary part). The gradient flows only between floating/complex dtypes.

    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32).numpy()
    array([ 1, -1], dtype=int32)
    """
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(x, Tensor):
        from tapeflow._src.framework.variables import Variable
        if isinstance(x, Variable):
            x = x._read()
        else:
            x = _convert_for_cast(x, dtype)
    if x._value.dtype == dtype._np:
        return x
    return _cast(x, to=dtype._np)


def _tf_name(np_dtype):
    return dtypes.tf_name(dtypes.as_dtype(np_dtype))


def _convert_for_cast(x, dtype):
    from tapeflow._src.framework.convert import convert_to_tensor
    if isinstance(x, (np.ndarray, np.generic)):
        return convert_to_tensor(x)
    try:
        return convert_to_tensor(x, dtype=dtype)
    except (TypeError, ValueError):
        return convert_to_tensor(x)


def saturate_cast(value, dtype, name=None):
    """Casts to `dtype`, first clamping values into its range (no wrap-around).

    Clamping happens in the input's dtype, as in TensorFlow: a float32 input clamped for
    int32 uses the largest float32 below 2**31, and complex inputs lose their imaginary part.

    >>> tf.dtypes.saturate_cast(tf.constant([300.0, -5.0]), tf.uint8).numpy()
    array([255,   0], dtype=uint8)
    """
    dtype = dtypes.as_dtype(dtype)
    x = to_tensor(value)
    if x.dtype.is_complex and not dtype.is_complex:
        from tapeflow._src.ops.math_ops import real
        x = real(x)
    src = x.dtype
    if (dtype.is_integer or dtype.is_floating) and (src.is_integer or src.is_floating):
        from tapeflow._src.ops.math_ops import maximum, minimum
        lo, hi = _saturation_limits(src._np, dtype._np)
        x = maximum(minimum(x, _wrap_np(hi)), _wrap_np(lo))
    return cast(x, dtype)


def _saturation_limits(src, dst):
    """The clamp bounds (as `src` scalars) for a saturating cast from `src` to `dst`.

    A bound of `dst` may round outward when stored in `src` (int32's max becomes 2**31 in
    float32); it is then stepped one ulp toward zero. Like TensorFlow, the test is made in
    the promoted dtype of the pair, so float64 -> int64 keeps 2**63 and wraps.
    """
    info_s = np.finfo(src) if src.kind == "f" else np.iinfo(src)
    info_d = np.finfo(dst) if dst.kind == "f" else np.iinfo(dst)
    promoted = np.promote_types(src, dst)
    zero = np.zeros((), src)
    lo = np.asarray(max(float(info_s.min), float(info_d.min)) if src.kind == "f"
                    else max(int(info_s.min), int(info_d.min))).astype(src)
    if np.array(lo, promoted) < np.array(info_d.min, promoted):
        lo = np.nextafter(lo, zero)
    hi = np.asarray(min(float(info_s.max), float(info_d.max))).astype(src) if src.kind == "f" \
        else np.asarray(min(int(info_s.max), int(info_d.max))).astype(src)
    if np.array(hi, promoted) > np.array(info_d.max, promoted):
        hi = np.nextafter(hi, zero)
    return lo, hi


def _wrap_np(a):
    from tapeflow._src.framework.tensor import _wrap
    return _wrap(np.asarray(a))


def to_float(x, name="ToFloat"):
    """Casts x to float32 (TensorFlow 1 name kept for old code)."""
    return cast(x, dtypes.float32)

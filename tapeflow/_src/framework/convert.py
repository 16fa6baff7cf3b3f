"""Conversion of Python, NumPy and tapeflow values to Tensors (`tf.constant`,
`tf.convert_to_tensor`), with TensorFlow's inference rules: Python int -> int32 (int64 when
it does not fit), float -> float32, complex -> complex128, str/bytes -> string; NumPy values
keep their dtype.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor import Tensor, _wrap

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_f32 = np.float32
_i32 = np.int32

# Types registered with tf.register_tensor_conversion_function, checked in order.
_conversion_functions: list = []


_Variable = None


def _variable_type():
    """tf.Variable, imported on first use (variables.py imports this module)."""
    global _Variable
    if _Variable is None:
        from tapeflow._src.framework.variables import Variable
        _Variable = Variable
    return _Variable


def _encode_strings(arr: np.ndarray) -> np.ndarray:
    """str/bytes arrays -> object arrays of bytes, which is how tapeflow stores strings."""
    out = np.empty(arr.shape, dtype=object)
    flat = arr.reshape(-1)
    out_flat = out.reshape(-1)
    for i, s in enumerate(flat):
        out_flat[i] = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return out


def _first_leaf(value):
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return value


def _infer_python(value) -> np.ndarray:
    """A NumPy array holding a Python scalar or nested list with TensorFlow's dtype rules."""
    # Rank-0 values are NumPy scalars, not 0-d arrays: scalar arithmetic on them is several
    # times cheaper, and ufuncs return scalars for rank-0 inputs anyway.
    t = type(value)
    if t is float:
        return _f32(value)
    if t is int:
        if _INT32_MIN <= value <= _INT32_MAX:
            return _i32(value)
        if _INT64_MIN <= value <= _INT64_MAX:
            return np.int64(value)
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    if t is bool:
        return np.bool_(value)
    if t is complex:
        return np.complex128(value)
    if t is str or t is bytes:
        out = np.empty((), dtype=object)
        out[()] = value.encode("utf-8") if t is str else value
        return out
    leaf = _first_leaf(value)
    try:
        if isinstance(leaf, (str, bytes)):
            # Object dtype keeps trailing NULs that NumPy's fixed-width 'U'/'S' would drop.
            arr = np.array(value, dtype=object)
            if arr.size and not all(isinstance(v, (str, bytes)) for v in arr.flat):
                raise ValueError("inhomogeneous")
            return _encode_strings(arr)
        arr = np.array(value)
    except (ValueError, TypeError) as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
        raise
    kind = arr.dtype.kind
    if kind == "O":
        if arr.dtype == object and arr.size and all(isinstance(x, (bytes, str)) for x in arr.flat):
            return _encode_strings(arr)
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    if kind in "US":
        return _encode_strings(arr)
    # A leaf that already carries a NumPy/tapeflow dtype decides; plain Python numbers
    # follow TensorFlow's narrower defaults.
    if isinstance(leaf, (np.generic, np.ndarray, Tensor)):
        return arr
    if kind == "f" and arr.dtype != np.float32:
        return arr.astype(_f32)
    if kind in "iu":
        if arr.size == 0:
            return arr.astype(_i32)
        lo, hi = arr.min(), arr.max()
        if _INT32_MIN <= lo and hi <= _INT32_MAX:
            return arr.astype(_i32)
        if arr.dtype == np.uint64 and hi > _INT64_MAX:
            raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
        return arr.astype(np.int64)
    if arr.dtype == np.float64 and arr.size == 0:
        return arr.astype(_f32)
    return arr


def _cast_python(value, dtype: dtypes.DType) -> np.ndarray:
    """Python value -> array of `dtype`, refusing what TensorFlow refuses (1.5 -> int32)."""
    arr = _infer_python(value)
    if arr.size == 0:
        return np.asarray(arr).astype(dtype._np)  # an empty list takes any dtype
    src = arr.dtype.kind
    dst = dtype._np.kind
    ok = (src == dst or (src in "iub" and dst in "iufc") or (src == "f" and dst in "fc")
          or (src == "b" and dst == "b"))
    if src in "iu" and dst == "b":
        ok = False
    if not ok:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    if arr.dtype == dtype._np:
        return arr
    if src in "iu" and dst in "iu":
        # TensorFlow wraps out-of-range Python ints modulo 2**bits (300 -> uint8 44).
        return arr.astype(np.int64).astype(dtype._np)
    if src in "fc":
        # Inference went through float32; build from the Python value itself so that
        # tf.constant(1.123456789, tf.float64) keeps every digit.
        if type(value) is float or type(value) is complex:
            return dtype._np.type(value)
        return np.array(value, dtype=dtype._np)
    return arr.astype(dtype._np)


def _from_numpy(value, dtype):
    if isinstance(value, np.generic) and value.dtype.kind not in "USOVMm":
        if dtype is None or value.dtype == dtype._np:
            return value  # NumPy scalars are immutable: no copy needed
        if dtype is not dtypes.string:
            return value.astype(dtype._np)
    arr = np.asarray(value)
    if arr.dtype.kind in "USO":
        arr = arr if arr.dtype == object else _encode_strings(arr)
        if dtype is not None and dtype is not dtypes.string:
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
        return arr
    if arr.dtype.kind == "V" or arr.dtype.kind == "M" or arr.dtype.kind == "m":
        raise TypeError(f"Unsupported NumPy dtype for a tapeflow Tensor: {arr.dtype}")
    if dtype is not None and arr.dtype != dtype._np:
        if dtype is dtypes.string:
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype string")
        arr = arr.astype(dtype._np)
    elif isinstance(value, np.ndarray):
        # Tensors are immutable: never alias a caller's array.
        arr = arr.copy()
    return arr


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts a Tensor, Variable, NumPy value or Python value (nested lists) to a Tensor.

    Args:
      value: the object to convert.
      dtype: the required dtype; Python values are converted to it, a Tensor of another
        dtype is an error.
      dtype_hint: a preferred dtype, used when the value can take it and ignored otherwise.
      name: unused; kept for API compatibility.

    Returns:
      A `Tensor`.

    Raises:
      TypeError: if a Python value cannot take `dtype` (e.g. 1.5 to int32).
      ValueError: for ragged nested lists, or a Tensor whose dtype differs from `dtype`.

    >>> tf.convert_to_tensor([1, 2]).dtype
    tf.int32
    """
    if type(value) is Tensor:
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
            if value._value.dtype != dtype._np:
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {value.dtype.name}: {value!r}")
        return value
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    Variable = _variable_type()
    if isinstance(value, Variable):
        t = value._read()
        if dtype is not None and t._value.dtype != dtype._np:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                             f"with dtype {t.dtype.name}: {t!r}")
        return t
    if isinstance(value, Tensor):  # subclasses
        return value
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    if dtype is None and dtype_hint is not None:
        try:
            return convert_to_tensor(value, dtype=dtype_hint)
        except (TypeError, ValueError):
            return convert_to_tensor(value)
    for cls, fn in _conversion_functions:
        if isinstance(value, cls):
            return fn(value, dtype=dtype, name=name, as_ref=False)
    if hasattr(value, "__tf_tensor__"):
        return value.__tf_tensor__(dtype, name)
    if isinstance(value, (np.ndarray, np.generic)):
        return _wrap(_from_numpy(value, dtype))
    if isinstance(value, (list, tuple)) and value and _contains_tensor(value):
        return _pack(value, dtype)
    if dtype is None:
        return _wrap(_infer_python(value))
    return _wrap(_cast_python(value, dtype))


def _contains_tensor(value) -> bool:
    Variable = _variable_type()
    for v in value:
        if isinstance(v, (Tensor, Variable)):
            return True
        if isinstance(v, (list, tuple)) and v and _contains_tensor(v):
            return True
    return False


def _pack(value, dtype):
    """A list holding tensors becomes tf.stack of its converted items (differentiable)."""
    from tapeflow._src.ops import array_ops
    items = [_pack(v, dtype) if isinstance(v, (list, tuple)) else convert_to_tensor(v, dtype)
             for v in value]
    return array_ops.stack(items)


def constant(value, dtype=None, shape=None, name="Const") -> Tensor:
    """Creates a constant tensor from a Python or NumPy value.

    Args:
      value: a Python scalar, nested list, NumPy array or Tensor.
      dtype: the element type; Python values are converted to it.
      shape: optional shape. A one-element value fills it; a value with as many elements
        is reshaped to it.
      name: unused; kept for API compatibility.

    Returns:
      A `Tensor`.

    Raises:
      TypeError: if the value cannot take `dtype` or `shape`.

    >>> tf.constant(-1.0, shape=[2, 3]).shape
    TensorShape([2, 3])
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    Variable = _variable_type()
    if isinstance(value, (Tensor, Variable)):
        # Through `derived`, so that a tf.function replay recomputes it from the input.
        from tapeflow._src.autodiff.record import derived
        t = convert_to_tensor(value)
        return derived(lambda a: _constant_array(a, dtype, shape, value), t)
    if isinstance(value, (np.ndarray, np.generic)):
        arr = _from_numpy(value, dtype)
    else:
        arr = convert_to_tensor(value, dtype)._value
    return _wrap(_constant_array(arr, None, shape, value))


def _constant_array(arr, dtype, shape, value):
    """`arr` cast to `dtype` and fitted to `shape` as tf.constant does."""
    if dtype is not None and arr.dtype != dtype._np:
        arr = arr.astype(dtype._np)
    if shape is None:
        return arr
    shape = tuple(int(d) for d in (shape if hasattr(shape, "__iter__") else (shape,)))
    n = int(np.prod(shape, dtype=np.int64))
    if arr.size == n:
        return np.asarray(arr).reshape(shape)
    if arr.size == 1:
        return np.full(shape, np.asarray(arr).reshape(()), dtype=arr.dtype)
    raise TypeError(
        f"Eager execution of tf.constant with unsupported shape. Tensor {np.asarray(arr)} "
        f"(converted from {value!r}) has {arr.size} elements, but got `shape` {shape} with "
        f"{n} elements).")


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Registers `conversion_func(value, dtype, name, as_ref)` for values of `base_type`."""
    _conversion_functions.append((base_type, conversion_func))

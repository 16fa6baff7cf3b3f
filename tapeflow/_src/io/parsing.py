"""`tf.io.parse_single_example` / `parse_example` and the feature descriptions they take."""

from __future__ import annotations

import collections

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.io.example import parse_features
from tapeflow._src.io.sparse_tensor import SparseTensor

_KIND_DTYPE = {"int64_list": dtypes.int64, "float_list": dtypes.float32,
               "bytes_list": dtypes.string}
_DTYPE_TEXT = {dtypes.int64: "int64", dtypes.float32: "float", dtypes.string: "string"}


class FixedLenFeature(collections.namedtuple(
        "FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature with a fixed number of values, parsed into a dense Tensor of `shape`."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtypes.as_dtype(dtype), default_value)

    def __repr__(self):
        return (f"FixedLenFeature(shape={self.shape!r}, dtype={_repr_dtype(self.dtype)}, "
                f"default_value={self.default_value!r})")


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values, parsed into a SparseTensor."""

    def __new__(cls, dtype):
        return super().__new__(cls, dtypes.as_dtype(dtype))

    def __repr__(self):
        return f"VarLenFeature(dtype={_repr_dtype(self.dtype)})"


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """Not supported by tapeflow's Example parser (SequenceExample is not implemented)."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtypes.as_dtype(dtype), allow_missing,
                               default_value)


def _repr_dtype(d):
    return f"tf.{d.name}"


def _check_dtype(dtype):
    if dtype not in (dtypes.int64, dtypes.float32, dtypes.string):
        raise ValueError(f"Unsupported dtype {dtype.name} in parsing spec: only int64, "
                         f"float32 and string are allowed.")


def _serialized_list(serialized):
    v = serialized._value if isinstance(serialized, Tensor) else serialized
    arr = np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v
    return arr


def _to_bytes(x):
    if isinstance(x, str):
        return x.encode("utf-8")
    return bytes(x)


def _values_array(values, dtype):
    if dtype == dtypes.string:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=dtype.as_numpy_dtype)


def _parse_one(buf, features):
    """One serialized Example -> {key: values array} for each requested feature (or None)."""
    parsed = parse_features(buf)
    out = {}
    for key, spec in features.items():
        got = parsed.get(key)
        if got is None or got[0] is None:
            out[key] = None
            continue
        kind, values = got
        if _KIND_DTYPE[kind] != spec.dtype:
            raise InvalidArgumentError(
                None, None, f"Key: {key}.  Data types don't match. Data type: "
                f"{_DTYPE_TEXT[_KIND_DTYPE[kind]]} but expected type: "
                f"{_DTYPE_TEXT[spec.dtype]} [Op:ParseExampleV2]")
        out[key] = _values_array(values, spec.dtype)
    return out


def _dense(key, spec, values):
    shape = [int(d) for d in spec.shape]
    n = int(np.prod(shape)) if shape else 1
    if values is None:
        if spec.default_value is None:
            raise InvalidArgumentError(
                None, None, f"Feature: {key} (data type: {spec.dtype.name}) is required but "
                f"could not be found. [Op:ParseExampleV2]")
        d = spec.default_value
        d = d._value if isinstance(d, Tensor) else d
        if spec.dtype == dtypes.string:
            arr = np.empty(shape, dtype=object)
            arr[...] = _to_bytes(d) if isinstance(d, (str, bytes)) else d
            return arr
        return np.broadcast_to(np.asarray(d, dtype=spec.dtype.as_numpy_dtype), shape).copy()
    if values.size != n:
        raise InvalidArgumentError(
            None, None, f"Key: {key}.  Can't parse serialized Example: Some "
            f"{spec.dtype.name if spec.dtype != dtypes.float32 else 'float'}_list slice was "
            f"not parsed. [Op:ParseExampleV2]" if values.size > n else
            f"Key: {key}.  Can't parse serialized Example. [Op:ParseExampleV2]")
    return values.reshape(shape)


def _check_features(features):
    for key, spec in features.items():
        if isinstance(spec, FixedLenSequenceFeature):
            raise NotImplementedError("FixedLenSequenceFeature is not implemented in tapeflow.")
        if not isinstance(spec, (FixedLenFeature, VarLenFeature)):
            raise ValueError(f"Unsupported feature spec for key {key!r}: {spec!r}")
        _check_dtype(spec.dtype)


def parse_single_example(serialized, features, example_names=None, name=None):
    """Parses one serialized `tf.train.Example` into a dict of Tensors / SparseTensors.

    Args:
      serialized: A scalar string Tensor (or bytes).
      features: A dict from feature names to `FixedLenFeature` or `VarLenFeature`.
      example_names: Unused.
      name: Unused.

    Returns:
      A dict: dense Tensors for FixedLenFeature, SparseTensors for VarLenFeature.
    """
    if not features:
        raise ValueError("Missing: features was empty.")
    _check_features(features)
    arr = _serialized_list(serialized)
    if np.ndim(arr) != 0:
        raise ValueError(f"Input serialized must be a scalar; got shape {np.shape(arr)}.")
    buf = _to_bytes(arr[()] if isinstance(arr, np.ndarray) else arr)
    parsed = _parse_one(buf, features)
    out = {}
    for key, spec in features.items():
        values = parsed[key]
        if isinstance(spec, VarLenFeature):
            values = _values_array([], spec.dtype) if values is None else values
            n = len(values)
            out[key] = SparseTensor._from_arrays(
                np.arange(n, dtype=np.int64).reshape(n, 1), values, np.array([n], np.int64))
        else:
            out[key] = _wrap(_dense(key, spec, values))
    return out


def parse_example(serialized, features, example_names=None, name=None):
    """Parses a batch (1-D string Tensor) of serialized Examples into batched features."""
    if not features:
        raise ValueError("Missing: features was empty.")
    _check_features(features)
    arr = _serialized_list(serialized)
    if np.ndim(arr) == 0:
        return parse_single_example(serialized, features)
    bufs = [_to_bytes(x) for x in np.asarray(arr, dtype=object).reshape(-1)]
    parsed = [_parse_one(b, features) for b in bufs]
    out = {}
    for key, spec in features.items():
        if isinstance(spec, VarLenFeature):
            idx, vals, longest = [], [], 0
            for b, p in enumerate(parsed):
                v = p[key]
                if v is None:
                    continue
                idx.extend((b, j) for j in range(len(v)))
                vals.append(v)
                longest = max(longest, len(v))
            values = np.concatenate(vals) if vals else _values_array([], spec.dtype)
            indices = np.asarray(idx, dtype=np.int64).reshape(-1, 2)
            out[key] = SparseTensor._from_arrays(
                indices, values, np.array([len(bufs), longest], np.int64))
        else:
            dense = [_dense(key, spec, p[key]) for p in parsed]
            shape = [len(bufs)] + [int(d) for d in spec.shape]
            out[key] = _wrap(np.stack(dense) if dense else
                             np.zeros(shape, dtype=spec.dtype.as_numpy_dtype))
    return out

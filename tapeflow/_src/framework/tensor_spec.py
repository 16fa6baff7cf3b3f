"""`tf.TensorSpec`: the shape and dtype a tensor is expected to have (no data)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor_shape import TensorShape


class TensorSpec:
    """Describes a tensor by its (possibly partial) shape, dtype and an optional name.

    >>> tf.TensorSpec(shape=[None, 2], dtype=tf.float32)
    TensorSpec(shape=(None, 2), dtype=tf.float32, name=None)
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """The spec of an existing tensor (or array)."""
        v = getattr(tensor, "_value", None)
        if v is None:
            v = np.asarray(tensor)
        return cls(TensorShape._from_tuple(np.shape(v)), dtypes.from_numpy(np.asarray(v).dtype),
                   name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, spec.name if name is None else name)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def value_type(self):
        from tapeflow._src.framework.tensor import Tensor
        return Tensor

    def is_compatible_with(self, spec_or_tensor) -> bool:
        """True when a tensor or spec has a compatible dtype and shape."""
        if isinstance(spec_or_tensor, TensorSpec):
            dtype, shape = spec_or_tensor.dtype, spec_or_tensor.shape
        else:
            dtype = getattr(spec_or_tensor, "dtype", None)
            shape = getattr(spec_or_tensor, "shape", None)
            if dtype is None or shape is None:
                return False
        return self._dtype.is_compatible_with(dtype) and self._shape.is_compatible_with(shape)

    def is_subtype_of(self, other) -> bool:
        if not isinstance(other, TensorSpec) or other.dtype != self._dtype:
            return False
        if other.shape.rank is None:
            return True
        if self._shape.rank != other.shape.rank:
            return False
        return all(o is None or s == o for s, o in
                   zip(self._shape.as_list(), other.shape.as_list()))

    def most_specific_common_supertype(self, others):
        shape = self._shape
        for o in others:
            if not isinstance(o, TensorSpec) or o.dtype != self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o.shape)
        return TensorSpec(shape, self._dtype)

    def __eq__(self, other):
        return (type(other) is type(self) and self._dtype == other._dtype
                and self._shape == other._shape and self._name == other._name
                and self._shape.rank == other._shape.rank
                and (self._shape.rank is None
                     or self._shape.as_list() == other._shape.as_list()))

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        dims = None if self._shape.rank is None else tuple(self._shape.as_list())
        return hash((dims, self._dtype, self._name))

    def __repr__(self):
        return f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, name={self._name!r})"

    def __reduce__(self):
        return TensorSpec, (self._shape, self._dtype, self._name)

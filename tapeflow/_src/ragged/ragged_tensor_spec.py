"""`tf.RaggedTensorSpec`: the shape, dtype, ragged_rank and row_splits dtype of a
RaggedTensor, without its values."""

from __future__ import annotations

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.ragged.ragged_tensor import RaggedTensor


class RaggedTensorSpec:
    """Describes a RaggedTensor: shape (None for ragged dims), dtype and ragged_rank.

    >>> tf.RaggedTensorSpec([None, None], tf.int32)
    RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)
    """

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype", "_flat_values_spec")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if self._row_splits_dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"row_splits_dtype must be int32 or int64; got "
                             f"{self._row_splits_dtype!r}")
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank. ")
            ragged_rank = rank - 1
        if not isinstance(ragged_rank, int):
            raise TypeError(f"ragged_rank must be an int; got {ragged_rank!r}")
        if rank is not None and not 0 <= ragged_rank < rank and ragged_rank != 0:
            raise ValueError(f"ragged_rank must be non-negative and less than rank; got "
                             f"{ragged_rank}")
        self._ragged_rank = ragged_rank
        self._flat_values_spec = flat_values_spec

    @classmethod
    def from_value(cls, value):
        """The spec of a RaggedTensor `value`."""
        if not isinstance(value, RaggedTensor):
            raise TypeError(f"Expected a RaggedTensor; got {type(value).__name__}")
        return cls(value.shape, value.dtype, value.ragged_rank, value._splits_dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    flat_values_spec = property(lambda self: self._flat_values_spec)

    @property
    def value_type(self):
        return RaggedTensor

    def is_compatible_with(self, spec_or_value):
        """Whether a RaggedTensor or RaggedTensorSpec fits this spec."""
        other = spec_or_value
        if isinstance(other, RaggedTensor):
            other = RaggedTensorSpec.from_value(other)
        if not isinstance(other, RaggedTensorSpec):
            return False
        return (self._dtype == other._dtype and self._ragged_rank == other._ragged_rank
                and self._row_splits_dtype == other._row_splits_dtype
                and self._shape.is_compatible_with(other._shape))

    def _key(self):
        return (self._shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def __eq__(self, other):
        return type(other) is RaggedTensorSpec and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")

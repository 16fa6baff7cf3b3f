"""A minimal `tf.SparseTensor` (indices, values, dense_shape), as VarLenFeature parsing returns.

Only construction, the three components, `to_dense` (tf.sparse.to_dense) and printing exist
here; sparse arithmetic is not implemented.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.framework.tensor_shape import TensorShape


class SparseTensor:
    """A tensor given by the coordinates and values of its non-default entries.

    >>> st = tf.SparseTensor(indices=[[0, 1]], values=[5], dense_shape=[2, 2])
    >>> st.dense_shape.numpy().tolist()
    [2, 2]
    """

    def __init__(self, indices, values, dense_shape):
        from tapeflow._src.framework.convert import convert_to_tensor
        self.indices = convert_to_tensor(np.asarray(indices, dtype=np.int64).reshape(-1, len(
            np.asarray(dense_shape).reshape(-1))) if not hasattr(indices, "_value") else indices)
        self.values = convert_to_tensor(values)
        self.dense_shape = convert_to_tensor(np.asarray(
            dense_shape._value if hasattr(dense_shape, "_value") else dense_shape, np.int64))

    @classmethod
    def _from_arrays(cls, indices, values, dense_shape):
        st = object.__new__(cls)
        st.indices, st.values, st.dense_shape = _wrap(indices), _wrap(values), _wrap(dense_shape)
        return st

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        return TensorShape(self.dense_shape._value.tolist())

    def to_dense(self, default_value=None):
        """The dense Tensor (missing entries are `default_value`, 0 or b'')."""
        values = self.values._value
        if default_value is None:
            default_value = b"" if values.dtype == object else 0
        out = np.full(self.dense_shape._value.tolist(), default_value, dtype=values.dtype)
        idx = self.indices._value
        if idx.size:
            out[tuple(idx.T)] = values
        return _wrap(out)

    def __repr__(self):
        return (f"SparseTensor(indices={self.indices}, values={self.values}, "
                f"dense_shape={self.dense_shape})")

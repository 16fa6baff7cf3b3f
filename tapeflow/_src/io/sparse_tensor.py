"""`tf.SparseTensor`: a tensor given by (indices, values, dense_shape).

The class holds three eager Tensors: `indices` (int64, [N, rank]), `values` ([N]) and
`dense_shape` (int64, [rank]). Indices are plain data; the values take part in autodiff, so
the sparse ops in `tapeflow._src.ops.sparse_ops` compute on them with tapeflow ops. Besides
construction and printing, a SparseTensor multiplies and divides by a dense tensor (the
result is sparse, as in TensorFlow); `+`, `-`, unary minus and `abs` are TypeErrors there too.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.framework.tensor_shape import TensorShape


def _data(t):
    """The array of `t`, for index bookkeeping. Under tf.function tracing the read is guarded,
    so a call with other indices (or other data steering the structure) traces again instead
    of replaying the indices seen at trace time."""
    tracer = context.tracer
    if tracer is not None:
        tracer.guard(t, "array", t._value)
    return t._value


def _convert(value, dtype, arg):
    """`value` as a Tensor of `dtype`; a Tensor of another dtype is TF's ValueError naming `arg`."""
    from tapeflow._src.framework.convert import convert_to_tensor
    try:
        return convert_to_tensor(value, dtype=dtype)
    except ValueError as e:
        raise ValueError(f"{arg}: {e}") from None


def _check_rank(t, rank):
    if t._value.ndim != rank:
        raise ValueError(f"Shape {TensorShape(t._value.shape)} must have rank {rank}")


def _check_dims(a, b):
    if a != b:
        raise ValueError(f"Dimensions {a} and {b} are not compatible")


class SparseTensor:
    """A tensor given by the coordinates and values of its non-default entries.

    Args:
      indices: int64 `[N, rank]` coordinates of the stored entries.
      values: `[N]` values, one per coordinate.
      dense_shape: int64 `[rank]` shape of the dense tensor represented.

    >>> st = tf.SparseTensor(indices=[[0, 1]], values=[5], dense_shape=[2, 2])
    >>> st.dense_shape.numpy().tolist()
    [2, 2]
    """

    def __init__(self, indices, values, dense_shape):
        from tapeflow._src.framework.convert import convert_to_tensor
        indices = _convert(indices, dtypes.int64, "indices")
        values = convert_to_tensor(values)
        dense_shape = _convert(dense_shape, dtypes.int64, "dense_shape")
        if indices._value.ndim == 1 and indices._value.size == 0:  # indices=[]: no entries
            indices = _wrap(np.zeros((0, dense_shape._value.size), np.int64))
        _check_rank(indices, 2)
        _check_rank(values, 1)
        _check_rank(dense_shape, 1)
        _check_dims(indices._value.shape[0], values._value.shape[0])
        _check_dims(indices._value.shape[1], dense_shape._value.shape[0])
        self.indices, self.values, self.dense_shape = indices, values, dense_shape

    @classmethod
    def _from_arrays(cls, indices, values, dense_shape):
        """A SparseTensor of three ndarrays, unchecked (for kernels that build valid ones)."""
        st = object.__new__(cls)
        st.indices, st.values, st.dense_shape = _wrap(indices), _wrap(values), _wrap(dense_shape)
        return st

    @classmethod
    def _from_parts(cls, indices, values, dense_shape):
        """A SparseTensor of index/shape ndarrays and a values Tensor (kept for autodiff)."""
        st = object.__new__(cls)
        st.indices = _wrap(np.asarray(indices, np.int64))
        st.values = values
        st.dense_shape = _wrap(np.asarray(dense_shape, np.int64))
        return st

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """Returns `sparse_tensor_value` itself when it is a SparseTensor.

        Raises:
          TypeError: for anything else (a dense Tensor included).
        """
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if all(hasattr(sparse_tensor_value, a) for a in ("indices", "values", "dense_shape")):
            v = sparse_tensor_value
            return cls(v.indices, v.values, v.dense_shape)
        raise TypeError(f"Argument sparse_tensor_value={sparse_tensor_value} is neither a "
                        "SparseTensor nor SparseTensorValue.")

    @property
    def dtype(self):
        """The dtype of the values."""
        return self.values.dtype

    @property
    def shape(self):
        """The dense shape as a `TensorShape`."""
        return TensorShape(_data(self.dense_shape).tolist())

    def get_shape(self):
        """The dense shape as a `TensorShape` (same as `.shape`)."""
        return self.shape

    def set_shape(self, shape):
        """Checks `shape` is compatible with the (always fully known) eager shape."""
        self.shape.merge_with(TensorShape(shape))

    def with_values(self, new_values):
        """A SparseTensor with the same indices and shape and `new_values` as values."""
        from tapeflow._src.framework.convert import convert_to_tensor
        new_values = convert_to_tensor(new_values)
        _check_rank(new_values, 1)
        _check_dims(self.values._value.shape[0], new_values._value.shape[0])
        return SparseTensor._from_parts(_data(self.indices), new_values, _data(self.dense_shape))

    def to_dense(self, default_value=None):
        """The dense Tensor (missing entries are `default_value`, 0 or b'')."""
        from tapeflow._src.ops.sparse_ops import to_dense
        return to_dense(self, default_value=default_value, validate_indices=False)

    def consumers(self):
        return []

    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError("SparseTensor.eval needs a TF1 Session, which tapeflow lacks.")

    # Sparse (*) dense and sparse (/) dense give a SparseTensor; there are no reflected forms
    # and no +, -, unary minus or abs, exactly as in TensorFlow.
    def __mul__(self, other):
        from tapeflow._src.ops.sparse_ops import _sparse_dense_cwise
        return _sparse_dense_cwise(self, other, "SparseDenseCwiseMul")

    def __truediv__(self, other):
        from tapeflow._src.ops.sparse_ops import _sparse_dense_cwise
        return _sparse_dense_cwise(self, other, "SparseDenseCwiseDiv")

    __div__ = __truediv__

    def __tf_tensor__(self, dtype=None, name=None):
        # A SparseTensor is not dense: TF's conversion error, naming the value and its type.
        raise ValueError(f"Attempt to convert a value ({self!r}) with an unsupported type "
                         f"({type(self)!r}) to a Tensor.")

    def __repr__(self):
        return (f"SparseTensor(indices={self.indices!s}, values={self.values!s}, "
                f"dense_shape={self.dense_shape!s})")

    __str__ = __repr__

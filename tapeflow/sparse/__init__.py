"""`tf.sparse`: SparseTensor and the ops on it."""

from tapeflow._src.io.sparse_tensor import SparseTensor
from tapeflow._src.ops.sparse_extra_ops import (
    bincount,
    cross,
    eye,
    sampled_addmm,
    segment_mean,
    segment_sqrt_n,
    segment_sum,
)
from tapeflow._src.ops.sparse_ops import (
    add,
    concat,
    expand_dims,
    fill_empty_rows,
    from_dense,
    map_values,
    maximum,
    minimum,
    reduce_max,
    reduce_sum,
    reorder,
    reset_shape,
    reshape_sparse as reshape,
    retain,
    slice_sparse as slice,  # noqa: A004 - TensorFlow's name
    softmax,
    sparse_dense_matmul,
    split,
    to_dense,
    to_indicator,
    transpose_sparse as transpose,
)
from tapeflow._src.util.missing import module_getattr as _module_getattr

__getattr__ = _module_getattr("tf.sparse", __name__)

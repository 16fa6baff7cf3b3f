"""`tf.sparse`: ops on SparseTensors (to_dense, add, reduce_sum, sparse_dense_matmul ...).

All of them are composites. The integer bookkeeping (sorting, merging and selecting indices)
is done in NumPy on the indices, which never carry gradients; the values are moved and
combined with tapeflow ops (gather, unsorted_segment_sum, scatter_nd, ...), so gradients
with respect to the values and any dense operand flow through GradientTape for free.
Index data is read through `_data`, which under tf.function tracing records a guard: a later
call with other indices (or other data that decides the structure, like from_dense's
non-zeros) traces again instead of replaying stale indices.

Error types and messages follow TensorFlow 2.21 where checked (without TF's
"{{function_node ...}}" prefix, as elsewhere in tapeflow).
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.autodiff.custom_gradient import stop_gradient
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.io.sparse_tensor import SparseTensor, _data
from tapeflow._src.ops import math_ops
from tapeflow._src.ops._helpers import _TENSORISH, dtype_mismatch
from tapeflow._src.ops.array_ops import broadcast_to, concat as _dense_concat, reshape
from tapeflow._src.ops.array_ops import transpose as _dense_transpose
from tapeflow._src.ops.gather_ops import gather, gather_nd, scatter_nd, tensor_scatter_nd_update
from tapeflow._src.ops.segment_ops import (
    unsorted_segment_max,
    unsorted_segment_sum,
)

__all__ = [
    "SparseTensor", "add", "concat", "expand_dims", "fill_empty_rows", "from_dense",
    "map_values", "maximum", "minimum", "reduce_max", "reduce_sum", "reorder",
    "reset_shape", "reshape_sparse", "retain", "slice_sparse", "softmax",
    "sparse_dense_matmul", "split", "to_dense", "to_indicator", "transpose_sparse",
]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

def _error(text, op_name):
    return InvalidArgumentError(None, None, f"{text} [Op:{op_name}] name: ")


def _sp(x):
    """`x` as a SparseTensor (TF's TypeError for a dense value)."""
    if isinstance(x, SparseTensor):
        return x
    raise TypeError("Input must be a SparseTensor.")


def _parts(st):
    """(indices ndarray [N, r], values Tensor, shape ndarray [r])."""
    return _data(st.indices), st.values, _data(st.dense_shape)


def _take(values, positions):
    """`values[positions]` as a differentiable gather; skips the identity permutation."""
    positions = np.asarray(positions, np.int64)
    n = values._value.shape[0]
    if positions.shape[0] == n and np.array_equal(positions, np.arange(n)):
        return values
    return gather(values, positions)


def _order(idx):
    """The permutation sorting index rows in row-major (lexicographic) order."""
    if idx.shape[1] == 0:
        return np.arange(idx.shape[0])
    return np.lexsort(idx.T[::-1])


def _group(keys):
    """(unique rows sorted, inverse ids) of the [N, k] non-negative integer array `keys`."""
    n = keys.shape[0]
    if keys.shape[1] == 0:
        return np.zeros((min(n, 1), 0), np.int64), np.zeros(n, np.int64)
    if n == 0:
        return np.zeros((0, keys.shape[1]), np.int64), np.zeros(0, np.int64)
    # Row-major linearisation keeps lexicographic order and makes np.unique much faster than
    # its axis=0 form; used whenever the flat ids fit in int64.
    radices = keys.max(axis=0).astype(np.int64) + 1
    if keys.min() >= 0 and float(np.prod(radices.astype(float))) < 2.0**62:
        flat = np.ravel_multi_index(tuple(keys.T.astype(np.int64)), tuple(radices))
        uniq, inv = np.unique(flat, return_inverse=True)
        rows = np.stack(np.unravel_index(uniq, tuple(radices)), axis=1)
        return rows.astype(np.int64), inv.reshape(-1).astype(np.int64)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    return uniq.astype(np.int64), inv.reshape(-1).astype(np.int64)


def _int_list(v):
    if isinstance(v, _TENSORISH):
        v = np.asarray(v)
    return [int(d) for d in np.asarray(v).reshape(-1)]


def _shape_str(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _zero(dtype):
    if dtype == dtypes.string:
        return b""
    return False if dtype == dtypes.bool_ else 0


def _is_diff(values):
    return values._value.dtype.kind in "fc"


# ---------------------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------------------

def _validate(idx, shape, op_name):
    """TF's checks of SparseToDense: in bounds, strictly increasing, no repeats.

    Vectorised; the first offending row is reported, as TF's kernel (which walks the rows in
    order) does.
    """
    n = idx.shape[0]
    if n == 0:
        return
    oob = np.any((idx < 0) | (idx >= shape), axis=1)
    repeated = np.zeros(n, bool)
    backwards = np.zeros(n, bool)
    if n > 1 and idx.shape[1]:
        diff = idx[1:] - idx[:-1]
        nonzero = diff != 0
        first = np.argmax(nonzero, axis=1)
        step = diff[np.arange(n - 1), first]
        repeated[1:] = ~nonzero.any(axis=1)
        backwards[1:] = step < 0
    elif n > 1:
        repeated[1:] = True
    bad = np.flatnonzero(oob | repeated | backwards)
    if bad.size == 0:
        return
    i = int(bad[0])
    row = _shape_str(idx[i])
    if oob[i]:
        raise _error(f"indices[{i}] = {row} is out of bounds: need 0 <= index < "
                     f"{_shape_str(shape)}", op_name)
    if repeated[i]:
        raise _error(f"indices[{i}] = {row} is repeated", op_name)
    raise _error(f"indices[{i}] = {row} is out of order. Many sparse ops require sorted "
                 "indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n",
                 op_name)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """Converts a SparseTensor to a dense Tensor.

    Args:
      sp_input: A `SparseTensor`.
      default_value: Scalar for the entries not given (0, or b'' for strings).
      validate_indices: Check the indices are in bounds, sorted and not repeated.
      name: Unused; kept for API compatibility.

    Returns:
      A dense `Tensor` of shape `sp_input.dense_shape`. Its gradient with respect to the
      values is the cotangent gathered at the indices.

    >>> st = tf.SparseTensor([[0, 1]], [5], [2, 2])
    >>> tf.sparse.to_dense(st).numpy().tolist()
    [[0, 5], [0, 0]]
    """
    sp_input = _sp(sp_input)
    idx, values, shape = _parts(sp_input)
    if validate_indices:
        _validate(idx, shape, "SparseToDense")
    elif idx.size and (np.any(idx < 0) or np.any(idx >= shape)):
        raise _error(f"Indices are not valid (out of bounds).  Shape: {_shape_str(shape)}",
                     "SparseToDense")
    if default_value is None:
        default_value = _zero(values.dtype)
    default = convert_to_tensor(default_value, dtype=values.dtype)
    if not _is_diff(values):
        out = np.full(shape.tolist(), _data(default), dtype=values._value.dtype)
        if idx.size:
            out[tuple(idx.T)] = _data(values)
        return _wrap(out)
    # TF gives no gradient to default_value (SparseToDense's gradient is None there).
    default = stop_gradient(default)
    base = broadcast_to(default, shape)
    if idx.shape[0] == 0:
        return base
    if shape.shape[0] == 0:  # a scalar SparseTensor (e.g. a full reduction's sparse output)
        return reshape(_take(values, [idx.shape[0] - 1]), [])
    return tensor_scatter_nd_update(base, idx, values)


def from_dense(tensor, name=None):
    """Converts a dense Tensor to a SparseTensor holding its non-zero (non-empty) entries.

    >>> st = tf.sparse.from_dense(tf.constant([[0, 7]]))
    >>> st.indices.numpy().tolist(), st.values.numpy().tolist()
    ([[0, 1]], [7])
    """
    tensor = convert_to_tensor(tensor)
    arr = _data(tensor)
    if arr.ndim == 0:
        raise _error("WhereOp : Unhandled input dimensions: 0", "Where")
    idx = np.argwhere(arr != np.asarray(_zero(tensor.dtype), arr.dtype)).astype(np.int64)
    values = gather_nd(tensor, idx) if _is_diff(tensor) else _wrap(arr[tuple(idx.T)])
    return SparseTensor._from_parts(idx, values, arr.shape)


# ---------------------------------------------------------------------------------------
# Reordering and reshaping
# ---------------------------------------------------------------------------------------

def reorder(sp_input, name=None):
    """Sorts the entries of a SparseTensor in row-major (canonical) order.

    >>> st = tf.sparse.reorder(tf.SparseTensor([[1, 0], [0, 1]], [1, 2], [2, 2]))
    >>> st.values.numpy().tolist()
    [2, 1]
    """
    idx, values, shape = _parts(_sp(sp_input))
    perm = _order(idx)
    return SparseTensor._from_parts(idx[perm], _take(values, perm), shape)


def reshape_sparse(sp_input, shape, name=None):
    """Reshapes a SparseTensor as `tf.reshape` reshapes its dense form (one -1 allowed).

    >>> tf.sparse.reshape(tf.SparseTensor([[1, 1]], [3], [2, 2]), [4]).indices.numpy().tolist()
    [[3]]
    """
    idx, values, old = _parts(_sp(sp_input))
    new = _int_list(shape)
    total = int(np.prod(old))
    unknown = [i for i, d in enumerate(new) if d == -1]
    if len(unknown) > 1:
        raise _error(f"only one output dimension may be -1, not both {unknown[0]} and "
                     f"{unknown[1]}", "SparseReshape")
    known = int(np.prod([d for d in new if d != -1]))
    if unknown:
        if known == 0 or total % known:
            # TF prints the requested shape with the -1 shown as 1.
            shown = [1 if d == -1 else d for d in new]
            raise _error(f"Input to reshape is a SparseTensor with {total} dense values, but "
                         f"the requested shape requires a multiple of {known}. input_shape="
                         f"{_shape_str(old)} output_shape={_shape_str(shown)}", "SparseReshape")
        new[unknown[0]] = total // known
    elif known != total:
        raise _error(f"Input to reshape is a tensor with {total} dense values, but the "
                     f"requested shape has {known}. input_shape={_shape_str(old)} "
                     f"output_shape={_shape_str(new)}", "SparseReshape")
    if idx.shape[0] and total:
        flat = np.ravel_multi_index(tuple(idx.T), tuple(old))
        new_idx = np.stack(np.unravel_index(flat, tuple(new)), axis=1)
    else:
        new_idx = np.zeros((idx.shape[0], len(new)), np.int64)
    return SparseTensor._from_parts(new_idx.reshape(-1, len(new)), values, new)


def expand_dims(sp_input, axis=None, name=None):
    """Inserts a dimension of size 1 at `axis` (negative counts from the end).

    >>> tf.sparse.expand_dims(tf.SparseTensor([[1]], [3], [2]), 0).shape
    TensorShape([1, 2])
    """
    idx, values, shape = _parts(_sp(sp_input))
    rank = shape.shape[0]
    axis = 0 if axis is None else int(np.asarray(axis))
    if axis > rank:  # TF fails in the Slice it builds the new shape with
        raise InvalidArgumentError(
            None, None, f"Expected size[1] in [0, {rank}], but got {axis} [Op:Slice]")
    if axis < -rank - 1:
        raise _error(f"Axis requested '{axis}' is out of range [{-rank - 1}, {rank}]",
                     "SparseExpandDims")
    axis %= rank + 1
    new_idx = np.insert(idx, axis, 0, axis=1)
    return SparseTensor._from_parts(new_idx, values, np.insert(shape, axis, 1))


def transpose_sparse(sp_input, perm=None, name=None):
    """Permutes the dimensions of a SparseTensor (reverses them by default); sorted output.

    >>> tf.sparse.transpose(tf.SparseTensor([[0, 2]], [1], [1, 3])).shape
    TensorShape([3, 1])
    """
    idx, values, shape = _parts(_sp(sp_input))
    rank = shape.shape[0]
    perm = list(range(rank))[::-1] if perm is None else _int_list(perm)
    if sorted(perm) != list(range(rank)):
        raise _error(f"{_shape_str(perm)} is not a valid permutation of rank {rank}",
                     "Transpose")
    new_idx = idx[:, perm]
    order = _order(new_idx)
    return SparseTensor._from_parts(new_idx[order], _take(values, order), shape[perm])


def reset_shape(sp_input, new_shape=None):
    """Sets the dense shape: to `new_shape` (no smaller than the current one), or else to the
    tightest shape holding the indices.

    >>> tf.sparse.reset_shape(tf.SparseTensor([[0, 1]], [1], [4, 4])).shape
    TensorShape([1, 2])
    """
    idx, values, shape = _parts(_sp(sp_input))
    if new_shape is None:
        tight = idx.max(axis=0) + 1 if idx.shape[0] else np.zeros_like(shape)
        return SparseTensor._from_parts(idx, values, tight)
    new = np.asarray(_int_list(new_shape), np.int64)
    if new.shape[0] != shape.shape[0]:
        raise ValueError(f"Shapes {tuple(new)} and {tuple(shape)} must have the same rank")
    if np.any(new < shape):
        # TF's message prints the two shapes in swapped roles; kept as TF prints it.
        raise ValueError("Requested new_shape should have dimension sizes >= "
                         f"sp_input.shape.  Found new_shape ({shape}), sp_input.shape ({new}).")
    return SparseTensor._from_parts(idx, values, new)


# ---------------------------------------------------------------------------------------
# Selection
# ---------------------------------------------------------------------------------------

def retain(sp_input, to_retain):
    """Keeps the entries whose flag in the boolean vector `to_retain` is True.

    >>> tf.sparse.retain(tf.SparseTensor([[0], [1]], [5, 6], [2]), [False, True]).values
    <tf.Tensor: shape=(1,), dtype=int32, numpy=array([6], dtype=int32)>
    """
    idx, values, shape = _parts(_sp(sp_input))
    keep = np.asarray(_data(to_retain) if isinstance(to_retain, Tensor) else to_retain, bool)
    if keep.ndim != 1:
        raise ValueError(f"Shape {tuple(keep.shape)} must have rank 1")
    if keep.shape[0] != idx.shape[0]:
        raise ValueError(f"Dimensions {idx.shape[0]} and {keep.shape[0]} are not compatible")
    pos = np.flatnonzero(keep)
    return SparseTensor._from_parts(idx[pos], _take(values, pos), shape)


def split(sp_input=None, num_split=None, axis=None, name=None):
    """Splits a SparseTensor into `num_split` pieces along `axis`; the first
    `size % num_split` pieces are one longer.

    >>> st = tf.SparseTensor([[0, 0], [1, 3]], [1, 2], [2, 4])
    >>> [p.dense_shape.numpy().tolist() for p in tf.sparse.split(st, 2, 1)]
    [[2, 2], [2, 2]]
    """
    sp = _sp(sp_input)
    shape = _data(sp.dense_shape)
    rank = shape.shape[0]
    axis = int(np.asarray(axis))
    if not -rank <= axis < rank:
        raise _error(f"Input split_dim should be between {-rank} and {rank}, got {axis}",
                     "SparseSplit")
    axis %= rank
    num_split = int(np.asarray(num_split))
    dim = int(shape[axis])
    if not 1 <= num_split <= dim:
        raise _error(f"Input num_split should be between 1 and the splitting dimension size "
                     f"({dim}), got {num_split}", "SparseSplit")
    sizes = [dim // num_split + (1 if i < dim % num_split else 0) for i in range(num_split)]
    pieces, start = [], 0
    for size in sizes:
        begin = np.zeros(rank, np.int64)
        extent = shape.copy()
        begin[axis], extent[axis] = start, size
        pieces.append(slice_sparse(sp, begin, extent))
        start += size
    return pieces


def slice_sparse(sp_input, start, size, name=None):
    """The entries inside the box `[start, start + size)`, re-based at `start`.

    >>> st = tf.SparseTensor([[0, 1], [1, 3]], [1, 2], [2, 4])
    >>> tf.sparse.slice(st, [0, 2], [2, 2]).indices.numpy().tolist()
    [[1, 1]]
    """
    idx, values, shape = _parts(_sp(sp_input))
    start = np.asarray(_int_list(start), np.int64)
    size = np.asarray(_int_list(size), np.int64)
    end = start + size
    inside = np.all((idx >= start) & (idx < end), axis=1)
    pos = np.flatnonzero(inside)
    new_shape = np.maximum(np.minimum(end, shape) - start, 0)
    return SparseTensor._from_parts(idx[pos] - start, _take(values, pos), new_shape)


def fill_empty_rows(sp_input, default_value, name=None):
    """Adds `default_value` at `[row, 0, ...]` for each row without entries.

    Returns:
      `(sparse_tensor, empty_row_indicator)`: the filled SparseTensor (sorted) and a bool
      vector flagging the rows that were empty.
    """
    idx, values, shape = _parts(_sp(sp_input))
    n_rows = int(shape[0])
    present = np.zeros(n_rows, bool)
    present[idx[:, 0]] = True
    empty = np.flatnonzero(~present)
    new_idx = np.zeros((empty.shape[0], shape.shape[0]), np.int64)
    new_idx[:, 0] = empty
    default = convert_to_tensor(default_value, dtype=values.dtype)
    all_idx = np.concatenate([idx, new_idx])
    all_values = _dense_concat([values, broadcast_to(reshape(default, [1]),
                                                     [empty.shape[0]])], 0)
    order = _order(all_idx)
    filled = SparseTensor._from_parts(all_idx[order], _take(all_values, order), shape)
    return filled, _wrap(~present)


def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor, `[..., vocab_size]`, true where the last index row's ids occur.

    >>> st = tf.SparseTensor([[0, 0], [0, 1]], [2, 0], [1, 2])
    >>> tf.sparse.to_indicator(st, 3).numpy().tolist()
    [[True, False, True]]
    """
    idx, values, shape = _parts(_sp(sp_input))
    if values.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Input values must be an integer tensor, got {values.dtype!r}")
    vocab_size = int(np.asarray(vocab_size))
    out_shape = np.append(shape[:-1], vocab_size)
    ids = _data(values).astype(np.int64)
    new_idx = np.concatenate([idx[:, :-1], ids[:, None]], axis=1)
    if new_idx.size and (np.any(new_idx < 0) or np.any(new_idx >= out_shape)):
        raise _error(f"Indices are not valid (out of bounds).  Shape: {_shape_str(out_shape)}",
                     "SparseToDense")
    out = np.zeros(out_shape.tolist(), bool)
    out[tuple(new_idx.T)] = True
    return _wrap(out)


# ---------------------------------------------------------------------------------------
# Combination
# ---------------------------------------------------------------------------------------

def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """Concatenates SparseTensors along `axis`; the result is sorted.

    >>> a = tf.SparseTensor([[0, 0]], [1], [1, 2])
    >>> tf.sparse.concat(1, [a, a]).indices.numpy().tolist()
    [[0, 0], [0, 2]]
    """
    sps = [_sp(s) for s in sp_inputs]
    shapes = [_data(s.dense_shape) for s in sps]
    rank = shapes[0].shape[0]
    axis = int(np.asarray(axis))
    if not -rank <= axis < rank:
        raise _error(f"Concat dimension out of range: {axis}", "SparseConcat")
    axis %= rank
    if expand_nonconcat_dims:
        out_shape = np.max(np.stack(shapes), axis=0)
    else:
        out_shape = shapes[0].copy()
        for pos, s in enumerate(shapes[1:], 1):
            for d in range(rank):
                if d != axis and s[d] != shapes[0][d]:
                    raise _error(f"Input shapes must match: expected {shapes[0][d]} for "
                                 f"dimension {d} but got {s[d]} at position {pos}",
                                 "SparseConcat")
    offsets = np.cumsum([0] + [int(s[axis]) for s in shapes])
    out_shape[axis] = offsets[-1]
    dtype = sps[0].dtype
    for pos, s in enumerate(sps[1:], 1):
        if s.dtype != dtype:
            raise dtype_mismatch("SparseConcat", dtype, s.dtype, len(sps) + pos)
    all_idx = []
    for s, off in zip(sps, offsets):
        i = _data(s.indices).copy()
        i[:, axis] += off
        all_idx.append(i)
    all_idx = np.concatenate(all_idx)
    values = _dense_concat([s.values for s in sps], 0)
    order = _order(all_idx)
    return SparseTensor._from_parts(all_idx[order], _take(values, order), out_shape)


def _check_same_shape(a_shape, b_shape, op_name):
    if a_shape.shape[0] != b_shape.shape[0]:
        raise _error(f"Operands do not have the same ranks; got shapes: "
                     f"{_shape_str(a_shape)} and {_shape_str(b_shape)}", op_name)
    for d in range(a_shape.shape[0]):
        if a_shape[d] != b_shape[d]:
            raise _error(f"Operands' shapes do not match: got {a_shape[d]} and {b_shape[d]} "
                         f"for dimension {d}", op_name)


def _union(a, b, op_name):
    """Merged sorted indices of a and b, and for each input the positions of its entries."""
    ai, av, ashape = _parts(a)
    bi, bv, bshape = _parts(b)
    if av.dtype != bv.dtype:
        raise dtype_mismatch(op_name, av.dtype, bv.dtype, 4)
    _check_same_shape(ashape, bshape, op_name)
    uniq, inv = _group(np.concatenate([ai, bi]))
    return uniq, inv[:ai.shape[0]], inv[ai.shape[0]:], ashape


def add(a, b, threshold=0):
    """Adds a SparseTensor to a SparseTensor (sparse result) or to a dense Tensor (dense).

    Args:
      a: A `SparseTensor` or dense `Tensor`.
      b: A `SparseTensor` or dense `Tensor`; at least one of `a`, `b` must be sparse.
      threshold: Sums present in both operands whose magnitude is below this are dropped
        (sparse + sparse only).

    >>> a = tf.SparseTensor([[0, 0]], [1.0], [1, 2])
    >>> tf.sparse.add(a, tf.ones([1, 2])).numpy().tolist()
    [[2.0, 1.0]]
    """
    a_sp, b_sp = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    if not (a_sp or b_sp):
        raise TypeError("At least one input should be SparseTensor; do you mean to use "
                        "tf.add()?")
    if a_sp and b_sp:
        uniq, ia, ib, shape = _union(a, b, "SparseAdd")
        n = uniq.shape[0]
        summed = unsorted_segment_sum(_dense_concat([a.values, b.values], 0),
                                      np.concatenate([ia, ib]), n)
        # TF drops only the entries present in both operands whose sum is below threshold.
        thresh = float(np.asarray(_data(threshold) if isinstance(threshold, Tensor)
                                  else threshold).real)
        if thresh > 0:
            counts = np.bincount(np.concatenate([ia, ib]), minlength=n)
            keep = (counts < 2) | (np.abs(_data(summed)) >= thresh)
            if not keep.all():
                pos = np.flatnonzero(keep)
                return SparseTensor._from_parts(uniq[pos], _take(summed, pos), shape)
        return SparseTensor._from_parts(uniq, summed, shape)
    sp, dense = (a, b) if a_sp else (b, a)
    dense = convert_to_tensor(dense)
    if dense.dtype != sp.dtype:
        raise dtype_mismatch("SparseTensorDenseAdd", sp.dtype, dense.dtype, 3)
    idx, values, shape = _parts(sp)
    dshape = dense._value.shape
    if len(dshape) != shape.shape[0]:
        raise _error(f"Two operands have different ranks; received: {shape.shape[0]} and "
                     f"{len(dshape)}", "SparseTensorDenseAdd")
    for d in range(len(dshape)):
        if dshape[d] != shape[d]:
            raise _error(f"Dimension {d} does not equal (no broadcasting is supported): sparse "
                         f"side {shape[d]} vs dense side {dshape[d]}", "SparseTensorDenseAdd")
    if idx.shape[0] == 0:
        return dense
    return math_ops.add(dense, scatter_nd(idx, values, shape))


def _elementwise_extreme(a, b, fn, op_name):
    uniq, ia, ib, shape = _union(_sp(a), _sp(b), op_name)
    n = uniq.shape[0]
    # Entries missing from one operand count as zeros there.
    full_a = unsorted_segment_sum(a.values, ia, n)
    full_b = unsorted_segment_sum(b.values, ib, n)
    return SparseTensor._from_parts(uniq, fn(full_a, full_b), shape)


def maximum(sp_a, sp_b, name=None):
    """Element-wise maximum of two SparseTensors of one shape (missing entries are 0).

    >>> a = tf.SparseTensor([[0]], [-1.0], [2])
    >>> b = tf.SparseTensor([[1]], [2.0], [2])
    >>> tf.sparse.maximum(a, b).values.numpy().tolist()
    [0.0, 2.0]
    """
    return _elementwise_extreme(sp_a, sp_b, math_ops.maximum, "SparseSparseMaximum")


def minimum(sp_a, sp_b, name=None):
    """Element-wise minimum of two SparseTensors of one shape (missing entries are 0)."""
    return _elementwise_extreme(sp_a, sp_b, math_ops.minimum, "SparseSparseMinimum")


def _sparse_dense_cwise(sp, dense, op_name):
    """`sp * dense` or `sp / dense` with `dense` broadcast to the sparse shape: sparse result."""
    try:
        dense = convert_to_tensor(dense, dtype=sp.dtype)
    except ValueError as e:
        raise ValueError(f"y: {e}") from None
    idx, values, shape = _parts(sp)
    dshape = dense._value.shape
    rank = shape.shape[0]
    ok = len(dshape) <= rank and all(
        d == 1 or d == s for d, s in zip(dshape[::-1], shape[::-1].tolist()))
    if not ok:
        raise _error(f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got "
                     f"incompatible shapes: {_shape_str(shape)} vs. {_shape_str(dshape)}",
                     op_name)
    if len(dshape) == 0:
        picked = dense
    else:
        picked = gather_nd(broadcast_to(dense, shape), idx)
    if op_name == "SparseDenseCwiseMul":
        new_values = math_ops.multiply(values, picked)
    else:
        # TF rejects a zero divisor at a stored entry, for floats too (no inf/nan).
        if np.any(_data(picked) == 0):
            raise _error("SparseDenseCwiseDiv cannot divide by zero,but input dense tensor "
                         "contains zero ", op_name)
        new_values = math_ops.truediv(values, picked)  # ints give floats, as `/` does
    return SparseTensor._from_parts(idx, new_values, shape)


def map_values(op, *args, **kwargs):
    """Applies `op` to the values of the SparseTensor arguments (which share their indices).

    >>> st = tf.SparseTensor([[0]], [3.0], [2])
    >>> tf.sparse.map_values(tf.square, st).values.numpy().tolist()
    [9.0]
    """
    sparse = [x for x in list(args) + list(kwargs.values()) if isinstance(x, SparseTensor)]
    if not sparse:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = sparse[0]
    for other in sparse[1:]:
        if not (np.array_equal(_data(other.indices), _data(first.indices))
                and np.array_equal(_data(other.dense_shape), _data(first.dense_shape))):
            raise _error("Expected all SparseTensors to have the same indices and dense "
                         "shape", "AssertEqual")

    def unwrap(x):
        return x.values if isinstance(x, SparseTensor) else x
    out = op(*[unwrap(a) for a in args], **{k: unwrap(v) for k, v in kwargs.items()})
    return first.with_values(out)


# ---------------------------------------------------------------------------------------
# Reductions and softmax
# ---------------------------------------------------------------------------------------

def _reduce(sp_input, axis, keepdims, output_is_sparse, segment_fn, op_name):
    idx, values, shape = _parts(_sp(sp_input))
    rank = shape.shape[0]
    if axis is None:
        axes = list(range(rank))
    else:
        axes = []
        for a in _int_list(axis):
            if not -rank <= a < rank:
                raise _error(f"Invalid reduction dimension {a}, for input with {rank} "
                             "dimensions.", op_name)
            axes.append(a % rank)
    kept = [d for d in range(rank) if d not in axes]
    groups, ids = _group(idx[:, kept])
    reduced = segment_fn(values, ids, groups.shape[0])
    if keepdims:
        out_shape = np.where(np.isin(np.arange(rank), axes), 1, shape)
        out_idx = np.zeros((groups.shape[0], rank), np.int64)
        out_idx[:, kept] = groups
    else:
        out_shape, out_idx = shape[kept], groups
    if output_is_sparse:
        return SparseTensor._from_parts(out_idx, reduced, out_shape)
    # Groups with no stored entry are 0 in the dense result (for reduce_max as well).
    if groups.shape[0] == 0:
        return _wrap(np.zeros(out_shape.tolist(), values._value.dtype))
    if out_idx.shape[1] == 0:
        return reshape(reduced, [])
    return scatter_nd(out_idx, reduced, out_shape)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sums a SparseTensor over `axis` (all axes by default).

    Args:
      sp_input: A `SparseTensor`.
      axis: An int or list of ints; negative values count from the end.
      keepdims: Keep the reduced axes with size 1.
      output_is_sparse: Return a SparseTensor holding only the non-empty sums.
      name: Unused; kept for API compatibility.

    >>> st = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
    >>> tf.sparse.reduce_sum(st, axis=1).numpy().tolist()
    [3.0, 3.0]
    """
    return _reduce(sp_input, axis, keepdims, output_is_sparse, unsorted_segment_sum,
                   "SparseReduceSum")


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Maximum of the stored values of a SparseTensor over `axis` (implicit zeros ignored).

    Groups with no stored value give 0 in the dense result.

    >>> st = tf.SparseTensor([[0, 0], [0, 2]], [-1.0, -2.0], [2, 3])
    >>> tf.sparse.reduce_max(st, axis=1).numpy().tolist()
    [-1.0, 0.0]
    """
    return _reduce(sp_input, axis, keepdims, output_is_sparse, unsorted_segment_max,
                   "SparseReduceMax")


def softmax(sp_input, name=None):
    """Softmax over the stored values of each innermost row (implicit entries excluded).

    >>> st = tf.SparseTensor([[0, 0], [0, 2]], [0.0, 0.0], [1, 3])
    >>> tf.sparse.softmax(st).values.numpy().tolist()
    [0.5, 0.5]
    """
    idx, values, shape = _parts(_sp(sp_input))
    if shape.shape[0] < 2:
        raise _error("Input should have rank >= 2, but received shape: "
                     + ",".join(str(d) for d in shape.tolist()), "SparseSoftmax")
    groups, ids = _group(idx[:, :-1])
    n = groups.shape[0]
    peak = stop_gradient(unsorted_segment_max(values, ids, n))
    e = math_ops.exp(math_ops.subtract(values, gather(peak, ids)))
    total = unsorted_segment_sum(e, ids, n)
    return SparseTensor._from_parts(idx, math_ops.truediv(e, gather(total, ids)), shape)


# ---------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------

def _spmm(rows, cols, vals, n_out, dense):
    """out[r] = sum over entries (r, c, v) of v * dense[c]; out has n_out rows."""
    picked = gather(dense, cols)
    return unsorted_segment_sum(math_ops.multiply(reshape(vals, [-1, 1]), picked), rows, n_out)


def _adjoint(x):
    x = _dense_transpose(x)
    return math_ops.conj(x) if x._value.dtype.kind == "c" else x


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """Multiplies a rank-2 SparseTensor by a dense matrix (or a dense matrix by a sparse one).

    Args:
      sp_a: A rank-2 `SparseTensor` (or a dense matrix when `b` is sparse).
      b: A dense matrix of the same dtype (or a SparseTensor).
      adjoint_a: Use the conjugate transpose of the first operand.
      adjoint_b: Use the conjugate transpose of the second operand.
      name: Unused; kept for API compatibility.

    Returns:
      A dense `Tensor`. Gradients flow to the sparse values and the dense operand.

    >>> st = tf.SparseTensor([[0, 1]], [2.0], [1, 2])
    >>> tf.sparse.sparse_dense_matmul(st, tf.ones([2, 3])).numpy().tolist()
    [[2.0, 2.0, 2.0]]
    """
    op_name = "SparseTensorDenseMatMul"
    if isinstance(b, SparseTensor) and not isinstance(sp_a, SparseTensor):
        # A' @ S' = (S'^T @ A'^T)^T, with S' = adj(S) when adjoint_b.
        dense = convert_to_tensor(sp_a)
        sp = b
        if dense.dtype != sp.dtype:
            raise dtype_mismatch(op_name, sp.dtype, dense.dtype, 3)
        if dense._value.ndim != 2:
            raise _error("Tensor 'b' is not a matrix", op_name)
        a_t = math_ops.conj(dense) if adjoint_a and dense._value.dtype.kind == "c" else dense
        a_t = a_t if adjoint_a else _dense_transpose(dense)
        out_t = sparse_dense_matmul(sp, a_t, adjoint_a=not adjoint_b)
        return _dense_transpose(out_t)
    sp = _sp(sp_a)
    b = convert_to_tensor(b)
    idx, values, shape = _parts(sp)
    if b.dtype != sp.dtype:
        raise dtype_mismatch(op_name, sp.dtype, b.dtype, 3)
    if b._value.ndim != 2:
        raise _error("Tensor 'b' is not a matrix", op_name)
    if shape.shape[0] != 2:
        raise _error("Tensor 'a_shape' is not a vector of length 2", op_name)
    rows, cols = idx[:, 0], idx[:, 1]
    m, k = int(shape[0]), int(shape[1])
    if adjoint_a:
        rows, cols, m, k = cols, rows, k, m
        if values._value.dtype.kind == "c":
            values = math_ops.conj(values)
    b_rows = b._value.shape[1] if adjoint_b else b._value.shape[0]
    if k != b_rows:
        # TF's message has the mismatched bracket "[3, 4)".
        raise _error(f"Cannot multiply A and B because inner dimension does not match: {k} vs."
                     f" {b_rows}.  Did you forget a transpose?  Dimensions of A: [{shape[0]}, "
                     f"{shape[1]}).  Dimensions of B: {_shape_str(b._value.shape)}", op_name)
    if adjoint_b:
        b = _adjoint(b)
    return _spmm(rows, cols, values, m, b)

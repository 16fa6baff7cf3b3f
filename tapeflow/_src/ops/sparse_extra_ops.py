"""More of `tf.sparse`: eye, the sparse segment ops, bincount, sampled_addmm, cross, and
the row (un)stacking tf.data uses for SparseTensor components. Built on sparse_ops.py."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.io.sparse_tensor import SparseTensor, _data
from tapeflow._src.ops import math_ops
from tapeflow._src.ops.array_ops import concat as _dense_concat
from tapeflow._src.ops.gather_ops import gather, gather_nd
from tapeflow._src.ops.segment_ops import segment_sum as _segment_sum, unsorted_segment_sum
from tapeflow._src.ops.sparse_ops import (
    _error, _group, _order, _parts, _shape_str, _sp, _take,
)


# ---------------------------------------------------------------------------------------
# Construction, segments, counting
# ---------------------------------------------------------------------------------------

def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A sparse identity-like matrix with ones on the main diagonal.

    >>> tf.sparse.eye(2).indices.numpy().tolist()
    [[0, 0], [1, 1]]
    """
    n = int(np.asarray(num_rows))
    m = n if num_columns is None else int(np.asarray(num_columns))
    d = np.arange(min(n, m), dtype=np.int64)
    dtype = dtypes.as_dtype(dtype)
    return SparseTensor._from_parts(np.stack([d, d], axis=1),
                                    _wrap(np.ones(d.shape[0], dtype._np)), [n, m])


def _segment_args(data, indices, segment_ids):
    data = convert_to_tensor(data)
    idx = convert_to_tensor(indices)
    ids = convert_to_tensor(segment_ids)
    return data, gather(data, idx), ids


def segment_sum(data, indices, segment_ids, num_segments=None, name=None,
                sparse_gradient=False):
    """Sums the rows `data[indices]` into the segments `segment_ids`.

    >>> tf.sparse.segment_sum(tf.constant([[1.0], [2.0], [4.0]]), [0, 2], [0, 0]).numpy()
    array([[5.]], dtype=float32)
    """
    _, rows, ids = _segment_args(data, indices, segment_ids)
    if num_segments is None:
        return _segment_sum(rows, ids)
    return unsorted_segment_sum(rows, ids, num_segments)


def _segment_scaled(data, indices, segment_ids, num_segments, scale):
    _, rows, ids = _segment_args(data, indices, segment_ids)
    id_arr = _data(ids)
    n = (int(id_arr.max()) + 1 if id_arr.size else 0) if num_segments is None \
        else int(np.asarray(num_segments))
    total = unsorted_segment_sum(rows, ids, n)
    counts = np.bincount(id_arr.astype(np.int64), minlength=n)[:n].astype(
        rows._value.dtype)
    denom = scale(np.maximum(counts, 1)).reshape((-1,) + (1,) * (rows._value.ndim - 1))
    return math_ops.truediv(total, _wrap(denom.astype(rows._value.dtype)))


def segment_mean(data, indices, segment_ids, num_segments=None, name=None,
                 sparse_gradient=False):
    """Means of the rows `data[indices]` per segment (empty segments give 0)."""
    return _segment_scaled(data, indices, segment_ids, num_segments, lambda c: c)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None,
                   sparse_gradient=False):
    """Sums of the rows `data[indices]` per segment divided by sqrt(segment size)."""
    return _segment_scaled(data, indices, segment_ids, num_segments, np.sqrt)


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
             binary_output=False, name=None):
    """Counts the occurrences of each non-negative integer in `values`, as a SparseTensor.

    Args:
      values: A dense or sparse int32/int64 tensor (rank 1 or 2 for `axis=-1`).
      weights: Optional weights of the same structure; the counts become weight sums.
      axis: 0 counts over everything; -1 counts each row (the last axis) separately.
      minlength: The least output size.
      maxlength: Ids at or above this are ignored.
      binary_output: Give 1 for every id present instead of its count.
      name: Unused; kept for API compatibility.

    >>> tf.sparse.bincount(tf.constant([1, 2, 2])).values.numpy().tolist()
    [1, 2]
    """
    if isinstance(values, SparseTensor):
        if weights is not None and not isinstance(weights, SparseTensor):
            w = convert_to_tensor(weights)
            raise ValueError("Argument `weights` must be a SparseTensor if `values` is a "
                             f"SparseTensor. Received weights={w._value} of type: EagerTensor")
        ids_t = values.values
        rows = _data(values.indices)[:, 0] if values.dense_shape._value.shape[0] > 1 else None
        n_rows = int(_data(values.dense_shape)[0])
        w_t = None if weights is None else weights.values
    else:
        ids_t = convert_to_tensor(values)
        arr = _data(ids_t)
        rows = np.repeat(np.arange(arr.shape[0]), arr.shape[1]) if arr.ndim == 2 else None
        n_rows = arr.shape[0] if arr.ndim else 0
        ids_t = _wrap(arr.reshape(-1))
        w_t = None if weights is None else _wrap(_data(convert_to_tensor(weights)).reshape(-1))
    if ids_t.dtype not in (dtypes.int32, dtypes.int64):
        raise InvalidArgumentError(
            None, None, f"Value for attr 'T' of {dtypes.tf_name(ids_t.dtype)} is not in the "
            "list of allowed values: int32, int64\n\t; NodeDef: {{node "
            "DenseCountSparseOutput}} [Op:DenseCountSparseOutput] name: ")
    ids = _data(ids_t).astype(np.int64)
    if ids.size and ids.min() < 0:
        raise _error("Input values must all be non-negative", "DenseCountSparseOutput")
    out_dtype = ids_t._value.dtype if w_t is None else w_t._value.dtype
    wts = np.ones(ids.shape[0], out_dtype) if w_t is None else _data(w_t)
    keep = np.ones(ids.shape[0], bool) if maxlength is None else ids < int(maxlength)
    ids, wts = ids[keep], wts[keep]
    size = max(int(ids.max()) + 1 if ids.size else 0, int(minlength or 0))
    if maxlength is not None:
        size = min(size, int(maxlength))
    per_row = axis in (-1, 1) and rows is not None
    keys = np.stack([rows[keep], ids], axis=1) if per_row else ids[:, None]
    groups, inv = _group(keys)
    counts = np.zeros(groups.shape[0], out_dtype)
    np.add.at(counts, inv, wts)
    if binary_output:
        counts = np.ones_like(counts)
    shape = [n_rows, size] if per_row else [size]
    return SparseTensor._from_parts(groups, _wrap(counts), shape)


# ---------------------------------------------------------------------------------------
# For tf.data: slicing a SparseTensor into its rows and batching rows back
# ---------------------------------------------------------------------------------------

def unstack_rows(sp_input):
    """The SparseTensors `sp_input[i]` for each i along dimension 0 (what
    Dataset.from_tensor_slices yields for a SparseTensor component)."""
    idx, values, shape = _parts(_sp(sp_input))
    if shape.shape[0] == 0:
        raise ValueError("Unbatching a tensor is only supported for rank >= 1")
    order = _order(idx)
    idx, values = idx[order], _take(values, order)
    bounds = np.searchsorted(idx[:, 0], np.arange(int(shape[0]) + 1))
    return [SparseTensor._from_parts(idx[lo:hi, 1:], _take(values, np.arange(lo, hi)),
                                     shape[1:])
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def stack_rows(sp_inputs):
    """One SparseTensor of the SparseTensors `sp_inputs` (same rank) stacked on a new
    dimension 0; the other dimensions are the largest among the inputs, as Dataset.batch
    makes them."""
    sps = [_sp(s) for s in sp_inputs]
    shapes = np.stack([_data(s.dense_shape) for s in sps])
    inner = shapes.max(axis=0) if len(sps) else np.zeros(0, np.int64)
    idx = [np.concatenate([np.full((s.indices._value.shape[0], 1), i, np.int64),
                           _data(s.indices)], axis=1) for i, s in enumerate(sps)]
    values = _dense_concat([s.values for s in sps], 0)
    return SparseTensor._from_parts(np.concatenate(idx), values,
                                    np.concatenate([[len(sps)], inner]))


def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=dtypes.float32):
    """`alpha * (mat1 @ mat2)` sampled at `indices`, plus `beta * values` (batched too).

    Returns:
      `(indices, values, dense_shape)` with int32 indices and shape, as TensorFlow does.

    >>> m = tf.reshape(tf.range(4.0), [2, 2])
    >>> tf.sparse.sampled_addmm([[0, 1]], [1.0], [2, 2], m, m)[1].numpy().tolist()
    [4.0]
    """
    from tapeflow._src.ops.linalg_ops import matmul
    indices = convert_to_tensor(indices, dtype=dtypes.int32)
    dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int32)
    values = convert_to_tensor(values, dtype=output_type)
    mat1 = convert_to_tensor(mat1, dtype=output_type)
    mat2 = convert_to_tensor(mat2, dtype=output_type)
    product = matmul(mat1, mat2)
    picked = gather_nd(product, indices, batch_dims=indices._value.ndim - 2)
    alpha = convert_to_tensor(alpha, dtype=output_type)
    beta = convert_to_tensor(beta, dtype=output_type)
    out = math_ops.add(math_ops.multiply(alpha, picked), math_ops.multiply(beta, values))
    return indices, out, dense_shape


def cross(inputs, name=None, separator=None):
    """Crosses the features of each row: every combination of one value per input, joined
    by `separator` ('_X_' by default), as a string SparseTensor `[batch, combinations]`.

    Sparse inputs come before dense ones in each combination, as in TensorFlow; the first
    input varies slowest.

    >>> st = tf.SparseTensor([[0, 0], [0, 1]], [b"a", b"b"], [1, 2])
    >>> tf.sparse.cross([st, tf.constant([[b"x"]])]).values.numpy().tolist()
    [b'a_X_x', b'b_X_x']
    """
    import itertools
    sep = (b"_X_" if separator is None else
           separator.encode() if isinstance(separator, str) else bytes(separator))
    sparse = [x for x in inputs if isinstance(x, SparseTensor)]
    dense = [convert_to_tensor(x) for x in inputs if not isinstance(x, SparseTensor)]

    def text(v):
        return v if isinstance(v, bytes) else str(int(v)).encode()

    per_input = []  # for each input, the list of its values in each row
    batch = None
    for sp in sparse:
        idx, vals = _data(sp.indices), _data(sp.values)
        n = int(_data(sp.dense_shape)[0])
        rows = [[] for _ in range(n)]
        for r, v in zip(idx[:, 0], vals):
            rows[int(r)].append(text(v))
        per_input.append(rows)
        batch = n if batch is None else batch
    for d in dense:
        arr = _data(d)
        if arr.ndim != 2:
            raise _error(f"Dense inputs should be a matrix but received shape "
                         f"{_shape_str(arr.shape)}", "SparseCrossV2")
        per_input.append([[text(v) for v in row] for row in arr])
        batch = arr.shape[0] if batch is None else batch
    batch = batch or 0
    out_idx, out_vals, width = [], [], 0
    for r in range(batch):
        combos = [sep.join(c) for c in itertools.product(*[rows[r] for rows in per_input])]
        out_idx.extend((r, j) for j in range(len(combos)))
        out_vals.extend(combos)
        width = max(width, len(combos))
    values = np.array(out_vals, dtype=object) if out_vals else np.zeros(0, object)
    return SparseTensor._from_parts(np.array(out_idx, np.int64).reshape(-1, 2), _wrap(values),
                                    [batch, width])

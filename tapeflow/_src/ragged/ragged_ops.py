"""`tf.ragged` functions: constant, map_flat_values, range, boolean_mask, stack, and the
ragged-axis reductions and concatenation that TensorFlow reaches through `tf.reduce_*` and
`tf.concat` dispatch (exposed here as plain functions until the ops gain a dispatch hook).
"""

from __future__ import annotations

import builtins

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.ragged.ragged_tensor import RaggedTensor, _rowids, _same_partition

_builtin_range = builtins.range  # `range` below is tf.ragged.range


# -- tf.ragged.constant -------------------------------------------------------------------
def _scalar_depths(value, depth, out):
    if isinstance(value, (list, tuple)):
        for v in value:
            _scalar_depths(v, depth + 1, out)
    else:
        out.add(depth)


def _list_depth(value):
    if isinstance(value, (list, tuple)):
        return 1 + max((_list_depth(v) for v in value), default=0)
    return 0


def _is_text(v):
    return isinstance(v, (str, bytes))


def _leaves(value, out):
    if isinstance(value, (list, tuple)):
        for v in value:
            _leaves(v, out)
    else:
        out.append(value)


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """A RaggedTensor from a nested Python list whose rows may differ in length.

    Args:
      pylist: nested lists/tuples of scalars, all at the same depth.
      dtype: the dtype of the values (inferred from the scalars by default).
      ragged_rank: how many dimensions are ragged (default: depth - 1 - len(inner_shape)).
      inner_shape: the shape of each innermost value block (default: from ragged_rank).
      name: unused; kept for API compatibility.
      row_splits_dtype: `tf.int64` (default) or `tf.int32`.

    Returns:
      A `RaggedTensor` (a plain `Tensor` when ragged_rank is 0).

    >>> print(tf.ragged.constant([[1, 2], [3]]))
    <tf.RaggedTensor [[1, 2], [3]]>
    """
    if isinstance(pylist, (RaggedTensor, Tensor)):
        raise TypeError("pylist may not be a Tensor or RaggedTensor")
    if isinstance(pylist, np.ndarray):
        pylist = pylist.tolist()
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    sdt = dtypes.as_dtype(row_splits_dtype)._np
    depths = set()
    _scalar_depths(pylist, 0, depths)
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    leaves = []
    _leaves(pylist, leaves)
    if leaves and any(_is_text(v) for v in leaves) and not all(_is_text(v) for v in leaves):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    inner_shape = None if inner_shape is None else tuple(int(d) for d in inner_shape)
    if depths:
        scalar_depth = depths.pop()
    else:  # no scalars at all: every list is a (possibly nested) empty list
        scalar_depth = _list_depth(pylist) + (len(inner_shape) if inner_shape else 0)
    if ragged_rank is None:
        ragged_rank = max(0, scalar_depth - 1 - (len(inner_shape) if inner_shape else 0))
    elif ragged_rank < 0:
        raise ValueError(f"Invalid ragged_rank={ragged_rank}: must be nonnegative")
    if inner_shape is not None and ragged_rank + len(inner_shape) + 1 != scalar_depth \
            and depths:
        raise ValueError("pylist has scalar values depth %d, but ragged_rank=%d and "
                         "len(inner_shape)=%d" % (scalar_depth, ragged_rank, len(inner_shape)))
    if ragged_rank >= scalar_depth and scalar_depth > 0 and leaves:
        raise ValueError(f"pylist has scalar values depth {scalar_depth}, but "
                         f"ragged_rank={ragged_rank} requires scalar value depth greater "
                         f"than {ragged_rank}")
    if ragged_rank == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    if not isinstance(pylist, (list, tuple)):
        raise ValueError("pylist must be a list when ragged_rank > 0")
    nested_lengths = []
    items = list(pylist)
    for _ in _builtin_range(ragged_rank):
        lengths = []
        nxt = []
        for it in items:
            if not isinstance(it, (list, tuple)):
                raise ValueError("all scalar values must have the same nesting depth")
            lengths.append(len(it))
            nxt.extend(it)
        nested_lengths.append(np.asarray(lengths, sdt))
        items = nxt
    if items:
        try:
            flat = convert_to_tensor(items, dtype=dtype)
        except ValueError as e:
            if "non-rectangular" in str(e):
                raise ValueError("inner values have inconsistent shape") from None
            raise
        if inner_shape is not None and flat._value.shape[1:] != inner_shape:
            raise ValueError(f"Expected inner_shape {inner_shape}, got "
                             f"{flat._value.shape[1:]}")
    else:
        shape = (0,) + (inner_shape if inner_shape is not None else
                        (0,) * max(0, scalar_depth - ragged_rank - 1))
        dt = dtype if dtype is not None else dtypes.float32
        flat = _wrap(np.zeros(shape, dt._np))
    result = flat
    for lengths in reversed(nested_lengths):
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(sdt)
        result = RaggedTensor._from_splits(result, splits)
    return result


# -- map_flat_values ----------------------------------------------------------------------
def map_flat_values(op, *args, **kwargs):
    """Applies `op` to the flat values of the RaggedTensor arguments, keeping their rows.

    All RaggedTensor arguments (top level, or inside lists/tuples/dicts one level down)
    must share their row partitions; `op` must keep the number of flat values.

    >>> rt = tf.ragged.constant([[1, 2], [3]])
    >>> print(tf.ragged.map_flat_values(tf.multiply, rt, 10))
    <tf.RaggedTensor [[10, 20], [30]]>
    """
    found = []

    def strip(v):
        if isinstance(v, RaggedTensor):
            found.append(v)
            return v.flat_values
        if isinstance(v, list):
            return [strip(x) for x in v]
        if isinstance(v, tuple):
            return tuple(strip(x) for x in v)
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items()}
        return v

    args = [strip(a) for a in args]
    kwargs = {k: strip(v) for k, v in kwargs.items()}
    if not found:
        return op(*args, **kwargs)
    first = found[0]
    sizes = {r.flat_values._value.shape[0] for r in found}
    if len(sizes) > 1:
        raise ValueError("Input RaggedTensors' flat_values must all have the same "
                         f"outer-dimension size.  Got sizes: {sizes}")
    for other in found[1:]:
        if not _same_partition(first, other):
            raise ValueError("Inputs must have identical ragged splits")
    out = op(*args, **kwargs)
    out = convert_to_tensor(out)
    n = first.flat_values._value.shape[0]
    if out._value.ndim == 0 or out._value.shape[0] != n:
        raise ValueError(f"tf.ragged.map_flat_values requires that the output of `op` have "
                         f"the same outer-dimension size as flat_values of any ragged inputs. "
                         f"(output shape: {out.shape}; expected outer dimension size: {n})")
    return first.with_flat_values(out)


# -- range --------------------------------------------------------------------------------
def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001
          row_splits_dtype=dtypes.int64):
    """Row i is `tf.range(starts[i], limits[i], deltas[i])`; scalars broadcast.

    >>> tf.ragged.range([3, 0, 2]).to_list()
    [[0, 1, 2], [], [0, 1]]
    """
    if limits is None:
        starts, limits = 0, starts
    ts = [convert_to_tensor(x, dtype=dtype) for x in (starts, limits, deltas)]
    if dtype is None:
        kinds = {t.dtype for t in ts}
        if len(kinds) > 1:  # Python numbers adopt the dtype of the tensor argument
            order = [dtypes.float64, dtypes.float32, dtypes.int64, dtypes.int32]
            dt = next(d for d in order if d in kinds)
            ts = [convert_to_tensor(x, dtype=dt) if not isinstance(x, Tensor) else x
                  for x in (starts, limits, deltas)]
    arrs = [t._value for t in ts]
    for a in arrs:
        if a.ndim > 1:
            raise ValueError(f"Shape {a.shape} must have rank at most 1")
    s, l_, d = np.broadcast_arrays(*[np.atleast_1d(a) for a in arrs])
    if np.any(d == 0):
        from tapeflow._src.framework.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "Requires delta != 0 [Op:RaggedRange]")
    rows = [np.arange(a, b, c, dtype=s.dtype) for a, b, c in zip(s, l_, d)]
    lens = np.asarray([len(r) for r in rows], dtypes.as_dtype(row_splits_dtype)._np)
    values = np.concatenate(rows) if rows else np.zeros(0, s.dtype)
    splits = np.concatenate([[0], np.cumsum(lens)]).astype(lens.dtype)
    return RaggedTensor._from_splits(_wrap(values.astype(s.dtype)), splits)


# -- boolean_mask -------------------------------------------------------------------------
def boolean_mask(data, mask, name=None):
    """Keeps the entries of `data` where `mask` is True; the result is ragged.

    `mask` must have the same shape (and row partitions) as `data`.

    >>> tf.ragged.boolean_mask([[1, 2], [3, 4]], [[True, False], [True, True]]).to_list()
    [[1], [3, 4]]
    """
    from tapeflow._src.ops import gather_ops
    if isinstance(data, RaggedTensor) or isinstance(mask, RaggedTensor):
        if not (isinstance(data, RaggedTensor) and isinstance(mask, RaggedTensor)):
            raise NotImplementedError("tf.ragged.boolean_mask with one ragged and one dense "
                                      "argument is not implemented in tapeflow yet.")
        if not _same_partition(data, mask) or \
                data.flat_values._value.ndim != 1 or mask.flat_values._value.ndim != 1:
            raise NotImplementedError("tf.ragged.boolean_mask needs `mask` with the same "
                                      "ragged shape as `data` in tapeflow.")
        m = mask.flat_values._value
        if m.dtype != np.bool_:
            raise TypeError("mask must have dtype bool")
        innermost = data
        while isinstance(innermost._values, RaggedTensor):
            innermost = innermost._values
        s = innermost._row_splits
        counts = np.bincount(_rowids(s)[m], minlength=len(s) - 1)
        new_splits = np.concatenate([[0], np.cumsum(counts)]).astype(s.dtype)
        new_flat = gather_ops.gather(data.flat_values, _wrap(np.flatnonzero(m)))
        inner = RaggedTensor._from_splits(new_flat, new_splits)
        return _replace_innermost(data, inner)
    data = convert_to_tensor(data)
    mask = convert_to_tensor(mask, dtype=dtypes.bool_)
    if data._value.shape != mask._value.shape or data._value.ndim < 2:
        raise NotImplementedError("tf.ragged.boolean_mask on dense inputs needs mask and data "
                                  "of the same shape, rank >= 2, in tapeflow.")
    m = mask._value
    nested = []
    shape = m.shape
    n = shape[0]
    for d in shape[1:-1]:
        nested.append(np.full(n, d, np.int64))
        n *= d
    nested.append(m.reshape(n, shape[-1]).sum(axis=1).astype(np.int64))
    flat = gather_ops.gather(
        _reshape(data, (-1,)), _wrap(np.flatnonzero(m.reshape(-1)).astype(np.int64)))
    return RaggedTensor.from_nested_row_lengths(flat, nested)


def _reshape(t, shape):
    from tapeflow._src.ops import array_ops
    return array_ops.reshape(t, shape)


def _replace_innermost(rt, inner):
    if isinstance(rt._values, RaggedTensor):
        return RaggedTensor._from_splits(_replace_innermost(rt._values, inner), rt._row_splits)
    return inner


# -- stack / concat along axis 0 ----------------------------------------------------------
def _as_ragged(v, ragged_rank, sdt):
    if isinstance(v, RaggedTensor):
        return v
    return RaggedTensor.from_tensor(v, ragged_rank=ragged_rank, row_splits_dtype=sdt)


def _concat0(values):
    from tapeflow._src.ops import array_ops
    if not values:
        raise ValueError("values must be a non-empty list")
    k = max(v.ragged_rank for v in values if isinstance(v, RaggedTensor))
    sdt = next(v._splits_dtype for v in values if isinstance(v, RaggedTensor))
    rts = [_as_ragged(v, k, sdt) for v in values]
    if any(r.ragged_rank != k for r in rts):
        raise NotImplementedError("Concatenating RaggedTensors of different ragged_rank is "
                                  "not implemented in tapeflow yet.")
    if len({r._row_splits.dtype for r in rts}) > 1:
        raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                         "RaggedTensor.with_row_splits_dtype() to convert them to "
                         "compatible dtypes.")

    def level(parts):
        if not isinstance(parts[0], RaggedTensor):
            return array_ops.concat(parts, axis=0)
        chunks, off = [], 0
        for p in parts:
            s = p._row_splits
            chunks.append(s[:-1] + off if chunks else s[:-1])
            off += int(s[-1])
        splits = np.concatenate(chunks + [np.asarray([off], parts[0]._row_splits.dtype)])
        return RaggedTensor._from_splits(level([p._values for p in parts]),
                                         splits.astype(parts[0]._row_splits.dtype))

    return level(rts)


def concat(values, axis=0, name=None):
    """Concatenates RaggedTensors (and dense tensors) along axis 0 (what `tf.concat`
    does for ragged inputs in TensorFlow).

    >>> concat([tf.ragged.constant([[1], []]), tf.ragged.constant([[2, 3]])]).to_list()
    [[1], [], [2, 3]]
    """
    values = list(values)
    if axis == 1:
        return _concat1(values)
    if axis != 0:
        raise NotImplementedError("Concatenating RaggedTensors along axis > 1 is not "
                                  "implemented in tapeflow yet.")
    return _concat0(values)


def _concat1(values):
    """Row-wise concatenation: row i of the result is row i of each input, in order."""
    from tapeflow._src.ragged.ragged_tensor import _concat_ranges, _gather_rows
    k = max(v.ragged_rank for v in values if isinstance(v, RaggedTensor))
    sdt = next(v._splits_dtype for v in values if isinstance(v, RaggedTensor))
    rts = [_as_ragged(v, k, sdt) for v in values]
    nrows = {r.nrows_int() for r in rts}
    if len(nrows) > 1:
        raise ValueError("Input tensors at index 0 (=x) and 1 (=y) have incompatible "
                         "shapes.")
    inner = _concat0([r._values for r in rts]) if k > 1 else None
    offsets = np.cumsum([0] + [int(r._row_splits[-1]) for r in rts])
    starts = np.stack([r._row_splits[:-1] + o for r, o in zip(rts, offsets)], axis=1)
    stops = np.stack([r._row_splits[1:] + o for r, o in zip(rts, offsets)], axis=1)
    order = _concat_ranges(starts.reshape(-1), stops.reshape(-1))
    lens = (stops - starts).sum(axis=1)
    splits = np.concatenate([[0], np.cumsum(lens)]).astype(rts[0]._row_splits.dtype)
    if inner is None:
        from tapeflow._src.ops import array_ops
        inner = array_ops.concat([r._values for r in rts], axis=0)
    return RaggedTensor._from_splits(_gather_rows(inner, order), splits)


def stack(values, axis=0, name=None):
    """Stacks RaggedTensors (and dense tensors) along a new axis 0, which becomes ragged.

    >>> tf.ragged.stack([tf.ragged.constant([[1], []]), tf.ragged.constant([[2]])]).to_list()
    [[[1], []], [[2]]]
    """
    values = list(values)
    if axis != 0:
        raise NotImplementedError("tf.ragged.stack along axis != 0 is not implemented in "
                                  "tapeflow yet.")
    if not any(isinstance(v, RaggedTensor) for v in values):
        values = [convert_to_tensor(v) for v in values]
        if values and values[0]._value.ndim == 0:
            from tapeflow._src.ops import array_ops
            return array_ops.stack(values, axis=0)
        values = [RaggedTensor.from_tensor(v) for v in values]
    inner = _concat0(values)
    counts = [v.nrows_int() if isinstance(v, RaggedTensor) else
              convert_to_tensor(v)._value.shape[0] for v in values]
    splits = np.concatenate([[0], np.cumsum(counts)]).astype(inner._row_splits.dtype)
    return RaggedTensor._from_splits(inner, splits)


# -- reductions ---------------------------------------------------------------------------
_REDUCERS = ("sum", "mean", "max", "min", "all", "any")


def _segment(kind, data, ids, n):
    from tapeflow._src.ops import math_ops, segment_ops
    if kind in ("all", "any"):
        as_int = math_ops.cast(data, dtypes.int32)
        fn = segment_ops.unsorted_segment_min if kind == "all" else \
            segment_ops.unsorted_segment_max
        out = fn(as_int, ids, n)
        if kind == "all":  # empty segments give int32 max: true
            return math_ops.cast(out, dtypes.bool_)
        return math_ops.greater(out, 0)
    if kind == "sum":
        return segment_ops.unsorted_segment_sum(data, ids, n)
    if kind == "max":
        return segment_ops.unsorted_segment_max(data, ids, n)
    if kind == "min":
        return segment_ops.unsorted_segment_min(data, ids, n)
    # mean: integers are averaged in float64, as TensorFlow's ragged reduce_mean does
    fdt = data.dtype if data.dtype.is_floating or data.dtype.is_complex else dtypes.float64
    data = math_ops.cast(data, fdt)
    ones = math_ops.cast(_wrap(np.ones(data._value.shape, np.int8)), fdt)
    return math_ops.divide(segment_ops.unsorted_segment_sum(data, ids, n),
                           segment_ops.unsorted_segment_sum(ones, ids, n))


def _dense_reduce(kind, t, axis, keepdims):
    from tapeflow._src.ops import reduction_ops
    fn = {"sum": reduction_ops.reduce_sum, "mean": reduction_ops.reduce_mean,
          "max": reduction_ops.reduce_max, "min": reduction_ops.reduce_min,
          "all": reduction_ops.reduce_all, "any": reduction_ops.reduce_any}[kind]
    return fn(t, axis=axis, keepdims=keepdims)


def reduce(kind, input_tensor, axis=None, keepdims=False):
    """`tf.reduce_<kind>` for a RaggedTensor (kind: sum, mean, max, min, all, any)."""
    rt = input_tensor
    if not isinstance(rt, RaggedTensor):
        return _dense_reduce(kind, input_tensor, axis, keepdims)
    from tapeflow._src.ops import array_ops
    k = rt.ragged_rank
    flat = rt.flat_values
    rank = k + flat._value.ndim
    if axis is None:
        out = _dense_reduce(kind, flat, None, False)
        return array_ops.reshape(out, [1] * rank) if keepdims else out
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise NotImplementedError("Reducing a RaggedTensor over several axes is not "
                                      "implemented in tapeflow yet.")
        axis = axis[0]
    axis = int(axis)
    if not -rank <= axis < rank:
        raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
    if axis < 0:
        axis += rank
    if axis > k:  # a uniform inner dimension
        out = _dense_reduce(kind, flat, axis - k, keepdims)
        return rt.with_flat_values(out)
    if keepdims and k > 1:
        raise NotImplementedError("keepdims=True on a RaggedTensor with ragged_rank > 1 is "
                                  "not implemented in tapeflow yet.")
    if axis == 0 and k == 1:
        s = rt._row_splits
        pos = np.arange(int(s[-1])) - s[_rowids(s)]
        lens = np.diff(s)
        n = int(lens.max()) if len(lens) else 0
        out = _segment(kind, flat, _wrap(pos.astype(np.int64)), n)
    elif axis == k:
        inner = rt
        while isinstance(inner._values, RaggedTensor):
            inner = inner._values
        s = inner._row_splits
        out = _segment(kind, flat, _wrap(_rowids(s).astype(np.int64)), len(s) - 1)
        if k > 1:
            return _replace_innermost_values(rt, out)
    else:
        raise NotImplementedError(f"Reducing a RaggedTensor of ragged_rank {k} over axis "
                                  f"{axis} is not implemented in tapeflow yet.")
    return array_ops.expand_dims(out, axis) if keepdims else out


def _replace_innermost_values(rt, values):
    """Drops rt's innermost row partition, putting `values` in its place."""
    if isinstance(rt._values._values, RaggedTensor):
        return RaggedTensor._from_splits(_replace_innermost_values(rt._values, values),
                                         rt._row_splits)
    return RaggedTensor._from_splits(values, rt._row_splits)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.reduce_sum` for ragged input (rows may be empty: their sum is 0)."""
    return reduce("sum", input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.reduce_mean` for ragged input (empty rows give NaN; ints average in float64)."""
    return reduce("mean", input_tensor, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.reduce_max` for ragged input (empty rows give the dtype's lowest value)."""
    return reduce("max", input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.reduce_min` for ragged input (empty rows give the dtype's largest value)."""
    return reduce("min", input_tensor, axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return reduce("all", input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return reduce("any", input_tensor, axis, keepdims)

"""Segment reductions: tf.math.segment_* (sorted ids) and unsorted_segment_* (any ids).

Row i of `data` goes to output row `segment_ids[i]`. Sorted ops need non-decreasing,
non-negative ids and produce `ids[-1] + 1` rows; unsorted ops take `num_segments`, may
have N-D ids covering `data`'s leading dimensions, and drop negative ids. Empty segments
hold 0 for sorted ops, and the reduction's identity (dtype lowest/highest for max/min)
for unsorted ones, as in TensorFlow.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.autodiff.record import derived, peek

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive

D = dtypes
REAL = D.FLOATING | D.INTEGER
_IDS = (np.dtype(np.int32), np.dtype(np.int64))


def _ids_error(ids, op_name, attr="Tindices"):
    return InvalidArgumentError(
        None, None, f"Value for attr '{attr}' of {dtypes.tf_name(ids.dtype)} is not in the "
        f"list of allowed values: int32, int64\n\t; NodeDef: {{{{node {op_name}}}}} "
        f"[Op:{op_name}] name: ")


def _error(text, op_name):
    return InvalidArgumentError(None, None, f"{text} [Op:{op_name}] name: ")


# ---------------------------------------------------------------------------------------
# NumPy kernels
# ---------------------------------------------------------------------------------------

def _lowest(dt):
    return np.finfo(dt).min if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.finfo(dt).max if dt.kind == "f" else np.iinfo(dt).max


def _scatter(kind, rows, ids, num):
    """Reduces `rows` (n, ...) into `num` segments by `ids` (n,), all ids in [0, num)."""
    shape = (num,) + rows.shape[1:]
    if kind == "sum":
        out = np.zeros(shape, rows.dtype)
        np.add.at(out, ids, rows)
    elif kind == "max":
        out = np.full(shape, _lowest(rows.dtype), rows.dtype)
        np.maximum.at(out, ids, rows)
    elif kind == "min":
        out = np.full(shape, _highest(rows.dtype), rows.dtype)
        np.minimum.at(out, ids, rows)
    else:  # mean
        out = np.zeros(shape, rows.dtype)
        np.add.at(out, ids, rows)
        count = np.bincount(ids, minlength=num).reshape((num,) + (1,) * (rows.ndim - 1))
        if rows.dtype.kind in "iu":
            # C-style integer division, truncating toward zero.
            q = np.abs(out) // np.maximum(count, 1)
            out = (np.sign(out) * q).astype(rows.dtype)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out = (out / np.maximum(count, 1)).astype(rows.dtype)
    return out


def _sorted_forward(kind, op_name):
    def forward(data, ids):
        if data.ndim == 0:
            raise _error("input must be at least rank 1", op_name)
        if ids.ndim != 1:
            raise _error("segment_ids should be a vector.", op_name)
        if ids.shape[0] != data.shape[0]:
            raise _error("segment_ids should be the same size as dimension 0 of input.",
                         op_name)
        num = int(ids[-1]) + 1 if ids.size else 0
        if ids.size and np.any(np.diff(ids) < 0):
            raise _error("segment ids are not increasing", op_name)
        if ids.size and ids[0] < 0:
            raise _error(f"Segment id {int(ids[0])} out of range [0, {num}), possibly because "
                         f"'segment_ids' input is not sorted.", op_name)
        out = _scatter(kind, data, ids, num)
        if kind in ("max", "min") and num:
            # Empty segments of sorted ops hold 0, not the reduction's identity.
            empty = np.bincount(ids, minlength=num) == 0
            out[empty] = 0
        return out
    forward.__name__ = f"_segment_{kind}"
    return forward


def _unsorted_forward(kind, op_name):
    def forward(data, ids, *, num_segments):
        if data.shape[:ids.ndim] != ids.shape:
            raise _error(f"data.shape = {list(data.shape)} does not start with "
                         f"segment_ids.shape = {list(ids.shape)}", op_name)
        rows = data.reshape((-1,) + data.shape[ids.ndim:])
        flat = ids.reshape(-1)
        bad = flat >= num_segments
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            pos = ",".join(str(int(p)) for p in np.unravel_index(j, ids.shape))
            raise _error(f"segment_ids[{pos}] = {int(flat[j])} is out of range "
                         f"[0, {num_segments})", op_name)
        keep = flat >= 0
        if not keep.all():
            rows, flat = rows[keep], flat[keep]
        return _scatter(kind, rows, flat, num_segments)
    forward.__name__ = f"_unsorted_segment_{kind}"
    return forward


def _sorted_rule(data, ids, **attrs):
    return (None,) + tuple(data[1:])


def _unsorted_rule(data, ids, *, num_segments):
    return (num_segments,) + tuple(data[len(ids):])


def _first_dtype(data, ids, **attrs):
    return data


# ---------------------------------------------------------------------------------------
# Gradient helpers (tapeflow ops only)
# ---------------------------------------------------------------------------------------

def _gather_rows(params, ids):
    """params[ids] along axis 0, and zeros where an id is negative (dropped by the op)."""
    from tapeflow._src.ops.array_ops import reshape, where, zeros_like
    from tapeflow._src.ops.gather_ops import gather
    from tapeflow._src.ops.math_ops import greater_equal, maximum

    ids_np = peek(ids)
    if ids_np.size == 0 or ids_np.min() >= 0:
        return gather(params, ids)
    zero = _wrap(np.zeros((), ids_np.dtype))
    gathered = gather(params, maximum(ids, zero))
    keep = greater_equal(ids, zero)
    keep = reshape(keep, ids_np.shape + (1,) * (gathered._value.ndim - ids_np.ndim))
    return where(keep, gathered, zeros_like(gathered))


def _sum_grad(op, dy):
    return _gather_rows(dy, op.inputs[1]), None


def _extreme_grad(op, dy):
    # The gradient is shared equally between the tied extreme rows of a segment, as in
    # TensorFlow.
    from tapeflow._src.ops.array_ops import where, zeros_like
    from tapeflow._src.ops.math_ops import cast, div_no_nan, equal

    data, ids = op.inputs
    y, = op.outputs
    selected = equal(data, _gather_rows(y, ids))
    counts = _scatter_like(op, cast(selected, dy.dtype))
    weighted = div_no_nan(dy, counts)
    return where(selected, _gather_rows(weighted, ids), zeros_like(data)), None


def _scatter_like(op, values):
    """Sums `values` (shaped like op's data) into op's segments, differentiably."""
    ids = op.inputs[1]
    if "num_segments" in op.attrs:
        return _unsorted_sum(values, ids, num_segments=op.attrs["num_segments"])
    return _segment_sum(values, ids)


def _counts(op, dtype):
    """Rows per segment (at least 1) as a constant tensor broadcastable against dy."""
    data, ids = op.inputs
    num = op.outputs[0]._value.shape[0]
    extra = data._value.ndim - ids._value.ndim

    def counts(i):
        flat = i.reshape(-1)
        count = np.bincount(flat[flat >= 0], minlength=num)[:num]
        return np.maximum(count, 1).astype(dtype._np).reshape((num,) + (1,) * extra)
    return derived(counts, ids)


def _mean_grad(op, dy):
    return _gather_rows(dy / _counts(op, dy.dtype), op.inputs[1]), None


# ---------------------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------------------

_segment_sum = primitive("SegmentSum", shape=_sorted_rule, dtype=_first_dtype,
                         allowed=D.NUMERIC)(_sorted_forward("sum", "SegmentSum"))
_segment_sum.grad(_sum_grad)
_segment_mean = primitive("SegmentMean", shape=_sorted_rule, dtype=_first_dtype,
                          allowed=D.NUMERIC)(_sorted_forward("mean", "SegmentMean"))
_segment_mean.grad(_mean_grad)
_segment_max = primitive("SegmentMax", shape=_sorted_rule, dtype=_first_dtype,
                         allowed=REAL)(_sorted_forward("max", "SegmentMax"))
_segment_max.grad(_extreme_grad)
_segment_min = primitive("SegmentMin", shape=_sorted_rule, dtype=_first_dtype,
                         allowed=REAL)(_sorted_forward("min", "SegmentMin"))
_segment_min.grad(_extreme_grad)

_unsorted_sum = primitive("UnsortedSegmentSum", shape=_unsorted_rule, dtype=_first_dtype,
                          allowed=D.NUMERIC)(_unsorted_forward("sum", "UnsortedSegmentSum"))
_unsorted_sum.grad(_sum_grad)
_unsorted_max = primitive("UnsortedSegmentMax", shape=_unsorted_rule, dtype=_first_dtype,
                          allowed=REAL)(_unsorted_forward("max", "UnsortedSegmentMax"))
_unsorted_max.grad(_extreme_grad)
_unsorted_min = primitive("UnsortedSegmentMin", shape=_unsorted_rule, dtype=_first_dtype,
                          allowed=REAL)(_unsorted_forward("min", "UnsortedSegmentMin"))
_unsorted_min.grad(_extreme_grad)


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------

def _args(data, segment_ids, op_name):
    data = to_tensor(data)
    ids = to_tensor(segment_ids)
    if ids._value.dtype not in _IDS:
        raise _ids_error(ids, op_name)
    return data, ids


def _num_segments(num_segments, op_name):
    """`num_segments` as an int; it converts like an int32 tensor, as in TensorFlow."""
    value = np.asarray(to_tensor(num_segments, dtype=None if hasattr(num_segments, "dtype")
                                 else D.int32))
    if value.dtype not in _IDS:
        raise _ids_error(value, op_name, attr="Tnumsegments")
    n = int(value.reshape(()))
    if n < 0:
        raise _error(f"Input num_segments == {n} must not be negative.", op_name)
    return n


def segment_sum(data, segment_ids, name=None):
    """Sums the rows of `data` that share a (sorted) segment id.

    >>> tf.math.segment_sum([1, 2, 3], [0, 0, 2]).numpy()
    array([3, 0, 3], dtype=int32)
    """
    return _segment_sum(*_args(data, segment_ids, "SegmentSum"))


def segment_mean(data, segment_ids, name=None):
    """Averages the rows of `data` per (sorted) segment id; empty segments give 0.

    >>> tf.math.segment_mean([1.0, 2.0, 4.0], [0, 0, 1]).numpy()
    array([1.5, 4. ], dtype=float32)
    """
    return _segment_mean(*_args(data, segment_ids, "SegmentMean"))


def segment_max(data, segment_ids, name=None):
    """The maximum row of `data` per (sorted) segment id; empty segments give 0.

    >>> tf.math.segment_max([1, 5, 4], [0, 0, 1]).numpy()
    array([5, 4], dtype=int32)
    """
    return _segment_max(*_args(data, segment_ids, "SegmentMax"))


def segment_min(data, segment_ids, name=None):
    """The minimum row of `data` per (sorted) segment id; empty segments give 0.

    >>> tf.math.segment_min([1, 5, 4], [0, 0, 1]).numpy()
    array([1, 4], dtype=int32)
    """
    return _segment_min(*_args(data, segment_ids, "SegmentMin"))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums rows of `data` into `num_segments` segments; negative ids are dropped.

    >>> tf.math.unsorted_segment_sum([1, 2, 3], [1, 0, 1], num_segments=3).numpy()
    array([2, 4, 0], dtype=int32)
    """
    data, ids = _args(data, segment_ids, "UnsortedSegmentSum")
    n = _num_segments(num_segments, "UnsortedSegmentSum")
    return _unsorted_sum(data, ids, num_segments=n)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Per-segment maximum; empty segments hold the dtype's lowest value.

    >>> tf.math.unsorted_segment_max([1, 2, 3], [1, 0, 1], num_segments=2).numpy()
    array([2, 3], dtype=int32)
    """
    data, ids = _args(data, segment_ids, "UnsortedSegmentMax")
    n = _num_segments(num_segments, "UnsortedSegmentMax")
    return _unsorted_max(data, ids, num_segments=n)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Per-segment minimum; empty segments hold the dtype's highest value.

    >>> tf.math.unsorted_segment_min([1, 2, 3], [1, 0, 1], num_segments=2).numpy()
    array([2, 1], dtype=int32)
    """
    data, ids = _args(data, segment_ids, "UnsortedSegmentMin")
    n = _num_segments(num_segments, "UnsortedSegmentMin")
    return _unsorted_min(data, ids, num_segments=n)


def _segment_counts(data, ids, n):
    """Rows per segment as a constant of data's dtype, shaped to broadcast over a row."""
    extra = data._value.ndim - ids._value.ndim
    dt = data._value.dtype

    def counts(i):
        flat = i.reshape(-1)
        count = np.bincount(flat[flat >= 0], minlength=n)[:n]
        return count.astype(dt).reshape((n,) + (1,) * extra)
    return derived(counts, ids)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Per-segment mean (composite: sum / max(count, 1)); empty segments give 0.

    >>> tf.math.unsorted_segment_mean([1.0, 2.0, 4.0], [1, 0, 1], num_segments=2).numpy()
    array([2. , 2.5], dtype=float32)
    """
    from tapeflow._src.ops.math_ops import maximum
    data, ids = _args(data, segment_ids, "UnsortedSegmentSum")
    n = _num_segments(num_segments, "UnsortedSegmentSum")
    summed = _unsorted_sum(data, ids, num_segments=n)
    count = _segment_counts(data, ids, n)
    return summed / maximum(count, _wrap(np.ones((), data._value.dtype)))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Per-segment sum divided by sqrt(count) (composite); empty segments give 0.

    >>> tf.math.unsorted_segment_sqrt_n([1.0, 3.0], [0, 0], num_segments=1).numpy()
    array([2.828427], dtype=float32)
    """
    from tapeflow._src.ops.math_ops import maximum, sqrt
    data, ids = _args(data, segment_ids, "UnsortedSegmentSum")
    n = _num_segments(num_segments, "UnsortedSegmentSum")
    summed = _unsorted_sum(data, ids, num_segments=n)
    count = _segment_counts(data, ids, n)
    return summed / sqrt(maximum(count, _wrap(np.ones((), data._value.dtype))))


def segment_prod(data, segment_ids, name=None):
    """Not implemented: tapeflow has no segment product yet."""
    raise NotImplementedError("tf.math.segment_prod is not implemented in tapeflow yet; "
                              "segment_sum/mean/max/min are.")


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """Not implemented: tapeflow has no segment product yet."""
    raise NotImplementedError("tf.math.unsorted_segment_prod is not implemented in tapeflow "
                              "yet; unsorted_segment_sum/mean/sqrt_n/max/min are.")

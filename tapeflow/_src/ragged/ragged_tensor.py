"""`tf.RaggedTensor`: rows of different lengths, stored as flat values plus row splits.

A RaggedTensor of ragged rank k is `values` (a Tensor, or a RaggedTensor for k > 1) and one
int64 (or int32) `row_splits` vector: row i is `values[row_splits[i]:row_splits[i + 1]]`.
Row partitions are static NumPy data; only the flat values take part in differentiation,
so every operation that moves values (indexing, `to_tensor`, elementwise math) is built
from ordinary tapeflow ops (`gather`, `concat`, arithmetic) and gradients flow through.
"""

from __future__ import annotations

import operator

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape

_SPLIT_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _ops():
    # The op library imports lazily: tapeflow/__init__ loads this module after the ops.
    from tapeflow._src.ops import array_ops, gather_ops
    return array_ops, gather_ops


def _splits_array(value, what="row_splits", dtype=None):
    """A 1-D int32/int64 NumPy array from a list, ndarray or Tensor of row partition data."""
    if isinstance(value, Tensor):
        arr = value._value
    else:
        arr = np.asarray(value)
        if arr.dtype.kind in "iu" and not isinstance(value, np.ndarray):
            arr = arr.astype(np.int64 if dtype is None else dtypes.as_dtype(dtype)._np)
    if arr.dtype.kind not in "iu" or (arr.dtype not in _SPLIT_DTYPES and arr.size):
        if arr.size == 0 and not isinstance(value, Tensor):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"{what} must have dtype int32 or int64")
    if arr.dtype not in _SPLIT_DTYPES:
        arr = arr.astype(np.int64)
    if arr.ndim != 1:
        raise ValueError(f"Shape {arr.shape} must have rank 1")
    return arr


def _invalid(factory, x, y):
    return InvalidArgumentError(
        None, None,
        f"Arguments to {factory} do not form a valid RaggedTensor\n"
        f"Condition x == y did not hold.\nFirst 1 elements of x:\n[{x}]\n"
        f"First 1 elements of y:\n[{y}]")


def _nvals(values):
    return values.nrows_int() if isinstance(values, RaggedTensor) else (
        values._value.shape[0] if values._value.ndim else None)


def _as_values(values):
    if isinstance(values, RaggedTensor):
        return values
    values = convert_to_tensor(values)
    if values._value.ndim == 0:
        raise ValueError("values must have rank at least 1")
    return values


def _rowids(splits):
    """value_rowids as NumPy: the row of each value."""
    return np.repeat(np.arange(len(splits) - 1, dtype=splits.dtype), np.diff(splits))


def _concat_ranges(starts, stops):
    """np.concatenate([arange(a, b) for a, b in zip(starts, stops)]) without a Python loop."""
    lengths = np.maximum(stops - starts, 0)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def _gather_rows(values, rows):
    """Rows `rows` (int64 NumPy indices) of a Tensor or RaggedTensor, differentiably."""
    if isinstance(values, RaggedTensor):
        s = values._row_splits
        starts, stops = s[rows], s[rows + 1]
        new_splits = np.concatenate([[0], np.cumsum(stops - starts)]).astype(s.dtype)
        inner = _gather_rows(values._values, _concat_ranges(starts, stops))
        return RaggedTensor._from_splits(inner, new_splits)
    _, gather_ops = _ops()
    if len(rows) == values._value.shape[0] and np.array_equal(rows, np.arange(len(rows))):
        return values
    return gather_ops.gather(values, _wrap(rows.astype(np.int64)))


class RaggedTensor:
    """A tensor whose dimension 1 (and optionally further ones) has rows of varying length.

    Build one with `tf.ragged.constant` or a `RaggedTensor.from_*` factory.

    >>> rt = tf.RaggedTensor.from_row_lengths([3, 1, 4, 1, 5], row_lengths=[2, 0, 3])
    >>> rt.to_list()
    [[3, 1], [], [4, 1, 5]]
    """

    __slots__ = ("_values", "_row_splits", "_uniform_row_length", "__weakref__")
    __array_priority__ = 200
    __array_ufunc__ = None  # `ndarray + rt` defers to RaggedTensor.__radd__

    def __init__(self, values, row_partition, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_partition
        self._uniform_row_length = None

    @classmethod
    def _from_splits(cls, values, splits, uniform_row_length=None):
        rt = object.__new__(cls)
        rt._values = values
        rt._row_splits = splits
        rt._uniform_row_length = uniform_row_length
        return rt

    # -- factories ------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Rows `values[row_splits[i]:row_splits[i + 1]]`.

        >>> tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 2, 3]).to_list()
        [[1, 2], [], [3]]
        """
        values = _as_values(values)
        splits = _splits_array(row_splits)
        if validate:
            if len(splits) == 0 or splits[0] != 0:
                raise InvalidArgumentError(
                    None, None, "Arguments to from_row_splits do not form a valid "
                    "RaggedTensor:zero\nCondition x == y did not hold.\nFirst 1 elements of "
                    f"x:\n[{splits[0] if len(splits) else ''}]\nFirst 1 elements of y:\n[0]")
            if np.any(np.diff(splits) < 0):
                raise InvalidArgumentError(
                    None, None, "Arguments to from_row_splits do not form a valid "
                    "RaggedTensor:monotonic")
            if splits[-1] != _nvals(values):
                raise _invalid("_from_row_partition", splits[-1], _nvals(values))
        return cls._from_splits(values, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Row i has `row_lengths[i]` values.

        >>> tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 0, 1]).to_list()
        [[1, 2], [], [3]]
        """
        values = _as_values(values)
        lengths = _splits_array(row_lengths, "row_lengths")
        if validate and np.any(lengths < 0):
            raise InvalidArgumentError(None, None, "Arguments to from_row_lengths do not form "
                                       "a valid RowPartition.  \nrow_lengths must be "
                                       "non-negative")
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(lengths.dtype)
        if validate and splits[-1] != _nvals(values):
            raise _invalid("_from_row_partition", splits[-1], _nvals(values))
        return cls._from_splits(values, splits)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value j goes to row `value_rowids[j]` (sorted); `nrows` adds trailing empty rows.

        >>> tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2]).to_list()
        [[1, 2], [], [3]]
        """
        values = _as_values(values)
        ids = _splits_array(value_rowids, "value_rowids")
        if validate and np.any(np.diff(ids) < 0):
            raise InvalidArgumentError(None, None, "Arguments to from_value_rowids do not "
                                       "form a valid RowPartition.  \nvalue_rowids must be "
                                       "sorted")
        if nrows is None:
            n = int(ids[-1]) + 1 if len(ids) else 0
        else:
            n = int(nrows._value if isinstance(nrows, Tensor) else nrows)
        if validate and len(ids) and (ids[0] < 0 or ids[-1] >= n):
            raise InvalidArgumentError(None, None, "Arguments to from_value_rowids do not "
                                       "form a valid RaggedTensor:value_rowids out of range")
        if validate and len(ids) != _nvals(values):
            raise _invalid("_from_row_partition", len(ids), _nvals(values))
        counts = np.bincount(ids, minlength=n) if len(ids) else np.zeros(n, np.int64)
        splits = np.concatenate([[0], np.cumsum(counts)]).astype(ids.dtype)
        return cls._from_splits(values, splits)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Row i starts at `row_starts[i]` and ends where the next row starts."""
        values = _as_values(values)
        starts = _splits_array(row_starts, "row_starts")
        splits = np.concatenate([starts, [_nvals(values)]]).astype(starts.dtype)
        return cls.from_row_splits(values, _wrap(splits), validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """Row i ends at `row_limits[i]` and starts where the previous row ends."""
        values = _as_values(values)
        limits = _splits_array(row_limits, "row_limits")
        splits = np.concatenate([[0], limits]).astype(limits.dtype)
        return cls.from_row_splits(values, _wrap(splits), validate=validate)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None):
        """Rows of exactly `uniform_row_length` values each (a non-ragged dimension).

        >>> tf.RaggedTensor.from_uniform_row_length([1, 2, 3, 4], 2).shape
        TensorShape([2, 2])
        """
        values = _as_values(values)
        length = int(uniform_row_length._value if isinstance(uniform_row_length, Tensor)
                     else uniform_row_length)
        nvals = _nvals(values)
        if nrows is None:
            nrows = nvals // length if length else 0
        nrows = int(nrows._value if isinstance(nrows, Tensor) else nrows)
        if validate and nrows * length != nvals:
            raise ValueError(f"uniform_row_length={length} times nrows={nrows} must equal "
                             f"nvals={nvals}")
        sdt = (uniform_row_length._value.dtype if isinstance(uniform_row_length, Tensor)
               else np.dtype(np.int64))
        splits = (np.arange(nrows + 1) * length).astype(sdt)
        return cls._from_splits(values, splits, uniform_row_length=length)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """Applies `from_row_splits` once per splits vector, innermost last.

        >>> tf.RaggedTensor.from_nested_row_splits([1, 2, 3], [[0, 2], [0, 1, 3]]).to_list()
        [[[1], [2, 3]]]
        """
        if isinstance(nested_row_splits, (Tensor, np.ndarray)):
            raise TypeError("nested_row_splits must be a list of Tensors")
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True):
        """Applies `from_row_lengths` once per lengths vector, innermost last."""
        if isinstance(nested_row_lengths, (Tensor, np.ndarray)):
            raise TypeError("nested_row_lengths must be a list of Tensors")
        result = flat_values
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True):
        """Applies `from_value_rowids` once per rowids vector, innermost last."""
        nested_value_rowids = list(nested_value_rowids)
        if nested_nrows is None:
            nested_nrows = [None] * len(nested_value_rowids)
        result = flat_values
        for ids, n in reversed(list(zip(nested_value_rowids, nested_nrows))):
            result = cls.from_value_rowids(result, ids, n, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):
        """Dense `tensor` as ragged; `lengths` or `padding` trim each row.

        >>> tf.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]], padding=0).to_list()
        [[1, 2], [3]]
        """
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        tensor = convert_to_tensor(tensor)
        shape = tensor._value.shape
        if not isinstance(ragged_rank, int) or ragged_rank <= 0:
            raise ValueError(f"ragged_rank must be greater than 0; got {ragged_rank}")
        if len(shape) <= ragged_rank:
            raise ValueError(f"ragged_rank must be less than rank; got {ragged_rank} and "
                             f"rank {len(shape)}")
        sdt = dtypes.as_dtype(row_splits_dtype)._np
        if lengths is None and padding is None:
            flat = _ops()[0].reshape(tensor, (-1,) + shape[ragged_rank + 1:])
            result = flat
            n = int(np.prod(shape[:ragged_rank + 1]))
            for k in range(ragged_rank, 0, -1):
                width = shape[k]
                n //= width
                splits = (np.arange(n + 1) * width).astype(sdt)
                result = cls._from_splits(result, splits, uniform_row_length=width)
            return result
        if ragged_rank != 1:
            raise NotImplementedError("RaggedTensor.from_tensor with lengths/padding supports "
                                      "ragged_rank=1 only in tapeflow.")
        nrows, ncols = shape[0], shape[1]
        if padding is not None:
            pad = convert_to_tensor(padding, dtype=tensor.dtype)._value
            is_pad = tensor._value == pad
            is_pad = is_pad.reshape(nrows, ncols, -1).all(axis=2)
            keep = ~is_pad[:, ::-1]
            # length = index after the last non-padding entry
            lens = np.where(keep.any(axis=1), ncols - np.argmax(keep, axis=1), 0)
        else:
            lens = _splits_array(lengths, "lengths")
            lens = np.minimum(lens, ncols)
        lens = lens.astype(sdt)
        rows = np.repeat(np.arange(nrows), lens)
        splits = np.concatenate([[0], np.cumsum(lens)]).astype(sdt)
        cols = np.arange(len(rows)) - splits[rows]
        flat_index = (rows * ncols + cols).astype(np.int64)
        array_ops, gather_ops = _ops()
        flat = array_ops.reshape(tensor, (-1,) + shape[2:])
        return cls._from_splits(gather_ops.gather(flat, _wrap(flat_index)), splits)

    # -- components -----------------------------------------------------------------------
    @property
    def values(self):
        """The concatenated rows (a Tensor, or a RaggedTensor when ragged_rank > 1)."""
        return self._values

    @property
    def row_splits(self):
        """Where each row starts and ends in `values` (length nrows + 1)."""
        return _wrap(self._row_splits)

    @property
    def flat_values(self):
        """The innermost values Tensor, with every ragged dimension removed."""
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        """The row_splits of each ragged dimension, outermost first."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(_wrap(rt._row_splits))
            rt = rt._values
        return tuple(out)

    @property
    def ragged_rank(self):
        """How many ragged dimensions this tensor has (nested RaggedTensor levels)."""
        v = self._values
        return v.ragged_rank + 1 if isinstance(v, RaggedTensor) else 1

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def _splits_dtype(self):
        return dtypes._BY_NP[self._row_splits.dtype]

    @property
    def shape(self):
        """The static shape: ragged dimensions are None."""
        dims = [len(self._row_splits) - 1]
        rt = self
        while isinstance(rt, RaggedTensor):
            dims.append(rt._uniform_row_length)
            rt = rt._values
        return TensorShape(dims + list(rt._value.shape[1:]))

    def get_shape(self):
        return self.shape

    @property
    def uniform_row_length(self):
        u = self._uniform_row_length
        return None if u is None else _wrap(np.asarray(u, self._row_splits.dtype))

    def nrows_int(self):
        return len(self._row_splits) - 1

    def nrows(self, out_type=None, name=None):
        """The number of rows, as a scalar Tensor of the row_splits dtype."""
        dt = self._row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)._np
        return _wrap(np.asarray(self.nrows_int(), dt))

    def row_lengths(self, axis=1, name=None):
        """The length of each row (for `axis` > 1, a RaggedTensor of inner row lengths)."""
        if axis == 1:
            return _wrap(np.diff(self._row_splits))
        if axis < 1:
            raise ValueError("axis must be at least 1 for row_lengths")
        if not isinstance(self._values, RaggedTensor):
            raise NotImplementedError("row_lengths for a uniform inner axis is not "
                                      "implemented in tapeflow yet.")
        return self.with_values(self._values.row_lengths(axis - 1))

    def nested_row_lengths(self, name=None):
        """The row lengths of each ragged dimension, outermost first."""
        return tuple(_wrap(np.diff(s._value)) for s in self.nested_row_splits)

    def value_rowids(self, name=None):
        """The row of each value in `values`."""
        return _wrap(_rowids(self._row_splits))

    def row_starts(self, name=None):
        return _wrap(self._row_splits[:-1])

    def row_limits(self, name=None):
        return _wrap(self._row_splits[1:])

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The smallest dense shape that holds every row, as a 1-D Tensor.

        >>> tf.ragged.constant([[1], [2, 3, 4]]).bounding_shape().numpy().tolist()
        [2, 3]
        """
        dt = self._row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)._np
        dims = [self.nrows_int()]
        rt = self
        while isinstance(rt, RaggedTensor):
            lens = np.diff(rt._row_splits)
            dims.append(int(lens.max()) if len(lens) else 0)
            rt = rt._values
        dims.extend(rt._value.shape[1:])
        out = np.asarray(dims, dt)
        if axis is not None:
            out = out[axis]
        return _wrap(out)

    def with_values(self, new_values):
        """The same row partition (outermost level) over `new_values`."""
        new_values = _as_values(new_values)
        if _nvals(new_values) != _nvals(self._values):
            raise ValueError(f"Shapes ({_nvals(self._values)},) and ({_nvals(new_values)},) "
                             "are incompatible")
        return RaggedTensor._from_splits(new_values, self._row_splits, self._uniform_row_length)

    def with_flat_values(self, new_values):
        """The same nested row partitions over new flat values."""
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        dt = dtypes.as_dtype(dtype)._np
        v = self._values
        if isinstance(v, RaggedTensor):
            v = v.with_row_splits_dtype(dtype)
        return RaggedTensor._from_splits(v, self._row_splits.astype(dt),
                                         self._uniform_row_length)

    # -- conversion -----------------------------------------------------------------------
    def _index_map(self, dense_shape):
        """For each position of the dense outer dims, the flat value index (or N: default)."""
        coords = None
        rt = self
        while isinstance(rt, RaggedTensor):
            s = rt._row_splits
            parent = _rowids(s)
            pos = np.arange(len(parent)) - s[parent]
            if coords is None:
                coords = [parent, pos]
            else:
                coords = [c[parent] for c in coords] + [pos]
            rt = rt._values
        n = len(coords[0])
        outer = tuple(dense_shape[:len(coords)])
        keep = np.ones(n, bool)
        for c, d in zip(coords, outer):
            keep &= c < d
        index = np.full(outer, n, np.int64)
        index[tuple(c[keep] for c in coords)] = np.arange(n)[keep]
        return index, n

    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense Tensor, padding short rows with `default_value` (0, b'' or False).

        >>> tf.ragged.constant([[1, 2], [3]]).to_tensor().numpy().tolist()
        [[1, 2], [3, 0]]
        """
        array_ops, gather_ops = _ops()
        flat = self.flat_values
        bound = self.bounding_shape()._value.tolist()
        if shape is not None:
            shape = TensorShape(shape)
            if shape.rank is not None:
                if shape.rank != len(bound):
                    raise ValueError(f"Shape {shape} must have rank {len(bound)}")
                bound = [b if d is None else d for b, d in zip(bound, shape.as_list())]
        k = self.ragged_rank
        inner = tuple(bound[k + 1:])
        if inner != flat._value.shape[1:]:
            if any(a > b for a, b in zip(inner, flat._value.shape[1:])):
                raise NotImplementedError("to_tensor padding inner uniform dimensions is not "
                                          "implemented in tapeflow yet.")
            flat = flat[(slice(None),) + tuple(slice(0, d) for d in inner)]
        if default_value is None:
            default = array_ops.zeros((1,) + inner, flat.dtype)
        else:
            default = convert_to_tensor(default_value, dtype=flat.dtype)
            default = array_ops.broadcast_to(default, (1,) + inner)
        index, _ = self._index_map(bound)
        table = array_ops.concat([flat, default], axis=0)
        return gather_ops.gather(table, _wrap(index))

    def to_list(self):
        """The nested Python list of values (bytes for strings)."""
        v = self._values
        inner = v.to_list() if isinstance(v, RaggedTensor) else v._value.tolist()
        s = self._row_splits.tolist()
        return [inner[s[i]:s[i + 1]] for i in range(len(s) - 1)]

    def numpy(self):
        """A NumPy array of rows: an object array of row arrays when lengths differ."""
        v = self._values
        values = v.numpy() if isinstance(v, RaggedTensor) else v._value
        s = self._row_splits
        rows = [values[s[i]:s[i + 1]] for i in range(len(s) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], values.dtype)
        if all(len(r) == len(rows[0]) for r in rows):
            return np.array(rows)
        out = np.empty(len(rows), object)
        for i, r in enumerate(rows):
            out[i] = r
        return out

    def to_sparse(self, name=None):
        """A `tf.SparseTensor` with one entry per value, shaped like `bounding_shape()`."""
        from tapeflow._src.io.sparse_tensor import SparseTensor
        flat = self.flat_values._value
        if flat.ndim != 1:
            raise NotImplementedError("RaggedTensor.to_sparse with uniform inner dimensions "
                                      "is not implemented in tapeflow yet.")
        coords = None
        rt = self
        while isinstance(rt, RaggedTensor):
            sp = rt._row_splits
            parent = _rowids(sp)
            pos = np.arange(len(parent)) - sp[parent]
            coords = [parent, pos] if coords is None else [c[parent] for c in coords] + [pos]
            rt = rt._values
        indices = np.stack(coords, axis=1).astype(np.int64).reshape(-1, len(coords))
        shape = self.bounding_shape()._value.astype(np.int64)
        return SparseTensor._from_arrays(indices, flat, shape)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        """A 2-D SparseTensor (indices in row-major order) as ragged: row i holds the
        values whose index starts with i."""
        indices = np.asarray(st_input.indices._value)
        shape = np.asarray(st_input.dense_shape._value)
        if shape.shape[0] != 2:
            raise ValueError(f"rank(st_input) must be 2; got {shape.shape[0]}")
        order = np.lexsort((indices[:, 1], indices[:, 0])) if len(indices) else indices[:0, 0]
        if len(indices) and not np.array_equal(order, np.arange(len(indices))):
            raise InvalidArgumentError(None, None, "SparseTensor is not right-ragged")
        counts = np.bincount(indices[:, 0], minlength=int(shape[0])) if len(indices) else \
            np.zeros(int(shape[0]), np.int64)
        sdt = dtypes.as_dtype(row_splits_dtype)._np
        splits = np.concatenate([[0], np.cumsum(counts)]).astype(sdt)
        return cls._from_splits(st_input.values, splits)

    def __repr__(self):
        with np.printoptions(formatter={"all": _format}):
            text = _format(self.numpy())
        return f"<tf.RaggedTensor {text}>"

    __str__ = __repr__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __tf_tensor__(self, dtype=None, name=None):
        # convert_to_tensor(rt) is an error in TensorFlow too (ragged is not dense); public
        # ops with a ragged version catch this one (see ops/dispatch.py).
        from tapeflow._src.ops.dispatch import CompositeDispatch
        raise CompositeDispatch("TypeError: object of type 'RaggedTensor' has no len()\n")

    # -- indexing -------------------------------------------------------------------------
    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        return _getitem(self, key)

    # -- elementwise math -----------------------------------------------------------------
    def _binary(self, other, fn, reflected=False):
        flat = self.flat_values
        if isinstance(other, RaggedTensor):
            _check_same_partition(self, other)
            o = other.flat_values
        else:
            o = _dense_operand(self, other)
        out = fn(o, flat) if reflected else fn(flat, o)
        return self.with_flat_values(out)

    def __add__(self, other):
        return self._binary(other, operator.add)

    def __radd__(self, other):
        return self._binary(other, operator.add, True)

    def __sub__(self, other):
        return self._binary(other, operator.sub)

    def __rsub__(self, other):
        return self._binary(other, operator.sub, True)

    def __mul__(self, other):
        return self._binary(other, operator.mul)

    def __rmul__(self, other):
        return self._binary(other, operator.mul, True)

    def __truediv__(self, other):
        return self._binary(other, operator.truediv)

    def __rtruediv__(self, other):
        return self._binary(other, operator.truediv, True)

    def __floordiv__(self, other):
        return self._binary(other, operator.floordiv)

    def __rfloordiv__(self, other):
        return self._binary(other, operator.floordiv, True)

    def __mod__(self, other):
        return self._binary(other, operator.mod)

    def __rmod__(self, other):
        return self._binary(other, operator.mod, True)

    def __pow__(self, other):
        return self._binary(other, operator.pow)

    def __rpow__(self, other):
        return self._binary(other, operator.pow, True)

    def __and__(self, other):
        return self._binary(other, operator.and_)

    def __rand__(self, other):
        return self._binary(other, operator.and_, True)

    def __or__(self, other):
        return self._binary(other, operator.or_)

    def __ror__(self, other):
        return self._binary(other, operator.or_, True)

    def __xor__(self, other):
        return self._binary(other, operator.xor)

    def __rxor__(self, other):
        return self._binary(other, operator.xor, True)

    def __lt__(self, other):
        return self._binary(other, operator.lt)

    def __le__(self, other):
        return self._binary(other, operator.le)

    def __gt__(self, other):
        return self._binary(other, operator.gt)

    def __ge__(self, other):
        return self._binary(other, operator.ge)

    def __eq__(self, other):
        return self._binary(other, operator.eq)

    def __ne__(self, other):
        return self._binary(other, operator.ne)

    def __hash__(self):  # __eq__ is elementwise, as for tf.Tensor
        raise TypeError("RaggedTensor is unhashable.")

    def __neg__(self):
        return self.with_flat_values(-self.flat_values)

    def __abs__(self):
        return self.with_flat_values(abs(self.flat_values))

    def __invert__(self):
        return self.with_flat_values(~self.flat_values)


def _format(x):
    """Element formatter for printing: arrays as comma-separated lists, scalars via str."""
    if isinstance(x, np.ndarray):
        if x.size:
            return np.array2string(x, separator=", ")
        return repr(x.tolist())
    return str(x)


def _same_partition(a, b):
    while isinstance(a, RaggedTensor) and isinstance(b, RaggedTensor):
        if not np.array_equal(a._row_splits, b._row_splits):
            return False
        a, b = a._values, b._values
    return not isinstance(a, RaggedTensor) and not isinstance(b, RaggedTensor)


def _check_same_partition(a, b):
    if a.ragged_rank != b.ragged_rank:
        raise NotImplementedError("Elementwise ops on RaggedTensors of different ragged_rank "
                                  "are not implemented in tapeflow yet.")
    if not _same_partition(a, b):
        raise InvalidArgumentError(None, None, "Condition x == y did not hold.\n"
                                   "The RaggedTensors' row_splits differ.")


def _dense_operand(rt, other):
    """A dense operand rewritten to broadcast against `rt.flat_values`."""
    flat = rt.flat_values
    if not isinstance(other, Tensor):
        if isinstance(other, (int, float, bool, complex, str, bytes)):
            return other  # the Tensor operator converts it to flat's dtype
        other = convert_to_tensor(other, dtype_hint=flat.dtype)
    inner_rank = flat._value.ndim - 1
    rank = other._value.ndim
    if rank <= inner_rank:
        return other
    k = rt.ragged_rank
    oshape = other._value.shape
    full = k + 1 + inner_rank
    if rank <= full and all(d == 1 for d in ((1,) * (full - rank) + oshape)[1:k + 1]):
        array_ops, gather_ops = _ops()
        oshape = (1,) * (full - rank) + oshape
        squeezed = array_ops.reshape(other, (oshape[0],) + oshape[k + 1:])
        if oshape[0] == 1:
            return squeezed
        if oshape[0] != rt.nrows_int():
            raise InvalidArgumentError(None, None, "Incompatible shapes for broadcasting a "
                                       f"dense tensor of shape {oshape} with a RaggedTensor "
                                       f"of shape {rt.shape}")
        ids = np.arange(rt.nrows_int())
        r = rt
        while isinstance(r, RaggedTensor):
            ids = ids[_rowids(r._row_splits)]
            r = r._values
        return gather_ops.gather(squeezed, _wrap(ids.astype(np.int64)))
    if k == 1 and rank <= full:
        # Broadcast along the ragged dimension: a size m > 1 must equal every row's length.
        oshape = (1,) * (full - rank) + oshape
        d0, m = oshape[0], oshape[1]
        s = rt._row_splits
        lens = np.diff(s)
        if (m != 1 and np.any(lens != m)) or d0 not in (1, rt.nrows_int()):
            raise InvalidArgumentError(None, None, "Condition x == y did not hold.\n"
                                       f"Cannot broadcast a dense tensor of shape {oshape} "
                                       f"against a RaggedTensor of shape {rt.shape}.")
        if m != 1 and d0 != rt.nrows_int():
            # TensorFlow only broadcasts along the ragged dimension when the dense operand
            # also spans the rows (checked against TF 2.21).
            raise InvalidArgumentError(None, None, "Last row partition does not match "
                                       "flat_values.\nCondition x == y did not hold.")
        rows = _rowids(s) if d0 != 1 else np.zeros(int(s[-1]), np.int64)
        pos = (np.arange(int(s[-1])) - s[_rowids(s)]) if m != 1 else 0
        array_ops, gather_ops = _ops()
        table = array_ops.reshape(other, (d0 * m,) + oshape[2:])
        return gather_ops.gather(table, _wrap((rows * m + pos).astype(np.int64)))
    raise NotImplementedError(f"Broadcasting a dense tensor of shape {oshape} against a "
                              f"RaggedTensor of shape {rt.shape} is not implemented in "
                              "tapeflow yet.")


# -- indexing ---------------------------------------------------------------------------
def _check_key(k):
    if k is None or k is Ellipsis:
        raise NotImplementedError("Ellipsis and tf.newaxis indices on a RaggedTensor are not "
                                  "implemented in tapeflow yet.")
    if isinstance(k, slice):
        return k
    if isinstance(k, (bool, np.bool_)):
        raise ValueError("mask cannot be scalar.")
    if isinstance(k, float):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                        f"and scalar tf.int32/tf.int64 tensors are valid indices, got {k!r}")
    try:
        return operator.index(k)
    except TypeError:
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                        "and scalar tf.int32/tf.int64 tensors are valid indices, got "
                        f"{k!r}") from None


def _index_dense(t, keys):
    return t[keys] if keys else t


def _expand_ellipsis(rt, keys):
    if sum(k is Ellipsis for k in keys) > 1:
        raise ValueError("Ellipsis may only appear once")
    if not any(k is Ellipsis for k in keys):
        return keys
    i = next(j for j, k in enumerate(keys) if k is Ellipsis)
    rank = rt.ragged_rank + rt.flat_values._value.ndim
    used = sum(1 for k in keys if k is not None and k is not Ellipsis)
    return keys[:i] + (slice(None),) * max(0, rank - used) + keys[i + 1:]


def _getitem(rt, keys):
    keys = _expand_ellipsis(rt, tuple(k for k in keys))
    if keys and keys[0] is None:  # tf.newaxis in front: one row holding all of rt
        n = rt.nrows_int()
        wrapped = RaggedTensor._from_splits(rt, np.asarray([0, n], rt._row_splits.dtype), n)
        return _getitem(wrapped, (slice(None),) + keys[1:]) if len(keys) > 1 else wrapped
    if not keys:
        return rt
    keys = tuple(_check_key(k) for k in keys)
    k, rest = keys[0], keys[1:]
    n = rt.nrows_int()
    if isinstance(k, int):
        i = k + n if k < 0 else k
        if i < 0:
            raise InvalidArgumentError(None, None, f"slice index {i} of dimension 0 out of "
                                       "bounds. [Op:StridedSlice] name: strided_slice/")
        if not 0 <= i < n:
            raise IndexError(f"Row key {k} out of bounds")
        row = _gather_rows_range(rt, i, i + 1, 1)._values
        if isinstance(row, RaggedTensor):
            return _getitem(row, rest) if rest else row
        return _index_dense(row, rest)
    start, stop, step = k.indices(n)
    sub = _gather_rows_range(rt, start, stop, step)
    return _slice_inner(sub, rest) if rest else sub


def _gather_rows_range(rt, start, stop, step):
    rows = np.arange(start, stop, step, dtype=np.int64)
    if step == 1 and start == 0 and stop == rt.nrows_int():
        return rt
    return _gather_rows(rt, rows)


def _slice_inner(rt, keys):
    """Applies `keys` to dimensions 1.. of `rt` (dimension 1 is ragged)."""
    k, rest = keys[0], keys[1:]
    if not isinstance(k, slice):
        if rt._uniform_row_length is not None and not isinstance(rt._values, RaggedTensor):
            raise NotImplementedError("Integer indices into a uniform inner dimension of a "
                                      "RaggedTensor are not implemented in tapeflow yet.")
        raise ValueError("Cannot index into an inner ragged dimension.")
    values = rt._values
    if rest:
        if isinstance(values, RaggedTensor):
            values = _slice_inner(values, rest)
        else:
            values = values[(slice(None),) + rest]
    if k == slice(None):
        return RaggedTensor._from_splits(values, rt._row_splits, rt._uniform_row_length)
    s = rt._row_splits
    lens = np.diff(s)
    picked, new_lens = [], []
    for r in range(len(lens)):
        idx = np.arange(*k.indices(int(lens[r])), dtype=np.int64) + s[r]
        picked.append(idx)
        new_lens.append(len(idx))
    picked = np.concatenate(picked) if picked else np.zeros(0, np.int64)
    splits = np.concatenate([[0], np.cumsum(new_lens, dtype=np.int64)]).astype(s.dtype)
    return RaggedTensor._from_splits(_gather_rows(values, picked), splits)

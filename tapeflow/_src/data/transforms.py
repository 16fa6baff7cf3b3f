"""tf.data transformations: map, filter, batch, shuffle, repeat, window, interleave, ...

Each transformation is a Dataset subclass holding its input; the matching `Dataset`
method is attached at the bottom of this module. User functions receive Tensors, with
tuple elements unpacked into positional arguments as in TensorFlow.
"""

from __future__ import annotations

import itertools
import os
import pickle

import numpy as np

from tapeflow._src.data import parallel, structure
from tapeflow._src.data.dataset import (
    AUTOTUNE, INFINITE, UNKNOWN, Dataset, current_options, probe, probing, seed_pair,
)
from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.tensor_spec import TensorSpec

_to_tensors = structure.to_tensors
_normalize_output = structure.normalize_output


def _call(fn, elem):
    """Calls a user function on an internal element, unpacking tuples as TensorFlow does."""
    args = _to_tensors(elem)
    if type(args) is tuple:
        return fn(*args)
    return fn(args)


def _as_bool(value, what):
    v = value._value if isinstance(value, Tensor) else np.asarray(value)
    if np.ndim(v) != 0 or np.asarray(v).dtype != np.bool_:
        raise ValueError(f"Invalid `{what}`. `{what}` must return a `tf.bool` scalar "
                         f"tensor, but its return type is {structure.spec_of(np.asarray(v))}.")
    return bool(v)


class _UnaryDataset(Dataset):
    def __init__(self, input_dataset):
        self._input = input_dataset
        self._inputs = (input_dataset,)

    def _card(self):
        return self._input._card()

    def _compute_spec(self):
        return self._input.element_spec


class OptionsDataset(_UnaryDataset):
    _name = "_OptionsDataset"

    def __init__(self, input_dataset, options):
        super().__init__(input_dataset)
        self._own_options = options

    def _make_iterator(self):
        return self._input._make_iterator()

    def _rows_source(self):
        return self._input._rows_source()

    def _make_index_iterator(self):
        return self._input._make_index_iterator()


# -- map, filter -----------------------------------------------------------------------
class _MapIterator:
    __slots__ = ("_up", "_fn")

    def __init__(self, up, fn):
        self._up, self._fn = up, fn

    def __iter__(self):
        return self

    def __next__(self):
        return self._fn(next(self._up))

    def close(self):
        close = getattr(self._up, "close", None)
        if close is not None:
            close()


def _element_fn(fn):
    """Internal element -> internal element, through the user's function.

    Same as `_normalize_output(_call(fn, elem))`, with the common cases (a tuple element
    of arrays, a Tensor or a tuple of Tensors returned) handled inline: this runs once per
    element.
    """
    wrap, ndarray, generic, tensor = _wrap, np.ndarray, np.generic, Tensor

    def apply(elem):
        if type(elem) is tuple:
            out = fn(*[wrap(v) if type(v) is ndarray or isinstance(v, generic)
                       else _to_tensors(v) for v in elem])
        else:
            out = fn(_to_tensors(elem))
        t = type(out)
        if t is tuple:
            return tuple([v._value if type(v) is tensor else _normalize_output(v)
                          for v in out])
        if t is tensor:
            return out._value
        return _normalize_output(out)
    return apply


class MapDataset(_UnaryDataset):
    _name = "_MapDataset"

    def __init__(self, input_dataset, map_func, num_parallel_calls=None, deterministic=None):
        super().__init__(input_dataset)
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable, got {map_func!r}.")
        self._fn = map_func
        self._parallel = num_parallel_calls
        self._deterministic = deterministic
        if num_parallel_calls is not None:
            self._name = "_ParallelMapDataset"

    def _make_iterator(self, sequential=False):
        up = self._input._make_iterator()
        fn = _element_fn(self._fn)
        n = self._parallel
        if sequential or n is None or n == 1 or probing():
            return _MapIterator(up, fn)
        autotune = n == AUTOTUNE
        if autotune:
            n = parallel.autotune_parallelism()
        elif n < 1:
            raise ValueError(f"num_parallel_calls must be positive or tf.data.AUTOTUNE, got {n}")
        det = self._deterministic
        if det is None:
            opts = current_options()
            det = True if opts is None or opts.deterministic is None else opts.deterministic
        return parallel.ParallelMapIterator(up, fn, n, det, autotune=autotune)

    def _compute_spec(self):
        # The function runs once on the first element to learn the output structure
        # (TensorFlow runs it once too, when it traces it).
        # Elements whose function raises are skipped (they may be dropped by ignore_errors).
        in_spec = self._input.element_spec
        it = probe(self._input)
        first_error = None
        for _ in range(16):
            try:
                first = next(it)
            except StopIteration:
                first = structure.zero_element(in_spec)
            try:
                out = _normalize_output(_call(self._fn, first))
                break
            except Exception as e:  # noqa: BLE001
                first_error = first_error or e
        else:
            raise first_error
        spec = structure.spec_of(out)
        return _relax_like_input(spec, in_spec, first)


def _relax_like_input(spec, in_spec, first_in):
    """Output dims equal to an unknown input leading dim become unknown (batched input)."""
    unknown = set()
    for s, leaf in zip(structure.flatten(in_spec), structure.flatten(first_in)):
        if isinstance(s, TensorSpec) and s.shape.rank and s.shape.as_list()[0] is None:
            unknown.add(np.shape(leaf)[0])
    if not unknown:
        return spec

    def one(s):
        if not isinstance(s, TensorSpec) or not s.shape.rank:
            return s
        dims = s.shape.as_list()
        if dims[0] in unknown:
            dims[0] = None
        return TensorSpec(dims, s.dtype)
    return structure.pack(spec, [one(s) for s in structure.flatten(spec)])


class _FilterIterator:
    __slots__ = ("_up", "_pred")

    def __init__(self, up, pred):
        self._up, self._pred = up, pred

    def __iter__(self):
        return self

    def __next__(self):
        up, pred = self._up, self._pred
        while True:
            elem = next(up)
            if _as_bool(_call(pred, elem), "predicate"):
                return elem

    def close(self):
        close = getattr(self._up, "close", None)
        if close is not None:
            close()


class _PredicateDataset(_UnaryDataset):
    """Keeps the input elements a predicate selects, so its cardinality is unknown."""

    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._pred = predicate

    def _card(self):
        return UNKNOWN


class FilterDataset(_PredicateDataset):
    _name = "_FilterDataset"

    def _make_iterator(self):
        return _FilterIterator(self._input._make_iterator(), self._pred)


class _IgnoreErrorsIterator:
    __slots__ = ("_up", "_log")

    def __init__(self, up, log):
        self._up, self._log = up, log

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self._up)
            except StopIteration:
                raise
            except Exception as e:  # noqa: BLE001 - that is what ignore_errors is for
                if self._log:
                    import warnings
                    warnings.warn(f"Ignoring error: {e}", stacklevel=2)


class IgnoreErrorsDataset(_UnaryDataset):
    _name = "_IgnoreErrorsDataset"

    def __init__(self, input_dataset, log_warning=False):
        super().__init__(input_dataset)
        self._log = log_warning

    def _card(self):
        return UNKNOWN

    def _make_iterator(self):
        return _IgnoreErrorsIterator(self._input._make_iterator(), self._log)


class TakeWhileDataset(_PredicateDataset):
    _name = "_TakeWhileDataset"

    def _make_iterator(self):
        pred = self._pred
        for elem in self._input._make_iterator():
            if not _as_bool(_call(pred, elem), "predicate"):
                return
            yield elem


class ScanDataset(_UnaryDataset):
    _name = "_ScanDataset"

    def __init__(self, input_dataset, initial_state, scan_func):
        super().__init__(input_dataset)
        self._init = structure.normalize(initial_state)
        self._fn = scan_func

    def _step(self, state, elem):
        args = _to_tensors(elem)
        st = _to_tensors(state)
        out = self._fn(st, *args) if type(args) is tuple else self._fn(st, args)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("The scan function must return a pair comprising the new state "
                            "and the output value.")
        new_state = _normalize_output(out[0])
        from tapeflow._src.data.dataset import _check_state
        _check_state(state, new_state, "scan_func")
        return new_state, _normalize_output(out[1])

    def _compute_spec(self):
        it = probe(self._input)
        try:
            first = next(it)
        except StopIteration:
            first = structure.zero_element(self._input.element_spec)
        return structure.spec_of(self._step(self._init, first)[1])

    def _make_iterator(self):
        state = self._init
        for elem in self._input._make_iterator():
            state, out = self._step(state, elem)
            yield out


# -- batching ---------------------------------------------------------------------------
def _stack(elems):
    """A list of elements with the same structure -> one element of stacked arrays."""
    first = elems[0]
    if isinstance(first, (np.ndarray, np.generic)):
        return _stack_leaf(elems, 0)
    if type(first) is tuple and all(isinstance(v, (np.ndarray, np.generic)) for v in first):
        # Flat tuples (the common (x, y) case): no structure walk needed.
        n = len(first)
        if all(type(e) is tuple and len(e) == n for e in elems):
            return tuple([_stack_leaf(col, i) for i, col in enumerate(zip(*elems))])
    flats = [structure.flatten(e) for e in elems]
    n = len(flats[0])
    for f in flats:
        if len(f) != n:
            raise InvalidArgumentError(None, None, "Cannot batch elements with different "
                                       "structures.")
    return structure.pack(first, [_stack_leaf([f[i] for f in flats], i) for i in range(n)])


def _stack_leaf(leaves, component):
    first = leaves[0]
    if isinstance(first, structure._sparse_type()):
        from tapeflow._src.ops.sparse_extra_ops import stack_rows
        return stack_rows(leaves)
    if isinstance(first, (np.ndarray, np.generic)) and first.dtype != object:
        # np.array builds the batch about twice as fast as np.stack from many small
        # arrays (and ten times as fast from NumPy scalars); it is used when it gives
        # exactly what np.stack gives: same dtype (no promotion) and no ragged shapes.
        try:
            out = np.array(leaves)
        except ValueError:
            out = None
        if out is not None and out.dtype == first.dtype and out.shape[1:] == first.shape:
            return out
    try:
        return np.stack(leaves)
    except ValueError:
        first = np.shape(leaves[0])
        for j, x in enumerate(leaves):
            if np.shape(x) != first:
                raise InvalidArgumentError(
                    None, None, f"Cannot batch tensors with different shapes in component "
                    f"{component}. First element had shape {list(first)} and element {j} had "
                    f"shape {list(np.shape(x))}.") from None
        raise


class BatchDataset(_UnaryDataset):
    _name = "_BatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        super().__init__(input_dataset)
        self._n = int(batch_size)
        if self._n <= 0:
            raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        self._drop = bool(drop_remainder)

    def _card(self):
        c = self._input._card()
        if c < 0:
            return c
        return c // self._n if self._drop else -(-c // self._n)

    def _compute_spec(self):
        return structure.batch_spec(self._input.element_spec, self._n if self._drop else None)

    def _make_iterator(self):
        # The input's iterator is made on the first next() (generators), as before.
        src = self._input._rows_source()
        if src is not None:
            return _gather_batches(src, self._input._make_index_iterator, self._n, self._drop)
        return _stack_batches(self._input._make_iterator, self._n, self._drop)


def _stack_batches(make_input, n, drop):
    up = make_input()
    while True:
        buf = list(itertools.islice(up, n))
        if not buf or (drop and len(buf) < n):
            return
        yield _stack(buf)
        if len(buf) < n:
            return


def _gather_batches(src, make_indices, n, drop):
    """`batch` over rows of arrays: one fancy-indexing gather per component and batch."""
    indices = make_indices()
    gather = src._gather
    while True:
        chunk = list(itertools.islice(indices, n))
        if not chunk or (drop and len(chunk) < n):
            return
        yield gather(chunk)
        if len(chunk) < n:
            return


class PaddedBatchDataset(_UnaryDataset):
    _name = "_PaddedBatchDataset"

    def __init__(self, input_dataset, batch_size, padded_shapes=None, padding_values=None,
                 drop_remainder=False):
        super().__init__(input_dataset)
        self._n = int(batch_size)
        self._drop = bool(drop_remainder)
        spec = input_dataset.element_spec
        flat_spec = structure.flatten(spec)
        if padded_shapes is None:
            for s in flat_spec:
                if s.shape.rank is None:
                    raise ValueError("You must provide `padded_shapes` argument because "
                                     "component shapes have unknown rank.")
            # Pad every dimension to the batch maximum: map's static shapes come from its
            # first element and may be more specific than TensorFlow's traced ones.
            shapes = [TensorShape([None] * s.shape.rank) for s in flat_spec]
        else:
            shapes = [TensorShape(p.numpy().tolist() if isinstance(p, Tensor) else p)
                      for p in _flatten_like(spec, padded_shapes)]
            shapes = [TensorShape([None if d == -1 else d for d in s.as_list()])
                      for s in shapes]
        if padding_values is None:
            pads = [b"" if s.dtype == dtypes.string else 0 for s in flat_spec]
        else:
            pads = _flatten_like(spec, padding_values)
        self._shapes = [s.as_list() for s in shapes]
        self._pads = [np.asarray(p._value if isinstance(p, Tensor) else p,
                                 dtype=s.dtype.as_numpy_dtype) for p, s in zip(pads, flat_spec)]
        for p, s in zip(pads, flat_spec):
            if isinstance(p, Tensor) and p.dtype != s.dtype:
                raise TypeError(f"Padding value dtype {p.dtype.name} does not match "
                                f"component dtype {s.dtype.name}.")

    def _card(self):
        return BatchDataset._card(self)

    def _compute_spec(self):
        flat = structure.flatten(self._input.element_spec)
        b = self._n if self._drop else None
        out = [TensorSpec([b] + shp, s.dtype) for shp, s in zip(self._shapes, flat)]
        return structure.pack(self._input.element_spec, out)

    def _pad(self, elems):
        flats = [structure.flatten(e) for e in elems]
        out = []
        for i, (shp, pad) in enumerate(zip(self._shapes, self._pads)):
            leaves = [np.asarray(f[i]) for f in flats]
            rank = leaves[0].ndim
            if len(shp) != rank:
                raise InvalidArgumentError(None, None, f"All elements in a batch must have "
                                           f"the same rank as the padded shape for component"
                                           f"{i}: expected rank {len(shp)} but got element "
                                           f"with rank {rank}")
            maxs = np.max([x.shape for x in leaves], axis=0) if rank else ()
            target = [int(m) if d is None else d for d, m in zip(shp, maxs)]
            res = np.full([len(leaves)] + target, pad, dtype=leaves[0].dtype)
            for j, x in enumerate(leaves):
                if any(a > b for a, b in zip(x.shape, target)):
                    raise InvalidArgumentError(
                        None, None, f"Attempted to pad to a smaller size than the input "
                        f"element.")
                res[(j,) + tuple(slice(0, a) for a in x.shape)] = x
            out.append(res)
        return structure.pack(elems[0], out)

    def _make_iterator(self):
        up = self._input._make_iterator()
        n, drop = self._n, self._drop
        while True:
            buf = []
            for elem in up:
                buf.append(elem)
                if len(buf) == n:
                    break
            if not buf or (drop and len(buf) < n):
                return
            yield self._pad(buf)
            if len(buf) < n:
                return


def _flatten_like(spec, value):
    """Flattens `value` (padded_shapes / padding_values) against the element structure."""
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)):
            return [v for s in spec for v in _flatten_like(s, value)]
        return [v for s, x in zip(spec, value) for v in _flatten_like(s, x)]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [v for k in sorted(spec) for v in _flatten_like(spec[k], value)]
        return [v for k in sorted(spec) for v in _flatten_like(spec[k], value[k])]
    return [value]


def _unbatch(up):
    for elem in up:
        leaves = structure.flatten(elem)
        n = leaves[0].shape[0]
        for x in leaves[1:]:
            if x.shape[0] != n:
                raise InvalidArgumentError(None, None, f"Input element must have the same "
                                           f"batch size in each component. Component 0 had "
                                           f"size {n} but one of the components had size "
                                           f"{x.shape[0]}.")
        if len(leaves) == 1 and not isinstance(elem, (tuple, dict)):
            x = leaves[0]
            if x.dtype == object:
                for i in range(n):
                    yield x[i, ...]
            else:
                yield from x
            continue
        for i in range(n):
            yield structure.pack(elem, [x[i, ...] for x in leaves])


class UnbatchDataset(_UnaryDataset):
    _name = "_UnbatchDataset"

    def _card(self):
        return INFINITE if self._input._card() == INFINITE else UNKNOWN

    def _compute_spec(self):
        return structure.unbatch_spec(self._input.element_spec)

    def _make_iterator(self):
        return _unbatch(self._input._make_iterator())


class RebatchDataset(_UnaryDataset):
    _name = "_RebatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        super().__init__(input_dataset)
        sizes = batch_size.numpy().tolist() if isinstance(batch_size, Tensor) else batch_size
        self._sizes = [int(s) for s in (sizes if isinstance(sizes, (list, tuple)) else [sizes])]
        self._drop = bool(drop_remainder)

    def _card(self):
        return UNKNOWN

    def _compute_spec(self):
        one = len(self._sizes) == 1 and self._drop
        return structure.relax_spec(self._input.element_spec, 1) if not one else \
            structure.batch_spec(structure.unbatch_spec(self._input.element_spec),
                                 self._sizes[0])

    def _make_iterator(self):
        up = _unbatch(self._input._make_iterator())
        k = 0
        while True:
            n = self._sizes[k % len(self._sizes)]
            k += 1
            buf = []
            for elem in up:
                buf.append(elem)
                if len(buf) == n:
                    break
            if not buf or (self._drop and len(buf) < n):
                return
            yield _stack(buf)
            if len(buf) < n:
                return


# -- ordering and counting --------------------------------------------------------------
class _ReorderDataset(_UnaryDataset):
    """A transformation that only reorders, repeats or drops whole input elements.

    Such a dataset keeps its input's rows source: over a source it works on row indices
    and gathers the rows at the end. Subclasses give `_reorder(make_input)`, which turns a
    no-argument callable making the input iterator into the output iterator; it serves
    for elements and, unless `_reorder_indices` is overridden, for row indices too.
    """

    def _rows_source(self):
        return self._input._rows_source()

    def _reorder_indices(self, make_input):
        return self._reorder(make_input)

    def _make_index_iterator(self):
        return self._reorder_indices(self._input._make_index_iterator)

    def _make_iterator(self):
        src = self._input._rows_source()
        if src is not None:
            return src._rows(self._make_index_iterator())
        return self._reorder(self._input._make_iterator)


class ShuffleDataset(_ReorderDataset):
    _name = "_ShuffleDataset"

    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=True):
        super().__init__(input_dataset)
        self._size = int(buffer_size)
        if self._size == AUTOTUNE:
            raise NotImplementedError("shuffle(buffer_size=tf.data.AUTOTUNE) is not "
                                      "implemented in tapeflow.")
        if self._size <= 0:
            raise InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        self._seeds = seed_pair(seed)
        self._reshuffle = True if reshuffle_each_iteration is None else reshuffle_each_iteration
        self._epoch = 0
        self._fixed_entropy = np.random.SeedSequence().entropy

    def _rng(self):
        epoch = self._epoch
        if not probing():  # a spec probe is not a pass: the next real pass gets this order
            self._epoch += 1
        if not self._reshuffle:
            epoch = 0
        if self._seeds is None:
            if self._reshuffle:
                return np.random.default_rng()
            return np.random.default_rng(self._fixed_entropy)
        g, s = self._seeds
        return np.random.default_rng([g, s, epoch, 3])

    # Over a rows source, row indices are shuffled, not elements: same order, less work.
    def _reorder_indices(self, make_input):
        return _shuffle_indices(make_input(), self._size, self._rng())

    def _reorder(self, make_input):
        return _shuffle(make_input(), self._size, self._rng())


def _shuffle(up, size, rng):
    """Buffer shuffle: emits a uniformly drawn buffer entry, refilled from `up`."""
    up = iter(up)
    buf = list(itertools.islice(up, size))
    nxt = up.__next__
    while buf:
        for u in rng.random(1024).tolist():
            i = int(u * len(buf))
            out = buf[i]
            try:
                buf[i] = nxt()
            except StopIteration:
                buf[i] = buf[-1]
                buf.pop()
                yield out
                if not buf:
                    return
                continue
            yield out


def _shuffle_indices(up, size, rng):
    """`_shuffle` over an iterator of ints, the same output computed 1024 steps at a time.

    While the input lasts the buffer stays full, so the slots the draws pick are known in
    advance: step t outputs what its slot holds, which is the input written there by the
    last earlier step that picked the same slot (or the slot's value before the block).
    A stable sort by slot finds those steps. Once the input runs out, `_shuffle`'s loop
    finishes the job with the draws left.
    """
    up = iter(up)
    buf = np.fromiter(itertools.islice(up, size), dtype=np.int64)
    exhausted = len(buf) < size
    draws = None
    while not exhausted:
        draws = rng.random(1024)
        new = np.fromiter(itertools.islice(up, 1024), dtype=np.int64)
        m = len(new)
        if m:
            slots = (draws[:m] * size).astype(np.int64)
            order = np.argsort(slots, kind="stable")
            s_sorted = slots[order]
            new_sorted = new[order]
            repeat = np.zeros(m, dtype=bool)
            repeat[1:] = s_sorted[1:] == s_sorted[:-1]
            out_sorted = buf[s_sorted]
            out_sorted[repeat] = new_sorted[:-1][repeat[1:]]
            out = np.empty(m, dtype=np.int64)
            out[order] = out_sorted
            last = np.ones(m, dtype=bool)
            last[:-1] = ~repeat[1:]
            buf[s_sorted[last]] = new_sorted[last]
            yield from out.tolist()
        if m < 1024:
            exhausted = True
            draws = draws[m:]
    # The input is exhausted: each step now shrinks the buffer, as in `_shuffle`.
    buf = buf.tolist()
    while buf:
        for u in (draws.tolist() if draws is not None else rng.random(1024).tolist()):
            i = int(u * len(buf))
            out = buf[i]
            buf[i] = buf[-1]
            buf.pop()
            yield out
            if not buf:
                return
        draws = None


class RepeatDataset(_ReorderDataset):
    _name = "_RepeatDataset"

    def __init__(self, input_dataset, count=None):
        super().__init__(input_dataset)
        self._count = -1 if count is None else int(count)

    def _card(self):
        c = self._input._card()
        if self._count == -1:
            return 0 if c == 0 else INFINITE
        if c == INFINITE:
            return INFINITE if self._count > 0 else 0
        if c == UNKNOWN:
            return 0 if self._count == 0 else UNKNOWN
        return c * self._count

    def _reorder(self, make_input):
        return _repeat_iter(make_input, self._count)


def _repeat_iter(make, count):
    epoch = 0
    while count < 0 or epoch < count:
        produced = False
        for elem in make():
            produced = True
            yield elem
        epoch += 1
        if not produced:
            return


class TakeDataset(_ReorderDataset):
    _name = "_TakeDataset"

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int(count)

    def _card(self):
        c = self._input._card()
        if self._count < 0:
            return c
        if c == INFINITE:
            return self._count
        if c == UNKNOWN:
            return UNKNOWN
        return min(c, self._count)

    def _reorder(self, make_input):
        up = make_input()
        if self._count < 0:
            return up
        if self._count == 0:
            return iter(())
        return _take(up, self._count)


def _take(up, n):
    for i, elem in enumerate(up):
        yield elem
        if i + 1 == n:
            return


class SkipDataset(_ReorderDataset):
    _name = "_SkipDataset"

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int(count)

    def _card(self):
        c = self._input._card()
        if c < 0:
            return c
        if self._count < 0:
            return 0
        return max(0, c - self._count)

    def _reorder(self, make_input):
        return _skip_iter(make_input, self._count)


def _skip_iter(make_input, count):
    up = make_input()  # on the first next(), as before
    if count < 0:
        for _ in up:
            pass
        return
    for i, elem in enumerate(up):
        if i >= count:
            yield elem


class ShardDataset(_UnaryDataset):
    _name = "_ShardDataset"

    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._num, self._index = int(num_shards), int(index)
        if self._num <= 0:
            raise InvalidArgumentError(None, None, f"Number of shards must be greater than "
                                       f"zero (currently num_shards = {self._num}).")
        if not 0 <= self._index < self._num:
            raise InvalidArgumentError(None, None, f"Index must be between 0 and "
                                       f"{self._num - 1} (currently index = {self._index}).")

    def _card(self):
        c = self._input._card()
        if c < 0:
            return c
        return c // self._num + (1 if c % self._num > self._index else 0)

    def _make_iterator(self):
        num, index = self._num, self._index
        for i, elem in enumerate(self._input._make_iterator()):
            if i % num == index:
                yield elem


class PrefetchDataset(_UnaryDataset):
    _name = "_PrefetchDataset"

    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        self._size = int(buffer_size)

    def _make_iterator(self):
        up = self._input._make_iterator()
        if self._size == 0 or probing():
            return up
        size = 8 if self._size == AUTOTUNE else self._size
        return parallel.PrefetchIterator(up, size)


class CacheDataset(_UnaryDataset):
    _name = "_CacheDataset"

    def __init__(self, input_dataset, filename=""):
        super().__init__(input_dataset)
        self._filename = os.fspath(filename.numpy().decode() if isinstance(filename, Tensor)
                                   else filename)
        self._memory = None

    def _make_iterator(self):
        if self._filename:
            return self._file_iterator()
        if self._memory is not None:
            return iter(self._memory)
        return self._fill_memory()

    def _fill_memory(self):
        items = []
        for elem in self._input._make_iterator():
            items.append(elem)
            yield elem
        self._memory = items

    def _file_iterator(self):
        index = self._filename + ".index"
        data = self._filename + ".data-00000-of-00001"
        if os.path.exists(index):
            with open(data, "rb") as f:
                while True:
                    try:
                        yield pickle.load(f)
                    except EOFError:
                        return
        tmp = data + ".tmp"
        with open(tmp, "wb") as f:
            for elem in self._input._make_iterator():
                pickle.dump(elem, f, protocol=pickle.HIGHEST_PROTOCOL)
                yield elem
        os.replace(tmp, data)
        with open(index, "wb") as f:
            f.write(b"tapeflow-cache-v1")


# Imported here: nested.py builds on _call and _UnaryDataset above.
from tapeflow._src.data import nested as _nested  # noqa: E402


# -- the Dataset methods ----------------------------------------------------------------
def _map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
         use_unbounded_threadpool=False, name=None):
    """Applies `map_func` to each element (tuples are unpacked into arguments).

    With `num_parallel_calls` (an int or `tf.data.AUTOTUNE`) elements are mapped on a
    thread pool; `deterministic=False` lets results come out in completion order.
    """
    return MapDataset(self, map_func, num_parallel_calls, deterministic)


def _filter(self, predicate, name=None):
    """Keeps the elements for which `predicate` returns a true `tf.bool` scalar."""
    return FilterDataset(self, predicate)


def _batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
           name=None):
    """Stacks consecutive elements into batches of `batch_size` (the last may be smaller)."""
    return BatchDataset(self, batch_size, drop_remainder)


def _padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                  drop_remainder=False, name=None):
    """Batches elements of different shapes, padding each to the largest (or given) shape."""
    return PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)


def _unbatch_m(self, name=None):
    """Splits each element along its first dimension into separate elements."""
    return UnbatchDataset(self)


def _rebatch(self, batch_size, drop_remainder=False, name=None):
    """Re-batches already-batched elements to `batch_size` (an int or a cycled list)."""
    return RebatchDataset(self, batch_size, drop_remainder)


def _shuffle_m(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
    """Shuffles with a buffer of `buffer_size` elements (uniform when it holds them all).

    With a seed (or a global seed) the order repeats on every run; with
    `reshuffle_each_iteration` each pass over the dataset gets a new order.
    """
    return ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)


def _repeat(self, count=None, name=None):
    """Repeats the dataset `count` times (forever when None or -1)."""
    return RepeatDataset(self, count)


def _take_m(self, count, name=None):
    """The first `count` elements (all when -1)."""
    return TakeDataset(self, count)


def _skip(self, count, name=None):
    """All but the first `count` elements (none when -1)."""
    return SkipDataset(self, count)


def _shard(self, num_shards, index, name=None):
    """Every `num_shards`-th element, starting at `index`."""
    return ShardDataset(self, num_shards, index)


def _prefetch(self, buffer_size, name=None):
    """Prepares up to `buffer_size` elements ahead in a background thread."""
    return PrefetchDataset(self, buffer_size)


def _cache(self, filename="", name=None):
    """Keeps the elements after the first full pass, in memory or in `filename`."""
    return CacheDataset(self, filename)


def _apply(self, transformation_func):
    """`transformation_func(self)`, which must return a Dataset."""
    ds = transformation_func(self)
    if not isinstance(ds, Dataset):
        raise TypeError(f"`transformation_func` must return a `tf.data.Dataset` object. "
                        f"Got {type(ds)}.")
    return ds


def _flat_map(self, map_func, name=None):
    """Maps each element to a Dataset and chains those datasets."""
    return _nested.FlatMapDataset(self, map_func)


def _interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                deterministic=None, name=None):
    """Maps elements to Datasets and mixes `cycle_length` of them, `block_length` at a time."""
    return _nested.InterleaveDataset(self, map_func, cycle_length, block_length,
                                     num_parallel_calls, deterministic)


def _window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
    """Groups elements into windows; each window is a (structure of) nested Dataset."""
    return _nested.WindowDataset(self, size, shift, stride, drop_remainder)


def _scan(self, initial_state, scan_func, name=None):
    """Threads a state through `scan_func(state, element) -> (new_state, output)`."""
    return ScanDataset(self, initial_state, scan_func)


def _group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                     name=None):
    """Groups elements by an int64 key and reduces each full window to a Dataset."""
    return _nested.GroupByWindowDataset(self, key_func, reduce_func, window_size,
                                        window_size_func)


def _bucket_by_sequence_length_m(self, element_length_func, bucket_boundaries,
                                 bucket_batch_sizes, padded_shapes=None, padding_values=None,
                                 pad_to_bucket_boundary=False, no_padding=False,
                                 drop_remainder=False, name=None):
    """Batches elements of similar length together, padding within each bucket."""
    return self.apply(_nested._bucket_by_sequence_length(
        element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
        padding_values, pad_to_bucket_boundary, no_padding, drop_remainder))


def _ignore_errors(self, log_warning=False, name=None):
    """Drops elements whose computation raised an error."""
    return IgnoreErrorsDataset(self, log_warning)


def _take_while(self, predicate, name=None):
    """Elements up to (not including) the first for which `predicate` is False."""
    return TakeWhileDataset(self, predicate)


for _name, _fn in {
    "map": _map, "filter": _filter, "batch": _batch, "padded_batch": _padded_batch,
    "unbatch": _unbatch_m, "rebatch": _rebatch, "shuffle": _shuffle_m, "repeat": _repeat,
    "take": _take_m, "skip": _skip, "shard": _shard, "prefetch": _prefetch, "cache": _cache,
    "apply": _apply, "flat_map": _flat_map, "interleave": _interleave, "window": _window,
    "scan": _scan, "group_by_window": _group_by_window,
    "bucket_by_sequence_length": _bucket_by_sequence_length_m,
    "ignore_errors": _ignore_errors, "take_while": _take_while,
}.items():
    _fn.__name__ = _name
    _fn.__qualname__ = f"Dataset.{_name}"
    setattr(Dataset, _name, _fn)

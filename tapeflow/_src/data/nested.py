"""tf.data transformations that produce or consume nested Datasets: flat_map, interleave,
window, group_by_window, bucket_by_sequence_length, and sampling from several datasets."""

from __future__ import annotations

import collections

import numpy as np

from tapeflow._src.data import parallel, structure
from tapeflow._src.data.dataset import (
    AUTOTUNE, INFINITE, UNKNOWN, Dataset, probe, probing, seed_pair,
)
from tapeflow._src.data.transforms import _call, _UnaryDataset
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.tensor_shape import TensorShape

_to_tensors = structure.to_tensors


# -- nested datasets --------------------------------------------------------------------
class ListDataset(Dataset):
    """A dataset over a list of internal elements (window contents, group buffers)."""

    _name = "_VariantDataset"

    def __init__(self, elements, spec):
        self._elements = elements
        self._spec = spec

    def _card(self):
        return len(self._elements)

    def _compute_spec(self):
        return self._spec

    def _make_iterator(self):
        return iter(self._elements)


def _dataset_result(fn, elem, what):
    ds = _call(fn, elem)
    if not isinstance(ds, Dataset):
        raise TypeError(f"The `map_func` argument must return a `Dataset` object. Got "
                        f"{type(ds)!r}.")
    return ds


class FlatMapDataset(_UnaryDataset):
    _name = "_FlatMapDataset"

    def __init__(self, input_dataset, map_func):
        super().__init__(input_dataset)
        self._fn = map_func

    def _card(self):
        return UNKNOWN

    def _compute_spec(self):
        return _first_inner_spec(self._input, self._fn)

    def _make_iterator(self):
        fn = self._fn
        for elem in self._input._make_iterator():
            yield from _dataset_result(fn, elem, "flat_map")._make_iterator()


def _first_inner_spec(input_dataset, fn):
    it = probe(input_dataset)
    try:
        first = next(it)
    except StopIteration:
        first = structure.zero_element(input_dataset.element_spec)
    return _dataset_result(fn, first, "map_func").element_spec


class InterleaveDataset(_UnaryDataset):
    _name = "_InterleaveDataset"

    def __init__(self, input_dataset, map_func, cycle_length=None, block_length=None,
                 num_parallel_calls=None, deterministic=None):
        super().__init__(input_dataset)
        self._fn = map_func
        self._cycle = AUTOTUNE if cycle_length is None else int(cycle_length)
        self._block = 1 if block_length is None else int(block_length)
        self._parallel = num_parallel_calls
        if num_parallel_calls is not None:
            self._name = "_ParallelInterleaveDataset"

    def _card(self):
        return UNKNOWN

    def _compute_spec(self):
        return _first_inner_spec(self._input, self._fn)

    def _make_iterator(self):
        cycle = parallel.autotune_parallelism() if self._cycle == AUTOTUNE else self._cycle
        block, fn, par = self._block, self._fn, self._parallel
        up = self._input._make_iterator()
        slots = [None] * cycle
        exhausted = False

        def open_next():
            elem = next(up)
            it = _dataset_result(fn, elem, "interleave")._make_iterator()
            if par is not None and not probing():
                # Each open input is read ahead by its own thread: the order stays that of
                # the sequential interleave.
                it = parallel.PrefetchIterator(it, max(block, 2))
            return it

        for i in range(cycle):
            try:
                slots[i] = open_next()
            except StopIteration:
                exhausted = True
                break
        while any(s is not None for s in slots):
            for i in range(cycle):
                it = slots[i]
                if it is None:
                    continue
                for _ in range(block):
                    try:
                        elem = next(it)
                    except StopIteration:
                        it = None
                        if not exhausted:
                            try:
                                it = open_next()
                            except StopIteration:
                                exhausted = True
                        slots[i] = it
                        break
                    yield elem
                    # A replacement opened mid-block starts its own block next turn.
                if it is None:
                    slots[i] = None


class WindowDataset(_UnaryDataset):
    _name = "_WindowDataset"

    def __init__(self, input_dataset, size, shift=None, stride=1, drop_remainder=False):
        super().__init__(input_dataset)
        self._size = int(size)
        self._shift = self._size if shift is None else int(shift)
        self._stride = int(stride)
        self._drop = bool(drop_remainder)
        for name, v in (("size", self._size), ("shift", self._shift),
                        ("stride", self._stride)):
            if v <= 0:
                raise InvalidArgumentError(None, None, f"Window {name} must be greater than "
                                           f"zero, but got {v}.")

    def _card(self):
        c = self._input._card()
        if c < 0:
            return c
        span = (self._size - 1) * self._stride + 1
        if self._drop:
            return 0 if c < span else (c - span) // self._shift + 1
        return -(-c // self._shift)

    def _compute_spec(self):
        spec = self._input.element_spec
        return structure.pack(spec, [structure.DatasetSpec(s) for s in structure.flatten(spec)])

    def _make_iterator(self):
        size, shift, stride, drop = self._size, self._shift, self._stride, self._drop
        flat_spec = structure.flatten(self._input.element_spec)
        up = self._input._make_iterator()
        buf = collections.deque()  # elements from index `start` on
        start = 0
        done = False
        span = (size - 1) * stride + 1
        while True:
            while not done and len(buf) < span:
                try:
                    buf.append(next(up))
                except StopIteration:
                    done = True
            if not buf:
                return
            picked = [buf[j] for j in range(0, min(span, len(buf)), stride)]
            if len(picked) < size and drop:
                return
            template = picked[0]
            flats = [structure.flatten(e) for e in picked]
            leaves = [ListDataset([f[i] for f in flats], s) for i, s in enumerate(flat_spec)]
            yield structure.pack(template, leaves)
            start += shift
            for _ in range(min(shift, len(buf))):
                buf.popleft()
            skip = shift - span if shift > span else 0
            while skip and not done:
                try:
                    next(up)
                    skip -= 1
                except StopIteration:
                    done = True
            if done and not buf:
                return


class GroupByWindowDataset(_UnaryDataset):
    _name = "_GroupByWindowDataset"

    def __init__(self, input_dataset, key_func, reduce_func, window_size=None,
                 window_size_func=None):
        super().__init__(input_dataset)
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` "
                             "argument must be specified.")
        self._key = key_func
        self._reduce = reduce_func
        self._size_fn = (lambda k: window_size) if window_size_func is None else window_size_func

    def _card(self):
        return INFINITE if self._input._card() == INFINITE else UNKNOWN

    def _compute_spec(self):
        ds = self._reduce(_to_tensors(np.int64(0)),
                          ListDataset([], self._input.element_spec))
        return ds.element_spec

    def _key_of(self, elem):
        k = _call(self._key, elem)
        v = k._value if isinstance(k, Tensor) else np.asarray(k)
        if np.asarray(v).dtype != np.int64 or np.ndim(v) != 0:
            raise ValueError("`key_func` must return a single tf.int64 scalar tensor.")
        return int(v)

    def _make_iterator(self):
        spec = self._input.element_spec
        groups: dict = {}
        sizes: dict = {}
        for elem in self._input._make_iterator():
            k = self._key_of(elem)
            if k not in groups:
                groups[k] = []
                sizes[k] = int(np.asarray(getattr(s := self._size_fn(_to_tensors(np.int64(k))),
                                                  "_value", s)))
            groups[k].append(elem)
            if len(groups[k]) == sizes[k]:
                yield from self._reduced(k, groups.pop(k), spec)
                del sizes[k]
        for k in sorted(groups):
            yield from self._reduced(k, groups[k], spec)

    def _reduced(self, k, elems, spec):
        ds = self._reduce(_to_tensors(np.int64(k)), ListDataset(elems, spec))
        return ds._make_iterator()


def _bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                               padded_shapes=None, padding_values=None,
                               pad_to_bucket_boundary=False, no_padding=False,
                               drop_remainder=False):
    boundaries = [int(b) for b in bucket_boundaries]
    sizes = [int(b) for b in bucket_batch_sizes]
    if len(sizes) != len(boundaries) + 1:
        raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1")
    lows = [np.iinfo(np.int64).min] + boundaries
    highs = boundaries + [np.iinfo(np.int64).max]

    def key_func(*args):
        n = int(element_length_func(*args))
        for i, (lo, hi) in enumerate(zip(lows, highs)):
            if lo <= n < hi:
                return np.int64(i)
        return np.int64(len(boundaries))

    def window_size_func(bucket_id):
        return np.int64(sizes[int(bucket_id)])

    def reduce_func(bucket_id, group):
        size = sizes[int(bucket_id)]
        if no_padding:
            return group.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary:
            b = int(bucket_id)
            if b == len(boundaries):
                raise InvalidArgumentError(None, None, "When pad_to_bucket_boundary=True, "
                                           "elements must have length < max(bucket_boundaries).")
            shapes = structure.map_leaves(
                lambda s: TensorShape([highs[b] - 1] + s.shape.as_list()[1:]),
                group.element_spec)
        return group.padded_batch(size, shapes, padding_values, drop_remainder)

    def apply(dataset):
        return dataset.group_by_window(key_func, reduce_func, window_size_func=window_size_func)
    return apply


class SampleDataset(Dataset):
    _name = "_DirectedInterleaveDataset"

    def __init__(self, datasets, weights, seed, stop_on_empty):
        self._inputs = tuple(datasets)
        n = len(self._inputs)
        w = np.full(n, 1.0 / n) if weights is None else np.asarray(
            weights._value if isinstance(weights, Tensor) else weights, np.float64)
        self._weights = w / w.sum()
        self._seeds = seed_pair(seed)
        self._stop = stop_on_empty

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _make_iterator(self):
        rng = np.random.default_rng() if self._seeds is None else \
            np.random.default_rng([*self._seeds, 5])
        its = [d._make_iterator() for d in self._inputs]
        w = self._weights.copy()
        while w.sum() > 0:
            i = int(rng.choice(len(its), p=w / w.sum()))
            try:
                yield next(its[i])
            except StopIteration:
                if self._stop:
                    return
                w[i] = 0


class ChooseDataset(Dataset):
    _name = "_DirectedInterleaveDataset"

    def __init__(self, datasets, choice_dataset, stop_on_empty):
        self._inputs = tuple(datasets) + (choice_dataset,)
        self._stop = stop_on_empty

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _make_iterator(self):
        its = [d._make_iterator() for d in self._inputs[:-1]]
        alive = [True] * len(its)
        for c in self._inputs[-1]._make_iterator():
            i = int(c)
            if not alive[i]:
                continue
            try:
                yield next(its[i])
            except StopIteration:
                if self._stop:
                    return
                alive[i] = False

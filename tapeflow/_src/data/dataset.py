"""`tf.data.Dataset`: the base class, its source constructors, iteration and consumption.

A Dataset is an immutable description of a pipeline. Each subclass implements
`_make_iterator()` (a fresh Python iterator over internal elements, see structure.py),
`_card()` (an int cardinality, -1 infinite, -2 unknown) and `_compute_spec()`.
Transformations live in transforms.py; file readers in readers.py.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from tapeflow._src.data import structure
from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.framework.tensor_spec import TensorSpec

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2
_DEFAULT_GLOBAL_SEED = 87654321

# Options of the dataset being iterated, visible while its iterator chain is built.
_building = threading.local()


def current_options():
    return getattr(_building, "options", None)


def probing() -> bool:
    """True while a pipeline is being run only to learn an element spec (see `probe`)."""
    return getattr(_building, "probing", False)


class probe:
    """Iterates `dataset` to learn what its elements look like, not as a pass over it.

    The first elements of a pipeline are computed to find a `map` function's output spec
    (TensorFlow learns it by tracing). Such a probe must not change what the user's own
    passes see: shuffles do not count it as an epoch (a seeded shuffle keeps the order of
    its next real pass), and no background threads are started. The flag is set around
    every step, as iterators build their inputs lazily.
    """

    __slots__ = ("_it",)

    def __init__(self, dataset):
        prev = probing()
        _building.probing = True
        try:
            self._it = dataset._make_iterator()
        finally:
            _building.probing = prev

    def __iter__(self):
        return self

    def __next__(self):
        prev = probing()
        _building.probing = True
        try:
            return next(self._it)
        finally:
            _building.probing = prev


def seed_pair(seed):
    """(global seed, op seed) for a seeded op, or None when it should be nondeterministic.

    Follows tf.random's rules: nothing set -> random; a global seed alone -> a fresh op
    seed from the counter; an op seed alone -> TensorFlow's default global seed.
    """
    g = context.global_seed
    if g is None and seed is None:
        return None
    if seed is None:
        seed = context.next_op_seed()
    if g is None:
        g = _DEFAULT_GLOBAL_SEED
    return int(g) & 0xFFFFFFFF, int(seed) & 0xFFFFFFFF


class Options:
    """Pipeline-wide settings (`dataset.with_options(options)`).

    Only `deterministic` changes tapeflow's behaviour: False lets parallel `map` return
    elements in completion order. The other attributes are accepted for compatibility.
    """

    _NAMES = ("deterministic", "experimental_deterministic", "experimental_optimization",
              "threading", "experimental_threading", "experimental_distribute", "autotune",
              "experimental_slack", "experimental_external_state_policy",
              "experimental_warm_start", "experimental_symbolic_checkpoint", "dataset_name",
              "framework_type")

    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        values = self._values
        if name == "experimental_deterministic":
            name = "deterministic"
        if name in values:
            return values[name]
        if name in ("experimental_optimization", "threading", "experimental_threading",
                    "experimental_distribute", "autotune"):
            sub = _SubOptions()
            values[name] = sub
            return sub
        if name in self._NAMES:
            return None
        raise AttributeError(f"'Options' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name not in self._NAMES:
            raise AttributeError(f"Cannot set the property {name} on Options.")
        if name == "experimental_deterministic":
            name = "deterministic"
        self._values[name] = value

    def merge(self, options):
        out = Options()
        out._values.update(self._values)
        if options is not None:
            out._values.update(options._values)
        return out

    def __eq__(self, other):
        return isinstance(other, Options) and self._values == other._values

    def __hash__(self):
        return id(self)


class _SubOptions:
    """A group of options (threading, experimental_optimization, ...) that accepts any name."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return None

    def __eq__(self, other):
        return isinstance(other, _SubOptions) and vars(self) == vars(other)

    def __hash__(self):
        return id(self)


class Dataset:
    """A sequence of elements, each a nested structure of Tensors, described lazily.

    Datasets are built from sources (`from_tensor_slices`, `range`, files, ...) and
    chained transformations; iterating with a Python `for` loop yields Tensors.

    >>> ds = tf.data.Dataset.from_tensor_slices([1, 2, 3]).map(lambda x: x * 2)
    >>> [int(x) for x in ds]
    [2, 4, 6]
    """

    _inputs: tuple = ()
    _own_options = None
    _name = "_Dataset"

    # -- subclass interface ---------------------------------------------------------------
    def _make_iterator(self):
        raise NotImplementedError

    def _card(self) -> int:
        return UNKNOWN

    def _compute_spec(self):
        raise NotImplementedError

    # -- row-index protocol ---------------------------------------------------------------
    # Sources made of array rows (from_tensor_slices), and transformations that only
    # reorder or select elements (shuffle, repeat, take, skip), can run on row indices
    # instead of elements: `batch` then gathers a whole batch with one fancy-indexing
    # call per component. The elements and their order are exactly those of the
    # element-wise path.
    def _rows_source(self):
        """The TensorSliceDataset whose rows this dataset yields (in some order), or None."""
        return None

    def _make_index_iterator(self):
        """An iterator of row indices into `_rows_source()` (only when that is not None)."""
        raise NotImplementedError

    # -- element spec, cardinality, options -----------------------------------------------
    @property
    def element_spec(self):
        """The nested structure of `tf.TensorSpec`s describing each element."""
        spec = self.__dict__.get("_spec_cache")
        if spec is None:
            spec = self._compute_spec()
            self.__dict__["_spec_cache"] = spec
        return spec

    def cardinality(self):
        """The number of elements as an int64 Tensor: -1 infinite, -2 unknown."""
        return _wrap(np.int64(self._card()))

    def __len__(self):
        n = self._card()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def options(self):
        """The Options in effect: those of the inputs merged with this dataset's own."""
        opts = Options()
        for d in self._inputs:
            opts = opts.merge(d.options())
        return opts.merge(self._own_options)

    def with_options(self, options, name=None):
        from tapeflow._src.data.transforms import OptionsDataset
        return OptionsDataset(self, options)

    def __repr__(self):
        return f"<{self._name} element_spec={self.element_spec!r}>"

    # -- iteration ------------------------------------------------------------------------
    def _iterator_with_options(self):
        prev = getattr(_building, "options", None)
        _building.options = self.options()
        try:
            return self._make_iterator()
        finally:
            _building.options = prev

    def __iter__(self):
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """An iterator over the elements as NumPy values (bytes for strings)."""
        return NumpyIterator(self)

    def enumerate(self, start=0, name=None):
        """Pairs each element with its index, counting from `start` (int64)."""
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state with `reduce_func(state, element)`."""
        state = structure.normalize(initial_state)
        for elem in self._iterator_with_options():
            args = structure.to_tensors(elem)
            out = reduce_func(structure.to_tensors(state), *args) if type(elem) is tuple \
                else reduce_func(structure.to_tensors(state), args)
            new = structure.normalize_output(out)
            state = _check_state(state, new, "reduce_func")
        return structure.to_tensors(state)

    def get_single_element(self, name=None):
        """The only element of a dataset with exactly one element."""
        it = self._iterator_with_options()
        try:
            elem = next(it)
        except StopIteration:
            raise InvalidArgumentError(None, None, "Dataset was empty. "
                                       "[Op:DatasetToSingleElement] name: ") from None
        try:
            next(it)
        except StopIteration:
            return structure.to_tensors(elem)
        raise InvalidArgumentError(None, None, "Dataset had more than one element. "
                                   "[Op:DatasetToSingleElement] name: ")

    def save(self, path, compression=None, shard_func=None, checkpoint_args=None):
        """Writes the dataset's elements to `path` (tapeflow's own format)."""
        from tapeflow._src.data.readers import save_dataset
        save_dataset(self, path, compression)

    @staticmethod
    def load(path, element_spec=None, compression=None, reader_func=None):
        """Reads a dataset written by `Dataset.save`."""
        from tapeflow._src.data.readers import load_dataset
        return load_dataset(path, element_spec, compression)

    # -- sources --------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset of the slices of `tensors` along their first dimension.

        Tuples and dicts give structured elements; all components must have the same
        first dimension.
        """
        return TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset with `tensors` as its single element."""
        return TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """Like Python's `range`, as a dataset of scalars of `output_type` (int64)."""
        return RangeDataset(args, output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """A dataset of the values yielded by `generator(*args)` (called anew each epoch)."""
        return GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Combines datasets element-wise into tuples (or the structure given)."""
        if datasets is None:
            datasets = args[0] if len(args) == 1 else tuple(args)
        elif args:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        return ZipDataset(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """A dataset of the file names matching glob pattern(s), shuffled by default."""
        from tapeflow._src.data.readers import list_files
        return list_files(file_pattern, shuffle, seed)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        from tapeflow._src.data.nested import SampleDataset
        return SampleDataset(datasets, weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        from tapeflow._src.data.nested import ChooseDataset
        return ChooseDataset(datasets, choice_dataset, stop_on_empty_dataset)

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by those of `dataset`."""
        return ConcatenateDataset(self, dataset)


def _check_state(old, new, what):
    if not structure.same_structure(old, new):
        raise TypeError(f"The element types for the new state must match the initial state. "
                        f"Expected {structure.spec_of(old)}; got {structure.spec_of(new)}.")
    for a, b in zip(structure.flatten(old), structure.flatten(new)):
        if a.dtype != b.dtype:
            raise TypeError(f"The element types for the new state must match the initial "
                            f"state. Expected {structure.spec_of(old)}; got "
                            f"{structure.spec_of(new)}.")
    return new


# -- iterators --------------------------------------------------------------------------
class OwnedIterator:
    """The iterator `iter(dataset)` returns: yields elements as Tensors."""

    __slots__ = ("_it", "_spec_source", "__weakref__")

    def __init__(self, dataset):
        self._spec_source = dataset
        self._it = dataset._iterator_with_options()

    def __iter__(self):
        return self

    def __next__(self):
        if context.tracer is not None:
            # Elements come from Python, so a replay could not produce the next ones: the
            # tf.function reruns its Python on every call instead.
            context.tracer.unreplayable = True
        return structure.to_tensors(next(self._it))

    next = __next__

    def get_next(self):
        try:
            return self.__next__()
        except StopIteration:
            from tapeflow._src.framework.errors import OutOfRangeError
            raise OutOfRangeError(None, None, "End of sequence [Op:IteratorGetNext] "
                                  "name: ") from None

    def get_next_as_optional(self):
        raise NotImplementedError("Iterator.get_next_as_optional is not implemented in "
                                  "tapeflow; use next() and catch StopIteration.")

    @property
    def element_spec(self):
        return self._spec_source.element_spec


class NumpyIterator:
    """The iterator `as_numpy_iterator()` returns: yields NumPy values."""

    __slots__ = ("_it", "__weakref__")

    def __init__(self, dataset):
        self._it = dataset._iterator_with_options()

    def __iter__(self):
        return self

    def __next__(self):
        return structure.to_numpy(next(self._it))

    next = __next__


# -- sources ----------------------------------------------------------------------------
class TensorSliceDataset(Dataset):
    _name = "_TensorSliceDataset"

    def __init__(self, tensors):
        elem = structure.normalize(tensors)
        leaves = structure.flatten(elem)
        n = None
        sparse_type = structure._sparse_type()
        self._sparse = {}  # leaf position -> the SparseTensor's rows (SparseTensors)
        for pos, leaf in enumerate(leaves):
            if isinstance(leaf, Dataset):
                raise TypeError("from_tensor_slices does not accept Datasets as components.")
            if isinstance(leaf, sparse_type):
                from tapeflow._src.ops.sparse_extra_ops import unstack_rows
                self._sparse[pos] = rows = unstack_rows(leaf)
                rows_n = len(rows)
            elif np.ndim(leaf) == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            else:
                rows_n = leaf.shape[0]
            if n is None:
                n = rows_n
            elif rows_n != n:
                raise ValueError(f"Dimensions {n} and {rows_n} are not compatible")
        self._elem = elem
        self._leaves = [self._sparse[i] if i in self._sparse else np.asarray(x)
                        for i, x in enumerate(leaves)]
        self._n = n

    def _card(self):
        return self._n

    def _compute_spec(self):
        return structure.unbatch_spec(structure.spec_of(self._elem))

    def _rows_source(self):
        return self

    def _make_index_iterator(self):
        return iter(range(self._n))

    def _make_iterator(self):
        return self._rows(range(self._n))

    def _rows(self, indices):
        """An iterator of the elements (rows) at `indices`, an iterable of ints."""
        leaves = self._leaves
        if self._sparse:  # SparseTensor components: their precomputed rows
            getters = [leaf.__getitem__ if i in self._sparse else
                       (lambda a: (lambda j: a[j, ...]))(leaf) for i, leaf in enumerate(leaves)]
            if len(leaves) == 1 and not isinstance(self._elem, (tuple, dict)):
                return (getters[0](i) for i in indices)
            return (structure.pack(self._elem, [g(i) for g in getters]) for i in indices)
        if len(leaves) == 1 and not isinstance(self._elem, (tuple, dict)):
            a = leaves[0]
            if a.dtype == object:
                return (a[i, ...] for i in indices)
            return map(a.__getitem__, indices)  # row views / NumPy scalars
        elem = self._elem
        flat = type(elem) is tuple and all(not isinstance(v, (tuple, dict)) for v in elem)
        if flat and len(leaves) == 2 and all(a.dtype != object for a in leaves):
            a, b = leaves
            return ((a[i], b[i]) for i in indices)
        getters = [(lambda a: (lambda i: a[i, ...]))(a) if a.dtype == object else a.__getitem__
                   for a in leaves]
        if flat:
            return (tuple([g(i) for g in getters]) for i in indices)
        return (structure.pack(elem, [g(i) for g in getters]) for i in indices)

    def _gather(self, indices):
        """The batch of the rows at `indices` (a list of ints), as `batch` stacks them."""
        idx = np.array(indices, dtype=np.intp)
        if self._sparse:
            from tapeflow._src.ops.sparse_extra_ops import stack_rows
            parts = [stack_rows([a[i] for i in indices]) if pos in self._sparse else a[idx]
                     for pos, a in enumerate(self._leaves)]
        else:
            parts = [a[idx] for a in self._leaves]
        elem = self._elem
        if len(parts) == 1 and not isinstance(elem, (tuple, dict)):
            return parts[0]
        if type(elem) is tuple and all(not isinstance(v, (tuple, dict)) for v in elem):
            return tuple(parts)
        return structure.pack(elem, parts)


class TensorDataset(Dataset):
    _name = "_TensorDataset"

    def __init__(self, tensors):
        self._elem = structure.normalize(tensors)

    def _card(self):
        return 1

    def _compute_spec(self):
        return structure.spec_of(self._elem)

    def _make_iterator(self):
        return iter((self._elem,))


class RangeDataset(Dataset):
    _name = "_RangeDataset"

    def __init__(self, args, output_type):
        if not args or len(args) > 3:
            raise ValueError(f"Invalid arguments to range: {args}")
        ints = [int(a) for a in args]
        self._range = range(*ints)
        self._dtype = dtypes.as_dtype(output_type)

    def _card(self):
        return len(self._range)

    def _compute_spec(self):
        return TensorSpec([], self._dtype)

    def _make_iterator(self):
        return map(self._dtype.as_numpy_dtype, self._range)


class GeneratorDataset(Dataset):
    _name = "_FlatMapDataset"

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("The `output_types` and `output_shapes` arguments cannot be "
                                "used together with the `output_signature` argument.")
            spec = _signature_structure(output_signature)
        else:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide either "
                                "the `output_signature` argument or the `output_types` "
                                "argument.")
            if output_shapes is None:
                output_shapes = structure.map_leaves(lambda _: None, _as_struct(output_types))
            spec = _types_shapes_structure(output_types, output_shapes)
        self._generator = generator
        self._args = () if args is None else tuple(args)
        self._spec = spec

    def _compute_spec(self):
        return self._spec

    def _make_iterator(self):
        args = [structure.to_numpy(structure.normalize(a)) for a in self._args]
        gen = iter(self._generator(*args))
        spec = self._spec
        flat_spec = structure.flatten(spec)
        return _GeneratorIterator(gen, spec, flat_spec)


class _GeneratorIterator:
    __slots__ = ("_gen", "_spec", "_flat")

    def __init__(self, gen, spec, flat):
        self._gen, self._spec, self._flat = gen, spec, flat

    def __iter__(self):
        return self

    def __next__(self):
        value = next(self._gen)
        spec = self._spec
        if isinstance(value, list) and isinstance(spec, tuple):
            value = tuple(value)
        if not _matches_structure(value, spec):
            raise InvalidArgumentError(
                None, None, f"TypeError: `generator` yielded an element that did not match "
                f"the expected structure. The expected structure was {spec!r}, but the "
                f"yielded element was {value!r}.")
        leaves = []
        for v, s in zip(_flatten_value(value, spec), self._flat):
            try:
                arr = _convert_generated(v, s.dtype)
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element that could not "
                    f"be converted to the expected type. The expected type was "
                    f"{s.dtype.name}, but the yielded element was {v!r}.") from None
            if not s.shape.is_compatible_with(arr.shape):
                raise InvalidArgumentError(
                    None, None, f"`generator` yielded an element of shape "
                    f"{tuple(arr.shape)!r} where an element of shape "
                    f"{tuple(s.shape.as_list()) if s.shape.rank is not None else None!r} "
                    f"was expected.")
            leaves.append(arr)
        return structure.pack(spec, leaves)

    def close(self):
        close = getattr(self._gen, "close", None)
        if close is not None:
            close()


def _convert_generated(v, dtype):
    if hasattr(v, "_value"):
        v = v._value
    if dtype == dtypes.string:
        return structure.normalize(v) if not isinstance(v, np.ndarray) or v.dtype != object \
            else v
    arr = np.asarray(v)
    if arr.dtype.kind in "USO":
        raise TypeError("string for numeric dtype")
    return np.asarray(arr, dtype=dtype.as_numpy_dtype)


def _matches_structure(value, spec):
    if isinstance(spec, tuple):
        return isinstance(value, (tuple, list)) and len(value) == len(spec) and all(
            _matches_structure(v, s) for v, s in zip(value, spec))
    if isinstance(spec, dict):
        return isinstance(value, dict) and set(value) == set(spec) and all(
            _matches_structure(value[k], spec[k]) for k in spec)
    return not isinstance(value, (tuple, dict))


def _flatten_value(value, spec):
    if isinstance(spec, tuple):
        out = []
        for v, s in zip(value, spec):
            out.extend(_flatten_value(v, s))
        return out
    if isinstance(spec, dict):
        out = []
        for k in sorted(spec):
            out.extend(_flatten_value(value[k], spec[k]))
        return out
    return [value]


def _as_struct(x):
    if isinstance(x, list):
        return tuple(_as_struct(v) for v in x)
    if isinstance(x, tuple):
        return type(x)(*[_as_struct(v) for v in x]) if structure._is_namedtuple(x) \
            else tuple(_as_struct(v) for v in x)
    if isinstance(x, dict):
        return {k: _as_struct(v) for k, v in x.items()}
    return x


def _signature_structure(sig):
    if isinstance(sig, (TensorSpec, structure.DatasetSpec)):
        return sig
    if isinstance(sig, (list, tuple)) and not structure._is_namedtuple(sig):
        return tuple(_signature_structure(s) for s in sig)
    if structure._is_namedtuple(sig):
        return type(sig)(*[_signature_structure(s) for s in sig])
    if isinstance(sig, dict):
        return {k: _signature_structure(v) for k, v in sig.items()}
    raise TypeError(f"`output_signature` must contain objects that are subclass of "
                    f"`tf.TypeSpec` but found {type(sig)} which is not.")


def _types_shapes_structure(types, shapes):
    if isinstance(types, (list, tuple)) and not structure._is_namedtuple(types):
        if not isinstance(shapes, (list, tuple)):
            shapes = [shapes] * len(types)
        return tuple(_types_shapes_structure(t, s) for t, s in zip(types, shapes))
    if isinstance(types, dict):
        if not isinstance(shapes, dict):
            shapes = {k: shapes for k in types}
        return {k: _types_shapes_structure(types[k], shapes[k]) for k in types}
    return TensorSpec(shapes, types)


class ZipDataset(Dataset):
    _name = "_ZipDataset"

    def __init__(self, datasets):
        flat = structure.flatten(_as_struct(datasets))
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid `datasets`. `datasets` is expected to be a (nested) "
                                f"structure of `tf.data.Dataset` objects. Python `list` is "
                                f"not supported and you should use `tuple` instead.")
        self._structure = _as_struct(datasets)
        self._inputs = tuple(flat)

    def _card(self):
        cards = [d._card() for d in self._inputs]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in cards else INFINITE

    def _compute_spec(self):
        return structure.pack(self._structure, [d.element_spec for d in self._inputs])

    def _make_iterator(self):
        its = [d._make_iterator() for d in self._inputs]
        s = self._structure
        if type(s) is tuple and all(isinstance(x, Dataset) for x in s):
            return zip(*its)
        return (structure.pack(s, list(elems)) for elems in zip(*its))


class ConcatenateDataset(Dataset):
    _name = "_ConcatenateDataset"

    def __init__(self, first, second):
        if not structure.same_structure(first.element_spec, second.element_spec):
            raise TypeError(f"Incompatible dataset elements:\n  {first.element_spec} vs. "
                            f"\n  {second.element_spec}")
        for a, b in zip(structure.flatten(first.element_spec),
                        structure.flatten(second.element_spec)):
            if a.dtype != b.dtype:
                raise TypeError(f"Incompatible dataset elements:\n  {first.element_spec} "
                                f"vs. \n  {second.element_spec}")
        self._inputs = (first, second)

    def _card(self):
        a, b = (d._card() for d in self._inputs)
        if a == INFINITE or b == INFINITE:
            return INFINITE
        if a == UNKNOWN or b == UNKNOWN:
            return UNKNOWN
        return a + b

    def _compute_spec(self):
        return structure.merge_specs(self._inputs[0].element_spec,
                                     self._inputs[1].element_spec)

    def _make_iterator(self):
        first, second = self._inputs
        return itertools.chain(first._make_iterator(), _LazyIter(second))


class _LazyIter:
    """Creates the dataset's iterator on first use (so `concatenate` opens files lazily)."""

    __slots__ = ("_ds", "_it")

    def __init__(self, ds):
        self._ds, self._it = ds, None

    def __iter__(self):
        return self

    def __next__(self):
        if self._it is None:
            self._it = self._ds._make_iterator()
        return next(self._it)


from tapeflow._src.data import transforms as _transforms  # noqa: E402,F401  (adds methods)

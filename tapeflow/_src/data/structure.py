"""How tf.data elements are stored and described.

Inside a pipeline an element is a nested structure (tuples, namedtuples, dicts) whose leaves
are NumPy arrays or scalars (tapeflow's storage type) or nested Datasets (from `window`).
Leaves become tapeflow Tensors only where a user sees them: in iteration and in the
functions given to `map`, `filter`, ... This keeps the per-element cost of the pipeline low.
"""

from __future__ import annotations

import collections.abc

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.tensor_spec import TensorSpec

_ndarray = np.ndarray
_generic = np.generic


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _dataset_type():
    from tapeflow._src.data.dataset import Dataset
    return Dataset


def _sparse_type():
    from tapeflow._src.io.sparse_tensor import SparseTensor
    return SparseTensor


def normalize(value):
    """A user value (from_tensors, from_generator, a map result) -> an internal element.

    Tuples and dicts are structure; every other value (lists included, as in TensorFlow)
    is converted to a tensor.
    """
    t = type(value)
    if t is Tensor:
        return value._value
    if t is tuple:
        return tuple([normalize(v) for v in value])
    if t is dict:
        return {k: normalize(v) for k, v in value.items()}
    if _is_namedtuple(value):
        return t(*[normalize(v) for v in value])
    if isinstance(value, collections.OrderedDict):
        return collections.OrderedDict((k, normalize(v)) for k, v in value.items())
    if isinstance(value, collections.abc.Mapping):
        return {k: normalize(value[k]) for k in value}
    if isinstance(value, _dataset_type()):
        return value
    if isinstance(value, _sparse_type()):
        return value  # kept whole: a SparseTensor component cannot be batched or sliced
    if value is None:
        raise TypeError("tf.data does not support `None` as an element component.")
    from tapeflow._src.framework.convert import convert_to_tensor
    return convert_to_tensor(value)._value


def normalize_output(value):
    """A function's return value -> an internal element (lists become tuples, as in TF)."""
    t = type(value)
    if t is Tensor:
        return value._value
    if t is tuple or t is list:
        out = [v._value if type(v) is Tensor else normalize_output(v) for v in value]
        return tuple(out)
    if t is dict:
        return {k: normalize_output(v) for k, v in value.items()}
    return normalize(value)


def to_tensors(elem):
    """Internal element -> the same structure with Tensor leaves (no copies)."""
    t = type(elem)
    if t is _ndarray:
        return _wrap(elem)
    if t is tuple:
        return tuple([_wrap(v) if type(v) is _ndarray or isinstance(v, _generic)
                      else to_tensors(v) for v in elem])
    if t is dict:
        return {k: to_tensors(v) for k, v in elem.items()}
    if isinstance(elem, _generic):
        return _wrap(elem)
    if t is collections.OrderedDict:  # kept as an OrderedDict, as TF's nest keeps it
        return t((k, to_tensors(v)) for k, v in elem.items())
    if _is_namedtuple(elem):
        return t(*[to_tensors(v) for v in elem])
    return elem  # a nested Dataset or SparseTensor


def to_numpy(elem):
    """Internal element -> NumPy values as `as_numpy_iterator` gives them."""
    t = type(elem)
    if t is _ndarray:
        if elem.ndim == 0:
            return elem[()]
        return elem.copy()  # pipeline arrays may be shared (cache, slices): never hand out
    if t is tuple:
        return tuple([to_numpy(v) for v in elem])
    if t is dict:
        return {k: to_numpy(v) for k, v in elem.items()}
    if t is collections.OrderedDict:
        return t((k, to_numpy(v)) for k, v in elem.items())
    if _is_namedtuple(elem):
        return t(*[to_numpy(v) for v in elem])
    if isinstance(elem, _generic):
        return elem
    if isinstance(elem, _dataset_type()):
        return elem.as_numpy_iterator()
    return elem


def flatten(elem) -> list:
    """The leaves of an element in TensorFlow's order (dict keys sorted)."""
    out = []
    _flatten_into(elem, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, tuple):
        for v in x:
            _flatten_into(v, out)
    elif isinstance(x, dict):
        for k in sorted(x):
            _flatten_into(x[k], out)
    else:
        out.append(x)


def pack(structure, leaves):
    """Rebuilds `structure` (an element or spec) with `leaves` in flatten order."""
    it = iter(leaves)
    out = _pack(structure, it)
    return out


def _pack(x, it):
    if _is_namedtuple(x):
        return type(x)(*[_pack(v, it) for v in x])
    if isinstance(x, tuple):
        return tuple([_pack(v, it) for v in x])
    if isinstance(x, dict):
        packed = {k: _pack(x[k], it) for k in sorted(x)}
        if type(x) is collections.OrderedDict:
            return collections.OrderedDict((k, packed[k]) for k in x)
        return {k: packed[k] for k in x}
    return next(it)


def map_leaves(fn, *elems):
    """Applies `fn` to corresponding leaves of elements with the same structure."""
    flats = [flatten(e) for e in elems]
    n = len(flats[0])
    for f in flats[1:]:
        if len(f) != n:
            raise ValueError("The two structures don't have the same number of elements.")
    return pack(elems[0], [fn(*xs) for xs in zip(*flats)])


def same_structure(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(same_structure(a[k], b[k]) for k in a)
    return not isinstance(a, (tuple, dict)) and not isinstance(b, (tuple, dict))


# -- specs ---------------------------------------------------------------------------------
class DatasetSpec:
    """The spec of a nested Dataset element (what `window` produces)."""

    __slots__ = ("_element_spec", "_dataset_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def shape(self):
        return self._dataset_shape

    def __eq__(self, other):
        return (isinstance(other, DatasetSpec) and self._element_spec == other._element_spec
                and self._dataset_shape == other._dataset_shape)

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


def leaf_spec(leaf):
    if isinstance(leaf, (_ndarray, _generic)):
        return TensorSpec(TensorShape._from_tuple(leaf.shape), dtypes._BY_NP[leaf.dtype])
    if isinstance(leaf, _sparse_type()):
        return SparseTensorSpec(leaf.shape, leaf.dtype)
    return DatasetSpec(leaf.element_spec)


class SparseTensorSpec:
    """The spec of a SparseTensor component."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        self.shape = TensorShape(shape)
        self.dtype = dtypes.as_dtype(dtype)

    def __eq__(self, other):
        return (isinstance(other, SparseTensorSpec) and self.dtype == other.dtype
                and self.shape == other.shape)

    def __hash__(self):
        return hash((self.dtype, repr(self.shape)))

    def __repr__(self):
        return f"SparseTensorSpec({self.shape!r}, tf.{self.dtype.name})"


def spec_of(elem):
    """The element_spec of one concrete element."""
    return pack(elem, [leaf_spec(x) for x in flatten(elem)])


def relax_spec(spec, dims_to_unknown):
    """Copies of TensorSpecs with the given leading dims set to None (`batch` output)."""
    def one(s):
        if not isinstance(s, TensorSpec) or s.shape.rank is None:
            return s
        dims = [None] * dims_to_unknown + s.shape.as_list()[dims_to_unknown:]
        return TensorSpec(TensorShape(dims), s.dtype, s.name)
    return pack(spec, [one(s) for s in flatten(spec)])


def batch_spec(spec, batch_dim):
    """Specs with a new leading dimension `batch_dim` (an int or None)."""
    def one(s):
        if isinstance(s, DatasetSpec):
            raise TypeError("Batching datasets of datasets is not supported.")
        dims = None if s.shape.rank is None else [batch_dim] + s.shape.as_list()
        if isinstance(s, SparseTensorSpec):
            return SparseTensorSpec(TensorShape(dims), s.dtype)
        return TensorSpec(TensorShape(dims), s.dtype)
    return pack(spec, [one(s) for s in flatten(spec)])


def unbatch_spec(spec):
    def one(s):
        if s.shape.rank == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        dims = None if s.shape.rank is None else s.shape.as_list()[1:]
        if isinstance(s, SparseTensorSpec):
            return SparseTensorSpec(TensorShape(dims), s.dtype)
        return TensorSpec(TensorShape(dims), s.dtype)
    return pack(spec, [one(s) for s in flatten(spec)])


def merge_specs(a, b):
    """The most specific spec compatible with both (used by concatenate and map relaxing)."""
    def one(x, y):
        if x.dtype != y.dtype:
            raise TypeError(f"Incompatible dtypes {x.dtype.name} and {y.dtype.name}.")
        return TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
    return pack(a, [one(x, y) for x, y in zip(flatten(a), flatten(b))])


def zero_element(spec):
    """An element of zeros matching `spec` (unknown dims become 0)."""
    def one(s):
        dims = [0 if d is None else d for d in (s.shape.as_list() if s.shape.rank is not None
                                                else [])]
        if s.dtype == dtypes.string:
            return np.full(dims, b"", dtype=object)
        return np.zeros(dims, s.dtype.as_numpy_dtype)
    return pack(spec, [one(s) for s in flatten(spec)])

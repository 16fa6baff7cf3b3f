"""`tf.nest`: flatten and rebuild nested structures of lists, tuples, dicts and namedtuples.

Dicts flatten in sorted key order, as in TensorFlow. Anything else is a leaf.
"""

from __future__ import annotations

import collections.abc


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict, collections.abc.Mapping))


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure, expand_composites=False):
    """The leaves of `structure` in order; a non-nested value gives `[value]`."""
    if structure is None:
        return [None]
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, (list, tuple)):
        for v in x:
            _flatten_into(v, out)
    elif isinstance(x, collections.abc.Mapping):
        for k in _sorted_keys(x):
            _flatten_into(x[k], out)
    else:
        out.append(x)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure` with its leaves taken from `flat_sequence` in order."""
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == "
                             f"{len(flat_sequence)} > 1")
        return flat_sequence[0]
    it = iter(flat_sequence)
    result = _pack(structure, it)
    rest = list(it)
    if rest:
        raise ValueError(f"Could not pack sequence: {len(rest)} leaves left over.")
    return result


def _pack(x, it):
    if isinstance(x, list):
        return [_pack(v, it) for v in x]
    if _is_namedtuple(x):
        return type(x)(*[_pack(v, it) for v in x])
    if isinstance(x, tuple):
        return tuple(_pack(v, it) for v in x)
    if isinstance(x, collections.abc.Mapping):
        packed = {k: _pack(x[k], it) for k in _sorted_keys(x)}
        if type(x) is dict:
            return {k: packed[k] for k in x}
        try:
            return type(x)((k, packed[k]) for k in x)
        except TypeError:
            return {k: packed[k] for k in x}
    try:
        return next(it)
    except StopIteration:
        raise ValueError("Not enough leaves to pack the structure.") from None


def map_structure(func, *structures, **kwargs):
    """Applies `func` leafwise across structures of the same shape."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    flats = [flatten(s) for s in structures]
    n = len(flats[0])
    for f in flats[1:]:
        if len(f) != n:
            raise ValueError("The two structures don't have the same number of elements.")
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    if len(flatten(nest1)) != len(flatten(nest2)):
        raise ValueError("The two structures don't have the same nested structure.")

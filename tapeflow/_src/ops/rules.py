"""Shape and dtype rules shared by primitives.

A shape rule maps the inputs' shapes (tuples, with None for unknown dims) and the op's
attributes to the output shape; a dtype rule maps input dtypes to the output dtype. Tests
check every primitive's eager results against its rules; tracing uses them to give
symbolic tensors a shape and dtype without running NumPy.
"""

from __future__ import annotations

from tapeflow._src.framework import dtypes


def same_shape(x, **attrs):
    return x


def broadcast(*shapes, **attrs):
    """NumPy/TensorFlow broadcasting of any number of shapes (None = unknown dim)."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dim = 1
        for s in shapes:
            j = i - (rank - len(s))
            if j < 0:
                continue
            d = s[j]
            if d is None:
                dim = None if dim in (1, None) else dim
            elif d != 1:
                if dim not in (1, None) and dim != d:
                    raise ValueError(f"Incompatible shapes: {list(shapes[0])} vs. "
                                     f"{list(shapes[1])}")
                dim = d
        out.append(dim)
    return tuple(out)


def reduce(x, *, axis=None, keepdims=False, **attrs):
    """Shape after reducing `axis` (None = all axes) of `x`."""
    if axis is None:
        return tuple(1 for _ in x) if keepdims else ()
    axes = {a % len(x) for a in axis} if x else set()
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


def same_as_input(x, *rest, **attrs):
    return x


def float_only(x, *rest, **attrs):
    if x not in dtypes.INEXACT:
        raise TypeError(f"expected a floating or complex dtype, got {x.name}")
    return x


def to_bool(*args, **attrs):
    return dtypes.bool_


def real_of(x, **attrs):
    return x.real_dtype


def int64(*args, **attrs):
    return dtypes.int64

"""Routing public ops to composite tensors: `tf.add(ragged, 3)`, `tf.reduce_mean(rt, 1)`.

A RaggedTensor cannot become a dense tensor: converting one raises `CompositeDispatch` (a
ValueError with TensorFlow's conversion message). The public functions listed here are
wrapped so that this error, and only it, hands the call to the ragged implementation
(`tapeflow/_src/ragged/ragged_dispatch.py`); when that has none, the error stands. The
wrapper costs one Python call (~30 ns) on the functions listed, nothing elsewhere, and the
ragged modules are imported only when a ragged argument first shows up.
"""

from __future__ import annotations

import functools


class CompositeDispatch(ValueError):
    """A composite (ragged) tensor was given where a dense one is needed.

    Shown as a plain ValueError (its name and module), as TensorFlow raises one.
    """


CompositeDispatch.__name__ = CompositeDispatch.__qualname__ = "ValueError"
CompositeDispatch.__module__ = "builtins"


# The public functions with a ragged version (see ragged_dispatch).
UNARY = frozenset("""
    abs acos acosh asin asinh atan atanh cast ceil cos cosh erf exp expm1 floor identity
    imag is_finite is_inf is_nan log log1p log_sigmoid logical_not negative ones_like real
    reciprocal relu round rsqrt saturate_cast sigmoid sign sin sinh softplus sqrt square
    tan tanh zeros_like
""".split())
BINARY = frozenset("""
    add atan2 divide divide_no_nan equal floordiv floormod greater greater_equal less
    less_equal logical_and logical_or logical_xor maximum minimum multiply not_equal pow
    realdiv squared_difference subtract truediv truncatediv truncatemod
""".split())
OTHER = frozenset("reduce_sum reduce_mean reduce_max reduce_min reduce_all reduce_any "
                  "concat stack".split())
NAMES = UNARY | BINARY | OTHER

_wrappers: dict = {}


def dispatching(fn):
    """`fn` wrapped to hand ragged arguments to the ragged implementation (one wrapper per
    function, so `tf.add is tf.math.add` still holds)."""
    w = _wrappers.get(fn)
    if w is None:
        @functools.wraps(fn)
        def w(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except CompositeDispatch:
                from tapeflow._src.ragged import ragged_dispatch
                out = ragged_dispatch.dispatch(fn, args, kwargs)
                if out is NotImplemented:
                    raise
                return out
        _wrappers[fn] = w
        _wrappers[w] = w
    return w


def install(namespace):
    """Wraps the functions of a public namespace dict (a module's globals()) named above."""
    for name in NAMES:
        fn = namespace.get(name)
        if fn is not None and callable(fn) and not isinstance(fn, type):
            namespace[name] = dispatching(fn)

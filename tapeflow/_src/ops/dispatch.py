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


def _fallback(fn, args, kwargs):
    """The ragged version of `fn(*args, **kwargs)`; re-raises when there is none."""
    from tapeflow._src.ragged import ragged_dispatch
    out = ragged_dispatch.dispatch(fn, args, kwargs)
    if out is NotImplemented:
        raise
    return out


def _generic_wrapper(fn):
    def w(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CompositeDispatch:
            return _fallback(fn, args, kwargs)
    return w


def _exact_wrapper(fn):
    """A wrapper with `fn`'s own parameters, so a call passes its arguments on without
    packing them into *args/**kwargs (that costs ~100 ns of a ~0.5 us scalar op)."""
    import inspect
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params, call, pos, kw = [], [], [], []
    ns = {"_fn": fn, "_CD": CompositeDispatch, "_fallback": _fallback}
    seen_kwonly = False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            return None
        text = p.name
        if p.default is not p.empty:
            ns[f"_d{i}"] = p.default
            text += f"=_d{i}"
        if p.kind == p.KEYWORD_ONLY:
            if not seen_kwonly:
                params.append("*")
                seen_kwonly = True
            call.append(f"{p.name}={p.name}")
            kw.append(f"{p.name!r}: {p.name}")
        else:
            call.append(p.name)
            pos.append(p.name)
        params.append(text)
    src = (f"def {fn.__name__}({', '.join(params)}):\n"
           f"    try:\n"
           f"        return _fn({', '.join(call)})\n"
           f"    except _CD:\n"
           f"        return _fallback(_fn, ({''.join(a + ', ' for a in pos)}), "
           f"{{{', '.join(kw)}}})\n")
    try:
        # Compiled under this module's file name: frames in a wrapper count as tapeflow's
        # own (error messages and check_numerics point at the user's line, not here).
        exec(compile(src, __file__, "exec"), ns)
    except SyntaxError:
        return None
    return ns[fn.__name__]


def dispatching(fn):
    """`fn` wrapped to hand ragged arguments to the ragged implementation (one wrapper per
    function, so `tf.add is tf.math.add` still holds)."""
    w = _wrappers.get(fn)
    if w is None:
        w = _exact_wrapper(fn) or _generic_wrapper(fn)
        functools.update_wrapper(w, fn)
        _wrappers[fn] = w
        _wrappers[w] = w
    return w


def install(namespace):
    """Wraps the functions of a public namespace dict (a module's globals()) named above."""
    for name in NAMES:
        fn = namespace.get(name)
        if fn is not None and callable(fn) and not isinstance(fn, type):
            namespace[name] = dispatching(fn)

"""What `tf.<op>(ragged, ...)` should do, ready for a dispatch hook in the op library.

TensorFlow routes calls such as `tf.add(rt, 3)`, `tf.reduce_mean(rt, axis=1)` or
`tf.concat([rt, rt], axis=0)` to ragged implementations. tapeflow's public ops do not look
for RaggedTensor arguments yet; `dispatch(fn, args, kwargs)` is the function such a hook
would call: it returns the ragged result, or `NotImplemented` when `fn` has no ragged
version here (or no argument is ragged).
"""

from __future__ import annotations

from tapeflow._src.ragged import ragged_ops
from tapeflow._src.ragged.ragged_tensor import RaggedTensor

# The names with a ragged version are listed once, in ops/dispatch.py (which wraps them).
from tapeflow._src.ops.dispatch import BINARY, UNARY  # noqa: E402

REDUCTIONS = frozenset("reduce_sum reduce_mean reduce_max reduce_min reduce_all "
                       "reduce_any".split())


def _is_ragged(x):
    return isinstance(x, RaggedTensor)


def dispatch(fn, args, kwargs):
    """The ragged result of `fn(*args, **kwargs)`, or NotImplemented."""
    name = getattr(fn, "__name__", "").rstrip("_")
    kwargs = {k: v for k, v in kwargs.items() if k != "name"}
    if name in UNARY and args and _is_ragged(args[0]):
        rt = args[0]
        return rt.with_flat_values(fn(rt.flat_values, *args[1:], **kwargs))
    if name in BINARY and len(args) >= 2 and (_is_ragged(args[0]) or _is_ragged(args[1])):
        x, y = args[0], args[1]
        if _is_ragged(x):
            return x._binary(y, lambda a, b: fn(a, b, **kwargs))
        return y._binary(x, lambda a, b: fn(a, b, **kwargs), reflected=True)
    if name in REDUCTIONS:
        x = args[0] if args else kwargs.pop("input_tensor", None)
        if _is_ragged(x):
            return getattr(ragged_ops, name)(x, *args[1:], **kwargs)
    if name in ("concat", "stack"):
        values = args[0] if args else kwargs.pop("values", None)
        if isinstance(values, (list, tuple)) and any(_is_ragged(v) for v in values):
            axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
            return getattr(ragged_ops, name)(values, axis=axis)
    return NotImplemented

"""All of tapeflow's global state: active tapes, name scopes, uid counters and random seeds.

Everything mutable that is shared across modules lives here so that it can be found,
reset (in tests) and reasoned about in one place. Hot paths read `tapes` directly:
an empty list means no tape is recording and ops skip recording entirely.
"""

from __future__ import annotations

import collections
import contextlib
import threading

from tapeflow._src.framework.errors import OpError

# Active GradientTapes, innermost last. Ops test `if tapes:` before any recording work.
tapes: list = []

# The active tf.function tracer (tapeflow._src.function.tracing.Tracer) or None. While one is
# active it also sits in `tapes`, so the ops' single `if tapes:` check covers both.
tracer = None


def tracer_only() -> list:
    """What `tapes` must keep when tapes are paused: the tracer, if one is active."""
    return [] if tracer is None else [tracer]


# Variable-access watchers (custom_gradient uses them to learn which variables a function read).
variable_watchers: list = []

# Name scopes opened with tf.name_scope, outermost first.
name_scope_stack: list = []

# Per-name counters used to uniquify layer names (`dense`, `dense_1`, ...).
_layer_name_counts: collections.Counter = collections.Counter()

# Random seeds: the global seed set by tf.random.set_seed and the counter that gives
# each seeded-only-globally op a distinct, reproducible op seed.
global_seed = None
_op_seed_counter = 0

# Debugging switches.
check_numerics_enabled = False

_lock = threading.Lock()


def current_name_scope() -> str:
    """The current name scope prefix, e.g. 'outer/inner/' or ''."""
    if not name_scope_stack:
        return ""
    return "/".join(name_scope_stack) + "/"


@contextlib.contextmanager
def name_scope(name: str):
    """Pushes `name` on the name scope stack for the duration of the block."""
    if name:
        name_scope_stack.append(name.rstrip("/"))
    try:
        yield current_name_scope()
    except OpError as e:
        # The innermost scope an op error leaves names the failing node for tf.function's
        # error report ("block/GatherV2"), once the stack has unwound.
        if not hasattr(e, "_tf_name_scope"):
            e._tf_name_scope = current_name_scope()
        raise
    finally:
        if name:
            name_scope_stack.pop()


def unique_layer_name(base: str) -> str:
    """`base`, then `base_1`, `base_2`, ... as Keras names layers of one class."""
    with _lock:
        n = _layer_name_counts[base]
        _layer_name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def reserve_layer_name(name: str) -> None:
    """Records an explicitly chosen layer name so auto names skip past it."""
    with _lock:
        _layer_name_counts[name] += 0


def clear_session() -> None:
    """Resets layer-name counters (tf.keras.backend.clear_session)."""
    _layer_name_counts.clear()


def set_global_seed(seed) -> None:
    global global_seed, _op_seed_counter
    global_seed = None if seed is None else int(seed)
    _op_seed_counter = 0


def next_op_seed() -> int:
    """A fresh op-level seed, deterministic in call order after tf.random.set_seed."""
    global _op_seed_counter
    with _lock:
        _op_seed_counter += 1
        return _op_seed_counter


@contextlib.contextmanager
def pause_tapes():
    """Stops all tapes recording for the block (used by custom_gradient's forward)."""
    saved = tapes[:]
    tapes[:] = tracer_only()
    try:
        yield
    finally:
        tapes[:] = saved

"""`tf.debugging.explain_gradients`: says why a gradient came out as None (not in TF).

    with tf.debugging.explain_gradients() as report:
        with tf.GradientTape() as tape:
            ...
        grads = tape.gradient(loss, sources)
    report.explanations   # one Explanation per None gradient, also logged

While the context is active, every `GradientTape.gradient`/`jacobian` call explains each
source whose gradient is None. When the context also surrounds the forward computation,
it tracks the provenance of every op result (including ops the tape did not record) and
every escape of a tensor to NumPy/Python, which gives precise causes; entered around the
`gradient` call only, it explains from the tape's records alone.

Causes (`Explanation.cause`):
  "integer_dtype"      the source has an integer or bool dtype
  "never_watched"      the source was never watched (no tape.watch, variable not read
                       while recording, not trainable, or watch_accessed_variables=False)
  "before_tape"        the target depends on the source only through ops run before the
                       tape started (or while it was not recording: "not_recording")
  "numpy"              the value left tapeflow through .numpy()/NumPy/float() on the way
  "non_differentiable" the path goes through a non-differentiable op (argmax, comparison,
                       round, ...) or an op with an integer result (cast to int)
  "unconnected"        the target does not depend on the source at all
  "target_not_recorded" (gradient-only mode) the target was never recorded

The tracking (wrapped primitive forwards via _patch.py, Tensor conversions, tape entry)
is installed only while the context is active; outside it nothing changes. Nest it with
enable_check_numerics in LIFO order (both swap the same forwards and restore on exit).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging

from tapeflow._src.autodiff import backprop
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable

_log = logging.getLogger("tapeflow")

# The innermost active report, or None (read by GradientTape.gradient: `if explain.active`).
active = None


class GradientExplanationError(ValueError):
    """Raised by `explain_gradients(raise_error=True)` when a gradient is None."""


@dataclasses.dataclass
class Explanation:
    """Why the gradient of `source` (the `index`-th flattened source) is None."""

    index: int
    source: object
    cause: str
    message: str


class Report:
    """Collected explanations, plus provenance tracked while the context is active."""

    def __init__(self, raise_error):
        self.raise_error = raise_error
        self.explanations = []
        self._seq = 0
        self._producers = {}   # id(out) -> (out, op name, inputs, differentiable, seq, tapes)
        self._escaped = {}     # id(tensor) -> (tensor, seq) for .numpy()/float()/__array__
        self._tape_start = {}  # id(tape) -> seq of its first entry

    def __repr__(self):
        return f"<explain_gradients report: {len(self.explanations)} explanation(s)>"


def _recording_ids():
    return frozenset(id(t) for t in context.tapes if getattr(t, "_recording", False))


@contextlib.contextmanager
def explain_gradients(raise_error=False):
    """Explains every None gradient computed inside the block (a tapeflow extension).

    Args:
      raise_error: raise `GradientExplanationError` (a ValueError) for the first None
        gradient instead of logging a warning for each.

    Yields:
      A report whose `explanations` lists an `Explanation(index, source, cause, message)`
      per None gradient (causes are listed in this module's docstring).

    >>> x = tf.constant(2.0)
    >>> with tf.debugging.explain_gradients() as report:
    ...     with tf.GradientTape() as tape:
    ...         y = x * x
    ...     g = tape.gradient(y, x)
    >>> report.explanations[0].cause
    'never_watched'
    """
    global active
    from tapeflow._src.autodiff import _patch
    from tapeflow._src.autodiff.tape import GradientTape

    report = Report(raise_error)
    outer = active
    saved = {name: getattr(Tensor, name) for name in ("numpy", "__array__", "__float__",
                                                      "__int__")}
    saved_push = GradientTape._push

    def tracking(prim, forward):
        # Provenance is keyed by array identity: a Tensor wraps its forward's output array.
        def tracked(*arrays, **attrs):
            out = forward(*arrays, **attrs)
            report._seq += 1
            tapes = _recording_ids()
            for o in (out if prim.multi_output else (out,)):
                if not any(o is a for a in arrays):
                    report._producers[id(o)] = (o, prim.name, arrays, prim.differentiable,
                                                report._seq, tapes)
            return out
        return tracked

    def escaping(name):
        original = saved[name]

        def method(self, *args, **kwargs):
            report._seq += 1
            report._escaped.setdefault(id(self._value), (self._value, report._seq))
            return original(self, *args, **kwargs)
        return method

    def push(tape):
        report._seq += 1
        report._tape_start.setdefault(id(tape), (tape, report._seq))
        return saved_push(tape)

    patched = _patch.patch_forwards(tracking)
    for name in saved:
        setattr(Tensor, name, escaping(name))
    GradientTape._push = push
    active = report
    try:
        yield report
    finally:
        active = outer
        _patch.restore(patched)
        for name, method in saved.items():
            setattr(Tensor, name, method)
        GradientTape._push = saved_push
        report._producers.clear()
        report._escaped.clear()


def explain(tape, targets, sources, grads):
    """Called by GradientTape.gradient while a report is active."""
    report = active
    for i, (s, g) in enumerate(zip(sources, grads)):
        if g is not None:
            continue
        cause, message = _cause(report, tape, targets, s)
        ex = Explanation(i, s, cause, f"gradient of source {i} is None: {message}")
        report.explanations.append(ex)
        if report.raise_error:
            raise GradientExplanationError(ex.message)
        _log.warning("explain_gradients: %s", ex.message)


def _name(s):
    if isinstance(s, Variable):
        return f"variable {s.name!r}"
    return f"tensor of shape {tuple(s._value.shape)} and dtype {s.dtype.name}"


def _cause(report, tape, targets, s):
    what = _name(s)
    if s._value.dtype.kind not in "fc":
        return "integer_dtype", (f"the source ({what}) has dtype {s.dtype.name}; only "
                                 f"floating and complex values have gradients")
    key = backprop._key(s)
    if key not in tape._watched:
        if isinstance(s, Variable):
            if not s.trainable:
                why = "it is not trainable, so reading it does not watch it"
            elif not getattr(tape, "_watch_accessed", True):
                why = "the tape has watch_accessed_variables=False and tape.watch was not called"
            else:
                why = "it was never read while the tape was recording"
            return "never_watched", f"the tape never watched the source ({what}): {why}"
        return "never_watched", (f"the tape never watched the source ({what}); call "
                                 f"tape.watch(x) inside the tape's block before using it")
    _, reach = backprop.connected(tape._records, [s])
    flat_targets = [t for t in targets if t is not None]
    for t in flat_targets:
        if backprop._key(t) in reach and t._value.dtype.kind not in "fc":
            return "integer_dtype", (f"the target has dtype {t.dtype.name}; integer and bool "
                                     f"targets have no gradient")
    produced = {id(o) for rec in tape._records for o in rec.outputs}
    # Values that carry gradient from the source: integer values on the way cut the path.
    float_reach = {key}
    for rec in tape._records:
        if any(backprop._key(t) in float_reach and t._value.dtype.kind in "fc"
               for t in rec.inputs):
            float_reach.update(id(o) for o in rec.outputs if o._value.dtype.kind in "fc")
    reach_arrays = {id(s._value)} | {id(o._value) for rec in tape._records for o in rec.outputs
                                     if id(o) in float_reach}
    found = _trace(report, tape, flat_targets, s, reach_arrays)
    if found is not None:
        return found
    if report._escaped and _numpy_leaf(report, flat_targets, reach_arrays):
        return "numpy", (f"the source ({what}), or a value computed from it, was converted "
                         f"with .numpy()/np.asarray/float(); values rebuilt from NumPy or "
                         f"Python numbers are not connected")
    if not report._producers and not any(id(t) in produced or backprop._key(t) in tape._watched
                                         for t in flat_targets):
        return "target_not_recorded", (
            "the target was not recorded on this tape: it was computed before the tape "
            "started, while it was not recording, from unwatched values or through NumPy "
            "(enter explain_gradients() before the computation for the precise cause)")
    return "unconnected", f"the target does not depend on the source ({what})"


def _numpy_leaf(report, targets, reach):
    """True if a leaf (no producer) under the targets equals an escaped source-derived value."""
    import numpy as np
    escaped = [a for aid, (a, _) in report._escaped.items() if aid in reach]
    if not escaped:
        return False
    stack = [t._value for t in targets]
    seen = set()
    while stack:
        a = stack.pop()
        if id(a) in seen:
            continue
        seen.add(id(a))
        entry = report._producers.get(id(a))
        if entry is not None and entry[0] is a:
            stack.extend(entry[2])
            continue
        for e in escaped:
            if np.shape(a) == np.shape(e) and np.array_equal(a, e):
                return True
    return False


def _trace(report, tape, targets, s, reach):
    """Walks the targets' provenance back to the source; names the op that cut the path."""
    producers = report._producers
    if not producers:
        return None
    start = report._tape_start.get(id(tape), (None, 0))[1]
    # Depth-first search over arrays, keeping the first cut (an unrecorded op) on each path.
    stack = [(t._value, None) for t in targets]
    seen = set()
    while stack:
        t, cut = stack.pop()
        k = id(t)
        if k in seen:
            continue
        seen.add(k)
        if k in reach:
            if cut is not None:
                return _describe_cut(cut, start, id(tape))
            return "non_differentiable", (
                "every op on the path was recorded, but a gradient rule along it returned "
                "None (ops such as round, floor or sign have no gradient)")
        entry = producers.get(k)
        if entry is None or entry[0] is not t:
            continue
        out, name, inputs, differentiable, seq, tapes = entry
        recorded = differentiable and id(tape) in tapes and out.dtype.kind in "fc"
        for inp in inputs:
            stack.append((inp, cut if recorded else (cut or entry)))
    return None


def _describe_cut(entry, start, tape_id):
    out, name, inputs, differentiable, seq, tapes = entry
    if not differentiable:
        return "non_differentiable", (f"the path to the target goes through {name!r}, which "
                                      f"is not differentiable")
    if out.dtype.kind not in "fc":
        return "non_differentiable", (f"the path to the target goes through {name!r}, whose "
                                      f"result has integer dtype {out.dtype}")
    if tape_id not in tapes and seq < start or not start:
        return "before_tape", (f"the target depends on the source through {name!r}, which "
                               f"ran before the tape started recording")
    return "not_recording", (f"the target depends on the source through {name!r}, which ran "
                             f"while the tape was not recording (stop_recording or after "
                             f"its block)")

"""Backward plans: a tape's reverse pass replayed from a cached program.

A training loop differentiates the same computation at every step: the same ops, wired the
same way, on tensors of the same shapes and dtypes. The reverse sweep (`backprop._reverse`)
spends most of its non-kernel time in Python (looking up cotangents, calling gradient
rules, dispatching the rules' ops). When `tape.gradient` sees a pass whose structure it has
seen before, it traces that pass once with tf.function's tracer (`function/tracing.py`) and
replays the recorded program on later calls: the rules' NumPy kernels run in order, with
none of the Python around them.

The *structure* is everything the rules' Python can depend on: each record's rule
(a registered primitive's rule: custom gradients are never planned), attributes, how its
inputs connect to earlier records, sources and outside tensors, and the shape and dtype of
every tensor involved. Rules that look at values (`int(t)`, `bool(t)`) leave guards in the
program, as in tf.function: a replay that sees another value gives up and the ordinary
sweep runs. Plans are used only when nothing else is recording (no tape, accumulator or
trace active, no check-numerics hook), with default output gradients and one cotangent
(not jacobians); a kernel error in a replay also falls back, so errors read as in eager.
A structure is traced the second time it is seen, and at most `MAX_PLANS` are kept.
Programs hold no tensor of the forward pass: those are the replay's inputs.
"""

from __future__ import annotations

from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable

import os

import numpy as np

MAX_PLANS = 256
MAX_PLAN_BYTES = 4 << 20   # constants a plan may keep (e.g. the seed of a large target)
enabled = True
# TAPEFLOW_CHECK_PLANS=1 (for the test suite): plan every pass at its first sighting and
# check each replay against the ordinary sweep, bit for bit.
check = os.environ.get("TAPEFLOW_CHECK_PLANS") == "1"

_plans: dict = {}       # structure key -> (Program, outputs), None when seen once, or
_UNPLANNABLE = object()  # this: the pass cannot be planned (sweep it, never trace again)
_planned_rules = None   # the registered primitives' gradient rules


def _rules():
    global _planned_rules
    from tapeflow._src.autodiff.record import _read_grad
    from tapeflow._src.ops import registry
    rules = {p.grad_fn for p in registry.REGISTRY.values() if p.grad_fn is not None}
    rules.add(_read_grad)
    _planned_rules = (len(registry.REGISTRY), frozenset(rules))
    return _planned_rules[1]


def _key(v):
    parent = getattr(v, "_parent", None)
    return id(parent if parent is not None else v)


def structure(records, targets, sources):
    """(key, tensors): the pass's structure and the tensors a plan reads, or (None, None).

    It reads every record of the tape (equal structures mark the same records, so the
    forward sweep that marks them is left to the first, traced pass).
    The key is a flat tuple: per source its kind, shape and dtype; per record its
    rule, input and output counts, attributes, and for each input the index of the tensor
    it reads (or the source variable); each tensor's shape and dtype where it is first
    seen; last the targets' indices. Runs on every eligible `gradient` call, so it is
    written for speed.
    """
    from tapeflow._src.ops import registry
    rules = _planned_rules
    rules = (rules[1] if rules is not None and rules[0] == len(registry.REGISTRY)
             else _rules())
    slot = {}
    tensors = []
    add_tensor = tensors.append
    parts = []
    ap = parts.append
    variables = {}
    T = Tensor
    for i, s in enumerate(sources):
        v = s._value
        if type(s) is T:
            j = slot.get(id(s))
            if j is None:
                j = slot[id(s)] = len(tensors)
                add_tensor(s)
            ap(j)
        elif isinstance(s, Variable):
            variables.setdefault(_key(s), i)
            ap(None)
        else:
            return None, None
        ap(v.shape)
        ap(v.dtype)
    n = len(tensors)
    for rec in records:
        fn = rec.grad_fn
        if fn not in rules:
            return None, None  # a custom gradient: its rule is a new closure per call
        inputs, outputs, attrs = rec.inputs, rec.outputs, rec.attrs
        ap(fn)
        ap(len(inputs))
        ap(len(outputs))
        ap(tuple(attrs.items()) if attrs else None)
        for t in inputs:
            k = id(t) if type(t) is T else _key(t)
            j = slot.get(k)
            if j is None:
                if type(t) is not T:
                    # A variable read: which source it is decides where its gradient goes.
                    ap(("v", variables.get(k, -1)))
                    continue
                j = slot[k] = n
                n += 1
                add_tensor(t)
                v = t._value
                ap(v.shape)
                ap(v.dtype)
            ap(j)
        for o in outputs:
            slot[id(o)] = n
            n += 1
            add_tensor(o)
            v = o._value
            ap(v.shape)
            ap(v.dtype)
    for t in targets:
        if type(t) is not T:
            return None, None
        ap(slot.get(id(t), -1))
    key = tuple(parts)
    try:
        hash(key)
    except TypeError:
        return None, None
    return key, tensors


def run(key, tensors, backward_fn):
    """The pass's gradients from its plan, or None (then the caller sweeps as usual).

    `backward_fn()` runs the ordinary pass and returns the per-source gradients; it is
    traced into a plan the second time a structure is seen.
    """
    plan = _plans.get(key, False)
    if plan is _UNPLANNABLE:
        return None
    if plan is False:  # first sighting: remember it, sweep as usual
        if len(_plans) >= MAX_PLANS:
            _plans.clear()
        _plans[key] = None
        if not check:
            return None
        plan = None
    if plan is None:
        return _trace(key, tensors, backward_fn)
    try:
        out = _replay(plan[0], plan[1], tensors)
    except Exception:  # a guard saw another value, or a kernel failed: sweep as usual
        return None
    if check:
        _compare(out, backward_fn())
    return out


def _replay(program, out_flat, tensors):
    v = program.init_arrays[:]
    for i, t in zip(program.input_slots, tensors):
        v[i] = t._value
    if program.replay is not None:
        program.replay(v, [])
    else:
        for step in program.fast:
            step(v, [])
    return [None if kind == "py" else _wrap(v[x]) for kind, x in out_flat]


def _compare(got, want):
    for g, w in zip(got, want):
        if (g is None) != (w is None):
            raise AssertionError(f"backward plan: gradient {g!r}, sweep {w!r}")
        if g is None:
            continue
        a, b = np.asarray(g._value), np.asarray(w._value)
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(
                a, b, equal_nan=a.dtype.kind in "fc"):
            raise AssertionError(f"backward plan: gradient {a!r}, sweep {b!r}")


def _trace(key, tensors, backward_fn):
    from tapeflow._src.function import tracing
    tracer = tracing.Tracer(allow_variables=False)
    input_slots = [tracer.input(t) for t in tensors]
    saved = tracing.activate(tracer)
    try:
        grads = backward_fn()
        out_flat = [("py", None) if g is None else ("slot", tracer.constant_slot(g))
                    for g in grads]
    finally:
        tracing.deactivate(saved)
    if tracer.unreplayable or tracer.new_variables or tracer.assigned or tracer.pending:
        _plans[key] = _UNPLANNABLE
        return grads
    program = tracing.Program(tracer, input_slots, list(grads), out_flat, "gradient")
    kept = sum(getattr(a, "nbytes", 0) for a in program.init_arrays if a is not None)
    if kept > MAX_PLAN_BYTES:
        _plans[key] = _UNPLANNABLE  # replaying would save less than the memory it pins
        return grads
    _plans[key] = (program, out_flat)
    if check:  # replay at once too, so every planned structure is checked
        _compare(_replay(program, out_flat, tensors), grads)
    return grads


def clear():
    """Forgets every plan (tests, and code that redefines gradient rules)."""
    _plans.clear()

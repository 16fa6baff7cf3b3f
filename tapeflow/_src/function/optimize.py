"""Graph simplification for a traced program's fast replay.

A finished trace is a straight-line list of steps (see `tracing.py`). Before it is compiled
for fast replays, this module rewrites a copy of it:

- **Constant deduplication.** Small captured constants with the same dtype, shape and
  bytes (the `0.01` of every `p.assign_sub(0.01 * g)`) become one slot, so the ops that
  use them can be shared.
- **Constant folding.** An op whose inputs are all constants is run once, now, and its
  result becomes a constant (e.g. the seed gradient of a mean: `ones / n`, broadcast,
  reshaped). Results larger than `FOLD_MAX_BYTES` are left to run on each call, and an op
  that fails is left in place so that the replay reports its error.
- **Common subexpressions.** An op with the same primitive, attributes and inputs as an
  earlier one reuses its result; two reads of a variable with no assignment of it between
  them read once.
- **Dead code.** Ops and variable reads whose results nothing uses are dropped.
  Assignments, guards, `tf.print`s, `CheckNumerics` and values computed outside primitives
  (`record.derived`/`source`: some of them draw random numbers, whose generator must
  advance as in the trace) always stay, and are never folded or shared.

Only the fast replay runs the rewritten steps. The replay through the primitives (under a
tape, or after a kernel error) runs the steps as traced, so gradients and error messages
see every op the user wrote. All primitives are pure functions of their inputs and
attributes, which is what makes folding and sharing sound.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.function.tracing import ASSIGN, CUSTOM, FN, OP, OPM, READ

FOLD_MAX_BYTES = 10 << 20     # TF's constant folding leaves larger results alone too
DEDUP_MAX_ELEMENTS = 256      # constants compared byte for byte
NEVER_DROP = frozenset({"CheckNumerics"})


def _same_array(a):
    return a


def _attrs_key(attrs):
    """A hashable key for an op's attributes, or None when one of them is not hashable."""
    if not attrs:
        return ()
    try:
        key = tuple(sorted(attrs.items()))
        hash(key)
    except TypeError:
        return None
    return key


def optimize(steps, consts, out_slots):
    """The steps a fast replay runs, and the constant arrays they start from.

    Args:
      steps: the traced steps (not modified).
      consts: list, slot -> the constant's array (None for non-constant slots); a
        modified copy is returned.
      out_slots: slots the program returns (they must still hold their values).

    Returns:
      (steps, consts, stats) with stats counting what each pass removed.
    """
    consts = list(consts)
    stats = {"deduplicated constants": 0, "folded": 0, "shared": 0, "dropped": 0}
    remap = {}

    # Constant deduplication.
    seen = {}
    for i, a in enumerate(consts):
        if a is None or np.ndim(a) and np.size(a) > DEDUP_MAX_ELEMENTS:
            continue
        arr = np.asarray(a)
        if arr.dtype.kind not in "biufc":
            continue
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        j = seen.setdefault(key, i)
        if j != i:
            remap[i] = j
            stats["deduplicated constants"] += 1

    out_set = set(out_slots)
    new_steps = []
    exprs = {}          # CSE key -> output slots of the first occurrence
    reads = {}          # id(variable) -> slot of its last read with no assignment since
    for kind, a, attrs, ins, outs in steps:
        if kind == CUSTOM:
            continue  # fast replays run the function's recorded steps that follow
        ins = tuple(remap.get(j, j) for j in ins)
        if kind in (OP, OPM):
            if all(consts[j] is not None for j in ins) and _fold(kind, a, attrs, ins, outs,
                                                                 consts):
                stats["folded"] += 1
                continue
        if kind in (OP, OPM):
            akey = _attrs_key(attrs)
            if akey is not None:
                key = (a, ins, akey)
                prev = exprs.get(key)
                if prev is not None and len(prev) == len(outs):
                    _share(prev, outs, remap, out_set, new_steps)
                    stats["shared"] += 1
                    continue
                exprs[key] = outs
        elif kind == READ:
            prev = reads.get(id(a))
            if prev is not None:
                _share((prev,), outs, remap, out_set, new_steps)
                stats["shared"] += 1
                continue
            reads[id(a)] = outs[0]
        elif kind == ASSIGN:
            reads.pop(id(a), None)
        new_steps.append((kind, a, attrs, ins, outs))

    final = _drop_dead(new_steps, out_set, stats)
    return final, consts, stats


def _fold(kind, a, attrs, ins, outs, consts):
    """Runs a step on constant inputs now; True when its outputs became constants."""
    args = [consts[j] for j in ins]
    try:
        with np.errstate(all="ignore"):
            if kind == OP:
                res = (a.forward(*args, **attrs),)
            else:
                res = tuple(a.forward(*args, **attrs))
    except Exception:
        return False  # left to the replay, which reports the error as it happens
    if len(res) != len(outs) or sum(np.asarray(r).nbytes for r in res) > FOLD_MAX_BYTES:
        return False
    # Every call shares these arrays: in-place writes (tracing._assign_into) check the
    # reference count, which the constants list keeps above their limit.
    for o, r in zip(outs, res):
        consts[o] = r
    return True


def _share(prev, outs, remap, out_set, new_steps):
    """Later steps read `prev` for `outs`; a returned slot gets a copy of the reference."""
    for p, o in zip(prev, outs):
        remap[o] = p
        if o in out_set:
            new_steps.append((FN, _same_array, None, (p,), (o,)))


def _drop_dead(steps, out_set, stats):
    live = set(out_set)
    kept = []
    for step in reversed(steps):
        kind, a, _, ins, outs = step
        removable = kind == READ or (kind in (OP, OPM) and a.name not in NEVER_DROP)
        if removable and not any(o in live for o in outs):
            stats["dropped"] += 1
            continue
        live.update(ins)
        kept.append(step)
    kept.reverse()
    return kept

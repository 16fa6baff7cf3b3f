"""What ops and variable reads do when tapes are active: the recording half of the tape.

Kept free of op imports so that the op registry and Variable can call into it.
A record (`OpRecord`) is shared by every tape that recorded it; each tape keeps its own
list in execution order, so the backward pass walks it in reverse with no sort.
"""

from __future__ import annotations

from tapeflow._src.framework import context

_tapes = context.tapes


class OpRecord:
    """One executed op as the gradient rules see it: `op.inputs`, `op.outputs`, `op.attrs`."""

    __slots__ = ("type", "inputs", "outputs", "attrs", "grad_fn", "needs", "__weakref__")

    def __init__(self, op_type, inputs, outputs, attrs, grad_fn):
        self.type = op_type
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.grad_fn = grad_fn
        # Set by the backward pass before the rule runs: needs[i] is False when input i is
        # not on a path to any source, so a rule may return None for it instead of computing
        # a gradient nobody reads (e.g. the data batch of a first-layer matmul). None means
        # "unknown: compute all", as when a rule is called outside the engine.
        self.needs = None

    def __repr__(self):
        return f"<OpRecord {self.type}>"


def record(op_type, grad_fn, inputs, outputs, attrs):
    """Adds the op to every recording tape that watches one of its inputs."""
    rec = None
    for tape in _tapes:
        if not tape._recording:
            continue
        watched = tape._watched
        for t in inputs:
            if id(t) in watched:
                break
        else:
            continue
        if rec is None:
            rec = OpRecord(op_type, inputs, outputs, attrs, grad_fn)
        tape._records.append(rec)
        for o in outputs:
            watched.add(id(o))


def _read_grad(op, dy):
    return dy


def record_variable_read(variable, tensor):
    """A variable was read into `tensor`: tapes watching it (or auto-watching) record it."""
    tracer = context.tracer
    if tracer is not None:
        tracer.read(variable, tensor)
    rec = None
    for tape in _tapes:
        if not tape._recording:
            continue
        tape._on_variable_read(variable)
        if id(variable) not in tape._watched:
            continue
        if rec is None:
            rec = OpRecord("ReadVariableOp", (variable,), (tensor,), {}, _read_grad)
        tape._records.append(rec)
        tape._watched.add(id(tensor))


def derived(fn, *inputs):
    """`fn(*arrays)` on the inputs' arrays as a new Tensor, visible to a tf.function trace.

    For values computed from tensor data outside a primitive (e.g. an index array for a
    gather): under tracing, the computation is recorded so a replay recomputes it instead
    of reusing the trace-time value. Never recorded on tapes (not differentiable).
    """
    from tapeflow._src.framework.tensor import _wrap
    t = _wrap(fn(*[x._value for x in inputs]))
    if _tapes:
        tracer = context.tracer
        if tracer is not None:
            tracer.derived(fn, inputs, t)
    return t


def source(fn):
    """`fn()` (e.g. a random draw) as a new Tensor; a tf.function replay calls `fn` again."""
    from tapeflow._src.framework.tensor import _wrap
    t = _wrap(fn())
    if _tapes:
        tracer = context.tracer
        if tracer is not None:
            tracer.derived(fn, (), t)
    return t


def peek(t):
    """`t`'s array, read by Python code that decides something from it (a shape, a count).

    Under a tf.function trace this records a guard: a replay with another value traces
    again instead of reusing the decision.
    """
    v = t._value
    if _tapes:
        tracer = context.tracer
        if tracer is not None:
            tracer.guard(t, "array", v)
    return v

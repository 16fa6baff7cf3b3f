"""The reverse pass: walk records backwards, call gradient rules, sum into sources.

Gradient rules return tapeflow Tensors, so whatever tape is recording while this runs
records the backward computation as ordinary ops (higher-order gradients).
"""

from __future__ import annotations

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable


def _key(x):
    # A variable is identified by itself, not by the UnreadVariable view of it.
    parent = getattr(x, "_parent", None) if isinstance(x, Variable) else None
    return id(parent if parent is not None else x)


def unbroadcast(g, shape):
    """Sums `g` over broadcast dimensions so that it has `shape` (a tuple)."""
    from tapeflow._src.ops import array_ops, reduction_ops
    gshape = g._value.shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    axes = list(range(extra))
    for i, d in enumerate(shape):
        if d == 1 and gshape[extra + i] != 1:
            axes.append(extra + i)
    if axes:
        g = reduction_ops.reduce_sum(g, axis=axes, keepdims=True)
    if g._value.shape != shape:
        g = array_ops.reshape(g, shape)
    return g


def backward(records, targets, output_gradients, sources):
    """Gradients of sum(targets) with respect to each source (None where unconnected)."""
    from tapeflow._src.ops import array_ops, math_ops
    from tapeflow._src.framework.convert import convert_to_tensor

    grads = {}
    for t, og in zip(targets, output_gradients):
        if t is None:
            continue
        key = _key(t)
        if isinstance(t, Variable):
            t = t._read()
        if og is None:
            g = array_ops.ones_like(t)
        else:
            g = convert_to_tensor(og, dtype=t.dtype)
        grads[key] = math_ops.add(grads[key], g) if key in grads else g

    # Snapshot: this tape may record the backward ops themselves when asked inside its context.
    n = len(records)
    for i in range(n - 1, -1, -1):
        rec = records[i]
        outs = rec.outputs
        dys = [grads.get(id(o)) for o in outs]
        if all(d is None for d in dys):
            continue
        if rec.grad_fn is None:
            raise LookupError(f"No gradient defined for operation '{rec.type}' "
                              f"(op type: {rec.type}). In general every operation must "
                              f"have an associated gradient (@tf.RegisterGradient).")
        if len(dys) > 1:
            dys = [d if d is not None else array_ops.zeros_like(o) for d, o in zip(dys, outs)]
        in_grads = rec.grad_fn(rec, *dys)
        if not isinstance(in_grads, (tuple, list)):
            in_grads = (in_grads,)
        for inp, g in zip(rec.inputs, in_grads):
            if g is None:
                continue
            if not isinstance(inp, Variable) and inp._value.dtype.kind not in "fc":
                continue  # integer and bool inputs get no gradient, as in TensorFlow
            if isinstance(inp, Variable):
                shape = inp._value.shape
            else:
                shape = inp._value.shape
            if not isinstance(g, Tensor):
                g = convert_to_tensor(g)
            if g._value.shape != shape:
                g = unbroadcast(g, shape)
            key = _key(inp)
            prev = grads.get(key)
            grads[key] = g if prev is None else math_ops.add(prev, g)

    out = []
    for s in sources:
        g = grads.get(_key(s))
        if g is not None and s.dtype not in dtypes.INEXACT:
            g = None
        out.append(g)
    return out

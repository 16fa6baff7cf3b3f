"""The reverse pass: walk records backwards, call gradient rules, sum into sources.

Gradient rules return tapeflow Tensors, so whatever tape is recording while this runs
records the backward computation as ordinary ops (higher-order gradients).

Only records on a path from a source to a target are differentiated: a forward sweep over
the records marks every value that depends on a source, and the reverse sweep skips records
with no marked input and drops gradients flowing into unmarked values.

`backward(..., batch=B)` runs the pass with a leading batch dimension of B cotangents at
once (used by jacobians). It only accepts records whose gradient is known to be
batch-polymorphic (elementwise ops, plus a few structural ops handled here); anything else
raises `NotBatchable` and the caller falls back to one pass per cotangent.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable

# Set by tapeflow._src.autodiff.numerics while check-numerics is enabled: an object whose
# `current` is set to the record whose gradient rule runs, so a NaN in a gradient op can
# name its forward op.
grad_op_hook = None


class NotBatchable(Exception):
    """A record's gradient rule cannot be run on a batch of cotangents."""


def _key(x):
    # A variable is identified by itself, not by the UnreadVariable view of it.
    if isinstance(x, Variable):
        parent = getattr(x, "_parent", None)
        return id(parent if parent is not None else x)
    return id(x)


def _is_inexact(x) -> bool:
    return x._value.dtype.kind in "fc"


def unbroadcast(g, shape):
    """Sums `g` over broadcast dimensions so that it has `shape` (a tuple)."""
    from tapeflow._src.ops import array_ops, reduction_ops
    gshape = g._value.shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra < 0:
        return array_ops.broadcast_to(g, shape)
    axes = list(range(extra))
    for i, d in enumerate(shape):
        if d == 1 and gshape[extra + i] != 1:
            axes.append(extra + i)
    # The Sum primitive directly: `axes` is already a sorted tuple of valid axes.
    if len(axes) == extra:
        # Only leading dimensions were added (a bias): one reduction gives the shape.
        return reduction_ops._sum(g, axis=tuple(axes), keepdims=False)
    if axes:
        g = reduction_ops._sum(g, axis=tuple(axes), keepdims=True)
    if g._value.shape != shape:
        g = array_ops.reshape(g, shape)
    return g


def _unbroadcast_batched(g, shape):
    """Like unbroadcast, but never sums over the leading batch dimension."""
    from tapeflow._src.ops import array_ops, reduction_ops
    gshape = g._value.shape
    extra = len(gshape) - len(shape)
    axes = list(range(1, 1 + extra))
    for i, d in enumerate(shape[1:], start=1):
        if d == 1 and gshape[extra + i] != 1:
            axes.append(extra + i)
    if axes:
        g = reduction_ops.reduce_sum(g, axis=axes, keepdims=True)
    if g._value.shape != shape:
        g = array_ops.reshape(g, shape)
    return g


def connected(records, sources):
    """(marked records, ids of values depending on a source) for a forward sweep."""
    reach = {_key(s) for s in sources}
    marked = []
    for rec in records:
        for t in rec.inputs:
            if (id(t) if type(t) is Tensor else _key(t)) in reach:
                marked.append(rec)
                for o in rec.outputs:
                    reach.add(id(o))
                break
    return marked, reach


def seed_gradients(targets, output_gradients, reach, batch=None):
    """Initial cotangents keyed by target id (targets of integer dtype get none)."""
    from tapeflow._src.framework.convert import convert_to_tensor
    from tapeflow._src.ops import array_ops, math_ops
    grads = {}
    for t, og in zip(targets, output_gradients):
        if t is None:
            continue
        key = _key(t)
        if key not in reach:
            continue
        if isinstance(t, Variable):
            t = _wrap(t._value)
        if not _is_inexact(t):
            continue  # an integer or bool target has no gradient, as in TensorFlow
        if og is None:
            g = array_ops.ones_like(t)
        else:
            g = convert_to_tensor(og, dtype=t.dtype)
            want = t._value.shape if batch is None else (batch,) + t._value.shape
            if g._value.shape != want:
                g = array_ops.broadcast_to(g, want)
        grads[key] = math_ops.add(grads[key], g) if key in grads else g
    return grads


def backward(records, targets, output_gradients, sources, batch=None):
    """Gradients of sum(targets) with respect to each source (None where unconnected).

    With `batch=B`, each output gradient carries a leading dimension of size B and each
    result has shape (B,) + source shape.
    """
    marked, reach = connected(records, sources)
    grads = seed_gradients(targets, output_gradients, reach, batch)
    hook = grad_op_hook
    if hook is None:
        _reverse(marked, grads, reach, batch, None)
    else:
        saved = hook.current
        try:
            _reverse(marked, grads, reach, batch, hook)
        finally:
            hook.current = saved

    out = []
    for s in sources:
        g = grads.get(_key(s))
        if g is not None and s.dtype not in dtypes.INEXACT:
            g = None  # integer and bool sources get None, as in TensorFlow
        out.append(g)
    return out


def _reverse(marked, grads, reach, batch, hook):
    """The reverse sweep: accumulates into `grads` (keyed by value id).

    This loop runs once per recorded op in every gradient call, so it avoids per-record
    generators and helper calls for the common single-output, Tensor-input case.
    """
    from tapeflow._src.framework.convert import convert_to_tensor
    from tapeflow._src.ops import array_ops, math_ops
    get = grads.get
    for i in range(len(marked) - 1, -1, -1):
        rec = marked[i]
        outs = rec.outputs
        if len(outs) == 1:
            dy = get(id(outs[0]))
            if dy is None:
                continue
            dys = (dy,)
        else:
            dys = [get(id(o)) for o in outs]
            if all(d is None for d in dys):
                continue
            if batch is not None:
                raise NotBatchable(rec.type)
            if not getattr(rec.grad_fn, "accepts_none", False):
                dys = [d if d is not None else array_ops.zeros_like(o)
                       for d, o in zip(dys, outs)]
        if rec.grad_fn is None:
            raise LookupError(f"No gradient defined for operation '{rec.type}' "
                              f"(op type: {rec.type}). In general every operation must "
                              f"have an associated gradient (@tf.RegisterGradient).")
        if hook is not None:
            hook.current = rec
        inputs = rec.inputs
        keys = [id(t) if type(t) is Tensor else _key(t) for t in inputs]
        rec.needs = needs = tuple([k in reach for k in keys])
        if batch is None:
            in_grads = rec.grad_fn(rec, *dys)
        else:
            in_grads = _batched_rule(rec, dys[0], batch)
        if not isinstance(in_grads, (tuple, list)):
            in_grads = (in_grads,)
        for inp, g, key, need in zip(inputs, in_grads, keys, needs):
            if g is None or not need:
                continue  # not on a path to a source
            if inp._value.dtype.kind not in "fc":
                continue  # integer and bool inputs get no gradient
            shape = inp._value.shape
            if type(g) is not Tensor and not isinstance(g, Tensor):
                g = convert_to_tensor(g)
            if batch is not None:
                shape = (batch,) + shape
                gs = g._value.shape
                if len(gs) < len(shape) or gs[0] != batch:
                    raise NotBatchable(rec.type)
            if g._value.shape != shape:
                g = unbroadcast(g, shape) if batch is None else _unbroadcast_batched(g, shape)
            prev = get(key)
            grads[key] = g if prev is None else math_ops.add(prev, g)


# -- batched gradient rules (jacobians) ---------------------------------------------------

def _elementwise_types():
    from tapeflow._src.ops import registry, rules
    names = {"ReadVariableOp", "Identity", "StopGradient"}
    for name, p in registry.REGISTRY.items():
        if p.shape_rule in (rules.same_shape, rules.broadcast) and not p.multi_output:
            names.add(name)
    return names


_ELEMENTWISE = (-1, frozenset())   # (registry size when computed, op types)
_SAFE_ATTRS = frozenset({"to", "alpha"})


def _batched_rule(rec, dy, batch):
    """Runs rec's gradient on cotangents with a leading batch dimension, or raises."""
    global _ELEMENTWISE
    special = _BATCHED.get(rec.type)
    if special is not None:
        return special(rec, dy, batch)
    if rec.type not in _ELEMENTWISE[1]:
        from tapeflow._src.ops import registry
        if _ELEMENTWISE[0] != len(registry.REGISTRY):   # ops registered since: refresh
            _ELEMENTWISE = (len(registry.REGISTRY), _elementwise_types())
        if rec.type not in _ELEMENTWISE[1]:
            raise NotBatchable(rec.type)
    if rec.attrs and not _SAFE_ATTRS.issuperset(rec.attrs):
        raise NotBatchable(rec.type)  # e.g. an `axis` attribute would shift under batching
    # Elementwise ops: the gradient is dy times a local derivative that broadcasts against
    # dy's extra leading dimension.
    try:
        return rec.grad_fn(rec, dy)
    except Exception as e:  # a rule that is not batch-polymorphic after all
        raise NotBatchable(rec.type) from e


def _batched_reduce(rec, dy, batch, mean):
    from tapeflow._src.ops import array_ops
    x = rec.inputs[0]
    shp = x._value.shape
    axis = rec.attrs.get("axis")
    keep = tuple(1 if axis is None or i in axis else d for i, d in enumerate(shp))
    g = array_ops.reshape(dy, (batch,) + keep)
    if mean:
        n = int(np.prod([d for i, d in enumerate(shp) if axis is None or i in axis]))
        g = g / _wrap(np.asarray(max(n, 1), dtype=x._value.dtype))
    return (array_ops.broadcast_to(g, (batch,) + shp),)


def _batched_reshape(rec, dy, batch):
    from tapeflow._src.ops import array_ops
    out = [array_ops.reshape(dy, (batch,) + rec.inputs[0]._value.shape)]
    return tuple(out) + (None,) * (len(rec.inputs) - 1)


def _batched_matmul(rec, dy, batch):
    from tapeflow._src.ops import array_ops, linalg_ops
    a, b = rec.inputs
    if a._value.ndim != 2 or b._value.ndim != 2 or a._value.dtype.kind == "c":
        raise NotBatchable(rec.type)
    ta, tb = rec.attrs.get("ta"), rec.attrs.get("tb")
    am = array_ops.transpose(a) if ta else a   # (m, k)
    bm = array_ops.transpose(b) if tb else b   # (k, n)
    m, k = am._value.shape
    n = bm._value.shape[1]
    # d(am) = dy @ bm^T over the batch: fold the batch into the rows.
    da = linalg_ops.matmul(array_ops.reshape(dy, (batch * m, n)), bm, transpose_b=True)
    da = array_ops.reshape(da, (batch, m, k))
    # d(bm) = am^T @ dy: fold the batch into the columns.
    dyt = array_ops.reshape(array_ops.transpose(dy, (1, 0, 2)), (m, batch * n))
    db = linalg_ops.matmul(am, dyt, transpose_a=True)
    db = array_ops.transpose(array_ops.reshape(db, (k, batch, n)), (1, 0, 2))
    if ta:
        da = array_ops.transpose(da, (0, 2, 1))
    if tb:
        db = array_ops.transpose(db, (0, 2, 1))
    return da, db


_BATCHED = {
    "Sum": lambda rec, dy, b: _batched_reduce(rec, dy, b, mean=False),
    "Mean": lambda rec, dy, b: _batched_reduce(rec, dy, b, mean=True),
    "Reshape": _batched_reshape,
    "MatMul": _batched_matmul,
}

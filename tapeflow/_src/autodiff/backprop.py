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

from tapeflow._src.autodiff import plans as _plans
from tapeflow._src.autodiff.record import _read_grad
from tapeflow._src.framework import context as _context
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable

# The op modules import this package, so they are imported on first use and kept here:
# a function-level import costs about a microsecond on every gradient call.
_convert = _array_ops = _math_ops = _reduction_ops = None


def _load_ops():
    global _convert, _array_ops, _math_ops, _reduction_ops
    from tapeflow._src.framework.convert import convert_to_tensor
    from tapeflow._src.ops import array_ops, math_ops, reduction_ops
    _convert, _array_ops, _math_ops = convert_to_tensor, array_ops, math_ops
    _reduction_ops = reduction_ops


# Set by tapeflow._src.autodiff.numerics while check-numerics is enabled: an object whose
# `current` is set to the record whose gradient rule runs, so a NaN in a gradient op can
# name its forward op.
grad_op_hook = None


class NotBatchable(Exception):
    """A record's gradient rule cannot be run on a batch of cotangents."""


def _key(x):
    # A variable is identified by itself, not by the UnreadVariable view of it.
    if type(x) is Variable:
        return id(x)  # a plain Variable is never a view (no getattr miss to pay for)
    if isinstance(x, Variable):
        parent = getattr(x, "_parent", None)
        return id(parent if parent is not None else x)
    return id(x)


# (0,), (0, 1), ...: the leading axes summed away when unbroadcasting.
_LEADING = [tuple(range(n)) for n in range(33)]


def unbroadcast(g, shape):
    """Sums `g` over broadcast dimensions so that it has `shape` (a tuple)."""
    if _reduction_ops is None:
        _load_ops()
    gshape = g._value.shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra < 0:
        return _array_ops.broadcast_to(g, shape)
    if extra < 33 and gshape[extra:] == shape:
        # Only leading dimensions were added (a bias): one reduction gives the shape.
        return _reduction_ops._sum(g, axis=_LEADING[extra], keepdims=False)
    array_ops, reduction_ops = _array_ops, _reduction_ops
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
    marked, _, reach = _connected(records, sources)
    return marked, reach


def _connected(records, sources):
    """Like `connected`, plus each marked record's input keys (a list parallel to marked)."""
    reach = {_key(s) for s in sources}
    marked = []
    keys = []
    add = reach.add
    T, V = Tensor, Variable
    for rec in records:
        inputs = rec.inputs
        if len(inputs) == 1:
            t = inputs[0]
            tt = type(t)
            k = id(t) if tt is T or tt is V else _key(t)
            if k not in reach:
                continue
            ks = (k,)
        elif len(inputs) == 2:
            a, b = inputs
            ka = id(a) if type(a) is T else _key(a)
            kb = id(b) if type(b) is T else _key(b)
            if ka not in reach and kb not in reach:
                continue
            ks = (ka, kb)
        else:
            ks = tuple([id(t) if type(t) is T else _key(t) for t in inputs])
            for k in ks:
                if k in reach:
                    break
            else:
                continue
        marked.append(rec)
        keys.append(ks)
        for o in rec.outputs:
            add(id(o))
    return marked, keys, reach


def seed_gradients(targets, output_gradients, reach, batch=None):
    """Initial cotangents keyed by target id (targets of integer dtype get none)."""
    if _math_ops is None:
        _load_ops()
    grads = {}
    for t, og in zip(targets, output_gradients):
        if t is None:
            continue
        key = id(t) if type(t) is Tensor else _key(t)
        if key not in reach:
            continue
        if isinstance(t, Variable):
            t = _wrap(t._value)
        v = t._value
        if v.dtype.kind not in "fc":
            continue  # an integer or bool target has no gradient, as in TensorFlow
        if og is None:
            # What ones_like gives (a constant, not an op), without its argument handling.
            g = _wrap(np.array(1, v.dtype) if not v.shape else np.ones(v.shape, v.dtype))
        else:
            g = _convert(og, dtype=t.dtype)
            want = v.shape if batch is None else (batch,) + v.shape
            if g._value.shape != want:
                g = _array_ops.broadcast_to(g, want)
        grads[key] = _math_ops.add(grads[key], g) if key in grads else g
    return grads


def backward(records, targets, output_gradients, sources, batch=None, watched=None):
    """Gradients of sum(targets) with respect to each source (None where unconnected).

    With `batch=B`, each output gradient carries a leading dimension of size B and each
    result has shape (B,) + source shape. `watched` (a tape's set of watched keys, which
    includes its recorded outputs) limits the sources to those the tape tracks: as in
    TensorFlow, a tensor the tape never watched gets None even when a recorded op read it
    (e.g. the constant factor of `x * c`).
    """
    if watched is not None:
        for s in sources:
            if _key(s) not in watched:
                break
        else:
            watched = None  # the common case: every source is tracked
        if watched is not None:
            # A source that is itself a target is tracked too (its gradient is the seed).
            tracked = watched | {_key(t) for t in targets if t is not None}
            keep = [i for i, s in enumerate(sources) if _key(s) in tracked]
            out = [None] * len(sources)
            if keep:
                sub = backward(records, targets, output_gradients,
                               [sources[i] for i in keep], batch)
                for i, g in zip(keep, sub):
                    out[i] = g
            return out
    if (batch is None and grad_op_hook is None and _plans.enabled and not _context.tapes
            and _all_none(output_gradients)):
        # A pass of a structure seen before replays its cached plan (see plans.py).
        key, tensors = _plans.structure(records, targets, sources)
        if key is not None:
            out = _plans.run(key, tensors, lambda: _sweep(
                *_connected(records, sources), targets, output_gradients, sources, None))
            if out is not None:
                return out
    marked, keys, reach = _connected(records, sources)
    return _sweep(marked, keys, reach, targets, output_gradients, sources, batch)


def _all_none(values):
    for v in values:  # by identity: `count(None)` would compare Tensors with __eq__
        if v is not None:
            return False
    return True


def _sweep(marked, keys, reach, targets, output_gradients, sources, batch):
    grads = seed_gradients(targets, output_gradients, reach, batch)
    hook = grad_op_hook
    if hook is None:
        _reverse(marked, grads, reach, batch, None, keys)
    else:
        saved = hook.current
        try:
            _reverse(marked, grads, reach, batch, hook, keys)
        finally:
            hook.current = saved

    out = []
    get = grads.get
    for s in sources:
        g = get(id(s) if type(s) is Tensor else _key(s))
        if g is not None and s._value.dtype.kind not in "fc":
            g = None  # integer and bool sources get None, as in TensorFlow
        out.append(g)
    return out


_ONE_NEEDED = (True,)


def _reverse(marked, grads, reach, batch, hook, keys=None):
    """The reverse sweep: accumulates into `grads` (keyed by value id).

    `keys[i]` are the keys of `marked[i]`'s inputs (computed when None). This loop runs
    once per recorded op in every gradient call, so it avoids per-record generators and
    helper calls for the common single-output, Tensor-input case.
    """
    if _math_ops is None:
        _load_ops()
    if keys is None:
        keys = [tuple([id(t) if type(t) is Tensor else _key(t) for t in rec.inputs])
                for rec in marked]
    add = _math_ops.add
    get = grads.get
    T = Tensor
    eager = batch is None
    for rec, ks in zip(reversed(marked), reversed(keys)):
        outs = rec.outputs
        grad_fn = rec.grad_fn
        if len(outs) == 1:
            dy = get(id(outs[0]))
            if dy is None:
                continue
            if grad_fn is _read_grad and eager:
                # A variable read: its gradient is the read tensor's, with no rule to call.
                # (A marked read's variable is always a source.)
                v = rec.inputs[0]._value
                if dy._value.shape == v.shape and v.dtype.kind in "fc":
                    key = ks[0]
                    prev = get(key)
                    grads[key] = dy if prev is None else add(prev, dy)
                    continue
            dys = (dy,)
        else:
            dys = [get(id(o)) for o in outs]
            # (Not dys.count(None): that compares each Tensor with None through its
            # elementwise __eq__, an op per output.)
            for d in dys:
                if d is not None:
                    break
            else:
                continue
            if not eager:
                raise NotBatchable(rec.type)
            if not getattr(grad_fn, "accepts_none", False):
                dys = [d if d is not None else _array_ops.zeros_like(o)
                       for d, o in zip(dys, outs)]
        if grad_fn is None:
            raise LookupError(f"No gradient defined for operation '{rec.type}' "
                              f"(op type: {rec.type}). In general every operation must "
                              f"have an associated gradient (@tf.RegisterGradient).")
        if hook is not None:
            hook.current = rec
        n = len(ks)
        if n == 1:
            needs = _ONE_NEEDED  # a marked record's only input is on a path to a source
        elif n == 2:
            needs = (ks[0] in reach, ks[1] in reach)
        else:
            needs = tuple([k in reach for k in ks])
        rec.needs = needs
        if eager:
            in_grads = grad_fn(rec, *dys)
        else:
            in_grads = _batched_rule(rec, dys[0], batch)
        if type(in_grads) is not tuple:
            in_grads = tuple(in_grads) if isinstance(in_grads, list) else (in_grads,)
        inputs = rec.inputs
        for j in range(min(n, len(in_grads))):
            g = in_grads[j]
            if g is None or not needs[j]:
                continue  # not on a path to a source
            v = inputs[j]._value
            if v.dtype.kind not in "fc":
                continue  # integer and bool inputs get no gradient
            if type(g) is not T and not isinstance(g, T):
                g = _convert(g)
            if eager:
                shape = v.shape
                if g._value.shape != shape:
                    g = unbroadcast(g, shape)
            else:
                shape = (batch,) + v.shape
                gs = g._value.shape
                if len(gs) < len(shape) or gs[0] != batch:
                    raise NotBatchable(rec.type)
                if gs != shape:
                    g = _unbroadcast_batched(g, shape)
            key = ks[j]
            prev = get(key)
            grads[key] = g if prev is None else add(prev, g)


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

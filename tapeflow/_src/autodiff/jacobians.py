"""`GradientTape.jacobian` and `GradientTape.batch_jacobian`.

A Jacobian row is a VJP with a one-hot cotangent. We first try all rows at once: one
backward pass whose cotangents carry a leading batch dimension (an identity matrix shaped
like the target). That works when every record on the path is elementwise or one of the
structural ops `backprop` knows how to batch (Sum, Mean, Reshape, 2-D MatMul). Otherwise
`backprop.NotBatchable` is raised before anything is returned and we fall back to a Python
loop with one backward pass per target element (per inner target element for
batch_jacobian). Both paths are built from tapeflow ops, so an outer tape can
differentiate a Jacobian (e.g. Hessians).
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.autodiff import backprop
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.util import nest


def _as_tensor(t):
    if isinstance(t, Variable):
        return _wrap(t._value)
    if not isinstance(t, Tensor):
        from tapeflow._src.framework.convert import convert_to_tensor
        return convert_to_tensor(t)
    return t


def _one_hot_rows(n, inner_shape, dtype, batch=None):
    """n one-hot cotangents: shape (n,) + inner_shape, or (n, batch) + inner_shape."""
    eye = np.eye(n, dtype=dtype)
    if batch is None:
        return eye.reshape((n,) + tuple(inner_shape))
    rows = np.broadcast_to(eye[:, None, :], (n, batch, n))
    return np.ascontiguousarray(rows).reshape((n, batch) + tuple(inner_shape))


def _vjps(records, target, sources, cotangents, watched):
    """Backward passes for each cotangent in `cotangents` (leading axis), stacked."""
    from tapeflow._src.ops import array_ops
    n = cotangents.shape[0]
    try:
        return backprop.backward(records, [target], [_wrap(cotangents)], sources, batch=n,
                                 watched=watched)
    except backprop.NotBatchable:
        pass
    # Fallback: one backward pass per cotangent.
    per_row = [backprop.backward(records, [target], [_wrap(cotangents[i])], sources,
                                 watched=watched)
               for i in range(n)]
    out = []
    for j, s in enumerate(sources):
        col = [row[j] for row in per_row]
        if all(g is None for g in col):
            out.append(None)
            continue
        shape = tuple(s._value.shape) if not isinstance(s, Variable) else s._value.shape
        col = [g if g is not None else array_ops.zeros(shape, dtype=s.dtype) for g in col]
        out.append(array_ops.stack(col))
    return out


def _finish(g, s, shape, unconnected):
    from tapeflow._src.ops import array_ops
    if g is None:
        if unconnected.value == "zero":
            return array_ops.zeros(shape, dtype=s.dtype)
        return None
    return array_ops.reshape(g, shape)


def jacobian(records, target, sources, unconnected, watched=None):
    """Jacobians of one target with respect to a nested structure of sources (those
    outside `watched`, the tape's tracked keys, get None as unconnected ones)."""
    from tapeflow._src.ops import array_ops
    target = _as_tensor(target)
    flat = nest.flatten(sources)
    tshape = tuple(target._value.shape)
    n = int(np.prod(tshape, dtype=np.int64))
    results = []
    if n == 0 or target._value.dtype.kind not in "fc":
        grads = [None] * len(flat)
    else:
        cot = _one_hot_rows(n, (n,), target._value.dtype).reshape((n,) + tshape)
        grads = _vjps(records, target, flat, cot, watched)
    for s, g in zip(flat, grads):
        shape = tshape + tuple(s._value.shape)
        if n == 0 and s._value.dtype.kind in "fc":
            results.append(array_ops.zeros(shape, dtype=s.dtype))
            continue
        results.append(_finish(g, s, shape, unconnected))
    return nest.pack_sequence_as(sources, results)


def batch_jacobian(records, target, source, unconnected, watched=None):
    """Per-example Jacobian of target[i] with respect to source[i].

    As in TensorFlow, an unconnected (or unwatched) float source gives zeros, not None:
    TF assembles the result from per-row gradients, each filled with zeros.
    """
    from tapeflow._src.ops import array_ops
    target = _as_tensor(target)
    tshape = tuple(target._value.shape)
    sshape = tuple(source._value.shape)
    for shp in (tshape, sshape):
        if len(shp) < 2:
            raise ValueError(f"Shape {shp} must have rank at least 2")
    if tshape[0] != sshape[0]:
        raise ValueError(f"Need first dimension of target shape ({tshape}) and source shape "
                         f"({sshape}) to match.")
    b = tshape[0]
    m = int(np.prod(tshape[1:], dtype=np.int64))
    out_shape = (b,) + tshape[1:] + sshape[1:]
    if m == 0 or b == 0 or target._value.dtype.kind not in "fc":
        g = None
    else:
        # Cotangent j selects inner element j of every example at once.
        cot = _one_hot_rows(m, (m,), target._value.dtype, batch=b).reshape((m,) + tshape)
        g, = _vjps(records, target, [source], cot, watched)   # (m, b) + sshape[1:]
    if g is None:
        if source._value.dtype.kind in "fc" and target._value.dtype.kind in "fc":
            return array_ops.zeros(out_shape, dtype=source.dtype)
        return _finish(None, source, out_shape, unconnected)
    k = len(sshape) - 1
    g = array_ops.transpose(g, (1, 0) + tuple(range(2, 2 + k)))
    return array_ops.reshape(g, out_shape)

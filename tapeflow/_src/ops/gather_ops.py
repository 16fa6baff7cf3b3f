"""Gather and scatter: gather, gather_nd, scatter_nd, tensor_scatter_nd_*, boolean_mask.

Gradient note: TensorFlow returns the gradient of `gather` with respect to `params` as
`tf.IndexedSlices`; tapeflow returns the equivalent dense tensor of params' shape.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.array_creation import _dims, zeros_like
from tapeflow._src.ops.registry import primitive

_TENSORISH = (Tensor, Variable)


def _first_dtype(x, *rest, **attrs):
    return x


def _second_dtype(x, y, *rest, **attrs):
    return y


def _check_index_dtype(idx, op, allowed=("int32", "int64")):
    dt = np.asarray(idx._value).dtype
    if dtypes.from_numpy(dt).name not in allowed:
        raise InvalidArgumentError(
            None, None, f"Value for attr 'Tindices' of {dtypes.tf_name(idx.dtype)} is not in "
            f"the list of allowed values: {', '.join(allowed)}\n\t; NodeDef: "
            f"{{{{node {op}}}}} [Op:{op}] name: ")


def _pos(shape, flat):
    """`flat`'s multi-index in `shape` as TF prints it: `1,0`."""
    return ",".join(str(int(i)) for i in np.unravel_index(flat, shape))


# ---------------------------------------------------------------------------------------
# gather
# ---------------------------------------------------------------------------------------

def _gather_layout(pshape, ishape, axis, batch_dims):
    b = int(np.prod(pshape[:batch_dims], dtype=np.int64))
    pre = int(np.prod(pshape[batch_dims:axis], dtype=np.int64))
    post = int(np.prod(pshape[axis + 1:], dtype=np.int64))
    k = int(np.prod(ishape[batch_dims:], dtype=np.int64))
    out_shape = tuple(pshape[:axis]) + tuple(ishape[batch_dims:]) + tuple(pshape[axis + 1:])
    return b, pre, post, k, out_shape


def _gather_rule(p, i, *, axis, batch_dims):
    return tuple(p[:axis]) + tuple(i[batch_dims:]) + tuple(p[axis + 1:])


@primitive("GatherV2", shape=_gather_rule, dtype=_first_dtype)
def _gather(params, indices, *, axis, batch_dims):
    n = params.shape[axis]
    bad = (indices < 0) | (indices >= n)
    if bad.any():
        j = int(np.flatnonzero(bad.reshape(-1))[0])
        # TF names a scalar index plainly ("indices = 7") and then ends with " name: ".
        where, tail = ((f"[{_pos(indices.shape, j)}]", "") if indices.ndim else ("", " name: "))
        raise InvalidArgumentError(
            None, None, f"indices{where} = {indices.reshape(-1)[j]} is not "
            f"in [0, {n}) [Op:GatherV2]{tail}")
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    b, pre, post, k, out_shape = _gather_layout(params.shape, indices.shape, axis, batch_dims)
    p = params.reshape(b, pre, n, post)
    i = indices.reshape(b, k)
    out = np.empty((b, pre, k, post), dtype=params.dtype)
    for j in range(b):
        out[j] = p[j][:, i[j], :]
    return out.reshape(out_shape)


@_gather.grad
def _gather_grad(op, dy):
    params, indices = op.inputs
    return _gather_grad_prim(dy, indices, axis=op.attrs["axis"],
                             batch_dims=op.attrs["batch_dims"], shape=np.shape(params._value))


def _gather_grad_rule(dy, i, *, shape, **attrs):
    return tuple(shape)


# The adjoint of GatherV2: dy's slices are added into zeros of params' shape (dense, where
# TF would return IndexedSlices).
@primitive("GatherV2Grad", shape=_gather_grad_rule, dtype=_first_dtype)
def _gather_grad_prim(dy, indices, *, axis, batch_dims, shape):
    b, pre, post, k, _ = _gather_layout(shape, indices.shape, axis, batch_dims)
    n = shape[axis]
    out = np.zeros((b, pre, n, post), dtype=dy.dtype)
    d = dy.reshape(b, pre, k, post)
    i = indices.reshape(b, k)
    for j in range(b):
        np.add.at(out[j], (slice(None), i[j]), d[j])
    return out.reshape(shape)


@_gather_grad_prim.grad
def _gather_grad_grad(op, ddx):
    _, indices = op.inputs
    return _gather(ddx, indices, axis=op.attrs["axis"], batch_dims=op.attrs["batch_dims"]), None


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Takes slices of `params` along `axis` at `indices`.

    The result's shape is `params.shape[:axis] + indices.shape[batch_dims:] +
    params.shape[axis + 1:]`; with `batch_dims`, the leading dimensions of `params` and
    `indices` are batch dimensions gathered pairwise. Indices must lie in
    `[0, params.shape[axis])`. The gradient with respect to `params` is dense (TF gives
    IndexedSlices with the same values).

    Raises:
      InvalidArgumentError: out-of-range indices, axis or batch_dims.

    >>> tf.gather([10, 20, 30], [2, 0]).numpy()
    array([30, 10], dtype=int32)
    """
    p = to_tensor(params)
    i = to_tensor(indices)
    _check_index_dtype(i, "GatherV2", ("int16", "int32", "int64"))
    pr, ir = np.ndim(p._value), np.ndim(i._value)
    if pr == 0:
        raise InvalidArgumentError(None, None, "params must be at least 1 dimensional "
                                   "[Op:GatherV2]")
    bd = int(batch_dims)
    # As TF: a missing axis is batch_dims as given, so a negative one counts from the end
    # of params (batch_dims itself counts from the end of indices).
    ax = bd if axis is None else int(np.asarray(axis._value if isinstance(axis, _TENSORISH)
                                                else axis))
    if bd < 0:
        bd += ir
    if axis is not None and ax == 0:
        bd = 0  # TF's gather drops batch_dims when axis is given as 0
    if ax < 0:
        ax += pr
    if not 0 <= ax < pr:
        raise InvalidArgumentError(None, None, f"Shape must be at least rank {ax + 1} but is "
                                   f"rank {pr} [Op:GatherV2]")
    if bd >= pr:
        raise InvalidArgumentError(None, None, f"batch_dims ({bd}) must be less than "
                                   f"rank(params) ({pr}). [Op:GatherV2]")
    if not 0 <= bd <= ir or bd > ax:
        raise InvalidArgumentError(None, None, f"batch_dims ({batch_dims}) must be in [0, "
                                   f"{ir}] and not greater than axis ({ax}) [Op:GatherV2]")
    ps, is_ = np.shape(p._value), np.shape(i._value)
    for d in range(bd):
        if ps[d] != is_[d]:
            raise InvalidArgumentError(
                None, None, f"params.shape[{d}]: {ps[d]} should be equal to indices.shape[{d}]: "
                f"{is_[d]} [Op:GatherV2]")
    return _gather(p, i, axis=ax, batch_dims=bd)


# ---------------------------------------------------------------------------------------
# gather_nd / scatter_nd
# ---------------------------------------------------------------------------------------

def _check_nd(indices, shape, batch_dims, what, op):
    k = indices.shape[-1]
    if k == 0 or indices.size == 0:
        return
    limits = np.asarray(shape[batch_dims:batch_dims + k])
    flat = indices.reshape(-1, k)
    bad = ((flat < 0) | (flat >= limits)).any(axis=1)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        vec = "[" + ", ".join(str(int(v)) for v in flat[j]) + "]"
        where = "" if indices.ndim == 1 else f"[{_pos(indices.shape[:-1], j)}]"
        if op == "GatherNd":
            raise InvalidArgumentError(
                None, None, f"indices{where} = {vec} does not index into param shape "
                f"{_dims(shape)}, node name: GatherNd [Op:GatherNd]")
        raise InvalidArgumentError(None, None, f"indices{where} = {vec} does not index into "
                                   f"{what} {_dims(shape)} [Op:{op}]")


def _gather_nd_rule(p, i, *, batch_dims):
    return tuple(i[:-1]) + tuple(p[batch_dims + i[-1]:])


@primitive("GatherNd", shape=_gather_nd_rule, dtype=_first_dtype)
def _gather_nd(params, indices, *, batch_dims):
    _check_nd(indices, params.shape, batch_dims, "param shape", "GatherNd")
    k = indices.shape[-1]
    out_shape = indices.shape[:-1] + params.shape[batch_dims + k:]
    b = int(np.prod(params.shape[:batch_dims], dtype=np.int64))
    p = params.reshape((b,) + params.shape[batch_dims:])
    n = int(np.prod(indices.shape[:-1], dtype=np.int64)) // max(b, 1)
    idx = indices.reshape((b, n, k))
    if k == 0:  # every (empty) index selects the whole batch element
        parts = [np.repeat(p[j][None], idx.shape[1], axis=0) for j in range(b)]
    else:
        parts = [p[j][tuple(idx[j, :, c] for c in range(k))] for j in range(b)]
    if not parts:
        return np.zeros(out_shape, dtype=params.dtype)
    return np.stack(parts).reshape(out_shape)


@_gather_nd.grad
def _gather_nd_grad(op, dy):
    params, indices = op.inputs
    return _scatter_nd(indices, dy, shape=np.shape(params._value),
                       batch_dims=op.attrs["batch_dims"]), None


def _scatter_nd_rule(i, u, *, shape, batch_dims):
    return tuple(shape)


@primitive("ScatterNd", shape=_scatter_nd_rule, dtype=_second_dtype)
def _scatter_nd(indices, updates, *, shape, batch_dims):
    k = indices.shape[-1]
    b = int(np.prod(shape[:batch_dims], dtype=np.int64))
    out = np.zeros((b,) + tuple(shape[batch_dims:]), dtype=updates.dtype)
    n = int(np.prod(indices.shape[:-1], dtype=np.int64)) // max(b, 1)
    idx = indices.reshape((b, n, k))
    upd = updates.reshape((b, n) + tuple(shape[batch_dims + k:]))
    for j in range(b):
        np.add.at(out[j], tuple(idx[j, :, c] for c in range(k)), upd[j])
    return out.reshape(shape)


@_scatter_nd.grad
def _scatter_nd_grad(op, dy):
    indices, _ = op.inputs
    return None, _gather_nd(dy, indices, batch_dims=op.attrs["batch_dims"])


def gather_nd(params, indices, batch_dims=0, name=None):
    """Gathers slices of `params` addressed by the last axis of `indices`.

    The result's shape is `indices.shape[:-1] + params.shape[batch_dims + k:]` with
    `k = indices.shape[-1]`.

    >>> tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]).numpy()
    array([3, 2], dtype=int32)
    """
    p = to_tensor(params)
    i = to_tensor(indices)
    _check_index_dtype(i, "GatherNd", ("int16", "int32", "int64"))
    pr = np.ndim(p._value)
    bd = int(batch_dims)
    k = np.shape(i._value)[-1] if np.ndim(i._value) else 0
    if np.ndim(i._value) < 1:
        raise InvalidArgumentError(None, None, "indices must be at least a vector "
                                   "[Op:GatherNd]")
    if k > pr - bd:
        raise InvalidArgumentError(None, None, f"index innermost dimension length must be <= "
                                   f"params rank; saw: {k} vs. {pr - bd} [Op:GatherNd]")
    if bd and np.shape(p._value)[:bd] != np.shape(i._value)[:bd]:
        raise InvalidArgumentError(None, None, "Batch dimensions of params and indices must "
                                   "match [Op:GatherNd]")
    return _gather_nd(p, i, batch_dims=bd)


def _check_updates(op, tshape, ishape, ushape):
    k = ishape[-1]
    outer = ishape[:-1]
    r = len(tshape)
    outer_ok = tuple(ushape[:len(outer)]) == tuple(outer)
    inner_ok = k <= r and tuple(ushape[len(outer):]) == tuple(tshape[k:])
    if op == "ScatterNd":
        if not outer_ok:
            raise InvalidArgumentError(
                None, None, f"Dimensions [0,{len(outer)}) of indices[shape={_dims(ishape)}] "
                f"must match dimensions [0,{len(outer)}) of updates[shape={_dims(ushape)}] "
                f"[Op:{op}]")
        if not inner_ok:
            raise InvalidArgumentError(
                None, None, f"Dimensions [{k},{r}) of input[shape={_dims(tshape)}] must match "
                f"dimensions [{len(outer)},{len(ushape)}) of updates[shape={_dims(ushape)}] "
                f"[Op:{op}]")
        return
    if k > r:
        raise InvalidArgumentError(
            None, None, f"Inner dimensions of output shape must match inner dimensions of "
            f"updates shape. Output: {_dims(tshape)} updates: {_dims(ushape)} [Op:{op}]")
    if not outer_ok:
        raise InvalidArgumentError(
            None, None, f"Outer dimensions of indices and update must match. Indices shape: "
            f"{_dims(ishape)}, updates shape:{_dims(ushape)} [Op:{op}]")
    if not inner_ok:
        raise InvalidArgumentError(
            None, None, f"The inner {r - k} dimensions of output.shape={_dims(tshape)} must "
            f"match the inner {r - k} dimensions of updates.shape={_dims(ushape)} [Op:{op}]")


def scatter_nd(indices, updates, shape, name=None):
    """Scatters `updates` into zeros of `shape` at `indices`; duplicates add up.

    >>> tf.scatter_nd([[1], [3]], [9, 10], [5]).numpy()
    array([ 0,  9,  0, 10,  0], dtype=int32)
    """
    i = to_tensor(indices)
    _check_index_dtype(i, "ScatterNd")
    u = to_tensor(updates)
    shp = tuple(int(d) for d in np.asarray(to_tensor(shape)._value).reshape(-1))
    ishape = np.shape(i._value)
    for d in shp:
        if d < 0:
            raise InvalidArgumentError(None, None, f"Dimension {d} must be >= 0 "
                                       f"[Op:ScatterNd]")
    if len(ishape) < 1:
        raise InvalidArgumentError(None, None, "Indices must be at least a vector "
                                   "[Op:ScatterNd]")
    _check_updates("ScatterNd", shp, ishape, np.shape(u._value))
    _check_nd(np.asarray(i._value), shp, 0, "shape", "ScatterNd")
    return _scatter_nd(i, u, shape=shp, batch_dims=0)


# ---------------------------------------------------------------------------------------
# tensor_scatter_nd_update / add / sub
# ---------------------------------------------------------------------------------------

def _scatter_positions(indices):
    k = indices.shape[-1]
    flat = indices.reshape(int(np.prod(indices.shape[:-1], dtype=np.int64)), k)
    return tuple(flat[:, c] for c in range(k))


def _scatter_updates(indices, tshape, updates):
    k = indices.shape[-1]
    n = int(np.prod(indices.shape[:-1], dtype=np.int64))
    return updates.reshape((n,) + tuple(tshape[k:]))


def _same_as_tensor(t, i, u, **attrs):
    return tuple(t)


@primitive("TensorScatterUpdate", shape=_same_as_tensor, dtype=_first_dtype)
def _tensor_scatter_update(tensor, indices, updates):
    out = tensor.copy()
    out[_scatter_positions(indices)] = _scatter_updates(indices, tensor.shape, updates)
    return out


@_tensor_scatter_update.grad
def _tensor_scatter_update_grad(op, dy):
    _, indices, updates = op.inputs
    return (_tensor_scatter_update(dy, indices, zeros_like(updates)), None,
            _gather_nd(dy, indices, batch_dims=0))


@primitive("TensorScatterAdd", shape=_same_as_tensor, dtype=_first_dtype)
def _tensor_scatter_add(tensor, indices, updates):
    out = tensor.copy()
    np.add.at(out, _scatter_positions(indices), _scatter_updates(indices, tensor.shape, updates))
    return out


@_tensor_scatter_add.grad
def _tensor_scatter_add_grad(op, dy):
    _, indices, _ = op.inputs
    return dy, None, _gather_nd(dy, indices, batch_dims=0)


@primitive("TensorScatterSub", shape=_same_as_tensor, dtype=_first_dtype)
def _tensor_scatter_sub(tensor, indices, updates):
    out = tensor.copy()
    np.subtract.at(out, _scatter_positions(indices),
                   _scatter_updates(indices, tensor.shape, updates))
    return out


@_tensor_scatter_sub.grad
def _tensor_scatter_sub_grad(op, dy):
    _, indices, _ = op.inputs
    return dy, None, -_gather_nd(dy, indices, batch_dims=0)


def _tensor_scatter(prim, op, tensor, indices, updates):
    t = to_tensor(tensor)
    i = to_tensor(indices)
    _check_index_dtype(i, op, ("int16", "int32", "int64", "uint16"))
    u = to_tensor(updates) if isinstance(updates, _TENSORISH) else to_tensor(updates, t.dtype)
    if u.dtype != t.dtype:
        from tapeflow._src.ops._helpers import dtype_mismatch
        e = dtype_mismatch(op, t.dtype, u.dtype, index=2)
        raise InvalidArgumentError(None, None, e.message[:-len(" name: ")])
    tshape, ishape = np.shape(t._value), np.shape(i._value)
    if len(ishape) < 1:
        raise InvalidArgumentError(None, None, f"Indices must be at least a vector [Op:{op}]")
    _check_updates(op, tshape, ishape, np.shape(u._value))
    _check_nd(np.asarray(i._value), tshape, 0, "shape", op)
    return prim(t, i, u)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of `tensor` with the slices at `indices` replaced by `updates`.

    >>> tf.tensor_scatter_nd_update([1, 2, 3], [[0], [2]], [7, 8]).numpy()
    array([7, 2, 8], dtype=int32)
    """
    return _tensor_scatter(_tensor_scatter_update, "TensorScatterUpdate", tensor, indices,
                           updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` added at `indices` (duplicates accumulate).

    >>> tf.tensor_scatter_nd_add([1, 2, 3], [[0], [0]], [7, 8]).numpy()
    array([16,  2,  3], dtype=int32)
    """
    return _tensor_scatter(_tensor_scatter_add, "TensorScatterAdd", tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` subtracted at `indices` (duplicates accumulate).

    >>> tf.tensor_scatter_nd_sub([1, 2, 3], [[1]], [5]).numpy()
    array([ 1, -3,  3], dtype=int32)
    """
    return _tensor_scatter(_tensor_scatter_sub, "TensorScatterSub", tensor, indices, updates)


# ---------------------------------------------------------------------------------------
# boolean_mask (a composite of reshape and gather, so it is differentiable)
# ---------------------------------------------------------------------------------------

def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The elements (or slices) of `tensor` where `mask` is true.

    `mask`'s shape must equal `tensor.shape[axis:axis + mask.ndim]`; those dimensions are
    replaced by one dimension holding the selected entries in row-major order.

    Raises:
      ValueError: a scalar mask or mismatched shapes.

    >>> tf.boolean_mask([1, 2, 3], [True, False, True]).numpy()
    array([1, 3], dtype=int32)
    """
    from tapeflow._src.ops.array_ops import reshape
    t = to_tensor(tensor)
    mask_t = to_tensor(mask)
    m = np.asarray(mask_t._value)
    if m.ndim == 0:
        raise ValueError("mask cannot be scalar.")
    shp = np.shape(t._value)
    ax = 0 if axis is None else int(axis)
    k = m.ndim
    # TF compares against shape[axis:axis + k] with the axis as given (even negative).
    if tuple(shp[ax:ax + k]) != m.shape:
        raise ValueError(f"Shapes {TensorShape(list(shp[ax:ax + k]))} and "
                         f"{TensorShape(list(m.shape))} are incompatible")
    ax %= max(len(shp), 1)
    flat = reshape(t, shp[:ax] + (int(np.prod(m.shape, dtype=np.int64)),) + shp[ax + k:])
    from tapeflow._src.autodiff.record import derived
    idx = derived(lambda a: np.flatnonzero(a).astype(np.int64), mask_t)
    return gather(flat, idx, axis=ax)

"""Op-table rows for the array family: forward against NumPy, gradients against finite
differences (grad_order=2 for these linear ops: their gradients are array ops again)."""

import numpy as np

import tapeflow as tf
from tapeflow._src.ops import array_manip, array_slicing, gather_ops
from tests.helpers.op_specs import OpSpec, floats

IDX = np.array([[2, 0], [1, 2]], dtype=np.int32)
ND_IDX = np.array([[1, 0], [0, 2], [1, 0]], dtype=np.int64)  # a duplicate on purpose
PADS = ((1, 2), (2, 1))


def _np_gather_batched(p, i):
    return np.stack([p[b][i[b]] for b in range(p.shape[0])])


def _np_scatter_nd(idx, upd, shape):
    out = np.zeros(shape)
    for k, ix in enumerate(idx):
        out[tuple(ix)] += upd[k]
    return out


def _np_mirror_pad_grad(dy, pads, mode):
    out = dy
    for ax, (lo, hi) in enumerate(pads):
        n = out.shape[ax] - lo - hi
        idx = np.pad(np.arange(n), (lo, hi), mode="reflect" if mode == "REFLECT"
                     else "symmetric")
        acc = np.zeros((n,) + np.moveaxis(out, ax, 0).shape[1:])
        for src, dst in enumerate(idx):
            acc[dst] += np.moveaxis(out, ax, 0)[src]
        out = np.moveaxis(acc, 0, ax)
    return out


def _tsu_ref(t, u):
    out = t.copy()
    out[1, 0] = u[0]
    out[0, 2] = u[1]
    return out


SPECS = [
    OpSpec("identity", tf.identity, lambda x: x, [floats((2, 3))], grad_order=2),
    OpSpec("reshape_infer", lambda x: tf.reshape(x, [-1, 2]), lambda x: x.reshape(-1, 2),
           [floats((3, 4))], grad_order=2),
    OpSpec("transpose_perm", lambda x: tf.transpose(x, [2, 0, 1]),
           lambda x: np.transpose(x, (2, 0, 1)), [floats((2, 3, 4))], grad_order=2),
    OpSpec("expand_dims", lambda x: tf.expand_dims(x, -1), lambda x: x[..., None],
           [floats((2, 3))], grad_order=2),
    OpSpec("squeeze_axis", lambda x: tf.squeeze(x, [0]), lambda x: x[0],
           [floats((1, 3, 1))], grad_order=2),
    OpSpec("broadcast_to", lambda x: tf.broadcast_to(x, [2, 3, 4]),
           lambda x: np.broadcast_to(x, (2, 3, 4)), [floats((3, 1))], grad_order=2),
    OpSpec("where3", lambda c, x, y: tf.where(c > 0, x, y),
           lambda c, x, y: np.where(c > 0, x, y), [floats((2, 3)), floats((2, 3)),
                                                    floats((3,))], grad_order=2,
           grad_args=[1, 2]),
    OpSpec("concat_axis1", lambda x, y: tf.concat([x, y], 1),
           lambda x, y: np.concatenate([x, y], 1), [floats((2, 3)), floats((2, 2))],
           grad_order=2),
    OpSpec("stack_axis1", lambda x, y: tf.stack([x, y], 1), lambda x, y: np.stack([x, y], 1),
           [floats((2, 3)), floats((2, 3))], grad_order=2),
    OpSpec("unstack_axis1", lambda x: tf.unstack(x, axis=1),
           lambda x: [x[:, i] for i in range(3)], [floats((2, 3))], grad_order=2),
    OpSpec("split_sizes", lambda x: tf.split(x, [1, -1], axis=1),
           lambda x: np.split(x, [1], axis=1), [floats((2, 4))], grad_order=2),
    OpSpec("split_num", lambda x: tf.split(x, 2), lambda x: np.split(x, 2),
           [floats((4, 3))], grad_order=2),
    OpSpec("tile", lambda x: tf.tile(x, [2, 3]), lambda x: np.tile(x, (2, 3)),
           [floats((2, 3))], grad_order=2),
    OpSpec("pad_constant", lambda x: tf.pad(x, PADS, constant_values=1.5),
           lambda x: np.pad(x, PADS, constant_values=1.5), [floats((2, 3))], grad_order=2),
    OpSpec("pad_reflect", lambda x: tf.pad(x, PADS, "REFLECT"),
           lambda x: np.pad(x, PADS, mode="reflect"), [floats((3, 4))], grad_order=2),
    OpSpec("pad_symmetric", lambda x: tf.pad(x, PADS, "SYMMETRIC"),
           lambda x: np.pad(x, PADS, mode="symmetric"), [floats((2, 3))], grad_order=2),
    OpSpec("mirror_pad_grad",
           lambda d: array_manip._mirror_pad_grad_prim(d, paddings=PADS, mode="REFLECT"),
           lambda d: _np_mirror_pad_grad(d, PADS, "REFLECT"), [floats((6, 7))],
           grad_order=2),
    OpSpec("reverse", lambda x: tf.reverse(x, [0, -1]), lambda x: x[::-1, ::-1],
           [floats((2, 3))], grad_order=2),
    OpSpec("getitem_mixed", lambda x: x[-1, ::-2, tf.newaxis, ...],
           lambda x: x[-1, ::-2, None, ...], [floats((2, 5, 2))], grad_order=2),
    OpSpec("strided_slice_masks",
           lambda x: tf.strided_slice(x, [0, 1], [0, 3], [1, 1], begin_mask=1, end_mask=1,
                                      shrink_axis_mask=0),
           lambda x: x[:, 1:3], [floats((3, 4))], grad_order=2),
    OpSpec("slice", lambda x: tf.slice(x, [1, 0], [-1, 2]), lambda x: x[1:, 0:2],
           [floats((3, 4))], grad_order=2),
    OpSpec("strided_slice_grad",
           lambda d: array_slicing._strided_slice_grad_prim(
               d, key=(("s", 1, None, 1), ("s", None, None, 2)), shape=(3, 4)),
           lambda d: np.pad(np.stack([d[:, 0], np.zeros(2), d[:, 1], np.zeros(2)], 1),
                            ((1, 0), (0, 0))), [floats((2, 2))], grad_order=2),
    OpSpec("gather_axis1", lambda x: tf.gather(x, IDX, axis=1),
           lambda x: np.take(x, IDX, axis=1), [floats((2, 3))], grad_order=2),
    OpSpec("gather_batch_dims",
           lambda x: tf.gather(x, IDX, axis=1, batch_dims=1),
           lambda x: _np_gather_batched(x, IDX), [floats((2, 3, 2))], grad_order=2),
    OpSpec("gather_grad",
           lambda d: gather_ops._gather_grad_prim(d, tf.constant(IDX), axis=0, batch_dims=0,
                                                  shape=(3, 2)),
           lambda d: sum(np.eye(3)[IDX.reshape(-1)][k][:, None] * d.reshape(4, 2)[k]
                         for k in range(4)), [floats((2, 2, 2))], grad_order=2),
    OpSpec("gather_nd", lambda x: tf.gather_nd(x, ND_IDX),
           lambda x: x[ND_IDX[:, 0], ND_IDX[:, 1]], [floats((2, 3))], grad_order=2),
    OpSpec("gather_nd_slices", lambda x: tf.gather_nd(x, ND_IDX[:, :1]),
           lambda x: x[ND_IDX[:, 0]], [floats((2, 3))], grad_order=2),
    OpSpec("scatter_nd", lambda u: tf.scatter_nd(ND_IDX, u, [2, 3]),
           lambda u: _np_scatter_nd(ND_IDX, u, (2, 3)), [floats((3,))], grad_order=2),
    OpSpec("tensor_scatter_nd_update",
           lambda t, u: tf.tensor_scatter_nd_update(t, ND_IDX[:2], u),
           _tsu_ref, [floats((2, 3)), floats((2,))], grad_order=2),
    OpSpec("tensor_scatter_nd_add", lambda t, u: tf.tensor_scatter_nd_add(t, ND_IDX, u),
           lambda t, u: t + _np_scatter_nd(ND_IDX, u, (2, 3)),
           [floats((2, 3)), floats((3,))], grad_order=2),
    OpSpec("tensor_scatter_nd_sub", lambda t, u: tf.tensor_scatter_nd_sub(t, ND_IDX, u),
           lambda t, u: t - _np_scatter_nd(ND_IDX, u, (2, 3)),
           [floats((2, 3)), floats((3,))], grad_order=2),
    OpSpec("boolean_mask", lambda x: tf.boolean_mask(x, [True, False, True], axis=1),
           lambda x: x[:, [0, 2]], [floats((2, 3))], grad_order=2),
    OpSpec("sort_axis0_desc", lambda x: tf.sort(x, axis=0, direction="DESCENDING"),
           lambda x: -np.sort(-x, axis=0), [floats((3, 2))], grad_order=2),
    OpSpec("linspace", lambda a, b: tf.linspace(a, b, 4, axis=1),
           lambda a, b: np.linspace(a, b, 4, axis=1), [floats((2,)), floats((2,))],
           grad_order=2),
    OpSpec("meshgrid", lambda x, y: tf.meshgrid(x, y), lambda x, y: np.meshgrid(x, y),
           [floats((2,)), floats((3,))], grad_order=2),
]

"""Array manipulation ops: tile, pad (CONSTANT/REFLECT/SYMMETRIC), reverse, and the
composites linspace and meshgrid."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import dtype_mismatch, normalize_axis, to_tensor
from tapeflow._src.ops.array_creation import _dims, int_arg
from tapeflow._src.ops.array_ops import (
    _identity,
    _reshape,
    broadcast_to,
    concat,
    expand_dims,
    reshape,
)
from tapeflow._src.ops.registry import primitive

_TENSORISH = (Tensor, Variable)


# ---------------------------------------------------------------------------------------
# Tile, pad, reverse
# ---------------------------------------------------------------------------------------

def _tile_rule(x, *, multiples):
    return tuple(None if d is None else d * m for d, m in zip(x, multiples))


@primitive("Tile", shape=_tile_rule, dtype=rules.same_as_input)
def _tile(x, *, multiples):
    return np.tile(x, multiples)


@_tile.grad
def _tile_grad(op, dy):
    # Split every axis into (multiple, size) and sum over the multiples.
    shp = np.shape(op.inputs[0]._value)
    split_shape = []
    for m, d in zip(op.attrs["multiples"], shp):
        split_shape += [m, d]
    from tapeflow._src.ops.reduction_ops import reduce_sum
    return reduce_sum(_reshape(dy, shape=tuple(split_shape)),
                      axis=list(range(0, 2 * len(shp), 2)))


def tile(input, multiples, name=None):  # noqa: A002
    """Repeats `input` `multiples[i]` times along each axis `i`.

    >>> tf.tile([1, 2], [2]).numpy()
    array([1, 2, 1, 2], dtype=int32)
    """
    x = to_tensor(input)
    r = np.ndim(x._value)
    m = [int(k) for k in int_arg(multiples, "Tmultiples", "Tile").reshape(-1)]
    if len(m) != r:
        raise InvalidArgumentError(None, None, f"Expected multiples argument to be a vector of "
                                   f"length {r} but got length {len(m)} [Op:Tile]")
    for i, k in enumerate(m):
        if k < 0:
            raise InvalidArgumentError(None, None, f"Expected multiples[{i}] >= 0, but got "
                                       f"{k} [Op:Tile]")
    if r == 0 or all(k == 1 for k in m):
        return _identity(x)
    return _tile(x, multiples=tuple(m))


def _pad_rule(x, *, paddings, **attrs):
    return tuple(None if d is None else d + lo + hi for d, (lo, hi) in zip(x, paddings))


@primitive("Pad", shape=_pad_rule, dtype=rules.same_as_input)
def _pad(x, *, paddings, constant_values):
    return np.pad(x, paddings, mode="constant", constant_values=constant_values)


def _unpad(dy, paddings, shape):
    from tapeflow._src.ops.array_slicing import _strided_slice
    key = tuple(("s", lo, lo + d, 1) for (lo, _), d in zip(paddings, shape))
    return _strided_slice(dy, key=key)


@_pad.grad
def _pad_grad(op, dy):
    return _unpad(dy, op.attrs["paddings"], np.shape(op.inputs[0]._value))


def _mirror_index(n, lo, hi, mode):
    return np.pad(np.arange(n), (lo, hi), mode="reflect" if mode == "REFLECT" else "symmetric")


@primitive("MirrorPad", shape=_pad_rule, dtype=rules.same_as_input)
def _mirror_pad(x, *, paddings, mode):
    return np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


@_mirror_pad.grad
def _mirror_pad_grad(op, dy):
    return _mirror_pad_grad_prim(dy, paddings=op.attrs["paddings"], mode=op.attrs["mode"])


def _mirror_pad_grad_rule(dy, *, paddings, **attrs):
    return tuple(None if d is None else d - lo - hi for d, (lo, hi) in zip(dy, paddings))


# The adjoint of MirrorPad: every padded element adds into the element it mirrors.
@primitive("MirrorPadGrad", shape=_mirror_pad_grad_rule, dtype=rules.same_as_input)
def _mirror_pad_grad_prim(dy, *, paddings, mode):
    out = dy
    for ax, (lo, hi) in enumerate(paddings):
        n = out.shape[ax] - lo - hi
        idx = _mirror_index(n, lo, hi, mode)
        moved = np.moveaxis(out, ax, 0)
        acc = np.zeros((n,) + moved.shape[1:], dtype=dy.dtype)
        np.add.at(acc, idx, moved)
        out = np.moveaxis(acc, 0, ax)
    return np.ascontiguousarray(out)


@_mirror_pad_grad_prim.grad
def _mirror_pad_grad_grad(op, ddx):
    return _mirror_pad(ddx, paddings=op.attrs["paddings"], mode=op.attrs["mode"])


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads `tensor`: `paddings[i] = [before, after]` elements are added on axis `i`.

    Modes: "CONSTANT" (with `constant_values`), "REFLECT" (mirror without the edge) and
    "SYMMETRIC" (mirror with the edge), case-insensitive.

    Raises:
      ValueError: unknown `mode`.
      InvalidArgumentError: wrong `paddings` shape, negative or too large paddings.

    >>> tf.pad([1, 2], [[1, 1]]).numpy()
    array([0, 1, 2, 0], dtype=int32)
    """
    if isinstance(constant_values, _TENSORISH) and not isinstance(tensor, _TENSORISH):
        tensor = convert_to_tensor(tensor, dtype_hint=constant_values.dtype)
    x = to_tensor(tensor)
    mode_u = str(mode).upper()
    if mode_u not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    shp = np.shape(x._value)
    p = np.asarray(paddings._value if isinstance(paddings, _TENSORISH) else paddings)
    op = "Pad" if mode_u == "CONSTANT" else "MirrorPad"
    if mode_u == "CONSTANT":
        if not isinstance(constant_values, _TENSORISH) and np.ndim(constant_values) == 0 \
                and constant_values == 0:
            cv_val = np.zeros((), x.dtype._np)[()]  # TF's Pad: any dtype, even bool
        else:
            cv = to_tensor(constant_values, dtype=x.dtype) \
                if not isinstance(constant_values, _TENSORISH) else to_tensor(constant_values)
            cv_val = np.asarray(cv._value)[()]
            op = "PadV2"
    if p.ndim != 2 or p.shape[1] != 2:
        raise InvalidArgumentError(None, None, f"paddings must be a matrix with 2 columns: "
                                   f"{_dims(p.shape)} [Op:{op}]")
    if p.shape[0] != len(shp):
        raise InvalidArgumentError(None, None, f"The first dimension of paddings must be the "
                                   f"rank of inputs{_dims(p.shape)} {_dims(shp)} [Op:{op}]")
    pads = tuple((int(lo), int(hi)) for lo, hi in p)
    for i, (lo, hi) in enumerate(pads):
        if lo < 0 or hi < 0:
            word = "Paddings" if op != "MirrorPad" else "paddings"
            raise InvalidArgumentError(None, None, f"{word} must be non-negative: {lo} {hi} "
                                       f"[Op:{op}]")
        if mode_u == "REFLECT" and (lo >= shp[i] or hi >= shp[i]):
            raise InvalidArgumentError(
                None, None, f"paddings must be less than the dimension size: {lo}, {hi} not "
                f"less than {shp[i]} [Op:MirrorPad]")
        if mode_u == "SYMMETRIC" and (lo > shp[i] or hi > shp[i]):
            raise InvalidArgumentError(
                None, None, f"paddings must be no greater than the dimension size: {lo}, {hi} "
                f"greater than {shp[i]} [Op:MirrorPad]")
    if not pads:
        return _identity(x)  # a scalar: nothing to pad
    if mode_u == "CONSTANT":
        return _pad(x, paddings=pads, constant_values=cv_val)
    return _mirror_pad(x, paddings=pads, mode=mode_u)


@primitive("ReverseV2", shape=rules.same_shape, dtype=rules.same_as_input)
def _reverse(x, *, axis):
    return np.flip(x, axis).copy()


@_reverse.grad
def _reverse_grad(op, dy):
    return _reverse(dy, axis=op.attrs["axis"])


def reverse(tensor, axis, name=None):
    """Reverses `tensor` along each axis in the 1-D list `axis`.

    >>> tf.reverse([[1, 2], [3, 4]], [1]).numpy().tolist()
    [[2, 1], [4, 3]]
    """
    x = to_tensor(tensor)
    r = np.ndim(x._value)
    a = int_arg(axis, "Tidx", "ReverseV2") if not (isinstance(axis, (list, tuple))
                                                     and not axis) else np.zeros(0, np.int32)
    if a.ndim != 1:
        raise InvalidArgumentError(None, None, f"'dims' must be 1-dimension, not {a.ndim} "
                                   f"[Op:ReverseV2]")
    axes = []
    for i, v in enumerate(a.tolist()):
        if not -r <= v < r:
            raise InvalidArgumentError(None, None, f"'axis'[{i}] = {v} is out of valid range "
                                       f"[0, {r - 1} [Op:ReverseV2]")
        v %= r
        if v in axes:
            raise InvalidArgumentError(None, None, f"axis {v} specified more than once. "
                                       f"[Op:ReverseV2]")
        axes.append(v)
    if not axes:
        return _identity(x)
    return _reverse(x, axis=tuple(sorted(axes)))


# ---------------------------------------------------------------------------------------
# Composites: linspace, meshgrid
# ---------------------------------------------------------------------------------------

def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` inclusive, along a new `axis`.

    `start` and `stop` may be tensors (broadcast together); integer inputs give float64.
    A composite, so it is differentiable in `start` and `stop`.

    >>> tf.linspace(0.0, 1.0, 5).numpy()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    from tapeflow._src.ops import math_ops
    s = to_tensor(start)
    e = to_tensor(stop) if isinstance(stop, _TENSORISH) else convert_to_tensor(stop, s.dtype)
    if not s.dtype.is_floating:
        s = math_ops.cast(s, dtypes.float64)
    if not e.dtype.is_floating:
        e = math_ops.cast(e, dtypes.float64)
    n = int(np.asarray(num._value if isinstance(num, _TENSORISH) else num))
    if n < 0:  # TF's linspace builds a range(0, num) and fails there
        raise InvalidArgumentError(None, None, f"Requires start <= limit when delta > 0: "
                                   f"1/{n} [Op:Range] name: ")
    bshape = np.broadcast_shapes(np.shape(s._value), np.shape(e._value))
    s, e = broadcast_to(s, bshape), broadcast_to(e, bshape)
    r = len(bshape) + 1
    axis = normalize_axis(axis, r, "LinSpace")
    s1, e1 = expand_dims(s, axis), expand_dims(e, axis)
    if n <= 1:
        out = s1 if n == 1 else _strided_slice_empty(s1, axis)
    else:
        pos = [1] * r
        pos[axis] = n - 2
        steps = reshape(_wrap(np.arange(1, n - 1, dtype=s.dtype._np)), pos)
        delta = (e1 - s1) / _wrap(np.asarray(n - 1, s.dtype._np))
        out = concat([s1, s1 + steps * delta, e1], axis)
    return out


def _strided_slice_empty(x, axis):
    from tapeflow._src.ops.array_slicing import _strided_slice
    key = tuple(("s", 0, 0, 1) if i == axis else ("s", None, None, None)
                for i in range(np.ndim(x._value)))
    return _strided_slice(x, key=key)


def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D inputs (`indexing="xy"` by default, or "ij").

    >>> [g.shape for g in tf.meshgrid([1, 2], [3, 4, 5])]
    [TensorShape([3, 2]), TensorShape([3, 2])]
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Got an unexpected keyword argument '{next(iter(kwargs))}'")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    xs = [reshape(to_tensor(a), [-1]) for a in args]
    if not xs:
        return []
    for x in xs[1:]:
        if x.dtype != xs[0].dtype:  # TF multiplies each grid by ones of the first dtype
            raise dtype_mismatch("Mul", x.dtype, xs[0].dtype)
    n = len(xs)
    sizes = [np.size(x._value) for x in xs]
    if indexing == "xy" and n > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        shp = [1] * n
        shp[pos] = -1
        out.append(broadcast_to(reshape(x, shp), sizes))
    return out

"""Slicing: `tensor[...]`, `tf.strided_slice` and `tf.slice`, all one StridedSlice primitive.

A slice is described by a canonical key: a tuple whose items are `None` (new axis),
`Ellipsis`, an `int` (index that removes its axis) or `("s", begin, end, stride)` (a slice
with Python/None parts). Keys are hashable, so they are the primitive's attribute.
"""

from __future__ import annotations

import numbers

import numpy as np

from tapeflow._src.autodiff.record import peek

from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.array_creation import _dims
from tapeflow._src.ops.registry import primitive

_TENSORISH = (Tensor, Variable)
_Integral = numbers.Integral
_pyslice = slice  # the builtin, before `slice` below shadows it


def _index_error(key):
    return TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        f"tf.int32/tf.int64 tensors are valid indices, got {key!r}")


def _int_part(v):
    """A slice bound or index as a Python int (None stays None)."""
    if v is None or type(v) is int:
        return v
    if isinstance(v, _Integral) and not isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, _TENSORISH) or isinstance(v, np.ndarray):
        a = v._value if isinstance(v, _TENSORISH) else v
        if np.ndim(a) == 0 and np.asarray(a).dtype in (np.int16, np.int32, np.int64):
            return int(v)  # int(tensor): under tf.function tracing, a guard
    raise _index_error(v)


def _canonical_key(key):
    """Validates a __getitem__ key (not a bool mask) and makes it a canonical tuple."""
    if not isinstance(key, (tuple, list)):
        key = (key,)
    out = []
    for k in key:
        if k is None or k is Ellipsis:
            out.append(k)
        elif type(k) is int:
            out.append(k)
        elif isinstance(k, _pyslice):
            out.append(("s", _int_part(k.start), _int_part(k.stop), _int_part(k.step)))
        else:
            out.append(_int_part(k))
    return tuple(out)


def _oob(msg):
    return InvalidArgumentError(None, None, msg + " [Op:StridedSlice]")


_NP_KEYS: dict = {}  # (key, shape) -> NumPy index; keys repeat a lot in training loops


def _np_key(key, shape):
    """The NumPy index for a canonical key, with TF's checks against `shape` (cached)."""
    cache_key = (key, shape)
    hit = _NP_KEYS.get(cache_key)
    if hit is not None:
        return hit
    out = _build_np_key(key, shape)
    if len(_NP_KEYS) > 4096:
        _NP_KEYS.clear()
    _NP_KEYS[cache_key] = out
    return out


def _build_np_key(key, shape):
    ndim = len(shape)
    n_real = 0
    n_ellipsis = 0
    for k in key:
        if k is Ellipsis:
            n_ellipsis += 1
        elif k is not None:
            n_real += 1
    if n_ellipsis > 1:
        raise _oob("Multiple ellipses in slice spec not allowed")
    if ndim == 0 and n_real:
        raise _oob("Attempting to slice scalar input.")
    if n_real > ndim:
        raise _oob(f"Index out of range using input dim {ndim}; input has only {ndim} dims")
    np_key = []
    dim = 0
    for pos, k in enumerate(key):
        if k is None:
            np_key.append(None)
        elif k is Ellipsis:
            np_key.append(Ellipsis)
            dim += max(ndim - n_real, 0)
        elif type(k) is tuple:
            if k[3] == 0:
                raise _oob(f"strides[{pos}] must be non-zero")
            np_key.append(_pyslice(k[1], k[2], k[3]))
            dim += 1
        else:
            d = shape[dim]
            if not -d <= k < d:
                raise _oob(f"slice index {k + d if k < 0 else k} of dimension {dim} out of "
                           f"bounds.")
            np_key.append(k)
            dim += 1
    return tuple(np_key)


def _strided_slice_rule(x, *, key):
    known = tuple(0 if d is None else d for d in x)
    probe = np.lib.stride_tricks.as_strided(np.zeros(1), known, (0,) * len(known))
    out = probe[_np_key(key, known)].shape
    # Dimensions taken whole from an unknown input dimension stay unknown.
    return tuple(out) if None not in x else tuple(None for _ in out)


@primitive("StridedSlice", shape=_strided_slice_rule, dtype=rules.same_as_input)
def _strided_slice(x, *, key):
    out = x[_np_key(key, np.shape(x))]
    if isinstance(out, np.ndarray):
        return out.copy()
    return out if isinstance(out, np.generic) else np.array(out, dtype=object)  # bytes


@_strided_slice.grad
def _strided_slice_grad(op, dy):
    x, = op.inputs
    return _strided_slice_grad_prim(dy, key=op.attrs["key"], shape=np.shape(x._value))


def _strided_slice_grad_rule(dy, *, key, shape):
    return tuple(shape)


# The adjoint of StridedSlice: dy written into zeros of the input's shape.
@primitive("StridedSliceGrad", shape=_strided_slice_grad_rule, dtype=rules.same_as_input)
def _strided_slice_grad_prim(dy, *, key, shape):
    out = np.zeros(shape, dtype=np.asarray(dy).dtype)
    out[_np_key(key, shape)] = dy
    return out


@_strided_slice_grad_prim.grad
def _strided_slice_grad_grad(op, ddx):
    return _strided_slice(ddx, key=op.attrs["key"])


def getitem(tensor, key):
    """`tensor[key]` with TensorFlow's rules.

    Ints (negative count from the end), slices with steps, `...`, `tf.newaxis` and scalar
    int32/int64 tensors index like NumPy basic indexing. A top-level list is read like a
    tuple (`t[[0, 1]]` is `t[0, 1]`), as in TF; a bool key or bool tensor is a
    `tf.boolean_mask`. Out-of-range integer indices raise InvalidArgumentError.

    >>> tf.constant([[1, 2, 3], [4, 5, 6]])[-1, ::2].numpy()
    array([4, 6], dtype=int32)
    """
    x = tensor if type(tensor) is Tensor else to_tensor(tensor)
    if type(key) is int:
        ckey = (key,)
    elif (
            isinstance(key, (bool, np.bool_))
            or (isinstance(key, (Tensor, Variable, np.ndarray))
                and np.asarray(key._value if isinstance(key, _TENSORISH) else key).dtype
                == np.bool_)):
        from tapeflow._src.ops.gather_ops import boolean_mask
        return boolean_mask(x, key)
    else:
        ckey = _canonical_key(key)
    try:
        return _strided_slice(x, key=ckey)
    except InvalidArgumentError as e:
        if e.message.endswith("[Op:StridedSlice]"):
            raise InvalidArgumentError(None, None, e.message + " name: strided_slice/") \
                from None
        raise


def _mask_bits(mask, n):
    return [bool((int(mask) >> i) & 1) for i in range(n)]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Extracts `input_[begin:end:strides]` per dimension, with TF's bit masks.

    Bit `i` of `begin_mask`/`end_mask` ignores `begin[i]`/`end[i]` (full range),
    `ellipsis_mask` makes entry `i` an `...`, `new_axis_mask` a `tf.newaxis` and
    `shrink_axis_mask` an integer index `begin[i]` (removing the axis).

    >>> tf.strided_slice([[1, 2, 3], [4, 5, 6]], [0, 0], [2, 3], [1, 2]).numpy().tolist()
    [[1, 3], [4, 6]]
    """
    x = to_tensor(input_)
    b = [int(v) for v in np.asarray(peek(to_tensor(begin))).reshape(-1)]
    e = [int(v) for v in np.asarray(peek(to_tensor(end))).reshape(-1)]
    s = [1] * len(b) if strides is None else [
        int(v) for v in np.asarray(peek(to_tensor(strides))).reshape(-1)]
    if not len(b) == len(e) == len(s):
        raise InvalidArgumentError(
            None, None, f"Expected begin, end, and strides to be 1D equal size tensors, but "
            f"got shapes [{len(b)}], [{len(e)}], and [{len(s)}] instead. [Op:StridedSlice]")
    n = len(b)
    bm, em, ell, new, shr = (_mask_bits(m, n) for m in (begin_mask, end_mask, ellipsis_mask,
                                                        new_axis_mask, shrink_axis_mask))
    key = []
    seen_ellipsis = False
    for i in range(n):
        if ell[i]:
            if seen_ellipsis:
                continue  # TF uses the first ellipsis only
            seen_ellipsis = True
            key.append(Ellipsis)
        elif new[i]:
            key.append(None)
        elif shr[i]:
            key.append(b[i])
        else:
            key.append(("s", None if bm[i] else b[i], None if em[i] else e[i], s[i]))
    return _strided_slice(x, key=tuple(key))


def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's name
    """Extracts the block starting at `begin` with extent `size` (-1 means to the end).

    Raises:
      InvalidArgumentError: `begin`/`size` have the wrong length or leave the tensor.

    >>> tf.slice([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1]).numpy().tolist()
    [[2, 3], [5, 6]]
    """
    from tapeflow._src.ops.array_creation import int_arg
    x = to_tensor(input_)
    shp = np.shape(x._value)
    b = [int(v) for v in int_arg(begin, "Index", "Slice", empty_ok=False).reshape(-1)]
    sz = [int(v) for v in int_arg(size, "Index", "Slice", empty_ok=False).reshape(-1)]
    r = len(shp)
    if len(b) != r or len(sz) != r:
        raise InvalidArgumentError(
            None, None, f"Expected begin and size arguments to be 1-D tensors of size {r}, but "
            f"got shapes {_dims([len(b)])} and {_dims([len(sz)])} instead. [Op:Slice]")
    key = []
    for i in range(r):
        if not 0 <= b[i] <= shp[i]:
            raise InvalidArgumentError(None, None, f"Expected begin[{i}] in [0, {shp[i]}], but "
                                       f"got {b[i]} [Op:Slice]")
        n = shp[i] - b[i] if sz[i] == -1 else sz[i]
        if not 0 <= n <= shp[i] - b[i]:
            raise InvalidArgumentError(None, None, f"Expected size[{i}] in [0, "
                                       f"{shp[i] - b[i]}], but got {sz[i]} [Op:Slice]")
        key.append(("s", b[i], b[i] + n, 1))
    return _strided_slice(x, key=tuple(key))

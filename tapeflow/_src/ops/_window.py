"""Sliding-window machinery shared by convolutions and pooling (channels-last layout).

Arrays here are [batch, *spatial, channels]. A window op is described by per-spatial-dim
`ksize`, `strides`, `dilations` and `pads` ((before, after) pairs). Kernels loop over the
kernel's taps (e.g. 9 for 3x3), each a strided slice of the padded input; they never loop
over pixels.
"""

from __future__ import annotations

import itertools

import numpy as np

from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable


def sequence(value, n, channel_index, name):
    """A per-dimension argument (int, or list of 1, n or n+2 ints) as a list of n+2 ints."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (Tensor, Variable)):
        value = np.asarray(value).tolist()
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: "
            f"{name}={value} of length {len(value)}"
        )
    full = [1] * (n + 2)
    start = 2 if channel_index == 1 else 1
    full[start : start + n] = value
    return full


def spatial(seq, channels_first):
    """(spatial entries, [batch entry, channel entry]) of a full-rank per-dim list."""
    if channels_first:
        return tuple(seq[2:]), [seq[0], seq[1]]
    return tuple(seq[1:-1]), [seq[0], seq[-1]]


def padding_arg(padding, n, channels_first, op_name, allowed=("SAME", "VALID", "EXPLICIT")):
    """('SAME' | 'VALID' | 'EXPLICIT', explicit spatial pads or None)."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            names = ", ".join(f'"{a}"' for a in allowed)
            raise InvalidArgumentError(
                None,
                None,
                f"Value for attr 'padding' of \"{padding}\" is not in the list of "
                f"allowed values: {names}\n\t; NodeDef: {{{{node {op_name}}}}} "
                f"[Op:{op_name}] name: ",
            )
        return padding, None
    if "EXPLICIT" not in allowed:
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    pads = [list(p) for p in padding]
    if len(pads) != n + 2:
        raise ValueError(
            f"When padding is a list, it must be of size {n + 2}. Received: "
            f"padding={padding} of size {len(pads)}"
        )
    if any(len(p) != 2 for p in pads):
        raise ValueError(
            f"Each element of padding must be a list/tuple of size 2. Received: padding={padding}"
        )
    inner, outer = spatial(pads, channels_first)
    if any(a or b for a, b in outer):
        raise ValueError(
            f"The padding of the batch and channel dimensions must be 0. "
            f"Received: padding={padding}"
        )
    return "EXPLICIT", tuple((int(a), int(b)) for a, b in inner)


def geometry(in_sizes, ksize, strides, dilations, padding, explicit, op_name):
    """Output sizes and (before, after) pads per spatial dim, with TF's size errors."""
    outs, pads = [], []
    for i, (n, k, s, d) in enumerate(zip(in_sizes, ksize, strides, dilations)):
        eff = (k - 1) * d + 1
        if padding == "SAME":
            o = -(-n // s)
            total = max((o - 1) * s + eff - n, 0)
            p = (total // 2, total - total // 2)
        else:
            p = (0, 0) if padding == "VALID" else explicit[i]
            num = n + p[0] + p[1] - eff + s
            o = int(num / s)  # truncates toward zero like C++, for the message
            if num < 0 or o < 0:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Computed output size would be negative: {o} [input_size: "
                    f"{n}, effective_filter_size: {eff}, stride: {s}] [Op:{op_name}] name: ",
                )
        outs.append(o)
        pads.append(p)
    return tuple(outs), tuple(pads)


def pad(x, pads, value=0):
    """`x` padded on its spatial dims (no copy when all pads are 0)."""
    if not any(a or b for a, b in pads):
        return x
    return np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def crop(xp, pads, sizes):
    """Inverse of `pad`: the interior of `xp` with spatial `sizes`."""
    if not any(a or b for a, b in pads) and xp.shape[1:-1] == tuple(sizes):
        return xp
    key = (slice(None),) + tuple(slice(a, a + n) for (a, _), n in zip(pads, sizes)) + (slice(None),)
    return xp[key]


def out_sizes(padded, ksize, strides, dilations):
    return tuple(
        max((n - ((k - 1) * d + 1)) // s + 1, 0)
        for n, k, s, d in zip(padded, ksize, strides, dilations)
    )


def taps(ksize, strides, dilations, out):
    """For each kernel tap in row-major order, the slice of the padded input it reads."""
    keys = []
    for pos in itertools.product(*(range(k) for k in ksize)):
        keys.append(
            (slice(None),)
            + tuple(
                slice(p * d, p * d + (o - 1) * s + 1 if o > 0 else p * d, s)
                for p, d, o, s in zip(pos, dilations, out, strides)
            )
            + (slice(None),)
        )
    return keys


def im2col(xp, ksize, strides, dilations, out):
    """Patches of `xp`: shape [batch, *out, taps, channels]."""
    keys = taps(ksize, strides, dilations, out)
    cols = np.empty((xp.shape[0],) + tuple(out) + (len(keys), xp.shape[-1]), xp.dtype)
    for i, key in enumerate(keys):
        cols[..., i, :] = xp[key]
    return cols


def col2im(cols, padded_shape, ksize, strides, dilations, out):
    """Adjoint of `im2col`: sums patch entries back into an array of `padded_shape`."""
    dxp = np.zeros(padded_shape, cols.dtype)
    for i, key in enumerate(taps(ksize, strides, dilations, out)):
        dxp[key] += cols[..., i, :]
    return dxp


def dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"

"""`tf.debugging.assert_*`: eager assertions with TensorFlow's exception types.

They live next to check_numerics (autodiff/numerics.py) as the debugging toolbox; each
returns None when the condition holds, as TensorFlow's eager assertions do.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops._helpers import binary_args, to_tensor


def _first(v, n):
    return np.asarray(v).reshape(-1)[:n]


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `x == y` element-wise (with broadcasting).

    >>> tf.debugging.assert_equal([1, 2], [1, 2]) is None
    True
    """
    from tapeflow._src.ops import math_ops
    x, y = binary_args(x, y, "Equal")
    eq = math_ops.equal(x, y)._value
    if eq.all():
        return None
    n = 3 if summarize is None else int(summarize)
    xv, yv = x._value, y._value
    lines = [] if not message else [str(message)]
    lines.append("Condition x == y did not hold.")
    if xv.shape == yv.shape:
        idx = np.argwhere(~eq)[:n]
        lines += [f"Indices of first {len(idx)} different values:", str(idx),
                  "Corresponding x values:", str(xv[tuple(idx.T)]),
                  "Corresponding y values:", str(yv[tuple(idx.T)])]
    fx, fy = _first(xv, n), _first(yv, n)
    lines += [f"First {fx.size} elements of x:", str(fx),
              f"First {fy.size} elements of y:", str(fy)]
    raise InvalidArgumentError(None, None, "\n".join(lines))


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless |x - y| <= atol + rtol * |y| everywhere.

    Tolerances default to 10 * eps of the dtype.

    >>> tf.debugging.assert_near([1.0], [1.0 + 1e-7]) is None
    True
    """
    x, y = binary_args(x, y, "Sub")
    dt = x._value.dtype
    eps = np.finfo(dt).eps if dt.kind in "fc" else 0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    xv, yv = x._value, y._value
    if np.all(np.abs(xv - yv) <= atol + rtol * np.abs(yv)):
        return None
    prefix = f"{message}.  " if message else ""
    n = 3 if summarize is None else int(summarize)
    raise InvalidArgumentError(None, None, (
        f"{prefix}x and y not equal to tolerance rtol = {rtol}, atol = {atol}\n"
        f"x (shape={xv.shape} dtype={x.dtype.name}) = {_first(xv, n)}\n"
        f"y (shape={yv.shape} dtype={y.dtype.name}) = {_first(yv, n)}"))


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless `x` has rank `rank`.

    >>> tf.debugging.assert_rank(tf.ones([2, 3]), 2) is None
    True
    """
    t = to_tensor(x)
    r = t._value.ndim
    if r == int(rank):
        return None
    prefix = f"{message}.  " if message else ""
    raise ValueError(f"{prefix}Tensor {name or ''} must have rank {int(rank)}.  Received rank "
                     f"{r}, shape {tuple(t._value.shape)}")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks tensors' shapes against specs with named (shared) or fixed dimensions.

    `shapes` is a list (or dict) of `(tensor, spec)`; a spec entry is an int (that size),
    a string (a symbol that must have the same size everywhere) or None/'.' (any size).

    Raises:
      ValueError: on a rank or dimension mismatch.

    >>> tf.debugging.assert_shapes([(tf.ones([2, 3]), ('N', 'D')),
    ...                             (tf.ones([2]), ('N',))]) is None
    True
    """
    items = shapes.items() if isinstance(shapes, dict) else shapes
    sizes = {}
    prefix = f"{message}.  " if message else ""
    for x, spec in items:
        t = to_tensor(x)
        shape = tuple(t._value.shape)
        desc = f"shape={shape} dtype={t.dtype.name}"
        spec = tuple(spec)
        if len(spec) != len(shape):
            raise ValueError(f"{prefix}Tensor {desc} must have rank {len(spec)}.  Received "
                             f"rank {len(shape)}, shape {shape}")
        for i, (s, d) in enumerate(zip(spec, shape)):
            if s is None or s == ".":
                continue
            if isinstance(s, str):
                if s in sizes:
                    want, origin = sizes[s]
                    if want != d:
                        raise ValueError(
                            f"{prefix}Specified by tensor {origin[0]} dimension {origin[1]}.  "
                            f"Tensor {desc} dimension {i} must have size {want}.  "
                            f"Received size {d}, shape {shape}")
                else:
                    sizes[s] = (d, (desc, i))
            elif int(s) != d:
                raise ValueError(f"{prefix}Specified explicitly.  Tensor {desc} dimension {i} "
                                 f"must have size {int(s)}.  Received size {d}, shape {shape}")
    return None

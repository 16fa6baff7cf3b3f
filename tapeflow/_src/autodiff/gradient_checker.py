"""`tf.test.compute_gradient`: analytic versus finite-difference Jacobians."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.tensor import _wrap

_ALLOWED = ("float16", "float32", "float64")


def _theoretical(f, xs, i, y_shape, y_dtype):
    """Rows: flattened y elements; columns: flattened xs[i] elements."""
    from tapeflow._src.autodiff.tape import GradientTape, UnconnectedGradients
    x = xs[i]
    with GradientTape() as tape:
        tape.watch(x)
        y = f(*xs)
    jac = tape.jacobian(y, x, unconnected_gradients=UnconnectedGradients.ZERO)
    y_size = int(np.prod(y_shape, dtype=np.int64))
    return np.asarray(jac._value, dtype=x._value.dtype).reshape(y_size, x._value.size)


def _numerical(f, xs, i, y_shape, y_dtype, delta):
    """Central differences, perturbing one element of xs[i] at a time in its own dtype."""
    arrays = [np.array(x._value) for x in xs]
    x = arrays[i]
    flat = x.reshape(-1)
    y_size = int(np.prod(y_shape, dtype=np.int64))
    scale = np.asarray(2 * delta, dtype=y_dtype)[()]
    jac = np.zeros((y_size, flat.size), dtype=x.dtype)

    def run():
        return np.asarray(f(*[_wrap(a.copy()) for a in arrays])._value)

    for col in range(flat.size):
        original = flat[col]
        flat[col] = original + np.asarray(delta, x.dtype)
        y_pos = run()
        flat[col] = original - np.asarray(delta, x.dtype)
        y_neg = run()
        flat[col] = original
        jac[:, col] = ((y_pos - y_neg) / scale).reshape(-1)
    return jac


def compute_gradient(f, x, delta=None):
    """Theoretical (backprop) and numerical (central difference) Jacobians of `f`.

    Args:
      f: a function of tensors returning one tensor.
      x: a list or tuple of the arguments (converted to tensors).
      delta: the finite-difference step, default 1/1024.

    Returns:
      `(theoretical, numerical)`: two tuples with one NumPy array per argument, each of
      shape `(y.size, x_i.size)` and the argument's dtype.

    Raises:
      ValueError: if `x` is not a list or tuple.

    >>> t, n = tf.test.compute_gradient(lambda a: a * a, [tf.constant([3.0])])
    >>> t[0], n[0]
    (array([[6.]], dtype=float32), array([[6.]], dtype=float32))
    """
    if not isinstance(x, (list, tuple)):
        raise ValueError("`x` must be a list or tuple of values convertible to a Tensor "
                         f"(arguments to `f`), not a {type(x)}")
    if delta is None:
        delta = 1.0 / 1024
    xs = [convert_to_tensor(a) for a in x]
    y = convert_to_tensor(f(*xs))
    for t in xs + [y]:
        if t.dtype.name not in _ALLOWED:
            raise NotImplementedError(f"compute_gradient supports {', '.join(_ALLOWED)} "
                                      f"arguments and results in tapeflow, got {t.dtype.name}")
    y_shape, y_dtype = y._value.shape, y._value.dtype
    theoretical = tuple(_theoretical(f, xs, i, y_shape, y_dtype) for i in range(len(xs)))
    numerical = tuple(_numerical(f, xs, i, y_shape, y_dtype, delta) for i in range(len(xs)))
    return theoretical, numerical

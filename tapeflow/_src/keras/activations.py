"""tf.keras.activations: activation functions by name or callable, written in tapeflow ops."""

from __future__ import annotations

from tapeflow._src.ops import math_ops as M
import tapeflow.nn as N
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.array_ops import where


def linear(x):
    """Returns `x` unchanged."""
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with optional leak `alpha`, cap and threshold."""
    x = to_tensor(x)
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return N.relu(x)
    if threshold != 0.0:
        y = where(M.greater(x, threshold), x, M.subtract(x, threshold) * float(alpha))
    else:
        y = N.relu(x) if alpha == 0.0 else where(M.greater(x, 0.0), x, x * float(alpha))
    if max_value is not None:
        y = M.minimum(y, M.cast(max_value, y.dtype))
    return y


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    x = to_tensor(x)
    out = M.sigmoid(x)
    from tapeflow._src.keras.losses import _remember_logits
    _remember_logits(out, x, "sigmoid")
    return out


def tanh(x):
    return M.tanh(to_tensor(x))


def softmax(x, axis=-1):
    """Softmax along `axis` (default the last)."""
    x = to_tensor(x)
    if x.shape.rank is not None and x.shape.rank <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    out = N.softmax(x, axis=axis)
    if axis == -1:
        from tapeflow._src.keras.losses import _remember_logits
        _remember_logits(out, x, "softmax")
    return out


def log_softmax(x, axis=-1):
    return N.log_softmax(to_tensor(x), axis=axis)


def softplus(x):
    """log(1 + exp(x)), computed without overflow."""
    x = to_tensor(x)
    return M.add(M.log1p(M.exp(-M.abs(x))), N.relu(x))


def softsign(x):
    x = to_tensor(x)
    return x / (M.abs(x) + 1.0)


def elu(x, alpha=1.0):
    x = to_tensor(x)
    return where(M.greater(x, 0.0), x, M.expm1(M.minimum(x, 0.0)) * alpha)


def selu(x):
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return elu(x, alpha) * scale


def exponential(x):
    return M.exp(to_tensor(x))


def hard_sigmoid(x):
    x = to_tensor(x)
    return M.minimum(M.maximum(x * 0.2 + 0.5, 0.0), 1.0)


def swish(x):
    x = to_tensor(x)
    return x * M.sigmoid(x)


silu = swish


def gelu(x, approximate=False):
    x = to_tensor(x)
    if approximate:
        c = 0.7978845608028654
        return 0.5 * x * (1.0 + M.tanh(c * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1.0 + M.erf(x * 0.7071067811865476))


def mish(x):
    x = to_tensor(x)
    return x * M.tanh(softplus(x))


_BY_NAME = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, log_softmax, softplus,
                                    softsign, elu, selu, exponential, hard_sigmoid, swish, gelu,
                                    mish)}
_BY_NAME["silu"] = swish


def get(identifier):
    """An activation function from a name, a config dict or a callable (None: linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown activation function: '{identifier}'. Please ensure you "
                             f"are using a `keras.utils.custom_object_scope` and that this "
                             f"object is included in the scope. See https://www.tensorflow.org"
                             f"/guide/keras/save_and_serialize#registering_the_custom_object "
                             f"for details.") from None
    if isinstance(identifier, dict):
        return get(identifier.get("config", identifier.get("class_name")))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation):
    """The name of a built-in activation (or the callable's __name__)."""
    import tapeflow as _tf
    _nn, _m = _tf.nn, _tf.math
    for name, fn in ((n, f) for n, f in _BY_NAME.items()):
        if activation is fn:
            return name
    for name in ("relu", "softmax", "sigmoid", "tanh"):
        if activation is getattr(_nn, name, None) or activation is getattr(_m, name, None):
            return name
    return getattr(activation, "__name__", str(activation))


def deserialize(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)

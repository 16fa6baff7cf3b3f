"""tf.keras.backend: session settings (floatx, epsilon, image format, name counters) and the
Keras 2 backend functions for tensors: creation, shapes, reductions, element-wise math
(`K.variable`, `K.dot`, `K.batch_dot`, `K.mean`, ...). Control flow, activations, losses and
random functions are in backend_nn.py.

The backend functions are thin wrappers over public tapeflow ops with tf_keras 2.21's
argument conventions (e.g. `K.mean(x, axis, keepdims)`, `K.constant` defaulting to floatx,
`K.zeros` returning a variable). TF1-graph-only functions (placeholder, function,
set_learning_phase, ...) raise NotImplementedError.
"""

from __future__ import annotations

import builtins

import numpy as np

import tapeflow as tf
from tapeflow._src.framework import context

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx():
    """The default float type name, 'float32'."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of "
                         f"{{'float16', 'float32', 'float64'}}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions, 1e-07."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _IMAGE_DATA_FORMAT = str(data_format)


def backend():
    """The name of the backend Keras runs on: 'tensorflow'."""
    return "tensorflow"


def clear_session():
    """Resets layer-name counters, so new layers are named 'dense', 'dense_1', ... again."""
    context.clear_session()


def reset_uids():
    """Resets the counters behind `get_uid` and automatic layer names."""
    context.clear_session()


def get_uid(prefix=""):
    """A per-prefix counter starting at 1, as Keras's get_uid."""
    name = context.unique_layer_name("__uid__" + prefix)
    return 1 if name == "__uid__" + prefix else int(name.rsplit("_", 1)[1]) + 1


def is_keras_tensor(x):
    from tapeflow._src.keras.engine import KerasTensor
    return isinstance(x, KerasTensor)


def int_shape(x):
    return tuple(x.shape.as_list()) if hasattr(x.shape, "as_list") else tuple(x.shape)


def get_value(x):
    return np.asarray(x.numpy())


def set_value(x, value):
    x.assign(np.asarray(value))


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


# -- TF1-graph-only API -----------------------------------------------------------------------

def _graph_only(name, hint):
    def fn(*args, **kwargs):
        raise NotImplementedError(
            f"tf.keras.backend.{name} belongs to TF1 graph mode, which tapeflow does not "
            f"implement. {hint}")
    fn.__name__ = name
    fn.__doc__ = f"Not available in tapeflow (TF1 graph mode only): {hint}"
    return fn


placeholder = _graph_only(
    "placeholder", "Use tf.keras.Input(shape=...) to build functional models.")
function = _graph_only(
    "function", "Build a tf.keras.Model(inputs, outputs) and call it instead.")
manual_variable_initialization = _graph_only(
    "manual_variable_initialization", "Variables are initialized when they are created.")
set_learning_phase = _graph_only(
    "set_learning_phase", "Pass training=True/False when calling a layer or model.")
learning_phase_scope = _graph_only(
    "learning_phase_scope", "Pass training=True/False when calling a layer or model.")


def learning_phase():
    """The learning phase flag in eager mode: 0 (test), as in tf_keras.

    >>> tf.keras.backend.learning_phase()
    0
    """
    return 0


def eval(x):
    """The value of an eager tensor or variable as a NumPy array."""
    if is_keras_tensor(x) or not hasattr(x, "numpy"):
        raise NotImplementedError(
            "tf.keras.backend.eval only evaluates eager tensors and variables in tapeflow; "
            "symbolic graph tensors cannot be evaluated.")
    return get_value(to_dense(x))


def is_sparse(tensor):
    return isinstance(tensor, tf.SparseTensor)


def to_dense(tensor):
    if is_sparse(tensor):
        return tf.sparse.to_dense(tensor)
    return tensor


def name_scope(name):
    """`tf.name_scope(name)`."""
    return tf.name_scope(name)


def gradients(loss, variables):
    """Symbolic gradients are a TF1 graph feature: use tf.GradientTape."""
    if tf.executing_eagerly():
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    raise NotImplementedError("tf.keras.backend.gradients (tf.gradients) is not implemented in "
                              "tapeflow; use tf.GradientTape.")


# -- creating tensors and variables -----------------------------------------------------------

def _t(x):
    return x if isinstance(x, (tf.Tensor, tf.Variable)) else tf.convert_to_tensor(x)


def variable(value, dtype=None, name=None, constraint=None):
    """A `tf.Variable` of `value`, in floatx unless `dtype` is given.

    >>> v = tf.keras.backend.variable([1, 2], name="w")
    >>> v.name, v.dtype.name
    ('w:0', 'float32')
    """
    if dtype is None:
        dtype = floatx()
    return tf.Variable(value, dtype=tf.as_dtype(dtype), name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """`tf.constant` whose dtype defaults to floatx (so `K.constant(1)` is float32)."""
    if dtype is None:
        dtype = floatx()
    return tf.constant(value, dtype=dtype, shape=shape, name=name)


def cast_to_floatx(x):
    """Casts tensors to floatx; anything else becomes a NumPy array of floatx."""
    if isinstance(x, (tf.Tensor, tf.Variable, tf.SparseTensor)):
        return tf.cast(x, dtype=floatx())
    return np.asarray(x, dtype=floatx())


def _filled(fill, shape, dtype, name):
    if dtype is None:
        dtype = floatx()
    with tf.init_scope():
        v = fill(shape=shape, dtype=tf.as_dtype(dtype), name=name)
        # As tf_keras: a variable unless a dimension is 0.
        if builtins.all(v.shape.as_list()):
            return variable(v, dtype=dtype, name=name)
        return v


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (a plain tensor when a dimension is 0)."""
    return _filled(tf.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones (a plain tensor when a dimension is 0)."""
    return _filled(tf.ones, shape, dtype, name)


def eye(size, dtype=None, name=None):
    """A variable holding the `size` x `size` identity matrix."""
    if dtype is None:
        dtype = floatx()
    return variable(tf.eye(size, dtype=tf.as_dtype(dtype)), dtype, name)


def zeros_like(x, dtype=None, name=None):
    return tf.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    return tf.ones_like(x, dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    if dtype is None:
        dtype = floatx()
    if seed is None:
        seed = np.random.randint(10e8)
    value = tf.random.uniform(shape, low, high, dtype=tf.as_dtype(dtype), seed=seed)
    return variable(value, dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    if dtype is None:
        dtype = floatx()
    if seed is None:
        seed = np.random.randint(10e8)
    value = tf.random.normal(shape, mean, scale, dtype=tf.as_dtype(dtype), seed=seed)
    return variable(value, dtype=dtype, name=name)


def count_params(x):
    """The number of scalars in `x` (a NumPy integer)."""
    return np.prod(x.shape.as_list())


def cast(x, dtype):
    return tf.cast(x, dtype)


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """`x -= (x - value) * (1 - momentum)`."""
    momentum = tf.cast(momentum, x.dtype)
    value = tf.cast(value, x.dtype)
    return x.assign_sub((x - value) * (1 - momentum))


# -- shapes -----------------------------------------------------------------------------------

def shape(x):
    """The dynamic shape, `tf.shape(x)`."""
    return tf.shape(x)


def ndim(x):
    """The rank of `x` (None if unknown)."""
    s = x.shape
    return s.rank if hasattr(s, "rank") else len(s)


def dtype(x):
    """The dtype name of `x`, e.g. 'float32'."""
    return x.dtype.base_dtype.name


def _dims_for_reshape(dims):
    """Static dims with None replaced by -1 (at most one unknown dim is supported)."""
    if builtins.sum(d is None for d in dims) > 1:
        raise NotImplementedError("tapeflow's K.dot/K.batch_dot need static shapes (at most "
                                  "one unknown dimension).")
    return [-1 if d is None else d for d in dims]


def dot(x, y):
    """Matrix product; for n-d inputs the last axis of `x` meets the second-to-last of `y`.

    The result of n-d inputs has shape `x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`.

    >>> x = tf.keras.backend.ones((2, 3, 4)); y = tf.keras.backend.ones((5, 4, 6))
    >>> tf.keras.backend.int_shape(tf.keras.backend.dot(x, y))
    (2, 3, 5, 6)
    """
    x, y = _t(x), _t(y)
    if ndim(x) is not None and (ndim(x) > 2 or ndim(y) > 2):
        xs, ys = int_shape(x), int_shape(y)
        perm = list(range(len(ys)))
        perm = [perm.pop(-2)] + perm
        xt = tf.reshape(x, [-1, xs[-1]])
        yt = tf.reshape(tf.transpose(y, perm=perm), [ys[-2], -1])
        return tf.reshape(tf.matmul(xt, yt), _dims_for_reshape(xs[:-1] + ys[:-2] + ys[-1:]))
    return tf.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches, contracting `x`'s `axes[0]` with `y`'s `axes[1]`.

    The result has `x`'s remaining dims followed by `y`'s (without its batch dim); a
    result of rank 1 is reshaped to `(batch, 1)`.

    >>> x = tf.keras.backend.ones((32, 20, 1)); y = tf.keras.backend.ones((32, 30, 20))
    >>> tf.keras.backend.int_shape(tf.keras.backend.batch_dot(x, y, axes=(1, 2)))
    (32, 1, 30)
    """
    x, y = _t(x), _t(y)
    xs, ys = int_shape(x), int_shape(y)
    xn, yn = len(xs), len(ys)
    if xn < 2 or yn < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {xs} and {ys}.")
    if xs[0] is not None and ys[0] is not None and xs[0] != ys[0]:
        raise ValueError(f"Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with shapes {xs} and {ys}.")
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [xn - 1, yn - 1] if yn == 2 else [xn - 1, yn - 2]
    if builtins.any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(f"Multiple target dimensions are not supported. Expected: None, int, "
                         f"(int, int), Provided: {axes}")
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += xn
    if axes[1] < 0:
        axes[1] += yn
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                         "add a dummy batch dimension to your inputs using K.expand_dims(x, 0)")
    a0, a1 = axes
    d1, d2 = xs[a0], ys[a1]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {xs} and {ys} with "
                         f"axes={axes}. x.shape[{a0}] != y.shape[{a1}] ({d1} != {d2}).")
    # Move x's contracted axis last and y's to position 1, then one batched matmul of
    # (batch, rest_x, k) by (batch, k, rest_y).
    x_keep = [i for i in range(1, xn) if i != a0]
    y_keep = [i for i in range(1, yn) if i != a1]
    x = tf.transpose(x, [0] + x_keep + [a0])
    y = tf.transpose(y, [0, a1] + y_keep)
    k = d1 if d1 is not None else d2
    x3 = tf.reshape(x, _dims_for_reshape([xs[0], int(np.prod([xs[i] for i in x_keep])), k]))
    y3 = tf.reshape(y, _dims_for_reshape([ys[0], k, int(np.prod([ys[i] for i in y_keep]))]))
    out_dims = [xs[0] if xs[0] is not None else ys[0]]
    out_dims += [xs[i] for i in x_keep] + [ys[i] for i in y_keep]
    if len(out_dims) == 1:
        out_dims.append(1)
    return tf.reshape(tf.matmul(x3, y3), _dims_for_reshape(out_dims))


def transpose(x):
    return tf.transpose(x)


def permute_dimensions(x, pattern):
    return tf.transpose(x, perm=pattern)


def reshape(x, shape):
    return tf.reshape(x, shape)


def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


def squeeze(x, axis):
    return tf.squeeze(x, [axis])


def flatten(x):
    return tf.reshape(x, [-1])


def batch_flatten(x):
    """Reshapes `(batch, d1, d2, ...)` to `(batch, d1 * d2 * ...)`."""
    x = _t(x)
    inner = int_shape(x)[1:]
    if builtins.any(d is None for d in inner):
        return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))
    return tf.reshape(x, [-1, int(np.prod(inner))])


def concatenate(tensors, axis=-1):
    if axis < 0:
        rank = ndim(_t(tensors[0]))
        axis = axis % rank if rank else 0
    return tf.concat([to_dense(t) for t in tensors], axis)


def stack(x, axis=0):
    return tf.stack(x, axis=axis)


def tile(x, n):
    if isinstance(n, int):
        n = [n]
    return tf.tile(x, n)


def repeat(x, n):
    """Repeats a 2-D `(batch, d)` tensor `n` times: `(batch, n, d)`."""
    x = _t(x)
    assert ndim(x) == 2
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def repeat_elements(x, rep, axis):
    """Repeats each slice of `x` along `axis` `rep` times (like `np.repeat`)."""
    return tf.repeat(x, rep, axis=axis)


def arange(start, stop=None, step=1, dtype="int32"):
    """`tf.range` as int32 (or cast to `dtype`); a lone negative `start` gives an empty range."""
    if stop is None and start < 0:
        start = 0
    result = tf.range(start, limit=stop, delta=step, name="arange")
    if dtype != "int32":
        result = cast(result, dtype)
    return result


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def gather(reference, indices):
    return tf.gather(reference, indices)


def one_hot(indices, num_classes):
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle axis of a 3-D tensor with zeros."""
    assert len(padding) == 2
    return tf.pad(x, [[0, 0], [padding[0], padding[1]], [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pads the two spatial axes of a 4-D tensor with zeros."""
    assert len(padding) == 2 and len(padding[0]) == 2 and len(padding[1]) == 2
    if data_format is None:
        data_format = image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    if data_format == "channels_first":
        pattern = [[0, 0], [0, 0], list(padding[0]), list(padding[1])]
    else:
        pattern = [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    return tf.pad(x, pattern)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pads the three spatial axes of a 5-D tensor with zeros."""
    assert len(padding) == 3 and builtins.all(len(p) == 2 for p in padding)
    if data_format is None:
        data_format = image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    spatial = [list(p) for p in padding]
    if data_format == "channels_first":
        return tf.pad(x, [[0, 0], [0, 0]] + spatial)
    return tf.pad(x, [[0, 0]] + spatial + [[0, 0]])


# -- reductions -------------------------------------------------------------------------------

def _bool_to_floatx(x):
    x = _t(x)
    return tf.cast(x, floatx()) if x.dtype == tf.bool else x


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(x, axis, keepdims)


def max(x, axis=None, keepdims=False):
    return tf.reduce_max(x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    return tf.reduce_min(x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over `axis` (all axes if None); booleans are averaged as floatx."""
    return tf.reduce_mean(_bool_to_floatx(x), axis, keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over `axis`; booleans count as floatx."""
    return tf.math.reduce_variance(_bool_to_floatx(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over `axis`; booleans count as floatx."""
    return tf.math.reduce_std(_bool_to_floatx(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tf.cast(x, tf.bool), axis, keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tf.cast(x, tf.bool), axis, keepdims)


def argmax(x, axis=-1):
    return tf.argmax(x, axis)


def argmin(x, axis=-1):
    return tf.argmin(x, axis)


def cumsum(x, axis=0):
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return tf.math.cumprod(x, axis=axis)


# -- element-wise -----------------------------------------------------------------------------

def square(x):
    return tf.square(x)


def abs(x):
    return tf.abs(x)


def sqrt(x):
    """Square root after clamping negatives to 0 (so it never returns NaN)."""
    x = _t(x)
    return tf.sqrt(tf.maximum(x, tf.constant(0.0, dtype=x.dtype)))


def exp(x):
    return tf.exp(x)


def log(x):
    return tf.math.log(x)


def round(x):
    """Rounds half to even."""
    return tf.round(x)


def sign(x):
    return tf.sign(x)


def pow(x, a):
    return tf.pow(x, a)


def clip(x, min_value, max_value):
    """Clips to `[min_value, max_value]`; None means unbounded, and with numbers a
    `max_value` below `min_value` is raised to it."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        if max_value < min_value:
            max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return tf.clip_by_value(x, min_value, max_value)


def equal(x, y):
    return tf.equal(x, y)


def not_equal(x, y):
    return tf.not_equal(x, y)


def greater(x, y):
    return tf.greater(x, y)


def greater_equal(x, y):
    return tf.greater_equal(x, y)


def less(x, y):
    return tf.less(x, y)


def less_equal(x, y):
    return tf.less_equal(x, y)


def maximum(x, y):
    return tf.maximum(x, y)


def minimum(x, y):
    return tf.minimum(x, y)


def sin(x):
    return tf.sin(x)


def cos(x):
    return tf.cos(x)


def stop_gradient(variables):
    """`tf.stop_gradient`; a list or tuple gives a lazy `map` over it, as tf_keras."""
    if isinstance(variables, (list, tuple)):
        return map(tf.stop_gradient, variables)
    return tf.stop_gradient(variables)

"""Keras's Layer base class, symbolic KerasTensors and Input for the functional API.

A Layer builds its weights on first call (inside its name scope, so weights are named
'dense/kernel:0'), finds the variables and layers assigned to its attributes, and passes
`training` down to the layers it calls. Calling a layer on a KerasTensor (from
`tf.keras.Input`) records a node instead of computing, which `Model(inputs, outputs)`
replays.
"""

from __future__ import annotations

import inspect

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.module import Module, camel_to_snake
from tapeflow._src.framework.errors import OpError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.variables import Variable
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.ops.math_ops import cast

# The `training` value of the innermost layer call that was given one explicitly.
_training_stack: list = []

# Becomes True once any layer can produce losses (add_loss, regularizers); until then the
# per-step loss collection and clearing are skipped.
_loss_state = {"any": False}

_ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights",
                   "activity_regularizer", "autocast", "input_dim", "implementation"}

_call_info_cache: dict = {}


def _call_info(cls):
    """(accepts training, accepts mask, accepts **kwargs, the index of `mask` among the
    arguments after `inputs` or None) for cls.call, cached per class; plus whether the
    class overrides compute_mask (Keras then treats it as supporting masks)."""
    info = _call_info_cache.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        names = [n for n, p in params.items()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][2:]
        mask_pos = names.index("mask") if "mask" in names else None
        info = ("training" in params, "mask" in params, var_kw, mask_pos,
                cls.compute_mask is not Layer.compute_mask)
        _call_info_cache[cls] = info
    return info


def _input_masks(inputs):
    """The inputs' `_keras_mask`s (one, or a list for list inputs), or None if none has one."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def _set_output_masks(layer, inputs, outputs, previous_mask):
    """`outputs` with the masks `layer.compute_mask` gives; an output that is one of the
    inputs' own tensors is replaced by a new tensor on the same array first, so the
    caller's tensor does not take the mask (Keras's layers return identities)."""
    flat = _flatten(outputs)
    if all(getattr(o, "_keras_mask", None) is not None for o in flat):
        return outputs  # the layer set them itself
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return outputs
    input_ids = {id(t) for t in _flatten(inputs)}
    if any(id(o) in input_ids for o in flat):
        def fresh(t):
            if id(t) in input_ids and isinstance(t, Tensor):
                return _wrap(t._value)
            return t
        outputs = _map(fresh, outputs)
        flat = _flatten(outputs)
    for o, m in zip(flat, _flatten(masks)):
        try:
            o._keras_mask = m
        except AttributeError:  # not a Tensor (e.g. a NumPy array)
            pass
    return outputs


class KerasTensor:
    """A symbolic tensor: a shape and dtype plus the layer call that produced it."""

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = TensorShape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name
        self._keras_history = history  # (layer, node) or None for an Input

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        layer = self._keras_history[0].name if self._keras_history else self.name
        return (f"<KerasTensor: shape={self.shape} dtype={self.dtype.name} "
                f"(created by layer '{layer}')>")

    # Python operators on symbolic tensors become op layers in the functional graph.
    def _op(self, fn, name, *others):
        return TFOpLambda(fn, name)([self, *others]) if others and any(
            isinstance(o, KerasTensor) for o in others) else TFOpLambda(
                lambda x: fn(x, *others), name)(self)

    def __add__(self, o):
        return self._op(lambda a, b: a + b, "tf.__operators__.add", o)

    def __radd__(self, o):
        return self._op(lambda a, b: b + a, "tf.__operators__.add", o)

    def __sub__(self, o):
        return self._op(lambda a, b: a - b, "tf.math.subtract", o)

    def __rsub__(self, o):
        return self._op(lambda a, b: b - a, "tf.math.subtract", o)

    def __mul__(self, o):
        return self._op(lambda a, b: a * b, "tf.math.multiply", o)

    def __rmul__(self, o):
        return self._op(lambda a, b: b * a, "tf.math.multiply", o)

    def __truediv__(self, o):
        return self._op(lambda a, b: a / b, "tf.math.truediv", o)

    def __rtruediv__(self, o):
        return self._op(lambda a, b: b / a, "tf.math.truediv", o)

    def __pow__(self, o):
        return self._op(lambda a, b: a ** b, "tf.math.pow", o)

    def __matmul__(self, o):
        return self._op(lambda a, b: a @ b, "tf.linalg.matmul", o)

    def __neg__(self):
        return TFOpLambda(lambda a: -a, "tf.math.negative")(self)

    def __getitem__(self, key):
        return TFOpLambda(lambda a: a[key], "tf.__operators__.getitem")(self)

    def __array__(self, *a, **k):
        raise TypeError("You are passing a symbolic KerasTensor to a function that needs a "
                        "concrete value. KerasTensors only flow through Keras layers; wrap "
                        "other operations in a `tf.keras.layers.Lambda` layer.")


class Node:
    """One call of a layer on KerasTensors: its inputs (nested), kwargs and outputs."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs

    def input_tensors(self):
        return [t for t in _flatten(self.args) if isinstance(t, KerasTensor)]


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flatten(v))
        return out
    if isinstance(x, dict):
        out = []
        for k in sorted(x):
            out.extend(_flatten(x[k]))
        return out
    return [x]


def _call_arg_text(value):
    if isinstance(value, Tensor):
        return f"tf.Tensor(shape={value.shape}, dtype={value.dtype.name})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(f"'{_call_arg_text(v)}'" for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: '{_call_arg_text(v)}'"
                               for k, v in value.items()) + "}"
    return repr(value)


def input_spec_error(message):
    """A ValueError for inputs a layer refuses: Keras checks them before `call`, so the
    error carries no "Exception encountered when calling layer" preamble."""
    error = ValueError(message)
    error._keras_call_info_injected = True
    return error


def _with_call_info(layer, error, args, kwargs):
    """`error` from `layer.call`, re-made as Keras reports it: which layer failed and with
    what arguments (only the innermost layer adds this), or None to raise it as it is."""
    if getattr(error, "_keras_call_info_injected", False):
        return None
    import inspect
    try:
        bound = inspect.signature(layer.call).bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = bound.arguments.items()
    except (TypeError, ValueError):
        arguments = [("inputs", args[0])] + list(kwargs.items())
    kind = type(layer).__name__
    lines = [f"Exception encountered when calling layer '{layer.name}' (type {kind}).", "",
             error.message if isinstance(error, OpError) else str(error), "",
             f"Call arguments received by layer '{layer.name}' (type {kind}):"]
    lines += [f"  \u2022 {name}={_call_arg_text(value)}" for name, value in arguments]
    text = "\n".join(lines)
    try:
        new = (type(error)(None, None, text) if isinstance(error, OpError)
               else type(error)(text))
    except Exception:  # an exception type that wants other arguments: leave it
        return None
    new._keras_call_info_injected = True
    return new


def _shape_leaves(shapes):
    """The individual shapes in a shape, a list/tuple/dict of shapes, or a dims list."""
    if isinstance(shapes, dict):
        return [leaf for k in sorted(shapes) for leaf in _shape_leaves(shapes[k])]
    if isinstance(shapes, (list, tuple)) and not all(
            isinstance(d, (int, np.integer, type(None))) for d in shapes):
        return [leaf for s in shapes for leaf in _shape_leaves(s)]
    return [shapes]


def _map(fn, x):
    if isinstance(x, list):
        return [_map(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(_map(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)


def _has_keras_tensor(x):
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_keras_tensor(v) for v in x)
    if isinstance(x, dict):
        return any(_has_keras_tensor(v) for v in x.values())
    return False


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return TensorShape(getattr(x, "shape", None))


class Layer(Module):
    """The base class of Keras layers: weights, build-on-first-call and configuration.

    Subclasses create weights in `build(input_shape)` with `add_weight` and compute in
    `call(inputs, training=None, mask=None)`.

    >>> class Double(tf.keras.layers.Layer):
    ...     def call(self, x):
    ...         return x * 2.0
    >>> Double()(tf.constant([1.0])).numpy()
    array([2.], dtype=float32)
    """

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        for k in kwargs:
            if k not in _ALLOWED_KWARGS:
                raise TypeError(f"Keyword argument not understood: {k}")
        object.__setattr__(self, "_k_tracked", [])
        object.__setattr__(self, "_k_added", [])
        self._k_losses = []
        self._k_callable_losses = []
        self._k_inbound_nodes = []
        self._k_build_input_shape = None
        self._trainable = bool(trainable)
        self.built = False
        self.supports_masking = False
        self.stateful = False
        self._dynamic = dynamic
        if name is None:
            name = context.unique_layer_name(camel_to_snake(type(self).__name__))
        else:
            if not isinstance(name, str):
                raise TypeError(f"Layer name must be a string, got {name!r}")
            context.reserve_layer_name(name)
        self._name = name
        self._scope_name = name + "/"
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name", None)
        self._dtype = dtypes.as_dtype(dtype).name if dtype is not None else None
        self._autocast = kwargs.get("autocast", True)
        if "input_dim" in kwargs and "input_shape" not in kwargs:
            kwargs["input_shape"] = (kwargs["input_dim"],)
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        self._initial_weights = kwargs.get("weights")
        from tapeflow._src.keras import regularizers
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))

    # -- attribute tracking ----------------------------------------------------------------
    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if name.startswith("_k_"):
            return
        tracked = self.__dict__.get("_k_tracked")
        if tracked is None:
            return
        for leaf in _flatten(value) if isinstance(value, (list, tuple, dict)) else (value,):
            if isinstance(leaf, (Variable, Module)) and not _is_metric(leaf):
                if not any(leaf is t for t in tracked):
                    tracked.append(leaf)

    def _k_gather(self):
        """Own variables and direct sublayers, in the order they were assigned."""
        reachable = []
        for key, value in self.__dict__.items():
            if key.startswith("_k_"):
                continue
            if isinstance(value, (list, tuple, dict)):
                reachable.extend(_flatten(value))
            elif isinstance(value, (Variable, Module)):
                reachable.append(value)
        ids = {id(x) for x in reachable}
        ids.update(id(x) for x in self._k_added)
        tracked = self._k_tracked
        tracked_ids = {id(x) for x in tracked}
        items = [x for x in tracked if id(x) in ids]
        for x in reachable:
            if isinstance(x, (Variable, Module)) and id(x) not in tracked_ids \
                    and not _is_metric(x):
                tracked_ids.add(id(x))
                tracked.append(x)
                items.append(x)
        own = [x for x in items if isinstance(x, Variable)]
        layers = [x for x in items if isinstance(x, Module) and x is not self]
        return own, layers

    @property
    def _flatten_layers_direct(self):
        return self._k_gather()[1]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._k_gather()[1]:
            if isinstance(layer, Layer):
                layer.trainable = value

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        own, layers = self._k_gather()
        out = [v for v in own if v.trainable]
        for layer in layers:
            out.extend(layer.trainable_weights if isinstance(layer, Layer)
                       else layer.trainable_variables)
        return Module._dedup(out)

    @property
    def non_trainable_weights(self):
        own, layers = self._k_gather()
        if self._trainable:
            out = [v for v in own if not v.trainable]
            for layer in layers:
                out.extend(layer.non_trainable_weights if isinstance(layer, Layer)
                           else layer.non_trainable_variables)
        else:
            out = [v for v in own if v.trainable] + [v for v in own if not v.trainable]
            for layer in layers:
                out.extend(layer.weights if isinstance(layer, Layer) else layer.variables)
        return Module._dedup(out)

    @property
    def weights(self):
        return Module._dedup(self.trainable_weights + self.non_trainable_weights)

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def layers(self):
        return [x for x in self._k_gather()[1] if isinstance(x, Layer)]

    def get_weights(self):
        """The weights' values as a list of NumPy arrays (NumPy scalars for 0-d weights,
        as TF's `numpy()` gives)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assigns NumPy arrays to `weights`, in the same order; shapes must match."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer \"{self.name}\" with a weight "
                f"list of length {len(weights)}, but the layer was expecting {len(params)} "
                f"weights. Provided weights: {str(weights)[:50]}...")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape) != w.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(p.shape)} is not compatible with "
                    f"provided weight shape {w.shape}.")
            p.assign(w)

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer {self.name}, but the "
                             f"layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(np.prod(v.shape.as_list(), dtype=np.int64) for v in self.weights))

    # -- properties ------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        from tapeflow._src.keras import backend
        return self._dtype or backend.floatx()

    @property
    def compute_dtype(self):
        return self.dtype

    @property
    def variable_dtype(self):
        return self.dtype

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def input_spec(self):
        return None

    @property
    def losses(self):
        """Regularization and `add_loss` losses of this layer and its sublayers."""
        if not _loss_state["any"]:
            return []
        out = list(self._k_losses)
        for fn in self._k_callable_losses:
            v = fn()
            if v is not None:
                out.append(v)
        for layer in self._k_gather()[1]:
            if isinstance(layer, Layer):
                out.extend(layer.losses)
        return out

    def add_loss(self, losses, **kwargs):
        """Adds a loss tensor (or a zero-argument callable returning one)."""
        _loss_state["any"] = True
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if callable(loss):
                self._k_callable_losses.append(loss)
            elif loss is not None:
                self._k_losses.append(convert_to_tensor(loss))

    def _clear_losses(self):
        if not _loss_state["any"]:
            return
        self._k_losses = []
        for layer in self._k_gather()[1]:
            if isinstance(layer, Layer):
                layer._clear_losses()

    @property
    def metrics(self):
        return []

    # -- weights ---------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, use_resource=None, synchronization=None,
                   aggregation=None, **kwargs):
        """Creates a weight variable of this layer (named '<layer scope>/<name>:0')."""
        from tapeflow._src.keras import constraints, initializers, regularizers
        shape = () if shape is None else tuple(shape)
        dtype = dtypes.as_dtype(dtype or self.dtype)
        if initializer is None:
            if dtype.is_floating:
                initializer = initializers.GlorotUniform()
            elif dtype.is_integer or dtype.is_bool:
                initializer = initializers.Zeros()
            else:
                raise ValueError(f"An initializer for variable {name} of type {dtype.name} "
                                 f"is required for layer {self.name}. Received: None.")
        else:
            initializer = initializers.get(initializer)
        if trainable is None:
            trainable = True
        from tapeflow._src.framework.variables import VariableSynchronization
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError("Synchronization value can be set to "
                                 "VariableSynchronization.ON_READ only for non-trainable "
                                 "variables. You have specified trainable=True and "
                                 "synchronization=VariableSynchronization.ON_READ.")
        init = initializer(shape, dtype=dtype)
        from tapeflow._src.distribute import keras_support
        dist = keras_support.current_multi_worker()
        if dist is not None and not any(c.__name__ == "Metric" for c in type(self).__mro__):
            # Every worker starts from rank 0's weights (metric states start at zero anyway).
            init = keras_support.broadcast_initial_value(dist, init)
        var = Variable(init, trainable=trainable, name=name or "Variable", dtype=dtype,
                       constraint=constraints.get(constraint))
        if dist is not None:
            keras_support.mark_synced(var)
        self._k_added.append(var)
        self._k_tracked.append(var)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            _loss_state["any"] = True
            self._k_callable_losses.append(lambda v=var, r=regularizer: r(v._read()))
        return var

    def build(self, input_shape):
        """Creates the layer's weights; the default only records the input shape."""
        self._k_build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _k_autocast(self, x):
        """Converts NumPy/list inputs to tensors and casts floating inputs to the layer dtype."""
        if type(x) is Tensor:
            if not self._autocast:
                return x
            kind = x._value.dtype.kind
            if kind == "f":
                want = self._dtype or "float32"
                if x._value.dtype.name != want:
                    return cast(x, want)
            return x
        if isinstance(x, Variable) or isinstance(x, KerasTensor):
            return x
        if isinstance(x, (list, tuple)):
            return type(x)(self._k_autocast(v) for v in x)
        if isinstance(x, dict):
            return {k: self._k_autocast(v) for k, v in x.items()}
        if isinstance(x, (np.ndarray, np.generic, float, int, bool)):
            arr = np.asarray(x)
            if arr.dtype.kind == "f" and self._autocast:
                arr = arr.astype(self._dtype or "float32", copy=False)
            return convert_to_tensor(arr)
        return x

    def _k_maybe_build(self, inputs):
        if self.built:
            return
        shape = _shape_of(inputs)
        if isinstance(shape, list) and len(shape) == 1 and not isinstance(inputs, list):
            shape = shape[0]
        with context.name_scope(self._name):
            self.build(shape)
        if self._k_build_input_shape is None:
            self._k_build_input_shape = shape
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        if "_k_pending_restore" in self.__dict__:
            from tapeflow._src.keras.saving import apply_pending_restore
            apply_pending_restore(self)

    def __call__(self, *args, **kwargs):
        if args:
            inputs = args[0]
            rest = args[1:]
        else:
            try:
                inputs = kwargs.pop("inputs")
            except KeyError:
                raise TypeError(f"{type(self).__name__}.__call__() missing 1 required "
                                f"positional argument: 'inputs'") from None
            rest = ()
        if _has_keras_tensor(inputs):
            return self._k_symbolic_call(inputs, rest, kwargs)
        has_training, has_mask, var_kw, mask_pos, own_compute_mask = _call_info(type(self))
        inputs = self._k_autocast(inputs)
        training = kwargs.get("training", None)
        pushed = False
        if has_training:
            if training is None:
                if _training_stack:
                    kwargs["training"] = _training_stack[-1]
            else:
                if not isinstance(training, bool):
                    training = bool(training)
                    kwargs["training"] = training
                _training_stack.append(training)
                pushed = True
        elif "training" in kwargs:
            if training is not None:
                _training_stack.append(bool(training))
                pushed = True
            del kwargs["training"]
        # Keras masks: an input's `_keras_mask` goes to a `call` that takes `mask` (an
        # explicit mask= wins); layers that support masking then set their outputs' masks
        # from compute_mask.
        previous_mask = None
        supports_masking = self.supports_masking or own_compute_mask
        if has_mask or supports_masking:
            if "mask" in kwargs:  # given, even as None: it wins over the inputs' masks
                previous_mask = kwargs["mask"]
            elif mask_pos is not None and len(rest) > mask_pos:  # given positionally
                previous_mask = rest[mask_pos]
            else:
                previous_mask = _input_masks(inputs)
                if previous_mask is not None and has_mask:
                    kwargs["mask"] = previous_mask
        if not has_mask and "mask" in kwargs and not var_kw:
            # As Python (and so Keras) answers a call() without a mask parameter.
            raise TypeError(f"{type(self).__name__}.call() got an unexpected keyword "
                            f"argument 'mask'")
        try:
            if not self.built:
                self._k_maybe_build(inputs)
                with context.name_scope(self._name):
                    outputs = self.call(inputs, *rest, **kwargs)
                if "_k_pending_restore" in self.__dict__:
                    # Weights were created by this first call: restore them, then recompute.
                    from tapeflow._src.keras.saving import apply_pending_restore
                    apply_pending_restore(self)
                    outputs = self.call(inputs, *rest, **kwargs)
            else:
                outputs = self.call(inputs, *rest, **kwargs)
        except Exception as e:
            wrapped = _with_call_info(self, e, (inputs,) + tuple(rest), kwargs)
            if wrapped is None:
                raise
            raise wrapped.with_traceback(e.__traceback__) from None
        finally:
            if pushed:
                _training_stack.pop()
        if self.activity_regularizer is not None:
            for o in _flatten(outputs):
                self.add_loss(self.activity_regularizer(o) /
                              cast(o.shape[0] or 1, o.dtype))
        if supports_masking and (previous_mask is not None or own_compute_mask):
            # (With no mask coming in, the default compute_mask has nothing to pass on.)
            outputs = _set_output_masks(self, inputs, outputs, previous_mask)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask for layers that support masking, None
        for the others (which refuse a mask given to them)."""
        if not self.supports_masking:
            if any(m is not None for m in _flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed "
                                f"an input_mask: {mask}")
            return None
        return mask

    # -- functional API --------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by running the layer on zeros (an
        unknown batch size stays unknown)."""
        spec = self._k_infer_outputs(input_shape, None)
        leaves = _shape_leaves(input_shape)
        open_batch = bool(leaves) and all(
            TensorShape(s).rank and TensorShape(s)[0] is None for s in leaves)

        def shape_of(t):
            shape = t.shape
            if open_batch and shape.rank:
                return TensorShape([None] + shape.as_list()[1:])
            return shape
        return _map(shape_of, spec)

    def _k_infer_outputs(self, input_shapes, dtypes_, rest=(), kwargs=None):
        """Output specs for inputs of these shapes, found by running the layer on zeros.

        Unknown (None) dims are run as 1; if any besides the batch dim is unknown, the layer
        runs again with those as 2, and output dims that change are unknown too (an
        Embedding of a (None, None) input gives (None, None, 8), as Keras infers)."""
        first = self._k_probe_outputs(input_shapes, dtypes_, rest, kwargs, 1)
        flat_in = [TensorShape(s).as_list() for s in _shape_leaves(input_shapes)]
        if not any(None in dims[1:] for dims in flat_in if dims):
            return first
        try:
            second = self._k_probe_outputs(input_shapes, dtypes_, rest, kwargs, 2)
        except Exception:  # the layer insists on its size: keep what one run says
            return first

        def merge(a, b):
            da, db = a.shape.as_list(), b.shape.as_list()
            if len(da) != len(db):
                return a
            return KerasTensor([x if x == y else None for x, y in zip(da, db)], a.dtype)
        fa, fb = _flatten(first), _flatten(second)
        if len(fa) != len(fb):
            return first
        merged = {id(a): merge(a, b) for a, b in zip(fa, fb)}
        return _map(lambda t: merged[id(t)], first)

    def _k_probe_outputs(self, input_shapes, dtypes_, rest, kwargs, unknown):
        from tapeflow._src.framework import context as ctx

        def zeros(shape, dtype):
            dims = TensorShape(shape).as_list()
            dims = [(1 if i == 0 else unknown) if d is None else d for i, d in enumerate(dims)]
            return _wrap(np.zeros(dims, dtypes.as_dtype(dtype or "float32").as_numpy_dtype))

        if dtypes_ is None:
            dtypes_ = _map(lambda s: self.dtype, input_shapes) if isinstance(
                input_shapes, (list, dict)) else self.dtype
        if isinstance(input_shapes, (list, tuple)) and input_shapes and \
                isinstance(input_shapes[0], (TensorShape, list, tuple)) and \
                not all(isinstance(d, (int, type(None))) for d in input_shapes):
            dummy = [zeros(s, d) for s, d in zip(input_shapes, dtypes_)]
        elif isinstance(input_shapes, dict):
            dummy = {k: zeros(s, dtypes_[k]) for k, s in input_shapes.items()}
        else:
            dummy = zeros(input_shapes, dtypes_)
        kwargs = dict(kwargs or {})
        if _call_info(type(self))[0]:
            kwargs.setdefault("training", False)
        saved = ctx.tapes[:]
        ctx.tapes.clear()
        saved_losses = list(self._k_losses)
        try:
            out = Layer.__call__(self, dummy, *rest, **kwargs)
        finally:
            ctx.tapes[:] = saved
            self._k_losses = saved_losses
        return _map(lambda t: KerasTensor(t.shape, t.dtype), out)

    def _k_symbolic_call(self, inputs, rest, kwargs):
        # Keras builds functional graphs (and a Sequential's graph inferred from its first
        # call) in a graph of their own, outside any enclosing name scope: a Sequential
        # first called inside a subclassed model names its weights 'dense/kernel:0', not
        # 'model/dense/kernel:0'.
        saved = context.name_scope_stack[:]
        del context.name_scope_stack[:]
        try:
            return self._k_symbolic_call_in_root_scope(inputs, rest, kwargs)
        finally:
            context.name_scope_stack[:] = saved

    def _k_symbolic_call_in_root_scope(self, inputs, rest, kwargs):
        in_shapes = _map(lambda t: t.shape if isinstance(t, KerasTensor) else TensorShape(
            np.shape(t)), inputs)
        in_dtypes = _map(lambda t: t.dtype if isinstance(t, KerasTensor) else "float32", inputs)
        if not self.built:
            if isinstance(in_shapes, list) and len(in_shapes) == 1 and \
                    not isinstance(inputs, list):
                in_shapes = in_shapes[0]
            with context.name_scope(self._name):
                self.build(in_shapes)
            if self._k_build_input_shape is None:
                self._k_build_input_shape = in_shapes
            self.built = True
        # Cast floating symbolic inputs to this layer's dtype as the eager call would.
        if self._autocast:
            in_dtypes = _map(lambda d: self.dtype if dtypes.as_dtype(d).is_floating else d,
                             in_dtypes)
        out_spec = self._k_infer_outputs(in_shapes, in_dtypes, rest, kwargs)
        batch = None
        first = _flatten(inputs)[0]
        if isinstance(first, KerasTensor) and first.shape.rank:
            batch = first.shape.as_list()[0]
        node = Node(self, (inputs,) + tuple(rest), dict(kwargs), None)

        def finish(spec):
            dims = spec.shape.as_list()
            if dims:
                dims[0] = batch
            return KerasTensor(dims, spec.dtype, history=(self, node))

        outputs = _map(finish, out_spec)
        node.outputs = outputs
        self._k_inbound_nodes.append(node)
        return outputs

    @property
    def input(self):
        if not self._k_inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        a = self._k_inbound_nodes[0].args[0]
        return a

    @property
    def output(self):
        if not self._k_inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._k_inbound_nodes[0].outputs

    @property
    def input_shape(self):
        return _map(lambda t: tuple(t.shape.as_list()), self.input)

    @property
    def output_shape(self):
        return _map(lambda t: tuple(t.shape.as_list()), self.output)

    # -- configuration ---------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if hasattr(self, "_batch_input_shape"):
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


class TFOpLambda(Layer):
    """A weightless layer applying a Python operator to symbolic tensors (Keras's TFOpLambda)."""

    def __init__(self, fn, op_name):
        super().__init__(name=context.unique_layer_name(op_name))
        self._k_fn = fn
        self.built = True

    def call(self, inputs):
        if isinstance(inputs, list):
            return self._k_fn(*inputs)
        return self._k_fn(inputs)

    def get_config(self):
        raise NotImplementedError("Operators applied to symbolic tensors (TFOpLambda layers) "
                                  "cannot be serialized in tapeflow; use layers instead.")


def _is_metric(x):
    from tapeflow._src.keras.metrics import Metric
    return isinstance(x, Metric)


class InputLayer(Layer):
    """The layer behind `tf.keras.Input`: holds the input's shape and dtype."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=None, name=None, ragged=None, type_spec=None, **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("Input shape must be defined.")
            batch_input_shape = (batch_size,) + tuple(input_shape)
        if name is None:
            name = context.unique_layer_name("input")
            if name == "input":  # Keras numbers inputs from 1: input_1, input_2, ...
                name = context.unique_layer_name("input")
        super().__init__(dtype=dtype, name=name)
        self._batch_input_shape = tuple(batch_input_shape)
        self.built = True
        self._k_output = KerasTensor(self._batch_input_shape, self.dtype, name=self.name,
                                     history=None)
        self._k_output._keras_history = (self, None)

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype,
                "sparse": False, "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,  # noqa: N802
          ragged=None, type_spec=None, batch_shape=None, **kwargs):
    """A symbolic input for the functional API: `x = tf.keras.Input(shape=(784,))`."""
    if batch_shape is None and "batch_input_shape" in kwargs:
        batch_shape = kwargs.pop("batch_input_shape")
    if shape is None and batch_shape is None:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `type_spec` "
                         "argument. Note that `shape` does not include the batch dimension.")
    if batch_shape is None:
        if isinstance(shape, int):
            shape = (shape,)
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, dtype=dtype, name=name)
    return layer._k_output

"""`tf.Variable`: mutable state that ops read through a recorded read, so tapes find it.

A Variable is not a Tensor, but converts to one wherever a tensor is expected. Its value is
an array that is replaced on assignment, so tensors read earlier keep the value they had: a
read shares the array instead of copying it. The one exception is `assign_add`/`assign_sub`
when nothing but the variable holds its array (no tensor read from it, no view of it, no
`np.asarray(v)` result is alive): then the update is written into that array, since nobody
can observe the difference, and a training step saves allocating a new weight array.
"""

from __future__ import annotations

import _thread
import enum
import sys

import numpy as np

from tapeflow._src.autodiff.record import record_variable_read
from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.tensor import Reference, Tensor, _wrap, numpy_text
from tapeflow._src.framework.tensor_shape import TensorShape, as_shape

_tapes = context.tapes
_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_refcount = sys.getrefcount
_ndarray = np.ndarray
_other_threads = _thread._count  # Python threads besides the main one


class _Holder:
    pass


def _held_count(holder):
    # Must read the array exactly as `Variable._update` does: the count it sees when the
    # holder's attribute is the only other reference (calibrated once, below).
    old = holder._value
    return _refcount(old)


def _calibrate():
    h = _Holder()
    h._value = np.zeros(1)
    return _held_count(h)


_SOLE = _calibrate()


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class Variable:
    """A mutable tensor-like value, e.g. a model weight.

    Args:
      initial_value: a value convertible to a Tensor, or a callable returning one.
      trainable: whether tapes watch it automatically and Keras trains it.
        Note: this is the second positional argument, so `tf.Variable([1, 2], tf.float32)`
        sets `trainable`, not the dtype.
      validate_shape: if False, the variable's shape is unknown and any shape may be
        assigned later.
      name: the name; the variable is called `name:0` inside any open name scopes.
      dtype: converts the initial value to this dtype.
      constraint: a function applied by optimizers after each update.
      shape: the variable's shape; `tf.TensorShape(None)` allows any shape.

    >>> v = tf.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if variable_def is not None:
            raise NotImplementedError("tf.Variable(variable_def=...) needs TF1 graphs, which "
                                      "tapeflow does not have.")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. "
                             f"Received: {constraint}")
        if callable(initial_value):
            initial_value = initial_value()
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        from tapeflow._src.framework.tensor import Tensor
        if isinstance(initial_value, (Tensor, Variable)) and dtype is not None:
            t = convert_to_tensor(initial_value)
            if t.dtype != dtype:
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {t.dtype.name}: {t!r}")
        else:
            t = convert_to_tensor(initial_value, dtype=dtype)
        value = np.asarray(t._value)
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError("Synchronization value can be set to "
                             "VariableSynchronization.ON_READ only for non-trainable variables.")
        if trainable is None:
            trainable = synchronization != VariableSynchronization.ON_READ
        if shape is not None:
            shape = as_shape(shape)
            if not shape.is_compatible_with(value.shape):
                raise ValueError(
                    f"In this `tf.Variable` creation, the initial value's shape "
                    f"({TensorShape(value.shape)}) is not compatible with the explicitly "
                    f"supplied `shape` argument ({shape}).")
        elif not validate_shape:
            shape = TensorShape(None)
        else:
            shape = TensorShape._from_tuple(value.shape)
        self._value = value
        self._shape = shape
        self._trainable = bool(trainable)
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        base = name if name is not None else "Variable"
        base = base[:-2] if base.endswith(":0") else base
        self._shared_name = context.current_name_scope() + base
        self._name = self._shared_name + ":0"
        self._initial_value = value
        if context.tracer is not None:
            context.tracer.created(self)

    # -- reading --------------------------------------------------------------------------
    def _read(self):
        """The current value as a Tensor; recorded on tapes watching this variable."""
        t = _wrap(self._value)
        if _tapes:
            record_variable_read(self, t)
        return t

    def value(self):
        return self._read()

    def read_value(self):
        return self._read()

    def numpy(self):
        v = self._value
        if v.ndim == 0:
            return v[()]
        return v.copy()

    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    # -- metadata -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return dtypes.from_numpy(self._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def ndim(self):
        return self._shape.rank

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def initial_value(self):
        return _wrap(self._initial_value)

    @property
    def device(self) -> str:
        return _DEVICE

    @property
    def handle(self):
        return self

    @property
    def _unique_id(self):
        return id(self)

    def ref(self):
        return Reference(self)

    def experimental_ref(self):
        return self.ref()

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __index__(self):
        return self._read().__index__()

    def __len__(self):
        return self._read().__len__()

    def __iter__(self):
        return iter(self._read())

    def __format__(self, spec):
        return format(self._read(), spec) if spec else repr(self)

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._value, True)}>")

    def __deepcopy__(self, memo):
        v = Variable(np.array(self._value), trainable=self._trainable,
                     name=self._shared_name, constraint=self._constraint,
                     shape=self._shape)
        memo[id(self)] = v
        return v

    # -- writing --------------------------------------------------------------------------
    def _converted(self, value, op):
        """`value` as an array of this variable's dtype and a compatible shape, or raise."""
        if type(value) is Tensor:
            arr = value._value
            cur = self._value
            if arr.dtype == cur.dtype and arr.shape == cur.shape:
                return arr  # the optimizer's case: nothing to convert or check
        t = convert_to_tensor(value, dtype=self.dtype)
        arr = np.asarray(t._value)
        if not self._shape.is_compatible_with(arr.shape):
            raise ValueError(
                f"Cannot assign value to variable ' {self.name}': Shape mismatch.The variable "
                f"shape {self._shape}, and the assigned value shape {TensorShape(arr.shape)} "
                f"are incompatible.")
        return arr

    def _set(self, arr, read_value):
        self._value = arr
        if read_value:
            return _UnreadVariable(self)
        return None

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Replaces the value; checks dtype and shape first, so a failure changes nothing."""
        if _tapes and context.tracer is not None:
            context.tracer.assign(self, "assign", value)
        return self._set(self._converted(value, "AssignVariableOp"), read_value)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        arr = self._converted(delta, "AssignAddVariableOp")
        if arr.shape != self._value.shape and self._shape.is_fully_defined():
            arr = np.broadcast_to(arr, self._value.shape)
        if _tapes and context.tracer is not None:
            context.tracer.assign(self, "assign_add", delta)
        return self._update(np.add, arr, read_value)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        arr = self._converted(delta, "AssignSubVariableOp")
        if arr.shape != self._value.shape and self._shape.is_fully_defined():
            arr = np.broadcast_to(arr, self._value.shape)
        if _tapes and context.tracer is not None:
            context.tracer.assign(self, "assign_sub", delta)
        return self._update(np.subtract, arr, read_value)

    def _update(self, ufunc, arr, read_value):
        """Sets the value to `ufunc(value, arr)`, in place when nothing else holds it.

        In place needs: an array owning its memory (not a view whose base others may hold),
        writeable, of the result's shape, and no reference but this variable's (the count
        includes every tensor read from it, every view, since a view keeps its base alive,
        and every `np.asarray(v)` result). The values are the same either way. With other
        Python threads running it never writes in place: NumPy releases the GIL inside
        large loops, and a concurrent read must see the old or the new value, never a mix.
        """
        old = self._value
        if (_refcount(old) == _SOLE and type(old) is _ndarray and old.base is None
                and old.shape == arr.shape and old.flags.writeable
                and old is not arr and not _other_threads()):
            ufunc(old, arr, out=old)
            return self._set(old, read_value)
        return self._set(ufunc(old, arr, dtype=old.dtype), read_value)

    def _assign_array(self, arr):
        """Internal fast assignment of an already-checked array (optimizers)."""
        self._value = arr

    def scatter_nd_update(self, indices, updates, name=None):
        from tapeflow._src.ops import array_ops
        return self.assign(array_ops.tensor_scatter_nd_update(self._read(), indices, updates))

    def scatter_nd_add(self, indices, updates, name=None):
        from tapeflow._src.ops import array_ops
        return self.assign(array_ops.tensor_scatter_nd_add(self._read(), indices, updates))

    def set_shape(self, shape):
        self._shape = as_shape(shape)


# TF's eager variables are ResourceVariables: `type(v).__name__` prints that, as in TF's
# guides. The module keeps the name for pickling.
ResourceVariable = Variable
Variable.__name__ = Variable.__qualname__ = "ResourceVariable"


class _UnreadVariable(Variable):
    """What `assign*` returns: a view of the variable that prints as 'UnreadVariable'."""

    def __init__(self, parent):  # noqa: super().__init__ is deliberately not called
        self._parent = parent

    @property
    def _value(self):
        return self._parent._value

    @_value.setter
    def _value(self, arr):
        self._parent._value = arr

    def __getattr__(self, attr):
        if attr == "_parent":
            raise AttributeError(attr)
        return getattr(self._parent, attr)

    def _read(self):
        return self._parent._read()

    @property
    def name(self):
        return "UnreadVariable"

    @property
    def _shape(self):
        return self._parent._shape

    @property
    def _trainable(self):
        return self._parent._trainable

    @property
    def _unique_id(self):
        return id(self._parent)

    def _set(self, arr, read_value):
        return self._parent._set(arr, read_value)

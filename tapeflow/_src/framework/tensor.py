"""`tf.Tensor`: an immutable NumPy array with a TensorFlow dtype, and its printing.

Operators (`+`, `@`, `[]`, ...) are attached by `tapeflow._src.ops.operators` once the op
library exists; this module only knows about storage, conversion to Python/NumPy and text.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.tensor_shape import TensorShape

_from_numpy = dtypes._BY_NP.__getitem__
_new = object.__new__
_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class Tensor:
    """An immutable multidimensional array with a `tf.DType`.

    Tensors come from ops (`tf.constant`, `tf.add`, ...); they cannot be changed in place.
    Use `.numpy()` for a NumPy copy, and `.ref()` to use one as a dict key.

    >>> t = tf.constant([[1, 2], [3, 4]])
    >>> t.shape, t.dtype
    (TensorShape([2, 2]), tf.int32)
    """

    # _keras_mask: set by Keras layers that compute a mask (unset otherwise, as in TF).
    # assign: set on a slice of a Variable (`v[1:3].assign(...)` writes into v), as TF's
    # sliced variable reads carry it; unset on other tensors.
    __slots__ = ("_value", "_keras_mask", "assign", "__weakref__")

    # NumPy defers to our reflected operators: `ndarray + Tensor` gives a Tensor.
    __array_priority__ = 100

    def __init__(self, *args, **kwargs):
        raise TypeError(
            "tf.Tensor cannot be constructed directly in eager mode; use tf.constant(value) "
            "or tf.convert_to_tensor(value).")

    # -- metadata -------------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return _from_numpy(self._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return TensorShape._from_tuple(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {TensorShape(shape)}.")

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return _DEVICE

    @property
    def backing_device(self) -> str:
        return _DEVICE

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def _shape_tuple(self):
        return self._value.shape

    def _rank(self):
        return self._value.ndim

    # -- NumPy and Python conversion ------------------------------------------------------
    def numpy(self):
        """A NumPy copy of the value (a NumPy scalar, or bytes, for rank 0)."""
        v = self._value
        if v.ndim == 0:
            return v[()]
        return v.copy()

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        if copy:
            return v.copy()
        return v

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        v = self._value
        if v.dtype.kind not in "iub" or v.ndim != 0:
            raise TypeError("Only integer scalar tensors can be used as an index; got a "
                            f"{_from_numpy(v.dtype).name} tensor of shape {self.shape}.")
        return int(v)

    def __len__(self):
        v = self._value
        if v.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return v.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:  # raised by iter() itself, as in TF, not by next()
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._value.shape[0]))

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return _wrap(np.array(self._value, copy=True))

    def __reduce__(self):
        from tapeflow._src.framework.convert import constant
        return constant, (np.asarray(self._value),)

    def ref(self):
        """A hashable reference to this tensor, for use as a dict key or set element."""
        return Reference(self)

    def experimental_ref(self):
        return self.ref()

    def __format__(self, format_spec):
        if self._value.ndim == 0:
            return format(self._value[()] if isinstance(self._value, np.ndarray)
                          else self._value, format_spec)
        return format(self.numpy(), format_spec)  # as TF: the NumPy value's format

    # -- text -----------------------------------------------------------------------------
    def __str__(self):
        return (f"tf.Tensor({numpy_text(self._value, False)}, shape={self.shape}, "
                f"dtype={self.dtype.name})")

    def __repr__(self):
        return (f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._value, True)}>")



# What TF calls the class of an eager tensor: `type(t).__name__` prints "EagerTensor", as
# TF's guides show (and "'EagerTensor' object has no attribute 'assign'"; TF's C type
# adds its module path there). `tf.Tensor` is this class (isinstance and the fast
# `type(x) is Tensor` checks are unchanged); the module keeps the name for pickling.
EagerTensor = Tensor
Tensor.__name__ = Tensor.__qualname__ = "EagerTensor"


def _wrap(value) -> Tensor:
    """Wraps a NumPy array or scalar as a Tensor without copying (the hot-path constructor)."""
    t = _new(Tensor)
    t._value = value
    return t


def numpy_text(value, is_repr: bool) -> str:
    """The value as TensorFlow prints it inside a Tensor's or Variable's str/repr."""
    if value.ndim == 0:
        item = value[()] if isinstance(value, np.ndarray) else value
        if is_repr:
            # TensorFlow shows rank-0 values as their Python item (1.0, (4+3j), b'x').
            text = repr(item.item() if isinstance(item, np.generic) else item)
        else:
            text = str(item)
    else:
        text = repr(value) if is_repr else str(value)
    if "\n" in text:
        text = "\n" + text
    return text


class Reference:
    """A hashable wrapper around a Tensor or Variable, compared by identity (`x.ref()`)."""

    __slots__ = ("_wrapped",)

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def deref(self):
        return self._wrapped

    def __hash__(self):
        return id(self._wrapped)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._wrapped is self._wrapped

    def __repr__(self):
        return f"<Reference wrapping {self._wrapped!r}>"


def is_tensor(x) -> bool:
    """True for tapeflow Tensors and Variables (what TensorFlow calls tensor-like)."""
    from tapeflow._src.framework.variables import Variable
    return isinstance(x, (Tensor, Variable))

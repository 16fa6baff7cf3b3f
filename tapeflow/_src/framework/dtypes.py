"""`tf.DType`: TensorFlow's dtype objects, backed by NumPy dtypes."""

from __future__ import annotations

import builtins

import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    """A TensorFlow element type (e.g. `tf.float32`), wrapping a NumPy dtype.

    >>> tf.float32.name, tf.float32.is_floating
    ('float32', True)
    """

    __slots__ = ("_name", "_np", "_enum")

    def __init__(self, name: str, np_dtype, enum: int):
        self._name = name
        self._np = np.dtype(np_dtype)
        self._enum = enum

    # -- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_numpy_dtype(self):
        """The NumPy scalar type (`np.float32`, ...); `object` for strings."""
        return self._np.type

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        if self is complex64:
            return float32
        if self is complex128:
            return float64
        return self

    # -- classification -------------------------------------------------------------------
    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_signed(self) -> bool:
        return self._np.kind in "if" or self.is_complex

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_bool(self) -> bool:
        return self is bool_

    @property
    def is_numeric(self) -> bool:
        return self._np.kind in "iufc"

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def size(self) -> int:
        if self is string:
            return 0  # TensorFlow reports 0: strings have no fixed width
        return self._np.itemsize

    @property
    def min(self):
        """Smallest representable value (raises TypeError for bool, string and complex)."""
        if self.is_floating:
            return builtins.float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        """Largest representable value (raises TypeError for bool, string and complex)."""
        if self.is_floating:
            return builtins.float(np.finfo(self._np).max)
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    @property
    def limits(self):
        return (self.min, self.max)

    def is_compatible_with(self, other) -> bool:
        return self is as_dtype(other)

    # -- protocol -------------------------------------------------------------------------
    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


# Enum values follow TensorFlow's DataType proto so `as_datatype_enum` means the same thing.
float16 = DType("float16", np.float16, 19)
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool_ = DType("bool", np.bool_, 10)
string = DType("string", object, 7)
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)

half = float16
float = float32  # noqa: A001 - TensorFlow exports these aliases
double = float64

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       bool_, string, complex64, complex128)

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_ENUM = {d.as_datatype_enum: d for d in ALL}
# NumPy dtype -> DType. Object arrays hold bytes: they are TensorFlow strings.
_BY_NP = {d._np: d for d in ALL}
_BY_NP_TYPE = {d._np.type: d for d in ALL}
_BY_PY = {int: int32, builtins.float: float32, bool: bool_, complex: complex128, str: string,
          bytes: string}

FLOATING = frozenset({float16, float32, float64})
COMPLEX = frozenset({complex64, complex128})
INEXACT = FLOATING | COMPLEX
INTEGER = frozenset({int8, int16, int32, int64, uint8, uint16, uint32, uint64})
NUMERIC = INEXACT | INTEGER


def from_numpy(np_dtype) -> DType:
    """Fast map from an array's NumPy dtype to its DType (hot path: a dict lookup)."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    kind = np.dtype(np_dtype).kind
    if kind in "USO":
        return string
    raise TypeError(f"Unsupported NumPy dtype for a tapeflow Tensor: {np_dtype!r}")


def as_dtype(type_value) -> DType:
    """Converts a DType, NumPy dtype or type, Python type or name to a `tf.DType`.

    Raises:
      TypeError: if `type_value` names no supported dtype.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            if type_value == "bfloat16":
                raise TypeError(_BFLOAT16_MESSAGE) from None
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    if isinstance(type_value, int) and not isinstance(type_value, bool):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    if type_value in _BY_PY:
        return _BY_PY[type_value]
    try:
        if type_value in _BY_NP_TYPE:
            return _BY_NP_TYPE[type_value]
    except TypeError:
        pass
    dtype_attr = getattr(type_value, "dtype", None)
    if isinstance(dtype_attr, DType):
        return dtype_attr
    try:
        npd = np.dtype(type_value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd in _BY_NP:
            return _BY_NP[npd]
        if npd.kind in "USO":
            return string
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")


# TensorFlow's own names for dtypes, as its kernel error messages print them.
_TF_NAMES = {float16: "half", float32: "float", float64: "double"}


def tf_name(dtype: DType) -> str:
    """The dtype as TensorFlow's C++ runtime spells it in errors ('float', 'double', ...)."""
    return _TF_NAMES.get(dtype, dtype.name)


_BFLOAT16_MESSAGE = (
    "bfloat16 is not supported by tapeflow yet: NumPy has no bfloat16 type, and the ml_dtypes "
    "package that supplies one is not wired in (its arrays have NumPy kind 'V', which the op "
    "library does not treat as floating). Use float16 or float32.")

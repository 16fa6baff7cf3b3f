"""`tf.strings`: element-wise ops on string tensors.

tapeflow stores a string tensor as a NumPy object array of `bytes` (see convert.py), so
these kernels map Python `bytes` functions over the elements. None of them is
differentiable. Ops whose TensorFlow result is a RaggedTensor (`split` of a non-scalar)
are not implemented, since tapeflow has no RaggedTensor.
"""

from __future__ import annotations

import re

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import dtype_mismatch, normalize_axes, to_tensor
from tapeflow._src.ops.registry import primitive

D = dtypes
_STRING = {D.string}


def _map(fn, x, out_dtype=object):
    """`fn` applied to every element of the object array `x`, keeping its shape."""
    out = np.empty(x.shape, dtype=out_dtype)
    flat_out = out.reshape(-1)
    for i, s in enumerate(x.reshape(-1)):
        flat_out[i] = fn(s)
    return out


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _string_input(x, op):
    """`x` as a string tensor; a tensor of another dtype is TensorFlow's dtype error."""
    if isinstance(x, Tensor) or hasattr(x, "_read"):
        t = to_tensor(x)
        if t.dtype != D.string:
            raise dtype_mismatch(op, D.string, t.dtype, index=0)
        return t
    return to_tensor(x, dtype=D.string)


def _attr_list_error(op, attr, value, allowed):
    names = ", ".join(f'"{a}"' for a in allowed)
    return InvalidArgumentError(None, None, (
        f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed values: "
        f"{names}\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}] name: "))


def _string_shape_rule(*shapes, **attrs):
    return next((s for s in shapes if len(s)), ())


# ---------------------------------------------------------------------------------------
# join, reduce_join
# ---------------------------------------------------------------------------------------

@primitive("StringJoin", shape=_string_shape_rule, dtype=lambda *a, **k: D.string,
           differentiable=False)
def _string_join(*xs, separator):
    shape = None
    for x in xs:
        if x.ndim:
            if shape is not None and x.shape != shape:
                raise ValueError(f"Input shapes do not match: {_dims(shape)} vs. "
                                 f"{_dims(x.shape)}")
            shape = x.shape
    shape = shape or ()
    parts = [np.broadcast_to(x, shape).reshape(-1) for x in xs]
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        flat[i] = separator.join(p[i] for p in parts)
    return out


def join(inputs, separator="", name=None):
    """Concatenates string tensors element-wise, with `separator` between them.

    All non-scalar inputs must have the same shape; scalars are repeated.

    >>> tf.strings.join(["a", "b"], separator="-").numpy()
    b'a-b'
    """
    xs = [_string_input(x, "StringJoin") for x in inputs]
    return _string_join(*xs, separator=_to_bytes(separator))


@primitive("ReduceJoin", dtype=lambda *a, **k: D.string, differentiable=False)
def _reduce_join(x, *, axis, keepdims, separator):
    axes = tuple(range(x.ndim)) if axis is None else axis
    if not axes:
        return x.copy()
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, kept + list(axes))
    lead = moved.shape[:len(kept)]
    rows = moved.reshape(lead + (-1,))
    out = np.empty(lead, dtype=object)
    flat_out = out.reshape(-1)
    for i, row in enumerate(rows.reshape(-1, rows.shape[-1])):
        flat_out[i] = separator.join(row)
    if keepdims:
        out = out.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins the strings along `axis` (all axes when None) with `separator`.

    >>> tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1).numpy().tolist()
    [b'ab', b'cd']
    """
    x = _string_input(inputs, "ReduceJoin")
    axes = normalize_axes(axis, x._value.ndim, "ReduceJoin")
    return _reduce_join(x, axis=axes, keepdims=bool(keepdims), separator=_to_bytes(separator))


def _to_bytes(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


# ---------------------------------------------------------------------------------------
# length, upper, lower, strip
# ---------------------------------------------------------------------------------------

def _utf8_len(b):
    # Counts the bytes that start a character (not 10xxxxxx continuation bytes), as TF does.
    return sum(1 for c in b if c & 0xC0 != 0x80)


@primitive("StringLength", shape=rules.same_shape, dtype=lambda *a, **k: D.int32,
           allowed=_STRING, differentiable=False)
def _string_length(x, *, unit):
    fn = len if unit == "BYTE" else _utf8_len
    return _map(fn, x, np.int32)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """The length of each string in bytes (`unit="BYTE"`) or UTF-8 characters ("UTF8_CHAR").

    >>> tf.strings.length(["héllo"], unit="UTF8_CHAR").numpy()
    array([5], dtype=int32)
    """
    x = _string_input(input, "StringLength")
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise _attr_list_error("StringLength", "unit", unit, ("BYTE", "UTF8_CHAR"))
    return _string_length(x, unit=unit)


def _check_encoding(encoding, op):
    if encoding not in ("", "utf-8"):
        raise _attr_list_error(op, "encoding", encoding, ("", "utf-8"))


def _case(fn_ascii, fn_unicode):
    def forward(x, *, encoding):
        if encoding == "utf-8":
            return _map(lambda b: fn_unicode(b.decode("utf-8", "surrogateescape"))
                        .encode("utf-8", "surrogateescape"), x)
        return _map(fn_ascii, x)
    return forward


_upper = primitive("StringUpper", shape=rules.same_shape, dtype=rules.same_as_input,
                   allowed=_STRING, differentiable=False)(_case(bytes.upper, str.upper))
_lower = primitive("StringLower", shape=rules.same_shape, dtype=rules.same_as_input,
                   allowed=_STRING, differentiable=False)(_case(bytes.lower, str.lower))


def upper(input, encoding="", name=None):  # noqa: A002
    """Upper-cases each string: ASCII letters only, or all of Unicode with `encoding="utf-8"`.

    >>> tf.strings.upper("abc").numpy()
    b'ABC'
    """
    _check_encoding(encoding, "StringUpper")
    return _upper(_string_input(input, "StringUpper"), encoding=encoding)


def lower(input, encoding="", name=None):  # noqa: A002
    """Lower-cases each string: ASCII letters only, or all of Unicode with `encoding="utf-8"`.

    >>> tf.strings.lower("ABC").numpy()
    b'abc'
    """
    _check_encoding(encoding, "StringLower")
    return _lower(_string_input(input, "StringLower"), encoding=encoding)


@primitive("StringStrip", shape=rules.same_shape, dtype=rules.same_as_input, allowed=_STRING,
           differentiable=False)
def _strip(x):
    return _map(bytes.strip, x)


def strip(input, name=None):  # noqa: A002
    """Removes leading and trailing ASCII whitespace from each string.

    >>> tf.strings.strip("  a ").numpy()
    b'a'
    """
    return _strip(_string_input(input, "StringStrip"))


# ---------------------------------------------------------------------------------------
# as_string, to_number
# ---------------------------------------------------------------------------------------

def _as_string_format(kind, precision, scientific, shortest, width, fill):
    spec = "%" + fill + (str(width) if width > -1 else "")
    if kind in "iu":
        return spec + "d"
    if precision > -1:
        spec += f".{precision}"
    return spec + ("g" if shortest else "e" if scientific else "f")


@primitive("AsString", shape=rules.same_shape, dtype=lambda *a, **k: D.string,
           differentiable=False)
def _as_string(x, *, precision, scientific, shortest, width, fill):
    kind = x.dtype.kind
    if kind == "b":
        return _map(lambda v: b"true" if v else b"false", x)
    fmt = _as_string_format(kind, precision, scientific, shortest, width, fill)
    if kind == "c":
        return _map(lambda v: ("(" + fmt % v.real + "," + fmt % v.imag + ")").encode(), x)
    if kind in "iu":
        return _map(lambda v: (fmt % int(v)).encode(), x)
    return _map(lambda v: (fmt % float(v)).encode(), x)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Formats each number as a string, printf style (floats default to `%f`).

    Args:
      input: A numeric or bool tensor (a string tensor is returned unchanged).
      precision: Digits after the decimal point for floats (-1: printf's default, 6).
      scientific: Use exponent notation (`%e`) for floats.
      shortest: Use the shorter of fixed and exponent notation (`%g`).
      width: Minimum width (-1: none), padded with `fill`.
      fill: A one-character pad: '' or ' ' for spaces, '0' for zeros.
      name: Unused; kept for API compatibility.

    >>> tf.strings.as_string([1.5, 2.0], precision=1).numpy().tolist()
    [b'1.5', b'2.0']
    """
    x = to_tensor(input)
    if x.dtype == D.string:
        return x
    if scientific and shortest:
        raise InvalidArgumentError(None, None, "Cannot select both scientific and shortest "
                                   "notation [Op:AsString] name: ")
    if len(fill) > 1:
        raise InvalidArgumentError(None, None, f"Fill string must be one or fewer characters "
                                   f"[Op:AsString] name: ")
    return _as_string(x, precision=int(precision), scientific=bool(scientific),
                      shortest=bool(shortest), width=int(width), fill=fill)


_INT_TEXT = re.compile(rb"^\s*[+-]?\d+\s*$")
_FLOAT_TEXT = re.compile(rb"^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)\s*$",
                         re.IGNORECASE)
_TO_NUMBER_TYPES = (D.float32, D.float64, D.int32, D.int64, D.uint32, D.uint64)


def _to_number_error(s):
    text = s.decode("utf-8", "backslashreplace")
    # TensorFlow's message for this op ends without the usual ' name: '.
    return InvalidArgumentError(None, None, f"StringToNumberOp could not correctly convert "
                                f"string: {text} [Op:StringToNumber]")


@primitive("StringToNumber", shape=rules.same_shape, allowed=_STRING, differentiable=False)
def _string_to_number(x, *, out_type):
    out_np = np.dtype(out_type)
    if out_np.kind in "iu":
        info = np.iinfo(out_np)

        def parse(s):
            if not _INT_TEXT.match(s):
                raise _to_number_error(s)
            v = int(s)
            if not info.min <= v <= info.max:
                raise _to_number_error(s)
            return v
    else:
        def parse(s):
            if not _FLOAT_TEXT.match(s):
                raise _to_number_error(s)
            return float(s)
    return _map(parse, x, object).astype(out_np) if x.size else np.zeros(x.shape, out_np)


def to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Parses each string as a number of `out_type` (float32 by default).

    Raises:
      InvalidArgumentError: for a string that is not a number of that type.

    >>> tf.strings.to_number(["1.5", "2"]).numpy()
    array([1.5, 2. ], dtype=float32)
    """
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _TO_NUMBER_TYPES:
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'out_type' of {dtypes.tf_name(out_type)} is not in the list of "
            f"allowed values: float, double, int32, int64, uint32, uint64\n\t; NodeDef: "
            f"{{{{node StringToNumber}}}} [Op:StringToNumber] name: "))
    x = _string_input(string_tensor, "StringToNumber")
    return _string_to_number(x, out_type=out_type._np)


# ---------------------------------------------------------------------------------------
# split (scalars only: TensorFlow returns a RaggedTensor otherwise), regex_replace
# ---------------------------------------------------------------------------------------

@primitive("StringSplitV2", dtype=lambda *a, **k: D.string, differentiable=False)
def _split_scalar(x, *, sep, maxsplit):
    s = x[()]
    if sep is None:
        parts = s.split(None, maxsplit) if maxsplit >= 0 else s.split()
    else:
        parts = s.split(sep, maxsplit)
    out = np.empty(len(parts), dtype=object)
    out[:] = parts
    return out


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits a scalar string on `sep` (runs of whitespace when None) into a 1-D tensor.

    Splitting a non-scalar gives a RaggedTensor in TensorFlow, which tapeflow does not have.

    >>> tf.strings.split("a b  c").numpy().tolist()
    [b'a', b'b', b'c']
    """
    x = _string_input(input, "StringSplitV2")
    if x._value.ndim != 0:
        raise NotImplementedError("tf.strings.split of a non-scalar returns a RaggedTensor, "
                                  "which tapeflow does not implement; split a scalar.")
    sep = None if sep is None or sep == "" else _to_bytes(sep)
    return _split_scalar(x, sep=sep, maxsplit=int(maxsplit))


@primitive("StaticRegexReplace", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=_STRING, differentiable=False)
def _regex_replace(x, *, pattern, rewrite, replace_global):
    regex = re.compile(pattern, re.ASCII)
    count = 0 if replace_global else 1

    def fn(b):
        text = b.decode("utf-8", "surrogateescape")
        return regex.sub(rewrite, text, count=count).encode("utf-8", "surrogateescape")
    return _map(fn, x)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces matches of the regular expression `pattern` with `rewrite` (`\\1` refers
    to groups). Python's `re` stands in for RE2; `\\w`, `\\d`, `\\s` are ASCII as in RE2.

    >>> tf.strings.regex_replace("a-b", "-", " ").numpy()
    b'a b'
    """
    pattern = pattern.decode() if isinstance(pattern, bytes) else str(pattern)
    rewrite = rewrite.decode() if isinstance(rewrite, bytes) else str(rewrite)
    try:
        re.compile(pattern, re.ASCII)
    except re.error as e:
        raise InvalidArgumentError(None, None, f"Invalid pattern: {pattern}, error: {e} "
                                   "[Op:StaticRegexReplace] name: ") from None
    return _regex_replace(_string_input(input, "StaticRegexReplace"), pattern=pattern,
                          rewrite=rewrite, replace_global=bool(replace_global))

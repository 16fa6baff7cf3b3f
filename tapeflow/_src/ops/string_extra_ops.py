"""More `tf.strings` ops (substr, format, regex_full_match, unsorted_segment_join, ngrams)
and the small `tf.io` string ops (decode_raw, base64, serialize_tensor / parse_tensor).

String tensors are NumPy object arrays of `bytes` (see string_ops.py). None of these ops is
differentiable. The hash-bucket ops are in string_hash_ops.py, the Unicode ops in
unicode_ops.py.
"""

from __future__ import annotations

import binascii
import re

import numpy as np

from tapeflow._src.framework import dtypes
from tapeflow._src.framework.errors import (InvalidArgumentError, OutOfRangeError,
                                            UnimplementedError)
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import dtype_mismatch, to_tensor
from tapeflow._src.ops.registry import primitive
from tapeflow._src.ops.string_ops import (_attr_list_error, _dims, _map, _string_input,
                                          _to_bytes)

D = dtypes
_STRING = {D.string}
_INT_INDEX = (D.int32, D.int64)
_M64 = 0xFFFFFFFFFFFFFFFF


def _error(text, cls=InvalidArgumentError):
    return cls(None, None, text)


def _attr_dtype_error(op, attr, dtype, allowed):
    return _error(f"Value for attr '{attr}' of {dtypes.tf_name(dtype)} is not in the list of "
                  f"allowed values: {allowed}\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}] name: ")


def _int32_input(x, op):
    """`x` as an int32 tensor; another dtype is TensorFlow's 'expected int32' error."""
    t = to_tensor(x)
    if t.dtype != D.int32:
        raise dtype_mismatch(op, D.int32, t.dtype, index=0)
    return t


# ---------------------------------------------------------------------------------------
# substr
# ---------------------------------------------------------------------------------------

def _char_starts(s):
    """Byte offsets where the UTF-8 characters of `s` start (a leading trail byte counts)."""
    return [0] + [i for i in range(1, len(s)) if s[i] & 0xC0 != 0x80] if s else []


def _substr_one(s, pos, length, utf8):
    """The substring, or None when `pos` is out of range."""
    if not utf8:
        n = len(s)
        p = pos + n if pos < 0 else pos
        if p < 0 or p > n:
            return None
        return s[p:] if length < 0 else s[p:p + length]
    starts = _char_starts(s)
    n = len(starts)
    p = pos + n if pos < 0 else pos
    # TF's UTF-8 kernel rejects a negative position together with a negative length.
    if p < 0 or p > n or (pos < 0 and length < 0):
        return None
    # A negative length is an empty result in characters (TF's UTF-8 kernel clamps it).
    e = p + max(length, 0)
    b0 = starts[p] if p < n else len(s)
    b1 = starts[e] if e < n else len(s)
    return s[b0:b1]


def _substr_range_error(s, pos, index, utf8):
    text = "" if utf8 else "b'" + s.decode("utf-8", "backslashreplace") + "' "
    return _error(f"pos {pos} out of range for string {text}at index {index} [Op:Substr]")


@primitive("Substr", dtype=lambda *a, **k: D.string, differentiable=False)
def _substr(x, pos, length, *, unit):
    if pos.shape != length.shape:
        raise _error(f"pos and len should have the same shape, got: {_dims(pos.shape)} vs. "
                     f"{_dims(length.shape)} [Op:Substr]")
    utf8 = unit == "UTF8_CHAR"
    if pos.ndim == 0 or pos.shape == x.shape:
        shape = x.shape
        xs = x.reshape(-1)
        ps = np.broadcast_to(pos, shape).reshape(-1)
        ls = np.broadcast_to(length, shape).reshape(-1)

        def index(i):
            return i
    else:
        try:
            shape = np.broadcast_shapes(x.shape, pos.shape)
        except ValueError:
            raise _error(f"Incompatible shapes: {_dims(x.shape)} vs. {_dims(pos.shape)} "
                         "[Op:Substr]") from None
        if len(shape) > 2:
            raise _error(f"Substr broadcast not implemented for {len(shape)} dimensions "
                         "[Op:Substr]", UnimplementedError)
        xs = np.broadcast_to(x, shape).reshape(-1)
        ps = np.broadcast_to(pos, shape).reshape(-1)
        ls = np.broadcast_to(length, shape).reshape(-1)
        cols = shape[-1] if len(shape) == 2 else 0

        def index(i):
            if not cols:
                return i
            # TF names a 2-D position as '(i, j)', or just the row in UTF-8 mode.
            return i // cols if utf8 else f"({i // cols}, {i % cols})"
    out = np.empty(len(xs), dtype=object)
    for i in range(len(xs)):
        r = _substr_one(xs[i], int(ps[i]), int(ls[i]), utf8)
        if r is None:
            raise _substr_range_error(xs[i], int(ps[i]), index(i), utf8)
        out[i] = r
    return out.reshape(shape)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """The substring of each string starting at `pos` with length `len`.

    `pos` may be negative (counted from the end); `len` may run past the end. `pos` and
    `len` have one shape, which must equal or broadcast against the input's. `unit` counts
    bytes ("BYTE") or UTF-8 characters ("UTF8_CHAR").

    Raises:
      InvalidArgumentError: a `pos` outside the string, or shapes that do not fit.

    >>> tf.strings.substr("hello", 1, 3).numpy()
    b'ell'
    """
    x = _string_input(input, "Substr")
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise _attr_list_error("Substr", "unit", unit, ("BYTE", "UTF8_CHAR"))
    p = to_tensor(pos)
    if p.dtype not in _INT_INDEX:
        raise _attr_dtype_error("Substr", "T", p.dtype, "int32, int64")
    ln = to_tensor(len) if isinstance(len, Tensor) else to_tensor(len, dtype=p.dtype)
    if ln.dtype != p.dtype:
        raise _error(str(dtype_mismatch("Substr", p.dtype, ln.dtype, index=2))[:-7])
    return _substr(x, p, ln, unit=unit)


# ---------------------------------------------------------------------------------------
# regex_full_match
# ---------------------------------------------------------------------------------------

@primitive("StaticRegexFullMatch", shape=rules.same_shape, dtype=lambda *a, **k: D.bool_,
           allowed=_STRING, differentiable=False)
def _regex_full_match(x, *, pattern):
    regex = re.compile(pattern, re.ASCII)
    return _map(lambda b: regex.fullmatch(b.decode("utf-8", "surrogateescape")) is not None,
                x, np.bool_)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Whether each whole string matches the regular expression `pattern` (RE2 syntax;
    Python's `re` stands in for RE2, with ASCII `\\w`, `\\d`, `\\s` as in RE2).

    >>> tf.strings.regex_full_match(["abc", "ab1"], "[a-z]+").numpy()
    array([ True, False])
    """
    if isinstance(pattern, Tensor):
        pattern = pattern.numpy()
    pattern = pattern.decode() if isinstance(pattern, bytes) else str(pattern)
    try:
        re.compile(pattern, re.ASCII)
    except re.error as e:
        raise _error(f"Invalid pattern: {pattern}, error: {e} "
                     "[Op:StaticRegexFullMatch]") from None
    return _regex_full_match(_string_input(input, "StaticRegexFullMatch"), pattern=pattern)


# ---------------------------------------------------------------------------------------
# unsorted_segment_join
# ---------------------------------------------------------------------------------------

@primitive("UnsortedSegmentJoin", dtype=lambda *a, **k: D.string, differentiable=False)
def _unsorted_segment_join(x, ids, num, *, separator):
    num = int(num)
    if num < 0:
        raise _error(f"Number of segments must be non-negative but got {num} "
                     "[Op:UnsortedSegmentJoin]")
    if ids.ndim == 0:
        raise _error("Segment_id cannot have rank 0 [Op:UnsortedSegmentJoin]")
    if ids.ndim > x.ndim:
        raise _error(f"Invalid segment_id rank {ids.ndim} for input with {x.ndim} "
                     "dimension(s) [Op:UnsortedSegmentJoin]", OutOfRangeError)
    for i, d in enumerate(ids.shape):
        if d != x.shape[i]:
            raise _error(f"Segment dimension is {d} while input dimension is {x.ndim} in "
                         f"rank {i} [Op:UnsortedSegmentJoin]")
    flat_ids = ids.reshape(-1)
    if flat_ids.size and (flat_ids.min() < 0 or flat_ids.max() >= num):
        raise _error("segment_ids are not allowed to exceed num_segments or to have negative "
                     "values. [Op:UnsortedSegmentJoin]")
    inner = x.shape[ids.ndim:]
    rows = x.reshape((flat_ids.size, -1))
    parts = [[[] for _ in range(rows.shape[1])] for _ in range(num)]
    for r, seg in enumerate(flat_ids):
        for j, s in enumerate(rows[r]):
            parts[seg][j].append(s)
    out = np.empty((num, rows.shape[1]), dtype=object)
    for seg in range(num):
        for j in range(rows.shape[1]):
            out[seg, j] = separator.join(parts[seg][j])
    return out.reshape((num,) + inner)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins the strings of `inputs` that share a segment id, in input order.

    The result has shape `[num_segments] + inputs.shape[segment_ids.ndim:]`; empty segments
    give empty strings.

    >>> tf.strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 2).numpy().tolist()
    [b'b', b'ac']
    """
    x = _string_input(inputs, "UnsortedSegmentJoin")
    ids = to_tensor(segment_ids)
    if ids.dtype not in _INT_INDEX:
        raise _attr_dtype_error("UnsortedSegmentJoin", "Tindices", ids.dtype, "int32, int64")
    num = to_tensor(num_segments)
    return _unsorted_segment_join(x, ids, num, separator=_to_bytes(separator))


# ---------------------------------------------------------------------------------------
# format
# ---------------------------------------------------------------------------------------

def _format_scalar(v, kind):
    if kind == "O":
        return b'"' + v.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    if kind == "b":
        return b"1" if v else b"0"
    if kind in "iu":
        return str(int(v)).encode()
    if kind == "c":
        return b"?"
    if kind == "f":
        if v.dtype == np.float64:
            text = "%.15g" % v
            if float(text) != v and v == v:
                text = "%.17g" % v
        else:
            v = np.float32(v)
            text = "%.6g" % v
            if np.float32(float(text)) != v and v == v:
                text = "%.9g" % v
        return text.encode()
    return b"?"


def _summarize(a, limit, depth=0):
    kind = a.dtype.kind
    if a.ndim == 0:
        return _format_scalar(a[()], kind)
    n = a.shape[0]
    elide = 0 <= limit and 2 * limit < n
    if a.size == 0 or (elide and not limit):
        # TF prints only the elision mark for an empty tensor or summarize=0.
        return b"[]" if n == 0 else b"[" + b"\n" * (a.ndim - 1) + b" ...]"
    idx = list(range(limit)) + [None] + list(range(n - limit, n)) if elide else range(n)
    if a.ndim == 1:
        parts = [b"..." if i is None else _format_scalar(a[i], kind) for i in idx]
        return b"[" + b" ".join(parts) + b"]"
    sep = b"\n" * (a.ndim - 1) + b" " * (depth + 1)
    parts = [b"..." if i is None else _summarize(a[i], limit, depth + 1) for i in idx]
    return b"[" + sep.join(parts) + b"]"


@primitive("StringFormat", shape=lambda *a, **k: (), dtype=lambda *a, **k: D.string,
           differentiable=False)
def _string_format(*xs, template, placeholder, summarize):
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for x, piece in zip(xs, pieces[1:]):
        out.append(_summarize(np.asarray(x), summarize))
        out.append(piece)
    return np.array(b"".join(out), dtype=object)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Fills each `placeholder` in `template` with the printed value of one input tensor.

    Tensors print as in `tf.print`: nested brackets, and only the first and last
    `summarize` entries of long dimensions (-1 prints everything).

    >>> tf.strings.format("x={}", [tf.constant([1, 2])]).numpy()
    b'x=[1 2]'
    """
    if isinstance(inputs, Tensor) or hasattr(inputs, "_read"):
        inputs = [inputs]
    n_inputs = len(inputs)
    pieces = template.split(placeholder)
    if len(pieces) - 1 != n_inputs:
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only "
                         f"has {n_inputs}. Please ensure the number of placeholders in template "
                         "matches inputs length.")
    xs = [to_tensor(x) for x in inputs]
    return _string_format(*xs, template=_to_bytes(template),
                          placeholder=_to_bytes(placeholder), summarize=int(summarize))


# ---------------------------------------------------------------------------------------
# ngrams (dense input: TF returns a dense tensor then)
# ---------------------------------------------------------------------------------------

@primitive("StringNGrams", dtype=lambda *a, **k: D.string, differentiable=False)
def _ngrams(x, *, widths, separator, left_pad, right_pad, padding_width, preserve_short):
    rows = x.reshape((int(np.prod(x.shape[:-1])), x.shape[-1]))
    n = x.shape[-1]
    results = []
    for row in rows:
        row = list(row)
        grams = []
        for w in widths:
            pad = w - 1 if padding_width < 0 else min(padding_width, w - 1)
            seq = [left_pad] * pad + row + [right_pad] * pad
            grams += [separator.join(seq[i:i + w]) for i in range(len(seq) - w + 1)]
        if not n:
            grams = []  # an empty row has no n-grams, padded or not
        elif not grams and preserve_short:
            pad = max(padding_width, 0)
            grams = [separator.join([left_pad] * pad + row + [right_pad] * pad)]
        results.append(grams)
    width = len(results[0]) if results else sum(
        max(0, n + 2 * (w - 1 if padding_width < 0 else min(padding_width, w - 1)) - w + 1)
        for w in widths) if n else 0
    out = np.empty((len(rows), width), dtype=object)
    for i, g in enumerate(results):
        out[i, :] = g
    return out.reshape(x.shape[:-1] + (width,))


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The n-grams along the last axis of a dense string tensor, joined with `separator`.

    Args:
      data: A string tensor of rank >= 1 (a RaggedTensor is not supported).
      ngram_width: An int or a sequence of ints: the n-gram sizes, output in that order.
      separator: The string put between the tokens of an n-gram.
      pad_values: None (no padding), a string for both ends, or a (left, right) pair.
      padding_width: Pad tokens per end (default width - 1, never more than width - 1).
      preserve_short_sequences: Give one n-gram of the whole row when none would be made.
      name: Unused; kept for API compatibility.

    >>> tf.strings.ngrams(["a", "b", "c"], 2).numpy().tolist()
    [b'a b', b'b c']
    """
    widths = (ngram_width,) if isinstance(ngram_width, int) else tuple(ngram_width)
    for w in widths:
        if w <= 0:
            # %-formatting as TF does (a tuple of widths makes this a TypeError there too).
            raise ValueError("All ngram_widths must be greater than 0. Got %s" % ngram_width)
    if pad_values is None:
        if padding_width is not None:
            raise ValueError("pad_values must be provided if padding_width is set.")
        left = right = b""
        pw = 0
    else:
        if isinstance(pad_values, (str, bytes)):
            left = right = _to_bytes(pad_values)
        elif isinstance(pad_values, (tuple, list)) and all(
                isinstance(v, (str, bytes)) for v in pad_values[:2]):
            left, right = _to_bytes(pad_values[0]), _to_bytes(pad_values[1])
        else:
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        if padding_width is not None and padding_width < 1:
            raise ValueError("padding_width must be greater than 0.")
        pw = -1 if padding_width is None else int(padding_width)
    x = _string_input(data, "StringNGrams")
    if x._value.ndim == 0:
        raise ValueError("Data must have rank>0")
    return _ngrams(x, widths=tuple(int(w) for w in widths), separator=_to_bytes(separator),
                   left_pad=left, right_pad=right, padding_width=pw,
                   preserve_short=bool(preserve_short_sequences))


# ---------------------------------------------------------------------------------------
# tf.io: decode_raw, encode_base64, decode_base64
# ---------------------------------------------------------------------------------------

_RAW_TYPES = (D.float16, D.float32, D.float64, D.int32, D.uint16, D.uint8, D.int16, D.int8,
              D.int64, D.complex64, D.complex128, D.bool_)
_RAW_NAMES = ("half, float, double, int32, uint16, uint8, int16, int8, int64, complex64, "
              "complex128, bool, bfloat16")


def _decode_raw_dtype(x, *, out_type, **attrs):
    return dtypes.from_numpy(np.dtype(out_type))


@primitive("DecodeRaw", dtype=_decode_raw_dtype, allowed=_STRING, differentiable=False)
def _decode_raw(x, *, out_type, little_endian, fixed_length):
    np_type = np.dtype(out_type).newbyteorder("<" if little_endian else ">")
    size = np_type.itemsize
    flat = x.reshape(-1)
    if fixed_length is not None:
        op = "DecodePaddedRaw"
        if fixed_length % size:
            raise _error(f"fixed_length ({fixed_length}) must be a multiple of the size of "
                         f"out_type ({size}) [Op:{op}]")
        width = fixed_length // size
        data = b"".join(s[:fixed_length].ljust(fixed_length, b"\0") for s in flat)
    else:
        first = len(flat[0]) if flat.size else 0
        if first % size:
            raise _error(f"Input to DecodeRaw has length {first} that is not a multiple of "
                         f"{size}, the size of {dtypes.tf_name(dtypes.as_dtype(out_type))} "
                         "[Op:DecodeRaw]")
        for i, s in enumerate(flat):
            if len(s) != first:
                raise _error("DecodeRaw requires input strings to all be the same size, but "
                             f"element {i} has size {first} != {len(s)} [Op:DecodeRaw]")
        width = first // size
        data = b"".join(flat)
    if np.dtype(out_type) == np.bool_:
        out = np.frombuffer(data, dtype=np.uint8) != 0
    else:
        out = np.frombuffer(data, dtype=np_type).astype(np.dtype(out_type))
    return out.reshape(x.shape + (width,))


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as a vector of `out_type` numbers.

    All strings must have the same length, unless `fixed_length` is given: each string is
    then cut or zero-padded to that many bytes. The result has one more axis than the input.

    >>> tf.io.decode_raw(b"\\x01\\x00\\x02\\x00", tf.int16).numpy()
    array([1, 2], dtype=int16)
    """
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _RAW_TYPES:
        raise _error(f"Value for attr 'out_type' of {dtypes.tf_name(out_type)} is not in the "
                     f"list of allowed values: {_RAW_NAMES}\n\t; NodeDef: {{{{node DecodeRaw}}}}"
                     " [Op:DecodeRaw] name: ")
    x = _string_input(input_bytes, "DecodeRaw")
    return _decode_raw(x, out_type=out_type._np, little_endian=bool(little_endian),
                       fixed_length=None if fixed_length is None else int(fixed_length))


_B64_STD = b"+/"
_B64_WEB = b"-_"
_B64_OK = re.compile(rb"^[A-Za-z0-9_-]*$")


@primitive("EncodeBase64", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=_STRING, differentiable=False)
def _encode_base64(x, *, pad):
    def fn(s):
        out = binascii.b2a_base64(s, newline=False).translate(
            bytes.maketrans(_B64_STD, _B64_WEB))
        return out if pad else out.rstrip(b"=")
    return _map(fn, x)


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Encodes each string in web-safe base64 ('-' and '_' for '+' and '/'); `pad` adds
    the trailing '=' characters.

    >>> tf.io.encode_base64(b"ab").numpy()
    b'YWI'
    """
    return _encode_base64(_string_input(input, "EncodeBase64"), pad=bool(pad))


def _b64_decode_one(s):
    n = len(s)
    # TF decodes 4-character groups; only a final group of exactly 4 may carry up to two
    # '=' pads, and a final group of 1 character cannot encode a byte.
    tail = n % 4 or (4 if n else 0)
    body, last = s[:n - tail], s[n - tail:]
    if not _B64_OK.match(body):
        raise _error("Invalid character found in base64. [Op:DecodeBase64]")
    if len(last) == 4:
        last = last[:2] + last[2:].rstrip(b"=") if last.endswith(b"=") else last
    if len(last) == 1:
        raise _error("Base64 string length cannot be 1 modulo 4. [Op:DecodeBase64]")
    if not _B64_OK.match(last):
        raise _error("Invalid character found in base64. [Op:DecodeBase64]")
    text = (body + last).translate(bytes.maketrans(_B64_WEB, _B64_STD))
    keep = len(body) // 4 * 3 + max(len(last) - 1, 0)
    # Python's decoder wants whole groups; the low bits of a partial group are ignored.
    padded = text + b"A" * (-len(text) % 4)
    return binascii.a2b_base64(padded)[:keep]


@primitive("DecodeBase64", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=_STRING, differentiable=False)
def _decode_base64(x):
    return _map(_b64_decode_one, x)


def decode_base64(input, name=None):  # noqa: A002
    """Decodes web-safe base64 strings ('-' and '_'; trailing '=' padding optional).

    Raises:
      InvalidArgumentError: for a character outside the web-safe alphabet or a length of
        1 modulo 4.

    >>> tf.io.decode_base64("YWI").numpy()
    b'ab'
    """
    return _decode_base64(_string_input(input, "DecodeBase64"))


# ---------------------------------------------------------------------------------------
# tf.io.serialize_tensor / parse_tensor: TensorProto wire format
# ---------------------------------------------------------------------------------------
# Field numbers of TensorProto: dtype 1, tensor_shape 2 (dims 2 -> size 1), tensor_content
# 4, then the typed repeated fields below. serialize_tensor writes what TF writes: the raw
# little-endian tensor_content for numbers, string_val for strings.

_TYPED_FIELDS = {5: "f4", 6: "f8", 7: "varint", 8: "bytes", 9: "f4", 10: "varint",
                 11: "varint", 12: "f8", 13: "varint", 16: "varint", 17: "varint"}


def _varint(n):
    n &= _M64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len_field(num, payload):
    return _varint((num << 3) | 2) + _varint(len(payload)) + payload


def _serialize(value, dtype):
    shape = b"".join(_len_field(2, _varint(8) + _varint(d) if d else b"") for d in value.shape)
    out = _varint(8) + _varint(dtype.as_datatype_enum) + _len_field(2, shape)
    flat = value.reshape(-1)
    if value.dtype == object:
        return out + b"".join(_len_field(8, s) for s in flat)
    if flat.size:
        out += _len_field(4, flat.astype(flat.dtype.newbyteorder("<")).tobytes())
    return out


@primitive("SerializeTensor", shape=lambda *a, **k: (), dtype=lambda *a, **k: D.string,
           differentiable=False)
def _serialize_tensor(x, *, dtype):
    return np.array(_serialize(np.asarray(x), dtype), dtype=object)


def serialize_tensor(tensor, name=None):
    """The tensor as a scalar string holding its TensorProto (TF's bytes exactly).

    >>> tf.io.serialize_tensor(tf.constant(3)).numpy()
    b'\\x08\\x03\\x12\\x00"\\x04\\x03\\x00\\x00\\x00'
    """
    t = to_tensor(tensor)
    return _serialize_tensor(t, dtype=t.dtype)


class _ProtoError(Exception):
    pass


def _read_varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise _ProtoError
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & _M64, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) for each field of a protobuf message."""
    i, out = 0, []
    while i < len(buf):
        key, i = _read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if num == 0:
            raise _ProtoError
        if wire == 0:
            v, i = _read_varint(buf, i)
        elif wire == 1:
            if i + 8 > len(buf):
                raise _ProtoError
            v, i = buf[i:i + 8], i + 8
        elif wire == 5:
            if i + 4 > len(buf):
                raise _ProtoError
            v, i = buf[i:i + 4], i + 4
        elif wire == 2:
            n, i = _read_varint(buf, i)
            if i + n > len(buf):
                raise _ProtoError
            v, i = buf[i:i + n], i + n
        else:
            raise _ProtoError
        out.append((num, wire, v))
    return out


def _typed_values(num, wire, v):
    kind = _TYPED_FIELDS[num]
    if kind == "bytes":
        return [v]
    if kind == "varint":
        if wire == 0:
            return [v]
        vals, i = [], 0
        while i < len(v):
            x, i = _read_varint(v, i)
            vals.append(x)
        return vals
    size = int(kind[1])
    if wire != 2:
        return [v]
    return [v[j:j + size] for j in range(0, len(v) - len(v) % size, size)]


def _parse(buf):
    """(dtype enum, shape, tensor_content or None, {field: [raw values]})."""
    enum, shape, content, typed = 0, [], None, {}
    for num, wire, v in _fields(buf):
        if num == 1 and wire == 0:
            enum = v
        elif num == 2 and wire == 2:
            shape = []
            for dnum, dwire, dv in _fields(v):
                if dnum == 2 and dwire == 2:
                    size = 0
                    for snum, swire, sv in _fields(dv):
                        if snum == 1 and swire == 0:
                            size = sv - (1 << 64) if sv >> 63 else sv
                    shape.append(size)
        elif num == 4 and wire == 2:
            content = v
        elif num in _TYPED_FIELDS:
            typed.setdefault(num, []).extend(_typed_values(num, wire, v))
    return enum, shape, content, typed


_DTYPE_FIELD = {D.float32: 5, D.float64: 6, D.int32: 7, D.int16: 7, D.int8: 7, D.uint8: 7,
                D.uint16: 7, D.string: 8, D.complex64: 9, D.int64: 10, D.bool_: 11,
                D.complex128: 12, D.float16: 13, D.uint32: 16, D.uint64: 17}


def _typed_array(dtype, raw):
    np_type = dtype._np
    if dtype == D.string:
        arr = np.empty(len(raw), dtype=object)
        arr[:] = raw
        return arr
    if dtype in (D.float32, D.complex64):
        vals = np.frombuffer(b"".join(raw), dtype="<f4")
    elif dtype in (D.float64, D.complex128):
        vals = np.frombuffer(b"".join(raw), dtype="<f8")
    elif dtype == D.float16:
        vals = np.array(raw, dtype=np.uint16).view(np.float16)
    else:
        vals = np.array([v - (1 << 64) if v >> 63 and np_type.kind == "i" else v
                         for v in raw], dtype=np.uint64 if np_type == np.uint64 else object)
        vals = vals.astype(np.int64 if np_type.kind == "i" else np.uint64)
    if np_type.kind == "c":
        vals = vals[0::2] + 1j * vals[1::2]
    return vals.astype(np_type)


@primitive("ParseTensor", dtype=lambda x, *, out_type, **k: out_type, differentiable=False)
def _parse_tensor(x, *, out_type):
    if x.ndim:
        raise _error(f"Expected `serialized` to be a scalar, got shape: {_dims(x.shape)} "
                     "[Op:ParseTensor]")
    buf = x[()]
    try:
        enum, shape, content, typed = _parse(buf)
    except _ProtoError:
        text = _base64_std(buf)
        raise _error(f"Could not parse `serialized` as TensorProto, base64: {text} "
                     "[Op:ParseTensor]") from None
    try:
        parsed = dtypes.as_dtype(enum) if enum else None
    except (TypeError, ValueError, KeyError):
        parsed = None
    bad = _error("Cannot parse tensor from proto: goo.gle/debugonly   \n [Op:ParseTensor]")
    if parsed is None:
        raise bad
    if parsed != out_type:
        name = dtypes.tf_name(parsed)
        raise _error(f"Type mismatch between parsed tensor ({name}) and dtype "
                     f"({dtypes.tf_name(out_type)}) [Op:ParseTensor] name: ")
    count = int(np.prod(shape)) if shape else 1
    if any(d < 0 for d in shape):
        raise bad
    np_type = out_type._np
    if content is not None and out_type != D.string:
        width = 1 if np_type == np.bool_ else np_type.itemsize
        if len(content) != count * width:
            raise bad
        if np_type == np.bool_:
            return (np.frombuffer(content, dtype=np.uint8) != 0).reshape(shape)
        return np.frombuffer(content, dtype=np_type.newbyteorder("<")).astype(
            np_type).reshape(shape)
    vals = _typed_array(out_type, typed.get(_DTYPE_FIELD[out_type], []))
    vals = vals[:count]  # TF ignores values beyond the shape's element count
    if len(vals) < count:
        # TF repeats the last value given (zeros when none is).
        fill = vals[-1] if len(vals) else (b"" if out_type == D.string else 0)
        full = np.empty(count, dtype=vals.dtype)
        full[:len(vals)] = vals
        full[len(vals):] = fill
        vals = full
    return vals.reshape(shape)


def _base64_std(data):
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def parse_tensor(serialized, out_type, name=None):
    """The tensor stored in a serialized TensorProto (from `serialize_tensor`).

    Raises:
      InvalidArgumentError: for bytes that are not a TensorProto, or a proto whose dtype
        is not `out_type`.

    >>> tf.io.parse_tensor(tf.io.serialize_tensor([1, 2]), tf.int32).numpy()
    array([1, 2], dtype=int32)
    """
    out_type = dtypes.as_dtype(out_type)
    x = _string_input(serialized, "ParseTensor")
    return _parse_tensor(x, out_type=out_type)

"""The `tf.strings` Unicode ops: encode, decode, transcode, split, script, bytes_split.

String tensors are NumPy object arrays of `bytes` (see string_ops.py). Ops whose TensorFlow
result is a RaggedTensor for a non-scalar input (unicode_decode, unicode_split,
bytes_split, ...) are implemented here for scalars.
"""

from __future__ import annotations

import codecs

import numpy as np

from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive
from tapeflow._src.ops.string_extra_ops import _STRING, D, _error, _int32_input
from tapeflow._src.ops.string_ops import _attr_list_error, _map, _string_input

# ---------------------------------------------------------------------------------------
# Unicode: decoding and encoding code points
# ---------------------------------------------------------------------------------------

_OUT_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")
_PY_CODECS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERRORS = ("strict", "replace", "ignore")


def _utf8_next(s, i, n):
    """(code point or None if ill-formed, next index) for the UTF-8 sequence at s[i].

    An ill-formed sequence consumes its maximal valid prefix (at least one byte), the
    Unicode 'maximal subpart' practice that ICU follows.
    """
    b = s[i]
    if b < 0x80:
        return b, i + 1
    if 0xC2 <= b <= 0xDF:
        need, lo, hi, cp = 1, 0x80, 0xBF, b & 0x1F
    elif 0xE0 <= b <= 0xEF:
        need, cp = 2, b & 0x0F
        lo, hi = (0xA0, 0xBF) if b == 0xE0 else (0x80, 0x9F) if b == 0xED else (0x80, 0xBF)
    elif 0xF0 <= b <= 0xF4:
        need, cp = 3, b & 0x07
        lo, hi = (0x90, 0xBF) if b == 0xF0 else (0x80, 0x8F) if b == 0xF4 else (0x80, 0xBF)
    else:
        return None, i + 1
    j = i + 1
    for k in range(need):
        if j >= n or not (lo if k == 0 else 0x80) <= s[j] <= (hi if k == 0 else 0xBF):
            return None, j
        cp = (cp << 6) | (s[j] & 0x3F)
        j += 1
    return cp, j


def _decode_units(s, enc):
    """[(code point or None, byte offset)] for the string `s` in encoding `enc`."""
    out = []
    n = len(s)
    if enc == "utf-8":
        i = 0
        while i < n:
            cp, j = _utf8_next(s, i, n)
            out.append((cp, i))
            i = j
    elif enc in ("utf-16-be", "utf-16-le", "utf-16"):
        order = "little" if enc == "utf-16-le" else "big"
        i = 0
        while i < n:
            if i + 1 >= n:
                out.append((None, i))
                break
            u = int.from_bytes(s[i:i + 2], order)
            if 0xD800 <= u <= 0xDBFF and i + 3 < n:
                u2 = int.from_bytes(s[i + 2:i + 4], order)
                if 0xDC00 <= u2 <= 0xDFFF:
                    out.append((0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00), i))
                    i += 4
                    continue
            out.append((None if 0xD800 <= u <= 0xDFFF else u, i))
            i += 2
    elif enc in ("utf-32-be", "utf-32-le", "utf-32"):
        order = "little" if enc == "utf-32-le" else "big"
        for i in range(0, n, 4):
            if i + 4 > n:
                out.append((None, i))
                break
            u = int.from_bytes(s[i:i + 4], order)
            out.append((None if u > 0x10FFFF or 0xD800 <= u <= 0xDFFF else u, i))
    else:
        table = _single_byte_table(enc)
        out = [(table[b], i) for i, b in enumerate(s)]
    return out


_TABLES: dict = {}


def _single_byte_table(enc):
    """Byte -> code point (None if unmapped) for a single-byte Python codec."""
    table = _TABLES.get(enc)
    if table is None:
        table = []
        for b in range(256):
            try:
                ch = bytes([b]).decode(enc)
                table.append(ord(ch) if len(ch) == 1 else None)
            except UnicodeDecodeError:
                # ICU's windows-125x tables map the bytes Microsoft leaves undefined to
                # the C1 control of the same value.
                table.append(b if enc.startswith("cp125") else None)
        _TABLES[enc] = table
    return table


_UNICODE_CODECS = ("utf-8", "utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be",
                   "utf-32-le")


def _input_encoding(name, op):
    """The Python codec name for an ICU encoding name, or TF's error for an unknown one."""
    try:
        enc = codecs.lookup(name).name
    except LookupError:
        raise _error(f"Could not create converter for input encoding: {name} "
                     f"[Op:{op}]{' name: ' if op == 'UnicodeDecode' else ''}") from None
    if enc in _UNICODE_CODECS:
        return enc
    if enc in ("latin-1", "iso8859-1"):
        return "latin-1"
    try:
        # A single-byte encoding decodes a run of bytes exactly as byte by byte.
        whole = bytes(range(256)).decode(enc, "replace")
        if len(whole) == 256 and whole == "".join(bytes([b]).decode(enc, "replace")
                                                  for b in range(256)):
            return enc
    except Exception:  # noqa: BLE001 - any failure means an encoding we cannot handle
        pass
    raise NotImplementedError(f"tapeflow decodes UTF-8/16/32 and single-byte encodings, "
                              f"not {name!r}")


def _decode(s, enc, errors, replacement, control, op):
    """[(code point, byte offset)] after applying `errors` and control replacement."""
    out = []
    for cp, off in _decode_units(s, enc):
        if cp is None:
            if errors == "strict":
                raise _error(f"Invalid formatting on input string [Op:{op}]"
                             f"{' name: ' if op == 'UnicodeDecode' else ''}")
            if errors == "ignore":
                continue
            cp = replacement
        elif control and cp < 0x20:
            cp = replacement
        out.append((cp, off))
    return out


def _valid_cp(cp):
    return 0 <= cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF


def _encode_cps(cps, enc, errors, replacement, op):
    out = []
    for cp in cps:
        if not _valid_cp(cp):
            if errors == "strict":
                raise _error("Code point is out of range for Unicode, or is a surrogate. "
                             f"[Op:{op}] name: ")
            if errors == "ignore":
                continue
            cp = replacement if _valid_cp(replacement) else 0xFFFD
        out.append(cp)
    return "".join(map(chr, out)).encode(_PY_CODECS[enc])


def _check_errors(errors, op):
    if errors not in _ERRORS:
        allowed = sorted(_ERRORS) if op == "UnicodeEncode" else _ERRORS
        raise _attr_list_error(op, "errors", errors, allowed)


def _check_replacement(replacement_char, op):
    if not 0 <= int(replacement_char) <= 0x10FFFF:
        raise _error(f"replacement_char out of unicode codepoint range [Op:{op}]"
                     f"{'' if op == 'UnicodeTranscode' else ' name: '}")


@primitive("UnicodeEncode", dtype=lambda *a, **k: D.string, differentiable=False)
def _unicode_encode(x, *, output_encoding, errors, replacement_char):
    rows = x.reshape((int(np.prod(x.shape[:-1])), x.shape[-1]))
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = _encode_cps(row.tolist(), output_encoding, errors, replacement_char,
                             "UnicodeEncode")
    return out.reshape(x.shape[:-1])


def unicode_encode(input, output_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, name=None):
    """Encodes each row (last axis) of int32 code points as one string.

    Args:
      input: An int32 tensor of rank >= 1 (a RaggedTensor is not supported).
      output_encoding: "UTF-8", "UTF-16-BE" or "UTF-32-BE".
      errors: For an invalid code point: "replace" it with `replacement_char`, "ignore" it,
        or raise ("strict").
      replacement_char: The code point substituted in "replace" mode.
      name: Unused; kept for API compatibility.

    >>> tf.strings.unicode_encode([104, 105], "UTF-8").numpy()
    b'hi'
    """
    x = _int32_input(input, "UnicodeEncode")
    if x._value.ndim == 0:
        raise ValueError("input_tensor's rank must be at least 1.")
    if output_encoding not in _OUT_ENCODINGS:
        raise _attr_list_error("UnicodeEncode", "output_encoding", output_encoding,
                               _OUT_ENCODINGS)
    _check_errors(errors, "UnicodeEncode")
    _check_replacement(replacement_char, "UnicodeEncode")
    return _unicode_encode(x, output_encoding=output_encoding, errors=errors,
                           replacement_char=int(replacement_char))


@primitive("UnicodeTranscode", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=_STRING, differentiable=False)
def _unicode_transcode(x, *, input_encoding, output_encoding, errors, replacement_char,
                       replace_control_characters):
    py_out = _PY_CODECS[output_encoding]
    if (input_encoding == "utf-8" and not replace_control_characters
            and (errors != "replace" or replacement_char == 0xFFFD)):
        # Fast path: Python's UTF-8 decoder replaces or drops the same maximal ill-formed
        # subsequences as ICU, and never yields a surrogate.
        def fast(s):
            try:
                return s.decode("utf-8", errors).encode(py_out)
            except UnicodeDecodeError:
                raise _error("Invalid formatting on input string "
                             "[Op:UnicodeTranscode]") from None
        return _map(fast, x)

    def fn(s):
        cps = [cp for cp, _ in _decode(s, input_encoding, errors, replacement_char,
                                       replace_control_characters, "UnicodeTranscode")]
        return _encode_cps(cps, output_encoding, "replace", 0xFFFD, "UnicodeTranscode")
    return _map(fn, x)


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Re-encodes each string from `input_encoding` to `output_encoding`.

    Ill-formed input is replaced with `replacement_char`, skipped or an error, per `errors`;
    `replace_control_characters` also replaces C0 controls (below U+0020).

    >>> tf.strings.unicode_transcode("hé", "UTF-8", "UTF-16-BE").numpy()
    b'\\x00h\\x00\\xe9'
    """
    op = "UnicodeTranscode"
    if output_encoding not in _OUT_ENCODINGS:
        raise _attr_list_error(op, "output_encoding", output_encoding, _OUT_ENCODINGS)
    _check_errors(errors, op)
    x = _string_input(input, op)
    enc = _input_encoding(input_encoding, op)
    _check_replacement(replacement_char, op)
    return _unicode_transcode(x, input_encoding=enc, output_encoding=output_encoding,
                              errors=errors, replacement_char=int(replacement_char),
                              replace_control_characters=bool(replace_control_characters))


def _ragged_error(fn):
    return NotImplementedError(f"tf.strings.{fn} of a non-scalar returns a tf.RaggedTensor, "
                               "which this op does not build in tapeflow; pass a scalar string.")


@primitive("UnicodeDecodeWithOffsets", dtype=lambda *a, **k: (D.int32, D.int64),
           differentiable=False, multi_output=True)
def _unicode_decode_offsets(x, *, input_encoding, errors, replacement_char,
                            replace_control_characters):
    pairs = _decode(x[()], input_encoding, errors, replacement_char,
                    replace_control_characters, "UnicodeDecode")
    cps = np.array([p[0] for p in pairs], dtype=np.int32)
    offsets = np.array([p[1] for p in pairs], dtype=np.int64)
    return cps, offsets


def _decode_scalar(input, input_encoding, errors, replacement_char,  # noqa: A002
                   replace_control_characters, fn):
    x = _string_input(input, "UnicodeDecode")
    if x._value.ndim != 0:
        raise _ragged_error(fn)
    _check_errors(errors, "UnicodeDecode")
    enc = _input_encoding(input_encoding, "UnicodeDecode")
    _check_replacement(replacement_char, "UnicodeDecode")
    return _unicode_decode_offsets(x, input_encoding=enc, errors=errors,
                                   replacement_char=int(replacement_char),
                                   replace_control_characters=bool(
                                       replace_control_characters))


def unicode_decode(input, input_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, replace_control_characters=False, name=None):
    """The int32 code points of a scalar string (a non-scalar gives a RaggedTensor in TF,
    which is not implemented here).

    >>> tf.strings.unicode_decode("hé", "UTF-8").numpy()
    array([104, 233], dtype=int32)
    """
    return _decode_scalar(input, input_encoding, errors, replacement_char,
                          replace_control_characters, "unicode_decode")[0]


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """The code points of a scalar string and the int64 byte offset where each starts.

    >>> [t.numpy().tolist() for t in tf.strings.unicode_decode_with_offsets("hé", "UTF-8")]
    [[104, 233], [0, 1]]
    """
    return _decode_scalar(input, input_encoding, errors, replacement_char,
                          replace_control_characters, "unicode_decode_with_offsets")


def _split_encoding(input_encoding):
    if input_encoding not in _OUT_ENCODINGS:
        raise _attr_list_error("UnicodeEncode", "output_encoding", input_encoding,
                               _OUT_ENCODINGS)
    return input_encoding


@primitive("UnicodeSplit", dtype=lambda *a, **k: D.string, differentiable=False)
def _chars_from(cps, *, encoding):
    out = np.empty(len(cps), dtype=object)
    out[:] = [_encode_cps([cp], encoding, "replace", 0xFFFD, "UnicodeEncode")
              for cp in cps.tolist()]
    return out


def unicode_split(input, input_encoding, errors="replace",  # noqa: A002
                  replacement_char=65533, name=None):
    """A scalar string split into its characters, each re-encoded in `input_encoding`.

    >>> tf.strings.unicode_split("hé", "UTF-8").numpy().tolist()
    [b'h', b'\\xc3\\xa9']
    """
    cps, _ = _decode_scalar(input, input_encoding, errors, replacement_char, False,
                            "unicode_split")
    return _chars_from(cps, encoding=_split_encoding(input_encoding))


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """`unicode_split` of a scalar string plus the int64 byte offset of each character.

    >>> tf.strings.unicode_split_with_offsets("hé", "UTF-8")[1].numpy().tolist()
    [0, 1]
    """
    cps, offsets = _decode_scalar(input, input_encoding, errors, replacement_char, False,
                                  "unicode_split_with_offsets")
    return _chars_from(cps, encoding=_split_encoding(input_encoding)), offsets


@primitive("BytesSplit", dtype=lambda *a, **k: D.string, differentiable=False)
def _bytes_split(x):
    s = x[()]
    out = np.empty(len(s), dtype=object)
    out[:] = [s[i:i + 1] for i in range(len(s))]
    return out


def bytes_split(input, name=None):  # noqa: A002
    """A scalar string split into single bytes (a non-scalar gives a RaggedTensor in TF,
    which is not implemented here).

    >>> tf.strings.bytes_split("ab").numpy().tolist()
    [b'a', b'b']
    """
    x = _string_input(input, "StringSplitV2")
    if x._value.ndim != 0:
        raise _ragged_error("bytes_split")
    return _bytes_split(x)


# ---------------------------------------------------------------------------------------
# unicode_script
# ---------------------------------------------------------------------------------------

_SCRIPT_STARTS = None
_SCRIPT_CODES = None


def _script_table():
    global _SCRIPT_STARTS, _SCRIPT_CODES
    if _SCRIPT_STARTS is None:
        from tapeflow._src.ops._unicode_script_data import RUNS
        pairs = [item.split(":") for item in RUNS.split()]
        _SCRIPT_STARTS = np.array([int(a, 16) for a, _ in pairs], dtype=np.int64)
        _SCRIPT_CODES = np.array([int(b, 16) for _, b in pairs], dtype=np.int32)
    return _SCRIPT_STARTS, _SCRIPT_CODES


@primitive("UnicodeScript", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed={D.int32}, differentiable=False)
def _unicode_script(x):
    starts, codes = _script_table()
    cps = np.asarray(x, dtype=np.int64)
    idx = np.clip(np.searchsorted(starts, cps, side="right") - 1, 0, None)
    return np.where((cps < 0) | (cps > 0x10FFFF), -1, codes[idx]).astype(np.int32)


def unicode_script(input, name=None):  # noqa: A002
    """The ICU script code (UScriptCode) of each int32 code point: 0 Common, 1 Inherited,
    8 Cyrillic, 14 Greek, 17 Han, 25 Latin, 103 Unknown, ...; -1 for an invalid code point.

    >>> tf.strings.unicode_script([65, 0x3b1]).numpy()
    array([25, 14], dtype=int32)
    """
    x = input if isinstance(input, Tensor) else to_tensor(input, dtype=D.int32)
    return _unicode_script(_int32_input(x, "UnicodeScript"))

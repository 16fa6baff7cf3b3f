"""`tf.train.Example` and friends: the protocol buffer messages, encoded by hand.

Wire format (proto3, no protobuf dependency):
  Example  { Features features = 1; }
  Features { map<string, Feature> feature = 1; }   (entries: key = 1, value = 2)
  Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
                          Int64List int64_list = 3; } }
  BytesList { repeated bytes value = 1; }   FloatList { repeated float value = 1 [packed]; }
  Int64List { repeated int64 value = 1 [packed]; }
Parsing accepts packed and unpacked repeated numbers, and skips unknown fields.
"""

from __future__ import annotations

import struct

import numpy as np

from tapeflow._src.framework.errors import DataLossError


# -- wire primitives --------------------------------------------------------------------
def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DataLossError(None, None, "Could not parse example input: truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DataLossError(None, None, "Could not parse example input: bad varint")


def _signed64(n):
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def _len_field(field, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _fields(buf):
    """Yields (field number, wire type, value) of a serialized message."""
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = _read_varint(buf, pos)
        field, wt = key >> 3, key & 7
        if wt == 0:
            value, pos = _read_varint(buf, pos)
        elif wt == 2:
            size, pos = _read_varint(buf, pos)
            if pos + size > n:
                raise DataLossError(None, None, "Could not parse example input: truncated")
            value = buf[pos:pos + size]
            pos += size
        elif wt == 5:
            value = buf[pos:pos + 4]
            pos += 4
        elif wt == 1:
            value = buf[pos:pos + 8]
            pos += 8
        else:
            raise DataLossError(None, None, f"Could not parse example input: wire type {wt}")
        yield field, wt, value


# -- text format helpers ----------------------------------------------------------------
def _escape(b: bytes) -> str:
    out = []
    for c in b:
        if c == 0x22:
            out.append('\\"')
        elif c == 0x27:
            out.append("\\'")
        elif c == 0x5C:
            out.append("\\\\")
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x09:
            out.append("\\t")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append(f"\\{c:03o}")
    return "".join(out)


def _float_text(v: float) -> str:
    f = np.float32(v)
    if np.isnan(f):
        return "nan"
    if np.isinf(f):
        return "inf" if f > 0 else "-inf"
    # Shortest %g text that reads back as the same float32, as protobuf prints floats.
    for digits in range(1, 10):
        text = f"{float(f):.{digits}g}"
        if np.float32(text) == f:
            return text
    return repr(float(f))


class _Message:
    """Shared message behaviour: equality, (de)serialization entry points, text."""

    __slots__ = ()

    def SerializeToString(self, deterministic=None) -> bytes:  # noqa: N802 - protobuf API
        return self._encode()

    def ParseFromString(self, data) -> int:  # noqa: N802
        self.Clear()
        self.MergeFromString(data)
        return len(data)

    def MergeFromString(self, data) -> int:  # noqa: N802
        self._decode(memoryview(bytes(data)).tobytes())
        return len(data)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        msg = cls()
        msg.MergeFromString(data)
        return msg

    def CopyFrom(self, other):  # noqa: N802
        self.ParseFromString(other.SerializeToString())

    def ByteSize(self) -> int:  # noqa: N802
        return len(self._encode())

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __str__(self):
        return "".join(line + "\n" for line in self._text_lines())

    def __repr__(self):
        return str(self)


class _RepeatedList(_Message):
    __slots__ = ("value",)
    _kind = ""

    def __init__(self, value=()):
        self.value = _Repeated(self._convert)
        self.value.extend(value)

    def Clear(self):  # noqa: N802
        del self.value[:]

    def _key(self):
        return list(self.value)

    def _text_lines(self):
        return [f"value: {self._value_text(v)}" for v in self.value]


class _Repeated(list):
    """A list that converts what is stored in it (protobuf's repeated field container)."""

    def __init__(self, convert):
        super().__init__()
        self._convert = convert

    def append(self, v):
        super().append(self._convert(v))

    def extend(self, values):
        if isinstance(values, np.ndarray):
            values = values.reshape(-1).tolist()
        super().extend(self._convert(v) for v in values)

    def __setitem__(self, i, v):
        if isinstance(i, slice):
            super().__setitem__(i, [self._convert(x) for x in v])
        else:
            super().__setitem__(i, self._convert(v))


def _to_bytes(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    if isinstance(v, np.bytes_):
        return bytes(v)
    if hasattr(v, "numpy"):
        return _to_bytes(v.numpy())
    raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: bytes")


def _to_int(v):
    if hasattr(v, "numpy"):
        v = v.numpy()
    if isinstance(v, (float, np.floating)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int")
    n = int(v)
    if not -(1 << 63) <= n < (1 << 63):
        raise ValueError(f"Value out of range: {n}")
    return n


def _to_float(v):
    if hasattr(v, "numpy"):
        v = v.numpy()
    if isinstance(v, (str, bytes)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int, float")
    return float(np.float32(v))


class BytesList(_RepeatedList):
    """A list of byte strings (one Feature kind).

    >>> tf.train.BytesList(value=[b"a", b"bc"]).value
    [b'a', b'bc']
    """

    __slots__ = ()
    _convert = staticmethod(_to_bytes)

    def _encode(self):
        return b"".join(_len_field(1, v) for v in self.value)

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if field == 1 and wt == 2:
                list.append(self.value, bytes(v))

    @staticmethod
    def _value_text(v):
        return f'"{_escape(v)}"'


class FloatList(_RepeatedList):
    """A list of float32 values (one Feature kind)."""

    __slots__ = ()
    _convert = staticmethod(_to_float)

    def _encode(self):
        if not self.value:
            return b""
        return _len_field(1, np.asarray(self.value, dtype="<f4").tobytes())

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if field != 1:
                continue
            if wt == 2:
                list.extend(self.value, np.frombuffer(bytes(v), dtype="<f4").tolist())
            elif wt == 5:
                list.append(self.value, struct.unpack("<f", bytes(v))[0])

    @staticmethod
    def _value_text(v):
        return _float_text(v)


class Int64List(_RepeatedList):
    """A list of int64 values (one Feature kind)."""

    __slots__ = ()
    _convert = staticmethod(_to_int)

    def _encode(self):
        if not self.value:
            return b""
        return _len_field(1, b"".join(_varint(v) for v in self.value))

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if field != 1:
                continue
            if wt == 2:
                pos, data = 0, bytes(v)
                while pos < len(data):
                    n, pos = _read_varint(data, pos)
                    list.append(self.value, _signed64(n))
            elif wt == 0:
                list.append(self.value, _signed64(v))

    @staticmethod
    def _value_text(v):
        return str(v)


_KINDS = ("bytes_list", "float_list", "int64_list")
_KIND_FIELD = {"bytes_list": 1, "float_list": 2, "int64_list": 3}
_KIND_CLASS = {"bytes_list": BytesList, "float_list": FloatList, "int64_list": Int64List}


class Feature(_Message):
    """One named value of an Example: exactly one of bytes_list, float_list, int64_list.

    >>> f = tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2]))
    >>> f.WhichOneof("kind")
    'int64_list'
    """

    __slots__ = ("_kind", "_list")

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        self._kind = None
        self._list = None
        given = [(k, v) for k, v in zip(_KINDS, (bytes_list, float_list, int64_list))
                 if v is not None]
        for k, v in given:
            self._set(k, v)

    def _set(self, kind, value):
        cls = _KIND_CLASS[kind]
        if isinstance(value, dict):
            value = cls(**value)
        if not isinstance(value, cls):
            raise TypeError(f"Parameter to {kind} must be {cls.__name__}, got "
                            f"{type(value).__name__}")
        self._kind = kind
        self._list = value

    def _get(self, kind):
        if self._kind == kind:
            return self._list
        if self._kind is None:
            # Reading an unset kind selects it, so `f.int64_list.value.append(1)` works.
            self._kind = kind
            self._list = _KIND_CLASS[kind]()
            return self._list
        return _KIND_CLASS[kind]()

    bytes_list = property(lambda self: self._get("bytes_list"),
                          lambda self, v: self._set("bytes_list", v))
    float_list = property(lambda self: self._get("float_list"),
                          lambda self, v: self._set("float_list", v))
    int64_list = property(lambda self: self._get("int64_list"),
                          lambda self, v: self._set("int64_list", v))

    def WhichOneof(self, name):  # noqa: N802
        if name != "kind":
            raise ValueError(f'Protocol message has no oneof "{name}" field.')
        return self._kind

    def HasField(self, name):  # noqa: N802
        if name == "kind":
            return self._kind is not None
        if name not in _KINDS:
            raise ValueError(f'Protocol message Feature has no field {name}.')
        return self._kind == name

    def Clear(self):  # noqa: N802
        self._kind = None
        self._list = None

    def _key(self):
        return (self._kind, None if self._list is None else self._list._key())

    def _encode(self):
        if self._kind is None:
            return b""
        return _len_field(_KIND_FIELD[self._kind], self._list._encode())

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if wt == 2 and 1 <= field <= 3:
                kind = _KINDS[field - 1]
                lst = _KIND_CLASS[kind]()
                lst._decode(bytes(v))
                if self._kind == kind:
                    list.extend(self._list.value, lst.value)
                else:
                    self._kind, self._list = kind, lst

    def _text_lines(self):
        if self._kind is None:
            return []
        return [f"{self._kind} {{"] + ["  " + x for x in self._list._text_lines()] + ["}"]


class _FeatureMap(dict):
    """`features.feature`: a str -> Feature map; reading a missing key adds an empty Feature."""

    def __missing__(self, key):
        f = Feature()
        self[key] = f
        return f

    def __setitem__(self, key, value):
        if not isinstance(value, Feature):
            raise TypeError("Direct assignment of a submessage not allowed; use "
                            "features.feature[key].CopyFrom(feature).")
        super().__setitem__(key, value)

    def get_or_create(self, key):
        return self[key]


class Features(_Message):
    """A map from feature names to Feature values.

    >>> fs = tf.train.Features(feature={"x": tf.train.Feature(
    ...     float_list=tf.train.FloatList(value=[0.5]))})
    >>> list(fs.feature)
    ['x']
    """

    __slots__ = ("feature",)

    def __init__(self, feature=None):
        self.feature = _FeatureMap()
        if feature:
            for k, v in feature.items():
                if isinstance(v, dict):
                    v = Feature(**v)
                if not isinstance(k, str):
                    raise TypeError(f"feature map keys must be str, got {type(k).__name__}")
                self.feature[k] = v

    def Clear(self):  # noqa: N802
        self.feature.clear()

    def _key(self):
        return {k: v._key() for k, v in self.feature.items()}

    def _encode(self):
        out = []
        for k, v in self.feature.items():
            entry = _len_field(1, k.encode("utf-8")) + _len_field(2, v._encode())
            out.append(_len_field(1, entry))
        return b"".join(out)

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if field != 1 or wt != 2:
                continue
            key, value = "", Feature()
            for f2, wt2, v2 in _fields(bytes(v)):
                if f2 == 1 and wt2 == 2:
                    key = bytes(v2).decode("utf-8")
                elif f2 == 2 and wt2 == 2:
                    value = Feature()
                    value._decode(bytes(v2))
            dict.__setitem__(self.feature, key, value)

    def _text_lines(self):
        lines = []
        for k in sorted(self.feature):
            lines.append("feature {")
            lines.append(f'  key: "{_escape(k.encode("utf-8"))}"')
            lines.append("  value {")
            lines += ["    " + x for x in self.feature[k]._text_lines()]
            lines.append("  }")
            lines.append("}")
        return lines


class Example(_Message):
    """A record of named features, the usual payload of a TFRecord file.

    >>> ex = tf.train.Example(features=tf.train.Features(feature={
    ...     "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))}))
    >>> tf.train.Example.FromString(ex.SerializeToString()) == ex
    True
    """

    __slots__ = ("_features",)

    def __init__(self, features=None):
        if isinstance(features, dict):
            features = Features(**features)
        if features is not None and not isinstance(features, Features):
            raise TypeError(f"Parameter to features must be Features, got "
                            f"{type(features).__name__}")
        self._features = features

    @property
    def features(self):
        if self._features is None:
            self._features = Features()
        return self._features

    @features.setter
    def features(self, value):
        raise AttributeError("Assignment not allowed to field \"features\" in protocol "
                             "message object.")

    def HasField(self, name):  # noqa: N802
        if name != "features":
            raise ValueError(f"Protocol message Example has no field {name}.")
        return self._features is not None

    def Clear(self):  # noqa: N802
        self._features = None

    def _key(self):
        return None if self._features is None else self._features._key()

    def _encode(self):
        if self._features is None:
            return b""
        return _len_field(1, self._features._encode())

    def _decode(self, buf):
        for field, wt, v in _fields(buf):
            if field == 1 and wt == 2:
                self.features._decode(bytes(v))

    def _text_lines(self):
        if self._features is None:
            return []
        return ["features {"] + ["  " + x for x in self._features._text_lines()] + ["}"]


def parse_features(buf: bytes) -> dict:
    """Serialized Example -> {name: (kind, list of values)}, the fast path for parsing ops."""
    out = {}
    for field, wt, v in _fields(buf):
        if field != 1 or wt != 2:
            continue
        for f2, wt2, entry in _fields(bytes(v)):
            if f2 != 1 or wt2 != 2:
                continue
            key, feat = "", b""
            for f3, wt3, v3 in _fields(bytes(entry)):
                if f3 == 1 and wt3 == 2:
                    key = bytes(v3).decode("utf-8")
                elif f3 == 2 and wt3 == 2:
                    feat = bytes(v3)
            f = Feature()
            f._decode(feat)
            out[key] = (f._kind, [] if f._list is None else list(f._list.value))
    return out

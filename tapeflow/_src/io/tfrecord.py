"""TFRecord files: `tf.io.TFRecordWriter`, `tf.io.TFRecordOptions` and the record reader.

Each record is: uint64 length (little-endian), uint32 masked CRC-32C of those 8 bytes,
the data, uint32 masked CRC-32C of the data. Files may be GZIP or ZLIB compressed as a
whole stream. This is TensorFlow's format: files are readable by either library.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

from tapeflow._src.framework.errors import DataLossError, NotFoundError
from tapeflow._src.io.crc32c import masked_crc32c

_COMPRESSIONS = {None: "", "": "", "GZIP": "GZIP", "ZLIB": "ZLIB"}


class TFRecordOptions:
    """Options for writing TFRecord files (only `compression_type` has an effect)."""

    compression_type_map = {"": "", "GZIP": "GZIP", "ZLIB": "ZLIB"}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = compression_type_name(compression_type)
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return compression_type_name(options)


def compression_type_name(value) -> str:
    if isinstance(value, TFRecordOptions):
        return value.compression_type
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, bytes):
        value = value.decode()
    if value not in _COMPRESSIONS:
        raise ValueError(f"Unsupported compression type: {value!r}")
    return _COMPRESSIONS[value]


def _path(p):
    if hasattr(p, "numpy"):
        p = p.numpy()
    if isinstance(p, bytes):
        p = p.decode()
    return os.fspath(p)


def encode_record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length)) + data
            + struct.pack("<I", masked_crc32c(data)))


class TFRecordWriter:
    """Writes byte strings as records of a TFRecord file.

    >>> with tf.io.TFRecordWriter("/tmp/x.tfrecord") as w:
    ...     w.write(b"hello")
    """

    def __init__(self, path, options=None):
        self._path = _path(path)
        kind = TFRecordOptions.get_compression_type_string(options)
        level = getattr(options, "compression_level", None)
        level = 6 if level is None or level < 0 else level
        raw = open(self._path, "wb")
        if kind == "GZIP":
            self._file = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level)
            self._raw = raw
        elif kind == "ZLIB":
            self._file = _ZlibWriter(raw, level)
            self._raw = raw
        else:
            self._file, self._raw = raw, None

    def write(self, record):
        """Appends one record (bytes, or a scalar string Tensor)."""
        if hasattr(record, "numpy"):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode("utf-8")
        self._file.write(encode_record(bytes(record)))

    def flush(self):
        self._file.flush()

    def close(self):
        if self._file is None:
            return
        self._file.close()
        if self._raw is not None:
            self._raw.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _ZlibWriter:
    def __init__(self, raw, level):
        self._raw = raw
        self._z = zlib.compressobj(level)

    def write(self, data):
        self._raw.write(self._z.compress(data))

    def flush(self):
        self._raw.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._raw.flush()

    def close(self):
        self._raw.write(self._z.flush())
        self._raw.flush()


class _ZlibReader:
    def __init__(self, raw):
        self._raw = raw
        self._z = zlib.decompressobj()
        self._buf = b""

    def read(self, n):
        while len(self._buf) < n:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                self._buf += self._z.flush()
                break
            self._buf += self._z.decompress(chunk)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def close(self):
        self._raw.close()


def open_for_read(path, compression_type=""):
    path = _path(path)
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    kind = compression_type_name(compression_type)
    if kind == "GZIP":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "ZLIB":
        return _ZlibReader(raw)
    return raw


def read_records(path, compression_type=""):
    """Yields the records of a TFRecord file as bytes, checking both CRCs."""
    f = open_for_read(path, compression_type)
    offset = 0
    try:
        while True:
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise DataLossError(None, None, f"truncated record at {offset}' failed with "
                                    f"Read less bytes than requested")
            length, crc = struct.unpack("<QI", header)
            if masked_crc32c(header[:8]) != crc:
                raise DataLossError(None, None, f"corrupted record at {offset}")
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise DataLossError(None, None, f"truncated record at {offset}' failed with "
                                    f"Read less bytes than requested")
            if masked_crc32c(data) != struct.unpack("<I", footer)[0]:
                raise DataLossError(None, None, f"corrupted record at {offset}")
            offset += 16 + length
            yield data
    finally:
        f.close()


def tf_record_iterator(path, options=None):
    """tf.compat.v1.io.tf_record_iterator: the records of one file."""
    return read_records(path, TFRecordOptions.get_compression_type_string(options))

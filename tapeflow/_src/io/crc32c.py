"""CRC-32C (Castagnoli), the checksum TFRecord files use, and its TFRecord masking.

Uses the `google_crc32c` package when it is installed (a C implementation); otherwise a
table-driven version: a plain byte loop for short inputs, and for long ones a NumPy
version that splits the data into K equal chunks, runs the byte loop over all chunks at
once (one vector step per byte position), then joins the chunk CRCs with a precomputed
"append L zero bytes" operator. Both rely on the CRC being linear over GF(2).
"""

from __future__ import annotations

import numpy as np

try:  # optional accelerator
    import google_crc32c as _google_crc32c
except ImportError:  # pragma: no cover - depends on the environment
    _google_crc32c = None

_POLY = 0x82F63B78  # reflected Castagnoli polynomial


def _make_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_NP_TABLE = np.array(_TABLE, dtype=np.uint32)
_SHIFT_TABLES: dict = {}
_SMALL = 4096


def _raw_python(data, crc=0) -> int:
    """The CRC register after feeding `data` from state `crc` (no pre/post inversion)."""
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _shift_tables(length):
    """Four 256-entry tables giving the register after `length` zero bytes, by input byte."""
    tables = _SHIFT_TABLES.get(length)
    if tables is not None:
        return tables
    basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    for _ in range(length):
        basis = _NP_TABLE[basis & 0xFF] ^ (basis >> np.uint32(8))
    bits = ((np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1).astype(bool)
    tables = []
    for k in range(4):
        sel = np.where(bits, basis[8 * k:8 * k + 8][None, :], np.uint32(0))
        tables.append(np.bitwise_xor.reduce(sel, axis=1).astype(np.uint32).tolist())
    _SHIFT_TABLES[length] = tables
    return tables


def _raw_numpy(buf: np.ndarray) -> int:
    n = buf.size
    length = 1 << max(4, (int(np.sqrt(n)) - 1).bit_length())
    k = -(-n // length)
    # Leading zero bytes leave a zero register unchanged, so pad at the front.
    padded = np.zeros(k * length, dtype=np.uint8)
    padded[k * length - n:] = buf
    cols = padded.reshape(k, length).T.astype(np.uint32)
    table = _NP_TABLE
    crcs = np.zeros(k, dtype=np.uint32)
    eight = np.uint32(8)
    for col in cols:
        crcs = table[(crcs ^ col) & 0xFF] ^ (crcs >> eight)
    t0, t1, t2, t3 = _shift_tables(length)
    acc = 0
    for c in crcs.tolist():
        acc = (t0[acc & 0xFF] ^ t1[(acc >> 8) & 0xFF] ^ t2[(acc >> 16) & 0xFF]
               ^ t3[acc >> 24]) ^ c
    return acc


def crc32c(data) -> int:
    """The CRC-32C of `data` (bytes-like), as an unsigned 32-bit int.

    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    if _google_crc32c is not None:
        return _google_crc32c.value(bytes(data))
    data = memoryview(data).cast("B")
    n = len(data)
    if n < _SMALL:
        return _raw_python(data, 0xFFFFFFFF) ^ 0xFFFFFFFF
    # Starting from 0xFFFFFFFF equals starting from 0 with the first 4 bytes inverted.
    buf = np.frombuffer(data, dtype=np.uint8).copy()
    buf[:4] ^= 0xFF
    return _raw_numpy(buf) ^ 0xFFFFFFFF


def masked_crc32c(data) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits and add a constant."""
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF

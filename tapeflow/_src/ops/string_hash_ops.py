"""The `tf.strings` hash-bucket ops with TensorFlow's exact bucket numbers.

They reimplement the hashes TensorFlow uses: FarmHash's Fingerprint64
(`to_hash_bucket_fast`, also Keras's Hashing layer), SipHash-2-4 with the given key
(`to_hash_bucket_strong`) and a 64-bit MurmurHash2 (`to_hash_bucket`).
"""

from __future__ import annotations

import struct

import numpy as np

from tapeflow._src.ops import rules
from tapeflow._src.ops.registry import primitive
from tapeflow._src.ops.string_extra_ops import _M64, _STRING, D, _error
from tapeflow._src.ops.string_ops import _map, _string_input

# ---------------------------------------------------------------------------------------
# Hashes: FarmHash Fingerprint64, SipHash-2-4, MurmurHash64A (TF's legacy Hash64)
# ---------------------------------------------------------------------------------------

_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_U64 = struct.Struct("<Q").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64X4 = struct.Struct("<4Q").unpack_from


def _ror(v, s):
    return ((v >> s) | (v << (64 - s))) & _M64


def _mix16(u, v, mul):
    a = ((u ^ v) * mul) & _M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M64
    b ^= b >> 47
    return (b * mul) & _M64


def _fp_short(s, n):
    """Fingerprint64 of at most 16 bytes."""
    if n >= 8:
        mul = _K2 + n * 2
        a = (_U64(s, 0)[0] + _K2) & _M64
        b = _U64(s, n - 8)[0]
        c = (_ror(b, 37) * mul + a) & _M64
        d = ((_ror(a, 25) + b) * mul) & _M64
        return _mix16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _mix16(n + (_U32(s, 0)[0] << 3), _U32(s, n - 4)[0], mul)
    if n:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        h = ((y * _K2) ^ (z * _K0)) & _M64
        return ((h ^ (h >> 47)) * _K2) & _M64
    return _K2


def _fp_medium(s, n):
    """Fingerprint64 of 17 to 64 bytes."""
    mul = _K2 + n * 2
    a = (_U64(s, 0)[0] * (_K1 if n <= 32 else _K2)) & _M64
    b = _U64(s, 8)[0]
    c = (_U64(s, n - 8)[0] * mul) & _M64
    d = (_U64(s, n - 16)[0] * _K2) & _M64
    y = (_ror((a + b) & _M64, 43) + _ror(c, 30) + d) & _M64
    z = _mix16(y, (a + _ror((b + _K2) & _M64, 18) + c) & _M64, mul)
    if n <= 32:
        return z
    e = (_U64(s, 16)[0] * mul) & _M64
    f = _U64(s, 24)[0]
    g = ((y + _U64(s, n - 32)[0]) * mul) & _M64
    h = ((z + _U64(s, n - 24)[0]) * mul) & _M64
    return _mix16((_ror((e + f) & _M64, 43) + _ror(g, 30) + h) & _M64,
                  (e + _ror((f + a) & _M64, 18) + g) & _M64, mul)


def _weak32(s, i, a, b):
    w, x, y, z = _U64X4(s, i)
    a = (a + w) & _M64
    b = _ror((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _ror(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def fingerprint64(s: bytes) -> int:
    """FarmHash's Fingerprint64 (its 'na' 64-bit hash) of `s`, as an unsigned int."""
    n = len(s)
    if n <= 16:
        return _fp_short(s, n)
    if n <= 64:
        return _fp_medium(s, n)
    y = (81 * _K1 + 113) & _M64
    z = (y * _K2 + 113) & _M64
    z = ((z ^ (z >> 47)) * _K2) & _M64
    v0 = v1 = w0 = w1 = 0
    x = (81 * _K2 + _U64(s, 0)[0]) & _M64
    end = ((n - 1) // 64) * 64
    i = 0
    while True:
        x = (_ror((x + y + v0 + _U64(s, i + 8)[0]) & _M64, 37) * _K1) & _M64
        y = (_ror((y + v1 + _U64(s, i + 48)[0]) & _M64, 42) * _K1) & _M64
        x ^= w1
        y = (y + v0 + _U64(s, i + 40)[0]) & _M64
        z = (_ror((z + w0) & _M64, 33) * _K1) & _M64
        v0, v1 = _weak32(s, i, (v1 * _K1) & _M64, (x + w0) & _M64)
        w0, w1 = _weak32(s, i + 32, (z + w1) & _M64, (y + _U64(s, i + 16)[0]) & _M64)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = end + ((n - 1) & 63) - 63  # the last 64 bytes
    w0 = (w0 + ((n - 1) & 63)) & _M64
    v0 = (v0 + w0) & _M64
    w0 = (w0 + v0) & _M64
    x = (_ror((x + y + v0 + _U64(s, i + 8)[0]) & _M64, 37) * mul) & _M64
    y = (_ror((y + v1 + _U64(s, i + 48)[0]) & _M64, 42) * mul) & _M64
    x ^= (w1 * 9) & _M64
    y = (y + v0 * 9 + _U64(s, i + 40)[0]) & _M64
    z = (_ror((z + w0) & _M64, 33) * mul) & _M64
    v0, v1 = _weak32(s, i, (v1 * mul) & _M64, (x + w0) & _M64)
    w0, w1 = _weak32(s, i + 32, (z + w1) & _M64, (y + _U64(s, i + 16)[0]) & _M64)
    z, x = x, z
    return _mix16((_mix16(v0, w0, mul) + (y ^ (y >> 47)) * _K0 + z) & _M64,
                  (_mix16(v1, w1, mul) + x) & _M64, mul)


def siphash24(k0: int, k1: int, s: bytes) -> int:
    """SipHash-2-4 of `s` under the 128-bit key (k0, k1), as an unsigned int."""
    m64 = _M64
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    n = len(s)
    full = n - n % 8
    words = list(struct.unpack_from(f"<{full // 8}Q", s))
    last = int.from_bytes(s[full:], "little") | ((n & 0xFF) << 56)
    words.append(last)
    rounds = [2] * len(words) + [4]
    words.append(None)
    for m, count in zip(words, rounds):
        if m is not None:
            v3 ^= m
        else:
            v2 ^= 0xFF
        for _ in range(count):  # one SipRound, rotations written out
            v0 = (v0 + v1) & m64
            v1 = ((v1 << 13) | (v1 >> 51)) & m64 ^ v0
            v0 = ((v0 << 32) | (v0 >> 32)) & m64
            v2 = (v2 + v3) & m64
            v3 = ((v3 << 16) | (v3 >> 48)) & m64 ^ v2
            v0 = (v0 + v3) & m64
            v3 = ((v3 << 21) | (v3 >> 43)) & m64 ^ v0
            v2 = (v2 + v1) & m64
            v1 = ((v1 << 17) | (v1 >> 47)) & m64 ^ v2
            v2 = ((v2 << 32) | (v2 >> 32)) & m64
        if m is not None:
            v0 ^= m
    return v0 ^ v1 ^ v2 ^ v3


def murmur_hash64(s: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """The 64-bit MurmurHash2 (MurmurHash64A) of `s`: TF's legacy string hash."""
    m = 0xC6A4A7935BD1E995
    n = len(s)
    h = (seed ^ (n * m)) & _M64
    full = n - n % 8
    for i in range(0, full, 8):
        k = (_U64(s, i)[0] * m) & _M64
        k = ((k ^ (k >> 47)) * m) & _M64
        h = ((h ^ k) * m) & _M64
    if n % 8:
        h = ((h ^ int.from_bytes(s[full:], "little")) * m) & _M64
    h = ((h ^ (h >> 47)) * m) & _M64
    return h ^ (h >> 47)


def _bucket_primitive(op, hash_fn):
    def forward(x, *, num_buckets, key=None):
        if key is None:
            return _map(lambda s: hash_fn(s) % num_buckets, x, np.int64)
        return _map(lambda s: hash_fn(key[0], key[1], s) % num_buckets, x, np.int64)
    return primitive(op, shape=rules.same_shape, dtype=lambda *a, **k: D.int64,
                     allowed=_STRING, differentiable=False)(forward)


_hash_fast = _bucket_primitive("StringToHashBucketFast", fingerprint64)
_hash_strong = _bucket_primitive("StringToHashBucketStrong", siphash24)
_hash_legacy = _bucket_primitive("StringToHashBucket", murmur_hash64)


def _num_buckets(num_buckets, op):
    n = int(num_buckets)
    if n < 1:
        raise _error(f"Value for attr 'num_buckets' of {n} must be at least minimum 1\n\t; "
                     f"NodeDef: {{{{node {op}}}}} [Op:{op}]")
    return n


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """Hashes each string to a bucket in [0, num_buckets) with FarmHash Fingerprint64.

    >>> tf.strings.to_hash_bucket_fast(["a", "b"], 3).dtype
    tf.int64
    """
    n = _num_buckets(num_buckets, "StringToHashBucketFast")
    return _hash_fast(_string_input(input, "StringToHashBucketFast"), num_buckets=n)


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Hashes each string to a bucket in [0, num_buckets) with SipHash-2-4 keyed by the two
    integers in `key`.

    >>> tf.strings.to_hash_bucket_strong(["a"], 10, [1, 2]).shape
    TensorShape([1])
    """
    n = _num_buckets(num_buckets, "StringToHashBucketStrong")
    key = [int(k) & _M64 for k in key]
    if len(key) != 2:
        raise _error("Key must have 2 elements [Op:StringToHashBucketStrong]")
    return _hash_strong(_string_input(input, "StringToHashBucketStrong"), num_buckets=n,
                        key=tuple(key))


def to_hash_bucket(input, num_buckets, name=None):  # noqa: A002
    """Hashes each string to a bucket in [0, num_buckets) with TF's older 64-bit hash
    (prefer `to_hash_bucket_fast`).

    >>> tf.strings.to_hash_bucket(["a"], 5).dtype
    tf.int64
    """
    n = _num_buckets(num_buckets, "StringToHashBucket")
    return _hash_legacy(_string_input(input, "StringToHashBucket"), num_buckets=n)

"""The newer tf.strings ops and tf.io string ops: hand-computed values, published hash test
vectors, errors, and Hypothesis properties against Python's own codecs."""

import base64
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow._src.ops.string_hash_ops import fingerprint64, murmur_hash64, siphash24


def _list(t):
    return t.numpy().tolist()


# --- substr ---------------------------------------------------------------------------

def test_substr_bytes():
    assert tf.strings.substr("hello", 1, 3).numpy() == b"ell"
    assert tf.strings.substr("hello", -2, 3).numpy() == b"lo"
    assert tf.strings.substr("hello", 5, 3).numpy() == b""
    assert tf.strings.substr("hello", 1, -1).numpy() == b"ello"
    assert _list(tf.strings.substr(["hello", "ab"], [1, 0], [2, 5])) == [b"el", b"ab"]


def test_substr_utf8_chars():
    assert tf.strings.substr("héllo", 1, 2, unit="UTF8_CHAR").numpy() == "él".encode()
    assert tf.strings.substr("héllo", -4, 2, unit="UTF8_CHAR").numpy() == "él".encode()
    assert tf.strings.substr("日本語", 1, 5, unit="UTF8_CHAR").numpy() == "本語".encode()


def test_substr_broadcasts_pos_against_input():
    out = tf.strings.substr([["hello", "ab"], ["xyz", "q"]], [1, 0], [1, 1])
    assert out.shape == [2, 2] and _list(out) == [[b"e", b"a"], [b"y", b"q"]]
    out = tf.strings.substr(["hello", "ab"], [[1], [0]], [[1], [1]])
    assert _list(out) == [[b"e", b"b"], [b"h", b"a"]]


def test_substr_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"pos 6 out of range for string b'hello' at index 0"):
        tf.strings.substr("hello", 6, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at index 1"):
        tf.strings.substr(["hello", "ab"], 3, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"at index \(1, 0\)"):
        tf.strings.substr(["hello", "ab"], [[1, 1], [7, 1]], [[1, 1], [1, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="pos and len should have the same"):
        tf.strings.substr(["hello", "ab"], [1, 0], 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs"):
        tf.strings.substr(["a", "b", "c"], [1, 0], [1, 1])
    with pytest.raises(tf.errors.UnimplementedError, match="3 dimensions"):
        tf.strings.substr([["a"]], [[[0]], [[0]]], [[[1]], [[1]]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="'unit'"):
        tf.strings.substr("a", 0, 1, unit="CHAR")
    with pytest.raises(tf.errors.InvalidArgumentError, match="pos -1 out of range"):
        tf.strings.substr("abc", -1, -1, unit="UTF8_CHAR")


# --- regex_full_match -------------------------------------------------------------------

def test_regex_full_match():
    assert _list(tf.strings.regex_full_match(["abc", "ab1", ""], "[a-z]*")) == [True, False,
                                                                                 True]
    assert tf.strings.regex_full_match("é", ".").numpy()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid pattern"):
        tf.strings.regex_full_match("a", "(")


# --- hashes: published test vectors and documented buckets ----------------------------

def test_siphash_reference_vectors():
    # The SipHash paper's key 00..0f; messages 00..(n-1).
    k0 = int.from_bytes(bytes(range(8)), "little")
    k1 = int.from_bytes(bytes(range(8, 16)), "little")
    assert siphash24(k0, k1, b"") == 0x726FDB47DD0E0E31
    assert siphash24(k0, k1, bytes(range(15))) == 0xA129CA6149BE45E5


def test_fingerprint64_of_empty_is_k2():
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F


def test_hash_functions_depend_on_every_byte_and_length():
    for fn in (fingerprint64, murmur_hash64, lambda s: siphash24(1, 2, s)):
        for n in (1, 3, 7, 8, 16, 17, 33, 64, 65, 200):
            data = bytes(range(n))
            flipped = data[:-1] + bytes([data[-1] ^ 1])
            assert fn(data) != fn(flipped) and fn(data) != fn(data + b"\0")
            assert 0 <= fn(data) < 2 ** 64


def test_hash_buckets_as_documented():
    # TensorFlow's documentation examples.
    assert _list(tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3)) == [0, 2, 2]
    assert _list(tf.strings.to_hash_bucket_strong(["Hello", "TF"], 3, [1, 2])) == [2, 0]
    assert _list(tf.strings.to_hash_bucket(["Hello", "TensorFlow", "2.x"], 3)) == [2, 0, 1]
    out = tf.strings.to_hash_bucket_fast([["a", "b"]], 10)
    assert out.dtype == tf.int64 and out.shape == [1, 2]
    assert int(tf.strings.to_hash_bucket_fast("x", 1)) == 0


def test_hash_bucket_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be at least minimum 1"):
        tf.strings.to_hash_bucket_fast("a", 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Key must have 2 elements"):
        tf.strings.to_hash_bucket_strong("a", 3, [1])


# --- unsorted_segment_join, format -----------------------------------------------------

def test_unsorted_segment_join():
    out = tf.strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 3, separator="-")
    assert _list(out) == [b"b", b"a-c", b""]
    out = tf.strings.unsorted_segment_join([["a", "b"], ["c", "d"]], [1, 0], 2)
    assert _list(out) == [[b"c", b"d"], [b"a", b"b"]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not allowed to exceed"):
        tf.strings.unsorted_segment_join(["a"], [3], 2)


def test_format():
    assert tf.strings.format("x={} y={}", (1, tf.constant([1.5, 2.0]))).numpy() == \
        b"x=1 y=[1.5 2]"
    assert tf.strings.format("{}", tf.range(10)).numpy() == b"[0 1 2 ... 7 8 9]"
    assert tf.strings.format("{}", tf.range(10), summarize=1).numpy() == b"[0 ... 9]"
    assert tf.strings.format("{}", tf.constant([[1, 2], [3, 4]])).numpy() == b"[[1 2]\n [3 4]]"
    assert tf.strings.format("{}", tf.constant(["a"])).numpy() == b'["a"]'
    assert tf.strings.format("{}", tf.constant([0.1, 1e-7])).numpy() == b"[0.1 1e-07]"
    assert tf.strings.format("<%>", [tf.constant(True)], placeholder="%").numpy() == b"<1>"
    with pytest.raises(ValueError, match="expects 2 tensors, but the inputs only has 1"):
        tf.strings.format("{} {}", [1])


# --- Unicode ---------------------------------------------------------------------------

def test_unicode_encode():
    assert tf.strings.unicode_encode([104, 233], "UTF-8").numpy() == b"h\xc3\xa9"
    out = tf.strings.unicode_encode([[104], [0x1F600]], "UTF-16-BE")
    assert _list(out) == [b"\x00h", b"\xd8\x3d\xde\x00"]
    assert tf.strings.unicode_encode([65], "UTF-32-BE").numpy() == b"\x00\x00\x00A"
    assert tf.strings.unicode_encode([104, -1], "UTF-8").numpy() == b"h\xef\xbf\xbd"
    assert tf.strings.unicode_encode([104, -1], "UTF-8", errors="ignore").numpy() == b"h"
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range for Unicode"):
        tf.strings.unicode_encode([0xD800], "UTF-8", errors="strict")
    with pytest.raises(ValueError, match="rank must be at least 1"):
        tf.strings.unicode_encode(65, "UTF-8")


def test_unicode_decode_and_split_scalars():
    assert _list(tf.strings.unicode_decode("héy", "UTF-8")) == [104, 233, 121]
    assert _list(tf.strings.unicode_decode(b"h\xffy", "UTF-8")) == [104, 0xFFFD, 121]
    cps, offsets = tf.strings.unicode_decode_with_offsets("héy", "UTF-8")
    assert _list(offsets) == [0, 1, 3] and offsets.dtype == tf.int64
    assert _list(tf.strings.unicode_split("hé", "UTF-8")) == [b"h", b"\xc3\xa9"]
    chars, offsets = tf.strings.unicode_split_with_offsets("hé", "UTF-8")
    assert _list(offsets) == [0, 1]
    assert _list(tf.strings.bytes_split("hé")) == [b"h", b"\xc3", b"\xa9"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid formatting"):
        tf.strings.unicode_decode(b"\xff", "UTF-8", errors="strict")
    # Ill-formed UTF-8 is replaced per maximal subpart: E2 82 is one, ED A0 80 three.
    assert _list(tf.strings.unicode_decode(b"\xe2\x82a", "UTF-8")) == [0xFFFD, 97]
    assert _list(tf.strings.unicode_decode(b"\xed\xa0\x80", "UTF-8")) == [0xFFFD] * 3


def test_ragged_results_are_not_implemented():
    for fn in (lambda: tf.strings.unicode_decode(["a"], "UTF-8"),
               lambda: tf.strings.unicode_split(["a"], "UTF-8"),
               lambda: tf.strings.bytes_split(["a"])):
        with pytest.raises(NotImplementedError, match="RaggedTensor"):
            fn()


def test_unicode_transcode():
    out = tf.strings.unicode_transcode(["hé", b"a\xffb"], "UTF-8", "UTF-16-BE")
    assert _list(out) == [b"\x00h\x00\xe9", b"\x00a\xff\xfd\x00b"]
    out = tf.strings.unicode_transcode("a\x00b", "UTF-8", "UTF-8",
                                       replace_control_characters=True)
    assert out.numpy() == b"a\xef\xbf\xbdb"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not create converter"):
        tf.strings.unicode_transcode("a", "no-such-encoding", "UTF-8")


def test_unicode_script():
    out = tf.strings.unicode_script([65, 0x3B1, 0x430, 0x4E00, 0x627, 0x5D0, 0x3042, 0x30A2,
                                     0xAC00, 0x20, 0x300, -1])
    # Latin, Greek, Cyrillic, Han, Arabic, Hebrew, Hiragana, Katakana, Hangul, Common,
    # Inherited, invalid.
    assert _list(out) == [25, 14, 8, 17, 2, 19, 20, 22, 18, 0, 1, -1]
    assert out.dtype == tf.int32


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
def test_decode_encode_round_trip_matches_python(text):
    cps = tf.strings.unicode_decode(text, "UTF-8")
    assert _list(cps) == [ord(c) for c in text]
    for enc, py in (("UTF-8", "utf-8"), ("UTF-16-BE", "utf-16-be"), ("UTF-32-BE", "utf-32-be")):
        if text:
            assert tf.strings.unicode_encode(cps, enc).numpy() == text.encode(py)
        assert tf.strings.unicode_transcode(text, "UTF-8", enc).numpy() == text.encode(py)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=12))
def test_decode_replacement_matches_python(data):
    # Python's 'replace' handler follows the same maximal-subpart rule as ICU.
    expected = [ord(c) for c in data.decode("utf-8", "replace")]
    assert _list(tf.strings.unicode_decode(data, "UTF-8")) == expected


# --- ngrams ----------------------------------------------------------------------------

def test_ngrams():
    assert _list(tf.strings.ngrams(["a", "b", "c"], 2)) == [b"a b", b"b c"]
    assert _list(tf.strings.ngrams(["a", "b", "c"], (1, 2))) == [b"a", b"b", b"c", b"a b",
                                                                  b"b c"]
    out = tf.strings.ngrams(["a", "b", "c"], 2, separator="_", pad_values=("<", ">"))
    assert _list(out) == [b"<_a", b"a_b", b"b_c", b"c_>"]
    assert _list(tf.strings.ngrams(["a", "b"], 3)) == []
    assert _list(tf.strings.ngrams(["a", "b"], 3, preserve_short_sequences=True)) == [b"a b"]
    assert tf.strings.ngrams([["a", "b", "c"]] * 2, 2).shape == [2, 2]
    with pytest.raises(ValueError, match="rank>0"):
        tf.strings.ngrams("a", 2)


# --- tf.io ------------------------------------------------------------------------------

def test_decode_raw():
    assert _list(tf.io.decode_raw(b"\x01\x02\x03\x04", tf.int16)) == [0x0201, 0x0403]
    out = tf.io.decode_raw([b"\x01\x02", b"\x03\x04"], tf.int16, little_endian=False)
    assert _list(out) == [[0x0102], [0x0304]] and out.dtype == tf.int16
    out = tf.io.decode_raw([b"\x01\x02\x03", b"\x04"], tf.uint8, fixed_length=4)
    assert _list(out) == [[1, 2, 3, 0], [4, 0, 0, 0]]
    assert _list(tf.io.decode_raw(struct.pack("<f", 1.5), tf.float32)) == [1.5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple of 2"):
        tf.io.decode_raw(b"\x01\x02\x03", tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="all be the same size"):
        tf.io.decode_raw([b"ab", b"abcd"], tf.int16)


def test_base64():
    assert tf.io.encode_base64(b"\xfb\xff").numpy() == b"-_8"
    assert tf.io.encode_base64(b"ab", pad=True).numpy() == b"YWI="
    assert _list(tf.io.decode_base64(["YWI", "YWI=", "-_8"])) == [b"ab", b"ab", b"\xfb\xff"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid character"):
        tf.io.decode_base64("YW+/")
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 modulo 4"):
        tf.io.decode_base64("Y")


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=20), st.booleans())
def test_base64_matches_python(data, pad):
    out = tf.io.encode_base64(data, pad=pad).numpy()
    expected = base64.urlsafe_b64encode(data)
    assert out == (expected if pad else expected.rstrip(b"="))
    assert tf.io.decode_base64(out).numpy() == data


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), min_size=1, max_size=6), st.booleans())
def test_decode_raw_matches_numpy(values, little):
    dt = np.dtype("<i4" if little else ">i4")
    raw = np.array(values, dtype=dt).tobytes()
    assert _list(tf.io.decode_raw(raw, tf.int32, little_endian=little)) == values


def test_string_ops_trace_under_tf_function():
    @tf.function
    def f(x):
        return (tf.strings.substr(x, 0, 1), tf.strings.to_hash_bucket_fast(x, 5),
                tf.strings.regex_full_match(x, "a.*"))
    first, buckets, match = f(tf.constant(["ab", "cd"]))
    assert _list(first) == [b"a", b"c"] and buckets.dtype == tf.int64
    assert _list(match) == [True, False]


def test_serialize_tensor_writes_tensorproto_bytes():
    # dtype=3 (int32), an empty shape, tensor_content = 03 00 00 00.
    assert tf.io.serialize_tensor(tf.constant(3)).numpy() == \
        b'\x08\x03\x12\x00"\x04\x03\x00\x00\x00'
    # dtype=7 (string), shape [2], two string_val fields.
    assert tf.io.serialize_tensor(tf.constant(["a", "bc"])).numpy() == \
        b"\x08\x07\x12\x04\x12\x02\x08\x02B\x01aB\x02bc"


def test_parse_tensor_round_trip_and_typed_fields():
    for value in (tf.constant([[1.5, -2.0]]), tf.constant([1 + 2j]), tf.constant([True]),
                  tf.constant(["x", ""]), tf.zeros([0, 2], tf.int64),
                  tf.constant([-3, 7], tf.int8), tf.constant(0.5, tf.float16)):
        out = tf.io.parse_tensor(tf.io.serialize_tensor(value), value.dtype)
        assert out.dtype == value.dtype and out.shape == value.shape
        assert out.numpy().tolist() == value.numpy().tolist()
    # int_val entries (field 7) instead of tensor_content; the last one repeats.
    out = tf.io.parse_tensor(b"\x08\x03\x12\x04\x12\x02\x08\x03\x38\x05\x38\x06", tf.int32)
    assert _list(out) == [5, 6, 6]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Type mismatch"):
        tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant(1.0)), tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse"):
        tf.io.parse_tensor(b"junk", tf.int32)


def test_docstring_examples_run():
    import doctest

    from tapeflow._src.ops import string_extra_ops, string_hash_ops, unicode_ops
    for module in (string_extra_ops, string_hash_ops, unicode_ops):
        result = doctest.testmod(module, extraglobs={"tf": tf},
                                 optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_multibyte_legacy_encodings_are_not_implemented():
    with pytest.raises(NotImplementedError, match="shift_jis"):
        tf.strings.unicode_decode(b"\x82\xa0", "shift_jis")

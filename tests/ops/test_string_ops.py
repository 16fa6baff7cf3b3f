"""String tensors and tf.strings: creation, comparison, printing (text recorded from
TF 2.21), the element-wise ops, and Hypothesis properties against Python's bytes/str."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf

V = ["a", "bc", "héllo"]


def test_creation_stores_utf8_bytes():
    t = tf.constant(V)
    assert t.dtype == tf.string and t.shape == [3]
    assert t.numpy().tolist() == [b"a", b"bc", b"h\xc3\xa9llo"]
    assert tf.constant("x").numpy() == b"x"
    assert tf.constant(b"\xff\x00").numpy() == b"\xff\x00"


def test_printing_matches_tensorflow():
    s = tf.constant("héllo")
    assert str(s) == "tf.Tensor(b'h\\xc3\\xa9llo', shape=(), dtype=string)"
    assert repr(s) == "<tf.Tensor: shape=(), dtype=string, numpy=b'h\\xc3\\xa9llo'>"
    v = tf.constant(V)
    assert str(v) == "tf.Tensor([b'a' b'bc' b'h\\xc3\\xa9llo'], shape=(3,), dtype=string)"
    assert repr(v) == ("<tf.Tensor: shape=(3,), dtype=string, numpy=array([b'a', b'bc', "
                       "b'h\\xc3\\xa9llo'], dtype=object)>")
    m = tf.constant([["a", "b"], ["c", "d"]])
    assert str(m) == "tf.Tensor(\n[[b'a' b'b']\n [b'c' b'd']], shape=(2, 2), dtype=string)"


def test_variable_printing_matches_tensorflow():
    var = tf.Variable(["x", "yz"])
    text = ("<tf.Variable 'Variable:0' shape=(2,) dtype=string, numpy=array([b'x', b'yz'], "
            "dtype=object)>")
    assert repr(var) == text and str(var) == text
    assert repr(tf.Variable("x")) == "<tf.Variable 'Variable:0' shape=() dtype=string, numpy=b'x'>"


def test_comparison_and_concatenation():
    v = tf.constant(V)
    assert bool(tf.constant("héllo") == "héllo")
    assert (v == tf.constant(["a", "x", "héllo"])).numpy().tolist() == [True, False, True]
    assert tf.equal(v, "a").numpy().tolist() == [True, False, False]
    assert (v != "a").numpy().tolist() == [False, True, True]
    assert (v + "!").numpy().tolist() == [b"a!", b"bc!", b"h\xc3\xa9llo!"]
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype string"):
        v == 1  # noqa: B015
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of string"):
        tf.less(v, "b")


def test_join():
    v = tf.constant(V)
    assert tf.strings.join([v, "!"], separator="-").numpy().tolist() == \
        [b"a-!", b"bc-!", b"h\xc3\xa9llo-!"]
    assert tf.strings.join(["a", "b"]).numpy() == b"ab"
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Input shapes do not match: \[3\] vs. \[2\] \[Op:StringJoin\]"):
        tf.strings.join([v, tf.constant(["a", "b"])])
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype string"):
        tf.strings.join([v, 1])


def test_reduce_join():
    m = tf.constant([["a", "b"], ["c", "d"]])
    assert tf.strings.reduce_join(m).numpy() == b"abcd"
    assert tf.strings.reduce_join(m, axis=0, separator=",").numpy().tolist() == [b"a,c", b"b,d"]
    assert tf.strings.reduce_join(m, axis=1, keepdims=True).shape == [2, 1]


def test_length_units_and_errors():
    v = tf.constant(V)
    assert tf.strings.length(v).numpy().tolist() == [1, 2, 6]
    out = tf.strings.length(v, unit="UTF8_CHAR")
    assert out.dtype == tf.int32 and out.numpy().tolist() == [1, 2, 5]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Value for attr 'unit' of \"CHAR\" is not in the list of allowed "
                             "values: \"BYTE\", \"UTF8_CHAR\""):
        tf.strings.length(v, unit="CHAR")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute StringLength as input #0\(zero-based\) was expected "
                             r"to be a string tensor but is a int32 tensor"):
        tf.strings.length(tf.constant([1]))


def test_upper_lower_ascii_and_utf8():
    v = tf.constant(V)
    assert tf.strings.upper(v).numpy().tolist() == [b"A", b"BC", b"H\xc3\xa9LLO"]
    assert tf.strings.upper(v, encoding="utf-8").numpy()[2] == "HÉLLO".encode()
    w = tf.constant(["ABC", "ÉX"])
    assert tf.strings.lower(w).numpy().tolist() == [b"abc", "Éx".encode()]
    assert tf.strings.lower(w, encoding="utf-8").numpy().tolist() == [b"abc", "éx".encode()]
    assert tf.strings.strip(["  a \n"]).numpy().tolist() == [b"a"]


@pytest.mark.parametrize("value,kwargs,want", [
    ([1, 22], {}, [b"1", b"22"]),
    ([1.5, 2.0, 1e10, 1e-7], {}, [b"1.500000", b"2.000000", b"10000000000.000000",
                                  b"0.000000"]),
    ([1.5, 2.25], {"precision": 1}, [b"1.5", b"2.2"]),
    ([1.5], {"scientific": True}, [b"1.500000e+00"]),
    ([True, False], {}, [b"true", b"false"]),
    ([3], {"width": 4, "fill": "0"}, [b"0003"]),
    ([3], {"width": 3}, [b"  3"]),
    ([1 + 2j], {}, [b"(1.000000,2.000000)"]),
    (["a"], {}, [b"a"]),
])
def test_as_string(value, kwargs, want):
    assert tf.strings.as_string(value, **kwargs).numpy().tolist() == want


def test_to_number():
    out = tf.strings.to_number(["1.5", "2", " 1.5", "1e3"])
    assert out.dtype == tf.float32 and out.numpy().tolist() == [1.5, 2.0, 1.5, 1000.0]
    assert tf.strings.to_number(["1", "-2"], out_type=tf.int32).numpy().tolist() == [1, -2]
    special = tf.strings.to_number(["inf", "nan"]).numpy()
    assert np.isinf(special[0]) and np.isnan(special[1])
    assert tf.strings.to_number(["0.1"], tf.float64).numpy()[0] == 0.1
    for bad, dtype in (("x", tf.float32), ("1.5", tf.int32), ("1_0", tf.int32)):
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=f"^StringToNumberOp could not correctly convert string: {bad} "
                                 r"\[Op:StringToNumber\]$"):
            tf.strings.to_number([bad], dtype)


def test_split_scalar_and_regex_replace():
    assert tf.strings.split("a b  c").numpy().tolist() == [b"a", b"b", b"c"]
    assert tf.strings.split("a,b,,c", sep=",").numpy().tolist() == [b"a", b"b", b"", b"c"]
    with pytest.raises(NotImplementedError, match="RaggedTensor"):
        tf.strings.split(["a b"])
    out = tf.strings.regex_replace(["Hello, World!"], r"[^\w\s]", "")
    assert out.numpy().tolist() == [b"Hello World"]
    assert tf.strings.regex_replace("aaa", "a", "b", replace_global=False).numpy() == b"baa"
    assert tf.strings.regex_replace("ab", "(a)(b)", r"\2\1").numpy() == b"ba"


def test_list_conversion_keeps_trailing_nul():
    assert tf.constant(["a\x00"]).numpy().tolist() == [b"a\x00"]
    assert tf.constant([], tf.string).shape == (0,)


# NUL is excluded until the conversion bug above is fixed: these properties are about the ops.
@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters="\x00"), max_size=6),
                min_size=1, max_size=4))
def test_string_ops_match_python(words):
    t = tf.constant(words)
    enc = [w.encode("utf-8") for w in words]
    assert tf.strings.length(t).numpy().tolist() == [len(b) for b in enc]
    assert tf.strings.length(t, unit="UTF8_CHAR").numpy().tolist() == [len(w) for w in words]
    assert tf.strings.upper(t).numpy().tolist() == [b.upper() for b in enc]
    assert tf.strings.reduce_join(t, separator="|").numpy() == b"|".join(enc)
    assert (t == tf.constant(words)).numpy().all()


def test_shape_and_dtype_rules_match_eager_results():
    from tapeflow._src.ops import string_ops as S
    x = tf.constant([["a", "B"], ["c", "d"]])
    cases = [
        (S._string_length, (x,), {"unit": "BYTE"}),
        (S._upper, (x,), {"encoding": ""}),
        (S._strip, (x,), {}),
        (S._string_join, (x, tf.constant("!")), {"separator": b""}),
        (S._as_string, (tf.constant([1.5]),), {"precision": -1, "scientific": False,
                                                "shortest": False, "width": -1, "fill": ""}),
        (S._regex_replace, (x,), {"pattern": "a", "rewrite": "b", "replace_global": True}),
    ]
    for fn, inputs, attrs in cases:
        prim = fn.primitive
        out = fn(*inputs, **attrs)
        assert tuple(prim.shape_rule(*[tuple(t.shape) for t in inputs], **attrs)) == \
            tuple(out.shape)
        assert prim.dtype_rule(*[t.dtype for t in inputs], **attrs) == out.dtype

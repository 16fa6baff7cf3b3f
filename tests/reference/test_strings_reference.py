"""Differential tests of string tensors and tf.strings against real TensorFlow: printed
text of tensors and Variables, values, dtypes and exception types/messages."""

import re

import pytest

import tapeflow as tf

WORDS = ["a", "bc", "héllo", "", "ÉX y"]


def _strip(msg):
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", msg)


def _run(mod, fn):
    try:
        out = fn(mod)
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return type(e).__name__, _strip(str(e)).split("\n")[0]
    return "ok", repr(out)


PRINT_CASES = {
    "scalar_str": lambda t: str(t.constant("héllo")),
    "scalar_repr": lambda t: repr(t.constant("héllo")),
    "vector_str": lambda t: str(t.constant(WORDS)),
    "vector_repr": lambda t: repr(t.constant(WORDS)),
    "matrix_str": lambda t: str(t.constant([["a", "b"], ["c", "d"]])),
    "matrix_repr": lambda t: repr(t.constant([["a", "b"], ["c", "d"]])),
    "bytes_repr": lambda t: repr(t.constant(b"\xff\x00'\"")),
    "long_repr": lambda t: repr(t.constant(["x" * 90] * 2)),
    "variable_repr": lambda t: repr(t.Variable(["x", "yz"])),
    "variable_str": lambda t: str(t.Variable(["x", "yz"])),
    "variable_scalar": lambda t: repr(t.Variable("héllo")),
    "variable_matrix": lambda t: repr(t.Variable([["a"], ["b"]])),
    "numpy": lambda t: repr(t.constant(WORDS).numpy()),
}


@pytest.mark.parametrize("case", sorted(PRINT_CASES))
def test_printing_matches_tensorflow(tf_ref, case):
    assert PRINT_CASES[case](tf) == PRINT_CASES[case](tf_ref)


OP_CASES = {
    "eq": lambda t: t.constant(WORDS) == "bc",
    "eq_tensor": lambda t: t.constant(WORDS) == t.constant(WORDS[::-1]),
    "equal": lambda t: t.equal(t.constant(WORDS), "a"),
    "not_equal": lambda t: t.not_equal(t.constant(WORDS), ""),
    "eq_number": lambda t: t.constant(WORDS) == 1,
    "add": lambda t: t.constant(WORDS) + "!",
    "join": lambda t: t.strings.join([t.constant(WORDS), "x"], separator="-"),
    "join_scalars": lambda t: t.strings.join(["a", "b", "c"]),
    "join_shapes": lambda t: t.strings.join([t.constant(["a", "b"]), t.constant(["c"])]),
    "join_number": lambda t: t.strings.join([t.constant(["a"]), 1]),
    "reduce_join": lambda t: t.strings.reduce_join([["a", "b"], ["c", "d"]], axis=0,
                                                   separator=","),
    "reduce_join_all": lambda t: t.strings.reduce_join([["a", "b"], ["c", "d"]]),
    "length": lambda t: t.strings.length(WORDS),
    "length_utf8": lambda t: t.strings.length(WORDS, unit="UTF8_CHAR"),
    "length_bad_unit": lambda t: t.strings.length(WORDS, unit="CHAR"),
    "length_number": lambda t: t.strings.length(t.constant([1])),
    "upper": lambda t: t.strings.upper(WORDS),
    "upper_utf8": lambda t: t.strings.upper(WORDS, encoding="utf-8"),
    "lower": lambda t: t.strings.lower(WORDS),
    "lower_utf8": lambda t: t.strings.lower(WORDS, encoding="utf-8"),
    "strip": lambda t: t.strings.strip([" a ", "\tb\n"]),
    "as_string_int": lambda t: t.strings.as_string(t.constant([1, -22], t.int64)),
    "as_string_float": lambda t: t.strings.as_string([1.5, 1 / 3, 1e10, 1e-7, -0.0]),
    "as_string_double": lambda t: t.strings.as_string(t.constant([1 / 3], t.float64)),
    "as_string_precision": lambda t: t.strings.as_string([1.25, 2.5], precision=3),
    "as_string_scientific": lambda t: t.strings.as_string([12345.678], scientific=True),
    "as_string_shortest": lambda t: t.strings.as_string([12345.678, 0.5], shortest=True),
    "as_string_width": lambda t: t.strings.as_string([3, 42], width=5, fill="0"),
    "as_string_bool": lambda t: t.strings.as_string([True, False]),
    "as_string_complex": lambda t: t.strings.as_string([1 + 2j]),
    "to_number": lambda t: t.strings.to_number(["1.5", " 2", "-1e3", "inf"]),
    "to_number_int": lambda t: t.strings.to_number(["1", "-2"], out_type=t.int64),
    "to_number_double": lambda t: t.strings.to_number(["0.1"], t.float64),
    "to_number_bad": lambda t: t.strings.to_number(["x"]),
    "to_number_bad_int": lambda t: t.strings.to_number(["1.5"], t.int32),
    "split_scalar": lambda t: t.strings.split("a b  c"),
    "split_sep": lambda t: t.strings.split("a,b,,c", sep=","),
    "split_maxsplit": lambda t: t.strings.split("a,b,c", sep=",", maxsplit=1),
    "regex_replace": lambda t: t.strings.regex_replace(["Hello, World!", "a-b"], r"[^\w\s]",
                                                       ""),
    "regex_replace_first": lambda t: t.strings.regex_replace("aaa", "a", "b",
                                                             replace_global=False),
    "regex_groups": lambda t: t.strings.regex_replace("ab", "(a)(b)", r"\2\1"),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_string_ops_match_tensorflow(tf_ref, case):
    ours, theirs = _run(tf, OP_CASES[case]), _run(tf_ref, OP_CASES[case])
    assert ours[0] == theirs[0], (ours, theirs)
    assert ours[1] == theirs[1]

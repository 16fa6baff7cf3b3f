"""Differential tests of tf.random against real TensorFlow: dtypes, shapes, exception
types and messages, and the seed rules (which both libraries must obey; the values
themselves come from different generators and are never compared)."""

import re

import numpy as np
import pytest

import tapeflow as tf


@pytest.fixture(autouse=True)
def _no_global_seed(tf_ref):
    tf.random.set_seed(None)
    tf_ref.random.set_seed(None)
    yield
    tf.random.set_seed(None)
    tf_ref.random.set_seed(None)


def _strip(msg):
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", msg)


def _run(mod, fn):
    try:
        out = fn(mod)
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return type(e).__name__, _strip(str(e)).split("\n")[0]
    return "ok", (out.dtype.name, tuple(out.shape))


CASES = {
    "uniform": lambda t: t.random.uniform([2, 3]),
    "uniform_f64": lambda t: t.random.uniform([2], dtype=t.float64),
    "uniform_f16": lambda t: t.random.uniform([2], dtype=t.float16),
    "uniform_int": lambda t: t.random.uniform([4], maxval=5, dtype=t.int64),
    "uniform_shape_tensor": lambda t: t.random.uniform(t.constant([2, 3])),
    "uniform_empty": lambda t: t.random.uniform([0, 2]),
    "uniform_int_no_max": lambda t: t.random.uniform([2], dtype=t.int32),
    "uniform_uint8": lambda t: t.random.uniform([2], maxval=5, dtype=t.uint8),
    "uniform_bool": lambda t: t.random.uniform([2], dtype=t.bool),
    "uniform_complex": lambda t: t.random.uniform([2], dtype=t.complex64),
    "uniform_int_equal_bounds": lambda t: t.random.uniform([2], 5, 5, dtype=t.int32),
    "uniform_int_vector_bounds": lambda t: t.random.uniform([3], [0, 1, 2], 9, dtype=t.int32),
    "uniform_negative_dim": lambda t: t.random.uniform([-1]),
    "uniform_float_shape": lambda t: t.random.uniform([2.0]),
    "uniform_bound_dtype": lambda t: t.random.uniform(
        [2], minval=t.constant(0, t.int64), maxval=5, dtype=t.int32),
    "normal": lambda t: t.random.normal([3], mean=t.constant([0.0, 1.0, 2.0])),
    "normal_f64": lambda t: t.random.normal([2], dtype=t.float64),
    "normal_scalar_shape": lambda t: t.random.normal([]),
    "normal_int_shape": lambda t: t.random.normal(3),
    "normal_int": lambda t: t.random.normal([2], dtype=t.int32),
    "normal_bool": lambda t: t.random.normal([2], dtype=t.bool),
    "normal_complex": lambda t: t.random.normal([2], dtype=t.complex64),
    "truncated": lambda t: t.random.truncated_normal([2, 2], dtype=t.float16),
    "truncated_int": lambda t: t.random.truncated_normal([2], dtype=t.int32),
    "categorical": lambda t: t.random.categorical([[0.0, 1.0]], 4),
    "categorical_int32": lambda t: t.random.categorical([[0.0, 1.0]], 4, dtype=t.int32),
    "categorical_float_dtype": lambda t: t.random.categorical([[0.0]], 4, dtype=t.float32),
    "categorical_vector": lambda t: t.random.categorical([0.0, 1.0], 4),
    "categorical_zero": lambda t: t.random.categorical([[0.0, 1.0]], 0),
    "shuffle": lambda t: t.random.shuffle([[1, 2], [3, 4], [5, 6]]),
    "shuffle_scalar": lambda t: t.random.shuffle(3),
    "gen_normal": lambda t: t.random.Generator.from_seed(1).normal([2, 2]),
    "gen_uniform_int": lambda t: t.random.Generator.from_seed(1).uniform(
        [2], maxval=5, dtype=t.int32),
    "gen_uniform_full": lambda t: t.random.Generator.from_seed(1).uniform(
        [2], minval=None, maxval=None, dtype=t.int64),
    "gen_uniform_int_no_max": lambda t: t.random.Generator.from_seed(1).uniform(
        [2], dtype=t.int32),
    "gen_uniform_uint8": lambda t: t.random.Generator.from_seed(1).uniform(
        [2], maxval=3, dtype=t.uint8),
    "gen_full_int": lambda t: t.random.Generator.from_seed(1).uniform_full_int([3]),
    "gen_full_int_i32": lambda t: t.random.Generator.from_seed(1).uniform_full_int([3], t.int32),
    "gen_normal_int": lambda t: t.random.Generator.from_seed(1).normal([2], dtype=t.int32),
    "gen_truncated": lambda t: t.random.Generator.from_seed(1).truncated_normal([3]),
    "gen_make_seeds": lambda t: t.random.Generator.from_seed(1).make_seeds(3),
    "gen_binomial": lambda t: t.random.Generator.from_seed(1).binomial([2], 5.0, 0.5),
    "gen_string_seed": lambda t: t.random.Generator.from_seed("a").normal([1]),
    "stateless_uniform": lambda t: t.random.stateless_uniform([2], seed=[1, 2]),
    "stateless_normal": lambda t: t.random.stateless_normal([2, 1], seed=[1, 2]),
    "stateless_truncated": lambda t: t.random.stateless_truncated_normal([2], seed=[3, 4]),
    "stateless_bad_seed": lambda t: t.random.stateless_normal([2], seed=1),
    "stateless_int_no_max": lambda t: t.random.stateless_uniform([2], seed=[1, 2],
                                                                 dtype=t.int32),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_random_ops_match_tensorflow(tf_ref, case):
    ours, theirs = _run(tf, CASES[case]), _run(tf_ref, CASES[case])
    assert ours[0] == theirs[0], (ours, theirs)
    if case in ("normal_complex", "gen_uniform_uint8"):
        # TF lists the op's full registration after the first line; compare that line up to
        # the NodeDef, which tapeflow does not reproduce.
        assert ours[1].split(";")[0] == theirs[1].split(";")[0]
        return
    assert ours[1] == theirs[1]


def _seed_rules(t):
    """What the tf.random.set_seed documentation promises, as booleans."""
    same = lambda a, b: bool(np.array_equal(a.numpy(), b.numpy()))  # noqa: E731
    t.random.set_seed(1234)
    a1, a2 = t.random.uniform([3]), t.random.uniform([3])
    s1, s2 = t.random.uniform([3], seed=1), t.random.uniform([3], seed=1)
    t.random.set_seed(1234)
    b1, b2 = t.random.uniform([3]), t.random.uniform([3])
    r1, r2 = t.random.uniform([3], seed=1), t.random.uniform([3], seed=1)
    g1, g2 = t.random.Generator.from_seed(5), t.random.Generator.from_seed(5)
    st1 = t.random.stateless_normal([3], seed=[1, 2])
    st2 = t.random.stateless_normal([3], seed=[1, 2])
    return {
        "calls differ": not same(a1, a2),
        "reset repeats": same(a1, b1) and same(a2, b2),
        "op seed calls differ": not same(s1, s2),
        "op seed reset repeats": same(s1, r1) and same(s2, r2),
        "generators repeat": same(g1.normal([3]), g2.normal([3])),
        "generator advances": not same(g1.normal([3]), g1.normal([3])),
        "stateless repeats": same(st1, st2),
    }


def test_seed_rules_match_tensorflow(tf_ref):
    ours, theirs = _seed_rules(tf), _seed_rules(tf_ref)
    assert ours == theirs
    assert all(ours.values())


def test_signatures_match_tensorflow(tf_ref):
    import inspect

    def params(f):
        return [p.name for p in inspect.signature(f).parameters.values()]

    for name in ("uniform", "normal", "truncated_normal", "categorical", "shuffle", "set_seed",
                 "stateless_uniform", "stateless_normal", "stateless_truncated_normal"):
        assert params(getattr(tf.random, name)) == params(getattr(tf_ref.random, name)), name
    for name in ("normal", "uniform", "truncated_normal", "uniform_full_int", "binomial",
                 "split", "make_seeds", "from_seed"):
        assert params(getattr(tf.random.Generator, name)) == \
            params(getattr(tf_ref.random.Generator, name)), name

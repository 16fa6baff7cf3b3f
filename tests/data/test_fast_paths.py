"""tf.data fast paths give exactly what the element-wise paths give.

* Row-index path: shuffle / repeat / take / skip over `from_tensor_slices` work on row
  indices and `batch` gathers rows with one fancy index per component. Checked against the
  same pipeline whose source is hidden behind an identity `map` (which forces the
  element-wise path), and against hand-computed batches.
* Batch stacking with np.array: same dtypes and errors as np.stack.
* Spec probes (a `map`'s output spec is learnt by running it on the first element) do not
  count as a pass: a seeded shuffle gives the same order whether or not element_spec was read.
* The AUTOTUNE tuner keeps the fewest threads unless more are clearly faster.
"""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow._src.data import parallel
from tapeflow._src.framework import errors


def values(ds):
    return [_plain(v) for v in ds.as_numpy_iterator()]


def _plain(v):
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in sorted(v.items())}
    if isinstance(v, np.ndarray):
        return (v.dtype.str, v.shape, v.tolist())
    if isinstance(v, np.generic):
        return (v.dtype.str, v.item())
    return v


def _hidden(ds):
    """The same elements through an identity map: no row-index path below this point."""
    return ds.map(lambda *xs: xs if len(xs) > 1 else xs[0])


def _apply(ds, ops):
    for op, arg in ops:
        if op == "shuffle":
            ds = ds.shuffle(arg[0], seed=arg[1], reshuffle_each_iteration=arg[2])
        elif op == "repeat":
            ds = ds.repeat(arg)
        elif op == "take":
            ds = ds.take(arg)
        elif op == "skip":
            ds = ds.skip(arg)
    return ds


_OPS = st.lists(st.one_of(
    st.tuples(st.just("shuffle"), st.tuples(st.integers(1, 40), st.integers(0, 5),
                                            st.booleans())),
    st.tuples(st.just("repeat"), st.integers(0, 3)),
    st.tuples(st.just("take"), st.integers(-1, 30)),
    st.tuples(st.just("skip"), st.integers(-1, 30)),
), max_size=4)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 25), ops=_OPS, batch=st.integers(1, 7), drop=st.booleans())
def test_row_index_path_equals_element_path(n, ops, batch, drop):
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64) * 10
    fast = _apply(tf.data.Dataset.from_tensor_slices((x, y)), ops)
    slow = _apply(_hidden(tf.data.Dataset.from_tensor_slices((x, y))), ops)
    assert fast._rows_source() is not None and slow._rows_source() is None
    # Two passes each: reshuffling per pass must match too.
    assert values(fast) == values(slow)
    assert values(fast) == values(slow)
    fast_b, slow_b = fast.batch(batch, drop), slow.batch(batch, drop)
    assert values(fast_b) == values(slow_b)
    assert values(fast_b.prefetch(2)) == values(slow_b.prefetch(2))


def test_gathered_batches_hand_computed():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(10, dtype=np.uint8)).batch(4)
    out = [b.numpy() for b in ds]
    assert [b.tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(b.dtype == np.uint8 for b in out)
    # shuffle(1) keeps the order; skip/take/repeat select rows.
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6)).shuffle(1).repeat(2).skip(4)
    assert [b.numpy().tolist() for b in ds.take(6).batch(4, drop_remainder=True)] == \
        [[4, 5, 0, 1]]


def test_gathered_batches_of_dicts_strings_and_namedtuples():
    import collections
    Pair = collections.namedtuple("Pair", "a b")
    ds = tf.data.Dataset.from_tensor_slices(
        {"s": ["x", "yy", "z"], "p": Pair(np.arange(3), np.ones((3, 2), np.bool_))})
    for d in (ds, _hidden(ds)):
        (b1, b2) = list(d.batch(2))
        assert b1["s"].numpy().tolist() == [b"x", b"yy"]
        assert isinstance(b1["p"], Pair) and b1["p"].a.numpy().tolist() == [0, 1]
        assert b2["p"].b.dtype == tf.bool and b2["p"].b.shape == (1, 2)
        assert list(b1) == ["s", "p"]  # the user's key order is kept
    assert values(ds.shuffle(3, seed=1).batch(2)) == values(_hidden(ds).shuffle(3, seed=1)
                                                            .batch(2))


def test_batch_stacking_keeps_dtypes_and_errors():
    # NumPy scalars (int64 labels), bools and images keep their dtypes.
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((5, 2, 2), np.uint8),
                                             np.arange(5, dtype=np.int64),
                                             np.array([True, False] * 2 + [True])))
    a, b, c = next(iter(_hidden(ds).batch(3)))
    assert (a.dtype, b.dtype, c.dtype) == (tf.uint8, tf.int64, tf.bool)
    assert a.shape == (3, 2, 2) and b.numpy().tolist() == [0, 1, 2]
    # Ragged elements are still TensorFlow's error.
    ragged = tf.data.Dataset.range(1, 4).map(lambda n: tf.zeros([n]))
    with pytest.raises(errors.InvalidArgumentError, match="Cannot batch tensors with "
                       "different shapes in component 0"):
        list(ragged.batch(3))


def test_batch_of_mixed_dtypes_promotes_as_np_stack():
    # Not reachable with TF (its map has one output dtype); tapeflow keeps np.stack's result.
    ds = tf.data.Dataset.range(2).map(
        lambda x: tf.constant(1, tf.int32) if int(x) == 0 else tf.constant(2.5, tf.float64))
    assert next(iter(ds.batch(2))).numpy().tolist() == [1.0, 2.5]


def test_reading_element_spec_does_not_change_a_seeded_order():
    def build():
        ds = tf.data.Dataset.range(40).shuffle(40, seed=1).map(lambda x: x * 2)
        return ds.batch(4).prefetch(2).map(lambda b: b + 1, num_parallel_calls=2)

    plain = build()
    expected = values(plain)
    probed = build()
    before = threading.active_count()
    assert probed.element_spec.shape.as_list() == [None]
    # The probe started no threads (<=: a prefetch thread of `plain` may end meanwhile).
    assert threading.active_count() <= before
    assert values(probed) == expected
    assert values(probed) != expected  # the next pass reshuffles, as before
    # Same through a scan and an interleave.
    s = tf.data.Dataset.range(20).shuffle(20, seed=4)
    ref = values(s.scan(np.int64(0), lambda st, x: (st + x, x)))
    s = tf.data.Dataset.range(20).shuffle(20, seed=4)
    scan = s.scan(np.int64(0), lambda st, x: (st + x, x))
    scan.element_spec
    assert values(scan) == ref


def _fake_clock(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(parallel.time, "perf_counter", lambda: now[0])
    return now


@pytest.mark.parametrize("rates, chosen", [
    ({2: 1000.0, 1: 1050.0, 0: 1000.0}, 0),   # GIL-bound: all about equal -> inline
    ({2: 1100.0, 1: 1000.0, 0: 1000.0}, 0),   # within the margin -> fewest threads
    ({2: 3000.0, 1: 1900.0, 0: 1000.0}, 2),   # NumPy-bound: clearly faster with 2
    ({2: 1900.0, 1: 2000.0, 0: 1000.0}, 1),
])
def test_autotune_prefers_fewer_threads_unless_clearly_faster(monkeypatch, rates, chosen):
    now = _fake_clock(monkeypatch)
    tuner = parallel._Tuner(2)
    for level in (2, 1, 0):
        assert tuner.level == level
        now[0] += tuner._WINDOW / rates[level]
        nxt = tuner.record(tuner._WINDOW)
    assert nxt == chosen == tuner.level


def test_prefetch_delivers_errors_in_order_and_stops_its_thread():
    def f(x):
        if int(x) == 3:
            raise ValueError("bad element")
        return x

    before = threading.active_count()
    it = iter(tf.data.Dataset.range(6).map(f).prefetch(2))
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="bad element"):
        next(it)
    # tf.data goes on after an element's error.
    assert [int(v) for v in it] == [4, 5]
    for _ in range(200):
        if threading.active_count() <= before:
            break
        threading.Event().wait(0.01)
    assert threading.active_count() <= before


def test_autotune_measures_less_often_while_the_same_level_wins(monkeypatch):
    now = _fake_clock(monkeypatch)
    tuner = parallel._Tuner(1)
    holds = []
    for rates in ({1: 1000.0, 0: 1000.0}, {1: 1000.0, 0: 1000.0}, {1: 5000.0, 0: 1000.0}):
        for level in (1, 0):
            assert tuner.level == level
            now[0] += tuner._WINDOW / rates[level]
            tuner.record(tuner._WINDOW)
        holds.append((tuner.level, tuner._hold))
        tuner.record(tuner._hold)  # the hold runs out: a new search starts at level 1
    H = parallel._Tuner._HOLD
    assert holds == [(0, H), (0, 2 * H), (1, H)]


@pytest.mark.parametrize("n", [0, 3, 1023, 1024, 1025, 2600])
@pytest.mark.parametrize("size", [1, 7, 1024, 2000, 5000])
def test_block_index_shuffle_equals_the_element_loop(n, size):
    # The index path computes the buffer shuffle 1024 draws at a time; it must give the
    # element loop's order exactly, across block boundaries and the draining tail.
    from tapeflow._src.data.transforms import _shuffle, _shuffle_indices
    src = np.random.default_rng(1).permutation(n).tolist()
    for seed in (0, 1):
        expected = list(_shuffle(iter(src), size, np.random.default_rng(seed)))
        got = list(_shuffle_indices(iter(src), size, np.random.default_rng(seed)))
        assert got == expected
    assert sorted(expected) == list(range(n))


def test_large_seeded_shuffle_batches_match_element_path():
    x = np.arange(3000, dtype=np.int32)
    fast = tf.data.Dataset.from_tensor_slices(x).shuffle(700, seed=2).batch(64)
    slow = _hidden(tf.data.Dataset.from_tensor_slices(x)).shuffle(700, seed=2).batch(64)
    assert values(fast) == values(slow)

"""tf.data: sources, transformations, consumption, determinism, errors and threads."""

import gc
import threading
import time
import weakref

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.framework import errors


def values(ds):
    return [_plain(v) for v in ds.as_numpy_iterator()]


def _plain(v):
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


def card(ds):
    return int(ds.cardinality())


# -- sources ----------------------------------------------------------------------------
def test_from_tensor_slices_tuple_yields_tensor_tuples():
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    ds = tf.data.Dataset.from_tensor_slices((x, [7, 8, 9]))
    out = list(ds)
    assert len(out) == 3 and isinstance(out[0], tuple)
    a, b = out[1]
    assert isinstance(a, tf.Tensor) and a.dtype == tf.float32 and a.numpy().tolist() == [2, 3]
    assert b.dtype == tf.int32 and int(b) == 8
    assert repr(ds.element_spec) == ("(TensorSpec(shape=(2,), dtype=tf.float32, name=None), "
                                     "TensorSpec(shape=(), dtype=tf.int32, name=None))")
    assert card(ds) == 3


def test_from_tensor_slices_copies_input():
    x = np.arange(3)
    ds = tf.data.Dataset.from_tensor_slices(x)
    x[0] = 100
    assert values(ds) == [0, 1, 2]


def test_from_tensor_slices_dict_and_strings():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": ["x", "yy"]})
    assert values(ds) == [{"a": 1, "b": b"x"}, {"a": 2, "b": b"yy"}]
    assert ds.element_spec["b"].dtype == tf.string


def test_from_tensor_slices_mismatched_dims_raises():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.data.Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))


def test_from_tensors_single_element():
    ds = tf.data.Dataset.from_tensors([1, 2])
    assert values(ds) == [[1, 2]] and card(ds) == 1
    assert ds.element_spec == tf.TensorSpec([2], tf.int32)


def test_range_forms_and_dtype():
    assert values(tf.data.Dataset.range(4)) == [0, 1, 2, 3]
    assert values(tf.data.Dataset.range(2, 8, 3)) == [2, 5]
    assert values(tf.data.Dataset.range(5, 1, -2)) == [5, 3]
    ds = tf.data.Dataset.range(3, output_type=tf.int32)
    assert next(iter(ds)).dtype == tf.int32
    assert next(iter(tf.data.Dataset.range(3))).dtype == tf.int64
    assert card(tf.data.Dataset.range(2, 8, 3)) == 2


def test_from_generator_with_signature_and_args():
    def gen(n):
        for i in range(int(n)):
            yield i, [1.5] * i

    ds = tf.data.Dataset.from_generator(
        gen, args=(3,), output_signature=(tf.TensorSpec([], tf.int32),
                                          tf.TensorSpec([None], tf.float32)))
    assert values(ds) == [(0, []), (1, [1.5]), (2, [1.5, 1.5])]
    assert card(ds) == -2
    # The generator is called anew for each pass.
    assert values(ds) == values(ds)


def test_from_generator_shape_mismatch_is_invalid_argument():
    ds = tf.data.Dataset.from_generator(lambda: iter([[1, 2, 3]]),
                                        output_signature=tf.TensorSpec([2], tf.int32))
    with pytest.raises(errors.InvalidArgumentError, match="shape"):
        list(ds)


def test_zip_and_cardinality():
    a = tf.data.Dataset.range(3)
    b = tf.data.Dataset.range(10, 12)
    ds = tf.data.Dataset.zip((a, b))
    assert values(ds) == [(0, 10), (1, 11)] and card(ds) == 2
    d = tf.data.Dataset.zip({"x": a, "y": b})
    assert values(d)[0] == {"x": 0, "y": 10}


def test_concatenate():
    ds = tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(5, 7))
    assert values(ds) == [0, 1, 5, 6] and card(ds) == 4
    with pytest.raises(TypeError):
        tf.data.Dataset.range(2).concatenate(tf.data.Dataset.from_tensors(1.0))


def test_list_files_and_text_lines(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"l1\nl2\r\n")
    (tmp_path / "a.txt").write_bytes(b"first\nsecond")
    files = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert [v.decode().rsplit("/", 1)[1] for v in files.as_numpy_iterator()] == ["a.txt", "b.txt"]
    lines = tf.data.TextLineDataset(files)
    assert values(lines) == [b"first", b"second", b"l1", b"l2"]
    assert lines.element_spec == tf.TensorSpec([], tf.string)
    with pytest.raises(errors.InvalidArgumentError, match="No files matched"):
        tf.data.Dataset.list_files(str(tmp_path / "*.none"))


# -- map / filter -----------------------------------------------------------------------
def test_map_unpacks_tuples_and_passes_dicts():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: a + b)
    assert values(ds) == [11, 22]
    seen = []
    d = tf.data.Dataset.from_tensor_slices({"a": [1, 2]}).map(
        lambda e: (seen.append(type(e["a"])), {"b": e["a"] * 2})[1])
    assert values(d) == [{"b": 2}, {"b": 4}]
    assert seen[0] is tf.Tensor


def test_map_list_output_becomes_tuple():
    ds = tf.data.Dataset.range(2).map(lambda x: [x, x + 1])
    assert values(ds) == [(0, 1), (1, 2)]


@pytest.mark.parametrize("n", [None, 1, 3, tf.data.AUTOTUNE])
def test_map_parallel_keeps_order(n):
    ds = tf.data.Dataset.range(50).map(lambda x: x * x, num_parallel_calls=n)
    assert values(ds) == [i * i for i in range(50)]
    assert card(ds) == 50


def test_map_nondeterministic_returns_same_multiset():
    def slow(x):
        if int(x) % 5 == 0:
            time.sleep(0.01)
        return x

    ds = tf.data.Dataset.range(20).map(slow, num_parallel_calls=4, deterministic=False)
    assert sorted(values(ds)) == list(range(20))


def test_options_deterministic_false_applies():
    opts = tf.data.Options()
    opts.deterministic = False
    ds = tf.data.Dataset.range(10).map(lambda x: x, num_parallel_calls=2).with_options(opts)
    assert ds.options().deterministic is False
    assert sorted(values(ds)) == list(range(10))


def test_map_error_surfaces_with_traceback_not_hang():
    def bad(x):
        if int(x) == 3:
            raise ValueError("element three is bad")
        return x

    for n in (None, 2):
        ds = tf.data.Dataset.range(6).map(bad, num_parallel_calls=n).prefetch(2)
        it = iter(ds)
        got = [int(next(it)) for _ in range(3)]
        with pytest.raises(ValueError, match="element three is bad") as info:
            next(it)
        assert got == [0, 1, 2]
        assert any(fr.name == "bad" for fr in info.traceback)


def test_ignore_errors_skips_failing_elements():
    ds = tf.data.Dataset.range(6).map(
        lambda x: tf.constant(1) if int(x) % 2 else tf.constant(int(x) // 0)).ignore_errors()
    assert values(ds) == [1, 1, 1]


def test_filter_and_errors():
    ds = tf.data.Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert values(ds) == [0, 3, 6, 9] and card(ds) == -2
    with pytest.raises(ValueError, match="tf.bool"):
        list(tf.data.Dataset.range(3).filter(lambda x: x))


# -- batching ---------------------------------------------------------------------------
def test_batch_remainder_and_spec():
    ds = tf.data.Dataset.range(7).batch(3)
    assert values(ds) == [[0, 1, 2], [3, 4, 5], [6]] and card(ds) == 3
    assert ds.element_spec == tf.TensorSpec([None], tf.int64)
    d = tf.data.Dataset.range(7).batch(3, drop_remainder=True)
    assert values(d) == [[0, 1, 2], [3, 4, 5]] and card(d) == 2
    assert d.element_spec == tf.TensorSpec([3], tf.int64)


def test_batch_of_mismatched_shapes_errors():
    ds = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).batch(2)
    with pytest.raises(errors.InvalidArgumentError, match="Cannot batch tensors"):
        list(ds)


def test_padded_batch():
    ds = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x))
    assert values(ds.padded_batch(2)) == [[[1, 0], [2, 2]], [[3, 3, 3]]]
    padded = ds.padded_batch(2, padded_shapes=[4], padding_values=tf.constant(-1, tf.int64))
    assert values(padded) == [[[1, -1, -1, -1], [2, 2, -1, -1]], [[3, 3, 3, -1]]]


def test_unbatch_and_rebatch():
    ds = tf.data.Dataset.range(7).batch(3)
    assert values(ds.unbatch()) == list(range(7))
    assert values(tf.data.Dataset.range(8).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5],
                                                                    [6, 7]]
    assert values(tf.data.Dataset.range(8).batch(4).rebatch([3, 1])) == [
        [0, 1, 2], [3], [4, 5, 6], [7]]


# -- ordering / counting ----------------------------------------------------------------
def test_shuffle_is_a_permutation_and_seeded_repeatable():
    a = values(tf.data.Dataset.range(100).shuffle(20, seed=7))
    b = values(tf.data.Dataset.range(100).shuffle(20, seed=7))
    assert sorted(a) == list(range(100)) and a == b and a != list(range(100))


def test_shuffle_buffer_bounds_displacement():
    # With a buffer of 5, output i can only be one of the first i + 5 inputs.
    out = values(tf.data.Dataset.range(50).shuffle(5, seed=1))
    assert all(v < i + 5 for i, v in enumerate(out))
    assert values(tf.data.Dataset.range(5).shuffle(1)) == [0, 1, 2, 3, 4]


def test_shuffle_reshuffle_each_iteration():
    ds = tf.data.Dataset.range(30).shuffle(30, seed=3)
    e1, e2 = values(ds), values(ds)
    assert sorted(e1) == sorted(e2) and e1 != e2
    fixed = tf.data.Dataset.range(30).shuffle(30, seed=3, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    two = values(tf.data.Dataset.range(10).shuffle(10, seed=2).repeat(2))
    assert sorted(two[:10]) == list(range(10)) and two[:10] != two[10:]


def test_global_seed_makes_shuffle_repeatable():
    tf.random.set_seed(5)
    a = values(tf.data.Dataset.range(40).shuffle(40))
    tf.random.set_seed(5)
    b = values(tf.data.Dataset.range(40).shuffle(40))
    assert a == b
    tf.random.set_seed(None)


def test_repeat_take_skip_shard():
    assert values(tf.data.Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert card(tf.data.Dataset.range(3).repeat()) == -1
    assert values(tf.data.Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert card(tf.data.Dataset.range(3).repeat().take(7)) == 7
    assert values(tf.data.Dataset.range(5).skip(3)) == [3, 4]
    assert card(tf.data.Dataset.range(10).skip(13)) == 0
    assert values(tf.data.Dataset.range(5).take(-1)) == list(range(5))
    assert values(tf.data.Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert card(tf.data.Dataset.range(10).shard(3, 0)) == 4
    assert values(tf.data.Dataset.range(0).repeat()) == []
    with pytest.raises(errors.InvalidArgumentError):
        tf.data.Dataset.range(3).shard(2, 2)


def test_enumerate_scan_take_while_reduce():
    assert values(tf.data.Dataset.range(3, 5).enumerate()) == [(0, 3), (1, 4)]
    scan = tf.data.Dataset.range(5).scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 2))
    assert values(scan) == [0, 0, 2, 6, 12]
    assert values(tf.data.Dataset.range(10).take_while(lambda x: x < 3)) == [0, 1, 2]
    total = tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)
    assert isinstance(total, tf.Tensor) and int(total) == 10


def test_get_single_element():
    assert int(tf.data.Dataset.from_tensors(4).get_single_element()) == 4
    with pytest.raises(errors.InvalidArgumentError, match="more than one element"):
        tf.data.Dataset.range(2).get_single_element()


# -- nested datasets --------------------------------------------------------------------
def test_window_and_flat_map():
    ds = tf.data.Dataset.range(10).window(3, shift=2, stride=2)
    got = values(ds.flat_map(lambda w: w.batch(3)))
    assert got == [[0, 2, 4], [2, 4, 6], [4, 6, 8], [6, 8], [8]]
    d = tf.data.Dataset.range(7).window(3, drop_remainder=True).flat_map(lambda w: w.batch(3))
    assert values(d) == [[0, 1, 2], [3, 4, 5]]
    assert card(tf.data.Dataset.range(10).window(3)) == 4


def test_interleave_order():
    ds = tf.data.Dataset.range(6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2, block_length=2)
    expected = [0, 0, 1, 1, 0, 1, 2, 2, 3, 3, 2, 3, 4, 4, 5, 5, 4, 5]
    assert values(ds) == expected
    par = tf.data.Dataset.range(6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2, block_length=2,
        num_parallel_calls=2)
    assert values(par) == expected


def test_group_by_window_and_buckets():
    ds = tf.data.Dataset.range(10).group_by_window(
        lambda x: x % 3, lambda k, w: w.batch(2), window_size=2)
    assert values(ds) == [[0, 3], [1, 4], [2, 5], [6, 9], [7], [8]]
    b = tf.data.Dataset.range(10).bucket_by_sequence_length(
        lambda x: x, [3, 6], [2, 2, 2], no_padding=True)
    assert values(b) == [[0, 1], [3, 4], [6, 7], [8, 9], [2], [5]]


# -- cache, prefetch, apply -------------------------------------------------------------
def test_cache_memory_runs_function_once():
    calls = []
    ds = tf.data.Dataset.range(3).map(lambda x: (calls.append(1), x)[1]).cache()
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2]
    assert len(calls) == 3


def test_cache_file(tmp_path):
    calls = []
    path = str(tmp_path / "c")
    ds = tf.data.Dataset.range(3).map(lambda x: (calls.append(1), x * 2)[1]).cache(path)
    assert values(ds) == [0, 2, 4]
    again = tf.data.Dataset.range(3).map(lambda x: (calls.append(1), x * 2)[1]).cache(path)
    assert values(again) == [0, 2, 4] and len(calls) == 3


def test_prefetch_and_apply():
    ds = tf.data.Dataset.range(5).prefetch(2).apply(lambda d: d.map(lambda x: x + 1))
    assert values(ds) == [1, 2, 3, 4, 5] and card(ds) == 5


def test_tutorial_idiom():
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    y = np.arange(10)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000).batch(4).prefetch(
        tf.data.AUTOTUNE)
    batches = list(ds)
    assert [b[0].shape.as_list() for b in batches] == [[4, 4], [4, 4], [2, 4]]
    labels = np.concatenate([b[1].numpy() for b in batches])
    assert sorted(labels.tolist()) == list(range(10))
    for bx, by in batches:  # rows stay paired with their labels
        assert np.array_equal(bx.numpy()[:, 0], by.numpy() * 4)


# -- threads ----------------------------------------------------------------------------
def _threads_settle(limit, timeout=3.0):
    end = time.time() + timeout
    while time.time() < end:
        gc.collect()
        if threading.active_count() <= limit:
            return True
        time.sleep(0.02)
    return False


def test_abandoned_iterators_release_threads():
    before = threading.active_count()
    ds = tf.data.Dataset.range(10**6).map(lambda x: x, num_parallel_calls=3).prefetch(4)
    it = iter(ds)
    next(it)
    assert threading.active_count() > before
    ref = weakref.ref(it)
    del it, ds
    assert _threads_settle(before)
    assert ref() is None


def test_prefetch_produces_ahead_of_the_consumer():
    # After one next(), the background thread keeps mapping elements the consumer has not
    # asked for yet (up to the buffer size).
    seen = []
    ready = threading.Event()

    def record(x):
        seen.append(int(x))
        if len(seen) >= 3:
            ready.set()
        return x

    it = iter(tf.data.Dataset.range(100).map(record).prefetch(2))
    assert int(next(it)) == 0
    assert ready.wait(5.0)
    assert 3 <= len(seen) <= 5
    del it


def test_numpy_iterator_values_are_copies():
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((2, 2)))
    first = next(ds.as_numpy_iterator())
    first[0] = 5
    assert values(ds) == [[0.0, 0.0], [0.0, 0.0]]


def test_constants_and_experimental():
    assert tf.data.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    assert tf.data.experimental.INFINITE_CARDINALITY == -1
    assert int(tf.data.experimental.cardinality(tf.data.Dataset.range(4))) == 4


def test_save_and_load(tmp_path):
    ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2]}, [3.0, 4.0]))
    ds.save(str(tmp_path / "s"))
    loaded = tf.data.Dataset.load(str(tmp_path / "s"))
    assert values(loaded) == values(ds) and loaded.element_spec == ds.element_spec


def test_repr():
    assert repr(tf.data.Dataset.range(3)) == (
        "<_RangeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>")


def test_global_seed_makes_map_randomness_repeatable():
    def run():
        tf.random.set_seed(11)
        ds = tf.data.Dataset.range(5).map(lambda x: tf.random.uniform([]))
        return values(ds)

    a, b = run(), run()
    assert a == b and len(set(a)) == 5
    tf.random.set_seed(None)


def test_dataset_feeds_keras_fit():
    x = np.random.default_rng(0).random((32, 3)).astype(np.float32)
    y = (x.sum(axis=1) > 1.5).astype(np.int64)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32, seed=0).batch(8).prefetch(
        tf.data.AUTOTUNE)
    first = next(iter(ds))
    assert isinstance(first, tuple) and all(isinstance(t, tf.Tensor) for t in first)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.compile(optimizer="sgd",
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(ds, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2


def test_element_error_then_iteration_continues():
    # As in TensorFlow, an iterator can continue after a failed element.
    def f(x):
        if int(x) == 1:
            raise tf.errors.InvalidArgumentError(None, None, "bad one")
        return x

    it = iter(tf.data.Dataset.range(3).map(f))
    assert int(next(it)) == 0
    with pytest.raises(tf.errors.InvalidArgumentError):
        next(it)
    assert int(next(it)) == 2


def test_parallel_map_runs_calls_concurrently():
    # Each call waits at a 2-party barrier: it only passes if two calls run at once.
    # (The calls take > 1 ms, so the pool hands them out one at a time, not in chunks.)
    barrier = threading.Barrier(2, timeout=5.0)

    def meet(x):
        barrier.wait()
        time.sleep(0.002)
        return x

    ds = tf.data.Dataset.range(8).map(meet, num_parallel_calls=2)
    assert values(ds) == list(range(8))
    with pytest.raises(threading.BrokenBarrierError):
        list(tf.data.Dataset.range(2).map(lambda x: (threading.Barrier(2, timeout=0.2)
                                                      .wait(), x)[1]))


def test_sample_and_choose_from_datasets():
    a = tf.data.Dataset.from_tensors(np.int64(0)).repeat(50)
    b = tf.data.Dataset.from_tensors(np.int64(1)).repeat(50)
    mixed = values(tf.data.Dataset.sample_from_datasets([a, b], [0.5, 0.5], seed=3))
    assert sorted(mixed) == [0] * 50 + [1] * 50 and mixed != sorted(mixed)
    choice = tf.data.Dataset.from_tensor_slices(np.array([1, 0, 1], np.int64))
    assert values(tf.data.Dataset.choose_from_datasets([a, b], choice)) == [1, 0, 1]


def test_tensor_spec():
    s = tf.TensorSpec([None, 2], tf.float32, name="x")
    assert repr(s) == "TensorSpec(shape=(None, 2), dtype=tf.float32, name='x')"
    assert s.is_compatible_with(tf.constant(np.zeros((3, 2), np.float32)))
    assert not s.is_compatible_with(tf.constant(np.zeros((3, 3), np.float32)))
    assert tf.TensorSpec([2]) == tf.TensorSpec([2], tf.float32)
    assert tf.TensorSpec.from_tensor(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)


def test_fixed_length_records(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(b"HDR" + b"aabbcc" + b"F")
    ds = tf.data.FixedLengthRecordDataset(str(p), 2, header_bytes=3, footer_bytes=1)
    assert values(ds) == [b"aa", b"bb", b"cc"]


def test_assert_cardinality():
    ds = tf.data.Dataset.range(3).filter(lambda x: x < 9).apply(
        tf.data.experimental.assert_cardinality(3))
    assert card(ds) == 3 and values(ds) == [0, 1, 2]
    bad = tf.data.Dataset.range(3).apply(tf.data.experimental.assert_cardinality(5))
    with pytest.raises(tf.errors.FailedPreconditionError, match="expected to contain 5"):
        list(bad)


def test_window_of_tuples_gives_tuple_of_datasets():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).window(2)
    w = next(iter(ds))
    assert isinstance(w, tuple) and all(isinstance(d, tf.data.Dataset) for d in w)
    assert values(w[1]) == [4, 5]


def test_from_generator_legacy_types_and_shapes():
    ds = tf.data.Dataset.from_generator(lambda: iter([(1, [2.0]), (3, [4.0])]),
                                        output_types=(tf.int64, tf.float32),
                                        output_shapes=((), (1,)))
    assert values(ds) == [(1, [2.0]), (3, [4.0])]
    assert ds.element_spec == (tf.TensorSpec([], tf.int64), tf.TensorSpec([1], tf.float32))
    bad = tf.data.Dataset.from_generator(lambda: iter([5]),
                                         output_types=(tf.int64, tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="did not match the expected"):
        list(bad)


def test_autotune_map_keeps_order_across_tuning_levels():
    # 3000 elements: the tuner tries 2, 1 and 0 (inline) workers, 512 elements each.
    ds = tf.data.Dataset.range(3000).map(lambda x: x + 1, num_parallel_calls=tf.data.AUTOTUNE)
    assert values(ds) == list(range(1, 3001))


def test_sparse_tensor_components_slice_and_batch():
    st = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2], [2, 3]], values=[1.0, 2.0, 3.0],
                                dense_shape=[3, 4])
    ds = tf.data.Dataset.from_tensor_slices((st, tf.constant([1, 2, 3])))
    rows = [tf.sparse.to_dense(s).numpy().tolist() for s, _ in ds]
    assert rows == [[1.0, 0, 0, 0], [0, 0, 2.0, 0], [0, 0, 0, 3.0]]
    assert ds.element_spec[0].shape == (4,)
    (s, y), = list(ds.batch(3))
    np.testing.assert_array_equal(tf.sparse.to_dense(s).numpy(),
                                  tf.sparse.to_dense(st).numpy())
    assert y.numpy().tolist() == [1, 2, 3]
    alone = list(tf.data.Dataset.from_tensor_slices(st).batch(2))
    assert [b.dense_shape.numpy().tolist() for b in alone] == [[2, 4], [1, 4]]

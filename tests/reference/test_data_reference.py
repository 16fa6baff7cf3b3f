"""tf.data and tf.io against real TensorFlow: same inputs, same outputs."""

import numpy as np
import pytest

import tapeflow as tf

tft = pytest.importorskip("tensorflow")


def _plain(v):
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return (v.dtype.name if v.dtype != object else "object", v.tolist())
    if isinstance(v, np.generic):
        return (v.dtype.name, v.item())
    return v


def _values(ds):
    return [_plain(v) for v in ds.as_numpy_iterator()]


X = np.arange(24, dtype=np.float32).reshape(6, 4)
Y = np.arange(6, dtype=np.int64)

# Each case builds the same pipeline from either module (`m` is tf or tapeflow).
CASES = {
    "slices_tuple": lambda m: m.data.Dataset.from_tensor_slices((X, Y)),
    "slices_dict": lambda m: m.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [0.5, 1.5]}),
    "slices_strings": lambda m: m.data.Dataset.from_tensor_slices(["a", "bc"]),
    "python_ints": lambda m: m.data.Dataset.from_tensor_slices([1, 2, 3]),
    "range": lambda m: m.data.Dataset.range(2, 11, 3),
    "map_tuple": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).map(
        lambda x, y: (x * 2.0, y + 1)),
    "map_parallel": lambda m: m.data.Dataset.range(20).map(
        lambda x: x * x, num_parallel_calls=m.data.AUTOTUNE),
    "filter": lambda m: m.data.Dataset.range(20).filter(lambda x: x % 3 == 0),
    "batch": lambda m: m.data.Dataset.range(10).batch(4),
    "batch_drop": lambda m: m.data.Dataset.range(10).batch(4, drop_remainder=True),
    "batch_struct": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).batch(4),
    "padded_batch": lambda m: m.data.Dataset.range(1, 5).map(
        lambda x: m.fill([x], x)).padded_batch(2),
    "padded_batch_shapes": lambda m: m.data.Dataset.range(1, 5).map(
        lambda x: m.fill([x], x)).padded_batch(3, padded_shapes=[6],
                                               padding_values=m.constant(-1, m.int64)),
    "unbatch": lambda m: m.data.Dataset.range(10).batch(3).unbatch(),
    "rebatch": lambda m: m.data.Dataset.range(10).batch(4).rebatch(3),
    "rebatch_list": lambda m: m.data.Dataset.range(8).batch(4).rebatch([3, 1]),
    "repeat_take": lambda m: m.data.Dataset.range(3).repeat().take(8),
    "skip": lambda m: m.data.Dataset.range(6).skip(4),
    "shard": lambda m: m.data.Dataset.range(11).shard(4, 3),
    "concatenate": lambda m: m.data.Dataset.range(3).concatenate(m.data.Dataset.range(7, 9)),
    "enumerate": lambda m: m.data.Dataset.range(3).enumerate(5),
    "zip": lambda m: m.data.Dataset.zip((m.data.Dataset.range(4), m.data.Dataset.range(9, 12))),
    "window": lambda m: m.data.Dataset.range(10).window(4, shift=3, stride=2).flat_map(
        lambda w: w.batch(4)),
    "window_tuple": lambda m: m.data.Dataset.from_tensor_slices((Y, Y * 2)).window(4).flat_map(
        lambda a, b: m.data.Dataset.zip((a.batch(4), b.batch(4)))),
    "choose": lambda m: m.data.Dataset.choose_from_datasets(
        [m.data.Dataset.range(3), m.data.Dataset.range(10, 13)],
        m.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0], np.int64))),
    "assert_cardinality": lambda m: m.data.Dataset.range(5).filter(lambda x: x < 9).apply(
        m.data.experimental.assert_cardinality(5)),
    "window_drop": lambda m: m.data.Dataset.range(10).window(3, drop_remainder=True).flat_map(
        lambda w: w.batch(3)),
    "interleave": lambda m: m.data.Dataset.range(5).interleave(
        lambda x: m.data.Dataset.range(x).map(lambda v: v + 10 * x), cycle_length=3,
        block_length=2),
    "interleave_parallel": lambda m: m.data.Dataset.range(4).interleave(
        lambda x: m.data.Dataset.from_tensors(x).repeat(3), cycle_length=2,
        num_parallel_calls=2, deterministic=True),
    "flat_map": lambda m: m.data.Dataset.range(4).flat_map(lambda x: m.data.Dataset.range(x)),
    "scan": lambda m: m.data.Dataset.range(6).scan(m.constant(1, m.int64),
                                                    lambda s, x: (s * 2, s + x)),
    "take_while": lambda m: m.data.Dataset.range(10).take_while(lambda x: x < 4),
    "group_by_window": lambda m: m.data.Dataset.range(11).group_by_window(
        lambda x: x % 3, lambda k, w: w.batch(3), window_size=3),
    "bucket": lambda m: m.data.Dataset.range(1, 9).map(lambda x: m.fill([x], x)).
    bucket_by_sequence_length(lambda x: m.shape(x)[0], [3, 6], [2, 2, 2]),
    "cache": lambda m: m.data.Dataset.range(4).cache().repeat(2),
    "prefetch": lambda m: m.data.Dataset.range(5).prefetch(2),
    "ignore_errors": lambda m: m.data.Dataset.from_tensor_slices([1.0, 0.0, 2.0]).map(
        lambda x: m.debugging.check_numerics(1.0 / x, "bad") if hasattr(
            m.debugging, "check_numerics") else 1.0 / x).ignore_errors(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_elements_as_tensorflow(name):
    ours = CASES[name](tf)
    ref = CASES[name](tft)
    assert _values(ours) == _values(ref)
    assert int(ours.cardinality()) == int(ref.cardinality())


SPEC_CASES = ["slices_tuple", "slices_dict", "slices_strings", "range", "batch", "batch_drop",
              "batch_struct", "unbatch", "zip", "enumerate", "concatenate", "repeat_take",
              "shard", "skip", "prefetch", "cache"]


@pytest.mark.parametrize("name", SPEC_CASES)
def test_same_element_spec_and_repr(name):
    ours = CASES[name](tf)
    ref = CASES[name](tft)
    assert repr(ours.element_spec) == repr(ref.element_spec)
    assert repr(ours) == repr(ref)


def test_window_spec_repr():
    assert repr(tf.data.Dataset.range(5).window(2)) == repr(tft.data.Dataset.range(5).window(2))


def test_cardinality_rules():
    cases = [lambda m: m.data.Dataset.range(10).take(3),
             lambda m: m.data.Dataset.range(10).skip(13),
             lambda m: m.data.Dataset.range(10).shard(3, 2),
             lambda m: m.data.Dataset.range(10).repeat(2),
             lambda m: m.data.Dataset.range(0).repeat(),
             lambda m: m.data.Dataset.range(10).repeat().filter(lambda x: x > 2),
             lambda m: m.data.Dataset.range(10).window(3),
             lambda m: m.data.Dataset.range(10).window(3, drop_remainder=True),
             lambda m: m.data.Dataset.range(10).batch(3).unbatch(),
             lambda m: m.data.Dataset.range(3).repeat().take(5).batch(2),
             lambda m: m.data.Dataset.zip((m.data.Dataset.range(3),
                                           m.data.Dataset.range(5).repeat()))]
    for make in cases:
        assert int(make(tf).cardinality()) == int(make(tft).cardinality())


def test_generator_dataset():
    def gen():
        for i in range(4):
            yield {"a": i, "b": [float(i)] * (i % 3)}

    def sig(m):
        return {"a": m.TensorSpec([], m.int32), "b": m.TensorSpec([None], m.float32)}

    ours = tf.data.Dataset.from_generator(gen, output_signature=sig(tf))
    ref = tft.data.Dataset.from_generator(gen, output_signature=sig(tft))
    assert _values(ours) == _values(ref)
    assert repr(ours.element_spec) == repr(ref.element_spec)


def test_text_line_dataset(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes(b"one\ntwo\r\n\nlast")
    assert _values(tf.data.TextLineDataset(str(p))) == _values(tft.data.TextLineDataset(str(p)))


def _write_examples(module, path, compression=None):
    opts = module.io.TFRecordOptions(compression_type=compression) if compression else None
    with module.io.TFRecordWriter(path, opts) as w:
        for i in range(5):
            ex = module.train.Example(features=module.train.Features(feature={
                "img": module.train.Feature(float_list=module.train.FloatList(
                    value=[i * 0.5, -1.25, 3e10])),
                "label": module.train.Feature(int64_list=module.train.Int64List(
                    value=[i - 2])),
                "name": module.train.Feature(bytes_list=module.train.BytesList(
                    value=[b"n%d" % i] * (i % 3))),
            }))
            w.write(ex.SerializeToString())


SPEC = {"img": ("fixed", [3], "float32"), "label": ("fixed", [], "int64"),
        "name": ("var", None, "string")}


def _features(module):
    out = {}
    for k, (kind, shape, dt) in SPEC.items():
        dtype = getattr(module, dt)
        out[k] = (module.io.FixedLenFeature(shape, dtype) if kind == "fixed"
                  else module.io.VarLenFeature(dtype))
    return out


def _read_parsed(module, path, compression=None):
    feats = _features(module)
    ds = module.data.TFRecordDataset(path, compression_type=compression)
    rows = []
    for rec in ds:
        p = module.io.parse_single_example(rec, feats)
        rows.append((p["img"].numpy().tolist(), int(p["label"]),
                     p["name"].values.numpy().tolist(),
                     p["name"].indices.numpy().tolist()))
    return rows


@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_tfrecord_written_by_tapeflow_read_by_tensorflow(tmp_path, compression):
    path = str(tmp_path / "ours.tfrecord")
    from tapeflow._src.io import example as ex_mod

    class _Train:  # tf.train is exported by the Keras helper; use the implementation here
        Example, Features, Feature = ex_mod.Example, ex_mod.Features, ex_mod.Feature
        FloatList, Int64List, BytesList = ex_mod.FloatList, ex_mod.Int64List, ex_mod.BytesList

    class _TF:
        io, data, train = tf.io, tf.data, _Train

    _write_examples(_TF, path, compression)
    ref_path = str(tmp_path / "ref.tfrecord")
    _write_examples(tft, ref_path, compression)
    assert _read_parsed(tft, path, compression) == _read_parsed(tft, ref_path, compression)
    # And the reverse: tapeflow reads TensorFlow's file.
    assert _read_parsed(tf, ref_path, compression) == _read_parsed(tft, ref_path, compression)
    if compression is None:
        raw = open(path, "rb").read()
        assert [bytes(r.numpy()) for r in tft.data.TFRecordDataset(path)] == [
            bytes(r) for r in tf.data.TFRecordDataset(path).as_numpy_iterator()]
        assert len(raw) > 0


def test_example_bytes_parse_in_both_directions():
    from tapeflow._src.io import example as ex_mod
    ref = tft.train.Example(features=tft.train.Features(feature={
        "a": tft.train.Feature(int64_list=tft.train.Int64List(value=[1, -2, 2**40])),
        "b": tft.train.Feature(float_list=tft.train.FloatList(value=[0.1, 1e-7])),
        "c": tft.train.Feature(bytes_list=tft.train.BytesList(value=[b"x\"y\n\xc3"]))}))
    ours = ex_mod.Example.FromString(ref.SerializeToString())
    assert ours.features.feature["a"].int64_list.value == [1, -2, 2**40]
    back = tft.train.Example.FromString(ours.SerializeToString())
    assert back == ref
    # Text format matches feature by feature (map order differs between implementations).
    for key in "abc":
        assert str(ours.features.feature[key]) == str(ref.features.feature[key])


def test_parse_example_batch_matches():
    ser = [tft.train.Example(features=tft.train.Features(feature={
        "v": tft.train.Feature(float_list=tft.train.FloatList(value=[1.0] * i)),
        "k": tft.train.Feature(int64_list=tft.train.Int64List(value=[i, i]))}))
        .SerializeToString() for i in range(3)]

    def run(m):
        out = m.io.parse_example(m.constant(np.array(ser, dtype=object)),
                                 {"v": m.io.VarLenFeature(m.float32),
                                  "k": m.io.FixedLenFeature([2], m.int64)})
        return (out["k"].numpy().tolist(), out["v"].indices.numpy().tolist(),
                out["v"].values.numpy().tolist(), out["v"].dense_shape.numpy().tolist())

    assert run(tf) == run(tft)


def test_parse_error_messages_match():
    s = tft.train.Example(features=tft.train.Features(feature={
        "a": tft.train.Feature(int64_list=tft.train.Int64List(value=[1, 2]))})).SerializeToString()
    for feats in ({"z": "fixed_int"}, {"a": "fixed_float"}):
        def spec(m):
            (k, v), = feats.items()
            return {k: m.io.FixedLenFeature([2], m.int64 if v == "fixed_int" else m.float32)}
        with pytest.raises(tft.errors.InvalidArgumentError) as ref_err:
            tft.io.parse_single_example(s, spec(tft))
        with pytest.raises(tf.errors.InvalidArgumentError) as our_err:
            tf.io.parse_single_example(s, spec(tf))
        ref_msg = str(ref_err.value).split("}} ", 1)[-1]
        assert str(our_err.value) == ref_msg


def _csv_case(m, tmp):
    import gzip
    import os
    path = os.path.join(tmp, "a.csv")
    with open(path, "w") as f:
        f.write('h1,h2,h3\n1.5,2,abc\n,3,"x,y"\n4,5,\n')
    gz = os.path.join(tmp, "a.csv.gz")
    with gzip.open(gz, "wt") as f:
        f.write("1,2,3\n4,5,6\n")
    exp = m.data.experimental
    out = []
    ds = exp.CsvDataset(path, [m.constant(-1.0), m.constant(7, m.int64), "zz"], header=True)
    out.append(repr(ds.element_spec))
    out.append(list(ds.as_numpy_iterator()))
    out.append(list(exp.CsvDataset(gz, [float()] * 3, compression_type="GZIP").batch(2)
                    .as_numpy_iterator()))
    out.append(list(exp.CsvDataset(path, [0.0, ""], header=True, select_cols=[0, 2])
                    .as_numpy_iterator()))
    for bad in ([m.float32, m.int64, m.string], [0.0, 0], [0.0, 0, "", 0]):
        try:
            list(exp.CsvDataset(path, bad, header=True))
        except Exception as e:
            out.append((type(e).__name__,
                        str(e).split("}}")[-1].split("[Op")[0].strip()))
    return [str(x) for x in out]


def test_csv_dataset_matches(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert _csv_case(tf, str(a)) == _csv_case(tft, str(b))


def _make_csv_case(m, tmp):
    import os
    path = os.path.join(tmp, "t.csv")
    with open(path, "w") as f:
        f.write("survived,sex,age,fare,big\n0,male,22,7.25,3000000000\n"
                "1,female,38,71.2833,1\n1,female,,7.925,2\n")
    ds = m.data.experimental.make_csv_dataset(path, batch_size=2, label_name="survived",
                                              num_epochs=1, shuffle=False)
    picked = m.data.experimental.make_csv_dataset(path, batch_size=3, num_epochs=1,
                                                  select_columns=["age", "fare"],
                                                  column_defaults=[0.0, 0.0], shuffle=False)
    return [repr(ds.element_spec), str(list(ds.as_numpy_iterator())),
            str(list(picked.as_numpy_iterator()))]


def test_make_csv_dataset_matches(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert _make_csv_case(tf, str(a)) == _make_csv_case(tft, str(b))


def test_sparse_components_match():
    def case(m):
        st = m.sparse.SparseTensor(indices=[[0, 0], [1, 2], [2, 3]], values=[1.0, 2.0, 3.0],
                                   dense_shape=[3, 4])
        ds = m.data.Dataset.from_tensor_slices(st)
        return [repr(ds.element_spec), repr(ds.batch(2).element_spec),
                [m.sparse.to_dense(e).numpy().tolist() for e in ds],
                [(e.dense_shape.numpy().tolist(), e.indices.numpy().tolist())
                 for e in ds.batch(2)]]
    assert case(tf)[2:] == case(tft)[2:]
    assert [r.split("tf.")[-1] for r in case(tf)[:2]] == [
        r.split("tf.")[-1] for r in case(tft)[:2]]

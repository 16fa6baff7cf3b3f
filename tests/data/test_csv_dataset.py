"""tf.data.experimental.CsvDataset: types from record_defaults, quoting, headers, gzip."""

import gzip

import numpy as np
import pytest

import tapeflow as tf


def _file(tmp_path, text, name="a.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_columns_defaults_quotes_and_header(tmp_path):
    path = _file(tmp_path, 'h1,h2,h3\n1.5,2,abc\n,3,"x,y"\n4,5,\n')
    ds = tf.data.experimental.CsvDataset(path, [tf.constant(-1.0), tf.constant(7, tf.int64),
                                                "zz"], header=True)
    assert [s.dtype for s in ds.element_spec] == [tf.float32, tf.int64, tf.string]
    rows = [tuple(x.numpy() for x in r) for r in ds]
    assert rows == [(1.5, 2, b"abc"), (-1.0, 3, b"x,y"), (4.0, 5, b"zz")]
    picked = tf.data.experimental.CsvDataset(path, [0.0, ""], header=True, select_cols=[0, 2])
    assert list(picked.as_numpy_iterator())[1] == (0.0, b"x,y")
    na = tf.data.experimental.CsvDataset(path, [0.0, 0, ""], header=True, na_value="abc")
    assert list(na.as_numpy_iterator())[0] == (1.5, 2, b"")


def test_gzip_files_batch_and_the_overfit_tutorial_pipeline(tmp_path):
    path = str(tmp_path / "a.csv.gz")
    with gzip.open(path, "wt") as f:
        f.write("1,2,3\n0,5,6\n")
    ds = tf.data.experimental.CsvDataset(path, [float()] * 3, compression_type="GZIP")

    def pack_row(*row):
        label = row[0]
        features = tf.stack(row[1:], 1)
        return features, label
    packed = ds.batch(10).map(pack_row).unbatch()
    features, labels = zip(*packed.as_numpy_iterator())
    np.testing.assert_array_equal(np.stack(features), [[2.0, 3.0], [5.0, 6.0]])
    assert list(labels) == [1.0, 0.0]


def test_errors(tmp_path):
    path = _file(tmp_path, "h1,h2\n,3\n1.5,x\n")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Field 0 is required but missing in record!"):
        list(tf.data.experimental.CsvDataset(path, [tf.float32, tf.int32], header=True))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Field 0 in record is not a valid float: h1"):
        list(tf.data.experimental.CsvDataset(path, [0.0, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 1 fields but have more"):
        list(tf.data.experimental.CsvDataset(path, [0.0], header=True))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 3 fields but have 2"):
        list(tf.data.experimental.CsvDataset(path, [0.0, 0, 0], header=True))


def test_make_csv_dataset_infers_types_and_splits_the_label(tmp_path):
    import collections
    path = _file(tmp_path, "survived,sex,age,fare,big\n0,male,22,7.25,3000000000\n"
                           "1,female,38,71.2833,1\n1,female,,7.925,2\n", "t.csv")
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=2, label_name="survived",
                                               num_epochs=1, shuffle=False)
    features, label = ds.element_spec
    assert type(features) is collections.OrderedDict
    assert [(k, s.dtype) for k, s in features.items()] == [
        ("sex", tf.string), ("age", tf.int32), ("fare", tf.float32), ("big", tf.int64)]
    batches = list(ds.as_numpy_iterator())
    assert [b[1].tolist() for b in batches] == [[0, 1], [1]]
    assert batches[1][0]["age"].tolist() == [0]            # an empty field takes 0
    forever = tf.data.experimental.make_csv_dataset(path, batch_size=2, shuffle=False)
    assert forever.element_spec["age"].shape == (2,)       # num_epochs=None: full batches
    assert len(list(forever.take(5))) == 5
    picked = tf.data.experimental.make_csv_dataset(path, batch_size=3, num_epochs=1,
                                                   select_columns=["age", "fare"],
                                                   column_defaults=[0.0, 0.0], shuffle=False)
    (only,) = list(picked.as_numpy_iterator())
    assert list(only) == ["age", "fare"] and only["age"].tolist() == [22.0, 38.0, 0.0]

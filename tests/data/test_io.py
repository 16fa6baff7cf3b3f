"""tf.io pieces used by tf.data: CRC-32C, TFRecord files, tf.train.Example and parsing."""

import gzip
import os
import struct

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.framework import errors
from tapeflow._src.io import crc32c as crc
from tapeflow._src.io.example import BytesList, Example, Feature, Features, FloatList, Int64List


def test_crc32c_known_values():
    # Check values from RFC 3720 (iSCSI), appendix B.4.
    assert crc.crc32c(b"123456789") == 0xE3069283
    assert crc.crc32c(bytes(32)) == 0x8A9136AA
    assert crc.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc.crc32c(bytes(range(32))) == 0x46DD794E
    assert crc.crc32c(b"") == 0


@pytest.mark.parametrize("n", [4095, 4096, 5000, 70001])
def test_crc32c_numpy_path_matches_byte_loop(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert crc.crc32c(data) == crc._raw_python(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def test_masked_crc_formula():
    c = crc.crc32c(b"abc")
    assert crc.masked_crc32c(b"abc") == ((((c >> 15) | (c << 17)) & 0xFFFFFFFF)
                                         + 0xA282EAD8) & 0xFFFFFFFF


def test_tfrecord_layout_and_round_trip(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(b"hello")
        w.write(tf.constant(b""))
    raw = open(path, "rb").read()
    assert struct.unpack("<Q", raw[:8])[0] == 5
    assert struct.unpack("<I", raw[8:12])[0] == crc.masked_crc32c(raw[:8])
    assert raw[12:17] == b"hello"
    assert struct.unpack("<I", raw[17:21])[0] == crc.masked_crc32c(b"hello")
    assert len(raw) == 21 + 16
    ds = tf.data.TFRecordDataset(path)
    assert list(ds.as_numpy_iterator()) == [b"hello", b""]
    assert ds.element_spec == tf.TensorSpec([], tf.string)


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_tfrecord_compressed(tmp_path, kind):
    path = str(tmp_path / "c.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type=kind)) as w:
        for i in range(5):
            w.write(b"x" * i)
    ds = tf.data.TFRecordDataset([path], compression_type=kind)
    assert list(ds.as_numpy_iterator()) == [b"x" * i for i in range(5)]
    if kind == "GZIP":
        assert gzip.open(path).read(8) == struct.pack("<Q", 0)


def test_tfrecord_corruption_is_data_loss(tmp_path):
    path = str(tmp_path / "bad.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(b"payload")
    raw = bytearray(open(path, "rb").read())
    raw[14] ^= 1
    open(path, "wb").write(bytes(raw))
    with pytest.raises(errors.DataLossError, match="corrupted record"):
        list(tf.data.TFRecordDataset(path))


def test_tfrecord_parallel_reads_interleave_files(tmp_path):
    paths = []
    for f in range(2):
        p = str(tmp_path / f"f{f}.tfrecord")
        with tf.io.TFRecordWriter(p) as w:
            for i in range(3):
                w.write(f"{f}-{i}".encode())
        paths.append(p)
    ds = tf.data.TFRecordDataset(paths, num_parallel_reads=2)
    assert list(ds.as_numpy_iterator()) == [b"0-0", b"1-0", b"0-1", b"1-1", b"0-2", b"1-2"]
    seq = tf.data.TFRecordDataset(paths)
    assert list(seq.as_numpy_iterator())[:3] == [b"0-0", b"0-1", b"0-2"]


def _example():
    return Example(features=Features(feature={
        "i": Feature(int64_list=Int64List(value=[1, -2])),
        "f": Feature(float_list=FloatList(value=[0.5, 2.0, 3.25])),
        "b": Feature(bytes_list=BytesList(value=[b"ab", b""])),
    }))


def test_example_wire_format_by_hand():
    ex = Example(features=Features(feature={"a": Feature(int64_list=Int64List(value=[1, 300]))}))
    # Int64List: field 1 packed: 0a 03 01 ac 02; Feature.int64_list = 3: 1a 05 ...
    # map entry: key 0a 01 'a', value 12 07 ...; Features.feature: 0a 0c ...; Example: 0a 0e.
    assert ex.SerializeToString() == bytes.fromhex("0a0e0a0c0a016112071a050a0301ac02")
    neg = Int64List(value=[-1])._encode()
    assert neg == bytes.fromhex("0a0a") + b"\xff" * 9 + b"\x01"


def test_example_round_trip_and_accessors():
    ex = _example()
    back = Example.FromString(ex.SerializeToString())
    assert back == ex
    assert back.features.feature["i"].int64_list.value == [1, -2]
    assert back.features.feature["f"].WhichOneof("kind") == "float_list"
    assert back.features.feature["b"].bytes_list.value == [b"ab", b""]
    f = Feature()
    f.int64_list.value.append(3)
    assert f.WhichOneof("kind") == "int64_list"
    assert FloatList(value=[0.1]).value == [float(np.float32(0.1))]
    with pytest.raises(TypeError):
        BytesList(value=["text"])


def test_example_accepts_unpacked_numbers():
    # field 1, varint 7 then varint 8 (unpacked), as old writers produce.
    lst = Int64List()
    lst._decode(bytes([0x08, 7, 0x08, 8]))
    assert lst.value == [7, 8]


def test_example_text_format():
    ex = Example(features=Features(feature={"a": Feature(float_list=FloatList(value=[0.1, 2]))}))
    assert str(ex) == ('features {\n  feature {\n    key: "a"\n    value {\n      float_list {\n'
                       '        value: 0.1\n        value: 2\n      }\n    }\n  }\n}\n')


def test_parse_single_example_fixed_and_var_len():
    s = _example().SerializeToString()
    out = tf.io.parse_single_example(s, {
        "i": tf.io.FixedLenFeature([2], tf.int64),
        "f": tf.io.VarLenFeature(tf.float32),
        "b": tf.io.FixedLenFeature([2], tf.string),
        "missing": tf.io.FixedLenFeature([], tf.int64, default_value=7),
    })
    assert out["i"].numpy().tolist() == [1, -2] and out["i"].dtype == tf.int64
    assert out["f"].values.numpy().tolist() == [0.5, 2.0, 3.25]
    assert out["f"].indices.numpy().tolist() == [[0], [1], [2]]
    assert out["f"].dense_shape.numpy().tolist() == [3]
    assert out["b"].numpy().tolist() == [b"ab", b""]
    assert int(out["missing"]) == 7


def test_parse_errors():
    s = _example().SerializeToString()
    with pytest.raises(errors.InvalidArgumentError, match="required but could not be found"):
        tf.io.parse_single_example(s, {"z": tf.io.FixedLenFeature([], tf.int64)})
    with pytest.raises(errors.InvalidArgumentError, match="Data types don't match"):
        tf.io.parse_single_example(s, {"i": tf.io.FixedLenFeature([2], tf.float32)})
    with pytest.raises(errors.InvalidArgumentError):
        tf.io.parse_single_example(s, {"i": tf.io.FixedLenFeature([], tf.int64)})


def test_parse_example_batch():
    a = _example().SerializeToString()
    b = Example(features=Features(feature={
        "i": Feature(int64_list=Int64List(value=[5, 6])),
        "f": Feature(float_list=FloatList(value=[1.0]))})).SerializeToString()
    # An object array: tf.constant([a, b]) currently drops trailing NUL bytes (NumPy 'S').
    out = tf.io.parse_example(tf.constant(np.array([a, b], dtype=object)), {
        "i": tf.io.FixedLenFeature([2], tf.int64), "f": tf.io.VarLenFeature(tf.float32)})
    assert out["i"].numpy().tolist() == [[1, -2], [5, 6]]
    assert out["f"].indices.numpy().tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert out["f"].dense_shape.numpy().tolist() == [2, 3]
    assert out["f"].to_dense().numpy().tolist() == [[0.5, 2.0, 3.25], [1.0, 0.0, 0.0]]


def test_tfrecord_examples_through_pipeline(tmp_path):
    path = str(tmp_path / "ex.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        for i in range(4):
            w.write(Example(features=Features(feature={
                "x": Feature(float_list=FloatList(value=[i, i + 0.5])),
                "y": Feature(int64_list=Int64List(value=[i % 2]))})).SerializeToString())
    spec = {"x": tf.io.FixedLenFeature([2], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64)}
    ds = tf.data.TFRecordDataset(path).map(
        lambda r: tf.io.parse_single_example(r, spec)).map(lambda d: (d["x"], d["y"])).batch(2)
    batches = list(ds.as_numpy_iterator())
    assert batches[1][0].tolist() == [[2.0, 2.5], [3.0, 3.5]]
    assert batches[0][1].tolist() == [0, 1]


def test_read_write_file_and_gfile(tmp_path):
    p = str(tmp_path / "f.bin")
    tf.io.write_file(p, tf.constant(b"abc"))
    assert tf.io.read_file(p).numpy() == b"abc"
    assert tf.io.gfile.exists(p) and tf.io.gfile.glob(str(tmp_path / "*.bin")) == [p]
    with pytest.raises(errors.NotFoundError):
        tf.io.read_file(os.path.join(str(tmp_path), "nope"))


def test_example_messages_are_public_under_tf_train():
    ex = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2])),
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"x"])),
        "c": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5]))}))
    parsed = tf.io.parse_single_example(ex.SerializeToString(), {
        "a": tf.io.FixedLenFeature([2], tf.int64),
        "b": tf.io.FixedLenFeature([], tf.string),
        "c": tf.io.FixedLenFeature([], tf.float32)})
    assert parsed["a"].numpy().tolist() == [1, 2] and parsed["b"].numpy() == b"x"
    assert float(parsed["c"]) == 0.5
    with pytest.raises(NotImplementedError, match="tf.train.list_variables"):
        tf.train.list_variables("ckpt")

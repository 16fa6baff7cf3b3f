"""Hand-computed tests of the text and categorical preprocessing layers: TextVectorization,
StringLookup, IntegerLookup, CategoryEncoding, Discretization and Hashing."""

import re
import string

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.framework.errors import FailedPreconditionError, InvalidArgumentError

L = tf.keras.layers


def _np(t):
    return t.numpy()


# ---------------------------------------------------------------------------------------
# TextVectorization
# ---------------------------------------------------------------------------------------

def test_adapt_vocabulary_order_counts_then_token_descending():
    # counts: a 2, b 2, c 2, e 2 (after lowering / stripping), d 1, f 1
    t = L.TextVectorization()
    t.adapt(["b a c", "a b d", "e E. f!", "c"])
    assert t.get_vocabulary() == ["", "[UNK]", "e", "c", "b", "a", "f", "d"]
    assert all(type(v) is np.str_ for v in t.get_vocabulary()[2:])
    assert t.vocabulary_size() == 8
    assert t.get_vocabulary(include_special_tokens=False) == ["e", "c", "b", "a", "f", "d"]


def test_int_mode_pads_to_longest_and_unknowns():
    t = L.TextVectorization(vocabulary=["x", "y"])
    out = t(["y x q", "x"])
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(_np(out), [[3, 2, 1], [2, 0, 0]])
    # a (batch, 1) input is split like a vector
    np.testing.assert_array_equal(_np(t(tf.constant([["x y"], ["y"]]))), [[2, 3], [3, 0]])
    # a scalar gives a vector
    np.testing.assert_array_equal(_np(t("x y")), [2, 3])


def test_output_sequence_length_pads_and_truncates():
    t = L.TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    np.testing.assert_array_equal(_np(t(["a b a b", "b", ""])), [[2, 3], [3, 0], [0, 0]])


def test_max_tokens_keeps_the_most_frequent():
    t = L.TextVectorization(max_tokens=4)
    t.adapt(["a a a b b c d"])
    assert t.get_vocabulary() == ["", "[UNK]", "a", "b"]


def test_standardize_and_split_options():
    t = L.TextVectorization(standardize="lower", split="character")
    t.adapt(["Ab.", "bA"])
    assert t.get_vocabulary() == ["", "[UNK]", "b", "a", "."]
    t = L.TextVectorization(standardize="strip_punctuation")
    t.adapt(["A! a"])
    assert t.get_vocabulary() == ["", "[UNK]", "a", "A"]
    t = L.TextVectorization(standardize=None, split=None)
    t.adapt(["A b", "A b", "c"])
    assert t.get_vocabulary() == ["", "[UNK]", "A b", "c"]
    np.testing.assert_array_equal(_np(t(["A b", "zz"])), [2, 1])


def test_callable_standardize_and_split():
    def std(x):
        return tf.strings.regex_replace(tf.strings.lower(x), "-", " ")

    def split(x):
        return tf.strings.split(x, sep="|")

    t = L.TextVectorization(standardize=std, split=split)
    t.adapt(["A-b|c", "c"])
    # tokens: "a b" 1, "c" 2
    assert t.get_vocabulary() == ["", "[UNK]", "c", "a b"]


def test_ngrams():
    t = L.TextVectorization(ngrams=2)
    t.adapt(["a b c"])
    # unigrams a, b, c and bigrams "a b", "b c", all count 1 -> descending token order
    assert t.get_vocabulary() == ["", "[UNK]", "c", "b c", "b", "a b", "a"]
    # unigrams first, then the bigrams
    np.testing.assert_array_equal(_np(t(["a b"])), [[6, 4, 5]])
    t = L.TextVectorization(ngrams=(1, 3))
    t.adapt(["a b c"])
    assert t.get_vocabulary() == ["", "[UNK]", "c", "b", "a b c", "a"]


def test_multi_hot_count_and_pad_to_max_tokens():
    t = L.TextVectorization(vocabulary=["x", "y"], output_mode="count")
    assert t.get_vocabulary() == ["[UNK]", "x", "y"]
    np.testing.assert_array_equal(_np(t(["x x Y q"])), [[1, 2, 1]])
    t = L.TextVectorization(vocabulary=["x", "y"], output_mode="multi_hot", max_tokens=5,
                            pad_to_max_tokens=True)
    out = t(["y y", "q"])
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(_np(out), [[0, 0, 1, 0, 0], [1, 0, 0, 0, 0]])
    np.testing.assert_array_equal(_np(t("x")), [0, 1, 0, 0, 0])


def test_tf_idf_adapt_weights():
    t = L.TextVectorization(output_mode="tf_idf")
    t.adapt(["a b", "a", "a c c"])
    # docs: 3; doc counts a 3, c 1, b 1; counts a 3, c 2, b 1
    assert t.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    idf = np.log(1 + 3 / (1 + np.array([3.0, 1.0, 1.0])))
    oov = idf.mean()
    out = _np(t(["c c a z"]))
    np.testing.assert_allclose(out, [[oov, idf[0], 2 * idf[1], 0]], rtol=1e-6)


def test_tf_idf_given_weights_and_errors():
    t = L.TextVectorization(output_mode="tf_idf", vocabulary=["x", "y"], idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(_np(t(["x y q q"])), [[2.5, 0.5, 2.0]])
    with pytest.raises(ValueError, match="`idf_weights` must be set"):
        L.TextVectorization(output_mode="tf_idf", vocabulary=["x"])


def test_adapt_from_datasets_batched_and_not():
    data = ["a b", "b", "c b"]
    for ds in (tf.data.Dataset.from_tensor_slices(data),
               tf.data.Dataset.from_tensor_slices(data).batch(2)):
        t = L.TextVectorization()
        t.adapt(ds)
        assert t.get_vocabulary() == ["", "[UNK]", "b", "c", "a"]
    t = L.TextVectorization()
    t.adapt(tf.constant(data))
    assert t.get_vocabulary() == ["", "[UNK]", "b", "c", "a"]
    t.adapt(np.array([["z"], ["z y"]]))
    assert t.get_vocabulary() == ["", "[UNK]", "z", "y"]


def test_set_vocabulary_and_errors():
    t = L.TextVectorization()
    t.set_vocabulary(["a", "b"])
    assert t.get_vocabulary() == ["", "[UNK]", "a", "b"]
    t.set_vocabulary(["", "[UNK]", "c"])
    assert t.get_vocabulary() == ["", "[UNK]", "c"]
    with pytest.raises(ValueError, match="repeated term"):
        t.set_vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="reserved mask token"):
        t.set_vocabulary(["a", ""])


def test_unadapted_call_and_bad_arguments():
    t = L.TextVectorization()
    assert t.get_vocabulary() == ["", "[UNK]"]
    with pytest.raises(FailedPreconditionError, match="Table not initialized"):
        t(["a"])
    with pytest.raises(ValueError, match="output_mode"):
        L.TextVectorization(output_mode="bad")
    with pytest.raises(ValueError, match="standardize"):
        L.TextVectorization(standardize="bad")
    with pytest.raises(ValueError, match="split"):
        L.TextVectorization(split="bad")
    with pytest.raises(ValueError, match="output_sequence_length"):
        L.TextVectorization(output_sequence_length=3, output_mode="count")
    with pytest.raises(ValueError, match="pad_to_max_tokens"):
        L.TextVectorization(pad_to_max_tokens=True, output_mode="count")
    t = L.TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match="input rank must be 1"):
        t(tf.constant([["a", "b"]]))


def test_config_round_trip():
    t = L.TextVectorization(max_tokens=10, output_mode="int", output_sequence_length=4,
                            vocabulary=["a", "b"])
    cfg = t.get_config()
    assert cfg["vocabulary"] == ["a", "b"] and cfg["vocabulary_size"] == 4
    assert cfg["output_sequence_length"] == 4 and cfg["dtype"] == "string"
    cfg.pop("name")
    t2 = L.TextVectorization.from_config(cfg)
    np.testing.assert_array_equal(_np(t2(["b a"])), [[3, 2, 0, 0]])


def test_tutorial_flow_in_dataset_map_and_sequential():
    def custom_standardization(x):
        low = tf.strings.lower(x)
        low = tf.strings.regex_replace(low, "<br />", " ")
        return tf.strings.regex_replace(low, "[%s]" % re.escape(string.punctuation), "")

    texts = ["Good movie!<br />Great.", "bad film", "great great", "bad"]
    ds = tf.data.Dataset.from_tensor_slices((texts, [1, 0, 1, 0])).batch(2)
    vl = L.TextVectorization(standardize=custom_standardization, max_tokens=6,
                             output_mode="int", output_sequence_length=3)
    vl.adapt(ds.map(lambda x, y: x))
    # great 3, bad 2, then count 1 in descending order: movie, good, film
    assert vl.get_vocabulary() == ["", "[UNK]", "great", "bad", "movie", "good"]
    x, y = next(iter(ds.map(lambda x, y: (vl(tf.expand_dims(x, -1)), y))))
    np.testing.assert_array_equal(_np(x), [[5, 4, 2], [3, 1, 0]])
    model = tf.keras.Sequential([vl, L.Embedding(6, 2), L.GlobalAveragePooling1D()])
    out = model(tf.constant(["great bad"]))
    assert out.shape == (1, 2)
    # the adapted layer knows its input rank: the Sequential is built, as in Keras
    assert vl.get_config()["batch_input_shape"] == (None,)
    assert model.built and model.output_shape == (None, 2)
    export = tf.keras.Sequential([vl, L.Embedding(6, 2), L.GlobalAveragePooling1D(),
                                  L.Dense(1, activation="sigmoid")])
    export.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    assert len(export.evaluate(ds, verbose=0)) == 2
    pred = export.predict(ds.map(lambda x, y: x), verbose=0)
    assert pred.shape == (4, 1) and pred.dtype == np.float32


# ---------------------------------------------------------------------------------------
# StringLookup / IntegerLookup
# ---------------------------------------------------------------------------------------

def test_string_lookup_mask_and_oov():
    s = L.StringLookup(vocabulary=["a", "b", "c"], mask_token="")
    assert s.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    np.testing.assert_array_equal(_np(s([["a", ""], ["z", "c"]])), [[2, 0], [1, 4]])


def test_mask_token_outside_int_mode_counts_for_nothing():
    s = L.StringLookup(vocabulary=["a", "b"], mask_token="", output_mode="count")
    assert s.get_vocabulary() == ["[UNK]", "a", "b"] and s.vocabulary_size() == 3
    np.testing.assert_array_equal(_np(s([["a", "", ""], ["", "q", "b"]])),
                                  [[0, 1, 0], [1, 0, 1]])


def test_standardize_lowercases_ascii_only():
    t = L.TextVectorization()
    t.adapt(["ÉTÉ Été"])
    assert t.get_vocabulary() == ["", "[UNK]", "Été", "ÉtÉ"]


def test_string_lookup_invert():
    s = L.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    out = s([[0, 1], [3, 5]])
    assert out.dtype == tf.string
    assert _np(out).tolist() == [[b"[UNK]", b"a"], [b"c", b"[UNK]"]]
    s = L.StringLookup(vocabulary=["a", "b"], mask_token="", invert=True)
    assert _np(s([0, 1, 2, 3, 9])).tolist() == [b"", b"[UNK]", b"a", b"b", b"[UNK]"]


def test_string_lookup_encodings():
    v = ["a", "b", "c"]
    np.testing.assert_array_equal(_np(L.StringLookup(vocabulary=v, output_mode="one_hot")(
        ["a", "z"])), [[0, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(_np(L.StringLookup(vocabulary=v, output_mode="multi_hot")(
        [["a", "b"], ["z", "z"]])), [[0, 1, 1, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(_np(L.StringLookup(vocabulary=v, output_mode="count")(
        [["a", "a"], ["z", "z"]])), [[0, 2, 0, 0], [2, 0, 0, 0]])
    tfidf = L.StringLookup(vocabulary=v, output_mode="tf_idf", idf_weights=[1.0, 2.0, 3.0])
    # OOV idf: the mean, 2.0
    np.testing.assert_array_equal(_np(tfidf([["a", "a"], ["z", "z"]])),
                                  [[0, 2, 0, 0], [4, 0, 0, 0]])


def test_string_lookup_no_oov_and_adapt():
    s = L.StringLookup(num_oov_indices=0, vocabulary=["a", "b"])
    np.testing.assert_array_equal(_np(s(["b", "a"])), [1, 0])
    with pytest.raises(InvalidArgumentError, match="num_oov_indices=0"):
        s(["q"])
    s = L.StringLookup(max_tokens=3)
    s.adapt(tf.data.Dataset.from_tensor_slices([["a", "b"], ["b", "c"]]))
    assert s.get_vocabulary() == ["[UNK]", "b", "c"]
    s = L.StringLookup(oov_token="?", vocabulary=["a"])
    assert s.get_vocabulary() == ["?", "a"] and s.vocabulary_size() == 2


def test_string_lookup_many_oov_indices_hash():
    from tapeflow._src.ops.string_hash_ops import fingerprint64
    s = L.StringLookup(num_oov_indices=3, vocabulary=["a"])
    assert s.get_vocabulary() == ["[UNK]", "[UNK]", "[UNK]", "a"]
    np.testing.assert_array_equal(_np(s(["zz", "a"])), [fingerprint64(b"zz") % 3, 3])


def test_integer_lookup():
    i = L.IntegerLookup(vocabulary=[12, 36, 1138, 42], mask_token=0)
    assert i.get_vocabulary() == [0, -1, 12, 36, 1138, 42]
    np.testing.assert_array_equal(_np(i([[12, 0], [1138, 5]])), [[2, 0], [4, 1]])
    i = L.IntegerLookup()
    i.adapt([3, 3, 1, 2, 2, 2])
    assert i.get_vocabulary() == [-1, 2, 3, 1]
    out = i(tf.constant([2, 7], dtype=tf.int32))
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(_np(out), [1, 0])
    inv = L.IntegerLookup(vocabulary=[12, 36], invert=True)
    np.testing.assert_array_equal(_np(inv([0, 1, 2, 3])), [-1, 12, 36, -1])
    # two OOV buckets for ints: value mod 2
    i = L.IntegerLookup(vocabulary=[5], num_oov_indices=2)
    np.testing.assert_array_equal(_np(i([7, 8, 5])), [1, 0, 2])


# ---------------------------------------------------------------------------------------
# CategoryEncoding
# ---------------------------------------------------------------------------------------

def test_category_encoding_modes():
    one = L.CategoryEncoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(_np(one([3, 0])), [[0, 0, 0, 1], [1, 0, 0, 0]])
    np.testing.assert_array_equal(_np(one([[3], [2]])), [[0, 0, 0, 1], [0, 0, 1, 0]])
    np.testing.assert_array_equal(_np(one(2)), [0, 0, 1, 0])
    multi = L.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    np.testing.assert_array_equal(_np(multi([[0, 1], [0, 0]])), [[1, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(_np(multi([1, 2])), [0, 1, 1, 0])
    count = L.CategoryEncoding(num_tokens=4, output_mode="count")
    out = count([[0, 1], [0, 0]])
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(_np(out), [[1, 1, 0, 0], [2, 0, 0, 0]])
    np.testing.assert_allclose(_np(count([[0, 1]], count_weights=np.array([[0.1, 0.2]]))),
                               [[0.1, 0.2, 0, 0]], rtol=1e-6)


def test_category_encoding_errors():
    with pytest.raises(InvalidArgumentError, match="0 <= values < num_tokens"):
        L.CategoryEncoding(num_tokens=4)([[0, 5]])
    with pytest.raises(InvalidArgumentError):
        L.CategoryEncoding(num_tokens=4)([[0, -1]])
    with pytest.raises(ValueError, match="num_tokens must be set"):
        L.CategoryEncoding()
    with pytest.raises(ValueError, match="maximum supported output rank is 2"):
        L.CategoryEncoding(num_tokens=4, output_mode="one_hot")([[1, 2]])
    assert L.CategoryEncoding(num_tokens=4, name="ce").get_config() == {
        "name": "ce", "trainable": True, "dtype": "float32", "num_tokens": 4,
        "output_mode": "multi_hot", "sparse": False}


# ---------------------------------------------------------------------------------------
# Discretization
# ---------------------------------------------------------------------------------------

def test_discretization_boundaries():
    d = L.Discretization(bin_boundaries=[0.0, 1.0])
    out = d([[-1.5, 0.0, 0.5, 1.0, 7.0]])
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(_np(out), [[0, 1, 1, 2, 2]])
    oh = L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")
    np.testing.assert_array_equal(_np(oh([-1.0, 0.5, 3.0])), np.eye(3))


def test_discretization_adapt_small():
    # 7 values in one batch, epsilon 0.01: the summary is every sorted value with weight 1;
    # bins of 1/4 interpolate the cumulative weights (1..7)/7 at 0.25, 0.5, 0.75.
    d = L.Discretization(num_bins=4)
    d.adapt([3.0, 1.0, 2.0, 5.0, 4.0, 0.0, 7.0])
    xs = np.array([0.0, 1, 2, 3, 4, 5, 7])
    cum = np.arange(1, 8) / 7.0
    expect = np.interp([0.25, 0.5, 0.75], cum, xs).astype(np.float32)
    np.testing.assert_allclose(d.bin_boundaries, expect, rtol=1e-6)
    with pytest.raises(ValueError):
        L.Discretization(bin_boundaries=[1.0]).adapt([1.0])


# ---------------------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------------------

def test_hashing_matches_fingerprint_buckets():
    from tapeflow._src.ops.string_hash_ops import fingerprint64
    h = L.Hashing(num_bins=5)
    out = h([["a"], ["b"]])
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(_np(out), [[fingerprint64(b"a") % 5],
                                             [fingerprint64(b"b") % 5]])
    # integers hash through their decimal text; a mask value goes to bin 0
    m = L.Hashing(num_bins=5, mask_value=0)
    np.testing.assert_array_equal(_np(m(np.array([12, 0]))),
                                  [fingerprint64(b"12") % 4 + 1, 0])
    with pytest.raises(ValueError, match="num_bins"):
        L.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        L.Hashing(num_bins=3, salt="x")
    with pytest.raises(InvalidArgumentError, match="string tensor but is a float"):
        L.Hashing(num_bins=3)([1.5])


def test_experimental_preprocessing_aliases():
    from tapeflow.keras.layers.experimental import preprocessing as pp
    assert pp.TextVectorization is L.TextVectorization
    assert pp.StringLookup is L.StringLookup
    assert issubclass(pp.TextVectorization, pp.PreprocessingLayer)


def test_vocabulary_from_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("cat\ndog\n")
    t = L.TextVectorization(vocabulary=str(path))
    assert t.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    ipath = tmp_path / "ints.txt"
    ipath.write_text("12\n36\n")
    i = L.IntegerLookup(vocabulary=str(ipath))
    assert i.get_vocabulary() == [-1, 12, 36]


def test_callable_split_returning_ragged_batch():
    seen = []

    def split(x):
        seen.append(tuple(x.shape))
        parts = [s.split(b"|") for s in x.numpy().tolist()]
        flat = [p for ps in parts for p in ps]
        return tf.RaggedTensor.from_row_lengths(tf.constant(flat), [len(p) for p in parts])

    t = L.TextVectorization(split=split, standardize=None)
    t.adapt(["a|b", "b"])
    assert seen == [(2,)]  # called once on the batch, as Keras does
    assert t.get_vocabulary() == ["", "[UNK]", "b", "a"]
    np.testing.assert_array_equal(_np(t(["b|a|q", "a"])), [[2, 3, 1], [3, 0, 0]])


def test_ragged_int_output():
    t = L.TextVectorization(ragged=True, vocabulary=["a", "b"])
    out = t(["a b q", "", "b"])
    assert isinstance(out, tf.RaggedTensor) and out.dtype == tf.int64
    assert out.to_list() == [[2, 3, 1], [], [3]]
    np.testing.assert_array_equal(_np(t("a b")), [2, 3])
    with pytest.raises(ValueError, match="ragged"):
        L.TextVectorization(ragged=True, output_mode="count")
    with pytest.raises(ValueError, match="output_sequence_length"):
        L.TextVectorization(ragged=True, output_sequence_length=2)

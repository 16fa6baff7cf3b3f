"""tf.keras.datasets loaders against tf_keras 2.21's, on the same fake cached files, offline.

Both sides read the same cache directory; tf_keras's expected hashes (literals inside its
loaders) are replaced by wrapping the `get_file` its dataset modules call, tapeflow's by
patching its hash constants. Downloads fail on both sides as on a machine without network.
"""

import hashlib
import io
import os
import re
import shutil
import socket
import tarfile
import urllib.error

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.keras import datasets as ds
from tapeflow._src.keras.datasets import boston_housing as bh
from tapeflow._src.keras.datasets import cifar, text
from tests.keras.test_datasets_more import (
    make_boston, make_cifar10, make_cifar100, make_imdb, make_reuters, make_word_index, md5,
    sha256,
)

pytest.importorskip("tensorflow")
pytest.importorskip("tf_keras")
from tf_keras.src.datasets import boston_housing as k_boston  # noqa: E402
from tf_keras.src.datasets import cifar10 as k_cifar10  # noqa: E402
from tf_keras.src.datasets import cifar100 as k_cifar100  # noqa: E402
from tf_keras.src.datasets import imdb as k_imdb  # noqa: E402
from tf_keras.src.datasets import reuters as k_reuters  # noqa: E402
from tf_keras.src.utils import data_utils as k_data_utils  # noqa: E402


def _offline_error():
    return urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))


@pytest.fixture
def offline(monkeypatch):
    """Every download fails on both sides, as with no network."""
    def k_fail(url, filename, reporthook=None, data=None):
        raise _offline_error()

    def t_fail(url, dest):
        raise _offline_error()
    monkeypatch.setattr(k_data_utils, "urlretrieve", k_fail)
    monkeypatch.setattr(ds, "_download", t_fail)


def _trust(monkeypatch, k_module, t_module, t_const, digest):
    """Both sides expect `digest` as the file's hash."""
    real = k_data_utils.get_file

    def k_get_file(*args, **kwargs):
        kwargs["file_hash"] = digest
        return real(*args, **kwargs)
    monkeypatch.setattr(k_module, "get_file", k_get_file)
    monkeypatch.setattr(t_module, t_const, digest)


def _same(a, b, where="out"):
    assert type(a) is type(b), where
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), where
        if a.dtype == object:
            _same(a.tolist(), b.tolist(), where)
        else:
            assert np.array_equal(a, b), where
    else:
        assert a == b, where


def _outcome(fn, capsys):
    try:
        out = ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        out = ("raised", type(e), str(e))
    return out, capsys.readouterr().out


def _compare(k_fn, t_fn, capsys):
    k, k_out = _outcome(k_fn, capsys)
    t, t_out = _outcome(t_fn, capsys)
    assert t_out == k_out
    assert k[0] == t[0], (k, t)
    if k[0] == "ok":
        _same(k[1], t[1])
    else:
        assert t[1:] == k[1:]
    return k


@pytest.fixture
def root(tmp_path):
    (tmp_path / "datasets").mkdir()
    return tmp_path


def test_cifar10_same_as_tf_keras(root, offline, monkeypatch, capsys):
    p = root / "datasets" / "cifar-10-batches-py.tar.gz"
    make_cifar10(p)
    _trust(monkeypatch, k_cifar10, cifar, "CIFAR10_SHA256", sha256(p))
    # tf_keras unpacks the archive; tapeflow then reads the same folder; and the other way
    k = _compare(lambda: k_cifar10.load_data(cache_dir=str(root)),
                 lambda: tf.keras.datasets.cifar10.load_data(cache_dir=str(root)), capsys)
    assert k[0] == "ok" and k[1][0][0].shape == (50000, 32, 32, 3)
    shutil.rmtree(root / "datasets" / "cifar-10-batches-py")
    _compare(lambda: tf.keras.datasets.cifar10.load_data(cache_dir=str(root)),
             lambda: k_cifar10.load_data(cache_dir=str(root)), capsys)


@pytest.mark.parametrize("label_mode", ["fine", "coarse", "middle"])
def test_cifar100_same_as_tf_keras(label_mode, root, offline, monkeypatch, capsys):
    p = root / "datasets" / "cifar-100-python.tar.gz"
    make_cifar100(p)
    _trust(monkeypatch, k_cifar100, cifar, "CIFAR100_SHA256", sha256(p))
    _compare(lambda: k_cifar100.load_data(label_mode, cache_dir=str(root)),
             lambda: tf.keras.datasets.cifar100.load_data(label_mode, cache_dir=str(root)),
             capsys)


IMDB_CASES = [
    {},
    dict(seed=7, num_words=10, skip_top=5, oov_char=0, index_from=2),
    dict(num_words=12, start_char=None, oov_char=None, index_from=1),
    dict(start_char=None, index_from=0),  # Keras adds the two object arrays element-wise
    dict(start_char=None, index_from=0, maxlen=5),
    dict(maxlen=4),
    dict(maxlen=2),
    dict(maxlen=5, num_words=0, skip_top=30),
    dict(nb_words=9),
    dict(bogus=1),
]


@pytest.mark.parametrize("kwargs", IMDB_CASES, ids=str)
def test_imdb_same_as_tf_keras(kwargs, root, offline, monkeypatch, capsys):
    p = root / "datasets" / "imdb.npz"
    make_imdb(p)
    _trust(monkeypatch, k_imdb, text, "IMDB_SHA256", sha256(p))
    _compare(lambda: k_imdb.load_data(cache_dir=str(root), **dict(kwargs)),
             lambda: tf.keras.datasets.imdb.load_data(cache_dir=str(root), **dict(kwargs)),
             capsys)


REUTERS_CASES = [
    {},
    dict(test_split=0.5, seed=3, maxlen=4, num_words=9, skip_top=4),
    dict(test_split=0.0, oov_char=None, num_words=8),
    dict(test_split=0.99, start_char=7, index_from=0),
    dict(start_char=None, index_from=0),
    dict(maxlen=1, num_words=5),  # nothing kept
    dict(maxlen=1),  # nothing kept, num_words from an empty set
    dict(nb_words=6),
    dict(foo=2),
]


@pytest.mark.parametrize("kwargs", REUTERS_CASES, ids=str)
def test_reuters_same_as_tf_keras(kwargs, root, offline, monkeypatch, capsys):
    p = root / "datasets" / "reuters.npz"
    make_reuters(p)
    _trust(monkeypatch, k_reuters, text, "REUTERS_SHA256", sha256(p))
    _compare(lambda: k_reuters.load_data(cache_dir=str(root), **dict(kwargs)),
             lambda: tf.keras.datasets.reuters.load_data(cache_dir=str(root), **dict(kwargs)),
             capsys)
    assert tf.keras.datasets.reuters.get_label_names() == k_reuters.get_label_names()


@pytest.mark.parametrize("kwargs", [{}, dict(test_split=0.35, seed=1), dict(test_split=0.0),
                                    dict(test_split=1.0), dict(test_split=-0.1)], ids=str)
def test_boston_housing_same_as_tf_keras(kwargs, root, offline, monkeypatch, capsys):
    p = root / "datasets" / "boston_housing.npz"
    make_boston(p)
    _trust(monkeypatch, k_boston, bh, "BOSTON_SHA256", sha256(p))
    _compare(lambda: k_boston.load_data(cache_dir=str(root), **kwargs),
             lambda: tf.keras.datasets.boston_housing.load_data(cache_dir=str(root), **kwargs),
             capsys)


def test_word_indexes_same_as_tf_keras(tmp_path, offline, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    (tmp_path / ".keras" / "datasets").mkdir(parents=True)
    for k_mod, t_mod, const, fname in [
            (k_imdb, tf.keras.datasets.imdb, "IMDB_WORD_INDEX_MD5", "imdb_word_index.json"),
            (k_reuters, tf.keras.datasets.reuters, "REUTERS_WORD_INDEX_MD5",
             "reuters_word_index.json")]:
        # missing file: the offline failure; then a cached file with a known md5
        _compare(k_mod.get_word_index, t_mod.get_word_index, capsys)
        p = tmp_path / ".keras" / "datasets" / fname
        make_word_index(p, ("the", fname))
        _trust(monkeypatch, k_mod, text, const, md5(p))
        k = _compare(k_mod.get_word_index, t_mod.get_word_index, capsys)
        assert k[1] == {"the": 1, fname: 2}


LOADERS = [
    (k_cifar10.load_data, lambda **kw: tf.keras.datasets.cifar10.load_data(**kw)),
    (k_cifar100.load_data, lambda **kw: tf.keras.datasets.cifar100.load_data(**kw)),
    (k_imdb.load_data, lambda **kw: tf.keras.datasets.imdb.load_data(**kw)),
    (k_reuters.load_data, lambda **kw: tf.keras.datasets.reuters.load_data(**kw)),
    (k_boston.load_data, lambda **kw: tf.keras.datasets.boston_housing.load_data(**kw)),
]


@pytest.mark.parametrize("k_load, t_load", LOADERS, ids=["cifar10", "cifar100", "imdb",
                                                          "reuters", "boston_housing"])
def test_offline_fresh_call_fails_as_tf_keras(k_load, t_load, tmp_path, offline, capsys):
    k_root, t_root = tmp_path / "k" / "new", tmp_path / "t" / "new"
    k = _outcome(lambda: k_load(cache_dir=str(k_root)), capsys)
    t = _outcome(lambda: t_load(cache_dir=str(t_root)), capsys)
    assert k[0][0] == "raised" and k[0][1] is Exception
    assert t == k
    assert os.listdir(t_root / "datasets") == os.listdir(k_root / "datasets") == []


def test_stale_cache_offline_same_as_tf_keras(root, offline, capsys):
    stale = root / "datasets" / "boston_housing.npz"

    def with_stale_file(load):
        def run():
            stale.write_bytes(b"truncated")
            return load(cache_dir=str(root))
        return run
    k = _compare(with_stale_file(k_boston.load_data),
                 with_stale_file(tf.keras.datasets.boston_housing.load_data), capsys)
    assert k[0] == "raised" and not stale.exists()


def test_get_file_same_as_tf_keras(tmp_path, monkeypatch, capsys, recwarn):
    src = tmp_path / "src.tar.gz"
    with tarfile.open(src, "w:gz") as tar:
        for name, raw in [("pkg/a.txt", b"A"), ("pkg/sub/b.txt", b"B"), ("../evil", b"E")]:
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    monkeypatch.setattr(k_data_utils, "urlretrieve",
                        lambda url, dest, hook=None: shutil.copy(src, dest))
    monkeypatch.setattr(ds, "_download", lambda url, dest: shutil.copy(src, dest))
    results = {}
    for side, get_file in [("k", k_data_utils.get_file), ("t", tf.keras.utils.get_file)]:
        root = tmp_path / side
        root.mkdir()
        calls = [
            lambda: get_file("pkg.tar.gz", "u://x/pkg.tar.gz", untar=True,
                             file_hash=sha256(src), cache_dir=str(root)),
            lambda: get_file(origin="u://x/arch.tgz", extract=True, cache_dir=str(root),
                             md5_hash=hashlib.md5(src.read_bytes()).hexdigest()),
            lambda: get_file("bad.bin", "u://x/b", file_hash="1" * 32, cache_dir=str(root)),
            lambda: get_file("bad.bin", "u://x/b", file_hash="1" * 32, cache_dir=str(root)),
            lambda: get_file(origin="u://x/", cache_dir=str(root)),
            lambda: get_file("f"),
        ]
        outs = []
        for c in calls:
            o, printed = _outcome(c, capsys)
            if o[0] == "ok":
                o = ("ok", os.path.relpath(o[1], root))
            outs.append((o, printed.replace(str(root), "ROOT")))
        files = sorted(os.path.relpath(os.path.join(d, f), root)
                       for d, _, fs in os.walk(root) for f in fs)
        results[side] = outs, files
    assert results["t"] == results["k"]
    assert results["k"][1] == ["datasets/arch.tgz", "datasets/bad.bin", "datasets/pkg.tar.gz",
                               "datasets/pkg/a.txt", "datasets/pkg/sub/b.txt"]


def test_real_downloader_same_as_tf_keras(tmp_path, capsys):
    # file:// URLs go through both real downloaders (progress bars included) without network.
    src = tmp_path / "blob.bin"
    src.write_bytes(bytes(range(256)) * 100)
    missing = (tmp_path / "missing.bin").as_uri()
    runs = {}
    for side, get_file in [("k", k_data_utils.get_file), ("t", tf.keras.utils.get_file)]:
        root = tmp_path / side
        root.mkdir()
        ok, out = _outcome(lambda: get_file("b.bin", src.as_uri(), file_hash=sha256(src),
                                            cache_dir=str(root)), capsys)
        bad, bad_out = _outcome(lambda: get_file("c.bin", missing, cache_dir=str(root)), capsys)
        out = re.sub(r"\d+s \d+us/step", "Ts Tus/step", out)
        runs[side] = (os.path.relpath(ok[1], root), out, bad, bad_out,
                      sorted(os.listdir(root / "datasets")))
    assert runs["t"] == runs["k"]
    assert runs["k"][2][1] is Exception


def test_signatures_same_as_tf_keras(tf_ref):
    import inspect
    pairs = [
        (tf_ref.keras.utils.get_file, tf.keras.utils.get_file),
        (tf_ref.keras.datasets.cifar10.load_data, tf.keras.datasets.cifar10.load_data),
        (tf_ref.keras.datasets.cifar100.load_data, tf.keras.datasets.cifar100.load_data),
        (tf_ref.keras.datasets.imdb.load_data, tf.keras.datasets.imdb.load_data),
        (tf_ref.keras.datasets.imdb.get_word_index, tf.keras.datasets.imdb.get_word_index),
        (tf_ref.keras.datasets.reuters.load_data, tf.keras.datasets.reuters.load_data),
        (tf_ref.keras.datasets.reuters.get_word_index, tf.keras.datasets.reuters.get_word_index),
        (tf_ref.keras.datasets.reuters.get_label_names,
         tf.keras.datasets.reuters.get_label_names),
        (tf_ref.keras.datasets.boston_housing.load_data,
         tf.keras.datasets.boston_housing.load_data),
    ]
    for k_fn, t_fn in pairs:
        assert str(inspect.signature(t_fn)) == str(inspect.signature(k_fn)), t_fn.__name__

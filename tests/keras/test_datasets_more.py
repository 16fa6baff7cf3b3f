"""tf.keras.datasets cifar10/cifar100/imdb/reuters/boston_housing and get_file, offline.

Small fake files in the exact on-disk formats are written into a temporary cache; the
expected sha256/md5 constants are replaced by the fakes' hashes. `make_*` builders are
shared with tests/reference/test_datasets_reference.py.
"""

import hashlib
import io
import json
import os
import pickle
import shutil
import socket
import tarfile
import urllib.error
import zipfile

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.keras import datasets as ds
from tapeflow._src.keras.datasets import boston_housing as bh
from tapeflow._src.keras.datasets import cifar, text

# -- fake files -----------------------------------------------------------------------------


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def _pickled(entries):
    # Python 2 wrote the real batches: keys load as bytes with encoding="bytes".
    return pickle.dumps({k.encode(): v for k, v in entries.items()}, protocol=2)


def _tar_gz(dest, folder, members):
    with tarfile.open(dest, "w:gz", compresslevel=1) as tar:
        for name, raw in members.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))


def cifar10_images(batch, n=10000):
    """Mostly-zero (n, 3072) uint8 images, distinct per row and batch (compresses well)."""
    data = np.zeros((n, 3072), np.uint8)
    data[:, ::97] = (np.arange(n)[:, None] * 7 + np.arange(32)[None, :] * 5 + batch) % 256
    return data


def cifar10_labels(batch, n=10000):
    return ((np.arange(n) * (batch + 3)) % 10).tolist()


def make_cifar10(dest):
    """cifar-10-python.tar.gz: five 10,000-image training batches and a test batch."""
    members = {}
    for b in range(1, 6):
        members[f"data_batch_{b}"] = _pickled(dict(
            batch_label=b"training batch", labels=cifar10_labels(b), data=cifar10_images(b)))
    members["test_batch"] = _pickled(dict(
        batch_label=b"testing batch", labels=cifar10_labels(0, 7), data=cifar10_images(0, 7)))
    _tar_gz(dest, "cifar-10-batches-py", members)


def cifar100_images(seed, n):
    return np.random.RandomState(seed).randint(0, 256, (n, 3072)).astype(np.uint8)


def make_cifar100(dest):
    members = {
        "train": _pickled(dict(fine_labels=[5, 99, 0, 42], coarse_labels=[1, 19, 0, 7],
                               data=cifar100_images(0, 4), filenames=[b"a"] * 4)),
        "test": _pickled(dict(fine_labels=[7, 3], coarse_labels=[2, 4],
                              data=cifar100_images(1, 2), filenames=[b"b"] * 2)),
        "meta": _pickled(dict(fine_label_names=[b"apple"], coarse_label_names=[b"fish"])),
    }
    _tar_gz(dest, "cifar-100-python", members)


def _seqs(lists):
    out = np.empty(len(lists), dtype=object)
    for i, s in enumerate(lists):
        out[i] = list(s)
    return out


IMDB_TRAIN = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [11], [2, 12, 13, 14]]
IMDB_TEST = [[15, 16], [1, 17, 18], [19, 1, 20, 21, 22, 23], [9]]


def make_imdb(dest):
    np.savez(dest, x_train=_seqs(IMDB_TRAIN), y_train=np.array([0, 1, 1, 0, 1]),
             x_test=_seqs(IMDB_TEST), y_test=np.array([1, 0, 1, 0]))


REUTERS_X = [[1, 2], [3, 4, 5, 6], [7], [8, 9, 1], [10, 11, 12, 13, 14], [2, 2, 15],
             [16, 17], [18, 1, 19, 20]]
REUTERS_Y = [3, 4, 3, 0, 45, 19, 3, 1]


def make_reuters(dest):
    np.savez(dest, x=_seqs(REUTERS_X), y=np.array(REUTERS_Y))


def make_boston(dest):
    x = np.arange(10 * 13, dtype=np.float64).reshape(10, 13) / 4
    np.savez(dest, x=x, y=np.arange(10, dtype=np.float64) * 2.5 + 10)


def make_word_index(dest, words=("the", "and", "a")):
    with open(dest, "w") as f:
        json.dump({w: i + 1 for i, w in enumerate(words)}, f)


@pytest.fixture(scope="session")
def cifar10_archive(tmp_path_factory):
    p = tmp_path_factory.mktemp("fakes") / "cifar-10-batches-py.tar.gz"
    make_cifar10(p)
    return p


# -- helpers --------------------------------------------------------------------------------


def _shuffle_order(n, rng):
    order = np.arange(n)
    rng.shuffle(order)
    return order


def _offline(url, dest):
    raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache root with downloads failing as offline; `.put(name, builder)`."""
    monkeypatch.setattr(ds, "_download", _offline)
    (tmp_path / "datasets").mkdir()

    class Cache:
        root = tmp_path

        def put(self, name, builder):
            p = tmp_path / "datasets" / name
            builder(p)
            return p
    return Cache()


# -- get_file -------------------------------------------------------------------------------


def test_get_file_downloads_once_then_uses_cache(tmp_path, monkeypatch, capsys):
    calls = []

    def fake(url, dest):
        calls.append(url)
        with open(dest, "wb") as f:
            f.write(b"payload")

    monkeypatch.setattr(ds, "_download", fake)
    want = hashlib.sha256(b"payload").hexdigest()
    p = tf.keras.utils.get_file("a.bin", "https://x.org/a.bin", file_hash=want,
                                cache_dir=str(tmp_path))
    assert p == str(tmp_path / "datasets" / "a.bin") and calls == ["https://x.org/a.bin"]
    assert capsys.readouterr().out == "Downloading data from https://x.org/a.bin\n"
    assert tf.keras.utils.get_file("a.bin", "https://x.org/a.bin", file_hash=want,
                                   cache_dir=str(tmp_path)) == p
    assert len(calls) == 1 and capsys.readouterr().out == ""
    # fname defaults to the URL's last path component; md5_hash selects md5
    p2 = tf.keras.utils.get_file(origin="https://x.org/d/b.txt?v=1", cache_dir=str(tmp_path),
                                 md5_hash=hashlib.md5(b"payload").hexdigest())
    assert p2 == str(tmp_path / "datasets" / "b.txt")


def test_get_file_stale_cache_is_downloaded_again(tmp_path, monkeypatch, capsys):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "a.bin").write_bytes(b"old")
    def fake(url, dest):
        with open(dest, "wb") as f:
            f.write(b"new")

    monkeypatch.setattr(ds, "_download", fake)
    good = hashlib.md5(b"new").hexdigest()  # 32 hex digits: md5 under 'auto'
    p = ds.get_file("a.bin", "u://a", file_hash=good, cache_dir=str(tmp_path))
    with open(p, "rb") as f:
        assert f.read() == b"new"
    assert capsys.readouterr().out == (
        "A local file was found, but it seems to be incomplete or outdated because the auto "
        f"file hash does not match the original value of {good} so we will re-download the "
        "data.\nDownloading data from u://a\n")
    with pytest.raises(ValueError) as e:
        ds.get_file("c.bin", "u://c", file_hash="0" * 64, hash_algorithm="sha256",
                    cache_dir=str(tmp_path))
    assert str(e.value) == ("Incomplete or corrupted file detected. The sha256 file hash does "
                            f"not match the provided value of {'0' * 64}.")
    assert os.path.exists(tmp_path / "datasets" / "c.bin")  # kept, as Keras does


def test_get_file_download_failures(tmp_path, monkeypatch):
    def partial_then_offline(url, dest):
        with open(dest, "wb") as f:
            f.write(b"part")
        _offline(url, dest)

    monkeypatch.setattr(ds, "_download", partial_then_offline)
    with pytest.raises(Exception) as e:
        ds.get_file("a.npz", "https://h/a.npz", cache_dir=str(tmp_path))
    assert type(e.value) is Exception
    assert str(e.value) == ("URL fetch failure on https://h/a.npz: None -- "
                            "[Errno -2] Name or service not known")
    assert not os.path.exists(tmp_path / "datasets" / "a.npz")

    def not_found(url, dest):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(ds, "_download", not_found)
    with pytest.raises(Exception, match=r"^URL fetch failure on https://h/b: 404 -- Not Found$"):
        ds.get_file("b", "https://h/b", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match='Please specify the "origin" argument'):
        ds.get_file("b")
    with pytest.raises(ValueError, match="Can't parse the file name from the origin"):
        ds.get_file(origin="https://h/", cache_dir=str(tmp_path))


def test_get_file_untar_and_extract(tmp_path, monkeypatch, recwarn):
    src = tmp_path / "src.tar.gz"
    with tarfile.open(src, "w:gz") as tar:
        for name, raw in [("pkg/a.txt", b"A"), ("../evil.txt", b"E")]:
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    monkeypatch.setattr(ds, "_download", lambda url, dest: shutil.copy(src, dest))
    cache_root = tmp_path / "c"
    cache_root.mkdir()  # Keras falls back to /tmp/.keras for a root it cannot write to
    p = ds.get_file("pkg.tar.gz", "u://pkg.tar.gz", untar=True, file_hash=sha256(src),
                    cache_dir=str(cache_root))
    assert p == str(cache_root / "datasets" / "pkg")
    assert (cache_root / "datasets" / "pkg" / "a.txt").read_text() == "A"
    assert os.path.exists(cache_root / "datasets" / "pkg.tar.gz")
    assert not os.path.exists(cache_root / "evil.txt")
    assert [str(w.message) for w in recwarn if w.category is UserWarning] == [
        "Skipping invalid path during archive extraction: '../evil.txt'."]
    zsrc = tmp_path / "z.zip"
    with zipfile.ZipFile(zsrc, "w") as z:
        z.writestr("inner/b.txt", "B")
    monkeypatch.setattr(ds, "_download", lambda url, dest: shutil.copy(zsrc, dest))
    p = ds.get_file("z.zip", "u://z.zip", extract=True, cache_dir=str(cache_root))
    assert p == str(cache_root / "datasets" / "z.zip")
    assert (cache_root / "datasets" / "inner" / "b.txt").read_text() == "B"


def test_real_download_path_with_file_url(tmp_path, capsys):
    # The default downloader (urllib, 8 KiB reads, progress bar) on a local file:// URL.
    src = tmp_path / "blob.bin"
    src.write_bytes(bytes(range(256)) * 80)  # 20480 bytes: three 8 KiB reads
    root = tmp_path / "cache"
    root.mkdir()
    p = ds.get_file("b.bin", src.as_uri(), file_hash=sha256(src), cache_dir=str(root))
    assert (root / "datasets" / "b.bin").read_bytes() == src.read_bytes()
    out = capsys.readouterr().out
    assert out.startswith(f"Downloading data from {src.as_uri()}\n")
    assert " 8192/20480 [" in out and "20480/20480 [====" in out  # later ones throttled
    assert p == str(root / "datasets" / "b.bin")
    with pytest.raises(Exception) as e:
        ds.get_file("c.bin", (tmp_path / "missing.bin").as_uri(), cache_dir=str(root))
    assert type(e.value) is Exception
    assert str(e.value).startswith(f"URL fetch failure on {(tmp_path / 'missing.bin').as_uri()}")
    assert not (root / "datasets" / "c.bin").exists()


def test_public_modules():
    d = tf.keras.datasets
    assert d.cifar10.load_data is cifar.cifar10_load_data
    assert d.cifar100.load_data is cifar.cifar100_load_data
    assert d.imdb.load_data is text.imdb_load_data
    assert d.imdb.get_word_index is text.imdb_get_word_index
    assert d.reuters.load_data is text.reuters_load_data
    assert d.reuters.get_word_index is text.reuters_get_word_index
    assert d.boston_housing.load_data is bh.load_data
    names = d.reuters.get_label_names()
    assert isinstance(names, tuple) and len(names) == 46
    assert (names[0], names[3], names[19], names[45]) == ("cocoa", "earn", "money-fx", "lead")


# -- offline: a fresh call fails as Keras does ----------------------------------------------


@pytest.mark.parametrize("call, url", [
    (lambda c: tf.keras.datasets.cifar10.load_data(cache_dir=c),
     "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
    (lambda c: tf.keras.datasets.cifar100.load_data(cache_dir=c),
     "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"),
    (lambda c: tf.keras.datasets.imdb.load_data(cache_dir=c),
     "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"),
    (lambda c: tf.keras.datasets.reuters.load_data(cache_dir=c),
     "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz"),
    (lambda c: tf.keras.datasets.boston_housing.load_data(cache_dir=c),
     "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"),
])
def test_offline_fresh_call_raises_keras_exception(call, url, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ds, "_download", _offline)
    root = tmp_path / "new" / "root"
    with pytest.raises(Exception) as e:
        call(str(root))
    assert type(e.value) is Exception
    assert str(e.value) == (f"URL fetch failure on {url}: None -- "
                            "[Errno -2] Name or service not known")
    assert capsys.readouterr().out == f"Downloading data from {url}\n"
    assert os.listdir(root / "datasets") == []  # cache_dir created, nothing left behind


def test_word_index_uses_home_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(ds, "_download", _offline)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    with pytest.raises(Exception, match="imdb_word_index.json: None -- "):
        tf.keras.datasets.imdb.get_word_index()
    assert os.listdir(tmp_path / ".keras" / "datasets") == []  # ~/.keras made on demand
    p = tmp_path / ".keras" / "datasets" / "reuters_word_index.json"
    make_word_index(p, ("said", "the"))
    monkeypatch.setattr(text, "REUTERS_WORD_INDEX_MD5", md5(p))
    assert tf.keras.datasets.reuters.get_word_index() == {"said": 1, "the": 2}
    q = tmp_path / ".keras" / "datasets" / "imdb_word_index.json"
    make_word_index(q)
    monkeypatch.setattr(text, "IMDB_WORD_INDEX_MD5", md5(q))
    assert tf.keras.datasets.imdb.get_word_index() == {"the": 1, "and": 2, "a": 3}


# -- CIFAR ----------------------------------------------------------------------------------


def test_cifar10(cache, cifar10_archive, monkeypatch):
    p = cache.put("cifar-10-batches-py.tar.gz", lambda p: shutil.copy(cifar10_archive, p))
    monkeypatch.setattr(cifar, "CIFAR10_SHA256", sha256(p))
    (x, y), (xt, yt) = tf.keras.datasets.cifar10.load_data(cache_dir=str(cache.root))
    assert x.shape == (50000, 32, 32, 3) and y.shape == (50000, 1)
    assert xt.shape == (7, 32, 32, 3) and yt.shape == (7, 1)
    assert {a.dtype for a in (x, y, xt, yt)} == {np.dtype(np.uint8)}
    # image 10003 = batch 2, row 3; its stored byte c*1024 + h*32 + w is pixel (h, w, c)
    img = cifar10_images(2)[3].reshape(3, 32, 32).transpose(1, 2, 0)
    assert np.array_equal(x[10003], img)
    assert x[10003, 0, 0, 0] == (3 * 7 + 2) % 256 and x[10003, 0, 1, 0] == 0
    assert x[10003, 3, 1, 0] == (3 * 7 + 5 + 2) % 256  # byte 97 = row 3, col 1, channel 0
    assert y[10003, 0] == (3 * 5) % 10 and y[49999, 0] == (9999 * 8) % 10
    assert yt[:, 0].tolist() == [0, 3, 6, 9, 2, 5, 8]
    assert os.path.isdir(cache.root / "datasets" / "cifar-10-batches-py")
    # a second call reuses the unpacked folder
    (x2, _), _ = tf.keras.datasets.cifar10.load_data(cache_dir=str(cache.root))
    assert np.array_equal(x2, x)


def test_cifar100_fine_coarse_and_errors(cache, monkeypatch):
    p = cache.put("cifar-100-python.tar.gz", make_cifar100)
    monkeypatch.setattr(cifar, "CIFAR100_SHA256", sha256(p))
    (x, y), (xt, yt) = tf.keras.datasets.cifar100.load_data(cache_dir=str(cache.root))
    assert x.dtype == np.uint8 and x.shape == (4, 32, 32, 3) and xt.shape == (2, 32, 32, 3)
    assert y.dtype == np.int64 and y.tolist() == [[5], [99], [0], [42]]
    assert yt.tolist() == [[7], [3]]
    assert np.array_equal(xt[1, :, :, 2], cifar100_images(1, 2)[1, 2048:].reshape(32, 32))
    (_, yc), (_, ytc) = tf.keras.datasets.cifar100.load_data("coarse", cache_dir=str(cache.root))
    assert yc.tolist() == [[1], [19], [0], [7]] and ytc.tolist() == [[2], [4]]
    with pytest.raises(ValueError) as e:
        tf.keras.datasets.cifar100.load_data("medium")
    assert str(e.value) == ('`label_mode` must be one of `"fine"`, `"coarse"`. '
                            "Received: label_mode=medium.")


def test_cifar_channels_first(cache, monkeypatch):
    p = cache.put("cifar-100-python.tar.gz", make_cifar100)
    monkeypatch.setattr(cifar, "CIFAR100_SHA256", sha256(p))
    old = tf.keras.backend.image_data_format()
    tf.keras.backend.set_image_data_format("channels_first")
    try:
        (x, _), _ = tf.keras.datasets.cifar100.load_data(cache_dir=str(cache.root))
    finally:
        tf.keras.backend.set_image_data_format(old)
    assert x.shape == (4, 3, 32, 32)
    assert np.array_equal(x.reshape(4, 3072), cifar100_images(0, 4))


# -- IMDB -----------------------------------------------------------------------------------


@pytest.fixture
def imdb_cache(cache, monkeypatch):
    p = cache.put("imdb.npz", make_imdb)
    monkeypatch.setattr(text, "IMDB_SHA256", sha256(p))
    return str(cache.root)


def _imdb_shuffled(seed=113):
    rng = np.random.RandomState(seed)
    tr, te = _shuffle_order(5, rng), _shuffle_order(4, rng)
    ytr, yte = np.array([0, 1, 1, 0, 1]), np.array([1, 0, 1, 0])
    return ([IMDB_TRAIN[i] for i in tr], ytr[tr]), ([IMDB_TEST[i] for i in te], yte[te])


def test_imdb_defaults(imdb_cache):
    (x, y), (xt, yt) = tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache)
    (sx, sy), (sxt, syt) = _imdb_shuffled()
    assert x.dtype == object and x.shape == (5,) and xt.shape == (4,)
    assert y.dtype == np.int64 and yt.dtype == np.int64
    # start_char 1, then ranks + 3; num_words = the largest index (23 + 3) is itself excluded
    assert list(x) == [[1] + [w + 3 for w in s] for s in sx]
    assert list(xt) == [[1] + [w + 3 if w != 23 else 2 for w in s] for s in sxt]
    assert y.tolist() == sy.tolist() and yt.tolist() == syt.tolist()
    assert all(type(w) is int for s in x for w in s)


def test_imdb_vocabulary_options(imdb_cache):
    (sx, _), (sxt, _) = _imdb_shuffled(7)
    (x, _), (xt, _) = tf.keras.datasets.imdb.load_data(
        cache_dir=imdb_cache, seed=7, num_words=10, skip_top=5, start_char=1, oov_char=0,
        index_from=2)

    def enc(s):
        return [1 if 5 <= 1 < 10 else 0] + [w + 2 if 5 <= w + 2 < 10 else 0 for w in s]
    assert list(x) == [enc(s) for s in sx] and list(xt) == [enc(s) for s in sxt]
    # oov_char=None drops the words instead; start_char=None adds no marker
    (x, _), (xt, _) = tf.keras.datasets.imdb.load_data(
        cache_dir=imdb_cache, seed=7, num_words=12, start_char=None, oov_char=None,
        index_from=1)
    assert list(x) == [[w + 1 for w in s if w + 1 < 12] for s in sx]
    assert list(xt) == [[w + 1 for w in s if w + 1 < 12] for s in sxt]


def test_imdb_maxlen_and_errors(imdb_cache):
    (sx, sy), (sxt, syt) = _imdb_shuffled()
    (x, y), (xt, yt) = tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache, maxlen=4)
    # encoded length = stored length + 1 (start_char); kept when < 4
    keep = [i for i, s in enumerate(sx) if len(s) + 1 < 4]
    keep_t = [i for i, s in enumerate(sxt) if len(s) + 1 < 4]
    assert [s[1:] for s in x] == [[w + 3 for w in sx[i]] for i in keep]
    assert y.tolist() == [int(sy[i]) for i in keep] and y.dtype == np.int64
    assert yt.tolist() == [int(syt[i]) for i in keep_t]
    assert len(xt) == len(keep_t)
    with pytest.raises(ValueError) as e:
        tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache, maxlen=2)
    assert str(e.value) == ("After filtering for sequences shorter than maxlen=2, no sequence "
                            "was kept. Increase maxlen.")
    with pytest.raises(TypeError) as e:
        tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache, bogus=1)
    assert str(e.value) == "Unrecognized keyword arguments: {'bogus': 1}."
    (a, _), _ = tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache, nb_words=10)
    (b, _), _ = tf.keras.datasets.imdb.load_data(cache_dir=imdb_cache, num_words=10)
    assert list(a) == list(b)


# -- Reuters --------------------------------------------------------------------------------


@pytest.fixture
def reuters_cache(cache, monkeypatch):
    p = cache.put("reuters.npz", make_reuters)
    monkeypatch.setattr(text, "REUTERS_SHA256", sha256(p))
    return str(cache.root)


def _reuters_shuffled(seed=113):
    order = _shuffle_order(8, np.random.RandomState(seed))
    return [REUTERS_X[i] for i in order], [REUTERS_Y[i] for i in order]


def test_reuters_defaults_and_split(reuters_cache):
    sx, sy = _reuters_shuffled()
    (x, y), (xt, yt) = tf.keras.datasets.reuters.load_data(cache_dir=reuters_cache)
    assert x.dtype == object and len(x) == int(8 * 0.8) == 6 and len(xt) == 2
    assert y.dtype == np.int64 and y.tolist() == sy[:6] and yt.tolist() == sy[6:]
    # num_words defaults to the largest encoded index (20 + 3 = 23), itself replaced by 2
    enc = [[1] + [w + 3 if w + 3 < 23 else 2 for w in s] for s in sx]
    assert list(x) + list(xt) == enc
    (x, y), (xt, yt) = tf.keras.datasets.reuters.load_data(cache_dir=reuters_cache,
                                                           test_split=0.5, seed=3, maxlen=4,
                                                           num_words=9, skip_top=4)
    sx, sy = _reuters_shuffled(3)
    keep = [i for i, s in enumerate(sx) if len(s) + 1 < 4]
    enc = [[2] + [w + 3 if 4 <= w + 3 < 9 else 2 for w in sx[i]] for i in keep]
    half = int(len(keep) * 0.5)
    assert x.tolist() + xt.tolist() == enc and len(x) == half
    assert y.tolist() + yt.tolist() == [sy[i] for i in keep]
    with pytest.raises(TypeError) as e:
        tf.keras.datasets.reuters.load_data(cache_dir=reuters_cache, foo=2)
    assert str(e.value) == "Unrecognized keyword arguments: {'foo': 2}"


def test_reuters_equal_lengths_give_2d_object_array(cache, monkeypatch):
    # As in Keras, np.array(..., dtype=object) of equal-length lists is a 2-D object array.
    p = cache.put("reuters.npz", lambda p: np.savez(p, x=_seqs([[1, 2], [3, 4], [5, 6], [7, 8]]),
                                                    y=np.array([0, 1, 2, 3])))
    monkeypatch.setattr(text, "REUTERS_SHA256", sha256(p))
    (x, _), (xt, _) = tf.keras.datasets.reuters.load_data(cache_dir=str(cache.root),
                                                          num_words=100, test_split=0.5)
    assert x.dtype == object and x.shape == (2, 3) and xt.shape == (2, 3)
    assert sorted(x.tolist() + xt.tolist()) == [[1, 4, 5], [1, 6, 7], [1, 8, 9], [1, 10, 11]]


# -- Boston housing -------------------------------------------------------------------------


def test_boston_housing(cache, monkeypatch):
    p = cache.put("boston_housing.npz", make_boston)
    monkeypatch.setattr(bh, "BOSTON_SHA256", sha256(p))
    order = _shuffle_order(10, np.random.RandomState(113))
    with np.load(p) as f:
        fx, fy = f["x"], f["y"]
    (x, y), (xt, yt) = tf.keras.datasets.boston_housing.load_data(cache_dir=str(cache.root))
    assert x.shape == (8, 13) and xt.shape == (2, 13) and x.dtype == np.float64
    assert y.tolist() == [i * 2.5 + 10 for i in order[:8]]
    assert yt.tolist() == [i * 2.5 + 10 for i in order[8:]]
    assert np.array_equal(np.concatenate([x, xt]), fx[order])
    (x, y), (xt, yt) = tf.keras.datasets.boston_housing.load_data(
        cache_dir=str(cache.root), test_split=0.35, seed=1)
    order = _shuffle_order(10, np.random.RandomState(1))
    assert len(x) == 6 and np.array_equal(yt, fy[order[6:]])
    with pytest.raises(AssertionError):
        tf.keras.datasets.boston_housing.load_data(cache_dir=str(cache.root), test_split=1.0)


def test_docstring_examples_run():
    # Loader examples need the real files (marked +SKIP); the rest must run.
    import doctest
    for mod in (ds, cifar, text, bh):
        result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
        assert result.failed == 0, mod.__name__
    assert doctest.testmod(text, verbose=False).attempted > 0

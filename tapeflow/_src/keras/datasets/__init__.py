"""Keras datasets: the standard files, downloaded once into ~/.keras/datasets.

`get_file` follows tf.keras.utils.get_file: the same cache layout (`<cache_dir>/<subdir>/
<fname>`, `.tar.gz` archives unpacked next to themselves), the same sha256/md5 checks and the
same messages and exceptions when a download fails. The default cache root is $KERAS_HOME
when set, else ~/.keras. MNIST and Fashion-MNIST additionally say where to put the file by
hand when the machine is offline (tapeflow's own addition; see `mnist.load_sample` too).
The other loaders live in the sibling modules `cifar`, `text` and `boston_housing`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

import numpy as np

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def keras_home():
    """$KERAS_HOME, else ~/.keras."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def _file_digest(path, hasher):
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _sha256(path):
    return _file_digest(path, hashlib.sha256())


def _hash_matches(path, file_hash, algorithm):
    return str(_file_digest(path, _hasher(algorithm, file_hash))) == str(file_hash)


def _download(url, dest):
    """Fetches `url` into the file `dest` with a progress bar (tests replace this function).

    Reads 8 KiB blocks and reports after each read, as Keras's downloader does, so the bar
    shows the same counts.
    """
    from tapeflow._src.keras.callbacks import Progbar
    block = 8192
    with urllib.request.urlopen(url) as response, open(dest, "wb") as out:
        size = response.info().get("Content-Length")
        total = int(size.strip()) if size is not None else None
        bar, done, reads = Progbar(total), False, 0
        while True:
            chunk = response.read(block)
            reads += 1
            seen = reads * block
            if total is None or seen < total:
                bar.update(seen)
            elif not done:
                bar.update(total)
                done = True
            if not chunk:
                break
            out.write(chunk)


def _inside(base, target):
    base = os.path.realpath(base)
    return os.path.commonpath([base, os.path.realpath(target)]) == base


def _safe_members(archive, dest):
    for info in archive.getmembers():
        ok = _inside(dest, os.path.join(dest, info.name))
        if ok and info.issym():
            ok = _inside(dest, os.path.join(dest, os.path.dirname(info.name), info.linkname))
        elif ok and info.islnk():
            ok = _inside(dest, os.path.join(dest, info.linkname))
        if ok:
            yield info
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: '{info.name}'.")


def _extract_archive(file_path, path, archive_format="auto"):
    """Unpacks a tar or zip archive into `path`; False when it is neither (as Keras).

    Unlike Keras, a failing extraction leaves the cache directory in place (Keras deletes
    the whole `path`); the exception is the same.
    """
    if archive_format is None:
        return False
    kinds = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in kinds:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                members = list(_safe_members(archive, path))
                if hasattr(tarfile, "data_filter"):
                    archive.extractall(path, members=members, filter="tar")
                else:  # pragma: no cover - Python without extraction filters
                    archive.extractall(path, members=members)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path)
            return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None):
    """The local path of `fname`, downloaded from `origin` unless a valid copy is cached.

    Args:
      fname: file name inside the cache (default: the last part of `origin`'s path).
      origin: URL of the file.
      untar: `origin` is a `.tar.gz` archive: keep it as `<fname>.tar.gz` and return the
        directory `<fname>` it unpacks to (legacy; prefer `extract`).
      md5_hash: legacy way of giving an md5 `file_hash`.
      file_hash: expected sha256 or md5 hex digest of the file; a cached file that does not
        match is downloaded again, a download that does not match raises ValueError.
      cache_subdir: sub-directory of the cache root holding the file.
      hash_algorithm: 'sha256', 'md5' or 'auto' (guessed from the length of `file_hash`).
      extract: unpack the file (a tar or zip archive) next to itself.
      archive_format: 'auto', 'tar', 'zip', a list of those, or None.
      cache_dir: cache root (default $KERAS_HOME or ~/.keras; /tmp/.keras when the root is
        not writable).

    Returns:
      The path of the file (or of the unpacked directory with `untar=True`).

    >>> p = get_file("data.csv", origin="https://example.com/data.csv")  # doctest: +SKIP
    """
    return _fetch(fname, origin, untar, md5_hash, file_hash, cache_subdir, hash_algorithm,
                  extract, archive_format, cache_dir)


def _fetch(fname, origin, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
           hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None,
           offline_advice=False):
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if cache_dir is None:
        root = os.path.expanduser(keras_home())
        try:  # Keras creates its home directory when it is imported
            os.makedirs(root, exist_ok=True)
        except OSError:
            pass
    else:
        root = os.path.expanduser(cache_dir)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if not os.access(root, os.W_OK):
        root = os.path.join("/tmp", ".keras")
    datadir = os.path.join(root, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: "
                             f"'{origin}'.Please specify the `fname` as the input param.")
    if untar:
        if fname.endswith(".tar.gz"):
            fname = fname[:-len(".tar.gz")]
        unpacked = os.path.join(datadir, fname)
        fpath = unpacked + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)

    need = not os.path.exists(fpath)
    if not need and file_hash is not None and not _hash_matches(fpath, file_hash,
                                                                  hash_algorithm):
        print(f"A local file was found, but it seems to be incomplete or outdated because "
              f"the {hash_algorithm} file hash does not match the original value of "
              f"{file_hash} so we will re-download the data.")
        need = True
    if need:
        print(f"Downloading data from {origin}")
        try:
            try:
                _download(origin, fpath)
            except urllib.error.HTTPError as e:
                raise Exception(f"URL fetch failure on {origin}: {e.code} -- {e.msg}")
            except urllib.error.URLError as e:
                raise Exception(f"URL fetch failure on {origin}: {e.errno} -- {e.reason}")
        except (Exception, KeyboardInterrupt) as e:
            if os.path.exists(fpath):
                os.remove(fpath)
            if offline_advice and isinstance(e, Exception):
                raise RuntimeError(
                    f"Could not download {origin} ({e}). If this machine is offline, "
                    f"download the file elsewhere and place it at {fpath} (set $KERAS_HOME "
                    f"to use another directory than ~/.keras).") from None
            raise
        if os.path.exists(fpath) and file_hash is not None and not _hash_matches(
                fpath, file_hash, hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected. The {hash_algorithm} "
                             f"file hash does not match the provided value of {file_hash}.")
    if untar:
        if not os.path.exists(unpacked):
            _extract_archive(fpath, datadir, archive_format="tar")
        return unpacked
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def mnist_load_data(path="mnist.npz", cache_dir=None):
    """MNIST as ((x_train, y_train), (x_test, y_test)), uint8 arrays as in Keras."""
    p = _fetch(path, BASE_URL + "mnist.npz", file_hash=MNIST_SHA256, hash_algorithm="sha256",
               cache_dir=cache_dir, offline_advice=True)
    with np.load(p, allow_pickle=True) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def mnist_load_sample():
    """The 5,000-digit MNIST sample shipped with tapeflow (4,000 train, 1,000 test); offline."""
    p = os.path.join(os.path.dirname(__file__), "mnist_sample.npz")
    with np.load(p) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def fashion_mnist_load_data(cache_dir=None):
    """Fashion-MNIST as ((x_train, y_train), (x_test, y_test)), from Keras's gzip files."""
    dirname = os.path.join("datasets", "fashion-mnist")
    files = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
    paths = [_fetch(f, BASE_URL + f, cache_subdir=dirname, cache_dir=cache_dir,
                    offline_advice=True) for f in files]

    def read(p, offset):
        with gzip.open(p, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)

    y_train = read(paths[0], 8)
    x_train = read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = read(paths[2], 8)
    x_test = read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)

"""Keras datasets: the standard files, downloaded once into ~/.keras/datasets (or $KERAS_HOME).

Downloads use urllib with a SHA-256 check when Keras publishes a hash; a cached file is
reused. Without network access, the error says exactly where to put the file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request

import numpy as np

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def keras_home():
    """$KERAS_HOME, else ~/.keras (as Keras)."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(url, dest):
    """Fetches `url` into the file `dest` (tests replace this function)."""
    with urllib.request.urlopen(url, timeout=60) as r, open(dest, "wb") as f:
        shutil.copyfileobj(r, f)


def get_file(fname, origin, file_hash=None, cache_subdir="datasets", cache_dir=None):
    """The local path of `fname`, downloading it from `origin` unless already cached."""
    cache_dir = os.path.expanduser(cache_dir) if cache_dir else keras_home()
    datadir = os.path.join(cache_dir, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    path = os.path.join(datadir, fname)
    if os.path.exists(path):
        if file_hash is None or _sha256(path) == file_hash:
            return path
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"sha256 file hash does not match the original value of {file_hash} so we will "
              f"re-download the data.")
    print(f"Downloading data from {origin}")
    fd, tmp = tempfile.mkstemp(dir=datadir, prefix="." + fname + ".")
    os.close(fd)
    try:
        try:
            _download(origin, tmp)
        except Exception as e:  # noqa: BLE001 - any network failure gets the same advice
            raise RuntimeError(
                f"Could not download {origin} ({type(e).__name__}: {e}). If this machine is "
                f"offline, download the file elsewhere and place it at {path} "
                f"(set $KERAS_HOME to use another directory than ~/.keras).") from None
        if file_hash is not None:
            got = _sha256(tmp)
            if got != file_hash:
                raise ValueError(f"Incomplete or corrupted file detected. The sha256 file hash "
                                 f"does not match the provided value of {file_hash} "
                                 f"(got {got}) for {origin}.")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def mnist_load_data(path="mnist.npz", cache_dir=None):
    """MNIST as ((x_train, y_train), (x_test, y_test)), uint8 arrays as in Keras."""
    p = get_file(path, origin=BASE_URL + "mnist.npz", file_hash=MNIST_SHA256,
                 cache_dir=cache_dir)
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
    paths = [get_file(f, origin=BASE_URL + f, cache_subdir=dirname, cache_dir=cache_dir)
             for f in files]

    def read(p, offset):
        with gzip.open(p, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)

    y_train = read(paths[0], 8)
    x_train = read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = read(paths[2], 8)
    x_test = read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)

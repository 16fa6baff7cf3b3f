"""`tf.io.read_file`, `tf.io.write_file` and a small `tf.io.gfile` over the local file system."""

from __future__ import annotations

import glob as _glob
import os
import shutil

import numpy as np

from tapeflow._src.framework.errors import NotFoundError
from tapeflow._src.framework.tensor import _wrap


def _path(p):
    if hasattr(p, "numpy"):
        p = p.numpy()
    if isinstance(p, bytes):
        p = p.decode()
    return os.fspath(p)


def read_file(filename, name=None):
    """The whole contents of a file as a scalar string Tensor."""
    path = _path(filename)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory "
                            f"[Op:ReadFile]") from None
    out = np.empty((), dtype=object)
    out[()] = data
    return _wrap(out)


def write_file(filename, contents, name=None):
    """Writes a scalar string Tensor (or bytes) to a file, replacing it."""
    data = contents.numpy() if hasattr(contents, "numpy") else contents
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(_path(filename), "wb") as f:
        f.write(bytes(data))


class GFile:
    """A file object (tf.io.gfile.GFile); local paths only."""

    def __init__(self, name, mode="r"):
        self._f = open(_path(name), mode)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __iter__(self):
        return iter(self._f)


def exists(path):
    return os.path.exists(_path(path))


def glob(pattern):
    return sorted(_glob.glob(_path(pattern)))


def isdir(path):
    return os.path.isdir(_path(path))


def listdir(path):
    return os.listdir(_path(path))


def makedirs(path):
    os.makedirs(_path(path), exist_ok=True)


def mkdir(path):
    os.mkdir(_path(path))


def remove(path):
    os.remove(_path(path))


def rmtree(path):
    shutil.rmtree(_path(path))


def rename(src, dst, overwrite=False):
    if not overwrite and os.path.exists(_path(dst)):
        from tapeflow._src.framework.errors import AlreadyExistsError
        raise AlreadyExistsError(None, None, f"file already exists: {_path(dst)}")
    os.replace(_path(src), _path(dst))


def copy(src, dst, overwrite=False):
    if not overwrite and os.path.exists(_path(dst)):
        from tapeflow._src.framework.errors import AlreadyExistsError
        raise AlreadyExistsError(None, None, f"file already exists: {_path(dst)}")
    shutil.copyfile(_path(src), _path(dst))

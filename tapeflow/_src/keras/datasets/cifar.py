"""CIFAR-10 and CIFAR-100 (tf.keras.datasets.cifar10 / cifar100).

Both come from the University of Toronto's "python version" archives: a `.tar.gz` holding
pickled dictionaries (written by Python 2, hence the bytes keys) whose `data` entry is a
(n, 3072) uint8 array of channel-major 32x32 images. The archive is cached as
`<cache>/datasets/cifar-10-batches-py.tar.gz` (resp. `cifar-100-python.tar.gz`) and unpacked
next to itself.
"""

from __future__ import annotations

import os
import pickle

import numpy as np

from tapeflow._src.keras.datasets import get_file

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
CIFAR100_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"

_TRAIN_BATCHES = 5
_BATCH_SIZE = 10000


def load_batch(fpath, label_key="labels"):
    """Reads one pickled CIFAR batch: (images as (n, 3, 32, 32), labels as stored)."""
    with open(fpath, "rb") as f:
        raw = pickle.load(f, encoding="bytes")
    entries = {key.decode("utf8"): value for key, value in raw.items()}
    data = entries["data"]
    return data.reshape(data.shape[0], 3, 32, 32), entries[label_key]


def _prepare_cache(cache_dir):
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    return cache_dir


def _channels_last(*images):
    from tapeflow._src.keras.backend import image_data_format
    if image_data_format() == "channels_last":
        return tuple(x.transpose(0, 2, 3, 1) for x in images)
    return images


def cifar10_load_data(cache_dir=None):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes.

    Args:
      cache_dir: cache root instead of ~/.keras (the archive goes in its `datasets/`).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: uint8 images of shape (n, 32, 32, 3)
      ((n, 3, 32, 32) under the 'channels_first' image data format) and uint8 labels 0-9 of
      shape (n, 1).

    >>> (x, y), _ = cifar10_load_data()  # doctest: +SKIP
    >>> x.shape, y.shape  # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1))
    """
    cache_dir = _prepare_cache(cache_dir)
    folder = get_file("cifar-10-batches-py", origin=CIFAR10_URL, untar=True,
                      file_hash=CIFAR10_SHA256, cache_dir=cache_dir)
    n = _TRAIN_BATCHES * _BATCH_SIZE
    x_train = np.empty((n, 3, 32, 32), dtype="uint8")
    y_train = np.empty((n,), dtype="uint8")
    for b in range(_TRAIN_BATCHES):
        rows = slice(b * _BATCH_SIZE, (b + 1) * _BATCH_SIZE)
        images, labels = load_batch(os.path.join(folder, f"data_batch_{b + 1}"))
        x_train[rows, :, :, :] = images
        y_train[rows] = labels
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    x_train, x_test = _channels_last(x_train, x_test)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test.astype(y_train.dtype))


def cifar100_load_data(label_mode="fine", cache_dir=None):
    """CIFAR-100: 50,000 training and 10,000 test 32x32 colour images in 100 classes.

    Args:
      label_mode: 'fine' (the 100 classes) or 'coarse' (their 20 superclasses).
      cache_dir: cache root instead of ~/.keras (the archive goes in its `datasets/`).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: uint8 images of shape (n, 32, 32, 3)
      ((n, 3, 32, 32) under 'channels_first') and int64 labels of shape (n, 1).

    >>> (x, y), _ = cifar100_load_data(label_mode="coarse")  # doctest: +SKIP
    >>> int(y.max())  # doctest: +SKIP
    19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    cache_dir = _prepare_cache(cache_dir)
    folder = get_file("cifar-100-python", origin=CIFAR100_URL, untar=True,
                      file_hash=CIFAR100_SHA256, cache_dir=cache_dir)
    key = label_mode + "_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    x_train, x_test = _channels_last(x_train, x_test)
    return (x_train, y_train), (x_test, y_test)

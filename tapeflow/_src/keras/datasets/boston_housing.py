"""Boston housing prices (tf.keras.datasets.boston_housing): 506 suburbs, 13 features each.

Keras discourages this set outside teaching about data ethics (one feature encodes a racial
proportion); it is provided for code that already uses it.
"""

from __future__ import annotations

import os

import numpy as np

from tapeflow._src.keras.datasets import BASE_URL, get_file

BOSTON_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113, cache_dir=None):
    """The set shuffled with `np.random.RandomState(seed)`, its last `test_split` as test set.

    Args:
      path: file name of the cached `boston_housing.npz` (inside `<cache>/datasets`).
      test_split: fraction in [0, 1) kept for testing.
      seed: shuffling seed.
      cache_dir: cache root instead of ~/.keras.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: float64 features (n, 13) and prices in k$ (n,).

    >>> (x, y), (xt, yt) = load_data()  # doctest: +SKIP
    >>> x.shape, xt.shape  # doctest: +SKIP
    ((404, 13), (102, 13))
    """
    if not 0 <= test_split < 1:
        raise AssertionError
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=BASE_URL + "boston_housing.npz", file_hash=BOSTON_SHA256,
                    cache_dir=cache_dir)
    with np.load(path, allow_pickle=True) as f:
        x, y = f["x"], f["y"]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))

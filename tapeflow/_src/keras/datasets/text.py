"""IMDB reviews and Reuters newswires as word-index sequences (tf.keras.datasets.imdb/reuters).

Each stored sequence holds word ranks (1 = most frequent word in the corpus). Loading shuffles
with `np.random.RandomState(seed)`, shifts every rank by `index_from`, prefixes `start_char`,
optionally drops sequences of `maxlen` words or more, then replaces (or removes, when
`oov_char` is None) every index outside [skip_top, num_words). Sequences come back as object
arrays of Python int lists, exactly as Keras returns them.
"""

from __future__ import annotations

import json
import logging
import os

import numpy as np

from tapeflow._src.keras.datasets import BASE_URL, get_file

IMDB_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
IMDB_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
REUTERS_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
REUTERS_WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

_log = logging.getLogger("tapeflow.keras")

REUTERS_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def _legacy_num_words(num_words, kwargs, period):
    if "nb_words" in kwargs:
        _log.warning("The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}{period}")
    return num_words


def _cached(fname, origin, file_hash, cache_dir):
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    return get_file(fname, origin=origin, file_hash=file_hash, cache_dir=cache_dir)


def _shuffled(rng, seqs, labels):
    order = np.arange(len(seqs))
    rng.shuffle(order)
    return seqs[order], labels[order]


def _shift(seqs, start_char, index_from):
    """Adds `index_from` to every word index and prefixes `start_char` (when not None).

    With neither to do, the array is returned untouched (as Keras does).
    """
    if start_char is not None:
        return [[start_char] + [w + index_from for w in s] for s in seqs]
    if index_from:
        return [[w + index_from for w in s] for s in seqs]
    return seqs


def _shorter_than(maxlen, seqs, labels):
    kept = [(s, y) for s, y in zip(seqs, labels) if len(s) < maxlen]
    return [s for s, _ in kept], [y for _, y in kept]


def _limit_vocabulary(seqs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(s) for s in seqs)
    if oov_char is None:
        return [[w for w in s if skip_top <= w < num_words] for s in seqs]
    return [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs]


def _word_index(fname, name, md5):
    path = get_file(fname, origin=BASE_URL + name, file_hash=md5)
    with open(path) as f:
        return json.load(f)


def imdb_load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
                   start_char=1, oov_char=2, index_from=3, cache_dir=None, **kwargs):
    """The IMDB movie-review sentiment set: 25,000 training and 25,000 test reviews.

    Args:
      path: file name of the cached `imdb.npz` (inside `<cache>/datasets`).
      num_words: keep word indices below this (None: all words).
      skip_top: indices below this (the most frequent words) become `oov_char` too.
      maxlen: drop the reviews whose encoded length is `maxlen` or more.
      seed: shuffling seed (training and test sets are shuffled separately).
      start_char: index put at the start of every review (None: nothing).
      oov_char: index replacing out-of-range words (None: such words are removed).
      index_from: offset added to every stored word rank.
      cache_dir: cache root instead of ~/.keras.
      **kwargs: only the legacy `nb_words` (alias of `num_words`).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: object arrays of int lists, int64 labels
      (1 = positive review).

    >>> (x, y), _ = imdb_load_data(num_words=10000)  # doctest: +SKIP
    >>> x[0][:3], y.dtype  # doctest: +SKIP
    ([1, 14, 22], dtype('int64'))
    """
    num_words = _legacy_num_words(num_words, kwargs, ".")
    path = _cached(path, BASE_URL + "imdb.npz", IMDB_SHA256, cache_dir)
    with np.load(path, allow_pickle=True) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    x_train, y_train = _shuffled(rng, x_train, y_train)
    x_test, y_test = _shuffled(rng, x_test, y_test)
    x_train = _shift(x_train, start_char, index_from)
    x_test = _shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = _shorter_than(maxlen, x_train, y_train)
        x_test, y_test = _shorter_than(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             f"no sequence was kept. Increase maxlen.")
    seqs = _limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n = len(x_train)
    return ((np.array(seqs[:n], dtype="object"), labels[:n]),
            (np.array(seqs[n:], dtype="object"), labels[n:]))


def imdb_get_word_index(path="imdb_word_index.json"):
    """The IMDB vocabulary as a dict word -> rank (1 = most frequent; add `index_from`).

    >>> imdb_get_word_index()["the"]  # doctest: +SKIP
    1
    """
    return _word_index(path, "imdb_word_index.json", IMDB_WORD_INDEX_MD5)


def reuters_load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None,
                      test_split=0.2, seed=113, start_char=1, oov_char=2, index_from=3,
                      cache_dir=None, **kwargs):
    """The Reuters newswire topic set: 11,228 newswires over 46 topics.

    Args:
      path: file name of the cached `reuters.npz` (inside `<cache>/datasets`).
      num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in
        `imdb.load_data` (one shuffle over the whole set).
      test_split: fraction of the (filtered) newswires put in the test set, at the end.
      cache_dir: cache root instead of ~/.keras.
      **kwargs: only the legacy `nb_words` (alias of `num_words`).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: object arrays of int lists and int64 topic
      labels (names in `get_label_names()`).

    >>> (x, y), _ = reuters_load_data(num_words=10000, test_split=0.2)  # doctest: +SKIP
    >>> len(x)  # doctest: +SKIP
    8982
    """
    num_words = _legacy_num_words(num_words, kwargs, "")
    path = _cached(path, BASE_URL + "reuters.npz", REUTERS_SHA256, cache_dir)
    with np.load(path, allow_pickle=True) as f:
        seqs, labels = f["x"], f["y"]
    seqs, labels = _shuffled(np.random.RandomState(seed), seqs, labels)
    seqs = _shift(seqs, start_char, index_from)
    if maxlen:
        seqs, labels = _shorter_than(maxlen, seqs, labels)
    seqs = _limit_vocabulary(seqs, num_words, skip_top, oov_char)
    n = int(len(seqs) * (1 - test_split))
    return ((np.array(seqs[:n], dtype="object"), np.array(labels[:n])),
            (np.array(seqs[n:], dtype="object"), np.array(labels[n:])))


def reuters_get_word_index(path="reuters_word_index.json"):
    """The Reuters vocabulary as a dict word -> rank (1 = most frequent; add `index_from`).

    >>> reuters_get_word_index()["the"]  # doctest: +SKIP
    1
    """
    return _word_index(path, "reuters_word_index.json", REUTERS_WORD_INDEX_MD5)


def reuters_get_label_names():
    """The 46 Reuters topic names, indexed by label.

    >>> reuters_get_label_names()[3]
    'earn'
    """
    return REUTERS_LABEL_NAMES

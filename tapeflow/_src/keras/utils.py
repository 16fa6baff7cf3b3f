"""tf.keras.utils helpers: to_categorical, to_ordinal, set_random_seed, Sequence, normalize and
(un)packing `(x, y, sample_weight)` batches."""

from __future__ import annotations

import random

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encodes integer class labels as a NumPy array."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    n = y.shape[0]
    out = np.zeros((n, num_classes), dtype=dtype)
    out[np.arange(n), y] = 1
    return out.reshape(input_shape + (num_classes,))


def to_ordinal(y, num_classes=None, dtype="float32"):
    """Encodes integer ranks as rows of ones: rank `k` sets the first `k` of `num_classes - 1`.

    >>> tf.keras.utils.to_ordinal([0, 2], num_classes=3).tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = np.max(y) + 1
    ordinal = (np.arange(num_classes - 1)[None, :] < y[:, None]).astype(dtype)
    return ordinal.reshape(input_shape + (num_classes - 1,))


def set_random_seed(seed):
    """Seeds Python's, NumPy's and tapeflow's random generators."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    from tapeflow._src.ops.random_ops import set_seed
    set_seed(seed)


class Sequence:
    """Base class for batch sources: implement `__len__` and `__getitem__(index)`.

    fit/evaluate/predict iterate `seq[0] ... seq[len(seq) - 1]` each epoch and call
    `on_epoch_end()` after each epoch.
    """

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
        self.on_epoch_end()


def normalize(x, axis=-1, order=2):
    """Scales `x` to unit `order`-norm along `axis` (NumPy in, NumPy out)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def unpack_x_y_sample_weight(data):
    """Splits a batch into `(x, y, sample_weight)`, filling missing parts with None.

    >>> tf.keras.utils.unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs a batch as `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    An `x` that is already a tuple is wrapped as `(x,)` so it is not read as `(x, y)`.

    >>> tf.keras.utils.pack_x_y_sample_weight(1, 2)
    (1, 2)
    """
    if y is None:
        # tf_keras tests `isinstance(x, tuple or list)`, i.e. tuples only; kept as is.
        return (x,) if isinstance(x, tuple) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)

"""tf.keras.utils helpers: to_categorical, set_random_seed."""

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

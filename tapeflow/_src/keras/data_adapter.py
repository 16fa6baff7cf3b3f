"""Keras's data handling for fit / evaluate / predict: arrays, tensors, dicts, datasets and
generators into batches of tensors (with sample weights, class weights, validation
splits)."""

from __future__ import annotations

import math

import numpy as np

import tapeflow as tf
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.keras.engine import _flatten
from tapeflow._src.keras.utils import unpack_x_y_sample_weight


def _to_array(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_to_array(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_array(v) for k, v in x.items()}
    if isinstance(x, (Tensor, tf.Variable)):
        return np.asarray(x.numpy())
    return np.asarray(x)


def _num_samples(x):
    leaves = _flatten(x)
    return int(leaves[0].shape[0])


def _take(x, idx):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_take(v, idx) for v in x)
    if isinstance(x, dict):
        return {k: _take(v, idx) for k, v in x.items()}
    return x[idx]


def _to_tensor(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_to_tensor(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_tensor(v) for k, v in x.items()}
    if isinstance(x, (Tensor, tf.Variable)):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "OUS":
        # Text (a TextVectorization model's input): a string tensor.
        from tapeflow._src.framework.convert import convert_to_tensor
        return convert_to_tensor(arr, dtype=tf.string)
    return _wrap(np.ascontiguousarray(arr))


def _is_iterable_data(x):
    return (hasattr(x, "__iter__") or hasattr(x, "__next__")) and not isinstance(
        x, (np.ndarray, Tensor, list, tuple, dict, str))




class _DataHandler:
    """Turns fit/evaluate/predict inputs into per-epoch iterators of batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None, epochs=1, initial_epoch=0):
        self.steps = steps
        self.class_weight = class_weight
        self.epochs, self.initial_epoch = epochs, initial_epoch
        self._iter_data = None
        self._iterator = None
        if _is_iterable_data(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            self._iter_data = x
            n = None
            if hasattr(x, "cardinality"):
                try:
                    c = int(np.asarray(x.cardinality().numpy() if hasattr(
                        x.cardinality(), "numpy") else x.cardinality()))
                    n = c if c >= 0 else None
                except Exception:  # noqa: BLE001 - unknown cardinality
                    n = None
            elif hasattr(x, "__len__"):
                n = len(x)
            self._known = n
            if steps is None:
                self.steps = n
            return
        self.x = _to_array(x)
        self.y = _to_array(y)
        self.sw = _to_array(sample_weight)
        self.n = _num_samples(self.x)
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        n_batches = int(math.ceil(self.n / self.batch_size))
        self.steps = n_batches if steps is None else steps
        self._k_rng = None  # set by fit under a multi-worker strategy: same order on all

    def _rng(self):
        if self._k_rng is not None:
            return self._k_rng
        from tapeflow._src.ops import random_ops
        return random_ops._generator(None)

    def epoch_batches(self):
        """Yields (step, batch) for one epoch."""
        if self._iter_data is not None:
            data = self._iter_data
            if hasattr(data, "__next__") and not hasattr(data, "cardinality"):
                it = data  # a generator: continue where the last epoch stopped
            else:
                if self.steps is not None and self._known is None and self._iterator is not None:
                    it = self._iterator
                else:
                    it = iter(data)
                    self._iterator = it
            step = 0
            while self.steps is None or step < self.steps:
                try:
                    batch = next(it)
                except StopIteration:
                    if self.steps is None:
                        self.steps = step
                    break
                yield step, self._weighted(batch)
                step += 1
            return
        if self.shuffle == "batch":
            order = np.arange(self.n)
            starts = np.arange(0, self.n, self.batch_size)
            self._rng().shuffle(starts)
            batches = [order[s:s + self.batch_size] for s in starts]
        else:
            if self.shuffle:
                order = self._rng().permutation(self.n)
            else:
                order = None
            batches = None
        for step in range(self.steps):
            if batches is not None:
                idx = batches[step % len(batches)]
            else:
                s = (step * self.batch_size) % max(self.n, 1)
                idx = order[s:s + self.batch_size] if order is not None else slice(
                    s, s + self.batch_size)
            xb = _to_tensor(_take(self.x, idx))
            yb = _to_tensor(_take(self.y, idx))
            swb = _to_tensor(_take(self.sw, idx))
            yield step, self._weighted((xb, yb, swb) if swb is not None else (
                (xb, yb) if yb is not None else (xb,)))

    def _weighted(self, batch):
        if not self.class_weight:
            return batch
        x, y, sw = unpack_x_y_sample_weight(batch)
        yv = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
        if yv.ndim > 1 and yv.shape[-1] > 1:
            cls = np.argmax(yv, axis=-1)
        else:
            cls = yv.reshape(yv.shape[0], -1)[:, 0].astype(np.int64)
        w = np.asarray([self.class_weight.get(int(c), 1.0) for c in cls], np.float32)
        if sw is not None:
            w = w * np.asarray(sw.numpy() if hasattr(sw, "numpy") else sw, np.float32)
        return x, y, _wrap(w)

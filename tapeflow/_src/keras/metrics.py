"""tf.keras.metrics: stateful metrics (update_state / result / reset_state) and functions."""

from __future__ import annotations


import numpy as np

import tapeflow as tf
from tapeflow._src.keras import losses as L
from tapeflow._src.keras.engine import Layer


def _t(x, dtype=None):
    return L._t(x, dtype)


class Metric(Layer):
    """Base class of stateful metrics; calling one updates it and returns the result."""

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.built = True

    def __str__(self):  # as Keras: the class and its config, e.g. Mean(name=mean,dtype=float32)
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def add_weight(self, name, shape=(), dtype=None, initializer="zeros", **kwargs):
        return super().add_weight(name=name, shape=shape, dtype=dtype,
                                  initializer=initializer, trainable=False)

    def reset_state(self):
        for v in self.variables:
            v.assign(np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))

    reset_states = reset_state

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Reduce(Metric):
    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        values = _t(values, tf.as_dtype(self.dtype))
        if (type(sample_weight) is int and values.shape.rank == 0
                and values.dtype.is_floating and abs(sample_weight) < 2 ** 53):
            # A scalar weighted by a Python count (the loss by its batch size): the same
            # values as the general path below, in one multiplication.
            w = float(sample_weight)
            self.total.assign_add(values * w)
            if self.reduction != "sum":
                self.count.assign_add(w)
            return
        if sample_weight is not None:
            values, sw = L._align_weights(values, _t(sample_weight, values.dtype))
            sw = tf.broadcast_to(sw, values.shape)
            values = values * sw
            num = tf.reduce_sum(sw)
        else:
            num = float(max(values.shape.num_elements(), 0))
        self.total.assign_add(tf.reduce_sum(values))
        if self.reduction != "sum":
            self.count.assign_add(num)

    def result(self):
        if self.reduction == "sum":
            return tf.identity(self.total)
        return tf.math.div_no_nan(self.total._read(), self.count._read())


class Sum(Reduce):
    """Running sum of the values."""

    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name, dtype)


class Mean(Reduce):
    """Running (weighted) mean of the values."""

    def __init__(self, name="mean", dtype=None):
        super().__init__("mean", name, dtype)


class MeanMetricWrapper(Mean):
    """Running mean of `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _t(y_true)
        y_pred = _t(y_pred)
        if self._fn not in (sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
                            L.sparse_categorical_crossentropy):
            y_pred, y_true = L._squeeze_or_expand(y_pred, y_true)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if L._loss_masks:
            mask = L._mask_of(values)
            if mask is not None:  # entries of an ignored class count for nothing
                sample_weight = L._apply_valid_mask(values, sample_weight, mask, False)
        super().update_state(values, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


# -- metric functions -----------------------------------------------------------------------

def accuracy(y_true, y_pred):
    y_true, y_pred = _t(y_true), _t(y_pred)
    if y_true.dtype != y_pred.dtype:
        y_pred = tf.cast(y_pred, y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    pred = tf.cast(y_pred > threshold, y_pred.dtype)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, pred), "float32"), axis=-1)


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _t(y_true), _t(y_pred)
    return tf.cast(tf.equal(tf.argmax(y_true, axis=-1), tf.argmax(y_pred, axis=-1)), "float32")


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _t(y_true), _t(y_pred)
    if y_true.shape.rank is not None and y_true.shape.rank == y_pred.shape.rank \
            and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, [-1])
    pred = tf.argmax(y_pred, axis=-1)
    if y_true.dtype != pred.dtype:
        pred = tf.cast(pred, y_true.dtype)
    return tf.cast(tf.equal(y_true, pred), "float32")


def _in_top_k(y_pred, target, k):
    # target's score beats all but fewer than k others (ties count in its favour, like TF).
    idx = tf.one_hot(tf.cast(target, "int32"), y_pred.shape[-1], dtype=y_pred.dtype)
    score = tf.reduce_sum(y_pred * idx, axis=-1, keepdims=True)
    better = tf.reduce_sum(tf.cast(y_pred > score, "int32"), axis=-1)
    return tf.cast(better < k, "float32")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _t(y_true), _t(y_pred)
    return _in_top_k(y_pred, tf.argmax(y_true, axis=-1), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _t(y_true), _t(y_pred)
    if y_true.shape.rank == y_pred.shape.rank:
        y_true = tf.squeeze(y_true, [-1])
    return _in_top_k(y_pred, y_true, k)


def _wrap_class(cls_name, fn, default_name, params=None, doc="", leading=()):
    """A MeanMetricWrapper subclass over `fn` with tf_keras's constructor signature.

    The signature is (*leading, name=default_name, dtype=None, *other params), with
    `params` giving the defaults of `fn`'s keyword arguments.
    """
    params = dict(params or {})
    order = list(leading) + ["name", "dtype"] + [k for k in params if k not in leading]

    def finish(self, values):
        name, dtype = values.pop("name"), values.pop("dtype")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)
    __init__ = L._signature_init(order, dict(params, name=default_name, dtype=None), finish)
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__module__": __name__,
                                                 "__doc__": doc or f"Running mean of "
                                                 f"`{fn.__name__}`."})


Accuracy = _wrap_class("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrap_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                             {"threshold": 0.5})
CategoricalAccuracy = _wrap_class("CategoricalAccuracy", categorical_accuracy,
                                  "categorical_accuracy")
SparseCategoricalAccuracy = _wrap_class("SparseCategoricalAccuracy",
                                        sparse_categorical_accuracy,
                                        "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrap_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                      "top_k_categorical_accuracy", {"k": 5}, leading=("k",))
SparseTopKCategoricalAccuracy = _wrap_class("SparseTopKCategoricalAccuracy",
                                            sparse_top_k_categorical_accuracy,
                                            "sparse_top_k_categorical_accuracy", {"k": 5},
                                            leading=("k",))
MeanSquaredError = _wrap_class("MeanSquaredError", L.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrap_class("MeanAbsoluteError", L.mean_absolute_error,
                                "mean_absolute_error")
MeanAbsolutePercentageError = _wrap_class("MeanAbsolutePercentageError",
                                          L.mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
BinaryCrossentropy = _wrap_class("BinaryCrossentropy", L.binary_crossentropy,
                                 "binary_crossentropy", {"from_logits": False,
                                                         "label_smoothing": 0})
CategoricalCrossentropy = _wrap_class("CategoricalCrossentropy", L.categorical_crossentropy,
                                      "categorical_crossentropy", {"from_logits": False,
                                                                   "label_smoothing": 0,
                                                                   "axis": -1})
SparseCategoricalCrossentropy = _wrap_class("SparseCategoricalCrossentropy",
                                            L.sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy",
                                            {"from_logits": False, "ignore_class": None,
                                             "axis": -1})


class RootMeanSquaredError(Mean):
    """sqrt of the running mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred)
        y_true = _t(y_true, y_pred.dtype)
        y_pred, y_true = L._squeeze_or_expand(y_pred, y_true)
        super().update_state(tf.square(y_pred - y_true), sample_weight)

    def result(self):
        return tf.sqrt(super().result())


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine of the angle between `y_true` and `y_pred` along `axis` (not negated)."""
    y_true, y_pred = L._pred_true(y_true, y_pred)
    return tf.reduce_sum(L._l2_normalize(y_true, axis) * L._l2_normalize(y_pred, axis),
                         axis=axis)


MeanSquaredLogarithmicError = _wrap_class("MeanSquaredLogarithmicError",
                                          L.mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error")
Hinge = _wrap_class("Hinge", L.hinge, "hinge")
SquaredHinge = _wrap_class("SquaredHinge", L.squared_hinge, "squared_hinge")
CategoricalHinge = _wrap_class("CategoricalHinge", L.categorical_hinge, "categorical_hinge")
KLDivergence = _wrap_class("KLDivergence", L.kl_divergence, "kullback_leibler_divergence")
Poisson = _wrap_class("Poisson", L.poisson, "poisson")
LogCoshError = _wrap_class("LogCoshError", L.log_cosh, "logcosh")
CosineSimilarity = _wrap_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               {"axis": -1})


class MeanRelativeError(Mean):
    """Running mean of `|y_true - y_pred| / normalizer`.

    >>> m = tf.keras.metrics.MeanRelativeError(normalizer=[1., 2.])
    >>> float(m([1., 2.], [2., 4.]))
    1.0
    """

    def __init__(self, normalizer, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.normalizer = _t(normalizer, tf.as_dtype(self.dtype))

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self.dtype)
        y_true, y_pred = _t(y_true, dt), _t(y_pred, dt)
        y_pred, y_true = L._squeeze_or_expand(y_pred, y_true)
        y_pred, norm = L._squeeze_or_expand(y_pred, self.normalizer)
        _assert_compatible(y_pred, y_true)
        super().update_state(tf.math.divide_no_nan(tf.abs(y_true - y_pred), norm),
                             sample_weight)

    def get_config(self):
        config = super().get_config()
        config["normalizer"] = self.normalizer.numpy()
        return config


class MeanTensor(Metric):
    """Element-wise running (weighted) mean of tensors of one fixed shape.

    >>> m = tf.keras.metrics.MeanTensor()
    >>> m.update_state([0., 1.]); m.update_state([2., 3.])
    >>> m.result().numpy().tolist()
    [1.0, 2.0]
    """

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._total = None
        self._count = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape):
        self._shape = tf.TensorShape(shape)
        self._total = self.add_weight("total", shape=self._shape.as_list())
        self._count = self.add_weight("count", shape=self._shape.as_list())
        self._built = True

    @property
    def total(self):
        return self._total if self._built else None

    @property
    def count(self):
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        values = _t(values, tf.as_dtype(self.dtype))
        if not self._built:
            self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError(f"MeanTensor input values must always have the same shape. "
                             f"Expected shape (set during the first call): {self._shape}. "
                             f"Got: {values.shape}.")
        num = tf.ones_like(values)
        if sample_weight is not None:
            sw = _match_weights(values, _t(sample_weight, values.dtype))
            num = num * sw
            values = values * sw
        self._total.assign_add(values)
        self._count.assign_add(num)

    def result(self):
        if not self._built:
            raise ValueError("MeanTensor does not have any value yet. Please call the "
                             "MeanTensor instance or use `.update_state(value)` before "
                             "retrieving the result.")
        return tf.math.divide_no_nan(self._total._read(), self._count._read())

    def reset_state(self):
        if self._built:
            super().reset_state()


# -- confusion-matrix metrics ----------------------------------------------------------------

_NEG_INF = -1e10


def _assert_compatible(a, b):
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"Shapes {a.shape} and {b.shape} are incompatible")


def _match_weights(values, sw):
    """Sample weights made the shape of `values` (Keras's squeeze/expand, then broadcast)."""
    rv, rw = values.shape.rank, sw.shape.rank
    if rw:
        if rw - rv == 1:
            sw = tf.squeeze(sw, [-1])
        elif rv - rw == 1:
            sw = tf.expand_dims(sw, -1)
    return tf.broadcast_to(sw, tf.shape(values))


def _parse_thresholds(thresholds, default):
    if thresholds is not None:
        th = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) \
            else [thresholds]
        bad = [t for t in th if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
        return th
    return [default]


def _evenly_spaced(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=1e-7))


def _filter_top_k(x, k):
    _, idx = tf.math.top_k(x, k, sorted=False)
    mask = tf.reduce_sum(tf.one_hot(idx, x.shape[-1], axis=-1, dtype=x.dtype), axis=-2)
    return x * mask + _NEG_INF * (1.0 - mask)


def _update_confusion(variables, y_true, y_pred, thresholds, evenly=False, top_k=None,
                      class_id=None, sample_weight=None, multi_label=False,
                      label_weights=None):
    """Adds this batch's weighted tp/fp/tn/fn counts at each threshold to `variables`.

    `variables` maps 'tp', 'fp', 'tn', 'fn' to the variables to update (any subset).
    Predictions count as positive when strictly above a threshold. With evenly spaced
    thresholds the counts come from bucketing predictions and a reverse cumulative sum
    (the same numbers Keras gets from its bucketing path), otherwise from comparing every
    prediction with every threshold.
    """
    dt = next(iter(variables.values())).dtype
    y_true = _t(y_true, dt)
    y_pred = _t(y_pred, dt)
    y_pred, y_true = L._squeeze_or_expand(y_pred, y_true)
    sw = None if sample_weight is None else _t(sample_weight, dt)
    _assert_compatible(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if sw is not None:
        sw = _match_weights(y_pred, sw)
    lw = None
    if label_weights is not None:
        lw = tf.broadcast_to(tf.expand_dims(_t(label_weights, dt), 0),
                             tf.shape(y_pred))
    if evenly:
        _update_bucketed(variables, y_true, y_pred, len(thresholds), sw, lw, multi_label,
                         thresholds[0] < 0.0 or thresholds[-1] > 1.0)
        return
    th = tf.cast(tf.constant(np.asarray(thresholds, np.float32)), dt)
    if multi_label:
        pred = tf.expand_dims(y_pred, 0) > tf.reshape(th, [-1, 1, 1])
        label = tf.expand_dims(tf.cast(y_true, "bool"), 0)
        w = None if sw is None else tf.expand_dims(sw, 0)
    else:
        pred = tf.reshape(y_pred, [1, -1]) > tf.reshape(th, [-1, 1])
        label = tf.reshape(tf.cast(y_true, "bool"), [1, -1])
        w = None if sw is None else tf.reshape(sw, [1, -1])
        if lw is not None:
            lw = tf.reshape(lw, [1, -1])
            w = lw if w is None else w * lw

    def count(a, b):
        both = tf.cast(tf.logical_and(a, b), dt)
        if w is not None:
            both = both * w
        return tf.reduce_sum(both, axis=1)

    not_label, not_pred = tf.logical_not(label), tf.logical_not(pred)
    pairs = {"tp": (label, pred), "fp": (not_label, pred), "fn": (label, not_pred),
             "tn": (not_label, not_pred)}
    for key, var in variables.items():
        var.assign_add(count(*pairs[key]))


def _update_bucketed(variables, y_true, y_pred, n, sw, lw, multi_label, with_eps):
    """Confusion counts at `n` evenly spaced thresholds by bucketing the predictions.

    A prediction p lands in bucket ceil(p * (n - 1)) - 1, the last threshold it exceeds;
    a reverse cumulative sum over buckets gives tp/fp at every threshold. A prediction
    of 0 without the epsilon thresholds exceeds none (bucket -1) and counts nowhere.
    """
    weights = None
    for extra in (sw, lw):
        if extra is not None:
            weights = extra if weights is None else weights * extra
    y_pred = tf.clip_by_value(y_pred, 0.0, 1.0)
    y_true = tf.cast(tf.cast(y_true, "bool"), y_pred.dtype)
    if not multi_label:
        y_true = tf.reshape(y_true, [-1])
        y_pred = tf.reshape(y_pred, [-1])
        if weights is not None:
            weights = tf.reshape(weights, [-1])
    true_w = y_true if weights is None else y_true * weights
    false_w = (1.0 - y_true) if weights is None else (1.0 - y_true) * weights
    bucket = tf.math.ceil(y_pred * float(n - 1)) - 1.0
    if with_eps:
        bucket = tf.nn.relu(bucket)
    bucket = tf.cast(bucket, "int32")
    if multi_label:
        num_labels = y_pred.shape[-1]
        # One segment per (bucket, label), row-major over an [n, labels] grid.
        ids = bucket * num_labels + tf.range(num_labels)
        valid = bucket >= 0
        ids = tf.where(valid, ids, tf.zeros_like(ids))

        def per_bucket(v):
            v = tf.where(valid, v, tf.zeros_like(v))
            s = tf.math.unsorted_segment_sum(tf.reshape(v, [-1]), tf.reshape(ids, [-1]),
                                             n * num_labels)
            return tf.math.cumsum(tf.reshape(s, [n, num_labels]), axis=0, reverse=True)

        totals_axis = 0
    else:
        valid = bucket >= 0
        ids = tf.where(valid, bucket, tf.zeros_like(bucket))

        def per_bucket(v):
            v = tf.where(valid, v, tf.zeros_like(v))
            return tf.math.cumsum(tf.math.unsorted_segment_sum(v, ids, n), reverse=True)

        totals_axis = None
    tp = per_bucket(true_w)
    fp = per_bucket(false_w)
    if "tp" in variables:
        variables["tp"].assign_add(tp)
    if "fp" in variables:
        variables["fp"].assign_add(fp)
    if "tn" in variables:
        variables["tn"].assign_add(tf.reduce_sum(false_w, axis=totals_axis) - fp)
    if "fn" in variables:
        variables["fn"].assign_add(tf.reduce_sum(true_w, axis=totals_axis) - tp)


class _ConditionCount(Metric):
    """One confusion-matrix count (tp, fp, tn or fn) at one or more thresholds."""

    _cond = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._evenly = _evenly_spaced(self.thresholds)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({self._cond: self.accumulator}, y_true, y_pred, self.thresholds,
                          self._evenly, sample_weight=sample_weight)

    def result(self):
        acc = self.accumulator._read()
        return acc[0] if len(self.thresholds) == 1 else acc

    def get_config(self):
        config = super().get_config()
        config["thresholds"] = self.init_thresholds
        return config


def _count_class(cls_name, cond, what):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConditionCount.__init__(self, thresholds, name, dtype)

    doc = (f"Weighted count of {what} (prediction above the threshold) at each threshold.\n\n"
           f"    >>> m = tf.keras.metrics.{cls_name}()\n"
           f"    >>> float(m([0, 1, 1, 0], [0.2, 0.8, 0.3, 0.9]))\n"
           f"    1.0\n")
    return type(cls_name, (_ConditionCount,), {"__init__": __init__, "_cond": cond,
                                               "__module__": __name__, "__doc__": doc})


TruePositives = _count_class("TruePositives", "tp", "true positives")
FalsePositives = _count_class("FalsePositives", "fp", "false positives")
TrueNegatives = _count_class("TrueNegatives", "tn", "true negatives")
FalseNegatives = _count_class("FalseNegatives", "fn", "false negatives")


class _PrecisionRecall(Metric):
    _second = None  # 'fp' for precision, 'fn' for recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else _NEG_INF)
        self._evenly = _evenly_spaced(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        second = "false_positives" if self._second == "fp" else "false_negatives"
        setattr(self, second, self.add_weight(second, shape=(n,)))
        self._second_var = getattr(self, second)

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({"tp": self.true_positives, self._second: self._second_var},
                          y_true, y_pred, self.thresholds, self._evenly, top_k=self.top_k,
                          class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives._read()
        r = tf.math.divide_no_nan(tp, tp + self._second_var._read())
        return r[0] if len(self.thresholds) == 1 else r

    def get_config(self):
        config = super().get_config()
        config.update({"thresholds": self.init_thresholds, "top_k": self.top_k,
                       "class_id": self.class_id})
        return config


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at the threshold(s).

    >>> m = tf.keras.metrics.Precision()
    >>> float(m([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _second = "fp"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at the threshold(s).

    >>> m = tf.keras.metrics.Recall()
    >>> float(m([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _second = "fn"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)


class _SensitivitySpecificityBase(Metric):
    """Holds tp/tn/fp/fn at `num_thresholds` evenly spaced thresholds in [0, 1]."""

    _value_name = None   # the constrained rate (the constructor's argument)
    _result_name = None  # the rate maximised under that constraint

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._value_name}` must be in the range [0, 1]. "
                             f"Received: {self._value_name}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.class_id = class_id
        self.num_thresholds = num_thresholds
        setattr(self, self._value_name, value)  # Keras keeps it under its own name too
        n = num_thresholds
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        self.true_negatives = self.add_weight("true_negatives", shape=(n,))
        self.false_positives = self.add_weight("false_positives", shape=(n,))
        self.false_negatives = self.add_weight("false_negatives", shape=(n,))
        if n == 1:
            self.thresholds = [0.5]
            self._evenly = False
        else:
            self.thresholds = [0.0] + [(i + 1) * 1.0 / (n - 1) for i in range(n - 2)] + [1.0]
            self._evenly = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                           "fp": self.false_positives, "fn": self.false_negatives},
                          y_true, y_pred, self.thresholds, self._evenly,
                          class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        r = self._rates()
        return self._max_where(r[self._value_name], r[self._result_name])

    def _rates(self):
        tp, tn = self.true_positives._read(), self.true_negatives._read()
        fp, fn = self.false_positives._read(), self.false_negatives._read()
        return {"sensitivity": tf.math.divide_no_nan(tp, tp + fn),
                "recall": tf.math.divide_no_nan(tp, tp + fn),
                "specificity": tf.math.divide_no_nan(tn, tn + fp),
                "precision": tf.math.divide_no_nan(tp, tp + fp)}

    def _max_where(self, constrained, dependent):
        # The largest `dependent` among thresholds whose `constrained` >= value, else 0
        # (every rate is >= 0, so zeros in place of infeasible entries change nothing).
        ok = constrained >= self.value
        return tf.reduce_max(tf.where(ok, dependent, tf.zeros_like(dependent)))

    def get_config(self):
        config = super().get_config()
        config.update({"class_id": self.class_id, "num_thresholds": self.num_thresholds,
                       self._value_name: self.value})
        return config


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """Best sensitivity over thresholds whose specificity is at least `specificity`.

    >>> m = tf.keras.metrics.SensitivityAtSpecificity(0.5)
    >>> float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]))
    0.5
    """

    _value_name, _result_name = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """Best specificity over thresholds whose sensitivity is at least `sensitivity`.

    >>> m = tf.keras.metrics.SpecificityAtSensitivity(0.5)
    >>> float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]))
    0.6666666865348816
    """

    _value_name, _result_name = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_SensitivitySpecificityBase):
    """Best precision over thresholds whose recall is at least `recall`.

    >>> m = tf.keras.metrics.PrecisionAtRecall(0.5)
    >>> float(m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]))
    0.5
    """

    _value_name, _result_name = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_SensitivitySpecificityBase):
    """Best recall over thresholds whose precision is at least `precision`.

    >>> m = tf.keras.metrics.RecallAtPrecision(0.8)
    >>> float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]))
    0.5
    """

    _value_name, _result_name = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


_CURVES = {"pr": "PR", "PR": "PR", "roc": "ROC", "ROC": "ROC", "pr_gain": "PR_GAIN",
           "prgain": "PR_GAIN", "PR_GAIN": "PR_GAIN", "PRGAIN": "PR_GAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
               "majoring": "majoring", "Majoring": "majoring", "minoring": "minoring",
               "Minoring": "minoring"}


class AUC(Metric):
    """Area under the ROC (or PR) curve, by a Riemann sum over `num_thresholds` thresholds.

    >>> m = tf.keras.metrics.AUC(num_thresholds=3)
    >>> float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]))
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - 1e-7] + thresholds + [1.0 + 1e-7])
        if curve not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             f'["PR", "ROC", "PR_GAIN"]')
        if summation_method not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             f'Expected values are ["interpolation", "majoring", '
                             f'"minoring"]')
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            label_weights = tf.constant(label_weights, dtype=tf.as_dtype(self.dtype))
            if bool(tf.reduce_any(label_weights < 0)):
                raise tf.errors.InvalidArgumentError(
                    None, None, "All values of `label_weights` must be non-negative.")
        self.label_weights = label_weights
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build(tf.TensorShape([None, num_labels]))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if shape.rank != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {shape.rank}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_weight("true_positives", shape=var_shape)
        self.true_negatives = self.add_weight("true_negatives", shape=var_shape)
        self.false_positives = self.add_weight("false_positives", shape=var_shape)
        self.false_negatives = self.add_weight("false_negatives", shape=var_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = tf.sigmoid(y_pred)
        _update_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                           "fp": self.false_positives, "fn": self.false_negatives},
                          y_true, y_pred, self.thresholds, self._evenly,
                          sample_weight=sample_weight, multi_label=self.multi_label,
                          label_weights=None if self.multi_label else self.label_weights)

    def _by_label(self, per_threshold):
        if not self.multi_label:
            return tf.reduce_sum(per_threshold)
        by_label = tf.reduce_sum(per_threshold, axis=0)
        if self.label_weights is None:
            return tf.reduce_mean(by_label)
        return tf.math.divide_no_nan(tf.reduce_sum(by_label * self.label_weights),
                                     tf.reduce_sum(self.label_weights))

    def result(self):
        tp, fp = self.true_positives._read(), self.false_positives._read()
        fn, tn = self.false_negatives._read(), self.true_negatives._read()
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            # Davis & Goadrich: interpolate tp and positives linearly between thresholds.
            dtp = tp[:n - 1] - tp[1:]
            p = tp + fp
            dp = p[:n - 1] - p[1:]
            slope = tf.math.divide_no_nan(dtp, tf.maximum(dp, 0.0))
            intercept = tp[1:] - slope * p[1:]
            ratio = tf.where(tf.logical_and(p[:n - 1] > 0, p[1:] > 0),
                             tf.math.divide_no_nan(p[:n - 1], tf.maximum(p[1:], 0.0)),
                             tf.ones_like(p[1:]))
            inc = tf.math.divide_no_nan(slope * (dtp + intercept * tf.math.log(ratio)),
                                        tf.maximum(tp[1:] + fn[1:], 0.0))
            return self._by_label(inc)
        recall = tf.math.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = tf.math.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, tf.math.divide_no_nan(tp, tp + fp)
        else:
            scale = tf.math.divide_no_nan(tp + fn, fp + tn)
            rg = 1.0 - scale * tf.math.divide_no_nan(fn, tp)
            pg = 1.0 - scale * tf.math.divide_no_nan(fp, tp)
            no_tp = tf.equal(tp, 0.0)
            x = tf.maximum(tf.where(no_tp, tf.zeros_like(rg), rg), tf.zeros_like(rg))
            y = tf.where(no_tp, tf.ones_like(pg), pg)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = tf.minimum(y[:n - 1], y[1:])
        else:
            heights = tf.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = super().get_config()
        lw = self.label_weights
        config.update({"num_thresholds": self.num_thresholds, "curve": self.curve,
                       "summation_method": self.summation_method,
                       "multi_label": self.multi_label, "num_labels": self.num_labels,
                       "label_weights": None if lw is None else lw.numpy(),
                       "from_logits": self._from_logits})
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# -- F-scores, R^2 and IoU -------------------------------------------------------------------

class FBetaScore(Metric):
    """F-beta score per class (or averaged) from thresholded predictions.

    >>> m = tf.keras.metrics.FBetaScore(beta=1.0, threshold=0.5)
    >>> m.update_state([[1., 0.], [0., 1.]], [[0.9, 0.2], [0.6, 0.7]])
    >>> [round(float(v), 3) for v in m.result()]
    [0.667, 1.0]
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a "
                                 f"Python float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim), with output_dim fully defined (not None). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = [y_pred_shape[-1]] if self.average != "micro" else []
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        self.intermediate_weights = self.add_weight("intermediate_weights", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self.dtype)
        y_true, y_pred = _t(y_true, dt), _t(y_pred, dt)
        if not self.built:
            self.build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            pred = tf.logical_and(y_pred >= top, tf.abs(y_pred) > 1e-9)
        else:
            pred = y_pred > self.threshold
        pred = tf.cast(pred, dt)
        sw = None if sample_weight is None else tf.expand_dims(_t(sample_weight, dt), 1)

        def wsum(v):
            return tf.reduce_sum(v if sw is None else v * sw, axis=self.axis)

        self.true_positives.assign_add(wsum(pred * y_true))
        self.false_positives.assign_add(wsum(pred * (1.0 - y_true)))
        self.false_negatives.assign_add(wsum((1.0 - pred) * y_true))
        self.intermediate_weights.assign_add(wsum(y_true))

    def result(self):
        tp, fp = self.true_positives._read(), self.false_positives._read()
        fn = self.false_negatives._read()
        precision = tf.math.divide_no_nan(tp, tp + fp)
        recall = tf.math.divide_no_nan(tp, tp + fn)
        b2 = self.beta * self.beta
        f = tf.math.divide_no_nan(precision * recall, b2 * precision + recall) * (1.0 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights._read()
            return tf.reduce_sum(f * tf.math.divide_no_nan(w, tf.reduce_sum(w)))
        if self.average is not None:
            return tf.reduce_mean(f)
        return f

    def reset_state(self):
        if self.built:
            super().reset_state()

    def get_config(self):
        config = super().get_config()
        config.update({"average": self.average, "beta": self.beta,
                       "threshold": self.threshold})
        return config


class F1Score(FBetaScore):
    """F1 score (FBetaScore with beta=1) per class or averaged.

    >>> m = tf.keras.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1., 0.], [0., 1.]], [[0.9, 0.2], [0.6, 0.7]])
    >>> [round(float(v), 3) for v in m.result()]
    [0.667, 1.0]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """Coefficient of determination (optionally adjusted) of 2-D regression outputs.

    >>> m = tf.keras.metrics.R2Score()
    >>> m.update_state([[1.], [2.], [3.]], [[1.], [2.], [4.]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one "
                             f"of {valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples", dtype="int32")
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, "
                             f"output_dim), with output_dim fully defined (not None). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        k = y_pred_shape[-1]
        self.squared_sum = self.add_weight("squared_sum", shape=[k])
        self.sum = self.add_weight("sum", shape=[k])
        self.total_mse = self.add_weight("residual", shape=[k])
        self.count = self.add_weight("count", shape=[k])
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self.dtype)
        y_true, y_pred = _t(y_true, dt), _t(y_pred, dt)
        if not self.built:
            self.build(y_true.shape, y_pred.shape)
        sw = _t(1.0 if sample_weight is None else sample_weight, dt)
        if sw.shape.rank == 1:
            sw = tf.expand_dims(sw, 1)
        sw = tf.broadcast_to(sw, tf.shape(y_true))
        wy = y_true * sw
        self.sum.assign_add(tf.reduce_sum(wy, axis=0))
        self.squared_sum.assign_add(tf.reduce_sum(y_true * wy, axis=0))
        self.total_mse.assign_add(tf.reduce_sum(tf.square(y_true - y_pred) * sw, axis=0))
        self.count.assign_add(tf.reduce_sum(sw, axis=0))
        self.num_samples.assign_add(tf.size(y_true))

    def result(self):
        s, c = self.sum._read(), self.count._read()
        total = self.squared_sum._read() - s * (s / c)
        raw = 1.0 - self.total_mse._read() / total
        raw = tf.where(tf.math.is_inf(raw), tf.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            r2 = tf.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = tf.reduce_sum(total * raw) / tf.reduce_sum(total)
        else:
            r2 = raw
        if self.num_regressors != 0:
            # Adjusted R^2 when there are more samples than regressors + 1; otherwise Keras
            # warns and keeps the plain score.
            n = tf.cast(self.num_samples._read(), r2.dtype)
            p = float(self.num_regressors)
            adjusted = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0)
            r2 = tf.where(p < n - 1.0, adjusted, r2)
        return r2

    def reset_state(self):
        for v in self.variables:
            v.assign(np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))

    def get_config(self):
        config = super().get_config()
        config.update({"class_aggregation": self.class_aggregation,
                       "num_regressors": self.num_regressors})
        return config


def _check_class_ids(ids, what, k):
    # tf.math.confusion_matrix's checks (eager only), with its first lines of message.
    v = ids.numpy()
    if (v < 0).any():
        raise tf.errors.InvalidArgumentError(
            None, None, f"`{what}` contains negative values.  \nCondition x >= 0 did not "
            f"hold element-wise:")
    if (v >= k).any():
        raise tf.errors.InvalidArgumentError(
            None, None, f"`{what}` out of bound\nCondition x < y did not hold.")


class _IoUBase(Metric):
    """Accumulates a weighted (num_classes x num_classes) confusion matrix (rows: truth)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(num_classes, num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self.dtype)
        y_true, y_pred = _t(y_true), _t(y_pred)
        if not self.sparse_y_true:
            y_true = tf.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(y_pred, axis=self.axis)
        # Keras casts to the metric dtype first, then the confusion matrix truncates to ints.
        y_true = tf.reshape(tf.cast(tf.cast(y_true, dt), "int32"), [-1])
        y_pred = tf.reshape(tf.cast(tf.cast(y_pred, dt), "int32"), [-1])
        w = tf.ones_like(y_true, dtype=dt) if sample_weight is None else tf.broadcast_to(
            tf.reshape(_t(sample_weight, dt), [-1]), tf.shape(y_true))
        if self.ignore_class is not None:
            keep = tf.not_equal(y_true, self.ignore_class)
            w = tf.where(keep, w, tf.zeros_like(w))
            y_true = tf.where(keep, y_true, tf.zeros_like(y_true))
            y_pred = tf.where(keep, y_pred, tf.zeros_like(y_pred))
        k = self.num_classes
        if tf.executing_eagerly():
            _check_class_ids(y_true, "labels", k)
            _check_class_ids(y_pred, "predictions", k)
        cm = tf.math.unsorted_segment_sum(w, y_true * k + y_pred, k * k)
        self.total_cm.assign_add(tf.reshape(cm, [k, k]))

    def result(self):
        dt = tf.as_dtype(self.dtype)
        cm = self.total_cm._read()
        rows = tf.reduce_sum(cm, axis=0)
        cols = tf.reduce_sum(cm, axis=1)
        tp = tf.linalg.diag_part(cm)
        denom = rows + cols - tp
        ids = tf.constant(self.target_class_ids, "int32")
        tp, denom = tf.gather(tp, ids), tf.gather(denom, ids)
        valid = tf.reduce_sum(tf.cast(tf.not_equal(denom, 0), dt))
        return tf.math.divide_no_nan(tf.reduce_sum(tf.math.divide_no_nan(tp, denom)), valid)


class IoU(_IoUBase):
    """Mean intersection-over-union of the classes in `target_class_ids`.

    >>> m = tf.keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> float(m([0, 0, 1, 1], [0, 1, 0, 1]))
    0.3333333432674408
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, "
                             f"which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes,
                       "target_class_ids": self.target_class_ids,
                       "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                       "sparse_y_pred": self.sparse_y_pred, "axis": self.axis})
        return config


class BinaryIoU(IoU):
    """IoU of thresholded binary predictions (class 1 when `y_pred >= threshold`).

    >>> m = tf.keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.5)
    >>> float(m([0, 1, 0, 1], [0.1, 0.9, 0.6, 0.4]))
    0.3333333432674408
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self.dtype)
        y_pred = tf.cast(_t(y_pred, dt) >= self.threshold, dt)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """Mean intersection-over-union over all `num_classes` classes.

    >>> m = tf.keras.metrics.MeanIoU(num_classes=2)
    >>> float(m([0, 0, 1, 1], [0, 1, 0, 1]))
    0.3333333432674408
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of `target_class_ids` for one-hot labels (argmax of labels and predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU for one-hot labels (argmax of labels and predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


# -- lookup by name ---------------------------------------------------------------------------

# Function names `tf.keras.metrics.get` accepts (tf_keras's lookup: not e.g. 'kld' or 'huber').
_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, cosine_similarity,
    L.binary_crossentropy, L.categorical_crossentropy, L.sparse_categorical_crossentropy,
    L.mean_squared_error, L.mean_absolute_error, L.mean_absolute_percentage_error,
    L.mean_squared_logarithmic_error, L.hinge, L.squared_hinge, L.categorical_hinge,
    L.poisson, L.log_cosh)}
_FUNCTIONS.update({"acc": accuracy, "mse": L.mse, "MSE": L.mse, "mae": L.mae, "MAE": L.mae,
                   "mape": L.mape, "MAPE": L.mape, "msle": L.msle, "MSLE": L.msle,
                   "logcosh": L.log_cosh, "kullback_leibler_divergence": L.kl_divergence})
_CLASSES = {c.__name__: c for c in (
    Metric, Mean, Sum, MeanMetricWrapper, MeanTensor, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, Precision, Recall, AUC, TruePositives, FalsePositives,
    TrueNegatives, FalseNegatives, SensitivityAtSpecificity, SpecificityAtSensitivity,
    PrecisionAtRecall, RecallAtPrecision, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    CosineSimilarity, KLDivergence, Hinge, SquaredHinge, CategoricalHinge, LogCoshError,
    Poisson, MeanRelativeError, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU, R2Score,
    F1Score, FBetaScore)}


def _unknown(identifier):
    return ValueError(f"Unknown metric function: '{identifier}'. Please ensure you are using "
                      f"a `keras.utils.custom_object_scope` and that this object is included "
                      f"in the scope. See https://www.tensorflow.org/guide/keras/save_and_"
                      f"serialize#registering_the_custom_object for details.")


def serialize(metric, use_legacy_format=False):
    """The config dict of a metric object, or the name of a metric function."""
    if isinstance(metric, Metric):
        if use_legacy_format:
            return {"class_name": type(metric).__name__, "config": metric.get_config()}
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    return metric.__name__


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A metric function or a new metric object from a name or a config dict.

    >>> tf.keras.metrics.deserialize("mse").__name__
    'mean_squared_error'
    """
    custom_objects = custom_objects or {}
    if isinstance(config, dict):
        name = config["class_name"]
        cls = custom_objects.get(name) or _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"Unknown metric: '{name}'. Please ensure you are using a "
                             f"`keras.utils.custom_object_scope` and that this object is "
                             f"included in the scope. See https://www.tensorflow.org/guide/"
                             f"keras/save_and_serialize#registering_the_custom_object for "
                             f"details.")
        return cls.from_config(config.get("config", {}))
    if isinstance(config, str):
        if config in custom_objects:
            obj = custom_objects[config]
            return obj() if isinstance(obj, type) else obj
        if config in _FUNCTIONS:
            return _FUNCTIONS[config]
        if config in _CLASSES and config not in ("Metric", "MeanMetricWrapper"):
            cls = _CLASSES[config]
            try:
                return cls()
            except TypeError as e:
                raise TypeError(f"Error when deserializing class '{config}' using "
                                f"config={{}}.\n\nException encountered: {e}") from None
        raise _unknown(config)
    if callable(config):
        return config
    raise ValueError(f"Could not interpret metric identifier: {config}")


def get(identifier):
    """A metric function or object from a name, config dict, class, object or function.

    Names of metric functions ('mse', 'binary_accuracy') give the function; class names
    ('AUC', 'TruePositives') give a new object with default arguments.

    >>> type(tf.keras.metrics.get("AUC")).__name__
    'AUC'
    """
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")

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


def _wrap_class(cls_name, fn, default_name, params=None, doc=""):
    params = params or {}

    def __init__(self, name=default_name, dtype=None, **kwargs):
        kw = dict(params)
        kw.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **kw)

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
                                      "top_k_categorical_accuracy", {"k": 5})
SparseTopKCategoricalAccuracy = _wrap_class("SparseTopKCategoricalAccuracy",
                                            sparse_top_k_categorical_accuracy,
                                            "sparse_top_k_categorical_accuracy", {"k": 5})
MeanSquaredError = _wrap_class("MeanSquaredError", L.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrap_class("MeanAbsoluteError", L.mean_absolute_error,
                                "mean_absolute_error")
MeanAbsolutePercentageError = _wrap_class("MeanAbsolutePercentageError",
                                          L.mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
BinaryCrossentropy = _wrap_class("BinaryCrossentropy", L.binary_crossentropy,
                                 "binary_crossentropy", {"from_logits": False,
                                                         "label_smoothing": 0.0})
CategoricalCrossentropy = _wrap_class("CategoricalCrossentropy", L.categorical_crossentropy,
                                      "categorical_crossentropy", {"from_logits": False,
                                                                   "label_smoothing": 0.0})
SparseCategoricalCrossentropy = _wrap_class("SparseCategoricalCrossentropy",
                                            L.sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy",
                                            {"from_logits": False})


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


class _Confusion(Metric):
    """Counts of true/false positives/negatives at thresholds."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if top_k is not None or class_id is not None:
            raise NotImplementedError("Precision/Recall(top_k=, class_id=) are not "
                                      "implemented in tapeflow.")
        self.init_thresholds = thresholds
        th = [0.5] if thresholds is None else (
            list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds])
        self.thresholds = th
        n = len(th)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        self.false_positives = self.add_weight("false_positives", shape=(n,))
        self.false_negatives = self.add_weight("false_negatives", shape=(n,))
        self.true_negatives = self.add_weight("true_negatives", shape=(n,))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, "float32")
        y_true = _t(y_true)
        y_pred, y_true = L._squeeze_or_expand(y_pred, y_true)
        if sample_weight is None:
            w = 1.0
        else:
            sw = _t(sample_weight, "float32")
            while sw.shape.rank < y_pred.shape.rank:
                sw = tf.expand_dims(sw, -1)
            w = tf.reshape(tf.broadcast_to(sw, y_pred.shape), [1, -1])
        y_pred = tf.reshape(y_pred, [1, -1])
        y_true = tf.reshape(tf.cast(y_true, "bool"), [1, -1])
        th = tf.constant(np.asarray(self.thresholds, np.float32).reshape(-1, 1))
        pred = y_pred > th

        def count(a, b):
            return tf.reduce_sum(tf.cast(tf.logical_and(a, b), "float32") * w, axis=1)

        not_true, not_pred = tf.logical_not(y_true), tf.logical_not(pred)
        self.true_positives.assign_add(count(pred, y_true))
        self.false_positives.assign_add(count(pred, not_true))
        self.false_negatives.assign_add(count(not_pred, y_true))
        self.true_negatives.assign_add(count(not_pred, not_true))

    def get_config(self):
        config = super().get_config()
        config["thresholds"] = self.init_thresholds
        return config


class Precision(_Confusion):
    """tp / (tp + fp) at the threshold(s)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision",
                 dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        r = tf.math.div_no_nan(self.true_positives._read(),
                               self.true_positives._read() + self.false_positives._read())
        return r[0] if len(self.thresholds) == 1 else r


class Recall(_Confusion):
    """tp / (tp + fn) at the threshold(s)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        r = tf.math.div_no_nan(self.true_positives._read(),
                               self.true_positives._read() + self.false_negatives._read())
        return r[0] if len(self.thresholds) == 1 else r


class AUC(_Confusion):
    """Area under the ROC (or PR) curve, by a Riemann sum over `num_thresholds` thresholds."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name="auc", dtype=None, thresholds=None, multi_label=False, **kwargs):
        if thresholds is None:
            eps = 1e-7
            th = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            th = [0.0 - eps] + th + [1.0 + eps]
        else:
            th = [0.0 - 1e-7] + list(thresholds) + [1.0 + 1e-7]
        self.num_thresholds = len(th)
        self.curve = curve.upper()
        self.summation_method = summation_method
        super().__init__(th, None, None, name, dtype)

    def result(self):
        tp, fp = self.true_positives._read(), self.false_positives._read()
        fn, tn = self.false_negatives._read(), self.true_negatives._read()
        n = self.num_thresholds
        if self.curve == "PR":
            if self.summation_method == "interpolation":
                # Davis & Goadrich interpolation, as Keras.
                dtp = tp[:n - 1] - tp[1:]
                p = tp + fp
                dp = p[:n - 1] - p[1:]
                prec_slope = tf.math.div_no_nan(dtp, tf.maximum(dp, 0.0))
                intercept = tp[1:] - prec_slope * p[1:]
                safe_p_ratio = tf.where(tf.logical_and(p[:n - 1] > 0, p[1:] > 0),
                                        tf.math.div_no_nan(p[:n - 1], tf.maximum(p[1:], 0.0)),
                                        tf.ones_like(p[1:]))
                pr_auc = prec_slope * (dtp + intercept * tf.math.log(safe_p_ratio))
                return tf.reduce_sum(tf.math.div_no_nan(pr_auc, tf.maximum(tp[1:] + fn[1:],
                                                                            0.0)))
            x = tf.math.div_no_nan(tp, tp + fn)
            y = tf.math.div_no_nan(tp, tp + fp)
        else:
            x = tf.math.div_no_nan(fp, fp + tn)
            y = tf.math.div_no_nan(tp, tp + fn)
        if self.summation_method in ("interpolation", "trapezoidal"):
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = tf.minimum(y[:n - 1], y[1:])
        else:
            heights = tf.maximum(y[:n - 1], y[1:])
        return tf.reduce_sum((x[:n - 1] - x[1:]) * heights)


_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}
_CLASSES = {c.__name__: c for c in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)}
_STRINGS = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "mape": MeanAbsolutePercentageError,
            "binary_crossentropy": BinaryCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
            "AUC": AUC, "auc": AUC, "precision": Precision, "recall": Recall}


def get(identifier):
    """A metric function or object from a name, class, object or function."""
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _STRINGS:
            # Keras names a metric given by string after that string ('mae' logs as 'mae').
            cls = _STRINGS[identifier]
            return cls() if identifier == "AUC" else cls(name=identifier)
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Unknown metric function: '{identifier}'. Please ensure you are "
                         f"using a `keras.utils.custom_object_scope` and that this object is "
                         f"included in the scope.")
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def serialize(metric):
    return {"class_name": type(metric).__name__, "config": metric.get_config()}

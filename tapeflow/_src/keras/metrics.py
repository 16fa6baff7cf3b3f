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


# The metric families kept in modules of their own (they import the base classes above).
from tapeflow._src.keras.metrics_confusion import (  # noqa: E402,F401
    TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
    SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
    RecallAtPrecision, AUC,
)
from tapeflow._src.keras.metrics_scores import (  # noqa: E402,F401
    FBetaScore, F1Score, R2Score, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)


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

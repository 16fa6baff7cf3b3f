"""Keras's F-score, R^2 and IoU metrics."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.keras.metrics import Metric, _t

# -- F-scores, R^2 and IoU -------------------------------------------------------------------


def _check_2d(metric, y_true_shape, y_pred_shape):
    """Keras's check that a score metric gets (batch_size, output_dim) inputs."""
    if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
        raise ValueError(f"{metric} expects 2D inputs with shape (batch_size, "
                         f"output_dim). Received input shapes: y_pred.shape="
                         f"{y_pred_shape} and y_true.shape={y_true_shape}.")
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError(f"{metric} expects 2D inputs with shape (batch_size, "
                         f"output_dim), with output_dim fully defined (not None). "
                         f"Received input shapes: y_pred.shape={y_pred_shape} and "
                         f"y_true.shape={y_true_shape}.")

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
        _check_2d("FBetaScore", y_true_shape, y_pred_shape)
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
        _check_2d("R2Score", y_true_shape, y_pred_shape)
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

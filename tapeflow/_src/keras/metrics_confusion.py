"""Keras's confusion-matrix metrics: the condition counts, precision and recall, the
...At... family and AUC, all built on counts of true/false positives/negatives at a list of
thresholds (Keras's bucketing when the thresholds are evenly spaced)."""

from __future__ import annotations

import numpy as np

import tapeflow as tf
from tapeflow._src.keras import losses as L
from tapeflow._src.keras.metrics import Metric, _assert_compatible, _match_weights, _t

# -- confusion-matrix metrics ----------------------------------------------------------------

_NEG_INF = -1e10


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

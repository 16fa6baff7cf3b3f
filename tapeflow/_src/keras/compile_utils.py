"""The compiled loss and metrics of a Keras model: per-output losses and their weights,
regularization losses, metric resolution by name ('accuracy' by the loss and shapes), and
Keras masks applied as sample weights."""

from __future__ import annotations

import tapeflow as tf
from tapeflow._src.distribute import keras_support as dist_support
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.keras import losses as losses_mod
from tapeflow._src.keras import metrics as metrics_mod


def _flat_outputs(v):
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, dict):
        return [v[k] for k in sorted(v)]
    return [v]


def _match_rank(y_true, y_pred, sample_weight):
    """1-D labels and sample weights for 2-D predictions get a trailing axis (Keras's
    match_dtype_and_rank), so (batch,) labels meet (batch, 1) predictions elementwise."""
    rank = getattr(getattr(y_pred, "shape", None), "rank", None)
    if rank == 2:
        if y_true is not None and len(getattr(y_true, "shape", ())) == 1:
            y_true = tf.expand_dims(y_true, -1)
        if sample_weight is not None and len(getattr(sample_weight, "shape", ())) == 1:
            sample_weight = tf.expand_dims(sample_weight, -1)
    return y_true, sample_weight


def _apply_mask(y_pred, sample_weight, mask):
    """Sample weights times an output's Keras mask (the mask alone when there are none),
    a rank-1 difference bridged as Keras does."""
    if mask is None:
        return sample_weight
    mask = tf.cast(mask, y_pred.dtype)
    if sample_weight is None:
        return mask
    sw = tf.cast(sample_weight, mask.dtype)
    diff = sw.shape.rank - mask.shape.rank
    if diff == 1 and sw.shape[-1] == 1:
        sw = tf.squeeze(sw, -1)
    elif diff == -1:
        sw = tf.expand_dims(sw, -1)
    return sw * mask


class _CompiledLoss:
    def __init__(self, loss, loss_weights, output_names):
        self.output_names = output_names
        if isinstance(loss, dict):
            self.losses = [losses_mod.get(loss.get(n)) for n in output_names]
        elif isinstance(loss, (list, tuple)):
            self.losses = [losses_mod.get(l) for l in loss]
        else:
            self.losses = [losses_mod.get(loss)] * max(1, len(output_names))
        if loss_weights is None:
            self.weights = [1.0] * len(self.losses)
        elif isinstance(loss_weights, dict):
            self.weights = [loss_weights.get(n, 1.0) for n in output_names]
        else:
            self.weights = list(loss_weights)
        self.metric = metrics_mod.Mean(name="loss")
        self.per_output = None
        if len(self.losses) > 1:
            self.per_output = [metrics_mod.Mean(name=f"{n}_loss") for n in output_names]

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        ys = _flat_outputs(y_true) if len(self.losses) > 1 else [y_true]
        ps = _flat_outputs(y_pred) if len(self.losses) > 1 else [y_pred]
        total = None
        batch = None
        for i, (fn, w, yt, yp) in enumerate(zip(self.losses, self.weights, ys, ps)):
            if fn is None or yt is None:
                continue
            if not isinstance(fn, losses_mod.Loss):
                # Keras wraps plain functions, so y_true/y_pred trailing-1 dims are reconciled.
                fn = losses_mod.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))
                self.losses[i] = fn
            value = fn(yt, yp, sample_weight=_apply_mask(
                yp, sample_weight, getattr(yp, "_keras_mask", None)))
            if batch is None:
                batch = yp.shape[0] if yp.shape.rank else 1
            if self.per_output is not None:
                self.per_output[i].update_state(value, sample_weight=batch)
            value = value * float(w) if w != 1.0 else value
            total = value if total is None else total + value
        if regularization_losses:
            reg = tf.add_n([tf.cast(r, "float32") for r in regularization_losses])
            total = reg if total is None else total + reg
        if total is None:
            total = tf.constant(0.0)
        self.metric.update_state(total, sample_weight=batch)
        if dist_support.loss_scale is not None:
            # This worker's share of the global batch: the gradient sum over workers is then
            # the gradient of the global-batch mean.
            total = total * dist_support.loss_scale
        return total

    @property
    def metrics(self):
        return [self.metric] + (self.per_output or [])


def _resolve_metric(m, loss_fn, y_true, y_pred):
    if m not in ("accuracy", "acc", "crossentropy", "ce"):
        got = metrics_mod.get(m)
        if isinstance(got, metrics_mod.Metric):
            return got
        name = m if isinstance(m, str) else got.__name__
        return metrics_mod.MeanMetricWrapper(got, name=name)
    yt = TensorShape(getattr(y_true, "shape", None)).as_list() if y_true is not None else []
    yp = TensorShape(y_pred.shape).as_list()
    is_binary = yp[-1:] == [1] if yp else False
    is_sparse = len(yt) < len(yp) or (yt[-1:] == [1] and yp[-1:] and yp[-1] not in (1,))
    loss_name = getattr(loss_fn, "fn", loss_fn)
    if isinstance(loss_fn, losses_mod.LossFunctionWrapper):
        loss_name = loss_fn.fn
    if loss_name is losses_mod.binary_crossentropy:
        is_binary = True
    if m in ("accuracy", "acc"):
        fn = metrics_mod.binary_accuracy if is_binary else (
            metrics_mod.sparse_categorical_accuracy if is_sparse
            else metrics_mod.categorical_accuracy)
    else:
        fn = losses_mod.binary_crossentropy if is_binary else (
            losses_mod.sparse_categorical_crossentropy if is_sparse
            else losses_mod.categorical_crossentropy)
    return metrics_mod.MeanMetricWrapper(fn, name=m)


class _CompiledMetrics:
    def __init__(self, metrics, weighted_metrics, output_names, compiled_loss):
        self.spec = metrics
        self.weighted_spec = weighted_metrics
        self.output_names = output_names
        self.compiled_loss = compiled_loss
        self.built = False
        self.per_output = []
        self.weighted_per_output = []

    def _build_list(self, spec, y_true, y_pred, prefix_names, suffix=""):
        outs = []
        n = len(y_pred)
        for i in range(n):
            if spec is None:
                s = []
            elif isinstance(spec, dict):
                s = spec.get(self.output_names[i], [])
                s = s if isinstance(s, (list, tuple)) else [s]
            elif isinstance(spec, (list, tuple)) and spec and isinstance(
                    spec[0], (list, tuple)):
                s = spec[i]
            else:
                s = list(spec) if isinstance(spec, (list, tuple)) else [spec]
            loss_fn = self.compiled_loss.losses[i] if i < len(
                self.compiled_loss.losses) else None
            ms = []
            for m in s:
                metric = _resolve_metric(m, loss_fn, y_true[i] if i < len(y_true) else None,
                                         y_pred[i])
                if n > 1 and prefix_names:
                    metric._name = f"{self.output_names[i]}_{metric.name}"
                if suffix:
                    metric._name = metric.name + suffix
                ms.append(metric)
            outs.append(ms)
        return outs

    def build(self, y_true, y_pred):
        ys = _flat_outputs(y_true) if len(_flat_outputs(y_pred)) > 1 else [y_true]
        ps = _flat_outputs(y_pred)
        self.per_output = self._build_list(self.spec, ys, ps, True)
        self.weighted_per_output = self._build_list(self.weighted_spec, ys, ps, True)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        ps = _flat_outputs(y_pred)
        ys = _flat_outputs(y_true) if len(ps) > 1 else [y_true]
        for i, yp in enumerate(ps):
            if not self.per_output[i] and not self.weighted_per_output[i]:
                continue
            yt, sw = _match_rank(ys[i], yp, sample_weight)
            # As Keras: an output's `_keras_mask` weighs its metrics (padding steps left out).
            mask = getattr(yp, "_keras_mask", None)
            for m in self.per_output[i]:
                m.update_state(yt, yp, sample_weight=mask)
            sw = _apply_mask(yp, sw, mask)
            for m in self.weighted_per_output[i]:
                m.update_state(yt, yp, sample_weight=sw)

    @property
    def metrics(self):
        out = []
        for ms in self.per_output:
            out.extend(ms)
        for ms in self.weighted_per_output:
            out.extend(ms)
        return out

"""tf.keras.losses: loss classes (with reduction and sample weights) and loss functions."""

from __future__ import annotations

import collections
import inspect

import tapeflow as tf
from tapeflow._src.keras import backend

# Softmax/sigmoid outputs made by Keras activations remember their logits (as Keras 2 does
# with `_keras_logits`), so probability losses can use the stable logits formulas.
_keras_logits = collections.OrderedDict()


def _remember_logits(output, logits, kind):
    _keras_logits[id(output)] = (output, logits, kind)
    while len(_keras_logits) > 8:
        _keras_logits.popitem(last=False)


def _logits_of(output, kind):
    entry = _keras_logits.get(id(output))
    if entry is not None and entry[0] is output and entry[2] == kind:
        return entry[1]
    return None


# Per-example losses computed with `ignore_class` remember which entries are valid (Keras 2
# attaches this as `_keras_mask`); Loss and metric reductions then skip the others.
_loss_masks = collections.OrderedDict()


def _remember_mask(values, mask):
    _loss_masks[id(values)] = (values, mask)
    while len(_loss_masks) > 8:
        _loss_masks.popitem(last=False)


def _mask_of(values):
    entry = _loss_masks.get(id(values))
    if entry is not None and entry[0] is values:
        return entry[1]
    return None


def _apply_valid_mask(values, sample_weight, mask, rescale):
    """Sample weights with masked-out entries at 0 (Keras's apply_valid_mask).

    With `rescale` (mean over the batch), valid entries get weight total/valid so that a
    mean over all entries equals the mean over the valid ones.
    """
    mask = tf.cast(mask, values.dtype)
    if rescale:
        total = tf.cast(tf.size(mask), values.dtype)
        mask = mask * (total / tf.reduce_sum(mask))
    if sample_weight is None:
        return mask
    sw = _t(sample_weight, values.dtype)
    rm, rw = mask.shape.rank, sw.shape.rank
    if rw:
        if rw - rm == 1:
            sw = tf.squeeze(sw, [-1])
        elif rm - rw == 1:
            sw = tf.expand_dims(sw, -1)
    return sw * mask


def _t(x, dtype=None):
    if isinstance(x, tf.Tensor) and (dtype is None or x.dtype == dtype):
        return x
    t = tf.convert_to_tensor(x)
    if dtype is not None and t.dtype != dtype:
        t = tf.cast(t, dtype)
    return t


def _clip(x, lo, hi):
    return tf.minimum(tf.maximum(x, lo), hi)


def _pred_true(y_true, y_pred):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    return y_true, y_pred


# -- loss functions -------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), backend.epsilon()))
    return 100.0 * tf.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    a = tf.math.log(tf.maximum(y_pred, backend.epsilon()) + 1.0)
    b = tf.math.log(tf.maximum(y_true, backend.epsilon()) + 1.0)
    return tf.reduce_mean(tf.square(a - b), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _pred_true(y_true, y_pred)
    err = tf.abs(y_pred - y_true)
    delta = tf.cast(delta, y_pred.dtype)
    quad = 0.5 * tf.square(err)
    lin = delta * err - 0.5 * delta * delta
    return tf.reduce_mean(tf.where(err <= delta, quad, lin), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2)
    sp = tf.math.log1p(tf.exp(-tf.abs(-2.0 * x))) + tf.nn.relu(-2.0 * x)
    return tf.reduce_mean(x + sp - tf.cast(0.6931471805599453, x.dtype), axis=-1)


def _bce_elementwise(y_true, y_pred, from_logits):
    """Element-wise binary cross-entropy (Keras backend semantics, no reduction)."""
    if not from_logits:
        logits = _logits_of(y_pred, "sigmoid")
        if logits is not None:
            y_pred, from_logits = logits, True
    if from_logits:
        # max(x, 0) - x*z + log(1 + exp(-|x|))
        x = y_pred
        return tf.nn.relu(x) - x * y_true + tf.math.log1p(tf.exp(-tf.abs(x)))
    eps = backend.epsilon()
    p = _clip(y_pred, eps, 1.0 - eps)
    return -(y_true * tf.math.log(p + eps) + (1.0 - y_true) * tf.math.log(1.0 - p + eps))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pred_true(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return tf.reduce_mean(_bce_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by `(1 - p_t) ** gamma` (focal loss), mean over `axis`.

    Args:
      y_true: Labels in [0, 1].
      y_pred: Probabilities (or logits when `from_logits`).
      apply_class_balancing: Also weight positives by `alpha`, negatives by `1 - alpha`.
      alpha: Class-balancing weight of the positive class.
      gamma: Focusing exponent; 0 gives plain binary cross-entropy.
      from_logits: Whether `y_pred` holds logits.
      label_smoothing: Squeezes labels towards 0.5 by this amount.
      axis: The axis to average over.

    Returns:
      The per-example focal loss.

    >>> round(float(tf.keras.losses.binary_focal_crossentropy([1.0], [0.5], gamma=0.0)), 4)
    0.6931
    """
    y_true, y_pred = _pred_true(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    probs = tf.sigmoid(y_pred) if from_logits else y_pred
    p_t = y_true * probs + (1.0 - y_true) * (1.0 - probs)
    focal = tf.pow(1.0 - p_t, tf.cast(gamma, y_pred.dtype)) * _bce_elementwise(
        y_true, y_pred, from_logits)
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return tf.reduce_mean(focal, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pred_true(y_true, y_pred)
    if label_smoothing:
        k = tf.cast(y_true.shape[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    if not from_logits:
        logits = _logits_of(y_pred, "softmax")
        if logits is not None:
            y_pred, from_logits = logits, True
    if from_logits:
        return -tf.reduce_sum(y_true * tf.nn.log_softmax(y_pred, axis=axis), axis=axis)
    eps = backend.epsilon()
    p = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _clip(p, eps, 1.0 - eps)
    return -tf.reduce_sum(y_true * tf.math.log(p), axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy scaled by `alpha * (1 - p) ** gamma` per class (focal loss).

    Args:
      y_true: One-hot (or soft) labels.
      y_pred: Class probabilities (or logits when `from_logits`).
      alpha: Weight of every class term.
      gamma: Focusing exponent.
      from_logits: Whether `y_pred` holds logits.
      label_smoothing: Mixes labels with the uniform distribution by this amount.
      axis: The class axis.

    Returns:
      The per-example focal loss (sum over `axis`).

    >>> round(float(tf.keras.losses.categorical_focal_crossentropy(
    ...     [0.0, 1.0], [0.5, 0.5], alpha=1.0, gamma=0.0)), 4)
    0.6931
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_true, y_pred = _pred_true(y_true, y_pred)
    if label_smoothing:
        k = tf.cast(y_true.shape[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    if not from_logits:
        logits = _logits_of(y_pred, "softmax")
        if logits is not None:
            y_pred, from_logits = logits, True
    if from_logits:
        y_pred = tf.nn.softmax(y_pred, axis=axis)
    eps = backend.epsilon()
    p = _clip(y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    ce = -y_true * tf.math.log(p)
    weight = tf.pow(1.0 - p, tf.cast(gamma, p.dtype)) * tf.cast(alpha, p.dtype)
    return tf.reduce_sum(weight * ce, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1,
                                    ignore_class=None):
    y_pred = _t(y_pred)
    y_true = _t(y_true)
    if not from_logits:
        logits = _logits_of(y_pred, "softmax")
        if logits is not None:
            y_pred, from_logits = logits, True
    if not from_logits:
        eps = backend.epsilon()
        y_pred = tf.math.log(_clip(y_pred, eps, 1.0 - eps))
    if y_true.dtype.is_floating or y_true.dtype.name not in ("int32", "int64"):
        y_true = tf.cast(y_true, "int64")
    rank = y_pred.shape.rank
    if y_true.shape.rank == rank:
        y_true = tf.reshape(y_true, y_true.shape.as_list()[:-1])
    if ignore_class is None:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    # Ignored labels get loss 0 and are masked out of the reductions (see _mask_of).
    valid = tf.not_equal(y_true, tf.cast(ignore_class, y_true.dtype))
    safe = tf.where(valid, y_true, tf.zeros_like(y_true))
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=safe, logits=y_pred)
    res = tf.where(valid, res, tf.zeros_like(res))
    _remember_mask(res, valid)
    return res


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    eps = backend.epsilon()
    y_true = _clip(y_true, eps, 1.0)
    y_pred = _clip(y_pred, eps, 1.0)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + backend.epsilon()), axis=-1)


def _maybe_to_pm1(y_true):
    # Keras converts {0, 1} labels to {-1, 1} for hinge losses.
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0.0), tf.equal(y_true, 1.0)))
    return tf.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _maybe_to_pm1(y_true)
    return tf.reduce_mean(tf.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _maybe_to_pm1(y_true)
    return tf.reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`max(0, 1 + max_wrong - true_score)` for one-hot `y_true`, per example.

    >>> float(tf.keras.losses.categorical_hinge([0.0, 1.0], [0.3, 0.8]))
    0.5
    """
    y_true, y_pred = _pred_true(y_true, y_pred)
    pos = tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tf.maximum(neg - pos + 1.0, tf.zeros([], y_pred.dtype))


def _l2_normalize(x, axis):
    sq = tf.reduce_sum(tf.square(x), axis=axis, keepdims=True)
    return x * tf.math.rsqrt(tf.maximum(sq, 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _pred_true(y_true, y_pred)
    return -tf.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# -- reduction ------------------------------------------------------------------------------

class Reduction:
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def _squeeze_or_expand(y_pred, y_true):
    """Drops a trailing 1 so y_true and y_pred ranks agree (Keras's squeezable dims)."""
    rp, rt = y_pred.shape.rank, y_true.shape.rank
    if rp is None or rt is None:
        return y_pred, y_true
    if rp - rt == 1 and y_pred.shape[-1] == 1:
        y_pred = tf.squeeze(y_pred, [-1])
    elif rt - rp == 1 and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, [-1])
    return y_pred, y_true


def _align_weights(values, sw):
    """Matches ranks of `values` and sample weights `sw` as Keras does before weighting.

    A trailing 1 on the side with one more dimension is squeezed away, then `sw` gets
    trailing dimensions until its rank reaches that of `values`. Returns (values, sw).
    """
    rl, rw = values.shape.rank, sw.shape.rank
    if rw == rl + 1 and sw.shape[-1] == 1:
        sw = tf.squeeze(sw, [-1])
    elif rl == rw + 1 and values.shape[-1] == 1:
        values = tf.squeeze(values, [-1])
    while sw.shape.rank < values.shape.rank:
        sw = tf.expand_dims(sw, -1)
    return values, sw


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Weights per-example `losses` and reduces them as Keras does."""
    losses = _t(losses)
    if not losses.dtype.is_floating:
        losses = tf.cast(losses, "float32")
    if sample_weight is not None:
        losses, sw = _align_weights(losses, _t(sample_weight, losses.dtype))
        losses = losses * sw
    if reduction == Reduction.NONE:
        return losses
    total = tf.reduce_sum(losses)
    if reduction == Reduction.SUM:
        return total
    n = losses.shape.num_elements()
    return total / tf.cast(max(n, 1) if n else 1, losses.dtype) if n else total * 0.0


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` returning per-example losses."""

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred)
        y_true = _t(y_true)
        losses = self.call(y_true, y_pred)
        reduction = Reduction.SUM_OVER_BATCH_SIZE if self.reduction == Reduction.AUTO \
            else self.reduction
        # Masked entries are left out: y_pred's Keras mask (padding steps of a sequence
        # model) and the entries an ignore_class drops; the mean is over the others.
        mask = getattr(y_pred, "_keras_mask", None)
        if _loss_masks:
            out_mask = _mask_of(losses)
            if out_mask is not None:
                mask = out_mask if mask is None else tf.logical_and(
                    tf.cast(mask, "bool"), tf.cast(out_mask, "bool"))
        if mask is not None:
            sample_weight = _apply_valid_mask(losses, sample_weight, mask,
                                              reduction == Reduction.SUM_OVER_BATCH_SIZE)
        return compute_weighted_loss(losses, sample_weight, reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Loss subclasses must implement call(y_true, y_pred).")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss that calls `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if self.fn is not sparse_categorical_crossentropy:
            y_pred, y_true = _squeeze_or_expand(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        # Keras's order: reduction, name, the function's keyword arguments, then 'fn'.
        config = super().get_config()
        config.update(self._fn_kwargs)
        config["fn"] = self.fn.__name__
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if cls is LossFunctionWrapper:
            return cls(get(fn) if isinstance(fn, str) else fn, **config)
        return cls(**config)


def _signature_init(order, defaults, finish):
    """An `__init__(self, <order>...)` with those defaults (as tf_keras's signatures are),
    checking the arguments as Python would and passing the bound values to
    `finish(self, values)`."""
    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"__init__() takes from 1 to {len(order) + 1} positional "
                            f"arguments but {len(args) + 1} were given")
        values = dict(defaults)
        values.update(zip(order, args))
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError(f"__init__() got an unexpected keyword argument '{k}'")
            values[k] = v
        finish(self, values)

    P = inspect.Parameter
    __init__.__signature__ = inspect.Signature(
        [P("self", P.POSITIONAL_OR_KEYWORD)]
        + [P(k, P.POSITIONAL_OR_KEYWORD, default=defaults[k]) for k in order])
    return __init__


def _wrapper(fn, default_name, params):
    """__init__ with tf_keras's signature: (*fn keyword params, reduction, name)."""
    def finish(self, kw):
        reduction, name = kw.pop("reduction"), kw.pop("name")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **kw)
    return _signature_init(list(params) + ["reduction", "name"],
                           dict(params, reduction=Reduction.AUTO, name=default_name), finish)


def _make(cls_name, fn, default_name, params=None):
    params = params or {}
    cls = type(cls_name, (LossFunctionWrapper,), {
        "__init__": _wrapper(fn, default_name, params),
        "__doc__": f"The `{default_name}` loss as a Loss object (see `{fn.__name__}`).",
        "__module__": __name__})
    return cls


MeanSquaredError = _make("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _make("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _make("MeanAbsolutePercentageError",
                                    mean_absolute_percentage_error,
                                    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _make("MeanSquaredLogarithmicError",
                                    mean_squared_logarithmic_error,
                                    "mean_squared_logarithmic_error")
Huber = _make("Huber", huber, "huber_loss", {"delta": 1.0})
LogCosh = _make("LogCosh", log_cosh, "log_cosh")
BinaryCrossentropy = _make("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                           {"from_logits": False, "label_smoothing": 0.0, "axis": -1})
CategoricalCrossentropy = _make("CategoricalCrossentropy", categorical_crossentropy,
                                "categorical_crossentropy",
                                {"from_logits": False, "label_smoothing": 0.0, "axis": -1})
SparseCategoricalCrossentropy = _make("SparseCategoricalCrossentropy",
                                      sparse_categorical_crossentropy,
                                      "sparse_categorical_crossentropy",
                                      {"from_logits": False, "ignore_class": None})
KLDivergence = _make("KLDivergence", kl_divergence, "kl_divergence")
Hinge = _make("Hinge", hinge, "hinge")
SquaredHinge = _make("SquaredHinge", squared_hinge, "squared_hinge")
CosineSimilarity = _make("CosineSimilarity", cosine_similarity, "cosine_similarity",
                         {"axis": -1})
Poisson = _make("Poisson", poisson, "poisson")
CategoricalHinge = _make("CategoricalHinge", categorical_hinge, "categorical_hinge")
BinaryFocalCrossentropy = _make("BinaryFocalCrossentropy", binary_focal_crossentropy,
                                "binary_focal_crossentropy",
                                {"apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0,
                                 "from_logits": False, "label_smoothing": 0.0, "axis": -1})
CategoricalFocalCrossentropy = _make("CategoricalFocalCrossentropy",
                                     categorical_focal_crossentropy,
                                     "categorical_focal_crossentropy",
                                     {"alpha": 0.25, "gamma": 2.0, "from_logits": False,
                                      "label_smoothing": 0.0, "axis": -1})

_FUNCTIONS = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson, hinge,
    squared_hinge, cosine_similarity, categorical_hinge, binary_focal_crossentropy,
    categorical_focal_crossentropy)}
_FUNCTIONS.update({"mse": mse, "mae": mae, "mape": mape, "msle": msle, "kld": kld,
                   "logcosh": log_cosh, "MSE": mse, "MAE": mae, "MAPE": mape, "MSLE": msle,
                   "KLD": kld, "kullback_leibler_divergence": kl_divergence})
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Hinge, SquaredHinge, CosineSimilarity,
    Poisson, CategoricalHinge, BinaryFocalCrossentropy, CategoricalFocalCrossentropy)}


def get(identifier):
    """A loss from a name ('mse', 'sparse_categorical_crossentropy'), class, object or function."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Unknown loss function: '{identifier}'. Please ensure you are using "
                         f"a `keras.utils.custom_object_scope` and that this object is included "
                         f"in the scope. See https://www.tensorflow.org/guide/keras/"
                         f"save_and_serialize#registering_the_custom_object for details.")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")


def serialize(loss, use_legacy_format=False):
    """The config dict of a Loss object (tf_keras's format), or a loss function's name."""
    if isinstance(loss, Loss):
        if use_legacy_format:
            return {"class_name": type(loss).__name__, "config": loss.get_config()}
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return loss.__name__


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """A loss function or a new Loss object from a name or a config dict."""
    if isinstance(name, dict):
        class_name = name["class_name"]
        cls = (custom_objects or {}).get(class_name) or _CLASSES.get(class_name)
        if cls is None:
            raise ValueError(f"Unknown loss function: '{class_name}'. Please ensure you are "
                             f"using a `keras.utils.custom_object_scope` and that this object "
                             f"is included in the scope. See https://www.tensorflow.org/guide/"
                             f"keras/save_and_serialize#registering_the_custom_object for "
                             f"details.")
        return cls.from_config(name["config"])
    if isinstance(name, str) and custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)

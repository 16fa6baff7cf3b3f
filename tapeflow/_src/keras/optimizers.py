"""tf.keras.optimizers (Keras 2.11+ optimizers) and learning-rate schedules.

Every update is written in tapeflow ops and follows the update rules of tf_keras's
optimizers, so one step gives the same numbers to float32 precision.
"""

from __future__ import annotations

import logging
import math

import numpy as np

import tapeflow as tf
from tapeflow._src.framework import context
from tapeflow._src.framework.variables import Variable

# A child of the "tapeflow" logger, whose handler prints TF's 'WARNING:tensorflow:<message>'
# (a handler here too printed every warning twice).
_log = logging.getLogger("tapeflow.keras")


# -- learning-rate schedules ------------------------------------------------------------------

class LearningRateSchedule:
    """A callable `schedule(step)` giving the learning rate at an optimizer step."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """initial * decay_rate ** (step / decay_steps), floored when `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = tf.cast(step, "float32") / float(self.decay_steps)
        if self.staircase:
            p = tf.floor(p)
        return tf.cast(self.initial_learning_rate, "float32") * tf.pow(
            tf.cast(self.decay_rate, "float32"), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        # Tensor ops, not Python comparisons: inside a traced step the rate follows the
        # optimizer's iteration variable instead of freezing (or forcing a retrace).
        x = tf.convert_to_tensor(step)
        values = [tf.convert_to_tensor(v) for v in self.values]
        out = values[-1]
        for b, v in zip(reversed(self.boundaries), reversed(values[:-1])):
            out = tf.where(x <= tf.cast(b, x.dtype), v, out)
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate to `alpha * initial` over `decay_steps`, after an
    optional linear warmup to `warmup_target` over `warmup_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None,
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate, decay_steps, alpha)
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, decay_steps, start, dtype):
        cos = 0.5 * (1.0 + tf.cos(tf.constant(math.pi, dtype) * (step / decay_steps)))
        return start * ((1 - self.alpha) * cos + self.alpha)

    def __call__(self, step):
        init = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = init.dtype
        decay_steps = tf.cast(self.decay_steps, dtype)
        s = tf.cast(step, dtype)
        if self.warmup_target is None:
            return self._decay(tf.minimum(s, decay_steps), decay_steps, init, dtype)
        target = tf.cast(self.warmup_target, dtype)
        warmup = tf.cast(self.warmup_steps, dtype)
        s = tf.minimum(s, decay_steps + warmup)
        warm = (target - init) * (s / warmup) + init
        return tf.where(s < warmup, warm, self._decay(s - warmup, decay_steps, target, dtype))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class InverseTimeDecay(LearningRateSchedule):
    """initial / (1 + decay_rate * step / decay_steps), the ratio floored when `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        init = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = init.dtype
        p = tf.cast(step, dtype) / tf.cast(self.decay_steps, dtype)
        if self.staircase:
            p = tf.floor(p)
        return init / (tf.cast(1, dtype) + tf.cast(self.decay_rate, dtype) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


# -- base optimizer ---------------------------------------------------------------------------

def _clip_by_norm(g, clip):
    norm = tf.sqrt(tf.reduce_sum(tf.square(g)))
    return tf.where(norm > clip, g * (clip / tf.maximum(norm, 1e-30)), g)


class Optimizer:
    """Base class: subclasses define `build(var_list)` slots and `update_step(g, var, lr)`."""

    def __init__(self, name, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, **kwargs):
        for k in kwargs:
            if k in ("lr", "decay"):
                raise ValueError(f"{k} is deprecated in the new Keras optimizer, please check "
                                 f"the docstring for valid arguments, or use the legacy "
                                 f"optimizer, e.g., tf.keras.optimizers.legacy.{type(self).__name__}.")
            raise TypeError(f"{k} is not a valid argument, kwargs should be empty  for "
                            f"`optimizer_experimental.Optimizer`.")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}.")
        if use_ema:
            raise NotImplementedError("Optimizer(use_ema=True) is not implemented in tapeflow.")
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.jit_compile = use_ema, False
        self.ema_momentum, self.ema_overwrite_frequency = ema_momentum, ema_overwrite_frequency
        # Keras names it "iteration:0", outside the optimizer's name scope.
        self._iterations = Variable(np.int64(0), trainable=False, name="iteration")
        self._variables = [self._iterations]
        self._built = False
        self._slots_for = {}
        self._exclude_wd = set()
        from tapeflow._src.distribute import strategy as _strategy
        # The strategy whose scope created this optimizer: apply_gradients sums over its workers.
        self._k_strategy = _strategy._stack[-1] if _strategy._stack else None

    def _build_learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule):
            return learning_rate
        if callable(learning_rate) and not isinstance(learning_rate, Variable):
            return learning_rate
        # "learning_rate:0", outside the optimizer's name scope (as Keras names it).
        return Variable(np.float32(float(np.asarray(learning_rate))), trainable=False,
                        name="learning_rate", dtype="float32")

    # -- properties ----------------------------------------------------------------------
    @property
    def iterations(self):
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(value)

    @property
    def learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or isinstance(
                self._learning_rate, LearningRateSchedule):
            self._learning_rate = self._build_learning_rate(value)
        else:
            self._learning_rate.assign(float(np.asarray(value)))

    lr = learning_rate

    def _current_lr(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return tf.cast(lr(self._iterations._read()), "float32")
        if isinstance(lr, Variable):
            return lr._read()
        return tf.cast(lr(), "float32")

    def variables(self):
        return list(self._variables)

    def add_variable_from_reference(self, model_variable, variable_name, shape=None,
                                    initial_value=None):
        """A slot variable shaped like `model_variable`, named '<slot>/<var name>'."""
        if initial_value is None:
            shape = model_variable.shape.as_list() if shape is None else shape
            initial_value = np.zeros(shape, model_variable.dtype.as_numpy_dtype)
        base = model_variable._shared_name if hasattr(model_variable, "_shared_name") else "v"
        with context.name_scope(self.name):
            v = Variable(initial_value, trainable=False, name=f"{variable_name}/{base}",
                         dtype=model_variable.dtype)
        self._variables.append(v)
        pending = self.__dict__.get("_k_pending")
        if pending:
            # Deferred checkpoint restore: slots are filled in creation order.
            value = pending.pop(0)
            if tuple(value.shape) != tuple(v.shape.as_list()):
                raise ValueError(f"Restored optimizer slot for {model_variable.name} has shape "
                                 f"{value.shape}, expected {tuple(v.shape.as_list())}.")
            from tapeflow._src.ops.misc_ops import init_scope
            with init_scope():  # initialisation: not part of a traced step
                v.assign(value)
        return v

    def build(self, var_list):
        self._built = True

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        self._exclude_wd.update(id(v) for v in var_list or [])
        self._exclude_wd_names = list(var_names or [])

    # -- applying gradients ----------------------------------------------------------------
    def compute_gradients(self, loss, var_list, tape=None):
        if tape is None and not callable(loss):
            raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: "
                             f"loss={loss}, tape={tape}.")
        if tape is None:
            tape = tf.GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
        if callable(var_list):
            var_list = var_list()
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def minimize(self, loss, var_list, tape=None):
        """Computes gradients of `loss` (a tensor with `tape`, or a callable) and applies them."""
        grads_and_vars = self.compute_gradients(loss, var_list, tape)
        return self.apply_gradients(grads_and_vars)

    def _clip(self, grads):
        if self.clipnorm is not None:
            return [None if g is None else _clip_by_norm(g, float(self.clipnorm)) for g in grads]
        if self.clipvalue is not None:
            c = float(self.clipvalue)
            return [None if g is None else tf.minimum(tf.maximum(g, -c), c) for g in grads]
        if self.global_clipnorm is not None:
            present = [g for g in grads if g is not None]
            gn = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in present]))
            c = float(self.global_clipnorm)
            scale = c / tf.maximum(gn, c)
            return [None if g is None else g * scale for g in grads]
        return grads

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        **kwargs):
        """Applies (gradient, variable) pairs; pairs with a None gradient are skipped."""
        pairs = tuple(grads_and_vars)
        if not pairs:
            return self._iterations  # nothing to apply: a no-op, as in Keras
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            variable = ([v.name for _, v in pairs],)
            raise ValueError(f"No gradients provided for any variable: {variable}. "
                             f"Provided `grads_and_vars` is {pairs}.")
        if len(kept) < len(pairs):
            missing = [v.name for g, v in pairs if g is None]
            _log.warning("Gradients do not exist for variables %s when minimizing the loss. "
                         "If you're using `model.compile()`, did you forget to provide a "
                         "`loss` argument?", missing)
        grads = [g if isinstance(g, tf.Tensor) else tf.convert_to_tensor(g) for g, _ in kept]
        variables = [v for _, v in kept]
        new = [v for v in variables if id(v) not in self._slots_for]
        if new or not self._built:
            self.build(variables)
            self._built = True
        from tapeflow._src.distribute import keras_support
        dist = keras_support.current_multi_worker(self.__dict__.get("_k_strategy"))
        if dist is not None and not skip_gradients_aggregation and kwargs.get(
                "experimental_aggregate_gradients", True):
            grads = keras_support.aggregate_gradients(dist, grads, variables,
                                                      int(self._iterations.numpy()))
        grads = self._clip(grads)
        saved = context.tapes[:]
        context.tapes[:] = context.tracer_only()
        try:
            lr = self._current_lr()
            for g, v in zip(grads, variables):
                if g.dtype != v.dtype:
                    g = tf.cast(g, v.dtype)
                vlr = lr if lr.dtype == v.dtype else tf.cast(lr, v.dtype)
                if self.weight_decay and id(v) not in self._exclude_wd and not any(
                        n in v.name for n in getattr(self, "_exclude_wd_names", [])):
                    v.assign_sub(v._read() * (vlr * float(self.weight_decay)), read_value=False)
                self.update_step(g, v, vlr)
                if v.constraint is not None:
                    v.assign(v.constraint(v._read()), read_value=False)
            self._iterations.assign_add(np.int64(1), read_value=False)
        finally:
            context.tapes[:] = saved
        return self._iterations

    def update_step(self, gradient, variable, lr):
        raise NotImplementedError

    def _slots(self, var, *names, init=0.0):
        """Creates (once) and returns the slot variables of `var`."""
        slots = self._slots_for.get(id(var))
        if slots is None:
            slots = []
            for n in names:
                value = np.full(var.shape.as_list(), init, var.dtype.as_numpy_dtype) \
                    if init else None
                slots.append(self.add_variable_from_reference(var, n, initial_value=value))
            self._slots_for[id(var)] = slots
        return slots

    def _step(self, dtype):
        return tf.cast(self._iterations._read() + 1, dtype)

    # -- configuration ---------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr_cfg = {"class_name": type(lr).__name__, "config": lr.get_config()}
        elif isinstance(lr, Variable):
            lr_cfg = lr.numpy()
        else:
            lr_cfg = lr
        return {"name": self.name, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "jit_compile": False, "is_legacy_optimizer": False, "learning_rate": lr_cfg}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("is_legacy_optimizer", None)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = _SCHEDULES[lr["class_name"]].from_config(lr["config"])
        return cls(**config)

    def get_weights(self):
        return [np.array(v.numpy()) for v in self._variables]

    def set_weights(self, weights):
        if len(weights) != len(self._variables):
            raise ValueError(f"Optimizer variables {len(self._variables)} does not match "
                             f"received weights {len(weights)}.")
        for v, w in zip(self._variables, weights):
            v.assign(w)


_SCHEDULES = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay,
                                      InverseTimeDecay)}


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, name="SGD",
                 **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        if isinstance(momentum, (int, float)) and not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def build(self, var_list):
        # As in Keras, every variable gets a momentum slot "m", even with momentum 0 (it
        # then holds the last update): optimizer.variables() and checkpoints list it, and
        # a traced first step creates it (so tf.function traces that step twice, as TF).
        for v in var_list:
            self._slots(v, "m")
        self._built = True

    def update_step(self, g, var, lr):
        m, = self._slots(var, "m")
        if self.momentum:
            m.assign(-g * lr + m._read() * float(self.momentum), read_value=False)
            if self.nesterov:
                var.assign_add(-g * lr + m._read() * float(self.momentum), read_value=False)
            else:
                var.assign_add(m._read(), read_value=False)
        else:
            # Keras computes m = -g * lr + m * 0 and var += m: the same bits as this for a
            # finite m (a + (-b) is a - b exactly).
            m.assign(-g * lr, read_value=False)
            var.assign_add(m._read(), read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return c


class Adam(Optimizer):
    """Adam: bias-corrected running means of the gradient and its square."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adam", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, var_list):
        names = ("m", "v", "vhat") if self.amsgrad else ("m", "v")
        for v in var_list:
            self._slots(v, *names)
        self._built = True

    def update_step(self, g, var, lr):
        slots = self._slots(var, "m", "v", "vhat") if self.amsgrad else self._slots(var, "m", "v")
        m, v = slots[0], slots[1]
        b1, b2 = float(self.beta_1), float(self.beta_2)
        key = (int(self._iterations._value), var.dtype, id(lr))
        cached = self.__dict__.get("_alpha_cache")
        if cached is not None and cached[0] == key:
            alpha = cached[1]
        else:
            step = self._step(var.dtype)
            b1p = tf.pow(tf.cast(b1, var.dtype), step)
            b2p = tf.pow(tf.cast(b2, var.dtype), step)
            alpha = lr * tf.sqrt(1.0 - b2p) / (1.0 - b1p)
            self._alpha_cache = (key, alpha, lr)
        m.assign_add((g - m._read()) * (1.0 - b1), read_value=False)
        v.assign_add((tf.square(g) - v._read()) * (1.0 - b2), read_value=False)
        vv = v._read()
        if self.amsgrad:
            slots[2].assign(tf.maximum(slots[2]._read(), vv), read_value=False)
            vv = slots[2]._read()
        var.assign_sub((m._read() * alpha) / (tf.sqrt(vv) + float(self.epsilon)),
                       read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                  "amsgrad": self.amsgrad})
        return c


class AdamW(Adam):
    """Adam with decoupled weight decay (var -= lr * weight_decay * var before the step)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="AdamW", **kwargs):
        if weight_decay is None:
            raise ValueError("Missing value of `weight_decay` which is required and must be "
                             "a float value.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, jit_compile, name, **kwargs)


class RMSprop(Optimizer):
    """Divides the gradient by a running RMS of recent gradients."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=100, jit_compile=True, name="RMSprop", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _names(self):
        return ("velocity", "momentum", "average_gradient")

    def build(self, var_list):
        for v in var_list:
            self._slots(v, *self._names())
        self._built = True

    def update_step(self, g, var, lr):
        vel, mom, avg = self._slots(var, *self._names())
        rho = float(self.rho)
        vel.assign(rho * vel._read() + (1.0 - rho) * tf.square(g), read_value=False)
        if self.centered:
            avg.assign(rho * avg._read() + (1.0 - rho) * g, read_value=False)
            denom = vel._read() - tf.square(avg._read()) + float(self.epsilon)
        else:
            denom = vel._read() + float(self.epsilon)
        inc = g * lr * tf.math.rsqrt(denom)
        if self.momentum > 0:
            mom.assign(float(self.momentum) * mom._read() + inc, read_value=False)
            var.assign_add(-mom._read(), read_value=False)
        else:
            var.assign_add(-inc, read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                  "centered": self.centered})
        return c


class Adagrad(Optimizer):
    """Per-coordinate rates scaled by the running sum of squared gradients."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Adagrad", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build(self, var_list):
        for v in var_list:
            self._slots(v, "accumulator", init=float(self.initial_accumulator_value))
        self._built = True

    def update_step(self, g, var, lr):
        acc, = self._slots(var, "accumulator", init=float(self.initial_accumulator_value))
        acc.assign_add(g * g, read_value=False)
        var.assign_sub(lr * g / tf.sqrt(acc._read() + float(self.epsilon)), read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"initial_accumulator_value": self.initial_accumulator_value,
                  "epsilon": self.epsilon})
        return c


class Adadelta(Optimizer):
    """Adadelta: steps scaled by running RMS of past updates over running RMS of gradients."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-07, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True,
                 name="Adadelta", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho, self.epsilon = rho, epsilon

    def build(self, var_list):
        for v in var_list:
            self._slots(v, "accumulated_grad", "accumulated_delta_var")
        self._built = True

    def update_step(self, g, var, lr):
        ag, adv = self._slots(var, "accumulated_grad", "accumulated_delta_var")
        rho, eps = float(self.rho), float(self.epsilon)
        ag.assign(rho * ag._read() + (1.0 - rho) * g * g, read_value=False)
        delta = -tf.sqrt(adv._read() + eps) * g / tf.sqrt(ag._read() + eps)
        adv.assign(rho * adv._read() + (1.0 - rho) * delta * delta, read_value=False)
        var.assign_add(lr * delta, read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"rho": self.rho, "epsilon": self.epsilon})
        return c


class Adamax(Optimizer):
    """Adam with the infinity norm in place of the second moment."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Adamax", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        for v in var_list:
            self._slots(v, "m", "u")
        self._built = True

    def update_step(self, g, var, lr):
        m, u = self._slots(var, "m", "u")
        b1p = tf.pow(tf.cast(float(self.beta_1), var.dtype), self._step(var.dtype))
        m.assign_add((g - m._read()) * (1.0 - float(self.beta_1)), read_value=False)
        u.assign(tf.maximum(float(self.beta_2) * u._read(), tf.abs(g)), read_value=False)
        var.assign_sub((lr * m._read()) / ((1.0 - b1p) * (u._read() + float(self.epsilon))),
                       read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return c


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat's schedule with decay 0.96)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Nadam", **kwargs):
        super().__init__(name, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
                         ema_momentum, ema_overwrite_frequency, jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = Variable(np.float32(1.0), trainable=False, name="u_product")
        self._u_product_step = -1

    def build(self, var_list):
        for v in var_list:
            self._slots(v, "m", "v")
        self._built = True

    def update_step(self, g, var, lr):
        m, v = self._slots(var, "m", "v")
        dt = var.dtype
        it = int(self._iterations.numpy())
        local = tf.cast(it + 1, dt)
        nxt = tf.cast(it + 2, dt)
        b1, b2 = float(self.beta_1), float(self.beta_2)
        u_t = b1 * (1.0 - 0.5 * tf.pow(tf.cast(0.96, dt), local))
        u_t1 = b1 * (1.0 - 0.5 * tf.pow(tf.cast(0.96, dt), nxt))
        if self._u_product_step != it:
            self._u_product.assign(self._u_product._read() * tf.cast(u_t, "float32"))
            self._u_product_step = it
        up_t = tf.cast(self._u_product._read(), dt)
        up_t1 = up_t * u_t1
        b2p = tf.pow(tf.cast(b2, dt), local)
        m.assign_add((g - m._read()) * (1.0 - b1), read_value=False)
        v.assign_add((tf.square(g) - v._read()) * (1.0 - b2), read_value=False)
        m_hat = u_t1 * m._read() / (1.0 - up_t1) + (1.0 - u_t) * g / (1.0 - up_t)
        v_hat = v._read() / (1.0 - b2p)
        var.assign_sub((m_hat * lr) / (tf.sqrt(v_hat) + float(self.epsilon)), read_value=False)

    def get_config(self):
        c = super().get_config()
        c.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return c


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam}


def get(identifier):
    """An optimizer from a name ('adam'), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name}")
    return cls.from_config(config["config"])

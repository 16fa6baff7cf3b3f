"""tf.keras.callbacks: History, the progress bar and the usual training callbacks."""

from __future__ import annotations

import csv
import logging
import math
import os
import sys
import time

import numpy as np

from tapeflow._src.framework.tensor import Tensor

_log = logging.getLogger("tapeflow.keras")  # prints 'WARNING:tensorflow:...' (misc_ops)


class Progbar:
    """Keras's text progress bar ('12/100 [==>....] - ETA: 3s - loss: 0.5').

    As in tf_keras on POSIX systems, the bar redraws itself in place (carriage return).
    `ProgbarLogger` (fit, evaluate and predict with verbose=1) switches it to one-line mode
    when standard output is not a terminal: nothing is drawn until the bar is finalized,
    which then prints its final state as one plain line, so logs and CI output stay
    readable. tf_keras would write a carriage-return redraw stream there instead.

    >>> bar = Progbar(target=3, verbose=2)  # verbose=2 prints only when the bar completes
    >>> bar.update(1, [("loss", 0.5)])
    >>> bar.target, bar._seen_so_far
    (3, 1)
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = (getattr(sys.stdout, "isatty", lambda: False)()
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end = None
        self._time_after_first_step = None
        self._one_line = False

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        values = values or []
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics:
                value_base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * value_base, value_base]
                else:
                    self._values[k][0] += v * value_base
                    self._values[k][1] += value_base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        message = ""
        now = time.time()
        info = f" - {now - self._start:.0f}s"
        if current == self.target:
            self._time_at_epoch_end = now
        if self.verbose == 1:
            if self._one_line and not finalize:
                if current == 1:  # keep the first-step time, as the live bar does
                    self._time_after_first_step = now
                self._last_update = now
                return
            if now - self._last_update < self.interval and not finalize:
                return
            prev_total_width = self._total_width
            if self._one_line:
                prev_total_width = 0  # nothing drawn yet: no erasing, no padding
            elif self._dynamic_display:
                message += "\b" * prev_total_width + "\r"
            else:
                message += "\n"
            if self.target is not None:
                numdigits = int(math.log10(self.target)) + 1
                bar = ("%" + str(numdigits) + "d/%d [") % (current, self.target)
                prog = float(current) / self.target
                prog_width = int(self.width * prog)
                if prog_width > 0:
                    bar += "=" * (prog_width - 1)
                    bar += ">" if current < self.target else "="
                bar += "." * (self.width - prog_width)
                bar += "]"
            else:
                bar = "%7d/Unknown" % current
            self._total_width = len(bar)
            message += bar
            time_per_unit = self._estimate_step_duration(current, now)
            if self.target is None or finalize:
                info += self._format_time(time_per_unit, self.unit_name)
            else:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_format = "%ds" % eta
                info = " - ETA: %s" % eta_format
            info += self._values_text()
            self._total_width += len(info)
            if prev_total_width > self._total_width:
                info += " " * (prev_total_width - self._total_width)
            if finalize:
                info += "\n"
            message += info
            sys.stdout.write(message)
            sys.stdout.flush()
        elif self.verbose == 2:
            if finalize:
                numdigits = int(math.log10(self.target)) + 1
                count = ("%" + str(numdigits) + "d/%d") % (current, self.target)
                info = count + info + self._values_text()
                if self._time_at_epoch_end:
                    time_per_epoch = self._time_at_epoch_end - self._time_at_epoch_start
                    avg = time_per_epoch / self.target
                    self._time_at_epoch_start = now
                    self._time_at_epoch_end = None
                    info += " -" + self._format_time(time_per_epoch, "epoch")
                    info += " -" + self._format_time(avg, self.unit_name)
                    info += "\n"
                sys.stdout.write(info)
                sys.stdout.flush()
        self._last_update = now

    def _values_text(self):
        info = ""
        for k in self._values_order:
            info += " - %s:" % k
            total, count = self._values[k]
            avg = float(np.mean(total / max(1, count)))
            info += (" %.4f" % avg) if abs(avg) > 1e-3 else (" %.4e" % avg)
        return info

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _format_time(t, unit_name):
        if t >= 1 or t == 0:
            return " %.0fs/%s" % (t, unit_name)
        if t >= 1e-3:
            return " %.0fms/%s" % (t * 1e3, unit_name)
        return " %.0fus/%s" % (t * 1e6, unit_name)

    def _estimate_step_duration(self, current, now):
        if current:
            if self._time_after_first_step is not None and current > 1:
                per_step = (now - self._time_after_first_step) / (current - 1)
            else:
                per_step = (now - self._start) / current
            if current == 1:  # later estimates leave out the (slower) first step
                self._time_after_first_step = now
            return per_step
        return 0

    def _update_stateful_metrics(self, stateful_metrics):
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)


def _stdout_is_tty():
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Callback:
    """Base class: override the on_* hooks; `self.model` is set by fit/evaluate/predict."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    # on_batch_begin/end are Keras's older names: a callback that overrides them is
    # called for every training batch, since the new hooks call them by default.
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass



class CallbackList:
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks = list(callbacks or [])
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history:
            self.callbacks.append(History())
        self.model = model
        self.params = params
        for c in self.callbacks:
            if model is not None:
                c.set_model(model)
            c.set_params(params)

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook, *args):
        # As Keras does, every hook gets its logs positionally (a dict, {} when there are
        # none), so callbacks written `def on_train_begin(self, logs):` work.
        n = 2 if ("epoch" in hook or "batch" in hook) else 1
        if len(args) < n or args[-1] is None:
            args = args[:n - 1] + ({},)
        elif self._python_logs and type(args[-1]) is dict:
            args = args[:-1] + (_python_logs(args[-1]),)
        for c in self.callbacks:
            getattr(c, hook)(*args)

    @property
    def _python_logs(self):
        # Keras hands callbacks Python numbers, not tensors, unless every callback in the
        # list declares it takes tensors (the built-in ones do: no conversion per batch).
        flag = self.__dict__.get("_k_python_logs")
        if flag is None:
            flag = self.__dict__["_k_python_logs"] = any(
                not getattr(c, "_supports_tf_logs", False) for c in self.callbacks)
        return flag

    def __getattr__(self, hook):
        if hook.startswith("on_"):
            return lambda *args: self._call(hook, *args)
        raise AttributeError(hook)


def _python_logs(logs):
    """Logs with tensor values as Python numbers (scalars) or NumPy arrays."""
    out = {}
    for k, v in logs.items():
        if isinstance(v, Tensor):
            v = v.numpy()
            if np.ndim(v) == 0:
                v = v.item()
        out[k] = v
    return out


class History(Callback):
    """Records each epoch's logs in `history` (a dict of lists); fit returns it."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and the progress bar during fit, evaluate and predict."""

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self.progbar = None
        self.verbose = 1
        self.epochs = 1

    def set_params(self, params):
        self.params = params
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _reset(self):
        self.seen = 0
        self.progbar = None

    def _check_terminal(self):
        """At the start of fit/evaluate/predict: one line per bar unless stdout is a TTY."""
        self._one_line = self.verbose == 1 and not _stdout_is_tty()

    def _make(self):
        self.progbar = Progbar(target=self.target, verbose=self.verbose,
                               stateful_metrics=None, unit_name="step")
        self.progbar._update_stateful_metrics(["__all__"])
        self.progbar._one_line = getattr(self, "_one_line", False)

    def _values(self, logs):
        # A metric with a vector result (F1Score per class, counts at several thresholds)
        # shows its mean, as Keras's bar does.
        return [(k, float(np.mean(v))) for k, v in (logs or {}).items()]

    def on_train_begin(self, logs=None):
        self._train = True
        self._check_terminal()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()
        self._make()  # as tf_keras: the bar's clock starts with the epoch

    def _batch_end(self, batch, logs):
        if self.progbar is None:
            self._make()
        self.seen = batch + 1
        self.progbar.stateful_metrics = set((logs or {}).keys())
        if self.verbose == 1:
            bar = self.progbar
            if bar._one_line:
                bar.update(self.seen, None, finalize=False)  # draws nothing mid-epoch
            elif time.time() - bar._last_update < bar.interval:
                # Within the redraw interval nothing would be drawn, and every logged value
                # is stateful (the next drawing shows the then-current values): skip
                # reading the metrics and only advance the count.
                bar._seen_so_far = self.seen
            else:
                bar.update(self.seen, self._values(logs), finalize=False)

    def on_train_batch_end(self, batch, logs=None):
        self._batch_end(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not getattr(self, "_in_fit_validation", False):
            self._batch_end(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_end(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_begin(self, logs=None):
        if self.model is not None and getattr(self.model, "_k_in_fit", False):
            self._in_fit_validation = True
        else:
            self._in_fit_validation = False
            self._check_terminal()
            self._reset()
            self._make()

    def on_test_end(self, logs=None):
        if not self._in_fit_validation:
            self._finalize(logs)
        self._in_fit_validation = False

    def on_predict_begin(self, logs=None):
        self._check_terminal()
        self._reset()
        self._make()

    def on_predict_end(self, logs=None):
        self._finalize(None)

    def _finalize(self, logs):
        if self.progbar is None:
            self._make()
        if self.target is None:
            self.target = self.seen
        if self.progbar.target is None:
            self.progbar.target = self.target
        self.progbar.stateful_metrics = set((logs or {}).keys())
        self.progbar.update(self.target if self.target else self.seen, self._values(logs),
                            finalize=True)


class EarlyStopping(Callback):
    """Stops training when `monitor` stops improving for `patience` epochs."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.min_delta = abs(min_delta)
        if mode not in ("auto", "min", "max"):
            _log.warning("EarlyStopping mode %s is unknown, fallback to auto mode.", mode)
            mode = "auto"
        if mode == "max" or (mode == "auto" and monitor.endswith(("acc", "accuracy", "auc"))):
            self.monitor_op = np.greater
        else:
            self.monitor_op = np.less
            self.min_delta *= -1
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op == np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            _log.warning("Early stopping conditioned on metric `%s` which is not available. "
                         "Available metrics are: %s", self.monitor, ",".join(logs))
        return value

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # No improvement ever: the first monitored epoch's weights are restored.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.monitor_op(current - self.min_delta,
                                                        self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        # As tf_keras: the best weights come back at the end of training, stopped early or
        # not, after the "early stopping" line.
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Saves the model's weights after each epoch, every `save_freq` batches, or only when
    `monitor` improves.

    With `save_weights_only=False` a Sequential or functional model is saved whole
    (`model.save`, for `tf.keras.models.load_model`); a subclassed model's file holds its
    weights (restore them with `model.load_weights`), and a warning says so once.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", options=None,
                 initial_value_threshold=None):
        super().__init__()
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             '"epoch" or integer')
        self.save_freq = save_freq
        if mode not in ("auto", "min", "max"):
            _log.warning("ModelCheckpoint mode %s is unknown, fallback to auto mode.", mode)
            mode = "auto"
        if mode == "max" or (mode == "auto" and ("acc" in monitor
                                                 or monitor.startswith("fmeasure"))):
            self.monitor_op, self.best = np.greater, -np.inf
        else:
            self.monitor_op, self.best = np.less, np.inf
        if initial_value_threshold is not None:
            self.best = initial_value_threshold
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._warned_weights_only = False

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # Batches are counted across epochs (a batch index at or below the last one seen
        # starts a new epoch).
        add = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        if batch is None or "batch" not in self.filepath:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        else:
            path = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                _log.warning("Can save best model only with %s available, skipping.",
                             self.monitor)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        from tapeflow._src.keras.training import Functional
        if not self.save_weights_only:
            if isinstance(self.model, Functional):
                self.model.save(path, overwrite=True)
                return
            if not self._warned_weights_only:
                self._warned_weights_only = True
                _log.warning("ModelCheckpoint: tapeflow saves whole subclassed models' "
                             "weights only; %s holds the model's weights, restore them with "
                             "model.load_weights.", path)
        self.model.save_weights(path)


class LearningRateScheduler(Callback):
    """Sets the learning rate to `schedule(epoch, lr)` at the start of each epoch."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        lr = float(np.asarray(opt.learning_rate.numpy()))
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(np.asarray(new))
        opt.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(np.asarray(self.model.optimizer.learning_rate.numpy()))


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` plateaus for `patience` epochs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Got "
                             f"{factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.mode = "max" if mode == "max" or (mode == "auto" and "acc" in monitor) else "min"
        self._reset()

    def _reset(self):
        self.best = np.inf if self.mode == "min" else -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _better(self, a, b):
        return a < b - self.min_delta if self.mode == "min" else a > b + self.min_delta

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        opt = self.model.optimizer
        logs["lr"] = float(np.asarray(opt.learning_rate.numpy()))
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = logs["lr"]
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    opt.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None:
            loss = float(loss)
            if math.isnan(loss) or math.isinf(loss):
                print(f"Batch {batch}: Invalid loss, terminating training")
                self.model.stop_training = True


class CSVLogger(Callback):
    """Writes each epoch's logs as a row of a CSV file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys = None
        self._file = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename)
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._append_header = not exists
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            self.writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self._append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update({k: logs.get(k, "NA") for k in self.keys})
        self.writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


class LambdaCallback(Callback):
    """A callback built from functions: LambdaCallback(on_epoch_end=lambda e, logs: ...)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        hooks = dict(kwargs)
        hooks.update({"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                      "on_train_batch_begin": on_batch_begin,
                      "on_train_batch_end": on_batch_end,
                      "on_train_begin": on_train_begin, "on_train_end": on_train_end})
        for k, fn in hooks.items():
            if fn is not None:
                setattr(self, k, fn)


class TrainingPlot(Callback):
    """Saves a PNG of the training curves (one line per logged metric) after each epoch.

    Needs matplotlib: `pip install tapeflow[plot]`.
    """

    def __init__(self, filename="training.png", metrics=None):
        super().__init__()
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ImportError("TrainingPlot needs matplotlib, which is not installed. Install "
                              "it with `pip install tapeflow[plot]`.") from None
        self.filename, self.metrics = os.fspath(filename), metrics
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        # matplotlib's object API with the Agg canvas: no pyplot, so the user's backend and
        # open figures are left alone.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        keys = self.metrics or sorted(self.history)
        fig = Figure(figsize=(6, 4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for k in keys:
            if k in self.history:
                ax.plot(range(1, len(self.history[k]) + 1), self.history[k], marker="o",
                        label=k)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        # Written to a temporary file and renamed, so a reader never sees half a PNG.
        tmp = self.filename + ".tmp.png"
        fig.savefig(tmp)
        os.replace(tmp, self.filename)


class BackupAndRestore(Callback):
    """Backs training state up after each epoch so that an interrupted `fit` can resume.

    The backup holds the model's weights, the optimizer's state and the last finished
    epoch. When `fit` starts and a backup exists in `backup_dir`, it is restored and training
    continues with the next epoch. Under a multi-worker strategy only rank 0 writes the
    backup (atomically: a temporary file renamed into place) and every worker restores it.

    Args:
      backup_dir: directory for the backup (shared by all workers).
      save_freq: only "epoch" is supported.
      delete_checkpoint: remove the backup when training finishes.
      save_before_preemption: not supported (must be False).

    >>> cb = tf.keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    """

    _k_all_workers = True  # restores on every worker, not only rank 0

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True,
                 save_before_preemption=False):
        super().__init__()
        if save_freq != "epoch":
            raise NotImplementedError("BackupAndRestore(save_freq=<int>) is not implemented in "
                                      "tapeflow; use save_freq='epoch'.")
        if save_before_preemption:
            raise NotImplementedError("BackupAndRestore(save_before_preemption=True) is not "
                                      "implemented in tapeflow.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._completed = False

    def _path(self):
        return os.path.join(self.backup_dir, "chief", "backup.npz")

    def _is_chief(self):
        s = self.model.distribute_strategy
        return s.extended.should_checkpoint

    def _state(self):
        opt = self.model.optimizer
        opt_vars = opt.variables() if opt is not None else []
        return list(self.model.weights), list(opt_vars)

    def on_train_begin(self, logs=None):
        self._completed = False
        path = self._path()
        if not os.path.exists(path):
            return
        from tapeflow._src.keras import saving
        index, arrays = saving._read_npz(path)
        if not self.model.built:
            raise ValueError("BackupAndRestore needs a built model to restore a backup: build "
                             "it (e.g. give the first layer an input shape) before fit.")
        kinds = [e["kind"] for e in index]
        model_arrays = [a for k, a in zip(kinds, arrays) if k == "model"]
        opt_arrays = [a for k, a in zip(kinds, arrays) if k == "optimizer"]
        epoch = int(arrays[kinds.index("epoch")])
        opt = self.model.optimizer
        if opt is not None and opt_arrays and not opt._built:
            opt.build(self.model.trainable_variables)
            opt._built = True
        weights, opt_vars = self._state()
        if len(weights) != len(model_arrays) or len(opt_vars) != len(opt_arrays):
            raise ValueError(f"The backup in {path!r} holds {len(model_arrays)} weights and "
                             f"{len(opt_arrays)} optimizer variables; the model has "
                             f"{len(weights)} and {len(opt_vars)}.")
        for v, a in zip(weights + opt_vars, model_arrays + opt_arrays):
            if tuple(v.shape.as_list()) != tuple(a.shape):
                raise ValueError(f"Backup value for {v.name} has shape {a.shape}, expected "
                                 f"{tuple(v.shape.as_list())}.")
            v.assign(a)
        self.model._k_resume_epoch = epoch + 1

    def on_epoch_end(self, epoch, logs=None):
        if not self._is_chief():
            return
        from tapeflow._src.keras import saving
        weights, opt_vars = self._state()
        index, arrays = [], []
        for kind, vs in (("model", weights), ("optimizer", opt_vars)):
            for v in vs:
                index.append({"kind": kind, "name": v.name})
                arrays.append(np.asarray(v.numpy()))
        index.append({"kind": "epoch", "name": "epoch"})
        arrays.append(np.array(epoch, np.int64))
        saving._write_npz(self._path(), index, arrays)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and self._is_chief() and os.path.exists(self._path()):
            os.remove(self._path())


# The built-in callbacks take tensors in their logs (see CallbackList._python_logs);
# LambdaCallback's functions are the user's, so they get Python numbers as in Keras.
for _cls in (History, ProgbarLogger, EarlyStopping, ModelCheckpoint, LearningRateScheduler,
             ReduceLROnPlateau, TerminateOnNaN, CSVLogger, TrainingPlot, BackupAndRestore):
    _cls._supports_tf_logs = True

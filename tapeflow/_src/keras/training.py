"""tf.keras.Model and Sequential: functional graphs, compile, fit, evaluate and predict."""

from __future__ import annotations

import threading

import numpy as np

import tapeflow as tf
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.distribute import keras_support as dist_support
from tapeflow._src.distribute import strategy as strategy_mod
from tapeflow._src.keras import callbacks as cbks
from tapeflow._src.keras import metrics as metrics_mod
from tapeflow._src.keras import optimizers as optimizers_mod
from tapeflow._src.keras.engine import (
    InputLayer, KerasTensor, Layer, _flatten, _map, _training_stack,
)
from tapeflow._src.keras.compile_utils import _CompiledLoss, _CompiledMetrics
from tapeflow._src.keras.data_adapter import (
    _DataHandler, _is_iterable_data, _num_samples, _take, _to_array, _to_tensor,
    unpack_x_y_sample_weight,
)


# `flag` is True while this thread's fit/evaluate/predict trace their step function.
_keras_step = threading.local()


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------

class Model(Layer):
    """A layer with training: `Model(inputs, outputs)` (functional) or a subclass with `call`.

    >>> inputs = tf.keras.Input(shape=(3,))
    >>> model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(inputs))
    >>> model(tf.ones([1, 3])).shape
    TensorShape([1, 2])
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs):
            return super().__new__(Functional)
        if (not issubclass(cls, Functional) and "call" not in _defined_in_subclasses(cls)
                and (len(args) >= 2 or ("inputs" in kwargs and "outputs" in kwargs)
                     or (len(args) == 1 and "outputs" in kwargs))):
            # A subclass (overriding train_step, say) built with the functional API, as
            # Keras's guides do: `CustomModel(inputs, outputs)`. Keras swaps Functional
            # into its bases; here the instance gets a subclass of both, of the same name.
            return super().__new__(_functional_variant(cls))
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        super().__init__(name=name, trainable=trainable,
                         **{k: v for k, v in kwargs.items() if k in ("dtype",)})
        self._k_compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._k_loss = None
        self._k_metrics_obj = None
        self._k_in_fit = False
        self._k_tracked_metrics = []
        self._k_strategy = strategy_mod._stack[-1] if strategy_mod._stack else None
        self._k_run_eagerly = None
        self._k_reset_step_functions()

    # A subclassed model has no symbolic inputs/outputs (None, as in Keras); functional
    # models override these.
    inputs = None
    outputs = None

    @property
    def weights(self):
        """Each layer's weights in layer order (as Keras 2 models), then the model's own."""
        own, layers = self._k_gather()
        out = []
        for layer in layers:
            out.extend(layer.weights if isinstance(layer, Layer) else layer.variables)
        out.extend(v for v in own if v.trainable)
        out.extend(v for v in own if not v.trainable)
        from tapeflow._src.framework.module import Module
        return Module._dedup(out)

    @property
    def variables(self):
        return self.weights

    def __setattr__(self, name, value):
        if name in ("optimizer", "history"):
            object.__setattr__(self, name, value)
            return
        if isinstance(value, metrics_mod.Metric) and "_k_tracked_metrics" in self.__dict__:
            self._k_tracked_metrics.append(value)
        super().__setattr__(name, value)

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at `index` in `model.layers` (not both)."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        return super().__call__(*args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError("Unimplemented `tf.keras.Model.call()`: if you intend to "
                                  "create a `Model` with the Functional API, please provide "
                                  "`inputs` and `outputs` arguments. Otherwise, subclass "
                                  "`Model` with an overridden `call()` method.")

    def build(self, input_shape):
        if self.built:
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling `build()` on a "
                             "`Model` subclass.")
        if type(self).build is Model.build and type(self).call is not Model.call:
            shapes = input_shape
            if isinstance(shapes, (list, tuple)) and shapes and isinstance(
                    shapes[0], (list, tuple, TensorShape)):
                x = [tf.zeros([1 if d is None else d for d in TensorShape(s).as_list()])
                     for s in shapes]
            else:
                x = tf.zeros([1 if d is None else d for d in TensorShape(shapes).as_list()])
            saved = context.tapes[:]
            context.tapes[:] = context.tracer_only()
            try:
                # An explicit build() names weights without the model's scope (as Keras's
                # symbolic build); a first __call__ has already entered the model's scope.
                with context.name_scope(""):
                    self.call(x, **({"training": False} if "training" in
                                    self.call.__code__.co_varnames else {}))
            finally:
                context.tapes[:] = saved
        self._k_build_input_shape = input_shape
        self.built = True

    def _k_maybe_build(self, inputs):
        if type(self).build is Model.build:
            # A subclassed model's weights appear during its first call, which follows.
            self._k_build_input_shape = _map(lambda t: TensorShape(getattr(t, "shape", None)),
                                             inputs)
            self.built = True
            return
        super()._k_maybe_build(inputs)

    # -- compile ---------------------------------------------------------------------------
    @property
    def _output_names(self):
        return ["output_1"]

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None,
                jit_compile=None, pss_evaluation_shards=0, **kwargs):
        """Sets the optimizer, loss(es) and metrics used by fit and evaluate."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: "
                            f"{tuple(kwargs)}. Valid keyword arguments include \"cloning\", "
                            f"\"experimental_run_tf_function\", \"distribute\", "
                            f"\"target_tensors\", or \"sample_weight_mode\".")
        # What compile was given, for Model.save's compile config.
        self._k_compile_args = {"optimizer": optimizer, "loss": loss, "metrics": metrics,
                                "loss_weights": loss_weights,
                                "weighted_metrics": weighted_metrics,
                                "run_eagerly": run_eagerly}
        self.optimizer = optimizers_mod.get(optimizer)
        names = self._output_names
        self._k_loss = _CompiledLoss(loss, loss_weights, names)
        self.compiled_loss = self._k_loss
        self._k_metrics_obj = _CompiledMetrics(metrics, weighted_metrics, names, self._k_loss)
        self.compiled_metrics = self._k_metrics_obj
        self.loss = loss
        self._k_compiled = True
        self.stop_training = False
        # As in Keras: fit, evaluate and predict run train_step, test_step and predict_step
        # as tf.functions unless run_eagerly=True (or tf.config.run_functions_eagerly(True)).
        self._k_run_eagerly = run_eagerly
        # jit_compile=True: the traced steps fuse elementwise chains with numba, as
        # tf.function(jit_compile=True) does (tapeflow's stand-in for XLA).
        self._k_jit_compile = jit_compile
        self._k_reset_step_functions()

    @property
    def run_eagerly(self):
        """Whether fit, evaluate and predict run their steps eagerly instead of traced.

        `compile(run_eagerly=None)` (the default) follows
        `tf.config.functions_run_eagerly()`; True or False decides for this model.
        """
        value = self.__dict__.get("_k_run_eagerly")
        if value is None:
            from tapeflow._src.function import polymorphic
            return polymorphic.functions_run_eagerly()
        return bool(value)

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._k_run_eagerly = value

    @property
    def jit_compile(self):
        """Whether the traced train, test and predict steps are compiled with fused
        kernels (`tf.function(jit_compile=True)`); None until `compile` sets it."""
        return self.__dict__.get("_k_jit_compile")

    @jit_compile.setter
    def jit_compile(self, value):
        self._k_jit_compile = value
        self._k_reset_step_functions()

    def _k_reset_step_functions(self):
        # The traced steps; compile() drops them (new loss, metrics and optimizer).
        self._k_train_fn = self._k_test_fn = self._k_predict_fn = None

    # The traced steps wrap a closure per model (as Keras' make_*_function do), so each
    # model's function has its own retracing detector: one that counts the traces of every
    # model's Model.test_step together would warn when many small models are evaluated.
    # The closure first drops the layers' call-time (activity) losses: a first trace that
    # created variables is traced again within the same call, and would otherwise add the
    # first trace's loss tensors (out of scope there) to its own.
    def _k_step_function(self, attr, step, reduce_retracing):
        """`step`, traced and cached in `attr` unless the model runs eagerly."""
        if self.run_eagerly:
            return step
        fn = getattr(self, attr, None)
        if fn is None:
            def step_function(data):
                self._clear_losses()  # a retrace must not see the last trace's losses
                # Keras traces its steps for batches of any size: a Sequential whose shape
                # is inferred from data sees an unknown batch size here.
                saved = getattr(_keras_step, "flag", False)
                _keras_step.flag = True
                try:
                    return step(data)
                finally:
                    _keras_step.flag = saved
            step_function.__name__ = step.__name__.replace("_step", "_function")
            fn = tf.function(step_function, reduce_retracing=reduce_retracing,
                             jit_compile=bool(self.jit_compile))
            setattr(self, attr, fn)
        return fn

    def _k_train_function(self):
        """train_step, traced (a tf.function) unless the model runs eagerly."""
        return self._k_step_function("_k_train_fn", self.train_step, False)

    def _k_test_function(self):
        """test_step, traced unless the model runs eagerly (as Keras' make_test_function).

        Shapes are relaxed after a change (Keras' reduce_retracing=True), so the last,
        smaller batch adds one trace whose program then serves any batch size.
        """
        return self._k_step_function("_k_test_fn", self.test_step, True)

    def _k_predict_function(self):
        """predict_step, traced unless the model runs eagerly (make_predict_function)."""
        return self._k_step_function("_k_predict_fn", self.predict_step, True)

    def _assert_compiled(self):
        if not self._k_compiled:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    @property
    def metrics(self):
        out = []
        if self._k_compiled:
            out.extend(self._k_loss.metrics)
            out.extend(self._k_metrics_obj.metrics)
        out.extend(self._k_tracked_metrics)
        for layer in self._flatten_sublayers():
            if isinstance(layer, Model):
                out.extend(layer._k_tracked_metrics)
        return out

    def _flatten_sublayers(self):
        out = []
        for layer in self.layers:
            out.append(layer)
            out.extend(layer._flatten_sublayers() if isinstance(layer, Model) else [])
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    @property
    def distribute_strategy(self):
        return self.__dict__.get("_k_strategy") or strategy_mod.get_strategy()

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- steps -----------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        return self._k_loss(y, y_pred, sample_weight, self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        self._k_metrics_obj.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        """One optimizer step on a batch; override to customise fit."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self._k_train_vars if self._k_in_fit else self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _clear_step_losses(self):
        self._clear_losses()

    # -- fit -------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False):
        """Trains for `epochs` epochs and returns a `History`."""
        self._assert_compiled()
        if verbose == "auto":
            verbose = 1
        if validation_split and validation_data is None:
            if _is_iterable_data(x):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 "arrays, found following types in the input: "
                                 f"{[type(x)]}")
            xa, ya, swa = _to_array(x), _to_array(y), _to_array(sample_weight)
            n = _num_samples(xa)
            split = int(n * (1.0 - validation_split))
            x, y = _take(xa, slice(0, split)), _take(ya, slice(0, split))
            sample_weight = _take(swa, slice(0, split))
            validation_data = (_take(xa, slice(split, None)), _take(ya, slice(split, None))) + (
                (_take(swa, slice(split, None)),) if swa is not None else ())
        handler = _DataHandler(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                               class_weight, epochs, initial_epoch)
        dist = dist_support.current_multi_worker(self.__dict__.get("_k_strategy"))
        if dist is not None:
            # Progress bar and callbacks on rank 0 only; every worker shuffles alike.
            verbose, callbacks = dist_support.fit_callbacks(dist, verbose, callbacks)
            dist_support.sync_shuffle(dist, handler)
            with dist.scope():
                return self._k_fit_loop(handler, callbacks, verbose, epochs, initial_epoch,
                                        validation_data, validation_steps,
                                        validation_batch_size, validation_freq, batch_size,
                                        dist)
        return self._k_fit_loop(handler, callbacks, verbose, epochs, initial_epoch,
                                validation_data, validation_steps, validation_batch_size,
                                validation_freq, batch_size, None)

    def _k_train_one(self, batch, dist):
        """One train step on `batch` (under `dist`, on this worker's slice of it)."""
        if dist is not None:
            batch, n_local, n_global = dist_support.local_batch(dist, batch)
            if n_local == 0:
                dist_support.zero_step(self)
                return dist_support.global_logs(dist, self, {})
            dist_support.loss_scale = n_local / n_global
        try:
            if self._k_train_vars is None and self.built:
                self._k_train_vars = self.trainable_variables
            if self._k_train_vars is None:
                self._k_train_vars = []
                self._k_in_fit = False
                # This first step creates the variables eagerly; Keras would trace it, so a
                # shape inferred here has an open batch size unless the model runs eagerly.
                saved = getattr(_keras_step, "flag", False)
                _keras_step.flag = not self.run_eagerly
                try:
                    step_logs = self.train_step(batch)
                finally:
                    _keras_step.flag = saved
                self._k_in_fit = True
                self._k_train_vars = None
            elif dist is not None:
                # Eager under a strategy: the loss scale is a per-batch Python value that a
                # trace would freeze.
                step_logs = self.train_step(batch)
            else:
                step_logs = self._k_train_function()(batch)
        finally:
            dist_support.loss_scale = None
        self._clear_losses()
        if dist is not None:
            step_logs = dist_support.global_logs(dist, self, step_logs)
        return step_logs

    def _k_fit_loop(self, handler, callbacks, verbose, epochs, initial_epoch, validation_data,
                    validation_steps, validation_batch_size, validation_freq, batch_size, dist):
        callback_list = cbks.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                          model=self, verbose=verbose, epochs=epochs,
                                          steps=handler.steps)
        self.stop_training = False
        self._k_in_fit = True
        self._k_train_vars = None
        self._k_resume_epoch = None
        callback_list.on_train_begin()
        if self._k_resume_epoch is not None:  # set by BackupAndRestore
            initial_epoch = max(initial_epoch, self._k_resume_epoch)
        logs = {}
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                if dist is not None:
                    dist_support.sync_after_callbacks(dist, self)
                logs = {}
                for step, batch in handler.epoch_batches():
                    callback_list.on_train_batch_begin(step)
                    step_logs = self._k_train_one(batch, dist)
                    logs = step_logs or logs
                    callback_list.on_train_batch_end(step, _lazy_logs(logs))
                    if dist is not None:
                        dist_support.sync_after_callbacks(dist, self)
                    if self.stop_training:
                        break
                for c in callback_list:
                    if isinstance(c, cbks.ProgbarLogger) and c.target is None:
                        c.target = handler.steps
                epoch_logs = {k: _as_float(v) for k, v in logs.items()}
                if validation_data is not None and (epoch + 1) % validation_freq == 0:
                    vx, vy, vsw = unpack_x_y_sample_weight(validation_data) if isinstance(
                        validation_data, (tuple, list)) else (validation_data, None, None)
                    val_logs = self.evaluate(vx, vy, sample_weight=vsw,
                                             batch_size=validation_batch_size or batch_size,
                                             steps=validation_steps, callbacks=callback_list,
                                             verbose=0, return_dict=True, _internal=True)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                if dist is not None:
                    dist_support.sync_after_callbacks(dist, self)
                logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            self._k_in_fit = False
            self._k_train_vars = None
        callback_list.on_train_end(logs)
        if dist is not None:
            dist_support.sync_weights(dist, self)  # e.g. EarlyStopping's best weights
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False, _internal=False, **kwargs):
        """Returns the loss (and metrics) on the data: a scalar, a list or a dict."""
        if kwargs:  # Keras takes **kwargs here only to refuse them
            raise TypeError(f"Invalid keyword arguments: {list(kwargs.keys())}")
        self._assert_compiled()
        if verbose == "auto":
            verbose = 1
        verbose = dist_support.rank0_verbose(self.__dict__.get("_k_strategy"), verbose)
        handler = _DataHandler(x, y, sample_weight, batch_size, steps)
        if isinstance(callbacks, cbks.CallbackList):
            callback_list = callbacks
        else:
            callback_list = cbks.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                              verbose=verbose, epochs=1, steps=handler.steps)
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        dist = dist_support.current_multi_worker(self.__dict__.get("_k_strategy"))
        test_function = self._k_test_function() if dist is None else None
        for step, batch in handler.epoch_batches():
            callback_list.on_test_batch_begin(step)
            if dist is not None:
                batch, n_local, _ = dist_support.local_batch(dist, batch)
                if n_local:
                    self.test_step(batch)
                logs = dist_support.global_logs(dist, self, {})
            else:
                logs = test_function(batch)
            self._clear_losses()
            callback_list.on_test_batch_end(step, _lazy_logs(logs))
        logs = {k: _as_float(v) for k, v in logs.items()} if logs else {
            m.name: _as_float(m.result()) for m in self.metrics}
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[n] for n in self.metrics_names if n in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """Runs the model on `x` in batches and returns NumPy outputs."""
        if verbose == "auto":
            verbose = 1
        verbose = dist_support.rank0_verbose(self.__dict__.get("_k_strategy"), verbose)
        handler = _DataHandler(x, None, None, batch_size, steps)
        callback_list = cbks.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                          verbose=verbose, epochs=1, steps=handler.steps)
        callback_list.on_predict_begin()
        outs = []
        predict_function = self._k_predict_function()
        for step, batch in handler.epoch_batches():
            callback_list.on_predict_batch_begin(step)
            out = predict_function(batch)
            self._clear_losses()
            outs.append(_map(lambda t: np.asarray(t.numpy()), out))
            callback_list.on_predict_batch_end(step, {"outputs": out})
        callback_list.on_predict_end()
        if not outs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information "
                             "of where went wrong, or file a issue/bug to `tf.keras`.")
        first = outs[0]
        if isinstance(first, (list, tuple)):
            return [np.concatenate([o[i] for o in outs]) for i in range(len(first))]
        if isinstance(first, dict):
            return {k: np.concatenate([o[k] for o in outs]) for k in first}
        return np.concatenate(outs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        self._assert_compiled()
        if reset_metrics:
            self.reset_metrics()
        handler = _DataHandler(x, y, sample_weight, batch_size=_num_samples(_to_array(x)),
                               class_weight=class_weight)
        dist = dist_support.current_multi_worker(self.__dict__.get("_k_strategy"))
        for _, batch in handler.epoch_batches():
            if dist is not None:
                batch, n_local, n_global = dist_support.local_batch(dist, batch)
                if n_local == 0:
                    dist_support.zero_step(self)
                else:
                    dist_support.loss_scale = n_local / n_global
                    try:
                        self.train_step(batch)
                    finally:
                        dist_support.loss_scale = None
                self._clear_losses()
                logs = dist_support.global_logs(dist, self, {})
                continue
            if not self.built:
                logs = self.train_step(batch)  # builds the model (as fit's first step)
            else:
                logs = self._k_train_function()(batch)
            self._clear_losses()
        return self._k_batch_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        self._assert_compiled()
        if reset_metrics:
            self.reset_metrics()
        handler = _DataHandler(x, y, sample_weight, batch_size=_num_samples(_to_array(x)))
        dist = dist_support.current_multi_worker(self.__dict__.get("_k_strategy"))
        for _, batch in handler.epoch_batches():
            if dist is not None:
                batch, n_local, _ = dist_support.local_batch(dist, batch)
                if n_local:
                    self.test_step(batch)
                self._clear_losses()
                logs = dist_support.global_logs(dist, self, {})
                continue
            logs = self._k_test_function()(batch)
            self._clear_losses()
        return self._k_batch_result(logs, return_dict)

    def predict_on_batch(self, x):
        out = self._k_predict_function()((_to_tensor(_to_array(x)),))
        self._clear_losses()
        return _map(lambda t: np.asarray(t.numpy()), out)

    def _k_batch_result(self, logs, return_dict):
        logs = {k: _as_float(v) for k, v in logs.items()}
        if return_dict:
            return logs
        values = [logs[n] for n in self.metrics_names if n in logs]
        return values[0] if len(values) == 1 else values

    # -- weights I/O -----------------------------------------------------------------------
    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        from tapeflow._src.keras import saving
        saving.save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, options=None):
        from tapeflow._src.keras import saving
        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch,
                                   by_name=by_name)

    def save(self, filepath, overwrite=True, save_format=None, **kwargs):
        """Saves the whole model (config, weights, compile arguments) for
        `tf.keras.models.load_model`: a `.keras` archive, an `.h5` file (h5py) or, for a
        path without extension, a directory. tapeflow's own encoding (see saving.py)."""
        from tapeflow._src.keras import saving
        saving.save_model(self, filepath, overwrite=overwrite, save_format=save_format)

    # -- summary ---------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras 2's table of layers, output shapes and parameter counts."""
        from tapeflow._src.keras import summary
        summary.print_summary(self, line_length, positions, print_fn, expand_nested,
                              show_trainable, layer_range)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "input_layers" in config and "layers" in config:
            return Functional.from_config.__func__(
                Functional if cls is Model else cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs):
        """The model's config as JSON ({"class_name", "config", "keras_version",
        "backend"}), for `tf.keras.models.model_from_json`."""
        import json
        cls = ("Sequential" if isinstance(self, Sequential) else
               "Functional" if isinstance(self, Functional) else type(self).__name__)
        return json.dumps({"class_name": cls, "config": self.get_config(),
                           "keras_version": "2.21.0", "backend": "tensorflow"},
                          default=_json_default, **kwargs)

    def __reduce__(self):
        raise TypeError("tapeflow Keras models cannot be pickled.")


def _as_float(v):
    if isinstance(v, (Tensor, tf.Variable)):
        v = v.numpy()
    v = np.asarray(v)
    return float(v) if v.ndim == 0 else v


def _lazy_logs(logs):
    return logs


# ---------------------------------------------------------------------------------------------
# Functional and Sequential
# ---------------------------------------------------------------------------------------------

def _topo_nodes(inputs, outputs):
    """Nodes needed to compute `outputs` from `inputs`, in execution order."""
    input_ids = {id(t) for t in inputs}
    order, seen = [], set()

    def visit(t):
        hist = t._keras_history
        if id(t) in input_ids:
            return
        if hist is None or hist[1] is None:
            raise ValueError(f"Graph disconnected: cannot obtain value for tensor {t} at layer "
                             f"\"{hist[0].name if hist else '?'}\". The following previous "
                             f"layers were accessed without issue: "
                             f"{[n.layer.name for n in order]}")
        node = hist[1]
        if id(node) in seen:
            return
        for a in node.input_tensors():
            visit(a)
        seen.add(id(node))
        order.append(node)

    for o in outputs:
        visit(o)
    return order


def _layers_by_depth(inputs, outputs, nodes):
    """The model's layers in Keras's order: deepest first (inputs), the output layers last;
    layers of equal depth in the order a depth-first walk from the outputs meets them."""
    input_ids = {id(t) for t in inputs}
    index = {}
    seen = set()

    def visit(t):
        hist = t._keras_history
        layer = hist[0] if hist else None
        if layer is not None and id(layer) not in index:
            index[id(layer)] = (len(index), layer)
        if id(t) in input_ids or hist is None or hist[1] is None or id(hist[1]) in seen:
            return
        seen.add(id(hist[1]))
        for a in hist[1].input_tensors():
            visit(a)

    for o in outputs:
        visit(o)
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):  # from the outputs back
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = depth
        layer_depth[id(node.layer)] = depth
        for a in node.input_tensors():
            hist = a._keras_history
            if id(a) in input_ids or hist is None or hist[1] is None:
                if hist is not None:  # an input: its layer sits one deeper
                    layer_depth[id(hist[0])] = max(layer_depth.get(id(hist[0]), 0), depth + 1)
            else:
                node_depth[id(hist[1])] = max(node_depth.get(id(hist[1]), 0), depth + 1)
    for t in inputs:  # an input nothing consumes still belongs to the model
        if t._keras_history is not None:
            lid = id(t._keras_history[0])
            layer_depth.setdefault(lid, 0)
            index.setdefault(lid, (len(index), t._keras_history[0]))
    ordered = sorted(index.values(), key=lambda e: (-layer_depth.get(id(e[1]), 0), e[0]))
    return [layer for _, layer in ordered]


_FUNCTIONAL_VARIANTS: dict = {}


def _defined_in_subclasses(cls):
    """Names defined by the classes between `cls` and Model (the user's subclasses)."""
    names = set()
    for klass in cls.__mro__:
        if klass is Model:
            break
        names.update(vars(klass))
    return names


def _functional_variant(cls):
    """`cls` with Functional mixed in (cached): its own methods first, then Functional's."""
    variant = _FUNCTIONAL_VARIANTS.get(cls)
    if variant is None:
        variant = type(cls.__name__, (cls, Functional),
                       {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
        _FUNCTIONAL_VARIANTS[cls] = variant
    return variant


class Functional(Model):
    """A model defined by connecting layers from `tf.keras.Input` tensors to outputs."""

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        if name is None:
            name = context.unique_layer_name("model")
        super().__init__(name=name, trainable=trainable)
        self._k_init_graph(inputs, outputs)

    def _k_init_graph(self, inputs, outputs):
        self._k_nested_inputs = inputs
        self._k_nested_outputs = outputs
        self._k_inputs = _flatten(inputs) if isinstance(inputs, (list, tuple, dict)) \
            else [inputs]
        self._k_outputs = _flatten(outputs) if isinstance(outputs, (list, tuple, dict)) \
            else [outputs]
        for t in self._k_inputs + self._k_outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Found unexpected instance while processing input tensors "
                                 f"for keras functional model. Expecting KerasTensor which is "
                                 f"from tf.keras.Input() or output from keras layer call(). "
                                 f"Got: {t}")
        self._k_nodes = _topo_nodes(self._k_inputs, self._k_outputs)
        self._k_layers = _layers_by_depth(self._k_inputs, self._k_outputs, self._k_nodes)
        self._k_input_layers = [t._keras_history[0] for t in self._k_inputs]
        self.built = True
        self._k_build_input_shape = [t.shape for t in self._k_inputs]

    def _k_gather(self):
        own, layers = super()._k_gather()
        return own, list(self._k_layers) + [l for l in layers if all(
            l is not x for x in self._k_layers)]

    @property
    def layers(self):
        return list(self._k_layers)

    @property
    def inputs(self):
        return list(self._k_inputs)

    @property
    def outputs(self):
        return list(self._k_outputs)

    @property
    def input(self):
        return self._k_nested_inputs

    @property
    def output(self):
        return self._k_nested_outputs

    @property
    def input_names(self):
        return [l.name for l in self._k_input_layers]

    @property
    def output_names(self):
        return self._output_names

    @property
    def _output_names(self):
        names = []
        for t in self._k_outputs:
            names.append(t._keras_history[0].name)
        return names

    def _k_conform_inputs(self, flat):
        """As Keras's functional models: an input one rank short of an Input whose last
        dim is 1 gets that axis (a 1-D feature column for Input(shape=(1,))); one rank
        over with a trailing 1 loses it."""
        out = []
        for t, v in zip(self._k_inputs, flat):
            shape = getattr(v, "shape", None)
            rank = len(shape) if shape is not None else np.ndim(v)
            want = t.shape.as_list()
            if rank == len(want) - 1 and want and want[-1] == 1:
                v = tf.expand_dims(v, -1)
            elif rank == len(want) + 1 and rank and (
                    shape[-1] if shape is not None else np.shape(v)[-1]) == 1:
                v = tf.squeeze(v, -1)
            out.append(v)
        return out + list(flat[len(out):])

    def _k_check_inputs(self, flat):
        for t, v in zip(self._k_inputs, flat):
            got = getattr(v, "shape", None)
            got = tuple(got.as_list()) if hasattr(got, "as_list") else (
                tuple(got) if got is not None else np.shape(v))
            want = tuple(t.shape.as_list())
            if len(got) != len(want) or any(w is not None and w != g
                                            for w, g in zip(want, got)):
                raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                                 f'layer: expected shape={want}, found shape={got}')

    def call(self, inputs, training=None, mask=None):
        if isinstance(self._k_nested_inputs, dict) and isinstance(inputs, dict):
            flat = [inputs[k] for k in sorted(self._k_nested_inputs)]
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs)
        elif isinstance(inputs, dict):
            flat = [inputs[l.name] for l in self._k_input_layers]
        else:
            flat = [inputs]
        if len(flat) != len(self._k_inputs):
            raise ValueError(f"Layer \"{self.name}\" expects {len(self._k_inputs)} input(s), "
                             f"but it received {len(flat)} input tensors.")
        values = {}
        flat = self._k_conform_inputs(flat)
        self._k_check_inputs(flat)
        for t, v in zip(self._k_inputs, flat):
            values[id(t)] = self._k_autocast(v) if t.dtype.is_floating else (
                v if isinstance(v, Tensor) else tf.convert_to_tensor(v))
        for node in self._k_nodes:
            args = _map(lambda a: values[id(a)] if isinstance(a, KerasTensor) else a,
                        node.args)
            kwargs = dict(node.kwargs)
            if training is not None and "training" not in kwargs:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for kt, v in zip(_flatten(node.outputs), _flatten(out)):
                values[id(kt)] = v
        return _map(lambda t: values[id(t)], self._k_nested_outputs)

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        from tapeflow._src.keras.engine import _has_keras_tensor
        if _has_keras_tensor(inputs):
            return Layer.__call__(self, *args, **kwargs)
        # Layers of a functional model are already built: no model name scope needed.
        training = kwargs.pop("training", None)
        pushed = training is not None
        if pushed:
            _training_stack.append(bool(training))
        try:
            return self.call(inputs if args else kwargs.pop("inputs"),
                             training=training if training is None else bool(training),
                             **{k: v for k, v in kwargs.items() if k not in ("inputs",
                                                                              "mask")})
        finally:
            if pushed:
                _training_stack.pop()

    def compute_output_shape(self, input_shape):
        return _map(lambda t: t.shape, self._k_nested_outputs)

    def _k_node_key(self, node):
        nodes = [n for n in node.layer._k_inbound_nodes if any(n is m for m in self._k_nodes)]
        return next(i for i, n in enumerate(nodes) if n is node)

    def _k_tensor_ref(self, t):
        layer, node = t._keras_history
        if node is None:
            return [layer.name, 0, 0]
        k = next(i for i, o in enumerate(_flatten(node.outputs)) if o is t)
        return [layer.name, self._k_node_key(node), k]

    def get_config(self):
        """Keras 2's functional config: layers with their inbound nodes, inputs and outputs."""
        from tapeflow._src.keras.serialization import serialize_keras_object
        layers = []
        for layer in self._k_layers:
            inbound = []
            for node in layer._k_inbound_nodes:
                if not any(node is n for n in self._k_nodes):
                    continue
                kwargs = {k: v for k, v in node.kwargs.items()
                          if isinstance(v, (bool, int, float, str, type(None)))}
                inbound.append([self._k_tensor_ref(t) + [kwargs]
                                for t in node.input_tensors()])
            entry = serialize_keras_object(layer)
            entry.update({"name": layer.name, "inbound_nodes": inbound})
            layers.append(entry)
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": [self._k_tensor_ref(t) for t in self._k_inputs],
                "output_layers": [self._k_tensor_ref(t) for t in self._k_outputs]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a functional model (new weights) from `get_config()`'s output."""
        from tapeflow._src.keras.engine import Input
        from tapeflow.keras import layers as layers_mod
        outputs = {}  # (layer name, node index) -> list of output KerasTensors
        for spec in config["layers"]:
            cname, lconf = spec["class_name"], dict(spec["config"])
            if cname == "InputLayer":
                t = Input(batch_shape=lconf["batch_input_shape"], dtype=lconf.get("dtype"),
                          name=lconf.get("name"))
                outputs[(spec["name"], 0)] = [t]
                continue
            lcls = (custom_objects or {}).get(cname) or getattr(layers_mod, cname, None)
            if lcls is None:
                raise ValueError(f"Unknown layer: '{cname}'. Please ensure you are using a "
                                 f"`keras.utils.custom_object_scope` and that this object is "
                                 f"included in the scope.")
            layer = lcls.from_config(lconf)
            for i, node in enumerate(spec["inbound_nodes"]):
                args = [outputs[(n, ni)][ti] for n, ni, ti, _ in node]
                kwargs = node[0][3] if node else {}
                out = layer(args if len(args) > 1 else args[0], **kwargs)
                outputs[(spec["name"], i)] = _flatten(out)

        def pick(refs):
            ts = [outputs[(n, ni)][ti] for n, ni, ti in refs]
            return ts[0] if len(ts) == 1 else ts

        return cls(pick(config["input_layers"]), pick(config["output_layers"]),
                   name=config.get("name"))


class Sequential(Functional):
    """A linear stack of layers.

    >>> model = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(3,)),
    ...                              tf.keras.layers.Dense(1)])
    >>> [v.shape for v in model.trainable_variables]
    [TensorShape([3, 4]), TensorShape([4]), TensorShape([4, 1]), TensorShape([1])]
    """

    def __init__(self, layers=None, name=None):
        Model.__init__(self, name=name)
        self._k_seq_layers = []
        self._k_layers = []
        self._k_graph = False
        self.built = False
        if layers:
            if not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer)

    def add(self, layer):
        """Appends a layer (or an Input tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Received: "
                            f"layer={layer} of type {type(layer)}.")
        for existing in self._k_seq_layers:
            if existing.name == layer.name:
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name \"{layer.name}\" is already the name of a layer "
                                 f"in this model. Update the `name` argument to pass a unique "
                                 f"name.")
        self._k_seq_layers.append(layer)
        self._k_rebuild()

    def pop(self):
        """Removes the last layer."""
        if not self._k_seq_layers:
            raise TypeError("There are no layers in the model.")
        self._k_seq_layers.pop()
        self._k_rebuild()

    def _k_rebuild(self):
        layers = [l for l in self._k_seq_layers if not isinstance(l, InputLayer)]
        self._k_layers = list(layers)
        self._k_graph = False
        self.built = False
        first = self._k_seq_layers[0] if self._k_seq_layers else None
        if first is None:
            return
        shape = None
        dtype = None
        if isinstance(first, InputLayer):
            shape, dtype = first._batch_input_shape, first.dtype
        elif hasattr(first, "_batch_input_shape"):
            shape, dtype = first._batch_input_shape, first._dtype
        elif isinstance(first, Functional) and first.__dict__.get("_k_inputs") and len(
                first._k_inputs) == 1 and not first.__dict__.get("_k_inferred"):
            # A model with a known input (e.g. a built Sequential) as the first layer.
            shape, dtype = first._k_inputs[0].shape.as_list(), first._k_inputs[0].dtype
        if shape is not None:
            self._k_build_graph(shape, dtype)

    def _k_build_graph(self, batch_shape, dtype=None):
        from tapeflow._src.keras.engine import Input
        # Each rebuild (add, pop, a relaxed shape) calls the layers on a new Input: drop the
        # nodes the previous build made, so `layer.output` / `layer.input` are this graph's
        # (Keras keeps one node per layer here), e.g. for feature extractors.
        for layer, node in self.__dict__.get("_k_own_nodes", ()):
            nodes = layer._k_inbound_nodes
            for i, n in enumerate(nodes):
                if n is node:
                    del nodes[i]
                    break
        first = self._k_seq_layers[0] if self._k_seq_layers else None
        name = (first.name if isinstance(first, InputLayer) else
                self._k_layers[0].name + "_input" if self._k_layers else None)
        x = Input(batch_shape=tuple(batch_shape), dtype=dtype, name=name)
        self._k_input_layer = x._keras_history[0]  # for get_config (Keras lists it)
        inp = x
        start = {id(l): len(l._k_inbound_nodes) for l in self._k_layers}
        for layer in self._k_layers:
            x = layer(x)
        self._k_own_nodes = [(l, n) for l in self._k_layers
                             for n in l._k_inbound_nodes[start[id(l)]:]]
        Functional._k_init_graph(self, inp, x)
        self._k_layers = [l for l in self._k_seq_layers if not isinstance(l, InputLayer)]
        if "_k_pending_restore" in self.__dict__:
            from tapeflow._src.keras.saving import apply_pending_restore
            apply_pending_restore(self)
        self._k_graph = True

    @property
    def layers(self):
        return list(self._k_layers)

    def _k_assert_weights_created(self):
        if not self.built and not self._k_graph and self._k_layers:
            raise ValueError(f"Weights for model '{self.name}' have not yet been created. "
                             f"Weights are created when the model is first called on inputs "
                             f"or `build()` is called with an `input_shape`.")

    # (variables, trainable_variables, ... read these three, so they refuse too.)
    @property
    def weights(self):
        self._k_assert_weights_created()
        return Model.weights.fget(self)

    @property
    def trainable_weights(self):
        self._k_assert_weights_created()
        return Model.trainable_weights.fget(self)

    @property
    def non_trainable_weights(self):
        self._k_assert_weights_created()
        return Model.non_trainable_weights.fget(self)

    @property
    def _output_names(self):
        if not self._k_graph:  # not built yet (no input shape): its last layer's output
            return [self._k_layers[-1].name] if self._k_layers else ["output_1"]
        return Functional._output_names.fget(self)

    def _k_gather(self):
        own, layers = Layer._k_gather(self)
        return own, list(self._k_layers)

    def build(self, input_shape=None):
        if input_shape is None:
            if self._k_graph:
                return
            raise ValueError("You must provide an `input_shape` argument.")
        shape = TensorShape(input_shape).as_list()
        self._k_build_graph(shape)

    def call(self, inputs, training=None, mask=None):
        inferred = self.__dict__.get("_k_inferred")
        run_layers = self.__dict__.get("_k_run_layers")
        if inferred is not None and not run_layers:
            shape = list(getattr(inputs, "shape", ()))
            if len(inferred) != len(shape):
                self._k_run_layers = run_layers = True  # see __call__: another rank
            elif any(a is not None and b is not None and a != b
                     for a, b in zip(inferred, shape)):
                run_layers = True  # other sizes than inferred from data (Keras relaxes them)
        if not self._k_graph or run_layers:
            x = inputs
            for layer in self._k_layers:
                x = layer(x, training=training) if training is not None else layer(x)
            return x
        inputs, = self._k_conform_inputs([inputs])
        self._k_check_inputs([inputs])
        x = inputs
        for layer in self._k_layers:
            x = layer(x, training=training) if training is not None else layer(x)
        return x

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        from tapeflow._src.keras.engine import _has_keras_tensor
        inferred = self.__dict__.get("_k_inferred")
        symbolic = _has_keras_tensor(inputs)
        # An inferred graph is relaxed by symbolic inputs too (used inside another model).
        if ((not self._k_graph and not symbolic or inferred) and self._k_layers
                and not (symbolic and isinstance(inputs, (list, tuple, dict)))):
            shape = list(np.shape(inputs) if not hasattr(inputs, "shape") else
                         TensorShape(inputs.shape).as_list())
            dt = getattr(inputs, "dtype", None)
            dt = None if dt is None or tf.as_dtype(dt).is_floating else tf.as_dtype(dt).name
            if getattr(_keras_step, "flag", False) and shape:
                shape[0] = None
            if not self._k_graph:
                # As Keras: the graph takes the shape of the first data it sees, batch size
                # included (summary shows it); a later call with other sizes relaxes them.
                self._k_build_graph(shape, dt)
                self._k_inferred = inferred = shape
            elif len(inferred) == len(shape) and inferred != shape:
                relaxed = [a if a == b else None for a, b in zip(inferred, shape)]
                if relaxed != inferred:
                    self._k_build_graph(relaxed, dt)
                    self._k_inferred = relaxed
            elif len(inferred) != len(shape):
                # Another rank (one image first, then batches of them): as Keras, the
                # model gives up its inferred graph and runs its layers one after another.
                self._k_run_layers = True
        if not self._k_graph and symbolic:
            return Layer.__call__(self, *args, **kwargs)
        return Functional.__call__(self, *args, **kwargs)

    def get_config(self):
        """Keras 2's Sequential config: the input layer (when the model has one) and each
        layer serialized with its module, class, config and build config."""
        from tapeflow._src.keras.serialization import serialize_keras_object
        layers = []
        input_layer = self.__dict__.get("_k_input_layer")
        if self._k_graph and input_layer is not None and not self.__dict__.get("_k_inferred"):
            layers.append(serialize_keras_object(input_layer))
        layers.extend(serialize_keras_object(l) for l in self._k_layers)
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tapeflow.keras import layers as layers_mod
        model = cls(name=config.get("name"))
        for spec in config["layers"]:
            lcls = (custom_objects or {}).get(spec["class_name"]) or getattr(
                layers_mod, spec["class_name"])
            model.add(lcls.from_config(spec["config"]))
        return model


def clone_model(model, input_tensors=None, clone_function=None):
    """A new Sequential or functional model with the same layers' configs and fresh weights."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model(input_tensors=, clone_function=) is not "
                                  "implemented in tapeflow.")
    if not isinstance(model, Functional):
        raise ValueError("Expected `model` argument to be a functional `Model` instance, but "
                         f"got a subclassed model instead: {model}")
    return type(model).from_config(model.get_config())


def _json_default(obj):
    """JSON for what configs hold besides plain values (NumPy numbers and arrays, shapes,
    dtypes)."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, TensorShape):
        return obj.as_list()
    if isinstance(obj, tf.DType):
        return obj.name
    raise TypeError(f"Not JSON Serializable: {obj!r}")


def model_from_json(json_string, custom_objects=None):
    """The model `Model.to_json` described (new weights)."""
    import json
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_config(config, custom_objects=None):
    """Rebuilds a model from {'class_name': ..., 'config': ...}."""
    cls = {"Sequential": Sequential, "Functional": Functional, "Model": Functional}.get(
        config["class_name"])
    if cls is None:
        raise ValueError(f"Unknown model class: {config['class_name']}")
    return cls.from_config(config["config"], custom_objects)

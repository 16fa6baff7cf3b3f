"""Weights files, whole-model files (Model.save / load_model) and tf.train.Checkpoint.

tapeflow's weights format is one `.npz` file: an array per variable plus `__index__`, a JSON
list of each variable's path, short name, shape and dtype. Loading checks the index against
the model first and refuses any mismatch, so a file never partially loads into a different
architecture. Files are written to a temporary file and moved into place with os.replace,
so a crash while saving leaves the previous file intact. `.h5` paths use h5py if installed.
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from tapeflow._src.framework.variables import Variable

FORMAT = "tapeflow-weights-v1"


def _short(v):
    name = v.name[:-2] if v.name.endswith(":0") else v.name
    return name.rsplit("/", 1)[-1]


def _entries(variables, prefix):
    return [{"path": f"{prefix}{i}/{_short(v)}", "name": _short(v),
             "shape": list(v.shape.as_list()), "dtype": v.dtype.name}
            for i, v in enumerate(variables)]


def _usual_mode(path, directory=False):
    """Gives a file made by mkstemp/mkdtemp (mode 0600/0700) the mode a plain open() or
    mkdir() would have (0666/0777 less the umask), before it replaces the real one."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, (0o777 if directory else 0o666) & ~mask)


def _write_npz(path, index, arrays):
    """Writes the archive to `path` atomically (temp file in the same directory + os.replace)."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-" + os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            payload = {f"v{i}": a for i, a in enumerate(arrays)}
            payload["__index__"] = np.array(json.dumps({"format": FORMAT, "variables": index}))
            np.savez(f, **payload)
        _usual_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read_npz(path):
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["__index__"]))
            arrays = [f[f"v{i}"] for i in range(len(meta["variables"]))]
    except (OSError, KeyError, ValueError) as e:
        raise ValueError(f"Unable to load weights from {path!r}: not a tapeflow weights file "
                         f"({e}).") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"Unable to load weights from {path!r}: unknown format "
                         f"{meta.get('format')!r}.")
    return meta["variables"], arrays


def _check_and_assign(variables, index, arrays, where):
    """Assigns arrays to variables only if the whole index matches."""
    expected = _entries(variables, "")
    problems = []
    if len(index) != len(expected):
        problems.append(f"the file has {len(index)} variables, the target has {len(expected)}")
    for i, (e, s) in enumerate(zip(expected, index)):
        if e["shape"] != s["shape"] or e["name"] != s["name"]:
            problems.append(f"variable {i}: file has {s['name']} {tuple(s['shape'])}, target "
                            f"has {e['name']} {tuple(e['shape'])}")
    if problems:
        raise ValueError(f"Cannot load {where}: the saved weights do not match this "
                         f"architecture; nothing was loaded. " + "; ".join(problems[:5]))
    for v, a in zip(variables, arrays):
        v.assign(a.astype(v.dtype.as_numpy_dtype, copy=False))


def save_weights(model, filepath, overwrite=True, save_format=None):
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")
    variables = model.weights
    if save_format == "h5" or filepath.endswith((".h5", ".hdf5", ".keras")):
        return _save_h5(variables, filepath)
    _write_npz(filepath, _entries(variables, "model/"),
               [np.asarray(v.numpy()) for v in variables])
    # As TF's checkpoint-format save_weights: the directory's `checkpoint` file names it,
    # so tf.train.latest_checkpoint finds it.
    _write_state(os.path.dirname(filepath) or ".", filepath, [filepath])


def load_weights(model, filepath, skip_mismatch=False, by_name=False):
    filepath = os.fspath(filepath)
    if by_name or skip_mismatch:
        raise NotImplementedError("load_weights(by_name=True / skip_mismatch=True) is not "
                                  "implemented in tapeflow.")
    h5 = filepath.endswith((".h5", ".hdf5"))
    if not os.path.exists(filepath):
        if h5:
            raise FileNotFoundError(
                2, f"Unable to synchronously open file (unable to open file: name = "
                   f"'{filepath}', errno = 2, error message = 'No such file or directory', "
                   f"flags = 0, o_flags = 0)")
        from tapeflow._src.framework.errors import NotFoundError
        raise NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: Failed "
                            f"to find any matching files for {filepath}")
    if h5:
        index, arrays = _load_h5(filepath)
    else:
        index, arrays = _read_npz(filepath)
    if not model.built:
        if h5:
            raise ValueError("Unable to load weights saved in HDF5 format into a subclassed "
                             "Model which has not created its variables yet. Call the Model "
                             "first, then load the weights.")
        # As TF's checkpoint-format load: the values wait for the model's first call.
        model._k_pending_restore = (index, arrays)
        return CheckpointLoadStatus([model])
    _check_and_assign(model.weights, index, arrays, f"weights from {filepath!r}")
    return None if h5 else CheckpointLoadStatus()


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("`save_weights`/`load_weights` with .h5 files needs h5py: "
                          "`pip install h5py`.") from None
    return h5py


def _save_h5(variables, filepath, attrs=None):
    """Writes the weights (and any extra `attrs`) to a temporary HDF5 file, then moves it
    into place."""
    h5py = _h5py()
    d = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-" + os.path.basename(filepath))
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["tapeflow_index"] = json.dumps(_entries(variables, "model/"))
            for k, v in (attrs or {}).items():
                f.attrs[k] = v
            for i, v in enumerate(variables):
                f.create_dataset(f"v{i}", data=np.asarray(v.numpy()))
        _usual_mode(tmp)
        os.replace(tmp, filepath)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _load_h5(filepath):
    h5py = _h5py()
    with h5py.File(filepath, "r") as f:
        index = json.loads(f.attrs["tapeflow_index"])
        arrays = [np.asarray(f[f"v{i}"]) for i in range(len(index))]
    return index, arrays


# -- tf.train.Checkpoint ----------------------------------------------------------------------

def _object_variables(obj):
    from tapeflow._src.framework.module import Module
    from tapeflow._src.keras.engine import Layer
    from tapeflow._src.keras.optimizers import Optimizer
    if isinstance(obj, Variable):
        return [obj]
    if isinstance(obj, Layer):
        from tapeflow._src.keras.training import Model
        # A Sequential without weights yet (restored later, lazily) has none to list:
        # Model.weights itself does not refuse, unlike the public property.
        return list(Model.weights.fget(obj) if isinstance(obj, Model) else obj.weights)
    if isinstance(obj, Module):
        return list(obj.variables)
    if isinstance(obj, Optimizer):
        return obj.variables()
    if isinstance(obj, Checkpoint):
        return obj._all_variables()[1]
    raise ValueError(f"Checkpoint cannot track an object of type {type(obj).__name__}; "
                     f"give Variables, Modules, Keras models/layers, optimizers or "
                     f"Checkpoints.")


class Checkpoint:
    """Saves and restores the variables of the objects given as keyword arguments.

    >>> ckpt = tf.train.Checkpoint(step=tf.Variable(1))
    >>> path = ckpt.save('/tmp/tapeflow-doc/ckpt')        # doctest: +SKIP
    >>> ckpt.restore(path)                                # doctest: +SKIP
    """

    def __init__(self, root=None, **kwargs):
        if root is not None:
            kwargs["root"] = root
        self._objects = dict(kwargs)
        self.save_counter = Variable(np.int64(0), trainable=False, name="save_counter")

    def __getattr__(self, name):
        objs = self.__dict__.get("_objects", {})
        if name in objs:
            return objs[name]
        raise AttributeError(name)

    def _all_variables(self):
        index, variables = [], []
        for key in sorted(self._objects):
            vs = _object_variables(self._objects[key])
            index.extend(_entries(vs, f"{key}/"))
            variables.extend(vs)
        index.extend(_entries([self.save_counter], "save_counter/"))
        variables.append(self.save_counter)
        return index, variables

    def write(self, file_prefix, options=None):
        """Writes `file_prefix + '.npz'` and returns `file_prefix`."""
        file_prefix = os.fspath(file_prefix)
        index, variables = self._all_variables()
        _write_npz(file_prefix + ".npz", index, [np.asarray(v.numpy()) for v in variables])
        return file_prefix

    def save(self, file_prefix, options=None):
        """Writes '<file_prefix>-<n>' (n counts saves) and records it as the latest."""
        self.save_counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(self.save_counter.numpy())}")
        _write_state(os.path.dirname(os.path.abspath(path)), path, [path])
        return path

    def read(self, save_path, options=None):
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Restores the tracked variables that `save_path` holds values for, as TF does:
        values for variables not created yet wait for them, objects the file lacks keep
        their values, and values no object claims are left (the returned status says which;
        `assert_consumed` / `assert_existing_objects_matched` check). A value whose shape
        differs from its variable's raises ValueError before anything is assigned."""
        if save_path is None:
            return InitializationOnlyStatus()
        save_path = os.fspath(save_path)
        file = save_path if save_path.endswith(".npz") else save_path + ".npz"
        if not os.path.exists(file):
            from tapeflow._src.framework.errors import NotFoundError
            raise NotFoundError(None, None, (
                f"Error when restoring from checkpoint or SavedModel at {save_path}: "
                f"{file}; No such file or directory\nPlease double-check that the path is "
                "correct. You may be missing the checkpoint suffix (e.g. the '-1' in "
                "'path/to/ckpt-1')."))
        saved_index, arrays = _read_npz(file)
        index, variables = self._all_variables()
        by_path = {e["path"]: (e, a) for e, a in zip(saved_index, arrays)}
        # Every check before any change: a refused restore leaves no value assigned and no
        # value queued for a layer or optimizer that builds later.
        for e, v in zip(index, variables):
            saved = by_path.get(e["path"])
            if saved is not None and saved[0]["shape"] != e["shape"]:
                raise ValueError(f"Received incompatible tensor with shape "
                                 f"{tuple(saved[0]['shape'])} when attempting to restore "
                                 f"variable with shape {tuple(e['shape'])} and name {v.name}.")
        pending = self._defer_optimizer_slots(index, by_path)
        self._defer_unbuilt_layers(by_path)   # (takes their values out of by_path)
        mine = {e["path"] for e in index}
        for e, v in zip(index, variables):
            saved = by_path.get(e["path"])
            if saved is not None:
                v.assign(saved[1].astype(v.dtype.as_numpy_dtype, copy=False))
        for opt, values in pending:
            opt._k_pending = values
        waiting = [o for o in self._objects.values() if _waits(o)]
        missing = [e["path"] for e in index if e["path"] not in by_path]
        unclaimed = [p for p in by_path if p not in mine]
        return CheckpointLoadStatus(waiting, unclaimed, missing)

    def _defer_unbuilt_layers(self, by_path):
        """Unbuilt Keras layers/models get their saved values when they build."""
        from tapeflow._src.keras.engine import Layer
        for key, obj in self._objects.items():
            if isinstance(obj, Layer) and not _object_variables(obj):
                mine = sorted((p for p in by_path if p.startswith(key + "/")),
                              key=lambda p: int(p.split("/")[1]))
                if mine:
                    obj._k_pending_restore = ([by_path[p][0] for p in mine],
                                              [by_path.pop(p)[1] for p in mine])

    def _defer_optimizer_slots(self, index, by_path):
        """For optimizers whose slots do not exist yet, moves the saved slot values aside.

        They are assigned as the optimizer creates its slots on its next step (TensorFlow
        likewise restores optimizer slots lazily).
        """
        from tapeflow._src.keras.optimizers import Optimizer
        pending = []
        mine = {e["path"] for e in index}
        for key, obj in self._objects.items():
            if not isinstance(obj, Optimizer):
                continue
            extra = sorted((p for p in by_path if p.startswith(key + "/") and p not in mine),
                           key=lambda p: int(p.split("/")[1]))
            n_own = len(obj.variables())
            if extra and all(int(p.split("/")[1]) >= n_own for p in extra):
                pending.append((obj, [by_path.pop(p)[1] for p in extra]))
        return pending


def _waits(obj):
    """Whether restored values wait for `obj`'s variables to be created."""
    d = getattr(obj, "__dict__", {})
    return bool(d.get("_k_pending")) or "_k_pending_restore" in d


class CheckpointLoadStatus:
    """What a restore returns (TF's class name): which saved values no object claimed,
    which variables the file had no value for, and which values still wait for their
    variables to be created (an optimizer's slots before its first step, an unbuilt
    layer's weights)."""

    def __init__(self, waiting=(), unclaimed=(), missing=()):
        self._waiting = list(waiting)
        self._unclaimed = list(unclaimed)
        self._missing = list(missing)

    def assert_consumed(self):
        """Raises AssertionError unless every saved value was matched and every variable
        restored."""
        left = [o for o in self._waiting if _waits(o)]
        if self._unclaimed:
            raise AssertionError(f"Unresolved object in checkpoint: {self._unclaimed[0]} "
                                 f"(and {len(self._unclaimed) - 1} more values no object "
                                 "matched).")
        if left:
            names = ", ".join(getattr(o, "name", type(o).__name__) for o in left)
            raise AssertionError(
                f"Unresolved object in checkpoint: saved values for {names} wait for their "
                "variables to be created (optimizer slots are created by the first "
                "apply_gradients, layer weights when the layer is built).")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self):
        """Raises AssertionError if a variable that exists got no value from the file."""
        if self._missing:
            raise AssertionError(f"Object {self._missing[0]} was not assigned a value from "
                                 f"the checkpoint (and {len(self._missing) - 1} more).")
        return self

    def expect_partial(self):
        return self


class InitializationOnlyStatus(CheckpointLoadStatus):
    """`restore(None)`: nothing to load; the variables keep their initial values."""


def _write_state(directory, latest, all_paths):
    lines = [f'model_checkpoint_path: "{os.path.basename(latest)}"']
    lines += [f'all_model_checkpoint_paths: "{os.path.basename(p)}"' for p in all_paths]
    path = os.path.join(directory, "checkpoint")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The path of the newest checkpoint recorded in `checkpoint_dir`, or None."""
    path = os.path.join(os.fspath(checkpoint_dir), latest_filename or "checkpoint")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            if line.startswith("model_checkpoint_path:"):
                name = line.split(":", 1)[1].strip().strip('"')
                full = os.path.join(os.fspath(checkpoint_dir), name)
                # tf.train.Checkpoint files carry a .npz suffix; save_weights files do not.
                return full if os.path.exists(full + ".npz") or os.path.exists(full) else None
    return None


class CheckpointManager:
    """Numbers checkpoints in `directory` and deletes all but the newest `max_to_keep`."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        self._checkpoint = checkpoint
        self.directory = os.fspath(directory)
        self.max_to_keep = max_to_keep
        self._prefix = os.path.join(self.directory, checkpoint_name)
        os.makedirs(self.directory, exist_ok=True)
        self._checkpoints = []
        latest = latest_checkpoint(self.directory)
        if latest is not None:
            state = os.path.join(self.directory, "checkpoint")
            with open(state) as f:
                for line in f:
                    if line.startswith("all_model_checkpoint_paths:"):
                        name = line.split(":", 1)[1].strip().strip('"')
                        full = os.path.join(self.directory, name)
                        if os.path.exists(full + ".npz"):
                            self._checkpoints.append(full)

    @property
    def checkpoints(self):
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self):
        return self._checkpoints[-1] if self._checkpoints else None

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        ckpt = self._checkpoint
        if checkpoint_number is None:
            ckpt.save_counter.assign_add(1)
            n = int(ckpt.save_counter.numpy())
        else:
            n = int(np.asarray(checkpoint_number))
        path = ckpt.write(f"{self._prefix}-{n}")
        if path in self._checkpoints:
            self._checkpoints.remove(path)
        self._checkpoints.append(path)
        if self.max_to_keep is not None:
            while len(self._checkpoints) > self.max_to_keep:
                old = self._checkpoints.pop(0)
                if os.path.exists(old + ".npz"):
                    os.remove(old + ".npz")
        _write_state(self.directory, path, self._checkpoints)
        return path

    def restore_or_initialize(self):
        if self.latest_checkpoint:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        return None


def apply_pending_restore(layer):
    """Called once a layer is built: assigns values a checkpoint restore deferred."""
    pending = layer.__dict__.pop("_k_pending_restore", None)
    if pending is not None:
        index, arrays = pending
        from tapeflow._src.ops.misc_ops import init_scope
        with init_scope():  # may run while a tf.function traces the first call
            _check_and_assign(layer.weights, index, arrays,
                              f"the checkpoint into {layer.name!r}")


# -- whole models: Model.save / tf.keras.models.load_model -----------------------------------
#
# tapeflow's whole-model file holds what Keras's `.keras` archive holds, in tapeflow's own
# encoding: `metadata.json`, `config.json` (the model's Keras config, its build input shape
# and its compile arguments) and `model.weights.npz` (the weights file format above). A
# `.keras` path is a zip archive of the three; a path without extension (Keras 2's
# SavedModel format) is a directory of them; `.h5` / `.hdf5` is an HDF5 file (h5py) with the
# config as an attribute. The files are tapeflow's: TensorFlow cannot read them, nor can
# tapeflow read TensorFlow's. Optimizer state is not saved: a loaded model is compiled with
# a fresh optimizer of the saved configuration.

_MODEL_FORMAT = "tapeflow-model-v1"


def _model_config(model):
    from tapeflow._src.keras.training import Functional, Sequential
    from tapeflow._src.keras.serialization import serialize_keras_object
    if not isinstance(model, Functional):
        raise NotImplementedError(
            f"Saving the subclassed model {model.name!r} as a whole model is not implemented "
            "in tapeflow (it needs the layer graph of a Sequential or functional model); "
            "save its weights with model.save_weights(path) and rebuild it in code.")
    cls = "Sequential" if isinstance(model, Sequential) else "Functional"
    config = {"class_name": cls, "config": model.get_config(), "build_input_shape": None}
    if isinstance(model, Sequential) and model.built and model.inputs:
        config["build_input_shape"] = model.inputs[0].shape.as_list()
    args = model.__dict__.get("_k_compile_args")
    if args is not None:
        def ser(v):
            if v is None or isinstance(v, (str, int, float, bool)):
                return v
            if isinstance(v, (list, tuple)):
                return [ser(x) for x in v]
            if isinstance(v, dict):
                return {k: ser(x) for k, x in v.items()}
            return serialize_keras_object(v)
        config["compile_config"] = {k: ser(v) for k, v in args.items()}
    return config


def save_model(model, filepath, overwrite=True, save_format=None):
    """Writes `model` (config, weights, compile arguments) to `filepath`; see above."""
    import datetime
    import zipfile
    filepath = os.fspath(filepath)
    fmt = save_format or ("keras" if filepath.endswith(".keras") else
                          "h5" if filepath.endswith((".h5", ".hdf5")) else "tf")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")
    config = _model_config(model)
    if not model.built:
        raise ValueError("Model has not been built: call it on data or give input_shape "
                         "before saving it.")
    meta = {"format": _MODEL_FORMAT, "keras_version": "2.21.0",
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    variables = model.weights
    index = _entries(variables, "model/")
    arrays = [np.asarray(v.numpy()) for v in variables]
    if fmt == "h5":
        import warnings
        warnings.warn("You are saving your model as an HDF5 file via `model.save()`. This "
                      "file format is considered legacy. We recommend using instead the "
                      "native TF-Keras format, e.g. `model.save('my_model.keras')`.",
                      UserWarning, stacklevel=3)
        _save_h5(variables, filepath, {"tapeflow_model_config": json.dumps(config),
                                       "tapeflow_metadata": json.dumps(meta)})
        return
    parent = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(parent, exist_ok=True)
    if fmt == "keras":
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-" + os.path.basename(filepath))
        os.close(fd)
        try:
            wfd, wtmp = tempfile.mkstemp(dir=parent, suffix=".npz")
            os.close(wfd)
            try:
                _write_npz(wtmp, index, arrays)
                with zipfile.ZipFile(tmp, "w") as z:
                    z.writestr("metadata.json", json.dumps(meta))
                    z.writestr("config.json", json.dumps(config))
                    z.write(wtmp, "model.weights.npz")
            finally:
                if os.path.exists(wtmp):
                    os.remove(wtmp)
            _usual_mode(tmp)
            os.replace(tmp, filepath)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return
    # A directory: written aside, then swapped in (the old one is removed only after).
    import shutil
    tmp = tempfile.mkdtemp(dir=parent, prefix=".tmp-" + os.path.basename(filepath))
    try:
        with open(os.path.join(tmp, "metadata.json"), "w") as f:
            json.dump(meta, f)
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(config, f)
        _write_npz(os.path.join(tmp, "model.weights.npz"), index, arrays)
        _usual_mode(tmp, directory=True)
        old = None
        if os.path.exists(filepath):
            old = tempfile.mkdtemp(dir=parent, prefix=".old-")
            os.rmdir(old)
            os.replace(filepath, old)
        try:
            os.replace(tmp, filepath)
        except BaseException:
            if old is not None:
                os.replace(old, filepath)  # the previous model goes back in place
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def _read_model_file(filepath):
    import zipfile
    if os.path.isdir(filepath):
        cfg_path = os.path.join(filepath, "config.json")
        if not os.path.exists(cfg_path):
            raise OSError(f"{filepath!r} is not a model saved by tapeflow (no config.json; "
                          "TensorFlow SavedModels cannot be read).")
        with open(cfg_path) as f:
            config = json.load(f)
        index, arrays = _read_npz(os.path.join(filepath, "model.weights.npz"))
        return config, index, arrays
    if filepath.endswith((".h5", ".hdf5")):
        h5py = _h5py()
        with h5py.File(filepath, "r") as f:
            raw = f.attrs.get("tapeflow_model_config")
        if raw is None:
            raise ValueError(f"{filepath!r} holds no tapeflow model config (a weights-only "
                             "file: use model.load_weights).")
        index, arrays = _load_h5(filepath)
        return json.loads(raw), index, arrays
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"{filepath!r} is not a model saved by tapeflow's Model.save.")
    with zipfile.ZipFile(filepath) as z:
        config = json.loads(z.read("config.json"))
        with z.open("model.weights.npz") as f:
            import io
            data = io.BytesIO(f.read())
    index, arrays = _read_npz(data)
    return config, index, arrays


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002
    """The model `save_model` wrote: rebuilt from its config, weights loaded, compiled with
    the saved compile arguments (a fresh optimizer) when `compile`."""
    from tapeflow._src.keras import losses as losses_mod
    from tapeflow._src.keras import metrics as metrics_mod
    from tapeflow._src.keras import optimizers as optimizers_mod
    from tapeflow._src.keras.training import model_from_config
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError(f"No file or directory found at {filepath}")
    config, index, arrays = _read_model_file(filepath)
    model = model_from_config(config, custom_objects=custom_objects)
    if not model.built and config.get("build_input_shape"):
        model.build(config["build_input_shape"])
    _check_and_assign(model.weights, index, arrays, f"the model saved at {filepath!r}")
    cc = config.get("compile_config")
    if compile and cc:
        def de(v, mod):
            return mod.deserialize(v, custom_objects=custom_objects) if isinstance(
                v, dict) else v
        loss = cc.get("loss")
        loss = ({k: de(v, losses_mod) for k, v in loss.items()} if isinstance(loss, dict)
                and "class_name" not in loss else
                [de(v, losses_mod) for v in loss] if isinstance(loss, list) else
                de(loss, losses_mod))

        def metric_list(ms):
            if ms is None:
                return None
            if isinstance(ms, dict) and "class_name" not in ms:
                return {k: metric_list(v) for k, v in ms.items()}
            if isinstance(ms, list):
                return [metric_list(m) for m in ms]
            return de(ms, metrics_mod)
        model.compile(optimizer=de(cc.get("optimizer"), optimizers_mod), loss=loss,
                      metrics=metric_list(cc.get("metrics")),
                      loss_weights=cc.get("loss_weights"),
                      weighted_metrics=metric_list(cc.get("weighted_metrics")),
                      run_eagerly=cc.get("run_eagerly"))
    return model

"""Keras object registration and (de)serialization: register_keras_serializable,
custom_object_scope, get_registered_name/object, serialize/deserialize_keras_object.

The serialized form is tf_keras 2.21's (`{"module", "class_name", "config",
"registered_name"}`, plus `"build_config"` for built layers). Built-in tapeflow classes are
named by their public Keras module (`keras.layers`, `keras.losses`, ...).
"""

from __future__ import annotations

import importlib
import threading
import types

import numpy as np

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_GLOBAL_CUSTOM_NAMES: dict = {}
_THREAD_LOCAL = threading.local()

# Public Keras modules searched for built-in classes and functions, in tf_keras's order.
_PUBLIC_MODULES = ("activations", "constraints", "initializers", "losses", "metrics",
                   "optimizers", "regularizers", "layers", "models", "callbacks")
_PLAIN_TYPES = (str, int, float, bool)


def _scope_objects() -> dict:
    objects = getattr(_THREAD_LOCAL, "objects", None)
    if objects is None:
        objects = _THREAD_LOCAL.objects = {}
    return objects


class CustomObjectScope:
    """Makes custom classes and functions visible to deserialization inside a `with` block.

    >>> with tf.keras.utils.custom_object_scope({"my_fn": abs}):
    ...     tf.keras.utils.get_registered_object("my_fn") is abs
    True
    """

    def __init__(self, *args):
        self.custom_objects = args
        self.backup = None

    def __enter__(self):
        objects = _scope_objects()
        self.backup = dict(objects)
        for extra in self.custom_objects:
            objects.update(extra)
        return self

    def __exit__(self, *args, **kwargs):
        objects = _scope_objects()
        objects.clear()
        objects.update(self.backup)


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The global dict of registered custom objects (mutable: entries added are visible)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """A decorator registering a class or function as `"package>name"` for deserialization.

    >>> @tf.keras.utils.register_keras_serializable(package="demo")
    ... def twice(x):
    ...     return 2 * x
    >>> tf.keras.utils.get_registered_name(twice)
    'demo>twice'
    """

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        if isinstance(arg, type) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj):
    """The name `obj` was registered under, else its `__name__`."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Looks `name` up in the active scopes, the global registry, then the given dicts."""
    scoped = _scope_objects()
    if name in scoped:
        return scoped[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


# -- serialization ----------------------------------------------------------------------------

def _public_module(cls):
    """'keras.<module>' if `cls` is the class tapeflow.keras.<module> exports under its name."""
    import tapeflow.keras as keras
    if getattr(keras, cls.__name__, None) is cls:
        return "keras"
    for mod in _PUBLIC_MODULES:
        if getattr(getattr(keras, mod), cls.__name__, None) is cls:
            return "keras." + mod
    return None


def _serialize_dict(obj):
    return {key: serialize_keras_object(value) for key, value in obj.items()}


def _inner_config(obj):
    if isinstance(obj, types.FunctionType):
        return get_registered_name(obj)
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        if not isinstance(config, dict):
            raise TypeError(f"The `get_config()` method of {obj} should return a dict. It "
                            f"returned: {config}")
        return _serialize_dict(config)
    if hasattr(obj, "__name__"):
        return get_registered_name(obj)
    raise TypeError(f"Cannot serialize object {obj} of type {type(obj)}. To be serializable, a "
                    f"class must implement the `get_config()` method.")


def _add_build_config(obj, config):
    build_config = None
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
    elif getattr(obj, "built", False) and getattr(obj, "_k_build_input_shape", None) is not None:
        shape = obj._k_build_input_shape
        if hasattr(shape, "as_list"):
            shape = tuple(shape.as_list())
        build_config = {"input_shape": shape}
    if build_config is not None:
        config["build_config"] = _serialize_dict(build_config)
    if hasattr(obj, "get_compile_config"):
        compile_config = obj.get_compile_config()
        if compile_config is not None:
            config["compile_config"] = _serialize_dict(compile_config)


def serialize_keras_object(obj):
    """A JSON-friendly description of `obj` that `deserialize_keras_object` turns back into it.

    Layers, losses, metrics, optimizers, initializers, regularizers and constraints are
    described by their class and `get_config()`; functions by name; tensors and arrays by
    value and dtype; lists, tuples and dicts element by element.

    >>> tf.keras.utils.serialize_keras_object(tf.keras.metrics.Mean())["class_name"]
    'Mean'
    """
    import tapeflow as tf
    if obj is None or isinstance(obj, _PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return _serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, tf.TensorShape):
        return obj.as_list() if obj.rank is not None else None
    if isinstance(obj, tf.Tensor):
        return {"class_name": "__tensor__",
                "config": {"value": obj.numpy().tolist(), "dtype": obj.dtype.name}}
    if type(obj).__module__ == np.__name__:
        if isinstance(obj, np.ndarray) and obj.ndim > 0:
            return {"class_name": "__numpy__",
                    "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
        return obj.item()
    if isinstance(obj, tf.DType):
        return obj.name
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        raise NotImplementedError("serialize_keras_object of a lambda is not implemented in "
                                  "tapeflow; use a named function.")
    inner = _inner_config(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        # tf_keras describes every function through its class, `function`.
        return {"module": "builtins", "class_name": "function", "config": inner,
                "registered_name": "function"}
    cls = obj.__class__
    public = _public_module(cls)
    if public is not None:
        config = {"module": public, "class_name": cls.__name__, "config": inner,
                  "registered_name": None}
    else:
        module = cls.__module__
        config = {"module": None if module == "__main__" else module,
                  "class_name": cls.__name__, "config": inner,
                  "registered_name": get_registered_name(cls)}
    _add_build_config(obj, config)
    return config


def _retrieve(name, registered_name, module, obj_type, full_config, custom_objects):
    key = name if obj_type == "function" else registered_name
    found = get_registered_object(key, custom_objects=custom_objects)
    if found is not None:
        return found
    if module:
        import tapeflow.keras as keras
        if module in ("keras", "tf_keras") or module.startswith(("keras.", "tf_keras.")):
            target = keras
            for part in module.split(".")[1:]:
                target = getattr(target, part, None)
            found = getattr(target, name, None) if target is not None else None
            if found is not None:
                return found
        if obj_type == "function" and module == "builtins":
            for mod in _PUBLIC_MODULES[:7]:
                found = getattr(getattr(keras, mod), name, None)
                if found is not None:
                    return found
        if not module.startswith(("keras", "tf_keras")):
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError:
                raise TypeError(f"Could not deserialize {obj_type} '{name}' because its parent "
                                f"module {module} cannot be imported. Full object config: "
                                f"{full_config}") from None
            found = vars(mod).get(name)
            if found is None and registered_name is not None:
                found = vars(mod).get(registered_name)
            if found is not None:
                return found
    raise TypeError(f"Could not locate {obj_type} '{name}'. Make sure custom classes are "
                    f"decorated with `@keras.saving.register_keras_serializable()`. Full "
                    f"object config: {full_config}")


def _with_module_objects(config, module_objects, custom_objects):
    """The legacy lookup path: resolve `config` by name in `module_objects`."""
    inner, fn_module, custom = None, None, False
    if isinstance(config, dict):
        inner = config.get("config")
        if "class_name" not in config:
            raise ValueError(f"Unknown `config` as a `dict`, config={config}")
        if custom_objects and (config["class_name"] in custom_objects
                               or config.get("registered_name") in custom_objects
                               or (isinstance(inner, str) and inner in custom_objects)):
            custom = True
        elif config["class_name"] == "function":
            fn_module = config["module"]
            config = config["config"] if fn_module == "builtins" else config["registered_name"]
        else:
            if config.get("module", "_") is None:
                raise TypeError(f"Cannot deserialize object of type `{config['class_name']}`. "
                                f"If `{config['class_name']}` is a custom class, please "
                                f"register it using the "
                                f"`@keras.saving.register_keras_serializable()` decorator.")
            config = config["class_name"]
    if custom:
        return False, config
    if config not in module_objects:
        return True, config
    target = module_objects[config]
    if isinstance(target, types.FunctionType):
        return True, deserialize_keras_object(
            {"module": fn_module or target.__module__, "class_name": "function",
             "config": config, "registered_name": config}, custom_objects=custom_objects)
    # Built from the class itself (tf_keras names it by its public module).
    with CustomObjectScope(custom_objects or {}):
        instance = target.from_config(inner or {})
    return True, instance


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuilds an object from `serialize_keras_object`'s output.

    Args:
      config: The serialized form (a dict, a name, a list, or a plain value).
      custom_objects: Optional dict of extra classes and functions by name.
      safe_mode: Lambdas are never deserialized in tapeflow.
      **kwargs: `module_objects` (a dict of names to look up) and `printable_module_name`,
        for older call sites.

    Returns:
      The rebuilt object.
    """
    module_objects = kwargs.pop("module_objects", None)
    kwargs.pop("printable_module_name", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    custom_objects = {**(custom_objects or {}), **_scope_objects(), **_GLOBAL_CUSTOM_OBJECTS}
    if config is None:
        return None
    if isinstance(config, str) and custom_objects.get(config) is not None:
        return custom_objects[config]
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects=custom_objects, safe_mode=safe_mode)
                for x in config]
    if module_objects is not None:
        done, result = _with_module_objects(config, module_objects, custom_objects)
        if done:
            return result
        config = result
    if isinstance(config, _PLAIN_TYPES):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects=custom_objects,
                                              safe_mode=safe_mode)
                for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] or {}
    if class_name == "__tensor__":
        import tapeflow as tf
        return tf.constant(inner["value"], dtype=inner["dtype"])
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name in ("__lambda__", "__typespec__"):
        raise NotImplementedError(f"deserialize_keras_object of {class_name} objects is not "
                                  f"implemented in tapeflow.")
    module = config.get("module", None)
    registered_name = config.get("registered_name", class_name)
    if class_name == "function":
        return _retrieve(inner, registered_name, module, "function", config, custom_objects)
    cls = _retrieve(class_name, registered_name, module, "class", config, custom_objects)
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{class_name}' because the class "
                        f"is missing a `from_config()` method. Full object config: {config}")
    with CustomObjectScope(custom_objects):
        instance = cls.from_config(inner)
        build_config = config.get("build_config")
        if build_config:
            if hasattr(instance, "build_from_config"):
                instance.build_from_config(build_config)
            elif build_config.get("input_shape") is not None and not instance.built:
                instance.build(build_config["input_shape"])
                instance.built = True
                if getattr(instance, "_k_build_input_shape", False) is None:
                    instance._k_build_input_shape = build_config["input_shape"]
    return instance

"""`tf.keras.models` (re-exports only)."""

from tapeflow._src.keras.training import (  # noqa: F401
    Model, Sequential, clone_model, model_from_config, model_from_json,
)


from tapeflow._src.keras.saving import load_model as _load_model  # noqa: E402
from tapeflow._src.keras.saving import save_model as _save_model  # noqa: E402


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """A model saved by `Model.save` / `save_model` (tapeflow's files; see Model.save)."""
    return _load_model(filepath, custom_objects=custom_objects, compile=compile)


def save_model(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Same as `model.save(filepath)`."""
    _save_model(model, filepath, overwrite=overwrite, save_format=save_format)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.models", __name__)

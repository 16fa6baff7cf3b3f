"""`tf.keras.models` (re-exports only)."""

from tapeflow._src.keras.training import (  # noqa: F401
    Model, Sequential, clone_model, model_from_config,
)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Not available: tapeflow saves weights only (model.save_weights / load_weights)."""
    raise NotImplementedError("tf.keras.models.load_model is not implemented in tapeflow: "
                              "rebuild the model in code and call model.load_weights(path).")

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.models", __name__)

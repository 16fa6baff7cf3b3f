"""`tf.keras.backend` (re-exports only)."""

from tapeflow._src.keras.backend import (  # noqa: F401
    batch_get_value, batch_set_value, clear_session, epsilon, floatx, get_uid, get_value,
    image_data_format, int_shape, is_keras_tensor, set_epsilon, set_floatx,
    set_image_data_format, set_value,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.backend", __name__)

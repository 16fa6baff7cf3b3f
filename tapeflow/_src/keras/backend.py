"""tf.keras.backend: session-level settings (floatx, epsilon, image format, name counters)."""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import context

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx():
    """The default float type name, 'float32'."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of "
                         f"{{'float16', 'float32', 'float64'}}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions, 1e-07."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _IMAGE_DATA_FORMAT = str(data_format)


def clear_session():
    """Resets layer-name counters, so new layers are named 'dense', 'dense_1', ... again."""
    context.clear_session()


def get_uid(prefix=""):
    """A per-prefix counter starting at 1, as Keras's get_uid."""
    name = context.unique_layer_name("__uid__" + prefix)
    return 1 if name == "__uid__" + prefix else int(name.rsplit("_", 1)[1]) + 1


def is_keras_tensor(x):
    from tapeflow._src.keras.engine import KerasTensor
    return isinstance(x, KerasTensor)


def int_shape(x):
    return tuple(x.shape.as_list()) if hasattr(x.shape, "as_list") else tuple(x.shape)


def get_value(x):
    return np.asarray(x.numpy())


def set_value(x, value):
    x.assign(np.asarray(value))


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)

"""`tf.ragged`: functions that build and transform RaggedTensors."""

from tapeflow._src.ragged.ragged_ops import (  # noqa: F401
    boolean_mask,
    constant,
    map_flat_values,
    range,  # noqa: A004
    stack,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.ragged", __name__)

"""`tf.dtypes`: dtype objects and conversion (re-exports only)."""

from tapeflow._src.framework.dtypes import (
    DType, as_dtype, bool_ as bool, complex64, complex128, double, float16, float32, float64,
    half, int8, int16, int32, int64, string, uint8, uint16, uint32, uint64,
)
from tapeflow._src.ops.math_ops import cast, saturate_cast

from tapeflow._src.ops import dispatch as _dispatch  # noqa: E402

_dispatch.install(globals())  # tf.dtypes.cast of a ragged tensor casts its values

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.dtypes", __name__)

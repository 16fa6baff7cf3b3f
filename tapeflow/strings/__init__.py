"""`tf.strings`: string tensor ops (re-exports only)."""

from tapeflow._src.ops.string_ops import (
    as_string,
    join,
    length,
    lower,
    reduce_join,
    regex_replace,
    split,
    strip,
    to_number,
    upper,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.strings", __name__)

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

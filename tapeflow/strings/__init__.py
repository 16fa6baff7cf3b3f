"""`tf.strings`: string tensor ops (re-exports only)."""

from tapeflow._src.ops.string_extra_ops import (
    format,
    ngrams,
    regex_full_match,
    substr,
    unsorted_segment_join,
)
from tapeflow._src.ops.string_hash_ops import (
    to_hash_bucket,
    to_hash_bucket_fast,
    to_hash_bucket_strong,
)
from tapeflow._src.ops.unicode_ops import (
    bytes_split,
    unicode_decode,
    unicode_decode_with_offsets,
    unicode_encode,
    unicode_script,
    unicode_split,
    unicode_split_with_offsets,
    unicode_transcode,
)
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

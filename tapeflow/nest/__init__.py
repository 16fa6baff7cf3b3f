"""`tf.nest`: nested structure utilities (re-exports only)."""

from tapeflow._src.util.nest import (
    assert_same_structure, flatten, is_nested, map_structure, pack_sequence_as,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.nest", __name__)

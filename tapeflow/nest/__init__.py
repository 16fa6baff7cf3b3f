"""`tf.nest`: nested structure utilities (re-exports only)."""

from tapeflow._src.util.nest import (
    assert_same_structure, flatten, is_nested, map_structure, pack_sequence_as,
)

"""`tf.io`: TFRecord files, Example parsing and file helpers (re-exports only)."""

from tapeflow._src.io.file_io import read_file, write_file
from tapeflow._src.io.parsing import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    parse_example,
    parse_single_example,
)
from tapeflow._src.io.tfrecord import TFRecordOptions, TFRecordWriter, tf_record_iterator
from tapeflow._src.ops.string_extra_ops import (
    decode_base64,
    decode_raw,
    encode_base64,
    parse_tensor,
    serialize_tensor,
)
from tapeflow.io import gfile

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.io", __name__)

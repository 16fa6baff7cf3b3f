"""`tf.data`: input pipelines (re-exports only)."""

from tapeflow._src.data.dataset import (
    AUTOTUNE,
    INFINITE as INFINITE_CARDINALITY,
    UNKNOWN as UNKNOWN_CARDINALITY,
    Dataset,
    Options,
    OwnedIterator as Iterator,
)
from tapeflow._src.data.readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from tapeflow._src.data.structure import DatasetSpec
from tapeflow.data import experimental

DatasetV2 = Dataset

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.data", __name__)

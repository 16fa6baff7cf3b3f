"""`tf.data.experimental`: older spellings of tf.data features (re-exports only)."""

from tapeflow._src.data.dataset import (
    AUTOTUNE,
    INFINITE as INFINITE_CARDINALITY,
    UNKNOWN as UNKNOWN_CARDINALITY,
)
from tapeflow._src.data.readers import CsvDataset, make_csv_dataset  # noqa: F401
from tapeflow._src.data.experimental import (
    assert_cardinality,
    bucket_by_sequence_length,
    cardinality,
    choose_from_datasets,
    dense_to_ragged_batch,
    enumerate_dataset,
    get_single_element,
    group_by_window,
    ignore_errors,
    rebatch,
    sample_from_datasets,
    scan,
    shuffle_and_repeat,
    take_while,
    unbatch,
)

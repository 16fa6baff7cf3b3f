"""`tf.keras.metrics` (re-exports only)."""

from tapeflow._src.keras.losses import (  # noqa: F401
    binary_crossentropy, categorical_crossentropy, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, sparse_categorical_crossentropy,
)
from tapeflow._src.keras.metrics import (  # noqa: F401
    AUC, Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,
    CategoricalCrossentropy, Mean, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanMetricWrapper, MeanSquaredError, Metric, Precision, Recall, RootMeanSquaredError,
    SparseCategoricalAccuracy, SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy,
    Sum, TopKCategoricalAccuracy, accuracy, binary_accuracy, categorical_accuracy, get,
    serialize, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.metrics", __name__)

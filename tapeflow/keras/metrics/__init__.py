"""`tf.keras.metrics` (re-exports only)."""

from tapeflow._src.keras.losses import (  # noqa: F401
    KLD, MAE, MAPE, MSE, MSLE, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, hinge, kl_divergence, kld,
    kullback_leibler_divergence, log_cosh, logcosh, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse,
    msle, poisson, sparse_categorical_crossentropy, squared_hinge,
)
from tapeflow._src.keras.metrics import (  # noqa: F401
    AUC, Accuracy, BinaryAccuracy, BinaryCrossentropy, BinaryIoU, CategoricalAccuracy,
    CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, F1Score, FalseNegatives,
    FalsePositives, FBetaScore, Hinge, IoU, KLDivergence, LogCoshError, Mean,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanIoU, MeanMetricWrapper,
    MeanRelativeError, MeanSquaredError, MeanSquaredLogarithmicError, MeanTensor, Metric,
    OneHotIoU, OneHotMeanIoU, Poisson, Precision, PrecisionAtRecall, R2Score, Recall,
    RecallAtPrecision, RootMeanSquaredError, SensitivityAtSpecificity,
    SparseCategoricalAccuracy, SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy,
    SpecificityAtSensitivity, SquaredHinge, Sum, TopKCategoricalAccuracy, TrueNegatives,
    TruePositives, accuracy, binary_accuracy, categorical_accuracy, deserialize, get,
    serialize, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.metrics", __name__)

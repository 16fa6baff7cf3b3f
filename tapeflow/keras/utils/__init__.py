"""`tf.keras.utils` (re-exports only)."""

from tapeflow._src.keras.callbacks import Progbar  # noqa: F401
from tapeflow._src.keras.datasets import get_file  # noqa: F401
from tapeflow._src.keras.dataset_utils import (  # noqa: F401
    pad_sequences, split_dataset, text_dataset_from_directory, timeseries_dataset_from_array,
)
from tapeflow._src.keras.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
    get_registered_name, get_registered_object, register_keras_serializable,
    serialize_keras_object,
)
from tapeflow._src.keras.utils import (  # noqa: F401
    Sequence, normalize, pack_x_y_sample_weight, set_random_seed, to_categorical, to_ordinal,
    unpack_x_y_sample_weight,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.utils", __name__)

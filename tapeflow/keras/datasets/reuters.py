"""`tf.keras.datasets.reuters`: load_data(), get_word_index() and get_label_names()."""

from tapeflow._src.keras.datasets.text import (  # noqa: F401
    reuters_get_label_names as get_label_names,
    reuters_get_word_index as get_word_index,
    reuters_load_data as load_data,
)

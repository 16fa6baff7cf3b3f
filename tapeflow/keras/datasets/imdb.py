"""`tf.keras.datasets.imdb`: load_data() and get_word_index()."""

from tapeflow._src.keras.datasets.text import imdb_get_word_index as get_word_index  # noqa: F401
from tapeflow._src.keras.datasets.text import imdb_load_data as load_data  # noqa: F401

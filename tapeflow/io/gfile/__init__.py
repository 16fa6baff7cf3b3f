"""`tf.io.gfile`: local file-system helpers (re-exports only)."""

from tapeflow._src.io.file_io import (  # noqa: A004
    GFile, copy, exists, glob, isdir, listdir, makedirs, mkdir, remove, rename, rmtree,
)

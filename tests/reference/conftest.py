"""Differential tests against real TensorFlow 2.21: skipped when TensorFlow is absent."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

try:
    import tensorflow  # noqa: F401
    HAVE_TF = True
except ImportError:
    HAVE_TF = False


def pytest_collection_modifyitems(config, items):
    if HAVE_TF:
        return
    skip = pytest.mark.skip(reason="tensorflow is not installed (pip install -e '.[reference]')")
    for item in items:
        if "tests/reference" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tf_ref():
    """The real TensorFlow module."""
    import tensorflow
    return tensorflow

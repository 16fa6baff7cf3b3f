"""tf.data tests: restore the global random seed after each test."""

import pytest


@pytest.fixture(autouse=True)
def _reset_global_seed():
    yield
    import tapeflow as tf
    tf.random.set_seed(None)

"""examples/custom_training_loop.py runs, learns, and its @tf.function steps give exactly
the numbers of the same loop run eagerly (Keras layers, optimizer and metrics traced)."""

import os
import sys

import numpy as np

import tapeflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import custom_training_loop  # noqa: E402


def test_example_traced_matches_eager_and_learns():
    traced = custom_training_loop.run(epochs=2, batch_size=64, limit=600, verbose=False)
    tf.config.run_functions_eagerly(True)
    try:
        eager = custom_training_loop.run(epochs=2, batch_size=64, limit=600, verbose=False)
    finally:
        tf.config.run_functions_eagerly(False)
    np.testing.assert_allclose(np.array(traced), np.array(eager), rtol=1e-5)
    assert traced[1][0] < traced[0][0]  # the loss goes down
    assert traced[1][2] > 0.5           # and validation accuracy is well above chance

"""The progress bar of fit/evaluate/predict: tf_keras's live bar on a terminal, one line per
epoch when standard output is not a terminal, and verbose=2's per-epoch line.

The clock is faked (the module's `time` is replaced), so the expected outputs are exact.
The expected TTY strings were checked against tf_keras 2.21's ProgbarLogger; the last test
repeats that comparison when tf_keras is installed.
"""

import io

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.keras import callbacks as cbks


class FakeStdout(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


class FakeClock:
    """Replaces the `time` module: time() returns `now`, which the test advances."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now


# Three steps of 0.1 s each, with the logs `fit` would give after each step.
STEPS = [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.4, "accuracy": 0.5},
         {"loss": 0.3, "accuracy": 0.75}]
FINAL = {"loss": 0.3, "accuracy": 0.75}
BAR1 = "1/3 [=========>....................] - ETA: 0s - loss: 0.5000 - accuracy: 0.2500"
BAR2 = "2/3 [===================>..........] - ETA: 0s - loss: 0.4000 - accuracy: 0.5000"
BAR3 = "3/3 [==============================] - ETA: 0s - loss: 0.3000 - accuracy: 0.7500"
DONE = "3/3 [==============================] - 0s 100ms/step - loss: 0.3000 - accuracy: 0.7500"


def _drive(logger, clock, epochs=1, step_logs=STEPS, final=FINAL):
    """Calls the ProgbarLogger hooks as `fit` does, 0.1 s per step."""
    logger.on_train_begin()
    for epoch in range(epochs):
        logger.on_epoch_begin(epoch)
        for i, logs in enumerate(step_logs):
            clock.now += 0.1
            logger.on_train_batch_begin(i)
            logger.on_train_batch_end(i, dict(logs))
        logger.on_epoch_end(epoch, dict(final))
    logger.on_train_end()


def _run(monkeypatch, tty, verbose=1, epochs=1):
    out = FakeStdout(tty)
    clock = FakeClock()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr(cbks, "time", clock)
    logger = cbks.ProgbarLogger()
    logger.set_params({"verbose": verbose, "epochs": epochs, "steps": len(STEPS)})
    _drive(logger, clock, epochs)
    return out.getvalue()


def test_tty_redraws_in_place_with_keras_format(monkeypatch):
    got = _run(monkeypatch, tty=True)
    # Each redraw backspaces over the whole previous line, then returns the carriage.
    assert got == ("\r" + BAR1 + "\b" * len(BAR1) + "\r" + BAR2 + "\b" * len(BAR2) + "\r"
                   + BAR3 + "\b" * len(BAR3) + "\r" + DONE + "\n")


def test_not_a_tty_prints_one_line_per_epoch(monkeypatch):
    got = _run(monkeypatch, tty=False)
    assert got == DONE + "\n"
    assert "\r" not in got and "\b" not in got


def test_not_a_tty_several_epochs(monkeypatch):
    got = _run(monkeypatch, tty=False, epochs=2)
    assert got.splitlines() == ["Epoch 1/2", DONE, "Epoch 2/2", DONE]


def test_verbose_2_is_one_line_per_epoch_either_way(monkeypatch):
    line = "3/3 - 0s - loss: 0.3000 - accuracy: 0.7500 - 300ms/epoch - 100ms/step\n"
    assert _run(monkeypatch, tty=True, verbose=2) == line
    assert _run(monkeypatch, tty=False, verbose=2) == line


def test_verbose_0_prints_nothing(monkeypatch):
    out = FakeStdout(True)
    monkeypatch.setattr("sys.stdout", out)
    x = np.zeros((20, 3), "float32")
    m = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    m.compile("sgd", "mse")
    m.fit(x, np.zeros((20, 2), "float32"), epochs=2, batch_size=10, verbose=0)
    assert out.getvalue() == ""


def _fit_output(monkeypatch, tty):
    out = FakeStdout(tty)
    clock = FakeClock()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr(cbks, "time", clock)
    tick = tf.keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: setattr(clock, "now", clock.now + 0.1))
    rng = np.random.default_rng(0)
    x = rng.random((30, 3)).astype("float32")
    y = (x.sum(1) > 1.5).astype("int32")
    tf.random.set_seed(0)
    m = tf.keras.Sequential([tf.keras.layers.Dense(2, activation="softmax",
                                                   input_shape=(3,))])
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    hist = m.fit(x, y, epochs=2, batch_size=10, verbose=1, callbacks=[tick], shuffle=False)
    ev = m.evaluate(x, y, batch_size=10, verbose=1)
    return out.getvalue(), hist.history, ev


def test_fit_and_evaluate_not_a_tty(monkeypatch):
    got, hist, (loss, acc) = _fit_output(monkeypatch, tty=False)
    want = []
    for e in range(2):
        want += [f"Epoch {e + 1}/2",
                 f"3/3 [==============================] - 0s 100ms/step - loss: "
                 f"{hist['loss'][e]:.4f} - accuracy: {hist['accuracy'][e]:.4f}"]
    # evaluate's clock does not tick (the LambdaCallback is fit's only): 0us/step.
    want.append(f"3/3 [==============================] - 0s 0s/step - loss: {loss:.4f} - "
                f"accuracy: {acc:.4f}")
    assert got.splitlines() == want
    assert "\r" not in got


def test_fit_on_a_tty_ends_each_epoch_with_the_final_bar(monkeypatch):
    got, hist, _ = _fit_output(monkeypatch, tty=True)
    assert got.startswith("Epoch 1/2\n\r1/3 [=========>....................] - ETA: 0s - loss: ")
    lines = got.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[5] == ""
    for e, line in enumerate((lines[1], lines[3])):
        assert line.count("\r") == 4  # steps 1, 2, 3, then the finalized bar
        assert line.split("\r")[-1] == (
            f"3/3 [==============================] - 0s 100ms/step - loss: "
            f"{hist['loss'][e]:.4f} - accuracy: {hist['accuracy'][e]:.4f}")
    # evaluate: its clock stands still, so steps 2 and 3 fall within the 0.05 s redraw
    # interval and only step 1 and the final bar are drawn.
    assert lines[4].startswith("\r1/3 [=========>") and lines[4].count("\r") == 2


def test_tty_matches_tf_keras(monkeypatch):
    """Differential: the same hook calls into tf_keras's ProgbarLogger print the same bytes."""
    pytest.importorskip("tensorflow")
    generic_utils = pytest.importorskip("tf_keras.src.utils.generic_utils")
    from tf_keras.src import callbacks as ref_cbks
    for tty, verbose in ((True, 1), (True, 2), (False, 2)):
        out = FakeStdout(tty)
        clock = FakeClock()
        monkeypatch.setattr("sys.stdout", out)
        monkeypatch.setattr(generic_utils, "time", clock)
        ref = ref_cbks.ProgbarLogger(count_mode="steps", stateful_metrics=list(FINAL))
        ref.set_params({"verbose": verbose, "epochs": 2, "steps": len(STEPS)})
        _drive(ref, clock, epochs=2)
        assert _run(monkeypatch, tty=tty, verbose=verbose, epochs=2) == out.getvalue()

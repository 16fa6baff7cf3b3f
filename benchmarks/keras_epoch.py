#!/usr/bin/env python3
"""One Keras `fit` epoch: tapeflow's tf.keras against tf_keras (TensorFlow's Keras 2).

The model is the one of examples/mnist.py (Flatten, Dense 128 ReLU, Dropout 0.2, Dense 10
softmax, Adam, sparse categorical cross-entropy, accuracy), trained for one epoch with batch
32 on the 4,000 training digits of the MNIST sample bundled with tapeflow. TensorFlow is
run both as Keras runs it by default (a `tf.function` train step) and with
`run_eagerly=True`; it shows as "n/a" when not installed.

    python benchmarks/keras_epoch.py [--epochs 5] [--threads 1] [--clock cpu]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "tapeflow", "_src", "keras", "datasets", "mnist_sample.npz")


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=5, help="timed epochs (after one warm-up)")
    ap.add_argument("--threads", help="BLAS/TF threads (default: each library's own)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    return ap.parse_args(argv)


ARGS = parse(sys.argv[1:])
if ARGS.threads:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = ARGS.threads
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import tapeflow  # noqa: E402

try:
    import tensorflow
    if ARGS.threads:
        tensorflow.config.threading.set_intra_op_parallelism_threads(int(ARGS.threads))
        tensorflow.config.threading.set_inter_op_parallelism_threads(int(ARGS.threads))
except ImportError:
    tensorflow = None

CLOCK = time.perf_counter if ARGS.clock == "wall" else time.process_time


def data():
    with np.load(SAMPLE) as f:
        return f["x_train"] / 255.0, f["y_train"]


def make_model(tf, run_eagerly=False):
    tf.random.set_seed(0)
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    kwargs = {"run_eagerly": True} if run_eagerly else {}
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **kwargs)
    return model


def time_epochs(model, x, y, epochs):
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False)  # warm-up / tracing
    times, losses = [], []
    for _ in range(epochs):
        t = CLOCK()
        hist = model.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False)
        times.append(CLOCK() - t)
        losses.append(hist.history["loss"][-1])
    return times, losses


def main():
    x, y = data()
    steps = -(-len(x) // 32)
    impls = {"tapeflow": lambda: make_model(tapeflow)}
    if tensorflow is not None:
        impls["tf_keras (tf.function)"] = lambda: make_model(tensorflow)
        impls["tf_keras (run_eagerly)"] = lambda: make_model(tensorflow, run_eagerly=True)
    rows, base = [], None
    for name, make in impls.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        times, losses = time_epochs(make(), x, y, ARGS.epochs)
        med = statistics.median(times)
        base = base or med
        rows.append((name, med, steps / med, losses[-1], med / base))
    for name in ("tf_keras (tf.function)", "tf_keras (run_eagerly)"):
        if name not in impls:
            rows.append((name, None, None, None, None))
    print(f"One epoch of `fit`, MNIST sample ({len(x)} images, batch 32, {steps} steps), "
          f"median of {ARGS.epochs} epochs, {ARGS.clock} clock, threads: "
          f"{ARGS.threads or 'library defaults'}\n")
    print("| implementation | epoch | steps/s | last epoch loss | time / tapeflow |")
    print("|---|---:|---:|---:|---:|")
    for name, med, sps, loss, r in rows:
        if med is None:
            print(f"| {name} | n/a | n/a | n/a | n/a |")
        else:
            print(f"| {name} | {med * 1e3:.0f} ms | {sps:.0f} | {loss:.4f} | {r:.2f}x |")


if __name__ == "__main__":
    main()

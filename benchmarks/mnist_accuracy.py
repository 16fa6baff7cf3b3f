#!/usr/bin/env python3
"""Test accuracy of the front-page model, tapeflow against tf.keras, over several seeds.

The model of TensorFlow's front page (Flatten(28, 28), Dense(128, relu), Dropout(0.2),
Dense(10, softmax), Adam, sparse categorical cross-entropy) is trained for `--epochs`
epochs (batch 32, shuffled, as `fit` does by default) on the offline MNIST sample bundled
with tapeflow (4,000 training and 1,000 test digits), once per seed with tapeflow and
once per seed with tf_keras (TensorFlow's Keras 2), each seed in a fresh process. The
seed is given to `tf.random.set_seed` (weights, dropout and shuffling) and NumPy.

Reported: test accuracy and loss per seed, and mean +- sample standard deviation per
framework; the goal is tapeflow's mean within 1.5 points of TensorFlow's. TensorFlow runs
under `--tf-python` (default: this interpreter) and shows as "n/a" when not importable.

    python benchmarks/mnist_accuracy.py
    python benchmarks/mnist_accuracy.py --seeds 0 1 2 3 4 5 6 7 8 9 --epochs 5
    python benchmarks/mnist_accuracy.py --tf-python /path/to/venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "tapeflow", "_src", "keras", "datasets", "mnist_sample.npz")
GOAL_POINTS = 1.5


def worker(impl, seed, epochs):
    """Trains one model in this process and returns its test loss and accuracy."""
    if impl == "tf_keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        try:
            import tensorflow as tf
        except ImportError:
            return {"error": "TensorFlow not installed"}
    else:
        if ROOT not in sys.path:
            sys.path.insert(0, ROOT)
        import tapeflow as tf
    import numpy as np

    with np.load(SAMPLE) as f:
        x_train, y_train = f["x_train"] / 255.0, f["y_train"]
        x_test, y_test = f["x_test"] / 255.0, f["y_test"]
    np.random.seed(seed)
    tf.random.set_seed(seed)
    from _front_page import front_page_model
    model = front_page_model(tf)
    hist = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    return {"impl": impl, "seed": seed, "test_loss": float(loss), "test_acc": float(acc),
            "train_loss": [float(v) for v in hist.history["loss"]],
            "train_acc": [float(v) for v in hist.history["accuracy"]]}


def run(python, impl, seed, epochs):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    cmd = [python, os.path.abspath(__file__), "--worker", impl, "--seeds", str(seed),
           "--epochs", str(epochs)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    except OSError as e:
        return {"impl": impl, "seed": seed, "error": str(e)}
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"impl": impl, "seed": seed, "error": tail}
    out = json.loads(lines[-1])
    out.setdefault("impl", impl)
    out.setdefault("seed", seed)
    return out


def summary(results, impl):
    accs = [r["test_acc"] for r in results if r["impl"] == impl and "error" not in r]
    if not accs:
        return None
    return (statistics.mean(accs) * 100, statistics.stdev(accs) * 100 if len(accs) > 1 else 0.0,
            len(accs))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--tf-python", default=sys.executable,
                    help="interpreter that has tensorflow and tf_keras installed")
    ap.add_argument("--json", help="also write the per-seed results to this file")
    ap.add_argument("--worker", choices=("tapeflow", "tf_keras"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.seeds[0], args.epochs)))
        return 0

    results = []
    for impl, python in (("tapeflow", sys.executable), ("tf_keras", args.tf_python)):
        for seed in args.seeds:
            print(f"{impl}, seed {seed} ...", file=sys.stderr, flush=True)
            results.append(run(python, impl, seed, args.epochs))

    print(f"Front-page model, {args.epochs} epochs, batch 32, MNIST sample (4,000 train / "
          f"1,000 test), seeds {args.seeds}\n")
    print("| seed | tapeflow test acc | tf.keras test acc | tapeflow test loss "
          "| tf.keras test loss |")
    print("|---:|---:|---:|---:|---:|")
    by = {(r["impl"], r["seed"]): r for r in results}
    for seed in args.seeds:
        cells = []
        for key in ("test_acc", "test_loss"):
            for impl in ("tapeflow", "tf_keras"):
                r = by[(impl, seed)]
                cells.append("n/a" if "error" in r else (
                    f"{r[key] * 100:.2f}%" if key == "test_acc" else f"{r[key]:.4f}"))
        print(f"| {seed} | " + " | ".join(cells) + " |")
    print()
    print("| framework | mean test accuracy | std (sample) | runs |")
    print("|---|---:|---:|---:|")
    stats = {}
    for impl, label in (("tapeflow", "tapeflow"), ("tf_keras", "tf.keras (tf_keras)")):
        s = stats[impl] = summary(results, impl)
        if s is None:
            errs = {r.get("error") for r in results if r["impl"] == impl}
            print(f"| {label} | n/a | n/a | 0 ({'; '.join(sorted(map(str, errs)))}) |")
        else:
            print(f"| {label} | {s[0]:.2f}% | {s[1]:.2f} | {s[2]} |")
    if stats["tapeflow"] and stats["tf_keras"]:
        gap = stats["tapeflow"][0] - stats["tf_keras"][0]
        verdict = "within" if abs(gap) <= GOAL_POINTS else "NOT within"
        print(f"\ntapeflow - tf.keras: {gap:+.2f} points ({verdict} the {GOAL_POINTS}-point goal)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

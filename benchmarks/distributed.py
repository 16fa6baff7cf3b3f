"""Data-parallel benchmark: MNIST training throughput with 1 and 2 workers, and all-reduce
time versus gradient size.

    python benchmarks/distributed.py            # launches the runs below with mpiexec
    python benchmarks/distributed.py --quick    # fewer steps and sizes (a smoke test)

Runs (each a separate `mpiexec -n N` job of this file in --worker mode):
  * 1 worker with NumPy's default threads, 1 worker with 1 thread (global batch 64 and
    128), 2 workers with 1 thread each (64 per worker: global batch 128), training the
    front-page MNIST model (Flatten-Dense(128)-Dropout-Dense(10), Adam) on the bundled MNIST
    sample;
  * the all-reduce (`Strategy.reduce(SUM)` path used for gradients) of float32 buffers of
    1e3 .. 4e6 elements, timed between 2 workers, and the same for the MNIST model's
    gradient inside training steps.
Prints a table and, with --json PATH, writes the numbers (docs/scaling.md uses them).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _mnist_model(tf):
    from _front_page import front_page_model
    return front_page_model(tf)


def worker(args):
    import tapeflow as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    ext = strategy.extended
    rank, n = ext._comm.rank, ext._comm.size
    out = {"workers": n}
    (x, y), _ = tf.keras.datasets.mnist.load_sample()
    x = (x / 255.0).astype(np.float32)
    global_batch = args.batch_per_worker * n
    steps = args.steps
    x, y = x[:global_batch * steps], y[:global_batch * steps]
    with strategy.scope():
        model = _mnist_model(tf)
    model.fit(x[:global_batch * 2], y[:global_batch * 2], batch_size=global_batch, epochs=1,
              verbose=0, shuffle=False)  # warm-up: builds weights and optimizer slots
    # time spent in collectives during training (includes waiting for the other worker)
    import tapeflow._src.distribute.collective as cmod
    import tapeflow._src.distribute.strategy as smod
    original = smod.StrategyExtended._sum_arrays
    spent = {"gradients": 0.0, "all": 0.0}
    exchange = cmod.MPICommunicator.exchange

    def timed_exchange(self, payload, to, frm, what):
        t0 = time.perf_counter()
        try:
            return exchange(self, payload, to, frm, what)
        finally:
            dt = time.perf_counter() - t0
            spent["all"] += dt
            if what == "all-reduce of gradients":
                spent["gradients"] += dt

    cmod.MPICommunicator.exchange = timed_exchange
    ext._barrier()
    spent.update(gradients=0.0, all=0.0)
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=global_batch, epochs=1, verbose=0, shuffle=False)
    elapsed = time.perf_counter() - t0
    cmod.MPICommunicator.exchange = exchange
    out["train_allreduce_ms"] = 1000 * spent["gradients"] / steps
    out["train_collectives_ms"] = 1000 * spent["all"] / steps
    out["global_batch"] = global_batch
    out["steps"] = steps
    out["step_ms"] = 1000 * elapsed / steps
    out["examples_per_s"] = global_batch * steps / elapsed
    out["grad_elements"] = int(sum(np.prod(v.shape) for v in model.trainable_variables))
    if n > 1:
        sizes = [1000, 10_000, 100_000, 1_000_000] + ([] if args.quick else [4_000_000])
        rows = []
        for size in sizes:
            buf = np.ones(size, np.float32)
            reps = max(3, min(200, int(2e7 // size))) if not args.quick else 3
            original(ext, [buf])  # warm-up
            ext._barrier()
            t0 = time.perf_counter()
            for _ in range(reps):
                original(ext, [buf])
            rows.append({"elements": size, "bytes": 4 * size,
                         "ms": 1000 * (time.perf_counter() - t0) / reps})
        out["allreduce"] = rows
    if rank == 0:
        print("RESULT " + json.dumps(out), flush=True)


def find_mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.path.exists(beside) else shutil.which("mpiexec")


def launch(n, threads, args, batch_per_worker=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    if threads:
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[k] = str(threads)
    cmd = [find_mpiexec(), "-n", str(n), sys.executable, os.path.abspath(__file__), "--worker",
           "--steps", str(args.steps), "--batch-per-worker",
           str(batch_per_worker or args.batch_per_worker)]
    if args.quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                          check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"worker run failed:\n{proc.stdout}\n{proc.stderr}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--batch-per-worker", type=int, default=64)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    if args.steps is None:
        args.steps = 5 if args.quick else 30
    if args.worker:
        return worker(args)
    if find_mpiexec() is None:
        sys.exit("mpiexec not found: pip install 'tapeflow[distributed]'")
    b = args.batch_per_worker
    runs = [("1 worker, default threads", 1, None, b), ("1 worker, 1 thread", 1, 1, b),
            ("1 worker, 1 thread", 1, 1, 2 * b), ("2 workers, 1 thread each", 2, 1, b)]
    results = []
    print(f"MNIST model, {args.steps} timed steps per run")
    print(f"{'run':28s} {'global batch':>12s} {'step ms':>9s} {'examples/s':>11s} "
          f"{'grad all-reduce ms':>19s} {'all collectives ms':>19s}")
    for label, n, threads, bpw in runs:
        r = launch(n, threads, args, bpw)
        r["label"] = label
        results.append(r)
        print(f"{label:28s} {r['global_batch']:12d} {r['step_ms']:9.2f} "
              f"{r['examples_per_s']:11.0f} {r['train_allreduce_ms']:19.3f} "
              f"{r['train_collectives_ms']:19.3f}")
    ar = results[-1].get("allreduce", [])
    print(f"\nAll-reduce (sum) of float32 buffers between 2 workers "
          f"(MNIST gradient: {results[-1]['grad_elements']} elements)")
    print(f"{'elements':>10s} {'MB':>8s} {'ms':>9s} {'GB/s':>7s}")
    for row in ar:
        print(f"{row['elements']:10d} {row['bytes'] / 1e6:8.3f} {row['ms']:9.3f} "
              f"{row['bytes'] / row['ms'] / 1e6:7.2f}")
    if len(ar) >= 2:
        sizes = np.array([r["bytes"] for r in ar], float)
        ms = np.array([r["ms"] for r in ar], float)
        slope, alpha = np.polyfit(sizes, ms, 1)
        print(f"\nfit: t = {alpha:.3f} ms + bytes / ({1 / slope / 1e6:.2f} GB/s)")
        results.append({"fit_alpha_ms": alpha, "fit_gb_per_s": 1 / slope / 1e6})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

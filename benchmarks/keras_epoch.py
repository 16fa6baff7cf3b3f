#!/usr/bin/env python3
"""One training epoch of the front-page model: tapeflow, tf.keras, PyTorch and the NumPy floor.

The model is TensorFlow's front-page example: Flatten(28, 28), Dense(128, relu),
Dropout(0.2), Dense(10, softmax), Adam, sparse categorical cross-entropy, accuracy, batch
32, shuffled. It is trained on 60,000 synthetic MNIST-shaped samples (float32 images in
[0, 1), integer labels given by a fixed random linear rule, so the loss falls), so one
epoch is 1,875 steps, as on the real MNIST.

Side by side, each in its own subprocess (so peak memory is attributable to it):
  * tapeflow   `model.fit` (tapeflow's tf.keras), its train step traced (a tf.function,
               the default), and again with `compile(run_eagerly=True)` (eager);
  * tf.keras   `model.fit` of tf_keras (TF_USE_LEGACY_KERAS=1), with its default
               `tf.function` train step (`--only ... tf_keras_eager` adds
               `run_eagerly=True`, about 10x slower, so not run by default);
  * PyTorch    a plain loop: same layers (logits + CrossEntropyLoss), Adam, dropout 0.2;
               and the same loop with `torch.compile` on the model and on the optimizer
               step (the row says "n/a: <reason>" if compiling fails on this machine);
  * NumPy      a hand-written forward / backward / Adam loop in float32 (the floor);
and each of them with one BLAS/OpenMP thread and with the libraries' default threads.
The PyTorch and NumPy loops also accumulate the mean loss and accuracy, as `fit` does.
Frameworks that cannot be imported show "n/a".

Reported per run: the first step's time (for the traced or compiled implementations it
includes the trace or compilation: tapeflow's trace of the train step, tf_keras's
tf.function trace and graph build, torch.compile's compilation with Inductor's caches off;
for the eager ones it is an ordinary step), seconds per epoch (best and median of
`--epochs` timed epochs per round, after a warm-up of 100 steps; with `--rounds R` every
implementation runs R times, interleaved, so a burst of load from other processes does not
hit one of them only), wall clock and process CPU time (the CPU figure is the steadier one
on a shared machine; with several threads it adds up every thread's time), ms per step, the
ratio to the NumPy floor of the same thread setting, the 1-minute load average, the
resident memory after importing the framework, after creating the data (+188 MB of images),
the peak (`ru_maxrss`) and the peak minus the data baseline; for NumPy-based
implementations (tapeflow, NumPy) also the peak of NumPy/Python allocations made during 100
steps, traced with `tracemalloc`.

    python benchmarks/keras_epoch.py                   # both thread settings (~4 minutes)
    python benchmarks/keras_epoch.py --threads 1 --rounds 3   # steadier on a busy machine
    python benchmarks/keras_epoch.py --threads 1       # one setting only
    python benchmarks/keras_epoch.py --only tapeflow numpy --epochs 2
    python benchmarks/keras_epoch.py --profile 300     # cProfile of 300 tapeflow fit steps
    python benchmarks/keras_epoch.py --eval-predict --threads 1   # evaluate/predict timing

The goal held to: tapeflow's epoch at most 1.3x the NumPy floor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMPLS = ("numpy", "tapeflow", "tapeflow_jit", "tapeflow_eager", "torch", "torch_compile",
         "tf_keras")
OPTIONAL = ("tf_keras_eager", "tf_keras_jit")  # only with --only (eager: ~10x slower)
LABELS = {"numpy": "NumPy loop (floor)", "tapeflow": "tapeflow `fit` (traced, default)",
          "tapeflow_eager": "tapeflow `fit`, run_eagerly=True",
          "tapeflow_jit": "tapeflow `fit`, jit_compile=True (numba)",
          "tf_keras_jit": "tf.keras `fit`, jit_compile=True (XLA)",
          "torch": "PyTorch loop", "torch_compile": "PyTorch loop, `torch.compile`",
          "tf_keras": "tf.keras `fit` (tf_keras)",
          "tf_keras_eager": "tf.keras `fit`, run_eagerly=True"}
N_SAMPLES, BATCH, WARM_STEPS, TRACE_STEPS = 60000, 32, 100, 100


# ---------------------------------------------------------------------------------------------
# Worker side: one implementation in this process
# ---------------------------------------------------------------------------------------------

def _rss_mb():
    """Current resident set size in MB (Linux /proc), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_mb():
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _data(np):
    rng = np.random.default_rng(0)
    x = rng.random((N_SAMPLES, 28, 28), dtype=np.float32)
    # Learnable labels (a fixed random linear rule), so that the losses show each one trains.
    proj = rng.standard_normal((784, 10)).astype(np.float32)
    y = (x.reshape(N_SAMPLES, 784) @ proj).argmax(1).astype(np.int64)
    return x, y


def _keras_runner(tf, threads, run_eagerly=False, jit_compile=False):
    """fit() runner shared by tapeflow and tf_keras (`tf` is either module)."""
    if threads and tf.__name__ == "tensorflow":
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.random.set_seed(0)
    from _front_page import front_page_model
    model = front_page_model(tf, **({"run_eagerly": True} if run_eagerly else {}),
                             **({"jit_compile": True} if jit_compile else {}))

    class FirstStep(tf.keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0 and not first:
                self.t = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if batch == 0 and not first:
                float(logs["loss"])  # the step's result is ready
                first.append(time.perf_counter() - self.t)

    class Timer(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t, self.c = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)
            cpu.append(time.process_time() - self.c)
            losses.append(float(logs["loss"]))

    times, cpu, losses, first = [], [], [], []

    def warm(x, y):
        model.fit(x[:WARM_STEPS * BATCH], y[:WARM_STEPS * BATCH], epochs=1,
                  batch_size=BATCH, verbose=0, callbacks=[FirstStep()])
        return first[0] if first else None

    def epochs(x, y, n):
        model.fit(x, y, epochs=n, batch_size=BATCH, verbose=0, callbacks=[Timer()])
        return times, cpu, losses

    return warm, epochs, model


def _torch_runner(threads, compile=False):
    import torch
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Dropout(0.2), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt_step = opt.step
    if compile:
        # The model's forward and backward (AOTAutograd) and the Adam update are compiled;
        # loss.backward() itself stays a Python call between them (a graph break).
        model = torch.compile(model)

        @torch.compile
        def opt_step():
            opt.step()

    def run(x, y, steps=None):
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        n = len(xt) if steps is None else min(len(xt), steps * BATCH)
        order = torch.randperm(len(xt))[:n]
        model.train()
        total, correct, seen = 0.0, 0, 0
        for s in range(0, n, BATCH):
            idx = order[s:s + BATCH]
            xb, yb = xt[idx], yt[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt_step()
            total += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            seen += len(idx)
        return total / seen

    return run


def _numpy_runner(np):
    """The floor: float32 forward, hand-derived backward and Adam, updated in place."""
    rng = np.random.default_rng(0)
    lim1, lim2 = np.sqrt(6 / (784 + 128)), np.sqrt(6 / (128 + 10))
    params = [rng.uniform(-lim1, lim1, (784, 128)).astype(np.float32),
              np.zeros(128, np.float32),
              rng.uniform(-lim2, lim2, (128, 10)).astype(np.float32),
              np.zeros(10, np.float32)]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps, rate = 1e-3, 0.9, 0.999, 1e-7, 0.2
    state = {"t": 0}

    def step(xb, yb):
        w1, c1, w2, c2 = params
        b = len(yb)
        x2 = xb.reshape(b, 784)
        h = x2 @ w1
        h += c1
        np.maximum(h, 0, out=h)
        keep = rng.random(h.shape, dtype=np.float32) >= rate
        h *= keep
        h *= np.float32(1 / (1 - rate))
        z = h @ w2
        z += c2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)  # z is now the softmax output p
        rows = np.arange(b)
        loss = -np.log(np.maximum(z[rows, yb], 1e-7)).mean()
        correct = int((z.argmax(1) == yb).sum())
        z[rows, yb] -= 1.0
        z *= np.float32(1 / b)  # dL/dlogits
        dh = z @ w2.T
        dh *= h > 0  # ReLU and dropout mask: h > 0 exactly where both let x through
        dh *= np.float32(1 / (1 - rate))
        grads = (x2.T @ dh, dh.sum(0), h.T @ z, z.sum(0))
        state["t"] += 1
        t = state["t"]
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for p, g, m, v in zip(params, grads, ms, vs):
            m += (g - m) * np.float32(1 - b1)
            v += (g * g - v) * np.float32(1 - b2)
            p -= (m * np.float32(alpha)) / (np.sqrt(v) + np.float32(eps))
        return loss, correct

    def run(x, y, steps=None):
        n = len(x) if steps is None else min(len(x), steps * BATCH)
        order = rng.permutation(len(x))[:n]
        total, correct, seen = 0.0, 0, 0
        for s in range(0, n, BATCH):
            idx = order[s:s + BATCH]
            loss, c = step(x[idx], y[idx])
            total += float(loss) * len(idx)
            correct += c
            seen += len(idx)
        return total / seen

    return run


def _loop_epochs(run, x, y, n):
    times, cpu, losses = [], [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        losses.append(run(x, y))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, losses


def worker(impl, threads, n_epochs, trace):
    out = {"impl": impl, "threads": threads or "default"}
    try:
        if impl in ("tf_keras", "tf_keras_eager", "tf_keras_jit"):
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            os.environ["TF_USE_LEGACY_KERAS"] = "1"
            import tensorflow as mod
        elif impl in ("tapeflow", "tapeflow_eager", "tapeflow_jit"):
            if ROOT not in sys.path:
                sys.path.insert(0, ROOT)
            import tapeflow as mod
            if impl == "tapeflow_jit":
                import numba  # noqa: F401  (the optional 'tapeflow[jit]' extra)
        elif impl in ("torch", "torch_compile"):
            if impl == "torch_compile":
                # A cold compile each run (not Inductor's on-disk cache of an earlier run),
                # so the first-step column is the compilation cost a new program pays.
                os.environ.setdefault("TORCHINDUCTOR_FORCE_DISABLE_CACHES", "1")
            import torch as mod  # noqa: F401
        import numpy as np
    except ImportError as e:
        out["error"] = f"not installed ({e.name})"
        return out
    out["version"] = np.__version__ if impl == "numpy" else mod.__version__
    out["rss_import"] = _rss_mb()
    x, y = _data(np)
    out["rss_data"] = _rss_mb()
    if impl in ("tapeflow", "tapeflow_eager", "tapeflow_jit", "tf_keras", "tf_keras_eager",
                "tf_keras_jit"):
        warm, run_epochs, model = _keras_runner(mod, threads, impl.endswith("_eager"),
                                                impl.endswith("_jit"))
        out["first_step"] = warm(x, y)
        if impl in ("tapeflow", "tapeflow_jit"):
            fn = getattr(model, "_k_train_fn", None)
            out["traces"] = fn.experimental_get_tracing_count() if fn is not None else None
        times, cpu, losses = run_epochs(x, y, n_epochs)
        step_runner = warm
    else:
        try:
            run = (_torch_runner(threads, impl == "torch_compile") if impl.startswith("torch")
                   else _numpy_runner(np))
            t = time.perf_counter()
            run(x[:BATCH], y[:BATCH], steps=1)
            out["first_step"] = time.perf_counter() - t
        except Exception as e:  # noqa: BLE001 - e.g. torch.compile without a C++ compiler
            msg = " ".join(str(e).split())[:120]
            out["error"] = f"{type(e).__name__}: {msg}"
            return out
        run(x, y, steps=WARM_STEPS)
        times, cpu, losses = _loop_epochs(run, x, y, n_epochs)

        def step_runner(x, y):
            run(x, y, steps=WARM_STEPS)
    out["peak"] = _peak_mb()
    out["times"], out["cpu"], out["losses"] = times, cpu, losses
    out["load"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if trace and impl in ("tapeflow", "tapeflow_eager", "numpy"):
        import tracemalloc
        xs, ys = x[:TRACE_STEPS * BATCH].copy(), y[:TRACE_STEPS * BATCH].copy()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        step_runner(xs, ys)
        out["traced_peak"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        tracemalloc.stop()
    return out


EVAL_N, EVAL_REPEATS = 10000, 5
EVAL_IMPLS = ("tapeflow", "tapeflow_eager", "tf_keras", "tf_keras_eager")


def eval_worker(impl, threads):
    """evaluate() and predict() of the front-page model on EVAL_N samples, batch 32."""
    out = {"impl": impl, "threads": threads or "default"}
    try:
        if impl.startswith("tf_keras"):
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            os.environ["TF_USE_LEGACY_KERAS"] = "1"
            import tensorflow as mod
        else:
            if ROOT not in sys.path:
                sys.path.insert(0, ROOT)
            import tapeflow as mod
        import numpy as np
    except ImportError as e:
        out["error"] = f"not installed ({e.name})"
        return out
    x, y = _data(np)
    x, y = x[:EVAL_N], y[:EVAL_N]
    _, _, model = _keras_runner(mod, threads, impl.endswith("_eager"))
    for name, call in (("evaluate", lambda: model.evaluate(x, y, batch_size=BATCH, verbose=0)),
                       ("predict", lambda: model.predict(x, batch_size=BATCH, verbose=0))):
        t = time.perf_counter()
        call()
        out[name + "_first"] = time.perf_counter() - t
        times = []
        for _ in range(EVAL_REPEATS):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        out[name] = min(times)
        attr = ("test" if name == "evaluate" else "predict") + (
            "_function" if impl.startswith("tf_keras") else "_fn")
        fn = getattr(model, ("_k_" if impl.startswith("tapeflow") else "") + attr, None)
        if hasattr(fn, "experimental_get_tracing_count"):
            out[name + "_traces"] = fn.experimental_get_tracing_count()
    return out


def eval_table(threads):
    rows = [f"evaluate() and predict() of the front-page model on {EVAL_N:,} samples, batch "
            f"{BATCH} ({-(-EVAL_N // BATCH)} steps, the last one partial); best of "
            f"{EVAL_REPEATS} calls after a first call (which traces), each implementation in "
            f"its own process.\n",
            "| implementation | evaluate, s (best) | first evaluate, s | predict, s (best) "
            "| first predict, s | traces (evaluate / predict) |",
            "|---|---:|---:|---:|---:|---:|"]
    labels = {"tapeflow": "tapeflow (traced, default)",
              "tapeflow_eager": "tapeflow, run_eagerly=True",
              "tf_keras": "tf_keras (tf.function)", "tf_keras_eager": "tf_keras, run_eagerly=True"}
    for impl in EVAL_IMPLS:
        print(f"evaluate/predict: {impl} ...", file=sys.stderr, flush=True)
        r = _run_worker(["--eval-worker", impl], threads)
        if "error" in r:
            rows.append(f"| {labels[impl]} | n/a: {r['error']} | | | | |")
            continue
        traces = (f"{r['evaluate_traces']} / {r['predict_traces']}"
                  if "evaluate_traces" in r else "n/a")
        rows.append(f"| {labels[impl]} | {r['evaluate']:.3f} | {r['evaluate_first']:.3f} | "
                    f"{r['predict']:.3f} | {r['predict_first']:.3f} | {traces} |")
    return "\n".join(rows)


def profile(steps, sort="tottime", limit=35):
    """cProfile of `steps` steps of tapeflow's fit (after a warm-up), printed to stdout."""
    import cProfile
    import pstats
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    import numpy as np
    import tapeflow
    x, y = _data(np)
    warm, _, model = _keras_runner(tapeflow, None)
    warm(x, y)
    xs, ys = x[:steps * BATCH], y[:steps * BATCH]
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    model.fit(xs, ys, epochs=1, batch_size=BATCH, verbose=0)
    prof.disable()
    wall = time.perf_counter() - t
    print(f"tapeflow fit, {steps} steps under cProfile: {wall:.2f} s "
          f"({wall / steps * 1e3:.2f} ms/step with profiling overhead)\n")
    st = pstats.Stats(prof, stream=sys.stdout)
    st.sort_stats(sort).print_stats(limit)
    st.sort_stats("cumulative").print_stats(limit)


# ---------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------

def _env(threads):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if threads:
            env[var] = str(threads)
        else:
            env.pop(var, None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["TF_USE_LEGACY_KERAS"] = "1"
    return env


def _run_worker(args, threads):
    """This script with `args` in a subprocess: its last JSON line, or {"error": ...}."""
    cmd = [sys.executable, os.path.abspath(__file__)] + args
    if threads:
        cmd += ["--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(threads))
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"failed: {tail}"}
    return json.loads(lines[-1])


def run_one(impl, threads, n_epochs, trace):
    r = _run_worker(["--worker", impl, "--epochs", str(n_epochs)]
                    + (["--trace"] if trace else []), threads)
    if "error" in r:
        r.update(impl=impl, threads=threads or "default")
    return r


def _mb(v):
    return "n/a" if v is None else f"{v:.0f}"


def _first(r):
    """The first step's time (s); several rounds: the smallest; with the trace count."""
    v = r.get("first_step")
    if v is None:
        return "n/a"
    text = f"{min(v) if isinstance(v, list) else v:.3f}"
    if r.get("traces"):
        text += f" ({r['traces']} traces)"
    return text


def table(results, n_epochs):
    import statistics
    rows = ["| implementation | threads | s/epoch, best (wall) | median | ms/step (best) "
            "| x floor | CPU s/epoch, best | x floor (CPU) | first step (trace/compile), s "
            "| RSS after import (MB) "
            "| after data (MB) | peak RSS (MB) | peak - data (MB) "
            "| traced peak, 100 steps (MB) | last loss | max load avg |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    floors, cpu_floors = {}, {}
    for r in results:
        if r["impl"] == "numpy" and "error" not in r:
            floors[r["threads"]] = min(r["times"])
            cpu_floors[r["threads"]] = min(r["cpu"])
    for r in results:
        name = LABELS[r["impl"]]
        if "error" in r:
            rows.append(f"| {name} | {r['threads']} | " + "n/a | " * 13
                        + f"n/a: {r['error']} |")
            continue
        best, med = min(r["times"]), statistics.median(r["times"])
        floor = floors.get(r["threads"])
        ratio = f"{best / floor:.2f}x" if floor else "n/a"
        cmed = min(r["cpu"])
        cfloor = cpu_floors.get(r["threads"])
        cratio = f"{cmed / cfloor:.2f}x" if cfloor else "n/a"
        traced = r.get("traced_peak")
        load = r.get("load")
        rows.append(
            f"| {name} | {r['threads']} | {best:.2f} | {med:.2f} | "
            f"{best / (N_SAMPLES // BATCH) * 1e3:.2f} | "
            f"{ratio} | {cmed:.2f} | {cratio} | {_first(r)} "
            f"| {_mb(r['rss_import'])} | {_mb(r['rss_data'])} "
            f"| {_mb(r['peak'])} | {_mb(r['peak'] - r['rss_data'] if r['rss_data'] else None)} "
            f"| {'n/a' if traced is None else f'{traced:.1f}'} | {r['losses'][-1]:.4f} | "
            f"{'n/a' if load is None else f'{load:.1f}'} |")
    return "\n".join(rows)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per implementation")
    ap.add_argument("--threads", type=int, default=None,
                    help="run only this thread count (default: 1 and the libraries' default)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every implementation this many times, interleaved")
    ap.add_argument("--only", nargs="+", choices=IMPLS + OPTIONAL, default=list(IMPLS),
                    help="implementations to run (tf_keras_eager: tf_keras with "
                         "run_eagerly=True, only when named here)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="accepted for older command lines; both clocks are always reported")
    ap.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument("--profile", type=int, metavar="STEPS",
                    help="instead: cProfile STEPS steps of tapeflow's fit and print the stats")
    ap.add_argument("--eval-predict", action="store_true",
                    help="instead: time evaluate() and predict() (tapeflow and tf_keras, "
                         "traced and eager) on 10,000 samples")
    ap.add_argument("--worker", choices=IMPLS + OPTIONAL, help=argparse.SUPPRESS)
    ap.add_argument("--eval-worker", choices=EVAL_IMPLS, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.threads, args.epochs, args.trace)))
        return 0
    if args.eval_worker:
        print(json.dumps(eval_worker(args.eval_worker, args.threads)))
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    if args.eval_predict:
        print(eval_table(args.threads))
        return 0
    settings = [args.threads] if args.threads is not None else [1, None]
    results = []
    for threads in settings:
        merged = {}
        for rnd in range(args.rounds):  # rounds interleave the implementations
            for impl in args.only:
                print(f"round {rnd + 1}: {impl}, threads={threads or 'default'} ...",
                      file=sys.stderr, flush=True)
                r = run_one(impl, threads, args.epochs, not args.no_trace and rnd == 0)
                if impl not in merged or "error" in merged[impl]:
                    merged[impl] = r
                elif "error" not in r:
                    m = merged[impl]
                    for k in ("times", "cpu", "losses"):
                        m[k] = m[k] + r[k]
                    m["peak"] = max(m["peak"], r["peak"])
                    m["first_step"] = min(m["first_step"], r["first_step"]) if (
                        m.get("first_step") is not None and r.get("first_step") is not None
                    ) else m.get("first_step")
                    m["load"] = max(m["load"] or 0, r["load"] or 0)
        results.extend(merged[impl] for impl in args.only)
    import platform
    print(f"One epoch of the front-page model: {N_SAMPLES:,} synthetic 28x28 samples, batch "
          f"{BATCH} ({N_SAMPLES // BATCH} steps); best and median of {args.epochs} timed "
          f"epochs x {args.rounds} round(s), after a {WARM_STEPS}-step warm-up, each "
          f"implementation in its own process; 'x floor' compares best times.\n"
          f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}.\n")
    versions = {r["impl"]: r.get("version") for r in results if r.get("version")}
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n")
    print(table(results, args.epochs))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

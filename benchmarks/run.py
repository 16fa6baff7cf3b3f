#!/usr/bin/env python3
"""tapeflow's benchmarks: op dispatch and autodiff against TF eager, PyTorch and NumPy.

One process, one run, every framework side by side on the same operands:

    python benchmarks/run.py                 # full run (about two minutes), Markdown to stdout
    python benchmarks/run.py --quick         # short smoke run (numbers are rough)
    python benchmarks/run.py --only dispatch mlp --json out.json --markdown out.md

Frameworks that cannot be imported (TensorFlow, PyTorch) are reported as "n/a". Times are
medians over `--repeat` repeats of a `timeit` loop sized to last about `--target` seconds;
the garbage collector stays enabled (as in real use) for every framework alike.

What is measured and the goal each number is held to:
  * op dispatch: scalar add, 100-element add, 64x64 matmul on pre-made tensors
    (tapeflow scalar `tf.add` <= 2.5x `np.add`, no slower than torch, >= 10x faster than TF);
  * MLP training step 784-128-10, batch 32, sparse softmax cross-entropy, tape gradient
    of the four parameters, SGD update (<= 1.5x the hand-written NumPy step, faster than
    TF eager, no slower than torch eager);
  * second derivative of x**3 * sin(x) on 1,000 points with nested tapes;
  * gradient of sum(tanh(x @ w)) for 1024x1024 x and w (<= 1.1x the NumPy floor);
  * `import tapeflow` in a fresh interpreter (< 0.3 s).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit


def _early_threads(argv):
    """`--threads N` must act before NumPy (OpenBLAS) starts its thread pool."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return None


THREADS = _early_threads(sys.argv[1:])
if THREADS:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = THREADS

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tapeflow as tft  # noqa: E402

try:
    import tensorflow as tfr
except ImportError:
    tfr = None
try:
    import torch
except ImportError:
    torch = None
if THREADS:
    if tfr is not None:
        tfr.config.threading.set_intra_op_parallelism_threads(int(THREADS))
        tfr.config.threading.set_inter_op_parallelism_threads(int(THREADS))
    if torch is not None:
        torch.set_num_threads(int(THREADS))

NA = None  # a cell whose framework is missing (printed "n/a")


# ---------------------------------------------------------------------------------------
# timing
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


class Timer:
    """Times a group of implementations of one benchmark in interleaved rounds.

    Each implementation gets a `timeit` loop sized to last about `target` seconds; then
    `repeat` rounds run every implementation's loop once, one after another, so that a
    change of machine load hits all of them alike. Ratios are medians of per-round ratios.
    """

    def __init__(self, target: float, repeat: int, clock: str = "wall"):
        self.target = target
        self.repeat = repeat
        self.clock = CLOCKS[clock]

    def _loops(self, timer) -> int:
        number = 1
        while True:
            t = timer.timeit(number)
            if t >= self.target / 5 or number >= 1 << 24:
                return max(1, int(number * self.target / max(t, 1e-9)))
            number *= 10 if t < self.target / 100 else 2

    def group(self, fns: dict, warmup: int = 3) -> dict:
        """{name: callable or None} -> {name: cell or None}; a cell holds per-round times."""
        timers = {}
        for name, fn in fns.items():
            if fn is None:
                continue
            for _ in range(warmup):
                fn()
            t = timeit.Timer(fn, timer=self.clock, setup="gc.enable()", globals={"gc": gc})
            timers[name] = (t, self._loops(t))
        runs = {name: [] for name in timers}
        for _ in range(self.repeat):
            for name, (t, number) in timers.items():
                runs[name].append(t.timeit(number) / number)
        return {name: (cell(runs[name], timers[name][1]) if name in timers else NA)
                for name in fns}


def cell(runs, loops) -> dict:
    return {"median": statistics.median(runs), "min": min(runs), "loops": loops,
            "runs": runs}


def fmt_time(s) -> str:
    if s is None:
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def ratio(a, b):
    """Median of per-round ratios of two cells (medians' ratio if rounds don't pair up)."""
    if a is None or b is None:
        return None
    ra, rb = a["runs"], b["runs"]
    if len(ra) == len(rb):
        return statistics.median(x / y for x, y in zip(ra, rb))
    return a["median"] / b["median"]


def fmt_ratio(r) -> str:
    return "n/a" if r is None else f"{r:.2f}x"


def median(c):
    return None if c is None else c["median"]


# ---------------------------------------------------------------------------------------
# 1. op dispatch
def bench_dispatch(timer) -> list:
    rng = np.random.default_rng(0)
    cases = [
        ("scalar add", "add", np.float32(1.5), np.float32(2.5)),
        ("add, 100 elements", "add", rng.standard_normal(100, np.float32),
         rng.standard_normal(100, np.float32)),
        ("matmul 64x64", "matmul", rng.standard_normal((64, 64), np.float32),
         rng.standard_normal((64, 64), np.float32)),
    ]
    rows = []
    for label, kind, xa, xb in cases:
        a, b = tft.constant(xa), tft.constant(xb)
        na, nb = a._value, b._value  # NumPy on the very arrays tapeflow holds
        fns = {}
        if kind == "add":
            fns["tapeflow op"] = lambda a=a, b=b: tft.add(a, b)
            fns["tapeflow operator"] = lambda a=a, b=b: a + b
            fns["numpy"] = lambda na=na, nb=nb: np.add(na, nb)
        else:
            fns["tapeflow op"] = lambda a=a, b=b: tft.matmul(a, b)
            fns["tapeflow operator"] = lambda a=a, b=b: a @ b
            fns["numpy"] = lambda na=na, nb=nb: np.matmul(na, nb)
        fns["TF eager"] = fns["torch eager"] = NA
        if tfr is not None:
            ta, tb = tfr.constant(xa), tfr.constant(xb)
            op = tfr.add if kind == "add" else tfr.matmul
            fns["TF eager"] = lambda op=op, ta=ta, tb=tb: op(ta, tb)
        if torch is not None:
            pa, pb = torch.from_numpy(np.array(xa)), torch.from_numpy(np.array(xb))
            op = torch.add if kind == "add" else torch.matmul
            fns["torch eager"] = lambda op=op, pa=pa, pb=pb: op(pa, pb)
        rows.append({"benchmark": label, "op": kind, "cells": timer.group(fns)})
    return rows


# ---------------------------------------------------------------------------------------
# 2. MLP training step
BATCH, N_IN, N_HID, N_OUT, LR = 32, 784, 128, 10, 1e-3


def mlp_data():
    rng = np.random.default_rng(1)
    x = rng.random((BATCH, N_IN), dtype=np.float32)
    y = rng.integers(0, N_OUT, BATCH).astype(np.int32)
    w1 = (rng.standard_normal((N_IN, N_HID)) * np.sqrt(2.0 / N_IN)).astype(np.float32)
    w2 = (rng.standard_normal((N_HID, N_OUT)) * np.sqrt(2.0 / N_HID)).astype(np.float32)
    b1 = np.zeros(N_HID, np.float32)
    b2 = np.zeros(N_OUT, np.float32)
    return x, y, [w1, b1, w2, b2]


def mlp_step_tf_api(tf):
    """The training step written once against the TF API (tapeflow or TensorFlow)."""
    x_np, y_np, init = mlp_data()
    x, y = tf.constant(x_np), tf.constant(y_np)
    params = [tf.Variable(p) for p in init]
    w1, b1, w2, b2 = params

    def step():
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(LR * g)
        return loss

    return step


def mlp_step_torch():
    x_np, y_np, init = mlp_data()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np.astype(np.int64))
    params = [torch.from_numpy(p.copy()).requires_grad_() for p in init]
    w1, b1, w2, b2 = params
    xent = torch.nn.functional.cross_entropy

    def step():
        h = torch.relu(x @ w1 + b1)
        loss = xent(h @ w2 + b2, y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(LR * g)
        return loss

    return step


def mlp_step_numpy():
    """Hand-written forward and backward: the floor any framework pays on top of."""
    x, y, init = mlp_data()
    w1, b1, w2, b2 = [p.copy() for p in init]
    rows = np.arange(BATCH)
    lr = np.float32(LR)

    def step():
        h = x @ w1
        h += b1
        r = np.maximum(h, 0)
        logits = r @ w2
        logits += b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - logits[rows, y])
        d = e / s
        d[rows, y] -= 1
        d /= BATCH
        dw2 = r.T @ d
        db2 = d.sum(axis=0)
        dh = d @ w2.T
        dh *= h > 0
        dw1 = x.T @ dh
        db1 = dh.sum(axis=0)
        for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
            g *= lr
            p -= g
        return loss

    return step


def _has_numba():
    """tapeflow's jit_compile=True needs the optional numba ('tapeflow[jit]')."""
    try:
        import numba  # noqa: F401
    except Exception:
        return False
    return True


def bench_mlp(timer, checks) -> list:
    impls = {"tapeflow": lambda: mlp_step_tf_api(tft), "numpy": mlp_step_numpy}
    impls["TF eager"] = (lambda: mlp_step_tf_api(tfr)) if tfr is not None else None
    impls["TF tf.function"] = ((lambda: tfr.function(mlp_step_tf_api(tfr)))
                               if tfr is not None else None)
    impls["torch eager"] = mlp_step_torch if torch is not None else None
    impls["tapeflow tf.function"] = lambda: tft.function(mlp_step_tf_api(tft))
    impls["tapeflow tf.function(jit_compile=True)"] = (
        (lambda: tft.function(mlp_step_tf_api(tft), jit_compile=True)) if _has_numba() else None)
    impls["TF tf.function(jit_compile=True)"] = (
        (lambda: tfr.function(mlp_step_tf_api(tfr), jit_compile=True))
        if tfr is not None else None)
    impls["torch.compile"] = ((lambda: torch.compile(mlp_step_torch()))
                              if torch is not None else None)
    fns, first_loss, first_call = {}, {}, {}
    for name, make in impls.items():
        fns[name] = step = make() if make is not None else NA
        if step is not None:
            t0 = time.perf_counter()
            try:
                loss = step()
            except Exception as e:  # e.g. torch.compile without a working C++ toolchain
                print(f"  {name}: first call failed ({type(e).__name__}: {e}); n/a",
                      file=sys.stderr)
                fns[name] = NA
                continue
            first_call[name] = time.perf_counter() - t0
            first_loss[name] = float(loss.detach() if hasattr(loss, "detach") else loss)
    cells = timer.group(fns)
    ref = first_loss["numpy"]
    for name, v in first_loss.items():
        checks.append((f"MLP first-step loss {name} = {v:.6f} vs NumPy {ref:.6f}",
                       abs(v - ref) <= 1e-4 * abs(ref) + 1e-5))
    return [{"benchmark": "MLP step 784-128-10, batch 32", "cells": cells,
             "first_call": first_call}]


# ---------------------------------------------------------------------------------------
# 3. second derivative with nested tapes
def second_order_tf_api(tf, x_np):
    x = tf.constant(x_np)

    def run():
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = x ** 3 * tf.sin(x)
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    return run


def second_order_torch(x_np):
    x = torch.from_numpy(x_np.copy()).requires_grad_()

    def run():
        y = x ** 3 * torch.sin(x)
        (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (d2,) = torch.autograd.grad(dy.sum(), x)
        return d2

    return run


def second_order_numpy(x):
    def run():  # d2/dx2 x^3 sin x = 6x sin x + 6x^2 cos x - x^3 sin x, by hand
        s, c = np.sin(x), np.cos(x)
        x2 = x * x
        return 6 * x * s + 6 * x2 * c - x2 * x * s

    return run


def bench_second_order(timer, checks) -> list:
    x_np = np.linspace(-3, 3, 1000, dtype=np.float32)
    impls = {"tapeflow": lambda: second_order_tf_api(tft, x_np),
             "numpy": lambda: second_order_numpy(x_np),
             "TF eager": (lambda: second_order_tf_api(tfr, x_np)) if tfr else None,
             "torch eager": (lambda: second_order_torch(x_np)) if torch else None}
    fns = {}
    want = second_order_numpy(x_np)()
    for name, make in impls.items():
        fns[name] = run = make() if make is not None else NA
        if run is not None:
            got = run()
            got = np.asarray(got.detach() if hasattr(got, "detach") else got)
            checks.append((f"second derivative {name} matches the closed form",
                           bool(np.allclose(got, want, rtol=1e-4, atol=1e-3))))
    cells = timer.group(fns)
    return [{"benchmark": "d²/dx² x³·sin x, 1,000 points", "cells": cells}]


# ---------------------------------------------------------------------------------------
# 4. big matmul-tanh gradient
def matmul_tanh_tf_api(tf, x_np, w_np):
    x, w = tf.constant(x_np), tf.constant(w_np)

    def run():
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            loss = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
        return tape.gradient(loss, [x, w])

    return run


def matmul_tanh_torch(x_np, w_np):
    x = torch.from_numpy(x_np.copy()).requires_grad_()
    w = torch.from_numpy(w_np.copy()).requires_grad_()

    def run():
        loss = torch.tanh(x @ w).sum()
        return torch.autograd.grad(loss, [x, w])

    return run


def matmul_tanh_numpy(x, w):
    def run():
        t = np.tanh(x @ w)
        dz = np.float32(1) - t * t
        return dz @ w.T, x.T @ dz

    return run


def bench_matmul_tanh(timer, checks, n=1024) -> list:
    rng = np.random.default_rng(2)
    x_np = rng.standard_normal((n, n), np.float32) / np.float32(np.sqrt(n))
    w_np = rng.standard_normal((n, n), np.float32)
    impls = {"tapeflow": lambda: matmul_tanh_tf_api(tft, x_np, w_np),
             "numpy": lambda: matmul_tanh_numpy(x_np, w_np),
             "TF eager": (lambda: matmul_tanh_tf_api(tfr, x_np, w_np)) if tfr else None,
             "torch eager": (lambda: matmul_tanh_torch(x_np, w_np)) if torch else None}
    want = matmul_tanh_numpy(x_np, w_np)()
    fns = {}
    for name, make in impls.items():
        fns[name] = run = make() if make is not None else NA
        if run is not None:
            ok = all(np.allclose(np.asarray(g), v, rtol=1e-3, atol=1e-3)
                     for g, v in zip(run(), want))
            checks.append((f"matmul-tanh gradient {name} matches NumPy", ok))
    cells = timer.group(fns, warmup=1)
    return [{"benchmark": f"grad of sum(tanh(x @ w)), {n}x{n}", "n": n, "cells": cells}]


# ---------------------------------------------------------------------------------------
# 5. import time
def _import_once(module: str, clock: str, env) -> float | None:
    fn = "perf_counter" if clock == "wall" else "process_time"
    code = (f"import time; t = time.{fn}(); import {module}; "
            f"print(time.{fn}() - t)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    return float(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else None


def bench_import(quick: bool, clock: str) -> list:
    """`import X` in fresh interpreters, bytecode caches warm, rounds interleaved."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let the warm-up write .pyc like an install
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    modules = {"tapeflow": "tapeflow", "numpy": "numpy"}
    if tfr is not None:
        modules["TF eager"] = "tensorflow"
    if torch is not None:
        modules["torch eager"] = "torch"
    heavy = ("TF eager", "torch eager")
    runs = {k: [] for k in modules}
    for k, m in modules.items():  # warm-up: bytecode and file caches
        if _import_once(m, clock, env) is None:
            runs.pop(k)
    for i in range(3 if quick else 7):
        for k in runs:
            if k in heavy and i >= 2:  # a couple of seconds each: two rounds are plenty
                continue
            runs[k].append(_import_once(modules[k], clock, env))
    cells = {k: (cell(runs[k], 1) if k in runs else NA)
             for k in ("tapeflow", "numpy", "TF eager", "torch eager")}
    return [{"benchmark": "import (fresh interpreter)", "cells": cells}]


# ---------------------------------------------------------------------------------------
# report
def environment() -> dict:
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load average (1 min)": f"{os.getloadavg()[0]:.2f}",
        "numpy": np.__version__,
        "tapeflow": tft.__version__,
        "tensorflow": tfr.__version__ if tfr is not None else "not installed",
        "torch": torch.__version__ if torch is not None else "not installed",
    }
    try:
        import threadpoolctl
        blas = [f"{d.get('internal_api')} {d.get('version')} ({d.get('architecture')}, "
                f"{d.get('num_threads')} threads)"
                for d in threadpoolctl.threadpool_info() if d.get("user_api") == "blas"]
        info["BLAS"] = "; ".join(blas) or "unknown"
    except ImportError:
        info["BLAS"] = "unknown (pip install threadpoolctl to show)"
    info["threads"] = (f"{THREADS} (--threads)" if THREADS
                       else "library defaults (no --threads)")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        if os.environ.get(var):
            info[var] = os.environ[var]
    return info


def table(headers, rows) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def goal(name, value, limit, better_low=True):
    if value is None:
        return [name, "n/a", "n/a"]
    met = value <= limit if better_low else value >= limit
    return [name, fmt_ratio(value), "yes" if met else "**no**"]


HEAVY_COLS = ["tapeflow", "numpy", "TF eager", "TF tf.function", "torch eager"]


def report(results, env, checks) -> str:
    """The Markdown report: environment, one table per kind of benchmark, goals."""
    out = ["### Environment", ""]
    out += [f"- {k}: {v}" for k, v in env.items()]

    d = results.get("dispatch")
    if d:
        out += ["", "### Op dispatch (median time per call)", ""]
        rows = []
        for r in d:
            c = r["cells"]
            rows.append([r["benchmark"]]
                        + [fmt_time(median(c[k])) for k in ("tapeflow op", "tapeflow operator",
                                                            "numpy", "TF eager",
                                                            "torch eager")]
                        + [fmt_ratio(ratio(c["tapeflow op"], c["numpy"])),
                           fmt_ratio(ratio(c["tapeflow op"], c["torch eager"])),
                           fmt_ratio(ratio(c["TF eager"], c["tapeflow op"]))])
        out.append(table(["op", "tapeflow `tf.add` / `tf.matmul`", "tapeflow `a + b` / `a @ b`",
                          "NumPy", "TF eager", "torch eager", "tapeflow / NumPy",
                          "tapeflow / torch", "TF eager / tapeflow"], rows))

    heavy = [r for k in ("mlp", "second_order", "matmul_tanh", "import")
             for r in results.get(k, [])]
    if heavy:
        out += ["", "### Training step, autodiff and import (median)", ""]
        rows = []
        for r in heavy:
            c = r["cells"]
            rows.append([r["benchmark"]]
                        + [fmt_time(median(c[k])) if k in c else "–" for k in HEAVY_COLS]
                        + [fmt_ratio(ratio(c["tapeflow"], c.get(k)))
                           for k in ("numpy", "TF eager", "torch eager")])
        out.append(table(["benchmark", "tapeflow", "NumPy", "TF eager", "TF tf.function",
                          "torch eager", "tapeflow / NumPy", "tapeflow / TF eager",
                          "tapeflow / torch"], rows))
    m = results.get("mlp")
    if m:
        c, first = m[0]["cells"], m[0].get("first_call", {})
        out += ["", "### MLP step traced and compiled (median; first call = trace or compile)",
                ""]
        rows = [[name, fmt_time(median(c.get(name))), fmt_time(first.get(name)),
                 fmt_ratio(ratio(c.get(name), c.get("numpy"))),
                 fmt_ratio(ratio(c.get(name), c.get("tapeflow tf.function")))]
                for name in ("tapeflow", "tapeflow tf.function",
                             "tapeflow tf.function(jit_compile=True)", "numpy", "TF eager",
                             "TF tf.function", "TF tf.function(jit_compile=True)",
                             "torch eager", "torch.compile")]
        out.append(table(["implementation", "step", "first call", "/ NumPy floor",
                          "/ tapeflow tf.function"], rows))

    goals = []
    if d:
        c = d[0]["cells"]
        goals.append(goal("scalar `tf.add` / `np.add` <= 2.5x",
                          ratio(c["tapeflow op"], c["numpy"]), 2.5))
        goals.append(goal("scalar `tf.add` / torch add <= 1x",
                          ratio(c["tapeflow op"], c["torch eager"]), 1.0))
        goals.append(goal("TF eager add / scalar `tf.add` >= 10x",
                          ratio(c["TF eager"], c["tapeflow op"]), 10.0, False))
    if results.get("mlp"):
        c = results["mlp"][0]["cells"]
        goals.append(goal("MLP step / NumPy floor <= 1.5x", ratio(c["tapeflow"], c["numpy"]),
                          1.5))
        goals.append(goal("MLP step / TF eager < 1x", ratio(c["tapeflow"], c["TF eager"]),
                          0.999))
        goals.append(goal("MLP step / torch eager <= 1x",
                          ratio(c["tapeflow"], c["torch eager"]), 1.0))
        goals.append(goal("traced MLP step / eager step <= 0.667x (1.5x faster)",
                          ratio(c.get("tapeflow tf.function"), c["tapeflow"]), 1 / 1.5))
        goals.append(goal("traced MLP step / TF tf.function < 1x",
                          ratio(c.get("tapeflow tf.function"), c.get("TF tf.function")),
                          0.999))
        jit_name = "tapeflow tf.function(jit_compile=True)"
        goals.append(goal("jit_compile=True MLP step / eager step <= 0.667x (1.5x faster)",
                          ratio(c.get(jit_name), c["tapeflow"]), 1 / 1.5))
        goals.append(goal("jit_compile=True MLP step / TF's jit_compile=True step < 1x",
                          ratio(c.get(jit_name), c.get("TF tf.function(jit_compile=True)")),
                          0.999))
    if results.get("second_order"):
        c = results["second_order"][0]["cells"]
        goals.append(goal("second derivative / torch eager <= 1x",
                          ratio(c["tapeflow"], c.get("torch eager")), 1.0))
    if results.get("matmul_tanh"):
        r = results["matmul_tanh"][0]
        goals.append(goal(f"{r['n']}² matmul-tanh gradient / NumPy floor <= 1.1x",
                          ratio(r["cells"]["tapeflow"], r["cells"]["numpy"]), 1.1))
    if results.get("import"):
        t = median(results["import"][0]["cells"]["tapeflow"])
        goals.append(["`import tapeflow` < 0.3 s", fmt_time(t),
                      "n/a" if t is None else ("yes" if t < 0.3 else "**no**")])
    if goals:
        out += ["", "### Goals", "", table(["goal", "measured", "met"], goals)]
    bad = [c for c, ok in checks if not ok]
    out += ["", f"Result checks (each framework computes the same numbers): "
                f"{len(checks) - len(bad)} of {len(checks)} agree."]
    out += [f"- MISMATCH: {c}" for c in bad]
    return "\n".join(out)


SECTIONS = ("dispatch", "mlp", "second_order", "matmul_tanh", "import")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short loops, for a smoke test")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    ap.add_argument("--target", type=float, help="seconds per timing loop (default 0.1)")
    ap.add_argument("--repeat", type=int, help="timing loops per cell (default 7)")
    ap.add_argument("--threads", help="BLAS/TF/torch threads (default: each library's own)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="wall time (default) or process CPU time (steadier on a busy "
                         "machine; use with --threads 1)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--markdown", help="also write the Markdown report here")
    args = ap.parse_args(argv)
    timer = Timer(args.target or (0.01 if args.quick else 0.1),
                  args.repeat or (3 if args.quick else 7), args.clock)
    sections = args.only or SECTIONS
    env = environment()
    checks, results = [], {}
    for s in sections:
        print(f"running {s} ...", file=sys.stderr, flush=True)
        if s == "dispatch":
            results[s] = bench_dispatch(timer)
        elif s == "mlp":
            results[s] = bench_mlp(timer, checks)
        elif s == "second_order":
            results[s] = bench_second_order(timer, checks)
        elif s == "matmul_tanh":
            results[s] = bench_matmul_tanh(timer, checks, 256 if args.quick else 1024)
        elif s == "import":
            results[s] = bench_import(args.quick, args.clock)
    text = report(results, env, checks)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": env, "results": results,
                       "checks": [{"what": c, "ok": ok} for c, ok in checks]}, f, indent=1)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

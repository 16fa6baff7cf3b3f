"""tf.data benchmarks: input-pipeline throughput, and `fit` fed by a dataset vs by arrays.

1. Pipeline throughput (`--parts pipeline`). Workload: 60,000 MNIST-shaped uint8 images
   (28x28) with int labels; per element, normalise to [0, 1] float32 and flip left-right
   with probability 1/2; shuffle(10000), batch(32), prefetch. Reports elements/second for
   one full epoch, for tapeflow (sequential and AUTOTUNE map), TensorFlow's tf.data and a
   PyTorch DataLoader (num_workers 0 and 2), each measured in this same process.
2. `fit` fed by a dataset (`--parts fit`). The TensorFlow front-page model (Flatten(28, 28),
   Dense(128, relu), Dropout(0.2), Dense(10, softmax); adam; sparse categorical
   cross-entropy) trained one epoch on 60,000 synthetic samples, batch 32:
   `fit(x, y)` vs `fit(dataset)` with
   `from_tensor_slices((x, y)).shuffle(10000).batch(32).prefetch(AUTOTUNE)`, plus the time
   to iterate that dataset alone. `--fit-tf` adds the same pair for tf.keras (tf_keras).
3. Overlap checks (`--parts overlap`): parallel map and prefetch overlap NumPy-bound work.

Every measurement is repeated in `--rounds` interleaved rounds (so background load hits all
contenders alike) and the median is reported, with CPU-time figures next to wall time.
Run it with one BLAS thread, as the figures in /work/data_figures.md were:

    OMP_NUM_THREADS=1 python benchmarks/data_pipeline.py [--parts pipeline fit] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

N, H, W, BATCH = 60000, 28, 28, 32


def make_data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(N, H, W), dtype=np.uint8)
    y = rng.integers(0, 10, size=(N,), dtype=np.int64)
    return x, y


def consume(iterable):
    """(elements/s wall, elements/s of process CPU time) for one pass over `iterable`."""
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for xb, _ in iterable:
        n += len(xb)
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def bench_tapeflow(x, y, parallel):
    import tapeflow as tf

    def prep(img, label):
        img = tf.cast(img, tf.float32) / 255.0
        img = tf.where(tf.random.uniform([]) < 0.5, img[:, ::-1], img)
        return img, label

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000, seed=1)
    ds = ds.map(prep, num_parallel_calls=tf.data.AUTOTUNE if parallel else None)
    ds = ds.batch(BATCH).prefetch(tf.data.AUTOTUNE)
    return consume(ds)


def bench_tensorflow(x, y):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    def prep(img, label):
        img = tf.cast(img, tf.float32) / 255.0
        img = tf.image.random_flip_left_right(img[..., None])[..., 0]
        return img, label

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000, seed=1)
    ds = ds.map(prep, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(BATCH).prefetch(tf.data.AUTOTUNE)
    for _ in ds.take(5):  # build the pipeline and trace prep before timing
        pass
    return consume(ds)


class _TorchMNIST:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        import torch
        img = torch.from_numpy(self.x[i]).float() / 255.0
        if torch.rand(()) < 0.5:
            img = torch.flip(img, dims=[1])
        return img, int(self.y[i])


def bench_torch(x, y, workers):
    import torch
    loader = torch.utils.data.DataLoader(_TorchMNIST(x, y), batch_size=BATCH, shuffle=True,
                                         num_workers=workers,
                                         persistent_workers=False)
    torch.manual_seed(0)
    return consume(loader)


def bench_overlap():
    """Evidence that parallel map and prefetch overlap work (seconds, best of 3 passes)."""
    import tapeflow as tf

    mats = np.random.default_rng(0).random((24, 1024, 1024)).astype(np.float32)
    source = tf.data.Dataset.from_tensor_slices(mats)

    def heavy(m):  # NumPy-bound: single-threaded ufunc kernels that release the GIL
        return tf.reduce_sum(tf.exp(m) * tf.sqrt(m + 1.0))

    def best(ds, step=0.0):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for _ in ds:
                if step:
                    time.sleep(step)  # a training step that does not hold the GIL
            times.append(time.perf_counter() - start)
        return min(times)

    for _ in source.map(heavy):  # warm-up: page in the arrays
        pass
    return {
        "map heavy sequential": best(source.map(heavy)),
        "map heavy num_parallel_calls=2": best(source.map(heavy, num_parallel_calls=2)),
        "map heavy AUTOTUNE": best(source.map(heavy, num_parallel_calls=tf.data.AUTOTUNE)),
        "consumer 5 ms/step, no prefetch": best(source.map(heavy), 0.005),
        "consumer 5 ms/step, prefetch(AUTOTUNE)": best(
            source.map(heavy).prefetch(tf.data.AUTOTUNE), 0.005),
    }


# -- fit fed by a dataset vs by arrays -------------------------------------------------
def make_fit_data():
    """Synthetic MNIST-shaped float images with learnable labels (as keras_epoch.py)."""
    rng = np.random.default_rng(0)
    x = rng.random((N, H, W), dtype=np.float32)
    proj = rng.standard_normal((H * W, 10)).astype(np.float32)
    y = (x.reshape(N, H * W) @ proj).argmax(1).astype(np.int64)
    return x, y


def _front_page_model(tf, x, y):
    tf.random.set_seed(0)
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(H, W)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x[:320], y[:320], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    return model


def _dataset(tf, x, y):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000).batch(BATCH).prefetch(
        tf.data.AUTOTUNE)


def _timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def bench_fit(framework, x, y, fed_by):
    """(wall s, CPU s) of one epoch of fit, fed by "arrays" or "dataset"; or "dataset
    alone": one pass over the same dataset with no training."""
    if framework == "tapeflow":
        import tapeflow as tf
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        import tensorflow as tf
    if fed_by == "dataset alone":
        ds = _dataset(tf, x, y)
        return _timed(lambda: [None for _ in ds])
    model = _front_page_model(tf, x, y)
    if fed_by == "arrays":
        return _timed(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0))
    ds = _dataset(tf, x, y)
    return _timed(lambda: model.fit(ds, epochs=1, verbose=0))


def _median(values):
    v = sorted(values)
    return v[len(v) // 2]


def run_fit(rounds, with_tf):
    x, y = make_fit_data()
    rows = [("tapeflow", "arrays"), ("tapeflow", "dataset"), ("tapeflow", "dataset alone")]
    if with_tf:
        rows += [("tf_keras", "arrays"), ("tf_keras", "dataset"),
                 ("tf_keras", "dataset alone")]
    times = {r: [] for r in rows}
    for _ in range(rounds):
        for r in rows:
            try:
                times[r].append(bench_fit(r[0], x, y, r[1]))
            except ImportError:
                times[r] = None
                rows = [q for q in rows if q[0] != r[0]]
                break
    print(f"fit, one epoch of {N} samples, batch {BATCH}, front-page model; median of "
          f"{rounds} interleaved rounds")
    print(f"{'':44s} {'wall s':>7s} {'best':>6s} {'CPU s':>6s}  {'vs fit(x, y)':>12s}   "
          f"all wall s")
    for r in rows:
        walls = [t[0] for t in times[r]]
        cpus = [t[1] for t in times[r]]
        base = _median([t[0] for t in times[(r[0], "arrays")]])
        what = {"arrays": "fit(x, y)", "dataset": "fit(dataset)",
                "dataset alone": "iterate dataset, no training"}[r[1]]
        ratio = _median(walls) / base
        vs = f"{ratio:.1%} of it" if r[1] == "dataset alone" else f"{ratio - 1:+.1%}"
        print(f"{r[0] + ' ' + what:44s} {_median(walls):7.2f} {min(walls):6.2f} "
              f"{_median(cpus):6.2f}  {vs:>12s}   "
              f"{', '.join(f'{w:.2f}' for w in walls)}")
    print("dataset = from_tensor_slices((x, y)).shuffle(10000).batch(32)"
          ".prefetch(AUTOTUNE); wall s and CPU s are medians, best the fastest round; "
          "'vs fit(x, y)' compares wall medians")


def run_pipeline(rounds, skip):
    x, y = make_data()
    rows = [("tapeflow map (sequential) + prefetch", lambda: bench_tapeflow(x, y, False)),
            ("tapeflow map(AUTOTUNE) + prefetch", lambda: bench_tapeflow(x, y, True))]
    if "tensorflow" not in skip:
        rows.append(("tensorflow tf.data map(AUTOTUNE) + prefetch",
                     lambda: bench_tensorflow(x, y)))
    if "torch" not in skip:
        rows.append(("torch DataLoader num_workers=0", lambda: bench_torch(x, y, 0)))
        rows.append(("torch DataLoader num_workers=2", lambda: bench_torch(x, y, 2)))
    print(f"{N} elements of {H}x{W} uint8, map(normalise + random flip), shuffle 10000, "
          f"batch {BATCH}, prefetch; {os.cpu_count()} CPUs; median of {rounds} "
          f"interleaved rounds")
    rates = {name: [] for name, _ in rows}
    skipped = {}
    # Rounds are interleaved so that background load affects every contender alike.
    for _ in range(rounds):
        for name, fn in rows:
            if name in skipped:
                continue
            try:
                rates[name].append(fn())
            except ImportError as e:
                skipped[name] = e.name
    print(f"{'':48s} {'elements/s':>11s} {'best':>8s} {'per CPU s':>10s}   all elements/s")
    for name, _ in rows:
        if name in skipped:
            print(f"{name:48s} skipped ({skipped[name]} not installed)")
            continue
        walls = [r[0] for r in rates[name]]
        cpus = [r[1] for r in rates[name]]
        print(f"{name:48s} {_median(walls):11,.0f} {max(walls):8,.0f} {_median(cpus):10,.0f}   "
              f"{', '.join(f'{v:,.0f}' for v in walls)}")
    print("(elements/s: median; best: fastest round; per CPU s: median elements per second "
          "of process CPU time, all threads - DataLoader workers are other processes and are "
          "not counted)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", nargs="*", default=["pipeline", "fit", "overlap"],
                        help="pipeline, fit, overlap")
    parser.add_argument("--skip", nargs="*", default=[], help="tensorflow, torch")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds; the median is reported")
    parser.add_argument("--fit-tf", action="store_true",
                        help="also time tf.keras fit fed by arrays and by tf.data")
    args = parser.parse_args()
    if "pipeline" in args.parts:
        run_pipeline(args.rounds, args.skip)
    if "fit" in args.parts:
        run_fit(args.rounds, args.fit_tf)
    if "overlap" in args.parts:
        print("overlap checks (map over 24 arrays of 1024x1024: exp, sqrt, sum; best of 3, s):")
        for name, secs in bench_overlap().items():
            print(f"  {name:46s} {secs:8.3f} s")


if __name__ == "__main__":
    main()

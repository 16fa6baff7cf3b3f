"""tf.data input-pipeline throughput: tapeflow vs TensorFlow's tf.data vs a PyTorch DataLoader.

Workload: 60,000 MNIST-shaped uint8 images (28x28) with int labels; per element, normalise
to [0, 1] float32 and flip left-right with probability 1/2; shuffle(10000), batch(32),
prefetch. Reports elements/second for one full epoch (after a short warm-up), each library
measured in this same process. TensorFlow and torch are used when importable.

    python benchmarks/data_pipeline.py [--epochs 1]
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
    start = time.perf_counter()
    n = 0
    for xb, _ in iterable:
        n += len(xb)
    return n / (time.perf_counter() - start)


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip", nargs="*", default=[], help="tensorflow, torch")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds; the median is reported")
    args = parser.parse_args()
    x, y = make_data()
    rows = [("tapeflow map (sequential) + prefetch", lambda: bench_tapeflow(x, y, False)),
            ("tapeflow map(AUTOTUNE) + prefetch", lambda: bench_tapeflow(x, y, True))]
    if "tensorflow" not in args.skip:
        rows.append(("tensorflow tf.data map(AUTOTUNE) + prefetch",
                     lambda: bench_tensorflow(x, y)))
    if "torch" not in args.skip:
        rows.append(("torch DataLoader num_workers=0", lambda: bench_torch(x, y, 0)))
        rows.append(("torch DataLoader num_workers=2", lambda: bench_torch(x, y, 2)))
    print(f"{N} elements of {H}x{W} uint8, map(normalise + random flip), shuffle 10000, "
          f"batch {BATCH}, prefetch; {os.cpu_count()} CPUs; median of {args.rounds} "
          f"interleaved rounds")
    rates = {name: [] for name, _ in rows}
    skipped = {}
    # Rounds are interleaved so that background load affects every contender alike.
    for _ in range(args.rounds):
        for name, fn in rows:
            if name in skipped:
                continue
            try:
                rates[name].append(fn())
            except ImportError as e:
                skipped[name] = e.name
    for name, _ in rows:
        if name in skipped:
            print(f"{name:48s} skipped ({skipped[name]} not installed)")
            continue
        r = sorted(rates[name])
        print(f"{name:48s} {r[len(r) // 2]:12,.0f} elements/s   (all: "
              f"{', '.join(f'{v:,.0f}' for v in rates[name])})")
    print("overlap checks (map over 24 arrays of 1024x1024: exp, sqrt, sum; best of 3, s):")
    for name, secs in bench_overlap().items():
        print(f"  {name:46s} {secs:8.3f} s")


if __name__ == "__main__":
    main()

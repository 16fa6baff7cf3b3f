"""MLP train step (784-128-10, batch 32, sparse softmax cross-entropy, SGD by assign_sub):
eager vs @tf.function and @tf.function(jit_compile=True) (with numba installed), plus the
first call's time. Run: python benchmarks/function_mlp.py"""

import time
import timeit

import numpy as np

import tapeflow as tf


def main():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((32, 784)).astype(np.float32))
    y = tf.constant(rng.integers(0, 10, 32).astype(np.int32))
    params = [tf.Variable(rng.standard_normal((784, 128)).astype(np.float32) * 0.05),
              tf.Variable(np.zeros(128, np.float32)),
              tf.Variable(rng.standard_normal((128, 10)).astype(np.float32) * 0.05),
              tf.Variable(np.zeros(10, np.float32))]

    def step(x, y):
        w1, b1, w2, b2 = params
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.01 * g)
        return loss

    variants = {"tf.function": tf.function(step)}
    try:
        import numba  # noqa: F401  (the optional 'tapeflow[jit]' extra)
        variants["tf.function(jit_compile=True)"] = tf.function(step, jit_compile=True)
    except ImportError:
        pass
    first = {}
    for name, fn in variants.items():
        t0 = time.perf_counter()
        fn(x, y)
        first[name] = (time.perf_counter() - t0) * 1e3
    n = 300
    timings = {"eager": [], **{name: [] for name in variants}}
    for _ in range(5):  # interleaved rounds: a busy machine slows every variant alike
        timings["eager"].append(timeit.timeit(lambda: step(x, y), number=n) / n * 1e6)
        for name, fn in variants.items():
            timings[name].append(timeit.timeit(lambda: fn(x, y), number=n) / n * 1e6)
    eager = min(timings["eager"])
    print(f"{'eager step':32s}{eager:8.1f} us")
    for name in variants:
        t = min(timings[name])
        print(f"{name + ' step':32s}{t:8.1f} us   {eager / t:.2f}x faster than eager   "
              f"first call (trace, compile) {first[name]:.1f} ms")


if __name__ == "__main__":
    main()

"""MLP train step (784-128-10, batch 32, sparse softmax cross-entropy, SGD by assign_sub):
eager vs @tf.function, plus the trace time. Run: python benchmarks/function_mlp.py"""

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

    traced = tf.function(step)
    t0 = time.perf_counter()
    traced(x, y)
    trace_ms = (time.perf_counter() - t0) * 1e3
    n = 300
    eager = min(timeit.repeat(lambda: step(x, y), number=n, repeat=5)) / n * 1e6
    fn = min(timeit.repeat(lambda: traced(x, y), number=n, repeat=5)) / n * 1e6
    print(f"eager step      {eager:8.1f} us")
    print(f"tf.function step{fn:8.1f} us   speedup {eager / fn:.2f}x")
    print(f"trace time      {trace_ms:8.1f} ms")


if __name__ == "__main__":
    main()

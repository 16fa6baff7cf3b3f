"""Gradient checks against central finite differences (float64).

For a function f of tensors, a random cotangent u and random input directions v_i, the
reverse-mode VJP must satisfy  sum_i <v_i, VJP_i(u)> == <u, (f(x + eps v / 2) -
f(x - eps v / 2)) / eps>. Second order applies the same check to the scalar function
(x, u) -> sum_i <w_i, VJP_i(u)> computed with a nested tape, with respect to both x and the
cotangent u (so the gradient ops of linear ops, which only see u, are checked too).
"""

from __future__ import annotations

import numpy as np

import tapeflow as tf


def _as_list(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _inner(us, ys):
    return sum(float(np.sum(np.asarray(u) * np.asarray(y))) for u, y in zip(us, ys))


def check_vjp(f, args, *, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Checks the reverse-mode gradient of `f(*tensors)` at float64 `args`."""
    rng = np.random.default_rng(seed)
    xs = [tf.constant(np.asarray(a, dtype=np.float64)) for a in args]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        ys = _as_list(f(*xs))
    us = [rng.standard_normal(np.shape(y)) for y in ys]
    grads = tape.gradient(ys, xs, output_gradients=[tf.constant(u) for u in us])
    vs = [rng.standard_normal(np.shape(a)) for a in args]
    analytic = sum(float(np.sum(v * (0 if g is None else g.numpy())))
                   for v, g in zip(vs, grads))
    plus = _as_list(f(*[tf.constant(np.asarray(a, np.float64) + eps * v / 2)
                        for a, v in zip(args, vs)]))
    minus = _as_list(f(*[tf.constant(np.asarray(a, np.float64) - eps * v / 2)
                         for a, v in zip(args, vs)]))
    numeric = (_inner(us, [p.numpy() for p in plus]) - _inner(us, [m.numpy() for m in minus]))
    numeric /= eps
    assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), (
        f"VJP mismatch: analytic {analytic!r} vs finite differences {numeric!r}")


def second_order(f, args, seed=1):
    """The scalar function (x, u) -> sum_i <w_i, VJP_i(u)> of f at x, and its arguments.

    Built with a nested tape. The cotangents `u` are inputs too, so the check also covers
    the gradient with respect to u: for a linear op the gradient rule's own ops (e.g.
    StridedSliceGrad) take only u, and that is the only way their gradient gets checked.
    Returns `(g, args + us)`.
    """
    rng = np.random.default_rng(seed)
    n = len(args)
    y0 = _as_list(f(*[tf.constant(np.asarray(a, np.float64)) for a in args]))
    u_vals = [rng.standard_normal(np.shape(y)) for y in y0]
    ws = [tf.constant(rng.standard_normal(np.shape(a))) for a in args]

    def g(*xs_us):
        xs, us = list(xs_us[:n]), list(xs_us[n:])
        with tf.GradientTape() as inner:
            inner.watch(xs)
            ys = _as_list(f(*xs))
        grads = inner.gradient(ys, xs, output_gradients=us)
        terms = [tf.reduce_sum(w * gr) for w, gr in zip(ws, grads) if gr is not None]
        if not terms:
            return tf.constant(0.0, dtype=tf.float64)
        return tf.add_n(terms) if len(terms) > 1 else terms[0]
    return g, list(args) + u_vals


def check_gradients(f, args, order=1, **kw):
    """First-order check, and for order >= 2 the same check on the gradient itself."""
    check_vjp(f, args, **kw)
    fn, fargs = f, list(args)
    for k in range(2, order + 1):
        fn, fargs = second_order(fn, fargs, seed=k)
        check_vjp(fn, fargs, **{**kw, "rtol": kw.get("rtol", 1e-5) * 10,
                                 "atol": kw.get("atol", 1e-7) * 10})

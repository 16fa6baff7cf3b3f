"""Differential tests of autodiff semantics against real TensorFlow on random inputs.

Each case is one function written against a module `m` (tapeflow or tensorflow) and run
with both; results (values, None-ness, shapes, dtypes, error types/messages) must agree.
"""

import numpy as np
import pytest

import tapeflow as tfl


def _np(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    return np.asarray(x)


def _same(a, b, rtol=1e-5, atol=1e-6):
    if a is None or b is None:
        assert a is None and b is None, (a, b)
        return
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k], rtol, atol)
        return
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y, rtol, atol)
        return
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _both(tf_ref, fn, *args):
    return _np(fn(tfl, *args)), _np(fn(tf_ref, *args))


SEEDS = [0, 1, 2]


def _case_mlp(m, x0, w0):
    x = m.constant(x0)
    w = m.Variable(w0)
    b = m.Variable(np.zeros(w0.shape[1], np.float32), trainable=False)
    with m.GradientTape() as tape:
        tape.watch(x)
        h = m.tanh(m.matmul(x, w) + b)
        loss = m.reduce_mean(h * h) + m.reduce_sum(m.exp(-x))
    return tape.gradient(loss, {"x": x, "w": [w], "b": b})


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_structure_and_values(tf_ref, seed):
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((3, 4)).astype(np.float32)
    w0 = rng.standard_normal((4, 2)).astype(np.float32)
    _same(*_both(tf_ref, _case_mlp, x0, w0))


def _case_nested_targets(m, x0):
    x = m.constant(x0)
    with m.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1 = x * x
        y2 = m.sin(x)
        c = m.constant(1.0) * 2.0
    return [tape.gradient({"a": y1, "b": [y2]}, x),
            tape.gradient([y1, y2], x, output_gradients=[m.ones_like(x) * 2.0, x]),
            tape.gradient(c, [x], unconnected_gradients=m.UnconnectedGradients.ZERO),
            tape.gradient(c, x),
            tape.gradient(y1, y1)]


@pytest.mark.parametrize("seed", SEEDS)
def test_nested_targets_output_gradients_unconnected(tf_ref, seed):
    x0 = np.random.default_rng(seed).standard_normal((2, 3))
    _same(*_both(tf_ref, _case_nested_targets, x0))


def _case_int_source(m):
    xi = m.constant([1, 2])
    with m.GradientTape() as tape:
        tape.watch(xi)
        y = m.cast(xi, m.float32) * 2.0
    return tape.gradient(y, xi)


def test_integer_source_gives_none(tf_ref):
    _same(*_both(tf_ref, _case_int_source))


def _case_complex(m, z0):
    z = m.constant(z0)
    with m.GradientTape(persistent=True) as tape:
        tape.watch(z)
        sq = z * z
        mag = m.math.real(z * m.math.conj(z))
        ab = m.abs(z)
    return [tape.gradient(sq, z), tape.gradient(mag, z), tape.gradient(ab, z)]


@pytest.mark.parametrize("seed", SEEDS)
def test_complex_gradient_convention(tf_ref, seed):
    rng = np.random.default_rng(seed)
    z0 = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64)
    _same(*_both(tf_ref, _case_complex, z0))


def _case_jacobians(m, x0, w0):
    x = m.constant(x0)
    w = m.constant(w0)
    with m.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = m.tanh(m.matmul(x, w)) * m.reduce_sum(x)
        sq = x * x * 3.0
        c = m.constant([1.0, 2.0], dtype=x.dtype) * 2.0
    return [tape.jacobian(y, [x, w]), tape.batch_jacobian(y, x), tape.batch_jacobian(sq, x),
            tape.jacobian(c, x),
            tape.jacobian(c, x, unconnected_gradients=m.UnconnectedGradients.ZERO)]


@pytest.mark.parametrize("seed", SEEDS)
def test_jacobian_and_batch_jacobian(tf_ref, seed):
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((3, 2))
    w0 = rng.standard_normal((2, 4))
    _same(*_both(tf_ref, _case_jacobians, x0, w0), rtol=1e-10, atol=1e-12)


def _case_slicing_jacobian(m, x0):
    x = m.constant(x0)
    with m.GradientTape() as tape:
        tape.watch(x)
        y = m.concat([x[:, :1] * 2.0, m.transpose(x)[1:]], axis=1)
    return tape.jacobian(y, x)


def test_jacobian_fallback_path(tf_ref):
    x0 = np.random.default_rng(3).standard_normal((2, 3))
    _same(*_both(tf_ref, _case_slicing_jacobian, x0))


def _case_forward(m, x0, v0):
    x = m.constant(x0)
    v = m.constant(v0)
    with m.autodiff.ForwardAccumulator(x, v) as acc:
        with m.GradientTape() as tape:
            tape.watch(x)
            loss = m.reduce_sum(m.sin(x) * x * x)
        g = tape.gradient(loss, x)
        y = m.exp(x) * 2.0
    with m.GradientTape() as outer:
        outer.watch(x)
        with m.autodiff.ForwardAccumulator(x, v) as acc2:
            l2 = m.reduce_sum(m.tanh(x) ** 2)
        jv = acc2.jvp(l2)
    return [acc.jvp(y), acc.jvp(g), outer.gradient(jv, x), acc.jvp(m.constant(1.0))]


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_accumulator_and_hvp(tf_ref, seed):
    rng = np.random.default_rng(seed)
    _same(*_both(tf_ref, _case_forward, rng.standard_normal(4), rng.standard_normal(4)),
          rtol=1e-10, atol=1e-12)


def _case_custom_gradient(m, x0):
    v = m.Variable(np.float64(1.5))

    @m.custom_gradient
    def f(x):
        y = m.exp(x) * v

        def grad(dy, variables=None):
            return dy * y * 3.0, [m.reduce_sum(dy * y)]
        return y, grad
    x = m.constant(x0)
    with m.GradientTape() as t2:
        t2.watch(x)
        with m.GradientTape() as t1:
            t1.watch(x)
            out = f(x)
        gx, gv = t1.gradient(out, [x, v])
    return [gx, gv, t2.gradient(gx, x)]


@pytest.mark.parametrize("seed", SEEDS)
def test_custom_gradient_with_variables_and_second_order(tf_ref, seed):
    x0 = np.random.default_rng(seed).standard_normal(3)
    _same(*_both(tf_ref, _case_custom_gradient, x0), rtol=1e-10)


def _case_compute_gradient(m, a0, b0):
    th, nu = m.test.compute_gradient(lambda a, b: m.tanh(m.matmul(a, b)), [a0, b0])
    return [list(th), list(nu)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compute_gradient(tf_ref, dtype):
    rng = np.random.default_rng(4)
    a0 = rng.standard_normal((2, 3)).astype(dtype)
    b0 = rng.standard_normal((3, 2)).astype(dtype)
    ours, ref = _both(tf_ref, _case_compute_gradient, a0, b0)
    _same(ours[0], ref[0], rtol=1e-5)
    # Same finite-difference recipe; in float32 one ulp of the forward divided by 2*delta
    # is ~3e-5, and NumPy's and TF's tanh/matmul may round differently.
    tol = 3e-4 if dtype == np.float32 else 1e-9
    _same(ours[1], ref[1], rtol=tol, atol=tol)


def _errors(m, fn):
    try:
        fn(m)
    except Exception as e:  # noqa: BLE001 - comparing exception types
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("fn", [
    lambda m: m.debugging.check_numerics(m.constant([1.0, np.nan]), "msg"),
    lambda m: m.debugging.check_numerics(m.constant([np.inf]), "msg"),
    lambda m: m.debugging.assert_equal([1, 2, 3, 4], [1, 0, 0, 4], message="hi"),
    lambda m: m.debugging.assert_equal([[1, 2], [3, 4]], [[0, 2], [3, 0]]),
    lambda m: m.debugging.assert_rank(m.ones([2, 3]), 3),
    lambda m: m.debugging.assert_shapes([(m.ones([2, 3]), (2, 4))]),
    lambda m: m.debugging.assert_shapes([(m.ones([2, 3]), ("N", "D")),
                                         (m.ones([3, 3]), ("N", "D"))]),
])
def test_debugging_errors_match(tf_ref, fn):
    ours, ref = _errors(tfl, fn), _errors(tf_ref, fn)
    assert ours[0] == ref[0]
    # TensorFlow prefixes kernel errors with '{{function_node ...}} '; tapeflow does not.
    assert ref[1].endswith(ours[1]), (ours[1], ref[1])


def _second_call(m):
    x = m.constant(1.0)
    with m.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    tape.gradient(y, x)


def test_non_persistent_second_call_message(tf_ref):
    assert _errors(tfl, _second_call) == _errors(tf_ref, _second_call)


def _untracked_sources(m):
    x0 = m.Variable(3.0)
    x2 = m.Variable(2.0) + 1.0      # computed before the tape: never watched
    x3 = m.constant(3.0)
    with m.GradientTape(persistent=True) as t:
        y = x0 * x2 + x3 * x0
    out = [t.gradient(y, [x0, x2, x3]),
           t.gradient(y, x3, unconnected_gradients="zero"),
           t.gradient(x3, x3)]                    # a target is its own source: ones
    layer_in = m.constant([[1.0, 2.0]])
    dense = m.keras.layers.Dense(1, kernel_initializer="ones")
    with m.GradientTape(persistent=True) as t2:
        z = m.reduce_sum(dense(layer_in))
    out.append(t2.gradient(z, layer_in))          # the layer's input was never watched
    x = m.ones([3, 1])
    with m.GradientTape(persistent=True) as t3:
        t3.watch(x)
        w = x * x3
    out += [t3.jacobian(w, x3), t3.batch_jacobian(w, m.ones([3, 1])),
            t3.batch_jacobian(w, x)]
    return out


def test_untracked_sources_get_none(tf_ref):
    _same(_np(_untracked_sources(tfl)), _np(_untracked_sources(tf_ref)))

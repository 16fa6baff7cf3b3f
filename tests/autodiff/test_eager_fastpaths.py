"""The eager training step's fast paths give exactly what the general paths give.

Covered: the backward engine (variable reads passed straight to the variable, precomputed
input keys, bias unbroadcasting), the Mean gradient (one divide by an array of counts for
small inputs, divide-then-broadcast for large ones), the sparse softmax cross-entropy
kernel, ReluGrad's same-shape kernel, `float * tensor`, and that tapes still free what they
recorded. Expected values are hand-written or computed with NumPy in float64.
"""

import gc
import weakref

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ops import reduction_ops
from tests.helpers.gradcheck import check_gradients


def _mlp_numpy(x, y, w1, b1, w2, b2):
    """Loss and gradients of the 2-layer relu MLP with mean sparse xent, in float64."""
    h = x @ w1 + b1
    r = np.maximum(h, 0)
    z = r @ w2 + b2
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = np.mean(np.log(s[:, 0]) - z[rows, y])
    d = e / s
    d[rows, y] -= 1
    d /= len(y)
    dh = (d @ w2.T) * (h > 0)
    return loss, [x.T @ dh, dh.sum(0), r.T @ d, d.sum(0)]


def _params(rng, dtype=np.float64):
    return [rng.standard_normal((6, 5)).astype(dtype), rng.standard_normal(5).astype(dtype),
            rng.standard_normal((5, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)]


def _mlp_loss(x, y, w1, b1, w2, b2):
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(h, w2) + b2
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))


@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_mlp_step_gradients_match_numpy(label_dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 6))
    y = rng.integers(0, 4, 7).astype(label_dtype)
    init = _params(rng)
    params = [tf.Variable(p) for p in init]
    with tf.GradientTape() as tape:
        loss = _mlp_loss(tf.constant(x), tf.constant(y), *params)
    grads = tape.gradient(loss, params)
    want_loss, want = _mlp_numpy(x, y, *init)
    np.testing.assert_allclose(float(loss), want_loss, rtol=1e-12)
    for g, w, p in zip(grads, want, params):
        assert g.dtype == tf.float64 and g.shape == p.shape
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-10, atol=1e-12)


def test_mlp_training_steps_match_numpy_sgd():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 6))
    y = rng.integers(0, 4, 8).astype(np.int32)
    init = _params(rng)
    params = [tf.Variable(p) for p in init]
    ref = [p.copy() for p in init]
    for _ in range(4):
        with tf.GradientTape() as tape:
            loss = _mlp_loss(tf.constant(x), tf.constant(y), *params)
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.1 * g)
        _, gs = _mlp_numpy(x, y, *ref)
        ref = [p - 0.1 * g for p, g in zip(ref, gs)]
    for p, r in zip(params, ref):
        np.testing.assert_allclose(p.numpy(), r, rtol=1e-10, atol=1e-12)


def test_mlp_loss_gradients_first_and_second_order():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 6))
    y = tf.constant([0, 3, 1])
    check_gradients(lambda *ps: _mlp_loss(tf.constant(x), y, *ps), _params(rng), order=2)


def test_variable_read_twice_and_through_assign_result_accumulates():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * 3.0) + tf.reduce_sum(v.read_value() * v)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [5.0, 7.0])
    r = v.assign([2.0, 3.0])          # an UnreadVariable view of v
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(r * r)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [4.0, 6.0])


def test_integer_variable_and_unconnected_sources():
    v = tf.Variable([1.0, 2.0])
    n = tf.Variable([1, 2])
    u = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * tf.cast(n, tf.float32))
    g = tape.gradient(y, [v, n, u])
    np.testing.assert_array_equal(g[0].numpy(), [1.0, 2.0])
    assert g[1] is None and g[2] is None
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * tf.cast(n, tf.float32))
    z = tape.gradient(y, [v, u], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert float(z[1]) == 0.0


def test_bias_and_scalar_unbroadcasting():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    b = tf.Variable([1.0, 1.0, 1.0], dtype=tf.float64)
    s = tf.Variable(2.0, dtype=tf.float64)
    c = tf.Variable([[1.0], [1.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum((x + b) * s + c)
    gb, gs, gc_ = tape.gradient(y, [b, s, c])
    np.testing.assert_array_equal(gb.numpy(), [4.0, 4.0, 4.0])
    assert gs.shape == () and float(gs) == float(np.sum(np.arange(6.0) + 1))
    np.testing.assert_array_equal(gc_.numpy(), [[3.0], [3.0]])


def test_output_gradients_seed():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([1.0, -1.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, -4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(tf.cast(y, tf.int32), x) is None  # an int target: no gradient


# -- Mean -------------------------------------------------------------------------------

def _mean_grad_numpy(shape, axis, keepdims, dy):
    axes = tuple(range(len(shape))) if axis is None else np.atleast_1d(axis).tolist()
    n = int(np.prod([shape[a] for a in axes]))
    if not keepdims:
        dy = np.expand_dims(dy, tuple(axes))
    return np.broadcast_to(dy / dy.dtype.type(n), shape)


@pytest.mark.parametrize("small", [True, False])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (None, True), (0, False),
                                           ((0, 2), True), (1, False)])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_mean_gradient_small_and_large_paths(monkeypatch, small, axis, keepdims, dtype):
    if not small:
        monkeypatch.setattr(reduction_ops, "_SMALL_MEAN", 0)
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((3, 4, 5)).astype(dtype)
    x = tf.constant(xv)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_mean(x, axis=axis, keepdims=keepdims)
    dy = rng.standard_normal(y.shape).astype(dtype)
    g = tape.gradient(y, x, output_gradients=tf.constant(dy))
    assert g.dtype == x.dtype and g.shape == x.shape
    want = _mean_grad_numpy(xv.shape, axis, keepdims, dy)
    np.testing.assert_array_equal(g.numpy(), want.astype(dtype))


@pytest.mark.parametrize("small", [True, False])
def test_mean_second_order_and_gradient_wrt_cotangent(monkeypatch, small):
    if not small:
        monkeypatch.setattr(reduction_ops, "_SMALL_MEAN", 0)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_mean(x * x)
        g = inner.gradient(y, x)                       # x / 2
        s = tf.reduce_sum(g)
    np.testing.assert_allclose(g.numpy(), [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(outer.gradient(s, x).numpy(), [0.5] * 4)
    u = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(u)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_mean(x)
        g = inner.gradient(y, x, output_gradients=u)   # u / 4 everywhere
        s = tf.reduce_sum(g * x)
    np.testing.assert_allclose(g.numpy(), [0.5] * 4)
    assert float(outer.gradient(s, u)) == pytest.approx(2.5)


@pytest.mark.parametrize("small", [True, False])
def test_mean_gradient_complex_empty_and_integer(monkeypatch, small):
    if not small:
        monkeypatch.setattr(reduction_ops, "_SMALL_MEAN", 0)
    z = tf.constant([1 + 1j, 2 - 1j], dtype=tf.complex64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = tf.reduce_mean(z)
    g = tape.gradient(y, z)
    assert g.dtype == tf.complex64
    np.testing.assert_array_equal(g.numpy(), [0.5 + 0j, 0.5 + 0j])
    e = tf.zeros([0, 3])
    with tf.GradientTape() as tape:
        tape.watch(e)
        y = tf.reduce_mean(e, axis=0)
    assert tape.gradient(y, e).shape == (0, 3)
    n = tf.constant([1, 2, 3])
    with tf.GradientTape() as tape:
        tape.watch(n)
        y = tf.reduce_mean(n)
    assert tape.gradient(y, n) is None


def test_mean_gradient_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_mean(x, axis=1)
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(),
                                  [[[0.5, 0.5], [0.0, 0.0]], [[0.0, 0.0], [0.5, 0.5]]])


# -- sparse softmax cross-entropy ---------------------------------------------------------

def _xent_numpy(logits, labels):
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    p = np.exp(z - lse[:, None])
    rows = np.arange(len(labels))
    onehot = np.zeros_like(p)
    onehot[rows, labels] = 1
    return lse - z[rows, labels], p - onehot


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float64, 1e-13)])
def test_sparse_xent_values_and_gradient(dtype, tol):
    rng = np.random.default_rng(4)
    logits = (rng.standard_normal((9, 7)) * 30).astype(dtype)   # large: needs the shift
    labels = rng.integers(0, 7, 9).astype(np.int64)
    lt = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(lt)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=lt)
    g = tape.gradient(loss, lt)
    want_loss, want_g = _xent_numpy(logits, labels)
    assert loss.dtype == lt.dtype and loss.shape == (9,)
    np.testing.assert_allclose(loss.numpy(), want_loss, rtol=tol, atol=tol)
    np.testing.assert_allclose(g.numpy(), want_g, rtol=tol, atol=tol)


def test_sparse_xent_input_arrays_are_not_modified_and_results_are_fresh():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    keep = logits.copy()
    lt = tf.constant(logits)
    a = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=lt)
    b = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=lt)
    np.testing.assert_array_equal(lt.numpy(), keep)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(a.numpy(), [np.log(np.exp([-2., -1., 0.]).sum()), np.log(3)],
                               rtol=1e-6)


def test_sparse_xent_bad_labels_and_empty_batch():
    lt = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    for bad in ([0, 2], [-1, 0]):
        with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=bad, logits=lt)
    empty = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.zeros([0], tf.int32), logits=tf.zeros([0, 3]))
    assert empty.shape == (0,)


def test_sparse_xent_second_order():
    rng = np.random.default_rng(5)
    labels = tf.constant([1, 0, 2])
    check_gradients(lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=z), [rng.standard_normal((3, 4))], order=2)


def test_sparse_xent_batches_of_other_shapes_share_no_state():
    for n, k in ((2, 3), (5, 3), (2, 4), (70, 2)):
        rng = np.random.default_rng(n * 10 + k)
        logits = rng.standard_normal((n, k))
        labels = rng.integers(0, k, n)
        got = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        np.testing.assert_allclose(got.numpy(), _xent_numpy(logits, labels)[0], rtol=1e-12)


# -- ReluGrad, matmul, float * tensor -----------------------------------------------------

def test_relu_gradient_values_nan_and_second_order():
    x = tf.constant([-1.0, 0.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.relu(x)
    g = tape.gradient(y, x, output_gradients=tf.constant([np.nan, np.inf, -2.0, np.nan]))
    got = g.numpy()
    assert np.isnan(got[0]) and np.isnan(got[1])   # NaN * 0, inf * 0: as TF's kernel
    assert got[2] == -2.0 and np.isnan(got[3])
    check_gradients(lambda t: tf.nn.relu(t) * t, [np.array([-1.5, 0.5, 2.0])], order=2)


def test_relu_jacobian_batched_cotangents():
    x = tf.constant([-1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.relu(x)
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), np.diag([0.0, 1.0, 1.0]))


def test_matmul_transposes_and_size_error():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tf.matmul(a.T, b, transpose_a=True).numpy(), a @ b)
    np.testing.assert_array_equal(tf.matmul(a, b.T, transpose_b=True).numpy(), a @ b)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[2,3\]"):
        tf.matmul(a, a)
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=True, transpose_b=True),
                    [a.T, b.T], order=2)


def test_float_times_tensor():
    x = tf.constant([1.0, 2.0], dtype=tf.float16)
    y = 0.5 * x
    assert y.dtype == tf.float16
    np.testing.assert_array_equal(y.numpy(), [0.5, 1.0])
    with pytest.raises(TypeError):
        _ = 0.5 * tf.constant([1, 2])
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        z = tf.reduce_sum(0.25 * v)
    np.testing.assert_array_equal(tape.gradient(z, v).numpy(), [0.25, 0.25])


# -- memory -------------------------------------------------------------------------------

def test_tape_frees_records_and_intermediates_after_gradient():
    rng = np.random.default_rng(6)
    params = [tf.Variable(p) for p in _params(rng, np.float32)]
    x = tf.constant(rng.standard_normal((4, 6)).astype(np.float32))
    y = tf.constant([0, 1, 2, 3])

    def forward(tape):
        with tape:
            h = tf.nn.relu(tf.matmul(x, params[0]) + params[1])
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=tf.matmul(h, params[2]) + params[3]))
        return loss, weakref.ref(h), [weakref.ref(r) for r in tape._records]

    tape = tf.GradientTape()
    loss, h_ref, rec_refs = forward(tape)
    assert h_ref() is not None and all(r() is not None for r in rec_refs)
    grads = tape.gradient(loss, params)
    assert all(g is not None for g in grads)
    assert h_ref() is None and all(r() is None for r in rec_refs)  # no gc needed
    assert tape._records == []
    persistent = tf.GradientTape(persistent=True)
    loss, h_ref, rec_refs = forward(persistent)
    persistent.gradient(loss, params)
    assert h_ref() is not None
    del persistent
    gc.collect()
    assert h_ref() is None and all(r() is None for r in rec_refs)

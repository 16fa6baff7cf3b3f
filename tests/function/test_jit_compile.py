"""tf.function(jit_compile=True): fused numba kernels in fast replays (_src/function/jit.py).

Each test compares the fused replay with eager execution of the same code: bit for bit
where the kernel does the same correctly rounded operations in the same order, within an
ulp or two where numba's exp/log differ from NumPy's.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow._src.function import jit
from tapeflow._src.function.tracing import JIT

numba = pytest.importorskip("numba")


def _program(f, *args):
    cf = f.get_concrete_function(*args)
    assert len(cf.programs) == 1
    return cf.programs[0]


def _fused(program):
    assert program.jit_steps is not None, "nothing was fused"
    return [s[1].name for s in program.jit_steps if s[0] == JIT or type(s[1]) is jit._JitOp]


def _replay_directly(program, *tensors):
    """Runs the fused replay itself: a kernel error raises here, where a call would fall
    back to the primitives silently (right values, lost speed)."""
    v = program.init_arrays[:]
    for i, t in zip(program.input_slots, tensors):
        v[i] = t._value
    program.replay(v, [])


def _same_bits(a, b):
    """Equal bits, signed zeros included; a NaN matches any NaN (LLVM, like XLA, does not
    keep NaN sign bits: it may fold `w + (-z)` into `w - z`)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    nan = np.isnan(a)
    np.testing.assert_array_equal(nan, np.isnan(b))
    assert a[~nan].tobytes() == b[~nan].tobytes(), (a, b)


def _mlp(seed=0):
    rng = np.random.default_rng(seed)
    params = [tf.Variable(rng.standard_normal((20, 16)).astype(np.float32) * 0.1),
              tf.Variable(np.zeros(16, np.float32)),
              tf.Variable(rng.standard_normal((16, 5)).astype(np.float32) * 0.1),
              tf.Variable(np.zeros(5, np.float32))]

    def step(x, y):
        w1, b1, w2, b2 = params
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.05 * g)
        return loss
    return params, step


def test_mlp_train_step_is_fused_and_trains_like_eager():
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((8, 20)).astype(np.float32))
    y = tf.constant(rng.integers(0, 5, 8).astype(np.int32))
    p_eager, step_eager = _mlp()
    p_jit, step = _mlp()
    f = tf.function(step, jit_compile=True)
    before = jit.stats["mismatches"]
    failures = jit.stats.get("compile_failures", 0)
    for _ in range(6):
        le, lj = step_eager(x, y), f(x, y)
        np.testing.assert_allclose(lj.numpy(), le.numpy(), rtol=2e-6)
    for a, b in zip(p_eager, p_jit):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-7)
    assert jit.stats["mismatches"] == before
    assert jit.stats.get("compile_failures", 0) == failures, jit.stats.get("last_failure")
    names = _fused(_program(f, x, y))
    # bias + relu; logits bias + loss; loss scale + bias gradient; relu gradient + bias
    # gradient; four SGD updates
    assert names.count("FusedAddV2Relu") == 1
    assert "FusedAddV2SparseSoftmaxCrossEntropyWithLogits" in names
    assert "FusedReluGradSum" in names and "FusedMulSum" in names
    assert names.count("FusedMulAssign") == 4
    _replay_directly(_program(f, x, y), x, y)


def test_elementwise_chain_gives_eager_bits_including_nan_inf_and_signed_zero():
    v = tf.Variable(np.zeros(7, np.float32))

    def g(x, y):
        z = tf.nn.relu(x * 2.0 - y) / 3.0 + y * y
        v.assign_add(-z)
        return z

    f = tf.function(g, jit_compile=True)
    x = tf.constant(np.array([1.5, -0.0, 0.0, np.nan, np.inf, -np.inf, -2.0], np.float32))
    y = tf.constant(np.array([0.5, 0.0, -0.0, 1.0, np.inf, 2.0, -3.0], np.float32))
    expect = g(x, y).numpy()
    v_expect = v.numpy()
    for _ in range(2):
        v.assign(np.zeros(7, np.float32))
        got = f(x, y).numpy()
        _same_bits(got, expect)
        _same_bits(v.numpy(), v_expect)
    assert "FusedMulSubReluRealDivMulAddV2NegAssign" in _fused(_program(f, x, y))


def test_division_by_zero_and_domain_errors_give_eagers_inf_and_nan():
    def g(x, y):
        return tf.sqrt(x) / y + tf.math.log(x) * 2.0

    f = tf.function(g, jit_compile=True)
    x = tf.constant([4.0, -1.0, 0.0, 1.0])
    y = tf.constant([2.0, 1.0, 1.0, 0.0])
    expect = g(x, y).numpy()
    for _ in range(2):
        np.testing.assert_array_equal(f(x, y).numpy(), expect)  # [3, nan, -inf, inf]
    assert _fused(_program(f, x, y))
    _replay_directly(_program(f, x, y), x, y)


_SHAPES = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@st.composite
def _broadcasting_case(draw):
    shape = draw(_SHAPES)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    patterns = []
    for _ in range(3):
        nd = draw(st.integers(0, len(shape)))
        tail = shape[len(shape) - nd:]
        patterns.append(tuple(1 if draw(st.booleans()) else d for d in tail))
    patterns[0] = shape  # one input has the full shape, so the result does
    seed = draw(st.integers(0, 2**16))
    return shape, dtype, patterns, seed


@settings(max_examples=12, deadline=None)
@given(_broadcasting_case())
def test_broadcasting_chains_match_eager_bit_for_bit(case):
    shape, dtype, patterns, seed = case
    rng = np.random.default_rng(seed)
    a, b, c = (tf.constant(rng.standard_normal(p).astype(dtype)) for p in patterns)

    def g(a, b, c):
        return (a - b) * c + a / (b * b + 1.0)

    f = tf.function(g, jit_compile=True)
    expect = g(a, b, c).numpy()
    before = jit.stats["mismatches"]
    for _ in range(2):
        _same_bits(f(a, b, c).numpy(), expect)
    assert jit.stats["mismatches"] == before
    assert _fused(_program(f, a, b, c))


def test_sums_over_leading_axes_give_numpys_bits():
    rng = np.random.default_rng(3)
    dy = tf.constant(rng.standard_normal((37, 6, 5)).astype(np.float32))
    h = tf.constant(rng.standard_normal((37, 6, 5)).astype(np.float32))

    def g(dy, h):
        with tf.GradientTape() as tape:
            tape.watch(h)
            y = tf.nn.relu(h)
        r = tape.gradient(y, h, output_gradients=dy) * 1.5  # ReluGrad(dy, y) * 1.5
        return tf.reduce_sum(r, axis=0), tf.reduce_sum(r, axis=[0, 1]), r

    f = tf.function(g, jit_compile=True)
    for _ in range(2):
        for got, want in zip(f(dy, h), g(dy, h)):
            _same_bits(got.numpy(), want.numpy())
    assert "FusedReluReluGradMulSumSum" in _fused(_program(f, dy, h))


def test_adam_like_updates_read_the_new_values_inside_the_loop():
    rng = np.random.default_rng(4)
    g0 = rng.standard_normal((6, 3)).astype(np.float32)

    def make():
        return (tf.Variable(rng.standard_normal((6, 3)).astype(np.float32)),
                tf.Variable(np.zeros((6, 3), np.float32)),
                tf.Variable(np.zeros((6, 3), np.float32)))

    def update(var, m, v, g, lr):
        m.assign_add((g - m) * 0.1)
        v.assign_add((tf.square(g) - v) * 0.001)
        var.assign_sub(m * lr / (tf.sqrt(v) + 1e-7))

    state = rng.bit_generator.state
    eager_vars = make()
    rng.bit_generator.state = state
    jit_vars = make()
    f = tf.function(lambda g, lr: update(*jit_vars, g, lr), jit_compile=True)
    g = tf.constant(g0)
    lr = tf.constant(np.float32(0.01))  # a computed scalar: a 0-d input of the loop
    for _ in range(3):
        update(*eager_vars, g, lr)
        f(g, lr)
    for a, b in zip(eager_vars, jit_vars):
        _same_bits(b.numpy(), a.numpy())
    names = _fused(_program(f, g, lr))
    # m, v and the variable in one loop: the reads of m and v after their assignments take
    # the new values from registers; lr (rank 0) is passed as a scalar.
    assert names == ["FusedSubMulSquareSubMulMulSqrtAddV2RealDivAssign"], names


def test_a_variable_whose_shape_changed_is_replayed_through_the_primitives():
    v = tf.Variable(np.ones(3, np.float32), shape=tf.TensorShape(None))

    @tf.function(jit_compile=True)
    def f():
        v.assign_add(v * 2.0 - 1.0)

    f()
    np.testing.assert_array_equal(v.numpy(), [2.0, 2.0, 2.0])
    v.assign(np.arange(5, dtype=np.float32))
    before = jit.stats["mismatches"]
    f()
    np.testing.assert_array_equal(v.numpy(), 3 * np.arange(5, dtype=np.float32) - 1)
    assert jit.stats["mismatches"] >= before  # a kernel refused it, or a guard retraced


@pytest.mark.parametrize("jit_compile", [False, True])
def test_a_failing_call_applies_the_fused_assignment_once(jit_compile):
    # The fast replay's assignments are rolled back and the call rerun through the
    # primitives for the error, which (as in TF's graph) has assigned before the failing op.
    v = tf.Variable(np.ones(4, np.float32))
    params = tf.constant([1.0, 2.0, 3.0])

    @tf.function(jit_compile=jit_compile)
    def f(x, i):
        v.assign_sub(x * 2.0 + 1.0)
        return tf.gather(params, i)

    x = tf.constant(np.ones(4, np.float32))
    f(x, tf.constant(1))
    f(x, tf.constant(1))
    np.testing.assert_array_equal(v.numpy(), [-5.0] * 4)
    with pytest.raises(tf.errors.InvalidArgumentError):
        f(x, tf.constant(7))
    np.testing.assert_array_equal(v.numpy(), [-8.0] * 4)


def test_results_that_are_returned_or_held_elsewhere_are_never_overwritten():
    @tf.function(jit_compile=True)
    def f(x):
        y = x * 2.0
        z = tf.nn.relu(y + 1.0) * 3.0
        return y, z

    x = tf.constant(np.array([-3.0, 1.0], np.float32))
    for _ in range(3):
        y, z = f(x)
        np.testing.assert_array_equal(x.numpy(), [-3.0, 1.0])
        np.testing.assert_array_equal(y.numpy(), [-6.0, 2.0])
        np.testing.assert_array_equal(z.numpy(), [0.0, 9.0])
    y2, _ = f(x)
    assert y2.numpy() is not y.numpy()


def test_gradients_through_a_jit_function():
    @tf.function(jit_compile=True)
    def f(x):
        return tf.reduce_sum(tf.nn.relu(x * 3.0 - 1.0) * x)

    x = tf.Variable(np.array([0.1, 0.5, 2.0], np.float64))
    f(x)
    with tf.GradientTape() as tape:
        y = f(x)
    g = tape.gradient(y, x).numpy()
    xv = x.numpy()
    np.testing.assert_allclose(g, np.where(3 * xv - 1 > 0, 6 * xv - 1, 0.0))


def test_bad_labels_raise_the_eager_error():
    logits = tf.constant(np.zeros((2, 3), np.float32))
    b = tf.constant(np.zeros(3, np.float32))

    def g(logits, labels):
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits + b)

    f = tf.function(g, jit_compile=True)
    f(logits, tf.constant([0, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError) as eager_err:
        g(logits, tf.constant([0, 5]))
    with pytest.raises(tf.errors.InvalidArgumentError) as jit_err:
        f(logits, tf.constant([0, 5]))
    assert "Received a label value of 5" in str(jit_err.value)
    assert "Received a label value of 5" in str(eager_err.value)


def test_xent_kernel_matches_numpy_within_a_few_ulps():
    rng = np.random.default_rng(5)
    logits = tf.constant((rng.standard_normal((64, 10)) * 5).astype(np.float32))
    b = tf.constant(rng.standard_normal(10).astype(np.float32))
    labels = tf.constant(rng.integers(0, 10, 64).astype(np.int64))

    def g(x, labels):
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x + b)
        return loss

    f = tf.function(g, jit_compile=True)
    for _ in range(2):
        np.testing.assert_allclose(f(logits, labels).numpy(), g(logits, labels).numpy(),
                                   rtol=1e-6, atol=1e-6)
    assert "FusedAddV2SparseSoftmaxCrossEntropyWithLogits" in _fused(
        _program(f, logits, labels))


def test_without_numba_it_warns_once_and_replays_unfused(monkeypatch):
    monkeypatch.setattr(jit, "_numba", False)
    monkeypatch.setattr(jit, "_warned", False)

    @tf.function(jit_compile=True)
    def f(x):
        return tf.nn.relu(x + 1.0) * 2.0

    x = tf.constant([-2.0, 1.0])
    with pytest.warns(UserWarning, match=r"numba is not installed"):
        f(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(f(x).numpy(), [0.0, 4.0])
    assert _program(f, x).jit_steps is None


def test_kernels_are_shared_between_shapes():
    def g(x, b):
        return tf.nn.relu(x + b) * 0.5

    f = tf.function(g, jit_compile=True)
    outs = []
    for n in (3, 4):
        x = tf.constant(np.arange(n * 2, dtype=np.float32).reshape(n, 2) - 3)
        b = tf.constant(np.float32([1.0, -1.0]))
        f(x, b)
        outs.append(_program(f, x, b).jit_steps)
    kernels = [s[1].kernel for steps in outs for s in steps if s[0] == JIT]
    assert len(kernels) == 2 and kernels[0] is kernels[1]


def test_keras_compile_jit_compile_fits_like_the_unfused_step():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((64, 12)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    histories = []
    for jit_compile in (False, True):
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"),
                                     tf.keras.layers.Dense(3)])
        model.compile(optimizer="adam", jit_compile=jit_compile,
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        assert model.jit_compile is jit_compile
        histories.append(model.fit(x, y, batch_size=16, epochs=3, verbose=0).history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)


def test_kernels_are_kept_on_disk_and_reloaded_by_a_new_process(tmp_path, monkeypatch):
    monkeypatch.setenv("TAPEFLOW_JIT_CACHE_DIR", str(tmp_path))
    failures = jit.stats.get("compile_failures", 0)

    def g(x):
        return tf.nn.relu(x * 0.25 + 0.125) - x

    x = tf.constant(np.linspace(-1, 1, 6).astype(np.float32))
    expect = g(x).numpy()
    for _ in range(2):  # the second time as a new process would: nothing in memory
        monkeypatch.setattr(jit, "_kernels", {})
        f = tf.function(g, jit_compile=True)
        f(x)
        _same_bits(f(x).numpy(), expect)
        assert _fused(_program(f, x))
    assert jit.stats.get("compile_failures", 0) == failures, jit.stats.get("last_failure")
    assert list(tmp_path.glob("k_*.py"))
    assert list(tmp_path.glob("__pycache__/k_*.nbi"))  # numba's index of compiled code


def test_an_unusable_cache_directory_compiles_in_memory(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("TAPEFLOW_JIT_CACHE_DIR", str(blocked / "jit"))
    monkeypatch.setattr(jit, "_kernels", {})

    @tf.function(jit_compile=True)
    def f(x):
        return tf.nn.relu(x - 0.5) * 4.0

    x = tf.constant([0.25, 1.0])
    f(x)
    np.testing.assert_array_equal(f(x).numpy(), [0.0, 2.0])
    assert _fused(_program(f, x))


# -- cases a second reader found ----------------------------------------------------------

def _check_against_eager(g, *args, fused=True):
    f = tf.function(g, jit_compile=True)
    failures = jit.stats.get("compile_failures", 0)
    expect = [t.numpy() for t in tf.nest.flatten(g(*args))]
    for _ in range(2):
        got = [t.numpy() for t in tf.nest.flatten(f(*args))]
        for a, b in zip(got, expect):
            _same_bits(a, b)
    program = _program(f, *args)
    _replay_directly(program, *args)
    assert jit.stats.get("compile_failures", 0) == failures, jit.stats.get("last_failure")
    if fused:
        assert _fused(program)
    return program


def test_a_sum_read_by_a_later_op_ends_the_loop():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    _check_against_eager(lambda x: (x * 2.0 - tf.reduce_sum(x * 2.0, axis=0)) * 3.0, x)
    e = tf.constant(np.random.default_rng(0).random((5, 3)).astype(np.float32))
    _check_against_eager(lambda e: (e * e) / tf.reduce_sum(e * e, axis=0), e)


def test_sums_start_from_zero_as_numpy_does():
    # a column of -0.0 sums to +0.0; an empty leading axis sums to zeros
    dy = tf.constant(np.array([[-1.0, 2.0], [-3.0, 5.0]], np.float32))
    h = tf.constant(np.array([[-1.0, 1.0], [-2.0, 1.0]], np.float32))

    def bias_grad(dy, h):
        with tf.GradientTape() as tape:
            tape.watch(h)
            y = tf.nn.relu(h)
        return tf.reduce_sum(tape.gradient(y, h, output_gradients=dy) * 1.0, axis=0)

    _check_against_eager(bias_grad, dy, h)
    empty = tf.constant(np.zeros((0, 5), np.float32))
    _check_against_eager(lambda x: tf.reduce_sum(x * 2.0, axis=0), empty)
    _check_against_eager(lambda x: tf.reduce_sum(x * 1.5 + 1.0, axis=0),
                         tf.constant(np.ones((4, 3), np.float32)))  # only a sum is stored


def test_sums_numpy_adds_pairwise_are_left_to_numpy():
    rng = np.random.default_rng(2)
    col = tf.constant(rng.standard_normal((1000, 1)).astype(np.float32))
    _check_against_eager(lambda x: tf.reduce_sum(x * 1.5, axis=0), col, fused=False)
    cube = tf.constant(rng.standard_normal((50, 40, 1)).astype(np.float32))
    _check_against_eager(lambda x: tf.reduce_sum(x * 1.5, axis=[0, 1]), cube, fused=False)


def test_an_empty_constant_does_not_break_the_trace():
    x = tf.constant(np.zeros(0, np.float32))
    c = tf.constant(np.zeros(0, np.float32))
    _check_against_eager(lambda x: (x + c) * 2.0, x)


def test_a_lone_relu_gradient_is_fused():
    rng = np.random.default_rng(3)
    dy = tf.constant(rng.standard_normal((6, 4)).astype(np.float32))
    y = tf.constant(rng.standard_normal((6, 4)).astype(np.float32))

    def g(dy, y):
        with tf.GradientTape() as tape:
            tape.watch(y)
            r = tf.nn.relu(y)
        return tape.gradient(r, y, output_gradients=dy)

    assert any("ReluGrad" in n for n in _fused(_check_against_eager(g, dy, y)))

    from tapeflow._src.ops.nn_ops import _relu_backprop  # the ReluGrad primitive alone
    # (its NumPy kernel makes two passes: a loop of its own pays)
    assert _fused(_check_against_eager(_relu_backprop, dy, y)) == ["FusedReluGrad"]


def test_refused_inputs_run_the_group_unfused_without_repeating_earlier_effects(tmp_path):
    tf.random.set_seed(1)
    v = tf.Variable(np.ones(3, np.float32), shape=tf.TensorShape(None))
    path = tmp_path / "printed.txt"

    @tf.function(jit_compile=True)
    def f():
        tf.print("call", output_stream="file://" + str(path))
        r = tf.random.uniform([])
        v.assign_add(v * 2.0 - 1.0)
        return r

    f()
    v.assign(np.arange(5, dtype=np.float32))
    before = jit.stats["mismatches"]
    draws = [float(f()) for _ in range(2)]
    np.testing.assert_array_equal(v.numpy(), 9 * np.arange(5, dtype=np.float32) - 4)
    assert jit.stats["mismatches"] == before + 2
    assert path.read_text().count("call") == 3          # once per call, trace included

    tf.random.set_seed(1)
    v2 = tf.Variable(np.ones(3, np.float32), shape=tf.TensorShape(None))

    @tf.function
    def g():
        r = tf.random.uniform([])
        v2.assign_add(v2 * 2.0 - 1.0)
        return r

    g()
    v2.assign(np.arange(5, dtype=np.float32))
    assert [float(g()) for _ in range(2)] == draws


@pytest.mark.parametrize("jit_compile", [False, True])
def test_assignments_through_what_assign_add_returned(jit_compile):
    # `u = v.assign_add(...)` is v: reads and assignments through u are v's
    def g(v, x):
        u = v.assign_add(x * 2.0)
        r1 = v.read_value() * 1.0
        u.assign_add(x * 3.0)
        return r1, v.read_value() * 1.0

    x = tf.constant(np.ones(4, np.float32))
    ve = tf.Variable(np.zeros(4, np.float32))
    vf = tf.Variable(np.zeros(4, np.float32))
    f = tf.function(lambda x: g(vf, x), jit_compile=jit_compile)
    for _ in range(3):
        want, got = g(ve, x), f(x)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(vf.numpy(), [15.0] * 4)


def test_an_add_before_another_multi_output_op_is_not_taken_for_the_loss():
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = tf.constant(np.float32([1.0, 2.0, 3.0]))
    _check_against_eager(lambda x: tf.unstack(x + b), x, fused=False)

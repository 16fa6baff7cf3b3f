"""tf.function: tracing, replay, signatures, variables, guards, gradients, methods, errors."""

import logging

import numpy as np
import pytest

import tapeflow as tf


@pytest.fixture(autouse=True)
def _traced_mode():
    tf.config.run_functions_eagerly(False)
    yield
    tf.config.run_functions_eagerly(False)


# -- tracing and side effects -----------------------------------------------------------------

def test_python_side_effects_at_trace_time_only_tf_print_every_call(capsys):
    @tf.function
    def f(x):
        print("tracing", x.shape)
        tf.print("running", x)
        return x * 2

    assert float(f(tf.constant(1.0))) == 2.0
    assert float(f(tf.constant(5.0))) == 10.0
    out = capsys.readouterr()
    assert out.out == "tracing ()\n"
    assert out.err == "running 1\nrunning 5\n"
    assert f.experimental_get_tracing_count() == 1


def test_new_shape_dtype_or_python_value_retraces():
    calls = []

    @tf.function
    def f(x, n):
        calls.append(1)
        return x * n

    f(tf.constant(1.0), 2)
    f(tf.constant(3.0), 2)
    assert f.experimental_get_tracing_count() == 1
    f(tf.constant([1.0, 2.0]), 2)       # new shape
    f(tf.constant(1), 2)                # new dtype
    np.testing.assert_array_equal(f(tf.constant(1.0), 3).numpy(), 3.0)  # new Python value
    assert f.experimental_get_tracing_count() == 4
    f(tf.constant(7.0), 3)
    assert f.experimental_get_tracing_count() == 4
    assert len(calls) == 4


def test_keyword_arguments_bind_to_parameters():
    @tf.function
    def f(x, scale, *, shift=0.0):
        return x * scale + shift

    assert float(f(tf.constant(1.0), 2.0)) == 2.0
    assert float(f(x=tf.constant(2.0), scale=2.0)) == 4.0
    assert f.experimental_get_tracing_count() == 1
    assert float(f(tf.constant(2.0), 2.0, shift=1.0)) == 5.0
    assert f.experimental_get_tracing_count() == 2
    with pytest.raises(TypeError):
        f(tf.constant(1.0))


def test_nested_structures_and_numpy_arguments():
    @tf.function
    def f(d, pair):
        return d["a"] + pair[0] * pair[1]

    r = f({"a": tf.constant(1.0)}, (tf.constant(2.0), np.float32(3.0)))
    assert float(r) == 7.0
    r = f({"a": tf.constant(2.0)}, (tf.constant(2.0), np.float32(3.0)))
    assert float(r) == 8.0
    assert f.experimental_get_tracing_count() == 1
    out = f({"a": np.array([1.0], np.float32)}, (tf.constant(1.0), np.float32(1.0)))
    np.testing.assert_array_equal(out.numpy(), [2.0])


def test_structured_outputs_and_python_outputs():
    @tf.function
    def f(x):
        return {"double": x * 2, "pair": (x, x + 1), "const": 3}

    f(tf.constant(1))
    r = f(tf.constant(4))
    assert int(r["double"]) == 8 and int(r["pair"][1]) == 5 and r["const"] == 3


def test_input_signature_avoids_retracing_and_rejects_mismatches():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return tf.reduce_sum(x)

    assert float(f(tf.constant([1.0, 2.0]))) == 3.0
    assert float(f(tf.constant([1.0, 2.0, 3.0]))) == 6.0
    assert float(f([4.0])) == 4.0
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="Binding inputs to tf.function failed due to `Can not "
                                        r"cast TensorSpec\(shape=\(1, 1\)"):
        f(tf.constant([[1.0]]))
    with pytest.raises(TypeError, match=r"dtype=tf.int32.*signature: \(x: TensorSpec"):
        f(tf.constant([1]))


def test_reduce_retracing_generalises_shapes():
    @tf.function(reduce_retracing=True)
    def f(x):
        return x + 1

    for n in (1, 2, 3, 4):
        np.testing.assert_array_equal(f(tf.zeros([n])).numpy(), np.ones(n))
    assert f.experimental_get_tracing_count() == 2


def test_retracing_warning(caplog):
    @tf.function
    def f(x):
        return x

    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        for i in range(6):
            f(i)
    msgs = [r.getMessage() for r in caplog.records if "retracing" in r.getMessage()]
    assert len(msgs) == 2  # at most two warnings per function
    assert msgs[0].startswith("5 out of the last 5 calls to <function ")
    assert msgs[1].startswith("6 out of the last 6 calls to <function ")
    assert "triggered tf.function retracing. Tracing is expensive" in msgs[0]


def test_get_concrete_function():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        v.assign_add(1.0)
        return x * 2

    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    assert float(v) == 1.0  # the trace's assignment was undone
    np.testing.assert_array_equal(cf(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    assert float(v) == 2.0
    cf2 = f.get_concrete_function(tf.constant(3.0))
    assert float(cf2(tf.constant(4.0))) == 8.0
    assert f.experimental_get_tracing_count() == 2


def test_run_functions_eagerly(capsys):
    @tf.function
    def f(x):
        print("python")
        return x + 1

    tf.config.run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly()
    f(tf.constant(1))
    f(tf.constant(2))
    assert capsys.readouterr().out == "python\npython\n"
    assert f.experimental_get_tracing_count() == 0


def test_nested_functions_are_inlined():
    @tf.function
    def inner(x):
        return x * 3

    @tf.function
    def outer(x):
        assert tf.inside_function()
        return inner(x) + 1

    assert not tf.inside_function()
    outer(tf.constant(1))
    assert int(outer(tf.constant(2))) == 7
    assert inner.experimental_get_tracing_count() == 0


# -- variables ---------------------------------------------------------------------------------

def test_variable_reads_and_assigns_act_on_live_variables():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        v.assign_add(x)
        return v * 10

    assert float(f(tf.constant(1.0))) == 20.0
    assert float(f(tf.constant(1.0))) == 30.0
    v.assign(-1.0)  # changed outside: the replay reads the new value
    assert float(f(tf.constant(2.0))) == 10.0
    assert float(v) == 1.0


def test_variable_created_on_first_call_only():
    class Counter:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(0.0)
            self.v.assign_add(x)
            return self.v.read_value()

    c = Counter()
    assert float(c(tf.constant(2.0))) == 2.0
    assert float(c(tf.constant(3.0))) == 5.0
    # As in TF, a trace that creates variables is traced a second time.
    assert c.__call__.experimental_get_tracing_count() == 2

    @tf.function
    def bad(x):
        return tf.Variable(x) * 2

    with pytest.raises(ValueError, match="tf.function only supports singleton tf.Variables "
                                         "created on the first call"):
        bad(tf.constant(1.0))


def test_optimizer_style_update_loop():
    w = tf.Variable([1.0, -2.0])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w)
        g = tape.gradient(loss, w)
        w.assign_sub(0.25 * g)
        return loss

    losses = [float(step()) for _ in range(3)]
    assert losses == [5.0, 1.25, 0.3125]
    np.testing.assert_allclose(w.numpy(), [0.125, -0.25])


# -- guards (Python control flow on tensor values) -------------------------------------------

def test_python_if_on_tensor_takes_the_right_branch_each_call(capsys):
    @tf.function
    def f(x):
        if x > 0:
            print("positive branch")
            return x
        print("negative branch")
        return -x

    assert [float(f(tf.constant(v))) for v in (2.0, -3.0, 4.0, -5.0)] == [2.0, 3.0, 4.0, 5.0]
    assert capsys.readouterr().out == "positive branch\nnegative branch\n"
    assert f.experimental_get_tracing_count() == 1


def test_int_of_tensor_and_python_loop():
    @tf.function
    def f(x, n):
        s = tf.constant(0)
        for i in range(int(n)):
            s += x
        return s

    assert int(f(tf.constant(2), tf.constant(3))) == 6
    assert int(f(tf.constant(2), tf.constant(5))) == 10
    assert int(f(tf.constant(1), tf.constant(5))) == 5


def test_numpy_of_traced_tensor_is_guarded():
    @tf.function
    def f(x):
        k = int(np.asarray(x).sum())
        return tf.ones([k])

    assert f(tf.constant([1, 1])).shape == (2,)
    assert f(tf.constant([1, 2])).shape == (3,)


def test_guard_paths_per_signature_are_bounded_and_most_recent_first():
    from tapeflow._src.function import polymorphic

    @tf.function
    def f(x):
        return tf.fill([2], float(x))  # a Python float of a tensor: one guard path per value

    for i in range(3 * polymorphic._MAX_PROGRAMS):
        assert f(tf.constant(float(i))).numpy().tolist() == [i, i]
    cf, = f._traced_order
    assert len(cf.programs) == polymorphic._MAX_PROGRAMS
    last = cf.programs[0]
    assert f(tf.constant(float(3 * polymorphic._MAX_PROGRAMS - 1))).numpy()[0] == (
        3 * polymorphic._MAX_PROGRAMS - 1)
    assert cf.programs[0] is last and f.experimental_get_tracing_count() == 1


def test_tf_cond_and_while_loop_on_traced_values():
    @tf.function
    def f(x, n):
        y = tf.cond(x > 0, lambda: x * 10, lambda: x - 10)
        _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + y), (0, 0.0))
        return s

    assert float(f(tf.constant(1.0), tf.constant(2))) == 20.0
    assert float(f(tf.constant(-1.0), tf.constant(3))) == -33.0
    assert float(f(tf.constant(2.0), tf.constant(1))) == 20.0


def test_guard_miss_does_not_apply_assignments_twice():
    v = tf.Variable(0)

    @tf.function
    def f(x):
        v.assign_add(1)
        if x > 0:
            return v + 100
        return v - 100

    assert int(f(tf.constant(1))) == 101
    assert int(f(tf.constant(-1))) == -98
    assert int(v) == 2
    assert int(f(tf.constant(1))) == 103
    assert int(v) == 3


# -- random ops --------------------------------------------------------------------------------

def test_random_ops_draw_fresh_values_on_replay():
    @tf.function
    def f():
        return tf.random.uniform([4]), tf.random.normal([4])

    a = f()
    b = f()
    assert not np.array_equal(a[0].numpy(), b[0].numpy())
    assert not np.array_equal(a[1].numpy(), b[1].numpy())


def test_stateless_random_follows_the_seed_tensor():
    @tf.function
    def f(seed):
        return tf.random.stateless_uniform([3], seed=seed)

    s1, s2 = tf.constant([1, 2]), tf.constant([3, 4])
    a, b, a2 = f(s1), f(s2), f(s1)
    np.testing.assert_array_equal(a.numpy(), tf.random.stateless_uniform([3], seed=s1).numpy())
    np.testing.assert_array_equal(a.numpy(), a2.numpy())
    assert not np.array_equal(a.numpy(), b.numpy())


def test_seeded_random_sequence_matches_across_fresh_functions():
    def run():
        tf.random.set_seed(5)
        f = tf.function(lambda: tf.random.uniform([2], seed=1))
        return [f().numpy() for _ in range(3)]

    first, second = run(), run()
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], first[1])


# -- gradients ---------------------------------------------------------------------------------

def test_gradient_through_a_call():
    @tf.function
    def f(x):
        return x * x * x

    x = tf.constant(2.0)
    f(x)  # traced already: the tape sees the replay
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert float(tape.gradient(y, x)) == 12.0


def test_second_order_gradient_through_a_call():
    @tf.function
    def f(x):
        return tf.sin(x) * x

    x = tf.constant(0.7)
    f(x)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        g = t1.gradient(y, x)
    gg = t2.gradient(g, x)
    xv = 0.7
    np.testing.assert_allclose(float(g), np.cos(xv) * xv + np.sin(xv), rtol=1e-6)
    np.testing.assert_allclose(float(gg), 2 * np.cos(xv) - xv * np.sin(xv), rtol=1e-6)


def test_variable_gradients_through_a_call():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def loss(x):
        return tf.reduce_sum(w * x)

    loss(tf.constant([1.0, 1.0]))
    with tf.GradientTape() as tape:
        y = loss(tf.constant([3.0, 4.0]))
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [3.0, 4.0])


def test_gradient_computed_inside_the_function_matches_eager():
    def grad_fn(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.exp(x) * tf.tanh(x)
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)

    f = tf.function(grad_fn)
    f(tf.constant([0.1, 0.2]))
    x = tf.constant([0.5, -1.5])
    for got, want in zip(f(x), grad_fn(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


# -- methods and errors ------------------------------------------------------------------------

def test_methods_are_traced_per_instance():
    class M:
        def __init__(self, k):
            self.k = k

        @tf.function
        def scale(self, x):
            return x * self.k

    a, b = M(2.0), M(3.0)
    assert float(a.scale(tf.constant(1.0))) == 2.0
    assert float(b.scale(tf.constant(1.0))) == 3.0
    assert float(a.scale(tf.constant(2.0))) == 4.0
    assert a.scale.experimental_get_tracing_count() == 1
    assert b.scale.experimental_get_tracing_count() == 1
    assert a.scale is a.scale

    class Unhashable(M):
        __hash__ = None

        def __eq__(self, other):
            return False

    u = Unhashable(4.0)
    u.scale(tf.constant(1.0))
    assert float(u.scale(tf.constant(2.0))) == 8.0
    assert u.scale is u.scale and u.scale.experimental_get_tracing_count() == 1


def test_kernel_error_on_replay_is_tf_error():
    @tf.function
    def f(x, y):
        return x + y

    f(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        f(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))


def test_decorator_forms_and_signature():
    import inspect
    params = list(inspect.signature(tf.function).parameters)
    assert params[:5] == ["func", "input_signature", "autograph", "jit_compile",
                          "reduce_retracing"]

    @tf.function()
    def f(x):
        return x

    g = tf.function(lambda x: x + 1, jit_compile=True)
    assert int(f(tf.constant(1))) == 1 and int(g(tf.constant(1))) == 2
    assert f.__name__ == "f"


def test_list_physical_devices():
    devs = tf.config.list_physical_devices()
    assert repr(devs) == "[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]"
    assert tf.config.list_physical_devices("GPU") == []


def test_custom_gradient_inside_a_function():
    @tf.custom_gradient
    def clip(x, scale=1.0):
        y = x * scale
        return tf.identity(y), lambda dy: tf.clip_by_value(dy, -0.5, 0.5) * scale

    f = tf.function(lambda x: clip(x * 3.0, scale=2.0))
    f(tf.constant(1.0))
    assert float(f(tf.constant(2.0))) == 12.0  # replayed, not the trace-time value
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert float(tape.gradient(y, x)) == 3.0  # 0.5 * 2 (custom rule) * 3

    @tf.function
    def inner_tape(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = clip(x * 3.0)
        return t.gradient(y, x)

    assert float(inner_tape(tf.constant(1.0))) == 1.5
    assert float(inner_tape(tf.constant(4.0))) == 1.5


def test_forward_mode_through_a_call():
    f = tf.function(lambda x: tf.sin(x) * 2.0)
    x = tf.constant(0.3)
    f(x)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        y = f(x)
    np.testing.assert_allclose(float(acc.jvp(y)), 2 * np.cos(0.3), rtol=1e-6)


def test_dataset_iteration_and_keras_dropout_inside_a_function():
    @tf.function
    def total(ds):
        s = tf.constant(0, tf.int64)
        for e in ds:
            s += e
        return s

    assert int(total(tf.data.Dataset.range(5))) == 10
    shuffled = tf.data.Dataset.range(5).map(lambda e: e * 2)
    assert int(total(shuffled)) == 20 and int(total(shuffled)) == 20
    it = iter(tf.data.Dataset.range(10, 13))

    @tf.function
    def next_of(iterator):
        return next(iterator) * 1

    assert [int(next_of(it)) for _ in range(3)] == [10, 11, 12]  # not a frozen first value
    m = tf.keras.Sequential([tf.keras.layers.Dense(3), tf.keras.layers.Dropout(0.5)])
    fm = tf.function(lambda x: m(x, training=True))
    a, b = fm(tf.ones([2, 4])), fm(tf.ones([2, 4]))
    assert not np.array_equal(a.numpy(), b.numpy())  # a fresh dropout mask per call


def test_shape_dependent_code_under_none_dims():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        n = tf.cast(tf.shape(x)[0], tf.float32)
        return tf.reduce_sum(x, axis=0) / n + tf.cast(tf.size(x), tf.float32)

    np.testing.assert_allclose(f(tf.ones([1, 2])).numpy(), [3.0, 3.0])
    np.testing.assert_allclose(f(tf.ones([3, 2])).numpy(), [7.0, 7.0])

    @tf.function(reduce_retracing=True)
    def g(x):
        return tf.reduce_sum(tf.zeros([x.shape[0]]) + x) + x.shape[0]

    assert [float(g(tf.ones([n]))) for n in (1, 2, 3, 2)] == [2.0, 4.0, 6.0, 4.0]


def test_tensor_escaping_a_trace_is_out_of_scope_in_another():
    cache = {}

    @tf.function
    def f(x):
        h = x * 2
        cache["h"] = h
        return h + 1

    @tf.function
    def g(x):
        return x + cache["h"]

    y = f(tf.constant(1.0))
    assert float(tf.function(lambda x: x + y)(tf.constant(1.0))) == 4.0  # results are fine
    with pytest.raises(TypeError, match=r"cannot be accessed from here, because it was "
                                        r"defined in FuncGraph\(name=f, id=\d+\), which is "
                                        r"out of scope"):
        g(tf.constant(1.0))

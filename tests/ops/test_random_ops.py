"""tf.random: TensorFlow's seed semantics (within and across processes), distribution
moments within loose bounds, dtypes, shapes and argument errors (messages recorded from
TF 2.21), Generator and the stateless ops. Values cannot match TF's Philox streams."""

import subprocess
import sys

import numpy as np
import pytest

import tapeflow as tf


@pytest.fixture(autouse=True)
def _no_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def _same(a, b):
    return np.array_equal(a.numpy(), b.numpy())


# -- seed semantics (tf.random.set_seed docs) -------------------------------------------

def test_global_seed_reset_repeats_the_sequence():
    tf.random.set_seed(1234)
    a1, a2 = tf.random.uniform([4]), tf.random.normal([4])
    tf.random.set_seed(1234)
    b1, b2 = tf.random.uniform([4]), tf.random.normal([4])
    assert _same(a1, b1) and _same(a2, b2)


def test_global_seed_only_gives_different_values_per_call():
    tf.random.set_seed(5)
    assert not _same(tf.random.uniform([4]), tf.random.uniform([4]))


def test_same_op_seed_twice_gives_different_values_then_repeats_after_reset():
    tf.random.set_seed(9)
    a1, a2 = tf.random.uniform([4], seed=1), tf.random.uniform([4], seed=1)
    assert not _same(a1, a2)
    tf.random.set_seed(9)
    assert _same(tf.random.uniform([4], seed=1), a1)
    assert _same(tf.random.uniform([4], seed=1), a2)


def test_nth_op_values_depend_only_on_global_seed_and_position():
    # As in TensorFlow: what earlier ops drew (sizes, distributions) does not shift them.
    tf.random.set_seed(1)
    tf.random.uniform([2])
    b = tf.random.uniform([3])
    tf.random.set_seed(1)
    tf.random.normal([50])
    assert _same(b, tf.random.uniform([3]))


def test_counter_streams_match_the_generators_ops_keep():
    # Eager ops reuse one generator per thread for op-counter streams; a generator handed
    # out to keep (Keras initializers, traces) must draw the same stream.
    from tapeflow._src.ops import random_ops
    tf.random.set_seed(3)
    eager = tf.random.uniform([6]).numpy()
    tf.random.set_seed(3)
    kept = random_ops._generator(None)
    np.testing.assert_array_equal(kept.random(6, dtype=np.float32), eager)


def test_counter_streams_from_threads_follow_the_op_count():
    import threading
    from tapeflow._src.ops import random_ops
    tf.random.set_seed(4)
    expected = {}
    for k in range(8):
        expected[k] = random_ops._generator(None).random(16, dtype=np.float32)
    tf.random.set_seed(4)
    got, errors = [], []

    def work():
        try:
            for _ in range(4):
                got.append(tf.random.uniform([16]).numpy())
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Each draw is exactly one op's stream, and every op number was used once.
    matched = sorted(k for g in got for k, e in expected.items() if np.array_equal(g, e))
    assert matched == list(range(8))


def test_shape_fast_path_keeps_the_checks():
    assert tf.random.uniform((2, 3)).shape == (2, 3)
    assert tf.random.uniform([]).shape == ()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
        tf.random.uniform([2, -1])
    assert tf.random.uniform([np.int64(2), 1]).shape == (2, 1)


def test_op_seed_stream_depends_on_global_seed():
    tf.random.set_seed(1)
    a = tf.random.uniform([4], seed=3)
    tf.random.set_seed(2)
    assert not _same(a, tf.random.uniform([4], seed=3))


def test_different_op_seeds_differ():
    tf.random.set_seed(1)
    assert not _same(tf.random.normal([4], seed=1), tf.random.normal([4], seed=2))


_SCRIPT = """
import tapeflow as tf
{setup}
print(tf.random.uniform([3], seed={seed}).numpy().tolist(), tf.random.normal([2]).numpy().tolist()
      if {global_seed} else '', tf.random.Generator.from_seed(4).normal([2]).numpy().tolist())
"""


def _run(setup="", seed="None", global_seed=False):
    code = _SCRIPT.format(setup=setup, seed=seed, global_seed=global_seed)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    return out.stdout


def test_global_seed_is_deterministic_across_processes():
    runs = {_run("tf.random.set_seed(42)", global_seed=True) for _ in range(2)}
    assert len(runs) == 1


def test_op_seed_without_global_seed_is_deterministic_across_processes():
    runs = {_run(seed="7") for _ in range(2)}
    assert len(runs) == 1


def test_no_seed_is_nondeterministic_across_processes():
    assert _run() != _run()  # the generator part repeats; uniform without seeds does not


# -- distributions -----------------------------------------------------------------------

def test_normal_moments_and_parameters():
    tf.random.set_seed(0)
    x = tf.random.normal([20000], mean=3.0, stddev=2.0).numpy()
    assert abs(x.mean() - 3.0) < 0.1 and abs(x.std() - 2.0) < 0.1
    assert tf.random.normal([2], dtype=tf.float64).dtype == tf.float64
    assert tf.random.normal([2], dtype=tf.float16).dtype == tf.float16
    assert tf.random.normal([]).shape == []


def test_normal_broadcasts_tensor_parameters():
    x = tf.random.normal([2, 2], stddev=[1.0, 0.0]).numpy()
    assert (x[:, 1] == 0).all() and (x[:, 0] != 0).all()
    x = tf.random.normal([2], mean=tf.constant([0.0, 100.0]), stddev=0.1).numpy()
    assert abs(x[1] - 100) < 2


def test_truncated_normal_stays_within_two_stddev():
    tf.random.set_seed(0)
    x = tf.random.truncated_normal([20000], mean=1.0, stddev=0.5).numpy()
    assert x.min() >= 0.0 and x.max() <= 2.0
    assert abs(x.mean() - 1.0) < 0.02
    assert abs(x.std() - 0.5 * 0.8796) < 0.02  # std of a standard normal cut at +-2


def test_uniform_float_range_and_moments():
    tf.random.set_seed(0)
    x = tf.random.uniform([20000], minval=-1.0, maxval=3.0).numpy()
    assert x.min() >= -1.0 and x.max() < 3.0
    assert abs(x.mean() - 1.0) < 0.05
    h = tf.random.uniform([5000], dtype=tf.float16).numpy()
    assert h.dtype == np.float16 and h.max() < 1.0 and h.min() >= 0.0


def test_uniform_with_minval_above_maxval_is_allowed_for_floats():
    x = tf.random.uniform([100], 5.0, 1.0).numpy()
    assert (x > 1.0).all() and (x <= 5.0).all()


def test_uniform_int_range_covers_every_value():
    tf.random.set_seed(0)
    x = tf.random.uniform([2000], minval=-2, maxval=3, dtype=tf.int32)
    assert x.dtype == tf.int32 and sorted(set(x.numpy().tolist())) == [-2, -1, 0, 1, 2]
    assert tf.random.uniform([2], maxval=5, dtype=tf.int64).dtype == tf.int64


def test_categorical_frequencies_follow_softmax():
    tf.random.set_seed(0)
    logits = np.log([[0.2, 0.8], [0.5, 0.5]])
    s = tf.random.categorical(logits, 10000).numpy()
    assert s.shape == (2, 10000) and s.dtype == np.int64
    assert abs(s[0].mean() - 0.8) < 0.03 and abs(s[1].mean() - 0.5) < 0.03
    assert (tf.random.categorical([[-np.inf, 0.0]], 5).numpy() == 1).all()
    assert tf.random.categorical([[0.0, 0.0]], 3, dtype=tf.int32).dtype == tf.int32
    assert tf.random.categorical([[0.0, 0.0]], 0).shape == [1, 0]


def test_shuffle_permutes_first_axis_and_keeps_scalars():
    x = tf.reshape(tf.range(20), [10, 2])
    y = tf.random.shuffle(x).numpy()
    assert sorted(map(tuple, y)) == [tuple(r) for r in x.numpy()]
    assert int(tf.random.shuffle(3)) == 3


def test_gradients_flow_to_tensor_parameters():
    mean, std = tf.Variable([0.0, 1.0]), tf.Variable(2.0)
    lo, hi = tf.Variable(1.0), tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        z = tf.random.normal([2], mean=mean, stddev=std)
        u = tf.random.uniform([5], minval=lo, maxval=hi)
        sz, su = tf.reduce_sum(z), tf.reduce_sum(u)
    np.testing.assert_allclose(tape.gradient(sz, mean).numpy(), [1.0, 1.0])
    np.testing.assert_allclose(float(tape.gradient(sz, std)),
                               float(tf.reduce_sum((z - mean) / std)), rtol=1e-5)
    unit = (u - lo) / (hi - lo)
    np.testing.assert_allclose(float(tape.gradient(su, hi)), float(tf.reduce_sum(unit)),
                               rtol=1e-5)


# -- errors (messages from TF 2.21) ------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.uint8, tf.int8, tf.bool, tf.string, tf.complex64])
def test_uniform_rejects_dtypes(dtype):
    with pytest.raises(ValueError, match=r"Argument `dtype` got invalid value <dtype: "
                                         r"'\w+'>. Accepted dtypes are \(tf.float16, "):
        tf.random.uniform([2], maxval=5, dtype=dtype)


def test_uniform_int_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Need minval < maxval, got 5 >= 5 \[Op:RandomUniformInt\]"):
        tf.random.uniform([2], 5, 5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="minval must be 0-D, got shape"):
        tf.random.uniform([3], minval=[0, 1, 2], maxval=9, dtype=tf.int32)


@pytest.mark.parametrize("fn", [tf.random.normal, tf.random.truncated_normal])
def test_normal_rejects_integer_dtypes(fn):
    with pytest.raises(TypeError, match="Cannot convert 0.0 to EagerTensor of dtype int32"):
        fn([2], dtype=tf.int32)


def test_shape_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"shape must be a vector of \{int32,int64\}, got shape \[\] "
                             r"\[Op:RandomStandardNormal\]"):
        tf.random.normal(3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension -1 must be >= 0"):
        tf.random.uniform([-1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of float"):
        tf.random.uniform([2.0])
    assert tf.random.uniform(tf.constant([2, 3])).shape == [2, 3]
    assert tf.random.uniform(tf.TensorShape([2])).shape == [2]


def test_categorical_errors():
    with pytest.raises(ValueError, match=r"Accepted dtypes are \(tf.int32, tf.int64\)"):
        tf.random.categorical([[0.0, 0.0]], 3, dtype=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"logits should be a matrix, got shape \[2\] \[Op:Multinomial\]"):
        tf.random.categorical([0.0, 0.0], 3)


# -- Generator and stateless ops ---------------------------------------------------------

def test_generator_from_seed_is_reproducible_and_advances():
    g1, g2 = tf.random.Generator.from_seed(3), tf.random.Generator.from_seed(3)
    a = g1.normal([3])
    assert _same(a, g2.normal([3]))
    assert not _same(a, g1.normal([3]))
    g1.reset_from_seed(3)
    assert _same(a, g1.normal([3]))


def test_generator_methods_dtypes_and_errors():
    g = tf.random.Generator.from_seed(1)
    assert g.uniform([2], maxval=5, dtype=tf.int32).dtype == tf.int32
    assert g.uniform([2], minval=None, maxval=None, dtype=tf.int64).dtype == tf.int64
    assert g.uniform_full_int([2]).dtype == tf.uint64
    assert g.truncated_normal([2]).dtype == tf.float32
    assert g.make_seeds(3).shape == [2, 3] and g.make_seeds().dtype == tf.int64
    b = g.binomial([1000], counts=10.0, probs=0.3).numpy()
    assert b.dtype == np.int32 and abs(b.mean() - 3.0) < 0.3
    with pytest.raises(ValueError, match="minval and maxval must be both `None` or both"):
        g.uniform([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'dtype' of uint8"):
        g.uniform([2], maxval=3, dtype=tf.uint8)
    with pytest.raises(TypeError, match="Cannot convert 0.0 to EagerTensor of dtype int32"):
        g.normal([2], dtype=tf.int32)
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to int64"):
        tf.random.Generator.from_seed("a")


def test_generator_split_gives_independent_generators():
    parts = tf.random.Generator.from_seed(0).split(2)
    assert isinstance(parts, list) and len(parts) == 2
    assert not _same(parts[0].normal([3]), parts[1].normal([3]))
    copy = tf.random.Generator(copy_from=parts[0])
    assert _same(copy.normal([3]), parts[0].normal([3]))


def test_stateless_ops_depend_only_on_seed():
    a = tf.random.stateless_uniform([3], seed=[1, 2])
    assert _same(a, tf.random.stateless_uniform([3], seed=[1, 2]))
    assert not _same(a, tf.random.stateless_uniform([3], seed=[2, 1]))
    assert _same(tf.random.stateless_normal([2], seed=[5, 5]),
                 tf.random.stateless_normal([2], seed=[5, 5]))
    assert (np.abs(tf.random.stateless_truncated_normal([50], seed=[1, 1]).numpy()) <= 2).all()
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seed must have shape \[2\]"):
        tf.random.stateless_normal([2], seed=1)
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)

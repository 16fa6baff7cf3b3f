"""Hypothesis property tests for math and reduction ops against NumPy: dtypes, broadcasting,
axes/keepdims, and laws (division identity, gradient shapes)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf

ERR = tf.errors.InvalidArgumentError
NUM_DTYPES = [np.int32, np.int64, np.float32, np.float64]
FAST = settings(max_examples=25, deadline=None)


def arrays(dtype, shape, lo=-50, hi=50):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        lo, hi = float(dt.type(lo)), float(dt.type(hi))  # bounds exactly representable
        elements = st.floats(lo, hi, width=dt.itemsize * 8)
    else:
        elements = st.integers(int(lo), int(hi))
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def broadcast_pair(draw, dtypes=NUM_DTYPES, lo=-50, hi=50):
    dtype = draw(st.sampled_from(dtypes))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = draw(arrays(dtype, shapes.input_shapes[0], lo, hi))
    y = draw(arrays(dtype, shapes.input_shapes[1], lo, hi))
    return x, y


BINARY = [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply),
    (tf.maximum, np.maximum), (tf.minimum, np.minimum),
    (tf.math.squared_difference, lambda x, y: (x - y) * (x - y)),
    (tf.equal, np.equal), (tf.not_equal, np.not_equal), (tf.less, np.less),
    (tf.less_equal, np.less_equal), (tf.greater, np.greater),
    (tf.greater_equal, np.greater_equal),
]


@pytest.mark.parametrize("f, ref", BINARY, ids=lambda v: getattr(v, "__name__", ""))
@FAST
@given(pair=broadcast_pair())
def test_binary_ops_match_numpy_with_broadcasting(f, ref, pair):
    x, y = pair
    got = f(tf.constant(x), tf.constant(y))
    want = np.asarray(ref(x, y))
    assert got.shape == want.shape
    assert got.dtype == tf.as_dtype(want.dtype)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)


@FAST
@given(pair=broadcast_pair(dtypes=[np.int32, np.int64], lo=-20, hi=20))
def test_integer_floordiv_floormod_identity(pair):
    x, y = pair
    y = np.where(y == 0, 1, y).astype(x.dtype)
    q = tf.math.floordiv(tf.constant(x), tf.constant(y)).numpy()
    r = tf.math.floormod(tf.constant(x), tf.constant(y)).numpy()
    np.testing.assert_array_equal(q * y + r, np.broadcast_to(x, q.shape))
    np.testing.assert_array_equal(q, np.floor_divide(x, y))
    np.testing.assert_array_equal(np.sign(r[r != 0]), np.sign(np.broadcast_to(y, r.shape)
                                                               [r != 0]))


@FAST
@given(pair=broadcast_pair(dtypes=[np.int32, np.int64], lo=-20, hi=20))
def test_truncated_division_identity(pair):
    x, y = pair
    y = np.where(y == 0, 1, y).astype(x.dtype)
    q = tf.truncatediv(tf.constant(x), tf.constant(y)).numpy()
    r = tf.truncatemod(tf.constant(x), tf.constant(y)).numpy()
    np.testing.assert_array_equal(q * y + r, np.broadcast_to(x, q.shape))
    np.testing.assert_array_equal(q, np.trunc(x / y).astype(x.dtype))


@pytest.mark.parametrize("dtype, want", [
    (tf.int8, tf.float32), (tf.uint8, tf.float32), (tf.int16, tf.float32),
    (tf.uint16, tf.float32), (tf.int32, tf.float64), (tf.int64, tf.float64),
    (tf.float16, tf.float16), (tf.float32, tf.float32), (tf.float64, tf.float64),
    (tf.complex64, tf.complex64),
])
def test_truediv_result_dtypes(dtype, want):
    r = tf.math.truediv(tf.constant([3], dtype), tf.constant([2], dtype))
    assert r.dtype == want and complex(r.numpy()[0]) == 1.5


@FAST
@given(pair=broadcast_pair(dtypes=[np.float32, np.float64]))
def test_binary_gradients_have_input_shapes(pair):
    x, y = (tf.constant(a) for a in pair)
    for f in (tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum,
              tf.math.squared_difference):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            z = f(x, y)
        gx, gy = tape.gradient(z, [x, y])
        assert gx.shape == x.shape and gy.shape == y.shape
        assert gx.dtype == x.dtype


@FAST
@given(a=st.sampled_from(NUM_DTYPES), b=st.sampled_from(NUM_DTYPES))
def test_mixed_dtypes_never_promote(a, b):
    x, y = tf.constant(np.ones(2, a)), tf.constant(np.ones(2, b))
    if a == b:
        assert tf.add(x, y).dtype == tf.as_dtype(a)
        return
    for f in (tf.add, tf.multiply, tf.maximum, tf.equal):
        with pytest.raises(ERR, match="cannot compute"):
            f(x, y)


UNARY = [
    (tf.negative, np.negative, -5, 5), (tf.abs, np.abs, -5, 5), (tf.square, np.square, -5, 5),
    (tf.sqrt, np.sqrt, 0.1, 5), (tf.exp, np.exp, -5, 5), (tf.math.log, np.log, 0.1, 5),
    (tf.math.log1p, np.log1p, -0.5, 5), (tf.math.expm1, np.expm1, -5, 5),
    (tf.sin, np.sin, -5, 5), (tf.cos, np.cos, -5, 5), (tf.tanh, np.tanh, -5, 5),
    (tf.math.atan, np.arctan, -5, 5), (tf.math.asinh, np.arcsinh, -5, 5),
    (tf.math.reciprocal, np.reciprocal, 0.1, 5), (tf.floor, np.floor, -5, 5),
    (tf.math.ceil, np.ceil, -5, 5), (tf.round, np.round, -5, 5),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), -20, 20),
]


@pytest.mark.parametrize("f, ref, lo, hi", UNARY, ids=lambda v: getattr(v, "__name__", ""))
@FAST
@given(data=st.data())
def test_unary_float_ops_match_numpy(f, ref, lo, hi, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    x = data.draw(arrays(dtype, shape, lo, hi))
    got = f(tf.constant(x))
    assert got.dtype == tf.as_dtype(dtype) and got.shape == x.shape
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), ref(x).astype(dtype), rtol=rtol, atol=1e-6)


@st.composite
def array_and_axis(draw, dtypes=NUM_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = draw(arrays(dtype, shape, -9, 9))
    rank = len(shape)
    axis = draw(st.one_of(
        st.none(), st.integers(-rank, rank - 1),
        st.lists(st.integers(0, rank - 1), unique=True, max_size=rank).map(tuple)))
    keepdims = draw(st.booleans())
    return x, axis, keepdims


REDUCTIONS = [
    (tf.reduce_sum, np.sum), (tf.reduce_max, np.max), (tf.reduce_min, np.min),
    (tf.reduce_prod, np.prod),
]


@pytest.mark.parametrize("f, ref", REDUCTIONS, ids=lambda v: getattr(v, "__name__", ""))
@FAST
@given(case=array_and_axis())
def test_reductions_match_numpy(f, ref, case):
    x, axis, keepdims = case
    got = f(tf.constant(x), axis=axis, keepdims=keepdims)
    want = np.asarray(ref(x, axis=axis, keepdims=keepdims)).astype(x.dtype)
    assert got.shape == want.shape and got.dtype == tf.as_dtype(x.dtype)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


@FAST
@given(case=array_and_axis(dtypes=[np.float32, np.float64]))
def test_float_mean_variance_std_logsumexp_match_numpy(case):
    x, axis, keepdims = case
    t = tf.constant(x)
    kw = dict(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(tf.reduce_mean(t, **kw).numpy(), np.mean(x, **kw), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(tf.math.reduce_variance(t, **kw).numpy(), np.var(x, **kw),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tf.math.reduce_std(t, **kw).numpy(), np.std(x, **kw),
                               rtol=1e-4, atol=1e-4)
    m = np.max(x, axis=axis, keepdims=True)
    lse = np.log(np.sum(np.exp(x - m), **kw)) + (m if keepdims else np.squeeze(
        m, axis=axis if axis is not None else None))
    np.testing.assert_allclose(tf.reduce_logsumexp(t, **kw).numpy(), lse, rtol=1e-5)


@FAST
@given(case=array_and_axis(dtypes=[np.int32, np.int64]))
def test_integer_mean_truncates_toward_zero(case):
    x, axis, keepdims = case
    got = tf.reduce_mean(tf.constant(x), axis=axis, keepdims=keepdims).numpy()
    want = np.trunc(np.mean(x.astype(np.float64), axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(got, want.astype(x.dtype))


@FAST
@given(data=st.data())
def test_any_all_match_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    x = data.draw(hnp.arrays(np.bool_, shape))
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    assert tf.reduce_any(x, axis=axis).numpy().tolist() == np.any(x, axis=axis).tolist()
    assert tf.reduce_all(x, axis=axis).numpy().tolist() == np.all(x, axis=axis).tolist()


@FAST
@given(data=st.data())
def test_argmax_argmin_match_numpy(data):
    dtype = data.draw(st.sampled_from(NUM_DTYPES + [np.uint8]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = data.draw(arrays(dtype, shape, 0, 5))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    np.testing.assert_array_equal(tf.argmax(x, axis=axis).numpy(), np.argmax(x, axis=axis))
    np.testing.assert_array_equal(tf.argmin(x, axis=axis).numpy(), np.argmin(x, axis=axis))


@FAST
@given(data=st.data())
def test_cumsum_cumprod_match_numpy(data):
    dtype = data.draw(st.sampled_from(NUM_DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = data.draw(arrays(dtype, shape, -3, 3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    exclusive, reverse = data.draw(st.booleans()), data.draw(st.booleans())
    for f, np_f, identity in [(tf.cumsum, np.cumsum, 0), (tf.math.cumprod, np.cumprod, 1)]:
        y = np.flip(x, axis) if reverse else x
        want = np_f(y, axis=axis, dtype=dtype)
        if exclusive:
            want = np.concatenate([np.full_like(np.take(want, [0], axis), identity),
                                   np.delete(want, -1, axis)], axis=axis)
        if reverse:
            want = np.flip(want, axis)
        got = f(tf.constant(x), axis=axis, exclusive=exclusive, reverse=reverse)
        assert got.dtype == tf.as_dtype(dtype)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


@FAST
@given(data=st.data())
def test_top_k_matches_a_stable_sort(data):
    dtype = data.draw(st.sampled_from(NUM_DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    x = data.draw(arrays(dtype, shape, -3, 3))  # small range: many ties
    k = data.draw(st.integers(0, shape[-1]))
    r = tf.math.top_k(x, k=k)
    order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
    np.testing.assert_array_equal(r.indices.numpy(), order)
    np.testing.assert_array_equal(r.values.numpy(), np.take_along_axis(x, order, -1))


@FAST
@given(data=st.data())
def test_segment_sum_and_unsorted_segment_sum_match_numpy(data):
    dtype = data.draw(st.sampled_from(NUM_DTYPES))
    n = data.draw(st.integers(0, 6))
    x = data.draw(arrays(dtype, (n, 2), -9, 9))
    ids = np.sort(data.draw(hnp.arrays(np.int32, (n,), elements=st.integers(0, 4))))
    num = int(ids[-1]) + 1 if n else 0
    want = np.zeros((num, 2), dtype)
    np.add.at(want, ids, x)
    np.testing.assert_array_equal(tf.math.segment_sum(x, ids).numpy(), want)
    uids = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(-1, 4)))
    want = np.zeros((5, 2), dtype)
    np.add.at(want, uids[uids >= 0], x[uids >= 0])
    np.testing.assert_array_equal(tf.math.unsorted_segment_sum(x, uids, 5).numpy(), want)


@FAST
@given(pair=broadcast_pair(dtypes=[np.float32, np.float64]))
def test_clip_by_value_matches_numpy_clip(pair):
    x, bound = pair
    lo, hi = -np.abs(bound), np.abs(bound)
    if np.broadcast_shapes(x.shape, lo.shape) != x.shape:
        with pytest.raises(ValueError, match="are incompatible"):
            tf.clip_by_value(x, lo, hi)
        return
    np.testing.assert_array_equal(tf.clip_by_value(x, lo, hi).numpy(), np.clip(x, lo, hi))


@FAST
@given(data=st.data())
def test_saturate_cast_never_wraps(data):
    src = data.draw(st.sampled_from([np.float32, np.float64, np.int32, np.int64]))
    dst = data.draw(st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.uint16]))
    x = data.draw(arrays(src, (4,), -1e5, 1e5))
    got = tf.dtypes.saturate_cast(x, dst).numpy()
    info = np.iinfo(dst)
    want = np.clip(np.trunc(x.astype(np.float64)), info.min, info.max).astype(dst)
    np.testing.assert_array_equal(got, want)

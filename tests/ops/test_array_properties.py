"""Hypothesis property tests for the array ops against NumPy: shapes, dtypes, axes,
broadcasting and random indexing keys."""

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf

DTYPES = st.sampled_from([np.int32, np.int64, np.float32, np.float64, np.bool_])
SMALL = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
NONEMPTY = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
FEW = settings(max_examples=40, deadline=None)


def _arr(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def _same(got, want):
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == tf.as_dtype(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want)


@FEW
@given(data=st.data(), shape=SMALL, dtype=DTYPES)
def test_getitem_matches_numpy_basic_indexing(data, shape, dtype):
    a = _arr(shape, dtype)
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    if not shape and any(k is not None and k is not Ellipsis
                         for k in (key if isinstance(key, tuple) else (key,))):
        return  # TF refuses to slice scalars
    _same(tf.constant(a)[key], a[key])


@FEW
@given(shape=SMALL, dtype=DTYPES, data=st.data())
def test_transpose_and_reshape_match_numpy(shape, dtype, data):
    a = _arr(shape, dtype)
    perm = data.draw(st.permutations(range(len(shape))))
    _same(tf.transpose(a, perm), np.transpose(a, perm))
    _same(tf.reshape(a, [-1]), a.reshape(-1))
    _same(tf.reverse(a, list(range(len(shape)))), np.flip(a, tuple(range(len(shape)))))


@FEW
@given(shape=NONEMPTY, dtype=DTYPES, data=st.data())
def test_concat_stack_split_axes(shape, dtype, data):
    a, b = _arr(shape, dtype, 1), _arr(shape, dtype, 2)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    _same(tf.concat([a, b], axis), np.concatenate([a, b], axis))
    _same(tf.stack([a, b], axis), np.stack([a, b], axis))
    parts = tf.split(np.concatenate([a, b], axis), 2, axis)
    _same(parts[0], a)
    _same(parts[1], b)
    for got, want in zip(tf.unstack(a, axis=axis), np.moveaxis(a, axis, 0)):
        _same(got, want)


@FEW
@given(shape=SMALL, dtype=DTYPES, data=st.data())
def test_tile_and_pad_match_numpy(shape, dtype, data):
    a = _arr(shape, dtype)
    reps = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape)))
    _same(tf.tile(a, reps), np.tile(a, reps) if shape else a)
    pads = data.draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                              min_size=len(shape), max_size=len(shape)))
    _same(tf.pad(a, pads if pads else np.zeros((0, 2), np.int32)),
          np.pad(a, pads) if shape else a)


@FEW
@given(shape=NONEMPTY, data=st.data())
def test_mirror_pad_matches_numpy(shape, data):
    a = _arr(shape, np.float64)
    pads = [(data.draw(st.integers(0, d - 1)), data.draw(st.integers(0, d - 1))) for d in shape]
    _same(tf.pad(a, pads, "REFLECT"), np.pad(a, pads, mode="reflect"))
    _same(tf.pad(a, pads, "SYMMETRIC"), np.pad(a, pads, mode="symmetric"))


@FEW
@given(shape=NONEMPTY, dtype=DTYPES, data=st.data())
def test_gather_matches_take(shape, dtype, data):
    a = _arr(shape, dtype)
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx = data.draw(hnp.arrays(np.int32, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                               elements=st.integers(0, shape[axis] - 1)))
    _same(tf.gather(a, idx, axis=axis), np.take(a, idx, axis=axis))


@FEW
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3), dtype=DTYPES)
def test_where_broadcasts_like_numpy(shapes, dtype):
    c = _arr(shapes.input_shapes[0], np.float64) > 0
    x = _arr(shapes.input_shapes[1], dtype, 1)
    y = _arr(shapes.input_shapes[2], dtype, 2)
    _same(tf.where(c, x, y), np.where(c, x, y))


@FEW
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3), dtype=DTYPES)
def test_broadcast_to_matches_numpy(shapes, dtype):
    a = _arr(shapes.input_shapes[0], dtype)
    _same(tf.broadcast_to(a, shapes.result_shape), np.broadcast_to(a, shapes.result_shape))


@FEW
@given(shape=NONEMPTY, dtype=st.sampled_from([np.int32, np.int64, np.float32, np.float64]),
       data=st.data())
def test_sort_argsort_match_stable_numpy(shape, dtype, data):
    a = np.round(_arr(shape, dtype, 3))  # rounding makes ties likely
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    _same(tf.sort(a, axis=axis), np.sort(a, axis=axis))
    _same(tf.argsort(a, axis=axis), np.argsort(a, axis=axis, kind="stable").astype(np.int32))


@FEW
@given(a=hnp.arrays(np.int32, st.integers(0, 8), elements=st.integers(0, 4)))
def test_unique_reconstructs_input(a):
    y, idx = tf.unique(a)
    np.testing.assert_array_equal(y.numpy()[idx.numpy()], a)
    assert len(set(y.numpy().tolist())) == y.shape[0]


@FEW
@given(shape=NONEMPTY, data=st.data())
def test_boolean_mask_matches_numpy(shape, data):
    a = _arr(shape, np.float32)
    k = data.draw(st.integers(1, len(shape)))
    mask = data.draw(hnp.arrays(np.bool_, shape[:k]))
    _same(tf.boolean_mask(a, mask), a[mask])


@FEW
@given(shape=NONEMPTY, data=st.data())
def test_scatter_nd_inverts_gather_nd_on_distinct_indices(shape, data):
    a = _arr(shape, np.float64)
    k = data.draw(st.integers(1, len(shape)))
    coords = np.array(list(np.ndindex(*shape[:k])), dtype=np.int32)
    picked = data.draw(st.lists(st.sampled_from(range(len(coords))), unique=True, min_size=1))
    idx = coords[picked]
    g = tf.gather_nd(a, idx)
    back = tf.scatter_nd(idx, g, shape)
    want = np.zeros(shape)
    want[tuple(idx.T)] = a[tuple(idx.T)]
    _same(back, want)
    _same(tf.tensor_scatter_nd_update(a, idx, g), a)

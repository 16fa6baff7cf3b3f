"""Hand-computed tests for the array ops (creation, shapes, joining, gather/scatter, sort).

Expected values and messages were worked out by hand and checked against TensorFlow 2.21.
"""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.errors import InvalidArgumentError


def _val(t):
    return t.dtype, t.numpy().tolist()


# --- creation --------------------------------------------------------------------------

def test_zeros_ones_default_float32_and_given_dtype():
    assert _val(tf.zeros([2])) == (tf.float32, [0.0, 0.0])
    assert _val(tf.ones([2], tf.int32)) == (tf.int32, [1, 1])
    assert tf.zeros([]).shape == tf.TensorShape([])


def test_zeros_string_is_empty_bytes():
    assert tf.zeros([2], tf.string).numpy().tolist() == [b"", b""]


def test_zeros_negative_dimension_is_invalid_argument():
    with pytest.raises(InvalidArgumentError, match=r"Dimension -1 must be >= 0 \[Op:Fill\]"):
        tf.zeros([-1])


def test_zeros_like_of_variable_keeps_dtype():
    assert _val(tf.zeros_like(tf.Variable([1, 2]))) == (tf.int32, [0, 0])
    assert _val(tf.ones_like(tf.Variable([True]))) == (tf.bool, [True])
    assert _val(tf.zeros_like([[1, 2]], dtype=tf.bool)) == (tf.bool, [[False, False]])


def test_fill_takes_value_dtype():
    assert _val(tf.fill([2], 3)) == (tf.int32, [3, 3])
    assert _val(tf.fill([1], 3.5)) == (tf.float32, [3.5])
    with pytest.raises(InvalidArgumentError, match=r"value must represent a scalar, got shape "
                                                   r"\[2\] \[Op:Fill\]"):
        tf.fill([2], [1, 2])


def test_eye_rectangular_and_batched():
    assert tf.eye(2, 3).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tf.eye(2, batch_shape=[3]).shape == tf.TensorShape([3, 2, 2])


@pytest.mark.parametrize("args,kw,dtype,values", [
    ((5,), {}, tf.int32, [0, 1, 2, 3, 4]),
    ((5.0,), {}, tf.float32, [0, 1, 2, 3, 4]),
    ((1, 3, 0.5), {}, tf.float32, [1, 1.5, 2, 2.5]),
    ((3,), {"dtype": tf.float64}, tf.float64, [0, 1, 2]),
    ((5, 1, -2), {}, tf.int32, [5, 3]),
    ((0,), {}, tf.int32, []),
])
def test_range_dtype_inference(args, kw, dtype, values):
    r = tf.range(*args, **kw)
    assert r.dtype == dtype and r.numpy().tolist() == values


def test_range_int64_argument_widens():
    assert tf.range(1, tf.constant(5, tf.int64)).dtype == tf.int64


def test_range_errors():
    with pytest.raises(InvalidArgumentError, match="Requires delta != 0: 0"):
        tf.range(0, 5, 0)
    with pytest.raises(InvalidArgumentError, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    with pytest.raises(TypeError, match="Cannot convert 0.3 to EagerTensor of dtype int32"):
        tf.range(1, 2, 0.3, dtype=tf.int32)
    with pytest.raises(InvalidArgumentError, match="Value for attr 'Tidx' of uint8"):
        tf.range(3, dtype=tf.uint8)


def test_linspace_values_and_dtype():
    assert _val(tf.linspace(0.0, 1.0, 5)) == (tf.float32, [0, 0.25, 0.5, 0.75, 1.0])
    assert _val(tf.linspace(0, 1, 3)) == (tf.float64, [0, 0.5, 1.0])
    assert tf.linspace(0.0, 1.0, 1).numpy().tolist() == [0.0]
    assert tf.linspace(0.0, 1.0, 0).shape == tf.TensorShape([0])
    got = tf.linspace(tf.constant([0., 1.]), tf.constant([1., 2.]), 3, axis=1)
    assert got.numpy().tolist() == [[0, 0.5, 1], [1, 1.5, 2]]


def test_one_hot_defaults_and_out_of_range():
    assert tf.one_hot([0, 2, -1, 5], 3).numpy().tolist() == [
        [1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]


def test_one_hot_on_off_values_set_dtype():
    assert _val(tf.one_hot([0, 2], 3, on_value=5, off_value=-1)) == (
        tf.int32, [[5, -1, -1], [-1, -1, 5]])
    assert tf.one_hot([0], 2, on_value=5.0).dtype == tf.float32
    assert _val(tf.one_hot([1], 2, dtype=tf.int64)) == (tf.int64, [[0, 1]])
    assert tf.one_hot([[0, 2]], 3, axis=0).shape == tf.TensorShape([3, 1, 2])


def test_one_hot_errors():
    with pytest.raises(TypeError, match="of on_value does not match dtype"):
        tf.one_hot([0], 3, on_value=5, off_value=1.0)
    with pytest.raises(InvalidArgumentError, match="Value for attr 'TI' of float"):
        tf.one_hot([0.0], 3)
    with pytest.raises(InvalidArgumentError, match=r"Expected axis to be -1 or between \[0, "
                                                   r"2\)\.  But received: -2"):
        tf.one_hot([0], 3, axis=-2)


# --- shapes ----------------------------------------------------------------------------

def test_shape_size_rank():
    x = tf.zeros([2, 3])
    assert _val(tf.shape(x)) == (tf.int32, [2, 3])
    assert tf.shape(x, out_type=tf.int64).dtype == tf.int64
    assert int(tf.size(x)) == 6 and int(tf.rank(x)) == 2
    assert tf.shape(5).numpy().tolist() == []


def test_reshape_infers_and_errors():
    assert tf.reshape(tf.range(6), [3, -1]).shape == tf.TensorShape([3, 2])
    assert tf.reshape(tf.zeros([0]), [0, -1]).shape == tf.TensorShape([0, 1])
    with pytest.raises(InvalidArgumentError, match="Only one input size may be -1, not both 0 "
                                                   "and 1"):
        tf.reshape([1, 2, 3, 4], [-1, -1])
    with pytest.raises(InvalidArgumentError, match="requires a multiple of 3"):
        tf.reshape([1, 2, 3, 4], [3, -1])
    with pytest.raises(InvalidArgumentError, match="Size 0 must be non-negative, not -2"):
        tf.reshape([1, 2, 3, 4], [-2, 4])


def test_transpose_perm_and_errors():
    x = tf.reshape(tf.range(6), [1, 2, 3])
    assert tf.transpose(x, [2, 0, 1]).shape == tf.TensorShape([3, 1, 2])
    assert tf.transpose([[1, 2]], [-1, 0]).numpy().tolist() == [[1], [2]]
    with pytest.raises(InvalidArgumentError, match=r"1 is missing from \{0,0\}\."):
        tf.transpose([[1, 2]], [0, 0])
    with pytest.raises(InvalidArgumentError, match=r"2 is out of range \[0 \.\. 2\)"):
        tf.transpose([[1, 2]], [0, 2])


def test_expand_dims_and_squeeze():
    assert tf.expand_dims([1, 2], -1).shape == tf.TensorShape([2, 1])
    assert tf.expand_dims([1, 2], [0]).shape == tf.TensorShape([1, 2])
    x = tf.zeros([1, 2, 1])
    assert tf.squeeze(x).shape == tf.TensorShape([2])
    assert tf.squeeze(x, [0, -1]).shape == tf.TensorShape([2])
    with pytest.raises(InvalidArgumentError, match=r"Can not squeeze dim\[1\], expected a "
                                                   r"dimension of 1, got 2"):
        tf.squeeze(x, 1)
    with pytest.raises(InvalidArgumentError, match="Tried to squeeze dim index 3 for tensor "
                                                   "with 3 dimensions."):
        tf.squeeze(x, 3)
    with pytest.raises(InvalidArgumentError, match="Tried to expand dim index 3"):
        tf.expand_dims([1, 2], 3)


def test_broadcast_to_and_static_shape():
    assert tf.broadcast_to([1, 2], [2, 2]).numpy().tolist() == [[1, 2], [1, 2]]
    with pytest.raises(InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs\. \[3,3\]"):
        tf.broadcast_to([1, 2], [3, 3])
    s = tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([None]))
    assert s.as_list() == [2, None]
    with pytest.raises(ValueError, match=r"Received: \(2, 2\) and \(3,\)"):
        tf.broadcast_static_shape(tf.TensorShape([2, 2]), tf.TensorShape([3]))


def test_identity_reads_variable():
    v = tf.Variable([1.0])
    out = tf.identity(v)
    v.assign([2.0])
    assert out.numpy().tolist() == [1.0]


# --- where -----------------------------------------------------------------------------

def test_where_three_args_and_coordinates():
    assert tf.where([True, False], [1, 2], [3, 4]).numpy().tolist() == [1, 4]
    coords = tf.where([[1, 0], [0, 3]])
    assert coords.dtype == tf.int64 and coords.numpy().tolist() == [[0, 0], [1, 1]]


def test_where_errors():
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.where([True, False], 1, 2.5)
    with pytest.raises(TypeError, match="dtype bool"):
        tf.where([1, 0], [1, 2], [3, 4])
    with pytest.raises(InvalidArgumentError, match=r"condition \[3\], then \[2\], and else "
                                                   r"\[2\] must be broadcastable"):
        tf.where([True, False, True], [1, 2], [3, 4])
    with pytest.raises(ValueError, match="x and y must both be non-None"):
        tf.where([True], x=[1])


def test_where_gradient_routes_by_condition():
    x, y = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.where([True, False], x, y)
    gx, gy = tape.gradient(z, [x, y])
    assert gx.numpy().tolist() == [1, 0] and gy.numpy().tolist() == [0, 1]


# --- joining and splitting -------------------------------------------------------------

def test_concat_and_errors():
    assert tf.concat([[1, 2], [3]], 0).numpy().tolist() == [1, 2, 3]
    assert tf.concat([[[1]], [[2]]], -1).numpy().tolist() == [[1, 2]]
    with pytest.raises(TypeError, match=r"Cannot convert \[2.0\] to EagerTensor"):
        tf.concat([[1], [2.0]], 0)
    with pytest.raises(InvalidArgumentError, match=r"Ranks of all input tensors should match: "
                                                   r"shape\[0\] = \[1,1\] vs\. shape\[1\] = \[1\]"):
        tf.concat([[[1]], [2]], 0)
    with pytest.raises(InvalidArgumentError, match="Can't concatenate scalars"):
        tf.concat([1, 2], 0)


def test_stack_unstack():
    assert _val(tf.stack([1, 2.5])) == (tf.float32, [1.0, 2.5])
    assert tf.stack([tf.constant([1]), tf.constant([2])], axis=1).numpy().tolist() == [[1, 2]]
    with pytest.raises(InvalidArgumentError, match="Shapes of all inputs must match"):
        tf.stack([[1], [2, 3]])
    parts = tf.unstack(tf.reshape(tf.range(6), [2, 3]), axis=1)
    assert [p.numpy().tolist() for p in parts] == [[0, 3], [1, 4], [2, 5]]
    with pytest.raises(ValueError, match=r"Argument `axis` = 2 not in range \[-2, 2\)"):
        tf.unstack(tf.zeros([2, 3]), axis=2)
    with pytest.raises(InvalidArgumentError, match="Input shape axis 0 must equal 3"):
        tf.unstack(tf.zeros([2, 3]), num=3)


def test_split_sizes_and_errors():
    parts = tf.split(tf.range(6), [1, -1, 2])
    assert [p.numpy().tolist() for p in parts] == [[0], [1, 2, 3], [4, 5]]
    with pytest.raises(InvalidArgumentError, match="There can only be one -1 in the input."):
        tf.split(tf.range(6), [1, -1, -1])
    with pytest.raises(InvalidArgumentError, match="Got: 7"):
        tf.split(tf.range(6), [7, -1])
    with pytest.raises(InvalidArgumentError, match="evenly divide"):
        tf.split(tf.range(6), 4)


def test_tile_values_and_errors():
    assert tf.tile([[1, 2]], [2, 2]).numpy().tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    with pytest.raises(InvalidArgumentError, match="vector of length 1 but got length 2"):
        tf.tile([1, 2], [2, 2])
    with pytest.raises(InvalidArgumentError, match=r"Expected multiples\[0\] >= 0, but got -1"):
        tf.tile([1, 2], [-1])


def test_tile_gradient_sums_copies():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tile(x, [3]) * tf.constant([1.0, 2, 3, 4, 5, 6])
    assert tape.gradient(y, x).numpy().tolist() == [9.0, 12.0]


def test_pad_modes():
    x = [[1, 2, 3]]
    assert tf.pad(x, [[0, 0], [2, 2]], "REFLECT").numpy().tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert tf.pad(x, [[0, 0], [2, 2]], "symmetric").numpy().tolist() == [[2, 1, 1, 2, 3, 3, 2]]
    assert tf.pad([1, 2], [[1, 0]], constant_values=9).numpy().tolist() == [9, 1, 2]


def test_pad_errors():
    with pytest.raises(ValueError, match="Received `mode` = FOO"):
        tf.pad([1], [[1, 1]], "FOO")
    with pytest.raises(InvalidArgumentError, match="paddings must be less than the dimension "
                                                   "size: 3, 0 not less than 3"):
        tf.pad([[1, 2, 3]], [[0, 0], [3, 0]], "REFLECT")
    with pytest.raises(InvalidArgumentError, match="Paddings must be non-negative: 0 -1"):
        tf.pad([[1, 2, 3]], [[0, -1], [0, 0]])
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.pad([1, 2], [[1, 1]], constant_values=1.5)


def test_reflect_pad_gradient_folds_back():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.pad(x, [[2, 0]], "REFLECT")  # [3, 2, 1, 2, 3]
    assert tape.gradient(y, x).numpy().tolist() == [1.0, 2.0, 2.0]


def test_reverse_and_errors():
    assert tf.reverse([[1, 2], [3, 4]], [0, -1]).numpy().tolist() == [[4, 3], [2, 1]]
    with pytest.raises(InvalidArgumentError, match="axis 0 specified more than once."):
        tf.reverse([[1, 2]], [0, 0])
    with pytest.raises(InvalidArgumentError, match="'dims' must be 1-dimension, not 0"):
        tf.reverse([[1, 2]], 0)


def test_meshgrid_xy_and_ij():
    x, y = tf.meshgrid([1, 2], [3, 4, 5])
    assert x.numpy().tolist() == [[1, 2]] * 3 and y.numpy().tolist() == [[3, 3], [4, 4], [5, 5]]
    x, y = tf.meshgrid([1, 2], [3, 4, 5], indexing="ij")
    assert x.shape == tf.TensorShape([2, 3]) and y.numpy().tolist() == [[3, 4, 5]] * 2
    with pytest.raises(InvalidArgumentError, match="cannot compute Mul"):
        tf.meshgrid([1, 2], [3.0, 4])


# --- gather / scatter ------------------------------------------------------------------

def test_gather_axis_and_batch_dims():
    assert tf.gather([1, 2, 3], [[2, 0], [1, 1]]).numpy().tolist() == [[3, 1], [2, 2]]
    assert tf.gather([[1, 2], [3, 4]], [1], axis=1).numpy().tolist() == [[2], [4]]
    got = tf.gather([[1, 2], [3, 4]], [[1, 0], [0, 0]], axis=1, batch_dims=1)
    assert got.numpy().tolist() == [[2, 1], [3, 3]]


def test_gather_errors():
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = 3 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [3])
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [-1])
    with pytest.raises(InvalidArgumentError, match="Shape must be at least rank 3 but is rank 2"):
        tf.gather([[1, 2], [3, 4]], [1], axis=2)


def test_gather_gradient_is_dense_and_accumulates():
    p = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(p)
        y = tf.gather(p, [2, 0, 2])
    g = tape.gradient(y, p)
    assert isinstance(g, tf.Tensor) and g.numpy().tolist() == [1.0, 0.0, 2.0]


def test_gather_nd():
    x = [[1, 2], [3, 4]]
    assert tf.gather_nd(x, [[1, 0], [0, 1]]).numpy().tolist() == [3, 2]
    assert tf.gather_nd(x, [[1], [0]]).numpy().tolist() == [[3, 4], [1, 2]]
    assert int(tf.gather_nd(x, [1, 1])) == 4
    with pytest.raises(InvalidArgumentError, match=r"indices = \[2, 0\] does not index into "
                                                   r"param shape \[2,2\]"):
        tf.gather_nd(x, [2, 0])
    with pytest.raises(InvalidArgumentError, match="saw: 3 vs. 2"):
        tf.gather_nd(x, [[0, 0, 0]])
    got = tf.gather_nd([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1], [0]], batch_dims=1)
    assert got.numpy().tolist() == [[3, 4], [5, 6]]


def test_scatter_nd_sums_duplicates():
    assert tf.scatter_nd([[1], [1]], [9, 10], [3]).numpy().tolist() == [0, 19, 0]
    got = tf.scatter_nd([[0], [2]], [[1, 2], [3, 4]], [3, 2])
    assert got.numpy().tolist() == [[1, 2], [0, 0], [3, 4]]
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = \[5\] does not index into "
                                                   r"shape \[3\]"):
        tf.scatter_nd([[1], [5]], [9, 10], [3])


def test_tensor_scatter_nd_family():
    assert tf.tensor_scatter_nd_update([1, 2, 3], [[0], [2]], [7, 8]).numpy().tolist() == [
        7, 2, 8]
    assert tf.tensor_scatter_nd_add([1, 2, 3], [[0], [0]], [7, 8]).numpy().tolist() == [
        16, 2, 3]
    assert tf.tensor_scatter_nd_sub([1, 2, 3], [[0], [0]], [7, 8]).numpy().tolist() == [
        -14, 2, 3]
    with pytest.raises(InvalidArgumentError, match=r"Outer dimensions of indices and update "
                                                   r"must match. Indices shape: \[2,1\], "
                                                   r"updates shape:\[1\]"):
        tf.tensor_scatter_nd_update([1, 2, 3], [[0], [2]], [7])
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.tensor_scatter_nd_update([1, 2, 3], [[0], [2]], [7.0, 8])


def test_tensor_scatter_update_gradient_masks_overwritten():
    t, u = tf.constant([1.0, 2.0, 3.0]), tf.constant([5.0])
    with tf.GradientTape() as tape:
        tape.watch([t, u])
        y = tf.tensor_scatter_nd_update(t, [[1]], u) * tf.constant([1.0, 2.0, 3.0])
    gt, gu = tape.gradient(y, [t, u])
    assert gt.numpy().tolist() == [1.0, 0.0, 3.0] and gu.numpy().tolist() == [2.0]


def test_boolean_mask():
    x = [[1, 2], [3, 4]]
    assert tf.boolean_mask(x, [True, False]).numpy().tolist() == [[1, 2]]
    assert tf.boolean_mask(x, [[True, False], [False, True]]).numpy().tolist() == [1, 4]
    assert tf.boolean_mask(x, [True, False], axis=1).numpy().tolist() == [[1], [3]]
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        tf.boolean_mask([1, 2, 3], [True, False])
    with pytest.raises(ValueError, match="mask cannot be scalar."):
        tf.boolean_mask([1, 2, 3], True)


# --- sorting ---------------------------------------------------------------------------

def test_sort_and_argsort():
    assert tf.sort([3, 1, 2]).numpy().tolist() == [1, 2, 3]
    assert tf.sort([[3, 1], [0, 5]], axis=0).numpy().tolist() == [[0, 1], [3, 5]]
    assert _val(tf.argsort([3, 1, 2, 1])) == (tf.int32, [1, 3, 2, 0])
    assert tf.argsort([3, 1, 2, 1], direction="DESCENDING").numpy().tolist() == [0, 2, 1, 3]
    with pytest.raises(ValueError, match="direction=UP"):
        tf.sort([1], direction="UP")
    with pytest.raises(InvalidArgumentError, match="of bool is not in the list"):
        tf.sort([True, False])


def test_sort_gradient_goes_to_original_positions():
    x = tf.constant([3.0, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sort(x) * tf.constant([1.0, 10.0, 100.0])
    assert tape.gradient(y, x).numpy().tolist() == [100.0, 1.0, 10.0]


def test_unique_first_appearance_order():
    y, idx = tf.unique([1, 1, 2, 4, 4, 4, 7, 8, 8])
    assert y.numpy().tolist() == [1, 2, 4, 7, 8]
    assert idx.numpy().tolist() == [0, 0, 1, 2, 2, 2, 3, 4, 4]
    r = tf.unique([3, 1, 3], out_idx=tf.int64)
    assert r.y.numpy().tolist() == [3, 1] and r.idx.dtype == tf.int64
    assert repr(r).startswith("Unique(y=<tf.Tensor")
    with pytest.raises(InvalidArgumentError, match="unique expects a 1D vector."):
        tf.unique([[1]])


def test_argsort_and_unique_are_not_recorded():
    x = tf.constant([3.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        tf.argsort(x)
        tf.unique(x)
    assert tape._records == []


def test_integer_ops_keep_integer_dtypes():
    x = tf.constant([[1, 2], [3, 4]], tf.int64)
    for out in (tf.transpose(x), tf.tile(x, [1, 2]), tf.reverse(x, [0]), tf.gather(x, [0]),
                tf.pad(x, [[1, 0], [0, 0]]), tf.concat([x, x], 0), tf.sort(x)):
        assert out.dtype == tf.int64
    assert np.array_equal(tf.stack([x, x]).numpy(), np.stack([x.numpy()] * 2))


# --- shape/dtype rules (used by tracing) agree with eager results -------------------------

def test_array_primitive_rules_match_eager_results():
    from tapeflow._src.ops.registry import REGISTRY
    from tests.ops.specs_array import SPECS

    checked = set()
    for spec in SPECS:
        xs = [tf.constant(a) for a in spec.arrays()]
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(xs)
            ys = spec.fn(*xs)
            first = ys[0] if isinstance(ys, (list, tuple)) else ys
            tape.gradient(first, xs)  # records nothing itself; runs the backward ops
        for rec in tape._records:
            prim = REGISTRY[rec.type]
            if prim.multi_output or prim.shape_rule is None:
                continue
            shapes = [tuple(t.shape.as_list()) for t in rec.inputs]
            assert tuple(prim.shape_rule(*shapes, **rec.attrs)) == tuple(
                rec.outputs[0].shape.as_list()), rec.type
            if prim.dtype_rule is not None:
                assert prim.dtype_rule(*[t.dtype for t in rec.inputs],
                                       **rec.attrs) == rec.outputs[0].dtype, rec.type
            checked.add(rec.type)
    assert {"StridedSlice", "GatherV2", "ScatterNd", "Pad", "MirrorPad", "Tile",
            "TensorScatterUpdate", "ConcatV2", "Pack", "Transpose"} <= checked

"""Differential tests of RaggedTensor and tf.ragged against real TensorFlow 2.21: printed
text, to_list values, shapes, dtypes, row splits and exception types/first message lines.

Calls TensorFlow reaches through op dispatch (`tf.reduce_mean(rt)`, `tf.concat([rt, ...])`)
are compared with tapeflow's `ragged_ops` functions until tapeflow's ops dispatch.
"""

import re

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ragged import ragged_ops

DIGITS = [[3, 1, 4, 1], [], [5, 9, 2], [6], []]
PARAGRAPHS = [[["I", "have", "a", "cat"], ["His", "name", "is", "Mat"]],
              [["Do", "you", "want", "to", "come", "visit"], ["I'm", "free", "tomorrow"]]]


def _strip(msg):
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", msg)


def _describe(x):
    """A comparable summary of a result: text, plus value, shape and dtype information."""
    if hasattr(x, "to_list") and hasattr(x, "row_splits"):
        return ("ragged", str(x), repr(x), x.to_list(), x.shape.as_list(), x.dtype.name,
                x.ragged_rank, [s.numpy().tolist() for s in x.nested_row_splits],
                x.row_splits.dtype.name)
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        return ("tensor", x.numpy().tolist(), x.shape.as_list(), x.dtype.name)
    return ("other", repr(x))


def _run(mod, fn):
    try:
        out = fn(mod)
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return type(e).__name__, _strip(str(e)).split("\n")[0]
    return "ok", _describe(out)


def _c(t, x=DIGITS, **kw):
    return t.ragged.constant(x, **kw)


CASES = {
    "digits": lambda t: _c(t),
    "words": lambda t: _c(t, [["So", "long"], ["thanks", "for", "all", "the", "fish"]]),
    "paragraphs": lambda t: _c(t, PARAGRAPHS),
    "floats": lambda t: _c(t, [[0.1, 2], [3]]),
    "floats64": lambda t: _c(t, [[1.123456789, 2], [3]], dtype=t.float64),
    "small_float": lambda t: _c(t, [[1e-5, 2], [3]]),
    "bools": lambda t: _c(t, [[True], [False, True]]),
    "rank3": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]),
    "rank3_rr1": lambda t: _c(t, [[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1),
    "inner_shape": lambda t: _c(t, [[[1, 2], [3, 4]], []], inner_shape=(2,)),
    "int32_splits": lambda t: _c(t, [[1, 2], [3]], dtype=t.float32,
                                 row_splits_dtype=t.int32),
    "empty_rows": lambda t: _c(t, [[], []]),
    "empty_nested": lambda t: _c(t, [[[]]]),
    "empty_list": lambda t: _c(t, []),
    "uniform_rows": lambda t: _c(t, [[1, 2], [3, 4]]),
    "mixed_types": lambda t: _c(t, [["one", "two"], [3, 4]]),
    "mixed_depth": lambda t: _c(t, ["A", ["B", "C"]]),
    "rank_too_big": lambda t: _c(t, [[1, 2], [3]], ragged_rank=2),
    "inconsistent_inner": lambda t: _c(t, [[[1, 2], [3]]], ragged_rank=1),
    "dense_ragged_list": lambda t: t.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]),
    # factories
    "from_value_rowids": lambda t: t.RaggedTensor.from_value_rowids(
        values=[3, 1, 4, 1, 5, 9, 2], value_rowids=[0, 0, 0, 0, 2, 2, 3]),
    "from_value_rowids_nrows": lambda t: t.RaggedTensor.from_value_rowids(
        [3, 1, 4], [0, 0, 2], nrows=5),
    "from_row_lengths": lambda t: t.RaggedTensor.from_row_lengths(
        values=[3, 1, 4, 1, 5, 9, 2], row_lengths=[4, 0, 2, 1]),
    "from_row_splits": lambda t: t.RaggedTensor.from_row_splits(
        values=[3, 1, 4, 1, 5, 9, 2], row_splits=[0, 4, 4, 6, 7]),
    "from_row_splits_i32": lambda t: t.RaggedTensor.from_row_splits(
        t.constant([1., 2.]), t.constant([0, 1, 2], t.int32)),
    "from_row_starts": lambda t: t.RaggedTensor.from_row_starts([1, 2, 3, 4], [0, 1, 1]),
    "from_row_limits": lambda t: t.RaggedTensor.from_row_limits([1, 2, 3, 4], [1, 1, 4]),
    "from_nested_row_lengths": lambda t: t.RaggedTensor.from_nested_row_lengths(
        [1, 2, 3, 4, 5], [[2, 1], [2, 0, 3]]),
    "from_nested_row_splits": lambda t: t.RaggedTensor.from_nested_row_splits(
        [1, 2, 3], [[0, 2], [0, 1, 3]]),
    "from_tensor_padding": lambda t: t.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]],
                                                                padding=0),
    "from_tensor_lengths": lambda t: t.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]],
                                                                lengths=[1, 3]),
    "from_tensor_uniform": lambda t: t.RaggedTensor.from_tensor(
        [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
    "from_tensor_rr2": lambda t: t.RaggedTensor.from_tensor(
        [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], ragged_rank=2),
    "bad_splits_zero": lambda t: t.RaggedTensor.from_row_splits([1, 2, 3], [1, 2, 3]),
    "bad_splits_total": lambda t: t.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 4]),
    "bad_lengths_total": lambda t: t.RaggedTensor.from_row_lengths([1, 2, 3], [1, 1]),
    "float_splits": lambda t: t.RaggedTensor.from_row_splits([1., 2.], [0, 1, 2.]),
    "no_constructor": lambda t: t.RaggedTensor(),
    # components
    "row_lengths": lambda t: _c(t).row_lengths(),
    "value_rowids": lambda t: _c(t).value_rowids(),
    "nrows": lambda t: _c(t).nrows(),
    "nrows_i32": lambda t: _c(t, row_splits_dtype=t.int32).nrows(),
    "bounding_shape": lambda t: _c(t, [["Hi"], ["How", "are", "you"]]).bounding_shape(),
    "bounding_shape3": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).bounding_shape(),
    "row_lengths_axis2": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).row_lengths(axis=2),
    "values_rank3": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).values,
    "flat_values": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).flat_values,
    "with_values": lambda t: _c(t).with_values(_c(t).values * 10),
    "with_flat_values": lambda t: _c(t).with_flat_values(t.cast(_c(t).flat_values,
                                                                t.float32)),
    # to_tensor
    "to_tensor": lambda t: _c(t).to_tensor(),
    "to_tensor_default_shape": lambda t: _c(t).to_tensor(default_value=-1, shape=[3, 2]),
    "to_tensor_wider": lambda t: _c(t, [[1, 2], [3]]).to_tensor(shape=[None, 5]),
    "to_tensor_rank3": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).to_tensor(),
    "to_tensor_rank3_shape": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]]).to_tensor(
        default_value=9, shape=[2, 1, 3]),
    "to_tensor_strings": lambda t: _c(t, [["a"], ["b", "c"]]).to_tensor(),
    "convert_to_tensor": lambda t: t.convert_to_tensor(_c(t)),
    # indexing
    "row0": lambda t: _c(t)[0],
    "row_last": lambda t: _c(t)[-1],
    "elem": lambda t: _c(t)[2, 1],
    "row_slice": lambda t: _c(t)[2, :2],
    "cols": lambda t: _c(t)[:, :2],
    "rows": lambda t: _c(t)[2:],
    "step": lambda t: _c(t)[::2],
    "both": lambda t: _c(t)[1:3, 1:],
    "neg_stop": lambda t: _c(t)[1:, :-1],
    "reverse_rows": lambda t: _c(t)[:, ::-1],
    "newaxis": lambda t: _c(t)[t.newaxis],
    "inner_int": lambda t: _c(t)[:, 1],
    "ellipsis_int": lambda t: _c(t)[..., 0],
    "out_of_bounds": lambda t: _c(t)[5],
    "float_key": lambda t: _c(t)[1.5],
    "rank3_row": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]])[0],
    "rank3_inner": lambda t: _c(t, [[[1, 2], [3]], [[4, 5]]])[:, :, :1],
    # elementwise
    "add_scalar": lambda t: _c(t) + 3,
    "radd_scalar": lambda t: 3 + _c(t),
    "mul": lambda t: _c(t) * 2,
    "rsub": lambda t: 10 - _c(t),
    "floordiv": lambda t: _c(t) // 2,
    "truediv": lambda t: _c(t) / 2,
    "neg": lambda t: -_c(t),
    "abs": lambda t: abs(-_c(t)),
    "gt": lambda t: _c(t) > 2,
    "eq_scalar": lambda t: _c(t) == 3,
    "eq_self": lambda t: _c(t) == _c(t),
    "add_ragged": lambda t: _c(t) + _c(t, [[1, 2, 3, 4], [], [5, 6, 7], [8], []]),
    "add_ragged_mismatch": lambda t: _c(t) + _c(t, [[1, 2, 3], [], [5, 6, 7, 4], [8], []]),
    "add_ragged_int64": lambda t: _c(t) + _c(t, [[1, 2, 3, 4], [], [5, 6, 7], [8], []],
                                             dtype=t.int64),
    "add_float_to_int": lambda t: _c(t) + 1.5,
    "add_column": lambda t: _c(t) + t.constant([[1], [2], [3], [4], [5]]),
    "add_vector_mismatch": lambda t: _c(t) + t.constant([1, 2, 3, 4, 5]),
    "bcast_list_column": lambda t: _c(t, [[10, 87, 12], [19, 53], [12, 32]])
    + [[1000], [2000], [3000]],
    "bcast_inner": lambda t: _c(t, [[[1, 2], [3, 4], [5, 6]], [[7, 8]]], ragged_rank=1)
    + t.constant([[10]]),
    "bcast_rank4": lambda t: _c(t, [[[[1], [2]], [], [[3]], [[4]]], [[[5], [6]]]],
                                ragged_rank=2) + t.constant([10, 20, 30]),
    "bcast_bad": lambda t: _c(t, [[1, 2], [3, 4]]) + t.constant([[1, 2, 3], [4, 5, 6]]),
    "bcast_row_vector": lambda t: _c(t, [[1, 2], [3, 4]]) + t.constant([10, 20]),
    "bcast_full_dense": lambda t: _c(t, [[1, 2], [3, 4]]) + t.constant([[10, 20], [1, 2]]),
    "bcast_row_column": lambda t: _c(t, [[1, 2], [3]]) + t.constant([[10], [20]]),
    "bcast_one": lambda t: _c(t, [[1, 2], [3]]) + t.constant([[10]]),
    "float_ops": lambda t: _c(t, [[1.5, -2.0], [3.0]]) * 2.0 - 1.0,
    "map_flat_values": lambda t: t.ragged.map_flat_values(lambda x: x * 2 + 1, _c(t)),
    "map_flat_values_two": lambda t: t.ragged.map_flat_values(t.add, _c(t), _c(t)),
    "map_flat_values_bad": lambda t: t.ragged.map_flat_values(lambda x: x[:2], _c(t)),
    "map_flat_values_mismatch": lambda t: t.ragged.map_flat_values(
        t.add, _c(t), _c(t, [[1], [2]])),
    # tf.ragged helpers
    "range": lambda t: t.ragged.range([3, 0, 2]),
    "range_scalar": lambda t: t.ragged.range(3),
    "range_int64": lambda t: t.ragged.range([3, 5], dtype=t.int64),
    "range_float": lambda t: t.ragged.range([1., 2.], [3., 4.], 0.5),
    "range_uniform": lambda t: t.ragged.range([1, 2], [4, 6], 2),
    "boolean_mask": lambda t: t.ragged.boolean_mask(_c(t), _c(t) > 2),
    "boolean_mask_dense": lambda t: t.ragged.boolean_mask(
        t.constant([[1, 2], [3, 4]]), t.constant([[True, False], [True, True]])),
    "stack": lambda t: t.ragged.stack([_c(t), _c(t)]),
    "from_ndarray": lambda t: _c(t, np.array([[1, 2], [3, 4]])),
    "from_tuples": lambda t: _c(t, ((1, 2), (3,))),
    "iterate_rows": lambda t: [r.numpy().tolist() for r in _c(t)],
    "hash": lambda t: hash(_c(t)),
    "no_ndim": lambda t: _c(t).ndim,
    "no_row_splits_dtype": lambda t: _c(t).row_splits_dtype,
    "shape0": lambda t: _c(t).shape[0],
    "empty_from_lengths": lambda t: t.RaggedTensor.from_row_lengths([], []),
    "empty_rows_inner": lambda t: t.RaggedTensor.from_row_lengths(t.zeros([0, 3]), [0, 0]),
    "bad_string_dtype": lambda t: _c(t, [[1, 2], [3]], dtype=t.string),
    "bad_int_dtype": lambda t: _c(t, [[1.5], [3]], dtype=t.int32),
    "np_int_key": lambda t: _c(t)[np.int64(2)],
    "tensor_key": lambda t: _c(t)[t.constant(2)],
    "bool_key": lambda t: _c(t)[True],
    "unsorted_rowids": lambda t: t.RaggedTensor.from_value_rowids([1, 2], [1, 0]),
    "negative_lengths": lambda t: t.RaggedTensor.from_row_lengths([1, 2], [3, -1]),
    "bounding_axis": lambda t: _c(t).bounding_shape(axis=1),
    "with_values_bad": lambda t: _c(t).with_values([1, 2]),
    "pow": lambda t: _c(t) ** 2,
    "mod": lambda t: _c(t) % 3,
    "invert": lambda t: ~(_c(t) > 2),
    "and": lambda t: (_c(t) > 2) & (_c(t) < 6),
    "np_scalar_mul": lambda t: np.int32(2) * _c(t),
    "uniform_row_length": lambda t: t.RaggedTensor.from_uniform_row_length(
        t.RaggedTensor.from_row_splits(list(range(10, 20)), [0, 3, 5, 9, 10]), 2),
    "uniform_row_length_row": lambda t: t.RaggedTensor.from_uniform_row_length(
        [1, 2, 3, 4], 2)[1],
    "uniform_row_length_dense": lambda t: t.RaggedTensor.from_uniform_row_length(
        [1, 2, 3, 4], 2).to_tensor(),
    "uniform_row_length_bad": lambda t: t.RaggedTensor.from_uniform_row_length(
        [1, 2, 3, 4, 5], 2),
    "inner_uniform_values": lambda t: t.RaggedTensor.from_row_splits(
        [[1, 3], [0, 0], [1, 3], [5, 3], [3, 3], [1, 2]], [0, 3, 4, 6]),
    "nested_lengths_tuple": lambda t: t.RaggedTensor.from_nested_row_lengths(
        list(range(10, 21)), ([2, 0, 3], [3, 1, 4, 2, 1])),
    "nested_row_lengths": lambda t: list(_c(t, [[[1, 2], [3]], [[4, 5]]])
                                         .nested_row_lengths()[1].numpy()),
    "to_sparse": lambda t: [(lambda sp: (sp.indices.numpy().tolist(), sp.values.numpy().tolist(),
                                         sp.dense_shape.numpy().tolist()))(
        _c(t, [[[1, 2], [3]], [[4, 5]], []]).to_sparse())],
    "from_sparse": lambda t: t.RaggedTensor.from_sparse(t.SparseTensor(
        indices=[[0, 0], [2, 0], [2, 1]], values=[1, 2, 3], dense_shape=[4, 3])),
    # specs
    "spec": lambda t: t.RaggedTensorSpec([None, None], t.int32),
    "spec3": lambda t: t.RaggedTensorSpec(shape=[2, None, 3], dtype=t.float32),
    "spec_from_value": lambda t: t.RaggedTensorSpec.from_value(_c(t)),
    "spec_compatible": lambda t: t.RaggedTensorSpec([None, None], t.int32)
    .is_compatible_with(_c(t)),
    "spec_incompatible": lambda t: t.RaggedTensorSpec([2, None], t.float32)
    .is_compatible_with(_c(t)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(tf_ref, name):
    fn = CASES[name]
    assert _run(tf, fn) == _run(tf_ref, fn)


# TensorFlow reaches these through dispatch of tf.reduce_* / tf.concat on RaggedTensors.
REDUCE_CASES = {
    "mean_axis1": ("reduce_mean", DIGITS, {"axis": 1}),
    "sum_axis0": ("reduce_sum", DIGITS, {"axis": 0}),
    "sum_axis1": ("reduce_sum", DIGITS, {"axis": 1}),
    "max_axis1": ("reduce_max", DIGITS, {"axis": 1}),
    "min_axis1_float": ("reduce_min", [[1., 2.5], [], [3.]], {"axis": 1}),
    "max_axis1_float": ("reduce_max", [[1., 2.5], [], [3.]], {"axis": 1}),
    "mean_axis0_float": ("reduce_mean", [[1., 2.5], [], [3.]], {"axis": 0}),
    "sum_keepdims": ("reduce_sum", [[1., 2.5], [], [3.]], {"axis": 1, "keepdims": True}),
    "sum_all": ("reduce_sum", DIGITS, {}),
    "sum_rank3_last": ("reduce_sum", [[[1, 2], [3]], [[4, 5]]], {"axis": 2}),
    "sum_rank3_neg": ("reduce_sum", [[[1, 2], [3]], [[4, 5]]], {"axis": -1}),
}


@pytest.mark.parametrize("name", sorted(REDUCE_CASES))
def test_reductions_match_tensorflow(tf_ref, name):
    fname, data, kw = REDUCE_CASES[name]
    want = _describe(getattr(tf_ref, fname)(tf_ref.ragged.constant(data), **kw))
    got = _describe(getattr(ragged_ops, fname)(tf.ragged.constant(data), **kw))
    if want[0] == "tensor":
        np.testing.assert_allclose(np.array(got[1], float), np.array(want[1], float))
        assert got[2:] == want[2:]
    else:
        assert got == want


CONCAT_CASES = {
    "axis0": ([DIGITS, [[5, 3]]], 0),
    "axis1_words": ([[["John"], ["a", "big", "dog"], ["my", "cat"]],
                     [["fell", "asleep"], ["barked"], ["is", "fuzzy"]]], 1),
    "axis1_rank3": ([[[[1], [2, 3]], [[4]]], [[[5]], [[6, 7], []]]], 1),
}


@pytest.mark.parametrize("name", sorted(CONCAT_CASES))
def test_concat_matches_tensorflow(tf_ref, name):
    parts, axis = CONCAT_CASES[name]
    want = _describe(tf_ref.concat([tf_ref.ragged.constant(p) for p in parts], axis=axis))
    got = _describe(ragged_ops.concat([tf.ragged.constant(p) for p in parts], axis=axis))
    assert got == want


def test_numpy_matches_tensorflow(tf_ref):
    for data in (DIGITS, [[1, 2], [3, 4]], [[[1, 2], [3]], [[4, 5]]], [[1.5, 2], [3]]):
        want = tf_ref.ragged.constant(data).numpy()
        got = tf.ragged.constant(data).numpy()
        assert repr(got) == repr(want)


def test_gradients_match_tensorflow(tf_ref):
    x = np.array([0.3, -1.2, 0.7, 2.1, -0.4], np.float32)

    def run(t, reduce_fn):
        v = t.Variable(x)
        with t.GradientTape() as tape:
            rt = t.RaggedTensor.from_row_lengths(v * 1.0, [2, 0, 3])
            y = t.reduce_sum((rt * rt + 1.0).to_tensor(default_value=3.0))
            y += t.reduce_sum(reduce_fn(t)(t.ragged.map_flat_values(t.sin, rt), axis=1)[::2])
            y += t.reduce_sum(rt[:, 1:].flat_values * 2.0)
        return tape.gradient(y, v).numpy()

    want = run(tf_ref, lambda t: t.reduce_max)
    got = run(tf, lambda t: ragged_ops.reduce_max)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_ragged_guide_dispatch_cells(tf_ref):
    def cells(m):
        digits = m.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])
        words = m.ragged.constant([["So", "long"], ["thanks", "for", "all", "the", "fish"]])
        return [str(m.add(digits, 3)), str(m.reduce_mean(digits, axis=1)),
                str(m.concat([digits, [[5, 3]]], axis=0)), str(digits * 2),
                str(m.ragged.map_flat_values(m.one_hot, digits, 3)), words.shape]
    got, want = cells(tf), cells(tf_ref)
    assert got == want

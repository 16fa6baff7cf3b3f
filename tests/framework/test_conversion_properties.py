"""Property tests: conversion keeps values and follows TensorFlow's dtype rules."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf

NUMPY_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64,
                np.complex128]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NUMPY_DTYPES).flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))))
def test_numpy_arrays_round_trip_with_their_dtype(arr):
    t = tf.constant(arr)
    assert t.dtype == tf.as_dtype(arr.dtype)
    assert t.shape == arr.shape
    np.testing.assert_array_equal(np.asarray(t), arr)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=6))
def test_python_int_lists_become_int32(values):
    t = tf.constant(values)
    assert t.dtype == tf.int32
    assert t.numpy().tolist() == values


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, width=32), min_size=1, max_size=6))
def test_python_float_lists_become_float32(values):
    t = tf.constant(values)
    assert t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), np.array(values, np.float32))


@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_operators_broadcast_like_numpy(shapes):
    a = np.arange(np.prod(shapes.input_shapes[0]), dtype=np.float32).reshape(
        shapes.input_shapes[0])
    b = np.ones(shapes.input_shapes[1], np.float32) * 2
    for op in ("+", "-", "*", "/"):
        got = eval(f"tf.constant(a) {op} tf.constant(b)")  # noqa: S307
        want = eval(f"a {op} b")  # noqa: S307
        assert got.shape == shapes.result_shape
        np.testing.assert_allclose(got.numpy(), want)

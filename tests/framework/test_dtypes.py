"""tf.DType and tf.as_dtype."""

import numpy as np
import pytest

import tapeflow as tf


def test_repr_and_name():
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert repr(tf.float32) == "tf.float32"
    assert tf.int64.name == "int64"
    assert tf.bool.name == "bool"


@pytest.mark.parametrize("value", [tf.float32, "float32", np.float32, np.dtype("float32"),
                                   "float", 1])
def test_as_dtype_accepts_every_spelling(value):
    assert tf.as_dtype(value) is tf.float32


def test_as_dtype_of_python_types():
    assert tf.as_dtype(int) is tf.int32
    assert tf.as_dtype(float) is tf.float32
    assert tf.as_dtype(bool) is tf.bool
    assert tf.as_dtype(str) is tf.string


def test_unknown_dtype_is_type_error():
    with pytest.raises(TypeError):
        tf.as_dtype("float33")
    with pytest.raises(TypeError, match="bfloat16"):
        tf.as_dtype("bfloat16")


def test_equality_with_numpy_and_strings():
    assert tf.float32 == np.float32
    assert tf.float32 == "float32"
    assert tf.float32 != tf.float64
    assert tf.int32 != "int64"
    assert hash(tf.float32) == hash(tf.as_dtype("float32"))


def test_classification_attributes():
    assert tf.float16.is_floating and not tf.float16.is_integer
    assert tf.uint8.is_integer and tf.uint8.is_unsigned
    assert tf.int8.is_integer and not tf.int8.is_unsigned
    assert tf.complex64.is_complex and not tf.complex64.is_floating
    assert tf.bool.is_bool and not tf.bool.is_integer
    assert tf.complex64.real_dtype is tf.float32
    assert tf.complex128.real_dtype is tf.float64
    assert tf.float32.real_dtype is tf.float32
    assert tf.float32.base_dtype is tf.float32


def test_limits_and_sizes():
    assert tf.int32.min == -2147483648
    assert tf.int32.max == 2147483647
    assert tf.uint8.max == 255
    assert tf.float32.max == pytest.approx(3.4028234663852886e38)
    assert tf.float64.size == 8
    assert tf.int16.size == 2
    assert tf.string.size == 0
    with pytest.raises(TypeError, match="Cannot find maximum value of <dtype: 'bool'>"):
        tf.bool.max


def test_as_numpy_dtype():
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.int64.as_numpy_dtype is np.int64
    assert tf.string.as_numpy_dtype is np.object_

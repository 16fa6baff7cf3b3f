"""tf.constant / tf.convert_to_tensor dtype inference and errors."""

import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("value,dtype", [
    (1, tf.int32), (2**40, tf.int64), (1.5, tf.float32), (True, tf.bool),
    (1 + 2j, tf.complex128), ("s", tf.string), (b"s", tf.string),
    ([1, 2.0], tf.float32), ([[1, 2], [3, 4]], tf.int32), ([1, 2**40], tf.int64),
    ([True, False], tf.bool), (["a", "b"], tf.string),
])
def test_python_values_infer_tensorflow_dtypes(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_numpy_values_keep_their_dtype():
    assert tf.constant(np.float64(1.0)).dtype == tf.float64
    assert tf.constant(np.array([1, 2], np.int64)).dtype == tf.int64
    assert tf.constant(np.ones(3)).dtype == tf.float64
    assert tf.constant([np.float64(1.0), 2.0]).dtype == tf.float64


def test_constant_does_not_alias_numpy_input():
    a = np.array([1.0, 2.0])
    t = tf.constant(a)
    a[0] = 9
    assert t.numpy()[0] == 1.0


def test_out_of_range_and_ragged_values_are_value_errors():
    with pytest.raises(ValueError, match="out-of-range integer"):
        tf.constant(2**64)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1], [2, 3]])


def test_dtype_argument_casts_where_tensorflow_allows():
    assert tf.constant(True, dtype=tf.int32).numpy() == 1
    assert tf.constant(300, dtype=tf.uint8).numpy() == 44
    assert tf.constant(-1, dtype=tf.uint8).numpy() == 255
    assert tf.constant(np.array([1.5]), dtype=tf.int32).numpy().tolist() == [1]
    assert tf.constant(1, dtype=tf.float64).dtype == tf.float64


@pytest.mark.parametrize("value", [1.5, 1.0])
def test_python_float_to_int_is_type_error(value):
    with pytest.raises(TypeError, match=f"Cannot convert {value} to EagerTensor of dtype int32"):
        tf.constant(value, dtype=tf.int32)


def test_convert_tensor_to_other_dtype_is_value_error():
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor "
                                         "with dtype int32"):
        tf.convert_to_tensor(tf.constant(1), dtype=tf.float32)


def test_shape_argument_fills_or_reshapes():
    assert tf.constant(-1.0, shape=[2, 3]).numpy().tolist() == [[-1.0] * 3] * 2
    assert tf.constant([1, 2, 3, 4, 5, 6], shape=(2, 3)).shape == (2, 3)
    with pytest.raises(TypeError, match="has 3 elements, but got `shape` \\(2, 2\\) with 4"):
        tf.constant([1, 2, 3], shape=[2, 2])


def test_dtype_hint_is_used_only_when_possible():
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(1.5, dtype_hint=tf.int32).dtype == tf.float32


def test_list_of_tensors_is_stacked():
    t = tf.constant([tf.constant(1.0), tf.constant(2.0)])
    assert t.shape == (2,) and t.dtype == tf.float32


def test_binary_ops_convert_python_operands_to_the_tensor_dtype():
    assert (tf.constant(1.0) + 1).dtype == tf.float32
    assert (tf.constant(1.0) + np.float64(2)).dtype == tf.float32
    assert (2 * tf.constant(3, tf.int64)).dtype == tf.int64
    assert (tf.constant(1.0) + True).numpy() == 2.0


def test_binary_ops_never_promote():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute AddV2 as input #1\(zero-based\) was expected to "
                             r"be a int32 tensor but is a float tensor \[Op:AddV2\]"):
        tf.constant(1) + 1.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float tensor "
                                                             "but is a int32 tensor"):
        tf.Variable(1.0) + tf.Variable(1)


def test_python_float_is_float32_trap():
    assert tf.constant(0.1).numpy() == np.float32(0.1)


def test_python_floats_converted_to_float64_keep_full_precision():
    assert tf.constant(1.123456789, tf.float64).numpy() == 1.123456789
    assert tf.constant([0.1, 0.2], dtype=tf.float64).numpy().tolist() == [0.1, 0.2]
    assert tf.Variable(0.1, dtype=tf.float64).numpy() == 0.1
    assert (tf.constant(1.0, tf.float64) * 0.1).numpy() == 0.1

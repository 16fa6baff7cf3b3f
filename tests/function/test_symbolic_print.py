"""While tracing, tensors print as TF's graph tensors (name:index, shape, dtype)."""

import pytest

import tapeflow as tf


def test_inputs_and_ops_print_as_graph_tensors(capsys):
    @tf.function
    def double(a):
        print("Tracing with", a)
        b = a + a
        print(b, repr(b), f"{b}")
        return b

    assert double(tf.constant(1)).numpy() == 2
    out = capsys.readouterr().out.splitlines()
    assert out == ['Tracing with Tensor("a:0", shape=(), dtype=int32)',
                   'Tensor("add:0", shape=(), dtype=int32) '
                   "<tf.Tensor 'add:0' shape=() dtype=int32> "
                   'Tensor("add:0", shape=(), dtype=int32)']
    double(tf.constant(2))                                   # a replay prints nothing
    assert capsys.readouterr().out == ""


def test_names_follow_tfs_rules(capsys):
    @tf.function
    def f(x, ys, scale=1.0):
        with tf.name_scope("block"):
            print(tf.add(x, x), x + x, tf.matmul(x, x), x / 2.0)
        print(ys, x * scale, f"{x:}", f"{tf.reduce_sum(x)}")
        return x

    f(tf.ones([2, 2]), [tf.constant(1), tf.constant(2)], scale=tf.constant(3.0))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ('Tensor("block/Add:0", shape=(2, 2), dtype=float32) '
                      'Tensor("block/add_1:0", shape=(2, 2), dtype=float32) '
                      'Tensor("block/MatMul:0", shape=(2, 2), dtype=float32) '
                      'Tensor("block/truediv:0", shape=(2, 2), dtype=float32)')
    assert out[1] == ('[<tf.Tensor \'ys:0\' shape=() dtype=int32>, '
                      '<tf.Tensor \'ys_1:0\' shape=() dtype=int32>] '
                      'Tensor("mul:0", shape=(2, 2), dtype=float32) '
                      'Tensor("x:0", shape=(2, 2), dtype=float32) '
                      'Tensor("Sum:0", shape=(), dtype=float32)')


def test_signature_shapes_show_unknown_dims_and_ranks(capsys):
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32),
                                  tf.TensorSpec(None, tf.string)])
    def g(x, s):
        print(x, s)
        return x

    g(tf.ones([2, 3]), tf.constant("a"))
    assert capsys.readouterr().out == ('Tensor("x:0", shape=(None, 3), dtype=float32) '
                                       'Tensor("s:0", dtype=string)\n')


def test_constants_and_eager_tensors_print_their_values(capsys):
    c = tf.constant([1.0, 2.0])

    @tf.function
    def f(x):
        print(c)                                        # captured: a value, not a node
        return x

    f(tf.constant(1.0))
    assert capsys.readouterr().out == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)\n"
    assert str(c) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"
    assert f"{tf.constant(1.5):.2f}" == "1.50"

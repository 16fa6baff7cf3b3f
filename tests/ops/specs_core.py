"""Op-table rows for the first core ops (the op-family helpers extend their own files)."""

import numpy as np

import tapeflow as tf
from tests.helpers.op_specs import OpSpec, floats, positive

SPECS = [
    OpSpec("add", tf.add, np.add, [floats((3, 1)), floats((4,))], grad_order=2),
    OpSpec("subtract", tf.subtract, np.subtract, [floats((2, 3)), floats((3,))], grad_order=2),
    OpSpec("multiply", tf.multiply, np.multiply, [floats((2, 3)), floats((2, 1))], grad_order=2),
    OpSpec("truediv", tf.math.truediv, np.true_divide,
           [floats((3, 1)), positive((4,))], grad_order=2),
    OpSpec("square", tf.square, np.square, [floats((5,))], grad_order=2),
    OpSpec("tanh", tf.tanh, np.tanh, [floats((2, 3))], grad_order=2),
    OpSpec("exp", tf.exp, np.exp, [floats((2, 3))], grad_order=2),
    OpSpec("log", tf.math.log, np.log, [positive((2, 3))], grad_order=2),
    OpSpec("reduce_sum", lambda x: tf.reduce_sum(x, axis=1), lambda x: np.sum(x, axis=1),
           [floats((3, 4))], grad_order=2),
    OpSpec("reduce_mean", lambda x: tf.reduce_mean(x, axis=0, keepdims=True),
           lambda x: np.mean(x, axis=0, keepdims=True), [floats((3, 4))], grad_order=2),
    OpSpec("matmul", tf.matmul, np.matmul, [floats((2, 3)), floats((3, 4))], grad_order=2),
    OpSpec("pow", tf.pow, np.power, [positive((3,)), floats((3,))], grad_order=2),
    OpSpec("sigmoid", tf.math.sigmoid, lambda x: 1 / (1 + np.exp(-x)), [floats((4,), -8, 8)],
           grad_order=2),
    OpSpec("softmax", tf.nn.softmax,
           lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True), [floats((2, 5))],
           grad_order=2),
    OpSpec("getitem", lambda x: x[1:, ::2], lambda x: x[1:, ::2], [floats((3, 4))],
           grad_order=2),
    OpSpec("reshape", lambda x: tf.reshape(x, [4, 3]), lambda x: np.reshape(x, (4, 3)),
           [floats((3, 4))], grad_order=2),
]

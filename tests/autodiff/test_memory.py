"""Tapes release what they record: weakref tests on intermediate arrays."""

import gc
import weakref

import numpy as np

import tapeflow as tf


def _intermediate_ref(tape, x):
    with tape:
        tape.watch(x)
        h = tf.exp(x)
        y = tf.reduce_sum(h * h)
    ref = weakref.ref(h)
    del h
    return y, ref


def test_non_persistent_tape_frees_intermediates_after_gradient():
    x = tf.constant(np.ones(1000))
    tape = tf.GradientTape()
    y, ref = _intermediate_ref(tape, x)
    assert ref() is not None          # held by the tape's records
    tape.gradient(y, x)
    assert ref() is None              # released by the first gradient call, no gc needed
    assert tape._records == []


def test_persistent_tape_frees_everything_when_deleted():
    x = tf.constant(np.ones(1000))
    tape = tf.GradientTape(persistent=True)
    y, ref = _intermediate_ref(tape, x)
    tape.gradient(y, x)
    tape.gradient(y, x)
    assert ref() is not None
    tape_ref = weakref.ref(tape)
    del tape
    assert tape_ref() is None and ref() is None   # freed by refcounting: no cycles
    gc.collect()
    assert ref() is None


def test_tape_is_not_kept_alive_by_context_after_exit():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _ = x * 2.0
    r = weakref.ref(tape)
    del tape
    assert r() is None


def test_gradient_of_custom_gradient_does_not_pin_tape():
    @tf.custom_gradient
    def f(x):
        y = tf.exp(x)
        return y, lambda dy: dy * y
    x = tf.constant(np.ones(10))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(x)
    tape.gradient(y, x)
    r = weakref.ref(tape)
    del tape
    assert r() is None

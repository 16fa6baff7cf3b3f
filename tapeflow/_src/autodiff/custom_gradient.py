"""`tf.stop_gradient` and `tf.custom_gradient`."""

from __future__ import annotations

import functools

from tapeflow._src.autodiff.record import record
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive
from tapeflow._src.util import nest


@primitive("StopGradient", shape=rules.same_shape, dtype=rules.same_as_input,
           differentiable=False)
def _stop_gradient(x):
    return x


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, but no gradient flows through it (the tape does not record it)."""
    return _stop_gradient(to_tensor(input))


class _VariableWatcher:
    """A pseudo-tape that records nothing but notes every variable read (for custom_gradient)."""

    def __init__(self):
        self._recording = True
        self._watched = frozenset()
        self._records = []
        self.variables = []
        self._seen = set()

    def _on_variable_read(self, v):
        if v._trainable and id(v) not in self._seen:
            self._seen.add(id(v))
            self.variables.append(v)


def custom_gradient(f=None):
    """Decorator for a function `f(*x) -> (y, grad_fn)` with a hand-written gradient.

    `grad_fn(*dy)` returns the gradients of the inputs; if `f` reads trainable variables,
    it is called as `grad_fn(*dy, variables=vars)` and returns `(input_grads,
    variable_grads)`. Write `grad_fn` with tapeflow ops and nested tapes differentiate it.

    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1., 1.)
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        inputs = tuple(to_tensor(a) if isinstance(a, Variable) else a
                       for a in nest.flatten(args) if isinstance(a, (Tensor, Variable)))
        watcher = _VariableWatcher()
        saved = context.tapes[:]
        context.tapes[:] = [watcher]
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            context.tapes[:] = saved
        variables = tuple(watcher.variables)
        # Fresh output objects, so that the record below is their only producer.
        outs = tuple(_wrap(to_tensor(o)._value) for o in nest.flatten(result))
        if context.tapes:
            for tape in context.tapes:
                for v in variables:
                    tape._on_variable_read(v)
            record("CustomGradient", _make_grad(result, grad_fn, variables),
                   inputs + variables, outs, {})
        return nest.pack_sequence_as(result, list(outs))

    return wrapped


def _make_grad(result, grad_fn, variables):
    """Adapts the user's grad_fn to a gradient rule: (op, *dys) -> one grad per input."""
    def rule(op, *dys):
        if variables:
            in_grads, var_grads = grad_fn(*dys, variables=list(variables))
            return tuple(nest.flatten(in_grads)) + tuple(var_grads)
        grads = grad_fn(*dys)
        if isinstance(grads, (list, tuple)):
            return tuple(nest.flatten(grads))
        return (grads,)
    return rule


def recompute_grad(f):
    """Returns `f` unchanged in value; tapeflow keeps activations, so nothing is recomputed."""
    @functools.wraps(f)
    def inner(*args, **kwargs):
        return f(*args, **kwargs)
    return inner

"""`tf.stop_gradient` and `tf.custom_gradient`."""

from __future__ import annotations

import functools

from tapeflow._src.autodiff.record import record
from tapeflow._src.framework import context
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive
from tapeflow._src.util import nest


@primitive("StopGradient", shape=rules.same_shape, dtype=rules.same_as_input,
           differentiable=False)
def _stop_gradient(x):
    return x.view()  # a new array object (no copy), so debug provenance can tell them apart


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, but no gradient flows through it (the tape does not record it)."""
    return _stop_gradient(to_tensor(input))


class _VariableWatcher:
    """A pseudo-tape that records nothing but notes every variable read (for custom_gradient).

    It sits in `context.tapes` next to the real tapes, so those keep recording the
    function's internal ops (a gradient function may close over intermediate values, and
    an outer tape must see how they depend on the inputs for second derivatives).
    """

    def __init__(self):
        self._recording = True
        self._watched = frozenset()
        self._records = []
        self.variables = []
        self._seen = set()

    def _on_variable_read(self, v):
        if id(v) not in self._seen:
            self._seen.add(id(v))
            self.variables.append(v)


def _accepts_variables(fn) -> bool:
    import inspect
    try:
        spec = inspect.getfullargspec(fn)
    except TypeError:
        return True
    return "variables" in spec.args or "variables" in spec.kwonlyargs or bool(spec.varkw)


def custom_gradient(f=None):
    """Decorator for a function `f(*x) -> (y, grad_fn)` with a hand-written gradient.

    `grad_fn(*dy)` returns one gradient per input (a single value when there is one
    input). If `f` reads variables that are not among its inputs, `grad_fn` must accept a
    `variables` keyword and return `(input_grads, variable_grads)`, one per variable in
    the list it receives. The ops inside `f` are still recorded by active tapes, so when
    `grad_fn` is written with tapeflow ops (even using values computed in `f`), nested
    tapes give correct higher-order derivatives.

    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1., 1.)
    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = clip_grad(x * 5.0)
    >>> float(tape.gradient(y, x))
    5.0
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        flat_args = nest.flatten(args)
        tracer = context.tracer
        start = len(tracer.steps) if tracer is not None else 0
        watcher = _VariableWatcher()
        context.tapes.append(watcher)
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            for i in range(len(context.tapes) - 1, -1, -1):
                if context.tapes[i] is watcher:
                    del context.tapes[i]
                    break
        arg_ids = {id(getattr(a, "_parent", None) or a) for a in flat_args
                   if isinstance(a, Variable)}
        variables = [v for v in watcher.variables if id(v) not in arg_ids]
        if variables and not _accepts_variables(grad_fn):
            raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument "
                            f"'variables', since function uses variables: {variables}")
        flat_result = nest.flatten(result)
        # Fresh output objects, so that the record below is their only producer.
        inner = [to_tensor(o) for o in flat_result]
        outs = tuple(_wrap(o._value) for o in inner)
        if tracer is not None:
            tracer.custom_gradient(lambda a, k: wrapped(*a, **k), (args, kwargs), start,
                                   inner, outs)
        if context.tapes:
            inputs = tuple(to_tensor(a) for a in flat_args) + tuple(v._read() for v in variables)
            record(f.__name__ if hasattr(f, "__name__") else "CustomGradient",
                   _make_grad(result, grad_fn, variables, len(flat_args)), inputs, outs, {})
        return nest.pack_sequence_as(result, list(outs))

    return wrapped


def _make_grad(result, grad_fn, variables, n_args):
    """Adapts the user's grad_fn to a gradient rule: (op, *dys) -> one grad per input."""
    def rule(op, *dys):
        dys = nest.pack_sequence_as(result, list(dys))
        if not isinstance(dys, (list, tuple)):
            dys = [dys]
        if variables:
            in_grads, var_grads = grad_fn(*dys, variables=list(variables))
            var_grads = list(var_grads) if var_grads is not None else []
            if len(var_grads) != len(variables):
                raise ValueError("Must return gradient for each variable from "
                                 "@custom_gradient grad_fn.")
        else:
            in_grads = grad_fn(*dys)
            var_grads = []
        flat = nest.flatten(in_grads)
        if len(flat) != n_args:
            raise ValueError(f"custom_gradient function expected to return {n_args} "
                             f"gradients, but returned {len(flat)} instead.")
        return tuple(flat) + tuple(var_grads)
    return rule


def recompute_grad(f):
    """Wraps `f` so its intermediate values are recomputed during the backward pass.

    The forward runs without recording, so no activations are kept by tapes; the
    gradient reruns `f` under a tape. Values and gradients equal those of `f`.

    >>> g = tf.recompute_grad(lambda x: tf.tanh(x) * x)
    >>> x = tf.constant(1.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = g(x)
    >>> round(float(tape.gradient(y, x)), 4)
    1.1816
    """
    @functools.wraps(f)
    def inner(*args, **kwargs):
        watcher = _VariableWatcher()
        saved = context.tapes[:]
        context.tapes[:] = context.tracer_only() + [watcher]
        try:
            result = f(*args, **kwargs)
        finally:
            context.tapes[:] = saved
        if not [t for t in saved if t is not context.tracer]:
            return result
        tensor_args = [to_tensor(a) for a in args]
        variables = [v for v in watcher.variables if v._trainable]

        @custom_gradient
        def replay(*xs):
            for v in variables:
                v._read()   # lets custom_gradient see the variables
            def grad(*dys, variables=None):
                from tapeflow._src.autodiff.tape import GradientTape
                with GradientTape() as tape:
                    tape.watch([x for x in xs if x._value.dtype.kind in "fc"])
                    out = f(*xs, **kwargs)
                grads = tape.gradient(out, list(xs) + list(variables or []),
                                      output_gradients=list(dys))
                return grads[:len(xs)], grads[len(xs):]
            return result, grad
        return replay(*tensor_args)
    return inner

"""The `primitive` decorator: turns a NumPy forward into a tapeflow op.

A primitive knows its TensorFlow op type (used in error messages as `[Op:AddV2]`), the
dtypes it accepts, its shape/dtype rules (for checking and tracing) and its gradient rule.
Calling it runs the forward on the inputs' arrays, wraps the result and, only when a tape
is active, records it.

That call path is the hottest code in tapeflow, so `primitive` returns a plain function
specialised at decoration time for the forward's arity and for whether it takes attributes
(a closure call is cheaper than `Primitive.__call__`, and fixed arity avoids building
argument lists). The `Primitive` object keeps the metadata and is reachable as `fn.primitive`;
`fn.grad`, `fn.name`, `fn.differentiable` are exposed on the function for convenience.
"""

from __future__ import annotations

import inspect
import re
import warnings

import numpy as np

from tapeflow._src.autodiff.record import record
from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import Tensor

_tapes = context.tapes
_context = context  # `_context.tracer`: the active tf.function tracer, if any
_new = object.__new__
_T = Tensor

# Every primitive by op type, so tests can check each has a table row and gradient test.
REGISTRY: dict = {}

# NumPy's floating-point RuntimeWarnings (divide by zero, overflow, invalid) inside op kernels
# are noise: TensorFlow returns inf/nan silently. Filtering by module costs nothing per call,
# unlike np.errstate, and leaves the user's own NumPy warnings alone.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tapeflow\._src\.ops\.")

_BROADCAST_ERROR = re.compile(r"operands could not be broadcast together with shapes (.*?)\s*$")
_KERNEL_ERRORS = (ValueError, IndexError, np.linalg.LinAlgError, ZeroDivisionError)


class Primitive:
    """The metadata of a primitive op; the callable is the function `primitive` returns."""

    __slots__ = ("name", "forward", "grad_fn", "shape_rule", "dtype_rule", "differentiable",
                 "multi_output", "allowed", "_allowed_np", "call", "__weakref__")

    def __init__(self, name, forward, *, shape=None, dtype=None, allowed=None,
                 differentiable=True, multi_output=False):
        self.name = name
        self.forward = forward
        self.grad_fn = None
        self.shape_rule = shape
        self.dtype_rule = dtype
        self.differentiable = differentiable
        self.multi_output = multi_output
        self.allowed = None if allowed is None else frozenset(allowed)
        self._allowed_np = None if allowed is None else frozenset(d._np for d in allowed)
        self.call = None

    def grad(self, fn):
        """Decorator: registers `fn(op, *dys)` as this primitive's gradient rule."""
        self.grad_fn = fn
        return fn

    def __call__(self, *inputs, **attrs):
        return self.call(*inputs, **attrs)

    def message(self, text: str) -> str:
        """`text` in TensorFlow's eager error layout: '<text> [Op:Name] name: '."""
        return f"{text} [Op:{self.name}] name: "

    def kernel_error(self, e):
        """A NumPy exception from the forward, as TensorFlow's error for this op."""
        if isinstance(e, InvalidArgumentError):
            return e
        text = str(e)
        m = _BROADCAST_ERROR.match(text)
        if m:
            shapes = [s.strip("()").rstrip(",") for s in m.group(1).split()]
            text = "Incompatible shapes: " + " vs. ".join(
                "[" + s.replace(" ", "") + "]" for s in shapes)
        return InvalidArgumentError(None, None, self.message(text))

    def dtype_error(self, dtype):
        names = ", ".join(dtypes.tf_name(d) for d in sorted(self.allowed,
                                                            key=lambda d: d.as_datatype_enum))
        return InvalidArgumentError(None, None, self.message(
            f"Value for attr 'T' of {dtypes.tf_name(dtype)} is not in the list of allowed "
            f"values: {names}\n\t; NodeDef: {{{{node {self.name}}}}}"))

    def __repr__(self):
        return f"<primitive {self.name}>"


def _arity(forward):
    """(number of positional tensor inputs or None if *args, whether it takes attributes)."""
    if isinstance(forward, np.ufunc):
        return forward.nin, False
    try:
        sig = inspect.signature(forward)
    except (TypeError, ValueError):  # C functions such as operator.add
        return 2 if forward in _BINARY_BUILTINS else None, False
    n, varargs, attrs = 0, False, False
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
        elif p.kind == p.VAR_POSITIONAL:
            varargs = True
        elif p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD):
            attrs = True
    return (None if varargs else n), attrs


import operator as _operator  # noqa: E402

_BINARY_BUILTINS = {_operator.add, _operator.sub, _operator.mul, _operator.truediv}


def _make_call(p: Primitive):
    """Builds the specialised call function for primitive `p` (see module docstring)."""
    forward = p.forward
    allowed = p._allowed_np
    name = p.name
    diff = p.differentiable
    multi = p.multi_output
    n, has_attrs = _arity(forward)

    def bad_dtype(x):
        raise p.dtype_error(dtypes.from_numpy(x._value.dtype))

    if multi:
        def call(*inputs, **attrs):
            if allowed is not None and inputs and inputs[0]._value.dtype not in allowed:
                bad_dtype(inputs[0])
            try:
                out = forward(*[t._value for t in inputs], **attrs)
            except _KERNEL_ERRORS as e:
                raise p.kernel_error(e) from None
            outputs = []
            for o in out:
                t = _new(_T)
                t._value = o
                outputs.append(t)
            outputs = tuple(outputs)
            if _tapes:
                if diff:
                    record(name, p.grad_fn, inputs, outputs, attrs)
                if _context.tracer is not None:
                    _context.tracer.op(p, inputs, outputs, attrs)
            return outputs
        return call

    if n == 1 and not has_attrs:
        def call(x):
            xv = x._value
            if allowed is not None and xv.dtype not in allowed:
                bad_dtype(x)
            try:
                out = forward(xv)
            except _KERNEL_ERRORS as e:
                raise p.kernel_error(e) from None
            t = _new(_T)
            t._value = out
            if _tapes:
                if diff:
                    record(name, p.grad_fn, (x,), (t,), {})
                if _context.tracer is not None:
                    _context.tracer.op(p, (x,), (t,), {})
            return t
        return call

    if n == 2 and not has_attrs:
        def call(x, y):
            xv = x._value
            if allowed is not None and xv.dtype not in allowed:
                bad_dtype(x)
            try:
                out = forward(xv, y._value)
            except _KERNEL_ERRORS as e:
                raise p.kernel_error(e) from None
            t = _new(_T)
            t._value = out
            if _tapes:
                if diff:
                    record(name, p.grad_fn, (x, y), (t,), {})
                if _context.tracer is not None:
                    _context.tracer.op(p, (x, y), (t,), {})
            return t
        return call

    if n == 1:
        def call(x, **attrs):
            xv = x._value
            if allowed is not None and xv.dtype not in allowed:
                bad_dtype(x)
            try:
                out = forward(xv, **attrs)
            except _KERNEL_ERRORS as e:
                raise p.kernel_error(e) from None
            t = _new(_T)
            t._value = out
            if _tapes:
                if diff:
                    record(name, p.grad_fn, (x,), (t,), attrs)
                if _context.tracer is not None:
                    _context.tracer.op(p, (x,), (t,), attrs)
            return t
        return call

    def call(*inputs, **attrs):
        if allowed is not None and inputs and inputs[0]._value.dtype not in allowed:
            bad_dtype(inputs[0])
        try:
            out = forward(*[t._value for t in inputs], **attrs)
        except _KERNEL_ERRORS as e:
            raise p.kernel_error(e) from None
        t = _new(_T)
        t._value = out
        if _tapes:
            if diff:
                record(name, p.grad_fn, inputs, (t,), attrs)
            if _context.tracer is not None:
                _context.tracer.op(p, inputs, (t,), attrs)
        return t
    return call


def primitive(name, *, shape=None, dtype=None, allowed=None, differentiable=True,
              multi_output=False):
    """Decorator making a NumPy function a tapeflow primitive named `name` (a TF op type).

    Args:
      name: TensorFlow's op type, e.g. "AddV2"; errors end with `[Op:name]`.
      shape: the shape rule, `rule(*input_shapes, **attrs) -> shape` (see rules.py).
      dtype: the dtype rule, `rule(*input_dtypes, **attrs) -> DType`.
      allowed: the dtypes accepted for the first input, or None for any.
      differentiable: False for ops the tape never records (comparisons, argmax, ...).
      multi_output: the forward returns a tuple of arrays.

    Returns:
      A decorator returning the op's call function: call it with Tensors (inputs) and
      keyword attributes. It has `.grad` (decorator for the gradient rule), `.name`,
      `.differentiable` and `.primitive` (the `Primitive` metadata).
    """
    def decorate(forward):
        p = Primitive(name, forward, shape=shape, dtype=dtype, allowed=allowed,
                      differentiable=differentiable, multi_output=multi_output)
        call = _make_call(p)
        call.primitive = p
        call.grad = p.grad
        call.name = name
        call.differentiable = differentiable
        call.allowed = p.allowed
        call.dtype_error = p.dtype_error
        call.message = p.message
        call.__name__ = getattr(forward, "__name__", name)
        call.__doc__ = getattr(forward, "__doc__", None)
        p.call = call
        REGISTRY.setdefault(name, p)
        return call
    return decorate

"""The `primitive` decorator: turns a NumPy forward into a tapeflow op.

A primitive knows its TensorFlow op type (used in error messages as `[Op:AddV2]`), the
dtypes it accepts, its shape/dtype rules (for checking and tracing) and its gradient rule.
Calling it runs the forward on the inputs' arrays, wraps the result and, only when a tape
is active, records it. That call path is the hottest code in tapeflow: it does no
introspection, formatting or allocation beyond the output tensor.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.autodiff.record import record
from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.framework.tensor import _wrap

_tapes = context.tapes

# Every primitive by op type, so tests can check each has a table row and gradient test.
REGISTRY: dict = {}


class Primitive:
    """A differentiable (or not) op with a NumPy forward. Call it with Tensors only."""

    __slots__ = ("name", "forward", "grad_fn", "shape_rule", "dtype_rule", "differentiable",
                 "multi_output", "allowed", "_allowed_np", "__weakref__")

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
        self._allowed_np = (None if allowed is None
                            else frozenset(d._np for d in allowed))

    def grad(self, fn):
        """Decorator: registers `fn(op, *dys)` as this primitive's gradient rule."""
        self.grad_fn = fn
        return fn

    def __call__(self, *inputs, **attrs):
        allowed = self._allowed_np
        if allowed is not None and inputs and inputs[0]._value.dtype not in allowed:
            raise self.dtype_error(inputs[0].dtype)
        try:
            out = self.forward(*[t._value for t in inputs], **attrs)
        except InvalidArgumentError:
            raise
        except (ValueError, IndexError, np.linalg.LinAlgError, ZeroDivisionError) as e:
            raise InvalidArgumentError(None, None, self.message(str(e))) from None
        if self.multi_output:
            outputs = tuple(_wrap(o) for o in out)
            if _tapes and self.differentiable:
                record(self.name, self.grad_fn, inputs, outputs, attrs)
            return outputs
        result = _wrap(out)
        if _tapes and self.differentiable:
            record(self.name, self.grad_fn, inputs, (result,), attrs)
        return result

    def message(self, text: str) -> str:
        """`text` in TensorFlow's eager error layout: '<text> [Op:Name] name: '."""
        return f"{text} [Op:{self.name}] name: "

    def dtype_error(self, dtype):
        names = ", ".join(dtypes.tf_name(d) for d in sorted(self.allowed,
                                                            key=lambda d: d.as_datatype_enum))
        return InvalidArgumentError(None, None, self.message(
            f"Value for attr 'T' of {dtypes.tf_name(dtype)} is not in the list of allowed "
            f"values: {names}\n\t; NodeDef: {{{{node {self.name}}}}}"))

    def __repr__(self):
        return f"<primitive {self.name}>"


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
    """
    def decorate(forward):
        p = Primitive(name, forward, shape=shape, dtype=dtype, allowed=allowed,
                      differentiable=differentiable, multi_output=multi_output)
        REGISTRY.setdefault(name, p)
        return p
    return decorate

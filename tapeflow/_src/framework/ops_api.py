"""Small public helpers that belong to no op family: is_tensor, name_scope, executing_eagerly."""

from __future__ import annotations

from tapeflow._src.framework import context
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable


def is_tensor(x) -> bool:
    """True for tapeflow Tensors and Variables, and for composite tensors (SparseTensor,
    RaggedTensor), as `tf.is_tensor` is."""
    if isinstance(x, (Tensor, Variable)):
        return True
    return type(x).__name__ in ("SparseTensor", "RaggedTensor") and type(x).__module__ in (
        "tapeflow._src.io.sparse_tensor", "tapeflow._src.ragged.ragged_tensor")


class name_scope:  # noqa: N801 - TensorFlow's name
    """Context manager that prefixes names of variables created inside it with `name/`."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError(f"name for name_scope must be a string, got {name!r}")
        self._name = name
        self._cm = None

    @property
    def name(self):
        return self._name

    def __enter__(self):
        self._cm = context.name_scope(self._name)
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def executing_eagerly() -> bool:
    return True

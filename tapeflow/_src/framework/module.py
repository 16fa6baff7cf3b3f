"""`tf.Module`: a named container that finds the variables and submodules it holds.

A Module owns no special storage: `variables`, `trainable_variables` and `submodules` are
found by walking the instance's attributes (sorted by attribute name) and the lists, tuples
and dicts inside them, as TensorFlow does. Keras layers subclass it.
"""

from __future__ import annotations

import re

from tapeflow._src.framework import context
from tapeflow._src.framework.variables import Variable

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z0-9]+)")
_CAMEL_2 = re.compile(r"([a-z])([A-Z])")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/]*$")


def camel_to_snake(name: str) -> str:
    """'MyDense2D' -> 'my_dense2d', the way TensorFlow and Keras derive default names."""
    s = _CAMEL_1.sub(r"\1_\2", name)
    return _CAMEL_2.sub(r"\1_\2", s).lower()


def _leaves(value, out, seen_containers):
    """Appends the leaves of nested lists/tuples/dicts in `value` to `out` (dicts by key)."""
    if isinstance(value, (list, tuple)):
        if id(value) in seen_containers:
            return
        seen_containers.add(id(value))
        for v in value:
            _leaves(v, out, seen_containers)
    elif isinstance(value, dict):
        if id(value) in seen_containers:
            return
        seen_containers.add(id(value))
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        for k in keys:
            _leaves(value[k], out, seen_containers)
    else:
        out.append(value)


class _ScopeCM:
    """Re-enterable context manager for a module's fixed name scope."""

    __slots__ = ("_name", "_saved")

    def __init__(self, name):
        self._name = name

    @property
    def name(self):
        return self._name

    def __enter__(self):
        # Module scopes are absolute, as with TensorFlow's captured scope names.
        self._saved = context.name_scope_stack[:]
        context.name_scope_stack[:] = [p for p in self._name.rstrip("/").split("/") if p]
        return self._name

    def __exit__(self, *exc):
        context.name_scope_stack[:] = self._saved
        return False


class Module:
    """Base class for objects that own variables and other modules.

    Args:
      name: the module's name; defaults to the class name in snake_case. It must be a
        valid Python identifier.

    >>> class Scale(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable(2.0)
    >>> [v.numpy() for v in Scale().trainable_variables]
    [np.float32(2.0)]
    """

    # Attributes never walked when collecting variables and submodules.
    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_self_unconditional_checkpoint_dependencies",
                                               "_self_unconditional_dependency_names"))

    def __init__(self, name=None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid "
                             f"Python identifiers (e.g. a valid class name).")
        self._name = name
        self._scope_name = context.current_name_scope() + name + "/"

    @property
    def name(self):
        """The module's name (without scopes)."""
        return self._name

    @property
    def name_scope(self):
        """A context manager that enters this module's name scope."""
        return _ScopeCM(self._scope_name)

    # -- attribute walking -----------------------------------------------------------------
    def _walk(self, predicate, recursive=True, _seen=None):
        """Yields matching leaves of this module, then of its submodules (depth first)."""
        if _seen is None:
            _seen = set()
        if id(self) in _seen:
            return
        _seen.add(id(self))
        ignored = self._TF_MODULE_IGNORED_PROPERTIES
        submodules = []
        d = vars(self)
        for key in sorted(d):
            if key in ignored or key.startswith("_k_"):  # _k_: Keras internals
                continue
            leaves = []
            _leaves(d[key], leaves, set())
            for leaf in leaves:
                if predicate(leaf):
                    yield leaf
                if recursive and isinstance(leaf, Module):
                    submodules.append(leaf)
        for m in submodules:
            yield from m._walk(predicate, recursive, _seen)

    @staticmethod
    def _dedup(items):
        seen, out = set(), []
        for x in items:
            if id(x) not in seen:
                seen.add(id(x))
                out.append(x)
        return out

    @property
    def variables(self):
        """All variables of this module and its submodules, as a tuple, without duplicates."""
        return tuple(self._dedup(self._walk(lambda x: isinstance(x, Variable))))

    @property
    def trainable_variables(self):
        """The trainable variables of this module and its submodules."""
        return tuple(self._dedup(self._walk(
            lambda x: isinstance(x, Variable) and x.trainable)))

    @property
    def non_trainable_variables(self):
        """The non-trainable variables of this module and its submodules."""
        return tuple(self._dedup(self._walk(
            lambda x: isinstance(x, Variable) and not x.trainable)))

    @property
    def submodules(self):
        """Every module reachable from this one's attributes (not including itself)."""
        return tuple(self._dedup(self._walk(lambda x: isinstance(x, Module))))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs `method` inside the module's name scope."""
        import functools

        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"

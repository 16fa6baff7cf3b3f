"""Module `__getattr__` hooks: TensorFlow names tapeflow lacks raise NotImplementedError."""

from __future__ import annotations

from tapeflow._src.util.tf_api_names import TF_NAMES


class NotImplementedAPI(NotImplementedError, AttributeError):
    """A TensorFlow API that tapeflow does not implement yet.

    It is an AttributeError too, so `hasattr(tf, name)` and `getattr(tf, name, default)`
    keep working for code that probes for features.
    """


def module_getattr(namespace: str, module_name: str):
    """A `__getattr__` for the public module `module_name` mirroring TF's `namespace`."""
    known = TF_NAMES.get(namespace, frozenset())

    def __getattr__(name):
        if name in known:
            raise NotImplementedAPI(f"{namespace}.{name} is not implemented in tapeflow yet.")
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'")
    return __getattr__

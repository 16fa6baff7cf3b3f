"""tf.keras.regularizers: penalties on weights, added to a layer's `losses`."""

from __future__ import annotations

import numpy as np

from tapeflow._src.ops import math_ops as M
from tapeflow._src.ops.reduction_ops import reduce_sum


class Regularizer:
    """Base class: `__call__(weight)` returns a scalar penalty tensor."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2)."""

    def __init__(self, l1=0.0, l2=0.0):
        # Kept as floatx (float32) values, as Keras keeps them: get_config shows
        # 0.0010000000474974513 for 0.001.
        self.l1 = float(np.float32(l1))
        self.l2 = float(np.float32(l2))

    def __call__(self, x):
        total = None
        if self.l1:
            total = reduce_sum(M.abs(x)) * self.l1
        if self.l2:
            t = reduce_sum(M.square(x)) * self.l2
            total = t if total is None else total + t
        if total is None:
            return M.cast(0.0, x.dtype)
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01, **kwargs):
        super().__init__(l1=kwargs.pop("l", l1))

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01, **kwargs):
        super().__init__(l2=kwargs.pop("l", l2))

    def get_config(self):
        return {"l2": self.l2}


l1, l2 = L1, L2


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811 - the function form has other defaults than L1L2
    """An L1L2 regularizer; unlike `L1L2()` (no penalty), both factors default to 0.01."""
    return L1L2(l1=l1, l2=l2)

_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "L1": L1, "L2": L2, "L1L2": L1L2}


def serialize(regularizer):
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    cls = (custom_objects or {}).get(config["class_name"]) or _BY_NAME[config["class_name"]]
    return cls.from_config(config["config"])


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown regularizer: '{identifier}'.")
        return _BY_NAME[identifier]()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")

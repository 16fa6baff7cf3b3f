"""The op table format: one row per op, checked for forward values against NumPy and for
gradients against finite differences (see tests/ops/test_op_table.py).

Family spec modules (tests/ops/specs_*.py) each define `SPECS`, a list of OpSpec rows.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass
class OpSpec:
    """One op under test.

    name: test id. fn: the tapeflow function. ref: NumPy reference computing the same thing
    from NumPy arrays (None when only gradients are checked). args: float64 arrays (or a
    callable rng -> list of arrays). kwargs: passed to both fn and ref. grad_order: how many
    derivatives to check (0: not differentiable). rtol/atol: forward tolerances.
    """

    name: str
    fn: Callable
    ref: Callable | None
    args: Any
    kwargs: dict = dataclasses.field(default_factory=dict)
    grad_order: int = 1
    rtol: float = 1e-6
    atol: float = 1e-8
    grad_args: list | None = None  # indices of args to differentiate (default: all floats)

    def arrays(self, seed=0):
        if callable(self.args):
            return [np.asarray(a) for a in self.args(np.random.default_rng(seed))]
        return [np.asarray(a) for a in self.args]


def floats(shape, low=-2.0, high=2.0):
    """A float64 argument drawn uniformly from [low, high) (deterministic per shape)."""
    rng = np.random.default_rng(abs(hash((shape, low, high))) % 2**32)
    return rng.uniform(low, high, size=shape)


def positive(shape, low=0.5, high=2.0):
    return floats(shape, low, high)

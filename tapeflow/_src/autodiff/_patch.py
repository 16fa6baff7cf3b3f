"""Swapping every primitive's NumPy forward for a wrapped one, and back (debug tools only).

`primitive` returns a specialised closure per op (registry.py) whose forward is held in a
closure cell. Debug modes (check-numerics, explain_gradients) replace that cell's contents
while they are on and restore it afterwards, so the op call path is untouched otherwise.
"""

from __future__ import annotations


def patch_forwards(make):
    """Replaces each registered primitive's forward by `make(primitive, forward)`.

    Returns the list of (cell, previous forward) to hand to `restore`.
    """
    from tapeflow._src.ops.registry import REGISTRY
    saved = []
    for p in REGISTRY.values():
        call = getattr(p, "call", None)
        if call is None or call.__closure__ is None:
            continue
        for name, cell in zip(call.__code__.co_freevars, call.__closure__):
            if name == "forward":
                old = cell.cell_contents
                cell.cell_contents = make(p, old)
                saved.append((cell, old))
                break
    return saved


def restore(saved):
    for cell, old in reversed(saved):
        cell.cell_contents = old

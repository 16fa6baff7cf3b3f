"""Runs every row of every op table (tests/ops/specs_*.py): forward values, dtypes and shapes
against NumPy, and gradients to the row's order against finite differences. A registry
test fails when a differentiable primitive is exercised by no row."""

import glob
import importlib
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._src.ops.registry import REGISTRY
from tests.helpers.gradcheck import check_gradients

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "specs_*.py")))
SPECS = []
for _m in MODULES:
    SPECS.extend(importlib.import_module(f"tests.ops.{_m}").SPECS)


def _ids(spec):
    return spec.name


@pytest.mark.parametrize("spec", [s for s in SPECS if s.ref is not None], ids=_ids)
def test_forward_matches_numpy(spec):
    args = spec.arrays()
    got = spec.fn(*[tf.constant(a) for a in args], **spec.kwargs)
    want = spec.ref(*args, **spec.kwargs)
    for g, w in zip(got if isinstance(got, (list, tuple)) else [got],
                    want if isinstance(want, (list, tuple)) else [want]):
        w = np.asarray(w)
        assert g.shape == w.shape
        assert g.dtype == tf.as_dtype(w.dtype) or w.dtype == np.float64
        np.testing.assert_allclose(g.numpy(), w, rtol=spec.rtol, atol=spec.atol)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.grad_order >= 1], ids=_ids)
def test_gradient_matches_finite_differences(spec):
    args = spec.arrays()
    if spec.grad_args is None:
        check_gradients(lambda *xs: spec.fn(*xs, **spec.kwargs), args, order=spec.grad_order)
        return
    fixed = {i: tf.constant(a) for i, a in enumerate(args) if i not in spec.grad_args}
    diff = [args[i] for i in spec.grad_args]

    def f(*xs):
        it = iter(xs)
        full = [fixed[i] if i in fixed else next(it) for i in range(len(args))]
        return spec.fn(*full, **spec.kwargs)
    check_gradients(f, diff, order=spec.grad_order)


def _recorded_types(spec):
    """Op types whose gradients this row checks.

    The forward's ops always count. For rows checked to second order, the ops run by the
    first backward pass count too (recorded by an outer tape watching the inputs and the
    cotangents): the second-order check differentiates exactly those ops, so e.g.
    StridedSliceGrad is covered by the row of the slice that produces it.
    """
    args = spec.arrays()
    xs = [tf.constant(np.asarray(a)) for a in args]
    idx = spec.grad_args if spec.grad_args is not None else range(len(xs))
    diff = [xs[i] for i in idx if xs[i].dtype.is_floating]
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(diff)
        with tf.GradientTape() as inner:
            inner.watch(diff)
            ys = spec.fn(*xs, **spec.kwargs)
        if spec.grad_order >= 2:
            flat = [y for y in (ys if isinstance(ys, (list, tuple)) else [ys])
                    if y.dtype.is_floating]
            if flat:
                # The second-order check differentiates with respect to the cotangents
                # too (tests/helpers/gradcheck.py), so they are watched here as well.
                us = [tf.ones_like(y) for y in flat]
                outer.watch(us)
                inner.gradient(flat, diff, output_gradients=us)
    return {r.type for r in outer._records}


def test_every_differentiable_primitive_has_a_gradient_row():
    covered = set()
    for spec in SPECS:
        if spec.grad_order >= 1:
            covered |= _recorded_types(spec)
    missing = sorted(name for name, p in REGISTRY.items()
                     if p.differentiable and name not in covered)
    if os.environ.get("TAPEFLOW_STRICT_COVERAGE", "1") == "1":
        assert not missing, f"differentiable primitives with no gradient row: {missing}"


def test_second_order_rows_count_primitives_of_the_gradient():
    from tests.helpers.op_specs import OpSpec, floats
    row = OpSpec("slice", lambda x: x[1:, ::2], None, [floats((3, 4))], grad_order=2)
    assert {"StridedSlice", "StridedSliceGrad"} <= _recorded_types(row)
    row.grad_order = 1
    assert "StridedSliceGrad" not in _recorded_types(row)

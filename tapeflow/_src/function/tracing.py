"""Tracing by execution: recording one run of a Python function as a replayable program.

While a `Tracer` is active (`context.tracer`, also present in `context.tapes` so that the
ops' single `if tapes:` check covers it), the function runs eagerly on the real arguments
and the tracer records every primitive call, every value computed from tensor data outside
a primitive (`record.derived`/`record.source`: random draws, index arrays), every variable
read and assignment, every `tf.print`, and a *guard* for every place where Python looked
at a traced tensor's data (`bool(t)`, `int(t)`, `float(t)`, `np.asarray(t)`,
`t.numpy()`). Tensors that were not produced inside the trace are captured as constants
(tensors are immutable, so that is sound).

A `Program` replays the record. The fast path runs the recorded NumPy forwards on arrays in
order, with no conversion, dtype dispatch or tape checks. When a tape is recording, the
slow path replays through the real primitives (so tapes record the ops, and gradients and
higher-order gradients flow through the call). A guard that sees a different value raises
`GuardFailed`; the variable assignments done so far in that replay are undone first, so the
caller can trace again for the new path.
"""

from __future__ import annotations

import itertools
import keyword
import os
import re
import sys
import threading
import weakref

import numpy as np

from tapeflow._src.framework import context
from tapeflow._src.framework.errors import OpError
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable, _UnreadVariable

_new = object.__new__
_get_ident = threading.get_ident
_refcount = sys.getrefcount
_ndarray = np.ndarray

OP, OPM, FN, READ, ASSIGN, GUARD, EFFECT, CUSTOM, JIT = range(9)
# JIT: a fused group of steps (jit.py), only in the fast replay of jit_compile functions

_VARIABLE_CREATION_ERROR = (
    "tf.function only supports singleton tf.Variables created on the first call. Make sure "
    "the tf.Variable is only created once or created outside tf.function. See "
    "https://www.tensorflow.org/guide/function#creating_tfvariables for more information.")


# Tensors computed inside a finished trace that were not among its results (they escaped
# through Python state). TF calls them out of scope; capturing one as a constant of a later
# trace would silently freeze a value that belongs to another trace. id -> (weakref, name).
_out_of_scope: dict = {}


def retire(tracer, name, keep_ids=()):
    """Marks the trace's intermediate tensors (not inputs, not `keep_ids`) out of scope."""
    for t, c, inp in zip(tracer.keep, tracer.is_const, tracer.is_input):
        if c or inp or id(t) in keep_ids:
            continue
        k = id(t)
        _out_of_scope[k] = (weakref.ref(t, lambda _, k=k: _out_of_scope.pop(k, None)), name)


# ---------------------------------------------------------------------------------------
# Where an op came from: graph errors point at the user's source lines, as TF's do.
# ---------------------------------------------------------------------------------------

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_MAX_FRAMES = 24
_function_ids = itertools.count(1)


def _is_user_file(filename):
    return not filename.startswith(_PACKAGE_DIR)


def user_frames(frame):
    """(filename, line, function) of the frames from `frame` outwards that are not
    tapeflow's own, outermost first (at most the innermost `_MAX_FRAMES`)."""
    out = []
    while frame is not None and len(out) < _MAX_FRAMES:
        code = frame.f_code
        if _is_user_file(code.co_filename):
            out.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    out.reverse()
    return tuple(out)


def traceback_frames(tb):
    """User frames of a traceback, outermost first, after the frames calling the trace."""
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_user_file(code.co_filename):
            out.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return tuple(out)


_OP_SUFFIX = re.compile(r"\s*\[Op:([^\]]*)\](?: name: [^\n]*)?\s*$")


# TF names a node after the Python call that made it: `a + b` gives "add", tf.add "Add",
# `a / b` and tf.divide "truediv"; otherwise (almost always) the op type.
_OPERATOR_NODES = {"_add": "add", "_radd": "add", "_sub": "sub", "_rsub": "sub",
                   "_mul": "mul", "_rmul": "mul", "_truediv": "truediv",
                   "_rtruediv": "truediv", "_floordiv": "floordiv", "_rfloordiv": "floordiv",
                   "_mod": "mod", "_rmod": "mod", "_pow": "pow", "_rpow": "pow",
                   "_matmul": "matmul", "_rmatmul": "matmul", "_and": "and", "_rand": "and",
                   "_or": "or", "_ror": "or", "_xor": "xor", "_rxor": "xor"}
_API_NODES = {("math_ops", "truediv"): "truediv", ("math_ops", "divide"): "truediv",
              ("math_ops", "add"): "Add"}


def _node_base(op_type, frame, depth=4):
    """The node name TF would give the op called from `frame` (see _OPERATOR_NODES)."""
    api = None
    for _ in range(depth):
        if frame is None:
            break
        code = frame.f_code
        module = os.path.basename(code.co_filename)[:-3]
        if module == "operators":  # an operator, whatever API function it went through
            return _OPERATOR_NODES.get(code.co_name, op_type)
        if api is None:
            api = _API_NODES.get((module, code.co_name))
        frame = frame.f_back
    return api or op_type


def _shape_text(shape):
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def graph_error(error, op_type, node, frames, function_name, tracer=None):
    """`error` (an OpError from an op inside a tf.function) re-raised as TF reports a
    failure inside a graph: the node, the user's frames that created it, the kernel's
    message, and the function. Without `node`, the node is the name `tracer` would give
    the op next: its type in the name scope the error left (`_tf_name_scope`, set by
    tf.name_scope), made unique (TF's "block/GatherV2_1")."""
    message = error.message
    m = _OP_SUFFIX.search(message)
    if m is not None:
        message = message[:m.start()]
        op_type = op_type or m.group(1)
    if node is None and op_type:
        base = getattr(error, "_tf_name_scope", "") + op_type
        node = tracer.unique_name(base, take=False) if tracer is not None else base
    node = node or "unknown"
    lines = ["Graph execution error:", "",
             f"Detected at node {node} defined at (most recent call last):"]
    for filename, line, name in frames:
        lines.append(f'  File "{filename}", line {line}, in {name}')
        lines.append("")
    lines.append(f"{message}\n\t [[{{{{node {node}}}}}]] "
                 f"[Op:__inference_{function_name}_{next(_function_ids)}]")
    new = type(error)(None, None, "\n".join(lines))
    new.graph_origin = frames
    return new


class GuardFailed(Exception):
    """A replay saw a tensor value different from the one the trace's Python code saw."""


def _check(kind, arr):
    """The Python-visible value of `arr` that a guard of `kind` compares."""
    if kind == "bool":
        return bool(arr)
    if kind == "int":
        return int(arr)
    if kind == "float":
        return float(arr)
    if kind == "complex":
        return complex(arr)
    if kind == "shape":
        return np.shape(arr)
    return np.array(arr, copy=True)  # "array"


def _same(kind, observed, now):
    if kind == "array":
        return (observed.dtype == now.dtype and observed.shape == now.shape
                and np.array_equal(observed, now, equal_nan=observed.dtype.kind in "fc"))
    if kind == "float" and observed != observed:
        return now != now
    return observed == now


class Tracer:
    """Records one eager run of a function (see the module docstring)."""

    # Seen by the tape machinery as a tape that never records (it iterates context.tapes).
    _recording = False
    _watched = frozenset()

    def __init__(self, allow_variables=True, guard_shapes=False):
        # Only the tracing thread is recorded (tf.data threads may run ops meanwhile).
        self.thread = threading.get_ident()
        self.slot = {}         # id(tensor) -> slot index
        self.keep = []         # the tensors of every slot (keeps ids valid; constants' values)
        self.is_const = []
        self.unreplayable = False  # set when the function pulled data from Python iterators
        self.is_input = []
        self.steps = []
        self.allow_variables = allow_variables
        self.guard_shapes = guard_shapes
        self.new_variables = []
        self.pending = []      # tf.print calls to run once the trace is kept
        self.assigned = []     # (variable, value before the trace's first assignment)
        self._assigned_ids = set()
        # First output slot of each op -> (the user's frames that created it, its name
        # scope, its node name), for error reports.
        self.origin = {}
        # Graph names, as TF gives them: slot -> (node name, output index), and how often
        # each name (case-insensitively, as TF's unique_name) was taken; input slot -> the
        # shape its signature gives (None dims; None for an unknown rank).
        self.names = {}
        self._taken = {}
        self.input_shapes = {}

    # -- slots ----------------------------------------------------------------------------
    def _new_slot(self, t, const):
        i = len(self.keep)
        self.keep.append(t)
        self.is_const.append(const)
        self.is_input.append(False)
        self.slot[id(t)] = i
        return i

    def _in(self, t):
        i = self.slot.get(id(t))
        if i is None:
            stale = _out_of_scope.get(id(t))
            if stale is not None and stale[0]() is t:
                raise TypeError(f"The tensor {t!r} cannot be accessed from here, because it "
                                f"was defined in FuncGraph(name={stale[1]}, "
                                f"id={id(stale[0]):d}), which is out of scope.")
            i = self._new_slot(t, True)
        return i

    def input(self, t, name=None, shape=()):
        i = self._new_slot(t, False)
        self.is_input[i] = True
        if name is not None:
            self.names[i] = (self.unique_name(name), 0)
        if shape != ():
            self.input_shapes[i] = shape
        return i

    def unique_name(self, base, take=True):
        """`base`, or `base_N` if taken before (TF's case-insensitive uniquifying)."""
        key = base.lower()
        n = self._taken.get(key, 0)
        if take:
            self._taken[key] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def symbolic(self, t, as_repr):
        """How TF prints `t` while tracing (a graph tensor), or None for a constant."""
        i = self.slot.get(id(t))
        if i is None or self.is_const[i] or i not in self.names:
            return None
        node, index = self.names[i]
        shape = self.input_shapes.get(i, t._value.shape) if self.is_input[i] else (
            t._value.shape)
        dtype = t.dtype.name
        if as_repr:
            return (f"<tf.Tensor '{node}:{index}' "
                    + ("" if shape is None else f"shape={_shape_text(shape)} ")
                    + f"dtype={dtype}>")
        return (f'Tensor("{node}:{index}", '
                + ("" if shape is None else f"shape={_shape_text(shape)}, ")
                + f"dtype={dtype})")

    def constant_slot(self, t):
        return self._in(t)

    # -- hooks called by ops, variables and Tensor methods ---------------------------------
    def op(self, p, inputs, outputs, attrs):
        if _get_ident() != self.thread:
            return
        ins = tuple([self._in(t) for t in inputs])
        outs = tuple([self._new_slot(o, False) for o in outputs])
        self.steps.append((OPM if p.multi_output else OP, p, attrs, ins, outs))
        if outs:
            stack = context.name_scope_stack
            scope = "/".join(stack) + "/" if stack else ""
            caller = sys._getframe(1)
            node = self.unique_name(scope + _node_base(p.name, caller))
            self.origin[outs[0]] = (user_frames(caller), scope, node)
            for k, o in enumerate(outs):
                self.names[o] = (node, k)

    def derived(self, fn, inputs, out):
        if _get_ident() != self.thread:
            return
        ins = tuple([self._in(t) for t in inputs])
        self.steps.append((FN, fn, None, ins, (self._new_slot(out, False),)))

    def effect(self, fn, inputs):
        if _get_ident() != self.thread:
            return
        ins = tuple([self._in(t) for t in inputs])
        self.steps.append((EFFECT, fn, None, ins, ()))

    def read(self, variable, tensor):
        if _get_ident() != self.thread:
            return
        while isinstance(variable, _UnreadVariable):  # what assign* returned: the variable
            variable = variable._parent
        o = self._new_slot(tensor, False)
        self.steps.append((READ, variable, None, (), (o,)))
        stack = context.name_scope_stack
        self.names[o] = (self.unique_name(("/".join(stack) + "/" if stack else "")
                                          + "ReadVariableOp"), 0)

    def assign(self, variable, kind, value):
        if _get_ident() != self.thread:
            return
        # Steps name the variable itself, never the object `assign*` returned: passes that
        # track reads and assignments by identity (optimize.py, jit.py) must see one object.
        while isinstance(variable, _UnreadVariable):
            variable = variable._parent
        from tapeflow._src.framework.convert import convert_to_tensor
        t = convert_to_tensor(value, dtype=variable.dtype)
        if id(variable) not in self._assigned_ids:
            self._assigned_ids.add(id(variable))
            self.assigned.append((variable, variable._value))
        self.steps.append((ASSIGN, variable, kind, (self._in(t),), ()))

    def custom_gradient(self, call, args, start, inner_outputs, outputs):
        """A @tf.custom_gradient function ran: its own ops are steps[start:]; `outputs` are
        fresh tensors equal to `inner_outputs`. Fast replays run those steps; replays under
        a tape call `call(*args)` again instead, so the tape records the custom gradient."""
        if _get_ident() != self.thread:
            return
        from tapeflow._src.util import nest
        flat = nest.flatten(args)
        leaf_slots = [self._in(x) if isinstance(x, Tensor) else None for x in flat]
        for i_out, o in zip(inner_outputs, outputs):
            self.derived(_same_array, (i_out,), o)
        out_slots = tuple(self.slot[id(o)] for o in outputs)
        skip = len(self.steps) - start
        self.steps.insert(start, (CUSTOM, call, (args, flat, leaf_slots, skip), (), out_slots))

    def created(self, variable):
        if not self.allow_variables:
            raise ValueError(_VARIABLE_CREATION_ERROR)
        self.new_variables.append(variable)

    def guard(self, t, kind, observed):
        if _get_ident() != self.thread:
            return
        i = self.slot.get(id(t))
        if i is None or self.is_const[i]:
            return
        if kind == "array":
            observed = np.array(observed, copy=True)
        self.steps.append((GUARD, kind, observed, (i,), ()))


# ---------------------------------------------------------------------------------------
# Guards: Tensor methods that expose data to Python are swapped in only while tracing,
# so eager code pays nothing for them.
# ---------------------------------------------------------------------------------------

_T_NAMES = ("__bool__", "__int__", "__float__", "__complex__", "__index__", "__array__",
            "numpy", "shape", "get_shape", "__len__", "_shape_tuple", "__str__", "__repr__",
            "__format__")
_V_NAMES = ("__bool__", "__int__", "__float__", "numpy", "__array__")
_T_ORIG: dict = {}
_V_ORIG: dict = {}
_T_PATCH: dict = {}
_V_PATCH: dict = {}


def _guarding(name, kind):
    orig = _T_ORIG[name]

    def method(self, *args, **kwargs):
        r = orig(self, *args, **kwargs)
        tr = context.tracer
        if tr is not None:
            tr.guard(self, kind, self._value if kind == "array" else r)
        return r
    method.__name__ = name
    return method


def _shape_guarding(name):
    orig = _T_ORIG[name]
    get = orig.fget if isinstance(orig, property) else orig

    def method(self, *args):
        tr = context.tracer
        if tr is not None and tr.guard_shapes:
            tr.guard(self, "shape", self._value.shape)
        return get(self, *args)
    return property(method) if isinstance(orig, property) else method


def _symbolic_text(name):
    """print() / repr() of a traced tensor: a graph tensor, as TF prints it while tracing."""
    orig = _T_ORIG[name]
    as_repr = name == "__repr__"

    def method(self, *spec):
        tr = context.tracer
        if tr is not None and _get_ident() == tr.thread and not any(spec):
            text = tr.symbolic(self, as_repr)  # (format() with a spec formats the value)
            if text is not None:
                return text
        return orig(self, *spec)
    method.__name__ = name
    return method


def _via_read(name):
    def method(self, *args, **kwargs):
        return getattr(self._read(), name)(*args, **kwargs)
    method.__name__ = name
    return method


def _build_patches():
    """The guarding versions of the current Tensor/Variable methods (built on first use,
    so that anything attached to Tensor after import is what gets wrapped and restored)."""
    cur = {k: Tensor.__dict__[k] for k in _T_NAMES}
    if cur == _T_ORIG and _T_PATCH:
        return
    _T_ORIG.clear()
    _T_ORIG.update(cur)
    _V_ORIG.clear()
    _V_ORIG.update({k: Variable.__dict__[k] for k in _V_NAMES})
    _T_PATCH.clear()
    _T_PATCH.update({
        "__bool__": _guarding("__bool__", "bool"),
        "__int__": _guarding("__int__", "int"),
        "__float__": _guarding("__float__", "float"),
        "__complex__": _guarding("__complex__", "complex"),
        "__index__": _guarding("__index__", "int"),
        "__array__": _guarding("__array__", "array"),
        "numpy": _guarding("numpy", "array"),
        "shape": _shape_guarding("shape"),
        "get_shape": _shape_guarding("get_shape"),
        "__len__": _shape_guarding("__len__"),
        "_shape_tuple": _shape_guarding("_shape_tuple"),
        "__str__": _symbolic_text("__str__"),
        "__repr__": _symbolic_text("__repr__"),
        "__format__": _symbolic_text("__format__"),
    })
    _V_PATCH.clear()
    _V_PATCH.update({k: _via_read(k) for k in _V_ORIG})


def activate(tracer):
    """Makes `tracer` the active tracer; returns the state `deactivate` restores."""
    saved = (context.tracer, context.tapes[:])
    if context.tracer is None:
        _build_patches()
        for k, v in _T_PATCH.items():
            setattr(Tensor, k, v)
        for k, v in _V_PATCH.items():
            setattr(Variable, k, v)
    context.tracer = tracer
    context.tapes[:] = [t for t in context.tapes if t is not saved[0]] + [tracer]
    return saved


def deactivate(saved):
    prev, tapes = saved
    context.tracer = prev
    context.tapes[:] = [t for t in context.tapes if not isinstance(t, Tracer)]
    if prev is not None:
        context.tapes.append(prev)
    else:
        for k, v in _T_ORIG.items():
            setattr(Tensor, k, v)
        for k, v in _V_ORIG.items():
            setattr(Variable, k, v)


def suspend():
    """Pauses the active tracer (tf.init_scope); returns what `resume` needs."""
    saved = (context.tracer, context.tapes[:])
    deactivate((None, None))
    return saved


def resume(saved):
    tracer, tapes = saved
    if tracer is not None:
        activate(tracer)


# ---------------------------------------------------------------------------------------
# Replay
# ---------------------------------------------------------------------------------------

def _same_array(a):
    return a


def _assign_array(var, kind, arr):
    old = var._value
    if kind == "assign":
        new = np.asarray(arr)
    else:
        if arr.shape != old.shape and var._shape.is_fully_defined():
            arr = np.broadcast_to(arr, old.shape)
        f = np.add if kind == "assign_add" else np.subtract
        new = f(old, arr, dtype=old.dtype)
    var._value = new
    return old


def _fast_step(step):
    """A closure `run(vals, undo)` executing one recorded step on arrays."""
    kind, a, attrs, ins, outs = step
    if kind == OP:
        fwd, (o,) = a.forward, outs
        if attrs:
            if len(ins) == 1:
                (i,) = ins

                def run(v, undo):
                    v[o] = fwd(v[i], **attrs)
            else:
                def run(v, undo):
                    v[o] = fwd(*[v[j] for j in ins], **attrs)
        elif len(ins) == 1:
            (i,) = ins

            def run(v, undo):
                v[o] = fwd(v[i])
        elif len(ins) == 2:
            i, j = ins

            def run(v, undo):
                v[o] = fwd(v[i], v[j])
        else:
            def run(v, undo):
                v[o] = fwd(*[v[j] for j in ins])
        return run
    if kind == OPM:
        fwd = a.forward

        def run(v, undo):
            for o, r in zip(outs, fwd(*[v[j] for j in ins], **attrs)):
                v[o] = r
        return run
    if kind == FN:
        (o,) = outs

        def run(v, undo):
            v[o] = a(*[v[j] for j in ins])
        return run
    if kind == READ:
        (o,) = outs

        def run(v, undo):
            v[o] = a._value
        return run
    if kind == ASSIGN:
        (i,) = ins

        def run(v, undo):
            undo.append((a, _assign_array(a, attrs, v[i])))
        return run
    if kind == GUARD:
        (i,) = ins

        def run(v, undo):
            if not _same(a, attrs, _check(a, v[i])):
                raise GuardFailed
        return run

    if kind == CUSTOM:
        return None  # fast replays run the function's recorded steps that follow

    def run(v, undo):  # EFFECT
        a(*[v[j] for j in ins])
    return run


def _assign_into(var, kind, v, i):
    """`_assign_array` for an assign_add/assign_sub whose value slot `v[i]` dies here.

    When nothing but the slot holds the array (refcount 2: this local and getrefcount's
    argument) and it owns its memory, the result is written into it instead of into a new
    array: nobody can observe the write, and the values are the same.
    """
    arr = v[i]
    v[i] = None
    old = var._value
    if (type(arr) is _ndarray and type(old) is _ndarray and arr.base is None
            and _refcount(arr) == 2 and arr.dtype == old.dtype and arr.shape == old.shape
            and arr.flags.writeable):
        var._value = (np.add if kind == "assign_add" else np.subtract)(old, arr, out=arr)
        return old
    return _assign_array(var, kind, arr)


# -- writing an elementwise op's result into an input that dies there --------------------
# A fast replay keeps computed values in locals of the generated function. When an
# elementwise op reads a computed value for the last time, its result can be written into
# that array instead of a new one (`np.add(a, b, out=a)`): the same values, one allocation
# less and warmer caches. Sound only when nothing else can see the array: it owns its
# memory (no view of another array), is writeable, and its reference count shows only the
# generated function's local and the helper's argument (a view of it, a Tensor, a variable
# or the constants list would each add one). Shapes and dtypes are checked at compile time
# from the trace (fixed-shape programs only).

def _relu_into(x):
    return np.maximum(x, x.dtype.type(0), out=x)


_INPLACE_BINARY = {"AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
                   "RealDiv": np.true_divide}


# Only correctly rounded operations: NumPy runs a different loop when the output is an
# input (its SIMD transcendentals, and complex multiply, fall back to scalar code), which
# for exp/log/tanh/... or complex numbers can change the last bit; replays must give
# eager's bits.
_EXACT_UNARY = frozenset({"Neg", "Square", "Sqrt", "Reciprocal", "Floor", "Ceil", "Rint",
                          "Sign"})


def _inplace_unary(p):
    if p.name == "Relu":
        return _relu_into
    f = p.forward
    if p.name in _EXACT_UNARY and isinstance(f, np.ufunc) and f.nin == 1 and f.nout == 1:
        return lambda x: f(x, out=x)
    return None


def _into_first(fwd, uf, a, b):
    if type(a) is _ndarray and _refcount(a) == _FREE_REFS and a.base is None and (
            a.flags.writeable):
        return uf(a, b, out=a)
    return fwd(a, b)


def _into_second(fwd, uf, a, b):
    if type(b) is _ndarray and _refcount(b) == _FREE_REFS and b.base is None and (
            b.flags.writeable):
        return uf(a, b, out=b)
    return fwd(a, b)


def _into_only(fwd, into, a):
    if type(a) is _ndarray and _refcount(a) == _FREE_REFS and a.base is None and (
            a.flags.writeable):
        return into(a)
    return fwd(a)


def _count_free_refs():
    """The reference count `_into_*` sees for an array held only by one local of a
    generated function (3 on CPython 3.11: the local, the argument, getrefcount's own);
    None disables in-place writes if the interpreter counts differently than expected."""
    ns = {"_np": np}
    ns["helper"] = lambda a: _refcount(a)
    exec("def probe():\n    x1 = _np.empty(2)\n    return helper(x1)\n", ns)
    free = ns["probe"]()
    held = []
    ns["helper2"] = lambda a: (held.append(a), _refcount(a))[1]
    exec("def probe2():\n    x1 = _np.empty(2)\n    return helper2(x1)\n", ns)
    return free if ns["probe2"]() == free + 1 else None


_FREE_REFS = _count_free_refs()


_CODEGEN_MAX_STEPS = 4000


def _compile_fast(steps, out_slots, values=None):
    """One generated function `replay(v, undo)` running the fast steps in order.

    It does what calling every `_fast_step` closure in turn does, without a Python call per
    step: values computed by the steps live in locals (`x<slot>`), the other slots (inputs,
    constants) are read from `v`, and the computed slots among `out_slots` are stored back
    into `v` at the end. Returns None when the program is too long to compile usefully.
    `values` (slot -> the array it held when traced), given for fixed-shape programs,
    enables writing elementwise results into inputs that die there (see `_into_first`).
    """
    if len(steps) > _CODEGEN_MAX_STEPS:
        return None
    # __name__: warnings raised by kernels called from the replay name this module.
    ns = {"__name__": __name__, "_assign_array": _assign_array, "_same": _same,
          "_check": _check, "GuardFailed": GuardFailed, "_assign_into": _assign_into,
          "_into_first": _into_first, "_into_second": _into_second,
          "_into_only": _into_only}
    if _FREE_REFS is None:
        values = None
    last_read = {}
    for k, step in enumerate(steps):
        for j in step[3]:
            last_read[j] = k
    lines = ["def replay(v, undo):"]
    defined = set()
    # Slots that an assign_add/assign_sub reads last (no later step, not a result): they
    # are kept in `v` rather than in a local, so `_assign_into` can take the only reference.
    into_steps, read_later = set(), set(out_slots)
    for k in range(len(steps) - 1, -1, -1):
        kind, _, attrs, ins, _ = steps[k]
        if kind == ASSIGN and attrs in ("assign_add", "assign_sub") and (
                ins[0] not in read_later):
            into_steps.add(k)
        if kind != CUSTOM:
            read_later.update(ins)
    into = {steps[k][3][0] for k in into_steps}

    def ref(j):
        return f"x{j}" if j in defined and j not in into else f"v[{j}]"

    out_set = set(out_slots)

    def local(j):
        return j in defined and j not in into and j not in out_set

    for k, (kind, a, attrs, ins, outs) in enumerate(steps):
        if k:
            # Locals the previous step read for the last time (or made and nobody reads)
            # are released now, as eager execution would: the allocator can then hand
            # their memory to the next result while it is still in cache.
            _, _, _, pins, pouts = steps[k - 1]
            dead = sorted({j for j in pins if last_read.get(j) == k - 1 and local(j)}
                          | {o for o in pouts if o not in last_read and local(o)})
            if dead:
                lines.append("    del " + ", ".join(f"x{j}" for j in dead))
        args = ", ".join(ref(j) for j in ins)
        if kind in (OP, OPM):
            ns[f"f{k}"] = a.forward
            kw = []
            for m, (name, val) in enumerate(attrs.items()):
                if not name.isidentifier() or keyword.iskeyword(name):
                    return None
                ns[f"a{k}_{m}"] = val
                kw.append(f"{name}=a{k}_{m}")
            call = f"f{k}({', '.join([args] + kw if args else kw)})"
            if values is not None and kind == OP and not attrs:
                call = _inplace_call(k, a, ins, outs, call, ns, values, last_read,
                                     out_set | into, defined, ref) or call
        elif kind in (FN, EFFECT):
            ns[f"f{k}"] = a
            call = f"f{k}({args})"
        elif kind == READ:
            ns[f"r{k}"] = a
            call = f"r{k}._value"
        elif kind == ASSIGN:
            ns[f"r{k}"], ns[f"a{k}"] = a, attrs
            if k in into_steps and ins[0] in defined:
                lines.append(f"    undo.append((r{k}, _assign_into(r{k}, a{k}, v, {ins[0]})))")
            else:
                lines.append(f"    undo.append((r{k}, _assign_array(r{k}, a{k}, {args})))")
            continue
        elif kind == GUARD:
            ns[f"r{k}"], ns[f"a{k}"] = a, attrs
            lines.append(f"    if not _same(r{k}, a{k}, _check(r{k}, {args})):")
            lines.append("        raise GuardFailed")
            continue
        elif kind == CUSTOM:
            continue  # fast replays run the function's recorded steps that follow
        elif kind == JIT:
            ns[f"f{k}"] = a.call
            targets = "".join(f"v[{o}], " if o in into else f"x{o}, " for o in outs)
            lines.append(f"    {targets or '_'} = f{k}({', '.join(['undo'] + [ref(j) for j in ins])})")
            defined.update(outs)
            continue
        else:
            return None
        if kind == EFFECT:
            lines.append(f"    {call}")
            continue
        if kind == OPM:
            # A result count other than len(outs) raises here: the caller then replays
            # through the primitives (the reference behaviour).
            targets = "".join(f"v[{o}], " if o in into else f"x{o}, " for o in outs)
            lines.append(f"    {targets} = {call}")
        else:
            o = outs[0]
            lines.append(f"    {'v[%d]' % o if o in into else 'x%d' % o} = {call}")
        defined.update(outs)
    for o in sorted((set(out_slots) & defined) - into):
        lines.append(f"    v[{o}] = x{o}")
    lines.append("    return None")
    source = "\n".join(lines)
    try:
        exec(compile(source, "<tapeflow replay>", "exec"), ns)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    ns["replay"].source = source  # for tests and for reading what a replay runs
    return ns["replay"]


def _inplace_call(k, p, ins, outs, call, ns, values, last_read, kept, defined, ref):
    """The call writing step k's result into an input that dies at k, or None."""
    def dies(j):
        v = values[j] if j < len(values) else None
        return (j in defined and j not in kept and last_read.get(j) == k
                and type(v) is _ndarray and v.dtype.kind in "biuf")
    out = values[outs[0]] if outs[0] < len(values) else None
    if type(out) is not _ndarray:
        return None
    same = [dies(j) and values[j].shape == out.shape and values[j].dtype == out.dtype
            for j in ins]
    if len(ins) == 2 and p.name in _INPLACE_BINARY and ins[0] != ins[1]:
        ns[f"u{k}"] = _INPLACE_BINARY[p.name]
        if same[0]:
            return f"_into_first(f{k}, u{k}, {ref(ins[0])}, {ref(ins[1])})"
        if same[1]:
            return f"_into_second(f{k}, u{k}, {ref(ins[0])}, {ref(ins[1])})"
        return None
    if len(ins) == 1 and same[0]:
        into = _inplace_unary(p)
        if into is not None:
            ns[f"u{k}"] = into
            return f"_into_only(f{k}, u{k}, {ref(ins[0])})"
    return None


class Program:
    """A finished trace: input slots, steps, and the output structure."""

    def __init__(self, tracer, input_slots, out_structure, out_flat, name="function",
                 jit_compile=False):
        self.n = len(tracer.keep)
        self.steps = tracer.steps
        self.origin = tracer.origin
        self.name = name
        self.input_slots = input_slots
        # Positions that shared one input slot when traced (one tensor passed twice): the
        # program holds only for calls passing one tensor there too.
        first, aliases = {}, []
        for p, i in enumerate(input_slots):
            q = first.setdefault(i, p)
            if q != p:
                aliases.append((q, p))
        self.aliases = tuple(aliases)
        self.out_structure = out_structure
        # out_flat: per output leaf, ("slot", i) or ("py", value)
        self.out_flat = out_flat
        # A lone tensor result skips nest packing.
        self.single = (out_flat[0][1] if len(out_flat) == 1 and out_flat[0][0] == "slot"
                       and isinstance(out_structure, Tensor) else None)
        # A flat dict of leaves (a Keras train step's logs) is packed without `nest`:
        # (key, slot or None, Python value) in the order `nest.pack_sequence_as` gives.
        self.flat_dict = None
        if type(out_structure) is dict:
            from tapeflow._src.util import nest
            template = nest.pack_sequence_as(out_structure, list(range(len(out_flat))))
            if all(type(i) is int for i in template.values()):
                self.flat_dict = tuple(
                    (k, x, None) if kind == "slot" else (k, None, x)
                    for k, (kind, x) in ((k, out_flat[i]) for k, i in template.items()))
        init = [None] * self.n
        for i, (t, c) in enumerate(zip(tracer.keep, tracer.is_const)):
            if c:
                init[i] = t
        self.const_tensors = init
        # Fast replays run a simplified copy of the steps (folded constants, shared
        # subexpressions, no dead code: see optimize.py); replays through the primitives
        # run the steps as traced.
        from tapeflow._src.function.optimize import optimize
        out_slots = [x for kind, x in out_flat if kind == "slot"]
        fast_steps, self.init_arrays, self.optimizations = optimize(
            self.steps, [None if t is None else t._value for t in init], out_slots)
        self.fast_steps = fast_steps
        self.fast = [f for f in map(_fast_step, fast_steps) if f is not None]
        values = (None if tracer.guard_shapes else
                  [t._value if isinstance(t, Tensor) else None for t in tracer.keep])
        self.replay = None
        self.jit_steps = None
        if jit_compile and values is not None:
            # jit_compile=True: fused numba kernels where they apply (see jit.py).
            from tapeflow._src.function import jit
            self.jit_steps = jit.fuse(fast_steps, self.init_arrays, values, out_slots)
            if self.jit_steps is not None:
                self.replay = _compile_fast(self.jit_steps, out_slots, values)
        if self.replay is None:
            self.replay = _compile_fast(fast_steps, out_slots, values)
        seen = {}
        for s in self.steps:
            if s[0] in (READ, ASSIGN):
                seen.setdefault(id(s[1]), s[1])
        self.variables = tuple(seen.values())

    def _pack(self, vals, as_tensor):
        if self.flat_dict is not None:
            if as_tensor:
                return {k: x if i is None else _wrap(vals[i]) for k, i, x in self.flat_dict}
            return {k: x if i is None else vals[i] for k, i, x in self.flat_dict}
        from tapeflow._src.util import nest
        flat = []
        for kind, x in self.out_flat:
            if kind == "slot":
                x = vals[x]
                flat.append(_wrap(x) if as_tensor else x)
            else:
                flat.append(x)
        return nest.pack_sequence_as(self.out_structure, flat)

    def run(self, tensors):
        """Replays on the input tensors; raises GuardFailed (state rolled back) on a miss."""
        if context.tapes:
            # Tapes, forward accumulators or variable watchers must see every op and read.
            return self.run_slow(tensors)
        if self.aliases:
            self._check_aliases(tensors)
        v = self.init_arrays[:]
        for i, t in zip(self.input_slots, tensors):
            v[i] = t._value
        undo = []
        try:
            if self.replay is not None:
                self.replay(v, undo)
            else:
                for s in self.fast:
                    s(v, undo)
        except GuardFailed:
            _rollback(undo)
            raise
        except Exception:
            # A kernel error: undo and rerun through the primitives for TF's error text.
            _rollback(undo)
            return self.run_slow(tensors)
        if self.single is not None:
            t = _new(Tensor)
            t._value = v[self.single]
            return t
        return self._pack(v, True)

    def _check_aliases(self, tensors):
        for p, q in self.aliases:
            if tensors[p] is not tensors[q]:
                raise GuardFailed

    def run_slow(self, tensors):
        """Replays through the real primitives, so active tapes record every op."""
        from tapeflow._src.autodiff import record
        if self.aliases:
            self._check_aliases(tensors)
        v = self.const_tensors[:]
        for i, t in zip(self.input_slots, tensors):
            v[i] = t
        undo = []
        steps = self.steps
        n = len(steps)
        k = 0
        try:
            while k < n:
                kind, a, attrs, ins, outs = steps[k]
                k += 1
                if kind == CUSTOM:
                    from tapeflow._src.util import nest
                    args, flat, leaf_slots, skip = attrs
                    leaves = [x if s is None else v[s] for x, s in zip(flat, leaf_slots)]
                    res = nest.flatten(a(*nest.pack_sequence_as(args, leaves)))
                    for o, r in zip(outs, res):
                        v[o] = r
                    k += skip
                elif kind == OP:
                    v[outs[0]] = a.call(*[v[j] for j in ins], **attrs)
                elif kind == OPM:
                    for o, r in zip(outs, a.call(*[v[j] for j in ins], **attrs)):
                        v[o] = r
                elif kind == FN:
                    v[outs[0]] = record.derived(a, *[v[j] for j in ins])
                elif kind == READ:
                    v[outs[0]] = a._read()
                elif kind == ASSIGN:
                    undo.append((a, a._value))
                    getattr(a, attrs)(v[ins[0]], read_value=False)
                elif kind == GUARD:
                    if not _same(a, attrs, _check(a, v[ins[0]]._value)):
                        raise GuardFailed
                else:
                    a(*[v[j]._value for j in ins])
        except GuardFailed:
            _rollback(undo)
            raise
        except OpError as e:
            if getattr(e, "graph_origin", None) is not None:
                raise  # already reported by an inner function
            raise self._graph_error(e, k - 1) from None
        return self._pack(v, False)

    def _graph_error(self, error, k):
        """TF's "Graph execution error" for an OpError raised by step `k`."""
        kind, a, _, _, outs = self.steps[k]
        if kind not in (OP, OPM) or not outs:
            return graph_error(error, None, None, traceback_frames(error.__traceback__),
                               self.name)
        frames, _, node = self.origin.get(outs[0], ((), "", a.name))
        return graph_error(error, a.name, node, frames, self.name)


def _rollback(undo):
    for var, old in reversed(undo):
        var._value = old

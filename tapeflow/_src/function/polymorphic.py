"""`tf.function`: a Python function traced once per input signature and replayed afterwards.

A call computes a signature key from its arguments (tensor dtypes and shapes, Python values,
nested structure, variables by identity). The first call with a new key traces: the Python
function runs eagerly under a `Tracer` (see tracing.py) and its result is returned as is.
Later calls with a matching key replay the recorded program, so Python side effects run at
trace time only. A guard miss (Python branched on a tensor value that is now different)
traces the other path once and keeps both.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import sys
import types
import weakref

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import OpError
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.tensor_spec import TensorSpec
from tapeflow._src.framework.variables import Variable
from tapeflow._src.function import tracing
from tapeflow._src.util import nest

_log = logging.getLogger("tapeflow")

_run_eagerly = False

# TensorFlow's frequent-retracing detector: per Python function, a warning once 5 of the
# last (up to) 10 calls traced, at most twice per function.
_HISTORY, _THRESHOLD, _MAX_WARNINGS = 10, 5, 2
_detectors = weakref.WeakKeyDictionary()


_MISS = object()  # _replay's "a guard failed" marker (None is a valid result)


class _Detector:
    __slots__ = ("calls_per_tracing", "call_count", "warnings")

    def __init__(self):
        self.calls_per_tracing = []
        self.call_count = 0
        self.warnings = 0

    def traced(self, fn):
        self.call_count += 1
        self.calls_per_tracing.append(1)
        while self.calls_per_tracing and (self.call_count - self.calls_per_tracing[0]
                                          > _HISTORY):
            self.call_count -= self.calls_per_tracing.pop(0)
        if self.warnings >= _MAX_WARNINGS or len(self.calls_per_tracing) < _THRESHOLD:
            return
        self.warnings += 1
        _log.warning(
            "%d out of the last %d calls to %s triggered tf.function retracing. Tracing is "
            "expensive and the excessive number of tracings could be due to (1) creating "
            "@tf.function repeatedly in a loop, (2) passing tensors with different shapes, "
            "(3) passing Python objects instead of tensors. For (1), please define your "
            "@tf.function outside of the loop. For (2), @tf.function has reduce_retracing=True "
            "option that can avoid unnecessary retracing. For (3), please refer to "
            "https://www.tensorflow.org/guide/function#controlling_retracing and "
            "https://www.tensorflow.org/api_docs/python/tf/function for  more details.",
            len(self.calls_per_tracing), self.call_count, fn)

    def not_traced(self):
        if not self.calls_per_tracing:
            self.calls_per_tracing = [0]
        self.calls_per_tracing[-1] += 1
        self.call_count += 1


def _detector(fn):
    key = getattr(fn, "__func__", fn)
    while hasattr(key, "__wrapped__"):
        key = key.__wrapped__
    try:
        d = _detectors.get(key)
        if d is None:
            d = _detectors[key] = _Detector()
    except TypeError:
        d = _Detector()
    return d


# ---------------------------------------------------------------------------------------
# Signature keys
# ---------------------------------------------------------------------------------------

_PLAIN = (int, float, bool, str, bytes, complex, type(None), dtypes.DType)


def _canon(x, tensors):
    """(x with NumPy arrays as tensors, its hashable key); appends tensor leaves to tensors."""
    if isinstance(x, Tensor):
        tensors.append(x)
        return x, ("T", x._value.dtype, np.shape(x._value))
    if isinstance(x, (np.ndarray, np.generic)):
        from tapeflow._src.framework.convert import convert_to_tensor
        t = convert_to_tensor(x)
        tensors.append(t)
        return t, ("T", t._value.dtype, np.shape(t._value))
    if isinstance(x, Variable):
        v = getattr(x, "_parent", x)
        return x, ("V", id(v))
    if isinstance(x, _PLAIN):
        return x, (type(x), x)
    if isinstance(x, (list, tuple)):
        items = [_canon(e, tensors) for e in x]
        vals = [a for a, _ in items]
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            new = type(x)(*vals)
        else:
            new = type(x)(vals)
        return new, (type(x), tuple(k for _, k in items))
    if isinstance(x, dict):
        keys = sorted(x, key=repr)
        items = [(k, _canon(x[k], tensors)) for k in keys]
        new = type(x)((k, a) for k, (a, _) in items)
        return new, (type(x), tuple((k, kk) for k, (_, kk) in items))
    try:
        hash(x)
    except TypeError:
        return x, ("O", id(x))
    return x, ("H", type(x), x)


def _matches(spec, key):
    """True when `key` fits `spec`, a key whose tensor dims may be None (any)."""
    if spec == key:
        return True
    if type(spec) is not tuple or type(key) is not tuple or len(spec) != len(key):
        return False
    if spec and spec[0] == "T" and key[0] == "T":
        if spec[2] is None:  # unknown rank: any shape
            return spec[1] == key[1]
        return (spec[1] == key[1] and key[2] is not None and len(spec[2]) == len(key[2])
                and all(a is None or a == b for a, b in zip(spec[2], key[2])))
    return all(_matches(a, b) for a, b in zip(spec, key))


def _generalize(a, b):
    """The most specific key matching both `a` and `b` (dims that differ become None)."""
    if a == b:
        return a
    if type(a) is not tuple or type(b) is not tuple or len(a) != len(b):
        return None
    if a and a[0] == "T" and b[0] == "T":
        if a[1] != b[1]:
            return None
        if a[2] is None or b[2] is None or len(a[2]) != len(b[2]):
            return ("T", a[1], None) if a[2] is None or b[2] is None else None
        return ("T", a[1], tuple(x if x == y else None for x, y in zip(a[2], b[2])))
    out = []
    for x, y in zip(a, b):
        g = _generalize(x, y)
        if g is None and not (x is None and y is None):
            return None
        out.append(g)
    return tuple(out)


def _key_tensors(key):
    """(NumPy dtype, dims) of each tensor entry of `key`, in order (dims None: any rank)."""
    out = []

    def walk(k):
        if type(k) is not tuple:
            return
        if k and k[0] == "T" and len(k) == 3 and (k[2] is None or type(k[2]) is tuple):
            out.append((k[1], k[2]))
            return
        for e in k:
            walk(e)
    walk(key)
    return out


def _key_dims(key):
    """The dims of each tensor entry of `key`, in order (None for an unknown rank)."""
    return [d for _, d in _key_tensors(key)]


def _input_names(fn, args, kwargs):
    """id(tensor) -> the graph name TF gives an input: its parameter's name, then
    name_1, name_2, ... for further tensors in the same argument (in nest order)."""
    import inspect
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return {}
    names = {}
    for param, value in bound.arguments.items():
        k = 0
        for x in nest.flatten(value):
            if isinstance(x, Tensor) and id(x) not in names:
                names[id(x)] = param if k == 0 else f"{param}_{k}"
                k += 1
    return names


def _has_none_dims(key):
    if type(key) is not tuple:
        return False
    if key and key[0] == "T" and len(key) == 3:
        if key[2] is None:
            return True  # unknown rank
        if isinstance(key[2], tuple):
            return any(d is None for d in key[2])
    return any(_has_none_dims(k) for k in key)


# ---------------------------------------------------------------------------------------
# Concrete functions
# ---------------------------------------------------------------------------------------

def _spec_text(dtype, dims):
    shape = None if dims is None else list(dims)
    return repr(TensorSpec(shape, dtypes.from_numpy(dtype)))


def _type_text(x, specs):
    """TF's type text for an argument or result: TensorSpec(...), Literal[...], List[...]."""
    if isinstance(x, Tensor):
        dtype, dims = specs.get(id(x), (x._value.dtype, np.shape(x._value)))
        return _spec_text(dtype, dims)
    if isinstance(x, Variable):
        return f"TensorSpec(shape={x.shape}, dtype=tf.resource, name=None)"
    if type(x) is list:
        return "List[" + ", ".join(_type_text(e, specs) for e in x) + "]"
    if isinstance(x, tuple):
        return "Tuple[" + ", ".join(_type_text(e, specs) for e in x) + "]"
    if isinstance(x, dict):
        return "Dict[" + ", ".join(f"[{k!r}, {_type_text(v, specs)}]"
                                   for k, v in x.items()) + "]"
    return f"Literal[{x!r}]"


def _signature_text(fn, args, kwargs, tensors, key, result, tracer):
    """A traced signature's text, as TF prints a ConcreteFunction (computed at trace time:
    it keeps no tensor alive)."""
    import inspect
    entries = _key_tensors(key)
    specs = ({id(t): e for t, e in zip(tensors, entries)} if len(entries) == len(tensors)
             else {})
    lines = ["Input Parameters:"]
    short = []
    try:
        sig = inspect.signature(fn)
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            kind = sig.parameters[name].kind
            text = _type_text(value, specs)
            lines.append(f"  {name} ({kind.name}): {text}")
            if kind is inspect.Parameter.KEYWORD_ONLY and "*" not in short:
                short.append("*")
            short.append(f"{name}: {text}")
    except (TypeError, ValueError):
        pass
    # Results: the traced shapes, with None where a relaxed input dim of the same size
    # (the only sizes the trace cannot vouch for) appears.
    loose, any_rank = set(), False
    for (_, dims), t in zip(entries, tensors) if specs else ():
        if dims is None:
            any_rank = True
            continue
        loose.update(td for d, td in zip(dims, np.shape(t._value)) if d is None)
    out_specs = {}
    for leaf in nest.flatten(result):
        if isinstance(leaf, Tensor):
            if id(leaf) in specs:  # an input returned as it is
                out_specs[id(leaf)] = specs[id(leaf)]
            elif any_rank:  # computed from an input of unknown rank: rank unknown too
                out_specs[id(leaf)] = (leaf._value.dtype, None)
            else:
                out_specs[id(leaf)] = (leaf._value.dtype, tuple(
                    None if d in loose else d for d in np.shape(leaf._value)))
    out_text = _type_text(result, out_specs)
    lines += ["Output Type:", "  " + out_text, "Captures:"]
    captured = []
    closure = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())
               if _cell_has_value(c)]
    glob = getattr(fn, "__globals__", {})
    names = getattr(getattr(fn, "__code__", None), "co_names", ())
    around = {id(x): x for x in closure + [glob[n] for n in names if n in glob]}
    for i, (t, const) in enumerate(zip(tracer.keep, tracer.is_const)):
        if const and id(t) in around:
            captured.append(f"  {id(t)}: {_spec_text(t._value.dtype, np.shape(t._value))}")
    seen = set()
    for step in tracer.steps:
        if step[0] == tracing.READ and id(step[1]) not in seen:
            seen.add(id(step[1]))
            captured.append(f"  {id(step[1])}: TensorSpec(shape=(), dtype=tf.resource, "
                            f"name=None)")
    lines += captured or ["  None"]
    return "\n".join(lines), f"({', '.join(short)}) -> {out_text}"


_MIXED_DTYPES = None


def _graph_dtype_error(error):
    """The TypeError TF raises while building a graph for a binary op given two dtypes
    (eagerly the kernel's InvalidArgumentError "cannot compute AddV2 as input #1 ..."),
    or None."""
    global _MIXED_DTYPES
    import re
    if _MIXED_DTYPES is None:
        _MIXED_DTYPES = re.compile(
            r"cannot compute (\w+) as input #1\(zero-based\) was expected to be a (\w+) "
            r"tensor but is a (\w+) tensor")
    m = _MIXED_DTYPES.search(error.message)
    if m is None:
        return None
    op, want, got = m.groups()
    return TypeError(f"Input 'y' of '{op}' Op has type {got} that does not match type "
                     f"{want} of argument 'x'.")


_MAX_PROGRAMS = 8  # guard paths kept per traced signature
_program_seq = itertools.count()

_NOT_WRAPPED = (tracing.GuardFailed, StopIteration, StopAsyncIteration, GeneratorExit)


def _in_user_code(error):
    """`error` re-made with TF's "in user code:" header (the user's frames from the
    traceback, each with its source line), or None to raise it as it is."""
    import linecache
    if isinstance(error, _NOT_WRAPPED) or getattr(error, "_tf_in_user_code", False):
        return None
    frames = tracing.traceback_frames(error.__traceback__)
    if not frames:
        return None  # nothing of the user's to point at (e.g. a Keras step's own code)
    lines = ["in user code:", ""]
    for filename, line, name in frames:
        lines.append(f'    File "{filename}", line {line}, in {name}  *')
        lines.append(f"        {linecache.getline(filename, line).strip()}")
    lines += ["", f"    {type(error).__name__}: {error}", ""]
    text = "\n".join(lines)
    cls = type(error)
    if cls is KeyError:  # str(KeyError(text)) would quote the text
        cls = type("KeyError", (KeyError,), {"__str__": lambda self: self.args[0],
                                              "__module__": "builtins"})
    try:
        new = cls(text)
    except Exception:  # an exception type that wants other arguments: leave it
        return None
    new._tf_in_user_code = True
    return new


def _as_result(x, fn):
    """A function result `x` as TF returns it: a tensor (None and tensors as they are)."""
    if x is None or isinstance(x, (Tensor, Variable)):
        return x
    from tapeflow._src.framework.convert import convert_to_tensor
    try:
        return convert_to_tensor(x)
    except (TypeError, ValueError):
        raise TypeError(
            f"To be compatible with tf.function, Python functions must return zero or more "
            f"Tensors or ExtensionTypes or None values; in compilation of {fn}, found "
            f"return value of type {type(x).__name__}, which is not a Tensor or "
            f"ExtensionType."
        ) from None


def _cell_has_value(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


class ConcreteFunction:
    """One traced signature of a `tf.function`; calling it replays the trace.

    It holds one program per guard path the Python code took (usually one).
    """

    def __init__(self, function, key, structured_input_signature=None):
        self._function = function
        self._key = key
        self.programs = []
        self.structured_input_signature = structured_input_signature

    @property
    def variables(self):
        seen = {}
        for p in sorted(self.programs, key=lambda p: p.seq):  # first traced first
            for v in p.variables:
                seen[id(v)] = v
        return tuple(seen.values())

    @property
    def trainable_variables(self):
        return tuple(v for v in self.variables if v.trainable)

    @property
    def name(self):
        return self._function.__name__

    def _run(self, tensors):
        programs = self.programs
        for i, p in enumerate(programs):
            try:
                out = p.run(tensors)
            except tracing.GuardFailed:
                continue
            if i:
                programs.insert(0, programs.pop(i))  # the path taken last is tried first
            return out
        raise tracing.GuardFailed

    def _add_program(self, program):
        """Keeps a new guard path first; beyond _MAX_PROGRAMS the least recently taken
        one is dropped (a guard on an ever-changing value, e.g. a Python float read from
        a step counter, would otherwise grow the list and each call's search forever)."""
        program.seq = next(_program_seq)
        self.programs.insert(0, program)
        del self.programs[_MAX_PROGRAMS:]

    def __call__(self, *args, **kwargs):
        tensors = []
        _, key = _canon((args, kwargs), tensors)
        want, got = _key_tensors(self._key), _key_tensors(key)
        if len(want) == len(got):
            for i, ((wd, wdims), (gd, gdims)) in enumerate(zip(want, got)):
                if wd != gd:  # TF checks dtypes when a concrete function is called
                    from tapeflow._src.framework.errors import InvalidArgumentError
                    fn = f"__inference_{self.name}_{next(tracing._function_ids)}"
                    raise InvalidArgumentError(None, None, (
                        f"cannot compute {fn} as input #{i}(zero-based) was expected to be "
                        f"a {dtypes.tf_name(dtypes.from_numpy(wd))} tensor but is a "
                        f"{dtypes.tf_name(dtypes.from_numpy(gd))} tensor [Op:{fn}]"))
        if len(want) != len(got) or not all(
                w is None or (g is not None and len(w) == len(g)
                              and all(a is None or a == b for a, b in zip(w, g)))
                for (_, w), (_, g) in zip(want, got)):
            # TF's graph would run on other shapes; this program was traced for its
            # shapes (its constants may be folded for them), so the Python runs instead.
            return self._function._python_function(*args, **kwargs)
        try:
            return self._run(tensors)
        except tracing.GuardFailed:
            return self._function._call_traced(args, kwargs, self._key, self)[0]

    def __repr__(self):
        short = getattr(self, "_short", None) or self.name
        return f"<ConcreteFunction {short} at 0x{id(self):X}>"

    def __str__(self):
        return "ConcreteFunction " + self.pretty_printed_signature()

    def pretty_printed_signature(self, verbose=True):
        """TF's text for this signature: input parameters, output type and captures."""
        return getattr(self, "_text", f"Input Parameters:\n  (unknown: {self.name})")

    def _not_a_graph(self, what):
        raise NotImplementedError(
            f"ConcreteFunction.{what}: tapeflow traces by running the function on its "
            f"arguments and replays the recorded NumPy kernels; there is no FuncGraph or "
            f"symbolic tensor to return.")

    graph = property(lambda self: self._not_a_graph("graph"))
    inputs = property(lambda self: self._not_a_graph("inputs"))
    outputs = property(lambda self: self._not_a_graph("outputs"))
    structured_outputs = property(lambda self: self._not_a_graph("structured_outputs"))


# ---------------------------------------------------------------------------------------
# tf.function
# ---------------------------------------------------------------------------------------

# TAPEFLOW_FORCE_JIT=1 compiles every tf.function as if jit_compile=True (with numba): a
# stress test of the fused kernels against the whole test suite, run by hand.
_FORCE_JIT = os.environ.get("TAPEFLOW_FORCE_JIT") == "1"


class Function:
    """A Python function compiled by tracing; see `function`."""

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False):
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = (None if input_signature is None
                                 else tuple(nest.flatten(input_signature)))
        self._structured_signature = input_signature
        if self._input_signature is not None:
            for s in self._input_signature:
                if not isinstance(s, TensorSpec):
                    raise TypeError(f"input_signature must be a possibly nested sequence of "
                                    f"TensorSpec objects, got invalid args {s!r} with type "
                                    f"{type(s)}.")
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = bool(reduce_retracing)
        self._concrete = {}      # key -> ConcreteFunction
        self._relaxed = []       # ConcreteFunctions whose key has None dims
        self._traced_order = []  # every ConcreteFunction, in the order traced
        self._tracing_count = 0
        self._variables_allowed = True
        self._instances = weakref.WeakKeyDictionary()
        # Calls whose arguments are all Tensors, keyed by (dtype, shape, ...) only.
        self._fast = {}
        self._detector = _detector(python_function)
        functools.update_wrapper(self, python_function)

    # -- Python plumbing ------------------------------------------------------------------
    @property
    def python_function(self):
        return self._python_function

    @property
    def function_spec(self):
        return self._structured_signature

    @property
    def input_signature(self):
        return self._structured_signature

    def __get__(self, instance, owner):
        if instance is None:
            return self
        attr = f"_tf_function_{id(self):x}"
        try:
            f = self._instances.get(instance)
        except TypeError:  # unhashable instance: keep its Function in its __dict__
            f = getattr(instance, "__dict__", {}).get(attr)
        if f is None:
            f = Function(types.MethodType(self._python_function, instance), self._name,
                         self._structured_signature, self._autograph, self._jit_compile,
                         self._reduce_retracing)
            try:
                self._instances[instance] = f
            except TypeError:
                if hasattr(instance, "__dict__"):
                    instance.__dict__[attr] = f
        return f

    def __repr__(self):
        return f"<tapeflow.function {self._name} at 0x{id(self):X}>"

    def experimental_get_tracing_count(self):
        """How many times the Python function was traced (one per new input signature)."""
        return self._tracing_count

    # -- signature --------------------------------------------------------------------------
    def _signature_args(self, args, kwargs):
        """Applies input_signature: converts the tensor arguments and checks them."""
        from tapeflow._src.framework.convert import convert_to_tensor
        specs = self._input_signature
        if kwargs:
            import inspect
            try:
                bound = inspect.signature(self._python_function).bind(*args, **kwargs)
            except TypeError as e:
                raise TypeError(str(e)) from None
            args = bound.args
            kwargs = {}
        flat = _flatten_up_to(self._structured_signature, list(args))
        if len(flat) != len(specs):
            raise TypeError(f"{self._name}() takes {len(specs)} positional arguments but "
                            f"{len(flat)} were given" if len(flat) > len(specs) else
                            f"{self._name}() missing required argument(s): the input_signature "
                            f"has {len(specs)} tensors, got {len(flat)}.")
        out = []
        for x, s in zip(flat, specs):
            try:
                t = convert_to_tensor(x, dtype=s.dtype)
            except (TypeError, ValueError):
                t = None
            if t is None or not s.is_compatible_with(t):
                raise TypeError(
                    f"Binding inputs to tf.function failed due to `Can not cast "
                    f"{_describe(x)} to {s}`. Received args: {args} and kwargs: {kwargs} "
                    f"for signature: {self._signature_text()}.")
            out.append(t)
        args = _pack_up_to(self._structured_signature, list(args), iter(out))
        tensors = []
        args, _ = _canon(args, tensors)
        key = tuple(("T", s.dtype._np, tuple(s.shape.as_list()) if s.shape.rank is not None
                     else None) for s in specs)
        return args, kwargs, key, tensors

    def _signature_text(self):
        import inspect
        try:
            names = [p.name for p in inspect.signature(self._python_function).parameters.values()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            names = []
        sig = self._structured_signature
        parts = []
        for i, s in enumerate(sig):
            text = repr(s) if isinstance(s, TensorSpec) else repr(s)
            parts.append(f"{names[i]}: {text}" if i < len(names) else text)
        return "(" + ", ".join(parts) + ")"

    def _key(self, args, kwargs):
        if self._input_signature is not None:
            return self._signature_args(args, kwargs)
        if kwargs:
            # Keywords naming positional parameters count as positional (f(x=t) is f(t)).
            args, kwargs = self._bind(args, kwargs)
        tensors = []
        (args, kwargs), key = _canon((tuple(args), dict(kwargs)), tensors)
        return args, kwargs, key, tensors

    def _bind(self, args, kwargs):
        import inspect
        try:
            bound = inspect.signature(self._python_function).bind(*args, **kwargs)
        except (TypeError, ValueError):
            return args, kwargs  # let the call itself raise Python's error
        return bound.args, bound.kwargs

    def _lookup(self, key):
        cf = self._concrete.get(key)
        if cf is not None:
            return cf
        for cf in self._relaxed:
            if _matches(cf._key, key) if cf._key[0] != "sig" else _sig_matches(cf._key, key):
                return cf
        return None

    # -- calling ----------------------------------------------------------------------------
    def _replay(self, cf, tensors):
        """Runs a traced program; `_MISS` when one of its guards fails (retrace needed)."""
        try:
            out = cf._run(tensors)
        except tracing.GuardFailed:
            return _MISS
        self._detector.not_traced()
        return out

    def __call__(self, *args, **kwargs):
        if _run_eagerly or context.tracer is not None:
            # Eager mode on request; a tf.function called while tracing is inlined.
            return self._python_function(*args, **kwargs)
        if not kwargs:
            # Fast path: all arguments are Tensors (or one plain tuple of Tensors, as a Keras
            # batch) of a signature traced before.
            if len(args) == 1 and type(args[0]) is tuple:
                flat, k = args[0], [tuple]
            else:
                flat, k = args, []
            for a in flat:
                if type(a) is not Tensor:
                    break
                v = a._value
                k.append(v.dtype)
                k.append(v.shape)
            else:
                cf = self._fast.get(tuple(k))
                if cf is not None:
                    out = self._replay(cf, flat)
                    if out is not _MISS:
                        return out
        args, kwargs, key, tensors = self._key(args, kwargs)
        if self._input_signature is not None:
            key = ("sig",) + key
        cf = self._lookup(key)
        if cf is not None:
            out = self._replay(cf, tensors)
            if out is not _MISS:
                return out
            return self._call_traced(args, kwargs, cf._key, cf, tensors)[0]
        if self._reduce_retracing and self._input_signature is None:
            for other_key in list(self._concrete):
                g = _generalize(other_key, key)
                if g is not None and g != key:
                    key = g
                    break
        self._detector.traced(self._python_function)
        return self._call_traced(args, kwargs, key, None, tensors)[0]

    def _call_traced(self, args, kwargs, key, cf, tensors=None, rollback=False):
        """Traces a call on the real arguments; returns (result, ConcreteFunction)."""
        if tensors is None:
            tensors = []
            (args, kwargs), _ = _canon((tuple(args), dict(kwargs)), tensors)
        new_signature = cf is None
        tracer = tracing.Tracer(allow_variables=self._variables_allowed,
                                guard_shapes=_has_none_dims(key))
        input_slots = []
        seen = {}
        names = _input_names(self._python_function, args, kwargs)
        dims = _key_dims(key)
        if len(dims) != len(tensors):
            dims = [()] * len(tensors)
        for t, d in zip(tensors, dims):
            if id(t) in seen:  # one tensor passed twice is one input
                input_slots.append(seen[id(t)])
                continue
            seen[id(t)] = i = tracer.input(t, names.get(id(t)), d)
            input_slots.append(i)
        saved = tracing.activate(tracer)
        try:
            try:
                result = self._python_function(*args, **kwargs)
            except OpError as e:
                # The trace runs the ops eagerly; report a kernel failure as TF reports one
                # inside a graph (the node and the user's lines that created it).
                if getattr(e, "graph_origin", None) is not None:
                    raise
                mixed = _graph_dtype_error(e)
                if mixed is not None:  # TF finds this while building the graph
                    mixed.__traceback__ = e.__traceback__
                    raise _in_user_code(mixed) or mixed from None
                frames = (tracing.user_frames(sys._getframe(1))
                          + tracing.traceback_frames(e.__traceback__))
                raise tracing.graph_error(e, None, None, frames, self._name,
                                          tracer) from None
            except Exception as e:
                # As AutoGraph does: a Python error raised while tracing says where in
                # the user's code it happened ("in user code:" and the frames).
                wrapped = _in_user_code(e)
                if wrapped is None:
                    raise
                raise wrapped from None
            out_flat = []
            flat = nest.flatten(result)
            if any(x is not None and not isinstance(x, (Tensor, Variable)) for x in flat):
                # As in TF, a function's results are tensors: Python numbers, strings
                # and the like returned by it become constants (None stays None).
                flat = [_as_result(x, self._python_function) for x in flat]
                result = nest.pack_sequence_as(result, flat)
            for x in flat:
                if isinstance(x, Variable):
                    x = x._read()
                if isinstance(x, Tensor):
                    out_flat.append(("slot", tracer.constant_slot(x)))
                else:
                    out_flat.append(("py", x))
        finally:
            tracing.deactivate(saved)
            if rollback:
                for var, old in reversed(tracer.assigned):
                    var._value = old
        if new_signature:
            self._tracing_count += 1
        if tracer.new_variables and not rollback:
            # As TensorFlow does: a trace that created variables is traced again with
            # variable creation disabled (so code must create them only once); the first
            # trace's assignments are undone and its tf.prints dropped.
            for var, old in reversed(tracer.assigned):
                var._value = old
            self._variables_allowed = False
            tracing.retire(tracer, self._name)
            return self._call_traced(args, kwargs, key, cf, tensors)
        self._variables_allowed = False
        tracing.retire(tracer, self._name, {id(x) for x in flat if isinstance(x, Tensor)})
        if not rollback:
            for p in tracer.pending:
                p()
        program = None if tracer.unreplayable else tracing.Program(
            tracer, input_slots, result, out_flat, self._name,
            bool(self._jit_compile) or _FORCE_JIT)
        if cf is None:
            cf = ConcreteFunction(self, key)
            cf._text, cf._short = _signature_text(self._python_function, args, kwargs,
                                                  tensors, key, result, tracer)
            self._traced_order.append(cf)
            if _has_none_dims(key) or key[0] == "sig":
                self._relaxed.append(cf)
            else:
                self._concrete[key] = cf
                flat_args, k = ((args[0], [tuple]) if len(args) == 1 and type(args[0]) is tuple
                                else (args, []))
                if not kwargs and all(type(a) is Tensor for a in flat_args) and len(
                        {id(a) for a in flat_args}) == len(flat_args):
                    for a in flat_args:
                        k.append(a._value.dtype)
                        k.append(a._value.shape)
                    self._fast[tuple(k)] = cf
        if program is not None:  # else every call runs the Python again (see Tracer)
            cf._add_program(program)
        result = nest.pack_sequence_as(result, [x._read() if isinstance(x, Variable) else x
                                                for x in flat])
        return result, cf

    def pretty_printed_concrete_signatures(self, verbose=True):
        """Every traced signature's text (see ConcreteFunction.pretty_printed_signature)."""
        return "\n\n".join(cf.pretty_printed_signature(verbose)
                            for cf in self._traced_order)

    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these arguments (TensorSpecs allowed), tracing if needed.

        A trace from TensorSpecs runs the function on zeros (None dims as 1), and undoes
        the variable assignments it made.
        """
        if not args and not kwargs and self._input_signature is not None:
            args = nest.pack_sequence_as(self._structured_signature,
                                         list(self._input_signature))
        has_spec = any(isinstance(x, TensorSpec) for x in nest.flatten((args, kwargs)))
        if has_spec:
            specs = {}

            def fill(x):
                if isinstance(x, TensorSpec):
                    from tapeflow._src.ops.array_creation import zeros
                    shape = ([] if x.shape.rank is None  # unknown rank: traced on a scalar
                             else [1 if d is None else d for d in x.shape.as_list()])
                    t = zeros(shape, dtype=x.dtype)
                    specs[id(t)] = x
                    return t
                return x
            args = nest.map_structure(fill, args)
            kwargs = nest.map_structure(fill, kwargs)
        if self._input_signature is not None:
            args, kwargs, key, tensors = self._signature_args(args, kwargs)
            key = ("sig",) + key
        else:
            tensors = []
            (args, kwargs), key = _canon((tuple(args), dict(kwargs)), tensors)
            if has_spec:
                key = _spec_key(key, tensors, specs)
        cf = self._lookup(key)
        if cf is None:
            cf = self._call_traced(args, kwargs, key, None, tensors, rollback=True)[1]
        return cf


def _flatten_up_to(sig, value):
    """`value`'s parts that correspond to the TensorSpecs of `sig` (lists stay whole there)."""
    if isinstance(sig, TensorSpec):
        return [value]
    if isinstance(sig, dict) and isinstance(value, dict):
        return [x for k in sorted(sig, key=repr) for x in _flatten_up_to(sig[k], value.get(k))]
    if isinstance(sig, (list, tuple)) and isinstance(value, (list, tuple)):
        if len(sig) != len(value):
            return list(value)
        return [x for s, v in zip(sig, value) for x in _flatten_up_to(s, v)]
    return [value]


def _pack_up_to(sig, value, it):
    if isinstance(sig, TensorSpec):
        return next(it)
    if isinstance(sig, dict):
        return {k: _pack_up_to(sig[k], value[k], it) for k in sorted(sig, key=repr)}
    return type(value)(_pack_up_to(s, v, it) for s, v in zip(sig, value))


def _spec_key(key, tensors, specs):
    """Replaces the shapes of tensors made from TensorSpecs by the specs' shapes."""
    it = iter([specs.get(id(t)) for t in tensors])

    def walk(k):
        if type(k) is not tuple:
            return k
        if k and k[0] == "T" and len(k) == 3:
            s = next(it)
            if s is None:
                return k
            if s.shape.rank is None:
                return ("T", k[1], None)
            return ("T", k[1], tuple(s.shape.as_list()))
        return tuple(walk(e) for e in k)
    return walk(key)


def _sig_matches(spec, key):
    """input_signature keys: ('sig', ('T', dtype, dims or None), ...)."""
    if len(spec) != len(key):
        return False
    for s, k in zip(spec[1:], key[1:]):
        if s[2] is None:
            continue
        if not _matches(s, k):
            return False
    return True


def _describe(x):
    if isinstance(x, (Tensor, np.ndarray)):
        return repr(TensorSpec.from_tensor(x))
    return repr(x)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Compiles a Python function into a traced, replayable callable.

    The first call with a new input signature (tensor dtypes and shapes, Python values)
    runs the Python code and records it; later matching calls replay the record without
    running Python, so Python side effects (`print`) happen only while tracing, while
    `tf.print` prints on every call.

    Args:
      func: the function (or use as a decorator, with or without arguments).
      input_signature: a possibly nested sequence of `tf.TensorSpec`; tensors matching it
        (None dims match any size) share one trace.
      autograph: accepted; Python control flow on tensors is handled by guards instead.
      jit_compile: True compiles fixed-shape programs with fused numba kernels where
        they apply (the optional `tapeflow[jit]` extra; see `_src/function/jit.py`);
        without numba it warns once and replays unfused.
      reduce_retracing: generalise shapes to None dims after a shape change.
      name: unused.

    Returns:
      A `Function`.

    >>> @tf.function
    ... def f(x):
    ...     return x * 2
    >>> f(tf.constant(3)).numpy()
    6
    """
    if experimental_relax_shapes is not None:
        reduce_retracing = reduce_retracing or experimental_relax_shapes

    def decorate(fn):
        return Function(fn, None, input_signature, autograph, jit_compile, reduce_retracing)
    if func is None:
        return decorate
    return decorate(func)


def run_functions_eagerly(run_eagerly):
    """With True, tf.function calls run the Python function directly (no tracing)."""
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    return _run_eagerly

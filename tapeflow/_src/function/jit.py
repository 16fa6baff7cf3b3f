"""`tf.function(jit_compile=True)`: fused kernels compiled with numba (optional extra).

TensorFlow compiles a `jit_compile=True` function with XLA, which fuses elementwise ops
into loops. tapeflow has no XLA; with numba installed (`pip install tapeflow[jit]`) a
fixed-shape program's fast replay is rewritten here before it is compiled:

- **Elementwise fusion.** A run of consecutive elementwise steps (AddV2, Sub, Mul, RealDiv,
  Neg, Square, Sqrt, Exp, Log, Tanh, Relu, ReluGrad) with one float dtype and one output
  shape becomes one loop nest over that shape: every intermediate lives in a register and
  only the values read after the run (or returned) are written to memory. Inputs may
  broadcast (a bias row, a column, a scalar); small constants are compiled in. An
  `assign_add`/`assign_sub` of a value computed in the run joins it: the loop writes the
  variable's new value (into a new array, so that a failed call can still be rolled back).
- **The sparse softmax loss.** `SparseSoftmaxCrossEntropyWithLogits` (max, exp, sum, log
  and the gradient in one pass over each row), with the bias add that produces its
  logits, runs one compiled kernel.

Kernels are generated as Python source, compiled when the function is traced and cached by
their source (in memory and on disk), which holds no sizes: programs whose chains differ
only in shape share one kernel.

Numerics: the same operations in the same order, so sums, products and the correctly
rounded ops give eager's bits; numba's exp/log/tanh may differ from NumPy's by a few ulps
(as XLA's do from TensorFlow's kernels), and the loss adds a row's exponentials in order
where NumPy sums pairwise. A loop that meets inputs it was not generated for (a variable
whose shape changed) runs its steps through their NumPy kernels instead.

Without numba a `jit_compile=True` function runs the ordinary replay and warns once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
import warnings

import numpy as np

from tapeflow._src.function.tracing import (_FREE_REFS, ASSIGN, JIT, OP, OPM, READ,
                                             _assign_array)

_lock = threading.Lock()
_numba = None          # the module once imported; False when it is not installed
_kernels = {}          # generated source -> compiled dispatcher
_warned = False


def available():
    """True when numba imports (imported on the first jit_compile=True trace only)."""
    global _numba, _warned
    if _numba is None:
        try:
            import numba
            _numba = numba
        except Exception:  # ImportError, or a numba that fails to load its LLVM
            _numba = False
    if _numba is False and not _warned:
        _warned = True
        warnings.warn("tf.function(jit_compile=True): numba is not installed "
                      "(pip install 'tapeflow[jit]'); running the unfused replay.",
                      stacklevel=4)
    return _numba is not False


# Counts of what happened at run time (tests read them): groups that met inputs their loop
# was not generated for and ran unfused, and kernels that failed to compile.
stats = {"mismatches": 0}


def _note_failure(error):
    """A kernel that failed to compile (the steps then run unfused): counted, and kept
    for reading (`jit.stats["last_failure"]`)."""
    stats["compile_failures"] = stats.get("compile_failures", 0) + 1
    stats["last_failure"] = f"{type(error).__name__}: {error}"


# name -> (arity, template over the operand temporaries {0}, {1}; Z and ONE are the
# dtype's 0 and 1). Each template computes what the primitive's NumPy kernel computes.
_ELEMENTWISE = {
    "AddV2": (2, "{0} + {1}"),
    "Sub": (2, "{0} - {1}"),
    "Mul": (2, "{0} * {1}"),
    "RealDiv": (2, "{0} / {1}"),
    "Neg": (1, "-{0}"),
    "Square": (1, "{0} * {0}"),
    "Sqrt": (1, "np.sqrt({0})"),
    "Exp": (1, "np.exp({0})"),
    "Log": (1, "np.log({0})"),
    "Tanh": (1, "np.tanh({0})"),
    # np.maximum(x, 0): NaN stays NaN, -0.0 becomes +0.0.
    "Relu": (1, "{0} if ({0} > Z or {0} != {0}) else Z"),
    # dy * (y > 0): a NaN or inf dy where y <= 0 gives NaN, as the NumPy kernel does.
    "ReluGrad": (2, "{0} * (ONE if {1} > Z else Z)"),
}
# Ops whose NumPy kernel makes more than one pass: worth a loop of their own.
_MULTI_PASS = frozenset({"ReluGrad"})
_FLOATS = frozenset({np.dtype(np.float32), np.dtype(np.float64)})
_LABELS = frozenset({np.dtype(np.int32), np.dtype(np.int64)})


def _literal(value, dtype):
    return f"np.{dtype.name}(float.fromhex('{float(value).hex()}'))"


def _cache_dir():
    """Where generated kernels and numba's compiled code for them are kept between
    processes (None: in memory only). TAPEFLOW_JIT_CACHE_DIR chooses it, "" turns it off."""
    path = os.environ.get("TAPEFLOW_JIT_CACHE_DIR")
    if path is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        path = os.path.join(base, "tapeflow", "jit")
    if not path:
        return None
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def _load(source, name):
    """The kernel function defined by `source`, and whether numba may cache its code on
    disk: from a file named by the source's hash when the cache directory is usable (numba
    caches only functions defined in files), else exec'd in memory."""
    folder = _cache_dir()
    if folder is not None:
        text = "import numpy as np\n" + source
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        path = os.path.join(folder, f"k_{digest}.py")
        try:
            if not _holds(path, text):
                # Written aside and renamed: a concurrent process never reads half a file;
                # a file whose text is not what its name promises (a crash mid-write) is
                # replaced, which also invalidates numba's code cached for it.
                tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
                try:
                    with open(tmp, "w") as fh:
                        fh.write(text)
                    os.replace(tmp, path)
                finally:
                    if os.path.exists(tmp):
                        os.remove(tmp)
            module_name = f"_tapeflow_jit_{digest}"
            module = sys.modules.get(module_name)
            if module is None:
                spec = importlib.util.spec_from_file_location(module_name, path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                # numba's disk cache finds a function's module by name.
                sys.modules[module_name] = module
            return getattr(module, name), True
        except (OSError, SyntaxError, ImportError, AttributeError):
            pass
    ns = {"np": np}
    exec(compile(source, f"<tapeflow jit {name}>", "exec"), ns)
    return ns[name], False


def _holds(path, text):
    try:
        with open(path) as fh:
            return fh.read() == text
    except OSError:
        return False


def _compile(source, name, example_args=None):
    """The numba dispatcher for `source` (cached by it), compiled for the types of
    `example_args` when given."""
    with _lock:
        k = _kernels.get(source)
        if k is None:
            fn, on_disk = _load(source, name)
            # error_model="numpy": x / 0 gives inf or nan, as NumPy does, not an exception.
            k = _kernels[source] = _numba.njit(nogil=True, error_model="numpy",
                                               cache=on_disk)(fn)
        if example_args is not None:
            k.compile(tuple(_numba.typeof(a) for a in example_args))
    return k


# ---------------------------------------------------------------------------------------
# elementwise groups
# ---------------------------------------------------------------------------------------

def _elementwise(step, values):
    """(name, template, shape, dtype) when `step` can join a fused loop, else None."""
    kind, p, attrs, ins, outs = step
    if kind != OP or attrs:
        return None
    spec = _ELEMENTWISE.get(p.name)
    if spec is None or len(ins) != spec[0]:
        return None
    out = values[outs[0]] if outs[0] < len(values) else None
    if type(out) is not np.ndarray or out.dtype not in _FLOATS or out.ndim == 0:
        return None
    return p.name, spec[1], out.shape, out.dtype


def _rows_summed(attrs, traced):
    """r when a Sum adds the first r axes of a C-ordered array row after row, as the loop
    does; else 0. NumPy does so when a kept axis has more than one element; otherwise (or
    for other layouts) it sums along a contiguous run, pairwise, in another order."""
    if type(traced) is not np.ndarray or not traced.flags.c_contiguous:
        return 0
    r = _leading_axes(attrs, traced.ndim)
    return r if r and int(np.prod(traced.shape[r:])) > 1 else 0


def _leading_axes(attrs, nd):
    """r when a Sum's attributes sum the first r < nd axes without keeping them, else 0."""
    if set(attrs) != {"axis", "keepdims"} or attrs["keepdims"]:
        return 0
    axis = attrs["axis"]
    if axis is None:
        return 0
    try:
        axes = sorted({int(a) % nd for a in (axis if np.ndim(axis) else [axis])})
    except (TypeError, ValueError):
        return 0
    return len(axes) if axes and axes == list(range(len(axes))) and len(axes) < nd else 0


def _broadcasts(arr, shape):
    """Whether `arr` broadcasts to `shape` (the loop then indexes it by its pattern)."""
    if arr.ndim > len(shape):
        return False
    return all(d == n or d == 1 for d, n in zip(arr.shape, shape[len(shape) - arr.ndim:]))


class _Group:
    """A run of fusible steps being collected."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype
        self.ops = []          # (name, template, operand slots, result slot)
        self.body = []         # ("op", n) | ("sink", n) | ("sum", n), in program order
        self.forwarded = {}    # slot of a read after a sink -> that sink's index
        self.post_reads = []   # those READ steps
        self.made = set()      # slots computed in the group
        self.externals = []    # input slots read from memory, in order
        self.literals = {}     # constant slot -> its scalar value
        self.sinks = []        # (variable, kind, value slot)
        self.reads = []        # READ steps hoisted before the group
        self.assigned = set()  # id(variable) assigned by a sink
        self.sums = []         # (input slot, output slot, leading axes summed)
        self.sum_outs = set()  # their output slots
        self.steps = []        # the steps fused (not the hoisted reads), in order
        self.literal_arrays = {}  # constant slot -> its array (for the unfused fallback)


def _operands(g, ins, consts, values):
    """Registers the step's inputs as operands of group g; False (nothing registered) when
    one of them cannot be one."""
    plan, planned = [], set()
    for j in ins:
        if j in g.sum_outs:
            return False  # a sum is complete only after the loop
        if j in g.made or j in g.literals or j in g.externals or j in planned:
            continue
        planned.add(j)
        c = consts[j] if j < len(consts) else None
        if c is not None:
            arr = np.asarray(c)
            if arr.dtype != g.dtype:
                return False
            if arr.size == 1 and arr.ndim <= len(g.shape):
                plan.append(("literal", j, arr.reshape(-1)[0]))
                g.literal_arrays[j] = c
                continue
        v = values[j] if j < len(values) else None
        if type(v) is not np.ndarray and not isinstance(v, np.generic):
            return False
        if v.dtype != g.dtype or not _broadcasts(np.asarray(v), g.shape):
            return False
        plan.append(("external", j, None))
    for what, j, c in plan:
        if what == "literal":
            g.literals[j] = c
        else:
            g.externals.append(j)
    return True


def fuse(steps, consts, values, out_slots):
    """The steps with fusible runs replaced by JIT steps and kernels swapped in for the ops
    that have one; None when nothing changed (or numba is missing)."""
    if not available():
        return None
    last_read = {}
    for k, step in enumerate(steps):
        for j in step[3]:
            last_read[j] = k
    out_set = set(out_slots)
    new, changed = [], 0
    k = 0
    while k < len(steps):
        loss = _sparse_loss(steps, k, values, last_read, out_set)
        if loss is not None:
            new.append(loss[0])
            changed += 1
            k += loss[1]
            continue
        info = _elementwise(steps[k], values)
        if info is None:
            new.append(steps[k])
            k += 1
            continue
        g = _Group(info[2], info[3])
        start = k
        while k < len(steps):
            kind, a, attrs, ins, outs = steps[k]
            info = _elementwise(steps[k], values)
            if info is not None and info[2] == g.shape and info[3] == g.dtype:
                if not _operands(g, ins, consts, values):
                    break
                g.body.append(("op", len(g.ops)))
                g.ops.append((info[0], info[1], ins, outs[0]))
                g.made.add(outs[0])
                g.steps.append(steps[k])
            elif (kind == OP and a.name == "Sum" and ins[0] in g.made
                  and _rows_summed(attrs, values[ins[0]])):
                g.body.append(("sum", len(g.sums)))
                g.sums.append((ins[0], outs[0], _rows_summed(attrs, values[ins[0]])))
                g.sum_outs.add(outs[0])
                g.steps.append(steps[k])
            elif kind == READ and id(a) not in g.assigned:
                g.reads.append(steps[k])
            elif kind == READ:
                # A read after the group assigned the variable: the new value, which the
                # loop has in a register (and the variable holds once the group ran).
                n = next(i for i, (var, _, _) in enumerate(g.sinks) if var is a)
                g.forwarded[outs[0]] = n
                g.made.add(outs[0])
                g.post_reads.append(steps[k])
                g.steps.append(steps[k])
            elif (kind == ASSIGN and attrs in ("assign_add", "assign_sub")
                  and ins[0] in g.made and id(a) not in g.assigned
                  and type(a._value) is np.ndarray and a._value.shape == g.shape
                  and a._value.dtype == g.dtype):
                g.body.append(("sink", len(g.sinks)))
                g.sinks.append((a, attrs, ins[0]))
                g.assigned.add(id(a))
                g.steps.append(steps[k])
            else:
                break
            k += 1
        while k > start and steps[k - 1][0] == READ:  # a trailing read: for what follows
            k -= 1
            step = steps[k]
            if g.post_reads and g.post_reads[-1] is step:
                g.post_reads.pop()
                del g.forwarded[step[4][0]]
                g.made.discard(step[4][0])
                g.steps.pop()
            else:
                g.reads.pop()
        if not g.ops or (len(g.ops) + len(g.sinks) + len(g.sums) < 2
                         and g.ops[0][0] not in _MULTI_PASS):
            # Nothing to gain: the first step goes through unchanged, the rest is rescanned.
            new.append(steps[start])
            k = start + 1
            continue
        # Values computed in the group that are read after it, or returned, are stored.
        stored = [o for *_, o in g.ops if o in out_set or last_read.get(o, -1) >= k]
        # Inputs read for the last time here may take a result (checked again at run time).
        donors = [n for n, j in enumerate(g.externals)
                  if start <= last_read.get(j, -1) < k and j not in out_set
                  and values[j].shape == g.shape and values[j].base is None
                  and values[j].flags.writeable]
        try:
            group = _GroupKernel(g, stored, values, donors)
        except Exception as e:  # a kernel numba cannot compile: these steps stay unfused
            _note_failure(e)
            new.append(steps[start])
            k = start + 1
            continue
        new.extend(g.reads)
        new.append((JIT, group, None, tuple(g.externals),
                    tuple(stored) + tuple(o for _, o, _ in g.sums)))
        # Forwarded reads that later steps (or the result) use read the variable again.
        new.extend(r for r in g.post_reads if r[4][0] in out_set or
                   last_read.get(r[4][0], -1) >= k)
        changed += 1
    return new if changed else None


class _GroupKernel:
    """One fused group: `group.call(undo, *externals)` returns the stored values."""

    def __init__(self, g, stored, values, donors=()):
        self.shape, self.dtype = g.shape, g.dtype
        self.sinks = [(var, kind) for var, kind, _ in g.sinks]
        self.names = [name for name, *_ in g.ops] + ["Sum"] * len(g.sums)
        self.sum_shapes = [g.shape[r:] for _, _, r in g.sums]
        self.name = "Fused" + "".join(self.names) + ("Assign" if self.sinks else "")
        # What the unfused fallback runs (see _run_unfused).
        self.steps, self.externals = tuple(g.steps), tuple(g.externals)
        self.literal_arrays = dict(g.literal_arrays)
        self.outputs = tuple(stored) + tuple(o for _, o, _ in g.sums)
        results = [f"o{n}" for n in range(len(stored))] + [
            f"n{n}" for n in range(len(self.sinks))]
        # Results written into inputs that die here, when each is free at run time. A
        # kernel of its own: LLVM vectorizes a loop only when its arrays do not overlap.
        self.donated = dict(zip(results, (f"a{n}" for n in donors)))
        self.source = _kernel_source(g, stored, values, {})
        # Compiled now, for the argument types of the trace (the first call pays, as a
        # first call pays XLA's compile in TF), not on the first replay.
        sizes = list(g.shape)
        full = np.empty(g.shape, g.dtype)
        olds = [var._value for var, _, _ in g.sinks]
        sums = [np.empty(shape, g.dtype) for shape in self.sum_shapes]
        # Rank-0 inputs (NumPy scalars or 0-d arrays: a learning rate) are passed as scalars.
        self.scalars = {n for n, j in enumerate(g.externals) if np.ndim(values[j]) == 0}
        exts = [values[j][()] if n in self.scalars else values[j]
                for n, j in enumerate(g.externals)]
        # With inputs to write into, the in-place kernel is the one replays run; the other
        # (for calls where an input turns out to be held elsewhere) compiles if needed.
        self.kernel = _compile(
            self.source, "kernel",
            None if donors else sizes + [full] * len(results) + olds + sums + exts)
        self.kernel_in_place = None
        if self.donated:
            self.source_in_place = _kernel_source(g, stored, values, self.donated)
            kept = [full for r in results if r not in self.donated]
            self.kernel_in_place = _compile(self.source_in_place, "kernel",
                                            sizes + kept + olds + sums + exts)
        self.call = self._wrapper(len(g.externals), results)

    def _wrapper(self, n_ext, results):
        params = [f"a{n}" for n in range(n_ext)]
        args = [f"a{n}[()]" if n in self.scalars else f"a{n}" for n in range(n_ext)]
        olds = [f"w{n}" for n in range(len(self.sinks))]
        sums = [f"r{n}" for n in range(len(self.sum_shapes))]
        sizes = [str(int(d)) for d in self.shape]
        fallback = f"return _fallback(undo, {', '.join(params) + ',' if params else ''})"
        lines = [f"def group({', '.join(['undo'] + params)}):"]
        for n, w in enumerate(olds):
            lines.append(f"    {w} = var{n}._value")
        for n, r in enumerate(sums):
            # From +0.0, as NumPy's add.reduce starts (a column of -0.0 sums to +0.0).
            lines.append(f"    {r} = _zeros(sum_shape{n}, dtype)")
        indent = "    "
        if self.donated:
            free = " and ".join(
                f"type({a}) is _nd and _rc({a}) == _FREE and {a}.base is None "
                f"and {a}.flags.writeable" for a in self.donated.values())
            lines.append(f"    if {free}:")
            kept = [r for r in results if r not in self.donated]
            for r in kept:
                lines.append(f"        {r} = _empty(shape, dtype)")
            call = ", ".join(sizes + kept + olds + sums + args)
            lines.append(f"        if not kernel_in_place({call}):")
            lines.append(f"            {fallback}")
            for r, a in self.donated.items():
                lines.append(f"        {r} = {a}")
            lines.append("    else:")
            indent = "        "
        for r in results:
            lines.append(f"{indent}{r} = _empty(shape, dtype)")
        lines.append(f"{indent}if not kernel({', '.join(sizes + results + olds + sums + args)}):")
        lines.append(f"{indent}    {fallback}")
        for n in range(len(self.sinks)):
            lines.append(f"    var{n}._value = n{n}")
            lines.append(f"    undo.append((var{n}, {olds[n]}))")
        outs = [r for r in results if r.startswith("o")] + sums
        lines.append(f"    return ({''.join(o + ', ' for o in outs)})")
        ns = {"_empty": np.empty, "_zeros": np.zeros, "shape": self.shape,
              "dtype": self.dtype, "_nd": np.ndarray, "_rc": sys.getrefcount,
              "_FREE": _FREE_REFS, "kernel": self.kernel,
              "kernel_in_place": self.kernel_in_place, "_fallback": self._run_unfused}
        for n, (var, _) in enumerate(self.sinks):
            ns[f"var{n}"] = var
        for n, shape in enumerate(self.sum_shapes):
            ns[f"sum_shape{n}"] = shape
        self.wrapper_source = "\n".join(lines)
        exec(compile(self.wrapper_source, "<tapeflow jit group>", "exec"), ns)
        return ns["group"]

    def _run_unfused(self, undo, *args):
        """The group's steps through their NumPy kernels, for inputs the loop was not
        generated for (a variable whose shape changed): the rest of the replay goes on,
        so nothing that ran before (a tf.print, a random draw) runs twice."""
        stats["mismatches"] += 1
        env = dict(self.literal_arrays)
        env.update(zip(self.externals, args))
        for kind, a, attrs, ins, outs in self.steps:
            if kind == OP:
                env[outs[0]] = a.forward(*[env[j] for j in ins], **(attrs or {}))
            elif kind == READ:
                env[outs[0]] = a._value
            else:  # ASSIGN
                undo.append((a, _assign_array(a, attrs, env[ins[0]])))
        return tuple(env[o] for o in self.outputs)


def _kernel_source(g, stored, values, donated):
    """Numba source of the group's loop nest. Sizes are parameters (the replay passes the
    traced shape), so one compiled kernel serves every shape of the same rank and
    broadcast pattern. `donated`: result -> the input array it is written into."""
    nd = len(g.shape)
    dt = g.dtype.name
    outs = [f"o{n}" for n in range(len(stored))]
    news = [f"n{n}" for n in range(len(g.sinks))]
    olds = [f"w{n}" for n in range(len(g.sinks))]
    exts = [f"a{n}" for n in range(len(g.externals))]
    pre = [f"Z = np.{dt}(0)", f"ONE = np.{dt}(1)"]
    names = {}
    for n, (j, c) in enumerate(g.literals.items()):
        pre.append(f"C{n} = {_literal(c, g.dtype)}")
        names[j] = f"C{n}"
    sums = [f"r{n}" for n in range(len(g.sums))]
    sizes = [f"s{d}" for d in range(nd)]
    params = sizes + [r for r in outs + news if r not in donated] + olds + sums + exts
    lines = [f"def kernel({', '.join(params)}):"]
    full = "(" + "".join(f"s{d}, " for d in range(nd)) + ")"
    for a in [r for r in outs + news if r not in donated] + olds + list(donated.values()):
        lines.append(f"    if {a}.shape != {full}:")
        lines.append("        return False")
    for n, (_, _, r) in enumerate(g.sums):
        tail = "(" + "".join(f"s{d}, " for d in range(r, nd)) + ")"
        lines.append(f"    if {sums[n]}.shape != {tail}:")
        lines.append("        return False")
    loads = []
    for n, j in enumerate(g.externals):
        arr = values[j]
        if np.ndim(arr) == 0:  # passed as a scalar: read once, outside the loops
            lines.append(f"    e{n} = a{n}")
            names[j] = f"e{n}"
            continue
        lead = nd - arr.ndim
        want, index = [], []
        for d, size in enumerate(arr.shape):
            if size == 1 and g.shape[lead + d] != 1:
                want.append("1")
                index.append("0")
            else:
                want.append(f"s{lead + d}")
                index.append(f"i{lead + d}")
        lines.append(f"    if a{n}.shape != ({''.join(w + ', ' for w in want)}):")
        lines.append("        return False")
        at = ", ".join(index) if index else "()"
        loads.append((n, j, f"a{n}[{at}]"))
    indent = "    "
    for d in range(nd):
        lines.append(f"{indent}for i{d} in range(s{d}):")
        indent += "    "
    idx = ", ".join(f"i{d}" for d in range(nd))
    for n, j, text in loads:
        lines.append(f"{indent}e{n} = {text}")
        names[j] = f"e{n}"
    stored_at = {o: n for n, o in enumerate(stored)}
    for item in g.body:
        if item[0] == "op":
            _, template, ins, o = g.ops[item[1]]
            lines.append(f"{indent}t{o} = " + template.format(*(names[j] for j in ins)))
            names[o] = f"t{o}"
            if o in stored_at:
                n = stored_at[o]
                lines.append(f"{indent}{donated.get(outs[n], outs[n])}[{idx}] = t{o}")
        elif item[0] == "sink":
            n = item[1]
            _, kind, j = g.sinks[n]
            op = "+" if kind == "assign_add" else "-"
            lines.append(f"{indent}u{n} = {olds[n]}[{idx}] {op} {names[j]}")
            lines.append(f"{indent}{donated.get(news[n], news[n])}[{idx}] = u{n}")
            for slot, m in g.forwarded.items():
                if m == n:
                    names[slot] = f"u{n}"
        else:
            n = item[1]
            j, _, r = g.sums[n]
            # Row after row onto zeros, as NumPy adds the leading axes of a C-ordered
            # array (see _rows_summed): the same sums in the same order.
            at = ", ".join(f"i{d}" for d in range(r, nd))
            lines.append(f"{indent}{sums[n]}[{at}] += {names[j]}")
    lines.append("    return True")
    return "\n".join(pre + lines) + "\n"


# ---------------------------------------------------------------------------------------
# per-op kernels
# ---------------------------------------------------------------------------------------

_XENT_SOURCE = """
def kernel(logits, labels, loss, backprop):
    n, k = logits.shape
    for i in range(n):
        label = labels[i]
        if label < 0 or label >= k:
            return False
    for i in range(n):
        m = logits[i, 0]
        for j in range(1, k):
            if logits[i, j] > m or logits[i, j] != logits[i, j]:
                m = logits[i, j]
        picked = logits[i, labels[i]] - m  # before the row is overwritten below
        s = Z
        for j in range(k):
            e = np.exp(logits[i, j] - m)
            backprop[i, j] = e
            s += e
        loss[i] = np.log(s) - picked
        for j in range(k):
            backprop[i, j] = backprop[i, j] / s
        backprop[i, labels[i]] -= ONE
    return True
"""


class _JitOp:
    """A primitive with a compiled forward, for the fast replay of one step."""

    def __init__(self, p, forward, name=None):
        self.name, self.primitive, self.forward = name or p.name, p, forward


_XENT_BIAS_SOURCE = _XENT_SOURCE.replace(
    "def kernel(logits, labels, loss, backprop):\n    n, k = logits.shape",
    "def kernel(x, bias, labels, loss, backprop):\n    n, k = x.shape\n"
    "    logits = backprop\n"
    "    if bias.shape[0] != k:\n        return False\n"
    "    for i in range(n):\n        for j in range(k):\n"
    "            logits[i, j] = x[i, j] + bias[j]")


def _sparse_loss(steps, k, values, last_read, out_set):
    """(step, steps consumed) running `SparseSoftmaxCrossEntropyWithLogits` at step k as
    one kernel, with the bias add that produces its logits when nothing else reads their
    sum (a Dense layer without activation); None when step k is not such a loss."""
    kind, xent, attrs, ins, outs = steps[k]
    add = None
    if (kind == OP and xent.name == "AddV2" and not attrs and len(ins) == 2
            and k + 1 < len(steps)):
        add, (kind, xent, attrs, ins2, outs) = xent, steps[k + 1]
        if (kind != OPM or len(ins2) != 2 or ins2[0] != steps[k][4][0] or ins2[1] == ins2[0]
                or last_read.get(ins2[0]) != k + 1 or ins2[0] in out_set):
            return None
        ins = (ins[0], ins[1], ins2[1])
    if kind != OPM or attrs or xent.name != "SparseSoftmaxCrossEntropyWithLogits":
        return None
    traced = [values[j] if j < len(values) else None for j in ins]
    if not all(type(a) is np.ndarray for a in traced):
        return None
    x, labels = traced[0], traced[-1]
    if (x.ndim != 2 or not x.shape[1] or x.dtype not in _FLOATS or labels.dtype not in _LABELS
            or labels.shape != x.shape[:1]
            or (add is not None and (traced[1].shape != x.shape[1:]
                                     or traced[1].dtype != x.dtype))):
        return None
    dt = x.dtype.name
    source = _XENT_SOURCE if add is None else _XENT_BIAS_SOURCE
    try:
        kernel = _compile(f"Z = np.{dt}(0)\nONE = np.{dt}(1)\n" + source, "kernel",
                          traced + [x[:, 0].copy(), x.copy()])
    except Exception as e:
        _note_failure(e)
        return None
    numpy_forward = xent.forward
    # Identity checks on dtypes (`dtype.name` alone costs a microsecond); other inputs and
    # out-of-range labels (the kernel refuses them) take NumPy's path and its error.
    want, want_labels, nd = x.dtype, labels.dtype, np.ndarray

    def fits(x, labels):
        return (type(x) is nd and type(labels) is nd and x.dtype is want
                and labels.dtype is want_labels and x.ndim == 2 and labels.ndim == 1
                and labels.shape[0] == x.shape[0] and x.shape[1])

    if add is None:
        def forward(logits, labels):
            if fits(logits, labels):
                loss, backprop = np.empty(logits.shape[:1], want), np.empty(logits.shape, want)
                if kernel(logits, labels, loss, backprop):
                    return loss, backprop
            return numpy_forward(logits, labels)
        return (OPM, _JitOp(xent, forward), {}, ins, outs), 1

    add_forward = add.forward

    def forward(x, bias, labels):
        if fits(x, labels) and type(bias) is nd and bias.dtype is want and bias.ndim == 1:
            loss, backprop = np.empty(x.shape[:1], want), np.empty(x.shape, want)
            if kernel(x, bias, labels, loss, backprop):
                return loss, backprop
        return numpy_forward(add_forward(x, bias), labels)
    op = _JitOp(xent, forward, "FusedAddV2SparseSoftmaxCrossEntropyWithLogits")
    return (OPM, op, {}, ins, outs), 2

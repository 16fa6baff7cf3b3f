"""Small top-level ops with no better family: tf.print, tf.device, tf.repeat, tf.roll,
tf.sequence_mask, tf.clip_by_global_norm, tf.get_static_value, and graph-era no-ops that
eager code still calls (tf.control_dependencies, tf.init_scope, tf.group, tf.no_op)."""

from __future__ import annotations

import contextlib
import logging
import sys

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import array_ops
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.util import nest

# ---------------------------------------------------------------------------------------
# tf.print
# ---------------------------------------------------------------------------------------


def _format_scalar(v, dt):
    kind = dt.kind
    if kind == "b":
        return "1" if v else "0"
    if kind == "O":
        b = v if isinstance(v, bytes) else str(v).encode()
        return '"' + b.decode("utf-8", "backslashreplace") + '"'
    if kind == "f":
        # Like TensorFlow's C++ formatting: the shortest of %.{digits}g that round-trips.
        short, full = {2: (3, 5), 4: (6, 9), 8: (15, 17)}[dt.itemsize]
        s = "%.*g" % (short, v)
        if dt.type(float(s)) != v and not np.isnan(v):
            s = "%.*g" % (full, v)
        return s
    if kind == "c":
        return f"({_format_scalar(v.real, np.dtype(v.real.dtype))},"\
               f"{_format_scalar(v.imag, np.dtype(v.imag.dtype))})"
    return str(v)


def _format_array(a, summarize, indent=1):
    dt = a.dtype
    if a.ndim == 0:
        return _format_scalar(a[()], dt)
    n = a.shape[0]
    if summarize >= 0 and n > 2 * summarize:
        idx = list(range(summarize)) + [None] + list(range(n - summarize, n))
    else:
        idx = list(range(n))
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else _format_scalar(a[i], dt) for i in idx) + "]"
    rows = ["..." if i is None else _format_array(a[i], summarize, indent + 1) for i in idx]
    sep = "\n" * (a.ndim - 1) + " " * indent
    return "[" + sep.join(rows) + "]"


def _format_value(x, summarize):
    if isinstance(x, (Tensor, Variable)):
        return _format_array(np.asarray(x._value), summarize)
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_format_value(v, summarize)}" for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(_format_value(v, summarize) for v in x) + "]"
    if isinstance(x, tuple):
        inner = ", ".join(_format_value(v, summarize) for v in x)
        return "(" + inner + ("," if len(x) == 1 else "") + ")"
    return str(x)


def _record_print(inputs, kwargs):
    """Under tf.function tracing: record the print so that every replay prints again."""
    from tapeflow._src.framework.tensor import _wrap
    from tapeflow._src.util import nest
    flat = nest.flatten(list(inputs))
    idx = [i for i, x in enumerate(flat) if isinstance(x, (Tensor, Variable))]
    tensors = [x._read() if isinstance(x, Variable) else x for x in (flat[i] for i in idx)]

    def effect(*arrays):
        leaves = list(flat)
        for i, a in zip(idx, arrays):
            leaves[i] = _wrap(a)
        print_(*nest.pack_sequence_as(list(inputs), leaves), **kwargs)
    context.tracer.effect(effect, tensors)


def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors the way TensorFlow's tf.print does (to stderr by default).

    Tensors print as their values (`[1 2 3]`, long dimensions summarised to `summarize`
    items at each end); other arguments print with str().
    """
    if context.tracer is not None:
        # Recorded for every replay; printed once the trace is complete (as TF prints when
        # the traced graph first runs, after the Python-side prints of tracing).
        kwargs = dict(output_stream=output_stream, summarize=summarize, sep=sep, end=end)
        _record_print(inputs, kwargs)
        context.tracer.pending.append(lambda: print_(*inputs, **kwargs))
        return None
    text = sep.join(_format_value(x, summarize) for x in inputs) + end
    if output_stream is None:
        output_stream = sys.stderr  # looked up per call, so redirections are honoured
    if isinstance(output_stream, str):
        if output_stream.startswith("file://"):
            with open(output_stream[len("file://"):], "a") as f:
                f.write(text)
            return None
        raise ValueError(f"Unsupported output stream: {output_stream!r}")
    if isinstance(output_stream, logging.Logger):
        output_stream.info(text.rstrip("\n"))
        return None
    output_stream.write(text)
    return None


# ---------------------------------------------------------------------------------------
# Graph-era calls that are no-ops in eager mode
# ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def device(device_name):
    """Accepted for compatibility: tapeflow runs every op on the CPU."""
    yield


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Eager ops run in program order already, so this does nothing."""
    yield


@contextlib.contextmanager
def init_scope():
    """Code in this block runs eagerly, outside any tf.function being traced.

    Its ops and assignments are not recorded (they happen once, at trace time) and its
    results are constants of the trace: the place for one-time initialisation.
    """
    tracer = context.tracer
    if tracer is None:
        yield
        return
    from tapeflow._src.function import tracing
    saved = tracing.suspend()
    try:
        yield
    finally:
        tracing.resume(saved)


def no_op(name=None):
    return None


def group(*inputs, **kwargs):
    return None


def inside_function():
    """True while a tf.function is being traced."""
    return context.tracer is not None


def identity_n(input, name=None):  # noqa: A002
    return [array_ops.identity(x) for x in input]


def get_static_value(tensor, partial=False):
    """The NumPy value of a tensor (always known in eager mode); other values pass through."""
    if isinstance(tensor, (Tensor, Variable)):
        return tensor.numpy() if isinstance(tensor, Tensor) else tensor.numpy()
    return tensor


def ensure_shape(x, shape, name=None):
    """Returns x after checking that its shape is compatible with `shape`."""
    from tapeflow._src.framework.errors import InvalidArgumentError
    from tapeflow._src.framework.tensor_shape import TensorShape
    t = to_tensor(x)
    if not TensorShape(shape).is_compatible_with(t.shape):
        raise InvalidArgumentError(None, None, f"Shape of tensor x {list(t.shape)} is not "
                                   f"compatible with expected shape "
                                   f"{TensorShape(shape).as_list()}. [Op:EnsureShape] name: ")
    return t


# ---------------------------------------------------------------------------------------
# Composite array ops (gradients come from the ops they are made of)
# ---------------------------------------------------------------------------------------

def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats elements of `input` (flattened when axis is None) `repeats` times each."""
    x = to_tensor(input)
    if axis is None:
        x = array_ops.reshape(x, [-1])
        axis = 0
    axis = int(axis) % max(x._value.ndim, 1)
    reps = np.broadcast_to(np.asarray(to_tensor(repeats)._value).reshape(-1),
                           (x._value.shape[axis],))
    idx = np.repeat(np.arange(x._value.shape[axis]), reps)
    from tapeflow._src.ops.gather_ops import gather
    return gather(x, _wrap(idx.astype(np.int64)), axis=axis)


def roll(input, shift, axis, name=None):  # noqa: A002
    """Rolls elements along `axis` by `shift` (positive: towards higher indices)."""
    x = to_tensor(input)
    from tapeflow._src.autodiff.record import peek
    shifts = np.asarray(peek(to_tensor(shift))).reshape(-1)
    axes = np.asarray(peek(to_tensor(axis))).reshape(-1)
    shifts, axes = np.broadcast_arrays(shifts, axes)
    from tapeflow._src.ops.gather_ops import gather
    for s, a in zip(shifts.tolist(), axes.tolist()):
        n = x._value.shape[a]
        if n == 0:
            continue
        idx = (np.arange(n) - s) % n
        x = gather(x, _wrap(idx.astype(np.int64)), axis=a)
    return x


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool_, name=None):
    """mask[i, j] = j < lengths[i] (shape lengths.shape + [maxlen])."""
    from tapeflow._src.autodiff.record import derived, peek
    ln_t = to_tensor(lengths)
    ln = np.asarray(ln_t._value)
    if maxlen is None:
        ln = np.asarray(peek(ln_t))  # the result's shape depends on the values
        m = int(ln.max()) if ln.size else 0
    else:
        m = int(np.asarray(peek(to_tensor(maxlen))))
    dt = dtypes.as_dtype(dtype)._np
    return derived(lambda a: (np.arange(m) < np.asarray(a)[..., None]).astype(dt), ln_t)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns (list, norm)."""
    from tapeflow._src.ops.math_ops import cast, maximum, multiply, sqrt
    from tapeflow._src.ops.reduction_ops import reduce_sum
    items = [None if t is None else to_tensor(t) for t in nest.flatten(t_list)]
    present = [t for t in items if t is not None]
    if use_norm is None:
        if present:
            sq = [reduce_sum(t * t) for t in present]
            total = sq[0]
            for s in sq[1:]:
                total = total + cast(s, total.dtype)
            use_norm = sqrt(total)
        else:
            use_norm = to_tensor(0.0)
    norm = to_tensor(use_norm)
    cn = cast(to_tensor(clip_norm), norm.dtype)
    scale = cn / maximum(norm, cn)
    out = [None if t is None else multiply(t, cast(scale, t.dtype)) for t in items]
    return nest.pack_sequence_as(t_list, out), norm


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted (pytest's capture too)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


# TF attaches a stderr handler to its logger, so its warnings read
# "WARNING:tensorflow:5 out of the last 5 calls to ..." without any logging setup.
_logger = logging.getLogger("tapeflow")
if not _logger.handlers:
    _handler = _StderrHandler()
    _handler.setFormatter(logging.Formatter("%(levelname)s:tensorflow:%(message)s"))
    _logger.addHandler(_handler)


def get_logger():
    return _logger

"""`tf.GradientTape`: records ops on watched values and runs the backward pass.

The backward pass calls each record's gradient rule, which is written in tapeflow ops, so
any tape still recording (an outer tape, or this one when `gradient` is called inside its
own context) records the backward computation too: that is all higher-order gradients need.
"""

from __future__ import annotations

import contextlib
import enum
import logging

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable
from tapeflow._src.util import nest

_log = logging.getLogger("tapeflow")


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


_NONE, _ZERO = UnconnectedGradients.NONE, UnconnectedGradients.ZERO  # (enum lookups cost)

# backprop and explain import this module, so they are imported on first use and kept here
# (a function-level import costs about a microsecond on every gradient call).
_backprop = _explain = None


def _load():
    global _backprop, _explain
    from tapeflow._src.autodiff import backprop, explain
    _backprop, _explain = backprop, explain


def _is_trainable_dtype(dtype) -> bool:
    return dtype in dtypes.INEXACT


class GradientTape:
    """Records operations on watched tensors and variables to compute gradients.

    Trainable variables read inside the `with` block are watched automatically (unless
    `watch_accessed_variables=False`); tensors must be watched with `watch`.

    Args:
      persistent: allow more than one call to `gradient`/`jacobian`.
      watch_accessed_variables: watch trainable variables as they are read.

    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * x
    >>> float(tape.gradient(y, x))
    6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._records = []
        self._watched = set()  # ids of watched tensors/variables (and recorded outputs)
        self._watched_objs = []  # keeps explicitly watched objects alive while watched
        self._watched_vars = []
        self._recording = False
        self._used = False
        self._entered = False  # TF's tape exists only once the `with` block is entered

    # -- context --------------------------------------------------------------------------
    def __enter__(self):
        self._entered = True
        self._push()
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._recording:
            self._pop()
        return False

    def _push(self):
        self._recording = True
        context.tapes.append(self)

    def _pop(self):
        self._recording = False
        for i in range(len(context.tapes) - 1, -1, -1):
            if context.tapes[i] is self:
                del context.tapes[i]
                break

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded on this tape.

        Raises:
          RuntimeError: if the tape is not currently recording.

        >>> x = tf.constant(2.0)
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     with tape.stop_recording():
        ...         y = x * x
        >>> print(tape.gradient(y, x))
        None
        """
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self):
        """Forgets everything recorded and watched so far, as if the tape were new.

        Inside the `with` block the tape keeps recording afterwards.
        """
        self._records = []
        self._watched = set()
        self._watched_objs = []
        self._watched_vars = []
        self._used = False

    # -- watching -------------------------------------------------------------------------
    def watch(self, tensor):
        """Watches a tensor, a variable, or a nested structure of them."""
        if not self._entered or (self._used and not self._persistent):
            # TF's message: the tape object behind it does not exist (yet, or any more).
            raise AttributeError("'NoneType' object has no attribute '_tape'")
        for t in nest.flatten(tensor):
            if isinstance(t, Variable):
                self._watch_variable(t._parent if hasattr(t, "_parent") else t)
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
            if not _is_trainable_dtype(t.dtype):
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got tf.%s", t.dtype.name)
            if id(t) not in self._watched:
                self._watched.add(id(t))
                self._watched_objs.append(t)

    def _watch_variable(self, v):
        if id(v) not in self._watched:
            self._watched.add(id(v))
            self._watched_vars.append(v)

    def _on_variable_read(self, v):
        if self._watch_accessed and v._trainable and id(v) not in self._watched:
            self._watch_variable(v)

    def watched_variables(self):
        """The variables this tape watches, in the order they were first watched."""
        return tuple(self._watched_vars)

    # -- gradients ------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """The gradient of `target` (summed if a structure) with respect to `sources`.

        Args:
          target: a Tensor or Variable, or a nested structure of them (their sum is
            differentiated).
          sources: a Tensor or Variable, or a nested structure (list, tuple, dict) of them.
          output_gradients: gradients of the targets (default ones), same structure.
          unconnected_gradients: `tf.UnconnectedGradients.NONE` (None for sources the
            target does not depend on) or `ZERO`.

        Returns:
          Gradients in the structure of `sources`.

        Raises:
          RuntimeError: on a second call to a non-persistent tape.
        """
        self._check_usable()
        if unconnected_gradients is not _NONE:
            unconnected_gradients = UnconnectedGradients(unconnected_gradients)
        # Fast paths for the common call, `tape.gradient(loss, [variables...])`: a single
        # Tensor target and a flat list or tuple of sources need no nest traversal.
        flat_targets = [target] if type(target) is Tensor else nest.flatten(target)
        stype = type(sources)
        flat = stype is list or stype is tuple
        if flat:
            for s in sources:
                if not isinstance(s, (Tensor, Variable)):
                    flat = False
                    break
        flat_sources = list(sources) if flat else nest.flatten(sources)
        if not flat:
            for s in flat_sources:
                if not isinstance(s, (Tensor, Variable)):
                    raise ValueError(f"Passed in object {s!r} of type {type(s).__name__!r}, "
                                     f"not tf.Tensor or tf.Variable or ExtensionType.")
        if output_gradients is not None:
            flat_out = nest.flatten(output_gradients)
            if len(flat_out) != len(flat_targets):
                raise ValueError("Target and output_gradients must have the same structure; "
                                 f"got {len(flat_targets)} targets and {len(flat_out)} "
                                 "output gradients.")
        else:
            flat_out = [None] * len(flat_targets)
        if _backprop is None:
            _load()
        grads = _backprop.backward(self._records, flat_targets, flat_out, flat_sources,
                                   watched=self._watched)
        if _explain.active:
            _explain.explain(self, flat_targets, flat_sources, grads)
        results = []
        if unconnected_gradients is _ZERO:
            for s, g in zip(flat_sources, grads):
                results.append(_zeros_for(s) if g is None else g)
        else:
            results = grads
        self._finish()
        if flat:
            return results if stype is list else tuple(results)
        return nest.pack_sequence_as(sources, results)

    def _check_usable(self):
        """Raises on reuse of a spent non-persistent tape; handles calls inside the block."""
        if (self._used and not self._persistent) or not self._entered:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        if self._recording:
            if not self._persistent:
                # As in TensorFlow: the tape silently stops recording for good.
                self._pop()
            else:
                _log.warning("Calling GradientTape.gradient on a persistent tape inside its "
                             "context is significantly less efficient than calling it outside "
                             "the context (it causes the gradient ops to be recorded on the "
                             "tape, leading to increased CPU and memory usage). Only call "
                             "GradientTape.gradient inside the context if you actually want "
                             "to trace the gradient in order to compute higher order "
                             "derivatives.")

    def _finish(self):
        if not self._persistent:
            self._used = True
            self._release()

    def _release(self):
        """Drops every record (and so every intermediate tensor) held by this tape."""
        self._records = []
        self._watched = set()
        self._watched_objs = []

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of `target` with respect to each source.

        Each result has shape `target.shape + source.shape` (None, or zeros with
        `UnconnectedGradients.ZERO`, for unconnected sources). All rows are computed in
        one backward pass over a batch of cotangents when every recorded op supports it,
        otherwise one backward pass per element of `target` (see `jacobians.py`).
        `parallel_iterations` and `experimental_use_pfor` are accepted and ignored.

        >>> x = tf.constant([1.0, 2.0])
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.jacobian(y, x).numpy()
        array([[2., 0.],
               [0., 4.]], dtype=float32)
        """
        from tapeflow._src.autodiff import explain, jacobians
        self._check_usable()
        result = jacobians.jacobian(self._records, target, sources,
                                    UnconnectedGradients(unconnected_gradients), self._watched)
        if explain.active:
            explain.explain(self, [target], nest.flatten(sources), nest.flatten(result))
        self._finish()
        return result

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: `[batch] + target.shape[1:] + source.shape[1:]`.

        Assumes row `i` of `target` depends only on row `i` of `source` (the batch
        dimension must match and both ranks must be at least 2).

        >>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.batch_jacobian(y, x).shape
        TensorShape([2, 2, 2])
        """
        from tapeflow._src.autodiff import explain, jacobians
        self._check_usable()
        result = jacobians.batch_jacobian(self._records, target, source,
                                          UnconnectedGradients(unconnected_gradients),
                                          self._watched)
        if explain.active:
            explain.explain(self, [target], [source], [result])
        self._finish()
        return result


def _zeros_for(s):
    from tapeflow._src.ops import array_ops
    from tapeflow._src.framework.tensor import _wrap
    if isinstance(s, Variable):
        s = _wrap(s._value)
    return array_ops.zeros_like(s)

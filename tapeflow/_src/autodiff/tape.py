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
        self._entered = False

    # -- context --------------------------------------------------------------------------
    def __enter__(self):
        self._recording = True
        self._entered = True
        context.tapes.append(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        self._recording = False
        self._entered = False
        try:
            context.tapes.remove(self)
        except ValueError:
            pass
        return False

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded on this tape."""
        if not self._entered:
            raise ValueError("Tape must be recording.")
        self._recording = False
        try:
            yield
        finally:
            self._recording = True

    def reset(self):
        """Forgets everything recorded and watched so far."""
        self._records = []
        self._watched = set()
        self._watched_objs = []
        self._watched_vars = []
        self._used = False

    # -- watching -------------------------------------------------------------------------
    def watch(self, tensor):
        """Watches a tensor, a variable, or a nested structure of them."""
        for t in nest.flatten(tensor):
            if isinstance(t, Variable):
                self._watch_variable(t._parent if hasattr(t, "_parent") else t)
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
            if not _is_trainable_dtype(t.dtype):
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got %r", t.dtype)
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
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        if self._entered and self._recording:
            if not self._persistent:
                self._recording = False
                _log.warning("Calling GradientTape.gradient on a non-persistent tape inside "
                             "its context stops it recording.")
            else:
                _log.warning("Calling GradientTape.gradient on a persistent tape inside its "
                             "context is significantly less efficient than calling it outside "
                             "the context (it causes the gradient ops to be recorded on the "
                             "tape, leading to increased CPU and memory usage). Only call "
                             "GradientTape.gradient inside the context if you actually want "
                             "to trace the gradient in order to compute higher order "
                             "derivatives.")
        unconnected_gradients = UnconnectedGradients(unconnected_gradients)
        flat_targets = nest.flatten(target)
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, (Tensor, Variable)):
                raise ValueError(f"Passed in object {s!r} of type {type(s).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
        if output_gradients is not None:
            flat_out = nest.flatten(output_gradients)
            if len(flat_out) != len(flat_targets):
                raise ValueError("Target and output_gradients must have the same structure; "
                                 f"got {len(flat_targets)} targets and {len(flat_out)} "
                                 "output gradients.")
        else:
            flat_out = [None] * len(flat_targets)
        from tapeflow._src.autodiff import backprop
        grads = backprop.backward(self._records, flat_targets, flat_out, flat_sources)
        results = []
        for s, g in zip(flat_sources, grads):
            if g is None and unconnected_gradients is UnconnectedGradients.ZERO:
                from tapeflow._src.ops import array_ops
                g = array_ops.zeros_like(s)
            results.append(g)
        if not self._persistent:
            self._used = True
            self._release()
        return nest.pack_sequence_as(sources, results)

    def _release(self):
        self._records = []
        self._watched = set()
        self._watched_objs = []

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target / d source for each source: shape target.shape + source.shape."""
        from tapeflow._src.autodiff import jacobians
        return jacobians.jacobian(self, target, sources, unconnected_gradients)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobian: shape [batch] + target.shape[1:] + source.shape[1:]."""
        from tapeflow._src.autodiff import jacobians
        return jacobians.batch_jacobian(self, target, source, unconnected_gradients)

    def __del__(self):
        # Drop records eagerly; nothing here refers back to the tape, so this is a courtesy.
        self._records = None

"""`tf.autodiff.ForwardAccumulator`: Jacobian-vector products (forward mode).

Design choice: forward mode is derived from reverse mode with the "double VJP" trick
rather than per-op JVP rules. While active, the accumulator records ops on its primals
exactly like a tape. For a value y, the VJP  g(u) = J^T u  is linear in the cotangent u,
so  J v = d/du <g(u), v>: `jvp(y)` runs the backward pass with a watched dummy cotangent
`u`, then differentiates the result with respect to `u` using the tangents `v` as output
gradients. Every gradient rule is written in tapeflow ops, so this works for any op
whose gradient is itself differentiable (the op table checks grad_order >= 2), and it
nests with GradientTape (Hessian-vector products) and with other accumulators.
The cost is two backward passes over the accumulator's records per `jvp` call.
"""

from __future__ import annotations

from tapeflow._src.autodiff import backprop
from tapeflow._src.autodiff.tape import GradientTape, UnconnectedGradients
from tapeflow._src.framework import context
from tapeflow._src.framework.convert import convert_to_tensor
from tapeflow._src.framework.tensor import Tensor, _wrap
from tapeflow._src.framework.variables import Variable
from tapeflow._src.util import nest


class ForwardAccumulator:
    """Computes Jacobian-vector products of values computed from `primals`.

    Args:
      primals: a Tensor or Variable, or a nested structure of them.
      tangents: the direction for each primal, in the same structure, with matching
        dtypes (converted to each primal's dtype).

    Use it as a context manager: ops run inside the block on values derived from the
    primals are recorded, and `jvp(y)` returns the directional derivative of `y`.

    >>> x = tf.constant([1.0, 2.0])
    >>> with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
    ...     y = x * x
    >>> acc.jvp(y).numpy()
    array([2., 0.], dtype=float32)
    """

    def __init__(self, primals, tangents):
        flat_p = nest.flatten(primals)
        flat_t = nest.flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError("primals and tangents must have the same structure.")
        self._primals = []
        self._tangents = {}
        self._records = []
        self._watched = set()
        self._recording = False
        for p, t in zip(flat_p, flat_t):
            if isinstance(p, Variable):
                p = getattr(p, "_parent", None) or p
                dtype = p.dtype
            elif isinstance(p, Tensor):
                dtype = p.dtype
            else:
                raise ValueError(f"Passed in object {p!r} of type {type(p).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
            if isinstance(t, Tensor) and t.dtype != dtype:
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {t.dtype.name}: {t!r}")
            t = convert_to_tensor(t, dtype=dtype)
            self._primals.append(p)
            self._tangents[backprop._key(p)] = t
            self._watched.add(id(p))

    # The recording protocol shared with GradientTape (see record.py).
    def _on_variable_read(self, variable):
        pass  # only primals are watched

    def __enter__(self):
        self._recording = True
        context.tapes.append(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        self._recording = False
        for i in range(len(context.tapes) - 1, -1, -1):
            if context.tapes[i] is self:
                del context.tapes[i]
                break
        return False

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The Jacobian-vector product of each value in `primals` (a nested structure).

        Returns None (or zeros with `UnconnectedGradients.ZERO`) for values that do not
        depend on the accumulator's primals.
        """
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat = nest.flatten(primals)
        was_recording = self._recording
        self._recording = False  # do not record our own computation
        try:
            out = [self._jvp_one(y, unconnected) for y in flat]
        finally:
            self._recording = was_recording
        return nest.pack_sequence_as(primals, out)

    def _jvp_one(self, y, unconnected):
        from tapeflow._src.ops import array_ops
        key = backprop._key(y)
        if key in self._tangents:
            return self._tangents[key]
        yt = _wrap(y._value) if isinstance(y, Variable) else y
        result = None
        if key in self._watched and yt._value.dtype.kind in "fc":
            u = array_ops.zeros_like(yt)
            with GradientTape() as inner:
                inner.watch(u)
                vjps = backprop.backward(self._records, [y], [u], self._primals)
            pairs = [(g, self._tangents[backprop._key(p)])
                     for g, p in zip(vjps, self._primals) if g is not None]
            if pairs:
                result = inner.gradient([g for g, _ in pairs], u,
                                        output_gradients=[t for _, t in pairs])
        if result is None and unconnected is UnconnectedGradients.ZERO:
            result = array_ops.zeros_like(yt)
        return result

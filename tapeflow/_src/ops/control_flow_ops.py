"""Functional control flow (tf.cond, tf.while_loop, tf.map_fn, tf.scan, ...) run eagerly.

In eager mode TensorFlow runs these as ordinary Python control flow: the branch or loop
body is called with tensors and every op inside is recorded on active tapes like any other,
so they are differentiable with no special gradient code. tapeflow does the same. (Inside
tf.function TensorFlow builds graph loops instead; tapeflow has no tf.function yet.)
"""

from __future__ import annotations

from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.variables import Variable
from tapeflow._src.ops import array_ops
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.util import nest


def _truth(pred, op):
    p = to_tensor(pred)
    if p._value.ndim != 0:
        raise ValueError(f"{op}: the predicate must be a scalar, got a tensor of shape "
                         f"{p.shape}.")
    return bool(p)  # under tf.function tracing this records a guard


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Calls `true_fn()` if `pred` is true, else `false_fn()`, and returns its result.

    >>> tf.cond(tf.constant(2) > 1, lambda: tf.constant("yes"), lambda: tf.constant("no"))
    <tf.Tensor: shape=(), dtype=string, numpy=b'yes'>
    """
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): 'true_fn' and 'false_fn' arguments are required.")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    return true_fn() if _truth(pred, "cond") else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the function of the first pair whose predicate is true (else `default`)."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    chosen = [fn for pred, fn in pairs if _truth(pred, "case")]
    if exclusive and len(chosen) > 1:
        from tapeflow._src.framework.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "case: more than one predicate evaluated as "
                                   "True with exclusive=True.")
    if chosen:
        return chosen[0]()
    if default is None:
        if not pairs:
            raise ValueError("case: pred_fn_pairs is empty and no default was given.")
        return pairs[-1][1]()
    return default()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Calls `branch_fns[branch_index]()`; an out-of-range index calls `default` (or the
    last branch, as TensorFlow does)."""
    idx = to_tensor(branch_index)
    if idx._value.dtype.kind not in "iu" or idx._value.ndim != 0:
        raise TypeError(f"branch_index must be an int32 or int64 scalar, got {idx!r}")
    fns = dict(branch_fns) if isinstance(branch_fns, dict) else dict(enumerate(branch_fns))
    i = int(idx)
    if i in fns:
        return fns[i]()
    return default() if default is not None else fns[max(fns)]()


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true.

    >>> tf.while_loop(lambda i: i < 10, lambda i: (i + 1,), [tf.constant(0)])
    [<tf.Tensor: shape=(), dtype=int32, numpy=10>]
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    single = not isinstance(loop_vars, (list, tuple))
    state = loop_vars
    n = 0
    limit = None if maximum_iterations is None else int(to_tensor(maximum_iterations))
    while limit is None or n < limit:
        args = (state,) if single else tuple(state)
        if not _truth(cond(*args), "while_loop"):
            break
        out = body(*args)
        if single:
            state = out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out
        else:
            if not isinstance(out, (list, tuple)):
                out = (out,)
            if len(out) != len(state):
                raise ValueError(f"The two structures don't have the same number of "
                                 f"elements: loop_vars has {len(state)}, body returned "
                                 f"{len(out)}.")
            state = out  # TF returns the body's own structure (a tuple stays a tuple)
        n += 1
    return state


def _unstack_elems(elems):
    flat = [to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must be a non-empty Tensor or structure of Tensors.")
    n = flat[0]._value.shape[0] if flat[0]._value.ndim else None
    for e in flat:
        if e._value.ndim == 0 or e._value.shape[0] != n:
            raise ValueError("Elements in elems must be tensors of rank >= 1 with the same "
                             "first dimension.")
    columns = [array_ops.unstack(e) for e in flat]
    return n, [nest.pack_sequence_as(elems, [c[i] for c in columns]) for i in range(n)]


def _stack_results(results, fn_output_signature=None):
    if not results:
        return []
    flat = [nest.flatten(r) for r in results]
    stacked = [array_ops.stack([to_tensor(f[j]) for f in flat]) for j in range(len(flat[0]))]
    return nest.pack_sequence_as(results[0], stacked)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """Applies `fn` to each slice of `elems` along axis 0 and stacks the results.

    >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3])).numpy()
    array([1, 4, 9], dtype=int32)
    """
    n, items = _unstack_elems(elems)
    results = [fn(item) for item in items]
    if n == 0:
        raise NotImplementedError("map_fn over an empty first dimension needs the output "
                                  "signature; tapeflow does not infer it yet.")
    return _stack_results(results, fn_output_signature)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """Same result as map_fn (tapeflow runs it as a loop over the first dimension)."""
    return map_fn(fn, elems)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Accumulates `acc = fn(acc, x)` over axis 0 of `elems`, stacking every `acc`."""
    n, items = _unstack_elems(elems)
    if reverse:
        items = items[::-1]
    if initializer is None:
        if n == 0:
            raise ValueError("scan over empty elems needs an initializer.")
        acc, items = items[0], items[1:]
        outs = [acc]
    else:
        acc, outs = initializer, []
    for x in items:
        acc = fn(acc, x)
        outs.append(acc)
    if reverse:
        outs = outs[::-1]
    return _stack_results(outs)


def _fold(fn, elems, initializer, op, reverse):
    """`acc = fn(acc, x)` over axis 0 of `elems` (from the right when `reverse`)."""
    n, items = _unstack_elems(elems)
    if reverse:
        items = items[::-1]
    if initializer is None:
        if n == 0:
            raise ValueError(f"{op} over empty elems needs an initializer.")
        acc, items = items[0], items[1:]
    else:
        acc = initializer
    for x in items:
        acc = fn(acc, x)
    return acc


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Reduces `elems` along axis 0 from the left with `acc = fn(acc, x)`."""
    return _fold(fn, elems, initializer, "foldl", reverse=False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Reduces `elems` along axis 0 from the right with `acc = fn(acc, x)`."""
    return _fold(fn, elems, initializer, "foldr", reverse=True)


class TensorArray:
    """A list of tensors of one dtype, written by index (`tf.TensorArray`, eager semantics).

    Writes return the array (TensorFlow code reassigns it: `ta = ta.write(i, x)`). Reads and
    `stack()` are ordinary ops, so gradients flow through them.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        from tapeflow._src.framework import dtypes
        self._dtype = dtypes.as_dtype(dtype)
        self._size = 0 if size is None else int(to_tensor(size)._value)
        self._dynamic = bool(dynamic_size)
        self._items = [None] * self._size
        self._element_shape = element_shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic

    @property
    def element_shape(self):
        from tapeflow._src.framework.tensor_shape import TensorShape
        for it in self._items:
            if it is not None:
                return it.shape
        return TensorShape(self._element_shape)

    def size(self, name=None):
        from tapeflow._src.framework.convert import constant
        return constant(len(self._items))

    def _check_index(self, i):
        i = int(to_tensor(i)._value)
        if i < 0 or (i >= len(self._items) and not self._dynamic):
            from tapeflow._src.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"Tried to write to index {i} but array is "
                                       f"not resizeable and size is: {len(self._items)}")
        return i

    def write(self, index, value, name=None):
        i = self._check_index(index)
        v = to_tensor(value, dtype=self._dtype) if not isinstance(value, (Tensor, Variable)) \
            else to_tensor(value)
        if v.dtype != self._dtype:
            from tapeflow._src.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} "
                                       f"but Op is trying to write dtype {v.dtype.name}")
        while i >= len(self._items):
            self._items.append(None)
        self._items[i] = v
        return self

    def read(self, index, name=None):
        i = int(to_tensor(index)._value)
        if not 0 <= i < len(self._items) or self._items[i] is None:
            from tapeflow._src.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"Could not read from TensorArray index "
                                       f"{i} because it has not yet been written to.")
        return self._items[i]

    def stack(self, name=None):
        if not self._items:
            from tapeflow._src.ops.array_creation import zeros
            shape = [0] + list(self._element_shape or [])
            return zeros(shape, dtype=self._dtype)
        return array_ops.stack([self.read(i) for i in range(len(self._items))])

    def gather(self, indices, name=None):
        idx = to_tensor(indices)._value.reshape(-1).tolist()
        return array_ops.stack([self.read(i) for i in idx])

    def concat(self, name=None):
        return array_ops.concat([self.read(i) for i in range(len(self._items))], axis=0)

    def unstack(self, value, name=None):
        parts = array_ops.unstack(to_tensor(value))
        self._items = list(parts)
        return self

    def scatter(self, indices, value, name=None):
        parts = array_ops.unstack(to_tensor(value))
        for i, p in zip(to_tensor(indices)._value.reshape(-1).tolist(), parts):
            self.write(i, p)
        return self

    def split(self, value, lengths, name=None):
        parts = array_ops.split(to_tensor(value), [int(x) for x in
                                                  to_tensor(lengths)._value.reshape(-1)])
        self._items = list(parts)
        return self

    def identity(self):
        return self

    def close(self, name=None):
        self._items = []

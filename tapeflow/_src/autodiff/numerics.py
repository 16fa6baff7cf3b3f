"""NaN/Inf checks: `tf.debugging.check_numerics` and `enable_check_numerics`.

`enable_check_numerics()` wraps every primitive's NumPy forward with a check (see
_patch.py) and installs `backprop.grad_op_hook`; `disable_check_numerics()` puts the
originals back. While disabled nothing in the op call path changes: it costs nothing.
"""

from __future__ import annotations

import collections
import linecache
import os
import sys
import weakref

import numpy as np

from tapeflow._src.autodiff import _patch, backprop
from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import InvalidArgumentError
from tapeflow._src.ops import rules
from tapeflow._src.ops._helpers import to_tensor
from tapeflow._src.ops.registry import primitive

_CHECKABLE = frozenset({dtypes.float16, dtypes.float32, dtypes.float64})


@primitive("CheckNumerics", shape=rules.same_shape, dtype=rules.same_as_input,
           allowed=_CHECKABLE)
def _check_numerics(x, *, message):
    if np.isnan(x).any():
        raise InvalidArgumentError(None, None, f"{message} : Tensor had NaN values "
                                               f"[Op:CheckNumerics] name: ")
    if np.isinf(x).any():
        raise InvalidArgumentError(None, None, f"{message} : Tensor had Inf values "
                                               f"[Op:CheckNumerics] name: ")
    return x


@_check_numerics.grad
def _check_numerics_grad(op, dy):
    # The gradient is checked too, as in TensorFlow.
    return _check_numerics(dy, message="Not a number (NaN) or infinity (Inf) values detected "
                                       "in gradient. " + op.attrs["message"])


def check_numerics(tensor, message, name=None):
    """Returns `tensor` unchanged, or raises if it contains NaN or Inf.

    Raises:
      InvalidArgumentError: on NaN or Inf values (or a non-floating dtype).

    >>> tf.debugging.check_numerics(tf.constant([1.0]), "x").numpy()
    array([1.], dtype=float32)
    """
    return _check_numerics(to_tensor(tensor), message=str(message))


def assert_all_finite(x, message, name=None):
    """`check_numerics` under its assertion name: returns `x` if all values are finite."""
    return check_numerics(x, message, name)


# -- enable_check_numerics -----------------------------------------------------------------

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_original_call = None   # the saved forwards while enabled
_strong = collections.OrderedDict()   # scalar outputs kept alive for _origins
_origins: dict = {}   # id(output array) -> (weakref, creation site), only while enabled


class _GradState:
    """What backprop tells us: the forward record whose gradient rule is running."""

    current = None


_grad_state = _GradState()


def _user_site():
    """'file:line (in fn)\\n    source' of the innermost frame outside tapeflow."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return "<unknown>"
    code = f.f_code
    line = linecache.getline(code.co_filename, f.f_lineno).strip()
    return f"{code.co_filename}:{f.f_lineno} (in {code.co_name})\n    {line}"


def _describe(i, v):
    v = np.asarray(v)
    text = f"    {i}: dtype={dtypes.from_numpy(v.dtype).name} shape={tuple(v.shape)}"
    if v.size and v.dtype.kind in "fiu":
        finite = v[np.isfinite(v)] if v.dtype.kind == "f" else v.reshape(-1)
        if finite.size:
            text += f" min={finite.min().item()!r} max={finite.max().item()!r}"
        if v.dtype.kind == "f":
            text += f" nan={int(np.isnan(v).sum())} inf={int(np.isinf(v).sum())}"
    return text


def _report(prim, index, v, inputs):
    nan = int(np.isnan(v).sum())
    kind = "NaN" if nan else "Inf"
    lines = [f"!!! Detected Infinity or NaN in output {index} of op \"{prim.name}\" !!!",
             f"  dtype: {dtypes.from_numpy(v.dtype).name}", f"  shape: {tuple(v.shape)}",
             f"  # of NaN elements: {nan}", f"  # of Inf elements: {int(np.isinf(v).sum())}",
             f"  Called from: {_user_site()}", f"  Input tensors ({len(inputs)}):"]
    lines += [_describe(i, a) for i, a in enumerate(inputs)]
    rec = _grad_state.current
    if rec is not None:
        site = None
        for o in rec.outputs:
            entry = _origins.get(id(o._value))
            if entry is not None and entry[0]() is o._value:
                site = entry[1]
                break
        lines.append(f"  While computing the gradient of forward op \"{rec.type}\""
                     + (f" created at {site}" if site else ""))
    return "\n".join(lines) + f"\n : Tensor had {kind} values [Op:{prim.name}] name: "


_MAX_STRONG = 10000


def _remember(out, site):
    key = id(out)
    try:
        ref = weakref.ref(out, lambda _, k=key: _origins.pop(k, None))
    except TypeError:
        # NumPy scalars cannot be weakly referenced: hold a bounded number of them strongly.
        _strong[key] = out
        if len(_strong) > _MAX_STRONG:
            old, _ = _strong.popitem(last=False)
            _origins.pop(old, None)

        def ref(o=out):
            return o
    _origins[key] = (ref, site)


def _checking(prim, forward):
    def checked(*arrays, **attrs):
        out = forward(*arrays, **attrs)
        outs = out if prim.multi_output else (out,)
        for i, o in enumerate(outs):
            o = np.asarray(o)
            if o.dtype.kind in "fc" and not np.isfinite(o).all():
                raise InvalidArgumentError(None, None, _report(prim, i, o, arrays))
        if context.tapes and prim.differentiable and _grad_state.current is None:
            site = _user_site()
            for o in outs:
                _remember(o, site)
        return out
    return checked


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Makes every op raise as soon as it produces a NaN or Inf.

    The `InvalidArgumentError` names the op, the user's source line that called it, and
    each input's dtype, shape and min/max. Ops run by `GradientTape.gradient` are checked
    too, and the message names the forward op whose gradient failed and where it was
    created. Costs nothing once `disable_check_numerics()` is called.

    >>> tf.debugging.enable_check_numerics()
    >>> try:
    ...     tf.math.log(tf.constant(-1.0))
    ... except tf.errors.InvalidArgumentError as e:
    ...     print(str(e).splitlines()[0])
    !!! Detected Infinity or NaN in output 0 of op "Log" !!!
    >>> tf.debugging.disable_check_numerics()
    """
    global _original_call
    if _original_call is not None:
        return
    _original_call = _patch.patch_forwards(_checking)
    backprop.grad_op_hook = _grad_state
    context.check_numerics_enabled = True


def disable_check_numerics():
    """Undoes `enable_check_numerics` (a no-op when it is not enabled)."""
    global _original_call
    if _original_call is None:
        return
    _patch.restore(_original_call)
    _original_call = None
    backprop.grad_op_hook = None
    _origins.clear()
    _strong.clear()
    context.check_numerics_enabled = False

"""Random tensors with TensorFlow's seed semantics, `tf.random.Generator` and the
stateless ops.

Seeds, as in TensorFlow: `tf.random.set_seed(g)` makes every later random op
reproducible across runs. An op with no `seed` gets the next op seed from a counter that
set_seed resets; an op given `seed=s` draws from a stream identified by (global seed, s)
that advances with each call, so repeated calls differ but a rerun repeats them (with no
global seed, TensorFlow's default global seed is used). With neither seed, ops are
nondeterministic. The streams are NumPy PCG64 generators: the numbers differ from
TensorFlow's Philox streams, the rules do not.

Like TensorFlow, the affine part (`z * stddev + mean`, `u * (max - min) + min`) is made of
ordinary ops, so gradients flow to tensor-valued mean/stddev/minval/maxval.
"""

from __future__ import annotations

import threading

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.errors import (
    InvalidArgumentError, NotFoundError, UnimplementedError,
)
from tapeflow._src.autodiff.record import derived, peek, source
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.ops._helpers import to_tensor

D = dtypes
# TensorFlow's default global seed when only an op seed is given.
_DEFAULT_GLOBAL_SEED = 87654321
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_streams: dict = {}
_entropy = np.random.default_rng()

_FLOATS = (D.float16, D.float32, D.float64)
_UNIFORM_DTYPES = (D.float16, D.float32, D.float64, D.int32, D.int64)
_UNIFORM_DTYPES_TEXT = "(tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64)"
_GEN_INT_DTYPES = (D.int32, D.int64, D.uint32, D.uint64)


def set_seed(seed):
    """Sets the global random seed: later random ops repeat the same values on every run.

    Calling it again with the same seed restarts the same sequence.

    >>> tf.random.set_seed(7)
    >>> a = tf.random.uniform([2])
    >>> tf.random.set_seed(7)
    >>> bool(tf.reduce_all(a == tf.random.uniform([2])))
    True
    """
    context.set_global_seed(None if seed is None else int(seed))
    _streams.clear()


def get_global_seed():
    return context.global_seed


def _generator(seed):
    """The NumPy generator for an op call with op seed `seed` (None: none given).

    The result is the caller's to keep (Keras initializers hold on to it; a trace captures
    it for its replays). Ops that draw once, right away, use `_draw_rng`.
    """
    g = context.global_seed
    if g is None and seed is None:
        return _entropy
    if seed is None:
        bg = np.random.PCG64(0)
        _counter_stream(bg, g, context.next_op_seed())
        return np.random.Generator(bg)
    seed = int(seed)
    if g is None:
        g = _DEFAULT_GLOBAL_SEED
    key = (g, seed)
    rng = _streams.get(key)
    if rng is None:
        rng = _streams[key] = np.random.default_rng([g & _MASK64, seed & _MASK32, 2])
    return rng


# With a global seed and no op seed, op number k (tf.random.set_seed restarts the count)
# draws from its own stream: PCG64 started from the global seed's state, advanced by
# k * 2**64 steps. Its values depend on (global seed, k) only, as TensorFlow's do, not on
# what earlier ops drew. Building a NumPy generator costs ~10 us (seed hashing), more than
# a small draw itself; setting a reused one's state and advancing it costs ~2 us.
_bases: dict = {}
_local = threading.local()


def _counter_stream(bg, g, k):
    """Points PCG64 bit generator `bg` at the start of op k's stream under global seed g."""
    base = _bases.get(g)
    if base is None:
        if len(_bases) > 64:
            _bases.clear()
        st = np.random.PCG64(np.random.SeedSequence([g & _MASK64, 1])).state["state"]
        base = _bases[g] = (st["state"], st["inc"])
    bg.state = {"bit_generator": "PCG64", "state": {"state": base[0], "inc": base[1]},
                "has_uint32": 0, "uinteger": 0}
    bg.advance((k & _MASK64) << 64)


def _draw_rng(seed):
    """The generator for an op that draws right away and keeps nothing: as `_generator`,
    but op-counter streams reuse one generator per thread (not while tracing, where the
    replays keep drawing from the generator the trace captured)."""
    g = context.global_seed
    if seed is not None or g is None or context.tracer is not None:
        return _generator(seed)
    try:
        bg, gen = _local.pcg
    except AttributeError:
        bg = np.random.PCG64(0)
        gen = np.random.Generator(bg)
        _local.pcg = (bg, gen)
    _counter_stream(bg, g, context.next_op_seed())
    return gen


# ---------------------------------------------------------------------------------------
# Argument checks shared by the ops
# ---------------------------------------------------------------------------------------

def _attr_error(attr, dtype, allowed, op):
    return InvalidArgumentError(None, None, (
        f"Value for attr '{attr}' of {dtypes.tf_name(dtype)} is not in the list of allowed "
        f"values: {allowed}\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}] name: "))


def _shape(shape, op):
    """`shape` as a tuple of ints, with TensorFlow's errors for scalars, floats and < 0."""
    if type(shape) in (list, tuple) and all(type(d) is int and d >= 0 for d in shape):
        return tuple(shape)  # the common case, without building a tensor
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, Tensor)
                                                and shape._value.ndim == 0):
        raise InvalidArgumentError(None, None, "shape must be a vector of {int32,int64}, got "
                                   f"shape [] [Op:{op}] name: ")
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    arr = np.asarray(to_tensor(shape)._value)
    if arr.size == 0:
        return ()
    if arr.dtype.kind == "f":
        raise _attr_error("T", D.from_numpy(arr.dtype), "int32, int64", op)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise InvalidArgumentError(None, None, "shape must be a vector of {int32,int64}, got "
                                   f"shape [{','.join(map(str, arr.shape))}] [Op:{op}] name: ")
    dims = tuple(int(d) for d in arr)
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(None, None, f"Dimension {d} must be >= 0 [Op:{op}] "
                                       "name: ")
    return dims


def _float_dtype(dtype, op, mean=None, stddev=None):
    dtype = dtypes.as_dtype(dtype)
    # TensorFlow converts mean/stddev to `dtype` first: integer dtypes fail right there.
    for v in (mean, stddev):
        if v is not None and not isinstance(v, Tensor) and not hasattr(v, "_read"):
            to_tensor(v, dtype=dtype)
    if dtype not in _FLOATS:
        raise _attr_error("dtype", dtype, "half, bfloat16, float, double", op)
    return dtype


def _affine(draw, scale, shift, dtype):
    """draw() * scale + shift: NumPy for Python numbers, tapeflow ops (differentiable) for
    tensors, as TensorFlow builds it from ops. `draw` returns the standard sample; it runs
    through `record.source`, so a tf.function replay draws again."""
    if isinstance(scale, (int, float)) and isinstance(shift, (int, float)):
        a, b = dtype._np.type(scale), dtype._np.type(shift)
        if a == 1 and b == 0:
            return source(draw)  # draw() is already in `dtype`: x * 1 + 0 is x
        return source(lambda: _scaled(draw(), a, b))
    from tapeflow._src.ops import array_ops, math_ops
    z = source(draw)
    out = math_ops.add(math_ops.multiply(z, to_tensor(scale, dtype=dtype)),
                       to_tensor(shift, dtype=dtype))
    if out._value.shape != z._value.shape:
        out = array_ops.broadcast_to(out, z._value.shape)
    return out


def _scaled(z, a, b):
    """z * a + b for a fresh draw `z` and scalars of its dtype, written into z (the same
    values as the expression; no temporaries)."""
    z = np.asarray(z)
    if z.ndim == 0:
        return (z * a + b).astype(z.dtype)
    z *= a
    z += b
    return z


def _standard_normal(rng, shape, dtype):
    if dtype == D.float16:
        return rng.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return rng.standard_normal(shape, dtype=dtype._np)


def _truncated_standard(rng, shape, dtype):
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():  # redraw values outside two standard deviations, as TensorFlow does
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return z.astype(dtype._np)


def _unit_uniform(rng, shape, dtype):
    """Uniform in [0, 1) exactly representable in `dtype` (never rounds up to 1)."""
    if dtype == D.float16:
        return (rng.integers(0, 2**11, size=shape) / 2**11).astype(np.float16)
    return rng.random(shape, dtype=dtype._np)


def _bound(v, dtype, what):
    try:
        return to_tensor(v, dtype=dtype)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None


def _uniform_int(get_rng, shape, minval, maxval, dtype, op):
    lo, hi = _bound(minval, dtype, "min"), _bound(maxval, dtype, "max")
    for name, t in (("minval", lo), ("maxval", hi)):
        if t._value.ndim != 0:
            raise InvalidArgumentError(None, None, (
                f"{name} must be 0-D, got shape [{','.join(map(str, t._value.shape))}] "
                f"[Op:{op}] name: "))
    lo, hi = int(peek(lo)), int(peek(hi))
    if lo >= hi:
        raise InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi} "
                                   f"[Op:{op}] name: ")
    return source(lambda: get_rng().integers(lo, hi, size=shape, dtype=dtype._np))


def _uniform_float(get_rng, shape, minval, maxval, dtype):
    def u():
        return _unit_uniform(get_rng(), shape, dtype)
    if isinstance(minval, (int, float)) and isinstance(maxval, (int, float)):
        lo, hi = dtype._np.type(minval), dtype._np.type(maxval)
        if lo == 0 and hi == 1:
            return source(u)
        return source(lambda: _scaled(u(), hi - lo, lo))
    from tapeflow._src.ops import math_ops
    lo, hi = _bound(minval, dtype, "min"), _bound(maxval, dtype, "max")
    return _affine(u, math_ops.subtract(hi, lo), lo, dtype)


# ---------------------------------------------------------------------------------------
# Stateful ops (tf.random.*)
# ---------------------------------------------------------------------------------------

def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution with the given mean and standard deviation.

    Args:
      shape: The output shape (a list or 1-D integer tensor).
      mean: The mean (a number or a tensor broadcastable to `shape`).
      stddev: The standard deviation (a number or a broadcastable tensor).
      dtype: A floating dtype.
      seed: The op seed (see `tf.random.set_seed`).
      name: Unused; kept for API compatibility.

    >>> tf.random.normal([2, 3]).shape
    TensorShape([2, 3])
    """
    dtype = _float_dtype(dtype, "RandomStandardNormal", mean, stddev)
    shape = _shape(shape, "RandomStandardNormal")
    rng = _draw_rng(seed)
    return _affine(lambda: _standard_normal(rng, shape, dtype), stddev, mean, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution, redrawing values more than 2 stddev from the mean.

    >>> bool(tf.reduce_all(tf.abs(tf.random.truncated_normal([100])) <= 2.0))
    True
    """
    dtype = _float_dtype(dtype, "TruncatedNormal", mean, stddev)
    shape = _shape(shape, "TruncatedNormal")
    rng = _draw_rng(seed)
    return _affine(lambda: _truncated_standard(rng, shape, dtype), stddev, mean, dtype)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniformly from [minval, maxval).

    Args:
      shape: The output shape.
      minval: Lower bound (inclusive).
      maxval: Upper bound (exclusive); defaults to 1 for floats and is required for ints.
      dtype: float16, float32, float64, int32 or int64.
      seed: The op seed (see `tf.random.set_seed`).
      name: Unused; kept for API compatibility.

    Raises:
      ValueError: for another dtype, or an integer dtype without `maxval`.
      InvalidArgumentError: for integer bounds with minval >= maxval.

    >>> int(tf.random.uniform([], maxval=1, dtype=tf.int32))
    0
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"{_UNIFORM_DTYPES_TEXT}.")
    if dtype.is_integer:
        if maxval is None:
            # TF shows repr(dtype), 'tf.int32'; spelled out so it holds whatever DType's repr is.
            raise ValueError(f"Must specify maxval for integer dtype tf.{dtype.name}")
        shape = _shape(shape, "RandomUniformInt")
        rng = _draw_rng(seed)
        return _uniform_int(lambda: rng, shape, minval, maxval, dtype, "RandomUniformInt")
    shape = _shape(shape, "RandomUniform")
    rng = _draw_rng(seed)
    return _uniform_float(lambda: rng, shape, minval, 1 if maxval is None else maxval,
                          dtype)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws class indices from each row of unnormalised log-probabilities `logits`.

    Args:
      logits: A [batch, classes] floating tensor.
      num_samples: Samples per row.
      dtype: int64 (default) or int32.
      seed: The op seed (see `tf.random.set_seed`).
      name: Unused; kept for API compatibility.

    Returns:
      A [batch, num_samples] tensor of class indices.

    >>> tf.random.categorical([[0., -1e9]], 3).numpy().tolist()
    [[0, 0, 0]]
    """
    out_dtype = dtypes.as_dtype(dtype or dtypes.int64)
    if out_dtype not in (D.int32, D.int64):
        raise ValueError(f"Argument `dtype` got invalid value {out_dtype}. Accepted dtypes "
                         "are (tf.int32, tf.int64).")
    x = to_tensor(logits)
    if x.dtype not in _FLOATS:
        raise NotFoundError(None, None, (
            f"Could not find device for node: {{{{node Multinomial}}}} = Multinomial[T=DT_"
            f"{dtypes.tf_name(x.dtype).upper()}, output_dtype=DT_"
            f"{dtypes.tf_name(out_dtype).upper()}, seed=0, seed2=0] [Op:Multinomial] name: "))
    lg = np.asarray(x._value, dtype=np.float64)
    lg_shape = lg.shape
    if lg.ndim != 2:
        raise InvalidArgumentError(None, None, f"logits should be a matrix, got shape "
                                   f"[{','.join(map(str, lg.shape))}] [Op:Multinomial] name: ")
    n = int(np.asarray(peek(num_samples) if isinstance(num_samples, Tensor) else num_samples))
    rng = _draw_rng(seed)

    def sample(lg):
        lg = np.asarray(lg, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            p = np.exp(lg - lg.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        cdf = np.cumsum(p, axis=1)
        u = rng.random((lg_shape[0], n))
        out = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), lg_shape[1] - 1)
        return out.astype(out_dtype._np)
    return derived(sample, x)


def shuffle(value, seed=None, name=None):
    """A random permutation of `value` along its first dimension (scalars are unchanged).

    >>> sorted(tf.random.shuffle([1, 2, 3]).numpy().tolist())
    [1, 2, 3]
    """
    x = to_tensor(value)
    if x._value.ndim == 0:
        return x
    rng = _draw_rng(seed)
    return derived(lambda a: a[rng.permutation(a.shape[0])], x)


# ---------------------------------------------------------------------------------------
# Stateless ops: the output is a pure function of `seed` (a pair of ints)
# ---------------------------------------------------------------------------------------

def _stateless_rng(seed):
    s = np.asarray(peek(seed) if isinstance(seed, Tensor) else seed)
    if s.shape != (2,):
        raise InvalidArgumentError(None, None, (
            f"seed must have shape [2], not [{','.join(map(str, s.shape))}] "
            "[Op:StatelessRandomGetKeyCounter] name: "))
    a, b = (int(v) for v in s)
    return np.random.default_rng([a & _MASK64, b & _MASK64, 3])


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):
    """Normal samples determined entirely by `seed` (shape [2]).

    >>> a = tf.random.stateless_normal([2], seed=[1, 2])
    >>> bool(tf.reduce_all(a == tf.random.stateless_normal([2], seed=[1, 2])))
    True
    """
    dtype = _float_dtype(dtype, "StatelessRandomNormalV2", mean, stddev)
    shape = _shape(shape, "StatelessRandomNormalV2")
    _stateless_rng(seed)  # checks the seed now
    return _affine(lambda: _standard_normal(_stateless_rng(seed), shape, dtype), stddev, mean,
                   dtype)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    """Truncated normal samples determined entirely by `seed` (shape [2])."""
    dtype = _float_dtype(dtype, "StatelessTruncatedNormalV2", mean, stddev)
    shape = _shape(shape, "StatelessTruncatedNormalV2")
    _stateless_rng(seed)  # checks the seed now
    return _affine(lambda: _truncated_standard(_stateless_rng(seed), shape, dtype), stddev, mean,
                   dtype)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):
    """Uniform samples in [minval, maxval) determined entirely by `seed` (shape [2]).

    For integer dtypes give both bounds, or neither for the dtype's full range.
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(f"For integer `dtype` argument {dtype}, argument `minval` and "
                             f"`maxval` must be both None or not None. Got `minval`={minval} "
                             f"and `maxval`={maxval}.")
        _stateless_rng(seed)  # checks the seed now
        return _gen_uniform_int(lambda: _stateless_rng(seed), shape, minval, maxval, dtype)
    shape = _shape(shape, "StatelessRandomUniformV2")
    if dtype not in _FLOATS:
        raise _attr_error("dtype", dtype, "half, bfloat16, float, double",
                          "StatelessRandomUniformV2")
    _stateless_rng(seed)  # checks the seed now
    return _uniform_float(lambda: _stateless_rng(seed), shape, minval,
                          1 if maxval is None else maxval,
                          dtype)


def _gen_uniform_int(get_rng, shape, minval, maxval, dtype):
    if dtype not in _GEN_INT_DTYPES:
        raise _attr_error("dtype", dtype, "int32, int64, uint32, uint64",
                          "StatelessRandomUniformIntV2")
    if minval is None:
        info = np.iinfo(dtype._np)
        shape = _shape(shape, "StatelessRandomUniformFullIntV2")
        return source(lambda: get_rng().integers(info.min, info.max, size=shape,
                                                 dtype=dtype._np, endpoint=True))
    shape = _shape(shape, "StatelessRandomUniformIntV2")
    return _uniform_int(get_rng, shape, minval, maxval, dtype, "StatelessRandomUniformIntV2")


# ---------------------------------------------------------------------------------------
# tf.random.Generator
# ---------------------------------------------------------------------------------------

def _seed_int(seed):
    if isinstance(seed, (str, bytes)):
        raise UnimplementedError(None, None, "Cast string to int64 is not supported "
                                 "[Op:Cast] name: ")
    return int(np.asarray(seed._value if isinstance(seed, Tensor) else seed)) & _MASK64


class Generator:
    """A random number generator with its own state (`tf.random.Generator`).

    Two generators made `from_seed` with the same seed produce the same sequence; each
    call advances the state. The algorithm is NumPy's PCG64, not Philox, so `state` and
    `algorithm` are not TensorFlow's and are not exposed.

    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal([2]).shape
    TensorShape([2])
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            self._rng = np.random.Generator(np.random.PCG64())
            self._rng.bit_generator.state = copy_from._rng.bit_generator.state
        elif state is not None:
            self._rng = np.random.default_rng(
                [int(v) & _MASK64 for v in np.asarray(state).reshape(-1)])
        else:
            raise ValueError("Generator requires either `copy_from` or `state`; use "
                             "Generator.from_seed or Generator.from_non_deterministic_state.")

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator whose sequence is determined by the integer `seed`."""
        g = cls.__new__(cls)
        g._rng = np.random.default_rng(_seed_int(seed))
        return g

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from operating-system entropy."""
        g = cls.__new__(cls)
        g._rng = np.random.default_rng()
        return g

    @property
    def state(self):
        raise NotImplementedError("tapeflow's Generator uses NumPy's PCG64: its state is not "
                                  "a TensorFlow Philox state variable.")

    @property
    def algorithm(self):
        raise NotImplementedError("tapeflow's Generator uses NumPy's PCG64, which has no "
                                  "TensorFlow algorithm id.")

    def reset_from_seed(self, seed):
        """Restarts the sequence as `from_seed(seed)` would."""
        self._rng = np.random.default_rng(_seed_int(seed))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = _float_dtype(dtype, "StatelessRandomNormalV2", mean, stddev)
        shape = _shape(shape, "StatelessRandomNormalV2")
        return _affine(lambda: _standard_normal(self._rng, shape, dtype), stddev, mean, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = _float_dtype(dtype, "StatelessTruncatedNormalV2", mean, stddev)
        shape = _shape(shape, "StatelessTruncatedNormalV2")
        return _affine(lambda: _truncated_standard(self._rng, shape, dtype), stddev, mean,
                       dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dtype}, minval and maxval must be "
                                 f"both `None` or both non-`None`; got minval={minval} and "
                                 f"maxval={maxval}")
            return _gen_uniform_int(lambda: self._rng, shape, minval, maxval, dtype)
        if dtype not in _FLOATS:
            raise _attr_error("dtype", dtype, "half, bfloat16, float, double",
                              "StatelessRandomUniformV2")
        shape = _shape(shape, "StatelessRandomUniformV2")
        return _uniform_float(lambda: self._rng, shape, minval, 1 if maxval is None else maxval,
                              dtype)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        return _gen_uniform_int(lambda: self._rng, shape, None, None, dtypes.as_dtype(dtype))

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None):
        """Binomial samples with `counts` trials of success probability `probs`."""
        dtype = dtypes.as_dtype(dtype)
        shape = _shape(shape, "StatelessRandomBinomial")
        def draw(n, p):
            n, p = np.asarray(n, np.float64), np.asarray(p, np.float64)
            return self._rng.binomial(n.astype(np.int64), p, size=shape).astype(dtype._np)
        return derived(draw, to_tensor(counts), to_tensor(probs))

    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of seeds for stateless ops."""
        return source(lambda: self._rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max,
                                                 size=(2, int(count)), dtype=np.int64,
                                                 endpoint=True))

    def split(self, count=1):
        """`count` new independent generators; advances this one."""
        seeds = self._rng.integers(0, 2**63 - 1, size=int(count))
        return [Generator.from_seed(int(s)) for s in seeds]


_global_generator = None


def get_global_generator():
    """The process-wide Generator, created from nondeterministic state on first use."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replaces the process-wide Generator."""
    global _global_generator
    _global_generator = generator

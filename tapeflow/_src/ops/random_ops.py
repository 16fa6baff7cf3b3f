"""Random tensors with TensorFlow's seed semantics, and `tf.random.Generator`.

Seeds, as in TensorFlow: `tf.random.set_seed(g)` makes every later random op
reproducible across runs. An op with no `seed` gets the next op seed from a counter that
set_seed resets; an op given `seed=s` draws from a stream identified by (global seed, s)
that advances with each call, so repeated calls differ but a rerun repeats them. With no
global seed, ops without a seed are nondeterministic. The streams are NumPy PCG64
generators: the numbers differ from TensorFlow's Philox streams, the rules do not.
"""

from __future__ import annotations

import numpy as np

from tapeflow._src.framework import context, dtypes
from tapeflow._src.framework.tensor import _wrap
from tapeflow._src.ops._helpers import shape_arg, to_tensor

# TensorFlow's default global seed when only an op seed is given.
_DEFAULT_GLOBAL_SEED = 87654321
_streams: dict = {}
_entropy = np.random.default_rng()


def set_seed(seed):
    """Sets the global random seed; later random ops repeat the same values on every run."""
    context.set_global_seed(seed)
    _streams.clear()


def get_global_seed():
    return context.global_seed


def _generator(seed):
    """The NumPy generator for an op call with op seed `seed` (None: none given)."""
    g = context.global_seed
    if g is None and seed is None:
        return _entropy
    if seed is None:
        seed = context.next_op_seed()
        return np.random.default_rng([g & 0xFFFFFFFF, seed & 0xFFFFFFFF, 1])
    if g is None:
        g = _DEFAULT_GLOBAL_SEED
    key = (g, int(seed))
    rng = _streams.get(key)
    if rng is None:
        rng = _streams[key] = np.random.default_rng([g & 0xFFFFFFFF, int(seed) & 0xFFFFFFFF, 2])
    return rng


def _float_dtype(dtype, op):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Invalid dtype {dtype!r} for {op}: a floating dtype is required.")
    return dtype


def _scalar(v, dtype):
    return np.asarray(to_tensor(v, dtype=dtype)._value if not isinstance(v, (int, float))
                      else v, dtype=dtype._np)


def _normal(rng, shape, mean, stddev, dtype):
    z = rng.standard_normal(shape)
    return (z * _scalar(stddev, dtype) + _scalar(mean, dtype)).astype(dtype._np)


def _truncated(rng, shape, mean, stddev, dtype):
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():  # resample outside two standard deviations, as TensorFlow does
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return (z * _scalar(stddev, dtype) + _scalar(mean, dtype)).astype(dtype._np)


def _uniform(rng, shape, minval, maxval, dtype, op="uniform"):
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}.")
        lo, hi = int(np.asarray(minval)), int(np.asarray(maxval))
        if lo >= hi:
            from tapeflow._src.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi} "
                                       f"[Op:RandomUniformInt] name: ")
        return rng.integers(lo, hi, size=shape, dtype=dtype._np)
    if not dtype.is_floating:
        raise ValueError(f"Invalid dtype {dtype!r} for {op}.")
    maxval = 1 if maxval is None else maxval
    lo, hi = _scalar(minval, dtype), _scalar(maxval, dtype)
    u = rng.random(shape, dtype=np.float64)
    out = (lo + (hi - lo) * u).astype(dtype._np)
    # Keep the half-open interval [minval, maxval) after rounding to a narrow float.
    return np.where(out >= hi, np.nextafter(hi, lo, dtype=dtype._np), out).astype(dtype._np)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution.

    >>> tf.random.normal([2, 3]).shape
    TensorShape([2, 3])
    """
    dtype = _float_dtype(dtype, "random.normal")
    return _wrap(_normal(_generator(seed), shape_arg(shape), mean, stddev, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution, redrawing values more than 2 stddev from mean."""
    dtype = _float_dtype(dtype, "random.truncated_normal")
    return _wrap(_truncated(_generator(seed), shape_arg(shape), mean, stddev, dtype))


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniformly from [minval, maxval) (maxval defaults to 1 for floats; integer
    dtypes require it)."""
    return _wrap(_uniform(_generator(seed), shape_arg(shape), minval, maxval, dtype))


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws class indices from each row of `logits` ([batch, classes] -> [batch, n])."""
    lg = np.asarray(to_tensor(logits)._value, dtype=np.float64)
    if lg.ndim != 2:
        raise ValueError(f"logits should be a matrix, got shape {lg.shape}")
    rng = _generator(seed)
    p = np.exp(lg - lg.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = int(num_samples)
    cdf = np.cumsum(p, axis=1)
    u = rng.random((lg.shape[0], n))
    out = np.minimum((u[:, :, None] > cdf[:, None, :]).sum(axis=2), lg.shape[1] - 1)
    return _wrap(out.astype(dtypes.as_dtype(dtype or dtypes.int64)._np))


def shuffle(value, seed=None, name=None):
    """A random permutation of `value` along its first dimension."""
    x = to_tensor(value)._value
    if x.ndim == 0:
        raise ValueError("Shuffle requires a tensor of rank at least 1.")
    perm = _generator(seed).permutation(x.shape[0])
    return _wrap(x[perm])


class Generator:
    """A random number generator with its own state (`tf.random.Generator`).

    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal([2]).shape
    TensorShape([2])
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            self._rng = np.random.Generator(np.random.PCG64())
            self._rng.bit_generator.state = copy_from._rng.bit_generator.state
        else:
            seed = None if state is None else np.asarray(state).astype(np.uint64).tolist()
            self._rng = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed, alg=None):
        g = cls.__new__(cls)
        g._rng = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF)
        return g

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        g = cls.__new__(cls)
        g._rng = np.random.default_rng()
        return g

    def reset_from_seed(self, seed):
        self._rng = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = _float_dtype(dtype, "Generator.normal")
        return _wrap(_normal(self._rng, shape_arg(shape), mean, stddev, dtype))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = _float_dtype(dtype, "Generator.truncated_normal")
        return _wrap(_truncated(self._rng, shape_arg(shape), mean, stddev, dtype))

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        return _wrap(_uniform(self._rng, shape_arg(shape), minval, maxval, dtype))

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        dtype = dtypes.as_dtype(dtype)
        info = np.iinfo(dtype._np)
        return _wrap(self._rng.integers(info.min, info.max, size=shape_arg(shape),
                                        dtype=dtype._np, endpoint=True))

    def make_seeds(self, count=1):
        return _wrap(self._rng.integers(0, 2**63 - 1, size=(2, int(count)), dtype=np.int64))

    def split(self, count=1):
        return [Generator.from_seed(int(s)) for s in
                self._rng.integers(0, 2**63 - 1, size=int(count))]


_global_generator = None


def get_global_generator():
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    global _global_generator
    _global_generator = generator

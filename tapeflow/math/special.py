"""`tf.math.special`: special functions (re-exports only)."""

from tapeflow._src.ops.special_math_ops import (  # noqa: F401
    bessel_i0, bessel_i0e, bessel_i1, bessel_i1e,
)

# TensorFlow names of this namespace that tapeflow does not implement yet.
_MISSING = frozenset({
    "bessel_j0", "bessel_j1", "bessel_k0", "bessel_k0e", "bessel_k1", "bessel_k1e",
    "bessel_y0", "bessel_y1", "dawsn", "expint", "fresnel_cos", "fresnel_sin", "spence",
})


def __getattr__(name):
    from tapeflow._src.util.missing import NotImplementedAPI
    if name in _MISSING:
        raise NotImplementedAPI(f"tf.math.special.{name} is not implemented in tapeflow yet.")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")

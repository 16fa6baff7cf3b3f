"""`tf.test`: gradient checking helpers (re-exports only)."""

from tapeflow._src.autodiff.gradient_checker import compute_gradient

__all__ = ["compute_gradient"]

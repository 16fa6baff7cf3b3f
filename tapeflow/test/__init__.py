"""`tf.test`: gradient checking helpers (re-exports only)."""

from tapeflow._src.autodiff.gradient_checker import compute_gradient

__all__ = ["compute_gradient"]

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.test", __name__)

"""`tf.autodiff`: GradientTape and forward-mode accumulators (re-exports only)."""

from tapeflow._src.autodiff.forward import ForwardAccumulator
from tapeflow._src.autodiff.tape import GradientTape

__all__ = ["ForwardAccumulator", "GradientTape"]

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.autodiff", __name__)

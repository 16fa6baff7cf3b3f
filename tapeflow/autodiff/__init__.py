"""`tf.autodiff`: GradientTape and forward-mode accumulators (re-exports only)."""

from tapeflow._src.autodiff.forward import ForwardAccumulator
from tapeflow._src.autodiff.tape import GradientTape

__all__ = ["ForwardAccumulator", "GradientTape"]

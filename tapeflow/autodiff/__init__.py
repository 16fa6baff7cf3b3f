"""`tf.autodiff`: GradientTape and forward-mode accumulators (re-exports only)."""

from tapeflow._src.autodiff.tape import GradientTape

"""`tf.random`: seeded random tensors (re-exports only)."""

from tapeflow._src.ops.random_ops import (
    Generator,
    categorical,
    get_global_generator,
    normal,
    set_global_generator,
    set_seed,
    shuffle,
    stateless_normal,
    stateless_truncated_normal,
    stateless_uniform,
    truncated_normal,
    uniform,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.random", __name__)

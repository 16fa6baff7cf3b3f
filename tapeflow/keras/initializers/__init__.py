"""`tf.keras.initializers` (re-exports only)."""

from tapeflow._src.keras.initializers import (  # noqa: F401
    Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, Initializer,
    LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, Zeros, constant, deserialize, get, glorot_normal, glorot_uniform,
    he_normal, he_uniform, identity, lecun_normal, lecun_uniform, ones, orthogonal,
    random_normal, random_uniform, serialize, truncated_normal, zeros,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.initializers", __name__)

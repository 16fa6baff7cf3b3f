"""tapeflow: TensorFlow 2's eager programming model on NumPy.

    import tapeflow as tf

gives tensors, variables, the op library, GradientTape and tf.keras with TensorFlow's
names and behaviour. This module only re-exports; the code lives in `tapeflow._src`.
"""

from tapeflow._src.framework import dtypes as _dtypes
from tapeflow._src.framework.convert import (
    constant,
    convert_to_tensor,
    register_tensor_conversion_function,
)
from tapeflow._src.framework.dtypes import (
    DType,
    as_dtype,
    bool_ as bool,  # noqa: A001 - TensorFlow's name
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from tapeflow._src.framework.ops_api import executing_eagerly, is_tensor, name_scope
from tapeflow._src.framework.tensor import Tensor
from tapeflow._src.framework.tensor_shape import TensorShape
from tapeflow._src.framework.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
)
from tapeflow._src.ops import operators as _operators

_operators.install()

from tapeflow import (  # noqa: E402
    autodiff,
    bitwise,
    debugging,
    errors,
    linalg,
    math,
    nest,
    nn,
    random,
    strings,
)
from tapeflow._src.autodiff.custom_gradient import (  # noqa: E402
    custom_gradient,
    recompute_grad,
    stop_gradient,
)
from tapeflow._src.autodiff.tape import GradientTape, UnconnectedGradients  # noqa: E402
from tapeflow._src.ops.array_ops import (  # noqa: E402
    broadcast_dynamic_shape,
    broadcast_static_shape,
    broadcast_to,
    concat,
    expand_dims,
    eye,
    fill,
    identity,
    newaxis,
    one_hot,
    ones,
    ones_like,
    range_ as range,  # noqa: A004
    rank,
    reshape,
    shape,
    shape_n,
    size,
    split,
    squeeze,
    stack,
    transpose,
    unstack,
    where,
    zeros,
    zeros_like,
)
from tapeflow._src.ops.cumulative_ops import cumsum  # noqa: E402
from tapeflow._src.ops.linalg_ops import matmul  # noqa: E402
from tapeflow._src.ops.math_ops import (  # noqa: E402
    abs,  # noqa: A004
    acos,
    acosh,
    add,
    add_n,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cast,
    ceil,
    complex_ as complex,  # noqa: A004
    conj,
    cos,
    cosh,
    divide,
    equal,
    exp,
    floor,
    floordiv,
    greater,
    greater_equal,
    imag,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,  # noqa: A004
    real,
    round,  # noqa: A004
    saturate_cast,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    truediv,
    truncatediv,
)
from tapeflow._src.ops.reduction_ops import (  # noqa: E402
    argmax,
    argmin,
    reduce_all,
    reduce_any,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
)

__version__ = "0.1.0"

# Keras, tf.data and friends are imported on first use so that `import tapeflow` stays fast.

def __getattr__(name):
    if name in ("keras", "data", "train", "test", "config", "io", "distribute", "summary",
                "saved_model", "compat", "experimental", "signal", "image", "sparse",
                "ragged", "feature_column"):
        import importlib
        try:
            module = importlib.import_module(f"tapeflow.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"tapeflow.{name}":
                raise NotImplementedError(f"tf.{name} is not implemented in tapeflow yet.") \
                    from None
            raise
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tapeflow' has no attribute {name!r}")

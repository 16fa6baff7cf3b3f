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
from tapeflow._src.io.sparse_tensor import SparseTensor
from tapeflow._src.framework.module import Module
from tapeflow._src.framework.tensor_spec import TensorSpec
from tapeflow._src.framework.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
)
from tapeflow._src.ops import operators as _operators

_operators.install()

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

from tapeflow import (  # noqa: E402
    autodiff,
    bitwise,
    debugging,
    dtypes,
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
from tapeflow._src.ops.array_manip import linspace, meshgrid, pad, reverse, tile  # noqa: E402
from tapeflow._src.ops.array_slicing import slice, strided_slice  # noqa: E402, A004
from tapeflow._src.ops.gather_ops import (  # noqa: E402
    boolean_mask,
    gather,
    gather_nd,
    scatter_nd,
    tensor_scatter_nd_add,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
)
from tapeflow._src.ops.sort_ops import argsort, sort, unique  # noqa: E402
from tapeflow._src.ops.cumulative_ops import cumsum  # noqa: E402
from tapeflow._src.ops.control_flow_ops import (  # noqa: E402
    TensorArray,
    case,
    cond,
    foldl,
    foldr,
    map_fn,
    scan,
    switch_case,
    vectorized_map,
    while_loop,
)
from tapeflow._src.ops.misc_ops import (  # noqa: E402
    clip_by_global_norm,
    control_dependencies,
    device,
    ensure_shape,
    get_logger,
    get_static_value,
    group,
    identity_n,
    init_scope,
    inside_function,
    no_op,
    print_ as print,  # noqa: A004
    repeat,
    roll,
    sequence_mask,
)
from tapeflow._src.ops.math_extra_ops import scalar_mul  # noqa: E402
from tapeflow._src.ops.linalg_norm import norm  # noqa: E402
from tapeflow._src.function.polymorphic import function  # noqa: E402
from tapeflow._src.ops.linalg_ops import einsum, matmul, tensordot  # noqa: E402
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
from tapeflow._src.ops.reduction_ops import reduce_logsumexp  # noqa: E402
from tapeflow._src.ops.math_clip_ops import clip_by_norm, clip_by_value  # noqa: E402
from tapeflow._src.ops.math_ops import realdiv, sigmoid, truncatemod  # noqa: E402

# Public ops with a ragged version hand RaggedTensor arguments to it (tf.add(rt, 3)).
from tapeflow._src.ops import dispatch as _dispatch  # noqa: E402

_dispatch.install(globals())

__version__ = "0.1.0"

# Keras, tf.data and friends are imported on first use so that `import tapeflow` stays fast.

_LAZY_MODULES = ("keras", "data", "train", "test", "config", "io", "distribute", "summary",
                 "saved_model", "compat", "experimental", "signal", "image", "sparse", "ragged",
                 "feature_column", "version")
# TF 2 keeps these Keras namespaces at the top level too (tf.optimizers.Adam, tf.losses...).
_KERAS_ALIASES = ("optimizers", "losses", "metrics", "initializers")
_missing_getattr = _module_getattr("tf", __name__)


def __getattr__(name):
    """Imports heavy submodules on first use; TF names tapeflow lacks raise NotImplementedError."""
    if name in _LAZY_MODULES:
        import importlib
        try:
            module = importlib.import_module(f"tapeflow.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"tapeflow.{name}":
                raise
        else:
            globals()[name] = module
            return module
    if name in ("RaggedTensor", "RaggedTensorSpec"):  # imported on first use
        from tapeflow._src.ragged import ragged_tensor, ragged_tensor_spec
        globals()["RaggedTensor"] = ragged_tensor.RaggedTensor
        globals()["RaggedTensorSpec"] = ragged_tensor_spec.RaggedTensorSpec
        return globals()[name]
    if name in _KERAS_ALIASES:
        module = getattr(__getattr__("keras"), name)
        globals()[name] = module
        return module
    return _missing_getattr(name)

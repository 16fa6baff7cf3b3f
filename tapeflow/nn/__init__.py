"""`tf.nn`: activations, losses, convolutions, pooling and other neural-network ops
(re-exports only)."""

from tapeflow._src.ops.conv_ops import (
    atrous_conv2d,
    conv1d,
    conv2d,
    conv2d_transpose,
    convolution,
    depthwise_conv2d,
)
from tapeflow._src.ops.math_ops import sigmoid, tanh
from tapeflow._src.ops.math_topk_ops import top_k
from tapeflow._src.ops.math_extra_ops import in_top_k, zero_fraction  # noqa: F401
from tapeflow._src.ops.nn_composite_ops import (
    batch_normalization,
    compute_average_loss,
    crelu,
    embedding_lookup,
    scale_regularization_loss,
    weighted_cross_entropy_with_logits,
)
from tapeflow._src.ops.nn_loss_ops import (
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits,
)
from tapeflow._src.ops.nn_ops import (
    bias_add,
    dropout,
    elu,
    gelu,
    l2_loss,
    l2_normalize,
    leaky_relu,
    log_softmax,
    moments,
    relu,
    relu6,
    selu,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
)
from tapeflow._src.ops.pooling_ops import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    max_pool,
    max_pool1d,
    max_pool2d,
    pool,
)

from tapeflow._src.ops import dispatch as _dispatch  # noqa: E402

_dispatch.install(globals())  # ragged arguments go to their ragged versions

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.nn", __name__)

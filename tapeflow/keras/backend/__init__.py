"""`tf.keras.backend` (re-exports only)."""

from tapeflow._src.keras.backend import (  # noqa: F401, A004
    abs, all, any, arange, argmax, argmin, backend, batch_dot, batch_flatten, batch_get_value,
    batch_set_value, cast, cast_to_floatx, clear_session, clip, concatenate, constant, cos,
    count_params, cumprod, cumsum, dot, dtype, epsilon, equal, eval, exp, expand_dims, eye,
    flatten, floatx, function, gather, get_uid, get_value, gradients, greater, greater_equal,
    image_data_format, int_shape, is_keras_tensor, is_sparse, learning_phase,
    learning_phase_scope, less, less_equal, log, manual_variable_initialization, max, maximum,
    mean, min, minimum, moving_average_update, name_scope, ndim, not_equal, one_hot, ones,
    ones_like, permute_dimensions, placeholder, pow, prod, random_normal_variable,
    random_uniform_variable, repeat, repeat_elements, reset_uids, reshape, reverse, round,
    set_epsilon, set_floatx, set_image_data_format, set_learning_phase, set_value, shape, sign,
    sin, spatial_2d_padding, spatial_3d_padding, sqrt, square, squeeze, stack, std,
    stop_gradient, sum, temporal_padding, tile, to_dense, transpose, update, update_add,
    update_sub, var, variable, zeros, zeros_like,
)
from tapeflow._src.keras.backend_nn import (  # noqa: F401
    bias_add, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, dropout, elu, foldl, foldr, hard_sigmoid, in_test_phase,
    in_train_phase, l2_normalize, map_fn, print_tensor, random_bernoulli, random_binomial,
    random_normal, random_uniform, relu, sigmoid, softmax, softplus, softsign,
    sparse_categorical_crossentropy, switch, tanh, truncated_normal,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.backend", __name__)

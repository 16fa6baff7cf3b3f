"""Op-table rows for the primitives defined in tapeflow/_src/autodiff (CheckNumerics)."""

import tapeflow as tf
from tests.helpers.op_specs import OpSpec, floats

SPECS = [
    OpSpec("check_numerics", lambda x: tf.debugging.check_numerics(x * x, "m"),
           lambda x: x * x, [floats((2, 3))], grad_order=2),
]

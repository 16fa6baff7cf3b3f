"""`tf.config` (re-exports only)."""

from tapeflow._src.framework.config import (
    LogicalDevice,
    PhysicalDevice,
    functions_run_eagerly,
    get_visible_devices,
    list_logical_devices,
    list_physical_devices,
    run_functions_eagerly,
)

from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.config", __name__)

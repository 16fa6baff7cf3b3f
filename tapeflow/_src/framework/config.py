"""`tf.config`: the few runtime switches tapeflow has (devices are always the one CPU)."""

from __future__ import annotations

import collections

from tapeflow._src.function import polymorphic

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_CPU = PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")


def run_functions_eagerly(run_eagerly):
    """With True, `tf.function`s run their Python code on every call instead of a trace.

    >>> tf.config.run_functions_eagerly(False)
    """
    polymorphic.run_functions_eagerly(run_eagerly)


def functions_run_eagerly():
    """Whether `run_functions_eagerly(True)` is in effect."""
    return polymorphic.functions_run_eagerly()


def list_physical_devices(device_type=None):
    """The machine's devices: tapeflow has exactly one, the CPU.

    >>> tf.config.list_physical_devices()
    [PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
    """
    if device_type is None or str(device_type).upper() == "CPU":
        return [_CPU]
    return []


def list_logical_devices(device_type=None):
    if device_type is None or str(device_type).upper() == "CPU":
        return [LogicalDevice(name="/device:CPU:0", device_type="CPU")]
    return []


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)

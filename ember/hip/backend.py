"""Launching HIP kernels: on an AMD GPU through the HIP runtime (driver.py), else natively on
the CPU, as ``ember.cuda`` kernels run without an NVIDIA GPU.

On a device, a launch compiles the kernel for the device's architecture (hsaco.py), loads the
code object once per argument types, copies NumPy arrays in and back (as numba-cuda does with
host arrays), packs the kernarg buffer in the order and alignment of the kernel's flattened
parameters, launches, synchronizes, and raises the exception the kernel's error record holds.
With EMBER_HIP_CPU=1 or EMBER_CUDA_CPU=1, or without an AMD device, kernels take the CPU path.
"""
from __future__ import annotations

import os

import numpy as np

from .. import _ember
from ..dispatcher import session

__all__ = ["cpu_path", "launcher", "HipBackend"]


def cpu_path() -> bool:
    """Whether HIP kernels run on the CPU: when forced, or when no AMD device can be used."""
    for var in ("EMBER_HIP_CPU", "EMBER_CUDA_CPU"):
        if os.environ.get(var, "") not in ("", "0"):
            return True
    from .driver import hip_available
    return not hip_available()


class _DeviceView:
    """What _pack reads of an array argument: its device address, shape and strides."""

    __slots__ = ("ptr", "shape", "strides")

    def __init__(self, ptr, shape, strides):
        self.ptr, self.shape, self.strides = ptr, shape, strides


class _Loaded:
    """One kernel's code object, loaded for one list of argument types."""

    __slots__ = ("params", "function", "module", "record", "ember_kernel", "ember_messages",
                 "ember_exceptions")


class HipBackend:
    """Launches kernels on AMD device 0."""

    name = "hip"

    def __init__(self):
        self._loaded = {}

    def _load(self, kernel, codes):
        from ..cuda.gpu_backend import _user_exceptions
        from .driver import driver
        from .hsaco import current_arch, hsaco_module
        s = session()
        type_ids = tuple(s.type_from_code(list(c)) for c in codes)
        h = hsaco_module(kernel, type_ids, current_arch())
        d = driver()
        entry = _Loaded()
        entry.module = d.load_module(h.hsaco)
        entry.function = d.function(entry.module, h.symbol)
        entry.params = list(h.params)
        entry.record = d.global_(entry.module, h.error_record)[0] if h.may_raise else 0
        entry.ember_kernel = kernel.__qualname__
        entry.ember_messages = list(h.messages)
        entry.ember_exceptions = _user_exceptions(kernel)
        return entry

    def launch(self, kernel, config, stream, args):
        from ..cuda.backend import DeviceNDArray
        from ..cuda.gpu_backend import _pack, kernel_exception
        from .driver import driver
        d = driver()
        d.set_device(0)
        args = [a._ary if isinstance(a, DeviceNDArray) else a for a in args]
        codes = [tuple(_ember.typeof_code(a)) for a in args]
        key = (id(kernel), tuple(codes))
        entry = self._loaded.get(key)
        if entry is None:
            entry = self._loaded[key] = self._load(kernel, codes)
        values, copies = [], []
        try:
            for a in args:
                if isinstance(a, np.ndarray):
                    host = np.ascontiguousarray(a)
                    ptr = d.malloc(host.nbytes)
                    copies.append((a, host, ptr))
                    d.copy_to_device(ptr, host.ctypes.data, host.nbytes)
                    values.append(_DeviceView(ptr, host.shape, host.strides))
                else:
                    values.append(a)
            d.launch(entry.function, config[:3], config[3:6], config[6], 0,
                     _pack(entry.params, values, codes))
            d.synchronize()
            for a, host, ptr in copies:
                if a.flags.writeable:
                    d.copy_to_host(host.ctypes.data, ptr, host.nbytes)
                    if host is not a:
                        a[...] = host
        finally:
            for _, _, ptr in copies:
                d.free(ptr)
        if entry.record:
            record = np.zeros(4, np.int32)
            d.copy_to_host(record.ctypes.data, entry.record, record.nbytes)
            if record[0]:
                d.memset(entry.record, 0, record.nbytes)
                raise kernel_exception(entry, tuple(int(v) for v in record))


_backend = None


def launcher():
    """The function that launches a HIP kernel: HipBackend's on an AMD device, the CPU path's
    otherwise."""
    global _backend
    if cpu_path():
        from ..cuda.backend import CpuBackend
        return CpuBackend.launch
    if _backend is None:
        _backend = HipBackend()
    return _backend.launch

"""ember.hip's host API on an AMD GPU: numba-cuda's device arrays, streams, events, devices and
launches over the HIP runtime, the same implementation as ember.cuda's on an NVIDIA GPU
(../cuda/gpu_array.py, ../cuda/gpu_backend.py) with HIP's answers to its three questions: a
kernel compiles to an AMDGPU code object (hsaco.py) for the device's gfx architecture, the
module loader takes the code object's bytes, and device memory is DLPack's kDLROCM.
"""
from __future__ import annotations

from ..cuda.gpu_array import HIP, DeviceNDArray
from ..cuda.gpu_backend import GpuHost

__all__ = ["HipDeviceNDArray", "HipHost", "hip_host"]


class HipDeviceNDArray(DeviceNDArray):
    """An array in AMD GPU memory, as numba-cuda's DeviceNDArray; ``__dlpack_device__`` is
    (kDLROCM = 10, device)."""

    _vendor = HIP


class HipHost(GpuHost):
    """GpuHost over the HIP runtime."""

    backend_name = "hip"

    def device_target(self, device):
        from .hsaco import DEFAULT_ARCH
        return device.arch or DEFAULT_ARCH

    def compile(self, kernel, codes, target):
        from .hsaco import kernel_hsaco
        return kernel_hsaco(kernel, codes, target)

    def image_of(self, compiled):
        return compiled.hsaco

    def device_arch(self, info):
        from .driver import device_arch
        return device_arch(info.id)

    def detect(self):
        d = self.vendor.driver()
        print(f"ember.hip: kernels run on the AMD GPU (HIP runtime {d.version()}, {d.library})")
        for info in d.devices():
            print(f"  device {info.id}: {info.name} ({self.device_arch(info) or '?'}), "
                  f"wavefront {info.warp_size}")
        return True


_host = None


def hip_host() -> HipHost:
    """The process's HipHost (made on first use)."""
    global _host
    if _host is None:
        _host = HipHost(HIP, HipDeviceNDArray)
    return _host

"""The HIP runtime (libamdhip64): ``ember._cuda.Driver(vendor="hip")``, the driver layer CUDA
uses too (runtime/cuda/: one table of calls filled from either library, DriverTables.cpp),
opened with dlopen at first use so that nothing links against ROCm and ``import ember.hip``
works on any machine.  $EMBER_HIP_LIBRARY names another library (tests/hip_mock/ is a
host-memory stand-in).  Every failing call raises ember.errors.HipError naming the call
("hipMalloc failed: hipErrorOutOfMemory (2): out of memory"); a missing runtime is
HipRuntimeNotFound.

hipGetDeviceProperties is avoided (its struct changed between ROCm 5 and 6): a device's
architecture comes from the kernel driver's topology (/sys/class/kfd/kfd/topology/nodes/*/
properties, gfx_target_version), or from $EMBER_HIP_ARCH.
"""
from __future__ import annotations

import glob
import os

from ..errors import HipError, HipRuntimeNotFound

__all__ = ["HipError", "HipRuntimeNotFound", "driver", "hip_available", "why_unavailable",
           "current_device_arch", "device_arch", "gfx_arch_of_target_version"]


def gfx_arch_of_target_version(version: int) -> str:
    """The gfx name of a KFD gfx_target_version (major * 10000 + minor * 100 + stepping):
    90010 -> gfx90a, 90402 -> gfx942, 110000 -> gfx1100."""
    major, minor, stepping = version // 10000, version // 100 % 100, version % 100
    return f"gfx{major}{minor:x}{stepping:x}"


def _kfd_arches():
    """The gfx architectures of the GPUs the kernel driver lists, in node order."""
    out = []
    for path in sorted(glob.glob("/sys/class/kfd/kfd/topology/nodes/*/properties")):
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "gfx_target_version" and int(value) > 0:
                        out.append(gfx_arch_of_target_version(int(value)))
        except (OSError, ValueError):
            continue
    return out


def driver():
    """The process's HIP runtime (an ember._cuda.Driver; opened on its first call)."""
    from ..cuda.gpu_array import HIP
    return HIP.driver()


_available = None


def hip_available() -> bool:
    """Whether a HIP runtime with at least one AMD device can be used (never raises; asked
    once, since every launch configuration asks)."""
    global _available
    if _available is None:
        try:
            d = driver()
            _available = bool(d.available()) and d.device_count() > 0
        except Exception:  # noqa: BLE001 - no binding, no runtime: the CPU path
            _available = False
    return _available


def why_unavailable() -> str:
    """Why hip_available() is False, in words ('' when it is True)."""
    try:
        d = driver()
        if not d.available():
            return d.reason()
        return "" if d.device_count() > 0 else "no AMD device"
    except Exception as exc:  # noqa: BLE001
        return str(exc)


def device_arch(device: int):
    """The gfx architecture of AMD device `device`: $EMBER_HIP_ARCH, else the kernel driver's
    topology; None when neither says."""
    forced = os.environ.get("EMBER_HIP_ARCH", "").strip()
    if forced:
        return forced
    arches = _kfd_arches()
    return arches[device] if device < len(arches) else None


def current_device_arch():
    """The gfx architecture of device 0 when an AMD device is used, else None."""
    if not hip_available():
        return None
    return device_arch(0)

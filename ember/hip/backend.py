"""Where HIP kernels run: on an AMD GPU through the HIP runtime (host.py: the GPU backend that
ember.cuda uses on NVIDIA, over HIP), else natively on the CPU, as ``ember.cuda`` kernels run
without an NVIDIA GPU.  EMBER_HIP_CPU=1 or EMBER_CUDA_CPU=1 forces the CPU path.
"""
from __future__ import annotations

import os

__all__ = ["cpu_path", "launcher"]


def cpu_path() -> bool:
    """Whether HIP kernels run on the CPU: when forced, or when no AMD device can be used."""
    for var in ("EMBER_HIP_CPU", "EMBER_CUDA_CPU"):
        if os.environ.get(var, "") not in ("", "0"):
            return True
    from .driver import hip_available
    return not hip_available()


def launcher():
    """The function that launches a HIP kernel: the HIP host's on an AMD device, the CPU
    path's otherwise."""
    if cpu_path():
        from ..cuda.backend import CpuBackend
        return CpuBackend.launch
    from .host import hip_host
    return hip_host().backend.launch

"""``from ember import hip``: the kernel language of ``ember.cuda`` for AMD GPUs.

One kernel language: the names below are ``ember.cuda``'s own objects (threadIdx, syncthreads,
shared arrays, atomics, warp functions, random states, ...), so a kernel written with
``@ember.cuda.jit`` is also a HIP kernel.  ``hip.jit`` (or ``EMBER_GPU=hip`` for
``@cuda.jit``) makes the kernel's GPU code AMDGCN: ``kernel.inspect_asm(sig)`` shows it and
``hip.compile_hsaco(func, sig, arch="gfx942")`` returns the code object (targets/rocm/).

Kernels launch on an AMD GPU through the HIP runtime, opened with dlopen (driver.py), and
natively on the CPU when there is none (or with EMBER_HIP_CPU=1), exactly as ``ember.cuda``
kernels do without an NVIDIA GPU.  Device arrays, streams and events are the CPU path's (host
memory); on an AMD device a launch copies arrays in and back (backend.py).
"""
from __future__ import annotations

import os

from ..cuda import (  # noqa: F401 - the one kernel language
    activemask,
    all_sync,
    any_sync,
    atomic,
    ballot_sync,
    blockDim,
    blockIdx,
    brev,
    cbrt,
    clz,
    const,
    eq_sync,
    ffs,
    fma,
    grid,
    gridDim,
    gridsize,
    laneid,
    lanemask_lt,
    local,
    popc,
    random,
    shared,
    shfl_down_sync,
    shfl_sync,
    shfl_up_sync,
    shfl_xor_sync,
    syncthreads,
    syncthreads_and,
    syncthreads_count,
    syncthreads_or,
    syncwarp,
    threadfence,
    threadfence_block,
    threadfence_system,
    threadIdx,
    warpsize,
)
from ..cuda.backend import (  # noqa: F401 - device arrays in host memory
    DeviceNDArray,
    Event,
    Stream,
    default_stream,
    device_array,
    device_array_like,
    event,
    event_elapsed_time,
    mapped_array,
    pinned_array,
    stream,
    synchronize,
    to_device,
)
from ..cuda.kernel import DeviceFunction, Kernel, LaunchConfiguration
from ..cuda.kernel import jit as _cuda_jit
from .driver import HipError, HipRuntimeNotFound
from .hsaco import DEFAULT_ARCH, compile_hsaco

__all__ = [
    "jit", "Kernel", "DeviceFunction", "LaunchConfiguration", "atomic", "const", "local",
    "shared", "random", "threadIdx", "blockIdx", "blockDim", "gridDim", "laneid", "warpsize",
    "grid", "gridsize", "syncthreads", "syncthreads_count", "syncthreads_and", "syncthreads_or",
    "threadfence", "threadfence_block", "threadfence_system", "syncwarp", "shfl_sync",
    "shfl_up_sync", "shfl_down_sync", "shfl_xor_sync", "all_sync", "any_sync", "eq_sync",
    "ballot_sync", "activemask", "lanemask_lt", "popc", "clz", "ffs", "brev", "fma", "cbrt",
    "DeviceNDArray", "Stream", "Event", "to_device", "device_array", "device_array_like",
    "pinned_array", "mapped_array", "synchronize", "stream", "default_stream", "event",
    "event_elapsed_time", "is_available", "detect", "compile_hsaco", "DEFAULT_ARCH",
    "HipError", "HipRuntimeNotFound",
]


def jit(func_or_sig=None, device=False, **options):
    """``cuda.jit`` for AMD GPUs: kernels (and device functions) of the same kernel language,
    whose GPU code is an AMDGPU code object."""
    return _cuda_jit(func_or_sig, device=device, _vendor="hip", **options)


def is_available():
    """Whether HIP kernels can be launched: always, natively on the CPU without an AMD GPU
    (``detect()`` says which), as ``ember.cuda.is_available``."""
    return True


def detect():
    """Prints where HIP kernels run and returns True."""
    from .. import get_num_threads
    from .backend import cpu_path
    from .driver import driver, why_unavailable
    if not cpu_path():
        d = driver()
        for i in range(d.device_count()):
            print(f"ember.hip: device {i}: {d.device_name(i)} ({d.device_arch(i) or '?'}), "
                  f"runtime {d.path}")
        return True
    forced = [v for v in ("EMBER_HIP_CPU", "EMBER_CUDA_CPU")
              if os.environ.get(v, "") not in ("", "0")]
    why = f"{forced[0]}=1" if forced else f"no AMD GPU used ({why_unavailable()})"
    print(f"ember.hip: {why}; kernels run natively on the CPU "
          f"({get_num_threads()} threads, warp size 32)")
    return True

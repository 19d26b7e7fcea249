"""``from ember import hip``: the kernel language and host API of ``ember.cuda`` for AMD GPUs.

One kernel language: the kernel-language names below are ``ember.cuda``'s own objects
(threadIdx, syncthreads, shared arrays, atomics, warp functions, random states, ...), so a
kernel written with ``@ember.cuda.jit`` is also a HIP kernel.  ``hip.jit`` (or ``EMBER_GPU=hip``
for ``@cuda.jit``) makes the kernel's GPU code AMDGCN: ``kernel.inspect_asm(sig)`` shows it and
``hip.compile_hsaco(func, sig, arch="gfx942")`` returns the code object (targets/rocm/).

With an AMD GPU, the host API (``to_device``, ``device_array``, ``stream``, ``event``,
``synchronize``, ...) is numba-cuda's over the HIP runtime (host.py: ember.cuda's GPU
implementation with HIP's driver table), and ``kernel[grid, block, stream]`` loads the code
object with hipModuleLoadData and launches it with hipModuleLaunchKernel.  Without one (or with
EMBER_HIP_CPU=1), kernels run natively on the CPU and the host API is the CPU path's, the very
objects ``ember.cuda`` has there.
"""
from __future__ import annotations

import os

from .. import cuda as _cuda_pkg
from ..cuda.kernel import DeviceFunction, Kernel, LaunchConfiguration
from ..cuda.kernel import jit as _cuda_jit
from ..errors import HipError, HipRuntimeNotFound
from .backend import cpu_path
from .hsaco import DEFAULT_ARCH, compile_hsaco

# The one kernel language.
globals().update({_name: getattr(_cuda_pkg, _name) for _name in _cuda_pkg.KERNEL_LANGUAGE})


def _host_api():
    if cpu_path():
        from ..cuda.backend import CPU_API
        return CPU_API
    from .host import hip_host
    return hip_host().api()


_api = _host_api()
globals().update({_name: _api[_name] for _name in _cuda_pkg.HOST_API
                  if _name not in ("is_available", "detect")})

__all__ = (["jit", "Kernel", "DeviceFunction", "LaunchConfiguration"]
           + _cuda_pkg.KERNEL_LANGUAGE + _cuda_pkg.HOST_API
           + ["compile_hsaco", "DEFAULT_ARCH", "HipError", "HipRuntimeNotFound"])


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
    if not cpu_path():
        from .host import hip_host
        return hip_host().detect()
    from .. import get_num_threads
    from .driver import why_unavailable
    forced = [v for v in ("EMBER_HIP_CPU", "EMBER_CUDA_CPU")
              if os.environ.get(v, "") not in ("", "0")]
    why = f"{forced[0]}=1" if forced else f"no AMD GPU used ({why_unavailable()})"
    print(f"ember.hip: {why}; kernels run natively on the CPU "
          f"({get_num_threads()} threads, warp size 32)")
    return True

"""``from ember import cuda``: numba.cuda's kernel language and host API.

Kernels (``@cuda.jit``) and device functions (``@cuda.jit(device=True)``) are compiled from the
same typed IR as ``@ember.jit`` functions.  Without a CUDA device (or with ``EMBER_CUDA_CPU=1``)
they run natively on the CPU: the grid's blocks over ember's thread pool, each block's threads
as a vectorizable loop, or as fibers when the kernel synchronizes (ember/kernel.h); device
arrays are host memory (backend.py).  ``cuda.detect()`` says where kernels run.
"""
from . import atomic, const, fp16, local, random, shared  # noqa: F401 - cuda.atomic.add, ...
from .backend import (
                      DeviceNDArray,
                      Event,
                      Stream,
                      as_cuda_array,
                      close,
    current_context,
                      default_stream,
                      detect,
                      device_array,
                      device_array_like,
                      event,
                      event_elapsed_time,
                      external_stream,
                      get_current_device,
                      is_available,
                      is_cuda_array,
                      legacy_default_stream,
                      mapped,
                      mapped_array,
                      per_thread_default_stream,
                      pinned,
                      pinned_array,
                      select_device,
                      stream,
                      synchronize,
                      to_device,
)
from .intrinsics import (
                      activemask,
                      all_sync,
                      any_sync,
                      ballot_sync,
                      blockDim,
                      blockIdx,
                      brev,
                      cbrt,
                      clz,
                      eq_sync,
                      ffs,
                      fma,
                      grid,
                      gridDim,
                      gridsize,
                      laneid,
                      lanemask_lt,
                      popc,
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
from .kernel import DeviceFunction, Kernel, LaunchConfiguration, jit
from .ptx import compile_ptx, compile_ptx_for_current_device

# The kernel language, shared by ember.hip (one language, two GPU vendors).
KERNEL_LANGUAGE = [
    "atomic", "const", "fp16", "local", "shared", "random", "threadIdx", "blockIdx", "blockDim",
    "gridDim", "laneid", "warpsize", "grid", "gridsize", "syncthreads", "syncthreads_count",
    "syncthreads_and", "syncthreads_or", "threadfence", "threadfence_block",
    "threadfence_system", "syncwarp", "shfl_sync", "shfl_up_sync", "shfl_down_sync",
    "shfl_xor_sync", "all_sync", "any_sync", "eq_sync", "ballot_sync", "activemask",
    "lanemask_lt", "popc", "clz", "ffs", "brev", "fma", "cbrt",
]

# numba-cuda's host API (backend.py's CPU path, or gpu_backend.GpuHost's), shared by ember.hip.
HOST_API = [
    "DeviceNDArray", "Stream", "Event", "to_device", "device_array", "device_array_like",
    "pinned_array", "mapped_array", "pinned", "mapped", "synchronize", "stream",
    "default_stream", "legacy_default_stream", "per_thread_default_stream", "external_stream",
    "event", "event_elapsed_time", "is_available", "detect", "select_device",
    "get_current_device", "current_context", "close", "is_cuda_array", "as_cuda_array",
]

__all__ = [
    "jit", "Kernel", "DeviceFunction", "LaunchConfiguration", "atomic", "const", "fp16", "local",
    "shared", "random", "threadIdx", "blockIdx", "blockDim", "gridDim", "laneid", "warpsize",
    "grid", "gridsize", "syncthreads", "syncthreads_count", "syncthreads_and", "syncthreads_or",
    "threadfence", "threadfence_block", "threadfence_system", "syncwarp", "shfl_sync",
    "shfl_up_sync", "shfl_down_sync", "shfl_xor_sync", "all_sync", "any_sync", "eq_sync",
    "ballot_sync", "activemask", "lanemask_lt", "popc", "clz", "ffs", "brev", "fma", "cbrt",
    "DeviceNDArray", "Stream", "Event", "to_device", "device_array", "device_array_like",
    "pinned_array", "mapped_array", "pinned", "mapped", "synchronize", "stream",
    "default_stream", "legacy_default_stream", "per_thread_default_stream", "external_stream",
    "event", "event_elapsed_time", "is_available", "detect", "select_device",
    "get_current_device", "current_context", "close", "is_cuda_array", "as_cuda_array",
    "compile_ptx", "compile_ptx_for_current_device",
]
assert set(KERNEL_LANGUAGE + HOST_API) <= set(__all__)

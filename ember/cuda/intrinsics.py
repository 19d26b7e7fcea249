"""The kernel language's names in ``ember.cuda`` (numba.cuda's): placeholders on the host.

Inside a kernel or device function the compiler resolves each of these objects (by identity,
ember/values.py) to a builtin of ir/Builtins.def and compiles it; called or read on the host
they raise.  ``threadIdx``, ``blockIdx``, ``blockDim`` and ``gridDim`` are read as ``.x``,
``.y``, ``.z``; ``laneid`` and ``warpsize`` are values (``int(cuda.warpsize)`` is 32 on the host
too).  The namespaces ``cuda.shared``, ``cuda.local``, ``cuda.const`` and ``cuda.atomic`` are
the submodules of the same names.
"""
from __future__ import annotations

WARP_SIZE = 32


def _outside(name):
    return RuntimeError(f"cuda.{name} can only be used inside a kernel or device function "
                        "(@cuda.jit)")


class Dim3Stub:
    """threadIdx, blockIdx, blockDim, gridDim: .x, .y and .z inside a kernel."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise _outside(f"{self._name}.{attr}")

    def __repr__(self):
        return f"<cuda.{self._name}: .x, .y, .z inside a kernel>"


class KernelValue:
    """cuda.laneid and cuda.warpsize: values inside a kernel."""

    __slots__ = ("_name", "_host")

    def __init__(self, name, host=None):
        self._name = name
        self._host = host

    def _value(self):
        if self._host is None:
            raise _outside(self._name)
        return self._host

    def __int__(self):
        return self._value()

    __index__ = __int__

    def __repr__(self):
        return f"<cuda.{self._name}>"


def device_only(name, doc=""):
    """A kernel-language function: raises when called on the host."""
    def stub(*args, **kwargs):
        raise _outside(f"{name}()")
    stub.__name__ = stub.__qualname__ = name.rsplit(".", 1)[-1]
    stub.__doc__ = doc or f"cuda.{name}: only inside a kernel or device function."
    return stub


threadIdx = Dim3Stub("threadIdx")
blockIdx = Dim3Stub("blockIdx")
blockDim = Dim3Stub("blockDim")
gridDim = Dim3Stub("gridDim")
laneid = KernelValue("laneid")
warpsize = KernelValue("warpsize", WARP_SIZE)

grid = device_only("grid", "The thread's absolute position in the grid: an int for ndim 1, "
                           "else a tuple (cuda.grid(ndim)).")
gridsize = device_only("gridsize", "The number of threads in the grid along each axis.")
syncthreads = device_only("syncthreads", "Waits until every thread of the block arrives.")
syncthreads_count = device_only("syncthreads_count")
syncthreads_and = device_only("syncthreads_and")
syncthreads_or = device_only("syncthreads_or")
threadfence = device_only("threadfence")
threadfence_block = device_only("threadfence_block")
threadfence_system = device_only("threadfence_system")
syncwarp = device_only("syncwarp")
shfl_sync = device_only("shfl_sync")
shfl_up_sync = device_only("shfl_up_sync")
shfl_down_sync = device_only("shfl_down_sync")
shfl_xor_sync = device_only("shfl_xor_sync")
all_sync = device_only("all_sync")
any_sync = device_only("any_sync")
eq_sync = device_only("eq_sync")
ballot_sync = device_only("ballot_sync")
activemask = device_only("activemask")
lanemask_lt = device_only("lanemask_lt")
popc = device_only("popc")
clz = device_only("clz")
ffs = device_only("ffs")
brev = device_only("brev")
fma = device_only("fma")
cbrt = device_only("cbrt")

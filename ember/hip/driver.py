"""The HIP runtime (libamdhip64) through ``ctypes``: opened with dlopen at run time, so nothing
links against ROCm and ``import ember.hip`` works on any machine.

Only calls whose C signatures are the same in ROCm 5 and 6 are used (research/toolchain.md §5b):
hipInit, hipGetDeviceCount, hipSetDevice, hipDeviceGetName, hipModuleLoadData,
hipModuleGetFunction, hipModuleGetGlobal, hipModuleUnload, hipMalloc, hipFree, hipMemcpyHtoD,
hipMemcpyDtoH, hipMemset, hipModuleLaunchKernel (arguments as one packed kernarg buffer through
``extra``), hipDeviceSynchronize and hipGetErrorName/String.  hipGetDeviceProperties is avoided
(its struct changed between ROCm 5 and 6): a device's architecture comes from the kernel
driver's topology (/sys/class/kfd/kfd/topology/nodes/*/properties, gfx_target_version).

Every failing call raises HipError naming the call, the error's name and its description.
"""
from __future__ import annotations

import ctypes
import glob
import os

__all__ = ["HipError", "HipRuntimeNotFound", "HipDriver", "driver", "hip_available",
           "current_device_arch", "gfx_arch_of_target_version"]

# Tried in order: the versioned sonames exist without the -dev package.
SONAMES = ("libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so")

# hipModuleLaunchKernel's `extra` markers.
_LAUNCH_PARAM_BUFFER_POINTER = 1
_LAUNCH_PARAM_BUFFER_SIZE = 2
_LAUNCH_PARAM_END = 3


class HipRuntimeNotFound(OSError):
    """No HIP runtime could be opened (no ROCm installed, or a wrong EMBER_HIP_LIBRARY)."""


class HipError(RuntimeError):
    """A HIP call failed: ``call`` names it, ``code`` is its hipError_t."""

    def __init__(self, call, code, name, text):
        self.call, self.code, self.name = call, code, name
        super().__init__(f"{call} failed: {name} ({code}): {text}")


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


class HipDriver:
    """One opened HIP runtime.  ``path``: a library file (default: $EMBER_HIP_LIBRARY, else
    the sonames of SONAMES)."""

    def __init__(self, path=None):
        path = path or os.environ.get("EMBER_HIP_LIBRARY") or None
        errors = []
        self.lib = None
        for name in ([path] if path else SONAMES):
            try:
                self.lib = ctypes.CDLL(name, mode=ctypes.RTLD_LOCAL)
                self.path = name
                break
            except OSError as exc:
                errors.append(str(exc))
        if self.lib is None:
            raise HipRuntimeNotFound("the HIP runtime (libamdhip64) was not found: " +
                                     "; ".join(errors))
        self.lib.hipGetErrorName.restype = ctypes.c_char_p
        self.lib.hipGetErrorString.restype = ctypes.c_char_p
        self._initialized = False

    def _check(self, call, rc):
        if rc != 0:
            name = (self.lib.hipGetErrorName(rc) or b"hipErrorUnknown").decode()
            text = (self.lib.hipGetErrorString(rc) or b"").decode()
            raise HipError(call, rc, name, text)

    def _call(self, name, *args):
        self._check(name, getattr(self.lib, name)(*args))

    def init(self):
        if not self._initialized:
            self._call("hipInit", ctypes.c_uint(0))
            self._initialized = True

    def device_count(self) -> int:
        self.init()
        n = ctypes.c_int(0)
        self._call("hipGetDeviceCount", ctypes.byref(n))
        return n.value

    def set_device(self, device: int):
        self.init()
        self._call("hipSetDevice", ctypes.c_int(device))

    def device_name(self, device: int) -> str:
        buf = ctypes.create_string_buffer(256)
        self._call("hipDeviceGetName", buf, ctypes.c_int(len(buf)), ctypes.c_int(device))
        return buf.value.decode(errors="replace")

    def device_arch(self, device: int):
        arches = _kfd_arches()
        return arches[device] if device < len(arches) else None

    # ---- modules ---------------------------------------------------------------------------
    def load_module(self, image: bytes):
        self.init()
        module = ctypes.c_void_p()
        self._call("hipModuleLoadData", ctypes.byref(module), ctypes.c_char_p(image))
        return module

    def unload_module(self, module):
        self._call("hipModuleUnload", module)

    def function(self, module, name: str):
        fn = ctypes.c_void_p()
        self._call("hipModuleGetFunction", ctypes.byref(fn), module, name.encode())
        return fn

    def global_(self, module, name: str):
        """(device pointer, bytes) of a module's global."""
        ptr, size = ctypes.c_void_p(), ctypes.c_size_t()
        self._call("hipModuleGetGlobal", ctypes.byref(ptr), ctypes.byref(size), module,
                   name.encode())
        return ptr.value or 0, size.value

    # ---- memory ----------------------------------------------------------------------------
    def malloc(self, nbytes: int) -> int:
        self.init()
        ptr = ctypes.c_void_p()
        self._call("hipMalloc", ctypes.byref(ptr), ctypes.c_size_t(max(nbytes, 1)))
        return ptr.value

    def free(self, ptr: int):
        self._call("hipFree", ctypes.c_void_p(ptr))

    def copy_to_device(self, dst: int, src: int, nbytes: int):
        self._call("hipMemcpyHtoD", ctypes.c_void_p(dst), ctypes.c_void_p(src),
                   ctypes.c_size_t(nbytes))

    def copy_to_host(self, dst: int, src: int, nbytes: int):
        self._call("hipMemcpyDtoH", ctypes.c_void_p(dst), ctypes.c_void_p(src),
                   ctypes.c_size_t(nbytes))

    def memset(self, dst: int, value: int, nbytes: int):
        self._call("hipMemset", ctypes.c_void_p(dst), ctypes.c_int(value), ctypes.c_size_t(nbytes))

    # ---- launching -------------------------------------------------------------------------
    def launch(self, function, grid, block, shared_bytes, stream, kernargs: bytes):
        """hipModuleLaunchKernel with the packed kernarg buffer (laid out as the code object's
        metadata says: each argument at its natural alignment)."""
        buf = ctypes.create_string_buffer(kernargs, max(len(kernargs), 1))
        size = ctypes.c_size_t(len(kernargs))
        extra = (ctypes.c_void_p * 5)(_LAUNCH_PARAM_BUFFER_POINTER, ctypes.addressof(buf),
                                      _LAUNCH_PARAM_BUFFER_SIZE, ctypes.addressof(size),
                                      _LAUNCH_PARAM_END)
        self._call("hipModuleLaunchKernel", function, *map(ctypes.c_uint, grid),
                   *map(ctypes.c_uint, block), ctypes.c_uint(shared_bytes),
                   ctypes.c_void_p(stream), None, extra)

    def synchronize(self):
        self._call("hipDeviceSynchronize")


_driver = None
_missing = None  # the HipRuntimeNotFound of the first attempt: dlopen is not retried


def driver() -> HipDriver:
    """The process's HIP runtime, opened on first use (HipRuntimeNotFound without one)."""
    global _driver, _missing
    if _driver is None:
        if _missing is not None:
            raise _missing
        try:
            _driver = HipDriver()
        except HipRuntimeNotFound as exc:
            _missing = exc
            raise
    return _driver


def hip_available() -> bool:
    """Whether a HIP runtime with at least one AMD device can be used (never raises)."""
    try:
        return driver().device_count() > 0
    except (HipRuntimeNotFound, HipError, AttributeError):
        return False


def why_unavailable() -> str:
    """Why hip_available() is False, in words."""
    try:
        n = driver().device_count()
    except HipRuntimeNotFound as exc:
        return str(exc)
    except HipError as exc:
        return str(exc)
    return "no AMD device" if n == 0 else ""


def current_device_arch():
    """The gfx architecture of device 0 when an AMD device is used, else None."""
    if not hip_available():
        return None
    return driver().device_arch(0)

"""The host API of ``ember.cuda`` on the CPU path: device arrays in host memory, transfers,
streams and events, and the launch of a compiled kernel.

When no CUDA device is present (or ``EMBER_CUDA_CPU=1``), kernels run natively on the CPU
(ember/kernel.h) and "device" memory is host memory: a ``DeviceNDArray`` wraps a NumPy array
with numba.cuda's API, transfers are copies, streams and events are already complete (a launch
returns when the kernel has finished), and an exception raised inside a kernel is raised by the
launch, which is the next synchronization point on this path.  The GPU backend (the CUDA
driver) plugs in behind the same functions.
"""
from __future__ import annotations

import contextlib
import os
import time

import numpy as np

__all__ = ["DeviceNDArray", "Stream", "Event", "backend", "to_device", "device_array",
           "device_array_like", "pinned_array", "mapped_array", "pinned", "mapped",
           "synchronize", "stream", "default_stream", "legacy_default_stream",
           "per_thread_default_stream", "event", "event_elapsed_time", "is_available", "detect",
           "select_device", "get_current_device", "current_context", "close", "is_cuda_array",
           "as_cuda_array", "external_stream", "cpu_path"]


def cpu_path() -> bool:
    """Whether kernels run on the CPU: when EMBER_CUDA_CPU=1, or when no CUDA driver with a
    device can be used (gpu_backend.py is the other path)."""
    if os.environ.get("EMBER_CUDA_CPU", "") not in ("", "0"):
        return True
    try:
        from .gpu_backend import gpu_available
    except ImportError:  # ember._cuda is not built
        return True
    return not gpu_available()


class DeviceNDArray:
    """An array in "device" memory: on the CPU path, host memory with numba.cuda's API.

    Kernels receive the underlying array (``_ary``) without a copy; slicing gives a view that is
    a DeviceNDArray too; ``copy_to_host`` copies out, as on a GPU."""

    __slots__ = ("_ary", "stream", "__weakref__")
    __cuda_memory__ = True

    def __init__(self, ary, stream=0):
        self._ary = ary
        self.stream = stream

    # ---- what numba's DeviceNDArray exposes ------------------------------------------------
    shape = property(lambda self: self._ary.shape)
    strides = property(lambda self: self._ary.strides)
    dtype = property(lambda self: self._ary.dtype)
    ndim = property(lambda self: self._ary.ndim)
    size = property(lambda self: self._ary.size)
    nbytes = property(lambda self: self._ary.nbytes)
    alloc_size = nbytes

    @property
    def T(self):  # noqa: N802 - numba's name
        return self.transpose()

    def __len__(self):
        return len(self._ary)

    def __repr__(self):
        return f"<ember.cuda DeviceNDArray shape={self.shape} dtype={self.dtype} (host memory)>"

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a DeviceNDArray is device memory: copy it to the host with "
                        ".copy_to_host() first")

    @property
    def __cuda_array_interface__(self):
        a = self._ary
        return {"shape": a.shape, "strides": None if a.flags.c_contiguous else a.strides,
                "typestr": a.dtype.str, "data": (a.ctypes.data, False), "version": 3,
                "stream": None}

    def is_c_contiguous(self):
        return bool(self._ary.flags.c_contiguous)

    def is_f_contiguous(self):
        return bool(self._ary.flags.f_contiguous)

    @property
    def flags(self):
        return self._ary.flags

    def copy_to_host(self, ary=None, stream=0):
        """A host copy (a new array, or written into ``ary``)."""
        if ary is None:
            return self._ary.copy()
        _check_same(ary, self._ary)
        np.copyto(ary, self._ary, casting="no")
        return ary

    def copy_to_device(self, ary, stream=0):
        """Copies a host array (or another device array) of the same shape and dtype in."""
        src = ary._ary if isinstance(ary, DeviceNDArray) else np.asarray(ary)
        _check_same(src, self._ary)
        np.copyto(self._ary, src, casting="no")

    def __getitem__(self, index):
        out = self._ary[index]
        if isinstance(out, np.ndarray):
            return DeviceNDArray(out, self.stream)
        return out  # an element: numba copies it to the host too

    def getitem(self, index, stream=0):
        return self[index]

    def __setitem__(self, index, value):
        if isinstance(value, DeviceNDArray):
            value = value._ary
        self._ary[index] = value

    def setitem(self, index, value, stream=0):
        self[index] = value

    def reshape(self, *newshape, order="C"):
        if len(newshape) == 1 and isinstance(newshape[0], (tuple, list)):
            newshape = tuple(newshape[0])
        out = self._ary.reshape(newshape, order=order)
        if not np.shares_memory(out, self._ary):
            raise NotImplementedError("this reshape would copy the device array")
        return DeviceNDArray(out, self.stream)

    def ravel(self, order="C", stream=0):
        return self.reshape(self.size, order=order)

    def transpose(self, axes=None):
        return DeviceNDArray(self._ary.transpose(axes), self.stream)

    def view(self, dtype):
        return DeviceNDArray(self._ary.view(dtype), self.stream)

    def split(self, section, stream=0):
        """Consecutive 1-d pieces of at most `section` elements (numba's split)."""
        if self.ndim != 1:
            raise ValueError("only a 1-d device array can be split")
        return [DeviceNDArray(self._ary[i:i + section], self.stream)
                for i in range(0, self.size, section)]

    def bind(self, stream=0):
        return DeviceNDArray(self._ary, stream)

    def get_ipc_handle(self):
        raise NotImplementedError("IPC handles need a CUDA device")


class DeviceRecordStates(DeviceNDArray):
    """A device array of a record dtype whose kernels see its fields as a 2-d array of one
    scalar dtype (the xoroshiro128p states of ember.cuda.random: (n,) records, (n, 2) uint64
    inside kernels).  The host sees the records."""

    __slots__ = ("_records",)

    def __init__(self, records, stream=0):
        base = records.dtype.fields[records.dtype.names[0]][0]
        super().__init__(records.view(base).reshape(records.shape + (len(records.dtype.names),)),
                         stream)
        self._records = records

    shape = property(lambda self: self._records.shape)
    strides = property(lambda self: self._records.strides)
    dtype = property(lambda self: self._records.dtype)
    ndim = property(lambda self: self._records.ndim)
    size = property(lambda self: self._records.size)

    def __len__(self):
        return len(self._records)

    def copy_to_host(self, ary=None, stream=0):
        if ary is None:
            return self._records.copy()
        _check_same(ary, self._records)
        np.copyto(ary, self._records, casting="no")
        return ary

    def copy_to_device(self, ary, stream=0):
        src = ary._records if isinstance(ary, DeviceRecordStates) else np.asarray(ary)
        _check_same(src, self._records)
        np.copyto(self._records, src, casting="no")

    def __getitem__(self, index):
        out = self._records[index]
        if isinstance(out, np.ndarray) and out.ndim == 1 and out.flags.c_contiguous:
            return DeviceRecordStates(out, self.stream)
        return out


def _check_same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        raise ValueError(f"the arrays differ: {a.shape} {a.dtype} and {b.shape} {b.dtype}")


def _host_array(obj):
    if isinstance(obj, DeviceNDArray):
        return obj._ary
    if isinstance(obj, np.ndarray):
        return obj
    raise TypeError(f"expected a NumPy array or a device array, not {type(obj).__name__}")


def to_device(obj, stream=0, copy=True, to=None):
    """A device copy of a host array (NumPy array or anything np.asarray accepts); with ``to``,
    copies into that device array instead."""
    if to is not None:
        to.copy_to_device(obj, stream)
        return to
    if isinstance(obj, DeviceNDArray):
        return obj
    # copy=False: device memory of the same shape and dtype, its contents not transferred
    ary = np.array(obj, subok=False) if copy else np.zeros_like(np.asarray(obj), subok=False)
    if ary.dtype.names:
        return DeviceRecordStates(np.ascontiguousarray(ary), stream)
    return DeviceNDArray(ary, stream)


def device_array(shape, dtype=np.float64, strides=None, order="C", stream=0):
    """Uninitialized device memory (numba's device_array); on the CPU path it is zeroed."""
    dtype = np.dtype(dtype)
    if strides is not None:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        strides = (strides,) if isinstance(strides, int) else tuple(strides)
        if len(strides) != len(shape) or any(s < 0 for s in strides):
            raise ValueError(f"strides {strides} do not fit shape {shape}")
        span = (sum((n - 1) * s for n, s in zip(shape, strides)) + dtype.itemsize
                if all(shape) else 0)
        buf = np.zeros(span, np.uint8)
        return DeviceNDArray(np.ndarray(shape, dtype, buffer=buf, strides=strides), stream)
    return DeviceNDArray(np.zeros(shape, dtype, order=order), stream)


def device_array_like(ary, stream=0):
    """A device array with ary's shape, dtype and layout (C or Fortran)."""
    src = ary._ary if isinstance(ary, DeviceNDArray) else np.asarray(ary)
    order = "F" if src.flags.f_contiguous and not src.flags.c_contiguous else "C"
    return device_array(src.shape, src.dtype, order=order, stream=stream)


def pinned_array(shape, dtype=np.float64, strides=None, order="C"):
    """Page-locked host memory on a GPU; an ordinary NumPy array on the CPU path."""
    return np.empty(shape, dtype, order=order)


def mapped_array(shape, dtype=np.float64, strides=None, order="C", stream=0, portable=False,
                 wc=False):
    """Host memory the device can address: an ordinary NumPy array on the CPU path."""
    return np.empty(shape, dtype, order=order)


@contextlib.contextmanager
def pinned(*arylist):
    yield


@contextlib.contextmanager
def mapped(*arylist, **kws):
    yield [DeviceNDArray(np.asarray(a)) for a in arylist]


# ---- streams and events -------------------------------------------------------------------------

class Stream:
    """A stream.  On the CPU path work runs when it is launched, so a stream is always complete."""

    def __init__(self, handle=0, kind="stream"):
        self.handle = handle
        self._kind = kind

    def __repr__(self):
        return f"<ember.cuda {self._kind} (CPU path: always complete)>"

    def __int__(self):
        return self.handle

    def synchronize(self):
        pass

    def query(self):
        return True

    @contextlib.contextmanager
    def auto_synchronize(self):
        yield self
        self.synchronize()

    def add_callback(self, callback, arg=None):
        callback(self, 0, arg)

    def wait_event(self, event):
        pass


_default = Stream(0, "default stream")
_legacy = Stream(1, "legacy default stream")
_per_thread = Stream(2, "per-thread default stream")
_streams = [3]


def stream():
    _streams[0] += 1
    return Stream(_streams[0])


def default_stream():
    return _default


def legacy_default_stream():
    return _legacy


def per_thread_default_stream():
    return _per_thread


def external_stream(ptr):
    return Stream(int(ptr), "external stream")


class Event:
    """An event: records the host's clock, since work on the CPU path is complete when it is
    recorded."""

    def __init__(self, timing=True):
        self.timing = timing
        self._time = None

    def record(self, stream=0):
        self._time = time.perf_counter()

    def synchronize(self):
        pass

    def wait(self, stream=0):
        pass

    def query(self):
        return True

    def elapsed_time(self, evtend):
        return event_elapsed_time(self, evtend)


def event(timing=True):
    return Event(timing)


def event_elapsed_time(evtstart, evtend):
    """Milliseconds between two recorded events."""
    if not (evtstart.timing and evtend.timing):
        raise RuntimeError("both events must be created with timing=True")
    if evtstart._time is None or evtend._time is None:
        raise RuntimeError("both events must be recorded first")
    return (evtend._time - evtstart._time) * 1000.0


def synchronize():
    """Waits for all work: nothing is ever pending on the CPU path."""


# ---- devices --------------------------------------------------------------------------------

class CpuDevice:
    """The device kernels run on when no GPU is used: the CPU, with a GPU's limits."""

    id = 0
    name = b"ember CPU path"
    compute_capability = (0, 0)
    WARP_SIZE = 32
    MAX_THREADS_PER_BLOCK = 1024

    def __repr__(self):
        return "<ember.cuda CPU path device>"

    def reset(self):
        pass


_device = CpuDevice()


def is_available():
    """Whether kernels can be launched: always, natively on the CPU when there is no GPU
    (``detect()`` says which)."""
    return True


def detect():
    """Prints where kernels run and returns True (numba's detect)."""
    from .. import get_num_threads
    why = ("EMBER_CUDA_CPU=1" if os.environ.get("EMBER_CUDA_CPU", "") not in ("", "0")
           else "no CUDA device used")
    print(f"ember.cuda: {why}; kernels run natively on the CPU "
          f"({get_num_threads()} threads, warp size 32)")
    return True


def select_device(device_id):
    if device_id != 0:
        raise ValueError(f"device {device_id} does not exist: the CPU path has device 0 only")
    return _device


def get_current_device():
    return _device


def close():
    pass


class CpuContext:
    """The current context (numba's current_context()): host memory is device memory."""

    device = _device

    def get_memory_info(self):
        """(free, total) bytes: the host's available and physical memory."""
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page

    def synchronize(self):
        pass

    def reset(self):
        pass


_context = CpuContext()


def current_context():
    return _context


def is_cuda_array(obj):
    return isinstance(obj, DeviceNDArray) or hasattr(obj, "__cuda_array_interface__")


def as_cuda_array(obj, sync=True):
    if isinstance(obj, DeviceNDArray):
        return obj
    raise TypeError("on the CPU path only ember's device arrays are device memory")


# ---- launching ------------------------------------------------------------------------------

class CpuBackend:
    """Launches compiled kernels on the CPU: the launcher is a compiled function taking the
    seven integers of the configuration and then the kernel's arguments."""

    name = "cpu"

    @staticmethod
    def kernel_argument(value):
        """What the kernel's compiled code receives for a launch argument."""
        if isinstance(value, DeviceNDArray):
            return value._ary
        return value

    @staticmethod
    def launch(kernel, config, stream, args):
        kernel._dispatcher(*config, *[a._ary if isinstance(a, DeviceNDArray) else a
                                      for a in args])


backend = CpuBackend()

# The CPU path's host API, kept for ember.hip (whose kernels may take the CPU path while CUDA
# kernels run on a GPU, and the other way round).
CPU_API = {name: globals()[name] for name in __all__ if name != "cpu_path"}

if not cpu_path():  # a CUDA device: the GPU backend's host API replaces the names above
    from .gpu_backend import install
    install(globals())

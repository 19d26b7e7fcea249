"""The GPU backend of ember.cuda and ember.hip: kernels compiled to PTX (or AMDGPU code objects)
and launched through the CUDA driver (or the HIP runtime), both ember._cuda.Driver; used when a
driver with a device is found and EMBER_CUDA_CPU (EMBER_HIP_CPU) is not set (backend.py installs
it in place of the CPU path's host API; ember/hip/host.py does the same for HIP).

GpuHost is numba-cuda's host API (streams, events, devices, synchronize, pinned memory, device
arrays through gpu_array.ArrayMaker) over one vendor's driver, and GpuBackend its launcher; the
vendors differ only in what GpuHost's compile/image hooks return (ptx.py, ../hip/hsaco.py) and
in the driver's table (runtime/cuda/DriverTables.cpp).

A launch ``kernel[grid, block, stream, shared](args)``:

* reads each argument: a DeviceNDArray (gpu_array.py) as it is; another library's device array
  (``__cuda_array_interface__`` or DLPack) zero-copy; a host NumPy array copied in before the
  launch and back after it, as numba-cuda does; numbers as themselves;
* finds the kernel's entry for the arguments' types: compiled once per (types, device) to PTX
  (ptx.py, ``_compiler.Session.compile_ptx``), loaded with ``Driver.load_module(ptx,
  error_record=...)``, and a ``_cuda.KernelLauncher`` over the kernel's flattened parameters;
* calls the launcher configured for (grid, block, stream, shared), cached per configuration:
  the arguments go into the parameter buffer natively.

A ``raise`` or failed ``assert`` inside a kernel fills the module's device error record; the
next synchronization (``cuda.synchronize()``, a stream's or event's, a copy to the host, the
copy back of a host array) reads it and raises that exception with the kernel's name and line
(``check_kernel_errors``), the message from the kernel's message table.
"""
from __future__ import annotations

import builtins
import contextlib

import numpy as np

from .. import _ember
from ..dispatcher import session
from .gpu_array import CUDA, ArrayMaker, DeviceNDArray, stream_arg

__all__ = ["gpu_available", "GpuBackend", "GpuHost", "check_kernel_errors", "install"]


def gpu_available(vendor=CUDA) -> bool:
    """Whether a driver of this vendor with a device can be used (never raises)."""
    try:
        d = vendor.driver()
        return bool(d.available()) and d.device_count() > 0
    except Exception:  # noqa: BLE001 - no binding, no driver: the CPU path
        return False


# ---- kernel errors ------------------------------------------------------------------------------

def _exception_class(exc_id, module):
    user = getattr(module, "ember_exceptions", {}).get(exc_id)
    if user is not None:
        return user
    for name, i in _ember.exception_ids().items():
        if i == exc_id:
            return getattr(builtins, name)
    return RuntimeError


def kernel_exception(module, record):
    """The exception a kernel's error record (status, exc, line, msg_id) stands for."""
    _, exc_id, line, msg_id = record
    messages = getattr(module, "ember_messages", [])
    message = messages[msg_id] if 0 <= msg_id < len(messages) else ""
    name = getattr(module, "ember_kernel", "?")
    where = f"in kernel {name}" + (f" at line {line}" if line > 0 else "")
    text = f"{message} ({where})" if message else f"({where})"
    return _exception_class(exc_id, module)(text)


def check_kernel_errors(vendor=CUDA):
    """After a synchronization: raises the exception of the first kernel module whose error
    record is set since the last check (every set record is cleared)."""
    errors = vendor.driver().take_kernel_errors()
    if errors:
        module, record = errors[0]
        raise kernel_exception(module, record)


# ---- streams and events -------------------------------------------------------------------------

class Stream:
    """A stream (numba's Stream): handle 0 is the default stream, 1 the legacy default, 2 the
    per-thread default."""

    def __init__(self, native=None, handle=0, kind="stream", vendor=CUDA):
        self._native = native
        self._handle = int(native) if native is not None else handle
        self._kind = kind
        self._vendor = vendor

    @property
    def handle(self):
        return self._handle

    def __int__(self):
        return self._handle

    def __bool__(self):
        return self._handle != 0

    def __repr__(self):
        return f"<ember.{self._vendor.name} {self._kind} {self._handle:#x}>"

    def synchronize(self):
        self._vendor.driver().stream_synchronize(stream_arg(self))
        check_kernel_errors(self._vendor)

    def query(self):
        return self._vendor.driver().stream_query(stream_arg(self))

    @contextlib.contextmanager
    def auto_synchronize(self):
        yield self
        self.synchronize()

    def add_callback(self, callback, arg=None):
        self.synchronize()
        callback(self, 0, arg)

    def wait_event(self, event):
        self._vendor.driver().stream_wait_event(stream_arg(self), event._native)


class Event:
    """An event (numba's Event)."""

    def __init__(self, timing=True, vendor=CUDA):
        self.timing = timing
        self._vendor = vendor
        self._native = vendor.driver().event_create(timing)

    def record(self, stream=0):
        self._vendor.driver().event_record(self._native, stream_arg(stream))

    def synchronize(self):
        self._vendor.driver().event_synchronize(self._native)
        check_kernel_errors(self._vendor)

    def wait(self, stream=0):
        self._vendor.driver().stream_wait_event(stream_arg(stream), self._native)

    def query(self):
        return self._vendor.driver().event_query(self._native)

    def elapsed_time(self, evtend):
        """Milliseconds from this event to evtend (both recorded)."""
        return self._vendor.driver().event_elapsed_ms(self._native, evtend._native)


# ---- devices ------------------------------------------------------------------------------------

class GpuDevice:
    """A device as numba's Device: id, name, compute_capability and limits (``arch``: the
    target kernels are compiled for, a compute capability or a gfx name)."""

    def __init__(self, info, vendor=CUDA, arch=None):
        self._info = info
        self._vendor = vendor
        self.id = info.id
        self.name = info.name.encode() if isinstance(info.name, str) else info.name
        self.compute_capability = tuple(info.compute_capability)
        self.arch = arch
        self.WARP_SIZE = info.warp_size
        self.MAX_THREADS_PER_BLOCK = info.max_threads_per_block
        self.MAX_SHARED_MEMORY_PER_BLOCK = info.max_shared_memory_per_block
        self.MULTIPROCESSOR_COUNT = info.multiprocessor_count

    def __repr__(self):
        what = self.arch if self._vendor is not CUDA else f"cc={self.compute_capability}"
        return f"<ember.{self._vendor.name} device {self.id} {self.name!r} {what}>"

    def reset(self):
        self._vendor.driver().synchronize()


class GpuContext:
    """The current context (numba's current_context())."""

    def __init__(self, host):
        self._host = host

    @property
    def device(self):
        return self._host.get_current_device()

    def get_memory_info(self):
        return tuple(self._host.vendor.driver().memory_info())

    def synchronize(self):
        self._host.synchronize()

    def reset(self):
        self._host.synchronize()


# ---- the host API -------------------------------------------------------------------------------

class GpuHost:
    """numba-cuda's host API over one vendor's driver: ``host.api()`` is the namespace
    ``ember.cuda`` (or ``ember.hip``) exposes when kernels run on a GPU.  Subclasses say how a
    kernel compiles for a device (compile, image_of, device_target)."""

    backend_name = "gpu"

    def __init__(self, vendor, array_type):
        self.vendor = vendor
        self.array_type = array_type
        arrays = ArrayMaker(array_type)
        self.to_device = arrays.to_device
        self.device_array = arrays.device_array
        self.device_array_like = arrays.device_array_like
        self.as_device_array = arrays.as_device_array
        self.current_device_id = 0  # part of every launch's cache key
        self._devices = {}
        self._context = GpuContext(self)
        self.backend = GpuBackend(self)

    # ---- what differs per vendor ------------------------------------------------------------
    def device_target(self, device):
        """What kernels compile for on device: its compute capability (PTX)."""
        from .ptx import DEFAULT_CC
        cc = tuple(device.compute_capability)
        return cc if cc >= (7, 5) else DEFAULT_CC

    def compile(self, kernel, codes, target):
        """The compiled kernel (symbol, params, error_record, may_raise, messages) for these
        argument type codes (from the on-disk cache for a cached kernel)."""
        from .ptx import kernel_ptx
        return kernel_ptx(kernel, codes, target)

    def image_of(self, compiled):
        """What the driver's module loader takes."""
        return compiled.ptx

    def device_arch(self, info):
        return None

    # ---- streams, events, synchronization ---------------------------------------------------
    def stream(self):
        return Stream(self.vendor.driver().stream_create(), vendor=self.vendor)

    def default_stream(self):
        return Stream(None, 0, "default stream", self.vendor)

    def legacy_default_stream(self):
        return Stream(None, 1, "legacy default stream", self.vendor)

    def per_thread_default_stream(self):
        return Stream(None, 2, "per-thread default stream", self.vendor)

    def external_stream(self, ptr):
        return Stream(None, int(ptr), "external stream", self.vendor)

    def event(self, timing=True):
        return Event(timing, self.vendor)

    def event_elapsed_time(self, evtstart, evtend):
        """Milliseconds between two recorded events."""
        return evtstart.elapsed_time(evtend)

    def synchronize(self):
        """Waits for all work on the device, then raises a kernel's exception if one raised."""
        self.vendor.driver().synchronize()
        check_kernel_errors(self.vendor)

    # ---- host memory ------------------------------------------------------------------------
    def pinned_array(self, shape, dtype=np.float64, strides=None, order="C"):
        """Page-locked host memory (cuMemAllocHost, hipHostMalloc), as a NumPy array."""
        dtype = np.dtype(dtype)
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        n = int(np.prod(shape)) * dtype.itemsize
        buf = self.vendor.driver().alloc_pinned(max(n, 1))
        return np.frombuffer(buf, np.uint8, n).view(dtype).reshape(shape, order=order)

    def mapped_array(self, shape, dtype=np.float64, strides=None, order="C", stream=0,
                     portable=False, wc=False):
        """Host memory the device reads through copies here: pinned memory."""
        return self.pinned_array(shape, dtype, strides, order)

    @contextlib.contextmanager
    def pinned(self, *arylist):
        """Page-locks C-contiguous writable arrays while the block runs."""
        regs = [self.vendor.driver().register_host(a) for a in arylist
                if isinstance(a, np.ndarray) and a.flags.c_contiguous and a.flags.writeable]
        try:
            yield
        finally:
            for r in regs:
                r.unregister()

    @contextlib.contextmanager
    def mapped(self, *arylist, **kws):
        """Device copies of host arrays, copied back when the block ends."""
        devs = [self.to_device(a) for a in arylist]
        yield devs
        for a, d in zip(arylist, devs):
            d.copy_to_host(a)

    # ---- devices ----------------------------------------------------------------------------
    def select_device(self, device_id):
        self.vendor.driver().select(int(device_id))
        return self.get_current_device()

    def get_current_device(self):
        d = self.vendor.driver()
        i = d.selected_device
        if i is None or i < 0:
            i = 0
        self.current_device_id = i
        dev = self._devices.get(i)
        if dev is None:
            info = d.device_info(i)
            dev = self._devices[i] = GpuDevice(info, self.vendor, self.device_arch(info))
        return dev

    def close(self):
        pass

    def current_context(self):
        return self._context

    def is_available(self):
        return True

    def detect(self):
        """Prints the devices kernels run on and returns True (numba's detect)."""
        d = self.vendor.driver()
        print(f"ember.{self.vendor.name}: kernels run on the GPU (driver {d.version()})")
        for info in d.devices():
            print(f"  {info!r}")
        return True

    def is_cuda_array(self, obj):
        return hasattr(obj, "__cuda_array_interface__")

    def as_cuda_array(self, obj, sync=True):
        return self.as_device_array(obj)

    def api(self):
        """{name: object} of the host API (the names of _API)."""
        out = {"DeviceNDArray": self.array_type, "Stream": Stream, "Event": Event,
               "backend": self.backend}
        for name in _API:
            if name not in out:
                out[name] = getattr(self, name)
        return out


# ---- launching ----------------------------------------------------------------------------------

_T_BOOL, _T_UINT8, _T_UINT64, _T_FLOAT32, _T_FLOAT64 = 1, 6, 9, 10, 11
_T_COMPLEX64, _T_COMPLEX128, _T_ARRAY, _T_TUPLE, _T_FLOAT16 = 12, 13, 15, 16, 32
_TAG_OF_DTYPE = {"b1": 1, "i1": 2, "i2": 3, "i4": 4, "i8": 5, "u1": 6, "u2": 7, "u4": 8,
                 "u8": 9, "f4": 10, "f8": 11, "c8": 12, "c16": 13, "f2": 32}


def _array_code(a):
    """The ember type code of a device array: [T_ARRAY, dtype tag, ndim, layout, readonly]."""
    key = a.typestr[1:]
    if key not in _TAG_OF_DTYPE:
        raise TypeError(f"kernels do not take arrays of {np.dtype(a.typestr)}")
    layout = 0 if a.is_c_contiguous() else 1 if a.is_f_contiguous() else 2
    return (_T_ARRAY, _TAG_OF_DTYPE[key], a.ndim, layout, int(bool(a.readonly)))


def _param_kind(code, what):
    """The launcher's (ArgKind, size) for a scalar argument's type code."""
    from .. import _cuda
    k = _cuda.ArgKind
    tag = code[0]
    if tag == _T_BOOL:
        return k.Bool, 1
    if 2 <= tag <= 5:
        return k.Int, 1 << (tag - 2)
    if _T_UINT8 <= tag <= _T_UINT64:
        return k.UInt, 1 << (tag - _T_UINT8)
    if tag in (_T_FLOAT16, _T_FLOAT32, _T_FLOAT64):
        return k.Float, {_T_FLOAT16: 2, _T_FLOAT32: 4, _T_FLOAT64: 8}[tag]
    if tag in (_T_COMPLEX64, _T_COMPLEX128):
        return k.Complex, 8 if tag == _T_COMPLEX64 else 16
    raise NotImplementedError(f"{what}: the GPU backend passes arrays, numbers and tuples of "
                              "numbers to kernels")


_DTYPE_OF_TAG = {v: k for k, v in _TAG_OF_DTYPE.items()}


def _memory_dtype(code, pos=0):
    """(NumPy dtype of a scalar or tuple type code as compiled code lays it out in memory, the
    position after it): tuples are C structs, which NumPy's aligned records match."""
    tag = code[pos]
    if tag == _T_TUPLE:
        n, pos = code[pos + 1], pos + 2
        fields = []
        for k in range(n):
            dt, pos = _memory_dtype(code, pos)
            fields.append((f"f{k}", dt))
        return np.dtype(fields, align=True), pos
    if tag not in _DTYPE_OF_TAG:
        raise NotImplementedError("kernel arguments are arrays, numbers and tuples of numbers")
    return np.dtype(_DTYPE_OF_TAG[tag]), pos + 1


# The values of _compiler.KernelParamKind (lowering/Lower.h, KernelParam::Kind), which a kernel
# loaded from the cache has as ints: a launch from the cache does not load the compiler.
PARAM_DATA, PARAM_SHAPE, PARAM_STRIDE, PARAM_SCALAR = range(4)


def _pack(params, values, codes):
    """The kernel's parameter buffer, laid out as ptxas places .param space (each parameter
    at its natural alignment): the general path, for arguments the launcher has no kind for
    (tuples)."""
    buf = bytearray()
    for kind, arg, axis, size, align in params:
        buf.extend(bytes(-len(buf) % align))
        v = values[arg]
        kind = int(kind)
        if kind == PARAM_DATA:
            item = np.uint64(v.ptr).tobytes()
        elif kind == PARAM_SHAPE:
            item = np.int64(v.shape[axis]).tobytes()
        elif kind == PARAM_STRIDE:
            item = np.int64(v.strides[axis]).tobytes()
        else:
            dt, _ = _memory_dtype(codes[arg])
            item = np.array(v if dt.names is None else tuple(_flat(v)), dt).tobytes()
        if len(item) != size:
            raise NotImplementedError(f"argument {arg}: {len(item)} bytes where the kernel "
                                      f"takes {size}")
        buf.extend(item)
    return bytes(buf)


def _flat(v):
    return tuple(_flat(x) if isinstance(x, tuple) else x for x in v)


class _Entry:
    """One kernel compiled and loaded for one list of argument types (``ptx``: the compiled
    kernel, a _compiler.Ptx or, on HIP, a _compiler.Hsaco)."""

    __slots__ = ("ptx", "module", "function", "launcher", "arg_indices", "all_arguments",
                 "configured")

    def __init__(self, ptx, module, function, launcher, arg_indices):
        self.ptx = ptx
        self.module = module
        self.function = function
        self.launcher = launcher  # None: arguments packed in Python (_pack)
        self.arg_indices = arg_indices
        self.all_arguments = arg_indices == tuple(range(len(arg_indices)))
        self.configured = {}


def _user_exceptions(kernel):
    """{exception id: class} of the exception classes the kernel's globals name, so a raise of
    one comes back as that class."""
    from ..values import _exception_id
    out = {}
    code = kernel.py_func.__code__
    for name in code.co_names:
        obj = kernel.py_func.__globals__.get(name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            out[_exception_id(obj)] = obj
    return out


def _natural_offsets(params):
    """(offset, size) of each flattened kernel parameter at its natural alignment: where the
    code generator's kernel signature puts it (ptxas's .param space, the HSACO's kernarg
    segment, whose notes list the same offsets)."""
    out, end = [], 0
    for _kind, _arg, _axis, size, align in params:
        end += -end % align
        out.append((end, size))
        end += size
    return out


def _launcher_order(layout, indices):
    """(kind, argument, axis) of each parameter the native launcher writes for `layout` (an
    array: its data, then shape[ndim], then strides[ndim]), to compare with the compiled
    kernel's params."""
    from .. import _cuda
    out = []
    for (kind, n), arg in zip(layout, indices):
        if kind == _cuda.ArgKind.Array:
            out.append((PARAM_DATA, arg, -1))
            out += [(PARAM_SHAPE, arg, a) for a in range(n)]
            out += [(PARAM_STRIDE, arg, a) for a in range(n)]
        else:
            out.append((PARAM_SCALAR, arg, -1))
    return out


class GpuBackend:
    """Launches kernels on the current device of one GpuHost's vendor."""

    def __init__(self, host):
        self.host = host
        self.name = host.backend_name

    def kernel_argument(self, value):
        if isinstance(value, np.ndarray) or not (hasattr(value, "__cuda_array_interface__")
                                                 or hasattr(value, "__dlpack__")):
            return value
        return self.host.as_device_array(value)

    def _image(self, kernel, codes, target):
        """The compiled kernel for these argument type codes; tests against the mock drivers
        wrap this."""
        return self.host.compile(kernel, codes, target)

    def _prepare(self, kernel, codes):
        compile_codes = [list(c) for c in codes]
        if not kernel._can_compile:  # explicit signatures: the one these types convert to
            s = session()
            kernel._adopt_cached()
            type_ids = tuple(s.type_from_code(c) for c in compile_codes)
            if type_ids not in kernel._specs:
                spec = kernel._convertible(type_ids)
                if spec is None:
                    got = ", ".join(s.type_str(t) for t in type_ids)
                    raise TypeError(f"{kernel.__qualname__}(): no compiled signature matches "
                                    f"({got})")
                compile_codes = [s.type_code(t) for t in spec.arg_types]
        host = self.host
        device = host.get_current_device()
        p = self._image(kernel, compile_codes, host.device_target(device))
        module = host.vendor.driver().load_module(
            host.image_of(p), error_record=p.error_record if p.may_raise else "")
        module.ember_kernel = kernel.__qualname__
        module.ember_messages = list(p.messages)
        module.ember_exceptions = _user_exceptions(kernel)
        from .. import _cuda
        layout, indices = [], []
        for _kind, arg, _axis, _size, _align in p.params:
            if arg in indices:
                continue
            indices.append(arg)
            code = codes[arg]
            if code[0] == _T_ARRAY:
                layout.append((_cuda.ArgKind.Array, code[2]))
            elif code[0] == _T_TUPLE:
                _memory_dtype(code)  # tuples of numbers only
                layout.append(None)
            else:
                layout.append(_param_kind(code, f"argument '{kernel._argnames[arg]}'"))
        function = module.function(p.symbol)
        launcher = None
        if None not in layout:
            # The launcher's layout must be the compiled kernel's: checked here for both
            # vendors (CUDA 12.4+ checks it again against the driver's cuFuncGetParamInfo).
            slots = [tuple(s) for s in _cuda.ParamLayout(layout).slots]
            if (slots != _natural_offsets(p.params)
                    or _launcher_order(layout, indices) != [(int(q[0]), q[1], q[2])
                                                            for q in p.params]):
                raise RuntimeError(f"{kernel.__qualname__}: the launch layout {slots} is not the "
                                   f"kernel's parameters {list(p.params)} (a bug in ember; please "
                                   "report it)")
            launcher = _cuda.KernelLauncher(function, layout)
        return _Entry(p, module, function, launcher, tuple(indices))

    def _argument(self, kernel, name, a, stream, copies):
        """(the value the launcher reads, its type code) for one launch argument."""
        host = getattr(a, "_ary", None)
        if isinstance(host, np.ndarray):
            # A host-memory device array (cuda.random's states): copied like a host array.
            a = host
        if isinstance(a, np.ndarray):
            dev = self.host.to_device(a, stream)
            if a.flags.writeable:
                copies.append((dev, a))
            a = dev
        elif not isinstance(a, DeviceNDArray) and (hasattr(a, "__cuda_array_interface__")
                                                   or hasattr(a, "__dlpack__")):
            a = self.host.as_device_array(a, stream)
        if isinstance(a, DeviceNDArray):
            return a, _array_code(a)
        try:
            return a, tuple(_ember.typeof_code(a))
        except TypeError:
            raise TypeError(f"{kernel.__qualname__}(): argument '{name}' is a "
                            f"{type(a).__name__}; kernels take numbers and arrays") from None

    def launch(self, kernel, config, stream, args):
        if len(args) != kernel._nargs:
            raise TypeError(f"{kernel.__qualname__}() takes {kernel._nargs} arguments but "
                            f"{len(args)} were given")
        values, codes, copies = [], [], []
        for name, a in zip(kernel._argnames, args):
            if type(a) is self.host.array_type:  # the common case, its type code cached on it
                code = a.__dict__.get("_ember_code")
                if code is None:
                    code = a.__dict__["_ember_code"] = _array_code(a)
            else:
                a, code = self._argument(kernel, name, a, stream, copies)
            values.append(a)
            codes.append(code)
        key = (tuple(codes), self.host.current_device_id)
        entries = kernel.__dict__.setdefault("_gpu_entries", {})
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = self._prepare(kernel, codes)
        if entry.launcher is None:
            self.host.vendor.driver().launch(entry.function, config[:3], config[3:6], config[6],
                            stream_arg(stream), _pack(entry.ptx.params, values, codes))
            self._write_back(copies, stream)
            return
        go = entry.configured.get((config, stream))
        if go is None:
            go = entry.launcher.configure(config[:3], config[3:6], stream_arg(stream), config[6])
            if len(entry.configured) >= 64:
                entry.configured.clear()
            entry.configured[(config, stream)] = go
        if entry.all_arguments:
            go(*values)
        else:
            go(*[values[i] for i in entry.arg_indices])
        if copies:
            self._write_back(copies, stream)

    def _write_back(self, copies, stream):
        """numba-cuda copies host arrays back after the launch: a synchronization point."""
        if not copies:
            return
        self.host.vendor.driver().stream_synchronize(stream_arg(stream))
        for dev, host in copies:
            dev.copy_to_host(host)
        check_kernel_errors(self.host.vendor)


# The names backend.py's host API has, replaced by install().
_API = ["DeviceNDArray", "Stream", "Event", "to_device", "device_array", "device_array_like",
        "pinned_array", "mapped_array", "pinned", "mapped", "synchronize", "stream",
        "default_stream", "legacy_default_stream", "per_thread_default_stream",
        "external_stream", "event", "event_elapsed_time", "is_available", "detect",
        "select_device", "get_current_device", "current_context", "close", "is_cuda_array",
        "as_cuda_array", "backend"]


_cuda_host = None


def cuda_host():
    """The GpuHost of the CUDA driver (made on first use)."""
    global _cuda_host
    if _cuda_host is None:
        _cuda_host = GpuHost(CUDA, DeviceNDArray)
    return _cuda_host


def install(namespace):
    """Replaces the CPU path's host API in backend.py's namespace with the CUDA driver's."""
    namespace.update(cuda_host().api())

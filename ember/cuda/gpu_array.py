"""Device arrays of the GPU backend: ``DeviceNDArray`` over ``ember._cuda.DeviceArray`` (the
native array a configured launch reads without Python), with numba-cuda's API: ``to_device``,
``device_array(_like)``, ``copy_to_host`` / ``copy_to_device``, slicing into views, reshape,
transpose, and ``__cuda_array_interface__`` v3 / DLPack exported by the native base.

Views are computed on a NumPy array of the same shape and strides that never touches memory
(``_layout_view``); copies of non-contiguous arrays move the bytes the array spans and select
its elements on the host, so any strides (negative ones too) copy correctly.  A copy to the host
is a synchronization point: an exception raised by a kernel since the last one is raised there
(gpu_backend.check_kernel_errors).

One implementation serves both GPU vendors: an array's class names its vendor (``_vendor``, a
GpuVendor: the CUDA driver or the HIP runtime, both ``ember._cuda.Driver``), and ArrayMaker
binds numba's constructors (``to_device``, ``device_array``, ...) to one array class, so
``ember.hip`` gets the same functions over HIP memory (ember/hip/host.py).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["DeviceNDArray", "to_device", "device_array", "device_array_like", "as_device_array",
           "driver", "stream_arg", "GpuVendor", "CUDA", "HIP", "ArrayMaker"]


class GpuVendor:
    """One vendor's driver library behind ember._cuda: ``name`` ('cuda' or 'hip'), DLPack's
    device type of its memory, and the process's driver, opened on first use."""

    def __init__(self, name, dlpack_device_type, word):
        self.name = name
        self.dlpack_device_type = dlpack_device_type
        self.word = word  # for messages: "CUDA", "HIP"
        self._driver = None

    def driver(self):
        if self._driver is None:
            from .. import _cuda
            self._driver = _cuda.Driver(vendor=self.name)
        return self._driver

    def __repr__(self):
        return f"<GPU vendor {self.name}>"


CUDA = GpuVendor("cuda", 2, "CUDA")
HIP = GpuVendor("hip", 10, "HIP")


def driver():
    """The process's CUDA driver (ember._cuda.Driver, opened on first use)."""
    return CUDA.driver()


def stream_arg(stream):
    """What the driver takes for a stream argument: a Stream's native handle, an int, or None
    for the legacy default stream."""
    if stream is None or stream == 0:
        return None
    native = getattr(stream, "_native", None)
    if native is not None:
        return native
    return int(stream)


def _check_errors(vendor):
    from .gpu_backend import check_kernel_errors
    check_kernel_errors(vendor)


def _layout_view(shape, strides, dtype):
    """A read-only NumPy array with this shape and these strides whose data pointer is a
    one-element buffer: indexing it gives the shape, strides and byte offset of a view without
    reading memory (every index goes through ``[..., Ellipsis]`` so it stays a view)."""
    base = np.zeros(1, dtype)
    return as_strided(base, shape, strides, writeable=False), base.ctypes.data


def _span(shape, strides, itemsize):
    """(lowest, highest + itemsize) byte offsets an array touches, relative to its first
    element; (0, 0) when it is empty."""
    if any(n == 0 for n in shape):
        return 0, 0
    lo = sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
    hi = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
    return lo, hi + itemsize


def _c_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _f_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in shape:
        strides.append(step)
        step *= max(n, 1)
    return tuple(strides)


def _contiguous(shape, strides, expected):
    return all(n <= 1 or s == e for n, s, e in zip(shape, strides, expected))


def _simple_index(index):
    """The index as a tuple of ints, slices, None and Ellipsis; TypeError for fancy indexing,
    which would need the elements."""
    items = index if isinstance(index, tuple) else (index,)
    for it in items:
        if not (it is None or it is Ellipsis or isinstance(it, (slice, int, np.integer))):
            raise TypeError("device arrays take integer, slice, None and Ellipsis indices "
                            f"(no fancy indexing), not {type(it).__name__}")
    return items


def _device_array_type():
    from .. import _cuda
    return _cuda.DeviceArray


class DeviceNDArray(_device_array_type()):
    """An array in GPU memory, as numba-cuda's DeviceNDArray.  Kernels receive it without a
    copy; ``copy_to_host`` copies it out (a synchronization point)."""

    __cuda_memory__ = True
    _vendor = CUDA

    # ---- numba's attributes -------------------------------------------------------------------
    @property
    def dtype(self):
        return np.dtype(self.typestr)

    @property
    def alloc_size(self):
        return self.nbytes

    @property
    def T(self):  # noqa: N802 - numba's name
        return self.transpose()

    @property
    def device_ctypes_pointer(self):
        import ctypes
        return ctypes.c_void_p(self.ptr)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d device array")
        return self.shape[0]

    def __repr__(self):
        return (f"<ember.{self._vendor.name} DeviceNDArray shape={self.shape} dtype={self.dtype} "
                f"(GPU memory)>")

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a DeviceNDArray is device memory: copy it to the host with "
                        ".copy_to_host() first")

    def is_c_contiguous(self):
        return _contiguous(self.shape, self.strides, _c_strides(self.shape, self.itemsize))

    def is_f_contiguous(self):
        return _contiguous(self.shape, self.strides, _f_strides(self.shape, self.itemsize))

    @property
    def flags(self):
        return {"C_CONTIGUOUS": self.is_c_contiguous(), "F_CONTIGUOUS": self.is_f_contiguous()}

    def _like(self, ptr, shape, strides, dtype=None, stream=None):
        """A view of this array's memory (it keeps this array's owner alive)."""
        out = type(self)(ptr, tuple(shape), tuple(strides), (dtype or self.dtype).str,
                         readonly=self.readonly, owner=self,
                         stream=self.stream if stream is None else stream, device=self.device,
                         device_type=self.device_type)
        return out

    # ---- copies ----------------------------------------------------------------------------
    def _read_span(self, stream):
        """The bytes this array spans, on the host, and the offset of its first element in
        them."""
        lo, hi = _span(self.shape, self.strides, self.itemsize)
        buf = np.empty(hi - lo, np.uint8)
        if hi > lo:
            self._vendor.driver().copy_dtoh(buf, self.ptr + lo, hi - lo, stream_arg(stream))
        return buf, -lo

    def copy_to_host(self, ary=None, stream=0):
        """A host copy of the array (a new NumPy array, or written into ``ary``).  With a
        stream the copy is ordered on it and the caller synchronizes; without, it waits, and a
        kernel's exception since the last synchronization is raised."""
        if ary is not None:
            ary = np.asarray(ary)
            if ary.shape != self.shape or ary.dtype != self.dtype:
                raise ValueError(f"the arrays differ: {ary.shape} {ary.dtype} and {self.shape} "
                                 f"{self.dtype}")
        direct = self.is_c_contiguous() and (ary is None or ary.flags.c_contiguous)
        if direct:
            out = np.empty(self.shape, self.dtype) if ary is None else ary
            if self.nbytes:
                self._vendor.driver().copy_dtoh(out, self, self.nbytes, stream_arg(stream))
        else:
            buf, offset = self._read_span(stream)
            if stream:
                self._vendor.driver().stream_synchronize(stream_arg(stream))
            view = np.ndarray(self.shape, self.dtype, buffer=buf, offset=offset,
                              strides=self.strides)
            out = view.copy(order="K") if ary is None else ary
            if ary is not None:
                np.copyto(ary, view)
        if not stream:
            _check_errors(self._vendor)
        return out

    def copy_to_device(self, ary, stream=0):
        """Copies a host array (or a device array) of the same shape and dtype in."""
        if isinstance(ary, DeviceNDArray):
            if ary.shape != self.shape or ary.dtype != self.dtype:
                raise ValueError("the device arrays differ in shape or dtype")
            if self.is_c_contiguous() and ary.is_c_contiguous():
                if self.nbytes:
                    self._vendor.driver().copy_dtod(self, ary, self.nbytes, stream_arg(stream))
                return
            ary = ary.copy_to_host(stream=stream)
        src = np.asarray(ary)
        if src.dtype != self.dtype:
            src = src.astype(self.dtype)
        src = np.broadcast_to(src, self.shape)
        if self.is_c_contiguous():
            src = np.ascontiguousarray(src)
            if self.nbytes:
                self._vendor.driver().copy_htod(self, src, self.nbytes, stream_arg(stream))
                self._keep_alive(src, stream)
            return
        # Strided: read the span, write the elements into it, write it back.
        buf, offset = self._read_span(stream)
        if stream:
            self._vendor.driver().stream_synchronize(stream_arg(stream))
        view = np.ndarray(self.shape, self.dtype, buffer=buf, offset=offset, strides=self.strides)
        np.copyto(view, src)
        if buf.size:
            self._vendor.driver().copy_htod(self.ptr - offset, buf, buf.size, stream_arg(stream))
            self._keep_alive(buf, stream)

    def _keep_alive(self, host, stream):
        # An asynchronous copy reads the host buffer later: keep it until the next copy.
        if stream:
            self.__dict__["_pending_host"] = host

    # ---- views ----------------------------------------------------------------------------
    def _view(self, index):
        items = _simple_index(index)
        if Ellipsis not in items:
            items = items + (Ellipsis,)
        layout, base = _layout_view(self.shape, self.strides, self.dtype)
        v = layout[items]
        return self._like(self.ptr + (v.ctypes.data - base), v.shape, v.strides)

    def __getitem__(self, index):
        v = self._view(index)
        items = _simple_index(index)
        scalar = (Ellipsis not in items and None not in items and not any(
            isinstance(it, slice) for it in items) and len(items) == len(self.shape))
        if scalar:
            return v.copy_to_host()[()]  # numba copies an element to the host
        return v

    def getitem(self, index, stream=0):
        return self[index]

    def __setitem__(self, index, value):
        self._view(index).copy_to_device(value)

    def setitem(self, index, value, stream=0):
        self._view(index).copy_to_device(value, stream)

    def reshape(self, *newshape, order="C"):
        if len(newshape) == 1 and isinstance(newshape[0], (tuple, list)):
            newshape = tuple(newshape[0])
        newshape = tuple(int(n) for n in newshape)
        if -1 in newshape:
            known = int(np.prod([n for n in newshape if n != -1]))
            newshape = tuple(self.size // max(known, 1) if n == -1 else n for n in newshape)
        if int(np.prod(newshape)) != self.size:
            raise ValueError(f"cannot reshape an array of size {self.size} into {newshape}")
        if order == "C" and self.is_c_contiguous():
            return self._like(self.ptr, newshape, _c_strides(newshape, self.itemsize))
        if order == "F" and self.is_f_contiguous():
            return self._like(self.ptr, newshape, _f_strides(newshape, self.itemsize))
        raise NotImplementedError("this reshape would copy the device array")

    def ravel(self, order="C", stream=0):
        return self.reshape(self.size, order=order)

    def transpose(self, axes=None):
        axes = tuple(reversed(range(self.ndim))) if axes is None else tuple(axes)
        return self._like(self.ptr, [self.shape[a] for a in axes], [self.strides[a] for a in axes])

    def view(self, dtype):
        dtype = np.dtype(dtype)
        if dtype.itemsize != self.itemsize:
            raise ValueError("a view of a device array keeps the itemsize")
        return self._like(self.ptr, self.shape, self.strides, dtype)

    def split(self, section, stream=0):
        """Consecutive 1-d pieces of at most `section` elements (numba's split)."""
        if self.ndim != 1:
            raise ValueError("only a 1-d device array can be split")
        return [self[i:i + section] for i in range(0, self.size, section)]

    def bind(self, stream=0):
        handle = stream_arg(stream)
        return self._like(self.ptr, self.shape, self.strides, stream=int(handle or 0))

    def get_ipc_handle(self):
        raise NotImplementedError("IPC handles are not supported")


class ArrayMaker:
    """numba-cuda's device-array constructors (``device_array``, ``device_array_like``,
    ``to_device``, ``as_device_array``) over one array class, hence one vendor's memory."""

    def __init__(self, array_type):
        self.array_type = array_type

    def _alloc(self, shape, dtype, strides, stream=0):
        cls = self.array_type
        dtype = np.dtype(dtype)
        lo, hi = _span(shape, strides, dtype.itemsize)
        if lo < 0:
            raise ValueError("a new device array cannot have negative strides")
        ptr = cls._vendor.driver().alloc(max(hi, 1))
        return cls(ptr, tuple(shape), tuple(strides), dtype.str, owner=ptr,
                   stream=int(stream_arg(stream) or 0),
                   device_type=cls._vendor.dlpack_device_type)

    def device_array(self, shape, dtype=np.float64, strides=None, order="C", stream=0):
        """Uninitialized device memory (numba's device_array)."""
        dtype = np.dtype(dtype)
        shape = ((int(shape),) if isinstance(shape, (int, np.integer))
                 else tuple(int(n) for n in shape))
        if strides is None:
            strides = (_f_strides if order == "F" else _c_strides)(shape, dtype.itemsize)
        else:
            strides = (strides,) if isinstance(strides, int) else tuple(strides)
            if len(strides) != len(shape):
                raise ValueError(f"strides {strides} do not fit shape {shape}")
        return self._alloc(shape, dtype, strides, stream)

    def device_array_like(self, ary, stream=0):
        """A device array with ary's shape, dtype and layout (C or Fortran)."""
        if isinstance(ary, DeviceNDArray):
            order = "F" if ary.is_f_contiguous() and not ary.is_c_contiguous() else "C"
            return self.device_array(ary.shape, ary.dtype, order=order, stream=stream)
        src = np.asarray(ary)
        order = "F" if src.flags.f_contiguous and not src.flags.c_contiguous else "C"
        return self.device_array(src.shape, src.dtype, order=order, stream=stream)

    def to_device(self, obj, stream=0, copy=True, to=None):
        """A device copy of a host array (anything np.asarray accepts); with ``to``, copies
        into that device array instead."""
        if to is not None:
            to.copy_to_device(obj, stream)
            return to
        if isinstance(obj, self.array_type):
            return obj
        src = np.asarray(obj)
        if src.dtype.names:
            raise NotImplementedError("record arrays are not supported on the GPU backend")
        if not (src.flags.c_contiguous or src.flags.f_contiguous):
            src = np.ascontiguousarray(src)
        order = "F" if src.flags.f_contiguous and not src.flags.c_contiguous else "C"
        dev = self.device_array(src.shape, src.dtype, order=order, stream=stream)
        if copy and src.nbytes:
            host = src if order == "C" else src.T  # both C-contiguous buffers of the same bytes
            self.array_type._vendor.driver().copy_htod(dev, np.ascontiguousarray(host),
                                                       src.nbytes, stream_arg(stream))
            dev._keep_alive(host, stream)
        return dev

    def as_device_array(self, obj, stream=0):
        """A device array over another library's (``__cuda_array_interface__`` or DLPack),
        zero-copy; its memory stays owned by obj."""
        cls = self.array_type
        if isinstance(obj, cls):
            return obj
        from ..cuda_interop import describe, wait_for_producer
        desc = describe(obj, int(stream_arg(stream) or 1))
        wait_for_producer(desc, cls._vendor.driver(), stream_arg(stream) or 0)
        return cls(desc.ptr, desc.shape, desc.strides, desc.typestr, readonly=desc.readonly,
                   owner=desc.owner, stream=0, device=desc.device[1] or 0,
                   device_type=cls._vendor.dlpack_device_type)


_cuda_arrays = ArrayMaker(DeviceNDArray)
device_array = _cuda_arrays.device_array
device_array_like = _cuda_arrays.device_array_like
to_device = _cuda_arrays.to_device
as_device_array = _cuda_arrays.as_device_array

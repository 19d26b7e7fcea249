"""Zero-copy exchange of device arrays with other libraries (CuPy, PyTorch, JAX, numba).

Two protocols describe an array that lives in GPU memory:

* ``__cuda_array_interface__`` (version 3): a dict with ``data`` = (pointer, read_only),
  ``shape``, ``strides`` in bytes (None for C-contiguous), ``typestr`` (NumPy's, "<f4"),
  ``version``, and ``stream``: the stream the producer last used, which the consumer must wait
  for before touching the data (None: no wait; 1: the legacy default stream; 2: the per-thread
  default stream; 0 is not allowed).
* DLPack: ``__dlpack_device__()`` gives (device type, ordinal), kDLCUDA = 2 (kDLCPU = 1), and
  ``__dlpack__(stream=consumer_stream, max_version=(1, 0))`` a capsule holding a
  DLManagedTensor(Versioned), which ember parses natively (ember._cuda.dlpack_import).  There
  the producer makes the consumer's stream wait.

Both become one neutral ``ArrayDescription`` (pointer, shape, byte strides, typestr, read-only,
device, stream, owner).  ``device_array(desc)`` wraps one as an ``ember._cuda.DeviceArray``,
which exports both protocols, and ``cuda_array_interface(...)`` builds the v3 dict.

The CUDA binding is imported on first use, never by ``import ember``; nothing here opens the
driver except a stream wait that really needs it (``wait_for_producer``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KDL_CPU", "KDL_CUDA", "KDL_CUDA_HOST", "KDL_CUDA_MANAGED", "KDL_ROCM",
           "ArrayDescription",
           "from_cuda_array_interface", "from_dlpack", "describe", "cuda_array_interface",
           "device_array", "wait_for_producer"]

KDL_CPU = 1
KDL_CUDA = 2
KDL_CUDA_HOST = 3
KDL_CUDA_MANAGED = 13
KDL_ROCM = 10  # HIP memory (ember.hip's arrays, CuPy and PyTorch on ROCm)

# The DLPack version ember reads and writes.
_DLPACK_MAX_VERSION = (1, 0)


def _binding():
    from . import _cuda
    return _cuda


@dataclass(frozen=True)
class ArrayDescription:
    """A device array as another library hands it over.

    ``strides`` are in bytes.  ``device`` is (DLPack device type, ordinal); the ordinal is None
    for a ``__cuda_array_interface__`` array (the protocol does not say).  ``stream`` is the
    producer's stream the consumer must wait for (None: none).  ``owner`` keeps the memory
    alive: hold the description (or its owner) while the memory is in use.
    """

    ptr: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    typestr: str
    readonly: bool
    device: tuple[int, int | None]
    stream: int | None
    owner: Any = field(repr=False, compare=False)

    @property
    def dtype(self):
        import numpy as np
        return np.dtype(self.typestr)

    @property
    def itemsize(self) -> int:
        return int(self.typestr[2:])

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def nbytes(self) -> int:
        return self.size * self.itemsize

    def _contiguous(self, dims) -> bool:
        step = self.itemsize
        for d in dims:
            if self.shape[d] == 0:
                return True
            if self.shape[d] != 1 and self.strides[d] != step:
                return False
            step *= self.shape[d]
        return True

    @property
    def c_contiguous(self) -> bool:
        return self._contiguous(reversed(range(self.ndim)))

    @property
    def f_contiguous(self) -> bool:
        return self._contiguous(range(self.ndim))


def from_cuda_array_interface(obj) -> ArrayDescription:
    """Reads ``obj.__cuda_array_interface__`` (or a CAI dict itself), versions 0 to 3.

    TypeError for a missing entry, ValueError for a bad one (a stream of 0, a typestr that is
    not NumPy's), NotImplementedError for a mask.
    """
    ptr, shape, strides, typestr, readonly, stream, _version = \
        _binding().parse_cuda_array_interface(obj)
    owner = None if isinstance(obj, dict) else obj
    return ArrayDescription(ptr, shape, strides, typestr, readonly, (KDL_CUDA, None), stream,
                            owner)


def from_dlpack(obj, stream: int | None = None) -> ArrayDescription:
    """Reads a DLPack producer (an object with ``__dlpack__``) or a capsule it made.

    ``stream`` is the consumer's stream for a CUDA producer (1 = legacy default, 2 = per-thread
    default, -1 = no synchronization, a handle otherwise; None lets the producer assume the
    legacy default stream); it is not passed to a CPU producer.  The capsule is consumed.
    """
    cuda = _binding()
    if hasattr(obj, "__dlpack__"):
        device_type, _ = obj.__dlpack_device__()
        kwargs = {}
        if stream is not None and device_type in (KDL_CUDA, KDL_CUDA_MANAGED, KDL_ROCM):
            kwargs["stream"] = stream
        try:
            capsule = obj.__dlpack__(max_version=_DLPACK_MAX_VERSION, **kwargs)
        except TypeError:  # a producer older than DLPack 1.0 knows no max_version
            capsule = obj.__dlpack__(**kwargs)
    else:
        capsule = obj
    ptr, shape, strides, typestr, readonly, device, owner = cuda.dlpack_import(capsule)
    # the producer keeps the memory alive through the owner's deleter; keep obj too, since
    # some producers tie the tensor's lifetime to the Python object as well
    return ArrayDescription(ptr, shape, strides, typestr, readonly, device, None, (owner, obj))


def describe(obj, stream: int | None = None) -> ArrayDescription:
    """A device array from any producer: ``__cuda_array_interface__`` first (no capsule to
    consume), then DLPack.  TypeError for anything else."""
    if isinstance(obj, dict) or hasattr(obj, "__cuda_array_interface__"):
        return from_cuda_array_interface(obj)
    if hasattr(obj, "__dlpack__") or type(obj).__name__ == "PyCapsule":
        return from_dlpack(obj, stream)
    raise TypeError(f"{type(obj).__name__} is not a device array: it has neither "
                    "__cuda_array_interface__ nor __dlpack__")


def cuda_array_interface(ptr: int, shape, typestr: str, strides=None, readonly: bool = False,
                         stream: int | None = None) -> dict:
    """The version-3 ``__cuda_array_interface__`` dict of an array (strides in bytes; None or
    C-contiguous strides are written as None, as numba does)."""
    shape = tuple(int(s) for s in shape)
    itemsize = int(typestr[2:])
    if strides is not None:
        strides = tuple(int(s) for s in strides)
        expected, step = [], itemsize
        for s in reversed(shape):
            expected.append(step)
            step *= s
        if strides == tuple(reversed(expected)) or 0 in shape:
            strides = None
    if stream == 0:
        raise ValueError("stream 0 is not allowed in __cuda_array_interface__ (use None for the "
                         "legacy default stream's work, as numba does, or 1)")
    return {"shape": shape, "strides": strides, "typestr": typestr,
            "data": (int(ptr), bool(readonly)), "version": 3, "stream": stream}


def device_array(desc: ArrayDescription):
    """An ``ember._cuda.DeviceArray`` over a described array (kernels take it directly; it
    exports both protocols).  Its owner is the description's owner."""
    device = desc.device[1] if desc.device[1] is not None else 0
    return _binding().DeviceArray(desc.ptr, desc.shape, desc.strides, desc.typestr,
                                  readonly=desc.readonly, owner=desc.owner,
                                  stream=desc.stream or 0, device=device)


def wait_for_producer(desc: ArrayDescription, driver, consumer_stream=0) -> bool:
    """Makes ``consumer_stream`` wait for the producer's stream named by a
    ``__cuda_array_interface__`` (an event between them: the host does not block).  Nothing
    when the array names no stream, names the consumer's own, or when
    EMBER_CUDA_ARRAY_INTERFACE_SYNC=0.  Returns whether a wait was inserted."""
    if desc.stream is None or os.environ.get("EMBER_CUDA_ARRAY_INTERFACE_SYNC") == "0":
        return False
    consumer = int(consumer_stream) if consumer_stream else 1  # 0 and None: legacy default
    if consumer == desc.stream:
        return False
    driver.stream_wait_stream(consumer, desc.stream)
    return True

"""Device-array interop without a GPU (ember/cuda_interop.py, ember._cuda's readers).

__cuda_array_interface__ is read from fake producers (a class with the dict); DLPack is read
from NumPy's own capsules on the CPU device (kDLCPU = 1), which exercises the same parser a CUDA
producer's capsule goes through; DeviceArray's exports are read back by ember's readers and by
NumPy.  Lifetimes are checked with weak references: a producer stays alive while the
description (or a capsule) holds it and is released after.
"""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from ember import _cuda
from ember import cuda_interop as ci


class Producer:
    """A fake GPU library's array: just the dict."""

    def __init__(self, **cai):
        self.__cuda_array_interface__ = cai


def cai(**over):
    base = {"shape": (4, 3), "typestr": "<f4", "data": (0x7F0000001000, False), "version": 3}
    base.update(over)
    return base


# ---- __cuda_array_interface__ --------------------------------------------------------------------

def test_cai_contiguous_without_strides():
    p = Producer(**cai())
    d = ci.from_cuda_array_interface(p)
    assert d.ptr == 0x7F0000001000
    assert d.shape == (4, 3)
    assert d.strides == (12, 4)
    assert d.typestr == "<f4" and d.dtype == np.float32 and d.itemsize == 4
    assert not d.readonly
    assert d.stream is None
    assert d.device == (ci.KDL_CUDA, None)
    assert d.owner is p
    assert d.c_contiguous and not d.f_contiguous
    assert (d.ndim, d.size, d.nbytes) == (2, 12, 48)


def test_cai_strides_readonly_and_stream():
    d = ci.from_cuda_array_interface(Producer(**cai(strides=(4, 16), data=(0x2000, True),
                                                    stream=0x5555)))
    assert d.strides == (4, 16)
    assert d.readonly
    assert d.stream == 0x5555
    assert d.f_contiguous and not d.c_contiguous


def test_cai_older_versions_and_a_dict():
    d = ci.from_cuda_array_interface(cai(version=2, typestr="|u1", shape=(7,)))
    assert (d.shape, d.strides, d.typestr, d.owner) == ((7,), (1,), "|u1", None)
    assert ci.from_cuda_array_interface(cai(version=0, shape=5)).shape == (5,)


def test_cai_zero_size_with_a_null_pointer():
    d = ci.from_cuda_array_interface(Producer(**cai(shape=(0, 3), data=(0, False))))
    assert d.ptr == 0 and d.size == 0 and d.c_contiguous


@pytest.mark.parametrize("bad, error, message", [
    (cai(stream=0), ValueError, "stream.* is 0"),
    (cai(mask=Producer()), NotImplementedError, "masked"),
    ({k: v for k, v in cai().items() if k != "data"}, TypeError, "'data'"),
    ({k: v for k, v in cai().items() if k != "version"}, TypeError, "'version'"),
    (cai(typestr="float32"), ValueError, "typestr"),
    (cai(version=4), ValueError, "version 4"),
    (cai(strides=(4,)), ValueError, "1 strides for 2 dimensions"),
    (cai(data=0x1000), TypeError, "pointer, read_only"),
    (cai(shape=("a", 2)), TypeError, "shape"),
])
def test_cai_errors_say_what_is_wrong(bad, error, message):
    with pytest.raises(error, match=message):
        ci.from_cuda_array_interface(Producer(**bad))


def test_describe_prefers_cai_and_refuses_other_objects():
    assert ci.describe(Producer(**cai())).typestr == "<f4"
    with pytest.raises(TypeError, match="neither __cuda_array_interface__ nor __dlpack__"):
        ci.describe(object())


def test_cuda_array_interface_builder():
    d = ci.cuda_array_interface(0x1000, (2, 3), "<f8", strides=(24, 8))
    assert d == {"shape": (2, 3), "strides": None, "typestr": "<f8", "data": (0x1000, False),
                 "version": 3, "stream": None}
    d = ci.cuda_array_interface(0x1000, [2, 3], "<f8", strides=(8, 16), readonly=True, stream=7)
    assert d["strides"] == (8, 16) and d["data"] == (0x1000, True) and d["stream"] == 7
    assert ci.from_cuda_array_interface(d).strides == (8, 16)
    with pytest.raises(ValueError, match="stream 0"):
        ci.cuda_array_interface(0x1000, (2,), "<f8", stream=0)


# ---- DLPack from NumPy (kDLCPU) ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "int8", "bool",
                                   "complex64", "float16", "uint64"])
def test_dlpack_of_numpy_arrays(dtype):
    a = np.arange(12).reshape(3, 4).astype(dtype)
    d = ci.from_dlpack(a)
    assert d.device == (ci.KDL_CPU, 0)
    assert d.ptr == a.ctypes.data
    assert d.shape == a.shape and d.strides == a.strides
    assert np.dtype(d.typestr) == a.dtype
    assert not d.readonly
    assert d.stream is None


def test_dlpack_of_a_strided_view():
    a = np.arange(60.0).reshape(5, 12)
    view = a[1:, ::3]
    d = ci.from_dlpack(view)
    assert d.ptr == view.ctypes.data
    assert d.shape == (4, 4) and d.strides == (96, 24)
    assert not d.c_contiguous


def test_dlpack_versioned_capsule_carries_readonly():
    a = np.arange(4.0)
    a.setflags(write=False)
    capsule = a.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(capsule)
    d = ci.from_dlpack(capsule)
    assert d.readonly
    assert "used_dltensor_versioned" in repr(capsule)


def test_dlpack_legacy_capsule():
    a = np.arange(4.0)
    capsule = a.__dlpack__()
    assert '"dltensor"' in repr(capsule)
    d = ci.from_dlpack(capsule)
    assert d.ptr == a.ctypes.data and d.shape == (4,)
    assert '"used_dltensor"' in repr(capsule)


def test_a_consumed_capsule_is_refused():
    capsule = np.arange(3.0).__dlpack__()
    ci.from_dlpack(capsule)
    with pytest.raises(BufferError, match="already consumed"):
        ci.from_dlpack(capsule)


def test_a_capsule_that_is_not_dlpack_is_refused():
    import ctypes
    make = ctypes.pythonapi.PyCapsule_New
    make.restype = ctypes.py_object
    make.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    capsule = make(ctypes.c_void_p(8), b"something_else", None)
    with pytest.raises(TypeError, match="'something_else' is not a DLPack tensor"):
        _cuda.dlpack_import(capsule)
    with pytest.raises(TypeError, match="expected a DLPack capsule"):
        _cuda.dlpack_import(42)


def test_dlpack_keeps_the_producer_alive_until_the_description_goes():
    a = np.arange(1000.0)
    ref = weakref.ref(a)
    d = ci.from_dlpack(a.__dlpack__(max_version=(1, 0)))
    del a
    gc.collect()
    assert ref() is not None
    # the memory is still the array's: read it back through the pointer
    view = np.ctypeslib.as_array((np.ctypeslib.ctypes.c_double * 1000).from_address(d.ptr))
    assert view[999] == 999.0
    del view, d
    gc.collect()
    assert ref() is None


def test_a_producer_without_max_version():
    class OldProducer:
        def __init__(self):
            self.array = np.arange(5, dtype=np.int16)

        def __dlpack_device__(self):
            return (ci.KDL_CPU, 0)

        def __dlpack__(self, stream=None):
            assert stream is None
            return self.array.__dlpack__()

    p = OldProducer()
    d = ci.from_dlpack(p)
    assert d.typestr == "<i2" and d.ptr == p.array.ctypes.data


def test_the_consumer_stream_goes_only_to_cuda_producers():
    seen = {}

    class CudaProducer:
        def __dlpack_device__(self):
            return (ci.KDL_CUDA, 0)

        def __dlpack__(self, stream=None, max_version=None):
            seen["stream"], seen["max_version"] = stream, max_version
            return np.arange(2.0).__dlpack__(max_version=max_version)

    ci.from_dlpack(CudaProducer(), stream=7)
    assert seen == {"stream": 7, "max_version": (1, 0)}
    assert ci.from_dlpack(np.arange(3.0), stream=7).shape == (3,)  # a CPU producer gets none


# ---- DeviceArray's exports -----------------------------------------------------------------------

def test_device_array_fields():
    owner = object()
    a = _cuda.DeviceArray(0x10000, (3, 4), None, "<f8", readonly=True, owner=owner, stream=9,
                          device=1)
    assert (a.ptr, a.shape, a.strides, a.ndim) == (0x10000, (3, 4), (32, 8), 2)
    assert (a.typestr, a.itemsize, a.size, a.nbytes) == ("<f8", 8, 12, 96)
    assert a.readonly and a.owner is owner and a.stream == 9 and a.device == 1
    assert repr(a) == "DeviceArray(ptr=0x10000, shape=(3, 4), typestr='<f8', device=1)"
    a.stream = 0
    assert a.stream == 0


def test_device_array_subclasses_and_attributes():
    class Sub(_cuda.DeviceArray):
        pass

    s = Sub(0x20, 5, typestr="<i4")
    s.extra = "kept"
    assert s.shape == (5,) and s.extra == "kept"
    assert _cuda.ParamLayout([(_cuda.ArgKind.Array, 1)]).pack(s)[:8] == (0x20).to_bytes(8, "little")


def test_device_array_rejects_bad_input():
    with pytest.raises(ValueError, match="typestr"):
        _cuda.DeviceArray(0, (2,), None, "f8")
    with pytest.raises(ValueError, match="2 strides for 1 dimensions"):
        _cuda.DeviceArray(0, (2,), (8, 8), "<f8")
    with pytest.raises(ValueError, match="negative"):
        _cuda.DeviceArray(0, (-1,), None, "<f8")
    with pytest.raises(TypeError, match="ptr"):
        _cuda.DeviceArray("x", (2,), None, "<f8")


def test_device_array_cuda_array_interface():
    a = _cuda.DeviceArray(0x4000, (2, 3), None, "<i4")
    assert a.__cuda_array_interface__ == {"shape": (2, 3), "strides": None, "typestr": "<i4",
                                          "data": (0x4000, False), "version": 3, "stream": None}
    b = _cuda.DeviceArray(0x4000, (3, 2), (4, 12), "<i4", readonly=True, stream=0x77)
    assert b.__cuda_array_interface__ == {"shape": (3, 2), "strides": (4, 12), "typestr": "<i4",
                                          "data": (0x4000, True), "version": 3, "stream": 0x77}
    d = ci.describe(b)
    assert (d.ptr, d.shape, d.strides, d.readonly, d.stream) == (0x4000, (3, 2), (4, 12), True,
                                                                 0x77)


def test_device_array_dlpack_round_trip():
    a = _cuda.DeviceArray(0x9000, (4, 5), (40, 8), "<f8", device=3)
    assert a.__dlpack_device__() == (2, 3)
    for max_version, name in ((None, '"dltensor"'), ((1, 0), '"dltensor_versioned"')):
        capsule = a.__dlpack__(max_version=max_version)
        assert name in repr(capsule)
        ptr, shape, strides, typestr, readonly, device, _ = _cuda.dlpack_import(capsule)
        assert (ptr, shape, strides, typestr, readonly, device) == \
            (0x9000, (4, 5), (40, 8), "<f8", False, (2, 3))


def test_device_array_dlpack_readonly_and_types():
    for typestr in ("|b1", "|i1", "<u2", "<i8", "<f2", "<c16"):
        a = _cuda.DeviceArray(0x100, (3,), None, typestr, readonly=True)
        _, _, strides, got, readonly, _, _ = _cuda.dlpack_import(a.__dlpack__(max_version=(1, 0)))
        assert got == typestr and readonly and strides == (a.itemsize,)


def test_device_array_dlpack_refusals():
    a = _cuda.DeviceArray(0x100, (3,), None, "<f8")
    with pytest.raises(BufferError, match="never a copy"):
        a.__dlpack__(copy=True)
    with pytest.raises(BufferError, match="cannot be exported to device"):
        a.__dlpack__(dl_device=(1, 0))
    with pytest.raises(ValueError, match="stream 0 is ambiguous"):
        a.__dlpack__(stream=0)
    with pytest.raises(BufferError, match="not a whole number"):
        _cuda.DeviceArray(0x100, (3,), (12,), "<f8").__dlpack__()
    with pytest.raises(BufferError, match="no element type"):
        _cuda.DeviceArray(0x100, (3,), None, "<V8").__dlpack__()
    # no synchronization asked for, or the producer's own (legacy) stream: no driver needed
    assert a.__dlpack__(stream=-1) is not None
    assert a.__dlpack__(stream=1) is not None
    assert a.__dlpack__(dl_device=(2, 0), copy=False) is not None


def test_an_unconsumed_export_releases_its_owner():
    owner = np.zeros(1)
    ref = weakref.ref(owner)
    a = _cuda.DeviceArray(0x100, (3,), None, "<f8", owner=owner)
    del owner
    capsule = a.__dlpack__()
    del a
    gc.collect()
    assert ref() is not None  # the capsule holds the array, which holds the owner
    del capsule
    gc.collect()
    assert ref() is None


def test_a_consumed_export_releases_its_owner_with_the_consumer():
    owner = np.zeros(1)
    ref = weakref.ref(owner)
    a = _cuda.DeviceArray(0x100, (3,), None, "<f8", owner=owner)
    del owner
    d = ci.from_dlpack(a.__dlpack__(max_version=(1, 0)))
    del a
    gc.collect()
    assert ref() is not None
    del d
    gc.collect()
    assert ref() is None


def test_device_array_from_a_description():
    p = Producer(**cai(strides=(4, 16), stream=0x33))
    a = ci.device_array(ci.describe(p))
    assert isinstance(a, _cuda.DeviceArray)
    assert (a.ptr, a.shape, a.strides, a.typestr, a.stream, a.owner) == \
        (0x7F0000001000, (4, 3), (4, 16), "<f4", 0x33, p)


# ---- stream synchronization of __cuda_array_interface__ ------------------------------------------

class RecordingDriver:
    def __init__(self):
        self.waits = []

    def stream_wait_stream(self, consumer, producer):
        self.waits.append((consumer, producer))


def test_wait_for_producer(monkeypatch):
    monkeypatch.delenv("EMBER_CUDA_ARRAY_INTERFACE_SYNC", raising=False)
    drv = RecordingDriver()
    assert not ci.wait_for_producer(ci.describe(Producer(**cai())), drv)
    assert not ci.wait_for_producer(ci.describe(Producer(**cai(stream=1))), drv, 0)
    assert ci.wait_for_producer(ci.describe(Producer(**cai(stream=0x99))), drv, 0)
    assert ci.wait_for_producer(ci.describe(Producer(**cai(stream=0x99))), drv, 0x42)
    assert not ci.wait_for_producer(ci.describe(Producer(**cai(stream=0x42))), drv, 0x42)
    assert drv.waits == [(1, 0x99), (0x42, 0x99)]
    monkeypatch.setenv("EMBER_CUDA_ARRAY_INTERFACE_SYNC", "0")
    assert not ci.wait_for_producer(ci.describe(Producer(**cai(stream=0x99))), drv, 0)
    assert len(drv.waits) == 2

"""ember.hip's host layer against a host-memory stand-in for the HIP runtime.

tests/hip_mock/MockHipRuntime.cpp (built as build/libember_hip_mock.so) exports the HIP
functions ember resolves (runtime/cuda/DriverTables.cpp) and runs three hand-written kernels on
the host.  With EMBER_HIP_LIBRARY pointing at it, ``from ember import hip`` takes the GPU path
and everything but the kernels' own code runs as on an AMD GPU: the driver table filled from
HIP's names, device arrays in (mock) device memory, copies, slicing, streams and events, kernels
compiled to real AMDGPU code objects (the mock checks the ELF header) and loaded with
hipModuleLoadDataEx, launchers built from the compiled kernarg layout, launches through
kernelParams and through the packed `extra` buffer (HIP's terminator, 3), the device error
record, injected failures raised as HipError naming the call, and DLPack's kDLROCM.

The mock runs only its own kernels, by name: each test kernel here has that name and computes
what the mock's does, and the compiled code object's kernel is renamed to it
(``GpuBackend._image``).  What the compiled code computes is tested on the CPU path and, on an
AMD GPU, by test_hip_gpu.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOCK = os.path.join(os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build")),
                    "libember_hip_mock.so")

pytestmark = pytest.mark.skipif(not os.path.exists(MOCK),
                                reason=f"the mock HIP runtime is not built ({MOCK})")

PRELUDE = """
import ctypes, os
import numpy as np
from ember import _cuda, cuda, hip
from ember.errors import HipError, HipRuntimeNotFound
from ember.cuda import gpu_backend
from ember.hip.host import hip_host

mock = ctypes.CDLL(os.environ["EMBER_HIP_LIBRARY"])
_compile = gpu_backend.GpuBackend._image


class Renamed:
    # the compiled code object under the name of the mock's kernel that computes the same thing
    def __init__(self, h, symbol):
        self.hsaco, self.params, self.error_record = h.hsaco, h.params, h.error_record
        self.symbol, self.may_raise = symbol, h.may_raise
        self.messages = ([f"message {i}" for i in range(8)] if symbol == "raise_if_negative"
                         else h.messages)


def image(self, kernel, type_ids, target):
    return Renamed(_compile(self, kernel, type_ids, target), kernel.__name__)


gpu_backend.GpuBackend._image = image


@hip.jit
def add_one(x):
    i = cuda.grid(1)
    if i < x.shape[0]:
        x[i] += 1.0


@hip.jit
def scale_add(out, x, a, b, c, flag):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + b + c + flag


@hip.jit
def raise_if_negative(x):
    i = cuda.grid(1)
    if i < x.shape[0] and x[i] < 0:
        raise ValueError("negative")
"""


def run(code):
    env = dict(os.environ, EMBER_HIP_LIBRARY=MOCK)
    for var in ("EMBER_CUDA_CPU", "EMBER_HIP_CPU", "EMBER_HIP_ARCH"):
        env.pop(var, None)
    r = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], env=env,
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.splitlines()


def test_the_driver_table_is_filled_from_the_hip_runtime():
    out = run("""
        d = _cuda.Driver(vendor="hip")
        print(d.vendor, d.available(), d.library == os.environ["EMBER_HIP_LIBRARY"])
        info = d.device_info(0)
        print(info.name, info.warp_size, info.max_threads_per_block, info.multiprocessor_count)
        base = mock.mock_live_allocations()
        p = d.alloc(64)
        d.copy_htod(p, np.arange(8.0))
        d.memset(p, 0, 16)
        back = np.zeros(8)
        d.copy_dtoh(back, p)
        print(back.tolist())
        pinned = hip.pinned_array(4, np.int32)
        pinned[:] = 7
        print(pinned.tolist(), mock.mock_live_allocations() - base)
        del p, pinned
        print(mock.mock_live_allocations() - base)
        names = [n for n, _ in _cuda.exported_names("hip")]
        print(all(n.startswith("hip") for n in names), "hipModuleLaunchKernel" in names)
    """)
    assert out[0] == "hip True True"
    assert out[1] == "ember mock AMD GPU 64 1024 304"
    assert out[2] == "[0.0, 0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]"
    assert out[3] == "[7, 7, 7, 7] 2"
    assert out[4] == "0"
    assert out[5] == "True True"


def test_every_hip_failure_is_a_hip_error_naming_the_call():
    out = run("""
        d = _cuda.Driver(vendor="hip")
        mock.mock_fail_next(b"hipMalloc", 2)
        try:
            hip.device_array(10)
        except HipError as exc:
            print(type(exc).__name__, exc.call, exc.code, exc.name, "|", exc)
        print(hip.device_array(10).shape)  # the failure was one call
        try:
            d.load_module(b"not a code object")
        except HipError as exc:
            print(exc.call, exc.name, isinstance(exc, RuntimeError))
        mock.mock_fail_next(b"hipStreamSynchronize", 400)
        s = hip.stream()
        try:
            s.synchronize()
        except HipError as exc:
            print(exc.call, exc.name)
        mock.mock_fail_next(b"hipModuleLaunchKernel", 1)
        x = hip.to_device(np.zeros(4))
        try:
            add_one[1, 4](x)
        except HipError as exc:
            print(exc.call, exc.name)
        try:
            add_one[1, 2048](x)  # more threads than a block has: the runtime refuses
        except (HipError, ValueError) as exc:
            print(type(exc).__name__)
        try:
            _cuda.Driver("/nonexistent/libamdhip64.so", vendor="hip").device_count()
        except HipRuntimeNotFound as exc:
            text = str(exc)
            print(exc.call, "/nonexistent/libamdhip64.so" in text, "EMBER_HIP_LIBRARY" in text)
    """)
    assert out[0] == ("HipError hipMalloc 2 hipErrorOutOfMemory | hipMalloc failed: "
                      "hipErrorOutOfMemory (2): out of memory")
    assert out[1] == "(10,)"
    assert out[2] == "hipModuleLoadDataEx hipErrorInvalidImage True"
    assert out[3] == "hipStreamSynchronize hipErrorInvalidHandle"
    assert out[4] == "hipModuleLaunchKernel hipErrorInvalidValue"
    assert out[5] == "ValueError"
    assert out[6] == "dlopen True True"


def test_device_arrays_streams_events_and_dlpack():
    out = run("""
        print(hip_host().backend.name, type(hip.to_device(np.zeros(2))).__name__,
              hip.DeviceNDArray.__name__, cuda.to_device is not hip.to_device)
        x = np.arange(24, dtype=np.float64).reshape(4, 6)
        d = hip.to_device(x)
        print(np.array_equal(d.copy_to_host(), x), d[1:4:2, ::-2].shape,
              np.array_equal(d[1:4:2, ::-2].copy_to_host(), x[1:4:2, ::-2]), d[2, 3])
        d[0, :] = -1.0
        y = x.copy(); y[0, :] = -1.0
        e = hip.device_array_like(x)
        e.copy_to_device(d)
        print(np.array_equal(e.copy_to_host(), y), type(e[1:]).__name__)
        print(d.__dlpack_device__(), d[1:].__dlpack_device__(), e.device_type)
        ptr, shape, strides, typestr, ro, device, owner = _cuda.dlpack_import(d.__dlpack__())
        print(ptr == d.ptr, shape, device)
        try:
            d.__dlpack__(dl_device=(2, 0))
        except BufferError as exc:
            print("refused", "HIP device 0" in str(exc))
        print(d.__cuda_array_interface__["data"][0] == d.ptr)
        s = hip.stream()
        spare = hip.stream()
        streams = mock.mock_live_streams()
        del spare
        streams -= mock.mock_live_streams()
        start, end = hip.event(), hip.event()
        start.record(s)
        f = hip.to_device(np.arange(5.0), stream=s)
        add_one[1, 32, s](f)
        end.record(s)
        end.synchronize()
        print(np.array_equal(f.copy_to_host(), np.arange(5.0) + 1), start.elapsed_time(end) >= 0,
              hip.event_elapsed_time(start, end) >= 0, s.query(), end.query(), streams)
        events = mock.mock_live_events()
        del start, end
        print(events - mock.mock_live_events())
        hip.synchronize()
        dev = hip.get_current_device()
        print(dev.WARP_SIZE, dev.arch, dev.name)
        hip.detect()
    """)
    assert out[0] == "hip HipDeviceNDArray HipDeviceNDArray True"
    assert out[1] == "True (2, 3) True 15.0"
    assert out[2] == "True HipDeviceNDArray"
    assert out[3] == "(10, 0) (10, 0) 10"
    assert out[4] == "True (4, 6) (10, 0)"
    assert out[5] == "refused True"
    assert out[6] == "True"
    assert out[7] == "True True True True True 1"
    assert out[8] == "2"
    assert out[9] == "64 None b'ember mock AMD GPU'"
    assert out[10].startswith("ember.hip: kernels run on the AMD GPU")
    assert "wavefront 64" in out[11]


def test_launches_load_the_code_object_and_pass_the_kernarg_layout():
    out = run("""
        x = np.arange(10, dtype=np.float64)
        d = hip.to_device(x)
        before = mock.mock_launches()
        add_one[1, 32](d)
        add_one[1, 32](d)
        print(mock.mock_launches() - before, np.array_equal(d.copy_to_host(), x + 2))
        entry = next(iter(add_one._gpu_entries.values()))
        print(entry.ptx.hsaco[:4] == b"\\x7fELF", entry.ptx.symbol, entry.launcher.layout)
        h = np.zeros(7)
        add_one[1, 8](h)  # a host array: copied in, and back after the launch
        print(h.tolist() == [1.0] * 7)
        add_one[1, 32](d[::2])  # a strided view: the kernel gets its stride
        print(d.copy_to_host().tolist() == [v + 2 + (i % 2 == 0) for i, v in enumerate(x)])
        xs = np.linspace(0, 1, 9)
        out = hip.device_array(9)
        scale_add[1, 16](out, hip.to_device(xs), 2.0, np.int32(3), np.float32(0.5), True)
        print(np.allclose(out.copy_to_host(), 2.0 * xs + 3 + 0.5 + 1))
        # the packed path: one buffer through `extra`, ended by HIP_LAUNCH_PARAM_END
        layout = _cuda.ParamLayout([(_cuda.ArgKind.Array, 1)])
        hip_host().vendor.driver().launch(entry.function, 1, 32, 0, None, layout.pack(d))
        hip.synchronize()
        print(d.copy_to_host()[:2].tolist())
        r = hip.to_device(np.array([1, -2, 3], np.int32))
        raise_if_negative[1, 32](r)  # the launch itself does not wait
        print("launched")
        try:
            hip.synchronize()
        except ValueError as exc:
            print("ValueError", exc)
        hip.synchronize()
        print("clean")
    """)
    assert out[0] == "2 True"
    assert out[1] == "True add_one (array(1))"
    assert out[2] == "True"
    assert out[3] == "True"
    assert out[4] == "True"
    assert out[5] == "[4.0, 4.0]"
    assert out[6] == "launched"
    assert out[7] == "ValueError message 7 (in kernel raise_if_negative at line 42)"
    assert out[8] == "clean"

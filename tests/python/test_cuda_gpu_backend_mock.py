"""The GPU backend of ember.cuda (ember/cuda/gpu_backend.py, gpu_array.py) against the mock
CUDA driver (tests/cuda_mock/MockCudaDriver.cpp): with EMBER_CUDA_DRIVER pointing at it,
``from ember import cuda`` takes the GPU path, and everything but the kernels' own code runs as
on a GPU: device arrays in (mock) device memory, copies, slicing, streams and events, kernels
compiled to PTX, loaded, their launchers built from the compiled parameter layout (checked
against the mock's offsets), launches configured and cached, host arrays copied in and back,
and the device error record read at synchronization and raised with the kernel's line.

The mock runs only its hand-written kernels, by name (add_one, scale_add, raise_if_negative):
each test kernel here has that name and computes what the mock's does, and the backend's
compiled kernel is renamed to it (``GpuBackend._image``).  What the compiled code computes is
tested on the CPU path and, on a GPU, by test_cuda_gpu_kernels.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOCK = os.path.join(os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build")),
                    "libember_cuda_mock.so")

pytestmark = pytest.mark.skipif(not os.path.exists(MOCK),
                                reason=f"the mock driver is not built ({MOCK})")

PRELUDE = """
import ctypes, os
import numpy as np
from ember import cuda
from ember.cuda import backend, gpu_backend

mock = ctypes.CDLL(os.environ["EMBER_CUDA_DRIVER"])
_compile = gpu_backend.GpuBackend._image


class Renamed:
    # the compiled kernel under the name of the mock's kernel that computes the same thing
    def __init__(self, p, symbol, messages=None):
        self.ptx, self.params, self.error_record = p.ptx, p.params, p.error_record
        self.symbol = symbol
        self.messages = messages if messages is not None else p.messages
        self.may_raise = p.may_raise


def image(self, kernel, type_ids, cc):
    p = _compile(self, kernel, type_ids, cc)
    messages = [f"message {i}" for i in range(8)] if kernel.__name__ == "raise_if_negative" \\
        else None
    return Renamed(p, kernel.__name__, messages)


gpu_backend.GpuBackend._image = image


@cuda.jit
def add_one(x):
    i = cuda.grid(1)
    if i < x.shape[0]:
        x[i] += 1.0


@cuda.jit
def scale_add(out, x, a, b, c, flag):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + b + c + flag


@cuda.jit
def raise_if_negative(x):
    i = cuda.grid(1)
    if i < x.shape[0] and x[i] < 0:
        raise ValueError("negative")
"""


def run(code):
    env = dict(os.environ, EMBER_CUDA_DRIVER=MOCK)
    env.pop("EMBER_CUDA_CPU", None)
    r = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], env=env,
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.splitlines()


def test_the_gpu_backend_is_chosen_when_a_driver_has_a_device():
    out = run("""
        print(backend.backend.name, cuda.is_available())
        print(type(cuda.to_device(np.zeros(3))).__module__)
        dev = cuda.get_current_device()
        print(dev.compute_capability >= (7, 5), type(dev).__name__)
        cuda.detect()
    """)
    assert out[0] == "gpu True"
    assert out[1] == "ember.cuda.gpu_array"
    assert out[2] == "True GpuDevice"
    assert out[3].startswith("ember.cuda: kernels run on the GPU")


def test_device_arrays_copy_slice_and_export():
    out = run("""
        x = np.arange(24, dtype=np.float64).reshape(4, 6)
        d = cuda.to_device(x)
        print(np.array_equal(d.copy_to_host(), x), d.shape, d.dtype, d.size, len(d))
        s = d[1:4:2, ::-2]
        print(s.shape, np.array_equal(s.copy_to_host(), x[1:4:2, ::-2]))
        print(np.array_equal(d.T.copy_to_host(), x.T), d[2, 3], d[-1, -1])
        d[0, :] = -1.0
        d[1:3, 1:3] = np.array([[7.0, 8.0], [9.0, 10.0]])
        y = x.copy(); y[0, :] = -1.0; y[1:3, 1:3] = [[7.0, 8.0], [9.0, 10.0]]
        print(np.array_equal(d.copy_to_host(), y))
        cai = d.__cuda_array_interface__
        print(cai["shape"], cai["typestr"], cai["data"][0] == d.ptr, cai["version"])
        e = cuda.device_array_like(x)
        e.copy_to_device(d)
        host = np.empty_like(x)
        e.copy_to_host(host)
        print(np.array_equal(host, y), e.reshape(24).shape, d.reshape(3, 8)[2, 7])
        f = cuda.to_device(np.asfortranarray(x))
        print(f.is_f_contiguous(), np.array_equal(f.copy_to_host(), x))
        try:
            np.asarray(d)
        except TypeError as exc:
            print("refused", "copy_to_host" in str(exc))
    """)
    assert out[0] == "True (4, 6) float64 24 4"
    assert out[1] == "(2, 3) True"
    assert out[2] == "True 15.0 23.0"
    assert out[3] == "True"
    assert out[4] == "(4, 6) <f8 True 3"
    assert out[5] == "True (24,) 23.0"
    assert out[6] == "True True"
    assert out[7] == "refused True"


def test_launches_build_one_launcher_and_copy_host_arrays_back():
    out = run("""
        x = np.arange(10, dtype=np.float64)
        d = cuda.to_device(x)
        before = mock.mock_launches()
        add_one[1, 32](d)
        add_one[1, 32](d)
        print(mock.mock_launches() - before, np.array_equal(d.copy_to_host(), x + 2))
        print(len(add_one._gpu_entries))
        entry = next(iter(add_one._gpu_entries.values()))
        print(len(entry.configured), entry.ptx.symbol)
        add_one[2, 16](d)
        print(len(entry.configured))
        h = np.zeros(7)
        add_one[1, 8](h)  # a host array: copied in, and back after the launch
        print(h.tolist() == [1.0] * 7)
        add_one[1, 32](d[::2])  # a strided view: the kernel gets its stride
        print(d.copy_to_host().tolist() == [v + 3 + (i % 2 == 0) for i, v in enumerate(x)])
    """)
    assert out[0] == "2 True"
    assert out[1] == "1"
    assert out[2] == "1 add_one"
    assert out[3] == "2"
    assert out[4] == "True"
    assert out[5] == "True"


def test_scalar_parameters_go_where_the_compiled_kernel_has_them():
    out = run("""
        x = np.linspace(0, 1, 9)
        out = cuda.device_array(9)
        scale_add[1, 16](out, cuda.to_device(x), 2.0, np.int32(3), np.float32(0.5), True)
        print(np.allclose(out.copy_to_host(), 2.0 * x + 3 + 0.5 + 1))
        entry = next(iter(scale_add._gpu_entries.values()))
        print(entry.launcher.layout_checked)
    """)
    assert out == ["True", "True"]


def test_a_raise_in_a_kernel_is_raised_at_the_next_synchronization():
    out = run("""
        x = cuda.to_device(np.array([1, -2, 3], np.int32))
        raise_if_negative[1, 32](x)  # the launch itself does not wait
        print("launched")
        try:
            cuda.synchronize()
        except ValueError as exc:
            print("ValueError", exc)
        cuda.synchronize()  # the record was cleared
        print("clean")
        h = np.array([-1], np.int32)
        try:
            raise_if_negative[1, 1](h)  # a host array's copy back synchronizes
        except ValueError as exc:
            print("at launch", "line 42" in str(exc))
    """)
    assert out[0] == "launched"
    assert out[1] == "ValueError message 7 (in kernel raise_if_negative at line 42)"
    assert out[2] == "clean"
    assert out[3] == "at launch True"


def test_streams_and_events():
    out = run("""
        s = cuda.stream()
        x = np.arange(5, dtype=np.float64)
        d = cuda.to_device(x, stream=s)
        start, end = cuda.event(), cuda.event()
        start.record(s)
        add_one[1, 32, s](d)
        end.record(s)
        s.synchronize()
        end.synchronize()
        print(np.array_equal(d.copy_to_host(), x + 1), start.elapsed_time(end) >= 0)
        print(s.query(), end.query(), int(cuda.default_stream()))
        with s.auto_synchronize():
            add_one[1, 32, s, 0](d)
        print(np.array_equal(d.copy_to_host(), x + 2))
        print(np.array_equal(d[::2].copy_to_host(stream=s), (x + 2)[::2]))
        d[::2].copy_to_device(np.full(3, -1.0), stream=int(s))
        s.synchronize()
        print(d.copy_to_host().tolist())
    """)
    assert out == ["True True", "True True 0", "True", "True", "[-1.0, 3.0, -1.0, 5.0, -1.0]"]


def test_inspect_on_the_gpu_backend_gives_the_nvptx_module():
    out = run("""
        ir = add_one.inspect_llvm("void(float64[:])")
        print("nvptx64" in ir, ".entry" in add_one.inspect_ptx("void(float64[:])"))
    """)
    assert out == ["True True"]


def test_the_python_packed_path_lays_parameters_out_as_the_native_launcher():
    """Tuple arguments go through gpu_backend._pack (the launcher has no tuple kind): its
    buffer must match the native ParamLayout's for the same arrays and numbers, and a tuple
    sits where the compiled kernel's parameter list puts it."""
    out = run("""
        from ember import _cuda
        from ember.cuda.ptx import ptx_module, _owner
        from ember.dispatcher import session
        from ember.signature import parse_signature

        def k(flag, x, a, b, t):
            pass

        s = session()
        codes, _ = parse_signature("(boolean, float32[:, :], int32, float64, "
                                   "UniTuple(float32, 3))")
        p = ptx_module(_owner(k, False, False), tuple(s.type_from_code(c) for c in codes))
        x = cuda.to_device(np.zeros((3, 4), np.float32))[:, ::2]
        values = [True, x, np.int32(-7), 2.5, (1.0, 2.0, 3.0)]
        packed = gpu_backend._pack(p.params, values, [tuple(c) for c in codes])
        native = _cuda.ParamLayout([(_cuda.ArgKind.Bool, 1), (_cuda.ArgKind.Array, 2),
                                    (_cuda.ArgKind.Int, 4), (_cuda.ArgKind.Float, 8)])
        head = native.pack(True, x, -7, 2.5)
        print(packed[:len(head)] == head, len(packed) - len(head))
        print(np.frombuffer(packed[-12:], np.float32).tolist())
    """)
    assert out[0] == "True 12"
    assert out[1] == "[1.0, 2.0, 3.0]"

"""The CUDA host layer on a real device (`make test-gpu`; skipped, saying why, without one).

Memory round trips, pinned and registered host memory, streams and events, hand-written PTX
kernels (tests/python/cuda_ptx_samples.py: launch and parameter passing checked independently
of ember's compiler), the device error record, driver errors with the driver's own names, and
the launch overhead of the native launch path, printed (never asserted: timings depend on the
machine).
"""
from __future__ import annotations

import statistics
import threading
import time

import numpy as np
import pytest
from cuda_ptx_samples import BAD_PTX, KERNELS_PTX, LAYOUTS

from ember import _cuda
from ember import cuda_interop as ci
from ember.errors import CudaDriverError

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def driver():
    d = _cuda.Driver()
    if not d.available():
        pytest.skip(f"no usable CUDA driver: {d.reason()}")
    if d.device_count() == 0:
        pytest.skip("the CUDA driver sees no device")
    d.select(0)
    return d


@pytest.fixture(scope="module")
def module(driver):
    return driver.load_module(KERNELS_PTX)


def launcher(module, name):
    layout = [(getattr(_cuda.ArgKind, k), n) for k, n in LAYOUTS[name]]
    return _cuda.KernelLauncher(module.function(name), layout)


def to_device(driver, host: np.ndarray):
    """(DeviceArray, its memory) holding a copy of a C-contiguous host array."""
    mem = driver.alloc(max(host.nbytes, 1))
    driver.copy_htod(mem, host)
    arr = _cuda.DeviceArray(mem, host.shape, host.strides, host.dtype.str, owner=mem)
    return arr


def to_host(driver, arr, dtype, shape):
    out = np.empty(shape, dtype)
    driver.copy_dtoh(out, arr.ptr, out.nbytes)
    return out


# ---- the device ---------------------------------------------------------------------------------

def test_detect(driver):
    report = driver.detect()
    assert report["available"] and report["reason"] == ""
    assert report["version"] >= 11000
    dev = report["devices"][0]
    assert dev.name and dev.total_memory > 2**28
    assert dev.compute_capability >= (5, 2)
    assert dev.warp_size == 32
    assert dev.multiprocessor_count > 0 and dev.max_threads_per_block >= 512
    assert dev.max_shared_memory_per_block >= 48 * 1024
    assert dev.peak_bandwidth_gbs > 0
    print(f"\n{dev!r}: {dev.multiprocessor_count} SMs, peak {dev.peak_bandwidth_gbs:.0f} GB/s, "
          f"driver {report['version']}")
    free, total = driver.memory_info()
    assert 0 < free <= total


# ---- memory -------------------------------------------------------------------------------------

def test_alloc_copy_memset_round_trips(driver):
    host = np.arange(1000, dtype=np.float64)
    a = driver.alloc(host.nbytes)
    b = driver.alloc(host.nbytes)
    assert a.size == host.nbytes and int(a) == a.address != 0
    driver.copy_htod(a, host)
    driver.copy_dtod(b, a, host.nbytes)
    back = np.empty_like(host)
    driver.copy_dtoh(back, b)
    np.testing.assert_array_equal(back, host)
    driver.memset(b, 0x3F, 16)
    driver.copy_dtoh(back, b)
    assert back.view(np.uint8)[:16].tolist() == [0x3F] * 16
    assert back[2:].tolist() == host[2:].tolist()
    a.free()
    a.free()  # a second free does nothing
    with pytest.raises(ValueError, match="freed"):
        driver.copy_htod(a, host)


def test_copy_sizes_are_checked(driver):
    a = driver.alloc(64)
    with pytest.raises(ValueError, match="cannot copy 128"):
        driver.copy_htod(a, np.zeros(8), 128)
    with pytest.raises(ValueError, match="not C-contiguous"):
        driver.copy_dtoh(np.zeros((4, 4))[:, ::2], a)


def test_pinned_memory_and_async_copies_on_a_stream(driver):
    n = 1 << 16
    src = driver.alloc_pinned(n * 4)
    dst = driver.alloc_pinned(n * 4)
    host_src = np.frombuffer(src, dtype=np.float32)
    host_dst = np.frombuffer(dst, dtype=np.float32)
    host_src[:] = np.arange(n, dtype=np.float32)
    mem = driver.alloc(n * 4)
    s = driver.stream_create(non_blocking=True)
    driver.copy_htod(mem, src, stream=s)
    driver.copy_dtoh(dst, mem, stream=s)
    s.synchronize()
    assert s.query() and driver.stream_query(s)
    np.testing.assert_array_equal(host_dst, host_src)
    del host_src, host_dst


def test_registered_host_memory(driver):
    host = np.arange(4096, dtype=np.int32)
    reg = driver.register_host(host)
    assert reg.address == host.ctypes.data and reg.size == host.nbytes
    mem = driver.alloc(host.nbytes)
    s = driver.stream_create()
    driver.copy_htod(mem, host, stream=s)
    back = np.zeros_like(host)
    driver.copy_dtoh(back, mem, stream=s)
    driver.stream_synchronize(s)
    np.testing.assert_array_equal(back, host)
    reg.unregister()


def test_out_of_memory_names_the_call(driver):
    with pytest.raises(CudaDriverError) as info:
        driver.alloc(1 << 50)
    e = info.value
    assert (e.call, e.code, e.name) == ("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY")
    assert str(e) == "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"


# ---- streams and events -------------------------------------------------------------------------

def test_events_time_work_on_a_stream(driver):
    s = driver.stream_create()
    start, end = driver.event_create(), driver.event_create()
    mem = driver.alloc(64 << 20)
    start.record(s)
    driver.memset(mem, 1, 64 << 20, stream=s)
    end.record(s)
    end.synchronize()
    assert end.query() and driver.event_query(end)
    ms = start.elapsed_ms(end)
    assert ms > 0
    assert driver.event_elapsed_ms(start, end) == ms
    untimed = driver.event_create(timing=False)
    driver.event_record(untimed, s)
    driver.stream_wait_event(driver.stream_create(), untimed)
    driver.event_synchronize(untimed)
    with pytest.raises(CudaDriverError) as info:
        start.elapsed_ms(untimed)
    assert info.value.call == "cuEventElapsedTime"


def test_stream_wait_stream_orders_work(driver, module):
    producer = driver.stream_create(non_blocking=True)
    consumer = driver.stream_create(non_blocking=True)
    host = np.zeros(1 << 20)
    x = to_device(driver, host)
    add = launcher(module, "add_one")
    for _ in range(5):
        add.launch((len(host) + 255) // 256, 256, x, stream=producer)
    driver.stream_wait_stream(consumer, producer)
    back = np.empty_like(host)
    driver.copy_dtoh(back, x.ptr, stream=consumer)
    consumer.synchronize()
    assert (back == 5).all()


# ---- modules and launches -----------------------------------------------------------------------

def test_add_one_kernel(driver, module):
    host = np.arange(1000, dtype=np.float64)
    x = to_device(driver, host)
    add = launcher(module, "add_one")
    assert add.name == "add_one" and add.param_count == 3
    add.configure((len(host) + 127) // 128, 128)(x)
    driver.synchronize()
    np.testing.assert_array_equal(to_host(driver, x, np.float64, host.shape), host + 1)


def test_strided_array_argument(driver, module):
    host = np.zeros(2000)
    mem = to_device(driver, host)
    every_other = _cuda.DeviceArray(mem.ptr, (1000,), (16,), "<f8", owner=mem)
    launcher(module, "add_one").launch(8, 128, every_other)
    driver.synchronize()
    back = to_host(driver, mem, np.float64, host.shape)
    assert (back[::2] == 1).all() and (back[1::2] == 0).all()


def test_scale_add_passes_every_scalar_width(driver, module):
    x = np.linspace(-3, 3, 513)
    dx = to_device(driver, x)
    out = to_device(driver, np.zeros_like(x))
    k = launcher(module, "scale_add")
    if k.layout_checked:  # the driver confirmed ember's offsets (cuFuncGetParamInfo)
        print("\nscale_add's layout checked against the driver")
    k.configure(5, 128)(out, dx, 2.5, -7, 0.25, 3)
    driver.synchronize()
    np.testing.assert_allclose(to_host(driver, out, np.float64, x.shape),
                               2.5 * x - 7 + 0.25 + 3, rtol=0, atol=1e-12)


def test_slow_launch_paths(driver, module):
    host = np.arange(64.0)
    x = to_device(driver, host)
    f = module.function("add_one")
    driver.launch(f, 1, 64, args=[(_cuda.ArgKind.Array, 1, x)])
    blob = _cuda.ParamLayout([(_cuda.ArgKind.Array, 1)]).pack(x)
    driver.launch(f, (1, 1, 1), (64, 1, 1), args=blob)  # CU_LAUNCH_PARAM_BUFFER_POINTER
    driver.synchronize()
    np.testing.assert_array_equal(to_host(driver, x, np.float64, host.shape), host + 2)


def test_a_foreign_array_through_the_cuda_array_interface(driver, module):
    host = np.arange(100.0)
    x = to_device(driver, host)

    class Foreign:
        __cuda_array_interface__ = {"shape": (100,), "strides": None, "typestr": "<f8",
                                    "data": (x.ptr, False), "version": 3, "stream": 1}

    launcher(module, "add_one").launch(1, 128, Foreign())
    driver.synchronize()
    np.testing.assert_array_equal(to_host(driver, x, np.float64, host.shape), host + 1)


def test_the_layout_is_checked_against_the_kernel(driver, module):
    f = module.function("scale_add")
    wrong = [(_cuda.ArgKind.Array, 1), (_cuda.ArgKind.Array, 1), (_cuda.ArgKind.Float, 8),
             (_cuda.ArgKind.Int, 8), (_cuda.ArgKind.Float, 4), (_cuda.ArgKind.UInt, 1)]
    right = launcher(module, "scale_add")
    if not right.layout_checked:
        pytest.skip("this driver cannot report kernel parameters (cuFuncGetParamInfo: 12.4+)")
    with pytest.raises(ValueError, match="parameter 7 is 4 bytes at offset 56 in the kernel"):
        _cuda.KernelLauncher(f, wrong)


def test_function_attributes(module):
    attrs = module.function("scale_add").attributes()
    assert attrs["num_regs"] > 0
    assert attrs["max_threads_per_block"] >= 128
    assert attrs["ptx_version"] > 0 and attrs["binary_version"] > 0


def test_launch_errors(driver, module):
    add = launcher(module, "add_one")
    x = to_device(driver, np.zeros(4))
    with pytest.raises(ValueError, match="between 1 and 2..31 - 1"):
        add.launch(0, 1, x)
    with pytest.raises(CudaDriverError) as info:
        add.launch(1, 4096, x)  # more threads than a block may have
    assert info.value.call == "cuLaunchKernel"
    with pytest.raises(TypeError, match="kernel 'add_one' takes 1 arguments .2 given."):
        add.launch(1, 1, x, x)
    with pytest.raises(TypeError, match="kernel 'add_one' argument 0"):
        add.launch(1, 1, np.zeros(4))


def test_bad_ptx_and_missing_names(driver, module):
    with pytest.raises(CudaDriverError) as info:
        driver.load_module(BAD_PTX)
    assert info.value.call == "cuModuleLoadDataEx"
    assert info.value.name == "CUDA_ERROR_INVALID_PTX"
    assert "PTX JIT log" in str(info.value)
    with pytest.raises(CudaDriverError) as info:
        module.function("no_such_kernel")
    assert (info.value.call, info.value.name) == ("cuModuleGetFunction", "CUDA_ERROR_NOT_FOUND")
    assert "no_such_kernel" in str(info.value)


# ---- the error record ---------------------------------------------------------------------------

def test_error_record_is_read_after_synchronization_and_cleared(driver):
    mod = driver.load_module(KERNELS_PTX)  # a module of its own: a clean record
    assert mod.has_error_record
    k = launcher(mod, "raise_if_negative")
    ok = to_device(driver, np.arange(1000, dtype=np.int32))
    k.launch(8, 128, ok)
    driver.synchronize()
    assert driver.take_kernel_errors() == []
    assert mod.error_record() == (0, 0, 0, 0)

    bad = to_device(driver, np.array([5, -1, 3, -2] * 250, dtype=np.int32))
    k.launch(8, 128, bad)
    driver.synchronize()
    errors = driver.take_kernel_errors()
    assert len(errors) == 1
    got_module, record = errors[0]
    assert got_module is mod
    assert record == (1, 3, 42, 7)
    assert mod.error_record() == (0, 0, 0, 0)  # cleared for the next launch
    assert driver.take_kernel_errors() == []  # not launched since

    k.launch(8, 128, ok)
    driver.synchronize()
    assert driver.take_kernel_errors() == []
    k.launch(8, 128, bad)
    driver.synchronize()
    assert mod.take_error_record() == (1, 3, 42, 7)
    assert mod.error_record() == (0, 0, 0, 0)
    mod.reset_error_record()


def test_modules_accept_attributes(driver):
    mod = driver.load_module(KERNELS_PTX)
    mod.messages = ["index out of range"]
    assert mod.function("add_one").module.messages == ["index out of range"]
    assert driver.load_module(KERNELS_PTX, error_record="").has_error_record is False


# ---- threads and interop ------------------------------------------------------------------------

def test_launch_from_another_thread(driver, module):
    host = np.zeros(256)
    x = to_device(driver, host)
    add = launcher(module, "add_one").configure(1, 256)
    errors = []

    def work():
        try:
            add(x)
            driver.synchronize()
        except Exception as e:  # reported below
            errors.append(e)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert errors == []
    assert (to_host(driver, x, np.float64, host.shape) == 1).all()


def test_cupy_and_torch_read_our_arrays(driver):
    host = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = to_device(driver, host)
    seen = 0
    try:
        import cupy
    except ImportError:
        cupy = None
    if cupy is not None:
        np.testing.assert_array_equal(cupy.asnumpy(cupy.asarray(x)), host)
        np.testing.assert_array_equal(cupy.asnumpy(cupy.from_dlpack(x)), host)
        c = cupy.arange(6, dtype=cupy.float64)
        d = ci.describe(c)
        assert d.ptr == c.data.ptr and d.shape == (6,)
        seen += 1
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        t = torch.from_dlpack(x)
        np.testing.assert_array_equal(t.cpu().numpy(), host)
        tt = torch.arange(5, dtype=torch.float64, device="cuda")
        d = ci.from_dlpack(tt, stream=1)
        assert d.ptr == tt.data_ptr() and d.device == (ci.KDL_CUDA, 0)
        seen += 1
    if not seen:
        pytest.skip("neither CuPy nor PyTorch with CUDA is installed")


# ---- launch overhead ----------------------------------------------------------------------------

def _per_launch_us(call, args, batches=15, per_batch=500):
    """Median over batches of the host time per launch.  Batches stay below the driver's queue
    depth so that the GPU's own execution time does not throttle the loop."""
    times = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            call(*args)
        times.append((time.perf_counter() - t0) / per_batch * 1e6)
        _cuda.Driver().synchronize()
    return statistics.median(times)


def test_launch_overhead_is_printed(driver, module):
    x = to_device(driver, np.zeros(16))
    one = launcher(module, "empty_array").configure(1, 32)
    none = launcher(module, "empty").configure(1, 32)
    sixteen = launcher(module, "empty_array16").configure(1, 32)
    for warm in (one, none):
        warm(*([x] if warm is one else []))
    driver.synchronize()
    f = module.function("empty_array")
    figures = {
        "no arguments (ConfiguredLaunch)": _per_launch_us(none, ()),
        "1 array (ConfiguredLaunch)": _per_launch_us(one, (x,)),
        "16 arrays (ConfiguredLaunch)": _per_launch_us(sixteen, (x,) * 16),
        "1 array (Driver.launch, slow path)": _per_launch_us(
            lambda: driver.launch(f, 1, 32, args=[(_cuda.ArgKind.Array, 1, x)]), ()),
    }
    print()
    for what, us in figures.items():
        print(f"launch overhead, {what}: {us:.2f} us (median of 15 batches of 500)")
        assert us > 0

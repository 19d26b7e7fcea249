"""ember.cuda kernels on a real GPU (`make test-gpu`; skipped, saying why, without one): the
GPU backend (ember/cuda/gpu_backend.py) compiling kernels to PTX, launching them and checking
their results against NumPy: element-wise kernels, shared memory and barriers, atomics under
contention, warp shuffles and votes, dynamic shared memory, cuda.random, a raise inside a
kernel, streams and events, host arrays copied in and back, and CuPy / PyTorch arrays taken
zero-copy.  The same kernels' semantics are checked on the CPU path by the other test_cuda_*
files; these check the GPU's answers.  They have not run on a GPU yet.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def cuda():
    if os.environ.get("EMBER_CUDA_CPU", "") not in ("", "0"):
        pytest.skip("EMBER_CUDA_CPU is set: kernels run on the CPU path")
    from ember.cuda import gpu_backend
    if not gpu_backend.gpu_available():
        from ember import _cuda
        d = _cuda.Driver()
        pytest.skip(f"no CUDA device: {d.reason() or 'the driver sees no device'}")
    from ember import cuda as c
    from ember.cuda import backend
    if backend.backend.name != "gpu":
        pytest.skip("ember.cuda was imported on the CPU path")
    if "mock" in (os.environ.get("EMBER_CUDA_DRIVER") or ""):
        pytest.skip("the mock driver runs only its own kernels")
    return c


def test_saxpy_with_device_and_host_arrays(cuda):
    @cuda.jit
    def saxpy(a, x, y, out):
        i = cuda.grid(1)
        if i < x.size:
            out[i] = a * x[i] + y[i]

    n = 1 << 20
    rng = np.random.default_rng(0)
    x, y = rng.random(n, np.float32), rng.random(n, np.float32)
    out = cuda.device_array(n, np.float32)
    saxpy[(n + 255) // 256, 256](np.float32(2.0), cuda.to_device(x), cuda.to_device(y), out)
    np.testing.assert_allclose(out.copy_to_host(), 2 * x + y, rtol=1e-6)
    host_out = np.zeros(n, np.float32)
    saxpy[(n + 255) // 256, 256](np.float32(3.0), x, y, host_out)  # copied in and back
    np.testing.assert_allclose(host_out, 3 * x + y, rtol=1e-6)


def test_shared_memory_reduction_with_barriers(cuda):
    @cuda.jit
    def block_sums(x, out):
        tile = cuda.shared.array(256, np.float64)
        t = cuda.threadIdx.x
        tile[t] = x[cuda.grid(1)]
        cuda.syncthreads()
        step = 128
        while step > 0:
            if t < step:
                tile[t] += tile[t + step]
            cuda.syncthreads()
            step //= 2
        if t == 0:
            out[cuda.blockIdx.x] = tile[0]

    x = np.random.default_rng(1).random(64 * 256)
    out = np.zeros(64)
    block_sums[64, 256](x, out)
    np.testing.assert_allclose(out, x.reshape(64, 256).sum(axis=1))


def test_dynamic_shared_memory(cuda):
    @cuda.jit
    def reverse(x):
        buf = cuda.shared.array(0, np.int32)
        t = cuda.threadIdx.x
        buf[t] = x[t]
        cuda.syncthreads()
        x[t] = buf[cuda.blockDim.x - 1 - t]

    x = np.arange(128, dtype=np.int32)
    reverse[1, 128, 0, 128 * 4](x)
    np.testing.assert_array_equal(x, np.arange(128)[::-1])


@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64, np.float32,
                                   np.float64])
def test_atomics_under_contention(cuda, dtype):
    @cuda.jit
    def count(out):
        cuda.atomic.add(out, 0, 1)
        cuda.atomic.max(out, 1, cuda.grid(1))
        cuda.atomic.min(out, 2, cuda.grid(1))

    out = np.array([0, 0, 1 << 20], dtype)
    count[1024, 256](out)
    assert out.tolist() == [1024 * 256, 1024 * 256 - 1, 0]


def test_atomic_inc_and_dec_wrap_as_cuda_defines_them(cuda):
    @cuda.jit
    def inc_dec(a):
        cuda.atomic.inc(a, 0, np.uint32(9))
        cuda.atomic.dec(a, 1, np.uint32(9))

    a = np.zeros(2, np.uint32)
    inc_dec[1, 25](a)
    # inc: 0..9 then back to 0, 25 times -> 25 % 10; dec from 0 wraps to 9 first
    assert a.tolist() == [25 % 10, (0 - 25) % 10]


def test_warp_shuffles_and_votes(cuda):
    full = 0xFFFFFFFF

    @cuda.jit
    def warp(x, out, votes):
        i = cuda.grid(1)
        v = x[i]
        out[i, 0] = cuda.shfl_sync(full, v, 5)
        out[i, 1] = cuda.shfl_up_sync(full, v, 3)
        out[i, 2] = cuda.shfl_down_sync(full, v, 4)
        out[i, 3] = cuda.shfl_xor_sync(full, v, 9)
        votes[i, 0] = cuda.ballot_sync(full, v > 0)
        votes[i, 1] = cuda.all_sync(full, v > -1000)
        votes[i, 2] = cuda.laneid

    x = (np.arange(64) * 3 - 40).astype(np.float64)
    out = np.zeros((64, 4))
    votes = np.zeros((64, 3), np.int64)
    warp[1, 64](x, out, votes)
    w, lane = x.reshape(2, 32), np.arange(32)
    np.testing.assert_array_equal(out[:, 0].reshape(2, 32), w[:, [5] * 32])
    np.testing.assert_array_equal(out[:, 1].reshape(2, 32), w[:, np.where(lane >= 3, lane - 3,
                                                                          lane)])
    np.testing.assert_array_equal(out[:, 2].reshape(2, 32), w[:, np.where(lane < 28, lane + 4,
                                                                          lane)])
    np.testing.assert_array_equal(out[:, 3].reshape(2, 32), w[:, lane ^ 9])
    ballots = [int(sum(1 << j for j in range(32) if w[k, j] > 0)) for k in range(2)]
    assert (votes[:32, 0] & 0xFFFFFFFF).tolist() == [ballots[0]] * 32
    assert votes[:, 1].tolist() == [1] * 64
    assert votes[:, 2].tolist() == list(range(32)) * 2


def test_random_states(cuda):
    from ember.cuda.random import create_xoroshiro128p_states, xoroshiro128p_uniform_float64

    @cuda.jit
    def draw(states, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = xoroshiro128p_uniform_float64(states, i)

    states = create_xoroshiro128p_states(1024, seed=3)
    out = np.zeros(1024)
    draw[4, 256](states, out)
    assert 0.0 <= out.min() and out.max() < 1.0 and 0.45 < out.mean() < 0.55


def test_a_raise_in_a_kernel_is_raised_at_synchronize_with_the_line(cuda):
    @cuda.jit
    def checked(x):
        i = cuda.grid(1)
        if i < x.size and x[i] < 0:
            raise ValueError("negative element")  # the line

    line = checked.py_func.__code__.co_firstlineno + 3
    d = cuda.to_device(np.array([1.0, -1.0, 2.0]))
    checked[1, 32](d)
    with pytest.raises(ValueError, match=f"negative element .*line {line}"):
        cuda.synchronize()
    cuda.synchronize()  # cleared


def test_streams_and_events_order_work(cuda):
    @cuda.jit
    def add(x, v):
        i = cuda.grid(1)
        if i < x.size:
            x[i] += v

    s = cuda.stream()
    d = cuda.to_device(np.zeros(1 << 16), stream=s)
    start, end = cuda.event(), cuda.event()
    start.record(s)
    for k in range(10):
        add[256, 256, s](d, float(k))
    end.record(s)
    end.synchronize()
    assert start.elapsed_time(end) >= 0
    assert (d.copy_to_host() == 45.0).all()


def test_cupy_and_torch_arrays_are_taken_zero_copy(cuda):
    @cuda.jit
    def double(x):
        i = cuda.grid(1)
        if i < x.size:
            x[i] *= 2

    ran = False
    try:
        import cupy
        a = cupy.arange(10, dtype=cupy.float64)
        double[1, 32](a)
        assert cupy.asnumpy(a).tolist() == [2.0 * v for v in range(10)]
        ran = True
    except ImportError:
        pass
    try:
        import torch
        if torch.cuda.is_available():
            t = torch.arange(10, dtype=torch.float64, device="cuda")
            double[1, 32](t)
            torch.cuda.synchronize()
            assert t.cpu().tolist() == [2.0 * v for v in range(10)]
            ran = True
    except ImportError:
        pass
    if not ran:
        pytest.skip("neither CuPy nor PyTorch with CUDA is installed")


def test_launch_overhead_is_printed(cuda):
    """Prints the host time of a configured launch with 1 and 16 device arrays (medians of
    batches; never asserted), and checks every launch ran."""
    import statistics
    import time

    @cuda.jit
    def bump(x):
        if cuda.grid(1) == 0:
            x[0] += 1

    @cuda.jit
    def bump16(x, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15):
        if cuda.grid(1) == 0:
            x[0] += 1

    x = cuda.to_device(np.zeros(1, np.int64))
    others = [cuda.device_array(4) for _ in range(15)]
    go1, go16 = bump[1, 32], bump16[1, 32]
    go1(x)
    go16(x, *others)
    cuda.synchronize()
    n, times1, times16 = 1000, [], []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            go1(x)
        times1.append((time.perf_counter() - t) / n * 1e6)
        cuda.synchronize()
        t = time.perf_counter()
        for _ in range(n):
            go16(x, *others)
        times16.append((time.perf_counter() - t) / n * 1e6)
        cuda.synchronize()
    print(f"\nlaunch (host side, median of 5 x {n}): 1 array {statistics.median(times1):.2f} us, "
          f"16 arrays {statistics.median(times16):.2f} us")
    assert x.copy_to_host()[0] == 2 + 10 * n

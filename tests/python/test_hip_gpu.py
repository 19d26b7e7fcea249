"""ember.hip on an AMD GPU: transfers, launches, streams and events through the HIP runtime.

Every test is marked ``gpu`` and skips, saying why, where no AMD device can be used (no ROCm, no
device, or EMBER_HIP_CPU / EMBER_CUDA_CPU set): ``make test-gpu`` runs them on a machine with
one.  The host layer's calls are tested everywhere against the mock runtime
(test_hip_mock_runtime.py); these check what only a device can: that the code objects run and
compute what the CPU path computes.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember import cuda, hip
from ember.hip import backend as hip_backend
from ember.hip import driver as hip_driver

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def amd_gpu():
    if hip_backend.cpu_path():
        why = hip_driver.why_unavailable() or "EMBER_HIP_CPU or EMBER_CUDA_CPU is set"
        pytest.skip(f"no AMD GPU used: {why}")


@hip.jit
def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + y[i]


@hip.jit
def block_sums(x, out):
    tile = cuda.shared.array(64, np.float32)
    i = cuda.grid(1)
    tile[cuda.threadIdx.x] = x[i] if i < x.shape[0] else 0.0
    cuda.syncthreads()
    if cuda.threadIdx.x == 0:
        s = 0.0
        for k in range(64):
            s += tile[k]
        out[cuda.blockIdx.x] = s


def test_transfers_round_trip_with_slices():
    x = np.arange(60, dtype=np.float64).reshape(6, 10)
    d = hip.to_device(x)
    assert type(d).__name__ == "HipDeviceNDArray"
    np.testing.assert_array_equal(d.copy_to_host(), x)
    np.testing.assert_array_equal(d[1:5:2, ::-3].copy_to_host(), x[1:5:2, ::-3])
    d[2, :] = -1.0
    x[2, :] = -1.0
    np.testing.assert_array_equal(d.copy_to_host(), x)
    assert d.__dlpack_device__()[0] == 10


def test_a_launch_with_device_and_host_arrays():
    n = 1000
    x = np.arange(n, dtype=np.float32)
    y = np.ones(n, np.float32)
    out = hip.device_array(n, np.float32)
    saxpy[(n + 127) // 128, 128](np.float32(2.0), hip.to_device(x), y, out)
    np.testing.assert_array_equal(out.copy_to_host(), 2 * x + y)


def test_shared_memory_and_barriers():
    x = np.random.default_rng(1).random(256).astype(np.float32)
    out = hip.device_array(4, np.float32)
    block_sums[4, 64](hip.to_device(x), out)
    np.testing.assert_allclose(out.copy_to_host(), x.reshape(4, 64).sum(axis=1), rtol=1e-5)


def test_streams_and_events():
    n = 4096
    s = hip.stream()
    x = hip.to_device(np.arange(n, dtype=np.float32), stream=s)
    out = hip.device_array(n, np.float32, stream=s)
    start, end = hip.event(), hip.event()
    start.record(s)
    saxpy[n // 256, 256, s](np.float32(1.5), x, x, out)
    end.record(s)
    end.synchronize()
    assert end.query() and s.query()
    assert hip.event_elapsed_time(start, end) >= 0.0
    host = out.copy_to_host(stream=s)
    s.synchronize()
    np.testing.assert_array_equal(host, 2.5 * np.arange(n, dtype=np.float32))


def test_a_raise_in_a_kernel_is_raised_at_synchronization():
    @hip.jit
    def check(x):
        i = cuda.grid(1)
        if i < x.shape[0] and x[i] < 0:
            raise ValueError("negative")

    check[1, 64](hip.to_device(np.ones(64)))
    hip.synchronize()
    check[1, 64](hip.to_device(-np.ones(64)))
    with pytest.raises(ValueError, match="negative"):
        hip.synchronize()

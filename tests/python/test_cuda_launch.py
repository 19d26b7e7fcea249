"""CUDA kernels on the CPU path: launch configurations, thread and block indices, arrays and
scalars, explicit signatures, device functions, and the host API (device arrays, transfers,
streams, events).  Every kernel's result is compared with NumPy's."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember import cuda


@cuda.jit
def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = a * x[i] + y[i]


@pytest.mark.parametrize("n,tpb", [(1, 1), (1000, 128), (4097, 64), (33, 32)])
def test_saxpy_with_grid_matches_numpy(n, tpb):
    rng = np.random.default_rng(n)
    x, y = rng.random(n), rng.random(n)
    out = np.zeros(n)
    saxpy[(n + tpb - 1) // tpb, tpb](2.5, x, y, out)
    np.testing.assert_allclose(out, 2.5 * x + y)


def test_indices_of_every_thread_in_a_3d_launch():
    @cuda.jit
    def record(out):
        tx, ty, tz = cuda.threadIdx.x, cuda.threadIdx.y, cuda.threadIdx.z
        bx, by, bz = cuda.blockIdx.x, cuda.blockIdx.y, cuda.blockIdx.z
        x = bx * cuda.blockDim.x + tx
        y = by * cuda.blockDim.y + ty
        z = bz * cuda.blockDim.z + tz
        out[z, y, x, 0] = tx + 10 * ty + 100 * tz
        out[z, y, x, 1] = bx + 10 * by + 100 * bz
        out[z, y, x, 2] = cuda.gridDim.x + 10 * cuda.gridDim.y + 100 * cuda.gridDim.z
        gx, gy, gz = cuda.grid(3)
        sx, sy, sz = cuda.gridsize(3)
        out[z, y, x, 3] = gx + 1000 * gy + 1000000 * gz
        out[z, y, x, 4] = sx + 1000 * sy + 1000000 * sz

    grid, block = (3, 2, 2), (4, 3, 2)
    shape = tuple(g * b for g, b in zip(grid, block))[::-1]
    out = np.full(shape + (5,), -1, np.int64)
    record[grid, block](out)
    z, y, x = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
    np.testing.assert_array_equal(out[..., 0], x % 4 + 10 * (y % 3) + 100 * (z % 2))
    np.testing.assert_array_equal(out[..., 1], x // 4 + 10 * (y // 3) + 100 * (z // 2))
    assert (out[..., 2] == 3 + 20 + 200).all()
    np.testing.assert_array_equal(out[..., 3], x + 1000 * y + 1000000 * z)
    assert (out[..., 4] == 12 + 6000 + 4000000).all()


def test_grid_2d_fills_a_matrix():
    @cuda.jit
    def outer(a, b, out):
        i, j = cuda.grid(2)
        if i < out.shape[0] and j < out.shape[1]:
            out[i, j] = a[i] * b[j]

    a, b = np.arange(37.0), np.arange(19.0) - 4
    out = np.zeros((37, 19))
    outer[(5, 3), (8, 8)](a, b, out)
    np.testing.assert_allclose(out, np.outer(a, b))


def test_grid_stride_loop_and_integer_dimensions():
    @cuda.jit
    def square(x):
        for i in range(cuda.grid(1), x.shape[0], cuda.gridsize(1)):
            x[i] = x[i] * x[i]

    x = np.arange(10000, dtype=np.int32)
    square[7, 32](x)
    np.testing.assert_array_equal(x, np.arange(10000, dtype=np.int32) ** 2)


def test_explicit_signature_compiles_eagerly_and_converts_scalars():
    @cuda.jit("void(float32[:], float32)")
    def scale(x, s):
        i = cuda.grid(1)
        if i < x.size:
            x[i] *= s

    assert len(scale.signatures) == 1
    x = np.ones(100, np.float32)
    scale[1, 128](x, 3)
    np.testing.assert_array_equal(x, np.full(100, 3, np.float32))
    with pytest.raises(TypeError):
        scale[1, 128](np.ones(4, np.int64), 3)


def test_device_functions_and_math():
    @cuda.jit(device=True)
    def hypot3(a, b, c):
        return math.sqrt(a * a + b * b + c * c)

    @cuda.jit
    def norms(v, out):
        i = cuda.grid(1)
        if i < v.shape[0]:
            out[i] = hypot3(v[i, 0], v[i, 1], v[i, 2])

    v = np.random.default_rng(0).normal(size=(300, 3))
    out = np.zeros(300)
    norms[3, 128](v, out)
    np.testing.assert_allclose(out, np.linalg.norm(v, axis=1))
    with pytest.raises(TypeError, match="device function"):
        hypot3(1.0, 2.0, 3.0)


def test_kernel_called_without_configuration_is_an_error():
    with pytest.raises(ValueError, match="launch configuration"):
        saxpy(1.0, np.ones(3), np.ones(3), np.ones(3))


@pytest.mark.parametrize("grid,block", [(0, 32), (1, 2048), ((1, 2, 3, 4), 1), (1, (32, 64))])
def test_bad_launch_configurations_raise(grid, block):
    with pytest.raises(ValueError):
        saxpy[grid, block](1.0, np.ones(3), np.ones(3), np.ones(3))


def test_forall_launches_enough_threads():
    x, y = np.arange(1000.0), np.ones(1000)
    out = np.zeros(1000)
    saxpy.forall(1000)(0.5, x, y, out)
    np.testing.assert_allclose(out, 0.5 * x + 1)


# ---- the host API ---------------------------------------------------------------------------

def test_device_arrays_round_trip_and_slice():
    x = np.arange(24.0).reshape(4, 6)
    d = cuda.to_device(x)
    assert d.shape == (4, 6) and d.dtype == np.float64 and d.size == 24 and d.ndim == 2
    assert isinstance(d, cuda.DeviceNDArray)
    x[0, 0] = 100.0  # to_device copied
    np.testing.assert_array_equal(d.copy_to_host()[0], np.arange(6.0))
    row = d[1]
    assert isinstance(row, cuda.DeviceNDArray)
    np.testing.assert_array_equal(row.copy_to_host(), np.arange(6.0, 12.0))
    host = np.empty((4, 6))
    d.copy_to_host(host)
    np.testing.assert_array_equal(host[1:], np.arange(6.0, 24.0).reshape(3, 6))
    d.copy_to_device(np.zeros((4, 6)))
    assert not d.copy_to_host().any()
    with pytest.raises(TypeError):
        np.asarray(d)


def test_kernels_write_device_arrays_and_views():
    d_x = cuda.to_device(np.arange(64.0))
    d_y = cuda.to_device(np.ones(64))
    d_out = cuda.device_array(64)
    saxpy[2, 32](2.0, d_x, d_y, d_out)
    np.testing.assert_allclose(d_out.copy_to_host(), 2 * np.arange(64.0) + 1)
    half = d_out[32:]
    saxpy[1, 32](0.0, d_x[:32], d_y[:32], half)
    np.testing.assert_allclose(d_out.copy_to_host()[32:], np.ones(32))


def test_device_array_like_pinned_and_events():
    x = np.asfortranarray(np.ones((3, 5), np.float32))
    d = cuda.device_array_like(x)
    assert d.shape == (3, 5) and d.dtype == np.float32 and d.is_f_contiguous()
    p = cuda.pinned_array((7,), np.int16)
    assert isinstance(p, np.ndarray) and p.shape == (7,) and p.dtype == np.int16
    s = cuda.stream()
    start, end = cuda.event(), cuda.event()
    start.record(s)
    saxpy[1, 32, s](1.0, np.ones(8), np.ones(8), np.zeros(8))
    end.record(s)
    end.synchronize()
    s.synchronize()
    cuda.synchronize()
    assert cuda.event_elapsed_time(start, end) >= 0.0
    assert cuda.is_available()
    assert cuda.default_stream() is cuda.default_stream()
    free, total = cuda.current_context().get_memory_info()
    assert 0 < free <= total


def test_device_array_with_strides():
    d = cuda.device_array((3, 4), np.float64, strides=(8, 24))
    assert d.shape == (3, 4) and d.strides == (8, 24) and d.is_f_contiguous()
    saxpy[1, 4](1.0, np.ones(4), np.arange(4.0), d[1])
    np.testing.assert_array_equal(d.copy_to_host()[1], np.arange(4.0) + 1)


def test_detect_reports_the_cpu_path(capsys):
    assert cuda.detect()
    assert "CPU" in capsys.readouterr().out


def test_cuda_array_interface_of_a_device_array():
    d = cuda.to_device(np.arange(5, dtype=np.int32))
    cai = d.__cuda_array_interface__
    assert cai["shape"] == (5,) and cai["typestr"] == "<i4" and cai["version"] == 3


def test_barrier_free_block_loop_is_vectorized_without_masks():
    # The block's threads are a loop; the kernel's bounds guard is split off (IRCE), so the
    # main loop is vectorized with plain vector loads and stores.
    x = np.ones(64, np.float32)
    saxpy[1, 64](np.float32(2), x, x, np.zeros(64, np.float32))
    sig = next(s for s in saxpy.signatures if "float32" in s[1])
    ir = saxpy.inspect_llvm(sig)
    block = ir[ir.index(".block("):]
    block = block[:block.index("\n}\n")]
    assert "load <" in block and "store <" in block
    assert "llvm.masked.store" not in block

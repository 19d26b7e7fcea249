"""Block-level features of CUDA kernels on the CPU path (each synchronizing block's threads run
as fibers): static and dynamic shared arrays, several barriers in loops, the syncthreads
reductions, local and constant arrays, fences, and a barrier some threads cannot reach."""
from __future__ import annotations

import numpy as np
import pytest

from ember import cuda

TPB = 64


@cuda.jit
def block_sum(x, out):
    buf = cuda.shared.array(TPB, dtype=np.float64)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    buf[t] = x[i] if i < x.shape[0] else 0.0
    cuda.syncthreads()
    step = TPB // 2
    while step > 0:
        if t < step:
            buf[t] += buf[t + step]
        cuda.syncthreads()
        step //= 2
    if t == 0:
        out[cuda.blockIdx.x] = buf[0]


@pytest.mark.parametrize("n", [1, 64, 1000, 5000])
def test_tree_reduction_in_shared_memory(n):
    x = np.random.default_rng(n).random(n)
    blocks = (n + TPB - 1) // TPB
    out = np.zeros(blocks)
    block_sum[blocks, TPB](x, out)
    padded = np.zeros(blocks * TPB)
    padded[:n] = x
    np.testing.assert_allclose(out, padded.reshape(blocks, TPB).sum(axis=1))


def test_tiled_matmul_with_two_shared_tiles():
    tile = 8

    @cuda.jit
    def matmul(a, b, c):
        sa = cuda.shared.array((tile, tile), np.float32)
        sb = cuda.shared.array((tile, tile), np.float32)
        x, y = cuda.grid(2)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        acc = np.float32(0.0)
        for k in range((a.shape[1] + tile - 1) // tile):
            sa[ty, tx] = 0
            sb[ty, tx] = 0
            if y < a.shape[0] and k * tile + tx < a.shape[1]:
                sa[ty, tx] = a[y, k * tile + tx]
            if x < b.shape[1] and k * tile + ty < b.shape[0]:
                sb[ty, tx] = b[k * tile + ty, x]
            cuda.syncthreads()
            for j in range(tile):
                acc += sa[ty, j] * sb[j, tx]
            cuda.syncthreads()
        if y < c.shape[0] and x < c.shape[1]:
            c[y, x] = acc

    rng = np.random.default_rng(1)
    a = rng.random((37, 29), dtype=np.float32)
    b = rng.random((29, 21), dtype=np.float32)
    c = np.zeros((37, 21), np.float32)
    matmul[(3, 5), (tile, tile)](a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5)


def test_dynamic_shared_memory_reverses_each_block():
    @cuda.jit
    def reverse(x):
        buf = cuda.shared.array(0, dtype=np.int32)
        t = cuda.threadIdx.x
        i = cuda.grid(1)
        buf[t] = x[i]
        cuda.syncthreads()
        x[i] = buf[cuda.blockDim.x - 1 - t]

    x = np.arange(96, dtype=np.int32)
    reverse[3, 32, 0, 32 * 4](x)
    np.testing.assert_array_equal(x, np.arange(96, dtype=np.int32).reshape(3, 32)[:, ::-1].ravel())


def test_syncthreads_count_and_or():
    @cuda.jit
    def votes(x, out):
        t = cuda.threadIdx.x
        p = x[cuda.grid(1)] > 0
        c = cuda.syncthreads_count(p)
        a = cuda.syncthreads_and(p)
        o = cuda.syncthreads_or(p)
        if t == 0:
            b = cuda.blockIdx.x
            out[b, 0] = c
            out[b, 1] = a
            out[b, 2] = o

    x = np.zeros(4 * 50, np.int64)
    x[:50] = 1                # block 0: all
    x[50:60] = 1              # block 1: some
    x[150:200:7] = 1          # block 3: some; block 2: none
    out = np.full((4, 3), -1, np.int64)
    votes[4, 50](x, out)
    counts = (x.reshape(4, 50) > 0).sum(axis=1)
    np.testing.assert_array_equal(out[:, 0], counts)
    np.testing.assert_array_equal(out[:, 1] != 0, counts == 50)
    np.testing.assert_array_equal(out[:, 2] != 0, counts > 0)


def test_local_array_per_thread():
    @cuda.jit
    def digits(x, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            d = cuda.local.array(8, np.int64)
            v = x[i]
            for k in range(8):
                d[k] = v % 10
                v //= 10
            s = 0
            for k in range(8):
                s = s * 10 + d[k]
            out[i] = s

    x = np.array([12345678, 1, 90, 4321, 0], np.int64)
    out = np.zeros_like(x)
    digits[1, 8](x, out)
    np.testing.assert_array_equal(out, [87654321, 10000000, 9000000, 12340000, 0])


_WEIGHTS = np.array([0.25, 0.5, 0.25])


def test_const_array_like_smooths():
    @cuda.jit
    def smooth(x, out):
        w = cuda.const.array_like(_WEIGHTS)
        i = cuda.grid(1)
        if 1 <= i < x.shape[0] - 1:
            out[i] = w[0] * x[i - 1] + w[1] * x[i] + w[2] * x[i + 1]

    x = np.random.default_rng(2).random(100)
    out = np.zeros(100)
    smooth[4, 32](x, out)
    np.testing.assert_allclose(out[1:-1], np.convolve(x, _WEIGHTS, "valid"))


def test_fences_compile_and_order_writes():
    @cuda.jit
    def publish(x, flag):
        i = cuda.grid(1)
        x[i] = i * 2
        cuda.threadfence_block()
        cuda.threadfence()
        cuda.threadfence_system()
        flag[i] = 1

    x = np.zeros(64, np.int64)
    flag = np.zeros(64, np.int64)
    publish[2, 32](x, flag)
    np.testing.assert_array_equal(x, np.arange(64) * 2)
    assert flag.all()


def test_barrier_some_threads_never_reach_is_reported():
    @cuda.jit
    def divergent(x):
        if cuda.threadIdx.x < 16:
            cuda.syncthreads()
            x[cuda.threadIdx.x] = 1
        else:
            x[cuda.threadIdx.x] = 2
            cuda.syncthreads()

    with pytest.raises(RuntimeError, match="barrier|syncthreads"):
        divergent[1, 32](np.zeros(32, np.int64))


def test_threads_that_return_early_do_not_block_a_barrier():
    @cuda.jit
    def early(x, out):
        buf = cuda.shared.array(32, np.int64)
        t = cuda.threadIdx.x
        if t >= x.shape[0]:
            return
        buf[t] = x[t]
        cuda.syncthreads()
        out[t] = buf[x.shape[0] - 1 - t]

    x = np.arange(20, dtype=np.int64)
    out = np.zeros(20, np.int64)
    early[1, 32](x, out)
    np.testing.assert_array_equal(out, x[::-1])

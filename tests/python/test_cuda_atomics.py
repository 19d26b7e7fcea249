"""cuda.atomic on the CPU path: real atomic read-modify-writes, checked under contention (every
thread of a grid spread over the thread pool updating the same few elements) against NumPy."""
from __future__ import annotations

import numpy as np
import pytest

from ember import cuda

DTYPES = [np.int32, np.uint32, np.int64, np.uint64, np.float32, np.float64]


@cuda.jit
def histogram(x, bins):
    i = cuda.grid(1)
    if i < x.shape[0]:
        cuda.atomic.add(bins, x[i] % bins.shape[0], 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_under_contention_counts_every_thread(dtype):
    x = np.random.default_rng(3).integers(0, 1000, 20000)
    bins = np.zeros(7, dtype)
    histogram[(20000 + 255) // 256, 256](x, bins)
    np.testing.assert_array_equal(bins, np.bincount(x % 7, minlength=7).astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_min_and_sub(dtype):
    @cuda.jit
    def extremes(x, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            cuda.atomic.max(out, 0, x[i])
            cuda.atomic.min(out, 1, x[i])
            cuda.atomic.sub(out, 2, 1)

    x = np.random.default_rng(4).integers(1, 100, 5000).astype(dtype)
    out = np.array([0, 200, 10000], dtype)
    extremes[40, 128](x, out)
    assert out[0] == x.max() and out[1] == x.min() and out[2] == 10000 - 5000


def test_add_with_tuple_index_returns_old_values():
    @cuda.jit
    def tickets(grid2d, got):
        i = cuda.grid(1)
        if i < got.shape[0]:
            got[i] = cuda.atomic.add(grid2d, (1, 2), 1)

    g = np.zeros((3, 4), np.int64)
    got = np.zeros(3000, np.int64)
    tickets[30, 100](g, got)
    assert g[1, 2] == 3000
    # every old value is handed out exactly once
    np.testing.assert_array_equal(np.sort(got), np.arange(3000))


@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64])
def test_bitwise_exch_and_cas(dtype):
    @cuda.jit
    def bits(x, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            cuda.atomic.or_(out, 0, x[i])
            cuda.atomic.and_(out, 1, x[i])
            cuda.atomic.xor(out, 2, x[i])
            cuda.atomic.exch(out, 3, 5)
            cuda.atomic.cas(out, 4, 0, i + 1)  # only the first thread's swap succeeds

    x = np.random.default_rng(5).integers(0, 1 << 20, 999).astype(dtype)
    out = np.array([0, (1 << 20) - 1, 0, 0, 0], dtype)
    bits[8, 128](x, out)
    assert out[0] == np.bitwise_or.reduce(x)
    assert out[1] == np.bitwise_and.reduce(x)
    assert out[2] == np.bitwise_xor.reduce(x)
    assert out[3] == 5
    assert 1 <= out[4] <= 999


def test_compare_and_swap_is_a_lock_free_counter():
    @cuda.jit
    def claim(owner, winners):
        i = cuda.grid(1)
        old = cuda.atomic.compare_and_swap(owner, -1, i)
        if old == -1:
            cuda.atomic.add(winners, 0, 1)

    owner = np.full(1, -1, np.int64)
    winners = np.zeros(1, np.int64)
    claim[10, 64](owner, winners)
    assert winners[0] == 1 and 0 <= owner[0] < 640


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_inc_and_dec_wrap_as_cuda(dtype):
    @cuda.jit
    def wrap(out):
        cuda.atomic.inc(out, 0, 9)  # counts 0..9 then wraps to 0
        cuda.atomic.dec(out, 1, 9)  # counts down, from 0 wraps to 9

    out = np.zeros(2, dtype)
    wrap[1, 25](out)
    assert out[0] == 25 % 10
    assert out[1] == (-25) % 10


def test_float_nanmax_and_max_with_nan():
    @cuda.jit
    def reduce(x, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            cuda.atomic.nanmax(out, 0, x[i])
            cuda.atomic.nanmin(out, 1, x[i])

    x = np.random.default_rng(6).random(500)
    x[::7] = np.nan
    out = np.array([-np.inf, np.inf])
    reduce[4, 128](x, out)
    assert out[0] == np.nanmax(x) and out[1] == np.nanmin(x)


def test_atomic_on_a_bool_array_is_a_typing_error():
    from ember.errors import TypingError

    @cuda.jit
    def bad(x):
        cuda.atomic.add(x, 0, 1)

    with pytest.raises(TypingError, match="atomic.add"):
        bad[1, 1](np.zeros(2, np.bool_))


def test_shared_memory_histogram_with_atomics_in_two_levels():
    nbins = 16

    @cuda.jit
    def hist(x, out):
        h = cuda.shared.array(nbins, np.int32)
        t = cuda.threadIdx.x
        if t < nbins:
            h[t] = 0
        cuda.syncthreads()
        i = cuda.grid(1)
        if i < x.shape[0]:
            cuda.atomic.add(h, x[i] % nbins, 1)
        cuda.syncthreads()
        if t < nbins:
            cuda.atomic.add(out, t, h[t])

    x = np.random.default_rng(9).integers(0, 1000, 10000)
    out = np.zeros(nbins, np.int32)
    hist[(10000 + 127) // 128, 128](x, out)
    np.testing.assert_array_equal(out, np.bincount(x % nbins, minlength=nbins))


def test_float_max_min_leave_nan_alone_as_cuda():
    @cuda.jit
    def extremes(out, v):
        cuda.atomic.max(out, 0, v[0])
        cuda.atomic.min(out, 1, v[0])

    out = np.array([1.0, 1.0])
    extremes[1, 1](out, np.array([np.nan]))
    np.testing.assert_array_equal(out, [1.0, 1.0])
    out = np.array([np.nan, np.nan])
    extremes[1, 1](out, np.array([2.0]))
    assert np.isnan(out).all()
    out = np.array([1.0, 3.0])
    extremes[1, 1](out, np.array([2.0]))
    np.testing.assert_array_equal(out, [2.0, 2.0])

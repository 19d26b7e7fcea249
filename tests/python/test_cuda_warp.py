"""Warp functions and bit intrinsics on the CPU path: shuffles, votes, ballot, activemask,
lanemask_lt, laneid / warpsize, and popc / clz / ffs / brev / fma / cbrt, each checked against
what NumPy computes for a warp of 32 lanes."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember import cuda

FULL = 0xFFFFFFFF


def test_laneid_and_warpsize():
    @cuda.jit
    def lanes(out):
        i = cuda.grid(1)
        out[i, 0] = cuda.laneid
        out[i, 1] = cuda.warpsize

    out = np.zeros((96, 2), np.int64)
    lanes[2, 48](out)
    np.testing.assert_array_equal(out[:, 0], np.tile(np.arange(48) % 32, 2))
    assert (out[:, 1] == 32).all()
    assert int(cuda.warpsize) == 32


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_shuffles_match_their_definition(dtype):
    @cuda.jit
    def shuffles(x, out):
        i = cuda.grid(1)
        v = x[i]
        out[i, 0] = cuda.shfl_sync(FULL, v, 5)
        out[i, 1] = cuda.shfl_up_sync(FULL, v, 3)
        out[i, 2] = cuda.shfl_down_sync(FULL, v, 4)
        out[i, 3] = cuda.shfl_xor_sync(FULL, v, 9)

    x = (np.arange(64) * 3 - 40).astype(dtype)
    out = np.zeros((64, 4), dtype)
    shuffles[1, 64](x, out)
    w = x.reshape(2, 32)
    lane = np.arange(32)
    np.testing.assert_array_equal(out[:, 0].reshape(2, 32), w[:, [5] * 32])
    up = np.where(lane >= 3, lane - 3, lane)
    np.testing.assert_array_equal(out[:, 1].reshape(2, 32), w[:, up])
    down = np.where(lane + 4 < 32, lane + 4, lane)
    np.testing.assert_array_equal(out[:, 2].reshape(2, 32), w[:, down])
    np.testing.assert_array_equal(out[:, 3].reshape(2, 32), w[:, lane ^ 9])


def test_warp_sum_by_shfl_down_in_a_device_function():
    @cuda.jit(device=True)
    def warp_sum(v):
        off = 16
        while off > 0:
            v += cuda.shfl_down_sync(FULL, v, off)
            off //= 2
        return v

    @cuda.jit
    def sums(x, out):
        i = cuda.grid(1)
        s = warp_sum(x[i])
        if cuda.laneid == 0:
            out[i // 32] = s

    x = np.random.default_rng(7).random(256)
    out = np.zeros(8)
    sums[2, 128](x, out)
    np.testing.assert_allclose(out, x.reshape(8, 32).sum(axis=1))


def test_votes_and_ballot():
    @cuda.jit
    def votes(x, out):
        i = cuda.grid(1)
        p = x[i] != 0
        out[i, 0] = cuda.all_sync(FULL, p)
        out[i, 1] = cuda.any_sync(FULL, p)
        out[i, 2] = cuda.eq_sync(FULL, p)
        out[i, 3] = cuda.ballot_sync(FULL, p)
        out[i, 4] = cuda.activemask()
        out[i, 5] = cuda.lanemask_lt()

    x = np.zeros(128, np.int64)
    x[:32] = 1                 # warp 0: all
    x[32:64:3] = 1             # warp 1: some
    x[96:] = 0                 # warps 2, 3: none
    out = np.zeros((128, 6), np.int64)
    votes[1, 128](x, out)
    w = (x != 0).reshape(4, 32)
    ballots = (w * (1 << np.arange(32))).sum(axis=1)
    for k in range(4):
        lanes = out[32 * k:32 * (k + 1)]
        assert (lanes[:, 0] == w[k].all()).all()
        assert (lanes[:, 1] == w[k].any()).all()
        assert (lanes[:, 2] == (w[k].all() or not w[k].any())).all()
        assert ((lanes[:, 3] & 0xFFFFFFFF) == ballots[k]).all()
        assert ((lanes[:, 4] & 0xFFFFFFFF) == FULL).all()
        np.testing.assert_array_equal(lanes[:, 5] & 0xFFFFFFFF, (1 << np.arange(32)) - 1)


def test_activemask_inside_a_branch_names_the_branch_lanes():
    @cuda.jit
    def masks(out):
        t = cuda.threadIdx.x
        if t % 2 == 0:
            out[t] = cuda.activemask()
        else:
            out[t] = 0

    out = np.zeros(32, np.int64)
    masks[1, 32](out)
    even = sum(1 << k for k in range(0, 32, 2))
    assert ((out[::2] & 0xFFFFFFFF) == even).all()


def test_bit_intrinsics():
    @cuda.jit
    def bits(x, y, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            out[i, 0] = cuda.popc(x[i])
            out[i, 1] = cuda.clz(x[i])
            out[i, 2] = cuda.ffs(x[i])
            out[i, 3] = cuda.brev(y[i])
            out[i, 4] = cuda.popc(y[i])
            out[i, 5] = cuda.clz(y[i])

    x = np.array([0, 1, 2, 12, 255, 1 << 40, -1], np.int64)
    y = np.array([0, 1, 2, 12, 255, 1 << 20, 0xFFFFFFFF], np.uint32)
    out = np.zeros((7, 6), np.int64)
    bits[1, 8](x, y, out)
    xu = x.astype(np.uint64)
    np.testing.assert_array_equal(out[:, 0], [bin(int(v)).count("1") for v in xu])
    np.testing.assert_array_equal(out[:, 1], [64 - int(v).bit_length() for v in xu])
    np.testing.assert_array_equal(
        out[:, 2], [(int(v) & -int(v)).bit_length() for v in xu])
    np.testing.assert_array_equal(out[:, 3] & 0xFFFFFFFF,
                                  [int(f"{int(v):032b}"[::-1], 2) for v in y])
    np.testing.assert_array_equal(out[:, 4], [bin(int(v)).count("1") for v in y])
    np.testing.assert_array_equal(out[:, 5], [32 - int(v).bit_length() for v in y])


def test_fma_and_cbrt():
    @cuda.jit
    def fmath(a, b, c, out):
        i = cuda.grid(1)
        if i < a.shape[0]:
            out[i, 0] = cuda.fma(a[i], b[i], c[i])
            out[i, 1] = cuda.cbrt(a[i])

    rng = np.random.default_rng(8)
    a, b, c = rng.normal(size=(3, 50))
    out = np.zeros((50, 2))
    fmath[1, 64](a, b, c, out)
    np.testing.assert_allclose(out[:, 0], a * b + c)
    np.testing.assert_allclose(out[:, 1], np.cbrt(a))
    assert math.isclose(out[0, 1] ** 3, a[0])


def test_syncwarp_orders_shared_writes_within_a_warp():
    @cuda.jit
    def rotate(x, out):
        buf = cuda.shared.array(64, np.int64)
        t = cuda.threadIdx.x
        buf[t] = x[t]
        cuda.syncwarp(FULL)
        out[t] = buf[(t // 32) * 32 + (t + 1) % 32]

    x = np.arange(64, dtype=np.int64) * 7
    out = np.zeros(64, np.int64)
    rotate[1, 64](x, out)
    np.testing.assert_array_equal(out, np.roll(x.reshape(2, 32), -1, axis=1).ravel())

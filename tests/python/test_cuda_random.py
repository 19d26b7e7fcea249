"""ember.cuda.random on the CPU path: xoroshiro128+ states made on the host, drawn from in
kernels.  Checked against a pure-Python xoroshiro128+ for the bits, and statistically (moments
within several standard errors) for the distributions."""
from __future__ import annotations

import numpy as np
import pytest

from ember import cuda
from ember.cuda import random as cr

MASK = (1 << 64) - 1


def py_next(s0, s1):
    """xoroshiro128+ in Python integers: (result, s0', s1')."""
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK
    result = (s0 + s1) & MASK
    s1 ^= s0
    return result, rotl(s0, 55) ^ s1 ^ ((s1 << 14) & MASK), rotl(s1, 36)


@cuda.jit
def next_bits(states, out):
    i = cuda.grid(1)
    if i < out.shape[0]:
        for k in range(out.shape[1]):
            out[i, k] = cr.xoroshiro128p_next(states, i)


def test_states_are_records_on_the_host_and_draws_follow_xoroshiro128p():
    states = cr.create_xoroshiro128p_states(5, seed=42)
    assert states.shape == (5,) and states.dtype == cr.xoroshiro128p_dtype
    start = states.copy_to_host()
    assert len({(int(s["s0"]), int(s["s1"])) for s in start}) == 5
    out = np.zeros((5, 4), np.uint64)
    next_bits[1, 8](states, out)
    for i in range(5):
        s0, s1 = int(start[i]["s0"]), int(start[i]["s1"])
        for k in range(4):
            r, s0, s1 = py_next(s0, s1)
            assert int(out[i, k]) == r
        end = states.copy_to_host()[i]
        assert (int(end["s0"]), int(end["s1"])) == (s0, s1)


def test_same_seed_same_states_and_subsequences_are_jumps():
    a = cr.create_xoroshiro128p_states(4, seed=7).copy_to_host()
    b = cr.create_xoroshiro128p_states(4, seed=7).copy_to_host()
    c = cr.create_xoroshiro128p_states(3, seed=7, subsequence_start=1).copy_to_host()
    d = cr.create_xoroshiro128p_states(4, seed=8).copy_to_host()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[1:], c)  # state i is state 0 jumped i times
    assert not np.array_equal(a, d)


@cuda.jit
def draw(states, u64, u32, n64, n32):
    i = cuda.grid(1)
    if i < u64.shape[0]:
        for k in range(u64.shape[1]):
            u64[i, k] = cr.xoroshiro128p_uniform_float64(states, i)
            u32[i, k] = cr.xoroshiro128p_uniform_float32(states, i)
            n64[i, k] = cr.xoroshiro128p_normal_float64(states, i)
            n32[i, k] = cr.xoroshiro128p_normal_float32(states, i)


@pytest.mark.parametrize("seed", [1, 12345])
def test_distributions_have_the_right_moments(seed):
    n, per = 512, 64
    states = cr.create_xoroshiro128p_states(n, seed=seed)
    u64, n64 = np.zeros((n, per)), np.zeros((n, per))
    u32, n32 = np.zeros((n, per), np.float32), np.zeros((n, per), np.float32)
    draw[n // 128, 128](states, u64, u32, n64, n32)
    m = n * per
    for u in (u64, u32):
        assert 0.0 <= u.min() and u.max() < 1.0
        assert abs(u.mean() - 0.5) < 6 * np.sqrt(1 / 12 / m)
        assert abs(u.var() - 1 / 12) < 0.01
    for z in (n64, n32):
        assert np.isfinite(z).all()
        assert abs(z.mean()) < 6 / np.sqrt(m)
        assert abs(z.std() - 1.0) < 0.02
        assert abs((z > 1).mean() - 0.15865525393145707) < 0.01
    # the threads' streams are independent: neighbouring threads' draws are uncorrelated
    assert abs(np.corrcoef(u64[:-1].ravel(), u64[1:].ravel())[0, 1]) < 0.02


def test_random_functions_are_device_only():
    states = cr.create_xoroshiro128p_states(1, seed=1)
    with pytest.raises(TypeError, match="device function"):
        cr.xoroshiro128p_uniform_float64(states, 0)

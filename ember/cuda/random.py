"""ember.cuda.random: numba.cuda.random's xoroshiro128p API, one generator state per thread.

    states = create_xoroshiro128p_states(n, seed)        on the host: n independent streams
    xoroshiro128p_uniform_float32(states, i)             in a kernel: U[0, 1) from state i
    xoroshiro128p_uniform_float64 / normal_float32 / normal_float64

The generator is xoroshiro128+ (Blackman and Vigna).  State 0 is seeded with splitmix64 from
the seed; state i is state i-1 advanced by 2**64 draws (the published jump polynomial), so the
streams of different threads do not overlap.  Normal draws use the Box-Muller transform.

The states are a device array of ``xoroshiro128p_dtype`` records on the host; kernels see them
as an (n, 2) uint64 array (ember compiles no record dtypes), which the functions here index.
The helpers are ``@ember.jit`` functions, so the host seeds the states with the same code the
device functions call.
"""
from __future__ import annotations

import math

import numpy as np

from ..decorators import jit as _host_jit
from .backend import DeviceRecordStates
from .kernel import jit as _cuda_jit

__all__ = ["xoroshiro128p_dtype", "create_xoroshiro128p_states", "init_xoroshiro128p_states",
           "xoroshiro128p_next", "xoroshiro128p_jump", "xoroshiro128p_uniform_float32",
           "xoroshiro128p_uniform_float64", "xoroshiro128p_normal_float32",
           "xoroshiro128p_normal_float64"]

xoroshiro128p_dtype = np.dtype([("s0", np.uint64), ("s1", np.uint64)], align=True)

_U11 = np.uint64(11)
_U14 = np.uint64(14)
_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
_U36 = np.uint64(36)
_U55 = np.uint64(55)
_U64 = np.uint64(64)
_ONE = np.uint64(1)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_JUMP0 = np.uint64(0xBEAC0467EBA5FACB)
_JUMP1 = np.uint64(0xD86B048B86AA9922)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53
_TWO_PI = 2.0 * math.pi


@_host_jit
def _rotl(x, k):
    return (x << k) | (x >> (_U64 - k))


@_host_jit
def _next(states, index):
    """The next 64 random bits of state `index` (and the state advanced)."""
    s0 = states[index, 0]
    s1 = states[index, 1]
    result = s0 + s1
    s1 = s1 ^ s0
    states[index, 0] = _rotl(s0, _U55) ^ s1 ^ (s1 << _U14)
    states[index, 1] = _rotl(s1, _U36)
    return result


@_host_jit
def _jump(states, index):
    """Advances state `index` by 2**64 draws."""
    t0 = np.uint64(0)
    t1 = np.uint64(0)
    for word in range(2):
        jump = _JUMP0 if word == 0 else _JUMP1
        for b in range(64):
            if (jump >> np.uint64(b)) & _ONE:
                t0 = t0 ^ states[index, 0]
                t1 = t1 ^ states[index, 1]
            _next(states, index)
    states[index, 0] = t0
    states[index, 1] = t1


@_host_jit
def _splitmix(z):
    z = (z ^ (z >> _U30)) * _MIX1
    z = (z ^ (z >> _U27)) * _MIX2
    return z ^ (z >> _U31)


@_host_jit
def _init_states(states, seed, subsequence_start):
    n = states.shape[0]
    if n == 0:
        return
    z = seed + _GOLDEN
    states[0, 0] = _splitmix(z)
    states[0, 1] = _splitmix(z + _GOLDEN)
    for _ in range(subsequence_start):
        _jump(states, 0)
    for i in range(1, n):
        states[i, 0] = states[i - 1, 0]
        states[i, 1] = states[i - 1, 1]
        _jump(states, i)


@_host_jit
def _unit64(bits):
    return np.float64(bits >> _U11) * _INV53


@_host_jit
def _open_unit64(bits):
    """(0, 1]: never 0, so its logarithm is finite."""
    return (np.float64(bits >> _U11) + 1.0) * _INV53


@_cuda_jit(device=True)
def xoroshiro128p_next(states, index):
    return _next(states, index)


@_cuda_jit(device=True)
def xoroshiro128p_jump(states, index):
    _jump(states, index)


@_cuda_jit(device=True)
def xoroshiro128p_uniform_float64(states, index):
    """A float64 uniform on [0, 1) from state `index`."""
    return _unit64(_next(states, index))


@_cuda_jit(device=True)
def xoroshiro128p_uniform_float32(states, index):
    """A float32 uniform on [0, 1) from state `index`."""
    return np.float32(np.float64(_next(states, index) >> np.uint64(40)) * (1.0 / 16777216.0))


@_cuda_jit(device=True)
def xoroshiro128p_normal_float64(states, index):
    """A float64 standard normal from state `index` (Box-Muller)."""
    u1 = _open_unit64(_next(states, index))
    u2 = _unit64(_next(states, index))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2)


@_cuda_jit(device=True)
def xoroshiro128p_normal_float32(states, index):
    """A float32 standard normal from state `index` (Box-Muller)."""
    u1 = _open_unit64(_next(states, index))
    u2 = _unit64(_next(states, index))
    return np.float32(math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2))


def init_xoroshiro128p_states(states, seed, subsequence_start=0, stream=0):
    """Seeds the device array `states` (of xoroshiro128p_dtype) in place."""
    if not isinstance(states, DeviceRecordStates) or states.dtype != xoroshiro128p_dtype:
        raise TypeError("states must be a device array made by create_xoroshiro128p_states")
    _init_states(states._ary, np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF),
                 int(subsequence_start))


def create_xoroshiro128p_states(n, seed, subsequence_start=0, stream=0):
    """n generator states (a device array), state i starting 2**64 * i draws into the stream of
    `seed`."""
    n = int(n)
    if n < 0:
        raise ValueError(f"the number of states must be non-negative, got {n}")
    states = DeviceRecordStates(np.zeros(n, xoroshiro128p_dtype), stream)
    init_xoroshiro128p_states(states, seed, subsequence_start, stream)
    return states

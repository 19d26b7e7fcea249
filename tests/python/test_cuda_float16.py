"""float16 in CUDA kernels on the CPU path: arithmetic, comparisons and conversions on float16
arrays, device functions, and numba-cuda's ``cuda.fp16`` intrinsics, each checked bit for bit
against NumPy's float16.  test_cuda_ptx.py compiles these kernels to PTX and assembles them."""
from __future__ import annotations

import math

import numpy as np

from ember import cuda
from ember.cuda import fp16

RNG = np.random.default_rng(16)
HALVES = RNG.choice(np.arange(1 << 16, dtype=np.uint16).view(np.float16), 512)
HALVES = np.concatenate([HALVES, np.array([1, -1, 65504, 6e-8, np.inf, -np.inf, np.nan],
                                          dtype=np.float16)])
# Kernels raise ZeroDivisionError for x / 0 (Python's error model): no zeros among the divisors.
HALVES = HALVES[HALVES != 0]


def bits(a):
    a = np.asarray(a)
    return np.where(np.isnan(a), np.float16(np.nan), a).view(np.uint16)


def assert_same(got, expected):
    assert got.dtype == expected.dtype
    assert np.array_equal(bits(got), bits(expected.astype(got.dtype)))


@cuda.jit
def half_ops(a, b, out, flags, wide):
    i = cuda.grid(1)
    if i < a.shape[0]:
        x, y = a[i], b[i]
        out[0, i] = x + y
        out[1, i] = x * y - x
        out[2, i] = x / y
        out[3, i] = x * 0.5 + 1  # weak literals stay float16
        out[4, i] = np.float16(wide[i])
        flags[0, i] = x < y
        flags[1, i] = x == y
        wide[i] = float(x) + np.float32(y)


def test_kernel_arithmetic_comparisons_conversions():
    a, b = HALVES, HALVES[::-1].copy()
    out = np.empty((5, a.size), np.float16)
    flags = np.empty((2, a.size), np.bool_)
    wide = np.linspace(-1e5, 1e5, a.size)
    w0 = wide.copy()
    half_ops[(a.size + 63) // 64, 64](a, b, out, flags, wide)
    with np.errstate(all="ignore"):
        assert_same(out[0], a + b)
        assert_same(out[1], a * b - a)
        assert_same(out[2], a / b)
        assert_same(out[3], a * 0.5 + 1)
    assert_same(out[4], w0.astype(np.float16))
    assert np.array_equal(flags[0], a < b) and np.array_equal(flags[1], a == b)
    np.testing.assert_array_equal(wide, a.astype(np.float64) + b.astype(np.float32))


@cuda.jit(device=True)
def lerp(x, y, t):
    return x + (y - x) * t


@cuda.jit
def intrinsics(a, b, c, out, cmp):
    i = cuda.grid(1)
    if i < a.shape[0]:
        x, y, z = a[i], b[i], c[i]
        out[0, i] = fp16.hadd(x, y)
        out[1, i] = fp16.hsub(x, y)
        out[2, i] = fp16.hmul(x, y)
        out[3, i] = fp16.hdiv(x, y)
        out[4, i] = fp16.hneg(x)
        out[5, i] = fp16.habs(x)
        out[6, i] = fp16.hfma(x, y, z)
        out[7, i] = fp16.hmax(x, y)
        out[8, i] = fp16.hmin(x, y)
        out[9, i] = fp16.hsqrt(fp16.habs(x))
        out[10, i] = fp16.hfloor(x)
        out[11, i] = fp16.hceil(x)
        out[12, i] = fp16.htrunc(x)
        out[13, i] = fp16.hrint(x)
        out[14, i] = fp16.hrcp(x)
        out[15, i] = lerp(x, y, z)
        out[16, i] = fp16.hsin(x)
        out[17, i] = fp16.hexp(x)
        out[18, i] = fp16.hlog(fp16.habs(x))
        cmp[0, i] = fp16.heq(x, y)
        cmp[1, i] = fp16.hne(x, y)
        cmp[2, i] = fp16.hgt(x, y)
        cmp[3, i] = fp16.hge(x, y)
        cmp[4, i] = fp16.hlt(x, y)
        cmp[5, i] = fp16.hle(x, y)


def test_fp16_intrinsics_match_numpy():
    a, b = HALVES, RNG.permutation(HALVES)
    c = RNG.permutation(HALVES)
    out = np.empty((19, a.size), np.float16)
    cmp = np.empty((6, a.size), np.bool_)
    intrinsics[4, 160](a, b, c, out, cmp)
    f32 = a.astype(np.float32)
    with np.errstate(all="ignore"):
        # fma rounds once: a * b + c is exact in float64 whenever the result is finite.
        fma = (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64))
        expected = [a + b, a - b, a * b, a / b, -a, np.abs(a), fma.astype(np.float16),
                    np.fmax(a, b), np.fmin(a, b), np.sqrt(np.abs(a)), np.floor(a), np.ceil(a),
                    np.trunc(a), np.rint(a), np.float16(1) / a, a + (b - a) * c,
                    np.sin(f32.astype(np.float64)).astype(np.float32),
                    np.exp(f32.astype(np.float64)).astype(np.float32),
                    np.log(np.abs(f32).astype(np.float64)).astype(np.float32)]
        for k, e in enumerate(expected):
            assert_same(out[k], np.asarray(e).astype(np.float16))
        ordered = ~(np.isnan(a) | np.isnan(b))
        for k, e in enumerate([a == b, ordered & (a != b), a > b, a >= b, a < b, a <= b]):
            assert np.array_equal(cmp[k], e), k


def test_hmax_hmin_signed_zeros_and_nan():
    @cuda.jit
    def mm(a, b, out):
        i = cuda.grid(1)
        if i < a.shape[0]:
            out[0, i] = fp16.hmax(a[i], b[i])
            out[1, i] = fp16.hmin(a[i], b[i])

    a = np.array([0.0, -0.0, np.nan, 1.0, np.nan], np.float16)
    b = np.array([-0.0, 0.0, 2.0, np.nan, np.nan], np.float16)
    out = np.empty((2, 5), np.float16)
    mm[1, 8](a, b, out)
    assert [math.copysign(1, v) for v in out[0, :2]] == [1, 1]
    assert [math.copysign(1, v) for v in out[1, :2]] == [-1, -1]
    assert out[0, 2] == 2 and out[0, 3] == 1 and np.isnan(out[0, 4])
    assert out[1, 2] == 2 and out[1, 3] == 1 and np.isnan(out[1, 4])


def test_float16_scalar_argument_and_shared_array():
    @cuda.jit
    def scale(s, x, out):
        tile = cuda.shared.array(64, np.float16)
        i = cuda.threadIdx.x
        tile[i] = x[i] * s
        cuda.syncthreads()
        out[i] = tile[63 - i]

    x = HALVES[:64].copy()
    out = np.empty(64, np.float16)
    scale[1, 64](np.float16(0.3), x, out)
    with np.errstate(all="ignore"):
        assert_same(out, (x * np.float16(0.3))[::-1])


def test_ptx_uses_native_half_instructions():
    def axpy(a, x, out):
        i = cuda.grid(1)
        if i < x.shape[0]:
            out[i] = a * x[i] + fp16.hsqrt(x[i])

    ptx, resty = cuda.compile_ptx(axpy, "void(float16, float16[:], float16[::1])", cc=(8, 0))
    assert resty == "none"
    # Rounded half operations (never contracted into an fma), the square root through float32.
    assert "mul.rn.f16" in ptx and "add.rn.f16" in ptx
    assert "cvt.f32.f16" in ptx and "cvt.rn.f16.f32" in ptx

"""``cuda.fp16``: numba-cuda's float16 intrinsics, as device functions over ember's float16.

Each is an ordinary device function, so it runs on the CPU path and compiles to PTX alike.
Results are NumPy's float16 results: arithmetic rounds once to float16, the math functions
compute in float32 and round once (as NumPy does for float16), and ``hfma`` rounds once (its
float64 sum is exact whenever the result is finite).  Comparisons follow CUDA's ordered forms:
a NaN operand makes every one of them false, ``hne`` included.  ``hmax``/``hmin`` return the
other operand when one is NaN, and order -0.0 below +0.0, as CUDA's ``__hmax``/``__hmin`` do.
"""
import math

import numpy as np

from .kernel import jit


@jit(device=True)
def hadd(a, b):
    return a + b


@jit(device=True)
def hsub(a, b):
    return a - b


@jit(device=True)
def hmul(a, b):
    return a * b


@jit(device=True)
def hdiv(a, b):
    return a / b


@jit(device=True)
def hneg(a):
    return -a


@jit(device=True)
def habs(a):
    return abs(a)


@jit(device=True)
def hfma(a, b, c):
    return np.float16(float(a) * float(b) + float(c))


@jit(device=True)
def heq(a, b):
    return a == b


@jit(device=True)
def hne(a, b):
    return a < b or a > b


@jit(device=True)
def hgt(a, b):
    return a > b


@jit(device=True)
def hge(a, b):
    return a >= b


@jit(device=True)
def hlt(a, b):
    return a < b


@jit(device=True)
def hle(a, b):
    return a <= b


@jit(device=True)
def hmax(a, b):
    if a != a:
        return b
    if b != b:
        return a
    if a == b:  # +0.0 and -0.0: the positive one
        return a if math.copysign(1.0, a) > 0 else b
    return a if a > b else b


@jit(device=True)
def hmin(a, b):
    if a != a:
        return b
    if b != b:
        return a
    if a == b:
        return a if math.copysign(1.0, a) < 0 else b
    return a if a < b else b


@jit(device=True)
def hsqrt(a):
    return math.sqrt(a)


@jit(device=True)
def hrsqrt(a):
    return np.float16(np.float32(1.0) / math.sqrt(np.float32(a)))


@jit(device=True)
def hrcp(a):
    return 1.0 / a


@jit(device=True)
def hsin(a):
    return math.sin(a)


@jit(device=True)
def hcos(a):
    return math.cos(a)


@jit(device=True)
def htanh(a):
    return math.tanh(a)


@jit(device=True)
def hexp(a):
    return math.exp(a)


@jit(device=True)
def hexp2(a):
    return np.float16(math.pow(np.float32(2.0), np.float32(a)))


@jit(device=True)
def hexp10(a):
    return np.float16(math.pow(np.float32(10.0), np.float32(a)))


@jit(device=True)
def hlog(a):
    return math.log(a)


@jit(device=True)
def hlog2(a):
    return math.log2(a)


@jit(device=True)
def hlog10(a):
    return math.log10(a)


@jit(device=True)
def hfloor(a):
    return np.floor(a)


@jit(device=True)
def hceil(a):
    return np.ceil(a)


@jit(device=True)
def htrunc(a):
    return np.trunc(a)


@jit(device=True)
def hrint(a):
    # Below 1024 a float16 has fraction bits; adding 1024 leaves none, so the float16 sum
    # rounds to an integer, ties to even.  Larger values, infinities and NaN are their own rint.
    m = abs(a)
    if m < 1024.0:
        return math.copysign((m + 1024.0) - 1024.0, a)
    return a


__all__ = ["hadd", "hsub", "hmul", "hdiv", "hneg", "habs", "hfma", "heq", "hne", "hgt", "hge",
           "hlt", "hle", "hmax", "hmin", "hsqrt", "hrsqrt", "hrcp", "hsin", "hcos", "htanh",
           "hexp", "hexp2", "hexp10", "hlog", "hlog2", "hlog10", "hfloor", "hceil", "htrunc",
           "hrint"]

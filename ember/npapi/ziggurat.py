"""The ziggurat tables of NumPy's Generator normal and exponential draws, built here.

NumPy's ``random_standard_normal`` / ``random_standard_exponential`` (and their float32 forms)
draw with Marsaglia and Tsang's ziggurat (2000) over 256 layers: one integer draw picks a layer
``i`` and a magnitude ``m``, and ``m * w[i]`` is returned while ``m < k[i]`` (about 99% of
draws); ``f`` is the density at the layers' edges, for the rarer wedge tests.  For the draws to
equal NumPy's bit for bit the tables must equal NumPy's bit for bit, so they are built the way
NumPy's were, and tests/python/test_npapi_generator.py checks the streams (and so every table
entry a draw reads) against NumPy's.

The layers' right edges ``x[1] < ... < x[255] = r`` each bound an equal area ``v`` with the
tail: ``x[i] = f^-1(f(x[i+1]) + v / x[i+1])`` for the density ``f``; ``k[i]`` is
``x[i-1] / x[i]`` scaled to the magnitude's bits, ``w[i] = x[i] / 2**bits``, and layer 0 is the
base strip with the tail (``k[0] = r f(r) / v``, ``w[0] = v / f(r)``).

* Normal (``f(x) = exp(-x*x/2)``, r = 3.6541528853610088, 52-bit magnitudes): NumPy's tables
  are those of float64 arithmetic with v = 0.0049286732339746519 (4 ulps below the exact
  area), ``k`` rounded to nearest.  Each exp/log here is correctly rounded (computed in
  ``decimal``, so the tables do not depend on the platform's libm), which reproduces NumPy's
  tables except at one near tie: ``exp(-x[38]**2/2)`` lies 0.498 ulp above a double, and the
  libm NumPy's tables were made with returned the double above it.  That value (``fi[38]``,
  and through the recursion ``x[1..37]``) is taken rounded up here too.  The float32 tables
  are the float64 values rounded to float32, ``k`` scaled to 23 bits.
* Exponential (``f(x) = exp(-x)``, r = 7.6971174701310497, 53-bit magnitudes): computed in
  high precision with the exact area ``v = (1 + r) exp(-r)``, then rounded to float64.  NumPy's
  ``ke_double`` entries are 0 to 2 below ``floor(x[i-1] / x[i] * 2**53)`` (they were computed
  some other way); this floor is used, so a draw's first test can decide differently from
  NumPy's only when its 53-bit magnitude equals one of those values: odds below 3e-16 a draw.
  The float32 tables are the values rounded to nine significant digits (as NumPy's header
  prints them) and then to float32; ``k`` is the float64 ratio scaled to 23 bits, rounded.
"""
from __future__ import annotations

import math
from decimal import Context, Decimal, localcontext

import numpy as np

from ..decorators import jit
from . import bitgen

_CTX = Context(prec=30)

NOR_R = 3.6541528853610087963519472518
NOR_INV_R = 0.27366123732975827203338247596  # 1 / NOR_R, rounded
EXP_R = 7.6971174701310497140446280481
NOR_R_F = np.float32(NOR_R)
NOR_INV_R_F = np.float32(NOR_INV_R)
EXP_R_F = np.float32(EXP_R)

_NOR_V = 0.0049286732339746519
_NOR_ROUNDED_UP = 38  # the layer whose density NumPy's tables hold rounded up (see above)


def _exp(t):
    """exp of a float64, correctly rounded (30 digits are far more than the roundings here
    need)."""
    return float(_CTX.exp(_CTX.plus(Decimal(t))))


def _log(t):
    """log of a float64, correctly rounded."""
    return float(_CTX.ln(_CTX.plus(Decimal(t))))


def _normal_tables():
    n, r, v = 256, NOR_R, _NOR_V
    x, f = [0.0] * n, [0.0] * n
    x[n - 1] = r
    for i in range(n - 1, 0, -1):
        f[i] = _exp(-0.5 * x[i] * x[i])
        if i == _NOR_ROUNDED_UP:
            f[i] = math.nextafter(f[i], 2.0)
        if i > 1:
            x[i - 1] = math.sqrt(-2.0 * _log(f[i] + v / x[i]))
    f[0] = 1.0
    tables = []
    for bits, ftype in ((52, np.float64), (23, np.float32)):
        scale = 2.0 ** bits
        k = [round(r * f[n - 1] / v * scale)] + [round(x[i - 1] / x[i] * scale)
                                                 for i in range(1, n)]
        w = [v / f[n - 1] / scale] + [x[i] / scale for i in range(1, n)]
        tables.append((np.array(k, np.uint64 if bits == 52 else np.uint32),
                       np.array(w).astype(ftype), np.array(f).astype(ftype)))
    return tables


def _nine_digits(t):
    """A float64 rounded to nine significant digits, then to float32."""
    return np.float32(float(f"{t:.8e}"))


def _exponential_tables():
    with localcontext(_CTX):  # the operators' precision, whatever the thread's context is
        return _exponential_tables_in_context()


def _exponential_tables_in_context():
    n, c = 256, _CTX
    r = Decimal("7.6971174701310497140446280481")
    v = c.multiply(c.exp(-r), 1 + r)
    x, e = [Decimal(0)] * n, [Decimal(1)] * n  # the edges and exp(-edge)
    x[n - 1] = r
    for i in range(n - 1, 0, -1):
        e[i] = c.exp(-x[i])
        if i > 1:
            x[i - 1] = -c.ln(c.add(e[i], c.divide(v, x[i])))
    scale = Decimal(2) ** 53
    k = [int(c.divide(r, 1 + r) * scale)] + [int(c.divide(x[i - 1], x[i]) * scale)
                                             for i in range(1, n)]
    w = [float(c.divide(1 + r, scale))] + [float(c.divide(x[i], scale)) for i in range(1, n)]
    f = [float(t) for t in e]
    xd = [float(t) for t in x]
    k32 = [round(float(c.divide(r, 1 + r)) * 2.0 ** 23)] + [round(xd[i - 1] / xd[i] * 2.0 ** 23)
                                                           for i in range(1, n)]
    w32 = [_nine_digits(w[0] * 2.0 ** 30)] + [_nine_digits(t / 2.0 ** 23) for t in xd[1:]]
    return ((np.array(k, np.uint64), np.array(w), np.array(f)),
            (np.array(k32, np.uint32), np.array(w32, np.float32),
             np.array([_nine_digits(t) for t in f], np.float32)))


(KI, WI, FI), (KI_F, WI_F, FI_F) = _normal_tables()
(KE, WE, FE), (KE_F, WE_F, FE_F) = _exponential_tables()
for _table in (KI, WI, FI, KI_F, WI_F, FI_F, KE, WE, FE, KE_F, WE_F, FE_F):
    _table.flags.writeable = False


# ---- the draws (NumPy's random_standard_normal, random_standard_exponential, their float32
# forms and random_standard_gamma_f over the tables above) -----------------------------------

_U8 = np.uint64(8)
_BYTE = np.uint64(0xFF)
_ONE = np.uint64(1)
_M52 = np.uint64(0x000FFFFFFFFFFFFF)
_U8_32 = np.uint32(8)
_BYTE_32 = np.uint32(0xFF)
_ONE_32 = np.uint32(1)
_M23_32 = np.uint32(0x007FFFFF)


@jit
def next_float(b):
    """A float32 in [0, 1) from the top 24 bits of a 32-bit draw (NumPy's next_float)."""
    return np.float32(bitgen.next_uint32(b) >> _U8_32) * np.float32(1.0 / 16777216.0)


@jit
def normal(b):
    """A standard normal float64: one 64-bit draw gives the layer (8 bits), the sign (1) and a
    52-bit magnitude; the tail beyond r is Marsaglia's exponential rejection."""
    while True:
        r = bitgen.next_uint64(b)
        idx = np.int64(r & _BYTE)
        r = r >> _U8
        rabs = (r >> _ONE) & _M52
        x = np.float64(rabs) * WI[idx]
        if (r & _ONE) != 0:
            x = -x
        if rabs < KI[idx]:
            return x
        if idx == 0:
            while True:
                xx = -NOR_INV_R * np.log1p(-bitgen.next_double(b))
                yy = -np.log1p(-bitgen.next_double(b))
                if yy + yy > xx * xx:
                    if ((rabs >> _U8) & _ONE) != 0:
                        return -(NOR_R + xx)
                    return NOR_R + xx
        elif (FI[idx - 1] - FI[idx]) * bitgen.next_double(b) + FI[idx] < np.exp(-0.5 * x * x):
            return x


@jit
def normal_f4(b):
    """A standard normal float32 from 32-bit draws (a 23-bit magnitude), with float32
    arithmetic where NumPy's C has it and float64 for the wedge's exp, as there."""
    while True:
        r = bitgen.next_uint32(b)
        idx = np.int64(r & _BYTE_32)
        rabs = (r >> np.uint32(9)) & _M23_32
        x = np.float32(rabs) * WI_F[idx]
        if ((r >> _U8_32) & _ONE_32) != 0:
            x = -x
        if rabs < KI_F[idx]:
            return x
        if idx == 0:
            while True:
                xx = -NOR_INV_R_F * np.log1p(-next_float(b))
                yy = -np.log1p(-next_float(b))
                if yy + yy > xx * xx:
                    if ((rabs >> _U8_32) & _ONE_32) != 0:
                        return -(NOR_R_F + xx)
                    return NOR_R_F + xx
        else:
            xd = np.float64(x)
            if (FI_F[idx - 1] - FI_F[idx]) * next_float(b) + FI_F[idx] < np.exp(-0.5 * xd * xd):
                return x


@jit
def exponential(b):
    """A standard exponential float64: a 64-bit draw's low 3 bits are dropped, then 8 bits
    give the layer and 53 the magnitude; the tail beyond r is r plus an exponential (by
    inversion), and a rejected wedge draws again."""
    while True:
        ri = bitgen.next_uint64(b) >> np.uint64(3)
        idx = np.int64(ri & _BYTE)
        ri = ri >> _U8
        x = np.float64(ri) * WE[idx]
        if ri < KE[idx]:
            return x
        if idx == 0:
            return EXP_R - np.log1p(-bitgen.next_double(b))
        if (FE[idx - 1] - FE[idx]) * bitgen.next_double(b) + FE[idx] < np.exp(-x):
            return x


@jit
def exponential_f4(b):
    """A standard exponential float32 from 32-bit draws (the low bit dropped, a 23-bit
    magnitude), in float32 arithmetic."""
    while True:
        ri = bitgen.next_uint32(b) >> _ONE_32
        idx = np.int64(ri & _BYTE_32)
        ri = ri >> _U8_32
        x = np.float32(ri) * WE_F[idx]
        if ri < KE_F[idx]:
            return x
        if idx == 0:
            return EXP_R_F - np.log1p(-next_float(b))
        if (FE_F[idx - 1] - FE_F[idx]) * next_float(b) + FE_F[idx] < np.exp(-x):
            return x


_F0 = np.float32(0.0)
_F1 = np.float32(1.0)
_F_THIRD = np.float32(1.0) / np.float32(3.0)
_F9 = np.float32(9.0)
_F_HALF = np.float32(0.5)
_F_SQUEEZE = np.float32(0.0331)


@jit
def gamma_f4(b, shape):
    """NumPy's random_standard_gamma_f: Marsaglia and Tsang's method (shape > 1) or Johnk's
    rejection (shape < 1), in float32 arithmetic over the float32 draws above."""
    if shape == _F1:
        return exponential_f4(b)
    if shape == _F0:
        return _F0
    if shape < _F1:
        while True:
            u = next_float(b)
            v = exponential_f4(b)
            if u <= _F1 - shape:
                x = u ** (_F1 / shape)
                if x <= v:
                    return x
            else:
                y = -np.log((_F1 - u) / shape)
                x = (_F1 - shape + shape * y) ** (_F1 / shape)
                if x <= v + y:
                    return x
    d = shape - _F_THIRD
    c = _F1 / np.sqrt(_F9 * d)
    while True:
        x = normal_f4(b)
        v = _F1 + c * x
        while v <= _F0:
            x = normal_f4(b)
            v = _F1 + c * x
        v = v * v * v
        u = next_float(b)
        if u < _F1 - _F_SQUEEZE * (x * x) * (x * x):
            return d * v
        if np.log(u) < _F_HALF * x * x + d * (_F1 - v + np.log(v)):
            return d * v

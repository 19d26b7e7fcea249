"""np.random.Generator passed to compiled code: ``rng.random()``, ``rng.integers(...)``, ...

A ``np.random.Generator`` argument reaches compiled code as an instance of the jitclass
``Generator`` below, which holds the address of its BitGenerator's ``bitgen_t``
(ember/dispatcher.py converts it, holding the BitGenerator's lock for the call); its methods are
selectors like ember's NumPy functions (ember/npapi/__init__.py), so that ``size`` and
``dtype=np.float32`` choose the implementation at compile time.  Every draw
calls the BitGenerator's own next_uint64 / next_uint32 / next_double through that struct
(ember/npapi/bitgen.py), so the state the Python object holds advances in place: after the call
the Generator continues from where compiled code stopped, and compiled code continues NumPy's
stream.  Any BitGenerator with a ``ctypes`` interface works (PCG64, PCG64DXSM, MT19937, Philox,
SFC64).  The instance is valid only during the call that received it: returned to Python or
kept, it would outlive the Generator it points into.  Calls with a Generator argument take the
dispatcher's slow path (the type is found in Python).

Every method follows NumPy's Generator algorithm, so the draws equal NumPy's for the same seed
and leave the BitGenerator's state where NumPy leaves it: ``random`` (float64 and float32),
``integers`` (Lemire's bounded integers, int64/int32/uint64/uint32, ``endpoint``), ``uniform``,
``choice`` (with and without replacement: Floyd's algorithm or a tail shuffle, as NumPy picks),
``permutation`` and ``shuffle`` (NumPy's masked rejection); ``standard_normal``/``normal`` and
``standard_exponential``/``exponential`` (float64 and float32) draw with NumPy's ziggurats, whose
tables ember/npapi/ziggurat.py builds, and so do the distributions over them
(``standard_gamma``/``gamma``, float32 too: Marsaglia and Tsang, ``beta``, ``chisquare``, ``f``,
``standard_t``, ``negative_binomial``, ``noncentral_*``, ``lognormal``, ``rayleigh``,
``pareto``, ``power``, ``weibull``, ``wald``, ``standard_cauchy``, ``geometric`` below 1/3);
``laplace``, ``logistic``, ``triangular``, ``geometric``, ``poisson`` (multiplication below
lam = 10, PTRS above, NumPy's loggam), ``logseries`` and ``zipf`` draw uniforms.  One caveat:
with a parameter written as a constant, LLVM rewrites a power with a constant exponent
(``x ** 0.5`` as ``sqrt(x)``, ``x ** 2.0`` as ``x * x``), correctly rounded where glibc's pow,
which NumPy calls, is not always, so about one draw in 1000 of weibull(2.0), power(2.0),
gamma(0.5) or beta(0.5, b) differs from NumPy's in the last bit (and the stream with it only
if that bit decides a rejection test).
Bad parameters raise NumPy's ValueErrors.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import types
from ..decorators import jit
from ..jitclasses import jitclass
from . import TypingError, _overloads, absent, bitgen, literal, overload, unsupported
from .shapes import _generate, _wrap
from .ziggurat import exponential as _expo
from .ziggurat import exponential_f4 as _expo_f4
from .ziggurat import gamma_f4 as _gamma_f4
from .ziggurat import normal as _gauss
from .ziggurat import normal_f4 as _gauss_f4

M32 = np.uint64(0xFFFFFFFF)
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
U32 = np.uint64(32)


@jitclass([("bitgen", types.int64)])
class Generator:
    """What compiled code holds for a np.random.Generator: its bitgen_t's address.  Its
    methods (``_METHODS``, at the end of this file) are selectors, like ember's NumPy
    functions: arguments such as ``dtype=np.float32`` steer the choice at compile time."""

    def __init__(self, bitgen):
        self.bitgen = bitgen


def argument(rng):
    """The compiled-code stand-in for a np.random.Generator argument."""
    return Generator(rng.bit_generator.ctypes.bit_generator.value)


# ---- NumPy's integer algorithms -------------------------------------------------------------

@jit
def _mul_hi(x, y):
    """The high 64 bits of the 128-bit product of two uint64s."""
    x_lo, x_hi = x & M32, x >> U32
    y_lo, y_hi = y & M32, y >> U32
    lo_lo = x_lo * y_lo
    hi_lo = x_hi * y_lo
    cross = (lo_lo >> U32) + (hi_lo & M32) + x_lo * y_hi
    return x_hi * y_hi + (hi_lo >> U32) + (cross >> U32)


@jit
def _bounded(b, rng):
    """A uint64 in [0, rng] as NumPy's random_bounded_uint64 draws it (Lemire's method on
    32-bit draws while rng fits in 32 bits)."""
    if rng == 0:
        return np.uint64(0)
    if rng <= M32:
        if rng == M32:
            return np.uint64(bitgen.next_uint32(b))
        excl = rng + np.uint64(1)
        m = np.uint64(bitgen.next_uint32(b)) * excl
        if (m & M32) < excl:
            threshold = (M32 - rng) % excl
            while (m & M32) < threshold:
                m = np.uint64(bitgen.next_uint32(b)) * excl
        return m >> U32
    if rng == M64:
        return bitgen.next_uint64(b)
    excl = rng + np.uint64(1)
    x = bitgen.next_uint64(b)
    if x * excl < excl:
        threshold = (M64 - rng) % excl
        while x * excl < threshold:
            x = bitgen.next_uint64(b)
    return _mul_hi(x, excl)


@jit
def _interval(b, top):
    """A uint64 in [0, top] as NumPy's random_interval draws it (masked rejection): the
    shuffles' draw."""
    if top == 0:
        return np.uint64(0)
    mask = top
    mask |= mask >> np.uint64(1)
    mask |= mask >> np.uint64(2)
    mask |= mask >> np.uint64(4)
    mask |= mask >> np.uint64(8)
    mask |= mask >> np.uint64(16)
    mask |= mask >> U32
    if top <= M32:
        v = np.uint64(bitgen.next_uint32(b)) & mask
        while v > top:
            v = np.uint64(bitgen.next_uint32(b)) & mask
        return v
    v = bitgen.next_uint64(b) & mask
    while v > top:
        v = bitgen.next_uint64(b) & mask
    return v


# ---- continuous draws -----------------------------------------------------------------------

@jit
def _laplace(b, loc, scale):
    while True:
        u = bitgen.next_double(b)
        if u >= 0.5:
            return loc - scale * np.log(2.0 - u - u)
        if u > 0.0:
            return loc + scale * np.log(u + u)


@jit
def _logistic(b, loc, scale):
    u = bitgen.next_double(b)
    while u <= 0.0:
        u = bitgen.next_double(b)
    return loc + scale * np.log(u / (1.0 - u))


@jit
def _weibull(b, a):
    if a == 0.0:
        return 0.0
    return _expo(b) ** (1.0 / a)


@jit
def _wald(b, mean, scale):
    y = _gauss(b)
    y = mean * y * y
    d = 1.0 + np.sqrt(1.0 + 4.0 * scale / y)
    x = mean * (1.0 - 2.0 / d)
    if bitgen.next_double(b) <= mean / (mean + x):
        return x
    return mean * mean / x


@jit
def _triangular(b, left, mode, right):
    base = right - left
    left_base = mode - left
    ratio = left_base / base
    u = bitgen.next_double(b)
    if u <= ratio:
        return left + np.sqrt(u * (left_base * base))
    return right - np.sqrt((1.0 - u) * ((right - mode) * base))


@jit
def _geometric(b, p):
    """NumPy's random_geometric: a search for p >= 1/3, inversion below."""
    if p >= 0.333333333333333333333333:
        x = 1
        total = p
        prod = p
        q = 1.0 - p
        u = bitgen.next_double(b)
        while u > total:
            prod *= q
            total += prod
            x += 1
        return np.int64(x)
    z = np.ceil(-_expo(b) / np.log1p(-p))
    if z >= 9.223372036854776e18:  # the smallest double above INT64_MAX
        return np.int64(9223372036854775807)
    return np.int64(z)


@jit
def _standard_gamma(b, shape):
    """NumPy's random_standard_gamma: Marsaglia and Tsang's method for shape > 1, Johnk's
    rejection below 1 (over the ziggurat normal and exponential draws)."""
    if shape == 1.0:
        return _expo(b)
    if shape == 0.0:
        return 0.0
    if shape < 1.0:
        while True:
            u = bitgen.next_double(b)
            v = _expo(b)
            if u <= 1.0 - shape:
                x = u ** (1.0 / shape)
                if x <= v:
                    return x
            else:
                y = -np.log((1.0 - u) / shape)
                x = (1.0 - shape + shape * y) ** (1.0 / shape)
                if x <= v + y:
                    return x
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        x = _gauss(b)
        v = 1.0 + c * x
        while v <= 0.0:
            x = _gauss(b)
            v = 1.0 + c * x
        v = v * v * v
        u = bitgen.next_double(b)
        if u < 1.0 - 0.0331 * (x * x) * (x * x):
            return d * v
        if np.log(u) < 0.5 * x * x + d * (1.0 - v + np.log(v)):
            return d * v


@jit
def _beta(b, a, bb):
    """NumPy's random_beta: Johnk's algorithm when both parameters are at most 1, a ratio of
    gammas otherwise."""
    if a <= 1.0 and bb <= 1.0:
        if a < 3e-103 and bb < 3e-103:
            # a draw other than 0 or 1 has odds below 1e-100: one uniform picks between them
            return 1.0 if (a + bb) * bitgen.next_double(b) < a else 0.0
        while True:
            u = bitgen.next_double(b)
            v = bitgen.next_double(b)
            x = u ** (1.0 / a)
            if x > 1.0:
                # Never (u < 1), but the branch keeps LLVM's SLP vectorizer from packing the
                # two powers into one call of the vector pow, whose last bits differ from
                # libm's, which NumPy calls.
                continue
            y = v ** (1.0 / bb)
            xpy = x + y
            if xpy <= 1.0 and u + v > 0.0:
                if x > 0.0 and y > 0.0:
                    return x / xpy
                # x or y underflowed: x / (x + y) from the logarithms
                log_x = np.log(u) / a
                if log_x > 0.0:
                    continue  # never (u < 1): as above, for the two logarithms
                delta = log_x - np.log(v) / bb
                if delta > 0.0:
                    return np.exp(-np.log1p(np.exp(-delta)))
                return np.exp(delta - np.log1p(np.exp(delta)))
    ga = _standard_gamma(b, a)
    gb = _standard_gamma(b, bb)
    return ga / (ga + gb)


@jit
def _chisquare(b, df):
    return 2.0 * _standard_gamma(b, df / 2.0)


@jit
def _standard_t(b, df):
    num = _gauss(b)
    denom = _standard_gamma(b, df / 2.0)
    return np.sqrt(df / 2.0) * num / np.sqrt(denom)


@jit
def _loggam(x):
    """NumPy's random_loggam (a Stirling series after shifting x up to 7)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = 0
    if x < 7.0:
        n = np.int64(7 - x)
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = -1.39243221690590e+00
    gl0 = gl0 * x2 + 1.796443723688307e-01
    gl0 = gl0 * x2 - 2.955065359477124e-02
    gl0 = gl0 * x2 + 6.410256410256410e-03
    gl0 = gl0 * x2 - 1.917526917526918e-03
    gl0 = gl0 * x2 + 8.417508417508418e-04
    gl0 = gl0 * x2 - 5.952380952380952e-04
    gl0 = gl0 * x2 + 7.936507936507937e-04
    gl0 = gl0 * x2 - 2.777777777777778e-03
    gl0 = gl0 * x2 + 8.333333333333333e-02
    gl = gl0 / x0 + 0.5 * np.log(2.0 * np.pi) + (x0 - 0.5) * np.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= np.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@jit
def _poisson(b, lam):
    """NumPy's random_poisson: multiplication of uniforms below 10, Hormann's PTRS above."""
    if lam >= 10.0:
        slam = np.sqrt(lam)
        loglam = np.log(lam)
        bb = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * bb
        invalpha = 1.1239 + 1.1328 / (bb - 3.4)
        vr = 0.9277 - 3.6224 / (bb - 2.0)
        while True:
            u = bitgen.next_double(b) - 0.5
            v = bitgen.next_double(b)
            us = 0.5 - abs(u)
            k = np.int64(np.floor((2.0 * a / us + bb) * u + lam + 0.43))
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (np.log(v) + np.log(invalpha) - np.log(a / (us * us) + bb)
                    <= -lam + k * loglam - _loggam(k + 1.0)):
                return k
    if lam == 0.0:
        return np.int64(0)
    enlam = np.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= bitgen.next_double(b)
        if prod > enlam:
            x += 1
        else:
            return np.int64(x)


@jit
def _negative_binomial(b, n, p):
    return _poisson(b, _standard_gamma(b, n) * ((1.0 - p) / p))


@jit
def _noncentral_chisquare(b, df, nonc):
    if np.isnan(nonc):
        return np.nan
    if nonc == 0.0:
        return _chisquare(b, df)
    if df > 1.0:
        chi2 = _chisquare(b, df - 1.0)
        n = _gauss(b) + np.sqrt(nonc)
        return chi2 + n * n
    i = _poisson(b, nonc / 2.0)
    return _chisquare(b, df + 2.0 * i)


@jit
def _noncentral_f(b, dfnum, dfden, nonc):
    t = _noncentral_chisquare(b, dfnum, nonc) * dfden
    return t / (_chisquare(b, dfden) * dfnum)


@jit
def _logseries(b, p):
    """NumPy's random_logseries (Kemp's second accelerated generator)."""
    r = np.log1p(-p)
    while True:
        v = bitgen.next_double(b)
        if v >= p:
            return np.int64(1)
        q = -np.expm1(r * bitgen.next_double(b))
        if v <= q * q:
            k = np.floor(1.0 + np.log(v) / np.log(q))
            if k < 1.0 or v == 0.0:
                continue
            return np.int64(k)
        if v >= q:
            return np.int64(1)
        return np.int64(2)


@jit
def _zipf(b, a):
    """NumPy's random_zipf (rejection from the continuous Pareto bound, Devroye)."""
    if a >= 1025.0:
        return np.int64(1)
    am1 = a - 1.0
    bb = 2.0 ** am1
    # u is drawn from (umin, 1]: below umin x would exceed int64 and be rejected
    umin = 9.223372036854775807e18 ** -am1
    while True:
        u01 = bitgen.next_double(b)
        u = u01 * umin + (1.0 - u01)
        v = bitgen.next_double(b)
        x = np.floor(u ** (-1.0 / am1))
        if x > 9.223372036854775807e18 or x < 1.0:
            continue
        t = (1.0 + 1.0 / x) ** am1
        if v * x * (t - 1.0) / (bb - 1.0) <= t / bb:
            return np.int64(x)


_HELPERS = {"gauss": _gauss, "expo": _expo, "gauss_f4": _gauss_f4, "expo_f4": _expo_f4,
            "gamma_f4": _gamma_f4,
            "laplace": _laplace, "logistic": _logistic,
            "weibull": _weibull, "wald": _wald, "triangular": _triangular,
            "geometric": _geometric, "gamma": _standard_gamma, "beta": _beta,
            "chisquare": _chisquare, "standard_t": _standard_t, "poisson": _poisson,
            "negative_binomial": _negative_binomial,
            "noncentral_chisquare": _noncentral_chisquare, "noncentral_f": _noncentral_f,
            "logseries": _logseries, "zipf": _zipf}

_DOUBLE = "bitgen.next_double(b)"
_FLOAT = "np.float32((bitgen.next_uint32(b) >> np.uint32(8)) * (1.0 / 16777216.0))"
_P_RANGE = ("not (p > 0 and p <= 1)", "p <= 0, p > 1 or p contains NaNs")
# The largest lam NumPy's poisson takes (POISSON_LAM_MAX).
_LAM_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)
# name: ((parameter, default), ...), the scalar draw, the invalid-parameter checks (a
# condition that is also the message, or (condition, message) pairs), the dtype
_DRAWS = {
    "random": ((), _DOUBLE, "", "f8"),
    "random_f4": ((), _FLOAT, "", "f4"),
    "uniform": ((("low", 0.0), ("high", 1.0)), f"low + (high - low) * {_DOUBLE}", "", "f8"),
    "standard_normal": ((), "gauss(b)", "", "f8"),
    "standard_normal_f4": ((), "gauss_f4(b)", "", "f4"),
    "normal": ((("loc", 0.0), ("scale", 1.0)), "loc + scale * gauss(b)", "scale < 0", "f8"),
    "standard_exponential": ((), "expo(b)", "", "f8"),
    "standard_exponential_f4": ((), "expo_f4(b)", "", "f4"),
    # method='inv': inversion (the float32 form takes float64's log1p, as NumPy's does)
    "standard_exponential_inv": ((), f"-np.log1p(-{_DOUBLE})", "", "f8"),
    "standard_exponential_inv_f4": ((), f"np.float32(-np.log1p(-np.float64({_FLOAT})))", "", "f4"),
    "exponential": ((("scale", 1.0),), "scale * expo(b)", "scale < 0", "f8"),
    "standard_cauchy": ((), "gauss(b) / gauss(b)", "", "f8"),
    "laplace": ((("loc", 0.0), ("scale", 1.0)), "laplace(b, loc, scale)", "scale < 0", "f8"),
    "logistic": ((("loc", 0.0), ("scale", 1.0)), "logistic(b, loc, scale)", "scale < 0",
                 "f8"),
    "lognormal": ((("mean", 0.0), ("sigma", 1.0)), "np.exp(mean + sigma * gauss(b))",
                  "sigma < 0", "f8"),
    "rayleigh": ((("scale", 1.0),), "scale * np.sqrt(2.0 * expo(b))", "scale < 0", "f8"),
    "pareto": ((("a", None),), "np.expm1(expo(b) / a)", "a <= 0", "f8"),
    "power": ((("a", None),), "(-np.expm1(-expo(b))) ** (1.0 / a)", "a <= 0", "f8"),
    "weibull": ((("a", None),), "weibull(b, a)", "a < 0", "f8"),
    "wald": ((("mean", None), ("scale", None)), "wald(b, mean, scale)",
             (("mean <= 0", "mean <= 0"), ("scale <= 0", "scale <= 0")), "f8"),
    "triangular": ((("left", None), ("mode", None), ("right", None)),
                   "triangular(b, left, mode, right)",
                   (("left > mode", "left > mode"), ("mode > right", "mode > right"),
                    ("left == right", "left == right")), "f8"),
    "geometric": ((("p", None),), "geometric(b, p)", (_P_RANGE,), "i8"),
    "standard_gamma": ((("shape", None),), "gamma(b, shape)", "shape < 0", "f8"),
    "standard_gamma_f4": ((("shape", None),), "gamma_f4(b, np.float32(shape))", "shape < 0",
                          "f4"),
    "gamma": ((("shape", None), ("scale", 1.0)), "scale * gamma(b, shape)",
              (("shape < 0", "shape < 0"), ("scale < 0", "scale < 0")), "f8"),
    "beta": ((("a", None), ("b_", None)), "beta(b, a, b_)",
             (("a <= 0", "a <= 0"), ("b_ <= 0", "b <= 0")), "f8"),
    "chisquare": ((("df", None),), "chisquare(b, df)", "df <= 0", "f8"),
    "f": ((("dfnum", None), ("dfden", None)),
          "(chisquare(b, dfnum) * dfden) / (chisquare(b, dfden) * dfnum)",
          (("dfnum <= 0", "dfnum <= 0"), ("dfden <= 0", "dfden <= 0")), "f8"),
    "standard_t": ((("df", None),), "standard_t(b, df)", "df <= 0", "f8"),
    "poisson": ((("lam", 1.0),), "poisson(b, lam)",
                (("not lam >= 0", "lam < 0 or lam is NaN"),
                 (f"lam > {_LAM_MAX!r}", "lam value too large")), "i8"),
    "negative_binomial": ((("n", None), ("p", None)), "negative_binomial(b, n, p)",
                          (("not n > 0", "n <= 0"), _P_RANGE), "i8"),
    "noncentral_chisquare": ((("df", None), ("nonc", None)), "noncentral_chisquare(b, df, nonc)",
                             (("df <= 0", "df <= 0"), ("nonc < 0", "nonc < 0")), "f8"),
    "noncentral_f": ((("dfnum", None), ("dfden", None), ("nonc", None)),
                     "noncentral_f(b, dfnum, dfden, nonc)",
                     (("dfnum <= 0", "dfnum <= 0"), ("dfden <= 0", "dfden <= 0"),
                      ("nonc < 0", "nonc < 0")), "f8"),
    "logseries": ((("p", None),), "logseries(b, p)",
                  (("not (p >= 0 and p < 1)", "p < 0, p >= 1 or p is NaN"),), "i8"),
    "zipf": ((("a", None),), "zipf(b, a)", (("not a > 1", "a <= 1 or a is NaN"),), "i8"),
}


@lru_cache(None)
def _draw_impl(name, given, with_size):
    params, draw, check, dtype = _DRAWS[name]
    args = ["g", *given] + (["size"] if with_size else [])
    lines = [f"def impl({', '.join(args)}):", "    b = g.bitgen"]
    for p, default in params:
        if p not in given:
            lines.append(f"    {p} = {default!r}")
    for cond, message in ((check, check),) if isinstance(check, str) else check:
        if cond:
            lines += [f"    if {cond}:", f"        raise ValueError('{message}')"]
    if with_size:
        lines += [f"    out = np.empty(size, np.{np.dtype(dtype).name})", "    flat = out.ravel()",
                  "    for i in range(flat.shape[0]):", f"        flat[i] = {draw}",
                  "    return out"]
    else:
        lines.append(f"    return {draw}")
    return _generate("impl", "\n".join(lines) + "\n", bitgen=bitgen, **_HELPERS)


def _size(size, fname):
    if absent(size):
        return False
    if size.is_number and size.dtype.kind in "iu" or size.kind == "tuple":
        return True
    unsupported(fname, f"size of type {size}")


def _float_dtype(dtype, fname):
    """'' for float64 (the default), '_f4' for float32."""
    if absent(dtype):
        return ""
    if dtype.kind == "class" and dtype.dtype in (np.float64, np.float32):
        return "" if dtype.dtype == np.float64 else "_f4"
    raise TypingError(f"{fname}(): dtype must be np.float64 or np.float32, not {dtype}")


def _draws(name, fname, size, dtype=None, **params):
    """The implementation of a continuous draw and the arguments it takes."""
    given = []
    for p, info in params.items():
        if absent(info):
            continue
        if not info.is_number or info.dtype.kind == "c":
            unsupported(fname, f"'{p.rstrip('_')}' of type {info} (real numbers are supported)")
        given.append(p)
    with_size = _size(size, fname)
    impl = _draw_impl(name + _float_dtype(dtype, fname), tuple(given), with_size)
    return impl, ("self", *[p.rstrip("_") for p in given]) + (("size",) if with_size else ())


def random(self, size=None, dtype=None):
    return _draws("random", "Generator.random", size, dtype)


def standard_normal(self, size=None, dtype=None):
    return _draws("standard_normal", "Generator.standard_normal", size, dtype)


def standard_exponential(self, size=None, dtype=None, method=None):
    fname = "Generator.standard_exponential"
    how = literal(method, f"{fname}(): method", "zig", ("zig", "inv"))
    name = "standard_exponential" + ("_inv" if how == "inv" else "")
    return _draws(name, fname, size, dtype)


def uniform(self, low=None, high=None, size=None):
    return _draws("uniform", "Generator.uniform", size, low=low, high=high)


def normal(self, loc=None, scale=None, size=None):
    return _draws("normal", "Generator.normal", size, loc=loc, scale=scale)


def exponential(self, scale=None, size=None):
    return _draws("exponential", "Generator.exponential", size, scale=scale)


def standard_gamma(self, shape, size=None, dtype=None):
    return _draws("standard_gamma", "Generator.standard_gamma", size, dtype, shape=shape)


def _distribution(name, params):
    """The selector of a distribution of _DRAWS: NumPy's parameters (those without a default
    required), then ``size``."""
    sig = []
    for p, default in params:
        sig.append(p.rstrip("_") if default is None else f"{p.rstrip('_')}=None")
    names = [p for p, _ in params]
    call = ", ".join(f"{p}={p.rstrip('_')}" for p in names)
    src = (f"def {name}(self, {', '.join(sig + ['size=None'])}):\n"
           f"    return _draws({name!r}, 'Generator.{name}', size, {call})\n")
    ns = {"_draws": _draws}
    exec(src, ns)  # noqa: S102 - a selector with NumPy's signature
    return ns[name]


_DISTRIBUTIONS = tuple(
    _distribution(name, _DRAWS[name][0])
    for name in ("standard_cauchy", "laplace", "logistic", "lognormal", "rayleigh", "pareto",
                 "power", "weibull", "wald", "triangular", "geometric", "gamma", "beta",
                 "chisquare", "f", "standard_t", "poisson", "negative_binomial",
                 "noncentral_chisquare", "noncentral_f", "logseries", "zipf"))


# ---- integers, choice -----------------------------------------------------------------------

# The dtypes whose draws follow NumPy's (8- and 16-bit ones share buffered 32-bit draws there).
_INT_DTYPES = (np.int64, np.int32, np.uint64, np.uint32)


@lru_cache(None)
def _integers_impl(dtype, has_high, with_size, has_endpoint):
    info = np.iinfo(dtype)
    name = np.dtype(dtype).name
    bounds = f"low < {int(info.min)} or top > {int(info.max)}"
    if info.max > np.iinfo(np.int64).max:  # uint64: high itself cannot exceed int64 here
        bounds = "low < 0"
    args = ["g", "low"] + (["high"] if has_high else []) + (["size"] if with_size else []) + (
        ["endpoint"] if has_endpoint else [])
    lines = [f"def impl({', '.join(args)}):", "    b = g.bitgen"]
    if not has_high:
        lines.append("    low, high = 0, low")
    if not has_endpoint:
        lines.append("    endpoint = False")
    lines += ["    top = high if endpoint else high - 1",
              "    if low > top:",
              "        if endpoint:",
              "            raise ValueError('low > high')",
              "        raise ValueError('low >= high')",
              f"    if {bounds}:",
              f"        raise ValueError('integers(): the bounds are out of range for {name}')",
              "    off = np.uint64(np.int64(low))",
              "    rng = np.uint64(np.int64(top)) - off"]
    if with_size:
        lines += [f"    out = np.empty(size, np.{name})", "    flat = out.ravel()",
                  "    for i in range(flat.shape[0]):",
                  f"        flat[i] = np.{name}(off + bounded(b, rng))",
                  "    return out"]
    else:
        lines.append(f"    return np.{name}(off + bounded(b, rng))")
    return _generate("impl", "\n".join(lines) + "\n", bounded=_bounded)


def integers(self, low, high=None, size=None, dtype=None, endpoint=None):
    fname = "Generator.integers"
    for what, info in (("low", low), ("high", high)):
        if not absent(info) and not (info.is_number and info.dtype.kind in "biu"):
            unsupported(fname, f"'{what}' of type {info} (integers are supported)")
    if absent(dtype):
        dt = np.int64
    elif dtype.kind == "class" and dtype.dtype.type in _INT_DTYPES:
        dt = dtype.dtype.type
    else:
        unsupported(fname, f"dtype {dtype} (int64, int32, uint64 and uint32 are supported)")
    has_high, has_endpoint = not absent(high), not absent(endpoint)
    with_size = _size(size, fname)
    impl = _integers_impl(dt, has_high, with_size, has_endpoint)
    return impl, ("self", "low") + (("high",) if has_high else ()) + (
        ("size",) if with_size else ()) + (("endpoint",) if has_endpoint else ())


@jit
def _choose(b, pop):
    return np.int64(_bounded(b, np.uint64(pop - 1)))


@jit
def _shuffle_int(b, n, first, data):
    """NumPy's _shuffle_int: data[first:n] shuffled with Lemire draws."""
    for i in range(n - 1, first - 1, -1):
        j = np.int64(_bounded(b, np.uint64(i)))
        t = data[i]
        data[i] = data[j]
        data[j] = t


@jit
def _sample(b, pop, flat):
    """flat filled with distinct indices below pop as NumPy's choice(replace=False) draws them:
    a partial shuffle of the tail when a large population is sampled heavily, otherwise
    Floyd's algorithm (an open-addressing set of the chosen) and a shuffle of the sample."""
    size = flat.shape[0]
    if size > pop:
        raise ValueError("Cannot take a larger sample than population when replace is False")
    if pop > 10000 and size > pop // 50:
        idx = np.arange(pop)
        _shuffle_int(b, pop, max(pop - size, 1), idx)
        for i in range(size):
            flat[i] = idx[pop - size + i]
        return
    mask = 1
    while mask < 1.2 * size:
        mask *= 2
    mask -= 1
    chosen = np.full(mask + 1, -1, np.int64)
    for j in range(pop - size, pop):
        val = np.int64(_bounded(b, np.uint64(j)))
        loc = val & mask
        while chosen[loc] != -1 and chosen[loc] != val:
            loc = (loc + 1) & mask
        if chosen[loc] == -1:
            chosen[loc] = val
        else:  # val was chosen before: j (never drawn yet) is chosen instead
            val = j
            loc = j & mask
            while chosen[loc] != -1:
                loc = (loc + 1) & mask
            chosen[loc] = j
        flat[j - pop + size] = val
    _shuffle_int(b, size, 1, flat)


@jit
def _choice_int(g, a, replace):
    if a <= 0:
        raise ValueError("a must be a positive integer unless no samples are taken")
    return _choose(g.bitgen, a)  # without replacement one draw is the same


@jit
def _choice_int_sized(g, a, size, replace):
    out = np.empty(size, np.int64)
    flat = out.ravel()
    if flat.shape[0] > 0 and a <= 0:
        raise ValueError("a must be a positive integer unless no samples are taken")
    if replace:
        for i in range(flat.shape[0]):
            flat[i] = _choose(g.bitgen, a)
    else:
        _sample(g.bitgen, a, flat)
    return out


@jit
def _choice_array(g, a, replace):
    if a.shape[0] == 0:
        raise ValueError("a cannot be empty unless no samples are taken")
    return a[_choose(g.bitgen, a.shape[0])]


@jit
def _choice_array_sized(g, a, size, replace):
    out = np.empty(size, a.dtype)
    flat = out.ravel()
    if flat.shape[0] > 0 and a.shape[0] == 0:
        raise ValueError("a cannot be empty unless no samples are taken")
    if replace:
        for i in range(flat.shape[0]):
            flat[i] = a[_choose(g.bitgen, a.shape[0])]
    else:
        idx = np.empty(flat.shape[0], np.int64)
        _sample(g.bitgen, a.shape[0], idx)
        for i in range(flat.shape[0]):
            flat[i] = a[idx[i]]
    return out


def choice(self, a, size=None, replace=None):
    fname = "Generator.choice"
    with_size = _size(size, fname)
    if not absent(replace) and not (replace.is_number and replace.dtype.kind == "b"):
        raise TypingError(f"{fname}(): replace must be a bool, not {replace}")
    if a.is_number and a.dtype.kind in "iu":
        impl = _choice_int_sized if with_size else _choice_int
    elif a.is_array and a.ndim == 1:
        impl = _choice_array_sized if with_size else _choice_array
    else:
        unsupported(fname, f"'a' of type {a} (an integer or a 1-d array is supported)")
    if absent(replace):
        params = "g, a, size" if with_size else "g, a"
        impl = _wrap(impl, params, params + ", True")
        return impl, ("self", "a") + (("size",) if with_size else ())
    return impl, ("self", "a") + (("size",) if with_size else ()) + ("replace",)


# ---- shuffle, permutation -------------------------------------------------------------------

@jit
def _shuffle_1d(b, x):
    for i in range(x.shape[0] - 1, 0, -1):
        j = np.int64(_interval(b, np.uint64(i)))
        t = x[i]
        x[i] = x[j]
        x[j] = t


@jit
def _shuffle_rows(b, x):
    for i in range(x.shape[0] - 1, 0, -1):
        j = np.int64(_interval(b, np.uint64(i)))
        if i != j:
            t = x[j].copy()
            x[j] = x[i]
            x[i] = t


@jit
def _shuffle_1d_of(g, x):
    _shuffle_1d(g.bitgen, x)


@jit
def _shuffle_rows_of(g, x):
    _shuffle_rows(g.bitgen, x)


def shuffle(self, x):
    if x is None or not x.is_array or x.ndim < 1:
        unsupported("Generator.shuffle", f"x of type {x} (arrays are supported)")
    if x.readonly:
        raise TypingError("Generator.shuffle(): the array is read-only")
    return (_shuffle_1d_of if x.ndim == 1 else _shuffle_rows_of), ("self", "x")


@jit
def _permutation_int(g, x):
    out = np.arange(x)
    _shuffle_1d(g.bitgen, out)
    return out


@jit
def _permutation_array(g, x):
    out = x.copy()
    _shuffle_1d(g.bitgen, out)
    return out


@jit
def _permutation_rows(g, x):
    out = x.copy()
    _shuffle_rows(g.bitgen, out)
    return out


def permutation(self, x):
    if x is not None and x.is_number and x.dtype.kind in "iu":
        return _permutation_int, ("self", "x")
    if x is not None and x.is_array and x.ndim >= 1:
        return (_permutation_array if x.ndim == 1 else _permutation_rows), ("self", "x")
    unsupported("Generator.permutation", f"x of type {x}")


# ---- the methods ----------------------------------------------------------------------------

class _Method:
    """A Generator method as the jitclass machinery sees one: its handle (``id(_impl)``) names
    the selector's Overload, which the compiler calls with the instance first."""

    def __init__(self, name, selector):
        def stub(*args, **kwargs):
            raise RuntimeError(f"Generator.{name}() runs only in compiled code")
        self.stub = stub  # the Overload's key: kept alive with it
        overload(stub, f"Generator.{name}")(selector)
        self._impl = _overloads[id(stub)]
        self.__name__ = name


_METHODS = (random, integers, uniform, standard_normal, normal, standard_exponential,
            exponential, choice, permutation, shuffle, standard_gamma, *_DISTRIBUTIONS)
for _selector in _METHODS:
    Generator.class_type.methods[_selector.__name__] = _Method(_selector.__name__, _selector)

"""The legacy np.random distributions ember's runtime does not draw itself, written over its
uniform and normal draws (np.random.random, np.random.standard_normal: one generator per thread,
seeded by np.random.seed in compiled code; the streams differ from NumPy's, as for the built-in
draws).  Each takes NumPy's parameters (with its defaults) and ``size`` (None for one number, an
int or a tuple for an array); logseries, zipf, vonmises and noncentral_chisquare follow NumPy's
legacy algorithms over ember's draws.  Also np.random.shuffle and np.random.permutation
(Fisher-Yates).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..decorators import jit
from . import absent, overload, unsupported
from .shapes import _generate

U = "np.random.random()"
E = "(-np.log(1.0 - np.random.random()))"
N = "np.random.standard_normal()"


@jit
def _laplace(loc, scale):
    u = np.random.random()
    if u < 0.5:
        return loc + scale * np.log(u + u)
    return loc - scale * np.log(2.0 - u - u)


@jit
def _triangular(left, mode, right):
    u = np.random.random()
    base = right - left
    left_base = mode - left
    ratio = left_base / base
    if u <= ratio:
        return left + np.sqrt(u * left_base * base)
    return right - np.sqrt((1.0 - u) * (right - mode) * base)


@jit
def _wald(mean, scale):
    y = np.random.standard_normal()
    y = mean * y * y
    x = mean + mean * y / (2.0 * scale) - mean / (2.0 * scale) * np.sqrt(4.0 * scale * y + y * y)
    if np.random.random() <= mean / (mean + x):
        return x
    return mean * mean / x


@jit
def _poisson(lam):
    limit = np.exp(-lam)
    k = 0
    p = np.random.random()
    while p > limit:
        k += 1
        p *= np.random.random()
    return k


@jit
def _binomial(n, p):
    k = 0
    for _ in range(n):
        if np.random.random() < p:
            k += 1
    return k


@jit
def _geometric(p):
    if p == 1.0:
        return 1
    return np.int64(np.ceil(np.log(1.0 - np.random.random()) / np.log(1.0 - p)))


@jit
def _standard_gamma(shape):
    """Marsaglia and Tsang's method (shape < 1 boosted by U ** (1 / shape))."""
    if shape == 0.0:
        return 0.0
    boost = 1.0
    if shape < 1.0:
        boost = np.random.random() ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        x = np.random.standard_normal()
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = np.random.random()
        if u < 1.0 - 0.0331 * x * x * x * x or np.log(u) < 0.5 * x * x + d * (1.0 - v + np.log(v)):
            return boost * d * v


@jit
def _logseries(p):
    """NumPy's algorithm (Kemp's second accelerated generator)."""
    r = np.log1p(-p)
    while True:
        v = np.random.random()
        if v >= p:
            return 1
        q = -np.expm1(r * np.random.random())
        if v <= q * q:
            k = np.floor(1.0 + np.log(v) / np.log(q))
            if k < 1.0 or v == 0.0:
                continue
            return np.int64(k)
        if v >= q:
            return 1
        return 2


@jit
def _zipf(a):
    """Rejection from the continuous Pareto bound (Devroye), as NumPy's legacy zipf."""
    am1 = a - 1.0
    b = 2.0 ** am1
    while True:
        u = 1.0 - np.random.random()
        v = np.random.random()
        x = np.floor(u ** (-1.0 / am1))
        if x > 9.2e18 or x < 1.0:
            continue
        t = (1.0 + 1.0 / x) ** am1
        if v * x * (t - 1.0) / (b - 1.0) <= t / b:
            return np.int64(x)


@jit
def _vonmises(mu, kappa):
    """Best and Fisher's rejection method, as NumPy's legacy vonmises; the result in
    [-pi, pi)."""
    if kappa < 1e-8:
        return np.pi * (2.0 * np.random.random() - 1.0)
    if kappa < 1e-5:
        s = 1.0 / kappa + kappa
    else:
        r = 1.0 + np.sqrt(1.0 + 4.0 * kappa * kappa)
        rho = (r - np.sqrt(2.0 * r)) / (2.0 * kappa)
        s = (1.0 + rho * rho) / (2.0 * rho)
    while True:
        z = np.cos(np.pi * np.random.random())
        w = (1.0 + s * z) / (s + z)
        y = kappa * (s - w)
        v = np.random.random()
        if y * (2.0 - y) - v >= 0.0 or np.log(y / v) + 1.0 - y >= 0.0:
            break
    result = np.arccos(w)
    if np.random.random() < 0.5:
        result = -result
    result += mu
    mod = np.fmod(np.abs(result) + np.pi, 2.0 * np.pi) - np.pi
    return -mod if result < 0 else mod


@jit
def _noncentral_chisquare(df, nonc):
    if nonc == 0.0:
        return 2.0 * _standard_gamma(df / 2.0)
    if df > 1.0:
        n = np.random.standard_normal() + np.sqrt(nonc)
        return 2.0 * _standard_gamma((df - 1.0) / 2.0) + n * n
    i = _poisson(nonc / 2.0)
    return 2.0 * _standard_gamma(df / 2.0 + i)


@jit
def _hypergeometric(ngood, nbad, nsample):
    """nsample draws without replacement from an urn of ngood good and nbad bad items."""
    good = ngood
    total = ngood + nbad
    k = 0
    for _ in range(nsample):
        if np.random.random() * total < good:
            k += 1
            good -= 1
        total -= 1
    return k


# name: ((parameter, default), ...), the scalar draw, the checks, the result dtype
_DISTRIBUTIONS = {
    "random_sample": ((), U, "", "f8"),
    "ranf": ((), U, "", "f8"),
    "sample": ((), U, "", "f8"),
    "standard_exponential": ((), E, "", "f8"),
    "standard_cauchy": ((), f"{N} / {N}", "", "f8"),
    "exponential": ((("scale", 1.0),), f"scale * {E}", "scale < 0", "f8"),
    "laplace": ((("loc", 0.0), ("scale", 1.0)), "laplace(loc, scale)", "scale < 0", "f8"),
    "logistic": ((("loc", 0.0), ("scale", 1.0)),
                 f"loc + scale * np.log(1.0 / (1.0 - {U}) - 1.0)", "scale < 0", "f8"),
    "gumbel": ((("loc", 0.0), ("scale", 1.0)), f"loc - scale * np.log({E})", "scale < 0",
               "f8"),
    "lognormal": ((("mean", 0.0), ("sigma", 1.0)), f"np.exp(mean + sigma * {N})",
                  "sigma < 0", "f8"),
    "rayleigh": ((("scale", 1.0),), f"scale * np.sqrt(2.0 * {E})", "scale < 0", "f8"),
    "weibull": ((("a", None),), f"{E} ** (1.0 / a) if a != 0 else 0.0", "a < 0", "f8"),
    "pareto": ((("a", None),), f"np.exp({E} / a) - 1.0", "a <= 0", "f8"),
    "power": ((("a", None),), f"(1.0 - np.exp(-{E})) ** (1.0 / a)", "a <= 0", "f8"),
    "triangular": ((("left", None), ("mode", None), ("right", None)),
                   "triangular(left, mode, right)",
                   "left > mode or mode > right or left == right", "f8"),
    "wald": ((("mean", None), ("scale", None)), "wald(mean, scale)",
             "mean <= 0 or scale <= 0", "f8"),
    "poisson": ((("lam", 1.0),), "poisson(lam)", "lam < 0 or lam > 700", "i8"),
    "binomial": ((("n", None), ("p", None)), "binomial(n, p)", "n < 0 or p < 0 or p > 1",
                 "i8"),
    "geometric": ((("p", None),), "geometric(p)", "p <= 0 or p > 1", "i8"),
    "standard_gamma": ((("shape", None),), "gamma(shape)", "shape < 0", "f8"),
    "gamma": ((("shape", None), ("scale", 1.0)), "scale * gamma(shape)",
              "shape < 0 or scale < 0", "f8"),
    "chisquare": ((("df", None),), "2.0 * gamma(df / 2.0)", "df <= 0", "f8"),
    "beta": ((("a", None), ("b", None)), "beta(a, b)", "a <= 0 or b <= 0", "f8"),
    "f": ((("dfnum", None), ("dfden", None)),
          "(gamma(dfnum / 2.0) / dfnum) / (gamma(dfden / 2.0) / dfden)",
          "dfnum <= 0 or dfden <= 0", "f8"),
    "standard_t": ((("df", None),), f"{N} / np.sqrt(2.0 * gamma(df / 2.0) / df)", "df <= 0",
                   "f8"),
    "negative_binomial": ((("n", None), ("p", None)),
                          "poisson(gamma(n) * (1.0 - p) / p)", "n <= 0 or p <= 0 or p > 1",
                          "i8"),
    "logseries": ((("p", None),), "logseries(p)", "p < 0 or p >= 1 or p != p", "i8"),
    "zipf": ((("a", None),), "zipf(a)", "not a > 1", "i8"),
    "vonmises": ((("mu", None), ("kappa", None)), "vonmises(mu, kappa)", "kappa < 0", "f8"),
    "noncentral_chisquare": ((("df", None), ("nonc", None)), "noncentral_chisquare(df, nonc)",
                             "df <= 0 or nonc < 0 or nonc > 1400", "f8"),
    "hypergeometric": ((("ngood", None), ("nbad", None), ("nsample", None)),
                       "hypergeometric(ngood, nbad, nsample)",
                       "ngood < 0 or nbad < 0 or nsample < 1 or nsample > ngood + nbad", "i8"),
}
@jit
def _beta(a, b):
    x = _standard_gamma(a)
    return x / (x + _standard_gamma(b))


_HELPERS = {"laplace": _laplace, "triangular": _triangular, "wald": _wald, "poisson": _poisson,
            "binomial": _binomial, "geometric": _geometric, "gamma": _standard_gamma,
            "beta": _beta, "logseries": _logseries, "zipf": _zipf, "vonmises": _vonmises,
            "noncentral_chisquare": _noncentral_chisquare, "hypergeometric": _hypergeometric}


@lru_cache(None)
def _draw_impl(name, given, with_size):
    params, draw, check, dtype = _DISTRIBUTIONS[name]
    args = [p for p, _ in params if p in given] + (["size"] if with_size else [])
    lines = [f"def impl({', '.join(args)}):"]
    for p, default in params:
        if p not in given:
            lines.append(f"    {p} = {default!r}")
    if check:
        lines += [f"    if {check}:",
                  f"        raise ValueError('np.random.{name}(): invalid parameter ({check})')"]
    if with_size:
        lines += [f"    out = np.empty(size, np.{np.dtype(dtype).name})", "    flat = out.ravel()",
                  "    for i in range(flat.shape[0]):", f"        flat[i] = {draw}",
                  "    return out"]
    else:
        lines.append(f"    return {draw}")
    return _generate("impl", "\n".join(lines) + "\n", **_HELPERS)


def _register(name):
    params = _DISTRIBUTIONS[name][0]
    fname = f"np.random.{name}"

    def select(*args, **kwargs):
        names = [p for p, _ in params] + ["size"]
        if len(args) > len(names):
            unsupported(fname, f"{len(args)} arguments")
        bound = dict(zip(names, args))
        bound.update(kwargs)
        for k in bound:
            if k not in names:
                unsupported(fname, f"the argument '{k}'")
        given = tuple(p for p, _ in params if not absent(bound.get(p)))
        for p, default in params:
            if default is None and p not in given:
                unsupported(fname, f"a call without '{p}'")
            if p in given and not bound[p].is_number:
                unsupported(fname, f"'{p}' of type {bound[p]} (numbers are supported)")
        size = bound.get("size")
        with_size = not absent(size)
        if with_size and not (size.is_number or size.kind == "tuple"):
            unsupported(fname, f"size of type {size}")
        return _draw_impl(name, given, with_size), given + (("size",) if with_size else ())

    overload(getattr(np.random, name), fname)(_selector_with_signature(select, params))


def _selector_with_signature(select, params):
    """Overload binds arguments by the selector's signature: give it NumPy's parameters."""
    names = [p for p, _ in params] + ["size"]
    src = (f"def selector({', '.join(n + '=None' for n in names)}):\n"
           f"    return select({', '.join(f'{n}={n}' for n in names)})\n")
    scope = {"select": select}
    exec(src, scope)
    return scope["selector"]


for _name in _DISTRIBUTIONS:
    _register(_name)


@jit
def _shuffle(x):
    for i in range(x.shape[0] - 1, 0, -1):
        j = np.random.randint(0, i + 1)
        t = x[i]
        x[i] = x[j]
        x[j] = t


@jit
def _shuffle_rows(x):
    for i in range(x.shape[0] - 1, 0, -1):
        j = np.random.randint(0, i + 1)
        t = x[i].copy()
        x[i] = x[j]
        x[j] = t


@overload(np.random.shuffle, "np.random.shuffle")
def shuffle(x):
    if x is None or not x.is_array or x.ndim < 1:
        unsupported("np.random.shuffle", f"x of type {x}")
    return (_shuffle if x.ndim == 1 else _shuffle_rows), ("x",)


@jit
def _permutation_of_int(x):
    out = np.arange(x)
    _shuffle(out)
    return out


@jit
def _permutation_of_array(x):
    out = x.copy()
    _shuffle(out)
    return out


@jit
def _permutation_of_rows(x):
    out = x.copy()
    _shuffle_rows(out)
    return out


@overload(np.random.permutation, "np.random.permutation")
def permutation(x):
    if x is not None and x.is_number and x.dtype.kind in "iu":
        return _permutation_of_int, ("x",)
    if x is not None and x.is_array and x.ndim >= 1:
        return (_permutation_of_array if x.ndim == 1 else _permutation_of_rows), ("x",)
    unsupported("np.random.permutation", f"x of type {x}")

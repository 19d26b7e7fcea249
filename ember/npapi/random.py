"""The legacy np.random distributions ember's runtime does not draw itself, written over its
uniform and normal draws (np.random.random, np.random.standard_normal: one generator per thread,
seeded by np.random.seed in compiled code; the streams differ from NumPy's, as for the built-in
draws).  Each takes NumPy's parameters (with its defaults) and ``size`` (None for one number, an
int or a tuple for an array).  Also np.random.shuffle and np.random.permutation (Fisher-Yates).
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
}
@jit
def _beta(a, b):
    x = _standard_gamma(a)
    return x / (x + _standard_gamma(b))


_HELPERS = {"laplace": _laplace, "triangular": _triangular, "wald": _wald, "poisson": _poisson,
            "binomial": _binomial, "geometric": _geometric, "gamma": _standard_gamma,
            "beta": _beta}


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

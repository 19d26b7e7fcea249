"""Smaller NumPy functions, each a few lines of compiled Python: count_nonzero, flip, fliplr,
flipud, atleast_1d/2d, tri, tril, triu, ptp, average, the NaN-ignoring reductions (nansum,
nanprod, nanmin, nanmax, nanmean, nanvar, nanstd, nancumsum, nancumprod), isclose, allclose,
array_equal, isposinf, isneginf, iscomplexobj, isrealobj, append, ediff1d, extract, trapezoid,
sinc, logspace, geomspace, vander, the window functions (bartlett, blackman, hamming, hanning),
nan_to_num, asfortranarray, fill_diagonal, take, repeat, intersect1d, union1d, setdiff1d,
setxor1d, isin, correlate, cross (3-vectors), cov, corrcoef, sort-based partition and
argpartition.  Whole-array forms only where NumPy also takes an axis (an UnsupportedError names
the argument otherwise).
"""
from __future__ import annotations

import functools

import numpy as np

from . import TypingError, absent, overload, unsupported
from .shapes import _generate, _wrap


def _need_array(info, fname, what="a"):
    if info is None or not info.is_array:
        unsupported(fname, f"'{what}' of type {info}")


def _no(fname, **given):
    for name, info in given.items():
        if not absent(info):
            unsupported(fname, f"{name}=")


def _simple(fname, params, body, passed=None, **env):
    """A jitted function from a one-expression (or short) body."""
    src = f"def impl({params}):\n" + "".join(f"    {line}\n" for line in body.split("\n"))
    return _generate("impl", src, **env)


_cache = functools.lru_cache(None)


@_cache
def _gen(params, body, **env):
    return _simple("", params, body, **env)


def _env(**kw):
    return tuple(sorted(kw.items()))


@_cache
def _gen_env(params, body, env):
    return _simple("", params, body, **dict(env))


# ---- counting, flipping, shapes -------------------------------------------------------------

@overload(np.count_nonzero)
def count_nonzero(a, axis=None, keepdims=None):
    _need_array(a, "np.count_nonzero")
    _no("np.count_nonzero", axis=axis, keepdims=keepdims)
    return _gen("a", "return np.int64(np.sum(a != 0))"), ("a",)


@overload(np.flip)
def flip(m, axis=None):
    _need_array(m, "np.flip", "m")
    _no("np.flip", axis=axis)
    index = ", ".join(["::-1"] * m.ndim)
    return _gen("m", f"return m[{index}]"), ("m",)


@overload(np.flipud)
def flipud(m):
    _need_array(m, "np.flipud", "m")
    if m.ndim < 1:
        raise TypingError("np.flipud(): the input must be >= 1-d")
    return _gen("m", "return m[::-1]"), ("m",)


@overload(np.fliplr)
def fliplr(m):
    _need_array(m, "np.fliplr", "m")
    if m.ndim < 2:
        raise TypingError("np.fliplr(): the input must be >= 2-d")
    return _gen("m", "return m[:, ::-1]"), ("m",)


@overload(np.atleast_1d)
def atleast_1d(a):
    if a is not None and a.is_array and a.ndim >= 1:
        return _gen("a", "return a"), ("a",)
    if a is not None and a.is_number:
        return _gen_env("a", "out = np.empty(1, dt)\nout[0] = a\nreturn out",
                        _env(dt=a.dtype.type)), ("a",)
    unsupported("np.atleast_1d", f"an argument of type {a}")


@overload(np.atleast_2d)
def atleast_2d(a):
    if a is not None and a.is_array and a.ndim >= 2:
        return _gen("a", "return a"), ("a",)
    if a is not None and a.is_array and a.ndim == 1:
        return _gen("a", "return a.reshape((1, a.shape[0]))"), ("a",)
    if a is not None and a.is_number:
        return _gen_env("a", "out = np.empty((1, 1), dt)\nout[0, 0] = a\nreturn out",
                        _env(dt=a.dtype.type)), ("a",)
    unsupported("np.atleast_2d", f"an argument of type {a}")


# ---- triangles ------------------------------------------------------------------------------

@overload(np.tri)
def tri(N, M=None, k=None, dtype=None):
    dt = np.float64 if absent(dtype) else dtype.dtype.type
    body = ("out = np.zeros((N, M), dt)\nfor i in range(N):\n"
            "    for j in range(min(M, max(i + k + 1, 0))):\n        out[i, j] = 1\nreturn out")
    impl = _gen_env("N, M, k", body, _env(dt=dt))
    m = "N" if absent(M) else "M"
    kk = "0" if absent(k) else "k"
    names = ["N"] + ([] if absent(M) else ["M"]) + ([] if absent(k) else ["k"])
    return _wrap(impl, ", ".join(names), f"N, {m}, {kk}"), tuple(names)


def _triangle(fname, lower):
    def select(m, k=None):
        _need_array(m, fname, "m")
        if m.ndim != 2:
            unsupported(fname, f"a {m.ndim}-d array")
        keep = "j <= i + k" if lower else "j >= i + k"
        body = ("out = np.zeros(m.shape, dt)\nfor i in range(m.shape[0]):\n"
                f"    for j in range(m.shape[1]):\n        if {keep}:\n"
                "            out[i, j] = m[i, j]\nreturn out")
        impl = _gen_env("m, k", body, _env(dt=m.dtype.type))
        if absent(k):
            return _wrap(impl, "m", "m, 0"), ("m",)
        return impl, ("m", "k")
    return select


overload(np.tril)(_triangle("np.tril", True))
overload(np.triu)(_triangle("np.triu", False))


# ---- reductions -----------------------------------------------------------------------------

@overload(np.ptp)
def ptp(a, axis=None, out=None, keepdims=None):
    _need_array(a, "np.ptp")
    _no("np.ptp", axis=axis, out=out, keepdims=keepdims)
    return _gen("a", "return a.max() - a.min()"), ("a",)


@overload(np.average)
def average(a, axis=None, weights=None, returned=None, keepdims=None):
    _need_array(a, "np.average")
    _no("np.average", axis=axis, returned=returned, keepdims=keepdims)
    if absent(weights):
        return _gen("a", "return a.mean()"), ("a",)
    body = ("if w.shape != a.shape:\n"
            "    raise TypeError('Axis must be specified when shapes of a and weights differ.')\n"
            "s = w.sum()\nif s == 0:\n"
            "    raise ZeroDivisionError('Weights sum to zero, can\\'t be normalized')\n"
            "return (a * w).sum() / s")
    return _gen("a, w", body), ("a", "weights")


def _nan_reduction(name, body):
    fname = f"np.{name}"

    def select(a, axis=None, dtype=None, out=None, keepdims=None, ddof=None, initial=None,
               where=None):
        _need_array(a, fname)
        _no(fname, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial,
            where=where)
        if a.dtype.kind == "c":
            unsupported(fname, "complex arrays")
        params = "a" if absent(ddof) else "a, ddof"
        code = body if not absent(ddof) else body.replace("ddof", "0")
        is_float = a.dtype.kind == "f"
        return _gen_env(params, code, _env(is_float=is_float)), tuple(params.split(", "))
    overload(getattr(np, name))(select)


_KEEP = "flat = a.ravel()\nkeep = flat[flat == flat]\n"
_nan_reduction("nansum", _KEEP + "return keep.sum()")
_nan_reduction("nanprod", _KEEP + "return keep.prod()")
_nan_reduction("nanmean", _KEEP + "return keep.mean() if keep.shape[0] else np.nan")
_nan_reduction("nanmin", _KEEP + "if keep.shape[0] == 0 and flat.shape[0] == 0:\n"
               "    raise ValueError('zero-size array to reduction operation fmin')\n"
               "return keep.min() if keep.shape[0] else flat[0]")
_nan_reduction("nanmax", _KEEP + "if keep.shape[0] == 0 and flat.shape[0] == 0:\n"
               "    raise ValueError('zero-size array to reduction operation fmax')\n"
               "return keep.max() if keep.shape[0] else flat[0]")
_nan_reduction("nanvar", _KEEP + "n = keep.shape[0]\nif n - ddof <= 0:\n    return np.nan\n"
               "d = keep - keep.mean()\nreturn (d * d).sum() / (n - ddof)")
_nan_reduction("nanstd", _KEEP + "n = keep.shape[0]\nif n - ddof <= 0:\n    return np.nan\n"
               "d = keep - keep.mean()\nreturn np.sqrt((d * d).sum() / (n - ddof))")


@overload(np.nancumsum)
def nancumsum(a, axis=None, dtype=None, out=None):
    _need_array(a, "np.nancumsum")
    _no("np.nancumsum", axis=axis, dtype=dtype, out=out)
    return _gen("a", "flat = a.ravel()\nreturn np.cumsum(np.where(flat == flat, flat, 0))"), \
        ("a",)


@overload(np.nancumprod)
def nancumprod(a, axis=None, dtype=None, out=None):
    _need_array(a, "np.nancumprod")
    _no("np.nancumprod", axis=axis, dtype=dtype, out=out)
    return _gen("a", "flat = a.ravel()\nreturn np.cumprod(np.where(flat == flat, flat, 1))"), \
        ("a",)


# ---- comparisons ----------------------------------------------------------------------------

_ISCLOSE = ("ok = np.abs(a - b) <= atol + rtol * np.abs(b)\n"
            "same = a == b\n"
            "nan = (a != a) & (b != b)\n")


@overload(np.isclose)
def isclose(a, b, rtol=None, atol=None, equal_nan=None):
    params = ["a", "b"] + [n for n, i in (("rtol", rtol), ("atol", atol),
                                          ("equal_nan", equal_nan)) if not absent(i)]
    body = (_ISCLOSE + "return (ok & (a == a) & (b == b) & (np.abs(b) != np.inf)) | same"
            " | (nan & equal_nan)")
    impl = _gen("a, b, rtol, atol, equal_nan", body)
    call = "a, b, " + ", ".join(n if n in params else d for n, d in
                                (("rtol", "1e-05"), ("atol", "1e-08"), ("equal_nan", "False")))
    return _wrap(impl, ", ".join(params), call), tuple(params)


@overload(np.allclose)
def allclose(a, b, rtol=None, atol=None, equal_nan=None):
    impl, params = isclose(a, b, rtol, atol, equal_nan)
    return _all_of(impl, params), params


@_cache
def _all_of(impl, params):
    p = ", ".join(params)
    return _generate("impl", f"def impl({p}):\n    return bool(np.all(f({p})))\n", f=impl)


@overload(np.array_equal)
def array_equal(a1, a2, equal_nan=None):
    _need_array(a1, "np.array_equal", "a1")
    _need_array(a2, "np.array_equal", "a2")
    _no("np.array_equal", equal_nan=equal_nan)
    if a1.ndim != a2.ndim:
        return _gen("a1, a2", "return False"), ("a1", "a2")
    return _gen("a1, a2", "if a1.shape != a2.shape:\n    return False\n"
                "return bool(np.all(a1 == a2))"), ("a1", "a2")


@overload(np.isposinf)
def isposinf(x, out=None):
    return _gen("x", "return x == np.inf"), ("x",)


@overload(np.isneginf)
def isneginf(x, out=None):
    return _gen("x", "return x == -np.inf"), ("x",)


@overload(np.iscomplexobj)
def iscomplexobj(x):
    answer = x is not None and x.dtype is not None and x.dtype.kind == "c"
    return _gen("x", f"return {answer}"), ("x",)


@overload(np.isrealobj)
def isrealobj(x):
    answer = not (x is not None and x.dtype is not None and x.dtype.kind == "c")
    return _gen("x", f"return {answer}"), ("x",)


# ---- building -------------------------------------------------------------------------------

@overload(np.append)
def append(arr, values, axis=None):
    _no("np.append", axis=axis)
    _need_array(arr, "np.append", "arr")
    dt = np.result_type(arr.dtype, values.dtype)
    if values.is_array:
        body = ("x = arr.ravel()\ny = values.ravel()\nout = np.empty(x.shape[0] + y.shape[0], dt)"
                "\nout[:x.shape[0]] = x\nout[x.shape[0]:] = y\nreturn out")
    else:
        body = ("x = arr.ravel()\nout = np.empty(x.shape[0] + 1, dt)\nout[:x.shape[0]] = x\n"
                "out[x.shape[0]] = values\nreturn out")
    return _gen_env("arr, values", body, _env(dt=dt.type)), ("arr", "values")


@overload(np.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    _need_array(ary, "np.ediff1d", "ary")
    _no("np.ediff1d", to_end=to_end, to_begin=to_begin)
    return _gen("ary", "x = ary.ravel()\nreturn x[1:] - x[:-1]"), ("ary",)


@overload(np.extract)
def extract(condition, arr):
    _need_array(arr, "np.extract", "arr")
    return _gen("condition, arr", "return arr.ravel()[condition.ravel() != 0]"), \
        ("condition", "arr")


@overload(np.trapezoid)
def trapezoid(y, x=None, dx=None, axis=None):
    _need_array(y, "np.trapezoid", "y")
    _no("np.trapezoid", axis=axis)
    if y.ndim != 1:
        unsupported("np.trapezoid", "arrays of more than one dimension")
    if not absent(x):
        body = "d = x[1:] - x[:-1]\nreturn (d * (y[1:] + y[:-1]) / 2.0).sum()"
        return _gen("y, x", body), ("y", "x")
    body = "return (dx * (y[1:] + y[:-1]) / 2.0).sum()"
    if absent(dx):
        return _wrap(_gen("y, dx", body), "y", "y, 1.0"), ("y",)
    return _gen("y, dx", body), ("y", "dx")


@overload(np.sinc)
def sinc(x):
    body = "y = np.pi * np.where(x == 0, 1.0e-20, x)\nreturn np.sin(y) / y"
    return _gen("x", body), ("x",)


@overload(np.logspace)
def logspace(start, stop, num=None, endpoint=None, base=None, dtype=None, axis=None):
    _no("np.logspace", endpoint=endpoint, dtype=dtype, axis=axis)
    names = ["start", "stop"] + [n for n, i in (("num", num), ("base", base)) if not absent(i)]
    impl = _gen("start, stop, num, base", "return base ** np.linspace(start, stop, num)")
    call = "start, stop, " + ("num" if "num" in names else "50") + ", " + \
        ("base" if "base" in names else "10.0")
    return _wrap(impl, ", ".join(names), call), tuple(names)


@overload(np.geomspace)
def geomspace(start, stop, num=None, endpoint=None, dtype=None, axis=None):
    _no("np.geomspace", endpoint=endpoint, dtype=dtype, axis=axis)
    body = ("if start == 0 or stop == 0:\n"
            "    raise ValueError('Geometric sequence cannot include zero')\n"
            "sign = 1.0\nif start < 0 and stop < 0:\n    sign = -1.0\n"
            "out = sign * 10.0 ** np.linspace(np.log10(sign * start), np.log10(sign * stop), "
            "num)\nif num > 0:\n    out[0] = start\nif num > 1:\n    out[num - 1] = stop\n"
            "return out")
    impl = _gen("start, stop, num", body)
    if absent(num):
        return _wrap(impl, "start, stop", "start, stop, 50"), ("start", "stop")
    return impl, ("start", "stop", "num")


@overload(np.vander)
def vander(x, N=None, increasing=None):
    _need_array(x, "np.vander", "x")
    body = ("n = x.shape[0]\nm = n if N < 0 else N\nout = np.empty((n, m), dt)\n"
            "for i in range(n):\n    v = dt(1)\n    for j in range(m):\n"
            "        col = j if increasing else m - 1 - j\n        out[i, col] = v\n"
            "        v = v * x[i]\nreturn out")
    impl = _gen_env("x, N, increasing", body, _env(dt=x.dtype.type))
    names = ["x"] + [n for n, i in (("N", N), ("increasing", increasing)) if not absent(i)]
    call = "x, " + ("N" if "N" in names else "-1") + ", " + \
        ("increasing" if "increasing" in names else "False")
    return _wrap(impl, ", ".join(names), call), tuple(names)


_WINDOWS = {
    "bartlett": "1.0 - np.abs(2.0 * k / (M - 1) - 1.0)",
    "hanning": "0.5 - 0.5 * np.cos(2.0 * np.pi * k / (M - 1))",
    "hamming": "0.54 - 0.46 * np.cos(2.0 * np.pi * k / (M - 1))",
    "blackman": "0.42 - 0.5 * np.cos(2.0 * np.pi * k / (M - 1)) + "
                "0.08 * np.cos(4.0 * np.pi * k / (M - 1))",
}


def _window(name):
    body = ("if M < 1:\n    return np.empty(0)\nif M == 1:\n    return np.ones(1)\n"
            f"k = np.arange(0, M).astype(np.float64)\nreturn {_WINDOWS[name]}")

    def select(M):
        return _gen("M", body), ("M",)
    overload(getattr(np, name))(select)


for _name in _WINDOWS:
    _window(_name)


@overload(np.nan_to_num)
def nan_to_num(x, copy=None, nan=None, posinf=None, neginf=None):
    _no("np.nan_to_num", posinf=posinf, neginf=neginf)
    if x is None or not (x.is_array or x.is_number) or x.dtype.kind == "c":
        unsupported("np.nan_to_num", f"x of type {x}")
    if x.dtype.kind != "f":
        return _gen("x", "return x.copy()" if x.is_array else "return x"), ("x",)
    big = float(np.finfo(x.dtype).max)
    body = (f"y = np.where(x != x, nan, x)\ny = np.where(y == np.inf, {big!r}, y)\n"
            f"return np.where(y == -np.inf, {-big!r}, y)")
    if not x.is_array:
        body = (f"if x != x:\n    return nan\nif x == np.inf:\n    return {big!r}\n"
                f"if x == -np.inf:\n    return {-big!r}\nreturn x")
    impl = _gen("x, nan", body)
    if absent(nan):
        return _wrap(impl, "x", "x, 0.0"), ("x",)
    return impl, ("x", "nan")


@overload(np.asfortranarray)
def asfortranarray(a, dtype=None):
    _need_array(a, "np.asfortranarray")
    _no("np.asfortranarray", dtype=dtype)
    if a.ndim != 2:
        unsupported("np.asfortranarray", f"a {a.ndim}-d array")
    return _gen("a", "return a.T.copy().T"), ("a",)


@overload(np.fill_diagonal)
def fill_diagonal(a, val, wrap=None):
    _need_array(a, "np.fill_diagonal")
    _no("np.fill_diagonal", wrap=wrap)
    if a.ndim != 2:
        unsupported("np.fill_diagonal", f"a {a.ndim}-d array")
    return _gen("a, val", "for i in range(min(a.shape[0], a.shape[1])):\n    a[i, i] = val"), \
        ("a", "val")


@overload(np.take)
def take(a, indices, axis=None, out=None, mode=None):
    _need_array(a, "np.take")
    _no("np.take", axis=axis, out=out, mode=mode)
    if indices.is_array:
        return _gen("a, indices", "flat = a.ravel()\nn = flat.shape[0]\n"
                    "idx = indices.ravel()\nout = np.empty(idx.shape[0], dt)\n"
                    "for k in range(idx.shape[0]):\n    i = idx[k]\n"
                    "    if i < -n or i >= n:\n"
                    "        raise IndexError('index out of bounds for the array')\n"
                    "    out[k] = flat[i + n if i < 0 else i]\nreturn out.reshape(indices.shape)",
                    dt=a.dtype.type), ("a", "indices")
    return _gen("a, indices", "flat = a.ravel()\nn = flat.shape[0]\n"
                "if indices < -n or indices >= n:\n"
                "    raise IndexError('index out of bounds for the array')\n"
                "return flat[indices]"), ("a", "indices")


@overload(np.repeat)
def repeat(a, repeats, axis=None):
    _need_array(a, "np.repeat")
    _no("np.repeat", axis=axis)
    if not repeats.is_number:
        unsupported("np.repeat", "an array of repeats")
    body = ("if repeats < 0:\n    raise ValueError('negative dimensions are not allowed')\n"
            "flat = a.ravel()\nout = np.empty(flat.shape[0] * repeats, dt)\n"
            "for i in range(flat.shape[0]):\n    for r in range(repeats):\n"
            "        out[i * repeats + r] = flat[i]\nreturn out")
    return _gen_env("a, repeats", body, _env(dt=a.dtype.type)), ("a", "repeats")


# ---- set operations (sorted, unique results as NumPy's) -------------------------------------

def _set_op(name, body):
    fname = f"np.{name}"

    def select(ar1, ar2, assume_unique=None, return_indices=None):
        _need_array(ar1, fname, "ar1")
        _need_array(ar2, fname, "ar2")
        _no(fname, assume_unique=assume_unique, return_indices=return_indices)
        dt = np.result_type(ar1.dtype, ar2.dtype)
        return _gen_env("ar1, ar2", body, _env(dt=dt.type)), ("ar1", "ar2")
    overload(getattr(np, name))(select)


_BOTH = "a = np.unique(ar1).astype(dt)\nb = np.unique(ar2).astype(dt)\n"
_set_op("intersect1d", _BOTH + "keep = np.searchsorted(b, a)\nout = np.empty(a.shape[0], dt)\n"
        "n = 0\nfor i in range(a.shape[0]):\n"
        "    if keep[i] < b.shape[0] and b[keep[i]] == a[i]:\n        out[n] = a[i]\n"
        "        n += 1\nreturn out[:n].copy()")
_set_op("setdiff1d", _BOTH + "keep = np.searchsorted(b, a)\nout = np.empty(a.shape[0], dt)\n"
        "n = 0\nfor i in range(a.shape[0]):\n"
        "    if not (keep[i] < b.shape[0] and b[keep[i]] == a[i]):\n        out[n] = a[i]\n"
        "        n += 1\nreturn out[:n].copy()")
_set_op("union1d", "x = ar1.ravel()\ny = ar2.ravel()\n"
        "both = np.empty(x.shape[0] + y.shape[0], dt)\nboth[:x.shape[0]] = x\n"
        "both[x.shape[0]:] = y\nreturn np.unique(both)")
_set_op("setxor1d", _BOTH + "both = np.empty(a.shape[0] + b.shape[0], dt)\n"
        "both[:a.shape[0]] = a\nboth[a.shape[0]:] = b\ns = np.sort(both)\n"
        "out = np.empty(s.shape[0], dt)\nn = 0\nfor i in range(s.shape[0]):\n"
        "    if (i == 0 or s[i - 1] != s[i]) and (i == s.shape[0] - 1 or s[i + 1] != s[i]):\n"
        "        out[n] = s[i]\n        n += 1\nreturn out[:n].copy()")


@overload(np.isin)
def isin(element, test_elements, assume_unique=None, invert=None, kind=None):
    _need_array(element, "np.isin", "element")
    _need_array(test_elements, "np.isin", "test_elements")
    _no("np.isin", assume_unique=assume_unique, kind=kind)
    body = ("b = np.sort(test_elements.ravel())\nflat = element.ravel()\n"
            "out = np.empty(flat.shape[0], np.bool_)\nidx = np.searchsorted(b, flat)\n"
            "for i in range(flat.shape[0]):\n"
            "    out[i] = (idx[i] < b.shape[0] and b[idx[i]] == flat[i]) != invert\n"
            "return out.reshape(element.shape)")
    impl = _gen("element, test_elements, invert", body)
    if absent(invert):
        return _wrap(impl, "e, t", "e, t, False"), ("element", "test_elements")
    return impl, ("element", "test_elements", "invert")


# ---- correlate, cross, cov, corrcoef, partition ---------------------------------------------

@overload(np.correlate)
def correlate(a, v, mode=None):
    from .shapes import convolve
    _need_array(v, "np.correlate", "v")
    impl, _ = convolve(a, v, mode if not absent(mode) else None)
    if absent(mode):
        # np.correlate defaults to 'valid' where np.convolve defaults to 'full'.
        from .shapes import _convolve_impl
        impl = _convolve_impl(np.result_type(a.dtype, v.dtype), 2)
    return _wrap(impl, "a, v", "a, v[::-1]"), ("a", "v")


@overload(np.cross)
def cross(a, b, axisa=None, axisb=None, axisc=None, axis=None):
    _need_array(a, "np.cross")
    _need_array(b, "np.cross", "b")
    _no("np.cross", axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)
    if a.ndim != 1 or b.ndim != 1:
        unsupported("np.cross", "arrays of vectors")
    body = ("if a.shape[0] != 3 or b.shape[0] != 3:\n"
            "    raise ValueError('ember supports np.cross of two 3-vectors')\n"
            "out = np.empty(3, dt)\nout[0] = a[1] * b[2] - a[2] * b[1]\n"
            "out[1] = a[2] * b[0] - a[0] * b[2]\nout[2] = a[0] * b[1] - a[1] * b[0]\nreturn out")
    return _gen_env("a, b", body, _env(dt=np.result_type(a.dtype, b.dtype).type)), ("a", "b")


_COV = ("x = m if m.ndim == 2 else m.reshape((1, m.shape[0]))\n"
        "n = x.shape[1]\nc = np.empty((x.shape[0], x.shape[0]))\n"
        "mean = np.empty(x.shape[0])\nfor i in range(x.shape[0]):\n"
        "    mean[i] = x[i].sum() / n\nfor i in range(x.shape[0]):\n"
        "    for j in range(x.shape[0]):\n        s = 0.0\n        for k in range(n):\n"
        "            s += (x[i, k] - mean[i]) * (x[j, k] - mean[j])\n"
        "        c[i, j] = s / (n - 1)\n")


@overload(np.cov)
def cov(m, y=None, rowvar=None, bias=None, ddof=None, fweights=None, aweights=None,
        dtype=None):
    _need_array(m, "np.cov", "m")
    _no("np.cov", y=y, rowvar=rowvar, bias=bias, ddof=ddof, fweights=fweights,
        aweights=aweights, dtype=dtype)
    if m.ndim == 1:
        body = _COV.replace("m if m.ndim == 2 else ", "") + "return c[0, 0]"
    else:
        body = _COV.replace(" if m.ndim == 2 else m.reshape((1, m.shape[0]))", "") + "return c"
    return _gen("m", body), ("m",)


@overload(np.corrcoef)
def corrcoef(x, y=None, rowvar=None, dtype=None):
    _need_array(x, "np.corrcoef", "x")
    _no("np.corrcoef", y=y, rowvar=rowvar, dtype=dtype)
    if x.ndim != 2:
        unsupported("np.corrcoef", "a 1-d array")
    body = (_COV.replace("m if m.ndim == 2 else m.reshape((1, m.shape[0]))", "m") +
            "d = np.sqrt(np.diag(c))\nfor i in range(c.shape[0]):\n"
            "    for j in range(c.shape[0]):\n"
            "        c[i, j] = min(max(c[i, j] / d[i] / d[j], -1.0), 1.0)\nreturn c")
    return _wrap(_gen("m", body), "x", "x"), ("x",)


@overload(np.partition)
def partition(a, kth, axis=None, kind=None, order=None):
    _need_array(a, "np.partition")
    _no("np.partition", axis=axis, kind=kind, order=order)
    if a.ndim != 1:
        unsupported("np.partition", "arrays of more than one dimension")
    # A sorted array is a valid partition for every kth.
    return _gen("a, kth", "return np.sort(a)"), ("a", "kth")


@overload(np.argpartition)
def argpartition(a, kth, axis=None, kind=None, order=None):
    _need_array(a, "np.argpartition")
    _no("np.argpartition", axis=axis, kind=kind, order=order)
    if a.ndim != 1:
        unsupported("np.argpartition", "arrays of more than one dimension")
    return _gen("a, kth", "return np.argsort(a)"), ("a", "kth")

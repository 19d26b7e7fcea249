"""Order statistics over a whole array: median, percentile, quantile and their NaN-ignoring
forms, with NumPy's 'linear' method (its default): for a quantile q of n sorted values the
virtual index is (n - 1) * q, and the two neighbours are blended by NumPy's _lerp (from the
upper one when the weight is at least 0.5).  An array holding a NaN gives NaN, as NumPy.
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from . import TypingError, absent, overload, unsupported


@jit
def _sorted_flat(a):
    return np.sort(a.ravel())


@jit
def _lerp(lo, hi, t):
    d = hi - lo
    if t >= 0.5:
        return hi - d * (1.0 - t)
    return lo + d * t


@jit
def _quantile_sorted(s, n, q):
    """The 'linear' quantile q of the first n values of the sorted float64 array s."""
    if n == 0 or s[n - 1] != s[n - 1]:
        return np.nan
    v = (n - 1) * q
    prev = np.floor(v)
    gamma = v - prev
    if v >= n - 1:
        i = n - 1
        j = n - 1
    elif v < 0:
        i = 0
        j = 0
    else:
        i = np.int64(prev)
        j = i + 1
    return _lerp(s[i], s[j], gamma)


@functools.lru_cache(None)
def _quantile_impl(scale, scalar_q, out_dtype, skip_nan):
    dt = np.dtype(out_dtype).type
    message = "Percentiles must be in the range [0, 100]" if scale == 100.0 else \
        "Quantiles must be in the range [0, 1]"

    @jit
    def prepare(a):
        s = _sorted_flat(a).astype(np.float64)
        n = s.shape[0]
        if skip_nan:
            while n > 0 and s[n - 1] != s[n - 1]:
                n -= 1
        elif n == 0:
            raise ValueError("cannot compute a quantile of an empty array")
        return s, n

    if scalar_q:
        @jit
        def one(a, q):
            qq = np.float64(q) / scale
            if not (qq >= 0.0 and qq <= 1.0):
                raise ValueError(message)
            s, n = prepare(a)
            return dt(_quantile_sorted(s, n, qq))
        return one

    @jit
    def many(a, q):
        qf = q.ravel()
        for k in range(qf.shape[0]):
            qq = np.float64(qf[k]) / scale
            if not (qq >= 0.0 and qq <= 1.0):
                raise ValueError(message)
        s, n = prepare(a)
        out = np.empty(qf.shape[0], dt)
        for k in range(qf.shape[0]):
            out[k] = _quantile_sorted(s, n, np.float64(qf[k]) / scale)
        return out.reshape(q.shape)
    return many


def _quantile_selector(fname, scale, skip_nan):
    def select(a, q, axis=None, out=None, overwrite_input=None, method=None, keepdims=None,
               weights=None, interpolation=None):
        if a is None or not a.is_array:
            unsupported(fname, f"'a' of type {a}")
        if a.dtype.kind == "c":
            raise TypingError(f"{fname}(): a must be an array of real numbers")
        for name, info in (("axis", axis), ("out", out), ("method", method),
                           ("keepdims", keepdims), ("weights", weights)):
            if not absent(info) and not (name == "method" and info.value == "linear"):
                unsupported(fname, f"{name}=")
        if not (q.is_array or q.is_number):
            unsupported(fname, f"q of type {q}")
        # NumPy: float64 unless the data is a narrower float and q a Python scalar (weak).
        out_dtype = np.float64
        if a.dtype == np.float32 and not q.is_array:
            out_dtype = np.float32
        if q.is_array and q.dtype == np.float32 and a.dtype == np.float32:
            out_dtype = np.float32
        return _quantile_impl(scale, not q.is_array, out_dtype, skip_nan), ("a", "q")
    return select


overload(np.percentile)(_quantile_selector("np.percentile", 100.0, False))
overload(np.quantile)(_quantile_selector("np.quantile", 1.0, False))
overload(np.nanpercentile)(_quantile_selector("np.nanpercentile", 100.0, True))
overload(np.nanquantile)(_quantile_selector("np.nanquantile", 1.0, True))


@functools.lru_cache(None)
def _median_impl(out_dtype, skip_nan):
    # NumPy takes the mean of the two middle values: (lo + hi) / 2 in the result's dtype.
    dt = np.dtype(out_dtype).type

    @jit
    def median(a):
        s = _sorted_flat(a)
        n = s.shape[0]
        if skip_nan:
            while n > 0 and s[n - 1] != s[n - 1]:
                n -= 1
        if n == 0:
            return dt(np.nan)
        if s[n - 1] != s[n - 1]:
            return dt(s[n - 1])
        h = n // 2
        if n % 2 == 1:
            return dt(s[h])
        return (dt(s[h - 1]) + dt(s[h])) / dt(2)
    return median


def _median_selector(fname, skip_nan):
    def select(a, axis=None, out=None, overwrite_input=None, keepdims=None):
        if a is None or not a.is_array:
            unsupported(fname, f"'a' of type {a}")
        for name, info in (("axis", axis), ("out", out), ("keepdims", keepdims)):
            if not absent(info):
                unsupported(fname, f"{name}=")
        if a.dtype.kind == "c":
            unsupported(fname, "complex values")
        out_dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)
        return _median_impl(out_dtype, skip_nan), ("a",)
    return select


overload(np.median)(_median_selector("np.median", False))
overload(np.nanmedian)(_median_selector("np.nanmedian", True))

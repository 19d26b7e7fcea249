"""NumPy functions that search sorted data or count into bins: searchsorted, interp, digitize,
histogram, bincount.

Comparisons follow NumPy's sort order, where NaN is greater than every number, so searching
arrays with NaNs at their end gives NumPy's indices.
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from . import TypingError, absent, literal, overload, unsupported


@jit
def _less(x, y):
    """NumPy's sort order: NaN after everything."""
    return x < y or (y != y and x == x)


@jit
def _left_in(a, v, lo, hi):
    while lo < hi:
        mid = (lo + hi) >> 1
        if _less(a[mid], v):
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def _right_in(a, v, lo, hi):
    while lo < hi:
        mid = (lo + hi) >> 1
        if _less(v, a[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


@jit
def _search_left(a, v):
    return _left_in(a, v, 0, a.shape[0])


@jit
def _search_right(a, v):
    return _right_in(a, v, 0, a.shape[0])


@jit
def _narrow(last, key, lo, hi, n):
    """NumPy's search window for the next key: after a larger key the search starts where the
    last one ended, otherwise it ends there (sorted queries touch few elements)."""
    if _less(last, key):
        return lo, n
    return 0, hi + 1 if hi < n else n


@jit
def _gallop_right(a, key, start):
    """np.searchsorted(a, key, 'right') found from the hint `start` (the previous key's answer):
    steps of 1, 2, 4, ... away from it bound the answer, then a binary search in that window.
    A sorted stream of keys, as np.interp usually gets, costs a few comparisons per key (NumPy
    guesses from the last index too) instead of a search of the whole array."""
    n = a.shape[0]
    step = 1
    if start == 0 or not _less(key, a[start - 1]):  # the answer is start or beyond
        lo = start
        hi = start
        while hi < n and not _less(key, a[hi]):
            lo = hi + 1
            hi = lo + step
            step <<= 1
        return _right_in(a, key, lo, hi if hi < n else n)
    hi = start - 1
    lo = hi
    while lo > 0 and _less(key, a[lo - 1]):
        hi = lo - 1
        lo = hi - step if hi > step else 0
        step <<= 1
    return _right_in(a, key, lo, hi)


@functools.lru_cache(None)
def _searchsorted_impl(right, scalar):
    one = _search_right if right else _search_left
    if scalar:
        return one
    within = _right_in if right else _left_in

    @jit
    def many(a, v):
        flat = v.ravel()
        n = a.shape[0]
        out = np.empty(flat.shape[0], np.int64)
        lo, hi = 0, n
        for i in range(flat.shape[0]):
            key = flat[i]
            if i > 0:
                lo, hi = _narrow(flat[i - 1], key, lo, hi, n)
            lo = within(a, key, lo, hi)
            hi = lo
            out[i] = lo
        return out.reshape(v.shape)
    return many


@overload(np.searchsorted)
def searchsorted(a, v, side=None, sorter=None):
    if a is None or not a.is_array or a.ndim != 1:
        raise TypingError(f"np.searchsorted(): 'a' must be a 1-d array, not {a}")
    if not absent(sorter):
        unsupported("np.searchsorted", "sorter=")
    s = literal(side, "np.searchsorted(): side", "left", ("left", "right"))
    if not (v.is_array or v.is_number):
        unsupported("np.searchsorted", f"values of type {v}")
    return _searchsorted_impl(s == "right", not v.is_array), ("a", "v")


# ---- interp ---------------------------------------------------------------------------------

@jit
def _interp_at(x, j, xp, fp, left, right):
    """The value at x, where j + 1 = np.searchsorted(xp, x, 'right') (NumPy's formulas)."""
    n = xp.shape[0]
    if x != x:
        return x
    if j < 0:
        return left
    if j >= n - 1:
        return right if x > xp[n - 1] else np.float64(fp[n - 1])
    if xp[j] == x:
        return np.float64(fp[j])
    f0 = np.float64(fp[j])
    f1 = np.float64(fp[j + 1])
    x0 = np.float64(xp[j])
    x1 = np.float64(xp[j + 1])
    slope = (f1 - f0) / (x1 - x0)
    r = slope * (x - x0) + f0
    if r != r:
        r = slope * (x - x1) + f1
        if r != r and f0 == f1:
            r = f0
    return r


@jit
def _interp_one(x, xp, fp, left, right):
    return _interp_at(x, _search_right(xp, x) - 1, xp, fp, left, right)


@jit
def _interp_many(x, xp, fp, left, right):
    flat = x.ravel()
    out = np.empty(flat.shape[0], np.float64)
    r = 0
    for i in range(flat.shape[0]):
        key = np.float64(flat[i])
        r = _gallop_right(xp, key, r)
        out[i] = _interp_at(key, r - 1, xp, fp, left, right)
    return out.reshape(x.shape)


@jit
def _interp_check(xp, fp):
    if xp.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    if xp.shape[0] != fp.shape[0]:
        raise ValueError("fp and xp are not of the same length.")


@functools.lru_cache(None)
def _interp_impl(scalar, given_left, given_right):
    # NumPy computes in float64 whatever the inputs' dtypes.
    lines = ["def impl(x, xp, fp" + (", left" if given_left else "") +
             (", right" if given_right else "") + "):",
             "    check(xp, fp)",
             "    lo = np.float64(" + ("left" if given_left else "fp[0]") + ")",
             "    hi = np.float64(" + ("right" if given_right else "fp[fp.shape[0] - 1]") + ")"]
    if scalar:
        lines.append("    return one(np.float64(x), xp, fp, lo, hi)")
    else:
        lines.append("    return many(x, xp, fp, lo, hi)")
    from .shapes import _generate
    return _generate("impl", "\n".join(lines) + "\n", one=_interp_one, many=_interp_many,
                     check=_interp_check)


@overload(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    for name, info in (("xp", xp), ("fp", fp)):
        if info is None or not info.is_array or info.ndim != 1:
            raise TypingError(f"np.interp(): '{name}' must be a 1-d array, not {info}")
    if not absent(period):
        unsupported("np.interp", "period=")
    if fp.dtype.kind == "c" or xp.dtype.kind == "c":
        unsupported("np.interp", "complex values")
    if not (x.is_array or x.is_number):
        unsupported("np.interp", f"x of type {x}")
    names = ["x", "xp", "fp"] + (["left"] if not absent(left) else []) + \
        (["right"] if not absent(right) else [])
    return _interp_impl(not x.is_array, not absent(left), not absent(right)), tuple(names)


# ---- digitize -------------------------------------------------------------------------------

@jit
def _digitize_one(x, bins, right, increasing):
    n = bins.shape[0]
    if increasing:
        return _search_left(bins, x) if right else _search_right(bins, x)
    rev = bins[::-1]
    return n - (_search_left(rev, x) if right else _search_right(rev, x))


@jit
def _digitize_monotonic(bins):
    inc, dec = True, True
    for i in range(bins.shape[0] - 1):
        if bins[i + 1] < bins[i]:
            inc = False
        if bins[i + 1] > bins[i]:
            dec = False
    if not inc and not dec:
        raise ValueError("bins must be monotonically increasing or decreasing")
    return inc


@functools.lru_cache(None)
def _digitize_impl(scalar):
    if scalar:
        @jit
        def one(x, bins, right):
            return _digitize_one(x, bins, right, _digitize_monotonic(bins))
        return one

    @jit
    def many(x, bins, right):
        inc = _digitize_monotonic(bins)
        flat = x.ravel()
        out = np.empty(flat.shape[0], np.int64)
        for i in range(flat.shape[0]):
            out[i] = _digitize_one(flat[i], bins, right, inc)
        return out.reshape(x.shape)
    return many


@overload(np.digitize)
def digitize(x, bins, right=None):
    if bins is None or not bins.is_array or bins.ndim != 1:
        raise TypingError("np.digitize(): bins must be a 1-d array")
    impl = _digitize_impl(not x.is_array)
    if absent(right):
        from .shapes import _wrap
        return _wrap(impl, "x, bins", "x, bins, False"), ("x", "bins")
    return impl, ("x", "bins", "right")


# ---- histogram ------------------------------------------------------------------------------

@jit
def _hist_uniform(a, nbins, first, last):
    if nbins < 1:
        raise ValueError("`bins` must be positive, when an integer")
    if first > last:
        raise ValueError("max must be larger than min in range parameter.")
    if not (np.isfinite(first) and np.isfinite(last)):
        raise ValueError("supplied range is not finite")
    if first == last:
        first = first - 0.5
        last = last + 0.5
    edges = np.linspace(first, last, nbins + 1)
    counts = np.zeros(nbins, np.int64)
    flat = a.ravel()
    span = last - first
    for i in range(flat.shape[0]):
        x = np.float64(flat[i])
        if x >= first and x <= last:
            j = np.int64((x - first) / span * nbins)
            if j == nbins:
                j -= 1
            if x < edges[j]:
                j -= 1
            elif j != nbins - 1 and x >= edges[j + 1]:
                j += 1
            counts[j] += 1
    return counts, edges


@jit
def _hist_range_of(a):
    flat = a.ravel()
    if flat.shape[0] == 0:
        return 0.0, 1.0
    lo, hi = np.float64(flat.min()), np.float64(flat.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError("autodetected range is not finite")
    return lo, hi


@jit
def _hist_auto(a, nbins):
    lo, hi = _hist_range_of(a)
    return _hist_uniform(a, nbins, lo, hi)


@jit
def _hist_ranged(a, nbins, rng):
    return _hist_uniform(a, nbins, np.float64(rng[0]), np.float64(rng[1]))


@jit
def _hist_default(a):
    return _hist_auto(a, 10)


@jit
def _hist_default_ranged(a, rng):
    return _hist_ranged(a, 10, rng)


@jit
def _hist_edges(a, edges):
    n = edges.shape[0]
    for i in range(n - 1):
        if edges[i + 1] < edges[i]:
            raise ValueError("bins must increase monotonically, when an array")
    counts = np.zeros(max(n - 1, 0), np.int64)
    if n < 2:
        return counts, edges.copy()
    flat = a.ravel()
    for i in range(flat.shape[0]):
        x = flat[i]
        if x >= edges[0] and x <= edges[n - 1]:
            j = _search_right(edges, x) - 1
            if j >= n - 1:
                j = n - 2
            counts[j] += 1
    return counts, edges.copy()


@overload(np.histogram)
def histogram(a, bins=None, range=None, density=None, weights=None):
    if a is None or not a.is_array:
        unsupported("np.histogram", f"'a' of type {a}")
    if a.dtype.kind == "c":
        unsupported("np.histogram", "complex values")
    if not absent(weights) or not absent(density):
        unsupported("np.histogram", "weights= and density=")
    if absent(bins):
        return (_hist_default, ("a",)) if absent(range) else \
            (_hist_default_ranged, ("a", "range"))
    if bins.is_array:
        if not absent(range):
            unsupported("np.histogram", "range= with an array of bin edges")
        if bins.ndim != 1:
            raise TypingError("np.histogram(): bins must be 1d, when an array")
        return _hist_edges, ("a", "bins")
    if not bins.is_number or bins.dtype.kind not in "iu":
        unsupported("np.histogram", f"bins of type {bins}")
    if absent(range):
        return _hist_auto, ("a", "bins")
    if range.kind != "tuple" or len(range.elems) != 2:
        raise TypingError("np.histogram(): range must be a (min, max) tuple")
    return _hist_ranged, ("a", "bins", "range")


# ---- bincount -------------------------------------------------------------------------------

@jit
def _bincount_len(x, minlength):
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    n = minlength
    for i in range(x.shape[0]):
        if x[i] < 0:
            raise ValueError("'list' argument must have no negative elements")
        if x[i] + 1 > n:
            n = x[i] + 1
    return n


@jit
def _bincount(x, minlength):
    out = np.zeros(_bincount_len(x, minlength), np.int64)
    for i in range(x.shape[0]):
        out[x[i]] += 1
    return out


@jit
def _bincount_weighted(x, weights, minlength):
    if weights.shape[0] != x.shape[0]:
        raise ValueError("The weights and list don't have the same length.")
    out = np.zeros(_bincount_len(x, minlength), np.float64)
    for i in range(x.shape[0]):
        out[x[i]] += weights[i]
    return out


@overload(np.bincount)
def bincount(x, weights=None, minlength=None):
    if x is None or not x.is_array or x.ndim != 1 or x.dtype.kind not in "biu":
        raise TypingError(f"np.bincount(): x must be a 1-d array of integers, not {x}")
    from .shapes import _wrap
    if absent(weights):
        if absent(minlength):
            return _wrap(_bincount, "x", "x, 0"), ("x",)
        return _bincount, ("x", "minlength")
    if absent(minlength):
        return _wrap(_bincount_weighted, "x, w", "x, w, 0"), ("x", "weights")
    return _bincount_weighted, ("x", "weights", "minlength")

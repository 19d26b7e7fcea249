"""The rest of Numba's np.polynomial subset on 1-d coefficient arrays (lowest degree first):
np.polynomial.polynomial.polyint (with m, the order) and polydiv (quotient and remainder), and
np.polynomial.polyutils.trimseq and as_series (a 1-d or 2-d array, or a tuple of 1-d arrays,
to a list of 1-d float arrays, trimmed), with NumPy's results and errors (ZeroDivisionError
for a zero divisor, ValueError for a negative order or an empty series).  polyval, polyadd,
polysub and polymul are in mathfuncs.py.  np.roots follows Numba's: the companion matrix's
np.linalg.eigvals, so real coefficients give real roots (ValueError when they are complex).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..decorators import jit
from . import TypingError, absent, overload, unsupported
from .shapes import _generate

P = np.polynomial.polynomial
PU = np.polynomial.polyutils


@jit
def _trim(c):
    """c without its trailing zeros, keeping at least one coefficient (a view)."""
    n = c.shape[0]
    while n > 1 and c[n - 1] == 0:
        n -= 1
    return c[:n]


@jit
def _polydiv(c1, c2):
    a = _trim(c1.astype(np.float64)).copy()
    b = _trim(c2.astype(np.float64))
    if b[b.shape[0] - 1] == 0:
        raise ZeroDivisionError("polydiv: the divisor is zero")
    la, lb = a.shape[0], b.shape[0]
    if la < lb:
        return a[:1] * 0.0, a
    if lb == 1:
        return a / b[0], a[:1] * 0.0
    scl = b[lb - 1]
    lower = b[:lb - 1] / scl
    i, j = la - lb, la - 1
    while i >= 0:
        a[i:j] -= lower * a[j]
        i -= 1
        j -= 1
    return a[j + 1:] / scl, _trim(a[:j + 1])


@overload(P.polydiv, "np.polynomial.polynomial.polydiv")
def polydiv(c1, c2):
    for c in (c1, c2):
        if c is None or not c.is_array or c.ndim != 1 or c.dtype.kind not in "biuf":
            unsupported("np.polynomial.polynomial.polydiv", f"coefficients of type {c}")
    return _polydiv, ("c1", "c2")


@jit
def _polyint(c, m):
    if m < 0:
        raise ValueError("The order of integration must be non-negative")
    out = c.astype(np.float64)
    for _ in range(m):
        n = out.shape[0]
        if n == 1 and out[0] == 0:
            continue
        tmp = np.empty(n + 1, np.float64)
        tmp[0] = 0.0
        for j in range(n):
            tmp[j + 1] = out[j] / (j + 1)
        out = tmp
    return out


@jit
def _polyint_once(c):
    return _polyint(c, 1)


@overload(P.polyint, "np.polynomial.polynomial.polyint")
def polyint(c, m=None, k=None, lbnd=None, scl=None, axis=None):
    if c is None or not c.is_array or c.ndim != 1 or c.dtype.kind not in "biuf":
        unsupported("np.polynomial.polynomial.polyint", f"coefficients of type {c}")
    if not (absent(k) and absent(lbnd) and absent(scl) and absent(axis)):
        unsupported("np.polynomial.polynomial.polyint", "k=, lbnd=, scl= and axis=")
    if absent(m):
        return _polyint_once, ("c",)
    if not (m.is_number and m.dtype.kind in "iu"):
        raise TypingError(f"np.polynomial.polynomial.polyint(): m must be an int, not {m}")
    return _polyint, ("c", "m")


@overload(PU.trimseq, "np.polynomial.polyutils.trimseq")
def trimseq(seq):
    if seq is None or not seq.is_array or seq.ndim != 1:
        unsupported("np.polynomial.polyutils.trimseq", f"a sequence of type {seq}")
    return _trim, ("seq",)


@lru_cache(None)
def _as_series_impl(kind, arity):
    """kind: 'rows' (2-d array), 'items' (1-d array: one series per item), 'tuple'."""
    lines = ["def impl(alist):"]
    if kind == "tuple":
        items = [f"alist[{i}].astype(np.float64)" for i in range(arity)]
        lines.append(f"    out = [{', '.join(items)}]")
    elif kind == "rows":
        lines += ["    out = [alist[i].astype(np.float64) for i in range(alist.shape[0])]"]
    else:
        lines += ["    out = [np.full(1, np.float64(alist[i])) for i in range(alist.shape[0])]"]
    lines += ["    if len(out) == 0:",
              "        raise ValueError('Coefficient array is empty')",
              "    for s in out:",
              "        if s.shape[0] == 0:",
              "            raise ValueError('Coefficient array is empty')"]
    lines += ["    out = [trim(s).copy() for s in out]", "    return out"]
    return _generate("impl", "\n".join(lines) + "\n", trim=_trim)


@overload(PU.as_series, "np.polynomial.polyutils.as_series")
def as_series(alist, trim=None):
    # trim= would choose the result's computation by a run-time bool: only the default (trim)
    if not absent(trim):
        unsupported("np.polynomial.polyutils.as_series", "trim=")
    if alist is not None and alist.is_array and alist.ndim in (1, 2) and \
            alist.dtype.kind in "biuf":
        return _as_series_impl("rows" if alist.ndim == 2 else "items", 0), ("alist",)
    if alist is not None and alist.kind == "tuple" and alist.elems and all(
            e.is_array and e.ndim == 1 and e.dtype.kind in "biuf" for e in alist.elems):
        return _as_series_impl("tuple", len(alist.elems)), ("alist",)
    unsupported("np.polynomial.polyutils.as_series", f"an argument of type {alist}")


# ---- np.roots -------------------------------------------------------------------------------

@lru_cache(None)
def _roots_impl(dtype):
    dt = np.dtype(dtype).type

    @jit
    def roots(p):
        m = p.shape[0]
        first = 0
        while first < m and p[first] == 0:
            first += 1
        if first == m:
            return np.zeros(0, dt)
        last = m - 1
        while p[last] == 0:
            last -= 1
        c = p[first:last + 1].astype(dt)
        n = c.shape[0]
        tz = m - 1 - last
        if n > 1:
            # the companion matrix: -c[1:] / c[0] in the first row, ones below the diagonal
            comp = np.zeros((n - 1, n - 1), dt)
            for j in range(n - 1):
                comp[0, j] = -c[j + 1] / c[0]
            for i in range(1, n - 1):
                comp[i, i - 1] = 1
            vals = np.linalg.eigvals(comp)
        else:
            vals = np.zeros(0, dt)
        out = np.zeros(vals.shape[0] + tz, dt)
        out[:vals.shape[0]] = vals
        return out

    return roots


@jit
def _roots_not_1d(p):
    raise ValueError("Input must be a rank-1 array.")
    return np.zeros(0, np.float64)


@overload(np.roots)
def roots(p):
    if p is None or not p.is_array:
        unsupported("np.roots", f"'p' of type {p}")
    if p.ndim != 1:
        return _roots_not_1d, ("p",)
    dt = p.dtype if p.dtype.kind in "fc" else np.dtype(np.float64)
    return _roots_impl(dt), ("p",)

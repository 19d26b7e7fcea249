"""The legacy np.random draws of vectors: np.random.dirichlet(alpha, size) (independent gammas
normalised, as NumPy's legacy algorithm) and np.random.multinomial(n, pvals, size) (a binomial
per category of what is left, as NumPy's), over ember's generator (the streams differ from
NumPy's).  alpha and pvals are 1-d arrays; the result has shape size + (k,), or (k,).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..decorators import jit
from . import absent, overload, unsupported
from .random import _binomial, _standard_gamma
from .shapes import _generate


@jit
def _dirichlet_row(alpha, out):
    total = 0.0
    for j in range(alpha.shape[0]):
        g = _standard_gamma(np.float64(alpha[j]))
        out[j] = g
        total += g
    for j in range(alpha.shape[0]):
        out[j] /= total


@jit
def _dirichlet_check(alpha):
    for j in range(alpha.shape[0]):
        if not alpha[j] > 0:
            raise ValueError("alpha <= 0")


@jit
def _multinomial_row(n, pvals, out):
    left = n
    mass = 1.0
    k = pvals.shape[0]
    for j in range(k - 1):
        if left > 0 and mass > 0:
            p = pvals[j] / mass
            x = _binomial(left, p if p < 1.0 else 1.0)
        else:
            x = 0
        out[j] = x
        left -= x
        mass -= pvals[j]
    out[k - 1] = left


@jit
def _multinomial_check(n, pvals):
    if n < 0:
        raise ValueError("n < 0")
    s = 0.0
    for j in range(pvals.shape[0]):
        if pvals[j] < 0 or pvals[j] > 1 or pvals[j] != pvals[j]:
            raise ValueError("pvals < 0, pvals > 1 or pvals contains NaNs")
        if j < pvals.shape[0] - 1:
            s += pvals[j]
    if s > 1.0 + 1e-12:
        raise ValueError("sum(pvals[:-1]) > 1.0")


@lru_cache(None)
def _vector_impl(kind, size_kind):
    """kind: 'dirichlet' or 'multinomial'; size_kind: None, 'int' or 'tuple'."""
    params = "alpha" if kind == "dirichlet" else "n, pvals"
    vec = "alpha" if kind == "dirichlet" else "pvals"
    dtype = "np.float64" if kind == "dirichlet" else "np.int64"
    check = "check(alpha)" if kind == "dirichlet" else "check(n, pvals)"
    row = "row(alpha, {})" if kind == "dirichlet" else "row(n, pvals, {})"
    lines = [f"def impl({params}{', size' if size_kind else ''}):", f"    {check}",
             f"    k = {vec}.shape[0]"]
    if size_kind is None:
        lines += [f"    out = np.empty(k, {dtype})", "    " + row.format("out"), "    return out"]
    else:
        shape = "(size, k)" if size_kind == "int" else "size + (k,)"
        lines += [f"    out = np.empty({shape}, {dtype})", "    rows = out.reshape((-1, k))",
                  "    for i in range(rows.shape[0]):", "        " + row.format("rows[i]"),
                  "    return out"]
    helpers = ({"check": _dirichlet_check, "row": _dirichlet_row} if kind == "dirichlet"
               else {"check": _multinomial_check, "row": _multinomial_row})
    return _generate("impl", "\n".join(lines) + "\n", **helpers)


def _size_kind(size, fname):
    if absent(size):
        return None
    if size.is_number and size.dtype.kind in "iu":
        return "int"
    if size.kind == "tuple" and all(e.is_number and e.dtype.kind in "iu" for e in size.elems):
        return "tuple"
    unsupported(fname, f"size of type {size}")


@overload(np.random.dirichlet, "np.random.dirichlet")
def dirichlet(alpha, size=None):
    if alpha is None or not alpha.is_array or alpha.ndim != 1 or alpha.dtype.kind not in "iuf":
        unsupported("np.random.dirichlet", f"alpha of type {alpha} (a 1-d array is supported)")
    kind = _size_kind(size, "np.random.dirichlet")
    return _vector_impl("dirichlet", kind), ("alpha",) + (("size",) if kind else ())


@overload(np.random.multinomial, "np.random.multinomial")
def multinomial(n, pvals, size=None):
    if n is None or not (n.is_number and n.dtype.kind in "iu"):
        unsupported("np.random.multinomial", f"n of type {n}")
    if pvals is None or not pvals.is_array or pvals.ndim != 1 or pvals.dtype.kind != "f":
        unsupported("np.random.multinomial", f"pvals of type {pvals} (a 1-d float array)")
    kind = _size_kind(size, "np.random.multinomial")
    return _vector_impl("multinomial", kind), ("n", "pvals") + (("size",) if kind else ())

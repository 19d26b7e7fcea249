"""NumPy functions that reshape, reorder or index whole arrays: amax, amin, atleast_3d,
expand_dims, swapaxes, rot90, diagflat, row_stack, dstack, tril_indices(_from),
triu_indices(_from), trim_zeros, resize, select, take_along_axis (1-d), unwrap (1-d),
asarray_chkfinite, iscomplex, isreal, isscalar, shape, moveaxis (a transpose chosen among the
nd! permutations, so the result is a view; at most 5-d).  Results that NumPy returns as views of
several layouts are copies here where the layout would depend on a run-time value (rot90).
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from . import TypingError, absent, overload, unsupported
from .shapes import _generate, _stack_impl, _wrap


def _array(info, fname, what="a"):
    if info is None or not info.is_array:
        unsupported(fname, f"'{what}' of type {info}")


@lru_cache(None)
def _src(params, body, env=()):
    src = f"def impl({params}):\n" + "".join(f"    {ln}\n" for ln in body.split("\n"))
    return _generate("impl", src, **dict(env))


@overload(np.amax)
def amax(a, axis=None, out=None, keepdims=None, initial=None, where=None):
    _array(a, "np.amax")
    if not (absent(axis) and absent(out) and absent(keepdims) and absent(initial)):
        unsupported("np.amax", "axis=, out=, keepdims= and initial=")
    return _src("a", "return a.max()"), ("a",)


@overload(np.amin)
def amin(a, axis=None, out=None, keepdims=None, initial=None, where=None):
    _array(a, "np.amin")
    if not (absent(axis) and absent(out) and absent(keepdims) and absent(initial)):
        unsupported("np.amin", "axis=, out=, keepdims= and initial=")
    return _src("a", "return a.min()"), ("a",)


@overload(np.atleast_3d)
def atleast_3d(a):
    _array(a, "np.atleast_3d")
    shapes = {0: "(1, 1, 1)", 1: "(1, a.shape[0], 1)", 2: "(a.shape[0], a.shape[1], 1)"}
    if a.ndim >= 3:
        return _src("a", "return a"), ("a",)
    body = f"return a.reshape({shapes[a.ndim]})" if a.layout == "C" else \
        f"return a.copy().reshape({shapes[a.ndim]})"
    return _src("a", body), ("a",)


@overload(np.expand_dims)
def expand_dims(a, axis):
    _array(a, "np.expand_dims")
    if not axis.is_number:
        unsupported("np.expand_dims", f"axis of type {axis}")
    nd = a.ndim + 1
    branches = []
    for ax in range(nd):
        dims = [f"a.shape[{d}]" for d in range(a.ndim)]
        dims.insert(ax, "1")
        branches.append(f"if ax == {ax}:\n    return b.reshape(({', '.join(dims)},))")
    body = (f"ax = axis + {nd} if axis < 0 else axis\nb = a.copy()\n" + "\n".join(branches) +
            "\nraise ValueError('axis is out of bounds for the result')")
    return _src("a, axis", body), ("a", "axis")


@overload(np.swapaxes)
def swapaxes(a, axis1, axis2):
    _array(a, "np.swapaxes")
    if a.ndim != 2:
        unsupported("np.swapaxes", f"a {a.ndim}-d array")
    body = ("s = (axis1 + 2) % 2 != (axis2 + 2) % 2\n"
            "if axis1 < -2 or axis1 > 1 or axis2 < -2 or axis2 > 1:\n"
            "    raise ValueError('axis is out of bounds for an array of dimension 2')\n"
            "return a.T.copy() if s else a.copy()")
    return _src("a, axis1, axis2", body), ("a", "axis1", "axis2")


@overload(np.rot90)
def rot90(m, k=None, axes=None):
    _array(m, "np.rot90", "m")
    if m.ndim != 2 or not absent(axes):
        unsupported("np.rot90", "arrays other than 2-d and axes=")
    body = ("r = k % 4\nif r == 0:\n    return m.copy()\nif r == 1:\n    return m.T[::-1].copy()\n"
            "if r == 2:\n    return m[::-1, ::-1].copy()\nreturn m[::-1].T.copy()")
    impl = _src("m, k", body)
    if absent(k):
        return _wrap(impl, "m", "m, 1"), ("m",)
    return impl, ("m", "k")


@overload(np.diagflat)
def diagflat(v, k=None):
    from .shapes import _diag_impl
    _array(v, "np.diagflat", "v")
    impl = _diag_impl(v.dtype, 1)
    if absent(k):
        return _wrap(impl, "v", "v.ravel(), 0"), ("v",)
    return _wrap(impl, "v, k", "v.ravel(), k"), ("v", "k")


def row_stack(tup, dtype=None, casting=None):
    from .shapes import vstack
    return vstack(tup)


if hasattr(np, "row_stack"):  # removed in NumPy 2.5
    overload(np.row_stack)(row_stack)


@overload(np.dstack)
def dstack(tup):
    if tup is None or tup.kind != "tuple" or not all(e.is_array for e in tup.elems):
        unsupported("np.dstack", f"a sequence of type {tup}")
    nds = {e.ndim for e in tup.elems}
    if nds != {2}:
        unsupported("np.dstack", "arrays other than 2-d")
    dt = np.result_type(*[e.dtype for e in tup.elems])
    return _wrap(_stack_impl(len(tup.elems), 2, dt), "t", "t, 2"), ("tup",)


def _indices_body(lower):
    keep = "j <= i + k" if lower else "j >= i + k"
    return ("c = 0\nfor i in range(n):\n    for j in range(m):\n"
            f"        if {keep}:\n            c += 1\n"
            "r = np.empty(c, np.int64)\nq = np.empty(c, np.int64)\nc = 0\n"
            "for i in range(n):\n    for j in range(m):\n"
            f"        if {keep}:\n            r[c] = i\n            q[c] = j\n            c += 1\n"
            "return r, q")


def _tri_indices(fname, lower):
    def select(n, k=None, m=None):
        impl = _src("n, k, m", _indices_body(lower))
        names = ["n"] + [x for x, i in (("k", k), ("m", m)) if not absent(i)]
        call = "n, " + ("k" if "k" in names else "0") + ", " + ("m" if "m" in names else "n")
        return _wrap(impl, ", ".join(names), call), tuple(names)

    def select_from(arr, k=None):
        _array(arr, fname + "_from", "arr")
        if arr.ndim != 2:
            raise TypingError(f"{fname}_from(): input array must be 2-d")
        impl = _src("n, k, m", _indices_body(lower))
        names = ["arr"] + ([] if absent(k) else ["k"])
        call = "arr.shape[0], " + ("k" if names[1:] else "0") + ", arr.shape[1]"
        return _wrap(impl, ", ".join(names), call), tuple(names)
    overload(getattr(np, fname[3:]))(select)
    overload(getattr(np, fname[3:] + "_from"))(select_from)


_tri_indices("np.tril_indices", True)
_tri_indices("np.triu_indices", False)


@overload(np.trim_zeros)
def trim_zeros(filt, trim=None, axis=None):
    _array(filt, "np.trim_zeros", "filt")
    if filt.ndim != 1 or not absent(axis):
        unsupported("np.trim_zeros", "arrays other than 1-d and axis=")
    mode = "fb" if absent(trim) else trim.value if trim.kind == "str" else None
    if mode not in ("f", "b", "fb", "bf"):
        raise TypingError("np.trim_zeros(): trim must be a constant 'f', 'b' or 'fb'")
    body = "lo = 0\nhi = filt.shape[0]\n"
    if "f" in mode:
        body += "while lo < hi and filt[lo] == 0:\n    lo += 1\n"
    if "b" in mode:
        body += "while hi > lo and filt[hi - 1] == 0:\n    hi -= 1\n"
    return _src("filt", body + "return filt[lo:hi]"), ("filt",)


@overload(np.resize)
def resize(a, new_shape):
    _array(a, "np.resize")
    if new_shape.is_number:
        body = "n = new_shape\nflat = a.ravel()\nout = np.empty(n, dt)\n"
        shape = "out"
    elif new_shape.kind == "tuple":
        dims = " * ".join(f"new_shape[{k}]" for k in range(len(new_shape.elems))) or "1"
        body = f"n = {dims}\nflat = a.ravel()\nout = np.empty(n, dt)\n"
        shape = "out.reshape(new_shape)"
    else:
        unsupported("np.resize", f"a shape of type {new_shape}")
    body += ("if n < 0:\n    raise ValueError('all elements of `new_shape` must be non-negative')\n"
             "m = flat.shape[0]\nfor i in range(n):\n    out[i] = flat[i % m] if m else 0\n"
             f"return {shape}")
    return _src("a, new_shape", body, (("dt", a.dtype.type),)), ("a", "new_shape")


@overload(np.select)
def select(condlist, choicelist, default=None):
    for info in (condlist, choicelist):
        if info is None or info.kind != "tuple" or not all(e.is_array for e in info.elems):
            unsupported("np.select", "condlist and choicelist other than tuples of arrays")
    n = len(condlist.elems)
    if len(choicelist.elems) != n:
        raise TypingError("np.select(): list of cases must be same length as list of conditions")
    dt = np.result_type(*[e.dtype for e in choicelist.elems])
    body = "out = np.full(c[0].shape, d, dt)\n"
    for k in range(n - 1, -1, -1):
        body += f"out = np.where(c[{k}], x[{k}], out)\n"
    impl = _src("c, x, d", body + "return out", (("dt", dt.type),))
    if absent(default):
        return _wrap(impl, "c, x", "c, x, 0"), ("condlist", "choicelist")
    return impl, ("condlist", "choicelist", "default")


@overload(np.take_along_axis)
def take_along_axis(arr, indices, axis=None):
    _array(arr, "np.take_along_axis", "arr")
    if arr.ndim != 1:
        unsupported("np.take_along_axis", "arrays other than 1-d")
    return _src("arr, indices", "return arr[indices]"), ("arr", "indices")


@overload(np.unwrap)
def unwrap(p, discont=None, axis=None, period=None):
    _array(p, "np.unwrap", "p")
    if p.ndim != 1 or not (absent(discont) and absent(axis) and absent(period)):
        unsupported("np.unwrap", "arrays other than 1-d, discont=, axis= and period=")
    body = ("out = p.astype(np.float64)\nacc = 0.0\nfor i in range(1, p.shape[0]):\n"
            "    d = np.float64(p[i]) - np.float64(p[i - 1])\n"
            "    dd = (d + np.pi) % (2 * np.pi) - np.pi\n"
            "    if dd == -np.pi and d > 0:\n        dd = np.pi\n"
            "    corr = dd - d\n    if abs(d) < np.pi:\n        corr = 0.0\n"
            "    acc += corr\n    out[i] = p[i] + acc\nreturn out")
    return _src("p", body), ("p",)


@overload(np.asarray_chkfinite)
def asarray_chkfinite(a, dtype=None, order=None):
    _array(a, "np.asarray_chkfinite")
    body = ("if not np.all(np.isfinite(a)):\n"
            "    raise ValueError('array must not contain infs or NaNs')\nreturn a")
    if a.dtype.kind in "biu":
        body = "return a"
    return _src("a", body), ("a",)


@overload(np.iscomplex)
def iscomplex(x):
    if x is None or not (x.is_array or x.is_number) or x.dtype.kind == "c":
        unsupported("np.iscomplex", f"x of type {x}")
    return _src("x", "return np.zeros_like(x, np.bool_)" if x.is_array else "return False"), \
        ("x",)


@overload(np.isreal)
def isreal(x):
    if x is None or not (x.is_array or x.is_number) or x.dtype.kind == "c":
        unsupported("np.isreal", f"x of type {x}")
    return _src("x", "return np.ones_like(x, np.bool_)" if x.is_array else "return True"), \
        ("x",)


@overload(np.isscalar)
def isscalar(element):
    answer = element is not None and element.is_number
    return _src("element", f"return {answer}"), ("element",)


@overload(np.shape)
def shape(a):
    _array(a, "np.shape")
    return _src("a", "return a.shape"), ("a",)


# ---- moveaxis -------------------------------------------------------------------------------

def _axes_count(info, fname, what):
    """How many axes an int or a tuple of ints names (None for an int)."""
    if info is not None and info.is_number and info.dtype.kind in "iu":
        return None
    if info is not None and info.kind == "tuple" and \
            all(e.is_number and e.dtype.kind in "iu" for e in info.elems):
        return len(info.elems)
    unsupported(fname, f"'{what}' of type {info} (an int or a tuple of ints)")


_MOVEAXIS_MAX_NDIM = 5  # one transpose per permutation: 5! = 120 branches


@lru_cache(None)
def _moveaxis_impl(nd, ns, nt):
    """np.moveaxis for an nd-d array, ns / nt source / destination axes (None: an int)."""
    lines = []
    for arg, prefix, count in (("source", "s", ns), ("destination", "t", nt)):
        for k in range(count or 1):
            v = f"{prefix}{k}"
            lines.append(f"{v} = {arg}" if count is None else f"{v} = {arg}[{k}]")
            lines.append(f"if {v} < -{nd} or {v} >= {nd}:")
            lines.append(f"    raise np.exceptions.AxisError({v}, {nd}, {arg!r})")
            lines.append(f"if {v} < 0:\n    {v} += {nd}")
        for k in range(count or 1):
            for j in range(k):
                lines.append(f"if {prefix}{j} == {prefix}{k}:")
                lines.append(f"    raise ValueError('repeated axis in `{arg}` argument')")
    n = ns or 1
    if n != (nt or 1):
        lines.append("raise ValueError('`source` and `destination` arguments must have the same "
                     "number of elements')")
        nd = 0
    if nd == 0:
        lines.append("return a")
        return _src("a, source, destination", "\n".join(lines))
    # order[t_k] = s_k; the other places take the remaining axes in increasing order
    lines.append(f"order = np.full({nd}, -1, np.int64)\nused = np.zeros({nd}, np.bool_)")
    for k in range(n):
        lines.append(f"order[t{k}] = s{k}\nused[s{k}] = True")
    lines.append(f"j = 0\nfor i in range({nd}):\n    if order[i] < 0:\n"
                 "        while used[j]:\n            j += 1\n        order[i] = j\n        j += 1")
    lines.append("code = 0")
    for k in range(nd):
        lines.append(f"code += order[{k}] * {nd ** k}")
    perms = list(itertools.permutations(range(nd)))
    for p in perms[:-1]:
        code = sum(x * nd ** k for k, x in enumerate(p))
        lines.append(f"if code == {code}:\n    return a.transpose({p!r})")
    lines.append(f"return a.transpose({perms[-1]!r})")
    return _src("a, source, destination", "\n".join(lines))


@overload(np.moveaxis)
def moveaxis(a, source, destination):
    _array(a, "np.moveaxis")
    ns = _axes_count(source, "np.moveaxis", "source")
    nt = _axes_count(destination, "np.moveaxis", "destination")
    if a.ndim > _MOVEAXIS_MAX_NDIM:
        unsupported("np.moveaxis", f"a {a.ndim}-d array (at most {_MOVEAXIS_MAX_NDIM} dimensions)")
    return _moveaxis_impl(a.ndim, ns, nt), ("a", "source", "destination")

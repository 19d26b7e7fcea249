"""NumPy functions that build arrays from others: diff, nonzero, flatnonzero, argwhere, roll,
concatenate, stack, hstack, vstack, column_stack, diag, outer, convolve, deg2rad, rad2deg.

Functions of a tuple of arrays (concatenate, stack) are generated per arity and dimension
count (``_generate``), since the arrays of a tuple may differ in type and compiled code reads a
tuple's elements by constant index.
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from . import TypingError, absent, literal, overload, unsupported


def _generate(name, source, **env):
    """A jitted function from generated source (one per arity, cached by the callers)."""
    scope = {"np": np, **env}
    exec(compile(source, f"<ember.npapi {name}>", "exec"), scope)
    return jit(scope[name])


def _array(info, fname, what="a"):
    if info is None or not info.is_array:
        unsupported(fname, f"'{what}' of type {info}")


# ---- diff -----------------------------------------------------------------------------------

@jit
def _sub(x, y):
    return x - y


@jit
def _ne(x, y):
    return x != y


@functools.lru_cache(None)
def _diff_impl(dtype):
    dt = np.dtype(dtype).type
    op = _ne if dt is np.bool_ else _sub

    @jit
    def diff1(a, n):
        if n < 0:
            raise ValueError("order must be non-negative")
        m = a.shape[0]
        work = np.empty(m, dt)
        for i in range(m):
            work[i] = a[i]
        for k in range(min(n, m)):
            for i in range(m - 1 - k):
                work[i] = op(work[i + 1], work[i])
        return work[:max(m - n, 0)].copy()

    @jit
    def diff2(a, n, axis):
        if axis < -2 or axis > 1:
            raise ValueError("axis is out of bounds for an array of dimension 2")
        rows, cols = a.shape[0], a.shape[1]
        if axis == 1 or axis == -1:
            out = np.empty((rows, max(cols - n, 0)), dt)
            for r in range(rows):
                out[r, :] = diff1(a[r], n)
        else:
            out = np.empty((max(rows - n, 0), cols), dt)
            for c in range(cols):
                out[:, c] = diff1(a[:, c], n)
        return out

    return diff1, diff2


@overload(np.diff)
def diff(a, n=None, axis=None, prepend=None, append=None):
    _array(a, "np.diff")
    if not absent(prepend) or not absent(append):
        unsupported("np.diff", "prepend= and append=")
    d1, d2 = _diff_impl(a.dtype)
    if a.ndim == 1:
        if not absent(axis):
            unsupported("np.diff", "axis= on a 1-D array")
        if absent(n):
            return _wrap(d1, "a", "a, 1"), ("a",)
        return d1, ("a", "n")
    if a.ndim == 2:
        if absent(n) and absent(axis):
            return _wrap(d2, "a", "a, 1, -1"), ("a",)
        if absent(axis):
            return _wrap(d2, "a, n", "a, n, -1"), ("a", "n")
        if absent(n):
            return _wrap(d2, "a, axis", "a, 1, axis"), ("a", "axis")
        return d2, ("a", "n", "axis")
    unsupported("np.diff", f"a {a.ndim}-D array")


@functools.lru_cache(None)
def _wrap(f, params, call):
    """f called with some arguments fixed: def bound(params): return f(call)."""
    return _generate("bound", f"def bound({params}):\n    return f({call})\n", f=f)


# ---- nonzero, flatnonzero, argwhere ---------------------------------------------------------

@functools.lru_cache(None)
def _nonzero_impl(ndim, kind):
    outs = ", ".join(f"o{d}" for d in range(ndim))
    lines = ["def impl(a):",
             "    flat = a.ravel()",
             "    n = 0",
             "    for i in range(flat.shape[0]):",
             "        if flat[i] != 0:",
             "            n += 1"]
    if kind == "argwhere":
        lines.append(f"    out = np.empty((n, {ndim}), np.int64)")
    else:
        lines += [f"    o{d} = np.empty(n, np.int64)" for d in range(ndim)]
    lines += ["    k = 0",
              "    for i in range(flat.shape[0]):",
              "        if flat[i] != 0:",
              "            r = i"]
    for d in range(ndim - 1, -1, -1):
        target = f"out[k, {d}]" if kind == "argwhere" else f"o{d}[k]"
        if d == 0:
            lines.append(f"            {target} = r")
        else:
            lines += [f"            {target} = r % a.shape[{d}]",
                      f"            r = r // a.shape[{d}]"]
    lines.append("            k += 1")
    if kind == "argwhere":
        lines.append("    return out")
    elif kind == "flat":
        lines.append("    return o0")
    else:
        lines.append(f"    return ({outs},)")
    return _generate("impl", "\n".join(lines) + "\n")


@overload(np.nonzero)
def nonzero(a):
    _array(a, "np.nonzero")
    if a.ndim == 0:
        raise TypingError("np.nonzero() of a 0-d array is not allowed (NumPy 2); use "
                          "np.atleast_1d")
    return _nonzero_impl(a.ndim, "tuple"), ("a",)


@overload(np.flatnonzero)
def flatnonzero(a):
    _array(a, "np.flatnonzero")
    return _nonzero_impl(1, "flat") if a.ndim == 1 else _flat_of(a.ndim), ("a",)


@functools.lru_cache(None)
def _flat_of(ndim):
    return _generate("impl", "def impl(a):\n    return f(a.ravel())\n",
                     f=_nonzero_impl(1, "flat"))


@overload(np.argwhere)
def argwhere(a):
    _array(a, "np.argwhere")
    return _nonzero_impl(max(a.ndim, 1), "argwhere"), ("a",)


# ---- roll -----------------------------------------------------------------------------------

@jit
def _roll_flat(a, shift):
    flat = a.ravel()
    n = flat.shape[0]
    out = np.empty_like(flat)
    if n == 0:
        return out.reshape(a.shape)
    s = shift % n
    out[s:] = flat[:n - s]
    out[:s] = flat[n - s:]
    return out.reshape(a.shape)


@overload(np.roll)
def roll(a, shift, axis=None):
    _array(a, "np.roll")
    if not absent(axis):
        if a.ndim != 1:
            unsupported("np.roll", "axis= on an array of more than one dimension")
        return _roll_axis0, ("a", "shift", "axis")
    if not shift.is_number or shift.dtype.kind not in "iub":
        unsupported("np.roll", f"a shift of type {shift}")
    return _roll_flat, ("a", "shift")


@jit
def _roll_axis0(a, shift, axis):
    if axis != 0 and axis != -1:
        raise ValueError("axis is out of bounds for an array of dimension 1")
    return _roll_flat(a, shift)


# ---- concatenate, stack and friends ---------------------------------------------------------

def _tuple_of_arrays(info, fname):
    if info is None or info.kind != "tuple" or not info.elems:
        unsupported(fname, f"a sequence of type {info} (pass a tuple of arrays)")
    for e in info.elems:
        if not e.is_array:
            unsupported(fname, f"a tuple holding {e}")
    ndims = {e.ndim for e in info.elems}
    if len(ndims) != 1:
        raise TypingError(f"{fname}(): all the input arrays must have the same number of "
                          "dimensions")
    return info.elems


@functools.lru_cache(None)
def _concat_impl(n, ndim, dtype):
    dt = np.dtype(dtype).type
    lines = ["def impl(arrs, axis):",
             f"    ax = axis + {ndim} if axis < 0 else axis",
             f"    if ax < 0 or ax >= {ndim}:",
             "        raise ValueError('axis is out of bounds for the arrays')"]
    for k in range(n):
        lines.append(f"    a{k} = arrs[{k}]")
    for ax in range(ndim):
        kw = "if" if ax == 0 else "elif"
        lines.append(f"    {kw} ax == {ax}:")
        total = " + ".join(f"a{k}.shape[{ax}]" for k in range(n))
        dims = ", ".join(total if d == ax else f"a0.shape[{d}]" for d in range(ndim))
        for k in range(1, n):
            for d in range(ndim):
                if d != ax:
                    lines += [f"        if a{k}.shape[{d}] != a0.shape[{d}]:",
                              "            raise ValueError('all the input array dimensions "
                              "except for the concatenation axis must match exactly')"]
        lines += [f"        out = np.empty(({dims},), dt)", "        o = 0"]
        for k in range(n):
            index = ", ".join(f"o:o + a{k}.shape[{ax}]" if d == ax else ":" for d in range(ndim))
            lines += [f"        out[{index}] = a{k}", f"        o += a{k}.shape[{ax}]"]
    lines += ["    return out"]
    return _generate("impl", "\n".join(lines) + "\n", dt=dt)


@functools.lru_cache(None)
def _stack_impl(n, ndim, dtype):
    dt = np.dtype(dtype).type
    nd = ndim + 1
    lines = ["def impl(arrs, axis):",
             f"    ax = axis + {nd} if axis < 0 else axis",
             f"    if ax < 0 or ax >= {nd}:",
             "        raise ValueError('axis is out of bounds for the result')"]
    for k in range(n):
        lines.append(f"    a{k} = arrs[{k}]")
        if k:
            lines += [f"    if a{k}.shape != a0.shape:",
                      "        raise ValueError('all input arrays must have the same shape')"]
    for ax in range(nd):
        kw = "if" if ax == 0 else "elif"
        dims = [f"a0.shape[{d}]" for d in range(ndim)]
        dims.insert(ax, str(n))
        lines += [f"    {kw} ax == {ax}:", f"        out = np.empty(({', '.join(dims)},), dt)"]
        for k in range(n):
            index = [":"] * nd
            index[ax] = str(k)
            lines.append(f"        out[{', '.join(index)}] = a{k}")
    lines += ["    return out"]
    return _generate("impl", "\n".join(lines) + "\n", dt=dt)


def _result_dtype(elems):
    return np.result_type(*[e.dtype for e in elems])


@overload(np.concatenate)
def concatenate(arrays, axis=None, out=None, dtype=None, casting=None):
    elems = _tuple_of_arrays(arrays, "np.concatenate")
    if not absent(out) or not absent(dtype) or not absent(casting):
        unsupported("np.concatenate", "out=, dtype= and casting=")
    if elems[0].ndim == 0:
        raise TypingError("np.concatenate(): zero-dimensional arrays cannot be concatenated")
    impl = _concat_impl(len(elems), elems[0].ndim, _result_dtype(elems))
    if absent(axis):
        return _with_axis(impl, 0), ("arrays",)
    return impl, ("arrays", "axis")


def _with_axis(f, axis):
    return _wrap(f, "a", f"a, {axis}")


@overload(np.stack)
def stack(arrays, axis=None, out=None, dtype=None, casting=None):
    elems = _tuple_of_arrays(arrays, "np.stack")
    if not absent(out) or not absent(dtype) or not absent(casting):
        unsupported("np.stack", "out=, dtype= and casting=")
    impl = _stack_impl(len(elems), elems[0].ndim, _result_dtype(elems))
    if absent(axis):
        return _with_axis(impl, 0), ("arrays",)
    return impl, ("arrays", "axis")


@overload(np.vstack)
def vstack(tup, dtype=None, casting=None):
    elems = _tuple_of_arrays(tup, "np.vstack")
    if elems[0].ndim == 1:
        return _with_axis(_stack_impl(len(elems), 1, _result_dtype(elems)), 0), ("tup",)
    return _with_axis(_concat_impl(len(elems), elems[0].ndim, _result_dtype(elems)), 0), \
        ("tup",)


@overload(np.hstack)
def hstack(tup, dtype=None, casting=None):
    elems = _tuple_of_arrays(tup, "np.hstack")
    axis = 0 if elems[0].ndim == 1 else 1
    return _with_axis(_concat_impl(len(elems), elems[0].ndim, _result_dtype(elems)), axis), \
        ("tup",)


@overload(np.column_stack)
def column_stack(tup):
    elems = _tuple_of_arrays(tup, "np.column_stack")
    if elems[0].ndim == 1:
        return _with_axis(_stack_impl(len(elems), 1, _result_dtype(elems)), 1), ("tup",)
    return _with_axis(_concat_impl(len(elems), elems[0].ndim, _result_dtype(elems)), 1), \
        ("tup",)


# ---- diag, outer ----------------------------------------------------------------------------

@functools.lru_cache(None)
def _diag_impl(dtype, ndim):
    dt = np.dtype(dtype).type

    @jit
    def from_1d(v, k):
        n = v.shape[0]
        m = n + abs(k)
        out = np.zeros((m, m), dt)
        for i in range(n):
            if k >= 0:
                out[i, i + k] = v[i]
            else:
                out[i - k, i] = v[i]
        return out

    @jit
    def of_2d(a, k):
        rows, cols = a.shape[0], a.shape[1]
        if k >= 0:
            n = max(min(rows, cols - k), 0)
        else:
            n = max(min(rows + k, cols), 0)
        out = np.empty(n, dt)
        for i in range(n):
            if k >= 0:
                out[i] = a[i, i + k]
            else:
                out[i] = a[i - k, i]
        return out

    return from_1d if ndim == 1 else of_2d


@overload(np.diag)
def diag(v, k=None):
    _array(v, "np.diag", "v")
    if v.ndim not in (1, 2):
        raise TypingError("np.diag(): the input must be 1-d or 2-d")
    impl = _diag_impl(v.dtype, v.ndim)
    if absent(k):
        return _with_axis(impl, 0), ("v",)
    return impl, ("v", "k")


@functools.lru_cache(None)
def _outer_impl(dtype):
    dt = np.dtype(dtype).type

    @jit
    def outer(a, b):
        x = a.ravel()
        y = b.ravel()
        out = np.empty((x.shape[0], y.shape[0]), dt)
        for i in range(x.shape[0]):
            for j in range(y.shape[0]):
                out[i, j] = x[i] * y[j]
        return out
    return outer


@overload(np.outer)
def outer(a, b, out=None):
    _array(a, "np.outer")
    _array(b, "np.outer", "b")
    if not absent(out):
        unsupported("np.outer", "out=")
    return _outer_impl(np.result_type(a.dtype, b.dtype)), ("a", "b")


# ---- convolve -------------------------------------------------------------------------------

@functools.lru_cache(None)
def _convolve_impl(dtype, mode):
    dt = np.dtype(dtype).type

    @jit
    def convolve(a, v):
        if a.shape[0] == 0:
            raise ValueError("a cannot be empty")
        if v.shape[0] == 0:
            raise ValueError("v cannot be empty")
        if v.shape[0] > a.shape[0]:
            x, y = v, a
        else:
            x, y = a, v
        n, m = x.shape[0], y.shape[0]
        if mode == 0:       # full
            start, length = 0, n + m - 1
        elif mode == 1:     # same
            start, length = (m - 1) // 2, n
        else:               # valid
            start, length = m - 1, n - m + 1
        out = np.empty(length, dt)
        for t in range(length):
            k = t + start
            lo = max(0, k - n + 1)
            hi = min(m - 1, k)
            s = dt(0)
            for j in range(lo, hi + 1):
                s += x[k - j] * y[j]
            out[t] = s
        return out
    return convolve


@overload(np.convolve)
def convolve(a, v, mode=None):
    _array(a, "np.convolve")
    _array(v, "np.convolve", "v")
    if a.ndim != 1 or v.ndim != 1:
        raise TypingError("np.convolve(): the inputs must be 1-d arrays")
    m = literal(mode, "np.convolve(): mode", "full", ("full", "same", "valid"))
    dtype = np.result_type(a.dtype, v.dtype)
    if dtype == np.bool_:
        unsupported("np.convolve", "boolean arrays")
    return _convolve_impl(dtype, ("full", "same", "valid").index(m)), ("a", "v")


# ---- deg2rad, rad2deg -----------------------------------------------------------------------

@jit
def _deg2rad(x):
    return x * (np.pi / 180.0)


@jit
def _rad2deg(x):
    return x * (180.0 / np.pi)


@overload(np.deg2rad)
def deg2rad(x):
    return _deg2rad, ("x",)


@overload(np.radians, name="np.radians")
def radians(x):
    return _deg2rad, ("x",)


@overload(np.rad2deg)
def rad2deg(x):
    return _rad2deg, ("x",)


@overload(np.degrees, name="np.degrees")
def degrees(x):
    return _rad2deg, ("x",)


# ---- array, asarray (tuples, arrays and numbers here; lists through the compiler's builtin) --

@functools.lru_cache(None)
def _array_from_list(copy, dtype):
    from . import lists
    fn = lists.array if copy else lists.asarray
    if dtype is None:
        @jit
        def impl(object):
            return fn(object)
        return impl
    dt = np.dtype(dtype).type

    @jit
    def impl_dtype(object):
        return fn(object, dt)
    return impl_dtype


@functools.lru_cache(None)
def _array_from_tuple(n, elem_ndim, dtype):
    dt = np.dtype(dtype).type
    if elem_ndim == 0:
        lines = ["def impl(t):", f"    out = np.empty({n}, dt)"]
        lines += [f"    out[{k}] = t[{k}]" for k in range(n)]
        return _generate("impl", "\n".join(lines + ["    return out"]) + "\n", dt=dt)
    return _with_axis(_stack_impl(n, elem_ndim, dtype), 0)


@functools.lru_cache(None)
def _array_copy(dtype):
    dt = np.dtype(dtype).type

    @jit
    def impl(a):
        return a.astype(dt)
    return impl


@functools.lru_cache(None)
def _array_of_number(dtype):
    dt = np.dtype(dtype).type

    @jit
    def impl(x):
        out = np.empty(1, dt)
        out[0] = x
        return out.reshape(())
    return impl


@jit
def _identity(a):
    return a


def _array_selector(fname, always_copy):
    def select(object, dtype=None, copy=None, order=None, subok=None, ndmin=None, like=None):
        for name, info in (("order", order), ("subok", subok), ("ndmin", ndmin),
                           ("like", like)):
            if not absent(info):
                unsupported(fname, f"{name}=")
        if not absent(dtype) and dtype.kind != "class":
            unsupported(fname, f"dtype of type {dtype} (a NumPy scalar type is)")
        want = None if absent(dtype) else dtype.dtype
        if object is None:
            unsupported(fname, "no argument")
        if object.is_array:
            if not always_copy and (want is None or want == object.dtype):
                return _identity, ("object",)
            return _array_copy(want or object.dtype), ("object",)
        if object.is_number:
            return _array_of_number(want or object.dtype), ("object",)
        if object.kind == "list":
            return _array_from_list(always_copy, want), ("object",)
        if object.kind == "tuple" and object.elems:
            elems = object.elems
            if all(e.is_number for e in elems):
                dt = want or np.result_type(*[e.dtype for e in elems])
                return _array_from_tuple(len(elems), 0, dt), ("object",)
            if all(e.is_array for e in elems) and len({e.ndim for e in elems}) == 1:
                dt = want or _result_dtype(elems)
                return _array_from_tuple(len(elems), elems[0].ndim, dt), ("object",)
        unsupported(fname, f"an argument of type {object}")
    return select


overload(np.array)(_array_selector("np.array", True))
overload(np.asarray)(_array_selector("np.asarray", False))

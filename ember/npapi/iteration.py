"""NumPy's iteration helpers in compiled code: np.ndindex, np.ndenumerate, np.nditer (Numba's
subset: one array or number, or a tuple of them broadcast together, no flags) and ``a.flat``.

Each is a compiled generator function (lowering/CodeGenGenerator.cpp) generated per number of
dimensions (and operands), a loop nest over the shape that yields index tuples, (index, value)
pairs, or 0-d views made with a trailing Ellipsis (``a[i, j, ...]``), which the caller reads
with ``x.item()`` / ``x[()]`` and writes with ``x[...] = v``.  Iteration is in C order, except
that np.nditer over operands that are all Fortran-ordered goes in Fortran order, as NumPy's
default order='K' does for them.  ``a.flat`` of a C-contiguous or 1-d array is a 1-d view
(read, write, iteration, len); of a multi-dimensional array of another layout it is a generator
in C order (iteration only).
"""
from __future__ import annotations

import functools

import numpy as np

from . import TypingError, absent, overload, unsupported
from .shapes import _generate


def _indent(lines, depth):
    return [("    " * depth) + line for line in lines]


def _loop_nest(dims, names, body, order="C"):
    """Source lines of nested range loops over dims (expressions), innermost first for F."""
    axes = list(range(len(dims)))
    if order == "F":
        axes.reverse()
    lines = []
    for depth, k in enumerate(axes):
        lines += _indent([f"for {names[k]} in range({dims[k]}):"], depth)
    return lines + _indent(body, len(axes))


def _tuple(items):
    if not items:
        return "()"
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


# ---- np.ndindex -----------------------------------------------------------------------------

@functools.lru_cache(None)
def _ndindex_impl(ndim, packed):
    idx = [f"i{k}" for k in range(ndim)]
    dims = [f"n{k}" for k in range(ndim)]
    params = "shape" if packed else ", ".join(f"s{k}" for k in range(ndim))
    lines = [f"def impl({params}):"]
    for k in range(ndim):
        src = f"shape[{k}]" if packed else f"s{k}"
        lines += [f"    n{k} = {src}",
                  f"    if n{k} < 0:",
                  "        raise ValueError('negative dimensions are not allowed')"]
    lines += _indent(_loop_nest(dims, idx, [f"yield {_tuple(idx)}"]), 1)
    return _generate("impl", "\n".join(lines) + "\n")


def _int_like(info):
    return info.is_scalar and info.dtype.kind in "biu"


@overload(np.ndindex)
def ndindex(*shape):
    if len(shape) == 1 and shape[0].kind == "tuple":
        elems = shape[0].elems
        if not all(_int_like(e) for e in elems):
            raise TypingError(f"np.ndindex(): the shape must be a tuple of integers, not "
                              f"{shape[0].text}")
        return _ndindex_impl(len(elems), True), ("shape[0]",)
    for k, info in enumerate(shape):
        if not _int_like(info):
            raise TypingError(f"np.ndindex(): the dimensions must be integers or one tuple of "
                              f"integers; argument {k} is {info.text}")
    return _ndindex_impl(len(shape), False), tuple(f"shape[{k}]" for k in range(len(shape)))


# ---- np.ndenumerate -------------------------------------------------------------------------

@functools.lru_cache(None)
def _ndenumerate_impl(ndim):
    idx = [f"i{k}" for k in range(ndim)]
    dims = [f"a.shape[{k}]" for k in range(ndim)]
    element = f"a[{', '.join(idx)}]" if ndim else "a[()]"
    lines = ["def impl(a):"]
    lines += _indent(_loop_nest(dims, idx, [f"yield ({_tuple(idx)}, {element})"]), 1)
    return _generate("impl", "\n".join(lines) + "\n")


@overload(np.ndenumerate)
def ndenumerate(arr):
    if not arr.is_array:
        unsupported("np.ndenumerate", f"'arr' of type {arr.text} (only arrays)")
    return _ndenumerate_impl(arr.ndim), ("arr",)


# ---- np.nditer ------------------------------------------------------------------------------

@functools.lru_cache(None)
def _nditer_impl(ndims, packed, order, scalars):
    """ndims: each operand's ndim; the operands are broadcast against each other, as NumPy's
    rule (axes aligned at the end; an axis of length 1 stretches).  A scalar operand becomes a
    0-d array of its value, as NumPy converts it."""
    nd = max(ndims, default=0)
    nop = len(ndims)
    lines = ["def impl(op):"]
    for k in range(nop):
        src = f"op[{k}]" if packed else "op"
        lines.append(f"    a{k} = np.full((), {src})" if scalars[k] else f"    a{k} = {src}")
    # The broadcast shape, and per operand and axis whether it moves along it (1) or not (0).
    for r in range(nd):
        lines.append(f"    d{r} = 1")
        for k, ndim in enumerate(ndims):
            j = r - (nd - ndim)
            if j < 0:
                continue
            lines += [f"    e = a{k}.shape[{j}]",
                      "    if e != 1:",
                      f"        if d{r} != 1 and d{r} != e:",
                      "            raise ValueError('operands could not be broadcast together')",
                      f"        d{r} = e"]
    if nd:  # NumPy's nditer refuses empty operands unless flags=("zerosize_ok",)
        size = " * ".join(f"d{r}" for r in range(nd))
        lines += [f"    if {size} == 0:",
                  "        raise ValueError('Iteration of zero-sized operands is not enabled')"]
    for k, ndim in enumerate(ndims):
        for j in range(ndim):
            lines.append(f"    m{k}_{j} = 1 if a{k}.shape[{j}] != 1 else 0")
    views = []
    for k, ndim in enumerate(ndims):
        parts = [f"i{j + nd - ndim} * m{k}_{j}" for j in range(ndim)]
        views.append(f"a{k}[{', '.join(parts + ['...'])}]")
    value = views[0] if nop == 1 else _tuple(views)
    idx = [f"i{r}" for r in range(nd)]
    dims = [f"d{r}" for r in range(nd)]
    lines += _indent(_loop_nest(dims, idx, [f"yield {value}"], order), 1)
    return _generate("impl", "\n".join(lines) + "\n")


@overload(np.nditer)
def nditer(op, flags=None, op_flags=None, op_dtypes=None, order=None, casting=None,
           op_axes=None, itershape=None, buffersize=None):
    given = dict(flags=flags, op_flags=op_flags, op_dtypes=op_dtypes, order=order,
                 casting=casting, op_axes=op_axes, itershape=itershape, buffersize=buffersize)
    for name, info in given.items():
        if not absent(info):
            unsupported("np.nditer", f"the argument {name}=")
    operands = op.elems if op.kind == "tuple" else (op,)
    for k, info in enumerate(operands):
        if not info.is_array and not info.is_number:
            unsupported("np.nditer", f"operand {k} of type {info.text} (only arrays and "
                                     "numbers)")
    if not operands:
        raise TypingError("np.nditer(): at least one operand is needed")
    ndims = tuple(info.ndim if info.is_array else 0 for info in operands)
    scalars = tuple(not info.is_array for info in operands)
    fortran = all(info.is_array and info.layout == "F" for info in operands) and max(ndims) > 1
    impl = _nditer_impl(ndims, op.kind == "tuple", "F" if fortran else "C", scalars)
    return impl, ("op",)


# ---- a.flat ---------------------------------------------------------------------------------

@functools.lru_cache(None)
def _flat_impl(ndim, layout):
    """A plain function (the attribute's typing function returns it; extending.py jits it)."""
    if ndim == 0 or layout == "C":
        src = "def impl(a):\n    return a.reshape(a.size)\n"
    elif ndim == 1:
        src = "def impl(a):\n    return a[:]\n"
    else:
        idx = [f"i{k}" for k in range(ndim)]
        dims = [f"a.shape[{k}]" for k in range(ndim)]
        lines = ["def impl(a):"]
        lines += _indent(_loop_nest(dims, idx, [f"yield a[{', '.join(idx)}]"]), 1)
        src = "\n".join(lines) + "\n"
    scope = {"np": np}
    exec(compile(src, f"<ember.npapi flat {ndim}{layout}>", "exec"), scope)
    return scope["impl"]


def flat_typer(arr):
    """The @overload_attribute(types.Array, "flat") typing function (ember/extending.py)."""
    return _flat_impl(arr.ndim, arr.layout)

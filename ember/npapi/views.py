"""Views of an array's data with a new geometry: np.broadcast_to, np.broadcast_arrays,
np.lib.stride_tricks.as_strided and sliding_window_view, a.real / a.imag (and np.real /
np.imag), a.view(dtype), and ``x in a`` (ndarray.__contains__).

Every view is made by one builtin, ``view_of`` (ember/npapi/viewof.py): a's buffer and MemInfo
with a shape, strides, byte offset, dtype, layout and read-only-ness computed here, so a view
keeps its parent alive and writes through it as NumPy's do.  Shapes and strides are computed at
run time by code generated per number of dimensions (the tuples' lengths are known when the
function is compiled), with NumPy 2's errors.

Read-only-ness follows Numba where it differs from NumPy: np.broadcast_to and
np.broadcast_arrays return read-only views (NumPy's broadcast_arrays are still writeable, with a
FutureWarning on write), as_strided and sliding_window_view writeable ones (NumPy's
sliding_window_view is read-only unless writeable=True), and a.imag of a real array is a
read-only array of zeros.  A view of a read-only array is read-only.  A view with the same data,
shape, strides and dtype as an argument goes back to Python as that argument itself (as Numba
returns it), so np.broadcast_to(a, a.shape) is ``a``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import types
from ..extending import overload_attribute, overload_method
from . import Overload, TypingError, absent, overload, unsupported
from .shapes import _generate
from .viewof import view_of


def _compile(params, lines):
    src = f"def impl({params}):\n" + "".join(f"    {ln}\n" for ln in lines)
    return _generate("impl", src, view_of=view_of)


def _tup(items):
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _shape_rank(info, fname, what):
    """The length of a shape argument: an int (-1) or a tuple of ints."""
    if info is not None and info.is_number and info.dtype.kind in "iu":
        return -1
    if (
        info is not None
        and info.kind == "tuple"
        and all(e.is_number and e.dtype.kind in "iu" for e in info.elems)
    ):
        return len(info.elems)
    raise TypingError(f"{fname}(): {what} must be an int or a tuple of ints, not {info}")


def _count(rank):
    return 1 if rank < 0 else rank


def _items(name, rank):
    """The source of each item of an int (rank -1) or tuple argument."""
    return [name] if rank < 0 else [f"{name}[{k}]" for k in range(rank)]


def _broadcast_lines(src, nd, shape, out):
    """Lines setting out0.. to the strides of array `src` (nd dimensions) broadcast to the
    dimensions named by the list `shape` (at least nd of them)."""
    lines = []
    lead = len(shape) - nd
    for k, s in enumerate(shape):
        j = k - lead
        if j < 0:
            lines.append(f"{out}{k} = 0")
            continue
        lines += [
            f"if {src}.shape[{j}] == {s}:",
            f"    {out}{k} = {src}.strides[{j}]",
            f"elif {src}.shape[{j}] == 1:",
            f"    {out}{k} = 0",
            "else:",
            "    raise ValueError('operands could not be broadcast together with remapped "
            "shapes [original->remapped]')",
        ]
    return lines


# ---- np.broadcast_to, np.broadcast_arrays ---------------------------------------------------


@lru_cache(None)
def _broadcast_to_impl(nd, rank, scalar):
    shape = [f"s{k}" for k in range(_count(rank))]
    lines = ["a = np.asarray(array)" if scalar else "a = array"]
    lines += [f"{s} = {item}" for s, item in zip(shape, _items("shape", rank))]
    for s in shape:
        lines += [
            f"if {s} < 0:",
            "    raise ValueError('all elements of broadcast shape must be non-negative')",
        ]
    if nd > len(shape):
        lines.append(
            "raise ValueError('input operand has more dimensions than allowed by the "
            "axis remapping')"
        )
        lines.append("return view_of(a, a.shape, a.strides, 0, None, 'A', True)")
        return _compile("array, shape", lines)
    lines += _broadcast_lines("a", nd, shape, "t")
    strides = [f"t{k}" for k in range(len(shape))]
    lines.append(f"return view_of(a, {_tup(shape)}, {_tup(strides)}, 0, None, 'A', True)")
    return _compile("array, shape", lines)


@overload(np.broadcast_to)
def broadcast_to(array, shape, subok=None):
    if not absent(subok):
        unsupported("np.broadcast_to", "subok=")
    if not (array.is_array or array.is_number):
        unsupported("np.broadcast_to", f"an argument of type {array} (an array or a number)")
    rank = _shape_rank(shape, "np.broadcast_to", "shape")
    nd = array.ndim if array.is_array else 0
    return _broadcast_to_impl(nd, rank, not array.is_array), ("array", "shape")


@lru_cache(None)
def _broadcast_arrays_impl(spec):
    """spec: per argument, (ndim, whether it is a number)."""
    params = [f"x{i}" for i in range(len(spec))]
    lines = [
        f"a{i} = np.asarray(x{i})" if scalar else f"a{i} = x{i}"
        for i, (_, scalar) in enumerate(spec)
    ]
    rank = max([nd for nd, _ in spec] + [0])
    for pos in range(rank):  # pos counts from the right
        lines.append(f"d{pos} = 1")
        for i, (nd, _) in enumerate(spec):
            if pos >= nd:
                continue
            item = f"a{i}.shape[{nd - 1 - pos}]"
            lines += [
                f"if {item} != 1:",
                f"    if d{pos} != 1 and d{pos} != {item}:",
                "        raise ValueError('shape mismatch: objects cannot be broadcast to a "
                "single shape')",
                f"    d{pos} = {item}",
            ]
    shape = [f"d{pos}" for pos in reversed(range(rank))]
    views = []
    for i, (nd, _) in enumerate(spec):
        lines += _broadcast_lines(f"a{i}", nd, shape, f"t{i}_")
        strides = [f"t{i}_{k}" for k in range(rank)]
        views.append(f"view_of(a{i}, {_tup(shape)}, {_tup(strides)}, 0, None, 'A', True)")
    lines.append(f"return {_tup(views)}")
    return _compile(", ".join(params), lines)


@overload(np.broadcast_arrays)
def broadcast_arrays(*args, subok=None):
    if not absent(subok):
        unsupported("np.broadcast_arrays", "subok=")
    spec = []
    for k, info in enumerate(args):
        if not (info.is_array or info.is_number):
            unsupported("np.broadcast_arrays", f"argument {k} of type {info} (arrays and numbers)")
        spec.append((info.ndim if info.is_array else 0, not info.is_array))
    return _broadcast_arrays_impl(tuple(spec)), tuple(f"args[{k}]" for k in range(len(args)))


# ---- as_strided, sliding_window_view ---------------------------------------------------------


@lru_cache(None)
def _as_strided_impl(nd, shape_rank, strides_rank, itemsize):
    """shape_rank / strides_rank: the tuples' lengths, or None when left out."""
    lines = []
    if shape_rank is None:
        shape = [f"x.shape[{k}]" for k in range(nd)]
    else:
        shape = [f"s{k}" for k in range(shape_rank)]
        lines += [f"s{k} = shape[{k}]" for k in range(shape_rank)]
        for s in shape:
            lines += [f"if {s} < 0:", "    raise ValueError('negative dimensions are not allowed')"]
    if strides_rank is None and shape_rank is None:
        strides = [f"x.strides[{k}]" for k in range(nd)]
    elif strides_rank is None:  # NumPy's array interface: C-contiguous strides for the shape
        strides = [f"t{k}" for k in range(len(shape))]
        step = str(itemsize)
        for k in reversed(range(len(shape))):
            lines.append(f"t{k} = {step}")
            step = f"t{k} * {shape[k]}"
    else:
        strides = [f"strides[{k}]" for k in range(strides_rank)]
    if len(strides) != len(shape):
        lines.append("raise ValueError('mismatch in length of strides and shape')")
        strides, shape = [], []
    lines.append(f"return view_of(x, {_tup(shape)}, {_tup(strides)}, 0, None, 'A', False)")
    params = (
        ["x"]
        + (["shape"] if shape_rank is not None else [])
        + (["strides"] if strides_rank is not None else [])
    )
    return _compile(", ".join(params), lines)


def _int_tuple(info, fname, what):
    if absent(info):
        return None
    if info.kind == "tuple" and all(e.is_number and e.dtype.kind in "iu" for e in info.elems):
        return len(info.elems)
    raise TypingError(f"{fname}(): {what} must be a tuple of ints, not {info}")


@overload(np.lib.stride_tricks.as_strided, name="np.lib.stride_tricks.as_strided")
def as_strided(x, shape=None, strides=None, subok=None, writeable=None):
    fname = "np.lib.stride_tricks.as_strided"
    if not x.is_array:
        unsupported(fname, f"'x' of type {x} (an array)")
    if not absent(subok) or not absent(writeable):
        unsupported(fname, "subok= and writeable=")
    shape_rank = _int_tuple(shape, fname, "shape")
    strides_rank = _int_tuple(strides, fname, "strides")
    impl = _as_strided_impl(x.ndim, shape_rank, strides_rank, x.dtype.itemsize)
    passed = (
        ("x",)
        + (("shape",) if shape_rank is not None else ())
        + (("strides",) if strides_rank is not None else ())
    )
    return impl, passed


@lru_cache(None)
def _sliding_impl(nd, wrank, arank):
    """wrank: window_shape's length (-1 an int); arank: axis's (-1 an int, None when None)."""
    windows = [f"w{j}" for j in range(_count(wrank))]
    nw = len(windows)
    lines = [f"{w} = {item}" for w, item in zip(windows, _items("window_shape", wrank))]
    for w in windows:
        lines += [
            f"if {w} < 0:",
            "    raise ValueError('`window_shape` cannot contain negative values')",
        ]
    if arank is None:
        if nw != nd:
            lines.append(
                f"raise ValueError('Since axis is `None`, must provide window_shape for "
                f"all dimensions of `x`; got {nw} window_shape elements and `x.ndim` "
                f"is {nd}.')"
            )
            nw = 0
        axes = [str(j) for j in range(nw)]
    else:
        axes = [f"ax{j}" for j in range(_count(arank))]
        for ax, item in zip(axes, _items("axis", arank)):
            lines += [
                f"{ax} = {item}",
                f"if {ax} < -{nd} or {ax} >= {nd}:",
                f"    raise np.exceptions.AxisError({ax}, {nd})",
                f"if {ax} < 0:",
                f"    {ax} += {nd}",
            ]
        if len(axes) != nw:
            lines.append(
                f"raise ValueError('Must provide matching length window_shape and axis; "
                f"got {nw} window_shape elements and {len(axes)} axes elements.')"
            )
            nw = 0
    windows, axes = windows[:nw], axes[:nw]
    lines += [f"s{k} = x.shape[{k}]" for k in range(nd)]
    for j, (w, ax) in enumerate(zip(windows, axes)):
        lines.append(f"u{j} = 0")
        for k in range(nd):
            lines += [
                f"if {ax} == {k}:",
                f"    if s{k} < {w}:",
                "        raise ValueError('window shape cannot be larger than input array shape')",
                f"    s{k} -= {w} - 1",
                f"    u{j} = x.strides[{k}]",
            ]
    shape = [f"s{k}" for k in range(nd)] + windows
    strides = [f"x.strides[{k}]" for k in range(nd)] + [f"u{j}" for j in range(nw)]
    lines.append(f"return view_of(x, {_tup(shape)}, {_tup(strides)}, 0, None, 'A', False)")
    return _compile("x, window_shape" + (", axis" if arank is not None else ""), lines)


@overload(np.lib.stride_tricks.sliding_window_view, name="np.lib.stride_tricks.sliding_window_view")
def sliding_window_view(x, window_shape, axis=None, subok=None, writeable=None):
    fname = "np.lib.stride_tricks.sliding_window_view"
    if not x.is_array:
        unsupported(fname, f"'x' of type {x} (an array)")
    if not absent(subok) or not absent(writeable):
        unsupported(fname, "subok= and writeable=")
    wrank = _shape_rank(window_shape, fname, "window_shape")
    arank = None if absent(axis) else _shape_rank(axis, fname, "axis")
    passed = ("x", "window_shape") + (("axis",) if arank is not None else ())
    return _sliding_impl(x.ndim, wrank, arank), passed


# ---- a.real, a.imag, np.real, np.imag --------------------------------------------------------


def _np_dtype(t):
    """The NumPy dtype of an ember scalar type, or None (datetimes, records)."""
    try:
        dt = np.dtype(str(t))
    except TypeError:
        return None
    return dt if dt.kind in "biufc" else None


@lru_cache(None)
def _part_impl(part, complex_dtype):
    if complex_dtype is None:
        if part == "real":
            return lambda a: a
        src = [
            "z = np.zeros(a.shape, a.dtype)",
            "return view_of(z, z.shape, z.strides, 0, None, 'C', True)",
        ]
        return _compile("a", src)
    real = np.dtype(complex_dtype).char.lower()
    name = {"f": "float32", "d": "float64"}[real]
    offset = 0 if part == "real" else np.dtype(name).itemsize
    return _compile(
        "a", [f"return view_of(a, a.shape, a.strides, {offset}, np.{name}, 'A', False)"]
    )


def _part_typer(part):
    def typer(a):
        dt = _np_dtype(a.dtype)
        if dt is None:
            raise TypingError(
                f"a.{part} of an array of {a.dtype} is not supported in compiled "
                "code (arrays of numbers)"
            )
        return _part_impl(part, dt.name if dt.kind == "c" else None)

    return typer


overload_attribute(types.Array, "real")(_part_typer("real"))
overload_attribute(types.Array, "imag")(_part_typer("imag"))


@overload(np.real)
def real(val):
    if not (val.is_array or val.is_number):
        unsupported("np.real", f"an argument of type {val}")
    return _generate("impl", "def impl(val):\n    return val.real\n"), ("val",)


@overload(np.imag)
def imag(val):
    if not (val.is_array or val.is_number):
        unsupported("np.imag", f"an argument of type {val}")
    return _generate("impl", "def impl(val):\n    return val.imag\n"), ("val",)


# ---- a.view(dtype) ---------------------------------------------------------------------------


@lru_cache(None)
def _view_impl(nd, layout, old, new):
    """old, new: the dtypes' names."""
    new_dt, old_size = np.dtype(new), np.dtype(old).itemsize
    size = new_dt.itemsize
    target = f"np.{new_dt.name}" if new_dt.kind != "b" else "np.bool_"
    if size == old_size:
        return _compile(
            "a", [f"return view_of(a, a.shape, a.strides, 0, {target}, '{layout}', False)"]
        )
    if nd == 0:
        return _compile(
            "a",
            [
                "raise ValueError('Changing the dtype of a 0d array is only supported if the "
                "itemsize is unchanged')",
                f"return view_of(a, a.shape, a.strides, 0, {target}, 'A', False)",
            ],
        )
    last = nd - 1
    lines = [
        f"n = a.shape[{last}]",
        f"if n != 1 and a.size != 0 and a.strides[{last}] != {old_size}:",
        "    raise ValueError('To change to a dtype of a different size, the last axis "
        "must be contiguous')",
    ]
    if size < old_size:
        if old_size % size:
            lines.append(
                "raise ValueError('When changing to a smaller dtype, its size must be a "
                "divisor of the size of original dtype')"
            )
        lines.append(f"m = n * {old_size // size}")
    else:
        lines += [
            f"if (n * {old_size}) % {size} != 0:",
            "    raise ValueError('When changing to a larger dtype, its size must be a "
            "divisor of the total size in bytes of the last axis of the array.')",
            f"m = (n * {old_size}) // {size}",
        ]
    shape = [f"a.shape[{k}]" for k in range(last)] + ["m"]
    strides = [f"a.strides[{k}]" for k in range(last)] + [str(size)]
    layout = "C" if layout == "C" else "A"  # the last axis stays contiguous; F's may not
    lines.append(
        f"return view_of(a, {_tup(shape)}, {_tup(strides)}, 0, {target}, '{layout}', False)"
    )
    return _compile("a", lines)


def _view_selector(a, dtype):
    """The dtype (a NumPy type or a string, known when compiling) picks the implementation,
    which takes the array alone."""
    new = None
    if dtype.kind == "class":
        new = dtype.dtype
    elif dtype.kind == "str":
        try:
            new = np.dtype(dtype.value)
        except TypeError:
            new = None
    old = a.dtype
    if new is None or new.kind not in "biufc" or old.kind not in "biufc":
        raise TypingError(
            f"a.view() of an array of {old} as {dtype} is not supported in "
            "compiled code (arrays of numbers, viewed as a NumPy number type such "
            "as np.int32)"
        )
    return _view_impl(a.ndim, a.layout, old.name, new.name), ("a",)


_view_overload = Overload(np.ndarray.view, _view_selector, "ndarray.view")


@overload_method(types.Array, "view")
def _view(a, dtype):
    return _view_overload  # a selector: the dtype reaches no compiled code


# ---- x in a ----------------------------------------------------------------------------------


@lru_cache(None)
def _contains_impl(array_key):
    if array_key:
        return _compile("a, x", ["return (a == x).any()"])
    return _compile(
        "a, x", ["for v in a.flat:", "    if v == x:", "        return True", "return False"]
    )


@overload_method(types.Array, "__contains__")
def _contains(a, x):
    if isinstance(x, types.Array):
        return _contains_impl(True)
    if isinstance(x, (types.Number, types.Boolean)):
        return _contains_impl(False)
    raise TypingError(f"`x in a` for an array is supported with a number or an array as x, not {x}")

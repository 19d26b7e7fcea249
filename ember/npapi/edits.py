"""NumPy functions that build a new array by removing or adding elements, or that compute
index grids and shapes: np.delete and np.insert (Numba's forms: the array flattened, an int
or an array of ints for obj), np.indices, np.broadcast_shapes.  NumPy's errors: an index out
of bounds is an IndexError, shapes that do not broadcast a ValueError.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..decorators import jit
from . import TypingError, overload, unsupported
from .shapes import _generate


@jit
def _delete_one(arr, obj):
    flat = arr.ravel()
    n = flat.shape[0]
    if obj < -n or obj >= n:
        raise IndexError("index out of bounds for np.delete()")
    k = obj + n if obj < 0 else obj
    out = np.empty(n - 1, flat.dtype)
    out[:k] = flat[:k]
    out[k:] = flat[k + 1:]
    return out


@jit
def _delete_many(arr, obj):
    flat = arr.ravel()
    n = flat.shape[0]
    keep = np.ones(n, np.bool_)
    for i in obj.ravel():
        if i < -n or i >= n:
            raise IndexError("index out of bounds for np.delete()")
        keep[i + n if i < 0 else i] = False
    return flat[keep]


@overload(np.delete)
def delete(arr, obj, axis=None):
    if arr is None or not arr.is_array:
        unsupported("np.delete", f"'arr' of type {arr}")
    if axis is not None and axis.kind != "none":
        unsupported("np.delete", "axis=")
    if obj is not None and obj.is_number and obj.dtype.kind in "iu":
        return _delete_one, ("arr", "obj")
    if obj is not None and obj.is_array and obj.dtype.kind in "iu":
        return _delete_many, ("arr", "obj")
    unsupported("np.delete", f"obj of type {obj} (an int or an array of ints is supported)")


@lru_cache(None)
def _insert_impl(values_array):
    fill = ["    m = vals.shape[0]"] if values_array else ["    m = 1"]
    store = "out[k:k + m] = vals" if values_array else "out[k] = values"
    lines = ["def impl(arr, obj, values):",
             "    flat = arr.ravel()",
             "    n = flat.shape[0]",
             "    if obj < -n or obj > n:",
             "        raise IndexError('index out of bounds for np.insert()')",
             "    k = obj + n if obj < 0 else obj"]
    if values_array:
        lines += ["    vals = values.ravel()"]
    lines += fill + ["    out = np.empty(n + m, flat.dtype)",
                     "    out[:k] = flat[:k]",
                     f"    {store}",
                     "    out[k + m:] = flat[k:]",
                     "    return out"]
    return _generate("impl", "\n".join(lines) + "\n")


@overload(np.insert)
def insert(arr, obj, values, axis=None):
    if arr is None or not arr.is_array:
        unsupported("np.insert", f"'arr' of type {arr}")
    if axis is not None and axis.kind != "none":
        unsupported("np.insert", "axis=")
    if obj is None or not (obj.is_number and obj.dtype.kind in "iu"):
        unsupported("np.insert", f"obj of type {obj} (an int is supported)")
    if values is None or not (values.is_array or values.is_number):
        unsupported("np.insert", f"values of type {values}")
    return _insert_impl(values.is_array), ("arr", "obj", "values")


@lru_cache(None)
def _indices_impl(k):
    dims = ", ".join(f"dimensions[{j}]" for j in range(k))
    lines = ["def impl(dimensions):",
             f"    shape = ({dims},)",
             "    total = 1",
             "    for d in shape:",
             "        if d < 0:",
             "            raise ValueError('negative dimensions are not allowed')",
             "        total *= d",
             f"    out = np.empty(({k}, total), np.int64)",
             "    for flat in range(total):",
             "        rest = flat"]
    for j in reversed(range(k)):
        lines += [f"        out[{j}, flat] = rest % shape[{j}]",
                  f"        rest //= shape[{j}]"]
    lines.append(f"    return out.reshape(({k},) + shape)")
    return _generate("impl", "\n".join(lines) + "\n")


@overload(np.indices)
def indices(dimensions, dtype=None, sparse=None):
    if dtype is not None and dtype.kind != "none":
        unsupported("np.indices", "dtype=")
    if sparse is not None and sparse.kind != "none":
        unsupported("np.indices", "sparse=")
    if dimensions is None or dimensions.kind != "tuple" or not all(
            e.is_number and e.dtype.kind in "iu" for e in dimensions.elems):
        raise TypingError(f"np.indices(): dimensions must be a tuple of ints, not {dimensions}")
    return _indices_impl(len(dimensions.elems)), ("dimensions",)


@lru_cache(None)
def _broadcast_shapes_impl(ranks):
    """ranks: per argument, the length of its shape tuple (-1 for a bare int)."""
    params = [f"s{i}" for i in range(len(ranks))]
    rank = max([1 if r < 0 else r for r in ranks] + [0])
    lines = [f"def impl({', '.join(params)}):"]
    result = []
    for pos in range(rank):  # pos counts from the right
        lines.append(f"    d{pos} = 1")
        for p, r in zip(params, ranks):
            width = 1 if r < 0 else r
            if pos >= width:
                continue
            item = p if r < 0 else f"{p}[{width - 1 - pos}]"
            lines += [f"    if {item} < 0:",
                      "        raise ValueError('negative dimensions are not allowed')",
                      f"    if {item} != 1:",
                      f"        if d{pos} != 1 and d{pos} != {item}:",
                      "            raise ValueError('shape mismatch: objects cannot be "
                      "broadcast to a single shape')",
                      f"        d{pos} = {item}"]
        result.insert(0, f"d{pos}")
    lines.append(f"    return ({', '.join(result)}{',' if len(result) == 1 else ''})")
    return _generate("impl", "\n".join(lines) + "\n")


def _broadcast_shapes(*given):
    args = [a for a in given if a is not None]
    ranks = []
    for a in args:
        if a.is_number and a.dtype.kind in "iu":
            ranks.append(-1)
        elif a.kind == "tuple" and all(e.is_number and e.dtype.kind in "iu" for e in a.elems):
            ranks.append(len(a.elems))
        else:
            raise TypingError(f"np.broadcast_shapes(): a shape must be a tuple of ints or an "
                              f"int, not {a}")
    return _broadcast_shapes_impl(tuple(ranks)), tuple(f"a{i}" for i in range(len(args)))


# Overload binds arguments by the selector's signature: up to eight shapes, by position.
_MAX_SHAPES = 8
_scope = {"select": _broadcast_shapes}
exec("def broadcast_shapes(" + ", ".join(f"a{i}=None" for i in range(_MAX_SHAPES)) + "):\n"
     "    return select(" + ", ".join(f"a{i}" for i in range(_MAX_SHAPES)) + ")\n", _scope)
overload(np.broadcast_shapes)(_scope["broadcast_shapes"])

"""np.split, np.array_split, np.hsplit, np.vsplit and np.dsplit: a list of views of an array
cut along one axis, at a number of (nearly) equal sections or at given indices (a tuple, list
or 1-d integer array), with NumPy's rules: np.split's sections must divide the axis evenly
(ValueError otherwise), indices past the end give empty pieces, and the h/v/d forms choose
the axis from the array's ndim.  A run-time axis= (2-d arrays) is brought to the front with
np.swapaxes and each piece swapped back, so the pieces stay views.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import TypingError, absent, overload, unsupported
from .shapes import _generate


@lru_cache(None)
def _split_impl(by_sections, equal, lead, swap):
    """The split along axis `lead` (known when compiling: the cut is b[:, ..., start:stop]),
    or, when `swap`, along a run-time axis of a 2-d array brought to the front."""
    cut = "b[" + ":, " * lead + "{0}]"
    lines = ["def impl(ary, cuts, axis):",
             "    b = np.swapaxes(ary, axis, 0)" if swap else "    b = ary",
             f"    n = b.shape[{lead}]",
             "    pieces = [" + cut.format("0:0") + "]",
             "    pieces.pop()"]
    if by_sections:
        lines += ["    if cuts <= 0:",
                  "        raise ValueError('number sections must be larger than 0.')",
                  "    each, extras = divmod(n, cuts)"]
        if equal:
            lines += ["    if extras != 0:",
                      "        raise ValueError('array split does not result in an equal "
                      "division')"]
        lines += ["    start = 0",
                  "    for k in range(cuts):",
                  "        stop = start + each + (1 if k < extras else 0)",
                  "        pieces.append(" + cut.format("start:stop") + ")",
                  "        start = stop"]
    else:  # Python's slicing of consecutive cut points, negative ones and all, as NumPy
        lines += ["    start = 0",
                  "    for c in cuts:",
                  "        pieces.append(" + cut.format("start:c") + ")",
                  "        start = c",
                  "    pieces.append(" + cut.format("start:") + ")"]
    if swap:
        lines += ["    out = [np.swapaxes(p, 0, axis) for p in pieces]", "    return out"]
    else:
        lines += ["    return pieces"]
    return _generate("impl", "\n".join(lines) + "\n")


@lru_cache(None)
def _fixed_axis(impl, axis):
    return _generate("fixed", f"def fixed(ary, cuts):\n    return impl(ary, cuts, {axis})\n",
                     impl=impl)


def _cuts(info, fname):
    if info is None:
        raise TypingError(f"{fname}(): indices_or_sections is required")
    if info.is_number and info.dtype.kind in "iu":
        return True
    if info.is_array and info.ndim == 1 and info.dtype.kind in "iu":
        return False
    if info.kind == "tuple" and all(e.is_number and e.dtype.kind in "iu" for e in info.elems):
        return False
    if info.kind == "list":
        return False
    unsupported(fname, f"indices_or_sections of type {info}")


def _select(fname, equal, ary, cuts, axis):
    if ary is None or not ary.is_array:
        unsupported(fname, f"'ary' of type {ary}")
    by_sections = _cuts(cuts, fname)
    if absent(axis):
        return _fixed_axis(_split_impl(by_sections, equal, 0, False), 0), ("ary", "cuts")
    if not (axis.is_number and axis.dtype.kind in "iu"):
        raise TypingError(f"{fname}(): axis must be an integer, not {axis}")
    if ary.ndim > 2:
        unsupported(fname, "axis= on an array of more than 2 dimensions")
    return _split_impl(by_sections, equal, 0, ary.ndim > 1), ("ary", "cuts", "axis")


@overload(np.array_split)
def array_split(ary, indices_or_sections, axis=None):
    impl, names = _select("np.array_split", False, ary, indices_or_sections, axis)
    return impl, tuple("indices_or_sections" if n == "cuts" else n for n in names)


@overload(np.split)
def split(ary, indices_or_sections, axis=None):
    impl, names = _select("np.split", True, ary, indices_or_sections, axis)
    return impl, tuple("indices_or_sections" if n == "cuts" else n for n in names)


def _fixed(fname, ary, cuts, axis, min_ndim):
    if ary is None or not ary.is_array:
        unsupported(fname, f"'ary' of type {ary}")
    if ary.ndim < min_ndim:
        raise TypingError(f"{fname}() only works on arrays of {min_ndim} or more dimensions")
    by_sections = _cuts(cuts, fname)
    return _fixed_axis(_split_impl(by_sections, True, axis, False), axis), \
        ("ary", "indices_or_sections")


@overload(np.hsplit)
def hsplit(ary, indices_or_sections):
    axis = 1 if ary is not None and ary.is_array and ary.ndim > 1 else 0
    return _fixed("np.hsplit", ary, indices_or_sections, axis, 1)


@overload(np.vsplit)
def vsplit(ary, indices_or_sections):
    return _fixed("np.vsplit", ary, indices_or_sections, 0, 2)


@overload(np.dsplit)
def dsplit(ary, indices_or_sections):
    return _fixed("np.dsplit", ary, indices_or_sections, 2, 3)

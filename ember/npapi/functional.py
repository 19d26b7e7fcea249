"""Python's map() and filter() in compiled code, as compiled generator functions (design.md §12).

``map(f, a, b, ...)`` yields ``f(x, y, ...)`` over the iterables zipped together (stopping at
the shortest, as Python's), ``filter(f, a)`` the items of ``a`` for which ``f(x)`` is true and
``filter(None, a)`` the true items.  ``f`` is a jitted function, a lambda or an inner function
(closures included): the generator is specialized for it, as any jitted callee taking a
function.  The result is a generator, so ``for``, ``list()``, ``sum()``, ``next()`` and the
other consumers of iterables take it.
"""

from __future__ import annotations

import functools

from . import TypingError, absent, overload
from .shapes import _generate


@functools.lru_cache(None)
def _map_impl(n):
    xs = [f"x{k}" for k in range(n)]
    if n == 1:
        loop = "    for x0 in it0:\n"
    else:
        loop = f"    for {', '.join(xs)} in zip({', '.join(f'it{k}' for k in range(n))}):\n"
    params = ", ".join(["func"] + [f"it{k}" for k in range(n)])
    return _generate("impl", f"def impl({params}):\n{loop}        yield func({', '.join(xs)})\n")


@overload(map, name="map")
def map_(func, *iterables):
    if not iterables:
        raise TypingError("map() must have at least two arguments.")
    if absent(func):
        raise TypingError("map(): the function must be a jitted function or a lambda, not None")
    return _map_impl(len(iterables)), ("func",) + tuple(
        f"iterables[{k}]" for k in range(len(iterables))
    )


@functools.lru_cache(None)
def _filter_impl(with_function):
    test = "func(x)" if with_function else "x"
    params = "func, it" if with_function else "it"
    return _generate(
        "impl", f"def impl({params}):\n    for x in it:\n        if {test}:\n            yield x\n"
    )


@overload(filter, name="filter")
def filter_(function, iterable):
    if absent(function):  # filter(None, a): the true items
        return _filter_impl(False), ("iterable",)
    return _filter_impl(True), ("function", "iterable")

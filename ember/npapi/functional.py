"""Python's map(), filter() and reversed() in compiled code, as compiled generator functions
(design.md §12).

``map(f, a, b, ...)`` yields ``f(x, y, ...)`` over the iterables zipped together (stopping at
the shortest, as Python's), ``filter(f, a)`` the items of ``a`` for which ``f(x)`` is true and
``filter(None, a)`` the true items.  ``f`` is a jitted function, a lambda or an inner function
(closures included): the generator is specialized for it, as any jitted callee taking a
function.  The result is a generator, so ``for``, ``list()``, ``sum()``, ``next()`` and the
other consumers of iterables take it.

``reversed(seq)`` of an array (its first axis: a 2-D array's rows), a tuple of one item type, a
string or a range is a generator indexing ``seq`` from its end; of a list it is the compiler's
own reversed list iterator (reached under the name ``list_reversed``: ember/values.py freezes
``reversed`` to this overload rather than to the builtin).
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


def list_reversed(seq):
    """The compiler's reversed() of a list (a second name for it: ember/values.py)."""
    raise RuntimeError("ember.npapi.functional.list_reversed runs only in compiled code")


@functools.lru_cache(None)
def _reversed_impl(kind):
    if kind == "list":
        return _generate(
            "impl", "def impl(seq):\n    for x in list_reversed(seq):\n        yield x\n",
            list_reversed=list_reversed,
        )
    if kind == "range":
        return _generate(
            "impl",
            # (a range's start and step read from its first two items)
            "def impl(seq):\n    n = len(seq)\n    if n > 0:\n        it = iter(seq)\n"
            "        first = next(it)\n        step = next(it) - first if n > 1 else 1\n"
            "        for k in range(n - 1, -1, -1):\n            yield first + k * step\n",
        )
    # a sequence indexed from its end: an array's first axis (rows of a 2-D array), a tuple of
    # one item type, a string, a range
    return _generate(
        "impl", "def impl(seq):\n    for i in range(len(seq) - 1, -1, -1):\n        yield seq[i]\n"
    )


@overload(reversed, name="reversed")
def reversed_(seq):
    if seq.kind == "list":
        return _reversed_impl("list"), ("seq",)
    if seq.text == "range":
        return _reversed_impl("range"), ("seq",)
    if seq.is_array and seq.ndim == 0:
        raise TypingError("reversed() of a 0-d array: iteration over a 0-d array")
    if seq.kind == "tuple" and len({(e.kind, e.dtype, e.text) for e in seq.elems}) > 1:
        raise TypingError(
            f"reversed() of a tuple of mixed types ({seq.text}): its items would need one type "
            "(reverse it with a constant index, or loop with literal_unroll)"
        )
    return _reversed_impl("seq"), ("seq",)

"""Why ember refuses to load in a sub-interpreter (PEP 684/734), checked before anything native.

ember runs in the main interpreter only.  ``import ember`` in any other interpreter (one with
its own GIL, or a legacy one sharing the main GIL) raises ``SubinterpreterImportError``
before NumPy or ember's native modules are touched: left to themselves they fail with NumPy's
unrelated install advice ("does not support loading in subinterpreters", "cannot load module
more than once per process") or, on 3.11, hang.  What support would take is in
docs/design.md §15 ("Sub-interpreters").
"""
from __future__ import annotations

WHY = (
    "ember cannot be imported in a sub-interpreter (PEP 684/734): it runs in the main "
    "interpreter only.  NumPy, whose C API ember's native modules and compiled code use, does "
    "not support sub-interpreters (its _multiarray_umath refuses to load in one with its own "
    "GIL, and to load twice in a process), and ember's native modules keep process-global "
    "Python objects (static types such as the dispatcher's, the typed.List/Dict classes, "
    "cached module references) and declare no multi-interpreter support.  For parallel Python "
    "use threads with nogil=True or parallel=True, or processes (multiprocessing, "
    "concurrent.futures, Dask): jitted functions pickle and share the on-disk cache.")


class SubinterpreterImportError(ImportError):
    """``import ember`` ran in an interpreter other than the main one."""


def in_subinterpreter() -> bool:
    """Whether this code runs in an interpreter other than the process's main one."""
    import _thread
    is_main = getattr(_thread, "_is_main_interpreter", None)  # 3.12+, no import needed
    if is_main is not None:
        return not is_main()
    try:  # 3.11: its sub-interpreters share the main GIL, but ember still cannot load in them
        import _xxsubinterpreters as interpreters
    except ImportError:
        return False
    return interpreters.get_current() != interpreters.get_main()


def require_main_interpreter() -> None:
    if in_subinterpreter():
        raise SubinterpreterImportError(WHY, name="ember")


require_main_interpreter()  # on import: ember/__init__.py imports this first

"""Whether ember runs in a sub-interpreter (PEP 684/734), checked before anything native loads:
there ``import ember`` imports a light set (ember/_subinterpreter.py) instead of NumPy and the
pybind11 modules, which cannot load in an interpreter with its own GIL.
"""

from __future__ import annotations


def in_subinterpreter() -> bool:
    """Whether this code runs in an interpreter other than the process's main one."""
    import _thread

    is_main = getattr(_thread, "_is_main_interpreter", None)  # 3.12+, no import needed
    if is_main is not None:
        return not is_main()
    try:  # 3.11: its sub-interpreters share the main GIL
        import _xxsubinterpreters as interpreters
    except ImportError:
        return False
    return interpreters.get_current() != interpreters.get_main()

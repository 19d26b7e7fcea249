"""``@jit`` / ``@njit`` and ``prange``, with Numba's spellings.

    @jit                                  compile on each new argument signature
    @jit(nogil=True, fastmath=True)       with options
    @jit("float64(float64[:], int64)")    compile eagerly, for these signatures only
    @jit(["f8(f8)", "f4(f4)"], cache=True)

nopython mode is the only mode: ``nopython=True`` is accepted, ``nopython=False`` and
``forceobj=True`` raise UnsupportedError.
"""
from __future__ import annotations

from .dispatcher import JitFunction, Options
from .errors import UnsupportedError

__all__ = ["jit", "njit", "prange"]

_KNOWN = {"nopython", "nogil", "cache", "parallel", "fastmath", "boundscheck", "error_model",
          "forceobj", "looplift", "locals", "inline", "no_cpython_wrapper", "no_cfunc_wrapper",
          "debug", "_nrt"}


def apply_decorator(wrap, signature_or_function, name: str):
    """`@name`, `@name(...)` and `@name("sig")` / `@name(["sig", ...])`: wrap(fn, signatures)
    now for a function, else a decorator that will call it."""
    if callable(signature_or_function) and hasattr(signature_or_function, "__code__"):
        return wrap(signature_or_function, ())
    from .types import Signature
    sigs = signature_or_function
    if sigs is None:
        sigs = ()
    elif isinstance(sigs, (str, Signature)):  # "f8(i8[:])" or float64(int64[:])
        sigs = (sigs,)
    elif isinstance(sigs, (list, tuple)) and all(isinstance(s, (str, Signature)) for s in sigs):
        sigs = tuple(sigs)
    else:
        raise TypeError(f"{name} takes a function, a signature string or a list of them, not "
                        f"{type(sigs).__name__}")
    return lambda fn: wrap(fn, sigs)


def jit(signature_or_function=None, **options):
    """Compiles a Python function to native code (Numba's ``numba.jit`` in nopython mode)."""
    unknown = set(options) - _KNOWN
    if unknown:
        raise TypeError(f"jit() got unexpected options: {', '.join(sorted(unknown))}")
    if options.get("nopython", True) is False or options.get("forceobj", False):
        raise UnsupportedError("ember compiles in nopython mode only: object mode "
                               "(nopython=False, forceobj=True) is not supported")
    if options.get("locals"):
        raise UnsupportedError("jit(locals=...) is not supported yet")
    opts = Options(**{k: v for k, v in options.items() if k in Options.__slots__})

    def wrap(fn, signatures):
        if not hasattr(fn, "__code__"):
            raise TypeError(f"jit() expects a Python function, not {type(fn).__name__}")
        return JitFunction(fn, opts, signatures).dispatcher

    return apply_decorator(wrap, signature_or_function, "jit()")


njit = jit


def prange(*args):
    """range() that ``parallel=True`` runs in parallel; in Python, just range()."""
    return range(*args)

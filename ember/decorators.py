"""``@jit`` / ``@njit`` and ``prange``, with Numba's spellings.

    @jit                                  compile on each new argument signature
    @jit(nogil=True, fastmath=True)       with options
    @jit("float64(float64[:], int64)")    compile eagerly, for these signatures only
    @jit(["f8(f8)", "f4(f4)"], cache=True)

Object mode as Numba's without loop lifting: ``forceobj=True`` runs the function in the
interpreter; ``nopython=False`` compiles it when it can and runs it in the interpreter when
compiling fails for its arguments.  ``jit_module(**options)`` jits every function of the module
that calls it.
"""
from __future__ import annotations

import functools
import sys

from .dispatcher import JitFunction, Options
from .errors import TypingError, UnsupportedError

__all__ = ["jit", "njit", "prange", "jit_module"]

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
    if options.get("forceobj", False):
        return apply_decorator(lambda fn, _sigs: ObjectModeFunction(fn), signature_or_function,
                               "jit()")
    if options.get("nopython", True) is False:
        compiled = jit(**{k: v for k, v in options.items() if k != "nopython"})
        return apply_decorator(lambda fn, sigs: FallbackFunction(fn, compiled(*sigs)(fn) if sigs
                                                                  else compiled(fn)),
                               signature_or_function, "jit()")
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


class ObjectModeFunction:
    """``jit(forceobj=True)``: the function runs in the interpreter (Numba's object mode
    without loop lifting, which gains nothing over Python either); nothing is compiled."""

    def __init__(self, fn):
        if not hasattr(fn, "__code__"):
            raise TypeError(f"jit() expects a Python function, not {type(fn).__name__}")
        functools.update_wrapper(self, fn)
        self.py_func = fn
        self.signatures = []
        self.nopython_signatures = []

    def __call__(self, *args, **kwargs):
        return self.py_func(*args, **kwargs)


class FallbackFunction(ObjectModeFunction):
    """``jit(nopython=False)``: compiled for the arguments it can be compiled for; for those
    where typing fails (a TypingError or UnsupportedError while compiling), the interpreter
    runs it, as Numba falls back to object mode."""

    def __init__(self, fn, dispatcher):
        super().__init__(fn)
        self.dispatcher = dispatcher
        self._interpreted = set()  # argument types compiling failed for

    def __call__(self, *args, **kwargs):
        key = tuple(type(a) for a in args) if not kwargs else None
        if key is not None and key in self._interpreted:
            return self.py_func(*args)
        compiles_before = len(self.dispatcher.signatures)
        try:
            return self.dispatcher(*args, **kwargs)
        except (TypingError, UnsupportedError):
            if len(self.dispatcher.signatures) != compiles_before:
                raise  # raised by compiled code that did compile: not a typing failure
            if key is not None:
                self._interpreted.add(key)
            return self.py_func(*args, **kwargs)

    @property
    def signatures(self):
        return self.dispatcher.signatures

    @signatures.setter
    def signatures(self, value):
        pass


def jit_module(**options):
    """Numba's ``jit_module``: called at the end of a module, replaces each function defined in
    that module by ``jit(**options)`` of it (functions imported from elsewhere are left)."""
    module_globals = sys._getframe(1).f_globals
    name = module_globals.get("__name__")
    jitted = jit(**options)
    for attr, value in list(module_globals.items()):
        if (type(value).__name__ == "function" and getattr(value, "__module__", None) == name
                and not attr.startswith("__")):
            module_globals[attr] = jitted(value)

"""ember: a Numba-compatible array JIT for Python with a C++ core.

    import ember

    @ember.jit
    def saxpy(a, x, y, out):
        for i in range(x.shape[0]):
            out[i] = a * x[i] + y[i]

The function compiles on its first call for the types it gets, to vectorized native code, and
the compiled code is reused for every later call with those types.  See docs/design.md.
"""
import os as _os

from ._interpreters import in_subinterpreter as _in_subinterpreter

_SUBINTERPRETER = _in_subinterpreter()  # PEP 684/734: see ember/_subinterpreter.py

# EMBER_NATIVE_DIR: load the native modules (_ember, _compiler) from another build of them,
# e.g. the AddressSanitizer build `make asan` makes beside the normal one.
if _os.environ.get("EMBER_NATIVE_DIR"):
    __path__.insert(0, _os.environ["EMBER_NATIVE_DIR"])

# Pure Python: the errors and the types load in any interpreter.
from . import types  # noqa: E402
from .errors import (  # noqa: E402
    EmberError,
    InternalError,
    SubinterpreterError,
    TypingError,
    UnsupportedError,
)
from .types import (  # noqa: E402
    b1,
    bool_,
    boolean,
    byte,
    c8,
    c16,
    complex64,
    complex128,
    deferred_type,
    double,
    f4,
    f8,
    float32,
    float64,
    float_,
    i1,
    i2,
    i4,
    i8,
    int8,
    int16,
    int32,
    int64,
    int_,
    intp,
    none,
    optional,
    typeof,
    u1,
    u2,
    u4,
    u8,
    uint8,
    uint16,
    uint32,
    uint64,
    uintp,
    unicode_type,
    void,
)

if _SUBINTERPRETER:
    # PEP 684/734: NumPy and the pybind11 modules cannot load here; jit, njit and cfunc run the
    # code the main interpreter compiled (ember/_subinterpreter.py).
    from ._subinterpreter import cfunc, jit, njit, prange
    from ._subinterpreter import missing as _missing

    def __getattr__(name):
        raise _missing(name)
else:
    from . import config, typed  # noqa: F401  (typed registers the classes containers box as)
    from ._ember import get_num_threads, get_thread_id, set_num_threads
    from ._objmode import objmode
    from .decorators import jit, jit_module, njit, prange


def cache_info(roots=None):
    """The on-disk cache's entries (count, bytes) and this process's hits, misses and stores
    (ember/cache.py; ``python -m ember.cache list|size|clear`` on the command line)."""
    from .cache import cache_info as info
    return info(roots)


def _lazy_attribute(name):  # PEP 562: the ufunc builders import numpy's ufunc machinery lazily
    if name in ("vectorize", "guvectorize", "DUFunc"):
        from . import ufunc
        return getattr(ufunc, name)
    if name == "stencil":  # ember/stencils.py builds its loops with the ast module
        from .stencils import stencil
        return stencil
    if name in ("cfunc", "carray", "farray"):  # ctypes is imported with them
        from . import ccallback
        return getattr(ccallback, name)
    if name == "literal_unroll":  # the NIS rewrite lives beside it (ember/unroll.py)
        from .unroll import literal_unroll
        return literal_unroll
    if name == "literally":  # per-value compilation (ember/literal_args.py)
        from .literal_args import literally
        return literally
    if name == "jitclass":  # ember/jitclasses.py (also ember.experimental.jitclass)
        from .jitclasses import jitclass
        return jitclass
    if name == "experimental":
        from . import experimental
        return experimental
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


if not _SUBINTERPRETER:
    __getattr__ = _lazy_attribute


__version__ = "0.1.0"
__all__ = ["cache_info", "config", "jit", "jit_module", "njit", "prange", "vectorize",
           "guvectorize", "literal_unroll", "literally",
           "stencil", "objmode", "cfunc", "carray", "farray", "jitclass", "deferred_type",
           "optional",
           "set_num_threads",
           "get_num_threads", "get_thread_id", "EmberError", "TypingError",
           "UnsupportedError", "InternalError", "__version__", "typed", "types", "typeof",
           "boolean", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "intp", "uintp", "float32", "float64", "complex64", "complex128", "none",
           "void", "unicode_type", "b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4",
           "f8", "c8", "c16", "byte", "int_", "float_", "double", "SubinterpreterError"]
if _SUBINTERPRETER:
    __all__ = [n for n in __all__ if n in globals()]

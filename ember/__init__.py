"""ember: a Numba-compatible array JIT for Python with a C++ core.

    import ember

    @ember.jit
    def saxpy(a, x, y, out):
        for i in range(x.shape[0]):
            out[i] = a * x[i] + y[i]

The function compiles on its first call for the types it gets, to vectorized native code, and
the compiled code is reused for every later call with those types.  See docs/design.md.
"""
from .decorators import jit, njit, prange
from .errors import EmberError, InternalError, TypingError, UnsupportedError

__version__ = "0.1.0"
__all__ = ["jit", "njit", "prange", "EmberError", "TypingError", "UnsupportedError",
           "InternalError", "__version__"]

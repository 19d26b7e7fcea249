"""The LAPACK routines ember's np.linalg calls from compiled code (ir/Builtins.def): names only.

Compiled code calls these as builtins (typeinfer/LinalgRules.cpp, runtime/Lapack.cpp) with
C-contiguous buffers holding column-major matrices and their sizes; ember/npapi/linalg.py is
their only caller.  ``register()`` hands SciPy's LAPACK (scipy.linalg.cython_lapack) to the
runtime, as the matrix product gets SciPy's BLAS: the s, d, c and z variants of each routine
(the complex ones of syevd and orgqr are heevd and ungqr).
"""
from __future__ import annotations

from ..errors import UnsupportedError

ROUTINES = ("getrf", "gesv", "potrf", "gesdd", "syevd", "geev", "gelsd", "geqrf", "orgqr")
_COMPLEX_NAMES = {"syevd": "heevd", "orgqr": "ungqr"}
_registered = False


def getrf(a, ipiv, m, n):
    """LU factorization in place (a: m x n); ipiv: int32, min(m, n)."""
    raise RuntimeError("ember.npapi.lapack routines run only in compiled code")


getrf_doc = getrf.__doc__
gesv = potrf = gesdd = syevd = geev = gelsd = geqrf = orgqr = None
for _name in ROUTINES[1:]:  # distinct objects: the front end tells builtins apart by identity
    exec(f"def {_name}(*args):\n    raise RuntimeError('ember.npapi.lapack routines run only "
         f"in compiled code')\n")


def register(fname):
    """Registers SciPy's LAPACK with the runtime (once); raises naming the missing dependency
    when SciPy cannot be imported."""
    global _registered
    if _registered:
        return
    try:
        from scipy.linalg import cython_lapack
    except ImportError:
        raise UnsupportedError(f"{fname}() in compiled code calls LAPACK through SciPy "
                               "(scipy.linalg.cython_lapack), and SciPy is not installed: "
                               "pip install scipy") from None
    import ctypes

    from .. import _ember
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object,
                                                                   ctypes.c_char_p]
    capi = cython_lapack.__pyx_capi__
    for routine in ROUTINES:
        for prefix in "sdcz":
            name = prefix + (_COMPLEX_NAMES.get(routine, routine) if prefix in "cz" else routine)
            capsule = capi[name]
            _ember.set_lapack(name, get_pointer(capsule, get_name(capsule)) or 0)
    _registered = True

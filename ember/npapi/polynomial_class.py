"""np.polynomial.Polynomial in compiled code, Numba's subset: ``Polynomial(coef)`` and
``Polynomial(coef, domain, window)`` (domain and window also alone, by keyword), the attributes
``coef``, ``domain`` and ``window``, and Polynomials as arguments and results.

In compiled code a Polynomial is a @jitclass instance (a stand-in) holding three 1-d
C-contiguous arrays: ``coef`` of NumPy's coefficient dtype (``np.common_type`` of the input:
float64 for integers, float32, float64, complex64 or complex128), and ``domain`` and ``window``
of float64 (copies, as NumPy's constructor makes them).  One jitclass per coefficient dtype.

Crossing the boundary: a np.polynomial.Polynomial argument (also one inside a tuple) is
replaced by a stand-in sharing its arrays (``arguments``, called by the dispatcher's slow
path), and a stand-in returned to Python (alone, in a tuple, in a list, ...) comes back as a
new np.polynomial.Polynomial: the jitclass is registered with a boxer
(``_ember.register_jitclass``'s third argument) that the runtime's boxing calls.

NumPy's errors: ValueError for an empty coefficient array and for a domain or window without
exactly two elements; a coefficient array that is not 1-d, of bool or float16 dtype, or a
complex domain or window is a compile-time error naming it.  Not supported (an
UnsupportedError): ``symbol=``, the methods and operators of Polynomial (Numba has none
either), and the other series classes (Chebyshev, Legendre, ...).
"""
from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

from .. import _ember, types
from ..errors import UnsupportedError
from ..jitclasses import jitclass
from . import TypingError, absent, overload, unsupported
from .shapes import _generate

NAME = "np.polynomial.Polynomial"
_COEF_DTYPES = {np.dtype(t): t.__name__ for t in (np.float32, np.float64, np.complex64,
                                                  np.complex128)}
_raw = threading.local()  # set while Python builds a stand-in: the boxer leaves it alone


def _box(stand_in):
    """What Python is given for a compiled Polynomial: NumPy's own class."""
    if getattr(_raw, "active", False):
        return stand_in
    return np.polynomial.Polynomial(stand_in.coef, stand_in.domain, stand_in.window)


@lru_cache(None)
def _class(dtype):
    name = f"Polynomial_{_COEF_DTYPES[dtype]}"
    scope = {}
    exec(f"class {name}:\n"
         "    def __init__(self, coef, domain, window):\n"
         "        self.coef = coef\n"
         "        self.domain = domain\n"
         "        self.window = window\n", scope)
    coef_type = getattr(types, _COEF_DTYPES[dtype])
    cls = jitclass(scope[name], [("coef", coef_type[::1]), ("domain", types.float64[::1]),
                                 ("window", types.float64[::1])])
    _ember.register_jitclass(cls.class_type.class_id, cls, _box)
    return cls


def _stand_in(p):
    coef = p.coef
    if coef.dtype not in _COEF_DTYPES:
        raise UnsupportedError(f"{NAME} arguments with coefficients of dtype {coef.dtype} are "
                               "not supported in compiled code (float32, float64, complex64 and "
                               "complex128 are)")
    for what in ("domain", "window"):
        if getattr(p, what).dtype.kind not in "biuf":
            raise UnsupportedError(f"{NAME} arguments with a {what} of dtype "
                                   f"{getattr(p, what).dtype} are not supported in compiled code")
    cls = _class(coef.dtype)
    _raw.active = True
    try:
        return cls(np.ascontiguousarray(coef), np.ascontiguousarray(p.domain, np.float64),
                   np.ascontiguousarray(p.window, np.float64))
    finally:
        _raw.active = False


def _holds(value, poly):
    return type(value) is poly or (type(value) is tuple and any(_holds(v, poly) for v in value))


def _replaced(value, poly):
    if type(value) is poly:
        return _stand_in(value)
    if type(value) is tuple:
        return tuple(_replaced(v, poly) for v in value)
    return value


def arguments(args):
    """The call's arguments with each np.polynomial.Polynomial (also inside tuples) replaced by
    its stand-in."""
    poly = np.polynomial.Polynomial
    if not any(_holds(v, poly) for v in args):
        return args
    return tuple(_replaced(v, poly) for v in args)


# ---- the constructor ------------------------------------------------------------------------

@lru_cache(None)
def _interval_impl(name, kind):
    """A (2,) float64 copy of a domain or window given as an array ('array') or a tuple of two
    numbers ('tuple'), or NumPy's default [-1, 1] ('none')."""
    if kind == "none":
        src = "def f(x):\n    out = np.empty(2, np.float64)\n    out[0] = -1.0\n" \
              "    out[1] = 1.0\n    return out\n"
    elif kind == "tuple":
        src = "def f(x):\n    out = np.empty(2, np.float64)\n    out[0] = x[0]\n" \
              "    out[1] = x[1]\n    return out\n"
    else:
        src = ("def f(x):\n    out = x.astype(np.float64)\n"
               "    if out.shape[0] == 0:\n"
               "        raise ValueError('Coefficient array is empty')\n"
               "    if out.shape[0] != 2:\n"
               f"        raise ValueError('{name} has wrong number of elements.')\n"
               "    return out\n")
    return _generate("f", src)


def _interval_kind(info, name):
    if absent(info):
        return "none"
    if info.is_array and info.dtype.kind in "biuf":
        if info.ndim != 1:
            raise TypingError(f"{NAME}(): the {name.lower()} must be 1-d (Coefficient array is "
                              f"not 1-d), not {info}")
        return "array"
    if info.kind == "tuple":
        if not all(e.is_number and e.dtype.kind in "biuf" for e in info.elems):
            unsupported(NAME, f"a {name.lower()} of type {info}")
        if len(info.elems) != 2:
            raise TypingError(f"{NAME}(): {name} has wrong number of elements.")
        return "tuple"
    unsupported(NAME, f"a {name.lower()} of type {info}")


@lru_cache(None)
def _constructor(dtype, domain_kind, window_kind):
    """The implementation, taking coef and the domain and window that were given."""
    cls = _class(dtype)
    params = ["coef"] + [p for p, k in (("domain", domain_kind), ("window", window_kind))
                         if k != "none"]
    domain = "domain" if domain_kind != "none" else "0"
    window = "window" if window_kind != "none" else "0"
    src = (f"def impl({', '.join(params)}):\n"
           f"    c = coef.astype(np.{_COEF_DTYPES[dtype]})\n"
           "    if c.shape[0] == 0:\n"
           "        raise ValueError('Coefficient array is empty')\n"
           f"    return cls(c, make_domain({domain}), make_window({window}))\n")
    impl = _generate("impl", src, cls=cls, make_domain=_interval_impl("Domain", domain_kind),
                     make_window=_interval_impl("Window", window_kind))
    return impl, tuple(params)


@overload(np.polynomial.Polynomial, NAME)
def polynomial(coef, domain=None, window=None, symbol=None):
    if not absent(symbol):
        unsupported(NAME, "the symbol argument")
    if coef is None or not coef.is_array or coef.dtype.kind not in "iufc":
        if coef is not None and coef.is_array and coef.dtype.kind == "b":
            raise TypingError(f"{NAME}(): Coefficient arrays have no common type (bool)")
        unsupported(NAME, f"coefficients of type {coef} (a 1-d array of numbers is)")
    if coef.ndim != 1:
        raise TypingError(f"{NAME}(): Coefficient array is not 1-d ({coef})")
    dtype = np.dtype(np.float64) if coef.dtype.kind in "iu" else coef.dtype
    if dtype not in _COEF_DTYPES:
        unsupported(NAME, f"coefficients of dtype {dtype}")
    dk, wk = _interval_kind(domain, "Domain"), _interval_kind(window, "Window")
    return _constructor(dtype, dk, wk)

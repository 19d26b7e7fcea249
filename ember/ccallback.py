"""C callbacks: Numba's ``@cfunc(sig)``, ``carray`` and ``farray``.

    @ember.cfunc("float64(int32, CPointer(float64))")
    def integrand(n, xx):
        x = ember.carray(xx, n)
        return x[0] * x[1]

    scipy.integrate.quad(scipy.LowLevelCallable(integrand.ctypes), 0, 1, args=(2.0,))

The function is compiled once, eagerly, for the explicit signature, as a ``@jit`` function
with a native C entry ``R name(A1, A2, ...)`` beside it (lowering/CFuncEntry.cpp): ``.address``
is that entry, ``.ctypes`` a ctypes function pointer to it (callable from Python, which runs
the compiled code), ``.cffi`` the same as a cffi pointer, ``.native_name`` its symbol in the
LLVM IR ``.inspect_llvm()`` returns.  Calling the object itself runs the Python function, as
Numba's does.  Arguments and the result are numbers, bool, ``types.CPointer(dtype)`` and
``types.voidptr``, and the result may be ``void``.  An exception raised inside cannot reach
the C caller: as Numba does, the entry writes it as an unraisable exception (``sys.
unraisablehook``: "Exception ignored in: '<ember.cfunc name>'" and the traceback, on stderr by
default) and returns zero.

``carray(ptr, shape, dtype=None)`` / ``farray`` view a pointer as a C- / Fortran-ordered array
in compiled code, borrowed (nothing is freed); from Python they take a ctypes pointer and
return a NumPy array over the same memory, as Numba's do.
"""
from __future__ import annotations

import ctypes

from . import types
from .dispatcher import JitFunction, Options, session
from .errors import TypingError, UnsupportedError

__all__ = ["cfunc", "carray", "farray", "CFunc"]

_CTYPES = {
    types.boolean: ctypes.c_bool, types.int8: ctypes.c_int8, types.int16: ctypes.c_int16,
    types.int32: ctypes.c_int32, types.int64: ctypes.c_int64, types.uint8: ctypes.c_uint8,
    types.uint16: ctypes.c_uint16, types.uint32: ctypes.c_uint32,
    types.uint64: ctypes.c_uint64, types.float32: ctypes.c_float,
    types.float64: ctypes.c_double,
}
_OPTIONS = ("nogil", "fastmath", "boundscheck", "error_model")


def _ctype(t: types.Type, what: str):
    """The ctypes type of a cfunc's argument or result type t."""
    if isinstance(t, types.NoneType) and what == "result":
        return None
    if isinstance(t, types.CPointer):
        if t.dtype is None:
            return ctypes.c_void_p
        return ctypes.POINTER(_CTYPES[t.dtype])
    found = _CTYPES.get(t)
    if found is None:
        raise UnsupportedError(f"@cfunc: a {what} of type {t} is not supported (numbers, bool, "
                               "types.CPointer(dtype) and types.voidptr are)")
    return found


class CFunc:
    """A function compiled for one signature, with a native C entry (Numba's ``CFunc``)."""

    def __init__(self, py_func, signature, options: dict):
        if isinstance(signature, str):
            from .signature import parse_signature
            arg_codes, ret_code = parse_signature(signature)
            if ret_code is None:
                raise TypingError(f"@cfunc({signature!r}): the signature needs a return type")
            signature = types.from_code(ret_code)(*[types.from_code(c) for c in arg_codes])
        elif not isinstance(signature, types.Signature) or signature.return_type is None:
            raise TypeError("@cfunc takes a signature with a return type, such as "
                            "'float64(float64)' or types.float64(types.float64)")
        self._pyfunc = py_func
        self._sig = signature
        restype = _ctype(signature.return_type, "result")
        argtypes = [_ctype(a, "argument") for a in signature.args]
        self._prototype = ctypes.CFUNCTYPE(restype, *argtypes)
        unknown = set(options) - set(_OPTIONS) - {"nopython", "cache", "locals"}
        if unknown:
            raise TypeError(f"cfunc() got unexpected options: {', '.join(sorted(unknown))}")
        opts = Options(**{k: v for k, v in options.items() if k in _OPTIONS})
        self._impl = JitFunction(py_func, opts, loop=("cfunc", []))
        self._spec = self._impl.compile(signature)
        compiled = self._spec.compiled
        self.address = compiled.loop
        from ._subinterpreter import publish_cfunc  # sub-interpreters call it too
        publish_cfunc(py_func, [list(a.code) for a in signature.args],
                      list(signature.return_type.code), self.address, self)
        self.native_name = compiled.symbol + ".cfunc"
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        self._ctypes = None

    def __repr__(self):
        return f"<ember.cfunc {self.__qualname__} {self._sig!r}>"

    def __call__(self, *args, **kwargs):
        """Runs the Python function, as Numba's CFunc does (``.ctypes(...)`` runs the compiled
        code)."""
        return self._pyfunc(*args, **kwargs)

    @property
    def ctypes(self):
        """A ctypes function pointer to the C entry, of the signature's CFUNCTYPE."""
        if self._ctypes is None:
            self._ctypes = self._prototype(self.address)
        return self._ctypes

    @property
    def cffi(self):
        """The C entry as a cffi function pointer (needs cffi)."""
        try:
            import cffi
        except ImportError:
            raise ImportError(f"{self.__qualname__}.cffi needs the cffi package, which is not "
                              "installed; .ctypes and .address work without it") from None
        ffi = cffi.FFI()
        return ffi.cast(self._c_declaration(), self.address)

    def _c_declaration(self) -> str:
        """The C type of the entry, as cffi spells it: 'double(*)(int, double *)'."""
        def c_name(t, what):
            if isinstance(t, types.NoneType):
                return "void"
            if isinstance(t, types.CPointer):
                return "void *" if t.dtype is None else c_name(t.dtype, what) + " *"
            return _C_NAMES[_CTYPES[t]]
        args = ", ".join(c_name(a, "argument") for a in self._sig.args) or "void"
        return f"{c_name(self._sig.return_type, 'result')}(*)({args})"

    def inspect_llvm(self) -> str:
        """The LLVM IR of the module holding the C entry (named ``native_name``)."""
        return session().llvm_ir(self._spec.compiled, True)

    def inspect_asm(self) -> str:
        return session().assembly(self._spec.compiled)

    def inspect_types(self, file=None):
        self._impl.inspect_types(file=file)

    @property
    def signature(self):
        return self._sig

    @property
    def _function_type_code(self):
        """Passed to a jitted function, a cfunc is a types.FunctionType(its signature)."""
        return list(types.FunctionType(self._sig).code)


_C_NAMES = {ctypes.c_bool: "_Bool", ctypes.c_int8: "int8_t", ctypes.c_int16: "int16_t",
            ctypes.c_int32: "int32_t", ctypes.c_int64: "int64_t", ctypes.c_uint8: "uint8_t",
            ctypes.c_uint16: "uint16_t", ctypes.c_uint32: "uint32_t",
            ctypes.c_uint64: "uint64_t", ctypes.c_float: "float", ctypes.c_double: "double"}


def cfunc(sig, locals=None, cache=False, pipeline_class=None, **options):
    """Numba's ``@cfunc(sig)``: compiles the function for sig, with a native C entry."""
    del cache, pipeline_class  # accepted for Numba's signature
    if locals:
        raise UnsupportedError("cfunc(locals=...) is not supported yet")
    if callable(sig) and hasattr(sig, "__code__"):
        raise TypeError("@cfunc needs a signature: @cfunc('float64(float64)')")
    return lambda fn: CFunc(fn, sig, options)


def _view(ptr, shape, dtype, order):
    import numpy as np
    if isinstance(shape, int):
        shape = (shape,)
    if isinstance(ptr, ctypes.c_void_p) or ptr is None or isinstance(ptr, int):
        if dtype is None:
            raise TypeError(f"{'carray' if order == 'C' else 'farray'}() of a void pointer needs "
                            "its dtype")
        address = ptr.value if isinstance(ptr, ctypes.c_void_p) else ptr
        dtype = np.dtype(dtype)
    elif isinstance(ptr, ctypes._Pointer):
        ptr_dtype = np.dtype(ptr._type_)
        if dtype is not None and np.dtype(dtype) != ptr_dtype:
            raise TypeError(f"mismatching dtype {np.dtype(dtype)} for a pointer to {ptr_dtype}")
        dtype = ptr_dtype
        address = ctypes.cast(ptr, ctypes.c_void_p).value
    else:
        raise TypeError(f"expected a ctypes pointer, not {type(ptr).__name__}")
    count = 1
    for n in shape:
        count *= int(n)
    buffer = (ctypes.c_byte * (count * dtype.itemsize)).from_address(address or 0)
    return np.frombuffer(buffer, dtype, count).reshape(shape, order=order)


def carray(ptr, shape, dtype=None):
    """A C-ordered array of `shape` over the memory ptr points to (no copy)."""
    return _view(ptr, shape, dtype, "C")


def farray(ptr, shape, dtype=None):
    """A Fortran-ordered array of `shape` over the memory ptr points to (no copy)."""
    return _view(ptr, shape, dtype, "F")

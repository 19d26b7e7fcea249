"""C functions called from compiled code: ctypes and cffi function pointers, as Numba calls them.

A ctypes function (``ctypes.CDLL(...).cos`` with ``argtypes``/``restype`` set, or a
``ctypes.CFUNCTYPE`` object) or a cffi function (of an in-line library from ``ffi.dlopen`` or
of an out-of-line module's ``lib``) read from a global or closure variable is frozen with its
address and C signature when the function is compiled (ir/Const.h ``CFunction``); one passed as
an argument is typed by its signature (``argument_code``, type tag 61) and its address read at
the call (bindings/Boxing.cpp).
A call is an indirect native call with that signature
(typeinfer/CCallRules.cpp, lowering/CodeGenCCall.cpp).  Numbers and pointers cross: a pointer
parameter takes ``a.ctypes.data``, ``a.ctypes.data_as(POINTER(c_double))``, an array (its
data; ``ffi.from_buffer(a)`` is the array itself) or a @cfunc's pointer argument.  ctypes
pointer types read from globals freeze as ``types.CPointer`` type references, for ``data_as``.

The address is frozen into the compiled code, so a function calling a C function is not
cached on disk (dispatcher.py asks ``refers_to_c_function``, cache.py's key ``holds_c_functions``).
"""
from __future__ import annotations

import ctypes
import types as _types

from . import signature as _sig

CFUNCTION = 16  # ConstValue::Kind::CFunction (ember/values.py numbers the others)

_INT_TAGS = {(1, True): _sig.T_INT8, (2, True): _sig.T_INT16, (4, True): _sig.T_INT32,
             (8, True): _sig.T_INT64, (1, False): _sig.T_UINT8, (2, False): _sig.T_UINT16,
             (4, False): _sig.T_UINT32, (8, False): _sig.T_UINT64}
_CTYPES_CODES = {"?": _sig.T_BOOL, "f": _sig.T_FLOAT32, "d": _sig.T_FLOAT64}
_CTYPES_SIGNED = set("bhilq")
_CTYPES_UNSIGNED = set("BHILQ")


def _ctypes_scalar_tag(t):
    code = getattr(t, "_type_", None)
    if not isinstance(code, str):
        return None
    if code in _CTYPES_CODES:
        return _CTYPES_CODES[code]
    if code in _CTYPES_SIGNED or code in _CTYPES_UNSIGNED:
        return _INT_TAGS[(ctypes.sizeof(t), code in _CTYPES_SIGNED)]
    return None


def ctypes_type_code(t, result=False):
    """The ABI type code of a ctypes type as a C function's parameter or result, or None."""
    if t is None:
        return [_sig.T_NONE] if result else None
    if t is ctypes.c_void_p:
        return [_sig.T_CPOINTER, 0]
    if isinstance(t, type) and issubclass(t, ctypes._Pointer):
        pointee = _ctypes_scalar_tag(t._type_)
        return None if pointee is None else [_sig.T_CPOINTER, pointee]
    tag = _ctypes_scalar_tag(t)
    return None if tag is None else [tag]


def is_ctypes_function(obj) -> bool:
    return isinstance(obj, ctypes._CFuncPtr)


def _missing(what, message):
    return (CFUNCTION, 0, -1, [], f"{what}: {message}")


def freeze_ctypes_function(obj, what):
    name = getattr(obj, "__name__", None) or "ctypes function"
    argtypes = obj.argtypes
    if argtypes is None:
        return _missing(what, f"the ctypes function {name} has no argtypes: set its argtypes "
                              "and restype to call it from compiled code")
    codes = ctypes_type_code(obj.restype, result=True)
    if codes is None:
        return _missing(what, f"the ctypes function {name} returns {obj.restype.__name__}, "
                              "which compiled code cannot receive (numbers, bool, c_void_p, "
                              "POINTER(number) and None are)")
    codes = list(codes)
    for k, t in enumerate(argtypes):
        c = ctypes_type_code(t)
        if c is None:
            return _missing(what, f"argument {k + 1} of the ctypes function {name} is a "
                                  f"{getattr(t, '__name__', t)}, which compiled code cannot "
                                  "pass (numbers, bool, c_void_p and POINTER(number) are)")
        codes += c
    address = ctypes.cast(obj, ctypes.c_void_p).value or 0
    return (CFUNCTION, address, len(argtypes), codes, name)


T_CFUNC = 61  # EMBER_T_CFUNC (ember/abi.h)


def argument_code(obj):
    """The type code of a ctypes or cffi function passed as an argument (bindings/Typeof.cpp
    asks), or None when it is not one or its signature cannot cross (no argtypes, an
    unsupported type)."""
    if is_ctypes_function(obj):
        frozen = freeze_ctypes_function(obj, "an argument")
    elif is_cffi_function(obj):
        frozen = freeze_cffi_function(obj, "an argument")
    else:
        return None
    if frozen[2] < 0:
        return None
    return [T_CFUNC, frozen[2]] + frozen[3]


def freeze_ctypes_pointer_type(t):
    """A ctypes pointer type (POINTER(c_double), c_void_p) as an ember TypeRef, or None."""
    from . import types
    from .values import TYPEREF
    codes = ctypes_type_code(t)
    if codes is None or codes[0] != _sig.T_CPOINTER:
        return None
    return (TYPEREF, codes, types.from_code(codes).name)


# cffi: its objects are recognised by module name, so that ember never imports cffi itself
# unless a function reads one.  A function of an in-line library (``ffi.dlopen``) is a cdata;
# one of an out-of-line module (``ffi.set_source`` then ``ffi.compile``) is a built-in function
# whose ``__self__`` is the module's ``lib``, typed and addressed through any _cffi_backend FFI.
_bare_ffi = None


def _backend_ffi():
    global _bare_ffi
    if _bare_ffi is None:
        import _cffi_backend as backend
        _bare_ffi = backend.FFI()
    return _bare_ffi


def _is_out_of_line_lib(obj) -> bool:
    t = type(obj)
    return t.__module__ == "_cffi_backend" and t.__name__ == "Lib"


def _cffi_function_ctype(obj):
    """The cffi function type of a cffi function object, or None when obj is not one."""
    t = type(obj)
    if t.__module__ == "_cffi_backend":
        import _cffi_backend as backend
        try:
            ct = backend.typeof(obj)
        except TypeError:
            return None
    elif isinstance(obj, _types.BuiltinFunctionType) and \
            _is_out_of_line_lib(getattr(obj, "__self__", None)):
        try:
            ct = _backend_ffi().typeof(obj)
        except (TypeError, AttributeError):  # a method of the lib object itself (__dir__)
            return None
    else:
        return None
    return ct if ct.kind == "function" else None


def is_cffi_function(obj) -> bool:
    return _cffi_function_ctype(obj) is not None


def cffi_function_address(obj) -> int:
    import _cffi_backend as backend
    if type(obj).__module__ != "_cffi_backend":  # an out-of-line function: its C entry
        obj = _backend_ffi().addressof(obj.__self__, obj.__name__)
    return int(backend.cast(backend.new_primitive_type("uintptr_t"), obj))


def c_function_address(obj) -> int:
    """The address of a cffi function passed as an argument (bindings/Boxing.cpp asks)."""
    if _cffi_function_ctype(obj) is None:
        raise TypeError(f"expected a ctypes or cffi function, got {type(obj).__name__}")
    return cffi_function_address(obj)


def is_cffi_library(obj) -> bool:
    """A library from ffi.dlopen (in-line mode) or the lib of an out-of-line module."""
    t = type(obj)
    return (t.__module__ == "cffi.api" and t.__name__.startswith("FFILibrary")) or \
        _is_out_of_line_lib(obj)


def is_cffi_ffi(obj) -> bool:
    """cffi.FFI() or the ffi of an out-of-line module."""
    t = type(obj)
    return t.__name__ == "FFI" and (t.__module__.startswith("cffi") or
                                    t.__module__ == "_cffi_backend")


_CFFI_FLOATS = {"float": _sig.T_FLOAT32, "double": _sig.T_FLOAT64, "_Bool": _sig.T_BOOL}


def _cffi_type_code(ct, result=False):
    import _cffi_backend as backend
    if ct.kind == "void":
        return [_sig.T_NONE] if result else None
    if ct.kind == "pointer":
        item = ct.item
        if item.kind == "void":
            return [_sig.T_CPOINTER, 0]
        tag = _cffi_type_code(item)
        return None if tag is None or len(tag) != 1 else [_sig.T_CPOINTER, tag[0]]
    if ct.kind != "primitive":
        return None
    if ct.cname in _CFFI_FLOATS:
        return [_CFFI_FLOATS[ct.cname]]
    if ct.cname == "char" or "double" in ct.cname or "wchar" in ct.cname or \
            "char16" in ct.cname or "char32" in ct.cname:
        return None
    signed = backend.cast(ct, -1) < 0
    return [_INT_TAGS[(backend.sizeof(ct), bool(signed))]]


def freeze_cffi_function(obj, what):
    ct = _cffi_function_ctype(obj)
    name = what
    if ct.ellipsis:
        return _missing(what, f"the cffi function {ct.cname} is variadic, which compiled code "
                              "cannot call")
    codes = _cffi_type_code(ct.result, result=True)
    if codes is None:
        return _missing(what, f"the cffi function {ct.cname} returns {ct.result.cname}, which "
                              "compiled code cannot receive")
    codes = list(codes)
    for k, a in enumerate(ct.args):
        c = _cffi_type_code(a)
        if c is None:
            return _missing(what, f"argument {k + 1} of the cffi function {ct.cname} is a "
                                  f"{a.cname}, which compiled code cannot pass")
        codes += c
    return (CFUNCTION, cffi_function_address(obj), len(ct.args), codes, name)


def from_buffer_function():
    """What ``ffi.from_buffer`` is in compiled code: the array itself, whose data a C pointer
    parameter receives."""
    global _from_buffer
    if _from_buffer is None:
        from .decorators import njit

        @njit
        def from_buffer(a):
            return a
        _from_buffer = from_buffer
    return _from_buffer


_from_buffer = None


def is_c_function(obj) -> bool:
    return is_ctypes_function(obj) or is_cffi_function(obj)


def holds_c_functions(obj) -> bool:
    """A C function or a cffi library: compiled code reading it freezes a C address."""
    return is_c_function(obj) or is_cffi_library(obj)


def refers_to_c_function(func) -> bool:
    """Whether a Python function reads a C function (or a cffi library, whose functions it may
    call) from a global or closure variable."""
    code = func.__code__
    for name in code.co_names:
        if holds_c_functions(func.__globals__.get(name)):
            return True
    for cell in func.__closure__ or ():
        try:
            if holds_c_functions(cell.cell_contents):
                return True
        except ValueError:
            continue
    return False

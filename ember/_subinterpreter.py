"""ember in a sub-interpreter (PEP 684/734): code compiled once per process, run by every
interpreter.

NumPy and ember's pybind11 modules (single-phase init, process-global Python objects) cannot
load in an interpreter with its own GIL, so ``import ember`` there imports a light set
(ember/__init__.py): the types, the errors, and ``jit`` / ``njit`` / ``cfunc`` from this module.
They compile nothing.  The main interpreter publishes each specialization it compiles or loads
from the on-disk cache whose result is a number, bool or None and whose arguments are numbers,
bool or arrays of them (and every ``@cfunc``) in
``ember._shared_code``, a native module with multi-phase init and no Python objects, which every
interpreter of the process shares: the key is the function's module, qualified name and a digest
of its bytecode, so the same module imported in a sub-interpreter finds the code.  A call there
looks its argument types up and calls the compiled code's status wrapper (ember/abi.h) through
``_shared_code.call``, without its interpreter's GIL: several interpreters run compiled code at
once.  An array argument there is any object with the buffer protocol (memoryview, array.array,
bytearray, mmap): its format, dimensions, layout and writability choose the published code as an
ndarray's dtype, ndim, layout and flags would in the main interpreter, and compiled code reads and
writes the buffer in place.

Argument types with no published code raise ``SubinterpreterError``: compiling needs the main
interpreter (call the function there once with those types, or give the decorator a signature,
which compiles when the module is imported there).  docs/design.md, section "Sub-interpreters
(PEP 684/734)", has the rest.
"""

from __future__ import annotations

import hashlib
import json
import sys

from . import signature as _sig
from .errors import SubinterpreterError

__all__ = ["jit", "njit", "cfunc", "prange", "code_key", "publish_jit", "publish_cfunc"]

# The scalar types a sub-interpreter passes to compiled code and gets back (ember/abi.h), by
# the names its errors use; None only as a result.
_NAMES = {
    _sig.T_BOOL: "bool",
    _sig.T_INT8: "int8",
    _sig.T_INT16: "int16",
    _sig.T_INT32: "int32",
    _sig.T_INT64: "int64",
    _sig.T_UINT8: "uint8",
    _sig.T_UINT16: "uint16",
    _sig.T_UINT32: "uint32",
    _sig.T_UINT64: "uint64",
    _sig.T_FLOAT32: "float32",
    _sig.T_FLOAT64: "float64",
    _sig.T_NONE: "none",
}
_SCALARS = set(_NAMES) - {_sig.T_NONE}
_FLOATS = {_sig.T_FLOAT32, _sig.T_FLOAT64}
_INTS = _SCALARS - _FLOATS - {_sig.T_BOOL}
# ember/abi.h's EMBER_EXCEPTION_IDS
_EXCEPTIONS = {
    1: ZeroDivisionError,
    2: IndexError,
    3: ValueError,
    4: TypeError,
    5: AssertionError,
    6: OverflowError,
    7: MemoryError,
    8: RuntimeError,
    9: NotImplementedError,
    10: KeyError,
    11: ArithmeticError,
    12: UnboundLocalError,
    13: Exception,
}
_PYTHON_PENDING = 63  # EMBER_EXC_PYTHON_PENDING: a `with objmode()` block's exception


def _registry():
    from . import _shared_code

    return _shared_code


def _publish(key, signature, address, layout, owner) -> bool:
    try:
        registry = _registry()
    except ImportError:  # a build of the native modules from before ember._shared_code
        return False
    if registry.publish(key, signature, int(address), layout):
        _owners.append(owner)
    return True


# ---- the key: the same function in any interpreter ------------------------------------------


def _digest_code(code, h) -> None:
    h.update(code.co_code)
    h.update(
        repr(
            (
                code.co_name,
                code.co_qualname if hasattr(code, "co_qualname") else "",
                code.co_filename,
                code.co_firstlineno,
                code.co_argcount,
                code.co_kwonlyargcount,
                code.co_flags,
                code.co_names,
                code.co_varnames,
            )
        ).encode()
    )
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            _digest_code(c, h)
        elif isinstance(c, frozenset):  # iteration order follows hashes, not the source
            h.update(repr(sorted(map(repr, c))).encode())
        else:
            h.update(repr(c).encode())


def code_key(fn) -> str:
    """'module.qualname:digest' of a Python function: equal in every interpreter that imported
    the same source (the bytecode, constants and names, not the address of anything)."""
    h = hashlib.sha256()
    _digest_code(fn.__code__, h)
    return f"{fn.__module__}.{fn.__qualname__}:{h.hexdigest()[:24]}"


def _code_text(code) -> str:
    if code[0] == _sig.T_ARRAY:  # Numba's spelling: array(float64, 1d, C)
        _, dtype, ndim, layout, readonly = code
        text = f"array({_NAMES[dtype]}, {ndim}d, {'CFA'[layout]})"
        return "readonly " + text if readonly else text
    if code[0] == _sig.T_CPOINTER:
        return "voidptr" if code[1] == 0 else f"CPointer({_NAMES[code[1]]})"
    return _NAMES[code[0]]


# ---- the main interpreter publishes ---------------------------------------------------------

_owners = []  # what owns published code (its dispatcher entries): kept until the process exits


def _scalar(code, result=False) -> bool:
    return (
        code is not None
        and len(code) == 1
        and (code[0] in _SCALARS or (result and code[0] == _sig.T_NONE))
    )


def _array(code) -> bool:
    """An array of numbers or bool: what a buffer passes as in a sub-interpreter."""
    return (
        code is not None
        and len(code) == 5
        and code[0] == _sig.T_ARRAY
        and code[1] in _SCALARS
        and 0 <= code[2] < 0x80
    )


def publish_jit(py_func, arg_codes, ret_code, address: int, owner) -> bool:
    """Records a jitted function's specialization for the process's other interpreters, when
    its arguments are numbers, bool or arrays of them and its result a number, bool or None
    (what a sub-interpreter can pass and take back without NumPy).  Returns whether it was
    published."""
    if (
        not address
        or not all(_scalar(c) or _array(c) for c in arg_codes)
        or not _scalar(ret_code, True)
    ):
        return False
    if py_func.__closure__:  # its code holds the captured values: not the same function
        return False
    arg_codes = [list(c) for c in arg_codes]
    signature = ",".join(_code_text(c) for c in arg_codes)
    layout = json.dumps(["jit", list(ret_code), arg_codes])
    return _publish(code_key(py_func), signature, address, layout, owner)


def _cfunc_signature(arg_codes, ret_code) -> str:
    return "cfunc:" + ",".join(_code_text(c) for c in arg_codes) + "->" + _code_text(ret_code)


def publish_cfunc(py_func, arg_codes, ret_code, address: int, owner) -> bool:
    """Records a @cfunc's C entry for the process's other interpreters."""
    if py_func.__closure__:
        return False
    arg_codes = [list(c) for c in arg_codes]
    layout = json.dumps(["cfunc", list(ret_code), arg_codes])
    try:
        signature = _cfunc_signature(arg_codes, ret_code)
    except KeyError:  # a type a sub-interpreter cannot name (not one @cfunc accepts today)
        return False
    return _publish(code_key(py_func), signature, address, layout, owner)


# ---- a sub-interpreter calls ----------------------------------------------------------------


# A buffer's element (PEP 3118 struct format, native byte order) as a type tag, by the kind of
# its format character and its itemsize.
_BUFFER_KINDS = {
    "?": {1: _sig.T_BOOL},
    "signed": {1: _sig.T_INT8, 2: _sig.T_INT16, 4: _sig.T_INT32, 8: _sig.T_INT64},
    "unsigned": {1: _sig.T_UINT8, 2: _sig.T_UINT16, 4: _sig.T_UINT32, 8: _sig.T_UINT64},
    "float": {4: _sig.T_FLOAT32, 8: _sig.T_FLOAT64},
}
_FORMAT_KINDS = {
    **dict.fromkeys("bhilqn", "signed"),
    **dict.fromkeys("BHILQN", "unsigned"),
    **dict.fromkeys("fd", "float"),
    "?": "?",
}


def _buffer_code(value, name, i):
    """The array type code (ember/abi.h) a buffer passes as, or None when it has no buffer
    protocol."""
    try:
        view = memoryview(value)
    except TypeError:
        return None
    fmt = view.format
    if fmt[:1] in "@=" or (fmt[:1] == "<" and sys.byteorder == "little"):
        fmt = fmt[1:]  # native (or little-endian here) byte order
    dtype = _BUFFER_KINDS.get(_FORMAT_KINDS.get(fmt, ""), {}).get(view.itemsize)
    if len(fmt) != 1 or dtype is None:
        raise SubinterpreterError(
            f"{name}(): argument {i + 1} is a buffer of format {view.format!r}; an array "
            "argument in a sub-interpreter holds native-order numbers or bool (struct formats "
            "? b B h H i I l L q Q n N f d)"
        )
    if view.ndim <= 1 or view.c_contiguous:
        layout = _sig.LAYOUT_C if view.c_contiguous else _sig.LAYOUT_A
    else:
        layout = _sig.LAYOUT_F if view.f_contiguous else _sig.LAYOUT_A
    return (_sig.T_ARRAY, dtype, view.ndim, layout, int(view.readonly))


def _arg_code(value, name, i):
    """The type code a sub-interpreter's argument passes as: (tag,) for a number or bool, an
    array code for a buffer."""
    if isinstance(value, bool):
        return (_sig.T_BOOL,)
    if isinstance(value, int):
        return (_sig.T_INT64,)
    if isinstance(value, float):
        return (_sig.T_FLOAT64,)
    code = _buffer_code(value, name, i)
    if code is not None:
        return code
    raise SubinterpreterError(
        f"{name}(): argument {i + 1} is a {type(value).__name__}; in a sub-interpreter a "
        "jitted function takes int, float and bool arguments, and arrays as objects with the "
        "buffer protocol (memoryview, array.array, bytearray), since NumPy cannot be loaded "
        "in an interpreter with its own GIL"
    )


def _converts(code, param) -> bool:
    """Whether a value of type `code` passes as `param`: Numba's safe conversions for numbers;
    a buffer as an array of its dtype and ndim, to code of its layout or any layout ('A'), to
    read-only code whether or not it is writable."""
    if code[0] == _sig.T_ARRAY or param[0] == _sig.T_ARRAY:
        return (
            code[0] == param[0] == _sig.T_ARRAY
            and tuple(code[1:3]) == tuple(param[1:3])
            and param[3] in (code[3], _sig.LAYOUT_A)
            and param[4] >= code[4]
        )
    tag, param = code[0], param[0]
    if tag == param:
        return True
    if tag == _sig.T_BOOL:
        return param in _INTS or param in _FLOATS
    if tag == _sig.T_INT64:
        return param in _INTS or param in _FLOATS
    return tag == _sig.T_FLOAT64 and param in _FLOATS


class _Entry:
    """Published code of one signature, called by ember._shared_code without the GIL (ctypes
    cannot load in an interpreter with its own GIL before 3.13)."""

    __slots__ = ("address", "ret_tag", "arg_tags")

    def __init__(self, address: int, layout: str):
        kind, ret_code, arg_codes = json.loads(layout)
        assert kind == "jit", layout
        self.address = address
        self.ret_tag = ret_code[0]
        # two bytes an argument for ember._shared_code.call: the tag and 0, or T_ARRAY and its
        # ndim with 0x80 when the code may write to it
        self.arg_tags = bytes(
            b
            for c in arg_codes
            for b in ((c[0], c[2] | (0 if c[4] else 0x80)) if c[0] == _sig.T_ARRAY else (c[0], 0))
        )

    def __call__(self, name, args):
        out = _registry().call(self.address, self.ret_tag, self.arg_tags, tuple(args))
        if out[0]:
            raise _exception(name, *out[1:])
        return out[1]


def _exception(name, exc_id, msg, line, function, filename) -> BaseException:
    if exc_id == _PYTHON_PENDING:
        exc = SubinterpreterError(
            f"{name}(): its compiled code ran Python code (a `with objmode()` block), which "
            "belongs to the main interpreter and cannot run in a sub-interpreter"
        )
    elif exc_id in _EXCEPTIONS:
        exc = _EXCEPTIONS[exc_id](msg) if msg else _EXCEPTIONS[exc_id]()
    else:  # a user-defined class: registered with the main interpreter's dispatcher only
        exc = RuntimeError(
            f"{name}() raised an exception of a user-defined class (its class "
            f"is known to the main interpreter only){': ' + msg if msg else ''}"
        )
    if filename and line > 0:
        exc.add_note(f'  File "{filename}", line {line}, in {function or name} (compiled code)')
    return exc


class SharedDispatcher:
    """A jitted function in a sub-interpreter: runs the code the main interpreter compiled."""

    def __init__(self, py_func, signatures=()):
        self.py_func = py_func
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        self._declared = signatures
        self._key = code_key(py_func)
        self._entries = {}

    def __repr__(self):
        return f"<ember shared dispatcher {self.__qualname__} (sub-interpreter)>"

    def _bind(self, args, kwargs):
        """The positional arguments with keywords and defaults filled in, as the main
        interpreter's dispatcher compiled them."""
        code = self.py_func.__code__
        if not kwargs and len(args) == code.co_argcount:
            return args
        if len(args) > code.co_argcount:
            raise TypeError(
                f"{self.__name__}() takes {code.co_argcount} arguments ({len(args)} given)"
            )
        names = code.co_varnames[: code.co_argcount]
        defaults = self.py_func.__defaults__ or ()
        bound = list(args) + [None] * (len(names) - len(args))
        given = [True] * len(args) + [False] * (len(names) - len(args))
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError(f"{self.__name__}() got an unexpected keyword argument {k!r}")
            bound[names.index(k)], given[names.index(k)] = v, True
        for i in range(len(names)):
            if not given[i]:
                d = i - (len(names) - len(defaults))
                if d < 0:
                    raise TypeError(f"{self.__name__}() missing argument {names[i]!r}")
                bound[i] = defaults[d]
        return bound

    def _find(self, codes) -> _Entry:
        registry = _registry()
        exact = registry.lookup(self._key, ",".join(_code_text(c) for c in codes))
        if exact is not None:
            return _Entry(*exact)
        best = None
        for _signature, address, layout in registry.signatures(self._key):
            kind, _ret, arg_codes = json.loads(layout)
            if (
                kind == "jit"
                and len(arg_codes) == len(codes)
                and all(_converts(t, c) for t, c in zip(codes, arg_codes))
            ):
                cost = sum(tuple(t) != tuple(c) for t, c in zip(codes, arg_codes))
                if best is None or cost < best[0]:
                    best = (cost, address, layout)
        if best is not None:
            return _Entry(best[1], best[2])
        have = [
            s for s, _a, layout in registry.signatures(self._key) if json.loads(layout)[0] == "jit"
        ]
        got = ", ".join(_code_text(c) for c in codes)
        if self.py_func.__closure__:
            raise SubinterpreterError(
                f"{self.__qualname__}(): a closure's compiled code holds the values it "
                "captured, so closures are not shared with sub-interpreters; jit a module-level "
                "function instead"
            )
        raise SubinterpreterError(
            f"{self.__qualname__}({got}): no code compiled for these argument types in this "
            "process, and ember cannot compile in a sub-interpreter (its compiler and NumPy "
            "load in the main interpreter only).  Call it once with these types in the main "
            "interpreter, or give @jit a signature (compiled when the main interpreter imports "
            f"{self.__module__}); compiled so far: {'; '.join(have) or 'none'}"
        )

    def __call__(self, *args, **kwargs):
        args = self._bind(args, kwargs)
        codes = tuple(_arg_code(v, self.__name__, i) for i, v in enumerate(args))
        entry = self._entries.get(codes)
        if entry is None:
            entry = self._entries[codes] = self._find(codes)
        return entry(self.__qualname__, args)

    @property
    def signatures(self):
        return [
            s
            for s, _a, layout in _registry().signatures(self._key)
            if json.loads(layout)[0] == "jit"
        ]


def jit(signature_or_function=None, **options):
    """``@jit`` in a sub-interpreter: the code the main interpreter compiled for the function
    (options and signatures are the main interpreter's business)."""
    if callable(signature_or_function) and hasattr(signature_or_function, "__code__"):
        return SharedDispatcher(signature_or_function)
    return lambda fn: SharedDispatcher(fn, signature_or_function)


njit = jit


def prange(*args):
    return range(*args)


class SharedCFunc:
    """A ``@cfunc`` in a sub-interpreter: the C entry the main interpreter compiled."""

    def __init__(self, py_func, signature):
        from . import types

        if isinstance(signature, str):
            arg_codes, ret_code = _sig.parse_signature(signature)
        else:
            arg_codes = [list(a.code) for a in signature.args]
            ret_code = list(signature.return_type.code)
        self._pyfunc = py_func
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        try:
            text = _cfunc_signature(arg_codes, ret_code)
        except (KeyError, IndexError, TypeError):
            text = None
        found = _registry().lookup(code_key(py_func), text) if text else None
        if found is None:
            raise SubinterpreterError(
                f"@cfunc {self.__qualname__}({signature}): not compiled in this process, and "
                "ember cannot compile in a sub-interpreter; import the module in the main "
                "interpreter first (a @cfunc compiles when it is decorated)"
            )
        self.address = found[0]
        self._codes = (ret_code, arg_codes)
        self._ctypes = None
        self._signature = types.from_code(ret_code)(*[types.from_code(c) for c in arg_codes])

    def __repr__(self):
        return f"<ember.cfunc {self.__qualname__} {self._signature!r} (sub-interpreter)>"

    def __call__(self, *args, **kwargs):
        return self._pyfunc(*args, **kwargs)

    @property
    def ctypes(self):
        """A ctypes function pointer to the C entry (ctypes loads in an interpreter with its
        own GIL from 3.13 on)."""
        if self._ctypes is None:
            import ctypes

            ret_code, arg_codes = self._codes
            restype = None if ret_code[0] == _sig.T_NONE else _ctype(ret_code)
            prototype = ctypes.CFUNCTYPE(restype, *[_ctype(c) for c in arg_codes])
            self._ctypes = prototype(self.address)
        return self._ctypes

    @property
    def signature(self):
        return self._signature


def _ctype(code):
    import ctypes

    scalars = {
        _sig.T_BOOL: ctypes.c_bool,
        _sig.T_INT8: ctypes.c_int8,
        _sig.T_INT16: ctypes.c_int16,
        _sig.T_INT32: ctypes.c_int32,
        _sig.T_INT64: ctypes.c_int64,
        _sig.T_UINT8: ctypes.c_uint8,
        _sig.T_UINT16: ctypes.c_uint16,
        _sig.T_UINT32: ctypes.c_uint32,
        _sig.T_UINT64: ctypes.c_uint64,
        _sig.T_FLOAT32: ctypes.c_float,
        _sig.T_FLOAT64: ctypes.c_double,
    }
    if code[0] == _sig.T_CPOINTER:
        return ctypes.c_void_p if code[1] == 0 else ctypes.POINTER(scalars[code[1]])
    return scalars[code[0]]


def cfunc(sig, locals=None, cache=False, pipeline_class=None, **options):
    """``@cfunc(sig)`` in a sub-interpreter: the C entry the main interpreter compiled."""
    return lambda fn: SharedCFunc(fn, sig)


def missing(name: str):
    """What ``ember.<name>`` raises in a sub-interpreter for what is not in the light set."""
    return AttributeError(
        f"module 'ember' has no attribute {name!r} in a sub-interpreter: there ember runs code "
        "the main interpreter compiled (jit, njit and cfunc of numbers, bool and buffers), as "
        "NumPy and ember's compiler cannot load in an interpreter with its own GIL"
    )

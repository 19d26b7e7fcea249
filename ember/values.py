"""Frozen values: what the compiler may know about the Python objects a function reads.

Constants, globals and closure variables are read when a function is compiled and frozen into
plain records (Numba's semantics: a later change to a global is not seen by compiled code).  The
records are tuples ``(kind, payload...)``, kind numbered as ``ConstValue::Kind`` in ir/Const.h:
the C++ compiler never sees a Python object.  A module becomes a handle plus a table of the
attributes the function uses; a function ember compiles specially becomes its builtin id (found
by object identity, so ``from math import sqrt`` works); another jitted function becomes its
handle.  Anything else is frozen as "unsupported" with a message, raised only if used.
"""
from __future__ import annotations

import builtins
import ctypes
import importlib
import types

import numpy as np

from . import _ember
from . import cfunctions as _cfn
from . import signature as _sig
from .types import Type as EmberType

# ConstValue::Kind
NONE, BOOL, INT, FLOAT, COMPLEX, STR, TUPLE, MODULE, BUILTIN, DISPATCHER, EXCEPTION, NUMBER, \
    UNSUPPORTED, ARRAY, TYPEREF, JITCLASS = range(16)

# ScalarKind (ir/Types.h)
_SCALAR_KINDS = {
    np.dtype(np.bool_): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2, np.dtype(np.int32): 3,
    np.dtype(np.int64): 4, np.dtype(np.uint8): 5, np.dtype(np.uint16): 6,
    np.dtype(np.uint32): 7, np.dtype(np.uint64): 8, np.dtype(np.float32): 9,
    np.dtype(np.float64): 10, np.dtype(np.complex64): 11, np.dtype(np.complex128): 12,
    np.dtype(np.float16): 13,
}
# datetime64[unit] is ScalarKind 14 + unit, timedelta64[unit] 28 + unit (ir/Types.h's order)
_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "")
_SCALAR_KINDS.update({np.dtype(f"{letter}8[{unit}]" if unit else f"{letter}8"): base + u
                      for base, letter in ((14, "M"), (28, "m"))
                      for u, unit in enumerate(_TIME_UNITS)})


def _not_yet(obj) -> str:
    """' (<the family> are not supported ... yet)' for a value of a family issue 13 lists."""
    from .argument_errors import not_yet_supported
    family = not_yet_supported(obj)
    return f" ({family} are not supported in compiled code yet)" if family else ""


# ScalarKind of an ABI scalar tag (ember/abi.h): ember.types' number types freeze as classes.
_SCALAR_OF_TAG = {
    tag: _SCALAR_KINDS[np.dtype(dt)] for tag, dt in (
        (_sig.T_BOOL, np.bool_), (_sig.T_INT8, np.int8), (_sig.T_INT16, np.int16),
        (_sig.T_INT32, np.int32), (_sig.T_INT64, np.int64), (_sig.T_UINT8, np.uint8),
        (_sig.T_UINT16, np.uint16), (_sig.T_UINT32, np.uint32), (_sig.T_UINT64, np.uint64),
        (_sig.T_FLOAT32, np.float32), (_sig.T_FLOAT64, np.float64),
        (_sig.T_COMPLEX64, np.complex64), (_sig.T_COMPLEX128, np.complex128),
        (_sig.T_FLOAT16, np.float16))}
_PY_NUMBER_CLASSES = {bool: np.bool_, int: np.int64, float: np.float64, complex: np.complex128}

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1

_builtin_ids: dict[int, int] | None = None
# NumPy arrays read from globals are copied into the compiled module: beyond this size that
# costs more compile time and memory than passing the array does.
_MAX_CONSTANT_ARRAY_BYTES = 16 << 20
_exception_ids = _ember.exception_ids()


def builtin_ids() -> dict[int, int]:
    """id(Python object) -> BuiltinId, from the compiler's table (built on first use)."""
    global _builtin_ids
    if _builtin_ids is None:
        from . import _compiler
        table = {}
        for index, (modname, attr) in enumerate(_compiler.builtins()):
            if not modname:  # array methods: never a global
                continue
            try:
                obj = getattr(importlib.import_module(modname), attr)
            except (ImportError, AttributeError):
                continue
            table.setdefault(id(obj), index)
        # reversed() goes to ember/npapi/functional.py, which hands lists to the compiler's
        # reversed() under this second name
        from .npapi.functional import list_reversed
        table[id(list_reversed)] = table[id(builtins.reversed)]
        _builtin_ids = table
    return _builtin_ids


def _number_class(obj):
    """The ScalarKind a class or dtype denotes (float, np.float32, np.dtype('f4')), or None."""
    try:
        if isinstance(obj, type):
            if obj in _PY_NUMBER_CLASSES:
                obj = _PY_NUMBER_CLASSES[obj]
            elif not issubclass(obj, np.generic):
                return None
        elif not isinstance(obj, np.dtype):
            return None
        return _SCALAR_KINDS.get(np.dtype(obj))
    except TypeError:
        return None


def _exception_id(cls) -> int:
    name = cls.__name__
    if getattr(builtins, name, None) is cls and name in _exception_ids:
        return _exception_ids[name]
    return _ember.register_exception(cls)


class Freezer:
    """Freezes the values one function reads; collects the module attribute tables."""

    def __init__(self, attr_names, owner=None):
        self.attr_names = attr_names
        self.owner = owner  # the JitFunction whose inner functions (code constants) these are
        self.modules: dict[int, dict[str, tuple]] = {}

    def freeze(self, obj, what: str = "a value") -> tuple:
        if obj is None:
            return (NONE,)
        if isinstance(obj, np.generic) and not isinstance(obj, np.str_):
            # A NumPy scalar keeps its type (np.float32(1.5) stays float32).
            kind = _SCALAR_KINDS.get(obj.dtype)
            if kind is None:
                return (UNSUPPORTED, f"{what} is a {obj.dtype} scalar, which compiled code "
                                     f"cannot use{_not_yet(obj)}")
            if isinstance(obj, np.bool_):
                return (BOOL, int(obj), kind)
            if isinstance(obj, (np.datetime64, np.timedelta64)):  # its int64 count (NaT: min)
                return (INT, int(obj.view(np.int64)), kind)
            if isinstance(obj, np.integer):
                v = int(obj)
                return (INT, v if v <= _INT64_MAX else v - (1 << 64), kind)
            if isinstance(obj, np.floating):
                return (FLOAT, float(obj), kind)
            return (COMPLEX, float(obj.real), float(obj.imag), kind)
        if isinstance(obj, bool):
            return (BOOL, int(obj))
        if isinstance(obj, int):
            if _INT64_MIN <= obj <= _INT64_MAX:
                return (INT, obj)
            return (UNSUPPORTED, f"{what} is the integer {obj}, which does not fit in int64")
        if isinstance(obj, float):
            return (FLOAT, obj)
        if isinstance(obj, complex):
            return (COMPLEX, obj.real, obj.imag)
        if isinstance(obj, str):
            return (STR, obj)
        if isinstance(obj, bytes):  # a read-only constant buffer, typed as bytes (flag 1)
            return (ARRAY, _SCALAR_KINDS[np.dtype(np.uint8)], [len(obj)], obj, 1)
        if isinstance(obj, tuple):
            return (TUPLE, [self.freeze(e, what) for e in obj])
        if isinstance(obj, EmberType):  # typed.Dict.empty(types.int64, types.unicode_type)
            if len(obj.code) == 1 and obj.code[0] in _SCALAR_OF_TAG:
                kind = _SCALAR_OF_TAG[obj.code[0]]  # a number type: as np.int64 is
                return (NUMBER, kind, obj.name, 0)
            return (TYPEREF, list(obj.code), obj.name)
        if isinstance(obj, types.ModuleType):
            self._freeze_module(obj)
            return (MODULE, id(obj), obj.__name__)
        if isinstance(obj, _ember.Dispatcher):
            return (DISPATCHER, id(obj._impl), obj.__name__)
        if isinstance(obj, ctypes._CFuncPtr):  # a C function (ember/cfunctions.py)
            return _cfn.freeze_ctypes_function(obj, what)
        if isinstance(obj, type) and (obj is ctypes.c_void_p or issubclass(obj, ctypes._Pointer)):
            frozen = _cfn.freeze_ctypes_pointer_type(obj)
            if frozen is not None:
                return frozen
        if _cfn.is_cffi_function(obj):
            return _cfn.freeze_cffi_function(obj, what)
        if _cfn.is_cffi_library(obj):  # ffi.dlopen(...): its functions, as a module's
            self._freeze_module(obj, "lib")
            return (MODULE, id(obj), "lib")
        if _cfn.is_cffi_ffi(obj):  # ffi.from_buffer(a): as a module with that one attribute
            key = id(obj)
            if key not in self.modules:
                self.modules[key] = {"from_buffer": self.freeze(_cfn.from_buffer_function())}
            return (MODULE, key, "ffi")
        if isinstance(obj, types.CodeType) and self.owner is not None:
            inner = self.owner.inner_function(obj)  # a lambda or inner def
            return (DISPATCHER, id(inner), inner.__name__)
        if isinstance(obj, np.ufunc) or type(obj).__name__ == "DUFunc":
            from .ufunc import ufunc_kernels  # a @vectorize ufunc: calls go to its kernel
            kernel = ufunc_kernels.get(id(obj))
            if kernel is not None:  # CalleeKind: 1 a ufunc's kernel, 2 a gufunc's
                return (DISPATCHER, id(kernel), kernel.__name__,
                        2 if getattr(obj, "signature", None) else 1)
        if isinstance(obj, type) and issubclass(obj, _ember.JitclassBase) and \
                hasattr(obj, "class_type"):
            from .jitclasses import _freeze
            return _freeze(obj)
        if obj is builtins.reversed:  # arrays, tuples, strings, ranges: ember/npapi/functional.py
            from .npapi import lookup
            implemented = lookup(obj)
            return (DISPATCHER, id(implemented), implemented.__name__)
        bid = builtin_ids().get(id(obj))
        if bid is not None:
            return (BUILTIN, bid)
        if callable(obj):
            from .npapi import lookup  # NumPy functions implemented in Python (ember/npapi)
            implemented = lookup(obj)
            if implemented is not None:
                return (DISPATCHER, id(implemented), implemented.__name__)
        if isinstance(obj, np.dtype) and obj.fields is not None:
            # A structured dtype (np.empty(n, dtype=rec)): the record type as a value.
            from .records import record_id
            rid = record_id(obj)
            if rid:
                return (TYPEREF, [72, rid], f"Record({obj})")  # [EMBER_T_RECORD, id]
            return (UNSUPPORTED, f"{what} is the structured dtype {obj}, which compiled code "
                                 "cannot use (it holds Python objects)")
        kind = _number_class(obj)
        if kind is not None:
            return (NUMBER, kind, str(obj), 1 if obj in _PY_NUMBER_CLASSES else 0)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            return (EXCEPTION, _exception_id(obj), obj.__name__)
        if isinstance(obj, np.ndarray):
            # Frozen as a read-only constant, as Numba does (cuda.const.array_like's argument).
            kind = _SCALAR_KINDS.get(obj.dtype) if obj.dtype.isnative else None
            if kind is None:
                return (UNSUPPORTED, f"{what} is an array of dtype {obj.dtype}, which compiled "
                                     f"code cannot use{_not_yet(obj)}")
            if obj.nbytes > _MAX_CONSTANT_ARRAY_BYTES:
                return (UNSUPPORTED, f"{what} is an array of {obj.nbytes} bytes, too large to "
                                     "freeze into compiled code as a constant (the limit is "
                                     f"{_MAX_CONSTANT_ARRAY_BYTES >> 20} MiB): pass it as an "
                                     "argument")
            return (ARRAY, kind, list(obj.shape), np.ascontiguousarray(obj).tobytes())
        if callable(obj) and what.startswith("numpy."):
            return (UNSUPPORTED, f"np.{what[6:]}() is not supported in compiled code yet")
        return (UNSUPPORTED, f"{what} is a {type(obj).__name__}, which compiled code cannot use")

    def _freeze_module(self, module, label=None):
        key = id(module)
        if key in self.modules:
            return
        module_name = label or module.__name__
        attrs: dict[str, tuple] = {}
        self.modules[key] = attrs  # registered first: modules may refer to each other
        for name in self.attr_names:
            try:
                value = getattr(module, name)
            except AttributeError:
                continue
            attrs[name] = self.freeze(value, f"{module_name}.{name}")


def freeze_function(func, nis, owner=None):
    """(consts, name_values, modules) for the compiler, read from func's current state."""
    freezer = Freezer(nis.names, owner)
    consts = [freezer.freeze(c, "a constant") for c in nis.consts]
    from .bytecode import Op
    global_names, deref_names = set(), set()
    for ins in nis.code:
        if ins.op == Op.LOAD_GLOBAL:
            global_names.add(ins.arg)
        elif ins.op == Op.LOAD_DEREF:
            deref_names.add(ins.arg)
    closure = {}
    if func.__closure__:
        closure = dict(zip(func.__code__.co_freevars, func.__closure__))
    name_values = []
    for index, name in enumerate(nis.names):
        if index in global_names:
            if name in func.__globals__:
                value = func.__globals__[name]
            elif hasattr(builtins, name):
                value = getattr(builtins, name)
            else:
                name_values.append((UNSUPPORTED, f"name '{name}' is not defined"))
                continue
            name_values.append(freezer.freeze(value, f"global '{name}'"))
        elif index in deref_names:
            cell = closure.get(name)
            try:
                value = cell.cell_contents
            except (AttributeError, ValueError):
                name_values.append((UNSUPPORTED, f"free variable '{name}' has no value yet"))
                continue
            name_values.append(freezer.freeze(value, f"closure variable '{name}'"))
        else:
            name_values.append((UNSUPPORTED, f"'{name}' is not a variable"))
    return consts, name_values, freezer.modules

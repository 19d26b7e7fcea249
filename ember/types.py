"""ember's types under Numba's names: ``types.int64``, ``types.float64[:]``,
``types.unicode_type``, ``types.Tuple((int64, float64))``, ``types.UniTuple(int64, 3)``,
``types.Optional(float64)``, ``types.Array(float32, 2, "C")``, and the container types
``types.ListType(int64)``, ``types.DictType(unicode_type, float64)``, ``types.SetType(int64)``
that ``ember.typed.List.empty_list`` and ``ember.typed.Dict.empty`` take.

A type is a thin Python object around its ember type code (ember/abi.h), the form the
dispatcher and the compiler share.  Calling a type makes a signature, as in Numba:
``float64(int64[:], float64)`` is a ``Signature`` that ``@ember.jit(...)`` and
``dispatcher.compile(...)`` accept like the string ``"float64(int64[:], float64)"``.
``typeof(value)`` is the type ember compiles a value as.
"""
from __future__ import annotations

from . import signature as _sig

__all__ = ["Type", "Signature", "Array", "Tuple", "UniTuple", "Optional", "optional",
           "NPDatetime", "NPTimedelta",
           "DeferredType", "deferred_type", "ListType", "DictType",
           "SetType", "Set", "List", "typeof", "from_code",
           "Boolean", "Number", "Integer", "Float", "Complex", "NoneType", "UnicodeType",
           "Literal", "StringLiteral", "NumberClass", "Opaque", "BaseTuple", "float16", "f2",
           "half", "CPointer", "voidptr", "FunctionType", "intc", "uintc",
           "boolean", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "intp", "uintp", "float32", "float64", "complex64", "complex128",
           "none", "void", "unicode_type", "string", "b1", "i1", "i2", "i4", "i8", "u1", "u2",
           "u4", "u8", "f4", "f8", "c8", "c16", "byte", "int_", "float_", "double",
           "Bytes", "bytes_type", "bytearray_type"]

_LAYOUT_NAMES = {_sig.LAYOUT_C: "C", _sig.LAYOUT_F: "F", _sig.LAYOUT_A: "A"}
_LAYOUTS = {v: k for k, v in _LAYOUT_NAMES.items()}


class Type:
    """A type ember compiles for: its name (Numba's spelling) and its type code.

    The subclasses are Numba's type classes (``types.Array``, ``types.Integer``, ...), so that
    ``isinstance(t, types.Array)`` in an ``@overload`` typing function reads as it does in
    Numba; every instance is still just a name and a code."""

    __slots__ = ("name", "code")

    def __init__(self, name: str, code):
        self.name = name
        self.code = tuple(code)

    @classmethod
    def _of(cls, name, code):
        t = object.__new__(cls)
        t.name = name
        t.code = tuple(code)
        return t

    def __repr__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, Type) and self.code == other.code

    def __hash__(self):
        return hash(self.code)

    def __call__(self, *args):
        """``float64(int64, float64[:])``: a signature returning this type."""
        return Signature(self, args)

    def __getitem__(self, axes):
        """``float64[:]``, ``float64[:, ::1]`` (C), ``float64[::1, :]`` (F): an array type."""
        if not isinstance(self, (Number, Boolean)):
            raise TypeError(f"arrays hold numbers, not {self.name}")
        if not isinstance(axes, tuple):
            axes = (axes,)
        contiguous = []
        for a in axes:
            if not isinstance(a, slice) or a.start is not None or a.stop is not None or \
                    a.step not in (None, 1):
                raise TypeError("array axes are written ':' or '::1'")
            contiguous.append(a.step == 1)
        layout = "A"
        if contiguous[-1] and not any(contiguous[:-1]):
            layout = "C"
        elif contiguous[0] and not any(contiguous[1:]):
            layout = "F" if len(axes) > 1 else "C"
        return Array(self, len(axes), layout)


class _Built(Type):
    """A type class whose constructor takes Numba's arguments (``Array(float64, 2, "C")``) and
    returns the type of the resulting code, which may be an instance of a sibling class
    (``Tuple((int64, int64))`` is a ``UniTuple``, as in Numba)."""

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        pass  # the instance was made whole by __new__


class Boolean(Type):
    __slots__ = ()


class Number(Type):
    """Integers, floats and complex numbers."""

    __slots__ = ()

    @property
    def bitwidth(self):
        return _BITWIDTHS[self.code[0]]


class Integer(Number):
    __slots__ = ()

    @property
    def signed(self):
        return self.code[0] in (_sig.T_INT8, _sig.T_INT16, _sig.T_INT32, _sig.T_INT64)


class Float(Number):
    __slots__ = ()


class Complex(Number):
    __slots__ = ()

    @property
    def underlying_float(self):
        return float32 if self.code[0] == _sig.T_COMPLEX64 else float64


class NoneType(Type):
    __slots__ = ()


class UnicodeType(Type):
    __slots__ = ()


class Literal(Type):
    """A compile-time constant argument; ``literal_value`` is the value."""

    __slots__ = ("literal_value",)


class StringLiteral(Literal, UnicodeType):
    """A string constant: an ``@overload`` typing function reads its text as
    ``literal_value`` (the argument reaches the implementation as a ``unicode_type``)."""

    __slots__ = ()


class NPDatetimeType(Type):
    """A datetime64 or timedelta64 of one unit (Numba's NPDatetime / NPTimedelta)."""

    __slots__ = ()


class NumberClass(Type):
    """A number class used as a value (``np.float32`` as a ``dtype=`` argument);
    ``instance_type`` is the scalar type it makes."""

    __slots__ = ("instance_type",)


class Opaque(Type):
    """A type with no Numba class of its own here (functions, modules, ...)."""

    __slots__ = ()


class Array(_Built):
    """Numba's ``types.Array(dtype, ndim, layout)``."""

    __slots__ = ()

    def __new__(cls, dtype, ndim: int, layout: str = "A", readonly: bool = False):
        dtype = _as_type(dtype)
        return from_code([_sig.T_ARRAY, dtype.code[0], int(ndim), _LAYOUTS[layout],
                          1 if readonly else 0])

    dtype = property(lambda self: from_code(self.code[1:2]))
    ndim = property(lambda self: self.code[2])
    layout = property(lambda self: _LAYOUT_NAMES[self.code[3]])
    readonly = property(lambda self: bool(self.code[4]))
    mutable = property(lambda self: not self.code[4])


class Record(Type):
    """Numba's ``types.Record``: a record of a structured dtype (ember/records.py)."""

    __slots__ = ()


class RecordArray(Type):
    """An array of records (Numba's ``types.Array`` of a ``Record`` dtype)."""

    __slots__ = ()

    dtype = property(lambda self: from_code([_RECORD_TAG, self.code[1]]))
    ndim = property(lambda self: self.code[2])
    layout = property(lambda self: _LAYOUT_NAMES[self.code[3]])
    readonly = property(lambda self: bool(self.code[4]))
    mutable = property(lambda self: not self.code[4])


class Bytes(Type):
    """Numba's ``types.Bytes`` (bytes) and ``types.ByteArray`` (bytearray): a 1-d uint8
    buffer (compiled code indexes, slices and iterates it as an array)."""

    __slots__ = ()

    dtype = property(lambda self: uint8)
    ndim = property(lambda self: 1)
    layout = property(lambda self: _LAYOUT_NAMES[self.code[2]])
    readonly = property(lambda self: self.code[1] == 1)
    mutable = property(lambda self: self.code[1] != 1)


class BaseTuple(Type):
    """Tuples: ``types`` is the element types, ``count`` their number."""

    __slots__ = ()

    @property
    def types(self):
        elems, pos = [], 2
        for _ in range(self.code[1]):
            end = _name(self.code, pos)[1]
            elems.append(from_code(self.code[pos:end]))
            pos = end
        return tuple(elems)

    count = property(lambda self: self.code[1])

    def __len__(self):
        return self.code[1]

    def __iter__(self):
        return iter(self.types)

    def __getitem__(self, i):
        return self.types[i]


class Tuple(_Built, BaseTuple):
    """``types.Tuple((int64, float64))``; a homogeneous one is a ``UniTuple``."""

    __slots__ = ()

    def __new__(cls, elems):
        elems = [_as_type(e) for e in elems]
        code = [_sig.T_TUPLE, len(elems)]
        for e in elems:
            code += e.code
        return from_code(code)


class UniTuple(_Built, BaseTuple):
    """``types.UniTuple(float64, 3)``: a homogeneous tuple; ``dtype`` is the element type."""

    __slots__ = ()

    def __new__(cls, dtype, count: int):
        return Tuple([_as_type(dtype)] * int(count))

    dtype = property(lambda self: self.types[0])


class Optional(_Built):
    """``types.Optional(float64)``: a value of the type, or None; ``type`` is the type."""

    __slots__ = ()

    def __new__(cls, inner):
        if isinstance(inner, DeferredType):
            return inner.get_optional()
        return from_code([_sig.T_OPTIONAL] + list(_as_type(inner).code))

    type = property(lambda self: from_code(self.code[1:]))


optional = Optional  # Numba's other spelling


class DeferredType(Type):
    """Numba's ``deferred_type()``: a type named before it exists, for a jitclass whose fields
    hold instances of its own class (a linked list's ``next``).  ``define(t)`` (an instance
    type, or the jitclass itself) gives it, before the first compile of the class; until then
    it has no code, and a jitclass keeps the field's type unresolved (ember/jitclasses.py)."""

    __slots__ = ("_defined", "_optional")

    def __init__(self):
        super().__init__("deferred_type", ())
        self.code = None
        self._defined = None
        self._optional = None

    def define(self, t):
        if self._defined is not None:
            raise TypeError(f"this deferred type is already defined as {self._defined}")
        class_type = getattr(t, "class_type", None)  # a jitclass given itself
        self._defined = class_type.instance_type if class_type is not None else _as_type(t)

    def get(self) -> Type:
        """The type define() gave; TypeError before."""
        if self._defined is None:
            raise TypeError("a deferred type is used before its define(...)")
        return self._defined

    def get_optional(self):
        if self._optional is None:
            self._optional = _DeferredOptional(self)
        return self._optional

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class _DeferredOptional(Type):
    """``Optional(deferred)``: resolved with the deferred type."""

    __slots__ = ("deferred",)

    def __init__(self, deferred):
        super().__init__("OptionalType(deferred_type)", ())
        self.code = None
        self.deferred = deferred

    def get(self) -> Type:
        return Optional(self.deferred.get())

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def deferred_type() -> DeferredType:
    """Numba's ``deferred_type()``."""
    return DeferredType()


class ListType(_Built):  # noqa: N801 (Numba's spelling)
    """``types.ListType(int64)``: the type of an ``ember.typed.List``."""

    __slots__ = ()

    def __new__(cls, item):
        return from_code([_sig.T_LIST, 1] + list(_as_type(item).code))

    item_type = property(lambda self: from_code(self.code[2:]))
    dtype = item_type
    reflected = property(lambda self: not self.code[1])


class List(ListType):
    """A Python list passed in (Numba's reflected ``types.List``)."""

    __slots__ = ()

    def __new__(cls, item, reflected=True):
        return from_code([_sig.T_LIST, 0 if reflected else 1] + list(_as_type(item).code))


class DictType(_Built):  # noqa: N801
    """``types.DictType(int64, float64)``: the type of an ``ember.typed.Dict``."""

    __slots__ = ()

    def __new__(cls, key, value):
        return from_code([_sig.T_DICT] + list(_as_type(key).code) + list(_as_type(value).code))

    key_type = property(lambda self: from_code(self.code[1:_name(self.code, 1)[1]]))
    value_type = property(lambda self: from_code(self.code[_name(self.code, 1)[1]:]))


class SetType(_Built):  # noqa: N801
    """``types.SetType(int64)`` (``types.Set`` in Numba): a set of that item type."""

    __slots__ = ()

    def __new__(cls, item):
        return from_code([_sig.T_SET] + list(_as_type(item).code))

    dtype = property(lambda self: from_code(self.code[1:]))


Set = SetType


class CPointer(_Built):
    """``types.CPointer(float64)``: a C pointer, which a ``@cfunc`` takes as an argument
    (ember/ccallback.py); ``dtype`` is the pointee, None for ``types.voidptr``."""

    __slots__ = ()

    def __new__(cls, dtype):
        dtype = _as_type(dtype)
        if dtype.code[0] not in _BITWIDTHS and dtype.code[0] != _sig.T_BOOL:
            raise TypeError(f"a CPointer points to a number or bool, not {dtype.name}")
        return from_code([_sig.T_CPOINTER, dtype.code[0]])

    dtype = property(lambda self: from_code(self.code[1:2]) if self.code[1] else None)


class FunctionType(_Built):
    """``types.FunctionType(float64(float64))``: a first-class function of that signature, as
    Numba's.  A value of it is the native address of a compiled specialization, so compiled
    code calls it indirectly; a jitted function or a ``@cfunc`` passed for an argument declared
    with it is compiled for (or must have) exactly that signature (ember/firstclass.py)."""

    __slots__ = ()

    def __new__(cls, signature):
        if not isinstance(signature, Signature) or signature.return_type is None:
            raise TypeError("FunctionType takes a signature with a return type, such as "
                            "types.float64(types.float64)")
        code = [_sig.T_FUNCTION, len(signature.args), *signature.return_type.code]
        for a in signature.args:
            code.extend(a.code)
        return from_code(code)

    @property
    def signature(self):
        """The Signature (return type and argument types) of the functions of this type."""
        parts, pos = [], 2
        for _ in range(self.code[1] + 1):
            _, end = _name(self.code, pos)
            parts.append(from_code(self.code[pos:end]))
            pos = end
        return Signature(parts[0], parts[1:])


class Signature:
    """A function signature: return type (None when inferred) and argument types."""

    __slots__ = ("return_type", "args")

    def __init__(self, return_type, args):
        self.return_type = return_type
        self.args = tuple(_as_type(a) for a in args)

    def __repr__(self):
        ret = "" if self.return_type is None else self.return_type.name
        return f"{ret}({', '.join(a.name for a in self.args)})"

    def codes(self):
        """(argument type codes, return type code or None), as parse_signature gives them."""
        ret = None if self.return_type is None else list(self.return_type.code)
        return [list(a.code) for a in self.args], ret


def _as_type(t) -> Type:
    if isinstance(t, Type):
        return t
    if isinstance(t, str):
        return from_code(_sig.parse_type(t))
    raise TypeError(f"expected an ember type such as types.float64, not {type(t).__name__}")


_SCALAR_NAMES = {code: name for name, code in (
    ("bool", _sig.T_BOOL), ("int8", _sig.T_INT8), ("int16", _sig.T_INT16),
    ("int32", _sig.T_INT32), ("int64", _sig.T_INT64), ("uint8", _sig.T_UINT8),
    ("uint16", _sig.T_UINT16), ("uint32", _sig.T_UINT32), ("uint64", _sig.T_UINT64),
    ("float16", _sig.T_FLOAT16), ("float32", _sig.T_FLOAT32), ("float64", _sig.T_FLOAT64),
    ("complex64", _sig.T_COMPLEX64), ("complex128", _sig.T_COMPLEX128), ("none", _sig.T_NONE),
    ("unicode_type", _sig.T_UNICODE))}
# datetime64 / timedelta64: tag 70 / 71 | unit << 8 (ember/abi.h), named as Numba prints them
_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "")
for _u, _unit in enumerate(_TIME_UNITS):
    for _tag, _family in ((70, "datetime64"), (71, "timedelta64")):
        _SCALAR_NAMES[_tag | _u << 8] = f"{_family}[{_unit}]" if _unit else _family
_BITWIDTHS = {_sig.T_INT8: 8, _sig.T_INT16: 16, _sig.T_INT32: 32, _sig.T_INT64: 64,
              _sig.T_UINT8: 8, _sig.T_UINT16: 16, _sig.T_UINT32: 32, _sig.T_UINT64: 64,
              _sig.T_FLOAT16: 16, _sig.T_FLOAT32: 32, _sig.T_FLOAT64: 64,
              _sig.T_COMPLEX64: 64, _sig.T_COMPLEX128: 128}
_SCALAR_CLASSES = {_sig.T_BOOL: Boolean, _sig.T_NONE: NoneType, _sig.T_UNICODE: UnicodeType,
                   _sig.T_FLOAT16: Float, _sig.T_FLOAT32: Float, _sig.T_FLOAT64: Float,
                   _sig.T_COMPLEX64: Complex, _sig.T_COMPLEX128: Complex}
_CLASSES = {_sig.T_ARRAY: Array, _sig.T_OPTIONAL: Optional, _sig.T_DICT: DictType,
            _sig.T_SET: SetType, _sig.T_CPOINTER: CPointer, _sig.T_FUNCTION: FunctionType,
            72: Record, 73: RecordArray, 80: Bytes}


_JITCLASS_TAG = 60  # EMBER_T_JITCLASS: [tag, class id] (ember/jitclasses.py)
_RECORD_TAG, _RECORD_ARRAY_TAG = 72, 73  # EMBER_T_RECORD / _RECORD_ARRAY (ember/records.py)
_BYTES_TAG = 80  # EMBER_T_BYTES: [tag, 1 bytes / 2 bytearray, layout]
_jitclass_names: dict[int, str] = {}  # class id -> class name, filled by ember.jitclass


def _name(code, pos):
    """(Numba's name of the type whose code starts at code[pos], the position after it)."""
    tag = code[pos]
    if tag in _SCALAR_NAMES:
        return _SCALAR_NAMES[tag], pos + 1
    if tag == _sig.T_ARRAY:
        dtype, ndim, layout, readonly = code[pos + 1:pos + 5]
        ro = "" if not readonly else ", readonly"
        return (f"array({_SCALAR_NAMES[dtype]}, {ndim}d, {_LAYOUT_NAMES[layout]}{ro})",
                pos + 5)
    if tag == _sig.T_TUPLE:
        n, pos = code[pos + 1], pos + 2
        names = []
        for _ in range(n):
            name, pos = _name(code, pos)
            names.append(name)
        if n and all(x == names[0] for x in names):
            return f"UniTuple({names[0]}, {n})", pos
        return f"Tuple({', '.join(names)})", pos
    if tag == _sig.T_OPTIONAL:
        name, pos = _name(code, pos + 1)
        return f"OptionalType({name})", pos
    if tag == _sig.T_LIST:
        reflected, (name, pos) = not code[pos + 1], _name(code, pos + 2)
        return (f"reflected list({name})" if reflected else f"ListType[{name}]"), pos
    if tag == _sig.T_DICT:
        key, pos = _name(code, pos + 1)
        value, pos = _name(code, pos)
        return f"DictType[{key}, {value}]", pos
    if tag == _sig.T_SET:
        name, pos = _name(code, pos + 1)
        return f"set({name})", pos
    if tag == _sig.T_CPOINTER:
        pointee = code[pos + 1]
        return (f"CPointer({_SCALAR_NAMES[pointee]})" if pointee else "voidptr"), pos + 2
    if tag == _JITCLASS_TAG:
        return f"instance({_jitclass_names.get(code[pos + 1], '?')})", pos + 2
    if tag == _BYTES_TAG:
        kind, layout = code[pos + 1:pos + 3]
        return (f"{'Bytes' if kind == 1 else 'bytearray'}(uint8, 1d, {_LAYOUT_NAMES[layout]})",
                pos + 3)
    if tag in (_RECORD_TAG, _RECORD_ARRAY_TAG):
        from .records import record_name
        name = f"Record({record_name(code[pos + 1])})"
        if tag == _RECORD_TAG:
            return name, pos + 2
        ndim, layout, readonly = code[pos + 2:pos + 5]
        ro = "" if not readonly else ", readonly"
        return f"array({name}, {ndim}d, {_LAYOUT_NAMES[layout]}{ro})", pos + 5
    if tag == _sig.T_FUNCTION:
        n, (ret, pos) = code[pos + 1], _name(code, pos + 2)
        args = []
        for _ in range(n):
            name, pos = _name(code, pos)
            args.append(name)
        return f"FunctionType({ret}({', '.join(args)}))", pos
    raise ValueError(f"bad type code {list(code)!r}")


def _class_of(code):
    tag = code[0]
    if tag in _SCALAR_CLASSES:
        return _SCALAR_CLASSES[tag]
    if tag & 0xff in (70, 71):
        return NPDatetimeType
    if tag in _BITWIDTHS:
        return Integer
    if tag == _sig.T_TUPLE:
        elems = BaseTuple._of("", code).types
        return UniTuple if elems and all(e == elems[0] for e in elems) else Tuple
    if tag == _sig.T_LIST:
        return ListType if code[1] else List
    if tag == _JITCLASS_TAG:
        from .jitclasses import InstanceType
        return InstanceType
    return _CLASSES[tag]


def from_code(code) -> Type:
    """The Type of an ember type code."""
    code = list(code)
    name, end = _name(code, 0)
    if end != len(code):
        raise ValueError(f"bad type code {code!r}")
    return _class_of(code)._of(name, code)


def NPDatetime(unit: str = "") -> Type:
    """Numba's types.NPDatetime(unit): datetime64 of that unit ('' for the generic one)."""
    return from_code([70 | _TIME_UNITS.index(unit) << 8])


def NPTimedelta(unit: str = "") -> Type:
    """Numba's types.NPTimedelta(unit)."""
    return from_code([71 | _TIME_UNITS.index(unit) << 8])


def typeof(value) -> Type:
    """The type ember compiles ``value`` as (Numba's ``numba.typeof``)."""
    from . import _ember
    from .argument_stand_ins import is_dtype, stand_ins
    if is_dtype(value):  # a compile-time value, as Numba's DType / NumberClass
        import numpy as np
        name = str(np.dtype(_PY_DTYPES.get(value, value)))
        t = NumberClass._of(f"class({name})", ())
        t.instance_type = globals().get("boolean" if name == "bool" else name)
        return t
    try:
        return from_code(_ember.typeof_code(stand_ins((value,))[0]))
    except TypeError:
        raise ValueError(f"ember cannot compile a value of type {type(value).__name__}") from None


_PY_DTYPES = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}


boolean = bool_ = b1 = from_code([_sig.T_BOOL])
int8 = i1 = from_code([_sig.T_INT8])
int16 = i2 = from_code([_sig.T_INT16])
int32 = i4 = intc = from_code([_sig.T_INT32])
int64 = i8 = intp = int_ = from_code([_sig.T_INT64])
uint8 = u1 = byte = from_code([_sig.T_UINT8])
uint16 = u2 = from_code([_sig.T_UINT16])
uint32 = u4 = uintc = from_code([_sig.T_UINT32])
uint64 = u8 = uintp = from_code([_sig.T_UINT64])
float16 = f2 = half = from_code([_sig.T_FLOAT16])
float32 = f4 = from_code([_sig.T_FLOAT32])
float64 = f8 = double = float_ = from_code([_sig.T_FLOAT64])
complex64 = c8 = from_code([_sig.T_COMPLEX64])
complex128 = c16 = from_code([_sig.T_COMPLEX128])
none = void = from_code([_sig.T_NONE])
unicode_type = string = from_code([_sig.T_UNICODE])
bytes_type = from_code([_BYTES_TAG, 1, _sig.LAYOUT_C])  # Numba's types.Bytes(uint8, 1, "C")
bytearray_type = from_code([_BYTES_TAG, 2, _sig.LAYOUT_C])
voidptr = from_code([_sig.T_CPOINTER, 0])

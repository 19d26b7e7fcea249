"""Type objects with Numba's spelling (``types.int64``, ``types.float64[:]``,
``types.UniTuple(types.int64, 2)``, ``types.ListType(...)``, ``types.DictType(...)``), as
``ember.typed.List.empty_list`` and ``ember.typed.Dict.empty`` take them.

Each type is its ABI type code (ember/abi.h): ``code`` is the list of ints the dispatcher and the
compiler share.  This is the minimal set the containers need; the full module (strings, explicit
signatures) grows from here.
"""

__all__ = ["Type", "boolean", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16",
           "uint32", "uint64", "intp", "float32", "float64", "complex64", "complex128", "none",
           "UniTuple", "Tuple", "ListType", "DictType", "SetType", "Array", "Optional"]

# ember/abi.h's ember_type_tag and ember_layout.
_T_BOOL, _T_NONE, _T_ARRAY, _T_TUPLE, _T_OPTIONAL, _T_LIST, _T_DICT, _T_SET = (
    1, 14, 15, 16, 17, 18, 19, 20)
_LAYOUTS = {"C": 0, "F": 1, "A": 2}


class Type:
    """An ember type: its name and ABI type code."""

    __slots__ = ("name", "code")

    def __init__(self, name, code):
        self.name = name
        self.code = tuple(code)

    def __repr__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, Type) and other.code == self.code

    def __hash__(self):
        return hash(self.code)

    def __getitem__(self, index):
        """``float64[:]`` (any layout), ``float64[::1]`` (C), ``float64[:, :]`` ..."""
        if not self.code or self.code[0] > 13:
            raise TypeError(f"{self.name} is not a scalar type: it has no array types")
        dims = index if isinstance(index, tuple) else (index,)
        if not all(isinstance(d, slice) and d.start is None and d.stop is None for d in dims):
            raise TypeError("array types are written with slices: float64[:], float64[:, ::1]")
        layout = "A"
        if dims[-1].step == 1:
            layout = "C"
        elif dims[0].step == 1 and len(dims) > 1:
            layout = "F"
        return Array(self, len(dims), layout)


def _scalar(name, tag):
    return Type(name, (tag,))


boolean = bool_ = _scalar("bool", _T_BOOL)
int8, int16, int32, int64 = (_scalar(f"int{b}", t) for b, t in ((8, 2), (16, 3), (32, 4), (64, 5)))
uint8, uint16, uint32, uint64 = (_scalar(f"uint{b}", t)
                                 for b, t in ((8, 6), (16, 7), (32, 8), (64, 9)))
intp = int64
float32, float64 = _scalar("float32", 10), _scalar("float64", 11)
complex64, complex128 = _scalar("complex64", 12), _scalar("complex128", 13)
none = Type("none", (_T_NONE,))


def Array(dtype, ndim, layout="A", readonly=False):  # noqa: N802 (Numba's spelling)
    return Type(f"array({dtype.name}, {ndim}d, {layout})",
                (_T_ARRAY, dtype.code[0], ndim, _LAYOUTS[layout], int(readonly)))


def Tuple(*elems):  # noqa: N802
    if len(elems) == 1 and isinstance(elems[0], (tuple, list)):
        elems = tuple(elems[0])
    code = [_T_TUPLE, len(elems)]
    for e in elems:
        code.extend(e.code)
    return Type("Tuple(" + ", ".join(map(repr, elems)) + ")", code)


def UniTuple(dtype, count):  # noqa: N802
    t = Tuple(*([dtype] * count))
    return Type(f"UniTuple({dtype!r}, {count})", t.code)


def Optional(inner):  # noqa: N802
    return Type(f"Optional({inner!r})", (_T_OPTIONAL,) + inner.code)


def ListType(item):  # noqa: N802
    return Type(f"ListType[{item!r}]", (_T_LIST, 1) + item.code)


def DictType(key, value):  # noqa: N802
    return Type(f"DictType[{key!r}, {value!r}]", (_T_DICT,) + key.code + value.code)


def SetType(item):  # noqa: N802
    return Type(f"set({item!r})", (_T_SET,) + item.code)

"""NumPy functions implemented in Python and compiled by ember itself (Numba's @overload model).

A NumPy function registered here (``@overload(np.interp)``) is frozen by ember/values.py as a
jitted callee: when compiled code calls it, its *selector* runs at compile time with a
``TypeInfo`` per argument (an array's dtype, ndim and layout; a string literal's text; a number
class's dtype) and returns the jitted implementation for those types together with the names
of the arguments it takes.  Arguments that only steer the choice (``side="right"``,
``mode="same"``, ``dtype=np.float32``) are consumed by the selector and never reach compiled
code.  The implementations are ordinary ``@ember.jit`` functions, so they are typed, inlined and
optimized like the user's code.

The families live in their own modules (``search``, ``stats``, ``shapes``, ``linalg``,
``iteration``); importing this package imports them all, which registers every overload.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..errors import TypingError, UnsupportedError

_overloads: dict[int, Overload] = {}
_user_overloads: dict = {}  # id(func) -> ember.extending.UserOverload (it keeps func alive)
_loaded = False

_ARRAY, _TUPLE, _OPTIONAL, _NONE, _LIST = 15, 16, 17, 14, 42
_DTYPES = {1: np.bool_, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.uint8,
           7: np.uint16, 8: np.uint32, 9: np.uint64, 10: np.float32, 11: np.float64,
           12: np.complex64, 13: np.complex128, 32: np.float16}
# datetime64 / timedelta64 tags (ember/abi.h): 70 / 71 | unit << 8, units in ir/Types.h's order
_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "")
_DTYPES.update({family | u << 8: np.dtype(f"{letter}8[{unit}]" if unit else f"{letter}8")
                for family, letter in ((70, "M"), (71, "m"))
                for u, unit in enumerate(_TIME_UNITS)})
_LAYOUTS = "CFA"


class TypeInfo:
    """What a selector knows about one argument: its kind ('array', 'scalar', 'tuple', 'none',
    'str', 'class' or 'other'), and for arrays and scalars the NumPy dtype (for a number class,
    the dtype it names; for a string literal, its text in ``value``)."""

    __slots__ = ("kind", "dtype", "ndim", "layout", "readonly", "elems", "value", "text")

    def __init__(self, kind, text, dtype=None, ndim=0, layout="C", readonly=False, elems=(),
                 value=None):
        self.kind = kind
        self.text = text
        self.dtype = np.dtype(dtype) if dtype is not None else None
        self.ndim = ndim
        self.layout = layout
        self.readonly = readonly
        self.elems = elems
        self.value = value

    @property
    def is_array(self):
        return self.kind == "array"

    @property
    def is_scalar(self):
        return self.kind == "scalar"

    @property
    def is_number(self):
        return self.kind == "scalar" and self.dtype.kind in "biufc"

    def __repr__(self):
        return self.text


def _decode(code, pos, text):
    tag = code[pos]
    if tag == _ARRAY:
        return TypeInfo("array", text, _DTYPES[code[pos + 1]], code[pos + 2],
                        _LAYOUTS[code[pos + 3]], bool(code[pos + 4])), pos + 5
    if tag == _TUPLE:
        n, pos = code[pos + 1], pos + 2
        elems = []
        for _ in range(n):
            e, pos = _decode(code, pos, "")
            elems.append(e)
        return TypeInfo("tuple", text, elems=tuple(elems)), pos
    if tag == _NONE:
        return TypeInfo("none", text), pos + 1
    if tag in _DTYPES:
        return TypeInfo("scalar", text, _DTYPES[tag]), pos + 1
    if tag == _LIST:  # the items are the builtin's to check (ember/npapi/lists.py)
        return TypeInfo("list", text), len(code)
    return TypeInfo("other", text), len(code)


def type_info(session, type_id) -> TypeInfo:
    text = session.type_str(type_id)
    code = session.type_code(type_id)
    if code is None:
        if text.startswith("str('") and text.endswith("')"):
            return TypeInfo("str", text, value=text[5:-2])
        if text.startswith("class(") and text.endswith(")"):
            name = text[6:-1]
            return TypeInfo("class", text, dtype=np.bool_ if name == "bool" else name)
        return TypeInfo("other", text)
    return _decode(list(code), 0, text)[0]


class Overload:
    """A NumPy function whose calls from compiled code go to a Python selector."""

    def __init__(self, func, selector, name):
        self.func = func
        self.selector = selector
        self.__name__ = name
        self.__qualname__ = name
        self._loop = ()  # not a kernel (dispatcher._resolve_callee asks)
        self._signature = inspect.signature(selector)
        from ..dispatcher import _by_handle
        _by_handle[id(self)] = self

    def resolve_call(self, type_ids, kwnames):
        from ..dispatcher import JitFunction, session
        s = session()
        infos = [type_info(s, t) for t in type_ids]
        npos = len(infos) - len(kwnames)
        try:
            bound = self._signature.bind(*infos[:npos], **dict(zip(kwnames, infos[npos:])))
        except TypeError as exc:
            raise TypingError(f"{self.__name__}(): {exc}") from None
        index = {}
        params = list(self._signature.parameters.values())
        var = next((j for j, p in enumerate(params) if p.kind is p.VAR_POSITIONAL), None)
        for k in range(npos):
            if var is not None and k >= var:  # *shape: passed as "shape[0]", "shape[1]", ...
                index[f"{params[var].name}[{k - var}]"] = k
            else:
                index[params[k].name] = k
        for k, name in enumerate(kwnames):
            index[name] = npos + k
        bound.apply_defaults()
        choice = self.selector(*bound.args, **bound.kwargs)
        impl, passed = choice
        if not isinstance(impl, JitFunction):
            impl = impl._impl
        arg_map = []
        for name in passed:
            if name not in index:
                raise TypingError(f"{self.__name__}(): argument '{name}' is required")
            arg_map.append(index[name])
        compiled, params, inner, frozen = impl.resolve_call(
            tuple(type_ids[k] for k in arg_map), ())
        return compiled, params, [arg_map[k] if k >= 0 else -1 for k in inner], frozen


def overload(func, name=None):
    """Registers the decorated selector for the NumPy callable func."""
    def register(selector):
        label = name or f"np.{func.__name__}"
        _overloads[id(func)] = Overload(func, selector, label)
        return selector
    return register


def lookup(obj):
    """The Overload standing for a callable (a user's @overload first, then ember's own NumPy
    implementation), or None."""
    user = _user_overloads.get(id(obj))
    if user is not None:
        return user
    return _builtin(obj)


def _builtin(obj):
    global _loaded
    if not _loaded:
        _loaded = True
        # Importing the families registers their overloads.
        # (methods registers through ember.extending's @overload_method)
        from . import (  # noqa: F401
            edits,
            functional,
            info,
            iteration,
            linalg,
            mathfuncs,
            methods,
            misc,
            polynomial_class,
            polynomials,
            random,
            random_vectors,
            reshape,
            search,
            shapes,
            splits,
            stats,
            ufuncs,
            views,
        )
    return _overloads.get(id(obj))


def load():
    """Registers ember's NumPy implementations (the first lookup does it too)."""
    _builtin(None)


def register_user_overload(func, make):
    """The entry of ember.extending's @overload for func, made by make(func, fallback) on the
    first registration; ember's own implementation of func, if any, is the fallback."""
    entry = _user_overloads.get(id(func))
    if entry is None:
        entry = _user_overloads[id(func)] = make(func, _builtin(func))
    return entry


# ---- helpers for selectors ------------------------------------------------------------------

def unsupported(name, what):
    raise UnsupportedError(f"{name}(): {what} is not supported in compiled code yet")


def literal(info, name, default, allowed=None):
    """The text of a string-literal argument (default when it was left out or None)."""
    if info is None or info.kind == "none":
        return default
    if info.kind != "str":
        raise TypingError(f"{name} must be a constant string, not {info.text}")
    if allowed is not None and info.value not in allowed:
        raise TypingError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                          f"not {info.value!r}")
    return info.value


def absent(info):
    return info is None or info.kind == "none"


def result_float(*dtypes):
    """The float dtype NumPy gives functions that return floats (interp, median, ...)."""
    dt = np.result_type(*dtypes)
    if dt.kind in "biu":
        return np.dtype(np.float64)
    return dt

"""Teaching ember new functions from Python: Numba's ``@overload`` and ``@register_jitable``.

``@overload(func)`` registers a *typing function*: when compiled code calls ``func``, ember
calls the typing function at compile time with the ``ember.types`` type of each argument
(``types.Array``, ``types.Integer``, ``types.StringLiteral`` with its ``literal_value``, ...)
and compiles the implementation it returns, an ordinary Python function with ``func``'s
parameters, as an ``@njit`` callee of the caller: typed, inlined and optimized like the
user's own code.  A typing function that returns None declines; when every one declines the
call is a TypingError at the user's line listing the argument types.  ``func`` itself is left
untouched, so Python callers still run it.

``@register_jitable`` is the shorthand for a function that is its own implementation.

These live in the same table as ember's own NumPy implementations (ember/npapi): a user's
overload of a NumPy name ember already compiles is asked first and falls back to ember's when
it declines.  Numba's ``@intrinsic`` builds its body with llvmlite's IR builder; ember's takes
the body as LLVM IR text instead (ember/intrinsics.py).

``@overload_method(types.Array, "name")`` and ``@overload_attribute(types.Array, "name")``
give a type class (``types.Array``, ``UnicodeType``, ``ListType``, ``Integer``, ``Float``,
``BaseTuple``, ...) a method or an attribute.  The compiler asks for one only where the value's
type has no built-in attribute of that name (typeinfer/UserAttrRules.cpp calls
``lookup_user_attribute``); a method call then resolves like a call of an ``@overload`` whose
first argument is the object, an attribute like a call of its implementation with the object.

``cfunc``, ``carray`` and ``farray`` (ember/ccallback.py) are exported here too.
"""
from __future__ import annotations

import inspect

from . import types
from .errors import TypingError, UnsupportedError

# and cfunc, carray, farray (lazily)
__all__ = ["overload", "overload_method", "overload_attribute", "register_jitable", "intrinsic",
           "signature", "type_of_argument", "lookup_user_attribute"]

_INSTANCE_TYPES = {"bool": types.boolean, "int": types.int64, "float": types.float64,
                   "complex": types.complex128}


def type_of_argument(session, type_id) -> types.Type:
    """The ``ember.types`` object a typing function sees for one argument."""
    code = session.type_code(type_id)
    text = session.type_str(type_id)
    if code is not None:
        try:
            return types.from_code(code)
        except (KeyError, ValueError):
            return types.Opaque(text, ())
    if text.startswith("str('") and text.endswith("')"):
        t = types.StringLiteral._of(f"Literal[str]({text[5:-2]!r})", (types._sig.T_UNICODE,))
        t.literal_value = text[5:-2]
        return t
    if text.startswith("class(") and text.endswith(")"):
        name = text[6:-1]
        t = types.NumberClass._of(f"class({name})", ())
        t.instance_type = _INSTANCE_TYPES.get(name) or getattr(types, name, None)
        return t
    return types.Opaque(text, ())


def _npapi_overload():
    from .npapi import Overload
    return Overload


class UserOverload:
    """The typing functions registered for one Python callable, asked in the order they were
    registered; ``fallback`` is ember's own implementation of the callable, if any."""

    def __init__(self, func, fallback):
        self.func = func
        self.fallback = fallback
        self.typers: list[tuple] = []  # (typing function, its signature, jit options)
        self.__name__ = getattr(func, "__name__", repr(func))
        self.__qualname__ = self.__name__
        self._loop = ()  # not a kernel (dispatcher._resolve_callee asks)
        self._compiled: dict = {}
        from .dispatcher import _by_handle
        _by_handle[id(self)] = self

    def resolve_call(self, type_ids, kwnames):
        from .dispatcher import session
        s = session()
        argtypes = [type_of_argument(s, t) for t in type_ids]
        npos = len(argtypes) - len(kwnames)
        args, kwargs = argtypes[:npos], dict(zip(kwnames, argtypes[npos:]))
        for typer, signature, options in self.typers:
            try:
                signature.bind(*args, **kwargs)
            except TypeError:
                continue  # this typing function does not take these arguments
            impl = typer(*args, **kwargs)
            if isinstance(impl, _npapi_overload()):  # ember's own (a.view(np.int32)): its
                return impl.resolve_call(type_ids, kwnames)  # selector drops the dtype
            if impl is not None:
                return self._jitted(impl, options).resolve_call(type_ids, kwnames)
        if self.fallback is not None:
            return self.fallback.resolve_call(type_ids, kwnames)
        shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
        raise TypingError(f"no implementation of {self.__name__}() for ({shown}): every "
                          "@overload typing function declined these argument types")

    def _jitted(self, impl, options):
        """The JitFunction compiling impl; typing functions often return a fresh closure on
        each call, so one is kept per (code, captured values) where those can be hashed."""
        from .dispatcher import JitFunction
        inner = getattr(impl, "_impl", None)
        if isinstance(inner, JitFunction):  # already jitted, with its own options
            return inner
        if not callable(impl) or not hasattr(impl, "__code__"):
            raise TypingError(f"the @overload typing function of {self.__name__}() must return "
                              f"a Python function or None, not {type(impl).__name__}")
        cells = tuple(c.cell_contents for c in impl.__closure__ or ())
        key = (impl.__code__, id(impl.__globals__), tuple(sorted(options.items())), cells)
        try:
            found = self._compiled.get(key)
        except TypeError:  # an unhashable captured value: compile this closure on its own
            key, found = None, None
        if found is None:
            from .decorators import njit
            found = njit(**options)(impl)._impl
            if key is not None:
                self._compiled[key] = found
        return found


def overload(func, jit_options=None, strict=True, inline="never", prefer_literal=False,
             target="cpu"):
    """Numba's ``@overload(func)``: the decorated typing function chooses, from the argument
    types, the implementation compiled code runs when it calls ``func``."""
    del strict, inline, prefer_literal  # accepted for Numba's signature; no effect here
    if target not in ("cpu", "generic"):
        raise UnsupportedError(f"@overload(target={target!r}): only CPU overloads are "
                               "supported yet")
    if not callable(func):
        raise TypeError(f"@overload takes the function to implement, not {type(func).__name__}")

    def register(typer):
        from .npapi import register_user_overload
        entry = register_user_overload(func, UserOverload)
        entry.typers.append((typer, inspect.signature(typer), dict(jit_options or {})))
        return typer
    return register


def register_jitable(*args, **options):
    """Numba's ``@register_jitable``: the function runs as plain Python when Python calls it,
    and is compiled as a callee when compiled code calls it."""
    def wrap(fn):
        overload(fn, jit_options=options)(lambda *a, **k: fn)
        return fn
    if args and callable(args[0]) and len(args) == 1 and not options:
        return wrap(args[0])
    return wrap


def intrinsic(*args, **kwargs):
    """Numba's ``@intrinsic``, its body given as LLVM IR text (ember/intrinsics.py): ember does
    not build code with llvmlite."""
    from .intrinsics import intrinsic as make
    return make(*args, **kwargs)


def signature(return_type, *args):
    """Numba's ``typing.signature``: what an @intrinsic's typing function returns first."""
    return types.Signature(return_type, args)


# name -> [(type class, 1 for a method or 2 for an attribute, the UserOverload choosing it)]
_user_attributes: dict[str, list] = {}
_METHOD, _ATTRIBUTE = 1, 2


def _register_attribute(typ, name, kind, jit_options, decorator):
    if not (isinstance(typ, type) and issubclass(typ, types.Type)):
        raise TypeError(f"@{decorator} takes an ember.types class such as types.Array, not "
                        f"{typ!r}")
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"@{decorator}: the attribute name must be an identifier, not {name!r}")

    def register(typer):
        entries = _user_attributes.setdefault(name, [])
        found = [e for cls, k, e in entries if cls is typ and k == kind]
        if found:
            entry = found[0]
        else:
            entry = UserOverload(typer, None)
            entry.__name__ = entry.__qualname__ = f"{typ.__name__}.{name}"
            entries.append((typ, kind, entry))
        entry.typers.append((typer, inspect.signature(typer), dict(jit_options or {})))
        return typer
    return register


def overload_method(typ, attr, jit_options=None, strict=True, inline="never",
                    prefer_literal=False, target="cpu", **kwargs):
    """Numba's ``@overload_method(types.Array, "name")``: the decorated typing function takes
    the receiver's type then the arguments' types and returns the implementation, a function
    of (receiver, arguments...), or None."""
    del strict, inline, prefer_literal, kwargs
    if target not in ("cpu", "generic"):
        raise UnsupportedError(f"@overload_method(target={target!r}): only CPU overloads are "
                               "supported yet")
    return _register_attribute(typ, attr, _METHOD, jit_options, "overload_method")


def overload_attribute(typ, attr, jit_options=None, strict=True, inline="never",
                       prefer_literal=False, target="cpu", **kwargs):
    """Numba's ``@overload_attribute(types.Array, "name")``: the decorated typing function takes
    the object's type and returns the implementation, a function of the object, or None."""
    del strict, inline, prefer_literal, kwargs
    if target not in ("cpu", "generic"):
        raise UnsupportedError(f"@overload_attribute(target={target!r}): only CPU overloads are "
                               "supported yet")
    return _register_attribute(typ, attr, _ATTRIBUTE, jit_options, "overload_attribute")


def lookup_user_attribute(type_id, name):
    """Asked by the compiler when a value of type type_id has no built-in attribute `name`:
    (the handle of the UserOverload to call with the object first, 1 for a method or 2 for an
    attribute), or None.  The first registered type class the type is an instance of wins."""
    from . import npapi
    npapi.load()  # ember's own array methods (ember/npapi/methods.py) are registered here too
    _register_numpy_attributes()
    entries = _user_attributes.get(name)
    if not entries:
        return None
    from .dispatcher import session
    t = type_of_argument(session(), type_id)
    for cls, kind, entry in entries:
        if isinstance(t, cls):
            return id(entry), kind
    return None


def __getattr__(name):  # the cfunc objects import ctypes: only when asked for
    if name in ("cfunc", "carray", "farray"):
        from . import ccallback
        return getattr(ccallback, name)
    raise AttributeError(f"module 'ember.extending' has no attribute {name!r}")


_numpy_attributes_registered = False


def _register_numpy_attributes():
    """ember's own array attributes written in Python (ember/npapi/iteration.py: ``a.flat``),
    registered after any the user registered first, on the first attribute lookup."""
    global _numpy_attributes_registered
    if _numpy_attributes_registered:
        return
    _numpy_attributes_registered = True
    from .npapi.iteration import flat_typer
    overload_attribute(types.Array, "flat")(flat_typer)

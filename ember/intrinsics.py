"""Numba's ``@intrinsic``, with the body written as LLVM IR text.

Numba's intrinsic returns, from its typing function, a signature and a *codegen* function that
builds the body with llvmlite's IR builder.  ember does not use llvmlite, so its typing function
returns the signature and the body as LLVM IR *text*::

    @intrinsic
    def popcount(typingctx, x):          # x: the ember type of the argument
        if x != types.int64:
            return None                  # declines: a TypingError at the caller's line
        return types.int64(types.int64), '''
            %c = call i64 @llvm.ctpop.i64(i64 %x)
            ret i64 %c'''

The text is the body of a function whose parameters are named as the typing function's
(``%x`` above; ``%arg0``, ``%arg1``, ... for ``*args``) and typed by the signature: integers as
``iN``, float32/float64 as ``float``/``double``, bool as ``i1``, ``types.voidptr`` and
``types.CPointer(...)`` as ``ptr``, a ``types.none`` result as ``void``.  It may use several
basic blocks and call LLVM's intrinsics (``@llvm.*``, declared by the parser from the call).
ember declares the function, parses the text with LLVM's assembly parser, verifies it, links
it into the caller's module and always inlines it (lowering/LlvmIrBody.cpp), so it costs what
the same instructions written in the caller would.  A text LLVM refuses is a TypingError naming
the intrinsic, with LLVM's message and the line of the text.

An intrinsic is called from compiled code only, with positional arguments; the arguments are
converted to the signature's types as for a call of a jitted function with an explicit
signature.  Each (signature, text) is compiled once.
"""
from __future__ import annotations

import inspect
import types as _pytypes

from . import types
from .errors import TypingError

__all__ = ["intrinsic", "signature"]

_T = types._sig
_INT_TAGS = {_T.T_INT8, _T.T_INT16, _T.T_INT32, _T.T_INT64, _T.T_UINT8, _T.T_UINT16,
             _T.T_UINT32, _T.T_UINT64}
_NUMBERS = _INT_TAGS | {_T.T_BOOL, _T.T_FLOAT32, _T.T_FLOAT64}  # convert to each other
_ALLOWED = _NUMBERS | {_T.T_CPOINTER}


def signature(return_type, *args):
    """Numba's ``typing.signature(return_type, *args)``."""
    return types.Signature(return_type, args)


class _TypingContext:
    """What the typing function receives first, in Numba's place of its typing context."""

    def __repr__(self):
        return "<ember typing context>"


_typing_context = _TypingContext()


class Intrinsic:
    """One @intrinsic: asked by the compiler (``resolve_call``) like a jitted callee."""

    def __init__(self, typer):
        self.typer = typer
        self.__name__ = typer.__name__
        self.__qualname__ = typer.__qualname__
        self.__doc__ = typer.__doc__
        self.__wrapped__ = typer
        self._loop = ()  # not a kernel (dispatcher._resolve_callee asks)
        self._compiled: dict = {}
        params = list(inspect.signature(typer).parameters.values())
        if not params or params[0].kind not in (params[0].POSITIONAL_ONLY,
                                                params[0].POSITIONAL_OR_KEYWORD):
            raise TypeError(f"@intrinsic {self.__name__}: the typing function takes the typing "
                            "context first, then the arguments' types")
        self._names = [p.name for p in params[1:] if p.kind in (p.POSITIONAL_ONLY,
                                                                p.POSITIONAL_OR_KEYWORD)]
        self._varargs = any(p.kind == p.VAR_POSITIONAL for p in params[1:])
        from .dispatcher import _by_handle
        from .npapi import register_user_overload
        _by_handle[id(self)] = self
        register_user_overload(self, lambda func, fallback: self)  # values.py freezes it so

    def __repr__(self):
        return f"<ember intrinsic {self.__qualname__}>"

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.__name__}() is an @intrinsic: it can only be called from "
                        "compiled code")

    def _fail(self, message):
        raise TypingError(f"@intrinsic {self.__name__}: {message}")

    def resolve_call(self, type_ids, kwnames):
        from .dispatcher import session
        from .extending import type_of_argument
        if kwnames:
            self._fail("an intrinsic takes positional arguments only")
        s = session()
        argtypes = [type_of_argument(s, t) for t in type_ids]
        if len(argtypes) != len(self._names) and not (self._varargs and
                                                      len(argtypes) > len(self._names)):
            self._fail(f"takes {len(self._names)} arguments, not {len(argtypes)}")
        result = self.typer(_typing_context, *argtypes)
        if result is None:
            shown = ", ".join(repr(a) for a in argtypes)
            self._fail(f"the typing function declined the argument types ({shown})")
        if not (isinstance(result, tuple) and len(result) == 2 and
                isinstance(result[0], types.Signature)):
            self._fail("the typing function returns (signature, LLVM IR text) or None, not "
                       f"{type(result).__name__}")
        sig, text = result
        if isinstance(text, _pytypes.FunctionType):
            self._fail("the typing function returned a codegen function: ember has no "
                       "llvmlite IR builder, return the body as LLVM IR text instead (see "
                       "ember/intrinsics.py)")
        if not isinstance(text, str) or not text.strip():
            self._fail(f"the body must be LLVM IR text, not {type(text).__name__}")
        if len(sig.args) != len(argtypes):
            self._fail(f"the signature {sig} takes {len(sig.args)} arguments, but the call "
                       f"passes {len(argtypes)}")
        for k, a in enumerate(sig.args):
            if a.code[0] not in _ALLOWED:
                self._fail(f"argument {k + 1} has type {a}; an intrinsic takes integers, "
                           "floats, bool and C pointers")
        for k, (given, a) in enumerate(zip(argtypes, sig.args)):
            if given.code != a.code and not ((given.code or (None,))[0] in _NUMBERS and
                                             a.code[0] in _NUMBERS):
                self._fail(f"argument {k + 1} is a {given}, which cannot be passed as the "
                           f"signature's {a}")
        ret = sig.return_type
        if ret is None or (ret.code[0] not in _ALLOWED and ret.code[0] != _T.T_NONE):
            self._fail(f"the signature's return type is {ret}; an intrinsic returns an "
                       "integer, a float, a bool, a C pointer or none")
        param_ids = [s.type_from_code(list(a.code)) for a in sig.args]
        ret_id = s.type_from_code(list(ret.code))
        key = (tuple(param_ids), ret_id, text)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(s, param_ids, ret_id, text)
        n = len(param_ids)
        return compiled, param_ids, list(range(n)), [(0,)] * n

    def _compile(self, s, param_ids, ret_id, text):
        code = self.typer.__code__
        names = self._names[:len(param_ids)]
        names += [f"arg{k}" for k in range(len(names), len(param_ids))]
        nis = _pytypes.SimpleNamespace(
            name=self.__name__, qualname=self.__qualname__, filename=code.co_filename,
            firstlineno=code.co_firstlineno, argcount=len(param_ids), kwonlyargcount=0,
            varnames=names, names=[], code=[], handlers=[])

        def no_callees(*args):  # the body is LLVM's: it calls no jitted function
            raise TypingError("an intrinsic calls no jitted functions")
        return s.compile(nis, [], [], {}, list(param_ids), {"llvm_ir": text}, no_callees,
                         id(self), ret_id)


def intrinsic(*args, **kwargs):
    """Numba's ``@intrinsic`` (also ``@intrinsic(prefer_literal=True)``): the decorated typing
    function takes the typing context and the arguments' types and returns ``(signature,
    LLVM IR text)``, or None to decline."""
    if args and callable(args[0]) and len(args) == 1 and not kwargs:
        return Intrinsic(args[0])
    return Intrinsic

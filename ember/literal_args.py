"""``ember.literally(x)``: Numba's ``numba.literally``, an argument frozen as a compile-time
constant (design.md §12).

A jitted function that calls ``literally(p)`` on one of its parameters ``p`` is compiled once per
value of ``p`` (Numba compiles it for ``types.literal(value)``): ``_call_slow`` of the
dispatcher (ember/dispatcher.py) keys a child JitFunction on the values of those parameters, and
the child's NIS has every ``LOAD_FAST p`` replaced by a ``LOAD_CONST`` of the value and each
``literally(p)`` call by the value itself (the load of ``literally``, its NULL and the ``CALL``
are removed; jump targets and exception handlers are renumbered).  The value is then a constant as a
global number or string is: it may size a tuple, index a heterogeneous tuple or pick the branch
(and so the types) the function compiles.

Limits: the values are numbers, strings, booleans, None and tuples of those; a parameter given
to ``literally`` cannot be assigned in the function; a function using ``literally`` is called
from Python (each call goes through the dispatcher's Python path, as the value is part of the
key); a call from compiled code is an UnsupportedError.  ``literally`` of anything but a
parameter is a TypingError naming its line.  In Python, ``literally`` is the identity.
"""
from __future__ import annotations

import types

from .argument_stand_ins import is_dtype
from .bytecode import Instr, NisFunction, Op
from .errors import TypingError, UnsupportedError

__all__ = ["literally"]


def literally(obj):
    """Asks for ``obj`` (a parameter of the jitted function) to be a compile-time constant; the
    identity in Python."""
    return obj


def _literally_calls(nis: NisFunction, py_func):
    """[(the indices of the call's instructions but the argument's load, parameter)] for each
    ``literally(p)`` or ``ember.literally(p)`` call in nis; a TypingError for any other use."""
    code = nis.code
    g = py_func.__globals__
    nparams = nis.argcount + nis.kwonlyargcount
    calls = []
    for k, ins in enumerate(code):
        if ins.op != Op.LOAD_GLOBAL:
            continue
        obj, last = g.get(nis.names[ins.arg]), k
        if isinstance(obj, types.ModuleType) and k + 1 < len(code) and \
                code[k + 1].op == Op.LOAD_ATTR and nis.names[code[k + 1].arg] == "literally":
            obj, last = getattr(obj, "literally", None), k + 1  # ember.literally(n)
        if obj is not literally:
            continue
        null, j = -1, last + 1
        if k > 0 and code[k - 1].op == Op.PUSH_NULL:
            null = k - 1
        elif j < len(code) and code[j].op == Op.PUSH_NULL:
            null, j = j, j + 1
        ok = (null >= 0 and j + 1 < len(code) and code[j].op == Op.LOAD_FAST and
              code[j].arg < nparams and code[j + 1].op == Op.CALL and code[j + 1].arg == 1 and
              code[j + 1].arg2 < 0)
        if not ok:
            raise TypingError("ember.literally() takes one parameter of the jitted function "
                              "(literally(n) with n an argument), frozen as a compile-time "
                              "constant per value; it cannot freeze other values",
                              nis.filename, ins.line)
        calls.append((tuple(range(k, last + 1)) + (null, j + 1), code[j].arg))
    return calls


def literal_params(nis: NisFunction, py_func):
    """The parameter indices py_func passes to ``literally`` (empty when it does not)."""
    if "literally" not in nis.names:  # (a cheap test first)
        return ()
    params = sorted({p for _gone, p in _literally_calls(nis, py_func)})
    for ins in nis.code:
        if ins.op in (Op.STORE_FAST, Op.DELETE_FAST) and ins.arg in params:
            raise UnsupportedError(
                f"ember.literally({nis.varnames[ins.arg]}): the parameter is a compile-time "
                "constant and cannot be assigned in the function", nis.filename, ins.line)
    return tuple(params)


_CONSTANT_TYPES = (bool, int, float, complex, str, type(None))


def check_value(name, value):
    """A TypingError unless value can be frozen as a constant."""
    ok = isinstance(value, _CONSTANT_TYPES) or is_dtype(value) or (
        isinstance(value, tuple) and all(isinstance(v, _CONSTANT_TYPES) for v in value))
    if not ok:
        raise TypingError(f"ember.literally({name}): a {type(value).__name__} cannot be a "
                          "compile-time constant (numbers, strings, booleans, None and tuples "
                          "of those can)")


def value_key(value):
    """A key telling 1, 1.0 and True apart."""
    if isinstance(value, tuple):
        return tuple(value_key(v) for v in value)
    return (type(value), value)


def freeze_literal_args(nis: NisFunction, py_func, values: dict) -> NisFunction:
    """nis with the parameters in values (index -> value) as constants."""
    consts = list(nis.consts)
    where = {}
    for p, v in values.items():
        where[p] = len(consts)
        consts.append(v)
    gone = set()
    for call, _p in _literally_calls(nis, py_func):
        gone.update(call)
    code = list(nis.code)
    for k, ins in enumerate(code):
        if ins.op in (Op.LOAD_FAST, Op.LOAD_FAST_OR_UNDEF) and ins.arg in where:
            code[k] = Instr(Op.LOAD_CONST, where[ins.arg], 0, -1, ins.offset, ins.line)
    _prune_constant_branches(code, consts, gone, set(where.values()), nis.handlers)
    out = []
    new_index = []  # old index -> new (a removed instruction: the next one kept)
    for k, ins in enumerate(code):
        new_index.append(len(out))
        if k not in gone:
            out.append(ins)
    new_index.append(len(out))
    out = [ins if ins.target < 0 else ins._replace(target=new_index[ins.target])
           for ins in out]
    handlers = tuple((new_index[s], new_index[e], new_index[t], d, la)
                     for s, e, t, d, la in nis.handlers)
    return nis._replace(code=tuple(out), consts=tuple(consts), handlers=handlers)


_JUMPS = {Op.POP_JUMP_IF_TRUE: lambda v: bool(v), Op.POP_JUMP_IF_FALSE: lambda v: not v,
          Op.POP_JUMP_IF_NONE: lambda v: v is None,
          Op.POP_JUMP_IF_NOT_NONE: lambda v: v is not None}


def _prune_constant_branches(code, consts, gone, frozen, handlers):
    """A branch on a frozen value (``if literally(flag):``, ``if flag is None:``) becomes a
    jump or nothing, as Numba prunes the dead branch of a literal argument: the branch not
    taken is never typed.  Handler ranges are left alone."""
    targets = {ins.target for ins in code if ins.target >= 0}
    targets.update(t for _s, _e, t, _d, _l in handlers)
    for k, ins in enumerate(code):
        if ins.op != Op.LOAD_CONST or ins.arg not in frozen or k in gone:
            continue
        j = k + 1
        while j < len(code) and j in gone:
            j += 1
        if j < len(code) and code[j].op == Op.TO_BOOL and j not in targets:
            j += 1
        if j >= len(code) or code[j].op not in _JUMPS or j in targets:
            continue
        if any(k <= m <= j for m in targets if m != k):
            continue
        taken = _JUMPS[code[j].op](consts[ins.arg])
        gone.update(range(k, j + (0 if taken else 1)))
        if taken:
            code[j] = Instr(Op.JUMP, 0, 0, code[j].target, code[j].offset, code[j].line)

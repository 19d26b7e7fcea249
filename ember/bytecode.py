"""CPython bytecode -> NIS, ember's normalized, version-independent instruction stream.

This is the only module in ember that knows CPython versions.  It reads a function's code with
the running interpreter's public ``dis`` API (so caches, ``EXTENDED_ARG`` and jump arithmetic are
decoded by CPython itself) and rewrites it into the small instruction set the C++ front end
implements (``Op``; semantics in shared/research/frontend.md §2.4): super-instructions are split,
``FOR_ITER`` gets 3.11 semantics everywhere, keyword names are folded into ``CALL``, jump targets
become instruction indices.  Anything outside the accepted subset raises ``UnsupportedError`` with
the offending source line.

The rest of ember sees only NIS: new CPython versions are handled here (and in the golden
files of tests/python/nis_golden.py), never by version checks elsewhere.  Pure Python and stdlib
only; it imports nothing from ember but ``errors`` and ``bytecode_generators``, so it runs
(and its golden tests run) on any interpreter without the native extension.  Supported:
CPython 3.11-3.13 (tested), 3.14 (mapped from the documentation, untested).
"""
import dis
import enum
import sys
from operator import attrgetter
from types import CodeType
from typing import NamedTuple

from .bytecode_generators import rewrite_generator  # `yield from`; yield inside try
from .errors import UnsupportedError

__all__ = ["BinOp", "CmpOp", "Instr", "NisFunction", "Op", "UnaryOp", "dump", "normalize",
           "verify_stack"]


class Op(enum.IntEnum):
    """NIS opcodes.  The values are shared with the C++ front end: never renumber."""

    LOAD_FAST = 0
    LOAD_FAST_OR_UNDEF = 1
    STORE_FAST = 2
    DELETE_FAST = 3
    LOAD_CONST = 4
    LOAD_GLOBAL = 5
    LOAD_DEREF = 6
    PUSH_NULL = 7
    LOAD_ATTR = 8
    CALL = 9
    BINARY_OP = 10
    BINARY_SUBSCR = 11
    STORE_SUBSCR = 12
    BUILD_SLICE = 13
    COMPARE_OP = 14
    IS_OP = 15
    CONTAINS_OP = 16
    UNARY = 17
    TO_BOOL = 18
    BUILD_TUPLE = 19
    BUILD_LIST = 20
    LIST_APPEND = 21
    LIST_TO_TUPLE = 22
    UNPACK_SEQUENCE = 23
    COPY = 24
    SWAP = 25
    POP_TOP = 26
    GET_ITER = 27
    FOR_ITER = 28
    JUMP = 29
    POP_JUMP_IF_TRUE = 30
    POP_JUMP_IF_FALSE = 31
    POP_JUMP_IF_NONE = 32
    POP_JUMP_IF_NOT_NONE = 33
    RETURN_VALUE = 34
    RAISE = 35
    UNREACHABLE_EH = 36
    MAKE_FUNCTION = 37  # arg 8: a closure (the captured values' tuple below the code object)
    # Exception handlers (NisFunction.handlers says which instructions each one covers):
    PUSH_EXC_INFO = 38    # exc -> exc, exc (the copy stands for CPython's previous exception)
    POP_EXCEPT = 39       # pops that copy
    CHECK_EXC_MATCH = 40  # exc, class (or tuple of classes) -> exc, bool
    RERAISE = 41          # raises the exception on top of the stack again
    BUILD_MAP = 42
    BUILD_SET = 43
    MAP_ADD = 44
    SET_ADD = 45
    DELETE_SUBSCR = 46
    LIST_EXTEND = 47
    SET_UPDATE = 48
    DICT_UPDATE = 49
    BUILD_CONST_KEY_MAP = 50
    # 51-59: left to other branches' ops (typeinfer/NisOps.def); never emitted.
    RESERVED_51 = 51
    RESERVED_52 = 52
    RESERVED_53 = 53
    RESERVED_54 = 54
    RESERVED_55 = 55
    RESERVED_56 = 56
    RESERVED_57 = 57
    RESERVED_58 = 58
    RESERVED_59 = 59
    # Generators: RETURN_GENERATOR (the first op) pushes None, which a POP_TOP drops, and marks
    # a generator function; YIELD_VALUE pops the value handed out, pushes the one sent (None).
    RETURN_GENERATOR = 60
    YIELD_VALUE = 61
    # Ops added by later issues have fixed numbers from 90 (typeinfer/NisOps.def, EMBER_NIS_AT).
    STORE_ATTR = 90  # value, obj -> (pops both): obj.name = value (jitclass fields)


class BinOp(enum.IntEnum):
    """``BINARY_OP`` arg; ``arg2`` = 1 marks the in-place form (``+=``)."""

    ADD = 0
    SUB = 1
    MUL = 2
    TRUEDIV = 3
    FLOORDIV = 4
    MOD = 5
    POW = 6
    LSHIFT = 7
    RSHIFT = 8
    AND = 9
    OR = 10
    XOR = 11
    MATMUL = 12


class CmpOp(enum.IntEnum):
    """``COMPARE_OP`` arg."""

    LT = 0
    LE = 1
    EQ = 2
    NE = 3
    GT = 4
    GE = 5


class UnaryOp(enum.IntEnum):
    """``UNARY`` arg."""

    NEG = 0
    POS = 1
    INVERT = 2
    NOT = 3


class Instr(NamedTuple):
    """One NIS instruction; ``target`` is an index into ``NisFunction.code`` (or -1)."""

    op: int
    arg: int
    arg2: int
    target: int
    offset: int
    line: int


class NisFunction(NamedTuple):
    """A normalized function: what ember's C++ front end consumes."""

    name: str
    qualname: str
    filename: str
    firstlineno: int
    argcount: int
    kwonlyargcount: int
    varnames: tuple
    names: tuple
    consts: tuple
    freevars: tuple
    code: tuple
    # (start, end, target, depth, lasti): an exception raised by code[start:end] jumps to
    # code[target] with the stack cut to `depth` items, then lasti (an int) when lasti is
    # set, then the exception.  CPython's exception table, in NIS indices.
    handlers: tuple = ()


# ---------------------------------------------------------------------------------------------
# Per-version facts (frontend.md §2.1).  Everything else is decided by opname.

_PY = sys.version_info[:2]
_NULL_FIRST = _PY < (3, 13)        # LOAD_GLOBAL's NULL goes below the global before 3.13
_ATTR_METHOD_BIT = _PY >= (3, 12)  # LOAD_ATTR arg & 1 = method load (3.11 uses LOAD_METHOD)
_CMP_BOOL_BIT = _PY >= (3, 13)     # COMPARE_OP arg & 16 = coerce the result to bool
_FOR_TAIL = 0 if _PY < (3, 13) else 1  # instructions after END_FOR that the loop exit skips
_SET_FUNCTION_ATTRIBUTE = _PY >= (3, 13)  # MAKE_FUNCTION takes only the code object
_line_of = attrgetter("line_number" if _PY >= (3, 13) else "starts_line")

_SYM_BIN = ("+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@")
_SYM_CMP = ("<", "<=", "==", "!=", ">", ">=")
_SYM_UNARY = ("-", "+", "~", "not")
_BINOPS = {s: (BinOp(i), 0) for i, s in enumerate(_SYM_BIN)}
_BINOPS.update({s + "=": (BinOp(i), 1) for i, s in enumerate(_SYM_BIN)})
_CMPS = {s: CmpOp(i) for i, s in enumerate(_SYM_CMP)}

(_LOAD_FAST, _STORE_FAST, _LOAD_CONST, _LOAD_GLOBAL, _LOAD_DEREF, _PUSH_NULL, _LOAD_ATTR, _CALL,
 _BINARY_OP, _BINARY_SUBSCR, _STORE_SUBSCR, _BUILD_SLICE, _COMPARE_OP, _UNARY, _TO_BOOL,
 _BUILD_LIST, _LIST_TO_TUPLE, _COPY, _SWAP, _POP_TOP, _FOR_ITER, _JUMP, _RETURN_VALUE,
 _RAISE) = (
    Op.LOAD_FAST, Op.STORE_FAST, Op.LOAD_CONST, Op.LOAD_GLOBAL, Op.LOAD_DEREF, Op.PUSH_NULL,
    Op.LOAD_ATTR, Op.CALL, Op.BINARY_OP, Op.BINARY_SUBSCR, Op.STORE_SUBSCR, Op.BUILD_SLICE,
    Op.COMPARE_OP, Op.UNARY, Op.TO_BOOL, Op.BUILD_LIST, Op.LIST_TO_TUPLE, Op.COPY, Op.SWAP,
    Op.POP_TOP, Op.FOR_ITER, Op.JUMP, Op.RETURN_VALUE, Op.RAISE)
_TERMINATORS = frozenset((Op.JUMP, Op.RETURN_VALUE, Op.RAISE, Op.UNREACHABLE_EH, Op.RERAISE))
_JUMP_OPS = frozenset((Op.FOR_ITER, Op.JUMP, Op.POP_JUMP_IF_TRUE, Op.POP_JUMP_IF_FALSE,
                       Op.POP_JUMP_IF_NONE, Op.POP_JUMP_IF_NOT_NONE))

# Handler kinds; the main loop tests them roughly in order of frequency.
(_K_LOCAL, _K_CONST, _K_FIXED, _K_ARG, _K_DROP, _K_GLOBAL, _K_ATTR, _K_CALL, _K_BINOP, _K_CMP,
 _K_JUMP, _K_FOR, _K_END_FOR, _K_LOCAL2, _K_KWNAMES, _K_CALL_KW, _K_SLICE, _K_RETURN_CONST,
 _K_SMALL_INT, _K_ASSERT, _K_METHOD, _K_DEREF, _K_INTRINSIC, _K_JUMP_OR_POP, _K_LIST_EXTEND,
 _K_REJECT, _K_MAKE_FUNCTION, _K_COMPREHENSION, _K_CELL, _K_FORMAT, _K_BUILD_STRING) = range(31)

_F = _K_FIXED
_TABLE = {
    # drop: never executed or no semantic effect; their offsets still act as labels
    **{n: (_K_DROP, None, 0) for n in ("RESUME", "NOP", "NOT_TAKEN", "CACHE", "EXTENDED_ARG",
                                      "PRECALL", "COPY_FREE_VARS", "MAKE_CELL")},
    "LOAD_FAST": (_K_LOCAL, Op.LOAD_FAST, 0), "LOAD_FAST_CHECK": (_K_LOCAL, Op.LOAD_FAST, 0),
    "LOAD_FAST_BORROW": (_K_LOCAL, Op.LOAD_FAST, 0), "STORE_FAST": (_K_LOCAL, Op.STORE_FAST, 0),
    "DELETE_FAST": (_K_LOCAL, Op.DELETE_FAST, 0),
    "LOAD_FAST_LOAD_FAST": (_K_LOCAL2, Op.LOAD_FAST, Op.LOAD_FAST),
    "LOAD_FAST_BORROW_LOAD_FAST_BORROW": (_K_LOCAL2, Op.LOAD_FAST, Op.LOAD_FAST),
    "STORE_FAST_STORE_FAST": (_K_LOCAL2, Op.STORE_FAST, Op.STORE_FAST),
    "STORE_FAST_LOAD_FAST": (_K_LOCAL2, Op.STORE_FAST, Op.LOAD_FAST),
    "LOAD_CONST": (_K_CONST, None, 0), "LOAD_SMALL_INT": (_K_SMALL_INT, None, 0),
    "RETURN_CONST": (_K_RETURN_CONST, None, 0),
    "LOAD_ASSERTION_ERROR": (_K_ASSERT, None, 0), "LOAD_COMMON_CONSTANT": (_K_ASSERT, None, 1),
    "LOAD_GLOBAL": (_K_GLOBAL, None, 0), "LOAD_ATTR": (_K_ATTR, None, 0),
    "STORE_ATTR": (_K_ATTR, Op.STORE_ATTR, 0),
    "LOAD_METHOD": (_K_METHOD, None, 0), "LOAD_DEREF": (_K_DEREF, None, 0),
    "PUSH_NULL": (_F, Op.PUSH_NULL, 0), "KW_NAMES": (_K_KWNAMES, None, 0),
    "CALL": (_K_CALL, None, 0), "CALL_KW": (_K_CALL_KW, None, 0),
    "BINARY_OP": (_K_BINOP, None, 0), "COMPARE_OP": (_K_CMP, None, 0),
    "BINARY_SUBSCR": (_F, Op.BINARY_SUBSCR, 0), "STORE_SUBSCR": (_F, Op.STORE_SUBSCR, 0),
    "DELETE_SUBSCR": (_F, Op.DELETE_SUBSCR, 0), "SET_UPDATE": (_K_LIST_EXTEND, None, 0),
    "BINARY_SLICE": (_K_SLICE, Op.BINARY_SUBSCR, 0), "STORE_SLICE": (_K_SLICE, Op.STORE_SUBSCR, 0),
    "UNARY_NEGATIVE": (_F, Op.UNARY, UnaryOp.NEG), "UNARY_POSITIVE": (_F, Op.UNARY, UnaryOp.POS),
    "UNARY_INVERT": (_F, Op.UNARY, UnaryOp.INVERT), "UNARY_NOT": (_F, Op.UNARY, UnaryOp.NOT),
    "CALL_INTRINSIC_1": (_K_INTRINSIC, None, 0), "TO_BOOL": (_F, Op.TO_BOOL, 0),
    "LIST_TO_TUPLE": (_F, Op.LIST_TO_TUPLE, 0), "LIST_EXTEND": (_K_LIST_EXTEND, None, 0),
    "POP_TOP": (_F, Op.POP_TOP, 0), "POP_ITER": (_F, Op.POP_TOP, 0),
    "GET_ITER": (_F, Op.GET_ITER, 0), "RETURN_VALUE": (_F, Op.RETURN_VALUE, 0),
    **{n: (_K_ARG, Op[n], 0) for n in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SLICE", "COPY", "SWAP",
                                      "UNPACK_SEQUENCE", "LIST_APPEND", "IS_OP", "CONTAINS_OP",
                                      "BUILD_MAP", "BUILD_SET", "MAP_ADD", "SET_ADD",
                                      "DICT_UPDATE", "BUILD_CONST_KEY_MAP")},
    "RAISE_VARARGS": (_K_ARG, Op.RAISE, 0), "RERAISE": (_K_ARG, Op.RERAISE, 0),
    "PUSH_EXC_INFO": (_F, Op.PUSH_EXC_INFO, 0), "POP_EXCEPT": (_F, Op.POP_EXCEPT, 0),
    "CHECK_EXC_MATCH": (_F, Op.CHECK_EXC_MATCH, 0),
    "FOR_ITER": (_K_FOR, None, 0), "END_FOR": (_K_END_FOR, None, 0),
    **{n: (_K_JUMP, Op.JUMP, 0) for n in ("JUMP_FORWARD", "JUMP_BACKWARD",
                                         "JUMP_BACKWARD_NO_INTERRUPT", "JUMP")},
    **{f"POP_JUMP_{d}IF_{c}": (_K_JUMP, Op["POP_JUMP_IF_" + c], 0)
       for d in ("", "FORWARD_", "BACKWARD_") for c in ("TRUE", "FALSE", "NONE", "NOT_NONE")},
    "JUMP_IF_TRUE_OR_POP": (_K_JUMP_OR_POP, Op.POP_JUMP_IF_TRUE, 0),
    "JUMP_IF_FALSE_OR_POP": (_K_JUMP_OR_POP, Op.POP_JUMP_IF_FALSE, 0),
    "MAKE_FUNCTION": (_K_MAKE_FUNCTION, None, 0),
    # 3.12+ inlined comprehensions (PEP 709) save the variables they bind with
    # LOAD_FAST_AND_CLEAR and restore them after the loop (and in an exception-table cleanup
    # that re-raises): NIS reads the saved value, undefined when the variable was unbound.
    "LOAD_FAST_AND_CLEAR": (_K_LOCAL, Op.LOAD_FAST_OR_UNDEF, 0),
    **{n: (_K_CELL, None, 0) for n in ("LOAD_CLOSURE", "STORE_DEREF", "DELETE_DEREF")},
    "SET_FUNCTION_ATTRIBUTE": (_K_MAKE_FUNCTION, None, 1),
    # f-strings become calls of str/repr/format and `+` (3.11-3.12: FORMAT_VALUE; 3.13+: the
    # other three)
    **{n: (_K_FORMAT, None, 0) for n in ("FORMAT_VALUE", "FORMAT_SIMPLE", "CONVERT_VALUE",
                                        "FORMAT_WITH_SPEC")},
    "BUILD_STRING": (_K_BUILD_STRING, None, 0),
    "RETURN_GENERATOR": (_F, Op.RETURN_GENERATOR, 0), "YIELD_VALUE": (_F, Op.YIELD_VALUE, 0),
}
_REJECTS = {
    "with statements are not supported": ("BEFORE_WITH", "LOAD_SPECIAL", "BEFORE_ASYNC_WITH",
                                          "WITH_EXCEPT_START"),
    "except* (exception groups) is not supported": ("CHECK_EG_MATCH", "PREP_RERAISE_STAR"),
    "`yield from` and async functions (await) are not supported": (
        "SEND", "GET_AWAITABLE", "GET_AITER", "GET_ANEXT", "END_ASYNC_FOR",
        "GET_YIELD_FROM_ITER"),
    "calls with *args or **kwargs unpacking are not supported": ("CALL_FUNCTION_EX",),
    "assigning or deleting a global variable ('global x') is not supported": (
        "STORE_GLOBAL", "DELETE_GLOBAL"),
    "import statements inside a compiled function are not supported; import at module level": (
        "IMPORT_NAME", "IMPORT_FROM", "IMPORT_STAR"),
    "template strings (t-strings) are not supported": ("BUILD_TEMPLATE", "BUILD_INTERPOLATION"),
    "deleting attributes (del obj.x) is not supported": ("DELETE_ATTR",),
    "calls with **kwargs unpacking are not supported": ("DICT_MERGE",),
    "class definitions are not supported": ("LOAD_BUILD_CLASS",),
}
for _msg, _names in _REJECTS.items():
    for _n in _names:
        _TABLE[_n] = (_K_REJECT, None, _msg)
del _msg, _names, _n, _F

_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08
_CO_GENERATOR, _CO_COROUTINE, _CO_ITERABLE_COROUTINE, _CO_ASYNC_GENERATOR = 0x20, 0x80, 0x100, 0x200
_BAD_FLAGS = (_CO_VARARGS | _CO_VARKEYWORDS | _CO_COROUTINE | _CO_ITERABLE_COROUTINE
              | _CO_ASYNC_GENERATOR)
_COMPREHENSION_NAMES = {"<listcomp>": "list comprehensions", "<setcomp>": "set comprehensions",
                        "<dictcomp>": "dict comprehensions"}
_LOOP_HINT = "write the loop out (e.g. fill an array created with np.empty)"
_HINTS = {"<listcomp>": "; " + _LOOP_HINT}
# A generator expression is an inner generator function (every version) called at once with
# iter() of its outermost iterable, `.0`.  Here it receives the iterable itself and calls
# iter() first thing: the consumer's GET_ITER before that call is dropped, and the generator's
# LOAD_FAST .0 is followed by a GET_ITER.  So what a generator keeps in its frame is an array,
# a list or a range (values that own what they refer to), never an iterator that lives in the
# consumer's stack frame; iter() of those has no effect Python could see.
_GENEXPR = "<genexpr>"
_PLAIN_CONST_TYPES = frozenset((int, str, bool, bytes, type(None)))


def _const_key(v):
    """Dedup key: (type, value) so that 1, 1.0 and True stay apart; repr keeps -0.0 from 0.0."""
    t = type(v)
    if t in _PLAIN_CONST_TYPES:
        return t, v
    if t is float or t is complex:
        return t, repr(v)
    if t is tuple:
        return t, tuple(map(_const_key, v))
    return id, id(v)  # any other object is shared only with itself (the tuple keeps it alive)


def _intern(cidx, clist, v):
    key = _const_key(v)
    i = cidx.get(key)
    if i is None:
        i = cidx[key] = len(clist)
        clist.append(v)
    return i


# ---- 3.11: list, set and dict comprehensions are functions; inline them ----------------------
# CPython 3.12 inlines comprehensions itself (PEP 709).  3.11 compiles each one into a nested
# function called once with the iterator; here its instructions are spliced in at the call, its
# variables renamed apart (they do not leak, as in Python), its free variables read from the
# enclosing function's locals, and its RETURN_VALUE turned into a jump past the call (the
# container stays on the stack).  The enclosing function's cells (made only because a
# comprehension captures them) become plain locals.
_INLINED = {"<listcomp>", "<setcomp>", "<dictcomp>"}
_JUMP_OPCODES = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)
_DEREF_OPS = {"LOAD_DEREF": "LOAD_FAST", "STORE_DEREF": "STORE_FAST", "LOAD_CLOSURE": "LOAD_FAST"}


def _comprehension_at(instrs, k):
    """The comprehension code object made by MAKE_FUNCTION at instrs[k], or None."""
    if k == 0 or instrs[k].arg not in (0, 8):
        return None
    c = instrs[k - 1].argval if instrs[k - 1].opname == "LOAD_CONST" else None
    return c if type(c) is CodeType and c.co_name in _INLINED else None


def _expand(code, names, free, counter, extra, base=0):
    """code's instructions with comprehensions inlined, their offsets (and jump targets) moved
    up by `base`; `names` renames its locals and cells, `free` maps its free variables to
    (opname, name) in the enclosing code."""
    instrs = [ins._replace(offset=ins.offset + base,
                           argval=ins.argval + base if ins.opcode in _JUMP_OPCODES else ins.argval)
              for ins in dis.get_instructions(code)]
    out = []
    pending = []  # (index in out of the drop start, comprehension code) awaiting their CALL 0
    for k, ins in enumerate(instrs):
        name = ins.opname
        if name == "MAKE_FUNCTION" and _comprehension_at(instrs, k):
            start = len(out) - 1  # the LOAD_CONST
            if ins.arg == 8:      # the closure tuple: LOAD_CLOSURE... BUILD_TUPLE
                start -= 1 + instrs[k - 2].arg
            for j in range(start, len(out)):
                out[j] = out[j]._replace(opname="NOP", arg=None, argval=None)
            out.append(ins._replace(opname="NOP", arg=None, argval=None))
            pending.append(instrs[k - 1].argval)
            continue
        if (name == "CALL" and ins.arg == 0 and pending and k >= 2
                and instrs[k - 1].opname == "PRECALL" and instrs[k - 2].opname == "GET_ITER"):
            inner = pending.pop()
            counter[0] += 1
            tag = counter[0]
            inner_names = {n: f"{n}#{tag}" for n in inner.co_varnames + inner.co_cellvars}
            extra.extend(n for n in inner_names.values() if n not in extra)
            inner_free = {}
            for n in inner.co_freevars:
                inner_free[n] = ("LOAD_FAST", names[n]) if n in names else free[n]
            end = instrs[k + 1].offset if k + 1 < len(instrs) else ins.offset + 2
            out.append(ins._replace(opname="STORE_FAST", arg=0, argval=inner_names[".0"]))
            for sub_ins in _expand(inner, inner_names, inner_free, counter, extra,
                                   tag * 1_000_000):
                if sub_ins.opname in ("COPY_FREE_VARS", "RESUME", "MAKE_CELL"):
                    sub_ins = sub_ins._replace(opname="NOP", argval=None)
                elif sub_ins.opname == "RETURN_VALUE" and sub_ins.offset // 1_000_000 == tag:
                    sub_ins = sub_ins._replace(opname="JUMP_FORWARD", argval=end)
                out.append(sub_ins)
            continue
        if name == "PRECALL" and ins.arg == 0 and pending and instrs[k - 1].opname == "GET_ITER":
            out.append(ins._replace(opname="NOP", arg=None, argval=None))
            continue
        if name in ("LOAD_FAST", "STORE_FAST", "DELETE_FAST") and ins.argval in names:
            ins = ins._replace(argval=names[ins.argval])
        elif name in _DEREF_OPS or name == "DELETE_DEREF":
            n = ins.argval
            if n in names and n in code.co_cellvars + code.co_varnames and name != "DELETE_DEREF":
                ins = ins._replace(opname=_DEREF_OPS[name], argval=names[n])
            elif n in free and name == "LOAD_DEREF":
                op, target = free[n]
                ins = ins._replace(opname=op, argval=target)
        out.append(ins)
    return out


def _instructions(code):
    """(instructions, extra local names) for normalize()."""
    if _PY >= (3, 12) or not any(type(c) is CodeType and c.co_name in _INLINED
                                 for c in code.co_consts):
        return dis.get_instructions(code), ()
    names = {n: n for n in code.co_varnames + code.co_cellvars}
    free = {n: ("LOAD_DEREF", n) for n in code.co_freevars}
    extra = [n for n in code.co_cellvars if n not in code.co_varnames]
    instrs = _expand(code, names, free, [0], extra)
    return instrs, tuple(extra)


def _captured_by_closures(code):
    """The variables of code that inner functions other than inlined comprehensions capture
    (those of a 3.11 comprehension are plain locals once it is inlined, whatever assigns them)."""
    found = set()
    for c in code.co_consts:
        if type(c) is CodeType:
            if _PY >= (3, 12) or c.co_name not in _INLINED:
                found.update(c.co_freevars)
            else:
                found.update(_captured_by_closures(c))
    return found
# FORMAT_VALUE's conversion bits (3.11-3.12) and CONVERT_VALUE's argument: str, repr, ascii.
_CONVERSIONS = {1: str, 2: repr}
_FORMAT_SPEC_BIT = 4


def _call_on_top(append, cidx, clist, fn, nargs, off, line):
    """Emits fn(the top nargs stack items) in place of them (nargs 1 or 2).  CALL's callee
    slot pair takes fn below the first argument: [fn, a] CALL 0 is fn(a)."""
    append((_LOAD_CONST, _intern(cidx, clist, fn), 0, -1, off, line))
    if nargs == 2:  # [v, spec, fn] -> [fn, spec, v] -> [fn, v, spec]
        append((_SWAP, 3, 0, -1, off, line))
    append((_SWAP, 2, 0, -1, off, line))
    append((_CALL, nargs - 1, -1, -1, off, line))


def _reject(msg, code, line):
    raise UnsupportedError(msg, code.co_filename, line)


def _reject_flags(code, flags):
    if flags & (_CO_VARARGS | _CO_VARKEYWORDS):
        _reject("functions with *args or **kwargs parameters are not supported", code,
                code.co_firstlineno)
    what = ("async generators are not supported" if flags & _CO_ASYNC_GENERATOR else
            "coroutines (async def) are not supported")
    # point at the first suspension point, not at the def line
    line = code.co_firstlineno
    for ins in dis.get_instructions(code):
        ln = _line_of(ins)
        if ln is not None:
            line = ln
        if ins.opname in ("YIELD_VALUE", "SEND", "GET_AWAITABLE", "GET_AITER", "GET_ANEXT"):
            break
    else:
        line = code.co_firstlineno
    _reject(what, code, line)


def _without_stop_iteration_handler(instructions, entries):
    """3.12+ wraps a generator's body in a handler that turns a StopIteration escaping it into
    RuntimeError (PEP 479): CALL_INTRINSIC_1 3; RERAISE 1, last in the code.  Compiled
    generators never let a StopIteration escape (ending is a status, not an exception), so the
    handler and the table entries that lead to it are dropped."""
    instructions = list(instructions)
    for k, ins in enumerate(instructions):
        if ins.opname == "CALL_INTRINSIC_1" and ins.arg == 3:
            cut = ins.offset
            return instructions[:k], [e for e in entries if e.target != cut]
    return instructions, entries


def _calls_genexpr(instructions, k):
    """Whether the GET_ITER at instructions[k] makes the argument of a generator expression's
    call (CALL 0 right after it, 3.11's PRECALL between): no loop starts that way."""
    nxt = instructions[k + 1:k + 3]
    if nxt and nxt[0].opname == "PRECALL" and nxt[0].arg == 0:
        nxt = nxt[1:]
    return bool(nxt) and nxt[0].opname == "CALL" and nxt[0].arg == 0


def _cell_stores(code):
    """Reject captured variables assigned after they may have been captured.

    Compiled closures capture values, not cells (as Numba's): that is CPython's behaviour when
    the variable is bound once before the inner function is made, and a parameter never
    reassigned, a local assigned at one place (a loop variable included), which is what this
    accepts."""
    cells = set(code.co_cellvars) & _captured_by_closures(code)
    if not cells:
        return
    params = set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    seen = {}
    line = code.co_firstlineno
    for ins in dis.get_instructions(code):
        ln = _line_of(ins)
        if ln is not None:
            line = ln
        if ins.opname == "STORE_DEREF" and ins.argval in cells:
            n = seen[ins.argval] = seen.get(ins.argval, 0) + 1
            if n > 1 or ins.argval in params:
                _reject(f"variable {ins.argval!r} is captured by an inner function and assigned "
                        "again; compiled closures capture values, so a captured variable must "
                        "be assigned once (use another name for the new value)", code, line)
        elif ins.opname == "DELETE_DEREF":
            _reject(f"deleting the captured variable {ins.argval!r} is not supported", code, line)


def normalize(func_or_code, closure_params=False) -> NisFunction:
    """Translate a function (or code object) into a ``NisFunction``.

    With ``closure_params`` (an inner function compiled on its own) the free variables become
    the leading parameters: the function that makes the closure passes their values.
    Raises ``UnsupportedError`` (with the offending line) for code outside the accepted subset.
    """
    code = getattr(func_or_code, "__code__", func_or_code)
    if type(code) is not CodeType:
        raise TypeError(f"normalize() expects a function or a code object, not "
                        f"{type(func_or_code).__name__}")
    qualname = getattr(func_or_code, "__qualname__", None) or code.co_qualname
    flags = code.co_flags
    if flags & _BAD_FLAGS:
        _reject_flags(code, flags)
    entries = dis.Bytecode(code).exception_entries if code.co_exceptiontable else ()

    instructions, extra_vars = _instructions(code)
    if flags & _CO_GENERATOR:
        if entries:
            instructions, entries = _without_stop_iteration_handler(instructions, entries)
        instructions = rewrite_generator(list(instructions), entries, code, _line_of)
    freevars = code.co_freevars
    _cell_stores(code)
    # Captured variables are plain locals here (read-only captures, checked above): cells only
    # exist so that inner functions see them, and those receive their values as parameters.
    varnames = code.co_varnames
    argcount = code.co_argcount
    if closure_params:
        varnames = freevars + varnames
        argcount += len(freevars)
        freevars = ()
    varnames = varnames + tuple(c for c in code.co_cellvars if c not in varnames)
    # the locals of inlined comprehensions (3.11)
    varnames = varnames + tuple(n for n in extra_vars if n not in varnames)
    varidx = {n: i for i, n in enumerate(varnames)}
    nidx = {}            # names: name -> index (dict order = first use)
    cidx, clist = {}, []  # consts: key -> index, values
    out = []             # (op, arg, arg2, target, offset, line); targets are byte offsets here
    jumps = []           # indices into out whose target must be mapped to an index
    labels = {}          # byte offset of every CPython instruction -> index of the NIS op there
    end_fors = set()     # offsets of END_FOR (3.12+): only FOR_ITER may jump there
    tails = set()        # offsets of END_FOR and the POP_TOP/POP_ITER that the loop exit skips
    line = code.co_firstlineno
    kwnames = -1
    skip_tail = 0
    drop_len, drop_from = -1, 0  # dropped instructions since the last emitted one start here
    append = out.append
    get = _TABLE.get
    instructions = list(instructions)
    genexpr = code.co_name == _GENEXPR
    it = iter(instructions)
    for pos, ins in enumerate(it):
        off = ins.offset
        ln = _line_of(ins)
        if ln is not None:
            line = ln
        name = ins.opname
        labels[off] = len(out)
        if skip_tail:
            if name != "POP_TOP" and name != "POP_ITER":
                _reject(f"unexpected bytecode (please report): {name} after END_FOR", code,
                        line)
            tails.add(off)
            skip_tail = 0
            continue
        h = get(name)
        if h is None:
            _reject(f"unsupported Python bytecode {name}", code, line)
        kind, nop, fixed = h
        if kind == _K_LOCAL:
            i = varidx.get(ins.argval)
            if i is None:  # 3.13+: LOAD_FAST of a cell slot, to build a closure
                _reject(f"variable {ins.argval!r} is captured by an inner function; closures "
                        "over local variables are not supported", code, line)
            append((nop, i, 0, -1, off, line))
            if genexpr and name == "LOAD_FAST" and ins.argval == ".0":
                append((Op.GET_ITER, 0, 0, -1, off, line))
        elif kind == _K_FIXED and nop == Op.GET_ITER and _calls_genexpr(instructions, pos):
            continue
        elif kind == _K_CONST:
            v = ins.argval
            t = type(v)
            if t is slice:  # 3.14 folds constant slices: expand back to BUILD_SLICE
                n = 2 if v.step is None else 3
                for part in (v.start, v.stop, v.step)[:n]:
                    append((_LOAD_CONST, _intern(cidx, clist, part), 0, -1, off, line))
                append((_BUILD_SLICE, n, 0, -1, off, line))
                continue
            key = (t, v) if t in _PLAIN_CONST_TYPES else _const_key(v)
            i = cidx.get(key)
            if i is None:
                i = cidx[key] = len(clist)
                clist.append(v)
            append((_LOAD_CONST, i, 0, -1, off, line))
        elif kind == _K_FIXED:
            append((nop, fixed, 0, -1, off, line))
        elif kind == _K_ARG:
            append((nop, ins.arg, 0, -1, off, line))
        elif kind == _K_DROP:
            if drop_len != len(out):
                drop_len, drop_from = len(out), off
        elif kind == _K_DEREF and ins.argval in varidx:  # a captured local, or a closure param
            append((Op.LOAD_FAST, varidx[ins.argval], 0, -1, off, line))
        elif kind == _K_GLOBAL or kind == _K_ATTR or kind == _K_METHOD or kind == _K_DEREF:
            nm = ins.argval
            i = nidx.get(nm)
            if i is None:
                i = nidx[nm] = len(nidx)
            if kind == _K_GLOBAL:
                if ins.arg & 1 and _NULL_FIRST:
                    append((_PUSH_NULL, 0, 0, -1, off, line))
                append((_LOAD_GLOBAL, i, 0, -1, off, line))
                if ins.arg & 1 and not _NULL_FIRST:
                    append((_PUSH_NULL, 0, 0, -1, off, line))
            elif kind == _K_DEREF:
                append((_LOAD_DEREF, i, 0, -1, off, line))
            elif nop is not None:  # STORE_ATTR (its arg has no method bit)
                append((nop, i, 0, -1, off, line))
            else:
                append((_LOAD_ATTR, i, 0, -1, off, line))
                # a method load feeds only CALL, whose lo/hi rule accepts NULL on either side
                if kind == _K_METHOD or (_ATTR_METHOD_BIT and ins.arg & 1):
                    append((_PUSH_NULL, 0, 0, -1, off, line))
        elif kind == _K_CALL:
            append((_CALL, ins.arg, kwnames, -1, off, line))
            kwnames = -1
        elif kind == _K_BINOP:
            r = ins.argrepr
            b = _BINOPS.get(r)
            if b is not None:
                append((_BINARY_OP, b[0], b[1], -1, off, line))
            elif r == "[]":
                append((_BINARY_SUBSCR, 0, 0, -1, off, line))
            else:
                _reject(f"unsupported Python bytecode BINARY_OP ({r})", code, line)
        elif kind == _K_CMP:
            append((_COMPARE_OP, _CMPS[ins.argval], 0, -1, off, line))
            if _CMP_BOOL_BIT and ins.arg & 16:
                append((_TO_BOOL, 0, 0, -1, off, line))
        elif kind == _K_JUMP or kind == _K_FOR:
            jumps.append(len(out))
            append((nop or _FOR_ITER, 0, 0, ins.argval, off, line))
        elif kind == _K_END_FOR:
            if not out or out[-1][0] not in _TERMINATORS:
                _reject("unexpected bytecode (please report): END_FOR reachable by fall-through",
                        code, line)
            end_fors.add(off)
            tails.add(off)
            if drop_len == len(out):  # a jump to a NOP just before END_FOR would run the tail
                tails.update(range(drop_from, off, 2))
            skip_tail = _FOR_TAIL
        elif kind == _K_LOCAL2:
            n1, n2 = ins.argval
            i1, i2 = varidx.get(n1), varidx.get(n2)
            if i1 is None or i2 is None:
                _reject(f"variable {n1 if i1 is None else n2!r} is captured by an inner "
                        "function; closures over local variables are not supported", code, line)
            append((nop, i1, 0, -1, off, line))
            append((fixed, i2, 0, -1, off, line))
        elif kind == _K_KWNAMES:  # 3.11/3.12; 3.11's dis cannot resolve the argval
            kwnames = _intern(cidx, clist, code.co_consts[ins.arg])
        elif kind == _K_CALL_KW:  # 3.13+: the names tuple was pushed by the LOAD_CONST just before
            last = out.pop() if out else None
            if last is None or last[0] != _LOAD_CONST or type(clist[last[1]]) is not tuple:
                _reject("unexpected bytecode (please report): CALL_KW without a constant names "
                        "tuple", code, line)
            labels[off] = len(out)
            append((_CALL, ins.arg, last[1], -1, off, line))
        elif kind == _K_SLICE:
            append((_BUILD_SLICE, 2, 0, -1, off, line))
            append((nop, 0, 0, -1, off, line))
        elif kind == _K_RETURN_CONST:
            append((_LOAD_CONST, _intern(cidx, clist, ins.argval), 0, -1, off, line))
            append((_RETURN_VALUE, 0, 0, -1, off, line))
        elif kind == _K_SMALL_INT:
            append((_LOAD_CONST, _intern(cidx, clist, ins.arg), 0, -1, off, line))
        elif kind == _K_ASSERT:
            if fixed and ins.arg != 0:  # LOAD_COMMON_CONSTANT: only 0 is AssertionError
                _reject(f"unsupported Python bytecode {name} ({ins.argrepr})", code, line)
            append((_LOAD_CONST, _intern(cidx, clist, AssertionError), 0, -1, off, line))
        elif kind == _K_INTRINSIC:
            if ins.arg == 5:
                append((_UNARY, UnaryOp.POS, 0, -1, off, line))
            elif ins.arg == 6:
                append((_LIST_TO_TUPLE, 0, 0, -1, off, line))
            else:
                _reject(f"unsupported Python bytecode {name} ({ins.argrepr})", code, line)
        elif kind == _K_JUMP_OR_POP:  # 3.11 only; this is what 3.12 emits for the same code
            append((_COPY, 1, 0, -1, off, line))
            jumps.append(len(out))
            append((nop, 0, 0, ins.argval, off, line))
            append((_POP_TOP, 0, 0, -1, off, line))
        elif kind == _K_LIST_EXTEND:
            # `[1.0, 2.0, 3.0]` is BUILD_LIST 0; LOAD_CONST (1.0, 2.0, 3.0); LIST_EXTEND 1, and
            # `{1, 2, 3}` BUILD_SET 0; LOAD_CONST frozenset({1, 2, 3}); SET_UPDATE 1: expanded
            # back into a display of constants.  Anything else extends the container.
            build = _BUILD_LIST if name == "LIST_EXTEND" else Op.BUILD_SET
            ctype = tuple if name == "LIST_EXTEND" else frozenset
            if (ins.arg == 1 and len(out) >= 2 and out[-1][0] == _LOAD_CONST
                    and type(clist[out[-1][1]]) is ctype and out[-2][:2] == (build, 0)):
                lc = out.pop()
                out.pop()
                del labels[lc[4]], labels[off]  # mid-pattern: a jump there would now be wrong
                items = clist[lc[1]]
                if lc[1] == len(clist) - 1:  # the constant itself is no longer used
                    del cidx[_const_key(clist.pop())]
                for v in items:
                    append((_LOAD_CONST, _intern(cidx, clist, v), 0, -1, lc[4], line))
                append((build, len(items), 0, -1, off, line))
            else:
                append((Op.LIST_EXTEND if name == "LIST_EXTEND" else Op.SET_UPDATE, ins.arg, 0,
                        -1, off, line))
        elif kind == _K_MAKE_FUNCTION:
            flags = ins.arg if (fixed or not _SET_FUNCTION_ATTRIBUTE) else 0
            if fixed:  # 3.13+: SET_FUNCTION_ATTRIBUTE right after MAKE_FUNCTION
                last = out[-1] if out else None
                if (flags != 8 or last is None or last[0] != Op.MAKE_FUNCTION
                        or last[1] != 0):
                    _reject("default arguments and annotations of inner functions are not "
                            "supported", code, line)
                out[-1] = (Op.MAKE_FUNCTION, 8) + last[2:]
                continue
            fn = clist[out[-1][1]] if out and out[-1][0] == _LOAD_CONST else None
            cname = fn.co_name if type(fn) is CodeType else "?"
            what = _COMPREHENSION_NAMES.get(cname)
            if what or type(fn) is not CodeType:
                _reject(f"{what} are not supported" + _HINTS.get(cname, "") if what else
                        "unexpected bytecode (please report): MAKE_FUNCTION without a code object",
                        code, line)
            if flags & ~8:
                _reject("default arguments and annotations of inner functions are not "
                        "supported", code, line)
            if fn.co_flags & _BAD_FLAGS:
                _reject_flags(fn, fn.co_flags)
            append((Op.MAKE_FUNCTION, flags, 0, -1, off, line))
        elif kind == _K_FORMAT:
            if name == "FORMAT_VALUE":  # 3.11/3.12: conversion bits, then a spec on top
                conv, spec = ins.arg & 3, ins.arg & _FORMAT_SPEC_BIT
            elif name == "CONVERT_VALUE":
                conv, spec = ins.arg, 0
            else:  # FORMAT_SIMPLE: format(v, ''), which is str(v) for numbers and strings
                conv, spec = 0, name == "FORMAT_WITH_SPEC"
            if conv == 3:
                _reject("f-string conversion !a is not supported", code, line)
            if conv and spec:  # convert the value under its spec
                append((_SWAP, 2, 0, -1, off, line))
                _call_on_top(append, cidx, clist, _CONVERSIONS[conv], 1, off, line)
                append((_SWAP, 2, 0, -1, off, line))
            elif conv:
                _call_on_top(append, cidx, clist, _CONVERSIONS[conv], 1, off, line)
            if spec:
                _call_on_top(append, cidx, clist, format, 2, off, line)
            elif name != "CONVERT_VALUE" and not conv:
                _call_on_top(append, cidx, clist, str, 1, off, line)
        elif kind == _K_BUILD_STRING:  # the pieces joined left to right by `+`
            if ins.arg == 0:
                append((_LOAD_CONST, _intern(cidx, clist, ""), 0, -1, off, line))
            for _ in range(ins.arg - 1):
                append((_BINARY_OP, BinOp(0), 0, -1, off, line))
        elif kind == _K_CELL:
            i = varidx.get(ins.argval)
            if i is None and name == "LOAD_CLOSURE":  # passing on a frozen free variable
                nm = ins.argval
                append((_LOAD_DEREF, nidx.setdefault(nm, len(nidx)), 0, -1, off, line))
                continue
            if i is None or (name != "LOAD_CLOSURE" and ins.argval in code.co_freevars):
                # STORE_DEREF of a free variable: `nonlocal x; x = ...`
                _reject(f"assigning the variable {ins.argval!r} of an enclosing function "
                        "(nonlocal) is not supported", code, line)
            append((Op.LOAD_FAST if name == "LOAD_CLOSURE" else Op.STORE_FAST, i, 0, -1, off,
                    line))
        else:  # _K_REJECT
            _reject(fixed, code, line)

    for j in jumps:
        op, arg, arg2, tgt, off, ln = out[j]
        to = labels.get(tgt)
        if to is None or to >= len(out) or (
                tgt not in end_fors if (op == _FOR_ITER and _PY >= (3, 12)) else tgt in tails):
            _reject(f"unexpected bytecode (please report): jump from offset {off} to {tgt}",
                    code, ln)
        out[j] = (op, arg, arg2, to, off, ln)
    handlers = []
    for e in entries:
        start, end, target = labels.get(e.start), labels.get(e.end, len(out)), labels.get(e.target)
        if start is None or target is None or end is None:
            _reject("unexpected bytecode (please report): exception table entry "
                    f"{e.start}-{e.end} -> {e.target}", code, code.co_firstlineno)
        if start < end:
            handlers.append((start, end, target, e.depth, int(e.lasti)))
    if any(t[0] == _LIST_TO_TUPLE for t in out):
        from .bytecode_tuples import fold_large_tuples

        fold_large_tuples(out, handlers)
    new = tuple.__new__  # skips NamedTuple's Python-level __new__: normalize() is on the hot path
    return new(NisFunction, (code.co_name, qualname, code.co_filename, code.co_firstlineno,
                             argcount, code.co_kwonlyargcount, varnames,
                             tuple(nidx), tuple(clist), freevars,
                             tuple([new(Instr, t) for t in out]), tuple(handlers)))


# ---------------------------------------------------------------------------------------------
# Text dump (golden files) and the stack-depth verifier.

def _const_repr(v):
    if type(v) is frozenset:  # set order of strings depends on the hash seed
        return "frozenset({" + ", ".join(sorted(map(repr, v))) + "})"
    return repr(v)


def _arg_text(nis, ins):
    op, arg = ins.op, ins.arg
    if op <= Op.DELETE_FAST:
        return nis.varnames[arg]
    if op == Op.LOAD_CONST:
        return _const_repr(nis.consts[arg])
    if op in (Op.LOAD_GLOBAL, Op.LOAD_DEREF, Op.LOAD_ATTR, Op.STORE_ATTR):
        return nis.names[arg]
    if op == Op.CALL:
        return f"{arg}" if ins.arg2 < 0 else f"{arg} kw={nis.consts[ins.arg2]!r}"
    if op == Op.BINARY_OP:
        return _SYM_BIN[arg] + ("=" if ins.arg2 else "")
    if op == Op.COMPARE_OP:
        return _SYM_CMP[arg]
    if op == Op.IS_OP:
        return "is not" if arg else "is"
    if op == Op.CONTAINS_OP:
        return "not in" if arg else "in"
    if op == Op.UNARY:
        return _SYM_UNARY[arg]
    if op in _JUMP_OPS:
        return f"-> {ins.target}"
    if op in (Op.BUILD_SLICE, Op.BUILD_TUPLE, Op.BUILD_LIST, Op.LIST_APPEND, Op.UNPACK_SEQUENCE,
              Op.COPY, Op.SWAP, Op.RAISE, Op.BUILD_MAP, Op.BUILD_SET, Op.MAP_ADD, Op.SET_ADD,
              Op.LIST_EXTEND, Op.SET_UPDATE, Op.DICT_UPDATE, Op.BUILD_CONST_KEY_MAP,
              Op.MAKE_FUNCTION, Op.RERAISE):
        return str(arg)
    return ""


def dump(nis: NisFunction) -> str:
    """Deterministic text of ``nis``; lines are relative to ``firstlineno`` (L0 = the def)."""
    lines = [f"name: {nis.name}  qualname: {nis.qualname}",
             f"argcount: {nis.argcount}  kwonlyargcount: {nis.kwonlyargcount}",
             f"varnames: {nis.varnames!r}",
             f"freevars: {nis.freevars!r}"]
    if nis.handlers:
        lines.append(f"handlers: {list(nis.handlers)!r}")
    first = nis.firstlineno
    for i, ins in enumerate(nis.code):
        text = _arg_text(nis, ins)
        lines.append(f"{i:4d} L{ins.line - first:<3d} {Op(ins.op).name:<20s} {text}".rstrip())
    return "\n".join(lines) + "\n"


# op -> f(arg) = (items that must be on the stack, net change on the fall-through edge)
_EFFECT = {
    **dict.fromkeys((Op.LOAD_FAST, Op.LOAD_FAST_OR_UNDEF, Op.LOAD_CONST, Op.LOAD_GLOBAL,
                     Op.LOAD_DEREF, Op.PUSH_NULL), lambda a: (0, 1)),
    **dict.fromkeys((Op.STORE_FAST, Op.POP_TOP, Op.RETURN_VALUE, Op.POP_JUMP_IF_TRUE,
                     Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_NONE, Op.POP_JUMP_IF_NOT_NONE),
                    lambda a: (1, -1)),
    **dict.fromkeys((Op.DELETE_FAST, Op.JUMP, Op.UNREACHABLE_EH), lambda a: (0, 0)),
    **dict.fromkeys((Op.LOAD_ATTR, Op.UNARY, Op.TO_BOOL, Op.LIST_TO_TUPLE, Op.GET_ITER),
                    lambda a: (1, 0)),
    **dict.fromkeys((Op.BINARY_OP, Op.BINARY_SUBSCR, Op.COMPARE_OP, Op.IS_OP, Op.CONTAINS_OP),
                    lambda a: (2, -1)),
    **dict.fromkeys((Op.BUILD_SLICE, Op.BUILD_TUPLE, Op.BUILD_LIST), lambda a: (a, 1 - a)),
    Op.CALL: lambda a: (a + 2, -a - 1), Op.STORE_SUBSCR: lambda a: (3, -3),
    Op.LIST_APPEND: lambda a: (a + 1, -1), Op.UNPACK_SEQUENCE: lambda a: (1, a - 1),
    Op.COPY: lambda a: (max(a, 1), 1), Op.SWAP: lambda a: (max(a, 2), 0),
    Op.FOR_ITER: lambda a: (1, 1), Op.RAISE: lambda a: (a, -a),
    Op.BUILD_MAP: lambda a: (2 * a, 1 - 2 * a), Op.BUILD_SET: lambda a: (a, 1 - a),
    Op.MAP_ADD: lambda a: (a + 2, -2), Op.SET_ADD: lambda a: (a + 1, -1),
    Op.DELETE_SUBSCR: lambda a: (2, -2), Op.STORE_ATTR: lambda a: (2, -2),
    **dict.fromkeys((Op.LIST_EXTEND, Op.SET_UPDATE, Op.DICT_UPDATE), lambda a: (a + 1, -1)),
    Op.BUILD_CONST_KEY_MAP: lambda a: (a + 1, -a),
    Op.MAKE_FUNCTION: lambda a: (2, -1) if a & 8 else (1, 0),
    Op.PUSH_EXC_INFO: lambda a: (1, 1), Op.POP_EXCEPT: lambda a: (1, -1),
    Op.CHECK_EXC_MATCH: lambda a: (2, 0), Op.RERAISE: lambda a: (1, -1),
    **dict.fromkeys((Op.RESERVED_51, Op.RESERVED_52, Op.RESERVED_53, Op.RESERVED_54,
                     Op.RESERVED_55, Op.RESERVED_56, Op.RESERVED_57, Op.RESERVED_58,
                     Op.RESERVED_59), lambda a: (0, 0)),
    Op.RETURN_GENERATOR: lambda a: (0, 1), Op.YIELD_VALUE: lambda a: (1, 0),
}


def verify_stack(nis: NisFunction) -> None:
    """Check stack depths over the CFG: equal on every edge into an instruction, never negative,
    FOR_ITER's exit one below its entry, empty at RETURN_VALUE; AssertionError otherwise."""
    code = nis.code
    n = len(code)
    depth = [None] * n
    work = [(0, 0, -1)] if n else []
    work += [(t, depth + lasti + 1, s) for s, _, t, depth, lasti in nis.handlers]

    def fail(i, msg):
        ins = code[i]
        raise AssertionError(f"{nis.qualname}: NIS #{i} {Op(ins.op).name} (offset {ins.offset}, "
                             f"line {ins.line}): {msg}")

    while work:
        i, d, src = work.pop()
        if not 0 <= i < n:
            fail(src, f"control reaches index {i} outside 0..{n - 1}")
        if depth[i] is not None:
            if depth[i] != d:
                fail(i, f"stack depth {d} from #{src} but {depth[i]} from another edge")
            continue
        depth[i] = d
        ins = code[i]
        need, delta = _EFFECT[ins.op](ins.arg)
        if d < need:
            fail(i, f"needs {need} stack items, has {d}")
        op = ins.op
        if op == Op.RETURN_VALUE and d != 1:
            fail(i, f"returns with {d - 1} items left on the stack")
        if op in _JUMP_OPS:
            work.append((ins.target, d - 1 if op != Op.JUMP else d, i))
        if op not in _TERMINATORS:
            work.append((i + 1, d + delta, i))

"""A reference interpreter for NIS, used to check that normalization preserves semantics.

``run_function(func, args, kwargs)`` normalizes ``func`` and executes the NIS with Python
semantics (globals and closure cells read at run time, like CPython), so that its result, raised
exception and argument mutations can be compared with calling ``func`` itself.  The stack rules
are those of shared/research/frontend.md §2.4, including the CALL lo/hi NULL rule of §1.5.

``import_bytecode()`` is the one place the tests import ``ember.bytecode``: it never runs
``ember/__init__.py`` (which loads a native extension built only for one interpreter).
"""
import importlib
import inspect
import operator
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


_bytecode = None


def import_bytecode():
    """Return ``ember.bytecode`` without executing ``ember/__init__.py``."""
    global _bytecode
    if _bytecode is None:
        _bytecode = _import_bytecode()
    return _bytecode


def _import_bytecode():
    if "ember" in sys.modules:  # the real package is already loaded: use its module
        return importlib.import_module("ember.bytecode")
    before = set(sys.modules)
    stub = types.ModuleType("ember")
    stub.__path__ = [str(REPO / "ember")]
    sys.modules["ember"] = stub
    try:
        return importlib.import_module("ember.bytecode")
    finally:
        # Leave sys.modules as it was, so that a later `import ember` in the same process (other
        # tests) loads the real package rather than this stub and its submodules.
        for name in set(sys.modules) - before:
            if name == "ember" or name.startswith("ember."):
                del sys.modules[name]


bc = import_bytecode()
Op = bc.Op


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


NULL = _Marker("NULL")
UNDEF = _Marker("UNDEF")

_BINARY = (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
           operator.mod, operator.pow, operator.lshift, operator.rshift, operator.and_,
           operator.or_, operator.xor, operator.matmul)
_INPLACE = (operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
            operator.imod, operator.ipow, operator.ilshift, operator.irshift, operator.iand,
            operator.ior, operator.ixor, operator.imatmul)
_COMPARE = (operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge)
_UNARY = (operator.neg, operator.pos, operator.invert, operator.not_)


class StepLimit(Exception):
    """The NIS program ran longer than ``max_steps`` (probably a wrong jump target)."""


def execute(nis, localsplus, globals_, cells, max_steps=1_000_000):
    """Run ``nis`` with the locals list ``localsplus`` (``UNDEF`` for unbound)."""
    code, consts, names, varnames = nis.code, nis.consts, nis.names, nis.varnames
    builtins = globals_.get("__builtins__", __builtins__)
    if isinstance(builtins, types.ModuleType):
        builtins = builtins.__dict__
    stack = []
    push, pop = stack.append, stack.pop
    loc = localsplus
    pc = 0
    for _ in range(max_steps):
        ins = code[pc]
        op, arg = ins.op, ins.arg
        pc += 1
        if op == Op.LOAD_FAST:
            v = loc[arg]
            if v is UNDEF:
                raise UnboundLocalError(f"cannot access local variable '{varnames[arg]}' "
                                        "where it is not associated with a value")
            push(v)
        elif op == Op.LOAD_FAST_OR_UNDEF:
            push(loc[arg])
        elif op == Op.STORE_FAST:
            loc[arg] = pop()
        elif op == Op.DELETE_FAST:
            if loc[arg] is UNDEF:
                raise UnboundLocalError(f"cannot access local variable '{varnames[arg]}' "
                                        "where it is not associated with a value")
            loc[arg] = UNDEF
        elif op == Op.LOAD_CONST:
            push(consts[arg])
        elif op == Op.LOAD_GLOBAL:
            name = names[arg]
            if name in globals_:
                push(globals_[name])
            elif name in builtins:
                push(builtins[name])
            else:
                raise NameError(f"name '{name}' is not defined")
        elif op == Op.LOAD_DEREF:
            push(cells[names[arg]].cell_contents)
        elif op == Op.PUSH_NULL:
            push(NULL)
        elif op == Op.LOAD_ATTR:
            push(getattr(pop(), names[arg]))
        elif op == Op.CALL:
            args = stack[len(stack) - arg:] if arg else []
            del stack[len(stack) - arg:]
            hi = pop()
            lo = pop()
            if lo is NULL:
                func = hi
            elif hi is NULL:
                func = lo
            else:
                func, args = lo, [hi] + args
            if NULL in args or func is NULL:
                raise AssertionError(f"NULL passed to a call at NIS #{pc - 1}")
            if ins.arg2 >= 0:
                kwnames = consts[ins.arg2]
                npos = len(args) - len(kwnames)
                push(func(*args[:npos], **dict(zip(kwnames, args[npos:]))))
            else:
                push(func(*args))
        elif op == Op.BINARY_OP:
            r = pop()
            left = pop()
            push((_INPLACE if ins.arg2 else _BINARY)[arg](left, r))
        elif op == Op.BINARY_SUBSCR:
            i = pop()
            c = pop()
            push(c[i])
        elif op == Op.STORE_SUBSCR:
            i = pop()
            c = pop()
            c[i] = pop()
        elif op == Op.BUILD_SLICE:
            parts = stack[-arg:]
            del stack[-arg:]
            push(slice(*parts))
        elif op == Op.COMPARE_OP:
            r = pop()
            push(_COMPARE[arg](pop(), r))
        elif op == Op.IS_OP:
            r = pop()
            push((pop() is r) != bool(arg))
        elif op == Op.CONTAINS_OP:
            container = pop()
            push((pop() in container) != bool(arg))
        elif op == Op.UNARY:
            push(_UNARY[arg](pop()))
        elif op == Op.TO_BOOL:
            push(bool(pop()))
        elif op == Op.BUILD_TUPLE or op == Op.BUILD_LIST:
            items = stack[len(stack) - arg:] if arg else []
            del stack[len(stack) - arg:]
            push(tuple(items) if op == Op.BUILD_TUPLE else items)
        elif op == Op.LIST_APPEND:
            v = pop()
            stack[-arg].append(v)
        elif op == Op.LIST_TO_TUPLE:
            push(tuple(pop()))
        elif op == Op.UNPACK_SEQUENCE:
            items = tuple(pop())
            if len(items) != arg:
                if len(items) > arg:
                    raise ValueError(f"too many values to unpack (expected {arg})")
                raise ValueError(f"not enough values to unpack (expected {arg}, "
                                 f"got {len(items)})")
            stack.extend(reversed(items))
        elif op == Op.COPY:
            push(stack[-arg])
        elif op == Op.SWAP:
            stack[-1], stack[-arg] = stack[-arg], stack[-1]
        elif op == Op.POP_TOP:
            pop()
        elif op == Op.GET_ITER:
            push(iter(pop()))
        elif op == Op.FOR_ITER:
            try:
                push(next(stack[-1]))
            except StopIteration:
                pop()
                pc = ins.target
        elif op == Op.JUMP:
            pc = ins.target
        elif op == Op.POP_JUMP_IF_TRUE:
            if pop():
                pc = ins.target
        elif op == Op.POP_JUMP_IF_FALSE:
            if not pop():
                pc = ins.target
        elif op == Op.POP_JUMP_IF_NONE:
            if pop() is None:
                pc = ins.target
        elif op == Op.POP_JUMP_IF_NOT_NONE:
            if pop() is not None:
                pc = ins.target
        elif op == Op.RETURN_VALUE:
            return pop()
        elif op == Op.RAISE:
            if arg == 0:
                raise RuntimeError("No active exception to reraise")
            if arg == 1:
                raise pop()
            cause = pop()
            raise pop() from cause
        elif op == Op.UNREACHABLE_EH:
            raise AssertionError(f"reached UNREACHABLE_EH at NIS #{pc - 1}")
        else:
            raise AssertionError(f"unknown NIS op {op!r}")
    raise StepLimit(f"{nis.qualname}: more than {max_steps} NIS steps")


def run_function(func, args=(), kwargs=None, nis=None):
    """Call ``func(*args, **kwargs)`` through its NIS (normalized here unless given)."""
    if nis is None:
        nis = bc.normalize(func)
    bound = inspect.signature(func).bind(*args, **(kwargs or {}))
    bound.apply_defaults()
    loc = [UNDEF] * len(nis.varnames)
    index = {n: i for i, n in enumerate(nis.varnames)}
    for name, value in bound.arguments.items():
        loc[index[name]] = value
    cells = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    return execute(nis, loc, func.__globals__, cells)

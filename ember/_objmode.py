"""``with ember.objmode(name="type", ...):`` blocks that run in the interpreter.

As in Numba, the block's code runs as Python (with the GIL, taken when compiled code runs
without it), reads the compiled function's variables it uses, and hands back the variables its
annotations name, converted to those types; other assignments in the block stay in the block.
This module rewrites the compiled function's source before its bytecode is normalized: each
block becomes a Python function (registered with the bindings, bindings/ObjMode.cpp) and the
``with`` statement a call ``outputs = __ember_objmode__(block id, output type code, inputs)``
of BuiltinId::ObjmodeCall, typed from the annotations (typeinfer/ObjmodeRules.cpp).
Annotations are Numba's: strings ("float64", "int64[:]") or ember types (``types.float64``).
"""
from __future__ import annotations

import ast
import dis
import inspect
import textwrap

try:  # hashlib loads OpenSSL: the builtin module is enough
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b

from . import _ember
from .errors import TypingError, UnsupportedError
from .signature import T_ARRAY, T_TUPLE, parse_type
from .types import Type

__all__ = ["objmode", "rewrite_objmode_blocks"]


class objmode:  # noqa: N801 (Numba's spelling)
    """``with objmode(y="float64[:]"):`` runs its block in the interpreter from compiled code.
    Uncompiled (the function run as Python) it just runs the block."""

    def __init__(self, *args, **annotations):
        if args:
            raise TypeError("objmode() takes keyword arguments only: name=\"type\"")
        self.annotations = annotations

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def call(block, types, inputs):
    """What compiled code calls for a block (BuiltinId::ObjmodeCall); never called in Python."""
    raise RuntimeError("ember's objmode call marker is only meaningful in compiled code")


def _print_block(*values):
    """print() in compiled code (BuiltinId::Print): the values boxed, printed by Python."""
    print(*values)
    return ()


# Compiled code calls block 0 for print() (lowering/CodeGenObjmode.cpp).
_ember.objmode_register(0, _print_block, (), ())


def _block_id(func, block) -> int:
    """A block's id in compiled code: a hash of its function's home and the block's own code
    (never 0, print's), so that it is the same in every process: code loaded from the on-disk
    cache calls the block this process registered under it."""
    text = f"{func.__module__}:{func.__code__.co_filename}:{func.__qualname__}:" + \
        ast.dump(block, include_attributes=True)
    digest = blake2b(text.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "little") >> 2) | 1  # positive in an int64

_CALL_NAME = "__ember_objmode__"
_TYPE_PARAMS = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
_WITH_OPS = ("BEFORE_WITH", "LOAD_SPECIAL")


def _is_objmode(expr, env):
    """Whether `expr` (the with item, or its call's callee) denotes ember.objmode."""
    try:
        value = eval(compile(ast.Expression(expr), "<objmode>", "eval"), env)  # noqa: S307
    except Exception:
        return False
    return value is objmode


def _code_of(annotation, filename, line, name):
    """The type code of an annotation (a string or an ember type)."""
    try:
        if isinstance(annotation, str):
            code = parse_type(annotation)
        elif isinstance(annotation, Type):
            code = list(annotation.code)
        else:
            raise TypingError(f"an annotation is a string such as \"float64[:]\" or an ember "
                              f"type, not {type(annotation).__name__}")
    except TypingError as exc:
        raise TypingError(f"with objmode(): the annotation of '{name}': {exc.message}",
                          filename, line) from None
    if code[0] == T_ARRAY or len(code) == 1:
        return code
    raise UnsupportedError(f"with objmode(): '{name}' is annotated {annotation!r}; outputs are "
                           "numbers, strings and arrays", filename, line)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, func, local_names):
        self.func = func
        self.env = dict(func.__globals__)
        self.filename = func.__code__.co_filename
        self.local_names = local_names
        self.changed = False
        self.block_ids: list[int] = []

    def visit_FunctionDef(self, node):  # noqa: N802
        if node is not self.top:
            return node  # an inner function: its own compile rewrites it
        self.generic_visit(node)
        return node

    def visit_With(self, node):  # noqa: N802
        self.generic_visit(node)
        item = node.items[0].context_expr
        callee = item.func if isinstance(item, ast.Call) else item
        if not _is_objmode(callee, self.env):
            return node
        line = node.lineno
        if len(node.items) != 1 or node.items[0].optional_vars is not None:
            raise UnsupportedError("`with objmode(...)` takes no other context manager and no "
                                   "`as`", self.filename, line)
        if isinstance(item, ast.Call) and item.args:
            raise UnsupportedError("objmode() takes keyword arguments only: name=\"type\"",
                                   self.filename, line)
        keywords = item.keywords if isinstance(item, ast.Call) else []
        names, texts, code = [], [], [T_TUPLE, len(keywords)]
        for kw in keywords:
            try:
                annotation = eval(compile(ast.Expression(kw.value), self.filename, "eval"),  # noqa: S307
                                  self.env)
            except Exception as exc:
                raise TypingError(f"with objmode(): the annotation of '{kw.arg}' cannot be "
                                  f"evaluated: {exc}", self.filename, line) from None
            names.append(kw.arg)
            texts.append(annotation if isinstance(annotation, str) else repr(annotation))
            code += _code_of(annotation, self.filename, line, kw.arg)
        for inner in ast.walk(ast.Module(node.body, [])):
            if isinstance(inner, (ast.Return, ast.Yield, ast.YieldFrom)):
                raise UnsupportedError("return and yield inside `with objmode()` are not "
                                       "supported", self.filename, inner.lineno)
            if isinstance(inner, (ast.Break, ast.Continue)) and not _inside_loop(node, inner):
                raise UnsupportedError("break and continue cannot leave a `with objmode()` "
                                       "block", self.filename, inner.lineno)
        # The inputs: locals a statement reads before an earlier statement of the block binds
        # them (a name the block assigns first is the block's own).
        inputs, bound = [], set()
        for stmt in node.body:
            names_here = [n for n in ast.walk(stmt) if isinstance(n, ast.Name)]
            for n in names_here:
                if (isinstance(n.ctx, ast.Load) and n.id in self.local_names
                        and n.id not in bound and n.id not in inputs):
                    inputs.append(n.id)
            bound.update(n.id for n in names_here if isinstance(n.ctx, ast.Store))
        block = ast.FunctionDef(
            name=f"objmode_block_line_{line}",
            args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in inputs],
                               kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=node.body + [ast.Return(ast.Tuple([ast.Name(n, ast.Load()) for n in names],
                                                   ast.Load()))],
            decorator_list=[], returns=None, **_TYPE_PARAMS)
        ast.copy_location(block, node)
        module = ast.fix_missing_locations(ast.Module([block], []))
        namespace = {}
        exec(compile(module, self.filename, "exec"), self.func.__globals__, namespace)  # noqa: S102
        block_id = _block_id(self.func, block)
        _ember.objmode_register(block_id, namespace[block.name], tuple(names), tuple(texts))
        self.block_ids.append(block_id)
        call_node = ast.Call(ast.Name(_CALL_NAME, ast.Load()),
                             [ast.Constant(block_id), ast.Constant(tuple(code)),
                              ast.Tuple([ast.Name(n, ast.Load()) for n in inputs], ast.Load())],
                             [])
        target = ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())
        self.changed = True
        return ast.copy_location(ast.Assign([target], call_node), node)


def _inside_loop(with_node, target):
    """Whether a break/continue in the with block belongs to a loop inside the block."""
    for inner in ast.walk(ast.Module(with_node.body, [])):
        if isinstance(inner, (ast.For, ast.While)) and any(n is target
                                                            for n in ast.walk(inner)):
            return True
    return False


def rewrite_objmode_blocks(func):
    """`func` with its objmode blocks rewritten (a new function over the same globals), or
    `func` itself when it has none."""
    code = func.__code__
    # A byte scan first (each new process asks this for every cached function it loads): no
    # byte of the code equals a with-opcode, so there is no with statement to look at.
    if not any(op in dis.opmap and dis.opmap[op] in code.co_code for op in _WITH_OPS):
        return func
    if not any(ins.opname in _WITH_OPS for ins in dis.get_instructions(code)):
        return func
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return func  # no source: the with statement is rejected at its line as before
    tree = ast.parse(source)
    top = tree.body[0]
    if not isinstance(top, ast.FunctionDef):
        return func
    ast.increment_lineno(tree, code.co_firstlineno - 1)
    top.decorator_list = []
    local_names = set(code.co_varnames) | set(code.co_cellvars)
    rewriter = _Rewriter(func, local_names)
    rewriter.top = top
    rewriter.visit(top)
    if not rewriter.changed:
        return func
    func.__globals__.setdefault(_CALL_NAME, call)
    body = [top]
    if code.co_freevars:  # rebuilt inside a function whose locals are the free variables
        outer = ast.FunctionDef(
            name="objmode_outer",
            args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in code.co_freevars],
                               kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=[top, ast.Return(ast.Name(top.name, ast.Load()))], decorator_list=[],
            returns=None, **_TYPE_PARAMS)
        ast.copy_location(outer, top)
        body = [outer]
    module = ast.fix_missing_locations(ast.Module(body, []))
    namespace = {}
    exec(compile(module, code.co_filename, "exec"), func.__globals__, namespace)  # noqa: S102
    if code.co_freevars:
        cells = [c.cell_contents for c in func.__closure__]
        new = namespace["objmode_outer"](*cells)
    else:
        new = namespace[top.name]
    new.__defaults__ = func.__defaults__
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__ember_objmode_ids__ = tuple(rewriter.block_ids)  # part of the cache key (cache.py)
    return new

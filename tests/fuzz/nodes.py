"""Builders of annotated Python AST nodes: every expression the generator makes carries ``fz``
(an ``Info``: its type and exactness), which the minimizer uses to replace an expression by a
simpler one of the same type, and reference-check attributes (see reference.py).

Numbers are never negative ``Constant`` nodes (``ast.unparse`` would print ``-2 ** 2`` for
``(-2) ** 2``), NaN and infinities are ``math.nan`` / ``math.inf``, and int64's minimum is
written ``(-9223372036854775807 - 1)``, since ``9223372036854775808`` is not an int64 literal.
"""
from __future__ import annotations

import ast
import math

from .fztypes import INT64_MIN, Info, Scalar

OPS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv,
       "%": ast.Mod, "**": ast.Pow, "<<": ast.LShift, ">>": ast.RShift, "&": ast.BitAnd,
       "|": ast.BitOr, "^": ast.BitXor}
CMPS = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}
SMALL_OP_NAMES = {"+": "add", "-": "sub", "*": "mul", "&": "and", "|": "or", "^": "xor"}


class _Unparser(ast._Unparser):
    """ast.unparse without type comments, which need line numbers: generated trees have none
    (they are compiled from their source text, never from the tree)."""

    def get_type_comment(self, node):
        return None


def unparse(tree) -> str:
    return _Unparser().visit(tree)


def ann(node, type_, approx: int = 0):
    node.fz = Info(type_, approx)
    return node


def info(node) -> Info:
    return node.fz


def add_ref(node, helper: str, *consts):
    """Wraps node's value in helper(*consts, value) in the reference program."""
    refs = list(getattr(node, "ref", ()))
    refs.append((helper, *consts))
    node.ref = refs
    return node


def load(name: str, type_, approx: int = 0) -> ast.Name:
    return ann(ast.Name(id=name, ctx=ast.Load()), type_, approx)


def store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def attr(obj: str, name: str) -> ast.Attribute:
    return ast.Attribute(value=ast.Name(id=obj, ctx=ast.Load()), attr=name, ctx=ast.Load())


def call(func, args, type_, approx: int = 0, keywords=None) -> ast.Call:
    if isinstance(func, str):
        func = attr(*func.split(".", 1)) if "." in func else ast.Name(id=func, ctx=ast.Load())
    return ann(ast.Call(func=func, args=list(args), keywords=list(keywords or [])), type_,
               approx)


def method(obj, name: str, args, type_, approx: int = 0, keywords=None) -> ast.Call:
    func = ast.Attribute(value=obj, attr=name, ctx=ast.Load())
    return ann(ast.Call(func=func, args=list(args), keywords=list(keywords or [])), type_,
               approx)


def kw(name: str, value) -> ast.keyword:
    return ast.keyword(arg=name, value=value)


def binop(left, op: str, right, type_, approx: int = 0) -> ast.BinOp:
    return ann(ast.BinOp(left=left, op=OPS[op](), right=right), type_, approx)


def unary(op: str, operand, type_, approx: int = 0) -> ast.UnaryOp:
    node = {"-": ast.USub, "+": ast.UAdd, "~": ast.Invert, "not": ast.Not}[op]()
    return ann(ast.UnaryOp(op=node, operand=operand), type_, approx)


def compare(first, ops: list[str], rest: list) -> ast.Compare:
    return ann(ast.Compare(left=first, ops=[CMPS[o]() for o in ops], comparators=list(rest)),
               Scalar.BOOL)


def boolop(op: str, values: list, type_, approx: int = 0) -> ast.BoolOp:
    return ann(ast.BoolOp(op=ast.And() if op == "and" else ast.Or(), values=list(values)),
               type_, approx)


def ifexp(test, body, orelse, type_, approx: int = 0) -> ast.IfExp:
    return ann(ast.IfExp(test=test, body=body, orelse=orelse), type_, approx)


def subscript(value, index, type_, approx: int = 0, ctx=None) -> ast.Subscript:
    return ann(ast.Subscript(value=value, slice=index, ctx=ctx or ast.Load()), type_, approx)


def tuple_(elts, type_=None, approx: int = 0, ctx=None) -> ast.Tuple:
    node = ast.Tuple(elts=list(elts), ctx=ctx or ast.Load())
    return ann(node, type_, approx) if type_ is not None else node


def slice_(lower=None, upper=None, step=None) -> ast.Slice:
    return ast.Slice(lower=lower, upper=upper, step=step)


def raw_int(v: int):
    """An int literal node without annotation (shape constants, slice bounds)."""
    if v < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-v))
    return ast.Constant(v)


def foldable(node) -> bool:
    """Whether CPython's compiler folds the expression into a constant (literals and operators
    on them)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return foldable(node.operand)
    if isinstance(node, ast.BinOp):
        return foldable(node.left) and foldable(node.right)
    return False


def const(value, kind: Scalar):
    """A literal of the given kind with the given value."""
    if kind is Scalar.BOOL:
        return ann(ast.Constant(bool(value)), kind)
    if kind is Scalar.I64:
        v = int(value)
        if v == INT64_MIN:
            node = ast.BinOp(left=ast.UnaryOp(op=ast.USub(), operand=ast.Constant(2**63 - 1)),
                             op=ast.Sub(), right=ast.Constant(1))
        else:
            node = raw_int(v)
        return ann(node, kind)
    if kind is Scalar.F64:
        return ann(_float_literal(float(value)), kind)
    # NumPy scalar kinds: np.float32(c), np.int32(c), np.uint8(c)
    inner = _float_literal(float(value)) if kind is Scalar.F32 else raw_int(int(value))
    return call(f"np.{kind.value}", [inner], kind)


def _float_literal(v: float):
    if math.isnan(v):
        return attr("math", "nan")
    if math.isinf(v):
        node = attr("math", "inf")
        return node if v > 0 else ast.UnaryOp(op=ast.USub(), operand=node)
    if math.copysign(1.0, v) < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-v))
    return ast.Constant(v)


def assign(name: str, value) -> ast.Assign:
    return ast.Assign(targets=[store(name)], value=value)


def augassign(target, op: str, value) -> ast.AugAssign:
    return ast.AugAssign(target=target, op=OPS[op](), value=value)


def expr_stmt(value) -> ast.Expr:
    return ast.Expr(value=value)

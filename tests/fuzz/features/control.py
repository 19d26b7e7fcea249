"""Control flow: if/elif/else, for over range (1-3 arguments; negative steps; a step that may be
zero), while loops with a bounded trip count, break/continue, early returns, for/else, and
conditional and short-circuit expressions as values (also inside call arguments:
``abs(1.0 if c else x)``, ``max(1, 2 if c else 3)``).

Every loop is bounded by constants: a range's length is at most about 20 whatever the inputs
(``range(min(n, 12))``), and a while loop carries a counter that it increments first thing.
"""
from __future__ import annotations

import ast

from .. import nodes as N
from ..fztypes import Scalar, join_approx
from ..generator import Generator
from ..registry import feature

I64, F64, BOOL = Scalar.I64, Scalar.F64, Scalar.BOOL

CONTROL = feature("control", "if/elif/else, for/while loops, break/continue, early return")
IFEXP = feature("ifexp", "conditional expressions and and/or values (inside call args too)")


def compound(fn):
    fn.compound = True
    return fn


def body(g: Generator, depth: int, lo: int = 1, hi: int = 4) -> list:
    stmts = g.stmts(depth - 1, g.rng.randint(lo, hi))
    return stmts or [ast.Pass()]


@CONTROL.stmt(weight=3)
@compound
def if_stmt(g: Generator, depth: int):
    test = g.cond(2)
    with g.block():
        then = body(g, depth)
    orelse = []
    r = g.rng.random()
    if r < 0.3:
        with g.block():
            orelse = [ast.If(test=g.cond(2), body=body(g, depth), orelse=[])]
        if g.chance(0.5):
            with g.block():
                orelse[0].orelse = body(g, depth)
    elif r < 0.6:
        with g.block():
            orelse = body(g, depth)
    return [ast.If(test=test, body=then, orelse=orelse)]


def bounded_range_args(g: Generator, depth: int) -> list:
    """Arguments of range() whose length is bounded by constants."""
    c = lambda v: N.const(v, I64)  # noqa: E731
    form = g.weighted(("n", "ab", "abs", "neg", "dyn_step"), (3, 2, 2, 2, 1))
    x = g.scalar(I64, 1)
    if form == "n":
        return [N.call("min", [x, c(g.rng.randint(0, 12))], I64)] if g.chance(0.7) else \
            [c(g.rng.randint(-2, 12))]
    if form == "ab":
        return [N.call("max", [x, c(-g.rng.randint(0, 10))], I64), c(g.rng.randint(-3, 12))]
    if form == "abs":
        return [c(g.rng.randint(-8, 8)), N.call("min", [x, c(g.rng.randint(0, 14))], I64),
                c(g.rng.randint(1, 4))]
    if form == "neg":
        return [c(g.rng.randint(-2, 12)), N.call("max", [x, c(-g.rng.randint(0, 10))], I64),
                c(-g.rng.randint(1, 4))]
    # a step drawn from the inputs: zero raises ValueError in both
    if g.fn.no_raise:
        return [c(g.rng.randint(0, 10))]
    step = N.binop(g.scalar(I64, 1), "%", c(5), I64)
    step = N.binop(step, "-", c(2), I64)
    return [c(-g.rng.randint(0, 10)), c(g.rng.randint(0, 10)), step]


def for_loop(g: Generator, depth: int, args: list, dim=None, kind: str = "for"):
    """for i in range(*args): <body>, with i a read-only loop variable; when dim is given the
    loop runs over an axis of that length and i is a valid index for it."""
    name = g.new_name("i")
    func = N.attr("ember", "prange") if kind == "prange" else ast.Name(id="range",
                                                                        ctx=ast.Load())
    it = ast.Call(func=func, args=args, keywords=[])
    with g.block():
        g.declare(name, I64, role="loop", writable=False)
        if dim is not None:
            g.facts.index_vars.setdefault(dim, []).append(name)
            g.facts.nonempty.add(dim)
        g.fn.loops.append(kind)
        try:
            stmts = body(g, depth, 1, 5)
        finally:
            g.fn.loops.pop()
    return ast.For(target=N.store(name), iter=it, body=stmts, orelse=[])


@CONTROL.stmt(weight=3)
@compound
def for_range(g: Generator, depth: int):
    loop = for_loop(g, depth, bounded_range_args(g, depth))
    if g.chance(0.1) and not g.fn.in_prange:
        with g.block():
            loop.orelse = body(g, depth, 1, 2)
    return [loop]


@CONTROL.stmt(weight=2)
@compound
def while_loop(g: Generator, depth: int):
    counter = g.new_name("w")
    limit = g.rng.randint(0, 15)
    inc = N.augassign(N.store(counter), "+", N.const(1, I64))
    with g.block():
        g.declare(counter, I64, role="counter", writable=False)
        if g.chance(0.3):
            test = N.ann(ast.Constant(True), BOOL)
            guard = ast.If(test=N.compare(N.load(counter, I64), [">="], [N.const(limit, I64)]),
                           body=[ast.Break()], orelse=[])
            first = [inc, guard]
        else:
            bound = N.compare(N.load(counter, I64), ["<"], [N.const(limit, I64)])
            test = N.boolop("and", [bound, g.cond(1)], BOOL) if g.chance(0.5) else bound
            first = [inc]
        g.fn.loops.append("while")
        try:
            stmts = first + body(g, depth, 1, 4)
        finally:
            g.fn.loops.pop()
    orelse = []
    if g.chance(0.1) and not g.fn.in_prange:
        with g.block():
            orelse = body(g, depth, 1, 2)
    return [N.assign(counter, N.const(0, I64)), ast.While(test=test, body=stmts, orelse=orelse)]


@CONTROL.stmt(weight=2, where=("loop",))
def break_continue(g: Generator, depth: int):
    if g.fn.loops[-1] == "prange":
        return None
    jump = ast.Break() if g.chance(0.5) else ast.Continue()
    return [ast.If(test=g.cond(2), body=[jump], orelse=[])]


@CONTROL.stmt(weight=1, where=("serial",))
def early_return(g: Generator, depth: int):
    if g.fn.in_prange:
        return None
    ret = g.return_stmt()
    return [ast.If(test=g.cond(2), body=[ret], orelse=[])]


# ---- expressions -----------------------------------------------------------------------------

def _value_kind(want) -> bool:
    return isinstance(want, Scalar)


@IFEXP.expr(_value_kind, weight=2)
def conditional(g: Generator, want, depth: int, exact: bool):
    a = g.expr(want, depth, exact)
    b = g.expr(want, depth, exact)
    return N.ifexp(g.cond(depth), a, b, want, join_approx(a.fz.approx, b.fz.approx))


@IFEXP.expr(lambda w: w in (I64, F64, BOOL), weight=1)
def and_or_value(g: Generator, want, depth: int, exact: bool):
    # the first operand is tested (so exact); the second is only returned
    first = g.scalar(want, depth, exact=True)
    second = g.scalar(want, depth, exact)
    op = g.pick(("and", "or"))
    return N.boolop(op, [first, second], want, second.fz.approx)


@IFEXP.expr(lambda w: w in (I64, F64), weight=1)
def call_with_conditional_argument(g: Generator, want, depth: int, exact: bool):
    """The forms of issue 8: a conditional or short-circuit expression as a call argument."""
    if want is I64:
        form = g.pick(("max", "min", "abs", "int"))
        if form == "int":
            return N.call("int", [N.boolop(g.pick(("and", "or")), [g.cond(depth), g.cond(depth)],
                                           BOOL)], I64)
        inner = N.ifexp(g.cond(depth), g.scalar(I64, depth), g.scalar(I64, depth), I64)
        if form == "abs":
            return N.add_ref(N.call("abs", [inner], I64), "_ck64")
        return N.call(form, [g.scalar(I64, depth), inner], I64)
    x = g.scalar(F64, depth, exact)
    inner = N.ifexp(g.cond(depth), N.const(g.pick((1.0, -0.5, 2.0)), F64), x, F64,
                    x.fz.approx)
    form = g.pick(("abs", "math.sin", "max", "math.sqrt"))
    if form == "max":
        return N.call("max", [g.scalar(F64, depth, True), inner], F64, x.fz.approx)
    node = N.call(form, [inner], F64, 1 if form == "math.sin" else x.fz.approx)
    if form.startswith("math."):
        node.ref_call = "_m"
    return node


BRANCHY_ARGS = feature(
    "branchy_call_args",
    "conditional/short-circuit expressions and chained comparisons inside call arguments "
    "(issue 8's 'NULL marker of a call', fixed); without it they are flattened out of calls",
    1.0)


class _Flatten(ast.NodeTransformer):
    """Inside call arguments: a conditional expression becomes its first arm, and/or its first
    operand, a chained comparison its first comparison -- each of the same type and no less
    exact, so the program stays well typed."""

    def visit_IfExp(self, node):
        return self.visit(node.body)

    def visit_BoolOp(self, node):
        return self.visit(node.values[0])

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        if len(node.ops) > 1:
            flat = ast.Compare(left=node.left, ops=node.ops[:1], comparators=node.comparators[:1])
            flat.fz = node.fz
            return flat
        return node


class _FlattenCallArgs(ast.NodeTransformer):
    def visit_Call(self, node):
        node = self.generic_visit(node)
        flatten = _Flatten()
        node.args = [flatten.visit(a) for a in node.args]
        for k in node.keywords:
            k.value = flatten.visit(k.value)
        return node


def flatten_call_args(module: ast.Module):
    """Applied to a program that does not have the branchy_call_args feature."""
    _FlattenCallArgs().visit(module)

"""prange loops in ``@ember.njit(parallel=True)`` functions: scalar reductions
(``s += ...``, ``-= *= &= |= ^=``, ``s = min(s, ...)`` / ``max``), stores into a fresh output
array at the loop index, private temporaries and nested serial loops in the body.

What the body may do is what docs/design.md §4 promises to parallelize: it reads anything,
updates each reduction variable only through its operator (and never reads it otherwise),
stores only into ``out[i]``, and never breaks or returns.  Nothing in the body raises (divisors
are made non-zero, no float-to-int conversion), so which iteration raises first -- an order
the parallel run does not keep -- never matters."""
from __future__ import annotations

import ast
import dataclasses

from .. import nodes as N
from ..fztypes import ArrayT, Scalar
from ..generator import Generator
from ..registry import feature
from .control import body, compound

I64, F64, BOOL = Scalar.I64, Scalar.F64, Scalar.BOOL
PRANGE = feature("prange", "parallel=True functions with prange reductions", 0.3)

INT_OPS = ("+", "-", "*", "&", "|", "^", "min", "max")
FLOAT_OPS = ("+", "-", "*", "min", "max")


@PRANGE.stmt(weight=6, where=("serial",))
@compound
def prange_loop(g: Generator, depth: int):
    fn = g.fn
    if fn.in_prange or fn.loops or not fn.options.get("parallel"):
        return None
    c = lambda v: N.const(v, I64)  # noqa: E731
    pre = []
    # the iteration space: an axis of an array in scope (the index is then valid for it), or
    # a bounded range
    dim = None
    arrays = g.readable(lambda v: isinstance(v.type, ArrayT))
    if arrays and g.chance(0.6):
        v = g.pick(arrays)
        dim = g.pick(v.type.shape)
        args = [g.dim_expr(dim)]
    elif g.chance(0.5):
        args = [N.call("min", [g.scalar(I64, 1), c(g.rng.randint(0, 40))], I64)]
    else:
        step = g.pick((1, 2, 3, -1, -2))
        # the stop is bounded on the side the loop runs towards
        stop = N.call("min", [g.scalar(I64, 1), c(30)], I64) if step > 0 else \
            N.call("max", [g.scalar(I64, 1), c(-30)], I64)
        args = [c(g.rng.randint(-5, 5)), stop, c(step)]
    # reduction variables, declared before the loop
    reductions = {}
    for _ in range(g.rng.randint(1, 3)):
        kind = g.pick((I64, F64))
        op = g.pick(INT_OPS if kind is I64 else FLOAT_OPS)
        name = g.new_name("r")
        init = {"+": 0, "-": 0, "*": 1, "&": -1, "|": 0, "^": 0}.get(op)
        if init is None:      # min / max start from a constant or an input
            init_node = g.scalar(kind, 1, exact=True)
        else:
            init_node = N.const(init if g.chance(0.7) else g.rng.randint(-3, 3), kind)
            if kind is F64:
                init_node = N.const(float(init), F64)
        pre.append(N.assign(name, init_node))
        # a float sum or product adds in another order than the serial loop
        approx = 1 if kind is F64 and op in ("+", "-", "*") else 0
        g.declare(name, kind, approx)
        reductions[name] = op
    out = None
    if dim is not None and g.chance(0.5):
        dtype = g.pick((F64, I64, BOOL))
        out = g.new_name("out")
        t = ArrayT(dtype, (dim,))
        make = N.call("np.zeros", [g.dim_expr(dim), N.attr("np", dtype.value)], t)
        pre.append(N.assign(out, make))
        g.declare(out, t, 1 if dtype is F64 else 0)
    loop = _body(g, depth, args, dim, reductions, out)
    return pre + [loop]


def _body(g: Generator, depth: int, args, dim, reductions: dict, out):
    fn = g.fn
    index = g.new_name("i")
    saved = (fn.in_prange, fn.no_raise, fn.reductions, fn.prange_outputs, fn.prange_index)
    with g.block():
        # everything from outside is read-only in the body; reductions and the output are
        # not readable at all
        for name, v in list(g.facts.vars.items()):
            role = "hidden" if name in reductions or name == out else v.role
            g.facts.vars[name] = dataclasses.replace(v, writable=False, role=role)
        g.declare(index, I64, role="loop", writable=False)
        if dim is not None:
            g.facts.index_vars.setdefault(dim, []).append(index)
            g.facts.nonempty.add(dim)
        fn.in_prange, fn.no_raise = True, True
        fn.reductions = dict(reductions)
        fn.prange_outputs = {out} if out else set()
        fn.prange_index = index
        fn.loops.append("prange")
        try:
            stmts = [s for s in body(g, depth, 1, 4) if not isinstance(s, ast.Pass)]
            # every reduction is updated at least once, at the end of the body
            for name, op in reductions.items():
                stmts.append(_update(g, name, op))
        finally:
            fn.loops.pop()
            (fn.in_prange, fn.no_raise, fn.reductions, fn.prange_outputs,
             fn.prange_index) = saved
    it = ast.Call(func=N.attr("ember", "prange"), args=args, keywords=[])
    return ast.For(target=N.store(index), iter=it, body=stmts, orelse=[])


def _update(g: Generator, name: str, op: str):
    kind = g.facts.vars[name].type
    value = g.scalar(kind, 2, exact=kind is I64 or op in ("min", "max"))
    if op in ("min", "max"):
        return N.assign(name, N.call(op, [N.load(name, kind), value], kind, value.fz.approx))
    stmt = N.augassign(N.store(name), op, value)
    if kind is I64 and op in ("+", "-", "*"):
        stmt.ref_aug = "_ck64"
    return stmt


@PRANGE.stmt(weight=3, where=("prange",))
def reduction_update(g: Generator, depth: int):
    fn = g.fn
    if not fn.reductions or fn.loops[-1] != "prange":
        return None
    name = g.pick(fn.reductions)
    return [_update(g, name, fn.reductions[name])]


@PRANGE.stmt(weight=3, where=("prange",))
def output_store(g: Generator, depth: int):
    fn = g.fn
    if not fn.prange_outputs or fn.loops[-1] != "prange":
        return None
    out = next(iter(fn.prange_outputs))
    v = g.facts.vars[out]
    value = g.scalar(v.type.dtype, 2, exact=v.approx == 0)
    target = N.subscript(N.load(out, v.type), N.load(fn.prange_index, I64), v.type.dtype,
                         ctx=ast.Store())
    return [ast.Assign(targets=[target], value=value)]

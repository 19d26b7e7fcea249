"""Tuples: built from expressions, held in variables, indexed by constants (negative too),
unpacked (also the swap ``x, y = y, x``), compared, returned (a function's return type may be a
tuple) and passed between generated functions."""
from __future__ import annotations

import ast

from .. import nodes as N
from ..fztypes import ArrayT, Scalar, TupleT, join_approx
from ..generator import ArrayPattern, Generator
from ..registry import feature
from .scalars import divmod_call
from .signature import scalar_kind

TUPLES = feature("tuples", "tuple build, constant index, unpack, swap, return", 0.7)


def _item_matches(item, want) -> bool:
    if isinstance(want, ArrayPattern):
        return isinstance(item, ArrayT) and want.matches(item)
    return item == want


@TUPLES.expr(lambda w: isinstance(w, (Scalar, ArrayPattern)), weight=1)
def tuple_item(g: Generator, want, depth: int, exact: bool):
    options = []
    for v in g.readable(lambda v: isinstance(v.type, TupleT), exact):
        for k, item in enumerate(v.type.items):
            if _item_matches(item, want):
                options.append((v, k))
    if not options:
        return None
    v, k = g.pick(options)
    index = k - len(v.type) if g.chance(0.3) else k
    return N.subscript(N.load(v.name, v.type, v.approx), N.raw_int(index), v.type.items[k],
                       v.approx)


@TUPLES.stmt(weight=2)
def new_tuple(g: Generator, depth: int):
    items = tuple(scalar_kind(g) for _ in range(g.rng.randint(2, 4)))
    node = g.tuple_expr(TupleT(items), 2)
    name = g.new_name("t")
    g.declare(name, TupleT(tuple(e.fz.type for e in node.elts)), node.fz.approx)
    return [N.assign(name, node)]


@TUPLES.stmt(weight=2)
def unpack(g: Generator, depth: int):
    tuples = [v for v in g.readable(lambda v: isinstance(v.type, TupleT))
              if all(isinstance(t, Scalar) for t in v.type.items)]
    if tuples and g.chance(0.6):
        src = g.pick(tuples)
        value = N.load(src.name, src.type, src.approx)
        types = src.type.items
        approx = [src.approx] * len(types)
    elif g.chance(0.2):
        # q, r = divmod(a, b)
        kind = g.pick((Scalar.I64, Scalar.F64))
        value = divmod_call(g, kind, 2)
        types, approx = (kind, kind), [0, 0]
        if kind is Scalar.I64:
            N.add_ref(value, "_ck64_items")
    else:
        types = tuple(scalar_kind(g) for _ in range(g.rng.randint(2, 3)))
        elts = [g.scalar(t, 2) for t in types]
        value = N.tuple_(elts, TupleT(types), join_approx(*(e.fz.approx for e in elts)))
        approx = [e.fz.approx for e in elts]
    names = [g.new_name("u") for _ in types]
    for name, t, a in zip(names, types, approx):
        g.declare(name, t, a)
    target = N.tuple_([N.store(n) for n in names], ctx=ast.Store())
    return [ast.Assign(targets=[target], value=value)]


@TUPLES.stmt(weight=1)
def swap(g: Generator, depth: int):
    by_type = {}
    for v in g.readable(lambda v: isinstance(v.type, Scalar)):
        if v.writable and v.role in ("local", "param"):
            by_type.setdefault((v.type, v.approx > 0), []).append(v)
    pairs = [vs for vs in by_type.values() if len(vs) >= 2]
    if not pairs:
        return None
    a, b = g.rng.sample(g.pick(pairs), 2)
    target = N.tuple_([N.store(a.name), N.store(b.name)], ctx=ast.Store())
    value = N.tuple_([N.load(b.name, b.type, b.approx), N.load(a.name, a.type, a.approx)],
                     TupleT((b.type, a.type)))
    return [ast.Assign(targets=[target], value=value)]


@TUPLES.expr(lambda w: w is Scalar.BOOL, weight=0.3)
def tuple_compare(g: Generator, want, depth: int, exact: bool):
    kind = g.pick((Scalar.I64, Scalar.BOOL))
    n = g.rng.randint(1, 3)
    a = g.tuple_expr(TupleT((kind,) * n), depth, True)
    b = g.tuple_expr(TupleT((kind,) * n), depth, True)
    return N.compare(a, [g.pick(("==", "!=", "<", ">="))], [b])


@TUPLES.expr(lambda w: w is Scalar.I64, weight=0.3)
def tuple_len(g: Generator, want, depth: int, exact: bool):
    tuples = g.readable(lambda v: isinstance(v.type, TupleT))
    if not tuples:
        return None
    v = g.pick(tuples)
    return N.call("len", [N.load(v.name, v.type, v.approx)], Scalar.I64)


@TUPLES.stmt(weight=1)
def reassign_tuple(g: Generator, depth: int):
    """t = (...) again, with the same item types (a tuple carried around a loop)."""
    vs = [v for v in g.readable(lambda v: isinstance(v.type, TupleT))
          if v.role == "local" and all(isinstance(t, Scalar) for t in v.type.items)
          and not g.fn.in_prange]
    if not vs:
        return None
    v = g.pick(vs)
    node = g.tuple_expr(v.type, 2, exact=not v.approx)
    return [N.assign(v.name, node)]

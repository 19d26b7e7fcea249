"""NumPy scalar kinds smaller than 64 bits: np.float32, np.int32, np.uint8.  They are combined
with their own kind only (NumPy 2 keeps the small type with a Python number where Numba
promotes, docs/design.md §7), built with np.float32(...) & co and converted back with float()
and int().  Int results outside the kind's range are an intended difference (the reference's
``_sop``: NumPy wraps, ember has computed in int64)."""
from __future__ import annotations

from .. import nodes as N
from ..fztypes import Scalar, join_approx
from ..generator import Generator
from ..registry import feature

F32, I32, U8, I64, F64 = Scalar.F32, Scalar.I32, Scalar.U8, Scalar.I64, Scalar.F64
SMALL = feature("small_scalars", "np.float32 / np.int32 / np.uint8 scalars", 0.35)


@SMALL.expr(lambda w: w is F32, weight=4)
def f32_binop(g: Generator, want, depth: int, exact: bool):
    op = g.pick(("+", "-", "*"))
    a, b = g.scalar(F32, depth, exact), g.scalar(F32, depth, exact)
    return N.binop(a, op, b, F32, join_approx(a.fz.approx, b.fz.approx))


@SMALL.expr(lambda w: w is F32, weight=2)
def f32_other(g: Generator, want, depth: int, exact: bool):
    kind = g.pick(("neg", "abs", "minmax", "ctor"))
    if kind == "ctor":
        x = g.scalar(g.weighted((F64, I64), (4, 1)), depth, exact)
        # float32 rounding of an approximate float64 may differ by a float32 ulp
        return N.call("np.float32", [x], F32, 2 if x.fz.approx else 0)
    x = g.scalar(F32, depth, exact)
    if kind == "neg":
        return N.unary("-", x, F32, x.fz.approx)
    if kind == "abs":
        return N.call("abs", [x], F32, x.fz.approx)
    y = g.scalar(F32, depth, exact)
    return N.call(g.pick(("min", "max")), [x, y], F32, join_approx(x.fz.approx, y.fz.approx))


def _small_int(kind: Scalar):
    @SMALL.expr(lambda w: w is kind, weight=4)
    def binop(g: Generator, want, depth: int, exact: bool):
        # uint8 + - * leave the range often (an intended difference): rarer than bit operations
        weights = (2, 1, 1, 2, 2, 2) if kind is U8 else (3, 3, 2, 1, 1, 1)
        op = g.weighted(("+", "-", "*", "&", "|", "^"), weights)
        node = N.binop(g.scalar(kind, depth), op, g.scalar(kind, depth), kind)
        node.ref_binop = ("_sop", kind.value, N.SMALL_OP_NAMES[op])
        return node

    @SMALL.expr(lambda w: w is kind, weight=2)
    def other(g: Generator, want, depth: int, exact: bool):
        what = g.pick(("neg", "abs", "minmax", "ctor", "ctor"))
        if what == "ctor":
            x = g.scalar(I64, depth)
            if kind is U8 and g.chance(0.5):
                x = N.binop(x, "&", N.const(255, I64), I64)
            node = N.call(f"np.{kind.value}", [N.add_ref(x, "_cksmall", kind.value)], kind)
            return node
        x = g.scalar(kind, depth)
        if what in ("neg", "abs"):
            node = N.unary("-", x, kind) if what == "neg" else N.call("abs", [x], kind)
            node.ref_unary = ("_sop", kind.value, what)
            return node
        return N.call(g.pick(("min", "max")), [x, g.scalar(kind, depth)], kind)

    return binop, other


_small_int(I32)
_small_int(U8)


@SMALL.expr(lambda w: w in (I64, F64), weight=1)
def widen(g: Generator, want, depth: int, exact: bool):
    if want is I64:
        kind = g.pick((I32, U8))
        node = N.call("int", [g.scalar(kind, depth)], I64)
        if kind is U8:
            # uint8 arithmetic is uint64 in ember and int() keeps it (Numba; docs/design.md
            # §7): -x and ~x would wrap modulo 2**64 (intended.AVOIDED); + 0 makes it int64
            node = N.binop(node, "+", N.const(0, I64), I64)
        return node
    x = g.scalar(F32, depth, exact)
    return N.call("float", [x], F64, x.fz.approx)

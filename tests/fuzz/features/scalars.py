"""Scalar features: variables and assignments, int64 arithmetic with Python's semantics
(// and % signs, shifts, bit operations, overflow checked by the reference), float64 arithmetic,
the math module and the numeric builtins, comparisons (chained ones included) and bools."""
from __future__ import annotations

import ast

from .. import nodes as N
from ..fztypes import Scalar, TupleT, join_approx
from ..generator import Generator
from ..registry import feature
from .signature import scalar_kind

I64, F64, BOOL = Scalar.I64, Scalar.F64, Scalar.BOOL

CORE = feature("core", "variables: new, reassigned and augmented assignments of scalars")
INT = feature("int_arith", "int64 operators with Python semantics; builtins on ints")
FLOAT = feature("float_arith", "float64 operators, float(), abs/min/max, mixed int/float")
MATH = feature("math", "math-module functions, round/int/floor/ceil of floats", 0.8)
BOOLS = feature("bools", "comparisons (chained too), not, and/or on bools, isnan & co")


def is_(kind):
    return lambda want: want is kind


def _ck(node):
    return N.add_ref(node, "_ck64")


# ---- statements ------------------------------------------------------------------------------

@CORE.stmt(weight=6)
def new_scalar(g: Generator, depth: int):
    kind = scalar_kind(g)
    value = g.scalar(kind, min(depth + 1, 3))
    name = g.new_name("v")
    g.declare(name, kind, value.fz.approx)
    return [N.assign(name, value)]


def _writable_scalars(g: Generator, kinds=None):
    return [v for v in g.readable(lambda v: isinstance(v.type, Scalar))
            if v.writable and v.role in ("local", "param")
            and (kinds is None or v.type in kinds)]


@CORE.stmt(weight=3)
def reassign(g: Generator, depth: int):
    vs = _writable_scalars(g)
    if not vs:
        return None
    v = g.pick(vs)
    value = g.scalar(v.type, 2, exact=not v.approx)
    return [N.assign(v.name, value)]


INT_AUG = ("+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>")
FLOAT_AUG = ("+", "-", "*", "/")


@CORE.stmt(weight=3)
def augmented(g: Generator, depth: int):
    vs = _writable_scalars(g, (I64, F64))
    if not vs:
        return None
    v = g.pick(vs)
    target = N.store(v.name)
    if v.type is I64:
        op = g.pick(INT_AUG)
        value = _int_rhs(g, op, 2)
        stmt = N.augassign(target, op, value)
        if op in ("+", "-", "*", "<<", "//"):
            stmt.ref_aug = "_ck64"
        return [stmt]
    op = g.pick(FLOAT_AUG)
    value = g.scalar(F64, 2, exact=(op == "/") or not v.approx)
    if op == "/":
        value = _nonzero_float(g, value)
    return [N.augassign(target, op, value)]


# ---- int64 -----------------------------------------------------------------------------------

def _int_rhs(g: Generator, op: str, depth: int):
    """The right operand of an int operator: a divisor is made non-zero where raising is not
    allowed (a prange body); a shift count is kept in range unless raising is allowed."""
    right = g.scalar(I64, depth)
    if op in ("//", "%") and g.fn.no_raise:
        right = N.binop(right, "|", N.const(1, I64), I64)
    if op == "<<" or (op == ">>" and (g.fn.no_raise or g.chance(0.8))):
        # a raw count only for >>: CPython builds x << 2**62 (MemoryError) before any check
        mask = 31 if op == "<<" else 63
        right = N.binop(right, "&", N.const(mask, I64), I64)
    return right


@INT.expr(is_(I64), weight=6)
def int_binop(g: Generator, want, depth: int, exact: bool):
    op = g.weighted(INT_AUG, (5, 4, 3, 2, 2, 1, 1, 1, 1, 1))
    left = g.scalar(I64, depth)
    if op in ("+", "-", "*") and g.chance(0.1):
        left = g.scalar(BOOL, depth)        # bool arithmetic gives ints
    node = N.binop(left, op, _int_rhs(g, op, depth), I64)
    if op in ("+", "-", "*", "<<", "//"):
        _ck(node)
    return node


@INT.expr(is_(I64), weight=2)
def int_unary(g: Generator, want, depth: int, exact: bool):
    kind = g.pick(("-", "~", "abs", "pow"))
    x = g.scalar(I64, depth)
    if kind == "-":
        return _ck(N.unary("-", x, I64))
    if kind == "~":
        return N.unary("~", x, I64)
    if kind == "abs":
        return _ck(N.call("abs", [x], I64))
    return _ck(N.binop(x, "**", N.const(g.rng.randint(0, 4), I64), I64))


@INT.expr(is_(I64), weight=2)
def int_minmax(g: Generator, want, depth: int, exact: bool):
    args = [g.scalar(I64, depth) for _ in range(g.weighted((2, 3), (3, 1)))]
    return N.call(g.pick(("min", "max")), args, I64)


@INT.expr(is_(I64), weight=1)
def int_of_bool(g: Generator, want, depth: int, exact: bool):
    # int(0 < x < 5), int(c and x > 1.0): a condition as a call argument
    return N.call("int", [g.cond(depth)], I64)


@MATH.expr(is_(I64), weight=2)
def int_of_float(g: Generator, want, depth: int, exact: bool):
    if g.fn.no_raise:       # int(nan) raises ValueError, int(inf) OverflowError
        return None
    x = g.scalar(F64, depth, exact=True)
    fn = g.weighted(("int", "round", "math.floor", "math.ceil", "math.trunc"), (3, 2, 1, 1, 1))
    return _ck(N.call(fn, [x], I64))


# ---- float64 ---------------------------------------------------------------------------------

def _nonzero_float(g: Generator, node):
    if g.fn.no_raise:
        return N.binop(N.call("abs", [node], F64, node.fz.approx), "+",
                       N.const(1.0, F64), F64, node.fz.approx)
    return node


@FLOAT.expr(is_(F64), weight=6)
def float_binop(g: Generator, want, depth: int, exact: bool):
    op = g.weighted(("+", "-", "*", "/", "//", "%"), (4, 4, 4, 3, 1, 1))
    discontinuous = op in ("//", "%")
    lkind = I64 if g.chance(0.15) else F64
    rkind = I64 if lkind is F64 and g.chance(0.2) else F64
    left = g.scalar(lkind, depth, exact=exact or discontinuous)
    right = g.scalar(rkind, depth, exact=exact or op in ("/", "//", "%"))
    if op in ("/", "//", "%"):
        right = _nonzero_float(g, right) if rkind is F64 else \
            (N.binop(right, "|", N.const(1, I64), I64) if g.fn.no_raise else right)
    return N.binop(left, op, right, F64, join_approx(left.fz.approx, right.fz.approx))


@FLOAT.expr(is_(F64), weight=1)
def int_true_division(g: Generator, want, depth: int, exact: bool):
    left = g.scalar(I64, depth)
    right = g.scalar(I64, depth)
    if g.fn.no_raise:
        right = N.binop(right, "|", N.const(1, I64), I64)
    node = N.binop(left, "/", right, F64)
    node.ref_binop = ("_itdiv",)
    return node


@FLOAT.expr(is_(F64), weight=2)
def float_unary(g: Generator, want, depth: int, exact: bool):
    x = g.scalar(F64, depth, exact)
    kind = g.pick(("-", "abs", "minmax", "float"))
    if kind == "-":
        return N.unary("-", x, F64, x.fz.approx)
    if kind == "abs":
        return N.call("abs", [x], F64, x.fz.approx)
    if kind == "minmax":
        args = [x] + [g.scalar(F64, depth, exact) for _ in range(g.weighted((1, 2), (3, 1)))]
        return N.call(g.pick(("min", "max")), args, F64, join_approx(*(a.fz.approx for a in args)))
    src = g.scalar(g.weighted((I64, BOOL), (4, 1)), depth)
    return N.call("float", [src], F64)


def _in_domain(fn: str, x):
    """x brought into fn's domain most of the time, so that fewer input sets end as the
    intended difference of math domain errors (the rest still test them)."""
    c = lambda v: N.const(v, F64)  # noqa: E731
    ap = x.fz.approx
    if fn in ("log", "log2", "log10", "log1p", "lgamma", "gamma", "sqrt"):
        x = N.binop(N.call("abs", [x], F64, ap), "+", c(0.5), F64, ap)
        if fn == "gamma":
            x = N.call("min", [x, c(150.0)], F64, ap)
    elif fn in ("asin", "acos"):
        x = N.call("max", [c(-1.0), N.call("min", [c(1.0), x], F64, ap)], F64, ap)
    elif fn in ("exp", "expm1", "sinh", "cosh"):
        x = N.call("min", [x, c(700.0)], F64, ap)
    return x


def _bounded_period(x):
    """An approximate argument of sin/cos/tan clamped to [-64, 64]: their condition number
    grows with |x|, so a few ulps of x ** 6 near 1e11 (a product in ember, pow in CPython)
    would become a difference in the sixth digit.  The clamp adds no rounding."""
    c = lambda v: N.const(v, F64)  # noqa: E731
    ap = x.fz.approx
    return N.call("max", [c(-64.0), N.call("min", [c(64.0), x], F64, ap)], F64, ap)


MATH_APPROX = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
               "expm1", "log", "log2", "log10", "log1p", "erf", "erfc", "gamma", "lgamma",
               "degrees", "radians")
MATH_EXACT = ("sqrt", "fabs")
MATH_BINARY_APPROX = ("atan2", "hypot", "pow")


@MATH.expr(is_(F64), weight=3)
def math_call(g: Generator, want, depth: int, exact: bool):
    r = g.rng.random()
    if r < 0.3 or exact:
        fn = g.pick(MATH_EXACT + ("copysign", "fmod"))
        if fn in ("copysign", "fmod"):
            x = g.scalar(F64, depth, exact=exact or fn == "fmod")
            y = g.scalar(F64, depth, exact=True)
            node = N.call(f"math.{fn}", [x, y], F64, x.fz.approx)
        else:
            x = g.scalar(F64, depth, exact)
            if fn == "sqrt" and g.chance(0.7):
                x = N.call("abs", [x], F64, x.fz.approx)
            node = N.call(f"math.{fn}", [x], F64, x.fz.approx)
    elif r < 0.8:
        fn = g.pick(MATH_APPROX)
        x = g.scalar(F64, depth)
        if g.chance(0.7):
            x = _in_domain(fn, x)
        if fn in ("sin", "cos", "tan") and x.fz.approx:
            x = _bounded_period(x)
        node = N.call(f"math.{fn}", [x], F64, 1)
    else:
        fn = g.pick(MATH_BINARY_APPROX)
        args = [g.scalar(F64, depth) for _ in range(2)]
        if fn == "pow" and g.chance(0.7):
            args[0] = N.call("abs", [args[0]], F64, args[0].fz.approx)
        node = N.call(f"math.{fn}", args, F64, 1)
    node.ref_call = "_m"
    return node


@MATH.expr(is_(F64), weight=1)
def float_pow(g: Generator, want, depth: int, exact: bool):
    if exact or g.fn.no_raise:      # 0.0 ** -1 raises ZeroDivisionError
        return None
    base = g.scalar(F64, depth)
    if g.chance(0.6):
        k = g.pick((2, 3, 4, -1, -2, 0.5, 2.0, 3.0, 1.5, -0.5, 0, 6))
        if N.foldable(base) and isinstance(k, float) and not k.is_integer():
            # CPython folds constant ** constant: a negative base would become a complex
            # constant in the bytecode
            k = 3
        exp = N.const(k, I64 if isinstance(k, int) else F64)
    else:
        exp = g.scalar(F64, depth)
        if N.foldable(base) and N.foldable(exp):
            exp = N.const(2, I64)
    node = N.binop(base, "**", exp, F64, 1)
    node.ref_binop = ("_fpow",)
    return node


@MATH.expr(is_(F64), weight=1)
def math_constant(g: Generator, want, depth: int, exact: bool):
    return N.ann(N.attr("math", g.pick(("pi", "e", "inf", "nan", "tau"))), F64)


# ---- bools -----------------------------------------------------------------------------------

def _comparable_kind(g: Generator) -> Scalar:
    return scalar_kind(g) if g.chance(0.85) else g.pick((I64, F64))


def _operand(g: Generator, kind: Scalar, depth: int, mixed_with_float: bool):
    x = g.scalar(kind, depth, exact=True)
    if kind is I64 and mixed_with_float:
        N.add_ref(x, "_i2f")
    return x


@BOOLS.expr(is_(BOOL), weight=5)
def comparison(g: Generator, want, depth: int, exact: bool):
    kind = _comparable_kind(g)
    other = kind
    if kind in (I64, F64) and g.chance(0.1):
        other = F64 if kind is I64 else I64
    mixed = kind is not other
    ops = ("<", "<=", ">", ">=", "==", "!=")
    if g.chance(0.25):   # chained: a < b <= c
        left = _operand(g, kind, depth, mixed)
        mid = _operand(g, other, depth, mixed)
        right = _operand(g, kind, depth, mixed)
        node = N.compare(left, [g.pick(ops), g.pick(ops)], [mid, right])
    else:
        left = _operand(g, kind, depth, mixed)
        right = _operand(g, other, depth, mixed)
        node = N.compare(left, [g.pick(ops)], [right])
    if kind.is_small:
        # NumPy scalars compare to np.bool_, whose arithmetic is NumPy's (np.True_ + 0 is an
        # np.int64, and np.int64 // 0 is 0): a Python bool in the reference, as in ember
        N.add_ref(node, "_py")
    return node


@BOOLS.expr(is_(BOOL), weight=2)
def logic(g: Generator, want, depth: int, exact: bool):
    kind = g.pick(("not", "and", "or", "&", "|", "^", "=="))
    if kind == "not":
        src = g.scalar(g.weighted((BOOL, I64, F64), (3, 1, 1)), depth, exact=True)
        return N.unary("not", src, BOOL)
    a, b = g.cond(depth), g.cond(depth)
    if kind in ("and", "or"):
        return N.boolop(kind, [a, b], BOOL)
    if kind == "==":
        return N.compare(a, ["=="], [b])
    return N.binop(a, kind, b, BOOL)


@BOOLS.expr(is_(BOOL), weight=1)
def float_predicate(g: Generator, want, depth: int, exact: bool):
    fn = g.pick(("math.isnan", "math.isinf", "math.isfinite", "bool"))
    kind = g.pick((I64, F64)) if fn == "bool" else F64
    return N.call(fn, [g.scalar(kind, depth, exact=True)], BOOL)


# ---- gcd, lcm, divmod, complex (issue 8) ----------------------------------------------------

def divmod_call(g: Generator, kind: Scalar, depth: int):
    """divmod(a, b) of ints or exact floats; the divisor made non-zero where raising is not
    allowed."""
    a = g.scalar(kind, depth, exact=True)
    b = g.scalar(kind, depth, exact=True)
    if g.fn.no_raise:
        b = N.binop(b, "|", N.const(1, I64), I64) if kind is I64 else _nonzero_float(g, b)
    return N.call("divmod", [a, b], TupleT((kind, kind)))


@INT.expr(is_(I64), weight=1)
def gcd_lcm_divmod(g: Generator, want, depth: int, exact: bool):
    form = g.pick(("math.gcd", "math.lcm", "divmod"))
    if form == "divmod":
        node = N.subscript(divmod_call(g, I64, depth), N.raw_int(g.rng.randrange(2)), I64)
        return _ck(node)
    args = [g.scalar(I64, depth) for _ in range(g.weighted((2, 3), (4, 1)))]
    return _ck(N.call(form, args, I64))


@FLOAT.expr(is_(F64), weight=0.5)
def float_divmod(g: Generator, want, depth: int, exact: bool):
    return N.subscript(divmod_call(g, F64, depth), N.raw_int(g.rng.randrange(2)), F64)


@MATH.expr(is_(F64), weight=0.5)
def complex_parts(g: Generator, want, depth: int, exact: bool):
    x, y = g.scalar(F64, depth, exact), g.scalar(F64, depth, exact)
    z = N.call("complex", [x, y], None)
    part = g.pick(("real", "imag", "abs"))
    if part == "abs":
        if exact:
            return None
        return N.call("abs", [z], F64, 1)
    src = x if part == "real" else y
    return N.ann(ast.Attribute(value=z, attr=part, ctx=ast.Load()), F64, src.fz.approx)

"""Whole-array expressions: element-wise arithmetic between arrays (NumPy 2 promotion, and
broadcasting of a row against a 2-D array) and with Python scalars (weak, as in NumPy 2 and in
ember), comparisons giving bool arrays, unary minus, abs, ~, and NumPy's math functions."""
from __future__ import annotations

from .. import nodes as N
from ..fztypes import ArrayT, Scalar, join_approx, result_dtype
from ..generator import ArrayPattern, Generator, is_array_node
from ..registry import feature

I64, F64, F32, I32, BOOL = Scalar.I64, Scalar.F64, Scalar.F32, Scalar.I32, Scalar.BOOL
EXPRS = feature("array_exprs", "element-wise array arithmetic, comparisons, ufuncs", 0.8,
                requires=("arrays",))

# operand dtypes giving each result dtype, for the arithmetic operators + - *
ARITH_PAIRS = {
    F64: ((F64, F64), (F64, I64), (I64, F64), (F32, F64), (I32, F64), (F32, I64), (F64, BOOL)),
    F32: ((F32, F32), (F32, BOOL)),
    I64: ((I64, I64), (I64, I32), (I32, I64), (I64, BOOL)),
    I32: ((I32, I32), (I32, BOOL)),
}
APPROX_UFUNCS = ("sin", "cos", "exp", "log", "tanh", "arctan", "log1p")
EXACT_FLOAT_UFUNCS = ("sqrt", "floor", "ceil", "trunc", "abs")


def _is_array_of(dtypes):
    return lambda w: isinstance(w, ArrayPattern) and (w.dtype is None or w.dtype in dtypes)


def _operand_shape(g: Generator, shape):
    """A shape broadcasting to shape: the same, or the trailing row of a 2-D shape."""
    if len(shape) == 2 and g.chance(0.25):
        return shape[1:]
    return shape


def _scalar_operand(g: Generator, dtype: Scalar, depth: int, exact: bool):
    """A Python scalar operand for an array of dtype (weak: the array's dtype wins)."""
    if dtype.is_float:
        return g.scalar(F64, depth, exact)
    if dtype is I64:
        return g.scalar(I64, depth)
    if dtype is I32:
        return N.const(g.rng.randint(-100, 100), I64)
    return N.const(g.chance(0.5), BOOL)


def _operands(g: Generator, want: ArrayPattern, dtypes, depth: int, exact: bool):
    """(left, right, shape): an array of dtypes[0] and either an array of dtypes[1] that
    broadcasts to it or a Python scalar of its own kind (weak, so the array's dtype stays)."""
    ndim = want.ndim or (2 if g.chance(0.25) else 1)
    left = g.expr(ArrayPattern(dtypes[0], ndim, want.shape), depth, exact)
    if not is_array_node(left):
        return None
    shape = left.fz.type.shape
    if g.chance(0.3) and (want.dtype is None or dtypes[0] is want.dtype):
        right = _scalar_operand(g, dtypes[0], depth, exact)
    else:
        right = g.expr(ArrayPattern(dtypes[1], None, _operand_shape(g, shape)), depth, exact)
        if not is_array_node(right):
            return None
    if g.chance(0.3):
        left, right = right, left
    return left, right, shape


@EXPRS.expr(_is_array_of((F64, F32, I64, I32)), weight=5)
def arith(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    dtype = want.dtype or g.pick(tuple(ARITH_PAIRS))
    pair = g.pick(ARITH_PAIRS[dtype])
    if dtype is F64 and g.chance(0.2):
        op, pair = "/", g.pick(((I64, I64), (F64, F64), (I32, I64), (F64, I64)))
    elif dtype.is_float:
        op = g.weighted(("+", "-", "*", "/", "//", "%", "**"), (4, 4, 4, 2, 1, 1, 1))
    else:
        op = g.weighted(("+", "-", "*", "//", "%", "&", "|", "^"), (4, 4, 3, 1, 1, 1, 1, 1))
    if op in ("/", "//", "%", "**") and dtype is F32 and BOOL in pair:
        pair = (F32, F32)
    if op == "**":
        base = g.expr(ArrayPattern(dtype, want.ndim, want.shape), depth, exact)
        if not is_array_node(base) or base.fz.type.dtype is not dtype:
            return None
        k = g.pick((2, 3, 0.5, -1, 2.0))
        # a ** 2 is a square in NumPy and in ember; other powers are rounded differently
        approx = base.fz.approx if k in (2, 2.0) else max(1, base.fz.approx)
        kind = I64 if isinstance(k, int) else F64
        return N.binop(base, "**", N.const(k, kind), base.fz.type, approx)
    got = _operands(g, want, pair, depth, exact or op in ("//", "%"))
    if got is None:
        return None
    left, right, shape = got
    lt, rt = left.fz.type, right.fz.type
    ld = lt.dtype if isinstance(lt, ArrayT) else None
    rd = rt.dtype if isinstance(rt, ArrayT) else None
    if ld and rd:
        res = result_dtype(ld, rd)
    else:
        res = ld or rd
    if op == "/" and not res.is_float:
        res = F64
    if res is not dtype:
        return None
    approx = join_approx(left.fz.approx, right.fz.approx)
    if op in ("/", "//", "%") and approx:
        return None
    if ld and rd and len(lt.shape) < len(rt.shape):
        shape = rt.shape
    return N.binop(left, op, right, ArrayT(res, shape), approx)


@EXPRS.expr(_is_array_of((BOOL,)), weight=3)
def array_compare(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    dtype = g.pick((F64, I64, I32, F32, BOOL))
    got = _operands(g, ArrayPattern(None, want.ndim, want.shape), (dtype, dtype), depth, True)
    if got is None:
        return None
    left, right, shape = got
    if isinstance(right.fz.type, ArrayT) and isinstance(left.fz.type, ArrayT) and \
            len(right.fz.type.shape) > len(left.fz.type.shape):
        shape = right.fz.type.shape
    node = N.compare(left, [g.pick(("<", "<=", ">", ">=", "==", "!="))], [right])
    return N.ann(node, ArrayT(BOOL, shape))


@EXPRS.expr(_is_array_of((BOOL,)), weight=1)
def bool_logic(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    got = _operands(g, ArrayPattern(BOOL, want.ndim, want.shape), (BOOL, BOOL), depth, True)
    if got is None:
        return None
    left, right, shape = got
    if g.chance(0.2):
        arr = left if isinstance(left.fz.type, ArrayT) else right
        return N.unary("~", arr, arr.fz.type)
    return N.binop(left, g.pick(("&", "|", "^")), right, ArrayT(BOOL, shape))


@EXPRS.expr(_is_array_of((F64, F32, I64, I32)), weight=2)
def unary(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    dtype = want.dtype or g.pick((F64, I64))
    form = g.pick(("neg", "abs", "ufunc", "ufunc", "invert"))
    if form == "ufunc" and dtype.is_float:
        src_dtype = dtype if dtype is F32 or g.chance(0.6) else g.pick((I64, I32))
        src = g.expr(ArrayPattern(src_dtype, want.ndim, want.shape), depth, exact)
        if not is_array_node(src):
            return None
        if src_dtype is I32 and dtype is F64:
            pass
        elif src_dtype.is_int and dtype is not F64:
            return None
        exact_fn = g.chance(0.4)
        if src_dtype.is_int and exact_fn:
            name = "sqrt"
        else:
            name = g.pick(EXACT_FLOAT_UFUNCS if exact_fn else APPROX_UFUNCS)
        approx = src.fz.approx if exact_fn else max(src.fz.approx, 2 if dtype is F32 else 1)
        if exact and approx:
            return None
        t = ArrayT(dtype, src.fz.type.shape)
        return N.call(f"np.{name}", [src], t, approx)
    src = g.expr(ArrayPattern(dtype, want.ndim, want.shape), depth, exact)
    if not is_array_node(src) or src.fz.type.dtype is not dtype:
        return None
    t = src.fz.type
    if form == "neg":
        return N.unary("-", src, t, src.fz.approx)
    if form == "invert" and dtype.is_int:
        return N.unary("~", src, t)
    fn = g.pick(("abs", "np.abs"))
    return N.call(fn, [src], t, src.fz.approx)


@EXPRS.stmt(weight=1, where=("serial",))
def inplace(g: Generator, depth: int):
    """a op= array-or-scalar on a writable array (same-kind casting only)."""
    vs = [v for v in g.readable(lambda v: isinstance(v.type, ArrayT)) if v.writable and
          v.type.dtype in (F64, F32, I64, I32)]
    if not vs:
        return None
    v = g.pick(vs)
    t = v.type
    op = g.pick(("+", "-", "*"))
    if g.chance(0.5):
        value = _scalar_operand(g, t.dtype, 2, exact=not v.approx)
    else:
        dtype = t.dtype if g.chance(0.7) else {F64: F32, F32: F32, I64: I32, I32: I32}[t.dtype]
        value = g.expr(ArrayPattern(dtype, None, _operand_shape(g, t.shape)), 2,
                       exact=not v.approx)
        if not is_array_node(value) or value.fz.type.dtype is not dtype:
            return None
    target = N.store(v.name)
    return [N.augassign(target, op, value)]


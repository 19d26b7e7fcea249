"""Reductions: sum/prod/mean/min/max/any/all/argmin/argmax/std/var of whole arrays (as methods
and as np.* functions) and sum/prod/mean/min/max/any/all along an axis of a 2-D array.  Float
sums, products and means may add in another order than NumPy's pairwise summation, so they
are approximate; min/max/any/all/argmin/argmax and integer sums are exact."""
from __future__ import annotations

from .. import nodes as N
from ..fztypes import ArrayT, Scalar, float_kind_approx
from ..generator import ArrayPattern, Generator, is_array_node
from ..registry import feature

I64, F64, F32, I32, BOOL = Scalar.I64, Scalar.F64, Scalar.F32, Scalar.I32, Scalar.BOOL
REDUCE = feature("reductions", "whole-array and axis reductions", 0.8, requires=("arrays",))


def _result(fn: str, dtype: Scalar) -> tuple[Scalar, bool]:
    """(result kind, approximate?) of reduction fn over an array of dtype."""
    if fn in ("any", "all"):
        return BOOL, False
    if fn in ("argmin", "argmax"):
        return I64, False
    if fn in ("min", "max"):
        return dtype, False
    if fn in ("mean", "std", "var"):
        return F64 if dtype is not F32 else F32, True
    # sum, prod
    if dtype in (BOOL, I32, I64):
        return I64, False
    return dtype, True


WHOLE = ("sum", "prod", "mean", "min", "max", "any", "all", "argmin", "argmax", "std", "var")
WHOLE_WEIGHTS = (5, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1)
AXIS = ("sum", "prod", "mean", "min", "max", "any", "all")


def _reduce_node(g: Generator, src, fn: str, t, approx: int, axis=None):
    keywords = []
    args = []
    if axis is not None:
        if g.chance(0.5):
            keywords.append(N.kw("axis", N.raw_int(axis)))
        else:
            args.append(N.raw_int(axis))
    if g.chance(0.3) and fn not in ("argmin", "argmax", "std", "var"):
        node = N.call(f"np.{fn}", [src, *args], t, approx, keywords)
    else:
        node = N.method(src, fn, args, t, approx, keywords)
    if fn in ("min", "max") and src.fz.type.dtype in (F64, F32):
        node.ref_call = "_zext"  # which zero a tie of 0.0 and -0.0 gives is unspecified
    return node


@REDUCE.expr(lambda w: w in (I64, F64, F32, I32, BOOL), weight=3)
def whole(g: Generator, want: Scalar, depth: int, exact: bool):
    fns = [(fn, w) for fn, w in zip(WHOLE, WHOLE_WEIGHTS)]
    for _ in range(4):
        fn = g.weighted([f for f, _ in fns], [w for _, w in fns])
        dtype = g.pick((F64, F32, I64, I32, BOOL))
        kind, approx = _result(fn, dtype)
        if kind is not want:
            continue
        if approx and exact:
            continue
        if fn in ("std", "var") and dtype is BOOL:
            continue
        src = g.expr(ArrayPattern(dtype), depth, exact=True if not approx else False)
        if not is_array_node(src):
            return None
        level = max(src.fz.approx, float_kind_approx(kind) if approx else 0)
        if exact and level:
            return None
        node = _reduce_node(g, src, fn, kind, level)
        if kind in (I64, F64, BOOL):
            N.add_ref(node, "_py")
        return node
    return None


@REDUCE.expr(lambda w: isinstance(w, ArrayPattern) and w.ndim in (None, 1) and
             w.shape is None, weight=1)
def along_axis(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    fn = g.pick(AXIS)
    dtype = g.pick((F64, F32, I64, I32, BOOL))
    kind, approx = _result(fn, dtype)
    if want.dtype is not None and kind is not want.dtype:
        return None
    src = g.expr(ArrayPattern(dtype, 2), depth, exact)
    if not is_array_node(src):
        return None
    axis = g.rng.randrange(2)
    shape = (src.fz.type.shape[1 - axis],)
    level = max(src.fz.approx, float_kind_approx(kind) if approx else 0)
    if exact and level:
        return None
    return _reduce_node(g, src, fn, ArrayT(kind, shape), level, axis=axis)

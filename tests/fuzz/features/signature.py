"""The signatures of generated functions: parameter types (scalars, and arrays with symbolic
shapes), return types, and the decorator's options -- drawn according to the program's
features.  Not a feature itself: the generator calls it to start each function."""
from __future__ import annotations

from ..fztypes import ARRAY_DTYPES, ArrayT, Dim, Scalar, TupleT
from ..generator import ArrayPattern, Generator

BASIC = (Scalar.I64, Scalar.F64, Scalar.BOOL)
BASIC_WEIGHTS = (5, 5, 1)


def scalar_kind(g: Generator, small_ok: bool = True) -> Scalar:
    if small_ok and g.has("small_scalars") and g.chance(0.15):
        return g.pick((Scalar.F32, Scalar.I32, Scalar.U8))
    return g.weighted(BASIC, BASIC_WEIGHTS)


def array_dtype(g: Generator) -> Scalar:
    return g.weighted(ARRAY_DTYPES, (5, 2, 4, 2, 1))


def _array_param(g: Generator, symbols: list[str]) -> ArrayT:
    """An array parameter whose axes have lengths among symbols (each axis its own symbol
    when symbols has one per axis)."""
    ndim = 2 if g.chance(0.3) else 1
    if len(symbols) == 1:
        shape = tuple(Dim(f"{symbols[0]}_{axis}") for axis in range(ndim))
    else:
        shape = tuple(Dim(g.pick(symbols)) for _ in range(ndim))
    return ArrayT(array_dtype(g), shape)


def return_type(g: Generator, helper: bool):
    r = g.rng.random()
    if g.has("arrays") and r < 0.2:
        return ArrayPattern(array_dtype(g), 2 if g.chance(0.25) else 1)
    if g.has("tuples") and r < (0.45 if not helper else 0.35):
        n = g.rng.randint(2, 3 if helper else 4)
        items = []
        for _ in range(n):
            if g.has("arrays") and not helper and g.chance(0.2):
                items.append(ArrayPattern(array_dtype(g), 1))
            else:
                items.append(scalar_kind(g))
        return TupleT(tuple(items))
    return scalar_kind(g)


def entry_signature(g: Generator):
    symbols = ["n0", "n1"] if g.chance(0.5) else ["n0"]
    g.shape_symbols = symbols
    params = []
    n = g.rng.randint(1, 4)
    for k in range(n):
        if g.has("arrays") and g.chance(0.45):
            params.append((f"a{k}", _array_param(g, symbols)))
        else:
            params.append((f"x{k}", scalar_kind(g)))
    options = {}
    if g.has("prange"):
        options["parallel"] = True
    if g.has("boundscheck") or (g.has("arrays") and g.chance(0.1)):
        options["boundscheck"] = True
    return params, return_type(g, helper=False), options


def helper_signature(g: Generator, k: int):
    params = []
    for j in range(g.rng.randint(1, 3)):
        if g.has("arrays") and g.chance(0.3):
            params.append((f"b{j}", _array_param(g, [f"m{k}{j}"])))
        else:
            params.append((f"y{j}", scalar_kind(g)))
    options = {"boundscheck": True} if g.chance(0.1) else {}
    return params, return_type(g, helper=True), options

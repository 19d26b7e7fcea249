"""Values: the literals generated code uses, and the input sets a program is called with.

An input value is a small JSON-friendly dict (``spec``) that can be built into the Python value
(``build``) and written as Python source (``source``) for reproducers.  Floats travel as their
``repr`` so that nan, inf and -0.0 survive JSON.  Arrays are built C-contiguous and then put
into their layout: C, F (2-D), strided (a view taking every other element of a larger array)
or reversed (negative strides); the values are the same whatever the layout.

Edge values are deliberately frequent: 0, -1, int64's extremes, 2**53 + 1, nan, +-inf, -0.0,
the smallest subnormal, 1e300, and empty arrays (a shape symbol drawn as 0).  Array elements are
small multiples of 1/4 (plus nan/inf/-0.0): sums of them are exact in any order, so a
reordered reduction agrees with NumPy's unless the program itself made the values inexact.
"""
from __future__ import annotations

import math
import random

import numpy as np

from .fztypes import INT64_MAX, INT64_MIN, ArrayT, Scalar

I64_EDGES = [0, 1, -1, 2, 3, -7, 10, 100, 255, 2**31 - 1, -(2**31), 2**53 + 1, 2**62,
             -(2**62), INT64_MAX, INT64_MIN]
F64_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -2.5, 0.1, 3.0, 1e300, -1e300, 1e-300, 5e-324,
             math.inf, -math.inf, math.nan, 2.0**53, 1e16, -0.3]
I32_EDGES = [0, 1, -1, 7, 100, 65536, 2**31 - 1, -(2**31)]
U8_EDGES = [0, 1, 7, 128, 200, 255]
F32_EDGES = [0.0, -0.0, 1.5, -2.5, 0.1, 3.0, 1e30, math.inf, math.nan]


def literal(rng: random.Random, kind: Scalar):
    """A constant for generated code: usually small, sometimes an edge value."""
    edge = rng.random() < 0.15
    if kind is Scalar.BOOL:
        return rng.random() < 0.5
    if kind is Scalar.I64:
        return rng.choice(I64_EDGES) if edge else rng.randint(-8, 12)
    if kind is Scalar.F64:
        return rng.choice(F64_EDGES) if edge else rng.randint(-40, 40) / 4
    if kind is Scalar.F32:
        return rng.choice(F32_EDGES) if edge else rng.randint(-40, 40) / 4
    if kind is Scalar.I32:
        return rng.choice(I32_EDGES) if edge else rng.randint(-8, 12)
    if kind is Scalar.U8:
        return rng.choice(U8_EDGES) if edge else rng.randint(0, 12)
    raise TypeError(kind)


# ---- input specs ---------------------------------------------------------------------------

def _scalar_value(rng: random.Random, kind: Scalar, edgy: bool):
    if kind is Scalar.BOOL:
        return rng.random() < 0.5
    if kind is Scalar.I64:
        if edgy and rng.random() < 0.5:
            return rng.choice(I64_EDGES)
        return rng.choice([rng.randint(-10, 10), rng.randint(-1000, 1000)])
    if kind is Scalar.F64:
        if edgy and rng.random() < 0.5:
            return rng.choice(F64_EDGES)
        return rng.choice([rng.randint(-40, 40) / 4, round(rng.uniform(-100, 100), 6)])
    if kind is Scalar.F32:
        return float(np.float32(rng.choice(F32_EDGES) if edgy and rng.random() < 0.4
                                else rng.randint(-40, 40) / 4))
    if kind is Scalar.I32:
        return rng.choice(I32_EDGES) if edgy and rng.random() < 0.4 else rng.randint(-20, 20)
    if kind is Scalar.U8:
        return rng.choice(U8_EDGES) if edgy and rng.random() < 0.4 else rng.randint(0, 20)
    raise TypeError(kind)


def _element(rng: random.Random, dtype: Scalar, edgy: bool):
    special = edgy and rng.random() < 0.08
    if dtype is Scalar.BOOL:
        return rng.random() < 0.5
    if dtype in (Scalar.F64, Scalar.F32):
        if special:
            return rng.choice([math.nan, math.inf, -math.inf, -0.0, 2.0**40])
        return rng.randint(-64, 64) / 4
    if dtype is Scalar.I64:
        if special:
            return rng.choice([2**40, -(2**62), INT64_MAX, INT64_MIN, 0])
        return rng.randint(-20, 20)
    if dtype is Scalar.I32:
        if special:
            return rng.choice([2**31 - 1, -(2**31), 65536])
        return rng.randint(-20, 20)
    raise TypeError(dtype)


LAYOUTS_1D = ("C", "strided", "reversed")
LAYOUTS_2D = ("C", "F", "strided", "reversed")
SIZES = (0, 1, 2, 3, 4, 5, 7)


def input_sets(rng: random.Random, params: list, symbols: list[str], count: int = 4):
    """count input sets for the given (name, type) parameters; the first is typical, the
    others lean on edge values; every array parameter keeps one layout in all sets (each
    layout is another compilation)."""
    layouts = {}
    for name, t in params:
        if isinstance(t, ArrayT):
            layouts[name] = rng.choice(LAYOUTS_2D if t.ndim == 2 else LAYOUTS_1D) \
                if rng.random() < 0.5 else "C"
    sets = []
    for k in range(count):
        edgy = k > 0
        sizes = {s: (rng.choice((2, 3, 4, 5)) if not edgy else rng.choice(SIZES))
                 for s in symbols}
        args = []
        for name, t in params:
            if isinstance(t, ArrayT):
                shape = [sizes.get(d.base, 3) if isinstance(d.base, str) else d.const
                         for d in t.shape]
                n = int(np.prod(shape)) if shape else 1
                vals = [_element(rng, t.dtype, edgy) for _ in range(n)]
                args.append({"k": "array", "dtype": t.dtype.value, "shape": shape,
                             "values": [_enc(v) for v in vals], "layout": layouts[name]})
            else:
                args.append({"k": t.value, "v": _enc(_scalar_value(rng, t, edgy))})
        sets.append(args)
    return sets


def _enc(v):
    return repr(float(v)) if isinstance(v, float) else v


def _dec(v, dtype: str):
    if dtype in ("float64", "float32"):
        return float(v)
    if dtype == "bool":
        return bool(v)
    return int(v)


def build(spec: dict):
    """The Python value of an input spec (a fresh object every call)."""
    k = spec["k"]
    if k == "array":
        dtype = spec["dtype"]
        flat = np.array([_dec(v, dtype) for v in spec["values"]], dtype=dtype)
        c = flat.reshape(spec["shape"])
        return _layout(c, spec["layout"])
    if k == "int64":
        return int(spec["v"])
    if k == "float64":
        return float(spec["v"])
    if k == "bool":
        return bool(spec["v"])
    return np.dtype(k).type(_dec(spec["v"], k))


def _layout(c: np.ndarray, layout: str) -> np.ndarray:
    if layout == "C":
        return c
    if layout == "F":
        return np.asfortranarray(c)
    if layout == "strided":
        big = c
        for axis in range(c.ndim):
            big = np.repeat(big, 2, axis=axis)
        return big[(slice(None, None, 2),) * c.ndim]
    if layout == "reversed":
        flip = (slice(None, None, -1),) * c.ndim
        return c[flip].copy()[flip]
    raise ValueError(layout)


def source(spec: dict) -> str:
    """Python source that builds the input spec's value (with np and math imported)."""
    k = spec["k"]
    if k == "array":
        vals = ", ".join(_float_src(float(v)) if spec["dtype"].startswith("float") else
                         repr(_dec(v, spec["dtype"])) for v in spec["values"])
        c = f"np.array([{vals}], dtype=np.{spec['dtype']}).reshape({tuple(spec['shape'])!r})"
        layout = spec["layout"]
        nd = len(spec["shape"])
        if layout == "C":
            return c
        if layout == "F":
            return f"np.asfortranarray({c})"
        if layout == "strided":
            big = c
            for axis in range(nd):
                big = f"np.repeat({big}, 2, axis={axis})"
            return f"{big}[{', '.join(['::2'] * nd)}]"
        flip = ", ".join(["::-1"] * nd)
        return f"{c}[{flip}].copy()[{flip}]"
    if k == "float64":
        return _float_src(float(spec["v"]))
    if k in ("int64", "bool"):
        return repr(build(spec))
    inner = _float_src(float(spec["v"])) if k == "float32" else repr(int(spec["v"]))
    return f"np.{k}({inner})"


def _float_src(v: float) -> str:
    if math.isnan(v):
        return "math.nan"
    if math.isinf(v):
        return "math.inf" if v > 0 else "-math.inf"
    return repr(v)

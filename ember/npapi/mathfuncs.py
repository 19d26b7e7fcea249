"""NumPy ufuncs ember has no array expression for, computed element by element with the C
library's function (as NumPy's loops do): arcsinh, arccosh, arctanh, copysign, hypot, fmod,
signbit, gcd, lcm, ldexp, float_power, nextafter, spacing, rint and around (round half to even); and
np.polynomial.polynomial's polyval, polyadd, polysub and polymul on 1-d coefficient arrays.
Two array operands are broadcast against each other as NumPy does.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..decorators import jit
from . import absent, overload, unsupported
from .shapes import _generate


@jit
def _rint(x):
    f = np.floor(x)
    d = x - f
    if d > 0.5 or (d == 0.5 and f % 2.0 != 0.0):
        return f + 1.0
    return f


@jit
def _signbit(x):
    return math.copysign(1.0, x) < 0


@jit
def _ldexp(x, n):
    # Two exact scalings by powers of two, so that 2**n itself may overflow or underflow
    # (ldexp(1e-300, 1100) is finite); a result in the subnormal range may be rounded twice.
    h = n // 2
    return x * 2.0 ** h * 2.0 ** (n - h)


@jit(error_model="numpy")  # 0.0 ** -1 is inf, as NumPy's loop gives
def _float_power(x, y):
    return np.float64(x) ** np.float64(y)


def _make_next(mant, emin):
    """nextafter and spacing for a binary float with `mant` fraction bits and least normal
    exponent `emin`, computed in float64 (exact for float32's values too): the step away from
    zero at |x| in [2**e, 2**(e+1)) is 2**(e - mant); toward zero it halves at a power of two
    (except at the least normal, where the subnormals' step continues)."""
    tiny = 2.0 ** (emin - mant)  # the least subnormal
    least_normal = 2.0 ** emin
    largest = (2.0 - 2.0 ** -mant) * 2.0 ** (-emin + 1) if mant == 52 else \
        float(np.finfo(np.float32).max)

    @jit
    def step(a, away):
        if a < least_normal:
            return tiny
        e = np.floor(np.log2(a))
        if 2.0 ** e > a:
            e -= 1.0
        elif 2.0 ** (e + 1.0) <= a:
            e += 1.0
        ulp = 2.0 ** (e - mant)
        if not away and a == 2.0 ** e and a > least_normal:
            return ulp / 2.0
        return ulp

    @jit
    def nextafter(x, y):
        x = np.float64(x)
        y = np.float64(y)
        if x != x or y != y:
            return x + y
        if x == y:
            return y
        if x == 0.0:
            return math.copysign(tiny, y)
        a = abs(x)
        if a == np.inf:
            return math.copysign(largest, x)
        away = (y > x) == (x > 0.0)
        s = step(a, away)
        return math.copysign(a + s if away else a - s, x)

    @jit
    def spacing(x):
        x = np.float64(x)
        if x != x or abs(x) == np.inf:
            return np.nan
        if x == 0.0:
            return tiny
        a = abs(x)
        if a == largest:
            return math.copysign(np.inf, x)
        return math.copysign(step(a, True), x)

    return nextafter, spacing


_nextafter64, _spacing64 = _make_next(52, -1022)
_nextafter32, _spacing32 = _make_next(23, -126)
_NEXT = {"nextafter64": _nextafter64, "spacing64": _spacing64, "nextafter32": _nextafter32,
         "spacing32": _spacing32}


_UNARY = {"arcsinh": "math.asinh", "arccosh": "math.acosh", "arctanh": "math.atanh",
          "rint": "rint", "signbit": "signbit", "spacing": "spacing{bits}"}
_BINARY = {"copysign": "math.copysign", "hypot": "math.hypot", "fmod": "math.fmod",
           "gcd": "math.gcd", "lcm": "math.lcm", "ldexp": "ldexp", "float_power": "float_power",
           "nextafter": "nextafter{bits}"}
_INTEGER = {"gcd", "lcm"}


@lru_cache(None)
def _elementwise(fn, shapes, dtype):
    """fn over the operands; shapes: 'a' array or 's' number per operand."""
    names = ["x", "y"][:len(shapes)]
    args = [f"{n}f[i]" if s == "a" else n for n, s in zip(names, shapes)]
    call = f"dt({fn}({', '.join(args)}))"
    if "a" not in shapes:
        return _generate("impl", f"def impl({', '.join(names)}):\n    return {call}\n",
                         math=math, rint=_rint, signbit=_signbit, ldexp=_ldexp,
                         float_power=_float_power, dt=np.dtype(dtype).type, **_NEXT)
    first = names[shapes.index("a")]
    lines = [f"def impl({', '.join(names)}):"]
    if shapes == ("a", "a"):  # np.where broadcasts each against the other
        lines += ["    xb = np.where(True, x, y)", "    yb = np.where(True, y, x)",
                  "    xf = xb.ravel()", "    yf = yb.ravel()"]
    else:
        lines += [f"    {n}f = {n}.ravel()" for n, s in zip(names, shapes) if s == "a"]
    shape = "xb.shape" if shapes == ("a", "a") else f"{first}.shape"
    lines += [f"    out = np.empty({first}f.shape[0], dt)",
              f"    for i in range({first}f.shape[0]):", f"        out[i] = {call}",
              f"    return out.reshape({shape})"]
    return _generate("impl", "\n".join(lines) + "\n", math=math, rint=_rint, signbit=_signbit,
                     ldexp=_ldexp, float_power=_float_power, dt=np.dtype(dtype).type,
                     **_NEXT)


def _register(name, fn, nargs):
    fname = f"np.{name}"

    def select(*ops, out=None, where=None):
        if not absent(out) or not absent(where):
            unsupported(fname, "out= and where=")
        for op in ops:
            if op is None or not (op.is_array or op.is_number) or op.dtype.kind == "c":
                unsupported(fname, f"an operand of type {op}")
        kinds = {op.dtype.kind for op in ops}
        if name in _INTEGER:
            if not kinds <= set("iu"):
                unsupported(fname, "non-integer operands")
            dtype = np.result_type(*[op.dtype for op in ops])
        elif name == "signbit":
            dtype = np.dtype(np.bool_)
        elif name == "float_power":
            dtype = np.dtype(np.float64)
        elif name == "ldexp":
            if ops[1].dtype.kind not in "iu":
                unsupported(fname, "a non-integer exponent")
            dtype = np.result_type(ops[0].dtype, np.float16)
            if dtype.kind != "f" or dtype == np.float16:
                dtype = np.dtype(np.float64)
        else:
            dtype = np.result_type(*[op.dtype for op in ops], np.float16)
            if dtype.kind != "f" or dtype == np.float16:
                dtype = np.dtype(np.float64)
        shapes = tuple("a" if op.is_array else "s" for op in ops)
        call = fn.format(bits=32 if dtype == np.float32 else 64)
        return _elementwise(call, shapes, dtype), ("x", "y")[:nargs]

    if nargs == 1:
        def selector(x, out=None, where=None):
            impl, _ = select(x, out=out, where=where)
            return impl, ("x",)
    else:
        def selector(x1, x2, out=None, where=None):
            impl, _ = select(x1, x2, out=out, where=where)
            return impl, ("x1", "x2")
    overload(getattr(np, name))(selector)


for _name, _fn in _UNARY.items():
    _register(_name, _fn, 1)
for _name, _fn in _BINARY.items():
    _register(_name, _fn, 2)


@lru_cache(None)
def _around_impl(is_array):
    if is_array:
        @jit
        def around(a, decimals):
            flat = a.ravel()
            out = np.empty(flat.shape[0], np.float64)
            scale = 10.0 ** abs(decimals)
            for i in range(flat.shape[0]):
                x = np.float64(flat[i])
                out[i] = (_rint(x * scale) / scale if decimals >= 0
                          else _rint(x / scale) * scale)
            return out.reshape(a.shape)
        return around

    @jit
    def around_scalar(a, decimals):
        scale = 10.0 ** abs(decimals)
        x = np.float64(a)
        return _rint(x * scale) / scale if decimals >= 0 else _rint(x / scale) * scale
    return around_scalar


@overload(np.around)
def around(a, decimals=None, out=None):
    if a is None or not (a.is_array or a.is_number) or a.dtype != np.float64:
        unsupported("np.around", f"an operand of type {a} (float64 numbers and arrays are)")
    if not absent(out):
        unsupported("np.around", "out=")
    impl = _around_impl(a.is_array)
    if absent(decimals):
        from .shapes import _wrap
        return _wrap(impl, "a", "a, 0"), ("a",)
    return impl, ("a", "decimals")


# ---- np.polynomial.polynomial ---------------------------------------------------------------

P = np.polynomial.polynomial


@jit
def _polyval_scalar(x, c):
    r = c[c.shape[0] - 1] * 1.0
    for k in range(c.shape[0] - 2, -1, -1):
        r = r * x + c[k]
    return r


@jit
def _polyval_array(x, c):
    flat = x.ravel()
    out = np.empty(flat.shape[0], np.float64)
    for i in range(flat.shape[0]):
        out[i] = _polyval_scalar(np.float64(flat[i]), c)
    return out.reshape(x.shape)


@overload(P.polyval, "np.polynomial.polynomial.polyval")
def polyval(x, c, tensor=None):
    if c is None or not c.is_array or c.ndim != 1 or c.dtype.kind == "c":
        unsupported("np.polynomial.polynomial.polyval", f"coefficients of type {c}")
    if x.is_array:
        return _polyval_array, ("x", "c")
    return _polyval_scalar, ("x", "c")


@lru_cache(None)
def _poly_binary(op, dtype):
    dt = np.dtype(dtype).type
    if op == "mul":
        body = ("out = np.zeros(a.shape[0] + b.shape[0] - 1, dt)\n"
                "    for i in range(a.shape[0]):\n        for j in range(b.shape[0]):\n"
                "            out[i + j] += a[i] * b[j]\n")
    else:
        sign = "+" if op == "add" else "-"
        body = ("out = np.zeros(max(a.shape[0], b.shape[0]), dt)\n"
                "    out[:a.shape[0]] += a\n"
                f"    out[:b.shape[0]] {sign}= b\n")
    trim = ("    n = out.shape[0]\n    while n > 1 and out[n - 1] == 0:\n        n -= 1\n"
            "    return out[:n].copy()\n")
    return _generate("impl", f"def impl(a, b):\n    {body}{trim}", dt=dt)


def _poly_register(name, op):
    fname = f"np.polynomial.polynomial.{name}"

    def select(c1, c2):
        for c in (c1, c2):
            if c is None or not c.is_array or c.ndim != 1 or c.dtype.kind == "c":
                unsupported(fname, f"coefficients of type {c}")
        dt = np.result_type(c1.dtype, c2.dtype, np.float64)
        return _poly_binary(op, dt), ("c1", "c2")
    overload(getattr(P, name), fname)(select)


_poly_register("polyadd", "add")
_poly_register("polysub", "sub")
_poly_register("polymul", "mul")

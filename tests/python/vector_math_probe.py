"""Run by test_vector_math.py in a fresh interpreter (EMBER_VECTOR_MATH picks the library):
compiles a loop per vector math function and dtype, checks that the loop calls a vector
function, and measures the largest distance in ulps from the C library's scalar result over
wide input ranges and special values.  Prints one JSON object."""
import ctypes
import ctypes.util
import json
import math
import re
import sys

import numpy as np

import ember

LIBM = ctypes.CDLL(ctypes.util.find_library("m"))

# name in ember/vmath.h -> (the expression compiled code uses, arity)
FUNCTIONS = {
    "exp": ("np.exp(x[i])", 1), "log": ("np.log(x[i])", 1), "log2": ("np.log2(x[i])", 1),
    "log10": ("np.log10(x[i])", 1), "log1p": ("np.log1p(x[i])", 1),
    "expm1": ("np.expm1(x[i])", 1), "sin": ("np.sin(x[i])", 1), "cos": ("np.cos(x[i])", 1),
    "tan": ("np.tan(x[i])", 1), "asin": ("np.arcsin(x[i])", 1), "acos": ("np.arccos(x[i])", 1),
    "atan": ("np.arctan(x[i])", 1), "sinh": ("np.sinh(x[i])", 1), "cosh": ("np.cosh(x[i])", 1),
    "tanh": ("np.tanh(x[i])", 1), "cbrt": ("np.cbrt(x[i])", 1), "erf": ("math.erf(x[i])", 1),
    "atan2": ("np.arctan2(x[i], y[i])", 2), "pow": ("x[i] ** y[i]", 2),
    "hypot": ("math.hypot(x[i], y[i])", 2),
}


def libm(name, single):
    fn = getattr(LIBM, name + ("f" if single else ""))
    t = ctypes.c_float if single else ctypes.c_double
    fn.restype = t
    fn.argtypes = [t] * FUNCTIONS[name][1]
    return fn


def samples(dtype, rng):
    """Wide ranges on a log scale, both signs, and the special values."""
    big = 300 if dtype == np.float64 else 36
    mags = 10.0 ** rng.uniform(-big, big, 6000)
    near = rng.uniform(-12, 12, 6000)
    unit = rng.uniform(-1, 1, 2000)
    x = np.concatenate([mags * rng.choice([-1, 1], mags.size), near, unit])
    info = np.finfo(dtype)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, float(info.tiny),
               float(info.tiny) / 4, float(info.max), -float(info.max), math.pi, math.pi / 2,
               710.0, -745.0, 88.7, -103.0, 1e-300, 2.0**60]
    with np.errstate(over="ignore"):
        return np.concatenate([np.array(special), x]).astype(dtype)


def ordered(a):
    """Float bits mapped to integers in the floats' order (so ulps are differences)."""
    bits = a.view(np.int64 if a.dtype == np.float64 else np.int32).astype(np.int64)
    top = np.int64(np.iinfo(np.int64).min if a.dtype == np.float64 else np.iinfo(np.int32).min)
    return np.where(bits < 0, top - bits, bits)


def max_ulps(got, want):
    both_nan = np.isnan(got) & np.isnan(want)
    one_nan = np.isnan(got) ^ np.isnan(want)
    d = np.abs(ordered(got) - ordered(want)).astype(np.float64)
    d[both_nan] = 0
    d[one_nan] = np.inf
    worst = int(np.argmax(d))
    return float(d[worst]), worst


def main():
    rng = np.random.default_rng(2026)
    out = {}
    for name, (expr, arity) in FUNCTIONS.items():
        params = "x, out" if arity == 1 else "x, y, out"
        src = (f"def loop({params}):\n    for i in range(x.shape[0]):\n"
               f"        out[i] = {expr}\n")
        env = {"np": np, "math": math}
        exec(src, env)
        loop = ember.jit(env["loop"], error_model="numpy")
        for dtype in (np.float64, np.float32):
            single = dtype == np.float32
            x = samples(dtype, rng)
            args = [x]
            if arity == 2:
                y = rng.permutation(samples(dtype, rng))
                if name == "pow":  # exponents people use, and the special ones
                    y[: x.size // 2] = rng.uniform(-8, 8, x.size // 2).astype(dtype)
                args.append(y)
            got = np.empty_like(x)
            loop(*args, got)
            ref = libm(name, single)
            want = np.array([ref(*(float(a[k]) for a in args)) for k in range(x.size)], dtype)
            ulps, worst = max_ulps(got, want)
            ir = loop.inspect_llvm(loop.signatures[-1])
            calls = sorted(set(re.findall(r"@(ember_v\w+|_ZGV\w+)", ir)))
            out[f"{name}/{dtype.__name__}"] = {
                "ulps": ulps, "at": [float(a[worst]) for a in args],
                "got": float(got[worst]), "want": float(want[worst]), "calls": calls}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

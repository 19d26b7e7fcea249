"""Golden typed IR: ``f.inspect_types()`` output of small sample functions compiled for
concrete argument types, compared with tests/golden/typed/py3XX/<name>.txt for the running
interpreter: the blocks follow the bytecode's, which each CPython version lays out its own way
(3.12 copies the `return` after a `while True: ... break` into the loop, for one).  Source line
numbers in the output (``# 12: y = x + 1``) are made relative to the function's first line
(``# +2:``).  A version with no recorded goldens skips and says so.

With ``EMBER_BLESS=1`` in the environment the tests rewrite the files instead of comparing;
review the diff before committing it.
"""
import io
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import ember

PY = f"py{sys.version_info.major}{sys.version_info.minor}"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "typed" / PY
BLESS = os.environ.get("EMBER_BLESS", "") not in ("", "0")


@ember.jit
def scalar_arith(a, b):
    c = a * b + 1
    return c / 2 - a // b


@ember.jit
def range_store(out, x):
    for i in range(out.shape[0]):
        out[i] = x * i


@ember.jit
def while_break(n):
    i = 0
    while True:
        if i * i > n:
            break
        i += 1
    return i


@ember.jit
def tuple_return(a, b):
    return b, a, a + b


@ember.jit
def optional_return(x):
    if x > 0:
        return x
    return None


@ember.jit
def callee(x, y=2):
    return x * y


@ember.jit
def calls_other(x):
    return callee(x) + callee(x, y=3)


@ember.jit
def recursive(n):
    if n < 2:
        return n
    return recursive(n - 1) + recursive(n - 2)


@ember.jit
def array_sum_2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j]
    return s


@ember.jit
def make_array(n):
    a = np.zeros(n, dtype=np.float32)
    a[0] = 1
    return a


SAMPLES = {
    "scalar_arith": (scalar_arith, (3, 4.0)),
    "range_store": (range_store, (np.zeros(4), 1.5)),
    "while_break": (while_break, (10,)),
    "tuple_return": (tuple_return, (1, 2.5)),
    "optional_return": (optional_return, (1,)),
    "calls_other": (calls_other, (2,)),
    "recursive": (recursive, (10,)),
    "array_sum_2d": (array_sum_2d, (np.zeros((2, 3)),)),
    "make_array": (make_array, (3,)),
}


def typed_ir(f, args):
    """f's typed IR for these arguments, with source line numbers made relative to the
    function's first line (so that editing this file above a sample keeps its golden file)."""
    f(*args)
    out = io.StringIO()
    f.inspect_types(file=out)
    first = f.py_func.__code__.co_firstlineno
    return re.sub(r"^(\s*# )(\d+):", lambda m: f"{m[1]}+{int(m[2]) - first}:",
                  out.getvalue(), flags=re.MULTILINE)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_golden_typed_ir(name):
    f, args = SAMPLES[name]
    text = typed_ir(f, args)
    path = GOLDEN / f"{name}.txt"
    if BLESS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    if not GOLDEN.is_dir():
        pytest.skip(f"no typed-IR goldens recorded for {PY}; EMBER_BLESS=1 records them")
    assert path.exists(), f"{path} is missing; run with EMBER_BLESS=1 to create it"
    expected = path.read_text()
    assert text == expected, (f"typed IR of {name} changed; if intended, rerun with "
                              f"EMBER_BLESS=1 and review the diff of {path}")


def test_typed_ir_is_deterministic():
    @ember.jit
    def f(a, b):
        return a + b

    first = typed_ir(f, (1, 2))

    @ember.jit
    def f(a, b):  # noqa: F811 - the same function again, compiled anew
        return a + b

    assert typed_ir(f, (1, 2)) == first

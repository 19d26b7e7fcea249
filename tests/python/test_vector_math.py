"""Vector math in compiled loops: every function of ember's xsimd library (runtime/vmath) is
called by the vectorized loop and stays within 4 ulp of the C library over wide ranges and the
special values; the default set-up (libmvec first) vectorizes the same loops.

The library is chosen when the compiler session starts, so each set-up runs
vector_math_probe.py in its own interpreter."""
import ctypes.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

PROBE = pathlib.Path(__file__).with_name("vector_math_probe.py")
FUNCTIONS = ("exp log log2 log10 log1p expm1 sin cos tan asin acos atan sinh cosh tanh cbrt erf "
             "atan2 pow hypot").split()


def probe(library):
    env = dict(os.environ, EMBER_VECTOR_MATH=library)
    run = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def ember_library():
    return probe("ember")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_ember_library_is_called_and_within_4_ulp(ember_library, name, dtype):
    r = ember_library[f"{name}/{dtype}"]
    lanes_tag = "f64x" if dtype == "float64" else "f32x"
    assert any(c.startswith(f"ember_v{name}_{lanes_tag}") for c in r["calls"]), r["calls"]
    assert r["ulps"] <= 4, (f"{name}({r['at']}) = {r['got']}, the C library gives {r['want']}: "
                            f"{r['ulps']} ulp")


@pytest.mark.skipif(not ctypes.util.find_library("mvec"), reason="this machine has no libmvec")
def test_default_set_up_vectorizes_every_function():
    results = probe("auto")
    for name in FUNCTIONS:
        for dtype in ("float64", "float32"):
            r = results[f"{name}/{dtype}"]
            assert r["calls"], f"{name}/{dtype}: the loop calls no vector function"
            assert r["ulps"] <= 4, (name, dtype, r)

"""``x ** k`` for a constant k (issue 8, item 5): multiplies instead of a pow call.

* Float bases, k an integer-valued constant (``3``, ``3.0``, ``-2``) with |k| <= 16: repeated
  squaring (a reciprocal for negative k), within |k| ulp of the exact power and |k| + 1 ulp of
  CPython's and NumPy's pow (their own error is under one ulp); correctly rounded for k = 0, 1,
  2, -1, where NumPy is too (it squares and takes reciprocals); equal to both on special
  values.  Beyond 16, pow.
* ``x ** 0.5``: a square root; scalars keep pow's special cases (``(-0.0) ** 0.5 == 0.0``,
  ``(-inf) ** 0.5 == inf``), whole arrays are NumPy's ``np.sqrt`` (its fast path for 0.5).
* Integer bases with a constant k >= 0: multiplies in the integer's width, wrapping as before;
  a negative k keeps the general integer power (and its ZeroDivisionError).
* The loops vectorize and call no pow (LLVM IR; and packed multiplies on x86-64).
"""
import math
import platform
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

import ember

INT_EXPONENTS = list(range(-16, 17))
FLOAT_EXPONENTS = [3.0, -2.0, 6.0, 8.0, 12.0]
EXACT = {0, 1, 2, -1}  # one rounding at most: correctly rounded


def tolerance(k):
    """ulp from the exact power: at most one per multiply (|k| - 1 of them) and one for the
    reciprocal; add one against pow, whose own error is below one ulp."""
    return 0 if k in EXACT else abs(k)


def exact_power(x, k):
    """x ** k correctly rounded to float64 (k an integer)."""
    return float(Fraction(float(x)) ** int(k))


def ulp_distance(a, b):
    """Elementwise distance in units in the last place (same dtype, finite or equal)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype
    ints = {np.dtype(np.float64): np.int64, np.dtype(np.float32): np.int32}[a.dtype]

    def ordered(x):
        i = x.view(ints).astype(np.int64)
        return np.where(i < 0, np.iinfo(ints).min - i, i)

    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return np.where(same, 0, np.abs(ordered(a) - ordered(b)))


def power_function(k):
    """A jitted `lambda x: x ** k` with k a literal constant in the bytecode."""
    return ember.njit(eval(f"lambda x: x ** {k!r}"))  # noqa: S307 - a literal exponent


def power_loop(k):
    src = f"def loop(a, out):\n    for i in range(a.shape[0]):\n        out[i] = a[i] ** {k!r}\n"
    scope = {}
    exec(src, scope)  # noqa: S102 - a literal exponent
    return ember.njit(scope["loop"])


def bases(dtype, n=4000, seed=5):
    """Random bases of both signs whose powers up to 16 stay finite and normal (float32 too)."""
    rng = np.random.default_rng(seed)
    mags = 10.0 ** rng.uniform(-2, 2, n)
    return (mags * np.where(rng.random(n) < 0.5, -1.0, 1.0)).astype(dtype)


SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -0.5]


# ---- scalars against CPython -----------------------------------------------------------------

@pytest.mark.parametrize("k", INT_EXPONENTS + FLOAT_EXPONENTS)
def test_scalar_power_within_ulps_of_cpython(k):
    f = power_function(k)
    xs = bases(np.float64, 800)
    got = np.array([f(float(x)) for x in xs])
    assert ulp_distance(got, np.array([exact_power(x, k) for x in xs])).max() <= tolerance(k)
    assert ulp_distance(got, np.array([float(x) ** k for x in xs])).max() <= tolerance(k) + 1


@pytest.mark.parametrize("k", [-3, -2, -1, 0, 1, 2, 3, 3.0, 4, -4.0])
def test_scalar_power_special_values_as_cpython(k):
    f = power_function(k)
    for x in SPECIAL:
        try:
            want = float(x) ** k
        except ZeroDivisionError as exc:
            with pytest.raises(ZeroDivisionError, match="0.0 cannot be raised to a negative power"):
                f(x)
            assert "negative power" in str(exc)
            continue
        got = f(x)
        assert ulp_distance(np.float64(got), np.float64(want)) == 0, (x, k, got, want)
        assert math.copysign(1.0, got) == math.copysign(1.0, want) or math.isnan(want), (x, k)


def test_scalar_half_power_keeps_pows_special_cases():
    f = power_function(0.5)
    assert f(6.25) == 2.5
    assert math.copysign(1.0, f(-0.0)) == 1.0 and f(-0.0) == 0.0  # (-0.0) ** 0.5 == 0.0
    assert f(-math.inf) == math.inf  # (-inf) ** 0.5 == inf
    assert f(math.inf) == math.inf
    assert math.isnan(f(math.nan)) and math.isnan(f(-4.0))  # numba's nan, not a complex
    xs = np.abs(bases(np.float64, 500))
    assert all(f(float(x)) == math.sqrt(x) for x in xs)
    assert all(abs(f(float(x)) - float(x) ** 0.5) <= math.ulp(float(x) ** 0.5) for x in xs)


@pytest.mark.parametrize("k", [3, -2, 6, 0.5])
def test_power_in_a_loop_over_array_elements(k):
    loop = power_loop(k)
    a = np.abs(bases(np.float64, 1001)) if k == 0.5 else bases(np.float64, 1001)
    out = np.empty_like(a)
    loop(a, out)
    if k == 0.5:
        assert np.array_equal(out, np.sqrt(a))
    else:
        assert ulp_distance(out, np.array([exact_power(x, k) for x in a])).max() <= tolerance(k)


@ember.njit
def lj_potential(r):
    total = 0.0
    for i in range(r.shape[0]):
        sr6 = (1.0 / r[i]) ** 6
        total += 4.0 * (sr6 * sr6 - sr6)
    return total


def test_lennard_jones_power():
    r = np.linspace(0.9, 3.0, 500)
    want = sum(4.0 * ((1.0 / x) ** 6 * (1.0 / x) ** 6 - (1.0 / x) ** 6) for x in r)
    assert math.isclose(lj_potential(r), want, rel_tol=1e-13)
    with pytest.raises(ZeroDivisionError):
        lj_potential(np.array([1.0, 0.0]))


# ---- whole arrays against NumPy ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", INT_EXPONENTS + FLOAT_EXPONENTS + [0.5])
def test_array_power_within_ulps_of_numpy(dtype, k):
    f = power_function(k)
    a = bases(dtype)
    if k == 0.5:
        a = np.abs(a)
    got, want = f(a), a ** k
    assert got.dtype == want.dtype
    if k == 0.5 or k in EXACT:
        assert ulp_distance(got, want).max() == 0  # NumPy's sqrt, square, reciprocal
    else:
        assert ulp_distance(got, want).max() <= tolerance(k) + 1


@pytest.mark.parametrize("k", [-3, -2, -1, 0, 1, 2, 3, 0.5, -2.0, 4.0])
def test_array_power_special_values_equal_numpy(k):
    f = power_function(k)
    a = np.array(SPECIAL + [-4.0, 1e-300, -1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns of 0 ** -k and sqrt(-x)
        want = a ** k
    got = f(a)
    assert ulp_distance(got, want).max() == 0, (got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))  # a ** 0.5: sqrt(-0.0) is -0.0


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 13])
def test_integer_array_power_wraps_as_numpy(dtype, k):
    f = power_function(k)
    a = np.random.default_rng(1).integers(-300, 300, 1000).astype(dtype)
    got, want = f(a), a ** k
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 7, 62, 63, 100])
def test_integer_scalar_power_wraps_in_int64(k):
    f = power_function(k)
    for x in (-3, -2, -1, 0, 1, 2, 3, 12345):
        want = (x**k + 2**63) % 2**64 - 2**63  # Python's exact power wrapped to int64
        assert f(x) == want, (x, k)


def test_integer_negative_constant_power_keeps_its_semantics():
    f = power_function(-2)
    assert [f(x) for x in (1, -1, 2, -3)] == [1, 1, 0, 0]  # numba's truncated integer result
    with pytest.raises(ZeroDivisionError):
        f(0)


# ---- code: no pow call, vectorized ---------------------------------------------------------------

def code_of(f, *args):
    f(*args)
    ir = f.inspect_llvm(f.signatures[0])
    asm = f.inspect_asm(f.signatures[0])
    return ir, asm


@pytest.mark.parametrize("k", [3, 6, -2.0, 0.5, 8, 12, -16.0])
def test_powers_call_no_pow(k):
    ir, asm = code_of(power_function(k), np.ones(64))
    assert not re.search(r"@(llvm\.)?pow", ir), "a pow call is left"
    assert not re.search(r"call\w*\s+\S*pow", asm)


@pytest.mark.parametrize("k", [3, 6, 0.5])
def test_whole_array_and_loop_powers_vectorize(k):
    for f, args in ((power_function(k), (np.ones(64),)),
                    (power_loop(k), (np.ones(64), np.empty(64)))):
        ir, asm = code_of(f, *args)
        op = "sqrt" if k == 0.5 else "fmul"
        assert re.search(rf"{op}[^\n]*<\d+ x double>", ir), f"no vector {op}"
        if platform.machine() in ("x86_64", "AMD64"):
            packed = r"v?sqrtpd" if k == 0.5 else r"v?mulpd"
            assert re.search(packed, asm), f"no {packed} in the assembly"


def test_larger_exponents_still_use_pow():
    ir, _ = code_of(power_function(17), np.ones(4))
    assert re.search(r"pow", ir)
    a = bases(np.float64, 100)
    # ember's vector pow (libmvec or runtime/vmath) is within 4 ulp of libm's, as NumPy's is
    assert ulp_distance(power_function(17)(a), a**17).max() <= 4

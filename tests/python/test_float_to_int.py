"""Float -> integer conversions of NaN, infinities and out-of-range values (issue 8, item 4).

* Array semantics (``astype``, casts inside array expressions, stores into integer arrays,
  ``np.int8(x)`` and friends, ufunc outputs) give NumPy's bits on this machine for every
  (float32/float64, integer dtype) pair, over special, boundary and random values.  C leaves
  these conversions undefined, so the bits are the CPU's (lowering/Lower.h, FloatToIntBits);
  the reference is NumPy's cast of each element on its own.  NumPy's contiguous float -> uint32
  loop is the one place where NumPy disagrees with itself (its SIMD body and its scalar tail
  give different bits for invalid values); ember gives the scalar bits there, and equals the
  contiguous ``astype`` for every other pair.
* Python semantics (``int(x)``, ``round(x)``, ``math.floor/ceil/trunc(x)``) raise as CPython:
  ValueError for NaN, OverflowError for infinities, and OverflowError for finite values outside
  int64 (where CPython returns a big int; a documented ember difference, docs/design.md §7).
"""
import math
import warnings

import numpy as np
import pytest

import ember

FLOATS = (np.float32, np.float64)
INTS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
PAIRS = [(f, i) for f in FLOATS for i in INTS]


def pair_id(pair):
    return f"{pair[0].__name__}->{pair[1].__name__}"


def special_values(fdt):
    """NaN, infinities, zeros, and every power of two up to 2^65 with its neighbours (integer and
    half-integer steps, and the adjacent floats of fdt), both signs, plus random values over many
    magnitudes and random bit patterns."""
    vals = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300]
    for k in range(66):
        for s in (1.0, -1.0):
            base = s * 2.0**k
            vals += [base + d for d in (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)]
            v = fdt(base)
            vals += [np.nextafter(v, fdt(np.inf)), np.nextafter(v, fdt(-np.inf))]
    rng = np.random.default_rng(8)
    vals += list(rng.standard_normal(2000) * 10.0 ** rng.integers(-2, 22, 2000))
    bits = rng.integers(0, 2**63, 2000, dtype=np.uint64) * np.uint64(2)
    if fdt is np.float64:
        vals += list(bits.view(np.float64))
    else:
        vals += list((bits >> np.uint64(32)).astype(np.uint32).view(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array(vals, dtype=np.float64).astype(fdt)


def numpy_bits(values, idt):
    """NumPy's cast of each element on its own (its scalar conversion, the C cast)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([idt(v) for v in values], dtype=idt)


def assert_bits(got, want, values):
    assert got.dtype == want.dtype
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, [(float(values[j]), got[j], want[j]) for j in bad[:8]]


# ---- array semantics -------------------------------------------------------------------------

@ember.njit
def astype_to(a, like):
    return a.astype(like.dtype)


@ember.njit
def store_expression(a, out):
    out[:] = a * 1.0  # a fused float expression stored into an integer array


@ember.njit
def store_elements(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i]


@ember.njit
def scalar_constructors(a):
    n = a.shape[0]
    r8, r16, r32 = np.empty(n, np.int8), np.empty(n, np.int16), np.empty(n, np.int32)
    u8, u16, u32 = np.empty(n, np.uint8), np.empty(n, np.uint16), np.empty(n, np.uint32)
    r64, u64 = np.empty(n, np.int64), np.empty(n, np.uint64)
    for i in range(n):
        x = a[i]
        r8[i] = np.int8(x)
        r16[i] = np.int16(x)
        r32[i] = np.int32(x)
        r64[i] = np.int64(x)
        u8[i] = np.uint8(x)
        u16[i] = np.uint16(x)
        u32[i] = np.uint32(x)
        u64[i] = np.uint64(x)
    return r8, r16, r32, r64, u8, u16, u32, u64


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_astype_gives_numpys_bits(pair):
    fdt, idt = pair
    values = special_values(fdt)
    want = numpy_bits(values, idt)
    like = np.zeros(1, idt)
    got = astype_to(values, like)
    assert_bits(got, want, values)
    assert_bits(astype_to(values[::3], like), want[::3], values[::3])  # strided source
    if idt is not np.uint32:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_bits(got, values.astype(idt), values)


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_stores_into_integer_arrays_give_numpys_bits(pair):
    fdt, idt = pair
    values = special_values(fdt)
    want = numpy_bits(values, idt)
    out = np.zeros(values.shape, idt)
    store_elements(values, out)
    assert_bits(out, want, values)
    out[:] = 0
    store_expression(values, out)
    # a * 1.0 keeps a's dtype and values (a Python float is a weak scalar in NumPy 2).
    assert_bits(out, want, values)
    strided = np.zeros(values.shape[0] * 2, idt)[::2]
    store_expression(values, strided)
    assert_bits(strided, want, values)


@pytest.mark.parametrize("fdt", FLOATS, ids=lambda f: f.__name__)
def test_numpy_scalar_constructors_give_numpys_bits(fdt):
    values = special_values(fdt)
    for idt, got in zip(INTS, scalar_constructors(values)):
        assert_bits(got, numpy_bits(values, idt), values)


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_ufunc_output_casts_give_numpys_bits(pair):
    fdt, idt = pair
    values = special_values(fdt)
    sig = f"{np.dtype(idt).name}({np.dtype(fdt).name})"

    @ember.vectorize([sig])
    def to_int(x):
        return x

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns of invalid casts, as for its own
        got = to_int(values)
    assert_bits(got, numpy_bits(values, idt), values)


def test_bits_do_not_depend_on_position():
    """The vectorized body and the scalar remainder of a loop give the same bits."""
    values = np.array([np.nan, np.inf, -np.inf, 1e300, -1e300, 2.0**63, 2.0**64, -3e9, 3e9, 7.9])
    like = np.zeros(1, np.int64)
    for n in range(1, 40):
        a = np.resize(values, n)
        assert_bits(astype_to(a, like), numpy_bits(a, np.int64), a)
        assert_bits(astype_to(a, np.zeros(1, np.uint32)), numpy_bits(a, np.uint32), a)


# ---- Python semantics ------------------------------------------------------------------------

@ember.njit
def py_int(x):
    return int(x)


@ember.njit
def py_round(x):
    return round(x)


@ember.njit
def py_floor(x):
    return math.floor(x)


@ember.njit
def py_ceil(x):
    return math.ceil(x)


@ember.njit
def py_trunc(x):
    return math.trunc(x)


@ember.njit
def int_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = int(a[i])


PYTHON_CONVERSIONS = [(py_int, int), (py_round, round), (py_floor, math.floor),
                      (py_ceil, math.ceil), (py_trunc, math.trunc)]
BIG = 2.0**63


def cpython_outcome(fn, x):
    try:
        return fn(float(x))
    except (ValueError, OverflowError) as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("compiled, reference", PYTHON_CONVERSIONS,
                         ids=[r.__name__ for _, r in PYTHON_CONVERSIONS])
@pytest.mark.parametrize("fdt", FLOATS, ids=lambda f: f.__name__)
def test_python_conversions_raise_as_cpython(compiled, reference, fdt):
    below = np.nextafter(fdt(BIG), fdt(0.0))  # the largest value of fdt below 2^63
    finite = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e18, -1e18, 123456.789, -2.0**63, below,
              -below]
    for x in [np.nan, np.inf, -np.inf] + finite:
        x = fdt(x)
        want = cpython_outcome(reference, x)
        if isinstance(want, tuple):
            with pytest.raises(want[0]) as info:
                compiled(x)
            assert str(info.value) == want[1], (x, str(info.value))
        else:
            got = compiled(x)
            assert type(got) is int and got == want, (x, got, want)


@pytest.mark.parametrize("compiled", [c for c, _ in PYTHON_CONVERSIONS],
                         ids=[r.__name__ for _, r in PYTHON_CONVERSIONS])
def test_python_conversions_outside_int64_raise_overflow(compiled):
    # CPython returns a big int here; ember's integers are 64-bit, so it raises rather than
    # returning a wrong value.
    for x in (BIG, -BIG * 2, 1e19, -1e300, 1e300, np.float32(3e38)):
        with pytest.raises(OverflowError, match="outside the int64 range"):
            compiled(x)


def test_int_in_a_loop_raises_at_the_first_bad_element():
    a = np.array([1.5, -2.5, np.nan, np.inf])
    out = np.zeros(4, np.int64)
    with pytest.raises(ValueError, match="^cannot convert float NaN to integer$"):
        int_loop(a, out)
    assert out.tolist() == [1, -2, 0, 0]  # as CPython: the elements before it were written
    with pytest.raises(OverflowError, match="^cannot convert float infinity to integer$"):
        int_loop(a[3:], out)
    good = np.random.default_rng(3).uniform(-1e15, 1e15, 1000)
    out = np.zeros(1000, np.int64)
    int_loop(good, out)
    assert out.tolist() == [int(v) for v in good]


@ember.njit
def optional_int(x, use):
    y = x if use else None
    if y is None:
        return -1
    return int(y)


def test_int_of_an_optional_float_checks_too():
    assert optional_int(2.7, True) == 2
    assert optional_int(2.7, False) == -1
    with pytest.raises(ValueError, match="NaN"):
        optional_int(math.nan, True)

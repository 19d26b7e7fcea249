"""datetime64 / timedelta64 in compiled code against NumPy: scalars and arrays as arguments and
results in every unit, arithmetic with NumPy's unit rules (the finer unit wins; Y/M against
days through the calendar), NaT (it propagates, and compares unequal to everything),
comparisons, np.isnat, the constructors, ufuncs, reductions and sorting, and the errors where
NumPy has no loop.  The compiled functions are module-level so that the parametrized cases
share their compilations."""
import warnings

import numpy as np
import pytest
from _helpers import add, floordiv, mod, mul, same, sub, truediv

import ember
from ember.errors import TypingError, UnsupportedError

D, T = np.datetime64, np.timedelta64
UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]
LINEAR = UNITS[2:]


def numpy(fn, *args):
    """NumPy's result (silencing its divide-by-zero warnings), or the exception class."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except TypeError as exc:
            return type(exc)


@ember.jit
def ident(a):
    return a


@ember.jit
def neg(a):
    return -a


@ember.jit
def absolute(a):
    return abs(a)


@ember.jit
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


@ember.jit
def isnat(a):
    return np.isnat(a)


OPS = {"+": (add, lambda a, b: a + b), "-": (sub, lambda a, b: a - b),
       "*": (mul, lambda a, b: a * b), "/": (truediv, lambda a, b: a / b),
       "//": (floordiv, lambda a, b: a // b), "%": (mod, lambda a, b: a % b)}


# ---- boxing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS + [""])
def test_scalars_and_arrays_round_trip_in_every_unit(unit):
    spec = f"[{unit}]" if unit else ""
    for value in (D(17, unit) if unit else D("NaT"), T(-5, unit) if unit else T(5),
                  D("NaT", unit) if unit else T("NaT"), T("NaT", unit) if unit else D("NaT")):
        same(ident(value), value)
    for dtype in (f"M8{spec}", f"m8{spec}") if unit else ():
        a = np.array([3, -2, 0], dtype="i8").view(dtype)
        a[1] = np.array("NaT", dtype=dtype)
        same(ident(a), a)
        same(ident(a[::2]), a[::2])


def test_unit_multiples_are_unsupported_by_name():
    with pytest.raises(UnsupportedError, match="multiple"):
        ident(np.zeros(2, dtype="m8[10s]"))
    with pytest.raises(UnsupportedError, match="multiple"):
        ident(T(3, "10s"))


# ---- arithmetic -----------------------------------------------------------------------------

SCALAR_CASES = [
    ("+", D("2020-01-01"), T(3, "D")), ("+", T(3, "h"), D("2020-01-01")),
    ("+", D("2020-01-01"), T(90, "m")), ("+", T(1, "s"), T(1, "ms")),
    ("+", D("2020-01-01T00:00:00"), 5), ("+", T(5, "s"), 1), ("+", T(5), T(3, "s")),
    ("+", D("NaT", "D"), T(1, "D")), ("+", D("2020-01-01"), T("NaT", "s")),
    ("+", D("2020", "Y"), T(40, "D")), ("+", D("2020-05", "M"), T(1, "Y")),
    ("-", D("2020-03-01"), D("2020-02-01")), ("-", D("2020-03-01"), D("2020-02-01T12:30")),
    ("-", D("2020-03-01"), T(1, "W")), ("-", T(1, "s"), T(1, "us")), ("-", T(7, "s"), 9),
    ("-", D("2021", "Y"), D("2020-12-31")), ("-", D("2020-07", "M"), D("2019-01", "M")),
    ("-", D("NaT", "s"), D("2020-01-01")), ("-", D("1969-12-31T23:59:59.5"), D("1970-01-01")),
    ("*", T(7, "s"), 3), ("*", 3, T(7, "ms")), ("*", T(5, "s"), 1.5), ("*", 2.5, T(-5, "s")),
    ("*", T(5, "s"), np.float64("nan")), ("*", T("NaT", "s"), 2), ("*", T(7, "s"), np.int32(3)),
    ("/", T(7, "s"), T(2, "ms")), ("/", T(7, "s"), T(0, "s")), ("/", T(0, "s"), T(0, "s")),
    ("/", T("NaT", "s"), T(1, "s")), ("/", T(7, "s"), 2), ("/", T(-7, "s"), 2),
    ("/", T(7, "s"), 0), ("/", T(5, "s"), 1.5), ("/", T(5, "s"), 0.0), ("/", T(-5, "s"), 1.5),
    ("//", T(7, "s"), T(2, "s")), ("//", T(-7, "s"), T(2, "s")), ("//", T(7, "s"), T(0, "s")),
    ("//", T("NaT", "s"), T(2, "s")), ("//", T(-7, "s"), 2), ("//", T(-7, "h"), T(1, "D")),
    ("%", T(-7, "s"), T(2, "s")), ("%", T(7, "s"), T(-2, "s")), ("%", T(7, "s"), T(0, "s")),
    ("%", T(7, "m"), T(50, "s")), ("%", T("NaT", "s"), T(2, "s")),
]


@pytest.mark.parametrize("op, a, b", SCALAR_CASES)
def test_scalar_arithmetic_matches_numpy(op, a, b):
    compiled, reference = OPS[op]
    same(compiled(a, b), numpy(reference, a, b))


@pytest.mark.parametrize("op, a, b", SCALAR_CASES)
def test_array_arithmetic_matches_numpy(op, a, b):
    compiled, reference = OPS[op]
    x = np.array([a, a]) if isinstance(a, np.generic) else a
    y = np.array([b, b, b]).reshape(3, 1) if isinstance(b, np.generic) else b
    same(compiled(x, y), numpy(reference, x, y))


@pytest.mark.parametrize("unit", LINEAR)
def test_mixed_units_take_the_finer_one(unit):
    for other in LINEAR:
        if abs(LINEAR.index(unit) - LINEAR.index(other)) > 4:
            continue  # the factor would overflow the values below
        a, b = T(3, unit), T(2, other)
        same(add(a, b), a + b)
        when = D(1000, unit)
        same(sub(when, b), when - b)
        assert compare(a, b) == tuple(bool(x) for x in (a < b, a <= b, a == b, a != b, a > b,
                                                         a >= b))


def test_negation_and_abs():
    for v in (T(-3, "s"), T(4, "D"), T("NaT", "ms")):
        same(neg(v), -v)
        same(absolute(v), abs(v))
    a = np.array([-3, 4, 0], dtype="m8[us]")
    a[2] = T("NaT")
    same(neg(a), -a)
    same(absolute(a), abs(a))
    same(ember.jit(lambda x: np.abs(x))(a), np.abs(a))


# ---- comparisons and NaT ---------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    (D("2020-01-01"), D("2020-01-01T00:00:01")), (D("2020-01-01"), D("2020-01-01T00:00")),
    (D("NaT", "s"), D("NaT", "s")), (D("NaT", "D"), D("2020-01-01")),
    (T(5, "D"), T(5 * 86400, "s")), (T(3, "s"), T(3, "ms")), (T("NaT", "s"), T(1, "s")),
    (T(5, "s"), 3), (T(5, "s"), 5), (D("2020", "Y"), D("2020-01-01")),
])
def test_comparisons_match_numpy(a, b):
    want = tuple(bool(x) for x in (a < b, a <= b, a == b, a != b, a > b, a >= b))
    assert compare(a, b) == want
    x = np.array([a, a])
    got = compare(x, b)
    for g, w in zip(got, want):
        same(g, np.array([w, w]))


def test_isnat():
    for v in (D("NaT"), D("NaT", "ns"), T("NaT", "s"), D("2020-01-01"), T(0, "s")):
        assert isnat(v) is bool(np.isnat(v))
    a = np.array(["2020-01-01", "NaT", "1969-07-20"], dtype="M8[ms]")
    same(isnat(a), np.isnat(a))
    same(isnat(a.astype("m8[ms]")), np.isnat(a.astype("m8[ms]")))
    same(ember.jit(lambda x: np.isnan(x))(a), np.isnan(a))
    with pytest.raises(TypingError, match="isnat"):
        isnat(np.zeros(2))
    with pytest.raises(TypingError, match="isnat"):
        isnat(1.5)


# ---- errors where NumPy has no loop ----------------------------------------------------------

@pytest.mark.parametrize("op, a, b", [
    ("+", D("2020-01-01"), D("2020-01-01")), ("-", T(1, "s"), D("2020-01-01")),
    ("*", T(5, "s"), T(2, "s")), ("%", T(5, "s"), 3), ("/", D("2020-01-01"), T(1, "D")),
    ("+", T(1, "Y"), T(1, "D")), ("-", 3, D("2020-01-01")), ("+", T(1, "s"), 1.5),
])
def test_operations_numpy_refuses_are_typing_errors(op, a, b):
    assert numpy(OPS[op][1], a, b) is not None
    with pytest.raises(TypeError):
        OPS[op][1](a, b)
    with pytest.raises(TypingError):
        OPS[op][0](a, b)
    with pytest.raises(TypingError):
        OPS[op][0](np.array([a]), b)


def test_other_errors():
    with pytest.raises(TypingError):
        neg(D("2020-01-01"))
    with pytest.raises(TypingError):
        compare(D("2020-01-01"), T(1, "D"))
    with pytest.raises(TypingError):
        ember.jit(lambda x: np.sqrt(x))(np.zeros(2, dtype="m8[s]"))
    with pytest.raises(TypingError):
        ember.jit(lambda x: np.sum(x))(np.zeros(2, dtype="M8[s]"))


# ---- constructors, globals, dtypes ----------------------------------------------------------

EPOCH_PLUS = D("2021-03-04T05:06:07.089")


@ember.jit
def constructors(n):
    return (np.datetime64("2020-02-29"), np.datetime64("2020-02-29T13:45:10.123456"),
            np.datetime64("NaT"), np.datetime64(n, "D"), np.timedelta64(n, "s"),
            np.timedelta64("NaT", "ms"), np.timedelta64(n), np.datetime64("1969-12", "D"),
            np.timedelta64(np.timedelta64(n, "m"), "s"), np.datetime64("2021"), EPOCH_PLUS)


def test_constructors_and_globals():
    got = constructors(7)
    want = (D("2020-02-29"), D("2020-02-29T13:45:10.123456"), D("NaT"), D(7, "D"),
            T(7, "s"), T("NaT", "ms"), T(7), D("1969-12", "D"), T(T(7, "m"), "s"), D("2021"),
            EPOCH_PLUS)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)
    with pytest.raises(UnsupportedError):
        ember.jit(lambda: np.datetime64("today"))()
    with pytest.raises(UnsupportedError, match="multiple"):
        ember.jit(lambda n: np.timedelta64(n, "10s"))(3)
    with pytest.raises(TypingError):
        ember.jit(lambda n: np.timedelta64(n, "seconds"))(3)


def test_empty_zeros_and_stores():
    @ember.jit
    def make(n, start, step):
        a = np.zeros(n, dtype="M8[s]")
        b = np.empty((2, n), dtype="m8[ms]")
        for i in range(n):
            a[i] = start + i * step
            b[0, i] = step
            b[1, i] = i
        return a, b

    a, b = make(4, D("2020-01-01T00:00:00"), T(90, "s"))
    same(a, D("2020-01-01T00:00:00") + np.arange(4) * T(90, "s"))
    same(b, np.array([[90000] * 4, [0, 1, 2, 3]], dtype="m8[ms]"))


# ---- calendar conversions -------------------------------------------------------------------

def test_calendar_conversions_match_numpy():
    rng = np.random.default_rng(5)
    days = np.concatenate([rng.integers(-200000, 200000, 200), [0, -1, 59, 60, 365, -366]])
    dates = days.astype("M8[D]")
    years = (days // 400).astype("M8[Y]")
    months = (days // 30).astype("M8[M]")
    same(sub(dates, years), dates - years)
    same(sub(months, dates), months - dates)
    same(add(years, T(36, "h")), years + T(36, "h"))
    same(compare(months, dates)[0], months < dates)

    @ember.jit
    def to_months(d):
        return np.datetime64(d, "M"), np.datetime64(d, "Y"), np.datetime64(d, "W")

    for d in dates[:20]:
        got = to_months(d)
        for g, unit in zip(got, "MYW"):
            same(g, d.astype(f"M8[{unit}]"))


# ---- ufuncs, where, reductions, sorting -------------------------------------------------------

def test_ufuncs_by_name_and_where():
    a = np.array(["2020-01-01", "NaT", "2020-03-01T12"], dtype="M8[h]")
    b = np.array([1, 2, 3], dtype="m8[D]")
    cases = [
        (lambda x, y: np.add(x, y), (a, b)), (lambda x, y: np.subtract(x, y), (a, a[::-1])),
        (lambda x, y: np.maximum(x, y), (b, b[::-1])), (lambda x, y: np.minimum(x, y), (a, a)),
        (lambda x, y: np.where(y > np.timedelta64(1, "D"), x, np.datetime64("NaT", "s")),
         (a, b)),
        (lambda x, y: np.equal(x, y), (a, a)), (lambda x, y: np.negative(y), (a, b)),
        (lambda x, y: np.multiply(y, 3), (a, b)), (lambda x, y: np.true_divide(y, y), (a, b)),
    ]
    for fn, args in cases:
        same(ember.jit(fn)(*args), numpy(fn, *args))


def test_reductions_and_sort():
    @ember.jit
    def reduce(a):
        return a.min(), a.max(), np.argmin(a), np.argmax(a)

    @ember.jit
    def total(a):
        return np.sum(a), a.sum()

    @ember.jit
    def sorts(a):
        b = a.copy()
        b.sort()
        return np.sort(a), b, np.argsort(a, kind="stable")

    for a in (np.array([5, -3, 9, 9, -3], dtype="m8[s]"),
              np.array([5, -9223372036854775808, 1, -9223372036854775808, 0],
                       dtype="i8").view("m8[s]"),
              np.array(["2020-01-01", "1999-12-31", "NaT"], dtype="M8[D]"),
              np.arange(12).reshape(3, 4).astype("m8[us]")[:, ::2]):
        got, want = reduce(a), (a.min(), a.max(), np.argmin(a), np.argmax(a))
        for g, w in zip(got, want):
            same(g, w)
        s, s2, order = sorts(a)
        same(s, np.sort(a))
        same(s2, np.sort(a))
        same(order, np.argsort(a, kind="stable"))
        if a.dtype.kind == "m":
            for g in total(a):
                same(g, a.sum())
    with pytest.raises(ValueError):
        reduce(np.zeros(0, dtype="m8[s]"))
    same(total(np.zeros(0, dtype="m8[s]"))[0], T(0, "s"))
    # Along an axis too (test_datetime_more.py has the rest).
    m = np.array([[3, 1], [2, 5]], dtype="m8[s]")
    same(ember.jit(lambda x: x.min(axis=0))(m), m.min(axis=0))


def test_in_place_loops_and_optional():
    @ember.jit
    def shift(a, by):
        a += by
        return a

    a = np.array(["2020-01-01T00", "NaT"], dtype="M8[s]")
    same(shift(a.copy(), T(2, "h")), a + T(2, "h"))

    @ember.jit
    def span(a):
        total = np.timedelta64(0, "s")
        for i in range(1, len(a)):
            total += a[i] - a[i - 1]
        return total

    d = np.array(["2020-01-01", "2020-01-03", "2020-02-01"], dtype="M8[D]")
    same(span(d), T(31 * 86400, "s"))

    @ember.jit
    def maybe(flag, t):
        x = None if flag else t
        if x is None:
            return t
        return x + t

    same(maybe(False, T(3, "s")), T(6, "s"))
    same(maybe(True, T(3, "s")), T(3, "s"))


def test_in_containers():
    @ember.jit
    def hold(a, b):
        d = {a: 1, b: 2}
        s = {a, b, a}
        return d[b], len(s), [a, b], (a, 1)

    a, b = T(3, "s"), T(4, "s")
    got = hold(a, b)
    assert got[:2] == (2, 2)
    for g, w in zip(got[2] + [got[3][0]], [a, b, a]):
        same(g, w)

    @ember.jit
    def second(items):
        return items[1]

    same(second([D("2020-01-01"), D("2021-01-01")]), D("2021-01-01"))

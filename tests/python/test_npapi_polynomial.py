"""np.polynomial.Polynomial in compiled code (ember/npapi/polynomial_class.py), Numba's subset,
against NumPy's: construction from coefficients alone and with a domain and a window (arrays or
tuples, by position or keyword), the attributes coef, domain and window, Polynomials passed in
and returned (alone, in tuples and lists) as real np.polynomial.Polynomial objects, coefficient
dtypes as NumPy's (integers -> float64, float32 kept, complex), non-contiguous input, and
NumPy's ValueErrors (empty coefficients, a domain or window of the wrong size) and the
compile-time errors for what compiled code does not take."""
import numpy as np
import pytest

import ember
from ember.errors import EmberError, TypingError, UnsupportedError

Polynomial = np.polynomial.Polynomial
RNG = np.random.default_rng(13)


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


def same(got, want):
    assert type(got) is Polynomial
    for attr in ("coef", "domain", "window"):
        g, w = getattr(got, attr), getattr(want, attr)
        assert g.dtype == w.dtype, attr
        np.testing.assert_array_equal(g, w)


@ember.jit
def from_coef(c):
    return np.polynomial.Polynomial(c)


@ember.jit
def from_all(c, d, w):
    return np.polynomial.Polynomial(c, d, w)


@pytest.mark.parametrize("coef", [
    np.array([1.0, 2.0, 3.0]),
    np.arange(5),
    np.array([7], np.int32),
    np.array([0.5, -1.5], np.float32),
    np.array([1 + 2j, -3j]),
    np.array([1 + 2j], np.complex64),
    np.array([0.0, 0.0, 1.0, 0.0, 0.0]),  # trailing zeros kept, as NumPy's constructor
    RNG.standard_normal(9)[::2],  # non-contiguous
    np.asfortranarray(RNG.standard_normal(4)),
    np.array([3], np.uint8),
])
def test_from_coefficients(coef):
    same(from_coef(coef), Polynomial(coef))


@pytest.mark.parametrize("domain,window", [
    (np.array([0.0, 1.0]), np.array([-1.0, 1.0])),
    (np.array([0, 10]), np.array([2, 3])),
    (np.array([-2.5, 2.5], np.float32), np.array([0.0, 1.0])),
    ((0, 4), (-1.0, 1.0)),
    (np.array([5.0, 1.0, 0.0])[::2], (1, 2)),
])
def test_with_domain_and_window(domain, window):
    c = RNG.standard_normal(4)
    got = from_all(c, domain, window)
    want = Polynomial(c, np.asarray(domain, np.float64), np.asarray(window, np.float64))
    same(got, want)


@ember.jit
def by_keyword(c, d, w):
    return (np.polynomial.Polynomial(c, domain=d), np.polynomial.Polynomial(c, window=w),
            np.polynomial.Polynomial(coef=c, window=w, domain=d))


def test_keywords():
    c, d, w = np.array([1.0, -1.0]), np.array([0.0, 3.0]), np.array([1.0, 2.0])
    a, b, e = by_keyword(c, d, w)
    same(a, Polynomial(c, domain=d))
    same(b, Polynomial(c, window=w))
    same(e, Polynomial(c, window=w, domain=d))


@ember.jit
def attributes(c, d, w):
    p = np.polynomial.Polynomial(c, d, w)
    q = np.polynomial.Polynomial(c)
    return p.coef, p.domain, p.window, q.domain, q.window, p.coef.sum() + q.coef[0]


def test_attributes():
    c = np.array([1, 2, 3])
    d, w = np.array([0.0, 2.0]), np.array([-2.0, 2.0])
    pc, pd, pw, qd, qw, total = attributes(c, d, w)
    p, q = Polynomial(c, d, w), Polynomial(c)
    for g, want in ((pc, p.coef), (pd, p.domain), (pw, p.window), (qd, q.domain),
                    (qw, q.window)):
        assert g.dtype == want.dtype
        np.testing.assert_array_equal(g, want)
    assert total == p.coef.sum() + q.coef[0]


def test_copies_its_input():
    c = np.array([1.0, 2.0])
    p = from_coef(c)
    c[0] = 99.0
    assert p.coef[0] == 1.0


@ember.jit
def evaluate(p, x):
    return np.polynomial.polynomial.polyval(x, p.coef), p.domain[1] - p.domain[0]


@ember.jit
def passthrough(p):
    return p


@ember.jit
def pair(p, c):
    q = np.polynomial.Polynomial(c, p.domain, p.window)
    return p, q, [q, p]


@pytest.mark.parametrize("p", [
    Polynomial([1.0, 2.0, 3.0]),
    Polynomial([1, -1], domain=[0, 2], window=[0, 1]),
    Polynomial(np.array([0.5, 0.25], np.float32)),
    Polynomial([1j, 2.0]),
])
def test_as_arguments(p):
    if p.coef.dtype.kind == "f":  # (ember's polyval takes real coefficients)
        x = np.linspace(-1.0, 1.0, 7)
        vals, width = evaluate(p, x)
        np.testing.assert_allclose(vals, np.polynomial.polynomial.polyval(x, p.coef),
                                   rtol=1e-6)
        assert width == p.domain[1] - p.domain[0]
    same(passthrough(p), p)
    c = np.array([4.0, 5.0]).astype(p.coef.dtype)  # one item type in the list
    a, b, items = pair(p, c)
    same(a, p)
    want = Polynomial(c, p.domain, p.window)
    same(b, want)
    assert isinstance(items, list) and len(items) == 2
    same(items[0], want)
    same(items[1], p)


@ember.jit
def in_tuples(ps, x):
    total = 0.0
    for k in range(len(ps[0])):
        total += ps[0][k] * x
    return ps[1], total + ps[1].coef[0]


def test_in_tuple_arguments():
    p, q = Polynomial([1.0, 2.0]), Polynomial([3.0], domain=[0, 1])
    back, total = in_tuples(((1.5, 2.5), q), 2.0)
    same(back, q)
    assert total == 1.5 * 2.0 + 2.5 * 2.0 + 3.0
    got = ember.jit(lambda t: t)((p, (q, 4)))
    same(got[0], p)
    same(got[1][0], q)
    assert got[1][1] == 4


def test_mutation_is_shared_with_the_argument():
    p = Polynomial([1.0, 2.0])
    ember.jit(set_coef)(p, 7.0)
    assert p.coef[0] == 7.0  # as Numba: the stand-in holds NumPy's own arrays


def set_coef(p, v):
    p.coef[0] = v


def test_value_errors():
    with pytest.raises(ValueError, match="Coefficient array is empty"):
        from_coef(np.zeros(0))
    with pytest.raises(ValueError, match="Domain has wrong number of elements."):
        from_all(np.ones(2), np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="Window has wrong number of elements."):
        from_all(np.ones(2), np.ones(2), np.ones(1))
    with pytest.raises(ValueError, match="Coefficient array is empty"):
        from_all(np.ones(2), np.ones(0), np.ones(2))
    with pytest.raises(TypingError, match="Domain has wrong number of elements."):
        from_all(np.ones(2), (1.0, 2.0, 3.0), np.ones(2))


def test_compile_time_errors():
    with pytest.raises(TypingError, match="Coefficient array is not 1-d"):
        from_coef(np.ones((2, 2)))
    with pytest.raises(TypingError, match="no common type"):
        from_coef(np.ones(2, bool))
    with pytest.raises(UnsupportedError, match="float16"):
        from_coef(np.ones(2, np.float16))
    with pytest.raises(UnsupportedError, match="the symbol argument"):
        ember.jit(lambda c: np.polynomial.Polynomial(c, symbol="t"))(np.ones(2))
    with pytest.raises(UnsupportedError, match="coefficients of type"):
        ember.jit(lambda: np.polynomial.Polynomial(3.0))()
    with pytest.raises(UnsupportedError, match="a domain of type"):
        from_all(np.ones(2), np.ones(2, complex), np.ones(2))
    with pytest.raises(UnsupportedError, match="float16"):
        passthrough(Polynomial(np.ones(2, np.float16)))
    with pytest.raises(EmberError, match="Chebyshev"):
        passthrough(np.polynomial.Chebyshev([1.0]))


def test_typeof():
    assert str(ember.typeof(Polynomial([1.0]))) == "instance(Polynomial_float64)"
    assert str(ember.typeof(Polynomial([1j]))) == "instance(Polynomial_complex128)"

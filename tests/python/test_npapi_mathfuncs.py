"""Element-wise NumPy ufuncs computed with the C library's functions (ember/npapi/mathfuncs.py)
and np.polynomial.polynomial's polyval/polyadd/polysub/polymul, against NumPy, on arrays and
numbers, with NaNs, infinities and ties for rint/around."""
import numpy as np
import pytest

import ember

X = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, 3.7, -0.0, np.inf, np.nan])


def test_unary_and_binary():
    @ember.jit
    def f(x, y, i, j):
        return (np.arcsinh(x), np.arccosh(np.abs(x) + 1.0), np.arctanh(x / 4.0), np.rint(x),
                np.signbit(x), np.copysign(x, y), np.hypot(x, y), np.fmod(x, y),
                np.copysign(x, -1.0), np.gcd(i, j), np.lcm(i, j), np.gcd(12, 18),
                np.around(x), np.around(x, 1), np.around(1234.5678, -2))
    y = np.linspace(-3.0, 3.0, X.shape[0])
    i = np.array([12, 18, 0, -4, 7])
    j = np.array([8, 27, 5, 6, 0])
    got = f(X, y, i, j)
    with np.errstate(all="ignore"):
        want = (np.arcsinh(X), np.arccosh(np.abs(X) + 1.0), np.arctanh(X / 4.0), np.rint(X),
                np.signbit(X), np.copysign(X, y), np.hypot(X, y), np.fmod(X, y),
                np.copysign(X, -1.0), np.gcd(i, j), np.lcm(i, j), np.gcd(12, 18), np.around(X),
                np.around(X, 1), np.around(1234.5678, -2))
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-15, err_msg=str(k))
        assert np.asarray(g).dtype == np.asarray(w).dtype or np.ndim(w) == 0, k
    with pytest.raises(ValueError, match="broadcast"):
        f(X, y[:3], i, j)


def test_polynomial():
    P = np.polynomial.polynomial

    @ember.jit
    def f(x, a, b):
        return (P.polyval(x, a), P.polyval(2.5, a), P.polyadd(a, b), P.polysub(a, a),
                P.polymul(a, b))
    x = np.linspace(-2.0, 2.0, 7)
    a = np.array([1.0, -2.0, 0.5])
    b = np.array([3.0, 0.0, 0.0, 4.0])
    got = f(x, a, b)
    want = (P.polyval(x, a), P.polyval(2.5, a), P.polyadd(a, b), P.polysub(a, a),
            P.polymul(a, b))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-14)

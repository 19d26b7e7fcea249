"""np.polynomial.polynomial.polyint and polydiv, np.polynomial.polyutils.trimseq and as_series
in compiled code (ember/npapi/polynomials.py) against NumPy: random coefficient arrays (float,
int, strided, with trailing zeros), every branch of polydiv, orders 0-3 of polyint, and the
ZeroDivisionError and ValueError NumPy raises."""
import numpy as np
import pytest

import ember


@ember.jit
def divide(c1, c2):
    return np.polynomial.polynomial.polydiv(c1, c2)


@ember.jit
def integrate(c, m):
    return np.polynomial.polynomial.polyint(c), np.polynomial.polynomial.polyint(c, m)


@ember.jit
def utils(c, rows):
    return (np.polynomial.polyutils.trimseq(c), np.polynomial.polyutils.as_series(rows),
            np.polynomial.polyutils.as_series((c, c[:1])))


def close(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_polydiv():
    rng = np.random.default_rng(14)
    P = np.polynomial.polynomial
    for n1, n2 in ((6, 3), (2, 5), (4, 1), (3, 3)):
        c1, c2 = rng.normal(size=n1), rng.normal(size=2 * n2)[::2]
        close(divide(c1, c2), P.polydiv(c1, c2))
    ints = np.array([3, 0, 1, 5, 0])
    close(divide(ints, np.array([1, 1, 1])), P.polydiv(ints, np.array([1, 1, 1])))
    with pytest.raises(ZeroDivisionError):
        divide(np.ones(3), np.zeros(2))


def test_polyint():
    rng = np.random.default_rng(15)
    P = np.polynomial.polynomial
    for c in (rng.normal(size=5), rng.integers(-5, 5, 4), np.zeros(1), rng.normal(size=8)[::3]):
        for m in (0, 1, 3):
            close(integrate(c, m), (P.polyint(c), P.polyint(c, m)))
    with pytest.raises(ValueError, match="non-negative"):
        integrate(np.ones(2), -1)


def test_trimseq_and_as_series():
    PU = np.polynomial.polyutils
    c = np.array([1.0, 0.0, 2.0, 0.0, 0.0])
    rows = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    got = utils(c, rows)
    np.testing.assert_array_equal(got[0], PU.trimseq(c))
    close(got[1], PU.as_series(rows))
    close(got[2], PU.as_series((c, c[:1])))
    np.testing.assert_array_equal(utils(np.zeros(2), rows)[0], PU.trimseq(np.zeros(2)))
    with pytest.raises(ValueError, match="empty"):
        utils(np.empty(0), rows)

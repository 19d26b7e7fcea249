"""NumPy names that had no test of their own, against NumPy: the C integer types (np.intc,
np.intp, np.uintc, np.uintp) as constructors, np.reshape and np.transpose, ndarray.item and
ndarray.transpose, and np.polynomial.polynomial's polyadd, polysub, polymul and polyval, on
random shapes, F-ordered, non-contiguous and empty arrays."""
import numpy as np

import ember


@ember.jit
def c_integers(x):
    # uintc truncates to 32 bits when made from a wider value
    return np.intc(x), np.intp(x), np.uintc(x), np.uintp(x), np.uintc(x + 2**32)


def test_c_integer_types():
    got = c_integers(41)
    want = (np.intc(41), np.intp(41), np.uintc(41), np.uintp(41),
            np.int64(41 + 2**32).astype(np.uintc))
    assert got == want


@ember.jit
def reshaped(a, n):
    return np.reshape(a, (n, -1)), np.reshape(a, -1)


@ember.jit
def transposed(a):
    return np.transpose(a), a.transpose()


def test_reshape_and_transpose():
    rng = np.random.default_rng(4)
    for shape in [(2, 6), (4, 3), (0, 3)]:
        a = rng.normal(size=shape)
        for x in (a, np.asfortranarray(a)):
            got = reshaped(np.ascontiguousarray(x), 2)
            np.testing.assert_array_equal(got[0], np.reshape(x, (2, -1)))
            np.testing.assert_array_equal(got[1], np.reshape(x, -1))
        for x in (a, np.asfortranarray(a), rng.normal(size=(shape[0], 2 * shape[1]))[:, ::2]):
            t1, t2 = transposed(x)
            np.testing.assert_array_equal(t1, x.T)
            np.testing.assert_array_equal(t2, x.T)


@ember.jit
def item(a):
    return a.item()


def test_item():
    assert item(np.array([2.5])) == 2.5
    assert item(np.array([[7]], dtype=np.int32)) == 7
    assert item(np.ones((3, 4))[1:2, 2:3] * 4) == 4.0


@ember.jit
def poly(c1, c2, x):
    return (np.polynomial.polynomial.polyadd(c1, c2), np.polynomial.polynomial.polysub(c1, c2),
            np.polynomial.polynomial.polymul(c1, c2), np.polynomial.polynomial.polyval(x, c1))


def test_polynomial_arithmetic():
    rng = np.random.default_rng(5)
    P = np.polynomial.polynomial
    for n1, n2 in [(1, 4), (5, 2), (3, 3)]:
        c1, c2 = rng.normal(size=n1), rng.normal(size=2 * n2)[::2]
        x = rng.normal(size=(2, 3))
        got = poly(c1, c2, x)
        want = (P.polyadd(c1, c2), P.polysub(c1, c2), P.polymul(c1, c2), P.polyval(x, c1))
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-13)


@ember.jit
def methods(a, lo, hi, idx):
    return (a.clip(lo, hi), a.clip(None, hi), a.clip(lo), a.conj(), a.nonzero(), a.repeat(2),
            a.take(idx), a.take(0))


def test_array_methods():
    rng = np.random.default_rng(6)
    idx = np.array([0, 2, -1])
    for a in (rng.normal(size=(3, 4)), np.asfortranarray(rng.normal(size=(2, 3))),
              rng.normal(size=(4, 6))[::2, 1::2], rng.integers(-3, 3, 7)):
        got = methods(a, -0.5, 0.5, idx)
        want = (a.clip(-0.5, 0.5), a.clip(None, 0.5), a.clip(-0.5), a.conj(), a.nonzero(),
                a.repeat(2), a.take(idx), a.take(0))
        for k, (g, w) in enumerate(zip(got, want)):
            if isinstance(w, tuple):
                for gi, wi in zip(g, w):
                    np.testing.assert_array_equal(gi, wi, err_msg=str(k))
            else:
                np.testing.assert_array_equal(g, w, err_msg=str(k))
                assert np.asarray(g).dtype == np.asarray(w).dtype, k
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    np.testing.assert_array_equal(ember.jit(lambda z: z.conj())(z), z.conj())


@ember.jit
def powers(x, n):
    return np.ldexp(x, n), np.float_power(x, n), np.float_power(n, -2)


def test_ldexp_and_float_power():
    rng = np.random.default_rng(8)
    n = rng.integers(-4, 5, (3, 4))
    for x in (rng.normal(size=(3, 4)), np.asfortranarray(rng.normal(size=(3, 4))),
              rng.normal(size=(3, 8))[:, ::2], rng.normal(size=(3, 4)).astype(np.float32)):
        got = powers(x, n)
        with np.errstate(all="ignore"):
            want = (np.ldexp(x, n), np.float_power(x, n), np.float_power(n, -2))
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-15, equal_nan=True)
            assert g.dtype == w.dtype
    assert ember.jit(lambda x, k: np.ldexp(x, k))(1e-300, 1100) == np.ldexp(1e-300, 1100)


@ember.jit
def neighbours(x, y):
    return np.nextafter(x, y), np.spacing(x)


def test_nextafter_and_spacing():
    """Exact against NumPy at the edges of each float format: zeros, subnormals, the least
    normal, powers of two (where the step toward zero halves), the largest finite, infinities,
    NaN, and random magnitudes across the range."""
    rng = np.random.default_rng(16)
    for t in (np.float64, np.float32):
        fi = np.finfo(t)
        edges = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 3.0, fi.smallest_subnormal,
                 fi.smallest_subnormal * 3, fi.tiny, -fi.tiny, fi.tiny * 2, fi.tiny * 0.5,
                 fi.max, -fi.max, np.inf, -np.inf, np.nan, 2.0 ** fi.nmant]
        randoms = rng.normal(size=40) * 2.0 ** rng.integers(fi.minexp - fi.nmant, fi.maxexp, 40)
        with np.errstate(over="ignore"):
            x = np.concatenate([np.array(edges, t), randoms.astype(t)])
        for target in (np.inf, -np.inf, 0.0, 1.0):
            y = np.full_like(x, target)
            got = neighbours(x, y)
            with np.errstate(over="ignore"):
                want = (np.nextafter(x, y), np.spacing(x))
            for g, w in zip(got, want):
                assert g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)
    assert neighbours(1.0, 2.0) == (np.nextafter(1.0, 2.0), np.spacing(1.0))

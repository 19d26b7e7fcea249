"""np.linalg in compiled code through SciPy's LAPACK (ember/npapi/linalg.py), against NumPy and
by reconstruction (A x = b, L L^T = A, U S V^T = A, Q R = A, A v = w v) on float64 and float32,
C, F and strided operands, well- and ill-conditioned input; LinAlgError on singular and
non-positive-definite input as NumPy raises it; np.trace, np.kron, np.vdot."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

pytest.importorskip("scipy.linalg.cython_lapack")

RNG = np.random.default_rng(7)
A = RNG.normal(size=(5, 5)) + 5 * np.eye(5)
SPD = A @ A.T + np.eye(5)
TALL = RNG.normal(size=(7, 4))
ILL = np.vander(np.linspace(1.0, 2.0, 6), increasing=True)  # condition ~1e7


def layouts(a):
    """C, F and strided copies of a (float32 only C: the layouts share the same code)."""
    if a.dtype == np.float32:
        return [a]
    big = np.zeros((2 * a.shape[0], a.shape[1]), a.dtype)
    big[::2] = a
    return [a, np.asfortranarray(a), big[::2]]


def tol(dtype):
    return 2e-4 if dtype == np.float32 else 1e-10


@ember.jit
def solve(a, b):
    return np.linalg.solve(a, b)


@ember.jit
def inv_det(a):
    return np.linalg.inv(a), np.linalg.det(a), np.linalg.slogdet(a)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_solve_inv_det(dtype):
    for a in layouts(A.astype(dtype)):
        b = RNG.normal(size=5).astype(dtype)
        x = solve(a, b)
        assert x.dtype == dtype
        np.testing.assert_allclose(a @ x, b, rtol=tol(dtype), atol=tol(dtype))
        bm = RNG.normal(size=(5, 3)).astype(dtype)
        np.testing.assert_allclose(a @ solve(a, bm), bm, rtol=tol(dtype), atol=tol(dtype))
        inv, det, (sign, logdet) = inv_det(a)
        np.testing.assert_allclose(inv @ a, np.eye(5), atol=tol(dtype))
        np.testing.assert_allclose(det, np.linalg.det(a), rtol=tol(dtype))
        want = np.linalg.slogdet(a)
        assert sign == want[0]
        np.testing.assert_allclose(logdet, want[1], rtol=tol(dtype))
    ints = np.array([[2, 1], [1, 3]])
    np.testing.assert_allclose(inv_det(ints)[0], np.linalg.inv(ints), rtol=1e-12)
    x = solve(ILL, np.ones(6))
    np.testing.assert_allclose(ILL @ x, np.ones(6), rtol=1e-6)


def test_singular():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        solve(s, np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        inv_det(s)
    assert inv_det.py_func is not None
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        solve(np.ones((2, 3)), np.ones(2))

    @ember.jit
    def det(a):
        return np.linalg.det(a), np.linalg.slogdet(a)
    d, (sign, logdet) = det(s)
    assert d == 0.0 and sign == 0.0 and logdet == -np.inf


@ember.jit
def cholesky(a):
    return np.linalg.cholesky(a)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cholesky(dtype):
    for a in layouts(SPD.astype(dtype)):
        L = cholesky(a)
        np.testing.assert_allclose(L, np.linalg.cholesky(a), rtol=tol(dtype), atol=tol(dtype))
        assert np.all(np.triu(L, 1) == 0)
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        cholesky(-SPD)


@ember.jit
def svd(a, full):
    return np.linalg.svd(a, full_matrices=full)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_svd(dtype):
    for a in layouts(TALL.astype(dtype)) + [TALL.T.copy().astype(dtype)]:
        for full in (True, False):
            u, s, vt = svd(a, full)
            wu, ws, wvt = np.linalg.svd(a, full_matrices=full)
            assert u.shape == wu.shape and vt.shape == wvt.shape
            np.testing.assert_allclose(s, ws, rtol=tol(dtype))
            k = s.shape[0]
            np.testing.assert_allclose((u[:, :k] * s) @ vt[:k], a, atol=10 * tol(dtype))
            np.testing.assert_allclose(u.T @ u, np.eye(u.shape[1]), atol=10 * tol(dtype))


@ember.jit
def eigs(a):
    return np.linalg.eigh(a), np.linalg.eigvalsh(a), np.linalg.eig(a), np.linalg.eigvals(a)


def test_eigen():
    (w, v), wh, (we, ve), wv = eigs(SPD)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(SPD), rtol=1e-12)
    np.testing.assert_allclose(wh, w, rtol=1e-12)
    np.testing.assert_allclose(SPD @ v, v * w, atol=1e-9)
    np.testing.assert_allclose(np.sort(we), w, rtol=1e-10)
    np.testing.assert_allclose(SPD @ ve, ve * we, atol=1e-9)
    np.testing.assert_allclose(np.sort(wv), w, rtol=1e-10)
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # complex eigenvalues
    with pytest.raises(ValueError, match="complex"):
        eigs(rot)


@ember.jit
def lstsq(a, b):
    return np.linalg.lstsq(a, b)


@ember.jit
def qr(a):
    return np.linalg.qr(a)


def test_lstsq_qr_pinv():
    b = RNG.normal(size=7)
    x, res, rank, s = lstsq(TALL, b)
    wx, wres, wrank, ws = np.linalg.lstsq(TALL, b)
    np.testing.assert_allclose(x, wx, rtol=1e-10)
    np.testing.assert_allclose(res, wres, rtol=1e-10)
    assert rank == wrank
    np.testing.assert_allclose(s, ws, rtol=1e-12)
    bm = RNG.normal(size=(7, 2))
    np.testing.assert_allclose(lstsq(TALL, bm)[0], np.linalg.lstsq(TALL, bm)[0], rtol=1e-10)
    for a in (TALL, TALL.T.copy(), np.asfortranarray(TALL)):
        q, r = qr(a)
        np.testing.assert_allclose(q @ r, a, atol=1e-12)
        np.testing.assert_allclose(np.abs(r), np.abs(np.linalg.qr(a)[1]), atol=1e-12)

    @ember.jit
    def others(a):
        return (np.linalg.pinv(a), np.linalg.matrix_rank(a), np.linalg.cond(a),
                np.linalg.norm(a), np.linalg.matrix_power(a[:4], 3),
                np.linalg.matrix_power(a[:4], -2))
    pinv, rank, cond, norm, p3, pm2 = others(TALL)
    np.testing.assert_allclose(pinv, np.linalg.pinv(TALL), rtol=1e-10, atol=1e-12)
    assert rank == np.linalg.matrix_rank(TALL)
    np.testing.assert_allclose(cond, np.linalg.cond(TALL), rtol=1e-10)
    np.testing.assert_allclose(norm, np.linalg.norm(TALL), rtol=1e-14)
    np.testing.assert_allclose(p3, np.linalg.matrix_power(TALL[:4], 3), rtol=1e-12)
    np.testing.assert_allclose(pm2, np.linalg.matrix_power(TALL[:4], -2), rtol=1e-8)


def test_vector_norms_and_products():
    @ember.jit
    def f(x, o, m):
        return (np.linalg.norm(x), np.linalg.norm(x, o), np.trace(m), np.kron(m, m[:2]),
                np.vdot(x, x), np.linalg.multi_dot((m, m, m)))
    x = np.array([3.0, -4.0, 0.5])
    m = np.arange(9.0).reshape(3, 3)
    for o in (1.0, 2.0, np.inf, -np.inf, 0.0, 3.0):
        got = f(x, o, m)
        np.testing.assert_allclose(got[1], np.linalg.norm(x, o), rtol=1e-14)
    np.testing.assert_allclose(got[0], np.linalg.norm(x), rtol=1e-15)
    assert got[2] == np.trace(m)
    np.testing.assert_array_equal(got[3], np.kron(m, m[:2]))
    assert got[4] == np.vdot(x, x)
    np.testing.assert_allclose(got[5], m @ m @ m)


def test_linalg_type_errors():
    @ember.jit
    def f(a):
        return np.linalg.inv(a)
    with pytest.raises(TypingError, match="two-dimensional"):
        f(np.ones(3))
    with pytest.raises(TypingError, match="bool"):
        f(np.ones((2, 2), np.bool_))
    with pytest.raises(UnsupportedError, match="argument of type"):
        f(3.0)

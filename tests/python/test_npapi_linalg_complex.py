"""np.linalg on complex64 and complex128 in compiled code (SciPy's c/z LAPACK through
ember/npapi/linalg.py), checked by reconstruction (A x = b, L L^H = A, U S V^H = A, Q R = A,
A v = w v) and against NumPy on well- and ill-conditioned input in C and F order, LinAlgError on
singular input as NumPy raises it; np.kron, np.outer, np.trace and np.vdot on complex arrays;
and every function once more on float32 and F-ordered operands."""
import numpy as np
import pytest

import ember

pytest.importorskip("scipy.linalg.cython_lapack")

RNG = np.random.default_rng(13)


def cnormal(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


A = cnormal(5, 5) + 5 * np.eye(5)
HPD = A @ A.conj().T + np.eye(5)  # Hermitian positive definite
TALL = cnormal(7, 4)
# condition ~1e6: Vandermonde on complex nodes close together
ILL = np.vander(np.exp(1j * np.linspace(0.0, 0.6, 5)), increasing=True)
COMPLEX = [np.complex128, np.complex64]


def tol(dtype):
    return 5e-4 if dtype in (np.complex64, np.float32) else 1e-10


def orders(a):
    """C and F copies of a for complex128 (complex64 only C: the layouts share the same code;
    test_every_function_f_order has every function on F-ordered complex128)."""
    if a.dtype == np.complex64:
        return [a]
    return [a, np.asfortranarray(a)]


@ember.jit
def solve_family(a, b):
    return (np.linalg.solve(a, b), np.linalg.inv(a), np.linalg.det(a), np.linalg.slogdet(a))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_solve_inv_det(dtype):
    for a in orders(A.astype(dtype)):
        b = cnormal(5).astype(dtype)
        x, inv, det, (sign, logdet) = solve_family(a, b)
        assert x.dtype == dtype and inv.dtype == dtype
        np.testing.assert_allclose(a @ x, b, rtol=tol(dtype), atol=tol(dtype))
        np.testing.assert_allclose(inv @ a, np.eye(5), atol=tol(dtype))
        np.testing.assert_allclose(det, np.linalg.det(a), rtol=tol(dtype))
        want = np.linalg.slogdet(a)
        np.testing.assert_allclose(sign, want[0], rtol=tol(dtype))
        np.testing.assert_allclose(logdet, want[1], rtol=tol(dtype))
        assert isinstance(logdet, float)  # real, as NumPy's (scalars come back as Python's)
        assert abs(abs(sign) - 1) < tol(dtype)
    x = solve_family(ILL, np.ones(5, complex))[0]
    np.testing.assert_allclose(ILL @ x, np.ones(5), rtol=1e-7, atol=1e-7)


def test_singular_complex():
    s = np.array([[1 + 1j, 2 + 2j], [2 + 2j, 4 + 4j]])
    for a in orders(s):
        with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
            solve_family(a, np.ones(2, complex))

    @ember.jit
    def det(a):
        return np.linalg.det(a), np.linalg.slogdet(a)
    d, (sign, logdet) = det(s)
    assert d == 0 and sign == 0 and logdet == -np.inf

    @ember.jit
    def chol(a):
        return np.linalg.cholesky(a)
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        chol(-HPD)


@ember.jit
def factorizations(a, h):
    return (np.linalg.cholesky(h), np.linalg.svd(a), np.linalg.svd(a, False), np.linalg.eigh(h),
            np.linalg.eigvalsh(h), np.linalg.qr(a))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_factorizations(dtype):
    t = tol(dtype)
    real = np.finfo(dtype).dtype
    tall, hpd = orders(TALL.astype(dtype)), orders(HPD.astype(dtype))
    for a, h in zip(tall, hpd[::-1]):  # C with F, F with C
        chol, (u, s, vh), (ur, sr, vhr), (w, v), wv, (q, r) = factorizations(a, h)
        np.testing.assert_allclose(chol @ chol.conj().T, h, rtol=t, atol=t * 10)
        assert np.allclose(np.triu(chol, 1), 0)
        assert s.dtype == real and u.dtype == dtype and u.shape == (7, 7)
        np.testing.assert_allclose((u[:, :4] * s) @ vh, a, atol=t * 10)
        np.testing.assert_allclose((ur * sr) @ vhr, a, atol=t * 10)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=t)
        assert w.dtype == real and wv.dtype == real
        np.testing.assert_allclose(h @ v, v * w, atol=t * 100)
        np.testing.assert_allclose(wv, np.linalg.eigvalsh(h), rtol=t)
        np.testing.assert_allclose(q @ r, a, atol=t * 10)
        np.testing.assert_allclose(q.conj().T @ q, np.eye(4), atol=t * 10)
        assert np.allclose(np.tril(r, -1), 0)


@ember.jit
def eigen(a):
    return np.linalg.eig(a), np.linalg.eigvals(a)


@pytest.mark.parametrize("dtype", COMPLEX)
def test_eig(dtype):
    for a in orders(A.astype(dtype)) + [ILL.astype(dtype)]:
        (w, v), w2 = eigen(a)
        assert w.dtype == dtype and v.dtype == dtype
        np.testing.assert_allclose(a @ v, v * w, atol=tol(dtype) * 100)
        np.testing.assert_allclose(np.sort_complex(w2), np.sort_complex(np.linalg.eigvals(a)),
                                   rtol=tol(dtype) * 10, atol=tol(dtype) * 10)


@ember.jit
def least_squares(a, b, bm):
    return np.linalg.lstsq(a, b), np.linalg.lstsq(a, bm), np.linalg.pinv(a)


@pytest.mark.parametrize("dtype", COMPLEX)
def test_lstsq_pinv(dtype):
    t = tol(dtype)
    for a in [TALL.astype(dtype)]:  # F order: test_every_function_f_order
        b = cnormal(7).astype(dtype)
        bm = cnormal(7, 2).astype(dtype)
        (x, res, rank, s), (xm, resm, _, _), p = least_squares(a, b, bm)
        wx, wres, wrank, ws = np.linalg.lstsq(a, b)
        np.testing.assert_allclose(x, wx, rtol=t * 10, atol=t)
        np.testing.assert_allclose(res, wres, rtol=t * 10)
        assert res.dtype == wres.dtype and rank == wrank == 4
        np.testing.assert_allclose(s, ws, rtol=t)
        np.testing.assert_allclose(xm, np.linalg.lstsq(a, bm)[0], rtol=t * 10, atol=t)
        assert resm.shape == (2,)
        np.testing.assert_allclose(p, np.linalg.pinv(a), rtol=t * 10, atol=t)
        np.testing.assert_allclose(a @ p @ a, a, atol=t * 10)


@ember.jit
def scalars(a, sq, k):
    return (np.linalg.matrix_rank(a), np.linalg.cond(sq), np.linalg.matrix_power(sq, k),
            np.linalg.norm(a), np.linalg.norm(a[:, 0], 1), np.linalg.norm(a[:, 0], np.inf),
            np.linalg.norm(a[:, 0], 2), np.linalg.multi_dot((a.T, a, sq[:a.shape[1]])))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_rank_cond_power_norm(dtype):
    t = tol(dtype)
    a, sq = TALL.astype(dtype), A.astype(dtype)
    rank, cond, power, fro, n1, ninf, n2, md = scalars(a, sq, 3)
    assert rank == 4
    np.testing.assert_allclose(cond, np.linalg.cond(sq), rtol=t * 10)
    np.testing.assert_allclose(power, np.linalg.matrix_power(sq, 3), rtol=t * 10)
    np.testing.assert_allclose(fro, np.linalg.norm(a), rtol=t)
    for got, o in ((n1, 1), (ninf, np.inf), (n2, 2)):
        np.testing.assert_allclose(got, np.linalg.norm(a[:, 0], o), rtol=t)
    np.testing.assert_allclose(md, np.linalg.multi_dot((a.T, a, sq[:4])), rtol=t * 10)
    np.testing.assert_allclose(scalars(a, sq, -2)[2], np.linalg.matrix_power(sq, -2),
                               rtol=t * 100, atol=t)
    low_rank = np.outer(cnormal(6), cnormal(5)).astype(dtype)
    assert scalars(low_rank, sq, 0)[0] == np.linalg.matrix_rank(low_rank) == 1


@ember.jit
def products(a, b, x, y):
    return np.kron(a, b), np.outer(x, y), np.trace(a), np.vdot(x, y), np.vdot(a, a)


def test_kron_outer_trace_vdot():
    a, b, x, y = cnormal(2, 3), cnormal(3, 2), cnormal(4), cnormal(4)
    for args in ((a, b, x, y), (np.asfortranarray(a), b, x, y.astype(np.complex64))):
        got = products(*args)
        want = (np.kron(args[0], args[1]), np.outer(args[2], args[3]), np.trace(args[0]),
                np.vdot(args[2], args[3]), np.vdot(args[0], args[0]))
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-6)
            assert np.asarray(g).dtype == np.asarray(w).dtype


@ember.jit
def everything(a, h, b):
    return (np.linalg.solve(a, b), np.linalg.inv(a), np.linalg.det(a), np.linalg.slogdet(a)[1],
            np.linalg.cholesky(h), np.linalg.svd(a)[1], np.linalg.eigh(h)[0],
            np.linalg.eigvalsh(h), np.linalg.eigvals(h), np.linalg.lstsq(a, b)[0],
            np.linalg.qr(a)[1], np.linalg.pinv(a), np.linalg.matrix_rank(a), np.linalg.norm(a),
            np.linalg.cond(a), np.linalg.matrix_power(a, 2), np.linalg.multi_dot((a, a, a)),
            np.kron(a, a), np.outer(b, b), np.trace(a), np.vdot(b, b))


@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_every_function_f_order(dtype):
    """float32 (which test_npapi_linalg.py sees in C order only) and complex128, F-ordered,
    against NumPy's values and dtypes."""
    real = np.finfo(dtype).dtype
    a = np.asfortranarray((A if np.dtype(dtype).kind == "c" else A.real).astype(dtype))
    h = np.asfortranarray((HPD if np.dtype(dtype).kind == "c" else (A.real @ A.real.T
                                                                   + np.eye(5))).astype(dtype))
    b = np.asarray(cnormal(5) if np.dtype(dtype).kind == "c" else RNG.normal(size=5), dtype)
    got = everything(a, h, b)
    want = (np.linalg.solve(a, b), np.linalg.inv(a), np.linalg.det(a), np.linalg.slogdet(a)[1],
            np.linalg.cholesky(h), np.linalg.svd(a)[1], np.linalg.eigh(h)[0],
            np.linalg.eigvalsh(h), np.linalg.eigvals(h), np.linalg.lstsq(a, b)[0],
            np.linalg.qr(a)[1], np.linalg.pinv(a), np.linalg.matrix_rank(a), np.linalg.norm(a),
            np.linalg.cond(a), np.linalg.matrix_power(a, 2), np.linalg.multi_dot((a, a, a)),
            np.kron(a, a), np.outer(b, b), np.trace(a), np.vdot(b, b))
    t = tol(dtype) * 100
    names = ("solve inv det slogdet cholesky svd eigh eigvalsh eigvals lstsq qr pinv "
             "matrix_rank norm cond matrix_power multi_dot kron outer trace vdot").split()
    for name, g, w in zip(names, got, want):
        if name == "eigvals":
            g, w = np.sort_complex(g), np.sort_complex(w)
        if name == "qr":  # R is unique up to the signs (phases) of its rows
            g, w = np.abs(g), np.abs(w)
        np.testing.assert_allclose(g, w, rtol=t, atol=t, err_msg=name)
        if name in ("svd", "eigh", "eigvalsh"):
            assert np.asarray(g).dtype == real, name
        elif name not in ("det", "slogdet", "norm", "cond", "matrix_rank", "trace", "vdot"):
            assert np.asarray(g).dtype == np.asarray(w).dtype, name

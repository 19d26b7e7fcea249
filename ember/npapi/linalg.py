"""np.linalg in compiled code through LAPACK (ember/npapi/lapack.py, runtime/Lapack.cpp):
solve, inv, det, slogdet, cholesky, svd, eigh, eigvalsh, eig, eigvals, lstsq, qr, pinv,
matrix_rank, norm, cond, matrix_power, multi_dot; and np.trace, np.kron, np.vdot.

Each function copies its operand into a C-contiguous buffer holding the matrix in column-major
order (LAPACK's), calls the routine, and copies the results back into C-ordered arrays, as
NumPy returns them.  Integer input is computed in float64; float32, complex64 and complex128
keep their dtype, as NumPy (complex matrices call the c/z routines, Hermitian ones cheevd/zheevd,
and singular values, Hermitian eigenvalues, norms and log-determinants come back real).
Singular input raises np.linalg.LinAlgError with NumPy's message.  np.linalg.eig of a real
matrix with complex eigenvalues raises ValueError (the result's dtype would depend on the
values), as Numba does.
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from . import TypingError, absent, lapack, literal, overload, unsupported

LinAlgError = np.linalg.LinAlgError


def _matrix(info, fname, square=True, ndims=(2,)):
    if info is None or not info.is_array:
        unsupported(fname, f"an argument of type {info}")
    if info.dtype.kind == "b":
        raise TypingError(f"{fname}(): array type bool is unsupported in linalg")
    if info.ndim not in ndims:
        raise TypingError(f"{fname}(): {info.ndim}-dimensional array given. Array must be "
                          f"{'two' if ndims == (2,) else 'one or two'}-dimensional")
    lapack.register(fname)
    if info.dtype in (np.float32, np.complex64, np.complex128):
        return info.dtype
    return np.dtype(np.float64)


@functools.lru_cache(None)
def _kernels(dtype):
    """The jitted implementations for one element type (float32, float64, complex64 or
    complex128)."""
    dt = np.dtype(dtype).type
    complex_kind = np.dtype(dtype).kind == "c"
    rt = np.finfo(dt).dtype.type  # the real type of the same precision
    eps = float(np.finfo(dt).eps)

    if complex_kind:
        @jit
        def conj(x):
            return np.conj(x)

        @jit
        def abs2(x):
            return x.real * x.real + x.imag * x.imag
    else:
        @jit
        def conj(x):
            return x

        @jit
        def abs2(x):
            return x * x

    @jit
    def fortran(a):
        """A C buffer (n, m) holding the m x n matrix a column by column."""
        w = np.empty((a.shape[1], a.shape[0]), dt)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                w[j, i] = a[i, j]
        return w

    @jit
    def back(w):
        """The C-ordered matrix a column-major buffer holds."""
        return w.T.copy()

    @jit
    def square(a):
        if a.shape[0] != a.shape[1]:
            raise LinAlgError("Last 2 dimensions of the array must be square")

    @jit
    def solve2(a, b):
        square(a)
        n = a.shape[0]
        if b.shape[0] != n:
            raise ValueError("solve: Input operand 1 has a mismatch in its core dimension 0")
        w = fortran(a)
        x = fortran(b)
        ipiv = np.empty(max(n, 1), np.int32)
        if n > 0 and b.shape[1] > 0:
            if lapack.gesv(w, ipiv, x, n, b.shape[1]) > 0:
                raise LinAlgError("Singular matrix")
        return back(x)

    @jit
    def solve1(a, b):
        return solve2(a, b.reshape((b.shape[0], 1)))[:, 0].copy()

    @jit
    def inv(a):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        x = np.zeros((n, n), dt)
        for i in range(n):
            x[i, i] = 1.0
        ipiv = np.empty(max(n, 1), np.int32)
        if n > 0 and lapack.gesv(w, ipiv, x, n, n) > 0:
            raise LinAlgError("Singular matrix")
        return back(x)

    @jit
    def slogdet(a):
        # sign is d / |d| of each pivot: +-1 for real input, a unit complex number otherwise.
        square(a)
        n = a.shape[0]
        w = fortran(a)
        ipiv = np.empty(max(n, 1), np.int32)
        if n > 0 and lapack.getrf(w, ipiv, n, n) > 0:
            return dt(0.0), rt(-np.inf)
        sign = dt(1.0)
        logdet = 0.0
        for i in range(n):
            d = w[i, i]
            if ipiv[i] != i + 1:
                sign = -sign
            m = abs(d)
            sign = sign * (d / m)
            logdet += np.log(m)
        return dt(sign), rt(logdet)

    @jit
    def det(a):
        sign, logdet = slogdet(a)
        return dt(sign * np.exp(logdet))

    @jit
    def cholesky(a):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        if n > 0 and lapack.potrf(w, n) > 0:
            raise LinAlgError("Matrix is not positive definite")
        out = np.zeros((n, n), dt)
        for j in range(n):
            for i in range(j, n):
                out[i, j] = w[j, i]
        return out

    @jit
    def svd(a, full_matrices):
        m, n = a.shape[0], a.shape[1]
        k = min(m, n)
        w = fortran(a)
        s = np.empty(k, rt)
        ucols = m if full_matrices else k
        vtrows = n if full_matrices else k
        u = np.zeros((ucols, m), dt)
        vt = np.zeros((n, vtrows), dt)
        if k > 0:
            job = 2 if full_matrices else 1
            if lapack.gesdd(w, s, u, vt, m, n, job, m, vtrows) > 0:
                raise LinAlgError("SVD did not converge")
        return back(u), s, back(vt)

    @jit
    def singular_values(a):
        m, n = a.shape[0], a.shape[1]
        k = min(m, n)
        w = fortran(a)
        s = np.empty(k, rt)
        dummy = np.empty((1, 1), dt)
        if k > 0 and lapack.gesdd(w, s, dummy, dummy, m, n, 0, 1, 1) > 0:
            raise LinAlgError("SVD did not converge")
        return s

    @jit
    def eigh(a):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        vals = np.empty(n, rt)
        if n > 0 and lapack.syevd(w, vals, n, 1) > 0:
            raise LinAlgError("Eigenvalues did not converge")
        return vals, back(w)

    @jit
    def eigvalsh(a):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        vals = np.empty(n, rt)
        if n > 0 and lapack.syevd(w, vals, n, 0) > 0:
            raise LinAlgError("Eigenvalues did not converge")
        return vals

    @jit
    def eig_complex(a, vectors):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        vals = np.empty(n, dt)
        unused = np.empty(1, dt)
        vr = np.empty((n, n), dt) if vectors else np.empty((1, 1), dt)
        if n > 0 and lapack.geev(w, vals, unused, vr, n, 1 if vectors else 0) > 0:
            raise LinAlgError("Eigenvalues did not converge")
        return vals, vr

    @jit
    def eig_parts(a, vectors):
        square(a)
        n = a.shape[0]
        w = fortran(a)
        wr = np.empty(n, dt)
        wi = np.empty(n, dt)
        vr = np.empty((n, n), dt) if vectors else np.empty((1, 1), dt)
        if n > 0 and lapack.geev(w, wr, wi, vr, n, 1 if vectors else 0) > 0:
            raise LinAlgError("Eigenvalues did not converge")
        for i in range(n):
            if wi[i] != 0.0:
                raise ValueError("eig() argument must not cause a domain change (the matrix "
                                 "has complex eigenvalues, which ember does not support yet)")
        return wr, vr

    eig_of = eig_complex if complex_kind else eig_parts

    @jit
    def eig(a):
        wr, vr = eig_of(a, True)
        return wr, back(vr)

    @jit
    def eigvals(a):
        return eig_of(a, False)[0]

    @jit
    def lstsq2(a, b, rcond):
        m, n = a.shape[0], a.shape[1]
        if b.shape[0] != m:
            raise LinAlgError("Incompatible dimensions")
        nrhs = b.shape[1]
        ldb = max(m, n, 1)
        w = fortran(a)
        x = np.zeros((nrhs, ldb), dt)
        for j in range(nrhs):
            for i in range(m):
                x[j, i] = b[i, j]
        s = np.empty(min(m, n), rt)
        rank = np.zeros(1, np.int64)
        cut = rcond if rcond >= 0 else eps * max(m, n)
        if m > 0 and n > 0 and nrhs > 0:
            if lapack.gelsd(w, x, s, rank, m, n, nrhs, ldb, cut) > 0:
                raise LinAlgError("SVD did not converge in Linear Least Squares")
        sol = np.empty((n, nrhs), dt)
        for j in range(nrhs):
            for i in range(n):
                sol[i, j] = x[j, i]
        if rank[0] == n and m > n:
            res = np.zeros(nrhs, rt)
            for j in range(nrhs):
                acc = rt(0.0)
                for i in range(n, m):
                    acc += abs2(x[j, i])
                res[j] = acc
        else:
            res = np.empty(0, rt)
        return sol, res, rank[0], s

    @jit
    def lstsq1(a, b, rcond):
        sol, res, rank, s = lstsq2(a, b.reshape((b.shape[0], 1)), rcond)
        return sol[:, 0].copy(), res, rank, s

    @jit
    def qr(a):
        m, n = a.shape[0], a.shape[1]
        k = min(m, n)
        w = fortran(a)
        tau = np.empty(max(k, 1), dt)
        if k > 0:
            lapack.geqrf(w, tau, m, n)
        r = np.zeros((k, n), dt)
        for j in range(n):
            for i in range(min(j + 1, k)):
                r[i, j] = w[j, i]
        q = w[:k].copy()
        if k > 0:
            lapack.orgqr(q, tau, m, k, k)
        return back(q), r

    @jit
    def pinv(a, rcond):
        u, s, vt = svd(a, False)
        m, n = a.shape[0], a.shape[1]
        k = s.shape[0]
        cutoff = rcond * (s.max() if k > 0 else 0.0)
        out = np.zeros((n, m), dt)
        for t in range(k):
            if s[t] > cutoff:
                inv_s = 1.0 / s[t]
                for i in range(n):  # V S^-1 U^H
                    f = conj(vt[t, i]) * inv_s
                    for j in range(m):
                        out[i, j] += f * conj(u[j, t])
        return out

    @jit
    def matrix_rank(a):
        s = singular_values(a)
        if s.shape[0] == 0:
            return 0
        tol = s.max() * max(a.shape[0], a.shape[1]) * eps
        r = 0
        for i in range(s.shape[0]):
            if s[i] > tol:
                r += 1
        return r

    @jit
    def cond(a):
        s = singular_values(a)
        return s[0] / s[s.shape[0] - 1]

    @jit
    def matrix_power(a, p):
        square(a)
        n = a.shape[0]
        base = inv(a) if p < 0 else a.astype(dt)
        e = -p if p < 0 else p
        result = np.zeros((n, n), dt)
        for i in range(n):
            result[i, i] = 1.0
        if e == 1:
            return base.copy()
        while e > 0:
            if e & 1:
                result = result @ base
            e >>= 1
            if e > 0:
                base = base @ base
        return result

    return {name: value for name, value in locals().items() if hasattr(value, "_impl")}


def _k(info, fname, **kw):
    return _kernels(_matrix(info, fname, **kw))


@overload(np.linalg.solve, "np.linalg.solve")
def solve(a, b):
    k = _k(a, "np.linalg.solve")
    _matrix(b, "np.linalg.solve", ndims=(1, 2))
    return (k["solve1"] if b.ndim == 1 else k["solve2"]), ("a", "b")


@overload(np.linalg.inv, "np.linalg.inv")
def inv(a):
    return _k(a, "np.linalg.inv")["inv"], ("a",)


@overload(np.linalg.det, "np.linalg.det")
def det(a):
    return _k(a, "np.linalg.det")["det"], ("a",)


@overload(np.linalg.slogdet, "np.linalg.slogdet")
def slogdet(a):
    return _k(a, "np.linalg.slogdet")["slogdet"], ("a",)


@overload(np.linalg.cholesky, "np.linalg.cholesky")
def cholesky(a, upper=None):
    if not absent(upper):
        unsupported("np.linalg.cholesky", "upper=")
    return _k(a, "np.linalg.cholesky")["cholesky"], ("a",)


@overload(np.linalg.svd, "np.linalg.svd")
def svd(a, full_matrices=None, compute_uv=None, hermitian=None):
    k = _k(a, "np.linalg.svd")
    if not absent(compute_uv) or not absent(hermitian):
        unsupported("np.linalg.svd", "compute_uv= and hermitian=")
    if absent(full_matrices):
        from .shapes import _wrap
        return _wrap(k["svd"], "a", "a, True"), ("a",)
    return k["svd"], ("a", "full_matrices")


@overload(np.linalg.eigh, "np.linalg.eigh")
def eigh(a, UPLO=None):
    literal(UPLO, "np.linalg.eigh(): UPLO", "L", ("L",))
    return _k(a, "np.linalg.eigh")["eigh"], ("a",)


@overload(np.linalg.eigvalsh, "np.linalg.eigvalsh")
def eigvalsh(a, UPLO=None):
    literal(UPLO, "np.linalg.eigvalsh(): UPLO", "L", ("L",))
    return _k(a, "np.linalg.eigvalsh")["eigvalsh"], ("a",)


@overload(np.linalg.eig, "np.linalg.eig")
def eig(a):
    return _k(a, "np.linalg.eig")["eig"], ("a",)


@overload(np.linalg.eigvals, "np.linalg.eigvals")
def eigvals(a):
    return _k(a, "np.linalg.eigvals")["eigvals"], ("a",)


@overload(np.linalg.lstsq, "np.linalg.lstsq")
def lstsq(a, b, rcond=None):
    k = _k(a, "np.linalg.lstsq")
    _matrix(b, "np.linalg.lstsq", ndims=(1, 2))
    impl = k["lstsq1"] if b.ndim == 1 else k["lstsq2"]
    if absent(rcond):
        from .shapes import _wrap
        return _wrap(impl, "a, b", "a, b, -1.0"), ("a", "b")
    return impl, ("a", "b", "rcond")


@overload(np.linalg.qr, "np.linalg.qr")
def qr(a, mode=None):
    literal(mode, "np.linalg.qr(): mode", "reduced", ("reduced",))
    return _k(a, "np.linalg.qr")["qr"], ("a",)


@overload(np.linalg.pinv, "np.linalg.pinv")
def pinv(a, rcond=None, hermitian=None, rtol=None):
    k = _k(a, "np.linalg.pinv")
    if not absent(hermitian) or not absent(rtol):
        unsupported("np.linalg.pinv", "hermitian= and rtol=")
    if absent(rcond):
        from .shapes import _wrap
        return _wrap(k["pinv"], "a", "a, 1e-15"), ("a",)
    return k["pinv"], ("a", "rcond")


@overload(np.linalg.matrix_rank, "np.linalg.matrix_rank")
def matrix_rank(A, tol=None, hermitian=None, rtol=None):
    if not absent(tol) or not absent(hermitian) or not absent(rtol):
        unsupported("np.linalg.matrix_rank", "tol=, hermitian= and rtol=")
    return _k(A, "np.linalg.matrix_rank")["matrix_rank"], ("A",)


@overload(np.linalg.cond, "np.linalg.cond")
def cond(x, p=None):
    if not absent(p):
        unsupported("np.linalg.cond", "p=")
    return _k(x, "np.linalg.cond")["cond"], ("x",)


@overload(np.linalg.matrix_power, "np.linalg.matrix_power")
def matrix_power(a, n):
    if not n.is_number or n.dtype.kind not in "iu":
        raise TypingError("np.linalg.matrix_power(): exponent must be an integer")
    return _k(a, "np.linalg.matrix_power")["matrix_power"], ("a", "n")


# ---- functions that need no LAPACK ----------------------------------------------------------

@jit
def _norm_vec(x):
    flat = x.ravel()
    s = 0.0
    for i in range(flat.shape[0]):
        s += flat[i] * flat[i]
    return np.sqrt(s)


@jit
def _norm_vec_complex(x):
    flat = x.ravel()
    s = 0.0
    for i in range(flat.shape[0]):
        v = flat[i]
        s += v.real * v.real + v.imag * v.imag
    return np.sqrt(s)


@jit
def _abs_vec(x):
    """|x| of a complex vector as float64 (np.abs of complex arrays is not compiled yet)."""
    out = np.empty(x.shape[0], np.float64)
    for i in range(x.shape[0]):
        out[i] = abs(x[i])
    return out


@jit
def _norm_ord_complex(x, ord):
    if x.ndim != 1:
        raise ValueError("ember supports ord= for vectors only")
    if ord == 2:
        return np.float64(_norm_vec_complex(x))
    return _norm_ord(_abs_vec(x), ord)


@jit
def _norm_ord(x, ord):
    if x.ndim != 1:
        raise ValueError("ember supports ord= for vectors only")
    n = x.shape[0]
    if ord == np.inf:
        return np.float64(np.abs(x).max()) if n else 0.0
    if ord == -np.inf:
        return np.float64(np.abs(x).min()) if n else 0.0
    if ord == 0:
        return np.float64(np.sum(x != 0))
    if ord == 1:
        return np.float64(np.sum(np.abs(x)))
    if ord == 2:
        return np.float64(_norm_vec(x))
    return np.float64(np.sum(np.abs(x) ** ord) ** (1.0 / ord))


@overload(np.linalg.norm, "np.linalg.norm")
def norm(x, ord=None, axis=None, keepdims=None):
    if x is None or not x.is_array:
        unsupported("np.linalg.norm", f"x of type {x}")
    if not absent(axis) or not absent(keepdims):
        unsupported("np.linalg.norm", "axis= and keepdims=")
    is_complex = x.dtype.kind == "c"
    if absent(ord) or ord.kind == "str" and ord.value == "fro":
        return (_norm_vec_complex if is_complex else _norm_vec), ("x",)
    if x.ndim != 1:
        unsupported("np.linalg.norm", "ord= for matrices")
    return (_norm_ord_complex if is_complex else _norm_ord), ("x", "ord")


@functools.lru_cache(None)
def _multi_dot_impl(n):
    from .shapes import _generate
    body = " @ ".join(f"arrays[{k}]" for k in range(n))
    return _generate("impl", f"def impl(arrays):\n    return {body}\n")


@overload(np.linalg.multi_dot, "np.linalg.multi_dot")
def multi_dot(arrays, out=None):
    if arrays is None or arrays.kind != "tuple" or len(arrays.elems) < 2:
        raise TypingError("np.linalg.multi_dot(): expecting a tuple of at least two arrays")
    return _multi_dot_impl(len(arrays.elems)), ("arrays",)


@functools.lru_cache(None)
def _trace_impl(dtype):
    rt = np.sum(np.zeros(1, dtype)).dtype.type  # NumPy's sum promotion

    @jit
    def trace(a):
        s = rt(0)
        for i in range(min(a.shape[0], a.shape[1])):
            s += a[i, i]
        return s
    return trace


@overload(np.trace)
def trace(a, offset=None, axis1=None, axis2=None, dtype=None, out=None):
    if a is None or not a.is_array or a.ndim != 2:
        unsupported("np.trace", f"'a' of type {a} (a 2-d array is)")
    if not (absent(offset) and absent(axis1) and absent(axis2) and absent(dtype) and absent(out)):
        unsupported("np.trace", "offset=, axis1=, axis2=, dtype= and out=")
    return _trace_impl(a.dtype), ("a",)


@functools.lru_cache(None)
def _kron_impl(dtype, ndim_a, ndim_b):
    from .shapes import _generate
    as2 = {1: "{0}.reshape((1, {0}.shape[0]))", 2: "{0}"}
    src = f"""def kron(a, b):
    a2 = {as2[ndim_a].format("a")}
    b2 = {as2[ndim_b].format("b")}
    p, q = a2.shape[0], a2.shape[1]
    r, s = b2.shape[0], b2.shape[1]
    out = np.empty((p * r, q * s), dt)
    for i in range(p):
        for j in range(q):
            for k in range(r):
                for m in range(s):
                    out[i * r + k, j * s + m] = a2[i, j] * b2[k, m]
    return {"out[0].copy()" if ndim_a == 1 and ndim_b == 1 else "out"}
"""
    return _generate("kron", src, dt=np.dtype(dtype).type)


@overload(np.kron)
def kron(a, b):
    for info in (a, b):
        if info is None or not info.is_array or info.ndim not in (1, 2):
            unsupported("np.kron", f"an argument of type {info} (1-d and 2-d arrays are)")
    return _kron_impl(np.result_type(a.dtype, b.dtype), a.ndim, b.ndim), ("a", "b")


@jit
def _vdot(a, b):
    x = a.ravel()
    y = b.ravel()
    if x.shape[0] != y.shape[0]:
        raise ValueError("vdot: the arrays must have the same number of elements")
    return np.dot(x, y)


@functools.lru_cache(None)
def _vdot_complex(dtype):
    rt = np.dtype(dtype).type

    @jit
    def vdot(a, b):
        x = a.ravel()
        y = b.ravel()
        if x.shape[0] != y.shape[0]:
            raise ValueError("vdot: the arrays must have the same number of elements")
        s = rt(0)
        for i in range(x.shape[0]):
            s += np.conj(x[i]) * y[i]
        return s
    return vdot


@overload(np.vdot)
def vdot(a, b):
    for info in (a, b):
        if info is None or not info.is_array:
            unsupported("np.vdot", f"an argument of type {info}")
    if a.dtype.kind == "c" or b.dtype.kind == "c":  # vdot conjugates its first argument
        return _vdot_complex(np.result_type(a.dtype, b.dtype)), ("a", "b")
    return _vdot, ("a", "b")

"""NumPy's ufuncs on complex numbers and arrays (np.abs, np.exp, np.log, np.sqrt, trigonometry,
np.isnan/isinf/isfinite, np.conjugate) compared with NumPy: complex64 and complex128, scalars,
strided views, points on the branch cuts with both signs of zero, and the Julia-set loop."""
import numpy as np
import pytest

import ember

_FUNCS = ["sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan",
          "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh"]


def _kernel(name):
    return ember.jit(eval(f"lambda z: np.{name}(z)", {"np": np}))


def _points(dtype):
    rng = np.random.default_rng(1234)
    z = rng.uniform(-3, 3, 40) + 1j * rng.uniform(-3, 3, 40)
    # the branch cuts: the negative real axis (sqrt, log), |re| > 1 on the real axis (arcsin,
    # arccos), |im| > 1 on the imaginary axis (arctan), each with +0 and -0 imaginary parts
    cuts = [complex(-2.0, 0.0), complex(-2.0, -0.0), complex(2.0, 0.0), complex(2.0, -0.0),
            complex(0.0, 2.0), complex(-0.0, 2.0), complex(0.0, -2.0), complex(-0.0, -2.0),
            1e-9 + 1e-9j, 0j]
    return np.concatenate([z, np.array(cuts)]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("name", _FUNCS)
def test_complex_array_ufunc(name, dtype):
    z = _points(dtype)
    f = _kernel(name)
    with np.errstate(divide="ignore", invalid="ignore"):
        got, want = f(z), getattr(np, name)(z)
        strided, strided_want = f(z[::3]), getattr(np, name)(z[::3])
    assert got.dtype == want.dtype
    rtol = 1e-12 if dtype == np.complex128 else 2e-6
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 1e-3)
    # the sign of a zero part decides the side of a cut: NumPy's, exactly
    np.testing.assert_array_equal(np.signbit(got.imag), np.signbit(want.imag))
    np.testing.assert_allclose(strided, strided_want, rtol=rtol, atol=rtol * 1e-3)


@pytest.mark.parametrize("name", _FUNCS)
def test_complex_scalar_ufunc(name):
    f = _kernel(name)
    for z in [0.3 - 1.7j, complex(-2.0, -0.0), np.complex64(0.5 + 0.25j)]:
        got, want = f(z), getattr(np, name)(z)
        assert type(got) is type(want.item()) or np.asarray(got).dtype == want.dtype
        assert np.allclose(got, want, rtol=1e-6)
        assert np.signbit(np.imag(got)) == np.signbit(np.imag(want))


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_abs_and_tests_of_complex_arrays(dtype):
    z = _points(dtype)
    z[3], z[5], z[7] = complex(np.nan, 1), complex(1, np.inf), complex(-np.inf, np.nan)

    @ember.jit
    def parts(z):
        return np.abs(z), abs(z), np.isnan(z), np.isinf(z), np.isfinite(z), np.conjugate(z)

    got = parts(z)
    want = (np.abs(z), abs(z), np.isnan(z), np.isinf(z), np.isfinite(z), np.conjugate(z))
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)

    @ember.jit
    def scalar_tests(z):
        return np.isnan(z), np.isinf(z), np.isfinite(z)

    for v in [complex(np.nan, 0), complex(0, -np.inf), 1 + 2j]:
        assert scalar_tests(v) == (np.isnan(v), np.isinf(v), np.isfinite(v))


@ember.jit
def julia(zs, c, steps):
    z = zs.copy()
    count = np.zeros(z.shape, np.int64)
    for _ in range(steps):
        z = z * z + c
        mask = np.abs(z) < 2
        count += mask
    return count


def test_julia_set():
    x = np.linspace(-1.5, 1.5, 24)
    zs = x[None, :] + 1j * x[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.array_equal(julia(zs, -0.4 + 0.6j, 30), julia.py_func(zs, -0.4 + 0.6j, 30))

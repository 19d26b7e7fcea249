"""@stencil against a plain-Python application of the same kernel: relative indices, the
inferred and the given neighbourhood, cval, out=, several arrays and scalars,
standard_indexing, calls from compiled code, and the errors."""
import itertools

import numpy as np
import pytest

import ember
from ember import stencil
from ember.errors import TypingError


def apply_reference(kernel, neighborhood, shape, args, cval=0, dtype=np.float64):
    """The kernel run in Python at every interior point, with relative reads made absolute."""
    out = np.full(shape, cval, dtype)
    ranges = [range(-lo, n - hi) for (lo, hi), n in zip(neighborhood, shape)]

    class At:
        def __init__(self, a, p):
            self.a, self.p = a, p

        def __getitem__(self, idx):
            idx = idx if isinstance(idx, tuple) else (idx,)
            return self.a[tuple(p + d for p, d in zip(self.p, idx))]

    for p in itertools.product(*ranges):
        out[p] = kernel(*[At(a, p) if isinstance(a, np.ndarray) else a for a in args])
    return out


def five_point(a):
    return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])


def test_five_point_laplacian_matches_python():
    k = stencil(five_point)
    a = np.random.default_rng(1).normal(size=(7, 9))
    got = k(a)
    assert k.neighborhood == ((-1, 1), (-1, 1))
    np.testing.assert_allclose(got, apply_reference(five_point, k.neighborhood, a.shape, [a]))


def weighted(a, b, w):
    return a[-2] * w + b[1] - a[0]


def test_several_arrays_scalars_cval_and_out():
    k = stencil(weighted, cval=-1.5)
    x, y = np.arange(10.0) ** 2, np.linspace(0, 1, 10)
    want = apply_reference(weighted, ((-2, 1),), x.shape, [x, y, 0.5], cval=-1.5)
    np.testing.assert_allclose(k(x, y, 0.5), want)
    out = np.full(10, 42.0)
    k(x, y, 0.5, out=out)  # the border of a given out= is left as it was
    np.testing.assert_allclose(out[2:-1], want[2:-1])
    assert (out[:2] == 42.0).all() and out[-1] == 42.0


def test_integer_kernel_gives_an_integer_array():
    k = stencil(lambda a: a[-1] + a[1])
    r = k(np.arange(6))
    assert r.dtype == np.int64 and r.tolist() == [0, 2, 4, 6, 8, 0]


def test_given_neighborhood_with_a_loop_of_relative_reads():
    @stencil(neighborhood=((-3, 0),))
    def trailing_mean(a):
        s = 0.0
        for i in range(-3, 1):
            s += a[i]
        return s / 4

    a = np.random.default_rng(2).normal(size=12)
    want = np.zeros(12)
    want[3:] = np.convolve(a, np.ones(4) / 4, mode="valid")
    np.testing.assert_allclose(trailing_mean(a), want)


def test_standard_indexing_and_closure_values():
    scale = 3.0

    @stencil(standard_indexing=("w",))
    def taps(a, w):
        return scale * (w[0] * a[-1] + w[1] * a[0] + w[2] * a[1])

    a, w = np.arange(8.0), np.array([0.25, 0.5, 0.25])
    want = np.zeros(8)
    want[1:-1] = scale * np.convolve(a, w[::-1], mode="valid")
    np.testing.assert_allclose(taps(a, w), want)


def test_called_from_compiled_code():
    k = stencil(five_point)

    @ember.njit
    def relax(a, steps):
        for _ in range(steps):
            a = a + k(a)
        return a

    a = np.random.default_rng(3).normal(size=(6, 6))
    want = a.copy()
    for _ in range(3):
        want = want + apply_reference(five_point, ((-1, 1), (-1, 1)), a.shape, [want])
    np.testing.assert_allclose(relax(a, 3), want)


def test_errors():
    def moving(a, n):
        return a[n]

    with pytest.raises(TypingError, match="neighborhood= option") as e:
        stencil(moving)(np.arange(5.0), 1)
    assert "return a[n]" in str(e.value)
    with pytest.raises(ValueError, match="same shape"):
        stencil(weighted)(np.arange(5.0), np.arange(6.0), 1.0)
    with pytest.raises(ValueError, match="not supported"):
        stencil(func_or_mode="reflect")(five_point)
    with pytest.raises(TypingError, match="axes"):
        stencil(five_point)(np.arange(5.0))


# ---- against NumPy slicing, and under parallel=True ----------------------------------------

def centred_1d(a):
    return a[-1] - 2.0 * a[0] + a[1]


def cross_2d(a):
    return a[-1, 0] + a[1, 0] + a[0, -1] + a[0, 1] - 4.0 * a[0, 0]


def box_3d(a):
    return a[-1, 0, 0] + a[1, 0, 0] + a[0, -1, 0] + a[0, 1, 0] + a[0, 0, -1] + a[0, 0, 2]


def sliced_1d(a):
    out = np.zeros_like(a)
    out[1:-1] = a[:-2] - 2.0 * a[1:-1] + a[2:]
    return out


def sliced_2d(a):
    out = np.zeros_like(a)
    out[1:-1, 1:-1] = (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:]
                       - 4.0 * a[1:-1, 1:-1])
    return out


def sliced_3d(a):
    """box_3d's neighbourhood is (-1, 1) on the first two axes and (-1, 2) on the last."""
    out = np.zeros_like(a)
    c = (slice(1, -1), slice(1, -1), slice(1, -2))
    out[c] = (a[:-2, 1:-1, 1:-2] + a[2:, 1:-1, 1:-2] + a[1:-1, :-2, 1:-2] + a[1:-1, 2:, 1:-2]
              + a[1:-1, 1:-1, :-3] + a[1:-1, 1:-1, 3:])
    return out


@pytest.mark.parametrize("kernel, sliced, shape", [
    (centred_1d, sliced_1d, (17,)),
    (cross_2d, sliced_2d, (9, 11)),
    (box_3d, sliced_3d, (6, 7, 8)),
], ids=["1d", "2d", "3d"])
def test_matches_numpy_slicing_from_python_and_compiled_code(kernel, sliced, shape):
    k = stencil(kernel)
    a = np.random.default_rng(len(shape)).normal(size=shape)
    want = sliced(a)

    @ember.njit
    def apply(a):
        return k(a)

    np.testing.assert_allclose(k(a), want, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(apply(a), want, rtol=1e-13, atol=1e-13)


def test_under_parallel_true_runs_a_prange_driver_with_the_same_result():
    k = stencil(cross_2d)

    def apply(a, b):
        return k(a) + k(b, out=np.full_like(b, 7.0))

    serial, parallel = ember.njit(apply), ember.njit(parallel=True)(apply)
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(40, 30)), rng.normal(size=(40, 30))
    into = np.full_like(b, 7.0)  # out= keeps its border
    into[1:-1, 1:-1] = sliced_2d(b)[1:-1, 1:-1]
    want = sliced_2d(a) + into
    np.testing.assert_allclose(parallel(a, b), want, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(serial(a, b), want, rtol=1e-13, atol=1e-13)
    # The parallel caller's stencil is a parallel loop (outlined as a prange body); the serial
    # caller's is not.
    assert ".prange" in "".join(parallel.inspect_llvm().values())
    assert ".prange" not in "".join(serial.inspect_llvm().values())

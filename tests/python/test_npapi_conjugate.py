"""ndarray.conjugate / ndarray.conj / np.conjugate against NumPy: complex and real dtypes, C, F,
strided and empty arrays; the result is a new array of the input's dtype (NumPy returns the
input's values for real arrays, as a copy)."""

import numpy as np
import pytest

import ember

CASES = [
    np.array([[1 + 2j, 3 - 4j], [-1j, 2]]),
    (np.arange(6) * (1 - 1j)).astype(np.complex64)[::2],
    np.asfortranarray((np.arange(12) - 5j).reshape(3, 4)),
    np.array([1.5, -2.0], dtype=np.float32),
    np.arange(6).reshape(2, 3),
    np.zeros((0, 3), dtype=np.complex128),
]


@ember.njit
def conjugate_method(a):
    return a.conjugate()


@ember.njit
def conj_method(a):
    return a.conj()


@ember.njit
def conjugate_function(a):
    return np.conjugate(a)


@pytest.mark.parametrize("a", CASES, ids=lambda a: f"{a.dtype}-{a.shape}")
@pytest.mark.parametrize(
    "f",
    [conjugate_method, conj_method, conjugate_function],
    ids=["conjugate", "conj", "np.conjugate"],
)
def test_conjugate_matches_numpy(f, a):
    want = f.py_func(a)
    got = f(a)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_conjugate_is_a_new_array():
    a = np.array([1 + 1j, 2 - 2j])
    got = conjugate_method(a)
    got[0] = 0
    assert a[0] == 1 + 1j

"""ember.types and the top-level type names: Numba's spelling, signatures built by calling a
type (``float64(int64[:])``), and ``ember.typeof``."""
import numpy as np
import pytest

import ember
from ember import float64, int32, int64, types, unicode_type
from ember.errors import TypingError


def test_names_match_numba():
    assert repr(types.int64) == "int64" and ember.int64 is types.int64
    assert repr(types.float64[:]) == "array(float64, 1d, A)"
    assert repr(types.float32[:, ::1]) == "array(float32, 2d, C)"
    assert repr(types.float32[::1, :]) == "array(float32, 2d, F)"
    assert repr(types.int8[::1]) == "array(int8, 1d, C)"
    assert repr(types.unicode_type) == "unicode_type" and types.string == types.unicode_type
    assert repr(types.UniTuple(int64, 3)) == "UniTuple(int64, 3)"
    assert repr(types.Tuple((int64, float64))) == "Tuple(int64, float64)"
    assert repr(types.Array(types.float64, 2, "F")) == "array(float64, 2d, F)"
    assert types.Array(float64, 1, "A") == float64[:]
    assert repr(float64(int64[:], int32)) == "float64(array(int64, 1d, A), int32)"


def test_typeof():
    assert ember.typeof(1) == types.int64
    assert ember.typeof(1.5) == types.float64
    assert ember.typeof(True) == types.boolean
    assert ember.typeof("é") == unicode_type
    assert ember.typeof(np.zeros((2, 3), np.float32)) == types.float32[:, ::1]
    assert ember.typeof(np.zeros((2, 3))[:, ::2]) == types.float64[:, :]
    assert ember.typeof((1, 2.0)) == types.Tuple((int64, float64))
    with pytest.raises(ValueError):
        ember.typeof(object())


def test_explicit_signature_objects():
    @ember.njit(float64(int64[:]))
    def mean(a):
        return a.sum() / len(a)

    assert mean(np.arange(5)) == 2.0
    with pytest.raises(TypeError):  # compiled for int64 arrays only
        mean(np.arange(5.0))

    @ember.njit([int64(int64, int64), float64(float64, float64)])
    def add(a, b):
        return a + b

    assert add(2, 3) == 5 and type(add(2, 3)) is int
    assert add(2.5, 0.25) == 2.75

    @ember.njit(unicode_type(unicode_type, int64))
    def shout(s, n):
        return s.upper() * n

    assert shout("é", 2) == "ÉÉ"


def test_signature_strings_with_strings_and_bad_signatures():
    @ember.njit("unicode_type(unicode_type)")
    def twice(s):
        return s + s

    assert twice("ab") == "abab"
    with pytest.raises(TypingError):
        ember.njit("float64(str[:])")(lambda a: a)
    with pytest.raises(TypeError):
        types.unicode_type[:]

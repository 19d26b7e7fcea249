"""np.iinfo and np.finfo in compiled code (ember/npapi/info.py) against NumPy's: every integer
and float dtype given as a class, as a.dtype and as a number; float32 limits keep float32; a
complex dtype gives its component's limits; the wrong kind is a TypingError."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError

INTEGERS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FIELDS = ("eps", "epsneg", "max", "min", "tiny", "smallest_normal", "resolution", "bits",
          "precision", "iexp", "machep", "maxexp", "minexp", "negep", "nexp", "nmant")


@ember.jit
def int_limits(a):
    i = np.iinfo(a.dtype)
    return i.min, i.max, i.bits, np.iinfo(a[0]).max


@ember.jit
def float_limits(a):
    f = np.finfo(a.dtype)
    return (f.eps, f.epsneg, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.bits,
            f.precision, f.iexp, f.machep, f.maxexp, f.minexp, f.negep, f.nexp, f.nmant)


@ember.jit
def by_class():
    return np.iinfo(np.int16).max, np.finfo(np.float32).eps, np.finfo(np.complex128).max


def test_iinfo():
    for t in INTEGERS:
        info = np.iinfo(t)
        assert int_limits(np.zeros(2, t)) == (info.min, info.max, info.bits, info.max)


def test_finfo():
    for t in (np.float32, np.float64, np.complex64, np.complex128):
        info = np.finfo(t)
        got = float_limits(np.zeros(2, t))
        for name, g in zip(FIELDS, got):
            want = getattr(info, name)
            assert g == want, (t, name)
    eps32 = ember.jit(lambda a: np.finfo(a.dtype).eps * a)(np.ones(2, np.float32))
    assert eps32.dtype == np.float32 and eps32[0] == np.finfo(np.float32).eps
    assert by_class() == (np.iinfo(np.int16).max, np.finfo(np.float32).eps,
                          np.finfo(np.complex128).max)


def test_wrong_kind():
    with pytest.raises(TypingError, match="integer"):
        ember.jit(lambda a: np.iinfo(a.dtype).max)(np.ones(2))
    with pytest.raises(TypingError, match="inexact"):
        ember.jit(lambda a: np.finfo(a.dtype).eps)(np.ones(2, np.int32))

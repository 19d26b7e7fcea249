"""np.dtype in compiled code (a compile-time value, as `a.dtype` is): built from a dtype name
(NumPy's names, one-letter codes and C names, with or without a little-endian or native byte
order mark), a NumPy scalar class, a Python number class or another dtype; used as the dtype of
np.empty / np.zeros / np.full / np.arange and astype, and compared with `a.dtype` and scalar
classes.  Results against NumPy's; an unknown name, a big-endian dtype, another argument type,
align= / copy= and returning a dtype to Python are errors naming the problem."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

NAMES = ["bool", "?", "b1", "int8", "i1", "int16", "i2", "int32", "i4", "int64", "i8", "int",
         "intp", "uint8", "u1", "uint16", "u2", "uint32", "u4", "uint64", "u8", "uintp",
         "float16", "f2", "half", "float32", "f4", "single", "float64", "f8", "float", "double",
         "complex64", "c8", "complex128", "c16", "complex", "b", "B", "h", "H", "i", "I", "l",
         "L", "q", "Q", "p", "P", "e", "f", "d", "F", "D", "uint", "byte", "ubyte", "short",
         "ushort", "intc", "uintc", "long", "ulong", "longlong", "ulonglong", "csingle",
         "cdouble", "<f8", "=i4", "|b1", "<c8", "=u2"]


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


def _empty_of(name):
    return ember.jit(eval(f"lambda n: np.empty(n, np.dtype({name!r}))", {"np": np}))


@pytest.mark.parametrize("name", NAMES)
def test_names(name):
    assert _empty_of(name)(3).dtype == np.dtype(name)


@ember.jit
def from_classes(n):
    return (np.zeros(n, np.dtype(np.int32)), np.ones(n, dtype=np.dtype(np.float32)),
            np.zeros(n, np.dtype(float)), np.zeros(n, np.dtype(int)),
            np.zeros(n, np.dtype(bool)), np.zeros(n, np.dtype(complex)),
            np.zeros(n, np.dtype(np.uint16)), np.full(n, 7, np.dtype(np.int8)))


def test_classes():
    got = from_classes(4)
    want = (np.zeros(4, np.dtype(np.int32)), np.ones(4, dtype=np.dtype(np.float32)),
            np.zeros(4, np.dtype(float)), np.zeros(4, np.dtype(int)), np.zeros(4, np.dtype(bool)),
            np.zeros(4, np.dtype(complex)), np.zeros(4, np.dtype(np.uint16)),
            np.full(4, 7, np.dtype(np.int8)))
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


F4 = np.dtype("f4")


@ember.jit
def of_dtypes(a):
    return (np.empty_like(a, np.dtype(a.dtype)), np.zeros(3, np.dtype(F4)),
            a.astype(np.dtype("int16")), a.astype(np.dtype(np.complex64)),
            np.arange(5, dtype=np.dtype("u1")), np.dtype(a.dtype) == a.dtype)


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.uint8, np.complex128, np.float32])
def test_dtypes_and_astype(dtype):
    a = (np.arange(6) % 4).astype(dtype)
    e, z, i16, c64, r, same = of_dtypes(a)
    assert e.dtype == a.dtype and e.shape == a.shape
    assert z.dtype == np.float32
    assert i16.dtype == np.int16 and c64.dtype == np.complex64
    np.testing.assert_array_equal(i16, a.astype(np.dtype("int16")))
    np.testing.assert_array_equal(c64, a.astype(np.dtype(np.complex64)))
    assert r.dtype == np.uint8
    np.testing.assert_array_equal(r, np.arange(5, dtype=np.dtype("u1")))
    assert same is True


@ember.jit
def compare(a):
    return (a.dtype == np.dtype("float64"), a.dtype != np.dtype("float64"),
            a.dtype == np.dtype(np.int32), np.dtype("f8") == np.float64,
            np.dtype("i4") == np.dtype("int32"), np.dtype("i4") == np.dtype("i8"))


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.float32, np.int64])
def test_comparisons(dtype):
    a = np.zeros(2, dtype)
    want = (a.dtype == np.dtype("float64"), a.dtype != np.dtype("float64"),
            a.dtype == np.dtype(np.int32), np.dtype("f8") == np.float64,
            np.dtype("i4") == np.dtype("int32"), np.dtype("i4") == np.dtype("i8"))
    assert compare(a) == want


@ember.jit
def branch(a):
    if a.dtype == np.dtype("float32"):
        return a.astype(np.dtype("float64")) * 2.0
    return a.astype(np.dtype(np.float64))


def test_branch_on_dtype():
    np.testing.assert_array_equal(branch(np.ones(3, np.float32)), np.full(3, 2.0))
    np.testing.assert_array_equal(branch(np.ones(3)), np.ones(3))


def test_errors():
    with pytest.raises(TypingError, match="np.dtype\\(\\): data type 'float99' not understood"):
        ember.jit(lambda: np.empty(2, np.dtype("float99")))()
    with pytest.raises(TypingError, match="data type '>f8' not understood"):
        ember.jit(lambda: np.empty(2, np.dtype(">f8")))()
    with pytest.raises(TypingError, match="np.dtype\\(\\) takes a dtype name"):
        ember.jit(lambda n: np.empty(2, np.dtype(n)))(3)
    with pytest.raises(UnsupportedError, match="align= and copy="):
        ember.jit(lambda: np.empty(2, np.dtype("f8", align=True)))()
    with pytest.raises(UnsupportedError, match="cannot be returned from compiled code"):
        ember.jit(lambda: np.dtype("f8"))()


@ember.jit
def empty_of(n, dt):
    return np.empty(n, dt)


@ember.jit
def cast_unless_same(a, dt):
    if a.dtype == dt:
        return a.astype(np.float64) * 0.0 - 1.0
    return a.astype(dt).astype(np.float64)


@pytest.mark.parametrize("dt", [np.float32, np.dtype("f4"), np.dtype("int16"), float, int,
                                np.complex64, np.uint8, np.dtype("M8[s]"), np.dtype("<u4")])
def test_dtype_arguments(dt):
    # As Numba's DType / NumberClass arguments: compiled per dtype, the value a constant.
    got = empty_of(3, dt)
    assert got.dtype == np.dtype(dt) and got.shape == (3,)


def test_dtype_arguments_steer_the_code():
    a = np.array([1.5, 2.5, -3.5])
    np.testing.assert_array_equal(cast_unless_same(a, np.int32), a.astype(np.int32))
    np.testing.assert_array_equal(cast_unless_same(a, np.dtype("f8")), np.full(3, -1.0))
    np.testing.assert_array_equal(cast_unless_same(a, np.float32), a.astype(np.float32))
    f = ember.jit(lambda dt, n: np.zeros(n, dtype=np.dtype(dt)))
    assert f(np.uint16, 2).dtype == np.uint16 and f(dt=np.int8, n=4).dtype == np.int8


def test_unsupported_dtype_argument():
    with pytest.raises(TypingError, match="argument 'dt'"):
        empty_of(2, np.dtype("U4"))


def test_typeof():
    for v, name in ((np.float32, "float32"), (np.dtype("f4"), "float32"), (float, "float64"),
                    (bool, "bool"), (np.dtype("<i2"), "int16")):
        t = ember.typeof(v)
        assert isinstance(t, ember.types.NumberClass) and str(t) == f"class({name})"
        assert t.instance_type is not None
    with pytest.raises(ValueError, match="StrDType"):
        ember.typeof(np.dtype("U3"))

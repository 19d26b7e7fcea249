"""bytes and bytearray in compiled code (typeinfer/BytesRules.cpp, lowering/CodeGenBytes.cpp,
bindings/Bytes.cpp), against CPython and NumPy: arguments and results (an unchanged argument
comes back as itself, anything else as a new bytes / bytearray), len, indexing (an int),
iteration, slicing (a view, still a bytes), comparisons, truth, bytes literals, writing into a
bytearray, np.frombuffer (a read-only view of a bytes, a writable one of a bytearray, its
errors) and ndarray.tobytes; and the UnsupportedErrors of the forms not supported."""

import numpy as np
import pytest

import ember
from ember import types
from ember.errors import TypingError, UnsupportedError

RNG = np.random.default_rng(13)
SAMPLES = [b"", b"a", b"hello world", bytes(range(256)), bytes(RNG.integers(0, 256, 37, np.uint8))]


@ember.jit
def ident(b):
    return b


@pytest.mark.parametrize("b", SAMPLES)
def test_argument_comes_back_as_itself(b):
    assert ident(b) is b
    ba = bytearray(b)
    assert ident(ba) is ba


def test_typeof():
    assert types.typeof(b"x") == types.bytes_type
    assert str(types.typeof(b"x")) == "Bytes(uint8, 1d, C)"
    assert str(types.typeof(bytearray(b"x"))) == "bytearray(uint8, 1d, C)"
    assert types.bytes_type.readonly and types.bytearray_type.mutable


@ember.jit
def total(b):
    s = 0
    for i in range(len(b)):
        s += b[i] * (i + 1)
    return s


@ember.jit
def iter_sum(b):
    s = 0
    for x in b:
        s += x
    return s


@pytest.mark.parametrize("b", SAMPLES)
def test_len_index_iterate(b):
    assert total(b) == total.py_func(b)
    assert iter_sum(b) == sum(b)
    assert total(bytearray(b)) == total.py_func(b)


@ember.jit
def at(b, i):
    return b[i]


@ember.jit(boundscheck=True)
def at_checked(b, i):
    return b[i]


def test_index_is_an_int_and_checks_bounds():
    assert at(b"\x00\xff", 1) == 255
    assert at(b"abc", -1) == ord("c")
    with pytest.raises(IndexError):
        at_checked(b"abc", 3)


@ember.jit
def sliced(b, i, j):
    return b[i:j], b[::2], b[::-1]


@pytest.mark.parametrize("b", SAMPLES)
def test_slices_are_bytes(b):
    for i, j in ((0, 0), (1, 4), (-3, len(b)), (2, -1)):
        got = sliced(b, i, j)
        assert got == (b[i:j], b[::2], b[::-1])
        assert all(type(x) is bytes for x in got)
        got = sliced(bytearray(b), i, j)
        assert got == (bytearray(b[i:j]), bytearray(b[::2]), bytearray(b[::-1]))
        assert all(type(x) is bytearray for x in got)


@ember.jit
def compare(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b


@pytest.mark.parametrize(
    "a, b",
    [
        (b"", b""),
        (b"a", b""),
        (b"abc", b"abd"),
        (b"ab", b"abc"),
        (b"\xff", b"\x01"),
        (b"same", b"same"),
    ],
)
def test_comparisons_are_pythons(a, b):
    assert compare(a, b) == compare.py_func(a, b)
    assert compare(b, a) == compare.py_func(b, a)
    assert compare(bytearray(a), b) == compare.py_func(bytearray(a), b)


@ember.jit
def compare_slices(a):
    return a[::2] == a[1::2], a[::-1] < a


def test_comparisons_of_strided_slices():
    for a in (b"aabbcc", b"abcabc", b"zyx"):
        assert compare_slices(a) == compare_slices.py_func(a)


@ember.jit
def literal(b):
    k = b"xyz"
    return b == k, len(k), k[1], k


def test_bytes_literal():
    assert literal(b"xyz") == (True, 3, ord("y"), b"xyz")
    assert literal(b"xy") == (False, 3, ord("y"), b"xyz")


@ember.jit
def truth(b):
    if b:
        return 1
    return 0


def test_truth():
    assert truth(b"") == 0 and truth(b"x") == 1 and truth(bytearray()) == 0


@ember.jit
def upper_in_place(ba):
    for i in range(len(ba)):
        if 97 <= ba[i] <= 122:
            ba[i] -= 32


def test_bytearray_is_writable():
    ba = bytearray(b"Hello, World")
    upper_in_place(ba)
    assert ba == bytearray(b"HELLO, WORLD")


@ember.jit
def store(b):
    b[0] = 1


def test_bytes_is_read_only():
    with pytest.raises(TypingError, match="read-only"):
        store(b"abc")


# ---- np.frombuffer ---------------------------------------------------------------------------


@ember.jit
def from_f8(buf):
    return np.frombuffer(buf, np.float64)


@ember.jit
def from_dtype_kw(buf):
    return np.frombuffer(buf, dtype=np.int32)


@ember.jit
def from_default(buf):
    return np.frombuffer(buf)


@ember.jit
def from_u1(buf):
    return np.frombuffer(buf, np.uint8)


@pytest.mark.parametrize("n", [0, 1, 7])
def test_frombuffer_matches_numpy(n):
    x = RNG.normal(size=n)
    raw = x.tobytes()
    for fn, dtype in ((from_f8, np.float64), (from_dtype_kw, np.int32), (from_default, None)):
        expected = np.frombuffer(raw, dtype) if dtype else np.frombuffer(raw)
        got = fn(raw)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        assert not got.flags.writeable  # a view of a bytes is read-only, as in NumPy
    ba = bytearray(raw)
    got = from_f8(ba)
    assert got.flags.writeable
    if n:
        got[0] = 42.0  # a view: writes reach the bytearray
        assert np.frombuffer(ba, np.float64)[0] == 42.0


def test_frombuffer_of_uint8_arrays():
    a = np.arange(16, dtype=np.uint8)
    np.testing.assert_array_equal(from_f8(a), np.frombuffer(a, np.float64))
    np.testing.assert_array_equal(from_u1(a[3:9]), a[3:9])
    with pytest.raises(ValueError, match="not C-contiguous"):
        from_u1(a[::2])


def test_frombuffer_size_not_a_multiple():
    with pytest.raises(ValueError, match="multiple of element size"):
        from_f8(b"123456789")
    with pytest.raises(ValueError, match="multiple of element size"):
        np.frombuffer(b"123456789", np.float64)  # NumPy's own message


def test_frombuffer_keeps_the_buffer_alive():
    import gc

    out = from_f8(bytes(np.arange(4.0).tobytes()))
    gc.collect()
    np.testing.assert_array_equal(out, np.arange(4.0))


# ---- ndarray.tobytes -------------------------------------------------------------------------


@ember.jit
def to_bytes(a):
    return a.tobytes()


@pytest.mark.parametrize(
    "a",
    [
        np.arange(6.0),
        np.arange(12, dtype=np.int16).reshape(3, 4),
        np.arange(12, dtype=np.int32).reshape(3, 4).T,
        np.arange(20.0)[::3],
        np.zeros(0),
        np.array([True, False]),
    ],
)
def test_tobytes_matches_numpy(a):
    got = to_bytes(a)
    assert type(got) is bytes
    assert got == a.tobytes()


@ember.jit
def round_trip(a):
    return np.frombuffer(a.tobytes(), np.float64)


def test_tobytes_then_frombuffer():
    a = RNG.normal(size=(3, 5))
    np.testing.assert_array_equal(round_trip(a), a.ravel())


# ---- what is not supported -------------------------------------------------------------------


@ember.jit
def concat(a, b):
    return a + b


@ember.jit
def with_offset(b):
    return np.frombuffer(b, np.uint8, 2, 1)


@ember.jit
def compare_str(b):
    return b == "abc"


def test_unsupported_forms_name_themselves():
    with pytest.raises(UnsupportedError, match=r"operator \+"):
        concat(b"a", b"b")
    with pytest.raises(UnsupportedError, match="count and offset"):
        with_offset(b"abcd")
    with pytest.raises(UnsupportedError, match="comparing"):
        compare_str(b"abc")
    with pytest.raises(UnsupportedError, match="memoryview"):
        ident(memoryview(b"abc"))


@ember.jit
def churn(a, b):
    s = 0
    for _ in range(3):
        t = a.tobytes()
        v = np.frombuffer(t, np.uint8)
        w = np.frombuffer(b[1:], np.uint8)
        s += len(t) + int(v[0]) + int(w[0]) + (t[::2] == t[1::2])
    return s


def test_no_leaks(meminfo_balance):
    a = np.arange(8, dtype=np.int64)
    assert churn(a, b"xyz") == churn.py_func(a, b"xyz")
    for _ in range(3):
        to_bytes(a)
        from_f8(a.tobytes())
        round_trip(np.ones((2, 2)))


@ember.jit
def bytes_key(b):
    return {b: 1}


@ember.jit
def bytes_list(b):
    return [b[:1], b[1:]]


def test_bytes_in_containers():
    assert bytes_list(b"abc") == [b"a", b"bc"]
    with pytest.raises(UnsupportedError, match="dict key"):
        bytes_key(b"x")


@ember.jit
def byte_in(b):
    return 97 in b


def test_in_is_unsupported():
    with pytest.raises(UnsupportedError, match="`in` on a Bytes"):
        byte_in(b"abc")

"""NumPy's iteration helpers in compiled code (ember/npapi/iteration.py), against NumPy:
np.ndindex, np.ndenumerate, np.nditer (0-d views read with .item() / [()] and written with
[...] = v, broadcasting), a.flat, the trailing Ellipsis that makes nditer's views, and the
UnsupportedErrors for the datetime and record values that are not compiled yet."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

RNG = np.random.default_rng(13)


def arrays():
    """C, F, non-contiguous, 3-d, 1-d, 0-d and empty inputs."""
    m = RNG.normal(size=(4, 5))
    return [m, np.asfortranarray(m), m[::2, 1:], m.T, RNG.normal(size=(2, 3, 2)),
            RNG.normal(size=7)[::3], np.array(2.5), np.zeros((0, 3)),
            RNG.integers(-9, 9, size=(3, 2)).astype(np.int32)]


# ---- np.ndindex ---------------------------------------------------------------------------

@ember.jit
def ndindex_2(n, m):
    out = []
    for idx in np.ndindex(n, m):
        out.append(idx)
    return out


@ember.jit
def ndindex_shape(a):
    out = []
    for i, j, k in np.ndindex(a.shape):
        out.append(i * 100 + j * 10 + k)
    return out


@ember.jit
def ndindex_count_0d():
    n = 0
    for idx in np.ndindex(()):
        n += 1 + len(idx)
    for idx2 in np.ndindex():
        n += 10 + len(idx2)
    return n


@pytest.mark.parametrize("n,m", [(3, 4), (1, 1), (0, 5), (4, 0)])
def test_ndindex_ints(n, m):
    assert ndindex_2(n, m) == list(np.ndindex(n, m))


def test_ndindex_tuple_and_0d():
    a = np.zeros((2, 3, 4))
    assert ndindex_shape(a) == [i * 100 + j * 10 + k for i, j, k in np.ndindex(a.shape)]
    assert ndindex_count_0d() == 11 == 1 + 10 * len(list(np.ndindex()))


def test_ndindex_errors():
    with pytest.raises(ValueError, match="negative dimensions"):
        ndindex_2(-1, 3)

    @ember.jit
    def bad(x):
        for _idx in np.ndindex(x):
            pass
    with pytest.raises(TypingError, match="np.ndindex"):
        bad(1.5)


# ---- np.ndenumerate -----------------------------------------------------------------------

@ember.jit
def ndenumerate_weighted(a):
    s = 0.0
    n = 0
    for idx, v in np.ndenumerate(a):
        w = 1
        for i in idx:
            w = w * 3 + i
        s += w * v
        n += 1
    return s, n


@ember.jit
def ndenumerate_list_2d(a):
    out = []
    for idx, v in np.ndenumerate(a):
        out.append((idx[0], idx[1], v))
    return out


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, 5, 7, 8])  # the 0-d one below
def test_ndenumerate(k):
    a = arrays()[k]
    s, n = 0.0, 0
    for idx, v in np.ndenumerate(a):
        w = 1
        for i in idx:
            w = w * 3 + i
        s += w * v
        n += 1
    got = ndenumerate_weighted(a)
    assert got[1] == n
    np.testing.assert_allclose(got[0], s, rtol=1e-12)


def test_ndenumerate_0d():
    @ember.jit
    def f(a):
        out = []
        for idx, v in np.ndenumerate(a):
            out.append((len(idx), v))
        return out
    a = np.array(-3.5)
    assert f(a) == [(len(i), v) for i, v in np.ndenumerate(a)]


def test_ndenumerate_order_and_values():
    for a in arrays()[:4]:
        want = [(i, j, v) for (i, j), v in np.ndenumerate(a)]
        assert ndenumerate_list_2d(a) == want


def test_ndenumerate_rejects_non_arrays():
    @ember.jit
    def f(x):
        for _idx, _v in np.ndenumerate(x):
            pass
    with pytest.raises(UnsupportedError, match="np.ndenumerate"):
        f(3.0)


# ---- np.nditer ----------------------------------------------------------------------------

@ember.jit
def nditer_values(a):
    out = []
    for x in np.nditer(a):
        out.append(x.item())
    return out


@ember.jit
def nditer_scale(a):
    for x in np.nditer(a):
        x[...] = x[()] * 2 + 1


@ember.jit
def nditer_binary(a, b, out):
    for x, y, z in np.nditer((a, b, out)):
        z[...] = x.item() * y.item() - 1


@ember.jit
def nditer_ndim(a):
    n = 0
    for x in np.nditer(a):
        n += x.ndim + x.size
    return n


def test_nditer_refuses_empty_operands_as_numpy():
    with pytest.raises(ValueError, match="zero-sized"):
        list(np.nditer(np.zeros((0, 3))))
    with pytest.raises(ValueError, match="zero-sized"):
        nditer_values(np.zeros((0, 3)))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, 5, 6, 8])  # 7 (empty): the test above
def test_nditer_reads_in_numpys_order(k):
    a = arrays()[k]
    want = [x.item() for x in np.nditer(a)]
    got = nditer_values(a)
    # C order except for Fortran-ordered operands (NumPy's order='K' for them).
    if a.ndim > 1 and not a.flags.c_contiguous and not a.flags.f_contiguous:
        assert sorted(got) == sorted(want)
    else:
        assert got == want
    assert nditer_ndim(a) == a.size  # each item is a 0-d array of one element


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, 5, 6, 8])
def test_nditer_writes_through_views(k):
    base = arrays()[k]
    a = base.copy(order="K") if base.flags.owndata else base.copy()
    if k == 2:  # a non-contiguous view of a bigger array: only the viewed elements change
        big = RNG.normal(size=(4, 5))
        a = big[::2, 1:]
        untouched = big[1::2].copy()
    want = a * 2 + 1
    nditer_scale(a)
    np.testing.assert_array_equal(a, want)
    if k == 2:
        np.testing.assert_array_equal(big[1::2], untouched)


def test_nditer_broadcasts():
    a = RNG.normal(size=(3, 4))
    b = RNG.normal(size=4)
    out = np.zeros((3, 4))
    nditer_binary(a, b, out)
    np.testing.assert_allclose(out, a * b - 1)
    col = RNG.normal(size=(3, 1))
    out = np.zeros((3, 4))
    nditer_binary(col, b, out)
    np.testing.assert_allclose(out, col * b - 1)
    out = np.zeros((3, 4), order="F")
    nditer_binary(np.asfortranarray(a), np.asfortranarray(a), out)
    np.testing.assert_allclose(out, a * a - 1)
    with pytest.raises(ValueError, match="broadcast"):
        nditer_binary(a, np.ones(3), np.zeros((3, 4)))


def test_nditer_single_operand_tuple_and_errors():
    @ember.jit
    def one(a):
        s = 0.0
        for x in np.nditer((a,)):
            s += x.item()
        return s
    a = RNG.normal(size=(2, 3))
    np.testing.assert_allclose(one(a), a.sum())

    @ember.jit
    def flags(a):
        for _x in np.nditer(a, flags=("multi_index",)):
            pass
    with pytest.raises(UnsupportedError, match="flags"):
        flags(a)

    @ember.jit
    def with_scalar(a, c):
        s = 0.0
        for x, y in np.nditer((a, c)):
            s += x.item() * y.item()
        for z in np.nditer(c):
            s += z.ndim + z[()]
        return s
    want = sum(x.item() * y.item() for x, y in np.nditer((a, 3))) + \
        sum(z.ndim + z[()] for z in np.nditer(3))
    np.testing.assert_allclose(with_scalar(a, 3), want)

    @ember.jit
    def text(a):
        for _x in np.nditer((a, "x")):
            pass
    with pytest.raises(UnsupportedError, match="np.nditer"):
        text(a)


# ---- the trailing Ellipsis ----------------------------------------------------------------

def test_ellipsis_index():
    @ember.jit
    def f(a):
        v = a[1, ...]
        z = a[1, 2, ...]
        z[...] = -1.0
        w = a[...]
        return v.sum(), z.ndim, w.shape, a[(0, ...)].shape
    a = RNG.normal(size=(3, 4))
    s, zd, ws, cs = f(a)
    assert a[1, 2] == -1.0
    np.testing.assert_allclose(s, a[1].sum())  # v is a view: it sees the store
    assert (zd, ws, cs) == (0, (3, 4), (4,))

    @ember.jit
    def fill(a):
        a[...] = 7
    b = np.zeros((2, 3), order="F")
    fill(b)
    assert (b == 7).all()

    @ember.jit
    def middle(a):
        return a[..., 0]
    with pytest.raises(UnsupportedError, match="Ellipsis"):
        middle(a)


# ---- a.flat -------------------------------------------------------------------------------

@ember.jit
def flat_sum_weighted(a):
    s = 0.0
    k = 0
    for x in a.flat:
        k += 1
        s += k * x
    return s


@pytest.mark.parametrize("k", range(9))
def test_flat_iteration_in_c_order(k):
    a = arrays()[k]
    want = sum((i + 1) * x for i, x in enumerate(a.flat))
    np.testing.assert_allclose(flat_sum_weighted(a), want, rtol=1e-12)


def test_flat_read_write_len():
    @ember.jit
    def f(a, b):
        a.flat[3] = a.flat[0] + 100
        b.flat[-1] = 5
        return len(a.flat), a.flat[3], b.flat[1]
    a = RNG.normal(size=(2, 3))
    b = RNG.normal(size=10)[::2]
    a0, b1 = a.flat[0], b.flat[1]
    assert f(a, b) == (6, a0 + 100, b1)
    assert a[1, 0] == a0 + 100 and b[-1] == 5

    @ember.jit
    def indexed_f(a):
        return a.flat[1]
    with pytest.raises(TypingError):
        indexed_f(np.asfortranarray(a))


# ---- not compiled yet: datetime and record values -----------------------------------------

def test_datetime_and_records_are_unsupported_by_name():
    @ember.jit
    def first(a):
        return a[0]
    with pytest.raises(UnsupportedError, match="structured"):
        first(np.zeros(2, dtype=[("x", "f8"), ("y", "O")]))


# ---- idioms: an ndindex tuple as a subscript, arithmetic on nditer's 0-d views ------------

def test_idioms():
    @ember.jit
    def by_index(a):
        for idx in np.ndindex(a.shape):
            a[idx] = idx[0] - 2 * idx[1]
        return a

    want = np.zeros((3, 4))
    for idx in np.ndindex(want.shape):
        want[idx] = idx[0] - 2 * idx[1]
    np.testing.assert_array_equal(by_index(np.zeros((3, 4), order="F")), want)

    @ember.jit
    def views(a, b, out):
        for x, y, z in np.nditer((a, b, out)):
            z[...] = x + y * 2
        return out
    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    np.testing.assert_allclose(views(a, b, np.zeros((2, 3))), a + b * 2)

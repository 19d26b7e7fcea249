"""Views of an array's data in compiled code (ember/npapi/views.py, all made by the view_of
builtin) against NumPy: np.broadcast_to and np.broadcast_arrays (zero strides, read-only as
Numba's), np.lib.stride_tricks.as_strided and sliding_window_view, a.real / a.imag (views of
complex arrays that write through to the parent; a itself and read-only zeros for real arrays),
np.real / np.imag, a.view(dtype) with NumPy 2's rules for a dtype of another size, a.flags, and
`x in a`.  Inputs: random shapes and dtypes, empty arrays, F-order and non-contiguous arrays;
every error NumPy raises is raised, with its type."""

import numpy as np
import pytest

import ember

DTYPES = (
    np.float64,
    np.float32,
    np.int64,
    np.int32,
    np.int8,
    np.bool_,
    np.complex128,
    np.complex64,
)


def _arrays(rng, ndims=(0, 1, 2, 3), dtypes=DTYPES):
    """Random arrays of each ndim and dtype: C, F-order, strided (reversed) and empty ones."""
    for nd in ndims:
        for dt in dtypes:
            shape = tuple(int(x) for x in rng.integers(1, 5, size=nd))
            base = rng.normal(size=shape) * 10
            if np.dtype(dt).kind == "c":
                base = base + 1j * rng.normal(size=shape)
            a = np.asarray(base).astype(dt)
            yield a
            if nd >= 2:
                yield np.asfortranarray(a)
            if nd >= 1:
                big = np.repeat(a, 2, axis=-1)
                yield big[..., ::-2]
                yield a[..., :0]


# ---- np.broadcast_to -------------------------------------------------------------------------


@ember.jit
def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


def _target_shapes(rng, shape):
    """Shapes a shape broadcasts to: itself, with leading dims, with its 1s stretched."""
    yield shape
    yield (2,) + shape
    yield (3, 1) + shape
    yield tuple(int(rng.integers(2, 4)) if s == 1 else s for s in shape)
    yield (0,) + tuple(0 if s == 1 else s for s in shape)


def test_broadcast_to_matches_numpy():
    rng = np.random.default_rng(1301)
    for a in _arrays(rng):
        if a.size:  # some axes cut to extent 1, to be stretched
            a = a[tuple(slice(0, 1) if rng.random() < 0.4 else slice(None) for _ in a.shape)]
        for shape in _target_shapes(rng, a.shape):
            got, want = broadcast_to(a, shape), np.broadcast_to(a, shape)
            assert got.shape == want.shape and got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            # zero strides where NumPy's are zero: a view, not a copy
            assert [s == 0 for s, n in zip(got.strides, got.shape) if n > 1] == [
                s == 0 for s, n in zip(want.strides, want.shape) if n > 1
            ]


def test_broadcast_to_int_shape_scalar_and_runtime_shape():
    a = np.arange(3.0).reshape(1, 3)
    np.testing.assert_array_equal(broadcast_to(np.float64(2.5), 4), np.broadcast_to(2.5, 4))
    np.testing.assert_array_equal(broadcast_to(7, (2, 3)), np.broadcast_to(7, (2, 3)))
    np.testing.assert_array_equal(broadcast_to(np.arange(1.0), 5), np.broadcast_to(np.zeros(1), 5))

    @ember.jit
    def runtime_shape(a, n):
        return np.broadcast_to(a, (n, a.shape[1]))

    for n in (0, 1, 4):
        np.testing.assert_array_equal(runtime_shape(a, n), np.broadcast_to(a, (n, 3)))


def test_broadcast_to_is_a_read_only_view():
    a = np.arange(6.0).reshape(2, 3)
    b = broadcast_to(a[:1], (4, 3))
    assert b.strides == (0, 8) and not b.flags.writeable  # read-only, as NumPy's and Numba's
    assert np.shares_memory(a, b)
    a[0, 1] = 50.0
    assert (b[:, 1] == 50.0).all()  # sees the parent's writes

    @ember.jit
    def write_into(a):
        b = np.broadcast_to(a, (2, 3))
        b[0, 0] = 1.0
        return b

    with pytest.raises(ember.errors.TypingError, match="read-only"):
        write_into(np.zeros(3))


def test_broadcast_to_keeps_the_parent_alive(meminfo_balance):
    @ember.jit
    def fresh(n):
        return np.broadcast_to(np.arange(n) * 2, (3, n))

    b = fresh(4)
    import gc

    gc.collect()
    np.testing.assert_array_equal(b, np.broadcast_to(np.arange(4) * 2, (3, 4)))
    del b


@pytest.mark.parametrize(
    "a, shape",
    [
        (np.zeros(3), (2, 4)),  # mismatched last axis
        (np.zeros((2, 3)), (3,)),  # more dims than the shape
        (np.zeros(3), (-1, 3)),  # negative extent
        (np.zeros((2, 1)), (3, 5)),  # 2 against 3
    ],
)
def test_broadcast_to_errors(a, shape):
    with pytest.raises(ValueError) as want:
        np.broadcast_to(a, shape)
    with pytest.raises(ValueError) as got:
        broadcast_to(a, shape)
    assert str(want.value).startswith(str(got.value))


def test_broadcast_to_unsupported_argument():
    @ember.jit
    def of_a_list():
        return np.broadcast_to("abc", (2,))

    with pytest.raises(ember.errors.UnsupportedError, match="np.broadcast_to"):
        of_a_list()


# ---- np.broadcast_arrays ---------------------------------------------------------------------


@ember.jit
def broadcast_two(a, b):
    return np.broadcast_arrays(a, b)


@ember.jit
def broadcast_three(a, b, c):
    return np.broadcast_arrays(a, b, c)


def test_broadcast_arrays_matches_numpy():
    rng = np.random.default_rng(1302)
    cases = [
        ((3,), (2, 1)),
        ((4, 1), (1, 5)),
        ((), (2, 3)),
        ((2, 0), (1,)),
        ((1, 1, 3), (2, 1)),
        ((3, 4), (3, 4)),
    ]
    for sa, sb in cases:
        for da, db in ((np.float64, np.int32), (np.bool_, np.complex64)):
            a = (rng.normal(size=sa) * 5).astype(da)
            b = np.asfortranarray((rng.normal(size=sb) * 5).astype(db))
            got, want = broadcast_two(a, b), np.broadcast_arrays(a, b)
            assert isinstance(got, tuple) and len(got) == 2
            for g, w in zip(got, want):
                assert g.shape == w.shape and g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)
    a, b, c = np.arange(3.0), np.arange(2)[:, None], np.float32(1.5)
    for g, w in zip(broadcast_three(a, b, c), np.broadcast_arrays(a, b, c)):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def test_broadcast_arrays_read_only_views():
    a, b = np.arange(3.0), np.zeros((2, 1))
    x, y = broadcast_two(a, b)
    assert not x.flags.writeable and not y.flags.writeable  # as Numba (NumPy: a FutureWarning)
    assert x.strides == (0, 8) and y.strides[1] == 0
    a[2] = 9.0
    assert x[1, 2] == 9.0


def test_broadcast_arrays_one_and_none():
    @ember.jit
    def one(a):
        return np.broadcast_arrays(a)

    @ember.jit
    def none():
        return np.broadcast_arrays()

    (x,) = one(np.arange(4).reshape(2, 2).T)
    np.testing.assert_array_equal(x, np.arange(4).reshape(2, 2).T)
    assert none() == ()


def test_broadcast_arrays_error():
    with pytest.raises(ValueError) as want:
        np.broadcast_arrays(np.ones(3), np.ones(4))
    with pytest.raises(ValueError) as got:
        broadcast_two(np.ones(3), np.ones(4))
    assert str(want.value).startswith(str(got.value))
    with pytest.raises(ValueError, match="shape mismatch"):
        broadcast_three(np.ones((2, 3)), np.ones(3), np.ones((3, 1)))


# ---- as_strided ------------------------------------------------------------------------------


@ember.jit
def as_strided(x, shape, strides):
    return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)


def test_as_strided_matches_numpy():
    rng = np.random.default_rng(1303)
    for dt in (np.float64, np.int32, np.complex64, np.int8):
        x = (rng.normal(size=12) * 10).astype(dt)
        s = x.itemsize
        for shape, strides in (
            ((3, 4), (4 * s, s)),
            ((4, 3), (s, 4 * s)),
            ((5, 3), (2 * s, s)),
            ((2, 6), (0, 2 * s)),
            ((0, 4), (s, s)),
            ((3,), (-s,)),
            ((2, 2, 2), (6 * s, 2 * s, s)),
        ):
            base = x if strides[0] >= 0 else x[::-1]
            got = as_strided(base, shape, strides)
            want = np.lib.stride_tricks.as_strided(base, shape=shape, strides=strides)
            assert got.shape == want.shape and got.strides == want.strides
            np.testing.assert_array_equal(got, want)


def test_as_strided_defaults_and_writes():
    @ember.jit
    def only_shape(x):
        return np.lib.stride_tricks.as_strided(x, shape=(2, 3))

    @ember.jit
    def nothing(x):
        return np.lib.stride_tricks.as_strided(x)

    x = np.arange(10.0)
    np.testing.assert_array_equal(only_shape(x), np.lib.stride_tricks.as_strided(x, (2, 3)))
    assert only_shape(x).strides == (24, 8)
    f = np.asfortranarray(np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(nothing(f), f)
    assert nothing(f).strides == f.strides

    @ember.jit
    def window_sum(x):
        v = np.lib.stride_tricks.as_strided(
            x, shape=(x.size - 1, 2), strides=(x.strides[0], x.strides[0])
        )
        v[0, 1] = -1.0  # writeable (as NumPy's and Numba's): the parent changes
        return v.sum(axis=1)

    y = np.arange(5.0)
    np.testing.assert_array_equal(window_sum(y), [-1.0, 1.0, 5.0, 7.0])
    assert y[1] == -1.0


def test_as_strided_errors():
    x = np.arange(6.0)
    with pytest.raises(ValueError, match="mismatch in length of strides and shape"):
        as_strided(x, (2, 3), (8,))
    with pytest.raises(ValueError, match="negative dimensions"):
        as_strided(x, (-1, 3), (8, 8))

    @ember.jit
    def with_writeable(x):
        return np.lib.stride_tricks.as_strided(x, shape=(2,), strides=(8,), writeable=False)

    with pytest.raises(ember.errors.UnsupportedError, match="writeable="):
        with_writeable(x)


# ---- sliding_window_view ---------------------------------------------------------------------


@ember.jit
def sliding(x, window_shape):
    return np.lib.stride_tricks.sliding_window_view(x, window_shape)


@ember.jit
def sliding_axis(x, window_shape, axis):
    return np.lib.stride_tricks.sliding_window_view(x, window_shape, axis)


def _same_windows(got, want):
    assert got.shape == want.shape and got.strides == want.strides and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_sliding_window_view_matches_numpy():
    swv = np.lib.stride_tricks.sliding_window_view
    rng = np.random.default_rng(1304)
    for a in _arrays(rng, ndims=(1, 2, 3), dtypes=(np.float64, np.int32, np.complex128)):
        full = tuple(int(rng.integers(0, s + 1)) for s in a.shape)
        _same_windows(sliding(a, full), swv(a, full))
        for ax in range(-a.ndim, a.ndim):
            w = int(rng.integers(0, a.shape[ax] + 1))
            _same_windows(sliding_axis(a, w, ax), swv(a, w, ax))
            _same_windows(sliding_axis(a, (w,), (ax,)), swv(a, (w,), (ax,)))
        if a.ndim >= 2 and a.shape[0] >= 2 and a.shape[-1] >= 2:  # repeated, mixed axes
            _same_windows(sliding_axis(a, (1, 2), (0, 0)), swv(a, (1, 2), (0, 0)))
            _same_windows(sliding_axis(a, (2, 1), (-1, 0)), swv(a, (2, 1), (-1, 0)))
    x = np.arange(7.0)
    _same_windows(sliding(x, 3), swv(x, 3))
    np.testing.assert_array_equal(sliding(x, 3).sum(axis=1), np.convolve(x, np.ones(3), "valid"))


def test_sliding_window_view_writes_through():
    x = np.arange(5.0)
    v = sliding(x, 2)
    assert v.flags.writeable  # as Numba's (NumPy's default is read-only)
    v[1, 0] = 40.0
    assert x[1] == 40.0 and v[0, 1] == 40.0


@pytest.mark.parametrize(
    "x, w, axis",
    [
        (np.ones(3), 4, None),  # window larger than the array
        (np.ones(3), -1, None),  # negative window
        (np.ones((3, 4)), 2, 2),  # axis out of range (AxisError)
        (np.ones((3, 4)), 2, -3),
        (np.ones((3, 4)), (2,), None),  # one window for two dims
        (np.ones((3, 4)), (2, 2), 0),  # two windows for one axis
        (np.ones((3, 4)), (3, 2), (0, 0)),
    ],
)
def test_sliding_window_view_errors(x, w, axis):
    with pytest.raises(ValueError) as want:
        np.lib.stride_tricks.sliding_window_view(x, w, axis)
    with pytest.raises(want.type) as got:
        if axis is None:
            sliding(x, w)
        else:
            sliding_axis(x, w, axis)
    assert str(got.value) == str(want.value)


# ---- a.real, a.imag, np.real, np.imag --------------------------------------------------------


@ember.jit
def parts(a):
    return a.real, a.imag


@ember.jit
def np_parts(a):
    return np.real(a), np.imag(a)


def test_real_imag_match_numpy():
    rng = np.random.default_rng(1305)
    for a in _arrays(rng):
        for f in (parts, np_parts):
            (re, im) = f(a)
            for g, w in ((re, a.real), (im, a.imag)):
                assert g.shape == w.shape and g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)


def test_real_imag_of_complex_are_views():
    c = (np.arange(6) + 1j * np.arange(6, 12)).reshape(2, 3)
    re, im = parts(c)
    assert np.shares_memory(re, c) and np.shares_memory(im, c)
    assert re.strides == c.strides and im.strides == c.strides
    c[1, 1] = 100 + 200j
    assert re[1, 1] == 100 and im[1, 1] == 200

    @ember.jit
    def clear_imag(c):
        c.imag[:] = 0
        c.real[0] = -1.0
        return c

    z = (np.arange(4) + 1j).astype(np.complex64)
    clear_imag(z[::2])
    np.testing.assert_array_equal(z, np.array([-1, 1 + 1j, 2, 3 + 1j], np.complex64))
    f = np.asfortranarray(c)
    assert np.shares_memory(parts(f)[1], f)


def test_real_of_real_is_itself_and_imag_read_only_zeros():
    a = np.arange(5.0)
    re, im = parts(a)
    assert re is a  # NumPy's a.real of a real array is a (Numba returns a too)
    assert not im.flags.writeable and not np.shares_memory(im, a)
    np.testing.assert_array_equal(im, np.zeros(5))

    @ember.jit
    def write_imag(a):
        a.imag[0] = 1.0

    with pytest.raises(ember.errors.TypingError, match="read-only"):
        write_imag(a)


def test_np_real_imag_of_scalars():
    @ember.jit
    def scalar_parts(x):
        return np.real(x), np.imag(x)

    for x in (3.5, 2 + 5j, 7, True, np.complex64(1 - 2j)):
        got = scalar_parts(x)
        assert got == (np.real(x), np.imag(x))


# ---- a.view(dtype) ---------------------------------------------------------------------------

# One compiled function per target: the dtype is a compile-time argument of a.view.
VIEWERS = {
    np.int8: lambda a: a.view(np.int8),
    np.int16: lambda a: a.view(np.int16),
    np.int32: lambda a: a.view(np.int32),
    np.int64: lambda a: a.view(np.int64),
    np.float32: lambda a: a.view(np.float32),
    np.float64: lambda a: a.view(np.float64),
    np.complex64: lambda a: a.view(np.complex64),
    np.complex128: lambda a: a.view(np.complex128),
    np.uint8: lambda a: a.view(np.uint8),
    np.bool_: lambda a: a.view(np.bool_),
}
_compiled_viewers = {}
VIEW_TARGETS = tuple(VIEWERS)


def view_as(a, dtype):
    if dtype not in _compiled_viewers:
        _compiled_viewers[dtype] = ember.jit(VIEWERS[dtype])
    return _compiled_viewers[dtype](a)


def test_view_matches_numpy_or_its_error():
    rng = np.random.default_rng(1306)
    for a in _arrays(rng, dtypes=(np.float64, np.int32, np.int8, np.complex64)):
        for dt in VIEW_TARGETS:
            if dt is np.bool_ and a.dtype.itemsize != 1:
                continue
            try:
                want = a.view(dt)
            except ValueError as exc:
                with pytest.raises(ValueError) as got:
                    view_as(a, dt)
                assert str(got.value) == str(exc)
                continue
            got = view_as(a, dt)
            assert got.shape == want.shape and got.strides == want.strides
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)


def test_view_cases():
    a = np.arange(6.0)
    v = view_as(a, np.int64)
    v[2] = 0
    assert a[2] == 0.0  # a view: writes through
    assert view_as(np.ones((3, 3))[:, :1], np.int32).shape == (3, 2)  # extent-1 last axis
    with pytest.raises(ValueError, match="last axis must be contiguous"):
        view_as(np.ones(6)[::2], np.int32)
    with pytest.raises(ValueError, match="0d array"):
        view_as(np.ones(()), np.int32)
    with pytest.raises(ValueError, match="larger dtype"):
        view_as(np.ones(3, np.int8), np.int16)

    @ember.jit
    def by_name(a):
        return a.view("u1")

    np.testing.assert_array_equal(
        by_name(np.arange(3, dtype=np.int16)), np.arange(3, dtype=np.int16).view("u1")
    )


# ---- a.flags ---------------------------------------------------------------------------------


@ember.jit
def flags(a):
    f = a.flags
    return f.c_contiguous, f.f_contiguous, f.contiguous, f.writeable


def test_flags_match_numpy():
    rng = np.random.default_rng(1307)
    cases = list(_arrays(rng, dtypes=(np.float64, np.int8)))
    ro = np.arange(4.0)
    ro.flags.writeable = False
    cases += [np.ones((2, 3)).T, np.ones((3, 1, 2))[:, :, ::2], ro, np.ones((0, 3)).T]
    for a in cases:
        f = a.flags
        assert flags(a) == (f.c_contiguous, f.f_contiguous, f.contiguous, f.writeable)


# ---- x in a ----------------------------------------------------------------------------------


@ember.jit
def contains(a, x):
    return x in a


@ember.jit
def not_contains(a, x):
    return x not in a


def test_contains_matches_numpy():
    rng = np.random.default_rng(1308)
    for a in _arrays(rng, dtypes=(np.float64, np.int32, np.bool_, np.complex128)):
        flat = a.ravel()
        keys = [flat[0].item(), 0, 1.5, True] if a.size else [0, 1.5]
        for x in keys:
            assert contains(a, x) == (x in a)
            assert not_contains(a, x) == (x not in a)


def test_contains_nan_and_array_keys():
    a = np.array([1.0, np.nan, 3.0])
    assert not contains(a, np.nan)  # NaN != NaN, as (a == x).any()
    b = np.arange(6).reshape(2, 3)
    assert contains(b, np.array([0, 1, 9])) == (np.array([0, 1, 9]) in b)
    assert contains(b, np.array([9, 9, 9])) == (np.array([9, 9, 9]) in b)


def test_contains_unsupported_key():
    @ember.jit
    def string_in(a):
        return "x" in a

    with pytest.raises(ember.errors.TypingError, match="x in a"):
        string_in(np.arange(3))


# ---- the views keep their parents alive and leak nothing -------------------------------------


def test_views_of_fresh_arrays_balance_meminfos(meminfo_balance):
    @ember.jit
    def many(n):
        a = np.arange(n * 2.0).reshape(n, 2)
        c = a + 1j * a
        x, y = np.broadcast_arrays(a, np.arange(2.0))
        w = np.lib.stride_tricks.sliding_window_view(a[:, 0], 2)
        s = np.lib.stride_tricks.as_strided(a, shape=(n,), strides=(8,))
        total = x.sum() + y.sum() + w.sum() + s.sum() + c.imag.sum() + c.real.sum()
        total += a.view(np.int64)[0, 1] + (3.0 in a) + np.broadcast_to(a[0], (3, 2)).sum()
        return total, c.imag, w, a.imag

    with pytest.raises(ValueError, match="window shape"):  # raised with views alive
        many(1)
    for n in (2, 3, 8):
        total, im, w, zeros = many(n)
        a = np.arange(n * 2.0).reshape(n, 2)
        want = (
            2 * a.sum()
            + n * np.arange(2.0).sum()
            + np.lib.stride_tricks.sliding_window_view(a[:, 0], 2).sum()
            + np.lib.stride_tricks.as_strided(a, shape=(n,), strides=(8,)).sum()
            + 2 * a.sum()
            + a.view(np.int64)[0, 1]
            + (3.0 in a)
            + np.broadcast_to(a[0], (3, 2)).sum()
        )
        assert total == want
        np.testing.assert_array_equal(im, a)
        np.testing.assert_array_equal(w, np.lib.stride_tricks.sliding_window_view(a[:, 0], 2))
        np.testing.assert_array_equal(zeros, np.zeros_like(a))
        del total, im, w, zeros


RO_GLOBAL = np.arange(4.0) + 2j  # frozen as a read-only constant in compiled code


def test_views_of_read_only_arrays_are_read_only():
    ro = np.arange(6.0) + 1j
    ro.flags.writeable = False
    re, im = parts(ro)
    assert not re.flags.writeable and not im.flags.writeable
    np.testing.assert_array_equal(im, ro.imag)
    assert not as_strided(ro, (2, 2), (16, 16)).flags.writeable
    assert not sliding(ro, 2).flags.writeable
    assert not view_as(ro, np.float64).flags.writeable

    @ember.jit
    def of_global():
        return np.broadcast_to(RO_GLOBAL.imag, (2, 4)), 3.0 + 2j in RO_GLOBAL

    b, found = of_global()
    np.testing.assert_array_equal(b, np.broadcast_to(RO_GLOBAL.imag, (2, 4)))
    assert found and not b.flags.writeable

    @ember.jit
    def write_real(a):
        a.real[0] = 1.0

    with pytest.raises(ember.errors.TypingError, match="read-only"):
        write_real(ro)

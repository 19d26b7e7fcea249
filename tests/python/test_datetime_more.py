"""datetime64 / timedelta64 reductions and clipping against NumPy 2: sums, means, minima,
maxima, argmin/argmax over the whole array and along an axis, cumulative sums and np.clip, in
several units, with NaT (it propagates through sums, means, min/max and clip, and is
argmin/argmax's answer, as in NumPy 2), on empty, non-contiguous and F-order arrays; and the
operations NumPy has no loop for (a sum of datetimes, a product of timedeltas) as typing
errors.  The compiled functions are module-level so that the parametrized cases share their
compilations."""

import warnings

import numpy as np
import pytest
from _helpers import same

import ember
from ember.errors import TypingError, UnsupportedError

D, T = np.datetime64, np.timedelta64
NAT = np.iinfo(np.int64).min
UNITS = ["D", "h", "s", "ms", "ns"]


def numpy(fn, *args):
    """NumPy's result, its 'Mean of empty slice' and divide warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def sample(shape, kind, unit, seed, nat=0.2):
    """Random counts (some NaT) as an array of kind 'm' or 'M' in unit."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(-10_000, 10_000, shape).astype(np.int64)
    counts[rng.random(shape) < nat] = NAT
    return counts.view(f"{kind}8[{unit}]")


def layouts(a):
    """a, a non-contiguous view of it, and an F-order copy."""
    return [a, a[..., ::2], np.asfortranarray(a)]


# ---- along an axis ---------------------------------------------------------------------------


@ember.jit
def sum_axes(a):
    return a.sum(axis=0), np.sum(a, axis=1), np.sum(a, axis=-1)


@ember.jit
def min_max_axes(a):
    return np.min(a, axis=0), a.min(axis=1), np.max(a, axis=0), a.max(axis=-1)


@ember.jit
def arg_axes(a):
    return np.argmin(a, axis=0), a.argmin(axis=1), np.argmax(a, axis=1), a.argmax(axis=0)


@ember.jit
def mean_axes(a):
    return a.mean(), np.mean(a, axis=0), a.mean(axis=1)


def sum_axes_ref(a):
    return a.sum(axis=0), np.sum(a, axis=1), np.sum(a, axis=-1)


def min_max_axes_ref(a):
    return np.min(a, axis=0), a.min(axis=1), np.max(a, axis=0), a.max(axis=-1)


def arg_axes_ref(a):
    return np.argmin(a, axis=0), a.argmin(axis=1), np.argmax(a, axis=1), a.argmax(axis=0)


def mean_axes_ref(a):
    return a.mean(), np.mean(a, axis=0), a.mean(axis=1)


def check(compiled, reference, a):
    got, want = compiled(a), numpy(reference, a)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("nat", [0.0, 0.2])
def test_timedelta_axis_reductions_match_numpy(unit, nat):
    for seed, shape in enumerate([(4, 6), (3, 5, 4), (1, 2)]):
        for a in layouts(sample(shape, "m", unit, seed, nat)):
            check(sum_axes, sum_axes_ref, a)
            check(min_max_axes, min_max_axes_ref, a)
            check(arg_axes, arg_axes_ref, a)
            check(mean_axes, mean_axes_ref, a)


@pytest.mark.parametrize("unit", ["Y", "M", "D", "s", "us"])
def test_datetime_axis_min_max_argmin_argmax_match_numpy(unit):
    for seed, shape in enumerate([(5, 4), (2, 3, 6)]):
        for a in layouts(sample(shape, "M", unit, seed)):
            check(min_max_axes, min_max_axes_ref, a)
            check(arg_axes, arg_axes_ref, a)


def test_nat_propagates_and_wins_as_numpy_2():
    a = np.array([[5, -3, 9], [1, NAT, 2], [NAT, NAT, 7]], dtype=np.int64).view("m8[s]")
    check(sum_axes, sum_axes_ref, a)
    check(min_max_axes, min_max_axes_ref, a)
    check(arg_axes, arg_axes_ref, a)
    check(mean_axes, mean_axes_ref, a)
    # The row [1, NaT, 2]: min, max and sum are NaT, argmin and argmax its first NaT.
    assert np.isnat(sum_axes(a)[1][1]) and np.isnat(min_max_axes(a)[1][1])
    assert list(arg_axes(a)[1]) == [1, 1, 0]


@ember.jit
def axis0_sum_min_argmax_mean(a):
    return a.sum(axis=0), a.min(axis=0), a.argmax(axis=0), a.mean(axis=0)


@ember.jit
def axis1_sum_min_argmax_mean(a):
    return a.sum(axis=1), a.min(axis=1), a.argmax(axis=1), a.mean(axis=1)


def test_empty_arrays_along_an_axis():
    # (2, 0) along axis 0: an empty result, no error; along axis 1: sum 0, mean NaT, and
    # min/argmax of nothing raise NumPy's ValueError.
    a = np.zeros((2, 0), dtype="m8[ms]")
    got = axis0_sum_min_argmax_mean(a)
    want = (a.sum(axis=0), a.min(axis=0), a.argmax(axis=0), numpy(lambda x: x.mean(axis=0), a))
    for g, w in zip(got, want):
        same(g, w)
    with pytest.raises(ValueError):
        a.min(axis=1)
    with pytest.raises(ValueError):
        axis1_sum_min_argmax_mean(a)
    same(sum_axes(np.zeros((0, 3), dtype="m8[s]"))[0], np.zeros(3, dtype="m8[s]"))
    same(
        mean_axes(np.zeros((0, 3), dtype="m8[s]"))[1],
        numpy(lambda x: x.mean(axis=0), np.zeros((0, 3), dtype="m8[s]")),
    )


# ---- whole-array mean, cumsum ----------------------------------------------------------------


@ember.jit
def mean(a):
    return a.mean(), np.mean(a)


@pytest.mark.parametrize("unit", UNITS)
def test_timedelta_mean_matches_numpy(unit):
    for seed, shape in enumerate([(7,), (3, 4), (0,), (2, 0, 3)]):
        for nat in (0.0, 0.1):
            for a in (
                layouts(sample(shape, "m", unit, seed, nat))
                if len(shape) > 1
                else [sample(shape, "m", unit, seed, nat)]
            ):
                want = numpy(np.mean, a)
                for g in mean(a):
                    same(g, want)
    # NumPy's sum / count truncates toward zero: -7 / 3 is -2.
    same(mean(np.array([-1, -2, -4], dtype="m8[s]"))[0], T(-2, "s"))


@ember.jit
def cumsums(a):
    return np.cumsum(a), a.cumsum()


@ember.jit
def cumsum_axis0(a):
    return np.cumsum(a, axis=0)


@pytest.mark.parametrize("unit", UNITS)
def test_timedelta_cumsum_matches_numpy(unit):
    for seed, shape in enumerate([(9,), (3, 4), (0,), (2, 3, 2)]):
        a = sample(shape, "m", unit, seed, 0.15)
        for x in layouts(a) if len(shape) > 1 else [a, a[::-2]]:
            for g in cumsums(x):
                same(g, np.cumsum(x))
    b = sample((6,), "m", unit, 9)
    same(cumsum_axis0(b), np.cumsum(b, axis=0))


# ---- np.clip ----------------------------------------------------------------------------------


@ember.jit
def clip(a, lo, hi):
    return np.clip(a, lo, hi)


@pytest.mark.parametrize(
    "lo, hi",
    [
        (T(-100, "s"), T(100, "s")),
        (T(-100, "ms"), T(2, "m")),
        (T("NaT", "s"), T(100, "s")),
        (T(-3, "h"), T("NaT", "ms")),
        (-50, 50),
        (T(0, "D"), 7),
    ],
)
def test_timedelta_clip_matches_numpy(lo, hi):
    a = sample((4, 6), "m", "s", 3, 0.2)
    a[0, 0] = T(-200, "s")
    for x in layouts(a):
        same(clip(x, lo, hi), np.clip(x, lo, hi))
    for v in (a[0, 0], a[1, 2], T("NaT", "s"), T(42, "s")):
        same(clip(v, lo, hi), np.clip(v, lo, hi))


def test_datetime_clip_matches_numpy():
    a = np.array(["2020-01-01", "NaT", "2019-06-30", "2021-12-31", "2020-07-04"], dtype="M8[D]")
    for lo, hi in [
        (D("2020-01-01T12"), D("2021")),
        (D("2019-07", "M"), D("2020-08-01")),
        (D("NaT", "D"), D("2021-01-01")),
    ]:
        same(clip(a, lo, hi), np.clip(a, lo, hi))
        same(clip(a[::2], lo, hi), np.clip(a[::2], lo, hi))
        same(clip(a[2], lo, hi), np.clip(a[2], lo, hi))
    with pytest.raises(TypeError):
        np.clip(a, 0, 3)
    with pytest.raises(TypingError):
        clip(a, 0, 3)  # NumPy has no clip of datetimes and integers


# ---- parallel=True reductions -----------------------------------------------------------------


@ember.jit(parallel=True)
def parallel_reductions(a):
    return a.sum(), a.min(), a.max()


def test_parallel_reductions_propagate_nat():
    n = 1 << 17  # above the size reduced in chunks on the pool
    a = np.arange(n, dtype=np.int64).view("m8[us]") - T(n // 3, "us")
    got = parallel_reductions(a)
    for g, w in zip(got, (a.sum(), a.min(), a.max())):
        same(g, w)
    a[n - 5] = T("NaT")
    for g in parallel_reductions(a):
        assert np.isnat(g)


# ---- errors -----------------------------------------------------------------------------------


REFUSED = {
    "sum": lambda x: x.sum(axis=0),
    "mean": lambda x: np.mean(x),
    "mean_axis": lambda x: x.mean(axis=1),
    "cumsum": lambda x: np.cumsum(x),
    "prod": lambda x: np.prod(x),
    "std": lambda x: np.std(x),
    "var": lambda x: np.var(x),
    "cumprod": lambda x: np.cumprod(x),
}


@pytest.mark.parametrize(
    "dtype, name",
    [("M8[s]", name) for name in REFUSED]
    + [("m8[ms]", name) for name in ("prod", "std", "var", "cumprod")],
)
def test_operations_numpy_refuses_are_typing_errors(dtype, name):
    fn, a = REFUSED[name], np.zeros((2, 3), dtype=dtype)
    with pytest.raises(TypeError):
        fn(a)
    with pytest.raises(TypingError, match="NumPy cannot"):
        ember.jit(fn)(a)


# ---- units with a multiple ---------------------------------------------------------------------

MULTIPLE_ARRAY = np.zeros(3, dtype="m8[5s]")
MULTIPLE_SCALAR = T(3, "15m")


@pytest.mark.parametrize(
    "fn, args",
    [
        (lambda a: a.sum(axis=0), (np.zeros((2, 2), dtype="m8[5s]"),)),
        (
            lambda a, lo, hi: np.clip(a, lo, hi),
            (np.zeros(2, dtype="M8[6h]"), D("2020-01-01"), D("2021-01-01")),
        ),
        (lambda a: a + a, (T(3, "10s"),)),
        (lambda a: a[0], ([D(1, "2D")],)),
        (lambda a: a[0], ((T(1, "2W"), 1),)),
        (lambda n: np.timedelta64(n, "15m"), (3,)),
        (lambda n: np.datetime64(n, "2D"), (3,)),
        (lambda n: np.zeros(n, dtype="m8[10s]"), (3,)),
        (lambda a: a.astype("M8[6h]"), (np.zeros(2, dtype="M8[h]"),)),
        (lambda: MULTIPLE_ARRAY, ()),
        (lambda: MULTIPLE_SCALAR, ()),
    ],
    ids=[
        "arg",
        "clip",
        "scalar",
        "list",
        "tuple",
        "td_ctor",
        "dt_ctor",
        "zeros",
        "astype",
        "global_array",
        "global_scalar",
    ],
)
def test_unit_multiples_stay_unsupported_by_name(fn, args):
    fn(*args)  # NumPy takes them
    with pytest.raises(UnsupportedError, match=r"units with a multiple \('10s', '2D'\)"):
        ember.jit(fn)(*args)


SCALAR_REDUCTIONS = [
    (np.sum, ember.jit(lambda x: np.sum(x))),
    (np.mean, ember.jit(lambda x: np.mean(x))),
    (np.std, ember.jit(lambda x: np.std(x))),
    (np.min, ember.jit(lambda x: np.min(x))),
    (np.argmax, ember.jit(lambda x: np.argmax(x))),
    (np.cumsum, ember.jit(lambda x: np.cumsum(x))),
]


@pytest.mark.parametrize("value", [T(5, "s"), T("NaT", "ms"), D("2020-01-01")])
def test_reductions_of_scalars_match_numpy(value):
    for reference, compiled in SCALAR_REDUCTIONS:
        try:
            want = reference(value)
        except TypeError:
            with pytest.raises(TypingError):
                compiled(value)
            continue
        same(compiled(value), want)

"""np.random inside compiled code: np.random.seed makes the streams reproducible, every
generator returns the shapes and dtypes NumPy does (scalar, size int, size tuple), and 10**6 draws
follow the right distribution (means and variances within 5 standard errors, normal quantiles,
chi-square uniformity of randint and choice); bad arguments raise ValueError as in NumPy."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

N = 10**6
Z = 5.0  # tolerance in standard errors


def within(value, expected, se, what):
    assert abs(value - expected) <= Z * se, \
        f"{what}: {value} is not within {Z} standard errors ({se:.3g}) of {expected}"


def check_moments(x, mean, var, mu4, what):
    """Sample mean and variance of x against the exact ones (mu4: the fourth central
    moment, for the standard error of the sample variance)."""
    n = x.size
    within(x.mean(), mean, math.sqrt(var / n), f"{what} mean")
    # (+ 4 var / n: the O(1/n) bias term, the whole error when mu4 == var**2, as for 2 values)
    within(x.var(), var, math.sqrt((mu4 - var * var) / n) + 4 * var / n, f"{what} variance")


def chi2_limit(dof, z=Z):
    """Wilson-Hilferty: the chi-square quantile z standard normal deviations up."""
    c = 2.0 / (9.0 * dof)
    return dof * (1.0 - c + z * math.sqrt(c)) ** 3


def check_uniform_counts(x, low, high, what):
    assert x.min() >= low and x.max() < high, f"{what}: out of [{low}, {high})"
    k = high - low
    if k == 1:
        assert np.all(x == low)
        return
    counts = np.bincount((x - low).astype(np.int64), minlength=k)
    expected = x.size / k
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < chi2_limit(k - 1), f"{what}: chi-square {chi2:.1f} with {k - 1} dof"


def phi(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def check_normal_quantiles(x, mu, sigma, what):
    n = x.size
    for z in (-2.5, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5):
        p = phi(z)
        frac = float(np.count_nonzero(x < mu + z * sigma)) / n
        within(frac, p, math.sqrt(p * (1 - p) / n), f"{what} P(x < mu {z:+}*sigma)")


# ---- reproducibility -------------------------------------------------------------------------

@ember.jit
def seeded_draws(seed, n):
    np.random.seed(seed)
    return (np.random.random(n), np.random.randn(n), np.random.randint(0, 1000, n),
            np.random.normal(1.0, 2.0, n), np.random.uniform(-1.0, 1.0, n),
            np.random.choice(50, n), np.random.random())


@ember.jit
def seed_only(seed):
    np.random.seed(seed)


@ember.jit
def draw(n):
    return np.random.random(n)


@ember.jit
def scalar_stream(n):
    out = np.empty(n)
    for i in range(n):
        out[i] = np.random.random()
    return out


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_same_seed_same_sequence(seed):
    a = seeded_draws(seed, 20)
    b = seeded_draws(seed, 20)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_different_seeds_differ():
    seen = set()
    for seed in range(20):
        first = seeded_draws(seed, 8)
        seen.add(tuple(first[0].tolist()))
        other = seeded_draws(seed + 1, 8)
        for x, y in zip(first[:-1], other[:-1]):
            assert not np.array_equal(x, y)
    assert len(seen) == 20


def test_stream_continues_between_calls():
    seed_only(7)
    a = draw(10)
    b = draw(10)
    assert not np.array_equal(a, b)
    seed_only(7)
    np.testing.assert_array_equal(draw(20), np.concatenate([a, b]))


def test_seed_is_shared_by_all_compiled_functions():
    seed_only(123)
    x = scalar_stream(5)
    seed_only(123)
    y = scalar_stream(5)
    np.testing.assert_array_equal(x, y)
    assert len(set(x.tolist())) == 5


def test_python_numpy_state_is_separate():
    """Seeding in compiled code does not touch NumPy's global generator (as in Numba)."""
    np.random.seed(5)
    expected = np.random.random(3)
    np.random.seed(5)
    seed_only(99)
    draw(100)
    np.testing.assert_array_equal(np.random.random(3), expected)


# ---- shapes and dtypes -----------------------------------------------------------------------

@ember.jit
def scalars():
    return (np.random.random(), np.random.rand(), np.random.randn(), np.random.uniform(),
            np.random.uniform(2.0, 3.0), np.random.normal(), np.random.normal(1.0, 0.5),
            np.random.standard_normal(), np.random.randint(0, 5), np.random.randint(5),
            np.random.choice(5))


def test_scalar_results():
    got = scalars()
    kinds = [float] * 8 + [int] * 3
    assert [type(g) for g in got] == kinds
    assert 0.0 <= got[0] < 1.0 and 0.0 <= got[1] < 1.0 and 0.0 <= got[3] < 1.0
    assert 2.0 <= got[4] < 3.0
    assert 0 <= got[8] < 5 and 0 <= got[9] < 5 and 0 <= got[10] < 5


@ember.jit
def sized_int(n):
    return (np.random.random(n), np.random.rand(n), np.random.randn(n),
            np.random.uniform(0.0, 1.0, n), np.random.normal(0.0, 1.0, n),
            np.random.standard_normal(n), np.random.randint(0, 7, n), np.random.choice(7, n),
            np.random.random(size=n), np.random.normal(size=n), np.random.randint(0, 7, size=n),
            np.random.choice(7, size=n))


@ember.jit
def sized_tuple(n, m):
    return (np.random.random((n, m)), np.random.rand(n, m), np.random.randn(n, m),
            np.random.uniform(0.0, 1.0, (n, m)), np.random.normal(0.0, 1.0, (n, m)),
            np.random.standard_normal((n, m)), np.random.randint(0, 7, (n, m)),
            np.random.choice(7, (n, m)), np.random.random(size=(n, m)),
            np.random.normal(size=(n, m)), np.random.randint(0, 7, size=(n, m)),
            np.random.choice(7, size=(n, m)))


def _expected_dtypes():
    return [np.float64] * 6 + [np.int64, np.int64] + [np.float64, np.float64, np.int64, np.int64]


@pytest.mark.parametrize("n", [0, 1, 5])
def test_sized_int_results(n):
    for g, dt in zip(sized_int(n), _expected_dtypes()):
        assert isinstance(g, np.ndarray) and g.shape == (n,) and g.dtype == dt
        assert g.flags.c_contiguous


@pytest.mark.parametrize("n,m", [(0, 3), (2, 3), (1, 1), (4, 0)])
def test_sized_tuple_results(n, m):
    for g, dt in zip(sized_tuple(n, m), _expected_dtypes()):
        assert isinstance(g, np.ndarray) and g.shape == (n, m) and g.dtype == dt


@ember.jit
def choice_from_array(a, n):
    return np.random.choice(a, n)


def test_choice_from_an_array():
    a = np.array([1.5, -2.0, 7.25])
    got = choice_from_array(a, 1000)
    assert got.dtype == a.dtype and got.shape == (1000,)
    assert set(got.tolist()) == set(a.tolist())


# ---- distributions ---------------------------------------------------------------------------

@ember.jit
def many_random(n):
    np.random.seed(1)
    return np.random.random(n), np.random.rand(n), np.random.uniform(-3.0, 5.0, n)


@ember.jit
def many_random_scalar_loop(n):
    np.random.seed(2)
    out = np.empty(n)
    for i in range(n):
        out[i] = np.random.uniform(-3.0, 5.0)
    return out


def test_uniform_moments():
    r, r2, u = many_random(N)
    for x, what in ((r, "random"), (r2, "rand")):
        assert x.min() >= 0.0 and x.max() < 1.0
        check_moments(x, 0.5, 1 / 12, 1 / 80, what)
    for x, what in ((u, "uniform(-3, 5)"), (many_random_scalar_loop(N), "scalar uniform")):
        assert x.min() >= -3.0 and x.max() < 5.0
        w = 8.0
        check_moments(x, 1.0, w * w / 12, w**4 / 80, what)
        check_uniform_counts(np.floor(x).astype(np.int64), -3, 5, what + " (unit bins)")


@ember.jit
def many_normal(n):
    np.random.seed(3)
    return (np.random.randn(n), np.random.standard_normal(n), np.random.normal(2.0, 3.0, n),
            np.random.normal(size=n))


@ember.jit
def many_normal_scalar_loop(n):
    np.random.seed(4)
    out = np.empty(n)
    for i in range(n):
        out[i] = np.random.normal(-1.0, 0.5)
    return out


def test_normal_moments_and_quantiles():
    a, b, c, d = many_normal(N)
    for x, what in ((a, "randn"), (b, "standard_normal"), (d, "normal(size=)")):
        check_moments(x, 0.0, 1.0, 3.0, what)
        check_normal_quantiles(x, 0.0, 1.0, what)
    check_moments(c, 2.0, 9.0, 3 * 81.0, "normal(2, 3)")
    check_normal_quantiles(c, 2.0, 3.0, "normal(2, 3)")
    s = many_normal_scalar_loop(N)
    check_moments(s, -1.0, 0.25, 3 * 0.0625, "scalar normal(-1, 0.5)")
    check_normal_quantiles(s, -1.0, 0.5, "scalar normal(-1, 0.5)")


def test_standard_normal_draws_are_not_correlated():
    a = many_normal(N)[0]
    r = float(np.corrcoef(a[:-1], a[1:])[0, 1])
    within(r, 0.0, 1 / math.sqrt(N), "lag-1 correlation of randn")


@ember.jit
def many_randint(low, high, n):
    return np.random.randint(low, high, n)


@ember.jit
def many_randint_high(high, n):
    return np.random.randint(high, size=n)


@ember.jit
def randint_scalar_loop(low, high, n):
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = np.random.randint(low, high)
    return out


def discrete_uniform_moments(low, high):
    k = np.arange(low, high, dtype=np.float64)
    mean = k.mean()
    var = ((k - mean) ** 2).mean()
    mu4 = ((k - mean) ** 4).mean()
    return mean, var, mu4


@pytest.mark.parametrize("low,high", [(0, 2), (0, 10), (-5, 3), (7, 8), (0, 97), (-1000, 1000)],
                         ids=str)
def test_randint_bounds_and_uniformity(low, high):
    seed_only(low + 17 * high)
    for x, what in ((many_randint(low, high, N), "randint"),
                    (randint_scalar_loop(low, high, N // 4), "scalar randint")):
        assert x.dtype == np.int64
        check_uniform_counts(x, low, high, f"{what}({low}, {high})")
        mean, var, mu4 = discrete_uniform_moments(low, high)
        if var > 0:
            check_moments(x.astype(np.float64), mean, var, mu4, f"{what}({low}, {high})")
        else:
            assert np.all(x == low)


def test_randint_high_only_and_large_ranges():
    x = many_randint_high(6, N)
    check_uniform_counts(x, 0, 6, "randint(6)")
    big = many_randint(0, 2**40, N)
    assert big.min() >= 0 and big.max() < 2**40
    check_moments(big / 2.0**40, 0.5, 1 / 12, 1 / 80, "randint(0, 2**40) / 2**40")
    neg = many_randint(-(2**62), 2**62, 1000)
    assert neg.min() >= -(2**62) and neg.max() < 2**62 and neg.min() < 0 < neg.max()


@ember.jit
def many_choice(k, n):
    return np.random.choice(k, n)


@pytest.mark.parametrize("k", [1, 2, 13, 100])
def test_choice_uniformity(k):
    x = many_choice(k, N)
    check_uniform_counts(x, 0, k, f"choice({k})")


# ---- errors ----------------------------------------------------------------------------------

@ember.jit
def randint_scalar(low, high):
    return np.random.randint(low, high)


@ember.jit
def choice_sized(k, n):
    return np.random.choice(k, n)


@ember.jit
def normal_scalar(mu, sigma):
    return np.random.normal(mu, sigma)


@pytest.mark.parametrize("low,high", [(5, 5), (3, 1), (0, 0), (-1, -2)], ids=str)
def test_randint_empty_range_raises(low, high):
    with pytest.raises(ValueError):
        randint_scalar(low, high)
    with pytest.raises(ValueError):
        many_randint(low, high, 3)
    with pytest.raises(ValueError):
        np.random.randint(low, high)  # the reference


def test_other_bad_arguments_raise_value_error():
    with pytest.raises(ValueError):
        many_randint_high(0, 3)
    with pytest.raises(ValueError):
        choice_sized(0, 3)
    with pytest.raises(ValueError):
        normal_scalar(0.0, -1.0)
    with pytest.raises(ValueError):
        draw(-1)

"""np.random.Generator passed to compiled code (ember/npapi/generator.py): the draws advance the
Generator's own BitGenerator, so compiled code continues NumPy's stream and Python continues
compiled code's.  Streams equal NumPy's for the same seed where NumPy's algorithm is followed
(random, integers, uniform, choice, permutation, shuffle); normal and exponential draws use other
algorithms and are checked statistically (moments and Kolmogorov-Smirnov)."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError


@ember.jit
def draw_random(rng):
    return rng.random(), rng.random(5), rng.random((2, 3))


@ember.jit
def draw_random32(rng):
    return rng.random(4, dtype=np.float32), rng.random(dtype=np.float32)


def test_random_continues_numpys_stream():
    rng, ref = np.random.default_rng(42), np.random.default_rng(42)
    a, b, c = draw_random(rng)
    assert a == ref.random()
    np.testing.assert_array_equal(b, ref.random(5))
    np.testing.assert_array_equal(c, ref.random((2, 3)))
    assert c.dtype == np.float64 and c.shape == (2, 3)
    # The Python Generator's state advanced: it continues where compiled code stopped.
    assert rng.bit_generator.state == ref.bit_generator.state
    np.testing.assert_array_equal(rng.random(3), ref.random(3))
    f4, s4 = draw_random32(rng)
    np.testing.assert_array_equal(f4, ref.random(4, dtype=np.float32))
    assert f4.dtype == np.float32
    assert s4 == ref.random(dtype=np.float32)
    assert rng.bit_generator.state == ref.bit_generator.state


@ember.jit
def draw_integers(rng, low, high):
    return (rng.integers(low, high), rng.integers(low, high, size=7),
            rng.integers(high, size=(2, 2)), rng.integers(low, high, 5, endpoint=True))


@pytest.mark.parametrize("low,high", [(0, 10), (-5, 1000), (3, 4), (0, 2**40), (-2**62, 2**62),
                                      (0, 2**32)])
def test_integers_follow_lemire(low, high):
    rng, ref = np.random.default_rng(7), np.random.default_rng(7)
    one, seven, square, closed = draw_integers(rng, low, high)
    assert one == ref.integers(low, high)
    np.testing.assert_array_equal(seven, ref.integers(low, high, size=7))
    np.testing.assert_array_equal(square, ref.integers(high, size=(2, 2)))
    np.testing.assert_array_equal(closed, ref.integers(low, high, 5, endpoint=True))
    assert seven.dtype == np.int64
    assert rng.bit_generator.state == ref.bit_generator.state


@ember.jit
def draw_typed(rng):
    return (rng.integers(0, 100, 6, dtype=np.int32), rng.integers(0, 2**33, 6, dtype=np.uint64),
            rng.integers(5, 2**32, 6, dtype=np.uint32))


def test_integer_dtypes():
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    i32, u64, u32 = draw_typed(rng)
    for got, want in zip((i32, u64, u32), (ref.integers(0, 100, 6, dtype=np.int32),
                                           ref.integers(0, 2**33, 6, dtype=np.uint64),
                                           ref.integers(5, 2**32, 6, dtype=np.uint32))):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@ember.jit
def draw_uniform_choice(rng, pool):
    return (rng.uniform(-2.0, 3.0), rng.uniform(1.0, 2.0, size=4), rng.uniform(size=3),
            rng.choice(10), rng.choice(10, 4), rng.choice(pool, (2, 2)), rng.choice(pool))


def test_uniform_and_choice():
    pool = np.array([1.5, 2.5, 3.5, 4.5, 5.5])
    rng, ref = np.random.default_rng(11), np.random.default_rng(11)
    got = draw_uniform_choice(rng, pool)
    want = (ref.uniform(-2.0, 3.0), ref.uniform(1.0, 2.0, size=4), ref.uniform(size=3),
            ref.choice(10), ref.choice(10, 4), ref.choice(pool, (2, 2)), ref.choice(pool))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert rng.bit_generator.state == ref.bit_generator.state


@ember.jit
def shuffles(rng, x, m):
    p = rng.permutation(12)
    q = rng.permutation(x)
    rng.shuffle(x)
    rng.shuffle(m)
    return p, q, rng.permutation(m)


@ember.jit
def without_replacement(rng, pop, n, pool):
    return rng.choice(pop, n, replace=False), rng.choice(pool, (2, 2), False), rng.choice(pop,
                                                                                         None,
                                                                                         False)


@pytest.mark.parametrize("pop,n", [(10, 3), (10, 10), (100, 7), (20000, 5), (20000, 1000)])
def test_choice_without_replacement(pop, n):
    """Floyd's algorithm, and the tail shuffle NumPy takes for a large population sampled
    heavily (20000, 1000)."""
    pool = np.arange(30.0, 40.0)
    rng, ref = np.random.default_rng(pop + n), np.random.default_rng(pop + n)
    got, grid, one = without_replacement(rng, pop, n, pool)
    np.testing.assert_array_equal(got, ref.choice(pop, n, replace=False))
    np.testing.assert_array_equal(grid, ref.choice(pool, (2, 2), False))
    assert one == ref.choice(pop, None, False)
    assert len(set(got.tolist())) == n
    assert rng.bit_generator.state == ref.bit_generator.state


def test_permutation_and_shuffle():
    rng, ref = np.random.default_rng(5), np.random.default_rng(5)
    x, m = np.arange(20.0), np.arange(15).reshape(5, 3)
    x2, m2 = x.copy(), m.copy()
    p, q, pm = shuffles(rng, x, m)
    np.testing.assert_array_equal(p, ref.permutation(12))
    np.testing.assert_array_equal(q, ref.permutation(x2))
    ref.shuffle(x2)
    ref.shuffle(m2)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(m, m2)
    np.testing.assert_array_equal(pm, ref.permutation(m2))
    assert sorted(p) == list(range(12))


@ember.jit
def continuous(rng, n):
    return (rng.standard_normal(n), rng.normal(2.0, 3.0, n), rng.standard_exponential(n),
            rng.exponential(0.5, n), rng.standard_normal(), rng.normal(1.0, 2.0),
            rng.standard_normal(n, dtype=np.float32))


def test_normal_and_exponential_statistically():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(2024)
    before = rng.bit_generator.state
    n = 40000
    z, nrm, e, e2, one, two, z32 = continuous(rng, n)
    assert rng.bit_generator.state != before
    assert z32.dtype == np.float32 and np.isfinite(one) and np.isfinite(two)
    k = 5.0 / np.sqrt(n)  # five standard errors
    for sample, mean, sd, dist in ((z, 0.0, 1.0, "norm"), (nrm, 2.0, 3.0, "norm"),
                                   (e, 1.0, 1.0, "expon"), (e2, 0.5, 0.5, "expon")):
        assert abs(sample.mean() - mean) < k * sd
        assert abs(sample.std() - sd) < 2 * k * sd
        loc, scale = (mean, sd) if dist == "norm" else (0.0, sd)
        assert stats.kstest(sample, dist, args=(loc, scale)).pvalue > 1e-4
    assert (e >= 0).all()
    # Two calls draw different numbers (the state moved on between them).
    assert not np.array_equal(continuous(rng, 10)[0], continuous(rng, 10)[0])


def test_other_bit_generators():
    for bg in (np.random.MT19937, np.random.Philox, np.random.SFC64):
        rng, ref = np.random.Generator(bg(9)), np.random.Generator(bg(9))
        a, b, _ = draw_random(rng)
        assert a == ref.random()
        np.testing.assert_array_equal(b, ref.random(5))


def test_errors():
    rng = np.random.default_rng(0)

    @ember.jit
    def bad_scale(rng):
        return rng.normal(0.0, -1.0)
    with pytest.raises(ValueError, match="scale < 0"):
        bad_scale(rng)
    lock = rng.bit_generator.lock  # held for the call, released when it raised
    assert lock.acquire(blocking=False)
    lock.release()

    @ember.jit
    def empty_range(rng, n):
        return rng.integers(n, n)
    with pytest.raises(ValueError, match="low >= high"):
        empty_range(rng, 3)

    @ember.jit
    def int8s(rng):
        return rng.integers(0, 10, 3, dtype=np.int8)
    with pytest.raises(UnsupportedError, match="dtype"):
        int8s(rng)

    @ember.jit
    def complex_dtype(rng):
        return rng.random(3, dtype=np.complex128)
    with pytest.raises(TypingError, match="dtype"):
        complex_dtype(rng)

    @ember.jit
    def too_many(rng):
        return rng.choice(5, 6, replace=False)
    with pytest.raises(ValueError, match="larger sample than population"):
        too_many(rng)

"""np.random.Generator passed to compiled code (ember/npapi/generator.py): the draws advance the
Generator's own BitGenerator, so compiled code continues NumPy's stream and Python continues
compiled code's.  Streams equal NumPy's for the same seed where NumPy's algorithm is followed:
every method here (normal and exponential draws through NumPy's ziggurat tables, which
ember/npapi/ziggurat.py builds); the distributions' moments are checked too."""
import math
import re

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
            rng.standard_normal((3, 4)), rng.standard_exponential(), rng.exponential(2.0),
            rng.normal(size=(2, 5)))


@ember.jit
def continuous32(rng, n):
    return (rng.standard_normal(n, dtype=np.float32), rng.standard_exponential(n, np.float32),
            rng.standard_normal(dtype=np.float32), rng.standard_exponential(dtype=np.float32),
            rng.standard_normal((2, 3), np.float32))


@pytest.mark.parametrize("seed", [0, 1, 2024, 2**40 + 7])
def test_normal_and_exponential_follow_numpys_ziggurat(seed):
    """NumPy's ziggurat draws bit for bit over 10^5 draws of each (every layer, the wedges
    and the tails beyond r are reached), and the BitGenerator's state where NumPy leaves it."""
    from ember.npapi import ziggurat
    n = 100_000
    rng, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    got = continuous(rng, n)
    want = (ref.standard_normal(n), ref.normal(2.0, 3.0, n), ref.standard_exponential(n),
            ref.exponential(0.5, n), ref.standard_normal(), ref.normal(1.0, 2.0),
            ref.standard_normal((3, 4)), ref.standard_exponential(), ref.exponential(2.0),
            ref.normal(size=(2, 5)))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
        assert np.shape(g) == np.shape(w)
    assert got[0].dtype == np.float64 and got[6].shape == (3, 4)
    assert rng.bit_generator.state == ref.bit_generator.state
    assert (np.abs(got[0]) > ziggurat.NOR_R).sum() > 5  # the normal tail was drawn
    assert (got[2] > ziggurat.EXP_R).sum() > 5  # the exponential tail
    got32 = continuous32(rng, n)
    want32 = (ref.standard_normal(n, dtype=np.float32),
              ref.standard_exponential(n, np.float32), ref.standard_normal(dtype=np.float32),
              ref.standard_exponential(dtype=np.float32),
              ref.standard_normal((2, 3), np.float32))
    for g, w in zip(got32, want32):
        np.testing.assert_array_equal(g, w)
    assert got32[0].dtype == np.float32 and got32[4].dtype == np.float32
    assert rng.bit_generator.state == ref.bit_generator.state
    # Python continues where compiled code stopped.
    np.testing.assert_array_equal(rng.standard_normal(5), ref.standard_normal(5))


def test_ziggurat_tables():
    """The tables' construction (ember/npapi/ziggurat.py): the layers' edges rise to r, the
    densities fall from 1, layer 1's k is 0 and every float32 table is its float64 table's
    rounding (within the float32 ulp, the exponential ones through nine digits)."""
    from ember.npapi import ziggurat as z
    for k, w, f, r, bits in ((z.KI, z.WI, z.FI, z.NOR_R, 52), (z.KE, z.WE, z.FE, z.EXP_R, 53)):
        x = w[1:] * 2.0 ** bits
        assert x[-1] == r and (np.diff(x) > 0).all()
        assert f[0] == 1.0 and (np.diff(f) < 0).all()
        assert k[1] == 0 and (k[2:] < 2 ** bits).all() and (k[2:] > k[1]).all()
        assert not w.flags.writeable
    np.testing.assert_allclose(z.WI_F, z.WI * 2.0 ** 29, rtol=2 ** -23)
    np.testing.assert_allclose(z.WE_F, z.WE * 2.0 ** 30, rtol=2 ** -23)
    np.testing.assert_allclose(z.FE_F, z.FE, rtol=2 ** -23)


@ember.jit
def inversions(rng, n):
    return (rng.standard_exponential(n, method="inv"),
            rng.standard_exponential(n, np.float32, "inv"),
            rng.standard_exponential(method="inv"), rng.standard_exponential(n, method="zig"))


def test_standard_exponential_by_inversion():
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    got = inversions(rng, 20000)
    want = (ref.standard_exponential(20000, method="inv"),
            ref.standard_exponential(20000, np.float32, "inv"),
            ref.standard_exponential(method="inv"), ref.standard_exponential(20000, method="zig"))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert got[1].dtype == np.float32
    assert rng.bit_generator.state == ref.bit_generator.state

    @ember.jit
    def unknown(rng):
        return rng.standard_exponential(3, method="ziggurat")
    with pytest.raises(TypingError, match="method must be one of 'zig', 'inv'"):
        unknown(rng)


def test_normal_with_other_bit_generators():
    for bg in (np.random.MT19937, np.random.Philox, np.random.SFC64, np.random.PCG64DXSM):
        rng, ref = np.random.Generator(bg(9)), np.random.Generator(bg(9))
        got = continuous(rng, 2000)
        np.testing.assert_array_equal(got[0], ref.standard_normal(2000))
        np.testing.assert_array_equal(got[1], ref.normal(2.0, 3.0, 2000))
        np.testing.assert_array_equal(got[2], ref.standard_exponential(2000))


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


# ---- the other distributions ----------------------------------------------------------------

def _method_call(name, args, sized):
    """A compiled function drawing rng.<name>(*args) (with size=n when sized)."""
    a = ", ".join(map(repr, args))
    tail = (", " if a else "") + "size=n" if sized else ""
    ns = {}
    exec(f"def f(rng, n):\n    return rng.{name}({a}{tail})\n", ns)
    return ember.jit(ns["f"])


def _gamma(x):
    return math.gamma(x)


# name, args, true mean, true variance (None: not checked, heavy tails)
MOMENTS = [
    ("lognormal", (0.5, 0.5), np.exp(0.625), (np.exp(0.25) - 1) * np.exp(1.25)),
    ("rayleigh", (2.0,), 2.0 * np.sqrt(np.pi / 2), (4 - np.pi) / 2 * 4.0),
    ("pareto", (5.0,), 0.25, None),
    ("power", (3.0,), 0.75, 3.0 / 80.0),
    ("weibull", (2.0,), _gamma(1.5), _gamma(2.0) - _gamma(1.5) ** 2),
    ("wald", (1.5, 2.0), 1.5, 1.5 ** 3 / 2.0),
    ("laplace", (1.0, 2.0), 1.0, 8.0),
    ("logistic", (1.0, 2.0), 1.0, np.pi ** 2 / 3 * 4.0),
    ("triangular", (0.0, 1.0, 3.0), 4.0 / 3.0, (9.0 + 1.0 - 3.0) / 18.0),
    ("geometric", (0.4,), 2.5, 0.6 / 0.16),
    ("geometric", (0.05,), 20.0, 0.95 / 0.0025),
    ("standard_gamma", (2.5,), 2.5, 2.5),
    ("standard_gamma", (1.0,), 1.0, 1.0),
    ("gamma", (0.5, 2.0), 1.0, 2.0),
    ("beta", (2.0, 3.0), 0.4, 0.04),
    ("beta", (0.5, 0.7), 0.5 / 1.2, 0.35 / (1.44 * 2.2)),
    ("chisquare", (3.0,), 3.0, 6.0),
    ("f", (5.0, 10.0), 1.25, None),
    ("standard_t", (5.0,), 0.0, 5.0 / 3.0),
    ("poisson", (3.0,), 3.0, 3.0),
    ("poisson", (50.0,), 50.0, 50.0),
    ("negative_binomial", (3, 0.4), 4.5, 11.25),
    ("noncentral_chisquare", (3.0, 2.0), 5.0, 14.0),
    ("noncentral_chisquare", (0.5, 2.0), 2.5, 9.0),
    ("noncentral_f", (5.0, 10.0, 2.0), 1.75, None),
    ("logseries", (0.6,), -0.6 / (0.4 * np.log(0.4)),
     -0.6 * (0.6 + np.log(0.4)) / (0.16 * np.log(0.4) ** 2)),
    ("zipf", (3.0,), 1.2020569031595942 ** -1 * 1.6449340668482264, None),
]


@pytest.mark.parametrize("name,args,mean,var", MOMENTS,
                         ids=[f"{m[0]}{m[1]}" for m in MOMENTS])
def test_distribution_moments(name, args, mean, var):
    """Sample mean within 6 standard errors and variance within 15% of the true moments
    (fixed seeds); the Generator's state advances and Python's draws continue from it."""
    n = 20000
    rng = np.random.default_rng(1234)
    before = rng.bit_generator.state
    draw = _method_call(name, args, True)
    x = draw(rng, n)
    assert x.shape == (n,)
    assert x.dtype == (np.int64 if name in ("geometric", "poisson", "negative_binomial",
                                             "logseries", "zipf") else np.float64)
    sd = np.sqrt(var) if var is not None else x.std()
    assert abs(x.mean() - mean) < 6 * sd / np.sqrt(n)
    if var is not None:
        assert abs(x.var() - var) < 0.15 * var
    after = rng.bit_generator.state
    assert after != before
    assert not np.array_equal(x[:100], draw(rng, 100))  # two calls differ
    ref = np.random.default_rng()
    ref.bit_generator.state = rng.bit_generator.state
    assert rng.random() == ref.random()  # Python continues from compiled code's state
    one = _method_call(name, args, False)(rng, 0)
    assert np.isfinite(one)


def test_standard_cauchy():
    rng = np.random.default_rng(99)
    n = 20000
    x = _method_call("standard_cauchy", (), True)(rng, n)
    # P(|X| < 1) = 1/2 and the median is 0 for a standard Cauchy.
    assert abs(np.mean(np.abs(x) < 1.0) - 0.5) < 6 * 0.5 / np.sqrt(n)
    assert abs(np.median(x)) < 6 * (np.pi / 2) / np.sqrt(n)
    assert np.isfinite(_method_call("standard_cauchy", (), False)(rng, 0))


def _method_with_parameters(name, nargs):
    """A compiled function drawing rng.<name>(*parameters, size=n), the parameters passed at
    run time (see test_literal_parameters for constants)."""
    ps = ", ".join(f"p{i}" for i in range(nargs))
    ns = {}
    exec(f"def f(rng, n, {ps}):\n    return rng.{name}({ps}{', ' if ps else ''}size=n)\n", ns)
    return ember.jit(ns["f"])


# Every distribution follows NumPy's algorithm: NumPy's stream exactly.
SAME_STREAM = [("laplace", (1.0, 2.0)), ("logistic", (1.0, 2.0)), ("laplace", ()),
               ("triangular", (0.1, 0.7, 3.3)), ("geometric", (0.4,)), ("geometric", (0.05,)),
               ("poisson", (3.0,)), ("poisson", (50.0,)), ("poisson", ()), ("logseries", (0.6,)),
               ("zipf", (3.0,)), ("zipf", (1.5,)), ("standard_cauchy", ()),
               ("lognormal", (0.5, 0.5)), ("rayleigh", (2.0,)), ("pareto", (5.0,)),
               ("power", (3.0,)), ("power", (0.5,)), ("weibull", (2.0,)), ("weibull", (0.7,)),
               ("wald", (1.5, 2.0)), ("standard_gamma", (2.5,)), ("standard_gamma", (1.0,)),
               ("standard_gamma", (0.3,)), ("gamma", (0.5, 2.0)), ("gamma", (7.5, 2.0)),
               ("beta", (2.0, 3.0)), ("beta", (0.5, 0.7)), ("beta", (1e-3, 2e-3)),
               ("beta", (1e-104, 2e-104)), ("chisquare", (3.0,)), ("f", (5.0, 10.0)),
               ("standard_t", (5.0,)), ("negative_binomial", (3, 0.4)),
               ("negative_binomial", (30.5, 0.01)), ("noncentral_chisquare", (3.0, 2.0)),
               ("noncentral_chisquare", (0.5, 2.0)), ("noncentral_f", (5.0, 10.0, 2.0)),
               ("exponential", (0.5,)), ("normal", (2.0, 3.0))]


@pytest.mark.parametrize("name,args", SAME_STREAM, ids=[f"{n}{a}" for n, a in SAME_STREAM])
def test_distribution_follows_numpys_stream(name, args):
    for seed in (5, 77):
        rng, ref = np.random.default_rng(seed), np.random.default_rng(seed)
        draw = _method_with_parameters(name, len(args))
        np.testing.assert_array_equal(draw(rng, (50, 400), *args),
                                      getattr(ref, name)(*args, size=(50, 400)))
        assert rng.bit_generator.state == ref.bit_generator.state
        assert _method_call(name, args, False)(rng, 0) == getattr(ref, name)(*args)
        assert rng.bit_generator.state == ref.bit_generator.state


@pytest.mark.parametrize("name,args", SAME_STREAM, ids=[f"{n}{a}" for n, a in SAME_STREAM])
def test_literal_parameters(name, args):
    """Parameters written as constants: LLVM simplifies a power with a constant exponent
    (x ** 0.5 to sqrt(x), x ** 2.0 to x * x), which are correctly rounded where glibc's pow
    can be half an ulp off, so a few draws (about 1 in 1000, for weibull(2.0), gamma(0.5) or
    beta(0.5, b)) differ from NumPy's in the last bit; the state still ends where NumPy's does."""
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_allclose(_method_call(name, args, True)(rng, 20000),
                               getattr(ref, name)(*args, size=20000), rtol=1e-15)
    assert rng.bit_generator.state == ref.bit_generator.state


@ember.jit
def gammas32(rng, shape, n):
    return (rng.standard_gamma(shape, n, dtype=np.float32),
            rng.standard_gamma(shape, dtype=np.float32),
            rng.standard_gamma(shape, size=(2, 3)))


@pytest.mark.parametrize("shape", [0.3, 1.0, 2.5, 100.0, 0.0])
def test_standard_gamma_float32(shape):
    """NumPy's random_standard_gamma_f: float32 arithmetic over the float32 ziggurats."""
    rng, ref = np.random.default_rng(11), np.random.default_rng(11)
    many, one, six = gammas32(rng, shape, 50000)
    want = ref.standard_gamma(shape, 50000, dtype=np.float32)
    assert many.dtype == np.float32 and six.dtype == np.float64
    np.testing.assert_array_equal(many, want)
    assert one == ref.standard_gamma(shape, dtype=np.float32)
    np.testing.assert_array_equal(six, ref.standard_gamma(shape, size=(2, 3)))
    assert rng.bit_generator.state == ref.bit_generator.state


@ember.jit
def keyword_forms(rng):
    return (rng.gamma(2.0, scale=3.0, size=(2, 3)), rng.beta(a=2.0, b=3.0), rng.poisson(size=4),
            rng.lognormal(sigma=0.1), rng.triangular(left=0.0, mode=0.5, right=1.0, size=2),
            rng.zipf(2, 3), rng.negative_binomial(5, 0.5, size=(2,)))


def test_keyword_forms():
    g, b, p, ln, t, z, nb = keyword_forms(np.random.default_rng(3))
    assert g.shape == (2, 3) and (g > 0).all()
    assert 0.0 < b < 1.0
    assert p.shape == (4,) and p.dtype == np.int64
    assert ln > 0 and t.shape == (2,) and z.shape == (3,) and nb.shape == (2,)


BAD = [("laplace", (0.0, -1.0)), ("logistic", (0.0, -1.0)), ("lognormal", (0.0, -1.0)),
       ("rayleigh", (-1.0,)), ("pareto", (0.0,)), ("power", (0.0,)), ("weibull", (-1.0,)),
       ("wald", (0.0, 1.0)), ("wald", (1.0, 0.0)), ("triangular", (2.0, 1.0, 3.0)),
       ("triangular", (0.0, 4.0, 3.0)), ("triangular", (1.0, 1.0, 1.0)), ("geometric", (0.0,)),
       ("geometric", (1.5,)), ("standard_gamma", (-1.0,)), ("gamma", (-1.0,)),
       ("gamma", (1.0, -1.0)), ("beta", (0.0, 1.0)), ("beta", (1.0, 0.0)), ("chisquare", (0.0,)),
       ("f", (0.0, 1.0)), ("f", (1.0, 0.0)), ("standard_t", (0.0,)), ("poisson", (-1.0,)),
       ("poisson", (1e19,)), ("negative_binomial", (0.0, 0.5)), ("negative_binomial", (1.0, 0.0)),
       ("noncentral_chisquare", (0.0, 1.0)), ("noncentral_chisquare", (1.0, -1.0)),
       ("noncentral_f", (0.0, 1.0, 1.0)), ("noncentral_f", (1.0, 0.0, 1.0)),
       ("noncentral_f", (1.0, 1.0, -1.0)), ("logseries", (1.0,)), ("logseries", (-0.1,)),
       ("zipf", (1.0,))]


@pytest.mark.parametrize("name,args", BAD, ids=[f"{n}{a}" for n, a in BAD])
def test_distribution_errors_as_numpys(name, args):
    with pytest.raises(ValueError) as want:
        getattr(np.random.default_rng(0), name)(*args)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError) as got:
        _method_call(name, args, False)(rng, 0)
    assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match=re.escape(str(want.value))):
        _method_call(name, args, True)(rng, 3)


@ember.jit
def every_distribution(rng, n):
    return (rng.standard_cauchy(n), rng.laplace(0.0, 1.0, n), rng.logistic(0.0, 1.0, n),
            rng.lognormal(0.0, 1.0, n), rng.rayleigh(1.0, n), rng.pareto(3.0, n),
            rng.power(2.0, n), rng.weibull(1.5, n), rng.wald(1.0, 1.0, n),
            rng.triangular(0.0, 0.5, 1.0, n), rng.standard_gamma(2.0, n),
            rng.gamma(2.0, 2.0, n), rng.beta(2.0, 2.0, n), rng.chisquare(2.0, n),
            rng.f(3.0, 4.0, n), rng.standard_t(3.0, n), rng.noncentral_chisquare(2.0, 1.0, n),
            rng.noncentral_f(3.0, 4.0, 1.0, n)), (
            rng.geometric(0.3, n), rng.poisson(4.0, n), rng.negative_binomial(2, 0.5, n),
            rng.logseries(0.5, n), rng.zipf(2.0, n))


def test_every_distribution_by_name():
    """Each method called by name: the shape and dtype NumPy gives, and the draws in the
    distribution's support (the moments are checked above)."""
    rng = np.random.default_rng(77)
    floats, ints = every_distribution(rng, 1000)
    for x in floats:
        assert x.shape == (1000,) and x.dtype == np.float64 and np.isfinite(x).all()
    for x in floats[3:8] + floats[10:15] + floats[16:]:
        assert (x >= 0).all()
    assert (floats[8] > 0).all()
    assert ((floats[9] >= 0) & (floats[9] <= 1)).all()
    assert ((floats[12] > 0) & (floats[12] < 1)).all()
    for x in ints:
        assert x.shape == (1000,) and x.dtype == np.int64
    assert (ints[0] >= 1).all() and (ints[1] >= 0).all() and (ints[2] >= 0).all()
    assert (ints[3] >= 1).all() and (ints[4] >= 1).all()

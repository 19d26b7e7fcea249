"""The np.random distributions of ember/npapi/random.py in compiled code: shapes and dtypes as
NumPy's, and sample means and variances within 6 standard errors of the distribution's (the
streams are ember's, not NumPy's: statistical checks, with a fixed seed); shuffle and
permutation give permutations; bad parameters raise ValueError."""
import math

import numpy as np
import pytest

import ember

N = 20000


@ember.jit
def draws(n):
    np.random.seed(12345)
    return (np.random.exponential(2.0, n), np.random.laplace(1.0, 2.0, n),
            np.random.logistic(0.0, 1.0, n), np.random.gumbel(0.0, 1.0, n),
            np.random.lognormal(0.0, 0.5, n), np.random.rayleigh(1.5, n),
            np.random.weibull(2.0, n), np.random.pareto(5.0, n), np.random.power(3.0, n),
            np.random.triangular(0.0, 1.0, 3.0, n), np.random.wald(1.0, 2.0, n),
            np.random.poisson(4.0, n), np.random.binomial(10, 0.3, n),
            np.random.geometric(0.25, n), np.random.standard_exponential(n),
            np.random.random_sample(n), np.random.ranf(n), np.random.sample(n))


G = math.gamma
MOMENTS = [  # (mean, variance)
    (2.0, 4.0), (1.0, 8.0), (0.0, math.pi ** 2 / 3), (0.5772156649, math.pi ** 2 / 6),
    (math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25)), (1.5 * math.sqrt(math.pi / 2),
                                                               (4 - math.pi) / 2 * 2.25),
    (G(1.5), G(2.0) - G(1.5) ** 2), (0.25, 5.0 / (16 * 3)), (0.75, 3.0 / (16 * 5)),
    (4.0 / 3, (0 + 1 + 9 - 0 - 0 - 3) / 18), (1.0, 0.5), (4.0, 4.0), (3.0, 2.1),
    (4.0, 0.75 / 0.0625), (1.0, 1.0), (0.5, 1 / 12), (0.5, 1 / 12), (0.5, 1 / 12)]


def test_distribution_moments():
    got = draws(N)
    assert len(got) == len(MOMENTS)
    for k, (x, (mean, var)) in enumerate(zip(got, MOMENTS)):
        assert x.shape == (N,)
        assert abs(x.mean() - mean) < 6 * math.sqrt(var / N), k
        assert abs(x.var() - var) < 0.1 * var + 1e-3, k
    assert got[11].dtype == np.int64 and got[0].dtype == np.float64


def test_scalars_shapes_and_errors():
    @ember.jit
    def f(scale):
        return (np.random.exponential(scale), np.random.standard_cauchy((2, 3)),
                np.random.poisson(size=4))
    x, c, p = f(1.0)
    assert isinstance(x, float) and x >= 0
    assert c.shape == (2, 3) and p.shape == (4,)
    with pytest.raises(ValueError, match="scale < 0"):
        f(-1.0)


def test_shuffle_and_permutation():
    @ember.jit
    def f(a, m):
        np.random.shuffle(a)
        np.random.shuffle(m)
        return np.random.permutation(10), np.random.permutation(a)
    a = np.arange(20.0)
    m = np.arange(12).reshape(4, 3)
    p10, pa = f(a, m)
    assert sorted(a) == list(range(20))
    assert sorted(map(tuple, m)) == [tuple(r) for r in np.arange(12).reshape(4, 3)]
    assert sorted(p10) == list(range(10)) and sorted(pa) == list(range(20))


def test_gamma_family_moments():
    @ember.jit
    def f(n):
        np.random.seed(7)
        return (np.random.standard_gamma(0.5, n), np.random.gamma(3.0, 2.0, n),
                np.random.chisquare(4.0, n), np.random.beta(2.0, 3.0, n),
                np.random.f(5.0, 10.0, n), np.random.standard_t(10.0, n),
                np.random.negative_binomial(3, 0.4, n))
    moments = [(0.5, 0.5), (6.0, 12.0), (4.0, 8.0), (0.4, 6.0 / (25 * 6)),
               (10.0 / 8, 2 * 100 * 13 / (5 * 64 * 6)), (0.0, 10.0 / 8), (4.5, 3 * 0.6 / 0.16)]
    for k, (x, (mean, var)) in enumerate(zip(f(N), moments)):
        assert abs(x.mean() - mean) < 6 * math.sqrt(var / N), k
        assert abs(x.var() - var) < 0.15 * var, k


@ember.jit
def more_draws(n):
    np.random.seed(3)
    return (np.random.logseries(0.6, n), np.random.zipf(2.5, n), np.random.vonmises(0.5, 2.0, n),
            np.random.noncentral_chisquare(3.0, 2.0, n),
            np.random.noncentral_chisquare(0.5, 1.0, n), np.random.hypergeometric(7, 5, 4, n))


def test_logseries_zipf_vonmises_noncentral_chisquare_hypergeometric():
    """Statistical checks (the streams are ember's own): moments and probabilities from the
    distributions' formulas, 20,000 seeded draws, tolerances of about 5 standard errors."""
    logseries, zipf, vonmises, ncx_big, ncx_small, hyper = more_draws(20000)
    p = 0.6
    assert logseries.dtype == np.int64 and logseries.min() >= 1
    assert abs(logseries.mean() - (-p / ((1 - p) * np.log(1 - p)))) < 0.05
    zeta_2_5 = sum(k ** -2.5 for k in range(1, 200000))
    assert zipf.min() >= 1 and abs((zipf == 1).mean() - 1 / zeta_2_5) < 0.02
    assert vonmises.min() >= -np.pi and vonmises.max() < np.pi
    # E cos(X - mu) = I1(kappa) / I0(kappa); the series at kappa = 2 have (kappa/2)^j = 1
    i0 = sum(1 / math.factorial(k) ** 2 for k in range(30))
    i1 = sum(1 / (math.factorial(k) * math.factorial(k + 1)) for k in range(30))
    assert abs(np.cos(vonmises - 0.5).mean() - i1 / i0) < 0.03
    assert abs(np.sin(vonmises - 0.5).mean()) < 0.03
    for draws, df, nonc in ((ncx_big, 3.0, 2.0), (ncx_small, 0.5, 1.0)):
        assert abs(draws.mean() - (df + nonc)) < 0.2
        assert abs(draws.var() / (2 * (df + 2 * nonc)) - 1) < 0.12
    assert hyper.min() >= 0 and hyper.max() <= 4
    assert abs(hyper.mean() - 4 * 7 / 12) < 0.03
    assert abs(hyper.var() - 4 * (7 / 12) * (5 / 12) * (8 / 11)) < 0.05


def test_more_draws_check_parameters():
    with pytest.raises(ValueError, match="zipf"):
        ember.jit(lambda: np.random.zipf(1.0))()
    with pytest.raises(ValueError, match="hypergeometric"):
        ember.jit(lambda: np.random.hypergeometric(2, 2, 5))()


@ember.jit
def vector_draws(alpha, p):
    np.random.seed(5)
    return (np.random.dirichlet(alpha), np.random.dirichlet(alpha, 20000),
            np.random.dirichlet(alpha, (2, 3)), np.random.multinomial(10, p),
            np.random.multinomial(10, p, 20000), np.random.multinomial(7, p, (2, 2)))


def test_dirichlet_and_multinomial():
    """Shapes and dtypes as NumPy's; rows on the simplex / summing to n; means (and the
    multinomial's variances) from the formulas, 20,000 seeded draws."""
    alpha, p = np.array([0.5, 2.0, 3.5]), np.array([0.2, 0.3, 0.5])
    got = vector_draws(alpha, p)
    want = (np.random.dirichlet(alpha), np.random.dirichlet(alpha, 20000),
            np.random.dirichlet(alpha, (2, 3)), np.random.multinomial(10, p),
            np.random.multinomial(10, p, 20000), np.random.multinomial(7, p, (2, 2)))
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype
    d, m = got[1], got[4]
    assert d.min() >= 0 and np.allclose(d.sum(axis=1), 1.0)
    np.testing.assert_allclose(d.mean(axis=0), alpha / alpha.sum(), atol=0.01)
    assert m.min() >= 0 and (m.sum(axis=1) == 10).all() and (got[5].sum(axis=2) == 7).all()
    np.testing.assert_allclose(m.mean(axis=0), 10 * p, atol=0.06)
    np.testing.assert_allclose(m.var(axis=0), 10 * p * (1 - p), rtol=0.08)
    with pytest.raises(ValueError, match="pvals"):
        vector_draws(alpha, np.array([0.8, 0.5, 0.1]))
    with pytest.raises(ValueError, match="alpha"):
        vector_draws(np.array([1.0, 0.0]), p)

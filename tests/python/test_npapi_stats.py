"""Order statistics in compiled code (ember/npapi/stats.py), against NumPy: np.median,
np.percentile, np.quantile and their NaN-ignoring forms, with scalar and array q, odd and even
sizes, NaNs, integer and float32 data, and the errors for q out of range."""
import numpy as np
import pytest

import ember


@ember.jit
def median(a):
    return np.median(a)


@ember.jit
def nanmedian(a):
    return np.nanmedian(a)


@ember.jit
def percentile(a, q):
    return np.percentile(a, q)


@ember.jit
def quantile(a, q):
    return np.quantile(a, q)


@ember.jit
def nan_forms(a, q):
    return np.nanpercentile(a, q), np.nanquantile(a, q / 100.0)


def test_median():
    rng = np.random.default_rng(0)
    for a in (rng.normal(size=11), rng.normal(size=10), rng.normal(size=(3, 4))[:, ::2],
              rng.integers(-5, 5, 8), rng.normal(size=7).astype(np.float32)):
        got, want = median(a), np.median(a)
        assert got == want
    with_nan = np.array([1.0, np.nan, 3.0])
    assert np.isnan(median(with_nan))
    assert nanmedian(with_nan) == np.nanmedian(with_nan)


def test_percentile_and_quantile():
    rng = np.random.default_rng(1)
    a = rng.normal(size=101)
    q = np.array([0.0, 5.0, 37.5, 50.0, 95.0, 100.0])
    np.testing.assert_array_equal(percentile(a, q), np.percentile(a, q))
    np.testing.assert_array_equal(quantile(a, q / 100), np.quantile(a, q / 100))
    for x in (17.3, 0.0, 100.0):
        assert percentile(a, x) == np.percentile(a, x)
    ints = rng.integers(0, 100, 40)
    np.testing.assert_array_equal(percentile(ints, q), np.percentile(ints, q))
    q2 = q.reshape(2, 3)
    np.testing.assert_array_equal(percentile(a, q2), np.percentile(a, q2))
    assert np.isnan(percentile(np.array([1.0, np.nan]), 50.0))
    with_nan = np.concatenate([a, [np.nan, np.nan]])
    got = nan_forms(with_nan, q)
    np.testing.assert_array_equal(got[0], np.nanpercentile(with_nan, q))
    np.testing.assert_array_equal(got[1], np.nanquantile(with_nan, q / 100.0))


def test_percentile_errors():
    with pytest.raises(ValueError, match=r"Percentiles must be in the range \[0, 100\]"):
        percentile(np.ones(3), 101.0)
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        quantile(np.ones(3), np.array([0.5, -0.1]))


def test_selection_with_duplicates():
    # Quickselect on many repeated values and every size up to 40, against NumPy.
    rng = np.random.default_rng(5)
    q = np.array([0.0, 12.5, 25.0, 50.0, 66.0, 99.0, 100.0])
    for n in range(1, 41):
        a = rng.integers(0, 4, n).astype(np.float64)
        assert median(a) == np.median(a)
        np.testing.assert_array_equal(percentile(a, q), np.percentile(a, q))


def test_long_arrays_with_ties():
    """Arrays longer than the 600 elements above which the selection samples a pivot first,
    with many equal values, sorted and reversed input, and every percentile."""
    rng = np.random.default_rng(9)
    for a in (rng.integers(0, 10, 5001).astype(np.float64), rng.normal(size=4000),
              np.arange(3000.0), np.arange(3001.0)[::-1], np.zeros(1500)):
        assert median(a) == np.median(a)
        q = np.linspace(0.0, 100.0, 41)
        np.testing.assert_array_equal(percentile(a, q), np.percentile(a, q))

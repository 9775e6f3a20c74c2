"""Every distribution's sample mean and variance against its parameters.

The seed is fixed, so each check is deterministic; the tolerance is 4.5 standard errors
(the standard error of the variance estimated from the sample's fourth moment), so a
correct sampler passes and a wrong parameterisation (typically off by far more) fails.
"""

import math

import numpy as np
import pytest

from simulation.model.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Uniform,
    Weibull,
)

N = 400_000

CASES = [
    Exponential(0.25),
    Exponential.from_mean(15800.0),
    Weibull(0.75, 10.0),
    Weibull.from_mean(shape=1.3, mean=9000.0),
    Lognormal(0.5, 0.8),
    Lognormal.from_mean_cv(3.0, 1.0),
    Lognormal.from_median_p95(0.5, 4.0),
    Lognormal.from_median_sigma(2.0, 0.5),
    Gamma(2.5, 3.0),
    Gamma.from_mean_cv(24.0, 0.5),
    Normal(10.0, 2.0),
    Normal(1.0, 2.0),  # truncation at 0 matters here
    Uniform(2.0, 5.0),
    Empirical((1.0, 2.0, 2.0, 7.5)),
]


@pytest.mark.parametrize("dist", CASES, ids=repr)
def test_sample_mean_and_variance_match_parameters(dist):
    x = dist.sample(N, np.random.default_rng(2027))
    se_mean = math.sqrt(dist.variance / N)
    assert abs(x.mean() - dist.mean) < 4.5 * se_mean + 1e-12
    m4 = np.mean((x - x.mean()) ** 4)
    se_var = math.sqrt(max(m4 - x.var() ** 2, 0.0) / N)
    assert abs(x.var() - dist.variance) < 4.5 * se_var + 1e-12
    assert np.all(x >= 0)


@pytest.mark.parametrize("dist", CASES, ids=repr)
def test_cdf_matches_sample(dist):
    """The cdf at the sample median is about 0.5 (and sf = 1 - cdf)."""
    x = dist.sample(50_000, np.random.default_rng(1))
    for q in (0.1, 0.5, 0.9):
        t = np.quantile(x, q)
        assert float(dist.cdf(t)) == pytest.approx(q, abs=0.02 if not isinstance(dist, Empirical) else 0.3)
        assert float(dist.sf(t)) == pytest.approx(1 - float(dist.cdf(t)))


def test_deterministic_is_constant():
    d = Deterministic(0.25)
    assert np.all(d.sample(10, np.random.default_rng(0)) == 0.25)
    assert (d.mean, d.variance) == (0.25, 0.0)


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: Exponential(0.0), "rate must be a positive"),
        (lambda: Weibull(-1.0, 2.0), "shape must be a positive"),
        (lambda: Lognormal.from_median_p95(4.0, 2.0), "p95"),
        (lambda: Uniform(3.0, 1.0), "low < high"),
        (lambda: Empirical(()), "non-empty"),
        (lambda: Deterministic(-1.0), ">= 0"),
    ],
)
def test_bad_parameters_name_the_parameter(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


def test_field_data_constructors():
    """Median and p95 as reported by operators give back median and p95."""
    d = Lognormal.from_median_p95(0.5, 4.0)
    assert d.median == pytest.approx(0.5)
    assert float(d.cdf(4.0)) == pytest.approx(0.95, abs=1e-9)
    assert Gamma.from_mean_cv(10.0, 0.5).std == pytest.approx(5.0)
    assert Lognormal.from_mean_cv(3.0, 1.0).std == pytest.approx(3.0)


def test_reprs_read_like_constructors():
    assert repr(Exponential(0.25)) == "Exponential(rate=0.25)"
    assert repr(Weibull(1.5, 100.0)) == "Weibull(shape=1.5, scale=100)"
    assert repr(Normal(10.0, 2.0)) == "Normal(mean=10, sd=2)"

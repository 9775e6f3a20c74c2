"""Every distribution's sample mean and variance against its parameters.

The seed is fixed, so each check is deterministic; the tolerance is 4.5 standard errors
(the standard error of the variance estimated from the sample's fourth moment), so a
correct sampler passes and a wrong parameterisation (typically off by far more) fails.
"""

import numpy as np
import pytest
from helpers import DISTRIBUTIONS, assert_moments

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


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_sample_mean_and_variance_match_parameters(dist):
    assert_moments(dist.sample(N, np.random.default_rng(2027)), dist)


@pytest.mark.parametrize(
    "dist", [d for d in DISTRIBUTIONS if d.variance > 0 and not isinstance(d, Empirical)], ids=repr
)
def test_cdf_matches_sample(dist):
    """The cdf at the sample median is about 0.5 (and sf = 1 - cdf)."""
    x = dist.sample(50_000, np.random.default_rng(1))
    for q in (0.1, 0.5, 0.9):
        t = np.quantile(x, q)
        assert float(dist.cdf(t)) == pytest.approx(q, abs=0.02)
        assert float(dist.sf(t)) == pytest.approx(1 - float(dist.cdf(t)))


EMPIRICAL = Empirical((7.5, 2.0, 1.0, 2.0))  # unsorted on purpose


@pytest.mark.parametrize(
    "t, cdf",
    [
        (0.0, 0.0),
        (np.nextafter(1.0, 0.0), 0.0),  # just below the smallest sample
        (1.0, 0.25),  # a step at each sample, right-continuous
        (1.5, 0.25),
        (2.0, 0.75),  # a sample seen twice is a step of 2/4
        (7.499, 0.75),
        (7.5, 1.0),
        (100.0, 1.0),
    ],
)
def test_empirical_cdf_is_the_step_function_of_its_samples(t, cdf):
    assert float(EMPIRICAL.cdf(t)) == cdf
    assert float(EMPIRICAL.sf(t)) == 1 - cdf


@pytest.mark.parametrize(
    "q, value",
    [(0.0, 1.0), (0.2499, 1.0), (0.25, 2.0), (0.7499, 2.0), (0.75, 7.5), (1.0, 7.5)],
)
def test_empirical_ppf_inverts_the_steps(q, value):
    assert float(EMPIRICAL.ppf(q)) == value


def test_empirical_draws_each_sample_with_its_share():
    """Shares 1/4, 1/2, 1/4 within 4.5 binomial standard errors (400,000 draws)."""
    x = EMPIRICAL.sample(N, np.random.default_rng(3))
    assert set(np.unique(x).tolist()) == {1.0, 2.0, 7.5}
    for value, share in [(1.0, 0.25), (2.0, 0.5), (7.5, 0.25)]:
        assert np.mean(x == value) == pytest.approx(share, abs=4.5 * np.sqrt(share * (1 - share) / N))


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
    assert repr(Normal(10.0, 2.0)) == "Normal(loc=10, sd=2)"
    assert repr(Empirical((2.0, 0.5))) == "Empirical(samples=(0.5, 2))"


@pytest.mark.parametrize(
    "dist",
    [
        *DISTRIBUTIONS,
        Weibull.from_mean(shape=1.3, mean=9000.0),  # a scale with many digits
        Lognormal.from_median_p95(0.5, 4.0),
        Normal(-1.5, 3.0),
        Empirical((0.25,)),
    ],
    ids=lambda d: type(d).__name__,
)
def test_repr_is_the_constructor_call(dist):
    """eval(repr(d)) makes an equal distribution: every digit is kept."""
    namespace = {c.__name__: c for c in (Deterministic, Empirical, Exponential, Gamma, Lognormal, Normal)}
    namespace.update(Uniform=Uniform, Weibull=Weibull)
    if isinstance(dist, Empirical) and dist.samples and len(dist.samples) > 20:
        assert repr(dist).startswith("<Empirical: ")
        return
    assert eval(repr(dist), namespace) == dist

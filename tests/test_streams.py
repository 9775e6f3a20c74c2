"""The addressable random streams: uniform, independent, and the engines' draws right.

The engines never call a numpy Generator: every draw is ``dist.ppf(u)`` of a uniform
with a fixed address. These checks are what `test_distributions` is for `sample`:
fixed seeds, tolerances from the standard error.
"""

import math

import numpy as np
import pytest
from helpers import DISTRIBUTIONS, assert_moments
from scipy import stats

from simulation.engine.streams import FAILURE, REPAIR, base_key, draws, stream_keys, uniforms
from simulation.model.distributions import Deterministic, Empirical

KEYS = stream_keys(
    np.array([base_key(7, f"part-{i}") for i in range(200)], np.uint64), np.arange(500), FAILURE
)


def test_uniforms_are_uniform_and_open():
    u = uniforms(KEYS[:, :, None], np.arange(20))  # 2 million values
    assert 0.0 < u.min() and u.max() < 1.0
    assert stats.kstest(u.ravel()[:200_000], "uniform").pvalue > 1e-3
    counts = np.bincount((u.ravel() * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_streams_are_uncorrelated_across_parts_replications_and_draws():
    u = uniforms(KEYS[:, :, None], np.arange(4))
    n = u[..., 0].size
    bound = 5.0 / math.sqrt(n)  # five standard errors of a correlation of independent values
    for a, b in [
        (u[:, :-1, 0], u[:, 1:, 0]),  # neighbouring parts
        (u[:-1, :, 0], u[1:, :, 0]),  # neighbouring replications
        (u[..., 0], u[..., 1]),
    ]:  # successive draws of a stream
        assert abs(np.corrcoef(a.ravel(), b.ravel())[0, 1]) < bound
    other = uniforms(stream_keys(np.array([base_key(7, "part-0")], np.uint64), np.arange(500), REPAIR), 0)
    assert abs(np.corrcoef(other.ravel(), u[:, 0, 0])[0, 1]) < 5.0 / math.sqrt(500)


def test_a_draw_depends_only_on_its_address():
    k = stream_keys(np.array([base_key(3, "a")], np.uint64), np.array([41]), FAILURE)[0, 0]
    assert uniforms(k, 5) == uniforms(KEYS[:1, :1, None] * 0 + k, np.arange(10))[0, 0, 5]
    assert base_key(3, "a") != base_key(4, "a") != base_key(3, "b")


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_engine_draws_match_the_distribution(dist):
    """Mean and variance of ppf-of-stream draws, as the engines make them."""
    assert_moments(draws(dist, KEYS[:, :, None], np.arange(4)).ravel(), dist)  # 400,000 draws


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_ppf_inverts_cdf(dist):
    q = np.array([0.05, 0.3, 0.5, 0.9, 0.99])
    if isinstance(dist, (Deterministic, Empirical)):
        assert np.all(dist.cdf(dist.ppf(q)) >= q)
    else:
        np.testing.assert_allclose(dist.cdf(dist.ppf(q)), q, rtol=1e-6)

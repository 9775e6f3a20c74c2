"""Across-replication statistics: Wilson interval, chronic rule, achievable target, mean CI."""

import math

import numpy as np
import pytest

import simulation.measure as measure
from simulation.measure import achievable_target, chronic_triggered, mean_ci, wilson_interval


def test_public_names():
    """The package offers what `__all__` lists, and nothing listed is missing."""
    assert sorted(measure.__all__) == sorted(set(measure.__all__))
    for name in measure.__all__:
        assert hasattr(measure, name), name


# -- Wilson ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "successes, n, low, high",
    [
        (0, 10, 0.0, 0.2775328),  # z^2/n / (1 + z^2/n), z = 1.959964
        (5, 10, 0.2365931, 0.7634069),  # symmetric around 1/2
        (10, 10, 0.7224672, 1.0),  # mirror of 0 of 10
        (1, 100, 0.0017674, 0.0544862),  # a small proportion: center 0.028127, half 0.026359
    ],
)
def test_wilson_known_values(successes, n, low, high):
    assert wilson_interval(successes, n) == pytest.approx((low, high), abs=1e-6)


def test_wilson_matches_scipy():
    from scipy.stats import binomtest

    for k, n, conf in [(3, 17, 0.95), (40, 1000, 0.99), (7, 9, 0.9)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
        assert wilson_interval(k, n, conf) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_wilson_without_trials_knows_nothing():
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    "successes, n, confidence",
    [
        (11, 10, 0.95),  # more successes than trials
        (-1, 10, 0.95),  # negative
        (1, 10, 1.0),  # confidence must be below 1
    ],
)
def test_wilson_rejects_nonsense(successes, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


# -- chronic --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, breaches, within, triggered",
    [
        ("10011", 2, 3, True),  # the last three windows hold two breaches
        ("10001", 2, 3, False),  # never two within three
        ("10001", 2, 5, True),  # two within five
        ("0000", 1, 3, False),  # no breach at all
        ("0100", 1, 1, True),  # one breach is enough
        ("11", 3, 12, False),  # fewer windows than `within`: judged on the two there are
        ("111", 3, 12, True),  # ... where three breaches do trigger
        ("", 1, 12, False),  # no windows
        ("101010101", 3, 5, True),  # windows 1, 3, 5
        ("100100100", 3, 6, False),  # breaches 3 apart: two in any 6
    ],
)
def test_chronic_rule(pattern, breaches, within, triggered):
    breach = np.array([[c == "1" for c in pattern]], dtype=bool).reshape(1, len(pattern))
    assert chronic_triggered(breach, breaches, within).tolist() == [triggered]


def test_chronic_per_replication():
    breach = np.array([[1, 0, 0, 1, 1], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]], dtype=bool)
    assert chronic_triggered(breach, 2, 3).tolist() == [True, False, False]
    assert chronic_triggered(breach[0], 2, 3).tolist() == [True]  # 1-d: one replication


def test_chronic_rejects_an_empty_rule():
    with pytest.raises(ValueError, match="breaches >= 1"):
        chronic_triggered(np.zeros((2, 3), bool), 0, 3)


# -- achievable target -----------------------------------------------------------------


@pytest.mark.parametrize(
    "availability, risk, target",
    [
        ([1.0] * 100, 0.05, 0.99999),  # never down: the top of the ladder
        ([0.9991] * 5 + [1.0] * 95, 0.05, 0.99999),  # 5 % below every target above 99.9 %: allowed
        ([0.9991] * 6 + [1.0] * 94, 0.05, 0.999),  # 6 % below 99.95 %: only 99.9 % holds
        ([0.999] * 50 + [1.0] * 50, 0.05, 0.999),  # exactly at 99.9 % is no breach
        ([0.98] * 100, 0.05, None),  # even 99 % is missed in every window
        ([0.98] * 10 + [1.0] * 90, 0.10, 0.99999),  # a larger accepted risk
        ([0.98] * 10 + [1.0] * 90, 0.0, None),  # no risk accepted
    ],
)
def test_achievable_target(availability, risk, target):
    assert achievable_target(np.array(availability), risk) == target


def test_achievable_target_takes_any_shape_and_ladder():
    a = np.array([[1.0, 0.996], [1.0, 1.0]])  # 25 % of windows below 99.6 %
    assert achievable_target(a, 0.25, ladder=(0.99, 0.995, 0.999)) == 0.999
    assert achievable_target(a, 0.2, ladder=(0.999, 0.99, 0.995)) == 0.995


# -- mean CI --------------------------------------------------------------------------


def test_mean_ci_by_hand():
    """1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451."""
    mean, low, high = mean_ci([1, 2, 3, 4, 5])
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
    assert (mean, low, high) == pytest.approx((3.0, 3.0 - half, 3.0 + half), rel=1e-12)


def test_mean_ci_of_constant_and_single_values():
    assert mean_ci([0.999] * 4) == pytest.approx((0.999, 0.999, 0.999))
    mean, low, high = mean_ci([0.5])
    assert mean == 0.5 and math.isnan(low) and math.isnan(high)
    with pytest.raises(ValueError, match="at least one"):
        mean_ci([])

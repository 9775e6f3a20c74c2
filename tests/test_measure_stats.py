"""Across-replication statistics: intervals (Wilson, clustered, zero events, mean of
fractions), the chronic rule and the achievable target."""

import math

import numpy as np
import pytest

import simulation.measure as measure
from simulation.measure import achievable_target, chronic_triggered, mean_ci, wilson_interval
from simulation.measure.stats import clustered_proportion_ci, fraction_mean_ci, zero_event_upper_bound


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


# -- zero events ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 12, 120_000, 10**7])
def test_zero_event_bound_is_the_exact_one_sided_bound(n):
    """No breach in n windows: P(breach) < 1 - 0.05 ** (1 / n) at 95 % (about 3 / n)."""
    assert zero_event_upper_bound(n) == pytest.approx(1 - 0.05 ** (1 / n), rel=0.01)
    # seeing no event at the bound has probability 5 %
    assert (1 - zero_event_upper_bound(n)) ** n == pytest.approx(0.05, rel=1e-9)


def test_zero_event_bound_of_120000_windows():
    assert zero_event_upper_bound(120_000) == pytest.approx(2.4964e-5, rel=1e-4)
    assert zero_event_upper_bound(0) == 1.0


# -- clustered proportion ----------------------------------------------------------------


def test_clustered_interval_by_hand():
    """Four replications of four windows, four breaches.

    One in each: p = 1/4, no spread between replications, so n_eff is capped at the
    16 windows and scaled by (t(15) / t(3)) ** 2 = (2.131450 / 3.182446) ** 2; the
    Clopper-Pearson interval with x = n_eff / 4.
    All four in one: V = 4/3 * (3 ** 2 + 3 * 1 ** 2) / 16 ** 2 = 1/16, n_eff = (3/16) / V = 3
    before the same scaling.
    """
    from scipy.stats import beta

    scale = (2.1314495455597742 / 3.1824463052842638) ** 2
    for counts, n_eff in (([1, 1, 1, 1], 16 * scale), ([4, 0, 0, 0], 3 * scale)):
        x = n_eff / 4
        expected = (beta.ppf(0.025, x, n_eff - x + 1), beta.ppf(0.975, x + 1, n_eff - x))
        assert clustered_proportion_ci(counts, 4) == pytest.approx(expected, rel=1e-9)
    assert clustered_proportion_ci([1, 1, 1, 1], 4) == pytest.approx((0.0264784, 0.6739946), abs=1e-6)


def test_clustered_interval_edges():
    n = 100 * 12
    assert clustered_proportion_ci(np.zeros(100, int), 12) == (0.0, zero_event_upper_bound(n))
    assert clustered_proportion_ci(np.full(100, 12), 12) == (1.0 - zero_event_upper_bound(n), 1.0)
    assert clustered_proportion_ci([3], 12) == (0.0, 1.0)  # one replication: no spread to measure
    assert clustered_proportion_ci([], 12) == (0.0, 1.0)
    with pytest.raises(ValueError, match="within 0..trials"):
        clustered_proportion_ci([13], 12)


def test_clustered_interval_covers_where_wilson_does_not():
    """Bad months come together: a replication is a bad year with probability 0.1, with each
    month breached with probability 0.5, else 0.01 (P(breach) = 0.059). Over 2000 runs of 50
    replications x 12 months, the clustered interval covers the truth about 95 % of the
    time (the standard error of a coverage of 0.95 over 2000 runs is 0.005); a Wilson
    interval over the 600 months as if independent covers it in about 58 %."""
    rng = np.random.default_rng(2027)
    runs, reps, months = 2000, 50, 12
    truth = 0.1 * 0.5 + 0.9 * 0.01
    bad = rng.random((runs, reps)) < 0.1
    counts = rng.binomial(months, np.where(bad, 0.5, 0.01))
    clustered = np.mean(
        [lo <= truth <= hi for lo, hi in (clustered_proportion_ci(c, months) for c in counts)]
    )
    wilson = np.mean(
        [lo <= truth <= hi for lo, hi in (wilson_interval(c.sum(), reps * months) for c in counts)]
    )
    assert 0.935 <= clustered <= 0.965
    assert wilson < 0.7


def test_clustered_interval_of_independent_windows_is_close_to_wilson():
    """Windows independent across and within replications: the design effect is about 1."""
    rng = np.random.default_rng(5)
    counts = rng.binomial(12, 0.05, size=5000)
    lo, hi = clustered_proportion_ci(counts, 12)
    w_lo, w_hi = wilson_interval(counts.sum(), counts.size * 12)
    assert (hi - lo) == pytest.approx(w_hi - w_lo, rel=0.03)


# -- achievable target -----------------------------------------------------------------


@pytest.mark.parametrize(
    "availability, risk, target",
    [
        ([1.0] * 100, 0.05, 1.0),  # never down: any target up to 100 %
        ([0.9991] * 5 + [1.0] * 95, 0.05, 1.0),  # down in 5 % of windows: still any target
        ([0.9991] * 6 + [1.0] * 94, 0.05, 0.9991),  # down in 6 %: up to what those reached
        ([0.999] * 50 + [1.0] * 50, 0.05, 0.999),  # exactly at the target is no breach
        ([0.98] * 100, 0.05, 0.98),  # every window at 98 %: 98 % holds, nothing above
        ([0.98] * 10 + [1.0] * 90, 0.10, 1.0),  # a larger accepted risk
        ([0.98] * 10 + [1.0] * 90, 0.0, 0.98),  # no risk accepted: the worst window
        ([0.97, 0.99, 0.995, 0.999] + [1.0] * 36, 0.05, 0.995),  # 2 of 40 below 99.5 %, 3 below 99.9 %
    ],
)
def test_achievable_target_on_the_point_estimate(availability, risk, target):
    rng = np.random.default_rng(0)
    assert achievable_target(rng.permutation(availability), risk, confidence=None) == target


def test_achievable_target_needs_enough_units_to_show_the_risk():
    """With no breach at all, the bound 1 - 0.05 ** (1 / n) must be within 5 %: n >= 59."""
    assert achievable_target([1.0] * 58, 0.05) is None
    assert achievable_target([1.0] * 59, 0.05) == 1.0


def test_achievable_target_is_the_highest_target_whose_upper_bound_holds():
    """Brute force: the clustered upper bound of every candidate target, lowest first."""
    rng = np.random.default_rng(11)
    bad_year = rng.random((400, 1)) < 0.15
    values = np.where(
        rng.random((400, 12)) < np.where(bad_year, 0.3, 0.02), rng.uniform(0.99, 1.0, (400, 12)), 1.0
    )
    best = None
    for t in np.unique(values):
        if clustered_proportion_ci((values < t).sum(axis=1), 12).high > 0.05:
            break
        best = t
    assert best is not None and best < 1.0
    assert achievable_target(values, 0.05) == best
    # the point estimate claims more
    assert achievable_target(values, 0.05, confidence=None) > best


# -- mean CI --------------------------------------------------------------------------


def test_mean_ci_by_hand():
    """1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451."""
    mean, low, high = mean_ci([1, 2, 3, 4, 5])
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
    assert (mean, low, high) == pytest.approx((3.0, 3.0 - half, 3.0 + half), rel=1e-12)


def test_fraction_mean_ci_by_hand():
    """0.995, 0.999, 0.997, 0.998: mean 0.99725, squared deviations summing to 8.75e-6,
    t(0.975, 3) = 3.1824463."""
    half = 3.1824463052842638 * math.sqrt(8.75e-6 / 3) / 2
    assert fraction_mean_ci([0.995, 0.999, 0.997, 0.998]) == pytest.approx(
        (0.99725 - half, 0.99725 + half), rel=1e-9
    )
    # the t-interval of 0.9, 1, 1, 1 reaches above 1: clipped
    assert fraction_mean_ci([0.9, 1.0, 1.0, 1.0]) == pytest.approx((0.975 - 3.1824463 * 0.05 / 2, 1.0))


@pytest.mark.parametrize("n", [1, 3, 30, 3000])
def test_fraction_mean_ci_without_any_downtime_is_the_zero_event_bound(n):
    low, high = fraction_mean_ci([1.0] * n)
    assert high == 1.0 and low == pytest.approx(0.05 ** (1 / n), rel=1e-12)
    low, high = fraction_mean_ci([0.0] * n)
    assert low == 0.0 and high == pytest.approx(1 - 0.05 ** (1 / n), rel=1e-12)


def test_fraction_mean_ci_widens_with_fewer_replications_and_stays_in_bounds():
    rng = np.random.default_rng(3)
    values = np.where(rng.random(300) < 0.2, rng.uniform(0.9, 1.0, 300), 1.0)
    widths = []
    for n in (3, 10, 30, 300):
        low, high = fraction_mean_ci(values[:n])
        assert 0.0 <= low <= high <= 1.0
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True)


def test_fraction_mean_ci_of_one_or_identical_values():
    assert fraction_mean_ci([0.99]) == (0.0, 1.0)  # one replication: no spread to measure
    assert fraction_mean_ci([0.99] * 4) == pytest.approx((0.99, 0.99))  # deterministic model
    with pytest.raises(ValueError, match="fractions"):
        fraction_mean_ci([1.2])


def test_confidence_interval_unpacks():
    lo, hi = fraction_mean_ci([1.0] * 3)
    assert (lo, hi) == fraction_mean_ci([1.0] * 3)
    assert fraction_mean_ci([1.0] * 3).high == 1.0


def test_a_count_without_spread_gets_the_exact_poisson_interval_not_a_point():
    """Counts that happen to be equal in every replication claim no certainty: the
    Garwood interval of the total (12 x 8 = 96 events: 9.72 .. 14.65 per replication,
    from chi-square quantiles), scaled like the counts; zero counts give the one-sided
    bound; counts that vary give the t-interval."""
    from simulation.measure.stats import count_mean_ci, mean_ci, poisson_zero_bound

    ci = count_mean_ci([12] * 8)
    assert (round(ci.low, 4), round(ci.high, 4)) == (9.72, 14.6541)
    assert count_mean_ci([12] * 8, scale=2.0).high == pytest.approx(2 * ci.high)
    assert count_mean_ci([0] * 50) == (0.0, pytest.approx(poisson_zero_bound(50)))
    _, low, high = mean_ci([1, 2, 3, 5])
    assert count_mean_ci([1, 2, 3, 5]) == (pytest.approx(low), pytest.approx(high))

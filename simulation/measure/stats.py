"""Statistics across replications: intervals, chronic breaches, the achievable target.

These helpers take the per-window figures of many replications (stacked by the
study) and reduce them to the figures of a report. They are small and pure so
that the study and the tests can call them on hand-made arrays.

Every interval here is a 95 % (by default) confidence interval that stays within
[0, 1] and never claims more than the data say:

- a proportion estimated from windows (or contract years) of many replications is
  *clustered*: the windows of one replication share its history (a long repair, a
  bad year), so they are not independent trials. `clustered_proportion_ci` gives the
  Korn-Graubard interval at the effective number of windows measured between
  replications;
- with no event at all the interval is ``[0, 1 - (1 - confidence) ** (1 / n)]``, the
  exact one-sided bound (`zero_event_upper_bound`), since no spread can be measured;
- a mean of fractions (availability per replication) whose replications all sit at
  a bound (no downtime at all) gets the zero-event bound on the share of replications
  with any downtime, not a zero-width interval (`fraction_mean_ci`).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import numpy as np


class ConfidenceInterval(NamedTuple):
    """A two-sided confidence interval ``(low, high)``; unpacks as ``lo, hi = ci``."""

    low: float
    high: float


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence ({confidence}) must be in (0, 1)")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes : int
        Number of successes (e.g. breached windows), ``0 <= successes <= n``.
    n : int
        Number of trials (e.g. windows measured).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of float
        ``(0.0, 1.0)`` when ``n == 0``; exactly 0 (1) when there are no successes
        (failures).

    References
    ----------
    E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", J. Am. Stat. Assoc. 22 (1927) 209-212.

    Examples
    --------
    >>> low, high = wilson_interval(0, 10)
    >>> round(low, 4), round(high, 4)
    (0.0, 0.2775)
    """
    successes, n = int(successes), int(n)
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"successes ({successes}) must be within 0..n (n = {n})")
    if n == 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = successes / n
    z2n = z * z / n
    center = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    low = 0.0 if successes == 0 else max(0.0, center - half)
    high = 1.0 if successes == n else min(1.0, center + half)
    return low, high


def chronic_triggered(breach: np.ndarray, breaches: int, within: int) -> np.ndarray:
    """Whether a chronic-breach rule triggers, per replication.

    Parameters
    ----------
    breach : ndarray of bool, shape (replications, windows)
        Breached windows in order; a 1-d array is one replication.
    breaches : int
        Breached windows needed, ``>= 1``.
    within : int
        Consecutive windows they must fall within, ``>= 1``.

    Returns
    -------
    ndarray of bool, shape (replications,)

    Notes
    -----
    When the horizon holds fewer than `within` windows, the rule is judged on the
    windows there are: at least `breaches` of them breached triggers it (the
    customer's right does not wait for windows that were never simulated).

    Examples
    --------
    >>> chronic_triggered(np.array([[1, 0, 0, 1, 1], [1, 0, 0, 0, 1]], bool), 2, 3).tolist()
    [True, False]
    """
    if breaches < 1 or within < 1:
        raise ValueError(f"chronic rule needs breaches >= 1 and within >= 1 (got {breaches}, {within})")
    b = np.atleast_2d(np.asarray(breach, dtype=bool))
    if b.ndim != 2:
        raise ValueError(f"breach must be (replications, windows), got shape {b.shape}")
    width = min(within, b.shape[1])
    if width == 0:
        return np.zeros(b.shape[0], dtype=bool)
    c = np.zeros((b.shape[0], b.shape[1] + 1), dtype=np.int64)
    np.cumsum(b, axis=1, out=c[:, 1:])
    in_window = c[:, width:] - c[:, :-width]
    return np.any(in_window >= breaches, axis=1)


def zero_event_upper_bound(n: int, confidence: float = 0.95) -> float:
    """One-sided upper confidence bound of a probability when `n` trials had no event.

    Parameters
    ----------
    n : int
        Independent trials, none with the event, ``n >= 0``.
    confidence : float
        One-sided confidence level.

    Returns
    -------
    float
        ``1 - (1 - confidence) ** (1 / n)``: the largest p for which seeing no event
        in n trials still has probability ``1 - confidence``; 1.0 for ``n == 0``.
        About ``3 / n`` at 95 % ("rule of three").

    References
    ----------
    C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits
    illustrated in the case of the binomial", Biometrika 26 (1934) 404-413 (the exact
    bound with x = 0); B. D. Jovanovic and P. S. Levy, "A look at the rule of three",
    Am. Stat. 51 (1997) 137-139.

    Examples
    --------
    >>> f"{zero_event_upper_bound(120_000):.3g}"
    '2.5e-05'
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n ({n}) must be >= 0")
    _z(confidence)  # validates
    if n == 0:
        return 1.0
    return float(-math.expm1(math.log1p(-confidence) / n))


def _t_quantile(confidence: float, df: int) -> float:
    from scipy.stats import t  # lazy: keeps `import simulation` light

    return float(t.ppf(0.5 + confidence / 2, df))


def _korn_graubard(p, n: float, variance, clusters: int, confidence: float):
    """Clopper-Pearson bounds at the effective sample size, for proportion(s) `p` in (0, 1).

    ``n_eff = min(n, p (1 - p) / variance) * (t(n - 1) / t(clusters - 1)) ** 2``
    (t quantiles of the two-sided level) and ``x = p n_eff``; vectorised over `p` and
    `variance`.
    """
    from scipy.stats import beta  # lazy: keeps `import simulation` light

    p = np.asarray(p, dtype=np.float64)
    variance = np.asarray(variance, dtype=np.float64)
    with np.errstate(divide="ignore"):
        n_eff = np.minimum(n, np.where(variance > 0, p * (1 - p) / variance, np.inf))
    n_eff = n_eff * (_t_quantile(confidence, max(int(n) - 1, 1)) / _t_quantile(confidence, clusters - 1)) ** 2
    x = p * n_eff
    alpha = 1.0 - confidence
    low = beta.ppf(alpha / 2, x, n_eff - x + 1)
    high = beta.ppf(1 - alpha / 2, x + 1, n_eff - x)
    return low, high


def clustered_proportion_ci(successes, trials, confidence: float = 0.95) -> ConfidenceInterval:
    """Confidence interval of a proportion whose trials come in correlated clusters.

    The trials are the windows (or contract years) of a run, a cluster is one
    replication: windows of one replication share its history, so they are not
    independent and a plain Wilson interval over all windows is too narrow when bad
    windows come together.

    Parameters
    ----------
    successes : array_like of int, shape (clusters,)
        Events (e.g. breached windows) in each cluster.
    trials : array_like of int, shape (clusters,) or int
        Trials (e.g. windows) in each cluster; an int means the same in every one.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    ConfidenceInterval
        Within [0, 1]:

        - no trials: ``(0, 1)``;
        - no event: ``(0, zero_event_upper_bound(N))`` with N the trials (the spread
          between clusters cannot be measured without events; the bound reads the
          trials as independent);
        - an event in every trial: the mirror image;
        - otherwise with fewer than two clusters: ``(0, 1)`` (nothing to measure the
          spread with);
        - otherwise the Korn-Graubard interval: the Clopper-Pearson interval at the
          effective number of trials ``n_eff = min(N, p (1 - p) / V)``, scaled by
          ``(t(N - 1) / t(k - 1)) ** 2`` for the k - 1 degrees of freedom of the
          variance, with ``p n_eff`` events. V is the cluster-robust variance of the
          ratio estimator ``p = sum(successes) / N``,
          ``V = k / (k - 1) * sum((successes_i - p trials_i) ** 2) / N ** 2`` over the
          k clusters; capping n_eff at N keeps the interval at least as wide as for
          independent trials.

    References
    ----------
    E. L. Korn and B. I. Graubard, "Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data", Survey Methodology
    24 (1998) 193-201; L. Kish, Survey Sampling, Wiley (1965), ch. 6 (ratio estimator,
    design effect). The same interval is ``svyciprop(method = "beta")`` in R's survey
    package.

    Examples
    --------
    Four replications of four windows with four breaches: all in one replication,
    they say much less than one in each would:

    >>> lo, hi = clustered_proportion_ci([4, 0, 0, 0], 4)
    >>> round(hi, 3)
    0.981
    >>> lo, hi = clustered_proportion_ci([1, 1, 1, 1], 4)
    >>> round(lo, 3), round(hi, 3)
    (0.026, 0.674)
    """
    _z(confidence)  # validates
    y = np.asarray(successes, dtype=np.float64).ravel()
    m = np.broadcast_to(np.asarray(trials, dtype=np.float64), y.shape)
    if np.any(y < 0) or np.any(y > m):
        raise ValueError("successes must be within 0..trials in every cluster")
    n, events = float(m.sum()), float(y.sum())
    if n == 0:
        return ConfidenceInterval(0.0, 1.0)
    if events == 0:
        return ConfidenceInterval(0.0, zero_event_upper_bound(int(round(n)), confidence))
    if events == n:
        return ConfidenceInterval(1.0 - zero_event_upper_bound(int(round(n)), confidence), 1.0)
    clusters = int(np.count_nonzero(m))
    if clusters < 2:
        return ConfidenceInterval(0.0, 1.0)
    p = events / n
    variance = clusters / (clusters - 1) * float(np.sum((y - p * m) ** 2)) / n**2
    low, high = _korn_graubard(p, n, variance, clusters, confidence)
    return ConfidenceInterval(float(low), float(high))


def achievable_target(values, risk: float, confidence: float | None = 0.95) -> float | None:
    """The highest target whose breach risk is at most `risk`, on a continuous scale.

    A unit (a window, or a contract year) breaches a target t when its availability
    (for a contract year: its worst window's) is below t. The risk of t is the share
    of units that breach it; the achievable target is the supremum of the targets
    whose risk -- or, with `confidence`, the upper end of its clustered confidence
    interval (`clustered_proportion_ci`) -- is at most `risk`, and every lower target
    too. The risk only changes at the availabilities seen, so the supremum is one of
    them and is itself achievable (breach is a strict ``<``).

    Parameters
    ----------
    values : array_like of float, shape (replications, units) or (units,)
        Availability of every unit; the rows are the clusters of the interval (a 1-d
        array is read as independent units).
    risk : float
        Accepted breach probability per unit, in [0, 1).
    confidence : float or None
        Two-sided level of the interval whose upper end must be within `risk`; None
        uses the point estimate.

    Returns
    -------
    float or None
        None when no target can be shown within `risk`: with `confidence`, when the
        units are too few for even zero breaches to bound the risk below `risk`
        (``zero_event_upper_bound(units) > risk``).

    Examples
    --------
    One window in twenty below 99.8 %: any target up to the 99.8 % it reached is
    breached in 5 % of windows, a higher one in 10 %.

    >>> achievable_target([1.0] * 18 + [0.998, 0.997], risk=0.05, confidence=None)
    0.998
    >>> achievable_target([1.0] * 19 + [0.998], risk=0.05, confidence=None)
    1.0
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or not v.size:
        raise ValueError(f"values must be a non-empty (replications, units) array, got shape {v.shape}")
    if not 0 <= risk < 1:
        raise ValueError(f"risk ({risk}) must be in [0, 1)")
    clusters, per = v.shape
    n = v.size
    flat = v.ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # first index of each distinct value
    candidates, below = ordered[first], first  # `below` units are below each candidate
    if confidence is None:
        upper = below / n
    else:
        # Units of each replication below a candidate, summed and squared, by one pass in
        # value order: the j-th unit of a replication to enter adds 2 j + 1 to sum(y_i ** 2).
        cluster = np.repeat(np.arange(clusters), per)[order]
        rank = np.empty(n, dtype=np.int64)
        by_cluster = np.lexsort((np.arange(n), cluster))
        starts = np.searchsorted(cluster[by_cluster], np.arange(clusters))
        rank[by_cluster] = np.arange(n) - np.repeat(starts, np.bincount(cluster, minlength=clusters))
        s2 = np.r_[0, np.cumsum(2 * rank + 1)][below].astype(np.float64)
        p = below / n
        upper = np.ones_like(p)
        upper[below == 0] = zero_event_upper_bound(n, confidence)
        upper[below == n] = 1.0
        inner = (below > 0) & (below < n)
        if clusters >= 2 and inner.any():
            variance = clusters / (clusters - 1) * (s2[inner] - below[inner] ** 2 / clusters) / n**2
            upper[inner] = _korn_graubard(p[inner], n, variance, clusters, confidence)[1]
    passing = upper <= risk
    fails = np.flatnonzero(~passing)
    last = (fails[0] if fails.size else candidates.size) - 1
    return None if last < 0 else float(candidates[last])


def fraction_mean_ci(values, confidence: float = 0.95) -> ConfidenceInterval:
    """Confidence interval of the mean of fractions in [0, 1] (availability per replication).

    Parameters
    ----------
    values : array_like of float in [0, 1]
        One value per replication.
    confidence : float

    Returns
    -------
    ConfidenceInterval
        Within [0, 1], and wider for fewer replications:

        - every value 1 (no downtime in any replication): ``(1 - b, 1)`` with
          ``b = zero_event_upper_bound(n)``: at most a share b of replications has any
          downtime, and a replication is down at most all of its time, so the mean
          unavailability is at most b; likewise every value 0 gives ``(0, b)``;
        - a single other value: ``(0, 1)`` (nothing to measure the spread with);
        - all values equal otherwise: that value (a deterministic model);
        - otherwise the t-interval of the mean, clipped to [0, 1].

    Examples
    --------
    Three replications without downtime say little:

    >>> lo, hi = fraction_mean_ci([1.0, 1.0, 1.0])
    >>> round(lo, 4), hi
    (0.3684, 1.0)
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if not x.size:
        raise ValueError("fraction_mean_ci needs at least one value")
    if np.any((x < 0) | (x > 1)):
        raise ValueError("fraction_mean_ci takes fractions in [0, 1]")
    _z(confidence)  # validates
    if np.all(x == 1.0):
        return ConfidenceInterval(1.0 - zero_event_upper_bound(x.size, confidence), 1.0)
    if np.all(x == 0.0):
        return ConfidenceInterval(0.0, zero_event_upper_bound(x.size, confidence))
    if x.size < 2:
        return ConfidenceInterval(0.0, 1.0)
    mean, low, high = mean_ci(x, confidence)
    return ConfidenceInterval(max(0.0, low), min(1.0, high))


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t-distribution confidence interval.

    Parameters
    ----------
    values : array_like of float
    confidence : float

    Returns
    -------
    (mean, low, high) : tuple of float
        low and high are NaN for fewer than two values.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if not x.size:
        raise ValueError("mean_ci needs at least one value")
    _z(confidence)  # validates
    mean = float(np.mean(x))
    if x.size < 2:
        return mean, math.nan, math.nan
    from scipy.stats import t  # lazy: keeps `import simulation` light

    half = float(t.ppf(0.5 + confidence / 2, x.size - 1) * np.std(x, ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def replication_mean_ci(
    values, confidence: float = 0.95, high: float = math.inf, zero_high: float | None = None
) -> ConfidenceInterval:
    """Confidence interval of the mean of a non-negative per-replication figure.

    For figures summed within a replication (downtime, outages, breaches or credit of
    its windows): the replications are independent, so the t-interval of their values
    is valid whatever the dependence inside one replication.

    Parameters
    ----------
    values : array_like of float >= 0, shape (replications,)
        The figure of each replication (e.g. its downtime per year).
    confidence : float
        Two-sided level.
    high : float
        The largest value the mean can take (e.g. all of the time down); the interval
        is clipped to ``[0, high]``.
    zero_high : float, optional
        The upper end to give when every value is 0: no spread can be measured then,
        so the caller states the bound its figure has (for a count of events, the
        exact Poisson bound ``-ln(1 - confidence) / replications``). Default `high`.

    Returns
    -------
    ConfidenceInterval
        - fewer than two replications: ``(0, high)`` (nothing to measure the spread with);
        - every value 0: ``(0, zero_high)``;
        - otherwise the t-interval of the mean (`mean_ci`), clipped to ``[0, high]``
          (all values equal and not 0: that value, a deterministic model).

    Examples
    --------
    >>> lo, hi = replication_mean_ci([0.0, 2.0, 1.0, 1.0])
    >>> lo, round(hi, 3)
    (0.0, 2.299)
    >>> replication_mean_ci([0.0, 0.0], zero_high=1.5)
    ConfidenceInterval(low=0.0, high=1.5)
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if not x.size:
        raise ValueError("replication_mean_ci needs at least one value")
    if np.any(x < 0):
        raise ValueError("replication_mean_ci takes values >= 0")
    _z(confidence)  # validates
    if x.size < 2:
        return ConfidenceInterval(0.0, float(high))
    if np.all(x == 0):
        return ConfidenceInterval(0.0, float(high if zero_high is None else min(zero_high, high)))
    _, low, up = mean_ci(x, confidence)
    return ConfidenceInterval(max(0.0, low), min(float(high), up))


def count_mean_ci(counts, scale: float = 1.0, confidence: float = 0.95) -> ConfidenceInterval:
    """Confidence interval of the mean of a per-replication count of events (outages,
    stock-outs, deferred jobs).

    The t-interval of the counts (`replication_mean_ci`) where they vary. Where they do
    not, no spread was seen and none can be claimed away: every count 0 gives the exact
    one-sided Poisson bound (`poisson_zero_bound`); every count the same c > 0 gives the
    exact (Garwood) Poisson interval of the total n·c, divided by n [1]_: the interval the
    counts would have if they were Poisson, the usual law of rare events.

    Parameters
    ----------
    counts : array_like of int >= 0, shape (replications,)
        Events of each replication (whole numbers: the Poisson intervals count them).
    scale : float > 0
        Multiplies the interval (e.g. replications' horizons per year, for a rate per year).
    confidence : float

    Returns
    -------
    ConfidenceInterval
        Of the mean count times `scale`; ``(0, inf)`` for fewer than two replications.

    References
    ----------
    .. [1] F. Garwood, "Fiducial limits for the Poisson distribution", Biometrika 28
       (1936) 437-442.

    Examples
    --------
    >>> ci = count_mean_ci([12] * 8)
    >>> round(ci.low, 2), round(ci.high, 2)
    (9.72, 14.65)
    """
    x = np.asarray(counts, dtype=np.float64).ravel()
    if x.size >= 2 and np.all(x == x[0]) and x[0] > 0:
        from scipy.stats import chi2  # lazy: keeps `import simulation` light

        total, alpha = float(x.sum()), 1.0 - confidence
        low = chi2.ppf(alpha / 2, 2 * total) / 2 / x.size
        high = chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2 / x.size
        return ConfidenceInterval(float(low) * scale, float(high) * scale)
    ci = replication_mean_ci(x, confidence, zero_high=poisson_zero_bound(x.size, confidence))
    return ConfidenceInterval(ci.low * scale, ci.high * scale)


def poisson_zero_bound(n: int, confidence: float = 0.95) -> float:
    """Upper bound of the mean count per trial when `n` trials saw no event (one-sided).

    ``-ln(1 - confidence) / n``: the largest Poisson mean m for which n trials without
    an event still have probability ``1 - confidence`` (``exp(-n m)``); about 3 / n at
    95 %. Infinite for ``n == 0``.

    Examples
    --------
    >>> round(poisson_zero_bound(1000), 5)
    0.003
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n ({n}) must be >= 0")
    _z(confidence)
    return math.inf if n == 0 else -math.log1p(-confidence) / n

"""Statistics across replications: proportions, chronic breaches, achievable target, means.

These helpers take the per-window figures of many replications (stacked by the
study) and reduce them to the figures of a report. They are small and pure so
that the study and the tests can call them on hand-made arrays.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from simulation.model.sla import TARGET_LADDER


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


def achievable_target(window_availability, risk: float, ladder=TARGET_LADDER) -> float | None:
    """The highest ladder target breached in at most a fraction `risk` of windows.

    Parameters
    ----------
    window_availability : array_like of float
        Availability of every window of every replication (any shape).
    risk : float
        Accepted breach probability per window.
    ladder : sequence of float
        Targets to try.

    Returns
    -------
    float or None
        None when even the lowest target is breached too often.

    Examples
    --------
    >>> achievable_target([1.0] * 19 + [0.998], risk=0.05)
    0.99999
    >>> achievable_target([1.0] * 18 + [0.998] * 2, risk=0.05)
    0.995
    """
    a = np.asarray(window_availability, dtype=np.float64).ravel()
    if not a.size:
        raise ValueError("achievable_target needs at least one window availability")
    best = None
    for target in sorted(ladder):
        if np.mean(a < target) <= risk:
            best = float(target)
    return best


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

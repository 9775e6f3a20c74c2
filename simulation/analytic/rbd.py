"""Closed forms of reliability block diagrams on steady-state availabilities.

A block whose members fail and are repaired independently of each other, and which
keeps no memory of its own (no switchover, no spare waiting idle), is a function of
its members' states only. Its long-run fraction of time up is then the expectation of
its structure function under independent Bernoulli member states, each up with the
member's own steady-state availability: a product for a series, a Poisson-binomial
tail for k-out-of-n, and ``1 - prod(1 - a)`` for a parallel group.

Every function here takes availabilities (numbers in [0, 1]) and returns one. The
results for numbers near 1 are computed on the small side (unavailability) where that
keeps more digits, so a 99.9999 % block does not lose its tail to rounding.

References
----------
.. [1] K. S. Trivedi, *Probability and Statistics with Reliability, Queuing and
   Computer Science Applications*, 2nd ed., Wiley, 2002, ch. 3.5 (series, parallel,
   k-out-of-n systems) and ch. 8.4 (availability of repairable units).
.. [2] R. E. Barlow and F. Proschan, *Statistical Theory of Reliability and Life
   Testing*, Holt, Rinehart and Winston, 1975, ch. 2 (structure functions, k-out-of-n).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "instance_availability",
    "series",
    "parallel",
    "k_of_n",
    "k_of_n_identical",
]


def _check(a: float) -> float:
    a = float(a)
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"availability must be in [0, 1], got {a}")
    return a


def instance_availability(mtbf: float, mttr: float) -> float:
    """Steady-state availability of one repairable unit, ``MTBF / (MTBF + MTTR)``.

    Parameters
    ----------
    mtbf, mttr : float
        Mean time between failures (mean up time) and mean time to repair, hours.

    Returns
    -------
    float

    Notes
    -----
    By the renewal-reward theorem this holds for any up and repair distributions with
    these means, as long as repairs start at once and renew the unit [1]_.

    References
    ----------
    .. [1] Trivedi (2002), section 8.4, eq. for the limiting availability
       ``A = MTTF / (MTTF + MTTR)``.

    Examples
    --------
    >>> instance_availability(999.0, 1.0)
    0.999
    """
    if not (mtbf > 0 and math.isfinite(mtbf)):
        raise ValueError(f"mtbf must be a positive number, got {mtbf}")
    if not (mttr >= 0 and math.isfinite(mttr)):
        raise ValueError(f"mttr must be a non-negative number, got {mttr}")
    return mtbf / (mtbf + mttr)


def series(avails: Iterable[float]) -> float:
    """Availability of independent members in series: ``prod(a_i)``.

    Parameters
    ----------
    avails : iterable of float
        Members' availabilities; an empty series is always up (1.0).

    References
    ----------
    .. [1] Trivedi (2002), section 3.5, series system ``R = prod R_i``.

    Examples
    --------
    >>> series([0.9, 0.5])
    0.45
    """
    out = 1.0
    for a in avails:
        out *= _check(a)
    return out


def parallel(avails: Iterable[float]) -> float:
    """Availability of independent members in parallel: ``1 - prod(1 - a_i)``.

    The block is up while at least one member is up (1-out-of-n). An empty parallel
    block is never up (0.0).

    References
    ----------
    .. [1] Trivedi (2002), section 3.5, parallel system ``R = 1 - prod(1 - R_i)``.

    Examples
    --------
    >>> round(parallel([0.9, 0.9]), 12)
    0.99
    """
    q = 1.0
    for a in avails:
        q *= 1.0 - _check(a)
    return 1.0 - q


def k_of_n(k: int, avails: Iterable[float]) -> float:
    """Probability that at least `k` of independent, non-identical members are up.

    The number of up members is Poisson-binomial. Dynamic programming over the
    members keeps ``P(j up so far)`` for ``j < k`` and accumulates the rest, in
    ``O(n k)`` time and ``O(k)`` memory::

        P_0(0) = 1,  P_i(j) = P_{i-1}(j) (1 - a_i) + P_{i-1}(j - 1) a_i,
        A = sum_{j >= k} P_n(j) = 1 - sum_{j < k} P_n(j).

    Parameters
    ----------
    k : int
        Members needed; ``k <= 0`` is always up, ``k > n`` never.
    avails : iterable of float
        Members' availabilities (members may be whole sub-blocks).

    Returns
    -------
    float

    References
    ----------
    .. [1] Trivedi (2002), section 3.5, k-out-of-n system.
    .. [2] R. E. Barlow and K. D. Heidtmann, "Computing k-out-of-n system
       reliability", *IEEE Trans. Reliability* R-33(4), 1984, pp. 322-323.

    Examples
    --------
    >>> round(k_of_n(2, [0.9, 0.8, 0.7]), 12)
    0.902
    """
    avails = [_check(a) for a in avails]
    n = len(avails)
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    below = [1.0] + [0.0] * (k - 1)  # below[j] = P(exactly j up so far), j < k
    at_least = 0.0
    for a in avails:
        at_least += below[k - 1] * a
        for j in range(k - 1, 0, -1):
            below[j] = below[j] * (1.0 - a) + below[j - 1] * a
        below[0] *= 1.0 - a
    # Return from the small side: whichever of the two sums is tiny carries the digits.
    return at_least if at_least < 0.5 else 1.0 - math.fsum(below)


def k_of_n_identical(k: int, n: int, a: float) -> float:
    """Probability that at least `k` of `n` independent identical members are up.

    The binomial tail::

        A = sum_{j=k}^{n} C(n, j) a^j (1 - a)^(n - j).

    Parameters
    ----------
    k, n : int
        Members needed and members present.
    a : float
        Availability of one member.

    References
    ----------
    .. [1] Trivedi (2002), section 3.5, k-out-of-n system of identical components,
       ``R = sum_{j=k}^{n} C(n, j) R^j (1 - R)^(n - j)``.

    Examples
    --------
    >>> round(k_of_n_identical(2, 3, 0.9), 12)
    0.972
    """
    a = _check(a)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    terms = [math.comb(n, j) * a**j * (1.0 - a) ** (n - j) for j in range(n + 1)]
    upper = math.fsum(terms[k:])
    return upper if upper < 0.5 else 1.0 - math.fsum(terms[:k])

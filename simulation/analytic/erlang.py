"""The M/M/c queue (Erlang C): waiting times at a support desk open around the clock.

Tickets arrive as a Poisson process of rate λ, each is handled for an exponential time
of mean 1/μ by one of c agents, and waiting tickets are picked up first come, first
served. With offered load a = λ/μ < c the queue is stable and, in steady state,

- the probability that a ticket waits at all is Erlang's C formula
  ``C(c, a) = c·B / (c − a·(1 − B))`` with B = B(c, a) the Erlang B (loss) formula,
  computed by the stable recursion ``B(0) = 1``, ``B(k) = a·B(k−1) / (k + a·B(k−1))``;
- the wait W (time to first response) has ``P(W > t) = C · exp(−(cμ − λ)·t)`` and
  ``E[W] = C / (cμ − λ)``.

References
----------
.. [1] L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975, section 3.5
   (M/M/m), eqs. 3.40–3.43 (Erlang's C formula) and the waiting-time distribution.
.. [2] D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris, *Fundamentals of Queueing
   Theory*, 4th ed., Wiley, 2008, section 2.3 (M/M/c).

Examples
--------
>>> q = MMc(arrival_rate=3.0, service_rate=2.0, servers=2)
>>> round(q.probability_wait, 6)   # C(2, 1.5) = 9/14
0.642857
>>> round(q.mean_wait, 6)          # C / (c mu - lambda) = (9/14) / 1
0.642857
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang's B formula: P(all `servers` busy) in the M/M/c/c loss system.

    Raises
    ------
    ValueError
        For fewer than one server or a negative load.
    """
    if servers < 1:
        raise ValueError(f"servers must be >= 1, got {servers}")
    if offered_load < 0:
        raise ValueError(f"offered load must be >= 0, got {offered_load}")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang's C formula: P(a ticket waits) in the M/M/c queue, for a load below `servers`.

    Raises
    ------
    ValueError
        When ``offered_load >= servers`` (no steady state: the queue grows without bound).
    """
    if not offered_load < servers:
        raise ValueError(
            f"offered load {offered_load:g} must be below the {servers} servers for a steady state"
        )
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1.0 - b))


@dataclass(frozen=True)
class MMc:
    """Steady-state waiting time of the M/M/c queue (first come, first served).

    Attributes
    ----------
    arrival_rate : float
        λ, tickets per hour.
    service_rate : float
        μ, tickets per hour one agent handles (1 / mean handling time).
    servers : int
        c, agents.

    Raises
    ------
    ValueError
        For rates that are not positive or a load λ/μ >= c.
    """

    arrival_rate: float
    service_rate: float
    servers: int

    def __post_init__(self):
        if not (self.arrival_rate > 0 and self.service_rate > 0):
            raise ValueError("arrival and service rates must be > 0")
        erlang_c(self.servers, self.offered_load)  # checks stability

    @property
    def offered_load(self) -> float:
        """a = λ/μ, in Erlangs."""
        return self.arrival_rate / self.service_rate

    @property
    def probability_wait(self) -> float:
        """P(W > 0): Erlang C."""
        return erlang_c(self.servers, self.offered_load)

    @property
    def _decay(self) -> float:
        return self.servers * self.service_rate - self.arrival_rate

    @property
    def mean_wait(self) -> float:
        """E[W], hours."""
        return self.probability_wait / self._decay

    def wait_sf(self, t):
        """P(W > t) for `t` in hours (vectorised)."""
        t = np.asarray(t, dtype=float)
        out = self.probability_wait * np.exp(-self._decay * np.maximum(t, 0.0))
        return np.where(t < 0, 1.0, out) if out.ndim else float(1.0 if t < 0 else out)

    def wait_quantile(self, q: float) -> float:
        """The wait (hours) below which a fraction `q` of tickets falls (0 when q <= 1 − C)."""
        c = self.probability_wait
        if q <= 1.0 - c:
            return 0.0
        return math.log(c / (1.0 - q)) / self._decay

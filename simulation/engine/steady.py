"""The steady start (``run: {start: steady}``): every part in its long-run state at t = 0.

A part that fails (life F, mean m_F) and is repaired (repair G, mean m_G) over and over
is an alternating renewal process. Seen at a time far from its start, it is down with
probability m_G / (m_F + m_G); given up, its remaining life has the equilibrium
(stationary excess) distribution of F, with density (1 − F(x)) / m_F; given down, its
remaining repair has the equilibrium distribution of G. Starting every part this way
(and then renewing as usual) gives the stationary version of the process, whose
availability is m_F / (m_F + m_G) at every instant, not only in the long run.

Each part's state and remaining time are drawn from its own stream (purpose `STEADY`,
draws 0 and 1), so the steady start moves no other draw: the life in progress replaces
failure draw 0, and a part that starts down skips failure and repair draw 0 (its repair
in progress replaces them).

References
----------
.. [1] S. M. Ross, *Stochastic Processes*, 2nd ed., Wiley 1996, Section 3.4.1
   (alternating renewal processes) and Section 3.5 (the equilibrium renewal process).
.. [2] D. R. Cox, *Renewal Theory*, Methuen 1962, Section 2.2 (the equilibrium
   distribution of the forward recurrence time).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from simulation.engine.streams import uniforms
from simulation.model.distributions import Deterministic, Empirical, Exponential, Weibull

#: Stream purpose of the steady start (see `engine.streams` for the others).
STEADY = 10


def equilibrium_ppf(dist, u: np.ndarray) -> np.ndarray:
    """Quantiles of the equilibrium distribution of `dist`: F_e(x) = ∫₀ˣ (1 − F(s)) ds / mean.

    Exact for exponential (F_e = F), Weibull (F_e(x) = P(1/k, (x/λ)^k), the regularised
    lower incomplete gamma function), deterministic (uniform on [0, d]) and empirical
    (piecewise linear) distributions; for the others, the integral of the survival
    function on 4,400 quantile points, inverted by linear interpolation.
    """
    u = np.asarray(u, dtype=float)
    if isinstance(dist, Exponential):
        return dist.ppf(u)
    if isinstance(dist, Weibull):
        return dist.scale * special.gammaincinv(1.0 / dist.shape, u) ** (1.0 / dist.shape)
    if isinstance(dist, Deterministic):
        return u * dist.value
    if isinstance(dist, Empirical):
        x = np.concatenate([[0.0], np.sort(np.asarray(dist.samples, float))])
        sf = 1.0 - np.arange(x.size - 1) / (x.size - 1)  # survival on [x_i, x_{i+1})
        area = np.concatenate([[0.0], np.cumsum(sf * np.diff(x))])
    else:
        q = np.concatenate([np.linspace(0.0, 0.999, 4000), 1.0 - np.logspace(-3, -12, 400)[1:]])
        x = np.concatenate([[0.0], dist.ppf(q[1:])])
        sf = 1.0 - q
        area = np.concatenate([[0.0], np.cumsum((sf[1:] + sf[:-1]) / 2.0 * np.diff(x))])
    return np.interp(u * area[-1], area, x)


def steady_start(comp, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts down, hours to the first change) of the parts whose STEADY stream keys are
    `keys` (any shape): down with probability m_G / (m_F + m_G), and the remaining
    repair or life from its equilibrium distribution."""
    down = uniforms(keys, 0) < comp.repair.mean / (comp.failure.mean + comp.repair.mean)
    u = uniforms(keys, 1)
    remaining = np.where(down, equilibrium_ppf(comp.repair, u), equilibrium_ppf(comp.failure, u))
    return down, remaining

"""Exact steady-state availability when repairs queue: shared technicians, spare pools.

Two Markov chains for the operations the SimPy engine runs (`engine.crews`), both
with exponential times to failure, repair and resupply:

- `shared_repair_availability`: n identical parts in a k-of-n group (hot, warm or
  cold; a standby group is k = 1) repaired by r shared technicians working 24x7 with
  no response delay. The number of failed parts i is a birth-death chain [1]_: parts
  fail at ``m_use(i)·λ + m_idle(i)·λ_idle`` (m_use = min(k, n - i) members in use in
  warm/cold mode, every up member in hot mode; the others wait), and are repaired at
  ``min(i, r)·μ``. The group is up while ``n - i >= k``.
- `spare_pool_availability`: n identical parts in a k-of-n hot group, each repair
  needing a spare from a pool of S; every part taken orders one replacement that
  arrives after an exponential lead time (rate θ per outstanding order: an (S-1, S)
  base-stock policy with backorders [2]_); repairs are otherwise immediate (no crew).

They are the values the statistical tests compare the engine with.

References
----------
.. [1] K. S. Trivedi, *Probability and Statistics with Reliability, Queuing and
   Computer Science Applications*, 2nd ed., Wiley, 2002, section 8.2 (birth-death
   processes) and 8.4.2 (k-out-of-n systems with shared repair).
.. [2] C. C. Sherbrooke, *Optimal Inventory Modeling of Systems: Multi-Echelon
   Techniques*, 2nd ed., Kluwer, 2004, ch. 2 (the (s-1, s) policy).
"""

from __future__ import annotations

import numpy as np

from simulation.analytic.ctmc import NotApplicable, chain_availability
from simulation.model.distributions import Exponential
from simulation.model.structure import KofN, Leaf, Standby

__all__ = ["shared_repair_availability", "spare_pool_availability", "operated_availability"]


def _check(n: int, k: int, *rates: float) -> None:
    if not (isinstance(n, int) and isinstance(k, int) and 1 <= k <= n):
        raise ValueError(f"need integers 1 <= k <= n, got k={k!r}, n={n!r}")
    if not all(r > 0 and np.isfinite(r) for r in rates):
        raise ValueError(f"rates must be finite and > 0 per hour, got {rates}")


def shared_repair_availability(
    n: int,
    k: int,
    failure_rate: float,
    repair_rate: float,
    technicians: int,
    *,
    mode: str = "hot",
    idle_rate: float = 0.0,
) -> float:
    """Long-run availability of a k-of-n group of identical parts with r shared technicians.

    Parameters
    ----------
    n, k : int
        Members and members needed (1 <= k <= n); a standby group is ``k = 1``.
    failure_rate, repair_rate : float
        λ and μ per hour (exponential times to failure in use and to repair).
    technicians : int
        r >= 1 technicians, each repairing one part at a time (24x7, no response delay).
    mode : "hot", "warm" or "cold"
        Hot: every up member is in use. Warm/cold: k are in use, the others wait and
        fail at `idle_rate` (0 for cold).
    idle_rate : float
        Failure rate of a waiting member (warm), per hour.

    Returns
    -------
    float
        The stationary probability that at least k members are up (birth-death chain
        on the number failed; see the module docstring).

    Raises
    ------
    ValueError
        For k, n, r or rates out of range, or an unknown mode.
    """
    _check(n, k, failure_rate, repair_rate)
    if not (isinstance(technicians, int) and technicians >= 1):
        raise ValueError(f"technicians must be an integer >= 1, got {technicians!r}")
    if mode not in ("hot", "warm", "cold"):
        raise ValueError(f"mode must be hot, warm or cold, got {mode!r}")
    idle = idle_rate if mode == "warm" else 0.0
    # pi_i proportional to prod birth(j) / death(j+1): computed in logs-free products,
    # small n only (the chain has n + 1 states).
    weights = [1.0]
    for i in range(n):
        up = n - i
        in_use = up if mode == "hot" else min(k, up)
        birth = in_use * failure_rate + (up - in_use) * idle
        death = min(i + 1, technicians) * repair_rate
        weights.append(weights[-1] * birth / death)
    pi = np.array(weights) / sum(weights)
    return float(1.0 - pi[n - k + 1 :].sum())


def spare_pool_availability(
    n: int, k: int, failure_rate: float, repair_rate: float, stock: int, lead_rate: float
) -> float:
    """Long-run availability of a hot k-of-n group whose repairs each need a spare.

    Parameters
    ----------
    n, k : int
        Members and members needed.
    failure_rate, repair_rate : float
        λ and μ per hour; a repair starts once its spare is there (no crew limit).
    stock : int
        Spares on the shelf at the start, S >= 0.
    lead_rate : float
        θ per hour: each ordered replacement arrives after an exponential lead time.

    Returns
    -------
    float
        Stationary probability that at least k members are up. The chain's state is
        (parts waiting for a spare w, parts in repair m, orders outstanding o); the
        stock on the shelf is ``S - o + w`` (every use orders one part).
    """
    _check(n, k, failure_rate, repair_rate, lead_rate)
    if not (isinstance(stock, int) and stock >= 0):
        raise ValueError(f"stock must be an integer >= 0, got {stock!r}")

    def transitions(state):
        w, m, o = state
        shelf = stock - o + w
        out = []
        up = n - w - m
        if up:
            out.append((up * failure_rate, (w, m + 1, o + 1) if shelf > 0 else (w + 1, m, o + 1)))
        if m:
            out.append((m * repair_rate, (w, m - 1, o)))
        if o:
            out.append((o * lead_rate, (w - 1, m + 1, o - 1) if w else (w, m, o - 1)))
        return out

    return chain_availability((0, 0, 0), transitions, lambda s: n - s[0] - s[1] >= k)


def operated_availability(scenario) -> float:
    """The exact availability of a scenario whose repairs need a crew or spares, where
    one of the chains above applies.

    It applies when the whole service is one k-of-n group (hot, without failover or
    demand profile) or one standby group (without switchover) of single instances of
    identical parts (the same times, crew and pool) with exponential failure and
    repair times (and idle failures, warm), and either a crew working 24x7 without
    response delay and no spare pool (`shared_repair_availability`), or a spare pool
    with an exponential lead time and no crew, in a hot k-of-n group
    (`spare_pool_availability`).

    Raises
    ------
    NotApplicable
        Naming the first condition that does not hold.
    """
    try:
        return _operated_availability(scenario)
    except NotApplicable as exc:
        iid, comp = next(
            (iid, c)
            for iid in scenario.instances
            if (c := scenario.component_of(iid)).crew is not None or c.spares is not None
        )
        need = f"crew {comp.crew!r}" if comp.crew is not None else f"spares {comp.spares!r}"
        raise NotApplicable(f"instance {iid!r} needs {need}: {exc}") from None


def _operated_availability(scenario) -> float:
    block = scenario.service
    if not isinstance(block, (KofN, Standby)) or not all(isinstance(m, Leaf) for m in block.members):
        raise NotApplicable("repairs may queue: exact only for one k-of-n or standby group of single parts")
    if isinstance(block, KofN) and (block.failover is not None or block.demand is not None):
        raise NotApplicable("repairs may queue: exact only for a k-of-n group without failover or demand")
    if isinstance(block, Standby) and block.switchover is not None:
        raise NotApplicable("repairs may queue: exact only for a standby group without switchover")
    comps = [scenario.component_of(m.instance) for m in block.members]
    alike = {(c.failure, c.repair, c.idle_failure, c.crew, c.spares) for c in comps}
    if len(alike) != 1:
        raise NotApplicable("repairs may queue: exact only for identical members")
    comp = comps[0]
    rates = [comp.failure, comp.repair] + ([comp.idle_failure] if comp.idle_failure else [])
    if not all(isinstance(d, Exponential) for d in rates):
        raise NotApplicable("repairs may queue: exact only for exponential failure and repair times")
    n = len(block.members)
    k = block.k if isinstance(block, KofN) else 1
    if comp.crew is not None and comp.spares is None:
        crew = scenario.crews[comp.crew]
        if not crew.hours.is_always or crew.response is not None:
            raise NotApplicable(f"crew {crew.name!r} works shifts or has a response delay: no exact value")
        idle = comp.idle_failure.rate if comp.idle_failure is not None else comp.failure.rate
        return shared_repair_availability(
            n, k, comp.failure.rate, comp.repair.rate, crew.size, mode=block.mode, idle_rate=idle
        )
    if comp.spares is not None and comp.crew is None:
        pool = scenario.spares[comp.spares]
        if block.mode != "hot" or not isinstance(pool.lead_time, Exponential):
            raise NotApplicable("spare pool: exact only for a hot group with an exponential lead time")
        return spare_pool_availability(
            n, k, comp.failure.rate, comp.repair.rate, pool.stock, pool.lead_time.rate
        )
    raise NotApplicable("repairs need both a crew and a spare pool: no exact value")

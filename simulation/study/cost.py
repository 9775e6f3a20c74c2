"""The expected cost per year of a design: what it costs to run plus the credits it pays.

A design's cost per year is

- its **components**: ``cost`` per year of each instance's component type, summed over
  every instance of the structure (two web servers at ``1800/y`` cost 3600 a year);
- its **crews**: ``cost`` per year of each crew of the scenario (the whole crew);
- its **spares**: ``holding_cost`` per year of one part in stock times the pool's
  ``stock``, for each spare pool;
- its **credits**: the SLA credits it pays, ``sla.fee`` per window times the credit of
  each window, per year of measured windows.

The first three are fixed by the scenario; the credits are random, so the total carries
the 95 % t-interval of the credits per year over replications (the replications are
independent; the windows within one are not, which the per-replication means absorb).
Every amount is in the currency of `sla.fee` (`currency`); without a fee there are no
credits in money, and the amounts are in whatever unit the file's costs are in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.measure.stats import ConfidenceInterval, mean_ci
from simulation.model.scenario import HOURS_PER_YEAR, Scenario


@dataclass(frozen=True)
class FixedCost:
    """The cost per year a scenario states: components, crews and spares.

    Attributes
    ----------
    components, crews, spares : float
        Currency units per year (0 where the scenario gives no cost).
    by_component : dict of str to float
        Component cost per year by component type (types with a cost only).
    stated : bool
        True when the scenario gives any `cost` or `holding_cost` at all.
    """

    components: float
    crews: float
    spares: float
    by_component: dict
    stated: bool

    @property
    def total(self) -> float:
        return self.components + self.crews + self.spares


def fixed_cost(scenario: Scenario) -> FixedCost:
    """The components', crews' and spares' cost per year of `scenario` (module docstring)."""
    by_component: dict[str, float] = {}
    stated = False
    for iid in scenario.instances:
        comp = scenario.component_of(iid)
        if comp.cost_per_year is not None:
            stated = True
            by_component[comp.name] = by_component.get(comp.name, 0.0) + comp.cost_per_year
    crews = 0.0
    for crew in scenario.crews.values():
        if crew.cost_per_year is not None:
            stated = True
            crews += crew.cost_per_year
    spares = 0.0
    for pool in scenario.spares.values():
        if pool.holding_cost_per_year is not None:
            stated = True
            spares += pool.stock * pool.holding_cost_per_year
    return FixedCost(float(sum(by_component.values())), crews, spares, by_component, stated)


@dataclass(frozen=True)
class Cost:
    """The expected cost per year of a run's design, with its 95 % interval.

    Attributes
    ----------
    currency : str or None
        The ISO 4217 code of `sla.fee`; None without a fee.
    components, crews, spares : float
        Fixed cost per year (`FixedCost`).
    credits : float or None
        Expected SLA credits per year (``sla.fee`` x credit); None without a fee.
    credits_ci : ConfidenceInterval or None
        95 % t-interval of `credits` over replications (None without a fee or for one
        replication).
    total : float
        ``components + crews + spares + credits``.
    total_ci : ConfidenceInterval or None
        `credits_ci` shifted by the fixed cost (the fixed cost is known exactly).
    replications : int
    """

    currency: str | None
    components: float
    crews: float
    spares: float
    credits: float | None
    credits_ci: ConfidenceInterval | None
    total: float
    total_ci: ConfidenceInterval | None
    replications: int

    @property
    def fixed(self) -> float:
        return self.components + self.crews + self.spares

    def to_dict(self) -> dict:
        """The ``cost`` block of the JSON report (amounts per year)."""
        interval = lambda ci: None if ci is None else [round(ci.low, 2), round(ci.high, 2)]  # noqa: E731
        return {
            "currency": self.currency,
            "components": round(self.components, 2),
            "crews": round(self.crews, 2),
            "spares": round(self.spares, 2),
            "credits": None if self.credits is None else round(self.credits, 2),
            "credits_ci95": interval(self.credits_ci),
            "total": round(self.total, 2),
            "total_ci95": interval(self.total_ci),
        }

    def __str__(self) -> str:
        return self.summary_line()

    def summary_line(self) -> str:
        """``total 5,844 EUR/year (95 % CI ...): components 3,600, ..., credits 44``."""
        unit = f" {self.currency}" if self.currency else ""
        ci = ""
        if self.total_ci is not None:
            ci = f" (95 % CI {self.total_ci.low:,.0f} .. {self.total_ci.high:,.0f})"
        parts = [f"components {self.components:,.0f}"]
        if self.crews:
            parts.append(f"crews {self.crews:,.0f}")
        if self.spares:
            parts.append(f"spares {self.spares:,.0f}")
        parts.append("credits n/a (no fee)" if self.credits is None else f"credits {self.credits:,.0f}")
        return f"{self.total:,.0f}{unit}/year{ci}: {', '.join(parts)}"


def replication_credits_per_year(result) -> np.ndarray | None:
    """Credits paid per year in each replication, in the fee's currency.

    Returns
    -------
    ndarray of float, shape (replications,), or None
        ``fee x (sum of the credit fractions of the replication's windows) / (years of
        measured windows per replication)``; None without SLA windows or without a fee.
    """
    sla = result.sla
    if sla is None or sla.fee is None or not result.window_breach.size:
        return None
    w = result._w
    reps, n_w = result.window_breach.shape
    # windows not stored have availability 1, whose credit is credit_for(1.0) (0 with tiers below 1)
    credits = np.full(reps, n_w * float(sla.credit_for(1.0)))
    stored = np.asarray(sla.credit_for(w.availability), dtype=np.float64) - float(sla.credit_for(1.0))
    np.add.at(credits, w.flat // max(n_w, 1), stored)
    years = float(np.sum(w.hours)) / HOURS_PER_YEAR
    return sla.fee.amount * credits / years


def run_cost(result) -> Cost | None:
    """The `Cost` of a run; None when the scenario states no cost and no fee."""
    fixed = fixed_cost(result.scenario)
    per_rep = replication_credits_per_year(result)
    if per_rep is None and not fixed.stated:
        return None
    credits = credits_ci = total_ci = None
    total = fixed.total
    if per_rep is not None:
        credits, low, high = mean_ci(per_rep)
        total += credits
        if math.isfinite(low):
            credits_ci = ConfidenceInterval(max(low, 0.0), high)
            total_ci = ConfidenceInterval(fixed.total + credits_ci.low, fixed.total + high)
    currency = None if result.sla is None or result.sla.fee is None else result.sla.fee.currency
    return Cost(
        currency,
        fixed.components,
        fixed.crews,
        fixed.spares,
        credits,
        credits_ci,
        total,
        total_ci,
        result.replications,
    )

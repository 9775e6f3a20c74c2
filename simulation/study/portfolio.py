"""Portfolio exposure: the credits a provider pays per year across N identical contracts.

N customers on shared infrastructure breach together: in a year when the shared service
breaches, every contract pays its credit. From one run, the credits of one contract in
each simulated contract year (``sla.fee`` x the credit of each window ending in that
year) give the portfolio's credits per year as N times them, whose mean, 95th and 99th
percentile are what a provider budgets for (the bad year, not the mean).

For contrast, N customers on independent infrastructure (each its own copy of the
service) pay the sum of N independent draws of one contract's yearly credits: the same
mean, but a far thinner tail. That sum is drawn exactly from the run's contract years:
with the distinct yearly credits v_k and their shares p_k, the counts of N independent
contracts at each value are multinomial (N, p), so the sum is Σ v_k M_k; `DRAWS`
portfolio years are drawn with a generator seeded by the run's seed and N (the same
figures on every call).

Contract years as in `simulation.measure.targets`: from the first complete window, one
calendar year each, a window in the year it ends in; a horizon without a whole contract
year has no yearly credits to give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.measure.stats import ConfidenceInterval, mean_ci
from simulation.scenario.errors import UsageError

#: Portfolio years drawn for the independent-customers figures.
DRAWS = 100_000


@dataclass(frozen=True)
class Portfolio:
    """Credits per year across `customers` identical contracts.

    Attributes
    ----------
    customers : int
    currency : str
    contract_years : int
        Simulated contract years the figures come from.
    mean : float
        Expected credits per year of the portfolio (shared or independent alike).
    mean_ci : ConfidenceInterval or None
        95 % t-interval of `mean` over replications (None for one replication).
    shared_p95, shared_p99 : float
        Percentiles of the portfolio's credits per year on shared infrastructure:
        ``customers`` x the percentile of one contract's yearly credits.
    independent_p95, independent_p99 : float
        The same with independent customers (module docstring; `DRAWS` draws).
    """

    customers: int
    currency: str
    contract_years: int
    mean: float
    mean_ci: ConfidenceInterval | None
    shared_p95: float
    shared_p99: float
    independent_p95: float
    independent_p99: float

    def to_dict(self) -> dict:
        """The ``portfolio`` block of the JSON report (amounts per year)."""
        return {
            "customers": self.customers,
            "currency": self.currency,
            "contract_years": self.contract_years,
            "mean": round(self.mean, 2),
            "mean_ci95": None if self.mean_ci is None else [round(v, 2) for v in self.mean_ci],
            "shared": {"p95": round(self.shared_p95, 2), "p99": round(self.shared_p99, 2)},
            "independent": {"p95": round(self.independent_p95, 2), "p99": round(self.independent_p99, 2)},
        }

    def __str__(self) -> str:
        return self.summary_line()

    def summary_line(self) -> str:
        c = self.currency
        return (
            f"{self.customers} customers: credits/year mean {self.mean:,.0f} {c}; "
            f"breaching together (shared) p95 {self.shared_p95:,.0f}, p99 {self.shared_p99:,.0f} {c}; "
            f"if independent p95 {self.independent_p95:,.0f}, p99 {self.independent_p99:,.0f} {c} "
            f"({self.contract_years:,} contract years)"
        )


def yearly_credits(result) -> np.ndarray:
    """Credits of one contract in each contract year, in the fee's currency.

    Returns
    -------
    ndarray of float, shape (replications, contract years)

    Raises
    ------
    ValueError
        Without a fee, without SLA windows, or when the horizon holds no whole contract
        year.
    """
    from simulation.measure.targets import contract_years
    from simulation.measure.windows import window_bounds

    sla = result.sla
    if sla is None or sla.fee is None:
        raise UsageError("portfolio credits need sla.fee (the fee per window)")
    if not result.window_breach.size:
        raise UsageError("portfolio credits need complete SLA windows within the horizon")
    windows = window_bounds(sla.window, result.scenario.calendar, result.horizon_hours)
    year = contract_years(result.scenario.calendar, windows, result.horizon_hours)
    if year is None:
        raise UsageError(
            "portfolio credits per year need a horizon of at least one contract year "
            f"(this run simulates {result.horizon_hours:g} h)"
        )
    credit = sla.fee.amount * np.asarray(sla.credit_for(result.window_availability), dtype=np.float64)
    n_years = int(year.max()) + 1
    out = np.zeros((credit.shape[0], n_years))
    for y in range(n_years):
        out[:, y] = credit[:, year == y].sum(axis=1)
    return out


def portfolio(result, customers: int) -> Portfolio:
    """`Portfolio` of `customers` identical contracts from one run (module docstring).

    Raises
    ------
    ValueError
        For customers < 1, and as `yearly_credits`.
    """
    if isinstance(customers, bool) or not isinstance(customers, (int, np.integer)) or customers < 1:
        raise UsageError(f"customers must be an integer >= 1, got {customers!r}")
    n = int(customers)
    per_year = yearly_credits(result)
    samples = per_year.ravel()
    mean, low, high = mean_ci(per_year.mean(axis=1))  # replications are independent; years within not
    mean_ci95 = ConfidenceInterval(max(n * low, 0.0), n * high) if math.isfinite(low) else None
    values, counts = np.unique(samples, return_counts=True)
    rng = np.random.default_rng([int(result.seed), n])
    sums = rng.multinomial(n, counts / counts.sum(), size=DRAWS) @ values
    return Portfolio(
        n,
        result.sla.fee.currency,
        int(samples.size),
        n * mean,
        mean_ci95,
        n * float(np.quantile(samples, 0.95)),
        n * float(np.quantile(samples, 0.99)),
        float(np.quantile(sums, 0.95)),
        float(np.quantile(sums, 0.99)),
    )

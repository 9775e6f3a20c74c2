"""Paired comparison of two designs run with the same seed (common random numbers).

Two runs with one seed draw the same random numbers for every part they share (each
number has an address: seed, replication, part, purpose, draw), so replication r of
design A and replication r of design B live through the same failures wherever the
designs agree. Their difference is therefore measured on pairs: the per-replication
differences d_r = B_r - A_r have a far smaller variance than the difference of two
independent runs, and the confidence interval of the mean difference is the
t-interval of the d_r (Law, *Simulation Modeling and Analysis*, 5th ed., section 10.2.1,
the paired-t confidence interval).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simulation.scenario.errors import UsageError

#: The figures compared, with the per-replication value each is the mean of.
FIGURES = (
    "availability",
    "breach_probability",
    "breach_probability_year",
    "expected_credit_percent",
    "cost_per_year",
)


@dataclass(frozen=True)
class Difference:
    """The difference ``b - a`` of one figure, with its paired 95 % confidence interval.

    Attributes
    ----------
    a, b : float
        The figure of each design (mean over replications).
    delta : float
        ``b - a``.
    low, high : float
        95 % paired-t confidence interval of `delta` (NaN for one replication).
    """

    a: float
    b: float
    delta: float
    low: float
    high: float

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "delta": self.delta, "ci95": [self.low, self.high]}


@dataclass(frozen=True)
class Comparison:
    """Design B against design A, paired over replications (`compare`).

    Attributes
    ----------
    replications, seed : int
    availability : Difference
        Fraction of time up, per replication.
    breach_probability : Difference or None
        P(breach) per SLA window: per replication the fraction of its windows
        breached; the mean of these is the breach probability (every replication has
        the same windows). None unless both designs have an SLA.
    breach_probability_year : Difference or None
        P(>= 1 breach per contract year): per replication the fraction of its contract
        years with a breached window. None unless both runs hold a whole contract year
        (`simulation.measure.targets.contract_years`).
    expected_credit_percent : Difference or None
        Per replication the mean credit over its windows, % of the fee.
    cost_per_year : Difference or None
        Expected cost per year (`simulation.study.cost`): the design's fixed cost plus
        the credits it pays per year in each replication, in the fee's currency. None
        unless both scenarios have a fee.
    currency : str or None
        The fee's currency (of `cost_per_year`).
    """

    replications: int
    seed: int
    availability: Difference
    breach_probability: Difference | None
    expected_credit_percent: Difference | None
    breach_probability_year: Difference | None = None
    cost_per_year: Difference | None = None
    currency: str | None = None

    def to_dict(self) -> dict:
        """``{"replications", "seed", "currency", figure: {"a", "b", "delta", "ci95"} or None}``."""
        out: dict = {"replications": self.replications, "seed": self.seed, "currency": self.currency}
        for name in FIGURES:
            d = getattr(self, name)
            out[name] = None if d is None else d.to_dict()
        return out

    def summary(self) -> str:
        lines = [f"B - A, paired over {self.replications} replications (seed {self.seed}), 95 % CI"]
        rows = [
            ("availability", self.availability, 100, "%", 5),
            ("P(breach)", self.breach_probability, 1, "per window", 4),
            ("P(>=1 breach)", self.breach_probability_year, 1, "per contract year", 4),
            ("expected credit", self.expected_credit_percent, 1, "% of fee", 4),
            ("cost", self.cost_per_year, 1, f"{self.currency or ''} per year".lstrip(), 0),
        ]
        for label, d, scale, unit, digits in rows:
            if d is None:
                continue
            f = lambda x, scale=scale, digits=digits: f"{scale * x:+.{digits}f}"  # noqa: E731
            lines.append(
                f"  {label:<16} {f(d.delta)}{unit and ' ' + unit}  ({f(d.low)} .. {f(d.high)})   "
                f"A {scale * d.a:.{digits}f}, B {scale * d.b:.{digits}f}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def replication_figures(result) -> dict[str, list[float]]:
    """The per-replication values whose means are the compared figures of `result`.

    Returns
    -------
    dict
        ``availability`` always; ``breach_probability`` (fraction of the replication's
        windows breached) and ``expected_credit_percent`` (mean credit of its windows, %)
        when the run has SLA windows; ``breach_probability_year`` (fraction of its
        contract years with a breach) when the run holds a whole contract year;
        ``cost_per_year`` (fixed cost plus credits per year) with a fee. Each a list with
        one float per replication, in replication order (plain floats, so they store as
        JSON exactly).
    """
    from simulation.study.cost import fixed_cost, replication_credits_per_year

    out = {"availability": [float(x) for x in result.per_replication.availability.to_numpy()]}
    w = result.windows
    if len(w):
        per_rep = w.groupby("replication", sort=True)[["breach", "credit_pct"]].mean()
        out["breach_probability"] = [float(x) for x in per_rep["breach"].to_numpy()]
        out["expected_credit_percent"] = [float(x) for x in per_rep["credit_pct"].to_numpy()]
        years = result.contract_years
        if years is not None:
            counted = range(int(years.max()) + 1)
            breached = np.stack([result.window_breach[:, years == y].any(axis=1) for y in counted], axis=1)
            out["breach_probability_year"] = [float(x) for x in breached.mean(axis=1)]
    credits = replication_credits_per_year(result)
    if credits is not None:
        out["cost_per_year"] = [float(x) for x in fixed_cost(result.scenario).total + credits]
    return out


def paired_difference(a, b) -> Difference:
    """`Difference` of the means of two paired samples (same length, same replications)."""
    from simulation.measure.stats import mean_ci

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise UsageError(f"paired samples need equal sizes, got {a.size} and {b.size}")
    delta, low, high = mean_ci(b - a)
    return Difference(float(a.mean()), float(b.mean()), delta, low, high)


def compare_figures(a: dict, b: dict, replications: int, seed: int) -> Comparison:
    """`Comparison` from two `replication_figures` dicts of runs with one seed."""
    diffs = {}
    for name in FIGURES:
        diffs[name] = paired_difference(a[name], b[name]) if name in a and name in b else None
    return Comparison(replications, seed, **diffs)


def compare(a, b, **run_options) -> Comparison:
    """Design `b` against design `a`, with paired confidence intervals over replications.

    Parameters
    ----------
    a, b : Result or Scenario
        Two results of runs with the same seed, replications and horizon; or two scenarios,
        which are then run with the same seed and replications (`run_options` are passed
        to `simulation.run` for both, e.g. ``replications=2000, seed=7``).

    Returns
    -------
    Comparison
        Δavailability, ΔP(breach) and Δcredit (``b - a``), each with its 95 % paired-t
        confidence interval.

    Raises
    ------
    ValueError
        When the two results differ in seed, number of replications or horizon (their
        replications would not be pairs), `run_options` are given with results, or ask
        for a precision-driven run.

    Examples
    --------
    >>> import simulation as sim
    >>> base = sim.load("scenarios/web-hosting.yaml")
    >>> faster = base.with_({"components.rack-power.repair": {"mttr": "30min"}})
    >>> c = sim.compare(base, faster, replications=200, seed=7, workers=1, progress=False)
    >>> c.breach_probability.delta < 0
    True
    """
    from simulation.model.scenario import Scenario
    from simulation.study.runner import run

    if isinstance(a, Scenario) and isinstance(b, Scenario):
        if run_options.get("precision") is not None:
            raise UsageError(
                "a paired comparison runs both designs with the same replications; drop precision"
            )
        a = run(a, **run_options)
        b = run(b, **{**run_options, "seed": a.seed, "replications": a.replications})
    elif run_options:
        raise UsageError("run options apply to scenarios; these are results already run")
    for what in ("seed", "replications", "horizon_hours"):
        if getattr(a, what) != getattr(b, what):
            raise UsageError(
                f"a paired comparison needs runs with the same {what.replace('_', ' ')}: "
                f"got {getattr(a, what)} and {getattr(b, what)}"
            )
    c = compare_figures(replication_figures(a), replication_figures(b), a.replications, a.seed)
    fee = None if a.sla is None else a.sla.fee
    return c if fee is None else dataclasses.replace(c, currency=fee.currency)

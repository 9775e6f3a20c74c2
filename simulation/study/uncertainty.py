"""Uncertainty studies: how much the breach risk depends on inputs known only as ranges.

A scenario whose values are ranges (`simulation.scenario.uncertain`, ``mtbf: {between:
[8000h, 30000h]}``) is run many times with the ranges sampled (the outer loop), each
sample with the same replications and seed (the inner loop, common random numbers):

- **band**: the 5th, 50th and 95th percentile over the samples of P(breach per window)
  and of the risk as `sla.risk` states it (per contract year or per window): what the
  risk may be, given what is known about the inputs;
- **tornado**: for each input, the risk with that input at the low and at the high end
  of its range and every other input at its midpoint, sorted by the swing (high minus
  low): which input moves the risk most.

The samples are a Latin hypercube (`scipy.stats.qmc.LatinHypercube`, seeded by the
run's seed): each input's range is cut into as many equally likely strata as there are
samples and each stratum is used once, so a few samples cover every range evenly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.model.scenario import Scenario
from simulation.scenario.errors import UsageError
from simulation.study.sweep import Variant


@dataclass
class Uncertainty:
    """What `uncertainty` found.

    Attributes
    ----------
    inputs : tuple of UncertainInput
    samples : DataFrame
        One row per sample: ``sample``, one column per input path (the value, model
        units: hours, per hour, fraction), ``breach_probability`` (per window), ``risk``
        (as `sla.risk` states it) and ``risk_high`` (its upper 95 % bound).
    tornado : DataFrame
        One row per input, largest swing first: ``input``, ``low``, ``high`` (the ends,
        model units), ``risk_at_low``, ``risk_at_high``, ``swing`` (``risk_at_high -
        risk_at_low``), ``breach_probability_at_low`` / ``_at_high``.
    midpoint_risk : float
        The risk with every input at its midpoint.
    risk_per, window : str
    replications, seed : int
    elapsed_seconds : float
    """

    inputs: tuple
    samples: pd.DataFrame
    tornado: pd.DataFrame
    midpoint_risk: float
    risk_per: str
    window: str
    replications: int
    seed: int
    elapsed_seconds: float

    @property
    def risk_label(self) -> str:
        return (
            "P(>=1 breach per contract year)" if self.risk_per == "year" else f"P(breach per {self.window})"
        )

    def band(self, column: str = "risk") -> tuple[float, float, float]:
        """5th, 50th and 95th percentile of `column` over the samples."""
        q = np.quantile(self.samples[column].to_numpy(dtype=float), [0.05, 0.5, 0.95])
        return float(q[0]), float(q[1]), float(q[2])

    def summary(self) -> str:
        lo, mid, hi = self.band("risk")
        wlo, wmid, whi = self.band("breach_probability")
        lines = [
            f"Uncertainty of the breach risk over {len(self.inputs)} uncertain inputs, "
            f"{len(self.samples)} Latin hypercube samples x {self.replications} replications "
            f"(seed {self.seed}), {self.elapsed_seconds:.1f} s",
            f"  {self.risk_label}: 5-95 % band {lo:.3g} .. {hi:.3g} (median {mid:.3g}); "
            f"at the midpoints {self.midpoint_risk:.3g}",
            f"  P(breach per {self.window}): 5-95 % band {wlo:.3g} .. {whi:.3g} (median {wmid:.3g})",
            "  tornado (risk with one input at each end of its range, the others at their midpoints):",
        ]
        by_path = {i.path: i for i in self.inputs}
        for r in self.tornado.itertuples():
            inp = by_path[r.input]
            lines.append(
                f"    {r.input:<44} {inp.label(r.low):>10} -> {r.risk_at_low:.3g}   "
                f"{inp.label(r.high):>10} -> {r.risk_at_high:.3g}   swing {r.swing:+.3g}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def plot_tornado(self, ax=None):
        """The tornado chart: per input a bar from the risk at its low end to that at its high
        end, around the risk at the midpoints; largest swing on top."""
        from simulation.report.study_plots import plot_tornado

        return plot_tornado(self, ax=ax)


def uncertainty(
    scenario: Scenario,
    samples: int = 20,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    store=None,
    study: str | None = None,
    progress: bool | None = None,
    executor=None,
) -> Uncertainty:
    """Sample the uncertain inputs of `scenario` and report the breach risk as a band and a
    tornado (module docstring).

    Parameters
    ----------
    scenario : Scenario
        Read from a file, with at least one value given as a range and an SLA.
    samples : int
        Latin hypercube samples (the outer loop), >= 2.
    replications, seed, horizon, engine, workers, store, study, progress, executor
        As for `simulation.sweep` (every sample and tornado end runs with one seed).

    Returns
    -------
    Uncertainty

    Raises
    ------
    ValueError
        Without uncertain inputs or an SLA, or for samples < 2.
    """
    from scipy.stats import qmc

    from simulation.study.sweep import run_variants

    started = time.perf_counter()
    inputs = scenario.uncertain
    if not inputs:
        raise UsageError(
            "the scenario has no uncertain inputs; give a value as a range, e.g. "
            "mtbf: {between: [8000h, 30000h]}"
        )
    if scenario.sla is None:
        raise UsageError("an uncertainty study needs an SLA (its breach risk is what it reports)")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise UsageError(f"samples must be an integer >= 2, got {samples!r}")
    seed = scenario.run.seed if seed is None else int(seed)
    u = qmc.LatinHypercube(d=len(inputs), seed=seed).random(samples)
    plan = []
    for k, row in enumerate(u):
        changes = {i.path: i.text(i.value(x)) for i, x in zip(inputs, row)}
        plan.append(Variant(f"sample {k + 1}", changes))
    mid = {i.path: i.text(i.midpoint) for i in inputs}
    plan.append(Variant("midpoints", mid))
    for i in inputs:
        plan.append(Variant(f"{i.path} low", {**mid, i.path: i.text(i.low)}))
        plan.append(Variant(f"{i.path} high", {**mid, i.path: i.text(i.high)}))
    outcomes = {
        o.variant.name: o.report
        for o in run_variants(
            scenario,
            plan,
            replications=replications,
            seed=seed,
            horizon=horizon,
            engine=engine,
            workers=workers,
            store=store,
            study=study,
            progress=progress,
            executor=executor,
        )
    }
    first = next(iter(outcomes.values()))
    per = scenario.sla.risk_per

    def figures(name):
        sla = outcomes[name]["sla"]
        if sla is None or not sla["windows"]:
            raise UsageError("an uncertainty study needs complete SLA windows within the horizon")
        if per == "year":
            risk, ci = sla["breach_probability_year"], sla["breach_probability_year_ci95"]
        else:
            risk, ci = sla["breach_probability"], sla["breach_probability_ci95"]
        return sla["breach_probability"], risk, (ci[1] if ci else 1.0)

    rows = []
    for k, row in enumerate(u):
        p_w, risk, high = figures(f"sample {k + 1}")
        rows.append(
            {
                "sample": k + 1,
                **{i.path: i.value(x) for i, x in zip(inputs, row)},
                "breach_probability": p_w,
                "risk": risk,
                "risk_high": high,
            }
        )
    tornado = []
    for i in inputs:
        w_lo, r_lo, _ = figures(f"{i.path} low")
        w_hi, r_hi, _ = figures(f"{i.path} high")
        tornado.append(
            {
                "input": i.path,
                "low": i.low,
                "high": i.high,
                "risk_at_low": r_lo,
                "risk_at_high": r_hi,
                "swing": r_hi - r_lo,
                "breach_probability_at_low": w_lo,
                "breach_probability_at_high": w_hi,
            }
        )
    tornado_table = pd.DataFrame(tornado)
    order = tornado_table.swing.abs().sort_values(ascending=False, kind="stable").index
    return Uncertainty(
        inputs,
        pd.DataFrame(rows),
        tornado_table.loc[order].reset_index(drop=True),
        figures("midpoints")[1],
        per,
        scenario.sla.window_label,
        first["replications"],
        seed,
        time.perf_counter() - started,
    )

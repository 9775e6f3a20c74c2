"""The cheapest design that meets the accepted risk, found without running the whole grid.

A design is one option of each *choice* (``web servers: 2 | 3 | 4``, ``rack power:
single | dual``), each option a set of changes by key path. Its cost is the expected
total cost per year (`simulation.study.cost`: components, crews, spares and SLA credits);
its risk is the breach risk as the scenario states it (`sla.risk`): P(at least one
breached window in a contract year), or P(a window is breached) with ``risk: {per:
window}``. A design **meets the target** when the upper end of that risk's clustered
95 % interval is within `sla.risk`, the rule of the achievable target. With
``availability=`` instead, the criterion is the long-run availability: a design meets it
when the lower end of its availability's 95 % interval is at least that target (the
"risk" is then the unavailability, 1 - availability, judged on its upper end).

The search (`optimise`):

1. **Start** from the first option of every choice (list options cheapest first).
2. **Greedy steps.** While the current design does not meet the target, run every design
   one step up (one choice moved to its next option) and move to the step with the
   largest marginal benefit per marginal cost: the drop in the risk (point estimate)
   divided by the rise in expected cost per year. A step that lowers the risk and does
   not cost more is taken first; when no step lowers the risk, the cheapest step is
   taken. All designs run with one seed (common random numbers), so the differences
   that rank the steps are measured on the same failures.
3. **Confirmation.** The design reached and its neighbours (each choice one option down
   or up) run again at `confirm_replications`; the cheapest of them that meets the
   target is chosen. When that is a neighbour, its own neighbours are confirmed too,
   until the chosen design is the cheapest among itself and its neighbours.

The search is a heuristic: it assumes that an option further down a choice's list
lowers the risk, and that benefits per cost do not depend strongly on the other
choices. The test suite checks it against the full grid on the shipped study.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation.model.scenario import Scenario
from simulation.scenario.errors import UsageError
from simulation.study.sweep import Variant, value_text

#: Confirmation runs use this many times the search's replications unless told.
CONFIRM_FACTOR = 4


@dataclass(frozen=True)
class Choice:
    """One design decision: its options in order (cheapest first), each a set of changes.

    Attributes
    ----------
    name : str
        The key path for a choice of values, else the name given.
    options : tuple of (label, {key path: value})
    """

    name: str
    options: tuple

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.options]


def plan_choices(choices: Mapping) -> list[Choice]:
    """The choices of an optimisation.

    Parameters
    ----------
    choices : mapping
        ``{key path: [value, ...]}``: the values of one key path, cheapest first; or
        ``{name: {option: {key path: value, ...}, ...}}``: named options, each a set of
        changes (``{}`` is the scenario as it is), cheapest first.

    Raises
    ------
    ValueError
        For an empty mapping, a choice with fewer than two options, or options that are
        neither values nor mappings of changes.
    """
    if not isinstance(choices, Mapping) or not choices:
        raise UsageError("choices must map a key path to its values, or a name to named options")
    plan = []
    for name, options in choices.items():
        if isinstance(options, Mapping):
            opts = []
            for label, changes in options.items():
                if changes is None:
                    changes = {}
                if not isinstance(changes, Mapping):
                    raise UsageError(
                        f"option {label!r} of choice {name!r} must be a mapping of key path -> value, "
                        f"got {changes!r}"
                    )
                opts.append((str(label), dict(changes)))
        elif isinstance(options, (list, tuple)):
            opts = [(value_text(v), {str(name): v}) for v in options]
        else:
            raise UsageError(
                f"choice {name!r} must be a list of values or a mapping of named options, got {options!r}"
            )
        if len(opts) < 2:
            raise UsageError(f"choice {name!r} needs at least two options, got {len(opts)}")
        labels = [label for label, _ in opts]
        if len(set(labels)) != len(labels):
            raise UsageError(f"choice {name!r} names an option twice: {', '.join(labels)}")
        plan.append(Choice(str(name), tuple(opts)))
    return plan


def design_variant(choices: list[Choice], design: tuple[int, ...]) -> Variant:
    """The variant of a design (one option index per choice), named ``choice=option, ...``
    (for choices of values, the name a sweep's grid gives the same changes)."""
    changes: dict[str, Any] = {}
    for choice, i in zip(choices, design):
        changes.update(choice.options[i][1])
    name = ", ".join(f"{c.name}={c.options[i][0]}" for c, i in zip(choices, design))
    return Variant(name, changes, origin=f"design '{name}'")


@dataclass(frozen=True)
class Evaluation:
    """One design run at one number of replications."""

    design: tuple
    name: str
    stage: str  # "search" or "confirm"
    replications: int
    cost: float
    cost_low: float
    cost_high: float
    risk: float
    risk_low: float
    risk_high: float
    accepted: float
    stored: bool

    @property
    def meets(self) -> bool:
        # the relative tolerance absorbs the rounding of the per-year conversion (as TargetRisk)
        return self.risk_high <= self.accepted * (1 + 1e-9)


def _evaluation(design, outcome, stage, availability: float | None = None) -> Evaluation:
    report = outcome.report
    sla = report.get("sla")
    if availability is None and (sla is None or not sla.get("windows")):
        raise UsageError("optimise needs an SLA with complete windows within the horizon")
    cost = report.get("cost")
    if cost is None:
        raise UsageError(
            "optimise needs costs: give 'cost:' on component types (or crews, spares) and "
            "'fee:' in the sla section"
        )
    if availability is not None:
        a = report["availability"]
        p, accepted = 1.0 - a["mean"], 1.0 - availability
        ci = None if a.get("ci95") is None else (1.0 - a["ci95"][1], 1.0 - a["ci95"][0])
    elif sla["achievable_target"]["per"] == "year":
        p, ci = sla["breach_probability_year"], sla["breach_probability_year_ci95"]
        accepted = sla["achievable_target"]["risk"]
    else:
        p, ci = sla["breach_probability"], sla["breach_probability_ci95"]
        accepted = sla["achievable_target"]["risk"]
    low, high = ci if ci is not None else (0.0, 1.0)
    c_low, c_high = cost["total_ci95"] if cost.get("total_ci95") else (cost["total"], cost["total"])
    return Evaluation(
        design,
        outcome.variant.name,
        stage,
        report["replications"],
        cost["total"],
        c_low,
        c_high,
        p,
        low,
        high,
        accepted,
        outcome.stored,
    )


@dataclass
class Optimisation:
    """What `optimise` found.

    Attributes
    ----------
    choices : list of Choice
    chosen : Evaluation or None
        The cheapest confirmed design that meets the target; None when none did.
    steps : list of str
        The search's path, one line per step (why each move was made).
    evaluations : list of Evaluation
        Every run, search and confirmation, in order.
    grid_size : int
        Designs in the full grid (the product of the choices' option counts).
    risk_per : str
        ``"year"`` or ``"window"``: how `sla.risk` is stated; ``"availability"`` when the
        criterion is an availability target.
    window : str
        The SLA window (``month``), for labels.
    elapsed_seconds : float
    """

    choices: list
    chosen: Evaluation | None
    steps: list
    evaluations: list
    grid_size: int
    risk_per: str
    window: str
    elapsed_seconds: float
    currency: str | None = None
    _table: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def evaluated(self) -> int:
        """Distinct designs run (search and confirmation)."""
        return len({e.design for e in self.evaluations})

    @property
    def chosen_changes(self) -> dict | None:
        """The changes (key path -> value) of the chosen design, or None."""
        if self.chosen is None:
            return None
        return dict(design_variant(self.choices, self.chosen.design).changes)

    @property
    def risk_label(self) -> str:
        if self.risk_per == "availability":
            return "unavailability (1 - availability, all hours)"
        return (
            "P(>=1 breach per contract year)" if self.risk_per == "year" else f"P(breach per {self.window})"
        )

    @property
    def table(self) -> pd.DataFrame:
        """One row per evaluated design, its most precise run (confirmation over search),
        cheapest first: ``variant``, ``choice.<name>`` (the option), ``stage``,
        ``replications``, ``cost`` with ``cost_low``/``cost_high`` (expected total cost
        per year and its 95 % CI), ``risk`` with ``risk_low``/``risk_high`` (the breach
        risk as `sla.risk` states it, clustered 95 % CI), ``meets`` (upper bound within
        the accepted risk), ``pareto`` (no other design in the table is at most as
        costly and at most as risky, and better in one), ``chosen``."""
        if self._table is not None:
            return self._table
        best: dict = {}
        for e in self.evaluations:
            if e.design not in best or e.replications >= best[e.design].replications:
                best[e.design] = e
        rows = []
        for e in best.values():
            row = {"variant": e.name}
            row.update({f"choice.{c.name}": c.options[i][0] for c, i in zip(self.choices, e.design)})
            row.update(
                {
                    "stage": e.stage,
                    "replications": e.replications,
                    "cost": e.cost,
                    "cost_low": e.cost_low,
                    "cost_high": e.cost_high,
                    "risk": e.risk,
                    "risk_low": e.risk_low,
                    "risk_high": e.risk_high,
                    "meets": e.meets,
                    "chosen": self.chosen is not None and e.design == self.chosen.design,
                }
            )
            rows.append(row)
        table = pd.DataFrame(rows).sort_values(["cost", "risk"], kind="stable").reset_index(drop=True)
        table.insert(table.columns.get_loc("meets") + 1, "pareto", pareto_front(table.cost, table.risk))
        self._table = table
        return table

    def summary(self) -> str:
        unit = f" {self.currency}" if self.currency else ""
        lines = [
            f"Cheapest design with {self.risk_label} within {_pct(self.evaluations[0].accepted)} "
            "(95 % upper bound)",
            f"  evaluated {self.evaluated} of {self.grid_size} designs in {self.elapsed_seconds:.1f} s",
        ]
        lines += [f"  {s}" for s in self.steps]
        if self.chosen is None:
            lines.append("  no design confirmed within the accepted risk (add options or replications)")
        else:
            c = self.chosen
            lines.append(
                f"  chosen            {c.name}\n"
                f"                    cost {c.cost:,.0f}{unit}/year (95 % CI {c.cost_low:,.0f} .. "
                f"{c.cost_high:,.0f}), {self.risk_label} {c.risk:.3g} (95 % CI {c.risk_low:.3g} .. "
                f"{c.risk_high:.3g}), {c.replications} replications"
            )
        front = self.table[self.table.pareto]
        lines.append("  Pareto front      cost/year" + " " * 6 + "risk (95 % CI)" + " " * 13 + "replications")
        for r in front.itertuples():
            mark = "  <- chosen" if r.chosen else ""
            risk = f"{r.risk:.3g} ({r.risk_low:.3g} .. {r.risk_high:.3g})"
            row = f"{r.cost:>12,.0f}{unit}  {risk:<26} {r.replications:>12,}"
            lines.append(f"{'':20}{row}  {r.variant}{mark}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def plot(self, ax=None):
        """Cost per year against the breach risk of every evaluated design, with the
        Pareto front, the accepted risk and the chosen design marked."""
        from simulation.report.study_plots import plot_cost_risk

        return plot_cost_risk(self, ax=ax)


def _pct(x: float) -> str:
    return f"{100 * x:.3g} %"


def pareto_front(cost, risk) -> list[bool]:
    """For each point, whether no other point has cost <= and risk <= with one strictly less."""
    pts = list(zip(map(float, cost), map(float, risk)))
    out = []
    for c, r in pts:
        dominated = any((c2 <= c and r2 <= r) and (c2 < c or r2 < r) for c2, r2 in pts)
        out.append(not dominated)
    return out


def optimise(
    scenario: Scenario,
    choices: Mapping,
    *,
    replications: int | None = None,
    confirm_replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    store=None,
    study: str | None = None,
    progress: bool | None = None,
    executor=None,
    availability: float | None = None,
) -> Optimisation:
    """The cheapest design whose breach risk is within `sla.risk` (module docstring).

    Parameters
    ----------
    scenario : Scenario
        Read from a file (designs change its data by key path), with costs (`cost` on
        component types, crews or spare pools; `fee` in the SLA for credits) and an SLA.
    choices : mapping
        `plan_choices`: ``{key path: [values]}`` or ``{name: {option: {path: value}}}``,
        options cheapest first.
    replications : int, optional
        Per design during the search (default: the scenario's `run.replications`).
    confirm_replications : int, optional
        Per design in the confirmation (default `CONFIRM_FACTOR` x `replications`).
    seed, horizon, engine, workers, executor, progress
        As for `simulation.sweep`; one seed for every design.
    availability : float, optional
        Judge designs on availability instead of `sla.risk`: a design meets the target
        when the lower end of its availability's 95 % interval is at least this (a
        fraction, e.g. 0.9995).
    store : str or os.PathLike, optional
        A results store: every design run is written as it finishes, and designs already
        stored are read back. The search is the study `study` (default: the scenario
        file's name), the confirmation ``"<study> (<N> replications)"``.

    Returns
    -------
    Optimisation

    Raises
    ------
    ScenarioError
        For an option that does not fit the scenario (before anything runs).
    ValueError
        For bad choices or options, or a scenario without an SLA or costs.
    """
    from simulation.scenario.keypath import apply_changes
    from simulation.study.sweep import _study_name, run_variants

    started = time.perf_counter()
    if availability is not None and not 0.0 < availability < 1.0:
        raise UsageError(f"availability must be a fraction in (0, 1), e.g. 0.9995, got {availability!r}")
    plan = plan_choices(choices)
    for choice in plan:  # each option checked alone, before anything runs
        for label, changes in choice.options:
            apply_changes(scenario, changes, origin=f"option '{label}' of choice '{choice.name}'")
    replications = scenario.run.replications if replications is None else int(replications)
    confirm = CONFIRM_FACTOR * replications if confirm_replications is None else int(confirm_replications)
    if confirm < replications:
        raise UsageError(
            f"confirm_replications ({confirm}) must be at least the search's replications ({replications})"
        )
    name = study or _study_name(scenario)
    options = {"seed": seed, "horizon": horizon, "engine": engine, "workers": workers}
    options.update({"store": store, "progress": progress, "executor": executor})
    cache: dict = {}
    evaluations: list[Evaluation] = []

    def evaluate(designs, stage):
        reps = replications if stage == "search" else confirm
        todo = [d for d in dict.fromkeys(designs) if (d, reps) not in cache]
        if todo:
            variants = [design_variant(plan, d) for d in todo]
            study_name = name if stage == "search" else f"{name} ({reps} replications)"
            outcomes = run_variants(scenario, variants, replications=reps, study=study_name, **options)
            by_name = {v.name: d for v, d in zip(variants, todo)}
            for outcome in outcomes:
                e = _evaluation(by_name[outcome.variant.name], outcome, stage, availability)
                cache[(e.design, reps)] = e
                evaluations.append(e)
        return [cache[(d, reps)] for d in designs]

    steps: list[str] = []
    current = evaluate([tuple(0 for _ in plan)], "search")[0]
    steps.append(f"start             {current.name}: {_figures(current)}")
    while not current.meets:
        ups = [
            current.design[:i] + (current.design[i] + 1,) + current.design[i + 1 :]
            for i, c in enumerate(plan)
            if current.design[i] + 1 < len(c.options)
        ]
        if not ups:
            steps.append("                  every choice is at its last option and the risk is not met")
            break
        candidates = evaluate(ups, "search")
        nxt, why = _best_step(current, candidates, plan)
        steps.append(f"step              {why}: {_figures(nxt)}")
        current = nxt

    # confirmation: the design reached and its neighbours, until the cheapest that meets
    # the target is the cheapest among itself and its neighbours
    chosen = None
    centre = current.design
    seen: set = set()
    while centre not in seen:
        seen.add(centre)
        evaluate([centre, *_neighbours(centre, plan)], "confirm")
        confirmed = [cache[k] for k in cache if k[1] == confirm]
        meeting = [e for e in confirmed if e.meets]
        if not meeting:
            break
        chosen = min(meeting, key=lambda e: (e.cost, e.risk))
        centre = chosen.design
    if chosen is not None:
        confirmed = sum(1 for k in cache if k[1] == confirm)
        steps.append(f"confirm           {confirmed} designs at {confirm} replications")
    sla = scenario.sla
    grid = math.prod(len(c.options) for c in plan)
    return Optimisation(
        plan,
        chosen,
        steps,
        evaluations,
        grid,
        "availability" if availability is not None else sla.risk_per,
        sla.window_label,
        time.perf_counter() - started,
        None if sla.fee is None else sla.fee.currency,
    )


def _figures(e: Evaluation) -> str:
    verdict = "meets" if e.meets else "does not meet"
    return f"cost {e.cost:,.0f}/year, risk {e.risk:.3g} (upper {e.risk_high:.3g}, {verdict} {e.accepted:.3g})"


def _best_step(current: Evaluation, candidates: list[Evaluation], plan) -> tuple[Evaluation, str]:
    """The step with the largest risk drop per cost rise, and why, in words."""

    def moved(e):
        i = next(i for i, (a, b) in enumerate(zip(current.design, e.design)) if a != b)
        return f"{plan[i].name}={plan[i].options[e.design[i]][0]}"

    lowering = [e for e in candidates if e.risk < current.risk]
    if not lowering:
        e = min(candidates, key=lambda e: e.cost)
        return e, f"no step lowers the risk; the cheapest: {moved(e)}"

    def score(e):
        benefit, extra = current.risk - e.risk, e.cost - current.cost
        return (math.inf, benefit) if extra <= 0 else (benefit / extra, benefit)

    e = max(lowering, key=score)
    ratio = score(e)[0]
    per = "at no extra cost" if math.isinf(ratio) else f"{ratio:.3g} less risk per unit of cost"
    return e, f"{moved(e)} ({per})"


def _neighbours(design: tuple, plan) -> list[tuple]:
    out = []
    for i, c in enumerate(plan):
        for d in (-1, 1):
            j = design[i] + d
            if 0 <= j < len(c.options):
                out.append(design[:i] + (j,) + design[i + 1 :])
    return out

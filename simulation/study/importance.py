"""Importance of the parts of a design: which part to improve first.

Per instance (and summed per component type):

- **downtime share** and **breach share**: the share of the counted downtime each part
  caused, and of the breached windows it caused most of (`Result.attribution`);
- **Birnbaum importance** I_B(i) = A(system | i always up) - A(system | i always down):
  how much the system's availability depends on part i [1]_;
- **criticality importance** I_CR(i) = I_B(i) (1 - A_i) / (1 - A_system): the
  probability that part i is down and critical given that the system is down [1]_, with
  A_i = MTTF / (MTTF + MTTR) the part's availability as if always in use (for a warm or
  cold spare, which fails less while it waits, an upper reading).

I_B and I_CR come from the analytic structure function (`simulation.analytic`): the
steady-state availability with part i pinned up or down, exact where every block is a
function of its members' states (series, parallel, hot k-of-n without failover, hot
standby without switchover; shared parts factored on, networks included). A design with
switchovers, warm or cold spares has no structure function of its parts' states alone
(`analytic_reason` says why): there I_B is simulated for the `MAX_SIMULATED` parts with
the most counted downtime, as the paired difference (same seed and replications as the
run) of the simulated availability with the part always up and with it always down from
the start, with its paired-t 95 % interval; I_CR then uses the run's availability.
The other parts get NaN.

**The one change**: for the component types behind most of the counted downtime, two
candidate improvements each -- the repair time halved (every repair drawn at half its
length) and the time to failure doubled -- each run with the result's seed and
replications and compared with it on pairs of replications (`simulation.compare`), so
ΔP(breach) comes with its paired 95 % interval. The change with the largest drop is the
one that most reduces P(breach).

References
----------
.. [1] M. Rausand and A. Høyland, *System Reliability Theory*, 2nd ed., Wiley, 2004,
   ch. 5.2 (Birnbaum's measure) and 5.4 (criticality importance).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.model.distributions import (
    Deterministic,
    Distribution,
)
from simulation.scenario.errors import UsageError


def scaled(dist: Distribution, factor: float) -> Distribution:
    """`dist` with every value multiplied by `factor` > 0 (the same family).

    Raises
    ------
    UsageError
        For a factor that is not > 0.
    """
    f = float(factor)
    if not f > 0:
        raise UsageError(f"a scale factor must be > 0, got {factor}")
    return dist.scaled(f)


@dataclass
class Importance:
    """What `importance` found.

    Attributes
    ----------
    instances : DataFrame
        One row per instance, largest downtime share first: ``instance``, ``component``,
        ``downtime_share``, ``breach_share``, ``availability`` (steady state of the part,
        MTTF / (MTTF + MTTR)), ``birnbaum`` (``birnbaum_low`` / ``_high``: its 95 %
        interval where simulated), ``criticality`` (module docstring).
    components : DataFrame
        Per component type: ``downtime_share`` and ``breach_share`` summed,
        ``criticality`` summed, ``birnbaum`` the largest of its instances.
    analytic_reason : str or None
        Why there is no analytic structure function (Birnbaum simulated instead);
        None when it is used.
    changes : DataFrame
        One row per candidate change, best first: ``change``, ``component``,
        ``delta_breach_probability`` with ``_low``/``_high`` (paired 95 % CI, per
        window), ``delta_availability`` with ``_low``/``_high``.
    """

    instances: pd.DataFrame
    components: pd.DataFrame
    analytic_reason: str | None
    changes: pd.DataFrame
    window: str

    @property
    def best_change(self) -> str | None:
        """The change that most reduces P(breach), or None when no candidate lowered it."""
        if not len(self.changes) or not self.changes.delta_breach_probability.iloc[0] < 0:
            return None
        return str(self.changes.change.iloc[0])

    def summary(self) -> str:
        lines = ["Importance of the parts (counted downtime share, Birnbaum, criticality)"]
        if self.analytic_reason:
            lines.append(f"  no structure function: {self.analytic_reason}")
        for r in self.instances.head(8).itertuples():
            lines.append(
                f"  {r.instance:<32} downtime {100 * r.downtime_share:5.1f} %  "
                f"breaches {100 * r.breach_share:5.1f} %  "
                f"Birnbaum {r.birnbaum:.3g}  criticality {r.criticality:.3g}"
            )
        if len(self.changes):
            lines.append(f"  candidate changes (ΔP(breach per {self.window}), paired 95 % CI):")
            for r in self.changes.itertuples():
                lines.append(
                    f"    {r.change:<44} {r.delta_breach_probability:+.4f} "
                    f"({r.delta_breach_probability_low:+.4f} .. {r.delta_breach_probability_high:+.4f})"
                )
            best = self.best_change
            lines.append(f"  the one change    {best if best else 'none lowers P(breach)'}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def structure_importance(scenario) -> tuple[dict, dict, float | None, str | None]:
    """Birnbaum and criticality importance of every instance from the analytic structure
    function: ``(birnbaum, criticality, system availability, reason)``; empty dicts and
    the reason where there is no structure function of the parts' states."""
    from simulation.analytic.ctmc import NotApplicable
    from simulation.analytic.solve import MAX_STATES, _is_stateless, _Solver
    from simulation.model.structure import Leaf, iter_blocks

    try:
        stateful = [
            b for b in iter_blocks(scenario.service) if not isinstance(b, Leaf) and not _is_stateless(b)
        ]
    except NotApplicable as exc:
        return {}, {}, None, str(exc)
    if stateful:
        kind = type(stateful[0]).__name__
        name = f" {stateful[0].name!r}" if getattr(stateful[0], "name", None) else ""
        return (
            {},
            {},
            None,
            (
                f"the {kind}{name} block has switchovers or waiting spares: its state is not a "
                "function of its members' states"
            ),
        )

    class Pinned(_Solver):
        def __init__(self, pinned):
            super().__init__(scenario, max_states=MAX_STATES)
            self.pinned = pinned

        def _instance_availability(self, iid):
            return self.pinned[iid] if iid in self.pinned else super()._instance_availability(iid)

    try:
        system = Pinned({}).solve()
        birnbaum, criticality = {}, {}
        for iid in scenario.instances:
            comp = scenario.component_of(iid)
            a_i = comp.failure.mean / (comp.failure.mean + comp.repair.mean)
            b = Pinned({iid: 1.0}).solve() - Pinned({iid: 0.0}).solve()
            birnbaum[iid] = b
            criticality[iid] = b * (1 - a_i) / (1 - system) if system < 1 else float("nan")
    except NotApplicable as exc:
        return {}, {}, None, str(exc)
    return birnbaum, criticality, system, None


#: At most this many instances (by counted downtime) get a simulated Birnbaum importance:
#: each costs two runs.
MAX_SIMULATED = 12

#: "Always up" and "always down" in a simulation: no failure within any horizon, and a
#: failure at once with no repair within any horizon (hours).
_NEVER = 1e12
_AT_ONCE = 1e-9


def pinned(scenario, iid: str, up: bool):
    """`scenario` with instance `iid` always up (`up`) or down from time 0 on, through a
    copy of its component type (the other instances of the type are unchanged; the
    random draws of every other part stay the same, being addressed by instance)."""
    comp = scenario.component_of(iid)
    name = f"{comp.name} (pinned {iid})"
    if up:
        fixed = dataclasses.replace(comp, name=name, failure=Deterministic(_NEVER), failure_per_km=None)
    else:
        fixed = dataclasses.replace(
            comp,
            name=name,
            failure=Deterministic(_AT_ONCE),
            idle_failure=Deterministic(_AT_ONCE),
            repair=Deterministic(_NEVER),
            failure_per_km=None,
        )
    instance = dataclasses.replace(scenario.instances[iid], component=name, failure=None)
    return dataclasses.replace(
        scenario,
        components={**scenario.components, name: fixed},
        instances={**scenario.instances, iid: instance},
        data=None,
        uncertain=(),
    )


def simulated_birnbaum(result, instances, progress=None, workers=None) -> dict:
    """Birnbaum importance of `instances` from simulation: the paired difference of the
    availability with the instance always up and always down, run with `result`'s seed,
    replications, horizon and engine. Returns ``{instance: (estimate, low, high)}``
    (paired-t 95 % interval)."""
    from simulation.study.compare import paired_difference
    from simulation.study.runner import run

    options = {
        "replications": result.replications,
        "seed": result.seed,
        "horizon": result.horizon_hours,
        "engine": result.engine,
        "workers": workers,
        "progress": progress,
    }
    out = {}
    for iid in instances:
        up = run(pinned(result.scenario, iid, True), **options).per_replication.availability
        down = run(pinned(result.scenario, iid, False), **options).per_replication.availability
        d = paired_difference(down.to_numpy(), up.to_numpy())
        # a coherent structure's Birnbaum importance lies in [0, 1]: so does its interval
        out[iid] = (d.delta, max(0.0, d.low), min(1.0, d.high))
    return out


def importance(result, top: int = 3, progress: bool | None = None, workers: int | None = None) -> Importance:
    """Importance of the parts of `result`'s design, and the one change that most reduces
    P(breach) among the `top` component types by counted downtime (module docstring).

    Raises
    ------
    ValueError
        For a run without SLA windows (the changes are judged on P(breach)).
    """
    from simulation.study.compare import compare
    from simulation.study.runner import run

    scenario = result.scenario
    if not result.window_breach.size:
        raise UsageError("importance needs SLA windows: the changes are judged on P(breach)")
    birnbaum, criticality, _, reason = structure_importance(scenario)
    simulated = {}
    if reason is not None:  # no structure function: Birnbaum from paired runs, top parts only
        attr_order = [i for i in result.attribution.instance if i in scenario.instances]
        rest = [i for i in scenario.instances if i not in attr_order]
        chosen = (attr_order + rest)[:MAX_SIMULATED]
        simulated = simulated_birnbaum(result, chosen, progress=progress, workers=workers)
        unavailability = 1.0 - result.availability
        for iid, (b, _, _) in simulated.items():
            comp = scenario.component_of(iid)
            a_i = comp.failure.mean / (comp.failure.mean + comp.repair.mean)
            birnbaum[iid] = b
            criticality[iid] = b * (1 - a_i) / unavailability if unavailability > 0 else np.nan
        reason += (
            f"; Birnbaum and criticality simulated instead (paired runs with the part always up "
            f"and always down) for the {len(simulated)} parts with the most counted downtime"
        )
    attr = result.attribution.set_index("instance")
    rows = []
    for iid, inst in scenario.instances.items():
        comp = scenario.component_of(iid)
        rows.append(
            {
                "instance": iid,
                "component": inst.component,
                "downtime_share": float(attr.downtime_share.get(iid, 0.0)),
                "breach_share": float(attr.breach_share.get(iid, 0.0)),
                "availability": comp.failure.mean / (comp.failure.mean + comp.repair.mean),
                "birnbaum": birnbaum.get(iid, np.nan),
                "birnbaum_low": simulated[iid][1] if iid in simulated else np.nan,
                "birnbaum_high": simulated[iid][2] if iid in simulated else np.nan,
                "criticality": criticality.get(iid, np.nan),
            }
        )
    instances = (
        pd.DataFrame(rows)
        .sort_values("downtime_share", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    components = (
        instances.groupby("component", sort=False)
        .agg(
            downtime_share=("downtime_share", "sum"),
            breach_share=("breach_share", "sum"),
            birnbaum=("birnbaum", "max"),
            criticality=("criticality", "sum"),
        )
        .sort_values("downtime_share", ascending=False, kind="stable")
        .reset_index()
    )
    candidates = [c for c, share in zip(components.component, components.downtime_share) if share > 0][:top]
    changes = []
    for name in candidates:
        comp = scenario.components[name]
        for label, field, factor in (
            (f"halve the repair time of {name}", "repair", 0.5),
            (f"double the time to failure of {name}", "failure", 2.0),
        ):
            changed = dataclasses.replace(comp, **{field: scaled(getattr(comp, field), factor)})
            other = dataclasses.replace(
                scenario, components={**scenario.components, name: changed}, data=None, uncertain=()
            )
            b = run(
                other,
                replications=result.replications,
                seed=result.seed,
                horizon=result.horizon_hours,
                engine=result.engine,
                workers=workers,
                progress=progress,
            )
            c = compare(result, b)
            d, a = c.breach_probability, c.availability
            changes.append(
                {
                    "change": label,
                    "component": name,
                    "delta_breach_probability": d.delta,
                    "delta_breach_probability_low": d.low,
                    "delta_breach_probability_high": d.high,
                    "delta_availability": a.delta,
                    "delta_availability_low": a.low,
                    "delta_availability_high": a.high,
                }
            )
    table = pd.DataFrame(changes)
    if len(table):
        table = table.sort_values("delta_breach_probability", kind="stable").reset_index(drop=True)
    return Importance(instances, components, reason, table, scenario.sla.window_label)

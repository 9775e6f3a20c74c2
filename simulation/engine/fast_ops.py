"""Operations the fast engine runs: crews that never make a repair wait, and maintenance.

A part's repairs stay independent of every other part's when its crew can never run
out of technicians: a crew of ``size`` technicians whose component types are used by
at most ``size`` instances of the service (each part has at most one repair in progress,
so a part that fails finds at most ``size - 1`` technicians busy; `binding_crews` lists
the crews for which this does not hold). Such a repair takes, as in the SimPy engine
(`engine.crews`): the crew's hours (`Shifts.next_open`), its `response` delay, then the
repair time as crew work (`Shifts.work_end`, pausing at each shift end without overtime).
Non-rolling maintenance jobs (`model.maintenance.job_starts`) depend on the part alone
too. So each such part is generated here alone, vectorised over instances and
replications: one step of the loop of `engine.des` (`_operated_leaf`, `_maintained_leaf`)
for every pair (instance, replication) still before the horizon at once, with the same
float operations in the same order and the same draws (the part's j-th repair uses
draw j of its ``REPAIR`` and ``RESPONSE`` streams; its j-th job that runs uses draw j of
its ``MAINTENANCE`` stream), so both engines give the same outages.

Semantics (those of `engine.des._maintained_leaf`): a job that starts while the part is
down (failed, in repair or in another job) is skipped; a failure due at a job's start
comes first; during a job the part is down with the job's Timeline kind and does not
age (its remaining life resumes when the job ends: maintenance does not renew it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engine.crews import repair_done
from simulation.engine.sampler import _UNIT
from simulation.engine.streams import FAILURE, MAINTENANCE, REPAIR, RESPONSE, draws, stream_keys
from simulation.model.components import ComponentType
from simulation.model.maintenance import job_starts
from simulation.model.operations import Crew, MaintenanceRule
from simulation.model.scenario import Scenario
from simulation.model.shifts import Shifts
from simulation.model.structure import leaves
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, UNPLANNED
from simulation.model.timeline import MAINTENANCE as MAINTENANCE_KIND


def crew_parts(scenario: Scenario) -> dict[str, list[str]]:
    """The instances of the service (each once) whose component type names each crew."""
    out: dict[str, list[str]] = {}
    for iid in dict.fromkeys(leaves(scenario.service)):
        crew = scenario.component_of(iid).crew
        if crew is not None:
            out.setdefault(crew, []).append(iid)
    return out


def binding_crews(scenario: Scenario) -> list[tuple[Crew, list[str]]]:
    """The crews of `scenario` whose technicians may all be busy when a part fails:
    fewer technicians (``size``) than instances of the service they repair. Returns
    (crew, those instance ids) per such crew, in the order of `scenario.crews`."""
    parts = crew_parts(scenario)
    return [
        (crew, parts[name])
        for name, crew in scenario.crews.items()
        if name in parts and crew.size < len(parts[name])
    ]


@dataclass(frozen=True)
class Jobs:
    """The maintenance jobs of a part that start before the horizon, sorted by start
    (stably: jobs of one instant in the order of the rules).

    Attributes
    ----------
    t : ndarray of float64, shape (n + 1,)
        Start times (model hours), then ``inf`` (no next job).
    kind : ndarray of int8, shape (n,)
        Timeline kind of each job.
    rule : ndarray of int64, shape (n,)
        Index into `durations` of each job's rule.
    durations : tuple of Distribution
    """

    t: np.ndarray
    kind: np.ndarray
    rule: np.ndarray
    durations: tuple

    @classmethod
    def of(cls, rules: tuple[MaintenanceRule, ...], scenario: Scenario, horizon: float) -> Jobs:
        jobs = []
        for k, rule in enumerate(rules):
            kind = ANNOUNCED_MAINTENANCE if rule.announced else MAINTENANCE_KIND
            jobs += [(float(t), k, kind) for t in job_starts(rule, scenario.calendar, horizon)]
        jobs.sort(key=lambda job: job[0])
        return cls(
            np.array([j[0] for j in jobs] + [np.inf], np.float64),
            np.array([j[2] for j in jobs], np.int8),
            np.array([j[1] for j in jobs], np.int64),
            tuple(r.duration for r in rules),
        )


@dataclass(frozen=True)
class CrewHours:
    """A crew that never makes a repair wait for a technician: its hours and delays."""

    crew: Crew
    shifts: Shifts

    @property
    def delayed(self) -> bool:
        """False when work starts the moment the part fails (24x7, no response)."""
        return not self.shifts.always or self.crew.response is not None


class Operations:
    """What the fast engine needs of a scenario's crews and maintenance for one horizon:
    per instance, its crew's hours (or None) and its jobs (or None)."""

    def __init__(self, scenario: Scenario, horizon: float):
        self.scenario, self.horizon = scenario, horizon
        self.crews = {
            name: CrewHours(crew, Shifts(crew.hours, scenario.calendar))
            for name, crew in scenario.crews.items()
        }
        self._jobs: dict[tuple, Jobs] = {}

    def crew_of(self, iid: str) -> CrewHours | None:
        name = self.scenario.component_of(iid).crew
        return None if name is None else self.crews[name]

    def job_key(self, iid: str) -> tuple:
        """A key equal for instances with the same maintenance rules (() without jobs)."""
        return tuple(id(r) for r in self.scenario.maintenance_of(iid)) if self.scenario.maintenance else ()

    def jobs_of(self, iid: str) -> Jobs | None:
        key = self.job_key(iid)
        if not key:
            return None
        if key not in self._jobs:
            self._jobs[key] = Jobs.of(self.scenario.maintenance_of(iid), self.scenario, self.horizon)
        return self._jobs[key]


def operated_events(
    comp: ComponentType,
    base: np.ndarray,
    reps: np.ndarray,
    horizon: float,
    crew: CrewHours | None,
    jobs: Jobs | None,
):
    """Events of n instances of one type repaired by `crew` and/or maintained by `jobs`.

    Parameters
    ----------
    comp : ComponentType
    base : ndarray of uint64, shape (n,)
        The instances' stream keys under the run's seed (`streams.base_key`).
    reps : ndarray of int64
        Replication indices.
    horizon : float
        Hours; events at or after it are not given.
    crew, jobs : CrewHours or None, Jobs or None

    Returns
    -------
    inst, rep, t, up, kind : ndarrays
        Instance index in `base` (int64), position in `reps` (int64), hours (float64),
        the new state (bool) and the Timeline kind of a change to down (int8, UNPLANNED
        for ups), grouped by instance and, within one, in the order the part went
        through them (time order; a job that starts as the part comes up follows its up).

    Instances are taken in blocks of about `PAIRS` pairs (instance, replication), so
    the state arrays of a step stay a few MiB however large the run.
    """
    per_block = max(1, PAIRS // max(1, reps.size))
    parts = [
        _operated_block(comp, base[a : a + per_block], reps, horizon, crew, jobs)
        for a in range(0, base.size, per_block)
    ]
    offsets = range(0, base.size, per_block)
    inst = np.concatenate([p[0] + off for p, off in zip(parts, offsets)])
    return inst, *(np.concatenate([p[i] for p in parts]) for i in (1, 2, 3, 4))


#: Pairs (instance, replication) stepped at once by `operated_events`.
PAIRS = 1 << 18


def _operated_block(comp, base, reps, horizon, crew, jobs):
    """`operated_events` for one block of instances (instance indices from 0)."""
    kf = stream_keys(base, reps, FAILURE).T  # (n, reps)
    life = draws(comp.failure, kf, 0)
    if jobs is None:
        ii, rr = np.nonzero(life < horizon)  # the pairs that fail before the horizon
    else:
        ii, rr = np.nonzero(np.ones(life.shape, bool))
    respond = crew is not None and crew.delayed and crew.crew.response is not None
    # the state of each pair (instance, replication) still before the horizon
    pair = {
        "inst": ii,
        "rep": rr,
        "life": life[ii, rr],
        "now": np.zeros(ii.size),
        "kf": kf[ii, rr],
        "kr": stream_keys(base, reps, REPAIR).T[ii, rr],
        "failures": np.ones(ii.size, np.int64),  # draws taken of each stream
        "repairs": np.zeros(ii.size, np.int64),
    }
    if respond:
        pair["ks"] = stream_keys(base, reps, RESPONSE).T[ii, rr]
    if jobs is not None:
        pair["kj"] = stream_keys(base, reps, MAINTENANCE).T[ii, rr]
        pair["done_jobs"] = np.zeros(ii.size, np.int64)
        pair["next_job"] = np.zeros(ii.size, np.int64)  # index into jobs.t
    out: list[tuple] = []

    def emit(sel, t, up, kind) -> None:
        inside = t < horizon
        ids, rep = pair["inst"][sel], pair["rep"][sel]
        out.append((ids[inside], rep[inside], t[inside], up, kind[inside] if kind.ndim else kind))

    while pair["now"].size:
        now, life = pair["now"], pair["life"]
        fail = np.ones(now.size, bool) if jobs is None else now + life <= jobs.t[pair["next_job"]]
        f = np.flatnonzero(fail)
        if f.size:
            down = now[f] + life[f]
            f, down = f[down < horizon], down[down < horizon]
            now[fail] = np.inf  # a failure at or after the horizon ends the pair
            emit(f, down, False, np.int8(UNPLANNED))
            repairs = pair["repairs"][f]
            work = draws(comp.repair, pair["kr"][f], repairs)
            if crew is None or not crew.delayed:
                back = down + work
            else:
                response = draws(crew.crew.response, pair["ks"][f], repairs) if respond else 0.0
                done = repair_done(crew.shifts, crew.crew.overtime, down, response, work)
                back = down + np.maximum(done - down, 0.0)
            emit(f, back, True, np.int8(UNPLANNED))
            pair["repairs"][f] = repairs + 1
            life[f] = draws(comp.failure, pair["kf"][f], pair["failures"][f])
            pair["failures"][f] += 1
            now[f] = back
        if jobs is not None:
            g = np.flatnonzero(~fail)
            if g.size:
                j = pair["next_job"][g]
                start = jobs.t[j]
                life[g] = life[g] - (start - now[g])
                begin = now[g] + (start - now[g])
                emit(g, begin, False, jobs.kind[j])
                u = draws(_UNIT, pair["kj"][g], pair["done_jobs"][g])
                if len(jobs.durations) == 1:
                    length = jobs.durations[0].ppf(u)
                else:
                    length = np.empty(g.size)
                    for k, duration in enumerate(jobs.durations):
                        of_rule = jobs.rule[j] == k
                        length[of_rule] = duration.ppf(u[of_rule])
                pair["done_jobs"][g] += 1
                now[g] = begin + length
                emit(g, now[g], True, np.int8(UNPLANNED))
            # skip the jobs that started while the part was down
            pair["next_job"] = np.maximum(pair["next_job"], np.searchsorted(jobs.t[:-1], now, side="left"))
        more = now < horizon
        if not more.all():
            pair = {name: values[more] for name, values in pair.items()}
    if not out:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int8)
    inst = np.concatenate([o[0] for o in out])
    order = np.argsort(inst, kind="stable")
    return (
        inst[order].astype(np.int64),
        np.concatenate([o[1] for o in out])[order].astype(np.int64),
        np.concatenate([o[2] for o in out])[order],
        np.concatenate([np.full(o[0].size, o[3], bool) for o in out])[order],
        np.concatenate([np.broadcast_to(np.asarray(o[4], np.int8), o[0].shape) for o in out])[order],
    )

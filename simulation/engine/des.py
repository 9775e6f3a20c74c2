"""The SimPy engine (``engine="des"``): one process per instance, the reference.

Each instance is a SimPy process that alternates up and down: it waits its time to
failure, goes down, waits its repair time, comes back up (as good as new). Every change
is pushed up the structure through the compiled nodes of `simulation.engine.nodes`,
which apply the block rules of `simulation.engine.rules` instant by instant (the tie
rule), so an event costs time proportional to the depth of the structure, not its
size. The output node records the system outages of the replication as a `Timeline`.

A part that waits as a spare in a warm or cold group runs a slightly longer loop: its
failure clock is paused while it waits (cold), or replaced by its idle failure
distribution (warm); the group interrupts the process when the part enters or leaves
use. The remaining life in use is kept across waiting periods; an idle time to
failure is drawn afresh at the start of each waiting period (exact for exponential
parts).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import simpy

from simulation.engine.maintenance import RollingMaintenance
from simulation.engine.nodes import CompiledStructure, Leaf, compile_structure
from simulation.model.scenario import Scenario
from simulation.model.timeline import Timeline


def _repair(env: simpy.Environment, leaf: Leaf):
    """The repair of a failed part: at once, or through its spare pool and crew (the
    steps of `engine.crews`). The part's j-th repair draws its repair, response and
    lead times before it waits, so the queue cannot reorder any stream."""
    work = leaf.draw_repair()
    crew, shelf = leaf.crew, leaf.shelf
    if crew is None and shelf is None:
        yield env.timeout(work)
        return
    failed = env.now
    response = 0.0 if leaf.draw_response is None else leaf.draw_response()
    if shelf is not None:
        delivery = shelf.take(leaf.draw_lead_time())
        if delivery is not None:
            yield delivery
    if crew is None:
        yield env.timeout(work)
        return
    handed = crew.take((leaf.rank, failed, leaf.index))
    if handed is not None:
        yield handed
    if crew.delayed:
        yield env.timeout(max(crew.done_at(env.now, response, work) - env.now, 0.0))
    else:
        yield env.timeout(work)
    crew.give_back()


def _plain_leaf(env: simpy.Environment, leaf: Leaf, rolling: RollingMaintenance | None = None):
    """Fail, repair, repeat: the loop of a part that is always in use."""
    timeout = env.timeout
    if leaf.jobs is not None:
        yield from _maintained_leaf(env, leaf, rolling)
        return
    if leaf.crew is not None or leaf.shelf is not None:
        yield from _operated_leaf(env, leaf)
        return
    if leaf.first is not None:  # steady start: the life or repair in progress ends first
        yield timeout(leaf.first)
        if leaf.up:
            leaf.go_down()
            yield timeout(leaf.draw_repair())
        leaf.go_up()
    while True:
        yield timeout(leaf.draw_failure())
        leaf.go_down()
        yield timeout(leaf.draw_repair())
        leaf.go_up()


def _operated_leaf(env: simpy.Environment, leaf: Leaf):
    """Fail, repair through the part's crew and spare pool, repeat (a part always in use)."""
    while True:
        yield env.timeout(leaf.draw_failure())
        leaf.go_down()
        yield from _repair(env, leaf)
        leaf.go_up()


def _maintained_leaf(env: simpy.Environment, leaf: Leaf, rolling: RollingMaintenance | None):
    """Fail, repair, repeat, and go down for maintenance at each job's start.

    A job that starts while the part is down (failed, in repair, or in another job) is
    skipped; a failure due at a job's start instant comes first. During a job the part
    is down with the job's Timeline kind and does not age: its remaining life in use
    resumes when the job ends (maintenance does not renew the part). Job j of the part
    lasts the rule's duration at draw j of the part's MAINTENANCE stream. A rolling
    job waits until `rolling` lets it start (`engine.maintenance`); the part ages and
    may fail meanwhile, and its later jobs due meanwhile are skipped.
    """
    jobs, i = leaf.jobs, 0
    life = leaf.draw_failure()
    waiting = None  # (event, duration, kind) of a rolling job that waits to start
    while True:
        if waiting is not None:
            began = env.now
            fails = env.timeout(life)
            yield waiting[0] | fails
            if waiting[0].triggered:
                life -= env.now - began
                yield from _job(env, leaf, waiting[1], waiting[2], rolling)
                waiting = None
            else:
                yield from _fail_and_repair(env, leaf)
                life = leaf.draw_failure()
        else:
            next_job = jobs[i][0] if i < len(jobs) else math.inf
            if env.now + life <= next_job:
                yield env.timeout(life)
                yield from _fail_and_repair(env, leaf)
                life = leaf.draw_failure()
            else:
                life -= next_job - env.now
                yield env.timeout(next_job - env.now)
                _, duration, kind, is_rolling = jobs[i]
                if is_rolling and rolling is not None and rolling.has_groups(leaf):
                    waiting = (rolling.request(leaf), duration, kind)
                else:
                    if rolling is not None:
                        rolling.job_started(leaf)
                    yield from _job(env, leaf, duration, kind, rolling)
        while i < len(jobs) and jobs[i][0] < env.now:
            i += 1


def _fail_and_repair(env: simpy.Environment, leaf: Leaf):
    leaf.go_down()
    yield from _repair(env, leaf)
    leaf.go_up()


def _job(env: simpy.Environment, leaf: Leaf, duration, kind: int, rolling: RollingMaintenance | None):
    """One maintenance job of `leaf` (its members already counted as in maintenance)."""
    leaf.go_down(kind)
    yield env.timeout(float(duration.ppf(leaf.draw_job())))
    leaf.go_up()
    if rolling is not None:
        rolling.job_ended(leaf)


def _controlled_leaf(env: simpy.Environment, leaf: Leaf):
    """The loop of a part that may wait as a spare (see the module docstring)."""
    while True:
        remaining = leaf.draw_failure()
        while True:
            if leaf.idle_count == 0:
                began = env.now
                try:
                    yield env.timeout(remaining)
                    break
                except simpy.Interrupt:
                    remaining -= env.now - began
            else:
                idle = leaf.draw_idle_failure()
                try:
                    yield env.event() if math.isinf(idle) else env.timeout(idle)
                    break
                except simpy.Interrupt:
                    pass
        leaf.go_down()
        yield from _repair(env, leaf)
        leaf.go_up()


def _demand(env: simpy.Environment, structure: CompiledStructure, node):
    """Change the members `node` needs at each step of its demand profile."""
    cause = structure.demand_cause
    for t, k in node.demand_steps[1]:
        yield env.timeout(t - env.now)
        structure.instants.set_demand(node, k, cause)


def _replications(structure: CompiledStructure, reps: np.ndarray, horizon_hours: float):
    """Run replications `reps` one after the other; yields each one's position once it has
    run (its outputs then hold its changes)."""
    structure.prepare(reps, horizon_hours)
    for pos in range(len(reps)):
        env = simpy.Environment()
        structure.reset(env, pos)
        for leaf in structure.used:
            if leaf.controlled:
                leaf.process = env.process(_controlled_leaf(env, leaf))
            else:
                leaf.process = env.process(_plain_leaf(env, leaf, structure.rolling))
        for node in structure.demand_nodes:
            env.process(_demand(env, structure, node))
        env.run(until=horizon_hours)
        yield pos


def simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float) -> list[Timeline]:
    """Simulate replications `reps` (e.g. ``range(200, 400)``) with the SimPy engine.

    Parameters
    ----------
    scenario : Scenario
    seed : int
        The run's seed; with the replication index it fixes every random number
        (see `engine.streams`), so any split of a run into calls gives the same results.
    reps : range
        Replication indices.
    horizon_hours : float

    Returns
    -------
    list of Timeline, one per replication.
    """
    return _simulate(scenario, seed, reps, horizon_hours, False)[0]


def simulate_outputs(
    scenario: Scenario, seed: int, reps: range, horizon_hours: float
) -> list[list[Timeline]]:
    """`simulate` for the service and for the service seen from each customer site of its
    per-site network blocks (`simulation.model.network.site_services`), in one run: one
    list of Timelines per output (``[service, site 1, ...]``), as
    `simulation.engine.fast.simulate_outputs`."""
    return _simulate(scenario, seed, reps, horizon_hours, True)


def _simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float, sites: bool):
    structure = compile_structure(scenario, seed, sites)
    outputs = structure.outputs
    same = [next(j for j, o in enumerate(outputs) if o.source is out.source) for out in outputs]
    timelines: list[list[Timeline]] = [[] for _ in outputs]
    for _ in _replications(structure, np.asarray(reps, dtype=np.int64), horizon_hours):
        for i, output in enumerate(outputs):
            if same[i] != i:
                continue
            timeline = output.timeline(horizon_hours)
            if i == 0 and structure.shelves:
                stockouts = sum(shelf.stockouts for shelf in structure.shelves)
                timeline = dataclasses.replace(timeline, stockouts=stockouts)
            if i == 0 and structure.rolling is not None:
                timeline = dataclasses.replace(timeline, deferrals=structure.rolling.deferrals)
            if i == 0 and structure.networks:
                hours = [node.rule.hours_until(horizon_hours) for node in structure.networks]
                timeline = dataclasses.replace(timeline, network_hours=np.array(hours))
            timelines[i].append(timeline)
    return [timelines[j] for j in same]


def block_changes(scenario: Scenario, block, seed: int, reps: np.ndarray, horizon_hours: float):
    """The changes of `block` alone (a block of `scenario.service`), simulated online.

    The fast engine runs its warm and cold blocks, whose members age by the block's
    use of them, through this: the same nodes, rules and streams as a whole run.

    Returns
    -------
    (rep, t, up, cause) : arrays of int64 (position in `reps`), float64 hours, bool, int32,
    sorted by replication and time.
    """
    structure = compile_structure(dataclasses.replace(scenario, service=block), seed)
    output = structure.outputs[0]
    rep: list[int] = []
    t: list[float] = []
    up: list[bool] = []
    cause: list[int] = []
    for pos in _replications(structure, reps, horizon_hours):
        for change in output.changes:
            rep.append(pos)
            t.append(change.t)
            up.append(change.up)
            cause.append(change.cause)
    return (
        np.asarray(rep, np.int64),
        np.asarray(t, np.float64),
        np.asarray(up, bool),
        np.asarray(cause, np.int32),
    )

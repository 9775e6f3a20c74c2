"""One batch of replications: simulate, then measure each replication against the SLA.

A batch is a range of replications; its output is small (figures per replication and
window, not events) and a pure function of (scenario, seed, replications, horizon,
engine), so batches may run anywhere in any order. Of the outage timelines only the
batch's `WORST_KEPT` worst are kept (for the timeline plot); any other replication's
timeline can be simulated again on its own from its address (`Result.timeline`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simulation.model.scenario import Scenario
from simulation.model.timeline import Timeline

#: Replications per unit of work sent to a worker (does not change any number).
BATCH_SIZE = 200

#: Timelines kept per batch, and per run: the worst replications by counted downtime.
WORST_KEPT = 5


@dataclass(frozen=True)
class BatchOutput:
    """Figures of the replications of one batch (rows = replications).

    Attributes
    ----------
    batch : int
        Index of the batch's first replication.
    downtime_hours, outages : ndarray, shape (r,)
        Raw system downtime and number of outages of each replication.
    window_breach : ndarray of bool, shape (r, w)
        Breach of each SLA window (w = 0 when the scenario has no SLA).
    window_flat, window_downtime_min, window_availability : ndarray, shape (k,)
        The windows with counted downtime (or availability below 1), sparse: flat
        index ``row * w + window`` (rows = the batch's replications, ascending), counted
        downtime (minutes) and availability. Every other window has no counted
        downtime and availability 1: most windows of a highly available service, so
        memory follows the troubled windows, not replications x windows. The credit is
        ``sla.credit_for(availability)``.
    attribution_min : ndarray, shape (instances,)
        Counted downtime (SLA rules applied; raw downtime without an SLA) by cause.
    breach_cause : ndarray of int64, shape (instances,)
        Breached windows by main cause: the instance that caused most of a breached
        window's counted downtime.
    worst : tuple of (int, Timeline)
        The `WORST_KEPT` replications with the most counted downtime (raw downtime
        without an SLA), worst first (ties: lower replication first), with their
        timelines.
    window_service_min : ndarray, shape (k,)
        Service minutes each stored window's availability is taken over
        (`WindowFigures.service_min`: the window's own, or for a sliding window those of
        its worst trailing window).
    support : SupportBatch or None
        Support-desk figures, when the scenario has a desk.
    stockouts : ndarray of int64, shape (r,)
        Repairs that found their spare pool empty, per replication.
    network_hours : ndarray, shape (r, blocks, 2), or None
        Each network block's hours disconnected and beyond its latency bound, per
        replication (`Timeline.network_hours`); None without network blocks.
    sites : tuple of BatchOutput
        With per-site network sources: the same figures of the service seen from each
        customer site (`simulation.model.network.sites_of` order), measured alike.
    """

    batch: int
    downtime_hours: np.ndarray
    outages: np.ndarray
    window_breach: np.ndarray
    window_flat: np.ndarray
    window_downtime_min: np.ndarray
    window_availability: np.ndarray
    window_service_min: np.ndarray
    attribution_min: np.ndarray
    breach_cause: np.ndarray
    worst: tuple[tuple[int, Timeline], ...]
    support: object = None
    stockouts: np.ndarray | None = None
    network_hours: np.ndarray | None = None
    sites: tuple = ()


def simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float, engine: str) -> list[Timeline]:
    """The timelines of replications `reps` from `engine` (``"des"`` or ``"fast"``)."""
    if engine == "fast":
        from simulation.engine.fast import simulate
    elif engine == "des":
        from simulation.engine.des import simulate
    else:
        raise ValueError(f"unknown engine {engine!r}; expected 'des' or 'fast'")
    return simulate(scenario, seed, reps, horizon_hours)


def simulate_outputs(
    scenario: Scenario, seed: int, reps: range, horizon_hours: float, engine: str
) -> list[list[Timeline]]:
    """The timelines of the service and of each customer site (`simulate_outputs` of the
    engines: ``[service, site 1, ...]``), from one run of `engine`."""
    if engine == "fast":
        from simulation.engine.fast import simulate_outputs
    elif engine == "des":
        from simulation.engine.des import simulate_outputs
    else:
        raise ValueError(f"unknown engine {engine!r}; expected 'des' or 'fast'")
    return simulate_outputs(scenario, seed, reps, horizon_hours)


def run_batches(
    scenario: Scenario, seed: int, plan: list[range], horizon_hours: float, engine: str
) -> list[BatchOutput]:
    """Simulate the batches of `plan` (consecutive ranges of replications) with `engine`
    and measure each; the whole plan is one call of the engine."""
    reps = range(plan[0].start, plan[-1].stop)
    timelines, *sites = simulate_outputs(scenario, seed, reps, horizon_hours, engine)
    meter = None
    if scenario.sla is not None:
        from simulation.measure import SlaMeter

        meter = SlaMeter(scenario.sla, scenario.calendar, horizon_hours)
    desk = None
    if scenario.support is not None:
        from simulation.support import SupportMeter

        desk = SupportMeter(scenario, seed, horizon_hours)
    first = reps.start
    out = []
    for b in plan:
        part = slice(b.start - first, b.stop - first)
        output = _measure(scenario, meter, b.start, timelines[part], desk)
        if sites:  # each site measured as the service is
            measured = tuple(_measure(scenario, meter, b.start, site[part]) for site in sites)
            output = dataclasses.replace(output, sites=measured)
        out.append(output)
    return out


def worst_replications(counted: np.ndarray, k: int = WORST_KEPT) -> np.ndarray:
    """Positions of the `k` largest of `counted`, largest first, ties by position."""
    order = np.lexsort((np.arange(counted.size), -counted))
    return order[:k]


def _measure(scenario: Scenario, meter, batch: int, timelines: list[Timeline], desk=None) -> BatchOutput:
    size = len(timelines)
    n_inst = len(scenario.instances)
    attribution = np.zeros(n_inst)
    breach_cause = np.zeros(n_inst, dtype=np.int64)
    downtime = np.array([t.downtime_hours for t in timelines])
    if meter is not None:
        figures = [meter.measure(t) for t in timelines]
        w_down = np.array([f.downtime_min for f in figures]).reshape(size, -1)
        w_avail = np.array([f.availability for f in figures]).reshape(size, -1)
        w_breach = np.array([f.breach for f in figures], dtype=bool).reshape(size, -1)
        w_service = np.array([f.service_min for f in figures]).reshape(size, -1)
        for f in figures:
            np.add.at(attribution, f.attribution.cause, f.attribution.minutes)
            main = f.attribution.window_cause[f.breach]
            np.add.at(breach_cause, main[main >= 0], 1)
        counted = w_down.sum(axis=1)
        flat = np.flatnonzero((w_down > 0) | (w_avail < 1.0))
        w_down, w_avail, w_service = w_down.ravel()[flat], w_avail.ravel()[flat], w_service.ravel()[flat]
    else:
        flat = np.zeros(0, dtype=np.int64)
        w_down = w_avail = w_service = np.zeros(0)
        w_breach = np.zeros((size, 0), dtype=bool)
        for t in timelines:
            np.add.at(attribution, t.cause, (t.end - t.start) * 60.0)
        counted = downtime
    worst = tuple((batch + int(i), timelines[i]) for i in worst_replications(counted))
    return BatchOutput(
        batch=batch,
        downtime_hours=downtime,
        outages=np.array([t.outage_count for t in timelines]),
        window_breach=w_breach,
        window_flat=flat.astype(np.int64),
        window_downtime_min=w_down,
        window_availability=w_avail,
        window_service_min=w_service,
        attribution_min=attribution,
        breach_cause=breach_cause,
        worst=worst,
        support=None if desk is None else desk.measure(batch, timelines),
        stockouts=np.array([t.stockouts for t in timelines], dtype=np.int64),
        network_hours=(
            None
            if not timelines or timelines[0].network_hours is None
            else np.stack([t.network_hours for t in timelines])
        ),
    )


def batches(replications: int, first: int = 0) -> list[range]:
    """Consecutive ranges of at most `BATCH_SIZE` replications, from replication `first`."""
    return [
        range(a, min(a + BATCH_SIZE, first + replications))
        for a in range(first, first + replications, BATCH_SIZE)
    ]

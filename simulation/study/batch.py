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
from simulation.model.timeline import Timeline, TimelineBatch, demand_cause

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
    attribution_min : ndarray, shape (instances + 1,)
        Counted downtime (SLA rules applied; raw downtime without an SLA) by cause index
        (the instances, then demand: `model.timeline.cause_labels`).
    breach_cause : ndarray of int64, shape (instances + 1,)
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
    deferrals : ndarray of int64, shape (r,)
        Rolling maintenance jobs that could not start when due, per replication.
    shortfall_hours : ndarray, shape (r,)
        Raw system downtime whose cause is a demand change (`model.timeline.DEMAND`),
        per replication.
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
    deferrals: np.ndarray | None = None
    shortfall_hours: np.ndarray | None = None
    network_hours: np.ndarray | None = None
    sites: tuple = ()


def _engine(engine: str):
    """The engine module named `engine` (``"des"`` or ``"fast"``)."""
    if engine == "fast":
        from simulation.engine import fast

        return fast
    if engine == "des":
        from simulation.engine import des

        return des
    raise ValueError(f"unknown engine {engine!r}; expected 'des' or 'fast'")


def _as_batch(timelines, horizon_hours: float) -> TimelineBatch:
    if isinstance(timelines, TimelineBatch):
        return timelines
    return TimelineBatch.from_timelines(timelines, horizon_hours)


def simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float, engine: str) -> TimelineBatch:
    """The timelines of replications `reps` from `engine` (``"des"`` or ``"fast"``), as
    one batch (row i = replication ``reps[i]``)."""
    return _as_batch(_engine(engine).simulate(scenario, seed, reps, horizon_hours), horizon_hours)


def simulate_outputs(
    scenario: Scenario, seed: int, reps: range, horizon_hours: float, engine: str
) -> list[TimelineBatch]:
    """The timelines of the service and of each customer site (`simulate_outputs` of the
    engines: ``[service, site 1, ...]``), from one run of `engine`, each as one batch."""
    outputs = _engine(engine).simulate_outputs(scenario, seed, reps, horizon_hours)
    return [_as_batch(t, horizon_hours) for t in outputs]


def run_batches(
    scenario: Scenario, seed: int, plan: list[range], horizon_hours: float, engine: str
) -> list[BatchOutput]:
    """Simulate the batches of `plan` (consecutive ranges of replications) with `engine`
    and measure them; the whole plan is one call of the engine, each batch one call of
    the meter (so the figures, replications x windows, take a batch's memory at most)."""
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
    outputs = []
    for b in plan:
        part = slice(b.start - first, b.stop - first)
        output = _output(scenario, b.start, timelines[part], _figures(meter, timelines[part]), desk)
        if sites:  # each site measured as the service is
            measured = tuple(
                _output(scenario, b.start, site[part], _figures(meter, site[part])) for site in sites
            )
            output = dataclasses.replace(output, sites=measured)
        outputs.append(output)
    return outputs


def _figures(meter, timelines: TimelineBatch):
    """The meter's `BatchFigures` of `timelines`; None without an SLA (no meter)."""
    return None if meter is None else meter.measure_batch(timelines)


def worst_replications(counted: np.ndarray, k: int = WORST_KEPT) -> np.ndarray:
    """Positions of the `k` largest of `counted`, largest first, ties by position."""
    order = np.lexsort((np.arange(counted.size), -counted))
    return order[:k]


def _output(scenario: Scenario, batch: int, timelines: TimelineBatch, figures, desk=None) -> BatchOutput:
    """The `BatchOutput` of one batch: its timelines and their `BatchFigures` (None
    without an SLA)."""
    size = len(timelines)
    n_inst = len(scenario.instances)
    downtime = timelines.downtime_hours
    if figures is not None:
        w_down, w_avail, w_breach, w_service = (
            figures.downtime_min,
            figures.availability,
            figures.breach,
            figures.service_min,
        )
        # by cause index: the instances, then demand
        attribution = np.bincount(figures.cause, weights=figures.cause_minutes, minlength=n_inst + 1)
        main = figures.window_cause[w_breach]
        breach_cause = np.bincount(main[main >= 0], minlength=n_inst + 1).astype(np.int64)
        counted = w_down.sum(axis=1)
        flat = np.flatnonzero((w_down > 0) | (w_avail < 1.0))
        w_down, w_avail, w_service = w_down.ravel()[flat], w_avail.ravel()[flat], w_service.ravel()[flat]
    else:
        flat = np.zeros(0, dtype=np.int64)
        w_down = w_avail = w_service = np.zeros(0)
        w_breach = np.zeros((size, 0), dtype=bool)
        attribution = np.bincount(
            timelines.cause, weights=(timelines.end - timelines.start) * 60.0, minlength=n_inst + 1
        )
        breach_cause = np.zeros(n_inst + 1, dtype=np.int64)
        counted = downtime
    worst = tuple((batch + int(i), timelines[int(i)]) for i in worst_replications(counted))
    return BatchOutput(
        batch=batch,
        downtime_hours=downtime,
        outages=timelines.outage_count,
        window_breach=w_breach,
        window_flat=flat.astype(np.int64),
        window_downtime_min=w_down,
        window_availability=w_avail,
        window_service_min=w_service,
        attribution_min=attribution.astype(np.float64),
        breach_cause=breach_cause,
        worst=worst,
        support=None if desk is None else desk.measure(batch, timelines),
        stockouts=timelines.stockouts.astype(np.int64),
        deferrals=timelines.deferrals.astype(np.int64),
        shortfall_hours=np.bincount(
            timelines.replication,
            weights=np.where(timelines.cause == demand_cause(n_inst), timelines.end - timelines.start, 0.0),
            minlength=size,
        ),
        network_hours=timelines.network_hours,
    )


def batches(replications: int, first: int = 0) -> list[range]:
    """Consecutive ranges of at most `BATCH_SIZE` replications, from replication `first`."""
    return [
        range(a, min(a + BATCH_SIZE, first + replications))
        for a in range(first, first + replications, BATCH_SIZE)
    ]

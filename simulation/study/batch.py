"""One batch of replications: simulate, then measure each replication against the SLA.

A batch is a range of replications; its output is small (figures per window, not
events) and a pure function of (scenario, seed, replications, horizon, engine), so
batches may run anywhere in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engine.timeline import Timeline
from simulation.model.scenario import Scenario


@dataclass(frozen=True)
class BatchOutput:
    """Figures of the replications of one batch (rows = replications).

    Attributes
    ----------
    batch : int
        Index of the batch's first replication.
    downtime_hours, outages : ndarray, shape (r,)
        Raw system downtime and number of outages of each replication.
    window_downtime_min, window_availability, window_credit, window_breach : ndarray, shape (r, w)
        Counted downtime, availability, credit fraction and breach per SLA window
        (w = 0 when the scenario has no SLA).
    window_service_min : ndarray, shape (r, w)
        Service minutes the availability is taken over (`WindowFigures.service_min`).
    attribution_min : ndarray, shape (instances,)
        Counted downtime (SLA rules applied; raw downtime without an SLA) by cause.
    timelines : list of Timeline
    support : SupportBatch or None
        Support-desk figures, when the scenario has a desk.
    """

    batch: int
    downtime_hours: np.ndarray
    outages: np.ndarray
    window_downtime_min: np.ndarray
    window_availability: np.ndarray
    window_credit: np.ndarray
    window_breach: np.ndarray
    window_service_min: np.ndarray
    attribution_min: np.ndarray
    timelines: list[Timeline]
    support: object = None


def run_batches(
    scenario: Scenario, seed: int, plan: list[range], horizon_hours: float, engine: str
) -> list[BatchOutput]:
    """Simulate the batches of `plan` (consecutive ranges of replications) with `engine`
    and measure each; the whole plan is one call of the engine."""
    reps = range(plan[0].start, plan[-1].stop)
    if engine == "fast":
        from simulation.engine.fast import simulate
    elif engine == "des":
        from simulation.engine.des import simulate
    else:
        raise ValueError(f"unknown engine {engine!r}; expected 'des' or 'fast'")
    timelines = simulate(scenario, seed, reps, horizon_hours)
    meter = None
    if scenario.sla is not None:
        from simulation.measure import SlaMeter

        meter = SlaMeter(scenario.sla, scenario.calendar, horizon_hours)
    desk = None
    if scenario.support is not None:
        from simulation.support import SupportMeter

        desk = SupportMeter(scenario, seed, horizon_hours)
    first = reps.start
    return [
        _measure(scenario, meter, b.start, timelines[b.start - first : b.stop - first], desk) for b in plan
    ]


def _measure(scenario: Scenario, meter, batch: int, timelines: list[Timeline], desk=None) -> BatchOutput:
    size = len(timelines)
    attribution = np.zeros(len(scenario.instances))
    if meter is not None:
        figures = [meter.measure(t) for t in timelines]
        w_down = np.array([f.downtime_min for f in figures]).reshape(size, -1)
        w_avail = np.array([f.availability for f in figures]).reshape(size, -1)
        w_credit = np.array([f.credit for f in figures]).reshape(size, -1)
        w_breach = np.array([f.breach for f in figures], dtype=bool).reshape(size, -1)
        w_service = np.array([f.service_min for f in figures]).reshape(size, -1)
        for f in figures:
            np.add.at(attribution, f.attribution.cause, f.attribution.minutes)
    else:
        w_down = w_avail = w_credit = w_service = np.zeros((size, 0))
        w_breach = np.zeros((size, 0), dtype=bool)
        for t in timelines:
            np.add.at(attribution, t.cause, (t.end - t.start) * 60.0)
    return BatchOutput(
        batch=batch,
        downtime_hours=np.array([t.downtime_hours for t in timelines]),
        outages=np.array([t.outage_count for t in timelines]),
        window_downtime_min=w_down,
        window_availability=w_avail,
        window_credit=w_credit,
        window_breach=w_breach,
        window_service_min=w_service,
        attribution_min=attribution,
        timelines=timelines,
        support=None if desk is None else desk.measure(batch, timelines),
    )

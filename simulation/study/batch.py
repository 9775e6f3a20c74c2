"""One batch of replications: simulate, then measure each replication against the SLA.

A batch is the unit of work sent to a worker process: its output is small (figures
per window, not events), and a pure function of (scenario, seed, batch index, size,
horizon, engine), so batches may run anywhere in any order.
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
    downtime_hours, outages : ndarray, shape (r,)
        Raw system downtime and number of outages of each replication.
    window_downtime_min, window_availability, window_credit : ndarray, shape (r, w)
        Counted downtime, availability and credit fraction per SLA window
        (w = 0 when the scenario has no SLA).
    attribution_min : ndarray, shape (instances,)
        Counted downtime (SLA rules applied; raw downtime without an SLA) by cause.
    timelines : list of Timeline
    """

    batch: int
    downtime_hours: np.ndarray
    outages: np.ndarray
    window_downtime_min: np.ndarray
    window_availability: np.ndarray
    window_credit: np.ndarray
    attribution_min: np.ndarray
    timelines: list[Timeline]


def run_batch(
    scenario: Scenario, seed: int, batch: int, size: int, horizon_hours: float, engine: str
) -> BatchOutput:
    """Simulate batch `batch` of `size` replications with `engine` and measure it."""
    if engine == "des":
        from simulation.engine.des import simulate_batch
    else:
        raise ValueError(f"unknown engine {engine!r}; expected 'des'")
    timelines = simulate_batch(scenario, seed, batch, size, horizon_hours)
    n_inst = len(scenario.instances)
    attribution = np.zeros(n_inst)
    if scenario.sla is not None:
        from simulation.measure import SlaMeter

        meter = SlaMeter(scenario.sla, scenario.calendar, horizon_hours)
        figures = [meter.measure(t) for t in timelines]
        w_down = np.array([f.downtime_min for f in figures]).reshape(size, -1)
        w_avail = np.array([f.availability for f in figures]).reshape(size, -1)
        w_credit = np.array([f.credit for f in figures]).reshape(size, -1)
        for f in figures:
            np.add.at(attribution, f.attribution_cause, f.attribution_min)
    else:
        w_down = w_avail = w_credit = np.zeros((size, 0))
        for t in timelines:
            np.add.at(attribution, t.cause, (t.end - t.start) * 60.0)
    return BatchOutput(
        batch=batch,
        downtime_hours=np.array([t.downtime_hours for t in timelines]),
        outages=np.array([t.outage_count for t in timelines]),
        window_downtime_min=w_down,
        window_availability=w_avail,
        window_credit=w_credit,
        attribution_min=attribution,
        timelines=timelines,
    )

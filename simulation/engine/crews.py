"""Repair crews and spare pools in the SimPy engine: per-replication resources.

A part whose component type names a crew (`ComponentType.crew`) and/or a spare pool
(`ComponentType.spares`) is repaired in these steps, each waiting for the one before:

1. **Spare** (pool given): take a part from the shelf, or wait for the next delivery.
   Each part taken orders a replacement, which arrives after the pool's `lead_time`.
   A repair that finds the shelf empty counts as one stock-out.
2. **Technician** (crew given): take a free technician of the crew, or wait in the
   crew's queue (`priority`, see `criticality_ranks`).
3. **Shift**: work may start at ``next_open`` of the crew's hours (`model.shifts`).
4. **Response**: the crew's `response` delay (call-out and travel), in wall-clock time
   from that instant.
5. **Repair**: the part's repair time as crew work (`Shifts.work_end`): with
   ``overtime=False`` it pauses at each shift end and resumes at the next shift start
   (a response that ends outside the crew's hours waits for the next shift first).

The technician is held from step 2 until the part is up again (also over the nights of
a repair that pauses), then handed straight to the first waiting repair. Component
types without a crew are repaired at once by nobody in particular, as before.

Random numbers: the j-th repair of a part uses draw j of that part's own repair,
response and lead-time streams (`engine.streams` purposes ``REPAIR``, ``RESPONSE``,
``LEAD_TIME``), whatever the queue does, so crew sizes and queue orders can be
compared with common random numbers and adding a crew never moves the failure draws.
"""

from __future__ import annotations

import heapq

import numpy as np
import simpy

from simulation.model.operations import Crew, SparePool
from simulation.model.scenario import Scenario
from simulation.model.shifts import Shifts
from simulation.model.structure import Leaf


def criticality_ranks(scenario: Scenario) -> dict[str, int]:
    """The queue rank of every instance of `scenario.service` under ``priority: criticality``.

    The rank of an instance is the number of further member losses the blocks above it
    tolerate, added up along its path to the service, the smallest over its paths
    (a shared instance has several): a series tolerates 0, a k-of-n block n - k (with
    a demand profile, n - its peak), a standby or parallel block n - 1, a network block
    0 (any of its members may be on the only path). Rank 0 is an instance whose failure
    alone takes the service down (a single point of failure). A crew serves the lowest
    rank first, then the earliest failure, then the instance order of the scenario.

    Returns
    -------
    dict of instance id to rank (int >= 0).
    """
    ranks: dict[str, int] = {}

    def visit(block, margin: int) -> None:
        if isinstance(block, Leaf):
            ranks[block.instance] = min(ranks.get(block.instance, margin), margin)
            return
        for member in block.members:
            visit(member, margin + block.tolerance)

    visit(scenario.service, 0)
    return ranks


class CrewPool:
    """The technicians of one crew during one replication.

    Parameters
    ----------
    crew : Crew
    shifts : Shifts
        The crew's hours on the scenario's calendar (laid out once, shared by every
        replication).
    """

    __slots__ = ("crew", "shifts", "free", "queue", "seq", "env", "delayed")

    def __init__(self, crew: Crew, shifts: Shifts):
        self.crew, self.shifts = crew, shifts
        #: False when work starts the moment a technician is free (24x7, no response).
        self.delayed = not shifts.always or crew.response is not None
        self.reset(None)

    def reset(self, env: simpy.Environment | None) -> None:
        """Every technician free, nobody waiting: the start of a replication."""
        self.env, self.free, self.queue, self.seq = env, self.crew.size, [], 0

    def take(self, key: tuple) -> simpy.Event | None:
        """A technician for the repair of queue key `key`: None when one is free now,
        else the event that succeeds when one is handed over."""
        if self.free > 0:
            self.free -= 1
            return None
        event = simpy.Event(self.env)
        self.seq += 1
        heapq.heappush(self.queue, (key, self.seq, event))
        return event

    def give_back(self) -> None:
        """A technician is done: to the first waiting repair, else free."""
        if self.queue:
            heapq.heappop(self.queue)[2].succeed()
        else:
            self.free += 1

    def done_at(self, now: float, response: float, work: float) -> float:
        """When a repair of `work` hours, given a technician at `now` and a response
        delay of `response` hours, is done (model hours; `repair_done`)."""
        return float(repair_done(self.shifts, self.crew.overtime, now, response, work))


def repair_done(shifts: Shifts, overtime: bool, now, response, work) -> np.ndarray:
    """When repairs are done (model hours) that get a technician at `now`: work may start
    at ``shifts.next_open(now)``, then the `response` delay (wall-clock hours), then
    `work` hours of crew work (`Shifts.work_end`, pausing at shift ends without
    `overtime`). Arrays broadcast together; ``inf`` where the shifts never open."""
    start = shifts.next_open(now) + response
    ok = np.isfinite(start)
    if ok.all():
        return shifts.work_end(start, work, overtime)
    work = np.broadcast_to(np.asarray(work, np.float64), start.shape)
    done = np.full(start.shape, np.inf)
    done[ok] = shifts.work_end(start[ok], work[ok], overtime)
    return done


class SpareShelf:
    """The spare parts of one pool during one replication, and their deliveries.

    `stockouts` counts the repairs that found the shelf empty.
    """

    __slots__ = ("pool", "stock", "waiting", "env", "stockouts")

    def __init__(self, pool: SparePool):
        self.pool = pool
        self.reset(None)

    def reset(self, env: simpy.Environment | None) -> None:
        self.env, self.stock, self.waiting, self.stockouts = env, self.pool.stock, [], 0

    def take(self, lead_time: float) -> simpy.Event | None:
        """A part for a repair, and the replacement ordered for it (arriving after
        `lead_time` hours): None when one is on the shelf, else the event of the
        delivery that will serve this repair (first come, first served)."""
        self.env.timeout(lead_time).callbacks.append(self._deliver)
        if self.stock > 0:
            self.stock -= 1
            return None
        self.stockouts += 1
        event = simpy.Event(self.env)
        self.waiting.append(event)
        return event

    def _deliver(self, _event) -> None:
        if self.waiting:
            self.waiting.pop(0).succeed()
        else:
            self.stock += 1

"""The output of an engine for one replication: when the service was down, and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Outage kinds (the `kind` column of a Timeline).
UNPLANNED, ANNOUNCED_MAINTENANCE, MAINTENANCE = 0, 1, 2

#: The label of the cause of a capacity shortfall: a demand change that took a block
#: down (its up members could not carry the new demand).
DEMAND = "demand"


def demand_cause(n_instances: int) -> int:
    """The cause index of `DEMAND` in a run of `n_instances` instances: one past the
    last instance (so an array indexed by cause has ``n_instances + 1`` entries)."""
    return n_instances


def cause_labels(instance_ids) -> list[str]:
    """The label of every cause index of a run: its instance ids, then `DEMAND`."""
    return [*instance_ids, DEMAND]


@dataclass(frozen=True)
class Timeline:
    """System outage segments of one replication, sorted by start.

    Segments are half-open ``[start, end)`` in model hours and do not overlap.
    Touching segments (one's end is the next one's start) belong to one outage; a
    new segment starts where the kind or the cause changes.

    Attributes
    ----------
    start, end : ndarray of float64
        Hours from the start of the calendar.
    kind : ndarray of int8
        `UNPLANNED`, `ANNOUNCED_MAINTENANCE` or `MAINTENANCE`.
    cause : ndarray of int32
        Index (into the run's instance ids) of the instance whose failure or
        maintenance took the service down; ``demand_cause(n)`` (= n, the number of
        instances) when a demand change did (`cause_labels` names them all).
    horizon_hours : float
    stockouts : int
        Repairs that found their spare pool empty in the replication (0 without spare
        pools; engine.crews).
    deferrals : int
        Rolling maintenance jobs that could not start when due (0 without rolling
        maintenance; engine.maintenance).
    """

    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    cause: np.ndarray
    horizon_hours: float
    stockouts: int = 0
    deferrals: int = 0

    @classmethod
    def from_lists(cls, start, end, kind, cause, horizon_hours: float) -> Timeline:
        return cls(
            np.asarray(start, dtype=np.float64),
            np.asarray(end, dtype=np.float64),
            np.asarray(kind, dtype=np.int8),
            np.asarray(cause, dtype=np.int32),
            float(horizon_hours),
        )

    @classmethod
    def empty(cls, horizon_hours: float) -> Timeline:
        return cls.from_lists([], [], [], [], horizon_hours)

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def downtime_hours(self) -> float:
        return float(np.sum(self.end - self.start))

    @property
    def outage_count(self) -> int:
        """Number of outages (touching segments count as one)."""
        if not len(self):
            return 0
        return int(1 + np.count_nonzero(self.start[1:] > self.end[:-1]))

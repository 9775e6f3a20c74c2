"""The output of an engine for one replication: when the service was down, and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Outage kinds (the `kind` column of a Timeline).
UNPLANNED, ANNOUNCED_MAINTENANCE, MAINTENANCE = 0, 1, 2


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
        maintenance took the service down.
    horizon_hours : float
    stockouts : int
        Repairs that found their spare pool empty in the replication (0 without spare
        pools; engine.crews).
    network_hours : ndarray of float64, shape (blocks, 2), or None
        For each network block of the service (`simulation.model.network.network_blocks`
        order), the hours of the replication it had no up path (column 0) and it had up
        paths but none within its ``max_latency`` (column 1); None without network blocks.
    """

    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    cause: np.ndarray
    horizon_hours: float
    stockouts: int = 0
    network_hours: np.ndarray | None = None

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

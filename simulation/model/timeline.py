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
    deferrals: int = 0
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
        """Total length of the segments (hours), summed in time order (as
        `TimelineBatch.downtime_hours` sums each replication's, to the last bit)."""
        return float(np.cumsum(self.end - self.start)[-1]) if len(self) else 0.0

    @property
    def outage_count(self) -> int:
        """Number of outages (touching segments count as one)."""
        if not len(self):
            return 0
        return int(1 + np.count_nonzero(self.start[1:] > self.end[:-1]))


@dataclass(frozen=True)
class TimelineBatch:
    """The outage timelines of consecutive replications, as flat arrays.

    Replication ``i`` (0-based within the batch) owns segments
    ``offsets[i]:offsets[i + 1]`` of the flat columns, which are those of `Timeline`
    laid end to end in replication order. Indexing with an int gives that
    replication's `Timeline` (views, no copy); a slice with step 1 gives a batch of
    those replications; iterating gives the Timelines in order, so a batch reads as a
    sequence of Timelines.

    Attributes
    ----------
    start, end : ndarray of float64, shape (n,)
    kind : ndarray of int8, shape (n,)
    cause : ndarray of int32, shape (n,)
        The columns of `Timeline`, all replications' segments laid end to end.
    offsets : ndarray of int64, shape (replications + 1,)
        Non-decreasing, ``offsets[0] == 0`` and ``offsets[-1] == n``.
    horizon_hours : float
    stockouts, deferrals : ndarray of int64, shape (replications,)
        `Timeline.stockouts` and `Timeline.deferrals` per replication.
    network_hours : ndarray of float64, shape (replications, blocks, 2), or None
        `Timeline.network_hours` per replication; None without network blocks.

    Raises
    ------
    ValueError
        When the columns differ in length or `offsets` is not as above.

    Examples
    --------
    >>> batch = TimelineBatch.from_timelines(
    ...     [Timeline.from_lists([1.0], [2.0], [0], [4], 10.0), Timeline.empty(10.0)], 10.0
    ... )
    >>> len(batch), batch.offsets.tolist(), len(batch[1])
    (2, [0, 1, 1], 0)
    """

    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    cause: np.ndarray
    offsets: np.ndarray
    horizon_hours: float
    stockouts: np.ndarray | None = None
    deferrals: np.ndarray | None = None
    network_hours: np.ndarray | None = None

    def __post_init__(self):
        n = self.start.size
        if not (self.end.size == self.kind.size == self.cause.size == n):
            raise ValueError(
                f"columns of a TimelineBatch differ in length: start {n}, end {self.end.size}, "
                f"kind {self.kind.size}, cause {self.cause.size}"
            )
        o = self.offsets
        if o.ndim != 1 or o.size < 1 or o[0] != 0 or o[-1] != n or np.any(np.diff(o) < 0):
            raise ValueError(f"offsets must rise from 0 to the number of segments ({n}), got {o!r}")
        for name in ("stockouts", "deferrals"):
            counts = getattr(self, name)
            if counts is None:
                object.__setattr__(self, name, np.zeros(o.size - 1, dtype=np.int64))
            elif counts.shape != (o.size - 1,):
                raise ValueError(f"{name} must have one entry per replication ({o.size - 1})")
        if self.network_hours is not None and self.network_hours.shape[:1] != (o.size - 1,):
            raise ValueError(f"network_hours must have one row per replication ({o.size - 1})")

    @classmethod
    def from_timelines(cls, timelines, horizon_hours: float | None = None) -> TimelineBatch:
        """The batch of a sequence of Timelines (in order); `horizon_hours` defaults to
        the first one's, and is required for an empty sequence."""
        timelines = list(timelines)
        if horizon_hours is None:
            if not timelines:
                raise ValueError("horizon_hours is required for a batch of no replication")
            horizon_hours = timelines[0].horizon_hours
        sizes = np.array([len(t) for t in timelines], dtype=np.int64)

        def column(name, dtype):
            if not timelines:
                return np.zeros(0, dtype=dtype)
            return np.concatenate([getattr(t, name) for t in timelines]).astype(dtype, copy=False)

        return cls(
            column("start", np.float64),
            column("end", np.float64),
            column("kind", np.int8),
            column("cause", np.int32),
            np.r_[0, np.cumsum(sizes)].astype(np.int64),
            float(horizon_hours),
            np.array([t.stockouts for t in timelines], dtype=np.int64),
            np.array([t.deferrals for t in timelines], dtype=np.int64),
            None
            if not timelines or timelines[0].network_hours is None
            else np.stack([t.network_hours for t in timelines]),
        )

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    def __getitem__(self, index):
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("a TimelineBatch is sliced with step 1 only")
            stop = max(stop, first)
            a, b = int(self.offsets[first]), int(self.offsets[stop])
            return TimelineBatch(
                self.start[a:b],
                self.end[a:b],
                self.kind[a:b],
                self.cause[a:b],
                self.offsets[first : stop + 1] - a,
                self.horizon_hours,
                self.stockouts[first:stop],
                self.deferrals[first:stop],
                None if self.network_hours is None else self.network_hours[first:stop],
            )
        i = range(len(self))[index]  # raises IndexError, reads negative indices
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return Timeline(
            self.start[a:b],
            self.end[a:b],
            self.kind[a:b],
            self.cause[a:b],
            self.horizon_hours,
            int(self.stockouts[i]),
            int(self.deferrals[i]),
            None if self.network_hours is None else self.network_hours[i],
        )

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def replication(self) -> np.ndarray:
        """The replication (0-based within the batch) of each segment, int64, shape (n,)."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))

    @property
    def downtime_hours(self) -> np.ndarray:
        """`Timeline.downtime_hours` of each replication, float64, shape (replications,)."""
        return np.bincount(self.replication, weights=self.end - self.start, minlength=len(self)).astype(
            np.float64
        )

    @property
    def outage_count(self) -> np.ndarray:
        """`Timeline.outage_count` of each replication, int64, shape (replications,)."""
        has = self.offsets[1:] > self.offsets[:-1]
        heads = self.offsets[:-1][has]
        new = np.zeros(self.start.size, dtype=np.int64)
        new[1:] = self.start[1:] > self.end[:-1]
        new[heads] = 1  # a replication's first segment begins an outage
        out = np.zeros(len(self), dtype=np.int64)
        if heads.size:
            out[has] = np.add.reduceat(new, heads)
        return out

"""Per-window measurement of one replication's outages, as the contract measures them.

A `SlaMeter` is built once per run: it lays out the windows and the service periods
(the model-time intervals of the contract's service hours, cut at window boundaries
so that each lies in one window). `SlaMeter.measure` then turns one `Timeline` into
`WindowFigures` with array operations only; it runs once per replication.

The rules, in the order they apply:

1. Segments of an excluded kind are removed (``"announced_maintenance"`` removes
   announced maintenance, ``"maintenance"`` all maintenance).
2. The remaining segments that touch (one's end is the next one's start) form one
   outage, whatever their causes. An outage shorter than `SLA.min_outage_hours` is
   not counted at all; it is judged on its whole length, not on its part in one
   window or in service hours.
3. What is left is cut to the service periods. Without an interval rule the counted
   downtime is the time cut out. With `SLA.interval`, cells of ``length_hours`` are
   laid from the start of each service period (the last one cut at the period's end,
   so a cell's length is its part inside service hours), and a cell counts whole or
   not at all: ``"any"`` when it is down for a positive time, ``"majority"`` for more
   than half of its length, ``DownOver(share)`` for more than that share of it,
   ``"whole"`` only when it is down for all of its length.
4. Window availability = 1 - counted downtime / service time (1.0 for a window
   without service time); breach = availability < target; credit from the tiers.

Excluded time has two readings (`SLA.excluded_time`). ``"count_as_up"`` (the default):
excluded segments are dropped in step 1 and their time stays in the service time, so
it counts as up. ``"remove_from_service"``: excluded time is not service time either,
availability = (service - excluded - down) / (service - excluded). The meter then
takes each replication's service periods minus its excluded segments (so the service
time of a window, `WindowFigures.service_min`, depends on the replication): interval
cells are laid from the start of each remaining period, and a sliding window's S(t) is
the service time left in the trailing window.

A sliding window (`Sliding`, L hours) is measured on the same counted downtime, but
the service periods are not cut at month boundaries (interval cells run on across
them) and each reported month gets:

- availability: the lowest trailing availability A(t) = 1 - D(t) / S(t) over every
  instant t of the month, both ends included, where D(t) and S(t) are the counted
  downtime and the service time in ``[t - L, t)`` (A = 1 where S(t) = 0);
- downtime_min and service_min: D and S of the trailing window where that lowest
  value is reached (the earliest such instant);
- breach and credit from that availability, as for any window.

D and S are piecewise linear in t, with breakpoints at the edges of counted downtime
and of service periods and at those edges shifted by L; between two breakpoints A is
a ratio of two linear functions and so monotone, so its lowest value in a month is
reached at a breakpoint or at the month's ends. The meter evaluates A exactly there;
where S vanishes at a breakpoint, D/S is constant on the adjacent interval and its
other end carries the value. Attribution for a sliding window is the counted
downtime by cause over the time the reported trailing windows cover (from L hours
before the first reported month to the end of the last).

Times closer than `EPS_HOURS` (3.6 microseconds) are treated as equal, so that
float rounding cannot turn an outage of exactly half a cell into a majority, nor
split two touching segments into two outages. Availability is rounded to 12
decimals so that a window exactly at a target such as 0.999 compares equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.measure.windows import EPS_HOURS, Windows, window_bounds
from simulation.model.calendar import Calendar
from simulation.model.shifts import covered_length
from simulation.model.sla import SLA, Sliding
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, Timeline

#: `SLA.exclude` names and the Timeline kinds each one removes.
EXCLUDED_KINDS = {
    "announced_maintenance": (ANNOUNCED_MAINTENANCE,),
    "maintenance": (ANNOUNCED_MAINTENANCE, MAINTENANCE),
}

_AVAILABILITY_DECIMALS = 12


@dataclass(frozen=True)
class Attribution:
    """Counted downtime per cause, summed over all windows.

    Attributes
    ----------
    cause : ndarray of int32
        Instance indices (as in `Timeline.cause`), ascending, each once.
    minutes : ndarray of float64
        Counted downtime minutes attributed to each cause; sums to the total
        counted downtime.
    window_cause : ndarray of int32, shape (windows,)
        Per window, the cause of most of its counted downtime (ties within EPS_HOURS: the lower
        instance index); -1 for a window without counted downtime.
    """

    cause: np.ndarray
    minutes: np.ndarray
    window_cause: np.ndarray


@dataclass(frozen=True)
class WindowFigures:
    """The SLA figures of one replication, one entry per window.

    Attributes
    ----------
    downtime_min : ndarray of float64
        Counted downtime (minutes).
    availability : ndarray of float64
        1 - downtime_min / service_min; 1.0 where service_min is 0.
    breach : ndarray of bool
        availability < target.
    credit : ndarray of float64
        Credit as a fraction of the fee (`SLA.credit_for`).
    attribution : Attribution
    service_min : ndarray of float64
        Service minutes the availability is taken over: the window's (equal to
        `SlaMeter.service_min`), or for a sliding window those of the trailing window
        where the month's lowest availability is reached (as is `downtime_min`).
    """

    downtime_min: np.ndarray
    availability: np.ndarray
    breach: np.ndarray
    credit: np.ndarray
    attribution: Attribution
    service_min: np.ndarray


class SlaMeter:
    """Measures timelines against one SLA, calendar and horizon.

    Parameters
    ----------
    sla : SLA
    calendar : Calendar
    horizon_hours : float

    Attributes
    ----------
    windows : Windows
        The complete windows measured (for a sliding window, the reported months).
    period_start, period_end : ndarray of float64
        Service periods (model hours), sorted, each inside one window; for a
        sliding window, over the whole horizon and not cut at months.
    period_window : ndarray of intp
        Index of the window of each service period (for a sliding window, of the
        reported month in which it begins; -1 before the first).
    service_min : ndarray of float64
        Service minutes per window (for a sliding window, of the reported month
        itself; the trailing windows' are in `WindowFigures.service_min`).

    Examples
    --------
    >>> import datetime as dt
    >>> cal = Calendar(dt.date(2027, 1, 1), "UTC")
    >>> meter = SlaMeter(SLA(target=0.999), cal, 744.0)
    >>> figures = meter.measure(Timeline.from_lists([10.0], [11.0], [0], [3], 744.0))
    >>> figures.downtime_min.tolist(), figures.breach.tolist()
    ([60.0], [True])
    """

    def __init__(self, sla: SLA, calendar: Calendar, horizon_hours: float):
        unknown = set(sla.exclude) - set(EXCLUDED_KINDS)
        if unknown:
            raise ValueError(f"SLA exclude {sorted(unknown)} not in {sorted(EXCLUDED_KINDS)}")
        if sla.interval is not None and not sla.interval.length_hours > 0:
            raise ValueError(f"interval length ({sla.interval.length_hours} h) must be > 0")
        self._down_over = None if sla.interval is None else sla.interval.down_over  # validates the rule
        self.sla = sla
        self.calendar = calendar
        self.horizon_hours = float(horizon_hours)
        self.windows: Windows = window_bounds(sla.window, calendar, horizon_hours)
        self._excluded_kinds = np.array(
            sorted({k for name in sla.exclude for k in EXCLUDED_KINDS[name]}), dtype=np.int8
        )
        self._sliding_hours = float(sla.window.hours) if isinstance(sla.window, Sliding) else None
        self._remove_excluded = sla.excluded_time == "remove_from_service" and self._excluded_kinds.size > 0
        if self._sliding_hours is None:
            self.period_start, self.period_end, self.period_window = self._service_periods()
            self.service_min = np.bincount(
                self.period_window,
                weights=(self.period_end - self.period_start) * 60.0,
                minlength=len(self.windows),
            ).astype(np.float64)
        else:
            self.period_start, self.period_end, self.period_window = self._sliding_service_periods()
            w = self.windows
            self.service_min = 60.0 * (
                covered_length(self.period_start, self.period_end, w.end)
                - covered_length(self.period_start, self.period_end, w.start)
            )

    def __repr__(self) -> str:
        return (
            f"SlaMeter(target={self.sla.target}, window={self.sla.window_label!r}, "
            f"windows={len(self.windows)}, service={self.sla.service_hours.name!r})"
        )

    def _service_periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = self.windows
        schedule = self.sla.service_hours
        if schedule.is_always:
            return w.start.copy(), w.end.copy(), np.arange(len(w), dtype=np.intp)
        starts, ends, index = [], [], []
        for i, (a, b) in enumerate(zip(w.start.tolist(), w.end.tolist(), strict=True)):
            # One call per window: the schedule clips to [a, b), which cuts a period
            # running over a window boundary into one part per window.
            for s, e in schedule.intervals(self.calendar, a, b):
                starts.append(s)
                ends.append(e)
                index.append(i)
        return (
            np.asarray(starts, dtype=np.float64),
            np.asarray(ends, dtype=np.float64),
            np.asarray(index, dtype=np.intp),
        )

    def _sliding_service_periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Service periods over ``[0, horizon)``, merged, not cut at month boundaries."""
        schedule = self.sla.service_hours
        if schedule.is_always:
            pairs = [(0.0, self.horizon_hours)] if self.horizon_hours > 0 else []
        else:
            pairs = schedule.intervals(self.calendar, 0.0, self.horizon_hours)
        start = np.asarray([p[0] for p in pairs], dtype=np.float64)
        end = np.asarray([p[1] for p in pairs], dtype=np.float64)
        month = np.searchsorted(self.windows.start, start, side="right").astype(np.intp) - 1
        return start, end, month

    def table(self):
        """The windows as a DataFrame: label, local start and end, service minutes."""
        import pandas as pd

        local = self.calendar.local
        return pd.DataFrame(
            {
                "window": self.windows.labels,
                "start": [local(h) for h in self.windows.start.tolist()],
                "end": [local(h) for h in self.windows.end.tolist()],
                "service_min": self.service_min,
            }
        )

    # -- measurement ------------------------------------------------------------

    def counted_segments(self, timeline: Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Segments left after exclusions and `min_outage`: ``(start, end, cause)``."""
        start, end, cause = timeline.start, timeline.end, timeline.cause
        if self._excluded_kinds.size and start.size:
            keep = ~np.isin(timeline.kind, self._excluded_kinds)
            start, end, cause = start[keep], end[keep], cause[keep]
        if self.sla.min_outage_hours > 0 and start.size:
            # An outage is a maximal run of touching segments.
            new = np.ones(start.size, dtype=bool)
            new[1:] = start[1:] > end[:-1] + EPS_HOURS
            outage = np.cumsum(new) - 1
            first = np.flatnonzero(new)
            last = np.r_[first[1:] - 1, start.size - 1]
            length = end[last] - start[first]
            long_enough = length >= self.sla.min_outage_hours - EPS_HOURS
            keep = long_enough[outage]
            start, end, cause = start[keep], end[keep], cause[keep]
        return start, end, cause

    def service_periods(self, timeline: Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The service periods a timeline is measured on: ``(start, end, window)``.

        `period_start`, `period_end` and `period_window`, except with
        ``excluded_time="remove_from_service"``, where the timeline's excluded segments
        are cut out of them (a period split by one becomes two).
        """
        if not self._remove_excluded:
            return self.period_start, self.period_end, self.period_window
        excluded = np.isin(timeline.kind, self._excluded_kinds)
        if not excluded.any():
            return self.period_start, self.period_end, self.period_window
        # The gaps between excluded segments, intersected with the service periods; a
        # piece keeps the index of the period it comes from.
        gap_start = np.r_[-np.inf, timeline.end[excluded]]
        gap_end = np.r_[timeline.start[excluded], np.inf]
        index = np.arange(self.period_start.size, dtype=np.int32)
        a, b, period, _ = _intersect(self.period_start, self.period_end, index, gap_start, gap_end)
        return a, b, self.period_window[period]

    def counted_downtime(
        self, timeline: Timeline, periods: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Counted downtime as intervals: ``(start, end, cause, period)``, in time order.

        The pieces of the counted segments inside service periods, or with an
        interval rule the counted cells (each with the cause most down in it).
        `period` indexes `periods` (default: ``service_periods(timeline)``).
        """
        ps, pe, _ = self.service_periods(timeline) if periods is None else periods
        start, end, cause = self.counted_segments(timeline)
        a, b, c, period = _intersect(start, end, cause, ps, pe)
        if self.sla.interval is None:
            return a, b, c, period
        return self._cells(a, b, c, period, ps, pe)

    def measure(self, timeline: Timeline) -> WindowFigures:
        """The per-window figures and downtime attribution of one timeline."""
        periods = self.service_periods(timeline)
        ps, pe, pw = periods
        a, b, c, period = self.counted_downtime(timeline, periods)
        n = len(self.windows)
        if self._sliding_hours is not None:
            downtime_min, service_min, availability = self._sliding(a, b, ps, pe)
            lo = self.windows.start[0] - self._sliding_hours if n else 0.0
            hi = self.windows.end[-1] if n else 0.0
            minutes = (np.clip(b, lo, hi) - np.clip(a, lo, hi)) * 60.0
            attribution = self._sliding_attribution(a, b, c, minutes)
        else:
            minutes = (b - a) * 60.0
            downtime_min = np.bincount(pw[period], weights=minutes, minlength=n)
            downtime_min = downtime_min.astype(np.float64)
            attribution = _by_cause(c, minutes, pw[period], n)
            service_min = self.service_min
            if pw is not self.period_window:  # this replication's service time, without its excluded time
                service_min = np.bincount(pw, weights=(pe - ps) * 60.0, minlength=n).astype(np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                availability = np.where(
                    service_min > 0, 1.0 - downtime_min / np.where(service_min > 0, service_min, 1.0), 1.0
                )
            availability = np.round(availability, _AVAILABILITY_DECIMALS)
        return WindowFigures(
            downtime_min=downtime_min,
            availability=availability,
            breach=availability < self.sla.target,
            credit=np.asarray(self.sla.credit_for(availability), dtype=np.float64).reshape(n),
            attribution=attribution,
            service_min=service_min,
        )

    def _sliding_attribution(self, a, b, c, minutes) -> Attribution:
        """Counted minutes by cause over the reported trailing windows; a month's main
        cause is the one with most counted downtime in ``[month start - length, month end)``,
        the time its trailing windows cover."""
        keep = minutes > 0
        total = _by_cause(c[keep], minutes[keep], np.zeros(int(keep.sum()), dtype=np.int64), 1)
        w, n = self.windows, len(self.windows)
        lo = np.asarray(w.start)[:, None] - self._sliding_hours
        hi = np.asarray(w.end)[:, None]
        reach = (np.clip(b[None, :], lo, hi) - np.clip(a[None, :], lo, hi)) * 60.0  # (months, pieces)
        month, piece = np.nonzero(reach > 0)
        main = _by_cause(c[piece], reach[month, piece], month, n).window_cause
        return Attribution(total.cause, total.minutes, main)

    def _sliding(self, a: np.ndarray, b: np.ndarray, ps: np.ndarray, pe: np.ndarray):
        """Per reported month: D and S (minutes) of the worst trailing window, and its availability.

        Parameters
        ----------
        a, b : ndarray of float64
            Counted downtime intervals, sorted and disjoint.
        ps, pe : ndarray of float64
            Service periods, sorted and disjoint.

        Returns
        -------
        downtime_min, service_min, availability : ndarray of float64, shape (months,)
        """
        w, length = self.windows, self._sliding_hours
        n = len(w)
        if not n:
            return np.empty(0), np.empty(0), np.empty(0)
        first, last = w.start[0], w.end[-1]
        if a.size:  # touching intervals (adjacent cells) as one: fewer breakpoints, same D(t)
            new = np.r_[True, a[1:] > b[:-1] + EPS_HOURS]
            a, b = a[new], b[np.r_[np.flatnonzero(new)[1:] - 1, a.size - 1]]
        # Breakpoints of D(t) and S(t): every edge and every edge + L, and the months' ends.
        edges = np.concatenate([a, b, ps, pe])
        t = np.concatenate([edges, edges + length, w.start, w.end])
        t = np.unique(t[(t >= first) & (t <= last)])
        down = covered_length(a, b, t) - covered_length(a, b, t - length)
        service = covered_length(ps, pe, t) - covered_length(ps, pe, t - length)
        with np.errstate(divide="ignore", invalid="ignore"):
            avail = np.where(
                service > EPS_HOURS, 1.0 - down / np.where(service > EPS_HOURS, service, 1.0), 1.0
            )
        avail = np.round(avail, _AVAILABILITY_DECIMALS)
        # Each month takes the breakpoints from its start to its end, both included.
        lo = np.searchsorted(t, w.start, side="left")
        hi = np.searchsorted(t, w.end, side="right")
        count = hi - lo
        month = np.repeat(np.arange(n), count)
        index = np.repeat(lo, count) + (np.arange(month.size) - np.repeat(np.cumsum(count) - count, count))
        values = avail[index]
        heads = np.cumsum(count) - count
        lowest = np.minimum.reduceat(values, heads)
        at_lowest = np.flatnonzero(values == lowest[month])
        _, first_hit = np.unique(month[at_lowest], return_index=True)
        worst = index[at_lowest[first_hit]]  # earliest instant of each month's lowest value
        return down[worst] * 60.0, service[worst] * 60.0, lowest

    def _cells(self, a, b, c, period, period_start, period_end):
        """Counted interval cells, in time order: ``(start, end, cause, period)``.

        Parameters
        ----------
        a, b, c, period : ndarray
            Down pieces inside service periods: start, end, cause, period index.
        period_start, period_end : ndarray of float64
            The service periods `period` indexes.
        """
        length = self.sla.interval.length_hours
        ps, pe = period_start[period], period_end[period]
        n_cells = np.maximum(np.ceil((pe - ps) / length - EPS_HOURS / length), 1).astype(np.int64)
        k0 = np.clip(np.floor((a - ps) / length), 0, n_cells - 1).astype(np.int64)
        k1 = np.clip(np.ceil((b - ps) / length) - 1, 0, n_cells - 1).astype(np.int64)
        k1 = np.maximum(k0, k1)
        # One row per (piece, cell it touches); a piece touches few cells unless the
        # outage is long compared with the cell.
        count = k1 - k0 + 1
        piece = np.repeat(np.arange(a.size), count)
        offset = np.arange(piece.size) - np.repeat(np.cumsum(count) - count, count)
        k = k0[piece] + offset
        cell_a = ps[piece] + k * length
        cell_b = np.minimum(ps[piece] + (k + 1) * length, pe[piece])
        down = np.minimum(b[piece], cell_b) - np.maximum(a[piece], cell_a)
        touched = down > EPS_HOURS
        piece, k, cell_a, cell_b, down = (x[touched] for x in (piece, k, cell_a, cell_b, down))
        cell_period = period[piece]
        cause = c[piece]
        first_down = np.maximum(a[piece], cell_a)
        # Group by cell (period, k); rows are already in time order, and cells of
        # different periods do not interleave, so a change of (period, k) starts a cell.
        new_cell = np.ones(piece.size, dtype=bool)
        new_cell[1:] = (cell_period[1:] != cell_period[:-1]) | (k[1:] != k[:-1])
        cell_id = np.cumsum(new_cell) - 1
        head = np.flatnonzero(new_cell)
        down_in_cell = np.bincount(cell_id, weights=down, minlength=head.size)
        cell_hours = cell_b[head] - cell_a[head]
        if self._down_over is None:  # "whole"
            counted = down_in_cell >= cell_hours - EPS_HOURS
        else:
            counted = down_in_cell > self._down_over * cell_hours + EPS_HOURS
        # The cause of a cell: most down time in it; a tie goes to the cause that went
        # down first in the cell.
        order = np.lexsort((first_down, cause, cell_id))
        cid, cz, fd, dn = cell_id[order], cause[order], first_down[order], down[order]
        new_pair = np.ones(cid.size, dtype=bool)
        new_pair[1:] = (cid[1:] != cid[:-1]) | (cz[1:] != cz[:-1])
        pair_head = np.flatnonzero(new_pair)
        pair_down = np.add.reduceat(dn, pair_head) if pair_head.size else dn[:0]
        pair_cell, pair_cause, pair_first = cid[pair_head], cz[pair_head], fd[pair_head]
        # Down times equal within EPS_HOURS are a tie (float sums differ in the last bit).
        best = np.lexsort((pair_first, -np.round(pair_down / EPS_HOURS), pair_cell))
        best = best[np.r_[True, pair_cell[best][1:] != pair_cell[best][:-1]]] if best.size else best
        cell_cause = pair_cause[best]  # one per cell, in cell order
        return (
            cell_a[head][counted],
            cell_b[head][counted],
            cell_cause[counted].astype(np.int32),
            cell_period[head][counted],
        )


def _intersect(start, end, cause, period_start, period_end):
    """Pieces of segments inside periods (both sorted, disjoint, half-open).

    Returns
    -------
    a, b : ndarray of float64
        Start and end of each piece, in time order.
    c : ndarray of int32
        Cause of the segment each piece comes from.
    period : ndarray of intp
        Period each piece lies in.
    """
    lo = np.searchsorted(period_end, start, side="right")  # first period ending after start
    hi = np.searchsorted(period_start, end, side="left")  # first period starting at/after end
    count = np.maximum(hi - lo, 0)
    seg = np.repeat(np.arange(start.size), count)
    period = np.repeat(lo, count) + (np.arange(seg.size) - np.repeat(np.cumsum(count) - count, count))
    a = np.maximum(start[seg], period_start[period])
    b = np.minimum(end[seg], period_end[period])
    keep = b - a > EPS_HOURS
    return a[keep], b[keep], cause[seg][keep].astype(np.int32), period[keep].astype(np.intp)


def _by_cause(cause: np.ndarray, minutes: np.ndarray, window: np.ndarray, n_windows: int) -> Attribution:
    """Counted minutes by cause, and each window's main cause (pieces: cause, minutes, window)."""
    main = np.full(n_windows, -1, dtype=np.int32)
    if not cause.size:
        return Attribution(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64), main)
    causes, inverse = np.unique(cause, return_inverse=True)
    pairs, pair_of = np.unique(
        np.asarray(window, dtype=np.int64) * causes.size + inverse, return_inverse=True
    )
    pair_min = np.bincount(pair_of, weights=minutes)
    pair_window, pair_cause = pairs // causes.size, pairs % causes.size
    # Per window, most minutes first; minutes equal within EPS_HOURS are a tie (float
    # sums differ in the last bit), which goes to the lower instance index.
    best = np.lexsort((pair_cause, -np.round(pair_min / (60.0 * EPS_HOURS)), pair_window))
    head = best[np.r_[True, pair_window[best][1:] != pair_window[best][:-1]]]
    head = head[pair_min[head] > 0]
    main[pair_window[head]] = causes[pair_cause[head]]
    return Attribution(
        causes.astype(np.int32), np.bincount(inverse, weights=minutes).astype(np.float64), main
    )

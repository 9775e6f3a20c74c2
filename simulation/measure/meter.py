"""Per-window measurement of replications' outages, as the contract measures them.

A `SlaMeter` is built once per run: it lays out the windows and the service periods
(the model-time intervals of the contract's service hours, cut at window boundaries
so that each lies in one window). `SlaMeter.measure_batch` then turns a
`TimelineBatch` (many replications' segments laid end to end) into `BatchFigures`, one
row per replication, in one pass of array operations over all the segments: every
step below keys its groups by replication too, so that touching segments, outages,
interval cells and sliding breakpoints never run across two replications, and every
sum runs in the order it would for the replication alone. A row is therefore the
figures of that replication measured on its own, to the last bit; `SlaMeter.measure`
(one `Timeline`, `WindowFigures`) is the batch of one.

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
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, Timeline, TimelineBatch

#: `SLA.exclude` names and the Timeline kinds each one removes.
EXCLUDED_KINDS = {
    "announced_maintenance": (ANNOUNCED_MAINTENANCE,),
    "maintenance": (ANNOUNCED_MAINTENANCE, MAINTENANCE),
}

_AVAILABILITY_DECIMALS = 12

#: Margin (hours) around a counted interval's reach when the sliding breakpoints near
#: it are taken: far above the rounding of t - L (taking more is harmless).
_NEAR_HOURS = 1e-6


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
    >>> batch = TimelineBatch.from_timelines([Timeline.from_lists([10.0], [11.0], [0], [3], 744.0)] * 2)
    >>> meter.measure_batch(batch).downtime_min.tolist()
    [[60.0], [60.0]]
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

    def measure(self, timeline: Timeline) -> WindowFigures:
        """The per-window figures and downtime attribution of one timeline
        (`measure_batch` of a batch of one)."""
        return self.measure_batch(_batch_of(timeline))[0]

    def measure_batch(self, batch: TimelineBatch) -> BatchFigures:
        """The per-window figures and downtime attribution of every replication of a batch.

        One pass of array operations over all the batch's segments: a replication's
        figures are those `measure` gives for its timeline alone, to the last bit
        (touching segments, outages and interval cells never run across two
        replications).

        Parameters
        ----------
        batch : TimelineBatch
            R replications; the meter's own horizon applies.

        Returns
        -------
        BatchFigures
            Rows = the batch's replications, columns = `windows`.
        """
        reps, n = len(batch), len(self.windows)
        segment_rep = batch.replication
        periods = self._periods(batch, segment_rep)
        rep, a, b, c, period = self._counted_downtime(batch, segment_rep, periods)
        if self._sliding_hours is not None:
            downtime_min, service_min, availability = self._sliding(rep, a, b, periods, reps)
            lo = self.windows.start[0] - self._sliding_hours if n else 0.0
            hi = self.windows.end[-1] if n else 0.0
            minutes = (np.clip(b, lo, hi) - np.clip(a, lo, hi)) * 60.0
            attribution = self._sliding_attribution(rep, a, b, c, minutes, reps)
        else:
            minutes = (b - a) * 60.0
            window = periods.window[period]
            downtime_min = np.bincount(rep * n + window, weights=minutes, minlength=reps * n)
            downtime_min = downtime_min.astype(np.float64).reshape(reps, n)
            attribution = _by_cause(rep, c, minutes, window, reps, n)
            service_min = periods.service_min
            with np.errstate(divide="ignore", invalid="ignore"):
                availability = np.where(
                    service_min > 0, 1.0 - downtime_min / np.where(service_min > 0, service_min, 1.0), 1.0
                )
            availability = np.round(availability, _AVAILABILITY_DECIMALS)
        cause_rep, cause, cause_min, window_cause = attribution
        return BatchFigures(
            downtime_min=downtime_min,
            availability=availability,
            breach=availability < self.sla.target,
            credit=np.asarray(self.sla.credit_for(availability), dtype=np.float64).reshape(reps, n),
            service_min=service_min,
            window_cause=window_cause,
            cause_replication=cause_rep,
            cause=cause,
            cause_minutes=cause_min,
        )

    def counted_segments(self, timeline: Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Segments left after exclusions and `min_outage`: ``(start, end, cause)``."""
        batch = _batch_of(timeline)
        _, start, end, cause = self._counted_segments(batch, batch.replication)
        return start, end, cause

    def service_periods(self, timeline: Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The service periods a timeline is measured on: ``(start, end, window)``.

        `period_start`, `period_end` and `period_window`, except with
        ``excluded_time="remove_from_service"``, where the timeline's excluded segments
        are cut out of them (a period split by one becomes two).
        """
        batch = _batch_of(timeline)
        p = self._periods(batch, batch.replication)
        return p.start, p.end, p.window

    def counted_downtime(self, timeline: Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Counted downtime as intervals: ``(start, end, cause, period)``, in time order.

        The pieces of the counted segments inside service periods, or with an
        interval rule the counted cells (each with the cause most down in it).
        `period` indexes ``service_periods(timeline)``.
        """
        batch = _batch_of(timeline)
        segment_rep = batch.replication
        _, a, b, c, period = self._counted_downtime(batch, segment_rep, self._periods(batch, segment_rep))
        return a, b, c, period

    # -- the steps of a batch, in order -----------------------------------------

    def _counted_segments(self, batch: TimelineBatch, rep: np.ndarray):
        """Segments left after exclusions and `min_outage`: ``(rep, start, end, cause)``."""
        start, end, cause = batch.start, batch.end, batch.cause
        if self._excluded_kinds.size and start.size:
            keep = ~np.isin(batch.kind, self._excluded_kinds)
            rep, start, end, cause = rep[keep], start[keep], end[keep], cause[keep]
        if self.sla.min_outage_hours > 0 and start.size:
            # An outage is a maximal run of touching segments of one replication.
            new = np.ones(start.size, dtype=bool)
            new[1:] = (start[1:] > end[:-1] + EPS_HOURS) | (rep[1:] != rep[:-1])
            outage = np.cumsum(new) - 1
            first = np.flatnonzero(new)
            last = np.r_[first[1:] - 1, start.size - 1]
            length = end[last] - start[first]
            long_enough = length >= self.sla.min_outage_hours - EPS_HOURS
            keep = long_enough[outage]
            rep, start, end, cause = rep[keep], start[keep], end[keep], cause[keep]
        return rep, start, end, cause

    def _periods(self, batch: TimelineBatch, segment_rep: np.ndarray) -> _Periods:
        """The service periods of each replication of `batch` (`service_periods`)."""
        reps, n = len(batch), len(self.windows)
        shared = _Periods(self.period_start, self.period_end, self.period_window, None)
        if self._sliding_hours is None:
            shared.service_min = np.tile(self.service_min, (reps, 1))
        if not self._remove_excluded:
            return shared
        excluded = np.isin(batch.kind, self._excluded_kinds)
        if not excluded.any():
            return shared
        # The gaps between each replication's excluded segments, -inf to its first one,
        # its last one to +inf; a replication without any has the one gap (-inf, inf).
        ex_rep = segment_rep[excluded]
        per_rep = np.bincount(ex_rep, minlength=reps)
        head = np.r_[0, np.cumsum(per_rep + 1)[:-1]]  # each replication's first gap
        gap_rep = np.repeat(np.arange(reps, dtype=np.int64), per_rep + 1)
        gap_start = np.full(gap_rep.size, -np.inf)
        gap_end = np.full(gap_rep.size, np.inf)
        inner_start = np.ones(gap_rep.size, dtype=bool)
        inner_start[head] = False
        gap_start[inner_start] = batch.end[excluded]
        inner_end = np.ones(gap_rep.size, dtype=bool)
        inner_end[head + per_rep] = False
        gap_end[inner_end] = batch.start[excluded]
        # Each gap cut to the service periods; a piece keeps its period's window.
        gap, period, a, b = _pieces(gap_start, gap_end, self.period_start, self.period_end)
        rep = gap_rep[gap]
        keep = (b - a > EPS_HOURS) | (per_rep[rep] == 0)  # untouched periods stay as they are
        rep, a, b, period = rep[keep], a[keep], b[keep], period[keep]
        window = self.period_window[period]
        out = _Periods(a, b, window, rep)
        if self._sliding_hours is None:
            service = np.bincount(rep * n + window, weights=(b - a) * 60.0, minlength=reps * n)
            out.service_min = service.astype(np.float64).reshape(reps, n)
        return out

    def _counted_downtime(self, batch: TimelineBatch, segment_rep: np.ndarray, periods: _Periods):
        """Counted downtime ``(rep, start, end, cause, period)`` in (replication, time)
        order; `period` indexes `periods`."""
        rep, start, end, cause = self._counted_segments(batch, segment_rep)
        if periods.rep is None:
            seg, period, a, b = _pieces(start, end, periods.start, periods.end)
        else:
            lo = _grouped_searchsorted(periods.rep, periods.end, rep, start, "right")
            hi = _grouped_searchsorted(periods.rep, periods.start, rep, end, "left")
            seg, period, a, b = _pieces(start, end, periods.start, periods.end, lo, hi)
        rep, c = rep[seg], cause[seg].astype(np.int32)
        if self.sla.interval is None:
            return rep, a, b, c, period
        return self._cells(rep, a, b, c, period, periods.start, periods.end)

    def _cells(self, rep, a, b, c, period, period_start, period_end):
        """Counted interval cells, in (replication, time) order: ``(rep, start, end, cause, period)``.

        Parameters
        ----------
        rep, a, b, c, period : ndarray
            Down pieces inside service periods: replication, start, end, cause, period index.
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
        cell_rep = rep[piece]
        cause = c[piece]
        first_down = np.maximum(a[piece], cell_a)
        # Group by cell (replication, period, k); rows are already in that order, so a
        # change of any of the three starts a cell (two replications may share periods).
        new_cell = np.ones(piece.size, dtype=bool)
        new_cell[1:] = (
            (cell_period[1:] != cell_period[:-1]) | (k[1:] != k[:-1]) | (cell_rep[1:] != cell_rep[:-1])
        )
        cell_id = np.cumsum(new_cell) - 1
        head = np.flatnonzero(new_cell)
        down_in_cell = np.bincount(cell_id, weights=down, minlength=head.size)
        cell_hours = cell_b[head] - cell_a[head]
        if self._down_over is None:  # "whole"
            counted = down_in_cell >= cell_hours - EPS_HOURS
        else:
            counted = down_in_cell > self._down_over * cell_hours + EPS_HOURS
        # The cause of a cell: most down time in it; a tie goes to the cause that went
        # down first in the cell. A cell of one piece has that piece's cause; only
        # cells of several pieces are sorted.
        cell_cause = cause[head]
        several = np.diff(np.r_[head, piece.size]) > 1
        if several.any():
            rows = several[cell_id]
            cid, cz, fd, dn = cell_id[rows], cause[rows], first_down[rows], down[rows]
            order = np.lexsort((fd, cz, cid))
            cid, cz, fd, dn = cid[order], cz[order], fd[order], dn[order]
            new_pair = np.ones(cid.size, dtype=bool)
            new_pair[1:] = (cid[1:] != cid[:-1]) | (cz[1:] != cz[:-1])
            pair_head = np.flatnonzero(new_pair)
            pair_down = np.add.reduceat(dn, pair_head)
            pair_cell, pair_cause, pair_first = cid[pair_head], cz[pair_head], fd[pair_head]
            # Down times equal within EPS_HOURS are a tie (float sums differ in the last bit).
            best = np.lexsort((pair_first, -np.round(pair_down / EPS_HOURS), pair_cell))
            best = best[np.r_[True, pair_cell[best][1:] != pair_cell[best][:-1]]]
            cell_cause[several] = pair_cause[best]  # one per cell, in cell order
        return (
            cell_rep[head][counted],
            cell_a[head][counted],
            cell_b[head][counted],
            cell_cause[counted].astype(np.int32),
            cell_period[head][counted],
        )

    def _sliding(self, rep, a, b, periods: _Periods, reps: int):
        """Per replication and reported month: D and S (minutes) of the worst trailing
        window, and its availability.

        Parameters
        ----------
        rep, a, b : ndarray
            Counted downtime intervals: replication, start, end; in (replication, time)
            order, disjoint within a replication.
        periods : _Periods
            Service periods, sorted and disjoint (within each replication).
        reps : int

        Returns
        -------
        downtime_min, service_min, availability : ndarray of float64, shape (reps, months)
        """
        w, length = self.windows, self._sliding_hours
        n = len(w)
        if not n:
            return (np.empty((reps, 0)),) * 3
        first, last = w.start[0], w.end[-1]
        if a.size:  # touching intervals (adjacent cells) as one: fewer breakpoints, same D(t)
            new = np.r_[True, (a[1:] > b[:-1] + EPS_HOURS) | (rep[1:] != rep[:-1])]
            a, b, rep = a[new], b[np.r_[np.flatnonzero(new)[1:] - 1, a.size - 1]], rep[new]
        # Breakpoints of D(t) and S(t) in each replication: every edge and every edge + L,
        # and the months' ends.
        if periods.rep is None:
            t_rep, t, service = self._shared_breakpoints(rep, a, b, reps)
        else:
            months = np.concatenate([w.start, w.end])
            edges = np.concatenate([a, b, periods.start, periods.end])
            edge_rep = np.concatenate([rep, rep, periods.rep, periods.rep])
            every = np.arange(reps, dtype=np.int64)
            t_rep = np.r_[edge_rep, edge_rep, np.repeat(every, months.size)]
            t = np.r_[edges, edges + length, np.tile(months, reps)]
            inside = (t >= first) & (t <= last)
            t_rep, t = _distinct(t_rep[inside], t[inside])
            ps, pe, pr = periods.start, periods.end, periods.rep
            service = _covered(pr, ps, pe, t_rep, t) - _covered(pr, ps, pe, t_rep, t - length)
        down = _covered(rep, a, b, t_rep, t) - _covered(rep, a, b, t_rep, t - length)
        with np.errstate(divide="ignore", invalid="ignore"):
            avail = np.where(
                service > EPS_HOURS, 1.0 - down / np.where(service > EPS_HOURS, service, 1.0), 1.0
            )
        avail = np.round(avail, _AVAILABILITY_DECIMALS)
        # Each (replication, month) takes its breakpoints from the month's start to its
        # end, both included (the start is one, so no group is empty).
        q_rep = np.repeat(np.arange(reps, dtype=np.int64), n)
        lo = _grouped_searchsorted(t_rep, t, q_rep, np.tile(w.start, reps), "left")
        hi = _grouped_searchsorted(t_rep, t, q_rep, np.tile(w.end, reps), "right")
        count = hi - lo
        group = np.repeat(np.arange(reps * n), count)
        heads = np.cumsum(count) - count
        index = np.repeat(lo, count) + (np.arange(group.size) - np.repeat(heads, count))
        values = avail[index]
        lowest = np.minimum.reduceat(values, heads)
        at_lowest = np.flatnonzero(values == lowest[group])
        _, first_hit = np.unique(group[at_lowest], return_index=True)
        worst = index[at_lowest[first_hit]]  # earliest instant of each month's lowest value
        shape = (reps, n)
        return (
            (down[worst] * 60.0).reshape(shape),
            (service[worst] * 60.0).reshape(shape),
            lowest.reshape(shape),
        )

    def _shared_breakpoints(self, rep, a, b, reps: int):
        """The breakpoints of each replication where its lowest trailing availability
        per month can be reached, with shared service periods: ``(rep, t, S(t))``
        sorted by (replication, time).

        Every breakpoint of the service periods and the months is one of every
        replication, but where the trailing window holds none of a replication's
        counted downtime, D(t) is exactly 0 and A(t) exactly 1, the highest value. So a
        replication takes only those near its own downtime (within ``[a - NEAR,
        b + L + NEAR]`` of a counted interval ``[a, b)``, NEAR absorbing the rounding
        of t - L) and each month's start: a month's lowest value and its earliest
        instant are unchanged (a month without any downtime reads A = 1 at its start).
        """
        w, length = self.windows, self._sliding_hours
        first, last = w.start[0], w.end[-1]
        ps, pe = self.period_start, self.period_end
        edges = np.concatenate([ps, pe])
        common = np.concatenate([edges, edges + length, w.start, w.end])
        common = np.unique(common[(common >= first) & (common <= last)])
        common_service = covered_length(ps, pe, common) - covered_length(ps, pe, common - length)
        # Ranges of `common` per replication: near each counted interval, and each
        # month's start; sorted by (replication, first index), then made disjoint.
        n = len(w)
        at_start = np.searchsorted(common, w.start)
        every = np.arange(reps, dtype=np.int64)
        r_rep = np.r_[rep, np.repeat(every, n)]
        r_lo = np.r_[np.searchsorted(common, a - _NEAR_HOURS, side="left"), np.tile(at_start, reps)]
        r_hi = np.r_[
            np.searchsorted(common, b + length + _NEAR_HOURS, side="right"), np.tile(at_start + 1, reps)
        ]
        order = np.lexsort((r_lo, r_rep))
        r_rep, r_lo, r_hi = r_rep[order], r_lo[order], r_hi[order]
        span = np.int64(common.size + 1)
        reach = (
            np.maximum.accumulate(r_rep * span + r_hi) - r_rep * span
        )  # furthest end so far, per replication
        r_lo[1:] = np.where(r_rep[1:] == r_rep[:-1], np.maximum(r_lo[1:], reach[:-1]), r_lo[1:])
        count = np.maximum(r_hi - r_lo, 0)
        heads = np.cumsum(count) - count
        index = np.repeat(r_lo, count) + (np.arange(int(count.sum())) - np.repeat(heads, count))
        c_rep, c_t, c_service = np.repeat(r_rep, count), common[index], common_service[index]
        # The replication's own edges (counted downtime, and those edges + L), merged in.
        o_rep = np.tile(rep, 4)
        o_t = np.concatenate([a, b, a + length, b + length])
        inside = (o_t >= first) & (o_t <= last)
        o_rep, o_t = o_rep[inside], o_t[inside]
        order = np.lexsort((o_t, o_rep))
        o_rep, o_t = o_rep[order], o_t[order]
        o_service = covered_length(ps, pe, o_t) - covered_length(ps, pe, o_t - length)
        at = np.searchsorted(_keys(c_rep, c_t), _keys(o_rep, o_t))
        t_rep, t = np.insert(c_rep, at, o_rep), np.insert(c_t, at, o_t)
        service = np.insert(c_service, at, o_service)
        distinct = _starts_of_runs(t_rep, t)
        return t_rep[distinct], t[distinct], service[distinct]

    def _sliding_attribution(self, rep, a, b, c, minutes, reps: int):
        """Counted minutes by cause over the reported trailing windows; a month's main
        cause is the one with most counted downtime in ``[month start - length, month end)``,
        the time its trailing windows cover."""
        keep = minutes > 0
        n = len(self.windows)
        no_window = np.zeros(int(keep.sum()), dtype=np.int64)
        total = _by_cause(rep[keep], c[keep], minutes[keep], no_window, reps, 1)
        w = self.windows
        lo = np.asarray(w.start)[:, None] - self._sliding_hours
        hi = np.asarray(w.end)[:, None]
        reach = (np.clip(b[None, :], lo, hi) - np.clip(a[None, :], lo, hi)) * 60.0  # (months, pieces)
        month, piece = np.nonzero(reach > 0)
        main = _by_cause(rep[piece], c[piece], reach[month, piece], month, reps, n)[3]
        return total[0], total[1], total[2], main


@dataclass
class _Periods:
    """Service periods of the replications of a batch.

    `rep` is None when all replications share the meter's periods; otherwise each row
    is replication ``rep[i]``'s, sorted by (replication, time). `service_min`
    (reps, windows) is set for non-sliding windows.
    """

    start: np.ndarray
    end: np.ndarray
    window: np.ndarray
    rep: np.ndarray | None
    service_min: np.ndarray | None = None


@dataclass(frozen=True)
class BatchFigures:
    """The SLA figures of the replications of a batch: rows = replications, columns = windows.

    Row ``i`` holds what `WindowFigures` holds for the batch's replication ``i``
    (``figures[i]`` is that `WindowFigures`).

    Attributes
    ----------
    downtime_min, availability, credit, service_min : ndarray of float64, shape (reps, windows)
    breach : ndarray of bool, shape (reps, windows)
    window_cause : ndarray of int32, shape (reps, windows)
        `Attribution.window_cause` of each replication.
    cause_replication, cause, cause_minutes : ndarray, shape (k,)
        `Attribution.cause` and `Attribution.minutes` of every replication laid end to
        end, sorted by (replication, cause); `cause_replication` (int64) says whose.
    """

    downtime_min: np.ndarray
    availability: np.ndarray
    breach: np.ndarray
    credit: np.ndarray
    service_min: np.ndarray
    window_cause: np.ndarray
    cause_replication: np.ndarray
    cause: np.ndarray
    cause_minutes: np.ndarray

    def __len__(self) -> int:
        return int(self.downtime_min.shape[0])

    def __getitem__(self, i: int) -> WindowFigures:
        i = range(len(self))[i]
        a, b = np.searchsorted(self.cause_replication, [i, i + 1])
        return WindowFigures(
            downtime_min=self.downtime_min[i],
            availability=self.availability[i],
            breach=self.breach[i],
            credit=self.credit[i],
            attribution=Attribution(self.cause[a:b], self.cause_minutes[a:b], self.window_cause[i]),
            service_min=self.service_min[i],
        )


def _batch_of(timeline: Timeline) -> TimelineBatch:
    return TimelineBatch.from_timelines([timeline], timeline.horizon_hours)


def _pieces(start, end, period_start, period_end, lo=None, hi=None):
    """Pieces of intervals inside periods (both sorted, disjoint, half-open), in order.

    `lo` and `hi` give, per interval, the first period ending after its start and the
    first period starting at or after its end (default: searched in all periods).

    Returns
    -------
    interval, period : ndarray of intp
        The interval and the period of each piece.
    a, b : ndarray of float64
        Start and end of each piece; pieces of EPS_HOURS or less are left out.
    """
    if lo is None:
        lo = np.searchsorted(period_end, start, side="right")
        hi = np.searchsorted(period_start, end, side="left")
    count = np.maximum(hi - lo, 0)
    interval = np.repeat(np.arange(start.size), count)
    period = np.repeat(lo, count) + (np.arange(interval.size) - np.repeat(np.cumsum(count) - count, count))
    a = np.maximum(start[interval], period_start[period])
    b = np.minimum(end[interval], period_end[period])
    keep = b - a > EPS_HOURS
    return interval[keep], period[keep].astype(np.intp), a[keep], b[keep]


def _keys(group, values) -> np.ndarray:
    """(group, value) pairs as complex numbers, which numpy orders lexicographically
    (real part first): exact, no arithmetic on the values."""
    out = np.empty(np.shape(values), dtype=np.complex128)
    out.real = group
    out.imag = values
    return out


def _grouped_searchsorted(group, values, q_group, q_values, side: str) -> np.ndarray:
    """`np.searchsorted` within groups: for each query, the position in `values` (sorted
    by (group, value)) where ``(q_group, q_value)`` would go, by `side`."""
    return np.searchsorted(_keys(group, values), _keys(q_group, q_values), side=side)


def _distinct(group, values):
    """The distinct (group, value) pairs, sorted by group then value."""
    order = np.lexsort((values, group))
    group, values = group[order], values[order]
    keep = _starts_of_runs(group, values)
    return group[keep], values[keep]


def _starts_of_runs(group, values) -> np.ndarray:
    """True where a (group, value) pair differs from the one before (bool, same size)."""
    new = np.ones(values.size, dtype=bool)
    new[1:] = (values[1:] != values[:-1]) | (group[1:] != group[:-1])
    return new


def _covered(rep, start, end, q_rep, x) -> np.ndarray:
    """`covered_length` of each query's own replication: the total length of that
    replication's intervals ``[start, end)`` before each time in `x`.

    The intervals are sorted by (replication, time) and disjoint within one; the sums
    run from zero in each replication, in time order (the floats `covered_length`
    gives on that replication's intervals alone).
    """
    if not start.size:
        return np.zeros_like(x)
    length = end - start
    running = _running_sums(length, rep)
    first = np.searchsorted(rep, q_rep, side="left")  # each query replication's first interval
    i = _grouped_searchsorted(rep, start, q_rep, x, "right")  # its intervals starting at or before x
    has = i > first
    last = np.where(has, i - 1, 0)
    before = np.where(has & (last > first), running[np.maximum(last - 1, 0)], 0.0)
    part = np.where(has, np.clip(x - start[last], 0.0, length[last]), 0.0)
    return before + part


def _running_sums(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """`np.cumsum` of each run of equal `group` (sorted), from zero in each: the same
    floats as one cumsum per group, in one pass per position within a group."""
    out = values.astype(np.float64, copy=True)
    heads = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[heads, group.size])
    by_size = np.argsort(-sizes, kind="stable")
    heads, sizes = heads[by_size], sizes[by_size]
    for j in range(1, int(sizes[0]) if sizes.size else 0):
        at = heads[: np.searchsorted(-sizes, -j, side="left")] + j  # groups longer than j
        out[at] = out[at - 1] + values[at]
    return out


def _by_cause(rep, cause, minutes, window, reps: int, n_windows: int):
    """Counted minutes by (replication, cause), and each (replication, window)'s main cause.

    Parameters
    ----------
    rep, cause, minutes, window : ndarray, shape (k,)
        Counted pieces: replication, cause, minutes, window; in (replication, time) order.

    Returns
    -------
    cause_rep : ndarray of int64
    cause : ndarray of int32
    minutes : ndarray of float64
        Minutes per (replication, cause), sorted by (replication, cause).
    main : ndarray of int32, shape (reps, n_windows)
        The cause of most minutes (-1 where none).
    """
    main = np.full(reps * n_windows, -1, dtype=np.int32)
    if not cause.size:
        return (
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=np.float64),
            main.reshape(reps, n_windows),
        )
    causes, inverse = np.unique(cause, return_inverse=True)
    k = causes.size
    rep = np.asarray(rep, dtype=np.int64)
    totals, total_of = np.unique(rep * k + inverse, return_inverse=True)
    total_min = np.bincount(total_of, weights=minutes).astype(np.float64)
    pairs, pair_of = np.unique(
        (rep * n_windows + np.asarray(window, dtype=np.int64)) * k + inverse, return_inverse=True
    )
    pair_min = np.bincount(pair_of, weights=minutes)
    pair_window, pair_cause = pairs // k, pairs % k
    # Per window, most minutes first; minutes equal within EPS_HOURS are a tie (float
    # sums differ in the last bit), which goes to the lower instance index.
    best = np.lexsort((pair_cause, -np.round(pair_min / (60.0 * EPS_HOURS)), pair_window))
    head = best[np.r_[True, pair_window[best][1:] != pair_window[best][:-1]]]
    head = head[pair_min[head] > 0]
    main[pair_window[head]] = causes[pair_cause[head]]
    return (
        totals // k,
        causes[totals % k].astype(np.int32),
        total_min,
        main.reshape(reps, n_windows),
    )

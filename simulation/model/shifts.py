"""Shift arithmetic: when a crew working a weekly schedule finishes a piece of work.

A crew works the hours of a `WeeklySchedule` (local time of the calendar, holidays
off), which `WeeklySchedule.intervals` turns into model-time intervals exactly as it
does an SLA's service hours: each local period at its own UTC offset, so a shift that
starts at 08:00 on the Sunday the clocks change starts at 08:00 of the new time, and
touching periods (a night shift running past midnight) merge into one.

Given those open intervals, `Shifts` answers the questions a repair process asks:

- `Shifts.next_open`: the first instant at or after t at which the crew works;
- `Shifts.work_end`: when work of w hours that may start at t is done. Work starts at
  ``next_open(t)``. With ``overtime=True`` it then runs to the end without a break
  (end = start + w); with ``overtime=False`` it stops at each shift end and resumes at
  the next shift start, so it ends at the instant the crew has worked w hours of its
  shifts since the start.

All methods take arrays of model times (hours from local midnight of
`Calendar.start`) and work on them with numpy; the intervals are laid out once per
year of model time as queries reach it, so a repair running past the simulated
horizon still gets its exact end.
"""

from __future__ import annotations

import numpy as np

from simulation.model.calendar import Calendar, WeeklySchedule

#: Model time laid out at a time when a query reaches past the intervals known (hours).
_CHUNK_HOURS = 8760.0
#: A schedule without any open interval this far ahead (hours) is never open again.
_LOOKAHEAD_HOURS = 100 * 8760.0


class Shifts:
    """The open intervals of a weekly schedule on a calendar, and arithmetic on them.

    Parameters
    ----------
    schedule : WeeklySchedule
        The crew's hours (`Crew.hours`); `WeeklySchedule.always()` for 24x7.
    calendar : Calendar
    horizon_hours : float, optional
        Model time to lay out at once (more is laid out when a query needs it).

    Examples
    --------
    >>> import datetime as dt
    >>> cal = Calendar(dt.date(2027, 3, 1), "Europe/Amsterdam")  # a Monday
    >>> office = WeeklySchedule("office", (((480, 1080),),) * 5 + ((),) * 2)
    >>> shifts = Shifts(office, cal)
    >>> friday_1755 = cal.hours(dt.datetime(2027, 3, 5, 17, 55))
    >>> cal.local(shifts.work_end(friday_1755, 4.0, overtime=False)[()])
    datetime.datetime(2027, 3, 8, 11, 55)
    >>> cal.local(shifts.work_end(friday_1755, 4.0, overtime=True)[()])
    datetime.datetime(2027, 3, 5, 21, 55)
    """

    def __init__(self, schedule: WeeklySchedule, calendar: Calendar, horizon_hours: float = _CHUNK_HOURS):
        self.schedule = schedule
        self.calendar = calendar
        self.always = schedule.is_always
        self._never = not any(schedule.periods)
        self._start = np.empty(0)
        self._end = np.empty(0)
        self._until = 0.0  # the intervals are known on [0, _until)
        if not (self.always or self._never):
            self._extend(max(float(horizon_hours), _CHUNK_HOURS))

    def __repr__(self) -> str:
        return f"Shifts({self.schedule.name!r}, {self.calendar.timezone!r})"

    def intervals(self, begin: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        """Open intervals ``[start, end)`` within ``[begin, end)``, merged, in model hours.

        Returns
        -------
        start, end : ndarray of float64
            Sorted and disjoint; cut at `begin` and `end`.
        """
        begin, end = max(float(begin), 0.0), float(end)
        if self.always:
            return (np.array([begin]), np.array([end])) if end > begin else (np.empty(0), np.empty(0))
        if not self._never:
            self._extend(end)
        lo = np.searchsorted(self._end, begin, side="right")
        hi = np.searchsorted(self._start, end, side="left")
        return np.maximum(self._start[lo:hi], begin), np.minimum(self._end[lo:hi], end)

    def next_open(self, t) -> np.ndarray:
        """The first instant at or after each `t` at which the crew works.

        Parameters
        ----------
        t : float or array_like of float
            Model hours, >= 0.

        Returns
        -------
        ndarray of float64, shape of `t`
            `t` itself inside an open interval, else the start of the next one;
            ``inf`` for a schedule that has no hours at all (every day closed, or
            holidays for a century ahead).

        Raises
        ------
        ValueError
            For a time that is negative or not finite.
        """
        t = _times(t, "t")
        if self.always:
            return t.copy()
        out = np.full(t.shape, np.inf)
        if self._never or not t.size:
            return out
        self._cover(t)
        i = np.searchsorted(self._end, t, side="right")  # first interval ending after t
        found = i < self._end.size
        out[found] = np.maximum(t[found], self._start[i[found]])
        return out

    def work_end(self, start, work_hours, overtime: bool) -> np.ndarray:
        """When work of `work_hours` that may start at `start` is done.

        Parameters
        ----------
        start : float or array_like of float
            Earliest start of each piece of work (model hours, >= 0), e.g. the end of
            the response delay after a failure.
        work_hours : float or array_like of float
            Hours of work, >= 0; broadcast against `start`.
        overtime : bool
            True: once started (at ``next_open(start)``) the work runs to the end.
            False: it pauses at each shift end and resumes at the next shift start.

        Returns
        -------
        ndarray of float64, the broadcast shape
            End of the work; ``inf`` when the schedule never opens. Work of 0 hours
            ends when it would start, at ``next_open(start)``. Without overtime, work
            that fills the rest of a shift exactly ends at that shift's end, not at the
            next shift's start.

        Raises
        ------
        ValueError
            For a negative or non-finite start or work.
        """
        start = _times(start, "start")
        work = _times(work_hours, "work_hours")
        start, work = np.broadcast_arrays(start, work)
        begin = self.next_open(start)
        if overtime or self.always:
            return begin + work
        out = begin.copy()  # work of 0 ends where it begins; inf stays inf
        todo = np.isfinite(begin) & (work > 0)
        if not todo.any():
            return out
        b, w = begin[todo], work[todo]
        worked_before = self._worked(b)  # open hours in [0, b)
        target = worked_before + w
        # Lay out shifts until the last one that may be needed: the work cannot take
        # longer than `w` hours of open time, so extend until enough open time is known.
        while self._worked_total() < target.max() and self._until < b.max() + _LOOKAHEAD_HOURS:
            self._extend(self._until + _CHUNK_HOURS)
        cum_end = np.cumsum(self._end - self._start)
        j = np.searchsorted(cum_end, target, side="left")  # the shift in which the work ends
        done = np.full(b.shape, np.inf)
        ok = j < cum_end.size
        # Counted back from the shift's end, so that work filling a shift ends exactly there.
        done[ok] = self._end[j[ok]] - (cum_end[j[ok]] - target[ok])
        out[todo] = np.maximum(done, b)
        return out

    # -- internals --------------------------------------------------------------

    def _worked(self, t: np.ndarray) -> np.ndarray:
        """Open hours in ``[0, t)`` (the intervals are known beyond every t)."""
        return covered_length(self._start, self._end, t)

    def _worked_total(self) -> float:
        return float(np.sum(self._end - self._start))

    def _cover(self, t: np.ndarray) -> None:
        """Lay out intervals until each t has a known next interval (or none within the lookahead)."""
        latest = float(t.max())
        self._extend(latest)
        while (not self._end.size or self._end[-1] <= latest) and self._until < latest + _LOOKAHEAD_HOURS:
            self._extend(self._until + _CHUNK_HOURS)

    def _extend(self, until: float) -> None:
        """Know the intervals on ``[0, until)``."""
        if until <= self._until:
            return
        pairs = self.schedule.intervals(self.calendar, self._until, until)
        if not pairs:
            self._until = until
            return
        start = np.fromiter((p[0] for p in pairs), np.float64, len(pairs))
        end = np.fromiter((p[1] for p in pairs), np.float64, len(pairs))
        if self._end.size and start[0] <= self._end[-1]:  # a shift running over the old edge
            self._end[-1] = end[0]
            start, end = start[1:], end[1:]
        self._start = np.r_[self._start, start]
        self._end = np.r_[self._end, end]
        self._until = until


def covered_length(start: np.ndarray, end: np.ndarray, x) -> np.ndarray:
    """Total length (hours) of the intervals ``[start, end)`` before each time in `x`.

    The intervals are sorted and disjoint; the result is continuous and piecewise
    linear in x (the open hours worked before x, the service time before x).
    """
    x = np.asarray(x, dtype=np.float64)
    if not start.size:
        return np.zeros_like(x)
    length = end - start
    before = np.r_[0.0, np.cumsum(length)]
    i = np.searchsorted(start, x, side="right")  # intervals starting at or before x
    last = np.maximum(i - 1, 0)
    part = np.where(i > 0, np.clip(x - start[last], 0.0, length[last]), 0.0)
    return before[last] + part


def _times(value, name: str) -> np.ndarray:
    out = np.asarray(value, dtype=np.float64)
    if out.size and not (np.all(np.isfinite(out)) and np.all(out >= 0)):
        bad = out[~(np.isfinite(out) & (out >= 0))].flat[0]
        raise ValueError(f"{name} must be finite and >= 0 hours, got {bad}")
    return out

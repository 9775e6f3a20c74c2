"""The maintenance calendar: when the jobs of a `MaintenanceRule` start.

A rule's start times are local wall-clock times in the calendar's time zone, turned into
model time by `Calendar.hours` (so by `simulation.model.calendar.local_to_utc`: a time
the clock skips in spring is the instant the clock passes it, a time the clock shows
twice in autumn is its first occurrence). How long each job takes is the rule's
`duration`, drawn by the engine; this module gives only the start times.

Where in its period a recurring job starts (`MaintenanceTime`):

- ``every: day``: each day at the time (``02:00``);
- ``every: week``: each week on the weekday (``sat 23:00``), Monday without one;
- ``every: month | quarter | year``: an ordinal weekday (``first sunday 02:00``) is
  counted within the period, so ``first`` .. ``fourth`` fall in its first month (a
  quarter's first Sunday is the first Sunday of January, April, July or October) and
  ``last`` in its last month (a quarter's last Sunday is in March, June, September or
  December; a year's in December); a day of the month (``15 02:00``) is that day of the
  period's first month, the month's last day when it has fewer days (``31 02:00`` is
  28 February in 2027); with neither, the first day of the period;
- ``every: DURATION`` (e.g. ``2w``, ``36h``): from the time of day (``at``, default
  00:00) on `Calendar.start`; a whole number of days steps on the local calendar (every
  14 days at the same wall-clock time, as ``day`` and ``week`` do), any other duration
  in elapsed hours (``12h`` at 06:00 gives 06:00 and 18:00 in winter, 07:00 and 19:00
  in summer time);
- ``at: [2027-03-06 02:00, ...]`` (no `every`): one job at each listed time.

Only jobs that start within ``[0, horizon)`` are given: a period's job before
`Calendar.start` is not moved into the horizon.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt

import numpy as np

from simulation.model.calendar import Calendar
from simulation.model.operations import ORDINALS, MaintenanceRule, MaintenanceTime

_MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
_DAY_HOURS = 24.0


def job_starts(rule: MaintenanceRule, calendar: Calendar, horizon_hours: float) -> np.ndarray:
    """Start times (model hours) of every job of `rule` that starts in ``[0, horizon_hours)``.

    Parameters
    ----------
    rule : MaintenanceRule
    calendar : Calendar
        Model time 0 is local midnight of `calendar.start`; `at` is local time of
        `calendar.timezone`.
    horizon_hours : float
        End of the simulated time, > 0.

    Returns
    -------
    ndarray of float64
        Sorted, distinct (two listed times that are one instant give one job).

    Raises
    ------
    ValueError
        For a horizon that is not positive and finite.

    Examples
    --------
    >>> from simulation.model.distributions import Deterministic
    >>> cal = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
    >>> rule = MaintenanceRule("patching", ("web-server",), "quarter",
    ...                        MaintenanceTime("last", 6, None, 120), Deterministic(0.75))
    >>> [cal.local(h).strftime("%a %d %b %H:%M") for h in job_starts(rule, cal, 8760.0)]
    ['Sun 28 Mar 03:00', 'Sun 27 Jun 02:00', 'Sun 26 Sep 02:00', 'Sun 26 Dec 02:00']
    """
    horizon_hours = float(horizon_hours)
    if not (0 < horizon_hours < np.inf):
        raise ValueError(f"horizon_hours must be > 0 and finite, got {horizon_hours}")
    if not isinstance(rule.at, MaintenanceTime):
        local = rule.at
    elif isinstance(rule.every, str):
        local = _periodic(rule.every, rule.at, calendar, horizon_hours)
    else:
        return _every_duration(float(rule.every), rule.at.minute, calendar, horizon_hours)
    hours = np.array([calendar.hours(t) for t in local], dtype=np.float64)
    return np.unique(hours[(hours >= 0) & (hours < horizon_hours)])


def _periodic(every: str, at: MaintenanceTime, calendar: Calendar, horizon_hours: float) -> list[dt.datetime]:
    """Local start times of a day/week/month/quarter/year rule, from the period holding the
    start to the one holding the horizon."""
    first, last = calendar.start, calendar.local(horizon_hours).date()
    time = dt.timedelta(minutes=at.minute)
    if every in ("day", "week"):
        step = 1 if every == "day" else 7
        day = first
        if every == "week":  # the job's day in the week (Monday first) that holds the start
            day = first - dt.timedelta(days=first.weekday() - (at.weekday or 0))
        days = []
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=step)
    else:
        months = _MONTHS_PER_PERIOD[every]
        month0 = (first.year * 12 + first.month - 1) // months * months  # months since year 0
        days = []
        while dt.date(month0 // 12, month0 % 12 + 1, 1) <= last:
            days.append(_day_in_period(month0, months, at))
            month0 += months
    return [dt.datetime.combine(d, dt.time()) + time for d in days]


def _day_in_period(month0: int, months: int, at: MaintenanceTime) -> dt.date:
    """The day of a period of `months` months beginning `month0` months after year 0."""
    year, month = month0 // 12, month0 % 12 + 1
    if at.weekday is None:
        length = _gregorian.monthrange(year, month)[1]
        return dt.date(year, month, min(at.day or 1, length))
    if at.ordinal == "last":
        end = month0 + months - 1  # the period's last month
        year, month = end // 12, end % 12 + 1
        last_day = dt.date(year, month, _gregorian.monthrange(year, month)[1])
        return last_day - dt.timedelta(days=(last_day.weekday() - at.weekday) % 7)
    first_day = dt.date(year, month, 1)
    nth = ORDINALS.index(at.ordinal)  # first = 0 .. fourth = 3
    return first_day + dt.timedelta(days=(at.weekday - first_day.weekday()) % 7 + 7 * nth)


def _every_duration(every: float, minute: int, calendar: Calendar, horizon_hours: float) -> np.ndarray:
    """Jobs every `every` hours from `minute` past midnight of the start date."""
    days = every / _DAY_HOURS
    if abs(days - round(days)) < 1e-9:  # whole days: on the local calendar
        step = dt.timedelta(days=round(days))
        last = calendar.local(horizon_hours).date()
        local, day = [], calendar.start
        while day <= last:
            local.append(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute))
            day += step
        hours = np.array([calendar.hours(t) for t in local], dtype=np.float64)
        return hours[hours < horizon_hours]
    first = calendar.hours(dt.datetime.combine(calendar.start, dt.time()) + dt.timedelta(minutes=minute))
    count = max(int(np.ceil((horizon_hours - first) / every)), 0)
    return first + every * np.arange(count, dtype=np.float64)

"""Calendars and weekly schedules: where model time meets local wall-clock time.

Model time is elapsed (physical) hours from local midnight of `Calendar.start` in
`Calendar.timezone`. Anything stated in local time is converted at that instant's
UTC offset, so a 24x7 March in Amsterdam has 743 hours. A local time is read as the
first instant at which the wall clock shows it or a later time (`local_to_utc`): a time
that the clock skips in spring is the instant the clock passes it (02:30 on 28 March
2027 in Amsterdam is 03:00 CEST), and a time that the clock shows twice in autumn is
its first occurrence (02:30 on 31 October 2027 is 02:30 CEST, not CET); the repeated
hour itself is counted twice by anything that spans it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

HOUR = dt.timedelta(hours=1)
_SECOND = dt.timedelta(seconds=1)


def local_to_utc(local: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The instant of a naive local wall-clock time in `tz`, as an aware UTC datetime.

    The reading is the first instant at which the clock shows `local` or a later time:

    - a time that exists once is that instant;
    - a time the clock shows twice (the hour repeated when DST ends) is its first
      occurrence, before the clock is set back (``fold=0``);
    - a time the clock skips (the gap when DST starts) is the instant of the jump,
      when the clock passes it: 02:30 on 28 March 2027 in Europe/Amsterdam is
      03:00 CEST (01:00 UTC). Python's own reading (``fold=0``) would give 03:30.

    Parameters
    ----------
    local : datetime.datetime
        Naive (its ``tzinfo`` and ``fold`` are ignored).
    tz : datetime.tzinfo
        Usually a `zoneinfo.ZoneInfo`.

    Returns
    -------
    datetime.datetime
        Aware, in UTC.

    Examples
    --------
    >>> ams = ZoneInfo("Europe/Amsterdam")
    >>> local_to_utc(dt.datetime(2027, 3, 28, 2, 30), ams).time()  # in the spring gap
    datetime.time(1, 0)
    >>> local_to_utc(dt.datetime(2027, 10, 31, 2, 30), ams).time()  # the first 02:30
    datetime.time(0, 30)
    """
    naive = local.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=tz).astimezone(dt.UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=0 reads the time with the offset before the jump (an instant after
    # it), fold=1 with the offset after (an instant before it). The jump lies between;
    # offsets change on whole seconds, so bisect on seconds.
    before = naive.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    lo, hi = min(before, first), max(before, first)
    offset_after = hi.astimezone(tz).utcoffset()
    steps_lo, steps_hi = 0, int((hi - lo) / _SECOND)
    while steps_hi - steps_lo > 1:  # invariant: lo + steps_lo is before the jump, lo + steps_hi after
        mid = (steps_lo + steps_hi) // 2
        if (lo + mid * _SECOND).astimezone(tz).utcoffset() == offset_after:
            steps_hi = mid
        else:
            steps_lo = mid
    return lo + steps_hi * _SECOND


@dataclass(frozen=True)
class Calendar:
    """The start date and IANA time zone of a scenario."""

    start: dt.date
    timezone: str = "UTC"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def origin_utc(self) -> dt.datetime:
        """Model time 0: local midnight of `start`, as an aware UTC datetime."""
        return self.to_utc(dt.datetime.combine(self.start, dt.time()))

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A naive local datetime as aware UTC, read as `local_to_utc` does."""
        return local_to_utc(local, self.tz)

    def hours(self, local: dt.datetime) -> float:
        """Model time (hours) of a naive local datetime."""
        return (self.to_utc(local) - self.origin_utc) / HOUR

    def local(self, hours: float) -> dt.datetime:
        """Naive local wall-clock datetime at model time `hours`."""
        utc = self.origin_utc + dt.timedelta(hours=float(hours))
        return utc.astimezone(self.tz).replace(tzinfo=None)


@dataclass(frozen=True)
class PublicHolidays:
    """The public holidays of a country (optionally one subdivision), from the `holidays` package.

    Attributes
    ----------
    country : str
        ISO 3166-1 alpha-2 code, e.g. ``NL``.
    subdivision : str or None
        ISO 3166-2 subdivision code as the `holidays` package names it (e.g. ``BY`` for
        Bavaria under ``DE``), or None for the national holidays.
    """

    country: str
    subdivision: str | None = None

    def dates(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        """The holidays of the years `first_year` .. `last_year` (local dates)."""
        return _public_holidays(self.country, self.subdivision, first_year, last_year)


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, first_year: int, last_year: int):
    import holidays  # imported here: only schedules that name a country need it

    table = holidays.country_holidays(country, subdiv=subdivision, years=range(first_year, last_year + 1))
    return frozenset(table)


@dataclass(frozen=True)
class WeeklySchedule:
    """Hours of the week in local time, minus holidays.

    Attributes
    ----------
    name : str
    periods : tuple of tuple
        Seven entries, Monday first; each a tuple of ``(start_min, end_min)`` minutes
        after local midnight, ``0 <= start < end <= 1440``, sorted, not overlapping.
    holidays : frozenset of datetime.date
        Local dates on which the schedule has no hours.
    public_holidays : PublicHolidays or None
        A country's public holidays, also without hours; resolved for the years each
        call of `intervals` covers.
    """

    name: str
    periods: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    public_holidays: PublicHolidays | None = None

    @classmethod
    def always(cls) -> WeeklySchedule:
        """The 24x7 schedule."""
        return cls("24x7", tuple(((0, 1440),) for _ in range(7)))

    @property
    def is_always(self) -> bool:
        return (
            not self.holidays
            and self.public_holidays is None
            and all(p == ((0, 1440),) for p in self.periods)
        )

    def days_off(self, first: dt.date, last: dt.date) -> frozenset[dt.date]:
        """Holidays (explicit and public) from `first` to `last`, both included."""
        if self.public_holidays is None:
            return self.holidays
        public = self.public_holidays.dates(first.year, last.year)
        return self.holidays | {d for d in public if first <= d <= last}

    def intervals(self, calendar: Calendar, begin: float, end: float) -> list[tuple[float, float]]:
        """Model-time intervals [a, b) of this schedule within [begin, end), merged.

        Each local period is converted at its own UTC offset, so a period across a DST
        change is an hour shorter or longer in elapsed time.
        """
        out: list[tuple[float, float]] = []
        day = calendar.local(begin).date() - dt.timedelta(days=1)
        last = calendar.local(end).date() + dt.timedelta(days=1)
        off = self.days_off(day, last)
        while day <= last:
            if day not in off:
                midnight = dt.datetime.combine(day, dt.time())
                for a_min, b_min in self.periods[day.weekday()]:
                    a = calendar.hours(midnight + dt.timedelta(minutes=a_min))
                    b = calendar.hours(midnight + dt.timedelta(minutes=b_min))
                    a, b = max(a, begin), min(b, end)
                    if b > a:
                        if out and a <= out[-1][1]:
                            out[-1] = (out[-1][0], max(out[-1][1], b))
                        else:
                            out.append((a, b))
            day += dt.timedelta(days=1)
        return out

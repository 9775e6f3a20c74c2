"""Calendars and weekly schedules: where model time meets local wall-clock time.

Model time is elapsed (physical) hours from local midnight of `Calendar.start` in
`Calendar.timezone`. Anything stated in local time is converted at that instant's
UTC offset, so a 24x7 March in Amsterdam has 743 hours. A local time inside a DST gap
moves forward (it is read with the offset in force before the gap); an hour repeated
in autumn counts twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

HOUR = dt.timedelta(hours=1)


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
        """A naive local datetime as aware UTC (a time in a DST gap moves forward)."""
        return local.replace(tzinfo=self.tz, fold=0).astimezone(dt.UTC)

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

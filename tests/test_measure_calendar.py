"""Local wall-clock times to model time across DST changes.

The rule: a local time is the first instant at which the clock shows it or a later
time. A time the clock skips in spring is the instant the clock passes it; a time the
clock shows twice in autumn is its first occurrence.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from simulation.measure import SlaMeter
from simulation.model.calendar import Calendar, WeeklySchedule, local_to_utc
from simulation.model.sla import SLA

AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
UTC = dt.UTC


def sundays(start_min: int, end_min: int) -> WeeklySchedule:
    return WeeklySchedule("sunday", tuple(((start_min, end_min),) if d == 6 else () for d in range(7)))


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def day_periods(day: dt.date, hours: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """The service periods of Sunday `day` as UTC instants."""
    a, b = hours.split("-")
    midnight = dt.datetime.combine(day, dt.time())
    begin, end = AMS.hours(midnight - dt.timedelta(hours=6)), AMS.hours(midnight + dt.timedelta(hours=30))
    periods = sundays(hm(a), hm(b)).intervals(AMS, begin, end)
    origin = AMS.origin_utc
    return [(origin + dt.timedelta(hours=s), origin + dt.timedelta(hours=e)) for s, e in periods]


@pytest.mark.parametrize(
    "hours, start_utc, end_utc, elapsed_h",
    [
        # 28 March 2027: the clock jumps from 02:00 CET (01:00 UTC) to 03:00 CEST.
        ("02:30-06:00", utc(2027, 3, 28, 1), utc(2027, 3, 28, 4), 3.0),  # 03:00-06:00 CEST
        ("00:00-02:30", utc(2027, 3, 27, 23), utc(2027, 3, 28, 1), 2.0),  # 00:00 CET-03:00 CEST
        ("02:30-03:15", utc(2027, 3, 28, 1), utc(2027, 3, 28, 1, 15), 0.25),  # 03:00-03:15 CEST
        # 31 October 2027: the clock goes back from 03:00 CEST (01:00 UTC) to 02:00 CET;
        # 02:30 is its first occurrence, 02:30 CEST (00:30 UTC).
        (
            "02:30-06:00",
            utc(2027, 10, 31, 0, 30),
            utc(2027, 10, 31, 5),
            4.5,
        ),  # the repeated hour counts twice
        ("00:00-02:30", utc(2027, 10, 30, 22), utc(2027, 10, 31, 0, 30), 2.5),
        ("02:30-03:15", utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 2, 15), 1.75),  # 02:30 CEST-03:15 CET
    ],
)
def test_service_hours_on_dst_days(hours, start_utc, end_utc, elapsed_h):
    day = dt.date(2027, 3, 28) if start_utc.month == 3 else dt.date(2027, 10, 31)
    (period,) = day_periods(day, hours)
    assert period == (start_utc, end_utc)
    assert (period[1] - period[0]) / dt.timedelta(hours=1) == elapsed_h


def test_a_period_wholly_inside_the_gap_has_no_time():
    """02:00-03:00 on 28 March 2027 is never shown by the clock."""
    assert day_periods(dt.date(2027, 3, 28), "02:00-02:45") == []


def test_service_minutes_of_march_with_sunday_hours_in_the_gap():
    """Sundays 02:30-06:00: 3.5 h on 7, 14 and 21 March, 3 h on 28 March."""
    meter = SlaMeter(SLA(0.999, service_hours=sundays(hm("02:30"), hm("06:00"))), AMS, 8760.0)
    assert meter.service_min[2] == (3 * 3.5 + 3.0) * 60


@pytest.mark.parametrize(
    "zone, local, expected",
    [
        ("Europe/Amsterdam", dt.datetime(2027, 3, 28, 2, 0), utc(2027, 3, 28, 1)),  # the gap's first instant
        ("Europe/Amsterdam", dt.datetime(2027, 3, 28, 2, 59, 59), utc(2027, 3, 28, 1)),  # its last second
        ("Europe/Amsterdam", dt.datetime(2027, 3, 28, 3, 0), utc(2027, 3, 28, 1)),  # the first time after it
        ("Europe/Amsterdam", dt.datetime(2027, 3, 28, 1, 59), utc(2027, 3, 28, 0, 59)),  # before it
        ("Europe/Amsterdam", dt.datetime(2027, 10, 31, 2, 0), utc(2027, 10, 31, 0)),  # first 02:00 (CEST)
        ("Europe/Amsterdam", dt.datetime(2027, 10, 31, 2, 59), utc(2027, 10, 31, 0, 59)),  # first 02:59
        ("Europe/Amsterdam", dt.datetime(2027, 10, 31, 3, 0), utc(2027, 10, 31, 2)),  # 03:00 CET, once
        ("America/Santiago", dt.datetime(2027, 9, 5, 0, 0), utc(2027, 9, 5, 4)),  # midnight is skipped there
        ("Pacific/Apia", dt.datetime(2011, 12, 30, 12, 0), utc(2011, 12, 30, 10)),  # a whole day skipped
    ],
)
def test_local_to_utc(zone, local, expected):
    assert local_to_utc(local, ZoneInfo(zone)) == expected


def test_a_calendar_starting_at_a_skipped_midnight():
    """Model time 0 is the instant the clock passes the start's midnight (01:00 local)."""
    cal = Calendar(dt.date(2027, 9, 5), "America/Santiago")
    assert cal.origin_utc == utc(2027, 9, 5, 4)
    assert cal.local(0.0) == dt.datetime(2027, 9, 5, 1, 0)

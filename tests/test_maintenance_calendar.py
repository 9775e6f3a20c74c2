"""The maintenance calendar: the start times of a rule's jobs, per form of `every` and `at`.

Each expected start is written as a local wall-clock time; the DST cases also as model
hours computed by hand.
"""

import datetime as dt

import numpy as np
import pytest

from simulation.model.calendar import Calendar
from simulation.model.distributions import Deterministic
from simulation.model.maintenance import job_starts
from simulation.model.operations import MaintenanceRule, MaintenanceTime

AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")  # model 0 = 2026-12-31 23:00 UTC
SUN, SAT, TUE = 6, 5, 1


def rule(every, at=MaintenanceTime()) -> MaintenanceRule:
    return MaintenanceRule("job", ("web-server",), every, at, Deterministic(0.75))


def starts(r, cal=AMS, horizon=8760.0) -> list[dt.datetime]:
    """Local start times, to the nearest second."""
    return [
        (cal.local(h) + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        for h in job_starts(r, cal, horizon)
    ]


def dates(*days, hour=2, minute=0, year=2027):
    return [dt.datetime(year, m, d, hour, minute) for m, d in days]


def test_every_month_first_sunday():
    got = starts(rule("month", MaintenanceTime("first", SUN, None, 120)))
    assert got == dates(
        (1, 3), (2, 7), (3, 7), (4, 4), (5, 2), (6, 6), (7, 4), (8, 1), (9, 5), (10, 3), (11, 7), (12, 5)
    )


def test_every_month_last_sunday_across_both_dst_sundays():
    """28 March: 02:00 is skipped, the job starts when the clock passes it (03:00 CEST,
    01:00 UTC, 86 days 2 hours after model 0). 31 October: 02:00 is its first occurrence
    (CEST, 00:00 UTC, 303 days 1 hour after model 0)."""
    r = rule("month", MaintenanceTime("last", SUN, None, 120))
    hours = job_starts(r, AMS, 8760.0)
    assert hours[2] == 86 * 24 + 2
    assert hours[9] == 303 * 24 + 1
    got = starts(r)
    expected = dates(
        (1, 31),
        (2, 28),
        (3, 28),
        (4, 25),
        (5, 30),
        (6, 27),
        (7, 25),
        (8, 29),
        (9, 26),
        (10, 31),
        (11, 28),
        (12, 26),
    )
    expected[2] = dt.datetime(2027, 3, 28, 3, 0)  # the clock shows 03:00 CEST at that instant
    assert got == expected


def test_every_quarter_first_and_last_sunday():
    """Ordinals count within the quarter: first in its first month, last in its last."""
    first = starts(rule("quarter", MaintenanceTime("first", SUN, None, 120)))
    assert first == dates((1, 3), (4, 4), (7, 4), (10, 3))
    last = starts(rule("quarter", MaintenanceTime("last", SUN, None, 120)))
    assert last == [dt.datetime(2027, 3, 28, 3, 0), *dates((6, 27), (9, 26), (12, 26))]


def test_every_year_second_tuesday_over_two_years():
    got = starts(rule("year", MaintenanceTime("second", TUE, None, 180)), horizon=2 * 8760.0)
    assert got == [dt.datetime(2027, 1, 12, 3, 0), dt.datetime(2028, 1, 11, 3, 0)]


def test_day_of_month_and_a_day_beyond_the_months_end():
    assert starts(rule("month", MaintenanceTime(day=15, minute=120)))[:3] == dates((1, 15), (2, 15), (3, 15))
    assert starts(rule("month", MaintenanceTime(day=31, minute=120)))[:4] == dates(
        (1, 31), (2, 28), (3, 31), (4, 30)
    )
    assert starts(rule("quarter", MaintenanceTime(day=15, minute=120))) == dates(
        (1, 15), (4, 15), (7, 15), (10, 15)
    )


def test_every_week_saturday_2300_across_the_dst_weekend():
    """Saturday 27 March 23:00 CET is 26 d 23 h after model 0; the next, 3 April 23:00
    CEST, one hour less than a week later."""
    hours = job_starts(rule("week", MaintenanceTime(weekday=SAT, minute=23 * 60)), AMS, 8760.0)
    assert hours[12] == 85 * 24 + 23  # the 13th Saturday, 27 March (Jan 2 + 12 weeks)
    assert hours[13] - hours[12] == 7 * 24 - 1
    assert starts(rule("week", MaintenanceTime(weekday=SAT, minute=23 * 60)))[:2] == dates(
        (1, 2), (1, 9), hour=23
    )


def test_every_week_without_a_weekday_is_monday():
    assert starts(rule("week", MaintenanceTime(minute=60)))[:2] == dates((1, 4), (1, 11), hour=1)


def test_every_day_through_the_spring_gap():
    cal = Calendar(dt.date(2027, 3, 27), "Europe/Amsterdam")
    got = starts(rule("day", MaintenanceTime(minute=150)), cal, horizon=71.0)
    assert got == [
        dt.datetime(2027, 3, 27, 2, 30),
        dt.datetime(2027, 3, 28, 3, 0),
        dt.datetime(2027, 3, 29, 2, 30),
    ]
    assert np.diff(job_starts(rule("day", MaintenanceTime(minute=150)), cal, 71.0)).tolist() == [23.5, 23.5]


def test_every_whole_days_keeps_the_wall_clock_time():
    cal = Calendar(dt.date(2027, 3, 15), "Europe/Amsterdam")
    hours = job_starts(rule(14 * 24.0, MaintenanceTime(minute=240)), cal, 700.0)
    assert starts(rule(14 * 24.0, MaintenanceTime(minute=240)), cal, 700.0) == dates(
        (3, 15), (3, 29), (4, 12), hour=4
    )
    assert np.diff(hours).tolist() == [335.0, 336.0]


def test_every_other_durations_are_elapsed_hours():
    """12 h from 06:00 CET: 06:00 and 18:00 in winter, 07:00 and 19:00 in summer time."""
    cal = Calendar(dt.date(2027, 3, 27), "Europe/Amsterdam")
    r = rule(12.0, MaintenanceTime(minute=360))
    assert job_starts(r, cal, 48.0).tolist() == [6.0, 18.0, 30.0, 42.0]
    assert starts(r, cal, 48.0) == [
        dt.datetime(2027, 3, 27, 6, 0),
        dt.datetime(2027, 3, 27, 18, 0),
        dt.datetime(2027, 3, 28, 7, 0),
        dt.datetime(2027, 3, 28, 19, 0),
    ]


def test_listed_times_inside_the_horizon():
    listed = MaintenanceRule(
        "one-off",
        ("tor-switch",),
        at=(
            dt.datetime(2027, 9, 4, 2, 0),
            dt.datetime(2026, 12, 5, 2, 0),
            dt.datetime(2027, 3, 6, 2, 0),
            dt.datetime(2028, 3, 4, 2, 0),
        ),
        duration=Deterministic(2.0),
    )
    assert starts(listed) == [dt.datetime(2027, 3, 6, 2, 0), dt.datetime(2027, 9, 4, 2, 0)]


def test_a_start_inside_a_period_drops_the_jobs_before_it():
    cal = Calendar(dt.date(2027, 3, 10), "Europe/Amsterdam")
    assert starts(rule("month", MaintenanceTime("first", SUN, None, 120)), cal, 30 * 24.0) == dates((4, 4))
    assert job_starts(rule("day", MaintenanceTime()), cal, 48.0).tolist() == [0.0, 24.0]  # a job at 0 counts


def test_horizon_must_be_positive():
    with pytest.raises(ValueError, match="horizon_hours must be > 0"):
        job_starts(rule("day"), AMS, 0.0)

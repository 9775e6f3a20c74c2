"""Crew shift arithmetic: when the next shift opens and when a repair is done.

Times are written in local wall-clock time and converted, so each expected figure can
be checked by hand; a few are also given as model hours computed by hand.
"""

import datetime as dt

import numpy as np
import pytest

from simulation.model.calendar import Calendar, PublicHolidays, WeeklySchedule
from simulation.model.operations import Crew
from simulation.model.shifts import Shifts
from simulation.scenario import loads

AMS = Calendar(dt.date(2027, 3, 1), "Europe/Amsterdam")  # a Monday, CET (UTC+1)
OFFICE = (((8 * 60, 18 * 60),),) * 5 + ((),) * 2  # Monday to Friday 08:00-18:00


def office(**kwargs) -> WeeklySchedule:
    return WeeklySchedule("office", OFFICE, **kwargs)


def at(*args, cal=AMS) -> float:
    return cal.hours(dt.datetime(*args))


def local(hours, cal=AMS) -> dt.datetime:
    """Local wall-clock time of model hours, to the nearest second."""
    return (cal.local(float(hours)) + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def test_friday_1755_four_hour_repair_without_overtime_ends_monday_1155():
    """5 minutes on Friday, the other 3 h 55 min from Monday 08:00."""
    shifts = Shifts(office(), AMS)
    end = shifts.work_end(at(2027, 3, 5, 17, 55), 4.0, overtime=False)
    assert end == pytest.approx(7 * 24 + 11 + 55 / 60, abs=1e-9)  # Monday 8 March 11:55 CET
    assert local(end) == dt.datetime(2027, 3, 8, 11, 55)


def test_overtime_runs_on_once_started():
    shifts = Shifts(office(), AMS)
    assert local(shifts.work_end(at(2027, 3, 5, 17, 55), 4.0, overtime=True)) == dt.datetime(
        2027, 3, 5, 21, 55
    )


@pytest.mark.parametrize(
    ("start", "work", "overtime", "end"),
    [
        # Saturday: both wait for Monday 08:00 and fit in the shift
        ((2027, 3, 6, 10, 0), 4.0, False, (2027, 3, 8, 12, 0)),
        ((2027, 3, 6, 10, 0), 4.0, True, (2027, 3, 8, 12, 0)),
        # 12 h from Monday 08:00: on through the evening, or 10 h + 2 h on Tuesday
        ((2027, 3, 8, 8, 0), 12.0, True, (2027, 3, 8, 20, 0)),
        ((2027, 3, 8, 8, 0), 12.0, False, (2027, 3, 9, 10, 0)),
        # 25 h from Thursday 13:00: 5 + 10 + (weekend) 10 hours, 0 left at Monday 18:00
        ((2027, 3, 4, 13, 0), 25.0, False, (2027, 3, 8, 18, 0)),
        # work that fills a shift exactly ends at the shift's end, not at the next start
        ((2027, 3, 8, 8, 0), 10.0, False, (2027, 3, 8, 18, 0)),
        # a start at a shift's end waits for the next shift
        ((2027, 3, 8, 18, 0), 1.0, False, (2027, 3, 9, 9, 0)),
        ((2027, 3, 8, 18, 0), 1.0, True, (2027, 3, 9, 9, 0)),
        # no work: done when the crew could start
        ((2027, 3, 6, 10, 0), 0.0, False, (2027, 3, 8, 8, 0)),
    ],
)
def test_work_end(start, work, overtime, end):
    assert local(Shifts(office(), AMS).work_end(at(*start), work, overtime)) == dt.datetime(*end)


def test_next_open():
    shifts = Shifts(office(), AMS)
    t = np.array([at(2027, 3, 8, 7, 0), at(2027, 3, 8, 9, 30), at(2027, 3, 8, 18, 0), at(2027, 3, 6, 12, 0)])
    got = [local(x) for x in shifts.next_open(t)]
    assert got == [
        dt.datetime(2027, 3, 8, 8, 0),  # before the shift: its start
        dt.datetime(2027, 3, 8, 9, 30),  # inside: itself
        dt.datetime(2027, 3, 9, 8, 0),  # at the end (half-open): the next shift
        dt.datetime(2027, 3, 8, 8, 0),  # weekend: Monday
    ]


def test_vectorised_equals_one_at_a_time():
    rng = np.random.default_rng(3)
    start = rng.uniform(0, 2000, 300)
    work = rng.exponential(6.0, 300)
    shifts = Shifts(office(holidays=frozenset({dt.date(2027, 4, 5)})), AMS)
    for overtime in (False, True):
        together = shifts.work_end(start, work, overtime)
        alone = [Shifts(shifts.schedule, AMS).work_end(s, w, overtime)[()] for s, w in zip(start, work)]
        np.testing.assert_array_equal(together, alone)
        assert np.all(together >= start + work - 1e-9)


def test_without_overtime_the_work_done_equals_open_hours_worked():
    """The end is the instant at which the crew has worked w hours of its shifts."""
    rng = np.random.default_rng(5)
    start = rng.uniform(0, 3000, 200)
    work = rng.exponential(8.0, 200)
    shifts = Shifts(office(), AMS)
    end = shifts.work_end(start, work, overtime=False)
    begin = shifts.next_open(start)
    for b, e, w in zip(begin, end, work):
        s, f = shifts.intervals(b, e)
        assert np.sum(f - s) == pytest.approx(w, abs=1e-9)
        assert shifts.next_open(e - 1e-7) <= e - 1e-7  # it ends inside a shift, not in a gap


def test_explicit_holiday_is_skipped():
    """Monday 8 March off: a Friday-evening repair resumes on Tuesday."""
    shifts = Shifts(office(holidays=frozenset({dt.date(2027, 3, 8)})), AMS)
    assert local(shifts.work_end(at(2027, 3, 5, 17, 55), 4.0, overtime=False)) == dt.datetime(
        2027, 3, 9, 11, 55
    )


def test_kings_day_from_the_holidays_package_is_skipped():
    """King's Day, Tuesday 27 April 2027, is a public holiday in the Netherlands."""
    nl = Shifts(office(public_holidays=PublicHolidays("NL")), AMS)
    plain = Shifts(office(), AMS)
    monday_17 = at(2027, 4, 26, 17, 0)
    assert local(plain.work_end(monday_17, 4.0, overtime=False)) == dt.datetime(2027, 4, 27, 11, 0)
    assert local(nl.work_end(monday_17, 4.0, overtime=False)) == dt.datetime(2027, 4, 28, 11, 0)
    assert local(nl.next_open(at(2027, 4, 27, 9, 0))) == dt.datetime(2027, 4, 28, 8, 0)
    assert local(plain.next_open(at(2027, 4, 27, 9, 0))) == dt.datetime(2027, 4, 27, 9, 0)


def test_kings_day_in_a_later_year_when_laid_out_lazily():
    """Shifts are laid out a year at a time; the holidays of the later year apply too."""
    nl = Shifts(office(public_holidays=PublicHolidays("NL")), AMS, horizon_hours=100.0)
    assert local(nl.next_open(at(2028, 4, 27, 9, 0))) == dt.datetime(2028, 4, 28, 8, 0)  # a Thursday


def test_sunday_shift_starts_at_wall_clock_time_when_summer_time_starts():
    """28 March 2027: 02:00 CET becomes 03:00 CEST; 08:00 CEST is 06:00 UTC, model hour 655."""
    daily = WeeklySchedule("daily", (((8 * 60, 18 * 60),),) * 7)
    shifts = Shifts(daily, AMS)
    sunday_0000 = at(2027, 3, 28)
    assert sunday_0000 == 27 * 24
    assert shifts.next_open(sunday_0000) == 655.0  # 27 * 24 + 7 elapsed hours
    s, e = shifts.intervals(sunday_0000, sunday_0000 + 24)
    assert (s.tolist(), e.tolist()) == ([655.0], [665.0])
    # Saturday 17:00 + 2 h without overtime: 1 h until 18:00 CET, 1 h from 08:00 CEST
    assert shifts.work_end(at(2027, 3, 27, 17, 0), 2.0, overtime=False) == 656.0


def test_sunday_shift_starts_at_wall_clock_time_when_summer_time_ends():
    """31 October 2027: 08:00 CET is 07:00 UTC, 30 days and 9 hours after 1 October 00:00 CEST."""
    cal = Calendar(dt.date(2027, 10, 1), "Europe/Amsterdam")
    daily = WeeklySchedule("daily", (((8 * 60, 18 * 60),),) * 7)
    assert Shifts(daily, cal).next_open(at(2027, 10, 31, cal=cal)) == 30 * 24 + 9


def test_24x7_is_identity():
    shifts = Shifts(WeeklySchedule.always(), AMS)
    t = np.array([0.0, 17.3, 9000.5, 40000.0])
    w = np.array([0.0, 4.0, 0.25, 100.0])
    np.testing.assert_array_equal(shifts.next_open(t), t)
    np.testing.assert_array_equal(shifts.work_end(t, w, overtime=False), t + w)
    np.testing.assert_array_equal(shifts.work_end(t, w, overtime=True), t + w)


def test_crew_defaults_overtime_by_hours():
    """A 24x7 crew works on (overtime), an office-hours crew pauses, unless told otherwise."""
    friday = at(2027, 3, 5, 17, 55)
    for crew, end in [
        (Crew("on-call"), dt.datetime(2027, 3, 5, 21, 55)),
        (Crew("office", hours=office()), dt.datetime(2027, 3, 8, 11, 55)),
        (Crew("office", hours=office(), overtime=True), dt.datetime(2027, 3, 5, 21, 55)),
    ]:
        assert local(Shifts(crew.hours, AMS).work_end(friday, 4.0, crew.overtime)) == end


def test_night_shift_over_midnight_and_over_the_layout_edge_is_one_interval():
    night = WeeklySchedule("night", (((0, 6 * 60), (20 * 60, 1440)),) * 7)
    lazy = Shifts(night, Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam"), horizon_hours=30.0)
    eager = Shifts(night, Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam"), horizon_hours=30000.0)
    t = np.arange(0.0, 20000.0, 7.3)
    np.testing.assert_array_equal(lazy.work_end(t, 9.0, False), eager.work_end(t, 9.0, False))
    s, e = eager.intervals(0.0, 20000.0)
    assert np.all(s[1:] > e[:-1])  # merged: no two touch
    lengths = np.round(e[1:-1] - s[1:-1], 9)  # 20:00-06:00: 10 h, 9 h or 11 h on a DST night
    assert (np.sum(lengths == 9.0), np.sum(lengths == 10.0), np.sum(lengths == 11.0)) == (
        3,
        lengths.size - 5,
        2,
    )


def test_a_schedule_without_hours_never_opens():
    closed = WeeklySchedule("closed", ((),) * 7)
    shifts = Shifts(closed, AMS)
    assert shifts.next_open(5.0) == np.inf
    assert shifts.work_end(5.0, 1.0, overtime=False) == np.inf


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_times_are_refused(bad):
    with pytest.raises(ValueError, match="must be finite and >= 0 hours"):
        Shifts(office(), AMS).work_end(bad, 1.0, overtime=False)


def test_crew_hours_from_a_scenario_file_skip_kings_day():
    """`hours` with `holidays: {country: NL}` in a file: the crew's shifts skip 27 April."""
    s = loads(
        "format: slasim/1\nname: t\n"
        "calendar: {start: 2027-03-01, timezone: Europe/Amsterdam}\n"
        "components:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}, crew: onsite}\n"
        "hours:\n  office-nl: {mon-fri: '08:00-18:00', holidays: {country: NL}}\n"
        "crews:\n  onsite: {size: 1, hours: office-nl}\n"
        "service: server\n"
    )
    crew = s.crews["onsite"]
    shifts = Shifts(crew.hours, s.calendar)
    assert crew.overtime is False
    end = shifts.work_end(at(2027, 4, 26, 17, 0), 4.0, crew.overtime)
    assert local(end) == dt.datetime(2027, 4, 28, 11, 0)

"""Window boundaries: calendar months, quarters, years and rolling blocks."""

import datetime as dt

import numpy as np
import pytest

from simulation.measure import Windows, window_bounds
from simulation.model.calendar import Calendar
from simulation.model.sla import Rolling

AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
UTC = Calendar(dt.date(2027, 1, 1), "UTC")

#: Elapsed hours of the months of 2027 in Amsterdam (DST 28 March - 31 October).
AMS_2027_MONTH_HOURS = [744, 672, 743, 720, 744, 720, 744, 744, 720, 745, 720, 744]


def test_amsterdam_months_follow_dst():
    """March loses the hour the clocks go forward, October gains the repeated hour."""
    w = window_bounds("month", AMS, 8760.0)
    assert isinstance(w, Windows)
    assert w.hours.tolist() == AMS_2027_MONTH_HOURS
    assert w.labels == [f"2027-{m:02d}" for m in range(1, 13)]
    assert w.start[0] == 0.0 and w.end[-1] == 8760.0
    assert w.partial_tail is False
    np.testing.assert_array_equal(w.start[1:], w.end[:-1])


def test_quarters_and_years():
    """Quarters add up the months; a year window ends at the next 1 January."""
    q = window_bounds("quarter", AMS, 8760.0)
    assert q.labels == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    assert q.hours.tolist() == [744 + 672 + 743, 720 + 744 + 720, 744 + 744 + 720, 745 + 720 + 744]
    y = window_bounds("year", UTC, 8760.0 + 8784.0)  # 2028 is a leap year
    assert y.labels == ["2027", "2028"]
    assert y.hours.tolist() == [8760.0, 8784.0]
    assert not y.partial_tail


def test_rolling_blocks_from_zero():
    """`Rolling(720)`: 30-day blocks of elapsed time; 12 fit in 8760 h, 120 h are left."""
    w = window_bounds(Rolling(720.0), AMS, 8760.0)
    assert len(w) == 12
    assert w.start.tolist() == [720.0 * i for i in range(12)]
    assert w.end[-1] == 8640.0
    assert w.labels[:3] == ["W1", "W2", "W3"] and w.labels[-1] == "W12"
    assert w.partial_tail


@pytest.mark.parametrize(
    "window, horizon_hours, n, partial_tail",
    [
        ("month", 744.0, 1, False),  # exactly January
        ("month", 800.0, 1, True),  # January and 56 h of February
        ("month", 743.0, 0, True),  # not even January
        ("quarter", 8000.0, 3, True),  # the fourth quarter is cut
        ("year", 8760.0, 1, False),  # the whole of 2027
        (Rolling(24.0), 100.0, 4, True),  # 4 days and 4 hours
        (Rolling(24.0), 96.0, 4, False),  # exactly 4 days
    ],
)
def test_only_complete_windows(window, horizon_hours, n, partial_tail):
    """A window the horizon cuts is dropped, and `partial_tail` says so."""
    w = window_bounds(window, UTC, horizon_hours)
    assert len(w) == n
    assert w.partial_tail is partial_tail
    assert np.all(w.end <= horizon_hours)


def test_start_mid_month_skips_the_partial_first_month():
    """From 15 January, the first window is February (408 h of January are skipped)."""
    cal = Calendar(dt.date(2027, 1, 15), "UTC")
    w = window_bounds("month", cal, 17 * 24 + 672.0)
    assert w.labels == ["2027-02"]
    assert w.start.tolist() == [408.0] and w.end.tolist() == [1080.0]
    assert not w.partial_tail


@pytest.mark.parametrize(
    "start, window, first_label",
    [
        (dt.date(2027, 2, 1), "quarter", "2027-Q2"),  # on the 1st, but inside Q1
        (dt.date(2027, 4, 1), "quarter", "2027-Q2"),  # a quarter start
        (dt.date(2027, 12, 15), "year", "2028"),  # mid-December
        (dt.date(2027, 3, 31), "month", "2027-04"),  # last day of a month
    ],
)
def test_first_window_is_the_first_complete_one(start, window, first_label):
    w = window_bounds(window, Calendar(start, "UTC"), 3 * 8760.0)
    assert w.labels[0] == first_label
    assert Calendar(start, "UTC").local(w.start[0]).day == 1


@pytest.mark.parametrize(
    "window, horizon_hours, match",
    [
        ("week", 100.0, "window 'week'"),  # not a contract window
        (Rolling(0.0), 100.0, "rolling window length"),  # empty blocks
        ("month", -1.0, "horizon_hours"),  # negative horizon
    ],
)
def test_bad_windows_name_the_culprit(window, horizon_hours, match):
    with pytest.raises(ValueError, match=match):
        window_bounds(window, UTC, horizon_hours)

"""Measuring one timeline per window, as the contract measures it.

Times in these stories are written in local wall-clock time or in minutes and
converted, so that each expected figure can be checked by hand.
"""

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from simulation.measure import SlaMeter, WindowFigures
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.sla import SLA, CreditTier, DownOver, IntervalRule, Rolling
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED, Timeline, TimelineBatch

UTC = Calendar(dt.date(2027, 1, 1), "UTC")
AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
MIN = 1 / 60  # one minute in hours

WORKDAYS = (((8 * 60, 18 * 60),),) * 5 + ((),) * 2


def business_hours(*holidays: dt.date) -> WeeklySchedule:
    """Monday to Friday 08:00-18:00."""
    return WeeklySchedule("business", WORKDAYS, frozenset(holidays))


def only(weekday: int, start_min: int, end_min: int) -> WeeklySchedule:
    """One period a week, on `weekday` (Monday = 0)."""
    periods = tuple(((start_min, end_min),) if d == weekday else () for d in range(7))
    return WeeklySchedule("one", periods)


def timeline(*segments, horizon_hours=8760.0) -> Timeline:
    """Segments as ``(start_h, end_h)``, ``(start_h, end_h, kind)`` or ``(..., kind, cause)``."""
    rows = [tuple(s) + (UNPLANNED, 0)[len(s) - 2 :] for s in segments]
    return Timeline.from_lists(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], horizon_hours
    )


def at(cal: Calendar, *args) -> float:
    """Model hours of a local wall-clock time."""
    return cal.hours(dt.datetime(*args))


# -- service minutes ---------------------------------------------------------------


def test_24x7_amsterdam_months_have_743_and_745_hours():
    """The contract month is elapsed time: March loses an hour, October gains one."""
    meter = SlaMeter(SLA(target=0.999), AMS, 8760.0)
    assert meter.service_min[2] == 743 * 60
    assert meter.service_min[9] == 745 * 60
    assert meter.service_min.sum() == 8760 * 60


@pytest.mark.parametrize(
    "month, holidays, service_min",
    [
        (3, (dt.date(2027, 3, 29),), 22 * 600),  # 23 workdays, Easter Monday off; DST on a Sunday
        (4, (dt.date(2027, 4, 27),), 21 * 600),  # 22 workdays, King's Day off
        (4, (), 22 * 600),  # no holiday
        (4, (dt.date(2027, 4, 25),), 22 * 600),  # a holiday on a Sunday changes nothing
    ],
)
def test_business_hours_with_holidays(month, holidays, service_min):
    meter = SlaMeter(SLA(target=0.999, service_hours=business_hours(*holidays)), AMS, 8760.0)
    assert meter.service_min[month - 1] == pytest.approx(service_min, abs=1e-6)


def test_a_day_across_the_dst_switch_is_23_or_25_hours():
    """Sundays 00:00-24:00: 28 March 2027 has 23 h, 31 October 2027 has 25 h."""
    meter = SlaMeter(SLA(target=0.999, service_hours=only(6, 0, 1440)), AMS, 8760.0)
    assert meter.service_min[2] == (3 * 24 + 23) * 60  # Sundays 7, 14, 21, 28 March
    assert meter.service_min[9] == (4 * 24 + 25) * 60  # Sundays 3, 10, 17, 24, 31 October


def test_table_lists_windows_in_local_time():
    meter = SlaMeter(SLA(target=0.999), AMS, 8760.0)
    table = meter.table()
    assert list(table.columns) == ["window", "start", "end", "service_min"]
    assert table["window"].iloc[2] == "2027-03"
    assert table["start"].iloc[3] == dt.datetime(2027, 4, 1)
    assert table["end"].iloc[9] == dt.datetime(2027, 11, 1)
    assert table["service_min"].iloc[9] == 745 * 60


# -- counted downtime ----------------------------------------------------------------


def test_downtime_outside_service_hours_is_not_counted():
    """Business hours: Saturday is free, 17:00-19:00 on a Monday counts one hour."""
    sla = SLA(target=0.999, service_hours=business_hours())
    meter = SlaMeter(sla, AMS, 8760.0)
    tl = timeline(
        (at(AMS, 2027, 4, 3, 10), at(AMS, 2027, 4, 3, 14)),  # Saturday
        (at(AMS, 2027, 4, 5, 17), at(AMS, 2027, 4, 5, 19)),  # Monday evening
        (at(AMS, 2027, 4, 6, 7), at(AMS, 2027, 4, 6, 8, 30)),  # Tuesday, 30 min after 08:00
    )
    f = meter.measure(tl)
    assert isinstance(f, WindowFigures)
    assert f.downtime_min[3] == pytest.approx(60 + 30)
    assert f.downtime_min.sum() == pytest.approx(90)
    assert f.availability[3] == pytest.approx(1 - 90 / (22 * 600))


def test_outage_across_a_month_boundary_is_split():
    """[743 h, 745 h) in UTC: the last hour of January and the first of February."""
    meter = SlaMeter(SLA(target=0.999), UTC, 744 + 672.0)
    f = meter.measure(timeline((743.0, 745.0)))
    assert f.downtime_min.tolist() == [60.0, 60.0]
    assert f.availability.tolist() == [pytest.approx(1 - 60 / 44640), pytest.approx(1 - 60 / 40320)]


def test_downtime_after_the_last_complete_window_is_not_measured():
    meter = SlaMeter(SLA(target=0.999), UTC, 800.0)
    f = meter.measure(timeline((743.0, 790.0), horizon_hours=800.0))
    assert f.downtime_min.tolist() == [60.0]


@pytest.mark.parametrize(
    "segments, expected_min",
    [
        ([(10.0, 10 + 4 * MIN)], [0.0, 0.0]),  # 4 min < 5 min: not counted
        ([(10.0, 10 + 5 * MIN)], [5.0, 0.0]),  # exactly 5 min: counted
        ([(744 - 2 * MIN, 744 + 8 * MIN)], [2.0, 8.0]),  # 10 min over the boundary: both parts
        ([(10.0, 10 + 3 * MIN, 0, 1), (10 + 3 * MIN, 10 + 6 * MIN, 0, 2)], [6.0, 0.0]),  # touching: one
        ([(10.0, 10 + 3 * MIN), (10 + 4 * MIN, 10 + 7 * MIN)], [0.0, 0.0]),  # a gap: two short outages
    ],
)
def test_min_outage_judges_the_whole_outage(segments, expected_min):
    """min_outage = 5 min, 24x7 UTC months."""
    meter = SlaMeter(SLA(target=0.999, min_outage_hours=5 * MIN), UTC, 744 + 672.0)
    f = meter.measure(timeline(*segments))
    assert f.downtime_min.tolist() == pytest.approx(expected_min, abs=1e-9)


def test_min_outage_keeps_a_long_outage_mostly_outside_service_hours():
    """A 10-minute outage from 17:57 counts its 3 minutes inside business hours."""
    sla = SLA(target=0.999, service_hours=business_hours(), min_outage_hours=5 * MIN)
    meter = SlaMeter(sla, AMS, 8760.0)
    tl = timeline(
        (at(AMS, 2027, 4, 5, 17, 57), at(AMS, 2027, 4, 5, 18, 7)),  # 10 min, 3 in service
        (at(AMS, 2027, 4, 6, 12), at(AMS, 2027, 4, 6, 12, 4)),  # 4 min: dropped
    )
    assert meter.measure(tl).downtime_min[3] == pytest.approx(3.0)


def test_touching_segments_of_different_causes_are_one_outage():
    """3 min of cause 1 then 3 min of cause 2: one 6-minute outage, attributed per segment."""
    meter = SlaMeter(SLA(target=0.999, min_outage_hours=5 * MIN), UTC, 744.0)
    tl = timeline((10.0, 10 + 3 * MIN, UNPLANNED, 1), (10 + 3 * MIN, 10 + 6 * MIN, UNPLANNED, 2))
    f = meter.measure(tl)
    assert f.attribution.cause.tolist() == [1, 2]
    assert f.attribution.minutes.tolist() == pytest.approx([3.0, 3.0])


SEGMENTS_OF_EACH_KIND = [
    (10.0, 11.0, UNPLANNED, 0),
    (20.0, 22.0, ANNOUNCED_MAINTENANCE, 1),
    (30.0, 34.0, MAINTENANCE, 2),
]


@pytest.mark.parametrize(
    "exclude, expected_min, causes",
    [
        (frozenset(), 7 * 60, [0, 1, 2]),  # everything counts
        (frozenset({"announced_maintenance"}), 5 * 60, [0, 2]),  # unannounced maintenance counts
        (frozenset({"maintenance"}), 1 * 60, [0]),  # all maintenance excluded
    ],
)
def test_excluded_maintenance(exclude, expected_min, causes):
    meter = SlaMeter(SLA(target=0.999, exclude=exclude), UTC, 744.0)
    f = meter.measure(timeline(*SEGMENTS_OF_EACH_KIND))
    assert f.downtime_min.tolist() == [expected_min]
    assert f.attribution.cause.tolist() == causes


def test_exclusion_comes_before_min_outage():
    """3 min unplanned right after announced maintenance: a short outage on its own."""
    segments = [(10.0, 11.0, ANNOUNCED_MAINTENANCE, 1), (11.0, 11 + 3 * MIN, UNPLANNED, 2)]
    counted = SlaMeter(SLA(0.999, min_outage_hours=5 * MIN), UTC, 744.0)
    excluded = SlaMeter(replace(counted.sla, exclude=frozenset({"announced_maintenance"})), UTC, 744.0)
    assert excluded.measure(timeline(*segments)).downtime_min.tolist() == [0.0]
    assert counted.measure(timeline(*segments)).downtime_min.tolist() == pytest.approx([63.0])


def test_unknown_exclusion_names_the_culprit():
    with pytest.raises(ValueError, match="holidays"):
        SlaMeter(SLA(0.999, exclude=frozenset({"holidays"})), UTC, 744.0)


# -- interval rule ------------------------------------------------------------------

#: Service 08:00-08:12 on Mondays (UTC): cells [0, 5), [5, 10), [10, 12) minutes.
MONDAY_0800 = at(UTC, 2027, 2, 1, 8)
FEB = Calendar(dt.date(2027, 2, 1), "UTC")


def cell_meter(rule, min_outage_hours: float = 0.0) -> SlaMeter:
    sla = SLA(
        target=0.999,
        service_hours=only(0, 8 * 60, 8 * 60 + 12),
        interval=IntervalRule(5 * MIN, rule),
        min_outage_hours=min_outage_hours,
    )
    return SlaMeter(sla, FEB, 672.0)


def minutes_after_0800(*pairs) -> Timeline:
    """Segments as (start_min, end_min[, cause]) after 08:00 on Monday 1 February."""
    t0 = FEB.hours(dt.datetime(2027, 2, 1, 8))
    return timeline(*[(t0 + p[0] * MIN, t0 + p[1] * MIN, UNPLANNED, *p[2:]) for p in pairs])


@pytest.mark.parametrize(
    "pairs, any_min, majority_min",
    [
        ([(1, 2)], 5, 0),  # 1 min of cell 0
        ([(5, 7.5)], 5, 0),  # exactly half of cell 1 is not a majority
        ([(5, 7.6)], 5, 5),  # more than half of cell 1
        ([(4, 6)], 10, 0),  # 1 min in each of cells 0 and 1
        ([(0, 1.5), (2, 3.5)], 5, 5),  # two short outages, 3 min in cell 0
        ([(10.5, 11.5)], 2, 0),  # cut last cell [10, 12): exactly half
        ([(10.5, 11.6)], 2, 2),  # cut last cell: 1.1 of 2 min
        ([(10.9, 30)], 2, 2),  # runs past the period end: 1.1 of the cut cell [10, 12)
        ([(-10, 0)], 0, 0),  # ends exactly at the period start (half-open)
        ([(0, 12)], 12, 12),  # the whole period
    ],
)
def test_interval_rule_any_and_majority(pairs, any_min, majority_min):
    tl = minutes_after_0800(*pairs)
    assert cell_meter("any").measure(tl).downtime_min.tolist() == pytest.approx([any_min])
    assert cell_meter("majority").measure(tl).downtime_min.tolist() == pytest.approx([majority_min])


@pytest.mark.parametrize(
    "pairs, whole_min, over_10_min",
    [
        ([(1, 2)], 0, 5),  # 1 min of cell 0: 20 % of it
        ([(5, 5.5)], 0, 0),  # exactly 10 % of cell 1 is not more than 10 %
        ([(5, 5.6)], 0, 5),  # 12 % of cell 1
        ([(5, 10)], 5, 5),  # all of cell 1
        ([(5, 9.9)], 0, 5),  # all but 6 seconds of cell 1
        ([(4, 10)], 5, 10),  # 1 min of cell 0, all of cell 1
        ([(0, 2.5), (2.5, 5)], 5, 5),  # two touching outages fill cell 0
        ([(0, 2.5, 1), (2.5, 5, 2)], 5, 5),  # ... whatever their causes
        ([(0, 2.5), (2.6, 5)], 0, 5),  # a gap of 6 seconds: not whole
        ([(10, 12)], 2, 2),  # the cut last cell [10, 12) is whole at 2 min
        ([(10, 30)], 2, 2),  # runs past the period end: the cut cell is whole
        ([(-3, 5)], 5, 5),  # from before the period start: cell 0 is whole
        ([(10.5, 12)], 0, 2),  # 1.5 of the 2 min of the cut cell
        ([(10, 10.2)], 0, 0),  # exactly 10 % of the cut cell
        ([(0, 12)], 12, 12),  # the whole period
    ],
)
def test_interval_rule_whole_and_down_over(pairs, whole_min, over_10_min):
    """``whole``: only cells down for all their length; ``{down_over: 10%}``: more than 10 %."""
    tl = minutes_after_0800(*pairs)
    assert cell_meter("whole").measure(tl).downtime_min.tolist() == pytest.approx([whole_min])
    assert cell_meter(DownOver(0.10)).measure(tl).downtime_min.tolist() == pytest.approx([over_10_min])


@pytest.mark.parametrize("named, share", [("any", 0.0), ("majority", 0.5)])
def test_any_and_majority_are_down_over_0_and_50_percent(named, share):
    """The named rules are the threshold rule at 0 % and 50 %: same figures on random timelines."""
    rng = np.random.default_rng(7)
    t0 = FEB.hours(dt.datetime(2027, 2, 1, 8))
    start = t0 + np.sort(rng.uniform(0, 12, 40)) * MIN
    start = start[np.r_[True, np.diff(start) > 0.3 * MIN]]
    length = np.minimum(rng.exponential(0.4, start.size), np.r_[np.diff(start), 1.0]) * MIN
    tl = Timeline.from_lists(start, start + length, [UNPLANNED] * start.size, [0] * start.size, 672.0)
    a, b = cell_meter(named).measure(tl), cell_meter(DownOver(share)).measure(tl)
    assert a.downtime_min.tolist() == b.downtime_min.tolist()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: IntervalRule(MIN, "most"), "interval rule 'most'"),  # not a rule
        (lambda: DownOver(1.0), r"down_over share \(1.0\) must be in \[0, 1\)"),  # no cell could count
        (lambda: DownOver(-0.1), "down_over share"),
    ],
)
def test_bad_interval_rule_is_refused_when_built(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_short_outages_are_dropped_before_the_interval_rule():
    """min_outage 2 min: a 1-minute outage no longer makes its cell count."""
    tl = minutes_after_0800((1, 2), (5, 8))
    assert cell_meter("any", 2 * MIN).measure(tl).downtime_min.tolist() == pytest.approx([5])
    assert cell_meter("any").measure(tl).downtime_min.tolist() == pytest.approx([10])


def test_cells_are_laid_from_the_start_of_each_service_period():
    """Service from 08:02: a minute down at 08:06 counts the cell [08:02, 08:07)."""
    sla = SLA(target=0.999, service_hours=only(0, 8 * 60 + 2, 9 * 60), interval=IntervalRule(5 * MIN, "any"))
    meter = SlaMeter(sla, FEB, 672.0)
    f = meter.measure(minutes_after_0800((6, 7)))
    assert f.downtime_min.tolist() == pytest.approx([5])
    f = meter.measure(minutes_after_0800((7, 7.5)))  # the next cell, [08:07, 08:12)
    assert f.downtime_min.tolist() == pytest.approx([5])
    f = meter.measure(minutes_after_0800((6.5, 7.5)))  # both
    assert f.downtime_min.tolist() == pytest.approx([10])


def test_cells_restart_at_a_window_boundary():
    """24x7 in hourly rolling windows and 25-minute cells: [0, 25), [25, 50), [50, 60)."""
    sla = SLA(target=0.999, window=Rolling(1.0), interval=IntervalRule(25 * MIN, "any"))
    meter = SlaMeter(sla, UTC, 2.0)
    f = meter.measure(timeline((55 * MIN, 65 * MIN)))
    assert f.downtime_min.tolist() == pytest.approx([10, 25])


@pytest.mark.parametrize(
    "pairs, cause",
    [
        ([(0, 1, 7), (1, 3, 8)], 8),  # cause 8 is down longer
        ([(0, 2, 7), (2, 3, 8), (3, 4, 7)], 7),  # cause 7: 3 min in two pieces
        ([(0, 1, 7), (1, 2, 8)], 7),  # a tie goes to the cause down first
        ([(1, 2, 8), (2, 3, 7)], 8),  # ... whatever its index
    ],
)
def test_a_counted_cell_goes_to_the_cause_with_most_downtime(pairs, cause):
    f = cell_meter("any").measure(minutes_after_0800(*pairs))
    assert f.attribution.cause.tolist() == [cause]
    assert f.attribution.minutes.tolist() == pytest.approx([5])


# -- availability, breach, credit ---------------------------------------------------

CREDITS = (CreditTier(below=0.999, credit=0.10), CreditTier(below=0.99, credit=0.25))


@pytest.mark.parametrize(
    "down_min, availability, breach, credit",
    [
        (0, 1.0, False, 0.0),  # no downtime
        (3, 0.9995, False, 0.0),  # above target
        (6, 0.999, False, 0.0),  # exactly the target: no breach, no credit (strict <)
        (12, 0.998, True, 0.10),  # below the first tier
        (60, 0.99, True, 0.10),  # exactly the second tier's bound: still the first tier
        (90, 0.985, True, 0.25),  # the largest tier, not 0.10 + 0.25
    ],
)
def test_breach_and_credit_tiers(down_min, availability, breach, credit):
    """A 100-hour rolling window: 6000 service minutes, target 99.9 %."""
    meter = SlaMeter(SLA(target=0.999, window=Rolling(100.0), credits=CREDITS), UTC, 100.0)
    tl = timeline((10.0, 10 + down_min * MIN)) if down_min else Timeline.empty(100.0)
    f = meter.measure(tl)
    assert f.availability.tolist() == [availability]
    assert f.breach.tolist() == [breach]
    assert f.credit.tolist() == [credit]


def test_target_exactly_met_in_a_calendar_month():
    """January: 44640 min; 44.64 min down is exactly 99.9 %, which is no breach."""
    meter = SlaMeter(SLA(target=0.999, credits=CREDITS), UTC, 744.0)
    f = meter.measure(timeline((100.0, 100 + 0.744)))
    assert f.availability.tolist() == [0.999]
    assert f.breach.tolist() == [False] and f.credit.tolist() == [0.0]


def test_a_window_without_service_hours_is_fully_available():
    """Service on Sundays only; the first 24-hour window (Friday 1 January) has none."""
    meter = SlaMeter(SLA(target=0.999, window=Rolling(24.0), service_hours=only(6, 0, 1440)), UTC, 72.0)
    assert meter.service_min.tolist() == [0.0, 0.0, 1440.0]
    f = meter.measure(timeline((5.0, 6.0), (50.0, 51.0)))
    assert f.availability.tolist() == [1.0, 1.0, pytest.approx(1 - 60 / 1440)]
    assert f.breach.tolist() == [False, False, True]


def test_empty_timeline():
    meter = SlaMeter(SLA(target=0.999, interval=IntervalRule(5 * MIN, "majority")), AMS, 8760.0)
    f = meter.measure(Timeline.empty(8760.0))
    assert f.downtime_min.tolist() == [0.0] * 12
    assert f.availability.tolist() == [1.0] * 12
    assert f.attribution.cause.size == 0 and f.attribution.cause.dtype == np.int32


# -- against a slow reference ------------------------------------------------------


def reference_downtime_min(meter: SlaMeter, tl: Timeline) -> np.ndarray:
    """Counted minutes per window, one cell at a time (the definition, slowly)."""
    start, end, _ = meter.counted_segments(tl)
    out = np.zeros(len(meter.windows))
    rule = meter.sla.interval
    for ps, pe, w in zip(meter.period_start, meter.period_end, meter.period_window, strict=True):
        step = rule.length_hours if rule else pe - ps
        a = ps
        while a < pe - 1e-9:
            b = min(a + step, pe)
            down = np.clip(np.minimum(end, b) - np.maximum(start, a), 0, None).sum()
            if rule is None:
                out[w] += down * 60
            elif rule.rule == "whole":
                out[w] += (b - a) * 60 if down >= (b - a) - 1e-9 else 0.0
            else:
                share = (
                    rule.rule.share
                    if isinstance(rule.rule, DownOver)
                    else {"any": 0, "majority": 0.5}[rule.rule]
                )
                out[w] += (b - a) * 60 if down > share * (b - a) + 1e-9 else 0.0
            a = b
    return out


@pytest.mark.parametrize(
    "interval, min_outage_hours, exclude",
    [
        (None, 0.0, frozenset()),  # plain downtime
        (None, 0.25, frozenset({"announced_maintenance"})),  # min_outage and an exclusion
        (IntervalRule(0.5, "any"), 0.0, frozenset()),  # half-hour cells, any
        (IntervalRule(0.5, "majority"), 0.1, frozenset({"maintenance"})),  # majority after min_outage
        (IntervalRule(0.25, "whole"), 0.0, frozenset()),  # quarter-hour cells, whole
        (IntervalRule(1.0, DownOver(0.1)), 0.05, frozenset()),  # hourly cells, more than 10 % down
    ],
)
def test_random_timelines_agree_with_the_reference(interval, min_outage_hours, exclude):
    """Business hours in Amsterdam over a year; counted minutes equal the cell-by-cell sum."""
    sla = SLA(
        target=0.999,
        service_hours=business_hours(dt.date(2027, 4, 27)),
        interval=interval,
        min_outage_hours=min_outage_hours,
        exclude=exclude,
    )
    meter = SlaMeter(sla, AMS, 8760.0)
    rng = np.random.default_rng(42)
    timelines = []
    for _ in range(5):
        n = 300
        gaps = rng.exponential(25.0, n) * rng.integers(0, 2, n)  # about half the segments touch
        lengths = rng.exponential(0.4, n)
        start = np.cumsum(gaps + np.r_[0, lengths[:-1]])
        timelines.append(
            Timeline.from_lists(start, start + lengths, rng.integers(0, 3, n), rng.integers(0, 9, n), 8760.0)
        )
    batch = meter.measure_batch(TimelineBatch.from_timelines(timelines))  # the five in one pass
    for r, tl in enumerate(timelines):
        for f in (meter.measure(tl), batch[r]):
            np.testing.assert_allclose(f.downtime_min, reference_downtime_min(meter, tl), atol=1e-6)
            assert f.attribution.minutes.sum() == pytest.approx(f.downtime_min.sum())
            assert np.all(f.downtime_min <= meter.service_min + 1e-9)


@pytest.mark.parametrize(
    "segments, expected",
    [
        # January: instance 4 down 30 min, instance 2 down 20 min -> 4; February nothing
        ([(10.0, 10.5, 4), (20.0, 20 + 20 * MIN, 2)], [4, -1]),
        # a tie (20 min each) goes to the lower instance index
        ([(10.0, 10 + 20 * MIN, 5), (30.0, 30 + 20 * MIN, 3)], [3, -1]),
        # an outage across the month border: each month's own part decides
        ([(744.0 - 10 * MIN, 744.0 + 50 * MIN, 7), (100.0, 100 + 30 * MIN, 1)], [1, 7]),
    ],
)
def test_each_window_names_its_main_cause(segments, expected):
    """`Attribution.window_cause`: the instance with most counted minutes in each window."""
    meter = SlaMeter(SLA(target=0.999), UTC, 744.0 + 672.0)
    start, end, cause = zip(*segments)
    order = np.argsort(start)
    tl = Timeline.from_lists(
        np.array(start)[order], np.array(end)[order], [UNPLANNED] * len(start), np.array(cause)[order], 1416.0
    )
    assert meter.measure(tl).attribution.window_cause.tolist() == expected

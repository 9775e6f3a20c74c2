"""Sliding windows: the SLO judged at every instant over the trailing window, per month.

The hand-made cases are checked against figures worked out by hand; the random cases
against a brute-force reference that evaluates the trailing availability at every
minute (all edges lie on whole minutes there, so the minute grid holds every
breakpoint and its minimum is the exact one).
"""

import datetime as dt

import numpy as np
import pytest

from simulation.measure import SlaMeter, window_bounds
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.sla import SLA, CreditTier, IntervalRule, Rolling, Sliding
from simulation.model.timeline import UNPLANNED, Timeline, TimelineBatch

UTC = Calendar(dt.date(2027, 1, 1), "UTC")
AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
DAYS_30 = 720.0
MIN = 1 / 60

WORKDAYS = (((8 * 60, 18 * 60),),) * 5 + ((),) * 2


def business_hours(*holidays: dt.date) -> WeeklySchedule:
    """Monday to Friday 08:00-18:00."""
    return WeeklySchedule("business", WORKDAYS, frozenset(holidays))


def timeline(*segments, horizon_hours=8760.0) -> Timeline:
    """Segments as ``(start_h, end_h)`` or ``(start_h, end_h, cause)``, unplanned."""
    rows = [(s[0], s[1], s[2] if len(s) > 2 else 0) for s in segments]
    return Timeline.from_lists(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [UNPLANNED] * len(rows),
        [r[2] for r in rows],
        horizon_hours,
    )


def at(cal: Calendar, *args) -> float:
    return cal.hours(dt.datetime(*args))


def avail(down_min: float, service_min: float) -> float:
    """1 - down/service, rounded to 12 decimals as the meter rounds availability."""
    return round(1 - down_min / service_min, 12)


def test_two_outages_40_hours_apart_breach_the_sliding_window_but_no_block():
    """Two 30-minute outages 40 h apart, 99.9 % over 30 days (43.2 min allowed).

    Blocks of 30 days from 1 January: [0, 720 h), [720, 1440 h), [1440, 2160 h), ...; the
    outages at 1400 h and 1440 h fall into two blocks, 30 min each: no breach. The trailing
    30 days at 1440.5 h (10 March 00:30) hold both: 60 min, a breach in March.
    """
    tl = timeline((1400.0, 1400.5, 1), (1440.0, 1440.5, 2))
    blocks = SlaMeter(SLA(0.999, window=Rolling(DAYS_30)), UTC, 8760.0).measure(tl)
    assert blocks.downtime_min[1:3].tolist() == [30.0, 30.0]
    assert not blocks.breach.any()

    meter = SlaMeter(SLA(0.999, window=Sliding(DAYS_30)), UTC, 8760.0)
    f = meter.measure(tl)
    assert meter.windows.labels == [f"2027-{m:02d}" for m in range(2, 13)]  # January has no full window
    assert f.breach.tolist() == [False, True] + [False] * 9
    assert f.downtime_min[:3].tolist() == [30.0, 60.0, 30.0]  # the second outage still counts in April
    assert f.service_min[:3].tolist() == [43200.0] * 3
    assert f.availability[:4].tolist() == [avail(30, 43200), avail(60, 43200), avail(30, 43200), 1.0]
    assert f.attribution.cause.tolist() == [1, 2]
    assert f.attribution.minutes.tolist() == [30.0, 30.0]


def test_credit_comes_from_the_lowest_trailing_availability():
    tiers = (CreditTier(0.999, 0.10), CreditTier(0.998, 0.25))
    meter = SlaMeter(SLA(0.999, window=Sliding(DAYS_30), credits=tiers), UTC, 8760.0)
    # February holds 30 min, March 90 min (both outages), April 60 min (the second).
    f = meter.measure(timeline((1400.0, 1400.5), (1440.0, 1441.0)))
    assert f.availability[1] == avail(90, 43200) and f.credit[:3].tolist() == [0.0, 0.25, 0.10]


def test_the_trailing_window_reaches_back_before_the_first_reported_month():
    """An outage on 30 January counts in February's trailing windows; one on 1 January does not."""
    meter = SlaMeter(SLA(0.999, window=Sliding(DAYS_30)), UTC, 744.0 + 672.0)
    f = meter.measure(timeline((0.0, 1.0, 1), (700.0, 701.0, 2), horizon_hours=1416.0))
    assert meter.windows.labels == ["2027-02"]
    assert f.downtime_min.tolist() == [60.0]
    # Attribution covers the time the reported trailing windows cover: from 24 h on.
    assert f.attribution.cause.tolist() == [2]


@pytest.mark.parametrize(
    "start, length_days, first_label",
    [
        (dt.date(2027, 1, 1), 30, "2027-02"),  # 1 February is 31 days in
        (dt.date(2027, 1, 1), 31, "2027-02"),  # exactly 31 days in: complete from its first instant
        (dt.date(2027, 1, 1), 32, "2027-03"),
        (dt.date(2027, 1, 15), 30, "2027-03"),  # 1 February is only 17 days in
        (dt.date(2027, 1, 1), 1, "2027-02"),  # January starts at 0: never a full trailing day
    ],
)
def test_months_are_reported_once_every_instant_has_a_full_trailing_window(start, length_days, first_label):
    w = window_bounds(Sliding(length_days * 24.0), Calendar(start, "UTC"), 3 * 8760.0)
    assert w.labels[0] == first_label
    assert w.start[0] >= length_days * 24.0


def test_a_holiday_in_the_trailing_window_lowers_its_service_time():
    """Sliding 7 days over business hours (3000 service minutes a week, 2400 with a holiday).

    30 minutes down on Wednesday 3 February 17:30-19:00 (30 min inside service hours);
    Monday 8 February is a holiday. The trailing weeks that hold both the outage and the
    holiday (ending 8 February 18:00 to 10 February 17:30) have 2400 service minutes:
    1 - 30/2400 = 98.75 %, lower than the 1 - 30/3000 = 99 % of the others.
    """
    sla = SLA(0.999, window=Sliding(7 * 24.0), service_hours=business_hours(dt.date(2027, 2, 8)))
    meter = SlaMeter(sla, UTC, 744.0 + 672.0)
    f = meter.measure(timeline((at(UTC, 2027, 2, 3, 17, 30), at(UTC, 2027, 2, 3, 19)), horizon_hours=1416.0))
    assert meter.windows.labels == ["2027-02"]
    assert meter.service_min.tolist() == [19 * 600.0]  # February's own: 20 workdays, one a holiday
    assert f.availability.tolist() == [avail(30, 2400)]
    assert f.downtime_min.tolist() == [30.0] and f.service_min.tolist() == [2400.0]


def test_trailing_service_time_running_out_over_the_weekend():
    """Sliding 1 day over business hours; Friday 5 February 17:00-18:00 is down.

    On Saturday at t the trailing day [t - 24 h, t) holds Friday from t - 24 h to 18:00:
    at Saturday 17:00 that is the down hour alone, so the availability is 0 % there
    (from 17:00 to 18:00 the window holds only down time; at 18:00 it holds no service
    time and counts as available).
    """
    sla = SLA(0.999, window=Sliding(24.0), service_hours=business_hours())
    meter = SlaMeter(sla, UTC, 744.0 + 672.0)
    f = meter.measure(timeline((at(UTC, 2027, 2, 5, 17), at(UTC, 2027, 2, 5, 18)), horizon_hours=1416.0))
    assert f.availability.tolist() == [0.0]
    assert f.downtime_min.tolist() == [60.0] and f.service_min.tolist() == [60.0]


def test_interval_cells_run_on_across_month_boundaries():
    """24x7 UTC, 7-hour cells laid from model time 0 (the start of the one service period),
    not from each month: a minute down on 1 February 00:10 (744 h 10 min) counts the cell
    [742 h, 749 h), which begins on 31 January.
    """
    sla = SLA(0.999, window=Sliding(DAYS_30), interval=IntervalRule(7.0, "any"))
    meter = SlaMeter(sla, UTC, 8760.0)
    tl = timeline((744 + 10 * MIN, 744 + 11 * MIN))
    a, b, _, _ = meter.counted_downtime(tl)
    assert (a.tolist(), b.tolist()) == ([742.0], [749.0])
    assert meter.measure(tl).downtime_min[0] == 420.0


def test_the_label_says_the_rows_are_months():
    assert SLA(0.999, window=Sliding(DAYS_30)).window_label == "month (sliding 30d)"
    assert SLA(0.999, window=Rolling(DAYS_30)).window_label == "rolling 30d"


# -- against a brute-force reference -----------------------------------------------------


def minute_reference(meter: SlaMeter, down_start, down_end) -> np.ndarray:
    """Lowest trailing availability per reported month, from per-minute indicators.

    All service-period and down edges must lie on whole minutes of model time.
    """
    n = int(round(meter.horizon_hours * 60))
    service = np.zeros(n + 1)
    down = np.zeros(n + 1)
    for a, b in zip(meter.period_start, meter.period_end, strict=True):
        service[int(round(a * 60))] += 1
        service[int(round(b * 60))] -= 1
    for a, b in zip(down_start, down_end, strict=True):
        down[int(round(a * 60))] += 1
        down[int(round(b * 60))] -= 1
    service = np.cumsum(service)[:n]  # 1 for a minute in service
    down = np.cumsum(down)[:n] * service  # counted only in service hours
    cs, cd = np.r_[0, np.cumsum(service)], np.r_[0, np.cumsum(down)]
    length = int(round(meter.sla.window.hours * 60))
    out = []
    for a, b in zip(meter.windows.start, meter.windows.end, strict=True):
        k = np.arange(int(round(a * 60)), int(round(b * 60)) + 1)
        s, d = cs[k] - cs[k - length], cd[k] - cd[k - length]
        avail = np.where(s > 0, 1 - d / np.where(s > 0, s, 1), 1.0)
        out.append(np.round(avail, 12).min())
    return np.asarray(out)


def random_minute_timeline(rng, horizon_hours: float, n: int = 60) -> Timeline:
    """Non-overlapping outages on whole minutes, some touching, some long."""
    gaps = rng.integers(0, 2, n) * rng.integers(1, 20_000, n)
    lengths = rng.integers(1, 600, n)
    start = np.cumsum(gaps + np.r_[0, lengths[:-1]])
    keep = start + lengths < horizon_hours * 60
    start, lengths = start[keep], lengths[keep]
    return Timeline.from_lists(
        start / 60,
        (start + lengths) / 60,
        [UNPLANNED] * start.size,
        rng.integers(0, 5, start.size),
        horizon_hours,
    )


@pytest.mark.parametrize(
    "service_hours, length_days",
    [
        (WeeklySchedule.always(), 30),  # 24x7
        (business_hours(dt.date(2027, 4, 27), dt.date(2027, 5, 5)), 30),  # business hours with holidays
        (business_hours(), 7),  # a short trailing window over weekends
    ],
)
def test_random_timelines_agree_with_the_minute_reference(service_hours, length_days):
    """Amsterdam, one year: DST moves service edges, still on whole minutes of model time."""
    meter = SlaMeter(SLA(0.999, window=Sliding(length_days * 24.0), service_hours=service_hours), AMS, 8760.0)
    rng = np.random.default_rng(11)
    timelines = [random_minute_timeline(rng, 8760.0) for _ in range(3)]
    batch = meter.measure_batch(TimelineBatch.from_timelines(timelines))  # the three in one pass
    for r, tl in enumerate(timelines):
        for f in (meter.measure(tl), batch[r]):
            np.testing.assert_array_equal(f.availability, minute_reference(meter, tl.start, tl.end))
            assert np.all(f.availability == np.round(1 - f.downtime_min / f.service_min, 12))


def test_interval_rule_and_min_outage_with_the_minute_reference():
    """Counted downtime (cells, min_outage) comes from the meter; the sliding minimum is checked."""
    sla = SLA(
        0.999,
        window=Sliding(DAYS_30),
        service_hours=business_hours(),
        interval=IntervalRule(5 * MIN, "majority"),
        min_outage_hours=3 * MIN,
    )
    meter = SlaMeter(sla, AMS, 8760.0)
    rng = np.random.default_rng(5)
    timelines = [random_minute_timeline(rng, 8760.0, n=200) for _ in range(2)]
    batch = meter.measure_batch(TimelineBatch.from_timelines(timelines))  # the two in one pass
    for r, tl in enumerate(timelines):
        a, b, _, _ = meter.counted_downtime(tl)
        assert a.size  # the case is not empty
        np.testing.assert_array_equal(meter.measure(tl).availability, minute_reference(meter, a, b))
        np.testing.assert_array_equal(batch[r].availability, minute_reference(meter, a, b))


def test_a_run_reports_sliding_windows_per_month():
    """Through the runner: one row per replication and reported month, each row's figures
    those of its worst trailing window, and the summary says what a row is."""
    import simulation as sim

    scenario = sim.loads(
        """\
format: slasim/1
name: sliding
calendar: {start: 2027-01-01, timezone: Europe/Amsterdam}
components:
  server: {failure: {mtbf: 300h}, repair: {mttr: 2h}}
service: server
sla: {target: 99.9%, window: {sliding: 30d}, service_hours: business}
hours:
  business: {mon-fri: "08:00-18:00"}
""",
        source="sliding.yaml",
    )
    result = sim.run(scenario, replications=4, seed=3, horizon="1y", engine="fast", workers=1, progress=False)
    w = result.windows
    # "1y" is one contract year of judged months: February 2027 to January 2028
    assert len(w) == 4 * 12 and list(w.window.iloc[[0, 1, 11]]) == ["2027-02", "2027-03", "2028-01"]
    assert result.target_risk.years_counted
    np.testing.assert_array_equal(w.availability, np.round(1 - w.downtime_min / w.service_min, 12))
    assert w.service_min.between(20 * 600, 23 * 600).all()  # 20 to 23 workdays in 30 days
    assert w.breach.any() and "per month (sliding 30d)" in result.summary()

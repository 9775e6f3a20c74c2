"""The two readings of excluded time: counted as up, or removed from the service time.

The worked example of the scenario format: daily announced maintenance 03:00-03:15 and
60 minutes of unplanned downtime in a 30-day month (April) give
1 - 60 / 43200 = 0.99861111 when the excluded time counts as up, and
1 - 60 / (43200 - 450) = 0.99859649 when it is removed from the service time.
"""

import datetime as dt
import warnings
from dataclasses import replace

import numpy as np
import pytest

from simulation.measure import SlaMeter
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.sla import SLA, IntervalRule, Sliding
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED, Timeline
from simulation.scenario import ScenarioError, ScenarioWarning, loads

APRIL = Calendar(dt.date(2027, 4, 1), "UTC")  # a 30-day month
MIN = 1 / 60
UP, OUT = "count_as_up", "remove_from_service"


def maintenance_and_outages(days: int, *outages, kind=ANNOUNCED_MAINTENANCE) -> Timeline:
    """Maintenance 03:00-03:15 every day, and unplanned ``(start_h, end_h)`` outages."""
    rows = [(24.0 * d + 3, 24.0 * d + 3.25, kind) for d in range(days)]
    rows += [(a, b, UNPLANNED) for a, b in outages]
    rows.sort()
    return Timeline.from_lists(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [0] * len(rows), 24.0 * days
    )


def sla(excluded_time, **kw) -> SLA:
    return SLA(target=0.999, exclude=frozenset({"announced_maintenance"}), excluded_time=excluded_time, **kw)


def test_worked_example():
    tl = maintenance_and_outages(30, (24.0 * 9 + 12, 24.0 * 9 + 13))  # 10 April 12:00-13:00
    up = SlaMeter(sla(UP), APRIL, 720.0).measure(tl)
    out = SlaMeter(sla(OUT), APRIL, 720.0).measure(tl)
    assert (up.downtime_min.tolist(), up.service_min.tolist()) == ([60.0], [43200.0])
    assert (out.downtime_min.tolist(), out.service_min.tolist()) == ([60.0], [42750.0])
    assert up.availability[0] == round(1 - 60 / 43200, 12)
    assert out.availability[0] == round(1 - 60 / 42750, 12)
    assert (round(up.availability[0], 8), round(out.availability[0], 8)) == (0.99861111, 0.99859649)
    # at a target of 99.86 % the reading decides the breach
    close = {
        r: SlaMeter(replace(sla(r), target=0.9986), APRIL, 720.0).measure(tl).breach[0] for r in (UP, OUT)
    }
    assert close == {UP: False, OUT: True}


def test_outage_touching_the_maintenance_is_still_60_minutes():
    tl = maintenance_and_outages(30, (24.0 * 9 + 3.25, 24.0 * 9 + 4.25))  # right after the job
    out = SlaMeter(sla(OUT), APRIL, 720.0).measure(tl)
    assert out.availability[0] == round(1 - 60 / 42750, 12)


def test_without_an_exclusion_both_readings_agree():
    """Maintenance that is not excluded is downtime either way."""
    tl = maintenance_and_outages(30, (24.0 * 9 + 12, 24.0 * 9 + 13))
    for reading in (UP, OUT):
        figures = SlaMeter(SLA(target=0.999, excluded_time=reading), APRIL, 720.0).measure(tl)
        assert (figures.downtime_min.tolist(), figures.service_min.tolist()) == ([510.0], [43200.0])


def test_exclude_all_maintenance_removes_unannounced_maintenance_too():
    tl = maintenance_and_outages(30, (24.0 * 9 + 12, 24.0 * 9 + 13), kind=MAINTENANCE)
    s = SLA(target=0.999, exclude=frozenset({"maintenance"}), excluded_time=OUT)
    assert SlaMeter(s, APRIL, 720.0).measure(tl).service_min.tolist() == [42750.0]
    assert SlaMeter(sla(OUT), APRIL, 720.0).measure(tl).downtime_min.tolist() == [510.0]


def test_service_time_depends_on_the_replication():
    meter = SlaMeter(sla(OUT), APRIL, 720.0)
    assert meter.service_min.tolist() == [43200.0]  # the contract's, before any replication
    assert meter.measure(Timeline.empty(720.0)).service_min.tolist() == [43200.0]
    assert meter.measure(maintenance_and_outages(10)).service_min.tolist() == [43200.0 - 150.0]


def test_only_excluded_time_inside_service_hours_is_removed():
    """Service hours 03:10-18:00 daily: 5 of each 15 maintenance minutes are service time."""
    hours = WeeklySchedule("day", (((190, 1080),),) * 7)
    meter = SlaMeter(sla(OUT, service_hours=hours), APRIL, 720.0)
    figures = meter.measure(maintenance_and_outages(30, (24.0 * 9 + 12, 24.0 * 9 + 13)))
    service = 30 * (1080 - 190)
    assert meter.service_min.tolist() == pytest.approx([service], abs=1e-9)
    assert figures.service_min.tolist() == pytest.approx([service - 30 * 5], abs=1e-9)
    assert figures.availability[0] == round(1 - 60 / (service - 150), 12)


def test_interval_cells_start_again_after_excluded_time():
    """5-minute cells, majority rule; maintenance 03:00-03:13, unplanned 03:13-03:16.

    Counted as up, cells run from midnight: 03:10-03:15 holds 2 down minutes and
    03:15-03:20 one, neither a majority. Removed from service, the service period starts
    again at 03:13: the cell 03:13-03:18 holds 3 down minutes and counts, 5 minutes.
    """
    tl = Timeline.from_lists(
        [3.0, 3 + 13 * MIN], [3 + 13 * MIN, 3 + 16 * MIN], [ANNOUNCED_MAINTENANCE, UNPLANNED], [0, 0], 720.0
    )
    cells = IntervalRule(5 * MIN, "majority")
    up = SlaMeter(sla(UP, interval=cells), APRIL, 720.0).measure(tl)
    out = SlaMeter(sla(OUT, interval=cells), APRIL, 720.0).measure(tl)
    assert up.downtime_min.tolist() == [0.0]
    assert out.downtime_min.tolist() == pytest.approx([5.0], abs=1e-9)
    assert out.service_min.tolist() == pytest.approx([43200.0 - 13], abs=1e-9)


def test_sliding_window_takes_the_service_time_left_in_the_trailing_window():
    """Every 30-day trailing window holds 450 maintenance minutes (15 a day), so its
    service time is 42750 minutes removed, 43200 counted as up; the lowest trailing
    availability in May is reached once the whole 60-minute outage is inside."""
    tl = maintenance_and_outages(61, (24.0 * 40 + 12, 24.0 * 40 + 13))  # 11 May 12:00-13:00
    horizon = 61 * 24.0
    up = SlaMeter(sla(UP, window=Sliding(720.0)), APRIL, horizon).measure(tl)
    out = SlaMeter(sla(OUT, window=Sliding(720.0)), APRIL, horizon).measure(tl)
    assert up.availability.tolist() == [round(1 - 60 / 43200, 12)]  # May, the one reported month
    assert out.availability.tolist() == [round(1 - 60 / 42750, 12)]
    assert (out.downtime_min[0], out.service_min[0]) == pytest.approx((60.0, 42750.0), abs=1e-9)


def test_unknown_reading_is_refused():
    with pytest.raises(ValueError, match="excluded_time must be one of count_as_up, remove_from_service"):
        SLA(target=0.999, excluded_time="remove")


# -- the scenario file -----------------------------------------------------------

HEAD = """\
format: slasim/1
name: t
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
service: server
sla:
  target: 99.9%
"""  # lines 1-7


def test_parsed_from_the_sla_section():
    s = loads(HEAD + "  exclude: [announced_maintenance]\n  excluded_time: remove_from_service\n")
    assert s.sla.excluded_time == OUT
    assert loads(HEAD).sla.excluded_time == UP


def test_unknown_value_names_line_and_key():
    with pytest.raises(ScenarioError) as info:
        text = HEAD + "  exclude: [announced_maintenance]\n  excluded_time: remove_from_servce\n"
        loads(text, source="bad.yaml")
    err = info.value
    assert (err.line, err.path) == (9, "sla.excluded_time"), str(err)
    assert "expected count_as_up" in err.message
    assert "remove_from_service" in (err.hint or "")


def test_without_exclude_it_warns():
    with pytest.warns(
        ScenarioWarning, match="excluded_time: remove_from_service has no effect without exclude"
    ):
        loads(HEAD + "  excluded_time: remove_from_service\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loads(HEAD + "  excluded_time: count_as_up\n")


def test_repeated_runs_are_reproducible():
    """The per-replication service time is a pure function of the timeline."""
    meter = SlaMeter(sla(OUT), APRIL, 720.0)
    tl = maintenance_and_outages(30, (100.0, 101.0))
    a, b = meter.measure(tl), meter.measure(tl)
    np.testing.assert_array_equal(a.availability, b.availability)


# -- against a reference on a grid of minutes ------------------------------------------


def grid_minutes(meter: SlaMeter, tl: Timeline, cell_min: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Per minute of the horizon: is it service time, is it counted down (the definition,
    slowly). Service time is the service periods minus excluded time; with cells, each
    run of service time is cut into `cell_min`-minute cells from its start, and a cell
    counts whole when any minute of it is down (rule ``any``)."""
    minutes = int(round(tl.horizon_hours * 60))
    service = np.zeros(minutes, dtype=bool)
    for a, b in zip(meter.period_start, meter.period_end, strict=True):
        service[int(round(a * 60)) : int(round(b * 60))] = True
    down = np.zeros(minutes, dtype=bool)
    excluded = np.zeros(minutes, dtype=bool)
    for a, b, k in zip(tl.start, tl.end, tl.kind, strict=True):
        (excluded if k == ANNOUNCED_MAINTENANCE else down)[int(round(a * 60)) : int(round(b * 60))] = True
    service &= ~excluded
    if cell_min is None:
        return service, service & down
    counted = np.zeros(minutes, dtype=bool)
    runs = np.flatnonzero(np.diff(np.r_[0, service.astype(np.int8), 0]))  # run edges: start, end, ...
    for run_start, run_end in runs.reshape(-1, 2):
        for c in range(run_start, run_end, cell_min):
            cell = slice(c, min(c + cell_min, run_end))
            counted[cell] = down[cell].any()
    return service, counted


def per_window(meter: SlaMeter, values: np.ndarray) -> np.ndarray:
    return np.array(
        [
            values[int(round(a * 60)) : int(round(b * 60))].sum()
            for a, b in zip(meter.windows.start, meter.windows.end)
        ],
        dtype=float,
    )


def random_timeline(seed: int, horizon: float) -> Timeline:
    """Outages and announced maintenance on whole minutes."""
    rng = np.random.default_rng(seed)
    edges = np.sort(rng.choice(int(horizon * 60), size=400, replace=False)).reshape(-1, 2) / 60.0
    kinds = rng.choice([UNPLANNED, ANNOUNCED_MAINTENANCE], size=len(edges))
    return Timeline.from_lists(edges[:, 0], edges[:, 1], kinds, [0] * len(edges), horizon)


BUSINESS = WeeklySchedule("business", (((8 * 60, 18 * 60),),) * 5 + ((),) * 2)
JAN_1 = Calendar(dt.date(2027, 1, 1), "UTC")


@pytest.mark.parametrize("cell_min", [None, 5])
def test_against_the_minute_grid(cell_min):
    """Calendar months of business hours, January to March."""
    horizon = 2160.0
    tl = random_timeline(11, horizon)
    interval = None if cell_min is None else IntervalRule(cell_min * MIN, "any")
    meter = SlaMeter(sla(OUT, service_hours=BUSINESS, interval=interval), JAN_1, horizon)
    figures = meter.measure(tl)
    service, counted = grid_minutes(meter, tl, cell_min)
    assert service.sum() < meter.service_min.sum()  # the case removes some service time
    np.testing.assert_allclose(figures.service_min, per_window(meter, service), atol=1e-6)
    np.testing.assert_allclose(figures.downtime_min, per_window(meter, counted), atol=1e-6)


@pytest.mark.parametrize("cell_min", [None, 5])
def test_sliding_against_the_minute_grid(cell_min):
    """A 10-day sliding window over business hours: with every edge on a whole minute,
    the lowest trailing availability of a month is reached at a whole minute, so the
    minimum over the minutes of the month (both ends) is the exact one."""
    horizon, length = 2160.0, 240.0
    tl = random_timeline(12, horizon)
    interval = None if cell_min is None else IntervalRule(cell_min * MIN, "any")
    meter = SlaMeter(
        sla(OUT, service_hours=BUSINESS, interval=interval, window=Sliding(length)), JAN_1, horizon
    )
    figures = meter.measure(tl)
    service, counted = grid_minutes(meter, tl, cell_min)
    cum_s, cum_d = np.r_[0, np.cumsum(service)], np.r_[0, np.cumsum(counted)]
    lag = int(length * 60)
    lowest = []
    for a, b in zip(meter.windows.start, meter.windows.end):
        t = np.arange(int(round(a * 60)), int(round(b * 60)) + 1)
        s, d = cum_s[t] - cum_s[t - lag], cum_d[t] - cum_d[t - lag]
        lowest.append(np.min(np.where(s > 0, 1 - d / np.where(s > 0, s, 1), 1.0)))
    assert meter.windows.labels == ["2027-02", "2027-03"]
    np.testing.assert_allclose(figures.availability, lowest, atol=1e-11)

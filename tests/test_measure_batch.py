"""Measuring a batch of replications in one pass, as the contract measures each alone.

`SlaMeter.measure_batch` lays every replication's segments end to end; touching
segments, outages, interval cells and sliding breakpoints must never run across two
replications, so each row of a batch is exactly (to the last bit) the figures of that
replication's timeline measured on its own. The stories below put two replications
side by side where a join across the boundary would change the figures; the random
test (hypothesis) does the same for random contracts and batches.
"""

import datetime as dt
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.engine import des, fast
from simulation.measure import SlaMeter
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.sla import SLA, CreditTier, DownOver, IntervalRule, Rolling, Sliding
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED, Timeline, TimelineBatch
from simulation.study.batch import simulate

UTC = Calendar(dt.date(2027, 1, 1), "UTC")
AMS = Calendar(dt.date(2027, 3, 1), "Europe/Amsterdam")
MIN = 1 / 60

WORKDAYS = (((8 * 60, 18 * 60),),) * 5 + ((),) * 2
NIGHTS = (((0, 6 * 60), (22 * 60, 24 * 60)),) * 7  # across midnight


def timeline(*segments, horizon_hours=1416.0) -> Timeline:
    """Segments as ``(start_h, end_h)`` or ``(start_h, end_h, kind, cause)``."""
    rows = [tuple(s) + (UNPLANNED, 0)[len(s) - 2 :] for s in segments]
    return (
        Timeline.from_lists(*zip(*rows, strict=True), horizon_hours)
        if rows
        else Timeline.empty(horizon_hours)
    )


def rows_of(meter: SlaMeter, timelines: list[Timeline]):
    """The batch's figures, and each replication's measured alone."""
    figures = meter.measure_batch(TimelineBatch.from_timelines(timelines, meter.horizon_hours))
    return [figures[r] for r in range(len(timelines))], [meter.measure(t) for t in timelines]


def assert_same_figures(one, two) -> None:
    for name in ("downtime_min", "availability", "breach", "credit", "service_min"):
        a, b = getattr(one, name), getattr(two, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    for name in ("cause", "minutes", "window_cause"):
        a, b = getattr(one.attribution, name), getattr(two.attribution, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=f"attribution.{name}")


# -- the batch type ---------------------------------------------------------------------


def test_a_batch_reads_as_its_timelines():
    tls = [timeline((1.0, 2.0), (2.0, 3.0, MAINTENANCE, 4)), timeline(), timeline((5.0, 6.5, UNPLANNED, 2))]
    tls[0] = Timeline(tls[0].start, tls[0].end, tls[0].kind, tls[0].cause, 1416.0, stockouts=3)
    batch = TimelineBatch.from_timelines(tls)
    assert len(batch) == 3 and batch.offsets.tolist() == [0, 2, 2, 3]
    assert batch.replication.tolist() == [0, 0, 2]
    for one, two in zip(batch, tls, strict=True):
        assert one.horizon_hours == two.horizon_hours and one.stockouts == two.stockouts
        for column in ("start", "end", "kind", "cause"):
            np.testing.assert_array_equal(getattr(one, column), getattr(two, column))
    assert batch[-1].start.tolist() == [5.0]
    tail = batch[1:]
    assert len(tail) == 2 and tail.offsets.tolist() == [0, 0, 1] and tail.stockouts.tolist() == [0, 0]
    assert len(batch[2:1]) == 0
    assert batch.downtime_hours.tolist() == [t.downtime_hours for t in tls] == [2.0, 0.0, 1.5]
    assert batch.outage_count.tolist() == [t.outage_count for t in tls] == [1, 0, 1]
    assert batch.stockouts.tolist() == [3, 0, 0]
    with pytest.raises(IndexError):
        batch[3]


def test_per_replication_sums_are_those_of_each_timeline_alone():
    """Downtime is summed in time order in both, so the floats agree to the last bit."""
    rng = np.random.default_rng(3)
    tls = []
    for _ in range(200):
        n = int(rng.integers(0, 40))
        start = np.cumsum(rng.exponential(5.0, n))
        end = start + rng.exponential(1.0, n) * rng.choice([1.0, 1e-6], n)
        touching = rng.random(n) < 0.3
        end[:-1] = np.where(touching[:-1], start[1:], np.minimum(end[:-1], start[1:]))
        tls.append(Timeline.from_lists(start, end, np.zeros(n), np.zeros(n), 1000.0))
    batch = TimelineBatch.from_timelines(tls)
    np.testing.assert_array_equal(batch.downtime_hours, [t.downtime_hours for t in tls])
    np.testing.assert_array_equal(batch.outage_count, [t.outage_count for t in tls])


@pytest.mark.parametrize(
    "offsets, message",
    [
        ([0, 2], "offsets"),  # ends short of the segments
        ([1, 3], "offsets"),  # does not start at 0
        ([0, 3, 2, 3], "offsets"),  # falls
    ],
)
def test_bad_offsets_are_refused(offsets, message):
    z = np.zeros(3)
    with pytest.raises(ValueError, match=message):
        TimelineBatch(z, z, z.astype(np.int8), z.astype(np.int32), np.array(offsets), 10.0)


def test_an_empty_list_needs_a_horizon():
    with pytest.raises(ValueError, match="horizon_hours"):
        TimelineBatch.from_timelines([])
    assert len(TimelineBatch.from_timelines([], 10.0)) == 0


def test_both_engines_hand_over_a_batch():
    """The fast engine writes the batch directly, the SimPy engine's list is converted."""
    import simulation as sim

    scenario = sim.load("scenarios/standby-database.yaml")
    out = simulate(scenario, 3, range(5, 9), 2000.0, "fast")
    assert isinstance(out, TimelineBatch) and len(out) == 4
    other = simulate(scenario, 3, range(5, 9), 2000.0, "des")
    assert isinstance(other, TimelineBatch)
    for a, b in zip(out, des.simulate(scenario, 3, range(5, 9), 2000.0), strict=True):
        np.testing.assert_array_equal(a.start, b.start)
    assert isinstance(fast.simulate(scenario, 3, range(2), 2000.0), TimelineBatch)


# -- nothing joins across a replication boundary -----------------------------------------


def test_an_outage_does_not_run_on_into_the_next_replication():
    """30 s outages, one ending where the next replication's begins: each is shorter than
    `min_outage` (1 min) on its own, so neither counts."""
    meter = SlaMeter(SLA(0.999, min_outage_hours=MIN), UTC, 1416.0)
    tls = [timeline((10.0, 10.0 + 0.5 * MIN)), timeline((10.0 + 0.5 * MIN, 10.0 + MIN))]
    batch, alone = rows_of(meter, tls)
    assert [f.downtime_min[0] for f in batch] == [0.0, 0.0]
    for one, two in zip(batch, alone, strict=True):
        assert_same_figures(one, two)


def test_an_interval_cell_does_not_join_two_replications():
    """Hourly cells, majority: 18 min down in one replication and 18 min in the next, in
    the same cell, is no majority in either."""
    meter = SlaMeter(SLA(0.999, interval=IntervalRule(1.0, "majority")), UTC, 1416.0)
    tls = [timeline((10.0, 10.3)), timeline((10.3, 10.6)), timeline((10.0, 10.6))]
    batch, alone = rows_of(meter, tls)
    assert [f.downtime_min[0] for f in batch] == [0.0, 0.0, 60.0]
    for one, two in zip(batch, alone, strict=True):
        assert_same_figures(one, two)


def test_excluded_time_is_cut_from_its_own_replication_only():
    """remove_from_service: one replication's maintenance is not another's."""
    sla = SLA(0.999, exclude=frozenset({"maintenance"}), excluded_time="remove_from_service")
    meter = SlaMeter(sla, UTC, 1416.0)
    tls = [timeline((5.0, 7.0, MAINTENANCE, 1)), timeline((8.0, 9.0)), timeline()]
    batch, alone = rows_of(meter, tls)
    assert [f.service_min[0] for f in batch] == [744 * 60 - 120, 744 * 60, 744 * 60]
    for one, two in zip(batch, alone, strict=True):
        assert_same_figures(one, two)


def test_a_sliding_window_sees_only_its_own_replication():
    """The trailing 30 days of February hold the other replication's outage only."""
    meter = SlaMeter(SLA(0.999, window=Sliding(720.0)), UTC, 744.0 + 672.0)
    tls = [timeline((700.0, 702.0, UNPLANNED, 3)), timeline(), timeline((750.0, 750.5, UNPLANNED, 1))]
    batch, alone = rows_of(meter, tls)
    assert [f.downtime_min.tolist() for f in batch] == [[120.0], [0.0], [30.0]]
    assert [f.attribution.window_cause.tolist() for f in batch] == [[3], [-1], [1]]
    for one, two in zip(batch, alone, strict=True):
        assert_same_figures(one, two)


# -- random contracts x random batches (hypothesis) --------------------------------------

WINDOWS = ["month", "quarter", Rolling(168.0), Rolling(720.0), Sliding(168.0), Sliding(720.0)]
SCHEDULES = [
    WeeklySchedule.always(),
    WeeklySchedule("business", WORKDAYS, frozenset({dt.date(2027, 4, 27)})),
    WeeklySchedule("nights", NIGHTS),
]
INTERVALS = [
    None,
    IntervalRule(0.5, "any"),
    IntervalRule(5 * MIN, "majority"),
    IntervalRule(0.25, "whole"),
    IntervalRule(1.0, DownOver(0.1)),
]
EXCLUDES = [frozenset(), frozenset({"announced_maintenance"}), frozenset({"maintenance"})]
CALENDARS = [UTC, AMS, Calendar(dt.date(2027, 10, 15), "America/New_York")]
HORIZON = 2500.0


@cache
def meter_of(window, schedule, interval, exclude, excluded_time, min_outage, calendar) -> SlaMeter:
    sla = SLA(
        0.999,
        window=WINDOWS[window],
        service_hours=SCHEDULES[schedule],
        interval=INTERVALS[interval],
        exclude=EXCLUDES[exclude],
        excluded_time=excluded_time,
        min_outage_hours=min_outage,
        credits=(CreditTier(0.999, 0.1), CreditTier(0.99, 0.25)),
    )
    return SlaMeter(sla, CALENDARS[calendar], HORIZON)


contracts = st.tuples(
    st.integers(0, len(WINDOWS) - 1),
    st.integers(0, len(SCHEDULES) - 1),
    st.integers(0, len(INTERVALS) - 1),
    st.integers(0, len(EXCLUDES) - 1),
    st.sampled_from(["count_as_up", "remove_from_service"]),
    st.sampled_from([0.0, MIN, 0.3]),
    st.integers(0, len(CALENDARS) - 1),
)


@st.composite
def batches(draw):
    """Replications of touching and separate segments (some of a second, some exactly
    on minutes), some copies of the one before, some starting where it ended."""
    timelines = []
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(["fresh", "fresh", "copy", "continue"]))
        if how == "copy" and timelines:
            timelines.append(timelines[-1])
            continue
        n = draw(st.integers(0, 12))
        gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 1 / 3600, 0.4, 7.0, 150.0]), min_size=n, max_size=n))
        lengths = draw(
            st.lists(st.sampled_from([1 / 3600, 0.5 * MIN, 0.25, 0.3, 1.0, 30.0]), min_size=n, max_size=n)
        )
        start = np.cumsum(np.asarray(gaps) + np.r_[0.0, lengths[:-1]]) + draw(
            st.sampled_from([0.0, 672.0, 2000.0])
        )
        if how == "continue" and timelines and len(timelines[-1]) and n:
            start += timelines[-1].end[-1] - start[0]
        end = start + np.asarray(lengths)
        keep = end < HORIZON
        k = int(keep.sum())
        kinds = draw(
            st.lists(st.sampled_from([UNPLANNED, ANNOUNCED_MAINTENANCE, MAINTENANCE]), min_size=k, max_size=k)
        )
        causes = draw(st.lists(st.integers(0, 5), min_size=k, max_size=k))
        timelines.append(Timeline.from_lists(start[keep], end[keep], kinds, causes, HORIZON))
    return timelines


@settings(max_examples=150, deadline=None, derandomize=True)
@given(contracts, batches())
def test_a_batch_measures_each_replication_as_alone(contract, timelines):
    meter = meter_of(*contract)
    batch, alone = rows_of(meter, timelines)
    for one, two in zip(batch, alone, strict=True):
        assert_same_figures(one, two)

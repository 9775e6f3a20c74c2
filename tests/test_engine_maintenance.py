"""Maintenance jobs in the SimPy engine: a leaf state of its own, with its Timeline kind."""

import dataclasses
import datetime as dt

import numpy as np
from helpers import L, assert_same_timelines, det, expo, scenario_of

from simulation.engine import des, fast
from simulation.engine.fast import unsupported_reason
from simulation.model.calendar import Calendar
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.operations import MaintenanceRule, MaintenanceTime
from simulation.model.structure import KofN, Leaf, Series
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED

UTC = Calendar(dt.date(2027, 3, 1))
DAILY_0300 = MaintenanceTime(minute=180)


def maintained(sc, *rules):
    return dataclasses.replace(sc, maintenance=tuple(rules), calendar=UTC)


def test_daily_announced_job_takes_the_part_down_with_its_kind_and_pauses_its_life():
    """Jobs at 03:00 for 15 min; the part fails after 50 h of use: at 50.5 h of model
    time (two jobs, 0.5 h, before), repaired in 2 h; the job at 51:00 is skipped."""
    sc = scenario_of(Series(L("a")), {"a": det(50, 2)}, horizon=80.0)
    rule = MaintenanceRule("patch", ("a",), "day", DAILY_0300, Deterministic(0.25), announced=True)
    for engine in (des, fast):
        [timeline] = engine.simulate(maintained(sc, rule), 0, range(1), 80.0)
        assert timeline.start.tolist() == [3.0, 27.0, 50.5, 75.0]
        assert timeline.end.tolist() == [3.25, 27.25, 52.5, 75.25]
        assert timeline.kind.tolist() == [
            ANNOUNCED_MAINTENANCE,
            ANNOUNCED_MAINTENANCE,
            UNPLANNED,
            ANNOUNCED_MAINTENANCE,
        ]


def test_a_failed_part_skips_its_job_and_unannounced_jobs_are_maintenance():
    """Down over [2, 7), [9, 14), [16, 21), [23, 28): the jobs at 03:00 and 27:00 find the
    part in repair and are skipped; a part that is up gets a job of kind maintenance."""
    sc = scenario_of(Series(L("a")), {"a": det(2, 5)}, horizon=30.0)
    rule = MaintenanceRule("patch", ("a",), "day", DAILY_0300, Deterministic(1.0))
    up = scenario_of(Series(L("a")), {"a": det(100, 5)}, horizon=30.0)
    for engine in (des, fast):
        [timeline] = engine.simulate(maintained(sc, rule), 0, range(1), 30.0)
        assert timeline.start.tolist() == [2.0, 9.0, 16.0, 23.0]
        assert timeline.kind.tolist() == [UNPLANNED] * 4
        [timeline] = engine.simulate(maintained(up, rule), 0, range(1), 30.0)
        assert timeline.start.tolist() == [3.0, 27.0] and timeline.end.tolist() == [4.0, 28.0]
        assert timeline.kind.tolist() == [MAINTENANCE, MAINTENANCE]


def test_a_service_of_one_part_gets_its_jobs_and_back_to_back_jobs_make_one_outage():
    """The service is the part itself. Jobs at 03:00 of 24 h: each starts as the one
    before ends, so the part is down from 03:00 to the horizon in one outage, of the
    first job's kind (an up of no duration does not end an outage)."""
    sc = scenario_of(Leaf("a"), {"a": det(1e6, 1)}, horizon=80.0)
    for engine in (des, fast):
        [timeline] = engine.simulate(
            maintained(sc, _daily(Deterministic(1.0), announced=True)), 0, range(1), 80.0
        )
        assert timeline.start.tolist() == [3.0, 27.0, 51.0, 75.0] and timeline.end.tolist() == [
            4.0,
            28.0,
            52.0,
            76.0,
        ]
        assert timeline.kind.tolist() == [ANNOUNCED_MAINTENANCE] * 4
        [timeline] = engine.simulate(maintained(sc, _daily(Deterministic(24.0))), 0, range(1), 80.0)
        assert timeline.start.tolist() == [3.0] and timeline.end.tolist() == [80.0]
        assert timeline.kind.tolist() == [MAINTENANCE]


def _daily(duration, announced=False):
    return MaintenanceRule("patch", ("a",), "day", DAILY_0300, duration, announced=announced)


def test_jobs_target_component_types_and_redundancy_masks_them():
    """Both members of a type maintained at the same instant take a 1-of-2 down (the
    rule is not rolling); one member alone does not."""
    parts = {"a": expo(1e9, 1), "b": expo(1e9, 1)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=100.0)
    typed = dataclasses.replace(
        sc,
        components={"exp": sc.components["a"]},
        instances={k: dataclasses.replace(i, component="exp") for k, i in sc.instances.items()},
    )
    rule = MaintenanceRule("patch", ("exp",), "day", DAILY_0300, Deterministic(0.5))
    [timeline] = des.simulate(maintained(typed, rule), 0, range(1), 100.0)
    assert timeline.start.tolist() == [3.0, 27.0, 51.0, 75.0, 99.0]
    only_a = MaintenanceRule("patch", ("a",), "day", DAILY_0300, Deterministic(0.5))
    assert len(des.simulate(maintained(sc, only_a), 0, range(1), 100.0)[0]) == 0


def test_random_durations_come_from_the_part_stream_and_fast_draws_the_same():
    sc = scenario_of(Series(L("a")), {"a": expo(1e9, 1)}, horizon=24 * 30.0)
    rule = MaintenanceRule("patch", ("a",), "day", DAILY_0300, Exponential.from_mean(0.5))
    one = des.simulate(maintained(sc, rule), 4, range(3), 24 * 30.0)
    two = des.simulate(maintained(sc, rule), 4, range(3), 24 * 30.0)
    for x, y in zip(one, two, strict=True):
        np.testing.assert_array_equal(x.end, y.end)
        assert len(x) == 30 and np.ptp(x.end - x.start) > 0
    assert unsupported_reason(maintained(sc, rule)) is None
    assert_same_timelines(one, fast.simulate(maintained(sc, rule), 4, range(3), 24 * 30.0))
    rolling = dataclasses.replace(rule, rolling=True)
    assert unsupported_reason(maintained(sc, rolling)) is None  # no group: plain jobs
    pair = scenario_of(KofN(1, L("a", "b")), {"a": expo(1e9, 1), "b": expo(1e9, 1)}, horizon=24 * 30.0)
    assert "rolling" in unsupported_reason(maintained(pair, rolling))


def test_announced_maintenance_through_a_run_gives_the_worked_example_both_ways():
    """Daily announced maintenance 03:00-03:15 of one part and a 60-minute failure of
    another, in April (30 days): 0.99861111 with the excluded time counted as up,
    0.99859649 with it removed from the service time (docs/scenario-format.md)."""
    from simulation import run
    from simulation.model.sla import SLA

    april = Calendar(dt.date(2027, 4, 1), "UTC")
    parts = {"m": det(1e6, 1), "f": det(600, 1)}  # f down 25 April 00:00-01:00
    rule = MaintenanceRule("patch", ("m",), "day", DAILY_0300, Deterministic(0.25), announced=True)
    figures = []
    for reading in ("count_as_up", "remove_from_service"):
        sla = SLA(target=0.999, exclude=frozenset({"announced_maintenance"}), excluded_time=reading)
        sc = dataclasses.replace(
            scenario_of(Series(L("m", "f")), parts, horizon=720.0, sla=sla),
            maintenance=(rule,),
            calendar=april,
        )
        for engine in ("auto", "des"):  # auto picks fast
            result = run(sc, replications=1, seed=0, horizon=720.0, workers=1, progress=False, engine=engine)
            assert result.engine == ("fast" if engine == "auto" else "des")
            figures.append(round(float(result.window_availability[0, 0]), 8))
    assert figures == [0.99861111, 0.99861111, 0.99859649, 0.99859649]


def test_a_member_whose_job_starts_as_the_last_ends_stays_down_for_its_block():
    """`a` is in back-to-back 24 h jobs from 03:00 (an end and a start at each 03:00:
    its net change at that instant is none). A standby of `a` and `b`, like the same
    pair in parallel, is then down while `b` is: [50, 55), caused by `b`. Read with the
    up before the down, the standby would think `a` up and show no outage."""
    from simulation.model.structure import Standby

    lives = {"a": det(1e6, 1), "b": det(50, 5)}
    rule = _daily(Deterministic(24.0))
    for block in (Standby(L("a", "b")), KofN(1, L("a", "b"))):
        sc = maintained(scenario_of(block, lives, horizon=60.0), dataclasses.replace(rule, targets=("a",)))
        for engine in (des, fast):
            [timeline] = engine.simulate(sc, 0, range(1), 60.0)
            assert timeline.start.tolist() == [50.0] and timeline.end.tolist() == [55.0], (block, engine)
            assert timeline.kind.tolist() == [UNPLANNED]

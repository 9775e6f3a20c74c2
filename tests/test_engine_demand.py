"""Demand profiles: a k-of-n block whose k follows the hour of the day (SimPy engine)."""

import dataclasses
import datetime as dt

import jsonschema
import numpy as np
import pytest
from helpers import L, det, expo, scenario_of

from simulation import run
from simulation.engine import des
from simulation.engine.fast import unsupported_reason
from simulation.engine.rules import CountRule
from simulation.model.calendar import Calendar
from simulation.model.demand import demand_steps, members_needed
from simulation.model.distributions import Deterministic
from simulation.model.operations import DemandProfile
from simulation.model.scenario import RunSettings
from simulation.model.structure import KofN, Switchover
from simulation.model.timeline import UNPLANNED, demand_cause
from simulation.report.json_report import REPORT_SCHEMA

MONDAY = Calendar(dt.date(2027, 1, 4))  # UTC
OFFICE = DemandProfile("office", "daily", ((0, 1), (8 * 60, 3), (18 * 60, 1)))


def office_block(parts: dict, horizon: float, calendar=MONDAY, profile=OFFICE):
    block = KofN(3, L("a", "b", "c"), demand=profile.name)
    sc = scenario_of(block, parts, horizon)
    return dataclasses.replace(sc, demand={profile.name: profile}, calendar=calendar)


@pytest.mark.parametrize(
    "a, horizon, starts, ends, causes",
    [
        # a fails at 10:00 (demand 3) and is back at 15:00: down because of a
        (det(10, 5), 24.0, [10.0], [15.0], [0]),
        # a fails at 16:00 for 5 h: down until demand drops to 1 at 18:00
        (det(16, 5), 24.0, [16.0], [18.0], [0]),
        # a fails at 20:00 (demand 1) for 14 h: down when demand rises at 08:00 the next
        # day until a is back at 10:00, because of demand
        (det(20, 14), 36.0, [32.0], [34.0], ["demand"]),
    ],
)
def test_three_servers_needed_in_office_hours_one_at_night(a, horizon, starts, ends, causes):
    never = det(1e6, 1)
    sc = office_block({"a": a, "b": never, "c": never}, horizon)
    [tl] = des.simulate(sc, 0, range(1), horizon)
    assert tl.start.tolist() == starts and tl.end.tolist() == ends
    assert tl.kind.tolist() == [UNPLANNED] * len(starts)
    assert tl.cause.tolist() == [demand_cause(3) if c == "demand" else c for c in causes]


def test_demand_steps_follow_the_wall_clock_over_the_spring_change():
    """Europe/Amsterdam, Sunday 28 March 2027: model 0 is 00:00 CET (23:00 UTC); the
    clock jumps from 02:00 to 03:00, so 08:00 CEST is 7 h of model time, 18:00 is 17 h,
    and 08:00 on Monday 31 h. A point inside the skipped hour (02:30) falls on 03:00, as
    does one at 03:00: the later point's demand holds."""
    ams = Calendar(dt.date(2027, 3, 28), "Europe/Amsterdam")
    assert demand_steps(OFFICE, ams, 36.0) == (1, ((7.0, 3), (17.0, 1), (31.0, 3)))
    gap = DemandProfile("gap", "daily", ((0, 1), (150, 2), (180, 4), (600, 1)))
    assert demand_steps(gap, ams, 12.0) == (1, ((2.0, 4), (9.0, 1)))


def test_weekly_profiles_wrap_and_demand_rounds_up():
    weekend = DemandProfile("week", "weekly", ((0, 2.5), (5 * 1440, 0)))  # Mon-Fri 2.5, weekend 0
    saturday = Calendar(dt.date(2027, 1, 2))
    assert demand_steps(weekend, saturday, 24 * 9) == (0, ((48.0, 3), (168.0, 0)))
    assert [members_needed(d) for d in (0, 0.2, 1, 2.5, 3)] == [0, 1, 1, 3, 3]


def test_no_demand_means_up_with_every_member_down():
    rule = CountRule(2)
    rule.start([True, True])
    rule.instant(1.0, [], demand=(0, 9))
    assert rule.instant(2.0, [(0, False, 0, UNPLANNED), (1, False, 1, UNPLANNED)]) is None and rule.up
    change = rule.instant(3.0, [], demand=(1, 9))
    assert (change.up, change.cause) == (False, 9)


def test_fast_declines_demand_and_auto_says_why():
    sc = office_block({i: expo(100, 10) for i in "abc"}, 240.0)
    assert "demand profile" in unsupported_reason(sc)
    result = run(sc, replications=4, seed=1, horizon=240.0, workers=1, progress=False)
    assert result.engine == "des" and "demand profile" in result.engine_reason


def test_availability_against_the_time_weighted_binomial():
    """Three exponential servers (MTBF 100 h, MTTR 10 h: a = 10/11 each, in their long-run
    state from t = 0), 3 needed 08:00-18:00 and 1 otherwise (UTC): the long-run
    availability is (10/24) a^3 + (14/24) (1 - (1 - a)^3), each hour of the day weighted
    by its share. The 95 % t-interval over replications covers it (fixed seed)."""
    sc = office_block({i: expo(100, 10) for i in "abc"}, 2400.0)
    sc = dataclasses.replace(
        sc, run=RunSettings(horizon_hours=2400.0, replications=400, seed=3, start="steady")
    )
    a = 10 / 11
    exact = 10 / 24 * a**3 + 14 / 24 * (1 - (1 - a) ** 3)
    result = run(sc, replications=400, seed=3, horizon=2400.0, workers=1, progress=False)
    values = result.per_replication.availability.to_numpy()
    half = 1.96 * values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - exact) < half, (values.mean(), exact, half)
    shortfall = result.capacity_shortfall()
    assert shortfall["hours_per_year"] > 0 and 0 < shortfall["counted_share"] < 1
    assert "demand" in result.attribution.instance.tolist()
    report = result.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["capacity_shortfall"]["hours_per_year"]["mean"] == pytest.approx(
        shortfall["hours_per_year"]
    )
    assert "down by capacity shortfall" in result.summary()
    assert "demand" in [row["instance"] for row in report["attribution"]]


def test_a_failover_group_pays_its_switchover_only_while_others_carry_the_demand():
    """With failover (30 min): a's failure at 20:00 (demand 1, two others up) costs a
    switchover [20, 20.5); the rise to 3 at 08:00 the next day finds only two up: down
    [32, 34) because of demand. A failure at 10:00 (demand 3) leaves too few up for a
    switchover: down [10, 15) because of a."""
    never = det(1e6, 1)
    failover = Switchover(Deterministic(0.5))
    for a, horizon, starts, ends, causes in (
        (det(20, 14), 36.0, [20.0, 32.0], [20.5, 34.0], [0, demand_cause(3)]),
        (det(10, 5), 24.0, [10.0], [15.0], [0]),
    ):
        block = KofN(3, L("a", "b", "c"), failover=failover, demand=OFFICE.name)
        sc = dataclasses.replace(
            scenario_of(block, {"a": a, "b": never, "c": never}, horizon),
            demand={OFFICE.name: OFFICE},
            calendar=MONDAY,
        )
        [tl] = des.simulate(sc, 0, range(1), horizon)
        assert (tl.start.tolist(), tl.end.tolist(), tl.cause.tolist()) == (starts, ends, causes)

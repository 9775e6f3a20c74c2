"""Repair crews and spare pools in the SimPy engine (engine.crews).

Exact cases with deterministic times (shifts, queue order, common random numbers) and
statistical ones with fixed seeds against the Markov chains of analytic.repair.
"""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from helpers import L, assert_same_timelines, det, expo, scenario_of

from simulation.analytic.repair import shared_repair_availability, spare_pool_availability
from simulation.engine import des, fast
from simulation.engine.crews import criticality_ranks
from simulation.engine.fast import unsupported_reason
from simulation.engine.support import check_supported
from simulation.measure.stats import mean_ci
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.components import ComponentType
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.operations import Crew, SparePool
from simulation.model.scenario import RunSettings
from simulation.model.structure import KofN, Series, Standby
from simulation.scenario.errors import UnsupportedScenario

MONDAY = Calendar(dt.date(2027, 3, 1), "Europe/Amsterdam")
OFFICE = WeeklySchedule("office", (((480, 1080),),) * 5 + ((),) * 2)

#: Statistical checks of this file: each at 1 - 0.05/CHECKS (Bonferroni), 95 % jointly.
CHECKS = 4
CONFIDENCE = 1.0 - 0.05 / CHECKS
HORIZON = 20_000.0


def operated(sc, crew: Crew | None = None, spares: SparePool | None = None, only=None):
    """`sc` with its parts (or those in `only`) repaired by `crew` and/or from `spares`."""
    comps = {
        name: dataclasses.replace(
            comp, crew=crew.name if crew else None, spares=spares.name if spares else None
        )
        if only is None or name in only
        else comp
        for name, comp in sc.components.items()
    }
    return dataclasses.replace(
        sc,
        components=comps,
        crews={crew.name: crew} if crew else {},
        spares={spares.name: spares} if spares else {},
    )


def availabilities(sc, seed: int, reps: int) -> np.ndarray:
    return np.array([1.0 - t.downtime_hours / HORIZON for t in des.simulate(sc, seed, range(reps), HORIZON)])


# -- exact cases -------------------------------------------------------------------


def test_friday_1755_failure_with_office_crew_ends_monday_1155():
    """Mon-Fri 08:00-18:00 crew, 4 h repair, no overtime: Friday 17:55 -> Monday 11:55."""
    friday_1755 = MONDAY.hours(dt.datetime(2027, 3, 5, 17, 55))
    part = ComponentType("p", Deterministic(friday_1755), Deterministic(4.0))
    sc = operated(
        scenario_of(Series(L("a")), {"a": part}, horizon=300.0, calendar=MONDAY), Crew("office", 1, OFFICE)
    )
    with_overtime = dataclasses.replace(sc, crews={"office": Crew("office", 1, OFFICE, overtime=True)})
    for engine in (des, fast):
        [timeline] = engine.simulate(sc, 0, range(1), 300.0)
        assert MONDAY.local(timeline.start[0]) == dt.datetime(2027, 3, 5, 17, 55)
        assert MONDAY.local(timeline.end[0]) == dt.datetime(2027, 3, 8, 11, 55)
        [timeline] = engine.simulate(with_overtime, 0, range(1), 300.0)
        assert MONDAY.local(timeline.end[0]) == dt.datetime(2027, 3, 5, 21, 55)


def test_response_delay_runs_from_the_shift_start():
    """A failure at Saturday 10:00 waits for Monday 08:00, then 30 min response, then 2 h."""
    saturday_10 = MONDAY.hours(dt.datetime(2027, 3, 6, 10, 0))
    part = ComponentType("p", Deterministic(saturday_10), Deterministic(2.0))
    crew = Crew("office", 1, OFFICE, response=Deterministic(0.5))
    sc = operated(scenario_of(Series(L("a")), {"a": part}, horizon=300.0, calendar=MONDAY), crew)
    for engine in (des, fast):
        [timeline] = engine.simulate(sc, 0, range(1), 300.0)
        assert MONDAY.local(timeline.end[0]) == dt.datetime(2027, 3, 8, 10, 30)


def test_criticality_serves_the_single_point_of_failure_first_and_fifo_does_not():
    """x holds the one technician over [5, 15); b (redundant) fails at 10, a (a single
    point of failure) at 11. By criticality a is repaired first: outage [11, 17); by
    fifo b goes first: [11, 19)."""
    parts = {"a": det(11, 2), "b": det(10, 2), "c": det(1000, 2), "x": det(5, 10), "y": det(1000, 2)}
    service = Series((*L("a"), KofN(1, L("b", "c")), KofN(1, L("x", "y"))))
    base = scenario_of(service, parts, horizon=20.0)
    assert criticality_ranks(base) == {"a": 0, "b": 1, "c": 1, "x": 1, "y": 1}
    for priority, end in (("criticality", 17.0), ("fifo", 19.0)):
        [timeline] = des.simulate(operated(base, Crew("ops", 1, priority=priority)), 0, range(1), 20.0)
        assert timeline.start.tolist() == [11.0] and timeline.end.tolist() == [end], priority


def test_criticality_ranks_add_tolerances_along_the_path_and_take_the_smallest():
    parts = {i: expo(100, 1) for i in "pabcd"}
    service = KofN(1, (Series(L("p", "a")), Series((*L("p"), KofN(2, L("b", "c", "d"))))))
    assert criticality_ranks(scenario_of(service, parts)) == {"p": 1, "a": 1, "b": 2, "c": 2, "d": 2}
    assert criticality_ranks(scenario_of(Standby(L("a", "b", "c")), parts)) == {"a": 2, "b": 2, "c": 2}


def test_enough_24x7_technicians_without_delay_change_nothing():
    """size >= parts, 24x7, no response: the very outages of unlimited repair."""
    parts = {i: expo(50, 5) for i in "abc"}
    sc = scenario_of(KofN(2, L("a", "b", "c")), parts, horizon=5000.0)
    plain = des.simulate(sc, 3, range(20), 5000.0)
    crewed = des.simulate(operated(sc, Crew("ops", 3)), 3, range(20), 5000.0)
    assert_same_timelines(plain, crewed)
    assert_same_timelines(fast.simulate(sc, 3, range(20), 5000.0), crewed)  # and the fast engine's


def test_a_crew_never_moves_the_failure_draws():
    """Up times (the failure draws of a lone part) are the same with or without a crew
    with a response delay and one technician: the delays come from their own streams."""
    sc = scenario_of(Series(L("a")), {"a": expo(100, 5)}, horizon=5000.0)
    crew = Crew("ops", 1, response=Exponential.from_mean(3.0))
    for plain, crewed in zip(
        des.simulate(sc, 5, range(10), 5000.0),
        des.simulate(operated(sc, crew), 5, range(10), 5000.0),
        strict=True,
    ):
        n = min(len(plain), len(crewed)) - 1
        ups_plain = plain.start[:n] - np.r_[0.0, plain.end][:n]
        ups_crewed = crewed.start[:n] - np.r_[0.0, crewed.end][:n]
        assert n > 10
        np.testing.assert_allclose(ups_crewed, ups_plain, rtol=1e-9, atol=1e-9)
        down_plain, down_crewed = (plain.end - plain.start)[:n], (crewed.end - crewed.start)[:n]
        assert np.all(down_crewed > down_plain)  # the same repair draws, plus a response


def test_fast_runs_crews_that_never_queue_and_says_why_it_does_not_run_the_others():
    """A crew of at least as many technicians as parts: fast; fewer, or spare pools: SimPy."""
    parts = {i: expo(100, 5) for i in "ab"}
    sc = scenario_of(Series(L("a", "b")), parts)
    assert unsupported_reason(operated(sc, Crew("ops", 2, OFFICE, response=Deterministic(0.5)))) is None
    assert unsupported_reason(operated(sc, Crew("ops", 1), only={"a"})) is None  # one part, one technician
    reason = unsupported_reason(operated(sc, Crew("ops", 1)))
    assert "crew 'ops' has 1 technician for 2 parts ('a' and others)" in reason and "repair queues" in reason
    reason = unsupported_reason(operated(sc, spares=SparePool("shelf", 3, Deterministic(10.0))))
    assert "spare part from pool 'shelf'" in reason and "the SimPy engine runs spare pools" in reason
    from simulation import run

    office = operated(sc, Crew("ops", 2, OFFICE, response=Deterministic(0.5)))
    assert run(office, replications=2, horizon=500.0, workers=1, progress=False).engine == "fast"
    short = run(operated(sc, Crew("ops", 1)), replications=2, horizon=500.0, workers=1, progress=False)
    assert short.engine == "des" and "1 technician for 2 parts" in short.engine_reason


def test_steady_start_with_crews_is_refused():
    sc = operated(scenario_of(Series(L("a")), {"a": expo(100, 5)}), Crew("ops", 1))
    steady = dataclasses.replace(sc, run=RunSettings(horizon_hours=1000.0, replications=1, start="steady"))
    with pytest.raises(UnsupportedScenario, match="steady start with repair crews"):
        check_supported(steady)


def test_spare_stockout_waits_for_the_delivery():
    """Stock 1, lead time 100 h: the first repair (t = 10) takes the spare (4 h), the
    second, at t = 24, waits for the delivery at 10 + 100 = 110, then 4 h: up at 114."""
    parts = {"a": det(10, 4), "b": det(1000, 4)}
    sc = operated(
        scenario_of(Series(L("a", "b")), parts, horizon=60.0), spares=SparePool("s", 1, Deterministic(100.0))
    )
    [timeline] = des.simulate(sc, 0, range(1), 150.0)
    assert timeline.start.tolist()[:2] == [10.0, 24.0]
    assert timeline.end.tolist()[:2] == [14.0, 114.0]


# -- statistical cases against the Markov chains --------------------------------------


def _covers(values: np.ndarray, exact: float) -> None:
    mean, low, high = mean_ci(values, CONFIDENCE)
    assert low <= exact <= high, f"simulated {mean:.6f} [{low:.6f}, {high:.6f}] vs CTMC {exact:.6f}"


def test_two_of_three_with_one_technician_matches_its_ctmc():
    sc = scenario_of(KofN(2, L("a", "b", "c")), {i: expo(100, 20) for i in "abc"}, horizon=HORIZON)
    _covers(
        availabilities(operated(sc, Crew("ops", 1)), 11, 300), shared_repair_availability(3, 2, 0.01, 0.05, 1)
    )


def test_cold_standby_pair_with_one_technician_matches_its_ctmc():
    sc = scenario_of(Standby(L("a", "b"), mode="cold"), {i: expo(100, 20) for i in "ab"}, horizon=HORIZON)
    exact = shared_repair_availability(2, 1, 0.01, 0.05, 1, mode="cold")
    _covers(availabilities(operated(sc, Crew("ops", 1)), 11, 300), exact)


def test_one_24x7_technician_is_unlimited_repair_when_failures_are_rare():
    """A series of three: its downtime comes from single failures, which never queue."""
    sc = scenario_of(Series(L("a", "b", "c")), {i: expo(2000, 10) for i in "abc"}, horizon=HORIZON)
    one = shared_repair_availability(3, 3, 1 / 2000, 1 / 10, 1)
    unlimited = shared_repair_availability(3, 3, 1 / 2000, 1 / 10, 3)
    values = availabilities(operated(sc, Crew("ops", 1)), 13, 300)
    _covers(values, one)
    half_width = (mean_ci(values, CONFIDENCE)[2] - mean_ci(values, CONFIDENCE)[1]) / 2
    assert abs(one - unlimited) < half_width  # the queue is not measurable here


def test_spares_with_exponential_lead_time_match_the_ctmc():
    sc = scenario_of(KofN(2, L("a", "b", "c")), {i: expo(100, 4) for i in "abc"}, horizon=HORIZON)
    pool = SparePool("s", 1, Exponential.from_mean(50.0))
    _covers(
        availabilities(operated(sc, spares=pool), 12, 300), spare_pool_availability(3, 2, 0.01, 0.25, 1, 0.02)
    )


def test_ctmc_limits():
    """r >= n technicians: independent parts (binomial k-of-n); a large stock with a
    fast resupply: the same."""
    a = 100 / 120
    binomial = sum(_binom(3, j, a) for j in (2, 3))
    assert shared_repair_availability(3, 2, 0.01, 0.05, 3) == pytest.approx(binomial, rel=1e-12)
    a4 = 100 / 104
    assert spare_pool_availability(3, 2, 0.01, 0.25, 3, 1e6) == pytest.approx(
        sum(_binom(3, j, a4) for j in (2, 3)), rel=1e-5
    )


def _binom(n: int, j: int, a: float) -> float:
    from math import comb

    return comb(n, j) * a**j * (1 - a) ** (n - j)


def test_stockouts_are_reported_per_year_in_result_summary_and_json():
    """Stock 0, lead time 100 h, one part failing every 1000 h (repair 4 h): every
    repair is a stock-out: failures at 1000, 2104, ..., 8728 (a cycle of 1000 + 100 + 4
    h) are 8 in the year; auto runs des and says why."""
    import jsonschema

    from simulation import run
    from simulation.report.json_report import REPORT_SCHEMA, report_dict
    from simulation.report.summary import summary_text

    sc = operated(
        scenario_of(Series(L("a")), {"a": det(1000, 4)}, horizon=8760.0),
        spares=SparePool("s", 0, Deterministic(100.0)),
    )
    result = run(sc, replications=3, seed=1, workers=1, progress=False)
    assert result.engine == "des" and "spare part" in result.engine_reason
    assert result.per_replication.stockouts.tolist() == [8, 8, 8]
    mean, _ = result.stockouts_per_year()
    assert mean == pytest.approx(8.0)
    assert "8 stock-outs/year" in summary_text(result)
    report = report_dict(result)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["stockouts_per_year"]["mean"] == 8.0
    plain = run(
        scenario_of(Series(L("a")), {"a": det(1000, 4)}, horizon=8760.0),
        replications=2,
        workers=1,
        progress=False,
    )
    assert "stockouts" not in plain.per_replication and report_dict(plain)["stockouts_per_year"] is None


def test_analytic_value_where_a_chain_applies_and_the_reason_where_not():
    from simulation.analytic import steady_state, steady_state_availability

    sc = scenario_of(KofN(2, L("a", "b", "c")), {i: expo(100, 20) for i in "abc"})
    assert steady_state_availability(operated(sc, Crew("ops", 1))) == pytest.approx(
        shared_repair_availability(3, 2, 0.01, 0.05, 1), rel=1e-12
    )
    cold = scenario_of(Standby(L("a", "b"), mode="cold"), {i: expo(100, 20) for i in "ab"})
    assert steady_state_availability(operated(cold, Crew("ops", 1))) == pytest.approx(
        shared_repair_availability(2, 1, 0.01, 0.05, 1, mode="cold"), rel=1e-12
    )
    pool = SparePool("s", 1, Exponential.from_mean(50.0))
    assert steady_state_availability(operated(sc, spares=pool)) == pytest.approx(
        spare_pool_availability(3, 2, 0.01, 0.05, 1, 0.02), rel=1e-12
    )
    office = steady_state(operated(sc, Crew("office", 1, OFFICE)))
    assert office.value is None and "works shifts" in office.reason
    series = steady_state(
        operated(scenario_of(Series(L("a", "b")), {"a": expo(9, 1), "b": expo(9, 1)}), Crew("c", 1))
    )
    assert series.value is None and "repairs may queue" in series.reason


def test_fast_operated_parts_in_blocks_of_instances_give_the_same_outages(monkeypatch):
    """Office-hours crew with a response delay on a 2-of-4: generated a few pairs
    (instance, replication) at a time, the fast engine still gives the SimPy outages."""
    from simulation.engine import fast_ops

    parts = {i: expo(40, 3) for i in "abcd"}
    sc = scenario_of(KofN(2, L("a", "b", "c", "d")), parts, horizon=1500.0, calendar=MONDAY)
    sc = operated(sc, Crew("office", 4, OFFICE, response=Exponential.from_mean(0.5)))
    monkeypatch.setattr(fast_ops, "PAIRS", 3)
    assert_same_timelines(des.simulate(sc, 2, range(5), 1500.0), fast.simulate(sc, 2, range(5), 1500.0))

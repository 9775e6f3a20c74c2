"""The SimPy engine on stories with deterministic times: exact outage logs."""

import pytest
from helpers import L, det, scenario_of

from simulation.engine.des import simulate
from simulation.model.distributions import Deterministic
from simulation.model.structure import KofN, Series, Standby, Switchover


def outages(scenario, horizon=100.0):
    tl = simulate(scenario, seed=0, reps=range(1), horizon_hours=horizon)[0]
    ids = list(scenario.instances)
    return [(s, e, ids[c]) for s, e, c in zip(tl.start.tolist(), tl.end.tolist(), tl.cause.tolist())]


def test_single_part_fails_first_at_its_up_time():
    """A new part with deterministic up time U fails first at t = U, then every U + D."""
    sc = scenario_of(Series(L("a")), {"a": det(10, 2)})
    assert outages(sc, 40) == [(10, 12, "a"), (22, 24, "a"), (34, 36, "a")]


def test_series_merges_overlapping_failures_and_names_the_first_cause():
    """a down [10,14), b down [12,13): one outage caused by a."""
    sc = scenario_of(Series(L("a", "b")), {"a": det(10, 4), "b": det(12, 1)})
    assert outages(sc, 20) == [(10, 14, "a")]


def test_outage_open_at_horizon_is_cut_there():
    sc = scenario_of(Series(L("a")), {"a": det(10, 20)})
    assert outages(sc, 15) == [(10, 15, "a")]


def test_parallel_is_down_only_while_both_are_down():
    sc = scenario_of(KofN(1, L("a", "b"), kind="parallel"), {"a": det(10, 5), "b": det(12, 5)})
    assert outages(sc, 20) == [(12, 15, "b")]


def test_two_of_three():
    """Down while at least two of three are down."""
    sc = scenario_of(KofN(2, L("a", "b", "c")), {"a": det(10, 5), "b": det(12, 5), "c": det(30, 1)})
    assert outages(sc, 20) == [(12, 15, "b")]


def test_hot_failover_costs_a_switchover_when_a_member_in_use_fails():
    fo = Switchover(Deterministic(0.5))
    sc = scenario_of(KofN(1, L("a", "b"), failover=fo), {"a": det(10, 5), "b": det(30, 5)})
    assert outages(sc, 20) == [(10, 10.5, "a")]


def test_failover_not_paid_when_the_group_is_already_down():
    """b fails while a is down: the group is down until a is back, no switchover after."""
    fo = Switchover(Deterministic(0.5))
    sc = scenario_of(KofN(1, L("a", "b"), failover=fo), {"a": det(10, 5), "b": det(12, 10)})
    # a fails at 10: switchover [10, 10.5); b fails at 12 (a down): down until a back at 15
    assert outages(sc, 20) == [(10, 10.5, "a"), (12, 15, "b")]


def test_cold_standby_spare_does_not_age_while_waiting():
    """a fails at 10 (repair 5); b takes over and fails 8 h of use later, at 18 (not at 8)."""
    sc = scenario_of(Standby(L("a", "b"), mode="cold"), {"a": det(10, 5), "b": det(8, 20)})
    # 18: b fails; a (back at 15) waits and takes over at once: no outage. a fails again at 28;
    # b is under repair until 38: down [28, 38) with a repaired at 33 -> a serves at once at 33.
    assert outages(sc, 34) == [(28, 33, "a")]


def test_hot_standby_spare_ages_while_waiting():
    """In hot mode b fails at 8 while waiting: no outage; a then fails at 10 with b down."""
    sc = scenario_of(Standby(L("a", "b"), mode="hot"), {"a": det(10, 5), "b": det(8, 5)})
    assert outages(sc, 12) == [(10, 12, "a")]


def test_warm_standby_uses_its_idle_failure_time():
    """b waits with a 6 h idle life: fails idle at 6 (back at 8) and at 14 (back at 16)."""
    sc = scenario_of(Standby(L("a", "b"), mode="warm"), {"a": det(15, 5), "b": det(50, 2, idle=6)})
    # a fails at 15 while b is under repair: down until b is back at 16 and serves at once.
    assert outages(sc, 17) == [(15, 16, "a")]


def test_cold_spare_in_the_same_story_never_fails_idle():
    sc = scenario_of(Standby(L("a", "b"), mode="cold"), {"a": det(15, 5), "b": det(50, 2, idle=6)})
    assert outages(sc, 17) == []


def test_standby_switchover_and_revert():
    """a fails at 10: 1 h switchover to b; a back at 12: revert costs another hour."""
    so = Switchover(Deterministic(1.0))
    sc = scenario_of(
        Standby(L("a", "b"), mode="cold", switchover=so, revert=True), {"a": det(10, 2), "b": det(50, 1)}
    )
    assert outages(sc, 15) == [(10, 11, "a"), (12, 13, "a")]


def test_standby_without_revert_stays_on_the_spare():
    so = Switchover(Deterministic(1.0))
    sc = scenario_of(
        Standby(L("a", "b"), mode="cold", switchover=so, revert=False), {"a": det(10, 2), "b": det(50, 1)}
    )
    assert outages(sc, 15) == [(10, 11, "a")]


def test_failed_automatic_switchover_takes_the_manual_time():
    """coverage 0: every switchover is manual (3 h)."""
    so = Switchover(Deterministic(1.0), coverage=0.0, manual=Deterministic(3.0))
    sc = scenario_of(Standby(L("a", "b"), switchover=so), {"a": det(10, 50), "b": det(50, 1)})
    assert outages(sc, 20) == [(10, 13, "a")]


def test_warm_k_of_n_replaces_a_failed_member_from_the_waiting_ones():
    """2 of 3 cold: c waits; a fails at 10, c enters use (0.5 h failover)."""
    fo = Switchover(Deterministic(0.5))
    sc = scenario_of(
        KofN(2, L("a", "b", "c"), mode="cold", failover=fo),
        {"a": det(10, 5), "b": det(40, 5), "c": det(3, 50)},
    )
    # c enters use at 10 and, cold, has its whole 3 h of life left: fails at 13; a is down
    # until 15 -> down [13, 15) with a going in use at 15 without a switchover.
    assert outages(sc, 16) == [(10, 10.5, "a"), (13, 15, "c")]


def test_shared_instance_takes_every_place_down():
    """p is in both branches of a parallel: its failure takes the service down."""
    service = KofN(1, (Series(L("p", "a")), Series(L("p", "b"))), kind="parallel")
    sc = scenario_of(service, {"p": det(10, 1), "a": det(50, 1), "b": det(50, 1)})
    assert outages(sc, 15) == [(10, 11, "p")]


def test_same_seed_same_timelines():
    from helpers import expo

    sc = scenario_of(KofN(1, L("a", "b")), {"a": expo(10, 5), "b": expo(10, 5)})
    one = simulate(sc, 5, range(3, 7), 500.0)
    two = simulate(sc, 5, range(3, 7), 500.0)
    assert all((x.start == y.start).all() and (x.end == y.end).all() for x, y in zip(one, two))
    other = simulate(sc, 6, range(3, 7), 500.0)
    assert any(len(x) != len(y) or (x.start != y.start).any() for x, y in zip(one, other))


def test_a_replication_does_not_depend_on_the_others_run_with_it():
    """Replication 5 alone equals replication 5 of a run of ten."""
    from helpers import expo

    sc = scenario_of(KofN(1, L("a", "b")), {"a": expo(10, 5), "b": expo(10, 5)})
    alone = simulate(sc, 5, range(5, 6), 500.0)[0]
    among = simulate(sc, 5, range(10), 500.0)[5]
    assert alone.start.tolist() == among.start.tolist() and alone.end.tolist() == among.end.tolist()


@pytest.mark.parametrize("engine", ["des", "fast"])
def test_an_up_of_no_duration_does_not_end_an_outage(engine):
    """Nested standbys: at 10.25 the inner pair is back and the outer one reverts to it at
    once, so the service is never up in between: one outage [10, 10.5), caused by p0."""
    from simulation.engine import fast

    so = Switchover(Deterministic(0.25))
    inner = Standby(L("p0", "p1"), switchover=so)
    service = Standby((inner, *L("p2")), switchover=so, revert=True)
    sc = scenario_of(service, {"p0": det(10, 100), "p1": det(500, 1), "p2": det(500, 1)})
    if engine == "des":
        assert outages(sc, 20) == [(10, 10.5, "p0")]
    else:
        tl = fast.simulate(sc, 0, range(1), 20.0)[0]
        assert (tl.start.tolist(), tl.end.tolist(), tl.cause.tolist()) == ([10.0], [10.5], [0])

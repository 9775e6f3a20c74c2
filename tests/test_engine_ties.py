"""Events at the same instant: both engines follow the tie rule of docs/scenario-format.md
(at one instant, a switchover's end, then failures, then repairs, each in member order;
a block is judged after the whole instant)."""

import pytest
from helpers import L, det, scenario_of

from simulation.engine import des, fast
from simulation.model.distributions import Deterministic
from simulation.model.structure import KofN, Series, Standby, Switchover

ENGINES = {"des": des.simulate, "fast": fast.simulate}
HALF_HOUR = Switchover(Deterministic(0.5))


def outages(engine, scenario, horizon):
    tl = ENGINES[engine](scenario, 0, range(1), horizon)[0]
    ids = list(scenario.instances)
    return [(s, e, ids[c]) for s, e, c in zip(tl.start.tolist(), tl.end.tolist(), tl.cause.tolist())]


@pytest.mark.parametrize("engine", ENGINES)
def test_serving_spare_fails_as_the_first_member_is_repaired(engine):
    """Hot standby [a, b], 30 min switchover; a lives 100 h, b 103 h, both repaired in 3 h.
    At 103 h b (serving) fails at the instant a is repaired: the failure comes first, the
    block has no member up for no time, and a, repaired, serves at once with no
    switchover: 13 switchovers of 30 min in 744 h, 390 min (not 420)."""
    sc = scenario_of(Standby(L("a", "b"), switchover=HALF_HOUR), {"a": det(100, 3), "b": det(103, 3)})
    starts = [100, 203, 209, 306, 315, 409, 421, 512, 527, 615, 633, 718, 739]
    causes = ["a", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b"]
    assert outages(engine, sc, 744.0) == [(s, s + 0.5, c) for s, c in zip(starts, causes)]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_mirror_case(engine):
    """Lives swapped: b fails idle at 100 h; at 103 h a (serving) fails at the instant b is
    repaired, and b serves at once with no switchover. From then on the story is the
    first one with the names swapped: 12 switchovers, 360 min."""
    sc = scenario_of(Standby(L("a", "b"), switchover=HALF_HOUR), {"a": det(103, 3), "b": det(100, 3)})
    starts = [203, 209, 306, 315, 409, 421, 512, 527, 615, 633, 718, 739]
    assert outages(engine, sc, 744.0) == [(s, s + 0.5, "ba"[i % 2]) for i, s in enumerate(starts)]


@pytest.mark.parametrize("engine", ENGINES)
def test_failures_come_before_repairs_in_a_failover_group(engine):
    """Hot parallel with failover: b fails at 10 h as a is repaired. Failure first: no
    member is up for no time, so there is no switchover to pay; the group stays up."""
    group = KofN(1, L("a", "b"), kind="parallel", failover=HALF_HOUR)
    sc = scenario_of(group, {"a": det(5, 5), "b": det(10, 1)})
    # a fails at 5 (b up: switchover [5, 5.5)); at 10 b fails and a is back
    assert outages(engine, sc, 12.0) == [(5, 5.5, "a")]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_cause_is_the_change_that_flipped_the_block(engine):
    """a and b fail at one instant: the series goes down with a, the first in member order."""
    sc = scenario_of(Series(L("a", "b")), {"a": det(10, 2), "b": det(10, 4)})
    assert outages(engine, sc, 13.0) == [(10, 13, "a")]

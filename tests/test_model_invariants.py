"""Model classes check their own invariants, so a scenario built in Python gets the
checks a file gets: a `KofN(3, [a, b])` is refused when it is made, not simulated as
5.6 % available."""

import dataclasses

import pytest

import simulation as sim
from simulation.model.components import ComponentType
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.scenario import RunSettings, Scenario
from simulation.model.sla import Chronic, CreditTier
from simulation.model.structure import Instance, KofN, Leaf, Series, Standby, Switchover

A, B = Leaf("a"), Leaf("b")
FOUR_H = Deterministic(4.0)


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: KofN(3, (A, B)), r"k must be an integer in 1\.\.2 \(the number of members\), got 3"),
        (lambda: KofN(0, (A, B)), r"k must be an integer in 1\.\.2"),
        (lambda: KofN(1.5, (A, B)), r"got 1\.5"),
        (lambda: KofN(1, ()), "non-empty tuple of member blocks"),
        (lambda: KofN(1, (A, B), mode="lukewarm"), "mode must be one of hot, warm, cold"),
        (lambda: Series(("a", "b")), r"a member must be a block, got 'a' \(write Leaf\('a'\)"),
        (lambda: Standby((A, B), switchover=0.1), "switchover must be a Switchover"),
        (
            lambda: Switchover(FOUR_H, coverage=1.5, manual=FOUR_H),
            r"coverage must be a probability in \[0, 1\]",
        ),
        (lambda: Switchover(FOUR_H, coverage=-0.1, manual=FOUR_H), r"in \[0, 1\]"),
        (lambda: Switchover(FOUR_H, coverage=0.9), "needs `manual`"),
        (lambda: Switchover(30.0), "time must be a Distribution"),
        (lambda: Leaf(""), "non-empty str"),
        (lambda: Instance("a", ""), "component must be a non-empty str"),
        (lambda: ComponentType("x", Deterministic(0.0), FOUR_H), "failure of 'x' must have a mean > 0"),
        (lambda: ComponentType("x", FOUR_H, 4.0), "repair of 'x' must be a Distribution"),
        (lambda: ComponentType("x", FOUR_H, FOUR_H, cost_per_year=-1.0), "cost_per_year"),
        (lambda: RunSettings(horizon_hours=0.0), "horizon_hours must be a positive number"),
        (lambda: RunSettings(replications=0), "replications must be >= 1"),
        (lambda: RunSettings(replications=10**15), "simulated years"),
        (lambda: RunSettings(horizon_hours=1e9), "years a replication may simulate"),
        (lambda: CreditTier(below=99.9, credit=0.1), r"below must be a fraction in \[0, 1\], got 99.9"),
        (lambda: CreditTier(below=0.999, credit=10), r"credit must be a fraction in \[0, 1\]"),
        (lambda: Chronic(3, 2), "1 <= breaches <= within"),
        (lambda: Chronic(0, 12), "1 <= breaches <= within"),
    ],
)
def test_bad_model_objects_are_refused_when_made(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


def test_members_given_as_a_list_are_kept_as_a_tuple():
    assert KofN(1, [A, B]).members == (A, B)


def _scenario(service, instances=("a", "b")):
    part = ComponentType("part", Exponential(0.01), FOUR_H)
    return Scenario("t", {"part": part}, {i: Instance(i, "part") for i in instances}, service)


def test_scenario_checks_its_leaves_exist():
    with pytest.raises(ValueError, match=r"instance\(s\) 'c' that are not in instances"):
        _scenario(Series((A, Leaf("c"))))


def test_scenario_checks_component_types_exist():
    part = ComponentType("part", Exponential(0.01), FOUR_H)
    with pytest.raises(ValueError, match="component type 'disk', which is not in components"):
        Scenario("t", {"part": part}, {"a": Instance("a", "disk")}, A)


def test_scenario_checks_instance_keys():
    part = ComponentType("part", Exponential(0.01), FOUR_H)
    with pytest.raises(ValueError, match="the key must be the id"):
        Scenario("t", {"part": part}, {"a": Instance("b", "part")}, A)


def test_replace_checks_again():
    """dataclasses.replace (as the notebook uses it) goes through the same checks."""
    s = _scenario(KofN(1, (A, B)))
    with pytest.raises(ValueError, match="not in instances"):
        dataclasses.replace(s, service=Series((A, Leaf("z"))))


def test_a_valid_python_scenario_runs():
    s = _scenario(KofN(2, (A, B)))
    result = sim.run(s, replications=4, seed=1, horizon=100.0, workers=1, progress=False)
    assert result.replications == 4

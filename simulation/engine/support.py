"""What the engines simulate: the check both engines and the runner make first."""

from __future__ import annotations

from simulation.model.scenario import Scenario
from simulation.model.structure import iter_blocks, leaves
from simulation.scenario.errors import UnsupportedScenario

__all__ = ["UnsupportedScenario", "check_supported", "unsupported_features"]


def unsupported_features(scenario: Scenario) -> list[str]:
    """What `scenario` uses that this version reads and checks but does not simulate
    yet: a demand profile on a warm or cold k-of-n, and steady starts with operations;
    empty when the engines can run it."""
    features = []
    blocks = list(iter_blocks(scenario.service))
    if any(getattr(b, "demand", None) and getattr(b, "mode", "hot") != "hot" for b in blocks):
        features.append("a demand profile on a warm or cold k-of-n")
    if scenario.run.start == "steady" and operated_instances(scenario):
        features.append("a steady start with repair crews or spare pools")
    if scenario.run.start == "steady" and scenario.maintenance:
        features.append("a steady start with maintenance")
    return features


def operated_instances(scenario: Scenario) -> list[str]:
    """The instances of the service whose repairs need a crew or a spare pool."""
    return [
        iid
        for iid in dict.fromkeys(leaves(scenario.service))
        if scenario.component_of(iid).crew is not None or scenario.component_of(iid).spares is not None
    ]


def check_supported(scenario: Scenario) -> None:
    """Raise `UnsupportedScenario` naming every feature that is not simulated yet."""
    features = unsupported_features(scenario)
    if features:
        raise UnsupportedScenario(
            f"scenario uses {', '.join(features)}: read and checked, but not simulated by this "
            "version of slasim; remove them to simulate without them"
        )

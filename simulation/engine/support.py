"""What the engines simulate: the check both engines and the runner make first."""

from __future__ import annotations

from simulation.model.scenario import Scenario
from simulation.model.structure import Network, iter_blocks
from simulation.scenario.errors import UnsupportedScenario

__all__ = ["UnsupportedScenario", "check_supported", "unsupported_features"]


def unsupported_features(scenario: Scenario) -> list[str]:
    """What `scenario` uses that this version reads and checks but does not simulate
    yet: section names (``crews``, ``spares``, ...), ``per-site network sources`` and
    ``demand profiles``; empty when the engines can run it."""
    features = scenario.unsupported_sections()
    blocks = list(iter_blocks(scenario.service))
    if any(isinstance(b, Network) and b.spec.per_site for b in blocks):
        features.append("per-site network sources")
    if any(getattr(b, "demand", None) for b in blocks) and "demand" not in features:
        features.append("demand profiles")
    return features


def check_supported(scenario: Scenario) -> None:
    """Raise `UnsupportedScenario` naming every feature that is not simulated yet."""
    features = unsupported_features(scenario)
    if features:
        raise UnsupportedScenario(
            f"scenario uses {', '.join(features)}: read and checked, but not simulated by this "
            "version of slasim; remove them to simulate without them"
        )

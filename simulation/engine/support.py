"""What the engines simulate: the check both engines and the runner make first."""

from __future__ import annotations

from simulation.model.scenario import Scenario
from simulation.model.structure import Network, iter_blocks


class UnsupportedScenario(ValueError):
    """The scenario uses something the engines do not simulate yet."""


def check_supported(scenario: Scenario) -> None:
    """Raise `UnsupportedScenario` for sections read and checked but not simulated yet."""
    sections = scenario.unsupported_sections()
    if sections:
        raise UnsupportedScenario(
            f"scenario uses {', '.join(sections)}: read and checked, but not simulated by this "
            "version of slasim; remove the section(s) to simulate without them"
        )
    for block in iter_blocks(scenario.service):
        if isinstance(block, Network):
            raise UnsupportedScenario("network blocks are read and checked, but not simulated yet")
        if getattr(block, "demand", None):
            raise UnsupportedScenario("k_of_n with a demand profile is not simulated yet")

"""A whole scenario: components, structure, calendar, contract and run settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.components import ComponentType
from simulation.model.sla import SLA
from simulation.model.structure import Block, Instance

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class RunSettings:
    """Defaults for a run; the CLI and `simulation.run` may override each."""

    horizon_hours: float = HOURS_PER_YEAR
    replications: int = 1000
    seed: int = 0
    #: "new": every part starts new and up; "steady": in its long-run state (engine.steady).
    start: str = "new"


@dataclass(frozen=True, repr=False)
class Scenario:
    """Everything needed to simulate a service and measure it against its SLA.

    Attributes
    ----------
    name, description : str
    calendar : Calendar
    run : RunSettings
    components : mapping of str to ComponentType
    instances : mapping of str to Instance
        Every instance of the structure by id (its path, e.g. ``rack-3/server-12``),
        in structure order.
    service : Block
        The end-to-end structure.
    sla : SLA or None
    hours : mapping of str to WeeklySchedule
        The named schedules of the file.
    source : str or None
        The file the scenario came from.
    crews, spares, maintenance, support, demand
        Sections of the format that are read and checked, kept as plain validated
        data until the engines simulate them (see `unsupported_sections`).
    """

    name: str
    components: Mapping[str, ComponentType]
    instances: Mapping[str, Instance]
    service: Block
    calendar: Calendar = field(default_factory=lambda: Calendar(dt.date(2027, 1, 1)))
    run: RunSettings = field(default_factory=RunSettings)
    sla: SLA | None = None
    hours: Mapping[str, WeeklySchedule] = field(default_factory=dict)
    description: str = ""
    source: str | None = None
    crews: Mapping[str, Any] = field(default_factory=dict)
    spares: Mapping[str, Any] = field(default_factory=dict)
    maintenance: tuple[Any, ...] = ()
    support: Mapping[str, Any] | None = None
    demand: Mapping[str, Any] = field(default_factory=dict)

    def unsupported_sections(self) -> list[str]:
        """Sections this version reads and checks but does not simulate yet."""
        present = {
            "crews": self.crews,
            "spares": self.spares,
            "maintenance": self.maintenance,
            "support": self.support,
            "demand": self.demand,
        }
        return [k for k, v in present.items() if v]

    def __repr__(self) -> str:
        sla = "no SLA"
        if self.sla is not None:
            sla = f"SLA {100 * self.sla.target:g} % per {self.sla.window_label}"
        return (
            f"<Scenario {self.name!r}: {len(self.instances)} instances of "
            f"{len(self.components)} component types, {sla}, "
            f"{self.run.replications} x {self.run.horizon_hours:g} h>"
        )

    def component_of(self, instance_id: str) -> ComponentType:
        return self.components[self.instances[instance_id].component]

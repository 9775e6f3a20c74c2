"""A whole scenario: components, structure, calendar, contract and run settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.components import ComponentType
from simulation.model.operations import (
    Crew,
    DemandProfile,
    FrozenMap,
    MaintenanceRule,
    SparePool,
    SupportDesk,
)
from simulation.model.sla import SLA
from simulation.model.structure import Block, Instance, leaves

HOURS_PER_YEAR = 8760.0

#: Bounds that stop a mistyped number (``replications: 1e308``) before any work starts.
#: They are far above any study this version can finish: 100 million simulated years
#: take days even with the fast engine.
MAX_HORIZON_HOURS = 1000 * HOURS_PER_YEAR
MAX_SIMULATED_YEARS = 1e8


def check_run_size(replications: int, horizon_hours: float) -> None:
    """Raise ValueError when replications x horizon is beyond `MAX_SIMULATED_YEARS`,
    or the horizon beyond `MAX_HORIZON_HOURS`."""
    if horizon_hours > MAX_HORIZON_HOURS:
        raise ValueError(
            f"a horizon of {horizon_hours:.4g} h is more than the {MAX_HORIZON_HOURS / HOURS_PER_YEAR:g} "
            "years a replication may simulate"
        )
    years = replications * horizon_hours / HOURS_PER_YEAR
    if years > MAX_SIMULATED_YEARS:
        raise ValueError(
            f"{replications:.4g} replications x {horizon_hours:.4g} h is {years:.3g} simulated years, "
            f"more than the {MAX_SIMULATED_YEARS:.0e} this version allows in one run"
        )


@dataclass(frozen=True)
class RunSettings:
    """Defaults for a run; the CLI and `simulation.run` may override each.

    Raises ValueError for a horizon <= 0, replications < 1, a seed < 0, or a run
    beyond `check_run_size`.
    """

    horizon_hours: float = HOURS_PER_YEAR
    replications: int = 1000
    seed: int = 0
    #: The horizon as written in whole years (``2y``), else None: a run then simulates
    #: that many calendar years of contract (`simulation.measure.windows.years_horizon`),
    #: not ``horizon_hours``.
    horizon_years: int | None = None
    #: "new": every part starts new and up; "steady": in its long-run state (engine.steady).
    start: str = "new"

    def __post_init__(self):
        if not (self.horizon_hours > 0 and math.isfinite(self.horizon_hours)):
            raise ValueError(f"horizon_hours must be a positive number, got {self.horizon_hours}")
        if self.replications < 1:
            raise ValueError(f"replications must be >= 1, got {self.replications}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if self.horizon_years is not None and self.horizon_years < 1:
            raise ValueError(f"horizon_years must be >= 1, got {self.horizon_years}")
        check_run_size(self.replications, self.horizon_hours)


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
    crews : mapping of str to Crew
    spares : mapping of str to SparePool
    maintenance : tuple of MaintenanceRule
    support : SupportDesk or None
        The support desk, measured from the outage timelines after the run.
    demand : mapping of str to DemandProfile

    The mappings are read-only (`FrozenMap`): a scenario does not change once built.
    changes : tuple of (str, value)
        The key-path changes applied to the file's data, in order (empty for a file as
        written).
    data : mapping or None
        The file's data as read (before templates are expanded and values resolved):
        what `with_` changes by key path. None for a scenario built in Python.
    folder : str or None
        Where relative paths in `data` (an empirical ``csv:``, a network ``file:``) are
        resolved.
    uncertain : tuple of UncertainInput
        The values the file gives as ranges (`simulation.scenario.uncertain`); the
        scenario holds each at its midpoint.
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
    crews: Mapping[str, Crew] = field(default_factory=dict)
    spares: Mapping[str, SparePool] = field(default_factory=dict)
    maintenance: tuple[MaintenanceRule, ...] = ()
    support: SupportDesk | None = None
    demand: Mapping[str, DemandProfile] = field(default_factory=dict)
    data: Mapping[str, Any] | None = field(default=None, compare=False)
    folder: str | None = field(default=None, compare=False)
    #: The key-path changes made to the file's data (`with_`, ``--set``, a sweep's
    #: variant), in order: ``((path, value), ...)``; shown in the summary and report.
    changes: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    uncertain: tuple = field(default=(), compare=False)

    def __post_init__(self):
        """Read-only sections, and the checks a scenario file gets, for scenarios built in
        Python too."""
        for name in ("components", "instances", "hours", "crews", "spares", "demand"):
            object.__setattr__(self, name, FrozenMap(getattr(self, name)))
        object.__setattr__(self, "maintenance", tuple(self.maintenance))
        for iid, inst in self.instances.items():
            if inst.id != iid:
                raise ValueError(f"instances[{iid!r}] has id {inst.id!r}; the key must be the id")
            if inst.component not in self.components:
                raise ValueError(
                    f"instance {iid!r} is of component type {inst.component!r}, which is not in components"
                )
        missing = [i for i in leaves(self.service) if i not in self.instances]
        if missing:
            raise ValueError(
                f"the service uses instance(s) {', '.join(map(repr, missing[:5]))} that are not in instances"
            )

    def __repr__(self) -> str:
        sla = "no SLA"
        if self.sla is not None:
            sla = f"SLA {100 * self.sla.target:g} % per {self.sla.window_label}"
        return (
            f"<Scenario {self.name!r}: {len(self.instances)} instances of "
            f"{len(self.components)} component types, {sla}, "
            f"{self.run.replications} x {self.run.horizon_hours:g} h>"
        )

    def with_(self, changes: Mapping[str, Any] | None = None, /, **paths: Any) -> Scenario:
        """This scenario with values changed by key path, checked as a scenario file is.

        Examples: ``scenario.with_({"sla.target": "99.95%"})``,
        ``scenario.with_(**{"components.web-server.failure.mtbf": "20000h"})``. See
        `simulation.scenario.keypath.apply_changes` for the key-path grammar and errors.
        """
        from simulation.scenario.keypath import apply_changes

        return apply_changes(self, {**(changes or {}), **paths}, origin="Scenario.with_")

    def maintenance_of(self, instance_id: str) -> tuple:
        """The maintenance rules that target an instance, by its id or its component
        type, in the order of the scenario (`MaintenanceRule.applies_to`)."""
        component = self.instances[instance_id].component
        return tuple(r for r in self.maintenance if r.applies_to(instance_id, component))

    def component_of(self, instance_id: str) -> ComponentType:
        """The component type of an instance, with the instance's own `failure` where it
        has one (a length-scaled part of a network link)."""
        instance = self.instances[instance_id]
        comp = self.components[instance.component]
        if instance.failure is not None:
            return dataclasses.replace(comp, failure=instance.failure, failure_per_km=None)
        return comp

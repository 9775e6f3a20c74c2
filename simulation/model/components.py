"""Component types: how one kind of part fails, is repaired and what it costs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.model.distributions import Distribution


@dataclass(frozen=True)
class ComponentType:
    """A kind of part; every use of it in a structure is a new instance.

    Attributes
    ----------
    name : str
    failure : Distribution
        Time to failure while in use, hours (renewal: a repaired part is as good as new).
    repair : Distribution
        Time to repair once the repair starts, hours.
    idle_failure : Distribution or None
        Time to failure while waiting as a warm spare, hours. None: a warm spare fails
        at its `failure` rate (the cautious reading).
    crew, spares : str or None
        The repair crew and spare-part pool a repair needs (names in the scenario).
    cost_per_year : float or None
        Running cost of one instance, currency units per year.
    failure_per_km : float or None
        Set for a part whose failure rate scales with the length of the link it is on
        (``failure: {rate: 2.5/y, per: 1000km}``): failures per hour per km. `failure`
        is then the exponential time to failure of one km; a link of L km fails at
        rate ``failure_per_km * L``.
    """

    name: str
    failure: Distribution
    repair: Distribution
    idle_failure: Distribution | None = None
    crew: str | None = None
    spares: str | None = None
    cost_per_year: float | None = None
    failure_per_km: float | None = None

    def __post_init__(self):
        for what in ("failure", "repair", "idle_failure"):
            value = getattr(self, what)
            if value is None and what == "idle_failure":
                continue
            if not isinstance(value, Distribution):
                raise ValueError(f"{what} of {self.name!r} must be a Distribution (hours), got {value!r}")
        for what in ("failure", "idle_failure"):
            value = getattr(self, what)
            if value is not None and not value.mean > 0:
                # a part that fails the instant it is repaired would never let time advance
                raise ValueError(f"{what} of {self.name!r} must have a mean > 0, got {value!r}")
        if self.cost_per_year is not None and not (
            self.cost_per_year >= 0 and math.isfinite(self.cost_per_year)
        ):
            raise ValueError(f"cost_per_year of {self.name!r} must be >= 0, got {self.cost_per_year!r}")
        if self.failure_per_km is not None and not (
            self.failure_per_km > 0 and math.isfinite(self.failure_per_km)
        ):
            raise ValueError(f"failure_per_km of {self.name!r} must be > 0, got {self.failure_per_km!r}")

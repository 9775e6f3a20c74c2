"""The SLA contract: what is promised, per which window, and what a miss costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulation.model.calendar import WeeklySchedule

#: Targets tried, in order, for the achievable target.
TARGET_LADDER = (0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99995, 0.99999)


@dataclass(frozen=True)
class Rolling:
    """Consecutive windows of `hours` elapsed hours from the start of the calendar."""

    hours: float


Window = Literal["month", "quarter", "year"] | Rolling


@dataclass(frozen=True)
class IntervalRule:
    """Count a cell of `length_hours` as down if `any` / a `majority` of it is down."""

    length_hours: float
    rule: Literal["any", "majority"] = "any"


@dataclass(frozen=True)
class CreditTier:
    """A service credit of `credit` (fraction of the fee) when availability < `below`."""

    below: float
    credit: float

    def __post_init__(self):
        for what in ("below", "credit"):
            value = getattr(self, what)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"CreditTier {what} must be a fraction in [0, 1], got {value!r}")


@dataclass(frozen=True)
class Chronic:
    """`breaches` breached windows within any `within` consecutive ones."""

    breaches: int
    within: int

    def __post_init__(self):
        if not 1 <= self.breaches <= self.within:
            raise ValueError(f"Chronic needs 1 <= breaches <= within, got {self.breaches} in {self.within}")


@dataclass(frozen=True)
class SLA:
    """An availability SLA as the contract measures it.

    Attributes
    ----------
    target : float
        Availability promised per window (fraction, e.g. 0.999).
    window : "month", "quarter", "year" or Rolling
    service_hours : WeeklySchedule
        Hours in which availability counts (local time of the calendar).
    exclude : frozenset of str
        Outage kinds not counted; ``"announced_maintenance"`` excludes announced
        maintenance.
    min_outage_hours : float
        Outages shorter than this are not counted (judged on the whole outage).
    interval : IntervalRule or None
        Rounding of downtime to cells laid from the start of each service period.
    credits : tuple of CreditTier
        Not additive: the largest credit whose `below` is above the availability.
    risk : float
        Breach probability accepted when computing the achievable target.
    chronic : Chronic or None
        The termination right for repeated breaches.
    """

    target: float
    window: Window = "month"
    service_hours: WeeklySchedule = field(default_factory=WeeklySchedule.always)
    exclude: frozenset[str] = frozenset()
    min_outage_hours: float = 0.0
    interval: IntervalRule | None = None
    credits: tuple[CreditTier, ...] = ()
    risk: float = 0.05
    chronic: Chronic | None = None

    def credit_for(self, availability):
        """Credit fraction for window availabilities (scalar or array)."""
        import numpy as np

        a = np.asarray(availability, dtype=float)
        out = np.zeros_like(a)
        for tier in self.credits:
            out = np.where(a < tier.below, np.maximum(out, tier.credit), out)
        return out if out.ndim else float(out)

    @property
    def window_label(self) -> str:
        return self.window if isinstance(self.window, str) else f"rolling {self.window.hours / 24:g}d"

"""The SLA contract: what is promised, per which window, and what a miss costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulation.model.calendar import WeeklySchedule

#: How the accepted risk of the achievable target is stated: per contract year or per window.
RISK_PER = ("year", "window")
#: How excluded time is read: up time inside the service time, or not service time at all.
EXCLUDED_TIME = ("count_as_up", "remove_from_service")


@dataclass(frozen=True)
class Rolling:
    """Consecutive blocks of `hours` elapsed hours from the start of the calendar.

    Each block is one window, judged once on its own downtime (``{rolling: 30d}``).
    """

    hours: float


@dataclass(frozen=True)
class Sliding:
    """The SLO judged at every instant over the trailing `hours` elapsed hours.

    Reported per calendar month: the lowest trailing availability reached at any
    instant of the month (``{sliding: 30d}``). See `simulation.measure.windows` for
    which months are reported and `simulation.measure.meter` for the measurement.
    """

    hours: float


Window = Literal["month", "quarter", "year"] | Rolling | Sliding


@dataclass(frozen=True)
class DownOver:
    """A cell counts when down for more than `share` of its length (``0 <= share < 1``).

    The timeslice rule of OpenSLO (a slice is bad when its ratio of good time falls
    below a threshold); ``"any"`` is the share 0 and ``"majority"`` the share 0.5.
    """

    share: float

    def __post_init__(self):
        if not 0.0 <= self.share < 1.0:
            raise ValueError(f"down_over share ({self.share}) must be in [0, 1); use the rule 'whole' for 1")


@dataclass(frozen=True)
class IntervalRule:
    """Downtime rounded to cells of `length_hours`: a cell counts whole or not at all.

    `rule` says when a cell counts: ``"any"`` (down for a positive time),
    ``"majority"`` (down for more than half of it), ``"whole"`` (down for all of it)
    or ``DownOver(share)`` (down for more than `share` of it). A cell's length is its
    part inside one service period (the last cell of a period is cut at its end).
    """

    length_hours: float
    rule: Literal["any", "majority", "whole"] | DownOver = "any"

    def __post_init__(self):
        self.down_over  # noqa: B018 -- validates the rule

    @property
    def down_over(self) -> float | None:
        """The share of a cell that must be exceeded for it to count; None for ``"whole"``.

        Raises
        ------
        ValueError
            For an unknown rule (also raised when the rule is built).
        """
        if isinstance(self.rule, DownOver):
            return float(self.rule.share)
        shares = {"any": 0.0, "majority": 0.5, "whole": None}
        if self.rule not in shares:
            raise ValueError(
                f"interval rule {self.rule!r} must be 'any', 'majority', 'whole' or DownOver(share)"
            )
        return shares[self.rule]

    @property
    def label(self) -> str:
        """``"any"``, ``"majority"``, ``"whole"`` or ``"down_over 10%"``."""
        if isinstance(self.rule, DownOver):
            return f"down_over {100 * self.rule.share:g}%"
        return self.rule


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
class Fee:
    """The fee the customer pays per SLA window: `amount` in `currency` (ISO 4217 code)."""

    amount: float
    currency: str

    def __post_init__(self):
        if not (self.amount >= 0 and self.amount < float("inf")):
            raise ValueError(f"a fee must be a finite amount >= 0, got {self.amount}")
        if not (len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper()):
            raise ValueError(f"a currency is a three-letter code such as EUR, got {self.currency!r}")


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
    window : "month", "quarter", "year", Rolling or Sliding
    service_hours : WeeklySchedule
        Hours in which availability counts (local time of the calendar).
    exclude : frozenset of str
        Outage kinds not counted; ``"announced_maintenance"`` excludes announced
        maintenance.
    excluded_time : "count_as_up" or "remove_from_service"
        How the time of excluded outages is read. ``"count_as_up"``: it stays in the
        service time and counts as up, availability = (service - down) / service.
        ``"remove_from_service"``: it is not service time, availability = (service -
        excluded - down) / (service - excluded). Daily announced maintenance
        03:00-03:15 and 60 minutes of other downtime in a 30-day month give 0.99861111
        and 0.99859649.
    min_outage_hours : float
        Outages shorter than this are not counted (judged on the whole outage).
    interval : IntervalRule or None
        Rounding of downtime to cells laid from the start of each service period.
    credits : tuple of CreditTier
        Not additive: the largest credit whose `below` is above the availability.
    risk : float
        Breach probability accepted for the achievable target, per `risk_per`.
    risk_per : "year" or "window"
        ``"year"``: `risk` bounds P(at least one breached window in a contract year);
        ``"window"``: P(a window is breached).
    fee : Fee or None
        What the customer pays per window, to state expected credits in money.
    chronic : Chronic or None
        The termination right for repeated breaches.
    customers : int or None
        Identical contracts sold on the same infrastructure (a portfolio), for the
        portfolio's credits per year (`Result.portfolio`).
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
    risk_per: Literal["year", "window"] = "year"
    fee: Fee | None = None
    excluded_time: Literal["count_as_up", "remove_from_service"] = "count_as_up"
    customers: int | None = None

    def __post_init__(self):
        if self.customers is not None and not (isinstance(self.customers, int) and self.customers >= 1):
            raise ValueError(f"customers must be an integer >= 1, got {self.customers!r}")
        if self.risk_per not in RISK_PER:
            raise ValueError(f"risk_per must be one of {', '.join(RISK_PER)}, got {self.risk_per!r}")
        if self.excluded_time not in EXCLUDED_TIME:
            raise ValueError(
                f"excluded_time must be one of {', '.join(EXCLUDED_TIME)}, got {self.excluded_time!r}"
            )

    def tiers_at(self, target: float) -> tuple[CreditTier, ...]:
        """The credit tiers as they would read if the contract promised `target`.

        Every tier keeps its distance below the target: it moves by ``target -
        self.target`` (a tier at the contract's target moves to `target` exactly); a
        tier moved to 0 % or below can never apply and is left out. At the contract's
        own target these are the contract's tiers.

        Examples
        --------
        >>> sla = SLA(0.999, credits=(CreditTier(0.999, 0.1), CreditTier(0.99, 0.25)))
        >>> [(round(t.below, 6), t.credit) for t in sla.tiers_at(0.9995)]
        [(0.9995, 0.1), (0.9905, 0.25)]
        """
        shift = target - self.target
        tiers = []
        for tier in self.credits:
            below = target if tier.below == self.target else min(1.0, tier.below + shift)
            if below > 0:
                tiers.append(CreditTier(below, tier.credit))
        return tuple(tiers)

    def credit_for(self, availability, target: float | None = None):
        """Credit fraction for window availabilities (scalar or array).

        With `target`, the tiers of `tiers_at(target)` apply instead of the contract's.
        """
        import numpy as np

        a = np.asarray(availability, dtype=float)
        out = np.zeros_like(a)
        for tier in self.credits if target is None else self.tiers_at(target):
            out = np.where(a < tier.below, np.maximum(out, tier.credit), out)
        return out if out.ndim else float(out)

    @property
    def window_label(self) -> str:
        """``"month"``, ``"quarter"``, ``"year"``, ``"rolling 30d"`` or ``"month (sliding 30d)"``."""
        if isinstance(self.window, str):
            return self.window
        if isinstance(self.window, Sliding):
            return f"month (sliding {self.window.hours / 24:g}d)"
        return f"rolling {self.window.hours / 24:g}d"

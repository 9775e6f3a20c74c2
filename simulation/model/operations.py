"""Operations: repair crews, spare pools, maintenance rules, the support desk, demand.

These are the `crews`, `spares`, `maintenance`, `support` and `demand` sections of a
scenario as frozen model objects in model units (hours, fractions, per-hour rates,
`Distribution` objects). Each checks its own invariants when built, so a scenario built
in Python gets the same checks as one read from a file (which also names the file, line
and key path).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from simulation.model.calendar import WeeklySchedule
from simulation.model.distributions import Deterministic, Distribution

PERIODS = ("day", "week", "month", "quarter", "year")
ORDINALS = ("first", "second", "third", "fourth", "last")
PRIORITIES = ("criticality", "fifo")
PROFILES = ("daily", "weekly")


class FrozenMap(Mapping):
    """A read-only mapping (picklable, unlike `types.MappingProxyType`).

    The frozen `Scenario` keeps its named sections in these, so ``s.crews["onsite"] = x``
    raises TypeError instead of changing a scenario that engines may be running.
    """

    __slots__ = ("_data",)

    def __init__(self, data=()):
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __getstate__(self):
        return self._data

    def __setstate__(self, state):
        object.__setattr__(self, "_data", state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class Crew:
    """A named pool of technicians who repair the parts whose type names the crew.

    Attributes
    ----------
    name : str
    size : int
        Technicians, >= 1.
    hours : WeeklySchedule
        When they work (local time of the calendar, holidays off); default 24x7.
    response : Distribution or None
        Call-out and travel before work starts, hours; None: no delay.
    overtime : bool
        A repair still running when the shift ends continues (True) or pauses until the
        next shift (False). Default (None given): True for a 24x7 crew, else False.
    priority : "criticality" or "fifo"
        Order of the repairs waiting for a technician.
    cost_per_year : float or None
        What the whole crew costs, currency units per year (`simulation.study.cost`).

    Raises
    ------
    ValueError
        For a size below 1, an unknown priority or a negative cost.
    """

    name: str
    size: int = 1
    hours: WeeklySchedule = field(default_factory=WeeklySchedule.always)
    response: Distribution | None = None
    overtime: bool | None = None
    priority: Literal["criticality", "fifo"] = "criticality"
    cost_per_year: float | None = None

    def __post_init__(self):
        _check(
            self.cost_per_year is None or (self.cost_per_year >= 0 and math.isfinite(self.cost_per_year)),
            f"crew {self.name!r}: cost_per_year must be >= 0, got {self.cost_per_year!r}",
        )
        _check(
            isinstance(self.size, int) and self.size >= 1,
            f"crew {self.name!r}: size must be >= 1, got {self.size}",
        )
        _check(
            self.priority in PRIORITIES,
            f"crew {self.name!r}: priority must be one of {', '.join(PRIORITIES)}, got {self.priority!r}",
        )
        if self.overtime is None:
            object.__setattr__(self, "overtime", self.hours.is_always)


@dataclass(frozen=True)
class SparePool:
    """Spare parts on the shelf: `stock` at the start, each use reordered.

    Attributes
    ----------
    name : str
    stock : int
        Parts in stock at t = 0, >= 0.
    lead_time : Distribution
        Resupply time of one ordered part, hours.
    holding_cost_per_year : float or None
        What keeping one part in stock costs, currency units per year; the pool costs
        ``stock * holding_cost_per_year`` (`simulation.study.cost`).
    """

    name: str
    stock: int
    lead_time: Distribution
    holding_cost_per_year: float | None = None

    def __post_init__(self):
        _check(
            self.holding_cost_per_year is None
            or (self.holding_cost_per_year >= 0 and math.isfinite(self.holding_cost_per_year)),
            f"spare pool {self.name!r}: holding_cost_per_year must be >= 0, "
            f"got {self.holding_cost_per_year!r}",
        )
        _check(
            isinstance(self.stock, int) and self.stock >= 0,
            f"spare pool {self.name!r}: stock must be >= 0, got {self.stock}",
        )


@dataclass(frozen=True)
class MaintenanceTime:
    """When in its period a maintenance job starts (local time).

    ``02:00`` (every day), ``sunday 03:00`` (every week), ``first sunday 02:00`` or
    ``15 02:00`` (day of the month; every month, quarter or year).

    Attributes
    ----------
    ordinal : str or None
        One of `ORDINALS` with a weekday ("first sunday").
    weekday : int or None
        Monday = 0.
    day : int or None
        Day of the month, 1..31.
    minute : int
        Minutes after local midnight, 0..1439.
    """

    ordinal: str | None = None
    weekday: int | None = None
    day: int | None = None
    minute: int = 0

    def __post_init__(self):
        _check(0 <= self.minute < 1440, f"minute must be in 0..1439, got {self.minute}")
        _check(self.ordinal is None or self.ordinal in ORDINALS, f"unknown ordinal {self.ordinal!r}")
        _check(self.ordinal is None or self.weekday is not None, "an ordinal needs a weekday")
        _check(self.weekday is None or 0 <= self.weekday <= 6, f"weekday must be 0..6, got {self.weekday}")
        _check(self.day is None or 1 <= self.day <= 31, f"day must be 1..31, got {self.day}")
        _check(self.day is None or self.weekday is None, "give a weekday or a day of the month, not both")


@dataclass(frozen=True)
class MaintenanceRule:
    """A maintenance job on some parts: recurring, or at listed local times.

    Attributes
    ----------
    name : str
    targets : tuple of str
        Component types, shared instance names or instance ids.
    every : str, float or None
        One of `PERIODS`, or a period in hours; None for jobs at listed times.
    at : MaintenanceTime or tuple of datetime.datetime
        When in its period a recurring job starts, or the local start times (sorted) of
        one-off jobs.
    duration : Distribution
        How long a job takes, hours (a plain duration is `Deterministic`).
    rolling : bool
        One member of a redundant group at a time.
    announced : bool
        Announced maintenance may be excluded by the SLA.

    Raises
    ------
    ValueError
        Without targets, for an unknown period, a duration with mean 0, or `every` and
        `at` that do not fit together (listed times take no `every`).
    """

    name: str
    targets: tuple[str, ...]
    every: str | float | None = None
    at: MaintenanceTime | tuple[dt.datetime, ...] = field(default_factory=MaintenanceTime)
    duration: Distribution = field(default_factory=lambda: Deterministic(1.0))
    rolling: bool = False
    announced: bool = False

    def applies_to(self, iid: str, component: str) -> bool:
        """True when the rule targets instance `iid` (of component type `component`), by
        its id or its type."""
        return iid in self.targets or component in self.targets

    def __post_init__(self):
        object.__setattr__(self, "targets", tuple(self.targets))
        _check(bool(self.targets), f"maintenance {self.name!r}: needs at least one target")
        if isinstance(self.at, MaintenanceTime):
            _check(self.every is not None, f"maintenance {self.name!r}: a recurring job needs every")
            if isinstance(self.every, str):
                _check(self.every in PERIODS, f"maintenance {self.name!r}: every must be one of {PERIODS}")
            else:
                _check(
                    self.every > 0, f"maintenance {self.name!r}: every must be > 0 hours, got {self.every}"
                )
        else:
            object.__setattr__(self, "at", tuple(sorted(self.at)))
            _check(self.every is None, f"maintenance {self.name!r}: jobs at listed times take no every")
            _check(bool(self.at), f"maintenance {self.name!r}: needs at least one start time")
        _check(self.duration.mean > 0, f"maintenance {self.name!r}: duration must have a mean > 0")


@dataclass(frozen=True)
class Channel:
    """A way customers reach the support desk.

    Attributes
    ----------
    name : str
        e.g. ``phone``, ``email``, ``chat``.
    share : float
        Fraction of the tickets that come by this channel, in (0, 1].
    handle : Distribution
        Handling time of one ticket by an agent, hours.
    response_hours : float or None
        Response-time objective: a ticket should be picked up within this many hours
        of its arrival. None: the channel has no objective.
    """

    name: str
    share: float
    handle: Distribution
    response_hours: float | None = None

    def __post_init__(self):
        _check(0 < self.share <= 1, f"channel {self.name!r}: share must be in (0, 1], got {self.share}")
        _check(self.handle.mean > 0, f"channel {self.name!r}: handling time must have a mean > 0")
        _check(
            self.response_hours is None or self.response_hours > 0,
            f"channel {self.name!r}: response objective must be > 0 hours, got {self.response_hours}",
        )


@dataclass(frozen=True)
class SupportDesk:
    """The support desk: agents on shifts answering tickets from several channels.

    Attributes
    ----------
    agents : int
        Agents on duty during `hours`, >= 1.
    hours : WeeklySchedule
        When agents pick up tickets (local time, holidays off); default 24x7.
    rate_per_hour : float
        Background tickets (a Poisson process), per hour, >= 0.
    per_outage : float
        Mean number of tickets each service outage raises, >= 0.
    channels : tuple of Channel
        Shares add up to 1.
    target : float or None
        The support SLO: the share of a window's tickets to answer within their
        channel's objective (e.g. 0.95). None: no support SLO.

    Raises
    ------
    ValueError
        For counts or rates out of range, no channel, duplicate channel names, shares
        that do not add up to 1, or a target outside (0, 1].
    """

    agents: int
    channels: tuple[Channel, ...]
    hours: WeeklySchedule = field(default_factory=WeeklySchedule.always)
    rate_per_hour: float = 0.0
    per_outage: float = 0.0
    target: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "channels", tuple(self.channels))
        _check(isinstance(self.agents, int) and self.agents >= 1, f"agents must be >= 1, got {self.agents}")
        _check(
            math.isfinite(self.rate_per_hour) and self.rate_per_hour >= 0,
            f"ticket rate must be >= 0 per hour, got {self.rate_per_hour}",
        )
        _check(
            math.isfinite(self.per_outage) and self.per_outage >= 0,
            f"tickets per outage must be >= 0, got {self.per_outage}",
        )
        _check(bool(self.channels), "a support desk needs at least one channel")
        names = [c.name for c in self.channels]
        _check(len(set(names)) == len(names), f"channel names must be distinct, got {names}")
        total = sum(c.share for c in self.channels)
        _check(abs(total - 1.0) <= 1e-9, f"channel shares add up to {total * 100:.6g}%, not 100%")
        _check(
            self.target is None or 0 < self.target <= 1,
            f"support target must be in (0, 1], got {self.target}",
        )

    def channel(self, name: str) -> Channel:
        for c in self.channels:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class DemandProfile:
    """A step profile of demand (members a k-of-n block needs) in local time.

    Attributes
    ----------
    name : str
    profile : "daily" or "weekly"
    points : tuple of (int, float)
        ``(minute, demand)`` sorted by minute: minutes after local midnight (daily) or
        after Monday 00:00 (weekly); the demand holds from its minute to the next point
        (the last one wraps to the first).
    """

    name: str
    profile: Literal["daily", "weekly"]
    points: tuple[tuple[int, float], ...]

    def __post_init__(self):
        object.__setattr__(self, "points", tuple((int(m), float(v)) for m, v in self.points))
        _check(self.profile in PROFILES, f"demand {self.name!r}: profile must be daily or weekly")
        _check(bool(self.points), f"demand {self.name!r}: needs at least one point")
        span = 1440 if self.profile == "daily" else 7 * 1440
        minutes = [m for m, _ in self.points]
        _check(
            minutes == sorted(set(minutes)) and 0 <= minutes[0] and minutes[-1] < span,
            f"demand {self.name!r}: points must be distinct minutes in 0..{span - 1}, sorted",
        )
        _check(all(v >= 0 for _, v in self.points), f"demand {self.name!r}: demand must be >= 0")

    @property
    def peak(self) -> float:
        return max(v for _, v in self.points)

    @property
    def peak_members(self) -> int:
        """Members needed at the peak (rounded up)."""
        return int(math.ceil(self.peak - 1e-9))

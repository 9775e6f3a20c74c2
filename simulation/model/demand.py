"""Demand profiles on the calendar: when the members a k-of-n block needs change.

A `DemandProfile` gives demand as steps in local wall-clock time, repeating every day
(``daily``) or every week from Monday 00:00 (``weekly``). A block needs as many up
members as its demand, rounded up (demand 2.5 needs 3 members; demand 0 needs none:
the block is then up even with every member down). `demand_steps` lays the steps out
on model time: each point's local time is read as every local time is
(`simulation.model.calendar.local_to_utc`: a time the clock skips is the instant the
clock passes it, a time the clock shows twice is its first occurrence), so on the
Sunday the clocks go forward a daily step at 08:00 is still at 08:00 on the wall clock,
and two points inside the skipped hour fall on one instant, where the later point's
demand holds.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np

from simulation.model.calendar import Calendar
from simulation.model.operations import DemandProfile
from simulation.model.structure import iter_blocks

_DAY = dt.timedelta(days=1)


def members_needed(demand: float) -> int:
    """Members that carry `demand` (each member carries 1): the demand rounded up."""
    return int(math.ceil(demand - 1e-9)) if demand > 0 else 0


@lru_cache(maxsize=64)
def demand_steps(profile: DemandProfile, calendar: Calendar, horizon_hours: float) -> tuple[int, tuple]:
    """The members needed at t = 0 and the changes of that number within the horizon.

    Parameters
    ----------
    profile : DemandProfile
    calendar : Calendar
        Model time 0 is local midnight of `calendar.start`.
    horizon_hours : float
        End of the simulated time, > 0.

    Returns
    -------
    (k0, steps)
        `k0`: members needed at t = 0 (the profile's value in effect at local midnight
        of the start date, wrapping from the previous day or week). `steps`: a tuple of
        ``(hours, k)`` in time order, each a change of the members needed at model time
        ``0 < hours < horizon_hours`` (a point that does not change the number is left
        out).

    Examples
    --------
    >>> p = DemandProfile("office", "daily", ((0, 1), (8 * 60, 3), (18 * 60, 1)))
    >>> demand_steps(p, Calendar(dt.date(2027, 1, 4), "Europe/Amsterdam"), 48.0)
    (1, ((8.0, 3), (18.0, 1), (32.0, 3), (42.0, 1)))
    """
    horizon_hours = float(horizon_hours)
    if not (0 < horizon_hours < math.inf):
        raise ValueError(f"horizon_hours must be > 0 and finite, got {horizon_hours}")
    period_days = 1 if profile.profile == "daily" else 7
    first = calendar.start - dt.timedelta(days=period_days)
    if period_days == 7:
        first -= dt.timedelta(days=first.weekday())  # the Monday the week's minutes count from
    last = calendar.local(horizon_hours).date() + _DAY
    times: list[float] = []
    values: list[int] = []
    day = first
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time())
        for minute, demand in profile.points:
            local = midnight + dt.timedelta(minutes=minute)
            times.append(calendar.hours(local))
            values.append(members_needed(demand))
        day += dt.timedelta(days=period_days)
    t = np.asarray(times)
    k = np.asarray(values)
    # stable: of points that fall on one instant (inside a skipped hour) the later holds
    order = np.argsort(t, kind="stable")
    t, k = t[order], k[order]
    at_start = np.searchsorted(t, 0.0, side="right") - 1
    k0 = int(k[at_start])
    steps: list[tuple[float, int]] = []
    current = k0
    for i in range(at_start + 1, t.size):
        if t[i] >= horizon_hours:
            break
        if i + 1 < t.size and t[i + 1] == t[i]:
            continue
        if k[i] != current and t[i] > 0:
            steps.append((float(t[i]), int(k[i])))
            current = int(k[i])
    return k0, tuple(steps)


def has_demand(scenario) -> bool:
    """True when a block of `scenario.service` follows a demand profile."""
    return any(getattr(b, "demand", None) is not None for b in iter_blocks(scenario.service))

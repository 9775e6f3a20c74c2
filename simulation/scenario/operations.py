"""The operational sections: `crews`, `spares`, `maintenance`, `support`, `demand`.

Each is read into the frozen model objects of `simulation.model.operations`:

- crews: ``{name: Crew}``
- spares: ``{name: SparePool}``
- maintenance: tuple of `MaintenanceRule`
- support: `SupportDesk`
- demand: ``{name: DemandProfile}``
"""

from __future__ import annotations

import datetime as dt
import re

from simulation.model.calendar import WeeklySchedule
from simulation.model.operations import (
    ORDINALS,
    PERIODS,
    PRIORITIES,
    PROFILES,
    Channel,
    Crew,
    DemandProfile,
    MaintenanceRule,
    MaintenanceTime,
    SparePool,
    SupportDesk,
)
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
    duration,
    expect_bool,
    expect_int,
    expect_list,
    expect_map,
    expect_number,
    expect_str,
    type_name,
)
from simulation.scenario.contract import DAYS, schedule_ref
from simulation.scenario.distributions import parse_distribution
from simulation.scenario.errors import did_you_mean, nearest

WEEKDAY_NAMES = {
    **{d: i for i, d in enumerate(DAYS)},
    **{
        n: i
        for i, n in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    },
}
CREW_KEYS = ("size", "hours", "response", "overtime", "priority", "cost")


def parse_crews(value, at: At, hours: dict[str, WeeklySchedule]) -> dict[str, Crew]:
    spec = expect_map(value, at, "a mapping of crew names to {size, hours, response}")
    out = {}
    for name, val in spec.items():
        sub = at.key(spec, name)
        crew = expect_map(val, sub, "{size: 2, hours: 24x7, response: 30min}")
        check_keys(crew, sub, CREW_KEYS)
        priority = crew.get("priority", "criticality")
        if priority not in PRIORITIES:
            raise sub.key(crew, "priority").error(
                f"unknown priority {priority!r}; expected criticality or fifo",
                did_you_mean(priority, PRIORITIES),
            )
        out[name] = Crew(
            name=name,
            size=expect_int(crew.get("size", 1), sub.key(crew, "size"), minimum=1, what="a crew size"),
            hours=schedule_ref(crew.get("hours", "24x7"), sub.key(crew, "hours"), hours),
            response=(
                parse_distribution(crew["response"], sub.key(crew, "response"))
                if crew.get("response") is not None
                else None
            ),
            overtime=(
                expect_bool(crew["overtime"], sub.key(crew, "overtime"))
                if crew.get("overtime") is not None
                else None
            ),
            priority=priority,
            cost_per_year=_cost(crew, "cost", sub),
        )
    return out


def _cost(spec: dict, key: str, at: At) -> float | None:
    """A cost per year (``1800/y``; a bare number is per year), or None when absent."""
    if spec.get(key) is None:
        return None
    return at.key(spec, key).convert(units.cost, spec[key])


def parse_spares(value, at: At) -> dict[str, SparePool]:
    spec = expect_map(value, at, "a mapping of spare pool names to {stock, lead_time}")
    out = {}
    for name, val in spec.items():
        sub = at.key(spec, name)
        pool = expect_map(val, sub, "{stock: 1, lead_time: 3d}")
        check_keys(pool, sub, ("stock", "lead_time", "holding_cost"), required=("stock", "lead_time"))
        out[name] = SparePool(
            name=name,
            stock=expect_int(pool["stock"], sub.key(pool, "stock"), minimum=0, what="a stock count"),
            lead_time=parse_distribution(pool["lead_time"], sub.key(pool, "lead_time")),
            holding_cost_per_year=_cost(pool, "holding_cost", sub),
        )
    return out


MAINTENANCE_KEYS = ("name", "targets", "every", "at", "duration", "rolling", "announced")


def parse_maintenance(value, at: At, target_names: list[str]) -> tuple[MaintenanceRule, ...]:
    """`target_names`: component types, shared instance names and instance ids."""
    seq = expect_list(value, at, "a list of maintenance rules", nonempty=False)
    out = []
    for i, item in enumerate(seq):
        sub = at.item(seq, i)
        rule = expect_map(item, sub, "{name, targets, every, at, duration}")
        check_keys(rule, sub, MAINTENANCE_KEYS, required=("targets", "duration"))
        if isinstance(rule.get("at"), list):
            if "every" in rule:
                raise sub.key_itself(rule, "every").error(
                    "a list of start times in 'at' gives one-off jobs; remove 'every' "
                    "(or give 'at' one time of the period)"
                )
            every, when = None, _at_times(rule["at"], sub.key(rule, "at"))
        else:
            if "every" not in rule:
                raise sub.error(
                    "missing required key 'every' (day, week, month, quarter, year or a duration), "
                    "or give 'at' a list of start times"
                )
            every = _every(rule["every"], sub.key(rule, "every"))
            when = _at(rule.get("at", "00:00"), sub.key(rule, "at"), every)
        out.append(
            MaintenanceRule(
                name=(
                    expect_str(rule["name"], sub.key(rule, "name"))
                    if "name" in rule
                    else f"maintenance {i + 1}"
                ),
                targets=_targets(rule["targets"], sub.key(rule, "targets"), target_names),
                every=every,
                at=when,
                duration=parse_distribution(rule["duration"], sub.key(rule, "duration"), positive_mean=True),
                rolling=expect_bool(rule.get("rolling", False), sub.key(rule, "rolling")),
                announced=expect_bool(rule.get("announced", False), sub.key(rule, "announced")),
            )
        )
    return tuple(out)


def _at_times(value: list, at: At) -> tuple[dt.datetime, ...]:
    """``[2027-03-06 02:00, 2027-09-04 02:00]``: local start times (a bare date is 00:00)."""
    if not value:
        raise at.error("expected at least one start time like '2027-03-06 02:00'")
    out = []
    for i, item in enumerate(value):
        where = at.item(value, i)
        if isinstance(item, dt.datetime):
            out.append(item.replace(tzinfo=None))
            continue
        if isinstance(item, dt.date):
            out.append(dt.datetime.combine(item, dt.time()))
            continue
        try:
            out.append(dt.datetime.strptime(" ".join(str(item).split()), "%Y-%m-%d %H:%M"))
        except ValueError:
            raise where.error(
                f"expected a local start time like '2027-03-06 02:00' or a date, got {type_name(item)}"
            ) from None
    return tuple(out)


def _targets(value, at: At, names: list[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else expect_list(value, at, "a list of targets")
    out = []
    for i, item in enumerate(items):
        where = at if isinstance(value, str) else at.item(value, i)
        name = expect_str(item, where, "a component type or instance name")
        if name not in names:
            raise where.error(
                f"unknown maintenance target '{name}'; expected a component type "
                "or instance used in the service",
                did_you_mean(name, names),
            )
        out.append(name)
    return tuple(out)


def _every(value, at: At):
    if isinstance(value, str) and value.strip().lower() in PERIODS:
        return value.strip().lower()
    try:
        hours = units.duration(value)
    except units.UnitError as exc:
        raise at.error(
            f"expected one of {', '.join(PERIODS)} or a duration, got {type_name(value)}",
            did_you_mean(value, PERIODS) or exc.hint,
        ) from None
    if not hours > 0:
        raise at.error(f"expected a duration > 0, got {value}")
    return hours


_AT = re.compile(r"^(?:(?P<ord>[a-z]+)\s+)?(?:(?P<wd>[a-z]+)\s+)?(?P<day>\d{1,2}\s+)?(?P<t>\d{1,2}:\d{2})$")


def _at(value, at: At, every) -> MaintenanceTime:
    """``02:00``, ``sunday 03:00``, ``first sunday 02:00``, ``15 02:00`` (day of month)."""
    text = " ".join(str(value).strip().lower().split()) if isinstance(value, str) else None
    m = _AT.match(text or "")
    if not m:
        raise at.error(
            f"expected a time like '02:00', 'sunday 03:00', 'first sunday 02:00' or "
            f"'15 02:00', got {type_name(value)}"
        )
    ordinal, weekday, day = m.group("ord"), m.group("wd"), m.group("day")
    if ordinal and not weekday:  # "sunday 02:00" lands in the first group
        ordinal, weekday = None, ordinal
    if ordinal is not None and ordinal not in ORDINALS:
        raise at.error(
            f"unknown ordinal '{ordinal}'; expected one of {', '.join(ORDINALS)}",
            did_you_mean(ordinal, ORDINALS),
        )
    if weekday is not None and weekday not in WEEKDAY_NAMES:
        raise at.error(f"unknown weekday '{weekday}'", did_you_mean(weekday, list(WEEKDAY_NAMES)))
    if weekday is not None and day is not None:
        raise at.error(f"give a weekday or a day of the month, not both: '{value}'")
    minute = at.convert(units.clock_minutes, m.group("t"))
    day_num = int(day) if day else None
    if day_num is not None and not 1 <= day_num <= 31:
        raise at.error(f"day of the month must be 1..31, got {day_num}")
    calendar_period = every in ("month", "quarter", "year")
    if ordinal is not None and not calendar_period:
        raise at.error(f"'{value}' needs every: month, quarter or year")
    if day_num is not None and not calendar_period:
        raise at.error("a day of the month needs every: month, quarter or year")
    if weekday is not None and ordinal is None and every not in ("week",):
        raise at.error(f"'{value}' needs every: week (for a monthly rule write e.g. 'first {weekday} ...')")
    if not isinstance(every, str) and (weekday or day_num):
        raise at.error("with every: DURATION, 'at' is only a time of day like '02:00'")
    return MaintenanceTime(ordinal, WEEKDAY_NAMES.get(weekday), day_num, minute)


SUPPORT_KEYS = ("agents", "tickets", "channels", "target")


def parse_support(value, at: At, hours: dict[str, WeeklySchedule]) -> SupportDesk:
    spec = expect_map(value, at, "{agents, tickets, channels}")
    check_keys(spec, at, SUPPORT_KEYS, required=("agents", "channels"))
    sub = at.key(spec, "agents")
    agents = expect_map(spec["agents"], sub, "{count: 3, hours: business}")
    check_keys(agents, sub, ("count", "hours"), required=("count",))
    count = expect_int(agents["count"], sub.key(agents, "count"), minimum=1, what="an agent count")
    desk_hours = schedule_ref(agents.get("hours", "24x7"), sub.key(agents, "hours"), hours)
    rate_per_hour, per_outage = 0.0, 0.0
    if "tickets" in spec:
        sub = at.key(spec, "tickets")
        t = expect_map(spec["tickets"], sub, "{rate: 4/d, per_outage: 15}")
        check_keys(t, sub, ("rate", "per_outage"))
        if "rate" in t:
            rate_per_hour = sub.key(t, "rate").convert(units.rate, t["rate"])
        if "per_outage" in t:
            per_outage = float(
                expect_number(t["per_outage"], sub.key(t, "per_outage"), minimum=0, what="tickets per outage")
            )
    target = None
    if spec.get("target") is not None:
        t_at = at.key(spec, "target")
        target = t_at.convert(units.percent, spec["target"], "target")
        if not 0 < target <= 1:
            raise t_at.error(f"a support target is a share in (0%, 100%], got {spec['target']}")
    sub = at.key(spec, "channels")
    channels = expect_map(spec["channels"], sub, "a mapping of channel names to {share, handle, response}")
    if not channels:
        raise sub.error("expected at least one channel")
    out = []
    total = 0.0
    for name, val in channels.items():
        csub = sub.key(channels, name)
        ch = expect_map(val, csub, "{share: 60%, handle: {mean: 12min}, response: 15min}")
        check_keys(ch, csub, ("share", "handle", "response"), required=("share", "handle"))
        s_at = csub.key(ch, "share")
        share = s_at.convert(units.percent, ch["share"], "share")
        if not share > 0:
            raise s_at.error(f"a channel's share must be > 0%, got {ch['share']}")
        total += share
        out.append(
            Channel(
                name=name,
                share=share,
                handle=parse_distribution(ch["handle"], csub.key(ch, "handle"), positive_mean=True),
                response_hours=(
                    duration(ch["response"], csub.key(ch, "response"), positive=True)
                    if "response" in ch
                    else None
                ),
            )
        )
    if abs(total - 1.0) > 1e-9:
        raise sub.error(f"channel shares add up to {total * 100:.6g}%, not 100%")
    return SupportDesk(
        agents=count,
        channels=tuple(out),
        hours=desk_hours,
        rate_per_hour=rate_per_hour,
        per_outage=per_outage,
        target=target,
    )


def parse_demand(value, at: At) -> dict[str, DemandProfile]:
    spec = expect_map(value, at, "a mapping of profile names to {profile, points}")
    out = {}
    for name, val in spec.items():
        sub = at.key(spec, name)
        prof = expect_map(val, sub, '{profile: daily, points: {"08:00": 8}}')
        check_keys(prof, sub, ("profile", "points"), required=("profile", "points"))
        kind = prof["profile"]
        if kind not in PROFILES:
            raise sub.key(prof, "profile").error(
                f"unknown profile {kind!r}; expected daily or weekly", did_you_mean(kind, PROFILES)
            )
        psub = sub.key(prof, "points")
        points = expect_map(prof["points"], psub, "a mapping of times to numbers")
        if not points:
            raise psub.error("expected at least one point")
        seen: dict[int, str] = {}
        for key, number in points.items():
            ksub = psub.key_itself(points, key)
            minute = _point_minute(key, kind, ksub)
            if minute in seen:
                raise ksub.error(f"'{key}' is the same time as '{seen[minute]}'")
            seen[minute] = key
            expect_number(number, psub.key(points, key), minimum=0, what="a demand")
        pts = tuple(sorted((m, float(points[k])) for m, k in seen.items()))
        out[name] = DemandProfile(name, kind, pts)
    return out


def _point_minute(key: str, kind: str, at: At) -> int:
    text = " ".join(key.strip().lower().split())
    if kind == "daily":
        return at.convert(units.clock_minutes, text)
    day, _, time = text.partition(" ")
    if day not in WEEKDAY_NAMES or not time:
        near = nearest(day, DAYS)
        raise at.error(
            f"a weekly point is a weekday and a time like 'mon 08:00', got '{key}'",
            f"did you mean '{near} {time}'?" if near and time else None,
        )
    return WEEKDAY_NAMES[day] * 1440 + at.convert(units.clock_minutes, time)

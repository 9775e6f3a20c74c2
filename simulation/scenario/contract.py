"""The contract sections of a scenario file: named weekly `hours` and the `sla`.

``hours`` maps a name to a weekly schedule in the calendar's time zone::

    business: {mon-fri: "08:00-18:00", sat: "09:00-13:00", holidays: [2027-12-25]}
    office-nl: {mon-fri: "08:00-18:00", holidays: {country: NL, dates: [2027-12-24]}}

Day keys are ``mon`` … ``sun``, ranges such as ``mon-fri`` or ``sat-sun`` (a range may
wrap, ``fri-mon``), or ``daily``; a value is ``"HH:MM-HH:MM"``, several separated by
commas, or a list of such (``24:00`` may end a range; an empty list is a closed day).
A day given by two keys is an error. ``24x7`` is the built-in always-schedule.
``holidays`` is a list of dates, or ``{country: NL, subdivision: ..., dates: [...]}``: a
country's public holidays from the `holidays` package (optionally of one subdivision),
plus any dates listed.
"""

from __future__ import annotations

import re

from simulation.model.calendar import PublicHolidays, WeeklySchedule
from simulation.model.sla import (
    EXCLUDED_TIME,
    RISK_PER,
    SLA,
    Chronic,
    CreditTier,
    DownOver,
    Fee,
    IntervalRule,
    Rolling,
    Sliding,
)
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
    duration,
    expect_date,
    expect_int,
    expect_list,
    expect_map,
    expect_name,
    expect_str,
    type_name,
)
from simulation.scenario.errors import did_you_mean

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24x7"
WINDOWS = ("month", "quarter", "year")
EXCLUDABLE = ("announced_maintenance", "maintenance")
INTERVAL_RULES = ("any", "majority", "whole")
WINDOW_KINDS = ("rolling", "sliding")
SLA_KEYS = (
    "target",
    "window",
    "service_hours",
    "exclude",
    "excluded_time",
    "min_outage",
    "interval",
    "credits",
    "risk",
    "fee",
    "chronic",
    "customers",
)


def day_set(key: str) -> tuple[int, ...] | None:
    """Weekday indices (Monday = 0) named by a day key, or None if it is not one."""
    key = key.strip().lower()
    if key == "daily":
        return tuple(range(7))
    if key in DAYS:
        return (DAYS.index(key),)
    first, sep, last = key.partition("-")
    if sep and first in DAYS and last in DAYS:
        a, b = DAYS.index(first), DAYS.index(last)
        return tuple((a + i) % 7 for i in range((b - a) % 7 + 1))
    return None


def parse_ranges(value, at: At) -> tuple[tuple[int, int], ...]:
    """``"08:00-12:00, 13:00-18:00"`` or a list of such -> sorted (start_min, end_min)."""
    if isinstance(value, list):
        parts = []
        for i, item in enumerate(value):
            parts.extend((p, at.item(value, i)) for p in _split_ranges(item, at.item(value, i)))
    else:
        parts = [(p, at) for p in _split_ranges(value, at)]
    out = []
    for text, where in parts:
        start, sep, end = text.partition("-")
        if not sep:
            raise where.error(f"expected a time range like '08:00-18:00', got '{text}'")
        a = where.convert(units.clock_minutes, start.strip())
        b = where.convert(units.clock_minutes, end.strip(), end=True)
        if not a < b:
            hint = (
                f"a range cannot cross midnight; write '{start.strip()}-24:00' and "
                f"'00:00-{end.strip()}' on the next day"
                if b < a
                else None
            )
            raise where.error(f"range '{text.strip()}' must start before it ends", hint)
        out.append((a, b))
    out.sort()
    for (a1, b1), (a2, b2) in zip(out, out[1:]):
        if a2 < b1:
            raise at.error(f"time ranges overlap: {_hm(a1)}-{_hm(b1)} and {_hm(a2)}-{_hm(b2)}")
    return tuple(out)


def _split_ranges(value, at: At) -> list[str]:
    if not isinstance(value, str):
        raise at.error(f"expected a time range like '08:00-18:00' (quote it), got {type_name(value)}")
    return [p for p in (s.strip() for s in value.split(",")) if p]


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_schedule(name: str, value, at: At) -> WeeklySchedule:
    """One entry of `hours`."""
    spec = expect_map(value, at, 'a mapping of days to time ranges, e.g. {mon-fri: "08:00-18:00"}')
    periods: list[tuple[tuple[int, int], ...] | None] = [None] * 7
    given_by: dict[int, str] = {}
    holidays = frozenset()
    public = None
    for key, val in spec.items():
        sub = at.key(spec, key)
        if key == "holidays":
            holidays, public = _holidays(val, sub)
            continue
        days = day_set(key)
        if days is None:
            choices = [*DAYS, "mon-fri", "sat-sun", "daily", "holidays"]
            raise at.key_itself(spec, key).error(
                f"unknown day '{key}'; expected a day ({', '.join(DAYS)}), a range like "
                f"mon-fri, daily, or holidays",
                did_you_mean(key, choices),
            )
        ranges = parse_ranges(val, sub)
        for day in days:
            if day in given_by:
                raise at.key_itself(spec, key).error(
                    f"{DAYS[day]} is already given by '{given_by[day]}' "
                    f"(line {spec.key_line(given_by[day])}); give each day once"
                )
            given_by[day] = key
            periods[day] = ranges
    return WeeklySchedule(name, tuple(p or () for p in periods), holidays, public)


def _dates(value, at: At) -> frozenset:
    seq = expect_list(value, at, "a list of dates", nonempty=False)
    return frozenset(expect_date(x, at.item(seq, i)) for i, x in enumerate(seq))


def _holidays(value, at: At) -> tuple[frozenset, PublicHolidays | None]:
    """``[2027-12-25, ...]`` or ``{country: NL, subdivision: ..., dates: [...]}``."""
    if not isinstance(value, dict):
        return _dates(value, at), None
    check_keys(value, at, ("country", "subdivision", "dates"), required=("country",))
    import holidays as package  # only schedules that name a country need it

    c_at = at.key(value, "country")
    if isinstance(value["country"], bool):  # YAML 1.1 reads NO (Norway) as false
        raise c_at.error(f"expected a country code, got {value['country']}", "quote it: country: 'NO'")
    country = expect_str(value["country"], c_at, "an ISO 3166 country code like NL")
    supported = package.list_supported_countries()
    if country not in supported:
        raise c_at.error(
            f"no public holidays known for country '{country}'; expected an ISO 3166-1 "
            "alpha-2 code the holidays package supports, like NL or DE",
            # codes are upper case: `nl` is NL, not the nearest spelling
            f"did you mean '{country.upper()}'?"
            if country.upper() in supported
            else did_you_mean(country, list(supported)),
        )
    subdivision = None
    if value.get("subdivision") is not None:
        s_at = at.key(value, "subdivision")
        subdivision = str(value["subdivision"])
        if subdivision not in supported[country]:
            choices = ", ".join(supported[country]) or "none"
            raise s_at.error(
                f"unknown subdivision '{subdivision}' of {country}; expected one of: {choices}",
                did_you_mean(subdivision, supported[country]),
            )
    dates = _dates(value["dates"], at.key(value, "dates")) if "dates" in value else frozenset()
    return dates, PublicHolidays(country, subdivision)


def parse_hours(value, at: At) -> dict[str, WeeklySchedule]:
    spec = expect_map(value, at, "a mapping of schedule names to weekly hours")
    out = {}
    for name, val in spec.items():
        if name == ALWAYS:
            raise at.key_itself(spec, name).error(f"'{ALWAYS}' is built in and cannot be redefined")
        out[name] = parse_schedule(name, val, at.key(spec, name))
    return out


def schedule_ref(value, at: At, hours: dict[str, WeeklySchedule]) -> WeeklySchedule:
    """``24x7`` or the name of a schedule in `hours`."""
    if value == ALWAYS:
        return WeeklySchedule.always()
    name = expect_name(value, at, [ALWAYS, *hours], "hours schedule")
    return hours[name]


def parse_sla(value, at: At, hours: dict[str, WeeklySchedule]) -> SLA:
    spec = expect_map(value, at, "a mapping with at least 'target'")
    check_keys(spec, at, SLA_KEYS, required=("target",))
    target = at.key(spec, "target").convert(units.target, spec["target"])
    kwargs = {"target": target}
    if "window" in spec:
        kwargs["window"] = _window(spec["window"], at.key(spec, "window"))
    if "service_hours" in spec:
        kwargs["service_hours"] = schedule_ref(spec["service_hours"], at.key(spec, "service_hours"), hours)
    if "exclude" in spec:
        kwargs["exclude"] = _exclude(spec["exclude"], at.key(spec, "exclude"))
    if "excluded_time" in spec:
        kwargs["excluded_time"] = _excluded_time(spec, at)
    if "min_outage" in spec:
        kwargs["min_outage_hours"] = duration(spec["min_outage"], at.key(spec, "min_outage"))
        if kwargs["min_outage_hours"] >= 1.0:  # contracts ignore blips of seconds or minutes
            at.key(spec, "min_outage").warn(
                f"min_outage {spec['min_outage']} ignores every outage shorter than an hour or more; "
                "is the unit right (e.g. 1min)?"
            )
    if spec.get("interval") is not None:
        kwargs["interval"] = _interval(spec["interval"], at.key(spec, "interval"))
    if "credits" in spec:
        kwargs["credits"] = _credits(spec["credits"], at.key(spec, "credits"), target, spec["target"])
    if "risk" in spec:
        kwargs["risk"], kwargs["risk_per"] = _risk(spec["risk"], at.key(spec, "risk"))
    if spec.get("fee") is not None:
        kwargs["fee"] = _fee(spec["fee"], at.key(spec, "fee"))
    if spec.get("chronic") is not None:
        kwargs["chronic"] = _chronic(spec["chronic"], at.key(spec, "chronic"))
    if spec.get("customers") is not None:
        kwargs["customers"] = expect_int(
            spec["customers"], at.key(spec, "customers"), minimum=1, what="a number of customers"
        )
    return SLA(**kwargs)


def _window(value, at: At):
    if isinstance(value, dict):
        check_keys(value, at, WINDOW_KINDS)
        if len(value) != 1:
            raise at.error(
                "expected one of {rolling: 30d} (consecutive blocks) or {sliding: 30d} (trailing window)"
            )
        (kind,) = value
        length = duration(value[kind], at.key(value, kind), positive=True)
        return Rolling(length) if kind == "rolling" else Sliding(length)
    if isinstance(value, str) and value.strip().lower() in WINDOWS:
        return value.strip().lower()
    raise at.error(
        f"unknown window {value!r}; expected month, quarter, year, {{rolling: 30d}} or {{sliding: 30d}}",
        did_you_mean(value, [*WINDOWS, *WINDOW_KINDS]),
    )


def _exclude(value, at: At) -> frozenset[str]:
    items = [value] if isinstance(value, str) else expect_list(value, at, "a list", nonempty=False)
    out = set()
    for i, item in enumerate(items):
        where = at if isinstance(value, str) else at.item(value, i)
        if item not in EXCLUDABLE:
            raise where.error(
                f"cannot exclude {item!r}; expected one of {', '.join(EXCLUDABLE)}",
                did_you_mean(item, EXCLUDABLE),
            )
        out.add(item)
    return frozenset(out)


def _excluded_time(spec: dict, at: At) -> str:
    where = at.key(spec, "excluded_time")
    value = spec["excluded_time"]
    if value not in EXCLUDED_TIME:
        raise where.error(
            f"unknown excluded_time {value!r}; expected count_as_up (excluded time stays in the "
            "service time) or remove_from_service (it is taken out of the service time)",
            did_you_mean(value, EXCLUDED_TIME),
        )
    if value != "count_as_up" and not spec.get("exclude"):
        where.warn(f"excluded_time: {value} has no effect without exclude")
    return value


def _interval(value, at: At) -> IntervalRule:
    spec = expect_map(value, at, "null or {length: 5min, rule: any | majority | whole | {down_over: 10%}}")
    check_keys(spec, at, ("length", "rule"), required=("length",))
    length = duration(spec["length"], at.key(spec, "length"), positive=True)
    rule = spec.get("rule", "any")
    sub = at.key(spec, "rule")
    if isinstance(rule, dict):
        check_keys(rule, sub, ("down_over",), required=("down_over",))
        where = sub.key(rule, "down_over")
        share = where.convert(units.percent, rule["down_over"], "share")
        if share >= 1.0:
            raise where.error(
                f"down_over {rule['down_over']} leaves no cell to count; a cell cannot be down "
                f"for more than all of it",
                "did you mean 'rule: whole' (only cells down for their whole length)?",
            )
        return IntervalRule(length, DownOver(share))
    if rule not in INTERVAL_RULES:
        raise sub.error(
            f"unknown interval rule {rule!r}; expected any, majority, whole or {{down_over: 10%}}",
            did_you_mean(rule, [*INTERVAL_RULES, "down_over"]),
        )
    return IntervalRule(length, rule)


def _credits(value, at: At, target: float, target_text) -> tuple[CreditTier, ...]:
    seq = expect_list(value, at, "a list of {below: 99.9%, credit: 10%}", nonempty=False)
    tiers = []
    lines = {}
    for i, item in enumerate(seq):
        sub = at.item(seq, i)
        spec = expect_map(item, sub, "{below: 99.9%, credit: 10%}")
        check_keys(spec, sub, ("below", "credit"), required=("below", "credit"))
        below = sub.key(spec, "below").convert(units.percent, spec["below"], "percentage")
        credit_at = sub.key(spec, "credit")
        if (
            isinstance(spec["credit"], (int, float))
            and not isinstance(spec["credit"], bool)
            and spec["credit"] > 1
        ):
            raise credit_at.error(
                f"a credit cannot exceed 100% of the fee, got {spec['credit']}"
                if spec["credit"] > 100
                else f"credit {spec['credit']} is not a fraction; write a percentage",
                None if spec["credit"] > 100 else f"did you mean '{spec['credit']:g}%'?",
            )
        try:
            credit = units.percent(spec["credit"], "credit")
        except units.UnitError as exc:
            msg = exc.message
            if "between 0% and 100%" in msg:
                msg = f"a credit cannot exceed 100% of the fee, got '{spec['credit']}'"
            raise credit_at.error(msg, exc.hint) from None
        if below in lines:
            raise sub.error(f"two credit tiers below {below:.6g} (items {lines[below]} and {i})")
        lines[below] = i
        tiers.append(CreditTier(below, credit))
    tiers.sort(key=lambda t: t.below, reverse=True)
    if tiers and abs(tiers[0].below - target) > 1e-12:
        at.warn(
            f"the highest credit tier is below {tiers[0].below * 100:.6g}% but the target is "
            f"{target * 100:.6g}%; credits will not match breaches"
        )
    for upper, lower in zip(tiers, tiers[1:]):
        if lower.credit < upper.credit:
            at.warn(
                f"credit tier below {lower.below * 100:.6g}% pays less ({lower.credit:.0%}) than "
                f"the tier above it ({upper.credit:.0%}); tiers are not additive"
            )
    return tuple(tiers)


def _risk(value, at: At) -> tuple[float, str]:
    """``5%`` (per contract year) or ``{value: 5%, per: year | window}``."""
    per = "year"
    if isinstance(value, dict):
        check_keys(value, at, ("value", "per"), required=("value",))
        if "per" in value:
            per = value["per"]
            if per not in RISK_PER:
                hint = (
                    "the risk per SLA window is 'per: window'"
                    if per in (*WINDOWS, "rolling")
                    else did_you_mean(per, RISK_PER)
                )
                raise at.key(value, "per").error(f"risk per {per!r}: expected year or window", hint)
        at, value = at.key(value, "value"), value["value"]
    risk = at.convert(units.percent, value, "risk")
    if not 0 < risk < 1:
        raise at.error(f"risk must be between 0% and 100% (exclusive), got {value}")
    return risk, per


_FEE = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]{3})\s*$")


def _fee(value, at: At) -> Fee:
    """``1200 EUR``: the fee per window, an amount and an ISO 4217 currency code."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise at.error(
            f"a fee needs a currency, e.g. '{value:g} EUR'", "write the amount and a currency code"
        )
    m = _FEE.match(value) if isinstance(value, str) else None
    if m is None:
        shown = "nothing (null)" if value is None else repr(value)
        raise at.error(f"expected a fee per window like '1200 EUR' (amount and currency code), got {shown}")
    amount, currency = float(m.group(1).replace("_", "")), m.group(2)
    if currency != currency.upper():
        raise at.error(f"write the currency code in capitals: '{m.group(1)} {currency.upper()}'")
    return Fee(amount, currency)


def _chronic(value, at: At) -> Chronic:
    spec = expect_map(value, at, "{breaches: N, within: M}")
    check_keys(spec, at, ("breaches", "within"), required=("breaches", "within"))
    breaches = expect_int(spec["breaches"], at.key(spec, "breaches"), minimum=1)
    within = expect_int(spec["within"], at.key(spec, "within"), minimum=1)
    if breaches > within:
        raise at.key(spec, "breaches").error(f"breaches ({breaches}) cannot exceed within ({within}) windows")
    return Chronic(breaches, within)

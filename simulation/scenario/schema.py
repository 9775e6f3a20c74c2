"""The JSON Schema (draft 2020-12) of the scenario format, for editor completion.

The schema describes the shape of a file (keys, value forms, unit spellings); the
parser checks the rest (references between names, k <= n, shares adding to 100 %).
Editors read YAML as JSON, so dates are strings here.

Examples
--------
>>> schema = json_schema()
>>> schema["$schema"]
'https://json-schema.org/draft/2020-12/schema'
"""

from __future__ import annotations

import copy

from simulation.scenario.distributions import PARAMETER_SETS
from simulation.scenario.units import DURATION_SPELLINGS, DURATION_UNITS

_NUM = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"


def _any_case(word: str) -> str:
    """A regex for `word` in any letter case (JSON Schema patterns take no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() and c.isascii() else c for c in word)


# longest first, so that 'min' is not read as 'm' + 'in' by a backtracking engine
_TIME_UNIT = (
    "(?:"
    + "|".join(
        _any_case(u) for u in sorted({*DURATION_UNITS, "μs", *DURATION_SPELLINGS}, key=len, reverse=True)
    )
    + ")"
)
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"
_RANGE = rf"\s*{_CLOCK}\s*-\s*(?:{_CLOCK}|24:00)\s*"


def _ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def _obj(properties: dict, required=(), description: str | None = None) -> dict:
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


_PARAM_TYPES = {
    "mean": "duration",
    "scale": "duration",
    "median": "duration",
    "p95": "duration",
    "sd": "duration",
    "value": "duration",
    "low": "duration",
    "high": "duration",
    "rate": "rate",
    "shape": "positive",
    "cv": "positive",
    "sigma": "positive",
}


def _distribution_defs() -> dict:
    named = []
    for name, sets in PARAMETER_SETS.items():
        params = sorted({p for s in sets for p in s})
        props: dict = {"dist": {"const": name}}
        for p in params:
            if p == "mu":
                props[p] = {"type": "number", "description": "log-hours"}
            elif p == "samples":
                props[p] = {"type": "array", "items": _ref("duration"), "minItems": 1}
            elif p == "csv":
                props[p] = {
                    "type": "string",
                    "description": "one-column CSV of durations, relative to the scenario file",
                }
            elif _PARAM_TYPES[p] == "positive":
                props[p] = {"type": "number", "exclusiveMinimum": 0}
            else:
                props[p] = _ref(_PARAM_TYPES[p])
        named.append(_obj(props, ["dist"], f"{name}: " + " | ".join(" and ".join(s) for s in sets)))
    shorthand = [_obj({k: _ref("duration")}, [k], f"exponential with {k}") for k in ("mtbf", "mttr", "mean")]
    shorthand.append(_obj({"rate": _ref("rate")}, ["rate"], "exponential with a rate"))
    return {
        "distribution": {
            "description": "a duration (deterministic), {mtbf | mttr | mean | rate} "
            "(exponential) or {dist: NAME, ...}",
            "anyOf": [_ref("duration"), *shorthand, *named],
        },
    }


def _block_defs() -> dict:
    switchover = {
        "switchover": _ref("distribution"),
        "coverage": _ref("probability"),
        "manual_switchover": _ref("distribution"),
    }
    name = {"type": "string", "description": "a label used in reports"}
    mode = {"enum": ["hot", "warm", "cold"]}
    count_map = {
        "type": "object",
        "description": "{TYPE: COUNT}: COUNT instances of a component type or copies of a template",
        "minProperties": 1,
        "additionalProperties": {"type": "integer", "minimum": 1},
        "not": {"anyOf": [{"required": [k]} for k in ("series", "parallel", "k_of_n", "standby", "network")]},
    }
    members = {"type": "array", "minItems": 1, "items": _ref("member")}
    node_name = {"type": ["string", "number"]}
    node_list = {"type": "array", "minItems": 1, "items": node_name}
    position = _obj(
        {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
        },
        ["lat", "lon"],
        "position in degrees",
    )
    network = _obj(
        {
            "topology": {
                "type": "string",
                "description": "a real topology from topohub: sndlib/NAME or topozoo/NAME, e.g. sndlib/geant",
            },
            "graph": _obj(
                {
                    "nodes": {
                        "anyOf": [
                            {"type": "array", "items": node_name},
                            {
                                "type": "object",
                                "additionalProperties": {"anyOf": [position, {"type": "null"}]},
                            },
                        ]
                    },
                    "links": {
                        "type": "array",
                        "items": _obj(
                            {
                                "between": {
                                    "type": "array",
                                    "items": node_name,
                                    "minItems": 2,
                                    "maxItems": 2,
                                },
                                "km": _ref("length"),
                                "latency": _ref("latency"),
                            },
                            ["between"],
                        ),
                    },
                },
                ["nodes", "links"],
            ),
            "file": {"type": "string", "description": ".graphml or node-link .json"},
            "source": node_name,
            "sources": {"anyOf": [node_list, {"const": "all"}], "description": "customer sites"},
            "target": node_name,
            "targets": node_list,
            "need": {"enum": ["any", "all"]},
            "node": {
                "anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}]
            },
            "link": {"anyOf": [{"type": "string"}, members]},
            "risk_groups": {
                "type": "object",
                "description": "shared risk link groups: name -> {component, links}",
                "additionalProperties": _obj(
                    {
                        "component": {"type": "string"},
                        "links": {
                            "type": "array",
                            "minItems": 1,
                            "items": {**node_list, "minItems": 2, "maxItems": 2},
                        },
                    },
                    ["component", "links"],
                ),
            },
            "max_latency": _ref("latency"),
            "access": _obj(
                {
                    "link": {"anyOf": [{"type": "string"}, members]},
                    "homes": {"enum": [1, 2], "description": "2: dual-homed, to the nearest other node too"},
                },
                ["link"],
            ),
        },
    )
    network["allOf"] = [
        {"oneOf": [{"required": ["source"]}, {"required": ["sources"]}]},
        {"oneOf": [{"required": ["target"]}, {"required": ["targets"]}]},
        {"oneOf": [{"required": [k]} for k in ("topology", "graph", "file")]},
    ]
    return {
        "member": {"anyOf": [_ref("block"), count_map]},
        "block": {
            "description": "a name (component type, template or shared instance) or a structure",
            "anyOf": [
                {"type": "string"},
                _obj({"series": members, "name": name}, ["series"], "up while every member is up"),
                _obj(
                    {"parallel": members, "failover": _ref("failover"), "name": name},
                    ["parallel"],
                    "up while at least one member is up",
                ),
                _obj(
                    {
                        "k_of_n": {
                            "anyOf": [
                                {"type": "integer", "minimum": 1},
                                _obj({"demand": {"type": "string"}}, ["demand"]),
                            ]
                        },
                        "of": {"anyOf": [{"type": "string"}, members, count_map]},
                        "mode": mode,
                        "failover": _ref("failover"),
                        "name": name,
                    },
                    ["k_of_n", "of"],
                    "up while at least k members are up",
                ),
                _obj(
                    {
                        "standby": members,
                        "mode": mode,
                        **switchover,
                        "revert": {"type": "boolean"},
                        "name": name,
                    },
                    ["standby"],
                    "one member serves; the next up member takes over",
                ),
                _obj({"network": network, "name": name}, ["network"]),
            ],
        },
        "failover": _obj(switchover, ["switchover"]),
    }


def _unit_defs() -> dict:
    return {
        "duration": {
            "description": "30s, 15min, 4h, 3d, 2w, 1y, 40ms, 5us (also sec, mins, hours, days, ...); "
            "a number needs a unit, 0 aside",
            "anyOf": [
                {"const": 0},
                {"type": "string", "pattern": rf"^\s*{_NUM}\s*{_TIME_UNIT}\s*$"},
                {"type": "string", "pattern": r"^\s*[-+]?0*(?:\.0*)?\s*$"},
                {"$ref": "#/$defs/range"},
            ],
        },
        "rate": {
            "description": "1.5/y, 2/d, 4/h, 1/w, 10/min",
            "anyOf": [
                {"type": "string", "pattern": rf"^\s*{_NUM}\s*/\s*(?:{_NUM})?\s*{_TIME_UNIT}\s*$"},
                {"$ref": "#/$defs/range"},
            ],
        },
        "probability": {
            "description": "99% or a number in [0, 1]",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": rf"^\s*{_NUM}\s*%\s*$"},
                {"$ref": "#/$defs/range"},
            ],
        },
        "range": {
            "description": "an uncertain value: {between: [LOW, HIGH]}, log-uniform (scale: linear: uniform)",
            "type": "object",
            "required": ["between"],
            "additionalProperties": False,
            "properties": {
                "between": {"type": "array", "minItems": 2, "maxItems": 2},
                "scale": {"enum": ["log", "linear"]},
            },
        },
        "cost": {
            "description": "1800/y, or a bare number per year",
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": rf"^\s*{_NUM}\s*/\s*(?:{_NUM})?\s*{_TIME_UNIT}\s*$"},
            ],
        },
        "length": {
            "description": "120km, 500m; a bare number is km",
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": rf"^\s*{_NUM}\s*(?:km|m)?\s*$"},
            ],
        },
        "latency": {"type": "string", "description": "40ms", "pattern": rf"^\s*{_NUM}\s*{_TIME_UNIT}\s*$"},
        "hours_ref": {"type": "string", "description": "24x7 or the name of a schedule in hours"},
        "time_ranges": {
            "anyOf": [
                {"type": "string", "pattern": rf"^(?:{_RANGE})(?:,(?:{_RANGE}))*$"},
                {"type": "array", "items": {"type": "string"}},
            ],
        },
        "date": {"type": "string", "format": "date"},
    }


def _top() -> dict:
    component = _obj(
        {
            "failure": {
                "anyOf": [
                    _ref("distribution"),
                    _obj(
                        {"rate": _ref("rate"), "per": _ref("length")},
                        ["rate", "per"],
                        "a failure rate per length of link",
                    ),
                ]
            },
            "repair": _ref("distribution"),
            "idle_failure": _ref("distribution"),
            "crew": {"type": "string"},
            "spares": {"type": "string"},
            "cost": _ref("cost"),
        },
        ["failure", "repair"],
    )
    day_keys = r"^(?:daily|(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))?)$"
    schedule = {
        "type": "object",
        "properties": {
            "holidays": {
                "anyOf": [
                    {"type": "array", "items": _ref("date")},
                    _obj(
                        {
                            "country": {"type": "string", "description": "ISO 3166-1 alpha-2, e.g. NL"},
                            "subdivision": {"type": "string"},
                            "dates": {"type": "array", "items": _ref("date")},
                        },
                        ["country"],
                        "a country's public holidays (the holidays package), plus any dates",
                    ),
                ]
            }
        },
        "patternProperties": {day_keys: _ref("time_ranges")},
        "additionalProperties": False,
    }
    sla = _obj(
        {
            "target": _ref("probability"),
            "window": {
                "anyOf": [
                    {"enum": ["month", "quarter", "year"]},
                    _obj(
                        {"rolling": _ref("duration")},
                        ["rolling"],
                        "consecutive blocks of this length from the start, each judged once",
                    ),
                    _obj(
                        {"sliding": _ref("duration")},
                        ["sliding"],
                        "judged at every instant over the trailing window; reported per calendar month",
                    ),
                ]
            },
            "service_hours": _ref("hours_ref"),
            "exclude": {"type": "array", "items": {"enum": ["announced_maintenance", "maintenance"]}},
            "excluded_time": {
                "enum": ["count_as_up", "remove_from_service"],
                "description": "excluded time counts as up (default) or is taken out of the service time",
            },
            "min_outage": _ref("duration"),
            "interval": {
                "anyOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "length": _ref("duration"),
                            "rule": {
                                "anyOf": [
                                    {"enum": ["any", "majority", "whole"]},
                                    _obj({"down_over": _ref("probability")}, ["down_over"]),
                                ]
                            },
                        },
                        ["length"],
                    ),
                ]
            },
            "credits": {
                "type": "array",
                "items": _obj(
                    {"below": _ref("probability"), "credit": _ref("probability")}, ["below", "credit"]
                ),
            },
            "risk": {
                "description": "accepted breach risk of the achievable target; a bare value is per year",
                "anyOf": [
                    _ref("probability"),
                    _obj({"value": _ref("probability"), "per": {"enum": ["year", "window"]}}, ["value"]),
                ],
            },
            "customers": {
                "description": "identical contracts on the same infrastructure (portfolio credits)",
                "type": "integer",
                "minimum": 1,
            },
            "fee": {
                "description": "the fee per window: an amount and an ISO 4217 currency code, e.g. 1200 EUR",
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "string",
                        "pattern": r"^\s*(?:[0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)\s*[A-Z]{3}\s*$",
                    },
                ],
            },
            "chronic": {
                "anyOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "breaches": {"type": "integer", "minimum": 1},
                            "within": {"type": "integer", "minimum": 1},
                        },
                        ["breaches", "within"],
                    ),
                ]
            },
        },
        ["target"],
    )
    names = lambda item: {"type": "object", "additionalProperties": item}  # noqa: E731
    return {
        "format": {"const": "slasim/1"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "calendar": _obj(
            {"start": _ref("date"), "timezone": {"type": "string", "description": "IANA time zone"}}
        ),
        "run": _obj(
            {
                "horizon": _ref("duration"),
                "replications": {"type": "integer", "minimum": 1},
                "seed": {"type": "integer", "minimum": 0},
                "start": {
                    "enum": ["new", "steady"],
                    "description": "parts new at t = 0, or in their long-run state",
                },
            }
        ),
        "components": names(component),
        "crews": names(
            _obj(
                {
                    "size": {"type": "integer", "minimum": 1},
                    "hours": _ref("hours_ref"),
                    "response": _ref("distribution"),
                    "overtime": {"type": "boolean"},
                    "priority": {"enum": ["criticality", "fifo"]},
                    "cost": _ref("cost"),
                }
            )
        ),
        "hours": names(schedule),
        "spares": names(
            _obj(
                {
                    "stock": {"type": "integer", "minimum": 0},
                    "lead_time": _ref("distribution"),
                    "holding_cost": _ref("cost"),
                },
                ["stock", "lead_time"],
            )
        ),
        "blocks": names(_ref("block")),
        "instances": names(_ref("block")),
        "maintenance": {
            "type": "array",
            "items": _obj(
                {
                    "name": {"type": "string"},
                    "targets": {
                        "anyOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        ]
                    },
                    "every": {
                        "anyOf": [{"enum": ["day", "week", "month", "quarter", "year"]}, _ref("duration")]
                    },
                    "at": {
                        "anyOf": [
                            {
                                "type": "string",
                                "description": "02:00, sunday 03:00, first sunday 02:00, 15 02:00",
                            },
                            {
                                "type": "array",
                                "items": {"type": "string", "description": "2027-03-06 02:00 or a date"},
                                "minItems": 1,
                                "description": "one-off jobs at these local times (no every)",
                            },
                        ]
                    },
                    "duration": _ref("distribution"),
                    "rolling": {"type": "boolean"},
                    "announced": {"type": "boolean"},
                },
                ["targets", "duration"],
            ),
        },
        "service": _ref("block"),
        "sla": sla,
        "support": _obj(
            {
                "agents": _obj(
                    {"count": {"type": "integer", "minimum": 1}, "hours": _ref("hours_ref")}, ["count"]
                ),
                "tickets": _obj({"rate": _ref("rate"), "per_outage": {"type": "number", "minimum": 0}}),
                "target": _ref("probability"),
                "channels": names(
                    _obj(
                        {
                            "share": _ref("probability"),
                            "handle": _ref("distribution"),
                            "response": _ref("duration"),
                        },
                        ["share", "handle"],
                    )
                ),
            },
            ["agents", "channels"],
        ),
        "demand": names(
            _obj(
                {
                    "profile": {"enum": ["daily", "weekly"]},
                    "points": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                },
                ["profile", "points"],
            )
        ),
    }


_SCHEMA: dict | None = None


def json_schema() -> dict:
    """The JSON Schema of format ``slasim/1`` (a fresh copy each call)."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://slasim.dev/schema/slasim-1.json",
            "title": "slasim scenario (format slasim/1)",
            "type": "object",
            "properties": _top(),
            "required": ["format", "name", "service"],
            "additionalProperties": False,
            "$defs": {**_unit_defs(), **_distribution_defs(), **_block_defs()},
        }
    return copy.deepcopy(_SCHEMA)

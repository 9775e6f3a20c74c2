"""The JSON report, schema ``slasim.report/1`` (a stable contract: bump on change)."""

from __future__ import annotations

import numpy as np

from simulation.model.scenario import HOURS_PER_YEAR

SCHEMA = "slasim.report/1"

#: JSON Schema of the report, checked by the tests against real reports.
REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "slasim report",
    "type": "object",
    "required": [
        "schema",
        "scenario",
        "engine",
        "replications",
        "horizon_hours",
        "seed",
        "availability",
        "downtime_hours_per_year",
        "outages_per_year",
        "sla",
        "support",
        "attribution",
        "elapsed_seconds",
    ],
    "properties": {
        "schema": {"const": SCHEMA},
        "scenario": {"type": "string"},
        "engine": {"enum": ["des", "fast"]},
        "replications": {"type": "integer", "minimum": 1},
        "horizon_hours": {"type": "number", "exclusiveMinimum": 0},
        "seed": {"type": "integer", "minimum": 0},
        "availability": {
            "type": "object",
            "required": ["mean", "ci95", "analytic"],
            "properties": {
                "mean": {"$ref": "#/$defs/fraction"},
                "ci95": {"$ref": "#/$defs/interval"},
                "analytic": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
            },
        },
        "downtime_hours_per_year": {
            "type": "object",
            "required": ["mean", "p50", "p95"],
            "properties": {k: {"type": "number", "minimum": 0} for k in ("mean", "p50", "p95")},
        },
        "outages_per_year": {
            "type": "object",
            "required": ["mean"],
            "properties": {"mean": {"type": "number", "minimum": 0}},
        },
        "sla": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": [
                        "target",
                        "window",
                        "windows",
                        "window_availability",
                        "breach_probability",
                        "breach_probability_ci95",
                        "breaches_per_year",
                        "expected_credit_percent",
                        "achievable_target",
                        "chronic",
                    ],
                    "properties": {
                        "target": {"$ref": "#/$defs/fraction"},
                        "window": {"type": "string"},
                        "windows": {"type": "integer", "minimum": 0},
                        "window_availability": {
                            "type": "object",
                            "required": ["mean", "p01", "p05", "p50"],
                            "properties": {
                                k: {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]}
                                for k in ("mean", "p01", "p05", "p50")
                            },
                        },
                        "breach_probability": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                        "breach_probability_ci95": {
                            "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                        },
                        "breaches_per_year": {
                            "type": "object",
                            "required": ["mean"],
                            "properties": {"mean": {"type": ["number", "null"], "minimum": 0}},
                        },
                        "expected_credit_percent": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                        "achievable_target": {
                            "type": "object",
                            "required": ["risk", "target"],
                            "properties": {
                                "risk": {"$ref": "#/$defs/fraction"},
                                "target": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                            },
                        },
                        "chronic": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "required": ["breaches", "within", "probability"],
                                    "properties": {
                                        "breaches": {"type": "integer", "minimum": 1},
                                        "within": {"type": "integer", "minimum": 1},
                                        "probability": {"$ref": "#/$defs/fraction"},
                                    },
                                },
                            ]
                        },
                    },
                },
            ]
        },
        "support": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": [
                        "target",
                        "window",
                        "windows",
                        "tickets_per_year",
                        "breach_probability",
                        "channels",
                    ],
                    "properties": {
                        "target": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                        "window": {"type": "string"},
                        "windows": {"type": "integer", "minimum": 0},
                        "tickets_per_year": {"type": ["number", "null"], "minimum": 0},
                        "breach_probability": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                        "breach_probability_ci95": {
                            "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                        },
                        "analytic_note": {"type": ["string", "null"]},
                        "channels": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "required": [
                                    "tickets_per_window",
                                    "objective_min",
                                    "within_objective",
                                    "within_objective_ci95",
                                    "mean_response_min",
                                    "p95_response_min",
                                ],
                                "properties": {
                                    "tickets_per_window": {"type": "number", "minimum": 0},
                                    "objective_min": {"type": ["number", "null"], "exclusiveMinimum": 0},
                                    "within_objective": {
                                        "oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]
                                    },
                                    "within_objective_ci95": {
                                        "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                                    },
                                    "mean_response_min": {"type": ["number", "null"], "minimum": 0},
                                    "p95_response_min": {"type": ["number", "null"], "minimum": 0},
                                    "analytic": {
                                        "oneOf": [
                                            {"type": "null"},
                                            {
                                                "type": "object",
                                                "required": ["within_objective", "mean_response_min"],
                                                "properties": {
                                                    "within_objective": {
                                                        "oneOf": [
                                                            {"$ref": "#/$defs/fraction"},
                                                            {"type": "null"},
                                                        ]
                                                    },
                                                    "mean_response_min": {"type": "number", "minimum": 0},
                                                },
                                            },
                                        ]
                                    },
                                },
                            },
                        },
                    },
                },
            ]
        },
        "attribution": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["instance", "downtime_share"],
                "properties": {
                    "instance": {"type": "string"},
                    "downtime_share": {"$ref": "#/$defs/fraction"},
                },
            },
        },
        "elapsed_seconds": {"type": "number", "minimum": 0},
        "precision": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["target", "unavailability", "breach_probability", "met"],
                    "properties": {
                        "target": {"type": "number"},
                        "unavailability": {"type": ["number", "null"]},
                        "breach_probability": {"type": ["number", "null"]},
                        "met": {"type": "boolean"},
                    },
                },
            ]
        },
    },
    "$defs": {
        "fraction": {"type": "number", "minimum": 0, "maximum": 1},
        "interval": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
}


def _r(x, digits=6):
    return None if x is None else round(float(x), digits)


def report_dict(result) -> dict:
    """The report of `result` as a JSON-ready dict (README, "The JSON report")."""
    per_year = HOURS_PER_YEAR / result.horizon_hours
    down = result.per_replication.downtime_hours.to_numpy() * per_year
    ci = result.availability_ci()
    report = {
        "schema": SCHEMA,
        "scenario": result.scenario.name,
        "engine": result.engine,
        "replications": result.replications,
        "horizon_hours": float(result.horizon_hours),
        "seed": int(result.seed),
        "availability": {
            "mean": _r(result.availability, 8),
            "ci95": [_r(ci.low, 8), _r(ci.high, 8)],
            "analytic": _r(result.analytic_availability, 8),
        },
        "downtime_hours_per_year": {
            "mean": _r(down.mean(), 4),
            "p50": _r(np.percentile(down, 50), 4),
            "p95": _r(np.percentile(down, 95), 4),
        },
        "outages_per_year": {"mean": _r(result.per_replication.outages.mean() * per_year, 4)},
        "sla": _sla_dict(result),
        "support": _support_dict(result),
        "attribution": [
            {"instance": row.instance, "downtime_share": _r(row.downtime_share)}
            for row in result.attribution.itertuples()
        ],
        "elapsed_seconds": _r(result.elapsed_seconds, 3),
        "precision": _precision_dict(result.precision),
    }
    return report


def _precision_dict(p) -> dict | None:
    """Relative 95 % CI half-widths of a precision-driven run (an addition to report/1)."""
    if p is None:
        return None
    finite = lambda x: None if x is None or x == float("inf") else round(float(x), 6)  # noqa: E731
    return {
        "target": p.target,
        "unavailability": finite(p.unavailability),
        "breach_probability": finite(p.breach_probability),
        "met": bool(p.met),
    }


def _sla_dict(result) -> dict | None:
    sla = result.sla
    if sla is None:
        return None
    w = result.windows
    avail = w.availability.to_numpy()
    quant = (lambda q: _r(np.percentile(avail, q), 8)) if avail.size else (lambda q: None)
    ci = result.breach_ci()
    chronic = None
    if sla.chronic is not None:
        chronic = {
            "breaches": sla.chronic.breaches,
            "within": sla.chronic.within,
            "probability": _r(result.chronic_probability),
        }
    return {
        "target": sla.target,
        "window": sla.window_label,
        "windows": int(len(w)),
        "window_availability": {
            "mean": _r(avail.mean(), 8) if avail.size else None,
            "p01": quant(1),
            "p05": quant(5),
            "p50": quant(50),
        },
        "breach_probability": _r(result.breach_probability),
        "breach_probability_ci95": None if ci is None else [_r(ci.low), _r(ci.high)],
        "breaches_per_year": {"mean": _r(result.breaches_per_year, 4)},
        "expected_credit_percent": _r(result.expected_credit_percent, 4),
        "achievable_target": {"risk": sla.risk, "target": result.achievable_target},
        "chronic": chronic,
    }


def _finite(x, digits=6):
    """A JSON number, or None for a figure that is missing or infinite (never answered)."""
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _interval(ci, digits=6):
    return None if ci is None or not all(np.isfinite(ci)) else [round(float(v), digits) for v in ci]


def _support_dict(result) -> dict | None:
    """The support desk (an addition to report/1): SLO and per-channel response figures."""
    f = result.support_figures
    if f is None:
        return None
    channels = {}
    for ch in f.channels:
        analytic = None
        if ch.analytic_mean_response_min is not None:
            analytic = {
                "within_objective": _finite(ch.analytic_within_objective),
                "mean_response_min": _finite(ch.analytic_mean_response_min, 4),
            }
        channels[ch.name] = {
            "tickets_per_window": _finite(ch.tickets_per_window, 4),
            "objective_min": _finite(ch.objective_min, 4),
            "within_objective": _finite(ch.within_objective),
            "within_objective_ci95": _interval(ch.within_objective_ci95),
            "mean_response_min": _finite(ch.mean_response_min, 4),
            "p95_response_min": _finite(ch.p95_response_min, 4),
            "analytic": analytic,
        }
    return {
        "target": f.target,
        "window": result.sla.window_label if result.sla is not None else "month",
        "windows": int(f.windows),
        "tickets_per_year": _finite(f.tickets_per_year, 2),
        "breach_probability": _finite(f.breach_probability),
        "breach_probability_ci95": _interval(f.breach_probability_ci95),
        "analytic_note": f.analytic_note,
        "channels": channels,
    }

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
                "analytic_note": {"type": ["string", "null"]},
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
        "support": {"type": ["object", "null"]},
        "attribution": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["instance", "downtime_share"],
                "properties": {
                    "instance": {"type": "string"},
                    "downtime_share": {"$ref": "#/$defs/fraction"},
                    "breach_share": {"$ref": "#/$defs/fraction"},
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
            "analytic_note": result.analytic_reason,
        },
        "downtime_hours_per_year": {
            "mean": _r(down.mean(), 4),
            "p50": _r(np.percentile(down, 50), 4),
            "p95": _r(np.percentile(down, 95), 4),
        },
        "outages_per_year": {"mean": _r(result.per_replication.outages.mean() * per_year, 4)},
        "sla": _sla_dict(result),
        "support": None,
        "attribution": [
            {
                "instance": row.instance,
                "downtime_share": _r(row.downtime_share),
                "breach_share": _r(row.breach_share),
            }
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
    n_windows = result.window_breach.size
    quant = lambda q: _r(result.window_availability_quantile(q / 100), 8)  # noqa: E731
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
        "windows": int(n_windows),
        "window_availability": {
            "mean": _r(result.window_availability_mean, 8),
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

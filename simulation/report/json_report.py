"""The JSON report, schema ``slasim.report/1`` (a stable contract: bump on change)."""

from __future__ import annotations

import numpy as np

from simulation.model.scenario import HOURS_PER_YEAR
from simulation.report.summary import support_window_label

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
                "replications_with_downtime": {"type": "integer", "minimum": 0},
            },
        },
        "downtime_hours_per_year": {
            "type": "object",
            "required": ["mean", "p50", "p95"],
            "properties": {
                **{k: {"type": "number", "minimum": 0} for k in ("mean", "p50", "p95")},
                "mean_ci95": {"$ref": "#/$defs/optional_interval"},
            },
        },
        "outages_per_year": {
            "type": "object",
            "required": ["mean"],
            "properties": {
                "mean": {"type": "number", "minimum": 0},
                "mean_ci95": {"$ref": "#/$defs/optional_interval"},
            },
        },
        "stockouts_per_year": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["mean", "ci95"],
                    "properties": {"mean": {"type": "number", "minimum": 0}, "ci95": {"type": "array"}},
                },
            ]
        },
        "maintenance": {
            "description": "rolling maintenance: jobs deferred per year (mean and 95 % CI over "
            "replications); null without rolling maintenance",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["deferrals_per_year"],
                    "properties": {"deferrals_per_year": {"$ref": "#/$defs/mean_ci"}},
                },
            ],
        },
        "capacity_shortfall": {
            "description": "downtime caused by demand changes (up members could not carry the "
            "demand): raw hours per year (mean and 95 % CI over replications) and share of the "
            "counted downtime; null without a demand profile",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["hours_per_year", "counted_share"],
                    "properties": {
                        "hours_per_year": {"$ref": "#/$defs/mean_ci"},
                        "counted_share": {"$ref": "#/$defs/fraction"},
                    },
                },
            ],
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
                        "window_kind": {"enum": ["month", "quarter", "year", "rolling", "sliding"]},
                        "window_hours": {"type": ["number", "null"], "exclusiveMinimum": 0},
                        "windows": {"type": "integer", "minimum": 0},
                        "window_availability": {
                            "type": "object",
                            "required": ["mean", "p01", "p05", "p50"],
                            "properties": {
                                **{
                                    k: {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]}
                                    for k in ("mean", "p01", "p05", "p50")
                                },
                                "mean_ci95": {"$ref": "#/$defs/optional_interval"},
                            },
                        },
                        "breach_probability": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                        "breach_probability_ci95": {
                            "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                        },
                        "breaches_per_year": {
                            "type": "object",
                            "required": ["mean"],
                            "properties": {
                                "mean": {"type": ["number", "null"], "minimum": 0},
                                "mean_ci95": {"$ref": "#/$defs/optional_interval"},
                            },
                        },
                        "expected_credit_percent": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                        "expected_credit_percent_ci95": {"$ref": "#/$defs/optional_interval"},
                        "expected_credit_per_year_ci95": {"$ref": "#/$defs/optional_interval"},
                        "achievable_target": {
                            "type": "object",
                            "required": ["risk", "target"],
                            "properties": {
                                "risk": {"$ref": "#/$defs/fraction"},
                                "target": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                                "per": {"enum": ["year", "window"]},
                                "below": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                                "confidence": {"$ref": "#/$defs/fraction"},
                            },
                        },
                        "breach_probability_year": {
                            "oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]
                        },
                        "breach_probability_year_ci95": {
                            "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                        },
                        "contract_years": {"type": ["integer", "null"], "minimum": 0},
                        "fee": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "required": ["amount", "currency"],
                                    "properties": {
                                        "amount": {"type": "number", "minimum": 0},
                                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                    },
                                },
                            ]
                        },
                        "expected_credit_per_year": {"type": ["number", "null"], "minimum": 0},
                        "targets": {"type": "array", "items": {"$ref": "#/$defs/target_row"}},
                        "chronic": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "required": ["breaches", "within", "probability"],
                                    "properties": {
                                        "breaches": {"type": "integer", "minimum": 1},
                                        "within": {"type": "integer", "minimum": 1},
                                        "probability": {
                                            "oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]
                                        },
                                        "probability_ci95": {"$ref": "#/$defs/interval"},
                                        "horizon_hours": {"type": "number", "exclusiveMinimum": 0},
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
                                    "mean_response_min_ci95": {
                                        "oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]
                                    },
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
                    "breach_share": {"$ref": "#/$defs/fraction"},
                },
            },
        },
        "segments": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["segment", "downtime_share"],
                        "properties": {
                            "segment": {"type": "string"},
                            "downtime_share": {"$ref": "#/$defs/fraction"},
                        },
                    },
                },
            ]
        },
        "networks": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["network", "disconnected_hours_per_year", "latency_hours_per_year"],
                        "properties": {
                            "network": {"type": "string"},
                            "disconnected_hours_per_year": {"type": "number", "minimum": 0},
                            "latency_hours_per_year": {"type": "number", "minimum": 0},
                        },
                    },
                },
            ]
        },
        "sites": {
            "description": "per-site network sources: the service seen from each customer site "
            "(Result.sites); the run's own figures are the first site's",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["site", "availability", "breach_probability", "expected_credit_percent"],
                        "properties": {
                            "site": {"type": "string"},
                            "availability": {"$ref": "#/$defs/fraction"},
                            "availability_ci95": {"$ref": "#/$defs/interval"},
                            "breach_probability": {"oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}]},
                            "breach_probability_ci95": {"$ref": "#/$defs/optional_interval"},
                            "expected_credit_percent": {"type": ["number", "null"], "minimum": 0},
                            "analytic": {
                                "description": "the site's steady-state availability (null where "
                                "there is no analytic value)",
                                "oneOf": [{"$ref": "#/$defs/fraction"}, {"type": "null"}],
                            },
                        },
                    },
                },
            ],
        },
        "elapsed_seconds": {"type": "number", "minimum": 0},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "value"],
                "properties": {"path": {"type": "string"}},
            },
        },
        "cost": {
            "description": "expected cost per year in the fee's currency (simulation.study.cost)",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["currency", "components", "crews", "spares", "credits", "total"],
                    "properties": {
                        "currency": {"type": ["string", "null"]},
                        "components": {"type": "number", "minimum": 0},
                        "crews": {"type": "number", "minimum": 0},
                        "spares": {"type": "number", "minimum": 0},
                        "credits": {"type": ["number", "null"], "minimum": 0},
                        "credits_ci95": {"oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]},
                        "total": {"type": "number", "minimum": 0},
                        "total_ci95": {"oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]},
                    },
                },
            ],
        },
        "uncertain_inputs": {
            "description": "values given as ranges, run at their midpoints (model units: hours, per hour)",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "low", "high", "scale", "midpoint"],
                "properties": {
                    "path": {"type": "string"},
                    "low": {"type": "number"},
                    "high": {"type": "number"},
                    "scale": {"enum": ["log", "linear"]},
                    "midpoint": {"type": "number"},
                },
            },
        },
        "portfolio": {
            "description": "credits per year across sla.customers contracts (simulation.study.portfolio)",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["customers", "currency", "contract_years", "mean", "shared", "independent"],
                    "properties": {
                        "customers": {"type": "integer", "minimum": 1},
                        "currency": {"type": "string"},
                        "contract_years": {"type": "integer", "minimum": 1},
                        "mean": {"type": "number", "minimum": 0},
                        "mean_ci95": {"oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]},
                        "shared": {"$ref": "#/$defs/tail"},
                        "independent": {"$ref": "#/$defs/tail"},
                    },
                },
            ],
        },
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
                        "unavailability_upper_bound": {"type": ["number", "null"]},
                        "breach_probability_upper_bound": {"type": ["number", "null"]},
                    },
                },
            ]
        },
    },
    "$defs": {
        "fraction": {"type": "number", "minimum": 0, "maximum": 1},
        "mean_ci": {
            "type": "object",
            "required": ["mean", "ci95"],
            "properties": {"mean": {"type": "number", "minimum": 0}, "ci95": {"type": "array"}},
        },
        "interval": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        "tail": {
            "type": "object",
            "required": ["p95", "p99"],
            "properties": {"p95": {"type": "number", "minimum": 0}, "p99": {"type": "number", "minimum": 0}},
        },
        "optional_interval": {"oneOf": [{"$ref": "#/$defs/interval"}, {"type": "null"}]},
        "target_row": {
            "type": "object",
            "required": [
                "target",
                "breach_probability",
                "breach_probability_ci95",
                "breach_probability_year",
                "breach_probability_year_ci95",
                "breaches_per_year",
                "expected_credit_percent",
                "expected_credit_per_year",
                "within_risk",
                "contract",
                "achievable",
            ],
            "properties": {
                "target": {"$ref": "#/$defs/fraction"},
                "breach_probability": {"$ref": "#/$defs/fraction"},
                "breach_probability_ci95": {"$ref": "#/$defs/interval"},
                "breach_probability_year": {"$ref": "#/$defs/fraction"},
                "breach_probability_year_ci95": {"$ref": "#/$defs/interval"},
                "breaches_per_year": {"type": "number", "minimum": 0},
                "expected_credit_percent": {"type": "number", "minimum": 0, "maximum": 100},
                "expected_credit_per_year": {"type": ["number", "null"], "minimum": 0},
                "breaches_per_year_ci95": {"$ref": "#/$defs/optional_interval"},
                "expected_credit_percent_ci95": {"$ref": "#/$defs/optional_interval"},
                "expected_credit_per_year_ci95": {"$ref": "#/$defs/optional_interval"},
                "within_risk": {"type": "boolean"},
                "contract": {"type": "boolean"},
                "achievable": {"type": "boolean"},
            },
        },
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
            "replications_with_downtime": int(np.count_nonzero(down > 0)),
        },
        "downtime_hours_per_year": {
            "mean": _r(down.mean(), 4),
            "p50": _r(np.percentile(down, 50), 4),
            "p95": _r(np.percentile(down, 95), 4),
            "mean_ci95": _interval([v / 60.0 for v in result.downtime_min_per_year_ci()], 6),
        },
        "outages_per_year": {
            "mean": _r(result.per_replication.outages.mean() * per_year, 4),
            "mean_ci95": _interval(result.outages_per_year_ci(), 6),
        },
        "stockouts_per_year": _stockouts_dict(result),
        "maintenance": _maintenance_dict(result),
        "capacity_shortfall": _shortfall_dict(result),
        "sla": _sla_dict(result),
        "support": _support_dict(result),
        "attribution": [
            {
                "instance": row.instance,
                "downtime_share": _r(row.downtime_share),
                "breach_share": _r(row.breach_share),
            }
            for row in result.attribution.itertuples()
        ],
        "segments": None
        if result.segments is None
        else [
            {"segment": row.segment, "downtime_share": _r(row.downtime_share)}
            for row in result.segments.itertuples()
        ],
        "networks": None
        if result.network_downtime is None
        else [
            {
                "network": row.network,
                "disconnected_hours_per_year": _r(row.disconnected_h_per_year, 4),
                "latency_hours_per_year": _r(row.latency_h_per_year, 4),
            }
            for row in result.network_downtime.itertuples()
        ],
        "sites": _sites_list(result),
        "elapsed_seconds": _r(result.elapsed_seconds, 3),
        "changes": [{"path": path, "value": _json_value(value)} for path, value in result.scenario.changes],
        "precision": _precision_dict(result.precision),
        "cost": None if result.cost is None else result.cost.to_dict(),
        "portfolio": _portfolio_dict(result),
        "uncertain_inputs": [
            {"path": i.path, "low": i.low, "high": i.high, "scale": i.scale, "midpoint": i.midpoint}
            for i in result.scenario.uncertain
        ],
    }
    return report


def _sites_list(result) -> list | None:
    """Each customer site's figures (`Result.sites`), or None without per-site sources."""
    sites = result.sites
    if sites is None:
        return None

    def value(x, digits=6):
        return None if x != x else _r(x, digits)  # NaN: no SLA windows

    return [
        {
            "site": row.site,
            "availability": _r(row.availability),
            "availability_ci95": [_r(row.availability_ci_low), _r(row.availability_ci_high)],
            "breach_probability": value(row.breach_probability),
            "breach_probability_ci95": None
            if row.breach_ci_low != row.breach_ci_low
            else [_r(row.breach_ci_low), _r(row.breach_ci_high)],
            "expected_credit_percent": value(row.expected_credit_percent, 4),
            "analytic": value(row.analytic, 8),
        }
        for row in sites.itertuples()
    ]


def _portfolio_dict(result) -> dict | None:
    """Credits per year across `sla.customers` contracts (an addition to report/1)."""
    from simulation.report.summary import _portfolio

    p = _portfolio(result)
    return None if p is None else p.to_dict()


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
        "unavailability_upper_bound": _r(p.unavailability_bound, 10),
        "breach_probability_upper_bound": _r(p.breach_bound, 10),
    }


def _sla_dict(result) -> dict | None:
    sla = result.sla
    if sla is None:
        return None
    n_windows = result.window_breach.size
    quant = lambda q: _r(result.window_availability_quantile(q / 100), 8)  # noqa: E731
    ci = result.breach_ci()
    risk = result.target_risk
    chronic = None
    if sla.chronic is not None:
        chronic = {
            "breaches": sla.chronic.breaches,
            "within": sla.chronic.within,
            "probability": _r(result.chronic_probability),
            "horizon_hours": float(result.horizon_hours),
        }
        if result.chronic_ci() is not None:
            chronic["probability_ci95"] = _interval(result.chronic_ci())
    p_year = ci_year = None
    if risk is not None:
        p_year, ci_year = risk.year_risk(sla.target)
    table = result.targets
    best = result.achievable_target
    return {
        "target": sla.target,
        "window": sla.window_label,
        "window_kind": _window_kind(sla.window),
        "window_hours": None if isinstance(sla.window, str) else float(sla.window.hours),
        "windows": int(n_windows),
        "window_availability": {
            "mean": _r(result.window_availability_mean, 8),
            "mean_ci95": _interval(result.window_availability_mean_ci(), 8),
            "p01": quant(1),
            "p05": quant(5),
            "p50": quant(50),
        },
        "breach_probability": _r(result.breach_probability),
        "breach_probability_ci95": None if ci is None else _interval(ci),
        "breach_probability_year": _r(p_year),
        "breach_probability_year_ci95": None if ci_year is None else _interval(ci_year),
        "contract_years": int(risk.yearly_minimum.size) if risk is not None and risk.years_counted else None,
        "breaches_per_year": {
            "mean": _r(result.breaches_per_year, 4),
            "mean_ci95": _interval(result.breaches_per_year_ci(), 6),
        },
        "expected_credit_percent": _r(result.expected_credit_percent, 4),
        "expected_credit_percent_ci95": _interval(result.expected_credit_percent_ci(), 6),
        "expected_credit_per_year_ci95": _interval(result.expected_credit_per_year_ci(), 2),
        "fee": None if sla.fee is None else {"amount": sla.fee.amount, "currency": sla.fee.currency},
        "expected_credit_per_year": _r(result.expected_credit_per_year, 2),
        "achievable_target": {
            "risk": sla.risk,
            "per": sla.risk_per,
            "target": best,
            "below": float(table.target.min()) if best is None and len(table) else None,
            "confidence": 0.95,
        },
        "targets": [_target_row(r, sla.fee is not None) for r in table.itertuples()],
        "chronic": chronic,
    }


def _window_kind(window) -> str:
    """``month``, ``quarter``, ``year``, ``rolling`` or ``sliding``: `sla.window` for a program."""
    from simulation.model.sla import Sliding

    if isinstance(window, str):
        return window
    return "sliding" if isinstance(window, Sliding) else "rolling"


def _json_value(value):
    """A changed value as JSON data (dates and other YAML scalars as their text)."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _interval(ci, digits: int = 10) -> list | None:
    """A CI as ``[low, high]``, or None where it is missing or not finite."""
    return None if ci is None or not all(np.isfinite(ci)) else [_r(float(v), digits) for v in ci]


def _target_row(r, has_fee: bool) -> dict:
    """One row of the target table (`Result.targets`) in the report's names."""
    return {
        "target": float(r.target),
        "breach_probability": _r(r.breach_window, 10),
        "breach_probability_ci95": [_r(r.breach_window_low, 10), _r(r.breach_window_high, 10)],
        "breach_probability_year": _r(r.breach_year, 10),
        "breach_probability_year_ci95": [_r(r.breach_year_low, 10), _r(r.breach_year_high, 10)],
        "breaches_per_year": _r(r.breaches_per_year, 6),
        "expected_credit_percent": _r(r.credit_pct, 6),
        "expected_credit_per_year": _r(r.credit_per_year, 2) if has_fee else None,
        "breaches_per_year_ci95": [_r(r.breaches_per_year_low, 6), _r(r.breaches_per_year_high, 6)],
        "expected_credit_percent_ci95": [_r(r.credit_pct_low, 6), _r(r.credit_pct_high, 6)],
        "expected_credit_per_year_ci95": (
            [_r(r.credit_per_year_low, 2), _r(r.credit_per_year_high, 2)] if has_fee else None
        ),
        "within_risk": bool(r.within_risk),
        "contract": bool(r.contract),
        "achievable": bool(r.achievable),
    }


def _finite(x, digits=6):
    """A JSON number, or None for a figure that is missing or infinite (never answered)."""
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


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
            "mean_response_min_ci95": _interval(ch.mean_response_ci95, 4),
            "p95_response_min": _finite(ch.p95_response_min, 4),
            "analytic": analytic,
        }
    return {
        "target": f.target,
        "window": support_window_label(result.sla),
        "windows": int(f.windows),
        "tickets_per_year": _finite(f.tickets_per_year, 2),
        "breach_probability": _finite(f.breach_probability),
        "breach_probability_ci95": _interval(f.breach_probability_ci95),
        "analytic_note": f.analytic_note,
        "channels": channels,
    }


def _stockouts_dict(result) -> dict | None:
    """Spare-pool stock-outs per year (mean and 95 % CI); None without spare pools."""
    figures = result.stockouts_per_year()
    if figures is None:
        return None
    mean, ci = figures
    bounds = [_r(v, 4) if np.isfinite(v) else None for v in ci]  # None: a single replication
    return {"mean": _r(mean, 4), "ci95": bounds}


def _maintenance_dict(result) -> dict | None:
    """Rolling maintenance jobs deferred per year (mean and 95 % CI); None without."""
    figures = result.deferrals_per_year()
    if figures is None:
        return None
    mean, ci = figures
    bounds = [_r(v, 4) if np.isfinite(v) else None for v in ci]
    return {"deferrals_per_year": {"mean": _r(mean, 4), "ci95": bounds}}


def _shortfall_dict(result) -> dict | None:
    """Downtime caused by demand changes; None without a demand profile."""
    figures = result.capacity_shortfall()
    if figures is None:
        return None
    bounds = [_r(v, 6) if np.isfinite(v) else None for v in figures["ci95"]]
    return {
        "hours_per_year": {"mean": _r(figures["hours_per_year"], 6), "ci95": bounds},
        "counted_share": _r(figures["counted_share"]),
    }

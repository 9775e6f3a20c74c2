"""Timelines -> per-window SLA figures: windows, service hours, exclusions, credits.

`SlaMeter` measures one replication's `Timeline` per window exactly as the contract
does; the helpers in `stats` reduce the figures of many replications, and `targets`
gives the risk and credit of any target (the target table, the achievable target).
"""

from simulation.measure.meter import EXCLUDED_KINDS, Attribution, SlaMeter, WindowFigures
from simulation.measure.stats import (
    ConfidenceInterval,
    achievable_target,
    chronic_triggered,
    clustered_proportion_ci,
    fraction_mean_ci,
    mean_ci,
    wilson_interval,
    zero_event_upper_bound,
)
from simulation.measure.targets import TargetRisk, contract_years
from simulation.measure.windows import Windows, window_bounds

__all__ = [
    "EXCLUDED_KINDS",
    "Attribution",
    "ConfidenceInterval",
    "SlaMeter",
    "TargetRisk",
    "WindowFigures",
    "Windows",
    "achievable_target",
    "chronic_triggered",
    "clustered_proportion_ci",
    "contract_years",
    "fraction_mean_ci",
    "mean_ci",
    "wilson_interval",
    "window_bounds",
    "zero_event_upper_bound",
]

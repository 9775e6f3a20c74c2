"""Timelines -> per-window SLA figures: windows, service hours, exclusions, credits.

`SlaMeter` measures one replication's `Timeline` per window exactly as the contract
does; the helpers in `stats` reduce the figures of many replications.
"""

from simulation.measure.meter import EXCLUDED_KINDS, Attribution, SlaMeter, WindowFigures
from simulation.measure.stats import achievable_target, chronic_triggered, mean_ci, wilson_interval
from simulation.measure.windows import Windows, window_bounds

__all__ = [
    "EXCLUDED_KINDS",
    "Attribution",
    "SlaMeter",
    "WindowFigures",
    "Windows",
    "achievable_target",
    "chronic_triggered",
    "mean_ci",
    "wilson_interval",
    "window_bounds",
]

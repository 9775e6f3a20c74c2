"""The support desk: tickets from background demand and outages, agents on shifts,
first-response times per channel against their objectives (see `desk` and `figures`).

It is computed from each replication's outage timeline after the engine has run, so
both engines have it and it never changes availability.
"""

from simulation.support.desk import Desk, Tickets
from simulation.support.figures import (
    ChannelFigures,
    SupportBatch,
    SupportFigures,
    SupportMeter,
    erlang_c_model,
    support_figures,
    support_table,
)

__all__ = [
    "Desk",
    "Tickets",
    "SupportMeter",
    "SupportBatch",
    "support_table",
    "support_figures",
    "SupportFigures",
    "ChannelFigures",
    "erlang_c_model",
]

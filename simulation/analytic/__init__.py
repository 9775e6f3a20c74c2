"""Exact steady-state availability, to cross-check the simulation engines.

Closed forms of reliability block diagrams (`series`, `parallel`, `k_of_n`, ...),
continuous-time Markov chains for blocks with state (standby groups, spares, failover
outages) and factoring on network graphs (`network_availability`), composed over a
scenario's structure by `steady_state`. Where no exact model applies for the
distributions given the value is None, never a guess, and the `Analytic` result says
why.

Examples
--------
>>> import simulation.analytic as an
>>> round(an.k_of_n_identical(2, 3, 0.9), 6)
0.972
"""

from simulation.analytic.ctmc import (
    NotApplicable,
    SwitchRates,
    chain_availability,
    explore,
    kofn_failover_availability,
    kofn_spares_availability,
    regenerative_availability,
    standby_availability,
    stateful_block_availability,
    stationary_distribution,
)
from simulation.analytic.network import AvailabilityBounds, network_availability
from simulation.analytic.rbd import (
    instance_availability,
    k_of_n,
    k_of_n_identical,
    parallel,
    series,
)
from simulation.analytic.solve import Analytic, steady_state, steady_state_availability, unsupported_reason

__all__ = [
    # whole scenarios
    "Analytic",
    "steady_state",
    "steady_state_availability",
    "unsupported_reason",
    "NotApplicable",
    # closed forms on availabilities
    "instance_availability",
    "series",
    "parallel",
    "k_of_n",
    "k_of_n_identical",
    # networks
    "network_availability",
    "AvailabilityBounds",
    # Markov chains
    "SwitchRates",
    "explore",
    "stationary_distribution",
    "chain_availability",
    "regenerative_availability",
    "standby_availability",
    "kofn_spares_availability",
    "kofn_failover_availability",
    "stateful_block_availability",
]

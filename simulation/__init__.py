"""slasim: simulate cloud end-to-end SLAs and measure them as the contract does.

The front door for notebooks and scripts::

    import simulation as sim
    scenario = sim.load("scenarios/web-hosting.yaml")
    result = sim.run(scenario, replications=2000, seed=7)
    print(result.summary())
    table = sim.sweep(scenario, vary={"sla.target": ["99.9%", "99.95%"]}, seed=7)

Deeper modules (`simulation.engine`, `simulation.measure`, …) are reachable but
not promised.
"""

from simulation.model.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Uniform,
    Weibull,
)
from simulation.report.result import Result
from simulation.scenario import ScenarioError, load, loads
from simulation.study.compare import compare
from simulation.study.optimise import optimise
from simulation.study.runner import run
from simulation.study.sweep import sweep

__version__ = "0.1.0"

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Normal",
    "Result",
    "ScenarioError",
    "Uniform",
    "Weibull",
    "compare",
    "load",
    "loads",
    "optimise",
    "run",
    "sweep",
]

"""Both engines against the analytic solvers, and against each other.

Every case has exponential parts and exponential or fixed switchover times, so the
steady-state availability is known exactly (closed forms, factoring on shared
instances, Markov chains for standby and failover, Markov regenerative processes for
fixed switchovers).
The simulated confidence interval of the mean availability (t-interval over
replications, fixed seeds, so the checks are deterministic) must cover it. The
intervals hold with 95 % confidence jointly over all checks of the module (Bonferroni:
each at 1 - 0.05 / number of checks): some forty separate 95 % intervals would miss two
exact values by chance alone. Horizons are long beside the repair times, so the start
from "all new and up" biases nothing measurable.
"""

import statistics

import numpy as np
import pytest
from helpers import L, assert_same_timelines, expo, scenario_of

from simulation.analytic import steady_state_availability
from simulation.engine import des, fast
from simulation.engine.fast import unsupported_reason
from simulation.measure.stats import mean_ci
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.structure import KofN, Series, Standby, Switchover

HORIZON = 20_000.0
REPS = range(400)

A, B, C = expo(100, 10), expo(150, 8), expo(60, 12)
SO = Switchover(Exponential.from_mean(2.0), coverage=0.9, manual=Exponential.from_mean(8.0))
FIXED = Switchover(Deterministic(2.0), coverage=0.9, manual=Deterministic(8.0))

CASES = {
    # closed forms
    "series": (Series(L("a", "b")), {"a": A, "b": B}),
    "parallel": (KofN(1, L("a", "b"), kind="parallel"), {"a": A, "b": B}),
    "2-of-3 non-identical": (KofN(2, L("a", "b", "c")), {"a": A, "b": B, "c": C}),
    "series of parallels": (
        Series((KofN(1, L("a", "b")), KofN(1, L("c", "d")))),
        {"a": A, "b": B, "c": C, "d": C},
    ),
    # shared instance: one power part behind both branches (factoring)
    "shared instance": (
        KofN(1, (Series(L("p", "a")), Series(L("p", "b")))),
        {"p": expo(400, 4), "a": A, "b": B},
    ),
    # Markov chains
    "cold standby": (Standby(L("a", "b"), mode="cold"), {"a": A, "b": A}),
    "warm standby": (Standby(L("a", "b"), mode="warm"), {"a": A, "b": expo(100, 10, idle_mtbf=300)}),
    "hot standby, switchover, coverage, revert": (
        Standby(L("a", "b"), mode="hot", switchover=SO, revert=True),
        {"a": A, "b": B},
    ),
    "cold standby, switchover, no revert": (
        Standby(L("a", "b"), mode="cold", switchover=SO),
        {"a": A, "b": B},
    ),
    "hot 1-of-2 with failover": (KofN(1, L("a", "b"), failover=SO), {"a": A, "b": B}),
    "hot 2-of-3 with failover": (KofN(2, L("a", "b", "c"), failover=SO), {"a": A, "b": A, "c": A}),
    "cold 2-of-3 with failover": (
        KofN(2, L("a", "b", "c"), mode="cold", failover=SO),
        {"a": A, "b": A, "c": A},
    ),
    "warm 2-of-3 with failover": (
        KofN(2, L("a", "b", "c"), mode="warm", failover=SO),
        {
            "a": expo(100, 10, idle_mtbf=400),
            "b": expo(100, 10, idle_mtbf=400),
            "c": expo(100, 10, idle_mtbf=400),
        },
    ),
    "cold standby of three, revert": (
        Standby(L("a", "b", "c"), mode="cold", switchover=SO, revert=True),
        {"a": A, "b": B, "c": C},
    ),
    # a standby whose members are whole (stateless) blocks: a chain over their instances
    "hot standby of two parallel pairs, revert": (
        Standby((KofN(1, L("f1", "f2")), KofN(1, L("g1", "g2"))), mode="hot", switchover=SO, revert=True),
        {"f1": expo(200, 30), "f2": expo(200, 30), "g1": B, "g2": B},
    ),
    "cold standby of series blocks": (
        Standby((Series(L("a", "b")), Series(L("c", "d"))), mode="cold", switchover=SO),
        {"a": A, "b": B, "c": A, "d": B},
    ),
    # fixed (deterministic) switchovers: Markov regenerative processes
    "hot 1-of-2, fixed 10 h failover (MTBF 200 h, MTTR 4 h)": (
        KofN(1, L("a", "b"), failover=Switchover(Deterministic(10.0))),
        {"a": expo(200, 4), "b": expo(200, 4)},
    ),
    "hot standby, fixed switchover, coverage, revert": (
        Standby(L("a", "b"), mode="hot", switchover=FIXED, revert=True),
        {"a": A, "b": B},
    ),
    "cold standby of series blocks, fixed switchover": (
        Standby((Series(L("a", "b")), Series(L("c", "d"))), mode="cold", switchover=FIXED),
        {"a": A, "b": B, "c": A, "d": B},
    ),
    "standby inside a series": (
        Series((Standby(L("a", "b"), mode="cold", switchover=SO), *L("c"))),
        {"a": A, "b": B, "c": expo(500, 5)},
    ),
}


#: The cases the fast engine runs (warm and cold spares are the SimPy engine's alone).
FAST_CASES = [n for n in CASES if not unsupported_reason(scenario_of(*CASES[n]))]


#: Per-check confidence: 95 % jointly over the coverage and agreement checks (Bonferroni).
CHECKS = len(CASES) + 2 * len(FAST_CASES)
CONFIDENCE = 1.0 - 0.05 / CHECKS
Z = float(statistics.NormalDist().inv_cdf(1.0 - 0.025 / CHECKS))


def _availabilities(timelines):
    return np.array([1.0 - t.downtime_hours / HORIZON for t in timelines])


def _des(sc):
    return _availabilities(des.simulate(sc, 11, REPS, HORIZON))


def _fast(sc):
    return _availabilities(fast.simulate(sc, 11, REPS, HORIZON))


@pytest.mark.parametrize("name, engine", [(n, "des") for n in CASES] + [(n, "fast") for n in FAST_CASES])
def test_simulated_ci_covers_analytic(name, engine):
    service, parts = CASES[name]
    sc = scenario_of(service, parts, horizon=HORIZON)
    exact = steady_state_availability(sc)
    assert exact is not None, "the case must be one the solvers cover"
    mean, low, high = mean_ci(_des(sc) if engine == "des" else _fast(sc), CONFIDENCE)
    assert low <= exact <= high, f"{engine}: {mean:.6f} [{low:.6f}, {high:.6f}] vs analytic {exact:.6f}"


@pytest.mark.parametrize("name", FAST_CASES)
def test_engines_give_identical_outages_from_the_same_draws(name):
    """Both engines read the same random numbers, so they must agree outage by outage."""
    sc = scenario_of(*CASES[name], horizon=5000.0)
    assert_same_timelines(des.simulate(sc, 3, range(60), 5000.0), fast.simulate(sc, 3, range(60), 5000.0))


@pytest.mark.parametrize("name", FAST_CASES)
def test_engines_agree_within_joint_ci_on_independent_draws(name):
    sc = scenario_of(*CASES[name], horizon=HORIZON)
    d = _availabilities(des.simulate(sc, 11, REPS, HORIZON))
    f = _availabilities(fast.simulate(sc, 12, REPS, HORIZON))  # another seed: independent
    se = np.hypot(d.std(ddof=1) / np.sqrt(d.size), f.std(ddof=1) / np.sqrt(f.size))
    assert abs(d.mean() - f.mean()) <= Z * se

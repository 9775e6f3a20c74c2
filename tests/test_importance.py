"""Importance: Birnbaum and criticality from the structure function, and the one change."""

import numpy as np
import pytest

import simulation as sim
from simulation.model.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Uniform,
    Weibull,
)
from simulation.study.importance import importance, scaled, structure_importance
from tests.studies import WEB_PAIR

SERIES_PARALLEL = """\
format: slasim/1
name: one part in series with a pair
components:
  a: {failure: {mtbf: 99h}, repair: {mttr: 1h}}
  b: {failure: {mtbf: 90h}, repair: {mttr: 10h}}
  c: {failure: {mtbf: 80h}, repair: {mttr: 20h}}
service:
  series: [a, {parallel: [b, c]}]
"""


@pytest.mark.parametrize(
    "dist",
    [
        Exponential(0.1),
        Weibull(1.3, 100.0),
        Lognormal(1.0, 0.5),
        Gamma(2.0, 3.0),
        Normal(10.0, 2.0),
        Deterministic(4.0),
        Uniform(1.0, 3.0),
        Empirical((1.0, 2.0, 6.0)),
    ],
)
def test_a_scaled_distribution_scales_every_quantile(dist):
    q = np.array([0.1, 0.5, 0.9])
    assert scaled(dist, 0.5).mean == pytest.approx(0.5 * dist.mean)
    assert scaled(dist, 2.0).ppf(q) == pytest.approx(2.0 * np.asarray(dist.ppf(q)))


def test_birnbaum_and_criticality_of_a_series_parallel_system_are_the_textbook_values():
    a, b, c = 0.99, 0.9, 0.8
    system = a * (1 - (1 - b) * (1 - c))
    birnbaum, criticality, got_system, reason = structure_importance(sim.loads(SERIES_PARALLEL))
    assert reason is None
    assert got_system == pytest.approx(system, rel=1e-12)
    assert birnbaum["a"] == pytest.approx(1 - (1 - b) * (1 - c), rel=1e-12)  # A(pair)
    assert birnbaum["b"] == pytest.approx(a * (1 - c), rel=1e-12)
    assert birnbaum["c"] == pytest.approx(a * (1 - b), rel=1e-12)
    assert criticality["a"] == pytest.approx(birnbaum["a"] * (1 - a) / (1 - system), rel=1e-12)
    assert criticality["c"] == pytest.approx(birnbaum["c"] * (1 - c) / (1 - system), rel=1e-12)


def test_a_design_with_switchovers_has_no_structure_function():
    birnbaum, _, _, reason = structure_importance(sim.loads(WEB_PAIR))
    assert birnbaum == {} and "switchovers" in reason


def test_the_one_change_that_most_reduces_p_breach():
    result = sim.run(sim.loads(WEB_PAIR), replications=300, seed=5, workers=1, progress=False)
    imp = importance(result, top=2, progress=False, workers=1)
    assert imp.instances.instance.iloc[0] == "rack-power"  # most of the counted downtime
    # no structure function (failover): Birnbaum simulated. Rack power in series: the
    # system is down whenever it is, so I_B is the availability of the server pair,
    # about 1; one server of a 1-of-2 pair matters little
    rack = imp.instances.set_index("instance").loc["rack-power"]
    assert rack.birnbaum_low <= rack.birnbaum <= rack.birnbaum_high
    assert rack.birnbaum > 0.99
    server = imp.instances.set_index("instance").loc["web-server-1"]
    assert server.birnbaum < 0.01
    assert len(imp.changes) == 4  # two changes for each of the top two types
    best = imp.changes.iloc[0]
    assert imp.best_change == best.change and best.component == "rack-power"
    assert best.delta_breach_probability_high < 0  # a real drop, on paired replications
    assert "the one change" in imp.summary()


def test_run_importance_on_the_command_line(tmp_path, capsys):
    from simulation.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(SERIES_PARALLEL + "sla: {target: 99%}\n")
    assert main(["run", str(path), "-n", "40", "--workers", "1", "-q", "--importance"]) == 0
    out = capsys.readouterr().out
    assert "Birnbaum" in out and "the one change" in out


def test_simulated_birnbaum_agrees_with_the_structure_function():
    """Where both apply, the paired runs (part always up / always down) estimate the exact
    Birnbaum importance: each within its 95 % interval (fixed seed)."""
    from simulation.study.importance import simulated_birnbaum

    scenario = sim.loads(SERIES_PARALLEL)
    exact, _, _, _ = structure_importance(scenario)
    result = sim.run(scenario, replications=200, seed=3, horizon="2y", workers=1, progress=False)
    simulated = simulated_birnbaum(result, ["a", "b", "c"], progress=False, workers=1)
    for iid, (estimate, low, high) in simulated.items():
        assert low <= exact[iid] <= high, (iid, exact[iid], estimate)
        assert high - low < 0.02

"""Every shipped scenario loads, runs, and where both engines apply they agree."""

from pathlib import Path
from statistics import NormalDist

import jsonschema
import numpy as np
import pytest
from helpers import assert_same_timelines

import simulation as sim
from simulation.engine import des, fast
from simulation.engine.fast import unsupported_reason
from simulation.report.json_report import REPORT_SCHEMA

Z = NormalDist().inv_cdf(1 - 0.025 / 6)
SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_shipped_scenarios():
    assert {"web-hosting.yaml", "office-hours.yaml", "standby-database.yaml", "bench-datacenter.yaml"} <= {
        p.name for p in SCENARIOS
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_runs_and_reports(path):
    scenario = sim.load(path)
    result = sim.run(scenario, replications=40, workers=1, progress=False)
    jsonschema.validate(result.to_dict(), REPORT_SCHEMA)
    assert 0.99 < result.availability <= 1.0
    assert result.sla is not None and len(result.windows) > 0


@pytest.mark.parametrize(
    "path", [p for p in SCENARIOS if not unsupported_reason(sim.load(p))], ids=lambda p: p.name
)
def test_engines_agree_on_shipped_scenarios(path):
    """Same seed: identical outages. Different seeds: availability, P(breach) and expected
    credit within their joint confidence intervals (95 % jointly over the six checks of
    the two scenarios, Bonferroni)."""
    scenario = sim.load(path)
    h = scenario.run.horizon_hours
    outputs = (
        des.simulate_outputs(scenario, 5, range(20), h),
        fast.simulate_outputs(scenario, 5, range(20), h),
    )
    for a, b in zip(*outputs, strict=True):  # the service, and each customer site if any
        assert_same_timelines(a, b)
    a = sim.run(scenario, replications=400, seed=1, engine="des", workers=1, progress=False)
    b = sim.run(scenario, replications=400, seed=2, engine="fast", workers=1, progress=False)
    for column, per_rep in (
        ("availability", lambda r: r.per_replication.availability),
        ("breach", lambda r: r.windows.groupby("replication").breach.mean()),
        ("credit", lambda r: r.windows.groupby("replication").credit_pct.mean()),
    ):
        x, y = np.asarray(per_rep(a), float), np.asarray(per_rep(b), float)
        se = np.hypot(x.std(ddof=1) / np.sqrt(x.size), y.std(ddof=1) / np.sqrt(y.size))
        assert abs(x.mean() - y.mean()) <= Z * se + 1e-12, column

"""Result, JSON report and console summary on small Python-built scenarios."""

import json

import jsonschema
import numpy as np
import pytest
from helpers import L, expo, scenario_of

import simulation as sim
from simulation.model.sla import SLA, Chronic, CreditTier
from simulation.model.structure import KofN, Series
from simulation.report.json_report import REPORT_SCHEMA

SLA_999 = SLA(target=0.999, credits=(CreditTier(0.999, 0.10), CreditTier(0.99, 0.25)), chronic=Chronic(2, 6))


@pytest.fixture(scope="module")
def result():
    service = Series((KofN(1, L("a", "b"), kind="parallel"), *L("c")))
    sc = scenario_of(
        service, {"a": expo(500, 20), "b": expo(500, 20), "c": expo(4000, 3)}, horizon=8760.0, sla=SLA_999
    )
    return sim.run(sc, replications=120, seed=3, workers=1, progress=False)


def test_json_report_matches_its_schema(result):
    report = json.loads(result.to_json())
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["schema"] == "slasim.report/1"
    assert report["engine"] == "fast"  # auto: the scenario is inside the fast subset
    assert report["sla"]["windows"] == 120 * 12
    assert report["sla"]["chronic"]["breaches"] == 2


def test_report_figures_are_consistent_with_the_tables(result):
    report = result.to_dict()
    w = result.windows
    assert report["sla"]["breach_probability"] == pytest.approx(w.breach.mean(), abs=1e-6)
    assert report["sla"]["expected_credit_percent"] == pytest.approx(w.credit_pct.mean(), abs=1e-4)
    assert report["sla"]["breaches_per_year"]["mean"] == pytest.approx(w.breach.sum() / 120, abs=1e-4)
    low, high = report["availability"]["ci95"]
    assert low <= report["availability"]["mean"] <= high
    assert sum(a["downtime_share"] for a in report["attribution"]) == pytest.approx(1.0, abs=1e-5)
    # a breach is exactly availability below target, and credit follows the tiers
    assert (w.breach == (w.availability < 0.999)).all()
    assert set(np.unique(w.credit_pct)) <= {0.0, 10.0, 25.0}


def test_summary_and_repr_show_the_key_figures(result):
    text = result.summary()
    assert "P(breach)" in text and "availability" in text and "achievable target" in text
    assert "Result 'test'" in repr(result)
    assert result._repr_html_().startswith("<pre>")


@pytest.mark.parametrize("engine", ["des", "fast"])
def test_same_numbers_for_any_worker_count(engine):
    """Three batches of replications, run in one process or spread over two."""
    from simulation.engine.streams import BATCH_SIZE

    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    n = 2 * BATCH_SIZE + 50
    one = sim.run(sc, replications=n, seed=9, engine=engine, workers=1, progress=False).to_dict()
    two = sim.run(sc, replications=n, seed=9, engine=engine, workers=2, progress=False).to_dict()
    for d in (one, two):
        d.pop("elapsed_seconds")
    assert one == two


def test_plots_are_written(result, tmp_path):
    paths = result.save_plots(tmp_path)
    assert [p.name for p in paths] == [
        "availability.png",
        "timeline.png",
        "attribution.png",
        "target-risk.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_a_horizon_that_cuts_a_window_warns():
    sc = scenario_of(Series(L("c")), {"c": expo(4000, 3)}, horizon=1000.0, sla=SLA_999)
    with pytest.warns(UserWarning, match="does not end on a window boundary"):
        result = sim.run(sc, replications=5, workers=1, progress=False)
    assert result.to_dict()["sla"]["windows"] == 5  # January only (744 h)
    with pytest.warns(UserWarning, match="no complete SLA window"):
        sim.run(sc, replications=5, horizon=500.0, workers=1, progress=False)


def test_precision_driven_run_reaches_its_target_and_is_reproducible():
    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    runs = [sim.run(sc, replications=100, seed=4, precision=0.05, workers=w, progress=False) for w in (1, 2)]
    p = runs[0].precision
    assert p.met and p.unavailability <= 0.05 and p.breach_probability <= 0.05
    assert runs[0].replications > 100  # it had to add replications
    report = [r.to_dict() for r in runs]
    for d in report:
        d.pop("elapsed_seconds")
    assert report[0] == report[1]
    assert report[0]["precision"]["met"] is True


def test_precision_not_met_within_the_limit_says_so():
    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    result = sim.run(
        sc, replications=50, seed=4, precision=0.01, max_replications=120, workers=1, progress=False
    )
    assert result.replications == 120 and not result.precision.met
    assert "NOT MET" in result.summary()

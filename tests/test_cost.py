"""Cost per year: components per instance, crews, spares held, and SLA credits in money."""

import jsonschema
import numpy as np
import pytest

import simulation as sim
from simulation.report.json_report import REPORT_SCHEMA
from simulation.study.cost import fixed_cost, replication_credits_per_year
from tests.studies import WEB_PAIR

COSTED = WEB_PAIR.replace(
    "web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}}",
    "web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}, cost: 1800/y}",
).replace("  min_outage: 1min\n", "  min_outage: 1min\n  fee: 900 EUR\n")


def test_components_cost_per_instance_and_credits_are_the_fee_times_the_credit():
    scenario = sim.loads(COSTED)
    result = sim.run(scenario, replications=200, seed=5, workers=1, progress=False)
    cost = result.cost
    assert cost.components == 2 * 1800  # two web servers; rack power has no cost
    assert cost.crews == cost.spares == 0
    assert cost.currency == "EUR"
    # the credits are the run's expected credit per year, in money
    assert cost.credits == pytest.approx(result.expected_credit_per_year, rel=1e-12)
    # and per replication: 900 EUR x the credits of its 12 months (one year each)
    per_rep = replication_credits_per_year(result)
    credit = np.asarray(scenario.sla.credit_for(result.window_availability))
    assert per_rep == pytest.approx(900 * credit.sum(axis=1) * 8760 / result._window_hours.sum())
    assert cost.total == pytest.approx(3600 + cost.credits)
    assert cost.total_ci.low < cost.total < cost.total_ci.high
    assert cost.total_ci.high - cost.total == pytest.approx(cost.credits_ci.high - cost.credits)
    # with more servers the components cost more and the credits do not grow
    three = sim.run(
        scenario.with_({"service.series[1].of": {"web-server": 3}}),
        replications=200,
        seed=5,
        workers=1,
        progress=False,
    )
    assert three.cost.components == 5400
    assert three.cost.credits <= cost.credits


def test_cost_in_the_report_and_the_summary():
    result = sim.run(sim.loads(COSTED), replications=50, seed=5, workers=1, progress=False)
    report = result.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["cost"]["components"] == 3600
    assert report["cost"]["total"] == pytest.approx(result.cost.total, abs=0.01)
    assert "expected cost     " in result.summary()
    assert "EUR/year" in result.summary().split("expected cost")[1]


def test_no_cost_and_no_fee_means_no_cost_figures():
    result = sim.run(sim.loads(WEB_PAIR), replications=20, seed=5, workers=1, progress=False)
    assert result.cost is None
    assert result.to_dict()["cost"] is None
    assert "expected cost" not in result.summary()


def test_a_cost_without_a_fee_has_no_credits_in_money():
    text = COSTED.replace("  fee: 900 EUR\n", "")
    result = sim.run(sim.loads(text), replications=20, seed=5, workers=1, progress=False)
    assert result.cost.credits is None and result.cost.currency is None
    assert result.cost.total == 3600
    assert "credits n/a (no fee)" in result.summary()


def test_crews_and_spares_cost_per_year():
    text = COSTED.replace(
        "web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}, cost: 1800/y}",
        "web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}, cost: 1800/y, "
        "crew: onsite, spares: server-spares}",
    )
    text += (
        "crews:\n  onsite: {size: 2, cost: 150000/y}\n  remote: {size: 1, cost: 400/d}\n"
        "spares:\n  server-spares: {stock: 3, lead_time: 3d, holding_cost: 250/y}\n"
    )
    scenario = sim.loads(text)
    assert scenario.crews["onsite"].cost_per_year == 150000
    fixed = fixed_cost(scenario)
    assert fixed.crews == pytest.approx(150000 + 400 * 365)
    assert fixed.spares == 3 * 250
    assert fixed.components == 3600
    assert fixed.by_component == {"web-server": 3600}


@pytest.mark.parametrize(
    "section, expected",
    [
        ("crews:\n  onsite: {size: 1, cost: cheap}\n", "crews.onsite.cost: expected a cost"),
        ("spares:\n  s: {stock: 1, lead_time: 3d, holding_cost: -5}\n", "spares.s.holding_cost"),
        ("spares:\n  s: {stock: 1, lead_time: 3d, holding: 5}\n", "did you mean 'holding_cost'"),
    ],
)
def test_bad_costs_name_the_key(section, expected):
    with pytest.raises(sim.ScenarioError, match=expected):
        sim.loads(COSTED + section)


def test_the_format_example_costs_its_crew_and_spares():
    from pathlib import Path

    scenario = sim.load(Path(__file__).parent / "data" / "format-example.yaml")
    fixed = fixed_cost(scenario)
    assert scenario.crews["onsite"].cost_per_year == 150000
    assert fixed.spares == 300  # one part in stock


def test_every_sweep_variant_has_its_cost_with_its_interval():
    table = sim.sweep(
        sim.loads(COSTED),
        vary={"service.series[1].of": [{"web-server": 2}, {"web-server": 3}]},
        replications=60,
        seed=5,
        workers=1,
        progress=False,
    )
    assert list(table["cost.components"]) == [3600, 5400]
    for column in ("cost.total", "cost.total_ci95.low", "cost.total_ci95.high", "cost.credits"):
        assert column in table.columns
    assert (table["cost.total_ci95.low"] <= table["cost.total"]).all()

"""Portfolio exposure: credits per year of N contracts, breaching together or independently."""

import itertools

import jsonschema
import numpy as np
import pytest

import simulation as sim
from simulation.report.json_report import REPORT_SCHEMA
from simulation.study.portfolio import yearly_credits
from tests.test_cost import COSTED


@pytest.fixture(scope="module")
def result():
    scenario = sim.loads(COSTED.replace("  fee: 900 EUR\n", "  fee: 900 EUR\n  customers: 40\n"))
    # 2027 and 2028 (a leap year): two whole contract years
    return sim.run(scenario, replications=400, seed=5, horizon="17544h", workers=1, progress=False)


def test_yearly_credits_are_the_fee_times_the_credits_of_each_contract_year(result):
    per_year = yearly_credits(result)
    assert per_year.shape == (400, 2)  # two contract years per replication
    credit = 900 * np.asarray(result.sla.credit_for(result.window_availability))
    assert per_year[:, 0] == pytest.approx(credit[:, :12].sum(axis=1))
    assert per_year[:, 1] == pytest.approx(credit[:, 12:].sum(axis=1))
    # per contract year, not per 8760 h: the leap year 2028 is one year too
    assert per_year.sum() == pytest.approx(credit.sum())


def test_shared_customers_pay_together_and_independent_ones_spread_out(result):
    p = result.portfolio()  # sla.customers: 40
    samples = yearly_credits(result).ravel()
    assert p.customers == 40 and p.contract_years == 800
    assert p.mean == pytest.approx(40 * samples.mean())
    assert p.shared_p95 == pytest.approx(40 * np.quantile(samples, 0.95))
    assert p.shared_p99 == pytest.approx(40 * np.quantile(samples, 0.99))
    assert p.mean_ci.low < p.mean < p.mean_ci.high
    # independent customers: the same mean, a thinner tail
    assert p.independent_p99 < p.shared_p99
    assert result.portfolio(40) == p  # the same draws on every call


def test_independent_figures_match_the_exact_distribution_of_a_sum_of_two(result):
    """For two customers the sum of two independent contract years is enumerated exactly."""
    p = result.portfolio(2)
    values, counts = np.unique(yearly_credits(result).ravel(), return_counts=True)
    prob = counts / counts.sum()
    dist: dict = {}
    for (a, pa), (b, pb) in itertools.product(zip(values, prob), repeat=2):
        dist[round(a + b, 6)] = dist.get(round(a + b, 6), 0.0) + pa * pb
    cdf = lambda x: sum(q for v, q in dist.items() if v <= x + 1e-6)  # noqa: E731
    for q, got in ((0.95, p.independent_p95), (0.99, p.independent_p99)):
        # 100,000 draws: the sampled quantile lies where the exact cdf crosses q (+/- 0.003)
        assert cdf(got) >= q - 0.003
        assert cdf(got - 1e-3) <= q + 0.003


def test_portfolio_in_the_report_and_summary(result):
    report = result.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["portfolio"]["customers"] == 40
    assert report["portfolio"]["shared"]["p99"] == pytest.approx(result.portfolio().shared_p99, abs=0.01)
    assert "portfolio         40 customers" in result.summary()


def test_portfolio_needs_customers_a_fee_and_a_contract_year():
    no_customers = sim.run(sim.loads(COSTED), replications=20, seed=5, workers=1, progress=False)
    assert no_customers.to_dict()["portfolio"] is None
    with pytest.raises(ValueError, match="number of customers"):
        no_customers.portfolio()
    short = sim.run(sim.loads(COSTED), replications=20, seed=5, horizon="120d", workers=1, progress=False)
    with pytest.raises(ValueError, match="at least one contract year"):
        short.portfolio(10)
    with pytest.raises(sim.ScenarioError, match="sla.customers"):
        sim.loads(COSTED + "  customers: 0\n")

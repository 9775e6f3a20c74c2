"""Paired comparison: common random numbers make the difference of two designs precise."""

import numpy as np
import pytest

import simulation as sim
from simulation.study.compare import paired_difference, replication_figures
from tests.studies import FASTER_RACK_REPAIR, WEB_PAIR

RUN = {"replications": 1000, "workers": 1, "progress": False}


@pytest.fixture(scope="module")
def runs():
    base = sim.loads(WEB_PAIR, source="web-pair.yaml")
    faster = base.with_(FASTER_RACK_REPAIR)
    return {
        "a": sim.run(base, seed=5, **RUN),
        "b": sim.run(faster, seed=5, **RUN),
        "b_other_seed": sim.run(faster, seed=6, **RUN),
    }


def test_common_random_numbers_shrink_the_variance_of_a_difference(runs):
    """Var(B - A) per replication with one seed against with independent seeds.

    Measured (1000 replications, seeds 5 and 6): 0.19 for availability, 0.15 for the
    breach fraction and 0.17 for the credit; the bound 0.5 leaves room for the sampling
    error of the ratio (about 1000 degrees of freedom on each side).
    """
    a, b, b6 = (replication_figures(runs[k]) for k in ("a", "b", "b_other_seed"))
    for figure in ("availability", "breach_probability", "expected_credit_percent"):
        paired = np.var(np.subtract(b[figure], a[figure]), ddof=1)
        independent = np.var(np.subtract(b6[figure], a[figure]), ddof=1)
        assert paired / independent < 0.5, figure


def test_compare_gives_the_difference_with_a_paired_interval(runs):
    a, b = runs["a"], runs["b"]
    c = sim.compare(a, b)
    assert c.replications == 1000 and c.seed == 5
    # the mean of the per-replication differences is the difference of the figures
    assert c.availability.delta == pytest.approx(b.availability - a.availability, abs=1e-15)
    assert c.breach_probability.delta == pytest.approx(b.breach_probability - a.breach_probability, abs=1e-12)
    assert c.expected_credit_percent.delta == pytest.approx(
        b.expected_credit_percent - a.expected_credit_percent, abs=1e-12
    )
    for d in (c.availability, c.breach_probability, c.expected_credit_percent):
        assert d.low < d.delta < d.high
    # faster repairs: better availability, fewer breaches, both beyond doubt
    assert c.availability.low > 0 and c.breach_probability.high < 0
    # the paired interval is narrower than the two intervals of the figures would suggest
    ci_a, ci_b = a.breach_ci(), b.breach_ci()
    assert c.breach_probability.high - c.breach_probability.low < (ci_a.high - ci_a.low) + (
        ci_b.high - ci_b.low
    )
    assert "paired over 1000 replications" in c.summary()
    assert c.to_dict()["breach_probability"]["ci95"] == [c.breach_probability.low, c.breach_probability.high]


def test_compare_runs_two_scenarios_with_one_seed():
    base = sim.loads(WEB_PAIR, source="web-pair.yaml")
    c = sim.compare(base, base.with_(FASTER_RACK_REPAIR), replications=40, seed=9, workers=1, progress=False)
    assert c.seed == 9 and c.replications == 40


def test_a_design_against_itself_differs_by_exactly_zero(runs):
    c = sim.compare(runs["a"], runs["a"])
    assert (c.availability.delta, c.availability.low, c.availability.high) == (0.0, 0.0, 0.0)


def test_runs_that_are_not_pairs_are_refused(runs):
    with pytest.raises(ValueError, match="same seed: got 5 and 6"):
        sim.compare(runs["a"], runs["b_other_seed"])
    base = runs["a"].scenario
    with pytest.raises(ValueError, match="drop precision"):
        sim.compare(base, base, replications=40, precision=0.1)
    with pytest.raises(ValueError, match="equal sizes"):
        paired_difference([1.0, 2.0], [1.0])


def test_compare_gives_the_yearly_risk_and_the_cost_per_year(runs):
    """P(>= 1 breach per contract year) and the cost per year are compared on pairs too:
    the per-replication figures average to the runs' own figures."""
    fee = {"sla.fee": "1200 EUR", "components.web-server.cost": "1800/y"}
    base = sim.loads(WEB_PAIR, source="web-pair.yaml").with_(fee)
    a = sim.run(base, seed=5, **RUN)
    b = sim.run(base.with_(FASTER_RACK_REPAIR), seed=5, **RUN)
    c = sim.compare(a, b)
    target = a.sla.target
    assert c.breach_probability_year.a == pytest.approx(a.target_risk.year_risk(target)[0], abs=1e-12)
    assert c.breach_probability_year.b == pytest.approx(b.target_risk.year_risk(target)[0], abs=1e-12)
    assert c.breach_probability_year.high < 0  # faster repairs: fewer years with a breach
    assert c.cost_per_year.a == pytest.approx(a.cost.total, rel=1e-12)
    assert c.cost_per_year.delta == pytest.approx(b.cost.total - a.cost.total, rel=1e-9)
    text = c.summary()
    assert "per contract year" in text and "per window" in text and "per year" in text

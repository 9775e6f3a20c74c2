"""`run: {start: steady}`: every part in its long-run state at t = 0 (engine.steady)."""

import dataclasses
import math

import numpy as np
import pytest
from helpers import L, assert_same_timelines, det, scenario_of
from scipy import stats

from simulation.engine import des, fast
from simulation.engine.steady import equilibrium_ppf
from simulation.model.components import ComponentType
from simulation.model.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    Weibull,
)
from simulation.model.structure import KofN, Series, Standby, Switchover


def steady(scenario):
    return dataclasses.replace(scenario, run=dataclasses.replace(scenario.run, start="steady"))


@pytest.mark.parametrize(
    "dist",
    [Weibull(2.0, 100.0), Weibull(0.7, 50.0), Lognormal(1.0, 0.8), Gamma(2.5, 3.0), Uniform(2.0, 5.0)],
    ids=repr,
)
def test_equilibrium_quantiles_invert_the_integrated_survival(dist):
    """F_e(x) = ∫₀ˣ (1 − F(s)) ds / mean, computed here by adaptive quadrature."""
    from scipy import integrate

    u = np.array([0.05, 0.3, 0.5, 0.9, 0.99])
    x = equilibrium_ppf(dist, u)
    fe = [integrate.quad(lambda s: 1.0 - float(dist.cdf(s)), 0.0, xi, limit=200)[0] / dist.mean for xi in x]
    np.testing.assert_allclose(fe, u, rtol=2e-4)


def test_equilibrium_of_exponential_deterministic_and_empirical():
    u = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(equilibrium_ppf(Exponential(0.5), u), Exponential(0.5).ppf(u))
    np.testing.assert_allclose(equilibrium_ppf(Deterministic(4.0), u), 4.0 * u)
    # samples 1 and 3: survival 1 on [0, 1), 1/2 on [1, 3); mean 2
    np.testing.assert_allclose(
        equilibrium_ppf(Empirical((1.0, 3.0)), np.array([0.25, 0.5, 0.75])), [0.5, 1.0, 2.0]
    )


@pytest.mark.parametrize(
    "failure",
    [Exponential.from_mean(100.0), Weibull.from_mean(2.0, 100.0), Weibull.from_mean(0.6, 100.0)],
    ids=repr,
)
def test_steady_start_gives_the_stationary_availability_over_a_short_horizon(failure):
    """Over 10 h (a tenth of a life), a part started steady is up A = m_F / (m_F + m_G) of
    the time on average (exactly, for the stationary process): the 99.9 % t-interval of
    4,000 replications covers A. Started new, a wear-out (shape 2) part is up far more."""
    part = ComponentType("p", failure, Lognormal.from_mean_cv(25.0, 1.0))
    exact = failure.mean / (failure.mean + 25.0)
    sc = steady(scenario_of(Series(L("p")), {"p": part}, horizon=10.0))
    tls = fast.simulate(sc, 1, range(4000), 10.0)
    avail = np.array([1.0 - t.downtime_hours / 10.0 for t in tls])
    half = stats.t.ppf(0.9995, avail.size - 1) * avail.std(ddof=1) / math.sqrt(avail.size)
    assert abs(avail.mean() - exact) <= half
    if isinstance(failure, Weibull) and failure.shape > 1:  # wear-out: a new part is young
        new = fast.simulate(scenario_of(Series(L("p")), {"p": part}, horizon=10.0), 1, range(4000), 10.0)
        assert np.mean([1.0 - t.downtime_hours / 10.0 for t in new]) > exact + 5 * half


@pytest.mark.parametrize("engine", [des, fast], ids=["des", "fast"])
def test_a_block_whose_members_start_down_is_down_from_the_start(engine):
    """Two deterministic parts, up 10 h and down 10 h: each starts down with probability
    1/2, with the rest of its repair uniform on [0, 10). A parallel pair starts down where
    both start down, until the first is back; a series where either starts down."""
    parts = {"a": det(10, 10), "b": det(10, 10)}
    pair = steady(scenario_of(KofN(1, L("a", "b"), kind="parallel"), parts, horizon=5.0))
    chain = steady(scenario_of(Series(L("a", "b")), parts, horizon=5.0))
    run = fast._Run(0, np.arange(200), 5.0)
    leaf = fast._leaf_streams(pair, run)
    down = {i: ~leaf[i].initial for i in "ab"}
    for sc, rule in ((pair, down["a"] & down["b"]), (chain, down["a"] | down["b"])):
        tls = engine.simulate(sc, 0, range(200), 5.0)
        starts_down = np.array([len(t) > 0 and t.start[0] == 0.0 for t in tls])
        np.testing.assert_array_equal(starts_down, rule)
        assert 30 < rule.sum() < 170


@pytest.mark.parametrize(
    "service",
    [
        Series(L("a", "b")),
        KofN(2, L("a", "b", "c")),
        Standby(L("a", "b", "c"), switchover=Switchover(Deterministic(0.5)), revert=True),
        KofN(
            1,
            (Series(L("a", "b")), Standby(L("c", "d"), mode="cold")),
            failover=Switchover(Deterministic(0.2)),
        ),
    ],
    ids=["series", "2-of-3", "standby", "failover over cold"],
)
def test_both_engines_give_identical_outages_from_a_steady_start(service):
    parts = {
        i: ComponentType(i, Weibull.from_mean(1.5, 60.0), Lognormal.from_mean_cv(8.0, 1.0)) for i in "abcd"
    }
    sc = steady(scenario_of(service, parts, horizon=300.0))
    assert_same_timelines(des.simulate(sc, 9, range(40), 300.0), fast.simulate(sc, 9, range(40), 300.0))


def test_the_run_section_takes_start():
    from simulation.scenario import ScenarioError, loads

    head = (
        "format: slasim/1\nname: t\n"
        "components: {p: {failure: {mtbf: 100h}, repair: {mttr: 1h}}}\nservice: p\n"
    )
    assert loads(head).run.start == "new"
    assert loads(head + "run: {start: steady}\n").run.start == "steady"
    with pytest.raises(ScenarioError, match=r"run\.start.*unknown start 'stedy'.*steady"):
        loads(head + "run: {start: stedy}\n", source="t.yaml")


@pytest.mark.parametrize("engine", [des, fast], ids=["des", "fast"])
def test_a_standby_whose_first_member_starts_down_serves_with_the_second(engine):
    """The rule computes its initial state from its members: with a down at t = 0 the
    first up member serves from the start, with no switchover; both down: down from 0."""
    parts = {"a": det(10, 10), "b": det(10, 10)}
    sc = steady(
        scenario_of(Standby(L("a", "b"), switchover=Switchover(Deterministic(1.0))), parts, horizon=5.0)
    )
    leaf = fast._leaf_streams(sc, fast._Run(0, np.arange(200), 5.0))
    a_down, b_down = ~leaf["a"].initial, ~leaf["b"].initial
    tls = engine.simulate(sc, 0, range(200), 5.0)
    starts_down = np.array([len(t) > 0 and t.start[0] == 0.0 for t in tls])
    np.testing.assert_array_equal(starts_down, a_down & b_down)
    # a down, b up: b serves from t = 0; when a is back (b still up, no revert) nothing happens
    only_a = np.flatnonzero(a_down & ~b_down)
    assert only_a.size > 20
    assert all(len(tls[r]) == 0 or tls[r].start[0] >= leaf["b"].t[leaf["b"].rep == r].min() for r in only_a)

"""The cheapest design that meets the accepted risk: greedy search against the full grid."""

import itertools
from pathlib import Path

import pytest
import yaml

import simulation as sim
from simulation.cli import main
from simulation.study.optimise import design_variant, pareto_front, plan_choices

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "scenarios" / "studies" / "web-tier-sizing.yaml"
CHOICES = ROOT / "scenarios" / "studies" / "web-tier-sizing.choices.yaml"
OPTS = {"seed": 7, "workers": 1, "progress": False}


@pytest.fixture(scope="module")
def study():
    return sim.load(STUDY), yaml.safe_load(CHOICES.read_text())


@pytest.fixture(scope="module")
def found(study):
    scenario, choices = study
    return sim.optimise(scenario, choices, replications=200, confirm_replications=400, **OPTS)


@pytest.fixture(scope="module")
def grid(study):
    """Every design of the grid at the confirmation's replications."""
    scenario, choices = study
    plan = plan_choices(choices)
    designs = list(itertools.product(*(range(len(c.options)) for c in plan)))
    variants = {v.name: dict(v.changes) for v in (design_variant(plan, d) for d in designs)}
    return sim.sweep(scenario, variants=variants, replications=400, **OPTS)


def test_the_optimum_is_the_cheapest_design_of_the_full_grid_that_meets_the_risk(study, found, grid):
    """The cheapest design of the grid whose upper 95 % bound of P(>=1 breach per contract
    year) is within 5 % is the one found, and the search ran fewer designs than the grid
    holds."""
    scenario, _ = study
    risk_high = grid["sla.breach_probability_year_ci95.high"]
    meeting = grid[risk_high <= scenario.sla.risk]
    best = meeting.sort_values("cost.total", kind="stable").iloc[0]
    assert found.chosen is not None
    assert found.chosen.name == best.variant
    # the confirmation's figures are the grid's: one seed, the same replications
    assert found.chosen.cost == pytest.approx(best["cost.total"], abs=0.01)
    assert found.chosen.risk == pytest.approx(best["sla.breach_probability_year"])
    assert found.grid_size == len(grid) == 16
    assert found.evaluated < found.grid_size


def test_an_availability_target_picks_the_cheapest_design_whose_lower_bound_reaches_it(study, grid):
    """With ``availability=`` the criterion is the lower end of the availability's 95 %
    interval; a target between the grid's designs makes the choice non-trivial."""
    scenario, choices = study
    low = grid["availability.ci95.low"].sort_values().to_numpy()
    target = float(low[len(low) // 2])  # about half the designs reach it
    found = sim.optimise(
        scenario, choices, replications=200, confirm_replications=400, availability=target, **OPTS
    )
    best = grid[grid["availability.ci95.low"] >= target].sort_values("cost.total", kind="stable").iloc[0]
    assert found.chosen is not None and found.chosen.name == best.variant
    assert found.risk_label.startswith("unavailability")
    assert 1 - found.chosen.risk_high == pytest.approx(best["availability.ci95.low"])


def test_the_table_marks_the_pareto_front_and_the_choice(found):
    t = found.table
    assert t.chosen.sum() == 1
    chosen = t[t.chosen].iloc[0]
    assert chosen.meets and chosen.pareto
    # no design that meets the risk is cheaper than the chosen one
    assert not ((t.cost < chosen.cost) & t.meets).any()
    assert set(t.stage) == {"search", "confirm"}
    assert "Pareto front" in found.summary()


def test_pareto_front():
    # (cost, risk): the second is dominated by the first, the last ties the first on cost
    assert pareto_front([1, 2, 3, 1], [0.5, 0.6, 0.1, 0.7]) == [True, False, True, False]


def test_choices_of_values_are_named_as_a_grid_names_them():
    plan = plan_choices({"sla.target": ["99.9%", "99.5%"], "power": {"one": {}, "two": {"a.b": 2}}})
    v = design_variant(plan, (1, 1))
    assert v.name == "sla.target=99.5%, power=two"
    assert v.changes == {"sla.target": "99.5%", "a.b": 2}
    with pytest.raises(ValueError, match="at least two options"):
        plan_choices({"sla.target": ["99.9%"]})
    with pytest.raises(ValueError, match="must be a mapping of key path"):
        plan_choices({"power": {"one": {}, "two": 3}})


def test_a_bad_option_is_refused_before_anything_runs(study):
    scenario, _ = study
    with pytest.raises(sim.ScenarioError, match="option 'fast' of choice 'repair'"):
        sim.optimise(
            scenario, {"repair": {"slow": {}, "fast": {"components.rack-power.repair.mttr": "soon"}}}, **OPTS
        )


def test_without_costs_optimise_says_what_is_missing():
    from tests.studies import WEB_PAIR

    with pytest.raises(ValueError, match="optimise needs costs"):
        sim.optimise(sim.loads(WEB_PAIR), {"run.seed": [1, 2]}, replications=10, **OPTS)


def test_the_command_resumes_from_the_store(tmp_path, capsys):
    args = [
        "optimise",
        str(STUDY),
        "--choose",
        "instances.dc-power=utility-feed,{standby: [utility-feed, generator], mode: hot, switchover: 10s}",
        "--choose",
        "service.series[1]=rack-power,{parallel: [{rack-power: 2}]}",
        "-n",
        "100",
        "--confirm-replications",
        "200",
        "--workers",
        "1",
        "--quiet",
        "--store",
        str(tmp_path / "s.sqlite"),
        "--csv",
        str(tmp_path / "t.csv"),
        "--plot",
        str(tmp_path / "p.png"),
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "chosen" in first and "of 4 designs" in first
    assert (tmp_path / "p.png").stat().st_size > 0
    assert main(args) == 0  # every design read back from the store: the same answer
    again = capsys.readouterr().out
    strip = lambda s: [x for x in s.splitlines() if "designs in" not in x]  # noqa: E731
    assert strip(again) == strip(first)

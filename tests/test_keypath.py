"""Key paths: a change edits the file's data and is read again, so it is checked as the file is."""

import json
import warnings
from dataclasses import replace

import pytest

import simulation as sim
from simulation.cli import main
from simulation.model.distributions import Exponential
from simulation.scenario import ScenarioWarning
from simulation.scenario.keypath import (
    canonical_json,
    fingerprint,
    parse_assignment,
    parse_value,
    split_values,
)
from tests.helpers import L, expo, scenario_of

TEXT = """\
format: slasim/1
name: pair
calendar: {start: 2027-01-01, timezone: UTC}
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
  db.primary: {failure: {mtbf: 8000h}, repair: {mttr: 2h}}
service:
  series:
    - db.primary
    - k_of_n: 1
      of: {server: 2}
      name: web
sla:
  target: 99.9%
  credits: [{below: 99.9%, credit: 10%}]
"""


@pytest.fixture
def scenario():
    return sim.loads(TEXT, source="pair.yaml")


def test_a_change_is_parsed_as_the_file_is(scenario):
    with pytest.warns(ScenarioWarning, match="pair.yaml:15: sla.credits: the highest credit tier"):
        s = scenario.with_(
            {"sla.target": "99.5%", "components.server.failure.mtbf": "20000h", "service.series[1].k_of_n": 2}
        )
    assert s.sla.target == 0.995
    assert s.components["server"].failure == Exponential.from_mean(20000.0)
    assert s.service.members[1].k == 2
    # the original is untouched, data and model
    assert scenario.sla.target == 0.999 and scenario.data["sla"]["target"] == "99.9%"
    assert scenario.service.members[1].k == 1


def test_keyword_form_absent_sections_and_dotted_names(scenario):
    s = scenario.with_(**{"run.seed": 11, "components.db.primary.repair.mttr": "30min"})
    assert s.run.seed == 11  # the file has no run section: it is added
    assert s.components["db.primary"].repair.mean == pytest.approx(0.5)


@pytest.mark.parametrize(
    "changes, path, message",
    [
        # a bad value: the parser's own message, no line (the file's line holds the old value)
        ({"sla.target": "99.9"}, "sla.target", "expected a target"),
        # a typo in a key: the parser's unknown-key error with the nearest key
        ({"sla.targte": "99%"}, "sla.targte", "unknown key 'targte'"),
        (
            {"service.series[5].k_of_n": 1},
            "service.series[5].k_of_n",
            "has 2 items ([0] to [1]): no item [5]",
        ),
        (
            {"service.series[0].k_of_n": 1},
            "service.series[0].k_of_n",
            "is the value 'db.primary', not a mapping",
        ),
        ({"sla..target": 1}, "sla..target", "malformed key path"),
        ({"service.series[1].k_of_n": 3}, "service.series[1].k_of_n", "more than the 2 members"),
        # a path through a name the file does not define: the nearest name, nothing added
        (
            {"components.servr.repair.mttr": "2h"},
            "components.servr.repair.mttr",
            "components has no 'servr' (did you mean 'server'?)",
        ),
        ({"crews.onsite.size": 2}, "crews.onsite.size", "crews has no 'onsite'"),
    ],
)
def test_a_bad_change_names_the_key_path_and_says_it_was_set(scenario, changes, path, message):
    with pytest.raises(sim.ScenarioError) as info:
        scenario.with_(changes)
    err = info.value
    assert err.file == "pair.yaml" and err.path == path and err.line is None
    assert message in str(err) and "(set by Scenario.with_)" in str(err)


def test_an_error_elsewhere_keeps_its_line_and_names_the_change(scenario):
    """k = 2 of the one server left: the parser blames k_of_n, a sibling of the changed `of`."""
    s = scenario.with_({"service.series[1].k_of_n": 2})
    with pytest.raises(sim.ScenarioError) as info:
        s.with_({"service.series[1].of": {"server": 1}})
    err = info.value
    assert err.path == "service.series[1].k_of_n" and err.line == 10  # the line of k_of_n in the file
    assert str(err).endswith("(after Scenario.with_ changed service.series[1].of)")


def test_a_scenario_built_in_python_cannot_be_changed_by_key_path():
    s = scenario_of(L("a")[0], {"a": expo(100.0, 1.0)})
    with pytest.raises(ValueError, match="built in Python"):
        s.with_({"sla.target": "99%"})


def test_values_from_the_command_line_read_as_yaml():
    assert parse_value("99.95%") == "99.95%" and parse_value("3") == 3 and parse_value("0.5") == 0.5
    assert parse_value("{mean: 4h, cv: 1}") == {"mean": "4h", "cv": 1}
    assert parse_value("null") is None and parse_value("18:00") == "18:00"
    assert parse_assignment("sla.target=99.95%") == ("sla.target", "99.95%")
    assert split_values("1, 2,{a: 1, b: 2},[x, y],'p,q'") == ["1", "2", "{a: 1, b: 2}", "[x, y]", "'p,q'"]
    with pytest.raises(sim.ScenarioError, match="PATH=VALUE"):
        parse_assignment("sla.target")


def test_fingerprint_is_canonical(scenario):
    again = sim.loads(TEXT.replace("calendar: {start: 2027-01-01, timezone: UTC}", ""), source="x.yaml")
    reordered = again.with_({"calendar": {"timezone": "UTC", "start": "2027-01-01"}})
    # key order does not matter, nor a date read by YAML against the same date as text
    assert canonical_json(reordered.data) == canonical_json(scenario.data)
    same = sim.loads(TEXT, source="elsewhere.yaml")
    assert fingerprint(same.data) == fingerprint(scenario.data)
    assert fingerprint(scenario.with_({"components.server.repair.mttr": "3h"}).data) != fingerprint(
        scenario.data
    )
    assert len(fingerprint(scenario.data)) == 64
    # the resolved model stays comparable as before; the data is not part of equality
    assert replace(scenario, data=None) == scenario


def test_cli_run_set(tmp_path, capsys):
    path = tmp_path / "pair.yaml"
    path.write_text(TEXT)
    args = ["run", str(path), "-n", "20", "--workers", "1", "-q"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a target that disagrees with the credit tiers
        assert main([*args, "--set", "sla.target=99.5%", "--set", "run.seed=3"]) == 0
    out = capsys.readouterr().out
    assert "99.500 % per month" in out and "seed 3" in out
    assert "  changed           sla.target=99.5%, run.seed=3\n" in out  # a what-if says so
    report = tmp_path / "r.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main([*args, "--set", "sla.target=99.5%", "--json", str(report)]) == 0
    capsys.readouterr()
    assert json.loads(report.read_text())["changes"] == [{"path": "sla.target", "value": "99.5%"}]
    assert main([*args, "--set", "sla.target=high"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"slasim: error: {path}: sla.target: ") and err.endswith("(set by --set)")

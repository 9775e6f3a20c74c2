"""The measurement keys of the `sla` section: window kinds and interval rules.

Each form is read into the model and accepted by the JSON Schema; each mistake is
refused with the file, line and key path, and a hint where one helps.
"""

import warnings

import jsonschema
import pytest
import yaml

from simulation.model.sla import DownOver, IntervalRule, Rolling, Sliding
from simulation.scenario import ScenarioError, ScenarioWarning, loads
from simulation.scenario.schema import json_schema

HEAD = """\
format: slasim/1
name: t
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
service: server
sla:
  target: 99.9%
"""  # lines 1-7; the key under test is on line 8


def sla_with(line: str):
    return loads(HEAD + "  " + line + "\n", source="t.yaml").sla


@pytest.mark.parametrize(
    "line, window, label",
    [
        ("window: {rolling: 30d}", Rolling(720.0), "rolling 30d"),
        ("window: {sliding: 30d}", Sliding(720.0), "month (sliding 30d)"),
        ("window: {sliding: 7d}", Sliding(168.0), "month (sliding 7d)"),
        ("window: month", "month", "month"),
    ],
)
def test_window_kinds(line, window, label):
    sla = sla_with(line)
    assert sla.window == window and sla.window_label == label


@pytest.mark.parametrize(
    "line, rule, text",
    [
        ("interval: {length: 1min, rule: whole}", IntervalRule(1 / 60, "whole"), "whole"),
        (
            "interval: {length: 1min, rule: {down_over: 10%}}",
            IntervalRule(1 / 60, DownOver(0.10)),
            "down_over 10%",
        ),
        (
            "interval: {length: 5min, rule: {down_over: 0%}}",
            IntervalRule(5 / 60, DownOver(0.0)),
            "down_over 0%",
        ),
        (
            "interval: {length: 5min, rule: {down_over: 0.5}}",
            IntervalRule(5 / 60, DownOver(0.5)),
            "down_over 50%",
        ),
        ("interval: {length: 5min}", IntervalRule(5 / 60, "any"), "any"),
    ],
)
def test_interval_rules(line, rule, text):
    sla = sla_with(line)
    assert sla.interval == rule and sla.interval.label == text


@pytest.mark.parametrize(
    "line, path, fragment, hint",
    [
        ("window: {slidng: 30d}", "sla.window.slidng", "unknown key 'slidng'", "did you mean 'sliding'?"),
        ("window: {rolling: 30d, sliding: 30d}", "sla.window", "expected one of {rolling: 30d}", None),
        ("window: {}", "sla.window", "expected one of {rolling: 30d}", None),
        ("window: {sliding: 0d}", "sla.window.sliding", "expected a duration > 0", None),
        ("window: slidng", "sla.window", "unknown window 'slidng'", "did you mean 'sliding'?"),
        (
            "interval: {length: 1min, rule: hole}",
            "sla.interval.rule",
            "unknown interval rule 'hole'",
            "whole",
        ),
        (
            "interval: {length: 1min, rule: {down_over: 100%}}",
            "sla.interval.rule.down_over",
            "leaves no cell to count",
            "rule: whole",
        ),
        ("interval: {length: 1min, rule: {down_over: 10}}", "sla.interval.rule.down_over", "share", "10%"),
        ("interval: {length: 1min, rule: {over: 10%}}", "sla.interval.rule.over", "unknown key 'over'", None),
    ],
)
def test_bad_measurement_keys(line, path, fragment, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        with pytest.raises(ScenarioError) as info:
            sla_with(line)
    err = info.value
    assert (err.file, err.line, err.path) == ("t.yaml", 8, path), str(err)
    assert fragment in err.message, str(err)
    if hint is not None:
        assert hint in (err.hint or ""), str(err)


@pytest.mark.parametrize(
    "line",
    [
        "window: {sliding: 30d}",
        "interval: {length: 1min, rule: whole}",
        "interval: {length: 1min, rule: {down_over: 10%}}",
    ],
)
def test_schema_accepts_the_new_forms(line):
    jsonschema.validate(yaml.safe_load(HEAD + "  " + line + "\n"), json_schema())


@pytest.mark.parametrize(
    "line",
    [
        "window: {sliding: 30d, rolling: 30d}",
        "interval: {length: 1min, rule: hole}",
        "interval: {length: 1min, rule: {down_over: 10%, extra: 1}}",
    ],
)
def test_schema_refuses_wrong_forms(line):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(HEAD + "  " + line + "\n"), json_schema())

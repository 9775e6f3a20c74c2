"""The JSON Schema of the format: valid itself, and in step with the parser."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulation.scenario import json_schema
from simulation.scenario.parse import TOP_LEVEL_KEYS

DATA = Path(__file__).parent / "data"


def as_json(path: Path):
    """The file as an editor sees it: YAML read into JSON types (dates become strings)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_valid_draft_2020_12():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", ["format-example.yaml", "racks.yaml"])
def test_examples_validate(validator, name):
    errors = list(validator.iter_errors(as_json(DATA / name)))
    assert not errors, [e.message for e in errors]


def test_unknown_top_level_key_is_rejected(validator):
    data = as_json(DATA / "format-example.yaml")
    data["servise"] = data.pop("service")
    assert not validator.is_valid(data)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["components"]["web-server"]["repair"].update(dist="weibul"),
        lambda d: d["components"]["web-server"].update(repiar={"mttr": "4h"}),
        lambda d: d.update(format="slasim/2"),
        lambda d: d["sla"].update(window="weekly"),
        lambda d: d["components"]["generator"]["repair"].update(mttr="8hrz"),
        lambda d: d["components"]["generator"]["repair"].update(mttr=8),  # a duration needs a unit
        lambda d: d["components"]["generator"]["repair"].update(mttr="8"),
        lambda d: d["run"].update(replications=0),
        lambda d: d["service"]["series"].append({"seires": ["web-server"]}),
    ],
)
def test_typical_mistakes_are_rejected(validator, change):
    data = as_json(DATA / "format-example.yaml")
    change(data)
    assert not validator.is_valid(data)


def test_top_level_keys_match_the_parser():
    assert set(json_schema()["properties"]) == set(TOP_LEVEL_KEYS)


def test_returns_a_fresh_copy():
    a = json_schema()
    a["properties"].clear()
    assert json_schema()["properties"]


SHIPPED = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_scenarios_load_and_validate(validator, path):
    """The parser and the schema agree on every shipped scenario."""
    import warnings

    from simulation.scenario import ScenarioWarning, load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        load(path)
    errors = list(validator.iter_errors(as_json(path)))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(
    "risk, fee, valid",
    [
        ("5%", "1200 EUR", True),
        ({"value": "1%", "per": "window"}, "1_500.50 USD", True),
        ({"value": "1%", "per": "month"}, None, False),  # per year or per window
        ("5%", 1200, False),  # a fee needs its currency
        ("5%", "1200 eur", False),  # in capitals
    ],
)
def test_risk_and_fee(validator, risk, fee, valid):
    data = as_json(DATA / "format-example.yaml")
    data["sla"].update(risk=risk, fee=fee)
    assert validator.is_valid(data) == valid


@pytest.mark.parametrize("spelling", ["8hrs", "8 Hours", "90 sec", "2 weeks", "1yr", 0, "0"])
def test_duration_spellings_the_parser_takes_validate(validator, spelling):
    data = as_json(DATA / "format-example.yaml")
    data["components"]["generator"]["repair"].update(mttr=spelling)
    assert validator.is_valid(data)

"""Uncertain inputs: ranges read at their midpoints, sampled by an uncertainty study."""

import math

import pytest

import simulation as sim
from simulation.cli import main
from tests.studies import WEB_PAIR

UNCERTAIN = WEB_PAIR.replace(
    "rack-power: {failure: {rate: 0.5/y}, repair: {dist: lognormal, median: 2h, p95: 6h}}",
    "rack-power: {failure: {rate: {between: [0.25/y, 1/y]}}, "
    "repair: {dist: lognormal, median: {between: [1h, 3h], scale: linear}, p95: 6h}}",
).replace(
    "web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}}",
    "web-server: {failure: {mtbf: {between: [8000h, 32000h]}}, repair: {mttr: 6h}}",
)
OPTS = {"seed": 5, "workers": 1, "progress": False}


def test_a_plain_run_uses_the_midpoints_and_says_so():
    s = sim.loads(UNCERTAIN)
    paths = [i.path for i in s.uncertain]
    assert paths == [
        "components.rack-power.failure.rate",
        "components.rack-power.repair.median",
        "components.web-server.failure.mtbf",
    ]
    # log-uniform: the geometric mean; linear: the mean
    assert s.components["web-server"].failure.mean == pytest.approx(16000.0)
    assert s.components["rack-power"].failure.mean == pytest.approx(8760 / 0.5)
    assert s.components["rack-power"].repair.median == pytest.approx(2.0)
    # the file data keeps the ranges; the midpoint scenario equals the one written plainly
    assert s.data["components"]["web-server"]["failure"]["mtbf"] == {"between": ["8000h", "32000h"]}
    plain = sim.loads(
        UNCERTAIN.replace("{between: [0.25/y, 1/y]}", "0.5/y")
        .replace("{between: [1h, 3h], scale: linear}", "2h")
        .replace("{between: [8000h, 32000h]}", "16000h")
    )
    a = sim.run(s, replications=100, **OPTS)
    b = sim.run(plain, replications=100, **OPTS)
    assert a.breach_probability == b.breach_probability
    assert "uncertain inputs  run at their midpoints" in a.summary()
    # a key path fixes an uncertain input
    fixed = s.with_({"components.web-server.failure.mtbf": "9000h"})
    assert [i.path for i in fixed.uncertain] == paths[:2]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("{between: [30000h, 8000h]}", "low < high"),
        ("{between: [8000h]}", "two ends"),
        ("{between: [8000h, 2/y]}", "same kind"),
        ("{between: [0h, 8000h]}", "log range needs low > 0"),
        ("{between: [8000h, 9000h], scale: cubic}", "scale must be log or linear"),
        ("{between: [8000, 9000h]}", "same kind"),
    ],
)
def test_bad_ranges_name_the_key_path(value, expected):
    text = WEB_PAIR.replace("{mtbf: 15800h}", "{mtbf: " + value + "}")
    with pytest.raises(sim.ScenarioError, match=r"components\.web-server\.failure\.mtbf.*" + expected):
        sim.loads(text)


def test_the_study_gives_a_band_and_a_tornado():
    from simulation.study.uncertainty import uncertainty

    s = sim.loads(UNCERTAIN)
    study = uncertainty(s, samples=8, replications=150, **OPTS)
    assert len(study.samples) == 8
    # Latin hypercube: each input's samples fall one in each of 8 equally likely strata
    mtbf = study.samples["components.web-server.failure.mtbf"].to_numpy()
    strata = sorted(int(8 * math.log(x / 8000) / math.log(4)) for x in mtbf)
    assert strata == list(range(8))
    lo, mid, hi = study.band()
    assert lo <= mid <= hi
    # rack power dominates the breaches here: its failure rate swings the risk most
    assert study.tornado.input.iloc[0] in (
        "components.rack-power.failure.rate",
        "components.rack-power.repair.median",
    )
    top = study.tornado.iloc[0]
    assert top.risk_at_high != top.risk_at_low
    # the tornado ends are plain runs of the scenario with that input at its end
    rate = study.tornado.set_index("input").loc["components.rack-power.failure.rate"]
    end = s.with_({"components.rack-power.failure.rate": "1/y"})
    assert (
        rate.risk_at_high
        == sim.run(end, replications=150, **OPTS).to_dict()["sla"]["breach_probability_year"]
    )
    assert "tornado" in study.summary()


def test_the_uncertainty_command(tmp_path, capsys):
    path = tmp_path / "u.yaml"
    path.write_text(UNCERTAIN)
    out = tmp_path / "tornado.png"
    args = [
        "uncertainty",
        str(path),
        "--samples",
        "4",
        "-n",
        "50",
        "--workers",
        "1",
        "-q",
        "--plot",
        str(out),
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "5-95 % band" in text and out.stat().st_size > 0
    assert main(["uncertainty", str(tmp_path / "u.yaml").replace("u.yaml", "none.yaml")]) == 2


def test_the_report_lists_the_uncertain_inputs_at_their_midpoints():
    import jsonschema

    from simulation.report.json_report import REPORT_SCHEMA

    report = sim.run(sim.loads(UNCERTAIN), replications=20, **OPTS).to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    mtbf = report["uncertain_inputs"][2]
    assert mtbf["path"] == "components.web-server.failure.mtbf"
    assert mtbf["midpoint"] == pytest.approx(16000.0) and mtbf["scale"] == "log"
    assert sim.run(sim.loads(WEB_PAIR), replications=5, **OPTS).to_dict()["uncertain_inputs"] == []


def test_the_json_schema_takes_ranges_where_values_go():
    import json

    import jsonschema
    import yaml

    from simulation.scenario.schema import json_schema

    data = json.loads(json.dumps(yaml.safe_load(UNCERTAIN), default=str))
    jsonschema.validate(data, json_schema())
    data["components"]["web-server"]["failure"]["mtbf"] = {"betwen": ["8000h", "32000h"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())

"""The `slasim` command: run, validate, schema; errors are one line and exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from simulation.cli import main
from simulation.report.json_report import REPORT_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "web-hosting.yaml"


def test_run_prints_summary_writes_json_and_plots(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(
        [
            "run",
            str(FLAGSHIP),
            "-n",
            "60",
            "--seed",
            "3",
            "--workers",
            "1",
            "-q",
            "--json",
            str(out),
            "--plots",
            str(tmp_path / "plots"),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "P(breach)" in text and "steady state (analytic)" in text
    report = json.loads(out.read_text())
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["replications"] == 60 and report["seed"] == 3
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "attribution.png",
        "availability.png",
        "target-risk.png",
        "timeline.png",
    ]


def test_horizon_and_engine_options(capsys):
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios" / "office-hours.yaml"),
                "-n",
                "20",
                "--horizon",
                "90d",
                "--engine",
                "des",
                "-q",
            ]
        )
        == 0
    )
    assert "20 replications x 2160 h" in capsys.readouterr().out


def test_fast_engine_runs_the_flagship_with_its_cold_standby(tmp_path):
    """Cold and warm blocks run on the fast path too: `auto` picks it."""
    out = tmp_path / "r.json"
    assert main(["run", str(FLAGSHIP), "-n", "5", "--json", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["engine"] == "fast"


def test_validate_reports_each_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FLAGSHIP.read_text().replace("  target: 99.9%", "  targte: 99.9%"))
    assert main(["validate", str(FLAGSHIP), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "web-hosting.yaml: ok" in captured.out
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "targte" in t)
    assert f"bad.yaml:{line}: sla.targte" in captured.err
    assert "did you mean 'target'" in captured.err


def test_schema_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "no-such-file.yaml"], "no-such-file.yaml"),
        (["run", str(FLAGSHIP), "-n", "0"], "replications must be >= 1"),
        (["run", str(FLAGSHIP), "--horizon", "4hrs"], "4hrs"),
        (["run", str(FLAGSHIP), "--precision", "2"], "precision must be a fraction"),
    ],
)
def test_user_errors_are_one_line_without_traceback(args, fragment):
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert fragment in proc.stderr

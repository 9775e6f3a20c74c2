"""The `slasim` command: run, validate, schema; errors in the input are one line and
exit 2, bugs show their traceback and exit 1."""

import json
import os
import resource
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
        (["run", str(FLAGSHIP), "--horizon", "4hrz"], "4hrz"),
        (["run", str(FLAGSHIP), "--horizon", "720"], "horizon: duration 720 has no unit"),
        (["run", str(FLAGSHIP), "-n", str(10**12)], "simulated years, more than"),
        (
            ["run", str(ROOT / "tests" / "data" / "format-example.yaml"), "--set", "run.start=steady"],
            "scenario uses a steady start with repair crews or spare pools, a steady start with maintenance",
        ),
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


def test_plots_help_names_every_file_written(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert main(["run", str(FLAGSHIP), "-n", "10", "--workers", "1", "-q", "--plots", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written and all(name in help_text for name in written)


def test_validate_says_ok_with_the_instance_count(capsys):
    example = ROOT / "tests" / "data" / "format-example.yaml"
    assert main(["validate", str(example), str(FLAGSHIP)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{example}: ok (6 instances)"
    assert out[1] == f"{FLAGSHIP}: ok (7 instances)"


def test_unwritable_output_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = ["run", str(FLAGSHIP), "-n", "5", "--workers", "1", "-q", "--json", str(blocker / "r.json")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("slasim: error: cannot write") and "Traceback" not in err


@pytest.mark.parametrize("error", [ZeroDivisionError("boom"), ValueError("boom"), OSError(5, "boom")])
def test_internal_error_shows_its_traceback(monkeypatch, capsys, error):
    """A failure inside slasim is a bug: its traceback and a request to report it, exit 1.
    ValueError and OSError included: they are not the user's mistakes when raised inside."""
    import simulation.engine.fast

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(simulation.engine.fast, "simulate", broken)
    monkeypatch.setattr(simulation.engine.fast, "simulate_outputs", broken)
    office = ROOT / "scenarios" / "office-hours.yaml"
    code = main(["run", str(office), "-n", "5", "--engine", "fast", "--workers", "1", "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback (most recent call last)" in err
    assert f"{type(error).__name__}: " in err and "in broken" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("slasim: this is a bug in slasim ") and "please report it" in last
    assert "/" not in last  # no machine paths in the line a user copies into a report


def test_bad_file_shows_no_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: slasim/1\nname: t\nservice: nothing\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith(f"slasim: error: {bad}:3: service: undefined block")


BILLION_LAUGHS = (
    "format: slasim/1\nname: laughs\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
)
HUGE_COUNT = (
    "format: slasim/1\nname: huge\ncomponents:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}\n"
    "service:\n  k_of_n: 1\n  of: {server: 1e308}\n"
)
NESTED_COPIES = (
    "format: slasim/1\nname: huge\ncomponents:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}\n"
    "blocks:\n  rack: {k_of_n: 1, of: {server: 1000}}\n  row: {k_of_n: 1, of: {rack: 1000}}\n"
    "service: row\n"
)
HUGE_RUN = (
    "format: slasim/1\nname: huge\nrun: {horizon: 1y, replications: 1e15}\ncomponents:\n"
    "  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}\nservice: server\n"
)


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB


@pytest.mark.parametrize(
    "text, fragment",
    [
        (BILLION_LAUGHS, ":3: l4[1][5][2][4][4]: YAML aliases (*name) repeat more than 20,000 nodes"),
        (HUGE_COUNT, ":7: service.of.server: expected a count, got the number 1e+308, which is too large"),
        (NESTED_COPIES, ":7: blocks.row.of.rack: the block here would have more than 100,000 instances"),
        (HUGE_RUN, ":3: run.replications: 1e+15 replications x 8760 h is 1e+15 simulated years"),
    ],
    ids=["billion laughs", "count 1e308", "nested copies", "replications x horizon"],
)
def test_files_that_attack_the_loader_are_refused(tmp_path, text, fragment):
    """Each file would take gigabytes or hours if built; `validate` refuses it at once,
    under a 1 GiB memory limit, naming the key (the timeout only guards the suite)."""
    path = tmp_path / "attack.yaml"
    path.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        preexec_fn=_limit_memory,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in proc.stderr

"""Sweeps: variants by key path, one seed for all, a tidy table, and a store that resumes."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import simulation as sim
from simulation.cli import main
from simulation.study.store import ResultsStore, StoreError, read_study
from simulation.study.sweep import flatten_report, plan_variants, run_variants
from tests.studies import FASTER_RACK_REPAIR, WEB_PAIR

# variants move sla.target away from the credit tiers; the parser says so, rightly
pytestmark = pytest.mark.filterwarnings("ignore:.*credits will not match breaches")

ROOT = Path(__file__).resolve().parent.parent
OPTS = {"replications": 60, "seed": 5, "workers": 1, "progress": False}


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "web-pair.yaml"
    path.write_text(WEB_PAIR)
    return sim.load(path)


def test_the_grid_is_every_combination_in_order():
    plan = plan_variants(vary={"a.b": [1, 2], "c": ["x", {"k": "4h"}]})
    assert [v.name for v in plan] == ["a.b=1, c=x", "a.b=1, c={k: 4h}", "a.b=2, c=x", "a.b=2, c={k: 4h}"]
    assert plan[1].changes == {"a.b": 1, "c": {"k": "4h"}}
    with pytest.raises(ValueError, match="either vary"):
        plan_variants(vary={"a": [1]}, variants={"b": {}})
    with pytest.raises(ValueError, match="non-empty list"):
        plan_variants(vary={"a": []})


def test_a_sweep_is_one_row_per_variant_with_every_figure(scenario):
    table = sim.sweep(
        scenario,
        vary={"components.web-server.failure.mtbf": ["8000h", "15800h"], "sla.target": ["99.9%", "99.5%"]},
        **OPTS,
    )
    assert list(table.variant) == [
        "components.web-server.failure.mtbf=8000h, sla.target=99.9%",
        "components.web-server.failure.mtbf=8000h, sla.target=99.5%",
        "components.web-server.failure.mtbf=15800h, sla.target=99.9%",
        "components.web-server.failure.mtbf=15800h, sla.target=99.5%",
    ]
    assert list(table["set.sla.target"]) == ["99.9%", "99.5%", "99.9%", "99.5%"]
    assert list(table["sla.target"]) == [0.999, 0.995, 0.999, 0.995]  # the report's figure
    for column in ("availability.mean", "availability.ci95.low", "sla.breach_probability_ci95.high"):
        assert column in table.columns
    # common random numbers: the target does not change the simulation, only the measure
    assert table["availability.mean"][0] == table["availability.mean"][1]
    assert table["sla.breach_probability"][1] <= table["sla.breach_probability"][0]
    # a row is the JSON report of a run of that variant with the same seed
    run = sim.run(
        scenario.with_({"components.web-server.failure.mtbf": "15800h", "sla.target": "99.5%"}), **OPTS
    )
    expected = flatten_report(json.loads(json.dumps(run.to_dict())))
    row = table.iloc[3].to_dict()
    for key, value in expected.items():
        if key != "elapsed_seconds":
            assert row[key] == value, key


def test_deltas_to_a_baseline_are_paired(scenario):
    table = sim.sweep(
        scenario, variants={"today": {}, "faster rack repair": FASTER_RACK_REPAIR}, baseline="today", **OPTS
    ).set_index("variant")
    assert table.loc["today", "delta.breach_probability"] == 0.0
    faster = table.loc["faster rack repair"]
    diff = faster["sla.breach_probability"] - table.loc["today", "sla.breach_probability"]
    assert faster["delta.breach_probability"] == pytest.approx(diff, abs=1e-6)  # report rounds to 6 digits
    assert faster["delta.breach_probability.ci95.low"] < faster["delta.breach_probability"]
    assert faster["delta.availability.ci95.low"] > 0
    with pytest.raises(
        ValueError, match="baseline 'nope' is not a variant; give a name or a number from 1 to 1"
    ):
        sim.sweep(scenario, variants={"today": {}}, baseline="nope", **OPTS)
    by_number = sim.sweep(scenario, vary={"sla.min_outage": ["1min", "5min"]}, baseline=1, **OPTS)
    assert list(by_number["delta.breach_probability"] <= 0) == [True, True]
    assert by_number["delta.breach_probability"][0] == 0.0


def test_every_variant_is_checked_before_anything_runs(scenario, tmp_path):
    store = tmp_path / "s.sqlite"
    with pytest.raises(sim.ScenarioError, match=r"sla\.target: .*\(set by variant 'bad'\)"):
        sim.sweep(scenario, variants={"good": {}, "bad": {"sla.target": "high"}}, store=store, **OPTS)
    assert not ResultsStore(store).variants("web-pair")


def test_the_store_resumes_and_refuses_another_seed_or_scenario(scenario, tmp_path):
    store = tmp_path / "study.sqlite"
    variants = {"today": {}, "faster": FASTER_RACK_REPAIR}
    first = sim.sweep(scenario, variants=variants, store=store, **OPTS)
    outcomes = list(run_variants(scenario, plan_variants(variants=variants), store=store, **OPTS))
    assert all(o.stored for o in outcomes)  # nothing ran again
    again = sim.sweep(scenario, variants=variants, store=store, **OPTS)
    pd.testing.assert_frame_equal(first, again)  # elapsed_seconds too: read from the store
    # a new variant is added to the study; the stored ones are read back
    more = list(
        run_variants(
            scenario,
            plan_variants(variants={**variants, "third": {"sla.target": "99.5%"}}),
            store=store,
            **OPTS,
        )
    )
    assert [o.stored for o in more] == [True, True, False]

    with pytest.raises(StoreError, match="seed 5, this run has 6.*--study NAME"):
        sim.sweep(scenario, variants=variants, store=store, **{**OPTS, "seed": 6})
    changed = scenario.with_({"components.web-server.repair.mttr": "3h"})
    with pytest.raises(
        StoreError, match=r"other scenario data \(changed: components\.web-server\.repair\.mttr\)"
    ):
        sim.sweep(changed, variants=variants, store=store, **OPTS)
    with pytest.raises(StoreError, match="variant 'faster' is stored with other changes"):
        sim.sweep(scenario, variants={"faster": {"sla.target": "99.5%"}}, store=store, **OPTS)
    # another study name keeps both in one file
    sim.sweep(scenario, variants=variants, store=store, study="seed 6", **{**OPTS, "seed": 6})
    with ResultsStore(store) as db:
        assert len(db.variants("web-pair")) == 3 and len(db.variants("seed 6")) == 2
        assert db.studies() == ["web-pair", "seed 6"]
    # a stored study reads back as the table the sweep returned
    table = read_study(store, "web-pair", baseline="today")
    expected = sim.sweep(scenario, variants=variants, store=store, baseline="today", **OPTS)
    pd.testing.assert_frame_equal(table.iloc[:2][expected.columns], expected)  # + the third's set.sla.target
    with pytest.raises(StoreError, match="holds 2 studies; name one of: web-pair, seed 6"):
        read_study(store)


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a slasim results store"):
        ResultsStore(other)


def test_cli_sweep_table_variants_file_and_csv(scenario, tmp_path, capsys):
    variants = tmp_path / "variants.yaml"
    variants.write_text(
        "today: {}\nfaster:\n  components.rack-power.repair: {dist: lognormal, median: 1h, p95: 3h}\n"
    )
    csv = tmp_path / "out" / "table.csv"
    args = ["sweep", scenario.source, "-n", "40", "--seed", "5", "--workers", "1", "-q"]
    assert main([*args, "--variants", str(variants), "--baseline", "today", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("variant") and "ΔP(breach) vs today" in out[0]
    assert out[1].startswith("today ") and out[1].endswith("(baseline)")
    assert out[2].startswith("faster ") and " -0.0" in out[2]
    assert out[3] == "2 variants x 40 replications, seed 5"
    assert list(pd.read_csv(csv).variant) == ["today", "faster"]

    assert (
        main([*args, "--vary", "sla.target=99.9%,99.5%", "--vary", "components.web-server.repair.mttr=4h,8h"])
        == 0
    )
    assert "4 variants x 40 replications" in capsys.readouterr().out
    # --set changes the scenario of every variant
    assert (
        main(
            [
                *args,
                "--vary",
                "components.web-server.repair.mttr=4h,8h",
                "--set",
                "sla.target=99.5%",
                "--csv",
                str(csv),
            ]
        )
        == 0
    )
    assert list(pd.read_csv(csv)["sla.target"]) == [0.995, 0.995]

    variants.write_text("bad:\n  sla.target: high\n")
    assert main([*args, "--variants", str(variants)]) == 2
    err = capsys.readouterr().err
    assert "sla.target: " in err and f"(set by variant 'bad' of {variants}:1)" in err
    assert main([*args, "--vary", "sla.target"]) == 2
    assert "expected PATH=V1,V2" in capsys.readouterr().err


def _stored(db: Path) -> dict:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT variant, figures, per_replication FROM variants").fetchall()
    return {v: (json.loads(f), json.loads(p)) for v, f, p in rows}


def test_a_killed_sweep_resumes_and_stores_every_variant_once(tmp_path):
    """SIGKILL a real `slasim sweep` after its first stored variant, run it again, and find
    every variant once, with the figures of an uninterrupted sweep.

    While the test looks at the store it holds SQLite's exclusive lock, so the sweep
    cannot store another variant between the look and the kill.
    """
    scenario_file = tmp_path / "web-pair.yaml"
    scenario_file.write_text(WEB_PAIR)
    db = tmp_path / "study.sqlite"
    vary = {
        "components.web-server.failure.mtbf": ["8000h", "15800h", "30000h"],
        "sla.target": ["99.9%", "99.5%"],
    }
    cmd = [sys.executable, "-m", "simulation.cli", "sweep", str(scenario_file), "--store", str(db)]
    cmd += ["-n", "200", "--seed", "5", "--workers", "1", "-q"]
    for path, values in vary.items():
        cmd += ["--vary", f"{path}={','.join(values)}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    watcher = sqlite3.connect(db, timeout=120.0, isolation_level=None)
    stored_at_kill = 0
    while True:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            watcher.execute("BEGIN EXCLUSIVE")
            try:
                stored_at_kill = watcher.execute("SELECT count(*) FROM variants").fetchone()[0]
            except sqlite3.OperationalError:  # tables not created yet
                stored_at_kill = 0
            if stored_at_kill:
                proc.send_signal(signal.SIGKILL)
                proc.communicate()
            watcher.execute("ROLLBACK")
            if stored_at_kill:
                break
        time.sleep(0.02)
    watcher.close()
    assert proc.returncode == -signal.SIGKILL
    assert 1 <= stored_at_kill < 6

    rerun = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert rerun.stdout.count("[stored]") == stored_at_kill
    assert f"{stored_at_kill} read from the store" in rerun.stdout

    stored = _stored(db)
    scenario = sim.load(scenario_file)
    reference = {
        o.variant.name: (o.report, o.per_replication)
        for o in run_variants(
            scenario, plan_variants(vary=vary), replications=200, seed=5, workers=1, progress=False
        )
    }
    assert sorted(stored) == sorted(reference) and len(stored) == 6
    for name, (report, per_rep) in reference.items():
        got_report, got_per_rep = stored[name]
        assert {**got_report, "elapsed_seconds": 0} == {**report, "elapsed_seconds": 0}, name
        assert got_per_rep == per_rep, name


def test_one_progress_bar_counts_every_variant_s_replications(scenario, monkeypatch):
    """Two variants of 60 replications: one bar of 120 that each run advances, none of its own."""
    bars = []

    class Bar:
        def __init__(self, total, **options):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def refresh(self):
            pass

        def close(self):
            self.closed = True

    monkeypatch.setattr("tqdm.auto.tqdm", Bar)
    sim.sweep(scenario, variants={"a": {}, "b": FASTER_RACK_REPAIR}, **{**OPTS, "progress": True})
    assert [(b.total, b.n, b.closed) for b in bars] == [(120, 120, True)]

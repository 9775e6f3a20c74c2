"""Executors: a Dask cluster gives the figures of local processes, bit for bit."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

import simulation as sim
from simulation.cli import main
from simulation.study.executors import DaskExecutor, as_executor, connect
from tests.studies import FASTER_RACK_REPAIR, WEB_PAIR

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "web-hosting.yaml"


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _same(a, b):
    pd.testing.assert_frame_equal(a.per_replication, b.per_replication)
    pd.testing.assert_frame_equal(a.windows, b.windows)
    assert {**a.to_dict(), "elapsed_seconds": 0} == {**b.to_dict(), "elapsed_seconds": 0}


@pytest.mark.parametrize(
    "scenario, replications",
    [
        (sim.load(FLAGSHIP), 80),  # des: one task per batch
        (sim.loads(WEB_PAIR), 700),  # fast: several batches per task
    ],
    ids=["des", "fast"],
)
def test_a_dask_cluster_gives_the_figures_of_local_processes(client, scenario, replications):
    local = sim.run(scenario, replications=replications, seed=3, workers=1, progress=False)
    dask = sim.run(scenario, replications=replications, seed=3, executor=client, progress=False)
    assert DaskExecutor(client).workers == 2
    _same(local, dask)


def test_a_sweep_on_dask_and_a_caller_s_pool(client):
    scenario = sim.loads(WEB_PAIR)
    variants = {"today": {}, "faster": FASTER_RACK_REPAIR}
    opts = {"replications": 200, "seed": 4, "progress": False, "baseline": "today"}
    local = sim.sweep(scenario, variants=variants, workers=1, **opts).drop(columns="elapsed_seconds")
    dask = sim.sweep(scenario, variants=variants, executor=client, **opts).drop(columns="elapsed_seconds")
    pd.testing.assert_frame_equal(local, dask)
    with ThreadPoolExecutor(2) as pool:
        threads = sim.sweep(scenario, variants=variants, executor=pool, **opts).drop(
            columns="elapsed_seconds"
        )
    pd.testing.assert_frame_equal(local, threads)


def test_cli_executor_address(client, tmp_path, capsys):
    address = client.scheduler.address.replace("tcp://", "dask://")
    out = tmp_path / "r.json"
    args = ["run", str(FLAGSHIP), "-n", "40", "--seed", "2", "-q", "--json", str(out)]
    assert main([*args, "--executor", address]) == 0
    local = sim.run(sim.load(FLAGSHIP), replications=40, seed=2, workers=1, progress=False)
    assert {**json.loads(out.read_text()), "elapsed_seconds": 0} == {**local.to_dict(), "elapsed_seconds": 0}
    capsys.readouterr()
    assert main([*args, "--executor", "spark://x"]) == 2
    assert "--executor takes 'local' or dask://HOST:PORT" in capsys.readouterr().err


def test_what_is_not_an_executor():
    assert as_executor(None) is None and connect(None) is None and connect("local") is None
    with pytest.raises(TypeError, match="executor must be a distributed.Client"):
        as_executor("dask://127.0.0.1:8786")

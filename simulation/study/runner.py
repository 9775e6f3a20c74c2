"""Run a scenario: replications in batches, on local worker processes, into a Result."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

from simulation.engine.nodes import check_supported
from simulation.engine.streams import batches
from simulation.model.scenario import Scenario
from simulation.study.batch import BatchOutput, run_batch

ENGINES = ("auto", "des")


def choose_engine(scenario: Scenario, engine: str) -> tuple[str, str]:
    """The engine that will run and why (the reason is shown when `auto` picks des)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    check_supported(scenario)
    if engine == "auto":
        return "des", "the SimPy engine is the only engine in this version"
    return engine, "chosen"


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    progress: bool | None = None,
):
    """Simulate `scenario` and measure it against its SLA.

    Parameters
    ----------
    scenario : Scenario
        From `simulation.load` or built in Python.
    replications, seed : int, optional
        Default to the scenario's `run` section.
    horizon : float (hours) or str (e.g. ``"2y"``), optional
        Simulated time per replication; defaults to the scenario's `run.horizon`.
    engine : {"auto", "des"}
    workers : int, optional
        Local worker processes; default: the number of cores (at most one per batch).
        Results do not depend on it.
    progress : bool, optional
        Show a progress bar (tqdm, also in Jupyter) for runs longer than a second;
        default: when standard error is a terminal or in Jupyter.

    Returns
    -------
    Result
    """
    from simulation.report.result import Result

    replications = scenario.run.replications if replications is None else int(replications)
    seed = scenario.run.seed if seed is None else int(seed)
    horizon_hours = _horizon_hours(scenario, horizon)
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    engine, reason = choose_engine(scenario, engine)
    started = time.perf_counter()
    outputs = _run_batches(scenario, seed, horizon_hours, engine, replications, workers, progress)
    elapsed = time.perf_counter() - started
    return Result.from_batches(
        scenario, outputs, engine=engine, engine_reason=reason, seed=seed,
        horizon_hours=horizon_hours, elapsed_seconds=elapsed,
    )


def _horizon_hours(scenario: Scenario, horizon) -> float:
    if horizon is None:
        return scenario.run.horizon_hours
    if isinstance(horizon, str):
        from simulation.scenario.units import parse_duration

        horizon = parse_duration(horizon)
    horizon = float(horizon)
    if not horizon > 0:
        raise ValueError(f"horizon must be positive, got {horizon}")
    return horizon


def _run_batches(scenario, seed, horizon_hours, engine, replications, workers, progress) -> list[BatchOutput]:
    from tqdm.auto import tqdm

    plan = batches(replications)
    workers = min(os.cpu_count() or 1, len(plan)) if workers is None else max(1, int(workers))
    workers = min(workers, len(plan))
    bar = tqdm(total=replications, unit="rep", delay=1.0, disable=_progress_off(progress),
               desc=scenario.name[:30], leave=False)
    outputs: list[BatchOutput] = []
    try:
        if workers == 1:
            for b, size in plan:
                outputs.append(run_batch(scenario, seed, b, size, horizon_hours, engine))
                bar.update(size)
        else:
            with ProcessPoolExecutor(workers) as pool:
                futures = [pool.submit(run_batch, scenario, seed, b, size, horizon_hours, engine)
                           for b, size in plan]
                for future, (_, size) in zip(futures, plan):
                    outputs.append(future.result())
                    bar.update(size)
    finally:
        bar.close()
    return outputs


def _progress_off(progress: bool | None) -> bool | None:
    if progress is None:
        return None  # tqdm: disable when not a terminal
    return not progress

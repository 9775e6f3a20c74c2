"""Run a scenario: replications in batches, on local worker processes, into a Result.

Every random number is fixed by (seed, replication index, part, purpose, draw) (see
`engine.streams`), so the numbers depend on the seed and the replications run, never on
the number of workers or how replications are grouped into batches. A precision-driven
run adds rounds of replications until the 95 % confidence intervals are narrow enough;
the size of each round follows from the figures so far, so it is reproducible too.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulation.engine.support import check_supported
from simulation.model.scenario import Scenario, check_run_size
from simulation.scenario.errors import UsageError
from simulation.study.batch import BATCH_SIZE, BatchOutput, batches, run_batches
from simulation.study.executors import as_executor

ENGINES = ("auto", "des", "fast")

#: Replications the fast engine simulates in one call (bounds its memory).
FAST_CHUNK = 2000


def choose_engine(scenario: Scenario, engine: str) -> tuple[str, str]:
    """The engine that will run and why (shown when `auto` falls back to des).

    Raises
    ------
    UsageError
        For an unknown engine name.
    UnsupportedScenario
        When no engine simulates the scenario yet, or ``engine="fast"`` cannot run it
        (the same errors the engines raise).
    """
    from simulation.engine.fast import check_fast, unsupported_reason

    if engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    check_supported(scenario)
    if engine == "fast":
        check_fast(scenario)
    reason = unsupported_reason(scenario)
    if engine == "auto":
        return ("des", f"fast engine not applicable: {reason}") if reason else ("fast", "chosen")
    return engine, "chosen"


@dataclass(frozen=True)
class Precision:
    """What a precision-driven run asked for and achieved (relative 95 % CI half-widths).

    A figure without any event (no downtime, no breach) has no relative half-width
    (``inf``); it is judged on its 95 % upper bound instead (`unavailability_bound`,
    `breach_bound`, None when there were events): precise enough once the bound is
    within `target` times the contract's allowance -- the unavailability a window may
    have (1 - SLA target), or the accepted risk per window (`SLA.risk`; a risk per year r
    read per window as 1 - (1 - r) ** (1 / windows per year)).
    """

    target: float
    unavailability: float
    breach_probability: float | None
    met: bool
    unavailability_bound: float | None = None
    breach_bound: float | None = None


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    progress: bool | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    executor=None,
):
    """Simulate `scenario` and measure it against its SLA.

    Parameters
    ----------
    scenario : Scenario
        From `simulation.load` or built in Python.
    replications, seed : int, optional
        Default to the scenario's `run` section. With `precision`, `replications` is the
        first round.
    horizon : float (hours) or str (e.g. ``"2y"``), optional
        Simulated time per replication; defaults to the scenario's `run.horizon`. A
        number is hours; a string needs its unit, as in a scenario file.
    engine : {"auto", "des", "fast"}
        ``auto`` runs ``fast`` whenever the scenario is inside its subset.
    workers : int, optional
        Local worker processes; default: the number of cores. Results do not depend on it.
    progress : bool, optional
        Progress bar (tqdm, also in Jupyter) for runs longer than a second; default: on
        when standard error is a terminal.
        Or a bar to advance by replications (tqdm's ``update``, ``refresh``, ``close`` and
        a settable ``total``): a sweep passes a view of its one bar over all variants.
    precision : float, optional
        Keep adding replications until the 95 % CI half-width of the unavailability (and
        of the breach probability, when the scenario has an SLA) is within this fraction
        of its value, e.g. 0.1.
    max_replications : int, optional
        Upper bound for a precision-driven run (default 20 x the first round).
    executor : distributed.Client or executor, optional
        Where batches run (`simulation.study.executors`): default local worker processes;
        a `distributed.Client` runs them on a Dask cluster, with the same numbers.
        `workers` then defaults to the cluster's threads.

    Returns
    -------
    Result

    Raises
    ------
    UsageError
        For an argument that cannot be used, or a run too large to be meant
        (`simulation.model.scenario.check_run_size`).
    UnsupportedScenario
        When the scenario uses something not simulated yet, or `engine` cannot run it.
    """
    from simulation.report.result import Result

    replications = scenario.run.replications if replications is None else int(replications)
    seed = scenario.run.seed if seed is None else int(seed)
    horizon_hours = _horizon_hours(scenario, horizon)
    if replications < 1:
        raise UsageError(f"replications must be >= 1, got {replications}")
    if seed < 0:
        raise UsageError(f"seed must be >= 0, got {seed}")
    if precision is not None and not 0 < precision < 1:
        raise UsageError(f"precision must be a fraction between 0 and 1, got {precision}")
    limit = replications if precision is None else (max_replications or 20 * replications)
    if limit < replications:
        raise UsageError(f"max_replications ({limit}) must be >= replications ({replications})")
    try:
        check_run_size(limit, horizon_hours)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    engine, reason = choose_engine(scenario, engine)
    _warn_partial_window(scenario, horizon_hours)
    executor = as_executor(executor)
    if workers is None:
        workers = executor.workers if executor is not None else (os.cpu_count() or 1)
    workers = max(1, int(workers))

    allowance = _allowance(scenario, horizon_hours) if precision is not None else None
    started = time.perf_counter()
    outputs: list[BatchOutput] = []
    achieved = None
    with _Progress(scenario.name, replications, progress) as bar:
        plan = batches(replications)
        while plan:
            bar.total = plan[-1].stop  # a precision-driven run grows round by round
            bar.refresh()
            outputs += _run_round(scenario, seed, horizon_hours, engine, plan, workers, bar, executor)
            if precision is None:
                break
            achieved, growth = _precision(outputs, precision, allowance)
            done = sum(o.downtime_hours.size for o in outputs)
            if achieved.met or done >= limit:
                break
            plan = batches(_next_round(growth, done, limit), first=done)
    elapsed = time.perf_counter() - started
    return Result.from_batches(
        scenario,
        outputs,
        engine=engine,
        engine_reason=reason,
        seed=seed,
        horizon_hours=horizon_hours,
        elapsed_seconds=elapsed,
        precision=achieved,
    )


def _horizon_hours(scenario: Scenario, horizon) -> float:
    """Hours to simulate: `horizon` (hours, or a duration text), else the scenario's.

    A horizon in whole years (``"2y"``) is that many calendar years of contract
    (`simulation.measure.windows.years_horizon`)."""
    from simulation.scenario.units import UnitError, parse_duration, whole_years

    years = scenario.run.horizon_years if horizon is None else whole_years(horizon)
    if years is not None:
        from simulation.measure.windows import years_horizon

        return years_horizon(None if scenario.sla is None else scenario.sla.window, scenario.calendar, years)
    if horizon is None:
        return scenario.run.horizon_hours
    try:
        hours = parse_duration(horizon)
    except UnitError as exc:
        raise UsageError(f"horizon: {exc}") from None
    if not hours > 0:
        raise UsageError(f"horizon must be positive, got {horizon}")
    return hours


def _warn_partial_window(scenario: Scenario, horizon_hours: float) -> None:
    """Only complete SLA windows count: say so when the horizon cuts one."""
    if scenario.sla is None:
        return
    from simulation.measure.windows import window_bounds

    windows = window_bounds(scenario.sla.window, scenario.calendar, horizon_hours)
    if not len(windows):
        warnings.warn(
            f"the horizon ({horizon_hours:g} h) holds no complete SLA window "
            f"({scenario.sla.window_label}): no SLA figures",
            stacklevel=3,
        )
    elif windows.partial_tail:
        warnings.warn(
            f"the horizon ({horizon_hours:g} h) does not end on a window boundary: "
            f"the last, incomplete {scenario.sla.window_label} window is left out",
            stacklevel=3,
        )


def _tasks(plan: list[range], engine: str, workers: int) -> list[list[range]]:
    """Split a round's batches into tasks: one batch each for des, bigger chunks for fast."""
    if engine == "des":
        return [[b] for b in plan]
    per_task = max(1, min(math.ceil(len(plan) / workers), FAST_CHUNK // BATCH_SIZE))
    return [plan[i : i + per_task] for i in range(0, len(plan), per_task)]


def _run_round(scenario, seed, horizon_hours, engine, plan, workers, bar, executor=None) -> list[BatchOutput]:
    tasks = _tasks(plan, engine, workers)
    outputs: list[BatchOutput] = []
    if executor is not None:  # the scenario goes to the workers once per round
        shared = executor.share(scenario)
        futures = [executor.submit(run_batches, shared, seed, task, horizon_hours, engine) for task in tasks]
        for future, task in zip(futures, tasks):
            outputs += future.result()
            bar.update(sum(len(b) for b in task))
        return outputs
    if workers == 1 or len(tasks) == 1:
        for task in tasks:
            outputs += run_batches(scenario, seed, task, horizon_hours, engine)
            bar.update(sum(len(b) for b in task))
        return outputs
    # the scenario goes to each worker process once, not with every task
    with ProcessPoolExecutor(
        min(workers, len(tasks)), initializer=_hold_scenario, initargs=(scenario,)
    ) as pool:
        futures = [pool.submit(_run_held, seed, task, horizon_hours, engine) for task in tasks]
        for i, task in enumerate(tasks):
            outputs += futures[i].result()
            futures[i] = None  # the future holds its result: drop it, or memory doubles
            bar.update(sum(len(b) for b in task))
    return outputs


#: The scenario of a local worker process, set once when the process starts.
_HELD_SCENARIO: Scenario | None = None


def _hold_scenario(scenario: Scenario) -> None:
    global _HELD_SCENARIO
    _HELD_SCENARIO = scenario


def _run_held(seed, plan, horizon_hours, engine) -> list[BatchOutput]:
    """`run_batches` on the scenario this worker process holds."""
    return run_batches(_HELD_SCENARIO, seed, plan, horizon_hours, engine)


def _relative_half_width(values: np.ndarray) -> float:
    """95 % CI half-width of the mean of `values` over the mean (inf when the mean is 0)."""
    mean = float(values.mean())
    if values.size < 2 or mean <= 0:
        return math.inf
    return 1.96 * float(values.std(ddof=1)) / math.sqrt(values.size) / mean


def _allowance(scenario: Scenario, horizon_hours: float) -> tuple[float, float] | None:
    """What the contract allows, for figures without events: (unavailability, risk per window).

    None without an SLA or a complete window (a figure without events then cannot be
    made precise and the run goes on to its limit)."""
    sla = scenario.sla
    if sla is None:
        return None
    from simulation.measure.windows import window_bounds
    from simulation.model.scenario import HOURS_PER_YEAR

    windows = window_bounds(sla.window, scenario.calendar, horizon_hours)
    if not len(windows):
        return None
    risk = sla.risk
    if sla.risk_per == "year":  # as independent windows: 1 - (1 - r) ** (1 / windows per year)
        risk = -math.expm1(math.log1p(-risk) * float(windows.hours.mean()) / HOURS_PER_YEAR)
    return 1.0 - sla.target, risk


def _precision(
    outputs: list[BatchOutput], target: float, allowance: tuple[float, float] | None
) -> tuple[Precision, float]:
    """The precision achieved and the factor by which the replications should grow."""
    from simulation.measure.stats import zero_event_upper_bound

    unavail = np.concatenate([o.downtime_hours for o in outputs])
    growth = []
    rel_u = _relative_half_width(unavail)
    bound_u = bound_b = None
    met_u = rel_u <= target
    if not unavail.any():
        # no downtime at all: the share of replications with downtime is below the bound,
        # and so is the mean unavailability (a replication is down at most all the time)
        bound_u = zero_event_upper_bound(unavail.size)
        met_u = allowance is not None and bound_u <= target * allowance[0]
        growth.append(math.inf if allowance is None else bound_u / (target * allowance[0]))
    else:
        growth.append((rel_u / target) ** 2)
    rel_b, met_b = None, True
    if allowance is not None and outputs[0].window_breach.shape[1]:
        # breach fraction per replication: windows of one replication are not independent
        per_rep = np.concatenate([o.window_breach.mean(axis=1) for o in outputs])
        rel_b = _relative_half_width(per_rep)
        met_b = rel_b <= target
        if not per_rep.any():
            windows = sum(o.window_breach.size for o in outputs)
            bound_b = zero_event_upper_bound(windows)
            met_b = bound_b <= target * allowance[1]
            growth.append(bound_b / (target * allowance[1]))  # the bound falls as 1/n
        else:
            growth.append((rel_b / target) ** 2)
    return Precision(target, rel_u, rel_b, met_u and met_b, bound_u, bound_b), max(growth)


def _next_round(growth: float, done: int, limit: int) -> int:
    """Replications to add: `growth` times those done (at most 4x), with 10 % spare."""
    factor = 4.0 if math.isinf(growth) else min(4.0, 1.1 * growth)
    wanted = max(BATCH_SIZE, int(math.ceil(done * (factor - 1.0))))
    return min(wanted, limit - done)


def progress_bar_class():
    """tqdm's widget bar where Jupyter can show it, else its text bar.

    `tqdm.auto` picks the widget bar in Jupyter and, when ipywidgets is missing, falls
    back to the text bar with a `TqdmWarning` ("IProgress not found") that a user can
    do nothing about; asking for the widget bar only when ipywidgets is there avoids it.
    """
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


class _Progress:
    """A tqdm bar that appears only for runs longer than a second."""

    def __init__(self, name: str, total: int, progress):
        if progress is not None and not isinstance(progress, bool):  # a caller's bar (a sweep's)
            self.bar = progress
            return
        tqdm = progress_bar_class()
        self.bar = tqdm(
            total=total,
            unit="rep",
            delay=1.0,
            leave=False,
            desc=name[:30],
            disable=None if progress is None else not progress,
        )

    def __enter__(self):
        return self.bar

    def __exit__(self, *exc):
        self.bar.close()

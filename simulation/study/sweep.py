"""Sweeps: run variants of a scenario, each a set of changes by key path, with one seed.

A variant is the scenario with some values changed (`simulation.scenario.keypath`):
``vary={"components.web-server.failure.mtbf": ["10000h", "20000h"], "sla.target": ...}``
gives the grid of all combinations; ``variants={"name": {path: value, ...}}`` gives named
variants. Every variant is checked before the first one runs, and every variant runs
with the same seed and replications, so parts that exist in two variants get the same
random draws (common random numbers): differences between variants are measured on
pairs of replications (`simulation.study.compare`), far more precisely than with
independent runs.

The result is a tidy table: one row per variant, with its changed values and every
figure of its JSON report flattened (`flatten_report`), and with a baseline, the paired
differences to it. With a results store (`simulation.study.store`) each finished
variant is written as it completes and a study run again resumes where it stopped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

from simulation.model.scenario import Scenario
from simulation.scenario.errors import UsageError
from simulation.study.compare import FIGURES, compare_figures, replication_figures


@dataclass(frozen=True)
class Variant:
    """A named set of changes: key path -> value as written in a scenario file."""

    name: str
    changes: Mapping[str, Any]
    origin: str = ""

    def __post_init__(self):
        if not self.origin:
            object.__setattr__(self, "origin", f"variant '{self.name}'")


@dataclass(frozen=True)
class VariantOutcome:
    """A finished variant: its report (`Result.to_dict()`, as JSON data), its
    per-replication figures (`compare.replication_figures`), and whether it was read from
    the store rather than run."""

    variant: Variant
    report: dict
    per_replication: dict
    stored: bool


def value_text(value) -> str:
    """A value as it would be written in a scenario file (for variant names and tables)."""
    if isinstance(value, str):
        return value
    return (
        yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6)
        .strip()
        .removesuffix("...")
        .strip()
    )


def plan_variants(vary: Mapping | None = None, variants=None) -> list[Variant]:
    """The variants of a sweep: the grid of `vary`, or the given `variants`.

    Parameters
    ----------
    vary : mapping of key path to list of values, optional
        The grid of all combinations, in the order given (the last path varies
        fastest). Each variant is named ``path=value, path=value``.
    variants : mapping of name to {key path: value}, or list of {key path: value}, optional
        Named variants (a list is named like a grid). ``{}`` is the scenario as it is.

    Raises
    ------
    ValueError
        Unless exactly one of `vary` and `variants` is given and non-empty, or when two
        variants have the same name.
    """
    if (vary is None) == (variants is None):
        raise UsageError("give either vary (a grid of key path -> values) or variants (named changes)")
    plan: list[Variant] = []
    if vary is not None:
        if not vary:
            raise UsageError("vary is empty; give key path -> list of values")
        paths = list(vary)
        values = []
        for path in paths:
            vs = vary[path]
            if isinstance(vs, (str, bytes)) or not hasattr(vs, "__iter__") or not list(vs):
                raise UsageError(f"vary[{path!r}] must be a non-empty list of values, got {vs!r}")
            values.append(list(vs))
        for combo in itertools.product(*values):
            changes = dict(zip(paths, combo))
            plan.append(Variant(_grid_name(changes), changes))
    elif isinstance(variants, Mapping):
        for name, changes in variants.items():
            if not isinstance(changes, Mapping):
                raise UsageError(f"variant {name!r} must be a mapping of key path -> value, got {changes!r}")
            plan.append(Variant(str(name), dict(changes)))
    else:
        for changes in variants:
            plan.append(Variant(_grid_name(changes) or "as is", dict(changes)))
    if not plan:
        raise UsageError("no variants to run")
    names = [v.name for v in plan]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"variant names must be distinct; given twice: {', '.join(dupes)}")
    return plan


def resolve_baseline(baseline, plan: list[Variant]) -> str | None:
    """The name of the baseline variant given by name or by number in `plan` (1 = first).

    Raises
    ------
    ValueError
        When it names no variant.
    """
    if baseline is None:
        return None
    names = [v.name for v in plan]
    if str(baseline) in names:
        return str(baseline)
    if str(baseline).isdigit() and 1 <= int(baseline) <= len(names):
        return names[int(baseline) - 1]
    raise UsageError(
        f"baseline {baseline!r} is not a variant; give a name or a number from 1 to {len(names)}: "
        + "; ".join(names)
    )


def _grid_name(changes: Mapping) -> str:
    return ", ".join(f"{p}={value_text(v)}" for p, v in changes.items())


def sweep(
    scenario: Scenario,
    vary: Mapping | None = None,
    variants=None,
    *,
    baseline: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    store=None,
    study: str | None = None,
    progress: bool | None = None,
    executor=None,
) -> pd.DataFrame:
    """Run variants of `scenario` with common random numbers; one table row per variant.

    Parameters
    ----------
    scenario : Scenario
        Read from a file (`simulation.load` / `loads`): variants change its file data
        by key path. A scenario built in Python cannot be swept.
    vary, variants
        The grid or the named variants (`plan_variants`).
    baseline : str or int, optional
        The variant the others are compared with, by name or by number in the plan
        (1 = the first; handy for grids, whose names are long): adds the paired differences
        ``delta.<figure>`` and their 95 % CI (``delta.<figure>.ci95.low``/``.high``) for
        availability, breach_probability and expected_credit_percent (`compare`).
    replications, seed : int, optional
        The same for every variant; default the scenario's `run` section (a variant's own
        ``run.seed`` or ``run.replications`` does not apply).
    horizon, engine, workers, executor
        As for `simulation.run` (without `horizon`, each variant's ``run.horizon``); an
        executor (e.g. a `distributed.Client`) runs every variant's replications.
    store : str or os.PathLike, optional
        A results store (SQLite file): each finished variant is written as it completes;
        variants already stored for this study are read back instead of run.
    study : str, optional
        The study's name in the store (default: the scenario file's name without suffix).
    progress : bool, optional
        One progress bar over variants and replications (default: on when standard error
        is a terminal).

    Returns
    -------
    DataFrame
        One row per variant in plan order: ``variant``, a column ``set.<key path>`` per
        changed key path (the value as given; ``set.`` keeps it apart from the report's
        figure of the same name, such as ``sla.target``), then every figure of the
        variant's JSON report flattened by `flatten_report` (e.g. ``availability.mean``,
        ``availability.ci95.low``, ``sla.breach_probability``,
        ``sla.breach_probability_ci95.high``), then the ``delta.*`` columns with a baseline.

    Raises
    ------
    ScenarioError
        For a change that does not fit the scenario (naming the key path and the variant),
        before anything runs.
    StoreError
        When the store holds this study under another seed, scenario or options.
    ValueError
        For bad options (as `simulation.run`) or an unknown baseline.
    """
    plan = plan_variants(vary, variants)
    baseline = resolve_baseline(baseline, plan)
    outcomes = list(
        run_variants(
            scenario,
            plan,
            baseline=baseline,
            replications=replications,
            seed=seed,
            horizon=horizon,
            engine=engine,
            workers=workers,
            store=store,
            study=study,
            progress=progress,
            executor=executor,
        )
    )
    return sweep_table(outcomes, baseline, order=[v.name for v in plan])


def run_variants(
    scenario: Scenario,
    plan: list[Variant],
    *,
    baseline: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    engine: str = "auto",
    workers: int | None = None,
    store=None,
    study: str | None = None,
    progress: bool | None = None,
    executor=None,
) -> Iterator[VariantOutcome]:
    """Check every variant (and the store), then return an iterator that runs (or reads
    back from `store`) each variant of `plan` and yields it as it finishes.

    The checks happen in this call, before anything runs; the baseline runs first, so
    that a table printed as variants finish can show the differences to it. Options and
    errors as for `sweep`; outcomes in run order.
    """
    from simulation import __version__
    from simulation.scenario.keypath import apply_changes, canonical_json
    from simulation.study.runner import ENGINES
    from simulation.study.store import ResultsStore, StudyHeader

    if engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    baseline = resolve_baseline(baseline, plan)
    replications = scenario.run.replications if replications is None else int(replications)
    seed = scenario.run.seed if seed is None else int(seed)
    horizon_hours = None if horizon is None else _hours(horizon)
    scenarios = {v.name: apply_changes(scenario, v.changes, v.origin) for v in plan}
    options = {"engine": engine, "seed": seed, "replications": replications, "horizon_hours": horizon_hours}
    keys = {name: study_fingerprint(s.data, **options) for name, s in scenarios.items()}
    db = header = None
    stored = {}
    if store is not None:
        header = StudyHeader(
            study=study or _study_name(scenario),
            fingerprint=study_fingerprint(scenario.data, **options),
            scenario=scenario.name,
            source=scenario.source,
            data=canonical_json(scenario.data),
            seed=seed,
            replications=replications,
            horizon_hours=horizon_hours,
            engine=engine,
            slasim_version=__version__,
        )
        db = ResultsStore(store)
        try:
            stored = db.open_study(header)
            _check_stored(stored, plan, keys, db.path)
        except BaseException:
            db.close()
            raise
    order = sorted(plan, key=lambda v: v.name != baseline)  # stable: the baseline first
    run_options = {"replications": replications, "seed": seed, "horizon": horizon_hours, "engine": engine}
    return _outcomes(
        order,
        scenarios,
        keys,
        stored,
        db,
        header,
        {**run_options, "workers": workers, "executor": executor},
        progress,
    )


def _outcomes(order, scenarios, keys, stored, db, header, run_options, progress) -> Iterator[VariantOutcome]:
    from simulation.study.runner import run

    replications = run_options["replications"]
    bar = _Bar(len(order) * replications, progress)
    try:
        for variant in order:
            row = stored.get(variant.name)
            if row is not None:
                bar.update(replications)
                yield VariantOutcome(variant, row.figures, row.per_replication, True)
                continue
            result = run(scenarios[variant.name], progress=bar.for_run(), **run_options)
            # read back through JSON, so a run and a resumed run give the same table
            report = _json_round_trip(result.to_dict())
            per_rep = replication_figures(result)
            del result  # its timelines are large; a sweep keeps only the figures
            if db is not None:
                db.save(header, variant.name, dict(variant.changes), keys[variant.name], report, per_rep)
            yield VariantOutcome(variant, report, per_rep, False)
    finally:
        bar.close()
        if db is not None:
            db.close()


def study_fingerprint(data, *, engine: str, seed: int, replications: int, horizon_hours: float | None) -> str:
    """What fixes the figures of a run: SHA-256 of the scenario's file data (canonical JSON),
    the slasim version, the engine asked for, the seed, the replications and the horizon
    (None: the file's ``run.horizon``, which is in the data)."""
    from simulation import __version__
    from simulation.scenario.keypath import fingerprint

    return fingerprint(
        {
            "data": data,
            "slasim": __version__,
            "engine": engine,
            "seed": seed,
            "replications": replications,
            "horizon_hours": horizon_hours,
        }
    )


def _check_stored(stored: dict, plan: list[Variant], keys: dict, path: str) -> None:
    from simulation.study.store import StoreError

    for v in plan:
        row = stored.get(v.name)
        if row is not None and row.fingerprint != keys[v.name]:
            raise StoreError(
                f"{path}: variant '{v.name}' is stored with other changes "
                f"({_grid_name(row.changes) or 'none'}) than this run gives it "
                f"({_grid_name(v.changes) or 'none'}); rename the variant or use another study name"
            )


def _study_name(scenario: Scenario) -> str:
    from pathlib import Path

    return Path(scenario.source).stem if scenario.source and scenario.source != "<string>" else scenario.name


def _hours(horizon) -> float:
    from simulation.scenario.units import parse_duration

    hours = float(parse_duration(horizon) if isinstance(horizon, str) else horizon)
    if not hours > 0:
        raise UsageError(f"horizon must be positive, got {horizon}")
    return hours


def _json_round_trip(data):
    import json

    return json.loads(json.dumps(data))


# ------------------------------------------------------------------------------- table
def flatten_report(report: Mapping, prefix: str = "") -> dict[str, Any]:
    """A JSON report as one flat row: nested keys joined by dots.

    A confidence interval ``[low, high]`` (a key ending in ``ci95``) becomes ``KEY.low`` and
    ``KEY.high``; other lists of numbers ``KEY[i]``; a list of records (such as
    ``attribution``) one group per record named by its first text value
    (``attribution.rack-power.downtime_share``). Left out: the ``schema`` key, ``changes``
    (a sweep's ``set.`` columns hold them) and the target table (``sla.targets``, whose
    targets differ from variant to variant; the contract's and the achievable target's
    figures are columns of their own).
    """
    row: dict[str, Any] = {}
    for key, value in report.items():
        if (not prefix and key in ("schema", "changes")) or (prefix == "sla." and key == "targets"):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            row.update(flatten_report(value, name + "."))
        elif isinstance(value, list) and key.endswith("ci95") and len(value) == 2:
            row[f"{name}.low"], row[f"{name}.high"] = value
        elif isinstance(value, list) and value and all(isinstance(x, Mapping) for x in value):
            for i, record in enumerate(value):
                label = next((v for v in record.values() if isinstance(v, str)), str(i))
                rest = {k: v for k, v in record.items() if v is not label}
                row.update(flatten_report(rest, f"{name}.{label}."))
        elif isinstance(value, list):
            for i, x in enumerate(value):
                row[f"{name}[{i}]"] = x
        else:
            row[name] = value
    return row


def deltas(base: VariantOutcome, other: VariantOutcome) -> dict[str, float]:
    """``delta.<figure>`` and its paired 95 % CI, `other` minus `base` (`compare_figures`)."""
    c = compare_figures(
        base.per_replication, other.per_replication, base.report["replications"], base.report["seed"]
    )
    row = {}
    for name in FIGURES:
        d = getattr(c, name)
        if d is not None:
            row[f"delta.{name}"] = d.delta
            row[f"delta.{name}.ci95.low"] = d.low
            row[f"delta.{name}.ci95.high"] = d.high
    return row


def sweep_table(outcomes: list[VariantOutcome], baseline: str | None = None, order=None) -> pd.DataFrame:
    """The tidy table of `sweep` from its outcomes (rows in `order`, a list of variant names;
    default: the order of `outcomes`)."""
    by_name = {o.variant.name: o for o in outcomes}
    if order is None:
        order = list(by_name)
    paths = list(dict.fromkeys(p for o in outcomes for p in o.variant.changes))
    base = by_name.get(baseline) if baseline is not None else None
    rows = []
    for name in order:
        o = by_name[name]
        row: dict[str, Any] = {"variant": name}
        row.update({f"set.{p}": o.variant.changes.get(p) for p in paths})
        row.update(flatten_report(o.report))
        if base is not None:
            row.update(deltas(base, o))
        rows.append(row)
    return pd.DataFrame(rows)


class _Bar:
    """One tqdm bar over all variants' replications; each run advances it by replications."""

    def __init__(self, total: int, progress: bool | None):
        from tqdm.auto import tqdm

        self.tqdm = tqdm(
            total=total,
            unit="rep",
            desc="sweep",
            leave=False,
            disable=None if progress is None else not progress,
        )

    def update(self, n: int) -> None:
        self.tqdm.update(n)

    def for_run(self):
        return _RunView(self.tqdm)

    def close(self) -> None:
        self.tqdm.close()


class _RunView:
    """The sweep's bar as one run sees it: `run` advances it but neither resizes nor closes it."""

    def __init__(self, bar):
        self._bar = bar
        self.total = None

    def update(self, n: int) -> None:
        self._bar.update(n)

    def refresh(self) -> None:
        self._bar.refresh()

    def close(self) -> None:
        """The sweep closes its bar when all variants are done."""

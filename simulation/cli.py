"""The `slasim` command: run, sweep, optimise, uncertainty, validate, schema.

Exit status: 0 when the command did its work; 2 when what the user gave cannot be used
(a bad scenario file, an option out of range, a scenario that is not simulated yet),
printed as one line without a traceback; 1 for anything else, which is a bug in
slasim: its traceback is shown, with a line asking for a report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
import warnings

EXIT_BUG = 1
EXIT_USAGE = 2
_EXECUTOR_HELP = "where replications run: local (worker processes, the default) or dask://HOST:PORT"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="slasim", description="Simulate cloud SLAs and measure them as the contract does."
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="simulate a scenario and print its SLA summary")
    r.add_argument("file", help="scenario file (YAML, format slasim/1)")
    _run_options(r)
    r.add_argument(
        "--replications", "-n", type=int, help="number of replications (default: the file's run.replications)"
    )
    r.add_argument(
        "--precision",
        type=float,
        metavar="REL",
        help="add replications until the 95%% CI half-width of unavailability (and of "
        "P(breach)) is within REL of its value, e.g. 0.1",
    )
    r.add_argument(
        "--max-replications",
        type=int,
        metavar="N",
        help="upper bound for --precision (default: 20 x --replications)",
    )
    r.add_argument("--json", metavar="OUT", help="write the JSON report (slasim.report/1) to OUT")
    r.add_argument(
        "--plots",
        metavar="DIR",
        help="write the plots availability.png, timeline.png, attribution.png and target-risk.png to DIR",
    )
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change a value by key path before running, e.g. sla.target=99.95%% (repeatable)",
    )
    r.add_argument(
        "--importance",
        action="store_true",
        help="also print the parts' importance and the one change that most reduces P(breach) "
        "(more runs with the same seed: six changes, and two per part where Birnbaum is simulated)",
    )

    w = sub.add_parser("sweep", help="run variants of a scenario with one seed and compare them")
    w.add_argument("file", help="scenario file (YAML, format slasim/1)")
    _run_options(w)
    how = w.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--vary",
        action="append",
        metavar="PATH=V1,V2,...",
        help="values of one key path (repeatable: the grid of all combinations)",
    )
    how.add_argument(
        "--variants", metavar="FILE", help="YAML file of named variants: name: {PATH: VALUE, ...}"
    )
    w.add_argument(
        "--baseline",
        metavar="NAME",
        help="variant to compare the others with (paired CIs), by name or number (1 = first)",
    )
    w.add_argument(
        "--store", metavar="FILE", help="results store (SQLite): write variants as they finish, resume"
    )
    w.add_argument(
        "--study", metavar="NAME", help="study name in the store (default: the scenario file name)"
    )
    w.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change the scenario for all variants",
    )
    w.add_argument(
        "--replications", "-n", type=int, help="replications per variant (default: run.replications)"
    )
    w.add_argument("--csv", metavar="OUT", help="write the table (one row per variant, every figure) to OUT")

    o = sub.add_parser(
        "optimise",
        help="find the cheapest design whose breach risk is within sla.risk (greedy search)",
        description="Find the cheapest design whose breach risk (as sla.risk states it, judged on "
        "its 95%% upper bound) is within the accepted risk: a greedy search from the first option "
        "of every choice by risk reduction per cost, then a confirmation run of the design found "
        "and its neighbours at more replications.",
    )
    o.add_argument("file", help="scenario file (YAML, format slasim/1) with costs and an SLA")
    _run_options(o)
    how = o.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--choose",
        action="append",
        metavar="PATH=V1,V2,...",
        help="the options of one key path, cheapest first (repeatable: one choice each)",
    )
    how.add_argument(
        "--choices",
        metavar="FILE",
        help="YAML file of choices: PATH: [V1, V2, ...] or NAME: {OPTION: {PATH: VALUE, ...}, ...}",
    )
    o.add_argument("--replications", "-n", type=int, help="replications per design in the search")
    o.add_argument(
        "--confirm-replications",
        type=int,
        metavar="N",
        help="replications of the confirmation runs (default: 4 x --replications)",
    )
    o.add_argument(
        "--availability",
        metavar="TARGET",
        help="judge designs on availability instead of sla.risk: the lower end of its 95%% "
        "interval must reach TARGET (e.g. 99.95%%)",
    )
    o.add_argument("--store", metavar="FILE", help="results store (SQLite): write designs as they finish")
    o.add_argument(
        "--study", metavar="NAME", help="study name in the store (default: the scenario file name)"
    )
    o.add_argument(
        "--set", action="append", default=[], metavar="PATH=VALUE", help="change the scenario for all designs"
    )
    o.add_argument("--csv", metavar="OUT", help="write the evaluated designs (cost, risk, Pareto) to OUT")
    o.add_argument(
        "--plot", metavar="OUT", help="write the cost-risk plot with the Pareto front to OUT (PNG)"
    )

    u = sub.add_parser(
        "uncertainty",
        help="sample the values given as ranges: the breach risk as a band, and a tornado of the inputs",
    )
    u.add_argument("file", help="scenario file (YAML) with values given as {between: [LOW, HIGH]}")
    _run_options(u)
    u.add_argument(
        "--samples", type=int, default=20, help="Latin hypercube samples of the inputs (default 20)"
    )
    u.add_argument(
        "--replications", "-n", type=int, help="replications per sample (default: run.replications)"
    )
    u.add_argument("--store", metavar="FILE", help="results store (SQLite): write runs as they finish")
    u.add_argument(
        "--study", metavar="NAME", help="study name in the store (default: the scenario file name)"
    )
    u.add_argument("--csv", metavar="OUT", help="write the samples (inputs and risk) to OUT")
    u.add_argument("--plot", metavar="OUT", help="write the tornado chart to OUT (PNG)")

    v = sub.add_parser(
        "validate",
        help="check scenario files: the first error of each, or ok and what will not be simulated yet",
        description="Check scenario files. Each valid file prints 'FILE: ok (N instances)', followed by "
        "', but not simulated yet: ...' when it uses sections this version only checks (slasim run "
        "refuses it). Exit status 0 when every file is valid, 2 when any has an error.",
    )
    v.add_argument("files", nargs="+")

    sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    return p


def _warn_line(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings.showwarning = _warn_line
    from simulation.scenario.errors import InputError

    try:
        commands = {
            "run": _run,
            "validate": _validate,
            "schema": _schema,
            "sweep": _sweep,
            "optimise": _optimise,
            "uncertainty": _uncertainty,
        }
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("slasim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``slasim run ... | head``): not a bug
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except InputError as err:
        print(f"slasim: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:
        from simulation import __version__

        traceback.print_exc()
        print(
            f"slasim: this is a bug in slasim {__version__}, not a problem with your input: "
            "please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG


def _run(args) -> int:
    import simulation as sim

    with _executor(args.executor) as executor:
        scenario = _load_with_sets(args)
        result = sim.run(
            scenario,
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            engine=args.engine,
            workers=args.workers,
            progress=False if args.quiet else None,
            precision=args.precision,
            max_replications=args.max_replications,
            executor=executor,
        )
    # the files first: a reader that stops early (``| head``) does not lose them
    lines = [result.summary()]
    if args.json:
        with _writing(args.json):
            _ensure_parent(args.json)
            result.to_json(args.json)
    if args.plots:
        with _writing(args.plots):
            paths = result.save_plots(args.plots)
    if args.importance:
        lines.append(
            result.importance(workers=args.workers, progress=False if args.quiet else None).summary()
        )
    if args.json:
        lines.append(f"  report            {args.json}")
    if args.plots:
        lines.append(f"  plots             {', '.join(str(p) for p in paths)}")
    print("\n".join(lines))
    return 0


def _load_with_sets(args):
    """The scenario of `args.file` with its ``--set PATH=VALUE`` changes."""
    import simulation as sim
    from simulation.scenario.keypath import apply_changes, parse_assignment

    scenario = sim.load(args.file)
    changes = dict(parse_assignment(text, "--set") for text in args.set)
    return apply_changes(scenario, changes, origin="--set")


def _sweep(args) -> int:
    from simulation.study.sweep import plan_variants, resolve_baseline, run_variants, sweep_table

    with _executor(args.executor) as executor:
        scenario = _load_with_sets(args)
        if args.vary:
            plan = plan_variants(vary=_vary(args.vary))
        else:
            plan = _variants_file(args.variants)
        baseline = resolve_baseline(args.baseline, plan)
        window = scenario.sla.window_label if scenario.sla is not None else "window"
        table = _SweepTable(plan, baseline, window)
        outcomes = []
        running = run_variants(
            scenario,
            plan,
            baseline=baseline,
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            engine=args.engine,
            workers=args.workers,
            store=args.store,
            study=args.study,
            progress=False if args.quiet else None,
            executor=executor,
        )
        table.header()  # every variant and the store are checked: a table follows
        for outcome in running:
            outcomes.append(outcome)
            table.row(outcome)
        stored = sum(o.stored for o in outcomes)
        first = outcomes[0].report
        print(
            f"{len(outcomes)} variants x {first['replications']} replications, seed {first['seed']}"
            + (f"; {stored} read from the store" if stored else "")
            + (f"; results in {args.store}" if args.store else "")
        )
        if args.csv:
            with _writing(args.csv):
                _ensure_parent(args.csv)
                sweep_table(outcomes, baseline, order=[v.name for v in plan]).to_csv(args.csv, index=False)
            print(f"table: {args.csv}")
    return 0


def _optimise(args) -> int:
    from simulation.study.optimise import optimise

    with _executor(args.executor) as executor:
        scenario = _load_with_sets(args)
        choices = _vary(args.choose, "--choose") if args.choose else _choices_file(args.choices)
        found = optimise(
            scenario,
            choices,
            replications=args.replications,
            confirm_replications=args.confirm_replications,
            seed=args.seed,
            horizon=args.horizon,
            engine=args.engine,
            workers=args.workers,
            store=args.store,
            study=args.study,
            progress=False if args.quiet else None,
            executor=executor,
            availability=_target_option(args.availability, "--availability"),
        )
    print(found.summary())
    if args.csv:
        _write_csv(args.csv, found.table, "table")
    if args.plot:
        _write_plot(args.plot, found.plot, (9, 5.5))
    return 0


def _uncertainty(args) -> int:
    import simulation as sim
    from simulation.study.uncertainty import uncertainty

    with _executor(args.executor) as executor:
        study = uncertainty(
            sim.load(args.file),
            args.samples,
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            engine=args.engine,
            workers=args.workers,
            store=args.store,
            study=args.study,
            progress=False if args.quiet else None,
            executor=executor,
        )
    print(study.summary())
    if args.csv:
        _write_csv(args.csv, study.samples, "samples")
    if args.plot:
        _write_plot(args.plot, study.plot_tornado, (9, 1.6 + 0.6 * len(study.inputs)))
    return 0


def _choices_file(path: str) -> dict:
    """Choices from a YAML file (`simulation.study.optimise.plan_choices`)."""
    from pathlib import Path

    from simulation.scenario import ScenarioError
    from simulation.scenario.keypath import _plain
    from simulation.scenario.yamlsource import parse_yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the choices file: {exc.strerror or exc}", file=path) from None
    data = parse_yaml(text, path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError(
            "a choices file maps a key path to its values, or a choice's name to named options",
            file=path,
            line=1,
        )
    for name, options in data.items():
        if not isinstance(options, (list, dict)) or len(options) < 2:
            raise ScenarioError(
                "expected at least two options: a list of values, or a mapping of option names to "
                "{key path: value}",
                file=path,
                line=data.key_line(name),
                path=name,
            )
    return _plain(data)


def _vary(options: list[str], option: str = "--vary") -> dict:
    """``--vary PATH=V1,V2`` options -> {path: [values]}."""
    from simulation.scenario import ScenarioError
    from simulation.scenario.keypath import parse_value, split_values

    vary = {}
    for text in options:
        path, sep, values = text.partition("=")
        path = path.strip()
        if not sep or not path or not values.strip():
            raise ScenarioError(
                f"expected PATH=V1,V2,..., e.g. sla.target=99.9%,99.95%, got {text!r}", file=option
            )
        if path in vary:
            raise ScenarioError(f"{path} is given twice; give all its values in one {option}", file=option)
        vary[path] = [parse_value(v, f"{option} {path}") for v in split_values(values)]
    return vary


def _variants_file(path: str):
    """Named variants from a YAML file: ``name: {key path: value, ...}`` per variant."""
    from pathlib import Path

    from simulation.scenario import ScenarioError
    from simulation.scenario.keypath import _plain
    from simulation.scenario.yamlsource import parse_yaml
    from simulation.study.sweep import Variant

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the variants file: {exc.strerror or exc}", file=path) from None
    data = parse_yaml(text, path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError("a variants file maps variant names to {key path: value, ...}", file=path, line=1)
    plan = []
    for name, changes in data.items():
        line = data.key_line(name)
        if changes is None:
            changes = {}
        if not isinstance(changes, dict):
            raise ScenarioError(
                "expected a mapping of key path -> value ({} for the scenario as it is)",
                file=path,
                line=line,
                path=name,
            )
        plan.append(Variant(name, _plain(changes), origin=f"variant '{name}' of {path}:{line}"))
    return plan


class _SweepTable:
    """The console table of a sweep, a row printed as each variant finishes."""

    def __init__(self, plan, baseline, window: str = "window"):
        self.width = min(64, max(7, *(len(v.name) for v in plan)))
        self.baseline = baseline
        self.window = window  # the SLA window, for the scope of P(breach) and credit
        self.base = None

    def _print(self, text: str) -> None:
        from tqdm.auto import tqdm

        tqdm.write(text, file=sys.stdout)

    def header(self) -> None:
        window = self.window
        cols = (
            f"{'variant':<{self.width}}  {'availability % (95 % CI)':<34}  "
            f"{f'P(breach/{window}) (95 % CI)':<26}  credit/{window} (% of fee)"
        )
        if self.baseline:
            cols += f"  {'ΔP(breach) vs ' + self.baseline + ' (paired CI)'}"
        self._print(cols)

    def row(self, outcome) -> None:
        from simulation.study.sweep import deltas

        r = outcome.report
        a = r["availability"]
        avail = f"{100 * a['mean']:.4f} ({100 * a['ci95'][0]:.4f} .. {100 * a['ci95'][1]:.4f})"
        sla = r.get("sla") or {}
        p = sla.get("breach_probability")
        breach, credit = "-", "-"
        if p is not None:
            lo, hi = sla["breach_probability_ci95"]
            breach = f"{p:.4f} ({lo:.4f} .. {hi:.4f})"
            credit = f"{sla['expected_credit_percent']:.3f}"
        name = outcome.variant.name
        if len(name) > self.width:  # grid names differ at the end: keep both ends
            half = self.width // 2
            name = name[: half - 1] + "…" + name[-half:]
        line = f"{name:<{self.width}}  {avail:<34}  {breach:<26}  {credit:>8}"
        if self.baseline:
            if outcome.variant.name == self.baseline:
                self.base = outcome
                line += "  (baseline)"
            elif self.base is not None and p is not None:
                d = deltas(self.base, outcome)
                key = "delta.breach_probability"
                if key in d:
                    line += f"  {d[key]:+.4f} ({d[key + '.ci95.low']:+.4f} .. {d[key + '.ci95.high']:+.4f})"
        if outcome.stored:
            line += "  [stored]"
        self._print(line)


def _validate(args) -> int:
    """Each file: its first error, or ok and what `run` would refuse (see the parser's help)."""
    import simulation as sim
    from simulation.engine.support import unsupported_features
    from simulation.scenario.errors import InputError

    status = 0
    for path in args.files:
        try:
            scenario = sim.load(path)
        except InputError as err:
            print(f"slasim: error: {err}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        line = f"{path}: ok ({len(scenario.instances)} instances)"
        features = unsupported_features(scenario)
        if features:
            line += f", but not simulated yet: {', '.join(features)} (slasim run stops)"
        print(line)
    return status


@contextlib.contextmanager
def _writing(target: str):
    """Turn an OSError while writing an output the user named into a one-line error."""
    from simulation.scenario.errors import UsageError

    try:
        yield
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or target}: {exc.strerror or exc}") from None


def _schema(args) -> int:
    from simulation.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def _run_options(parser) -> None:
    """The options every simulating command takes: seed, horizon, engine, workers,
    executor and the progress bar (each command words its own --replications)."""
    parser.add_argument("--seed", type=int, help="random seed (default: the file's run.seed)")
    parser.add_argument(
        "--horizon", help="simulated time per replication, e.g. 1y, 720h (default: the file's run.horizon)"
    )
    parser.add_argument("--engine", default="auto", choices=["auto", "des", "fast"], help="simulation engine")
    parser.add_argument("--workers", type=int, help="local worker processes (default: number of cores)")
    parser.add_argument("--executor", metavar="ADDRESS", help=_EXECUTOR_HELP)
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _target_option(text: str | None, option: str) -> float | None:
    """A target given on the command line (``99.95%``), or None."""
    from simulation.scenario.errors import UsageError
    from simulation.scenario.units import UnitError, target

    if text is None:
        return None
    try:
        return target(text)
    except UnitError as exc:
        raise UsageError(f"{option}: {exc}") from None


@contextlib.contextmanager
def _executor(address: str | None):
    """The executor of ``--executor`` (None: local processes), closed at the end."""
    from simulation.study.executors import connect

    executor = connect(address)
    try:
        yield executor
    finally:
        if executor is not None:
            executor.close()


def _write_csv(path: str, table, label: str) -> None:
    with _writing(path):
        _ensure_parent(path)
        table.to_csv(path, index=False)
    print(f"  {label:<17} {path}")


def _write_plot(path: str, draw, size: tuple[float, float]) -> None:
    """One figure of `size` inches drawn by ``draw(ax=...)``, written to `path`."""
    from matplotlib.figure import Figure

    with _writing(path):
        _ensure_parent(path)
        fig = Figure(figsize=size)
        draw(ax=fig.subplots())
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    print(f"  {'plot':<17} {path}")


def _ensure_parent(path: str) -> None:
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    sys.exit(main())

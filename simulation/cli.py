"""The `slasim` command: run, validate, schema.

Exit status: 0 when the command did its work; 2 when what the user gave cannot be used
(a bad scenario file, an option out of range, a scenario that is not simulated yet),
printed as one line without a traceback; 1 for anything else, which is a bug in
slasim: its traceback is shown, with a line asking for a report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
import warnings

EXIT_BUG = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="slasim", description="Simulate cloud SLAs and measure them as the contract does."
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="simulate a scenario and print its SLA summary")
    r.add_argument("file", help="scenario file (YAML, format slasim/1)")
    r.add_argument(
        "--replications", "-n", type=int, help="number of replications (default: the file's run.replications)"
    )
    r.add_argument("--seed", type=int, help="random seed (default: the file's run.seed)")
    r.add_argument(
        "--horizon", help="simulated time per replication, e.g. 1y, 720h (default: the file's run.horizon)"
    )
    r.add_argument("--engine", default="auto", choices=["auto", "des", "fast"], help="simulation engine")
    r.add_argument("--workers", type=int, help="local worker processes (default: number of cores)")
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
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

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
        return {"run": _run, "validate": _validate, "schema": _schema}[args.command](args)
    except KeyboardInterrupt:
        print("slasim: interrupted", file=sys.stderr)
        return 130
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

    scenario = sim.load(args.file)
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
    )
    print(result.summary())
    if args.json:
        with _writing(args.json):
            _ensure_parent(args.json)
            result.to_json(args.json)
        print(f"  report            {args.json}")
    if args.plots:
        with _writing(args.plots):
            paths = result.save_plots(args.plots)
        print(f"  plots             {', '.join(str(p) for p in paths)}")
    return 0


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


def _ensure_parent(path: str) -> None:
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    sys.exit(main())

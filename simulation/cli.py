"""The `slasim` command: run, validate, schema.

Errors in what the user gave (a bad scenario, a bad option) print one line and exit
with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

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
    r.add_argument("--plots", metavar="DIR", help="write availability, timeline and attribution plots to DIR")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    v = sub.add_parser("validate", help="check scenario files and report the first error of each")
    v.add_argument("files", nargs="+")

    sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    return p


def _warn_line(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings.showwarning = _warn_line
    try:
        return {"run": _run, "validate": _validate, "schema": _schema}[args.command](args)
    except KeyboardInterrupt:
        print("slasim: interrupted", file=sys.stderr)
        return 130


def _user_errors():
    from simulation.engine.support import UnsupportedScenario
    from simulation.scenario import ScenarioError

    return (ScenarioError, UnsupportedScenario, ValueError, OSError)


def _run(args) -> int:
    import simulation as sim

    try:
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
            _ensure_parent(args.json)
            result.to_json(args.json)
            print(f"  report            {args.json}")
        if args.plots:
            paths = result.save_plots(args.plots)
            print(f"  plots             {', '.join(str(p) for p in paths)}")
    except _user_errors() as err:
        print(f"slasim: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _validate(args) -> int:
    import simulation as sim

    status = 0
    for path in args.files:
        try:
            scenario = sim.load(path)
            print(f"{path}: ok ({len(scenario.instances)} instances)")
        except _user_errors() as err:
            print(f"slasim: error: {err}", file=sys.stderr)
            status = EXIT_USAGE
    return status


def _schema(args) -> int:
    from simulation.scenario import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def _ensure_parent(path: str) -> None:
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    sys.exit(main())

"""Distribution specs in a scenario file -> `simulation.model.distributions` objects.

Accepted forms (durations take units; a number without one is an error, 0 aside):

- ``15s`` — a bare duration: deterministic;
- ``{mtbf: D}``, ``{mttr: D}``, ``{mean: D}``, ``{rate: R}`` — exponential;
- ``{dist: NAME, ...}`` with one of the parameter sets in `PARAMETER_SETS`.

``mu`` of a lognormal is in log-hours; ``shape``, ``cv`` and ``sigma`` are plain numbers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from simulation.model import distributions as d
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    duration,
    expect_list,
    expect_number,
    expect_str,
    type_name,
)
from simulation.scenario.errors import did_you_mean

#: The parameter sets of each distribution, in the order they are listed to users.
PARAMETER_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "exponential": (("mean",), ("rate",)),
    "weibull": (("shape", "scale"), ("shape", "mean")),
    "lognormal": (("mu", "sigma"), ("mean", "cv"), ("median", "p95"), ("median", "sigma")),
    "gamma": (("shape", "scale"), ("mean", "cv")),
    "normal": (("mean", "sd"),),
    "deterministic": (("value",),),
    "uniform": (("low", "high"),),
    "empirical": (("samples",), ("csv",)),
}
#: Exponential shorthands: ``{KEY: value}`` alone.
SHORTHANDS = ("mtbf", "mttr", "mean", "rate")
#: Parameters that are plain numbers, not durations.
PLAIN_NUMBERS = {"shape", "cv", "sigma", "mu"}


def describe_sets(name: str) -> str:
    return " | ".join(" and ".join(s) for s in PARAMETER_SETS[name])


def parse_distribution(
    value, at: At, *, positive_mean: bool = False, extra_keys: tuple[str, ...] = ()
) -> d.Distribution:
    """A `Distribution` from a spec; `positive_mean` rejects a zero-length one.

    `extra_keys` are keys the caller handles itself (e.g. ``per`` of a failure rate);
    they are ignored here.
    """
    if isinstance(value, bool) or value is None or isinstance(value, list):
        raise at.error(
            f"expected a duration or a distribution such as {{mtbf: 5000h}} or "
            f"{{dist: weibull, shape: 1.3, mean: 9000h}}, got {type_name(value)}"
        )
    if not isinstance(value, dict):
        hours = duration(value, at, positive=positive_mean)
        return d.Deterministic(hours)
    spec = {k: v for k, v in value.items() if k not in extra_keys}
    if "dist" in spec:
        dist = _named(value, spec, at)
    else:
        dist = _shorthand(value, spec, at)
    if positive_mean and not dist.mean > 0:
        raise at.error("this distribution has mean 0; a time to failure must be > 0")
    return dist


def _shorthand(mapping, spec: dict, at: At) -> d.Distribution:
    keys = list(spec)
    if len(keys) == 1 and keys[0] in SHORTHANDS:
        key = keys[0]
        sub = at.key(mapping, key)
        if key == "rate":
            r = sub.convert(units.rate, spec[key])
            if not r > 0:
                raise sub.error(f"a rate must be > 0, got {spec[key]}")
            return d.Exponential(r)
        return d.Exponential.from_mean(duration(spec[key], sub, positive=True))
    if not keys:
        raise at.error("empty distribution; expected e.g. {mtbf: 5000h} or {dist: NAME, ...}")
    params = {p for sets in PARAMETER_SETS.values() for s in sets for p in s}
    for key in keys:
        if key not in SHORTHANDS and key not in params:
            raise at.key_itself(mapping, key).error(
                f"unknown distribution key '{key}'; expected one of "
                f"{', '.join(SHORTHANDS)} alone, or dist: NAME with its parameters",
                did_you_mean(key, [*SHORTHANDS, "dist", *sorted(params)]),
            )
    guess = [n for n, sets in PARAMETER_SETS.items() if any(set(s) == set(keys) for s in sets)]
    hint = f"add 'dist: {guess[0]}'" if guess else None
    raise at.error(
        f"{', '.join(keys)} without 'dist'; {{mtbf | mttr | mean | rate: ...}} alone "
        f"is exponential, anything else needs dist: NAME",
        hint,
    )


def _named(mapping, spec: dict, at: At) -> d.Distribution:
    dist_at = at.key(mapping, "dist")
    name = spec["dist"]
    if not isinstance(name, str) or name.lower() not in PARAMETER_SETS:
        raise dist_at.error(
            f"unknown distribution {name!r}; expected one of {', '.join(PARAMETER_SETS)}",
            did_you_mean(name, PARAMETER_SETS),
        )
    name = name.lower()
    params = {k: v for k, v in spec.items() if k != "dist"}
    allowed = sorted({p for s in PARAMETER_SETS[name] for p in s}, key=lambda p: (p != "mean", p))
    for key in params:
        if key not in allowed:
            raise at.key_itself(mapping, key).error(
                f"{name} takes {describe_sets(name)}; '{key}' is not one of its parameters",
                did_you_mean(key, allowed),
            )
    chosen = next((s for s in PARAMETER_SETS[name] if set(s) == set(params)), None)
    if chosen is None:
        got = " and ".join(params) if params else "no parameters"
        raise at.error(f"{name} takes {describe_sets(name)}; got {got}")
    values = {}
    for key in chosen:
        sub = at.key(mapping, key)
        if key in ("samples", "csv"):
            continue
        if key == "rate":
            values[key] = sub.convert(units.rate, params[key])
            if not values[key] > 0:
                raise sub.error(f"a rate must be > 0, got {params[key]}")
        elif key == "mu":
            values[key] = expect_number(params[key], sub, what="mu (log-hours)")
        elif key in PLAIN_NUMBERS:
            values[key] = expect_number(params[key], sub, positive=True, what=key)
        elif key in ("low", "value"):
            values[key] = duration(params[key], sub)
        else:
            values[key] = duration(params[key], sub, positive=True)
    try:
        return _build(name, chosen, values, params, mapping, at)
    except ValueError as exc:
        raise at.error(f"{name}: {exc}") from None


def _build(name, chosen, v, params, mapping, at: At) -> d.Distribution:
    key = tuple(chosen)
    if name == "exponential":
        return d.Exponential(v["rate"]) if key == ("rate",) else d.Exponential.from_mean(v["mean"])
    if name == "weibull":
        if key == ("shape", "scale"):
            return d.Weibull(v["shape"], v["scale"])
        return d.Weibull.from_mean(v["shape"], v["mean"])
    if name == "lognormal":
        if key == ("mu", "sigma"):
            return d.Lognormal(v["mu"], v["sigma"])
        if key == ("mean", "cv"):
            return d.Lognormal.from_mean_cv(v["mean"], v["cv"])
        if key == ("median", "p95"):
            if not v["p95"] > v["median"]:
                raise at.key(mapping, "p95").error(
                    f"p95 ({params['p95']}) must be greater than the median ({params['median']})"
                )
            return d.Lognormal.from_median_p95(v["median"], v["p95"])
        return d.Lognormal.from_median_sigma(v["median"], v["sigma"])
    if name == "gamma":
        if key == ("shape", "scale"):
            return d.Gamma(v["shape"], v["scale"])
        return d.Gamma.from_mean_cv(v["mean"], v["cv"])
    if name == "normal":
        return d.Normal(v["mean"], v["sd"])
    if name == "deterministic":
        return d.Deterministic(v["value"])
    if name == "uniform":
        if not v["high"] > v["low"]:
            raise at.key(mapping, "high").error(
                f"high ({params['high']}) must be greater than low ({params['low']})"
            )
        return d.Uniform(v["low"], v["high"])
    # empirical
    if key == ("samples",):
        sub = at.key(mapping, "samples")
        seq = expect_list(params["samples"], sub, "a list of durations")
        return d.Empirical(tuple(duration(x, sub.item(seq, i)) for i, x in enumerate(seq)))
    return d.Empirical(read_csv_durations(params["csv"], at.key(mapping, "csv")))


def read_csv_durations(value, at: At) -> tuple[float, ...]:
    """Durations (hours) from a one-column CSV next to the scenario file.

    One value per line with its unit (``90min``); blank lines and lines starting with
    ``#`` are skipped; a first line that is not a duration is a header. A header that
    ends in a unit (``repair_h``, ``minutes``, ``downtime (min)``) gives the unit of
    values written without one; without such a header a value needs its unit, as
    everywhere in a scenario.
    """
    rel = expect_str(value, at, "a path to a CSV file")
    path = Path(rel)
    if not path.is_absolute():
        path = at.folder / path
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise at.error(f"cannot read CSV file '{rel}' ({path}): {exc.strerror or exc}") from None
    out: list[float] = []
    first = True
    header_unit = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip().strip('"') for c in line.split(",")]
        if len(cells) > 1 and any(cells[1:]):
            raise at.error(f"{rel}:{number}: expected one column, got {len(cells)}")
        cell = cells[0]
        try:
            hours = units.duration(cell + header_unit if header_unit and _is_bare(cell) else cell)
        except units.UnitError as exc:
            if first:
                first = False
                header_unit = _header_unit(cell)
                continue  # a header
            hint = exc.hint
            if _is_bare(cell):
                hint = f"{exc.hint}, or name the unit in a header line such as 'repair_h' or 'minutes'"
            raise at.error(f"{rel}:{number}: {exc.message}", hint) from None
        first = False
        if not (hours >= 0 and math.isfinite(hours)):
            raise at.error(f"{rel}:{number}: a duration must be >= 0, got '{cell}'")
        out.append(hours)
    if not out:
        raise at.error(f"CSV file '{rel}' holds no durations")
    return tuple(out)


def _is_bare(cell: str) -> bool:
    try:
        float(cell.replace("_", ""))
    except ValueError:
        return False
    return True


def _header_unit(header: str) -> str | None:
    """The unit a CSV header ends in (``repair_h`` -> ``h``), or None."""
    words = [w for w in re.split(r"[^A-Za-z\u00b5\u03bc]+", header) if w]
    if not words:
        return None
    try:
        units.duration("1" + words[-1])
    except units.UnitError:
        return None
    return words[-1]

"""A whole scenario file -> `Scenario`: the top-level keys and the order they are read in.

Sections are read so that every reference can be checked when it is met: calendar
and run, then `hours` (used by crews, the SLA and support), crews and spares (used by
components), components, demand (used by k_of_n), the blocks, and last the SLA,
maintenance (whose targets are instances) and support. The first problem found is
raised as a `ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from simulation.model.calendar import Calendar
from simulation.model.components import ComponentType
from simulation.model.distributions import Exponential
from simulation.model.network import sites_of
from simulation.model.scenario import RunSettings, Scenario, check_run_size
from simulation.model.structure import rolling_with_group
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
    duration,
    expect_date,
    expect_int,
    expect_map,
    expect_name,
    expect_str,
    type_name,
)
from simulation.scenario.contract import parse_hours, parse_sla
from simulation.scenario.distributions import parse_distribution
from simulation.scenario.errors import ScenarioError, did_you_mean
from simulation.scenario.operations import (
    parse_crews,
    parse_demand,
    parse_maintenance,
    parse_spares,
    parse_support,
)
from simulation.scenario.structure import (
    BLOCK_KEYWORDS,
    BlockParser,
    Builder,
    check_cycles,
    check_instance_count,
)
from simulation.scenario.yamlsource import YMap, parse_yaml

FORMAT = "slasim/1"
TOP_LEVEL_KEYS = (
    "format",
    "name",
    "description",
    "calendar",
    "run",
    "components",
    "crews",
    "hours",
    "spares",
    "blocks",
    "instances",
    "maintenance",
    "service",
    "sla",
    "support",
    "demand",
)
COMPONENT_KEYS = ("failure", "repair", "idle_failure", "crew", "spares", "cost")
DEFAULT_START = dt.date(2027, 1, 1)
RESERVED_NAMES = (*BLOCK_KEYWORDS, "24x7")


def load(path) -> Scenario:
    """Read a scenario file.

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file. Relative paths inside it (an empirical ``csv:``, a network
        ``file:``) are read relative to its folder.

    Raises
    ------
    ScenarioError
        Naming the file (as given), the line and the key path of the first problem.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", file=file) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"the file is not UTF-8 text ({exc.reason})", file=file) from None
    return loads(text, source=file, folder=Path(path).resolve().parent)


def loads(text: str, source: str = "<string>", folder=None) -> Scenario:
    """Read a scenario from YAML text; `source` names it in errors.

    `folder` is where relative paths in the text are resolved (default: the folder of
    `source` if it is a file, else the working directory).
    """
    if folder is None:
        src = Path(source)
        folder = src.resolve().parent if src.is_file() else Path.cwd()
    return parse_data(parse_yaml(text, source), source, folder)


def parse_data(data, source: str, folder) -> Scenario:
    """A scenario from file data as `parse_yaml` returns it (`Scenario.data`, changed or not);
    `source` names it in errors and `folder` resolves relative paths."""
    import dataclasses

    from simulation.scenario.uncertain import resolve

    root = At(source, "", 1, Path(folder))
    resolved, uncertain = resolve(data, source)
    scenario = _Reader(root).read(resolved)
    if uncertain:  # keep the ranges in the file data: key paths and studies see them as written
        scenario = dataclasses.replace(scenario, data=data, uncertain=uncertain)
    return scenario


class _Reader:
    def __init__(self, root: At):
        self.root = root

    def read(self, data) -> Scenario:
        root = self.root
        if not isinstance(data, dict):
            raise root.error(
                f"a scenario is a mapping starting with 'format: {FORMAT}', got {type_name(data)}"
            )
        self._format(data)
        if "name" not in data:
            raise root.error("missing required key 'name'")
        name = expect_str(data["name"], root.key(data, "name"), "a scenario name")
        description = data.get("description") or ""
        if not isinstance(description, str):
            raise root.key(data, "description").error(f"expected text, got {type_name(description)}")
        if "service" not in data:
            raise root.error("missing required key 'service' (the end-to-end structure)")

        calendar = self._calendar(data.get("calendar"), root.key(data, "calendar"))
        run = self._run(data.get("run"), root.key(data, "run"))
        hours = self._section(data, "hours", parse_hours, {})
        crews = self._section(data, "crews", parse_crews, {}, hours)
        spares = self._section(data, "spares", parse_spares, {})
        components = self._components(data, crews, spares)
        demand = self._section(data, "demand", parse_demand, {})

        templates_raw = self._names(data, "blocks")
        shared_raw = self._names(data, "instances")
        self._distinct({"components": components, "blocks": templates_raw, "instances": shared_raw}, data)
        parser = BlockParser(components, templates_raw, shared_raw, demand)
        templates = {
            n: parser.block(v, root.key(data, "blocks").key(templates_raw, n))
            for n, v in templates_raw.items()
        }
        shared = {
            n: parser.block(v, root.key(data, "instances").key(shared_raw, n)) for n, v in shared_raw.items()
        }
        service_node = parser.block(data["service"], root.key(data, "service"))
        check_cycles(templates, shared)
        check_instance_count(templates, shared, service_node)
        builder = Builder(templates, shared, components)
        service = builder.build_service(service_node)
        try:
            sites_of(service)
        except ValueError as exc:
            raise root.key(data, "service").error(str(exc)) from None
        for n in shared_raw:
            if n not in builder.shared_used:
                root.key(data, "instances").key_itself(shared_raw, n).warn(
                    f"shared instance '{n}' is not used by the service"
                )

        sla = None
        if data.get("sla") is not None:
            sla = parse_sla(data["sla"], root.key(data, "sla"), hours)
        targets = [*components, *shared_raw, *builder.instances]
        maintenance = self._section(data, "maintenance", parse_maintenance, (), list(dict.fromkeys(targets)))
        self._rolling_without_groups(data, maintenance, builder.instances, service)
        support = None
        if data.get("support") is not None:
            support = parse_support(data["support"], root.key(data, "support"), hours)
        return Scenario(
            name=name,
            components=components,
            instances=builder.instances,
            service=service,
            calendar=calendar,
            run=run,
            sla=sla,
            hours=hours,
            description=description.strip(),
            source=root.file,
            crews=crews,
            spares=spares,
            maintenance=maintenance,
            support=support,
            demand=demand,
            data=data,
            folder=str(root.folder),
        )

    def _rolling_without_groups(self, data, maintenance, instances, service) -> None:
        """Warn about a rolling rule none of whose parts has a redundant group: its jobs
        run as plain ones (`engine.maintenance`)."""
        for i, (rule, grouped) in enumerate(
            zip(maintenance, rolling_with_group(maintenance, instances, service))
        ):
            if rule.rolling and not grouped:
                seq = data["maintenance"]
                self.root.key(data, "maintenance").item(seq, i).key(seq[i], "rolling").warn(
                    f"rolling maintenance '{rule.name}' targets no part below a k_of_n, parallel or "
                    "standby block: nothing to keep up, so its jobs run as plain ones"
                )

    # -- top level -----------------------------------------------------------
    def _format(self, data) -> None:
        """A wrong `format` is reported before unknown keys: they may be another version's."""
        if "format" in data and data["format"] != FORMAT:
            raise self.root.key(data, "format").error(
                f"unsupported format {data['format']!r}; this version reads '{FORMAT}'",
                f"write 'format: {FORMAT}'",
            )
        check_keys(data, self.root, TOP_LEVEL_KEYS, what="top-level key")
        if "format" not in data:
            raise self.root.error(f"missing 'format: {FORMAT}' (the first line of a scenario file)")

    def _section(self, data, key, fn, default, *args):
        if data.get(key) is None:
            return default
        return fn(data[key], self.root.key(data, key), *args)

    def _names(self, data, key) -> YMap:
        if data.get(key) is None:
            return YMap()
        at = self.root.key(data, key)
        spec = expect_map(data[key], at, "a mapping of names to blocks")
        for name in spec:
            self._check_name(name, at.key_itself(spec, name))
        return spec

    def _check_name(self, name, at: At) -> None:
        if "/" in name:
            raise at.error("a name cannot contain '/' (it separates the parts of instance ids)")
        if name in RESERVED_NAMES:
            raise at.error(f"'{name}' is a reserved word and cannot name a part")

    def _distinct(self, sections: dict, data) -> None:
        seen: dict[str, str] = {}
        for section, names in sections.items():
            for name in names:
                if name in seen:
                    at = self.root.key(data, section).key_itself(data[section], name)
                    raise at.error(
                        f"'{name}' is defined in both '{seen[name]}' and '{section}'; a name means one thing"
                    )
                seen[name] = section

    def _calendar(self, value, at: At) -> Calendar:
        if value is None:
            return Calendar(DEFAULT_START, "UTC")
        spec = expect_map(value, at, "{start: 2027-01-01, timezone: Europe/Amsterdam}")
        check_keys(spec, at, ("start", "timezone"))
        start = expect_date(spec["start"], at.key(spec, "start")) if "start" in spec else DEFAULT_START
        tz = "UTC"
        if "timezone" in spec:
            tz_at = at.key(spec, "timezone")
            tz = expect_str(spec["timezone"], tz_at, "an IANA time zone like Europe/Amsterdam")
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise tz_at.error(
                    f"unknown time zone '{tz}'; expected an IANA name like Europe/Amsterdam or UTC",
                    did_you_mean(tz, sorted(available_timezones())),
                ) from None
        return Calendar(start, tz)

    def _run(self, value, at: At) -> RunSettings:
        if value is None:
            return RunSettings(horizon_years=1)
        spec = expect_map(value, at, "{horizon: 1y, replications: 1000, seed: 0, start: new}")
        check_keys(spec, at, ("horizon", "replications", "seed", "start"))
        start = spec.get("start", "new")
        if start not in ("new", "steady"):
            raise at.key(spec, "start").error(
                f"unknown start {start!r}; expected new (every part new and up at t = 0) or "
                "steady (every part in its long-run state)",
                did_you_mean(str(start), ["new", "steady"]),
            )
        defaults = RunSettings()
        horizon = (
            duration(spec["horizon"], at.key(spec, "horizon"), positive=True)
            if "horizon" in spec
            else defaults.horizon_hours
        )
        replications = (
            expect_int(
                spec["replications"], at.key(spec, "replications"), minimum=1, what="a number of replications"
            )
            if "replications" in spec
            else defaults.replications
        )
        seed = (
            expect_int(spec["seed"], at.key(spec, "seed"), minimum=0, what="a seed")
            if "seed" in spec
            else defaults.seed
        )
        try:
            check_run_size(replications, horizon)
        except ValueError as exc:
            raise at.key(spec, "replications" if "replications" in spec else "horizon").error(
                str(exc)
            ) from None
        years = units.whole_years(spec["horizon"]) if "horizon" in spec else 1
        return RunSettings(
            horizon_hours=horizon, replications=replications, seed=seed, horizon_years=years, start=start
        )

    def _components(self, data, crews, spares) -> dict[str, ComponentType]:
        if data.get("components") is None:
            return {}
        at = self.root.key(data, "components")
        spec = expect_map(data["components"], at, "a mapping of component type names")
        out = {}
        for name, value in spec.items():
            self._check_name(name, at.key_itself(spec, name))
            out[name] = self._component(name, value, at.key(spec, name), crews, spares)
        return out

    def _component(self, name, value, at: At, crews, spares) -> ComponentType:
        spec = expect_map(value, at, "{failure: ..., repair: ...}")
        check_keys(spec, at, COMPONENT_KEYS, required=("failure", "repair"))
        failure, per_km = self._failure(spec["failure"], at.key(spec, "failure"))
        repair = parse_distribution(spec["repair"], at.key(spec, "repair"))
        idle = (
            parse_distribution(spec["idle_failure"], at.key(spec, "idle_failure"), positive_mean=True)
            if spec.get("idle_failure") is not None
            else None
        )
        crew = (
            expect_name(spec["crew"], at.key(spec, "crew"), crews, "crew")
            if spec.get("crew") is not None
            else None
        )
        pool = (
            expect_name(spec["spares"], at.key(spec, "spares"), spares, "spare pool")
            if spec.get("spares") is not None
            else None
        )
        cost = (
            at.key(spec, "cost").convert(units.cost, spec["cost"]) if spec.get("cost") is not None else None
        )
        return ComponentType(name, failure, repair, idle, crew, pool, cost, per_km)

    def _failure(self, value, at: At):
        """The failure distribution, and the rate per km for ``{rate: R, per: L}``."""
        if isinstance(value, dict) and "per" in value:
            others = [k for k in value if k != "per"]
            if others != ["rate"]:
                raise at.key_itself(value, "per").error(
                    "'per' scales a failure rate with link length: write {rate: 2.5/y, per: 1000km}"
                )
            r_at = at.key(value, "rate")
            rate = r_at.convert(units.rate, value["rate"])
            if not rate > 0:
                raise r_at.error(f"a rate must be > 0, got {value['rate']}")
            p_at = at.key(value, "per")
            km = p_at.convert(units.length, value["per"])
            if not km > 0:
                raise p_at.error(f"expected a length > 0, got {value['per']}")
            return Exponential(rate / km), rate / km
        return parse_distribution(value, at, positive_mean=True), None

"""Blocks of a scenario file -> the model's structure, with stable instance ids.

Parsing is in two steps. `BlockParser` checks a block as written and turns it into a
small syntax tree whose leaves are `Ref`s (a name, and whether it is a shared
instance, a template or a component type); ``{TYPE: N}`` becomes N `Ref`s. `Builder`
then instantiates the trees and names every instance:

- within a scope, a component type or template used once is named by its name
  (``web-server``); one used several times (``{T: N}`` counts as N uses) is numbered
  from 1 in order of appearance (``server-1`` … ``server-20``);
- a template copy opens a scope: its instances are prefixed with the copy's id and
  ``/`` (``rack-3/server-12``); nested templates nest;
- a shared instance opens a scope named by its key (``dc-power/utility-feed``);
- a scope whose body is a single name adds no level: a shared instance ``core:
  core-router`` is the instance ``core``;
- a shared instance is built once, so every use is the same `Leaf` ids (a DAG);
- every instance also gets a stream key (`Instance.stream`): its id with the first copy
  of a numbered name written as the name alone (``rack-1/server-1`` draws as
  ``rack/server``), so adding a copy does not move the first copy's draws.

Unlabeled template copies and shared instances get their scope id as block `name`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from simulation.model.components import ComponentType
from simulation.model.network import NetworkSpec, expand_network
from simulation.model.structure import Instance, KofN, Leaf, Series, Standby, Switchover, leaves
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
    duration_text,
    expect_bool,
    expect_int,
    expect_list,
    expect_map,
    expect_name,
    expect_str,
    type_name,
)
from simulation.scenario.distributions import parse_distribution
from simulation.scenario.errors import did_you_mean
from simulation.scenario.network import parse_network

BLOCK_KEYWORDS = ("series", "parallel", "k_of_n", "standby", "network")
BLOCK_KEYS = {
    "series": ("series", "name"),
    "parallel": ("parallel", "failover", "name"),
    "k_of_n": ("k_of_n", "of", "mode", "failover", "name"),
    "standby": ("standby", "mode", "switchover", "coverage", "manual_switchover", "revert", "name"),
    "network": ("network", "name"),
}
MODES = ("hot", "warm", "cold")
SHARED, TEMPLATE, COMPONENT = "shared instance", "template", "component type"
#: The most instances a scenario may have: checked before anything is built, so that a
#: mistyped count (``{server: 1e15}``) or templates nested too deep stop at once.
MAX_INSTANCES = 100_000


@dataclass
class Ref:
    """A name used as a block."""

    name: str
    kind: str
    at: At


@dataclass
class Composite:
    """series / parallel / k_of_n / standby as written, members not yet built."""

    kind: str
    members: list
    at: At
    label: str | None = None
    k: int = 1
    demand: str | None = None
    mode: str = "hot"
    failover: Switchover | None = None
    revert: bool = False
    mode_at: At | None = None
    #: where the switchover times were written: key -> (At, value as written)
    switch_at: dict = field(default_factory=dict)


@dataclass
class NetworkNode:
    """A checked network block, expanded into instances by the `Builder`."""

    spec: NetworkSpec
    at: At
    label: str | None = None
    components: Mapping[str, ComponentType] = field(default_factory=dict)


Node = Ref | Composite | NetworkNode


def refs_in(node: Node):
    """Every `Ref` in a syntax tree (not inside the blocks it names)."""
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Composite):
        for m in node.members:
            yield from refs_in(m)


class BlockParser:
    """Checks blocks as written, knowing which names exist and of what kind."""

    def __init__(self, components, templates, shared, demand):
        self.kinds: dict[str, str] = {}
        for names, kind in ((components, COMPONENT), (templates, TEMPLATE), (shared, SHARED)):
            for n in names:
                self.kinds[n] = kind
        self.components = list(components)
        self.component_types = components
        self.demand = demand

    # -- names ---------------------------------------------------------------
    def ref(self, value, at: At) -> Ref:
        name = expect_str(value, at, "a block")
        if name not in self.kinds:
            raise at.error(
                f"undefined block '{name}'; expected a component type, a template from "
                f"'blocks' or a shared instance from 'instances'"
                + (f" (defined: {', '.join(self.kinds)})" if len(self.kinds) <= 12 else ""),
                did_you_mean(name, [*self.kinds, *BLOCK_KEYWORDS]),
            )
        comp = self.component_types.get(name)
        if getattr(comp, "failure_per_km", None) is not None:
            raise at.error(
                f"component type '{name}' fails per km of link (failure: {{per: ...}}); "
                "it can only be a part of a network's links (network: {link: ...})"
            )
        return Ref(name, self.kinds[name], at)

    # -- blocks --------------------------------------------------------------
    def block(self, value, at: At) -> Node:
        """One block (a count ``{T: N}`` is not one block)."""
        nodes = self._block(value, at, counts_allowed=False)
        return nodes[0]

    def members(self, value, at: At, what: str = "a list of blocks") -> list[Node]:
        seq = expect_list(value, at, what)
        out: list[Node] = []
        for i, item in enumerate(seq):
            out.extend(self._block(item, at.item(seq, i), counts_allowed=True))
        return out

    def _block(self, value, at: At, counts_allowed: bool) -> list[Node]:
        if isinstance(value, str):
            return [self.ref(value, at)]
        if not isinstance(value, dict):
            raise at.error(
                f"expected a block (a name or a mapping such as {{series: [...]}}), got {type_name(value)}"
            )
        keywords = [k for k in value if k in BLOCK_KEYWORDS]
        if len(keywords) > 1:
            raise at.key_itself(value, keywords[1]).error(
                f"a block is one of {', '.join(BLOCK_KEYWORDS)}; got both "
                f"'{keywords[0]}' and '{keywords[1]}' (nest them instead)"
            )
        if keywords:
            kind = keywords[0]
            check_keys(value, at, BLOCK_KEYS[kind], what=f"key of a {kind} block")
            return [getattr(self, "_" + kind)(value, at)]
        if value and all(k in self.kinds for k in value):
            if not counts_allowed:
                first = next(iter(value))
                raise at.error(
                    f"a count like {{{first}: {value[first]}}} is allowed only inside "
                    f"a list or 'of:'; wrap it, e.g. {{parallel: [{{{first}: "
                    f"{value[first]}}}]}}"
                )
            return self._counts(value, at)
        for key in value:
            if key not in self.kinds and key not in BLOCK_KEYWORDS:
                raise at.key_itself(value, key).error(
                    f"unknown block key '{key}'; expected one of {', '.join(BLOCK_KEYWORDS)}, "
                    "or a component type / template with a count",
                    did_you_mean(key, [*BLOCK_KEYWORDS, *self.kinds]),
                )
        raise at.error("expected a block such as {series: [...]}, got an empty mapping")

    def _counts(self, value, at: At) -> list[Node]:
        out: list[Node] = []
        for name, count in value.items():
            sub = at.key(value, name)
            ref = self.ref(name, at.key_itself(value, name))
            if ref.kind == SHARED:
                raise sub.error(
                    f"'{name}' is a shared instance, one thing that cannot be "
                    "counted; define it under 'blocks' to get independent copies"
                )
            n = expect_int(count, sub, minimum=1, what="a count")
            if n > MAX_INSTANCES:
                raise sub.error(
                    f"a count of {n:.6g} is more than the {MAX_INSTANCES:,} instances a scenario may have"
                )
            out.extend(Ref(name, ref.kind, ref.at) for _ in range(n))
        return out

    def _label(self, spec, at: At) -> str | None:
        if "name" not in spec:
            return None
        return expect_str(spec["name"], at.key(spec, "name"), "a label")

    def _series(self, spec, at: At) -> Composite:
        members = self.members(spec["series"], at.key(spec, "series"))
        return Composite("series", members, at, self._label(spec, at))

    def _parallel(self, spec, at: At) -> Composite:
        members = self.members(spec["parallel"], at.key(spec, "parallel"))
        failover, places = self._failover(spec, at)
        return Composite("parallel", members, at, self._label(spec, at), failover=failover, switch_at=places)

    def _k_of_n(self, spec, at: At) -> Composite:
        if "of" not in spec:
            raise at.error("missing required key 'of' (the members, e.g. of: {server: 4})")
        of_at = at.key(spec, "of")
        of = spec["of"]
        if isinstance(of, dict) and not any(k in BLOCK_KEYWORDS for k in of):
            members = self._block(of, of_at, counts_allowed=True)
        elif isinstance(of, str):
            members = [self.ref(of, of_at)]
        else:
            members = self.members(of, of_at, "a list of blocks or a count like {server: 4}")
        k_at = at.key(spec, "k_of_n")
        raw_k = spec["k_of_n"]
        demand = None
        if isinstance(raw_k, dict):
            check_keys(raw_k, k_at, ("demand",), required=("demand",))
            demand = expect_name(raw_k["demand"], k_at.key(raw_k, "demand"), self.demand, "demand profile")
            k = self.demand[demand].peak_members
            if k < 1:
                raise k_at.error(
                    f"demand profile '{demand}' never needs a member (peak {self.demand[demand].peak:g})"
                )
            what = f"demand profile '{demand}' peaks at {k}"
        else:
            k = expect_int(raw_k, k_at, minimum=1, what="k (members needed)")
            what = f"k = {k}"
        if k > len(members):
            raise k_at.error(
                f"{what}, more than the {len(members)} member{'s' if len(members) != 1 else ''} in 'of'"
            )
        mode = self._mode(spec, at)
        if demand is not None and mode != "hot":
            raise at.key(spec, "mode").error(
                f"a k_of_n that follows demand profile '{demand}' runs hot (every up member "
                f"carries load); mode {mode} with a demand profile is not simulated",
                "drop `mode`, or give a fixed k",
            )
        failover, places = self._failover(spec, at)
        return Composite(
            "k_of_n",
            members,
            at,
            self._label(spec, at),
            k=k,
            demand=demand,
            mode=mode,
            failover=failover,
            mode_at=at.key(spec, "mode"),
            switch_at=places,
        )

    def _standby(self, spec, at: At) -> Composite:
        members = self.members(spec["standby"], at.key(spec, "standby"))
        switchover, places = self._switchover(spec, at, "switchover")
        revert = expect_bool(spec.get("revert", False), at.key(spec, "revert"))
        return Composite(
            "standby",
            members,
            at,
            self._label(spec, at),
            mode=self._mode(spec, at),
            failover=switchover,
            revert=revert,
            mode_at=at.key(spec, "mode"),
            switch_at=places,
        )

    def _mode(self, spec, at: At) -> str:
        mode = spec.get("mode", "hot")
        if mode not in MODES:
            raise at.key(spec, "mode").error(
                f"unknown mode {mode!r}; expected hot, warm or cold", did_you_mean(mode, MODES)
            )
        return mode

    def _failover(self, spec, at: At) -> tuple[Switchover | None, dict]:
        if "failover" not in spec:
            return None, {}
        sub = at.key(spec, "failover")
        fo = expect_map(spec["failover"], sub, "{switchover: D, coverage: P, manual_switchover: D}")
        check_keys(fo, sub, ("switchover", "coverage", "manual_switchover"), required=("switchover",))
        return self._switchover(fo, sub, "switchover")

    def _switchover(self, spec, at: At, key: str) -> tuple[Switchover | None, dict]:
        """The switchover of a standby or failover, and where its times were written."""
        if key not in spec:
            for other in ("coverage", "manual_switchover"):
                if other in spec:
                    raise at.key_itself(spec, other).error(
                        f"'{other}' needs 'switchover' (the automatic switchover time)"
                    )
            return None, {}
        places = {key: (at.key(spec, key), spec[key])}
        time = parse_distribution(spec[key], at.key(spec, key))
        coverage = 1.0
        if "coverage" in spec:
            cov_at = at.key(spec, "coverage")
            coverage = cov_at.convert(units.percent, spec["coverage"], "coverage")
        manual = None
        if "manual_switchover" in spec:
            places["manual_switchover"] = (at.key(spec, "manual_switchover"), spec["manual_switchover"])
            manual = parse_distribution(spec["manual_switchover"], at.key(spec, "manual_switchover"))
        elif coverage < 1.0:
            raise at.key(spec, "coverage").error(
                f"coverage {spec['coverage']} < 100% needs 'manual_switchover' (the time of the "
                "manual switchover when the automatic one fails)"
            )
        return Switchover(time, coverage, manual), places

    # -- networks ------------------------------------------------------------
    def _network(self, spec, at: At) -> NetworkNode:
        net = parse_network(spec["network"], at.key(spec, "network"), self.component_types)
        return NetworkNode(net, at, self._label(spec, at), self.component_types)


@dataclass
class Builder:
    """Instantiates syntax trees into model blocks, naming every instance."""

    templates: dict[str, Node]
    shared: dict[str, Node]
    components: dict = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    _origin: dict[str, At] = field(default_factory=dict)
    _shared_built: dict[str, tuple] = field(default_factory=dict)
    _checked: set = field(default_factory=set)
    _streams: dict[str, str] = field(default_factory=dict)

    @property
    def shared_used(self) -> set[str]:
        """Names of the shared instances built so far (those the service uses)."""
        return set(self._shared_built)

    def build_service(self, node: Node):
        block, _ = self._scope(node, ("", ""), None, shared=False)
        return block

    def _scope(self, node: Node, scope: tuple[str, str], label_default: str | None, shared: bool):
        """Build `node` as the body of a scope: `scope` is (id, stream key); prefix ``id/``."""
        if isinstance(node, Ref) and scope[0]:
            # A scope whose body is a single name adds no level.
            return self._named(node, scope, shared)
        counts = Counter(r.name for r in refs_in(node) if r.kind != SHARED)
        used: Counter = Counter()
        prefix = tuple(f"{part}/" if part else "" for part in scope)
        block, foreign = self._build(node, prefix, counts, used, shared)
        if label_default and not isinstance(block, Leaf) and getattr(block, "name", None) is None:
            block = dataclasses.replace(block, name=label_default)
        return block, foreign

    def _named(self, ref: Ref, full: tuple[str, str], shared: bool):
        """A component instance or template copy with the (id, stream key) `full`."""
        if ref.kind == COMPONENT:
            self._register(full, ref, shared)
            return Leaf(full[0]), False
        if ref.kind == TEMPLATE:
            return self._scope(self.templates[ref.name], full, full[0], shared)
        return self._shared(ref)

    def _shared(self, ref: Ref):
        if ref.name not in self._shared_built:
            block, _ = self._scope(self.shared[ref.name], (ref.name, ref.name), ref.name, shared=True)
            self._shared_built[ref.name] = block
        return self._shared_built[ref.name], True

    def _build(self, node: Node, prefix: tuple[str, str], counts: Counter, used: Counter, shared: bool):
        """(block, uses a shared instance from outside)."""
        if isinstance(node, Ref):
            if node.kind == SHARED:
                return self._shared(node)
            used[node.name] += 1
            copy = used[node.name]
            local = node.name if counts[node.name] == 1 else f"{node.name}-{copy}"
            stream = node.name if copy == 1 else f"{node.name}-{copy}"
            return self._named(node, (prefix[0] + local, prefix[1] + stream), shared)
        if isinstance(node, NetworkNode):
            return self._network(node, prefix, shared), False
        built = [self._build(m, prefix, counts, used, shared) for m in node.members]
        members = tuple(b for b, _ in built)
        foreign = any(f for _, f in built)
        if node.mode in ("warm", "cold") and foreign:
            raise (node.mode_at or node.at).error(
                f"mode {node.mode} needs members of its own, but a member is (or contains) a "
                "shared instance, which other blocks use too; use mode: hot, or a template"
            )
        if node.failover is not None and id(node) not in self._checked:
            self._checked.add(id(node))  # a template's switchover is checked once, not per copy
            self._check_switchover_times(node, members)
        if node.kind == "series":
            return Series(members, node.label), foreign
        if node.kind == "parallel":
            return KofN(1, members, "hot", node.failover, "parallel", node.label), foreign
        if node.kind == "k_of_n":
            return KofN(
                node.k, members, node.mode, node.failover, "k_of_n", node.label, demand=node.demand
            ), foreign
        return Standby(members, node.mode, node.failover, node.revert, node.label), foreign

    def _check_switchover_times(self, node: Composite, members) -> None:
        """Warn when a switchover takes longer than repairing the member it replaces.

        Repairing is the slowest way back, so a switchover (mean) longer than the mean
        repair time of a member is most likely a unit mistake (``30h`` for ``30s``). A
        member's repair time is the longest mean repair time of its parts.
        """
        if not self.components:
            return
        repair = {}
        for member in members:
            means = [self.components[self.instances[i].component].repair.mean for i in leaves(member)]
            if means and max(means) > 0:
                repair[getattr(member, "name", None) or leaves(member)[0]] = max(means)
        if not repair:
            return
        name, mttr = min(repair.items(), key=lambda kv: kv[1])
        times = {"switchover": node.failover.time, "manual_switchover": node.failover.manual}
        for key, (where, written) in node.switch_at.items():
            mean = times[key].mean
            if mean > mttr:
                number = written[:-1] if isinstance(written, str) and written.endswith("h") else None
                hint = f"; did you mean {number}s or {number}min?" if number else ""
                where.warn(
                    f"{key} {duration_text(mean)} is longer than the mean repair time of member "
                    f"'{name}' ({duration_text(mttr)}){hint}"
                )

    def _network(self, node: NetworkNode, prefix: tuple[str, str], shared: bool):
        """The network's blocks and instances, under the id ``PREFIX + (label or network)``;
        their stream keys are their ids under the scope's stream prefix."""
        block_id = prefix[0] + (node.label or "network")
        try:
            block, instances = expand_network(
                node.spec, block_id, node.components, name=node.label, shared=shared
            )
        except ValueError as exc:
            raise node.at.error(str(exc)) from None
        taken = next((i.id for i in instances if i.id in self.instances), None)
        if taken is not None:
            raise node.at.error(
                f"instance id '{taken}' is already used; give each network in this scope its own 'name:'"
            )
        for inst in instances:
            stream = prefix[1] + inst.id[len(prefix[0]) :]
            self._register((inst.id, stream), Ref(inst.component, COMPONENT, node.at), inst.shared)
            # with its own length-scaled failure, if any
            self.instances[inst.id] = dataclasses.replace(inst, stream=self.instances[inst.id].stream)
        return block

    def _register(self, full: tuple[str, str], ref: Ref, shared: bool) -> None:
        instance_id, stream = full
        if instance_id in self.instances:
            first = self._origin[instance_id]
            raise ref.at.error(
                f"instance id '{instance_id}' would name two instances (the other from "
                f"line {first.line}); rename a component type, template or instance"
            )
        if stream in self._streams:
            other = self._streams[stream]
            raise ref.at.error(
                f"instances '{other}' and '{instance_id}' would share the random streams "
                f"'{stream}' (the first copy of a numbered name draws as the name alone); "
                "rename a component type or template"
            )
        self._streams[stream] = instance_id
        self.instances[instance_id] = Instance(
            instance_id, ref.name, shared, stream=None if stream == instance_id else stream
        )
        self._origin[instance_id] = ref.at


def check_instance_count(templates: dict[str, Node], shared: dict[str, Node], service: Node) -> int:
    """The number of instances the scenario will have, counted before building them.

    Raises a `ScenarioError` at the block where the count first passes
    `MAX_INSTANCES` (template copies multiply: 1000 racks of 1000 servers are 10^6).
    Call after `check_cycles`.
    """
    sizes: dict[str, int] = {}

    def size(node: Node) -> int:
        if isinstance(node, Ref):
            if node.kind == COMPONENT:
                return 1
            if node.kind == SHARED:
                return 0  # built once, counted with the shared instances
            if node.name not in sizes:
                sizes[node.name] = size(templates[node.name])
            return sizes[node.name]
        if not isinstance(node, Composite):
            return 0
        total = 0
        for member in node.members:
            total += size(member)
            if total > MAX_INSTANCES:
                raise member.at.error(
                    f"the block here would have more than {MAX_INSTANCES:,} instances "
                    f"({total:,} so far), the most a scenario may have"
                )
        return total

    total = size(service) + sum(size(body) for body in shared.values())
    if total > MAX_INSTANCES:
        raise service.at.error(
            f"the scenario would have {total:,} instances, more than the {MAX_INSTANCES:,} it may have"
        )
    return total


def check_cycles(templates: dict[str, Node], shared: dict[str, Node]) -> None:
    """A template or shared instance that (indirectly) uses itself is an error."""
    graph = {
        name: [r for r in refs_in(node) if r.kind in (TEMPLATE, SHARED)]
        for name, node in {**templates, **shared}.items()
    }
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1  # the names being visited are exactly those on `path`
        for ref in graph[name]:
            if state.get(ref.name) == 1:
                loop = path[path.index(ref.name) :] + [ref.name]
                raise ref.at.error(f"cycle: {' -> '.join(loop)}; a block cannot contain itself")
            if state.get(ref.name) is None:
                visit(ref.name, path + [ref.name])
        state[name] = 2

    for name in graph:
        if state.get(name) is None:
            visit(name, [name])

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
- a shared instance is built once, so every use is the same `Leaf` ids (a DAG).

Unlabeled template copies and shared instances get their scope id as block `name`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from simulation.model.components import ComponentType
from simulation.model.network import NetworkSpec, expand_network
from simulation.model.structure import Instance, KofN, Leaf, Series, Standby, Switchover
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
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
from simulation.scenario.operations import demand_k

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
        failover = self._failover(spec, at)
        return Composite("parallel", members, at, self._label(spec, at), failover=failover)

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
            k = demand_k(self.demand[demand])
            if k < 1:
                raise k_at.error(
                    f"demand profile '{demand}' never needs a member (peak {self.demand[demand]['peak']:g})"
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
        return Composite(
            "k_of_n",
            members,
            at,
            self._label(spec, at),
            k=k,
            demand=demand,
            mode=mode,
            failover=self._failover(spec, at),
            mode_at=at.key(spec, "mode"),
        )

    def _standby(self, spec, at: At) -> Composite:
        members = self.members(spec["standby"], at.key(spec, "standby"))
        switchover = self._switchover(spec, at, "switchover")
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
        )

    def _mode(self, spec, at: At) -> str:
        mode = spec.get("mode", "hot")
        if mode not in MODES:
            raise at.key(spec, "mode").error(
                f"unknown mode {mode!r}; expected hot, warm or cold", did_you_mean(mode, MODES)
            )
        return mode

    def _failover(self, spec, at: At) -> Switchover | None:
        if "failover" not in spec:
            return None
        sub = at.key(spec, "failover")
        fo = expect_map(spec["failover"], sub, "{switchover: D, coverage: P, manual_switchover: D}")
        check_keys(fo, sub, ("switchover", "coverage", "manual_switchover"), required=("switchover",))
        return self._switchover(fo, sub, "switchover", strict=False)

    def _switchover(self, spec, at: At, key: str, strict: bool = True) -> Switchover | None:
        if key not in spec:
            for other in ("coverage", "manual_switchover"):
                if other in spec:
                    raise at.key_itself(spec, other).error(
                        f"'{other}' needs 'switchover' (the automatic switchover time)"
                    )
            return None
        time = parse_distribution(spec[key], at.key(spec, key))
        coverage = 1.0
        if "coverage" in spec:
            cov_at = at.key(spec, "coverage")
            coverage = cov_at.convert(units.percent, spec["coverage"], "coverage")
        manual = None
        if "manual_switchover" in spec:
            manual = parse_distribution(spec["manual_switchover"], at.key(spec, "manual_switchover"))
        elif coverage < 1.0 and strict:
            raise at.key(spec, "coverage").error(
                f"coverage {spec['coverage']} < 100% needs 'manual_switchover' (the time of the "
                "manual switchover when the automatic one fails)"
            )
        elif coverage < 1.0:
            # the format's own example (docs/scenario-format.md) gives a failover coverage without a manual
            # time, so it must load; the model needs one, and inventing a number would be
            # worse than saying that coverage then changes nothing.
            at.key(spec, "coverage").warn(
                f"coverage {spec['coverage']} without 'manual_switchover': a failed automatic "
                "failover is taken to last as long as the automatic one; give "
                "manual_switchover to model the manual start"
            )
            manual = time
        return Switchover(time, coverage, manual)

    # -- networks ------------------------------------------------------------
    def _network(self, spec, at: At) -> NetworkNode:
        net = parse_network(spec["network"], at.key(spec, "network"), self.component_types)
        return NetworkNode(net, at, self._label(spec, at), self.component_types)


@dataclass
class Builder:
    """Instantiates syntax trees into model blocks, naming every instance."""

    templates: dict[str, Node]
    shared: dict[str, Node]
    instances: dict[str, Instance] = field(default_factory=dict)
    _origin: dict[str, At] = field(default_factory=dict)
    _shared_built: dict[str, tuple] = field(default_factory=dict)

    @property
    def shared_used(self) -> set[str]:
        """Names of the shared instances built so far (those the service uses)."""
        return set(self._shared_built)

    def build_service(self, node: Node):
        block, _ = self._scope(node, "", None, shared=False)
        return block

    def _scope(self, node: Node, scope_id: str, label_default: str | None, shared: bool):
        """Build `node` as the body of a scope (prefix ``scope_id/``)."""
        if isinstance(node, Ref) and scope_id:
            # A scope whose body is a single name adds no level.
            return self._named(node, scope_id, shared)
        counts = Counter(r.name for r in refs_in(node) if r.kind != SHARED)
        used: Counter = Counter()
        prefix = f"{scope_id}/" if scope_id else ""
        block, foreign = self._build(node, prefix, counts, used, shared)
        if label_default and not isinstance(block, Leaf) and getattr(block, "name", None) is None:
            block = dataclasses.replace(block, name=label_default)
        return block, foreign

    def _named(self, ref: Ref, full_id: str, shared: bool):
        """A component instance or template copy with the id `full_id`."""
        if ref.kind == COMPONENT:
            self._register(full_id, ref, shared)
            return Leaf(full_id), False
        if ref.kind == TEMPLATE:
            return self._scope(self.templates[ref.name], full_id, full_id, shared)
        return self._shared(ref)

    def _shared(self, ref: Ref):
        if ref.name not in self._shared_built:
            block, _ = self._scope(self.shared[ref.name], ref.name, ref.name, shared=True)
            self._shared_built[ref.name] = block
        return self._shared_built[ref.name], True

    def _build(self, node: Node, prefix: str, counts: Counter, used: Counter, shared: bool):
        """(block, uses a shared instance from outside)."""
        if isinstance(node, Ref):
            if node.kind == SHARED:
                return self._shared(node)
            used[node.name] += 1
            local = node.name if counts[node.name] == 1 else f"{node.name}-{used[node.name]}"
            return self._named(node, prefix + local, shared)
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
        if node.kind == "series":
            return Series(members, node.label), foreign
        if node.kind == "parallel":
            return KofN(1, members, "hot", node.failover, "parallel", node.label), foreign
        if node.kind == "k_of_n":
            return KofN(
                node.k, members, node.mode, node.failover, "k_of_n", node.label, demand=node.demand
            ), foreign
        return Standby(members, node.mode, node.failover, node.revert, node.label), foreign

    def _network(self, node: NetworkNode, prefix: str, shared: bool):
        """The network's blocks and instances, under the id ``PREFIX + (label or network)``."""
        block_id = prefix + (node.label or "network")
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
            self._register(inst.id, Ref(inst.component, COMPONENT, node.at), inst.shared)
            self.instances[inst.id] = inst  # with its own length-scaled failure, if any
        return block

    def _register(self, instance_id: str, ref: Ref, shared: bool) -> None:
        if instance_id in self.instances:
            first = self._origin[instance_id]
            raise ref.at.error(
                f"instance id '{instance_id}' would name two instances (the other from "
                f"line {first.line}); rename a component type, template or instance"
            )
        self.instances[instance_id] = Instance(instance_id, ref.name, shared)
        self._origin[instance_id] = ref.at


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

"""The structure compiled into event-driven nodes for the SimPy engine.

Each block of the structure becomes a `BlockNode` that holds the block's rule
(`engine.rules`) and the parents to tell when the block changes; a shared instance or
block is one node with several parents (the DAG). Changes are applied by instant, as
the tie rule says: the parts' changes of one instant are collected while SimPy
processes that instant's events, then `Instants.flush` (scheduled after every other
event of the instant) hands each node its members' changes, level by level from the
parts up, and records the changes of the outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import NORMAL

from simulation.engine.crews import CrewPool, SpareShelf, criticality_ranks
from simulation.engine.keys import block_stream_keys
from simulation.engine.maintenance import RollingMaintenance, rolling_groups
from simulation.engine.rules import Change, Rule, controls_members, rule_for, switchover_of
from simulation.engine.sampler import _UNIT, Sampler, SwitchoverDraws
from simulation.engine.steady import STEADY, steady_start
from simulation.engine.streams import (
    FAILURE,
    IDLE_FAILURE,
    LEAD_TIME,
    REPAIR,
    RESPONSE,
    base_key,
    draws,
    stream_keys,
)
from simulation.engine.streams import (
    MAINTENANCE as MAINTENANCE_STREAM,
)
from simulation.engine.support import UnsupportedScenario, check_supported
from simulation.model.demand import demand_steps
from simulation.model.network import network_blocks, site_services
from simulation.model.scenario import Scenario
from simulation.model.shifts import Shifts
from simulation.model.structure import KofN, Standby
from simulation.model.structure import Leaf as LeafBlock
from simulation.model.structure import leaves as leaf_ids
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED, Timeline, demand_cause

#: SimPy priority of the end-of-instant flush: after every NORMAL event of the instant.
FLUSH = NORMAL + 1


class Leaf:
    """One instance: its samplers, its SimPy process and whether it waits as a spare."""

    __slots__ = (
        "index",
        "label",
        "parents",
        "up",
        "draw_failure",
        "draw_repair",
        "draw_idle_failure",
        "controlled",
        "idle_count",
        "process",
        "instants",
        "steady",
        "first",
        "crew",
        "shelf",
        "draw_response",
        "draw_lead_time",
        "rank",
        "jobs",
        "job_rules",
        "draw_job",
    )

    def __init__(self, index: int, label: str, failure: Sampler, repair: Sampler):
        self.index, self.label = index, label
        self.parents: list[tuple[BlockNode | Output, int]] = []
        self.up = True
        self.draw_failure, self.draw_repair = failure, repair
        self.draw_idle_failure: Callable[[], float] = lambda: math.inf
        self.controlled = False
        self.idle_count = 0
        self.process = None
        self.instants: Instants | None = None
        self.steady: tuple[list[bool], list[float]] | None = None  # (starts down, first change) per rep
        self.first: float | None = None  # steady start: hours to the end of the state in progress
        self.crew: CrewPool | None = None  # repairs wait for a technician (engine.crews)
        self.shelf: SpareShelf | None = None  # repairs wait for a spare part
        self.draw_response: Sampler | None = None
        self.draw_lead_time: Sampler | None = None
        self.rank = 0  # queue rank under priority: criticality (engine.crews)
        self.jobs: list[tuple] | None = None  # maintenance (t, duration, kind, rolling)
        self.job_rules: list = []  # the maintenance rules that target the part
        self.draw_job: Sampler | None = None

    def go_down(self, kind: int = UNPLANNED) -> None:
        self.up = False
        self.instants.leaf_changed(self, False, kind)

    def go_up(self) -> None:
        self.up = True
        self.instants.leaf_changed(self, True)

    def set_idle(self, idle: bool) -> None:
        """Enter (True) or leave (False) a waiting period for one controlling group."""
        before = self.idle_count
        self.idle_count += 1 if idle else -1
        if (before == 0) != (self.idle_count == 0) and self.up:
            self.process.interrupt()


class BlockNode:
    """A block: its rule, its members' changes of the current instant, its parents."""

    __slots__ = (
        "label",
        "rule",
        "draw",
        "members",
        "parents",
        "pending",
        "level",
        "member_leaves",
        "token",
        "dirty",
        "redundant",
        "profile",
        "demand_steps",
        "demand",
    )

    def __init__(self, label: str, rule: Rule, draw, members: list, member_leaves):
        self.label, self.rule, self.draw, self.members = label, rule, draw, members
        self.level = 1 + max(getattr(m, "level", 0) for m in members)
        self.parents: list[tuple[BlockNode | Output, int]] = []
        self.pending: list = []
        self.member_leaves: list[list[Leaf]] | None = member_leaves  # warm/cold blocks only
        self.token = 0
        self.dirty = False
        self.redundant = False  # a k-of-n, parallel or standby block (rolling maintenance groups)
        self.profile = None  # the DemandProfile its k follows, or None
        self.demand_steps: tuple[int, tuple] | None = None  # (k at t = 0, ((hours, k), ...))
        self.demand: tuple[int, int] | None = None  # this instant's new (k, cause), for the flush


def member_is_up(member) -> bool:
    """The present state of a member node (a part or a block)."""
    return member.up if isinstance(member, Leaf) else member.rule.up


class Output:
    """Records the outages of one output of the structure (an up of no duration does not
    end one)."""

    __slots__ = (
        "name",
        "source",
        "changes",
        "level",
        "pending",
        "dirty",
        "starts",
        "ends",
        "causes",
        "kinds",
        "down_since",
        "down",
    )

    def __init__(self, name: str, source: Leaf | BlockNode):
        self.name, self.source = name, source
        self.level = 1 + getattr(source, "level", 0)
        source.parents.append((self, 0))
        self.pending, self.dirty = [], False

    def start(self, up: bool, cause: int) -> None:
        """Start a replication in state `up` (if down: since t = 0, because of `cause`)."""
        self.starts, self.ends, self.causes, self.kinds = [], [], [], []
        self.changes: list[Change] = []
        self.down_since, self.down = (None, None) if up else (0.0, (cause, 0))

    def record(self, change: Change) -> None:
        self.changes.append(change)
        if not change.up:
            if self.ends and self.ends[-1] == change.t:  # up for no time: the same outage goes on
                self.down_since, self.down = self.starts.pop(), (self.causes.pop(), self.kinds.pop())
                self.ends.pop()
            else:
                self.down_since, self.down = change.t, (change.cause, change.kind)
        elif self.down_since is not None:
            if change.t > self.down_since:
                self.starts.append(self.down_since)
                self.ends.append(change.t)
                self.causes.append(self.down[0])
                self.kinds.append(self.down[1])
            self.down_since = None

    def timeline(self, horizon_hours: float) -> Timeline:
        if self.down_since is not None and horizon_hours > self.down_since:
            self.starts.append(self.down_since)
            self.ends.append(horizon_hours)
            self.causes.append(self.down[0])
            self.kinds.append(self.down[1])
        return Timeline.from_lists(self.starts, self.ends, self.kinds, self.causes, horizon_hours)


class Instants:
    """Applies the changes of each instant in the order of the tie rule (`engine.rules`)."""

    def __init__(self, n_levels: int):
        self.dirty: list[list] = [[] for _ in range(n_levels)]
        self.env = None
        self.scheduled = False
        #: Called at the end of each flush (rolling maintenance retries waiting jobs).
        self.after_flush: Callable[[], None] | None = None

    def reset(self, env: simpy.Environment) -> None:
        self.env, self.scheduled = env, False

    def _mark(self, node) -> None:
        if not node.dirty:
            node.dirty = True
            self.dirty[node.level].append(node)
        if not self.scheduled:
            self.scheduled = True
            event = simpy.Event(self.env)
            event._ok, event._value = True, None
            event.callbacks.append(self.flush)
            self.env.schedule(event, FLUSH)

    def leaf_changed(self, leaf: Leaf, up: bool, kind: int = UNPLANNED) -> None:
        for parent, pos in leaf.parents:
            parent.pending.append((pos, up, leaf.index, kind))
            self._mark(parent)

    def _watch_switchover(self, node: BlockNode) -> None:
        rule = node.rule
        if rule.switch_token == node.token:
            return
        node.token = token = rule.switch_token
        if rule.switch_end is not None:
            self.env.timeout(rule.switch_duration).callbacks.append(
                lambda _ev: self._mark(node) if node.token == token and rule.switch_end is not None else None
            )

    def flush(self, _event=None) -> None:
        """Hand every node its members' changes of this instant, parts first."""
        self.scheduled = False
        t = self.env.now
        for level in self.dirty:
            while level:
                nodes, level[:] = list(level), []
                for node in nodes:
                    node.dirty = False
                    changes, node.pending = node.pending, []
                    if isinstance(node, Output):
                        for _pos, up, cause, kind in changes:
                            node.record(Change(t, up, cause, kind))
                        continue
                    change = node.rule.instant(t, changes, node.demand)
                    node.demand = None
                    if node.draw is not None:
                        self._watch_switchover(node)
                    if node.member_leaves is not None:
                        for pos, in_use in node.rule.usage:
                            for leaf in node.member_leaves[pos]:
                                leaf.set_idle(not in_use)
                        node.rule.usage.clear()
                    if change is not None:
                        for parent, pos in node.parents:
                            parent.pending.append((pos, change.up, change.cause, change.kind))
                            self._mark(parent)
        if self.after_flush is not None:
            self.after_flush()

    def set_demand(self, node: BlockNode, k: int, cause: int) -> None:
        """From this instant on, `node` needs `k` up members (a demand change)."""
        node.demand = (k, cause)
        self._mark(node)


def initial_cause(up: bool, members: list[tuple[bool, int]]) -> int:
    """The cause of a block that starts down: that of its first member (in member order)
    that starts down; -1 for a block that starts up."""
    return -1 if up else next(cause for member_up, cause in members if not member_up)


class CompiledStructure:
    """All nodes of one scenario's structure, ready to be reset for each replication."""

    def __init__(self, scenario, leaves: list[Leaf], nodes: list[BlockNode], outputs: list[Output]):
        self.scenario, self.leaves, self.nodes, self.outputs = scenario, leaves, nodes, outputs
        self.instants = Instants(1 + max([n.level for n in nodes] + [o.level for o in outputs]))
        for leaf in leaves:
            leaf.instants = self.instants
        self.used = [leaf for leaf in leaves if leaf.parents]  # the parts below the outputs
        self.leaf_ids = [(id(leaf), leaf) for leaf in self.used]
        self.draws = [n.draw for n in nodes if n.draw is not None]
        self.samplers = [
            leaf.draw_idle_failure for leaf in leaves if isinstance(leaf.draw_idle_failure, Sampler)
        ]
        self.samplers += [
            sampler
            for leaf in self.used
            for sampler in (leaf.draw_response, leaf.draw_lead_time, leaf.draw_job)
            if sampler is not None
        ]
        #: The nodes of the service's network blocks (`model.network.network_blocks` order).
        self.networks: list[BlockNode] = []
        #: Per-replication resources (engine.crews), reset at the start of each one.
        self.crews = list({id(leaf.crew): leaf.crew for leaf in self.used if leaf.crew}.values())
        self.shelves = list({id(leaf.shelf): leaf.shelf for leaf in self.used if leaf.shelf}.values())
        #: Blocks whose k follows a demand profile, and the cause index of a demand change.
        self.demand_nodes = [n for n in nodes if n.profile is not None]
        self.demand_cause = demand_cause(len(scenario.instances))
        #: Rolling maintenance (engine.maintenance), or None without a rolling rule.
        self.rolling: RollingMaintenance | None = None
        if any(rule.rolling for rule in scenario.maintenance):
            self.rolling = RollingMaintenance(rolling_groups(self.used))
            self.instants.after_flush = self.rolling.changed

    def prepare(self, reps: np.ndarray, horizon_hours: float) -> None:
        """Compute the stream keys of replications `reps`, and the first draws of every
        instance in bulk (one array operation per component type and purpose)."""
        groups: dict[tuple, list[Leaf]] = {}
        for leaf in self.used:  # by type, and by own failure law (length-scaled parts)
            instance = self.scenario.instances[leaf.label]
            groups.setdefault((instance.component, instance.failure), []).append(leaf)
        for group in groups.values():
            comp = self.scenario.component_of(group[0].label)
            base = np.array([leaf.draw_failure.base for leaf in group], dtype=np.uint64)
            cycles = horizon_hours / (comp.failure.mean + comp.repair.mean)
            first = int(min(32, max(2, math.ceil(cycles + 2.0 * math.sqrt(cycles) + 1.0))))
            for attr, purpose, dist in (
                ("draw_failure", FAILURE, comp.failure),
                ("draw_repair", REPAIR, comp.repair),
            ):
                keys = stream_keys(base, reps, purpose)
                pre = draws(dist, keys[:, :, None], np.arange(first)[None, None, :])[:, :, ::-1].tolist()
                for j, leaf in enumerate(group):
                    getattr(leaf, attr).prepare(keys[:, j], [row[j] for row in pre])
            if self.scenario.run.start == "steady":
                steady = [leaf for leaf in group if not leaf.controlled]  # spares start new
                keys = stream_keys(
                    np.array([leaf.draw_failure.base for leaf in steady], np.uint64), reps, STEADY
                )
                down, first = steady_start(comp, keys)
                for j, leaf in enumerate(steady):
                    leaf.steady = (down[:, j].tolist(), first[:, j].tolist())
        for sampler in [*self.draws, *self.samplers]:
            sampler.prepare_replications(reps)
        if self.scenario.maintenance:
            maintenance_jobs(self.scenario, self.used, horizon_hours)
        for node in self.demand_nodes:
            node.demand_steps = demand_steps(node.profile, self.scenario.calendar, horizon_hours)

    def reset(self, env, pos: int) -> None:
        """Start replication `pos` of the prepared batch: every part new and up, every
        block in the state its rule computes from its members'."""
        self.instants.reset(env)
        for resource in [*self.crews, *self.shelves]:
            resource.reset(env)
        if self.rolling is not None:
            self.rolling.reset(env)
        for leaf in self.used:
            leaf.up, leaf.first = True, None
            leaf.idle_count = 0
            leaf.draw_failure.start(pos)
            leaf.draw_repair.start(pos)
            if leaf.steady is not None:  # the state in progress replaces draw 0 (engine.steady)
                leaf.up, leaf.first = not leaf.steady[0][pos], leaf.steady[1][pos]
                leaf.draw_failure()
                if not leaf.up:
                    leaf.draw_repair()
        for sampler in [*self.draws, *self.samplers]:
            sampler.start(pos)
        state: dict[int, tuple[bool, int]] = {
            leaf_id: (leaf.up, leaf.index) for leaf_id, leaf in self.leaf_ids
        }
        for node in self.nodes:  # members before their blocks
            node.pending, node.dirty, node.token, node.demand = [], False, 0, None
            if node.demand_steps is not None:
                node.rule.k = node.demand_steps[0]
            members = [state[id(m)] for m in node.members]
            up = node.rule.start([m[0] for m in members])
            state[id(node)] = (up, initial_cause(up, members))
            if node.member_leaves is not None:
                for p, in_use in enumerate(node.rule.in_use):
                    if not in_use:
                        for leaf in node.member_leaves[p]:
                            leaf.idle_count += 1
                node.rule.usage.clear()
        for out in self.outputs:
            out.pending, out.dirty = [], False
            out.start(*state[id(out.source)])


def compile_structure(scenario: Scenario, seed: int, sites: bool = False) -> CompiledStructure:
    """Build the node graph of `scenario.service`, with the streams of run `seed`.

    Its first output is the service. With `sites`, one more output per customer site of
    its per-site network blocks (`simulation.model.network.site_services`), over the
    same nodes wherever the structures are the same blocks."""
    check_supported(scenario)
    ids = list(scenario.instances)
    index = {iid: i for i, iid in enumerate(ids)}
    leaves: list[Leaf] = []
    for iid in ids:
        comp = scenario.component_of(iid)
        base = base_key(seed, scenario.instances[iid].stream_key)
        leaves.append(
            Leaf(index[iid], iid, Sampler(comp.failure, base, FAILURE), Sampler(comp.repair, base, REPAIR))
        )
    nodes: list[BlockNode] = []
    built: dict[int, Leaf | BlockNode] = {}
    keys = block_stream_keys(scenario)

    def build(block) -> Leaf | BlockNode:
        key = id(block)
        if key in built:
            return built[key]
        if isinstance(block, LeafBlock):
            node = leaves[index[block.instance]]
        else:
            members = [build(m) for m in block.members]
            switchover = switchover_of(block)
            draw = None if switchover is None else SwitchoverDraws(switchover, base_key(seed, keys[key]))
            member_leaves = None
            if controls_members(block):
                member_leaves = [[leaves[index[i]] for i in leaf_ids(m)] for m in block.members]
                for group in member_leaves:
                    for leaf in group:
                        _make_controlled(leaf, block.mode, scenario.component_of(leaf.label))
            node = BlockNode(block.name or keys[key], rule_for(block, draw), draw, members, member_leaves)
            node.redundant = isinstance(block, (KofN, Standby))
            if getattr(block, "demand", None) is not None:
                node.profile = scenario.demand[block.demand]
            for pos, member in enumerate(members):
                member.parents.append((node, pos))
            nodes.append(node)
        built[key] = node
        return node

    top = build(scenario.service)
    outputs = [Output("service", top)]  # before the jobs: a lone part has a parent
    if sites:
        for site, root in site_services(scenario.service):
            keys.update({k: v for k, v in block_stream_keys(scenario, root).items() if k not in keys})
            outputs.append(Output(site, build(root)))
    _attach_operations(scenario, leaves)
    _attach_maintenance(scenario, leaves)
    structure = CompiledStructure(scenario, leaves, nodes, outputs)
    structure.networks = [built[id(b)] for b in network_blocks(scenario.service)]
    return structure


def _attach_operations(scenario: Scenario, leaves: list[Leaf]) -> None:
    """Give the parts whose type names a crew or a spare pool their shared per-replication
    resource and their own response and lead-time streams (engine.crews)."""
    pools: dict[str, CrewPool] = {}
    shelves: dict[str, SpareShelf] = {}
    ranks = criticality_ranks(scenario)
    for leaf in leaves:
        comp = scenario.component_of(leaf.label)
        base = leaf.draw_failure.base
        if comp.crew is not None:
            crew = scenario.crews[comp.crew]
            if comp.crew not in pools:
                pools[comp.crew] = CrewPool(crew, Shifts(crew.hours, scenario.calendar))
            leaf.crew = pools[comp.crew]
            if crew.response is not None:
                leaf.draw_response = Sampler(crew.response, base, RESPONSE)
            leaf.rank = ranks.get(leaf.label, 0) if crew.priority == "criticality" else 0
        if comp.spares is not None:
            pool = scenario.spares[comp.spares]
            if comp.spares not in shelves:
                shelves[comp.spares] = SpareShelf(pool)
            leaf.shelf = shelves[comp.spares]
            leaf.draw_lead_time = Sampler(pool.lead_time, base, LEAD_TIME)


def _make_controlled(leaf: Leaf, mode: str, comp) -> None:
    """Give `leaf` the idle behaviour of a warm or cold spare."""
    if leaf.controlled:
        return
    leaf.controlled = True
    if mode == "warm":
        leaf.draw_idle_failure = Sampler(
            comp.idle_failure or comp.failure, leaf.draw_failure.base, IDLE_FAILURE
        )


def _attach_maintenance(scenario: Scenario, leaves: list[Leaf]) -> None:
    """Give every part that a maintenance rule targets (by component type or instance id)
    its rules and its own stream of job durations (purpose MAINTENANCE: job j of the part
    uses draw j); `maintenance_jobs` lays out the jobs for a horizon."""
    for leaf in leaves:
        leaf.job_rules = list(scenario.maintenance_of(leaf.label))
        if not leaf.job_rules or not leaf.parents:
            continue
        if leaf.controlled:
            raise UnsupportedScenario(
                f"maintenance of {leaf.label!r}, a warm or cold spare, is not simulated by this version"
            )
        leaf.draw_job = Sampler(_UNIT, leaf.draw_failure.base, MAINTENANCE_STREAM)


def maintenance_jobs(scenario: Scenario, leaves: list[Leaf], horizon_hours: float) -> None:
    """Set each maintained part's jobs that start before `horizon_hours`, sorted by start:
    (start hours, the rule's duration, Timeline kind, rolling)."""
    from simulation.model.maintenance import job_starts

    starts = {id(rule): job_starts(rule, scenario.calendar, horizon_hours) for rule in scenario.maintenance}
    for leaf in leaves:
        if leaf.draw_job is None:
            continue
        jobs = []
        for rule in leaf.job_rules:
            kind = ANNOUNCED_MAINTENANCE if rule.announced else MAINTENANCE
            jobs += [(float(t), rule.duration, kind, rule.rolling) for t in starts[id(rule)]]
        leaf.jobs = sorted(jobs, key=lambda job: job[0])

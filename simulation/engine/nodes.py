"""The structure compiled into event-driven nodes for the SimPy engine.

Each block of the structure becomes a node that knows its members' states and tells
its parents when its own state changes, so a leaf event costs O(depth). A shared
instance or block is one node with several parents (the DAG). Switchover rules:

- Hot `KofN` with `failover`: every member is in use. When a member fails and at least
  k members are still up, the block is down for a switchover (a new one restarts any
  switchover in progress).
- `Standby` and warm/cold `KofN` (`SlotNode`): k members are in use (one for standby),
  at first the first k. When a member in use fails, the first up waiting member in list
  order takes its place, and the block is down during the switchover. If none is up,
  the place stays vacant (any switchover in progress is cancelled) and the block is down
  until a member is repaired, which then goes into use at once. With `revert`, member 0
  takes over again when it is repaired, at the cost of a switchover.
- A switchover lasts `time` with probability `coverage`, else `manual`.

The cause of a system outage is the instance whose failure (or whose repair, for a
revert switchover) triggered it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from simulation.engine.streams import (
    COVERAGE,
    FAILURE,
    IDLE_FAILURE,
    MANUAL,
    REPAIR,
    SWITCHOVER,
    base_key,
    draws,
    single_stream_keys,
    stream_keys,
)
from simulation.engine.support import check_supported
from simulation.engine.timeline import UNPLANNED, Timeline
from simulation.model.distributions import Distribution, Uniform
from simulation.model.scenario import Scenario
from simulation.model.structure import KofN, Series, Standby, Switchover, block_keys
from simulation.model.structure import Leaf as LeafBlock
from simulation.model.structure import leaves as leaf_ids

#: Draws past the prefilled ones are computed in chunks of this many values.
CHUNK = 16

_UNIT = Uniform(0.0, 1.0)


class Sampler:
    """Draws of one stream (an instance's failures, a block's switchovers, ...).

    `prepare` sets the stream keys of a batch of replications (and optionally the first
    draws of each, computed in bulk); `start` selects one replication. A call returns
    the stream's next draw, so draw j of replication r is always the same number.
    """

    __slots__ = ("dist", "base", "purpose", "keys", "prefill", "key", "next_index", "buf")

    def __init__(self, dist: Distribution, base: int, purpose: int):
        self.dist, self.base, self.purpose = dist, base, purpose
        self.keys = self.prefill = None
        self.key, self.next_index, self.buf = None, 0, []

    def prepare(self, keys: np.ndarray, prefill: list[list[float]] | None = None) -> None:
        self.keys, self.prefill = keys, prefill

    def prepare_replications(self, reps: np.ndarray) -> None:
        """`prepare` with this stream's own keys for replications `reps`, nothing prefilled."""
        self.prepare(single_stream_keys(self.base, reps, self.purpose))

    def start(self, pos: int) -> None:
        """Select replication `pos` of the prepared batch."""
        self.key = self.keys[pos]
        if self.prefill is None:
            self.buf, self.next_index = [], 0
        else:
            self.buf = self.prefill[pos]  # reversed: pop() gives draw 0 first
            self.next_index = len(self.buf)

    def __call__(self) -> float:
        buf = self.buf
        if not buf:
            j = self.next_index
            buf.extend(draws(self.dist, self.key, np.arange(j, j + CHUNK))[::-1].tolist())
            self.next_index = j + CHUNK
        return buf.pop()


class Node:
    """A block's node: current state and the parents to tell when it changes."""

    __slots__ = ("parents", "up", "label")

    def __init__(self, label: str):
        self.parents: list[tuple[Node, int]] = []
        self.up = True
        self.label = label

    def reset(self, env) -> None:
        self.up = True

    def tell_parents(self, t: float, cause: int) -> None:
        for parent, pos in self.parents:
            parent.member_changed(pos, self.up, t, cause)

    def member_changed(self, pos: int, up: bool, t: float, cause: int) -> None:
        raise NotImplementedError


class Leaf(Node):
    """One instance: its samplers, its SimPy process and whether it waits as a spare."""

    __slots__ = (
        "index",
        "draw_failure",
        "draw_repair",
        "draw_idle_failure",
        "controlled",
        "idle_count",
        "initial_idle",
        "in_transition",
        "process",
    )

    def __init__(self, index: int, label: str, failure: Sampler, repair: Sampler):
        super().__init__(label)
        self.index = index
        self.draw_failure, self.draw_repair = failure, repair
        self.draw_idle_failure: Callable[[], float] = lambda: math.inf
        self.controlled = False
        self.idle_count = self.initial_idle = 0
        self.in_transition = False
        self.process = None

    def reset(self, env) -> None:
        self.up = True
        self.idle_count = self.initial_idle
        self.in_transition = False

    def go_down(self, t: float) -> None:
        self.up = False
        self.in_transition = True
        self.tell_parents(t, self.index)
        self.in_transition = False

    def go_up(self, t: float) -> None:
        self.up = True
        self.in_transition = True
        self.tell_parents(t, self.index)
        self.in_transition = False

    def set_idle(self, idle: bool) -> None:
        """Enter (True) or leave (False) a waiting period for one controlling group."""
        before = self.idle_count
        self.idle_count += 1 if idle else -1
        if (before == 0) != (self.idle_count == 0) and self.up and not self.in_transition:
            self.process.interrupt()


class CountNode(Node):
    """Series (k = n) and hot k-of-n without failover: up while k members are up."""

    __slots__ = ("k", "n", "n_up")

    def __init__(self, label: str, k: int, n: int):
        super().__init__(label)
        self.k, self.n, self.n_up = k, n, n

    def reset(self, env) -> None:
        self.up, self.n_up = True, self.n

    def member_changed(self, pos, up, t, cause):
        self.n_up += 1 if up else -1
        now_up = self.n_up >= self.k
        if now_up != self.up:
            self.up = now_up
            self.tell_parents(t, cause)


class SwitchingNode(Node):
    """A node that can be down for a switchover (`Switchover`).

    Switchover k of a replication uses draw k of the block's automatic-time, coverage
    and manual-time streams (all three, whichever is used).
    """

    __slots__ = ("env", "switchover", "draw_time", "draw_coverage", "draw_manual", "switching", "token")

    def __init__(self, label: str, switchover: Switchover | None, base: int):
        super().__init__(label)
        self.switchover = switchover
        self.draw_time = self.draw_coverage = self.draw_manual = None
        if switchover is not None:
            self.draw_time = Sampler(switchover.time, base, SWITCHOVER)
            self.draw_coverage = Sampler(_UNIT, base, COVERAGE)
            if switchover.manual is not None:
                self.draw_manual = Sampler(switchover.manual, base, MANUAL)
        self.switching = False
        self.token = 0
        self.env = None

    def samplers(self) -> list[Sampler]:
        return [x for x in (self.draw_time, self.draw_coverage, self.draw_manual) if x is not None]

    def reset(self, env) -> None:
        self.up, self.switching, self.env = True, False, env

    def draw_switchover(self) -> float:
        """The next switchover's duration: automatic, or manual when it fails (hours)."""
        duration = self.draw_time()
        works = self.draw_coverage() < self.switchover.coverage
        if self.draw_manual is not None:
            manual = self.draw_manual()
            if not works:
                duration = manual
        return duration

    def start_switchover(self, cause: int) -> None:
        """Begin (or restart) a switchover; the block is down until it ends."""
        so = self.switchover
        if so is None:
            return
        self.token += 1
        duration = self.draw_switchover()
        self.switching = True
        token = self.token
        self.env.timeout(duration).callbacks.append(lambda _ev: self._end_switchover(token, cause))

    def cancel_switchover(self) -> None:
        self.token += 1
        self.switching = False

    def _end_switchover(self, token: int, cause: int) -> None:
        if token == self.token:
            self.switching = False
            self.update(self.env.now, cause)

    def update(self, t: float, cause: int) -> None:
        now_up = self.is_up()
        if now_up != self.up:
            self.up = now_up
            self.tell_parents(t, cause)


class FailoverNode(SwitchingNode):
    """Hot k-of-n (or parallel) with `failover`: every member is in use."""

    __slots__ = ("k", "n", "n_up")

    def __init__(self, label, k, n, switchover, base):
        super().__init__(label, switchover, base)
        self.k, self.n, self.n_up = k, n, n

    def reset(self, env) -> None:
        super().reset(env)
        self.n_up = self.n

    def is_up(self) -> bool:
        return self.n_up >= self.k and not self.switching

    def member_changed(self, pos, up, t, cause):
        if up:
            self.n_up += 1
        else:
            self.n_up -= 1
            if self.n_up >= self.k:
                self.start_switchover(cause)
        self.update(t, cause)


class SlotNode(SwitchingNode):
    """Standby (k = 1) and warm/cold k-of-n: k members in use, the others wait."""

    __slots__ = ("k", "n", "in_use", "n_in_use", "member_up", "revert", "member_leaves", "controls")

    def __init__(self, label, k, n, switchover, base, revert, member_leaves, controls):
        super().__init__(label, switchover, base)
        self.k, self.n, self.revert = k, n, revert
        self.member_leaves: list[list[Leaf]] = member_leaves
        self.controls = controls  # warm/cold: waiting members' parts are idle

    def reset(self, env) -> None:
        super().reset(env)
        self.in_use = [i < self.k for i in range(self.n)]
        self.n_in_use = self.k
        self.member_up = [True] * self.n

    def initial_idle_leaves(self) -> list[Leaf]:
        return (
            [leaf for pos in range(self.k, self.n) for leaf in self.member_leaves[pos]]
            if self.controls
            else []
        )

    def is_up(self) -> bool:
        return self.n_in_use == self.k and not self.switching

    def _use(self, pos: int, in_use: bool) -> None:
        self.in_use[pos] = in_use
        self.n_in_use += 1 if in_use else -1
        if self.controls:
            for leaf in self.member_leaves[pos]:
                leaf.set_idle(not in_use)

    def member_changed(self, pos, up, t, cause):
        self.member_up[pos] = up
        if not up:
            if self.in_use[pos]:
                self._use(pos, False)
                for j in range(self.n):
                    if self.member_up[j] and not self.in_use[j]:
                        self._use(j, True)
                        self.start_switchover(cause)
                        break
                else:
                    self.cancel_switchover()
        elif self.n_in_use < self.k:
            self._use(pos, True)
        elif self.revert and pos == 0 and not self.in_use[0]:
            serving = self.in_use.index(True)
            self._use(serving, False)
            self._use(0, True)
            self.start_switchover(cause)
        self.update(t, cause)


class Root(Node):
    """Records the system's outages (an up of no duration does not end one)."""

    __slots__ = ("starts", "ends", "causes", "down_since", "down_cause")

    def __init__(self):
        super().__init__("<root>")

    def reset(self, env) -> None:
        self.starts, self.ends, self.causes = [], [], []
        self.down_since = None

    def member_changed(self, pos, up, t, cause):
        if not up:
            if self.ends and self.ends[-1] == t:  # up for no time: the same outage goes on
                self.down_since, self.down_cause = self.starts.pop(), self.causes.pop()
                self.ends.pop()
            else:
                self.down_since, self.down_cause = t, cause
        elif self.down_since is not None:
            if t > self.down_since:
                self.starts.append(self.down_since)
                self.ends.append(t)
                self.causes.append(self.down_cause)
            self.down_since = None

    def timeline(self, horizon_hours: float) -> Timeline:
        if self.down_since is not None and horizon_hours > self.down_since:
            self.starts.append(self.down_since)
            self.ends.append(horizon_hours)
            self.causes.append(self.down_cause)
        n = len(self.starts)
        return Timeline.from_lists(self.starts, self.ends, [UNPLANNED] * n, self.causes, horizon_hours)


class CompiledStructure:
    """All nodes of one scenario's structure, ready to be reset for each replication."""

    def __init__(self, scenario: Scenario, leaves: list[Leaf], nodes: list[Node], root: Root):
        self.scenario, self.leaves, self.nodes, self.root = scenario, leaves, nodes, root
        self.samplers = [s for n in nodes if isinstance(n, SwitchingNode) for s in n.samplers()]
        self.samplers += [
            leaf.draw_idle_failure for leaf in leaves if isinstance(leaf.draw_idle_failure, Sampler)
        ]

    def prepare(self, reps: np.ndarray, horizon_hours: float) -> None:
        """Compute the stream keys of replications `reps`, and the first draws of every
        instance in bulk (one array operation per component type and purpose)."""
        groups: dict[str, list[Leaf]] = {}
        for leaf in self.leaves:
            groups.setdefault(self.scenario.instances[leaf.label].component, []).append(leaf)
        for comp_name, group in groups.items():
            comp = self.scenario.components[comp_name]
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
        for sampler in self.samplers:
            sampler.prepare_replications(reps)

    def reset(self, env, pos: int) -> None:
        """Start replication `pos` of the prepared batch."""
        for node in self.nodes:
            node.reset(env)
        self.root.reset(env)
        for leaf in self.leaves:
            leaf.draw_failure.start(pos)
            leaf.draw_repair.start(pos)
        for sampler in self.samplers:
            sampler.start(pos)


def compile_structure(scenario: Scenario, seed: int) -> CompiledStructure:
    """Build the node graph of `scenario.service`, with the streams of run `seed`."""
    check_supported(scenario)
    ids = list(scenario.instances)
    index = {iid: i for i, iid in enumerate(ids)}
    leaves: list[Leaf] = []
    for iid in ids:
        comp = scenario.component_of(iid)
        base = base_key(seed, iid)
        leaves.append(
            Leaf(index[iid], iid, Sampler(comp.failure, base, FAILURE), Sampler(comp.repair, base, REPAIR))
        )
    nodes: list[Node] = list(leaves)
    built: dict[int, Node] = {}
    keys = block_keys(scenario.service)

    def build(block) -> Node:
        key = id(block)
        if key in built:
            return built[key]
        if isinstance(block, LeafBlock):
            node = leaves[index[block.instance]]
        else:
            members = [build(m) for m in block.members]
            label = block.name or keys[key]
            n = len(members)
            if isinstance(block, Series):
                node = CountNode(label, n, n)
            elif isinstance(block, KofN) and block.mode == "hot" and block.failover is None:
                node = CountNode(label, block.k, n)
            elif isinstance(block, KofN) and block.mode == "hot":
                node = FailoverNode(label, block.k, n, block.failover, base_key(seed, keys[key]))
            else:
                k, switchover, revert = (
                    (1, block.switchover, block.revert)
                    if isinstance(block, Standby)
                    else (block.k, block.failover, False)
                )
                controls = block.mode != "hot"
                member_leaves = [[leaves[index[i]] for i in leaf_ids(m)] for m in block.members]
                node = SlotNode(
                    label, k, n, switchover, base_key(seed, keys[key]), revert, member_leaves, controls
                )
                if controls:
                    for group in member_leaves:
                        for leaf in group:
                            _make_controlled(leaf, block.mode, scenario.component_of(leaf.label))
                for leaf in node.initial_idle_leaves():
                    leaf.initial_idle += 1
            for pos, member in enumerate(members):
                member.parents.append((node, pos))
            nodes.append(node)
        built[key] = node
        return node

    top = build(scenario.service)
    root = Root()
    top.parents.append((root, 0))
    return CompiledStructure(scenario, leaves, nodes, root)


def _make_controlled(leaf: Leaf, mode: str, comp) -> None:
    """Give `leaf` the idle behaviour of a warm or cold spare."""
    if leaf.controlled:
        return
    leaf.controlled = True
    if mode == "warm":
        leaf.draw_idle_failure = Sampler(
            comp.idle_failure or comp.failure, leaf.draw_failure.base, IDLE_FAILURE
        )

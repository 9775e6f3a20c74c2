"""The block rules: one pure state machine per kind of block, shared by both engines.

A block's state follows from its members' changes. Each rule here is a small state
machine that takes the changes of its members at one instant and emits the block's
own change, if any; it computes its initial state from its members' initial states
(nothing is assumed up). The SimPy engine (`engine.nodes`) drives the machines online;
the fast engine (`engine.fast`) drives the switching machines over sorted event arrays
and evaluates count blocks with the vectorised equivalent of `CountRule`.

The tie rule (docs/scenario-format.md, "Events at the same instant"): the changes of
one instant are applied as a batch, level by level from the parts up. A block takes
the changes of its members at that instant in this order: a switchover that ends then,
then the members that go down, then the members that come up, each in member order.
A block judges its state after the whole batch, and tells its parents only a net
change; the cause of its change is that of the member change that last flipped its
state in the batch (a switchover's end carries the cause of the switchover).

A network block's rule (`NetworkRule`) judges its state by a graph search for the set of
members down, cached per block (`Connectivity`), so each down-set is searched once.

`rule_for` is the one place that maps a kind of block to its rule.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import singledispatch

import numpy as np

from simulation.model.network import access_links, source_node
from simulation.model.structure import KofN, Network, Series, Standby, Switchover
from simulation.model.timeline import UNPLANNED


@dataclass(frozen=True, slots=True)
class Change:
    """A change of state of an instance or block.

    Attributes
    ----------
    t : float
        Hours from the start of the run.
    up : bool
        The new state.
    cause : int
        Index of the instance whose change caused this one.
    kind : int
        Outage kind of a change to down (`model.timeline` kinds: unplanned,
        announced maintenance, maintenance).
    """

    t: float
    up: bool
    cause: int
    kind: int = UNPLANNED


#: A member change as the rules take it: (member position, up, cause, kind).
MemberChange = tuple[int, bool, int, int]


def tie_order(changes: list[MemberChange]) -> list[MemberChange]:
    """The changes of one instant in the order of the tie rule: downs first, then ups,
    each in member order. `changes` come in each member's own order; a member that comes
    up and goes down again within the instant (a repair that ends as a maintenance job
    starts) was never up: that pair is dropped, so the member stays down."""
    if len({c[0] for c in changes}) < len(changes):
        kept: list[MemberChange] = []
        for change in changes:
            last = next((k for k in reversed(range(len(kept))) if kept[k][0] == change[0]), None)
            if last is not None and kept[last][1] and not change[1]:
                del kept[last]
            else:
                kept.append(change)
        changes = kept
    return sorted(changes, key=lambda c: (c[1], c[0]))


class Rule:
    """The state machine of one block (see the module docstring)."""

    __slots__ = ("up",)

    #: Outstanding switchover end (hours), for the driver to wake the rule; None if none.
    switch_end: float | None = None

    def start(self, members_up: Sequence[bool]) -> bool:
        """Reset to the initial state given the members' initial states; returns it."""
        raise NotImplementedError

    def _member(self, t: float, pos: int, up: bool, cause: int, kind: int) -> None:
        raise NotImplementedError

    def _is_up(self) -> bool:
        raise NotImplementedError

    def _end_switchover(self) -> tuple[int, int] | None:
        """End the switchover due at or before this instant; its (cause, kind), or None."""
        return None

    def instant(
        self, t: float, changes: list[MemberChange], demand: tuple[int, int] | None = None
    ) -> Change | None:
        """Apply the member changes of instant `t` (any order); the block's net change.

        `demand`, for a block whose k follows a demand profile, is ``(k, cause)``: the
        members needed from `t` on, applied after a switchover that ends at `t` and
        before the member changes, with `cause` (the run's demand cause index,
        `model.timeline.demand_cause`) as the cause should it flip the block.
        """
        was = self.up
        flip: tuple[int, int] | None = None
        ended = self._end_switchover() if self.switch_end is not None and self.switch_end <= t else None
        if ended is not None:
            flip = self._judge(ended, flip)
        if demand is not None:
            self.k = demand[0]
            flip = self._judge((demand[1], UNPLANNED), flip)
        for pos, up, cause, kind in tie_order(changes) if len(changes) > 1 else changes:
            self._member(t, pos, up, cause, kind)
            flip = self._judge((cause, kind), flip)
        if self.up == was:
            return None
        return Change(t, self.up, *flip)

    def up_without(self, pos: int, member_up: bool) -> bool:
        """True when the block is up and would stay up were member `pos` (now up or
        not, `member_up`) to go down: what a rolling maintenance job asks before it
        starts (`engine.maintenance`)."""
        raise NotImplementedError

    def _judge(self, why: tuple[int, int], flip):
        now = self._is_up()
        if now != self.up:
            self.up = now
            return why
        return flip


class CountRule(Rule):
    """Series (k = n) and hot k-of-n without failover: up while at least k members are up.

    `k` may change in time (a demand profile, `Rule.instant`); k = 0 is up whatever the
    members are.
    """

    __slots__ = ("k", "n_up")

    def __init__(self, k: int):
        self.k = k

    def start(self, members_up):
        self.n_up = sum(members_up)
        self.up = self.n_up >= self.k
        return self.up

    def _member(self, t, pos, up, cause, kind):
        self.n_up += 1 if up else -1

    def _is_up(self):
        return self.n_up >= self.k

    def up_without(self, pos, member_up):
        return self.up and self.n_up - member_up >= self.k


class SwitchingRule(Rule):
    """A rule whose block can be down for a switchover.

    A switchover of no duration is no switchover (the block is not down for it).
    `switch_token` changes whenever a switchover starts or is cancelled, so an online
    driver can tell a stale wake-up from a due one.
    """

    __slots__ = ("draw", "switch_end", "switch_duration", "switch_cause", "switch_token")

    def __init__(self, draw: Callable[[], float] | None):
        self.draw = draw
        self.switch_token = 0

    def _reset_switchover(self) -> None:
        self.switch_end = self.switch_duration = None
        self.switch_cause = None

    def _start_switchover(self, t: float, cause: int, kind: int) -> None:
        """Begin (or restart) a switchover; the block is down until it ends."""
        if self.draw is None:
            return
        self.switch_token += 1
        duration = self.draw()
        if duration > 0:
            self.switch_end, self.switch_duration = t + duration, duration
            self.switch_cause = (cause, kind)
        else:
            self.switch_end = None

    def _cancel_switchover(self) -> None:
        if self.switch_end is not None:
            self.switch_token += 1
            self.switch_end = None

    def _end_switchover(self):
        self.switch_end = None
        return self.switch_cause


class FailoverRule(SwitchingRule):
    """Hot k-of-n (or parallel) with `failover`: every member is in use. When a member
    fails and at least k members are still up, the block is down for a switchover (a
    new one restarts any switchover in progress)."""

    __slots__ = ("k", "n_up")

    def __init__(self, k: int, draw):
        super().__init__(draw)
        self.k = k

    def start(self, members_up):
        self._reset_switchover()
        self.n_up = sum(members_up)
        self.up = self.n_up >= self.k
        return self.up

    def _member(self, t, pos, up, cause, kind):
        if up:
            self.n_up += 1
        else:
            self.n_up -= 1
            if self.n_up >= self.k:
                self._start_switchover(t, cause, kind)

    def _is_up(self):
        return self.n_up >= self.k and self.switch_end is None

    def up_without(self, pos, member_up):
        return self.up and self.n_up - member_up >= self.k


class SlotRule(SwitchingRule):
    """Standby (k = 1) and warm/cold k-of-n: k members are in use, the others wait.

    At first the first k up members are in use. When a member in use fails, the first
    up waiting member in list order takes its place, and the block is down during the
    switchover. If none is up, the place stays vacant (any switchover in progress is
    cancelled) and the block is down until a member is repaired, which then goes into
    use at once. With `revert`, member 0 takes over again when it is repaired, at the
    cost of a switchover. Every change of use is recorded in `usage` as ``(member,
    in_use)`` for the driver (warm and cold spares age differently while waiting).
    """

    __slots__ = ("k", "n", "revert", "in_use", "n_in_use", "member_up", "usage")

    def __init__(self, k: int, n: int, revert: bool, draw):
        super().__init__(draw)
        self.k, self.n, self.revert = k, n, revert
        self.usage: list[tuple[int, bool]] = []

    def start(self, members_up):
        self._reset_switchover()
        self.member_up = list(members_up)
        self.in_use = [False] * self.n
        self.n_in_use = 0
        for pos, up in enumerate(self.member_up):
            if up and self.n_in_use < self.k:
                self.in_use[pos] = True
                self.n_in_use += 1
        self.usage = []
        self.up = self.n_in_use == self.k
        return self.up

    def _use(self, pos: int, in_use: bool) -> None:
        self.in_use[pos] = in_use
        self.n_in_use += 1 if in_use else -1
        self.usage.append((pos, in_use))

    def _member(self, t, pos, up, cause, kind):
        self.member_up[pos] = up
        if not up:
            if self.in_use[pos]:
                self._use(pos, False)
                for j in range(self.n):
                    if self.member_up[j] and not self.in_use[j]:
                        self._use(j, True)
                        self._start_switchover(t, cause, kind)
                        break
                else:
                    self._cancel_switchover()
        elif self.n_in_use < self.k:
            self._use(pos, True)
        elif self.revert and pos == 0 and not self.in_use[0]:
            self._use(self.in_use.index(True), False)
            self._use(0, True)
            self._start_switchover(t, cause, kind)

    def _is_up(self):
        return self.n_in_use == self.k and self.switch_end is None

    def up_without(self, pos, member_up):
        return self.up and sum(self.member_up) - self.member_up[pos] >= self.k


#: `NetworkRule.state` values: up, down for want of any up path, down for want of a
#: path within the latency bound while a longer one is up.
CONNECTED, DISCONNECTED, TOO_SLOW = 0, 1, 2


class Connectivity:
    """The structure function of a network block, cached by the set of down members.

    A down-set is a bit mask over the block's members (bit i: ``members[i]`` is down).
    `state(mask)` is `CONNECTED` while an up path joins the source to any target
    (``need: any``) or to every target (``need: all``), a path counting only with its
    end nodes, inner nodes and links up and, with ``max_latency``, only when its summed
    link latency (`simulation.model.network.Link.total_latency_hours`) is within the
    bound; else `DISCONNECTED` when no up path joins them at all, or `TOO_SLOW` when
    only longer ones do. Each down-set is evaluated once (a breadth-first search, and
    with a bound Dijkstra's algorithm) and its answer kept in `cache`; `hits` and
    `misses` count the look-ups.

    Parameters
    ----------
    block : Network
        As `simulation.model.network.expand_network` builds it.
    source : str or None
        The node the service is reached from (default: the block's `Network.site`).
    """

    def __init__(self, block: Network, source: str | None = None):
        spec = block.spec
        if source is not None and source != block.site:
            block = block.seen_from(source)
        lines = access_links(block)
        nodes = list(spec.graph.nodes) + list(dict.fromkeys(a for a, _, _ in lines))
        at = {n: i for i, n in enumerate(nodes)}
        self.node_bit = [0] * len(nodes)
        link_bit: dict[frozenset, int] = {}
        for pos, element in enumerate(block.elements):
            if isinstance(element, tuple):
                link_bit[frozenset(element)] = 1 << pos
            else:
                self.node_bit[at[element]] = 1 << pos
        self.adj: list[list[tuple[int, int, float]]] = [[] for _ in nodes]
        ends = [(link.a, link.b, link.total_latency_hours) for link in spec.graph.links]
        for a, b, lat in [*ends, *lines]:
            bit = link_bit.get(frozenset((a, b)), 0)
            self.adj[at[a]].append((at[b], bit, lat))
            self.adj[at[b]].append((at[a], bit, lat))
        self.source = at[source_node(block)]
        self.targets = [at[t] for t in spec.targets]
        self.need_all = spec.need == "all"
        self.bound = spec.max_latency_hours
        self.cache: dict[int, int] = {}
        self.hits = self.misses = 0

    def state(self, down: int) -> int:
        """`CONNECTED`, `DISCONNECTED` or `TOO_SLOW` for down-set `down` (a bit mask)."""
        answer = self.cache.get(down)
        if answer is not None:
            self.hits += 1
            return answer
        self.misses += 1
        answer = self._evaluate(down)
        self.cache[down] = answer
        return answer

    def _joined(self, reached) -> bool:
        found = [t in reached for t in self.targets]
        return all(found) if self.need_all else any(found)

    def _evaluate(self, down: int) -> int:
        s = self.source
        if self.node_bit[s] & down:
            return DISCONNECTED
        reached = {s}
        stack = [s]
        while stack:
            u = stack.pop()
            for v, bit, _lat in self.adj[u]:
                if v not in reached and not (bit | self.node_bit[v]) & down:
                    reached.add(v)
                    stack.append(v)
        if not self._joined(reached):
            return DISCONNECTED
        if self.bound is None:
            return CONNECTED
        dist = {s: 0.0}
        heap = [(0.0, s)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, bit, lat in self.adj[u]:
                nd = d + lat
                if nd <= self.bound and nd < dist.get(v, math.inf) and not (bit | self.node_bit[v]) & down:
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v))
        return CONNECTED if self._joined(dist) else TOO_SLOW

    def states(self, down: np.ndarray, unique: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """`state` of each down-set of an int64 array of masks (members < 63), as int8;
        each distinct mask is looked up once (a hit when already cached). `unique`, when
        given, is ``numpy.unique(down, return_inverse=True)`` already computed."""
        masks, inverse = np.unique(down, return_inverse=True) if unique is None else unique
        out = np.fromiter((self.state(int(m)) for m in masks), np.int8, masks.size)
        self.hits += down.size - masks.size
        return out[inverse.reshape(down.shape)]


@functools.lru_cache(maxsize=64)
def connectivity_of(block: Network, source: str | None = None) -> Connectivity:
    """The one `Connectivity` of a network block (and source) in this process, so that
    its cache serves every replication and both engines."""
    return Connectivity(block, source)


class NetworkRule(Rule):
    """A network block: up while its `Connectivity` answer for the members down is
    `CONNECTED`; `state` keeps the last answer (why the block is down), and `hours` the
    hours spent in each state (indexed by state) up to the last instant, `since`."""

    __slots__ = ("connectivity", "down", "state", "since", "hours")

    def __init__(self, connectivity: Connectivity):
        self.connectivity = connectivity

    def start(self, members_up):
        self.down = sum(1 << pos for pos, up in enumerate(members_up) if not up)
        self.state = self.connectivity.state(self.down)
        self.up = self.state == CONNECTED
        self.since, self.hours = 0.0, [0.0, 0.0, 0.0]
        return self.up

    def instant(self, t, changes, demand=None):
        self.hours[self.state] += t - self.since
        self.since = t
        return super().instant(t, changes, demand)

    def hours_until(self, horizon: float) -> tuple[float, float]:
        """Hours `DISCONNECTED` and `TOO_SLOW` from the start to `horizon` (after the
        last instant)."""
        hours = list(self.hours)
        hours[self.state] += horizon - self.since
        return hours[DISCONNECTED], hours[TOO_SLOW]

    def _member(self, t, pos, up, cause, kind):
        if up:
            self.down &= ~(1 << pos)
        else:
            self.down |= 1 << pos

    def _is_up(self):
        self.state = self.connectivity.state(self.down)
        return self.state == CONNECTED


@singledispatch
def rule_for(block, draw: Callable[[], float] | None = None) -> Rule:
    """The rule of `block` (a model block); `draw` gives its switchover durations.

    Raises
    ------
    TypeError
        For a kind of block without a rule.
    """
    raise TypeError(f"no engine rule for a {type(block).__name__} block")


@rule_for.register
def _series(block: Series, draw=None) -> Rule:
    return CountRule(len(block.members))


@rule_for.register
def _k_of_n(block: KofN, draw=None) -> Rule:
    if block.mode != "hot":
        return SlotRule(block.k, len(block.members), False, draw)
    if block.failover is not None:
        return FailoverRule(block.k, draw)
    return CountRule(block.k)


@rule_for.register
def _standby(block: Standby, draw=None) -> Rule:
    return SlotRule(1, len(block.members), block.revert, draw)


@rule_for.register
def _network(block: Network, draw=None) -> Rule:
    return NetworkRule(connectivity_of(block))


def switchover_of(block) -> Switchover | None:
    """The switchover a block pays when it changes members, or None."""
    if isinstance(block, Standby):
        return block.switchover
    return getattr(block, "failover", None)


def controls_members(block) -> bool:
    """True for warm/cold blocks, whose waiting members age differently."""
    return getattr(block, "mode", "hot") != "hot"

"""The numpy engine (``engine="fast"``) for parts that fail and are repaired independently.

For every instance it draws the up and down durations of a whole batch of replications
as arrays, turns them into transition times by cumulative sums, and then evaluates the
structure bottom-up, one level of the structure at a time, as operations on sorted
event arrays: a series or k-of-n block's state is a running count of its down members
(`numpy.cumsum` over its members' merged events), and the block's own transitions are
where that count crosses its threshold. All blocks of a level (twenty racks built alike)
are evaluated in one pass. Hot failover groups add their switchover intervals with the
same rules as the SimPy engine (a new switchover restarts one in progress). Hot standby
blocks, whose serving member depends on history, are stepped through their members'
events in a short loop; their events are rare (power chains, database pairs).

Out of scope (the SimPy engine runs them): warm and cold spares, whose ageing depends
on when they are put in use; shared instances below a standby or failover block, where
the order of simultaneous member changes matters; and everything
`engine.support.check_supported` rejects.
The output is the same `Timeline` per replication as the SimPy engine's, from the
same random numbers (see `engine.streams`): where both engines apply they give the same
outages, and everything after the Timeline is shared.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from simulation.engine.nodes import SwitchingNode
from simulation.engine.streams import (
    COVERAGE,
    FAILURE,
    MANUAL,
    REPAIR,
    SWITCHOVER,
    base_key,
    draws,
    single_stream_keys,
    stream_keys,
    uniforms,
)
from simulation.engine.support import UnsupportedScenario, check_supported
from simulation.engine.timeline import UNPLANNED, Timeline
from simulation.model.components import ComponentType
from simulation.model.scenario import Scenario
from simulation.model.structure import KofN, Leaf, Series, Standby, block_keys, iter_blocks, leaves


def unsupported_reason(scenario: Scenario) -> str | None:
    """Why the fast engine cannot run `scenario`, or None when it can."""
    try:
        check_supported(scenario)
    except UnsupportedScenario as err:
        return str(err)
    uses = Counter(b.instance for b in iter_blocks(scenario.service) if isinstance(b, Leaf))
    for block in iter_blocks(scenario.service):
        label = block.name or type(block).__name__
        if isinstance(block, (KofN, Standby)) and block.mode != "hot":
            return f"{block.mode} spares (block {label}) age only while in use"
        switching = isinstance(block, Standby) or (isinstance(block, KofN) and block.failover)
        if switching and any(uses[i] > 1 for i in leaves(block)):
            return (
                f"a shared instance below the switching block {label} changes several members "
                "at one instant, and the order of those changes matters"
            )
    return None


@dataclass
class Events:
    """State changes of one node over the replications of a call, sorted by (rep, t)
    (an instance's own events are only grouped: they are sorted where they are merged)."""

    rep: np.ndarray  # int64 position of the replication in the call's `reps`
    t: np.ndarray  # float64 hours
    up: np.ndarray  # bool: True = came up, False = went down
    cause: np.ndarray  # int32 instance index that triggered the change

    @classmethod
    def empty(cls) -> Events:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int32))

    def __len__(self):
        return self.t.size


def check_fast(scenario: Scenario) -> None:
    """Raise `UnsupportedScenario` when the fast engine cannot run `scenario`."""
    reason = unsupported_reason(scenario)
    if reason:
        raise UnsupportedScenario(
            f"the fast engine cannot run this scenario: {reason}; use engine des or auto"
        )


def simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float) -> list[Timeline]:
    """Simulate replications `reps` (e.g. ``range(0, 1000)``) with the fast engine.

    Returns one Timeline per replication. The numbers depend on (seed, replication
    index) only, as with the SimPy engine.

    Raises
    ------
    UnsupportedScenario
        When the scenario is outside the fast engine's subset (see `unsupported_reason`).
    """
    check_fast(scenario)
    run = _Run(seed, np.asarray(reps, dtype=np.int64), float(horizon_hours))
    top = _Evaluator(scenario, run).evaluate()
    return _timelines(top, len(reps), horizon_hours)


@dataclass(frozen=True)
class _Run:
    seed: int
    reps: np.ndarray  # replication indices; Events.rep holds positions in this array
    horizon: float


class _Evaluator:
    """Evaluates the structure bottom-up: count blocks of one level in one pass each."""

    def __init__(self, scenario: Scenario, run: _Run):
        self.scenario, self.run = scenario, run
        self.memo: dict[int, Events] = {}
        self.keys = block_keys(scenario.service)
        self.leaf_events = _leaf_streams(scenario, run)

    def evaluate(self) -> Events:
        for level in _levels(self.scenario.service):
            plain = [b for b in level if _is_count(b)]
            if plain:
                specs = [(_k(b), len(b.members), [self.memo[id(m)] for m in b.members]) for b in plain]
                for b, events in zip(plain, _count_nodes(specs)):
                    self.memo[id(b)] = events
            for b in level:
                if id(b) not in self.memo:
                    self.memo[id(b)] = self._evaluate(b)
        top = self.memo[id(self.scenario.service)]
        if isinstance(self.scenario.service, Leaf):  # leaf streams are grouped, not sorted
            order = _order_by(top.rep, top.t)
            top = Events(top.rep[order], top.t[order], top.up[order], top.cause[order])
        return top

    def _evaluate(self, block) -> Events:
        if isinstance(block, Leaf):
            return self.leaf_events[block.instance]
        members = [self.memo[id(m)] for m in block.members]
        base = base_key(self.run.seed, self.keys[id(block)])
        if isinstance(block, KofN):
            return _failover_node(block.k, members, block.failover, self.run, base)
        return _standby_node(members, block, self.run, base)


def _is_count(block) -> bool:
    return isinstance(block, Series) or (isinstance(block, KofN) and block.failover is None)


def _k(block) -> int:
    return len(block.members) if isinstance(block, Series) else block.k


def _levels(service) -> list[list]:
    """Blocks grouped by height (leaves first); a shared block appears once."""
    heights: dict[int, int] = {}
    blocks: dict[int, object] = {}

    def height(block) -> int:
        key = id(block)
        if key not in heights:
            blocks[key] = block
            heights[key] = 1 + max((height(m) for m in getattr(block, "members", ())), default=-1)
        return heights[key]

    height(service)
    levels: list[list] = [[] for _ in range(max(heights.values()) + 1)]
    for key, h in heights.items():
        levels[h].append(blocks[key])
    return levels


# --------------------------------------------------------------------------- leaves
def _leaf_streams(scenario: Scenario, run: _Run) -> dict[str, Events]:
    """Failures and repairs of every instance, drawn per component type in bulk."""
    ids = list(scenario.instances)
    groups: dict[str, list[int]] = {}
    for i, iid in enumerate(ids):
        groups.setdefault(scenario.instances[iid].component, []).append(i)
    out: dict[str, Events] = {}
    for comp_name, idx in groups.items():
        comp = scenario.components[comp_name]
        base = np.array([base_key(run.seed, ids[i]) for i in idx], dtype=np.uint64)
        inst, rep, t, up = _type_events(comp, base, run)
        bounds = np.searchsorted(inst, np.arange(len(idx) + 1))
        for j, i in enumerate(idx):
            a, b = bounds[j], bounds[j + 1]
            out[ids[i]] = Events(rep[a:b], t[a:b], up[a:b], np.full(b - a, i, np.int32))
    return out


#: Instances x replications x draws per array block (keeps temporaries in the allocator's pool).
BLOCK_ELEMENTS = 1 << 20


def _type_events(comp: ComponentType, base: np.ndarray, run: _Run):
    """Events of the n instances of one type: arrays grouped by instance.

    Within an instance the events are not in time order (the blocks that evaluate them
    sort what they merge), which saves a sort of every event.

    Instances are taken in blocks, so the arrays of one step stay around a few MiB
    however large the data centre and the run are.
    """
    cycles = run.horizon / (comp.failure.mean + comp.repair.mean)
    m = max(1, int(math.ceil(cycles + math.sqrt(cycles))))  # the longer ones go on below
    per_block = max(1, BLOCK_ELEMENTS // (2 * m * max(1, run.reps.size)))
    parts = [_block_events(comp, base[a : a + per_block], run, m) for a in range(0, base.size, per_block)]
    offsets = range(0, base.size, per_block)
    inst = np.concatenate([p[0] + off for p, off in zip(parts, offsets)])
    return inst, *(np.concatenate([p[i] for p in parts]) for i in (1, 2, 3))


def _block_events(comp: ComponentType, base: np.ndarray, run: _Run, m: int):
    """`_type_events` for one block of instances (instance indices from 0).

    First every instance's first failure (one draw per instance and replication: most
    parts of a highly available system never fail within the horizon); then, for the
    pairs that did fail, `m` (repair, failure) cycles at a time until the horizon.
    """
    kf = stream_keys(base, run.reps, FAILURE).T  # (n, reps)
    kr = stream_keys(base, run.reps, REPAIR).T
    first = draws(comp.failure, kf, 0)
    ii, rr = np.nonzero(first < run.horizon)  # sorted by (instance, rep)
    last = first[ii, rr]
    parts = [(ii, rr, last, np.zeros(ii.size, bool))]
    start = 0
    while ii.size:
        index = np.arange(start, start + m)
        steps = np.empty((ii.size, 2 * m))
        steps[:, 0::2] = draws(comp.repair, kr[ii, rr][:, None], index)
        steps[:, 1::2] = draws(comp.failure, kf[ii, rr][:, None], index + 1)
        steps[:, 0] += last
        cum = np.cumsum(steps, axis=1)  # the same additions, in the same order, as des
        inside = cum < run.horizon
        p, col = np.nonzero(inside)
        parts.append((ii[p], rr[p], cum[inside], col % 2 == 0))
        more = cum[:, -1] < run.horizon
        ii, rr, last, start = ii[more], rr[more], cum[more, -1], start + m
    inst = np.concatenate([q[0] for q in parts])
    # group by instance; within an instance, time order is not needed (merges sort)
    order = np.argsort(inst.astype(np.int16) if base.size < 2**15 else inst, kind="stable")
    return (
        inst[order],
        np.concatenate([q[1] for q in parts])[order].astype(np.int64),
        np.concatenate([q[2] for q in parts])[order],
        np.concatenate([q[3] for q in parts])[order],
    )


# ----------------------------------------------------------------------- count blocks
def _merge(member_streams: list[Events], group: np.ndarray | None = None):
    """Concatenate streams and sort by (group, rep, t); returns the sorted arrays."""
    rep = np.concatenate([s.rep for s in member_streams])
    t = np.concatenate([s.t for s in member_streams])
    up = np.concatenate([s.up for s in member_streams])
    cause = np.concatenate([s.cause for s in member_streams])
    key = rep if group is None else group * (int(rep.max(initial=0)) + 1) + rep
    order = _order_by(key, t)
    g = None if group is None else group[order]
    return g, rep[order], t[order], up[order], cause[order]


def _order_by(key: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The permutation sorting by (integer `key`, time `t`), equal pairs in input order.

    The same order as ``np.lexsort((t, key))``, several times faster: the times are
    ranked with one unstable sort (stable only if some times are equal), then the unique
    integers ``key * n + rank`` are sorted.
    """
    n = t.size
    by_time = np.argsort(t)
    if n > 1 and np.any(t[by_time[1:]] == t[by_time[:-1]]):
        by_time = np.argsort(t, kind="stable")
    rank = np.empty(n, np.int64)
    rank[by_time] = np.arange(n)
    return np.argsort(key.astype(np.int64) * n + rank)


def _group_starts(*keys) -> np.ndarray:
    """True where any of the sorted key arrays changes (and at index 0)."""
    n = keys[0].size
    start = np.zeros(n, bool)
    if n:
        start[0] = True
        for k in keys:
            start[1:] |= k[1:] != k[:-1]
    return start


def _running_down(up: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Number of members down after each event, restarting at each group start."""
    delta = np.where(up, -1, 1).astype(np.int64)
    cs = np.cumsum(delta)
    gid = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    return cs - (cs[first] - delta[first])[gid]


def _transitions(g, rep, t, state_up, cause):
    """Rows where the node's state changes, judged after the last event at each instant."""
    n = t.size
    last = np.ones(n, bool)
    if n:
        same = (rep[1:] == rep[:-1]) & (t[1:] == t[:-1])
        if g is not None:
            same &= g[1:] == g[:-1]
        last[:-1] = ~same
    idx = np.flatnonzero(last)
    s = state_up[idx]
    prev = np.empty_like(s)
    if idx.size:
        prev[1:] = s[:-1]
        prev[0] = True
        keys = (rep[idx],) if g is None else (g[idx], rep[idx])
        prev[_group_starts(*keys)] = True  # every replication starts up
    keep = idx[s != prev]
    return keep


#: Events sorted in one pass when a level's count blocks are evaluated.
SORT_EVENTS = 1 << 20


def _count_nodes(specs) -> list[Events]:
    """Series / k-of-n blocks: ``specs = [(k, n, member_streams), ...]``, a pass per slice
    of about `SORT_EVENTS` events (sorting slices that fit in cache beats one huge sort)."""
    out: list[Events] = []
    first, size = 0, 0
    for i, (_, _, members) in enumerate(specs):
        size += sum(len(m) for m in members)
        if size >= SORT_EVENTS or i == len(specs) - 1:
            out += _count_slice(specs[first : i + 1])
            first, size = i + 1, 0
    return out


def _count_slice(specs) -> list[Events]:
    """Series / k-of-n blocks, all in one pass."""
    groups = np.concatenate(
        [np.full(len(s), i, np.int64) for i, (_, _, ms) in enumerate(specs) for s in ms]
        or [np.zeros(0, np.int64)]
    )
    all_streams = [s for _, _, ms in specs for s in ms]
    if not all_streams:
        return [Events.empty() for _ in specs]
    g, rep, t, up, cause = _merge(all_streams, groups)
    down = _running_down(up, _group_starts(g, rep))
    slack = np.array([n - k for k, n, _ in specs], np.int64)
    state = down <= slack[g]
    keep = _transitions(g, rep, t, state, cause)
    bounds = np.searchsorted(g[keep], np.arange(len(specs) + 1))
    out = []
    for i in range(len(specs)):
        sel = keep[bounds[i] : bounds[i + 1]]
        out.append(Events(rep[sel], t[sel], state[sel], cause[sel]))
    return out


# ------------------------------------------------------------------- failover blocks
def _failover_node(k: int, members: list[Events], so, run: _Run, base: int) -> Events:
    """Hot k-of-n with failover: count state plus switchover intervals."""
    _, rep, t, up, cause = _merge(members)
    n = len(members)
    down = _running_down(up, _group_starts(rep))
    state = down <= n - k
    keep = _transitions(None, rep, t, state, cause)
    # switchovers: a member went down and the block still has k members up
    fo = np.flatnonzero(~up & state)
    f_rep, f_t, f_cause = rep[fo], t[fo], cause[fo]
    duration = _switchover_durations(so, base, run, f_rep)
    end = f_t + duration
    same_rep_next = np.zeros(fo.size, bool)
    same_rep_next[:-1] = f_rep[1:] == f_rep[:-1]
    end[:-1] = np.where(same_rep_next[:-1], np.minimum(end[:-1], f_t[1:]), end[:-1])  # restart
    ok = end > f_t
    # union of "count down" and "switching" intervals, as +1/-1 reasons
    reasons = [
        Events(rep[keep], t[keep], state[keep], cause[keep]),
        Events(f_rep[ok], f_t[ok], np.zeros(ok.sum(), bool), f_cause[ok]),
        Events(f_rep[ok], end[ok], np.ones(ok.sum(), bool), f_cause[ok]),
    ]
    _, r2, t2, u2, c2 = _merge(reasons)
    active = _running_down(u2, _group_starts(r2))
    state2 = active <= 0
    keep2 = _transitions(None, r2, t2, state2, c2)
    return Events(r2[keep2], t2[keep2], state2[keep2], c2[keep2])


def _switchover_durations(so, base: int, run: _Run, rep: np.ndarray) -> np.ndarray:
    """Durations of switchovers in replications `rep` (sorted): the k-th of a replication
    uses draw k of the automatic, coverage and manual streams, as the SimPy engine does."""
    starts = _group_starts(rep)
    k = np.arange(rep.size) - np.flatnonzero(starts)[np.cumsum(starts) - 1] if rep.size else rep
    keys = lambda purpose: single_stream_keys(base, run.reps, purpose)[rep]  # noqa: E731
    duration = draws(so.time, keys(SWITCHOVER), k)
    if so.manual is not None:
        works = uniforms(keys(COVERAGE), k) < so.coverage
        duration = np.where(works, duration, draws(so.manual, keys(MANUAL), k))
    return duration


# -------------------------------------------------------------------- standby blocks
def _standby_node(members: list[Events], block: Standby, run: _Run, base: int) -> Events:
    """Hot standby: the serving member depends on history, so step through the events."""
    n = len(members)
    rep_all = np.concatenate([s.rep for s in members])
    t_all = np.concatenate([s.t for s in members])
    order = _order_by(rep_all, t_all)
    rep, t = rep_all[order].tolist(), t_all[order].tolist()
    up = np.concatenate([s.up for s in members])[order].tolist()
    cause = np.concatenate([s.cause for s in members])[order].tolist()
    pos = np.concatenate([np.full(len(s), i) for i, s in enumerate(members)])[order].tolist()
    switcher = SwitchingNode("standby", block.switchover, base)  # its samplers, as in des
    for sampler in switcher.samplers():
        sampler.prepare_replications(run.reps)
    replay = _StandbyReplay(n, block, switcher)
    i, total = 0, len(t)
    for r in range(run.reps.size):
        replay.start(r)
        while i < total and rep[i] == r:
            replay.member_changed(t[i], pos[i], up[i], cause[i])
            i += 1
        replay.finish()
    rep_out, t_out = np.asarray(replay.out_rep, np.int64), np.asarray(replay.out_t, float)
    up_out, cause_out = np.asarray(replay.out_up, bool), np.asarray(replay.out_cause, np.int32)
    keep = _transitions(None, rep_out, t_out, up_out, cause_out)  # net change per instant
    return Events(rep_out[keep], t_out[keep], up_out[keep], cause_out[keep])


class _StandbyReplay:
    """The `SlotNode` rules of the SimPy engine (k = 1, hot), replayed over sorted events."""

    def __init__(self, n: int, block: Standby, switcher: SwitchingNode):
        self.n, self.block, self.switcher = n, block, switcher
        self.out_rep, self.out_t, self.out_up, self.out_cause = [], [], [], []

    def start(self, r: int) -> None:
        for sampler in self.switcher.samplers():
            sampler.start(r)
        self.r = r
        self.member_up = [True] * self.n
        self.serving, self.switch_end, self.block_up, self.switch_cause = 0, None, True, -1

    def _change(self, time: float, now_up: bool, cause: int) -> None:
        if now_up != self.block_up:
            self.block_up = now_up
            self.out_rep.append(self.r)
            self.out_t.append(time)
            self.out_up.append(now_up)
            self.out_cause.append(cause)

    def _switch(self, time: float, cause: int):
        self.switch_cause = cause
        return None if self.block.switchover is None else time + self.switcher.draw_switchover()

    def member_changed(self, t: float, p: int, up: bool, cause: int) -> None:
        if self.switch_end is not None and self.switch_end <= t:
            self._change(self.switch_end, self.serving is not None, self.switch_cause)
            self.switch_end = None
        self.member_up[p] = up
        if not up:
            if p == self.serving:
                self.serving = next((j for j in range(self.n) if self.member_up[j]), None)
                self.switch_end = None if self.serving is None else self._switch(t, cause)
        elif self.serving is None:
            self.serving = p
        elif self.block.revert and p == 0 and self.serving != 0:
            self.serving = 0
            self.switch_end = self._switch(t, cause)
        self._change(t, self.serving is not None and self.switch_end is None, cause)

    def finish(self) -> None:
        if self.switch_end is not None and self.serving is not None:
            self._change(self.switch_end, True, self.switch_cause)


# --------------------------------------------------------------------------- output
def _timelines(top: Events, replications: int, horizon: float) -> list[Timeline]:
    """System outages per replication from the top node's state changes."""
    downs = np.flatnonzero(~top.up & (top.t < horizon))
    nxt = downs + 1
    has_end = nxt < len(top)
    has_end[has_end] = top.rep[nxt[has_end]] == top.rep[downs[has_end]]
    ends = np.full(downs.size, horizon)
    ends[has_end] = np.minimum(top.t[nxt[has_end]], horizon)
    keep = ends > top.t[downs]  # a down and an up at one instant is no outage (as in des)
    downs, ends = downs[keep], ends[keep]
    starts, reps, causes = top.t[downs], top.rep[downs], top.cause[downs]
    # an up of no duration does not end an outage: join outages that touch (as in des)
    joined = np.zeros(downs.size, bool)
    joined[1:] = (reps[1:] == reps[:-1]) & (starts[1:] == ends[:-1])
    if joined.any():
        first = np.flatnonzero(~joined)
        last = np.r_[first[1:], downs.size] - 1
        starts, reps, causes, ends = starts[first], reps[first], causes[first], ends[last]
    bounds = np.searchsorted(reps, np.arange(replications + 1))
    kinds = np.full(starts.size, UNPLANNED, np.int8)
    return [
        Timeline(starts[a:b], ends[a:b], kinds[a:b], causes[a:b], float(horizon))
        for a, b in zip(bounds[:-1], bounds[1:])
    ]

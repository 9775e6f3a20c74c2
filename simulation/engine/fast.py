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
on when they are put in use, and everything `engine.nodes.check_supported` rejects.
The output is the same `Timeline` per replication as the SimPy engine's, from the
same random streams (one per batch and instance), so everything after it is shared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.engine.nodes import Sampler, check_supported
from simulation.engine.streams import batch_sequence, keyed_rng
from simulation.engine.timeline import UNPLANNED, Timeline
from simulation.model.components import ComponentType
from simulation.model.scenario import Scenario
from simulation.model.structure import KofN, Leaf, Series, Standby, block_keys, iter_blocks


def unsupported_reason(scenario: Scenario) -> str | None:
    """Why the fast engine cannot run `scenario`, or None when it can."""
    try:
        check_supported(scenario)
    except ValueError as err:
        return str(err)
    for block in iter_blocks(scenario.service):
        if isinstance(block, (KofN, Standby)) and block.mode != "hot":
            return f"{block.mode} spares (block {block.name or type(block).__name__}) age only while in use"
    return None


@dataclass
class Events:
    """State changes of one node over a chunk of replications, sorted by (rep, t)."""

    rep: np.ndarray  # int64 replication index within the chunk
    t: np.ndarray  # float64 hours
    up: np.ndarray  # bool: True = came up, False = went down
    cause: np.ndarray  # int32 instance index that triggered the change

    @classmethod
    def empty(cls) -> "Events":
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int32))

    def __len__(self):
        return self.t.size


@dataclass(frozen=True)
class _Chunk:
    """The replications of one call: consecutive batches, each with its own streams."""

    seed: int
    plan: tuple[tuple[int, int], ...]  # (batch index, size)

    @property
    def offsets(self) -> list[int]:
        return list(np.cumsum([0] + [s for _, s in self.plan]))

    @property
    def size(self) -> int:
        return sum(s for _, s in self.plan)

    def rngs(self, key: str):
        """``(rng, first_rep, size)`` for every batch of the chunk."""
        for (b, size), off in zip(self.plan, self.offsets):
            yield keyed_rng(batch_sequence(self.seed, b), key), off, size


def simulate_batches(scenario: Scenario, seed: int, plan, horizon_hours: float) -> list[Timeline]:
    """Simulate the batches of `plan` (``[(batch, size), ...]``) with the fast engine.

    Returns one Timeline per replication, batches in the order given.
    """
    reason = unsupported_reason(scenario)
    if reason:
        raise ValueError(f"the fast engine cannot run this scenario: {reason}")
    chunk = _Chunk(seed, tuple(plan))
    top = _Evaluator(scenario, chunk, horizon_hours).run()
    return _timelines(top, chunk.size, horizon_hours)


class _Evaluator:
    """Evaluates the structure bottom-up: count blocks of one level in one pass each."""

    def __init__(self, scenario: Scenario, chunk: _Chunk, horizon_hours: float):
        self.scenario, self.chunk, self.horizon = scenario, chunk, horizon_hours
        self.index = {iid: i for i, iid in enumerate(scenario.instances)}
        self.memo: dict[int, Events] = {}
        self.keys = block_keys(scenario.service)

    def run(self) -> Events:
        for level in _levels(self.scenario.service):
            plain = [b for b in level if _is_count(b)]
            if plain:
                specs = [(_k(b), len(b.members), [self.memo[id(m)] for m in b.members]) for b in plain]
                for b, events in zip(plain, _count_nodes(specs)):
                    self.memo[id(b)] = events
            for b in level:
                if id(b) not in self.memo:
                    self.memo[id(b)] = self._evaluate(b)
        return self.memo[id(self.scenario.service)]

    def _evaluate(self, block) -> Events:
        if isinstance(block, Leaf):
            iid = block.instance
            return _leaf_events(self.scenario.component_of(iid), self.index[iid], self.chunk, iid,
                                self.horizon)
        members = [self.memo[id(m)] for m in block.members]
        key = self.keys[id(block)]
        if isinstance(block, KofN):
            return _failover_node(block.k, members, block.failover, self.chunk, key)
        return _standby_node(members, block, self.chunk, key)


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
def _leaf_events(comp: ComponentType, cause: int, chunk: _Chunk, key: str, horizon: float) -> Events:
    """Failures and repairs of one instance in every replication of the chunk."""
    cycle = comp.failure.mean + comp.repair.mean
    expected = horizon / cycle
    m = int(expected + 3.0 * math.sqrt(expected + 1.0) + 2.0)
    reps, times, ups = [], [], []
    for rng, first, size in chunk.rngs(key):
        cum = _transition_times(comp, rng, size, m, horizon)
        rows, cols = np.nonzero(cum < horizon)  # row-major: sorted by (rep, time)
        reps.append(rows + first)
        times.append(cum[rows, cols])
        ups.append(cols % 2 == 1)
    rep = np.concatenate(reps)
    return Events(rep.astype(np.int64), np.concatenate(times), np.concatenate(ups),
                  np.full(rep.size, cause, np.int32))


def _transition_times(comp: ComponentType, rng, size: int, m: int, horizon: float) -> np.ndarray:
    """Cumulative fail/repair times, shape (size, 2 * cycles), covering the horizon."""
    blocks = []
    offset = np.zeros((size, 1))
    while True:
        up = comp.failure.sample((size, m), rng)
        down = comp.repair.sample((size, m), rng)
        steps = np.empty((size, 2 * m))
        steps[:, 0::2], steps[:, 1::2] = up, down
        cum = np.cumsum(steps, axis=1) + offset
        blocks.append(cum)
        if size == 0 or cum[:, -1].min() >= horizon:
            return np.concatenate(blocks, axis=1) if len(blocks) > 1 else cum
        offset = cum[:, -1:]


# ----------------------------------------------------------------------- count blocks
def _merge(member_streams: list[Events], group: np.ndarray | None = None):
    """Concatenate streams and sort by (group, rep, t); returns the sorted arrays."""
    rep = np.concatenate([s.rep for s in member_streams])
    t = np.concatenate([s.t for s in member_streams])
    up = np.concatenate([s.up for s in member_streams])
    cause = np.concatenate([s.cause for s in member_streams])
    keys = (t, rep) if group is None else (t, rep, group)
    order = np.lexsort(keys)
    g = None if group is None else group[order]
    return g, rep[order], t[order], up[order], cause[order]


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


def _count_nodes(specs) -> list[Events]:
    """Series / k-of-n blocks, all in one pass: ``specs = [(k, n, member_streams), ...]``."""
    groups = np.concatenate([np.full(len(s), i, np.int64) for i, (_, _, ms) in enumerate(specs) for s in ms]
                            or [np.zeros(0, np.int64)])
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
        sel = keep[bounds[i]:bounds[i + 1]]
        out.append(Events(rep[sel], t[sel], state[sel], cause[sel]))
    return out


# ------------------------------------------------------------------- failover blocks
def _failover_node(k: int, members: list[Events], so, chunk: _Chunk, key: str) -> Events:
    """Hot k-of-n with failover: count state plus switchover intervals."""
    _, rep, t, up, cause = _merge(members)
    n = len(members)
    down = _running_down(up, _group_starts(rep))
    state = down <= n - k
    keep = _transitions(None, rep, t, state, cause)
    # switchovers: a member went down and the block still has k members up
    fo = np.flatnonzero(~up & state)
    f_rep, f_t, f_cause = rep[fo], t[fo], cause[fo]
    duration = np.empty(fo.size)
    for rng, first, size in chunk.rngs(key):
        lo, hi = np.searchsorted(f_rep, [first, first + size])
        duration[lo:hi] = _switchover_durations(so, rng, hi - lo)
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


def _switchover_durations(so, rng, count: int) -> np.ndarray:
    """Durations of `count` switchovers: automatic with probability coverage, else manual."""
    auto = so.time.sample(count, rng)
    if so.coverage >= 1.0 or count == 0:
        return auto
    works = rng.random(count) < so.coverage
    return np.where(works, auto, so.manual.sample(count, rng))


# -------------------------------------------------------------------- standby blocks
def _standby_node(members: list[Events], block: Standby, chunk: _Chunk, key: str) -> Events:
    """Hot standby: the serving member depends on history, so step through the events."""
    n = len(members)
    pos = np.concatenate([np.full(len(s), i) for i, s in enumerate(members)])
    rep_all = np.concatenate([s.rep for s in members])
    order = np.lexsort((np.concatenate([s.t for s in members]), rep_all))
    rep = rep_all[order].tolist()
    t = np.concatenate([s.t for s in members])[order].tolist()
    up = np.concatenate([s.up for s in members])[order].tolist()
    cause = np.concatenate([s.cause for s in members])[order].tolist()
    pos = pos[order].tolist()
    so = block.switchover
    out_rep, out_t, out_up, out_cause = [], [], [], []
    i, total = 0, len(t)
    for rng, first, size in chunk.rngs(key):
        draw_time = Sampler(so.time, rng) if so else None
        draw_manual = Sampler(so.manual, rng) if so and so.manual else None
        for r in range(first, first + size):
            member_up = [True] * n
            serving, switch_end, block_up = 0, None, True
            switch_cause = -1

            def emit(time, now_up, c):
                out_rep.append(r)
                out_t.append(time)
                out_up.append(now_up)
                out_cause.append(c)

            def start_switch(time, c):
                nonlocal switch_end, switch_cause
                if so is None:
                    switch_end = None
                    return
                automatic = so.coverage >= 1.0 or rng.random() < so.coverage
                switch_end = time + (draw_time() if automatic else draw_manual())
                switch_cause = c

            while i < total and rep[i] == r:
                ti, p, c = t[i], pos[i], cause[i]
                if switch_end is not None and switch_end <= ti:
                    now_up = serving is not None
                    if now_up != block_up:
                        block_up = now_up
                        emit(switch_end, now_up, switch_cause)
                    switch_end = None
                member_up[p] = up[i]
                if not up[i]:
                    if p == serving:
                        serving = next((j for j in range(n) if member_up[j]), None)
                        if serving is None:
                            switch_end = None
                        else:
                            start_switch(ti, c)
                elif serving is None:
                    serving = p
                elif block.revert and p == 0 and serving != 0:
                    serving = 0
                    start_switch(ti, c)
                now_up = serving is not None and switch_end is None
                if now_up != block_up:
                    block_up = now_up
                    emit(ti, now_up, c)
                i += 1
            if switch_end is not None and serving is not None and not block_up:
                emit(switch_end, True, switch_cause)
    return Events(np.asarray(out_rep, np.int64), np.asarray(out_t, float),
                  np.asarray(out_up, bool), np.asarray(out_cause, np.int32))


# --------------------------------------------------------------------------- output
def _timelines(top: Events, replications: int, horizon: float) -> list[Timeline]:
    """System outages per replication from the top node's state changes."""
    downs = np.flatnonzero(~top.up & (top.t < horizon))
    nxt = downs + 1
    has_end = nxt < len(top)
    has_end[has_end] = top.rep[nxt[has_end]] == top.rep[downs[has_end]]
    ends = np.full(downs.size, horizon)
    ends[has_end] = np.minimum(top.t[nxt[has_end]], horizon)
    starts, reps, causes = top.t[downs], top.rep[downs], top.cause[downs]
    bounds = np.searchsorted(reps, np.arange(replications + 1))
    kinds = np.full(downs.size, UNPLANNED, np.int8)
    return [
        Timeline(starts[a:b], ends[a:b], kinds[a:b], causes[a:b], float(horizon))
        for a, b in zip(bounds[:-1], bounds[1:])
    ]
